/*
 * report.h — the registry's report() call and its verdict, as pure
 * functions (doc/meshbox.md §3.4, §3.6): the call data of one batch, the
 * gas it may take, and the status of each receipt of the batch from the
 * logs of the mined transaction.
 *
 * Why it is shaped this way: the reporter (service.h) decides and sends;
 * what goes on the wire and how the logs read back is a byte-level matter
 * that the unit test checks against the committed contract's ABI and
 * events without a chain.
 *
 * Threads: any; nothing here keeps state.
 */
#ifndef SPECTRUM_MESHBOX_REPORT_H
#define SPECTRUM_MESHBOX_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "meshbox/book.h"
#include "primitives/receipt.h"
#include "util/bytes.h"

/* The registry's maxBatch(). */
#define MB_REPORT_BATCH_MAX 100u
/* Gas of a report: a base and a margin over the ≈ 58k a first receipt
 * costs (a full batch of first receipts measured 5.77M on the test EVM). */
#define MB_REPORT_GAS_BASE 100000u
#define MB_REPORT_GAS_PER_RECEIPT 70000u

/* report(address,uint256,address[],uint256[],bytes32[],bytes32[],uint8[]) */
extern const uint8_t MB_SEL_REPORT[4];
/* existAddress(address), receiptHash(...), epochLength(): other reads */
extern const uint8_t MB_SEL_EXIST_ADDRESS[4];
extern const uint8_t MB_SEL_RECEIPT_HASH[4];
extern const uint8_t MB_SEL_ADD_ADDRESS[4];
extern const uint8_t MB_SEL_REGISTER[4];
/* Event topics (§10). */
extern const uint8_t MB_TOPIC_RECEIPT_ACCEPTED[32];
extern const uint8_t MB_TOPIC_RECEIPT_REFUSED[32];

/*
 * The call data of report(provider, epoch, clients, units, r, s, v) for
 * e[0..n), which must all be of one provider and epoch.
 * Returns: 0; ERR_INVAL (n is 0 or above MB_REPORT_BATCH_MAX, or the
 *          entries mix providers or epochs); ERR_NOMEM. Out: appended to out.
 */
int mb_report_calldata(const struct mb_entry *e, size_t n, struct bytes *out);

/* The gas limit of a batch of n receipts. */
uint64_t mb_report_gas(size_t n);

/*
 * Applies the verdict of a mined report transaction to e[0..n), the
 * entries it carried (status SENT): with `status` false (the batch
 * reverted) every entry becomes REFUSED with reason 0; otherwise each entry
 * whose (provider, client, epoch, units) a ReceiptAccepted log of
 * `registry` names becomes ACCEPTED (accepted = units), each one a
 * ReceiptRefused names becomes REFUSED with its reason, and any other is
 * left SENT (the caller resends it later). Logs of other contracts and
 * malformed logs are ignored.
 * Out: *decided, the number of entries that got a verdict (may be NULL).
 */
void mb_report_apply_logs(const struct address *registry, bool status, const struct log *logs,
                          size_t nlogs, struct mb_entry *e, size_t n, size_t *decided);

#endif
