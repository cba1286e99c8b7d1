# evm: interpreter, gas, fork rules, precompiles (incl. bn254).
noinst_LIBRARIES += libspectrum_evm.a
libspectrum_evm_a_SOURCES =
