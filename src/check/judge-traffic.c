/* judge-traffic.c: judging a traffic expectation (scenario-format.md,
 * "Expectations": `traffic` with share, spread, latency).
 *
 * A traffic expectation is judged after the run, from the statistics its
 * source kept for the requests it SENT in the window `between` [start, end)
 * (the whole run without one; traffic.h).  Three judges, one per check,
 * add to one verdict (Verdict): what was observed (JSON), what was checked
 * (for the summary line), why it failed, and the explanation lines.
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
 *
 * Cost: O(outcomes + the world's pods + the histogram's buckets) per
 * expectation, once per run.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "check/check-private.h"

/* What the judges of one traffic expectation found. */
typedef struct {
    bool ok;                    /* every check so far passed */
    GString *why;               /* the failures, each followed by "; " */
    GString *facts;             /* what was checked, ", "-led, for the summary */
    GString *expl;              /* the explanation lines */
    cJSON *obs;                 /* the observed values (the result owns it) */
} Verdict;

/* Notes a failed check: the verdict fails and `fmt` says why. */
static void G_GNUC_PRINTF(2, 3)
verdict_fail(Verdict *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    v->ok = false;
    g_string_append_vprintf(v->why, fmt, ap);
    g_string_append(v->why, "; ");
    va_end(ap);
}

/* What a traffic expectation asks for, as JSON. */
cJSON *
rs_check_traffic_expected(const RsExpectSpec *e)
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
                rs_check_add_duration(cJSON_AddObjectToObject(lat, names[k]), "max", lim[k]);
    }
    return exp;
}

/* The requests sent in the window and their outcomes (every traffic
 * expectation reports them; no request sent fails it). */
static void
judge_sent(Verdict *v, const RsExpectSpec *e, const RsTrafficWindow *w)
{
    char b1[32], b2[32], p1[32];
    rs_json_add_u64(v->obs, "sent", w->sent);
    if (e->between_end != RS_TIME_NEVER)
        g_string_append_printf(v->expl, "requests of %s sent between %s and %s: %" PRIu64, e->traffic,
                               rs_duration_format(w->start, b1), rs_duration_format(w->end, b2),
                               w->sent);
    else
        g_string_append_printf(v->expl, "requests of %s sent during the run: %" PRIu64, e->traffic,
                               w->sent);
    cJSON *counts = cJSON_AddObjectToObject(v->obs, "outcomes");
    for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++) {
        if (w->outcomes[o] == 0)
            continue;
        rs_json_add_u64(counts, rs_outcome_word((RsOutcome)o), w->outcomes[o]);
        g_string_append_printf(v->expl, "\n  %-15s %8" PRIu64 "  %s", rs_outcome_word((RsOutcome)o),
                               w->outcomes[o],
                               rs_check_pct((double)w->outcomes[o] / (double)w->sent, p1, sizeof p1));
    }
    if (w->sent == 0)
        verdict_fail(v, "no request was sent in the window");
}

/* share: each listed outcome's fraction of the requests sent within [min, max]. */
static void
judge_share(Verdict *v, const RsExpectSpec *e, const RsTrafficWindow *w)
{
    char p1[32], p2[32];
    cJSON *sh = cJSON_AddObjectToObject(v->obs, "share");
    for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++) {
        const RsRange *rg = &e->share[o];
        if (!rg->has_min && !rg->has_max)
            continue;
        const char *word = rs_outcome_word((RsOutcome)o);
        double f = (double)w->outcomes[o] / (double)w->sent;
        rs_check_add_fraction(sh, word, f);
        g_string_append_printf(v->facts, ", %s %s", word, rs_check_pct(f, p1, sizeof p1));
        if (rg->has_min && f < rg->min)
            verdict_fail(v, "%s %s, under the minimum %s", word, rs_check_pct(f, p1, sizeof p1),
                         rs_check_pct(rg->min, p2, sizeof p2));
        if (rg->has_max && f > rg->max)
            verdict_fail(v, "%s %s, over the maximum %s", word, rs_check_pct(f, p1, sizeof p1),
                         rs_check_pct(rg->max, p2, sizeof p2));
    }
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

/* The pods a spread counts (docs/model-choices.md, "Traffic expectations"):
 * the deployment's pods that answered ok in the window, plus its pods that
 * were ready for the whole window (ready_at <= start, not stopped before
 * end) without an ok answer: those are STARVED.  Appended to `order` in
 * creation order (R37: the same order on every machine); returns the ok
 * answers of them all and sets *n_starved. */
static uint64_t
spread_pods(const RsExpectSpec *e, const RsTrafficWindow *w, const RsWorld *world, GArray *order,
            unsigned *n_starved)
{
    const RsTrafficStats *st = w->stats;
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
    *n_starved = 0;
    for (unsigned i = 0; i < rs_world_n_pods(world); i++) {
        const RsPod *p = rs_world_pod_nth(world, i);
        if (p->owner == NULL || strcmp(p->owner->full, e->spread_over) != 0 ||
            p->ready_at > w->start || (p->stopped_at != RS_TIME_NEVER && p->stopped_at < w->end) ||
            g_hash_table_contains(seen, p->full))
            continue;
        SpreadPod sp_pod = {p->full, p->serial, 0, true};
        g_array_append_val(order, sp_pod);
        g_hash_table_add(seen, (gpointer)p->full);
        (*n_starved)++;
    }
    g_array_sort(order, cmp_spread_pod);
    return total;
}

/* spread (R13, R26): the service or the router picks a pod per connection;
 * over many requests each pod that could serve should get about 1/n of the
 * ok answers, within max_deviation (relative), and none is starved. */
