/* cmd-sweep.c: `rahtisim sweep SCENARIO --param KEY=V1,V2... --seeds N --output DIR`.
 *
 * A parameter study with replications (sweep.h): the grid is checked and
 * every value tried by the loader before anything is simulated or written
 * (bad input: exit 2, no folder made); then the runs of the shard run
 * --jobs at a time and results.csv / summary.csv are written from their
 * reports.  --slurm writes DIR/sweep.sbatch instead of running.  Exit
 * status: 0 when every run was simulated (whether or not its expectations
 * held: that is what the tables report), 2 bad input or a run that could
 * not be simulated.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "rahtisim/util.h"
#include "rahtisim/cli.h"
#include "rahtisim/sweep.h"
#include "cli/cli-private.h"

typedef struct {
    const char *scenario;
    GPtrArray *param_args;      /* const char * */
    GPtrArray *extra_args;      /* --max-* as given (for sweep.sbatch) */
    GPtrArray *sbatch;          /* --sbatch lines */
    GPtrArray *metrics;         /* --metric */
    uint64_t seeds;
    bool has_seeds;
    uint64_t jobs;
    uint64_t shard_index, shard_count;
    bool has_shard;
    uint64_t shards;
    bool has_shards;
    const char *output;
    bool resume, force, plot, slurm, quiet;
    RsLimits limits;
} SweepArgs;

/* "I/N" */
static bool
parse_shard(const char *v, uint64_t *i, uint64_t *n)
{
    const char *slash = strchr(v, '/');
    if (slash == NULL)
        return false;
    g_autofree char *a = g_strndup(v, (gsize)(slash - v));
    return rs_cli_parse_u64(a, i) && rs_cli_parse_u64(slash + 1, n);
}

static bool
parse_args(int argc, char **argv, SweepArgs *a)
{
    rs_limits_default(&a->limits);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        if (arg[0] != '-') {
            if (a->scenario != NULL) {
                rs_cli_usage_error("sweep: one scenario at a time ('%s' and '%s')", a->scenario, arg);
                return false;
            }
            a->scenario = arg;
            continue;
        }
        if (strcmp(arg, "--resume") == 0) {
            a->resume = true;
        } else if (strcmp(arg, "--force") == 0) {
            a->force = true;
        } else if (strcmp(arg, "--plot") == 0) {
            a->plot = true;
        } else if (strcmp(arg, "--slurm") == 0) {
            a->slurm = true;
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a->quiet = true;
        } else if (rs_cli_opt_is(arg, "--param")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            g_ptr_array_add(a->param_args, (gpointer)val);
        } else if (rs_cli_opt_is(arg, "--metric")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            g_ptr_array_add(a->metrics, (gpointer)val);
        } else if (rs_cli_opt_is(arg, "--sbatch")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (strpbrk(val, "\r\n") != NULL || val[0] != '-') {
                rs_cli_usage_error("sweep: --sbatch takes one sbatch option such as "
                                   "--sbatch=--account=project_2001234, not '%s'", val);
                return false;
            }
            g_ptr_array_add(a->sbatch, (gpointer)val);
        } else if (rs_cli_opt_is(arg, "--seeds")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (!rs_cli_parse_u64(val, &a->seeds) || a->seeds == 0 || a->seeds > 1000000) {
                rs_cli_usage_error("sweep: --seeds takes a number of seeds from 1 to 1000000, not '%s'",
                                   val);
                return false;
            }
            a->has_seeds = true;
        } else if (rs_cli_opt_is(arg, "--jobs") || strcmp(arg, "-j") == 0) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (!rs_cli_parse_u64(val, &a->jobs) || a->jobs == 0 || a->jobs > 4096) {
                rs_cli_usage_error("sweep: --jobs takes a number of processes from 1 to 4096, not '%s'",
                                   val);
                return false;
            }
        } else if (rs_cli_opt_is(arg, "--shards")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (!rs_cli_parse_u64(val, &a->shards) || a->shards == 0 || a->shards > 100000) {
                rs_cli_usage_error("sweep: --shards takes a number of array tasks from 1 to 100000, "
                                   "not '%s'", val);
                return false;
            }
            a->has_shards = true;
        } else if (rs_cli_opt_is(arg, "--shard")) {
            if (!rs_cli_option_value(argc, argv, &i, &val))
                return false;
            if (!parse_shard(val, &a->shard_index, &a->shard_count)) {
                rs_cli_usage_error("sweep: --shard takes I/N (shard I of N, I from 0 to N-1), not '%s'",
                                   val);
                return false;
            }
            if (a->shard_count == 0 || a->shard_count > UINT32_MAX ||
                a->shard_index >= a->shard_count) {
                rs_cli_usage_error("sweep: --shard %s: out of range: I must be from 0 to N-1 "
                                   "(N at least 1)", val);
                return false;
            }
            a->has_shard = true;
        } else if (rs_cli_opt_is(arg, "--output") || strcmp(arg, "-o") == 0) {
            if (!rs_cli_option_value(argc, argv, &i, &a->output))
                return false;
        } else if (g_str_has_prefix(arg, "--max-")) {
            int at = i;
            if (!rs_cli_option_value(argc, argv, &i, &val) ||
                !rs_cli_limit_option(arg, val, &a->limits))
                return false;
            for (int j = at; j <= i; j++)
                g_ptr_array_add(a->extra_args, argv[j]);
        } else {
            rs_cli_usage_error("sweep: unknown option '%s' (rahtisim help sweep)", arg);
            return false;
        }
    }
    if (a->scenario == NULL) {
        rs_cli_usage_error("sweep: which scenario? (rahtisim help sweep)");
        return false;
    }
    if (!a->has_seeds) {
        rs_cli_usage_error("sweep: --seeds N is needed: every point runs with seeds 1 to N");
        return false;
    }
    if (a->output == NULL || a->output[0] == '\0') {
        rs_cli_usage_error("sweep: --output DIR is needed: the folder for the runs and the tables");
        return false;
    }
    if (a->slurm && a->has_shard) {
        rs_cli_usage_error("sweep: --slurm writes the array job over all shards: use --shards N, "
                           "not --shard");
        return false;
    }
    if (a->has_shards && !a->slurm) {
        rs_cli_usage_error("sweep: --shards N goes with --slurm (one shard: --shard I/N)");
        return false;
    }
    if (a->sbatch->len > 0 && !a->slurm) {
        rs_cli_usage_error("sweep: --sbatch goes with --slurm");
        return false;
    }
    if (a->metrics->len > 0 && !a->plot) {
        rs_cli_usage_error("sweep: --metric chooses what --plot draws: add --plot");
        return false;
    }
    return true;
}

