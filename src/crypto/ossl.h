/*
 * ossl.h — the OpenSSL headers the crypto module uses, included in one
 * place for src/crypto and its tests and benchmarks. (Elsewhere only the
 * modexp precompile calls OpenSSL, for BIGNUM.)
 */
#ifndef SPECTRUM_CRYPTO_OSSL_H
#define SPECTRUM_CRYPTO_OSSL_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#endif
