/*
 * p2p_msg.c — the devp2p base protocol messages; see p2p_msg.h.
 *
 * Decoding walks the RLP by hand (rlp_iter) rather than splitting into a
 * fixed array, because a Hello may carry any number of trailing fields
 * (EIP-8) and a Disconnect comes in three shapes. Every string field is
 * copied into the fixed-size struct after its length is checked.
 */
#include "net/p2p_msg.h"

#include <string.h>

#include "primitives/rlp.h"
#include "util/err.h"

/* ---- Hello ------------------------------------------------------------------ */

int p2p_hello_encode(const struct p2p_hello *h, struct bytes *out)
{
    if (h->client_id_len > P2P_CLIENT_ID_MAX)
        return err_set(ERR_INVAL, "hello: client id of %zu bytes", h->client_id_len);
    if (h->cap_count > P2P_MAX_CAPS)
        return err_set(ERR_INVAL, "hello: %zu capabilities", h->cap_count);
    for (size_t i = 0; i < h->cap_count; i++)
        if (strnlen(h->caps[i].name, P2P_CAP_NAME_MAX + 1) > P2P_CAP_NAME_MAX)
            return err_set(ERR_INVAL, "hello: capability %zu name too long", i);
    size_t m = rlp_list_begin(out);
    rlp_put_u64(out, h->version);
    rlp_put_bytes(out, (const uint8_t *)h->client_id, h->client_id_len);
    size_t caps = rlp_list_begin(out);
    for (size_t i = 0; i < h->cap_count; i++) {
        size_t c = rlp_list_begin(out);
        rlp_put_bytes(out, (const uint8_t *)h->caps[i].name, strlen(h->caps[i].name));
        rlp_put_u64(out, h->caps[i].version);
        rlp_list_end(out, c);
    }
    rlp_list_end(out, caps);
    rlp_put_u64(out, h->listen_port);
    rlp_put_bytes(out, h->node_id, P2P_NODE_ID_LEN);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

static int decode_cap(const struct rlp_item *item, struct p2p_cap *cap, size_t i)
{
    struct rlp_item f[2];
    const uint8_t *name;
    size_t n;
    int rc = rlp_list_exact(item, f, 2);
    if (rc == 0)
        rc = rlp_get_bytes(&f[0], &name, &n);
    if (rc == 0 && n > P2P_CAP_NAME_MAX)
        rc = err_set(ERR_RANGE, "name of %zu bytes exceeds %d", n, P2P_CAP_NAME_MAX);
    if (rc == 0 && memchr(name, 0, n))
        rc = err_set(ERR_DECODE, "name holds a NUL byte");
    if (rc == 0)
        rc = rlp_get_u64(&f[1], &cap->version);
    if (rc)
        return err_wrap(rc, "hello: capability %zu", i);
    memcpy(cap->name, name, n);
    cap->name[n] = 0;
    return 0;
}

int p2p_hello_decode(const uint8_t *in, size_t len, struct p2p_hello *h)
{
    memset(h, 0, sizeof *h);
    if (len > P2P_MAX_MSG_SIZE)
        return err_set(ERR_RANGE, "hello: %zu bytes exceeds %d", len, P2P_MAX_MSG_SIZE);
    struct rlp_item list, f[5], item;
    struct rlp_iter it;
    int rc = rlp_decode(in, len, &list);
    if (rc)
        return err_wrap(rc, "hello");
    if ((rc = rlp_iter_init(&it, &list)) != 0)
        return err_wrap(rc, "hello");
    size_t n = 0;
    while ((rc = rlp_iter_next(&it, &item)) == 1)
        if (n < 5)
            f[n++] = item;      /* later fields: checked by the iterator, ignored */
    if (rc < 0)
        return err_wrap(rc, "hello");
    if (n < 5)
        return err_set(ERR_DECODE, "hello: %zu fields, expected at least 5", n);

    if ((rc = rlp_get_u64(&f[0], &h->version)) != 0)
        return err_wrap(rc, "hello: version");
    const uint8_t *id;
    size_t idlen;
    if ((rc = rlp_get_bytes(&f[1], &id, &idlen)) != 0)
        return err_wrap(rc, "hello: client id");
    if (idlen > P2P_CLIENT_ID_MAX)
        return err_set(ERR_RANGE, "hello: client id of %zu bytes exceeds %d", idlen,
                       P2P_CLIENT_ID_MAX);
    memcpy(h->client_id, id, idlen);
    h->client_id[idlen] = 0;
    h->client_id_len = idlen;

    if ((rc = rlp_iter_init(&it, &f[2])) != 0)
        return err_wrap(rc, "hello: capabilities");
    while ((rc = rlp_iter_next(&it, &item)) == 1) {
        if (h->cap_count == P2P_MAX_CAPS)
            return err_set(ERR_RANGE, "hello: more than %d capabilities", P2P_MAX_CAPS);
        if ((rc = decode_cap(&item, &h->caps[h->cap_count], h->cap_count)) != 0)
            return rc;
        h->cap_count++;
    }
    if (rc < 0)
        return err_wrap(rc, "hello: capabilities");

    if ((rc = rlp_get_u64(&f[3], &h->listen_port)) != 0)
        return err_wrap(rc, "hello: listen port");
    if ((rc = rlp_get_fixed(&f[4], h->node_id, P2P_NODE_ID_LEN)) != 0)
        return err_wrap(rc, "hello: node id");
    return 0;
}

/* ---- Disconnect ------------------------------------------------------------- */

int p2p_disconnect_encode(uint8_t reason, struct bytes *out)
{
    size_t m = rlp_list_begin(out);
    rlp_put_u64(out, reason);
    rlp_list_end(out, m);
    return bytes_ok(out);
}

/* A reason: the empty string (0), or one byte, 0x00 included. */
static int reason_of(const struct rlp_item *item, uint8_t *reason)
{
    if (item->is_list)
        return err_set(ERR_DECODE, "disconnect: the reason is a list");
    if (item->payload_len > 1)
        return err_set(ERR_RANGE, "disconnect: reason of %zu bytes", item->payload_len);
    *reason = item->payload_len ? item->payload[0] : 0;
    return 0;
}

int p2p_disconnect_decode(const uint8_t *in, size_t len, uint8_t *reason)
{
    if (len > P2P_MAX_MSG_SIZE)
        return err_set(ERR_RANGE, "disconnect: %zu bytes exceeds %d", len, P2P_MAX_MSG_SIZE);
    struct rlp_item item, first;
    int rc = rlp_decode(in, len, &item);
    if (rc)
        return err_wrap(rc, "disconnect");
    if (!item.is_list)
        return reason_of(&item, reason);
    struct rlp_iter it;
    rlp_iter_init(&it, &item);
    rc = rlp_iter_next(&it, &first);
    if (rc < 0)
        return err_wrap(rc, "disconnect");
    if (rc == 0) {
        *reason = P2P_DISC_REQUESTED;
        return 0;
    }
    return reason_of(&first, reason);
}

const char *p2p_disconnect_reason_name(unsigned reason)
{
    switch (reason) {
    case P2P_DISC_REQUESTED: return "disconnect requested";
    case P2P_DISC_NETWORK_ERROR: return "network error";
    case P2P_DISC_PROTOCOL_ERROR: return "breach of protocol";
    case P2P_DISC_USELESS_PEER: return "useless peer";
    case P2P_DISC_TOO_MANY_PEERS: return "too many peers";
    case P2P_DISC_ALREADY_CONNECTED: return "already connected";
    case P2P_DISC_INCOMPATIBLE_VERSION: return "incompatible p2p protocol version";
    case P2P_DISC_INVALID_IDENTITY: return "invalid node identity";
    case P2P_DISC_QUITTING: return "client quitting";
    case P2P_DISC_UNEXPECTED_IDENTITY: return "unexpected identity";
    case P2P_DISC_SELF: return "connected to self";
    case P2P_DISC_TIMEOUT: return "read timeout";
    case P2P_DISC_SUBPROTOCOL_ERROR: return "subprotocol error";
    default: return "unknown reason";
    }
}

/* ---- Ping / Pong ------------------------------------------------------------ */

int p2p_ping_encode(struct bytes *out)
{
    bytes_push(out, 0xc0);
    return bytes_ok(out);
}

int p2p_pong_encode(struct bytes *out)
{
    return p2p_ping_encode(out);
}

int p2p_ping_decode(const uint8_t *in, size_t len)
{
    (void)in;
    if (len > P2P_MAX_MSG_SIZE)
        return err_set(ERR_RANGE, "ping: %zu bytes exceeds %d", len, P2P_MAX_MSG_SIZE);
    return 0;
}

/* ---- capabilities ----------------------------------------------------------- */

int p2p_cap_negotiate(const struct p2p_cap *ours, size_t n_ours, const struct p2p_cap *theirs,
                      size_t n_theirs, const char *name, uint64_t *version)
{
    bool found = false;
    uint64_t best = 0;
    for (size_t i = 0; i < n_ours; i++) {
        if (strcmp(ours[i].name, name) != 0)
            continue;
        for (size_t j = 0; j < n_theirs; j++) {
            if (strcmp(theirs[j].name, name) == 0 && theirs[j].version == ours[i].version &&
                (!found || ours[i].version > best)) {
                best = ours[i].version;
                found = true;
            }
        }
    }
    if (!found)
        return err_set(ERR_NOTFOUND, "no common %s version", name);
    *version = best;
    return 0;
}
