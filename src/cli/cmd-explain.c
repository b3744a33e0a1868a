/* cmd-explain.c: `rahtisim explain SCENARIO --from X --to URL [--at T]`.
 *
 * Simulates the scenario up to T, sends the one request asked for, and
 * prints its hops with the rule behind each (src/teach/explain.c).  Exit
 * status: 0 when the request was simulated, whatever its outcome (a timeout
 * is an answer, not an error); 2 for bad usage or a scenario or request that
 * cannot be simulated.
 */
#include "config.h"

#include <stdio.h>

#include "rahtisim/cli.h"
#include "rahtisim/export.h"
#include "rahtisim/teach.h"
#include "cli/cli-private.h"
#include "cli/teach-cli.h"

/* `rahtisim explain`. */
int
rs_cmd_explain(int argc, char **argv)
{
    static const char *const allowed[] = {"--from", "--to", "--at", NULL};
    g_auto(RsTeachArgs) a = {0};
    if (!rs_teach_args_parse(argc, argv, allowed, 1, RS_USAGE_EXPLAIN, &a))
        return RS_EXIT_USAGE;
    if (a.from == NULL || a.to == NULL)
        return rs_cli_usage_error("explain: --from X and --to URL are required "
                                  "(rahtisim help explain)");
    g_auto(RsUrl) url = {0};
    g_autoptr(GError) uerr = NULL;
    if (!rs_url_parse(a.to, &url, &uerr))
        return rs_cli_usage_error("explain: --to %s: %s", a.to, uerr->message);
    g_autoptr(RsScenario) sc = rs_teach_load(&a);
    if (sc == NULL)
        return RS_EXIT_USAGE;

    rs_time_t at = rs_teach_args_at(&a, sc);
    GError *err = NULL;
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, rs_teach_args_seed(&a, sc), at, &err);
    g_auto(RsFrom) from = {0};
    g_autoptr(RsResult) res = NULL;
    if (sim != NULL && rs_teach_from_parse(sc, sim, a.from, &from, &err))
        res = rs_teach_send(sim, &from, &url, "explain", &err);
    if (res == NULL) {
        int st = rs_cli_usage_error("explain: %s", err->message);
        g_error_free(err);
        return st;
    }

    char who[300];
    g_autofree char *to = rs_url_format(&url);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GArray) notes = rs_reload_notes(sim, res, url.path);
    rs_teach_explain(out, rs_from_format(&from, who, sizeof who), to, at, res, notes,
                     rs_color_enabled(a.color, stdout));
    rs_export_explain(sim, res, out);       /* the backend and server lines it used */
    return rs_cli_write_output(NULL, out) ? RS_EXIT_OK : RS_EXIT_USAGE;
}
