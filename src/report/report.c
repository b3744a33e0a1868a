/* report.c: the text and JSON reports of `rahtisim run`.
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

/* Parses a --format word. */
bool
rs_format_parse(const char *word, RsFormat *out)
{
    if (strcmp(word, "text") == 0)
        *out = RS_FORMAT_TEXT;
    else if (strcmp(word, "json") == 0)
        *out = RS_FORMAT_JSON;
    else
        return false;
    return true;
}

/* Adds an exact 64-bit integer (cJSON numbers are doubles; raw keeps every digit). */
static void
add_u64(cJSON *obj, const char *key, uint64_t v)
{
    char buf[32];
    g_snprintf(buf, sizeof buf, "%" PRIu64, v);
    cJSON_AddItemToObject(obj, key, cJSON_CreateRaw(buf));
}

/* The JSON object for one run, as scenario-format.md lays it out. */
cJSON *
rs_report_json_run(const RsRunResult *run)
{
    const RsScenario *sc = run->scenario;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "rahtisim", PACKAGE_VERSION);
    cJSON_AddStringToObject(o, "scenario", sc->name);
    add_u64(o, "seed", run->seed);
    cJSON_AddStringToObject(o, "profile", sc->profile.name);
    add_u64(o, "duration_ns", (uint64_t)run->duration);
    add_u64(o, "events", run->events);
    cJSON *list = cJSON_AddArrayToObject(o, "expectations");
    for (unsigned i = 0; i < run->n_results; i++) {
        const RsExpectResult *r = &run->results[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "index", r->index);
        if (r->spec->description != NULL)
            cJSON_AddStringToObject(e, "description", r->spec->description);
        cJSON_AddNumberToObject(e, "line", r->spec->pos.line);
        cJSON_AddBoolToObject(e, "passed", r->passed);
        cJSON_AddItemToObject(e, "expected",
                              r->expected ? cJSON_Duplicate(r->expected, 1) : cJSON_CreateObject());
        cJSON_AddItemToObject(e, "observed",
                              r->observed ? cJSON_Duplicate(r->observed, 1) : cJSON_CreateObject());
        cJSON_AddStringToObject(e, "explanation", r->explanation ? r->explanation : "");
        cJSON_AddItemToArray(list, e);
    }
    cJSON_AddArrayToObject(o, "traffic");
    cJSON *sum = cJSON_AddObjectToObject(o, "summary");
    cJSON_AddNumberToObject(sum, "expectations", run->n_results);
    cJSON_AddNumberToObject(sum, "passed", run->passed);
    cJSON_AddNumberToObject(sum, "failed", run->failed);
    return o;
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

/* The human report of one run. */
static void
report_text_run(GString *out, const RsRunResult *run, const RsReportOptions *opt)
{
    const RsScenario *sc = run->scenario;
    char dur[32];

    g_string_append_printf(out, "scenario %s (%s), seed %" PRIu64 ", profile %s\n", sc->name,
                           sc->file, run->seed, sc->profile.name);
    if (!opt->quiet && sc->description != NULL)
        g_string_append_printf(out, "  %s\n", sc->description);
    g_string_append_printf(out, "  simulated %s in %" PRIu64 " events\n",
                           rs_duration_format(run->duration, dur), run->events);
    if (opt->trace && run->log != NULL && run->log->len > 0) {
        g_string_append(out, "\nwhat happened:\n");
        for (unsigned i = 0; i < run->log->len; i++)
            g_string_append_printf(out, "  %s\n", (const char *)run->log->pdata[i]);
    }
    if (run->n_results > 0 && (!opt->quiet || run->failed > 0))
        g_string_append_c(out, '\n');
    for (unsigned i = 0; i < run->n_results; i++) {
        const RsExpectResult *r = &run->results[i];
        if (opt->quiet && r->passed)
            continue;
        g_string_append_printf(out, "%s #%u (line %d) %s\n", r->passed ? "PASS" : "FAIL", r->index,
                               r->spec->pos.line, r->summary ? r->summary : "");
        if (r->spec->description != NULL)
            g_string_append_printf(out, "      %s\n", r->spec->description);
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
    if (opt->format == RS_FORMAT_JSON) {
        cJSON *doc;
        if (n_runs == 1) {
            doc = rs_report_json_run(runs[0]);
        } else {
            doc = cJSON_CreateArray();
            for (unsigned i = 0; i < n_runs; i++)
                cJSON_AddItemToArray(doc, rs_report_json_run(runs[i]));
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
