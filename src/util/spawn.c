/* spawn.c: helper programs with a time limit, killed on a signal.
 * See include/rahtisim/spawn.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/spawn.h"

/* One output pipe of the child: its descriptor (-1 once closed) and where
 * its bytes go. */
typedef struct {
    int fd;
    GString *to;
} Pipe;

/* Reads what is there on a pipe; closes it at its end. */
static void
drain(Pipe *p, size_t cap, bool *truncated)
{
    char buf[65536];
    ssize_t n = read(p->fd, buf, sizeof buf);
    if (n > 0) {
        if (p->to != NULL) {
            size_t room = p->to->len < cap ? cap - p->to->len : 0;
            size_t take = (size_t)n < room ? (size_t)n : room;
            g_string_append_len(p->to, buf, (gssize)take);
            if (take < (size_t)n)
                *truncated = true;
        }
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(p->fd);
        p->fd = -1;
    }
}

/* In the child, before exec: the signal mask rahtisim had before
 * rs_cleanup_hold (a mask survives exec; gnuplot must not start deaf). */
static void
restore_mask(gpointer old)
{
    sigprocmask(SIG_SETMASK, (const sigset_t *)old, NULL);
}

bool
rs_spawn_limited(const char *dir, char *const *argv, unsigned limit_s, GString *out, GString *err,
                 size_t cap, RsSpawnResult *res, GError **error)
{
    memset(res, 0, sizeof *res);
    GPid pid;
    int out_fd = -1, err_fd = -1;
    /* The child is registered before a signal can see it unregistered:
     * SIGINT/SIGTERM/SIGHUP arriving while it starts wait until it is in
     * the table, then kill it (cleanup.h).  Without this a signal right
     * after the fork orphaned gnuplot (tests/signals.sh, SIGHUP). */
    sigset_t old;
    rs_cleanup_hold(&old);
    bool started = g_spawn_async_with_pipes(dir, (char **)argv, NULL,
                                            G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, restore_mask, &old,
                                            &pid, NULL, &out_fd, &err_fd, error);
    int handle = started ? rs_cleanup_add_child(pid) : -1;
    rs_cleanup_release(&old);
    if (!started)
        return false;
    Pipe pipes[2] = {{out_fd, out}, {err_fd, err}};
    gint64 deadline = g_get_monotonic_time() + (gint64)limit_s * G_USEC_PER_SEC;
    for (;;) {
        struct pollfd pfd[2];
        nfds_t n = 0;
        Pipe *which[2];
        for (int i = 0; i < 2; i++)
            if (pipes[i].fd >= 0) {
                pfd[n] = (struct pollfd){.fd = pipes[i].fd, .events = POLLIN};
                which[n++] = &pipes[i];
            }
        if (n > 0) {
            if (poll(pfd, n, 20) > 0)
                for (nfds_t i = 0; i < n; i++)
                    if (pfd[i].revents != 0)
                        drain(which[i], cap, &res->truncated);
        } else {
            g_usleep(10000);
        }
        /* The child is done once it exited and both pipes are at their end
         * (a grandchild holding them open is cut off at the deadline). */
        if (n == 0 && waitpid(pid, &res->wait_status, WNOHANG) == pid)
            break;
        if (g_get_monotonic_time() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &res->wait_status, 0) < 0 && errno == EINTR)
                ;
            res->timed_out = true;
            break;
        }
    }
    rs_cleanup_remove_child(handle);
    for (int i = 0; i < 2; i++)
        if (pipes[i].fd >= 0)
            close(pipes[i].fd);
    g_spawn_close_pid(pid);
    return true;
}

bool
rs_spawn_check(const RsSpawnResult *res, unsigned limit_s, const char *err_text, GError **error)
{
    g_autoptr(GString) why = g_string_new(NULL);
    if (res->timed_out)
        g_string_printf(why, "did not finish in %u s: killed", limit_s);
    else if (WIFEXITED(res->wait_status) && WEXITSTATUS(res->wait_status) == 0)
        return true;
    else if (WIFEXITED(res->wait_status))
        g_string_printf(why, "exited with status %d", WEXITSTATUS(res->wait_status));
    else if (WIFSIGNALED(res->wait_status))
        g_string_printf(why, "was killed by signal %d", WTERMSIG(res->wait_status));
    else
        g_string_printf(why, "ended with wait status %d", res->wait_status);
    /* its message on one line: lines joined by " | ", blank ones and
     * gnuplot's "^" markers dropped */
    if (err_text != NULL) {
        g_auto(GStrv) lines = g_strsplit(err_text, "\n", -1);
        const char *sep = ": ";
        for (unsigned i = 0; lines[i] != NULL; i++) {
            g_strstrip(lines[i]);
            if (lines[i][0] == '\0' || lines[i][0] == '^')
                continue;
            g_string_append_printf(why, "%s%s", sep, lines[i]);
            sep = " | ";
        }
    }
    g_set_error_literal(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, why->str);
    return false;
}
