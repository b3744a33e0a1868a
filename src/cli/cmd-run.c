/* cmd-run.c: `rahtisim run [SCENARIO...]`: simulate and check expectations.
 *
 * Every scenario is loaded and validated before anything is simulated, so
 * bad input exits 2 with nothing simulated and nothing written.  The report
 * is built in memory and written at the end: to stdout, or atomically to
 * --output FILE (a temporary file renamed into place: never a half-written
 * report).  Exit status per scenario-format.md: 0 every expectation held,
 * 1 one failed, 2 bad input or usage.
 *
 * --format tap|junit write the CI reports (report.h), --format html one
 * self-contained page (src/teach/html.c); --plot DIR writes the
 * traffic plots (plot.h) after the runs.  A run that takes more than a
 * second shows its progress on stderr (simulated time, events per second,
 * an estimate of the time left) when stderr is a terminal, unless --quiet;
 * the progress never reaches the report, which stays a pure function of
 * scenario and seed (R37).
 *
 * Options are parsed by one table-free loop: each option is one `if` arm;
 * add new ones the same way (flags first, then options with a value).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "rahtisim/cli.h"
#include "rahtisim/import.h"
#include "rahtisim/expect.h"
#include "rahtisim/plot.h"
#include "rahtisim/util.h"
#include "rahtisim/report.h"
#include "rahtisim/teach.h"
#include "rahtisim/scenario.h"
#include "cli/cli-private.h"

typedef struct {
    GPtrArray *files;           /* const char * into argv */
    bool has_seed;
    uint64_t seed;
    RsReportOptions report;
    const char *output;
    const char *plot_dir;       /* --plot DIR, or NULL */
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
                rs_cli_usage_error("run: --format takes text, json, tap, junit or html, not '%s'", val);
                return false;
            }
        } else if (rs_cli_opt_is(arg, "--output")) {
            if (!rs_cli_option_value(argc, argv, &i, &a->output))
                return false;
        } else if (rs_cli_opt_is(arg, "--plot")) {
            if (!rs_cli_option_value(argc, argv, &i, &a->plot_dir))
                return false;
            if (a->plot_dir[0] == '\0') {
                rs_cli_usage_error("run: --plot takes a folder");
                return false;
            }
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

/* The progress display on stderr (a terminal): one line rewritten in place. */
typedef struct {
    const char *name;           /* the scenario's file */
    gint64 t0;                  /* wall clock at the start of the run (us) */
    gint64 last;                /* when the line was last drawn */
    bool shown;
} Progress;

/* Draws the progress line at most five times a second, after the first second. */
static void
progress_draw(rs_time_t now, rs_time_t end, uint64_t events, void *data)
{
    Progress *p = data;
    gint64 wall = g_get_monotonic_time();
    if (wall - p->t0 < G_USEC_PER_SEC || wall - p->last < G_USEC_PER_SEC / 5)
        return;
    p->last = wall;
    p->shown = true;
    double secs = (double)(wall - p->t0) / G_USEC_PER_SEC;
    double done = end > 0 ? (double)now / (double)end : 1.0;
    double eta = done > 0 ? secs * (1.0 - done) / done : 0.0;
    char a[32], b[32];
    /* The scenario's file name is the user's own; its control characters are not drawn. */
    g_autofree char *name = g_strdup(p->name);
    for (char *c = name; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    fprintf(stderr, "\r%s: %s of %s simulated, %.2f M events/s, about %.0f s left\033[K", name,
            rs_duration_format(now, a), rs_duration_format(end, b),
            (double)events / secs / 1e6, eta);
    fflush(stderr);
}

/* Clears the progress line if one was drawn. */
static void
progress_clear(Progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

/* `rahtisim run`. */
int
rs_cmd_run(int argc, char **argv)
{
    rs_heap_huge_pages();     /* a long simulation: src/util/memory.c */
    if (rs_cli_run_wants_quiz(argc, argv))     /* run --quiz: src/cli/run-quiz.c */
        return rs_cli_run_quiz(argc, argv);
    g_autoptr(GPtrArray) files = g_ptr_array_new();
    RunArgs a = {.files = files};
    if (!parse_args(argc, argv, &a))
        return RS_EXIT_USAGE;
    /* --output '' or an input file: refused before anything runs. */
    if (!rs_cli_output_check(a.output, (char *const *)files->pdata, files->len))
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
        RsScenario *sc = rs_input_load(files->pdata[i], &a.limits, &err);
        if (sc == NULL) {
            rs_cli_usage_error("%s", err->message);
            if (a.report.format == RS_FORMAT_JUNIT) {
                /* CI shows a JUnit file: bad input is an <error> test case in it (exit 2 still) */
                g_autoptr(GString) out = g_string_new(NULL);
                rs_report_junit_error(out, files->pdata[i], err->message);
                rs_cli_write_output(a.output, out);
            }
            g_error_free(err);
            return RS_EXIT_USAGE;
        }
        g_ptr_array_add(scenarios, sc);
    }

    g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func((GDestroyNotify)rs_run_result_free);
    bool all_passed = true;
    bool show_progress = !a.report.quiet && isatty(STDERR_FILENO);
    for (unsigned i = 0; i < scenarios->len; i++) {
        const RsScenario *sc = scenarios->pdata[i];
        GError *err = NULL;
        Progress prog = {.name = sc->file, .t0 = g_get_monotonic_time()};
        RsRunOptions ropt = {.progress = show_progress ? progress_draw : NULL, .progress_data = &prog};
        RsRunResult *run = rs_run_scenario_with(sc, a.has_seed ? a.seed : sc->seed, &ropt, &err);
        progress_clear(&prog);
        if (run == NULL) {
            rs_cli_usage_error("%s", err->message);
            g_error_free(err);
            return RS_EXIT_USAGE;
        }
        all_passed = all_passed && run->failed == 0;
        g_ptr_array_add(runs, run);
    }

    g_autoptr(GString) out = g_string_new(NULL);
    if (a.output == NULL)
        a.report.wrap = rs_term_width(STDOUT_FILENO);   /* descriptions fit the terminal */
    if (a.report.format == RS_FORMAT_HTML)      /* one self-contained page (src/teach/html.c) */
        rs_teach_html(out, (RsRunResult *const *)runs->pdata, runs->len, true);
    else
        rs_report(out, (RsRunResult *const *)runs->pdata, runs->len, &a.report);
    if (!rs_cli_write_output(a.output, out))
        return RS_EXIT_USAGE;
    if (a.plot_dir != NULL) {
        RsPlotOptions popt = {.render = true};
        if (!rs_cli_gnuplot_timeout(&popt.timeout_s))
            return RS_EXIT_USAGE;
        bool rendered = false;
        GError *err = NULL;
        g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func(g_free);
        if (!rs_plot_write(a.plot_dir, (RsRunResult *const *)runs->pdata, runs->len, &popt, written,
                           &rendered, &err)) {
            rs_cli_usage_error("--plot: %s", err->message);
            g_error_free(err);
            return RS_EXIT_USAGE;
        }
        if (written->len == 0) {
            /* Said even with --quiet: the folder asked for stays empty. */
            fprintf(stderr, "rahtisim: --plot: nothing written to %s: plots show traffic, and no "
                    "scenario run has a \"traffic\" source (docs/scenario-format.md, Traffic)\n",
                    a.plot_dir);
        } else if (!a.report.quiet) {
            fprintf(stderr, "rahtisim: --plot: %u files in %s%s\n", written->len, a.plot_dir,
                        rendered ? "" : " (gnuplot not found: data and scripts only)");
        }
    }
    return all_passed ? RS_EXIT_OK : RS_EXIT_FAILED;
}
