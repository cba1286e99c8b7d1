/*
 * regtest_service.h — unit tests' regtest chain service: the committed
 * share/genesis/genesis-regtest.json ($top_srcdir, else "."), the regtest
 * node key, the Tribe engine, on a database the test opened in a temporary
 * directory of its own (regtest_tmpdir, regtest_rmdir). The check
 * assertions inside end the test on failure.
 */
#ifndef SPECTRUM_TEST_REGTEST_SERVICE_H
#define SPECTRUM_TEST_REGTEST_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "chainsvc/chainsvc.h"

struct db;

/* A new directory <$TMPDIR or /tmp>/<name>.XXXXXX for the test's databases
 * (dir: at least 4096 bytes), and its removal with everything in it. */
void regtest_tmpdir(char *dir, size_t size, const char *name);
void regtest_rmdir(const char *dir);

/* Starts the service on db with or without -automine; on_event may be NULL. */
struct chainsvc *regtest_service_start(struct db *db, bool automine, chainsvc_event_fn on_event,
                                       void *event_ctx);

#endif
