# libFuzzer targets (configure --enable-fuzz CC=clang; see contrib/fuzz.sh).
