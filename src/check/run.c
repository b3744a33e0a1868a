/* run.c: the runner: one scenario simulated with one seed, its
 * expectations judged (expect.h).
 *
 * Every expectation but traffic becomes one engine event at its `at` time,
 * scheduled before the run starts, so it sees exactly the state the
 * scenario's events left at that instant (events at the same time run
 * first when they come first in the file's time order; R37).  A probe sends
 * one request through the same pipeline as traffic, from its own random
 * stream ("expect/N"), so adding a probe never changes another's verdict.
 *
 * The run lasts until the scenario's duration (or its last event, traffic
 * start or stop, or expectation), and then as long as probes and traffic
 * requests sent before that are still waiting for their answer (bounded by
 * the clients' timers, R38): a request is never cut short by the end of the
 * scenario.  Traffic expectations are judged after that, from their
 * windows (judge-traffic.c); whatever was never judged is reported as not
 * evaluated, with the reason.
 */
#include "config.h"

#include "rahtisim/util.h"
#include "check/check-private.h"

typedef struct {
    RsRunResult *run;
    RsSim *sim;
    unsigned probes_pending;
    struct ProbeCtx *probes;    /* per expectation (owned by the run, so none leaks) */
    GPtrArray *matrices;        /* RsMatrixJudge*, owned: matrix expectations sent */
} RunCtx;

typedef struct ProbeCtx {
    RunCtx *ctx;
    unsigned index;
} ProbeCtx;

/* A probe's answer came: it is judged (rs_judge_probe). */
static void
probe_done(RsSim *sim, const RsResult *res, void *data)
{
    ProbeCtx *pc = data;
    rs_judge_probe(sim, &pc->ctx->run->results[pc->index], res);
    pc->ctx->probes_pending--;
}

/* Frees a matrix expectation's state at the end of the run. */
static void
matrix_free(gpointer m)
{
    rs_matrix_judge_free(m);
}

/* A matrix expectation's last answer came (judge-matrix.c judged it). */
static void
matrix_done(void *data)
{
    RunCtx *ctx = data;
    ctx->probes_pending--;
}

/* The rollouts of the run's deployments, in creation order (R54). */
static void
collect_rollouts(RsRunResult *run, RsWorld *w)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(RsRolloutSummary));
    for (unsigned i = 0; i < rs_world_n_workloads(w); i++) {
        const RsWorkload *wl = rs_world_workload_nth(w, i);
        if (wl->rollouts == 0)
            continue;
        RsRolloutSummary r = {
            .deployment = g_strdup(wl->full), .rollouts = wl->rollouts, .complete = !wl->rolling,
            .stalled = wl->stalled, .started = wl->rollout_started, .done = wl->rollout_done,
            .ready_new = wl->n_ready_new, .replicas = wl->replicas, .old = wl->n_old,
        };
        g_array_append_val(a, r);
    }
    run->n_rollouts = a->len;
    run->rollouts = (RsRolloutSummary *)(void *)g_array_free(a, FALSE);
}

/* The engine event of one expectation: `arg` is its index. */
static void
expect_fire(RsEngine *eng, void *obj, uint64_t arg)
{
    RunCtx *ctx = obj;
    RsExpectResult *r = &ctx->run->results[arg];
    const RsExpectSpec *e = r->spec;
    (void)eng;
    switch (e->kind) {
    case RS_EXPECT_PROBE: {
        r->expected = rs_check_probe_expected(e);
        ProbeCtx *pc = &ctx->probes[arg];
        pc->ctx = ctx;
        pc->index = (unsigned)arg;
        char stream[32];
        g_snprintf(stream, sizeof stream, "expect/%u", (unsigned)arg);
        ctx->probes_pending++;
        r->context = rs_probe_context(ctx->sim, &e->from, &e->to);
        rs_sim_request(ctx->sim, &e->from, &e->to, stream, true, probe_done, pc);
        break;
    }
    case RS_EXPECT_RESOLVE:
        rs_judge_resolve(ctx->sim, r);
        break;
    case RS_EXPECT_STATE:
        rs_judge_state(ctx->sim, r);
        break;
    case RS_EXPECT_ROLLOUT:
        rs_judge_rollout(ctx->sim, r);
        break;
    case RS_EXPECT_READY:
        rs_judge_ready(ctx->sim, r);
        break;
    case RS_EXPECT_MATRIX:
        ctx->probes_pending++;
        g_ptr_array_add(ctx->matrices, rs_judge_matrix_start(ctx->sim, r, matrix_done, ctx));
        break;
    case RS_EXPECT_TRAFFIC:
        g_assert_not_reached();     /* judged after the run, never scheduled */
    }
}

