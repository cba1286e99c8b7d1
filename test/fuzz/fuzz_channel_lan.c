/*
 * fuzz_channel_lan.c — libFuzzer target for the LAN discovery beacon
 * (channel/lan.h): datagrams any host on the LAN can send to the beacon
 * port.
 *
 * The input is judged twice: by ch_lan_beacon_decode alone, and by a
 * ch_lan_filter at a clock and source taken from the first input bytes (so
 * the rate, freshness and replay paths are reached too), then the same
 * datagram again (a replay).
 *
 * Properties:
 *   1. nothing crashes, reads outside the input or leaks;
 *   2. only a datagram of exactly CH_LAN_BEACON_LEN bytes decodes, and a
 *      decoded beacon has a non-zero port;
 *   3. the filter accepts only what decodes, with the same fields, and never
 *      accepts the same datagram twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/lan.h"
#include "crypto/ecdsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ch_lan_filter filter;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (ecdsa_init() != 0)
            abort();
        ready = 1;
    }
    struct ch_lan_beacon b;
    memset(&b, 0, sizeof b);
    int rc = ch_lan_beacon_decode(data, size, &b);
    if (rc == 0 && (size != CH_LAN_BEACON_LEN || b.port == 0))
        abort();

    /* the filter, at the beacon's own time when it decoded (so it is fresh) */
    ch_lan_filter_init(&filter);
    uint32_t src = size >= 4 ? (uint32_t)data[size - 1] << 24 | (uint32_t)data[size - 2] << 16 |
                                   (uint32_t)data[size - 3] << 8 | data[size - 4]
                             : 0x0100007fu;
    uint64_t now = rc == 0 ? b.time_ms : 1000000;
    struct ch_lan_beacon got;
    memset(&got, 0, sizeof got);
    enum ch_lan_verdict v = ch_lan_filter_check(&filter, data, size, src, now, &got);
    if (v == CH_LAN_ACCEPT) {
        if (rc != 0 || memcmp(got.addr, b.addr, 20) != 0 || got.port != b.port ||
            got.time_ms != b.time_ms)
            abort();
        if (ch_lan_filter_check(&filter, data, size, src, now, &got) == CH_LAN_ACCEPT)
            abort();
    }
    return 0;
}
