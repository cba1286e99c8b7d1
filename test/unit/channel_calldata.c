/*
 * channel_calldata.c — a test tool (not installed) that exposes contract.h and
 * events.h on stdin / stdout, so test/contracts/channel_chain.test.mjs can
 * run call data built by spectrumd's C code against the committed
 * TokensNetwork bytecode in the JS EVM harness, and feed the logs and
 * return data of those runs back to the C decoders.
 *
 * Protocol: one command per input line, words separated by spaces; one
 * output line per command: the call data as 0x hex, a JSON object for the
 * decoders, or "error: <reason>". Addresses, bytes32 and byte strings are
 * 0x hex ("0x" alone is empty bytes, "-" a missing optional value);
 * numbers are decimal or 0x hex.
 *
 *   deposit TOKEN PARTICIPANT PARTNER AMOUNT TIMEOUT
 *   prepareSettle TOKEN PARTNER TA LOCKSROOT NONCE ADDHASH SIG|-
 *   updateBalanceProof TOKEN PARTNER TA LOCKSROOT NONCE ADDHASH SIG
 *   updateBalanceProofDelegate TOKEN PARTNER PARTICIPANT TA LOCKSROOT NONCE ADDHASH PSIG SIG
 *   unlock TOKEN PARTNER TA EXPIRATION AMOUNT SECRETHASH PROOF
 *   unlockDelegate TOKEN PARTNER PARTICIPANT TA EXPIRATION AMOUNT SECRETHASH PROOF SIG
 *   punishObsoleteUnlock TOKEN BENEFICIARY CHEATER LOCKHASH ADDHASH SIG
 *   settle TOKEN P1 TA1 ROOT1 P2 TA2 ROOT2
 *   cooperativeSettle TOKEN P1 B1 P2 B2 SIG1 SIG2
 *   withDraw TOKEN PARTICIPANT PARTNER BALANCE WITHDRAW SIG1 SIG2
 *   registerSecret SECRET
 *   buyAndTransfer PARTICIPANT PARTNER TIMEOUT
 *   approve SPENDER VALUE | transfer223 TO VALUE DATA | approveAndCall SPENDER VALUE DATA
 *   depositData PARTICIPANT PARTNER TIMEOUT
 *   getChannelInfo TOKEN P1 P2 | getChannelParticipantInfo TOKEN P PARTNER
 *   queryUnlockedLocks TOKEN P PARTNER LOCKHASH | chain_id | secret_registry
 *   getSecretRevealBlockHeight SECRETHASH
 *   ret.channelInfo HEX | ret.participantInfo HEX | ret.unlocked HEX
 *   ret.revealBlock HEX | ret.chainId HEX | ret.secretRegistry HEX
 *   event TN SR EMITTER TOPIC,TOPIC,... DATA      (TOPICS "-" for none)
 *
 * Why it is shaped this way: a line protocol lets one process serve a whole
 * test file, and keeps the JS side free of any knowledge of the C structs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/contract.h"
#include "channel/events.h"
#include "util/err.h"
#include "util/hex.h"

#define MAXW 16
#define MAXBYTES 4096

struct args {
    char *w[MAXW];
    int n;
    int bad;        /* a parse failed */
};

static void fail(struct args *a, const char *what)
{
    if (!a->bad)
        fprintf(stdout, "error: bad %s\n", what);
    a->bad = 1;
}

static void addr(struct args *a, int i, uint8_t out[20])
{
    memset(out, 0, 20);
    if (i >= a->n || hex_decode_exact(a->w[i], strlen(a->w[i]), out, 20))
        fail(a, "address");
}

static void b32(struct args *a, int i, uint8_t out[32])
{
    memset(out, 0, 32);
    if (i >= a->n || hex_decode_exact(a->w[i], strlen(a->w[i]), out, 32))
        fail(a, "bytes32");
}

static void num(struct args *a, int i, u256 *out)
{
    *out = u256_from_u64(0);
    if (i >= a->n) {
        fail(a, "number");
        return;
    }
    const char *s = a->w[i];
    size_t len = strlen(s);
    int rc = (len > 2 && s[0] == '0' && s[1] == 'x') ? u256_from_hex(out, s, len)
                                                      : u256_from_dec(out, s, len);
    if (rc)
        fail(a, "number");
}

