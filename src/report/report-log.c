/* report-log.c: the event log as printed lines, for the text report
 * (report.c) and the TAP and JUnit reports (report-ci.c) alike.  It is its
 * own file so that both build on it and neither calls the other back
 * (tests/layers.sh).
 */
#include "config.h"

#include <inttypes.h>

#include "rahtisim/sim.h"
#include "report/report-private.h"

/* The event log as printed lines; see report-private.h. */
GPtrArray *
rs_report_log_lines(const RsRunResult *run)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    for (unsigned i = 0; run->log != NULL && i < run->log->len; i++)
        g_ptr_array_add(lines, rs_log_entry_format(&g_array_index(run->log, RsLogEntry, i)));
    if (run->log_dropped > 0)
        g_ptr_array_add(lines, g_strdup_printf("... and %" PRIu64 " later entries not kept "
                                               "(the log keeps its first %u)",
                                               run->log_dropped, RS_LOG_MAX));
    return lines;
}
