/*
 * peer_score.c — see peer_score.h. The ban list is small and checked once
 * per inbound connection, so a linear scan is the simple right answer.
 */
#include "net/peer_score.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned points;
} offences[PEER_OFFENCE_COUNT] = {
    [PEER_OFFENCE_GARBAGE] = {"garbage", PEER_SCORE_BAN},
    [PEER_OFFENCE_OVERSIZED] = {"oversized", PEER_SCORE_BAN},
    [PEER_OFFENCE_INVALID_BLOCK] = {"invalid block", PEER_SCORE_BAN},
    [PEER_OFFENCE_UNREQUESTED] = {"unrequested answer", PEER_SCORE_BAN / 4},
};

unsigned peer_offence_points(enum peer_offence o)
{
    return (unsigned)o < PEER_OFFENCE_COUNT ? offences[o].points : 0;
}

const char *peer_offence_name(enum peer_offence o)
{
    return (unsigned)o < PEER_OFFENCE_COUNT ? offences[o].name : "unknown";
}

bool peer_score_add(uint32_t *score, enum peer_offence o)
{
    uint32_t p = peer_offence_points(o);
    *score = *score > UINT32_MAX - p ? UINT32_MAX : *score + p;
    return *score >= PEER_SCORE_BAN;
}

static bool same(const struct peer_ban *b, const struct enode_endpoint *ep)
{
    return b->ip_len == ep->ip_len && !memcmp(b->ip, ep->ip, ep->ip_len);
}

/* Drops expired bans (order is not kept). */
static void expire(struct peer_banlist *b, int64_t now)
{
    for (size_t i = 0; i < b->count;) {
        if (b->items[i].until <= now)
            b->items[i] = b->items[--b->count];
        else
            i++;
    }
}

void peer_ban_add(struct peer_banlist *b, const struct enode_endpoint *ep, int64_t now,
                  int64_t seconds)
{
    if (ep->ip_len != 4 && ep->ip_len != 16)
        return;
    int64_t until = seconds > INT64_MAX - now ? INT64_MAX : now + seconds;
    expire(b, now);
    for (size_t i = 0; i < b->count; i++) {
        if (same(&b->items[i], ep)) {
            if (b->items[i].until < until)
                b->items[i].until = until;
            return;
        }
    }
    size_t slot = b->count;
    if (slot == PEER_BANS_MAX) {
        slot = 0;
        for (size_t i = 1; i < b->count; i++)
            if (b->items[i].until < b->items[slot].until)
                slot = i;
    } else {
        b->count++;
    }
    memset(&b->items[slot], 0, sizeof b->items[slot]);
    memcpy(b->items[slot].ip, ep->ip, ep->ip_len);
    b->items[slot].ip_len = ep->ip_len;
    b->items[slot].until = until;
}

bool peer_ban_check(struct peer_banlist *b, const struct enode_endpoint *ep, int64_t now,
                    int64_t *until)
{
    expire(b, now);
    for (size_t i = 0; i < b->count; i++) {
        if (same(&b->items[i], ep)) {
            if (until)
                *until = b->items[i].until;
            return true;
        }
    }
    return false;
}

size_t peer_ban_count(struct peer_banlist *b, int64_t now)
{
    expire(b, now);
    return b->count;
}
