/* sweep-plot.c: `rahtisim sweep --plot`: a metric against the first parameter.
 *
 * For the pass rate and each chosen metric (--metric M, a column of
 * results.csv; by default traffic.NAME.errors and traffic.NAME.latency_ns.p99
 * of every traffic source), DIR/plots/NAME.csv holds the summary's mean and
 * 95 % half width against the first parameter's values, one block per
 * combination of the other parameters, and NAME.gp draws them with error
 * bars (yerrorlines); gnuplot, when installed, renders NAME.png.
 * Safety as in src/plot/: file names are made of [A-Za-z0-9._-]; parameter
 * values and line titles go only into the CSV (read as data: column
 * headers and tic labels); the script holds only our constants, numbers and
 * the sanitised key and metric names; gnuplot runs with an argument vector
 * in DIR/plots, never through a shell.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/plot.h"
#include "rahtisim/spawn.h"
#include "rahtisim/sweep.h"
#include "rahtisim/util.h"

/* Parses CSV text (RFC 4180, as tables.c writes it) into rows of fields. */
static GPtrArray *
csv_parse(const char *s)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    GPtrArray *row = g_ptr_array_new_with_free_func(g_free);
    GString *f = g_string_new(NULL);
    while (*s != '\0') {
        if (*s == '"') {
            for (s++; *s != '\0'; s++) {
                if (*s == '"' && s[1] == '"')
                    g_string_append_c(f, *++s);
                else if (*s == '"')
                    break;
                else
                    g_string_append_c(f, *s);
            }
            if (*s == '"')
                s++;
            continue;
        }
        if (*s == ',' || *s == '\n') {
            g_ptr_array_add(row, g_strdup(f->str));
            g_string_truncate(f, 0);
            if (*s == '\n') {
                g_ptr_array_add(rows, row);
                row = g_ptr_array_new_with_free_func(g_free);
            }
        } else {
            g_string_append_c(f, *s);
        }
        s++;
    }
    g_ptr_array_unref(row);
    g_string_free(f, TRUE);
    return rows;
}

static int
find_col(const GPtrArray *header, const char *name)
{
    for (unsigned i = 0; i < header->len; i++)
        if (strcmp(header->pdata[i], name) == 0)
            return (int)i;
    return -1;
}

/* A name safe inside a single-quoted gnuplot string: [A-Za-z0-9._[] -]. */
static char *
safe_text(const char *s)
{
    char *t = g_strdup(s);
    for (char *c = t; *c; c++)
        if (!g_ascii_isalnum(*c) && !strchr("._[] -=", *c))
            *c = '_';
    return t;
}

