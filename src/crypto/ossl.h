/*
 * ossl.h — the OpenSSL headers the crypto module uses, included in one
 * place. (For src/crypto and its tests and benchmarks: other modules do
 * not call OpenSSL.)
 */
#ifndef SPECTRUM_CRYPTO_OSSL_H
#define SPECTRUM_CRYPTO_OSSL_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#endif