/* Whether DIR can take this sweep: new or empty, or (--resume) this sweep's folder. */
static bool
check_output(const SweepArgs *a, const RsSweep *sw)
{
    if (!g_file_test(a->output, G_FILE_TEST_EXISTS))
        return true;
    if (!g_file_test(a->output, G_FILE_TEST_IS_DIR)) {
        rs_cli_usage_error("sweep: --output %s: not a folder", a->output);
        return false;
    }
    g_autofree char *mf = g_build_filename(a->output, "sweep.json", NULL);
    if (g_file_test(mf, G_FILE_TEST_EXISTS)) {
        RsSweep old = {0};
        GError *err = NULL;
        if (!rs_sweep_manifest_read(a->output, &old, &err)) {
            rs_cli_usage_error("sweep: %s", err->message);
            g_error_free(err);
            return false;
        }
        bool same = strcmp(old.hash, sw->hash) == 0 && old.shard_index == sw->shard_index &&
                    old.shard_count == sw->shard_count;
        rs_sweep_clear(&old);
        if (!same) {
            rs_cli_usage_error("sweep: %s holds another sweep (a different scenario, grid, seeds, "
                               "shard or rahtisim version): choose another folder", a->output);
            return false;
        }
        if (!a->resume) {
            rs_cli_usage_error("sweep: %s holds this sweep already: add --resume to finish it "
                               "without redoing the runs it has", a->output);
            return false;
        }
        return true;
    }
    GDir *d = g_dir_open(a->output, 0, NULL);
    bool empty = d != NULL && g_dir_read_name(d) == NULL;
    if (d != NULL)
        g_dir_close(d);
    if (!empty) {
        rs_cli_usage_error("sweep: --output %s: the folder is not empty and holds no sweep", a->output);
        return false;
    }
    return true;
}

