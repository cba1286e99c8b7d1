/*
 * fuzz_p2p_msg.c — libFuzzer target for the devp2p base protocol messages
 * a peer sends right after the RLPx handshake (net/p2p_msg.h). The first
 * input byte picks the message code (low two bits: Hello, Disconnect, Ping,
 * Pong), the rest is the payload.
 *
 * Properties: nothing crashes or leaks; an accepted Hello encodes again and
 * decodes to the same fields, and capability negotiation against our eth
 * caps yields 62 or 63 or nothing; an accepted Disconnect has a reason
 * whose name is never NULL and which survives encode/decode; Ping/Pong
 * accept exactly the payloads within the size cap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/eth_msg.h"
#include "net/p2p_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_hello(const uint8_t *p, size_t n)
{
    struct p2p_hello h, again;
    if (p2p_hello_decode(p, n, &h) != 0)
        return;
    if (h.client_id_len > P2P_CLIENT_ID_MAX || h.cap_count > P2P_MAX_CAPS)
        abort();
    struct bytes out = BYTES_INIT;
    if (p2p_hello_encode(&h, &out) != 0)
        abort();
    if (p2p_hello_decode(out.data, out.len, &again) != 0)
        abort();
    if (again.version != h.version || again.listen_port != h.listen_port ||
        again.client_id_len != h.client_id_len ||
        memcmp(again.client_id, h.client_id, h.client_id_len) != 0 ||
        again.cap_count != h.cap_count || memcmp(again.node_id, h.node_id, 64) != 0)
        abort();
    for (size_t i = 0; i < h.cap_count; i++)
        if (strcmp(again.caps[i].name, h.caps[i].name) || again.caps[i].version != h.caps[i].version)
            abort();
    bytes_free(&out);

    struct p2p_cap ours[2];
    size_t nours = eth_caps(ours);
    uint64_t v;
    if (p2p_cap_negotiate(ours, nours, h.caps, h.cap_count, ETH_NAME, &v) == 0 &&
        v != ETH_VERSION_62 && v != ETH_VERSION_63)
        abort();
}

static void fuzz_disconnect(const uint8_t *p, size_t n)
{
    uint8_t reason, again;
    if (p2p_disconnect_decode(p, n, &reason) != 0)
        return;
    if (!p2p_disconnect_reason_name(reason))
        abort();
    struct bytes out = BYTES_INIT;
    if (p2p_disconnect_encode(reason, &out) != 0 ||
        p2p_disconnect_decode(out.data, out.len, &again) != 0 || again != reason)
        abort();
    bytes_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] & 3) {
    case P2P_HELLO: fuzz_hello(p, n); break;
    case P2P_DISCONNECT: fuzz_disconnect(p, n); break;
    default:
        if ((p2p_ping_decode(p, n) == 0) != (n <= P2P_MAX_MSG_SIZE))
            abort();
        break;
    }
    return 0;
}
