/*
 * regtest_service.h — unit tests' regtest chain service: the committed
 * share/genesis/genesis-regtest.json ($top_srcdir, else "."), the regtest
 * node key, the Tribe engine, on a database the test opened. The check
 * assertions inside end the test on failure.
 */
#ifndef SPECTRUM_TEST_REGTEST_SERVICE_H
#define SPECTRUM_TEST_REGTEST_SERVICE_H

#include <stdbool.h>

#include "chainsvc/chainsvc.h"

struct db;

/* Starts the service on db with or without -automine; on_event may be NULL. */
struct chainsvc *regtest_service_start(struct db *db, bool automine, chainsvc_event_fn on_event,
                                       void *event_ctx);

#endif
