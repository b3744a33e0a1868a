/* expect.c: checking expectations against a simulation (scenario-format.md,
 * "Expectations").
 *
 * Every expectation becomes one engine event at its `at` time, scheduled
 * before the run starts, so it sees exactly the state the scenario's events
 * left at that instant (events at the same time run first when they come
 * first in the file's time order; R37).  A probe sends one request through
 * the same pipeline as traffic, from its own random stream ("expect/N"), so
 * adding a probe never changes another's verdict; its hops are recorded and
 * become the explanation.  A resolve walks the resolver now (R17); a state
 * check reads the pod's state now.
 *
 * The run lasts until the scenario's duration (or its last event or
 * expectation), and then as long as probes sent before that are still
 * waiting for their answer (at most the connect timeout): a probe is never
 * cut short by the end of the scenario.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "rahtisim/expect.h"
#include "rahtisim/request.h"
#include "rahtisim/sim.h"

typedef struct {
    RsRunResult *run;
    RsSim *sim;
    unsigned probes_pending;
} RunCtx;

typedef struct {
    RunCtx *ctx;
    unsigned index;
} ProbeCtx;

/* "ns/name" or a host name. */
static const char *
from_text(const RsFrom *f, char *buf, size_t len)
{
    if (f->ns != NULL)
        g_snprintf(buf, len, "%s/%s", f->ns, f->name);
    else
        g_snprintf(buf, len, "%s", f->name);
    return buf;
}

/* The URL as a person would write it. */
static char *
url_text(const RsUrl *u)
{
    static const char *const schemes[] = {"http", "https", "tcp"};
    static const uint16_t default_port[] = {80, 443, 0};
    GString *s = g_string_new(schemes[u->scheme]);
    g_string_append(s, "://");
    if (u->pod_ref != NULL) {
        g_string_append_printf(s, "@%s", u->pod_ref);
    } else if (u->is_ip) {
        char ip[16];
        g_string_append(s, rs_ipv4_format(u->ip, ip));
    } else {
        g_string_append(s, u->host);
    }
    if (u->port != default_port[u->scheme])
        g_string_append_printf(s, ":%u", u->port);
    if (u->scheme != RS_SCHEME_TCP)
        g_string_append(s, u->path ? u->path : "/");
    return g_string_free(s, FALSE);
}

/* Adds a duration as a string with a unit ("1.2ms"). */
static void
add_duration(cJSON *o, const char *key, rs_time_t t)
{
    char buf[32];
    cJSON_AddStringToObject(o, key, rs_duration_format(t, buf));
}

/* Adds an address in dotted form. */
static void
add_ip(cJSON *o, const char *key, uint32_t ip)
{
    char buf[16];
    cJSON_AddStringToObject(o, key, rs_ipv4_format(ip, buf));
}

/* The hops of a result as lines "    5.000200s  sentence (R17)": microsecond
 * clock readings, so the column lines up. */
static char *
hops_text(const RsResult *res)
{
    GString *s = g_string_new(NULL);
    g_autoptr(GString) line = g_string_new(NULL);
    for (unsigned i = 0; i < res->n_hops; i++) {
        const RsHop *h = &res->hops[i];
        g_string_truncate(line, 0);
        rs_hop_describe(h, line);
        g_string_append_printf(s, "%s%6" PRId64 ".%06" PRId64 "s  %s", i ? "\n" : "",
                               h->at / RS_SEC, (h->at % RS_SEC) / RS_US, line->str);
    }
    return g_string_free(s, FALSE);
}

