/* report-private.h: the CI formats, shared inside src/report/. */
#ifndef RAHTISIM_REPORT_PRIVATE_H
#define RAHTISIM_REPORT_PRIVATE_H

#include <glib.h>

#include "rahtisim/expect.h"

/* TAP version 13: one test point per expectation of every run. */
void rs_report_tap(GString *out, RsRunResult *const *runs, unsigned n_runs);
/* JUnit XML: one testsuite per run, one testcase per expectation. */
void rs_report_junit(GString *out, RsRunResult *const *runs, unsigned n_runs);

#endif
