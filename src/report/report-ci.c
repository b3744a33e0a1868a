/* report-ci.c: the reports CI jobs read: TAP version 13 and JUnit XML.
 *
 * Both list one test per expectation, in file order, across every run; a
 * failure carries its summary, what was expected and observed (JSON) and
 * the explanation (hops, counts, rules).  Scenario strings (names,
 * descriptions, file names) are untrusted here: TAP lines get no raw line
 * break or `#` (which would start a directive), YAML values are JSON
 * strings (YAML 1.2 reads JSON), and XML text and attributes are escaped
 * with every character XML 1.0 forbids replaced.  Like the other reports
 * these are pure functions of the results: no clock, no host name (R37).
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "rahtisim/report.h"
#include "report/report-private.h"

/* Appends `text` on one TAP line: control characters become spaces, `#`
 * and `\` are escaped (TAP reads an unescaped `#` as a directive). */
static void
tap_line_text(GString *out, const char *text)
{
    g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
    for (const char *p = valid; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            g_string_append_c(out, ' ');
        else if (c == '#' || c == '\\')
            g_string_append_printf(out, "\\%c", c);
        else
            g_string_append_c(out, (char)c);
    }
}

/* Appends `text` as a JSON string, which YAML reads as a double-quoted scalar. */
static void
yaml_string(GString *out, const char *text)
{
    g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
    cJSON *s = cJSON_CreateString(valid);
    char *p = cJSON_PrintUnformatted(s);
    g_string_append(out, p);
    cJSON_free(p);
    cJSON_Delete(s);
}

/* Appends a JSON value on one line (a YAML flow value), or {} when none. */
static void
yaml_json(GString *out, const cJSON *v)
{
    if (v == NULL) {
        g_string_append(out, "{}");
        return;
    }
    char *p = cJSON_PrintUnformatted(v);
    g_string_append(out, p);
    cJSON_free(p);
}

/* TAP version 13; see report.h. */
void
rs_report_tap(GString *out, RsRunResult *const *runs, unsigned n_runs, bool trace)
{
    unsigned total = 0, n = 0;
    for (unsigned i = 0; i < n_runs; i++)
        total += runs[i]->n_results;
    g_string_append(out, "TAP version 13\n");
    g_string_append_printf(out, "1..%u\n", total);
    for (unsigned i = 0; i < n_runs; i++) {
        const RsRunResult *run = runs[i];
        const RsScenario *sc = run->scenario;
        g_string_append(out, "# scenario ");
        tap_line_text(out, sc->name);
        g_string_append(out, " (");
        tap_line_text(out, sc->file);
        g_string_append_printf(out, "), seed %" PRIu64 ": %u passed, %u failed\n", run->seed,
                               run->passed, run->failed);
        for (unsigned k = 0; k < run->n_rollouts; k++) {
            g_autofree char *line = rs_rollout_summary_text(&run->rollouts[k]);
            g_string_append(out, "# rollout ");      /* R54: complete or stalled */
            tap_line_text(out, line);
            g_string_append_c(out, '\n');
        }
        for (guint k = 0; sc->warnings && k < sc->warnings->len; k++) {
            g_string_append(out, "# ");
            tap_line_text(out, sc->warnings->pdata[k]);
            g_string_append_c(out, '\n');
        }
        if (trace && run->log != NULL && run->log->len > 0) {
            g_autoptr(GPtrArray) lines = rs_report_log_lines(run);
            g_string_append(out, "# what happened:\n");
            for (unsigned k = 0; k < lines->len; k++) {
                g_string_append(out, "# ");
                tap_line_text(out, lines->pdata[k]);
                g_string_append_c(out, '\n');
            }
        }
        for (unsigned k = 0; k < run->n_results; k++) {
            const RsExpectResult *r = &run->results[k];
            g_string_append_printf(out, "%s %u - ", r->passed ? "ok" : "not ok", ++n);
            tap_line_text(out, sc->name);
            if (r->spec->id) {
                g_string_append_c(out, ' ');
                tap_line_text(out, r->spec->id);
                g_string_append_printf(out, " (line %d): ", r->spec->pos.line);
            } else {
                g_string_append_printf(out, " #%u (line %d): ", r->index, r->spec->pos.line);
            }
            tap_line_text(out, r->spec->description ? r->spec->description : r->summary);
            g_string_append_c(out, '\n');
            if (r->passed)
                continue;
            g_string_append(out, "  ---\n  message: ");
            yaml_string(out, r->summary);
            g_string_append(out, "\n  file: ");
            yaml_string(out, sc->file);
            g_string_append_printf(out, "\n  line: %d\n  expected: ", r->spec->pos.line);
            yaml_json(out, r->expected);
            g_string_append(out, "\n  observed: ");
            yaml_json(out, r->observed);
            g_string_append(out, "\n  explanation: ");
            yaml_string(out, r->explanation);
            g_string_append(out, "\n  ...\n");
        }
    }
}

/* Appends `text` escaped for XML 1.0 text or a double-quoted attribute:
 * markup characters as entities, forbidden characters (controls other than
 * tab and line breaks, U+FFFE, U+FFFF) as U+FFFD; in attributes, tabs and
 * line breaks as character references so they survive normalisation. */
