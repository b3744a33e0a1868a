/* report.c: the text and JSON reports of `rahtisim run` (TAP and JUnit:
 * report-ci.c).
 *
 * Both are built in memory from RsRunResult (no printing here), in a fixed
 * order (file order of expectations, then the log), so the same scenario and
 * seed give byte-identical output on any machine (R37).  The JSON layout is
 * public interface: scenario-format.md, "JSON report".
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "rahtisim/report.h"
#include "rahtisim/util.h"
#include "rahtisim/sim.h"
#include "rahtisim/util.h"
#include "report/report-private.h"

/* Parses a --format word. */
bool
rs_format_parse(const char *word, RsFormat *out)
{
    if (strcmp(word, "text") == 0)
        *out = RS_FORMAT_TEXT;
    else if (strcmp(word, "json") == 0)
        *out = RS_FORMAT_JSON;
    else if (strcmp(word, "tap") == 0)
        *out = RS_FORMAT_TAP;
    else if (strcmp(word, "junit") == 0)
        *out = RS_FORMAT_JUNIT;
    else if (strcmp(word, "html") == 0)
        *out = RS_FORMAT_HTML;
    else
        return false;
    return true;
}

/* A pod's name and answers, for sorting the JSON "pods" by name. */
typedef struct {
    const char *name;
    uint64_t served;
} PodCount;

/* Orders pods by name. */
static gint
cmp_pod_count(gconstpointer a, gconstpointer b)
{
    return strcmp(((const PodCount *)a)->name, ((const PodCount *)b)->name);
}

/* The JSON "traffic" entry of one source: name, sent, outcomes (those that
 * happened, in the fixed outcome order), pods (answers per pod, sorted by
 * name: every pod that answered, and with 0 every pod behind the target that
 * existed while the source sent, traffic.h idle_pods) and latency_ns of the
 * ok answers (histogram.h). */
cJSON *
rs_report_json_traffic(const RsTrafficStats *st)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", st->name);
    rs_json_add_u64(t, "sent", st->sent);
    cJSON *oc = cJSON_AddObjectToObject(t, "outcomes");
    for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++)
        if (st->outcomes[o] > 0)
            rs_json_add_u64(oc, rs_outcome_word((RsOutcome)o), st->outcomes[o]);
    cJSON *pods = cJSON_AddObjectToObject(t, "pods");
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(PodCount));
    for (unsigned i = 0; i < st->pods->len; i++) {
        const RsTrafficPod *p = st->pods->pdata[i];
        PodCount c = {p->name, p->served};
        g_array_append_val(all, c);
    }
    for (unsigned i = 0; st->idle_pods != NULL && i < st->idle_pods->len; i++) {
        PodCount c = {st->idle_pods->pdata[i], 0};
        g_array_append_val(all, c);
    }
    g_array_sort(all, cmp_pod_count);
    for (guint i = 0; i < all->len; i++)
        rs_json_add_u64(pods, g_array_index(all, PodCount, i).name, g_array_index(all, PodCount, i).served);
    cJSON *lat = cJSON_AddObjectToObject(t, "latency_ns");
    rs_json_add_u64(lat, "p50", (uint64_t)rs_hist_quantile(&st->latency, 0.50));
    rs_json_add_u64(lat, "p90", (uint64_t)rs_hist_quantile(&st->latency, 0.90));
    rs_json_add_u64(lat, "p99", (uint64_t)rs_hist_quantile(&st->latency, 0.99));
    rs_json_add_u64(lat, "max", (uint64_t)(st->latency.count ? st->latency.max : 0));
    return t;
}

/* The JSON object for one run, as scenario-format.md lays it out; with
 * `trace`, also "log": the event log, one object an entry. */
