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
 * The run lasts until the scenario's duration (or its last event, traffic
 * start or stop, or expectation), and then as long as probes and traffic
 * requests sent before that are still waiting for their answer (bounded by
 * the clients' timers, R38): a request is never cut short by the end of the
 * scenario.
 *
 * A traffic expectation (`traffic`: share, spread, latency) is judged after
 * that, from the statistics its source kept for the requests it SENT in the
 * window `between` [start, end) (the whole run without one; traffic.h):
 *  - share: each listed outcome's fraction of those requests within
 *    [min, max];
 *  - spread over a deployment: the pods counted are the deployment's pods
 *    that answered ok in the window plus those ready for the whole window;
 *    each one's fraction of their ok answers is within max_deviation
 *    (relative) of an equal share 1/n, and a pod ready throughout with no
 *    ok answer (starved) fails it (R13, R26: a pod is picked per
 *    connection);
 *  - latency: the p50/p90/p99 of the ok answers (histogram.h, within
 *    0.4 %) at most the bound (R38).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "rahtisim/expect.h"
#include "rahtisim/request.h"
#include "rahtisim/sim.h"
#include "rahtisim/traffic.h"

typedef struct {
    RsRunResult *run;
    RsSim *sim;
    RsTraffic *traffic;
    const RsTrafficWindow **windows;    /* per expectation: its traffic window, or NULL */
    unsigned probes_pending;
    struct ProbeCtx *probes;    /* per expectation (owned by the run, so none leaks) */
} RunCtx;

typedef struct ProbeCtx {
    RunCtx *ctx;
    unsigned index;
} ProbeCtx;

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
 * clock readings, so the column lines up; each hop is followed by the notes
 * on what the router's loaded configuration hid (R28, reload-note.c). */
static char *
hops_text(const RsResult *res, const GArray *notes)
{
    GString *s = g_string_new(NULL);
    g_autoptr(GString) line = g_string_new(NULL);
    unsigned nn = 0;
    for (unsigned i = 0; i < res->n_hops; i++) {
        const RsHop *h = &res->hops[i];
        g_string_truncate(line, 0);
        rs_hop_describe(h, line);
        g_string_append_printf(s, "%s%6" PRId64 ".%06" PRId64 "s  %s", i ? "\n" : "",
                               h->at / RS_SEC, (h->at % RS_SEC) / RS_US, line->str);
        for (; nn < notes->len && g_array_index(notes, RsHopNote, nn).after == i; nn++) {
            const RsHopNote *n = &g_array_index(notes, RsHopNote, nn);
            g_string_append_printf(s, "\n%6" PRId64 ".%06" PRId64 "s  %s", n->at / RS_SEC,
                                   (n->at % RS_SEC) / RS_US, n->text);
            if (n->rule != RS_RULE_NONE)
                g_string_append_printf(s, " (%s)", rs_rule_id(n->rule));
        }
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

    g_autofree char *url = rs_url_format(&e->to);
    g_autoptr(GString) sum = g_string_new(NULL);
    char who[160], at[32];
    g_string_append_printf(sum, "%s -> %s at %s: %s", rs_from_format(&e->from, who, sizeof who), url,
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
    g_autoptr(GArray) notes = rs_reload_notes(sim, res, e->to.path);
    r->explanation = hops_text(res, notes);
    r->passed = ok;
    pc->ctx->probes_pending--;
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
                                     rs_from_format(&e->from, who, sizeof who),
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
                                 e->resolve, rs_from_format(&e->from, who, sizeof who),
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

/* Judges a rollout expectation at its complete_by time (R54). */
static void
check_rollout(RunCtx *ctx, RsExpectResult *r)
{
    const RsExpectSpec *e = r->spec;
    char by[32], t[32];
    g_auto(GStrv) parts = g_strsplit(e->pod, "/", 2);
    const RsWorkload *wl = rs_world_workload(rs_sim_world(ctx->sim), parts[0], parts[1]);
    r->expected = cJSON_CreateObject();
    add_duration(r->expected, "complete_by", e->at);
    r->observed = cJSON_CreateObject();
    rs_duration_format(e->at, by);
    bool done = wl != NULL && wl->rollouts > 0 && !wl->rolling;
    cJSON_AddNumberToObject(r->observed, "rollouts", wl != NULL ? wl->rollouts : 0);
    cJSON_AddBoolToObject(r->observed, "complete", done);
    cJSON_AddBoolToObject(r->observed, "stalled", wl != NULL && wl->stalled);
    if (done)
        add_duration(r->observed, "completed_at", wl->rollout_done);
    r->passed = done;
    if (wl == NULL)
        r->summary = g_strdup_printf("rollout of %s by %s: the deployment does not exist", e->pod, by);
    else if (wl->rollouts == 0)
        r->summary = g_strdup_printf("rollout of %s by %s: no rollout happened", e->pod, by);
    else if (done)
        r->summary = g_strdup_printf("rollout of %s by %s: complete at %s", e->pod, by,
                                     rs_duration_format(wl->rollout_done, t));
    else
        r->summary = g_strdup_printf("rollout of %s by %s: %s (%u of %u new pods ready, %u old pods left; R54)",
                                     e->pod, by, wl->stalled ? "stalled: ProgressDeadlineExceeded" : "not complete",
                                     wl->n_ready_new, wl->replicas, wl->n_old);
    r->explanation = rs_sim_pod_history(ctx->sim, parts[0], parts[1]);
}

/* Judges a ready-pods expectation at the end of its window (R52, R54, R55). */
static void
check_ready(RunCtx *ctx, RsExpectResult *r)
{
    const RsExpectSpec *e = r->spec;
    char a[32], b[32], t[32];
    g_auto(GStrv) parts = g_strsplit(e->pod, "/", 2);
    const RsWorkload *wl = rs_world_workload(rs_sim_world(ctx->sim), parts[0], parts[1]);
    rs_time_t when = e->between_start;
    unsigned least = wl != NULL ? rs_workload_ready_min(wl, e->between_start, e->between_end, &when) : 0;
    r->expected = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->expected, "ready_min", e->ready_min);
    r->observed = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->observed, "ready_min", least);
    add_duration(r->observed, "at", when);
    r->passed = least >= e->ready_min;
    r->summary = g_strdup_printf("deployment %s between %s and %s: at least %u ready (fewest %u at %s)",
                                 e->pod, rs_duration_format(e->between_start, a),
                                 rs_duration_format(e->between_end, b), e->ready_min, least,
                                 rs_duration_format(when, t));
    r->explanation = rs_sim_pod_history(ctx->sim, parts[0], parts[1]);
}

/* Adds a fraction as a JSON number with four decimals (stable text, R37). */
static void
add_fraction(cJSON *o, const char *key, double f)
{
    char buf[32];
    g_snprintf(buf, sizeof buf, "%.4f", f);
    cJSON_AddItemToObject(o, key, cJSON_CreateRaw(buf));
}

/* A fraction as a percentage for sentences ("99.5 %"). */
static const char *
pct(double f, char *buf, size_t len)
{
    g_snprintf(buf, len, "%.1f %%", 100.0 * f);
    return buf;
}

/* Adds a count as an exact integer. */
static void
add_count(cJSON *o, const char *key, uint64_t v)
{
    char buf[32];
    g_snprintf(buf, sizeof buf, "%" PRIu64, v);
    cJSON_AddItemToObject(o, key, cJSON_CreateRaw(buf));
}

/* What a traffic expectation asks for, as JSON. */
static cJSON *
traffic_expected(const RsExpectSpec *e)
{
    cJSON *exp = cJSON_CreateObject();
    cJSON_AddStringToObject(exp, "traffic", e->traffic);
    if (e->between_end != RS_TIME_NEVER) {
        cJSON *b = cJSON_AddArrayToObject(exp, "between");
        char buf[32];
        cJSON_AddItemToArray(b, cJSON_CreateString(rs_duration_format(e->between_start, buf)));
        cJSON_AddItemToArray(b, cJSON_CreateString(rs_duration_format(e->between_end, buf)));
    }
    if (e->has_share) {
        cJSON *sh = cJSON_AddObjectToObject(exp, "share");
        for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++) {
            const RsRange *r = &e->share[o];
            if (!r->has_min && !r->has_max)
                continue;
            cJSON *ro = cJSON_AddObjectToObject(sh, rs_outcome_word((RsOutcome)o));
            if (r->has_min)
                cJSON_AddNumberToObject(ro, "min", r->min);
            if (r->has_max)
                cJSON_AddNumberToObject(ro, "max", r->max);
        }
    }
    if (e->spread_over != NULL) {
        cJSON *sp = cJSON_AddObjectToObject(exp, "spread");
        cJSON_AddStringToObject(sp, "over", e->spread_over);
        cJSON_AddNumberToObject(sp, "max_deviation", e->max_deviation);
    }
    if (e->has_latency_pct) {
        cJSON *lat = cJSON_AddObjectToObject(exp, "latency");
        const rs_time_t lim[] = {e->latency_p50_max, e->latency_p90_max, e->latency_p99_max};
        static const char *const names[] = {"p50", "p90", "p99"};
        for (int k = 0; k < 3; k++)
            if (lim[k] != RS_TIME_NEVER)
                add_duration(cJSON_AddObjectToObject(lat, names[k]), "max", lim[k]);
    }
    return exp;
}

/* A pod of the deployment a spread is checked over, with its ok answers. */
typedef struct {
    const char *name;           /* "ns/pod" */
    uint32_t serial;            /* creation order in the world */
    uint64_t ok;
    bool starved;               /* ready for the whole window, no ok answer */
} SpreadPod;

/* Orders pods by creation, then name. */
static gint
cmp_spread_pod(gconstpointer a, gconstpointer b)
{
    const SpreadPod *x = a, *y = b;
    if (x->serial != y->serial)
        return x->serial < y->serial ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Judges a traffic expectation from its window (after the run, with the
 * world as the run left it). */
static void
check_traffic(RunCtx *ctx, RsExpectResult *r, const RsTrafficWindow *w)
{
    const RsExpectSpec *e = r->spec;
    char b1[32], b2[32], p1[32], p2[32];
    bool ok = true;
    g_autoptr(GString) why = g_string_new(NULL);
    g_autoptr(GString) facts = g_string_new(NULL);     /* what was checked, for the summary */
    g_autoptr(GString) expl = g_string_new(NULL);
    cJSON *obs = cJSON_CreateObject();
    r->expected = traffic_expected(e);
    r->observed = obs;

    add_count(obs, "sent", w->sent);
    if (e->between_end != RS_TIME_NEVER)
        g_string_append_printf(expl, "requests of %s sent between %s and %s: %" PRIu64, e->traffic,
                               rs_duration_format(w->start, b1), rs_duration_format(w->end, b2),
                               w->sent);
    else
        g_string_append_printf(expl, "requests of %s sent during the run: %" PRIu64, e->traffic,
                               w->sent);
    cJSON *counts = cJSON_AddObjectToObject(obs, "outcomes");
    for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++) {
        if (w->outcomes[o] == 0)
            continue;
        add_count(counts, rs_outcome_word((RsOutcome)o), w->outcomes[o]);
        g_string_append_printf(expl, "\n  %-15s %8" PRIu64 "  %s", rs_outcome_word((RsOutcome)o),
                               w->outcomes[o], pct((double)w->outcomes[o] / (double)w->sent, p1, sizeof p1));
    }
    if (w->sent == 0) {
        ok = false;
        g_string_append(why, "no request was sent in the window; ");
    }

    if (e->has_share && w->sent > 0) {
        cJSON *sh = cJSON_AddObjectToObject(obs, "share");
        for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++) {
            const RsRange *rg = &e->share[o];
            if (!rg->has_min && !rg->has_max)
                continue;
            const char *word = rs_outcome_word((RsOutcome)o);
            double f = (double)w->outcomes[o] / (double)w->sent;
            add_fraction(sh, word, f);
            g_string_append_printf(facts, ", %s %s", word, pct(f, p1, sizeof p1));
            if (rg->has_min && f < rg->min) {
                ok = false;
                g_string_append_printf(why, "%s %s, under the minimum %s; ", word, pct(f, p1, sizeof p1),
                                       pct(rg->min, p2, sizeof p2));
            }
            if (rg->has_max && f > rg->max) {
                ok = false;
                g_string_append_printf(why, "%s %s, over the maximum %s; ", word, pct(f, p1, sizeof p1),
                                       pct(rg->max, p2, sizeof p2));
            }
        }
    }

    if (e->spread_over != NULL) {
        /* R13, R26: the service or the router picks a pod per connection;
         * over many requests each pod that could serve should get about 1/n
         * of the ok answers.  The pods counted (docs/model-choices.md,
         * "Traffic expectations"): the deployment's pods that answered ok
         * in the window, plus its pods that were ready for the whole window
         * (ready_at <= start, not stopped before end): one of those without
         * an ok answer is STARVED (e.g. `source` balancing sending every
         * request of one address to one pod) and fails the check. */
        const RsTrafficStats *st = w->stats;
        const RsWorld *world = rs_sim_world(ctx->sim);
        g_autoptr(GArray) order = g_array_new(FALSE, FALSE, sizeof(SpreadPod));
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
        uint64_t total = 0;
        for (unsigned i = 0; i < w->pod_ok->len; i++) {
            const RsTrafficPod *p = st->pods->pdata[i];
            uint64_t c = g_array_index(w->pod_ok, uint64_t, i);
            if (c > 0 && p->owner != NULL && strcmp(p->owner, e->spread_over) == 0) {
                SpreadPod sp_pod = {p->name, p->serial, c, false};
                g_array_append_val(order, sp_pod);
                g_hash_table_add(seen, p->name);
                total += c;
            }
        }
        unsigned n_starved = 0;
        for (guint i = 0; i < rs_world_n_pods(world); i++) {
            const RsPod *p = rs_world_pod_nth(world, i);
            if (p->owner == NULL || strcmp(p->owner->full, e->spread_over) != 0 ||
                p->ready_at > w->start || (p->stopped_at != RS_TIME_NEVER && p->stopped_at < w->end) ||
                g_hash_table_contains(seen, p->full))
                continue;
            SpreadPod sp_pod = {p->full, p->serial, 0, true};
            g_array_append_val(order, sp_pod);
            g_hash_table_add(seen, (gpointer)p->full);
            n_starved++;
        }
        unsigned n = order->len;
        cJSON *sp = cJSON_AddObjectToObject(obs, "spread");
        cJSON *pods = cJSON_AddObjectToObject(sp, "pods");
        cJSON *starved = cJSON_AddArrayToObject(sp, "starved");
        if (n == 0) {
            ok = false;
            g_string_append_printf(why, "no pod of %s answered ok or was ready for the whole window; ",
                                   e->spread_over);
        } else {
            double equal = 1.0 / n, worst = 0;
            const char *worst_pod = NULL;
            g_string_append_printf(expl, "\nok answers by the %u pod%s of %s counted (those that answered "
                                   "ok in the window and those ready for all of it; an equal share is %s):",
                                   n, n == 1 ? "" : "s", e->spread_over, pct(equal, p1, sizeof p1));
            /* Pods in creation order (R37: the same order on every machine). */
            g_array_sort(order, cmp_spread_pod);
            g_autoptr(GString) starved_names = g_string_new(NULL);
            for (unsigned k = 0; k < order->len; k++) {
                const SpreadPod *sp_pod = &g_array_index(order, SpreadPod, k);
                double f = total > 0 ? (double)sp_pod->ok / (double)total : 0.0;
                double dev = (f > equal ? f - equal : equal - f) / equal;
                add_fraction(pods, sp_pod->name, f);
                g_string_append_printf(expl, "\n  %-30s %8" PRIu64 "  %s  (%+.1f %% of an equal share)%s",
                                       sp_pod->name, sp_pod->ok, pct(f, p1, sizeof p1),
                                       100.0 * (f - equal) / equal,
                                       sp_pod->starved ? "  starved: ready for the whole window, no ok answer" : "");
                if (sp_pod->starved) {
                    cJSON_AddItemToArray(starved, cJSON_CreateString(sp_pod->name));
                    g_string_append_printf(starved_names, "%s%s", starved_names->len ? ", " : "", sp_pod->name);
                }
                if (dev > worst || worst_pod == NULL) {
                    worst = dev;
                    worst_pod = sp_pod->name;
                }
            }
            add_fraction(sp, "worst_deviation", worst);
            g_string_append_printf(facts, ", %u pods of %s, the furthest %.1f %% off an equal share", n,
                                   e->spread_over, 100.0 * worst);
            if (n_starved > 0) {
                ok = false;
                g_string_append_printf(why, "%s %s ready for the whole window and got no ok answer "
                                       "(starved); ", starved_names->str, n_starved == 1 ? "was" : "were");
            }
            if (worst > e->max_deviation) {
                ok = false;
                g_string_append_printf(why, "%s is %.1f %% off an equal share (at most %.1f %%); ",
                                       worst_pod, 100.0 * worst, 100.0 * e->max_deviation);
            }
        }
    }

    if (e->has_latency_pct) {
        static const char *const names[] = {"p50", "p90", "p99"};
        static const double qs[] = {0.50, 0.90, 0.99};
        const rs_time_t lim[] = {e->latency_p50_max, e->latency_p90_max, e->latency_p99_max};
        cJSON *lat = cJSON_AddObjectToObject(obs, "latency");
        if (w->latency.count == 0) {
            ok = false;
            g_string_append(why, "no ok answer to time; ");
        } else {
            g_string_append_printf(expl, "\nlatency of the %" PRIu64 " ok answers (R38):", w->latency.count);
            for (int k = 0; k < 3; k++) {
                rs_time_t v = rs_hist_quantile(&w->latency, qs[k]);
                if (lim[k] != RS_TIME_NEVER)
                    g_string_append_printf(facts, ", %s %s", names[k], rs_duration_format(v, b2));
                add_duration(lat, names[k], v);
                g_string_append_printf(expl, " %s %s", names[k], rs_duration_format(v, b1));
                if (lim[k] != RS_TIME_NEVER && v > lim[k]) {
                    ok = false;
                    g_string_append_printf(why, "%s latency %s, over %s; ", names[k], b1,
                                           rs_duration_format(lim[k], b2));
                }
            }
            add_duration(lat, "max", w->latency.max);
            g_string_append_printf(expl, " max %s", rs_duration_format(w->latency.max, b1));
        }
    }

    g_autoptr(GString) sum = g_string_new(NULL);
    g_string_append_printf(sum, "traffic %s", e->traffic);
    if (e->between_end != RS_TIME_NEVER)
        g_string_append_printf(sum, " between %s and %s", rs_duration_format(w->start, b1),
                               rs_duration_format(w->end, b2));
    g_string_append_printf(sum, ": %" PRIu64 " sent%s", w->sent, ok ? facts->str : "");
    if (!ok) {
        g_string_truncate(why, why->len - 2);
        g_string_append_printf(sum, ": %s", why->str);
    }
    r->summary = g_string_free(g_steal_pointer(&sum), FALSE);
    r->explanation = g_string_free(g_steal_pointer(&expl), FALSE);
    r->passed = ok;
}

