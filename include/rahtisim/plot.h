/* plot.h: `rahtisim run --plot DIR`: CSV data, gnuplot scripts, PNG and SVG.
 *
 * For every traffic source of every run, four plots: requests sent to
 * each pod per second (whatever came of them), outcomes per second (ok
 * against each error kind), latency percentiles (p50/p90/p99 of ok
 * answers), drawn as steps over simulated time in the source's time
 * buckets, and the requests sent to each pod by outcome (stacked bars);
 * with the scenario's events (delete, crash, scale, router down/up,
 * annotate, apply, remove) as labelled vertical lines and the derived
 * events the simulation logged in answer (readiness, a crash detected,
 * endpoints updated, router reloads) as dotted ones.  Each plot is a CSV file and a gnuplot script made from the
 * templates in plots/ (embedded at build time), rendered to PNG and SVG by
 * gnuplot when it is installed.
 *
 * Safety: every file name is made of [A-Za-z0-9._-] (scenario and source
 * names are sanitised, never used as paths), every file is written inside
 * DIR atomically (a temporary name, then rename), scenario strings go only
 * into CSV files that gnuplot reads as data, and gnuplot runs with an
 * argument vector in DIR, never through a shell.  The CSV files are a pure
 * function of the results (R37); the images depend on gnuplot's fonts.
 */
#ifndef RAHTISIM_PLOT_H
#define RAHTISIM_PLOT_H

#include <stdbool.h>

#include <glib.h>

#include "rahtisim/expect.h"

#define RS_PLOT_ERROR (rs_plot_error_quark())
GQuark rs_plot_error_quark(void);

typedef enum {
    RS_PLOT_ERROR_IO,           /* cannot create DIR or write a file */
    RS_PLOT_ERROR_GNUPLOT,      /* gnuplot failed */
} RsPlotError;

typedef struct {
    bool render;                /* run gnuplot (when found) to make PNG and SVG */
    const char *gnuplot;        /* the program; NULL: "gnuplot" from PATH */
    unsigned timeout_s;         /* each gnuplot is killed after this; 0: RS_PLOT_GNUPLOT_TIMEOUT */
} RsPlotOptions;

/* Seconds one gnuplot may run before it is killed (a plot failure). */
#define RS_PLOT_GNUPLOT_TIMEOUT 60u
/* Series of a per-pod plot: the pods sent the most requests, the rest
 * summed as "N other pods" (a plot of 2 000 pods is neither readable nor cheap). */
#define RS_PLOT_MAX_PODS 8u
/* Derived events marked on a plot (crash detected, endpoints updated, reloads). */
#define RS_PLOT_MAX_DERIVED 40u

/* Writes the plots of `runs` into `dir` (created if missing).  `written`
 * (may be NULL) gets the base names of the files written, in order (owned
 * strings).  *rendered says whether images were made (false when gnuplot
 * is not installed or render is off).  False with `error` on failure. */
bool rs_plot_write(const char *dir, RsRunResult *const *runs, unsigned n_runs,
                   const RsPlotOptions *opt, GPtrArray *written, bool *rendered, GError **error);

/* Makes a string safe as part of a file name: [A-Za-z0-9._-], starting with
 * a letter or digit, at most 48 bytes (a new string). */
char *rs_plot_safe_name(const char *s);

/* The gnuplot script text of a plot: the header, then the templates.
 * `kind` is "rps", "outcomes" or "latency"; names must be safe names. */
char *rs_plot_script(const char *kind, const char *data, const char *events, bool has_events,
                     const char *out, const char *title, unsigned ncols, double end_s);

#endif
