/*
 * vrf_ahead.h — the next block's VRF proof, made on a thread of its own
 * while the current block is built.
 *
 * The VRF message of block n+1 is (n, the VRF index of block n) (vrf.h),
 * so a producer knows it as soon as it has proved block n — before block n
 * is even executed. The proof costs more than anything else a Tribe block
 * needs (about 115 µs; two signatures cost 60 µs), and with one producer
 * making block after block (regtest's automine, a lone signer) it sat on
 * the chain thread's path every block. tribe_prepare starts the next
 * proof here and takes it at the next block when the parent is the one it
 * was started for; any other parent (a peer's block won) means a different
 * message, and the proof is made inline as before.
 *
 * The key is held only while a job waits or runs, and wiped when the job
 * is taken, replaced or dropped. Threads: any (one mutex).
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

/* Starts proving msg (at most VRF_BLOCK_MSG_MAX bytes; longer is ignored)
 * with sk, replacing a job that was not taken. */
void vrf_ahead_start(struct vrf_ahead *va, const uint8_t sk[32], const uint8_t *msg, size_t len);

/* The proof of msg with sk, if that is the job started, and ends the job:
 * waits for it while the prover makes it; makes it here when the prover
 * has not begun (see "Priority"). Returns 0 with out set; ERR_NOTFOUND
 * when no job for this key and message exists (prove inline); the
 * prover's error if it failed. */
int vrf_ahead_take(struct vrf_ahead *va, const uint8_t sk[32], const uint8_t *msg, size_t len,
                   uint8_t out[VRF_OUTPUT_LEN]);

/* How many vrf_ahead_take calls got their proof from the prover, how many
 * made it themselves because the prover had not begun, and how many found
 * no job (their caller proves inline). */
void vrf_ahead_counts(struct vrf_ahead *va, uint64_t *taken, uint64_t *unstarted,
                      uint64_t *missed);

#endif