/* One plot: NAME.csv and NAME.gp in `pdir`. */
static bool
plot_metric(const RsSweep *sw, const GPtrArray *rows, const char *metric, int mcol, int hcol,
            const char *pdir, GPtrArray *bases, GError **error)
{
    const GPtrArray *header = rows->pdata[0];
    const RsSweepParam *x = &sw->params[0];
    bool numeric_x = true;
    for (unsigned i = 0; i < x->n_values; i++)
        numeric_x = numeric_x && cJSON_IsNumber(x->values[i]);
    uint64_t lines = x->n_values > 0 ? sw->points / x->n_values : 0;  /* a manifest may hold an empty list */
    g_autoptr(GString) data = g_string_new(NULL);
    g_autofree unsigned *idx = g_new0(unsigned, sw->n_params + 1);
    for (uint64_t line = 0; line < lines; line++) {
        /* the line's title: the other parameters' values */
        g_autoptr(GString) title = g_string_new(NULL);
        bool first_row = true;
        for (unsigned r = 1; r < rows->len; r++) {
            const GPtrArray *row = rows->pdata[r];
            if (row->len != header->len)
                continue;
            uint64_t point = g_ascii_strtoull(row->pdata[0], NULL, 10);
            rs_sweep_point_indices(sw, point, idx);
            /* the point's line: its index with the first parameter left out */
            uint64_t l = 0;
            for (unsigned k = 1; k < sw->n_params; k++)
                l = l * sw->params[k].n_values + idx[k];
            if (l != line)
                continue;
            if (first_row) {
                for (unsigned k = 1; k < sw->n_params; k++)
                    g_string_append_printf(title, "%s%s=%s", k > 1 ? ", " : "", sw->params[k].key,
                                           sw->params[k].texts[idx[k]]);
                if (title->len == 0)
                    g_string_append(title, metric);
                g_string_append(data, "x,label,mean,ci95,\"");
                for (const char *c = title->str; *c; c++) {
                    if (*c == '"')
                        g_string_append_c(data, '"');
                    if (*c != '\n' && *c != '\r')
                        g_string_append_c(data, *c);
                }
                g_string_append(data, "\"\n");
                first_row = false;
            }
            const char *label = x->texts[idx[0]];
            g_string_append(data, numeric_x ? label : "");
            if (!numeric_x)
                g_string_append_printf(data, "%u", idx[0]);
            g_string_append(data, ",\"");
            for (const char *c = label; *c; c++) {
                if (*c == '"')
                    g_string_append_c(data, '"');
                if (*c != '\n' && *c != '\r')
                    g_string_append_c(data, *c);
            }
            const char *m = row->pdata[mcol];
            const char *h = hcol >= 0 ? row->pdata[hcol] : "";
            g_string_append_printf(data, "\",%s,%s,\n", m[0] ? m : "-", h[0] ? h : "0");
        }
        if (!first_row)
            g_string_append(data, "\n\n");
    }
    g_autofree char *safe = rs_plot_safe_name(metric);
    g_autofree char *csv = g_strdup_printf("%s/%s.csv", pdir, safe);
    g_autofree char *key = safe_text(x->key);
    g_autofree char *mname = safe_text(metric);
    g_autoptr(GString) gp = g_string_new(NULL);
    g_string_append_printf(gp,
        "# %s.gp: written by rahtisim sweep --plot; run it in this folder: gnuplot %s.gp\n"
        "# The data, titles and tic labels are in %s.csv (read as data, never as code).\n"
        "if (!exists(\"tmp_suffix\")) tmp_suffix = ''\n"
        "png_term = (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) ? \"pngcairo\" : \"png\"\n"
        "set terminal png_term size 900,600\n"
        "set output '%s.png'.tmp_suffix\n"
        "set datafile separator ','\n"
        "set datafile missing '-'\n"
        "set key below noenhanced\n"
        "set grid\n"
        "set offsets graph 0.05, graph 0.05, graph 0.05, 0\n"
        "set title '%s: mean and 95%% confidence interval over %u seeds' noenhanced\n"
        "set xlabel '%s' noenhanced\n"
        "set ylabel '%s' noenhanced\n"
        "set yrange [0:*]\n"
        "plot for [i=0:%" G_GUINT64_FORMAT "] '%s.csv' index i using 1:3:4%s with yerrorlines "
        "lw 2 title columnheader(5)\n",
        safe, safe, safe, safe, mname, sw->seeds, key, mname, lines - 1, safe,
        numeric_x ? "" : ":xtic(2)");
    g_autofree char *gpath = g_strdup_printf("%s/%s.gp", pdir, safe);
    if (!rs_write_file_atomic(csv, data->str, data->len, 0644, error) ||
        !rs_write_file_atomic(gpath, gp->str, gp->len, 0644, error))
        return false;
    g_ptr_array_add(bases, g_steal_pointer(&safe));
    return true;
}

/* Runs gnuplot on DIR/BASE.gp (argument vector, no shell), renames the PNG
 * into place.  Like `run --plot` (src/plot/plot.c): at most
 * RAHTISIM_GNUPLOT_TIMEOUT seconds (default 60), killed with rahtisim on
 * SIGINT/SIGTERM/SIGHUP, and the temporary image removed then too. */
