/* report.h: turning run results into text a person or a CI job reads.
 *
 * Reports are pure functions of RsRunResult: they append to a GString and
 * never print directly, so the command can write the whole report
 * atomically (stdout or --output FILE) and two runs give byte-identical
 * output (R37).
 */
#ifndef RAHTISIM_REPORT_H
#define RAHTISIM_REPORT_H

#include <stdbool.h>

#include <glib.h>

#include "rahtisim/expect.h"

/* RS_FORMAT_HTML is written by the teaching layer (rs_teach_html, it draws
 * the topology); rs_report writes text for it. */
typedef enum { RS_FORMAT_TEXT, RS_FORMAT_JSON, RS_FORMAT_TAP, RS_FORMAT_JUNIT, RS_FORMAT_HTML } RsFormat;

typedef struct {
    RsFormat format;
    bool quiet;                 /* text: failures and the summary only */
    bool trace;                 /* text: also the event log */
    unsigned wrap;              /* text: wrap descriptions at this width (a terminal's); 0: don't */
} RsReportOptions;

/* Parses "text" / "json" / "tap" / "junit" / "html"; false for anything else. */
bool rs_format_parse(const char *word, RsFormat *out);

/* Appends the report of several runs (in order) to `out`.  JSON: one
 * object for one run (scenario-format.md, "JSON report"), an array of them
 * for several.  TAP (version 13): one test point per expectation of every
 * run, a failure's summary, expected, observed and explanation in its YAML
 * block.  JUnit XML: one <testsuite> per run, one <testcase> per
 * expectation, a <failure> with the explanation when it failed.  Scenario
 * strings are escaped for each format (no raw newline in a TAP line, no
 * markup or control character in XML). */
void rs_report(GString *out, RsRunResult *const *runs, unsigned n_runs,
               const RsReportOptions *opt);

/* The JSON "traffic" entry of one source (owned by the caller). */
cJSON *rs_report_json_traffic(const RsTrafficStats *st);

/* The JSON object for one run (owned by the caller). */
cJSON *rs_report_json_run(const RsRunResult *run);

/* A JUnit document for input that did not load: one test suite named after
 * the file with one test case holding an <error> with the message, so a CI
 * job that reads the JUnit file shows why nothing ran (the exit status is 2). */
void rs_report_junit_error(GString *out, const char *file, const char *message);

#endif
