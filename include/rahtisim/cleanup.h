/* cleanup.h: what to undo when rahtisim is interrupted (SIGINT, SIGTERM, SIGHUP).
 *
 * A command that creates a temporary file or starts a child process
 * registers it here for as long as it exists; when one of those signals
 * arrives, the handler removes every registered file, kills (SIGKILL) and
 * reaps every registered child, and then dies of the signal itself, so the
 * caller sees the conventional status (128 + the signal number in a shell).
 * Nothing is left behind: no `report.json.XXXXXX`, no `*.png.tmp`, no
 * orphaned gnuplot.
 *
 * The registry is a fixed table (no allocation in the handler); signals are
 * blocked while it changes, so the handler never sees half an entry.  Only
 * async-signal-safe calls run in the handler (unlink, kill, waitpid,
 * sigaction, raise).
 */
#ifndef RAHTISIM_CLEANUP_H
#define RAHTISIM_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

#include <glib.h>

/* How many files and children can be registered at once (children: as
 * many as `sweep --jobs` allows). */
#define RS_CLEANUP_MAX 32
#define RS_CLEANUP_MAX_CHILDREN 4096

/* Installs the handler for SIGINT, SIGTERM and SIGHUP (once; later calls do
 * nothing).  A signal ignored when rahtisim started (nohup) stays ignored. */
void rs_cleanup_install(void);

/* Registers a file to remove if a signal arrives; returns its handle (>= 0),
 * or -1 when the table is full or the path too long (then it is not
 * removed on a signal).  rs_cleanup_install is called if needed. */
int rs_cleanup_add_file(const char *path);
/* Creates a temporary file from `tmpl` (ending in XXXXXX, replaced; as
 * g_mkstemp_full) and registers it, with the signals blocked in between:
 * no signal can arrive after the file exists and before it is registered.
 * Returns its descriptor (or -1, errno set) and its handle in *handle. */
int rs_cleanup_mkstemp(char *tmpl, int flags, int mode, int *handle);
/* The same for a temporary folder (as g_mkdtemp), registered as a tree. */
char *rs_cleanup_mkdtemp(char *tmpl, int *handle);

/* Writes `len` bytes of `data` to `path` atomically, as
 * g_file_set_contents_full(..., G_FILE_SET_CONTENTS_CONSISTENT, mode):
 * a temporary file beside it (created and registered by
 * rs_cleanup_mkstemp, so a signal removes it), written, synced, renamed
 * over `path`.  False with `error` set (G_FILE_ERROR, naming `path`). */
bool rs_write_file_atomic(const char *path, const char *data, size_t len, int mode, GError **error);

/* Registers a folder to remove, with everything in it, if a signal
 * arrives (a folder being filled before it is renamed into place);
 * unregistered with rs_cleanup_remove_file.  The handler reads it with
 * getdents64 (Linux), removes at most 16 levels, follows no symlink. */
int rs_cleanup_add_tree(const char *path);
/* Unregisters a file (renamed into place, or removed by the caller); -1 is ignored. */
void rs_cleanup_remove_file(int handle);

/* Registers a child process to kill and reap if a signal arrives; returns
 * its handle, or -1 when the table is full. */
int rs_cleanup_add_child(pid_t pid);
/* Unregisters a child (the caller reaped it); -1 is ignored. */
void rs_cleanup_remove_child(int handle);

/* Blocks SIGINT, SIGTERM and SIGHUP (the previous mask in *old) and
 * installs the handler: a signal arriving between the start of a child or
 * the creation of a file and its registration waits until
 * rs_cleanup_release, when the entry is there for the handler to undo.
 * A child forked in between inherits the blocked mask: it restores *old
 * before it runs anything (sigprocmask; rs_spawn_limited's child setup). */
void rs_cleanup_hold(sigset_t *old);
/* Restores the mask rs_cleanup_hold saved; a signal that came meanwhile
 * is delivered now. */
void rs_cleanup_release(const sigset_t *old);
/* In a child just forked (sweep workers): forgets everything registered,
 * which belongs to the parent (a child killed by a signal must not kill
 * its siblings or remove the parent's files). */
void rs_cleanup_forget_all(void);

#endif