static void
xml_text(GString *out, const char *text, bool attribute)
{
    g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        switch (c) {
        case '&': g_string_append(out, "&amp;"); continue;
        case '<': g_string_append(out, "&lt;"); continue;
        case '>': g_string_append(out, "&gt;"); continue;
        case '"': g_string_append(out, "&quot;"); continue;
        case '\'': g_string_append(out, "&apos;"); continue;
        case '\t': case '\n': case '\r':
            if (attribute)
                g_string_append_printf(out, "&#%u;", (unsigned)c);
            else
                g_string_append_c(out, (char)c);
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == 0xFFFE || c == 0xFFFF)
            g_string_append(out, "\xEF\xBF\xBD");
        else
            g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
}

/* A JUnit document for input that did not load; see report.h. */
void
rs_report_junit_error(GString *out, const char *file, const char *message)
{
    g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<testsuites name=\"rahtisim\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
                         "  <testsuite name=\"");
    xml_text(out, file, true);
    g_string_append(out, "\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
                         "    <testcase classname=\"rahtisim.load\" name=\"");
    xml_text(out, file, true);
    g_string_append(out, ": load\">\n      <error type=\"bad-input\" message=\"");
    xml_text(out, message, true);
    g_string_append(out, "\">");
    xml_text(out, message, false);
    g_string_append(out, "</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n");
}

/* One expectation's failure text: summary, expected, observed, why. */
static char *
failure_text(const RsExpectResult *r)
{
    GString *s = g_string_new(r->summary);
    g_autofree char *exp = r->expected ? cJSON_PrintUnformatted(r->expected) : g_strdup("{}");
    g_autofree char *obs = r->observed ? cJSON_PrintUnformatted(r->observed) : g_strdup("{}");
    g_string_append_printf(s, "\nexpected: %s\nobserved: %s", exp, obs);
    if (r->explanation != NULL && r->explanation[0] != '\0')
        g_string_append_printf(s, "\nwhy:\n%s", r->explanation);
    return g_string_free(s, FALSE);
}

/* JUnit XML; see report.h. */
void
rs_report_junit(GString *out, RsRunResult *const *runs, unsigned n_runs, bool trace)
{
    unsigned total = 0, failed = 0;
    for (unsigned i = 0; i < n_runs; i++) {
        total += runs[i]->n_results;
        failed += runs[i]->failed;
    }
    g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    g_string_append_printf(out, "<testsuites name=\"rahtisim\" tests=\"%u\" failures=\"%u\" errors=\"0\">\n",
                           total, failed);
    for (unsigned i = 0; i < n_runs; i++) {
        const RsRunResult *run = runs[i];
        const RsScenario *sc = run->scenario;
        g_string_append(out, "  <testsuite name=\"");
        xml_text(out, sc->name, true);
        g_string_append_printf(out, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"0\">\n",
                               run->n_results, run->failed);
        g_string_append(out, "    <properties>\n      <property name=\"file\" value=\"");
        xml_text(out, sc->file, true);
        g_string_append_printf(out, "\"/>\n      <property name=\"seed\" value=\"%" PRIu64 "\"/>\n"
                               "      <property name=\"profile\" value=\"", run->seed);
        xml_text(out, sc->profile.name, true);
        g_string_append(out, "\"/>\n");
        for (unsigned k = 0; k < run->n_rollouts; k++) {
            g_autofree char *line = rs_rollout_summary_text(&run->rollouts[k]);
            g_string_append(out, "      <property name=\"rollout\" value=\"");    /* R54 */
            xml_text(out, line, true);
            g_string_append(out, "\"/>\n");
        }
        g_string_append(out, "    </properties>\n");
        for (unsigned k = 0; k < run->n_results; k++) {
            const RsExpectResult *r = &run->results[k];
            g_string_append(out, "    <testcase classname=\"rahtisim.");
            xml_text(out, sc->name, true);
            if (r->spec->id) {
                g_string_append(out, "\" name=\"");
                xml_text(out, r->spec->id, true);
            } else {
                g_string_append_printf(out, "\" name=\"#%u (line %d)", r->index, r->spec->pos.line);
            }
            if (r->spec->description != NULL && r->spec->id == NULL) {
                g_string_append(out, ": ");
                xml_text(out, r->spec->description, true);
            }
            g_string_append(out, "\">\n");
            if (!r->passed) {
                g_autofree char *text = failure_text(r);
                g_string_append(out, "      <failure type=\"expectation\" message=\"");
                xml_text(out, r->summary, true);
                g_string_append(out, "\">");
                xml_text(out, text, false);
                g_string_append(out, "</failure>\n");
            }
            g_string_append(out, "      <system-out>");
            xml_text(out, r->summary, false);
            g_string_append(out, "</system-out>\n    </testcase>\n");
        }
        if (trace && run->log != NULL && run->log->len > 0) {
            g_autoptr(GPtrArray) lines = rs_report_log_lines(run);
            g_string_append(out, "    <system-out>");
            for (unsigned k = 0; k < lines->len; k++) {
                xml_text(out, lines->pdata[k], false);
                g_string_append_c(out, '\n');
            }
            g_string_append(out, "</system-out>\n");
        }
        if (sc->warnings && sc->warnings->len > 0) {
            /* the loader's warnings, where CI shows a suite's errors (after system-out) */
            g_string_append(out, "    <system-err>");
            for (guint k = 0; k < sc->warnings->len; k++) {
                xml_text(out, sc->warnings->pdata[k], false);
                g_string_append_c(out, '\n');
            }
            g_string_append(out, "</system-err>\n");
        }
        g_string_append(out, "  </testsuite>\n");
    }
    g_string_append(out, "</testsuites>\n");
}