static uint64_t num64(struct args *a, int i)
{
    u256 x;
    num(a, i, &x);
    uint64_t v = 0;
    if (!a->bad && u256_to_u64_checked(&v, &x))
        fail(a, "u64");
    return v;
}

/* Byte string; returns its length, buf holds MAXBYTES. */
static size_t bytes_arg(struct args *a, int i, uint8_t *buf)
{
    size_t n = 0;
    if (i >= a->n || hex_decode(a->w[i], strlen(a->w[i]), buf, MAXBYTES, &n))
        fail(a, "bytes");
    return n;
}

static void sig(struct args *a, int i, uint8_t out[CH_SIG_LEN])
{
    memset(out, 0, CH_SIG_LEN);
    if (i >= a->n || hex_decode_exact(a->w[i], strlen(a->w[i]), out, CH_SIG_LEN))
        fail(a, "signature");
}

static void print_hex(const char *key, const uint8_t *p, size_t n, int comma)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        exit(2);
    hex_encode(s, p, n);
    printf("%s\"%s\":\"0x%s\"", comma ? "," : "", key, s);
    free(s);
}

static void print_num(const char *key, const u256 *x)
{
    char d[U256_DEC_BUF];
    u256_to_dec(x, d);
    printf(",\"%s\":\"%s\"", key, d);
}

static void print_u64(const char *key, uint64_t v)
{
    printf(",\"%s\":\"%llu\"", key, (unsigned long long)v);
}

static const char *kind_name(enum ch_event_kind k)
{
    static const char *const names[CH_EV_KIND_COUNT] = {
        "foreign", "unknown", "TokenNetworkCreated", "ChannelOpenedAndDeposit",
        "ChannelNewDeposit", "ChannelClosed", "ChannelUnlocked", "BalanceProofUpdated",
        "ChannelPunished", "ChannelSettled", "ChannelCooperativeSettled", "ChannelWithdraw",
        "SecretRevealed",
    };
    return (unsigned)k < CH_EV_KIND_COUNT ? names[k] : "?";
}

