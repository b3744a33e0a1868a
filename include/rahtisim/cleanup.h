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
#include <sys/types.h>

/* How many files and children can be registered at once. */
#define RS_CLEANUP_MAX 32

/* Installs the handler for SIGINT, SIGTERM and SIGHUP (once; later calls do
 * nothing).  A signal ignored when rahtisim started (nohup) stays ignored. */
void rs_cleanup_install(void);

/* Registers a file to remove if a signal arrives; returns its handle (>= 0),
 * or -1 when the table is full or the path too long (then it is not
 * removed on a signal).  rs_cleanup_install is called if needed. */
int rs_cleanup_add_file(const char *path);
/* Unregisters a file (renamed into place, or removed by the caller); -1 is ignored. */
void rs_cleanup_remove_file(int handle);

/* Registers a child process to kill and reap if a signal arrives; returns
 * its handle, or -1 when the table is full. */
int rs_cleanup_add_child(pid_t pid);
/* Unregisters a child (the caller reaped it); -1 is ignored. */
void rs_cleanup_remove_child(int handle);

#endif
