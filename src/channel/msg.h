/*
 * msg.h — the off-chain messages of the channel protocol, byte-exact with
 * Photon (spec/photon.md §3.1–3.3): encode, decode, sign, verify.
 *
 * A packet is one UDP datagram of at most CH_PACKET_MAX bytes:
 *
 *     int16 CmdID (LE) ‖ int16 Version (LE) ‖ body
 *
 * Body integers are big-endian (nonces, block numbers, lengths, error
 * codes), amounts are u256 as 32 bytes big-endian, user data is preceded by
 * a Bitcoin CompactSize varint, error strings by an int32 length. Every
 * message but Ack ends with a 65-byte signature (sig.h: v = 27/28, low s):
 *
 *   - plain (Ping, SecretRequest, RevealSecret): over keccak256(packet
 *     without the signature);
 *   - envelope (Unlock, DirectTransfer, MediatedTransfer,
 *     RemoveExpiredHashlock, AnnounceDisposedResponse), whose body ends with
 *     the 177-byte balance proof tail u64 nonce ‖ channel_id ‖ i64 open_block
 *     ‖ u256 ta ‖ locksroot ‖ sig: the contract's BalanceProof signature
 *     with additional_hash = keccak256(packet without the signature), so
 *     the last envelope message received is the on-chain closing evidence;
 *   - AnnounceDisposed: the contract's DisposedProof signature over its
 *     lock, with the same kind of additional_hash (punish evidence);
 *   - Withdraw/Settle Request/Response: the packet is signed plainly and
 *     also carries the sender's contract signature (Withdraw or
 *     CooperativeSettle message) for the on-chain call.
 *
 * Decoding is strict, so that what decodes re-encodes to the same bytes:
 * exact lengths (nothing missing, nothing trailing), the CmdID both bytes,
 * canonical varints, user data <= CH_DATA_MAX bytes, 0 <= path_len <=
 * CH_PATH_MAX, 0 <= error length <= CH_ERRMSG_MAX, block numbers that are
 * non-negative int64, MediatedTransfer Version >= 1; like Photon's
 * checkValid, an envelope needs nonce >= 1, open_block >= 1 and a non-zero
 * channel_id. Any other Version is kept as received. The decoder reads only
 * inside the input, allocates nothing, and on error names the field in the
 * context. Decoding checks no signature: ch_msg_verify does.
 *
 * Why it is shaped this way: one tagged struct with fixed-size fields
 * (a packet is at most 1200 bytes, so every variable part has a small
 * bound) keeps messages plain values that can be copied and stored without
 * ownership rules; one table-free switch per operation keeps each layout
 * readable next to the spec's table.
 *
 * Everything here is safe from any thread on distinct messages.
 */
#ifndef SPECTRUM_CHANNEL_MSG_H
#define SPECTRUM_CHANNEL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel/locks.h"
#include "channel/sig.h"
#include "primitives/u256.h"
#include "util/bytes.h"

/* Largest packet (Photon's UDPMaxMessageSize). */
#define CH_PACKET_MAX 1200
/* Largest user attachment of RevealSecret / DirectTransfer. */
#define CH_DATA_MAX 256
/* Most hops in a MediatedTransfer path. */
#define CH_PATH_MAX 32
/* Longest error string of AnnounceDisposed and the Responses (the packet
 * limit caps it further: 987 bytes for AnnounceDisposed). */
#define CH_ERRMSG_MAX 1024
/* The 4-byte header; the 177-byte balance proof tail of envelopes. */
#define CH_HEADER_LEN 4
#define CH_ENV_LEN 177
/* Version that MediatedTransfer must carry at least (path added 2019-03). */
#define CH_MEDIATED_VERSION 1

/* CmdIDs (Photon: Ack 0, then iota*2+1). */
enum ch_cmd {
    CH_CMD_ACK = 0,
    CH_CMD_PING = 3,
    CH_CMD_SECRET_REQUEST = 5,
    CH_CMD_UNLOCK = 7,
    CH_CMD_DIRECT_TRANSFER = 9,
    CH_CMD_MEDIATED_TRANSFER = 11,
    CH_CMD_ANNOUNCE_DISPOSED = 13,
    CH_CMD_REVEAL_SECRET = 15,
    CH_CMD_REMOVE_EXPIRED_LOCK = 17,
    CH_CMD_SETTLE_REQUEST = 19,
    CH_CMD_SETTLE_RESPONSE = 21,
    CH_CMD_WITHDRAW_REQUEST = 23,
    CH_CMD_WITHDRAW_RESPONSE = 25,
    CH_CMD_ANNOUNCE_DISPOSED_RESPONSE = 27,
};

