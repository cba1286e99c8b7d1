/*
 * wsproto.h — the WebSocket protocol (RFC 6455) without sockets: the opening
 * handshake, frame headers, and a reader that turns received bytes into
 * messages and control frames.
 *
 * Kept apart from ws.c (connections, libevent) so that everything that
 * reads a client's bytes is a pure function the unit tests and the fuzz
 * target can drive directly.
 *
 * The reader enforces what a server must: client frames are masked, RSV bits
 * are zero (no extensions are negotiated), opcodes are known, control frames
 * are final and at most 125 bytes, continuation frames only continue a
 * message, a message (all its fragments) is at most max_message bytes and at
 * most max_fragments frames, text is valid UTF-8, and close frames carry a
 * valid code. A violation is a negative close code (-1002, -1007, -1009)
 * after which the connection must be closed with that code.
 */
#ifndef SPECTRUM_RPC_WSPROTO_H
#define SPECTRUM_RPC_WSPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"

enum ws_opcode {
    WS_OP_CONT = 0x0,
    WS_OP_TEXT = 0x1,
    WS_OP_BINARY = 0x2,
    WS_OP_CLOSE = 0x8,
    WS_OP_PING = 0x9,
    WS_OP_PONG = 0xA,
};

enum ws_close_code {
    WS_CLOSE_NORMAL = 1000,
    WS_CLOSE_GOING_AWAY = 1001,
    WS_CLOSE_PROTOCOL = 1002,
    WS_CLOSE_NO_STATUS = 1005,      /* never sent: a close without a code */
    WS_CLOSE_BAD_DATA = 1007,
    WS_CLOSE_POLICY = 1008,
    WS_CLOSE_TOO_BIG = 1009,
    WS_CLOSE_INTERNAL = 1011,
};

#define WS_HANDSHAKE_MAX 16384      /* bytes of request line and headers */
#define WS_ACCEPT_SIZE 29           /* base64(SHA-1) + NUL */
#define WS_HEADER_MAX 14            /* largest frame header */
#define WS_CONTROL_MAX 125

/* ---- handshake ---------------------------------------------------------- */

struct ws_handshake {
    char key[32];                   /* Sec-WebSocket-Key as sent */
    char origin[256];               /* "" when absent */
    char authorization[2048];       /* "" when absent */
    int status;                     /* 0: accept; else the HTTP status to refuse with */
    const char *reason;             /* why, when status != 0 (static text) */
};

/* Parses a handshake request: the bytes up to and including the blank line
 * (at most WS_HANDSHAKE_MAX). Always fills hs; hs->status says whether to
 * upgrade (0) or refuse: 405 (not GET), 426 (Sec-WebSocket-Version is not
 * 13; answer with "Sec-WebSocket-Version: 13"), 400 (anything else
 * malformed or missing), 431 (a header value too long). */
void ws_parse_handshake(const char *req, size_t len, struct ws_handshake *hs);

/* Sec-WebSocket-Accept for a client key: base64(SHA-1(key ||
 * "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")). Returns 0 or ERR_CRYPTO. */
int ws_accept_key(const char *key, char out[WS_ACCEPT_SIZE]);

/* ---- frames -------------------------------------------------------------- */

/* Writes a frame header (FIN set when fin) for a payload of len bytes,
 * masked with mask when it is not NULL (clients mask, servers do not).
 * Returns the header length (2 to 14). */
size_t ws_frame_header(uint8_t out[WS_HEADER_MAX], int opcode, bool fin, uint64_t len,
                       const uint8_t mask[4]);

/* The full size (header and payload) of the frame starting at buf, or 0
 * when buf[0..len) does not yet hold its whole header. Saturates at
 * SIZE_MAX. */
size_t ws_frame_total(const uint8_t *buf, size_t len);

/* XORs n bytes with the mask, starting at mask position `offset`. */
void ws_mask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], size_t offset);

/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool ws_utf8_valid(const uint8_t *s, size_t n);

/* ---- reader -------------------------------------------------------------- */

enum ws_event {
    WS_NEED_MORE = 0,   /* nothing consumed: wait for more bytes */
    WS_FRAGMENT,        /* a data frame was consumed; the message is not complete */
    WS_MESSAGE,         /* r->msg holds a complete message of type r->msg_opcode */
    WS_PING,            /* r->control holds the payload to echo in a pong */
    WS_PONG,
    WS_CLOSE,           /* the peer closes: r->close_code (WS_CLOSE_NO_STATUS if none) */
};

struct ws_reader {
    size_t max_message;             /* bytes per message, all fragments */
    size_t max_fragments;
    bool require_mask;              /* true on a server */
    /* message being assembled */
    bool in_message;
    int msg_opcode;
    size_t nfrag;
    struct bytes msg;
    /* last control frame */
    uint8_t control[WS_CONTROL_MAX];
    size_t control_len;
    uint16_t close_code;
};

/* Sets the limits; the rest starts empty. */
void ws_reader_init(struct ws_reader *r, size_t max_message, size_t max_fragments,
                    bool require_mask);

/* Consumes at most one frame from buf[0..len) (*used: bytes consumed; 0 with
 * WS_NEED_MORE). Returns a ws_event, or a negative close code on a
 * violation: -1002 (protocol), -1007 (text not UTF-8), -1009 (too big), or
 * -1011 when memory runs out. After WS_MESSAGE the caller may take r->msg
 * (e.g. bytes_steal); the next data frame starts a new message. */
int ws_read(struct ws_reader *r, const uint8_t *buf, size_t len, size_t *used);

/* Frees the message buffer. */
void ws_reader_free(struct ws_reader *r);

#endif
