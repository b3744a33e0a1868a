/* runner.c: running a sweep's runs, J processes at a time.
 *
 * One fork per run, after the document is loaded and the grid checked: the
 * child sets the point's values, loads the scenario, simulates it with the
 * run's seed and writes runs/NAME atomically (a temporary file renamed into
 * place), then _exits; the parent keeps at most J children and waits.  No
 * result travels through the parent: the tables are read back from the
 * reports afterwards, in run order, so nothing depends on J or on which
 * child finished first (R37).  A report that exists is complete; --resume
 * skips those runs and deletes the temporary files an interrupted sweep
 * left.  A run that cannot be simulated (a combination of values the
 * loader refuses, a limit hit) stops the sweep: no new runs start, the
 * running ones finish, and the error is returned (exit 2).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/expect.h"
#include "rahtisim/report.h"
#include "rahtisim/sweep.h"

/* The child: one run, then _exit (0 written, 2 not). */
static G_NORETURN void
child_run(const RsSweep *sw, const RsSweepDoc *d, const char *dir, uint64_t run,
          const RsLimits *limits)
{
    GError *err = NULL;
    RsScenario *sc = rs_sweep_load_point(sw, d, run / sw->seeds, limits, &err);
    RsRunResult *res = NULL;
    if (sc != NULL)
        res = rs_run_scenario(sc, run % sw->seeds + 1, &err);
    if (res == NULL) {
        fprintf(stderr, "rahtisim: sweep: %s\n", err->message);
        _exit(2);
    }
    GString *out = g_string_new(NULL);
    RsReportOptions ropt = {.format = RS_FORMAT_JSON};
    rs_report(out, &res, 1, &ropt);
    g_autofree char *name = rs_sweep_run_name(sw, run);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (!rs_write_file_atomic(path, out->str, out->len, 0644, &err)) {
        fprintf(stderr, "rahtisim: sweep: %s\n", err->message);
        _exit(2);
    }
    _exit(0);
}

/* Deletes what interrupted runs left in DIR/runs: anything not *.json. */
static void
clean_partial(const char *runs)
{
    GDir *dh = g_dir_open(runs, 0, NULL);
    if (dh == NULL)
        return;
    const char *n;
    while ((n = g_dir_read_name(dh)) != NULL) {
        if (!g_str_has_suffix(n, ".json")) {
            g_autofree char *p = g_build_filename(runs, n, NULL);
            g_unlink(p);
        }
    }
    g_dir_close(dh);
}

bool
rs_sweep_run(const RsSweep *sw, const RsSweepDoc *d, const char *dir, const RsSweepRunOptions *opt,
             uint64_t *done_before, uint64_t *ran, GError **error)
{
    g_autofree char *runs = g_build_filename(dir, "runs", NULL);
    if (g_mkdir_with_parents(runs, 0755) != 0) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "cannot create %s: %s", runs, g_strerror(errno));
        return false;
    }
    clean_partial(runs);
    g_autoptr(GArray) todo = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    *done_before = 0;
    *ran = 0;
    for (uint64_t r = 0; r < sw->runs; r++) {
        if (!rs_sweep_in_shard(sw, r))
            continue;
        g_autofree char *name = rs_sweep_run_name(sw, r);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (opt->resume && g_file_test(path, G_FILE_TEST_IS_REGULAR))
            (*done_before)++;
        else
            g_array_append_val(todo, r);
    }

    unsigned jobs = opt->jobs > 0 ? opt->jobs : 1;
    unsigned active = 0;
    guint next = 0;
    bool failed = false, fork_failed = false;
    bool show = !opt->quiet && isatty(STDERR_FILENO);
    g_autoptr(GHashTable) workers = g_hash_table_new(NULL, NULL);   /* pid -> clean-up handle + 1 */
    while ((next < todo->len && !failed) || active > 0) {
        while (active < jobs && next < todo->len && !failed) {
            uint64_t r = g_array_index(todo, uint64_t, next);
            fflush(NULL);   /* nothing buffered is written twice */
            /* The worker is registered for the signal clean-up before a
             * signal can see it unregistered: SIGINT/SIGTERM/SIGHUP to the
             * sweep kill its workers (cleanup.h); --resume redoes their runs. */
            sigset_t old;
            rs_cleanup_hold(&old);
            pid_t pid = fork();
            if (pid == 0) {
                rs_cleanup_forget_all();        /* the parent's registry */
                sigprocmask(SIG_SETMASK, &old, NULL);
                child_run(sw, d, dir, r, opt->limits);
            }
            if (pid > 0)
                g_hash_table_insert(workers, GINT_TO_POINTER(pid),
                                    GINT_TO_POINTER(rs_cleanup_add_child(pid) + 1));
            rs_cleanup_release(&old);
            if (pid < 0) {
                g_set_error(error, RS_SWEEP_ERROR, 0, "cannot start a worker: %s", g_strerror(errno));
                failed = fork_failed = true;
                break;
            }
            next++;
            active++;
        }
        if (active == 0)
            break;
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        active--;
        rs_cleanup_remove_child(GPOINTER_TO_INT(g_hash_table_lookup(workers, GINT_TO_POINTER(pid))) - 1);
        g_hash_table_remove(workers, GINT_TO_POINTER(pid));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed = true;
        } else {
            (*ran)++;
        }
        if (show) {
            fprintf(stderr, "\rrahtisim: sweep: %" PRIu64 " of %u runs\033[K", *ran + *done_before,
                    todo->len + (unsigned)*done_before);
            fflush(stderr);
        }
    }
    if (show) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (failed) {
        if (!fork_failed)
            g_set_error(error, RS_SWEEP_ERROR, 0, "a run failed (the message above); %" PRIu64
                        " runs were written: fix the grid, or run again with --resume",
                        *ran + *done_before);
        return false;
    }
    return true;
}
