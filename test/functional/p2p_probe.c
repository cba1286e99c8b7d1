/*
 * p2p_probe.c — a misbehaving devp2p peer for the functional tests (never
 * installed): it dials a node on 127.0.0.1, does the RLPx handshake, Hello
 * and Status like an honest peer, then does one bad thing and reports what
 * the node did about it.
 *
 * Why it exists: the Python framework has no secp256k1, so it cannot speak
 * RLPx; this tool, built on the node's own transport code, lets a test run
 * a hostile peer against a real spectrumd process (test/functional/
 * p2p_misbehave.py) instead of only against the service in a unit test.
 *
 * Usage: p2p_probe <port> <node id hex> <mode> [block rlp hex]
 *   hello      handshake, Hello and Status, then wait; the node should keep
 *              the connection (exit 2 when it is still open after 3 s)
 *   oversized  then a message whose snappy header declares 11 MiB (over
 *              eth's 10 MiB cap)
 *   newblock   then NewBlock with the given block and a TD above the node's
 * Prints one line per step ("handshake", "hello <client id>", "status",
 * "sent", then "disconnected <reason>" or "closed" or "open"). Exit: 0 the
 * node closed the connection after the bad message; 2 it stayed open;
 * 3 it refused or dropped the connection before Status (a ban); 1 error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/ecdsa.h"
#include "net/eth_msg.h"
#include "net/p2p_msg.h"
#include "net/rlpx_session.h"
#include "net/snappy.h"
#include "util/err.h"
#include "util/hex.h"

#define WAIT_MS 10000

struct probe {
    int fd;
    struct rlpx_session s;
    uint8_t buf[1 << 16];
    size_t have, pos;
    bool v5;
};

static int flush_out(struct probe *p)
{
    size_t len;
    const uint8_t *o;
    while ((o = rlpx_session_output(&p->s, &len)) != NULL && len) {
        ssize_t n = send(p->fd, o, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        rlpx_session_drain(&p->s, (size_t)n);
    }
    return 0;
}

/* Next event; 1 when the node closed the connection, -1 on error or
 * timeout (*timed_out set). */
static int next_event(struct probe *p, struct rlpx_event *ev, int ms, bool *timed_out)
{
    *timed_out = false;
    for (;;) {
        if (p->pos < p->have) {
            size_t used;
            int rc = rlpx_session_feed(&p->s, p->buf + p->pos, p->have - p->pos, &used, ev);
            p->pos += used;
            if (rc)
                return -1;
            if (ev->type != RLPX_EVENT_NONE)
                return 0;
        }
        struct pollfd pfd = {p->fd, POLLIN, 0};
        int r = poll(&pfd, 1, ms);
        if (r == 0) {
            *timed_out = true;
            return -1;
        }
        if (r < 0)
            return -1;
        ssize_t n = recv(p->fd, p->buf, sizeof p->buf, 0);
        if (n == 0)
            return 1;
        if (n < 0)
            return errno == ECONNRESET ? 1 : -1;
        p->have = (size_t)n;
        p->pos = 0;
    }
}

static int send_msg(struct probe *p, uint64_t code, const uint8_t *payload, size_t len)
{
    int rc;
    if (p->v5 && code >= 0x10) {
        size_t cap = snappy_max_compressed_length(len), out_len;
        uint8_t *c = malloc(cap ? cap : 1);
        if (!c)
            return -1;
        rc = snappy_compress(payload, len, c, cap, &out_len);
        if (rc == 0)
            rc = rlpx_session_send(&p->s, code, c, out_len);
        free(c);
    } else {
        rc = rlpx_session_send(&p->s, code, payload, len);
    }
    return rc == 0 ? flush_out(p) : -1;
}

/* The reason of a Disconnect (snappy-compressed after a v5 Hello, like
 * every message but Hello). */
static const char *disconnect_reason(const struct probe *p, const struct rlpx_event *ev)
{
    const uint8_t *pl = ev->payload;
    size_t len = ev->payload_len;
    uint8_t *plain = NULL;
    if (p->v5 && snappy_decompress_alloc(pl, len, 64, &plain, &len) == 0)
        pl = plain;
    uint8_t reason = 0;
    int rc = p2p_disconnect_decode(pl, len, &reason);
    free(plain);
    return rc ? "(undecodable reason)" : p2p_disconnect_reason_name(reason);
}

