/*
 * events.c — the log decoder of events.h.
 *
 * One table row per event: its signature, its emitter, the type of its one
 * indexed parameter and the types of its data words. The decoder finds the
 * row by (emitter, keccak(signature)), checks the shape against the row with
 * abi.c's strict word decoding, then copies the values into the event's
 * member. Topic hashes are computed per call (a keccak of < 80 bytes per
 * row) so there is no lazily initialised state.
 */
#include "channel/events.h"

#include <string.h>

#include "channel/abi.h"
#include "channel/balance.h"
#include "util/err.h"

enum emitter { TN, SR };

struct row {
    enum ch_event_kind kind;
    enum emitter from;
    const char *sig;
    enum abi_type indexed;          /* the one indexed parameter */
    size_t ndata;
    enum abi_type data[4];
};

static const struct row rows[] = {
    {CH_EV_TOKEN_NETWORK_CREATED, TN, "TokenNetworkCreated(address)", ABI_ADDRESS, 0, {0}},
    {CH_EV_OPENED, TN, "ChannelOpenedAndDeposit(address,address,address,uint64,uint256)",
     ABI_ADDRESS, 4, {ABI_ADDRESS, ABI_ADDRESS, ABI_UINT64, ABI_UINT256}},
    {CH_EV_NEW_DEPOSIT, TN, "ChannelNewDeposit(bytes32,address,uint256)", ABI_BYTES32, 2,
     {ABI_ADDRESS, ABI_UINT256}},
    {CH_EV_CLOSED, TN, "ChannelClosed(bytes32,address,bytes32,uint256)", ABI_BYTES32, 3,
     {ABI_ADDRESS, ABI_BYTES32, ABI_UINT256}},
    {CH_EV_UNLOCKED, TN, "ChannelUnlocked(bytes32,address,bytes32,uint256)", ABI_BYTES32, 3,
     {ABI_ADDRESS, ABI_BYTES32, ABI_UINT256}},
    {CH_EV_BALANCE_PROOF_UPDATED, TN, "BalanceProofUpdated(bytes32,address,bytes32,uint256)",
     ABI_BYTES32, 3, {ABI_ADDRESS, ABI_BYTES32, ABI_UINT256}},
    {CH_EV_PUNISHED, TN, "ChannelPunished(bytes32,address)", ABI_BYTES32, 1, {ABI_ADDRESS}},
    {CH_EV_SETTLED, TN, "ChannelSettled(bytes32,uint256,uint256)", ABI_BYTES32, 2,
     {ABI_UINT256, ABI_UINT256}},
    {CH_EV_COOPERATIVE_SETTLED, TN, "ChannelCooperativeSettled(bytes32,uint256,uint256)",
     ABI_BYTES32, 2, {ABI_UINT256, ABI_UINT256}},
    {CH_EV_WITHDRAW, TN, "ChannelWithdraw(bytes32,address,uint256,address,uint256)", ABI_BYTES32,
     4, {ABI_ADDRESS, ABI_UINT256, ABI_ADDRESS, ABI_UINT256}},
    {CH_EV_SECRET_REVEALED, SR, "SecretRevealed(bytes32)", ABI_BYTES32, 0, {0}},
};

#define NROWS (sizeof rows / sizeof rows[0])

const char *ch_event_signature(enum ch_event_kind kind)
{
    for (size_t i = 0; i < NROWS; i++)
        if (rows[i].kind == kind)
            return rows[i].sig;
    return NULL;
}

