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

#include "rahtisim/request.h"
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
    char *context;              /* owned, probes only: what could be known before sending
                                 * (addresses, holders, a route's whitelist), or NULL */
} RsExpectResult;

/* A deployment's rollouts at the end of a run (R54): reports say whether
 * the last one completed or stalled. */
typedef struct {
    char *deployment;           /* "ns/name", owned */
    unsigned rollouts;          /* rollouts started */
    bool complete, stalled;     /* the last one */
    rs_time_t started, done;    /* done RS_TIME_NEVER unless complete */
    unsigned ready_new, replicas, old;  /* how far the last one got */
} RsRolloutSummary;

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
    RsRolloutSummary *rollouts; unsigned n_rollouts;    /* deployments that rolled out (R54) */
} RsRunResult;

/* One line about a rollout for the reports ("shop/web: complete at 24s, started at 20s"). */
char *rs_rollout_summary_text(const RsRolloutSummary *r);

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

/* ---- what a router's loaded configuration hides (reload-note.c, R28) ---- */

/* A sentence shown after one hop of a request. */
typedef struct {
    unsigned after;             /* the index of the hop it follows */
    RsRule rule;                /* R28 when a pending reload decided the answer, else none */
    rs_time_t at;
    char *text;                 /* owned, no trailing rule id */
} RsHopNote;

/* R28: compares the configuration the request's router replica ran with the
 * truth now and returns an array of RsHopNote (g_array_unref frees it): one
 * note, citing R28, for each hop a pending reload decided (a route not loaded
 * yet, endpoints not loaded yet, a stale server, a removed route), else one
 * plain note when a reload is pending.  `path` is the request's path (NULL:
 * any).  Call it right after the request, with the simulation that ran it. */
GArray *rs_reload_notes(RsSim *sim, const RsResult *res, const char *path);

/* What a person could know before sending `to` from `from` now (probe-
 * context.c): the client's address (ready since when) and the egress
 * address outside, what the URL's name or address points to and who holds
 * it, and a route's whitelist with the address the router sees; lines
 * separated by newlines (g_free it).  Reveals no outcome. */
char *rs_probe_context(RsSim *sim, const RsFrom *from, const RsUrl *to);

#endif
