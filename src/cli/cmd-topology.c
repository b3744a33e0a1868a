/* cmd-topology.c: `rahtisim topology SCENARIO [--format text|dot] [--at T]`.
 *
 * The cluster at T (default: a second after the first pods are ready and in
 * the data plane) as an ASCII tree or Graphviz DOT (src/teach/topology.c).  Exit
 * status: 0, or 2 for bad usage or a scenario that cannot be simulated.
 */
#include "config.h"

#include <stdio.h>

#include "rahtisim/cli.h"
#include "rahtisim/teach.h"
#include "rahtisim/world.h"
#include "cli/cli-private.h"
#include "cli/teach-cli.h"

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
    /* The output in one buffer sized for it at once: grown by doubling, the
     * 67 MB of 10^5 namespaces went through a dozen buffers, each copied
     * and each a fresh stretch of memory for the kernel to clear, twice the
     * output's size in all (issue 14).  About 170 bytes a pod, service,
     * route and namespace in text, 120 in DOT; 256 each leaves room, and a
     * buffer that large is mapped on its own, so its unused part costs no
     * memory.  A topology that writes more (network policies) still grows. */
    RsWorld *w = rs_sim_world(sim);
    size_t objects = (size_t)rs_world_n_namespaces(w) + rs_world_n_pods(w) + rs_world_n_services(w) +
                     rs_world_n_routes(w);
    g_autoptr(GString) out = g_string_sized_new(objects * 256 + 4096);
    rs_teach_topology(out, sc, sim, at, fmt);
    bool ok = rs_cli_write_output(NULL, out);
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