/* The scenario's end: its duration, or its last event, traffic start or
 * stop, or expectation (scenario-format.md). */
static rs_time_t
scenario_end(const RsScenario *sc)
{
    if (sc->duration != RS_TIME_NEVER)
        return sc->duration;
    rs_time_t end = 0;
    for (unsigned i = 0; i < sc->n_events; i++)
        end = MAX(end, sc->events[i].at);
    for (unsigned i = 0; i < sc->n_traffic; i++) {
        end = MAX(end, sc->traffic[i].start);
        if (sc->traffic[i].stop != RS_TIME_NEVER)
            end = MAX(end, sc->traffic[i].stop);
    }
    for (unsigned i = 0; i < sc->n_expect; i++)
        if (sc->expect[i].at != RS_TIME_NEVER)
            end = MAX(end, sc->expect[i].at);
    return end;
}

/* Runs the engine to `until`, in slices when someone watches the progress
 * (the slices do not change the run: events keep their order, R37). */
static void
run_to(RsEngine *eng, rs_time_t until, rs_time_t end, const RsRunOptions *opt)
{
    if (opt == NULL || opt->progress == NULL) {
        rs_engine_run(eng, until);
        return;
    }
    rs_time_t step = MAX(end / 1000, RS_MS);
    while (rs_engine_now(eng) < until) {
        rs_time_t next = rs_engine_now(eng) > until - step ? until : rs_engine_now(eng) + step;
        rs_engine_run(eng, next);
        opt->progress(rs_engine_now(eng), end, rs_engine_executed(eng), opt->progress_data);
    }
}

/* Frees the text of a copied log entry. */
static void
clear_log_entry(gpointer p)
{
    g_free(((RsLogEntry *)p)->text);
}

/* A copy of the simulation's event log that outlives it (reports read it). */
static GArray *
copy_log(const GArray *src)
{
    GArray *log = g_array_sized_new(FALSE, FALSE, sizeof(RsLogEntry), src->len);
    g_array_set_clear_func(log, clear_log_entry);
    for (unsigned i = 0; i < src->len; i++) {
        RsLogEntry e = g_array_index(src, RsLogEntry, i);
        e.text = g_strdup(e.text);
        g_array_append_val(log, e);
    }
    return log;
}

