/* report-private.h: the CI formats, shared inside src/report/. */
#ifndef RAHTISIM_REPORT_PRIVATE_H
#define RAHTISIM_REPORT_PRIVATE_H

#include <glib.h>

#include "rahtisim/expect.h"

/* TAP version 13: one test point per expectation of every run; with
 * `trace`, each run's event log as comment lines after its header. */
void rs_report_tap(GString *out, RsRunResult *const *runs, unsigned n_runs, bool trace);
/* JUnit XML: one testsuite per run, one testcase per expectation; with
 * `trace`, each run's event log in its testsuite's <system-out>. */
void rs_report_junit(GString *out, RsRunResult *const *runs, unsigned n_runs, bool trace);

/* The event log as printed lines ("   12.000s  R6   sentence"), ending with a
 * note when the log did not keep everything (a new array owning its strings). */
GPtrArray *rs_report_log_lines(const RsRunResult *run);

#endif
