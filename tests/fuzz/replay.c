/* replay.c: main() for the fuzz targets built with the normal compiler.
 *
 * `make check` runs tests/fuzz/replay_load and replay_sim without
 * arguments: each feeds its target every file of tests/fuzz/regressions/
 * (the inputs that once crashed it, docs/reliability.md) and of the seed
 * corpus (scenarios/, tests/good/, tests/bad/), in name order.  A crash,
 * an abort from the target's checks or a sanitizer report (in the
 * --enable-sanitizers build) fails the test.  With arguments, it replays
 * those files or folders instead: `replay_sim crash-1234`.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one file to the target; false if it cannot be read. */
static bool
replay_file(const char *path)
{
    gchar *data = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &data, &len, &err)) {
        fprintf(stderr, "replay: %s\n", err->message);
        g_error_free(err);
        return false;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    g_free(data);
    return true;
}

/* Replays a file, or every file of a folder in name order; counts them. */
static bool
replay_path(const char *path, unsigned *count)
{
    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        ++*count;
        return replay_file(path);
    }
    GDir *dir = g_dir_open(path, 0, NULL);
    if (dir == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return false;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; (n = g_dir_read_name(dir)) != NULL;)
        if (n[0] != '.' && strcmp(n, "README.md") != 0)
            g_ptr_array_add(names, g_build_filename(path, n, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    bool ok = true;
    for (unsigned i = 0; i < names->len; i++) {
        const char *p = names->pdata[i];
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
            ++*count;
            ok = replay_file(p) && ok;
        }
    }
    g_ptr_array_unref(names);
    return ok;
}

int
main(int argc, char **argv)
{
    static const char *const defaults[] = {"tests/fuzz/regressions", "scenarios", "tests/good",
                                           "tests/bad", "tests/manifests/guestbook",
                                           "tests/manifests/rahti-docs", "tests/manifests/oc-get-list",
                                           NULL};
    const char *srcdir = g_getenv("SRCDIR") ? g_getenv("SRCDIR") : RS_SRCDIR;
    unsigned count = 0;
    bool ok = true;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            ok = replay_path(argv[i], &count) && ok;
    } else {
        for (int i = 0; defaults[i]; i++) {
            char *p = g_build_filename(srcdir, defaults[i], NULL);
            ok = replay_path(p, &count) && ok;
            g_free(p);
        }
    }
    printf("%s: replayed %u inputs\n", argv[0], count);
    return ok ? 0 : 1;
}
