/* run-quiz.c: `rahtisim run --quiz [SCENARIO] [--seed N] [--color WHEN]`.
 *
 * The quiz is a way of running a scenario, so it is an option of `run`;
 * its command line is parsed here so that cmd-run.c only has to hand over
 * (one call at the top of rs_cmd_run).  It simulates one scenario (with
 * none, the built-in one), then asks about each probe expectation
 * (src/teach/quiz.c).  Answers come from standard input, one a line: typed
 * on a terminal, or piped (`printf 'ok\ntimeout\n' | rahtisim run --quiz
 * s.json`), which is how the tests drive it.  Report options (--format,
 * --output, --trace, --quiet, --plot) do not combine with it.
 *
 * Exit status: as for `run`: 0 every expectation of the scenario held, 1
 * one failed, 2 bad input or usage.  The score is printed, not returned:
 * a wrong guess is not a failure of the scenario.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rahtisim/cli.h"
#include "rahtisim/import.h"
#include "rahtisim/expect.h"
#include "rahtisim/teach.h"
#include "rahtisim/util.h"
#include "cli/cli-private.h"

/* Whether `run`'s arguments ask for the quiz (before a `--`). */
bool
rs_cli_run_wants_quiz(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--quiz") == 0)
            return true;
    return false;
}

/* `rahtisim run --quiz ...`. */
int
rs_cli_run_quiz(int argc, char **argv)
{
    const char *file = NULL, *val = NULL;
    bool has_seed = false;
    uint64_t seed = 0;
    RsColorMode color = RS_COLOR_AUTO;
    RsLimits limits;
    rs_limits_default(&limits);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--quiz") == 0)
            continue;
        if (arg[0] != '-' || strcmp(arg, "-") == 0 || strcmp(arg, "--") == 0) {
            if (strcmp(arg, "--") == 0 && ++i >= argc)
                break;
            if (file != NULL)
                return rs_cli_usage_error("run --quiz: one scenario at a time");
            file = argv[i];
        } else if (rs_cli_opt_is(arg, "--seed")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return RS_EXIT_USAGE;
            if (!rs_cli_parse_u64(val, &seed))
                return rs_cli_usage_error("run: --seed takes a non-negative integer, not '%s'", val);
            has_seed = true;
        } else if (rs_cli_opt_is(arg, "--color") || rs_cli_opt_is(arg, "--colour")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return RS_EXIT_USAGE;
            if (!rs_color_parse(val, &color))
                return rs_cli_usage_error("run: --color takes auto, always or never, not '%s'", val);
        } else if (g_str_has_prefix(arg, "--max-")) {
            if (!rs_cli_option_value(argc, argv, &i, &val) || !rs_cli_limit_option(arg, val, &limits))
                return RS_EXIT_USAGE;
        } else {
            return rs_cli_usage_error("run --quiz: '%.*s' does not combine with --quiz (it takes "
                                      "one SCENARIO, --seed, --color and the --max-* limits)",
                                      (int)strcspn(arg, "="), arg);
        }
    }

    GError *err = NULL;
    g_autoptr(RsScenario) sc =
        file != NULL ? rs_input_load(file, &limits, &err)
                     : rs_scenario_load_data("<built-in>", rs_builtin_scenario,
                                             rs_builtin_scenario_len, &limits, &err);
    if (sc == NULL) {
        int st = rs_cli_usage_error("%s", err->message);
        g_error_free(err);
        return st;
    }
    g_autoptr(RsRunResult) run = rs_run_scenario(sc, has_seed ? seed : sc->seed, &err);
    if (run == NULL) {
        int st = rs_cli_usage_error("%s", err->message);
        g_error_free(err);
        return st;
    }
    RsQuizIo io = {
        .in = stdin,
        .out = stdout,
        .interactive = isatty(STDIN_FILENO) == 1,
        .color = rs_color_enabled(color, stdout),
        .wrap = rs_term_width(STDOUT_FILENO),
    };
    rs_teach_quiz(run, &io);
    return run->failed == 0 ? RS_EXIT_OK : RS_EXIT_FAILED;
}
