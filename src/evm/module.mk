# evm: interpreter, gas, fork rules, precompiles (incl. bn254).
noinst_LIBRARIES += libspectrum_evm.a
libspectrum_evm_a_SOURCES = \
	src/evm/bn254.h src/evm/bn254.c \
	src/evm/bn254_fp.h src/evm/bn254_fp.c \
	src/evm/bn254_fp2.h src/evm/bn254_fp2.c \
	src/evm/bn254_tower.h src/evm/bn254_tower.c \
	src/evm/bn254_scalar.h src/evm/bn254_scalar.c \
	src/evm/bn254_g1.h src/evm/bn254_g1.c \
	src/evm/bn254_g2.h src/evm/bn254_g2.c \
	src/evm/bn254_pairing.h src/evm/bn254_pairing.c
libspectrum_evm_a_SOURCES += src/evm/fork.c src/evm/precompile.c src/evm/precompile_impl.h src/evm/precompile_ecrecover.c src/evm/precompile_hash.c src/evm/precompile_modexp.c src/evm/precompile_bn254.c
libspectrum_evm_a_SOURCES += src/evm/evm.h src/evm/internal.h src/evm/gas.h src/evm/gas.c src/evm/analysis.h src/evm/analysis.c src/evm/arith.h src/evm/arith.c src/evm/interp.c src/evm/call.c src/evm/trace.c src/evm/transaction.h src/evm/transaction.c
