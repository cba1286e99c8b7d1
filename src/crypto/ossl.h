/*
 * ossl.h — the OpenSSL headers the crypto module uses, included in one
 * place. (For src/crypto and its tests and benchmarks: other modules do
 * not call OpenSSL.)
 *
 * Why: <openssl/types.h> declares `typedef struct err_state_st ERR_STATE`,
 * and util/err.h has an enum constant ERR_STATE; both are file-scope
 * ordinary identifiers, so a file that includes both does not compile.
 * Here OpenSSL's typedef is renamed for the translation unit while its
 * headers are read. A file includes this header BEFORE util/err.h and
 * includes no other OpenSSL header itself.
 */
#ifndef SPECTRUM_CRYPTO_OSSL_H
#define SPECTRUM_CRYPTO_OSSL_H

#ifdef SPECTRUM_UTIL_ERR_H
#error "include crypto/ossl.h before util/err.h"
#endif

#define ERR_STATE openssl_ERR_STATE_renamed
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#undef ERR_STATE

#endif
