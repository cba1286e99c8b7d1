/*
 * channel_node.h — the state-channel hub inside spectrumd
 * (doc/channels.md): its options, and starting and stopping the hub
 * (channel/hub.h) with its chain client (channel/chainclient.h).
 *
 * Options (doc/config.md):
 *   -channel               run the hub: on by default on regtest, off
 *                          elsewhere; on whenever -channelport is given
 *   -channelport=<port>    its UDP port: 40001, on regtest 0 (any free
 *                          port, so several regtest nodes share a machine;
 *                          channel_address tells which)
 *   -channelbind=<ip>      127.0.0.1 on regtest, 0.0.0.0 elsewhere
 *   -channelconfirmations  blocks a head must be buried before the hub
 *                          applies its events: 0 on regtest, 12 elsewhere
 *   -channelresend=<ms>    resend interval of unacknowledged packets (1000)
 *   -channellan            LAN discovery (channel/lan.h), off by default
 *   -channellanaddr=<ip>:<port>  its multicast group or broadcast address:
 *                          239.255.70.77:40002, on regtest 127.255.255.255:40002
 *   -channeltestmisbehave=unlockdisposed  regtest only, for tests: the hub
 *                          cheats (channel/misbehave.h)
 * The store is <netdir>/channels/; the hub key is the node key
 * (-nodekey; on regtest the public regtest key unless -nodekey is given).
 *
 * Why it is shaped this way: the node starts each subsystem from a small
 * start function with its own options (as start_p2p); the hub needs the
 * chain service (contract addresses, views, transactions) and so starts
 * after it and stops before it.
 *
 * Threads: everything from the node's main thread, except
 * channel_node_on_chain_event (the chain thread).
 */
#ifndef SPECTRUM_NODE_CHANNEL_NODE_H
#define SPECTRUM_NODE_CHANNEL_NODE_H

#include <stdbool.h>
#include <stdint.h>

struct args;
struct chain_params;
struct chainsvc;
struct chainsvc_event;
struct ch_chainclient;
struct ch_hub;

struct channel_node;

/* Registers the options above (foreign: as in args_register_foreign).
 * Returns as args_register. */
int channel_node_register_args(struct args *a, bool foreign);

/* Starts the hub when the options ask for it: loads the node key, reads the
 * SecretRegistry address and the chain id of the balance proofs from
 * TokensNetwork at the head, opens the store, binds the UDP port, starts
 * the hub and its chain client, and logs "Channel hub: address <a>, UDP
 * <ip>:<port>".
 * Returns: 0 with *out NULL when the hub is off; 0 with *out; ERR_INVAL
 *          (a bad option, or a network without TokensNetwork with -channel
 *          given); the errors of ch_hub_start (ERR_IO: the port is taken)
 *          and ch_chainclient_start. Nothing is left running on error.
 * In: netdir, chain (running), p (the chain's parameters). */
int channel_node_start(const struct args *a, const char *netdir, struct chainsvc *chain,
                       const struct chain_params *p, struct channel_node **out);

/* Stops the chain client, then the hub. NULL is ignored. */
void channel_node_stop(struct channel_node *cn);

/* The chain's events: a new head wakes the chain client. NULL is ignored.
 * Thread: the chain thread (quick, never waits). */
void channel_node_on_chain_event(struct channel_node *cn, struct chainsvc *chain,
                                 const struct chainsvc_event *ev);

/* For the RPC server (NULL for a NULL cn). */
struct ch_hub *channel_node_hub(const struct channel_node *cn);
struct ch_chainclient *channel_node_client(const struct channel_node *cn);
/* The UDP bind address as given ("127.0.0.1"). */
const char *channel_node_bind(const struct channel_node *cn);

#endif