static cJSON *
json_run(const RsRunResult *run, bool trace)
{
    const RsScenario *sc = run->scenario;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "rahtisim", PACKAGE_VERSION);
    cJSON_AddStringToObject(o, "scenario", sc->name);
    rs_json_add_u64(o, "seed", run->seed);
    cJSON_AddStringToObject(o, "profile", sc->profile.name);
    rs_json_add_u64(o, "duration_ns", (uint64_t)run->duration);
    rs_json_add_u64(o, "events", run->events);
    /* what the loader warned about: a CI job sees it with the results */
    cJSON *warnings = cJSON_AddArrayToObject(o, "warnings");
    for (guint i = 0; sc->warnings && i < sc->warnings->len; i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(sc->warnings->pdata[i]));
    cJSON *list = cJSON_AddArrayToObject(o, "expectations");
    for (unsigned i = 0; i < run->n_results; i++) {
        const RsExpectResult *r = &run->results[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "index", r->index);
        if (r->spec->id)
            cJSON_AddStringToObject(e, "id", r->spec->id);
        /* Always a string, "" when the scenario gave none (scenario-format.md). */
        cJSON_AddStringToObject(e, "description", r->spec->description ? r->spec->description : "");
        cJSON_AddNumberToObject(e, "line", r->spec->pos.line);
        cJSON_AddBoolToObject(e, "passed", r->passed);
        cJSON_AddItemToObject(e, "expected",
                              r->expected ? cJSON_Duplicate(r->expected, 1) : cJSON_CreateObject());
        cJSON_AddItemToObject(e, "observed",
                              r->observed ? cJSON_Duplicate(r->observed, 1) : cJSON_CreateObject());
        cJSON_AddStringToObject(e, "explanation", r->explanation ? r->explanation : "");
        cJSON_AddItemToArray(list, e);
    }
    cJSON *traffic = cJSON_AddArrayToObject(o, "traffic");
    for (unsigned i = 0; i < run->n_traffic; i++)
        cJSON_AddItemToArray(traffic, rs_report_json_traffic(run->traffic[i]));
    if (run->n_rollouts > 0) {
        /* R54: whether each deployment's last rollout completed or stalled */
        cJSON *ro = cJSON_AddArrayToObject(o, "rollouts");
        for (unsigned i = 0; i < run->n_rollouts; i++) {
            const RsRolloutSummary *r = &run->rollouts[i];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "deployment", r->deployment);
            cJSON_AddNumberToObject(e, "rollouts", r->rollouts);
            rs_json_add_u64(e, "started_ns", (uint64_t)r->started);
            cJSON_AddBoolToObject(e, "complete", r->complete);
            if (r->complete)
                rs_json_add_u64(e, "completed_ns", (uint64_t)r->done);
            cJSON_AddBoolToObject(e, "stalled", r->stalled);
            cJSON_AddNumberToObject(e, "new_ready", r->ready_new);
            cJSON_AddNumberToObject(e, "replicas", r->replicas);
            cJSON_AddNumberToObject(e, "old_pods", r->old);
            cJSON_AddItemToArray(ro, e);
        }
    }
    cJSON *sum = cJSON_AddObjectToObject(o, "summary");
    cJSON_AddNumberToObject(sum, "expectations", run->n_results);
    cJSON_AddNumberToObject(sum, "passed", run->passed);
    cJSON_AddNumberToObject(sum, "failed", run->failed);
    if (trace) {
        /* The log as data: exact times and the rule as its own field. */
        cJSON *log = cJSON_AddArrayToObject(o, "log");
        for (unsigned i = 0; run->log != NULL && i < run->log->len; i++) {
            const RsLogEntry *le = &g_array_index(run->log, RsLogEntry, i);
            cJSON *e = cJSON_CreateObject();
            rs_json_add_u64(e, "at_ns", (uint64_t)le->at);
            cJSON_AddStringToObject(e, "rule", rs_rule_id(le->rule));
            cJSON_AddStringToObject(e, "text", le->text);
            cJSON_AddItemToArray(log, e);
        }
        if (run->log_dropped > 0)
            rs_json_add_u64(o, "log_dropped", run->log_dropped);
    }
    return o;
}

/* The JSON object for one run, as scenario-format.md lays it out. */
cJSON *
rs_report_json_run(const RsRunResult *run)
{
    return json_run(run, false);
}

/* Appends `text` with every line after the first indented by `indent`. */
static void
append_indented(GString *out, const char *indent, const char *text)
{
    for (const char *p = text; *p; p++) {
        g_string_append_c(out, *p);
        if (*p == '\n' && p[1] != '\0')
            g_string_append(out, indent);
    }
}

/* The traffic sources' statistics, one paragraph each. */
static void
report_text_traffic(GString *out, const RsRunResult *run)
{
    char b1[32], b2[32], b3[32], b4[32];
    for (unsigned i = 0; i < run->n_traffic; i++) {
        const RsTrafficStats *st = run->traffic[i];
        const RsTrafficSpec *t = st->spec;
        g_string_append_printf(out, "%straffic %s: %" PRIu64 " sent", i ? "" : "\n", st->name, st->sent);
        if (t != NULL)
            g_string_append_printf(out, " (%g/s %s from %s, %u client%s)", t->rate,
                                   t->arrivals == RS_ARRIVALS_CONSTANT ? "constant" : "poisson",
                                   rs_duration_format(t->start, b1), t->clients,
                                   t->clients == 1 ? "" : "s");
        g_string_append(out, "\n  outcomes:");
        for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++)
            if (st->outcomes[o] > 0)
                g_string_append_printf(out, " %s %" PRIu64 " (%.1f %%)", rs_outcome_word((RsOutcome)o),
                                       st->outcomes[o], 100.0 * (double)st->outcomes[o] / (double)st->sent);
        g_string_append(out, "\n  answers by pod:");
        if (st->pods->len == 0)
            g_string_append(out, " none");
        for (unsigned k = 0; k < st->pods->len; k++) {
            const RsTrafficPod *p = st->pods->pdata[k];
            g_string_append_printf(out, " %s %" PRIu64, p->name, p->served);
        }
        if (st->latency.count > 0)
            g_string_append_printf(out, "\n  latency of ok answers (R38): p50 %s, p90 %s, p99 %s, max %s",
                                   rs_duration_format(rs_hist_quantile(&st->latency, 0.50), b1),
                                   rs_duration_format(rs_hist_quantile(&st->latency, 0.90), b2),
                                   rs_duration_format(rs_hist_quantile(&st->latency, 0.99), b3),
                                   rs_duration_format(st->latency.max, b4));
        g_string_append_c(out, '\n');
    }
}

