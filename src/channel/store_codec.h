/*
 * store_codec.h — the RLP encodings of the hub store's records (store.h).
 *
 * Every record is an RLP list [version, fields...] with version =
 * CH_STORE_RECORD_VERSION. Decoders are strict (exact item counts, fixed
 * lengths for hashes, addresses and signatures, canonical integers) and
 * treat the bytes as outside input: they never allocate more than the
 * record's own bounded contents and report ERR_DECODE (malformed),
 * ERR_RANGE (a count or length over its bound) or ERR_UNSUPPORTED (another
 * record version) with the record kind in the context.
 *
 * Why it is a file of its own: store.c is about keys, batches and turns;
 * the byte layouts are easier to review (and to version) in one place.
 *
 * Encoders append to a struct bytes and return 0 or ERR_NOMEM. Everything
 * is safe from any thread on distinct arguments.
 */
#ifndef SPECTRUM_CHANNEL_STORE_CODEC_H
#define SPECTRUM_CHANNEL_STORE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "channel/channel.h"
#include "channel/fees.h"
#include "channel/store.h"
#include "util/bytes.h"

/* Channel record: [v, channel_id, token, open_block, settle_timeout,
 * reveal_timeout, state, closed_block, settled_block, closed_by_us].
 * get fills those fields of *ch only (its ends are left alone). */
int ch_codec_put_channel(struct bytes *b, const struct ch_channel *ch);
int ch_codec_get_channel(const uint8_t *p, size_t n, struct ch_channel *ch);

/* End record: [v, addr, deposit, nonce, ta, locksroot, additional_hash,
 * sig, chain_bp, chain_nonce, chain_ta, chain_locksroot]. get fills *e,
 * which must be an initialised end without locks; the proof's channel_id
 * and open_block are the caller's to set. */
int ch_codec_put_end(struct bytes *b, const struct ch_end *e);
int ch_codec_get_end(const uint8_t *p, size_t n, struct ch_end *e);

/* Lock list of an end: [v, [[expiration, amount, secret_hash, flags,
 * secret, registered_block], ...]] in tree order; flags bit 0 secret
 * known, bit 1 disposed, bit 2 unlocked on chain; secret empty when not
 * known. get appends the locks to *e (which must hold none): at most
 * CH_LOCKS_MAX, no duplicates. */
int ch_codec_put_locks(struct bytes *b, const struct ch_end *e);
int ch_codec_get_locks(const uint8_t *p, size_t n, struct ch_end *e);

/* [v, secret_hash, secret (empty when unknown), reveal_state,
 * registered_block] */
int ch_codec_put_secret(struct bytes *b, const struct ch_store_secret *s);
int ch_codec_get_secret(const uint8_t *p, size_t n, struct ch_store_secret *s);

/* [v, channel_id, open_block, by_partner, packed lock (96),
 * additional_hash, sig] */
int ch_codec_put_disposed(struct bytes *b, const struct ch_store_disposed *d);
int ch_codec_get_disposed(const uint8_t *p, size_t n, struct ch_store_disposed *d);

/* [v, partner, channel_id, open_block, nonce, packet] */
int ch_codec_put_outbox(struct bytes *b, const struct ch_store_outbox *e);
int ch_codec_get_outbox(const uint8_t *p, size_t n, struct ch_store_outbox *e);

/* [v, partner, packet] (packet <= CH_STORE_ACK_MAX bytes) */
int ch_codec_put_ack(struct bytes *b, const uint8_t partner[20], const uint8_t *packet,
                     size_t len);
int ch_codec_get_ack(const uint8_t *p, size_t n, uint8_t partner[20],
                     uint8_t packet[CH_STORE_ACK_MAX], size_t *len);

/* [v, id, token, initiator, target, channel_id, amount, fee, expiration,
 * block, status, direct, outgoing] */
int ch_codec_put_transfer(struct bytes *b, const struct ch_store_transfer *t);
int ch_codec_get_transfer(const uint8_t *p, size_t n, struct ch_store_transfer *t);

/* [v, [fee_constant, fee_percent + 2^63], [[token, [c, p]]...],
 * [[channel_id, [c, p]]...]] (fee_percent is int64: stored offset by 2^63).
 * get fills *pol, which must be an initialised policy. */
int ch_codec_put_fees(struct bytes *b, const struct ch_fee_policy *pol);
int ch_codec_get_fees(const uint8_t *p, size_t n, struct ch_fee_policy *pol);

/* Mediated transfer under way: [v, secret_hash, [role, stage, flags, block,
 * expiration_cap], [token, initiator, target, amount, fee_max], payer,
 * payee, [tried address...]] where payer and payee are [] when not set, else
 * [partner, channel_id, open_block, packed lock (96), fee]. get checks
 * role, stage and flags against their enums, at most CH_MED_TRIED_MAX tried
 * hops, a payer exactly when not the initiator, a payee exactly when not
 * the target (a disposing mediator has none), and both locks under the
 * record's secret hash; has_secret is false. */
int ch_codec_put_mediated(struct bytes *b, const struct ch_med_transfer *t);
int ch_codec_get_mediated(const uint8_t *p, size_t n, struct ch_med_transfer *t);

/* [v, value]: the schema version and the watchdog block. */
int ch_codec_put_u64(struct bytes *b, uint64_t v);
int ch_codec_get_u64(const uint8_t *p, size_t n, uint64_t *v);

#endif