static int event_cmd(struct args *a)
{
    uint8_t tn[20], sr[20];
    struct log l;
    memset(&l, 0, sizeof l);
    addr(a, 1, tn);
    addr(a, 2, sr);
    addr(a, 3, l.address.b);
    struct hash32 topics[8];
    size_t nt = 0;
    if (a->n > 4 && strcmp(a->w[4], "-") != 0) {
        char *save = NULL;
        for (char *t = strtok_r(a->w[4], ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (nt >= 8 || hex_decode_exact(t, strlen(t), topics[nt].b, 32)) {
                fail(a, "topic");
                break;
            }
            nt++;
        }
    }
    static uint8_t data[MAXBYTES];
    size_t dlen = bytes_arg(a, 5, data);
    if (a->bad)
        return 0;
    l.topics = nt ? topics : NULL;
    l.topic_count = nt;
    l.data = dlen ? data : NULL;
    l.data_len = dlen;
    struct ch_event ev;
    int rc = ch_event_decode(tn, sr, &l, &ev);
    if (rc) {
        printf("error: %s\n", err_msg());
        return 0;
    }
    printf("{\"kind\":\"%s\"", kind_name(ev.kind));
    if (ev.kind >= CH_EV_OPENED && ev.kind <= CH_EV_WITHDRAW)
        print_hex("channel_id", ev.channel_id, 32, 1);
    switch (ev.kind) {
    case CH_EV_TOKEN_NETWORK_CREATED:
        print_hex("token", ev.u.token_network_created.token, 20, 1);
        break;
    case CH_EV_OPENED:
        print_hex("token", ev.u.opened.token, 20, 1);
        print_hex("participant", ev.u.opened.participant, 20, 1);
        print_hex("partner", ev.u.opened.partner, 20, 1);
        print_u64("settle_timeout", ev.u.opened.settle_timeout);
        print_num("deposit", &ev.u.opened.deposit);
        break;
    case CH_EV_NEW_DEPOSIT:
        print_hex("participant", ev.u.new_deposit.participant, 20, 1);
        print_num("total_deposit", &ev.u.new_deposit.total_deposit);
        break;
    case CH_EV_CLOSED:
        print_hex("closing", ev.u.closed.closing, 20, 1);
        print_hex("locksroot", ev.u.closed.locksroot, 32, 1);
        print_num("transferred_amount", &ev.u.closed.transferred_amount);
        break;
    case CH_EV_UNLOCKED:
        print_hex("payer", ev.u.unlocked.payer, 20, 1);
        print_hex("lockhash", ev.u.unlocked.lockhash, 32, 1);
        print_num("transferred_amount", &ev.u.unlocked.transferred_amount);
        break;
    case CH_EV_BALANCE_PROOF_UPDATED:
        print_hex("participant", ev.u.bp_updated.participant, 20, 1);
        print_hex("locksroot", ev.u.bp_updated.locksroot, 32, 1);
        print_num("transferred_amount", &ev.u.bp_updated.transferred_amount);
        break;
    case CH_EV_PUNISHED:
        print_hex("beneficiary", ev.u.punished.beneficiary, 20, 1);
        break;
    case CH_EV_SETTLED:
    case CH_EV_COOPERATIVE_SETTLED:
        print_num("p1_amount", &ev.u.settled.p1_amount);
        print_num("p2_amount", &ev.u.settled.p2_amount);
        break;
    case CH_EV_WITHDRAW:
        print_hex("p1", ev.u.withdraw.p1, 20, 1);
        print_num("p1_balance", &ev.u.withdraw.p1_balance);
        print_hex("p2", ev.u.withdraw.p2, 20, 1);
        print_num("p2_balance", &ev.u.withdraw.p2_balance);
        break;
    case CH_EV_SECRET_REVEALED:
        print_hex("secret", ev.u.secret_revealed.secret, 32, 1);
        break;
    default:
        break;
    }
    printf("}\n");
    return 0;
}

static int ret_cmd(struct args *a)
{
    static uint8_t data[MAXBYTES];
    size_t n = bytes_arg(a, 1, data);
    if (a->bad)
        return 0;
    const char *c = a->w[0] + 4;
    int rc;
    /* Each decoder's fields follow {"ok":true (print_* add the commas). */
    if (!strcmp(c, "channelInfo")) {
        struct ch_chain_channel v;
        if (!(rc = ch_ret_channel_info(data, n, &v))) {
            printf("{\"ok\":true");
            print_hex("channel_id", v.channel_id, 32, 1);
            print_u64("settle_block", v.settle_block);
            print_u64("open_block", v.open_block);
            print_u64("state", (uint64_t)v.state);
            print_u64("settle_timeout", v.settle_timeout);
        }
    } else if (!strcmp(c, "participantInfo")) {
        struct ch_chain_participant v;
        if (!(rc = ch_ret_participant_info(data, n, &v))) {
            printf("{\"ok\":true");
            print_num("deposit", &v.deposit);
            print_hex("balance_hash", v.balance_hash, 24, 1);
            print_u64("nonce", v.nonce);
        }
    } else if (!strcmp(c, "unlocked")) {
        bool b;
        if (!(rc = ch_ret_unlocked(data, n, &b)))
            printf("{\"ok\":true,\"unlocked\":%s", b ? "true" : "false");
    } else if (!strcmp(c, "revealBlock")) {
        uint64_t b;
        if (!(rc = ch_ret_reveal_block(data, n, &b))) {
            printf("{\"ok\":true");
            print_u64("block", b);
        }
    } else if (!strcmp(c, "chainId")) {
        u256 x;
        if (!(rc = ch_ret_chain_id(data, n, &x))) {
            printf("{\"ok\":true");
            print_num("chain_id", &x);
        }
    } else if (!strcmp(c, "secretRegistry")) {
        uint8_t x[20];
        if (!(rc = ch_ret_secret_registry(data, n, x))) {
            printf("{\"ok\":true");
            print_hex("secret_registry", x, 20, 1);
        }
    } else {
        printf("error: unknown command %s\n", a->w[0]);
        return 0;
    }
    if (rc)
        printf("error: %s\n", err_msg());
    else
        printf("}\n");
    return 0;
}

/* Builds the call data of one command into out. */
static int build(struct args *a, struct bytes *out)
{
    const char *c = a->w[0];
    uint8_t t[20], p[20], q[20], h1[32], h2[32], s1[CH_SIG_LEN], s2[CH_SIG_LEN];
    u256 x, y;
    static uint8_t buf[MAXBYTES];
    if (!strcmp(c, "deposit")) {
        addr(a, 1, t), addr(a, 2, p), addr(a, 3, q), num(a, 4, &x);
        uint64_t to = num64(a, 5);
        return a->bad ? 0 : ch_call_tn_deposit(t, p, q, &x, to, out);
    }
    if (!strcmp(c, "prepareSettle") || !strcmp(c, "updateBalanceProof")) {
        struct ch_signed_bp bp;
        memset(&bp, 0, sizeof bp);
        addr(a, 1, t), addr(a, 2, p), num(a, 3, &bp.bp.transferred_amount);
        b32(a, 4, bp.bp.locksroot);
        bp.bp.nonce = num64(a, 5);
        b32(a, 6, bp.additional_hash);
        bool none = a->n > 7 && !strcmp(a->w[7], "-");
        if (!none)
            sig(a, 7, bp.signature);
        if (a->bad)
            return 0;
        if (c[0] == 'p')
            return ch_call_tn_prepare_settle(t, p, none ? NULL : &bp, out);
        return ch_call_tn_update_balance_proof(t, p, &bp, out);
    }
    if (!strcmp(c, "updateBalanceProofDelegate")) {
        struct ch_signed_bp bp;
        memset(&bp, 0, sizeof bp);
        addr(a, 1, t), addr(a, 2, p), addr(a, 3, q), num(a, 4, &bp.bp.transferred_amount);
        b32(a, 5, bp.bp.locksroot);
        bp.bp.nonce = num64(a, 6);
        b32(a, 7, bp.additional_hash);
        sig(a, 8, bp.signature), sig(a, 9, s2);
        return a->bad ? 0 : ch_call_tn_update_balance_proof_delegate(t, p, q, &bp, s2, out);
    }
    if (!strcmp(c, "unlock") || !strcmp(c, "unlockDelegate")) {
        int d = c[6] == 'D';
        struct ch_lock lk;
        memset(&lk, 0, sizeof lk);
        addr(a, 1, t), addr(a, 2, p);
        if (d)
            addr(a, 3, q);
        num(a, 3 + d, &x);
        lk.expiration = num64(a, 4 + d);
        num(a, 5 + d, &lk.amount);
        b32(a, 6 + d, lk.secret_hash);
        size_t pl = bytes_arg(a, 7 + d, buf);
        if (d)
            sig(a, 9, s1);
        if (a->bad)
            return 0;
        if (d)
            return ch_call_tn_unlock_delegate(t, p, q, &x, &lk, buf, pl, s1, out);
        return ch_call_tn_unlock(t, p, &x, &lk, buf, pl, out);
    }
    if (!strcmp(c, "punishObsoleteUnlock")) {
        addr(a, 1, t), addr(a, 2, p), addr(a, 3, q), b32(a, 4, h1), b32(a, 5, h2), sig(a, 6, s1);
        return a->bad ? 0 : ch_call_tn_punish_obsolete_unlock(t, p, q, h1, h2, s1, out);
    }
    if (!strcmp(c, "settle")) {
        addr(a, 1, t), addr(a, 2, p), num(a, 3, &x), b32(a, 4, h1);
        addr(a, 5, q), num(a, 6, &y), b32(a, 7, h2);
        return a->bad ? 0 : ch_call_tn_settle(t, p, &x, h1, q, &y, h2, out);
    }
    if (!strcmp(c, "cooperativeSettle")) {
        addr(a, 1, t), addr(a, 2, p), num(a, 3, &x), addr(a, 4, q), num(a, 5, &y);
        sig(a, 6, s1), sig(a, 7, s2);
        return a->bad ? 0 : ch_call_tn_cooperative_settle(t, p, &x, q, &y, s1, s2, out);
    }
    if (!strcmp(c, "withDraw")) {
        addr(a, 1, t), addr(a, 2, p), addr(a, 3, q), num(a, 4, &x), num(a, 5, &y);
        sig(a, 6, s1), sig(a, 7, s2);
        return a->bad ? 0 : ch_call_tn_withdraw(t, p, q, &x, &y, s1, s2, out);
    }
    if (!strcmp(c, "registerSecret")) {
        b32(a, 1, h1);
        return a->bad ? 0 : ch_call_sr_register_secret(h1, out);
    }
    if (!strcmp(c, "buyAndTransfer") || !strcmp(c, "depositData")) {
        addr(a, 1, p), addr(a, 2, q);
        uint64_t to = num64(a, 3);
        if (a->bad)
            return 0;
        if (c[0] == 'b')
            return ch_call_smt_buy_and_transfer(p, q, to, out);
        uint8_t dd[96];
        ch_deposit_data(p, q, to, dd);
        return bytes_append(out, dd, 96);
    }
    if (!strcmp(c, "approve")) {
        addr(a, 1, p), num(a, 2, &x);
        return a->bad ? 0 : ch_call_token_approve(p, &x, out);
    }
    if (!strcmp(c, "transfer223") || !strcmp(c, "approveAndCall")) {
        addr(a, 1, p), num(a, 2, &x);
        size_t n = bytes_arg(a, 3, buf);
        if (a->bad)
            return 0;
        if (c[0] == 't')
            return ch_call_token_transfer_with_data(p, &x, buf, n, out);
        return ch_call_token_approve_and_call(p, &x, buf, n, out);
    }
    if (!strcmp(c, "getChannelInfo") || !strcmp(c, "getChannelParticipantInfo")) {
        addr(a, 1, t), addr(a, 2, p), addr(a, 3, q);
        if (a->bad)
            return 0;
        if (!strcmp(c, "getChannelInfo"))
            return ch_call_tn_get_channel_info(t, p, q, out);
        return ch_call_tn_get_channel_participant_info(t, p, q, out);
    }
    if (!strcmp(c, "queryUnlockedLocks")) {
        addr(a, 1, t), addr(a, 2, p), addr(a, 3, q), b32(a, 4, h1);
        return a->bad ? 0 : ch_call_tn_query_unlocked_locks(t, p, q, h1, out);
    }
    if (!strcmp(c, "chain_id"))
        return ch_call_tn_chain_id(out);
    if (!strcmp(c, "secret_registry"))
        return ch_call_tn_secret_registry(out);
    if (!strcmp(c, "getSecretRevealBlockHeight")) {
        b32(a, 1, h1);
        return a->bad ? 0 : ch_call_sr_get_secret_reveal_block_height(h1, out);
    }
    printf("error: unknown command %s\n", c);
    a->bad = 1;
    return 0;
}

int main(void)
{
    static char line[4 * MAXBYTES + 1024];
    while (fgets(line, sizeof line, stdin)) {
        struct args a;
        memset(&a, 0, sizeof a);
        char *save = NULL;
        for (char *w = strtok_r(line, " \t\r\n", &save); w && a.n < MAXW;
             w = strtok_r(NULL, " \t\r\n", &save))
            a.w[a.n++] = w;
        if (a.n == 0)
            continue;
        if (!strcmp(a.w[0], "event"))
            event_cmd(&a);
        else if (!strncmp(a.w[0], "ret.", 4))
            ret_cmd(&a);
        else {
            struct bytes out = BYTES_INIT;
            int rc = build(&a, &out);
            if (rc)
                printf("error: %s\n", err_msg());
            else if (!a.bad) {
                char *s = malloc(2 * out.len + 1);
                if (!s)
                    return 2;
                hex_encode(s, out.data, out.len);
                printf("0x%s\n", s);
                free(s);
            }
            bytes_free(&out);
        }
        fflush(stdout);
    }
    return 0;
}