/* What a probe asks for, as JSON. */
static cJSON *
probe_expected(const RsExpectSpec *e)
{
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
    return exp;
}

/* What a resolve or state expectation asks for, as the spec says it
 * (without the simulation: for an expectation never evaluated). */
static cJSON *
spec_expected(const RsExpectSpec *e)
{
    cJSON *exp = cJSON_CreateObject();
    switch (e->kind) {
    case RS_EXPECT_PROBE:
        cJSON_Delete(exp);
        return probe_expected(e);
    case RS_EXPECT_RESOLVE:
        if (e->answer_service != NULL)
            cJSON_AddStringToObject(exp, "answer", e->answer_service);
        else if (e->answer_nxdomain)
            cJSON_AddStringToObject(exp, "answer", "nxdomain");
        else
            cJSON_AddItemToObject(exp, "answer", ip_list(e->answer_ips, e->n_answer_ips));
        break;
    case RS_EXPECT_STATE:
        cJSON_AddStringToObject(exp, "state", rs_pod_state_word(e->state));
        break;
    case RS_EXPECT_ROLLOUT:
        add_duration(exp, "complete_by", e->at);
        break;
    case RS_EXPECT_READY:
        cJSON_AddNumberToObject(exp, "ready_min", e->ready_min);
        break;
    case RS_EXPECT_TRAFFIC:
        cJSON_Delete(exp);
        return traffic_expected(e);
    }
    return exp;
}

