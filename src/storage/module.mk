# storage: LevelDB wrapper (batches, iterators, snapshots).
noinst_LIBRARIES += libspectrum_storage.a
libspectrum_storage_a_SOURCES =
