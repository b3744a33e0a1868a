/* teach-cli.c: option parsing shared by the teaching commands (teach-cli.h). */
#include "config.h"

#include <string.h>

#include "rahtisim/cli.h"
#include "rahtisim/import.h"
#include "cli/cli-private.h"
#include "cli/teach-cli.h"

/* Whether `arg` is one of the options in `allowed`. */
static const char *
allowed_option(const char *arg, const char *const *allowed)
{
    for (unsigned i = 0; allowed[i] != NULL; i++)
        if (rs_cli_opt_is(arg, allowed[i]))
            return allowed[i];
    return NULL;
}

/* Parses the teaching commands' command line; see teach-cli.h. */
bool
rs_teach_args_parse(int argc, char **argv, const char *const *allowed, unsigned n_args,
                    const char *usage, RsTeachArgs *a)
{
    const char *val = NULL;
    memset(a, 0, sizeof *a);
    a->cmd = argv[0];
    a->args = g_ptr_array_new();
    a->color = RS_COLOR_AUTO;
    rs_limits_default(&a->limits);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            g_ptr_array_add(a->args, (gpointer)arg);
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++)
                g_ptr_array_add(a->args, argv[i]);
            break;
        }
        const char *opt = allowed_option(arg, allowed);
        if (opt != NULL) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (strcmp(opt, "--from") == 0) {
                a->from = val;
            } else if (strcmp(opt, "--to") == 0) {
                a->to = val;
            } else if (strcmp(opt, "--format") == 0) {
                a->format = val;
            } else if (strcmp(opt, "--at") == 0) {
                if (!rs_parse_duration(val, &a->at) || a->at < 0) {
                    rs_cli_usage_error("%s: --at takes a time such as 5s or 1.5s, not '%s'",
                                       a->cmd, val);
                    return false;
                }
                a->has_at = true;
                a->at_text = val;
            }
        } else if (rs_cli_opt_is(arg, "--seed")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (!rs_cli_parse_u64(val, &a->seed)) {
                rs_cli_usage_error("%s: --seed takes a non-negative integer, not '%s'", a->cmd, val);
                return false;
            }
            a->has_seed = true;
        } else if (rs_cli_opt_is(arg, "--color") || rs_cli_opt_is(arg, "--colour")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (!rs_color_parse(val, &a->color)) {
                rs_cli_usage_error("%s: --color takes auto, always or never, not '%s'", a->cmd, val);
                return false;
            }
        } else if (g_str_has_prefix(arg, "--max-")) {
            if (!rs_cli_option_value(argc, argv, &i, &val) ||
                !rs_cli_limit_option(arg, val, &a->limits))
                return false;
        } else {
            rs_cli_usage_error("%s: unknown option '%s' (rahtisim help %s)", a->cmd, arg, a->cmd);
            return false;
        }
    }
    /* --at within --max-duration, checked as the loader checks times in a
     * file; the engine event limit (--max-events) bounds the rest (probe.c). */
    if (a->has_at && a->at > a->limits.max_duration) {
        char b[32];
        rs_cli_usage_error("%s: --at %s is beyond the duration limit (%s); raise it with "
                           "--max-duration", a->cmd, a->at_text, rs_duration_format(a->limits.max_duration, b));
        return false;
    }
    if (a->args->len != n_args) {
        rs_cli_usage_error("%s: %s (usage: rahtisim %s %s)", a->cmd,
                           a->args->len < n_args ? "missing arguments" : "too many arguments",
                           a->cmd, usage);
        return false;
    }
    return true;
}

/* Frees the positional list. */
void
rs_teach_args_clear(RsTeachArgs *a)
{
    g_clear_pointer(&a->args, g_ptr_array_unref);
}

/* Loads the scenario; prints the loader's message on failure. */
RsScenario *
rs_teach_load(const RsTeachArgs *a)
{
    GError *err = NULL;
    RsScenario *sc = rs_input_load(a->args->pdata[0], &a->limits, &err);
    if (sc == NULL) {
        rs_cli_usage_error("%s", err->message);
        g_error_free(err);
    }
    return sc;
}

/* --seed, or the scenario's own. */
uint64_t
rs_teach_args_seed(const RsTeachArgs *a, const RsScenario *sc)
{
    return a->has_seed ? a->seed : sc->seed;
}

/* --at, or the moment the scenario has settled. */
rs_time_t
rs_teach_args_at(const RsTeachArgs *a, const RsScenario *sc)
{
    return a->has_at ? a->at : rs_teach_settled_time(sc);
}
