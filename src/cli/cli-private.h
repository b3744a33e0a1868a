/* cli-private.h: helpers shared by the command files in src/cli/. */
#ifndef RAHTISIM_CLI_PRIVATE_H
#define RAHTISIM_CLI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "rahtisim/scenario.h"

/* The built-in scenario's text (generated from scenarios/00-fenic.json). */
extern const char rs_builtin_scenario[];
extern const size_t rs_builtin_scenario_len;

/* True when `arg` is option `name`, alone or as `name=value`. */
bool rs_cli_opt_is(const char *arg, const char *name);

/* The value of the option at argv[*i]: after its '=', or the next argument
 * (then *i advances).  False after a usage error when there is none. */
bool rs_cli_option_value(int argc, char **argv, int *i, const char **value);

/* Strict unsigned 64-bit parse (decimal digits only). */
bool rs_cli_parse_u64(const char *text, uint64_t *out);

/* Applies --max-objects / --max-events / --max-duration; false after a usage
 * error (unknown option or bad value). */
bool rs_cli_limit_option(const char *name, const char *value, RsLimits *limits);

/* Writes `text` to stdout (path NULL or "-"), or atomically to `path`
 * (temporary file + rename).  False after printing an error. */
bool rs_cli_write_output(const char *path, const GString *text);

/* Refuses (false, after the error) an --output that cannot be right
 * before anything runs: '' (no file name), or the same file as one of the
 * inputs (the report would replace the scenario). */
bool rs_cli_output_check(const char *path, char *const *inputs, unsigned n_inputs);

/* The time limit of each gnuplot of --plot: RAHTISIM_GNUPLOT_TIMEOUT
 * seconds (1-86400) or RS_PLOT_GNUPLOT_TIMEOUT; false after a usage error. */
bool rs_cli_gnuplot_timeout(unsigned *seconds);

/* `text` made safe to print on a terminal (include/rahtisim/util.h,
 * rs_escape_terminal), in a buffer that lives until the next few calls. */
const char *rs_cli_quote(const char *text);

#endif