static bool
render(const char *pdir, const char *base, unsigned limit_s, GError **error)
{
    g_autofree char *script = g_strdup_printf("./%s.gp", base);
    char *argv[] = {(char *)"gnuplot", (char *)"-e", (char *)"tmp_suffix='.tmp'", script, NULL};
    g_autoptr(GString) err_text = g_string_new(NULL);
    GError *err = NULL;
    g_autofree char *tmp = g_strdup_printf("%s/%s.png.tmp", pdir, base);
    int clean = rs_cleanup_add_file(tmp);
    RsSpawnResult res;
    bool ok = rs_spawn_limited(pdir, argv, limit_s, NULL, err_text, 65536, &res, &err) &&
              rs_spawn_check(&res, limit_s, err_text->str, &err);
    if (!ok) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "%s.gp: gnuplot %s", base, err->message);
        g_error_free(err);
        g_unlink(tmp);
        rs_cleanup_remove_file(clean);
        return false;
    }
    g_autofree char *final = g_strdup_printf("%s/%s.png", pdir, base);
    int renamed = g_rename(tmp, final);
    rs_cleanup_remove_file(clean);
    if (renamed != 0) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "%s.gp: gnuplot did not write %s.png", base, base);
        g_unlink(tmp);
        return false;
    }
    return true;
}

bool
rs_sweep_plot(const RsSweep *sw, const char *dir, const char *const *metrics, unsigned n_metrics,
              unsigned limit_s, bool *rendered, GError **error)
{
    *rendered = false;
    if (sw->n_params == 0) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "a plot needs a --param to draw the metric against");
        return false;
    }
    g_autofree char *sp = g_build_filename(dir, "summary.csv", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(sp, &text, NULL, error))
        return false;
    g_autoptr(GPtrArray) rows = csv_parse(text);
    const GPtrArray *header = rows->pdata[0];
    /* the metrics: given, or the defaults */
    g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(want, g_strdup("pass_rate"));
    for (unsigned i = 0; i < n_metrics; i++)
        g_ptr_array_add(want, g_strdup(metrics[i]));
    if (n_metrics == 0) {
        for (unsigned c = 0; c < header->len; c++) {
            const char *h = header->pdata[c];
            if (g_str_has_prefix(h, "traffic.") &&
                (g_str_has_suffix(h, ".errors.mean") || g_str_has_suffix(h, ".latency_ns.p99.mean")))
                g_ptr_array_add(want, g_strndup(h, strlen(h) - strlen(".mean")));
        }
    }
    g_autofree char *pdir = g_build_filename(dir, "plots", NULL);
    if (g_mkdir_with_parents(pdir, 0755) != 0) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "cannot create %s: %s", pdir, g_strerror(errno));
        return false;
    }
    g_autoptr(GPtrArray) bases = g_ptr_array_new_with_free_func(g_free);
    for (unsigned i = 0; i < want->len; i++) {
        const char *m = want->pdata[i];
        int mcol, hcol = -1;
        if (i == 0) {
            mcol = find_col(header, "pass_rate");
        } else {
            g_autofree char *mn = g_strconcat(m, ".mean", NULL);
            g_autofree char *hn = g_strconcat(m, ".ci95", NULL);
            mcol = find_col(header, mn);
            hcol = find_col(header, hn);
        }
        if (mcol < 0) {
            g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
            for (unsigned c = 0; c < header->len; c++)
                if (g_str_has_suffix(header->pdata[c], ".mean"))
                    g_ptr_array_add(names, g_strndup(header->pdata[c],
                                                     strlen(header->pdata[c]) - strlen(".mean")));
            const char *close = rs_closest(m, (const char *const *)names->pdata, names->len);
            g_set_error(error, RS_SWEEP_ERROR, 0, "--metric %s: no such numeric column in "
                        "results.csv%s%s%s", m, close ? " (did you mean `" : "", close ? close : "",
                        close ? "`?)" : "");
            return false;
        }
        if (!plot_metric(sw, rows, m, mcol, hcol, pdir, bases, error))
            return false;
    }
    g_autofree char *gnuplot = g_find_program_in_path("gnuplot");
    if (gnuplot == NULL)
        return true;
    for (unsigned i = 0; i < bases->len; i++)
        if (!render(pdir, bases->pdata[i], limit_s, error))
            return false;
    *rendered = true;
    return true;
}
