/* sweep.h: parameter studies with replications (`rahtisim sweep`, `merge`).
 *
 * A sweep is a scenario, a grid of parameter values and a number of seeds.
 * Each --param KEY=V1,V2... names a JSON path into the scenario document
 * (`platform.endpoint_delay`, `namespaces[0].deployments[0].replicas`,
 * `events[1].at`) or a profile field (`endpoint_delay`); the grid is the
 * cross product of the value lists, the first parameter varying slowest,
 * and every point runs with the seeds 1..N.  Run r is point r / N with seed
 * r % N + 1: the numbering, the rows of results.csv and every byte of the
 * files written are a function of the scenario, the grid and the seeds only
 * (R37), never of how many processes ran them or on which machine.
 *
 * A sweep folder holds sweep.json (the grid, the seeds and the sweep's hash:
 * SHA-256 of the rahtisim version, the scenario's bytes, the grid, the seeds
 * and the limits), runs/pPPP-sSS.json (each run's JSON report, written
 * atomically: a report that exists is complete), results.csv (one row per
 * run) and summary.csv (one row per point: pass rate, mean and Student's t
 * 95 % confidence interval of every numeric column).  A shard (--shard I/N)
 * holds the points p with p % N == I; `merge` checks the shards belong to
 * one sweep and cover it, and writes the folder a single sweep would.
 */
#ifndef RAHTISIM_SWEEP_H
#define RAHTISIM_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <glib.h>

#include "rahtisim/scenario.h"

#define RS_SWEEP_ERROR (rs_sweep_error_quark())
GQuark rs_sweep_error_quark(void);

/* Sweeps larger than this many runs need --force (a typo in a grid should
 * not start a week of simulation). */
#define RS_SWEEP_MAX_RUNS 100000u
/* A grid is never larger than this even with --force (run numbers stay exact). */
#define RS_SWEEP_HARD_MAX_RUNS 100000000u

/* One step of a JSON path: a key or an array index. */
typedef struct {
    char *key;                  /* NULL for an index */
    unsigned index;
} RsPathStep;

/* One --param: the key as written, the path it stands for, its values. */
typedef struct {
    char *arg;                  /* "endpoint_delay=0s,1s" as given */
    char *key;                  /* "endpoint_delay" */
    char *path;                 /* "platform.endpoint_delay" */
    RsPathStep *steps; unsigned n_steps;
    cJSON **values; unsigned n_values;      /* owned */
    char **texts;               /* each value as results.csv shows it */
} RsSweepParam;

typedef struct {
    char *scenario;             /* the file as given */
    char *hash;                 /* 64 hex digits */
    RsSweepParam *params; unsigned n_params;
    unsigned seeds;
    uint64_t points, runs;
    unsigned shard_index, shard_count;      /* 0/1: the whole sweep */
} RsSweep;

/* ---- grid.c ---- */

/* Parses "KEY=V1,V2,..." (values split at top-level commas; each value is
 * JSON when it parses as JSON, else a string: 3 -> 3, 1s -> "1s", "a,b" ->
 * "a,b", [1,2] -> [1,2]).  KEY is a path (a.b[0].c); a single word that is
 * not a top-level key of the scenario (`name`, `seed`, `duration`, ...)
 * means the profile field platform.WORD.  False with a message. */
bool rs_sweep_param_parse(const char *arg, RsSweepParam *out, char **message);
void rs_sweep_param_clear(RsSweepParam *p);

/* Parses a JSON path "a.b[0].c" into steps; false with a message. */
bool rs_sweep_path_parse(const char *path, RsPathStep **steps, unsigned *n_steps, char **message);

/* The values' indices of point `point` (one per parameter, first slowest). */
void rs_sweep_point_indices(const RsSweep *sw, uint64_t point, unsigned *idx);

/* Whether run `run` belongs to the sweep's shard. */
bool rs_sweep_in_shard(const RsSweep *sw, uint64_t run);

/* "runs/p003-s12.json" for run `run` (a new string). */
char *rs_sweep_run_name(const RsSweep *sw, uint64_t run);

/* Computes points, runs and the hash from the scenario's bytes, the params,
 * the seeds and the limits.  False (RS_SWEEP_ERROR) when the grid is empty
 * or too large for the run numbers. */
bool rs_sweep_finish(RsSweep *sw, const char *scenario_text, size_t len, const RsLimits *limits,
                     GError **error);
void rs_sweep_clear(RsSweep *sw);

/* ---- docpath.c: setting a value in the scenario document ---- */

/* Checks that `p` can be set in the document: every array index exists and
 * every step goes through an object (a profile name string under
 * `platform` becomes {"profile": NAME}).  A missing key is fine here: the
 * loader rejects unknown keys with a "did you mean".  On failure `message`
 * says why, naming the path.  `deepest` gets the deepest value of the
 * document the path reaches (for the position in messages). */
bool rs_sweep_path_check(const cJSON *root, const RsSweepParam *p, const cJSON **deepest,
                         char **message);