/* Judges a probe's result against its expectation (scenario-format.md). */
static void
probe_done(RsSim *sim, const RsResult *res, void *data)
{
    ProbeCtx *pc = data;
    RsRunResult *run = pc->ctx->run;
    RsExpectResult *r = &run->results[pc->index];
    const RsExpectSpec *e = r->spec;
    char buf[64];
    bool ok = true;
    g_autoptr(GString) why = g_string_new(NULL);

    cJSON *obs = cJSON_CreateObject();
    cJSON_AddStringToObject(obs, "outcome", rs_outcome_word(res->outcome));
    cJSON_AddNumberToObject(obs, "status", res->status);
    if (res->pod != NULL)
        cJSON_AddStringToObject(obs, "pod", res->pod);
    else
        cJSON_AddNullToObject(obs, "pod");
    if (res->source_ip != 0)
        add_ip(obs, "source_ip", res->source_ip);
    add_duration(obs, "latency", res->latency);
    r->observed = obs;

    if (e->has_outcome && res->outcome != e->outcome) {
        ok = false;
        g_string_append_printf(why, "outcome %s, not %s; ", rs_outcome_word(res->outcome),
                               rs_outcome_word(e->outcome));
    }
    if (e->pod_glob != NULL && (res->pod == NULL || !g_pattern_match_simple(e->pod_glob, res->pod))) {
        ok = false;
        g_string_append_printf(why, "served by %s, not %s; ", res->pod ? res->pod : "no pod",
                               e->pod_glob);
    }
    if (e->status >= 0 && res->status != e->status) {
        ok = false;
        g_string_append_printf(why, "status %d, not %d; ", res->status, e->status);
    }
    if (e->has_source_ip && res->source_ip != e->source_ip) {
        char want[16];
        ok = false;
        g_string_append_printf(why, "source %s, not %s; ", rs_ipv4_format(res->source_ip, buf),
                               rs_ipv4_format(e->source_ip, want));
    }
    if (e->has_latency_max && res->latency > e->latency_max) {
        ok = false;
        g_string_append_printf(why, "latency %s over the maximum; ", rs_duration_format(res->latency, buf));
    }
    if (e->has_latency_min && res->latency < e->latency_min) {
        ok = false;
        g_string_append_printf(why, "latency %s under the minimum; ", rs_duration_format(res->latency, buf));
    }

    g_autofree char *url = url_text(&e->to);
    g_autoptr(GString) sum = g_string_new(NULL);
    char who[160], at[32];
    g_string_append_printf(sum, "%s -> %s at %s: %s", from_text(&e->from, who, sizeof who), url,
                           rs_duration_format(e->at, at), rs_outcome_word(res->outcome));
    if (res->status != 0)
        g_string_append_printf(sum, " %d", res->status);
    if (res->pod != NULL)
        g_string_append_printf(sum, ", served by %s", res->pod);
    g_string_append_printf(sum, " (%s)", rs_duration_format(res->latency, buf));
    if (!ok) {
        g_string_truncate(why, why->len - 2);
        g_string_append_printf(sum, ": %s", why->str);
    }
    r->summary = g_string_free(g_steal_pointer(&sum), FALSE);
    r->explanation = hops_text(res);
    r->passed = ok;
    pc->ctx->probes_pending--;
    g_free(pc);
    (void)sim;
}