/* Fills an expectation the run never evaluated (its event never fired, or
 * a probe's answer never came): what it asked, and why it was not judged:
 * the run stopped at the event limit (--max-events) or ended (its
 * duration) at `now`, before the expectation's time. */
static void
not_evaluated(RsExpectResult *r, const RsScenario *sc, rs_time_t now, bool limited)
{
    const RsExpectSpec *e = r->spec;
    char who[160], at[32], t[32];
    rs_duration_format(e->at, at);
    rs_duration_format(now, t);
    bool sent = r->expected != NULL;        /* a probe whose request went out */
    if (r->expected == NULL)
        r->expected = spec_expected(e);
    cJSON_Delete(r->observed);
    r->observed = cJSON_CreateObject();
    cJSON_AddBoolToObject(r->observed, "evaluated", false);
    r->passed = false;
    switch (e->kind) {
    case RS_EXPECT_PROBE: {
        g_autofree char *url = rs_url_format(&e->to);
        r->summary = g_strdup_printf("%s -> %s at %s: %s", rs_from_format(&e->from, who, sizeof who), url,
                                     at, sent ? "no answer (not evaluated)" : "not evaluated");
        break;
    }
    case RS_EXPECT_RESOLVE:
        r->summary = g_strdup_printf("resolve %s from %s at %s: not evaluated", e->resolve,
                                     rs_from_format(&e->from, who, sizeof who), at);
        break;
    case RS_EXPECT_STATE:
        r->summary = g_strdup_printf("pod %s at %s: not evaluated", e->pod, at);
        break;
    case RS_EXPECT_ROLLOUT:
        r->summary = g_strdup_printf("rollout of %s by %s: not evaluated", e->pod, at);
        break;
    case RS_EXPECT_READY:
        r->summary = g_strdup_printf("deployment %s ready pods until %s: not evaluated", e->pod, at);
        break;
    case RS_EXPECT_TRAFFIC:
        r->summary = g_strdup_printf("traffic %s: not evaluated", e->traffic);
        break;
    }
    g_autofree char *stop = limited
        ? g_strdup_printf("the run stopped at the event limit (--max-events %u) at %s of simulated time",
                          sc->limits.max_events, t)
        : g_strdup_printf("the run ended at %s%s", t, sc->duration != RS_TIME_NEVER ? " (its duration)" : "");
    g_free(r->explanation);
    if (sent)
        r->explanation = g_strdup_printf("the probe was sent at %s, but %s before its answer came", at, stop);
    else
        r->explanation = g_strdup_printf("not evaluated: %s, before this expectation's time %s", stop, at);
}

