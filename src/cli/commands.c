/* commands.c: the command table and the program's entry point.
 *
 * Like tmux's cmd_entry list, every command is a row: the usage line, the
 * summary, the long help and the function come from here, so `--help`,
 * `help CMD`, prefix matching ("ch" runs check), "ambiguous command" and
 * "did you mean" answers cannot drift from what exists.  A command that is
 * not built yet has exec == NULL and a `pending` note: it says so plainly
 * and exits 2; it never pretends to work.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/cli.h"
#include "rahtisim/util.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

const RsCmdEntry rs_cmd_table[] = {
    {"run", "[SCENARIO...] [--seed N] [--format text|json] [--output FILE] [--quiet]",
     "simulate scenarios and check their expectations",
     "Simulates each SCENARIO (with none, the built-in scenario: the Rahti networking page's\n"
     "`fenic` namespace) and checks its expectations.\n"
     "\n"
     "  --seed N         override the scenario's seed\n"
     "  --format F       text (default) or json (scenario-format.md, \"JSON report\")\n"
     "  --output FILE    write the report to FILE (atomically) instead of stdout\n"
     "  --trace          also print the event log (what happened, when, and the rule)\n"
     "  --quiet          print only failures and the summary\n"
     "  --max-objects N, --max-events N, --max-duration T   raise the safety limits\n"
     "\n"
     "Exit status: 0 every expectation held, 1 an expectation failed, 2 bad input or usage.",
     rs_cmd_run, NULL},
    {"check", "SCENARIO...",
     "validate scenarios without simulating; print warnings",
     "Loads and validates each SCENARIO and prints warnings about what Rahti users\n"
     "commonly get wrong: privileged pod ports (R4), selectors that match nothing,\n"
     "target ports no selected pod listens on (R11), malformed whitelists (R25),\n"
     "host conflicts between routes (R22).\n"
     "\n"
     "Exit status: 0 all valid, 2 bad input or usage.",
     rs_cmd_check, NULL},
    {"explain", "SCENARIO --from X --to URL [--at T]",
     "one request, hop by hop, with the rule behind each decision",
     "Follows one request from X to URL at time T and prints every hop with its rule.",
     NULL, "the teaching issue (#6)"},
    {"dig", "SCENARIO NAME --from X [--at T]",
     "a DNS lookup, query by query",
     "Shows the resolver's walk for NAME from X: search suffixes, ndots, CNAME chain.",
     NULL, "the teaching issue (#6)"},
    {"matrix", "SCENARIO [--at T] [--format text|csv|json]",
     "who can reach whom",
     "Prints the reachability matrix: sources by destinations, one outcome letter a cell.",
     NULL, "the teaching issue (#6)"},
    {"topology", "SCENARIO [--format text|dot]",
     "namespaces, pods, services, routes and their addresses",
     "Prints the cluster as a tree, or as Graphviz DOT.",
     NULL, "the teaching issue (#6)"},
    {"bench", "engine|requests [OPTIONS]",
     "measure the simulator's speed",
     "  bench engine [--events N] [--pending P] [--seed S] [--format text|json]\n"
     "      the hold model: P events pending, each executed event schedules one\n"
     "      more at now + U(0, 1 ms); prints events executed per second.",
     rs_cmd_bench, NULL},
    {"help", "[COMMAND]", "show help for rahtisim or one command", NULL, cmd_help, NULL},
    {"version", "", "print the version", NULL, cmd_version, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

/* Prints "rahtisim: message" on stderr and returns the usage exit status. */
int
rs_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rahtisim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return RS_EXIT_USAGE;
}

/* Finds a command by exact name or unique prefix (see cli.h). */
RsLookup
rs_cli_lookup(const char *name, const RsCmdEntry **out, char **hint)
{
    return rs_cli_lookup_in(rs_cmd_table, name, out, hint);
}