/* Sorted copy of an address list, for comparing answers as sets. */
static int
cmp_u32(gconstpointer a, gconstpointer b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Adds addresses as a JSON list of strings (sorted). */
static cJSON *
ip_list(const uint32_t *ips, unsigned n)
{
    g_autofree uint32_t *s = g_memdup2(ips, n * sizeof *ips);
    if (n > 0)
        qsort(s, n, sizeof *s, (int (*)(const void *, const void *))cmp_u32);
    cJSON *a = cJSON_CreateArray();
    char buf[16];
    for (unsigned i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(rs_ipv4_format(s[i], buf)));
    return a;
}

/* The resolver's walk as explanation lines (R17). */
static char *
walk_text(const RsDnsWalk *w)
{
    GString *s = g_string_new(NULL);
    char ip[16];
    for (unsigned i = 0; i < w->n_queries; i++) {
        const RsDnsQuery *q = &w->queries[i];
        g_string_append_printf(s, "%squery %u: %s -> ", i ? "\n" : "", i + 1, q->name);
        if (!q->found) {
            g_string_append(s, "NXDOMAIN");
        } else {
            for (unsigned k = 0; k < q->n_addrs && k < RS_DNS_MAX_ADDRS; k++)
                g_string_append_printf(s, "%s%s", k ? ", " : "", rs_ipv4_format(q->addrs[k], ip));
            if (q->service != NULL)
                g_string_append_printf(s, " (service %s)", q->service);
        }
        g_string_append_printf(s, "  [%s]", rs_rule_id(q->rule));
    }
    return g_string_free(s, FALSE);
}

/* Judges a resolve expectation now. */
static void
check_resolve(RunCtx *ctx, RsExpectResult *r)
{
    const RsExpectSpec *e = r->spec;
    char who[160], at[32];
    RsDnsWalk walk;
    GError *err = NULL;
    bool found = rs_sim_resolve(ctx->sim, &e->from, e->resolve, &walk, &err);

    cJSON *exp = cJSON_CreateObject();
    g_autofree uint32_t *want = NULL;
    unsigned n_want = 0;
    bool want_nx = e->answer_nxdomain;
    if (e->answer_service != NULL) {
        cJSON_AddStringToObject(exp, "answer", e->answer_service);
        g_auto(GStrv) parts = g_strsplit(e->answer_service, "/", 2);
        uint32_t ip;
        if (rs_sim_service_ip(ctx->sim, parts[0], parts[1], &ip)) {
            want = g_new(uint32_t, 1);
            want[0] = ip;
            n_want = 1;
            add_ip(exp, "address", ip);
        } else {
            /* Headless (R16): the name must answer with the service's ready
             * endpoints; with none it does not resolve, and the check fails. */
            n_want = rs_sim_service_endpoints(ctx->sim, parts[0], parts[1], &want);
            cJSON_AddItemToObject(exp, "addresses", ip_list(want, n_want));
        }
    } else if (e->answer_nxdomain) {
        cJSON_AddStringToObject(exp, "answer", "nxdomain");
    } else {
        want = g_memdup2(e->answer_ips, e->n_answer_ips * sizeof *want);
        n_want = e->n_answer_ips;
        cJSON_AddItemToObject(exp, "answer", ip_list(want, n_want));
    }
    r->expected = exp;

    cJSON *obs = cJSON_CreateObject();
    if (err != NULL) {
        cJSON_AddStringToObject(obs, "error", err->message);
        r->passed = false;
        r->summary = g_strdup_printf("resolve %s from %s at %s: %s", e->resolve,
                                     from_text(&e->from, who, sizeof who),
                                     rs_duration_format(e->at, at), err->message);
        r->observed = obs;
        g_error_free(err);
        return;
    }
    if (found)
        cJSON_AddItemToObject(obs, "answer", ip_list(walk.addrs, walk.n_addrs));
    else
        cJSON_AddStringToObject(obs, "answer", "nxdomain");
    cJSON_AddNumberToObject(obs, "queries", walk.n_queries);
    r->observed = obs;

    bool ok;
    if (want_nx) {
        ok = !found;
    } else if (!found || n_want == 0 || walk.n_addrs != n_want) {
        ok = false;
    } else {
        g_autofree uint32_t *got = g_memdup2(walk.addrs, walk.n_addrs * sizeof *got);
        qsort(got, walk.n_addrs, sizeof *got, (int (*)(const void *, const void *))cmp_u32);
        if (n_want > 0)
            qsort(want, n_want, sizeof *want, (int (*)(const void *, const void *))cmp_u32);
        ok = memcmp(got, want, n_want * sizeof *want) == 0;
    }
    r->passed = ok;
    g_autofree char *ans = found ? cJSON_PrintUnformatted(cJSON_GetObjectItem(obs, "answer"))
                                 : g_strdup("nxdomain");
    r->summary = g_strdup_printf("resolve %s from %s at %s: %s after %u quer%s",
                                 e->resolve, from_text(&e->from, who, sizeof who),
                                 rs_duration_format(e->at, at), ans, walk.n_queries,
                                 walk.n_queries == 1 ? "y" : "ies");
    r->explanation = walk_text(&walk);
}

/* Judges a pod-state expectation now. */
static void
check_state(RunCtx *ctx, RsExpectResult *r)
{
    const RsExpectSpec *e = r->spec;
    char buf[32];
    g_auto(GStrv) parts = g_strsplit(e->pod, "/", 2);
    RsPodState st = rs_sim_pod_state(ctx->sim, parts[0], parts[1]);
    r->expected = cJSON_CreateObject();
    cJSON_AddStringToObject(r->expected, "state", rs_pod_state_word(e->state));
    r->observed = cJSON_CreateObject();
    cJSON_AddStringToObject(r->observed, "state", rs_pod_state_word(st));
    r->passed = st == e->state;
    r->summary = g_strdup_printf("pod %s at %s: %s", e->pod, rs_duration_format(e->at, buf),
                                 rs_pod_state_word(st));
    r->explanation = rs_sim_pod_history(ctx->sim, parts[0], parts[1]);
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
        cJSON *exp = cJSON_CreateObject();
        if (e->has_outcome)
            cJSON_AddStringToObject(exp, "outcome", rs_outcome_word(e->outcome));
        if (e->pod_glob != NULL)
            cJSON_AddStringToObject(exp, "pod", e->pod_glob);
        if (e->status >= 0)
            cJSON_AddNumberToObject(exp, "status", e->status);
        if (e->has_source_ip)
            add_ip(exp, "source_ip", e->source_ip);
        if (e->has_latency_min || e->has_latency_max) {
            cJSON *lat = cJSON_AddObjectToObject(exp, "latency");
            if (e->has_latency_min)
                add_duration(lat, "min", e->latency_min);
            if (e->has_latency_max)
                add_duration(lat, "max", e->latency_max);
        }
        r->expected = exp;
        ProbeCtx *pc = g_new(ProbeCtx, 1);
        pc->ctx = ctx;
        pc->index = (unsigned)arg;
        char stream[32];
        g_snprintf(stream, sizeof stream, "expect/%u", (unsigned)arg);
        ctx->probes_pending++;
        rs_sim_request(ctx->sim, &e->from, &e->to, stream, true, probe_done, pc);
        break;
    }
    case RS_EXPECT_RESOLVE:
        check_resolve(ctx, r);
        break;
    case RS_EXPECT_STATE:
        check_state(ctx, r);
        break;
    case RS_EXPECT_TRAFFIC:
        g_assert_not_reached();     /* refused in rs_run_scenario */
    }
}

