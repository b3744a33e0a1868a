/* probe.c: a simulation stopped at a chosen time, and one request sent then.
 *
 * The teaching views look at a scenario at one instant T.  To see exactly
 * what an expectation at T would see, the simulation is built, a stopper
 * event is scheduled at T, and the engine runs until it fires: events the
 * scenario scheduled for T came earlier in the queue and have run; timers
 * they started at T come later and have not (R37, the same order as
 * src/check/expect.c gives a probe).  A request is then started "now" and
 * the engine runs until it is answered (at most the client's timeout, R38).
 *
 * Only the request asked for is sent: the scenario's own expectations are
 * not run, so state that requests change (round-robin positions, client-ip
 * affinity, queues; R13, R38) is as if no probe had gone before.
 *
 * Cost: building the world and running to T, O(events before T).  That is
 * bounded by --max-events (the scenario's limits, or what a matrix has left
 * of them): a simulation that reaches the limit before T is an error
 * (RS_TEACH_ERROR_LIMIT, exit 2), never minutes of work.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/teach.h"
#include "rahtisim/util.h"

G_DEFINE_QUARK(rs-teach-error-quark, rs_teach_error)

/* The default --at: a second after every first pod is ready and known to
 * the data plane and the router (R5, R15, R28). */
rs_time_t
rs_teach_settled_time(const RsScenario *sc)
{
    rs_time_t startup = 0;
    bool routes = false;
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *ns = &sc->namespaces[i];
        routes = routes || ns->n_routes > 0;
        for (unsigned k = 0; k < ns->n_deployments; k++)
            startup = MAX(startup, ns->deployments[k].startup);
        for (unsigned k = 0; k < ns->n_pods; k++)
            startup = MAX(startup, ns->pods[k].startup);
    }
    /* The router learns new endpoints at its next reload, at most one
     * reload_interval after the last (R28). */
    rs_time_t lag = sc->profile.par.endpoint_delay;
    if (routes)
        lag = MAX(lag, sc->profile.par.reload_interval);
    /* One second more: at exactly startup + lag the update is still an
     * event waiting at that instant (R37). */
    return startup + lag + RS_SEC;
}

/* Whether the scenario declares deployment ns/name. */
static bool
declares_deployment(const RsScenario *sc, const char *ns, const char *name)
{
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        if (strcmp(sc->namespaces[i].name, ns) != 0)
            continue;
        for (unsigned k = 0; k < sc->namespaces[i].n_deployments; k++)
            if (strcmp(sc->namespaces[i].deployments[k].name, name) == 0)
                return true;
    }
    return false;
}

/* Resolves --from against the scenario and the world now; see teach.h. */
bool
rs_teach_from_parse(const RsScenario *sc, RsSim *sim, const char *text, RsFrom *out,
                    GError **error)
{
    memset(out, 0, sizeof *out);
    const char *slash = strchr(text, '/');
    if (slash == NULL) {
        for (unsigned i = 0; i < sc->n_hosts; i++) {
            if (strcmp(sc->hosts[i].name, text) == 0) {
                out->kind = RS_FROM_HOST;
                out->name = g_strdup(text);
                return true;
            }
        }
        g_set_error(error, RS_TEACH_ERROR, RS_TEACH_ERROR_USAGE,
                    "--from %s: no host of that name (pods and deployments are written "
                    "NAMESPACE/NAME; hosts are declared in `hosts`)", text);
        return false;
    }
    g_autofree char *ns = g_strndup(text, (gsize)(slash - text));
    const char *name = slash + 1;
    RsWorld *w = rs_sim_world(sim);
    if (rs_world_namespace(w, ns) == NULL) {
        g_set_error(error, RS_TEACH_ERROR, RS_TEACH_ERROR_USAGE,
                    "--from %s: the scenario has no namespace %s", text, ns);
        return false;
    }
    if (declares_deployment(sc, ns, name) || rs_world_workload(w, ns, name) != NULL) {
        out->kind = RS_FROM_DEPLOYMENT;
    } else if (rs_world_pod(w, ns, name) != NULL) {
        out->kind = RS_FROM_POD;
    } else {
        char at[32];
        g_set_error(error, RS_TEACH_ERROR, RS_TEACH_ERROR_USAGE,
                    "--from %s: no pod or deployment of that name in namespace %s at %s", text, ns,
                    rs_duration_format(rs_engine_now(rs_sim_engine(sim)), at));
        return false;
    }
    out->ns = g_steal_pointer(&ns);
    out->name = g_strdup(name);
    return true;
}

