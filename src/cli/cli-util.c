/* cli-util.c: option parsing and output helpers shared by the commands. */
/* NOLINTNEXTLINE(bugprone-reserved-identifier): a feature-test macro */
#define _XOPEN_SOURCE 700 /* realpath */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/cli.h"
#include "rahtisim/util.h"
#include "rahtisim/plot.h"
#include "cli/cli-private.h"

/* Prints "rahtisim: message" on stderr and returns the usage exit status. */
int
rs_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* File names and arguments in the message reach a terminal: their
     * control characters and bidi controls are shown, not acted on. */
    g_autofree char *safe = rs_escape_terminal_dup(msg, RS_ESCAPE_KEEP_NEWLINE | RS_ESCAPE_KEEP_TAB);
    fprintf(stderr, "rahtisim: %s\n", safe);
    return RS_EXIT_USAGE;
}

/* True when `arg` is option `name`, alone or as `name=value`. */
bool
rs_cli_opt_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* The option's value: after '=' or the next argument. */
bool
rs_cli_option_value(int argc, char **argv, int *i, const char **value)
{
    const char *arg = argv[*i];
    const char *eq = strchr(arg, '=');
    if (eq != NULL) {
        *value = eq + 1;
        return true;
    }
    if (*i + 1 >= argc) {
        rs_cli_usage_error("option '%s' needs a value", arg);
        return false;
    }
    *value = argv[++*i];
    return true;
}

/* Strict decimal parse of an unsigned 64-bit number. */
bool
rs_cli_parse_u64(const char *text, uint64_t *out)
{
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = (uint64_t)v;
    return true;
}

/* --max-objects N, --max-events N, --max-duration T. */
bool
rs_cli_limit_option(const char *name, const char *value, RsLimits *limits)
{
    uint64_t n;
    if (rs_cli_opt_is(name, "--max-objects") || rs_cli_opt_is(name, "--max-events")) {
        if (!rs_cli_parse_u64(value, &n) || n == 0 || n > UINT32_MAX) {
            rs_cli_usage_error("%.*s takes a whole number from 1 to %u, not '%s'",
                               (int)strcspn(name, "="), name, UINT32_MAX, value);
            return false;
        }
        if (rs_cli_opt_is(name, "--max-objects"))
            limits->max_objects = (unsigned)n;
        else
            limits->max_events = (unsigned)n;
        return true;
    }
    if (rs_cli_opt_is(name, "--max-memory")) {
        uint64_t bytes;
        if (!rs_bytes_parse(value, &bytes) || bytes < ((uint64_t)1 << 20)) {
            rs_cli_usage_error("--max-memory takes a size of at least 1M, such as 512M or 4G, not '%s'",
                               value);
            return false;
        }
        limits->max_memory = bytes;
        return true;
    }
    if (rs_cli_opt_is(name, "--max-duration")) {
        rs_time_t t;
        if (!rs_parse_duration(value, &t) || t <= 0) {
            rs_cli_usage_error("--max-duration takes a duration such as 30d or 12h, not '%s'", value);
            return false;
        }
        limits->max_duration = t;
        return true;
    }
    rs_cli_usage_error("unknown option '%.*s'", (int)strcspn(name, "="), name);
    return false;
}

/* Where writing to `path` really lands: the target of a symbolic link
 * (followed, so the link itself is kept), else `path`.  A link to a link
 * to nothing (a dangling chain) and a loop of links are refused: NULL
 * after the error.  A single dangling link creates its target, as a shell
 * redirection does. */
static char *
output_target(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        return g_strdup(path);
    char *real = realpath(path, NULL);
    if (real != NULL)
        return real;
    if (errno == ELOOP) {
        rs_cli_usage_error("cannot write %s: the symbolic links loop", rs_cli_quote(path));
        return NULL;
    }
    g_autofree char *link = g_file_read_link(path, NULL);
    if (link == NULL) {
        rs_cli_usage_error("cannot write %s: %s", rs_cli_quote(path), g_strerror(errno));
        return NULL;
    }
    g_autofree char *dir = g_path_get_dirname(path);
    char *target = g_path_is_absolute(link) ? g_strdup(link) : g_build_filename(dir, link, NULL);
    if (lstat(target, &st) == 0 && S_ISLNK(st.st_mode)) {
        rs_cli_usage_error("cannot write %s: a chain of symbolic links that ends nowhere",
                           rs_cli_quote(path));
        g_free(target);
        return NULL;
    }
    return target;
}

/* Whether two paths name the same existing file. */
static bool
same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Refuses an --output that is one of the inputs; see cli-private.h. */
bool
rs_cli_output_check(const char *path, char *const *inputs, unsigned n_inputs)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return true;
    if (path[0] == '\0') {
        rs_cli_usage_error("--output needs a file name (or - for standard output), not ''");
        return false;
    }
    for (unsigned i = 0; i < n_inputs; i++) {
        if (inputs[i] != NULL && strcmp(inputs[i], "-") != 0 && same_file(path, inputs[i])) {
            rs_cli_usage_error("--output %s is the input %s: the report would replace the "
                               "scenario; choose another file", rs_cli_quote(path),
                               rs_cli_quote(inputs[i]));
            return false;
        }
    }
    return true;
}

