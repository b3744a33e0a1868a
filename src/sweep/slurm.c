/* slurm.c: `rahtisim sweep --slurm`: DIR/sweep.sbatch, a Slurm array job over shards.
 *
 * One file does the three things a user needs on a cluster such as Puhti,
 * Mahti or LUMI:
 *  - run with bash on a login node (no SLURM_ARRAY_TASK_ID): it submits
 *    itself as an array job of N tasks, then the merge job with
 *    --dependency=afterok on the array (the merge starts only when every
 *    shard succeeded) and prints both job ids;
 *  - as array task I: `rahtisim sweep ... --shard I/N --resume` into
 *    DIR/shards/I, with --jobs from --cpus-per-task (a requeued task
 *    continues where it stopped);
 *  - as the merge job (RS_SWEEP_STAGE=merge): `rahtisim merge
 *    DIR/shards/I... --output DIR`.
 * Every path and argument is written single-quoted (g_shell_quote): a
 * scenario name never becomes shell code.  Extra #SBATCH lines (account,
 * partition, time) come from --sbatch.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/sweep.h"

/* Appends ' ' and the single-quoted word. */
static void
word(GString *s, const char *w)
{
    g_autofree char *q = g_shell_quote(w);
    g_string_append_c(s, ' ');
    g_string_append(s, q);
}

bool
rs_sweep_slurm_write(const RsSweep *sw, const RsSlurmJob *job, GError **error)
{
    unsigned n = sw->shard_count;
    g_autoptr(GString) s = g_string_new(NULL);
    g_autofree char *qdir = g_shell_quote(job->dir);
    g_string_append_printf(
        s,
        "#!/bin/bash\n"
        "# sweep.sbatch: written by `rahtisim sweep --slurm` (rahtisim " PACKAGE_VERSION ").\n"
        "# Sweep %s:\n"
        "# %" G_GUINT64_FORMAT " points x %u seeds = %" G_GUINT64_FORMAT " runs in %u shards.\n"
        "#\n"
        "# Submit it from a login node:  bash %s/sweep.sbatch\n"
        "#   it submits itself as an array job of %u tasks (shard I/%u each), then the\n"
        "#   merge job, which starts when every task has succeeded (afterok).\n"
        "# By hand: sbatch %s/sweep.sbatch, and when it is done:\n"
        "#   rahtisim merge %s/shards/* --output %s\n"
        "#SBATCH --job-name=rahtisim-sweep\n"
        "#SBATCH --array=0-%u\n"
        "#SBATCH --ntasks=1\n"
        "#SBATCH --cpus-per-task=1\n"
        "#SBATCH --output=%s/slurm/sweep-%%A_%%a.out\n",
        sw->hash, sw->points, sw->seeds, sw->runs, n, qdir, n, n, qdir, qdir, qdir, n - 1, job->dir);
    for (unsigned i = 0; i < job->n_sbatch_lines; i++)
        g_string_append_printf(s, "#SBATCH %s\n", job->sbatch_lines[i]);
    g_string_append(s, "set -euo pipefail\nRAHTISIM=");
    g_autofree char *qbin = g_shell_quote(job->rahtisim);
    g_string_append_printf(s, "%s\nDIR=%s\n", qbin, qdir);
    g_string_append(s,
        "if [ \"${RS_SWEEP_STAGE:-}\" = merge ]; then\n"
        "    exec \"$RAHTISIM\" merge \"$DIR\"/shards/* --output \"$DIR\"\n"
        "fi\n"
        "if [ -n \"${SLURM_ARRAY_TASK_ID:-}\" ]; then\n"
        "    exec \"$RAHTISIM\" sweep");
    word(s, job->scenario);
    for (unsigned i = 0; i < job->n_param_args; i++) {
        g_string_append(s, " --param");
        word(s, job->param_args[i]);
    }
    g_string_append_printf(s, " --seeds %u", sw->seeds);
    for (unsigned i = 0; i < job->n_extra_args; i++)
        word(s, job->extra_args[i]);
    g_string_append_printf(s,
        " \\\n        --shard \"$SLURM_ARRAY_TASK_ID/%u\" --jobs \"${SLURM_CPUS_PER_TASK:-1}\""
        " --resume --quiet \\\n        --output \"$DIR/shards/$SLURM_ARRAY_TASK_ID\"\n"
        "fi\n", n);
    g_string_append(s,
        "# Not in a Slurm job: submit the array, then the merge after it.\n"
        "command -v sbatch >/dev/null || { echo \"sweep.sbatch: no sbatch here: run it on a Slurm login node\" >&2; exit 1; }\n"
        "jid=$(sbatch --parsable \"$DIR/sweep.sbatch\")\n"
        "jid=${jid%%;*}\n"
        "mid=$(sbatch --parsable --dependency=\"afterok:$jid\" --kill-on-invalid-dep=yes \\\n"
        "    --job-name=rahtisim-merge --array=0 --export=ALL,RS_SWEEP_STAGE=merge \\\n"
        "    --output=\"$DIR/slurm/merge-%A.out\" \"$DIR/sweep.sbatch\")\n"
        "mid=${mid%%;*}\n"
        "echo \"sweep.sbatch: array job $jid (");
    g_string_append_printf(s, "%u", n);
    g_string_append(s,
        " tasks), merge job $mid after it; results: $DIR/results.csv\"\n");

    g_autofree char *slurm_dir = g_build_filename(job->dir, "slurm", NULL);
    g_autofree char *shards_dir = g_build_filename(job->dir, "shards", NULL);
    if (g_mkdir_with_parents(slurm_dir, 0755) != 0 || g_mkdir_with_parents(shards_dir, 0755) != 0) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "cannot create %s: %s", slurm_dir, g_strerror(errno));
        return false;
    }
    g_autofree char *path = g_build_filename(job->dir, "sweep.sbatch", NULL);
    return rs_write_file_atomic(path, s->str, s->len, 0755, error);
}
