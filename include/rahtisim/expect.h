/* expect.h: checking a scenario's expectations against a simulation.
 *
 * An RsRun is one scenario simulated with one seed: it creates the
 * simulation, schedules every expectation at its time (a probe sends one
 * request through the same pipeline as traffic, recording its hops; a
 * resolve walks the resolver; a state check reads the pod's state), runs the
 * engine to the end and keeps one RsExpectResult per expectation, in file
 * order.  Traffic sources (traffic.h) run alongside; a traffic expectation
 * is judged at the end, from the statistics of the requests its source SENT
 * in its window `between` (the whole run without one), once every one of
 * them has its answer.  Reports (src/report/) and plots (src/plot/) only
 * read these results.
 */
#ifndef RAHTISIM_EXPECT_H
#define RAHTISIM_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <glib.h>

#include "rahtisim/scenario.h"
#include "rahtisim/world.h"
#include "rahtisim/traffic.h"

typedef struct {
    unsigned index;             /* position in the scenario's `expect` list */
    const RsExpectSpec *spec;
    bool passed;
    cJSON *expected;            /* owned: what the scenario asked for */
    cJSON *observed;            /* owned: what happened */
    char *summary;              /* owned: one line, "fenic/debug -> http://nginx/ at 5s: ok" */
    char *explanation;          /* owned: why, hop by hop with rules; may be multi-line */
} RsExpectResult;

typedef struct {
    const RsScenario *scenario; /* not owned */
    uint64_t seed;
    rs_time_t duration;         /* simulated time at the end (answers to the last requests included) */
    rs_time_t end;              /* the scenario's end: no traffic is sent at or after it */
    uint64_t events;            /* engine events executed */
    RsExpectResult *results; unsigned n_results;
    unsigned passed, failed;
    GArray *log;                /* RsLogEntry (owned copies): the event log, time order */
    uint64_t log_dropped;       /* later entries the log did not keep (RS_LOG_MAX) */
    RsTrafficStats **traffic; unsigned n_traffic;   /* owned: per source, file order */
} RsRunResult;

/* Called now and then during a run (between slices of simulated time):
 * `now` of `end`, engine events executed so far.  For progress displays;
 * it must not touch the simulation. */
typedef void (*RsProgressFn)(rs_time_t now, rs_time_t end, uint64_t events, void *data);

typedef struct {
    RsProgressFn progress;      /* NULL: none */
    void *progress_data;
} RsRunOptions;

/* Simulates `sc` with `seed` and checks its expectations.  NULL with `error`
 * set when the scenario cannot be simulated (bad input, exit status 2). */
RsRunResult *rs_run_scenario(const RsScenario *sc, uint64_t seed, GError **error);
/* The same with options (opt may be NULL).  The results do not depend on them. */
RsRunResult *rs_run_scenario_with(const RsScenario *sc, uint64_t seed, const RsRunOptions *opt,
                                  GError **error);
void rs_run_result_free(RsRunResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsRunResult, rs_run_result_free)

#endif
