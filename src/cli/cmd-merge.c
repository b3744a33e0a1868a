/* cmd-merge.c: `rahtisim merge DIR... --output DIR`: shard folders into one sweep.
 *
 * Every DIR must be a shard (or the whole) of the same sweep: same hash in
 * its sweep.json (the scenario's bytes, the grid, the seeds, the limits and
 * the rahtisim version), the same shard count, each shard once, none
 * missing, and every run of each shard finished.  All that is checked
 * before anything is written (bad input: exit 2).  Then the run reports are
 * copied into DIR/runs and sweep.json, results.csv and summary.csv are
 * written from them exactly as a single-machine sweep writes them (sweep.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/cli.h"
#include "rahtisim/sweep.h"
#include "cli/cli-private.h"

/* The same folder? (both exist) */
static bool
same_dir(const char *a, const char *b)
{
    GStatBuf sa, sb;
    return g_stat(a, &sa) == 0 && g_stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static int
merge_main(GPtrArray *dirs, const char *output, bool quiet)
{
    unsigned n = dirs->len;
    RsSweep *sh = g_new0(RsSweep, n);
    const char **by_shard = NULL;
    const char **by_run = NULL;
    char *runs = NULL;
    int status = RS_EXIT_USAGE;
    GError *err = NULL;
    for (unsigned i = 0; i < n; i++) {
        const char *d = dirs->pdata[i];
        if (!rs_sweep_manifest_read(d, &sh[i], &err)) {
            rs_cli_usage_error("merge: %s", err->message);
            g_error_free(err);
            goto out;
        }
        if (strcmp(sh[i].hash, sh[0].hash) != 0) {
            rs_cli_usage_error("merge: %s and %s are parts of different sweeps (sweep %.12s... and "
                               "%.12s...: another scenario, grid, seeds or rahtisim version)",
                               (const char *)dirs->pdata[0], d, sh[0].hash, sh[i].hash);
            goto out;
        }
        if (sh[i].shard_count != sh[0].shard_count) {
            rs_cli_usage_error("merge: %s is shard %u/%u but %s is shard %u/%u: one split at a time",
                               (const char *)dirs->pdata[0], sh[0].shard_index, sh[0].shard_count, d,
                               sh[i].shard_index, sh[i].shard_count);
            goto out;
        }
        if (same_dir(d, output)) {
            rs_cli_usage_error("merge: --output %s is one of the shards: write the merge elsewhere",
                               output);
            goto out;
        }
    }
    unsigned count = sh[0].shard_count;
    by_shard = g_new0(const char *, count);
    for (unsigned i = 0; i < n; i++) {
        if (by_shard[sh[i].shard_index] != NULL) {
            rs_cli_usage_error("merge: shard %u/%u is given twice (%s and %s)", sh[i].shard_index, count,
                               by_shard[sh[i].shard_index], (const char *)dirs->pdata[i]);
            goto out;
        }
        by_shard[sh[i].shard_index] = dirs->pdata[i];
    }
    for (unsigned s = 0; s < count; s++) {
        if (by_shard[s] == NULL) {
            rs_cli_usage_error("merge: shard %u/%u is missing: give every shard of the sweep", s, count);
            goto out;
        }
    }
    const RsSweep *sw = &sh[0];
    by_run = g_new0(const char *, sw->runs);
    for (uint64_t r = 0; r < sw->runs; r++) {
        by_run[r] = by_shard[(r / sw->seeds) % count];
        g_autofree char *name = rs_sweep_run_name(sw, r);
        g_autofree char *path = g_build_filename(by_run[r], name, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            rs_cli_usage_error("merge: %s is missing: that shard has not finished (run its sweep "
                               "again with --resume)", path);
            goto out;
        }
    }
    if (g_file_test(output, G_FILE_TEST_EXISTS)) {
        g_autofree char *mf = g_build_filename(output, "sweep.json", NULL);
        RsSweep old = {0};
        if (g_file_test(mf, G_FILE_TEST_EXISTS)) {
            if (!rs_sweep_manifest_read(output, &old, &err)) {
                rs_cli_usage_error("merge: %s", err->message);
                g_error_free(err);
                goto out;
            }
            bool same = strcmp(old.hash, sw->hash) == 0 && old.shard_count == 1;
            rs_sweep_clear(&old);
            if (!same) {
                rs_cli_usage_error("merge: --output %s holds another sweep: choose another folder",
                                   output);
                goto out;
            }
        }
    }
    runs = g_build_filename(output, "runs", NULL);
    if (g_mkdir_with_parents(runs, 0755) != 0) {
        rs_cli_usage_error("merge: cannot create %s: %s", runs, g_strerror(errno));
        goto out;
    }
    for (uint64_t r = 0; r < sw->runs; r++) {
        g_autofree char *name = rs_sweep_run_name(sw, r);
        g_autofree char *from = g_build_filename(by_run[r], name, NULL);
        g_autofree char *to = g_build_filename(output, name, NULL);
        g_autofree char *text = NULL;
        gsize len = 0;
        if (!g_file_get_contents(from, &text, &len, &err) ||
            !rs_write_file_atomic(to, text, len, 0644, &err)) {
            rs_cli_usage_error("merge: %s", err->message);
            g_error_free(err);
            goto out;
        }
        by_run[r] = output;
    }
    RsSweep whole = *sw;
    whole.shard_index = 0;
    whole.shard_count = 1;
    if (!rs_sweep_manifest_write(&whole, output, &err) ||
        !rs_sweep_tables_write(&whole, by_run, output, &err)) {
        rs_cli_usage_error("merge: %s", err->message);
        g_error_free(err);
        goto out;
    }
    if (!quiet)
        fprintf(stderr, "rahtisim: merge: %u shard%s, %" PRIu64 " runs (%" PRIu64 " points x %u seeds): "
                "%s/results.csv, %s/summary.csv\n", n, n == 1 ? "" : "s", sw->runs, sw->points,
                sw->seeds, output, output);
    status = RS_EXIT_OK;
out:
    for (unsigned i = 0; i < n; i++)
        rs_sweep_clear(&sh[i]);
    g_free(sh);
    g_free(by_shard);
    g_free(by_run);
    g_free(runs);
    return status;
}

int
rs_cmd_merge(int argc, char **argv)
{
    g_autoptr(GPtrArray) dirs = g_ptr_array_new();
    const char *output = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-') {
            g_ptr_array_add(dirs, (gpointer)arg);
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            quiet = true;
        } else if (rs_cli_opt_is(arg, "--output") || strcmp(arg, "-o") == 0) {
            if (!rs_cli_option_value(argc, argv, &i, &output))
                return RS_EXIT_USAGE;
        } else {
            return rs_cli_usage_error("merge: unknown option '%s' (rahtisim help merge)", arg);
        }
    }
    if (dirs->len == 0)
        return rs_cli_usage_error("merge: which shard folders? (rahtisim help merge)");
    if (output == NULL || output[0] == '\0')
        return rs_cli_usage_error("merge: --output DIR is needed");
    return merge_main(dirs, output, quiet);
}
