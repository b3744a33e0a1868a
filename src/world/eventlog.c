/* eventlog.c: the world's event log: what changed, when, and by which rule.
 *
 * Every change of the truth (a pod created, ready, deleted, crashed,
 * detected, replaced; a service's data plane refreshed; an address pool
 * exhausted) appends one entry: the simulated time, the rule (R..) that
 * governs it, and one plain sentence, e.g. "fenic/nginx-0 deleted (R6);
 * replacement fenic/nginx-3 gets 10.128.0.5".  Reports print it as it is;
 * the rule is data in the entry, not text a printer assembles.
 *
 * Cost: one small allocation per entry; entries come from scenario events and
 * lifecycle timers, never from requests, so bulk traffic adds nothing here.
 * A crash-looping deployment does log forever, though (one line per restart,
 * R4), so the log keeps its first RS_LOG_MAX entries and then only counts
 * (rs_world_log_dropped): memory stays bounded whatever the scenario does.
 */
#include "config.h"

#include <stdarg.h>

#include "world/world-private.h"

/* Appends a sentence stamped with the engine's current time. */
void
rs_world_log(RsWorld *w, RsRule rule, const char *fmt, ...)
{
    if (w->no_log)              /* nobody will read it (RsScenario.no_event_log) */
        return;
    if (w->log->len >= RS_LOG_MAX) {
        w->log_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    RsLogEntry e = {
        .at = rs_engine_now(w->eng),
        .rule = rule,
        .text = g_strdup_vprintf(fmt, ap),
    };
    va_end(ap);
    g_array_append_val(w->log, e);
}

/* The log in time order (RsLogEntry); owned by the world. */
const GArray *
rs_world_log_entries(const RsWorld *w)
{
    return w->log;
}

/* Entries not kept because the log was full (RS_LOG_MAX). */
uint64_t
rs_world_log_dropped(const RsWorld *w)
{
    return w->log_dropped;
}