/* Ack (56 bytes): the acker's address and keccak256(packet ‖ acker). */
struct ch_ack {
    uint8_t sender[20];
    uint8_t echo[32];
};

/* Ping (77 bytes). */
struct ch_ping {
    int64_t nonce;
};

/* SecretRequest (133 bytes): target → initiator. */
struct ch_secret_request {
    uint8_t secret_hash[32];
    u256 amount;                    /* payment_amount the target expects */
};

/* RevealSecret (4 + 32 + varint + data + 65 bytes). */
struct ch_reveal_secret {
    uint8_t secret[32];
    size_t data_len;                /* <= CH_DATA_MAX */
    uint8_t data[CH_DATA_MAX];
};

/* Unlock (213 bytes): secret ‖ envelope. */
struct ch_unlock {
    uint8_t secret[32];
    struct ch_bp bp;
};

/* DirectTransfer (4 + varint + data + 177 bytes). */
struct ch_direct_transfer {
    size_t data_len;                /* <= CH_DATA_MAX */
    uint8_t data[CH_DATA_MAX];
    struct ch_bp bp;
};

/* MediatedTransfer (329 + 20·path_len bytes). The lock's expiration is the
 * i64 expiration field, its amount the payment_amount. */
struct ch_mediated_transfer {
    struct ch_lock lock;
    uint8_t target[20];
    uint8_t initiator[20];
    u256 fee;                       /* remaining fee budget */
    size_t path_len;                /* <= CH_PATH_MAX */
    uint8_t path[CH_PATH_MAX][20];  /* first hop .. target */
    struct ch_bp bp;
};

/* RemoveExpiredHashlock and AnnounceDisposedResponse (213 bytes each):
 * secret_hash ‖ envelope. */
struct ch_lock_removal {
    uint8_t secret_hash[32];
    struct ch_bp bp;
};

/* AnnounceDisposed (213 + error_len bytes). The lock travels in its 96-byte
 * packed form (expiration as u256). */
struct ch_announce_disposed {
    struct ch_lock lock;
    uint8_t channel_id[32];
    uint64_t open_block;
    int32_t error_code;
    size_t error_len;                       /* <= CH_ERRMSG_MAX */
    char error_msg[CH_ERRMSG_MAX + 1];      /* NUL-terminated copy */
};

/* WithdrawRequest (278 bytes) / WithdrawResponse (286 + error_len bytes).
 * contract_sig is p1's Withdraw signature in a request, p2's (over the
 * same p1 values) in a response; error fields exist only in a response. */
struct ch_withdraw {
    uint8_t channel_id[32];
    uint64_t open_block;
    uint8_t p1[20];                 /* the participant withdrawing */
    uint8_t p2[20];
    u256 p1_balance;
    u256 p1_withdraw;
    uint8_t contract_sig[CH_SIG_LEN];
    int32_t error_code;
    size_t error_len;
    char error_msg[CH_ERRMSG_MAX + 1];
};

/* SettleRequest (278 bytes) / SettleResponse (286 + error_len bytes):
 * cooperative settle. contract_sig is p1's CooperativeSettle signature in
 * a request, p2's in a response. */
struct ch_settle {
    uint8_t channel_id[32];
    uint64_t open_block;
    uint8_t p1[20];
    u256 p1_balance;
    uint8_t p2[20];
    u256 p2_balance;
    uint8_t contract_sig[CH_SIG_LEN];
    int32_t error_code;
    size_t error_len;
    char error_msg[CH_ERRMSG_MAX + 1];
};

/* One message. `cmd` selects the member of `u`:
 *   ACK ack, PING ping, SECRET_REQUEST secret_request, REVEAL_SECRET
 *   reveal_secret, UNLOCK unlock, DIRECT_TRANSFER direct, MEDIATED_TRANSFER
 *   mediated, REMOVE_EXPIRED_LOCK and ANNOUNCE_DISPOSED_RESPONSE removal,
 *   ANNOUNCE_DISPOSED disposed, WITHDRAW_* withdraw, SETTLE_* settle.
 * `sig` is the packet's final signature (unused for Ack). */
struct ch_msg {
    uint16_t cmd;                   /* enum ch_cmd */
    int16_t version;                /* header Version */
    union {
        struct ch_ack ack;
        struct ch_ping ping;
        struct ch_secret_request secret_request;
        struct ch_reveal_secret reveal_secret;
        struct ch_unlock unlock;
        struct ch_direct_transfer direct;
        struct ch_mediated_transfer mediated;
        struct ch_lock_removal removal;
        struct ch_announce_disposed disposed;
        struct ch_withdraw withdraw;
        struct ch_settle settle;
    } u;
    uint8_t sig[CH_SIG_LEN];
};

