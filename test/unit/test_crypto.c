/* test_crypto.c — the crypto unit suite: one test case per concern, each in
 * its own file (test_crypto_<concern>.c) so a file stays readable. Built
 * twice: test_crypto (everything) and test_crypto_portable (only keccak,
 * compiled with KECCAK_PORTABLE=1, i.e. the byte-wise loads and baseline
 * permutation a big-endian or non-x86 host runs). */
#include <check.h>
#include <stdlib.h>

TCase *tcase_keccak(void);
#ifndef TEST_CRYPTO_KECCAK_ONLY
TCase *tcase_hash(void);
TCase *tcase_ecdsa(void);
TCase *tcase_kdf(void);
TCase *tcase_keystore(void);
#endif

int main(void)
{
    Suite *s = suite_create("crypto");
    suite_add_tcase(s, tcase_keccak());
#ifndef TEST_CRYPTO_KECCAK_ONLY
    suite_add_tcase(s, tcase_hash());
    suite_add_tcase(s, tcase_ecdsa());
    suite_add_tcase(s, tcase_kdf());
    suite_add_tcase(s, tcase_keystore());
#endif
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
