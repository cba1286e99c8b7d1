# util: bytes/hex, errors, logging, args and config, filesystem helpers, bounded waits.
noinst_LIBRARIES += libspectrum_util.a
libspectrum_util_a_SOURCES = \
	src/util/err.c src/util/err.h \
	src/util/bytes.c src/util/bytes.h \
	src/util/hex.c src/util/hex.h \
	src/util/log.c src/util/log.h \
	src/util/args.c src/util/args.h \
	src/util/fs.c src/util/fs.h \
	src/util/wait.c src/util/wait.h \
	src/util/thread_name.h
