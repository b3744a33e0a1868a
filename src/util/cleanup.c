/* cleanup.c: temporary files and child processes undone on SIGINT/SIGTERM/SIGHUP.
 * See include/rahtisim/cleanup.h. */
/* NOLINTNEXTLINE(bugprone-reserved-identifier): a feature-test macro */
#define _DEFAULT_SOURCE /* syscall, DT_DIR (getdents64 in the signal handler) */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "rahtisim/cleanup.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static const int signals[] = {SIGINT, SIGTERM, SIGHUP};

/* The registry: written with the signals blocked, read by the handler. */
static struct {
    volatile sig_atomic_t used;
    sig_atomic_t tree;          /* a folder: removed with everything in it */
    char path[PATH_MAX];
} files[RS_CLEANUP_MAX];
static struct {
    volatile sig_atomic_t used;
    pid_t pid;
} children[RS_CLEANUP_MAX_CHILDREN];
static volatile sig_atomic_t installed;
static volatile sig_atomic_t handling;

/* One entry of the kernel's getdents64 (Linux): the C library's readdir
 * may allocate, so the handler reads folders with the system call. */
struct rs_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Removes `name` in folder `dirfd` and, when it is a folder, everything in
 * it (at most 16 levels deep); only async-signal-safe system calls. */
static void
remove_tree_at(int dirfd, const char *name, int depth)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        unlinkat(dirfd, name, 0);
        return;
    }
    char buf[2048];
    for (int round = 0; round < 1000; round++) {
        /* read from the start again after each batch: removing entries
         * while reading may make the kernel skip some */
        lseek(fd, 0, SEEK_SET);
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0)
            break;
        bool removed = false;
        for (long off = 0; off < n;) {
            struct rs_dirent64 *e = (struct rs_dirent64 *)(void *)(buf + off);
            off += e->d_reclen;
            const char *nm = e->d_name;
            if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0')))
                continue;
            if (e->d_type == DT_DIR && depth < 16)
                remove_tree_at(fd, e->d_name, depth + 1);
            else
                unlinkat(fd, e->d_name, 0);
            removed = true;
        }
        if (!removed)
            break;
    }
    close(fd);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* The handler: undo everything registered, then die of the signal. */
static void
on_signal(int sig)
{
    if (!handling) {
        handling = 1;
        int saved = errno;
        for (int i = 0; i < RS_CLEANUP_MAX_CHILDREN; i++) {
            if (children[i].used) {
                kill(children[i].pid, SIGKILL);
                while (waitpid(children[i].pid, NULL, 0) < 0 && errno == EINTR) {
                }
                children[i].used = 0;
            }
        }
        for (int i = 0; i < RS_CLEANUP_MAX; i++) {
            if (files[i].used) {
                if (files[i].tree)
                    remove_tree_at(AT_FDCWD, files[i].path, 0);
                else
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

/* Holds the signals around a child's start; see cleanup.h. */
void
rs_cleanup_hold(sigset_t *old)
{
    rs_cleanup_install();
    block(old);
}

/* Lets them in again; see cleanup.h. */
void
rs_cleanup_release(const sigset_t *old)
{
    unblock(old);
}

/* Registers a file or a folder. */
static int
add_path(const char *path, bool tree)
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
            files[i].tree = tree;
            files[i].used = 1;
            h = i;
        }
    }
    unblock(&old);
    return h;
}

/* Registers a file; see cleanup.h. */
int
rs_cleanup_add_file(const char *path)
{
    return add_path(path, false);
}

/* Registers a folder; see cleanup.h. */
int
rs_cleanup_add_tree(const char *path)
{
    return add_path(path, true);
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
    for (int i = 0; i < RS_CLEANUP_MAX_CHILDREN && h < 0; i++) {
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
    if (handle < 0 || handle >= RS_CLEANUP_MAX_CHILDREN)
        return;
    sigset_t old;
    block(&old);
    children[handle].used = 0;
    unblock(&old);
}

/* Forgets the parent's registry in a forked child; see cleanup.h. */
void
rs_cleanup_forget_all(void)
{
    sigset_t old;
    block(&old);
    for (int i = 0; i < RS_CLEANUP_MAX; i++)
        files[i].used = 0;
    for (int i = 0; i < RS_CLEANUP_MAX_CHILDREN; i++)
        children[i].used = 0;
    unblock(&old);
}

/* Creates and registers a temporary file; see cleanup.h. */
int
rs_cleanup_mkstemp(char *tmpl, int flags, int mode, int *handle)
{
    rs_cleanup_install();
    sigset_t old;
    block(&old);
    int fd = g_mkstemp_full(tmpl, flags, mode);
    int saved = errno;
    *handle = fd >= 0 ? add_path(tmpl, false) : -1;
    unblock(&old);
    errno = saved;
    return fd;
}

/* Creates and registers a temporary folder; see cleanup.h. */
char *
rs_cleanup_mkdtemp(char *tmpl, int *handle)
{
    rs_cleanup_install();
    sigset_t old;
    block(&old);
    char *dir = g_mkdtemp(tmpl);
    int saved = errno;
    *handle = dir != NULL ? add_path(tmpl, true) : -1;
    unblock(&old);
    errno = saved;
    return dir;
}

/* Writes a file atomically, its temporary file removed on a signal; see cleanup.h. */
bool
rs_write_file_atomic(const char *path, const char *data, size_t len, int mode, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.XXXXXX", path);
    int clean = -1;
    int fd = rs_cleanup_mkstemp(tmp, O_WRONLY, 0600, &clean);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write %s: %s", path, g_strerror(e));
        return false;
    }
    bool ok = true;
    for (size_t done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            done += (size_t)n;
    }
    ok = ok && fchmod(fd, (mode_t)mode) == 0 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        if (e == 0)
            e = EIO;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write %s: %s", path, g_strerror(e));
    }
    rs_cleanup_remove_file(clean);
    return ok;
}
