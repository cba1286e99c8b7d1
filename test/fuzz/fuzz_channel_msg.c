/*
 * fuzz_channel_msg.c — libFuzzer target for the channel protocol's packet
 * decoder (channel/msg.h), the bytes a hub reads from any UDP peer.
 *
 * The first input byte picks one of the 14 message types; the packet is
 * that type's CmdID (2 bytes, little-endian) followed by the rest of the
 * input, so every decoder sees arbitrary bodies (and versions) instead of
 * mostly "unknown command". The raw input is also decoded as is, to cover
 * the dispatch on the header.
 *
 * Properties, for both packets:
 *   1. ch_msg_decode never crashes, never reads outside the input and
 *      leaks nothing;
 *   2. what decodes re-encodes to exactly the same bytes (the decoder is
 *      strict: one encoding per message);
 *   3. ch_msg_bp is non-NULL exactly for envelope commands, and a decoded
 *      message hashes (additional_hash) and verifies without crashing; a
 *      signature that verifies recovers to some address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t CMDS[14] = {
    CH_CMD_ACK, CH_CMD_PING, CH_CMD_SECRET_REQUEST, CH_CMD_UNLOCK, CH_CMD_DIRECT_TRANSFER,
    CH_CMD_MEDIATED_TRANSFER, CH_CMD_ANNOUNCE_DISPOSED, CH_CMD_REVEAL_SECRET,
    CH_CMD_REMOVE_EXPIRED_LOCK, CH_CMD_SETTLE_REQUEST, CH_CMD_SETTLE_RESPONSE,
    CH_CMD_WITHDRAW_REQUEST, CH_CMD_WITHDRAW_RESPONSE, CH_CMD_ANNOUNCE_DISPOSED_RESPONSE,
};

static void check(const uint8_t *pkt, size_t len)
{
    struct ch_msg m;
    if (ch_msg_decode(pkt, len, &m) != 0)
        return;
    if (len > CH_PACKET_MAX)
        abort();
    uint8_t out[CH_PACKET_MAX];
    size_t n;
    if (ch_msg_encode_buf(&m, out, sizeof out, &n) != 0 || n != len || memcmp(out, pkt, len) != 0)
        abort();
    if ((ch_msg_bp(&m) != NULL) != ch_cmd_is_envelope(m.cmd))
        abort();
    if (m.cmd == CH_CMD_ACK)
        return;
    uint8_t ah[32], who[20];
    if (ch_msg_additional_hash(&m, ah) != 0)
        abort();
    u256 chain_id = u256_from_u64(3);
    (void)ch_msg_verify(&m, &chain_id, who);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    check(data, size);
    /* The heap copy lets ASan catch a read one byte past the packet. */
    uint8_t *pkt = malloc(size + 1);
    if (!pkt)
        return 0;
    uint16_t cmd = CMDS[data[0] % 14];
    pkt[0] = (uint8_t)cmd;
    pkt[1] = (uint8_t)(cmd >> 8);
    memcpy(pkt + 2, data + 1, size - 1);
    check(pkt, size + 1);
    free(pkt);
    return 0;
}
