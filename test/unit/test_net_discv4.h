/* test_net_discv4.h — the parts of the discovery unit suite (one binary,
 * test_net_discv4): each file returns its test case. */
#ifndef SPECTRUM_TEST_NET_DISCV4_H
#define SPECTRUM_TEST_NET_DISCV4_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

TCase *net_enode_tcase(void);        /* test_net_enode.c: URLs, bootnodes */
TCase *net_kad_tcase(void);          /* test_net_kad.c: the Kademlia table */
TCase *net_discv4_service_tcase(void); /* test_net_discv4_service.c: UDP services */

/* Decodes hex text (whitespace allowed) into out; returns the length. */
size_t test_unhex(const char *s, uint8_t *out, size_t cap);

/* A deterministic secret key derived from a label. */
void test_key(const char *label, uint8_t sk[32]);

#endif
