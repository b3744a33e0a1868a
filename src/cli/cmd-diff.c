/* cmd-diff.c: `rahtisim diff OLD NEW [--at T] [--format text|md|json|junit]
 * [--focus NS[/NAME]] [--full] [--output FILE]`: the connectivity and
 * exposure changes between two scenarios or manifest sets (src/teach/diff.c).
 * Either side may be `-` (stdin: `git show REV:k8s/app.yaml | rahtisim diff
 * - k8s/app.yaml`).  Exit status: 0 no change, 1 changes, 2 bad input or
 * usage (scenario-format.md "New commands").
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/cli.h"
#include "rahtisim/import.h"
#include "rahtisim/teach.h"
#include "cli/cli-private.h"

/* `rahtisim diff`. */
int
rs_cmd_diff(int argc, char **argv)
{
    RsLimits limits;
    rs_limits_default(&limits);
    RsDiffOptions opts = {0};
    RsDiffFormat fmt = RS_DIFF_TEXT;
    const char *output = NULL, *sides[2] = {NULL, NULL};
    unsigned n = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = NULL;
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (n == 2)
                return rs_cli_usage_error("diff: expected two inputs, OLD and NEW (rahtisim help diff)");
            sides[n++] = arg;
        } else if (rs_cli_opt_is(arg, "--at")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return RS_EXIT_USAGE;
            if (!rs_parse_duration(val, &opts.at))
                return rs_cli_usage_error("diff: --at expects a duration such as 5s, found '%s'", val);
            opts.has_at = true;
        } else if (rs_cli_opt_is(arg, "--format")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return RS_EXIT_USAGE;
            if (!rs_diff_format_parse(val, &fmt))
                return rs_cli_usage_error("diff: unknown --format '%s' (text, md, json or junit)", val);
        } else if (rs_cli_opt_is(arg, "--focus")) {
            if (!rs_cli_option_value(argc, argv, &i, &opts.focus))
                return RS_EXIT_USAGE;
        } else if (strcmp(arg, "--full") == 0) {
            opts.full = true;
        } else if (rs_cli_opt_is(arg, "--output")) {
            if (!rs_cli_option_value(argc, argv, &i, &output))
                return RS_EXIT_USAGE;
        } else if (g_str_has_prefix(arg, "--max-")) {
            if (!rs_cli_option_value(argc, argv, &i, &val) || !rs_cli_limit_option(arg, val, &limits))
                return RS_EXIT_USAGE;
        } else {
            return rs_cli_usage_error("diff: unknown option '%s' (rahtisim help diff)", arg);
        }
    }
    if (n != 2)
        return rs_cli_usage_error("diff: expected two inputs, OLD and NEW (rahtisim help diff)");
    if (strcmp(sides[0], "-") == 0 && strcmp(sides[1], "-") == 0)
        return rs_cli_usage_error("diff: only one side can be `-` (stdin)");
    g_autoptr(RsScenario) a = NULL, b = NULL;
    RsInputSigs sa = {0}, sb = {0};
    g_autoptr(GError) err = NULL;
    a = rs_input_load_sigs(sides[0], &limits, &sa, &err);
    if (a)
        b = rs_input_load_sigs(sides[1], &limits, &sb, &err);
    if (!a || !b) {
        rs_input_sigs_clear(&sa);
        rs_input_sigs_clear(&sb);
        return rs_cli_usage_error("%s", err->message);
    }
    g_autoptr(RsDiff) d = rs_diff_compute(a, &sa, b, &sb, &opts, &err);
    rs_input_sigs_clear(&sa);
    rs_input_sigs_clear(&sb);
    if (!d)
        return rs_cli_usage_error("%s", err->message);
    g_autoptr(GString) out = g_string_new(NULL);
    rs_diff_print(out, d, fmt);
    if (!rs_cli_write_output(output, out))
        return RS_EXIT_USAGE;
    return rs_diff_changed(d) ? RS_EXIT_FAILED : RS_EXIT_OK;
}