/* The absolute form of a path (a new string). */
static char *
absolute(const char *p)
{
    if (g_path_is_absolute(p))
        return g_strdup(p);
    g_autofree char *cwd = g_get_current_dir();
    return g_build_filename(cwd, p, NULL);
}

static int
write_slurm(const SweepArgs *a, RsSweep *sw)
{
    uint64_t n = a->has_shards ? a->shards : MIN(sw->points, (uint64_t)100);
    if (n > sw->points) {
        return rs_cli_usage_error("sweep: --shards %" PRIu64 ": more shards than the %" PRIu64
                                  " points of the grid", n, sw->points);
    }
    g_autofree char *bin = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *scen = absolute(a->scenario);
    g_autofree char *dir = absolute(a->output);
    if (strpbrk(dir, " \t\r\n%") != NULL)
        return rs_cli_usage_error("sweep: --slurm: the folder %s has a space or %% in its name, "
                                  "which #SBATCH lines cannot hold", dir);
    RsSlurmJob job = {
        .rahtisim = bin != NULL ? bin : "rahtisim",
        .scenario = scen,
        .dir = dir,
        .param_args = (char **)a->param_args->pdata, .n_param_args = a->param_args->len,
        .extra_args = (char **)a->extra_args->pdata, .n_extra_args = a->extra_args->len,
        .sbatch_lines = (char **)a->sbatch->pdata, .n_sbatch_lines = a->sbatch->len,
    };
    GError *err = NULL;
    if (g_mkdir_with_parents(a->output, 0755) != 0)
        return rs_cli_usage_error("sweep: cannot create %s: %s", a->output, g_strerror(errno));
    bool ok = rs_sweep_manifest_write(sw, a->output, &err);
    sw->shard_count = (unsigned)n;
    ok = ok && rs_sweep_slurm_write(sw, &job, &err);
    if (!ok) {
        rs_cli_usage_error("sweep: %s", err->message);
        g_error_free(err);
        return RS_EXIT_USAGE;
    }
    printf("rahtisim: wrote %s/sweep.sbatch: %" PRIu64 " points x %u seeds = %" PRIu64
           " runs in %" PRIu64 " array tasks, then a merge job.\n"
           "Submit it from a Slurm login node with:\n"
           "  bash %s/sweep.sbatch\n"
           "(it runs sbatch for the array job, then for the merge job with --dependency=afterok;\n"
           " the results land in %s/results.csv and %s/summary.csv)\n",
           a->output, sw->points, sw->seeds, sw->runs, n, a->output, a->output, a->output);
    return RS_EXIT_OK;
}