/* The rollouts of the run's deployments, in creation order (R54). */
static void
collect_rollouts(RsRunResult *run, RsWorld *w)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(RsRolloutSummary));
    for (guint i = 0; i < w->workloads->len; i++) {
        const RsWorkload *wl = w->workloads->pdata[i];
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
        r->expected = probe_expected(e);
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
        check_resolve(ctx, r);
        break;
    case RS_EXPECT_STATE:
        check_state(ctx, r);
        break;
    case RS_EXPECT_ROLLOUT:
        check_rollout(ctx, r);
        break;
    case RS_EXPECT_READY:
        check_ready(ctx, r);
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
    RunCtx ctx = {.run = run, .sim = sim, .traffic = traffic, .windows = windows, .probes = probes};
    RsEngine *eng = rs_sim_engine(sim);
    if (sc->limits.max_events > 0)      /* the run-away guard (--max-events) */
        rs_engine_set_limit(eng, sc->limits.max_events);

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
            check_traffic(&ctx, r, windows[i]);
        if (r->summary == NULL)     /* its event never fired, or a probe's answer never came */
            not_evaluated(r, sc, rs_engine_now(eng), rs_engine_limit_reached(eng));
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

/* One line about a rollout; see expect.h. */
char *
rs_rollout_summary_text(const RsRolloutSummary *r)
{
    char a[32], b[32];
    rs_duration_format(r->started, a);
    if (r->complete)
        return g_strdup_printf("%s: complete at %s (started at %s)", r->deployment,
                               rs_duration_format(r->done, b), a);
    return g_strdup_printf("%s: %s (started at %s): %u of %u new pods ready, %u old pods still run (R54)",
                           r->deployment, r->stalled ? "STALLED, ProgressDeadlineExceeded" : "not complete at the end",
                           a, r->ready_new, r->replicas, r->old);
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
    if (r->log != NULL)
        g_array_unref(r->log);
    for (unsigned i = 0; i < r->n_rollouts; i++)
        g_free(r->rollouts[i].deployment);
    g_free(r->rollouts);
    g_free(r);
}