/* Frees what rs_teach_from_parse put in `f`. */
void
rs_teach_from_clear(RsFrom *f)
{
    g_clear_pointer(&f->ns, g_free);
    g_clear_pointer(&f->name, g_free);
}

/* The stopper event: ends rs_engine_run at the chosen instant. */
static void
stop_here(RsEngine *eng, void *obj, uint64_t arg)
{
    (void)obj;
    (void)arg;
    rs_engine_stop(eng);
}

/* The error for a simulation that reached its event limit. */
static void
limit_error(GError **error, RsEngine *eng, uint64_t max_events, const char *what, rs_time_t at)
{
    char b1[32], b2[32];
    uint64_t seen = 0;
    if (rs_engine_memory_exceeded(eng, &seen)) {
        char m[32];
        g_set_error(error, RS_TEACH_ERROR, RS_TEACH_ERROR_LIMIT,
                    "%s %s crossed the memory budget (%s in use at %s of simulated time); raise it "
                    "with --max-memory", what, rs_duration_format(at, b1), rs_bytes_format(seen, m),
                    rs_duration_format(rs_engine_now(eng), b2));
        return;
    }
    g_set_error(error, RS_TEACH_ERROR, RS_TEACH_ERROR_LIMIT,
                "%s %s reached the event limit (%" G_GUINT64_FORMAT " engine events, at %s of "
                "simulated time); raise it with --max-events, or choose an earlier --at",
                what, rs_duration_format(at, b1), max_events, rs_duration_format(rs_engine_now(eng), b2));
}

/* A simulation stopped at `at`; see teach.h. */
RsSim *
rs_teach_sim_at(const RsScenario *sc, uint64_t seed, rs_time_t at, GError **error)
{
    return rs_teach_sim_at_limit(sc, seed, at, sc->limits.max_events, error);
}

/* The same, with an event limit of its own; see teach.h. */
RsSim *
rs_teach_sim_at_limit(const RsScenario *sc, uint64_t seed, rs_time_t at, uint64_t max_events,
                      GError **error)
{
    GError *err = NULL;
    RsSim *sim = rs_sim_new(sc, seed, &err);
    if (sim == NULL) {
        g_propagate_error(error, err);      /* RS_WORLD_ERROR: keeps its domain and code */
        return NULL;
    }
    RsEngine *eng = rs_sim_engine(sim);
    if (max_events > 0)         /* the run-away guard, as `run` has it (src/check/expect.c) */
        rs_engine_set_limit(eng, max_events);
    if (sc->limits.max_memory > 0)      /* and the memory budget (--max-memory) */
        rs_engine_set_memory_limit(eng, sc->limits.max_memory);
    rs_engine_schedule(eng, at, stop_here, NULL, 0);
    rs_engine_run(eng, at);
    if (rs_engine_limit_reached(eng)) {
        limit_error(error, eng, max_events, "simulating up to", at);
        rs_sim_free(sim);
        return NULL;
    }
    return sim;
}

typedef struct {
    RsResult *res;
} SendCtx;

/* Keeps a copy of the answer. */
static void
send_done(RsSim *sim, const RsResult *res, void *data)
{
    SendCtx *ctx = data;
    ctx->res = rs_result_dup(res);
    (void)sim;
}

/* Sends one request now and waits for its answer; see teach.h. */
RsResult *
rs_teach_send(RsSim *sim, const RsFrom *from, const RsUrl *to, const char *stream, GError **error)
{
    GError *err = NULL;
    if (!rs_sim_check_request(sim, from, to, &err)) {
        g_propagate_error(error, err);      /* RS_SIM_ERROR: keeps its domain and code */
        return NULL;
    }
    SendCtx ctx = {NULL};
    RsEngine *eng = rs_sim_engine(sim);
    rs_sim_request(sim, from, to, stream, true, send_done, &ctx);
    /* The client's timer bounds the wait (R38), so this ends. */
    rs_time_t sent = rs_engine_now(eng);
    while (ctx.res == NULL && rs_engine_pending(eng) > 0)
        rs_engine_run(eng, rs_engine_next_time(eng));
    if (rs_engine_limit_reached(eng)) {
        rs_result_free(ctx.res);
        limit_error(error, eng, rs_engine_executed(eng), "the request sent at", sent);
        return NULL;
    }
    if (ctx.res == NULL) {
        g_set_error_literal(error, RS_TEACH_ERROR, RS_TEACH_ERROR_SIM,
                            "the request never got an answer (the simulation ran dry)");
        return NULL;
    }
    return ctx.res;
}