/* Simulates a scenario and checks its expectations. */
RsRunResult *
rs_run_scenario(const RsScenario *sc, uint64_t seed, GError **error)
{
    for (unsigned i = 0; i < sc->n_expect; i++) {
        if (sc->expect[i].kind == RS_EXPECT_TRAFFIC) {
            const RsSrcPos *p = &sc->expect[i].pos;
            g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_INVALID,
                        "%s:%d:%d: %s: traffic expectations are not simulated yet "
                        "(they arrive with the traffic issue, #5)",
                        sc->file, p->line, p->col, p->path);
            return NULL;
        }
    }
    RsSim *sim = rs_sim_new(sc, seed, error);
    if (sim == NULL)
        return NULL;

    RsRunResult *run = g_new0(RsRunResult, 1);
    run->scenario = sc;
    run->seed = seed;
    run->n_results = sc->n_expect;
    run->results = g_new0(RsExpectResult, sc->n_expect);
    RunCtx ctx = {.run = run, .sim = sim};
    RsEngine *eng = rs_sim_engine(sim);

    rs_time_t end = sc->duration;
    if (end == RS_TIME_NEVER) {
        end = 0;
        for (unsigned i = 0; i < sc->n_events; i++)
            end = MAX(end, sc->events[i].at);
    }
    for (unsigned i = 0; i < sc->n_expect; i++) {
        run->results[i].index = i;
        run->results[i].spec = &sc->expect[i];
        if (sc->duration == RS_TIME_NEVER)
            end = MAX(end, sc->expect[i].at);
        rs_engine_schedule(eng, sc->expect[i].at, expect_fire, &ctx, i);
    }
    rs_engine_run(eng, end);
    /* Let probes sent before the end get their answer (bounded by their timers). */
    while (ctx.probes_pending > 0 && rs_engine_pending(eng) > 0)
        rs_engine_run(eng, rs_engine_next_time(eng));

    for (unsigned i = 0; i < run->n_results; i++) {
        RsExpectResult *r = &run->results[i];
        if (r->summary == NULL) {
            /* Only a probe can still be waiting, and only if the engine ran dry. */
            r->passed = false;
            r->summary = g_strdup("the probe never got an answer (the simulation ended first)");
        }
        if (r->passed)
            run->passed++;
        else
            run->failed++;
    }
    run->duration = rs_engine_now(eng);
    run->events = rs_engine_executed(eng);
    run->log = rs_sim_log_lines(sim);
    rs_sim_free(sim);
    return run;
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
    }
    g_free(r->results);
    if (r->log != NULL)
        g_ptr_array_unref(r->log);
    g_free(r);
}
