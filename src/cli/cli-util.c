/* cli-util.c: option parsing and output helpers shared by the commands. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rahtisim/cli.h"
#include "cli/cli-private.h"

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
 * (followed, even when dangling, so the link itself is kept), else `path`. */
static char *
output_target(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        return g_strdup(path);
    char *real = realpath(path, NULL);
    if (real != NULL)
        return real;
    g_autofree char *link = g_file_read_link(path, NULL);
    if (link == NULL || g_path_is_absolute(link))
        return link != NULL ? g_steal_pointer(&link) : g_strdup(path);
    g_autofree char *dir = g_path_get_dirname(path);
    return g_build_filename(dir, link, NULL);
}

/* Writes the report to stdout or to a file.  A regular file (or a new one)
 * is replaced atomically: a temporary file in the same folder renamed over
 * it, so readers never see a partial report.  A symbolic link is followed
 * and its target replaced the same way.  A device, FIFO or socket cannot be
 * renamed over: it is written in place, as a shell redirection would. */
bool
rs_cli_write_output(const char *path, const GString *text)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        if (fwrite(text->str, 1, text->len, stdout) != text->len || fflush(stdout) != 0) {
            rs_cli_usage_error("cannot write the report to standard output: %s", g_strerror(errno));
            return false;
        }
        return true;
    }
    g_autofree char *dest = output_target(path);
    struct stat st;
    if (stat(dest, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            rs_cli_usage_error("cannot write %s: it is a folder", path);
            return false;
        }
        FILE *f = fopen(dest, "w");
        if (f == NULL) {
            rs_cli_usage_error("cannot write %s: %s", path, g_strerror(errno));
            return false;
        }
        bool ok = fwrite(text->str, 1, text->len, f) == text->len;
        int saved = errno;
        if (fclose(f) != 0 && ok) {
            ok = false;
            saved = errno;
        }
        if (!ok)
            rs_cli_usage_error("cannot write %s: %s", path, g_strerror(saved));
        return ok;
    }
    GError *err = NULL;
    if (!g_file_set_contents_full(dest, text->str, (gssize)text->len,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0644, &err)) {
        rs_cli_usage_error("cannot write %s: %s", path, err->message);
        g_error_free(err);
        return false;
    }
    return true;
}