/* Finds a command in `table` by exact name or unique prefix. */
RsLookup
rs_cli_lookup_in(const RsCmdEntry *table, const char *name, const RsCmdEntry **out, char **hint)
{
    const RsCmdEntry *found = NULL;
    g_autoptr(GString) matches = g_string_new(NULL);
    unsigned n_matches = 0;
    size_t len = strlen(name);

    *out = NULL;
    if (hint != NULL)
        *hint = NULL;
    for (const RsCmdEntry *e = table; e->name != NULL; e++) {
        if (strcmp(e->name, name) == 0) {
            *out = e;
            return RS_LOOKUP_FOUND;
        }
        if (len > 0 && strncmp(e->name, name, len) == 0) {
            found = e;
            g_string_append_printf(matches, "%s%s", n_matches ? ", " : "", e->name);
            n_matches++;
        }
    }
    if (n_matches == 1) {
        *out = found;
        return RS_LOOKUP_FOUND;
    }
    if (n_matches > 1) {
        if (hint != NULL)
            *hint = g_string_free(g_steal_pointer(&matches), FALSE);
        return RS_LOOKUP_AMBIGUOUS;
    }
    if (hint != NULL) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        for (const RsCmdEntry *e = table; e->name != NULL; e++)
            g_ptr_array_add(names, (gpointer)e->name);
        const char *close = rs_closest(name, (const char *const *)names->pdata, names->len);
        *hint = close ? g_strdup(close) : NULL;
    }
    return RS_LOOKUP_UNKNOWN;
}

/* Prints the program's overview: every command with its summary. */
static void
print_overview(FILE *f)
{
    fprintf(f, "rahtisim %s: a discrete-event simulator of Rahti (OpenShift) networking\n\n",
            PACKAGE_VERSION);
    fputs("Usage: rahtisim COMMAND [ARGS...]\n\nCommands:\n", f);
    for (const RsCmdEntry *e = rs_cmd_table; e->name != NULL; e++)
        fprintf(f, "  %-9s %s%s\n", e->name, e->summary, e->exec ? "" : " (not built yet)");
    fputs("\nRun 'rahtisim help COMMAND' for a command's options.\n"
          "Exit status: 0 every expectation held, 1 an expectation failed, 2 bad input or usage.\n",
          f);
}

/* Prints one command's usage and long help. */
static void
print_command_help(FILE *f, const RsCmdEntry *e)
{
    fprintf(f, "Usage: rahtisim %s%s%s\n\n%s.\n", e->name, e->usage[0] ? " " : "", e->usage,
            e->summary);
    if (e->help != NULL)
        fprintf(f, "\n%s\n", e->help);
    if (e->exec == NULL)
        fprintf(f, "\nNot built yet: arrives with %s.\n", e->pending);
}

/* Answers a command name that is not in the table; returns the exit status. */
static int
unknown_command(const char *name, RsLookup how, const char *hint)
{
    if (how == RS_LOOKUP_AMBIGUOUS)
        return rs_cli_usage_error("ambiguous command '%s': could be %s", name, hint);
    if (hint != NULL)
        return rs_cli_usage_error("unknown command '%s'; did you mean '%s'? (rahtisim --help lists them)",
                                  name, hint);
    return rs_cli_usage_error("unknown command '%s' (rahtisim --help lists the commands)", name);
}

/* `rahtisim help [COMMAND]`. */
static int
cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stdout);
        return RS_EXIT_OK;
    }
    if (argc > 2)
        return rs_cli_usage_error("help takes one command name");
    const RsCmdEntry *e;
    g_autofree char *hint = NULL;
    RsLookup how = rs_cli_lookup(argv[1], &e, &hint);
    if (how != RS_LOOKUP_FOUND)
        return unknown_command(argv[1], how, hint);
    print_command_help(stdout, e);
    return RS_EXIT_OK;
}

/* `rahtisim version`. */
static int
cmd_version(int argc, char **argv)
{
    if (argc > 1)
        return rs_cli_usage_error("version takes no arguments");
    printf("rahtisim %s\n", PACKAGE_VERSION);
    return RS_EXIT_OK;
}

/* Parses global options, finds the command and runs it. */
int
rs_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return RS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        return cmd_version(1, argv + 1);
    if (name[0] == '-')
        return rs_cli_usage_error("unknown option '%s' (rahtisim --help lists the commands)", name);

    const RsCmdEntry *e;
    g_autofree char *hint = NULL;
    RsLookup how = rs_cli_lookup(name, &e, &hint);
    if (how != RS_LOOKUP_FOUND)
        return unknown_command(name, how, hint);

    /* `rahtisim CMD --help` is the same as `rahtisim help CMD`. */
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_command_help(stdout, e);
            return RS_EXIT_OK;
        }
    }
    if (e->exec == NULL)
        return rs_cli_usage_error("%s: not built yet (arrives with %s)", e->name, e->pending);
    argv[1] = (char *)e->name;  /* commands see their full name, even when prefixed */
    return e->exec(argc - 1, argv + 1);
}
