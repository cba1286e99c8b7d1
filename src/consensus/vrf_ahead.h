/*
 * vrf_ahead.h — the coming blocks' VRF proofs, made on a thread of their
 * own while the current block is built.
 *
 * The VRF message of block n+1 is (n, the VRF index of block n) (vrf.h),
 * so a producer knows it as soon as it has proved block n — before block n
 * is even executed — and the index is the proof's deterministic part, so
 * the prover can go on down the chain: n+1, n+2, ... up to VRF_AHEAD_DEPTH
 * proofs not yet taken. The proof costs more than anything else a Tribe
 * block needs (about 115 µs; two signatures cost 60 µs), and with one
 * producer making block after block (regtest's automine, a lone signer) it
 * sat on the chain thread's path every block. tribe_prepare takes block n's
 * proof here and starts n+1 (which the prover has mostly made already);
 * any other parent (a peer's block won) means a different message: the
 * proofs made are dropped and the proof is made inline as before.
 *
 * The key is held only while the prover has a proof to make; it wipes it
 * when it has made VRF_AHEAD_DEPTH or is stopped, and each start gives it
 * again. Threads: any (one mutex).
 *
 * Priority: the prover thread runs under SCHED_IDLE (Linux). Its proof is
 * needed only when the block after next is prepared, while the thread is
 * started just as the chain thread answers the current block's callers —
 * the moment the event loop and the client's next request want a CPU. At
 * normal priority the proof took that CPU half the time (2 vCPUs: the chain
 * thread has the other); at SCHED_IDLE it runs in the gaps.
 * eth_sendRawTransaction at one client over HTTP: +23 % (median of five
 * interleaved runs, doc/benchmarks.md). A job still waiting for its first
 * gap when it is taken is not waited for: the taker proves it itself. On a
 * busy machine (another process on every CPU) the thread may find no gap
 * for a long time, and waiting for it held each block 250–300 µs instead
 * of the proof's ~120 (doc/benchmarks.md).
 *
 * Depth: with one proof ahead, the prover had one block's time to find its
 * gaps, and in 12–39 % of blocks it had not (the chain thread then proved
 * or waited); with VRF_AHEAD_DEPTH it uses the gaps of several blocks, and
 * 1–6 % of proofs are left to the chain thread (doc/benchmarks.md).
 */
#ifndef SPECTRUM_CONSENSUS_VRF_AHEAD_H
#define SPECTRUM_CONSENSUS_VRF_AHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/vrf.h"

struct vrf_ahead;

/* Starts the prover thread. Returns 0, ERR_NOMEM or ERR_BADSTATE. */
int vrf_ahead_new(struct vrf_ahead **out);

/* Stops the thread (after the proof it is making) and wipes the key. NULL
 * is ignored. */
void vrf_ahead_free(struct vrf_ahead *va);

/* Proofs made ahead of the one asked for, at most. */
#define VRF_AHEAD_DEPTH 3

/* Asks for block `number`'s proof, whose message is msg (at most
 * VRF_BLOCK_MSG_MAX bytes; longer is ignored), with sk. When the prover
 * already follows this chain (the proof is made, being made or next), it
 * only gets the key back to go on; otherwise what it made for another
 * chain is dropped and it starts here. */
void vrf_ahead_start(struct vrf_ahead *va, const uint8_t sk[32], uint64_t number,
                     const uint8_t *msg, size_t len);

/* The proof of msg with sk, if the prover has made it (it is then taken,
 * with any older one), is making it (waits), or has it next but not begun
 * (makes it here: see "Priority"). Returns 0 with out set; ERR_NOTFOUND
 * when the prover follows another key or chain (prove inline); the
 * prover's error if it failed. */
int vrf_ahead_take(struct vrf_ahead *va, const uint8_t sk[32], const uint8_t *msg, size_t len,
                   uint8_t out[VRF_OUTPUT_LEN]);

/* How many proofs are made and wait to be taken (at most VRF_AHEAD_DEPTH). */
size_t vrf_ahead_ready(struct vrf_ahead *va);

/* How many vrf_ahead_take calls got their proof from the prover, how many
 * made it themselves because the prover had not begun, and how many found
 * no job (their caller proves inline). */
void vrf_ahead_counts(struct vrf_ahead *va, uint64_t *taken, uint64_t *unstarted,
                      uint64_t *missed);

#endif
