/* cleanup.c: temporary files and child processes undone on SIGINT/SIGTERM/SIGHUP.
 * See include/rahtisim/cleanup.h. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rahtisim/cleanup.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static const int signals[] = {SIGINT, SIGTERM, SIGHUP};

/* The registry: written with the signals blocked, read by the handler. */
static struct {
    volatile sig_atomic_t used;
    char path[PATH_MAX];
} files[RS_CLEANUP_MAX];
static struct {
    volatile sig_atomic_t used;
    pid_t pid;
} children[RS_CLEANUP_MAX];
static volatile sig_atomic_t installed;
static volatile sig_atomic_t handling;

/* The handler: undo everything registered, then die of the signal. */
static void
on_signal(int sig)
{
    if (!handling) {
        handling = 1;
        int saved = errno;
        for (int i = 0; i < RS_CLEANUP_MAX; i++) {
            if (children[i].used) {
                kill(children[i].pid, SIGKILL);
                while (waitpid(children[i].pid, NULL, 0) < 0 && errno == EINTR) {
                }
                children[i].used = 0;
            }
        }
        for (int i = 0; i < RS_CLEANUP_MAX; i++) {
            if (files[i].used) {
                unlink(files[i].path);
                files[i].used = 0;
            }
        }
        errno = saved;
    }
    /* The conventional status: die of the same signal, with its default action. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

/* Blocks (or restores) the three signals around a change of the registry. */
static void
block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        sigaddset(&set, signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void
unblock(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

/* Installs the handler; see cleanup.h. */
void
rs_cleanup_install(void)
{
    if (installed)
        return;
    installed = 1;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old;
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;           /* nohup: keep ignoring it */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++)
            sigaddset(&sa.sa_mask, signals[k]);
        sigaction(signals[i], &sa, NULL);
    }
}

/* Registers a file; see cleanup.h. */
int
rs_cleanup_add_file(const char *path)
{
    if (path == NULL || strlen(path) >= PATH_MAX)
        return -1;
    rs_cleanup_install();
    sigset_t old;
    block(&old);
    int h = -1;
    for (int i = 0; i < RS_CLEANUP_MAX && h < 0; i++) {
        if (!files[i].used) {
            memcpy(files[i].path, path, strlen(path) + 1);
            files[i].used = 1;
            h = i;
        }
    }
    unblock(&old);
    return h;
}

/* Unregisters a file; see cleanup.h. */
void
rs_cleanup_remove_file(int handle)
{
    if (handle < 0 || handle >= RS_CLEANUP_MAX)
        return;
    sigset_t old;
    block(&old);
    files[handle].used = 0;
    unblock(&old);
}

/* Registers a child; see cleanup.h. */
int
rs_cleanup_add_child(pid_t pid)
{
    if (pid <= 0)
        return -1;
    rs_cleanup_install();
    sigset_t old;
    block(&old);
    int h = -1;
    for (int i = 0; i < RS_CLEANUP_MAX && h < 0; i++) {
        if (!children[i].used) {
            children[i].pid = pid;
            children[i].used = 1;
            h = i;
        }
    }
    unblock(&old);
    return h;
}

/* Unregisters a child; see cleanup.h. */
void
rs_cleanup_remove_child(int handle)
{
    if (handle < 0 || handle >= RS_CLEANUP_MAX)
        return;
    sigset_t old;
    block(&old);
    children[handle].used = 0;
    unblock(&old);
}
