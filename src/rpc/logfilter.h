/*
 * logfilter.h — Ethereum log filter criteria ({address, topics}) as
 * eth_subscribe("logs", ...), eth_newFilter and eth_getLogs take them,
 * parsed once and matched against many logs: JSON logs (subscriptions),
 * decoded logs (filters, eth_getLogs) and block blooms (to skip blocks that
 * cannot hold a match).
 *
 * Matching follows geth's rules: `address` is one address or a list (any of
 * them matches; absent or empty matches all); `topics` is a list of up to 4
 * positions, each null (anything), a topic, or a list of topics (any of
 * them); a log with fewer topics than the filter's positions does not match.
 *
 * Criteria come from clients, so the counts are capped before allocating.
 * A parsed filter is immutable: any thread may match with it.
 */
#ifndef SPECTRUM_RPC_LOGFILTER_H
#define SPECTRUM_RPC_LOGFILTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "primitives/bloom.h"
#include "primitives/receipt.h"

#define LOGFILTER_MAX_ADDRESSES 1024
#define LOGFILTER_MAX_ALTERNATIVES 1024
#define LOGFILTER_POSITIONS 4

struct logfilter_pos {
    size_t n;                   /* 0: wildcard */
    uint8_t (*topics)[32];
};

struct logfilter {
    size_t naddr;               /* 0: any address */
    uint8_t (*addrs)[20];
    size_t npos;
    struct logfilter_pos pos[LOGFILTER_POSITIONS];
};

/* Parses criteria (an object, or NULL/null for "everything"). Unknown keys
 * (fromBlock, toBlock, blockHash) are left to the caller. On error writes a
 * message to msg (msgcap bytes; geth's text where geth has one: "exceed max
 * topics", "exceed max addresses") and returns ERR_INVAL or ERR_RANGE;
 * ERR_NOMEM when out of memory. Free with logfilter_free (also after a
 * failure, which leaves f empty). */
int logfilter_parse(const json_t *criteria, struct logfilter *f, char *msg, size_t msgcap);

/* True when a log object ({"address": "0x..", "topics": ["0x..", ...]})
 * matches. A malformed log never matches. */
bool logfilter_match_json(const struct logfilter *f, const json_t *log);

/* True when a log given as raw values matches. */
bool logfilter_match(const struct logfilter *f, const uint8_t addr[20],
                     const uint8_t (*topics)[32], size_t ntopics);

/* True when a decoded log matches (its first 4 topics are compared). */
bool logfilter_match_log(const struct logfilter *f, const struct log *l);

/* True when a block (or receipt) with bloom bl MAY hold a matching log:
 * one of the addresses, and in every constrained position one of the
 * topics, are in the bloom. False means no log of it can match. */
bool logfilter_bloom_match(const struct logfilter *f, const struct bloom *bl);

/* Deep copy of src into dst. Returns 0 or ERR_NOMEM (dst then empty). */
int logfilter_copy(struct logfilter *dst, const struct logfilter *src);

/* Releases f's lists and zeroes it. */
void logfilter_free(struct logfilter *f);

#endif
