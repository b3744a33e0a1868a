/* expect.c: the judges of probes, resolves, pod states, rollouts and ready
 * pods (scenario-format.md, "Expectations").
 *
 * The runner (run.c) calls each at its expectation's time, so it sees
 * exactly the state the scenario's events left at that instant (R37).  A
 * probe's hops become its explanation, with the notes on what a router's
 * loaded configuration hid (reload-note.c, R28); a resolve walks the
 * resolver now (R17); a state check reads the pod's state now; a rollout
 * and a ready-pods check read the deployment's history (R52, R54, R55).
 * Traffic expectations have their own judges (judge-traffic.c).
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check/check-private.h"

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

/* Judges a probe's answer against its expectation (scenario-format.md). */
void
rs_judge_probe(RsSim *sim, RsExpectResult *r, const RsResult *res)
{
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
        rs_check_add_ip(obs, "source_ip", res->source_ip);
    rs_check_add_duration(obs, "latency", res->latency);
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
void
rs_judge_resolve(RsSim *sim, RsExpectResult *r)
{
    const RsExpectSpec *e = r->spec;
    char who[160], at[32];
    RsDnsWalk walk;
    GError *err = NULL;
    bool found = rs_sim_resolve(sim, &e->from, e->resolve, &walk, &err);

    cJSON *exp = cJSON_CreateObject();
    g_autofree uint32_t *want = NULL;
    unsigned n_want = 0;
    bool want_nx = e->answer_nxdomain;
    if (e->answer_service != NULL) {
        cJSON_AddStringToObject(exp, "answer", e->answer_service);
        g_auto(GStrv) parts = g_strsplit(e->answer_service, "/", 2);
        uint32_t ip;
        if (rs_sim_service_ip(sim, parts[0], parts[1], &ip)) {
            want = g_new(uint32_t, 1);
            want[0] = ip;
            n_want = 1;
            rs_check_add_ip(exp, "address", ip);
        } else {
            /* Headless (R16): the name must answer with the service's ready
             * endpoints; with none it does not resolve, and the check fails. */
            n_want = rs_sim_service_endpoints(sim, parts[0], parts[1], &want);
            cJSON_AddItemToObject(exp, "addresses", rs_check_ip_list(want, n_want));
        }
    } else if (e->answer_nxdomain) {
        cJSON_AddStringToObject(exp, "answer", "nxdomain");
    } else {
        want = g_memdup2(e->answer_ips, e->n_answer_ips * sizeof *want);
        n_want = e->n_answer_ips;
        cJSON_AddItemToObject(exp, "answer", rs_check_ip_list(want, n_want));
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
        cJSON_AddItemToObject(obs, "answer", rs_check_ip_list(walk.addrs, walk.n_addrs));
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
        qsort(got, walk.n_addrs, sizeof *got, rs_check_cmp_u32);
        if (n_want > 0)
            qsort(want, n_want, sizeof *want, rs_check_cmp_u32);
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
void
rs_judge_state(RsSim *sim, RsExpectResult *r)
{
    const RsExpectSpec *e = r->spec;
    char buf[32];
    g_auto(GStrv) parts = g_strsplit(e->pod, "/", 2);
    RsPodState st = rs_sim_pod_state(sim, parts[0], parts[1]);
    r->expected = cJSON_CreateObject();
    cJSON_AddStringToObject(r->expected, "state", rs_pod_state_word(e->state));
    r->observed = cJSON_CreateObject();
    cJSON_AddStringToObject(r->observed, "state", rs_pod_state_word(st));
    r->passed = st == e->state;
    r->summary = g_strdup_printf("pod %s at %s: %s", e->pod, rs_duration_format(e->at, buf),
                                 rs_pod_state_word(st));
    r->explanation = rs_sim_pod_history(sim, parts[0], parts[1]);
}

/* Judges a rollout expectation at its complete_by time (R54). */
void
rs_judge_rollout(RsSim *sim, RsExpectResult *r)
{
    const RsExpectSpec *e = r->spec;
    char by[32], t[32];
    g_auto(GStrv) parts = g_strsplit(e->pod, "/", 2);
    const RsWorkload *wl = rs_world_workload(rs_sim_world(sim), parts[0], parts[1]);
    r->expected = cJSON_CreateObject();
    rs_check_add_duration(r->expected, "complete_by", e->at);
    r->observed = cJSON_CreateObject();
    rs_duration_format(e->at, by);
    bool done = wl != NULL && wl->rollouts > 0 && !wl->rolling;
    cJSON_AddNumberToObject(r->observed, "rollouts", wl != NULL ? wl->rollouts : 0);
    cJSON_AddBoolToObject(r->observed, "complete", done);
    cJSON_AddBoolToObject(r->observed, "stalled", wl != NULL && wl->stalled);
    if (done)
        rs_check_add_duration(r->observed, "completed_at", wl->rollout_done);
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
    r->explanation = rs_sim_pod_history(sim, parts[0], parts[1]);
}

/* Judges a ready-pods expectation at the end of its window (R52, R54, R55). */
void
rs_judge_ready(RsSim *sim, RsExpectResult *r)
{
    const RsExpectSpec *e = r->spec;
    char a[32], b[32], t[32];
    g_auto(GStrv) parts = g_strsplit(e->pod, "/", 2);
    const RsWorkload *wl = rs_world_workload(rs_sim_world(sim), parts[0], parts[1]);
    rs_time_t when = e->between_start;
    unsigned least = wl != NULL ? rs_workload_ready_min(wl, e->between_start, e->between_end, &when) : 0;
    r->expected = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->expected, "ready_min", e->ready_min);
    r->observed = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->observed, "ready_min", least);
    rs_check_add_duration(r->observed, "at", when);
    r->passed = least >= e->ready_min;
    r->summary = g_strdup_printf("deployment %s between %s and %s: at least %u ready (fewest %u at %s)",
                                 e->pod, rs_duration_format(e->between_start, a),
                                 rs_duration_format(e->between_end, b), e->ready_min, least,
                                 rs_duration_format(when, t));
    r->explanation = rs_sim_pod_history(sim, parts[0], parts[1]);
}

/* What a probe asks for, as JSON. */
cJSON *
rs_check_probe_expected(const RsExpectSpec *e)
{
    cJSON *exp = cJSON_CreateObject();
    if (e->has_outcome)
        cJSON_AddStringToObject(exp, "outcome", rs_outcome_word(e->outcome));
    if (e->pod_glob != NULL)
        cJSON_AddStringToObject(exp, "pod", e->pod_glob);
    if (e->status >= 0)
        cJSON_AddNumberToObject(exp, "status", e->status);
    if (e->has_source_ip)
        rs_check_add_ip(exp, "source_ip", e->source_ip);
    if (e->has_latency_min || e->has_latency_max) {
        cJSON *lat = cJSON_AddObjectToObject(exp, "latency");
        if (e->has_latency_min)
            rs_check_add_duration(lat, "min", e->latency_min);
        if (e->has_latency_max)
            rs_check_add_duration(lat, "max", e->latency_max);
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
        return rs_check_probe_expected(e);
    case RS_EXPECT_RESOLVE:
        if (e->answer_service != NULL)
            cJSON_AddStringToObject(exp, "answer", e->answer_service);
        else if (e->answer_nxdomain)
            cJSON_AddStringToObject(exp, "answer", "nxdomain");
        else
            cJSON_AddItemToObject(exp, "answer", rs_check_ip_list(e->answer_ips, e->n_answer_ips));
        break;
    case RS_EXPECT_STATE:
        cJSON_AddStringToObject(exp, "state", rs_pod_state_word(e->state));
        break;
    case RS_EXPECT_ROLLOUT:
        rs_check_add_duration(exp, "complete_by", e->at);
        break;
    case RS_EXPECT_READY:
        cJSON_AddNumberToObject(exp, "ready_min", e->ready_min);
        break;
    case RS_EXPECT_TRAFFIC:
        cJSON_Delete(exp);
        return rs_check_traffic_expected(e);
    case RS_EXPECT_MATRIX:
        cJSON_Delete(exp);
        return rs_check_matrix_expected(e);
    }
    return exp;
}

/* Fills an expectation the run never evaluated (its event never fired, or
 * a probe's answer never came): what it asked, and why it was not judged:
 * the run stopped at the event limit (--max-events) or ended (its
 * duration) at `now`, before the expectation's time. */
void
rs_judge_not_evaluated(RsExpectResult *r, const RsScenario *sc, rs_time_t now, bool limited)
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
    case RS_EXPECT_MATRIX:
        r->summary = g_strdup_printf("matrix %ux%u at %s: %s", e->n_matrix_from, e->n_matrix_to, at,
                                     sent ? "not every answer came (not evaluated)" : "not evaluated");
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