/* Simulates a scenario and checks its expectations. */
RsRunResult *
rs_run_scenario_with(const RsScenario *sc, uint64_t seed, const RsRunOptions *opt, GError **error)
{
    RsSim *sim = rs_sim_new(sc, seed, error);
    if (sim == NULL)
        return NULL;
    rs_time_t end = scenario_end(sc);
    RsTraffic *traffic = rs_traffic_new(sim, sc, end, error);
    if (traffic == NULL) {
        rs_sim_free(sim);
        return NULL;
    }

    RsRunResult *run = g_new0(RsRunResult, 1);
    run->scenario = sc;
    run->seed = seed;
    run->end = end;
    run->n_results = sc->n_expect;
    run->results = g_new0(RsExpectResult, sc->n_expect);
    g_autofree const RsTrafficWindow **windows = g_new0(const RsTrafficWindow *, sc->n_expect + 1);
    g_autofree ProbeCtx *probes = g_new0(ProbeCtx, sc->n_expect + 1);
    g_autoptr(GPtrArray) matrices = g_ptr_array_new_with_free_func(matrix_free);
    RunCtx ctx = {.run = run, .sim = sim, .probes = probes, .matrices = matrices};
    RsEngine *eng = rs_sim_engine(sim);
    if (sc->limits.max_events > 0)      /* the run-away guard (--max-events) */
        rs_engine_set_limit(eng, sc->limits.max_events);
    if (sc->limits.max_memory > 0)      /* ... and the memory budget (--max-memory) */
        rs_engine_set_memory_limit(eng, sc->limits.max_memory);

    for (unsigned i = 0; i < sc->n_expect; i++) {
        const RsExpectSpec *e = &sc->expect[i];
        run->results[i].index = i;
        run->results[i].spec = e;
        if (e->kind == RS_EXPECT_TRAFFIC) {
            /* The loader checked the name: the window always exists. */
            windows[i] = rs_traffic_watch(traffic, e->traffic, e->between_start,
                                          MIN(e->between_end, end));
            continue;
        }
        rs_engine_schedule(eng, e->at, expect_fire, &ctx, i);
    }
    rs_traffic_start(traffic);
    run_to(eng, end, end, opt);
    /* Let probes and traffic sent before the end get their answer (bounded by their timers). */
    while ((ctx.probes_pending > 0 || rs_traffic_in_flight(traffic) > 0) && rs_engine_pending(eng) > 0)
        rs_engine_run(eng, rs_engine_next_time(eng));
    uint64_t seen = 0;
    if (rs_engine_memory_exceeded(eng, &seen)) {
        char b[32], m1[32], m2[32];
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_LIMIT,
                    "%s: the run crossed the memory budget (%s in use, more than --max-memory %s, "
                    "at %s of simulated time; %u requests in flight); raise it with --max-memory",
                    sc->file, rs_bytes_format(seen, m1), rs_bytes_format(sc->limits.max_memory, m2),
                    rs_duration_format(rs_engine_now(eng), b), rs_traffic_in_flight(traffic));
        rs_traffic_free(traffic);
        rs_sim_free(sim);
        rs_run_result_free(run);
        return NULL;
    }
    if (rs_engine_limit_reached(eng)) {
        char b[32];
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_LIMIT,
                    "%s: the run reached the event limit (%u engine events, at %s of simulated "
                    "time); raise it with --max-events", sc->file, sc->limits.max_events,
                    rs_duration_format(rs_engine_now(eng), b));
        rs_traffic_free(traffic);
        rs_sim_free(sim);
        rs_run_result_free(run);
        return NULL;
    }

    for (unsigned i = 0; i < run->n_results; i++) {
        RsExpectResult *r = &run->results[i];
        if (windows[i] != NULL)
            rs_judge_traffic(sim, r, windows[i]);
        if (r->summary == NULL)     /* its event never fired, or a probe's answer never came */
            rs_judge_not_evaluated(r, sc, rs_engine_now(eng), rs_engine_limit_reached(eng));
        if (r->passed)
            run->passed++;
        else
            run->failed++;
    }
    run->duration = rs_engine_now(eng);
    run->events = rs_engine_executed(eng);
    run->log = copy_log(rs_sim_log(sim));
    run->log_dropped = rs_world_log_dropped(rs_sim_world(sim));
    run->traffic = rs_traffic_take(traffic, &run->n_traffic);
    collect_rollouts(run, rs_sim_world(sim));
    rs_traffic_free(traffic);
    rs_sim_free(sim);
    return run;
}

/* Simulates a scenario and checks its expectations (no options). */
RsRunResult *
rs_run_scenario(const RsScenario *sc, uint64_t seed, GError **error)
{
    return rs_run_scenario_with(sc, seed, NULL, error);
}

/* Frees a run's results. */
void
rs_run_result_free(RsRunResult *r)
{
    if (r == NULL)
        return;
    for (unsigned i = 0; i < r->n_results; i++) {
        cJSON_Delete(r->results[i].expected);
        cJSON_Delete(r->results[i].observed);
        g_free(r->results[i].summary);
        g_free(r->results[i].explanation);
        g_free(r->results[i].context);
    }
    g_free(r->results);
    for (unsigned i = 0; i < r->n_traffic; i++)
        rs_traffic_stats_free(r->traffic[i]);
    g_free(r->traffic);
    for (unsigned i = 0; i < r->n_rollouts; i++)
        g_free(r->rollouts[i].deployment);
    g_free(r->rollouts);
    if (r->log != NULL)
        g_array_unref(r->log);
    g_free(r);
}