/* Waits for the node to end the connection: 0 closed, 2 still open. */
static int await_close(struct probe *p, int ms)
{
    for (;;) {
        struct rlpx_event ev;
        bool timed_out;
        int rc = next_event(p, &ev, ms, &timed_out);
        if (rc == 1) {
            puts("closed");
            return 0;
        }
        if (rc < 0) {
            puts(timed_out ? "open" : "closed");
            return timed_out ? 2 : 0;
        }
        if (ev.type == RLPX_EVENT_MESSAGE && ev.code == P2P_DISCONNECT) {
            printf("disconnected %s\n", disconnect_reason(p, &ev));
            return 0;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s <port> <node id hex> hello|oversized|newblock [block hex]\n",
                argv[0]);
        return 1;
    }
    const char *mode = argv[3];
    uint8_t remote[64];
    if (hex_decode_exact(argv[2], strlen(argv[2]), remote, sizeof remote)) {
        fprintf(stderr, "bad node id\n");
        return 1;
    }
    uint8_t *block = NULL;
    size_t block_len = 0;
    if (strcmp(mode, "newblock") == 0) {
        if (argc < 5 ||
            hex_decode_alloc(argv[4], strlen(argv[4]), (size_t)16 << 20, &block, &block_len)) {
            fprintf(stderr, "newblock needs the block's RLP in hex\n");
            return 1;
        }
    }
    uint8_t sk[32];
    do {
        if (RAND_bytes(sk, sizeof sk) != 1)
            return 1;
    } while (!ecdsa_seckey_valid(sk));
    uint8_t pub[64];
    if (ecdsa_pubkey(sk, pub))
        return 1;

    struct probe p;
    memset(&p, 0, sizeof p);
    p.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (p.fd < 0 || connect(p.fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        puts("refused");
        return 3;
    }
    if (rlpx_session_init_initiator(&p.s, sk, remote) || flush_out(&p)) {
        puts("refused");
        return 3;
    }
    struct rlpx_event ev;
    bool timed_out;
    int rc = next_event(&p, &ev, WAIT_MS, &timed_out);
    if (rc != 0 || ev.type != RLPX_EVENT_HANDSHAKE) {
        puts("refused");
        return 3;
    }
    puts("handshake");

    struct p2p_hello h;
    memset(&h, 0, sizeof h);
    h.version = P2P_VERSION;
    h.client_id_len = (size_t)snprintf(h.client_id, sizeof h.client_id, "p2p_probe/1");
    h.cap_count = eth_caps(h.caps);
    memcpy(h.node_id, pub, 64);
    struct bytes b = BYTES_INIT;
    if (p2p_hello_encode(&h, &b) || send_msg(&p, P2P_HELLO, b.data, b.len))
        return 1;
    bytes_reset(&b);

    /* Hello, then Status (echoed back: same network, genesis, head, TD). */
    struct eth_status st;
    bool got_status = false;
    while (!got_status) {
        rc = next_event(&p, &ev, WAIT_MS, &timed_out);
        if (rc != 0) {
            puts("refused");
            return 3;
        }
        if (ev.type != RLPX_EVENT_MESSAGE)
            continue;
        if (ev.code == P2P_HELLO) {
            struct p2p_hello theirs;
            if (p2p_hello_decode(ev.payload, ev.payload_len, &theirs))
                return 1;
            p.v5 = theirs.version >= 5;
            printf("hello %s\n", theirs.client_id);
        } else if (ev.code == P2P_DISCONNECT) {
            printf("disconnected %s\n", disconnect_reason(&p, &ev));
            return 3;
        } else if (ev.code == P2P_CAP_OFFSET + ETH_STATUS) {
            const uint8_t *pl = ev.payload;
            size_t plen = ev.payload_len;
            uint8_t *plain = NULL;
            if (p.v5 && snappy_decompress_alloc(pl, plen, ETH_MAX_MSG_SIZE, &plain, &plen))
                return 1;
            if (plain)
                pl = plain;
            rc = eth_status_decode(pl, plen, &st);
            free(plain);
            if (rc)
                return 1;
            if (eth_status_encode(&st, &b) || send_msg(&p, P2P_CAP_OFFSET + ETH_STATUS, b.data,
                                                       b.len))
                return 1;
            bytes_reset(&b);
            got_status = true;
            puts("status");
        }
    }
    fflush(stdout);

    if (strcmp(mode, "hello") == 0)
        return await_close(&p, 3000);
    if (strcmp(mode, "oversized") == 0) {
        /* A snappy payload declaring 11 MiB (varint), then a few bytes: the
         * node must refuse it from the header, before inflating. */
        uint8_t msg[8] = {0x80, 0x80, 0xc0, 0x05, 0x00, 0x61, 0x62, 0x63};
        if (rlpx_session_send(&p.s, P2P_CAP_OFFSET + ETH_TRANSACTIONS, msg, sizeof msg) ||
            flush_out(&p))
            return 1;
    } else if (strcmp(mode, "newblock") == 0) {
        u256 td = st.td, one_more = u256_from_u64(1000);
        u256_add(&td, &td, &one_more);
        struct eth_raw raw = {block, block_len};
        if (eth_new_block_encode(&raw, &td, &b) ||
            send_msg(&p, P2P_CAP_OFFSET + ETH_NEW_BLOCK, b.data, b.len))
            return 1;
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 1;
    }
    puts("sent");
    fflush(stdout);
    rc = await_close(&p, WAIT_MS);
    bytes_free(&b);
    free(block);
    rlpx_session_free(&p.s);
    close(p.fd);
    return rc;
}