static void fill(const struct row *r, const struct abi_value *ix, const struct abi_value *d,
                 const uint8_t tokens_network[20], struct ch_event *ev)
{
    switch (r->kind) {
    case CH_EV_TOKEN_NETWORK_CREATED:
        memcpy(ev->u.token_network_created.token, ix->v.addr, 20);
        break;
    case CH_EV_OPENED:
        memcpy(ev->u.opened.token, ix->v.addr, 20);
        memcpy(ev->u.opened.participant, d[0].v.addr, 20);
        memcpy(ev->u.opened.partner, d[1].v.addr, 20);
        ev->u.opened.settle_timeout = d[2].v.u64;
        ev->u.opened.deposit = d[3].v.u256;
        ch_channel_id(d[0].v.addr, d[1].v.addr, ix->v.addr, tokens_network, ev->channel_id);
        break;
    case CH_EV_NEW_DEPOSIT:
        memcpy(ev->u.new_deposit.participant, d[0].v.addr, 20);
        ev->u.new_deposit.total_deposit = d[1].v.u256;
        break;
    case CH_EV_CLOSED:
        memcpy(ev->u.closed.closing, d[0].v.addr, 20);
        memcpy(ev->u.closed.locksroot, d[1].v.b32, 32);
        ev->u.closed.transferred_amount = d[2].v.u256;
        break;
    case CH_EV_UNLOCKED:
        memcpy(ev->u.unlocked.payer, d[0].v.addr, 20);
        memcpy(ev->u.unlocked.lockhash, d[1].v.b32, 32);
        ev->u.unlocked.transferred_amount = d[2].v.u256;
        break;
    case CH_EV_BALANCE_PROOF_UPDATED:
        memcpy(ev->u.bp_updated.participant, d[0].v.addr, 20);
        memcpy(ev->u.bp_updated.locksroot, d[1].v.b32, 32);
        ev->u.bp_updated.transferred_amount = d[2].v.u256;
        break;
    case CH_EV_PUNISHED:
        memcpy(ev->u.punished.beneficiary, d[0].v.addr, 20);
        break;
    case CH_EV_SETTLED:
    case CH_EV_COOPERATIVE_SETTLED:
        ev->u.settled.p1_amount = d[0].v.u256;
        ev->u.settled.p2_amount = d[1].v.u256;
        break;
    case CH_EV_WITHDRAW:
        memcpy(ev->u.withdraw.p1, d[0].v.addr, 20);
        ev->u.withdraw.p1_balance = d[1].v.u256;
        memcpy(ev->u.withdraw.p2, d[2].v.addr, 20);
        ev->u.withdraw.p2_balance = d[3].v.u256;
        break;
    case CH_EV_SECRET_REVEALED:
        memcpy(ev->u.secret_revealed.secret, ix->v.b32, 32);
        break;
    default:
        break;
    }
    if (r->indexed == ABI_BYTES32 && r->kind != CH_EV_SECRET_REVEALED)
        memcpy(ev->channel_id, ix->v.b32, 32);
}

int ch_event_decode(const uint8_t tokens_network[20], const uint8_t secret_registry[20],
                    const struct log *log, struct ch_event *ev)
{
    memset(ev, 0, sizeof *ev);
    enum emitter from;
    if (memcmp(log->address.b, tokens_network, 20) == 0)
        from = TN;
    else if (memcmp(log->address.b, secret_registry, 20) == 0)
        from = SR;
    else {
        ev->kind = CH_EV_FOREIGN;
        return 0;
    }
    ev->kind = CH_EV_UNKNOWN;
    if (log->topic_count == 0 || !log->topics)
        return 0;
    const struct row *r = NULL;
    for (size_t i = 0; i < NROWS && !r; i++) {
        if (rows[i].from != from)
            continue;
        uint8_t t[32];
        abi_event_topic(rows[i].sig, t);
        if (memcmp(t, log->topics[0].b, 32) == 0)
            r = &rows[i];
    }
    if (!r)
        return 0;
    if (log->topic_count != 2)
        return err_set(ERR_DECODE, "%s: %zu topics, declared 2", r->sig, log->topic_count);
    struct abi_value ix, d[4];
    int rc = abi_decode_word(log->topics[1].b, r->indexed, &ix);
    if (rc)
        return err_wrap(rc, "%s: indexed topic", r->sig);
    if (log->data_len && !log->data)
        return err_set(ERR_DECODE, "%s: data missing", r->sig);
    rc = abi_decode(log->data, log->data_len, r->data, r->ndata, d);
    if (rc)
        return err_wrap(rc, "%s: data", r->sig);
    ev->kind = r->kind;
    fill(r, &ix, d, tokens_network, ev);
    return 0;
}
