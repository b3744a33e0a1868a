/* cmd-topology.c: `rahtisim topology SCENARIO [--format text|dot] [--at T]`.
 *
 * The cluster at T (default: a second after the first pods are ready and in
 * the data plane) as an ASCII tree or Graphviz DOT (src/teach/topology.c).  Exit
 * status: 0, or 2 for bad usage or a scenario that cannot be simulated.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "rahtisim/cli.h"
#include "rahtisim/teach.h"
#include "rahtisim/util.h"
#include "rahtisim/world.h"
#include "cli/cli-private.h"
#include "cli/teach-cli.h"

/* Standard output, written part by part as the topology is made. */
typedef struct {
    GString *safe;              /* a part with terminal controls, escaped */
    int err;                    /* the first write's errno; 0 while all went */
} Out;

/* An RsTopoSink: each part escaped as rs_cli_write_output escapes a report
 * (a part is whole lines, so a character or an SGR sequence is never cut
 * and the escaped parts are the escaped whole) and written out.  After a
 * failed write nothing more is written; the command reports it at the
 * end. */
static void
out_part(const char *text, size_t len, void *data)
{
    Out *o = data;
    if (o->err != 0 || len == 0)
        return;
    if (rs_escape_terminal_needed(text, len, RS_ESCAPE_TEXT)) {
        g_string_truncate(o->safe, 0);
        rs_escape_terminal(o->safe, text, len, RS_ESCAPE_TEXT);
        text = o->safe->str;
        len = o->safe->len;
    }
    if (fwrite(text, 1, len, stdout) != len)
        o->err = errno != 0 ? errno : EIO;
}

/* `rahtisim topology`. */
int
rs_cmd_topology(int argc, char **argv)
{
    static const char *const allowed[] = {"--at", "--format", NULL};
    g_auto(RsTeachArgs) a = {0};
    if (!rs_teach_args_parse(argc, argv, allowed, 1, RS_USAGE_TOPOLOGY, &a))
        return RS_EXIT_USAGE;
    RsTopoFormat fmt = RS_TOPO_TEXT;
    if (a.format != NULL && !rs_topo_format_parse(a.format, &fmt))
        return rs_cli_usage_error("topology: --format takes text or dot, not '%s'", a.format);
    g_autoptr(RsScenario) sc = rs_teach_load(&a);
    if (sc == NULL)
        return RS_EXIT_USAGE;
    sc->no_event_log = true;    /* the topology never shows the event log */
    rs_time_t at = rs_teach_args_at(&a, sc);
    GError *err = NULL;
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, rs_teach_args_seed(&a, sc), at, &err);
    if (sim == NULL) {
        int st = rs_cli_usage_error("topology: %s", err->message);
        g_error_free(err);
        return st;
    }
    /* The output handed to standard output in parts of RS_TOPO_PART as it
     * is made, not kept whole: the text of 10^5 namespaces is 67 MB, whose
     * fresh pages were a sixth of the command's page faults (issue 14).
     * What a terminal would act on is escaped as for any report. */
    g_autoptr(GString) out = g_string_sized_new((gsize)256 * 1024);
    g_autoptr(GString) safe = g_string_new(NULL);
    Out o = {safe, 0};
    errno = 0;
    rs_teach_topology_to(out, sc, sim, at, fmt, out_part, &o);
    if (o.err == 0 && fflush(stdout) != 0)
        o.err = errno != 0 ? errno : EIO;
    bool ok = o.err == 0;
    if (!ok) {
        rs_cli_usage_error("cannot write the report to standard output: %s", g_strerror(o.err));
        clearerr(stdout);
    }
    /* The process ends after this command: the world and the scenario are
     * left to the system instead of being freed object by object, which was
     * a tenth of `topology` of 10^5 namespaces (issue 14: ~10^6 blocks).
     * They stay reachable (these statics), so leak checkers do not count
     * them; every other command frees its world, so rs_sim_free and
     * rs_scenario_free keep being checked. */
    static RsSim *kept_sim;
    static RsScenario *kept_sc;
    if (kept_sim != NULL)       /* a second call in one process frees the first */
        rs_sim_free(kept_sim);
    if (kept_sc != NULL)
        rs_scenario_free(kept_sc);
    kept_sim = g_steal_pointer(&sim);
    kept_sc = g_steal_pointer(&sc);
    return ok ? RS_EXIT_OK : RS_EXIT_USAGE;
}
