/* cli.h: the command table (tmux's cmd_entry pattern).
 *
 * Each command is one table entry: name, argument synopsis, one-line
 * summary, long help and the function that runs it.  --help output, `help
 * CMD`, prefix matching and "did you mean" come from the table.
 *
 * A command function gets argv with argv[0] = the command's name and
 * returns the process exit status (scenario-format.md): 0 every expectation
 * held, 1 an expectation failed, 2 bad input or usage.
 */
#ifndef RAHTISIM_CLI_H
#define RAHTISIM_CLI_H

#include <stdbool.h>

enum { RS_EXIT_OK = 0, RS_EXIT_FAILED = 1, RS_EXIT_USAGE = 2 };

typedef int (*RsCmdFn)(int argc, char **argv);

typedef struct {
    const char *name;
    const char *usage;          /* "SCENARIO --from X --to URL [--at T]" */
    const char *summary;        /* one line */
    const char *help;           /* the long text for `help CMD` */
    RsCmdFn exec;
} RsCmdEntry;

/* The command table, terminated by an entry whose name is NULL. */
extern const RsCmdEntry rs_cmd_table[];

typedef enum { RS_LOOKUP_FOUND, RS_LOOKUP_UNKNOWN, RS_LOOKUP_AMBIGUOUS } RsLookup;

/* Finds a command by exact name or unique prefix.  On RS_LOOKUP_AMBIGUOUS
 * `hint` gets the matching names ("check, chart"); on RS_LOOKUP_UNKNOWN the
 * closest name or NULL.  `hint` is owned by the caller (g_free). */
RsLookup rs_cli_lookup(const char *name, const RsCmdEntry **out, char **hint);
/* The same over another table (tests). */
RsLookup rs_cli_lookup_in(const RsCmdEntry *table, const char *name, const RsCmdEntry **out,
                          char **hint);

/* The whole program: parses global options, finds the command, runs it. */
int rs_cli_main(int argc, char **argv);

/* Prints "rahtisim: message" to stderr (printf-style) and returns RS_EXIT_USAGE. */
int rs_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Command implementations, one file each under src/cli/. */
int rs_cmd_run(int argc, char **argv);
int rs_cmd_check(int argc, char **argv);
int rs_cmd_import(int argc, char **argv);
int rs_cmd_diff(int argc, char **argv);
int rs_cmd_bench(int argc, char **argv);
int rs_cmd_explain(int argc, char **argv);
int rs_cmd_dig(int argc, char **argv);
int rs_cmd_matrix(int argc, char **argv);
int rs_cmd_topology(int argc, char **argv);
int rs_cmd_schema(int argc, char **argv);
int rs_cmd_export(int argc, char **argv);
int rs_cmd_sweep(int argc, char **argv);     /* src/cli/cmd-sweep.c */
int rs_cmd_merge(int argc, char **argv);     /* src/cli/cmd-merge.c */
/* `run --quiz` (src/cli/run-quiz.c): whether run's arguments ask for it, and the quiz. */
bool rs_cli_run_wants_quiz(int argc, char **argv);
int rs_cli_run_quiz(int argc, char **argv);

#endif
