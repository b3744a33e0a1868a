/* teach-cli.h: the command line shared by explain, dig, matrix and topology.
 *
 * The four teaching commands take one scenario and a handful of the same
 * options (--at, --seed, --color, --format, --from, --to, the --max-*
 * limits); each allows only the ones it documents, so `dig --to` is a usage
 * error, not silently ignored.  The limits bind the teaching commands as
 * they bind `run`: --at beyond --max-duration is a usage error, and the
 * simulation up to --at (every cell's, in all, for matrix) stops with an
 * error at --max-events (src/teach/probe.c).
 */
#ifndef RAHTISIM_TEACH_CLI_H
#define RAHTISIM_TEACH_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "rahtisim/scenario.h"
#include "rahtisim/teach.h"

/* The usage lines of the commands that parse with rs_teach_args_parse: the
 * command table (commands.c) shows them and the "missing arguments" error
 * repeats them, from this one place (the parser needs no table lookup, so
 * this file stays below the table: tests/layers.sh). */
#define RS_USAGE_EXPLAIN "SCENARIO --from X --to URL [--at T] [--seed N] [--color WHEN] [--max-*]"
#define RS_USAGE_DIG "SCENARIO NAME --from X [--at T] [--seed N] [--color WHEN] [--max-*]"
#define RS_USAGE_MATRIX \
    "SCENARIO [--at T] [--port N] [--format text|csv|json] [--seed N] [--color WHEN] [--max-*]"
#define RS_USAGE_TOPOLOGY "SCENARIO [--format text|dot] [--at T] [--seed N] [--max-*]"
#define RS_USAGE_EXPORT                                                                        \
    "haproxy SCENARIO --output DIR [--at T] [--replica N] [--bind ADDR[:HTTP[:HTTPS]]]\n" \
    "            [--map-pods CIDR] [--seed N] [--max-*]"

typedef struct {
    const char *cmd;            /* the command's name, for messages */
    GPtrArray *args;            /* positional arguments (const char * into argv), owned array */
    const char *from, *to, *format;
    bool has_at;
    rs_time_t at;               /* --at, within --max-duration */
    const char *at_text;        /* --at as written, for messages */
    bool has_seed;
    uint64_t seed;
    RsColorMode color;
    RsLimits limits;
} RsTeachArgs;

/* Parses argv[1..] into `a` (clear it with rs_teach_args_clear in any case): options named in `allowed` (e.g. "--from"),
 * plus --seed, --color and --max-*, which every teaching command takes.
 * `n_args` positional arguments are required; `usage` (RS_USAGE_...) is
 * the usage line the error repeats when they are not there.  False after a
 * usage error. */
bool rs_teach_args_parse(int argc, char **argv, const char *const *allowed, unsigned n_args,
                         const char *usage, RsTeachArgs *a);
void rs_teach_args_clear(RsTeachArgs *a);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RsTeachArgs, rs_teach_args_clear)
/* Scope-bound clean-up of the parsed --to and --from. */
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RsUrl, rs_url_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RsFrom, rs_teach_from_clear)

/* Loads the scenario named by the first positional argument; NULL after
 * printing the loader's message. */
RsScenario *rs_teach_load(const RsTeachArgs *a);

/* The seed to use and the time to look at (--at, or the settled time). */
uint64_t rs_teach_args_seed(const RsTeachArgs *a, const RsScenario *sc);
rs_time_t rs_teach_args_at(const RsTeachArgs *a, const RsScenario *sc);

#endif
