/*
 * events.h — the events of TokensNetwork and SecretRegistry decoded from a
 * log (contrib/contracts/TokensNetwork.sol, SecretRegistry.sol;
 * spec/photon.md §2.4, §2.9).
 *
 * A log is matched on its emitter and topic0 = keccak256(event signature).
 * For a known event the decoder is strict: exactly the declared number of
 * topics (topic0 plus one per indexed parameter: the channel id, the token
 * of TokenNetworkCreated / ChannelOpenedAndDeposit, the secret of
 * SecretRevealed), clean indexed words, and data of exactly the declared
 * non-indexed words, each clean (abi.h). A log from one of our contracts
 * whose topic0 is not one of its events (or that has no topics) is
 * CH_EV_UNKNOWN, not an error: a later contract version may add events. A
 * log from any other address is CH_EV_FOREIGN.
 *
 *   TokensNetwork                                       indexed   data
 *   TokenNetworkCreated(address token)                  token     —
 *   ChannelOpenedAndDeposit(address token, address participant,
 *       address partner, uint64 settle_timeout, uint256 deposit)
 *                                                       token     4 words
 *   ChannelNewDeposit(bytes32 id, address participant, uint256 total)
 *   ChannelClosed(bytes32 id, address closing, bytes32 locksroot, uint256 ta)
 *   ChannelUnlocked(bytes32 id, address payer, bytes32 lockhash, uint256 ta)
 *   BalanceProofUpdated(bytes32 id, address participant, bytes32 locksroot,
 *       uint256 ta)
 *   ChannelPunished(bytes32 id, address beneficiary)
 *   ChannelSettled(bytes32 id, uint256 p1_amount, uint256 p2_amount)
 *   ChannelCooperativeSettled(bytes32 id, uint256 p1_amount, uint256 p2_amount)
 *   ChannelWithdraw(bytes32 id, address p1, uint256 p1_balance, address p2,
 *       uint256 p2_balance)                              id        the rest
 *   SecretRegistry
 *   SecretRevealed(bytes32 secret)                      secret    —
 *
 * ChannelOpenedAndDeposit carries no channel id; the decoder computes it
 * (ch_channel_id) so every channel event names its channel the same way.
 *
 * Why it is shaped this way: the watchdog feeds each decoded event to the
 * channel it names; one tagged struct with a member per event keeps the
 * field names of the Solidity declaration. Pure, no allocation, safe from
 * any thread.
 */
#ifndef SPECTRUM_CHANNEL_EVENTS_H
#define SPECTRUM_CHANNEL_EVENTS_H

#include <stdint.h>

#include "primitives/receipt.h"
#include "primitives/u256.h"

enum ch_event_kind {
    CH_EV_FOREIGN = 0,              /* not from TokensNetwork or SecretRegistry */
    CH_EV_UNKNOWN,                  /* from one of them, topic0 not an event of it */
    CH_EV_TOKEN_NETWORK_CREATED,
    CH_EV_OPENED,                   /* ChannelOpenedAndDeposit */
    CH_EV_NEW_DEPOSIT,
    CH_EV_CLOSED,
    CH_EV_UNLOCKED,
    CH_EV_BALANCE_PROOF_UPDATED,
    CH_EV_PUNISHED,
    CH_EV_SETTLED,
    CH_EV_COOPERATIVE_SETTLED,
    CH_EV_WITHDRAW,
    CH_EV_SECRET_REVEALED,          /* from the SecretRegistry */
    CH_EV_KIND_COUNT
};

struct ch_event {
    enum ch_event_kind kind;
    /* Every channel event (CH_EV_OPENED .. CH_EV_WITHDRAW); zero otherwise. */
    uint8_t channel_id[32];
    union {
        struct {
            uint8_t token[20];
        } token_network_created;
        struct {
            uint8_t token[20];
            uint8_t participant[20];
            uint8_t partner[20];
            uint64_t settle_timeout;
            u256 deposit;
        } opened;
        struct {
            uint8_t participant[20];
            u256 total_deposit;
        } new_deposit;
        struct {
            uint8_t closing[20];        /* closing_participant */
            uint8_t locksroot[32];      /* of the non-closer's proof it recorded */
            u256 transferred_amount;
        } closed;
        struct {
            uint8_t payer[20];          /* payer_participant */
            uint8_t lockhash[32];
            u256 transferred_amount;    /* payer's new on-chain ta */
        } unlocked;
        struct {
            uint8_t participant[20];    /* whose proof was recorded (the signer) */
            uint8_t locksroot[32];
            u256 transferred_amount;
        } bp_updated;
        struct {
            uint8_t beneficiary[20];
        } punished;
        struct {
            u256 p1_amount;
            u256 p2_amount;
        } settled;                      /* ChannelSettled and ChannelCooperativeSettled */
        struct {
            uint8_t p1[20];
            u256 p1_balance;
            uint8_t p2[20];
            u256 p2_balance;
        } withdraw;
        struct {
            uint8_t secret[32];
        } secret_revealed;
    } u;
};

/* The event signature of kind ("ChannelClosed(bytes32,address,bytes32,uint256)"),
 * or NULL for CH_EV_FOREIGN / CH_EV_UNKNOWN / out of range. Static storage. */
const char *ch_event_signature(enum ch_event_kind kind);

/* Decodes one log.
 * Returns: 0 with ev->kind set (CH_EV_FOREIGN / CH_EV_UNKNOWN included);
 *          ERR_DECODE when topic0 is a known event of the emitter but the
 *          topic count, an indexed word or the data does not match the
 *          declaration exactly (context names the event). On error *ev is
 *          unspecified.
 * In: tokens_network, secret_registry (the two contract addresses); log.
 * Out: ev. */
int ch_event_decode(const uint8_t tokens_network[20], const uint8_t secret_registry[20],
                    const struct log *log, struct ch_event *ev);

#endif
