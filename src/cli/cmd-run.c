/* cmd-run.c: `rahtisim run [SCENARIO...]`: simulate and check expectations.
 *
 * Every scenario is loaded and validated before anything is simulated, so
 * bad input exits 2 with nothing simulated and nothing written.  The report
 * is built in memory and written at the end: to stdout, or atomically to
 * --output FILE (a temporary file renamed into place: never a half-written
 * report).  Exit status per scenario-format.md: 0 every expectation held,
 * 1 one failed, 2 bad input or usage.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/cli.h"
#include "rahtisim/expect.h"
#include "rahtisim/report.h"
#include "rahtisim/scenario.h"
#include "cli/cli-private.h"

typedef struct {
    GPtrArray *files;           /* const char * into argv */
    bool has_seed;
    uint64_t seed;
    RsReportOptions report;
    const char *output;
    RsLimits limits;
} RunArgs;

/* Parses run's command line into `a`; returns false after printing a usage error. */
static bool
parse_args(int argc, char **argv, RunArgs *a)
{
    a->report.format = RS_FORMAT_TEXT;
    rs_limits_default(&a->limits);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            g_ptr_array_add(a->files, (gpointer)arg);
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++)
                g_ptr_array_add(a->files, argv[i]);
            break;
        }
        if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a->report.quiet = true;
            continue;
        }
        if (strcmp(arg, "--trace") == 0) {
            a->report.trace = true;
            continue;
        }
        if (rs_cli_opt_is(arg, "--seed")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (!rs_cli_parse_u64(val, &a->seed)) {
                rs_cli_usage_error("run: --seed takes a non-negative integer, not '%s'", val);
                return false;
            }
            a->has_seed = true;
        } else if (rs_cli_opt_is(arg, "--format")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (!rs_format_parse(val, &a->report.format)) {
                rs_cli_usage_error("run: --format takes text or json, not '%s'", val);
                return false;
            }
        } else if (rs_cli_opt_is(arg, "--output")) {
            if (!rs_cli_option_value(argc, argv, &i, &a->output))
                return false;
        } else if (rs_cli_opt_is(arg, "--plot")) {
            rs_cli_usage_error("run: --plot is not built yet (arrives with the traffic issue, #5)");
            return false;
        } else if (g_str_has_prefix(arg, "--max-")) {
            if (!rs_cli_option_value(argc, argv, &i, &val) ||
                !rs_cli_limit_option(arg, val, &a->limits))
                return false;
        } else {
            rs_cli_usage_error("run: unknown option '%s' (rahtisim help run)", arg);
            return false;
        }
    }
    return true;
}

/* `rahtisim run`. */
int
rs_cmd_run(int argc, char **argv)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new();
    RunArgs a = {.files = files};
    if (!parse_args(argc, argv, &a))
        return RS_EXIT_USAGE;

    /* Load everything first: bad input means nothing is simulated (exit 2). */
    g_autoptr(GPtrArray) scenarios = g_ptr_array_new_with_free_func((GDestroyNotify)rs_scenario_free);
    if (files->len == 0) {
        GError *err = NULL;
        RsScenario *sc = rs_scenario_load_data("<built-in>", rs_builtin_scenario,
                                               rs_builtin_scenario_len, &a.limits, &err);
        if (sc == NULL) {
            rs_cli_usage_error("%s", err->message);
            g_error_free(err);
            return RS_EXIT_USAGE;
        }
        g_ptr_array_add(scenarios, sc);
    }
    for (unsigned i = 0; i < files->len; i++) {
        GError *err = NULL;
        RsScenario *sc = rs_scenario_load_file(files->pdata[i], &a.limits, &err);
        if (sc == NULL) {
            rs_cli_usage_error("%s", err->message);
            g_error_free(err);
            return RS_EXIT_USAGE;
        }
        g_ptr_array_add(scenarios, sc);
    }

    g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func((GDestroyNotify)rs_run_result_free);
    bool all_passed = true;
    for (unsigned i = 0; i < scenarios->len; i++) {
        const RsScenario *sc = scenarios->pdata[i];
        GError *err = NULL;
        RsRunResult *run = rs_run_scenario(sc, a.has_seed ? a.seed : sc->seed, &err);
        if (run == NULL) {
            rs_cli_usage_error("%s", err->message);
            g_error_free(err);
            return RS_EXIT_USAGE;
        }
        all_passed = all_passed && run->failed == 0;
        g_ptr_array_add(runs, run);
    }

    g_autoptr(GString) out = g_string_new(NULL);
    rs_report(out, (RsRunResult *const *)runs->pdata, runs->len, &a.report);
    if (!rs_cli_write_output(a.output, out))
        return RS_EXIT_USAGE;
    return all_passed ? RS_EXIT_OK : RS_EXIT_FAILED;
}
