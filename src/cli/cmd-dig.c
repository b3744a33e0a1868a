/* cmd-dig.c: `rahtisim dig SCENARIO NAME --from X [--at T]`.
 *
 * Simulates the scenario up to T and walks the resolver of X for NAME (R17;
 * from a host, public DNS only, R18), printing each query like `dig +search`
 * (src/teach/dig.c).  Exit status: 0 when the walk was made, resolved or not
 * (NXDOMAIN is an answer); 2 for bad usage or a scenario that cannot be
 * simulated.
 */
#include "config.h"

#include <stdio.h>

#include "rahtisim/cli.h"
#include "rahtisim/teach.h"
#include "cli/cli-private.h"
#include "cli/teach-cli.h"

/* `rahtisim dig`. */
int
rs_cmd_dig(int argc, char **argv)
{
    static const char *const allowed[] = {"--from", "--at", NULL};
    g_auto(RsTeachArgs) a = {0};
    if (!rs_teach_args_parse(argc, argv, allowed, 2, RS_USAGE_DIG, &a))
        return RS_EXIT_USAGE;
    if (a.from == NULL)
        return rs_cli_usage_error("dig: --from X is required: the pod, deployment or host that "
                                  "asks (rahtisim help dig)");
    g_autoptr(RsScenario) sc = rs_teach_load(&a);
    if (sc == NULL)
        return RS_EXIT_USAGE;

    const char *name = a.args->pdata[1];
    rs_time_t at = rs_teach_args_at(&a, sc);
    GError *err = NULL;
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, rs_teach_args_seed(&a, sc), at, &err);
    g_auto(RsFrom) from = {0};
    RsDnsWalk walk;
    if (sim == NULL || !rs_teach_from_parse(sc, sim, a.from, &from, &err)) {
        int st = rs_cli_usage_error("dig: %s", err->message);
        g_error_free(err);
        return st;
    }
    rs_sim_resolve(sim, &from, name, &walk, &err);
    if (err != NULL) {
        int st = rs_cli_usage_error("dig: %s", err->message);
        g_error_free(err);
        return st;
    }
    char who[300];
    g_autoptr(GString) out = g_string_new(NULL);
    rs_teach_dig(out, sim, rs_from_format(&from, who, sizeof who),
                 from.kind == RS_FROM_HOST ? NULL : from.ns, &walk, at,
                 rs_color_enabled(a.color, stdout));
    return rs_cli_write_output(NULL, out) ? RS_EXIT_OK : RS_EXIT_USAGE;
}