static int
sweep_main(SweepArgs *a)
{
    GError *err = NULL;
    g_autoptr(RsSweepDoc) doc = rs_sweep_doc_load(a->scenario, &a->limits, &err);
    if (doc == NULL) {
        rs_cli_usage_error("%s", err->message);
        g_error_free(err);
        return RS_EXIT_USAGE;
    }
    RsSweep sw = {.scenario = g_strdup(a->scenario), .seeds = (unsigned)a->seeds,
                  .shard_index = (unsigned)a->shard_index,
                  .shard_count = a->has_shard ? (unsigned)a->shard_count : 1};
    sw.params = g_new0(RsSweepParam, a->param_args->len + 1);
    int status = RS_EXIT_USAGE;
    for (unsigned k = 0; k < a->param_args->len; k++) {
        char *msg = NULL;
        bool ok = rs_sweep_param_parse(a->param_args->pdata[k], &sw.params[k], &msg);
        sw.n_params++;
        if (!ok) {
            rs_cli_usage_error("sweep: %s", msg);
            g_free(msg);
            goto out;
        }
        for (unsigned j = 0; j < k; j++) {
            if (strcmp(sw.params[j].path, sw.params[k].path) == 0) {
                rs_cli_usage_error("sweep: --param %s and --param %s set the same value (%s): "
                                   "give its values in one list", sw.params[j].key, sw.params[k].key,
                                   sw.params[k].path);
                goto out;
            }
        }
    }
    size_t len = 0;
    const char *text = rs_sweep_doc_text(doc, &len);
    if (!rs_sweep_finish(&sw, text, len, &a->limits, &err)) {
        rs_cli_usage_error("sweep: %s", err->message);
        g_error_free(err);
        goto out;
    }
    if (sw.runs > RS_SWEEP_MAX_RUNS && !a->force) {
        rs_cli_usage_error("sweep: %" PRIu64 " runs (%" PRIu64 " points x %u seeds) is more than %u: "
                           "check the grid, and add --force if you mean it", sw.runs, sw.points,
                           sw.seeds, RS_SWEEP_MAX_RUNS);
        goto out;
    }
    if (!rs_sweep_validate(&sw, doc, &a->limits, &err)) {
        rs_cli_usage_error("%s", err->message);
        g_error_free(err);
        goto out;
    }
    if (!check_output(a, &sw))
        goto out;
    if (a->slurm) {
        status = write_slurm(a, &sw);
        goto out;
    }
    if (g_mkdir_with_parents(a->output, 0755) != 0) {
        rs_cli_usage_error("sweep: cannot create %s: %s", a->output, g_strerror(errno));
        goto out;
    }
    if (!rs_sweep_manifest_write(&sw, a->output, &err)) {
        rs_cli_usage_error("sweep: %s", err->message);
        g_error_free(err);
        goto out;
    }
    RsSweepRunOptions ro = {.jobs = a->jobs ? (unsigned)a->jobs : g_get_num_processors(),
                            .resume = a->resume, .quiet = a->quiet, .limits = &a->limits};
    uint64_t before = 0, ran = 0;
    if (!rs_sweep_run(&sw, doc, a->output, &ro, &before, &ran, &err)) {
        rs_cli_usage_error("sweep: %s", err->message);
        g_error_free(err);
        goto out;
    }
    const char **dirs = g_new0(const char *, sw.runs);
    for (uint64_t r = 0; r < sw.runs; r++)
        dirs[r] = rs_sweep_in_shard(&sw, r) ? a->output : NULL;
    bool ok = rs_sweep_tables_write(&sw, dirs, a->output, &err);
    g_free(dirs);
    if (!ok) {
        rs_cli_usage_error("sweep: %s", err->message);
        g_error_free(err);
        goto out;
    }
    bool rendered = false;
    unsigned limit_s = 0;
    if (a->plot && !rs_cli_gnuplot_timeout(&limit_s))
        goto out;
    if (a->plot && !rs_sweep_plot(&sw, a->output, (const char *const *)a->metrics->pdata,
                                  a->metrics->len, limit_s, &rendered, &err)) {
        rs_cli_usage_error("sweep: --plot: %s", err->message);
        g_error_free(err);
        goto out;
    }
    if (!a->quiet) {
        fprintf(stderr, "rahtisim: sweep: %" PRIu64 " run%s", ran + before, ran + before == 1 ? "" : "s");
        if (sw.shard_count > 1)
            fprintf(stderr, " (shard %u/%u)", sw.shard_index, sw.shard_count);
        fprintf(stderr, " of %" PRIu64 " point%s x %u seed%s", sw.points, sw.points == 1 ? "" : "s",
                sw.seeds, sw.seeds == 1 ? "" : "s");
        if (before > 0)
            fprintf(stderr, " (%" PRIu64 " already done, %" PRIu64 " run now)", before, ran);
        fprintf(stderr, ": %s/results.csv, %s/summary.csv%s\n", a->output, a->output,
                a->plot ? (rendered ? ", plots/" : ", plots/ (gnuplot not found: data and scripts only)")
                        : "");
    }
    status = RS_EXIT_OK;
out:
    rs_sweep_clear(&sw);
    return status;
}

int
rs_cmd_sweep(int argc, char **argv)
{
    rs_heap_huge_pages();     /* a long simulation: src/util/memory.c */
    SweepArgs a = {0};
    a.param_args = g_ptr_array_new();
    a.extra_args = g_ptr_array_new();
    a.sbatch = g_ptr_array_new();
    a.metrics = g_ptr_array_new();
    int status = parse_args(argc, argv, &a) ? sweep_main(&a) : RS_EXIT_USAGE;
    g_ptr_array_unref(a.param_args);
    g_ptr_array_unref(a.extra_args);
    g_ptr_array_unref(a.sbatch);
    g_ptr_array_unref(a.metrics);
    return status;
}