/* Sets `value` (copied) at the parameter's path in `root` (a copy of the
 * document that rs_sweep_path_check accepted). */
void rs_sweep_path_set(cJSON *root, const RsSweepParam *p, const cJSON *value);

/* ---- stats.c ---- */

/* The two-sided 95 % quantile of Student's t with `df` degrees of freedom
 * (t such that P(|T| <= t) = 0.95); 0 for df 0. */
double rs_student_t95(unsigned df);

/* Mean and the half width of the 95 % confidence interval of the mean
 * (t(n-1) * s / sqrt(n)); *half is NAN for n < 2. */
void rs_mean_ci95(const double *x, unsigned n, double *mean, double *half);

/* ---- manifest.c: sweep.json ---- */

/* Writes DIR/sweep.json (atomically). */
bool rs_sweep_manifest_write(const RsSweep *sw, const char *dir, GError **error);
/* Reads DIR/sweep.json into `sw` (cleared first). */
bool rs_sweep_manifest_read(const char *dir, RsSweep *sw, GError **error);

/* ---- tables.c: results.csv and summary.csv ---- */

/* Reads the reports of the runs in `dirs_by_run` (for each run of the
 * sweep the folder holding runs/NAME, or NULL when the run is not part of
 * this table) and writes DIR/results.csv and DIR/summary.csv atomically. */
bool rs_sweep_tables_write(const RsSweep *sw, const char *const *dirs_by_run, const char *dir,
                           GError **error);

/* ---- load.c: the scenario document ---- */

typedef struct RsSweepDoc RsSweepDoc;

/* Reads and parses (JSONC) the scenario file; manifests (a .yaml/.yml file,
 * a folder, a Kubernetes object, or a scenario with `manifests`) are
 * imported first and the imported scenario is the document.  NULL with
 * `error`. */
RsSweepDoc *rs_sweep_doc_load(const char *file, const RsLimits *limits, GError **error);
void rs_sweep_doc_free(RsSweepDoc *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsSweepDoc, rs_sweep_doc_free)
/* The file's bytes (for the hash). */
const char *rs_sweep_doc_text(const RsSweepDoc *d, size_t *len);

/* Tries every value of every parameter (path, then the loader on the
 * document with that value), then the first point: nothing is simulated
 * when the grid holds a bad value.  Messages:
 * "FILE:LINE:COL: --param KEY=VALUE: JSONPATH: message". */
bool rs_sweep_validate(const RsSweep *sw, const RsSweepDoc *d, const RsLimits *limits,
                       GError **error);

/* Loads the scenario of `point` (the document with the point's values). */
RsScenario *rs_sweep_load_point(const RsSweep *sw, const RsSweepDoc *d, uint64_t point,
                                const RsLimits *limits, GError **error);

/* ---- runner.c ---- */

typedef struct {
    unsigned jobs;              /* worker processes */
    bool resume;                /* keep the runs already in DIR */
    bool quiet;
    const RsLimits *limits;
} RsSweepRunOptions;

/* Runs every run of the sweep's shard that has no report in DIR/runs yet,
 * `jobs` processes at a time (fork per run: the child sets the values,
 * loads the scenario, simulates and writes its report atomically).
 * *done_before gets the runs that were already there, *ran the runs made.
 * False with `error` when a run could not be simulated. */
bool rs_sweep_run(const RsSweep *sw, const RsSweepDoc *d, const char *dir,
                  const RsSweepRunOptions *opt, uint64_t *done_before, uint64_t *ran,
                  GError **error);

/* ---- plot.c ---- */

/* Writes DIR/plots/: for the pass rate and every metric in `metrics`, the
 * summary's mean against the first parameter with 95 % error bars, one
 * line per combination of the other parameters (CSV, gnuplot script, PNG
 * when gnuplot is installed, each gnuplot killed after `limit_s` seconds).
 * *rendered says whether images were made. */
bool rs_sweep_plot(const RsSweep *sw, const char *dir, const char *const *metrics,
                   unsigned n_metrics, unsigned limit_s, bool *rendered, GError **error);

/* ---- slurm.c ---- */

typedef struct {
    const char *rahtisim;       /* absolute path of the program */
    const char *scenario;       /* absolute path */
    const char *dir;            /* absolute path of the sweep folder */
    char **param_args; unsigned n_param_args;   /* "KEY=V1,V2" as given */
    char **extra_args; unsigned n_extra_args;   /* --max-* options as given */
    char **sbatch_lines; unsigned n_sbatch_lines;   /* extra #SBATCH options */
} RsSlurmJob;

/* Writes DIR/sweep.sbatch: an array job of sw->shard_count tasks, each
 * `rahtisim sweep --shard $SLURM_ARRAY_TASK_ID/N` into DIR/shards/I; run
 * with bash outside Slurm it submits itself and then the merge job
 * (--dependency=afterok on the array). */
bool rs_sweep_slurm_write(const RsSweep *sw, const RsSlurmJob *job, GError **error);

#endif