/* Writes all of `text` to the open file `fd`; false with errno set. */
static bool
write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        text += n;
        len -= (size_t)n;
    }
    return true;
}

/* Replaces the regular file (or the new file) `dest` atomically: a
 * temporary file beside it, registered for the signal clean-up (a SIGTERM
 * in the middle removes it: src/util/cleanup.c), written, synced, given
 * the mode of the file it replaces (0644 for a new one), then renamed over
 * it.  Errors name `path` (what the user wrote), never the temporary file. */
static bool
replace_file(const char *path, const char *dest, const GString *text)
{
    struct stat st;
    mode_t mode = stat(dest, &st) == 0 ? (st.st_mode & 07777) : 0644;
    g_autofree char *tmp = g_strdup_printf("%s.XXXXXX", dest);
    int clean = -1;
    int fd = rs_cleanup_mkstemp(tmp, O_WRONLY, 0600, &clean);
    if (fd < 0) {
        rs_cli_usage_error("cannot write %s: %s", rs_cli_quote(path), g_strerror(errno));
        return false;
    }
    bool ok = write_all(fd, text->str, text->len) && fchmod(fd, mode) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, dest) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        rs_cli_usage_error("cannot write %s: %s", rs_cli_quote(path), g_strerror(saved));
    }
    rs_cleanup_remove_file(clean);
    return ok;
}

/* `text` made safe for a terminal; see cli-private.h.  Eight buffers in
 * turn, so a message can quote a few names at once. */
const char *
rs_cli_quote(const char *text)
{
    static char *ring[8];
    static unsigned next;
    unsigned i = next++ % G_N_ELEMENTS(ring);
    g_free(ring[i]);
    ring[i] = rs_escape_terminal_dup(text, 0);
    return ring[i];
}

/* Writes the report to stdout or to a file.  A regular file (or a new one)
 * is replaced atomically (replace_file), keeping its mode.  A symbolic link
 * is followed and its target replaced the same way.  A device, FIFO or
 * socket cannot be renamed over: it is written in place, as a shell
 * redirection would. */
bool
rs_cli_write_output(const char *path, const GString *text)
{
    /* Names and text from the scenario and the command line are in the
     * report: what a terminal would act on is shown instead (escape.c). */
    g_autoptr(GString) safe = NULL;
    if (rs_escape_terminal_needed(text->str, text->len, RS_ESCAPE_TEXT)) {
        safe = g_string_sized_new(text->len);
        rs_escape_terminal(safe, text->str, text->len, RS_ESCAPE_TEXT);
        text = safe;
    }
    if (path == NULL || strcmp(path, "-") == 0) {
        if (fwrite(text->str, 1, text->len, stdout) != text->len || fflush(stdout) != 0) {
            rs_cli_usage_error("cannot write the report to standard output: %s", g_strerror(errno));
            clearerr(stdout);
            return false;
        }
        return true;
    }
    if (!rs_cli_output_check(path, NULL, 0))
        return false;
    g_autofree char *dest = output_target(path);
    if (dest == NULL)
        return false;
    struct stat st;
    if (stat(dest, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            rs_cli_usage_error("cannot write %s: it is a folder", rs_cli_quote(path));
            return false;
        }
        FILE *f = fopen(dest, "w");
        if (f == NULL) {
            rs_cli_usage_error("cannot write %s: %s", rs_cli_quote(path), g_strerror(errno));
            return false;
        }
        bool ok = fwrite(text->str, 1, text->len, f) == text->len;
        int saved = errno;
        if (fclose(f) != 0 && ok) {
            ok = false;
            saved = errno;
        }
        if (!ok)
            rs_cli_usage_error("cannot write %s: %s", rs_cli_quote(path), g_strerror(saved));
        return ok;
    }
    return replace_file(path, dest, text);
}

/* See cli-private.h. */
bool
rs_cli_gnuplot_timeout(unsigned *seconds)
{
    *seconds = RS_PLOT_GNUPLOT_TIMEOUT;
    const char *limit = g_getenv("RAHTISIM_GNUPLOT_TIMEOUT");
    if (limit == NULL || limit[0] == '\0')
        return true;
    guint64 v = 0;
    if (!g_ascii_string_to_unsigned(limit, 10, 1, 86400, &v, NULL)) {
        rs_cli_usage_error("RAHTISIM_GNUPLOT_TIMEOUT=%s: not a number of seconds from 1 to 86400",
                           rs_cli_quote(limit));
        return false;
    }
    *seconds = (unsigned)v;
    return true;
}