static void
judge_spread(Verdict *v, const RsExpectSpec *e, const RsTrafficWindow *w, const RsWorld *world)
{
    char p1[32];
    g_autoptr(GArray) order = g_array_new(FALSE, FALSE, sizeof(SpreadPod));
    unsigned n_starved;
    uint64_t total = spread_pods(e, w, world, order, &n_starved);
    unsigned n = order->len;
    cJSON *sp = cJSON_AddObjectToObject(v->obs, "spread");
    cJSON *pods = cJSON_AddObjectToObject(sp, "pods");
    cJSON *starved = cJSON_AddArrayToObject(sp, "starved");
    if (n == 0) {
        verdict_fail(v, "no pod of %s answered ok or was ready for the whole window", e->spread_over);
        return;
    }
    double equal = 1.0 / n, worst = 0;
    const char *worst_pod = NULL;
    g_string_append_printf(v->expl, "\nok answers by the %u pod%s of %s counted (those that answered "
                           "ok in the window and those ready for all of it; an equal share is %s):",
                           n, n == 1 ? "" : "s", e->spread_over, rs_check_pct(equal, p1, sizeof p1));
    g_autoptr(GString) starved_names = g_string_new(NULL);
    for (unsigned k = 0; k < order->len; k++) {
        const SpreadPod *sp_pod = &g_array_index(order, SpreadPod, k);
        double f = total > 0 ? (double)sp_pod->ok / (double)total : 0.0;
        double dev = (f > equal ? f - equal : equal - f) / equal;
        rs_check_add_fraction(pods, sp_pod->name, f);
        g_string_append_printf(v->expl, "\n  %-30s %8" PRIu64 "  %s  (%+.1f %% of an equal share)%s",
                               sp_pod->name, sp_pod->ok, rs_check_pct(f, p1, sizeof p1),
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
    rs_check_add_fraction(sp, "worst_deviation", worst);
    g_string_append_printf(v->facts, ", %u pods of %s, the furthest %.1f %% off an equal share", n,
                           e->spread_over, 100.0 * worst);
    if (n_starved > 0)
        verdict_fail(v, "%s %s ready for the whole window and got no ok answer (starved)",
                     starved_names->str, n_starved == 1 ? "was" : "were");
    if (worst > e->max_deviation)
        verdict_fail(v, "%s is %.1f %% off an equal share (at most %.1f %%)", worst_pod, 100.0 * worst,
                     100.0 * e->max_deviation);
}

/* latency (R38): the p50, p90 and p99 of the ok answers at most their bounds. */
static void
judge_latency(Verdict *v, const RsExpectSpec *e, const RsTrafficWindow *w)
{
    static const char *const names[] = {"p50", "p90", "p99"};
    static const double qs[] = {0.50, 0.90, 0.99};
    const rs_time_t lim[] = {e->latency_p50_max, e->latency_p90_max, e->latency_p99_max};
    char b1[32], b2[32];
    cJSON *lat = cJSON_AddObjectToObject(v->obs, "latency");
    if (w->latency.count == 0) {
        verdict_fail(v, "no ok answer to time");
        return;
    }
    g_string_append_printf(v->expl, "\nlatency of the %" PRIu64 " ok answers (R38):", w->latency.count);
    for (int k = 0; k < 3; k++) {
        rs_time_t q = rs_hist_quantile(&w->latency, qs[k]);
        if (lim[k] != RS_TIME_NEVER)
            g_string_append_printf(v->facts, ", %s %s", names[k], rs_duration_format(q, b2));
        rs_check_add_duration(lat, names[k], q);
        g_string_append_printf(v->expl, " %s %s", names[k], rs_duration_format(q, b1));
        if (lim[k] != RS_TIME_NEVER && q > lim[k])
            verdict_fail(v, "%s latency %s, over %s", names[k], b1, rs_duration_format(lim[k], b2));
    }
    rs_check_add_duration(lat, "max", w->latency.max);
    g_string_append_printf(v->expl, " max %s", rs_duration_format(w->latency.max, b1));
}

/* Judges a traffic expectation from its window (after the run, with the
 * world as the run left it); see check-private.h. */
void
rs_judge_traffic(RsSim *sim, RsExpectResult *r, const RsTrafficWindow *w)
{
    const RsExpectSpec *e = r->spec;
    char b1[32], b2[32];
    g_autoptr(GString) why = g_string_new(NULL);
    g_autoptr(GString) facts = g_string_new(NULL);
    g_autoptr(GString) expl = g_string_new(NULL);
    Verdict v = {.ok = true, .why = why, .facts = facts, .expl = expl, .obs = cJSON_CreateObject()};
    r->expected = rs_check_traffic_expected(e);
    r->observed = v.obs;

    judge_sent(&v, e, w);
    if (e->has_share && w->sent > 0)
        judge_share(&v, e, w);
    if (e->spread_over != NULL)
        judge_spread(&v, e, w, rs_sim_world(sim));
    if (e->has_latency_pct)
        judge_latency(&v, e, w);

    g_autoptr(GString) sum = g_string_new(NULL);
    g_string_append_printf(sum, "traffic %s", e->traffic);
    if (e->between_end != RS_TIME_NEVER)
        g_string_append_printf(sum, " between %s and %s", rs_duration_format(w->start, b1),
                               rs_duration_format(w->end, b2));
    g_string_append_printf(sum, ": %" PRIu64 " sent%s", w->sent, v.ok ? facts->str : "");
    if (!v.ok) {
        g_string_truncate(why, why->len - 2);
        g_string_append_printf(sum, ": %s", why->str);
    }
    r->summary = g_string_free(g_steal_pointer(&sum), FALSE);
    r->explanation = g_string_free(g_steal_pointer(&expl), FALSE);
    r->passed = v.ok;
}