/* The human report of one run. */
static void
report_text_run(GString *out, const RsRunResult *run, const RsReportOptions *opt)
{
    const RsScenario *sc = run->scenario;
    char dur[32];

    g_string_append_printf(out, "scenario %s (%s), seed %" PRIu64 ", profile %s\n", sc->name,
                           sc->file, run->seed, sc->profile.name);
    if (!opt->quiet && sc->description != NULL)
        rs_wrap_append(out, sc->description, "  ", opt->wrap);
    g_string_append_printf(out, "  simulated %s in %" PRIu64 " events\n",
                           rs_duration_format(run->duration, dur), run->events);
    /* the loader's warnings (issue 12), each with its rule id, as in the JSON,
     * TAP and JUnit reports; also with --quiet, since they are what a CI log
     * must show */
    for (guint i = 0; sc->warnings && i < sc->warnings->len; i++) {
        g_string_append(out, "  ");
        append_indented(out, "    ", sc->warnings->pdata[i]);
        g_string_append_c(out, '\n');
    }
    if (opt->trace && run->log != NULL && run->log->len > 0) {
        g_autoptr(GPtrArray) lines = rs_report_log_lines(run);
        g_string_append(out, "\nwhat happened:\n");
        for (unsigned i = 0; i < lines->len; i++)
            g_string_append_printf(out, "  %s\n", (const char *)lines->pdata[i]);
    }
    if (!opt->quiet)
        report_text_traffic(out, run);
    for (unsigned i = 0; i < run->n_rollouts; i++) {
        /* R54: a stalled rollout is reported even in --quiet */
        if (opt->quiet && run->rollouts[i].complete)
            continue;
        g_autofree char *line = rs_rollout_summary_text(&run->rollouts[i]);
        g_string_append_printf(out, "%srollout %s\n", i == 0 ? "\n" : "", line);
    }
    if (run->n_results > 0 && (!opt->quiet || run->failed > 0))
        g_string_append_c(out, '\n');
    for (unsigned i = 0; i < run->n_results; i++) {
        const RsExpectResult *r = &run->results[i];
        if (opt->quiet && r->passed)
            continue;
        if (r->spec->id)
            g_string_append_printf(out, "%s %s (line %d) %s\n", r->passed ? "PASS" : "FAIL", r->spec->id,
                                   r->spec->pos.line, r->summary ? r->summary : "");
        else
            g_string_append_printf(out, "%s #%u (line %d) %s\n", r->passed ? "PASS" : "FAIL", r->index,
                                   r->spec->pos.line, r->summary ? r->summary : "");
        if (r->spec->description != NULL)
            rs_wrap_append(out, r->spec->description, "      ", opt->wrap);
        if (r->passed)
            continue;
        g_autofree char *exp = r->expected ? cJSON_PrintUnformatted(r->expected) : NULL;
        g_autofree char *obs = r->observed ? cJSON_PrintUnformatted(r->observed) : NULL;
        g_string_append_printf(out, "      expected: %s\n      observed: %s\n", exp ? exp : "{}",
                               obs ? obs : "{}");
        if (r->explanation != NULL && r->explanation[0] != '\0') {
            g_string_append(out, "      why:\n        ");
            append_indented(out, "        ", r->explanation);
            if (out->str[out->len - 1] != '\n')
                g_string_append_c(out, '\n');
        }
    }
    g_string_append_printf(out, "%u expectation%s: %u passed, %u failed\n", run->n_results,
                           run->n_results == 1 ? "" : "s", run->passed, run->failed);
}

/* Appends the report of every run in the requested format. */
void
rs_report(GString *out, RsRunResult *const *runs, unsigned n_runs, const RsReportOptions *opt)
{
    if (opt->format == RS_FORMAT_TAP) {
        rs_report_tap(out, runs, n_runs, opt->trace);
        return;
    }
    if (opt->format == RS_FORMAT_JUNIT) {
        rs_report_junit(out, runs, n_runs, opt->trace);
        return;
    }
    if (opt->format == RS_FORMAT_JSON) {
        cJSON *doc;
        if (n_runs == 1) {
            doc = json_run(runs[0], opt->trace);
        } else {
            doc = cJSON_CreateArray();
            for (unsigned i = 0; i < n_runs; i++)
                cJSON_AddItemToArray(doc, json_run(runs[i], opt->trace));
        }
        char *text = cJSON_Print(doc);
        g_string_append(out, text);
        g_string_append_c(out, '\n');
        cJSON_free(text);
        cJSON_Delete(doc);
        return;
    }
    unsigned total = 0, passed = 0, failed = 0;
    for (unsigned i = 0; i < n_runs; i++) {
        if (i > 0)
            g_string_append_c(out, '\n');
        report_text_run(out, runs[i], opt);
        total += runs[i]->n_results;
        passed += runs[i]->passed;
        failed += runs[i]->failed;
    }
    if (n_runs > 1)
        g_string_append_printf(out, "\ntotal: %u scenarios, %u expectations: %u passed, %u failed\n",
                               n_runs, total, passed, failed);
}
