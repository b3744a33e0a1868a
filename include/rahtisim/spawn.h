/* spawn.h: running a helper program (gnuplot, dot, openssl) safely.
 *
 * rahtisim runs other programs only through rs_spawn_limited: an argument
 * vector (never a shell), a time limit after which the program is killed
 * (SIGKILL) and reaped, its output collected up to a cap, and the child
 * registered with the signal clean-up (cleanup.h) while it runs, so that
 * SIGINT, SIGTERM or SIGHUP to rahtisim kill it too: a helper never
 * outlives rahtisim and never hangs it (issue 14, items 4 and 5).
 */
#ifndef RAHTISIM_SPAWN_H
#define RAHTISIM_SPAWN_H

#include <stdbool.h>

#include <glib.h>

/* How a helper program ended. */
typedef struct {
    int wait_status;            /* waitpid's status (for g_spawn_check_wait_status) */
    bool timed_out;             /* killed at the time limit */
    bool truncated;             /* its output went over the cap and was cut */
} RsSpawnResult;

/* Runs argv[0] (searched in PATH) with `argv` in `dir` (NULL: the current
 * folder), stdin from /dev/null, for at most `limit_s` seconds.  Its stdout
 * is appended to `out` and its stderr to `err` (each NULL: thrown away), at
 * most `cap` bytes each (the rest is read and dropped, so the child never
 * blocks on a full pipe).  False only if it could not be started (`error`
 * set); a program that fails or is killed returns true with `res` saying
 * how it ended. */
bool rs_spawn_limited(const char *dir, char *const *argv, unsigned limit_s, GString *out, GString *err,
                      size_t cap, RsSpawnResult *res, GError **error);

/* True when it exited with status 0; otherwise false with a sentence in
 * `error` ("killed after N s", "exited with status 3", "killed by signal 9"),
 * followed by the first line(s) of `err_text` when given. */
bool rs_spawn_check(const RsSpawnResult *res, unsigned limit_s, const char *err_text, GError **error);

#endif