/* Static name of a CmdID ("MediatedTransfer"), or "unknown". */
const char *ch_cmd_name(int cmd);

/* True when cmd is one of enum ch_cmd. */
bool ch_cmd_known(int cmd);

/* True for the five envelope (balance-proof-carrying) commands. */
bool ch_cmd_is_envelope(int cmd);

/* Zeroes *m and sets cmd and the Version Photon writes for it
 * (CH_MEDIATED_VERSION for MediatedTransfer, 0 otherwise).
 * Returns: 0, or ERR_INVAL for an unknown cmd (*m is zeroed anyway). */
int ch_msg_init(struct ch_msg *m, int cmd);

/* The balance proof of an envelope message, or NULL for other commands. */
const struct ch_bp *ch_msg_bp(const struct ch_msg *m);
struct ch_bp *ch_msg_bp_mut(struct ch_msg *m);

/* Appends the packet bytes of m (signature included) to out.
 * Returns: 0; ERR_INVAL for an unknown cmd, a MediatedTransfer Version
 *          below 1, an envelope with nonce 0, open_block 0 or a zero
 *          channel_id; ERR_RANGE for a length over its bound, a block
 *          number above CH_BLOCK_MAX, a packet over CH_PACKET_MAX;
 *          ERR_NOMEM. Context names the field. On error out is unchanged
 *          (but for ERR_NOMEM, which leaves out->oom set). */
int ch_msg_encode(const struct ch_msg *m, struct bytes *out);

/* As ch_msg_encode, into a caller buffer of cap bytes (CH_PACKET_MAX is
 * always enough). Returns as ch_msg_encode, ERR_RANGE when cap is short. */
int ch_msg_encode_buf(const struct ch_msg *m, uint8_t *out, size_t cap, size_t *len);

/* Decodes one packet of any command (dispatching on its CmdID).
 * Returns: 0; ERR_DECODE for a malformed packet (truncated, trailing bytes,
 *          non-canonical varint, negative count or length, negative block
 *          number, envelope nonce/open_block/channel_id zero, MediatedTransfer
 *          Version < 1); ERR_RANGE for a packet over CH_PACKET_MAX or a
 *          data / path / error length over its bound; ERR_UNSUPPORTED for
 *          an unknown CmdID.
 *          Context names the message and the field. *out is unspecified on
 *          error.
 * In: p (len bytes; may be NULL when len is 0). */
int ch_msg_decode(const uint8_t *p, size_t len, struct ch_msg *out);

/* additional_hash = keccak256(packet of m without its final signature):
 * the hash an envelope / AnnounceDisposed signature covers.
 * Returns: 0, the errors of ch_msg_encode, or ERR_INVAL for an Ack. */
int ch_msg_additional_hash(const struct ch_msg *m, uint8_t out[32]);

/* Signs m with sk, filling m->sig (and, for Withdraw/Settle messages,
 * m->u.*.contract_sig first, which the packet signature then covers).
 * chain_id is the one of §1 (TokensNetwork.chain_id); plain messages do not
 * use it (may then be NULL).
 * Returns: 0; ERR_INVAL for an Ack, or a Withdraw/Settle message whose
 *          signing participant (p1 in a request, p2 in a response) is not
 *          sk's address; the errors of ch_msg_encode; ERR_CRYPTO for an
 *          invalid key. */
int ch_msg_sign(struct ch_msg *m, const uint8_t sk[32], const u256 *chain_id);

/* Verifies m's signature(s) and returns the signer. For Withdraw/Settle
 * messages the signer must be p1 (request) or p2 (response) and the
 * contract signature must recover to that same address. The caller checks
 * that the signer is whom it expects (the channel partner, the target...).
 * Returns: 0; ERR_CRYPTO when a signature does not recover or names the
 *          wrong participant; ERR_INVAL for an Ack or a NULL chain_id where
 *          one is needed; the errors of ch_msg_encode.
 * Out: signer (20 bytes; may be NULL). */
int ch_msg_verify(const struct ch_msg *m, const u256 *chain_id, uint8_t signer[20]);

/* echo = keccak256(packet ‖ receiver): what the receiver of a packet puts
 * in its Ack, and what the sender waits for.
 * In: packet (len bytes, the raw datagram), receiver (the acker's address). */
void ch_msg_ack_echo(const uint8_t *packet, size_t len, const uint8_t receiver[20],
                     uint8_t echo[32]);

/* Fills *ack as the Ack that `me` sends for a received packet. */
void ch_msg_make_ack(const uint8_t *packet, size_t len, const uint8_t me[20], struct ch_msg *ack);

#endif
