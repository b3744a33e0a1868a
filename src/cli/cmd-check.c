/* cmd-check.c: `rahtisim check SCENARIO...`: load and validate each file
 * without simulating anything; print the loader's warnings (privileged pod
 * ports R4, selectors matching nothing R14, target ports nobody listens on
 * R11, malformed whitelists R25, host conflicts R22 ...) to stdout, one a
 * line, then a summary line per file.  A file that does not load prints
 * "rahtisim: FILE:LINE:COL: ..." to stderr; the other files are still
 * checked, and the exit status is 2 (scenario-format.md).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/cli.h"
#include "rahtisim/import.h"
#include "rahtisim/scenario.h"
#include "cli/cli-private.h"

/* Counts deployments plus bare pods, services and routes over all namespaces. */
static void
count_objects(const RsScenario *sc, unsigned *workloads, unsigned *services, unsigned *routes)
{
    *workloads = *services = *routes = 0;
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *n = &sc->namespaces[i];
        *workloads += n->n_deployments + n->n_pods;
        *services += n->n_services;
        *routes += n->n_routes;
    }
}

/* Loads one file and prints its warnings and summary; false if it is invalid.
 * *warned counts the warnings (check --strict fails on them). */
static bool
check_file(const char *path, const RsLimits *limits, unsigned *warned)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = rs_input_load(path, limits, &err);
    if (!sc) {
        rs_cli_usage_error("%s", err->message);
        return false;
    }
    /* The file name is the user's: its control characters are shown, not acted on. */
    for (guint i = 0; i < sc->warnings->len; i++)
        printf("%s\n", rs_cli_quote(sc->warnings->pdata[i]));
    for (guint i = 0; i < sc->notes->len; i++)
        printf("note: %s\n", rs_cli_quote(sc->notes->pdata[i]));
    *warned += sc->warnings->len;
    unsigned w, s, r;
    count_objects(sc, &w, &s, &r);
    printf("%s: ok (%u namespaces, %u workloads, %u services, %u routes, %u events, %u "
           "expectations, %u warnings)\n",
           rs_cli_quote(path), sc->n_namespaces, w, s, r, sc->n_events, sc->n_expect, sc->warnings->len);
    return true;
}

/* `rahtisim check`. */
int
rs_cmd_check(int argc, char **argv)
{
    RsLimits limits;
    rs_limits_default(&limits);
    g_autoptr(GPtrArray) files = g_ptr_array_new();
    bool strict = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            g_ptr_array_add(files, (gpointer)arg);
        } else if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++)
                g_ptr_array_add(files, argv[i]);
        } else if (strcmp(arg, "--strict") == 0) {
            strict = true;
        } else if (g_str_has_prefix(arg, "--max-")) {
            if (!rs_cli_option_value(argc, argv, &i, &val) || !rs_cli_limit_option(arg, val, &limits))
                return RS_EXIT_USAGE;
        } else {
            return rs_cli_usage_error("check: unknown option '%s' (rahtisim help check)", arg);
        }
    }
    if (files->len == 0)
        return rs_cli_usage_error("check: expected at least one SCENARIO file (rahtisim help check)");
    bool ok = true;
    unsigned warned = 0;
    for (guint i = 0; i < files->len; i++) {
        ok = check_file(files->pdata[i], &limits, &warned) && ok;
        fflush(stdout);
    }
    if (!ok)
        return RS_EXIT_USAGE;
    /* --strict: a warning fails the check like a failed expectation (exit 1) */
    return strict && warned > 0 ? RS_EXIT_FAILED : RS_EXIT_OK;
}
