/* tables.c: results.csv (one row per run) and summary.csv (one row per point).
 *
 * Both are made from the runs' JSON reports alone, read in run order, so a
 * sweep, a resumed sweep and a merge of shards write the same bytes
 * whatever ran the runs (R37).  results.csv columns: run, point, one column
 * per parameter (the value as given), seed, passed (1 when every
 * expectation held), failed (how many did not), then the columns the
 * reports bring, in the order they first appear:
 *   expect.ID.passed and expect.ID.observed.KEY... (ID: the expectation's
 *     id, else its index; every scalar of `observed`, objects joined by '.')
 *   traffic.NAME.sent, traffic.NAME.errors (requests not answered ok),
 *   traffic.NAME.share.OUTCOME for every outcome word, and
 *   traffic.NAME.latency_ns.P (the report's percentiles of ok answers).
 * A value a run does not have is an empty cell.  summary.csv: point, the
 * parameters, runs, pass_rate, then M.mean and M.ci95 (the half width of
 * the Student's t 95 % interval, empty for one seed) for every column M
 * after `passed` whose cells are all numbers.  Numbers are printed with
 * %.15g (results) and %.10g (summary) in the C locale.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/outcome.h"
#include "rahtisim/sweep.h"

typedef struct {
    GPtrArray *names;           /* char * */
    GHashTable *index;          /* name -> column + 1 */
    GArray *numeric;            /* bool per column: every cell so far is a number */
    GPtrArray *rows;            /* GPtrArray of char * (NULL: empty), one per run read */
    GArray *row_point;          /* uint64_t per row */
} Table;

static unsigned
column(Table *t, const char *name)
{
    gpointer v = g_hash_table_lookup(t->index, name);
    if (v != NULL)
        return GPOINTER_TO_UINT(v) - 1;
    char *n = g_strdup(name);
    g_ptr_array_add(t->names, n);
    g_hash_table_insert(t->index, n, GUINT_TO_POINTER(t->names->len));
    bool yes = true;
    g_array_append_val(t->numeric, yes);
    return t->names->len - 1;
}

static void
set_cell(Table *t, GPtrArray *row, const char *name, char *text, bool is_number)
{
    unsigned c = column(t, name);
    if (row->len <= c)
        g_ptr_array_set_size(row, (gint)c + 1);
    g_free(row->pdata[c]);
    row->pdata[c] = text;
    if (!is_number && text != NULL)
        g_array_index(t->numeric, bool, c) = false;
}

static char *
fmt_num(double v, const char *fmt)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    if (v == floor(v) && fabs(v) < 1e15)
        return g_strdup_printf("%.0f", v);
    return g_strdup(g_ascii_formatd(buf, sizeof buf, fmt, v));
}

static void
set_num(Table *t, GPtrArray *row, const char *name, double v)
{
    set_cell(t, row, name, fmt_num(v, "%.15g"), true);
}

/* Every scalar of `v` as a cell named prefix.key.key[i]... */
static void
flatten(Table *t, GPtrArray *row, GString *name, const cJSON *v)
{
    gsize len = name->len;
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        unsigned i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, v) {
            if (cJSON_IsObject(v))
                g_string_append_printf(name, ".%s", c->string);
            else
                g_string_append_printf(name, "[%u]", i);
            flatten(t, row, name, c);
            g_string_truncate(name, len);
            i++;
        }
    } else if (cJSON_IsNumber(v)) {
        set_num(t, row, name->str, v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        set_num(t, row, name->str, cJSON_IsTrue(v) ? 1 : 0);
    } else if (cJSON_IsString(v)) {
        set_cell(t, row, name->str, g_strdup(v->valuestring), false);
    }
}

static double
num_member(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

/* One run's report into a row. */
static bool
add_run(Table *t, const RsSweep *sw, uint64_t run, const cJSON *rep)
{
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(rep, "summary");
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(rep, "expectations");
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(rep, "traffic");
    if (!cJSON_IsObject(sum) || !cJSON_IsArray(ex) || !cJSON_IsArray(tr))
        return false;
    GPtrArray *row = g_ptr_array_new_with_free_func(g_free);
    uint64_t point = run / sw->seeds;
    g_autofree unsigned *idx = g_new0(unsigned, sw->n_params + 1);
    rs_sweep_point_indices(sw, point, idx);
    set_num(t, row, "run", (double)run);
    set_num(t, row, "point", (double)point);
    for (unsigned k = 0; k < sw->n_params; k++) {
        const RsSweepParam *p = &sw->params[k];
        set_cell(t, row, p->key, g_strdup(p->texts[idx[k]]), cJSON_IsNumber(p->values[idx[k]]));
    }
    set_num(t, row, "seed", (double)(run % sw->seeds + 1));
    double failed = num_member(sum, "failed");
    set_num(t, row, "passed", failed == 0 ? 1 : 0);
    set_num(t, row, "failed", failed);

    g_autoptr(GString) name = g_string_new(NULL);
    const cJSON *e;
    cJSON_ArrayForEach(e, ex) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (cJSON_IsString(id))
            g_string_printf(name, "expect.%s", id->valuestring);
        else
            g_string_printf(name, "expect.%.0f", num_member(e, "index"));
        gsize len = name->len;
        g_string_append(name, ".passed");
        set_num(t, row, name->str, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "passed")) ? 1 : 0);
        g_string_truncate(name, len);
        g_string_append(name, ".observed");
        flatten(t, row, name, cJSON_GetObjectItemCaseSensitive(e, "observed"));
    }
    const cJSON *s;
    cJSON_ArrayForEach(s, tr) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(s, "name");
        const cJSON *oc = cJSON_GetObjectItemCaseSensitive(s, "outcomes");
        if (!cJSON_IsString(nm))
            continue;
        double sent = num_member(s, "sent");
        g_string_printf(name, "traffic.%s.", nm->valuestring);
        gsize len = name->len;
        g_string_append(name, "sent");
        set_num(t, row, name->str, sent);
        g_string_truncate(name, len);
        g_string_append(name, "errors");
        set_num(t, row, name->str, sent - num_member(oc, "ok"));
        for (int o = 0; o < RS_OUTCOME_COUNT; o++) {
            g_string_truncate(name, len);
            g_string_append_printf(name, "share.%s", rs_outcome_word((RsOutcome)o));
            if (sent > 0)
                set_num(t, row, name->str, num_member(oc, rs_outcome_word((RsOutcome)o)) / sent);
            else
                set_cell(t, row, name->str, NULL, true);
        }
        g_string_truncate(name, len);
        g_string_append(name, "latency_ns");
        flatten(t, row, name, cJSON_GetObjectItemCaseSensitive(s, "latency_ns"));
    }
    g_ptr_array_add(t->rows, row);
    g_array_append_val(t->row_point, point);
    return true;
}

/* Whether a spreadsheet would take the text as a formula: it starts with
 * = + - @ (or a tab or CR before one) and is not a plain number (OWASP's
 * "CSV injection"; numbers like -1 or -0.5 stay numbers). */
static bool
formula_like(const char *s)
{
    if (strchr("=+-@\t\r", s[0]) == NULL || s[0] == '\0')
        return false;
    char *end = NULL;
    (void)g_ascii_strtod(s, &end);
    return end == s || *end != '\0';
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote, CR, LF or
 * starts or ends with a space.  Text a spreadsheet would run as a formula
 * (a --param value such as =HYPERLINK(...)) gets a leading ' so that it is
 * shown, not evaluated (docs/sweeps.md). */
static void
csv_field(GString *out, const char *s)
{
    if (s == NULL)
        return;
    g_autofree char *guarded = formula_like(s) ? g_strconcat("'", s, NULL) : NULL;
    if (guarded != NULL)
        s = guarded;
    size_t n = strlen(s);
    if (strpbrk(s, ",\"\r\n") == NULL && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
}

static const char *
cell(const GPtrArray *row, unsigned c)
{
    return c < row->len ? row->pdata[c] : NULL;
}

static void
write_results(const Table *t, GString *out)
{
    for (unsigned c = 0; c < t->names->len; c++) {
        if (c)
            g_string_append_c(out, ',');
        csv_field(out, t->names->pdata[c]);
    }
    g_string_append_c(out, '\n');
    for (unsigned r = 0; r < t->rows->len; r++) {
        const GPtrArray *row = t->rows->pdata[r];
        for (unsigned c = 0; c < t->names->len; c++) {
            if (c)
                g_string_append_c(out, ',');
            csv_field(out, cell(row, c));
        }
        g_string_append_c(out, '\n');
    }
}

static void
append_num(GString *out, double v)
{
    g_string_append_c(out, ',');
    if (!isnan(v)) {
        g_autofree char *s = fmt_num(v, "%.10g");
        g_string_append(out, s);
    }
}

static void
write_summary(const Table *t, const RsSweep *sw, GString *out)
{
    /* the metrics: numeric columns after `passed` (run, point, params, seed, passed come first) */
    unsigned passed_col = 3 + sw->n_params;
    unsigned first = passed_col + 1;
    g_string_append(out, "point");
    for (unsigned k = 0; k < sw->n_params; k++) {
        g_string_append_c(out, ',');
        csv_field(out, sw->params[k].key);
    }
    g_string_append(out, ",runs,pass_rate");
    for (unsigned c = first; c < t->names->len; c++) {
        if (!g_array_index(t->numeric, bool, c))
            continue;
        g_autofree char *m = g_strconcat(t->names->pdata[c], ".mean", NULL);
        g_autofree char *h = g_strconcat(t->names->pdata[c], ".ci95", NULL);
        g_string_append_c(out, ',');
        csv_field(out, m);
        g_string_append_c(out, ',');
        csv_field(out, h);
    }
    g_string_append_c(out, '\n');
    double *x = g_new(double, sw->seeds);
    unsigned *idx = g_new(unsigned, sw->n_params + 1);
    for (unsigned r0 = 0; r0 < t->rows->len;) {
        uint64_t point = g_array_index(t->row_point, uint64_t, r0);
        unsigned r1 = r0;
        while (r1 < t->rows->len && g_array_index(t->row_point, uint64_t, r1) == point)
            r1++;
        rs_sweep_point_indices(sw, point, idx);
        g_string_append_printf(out, "%" G_GUINT64_FORMAT, point);
        for (unsigned k = 0; k < sw->n_params; k++) {
            g_string_append_c(out, ',');
            csv_field(out, sw->params[k].texts[idx[k]]);
        }
        g_string_append_printf(out, ",%u", r1 - r0);
        unsigned npass = 0;
        for (unsigned r = r0; r < r1; r++)
            npass += g_strcmp0(cell(t->rows->pdata[r], passed_col), "1") == 0;
        append_num(out, (double)npass / (double)(r1 - r0));
        for (unsigned c = first; c < t->names->len; c++) {
            if (!g_array_index(t->numeric, bool, c))
                continue;
            unsigned n = 0;
            for (unsigned r = r0; r < r1; r++) {
                const char *s = cell(t->rows->pdata[r], c);
                if (s != NULL)
                    x[n++] = g_ascii_strtod(s, NULL);
            }
            double mean = NAN, half = NAN;
            if (n > 0)
                rs_mean_ci95(x, n, &mean, &half);
            append_num(out, mean);
            append_num(out, half);
        }
        g_string_append_c(out, '\n');
        r0 = r1;
    }
    g_free(idx);
    g_free(x);
}

bool
rs_sweep_tables_write(const RsSweep *sw, const char *const *dirs_by_run, const char *dir,
                      GError **error)
{
    Table t = {
        .names = g_ptr_array_new_with_free_func(g_free),
        .index = g_hash_table_new(g_str_hash, g_str_equal),
        .numeric = g_array_new(FALSE, FALSE, sizeof(bool)),
        .rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref),
        .row_point = g_array_new(FALSE, FALSE, sizeof(uint64_t)),
    };
    /* the fixed columns first, in their order, even with no runs */
    column(&t, "run");
    column(&t, "point");
    for (unsigned k = 0; k < sw->n_params; k++)
        column(&t, sw->params[k].key);
    column(&t, "seed");
    column(&t, "passed");
    column(&t, "failed");
    bool ok = true;
    for (uint64_t r = 0; ok && r < sw->runs; r++) {
        if (dirs_by_run[r] == NULL)
            continue;
        g_autofree char *name = rs_sweep_run_name(sw, r);
        g_autofree char *path = g_build_filename(dirs_by_run[r], name, NULL);
        g_autofree char *text = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &text, &len, NULL)) {
            g_set_error(error, RS_SWEEP_ERROR, 0, "%s: missing: that run has not finished "
                        "(run the sweep again with --resume)", path);
            ok = false;
            break;
        }
        cJSON *rep = cJSON_ParseWithLength(text, len);
        if (rep == NULL || !add_run(&t, sw, r, rep)) {
            g_set_error(error, RS_SWEEP_ERROR, 0, "%s: not a rahtisim JSON report (delete it and "
                        "run the sweep again with --resume)", path);
            ok = false;
        }
        cJSON_Delete(rep);
    }
    /* a parameter column is numeric only when all its values are numbers */
    for (unsigned k = 0; ok && k < sw->n_params; k++)
        for (unsigned i = 0; i < sw->params[k].n_values; i++)
            if (!cJSON_IsNumber(sw->params[k].values[i]))
                g_array_index(t.numeric, bool, 2 + k) = false;
    if (ok) {
        g_autoptr(GString) res = g_string_new(NULL);
        g_autoptr(GString) sum = g_string_new(NULL);
        write_results(&t, res);
        write_summary(&t, sw, sum);
        g_autofree char *rp = g_build_filename(dir, "results.csv", NULL);
        g_autofree char *sp = g_build_filename(dir, "summary.csv", NULL);
        ok = rs_write_file_atomic(rp, res->str, res->len, 0644, error) &&
             rs_write_file_atomic(sp, sum->str, sum->len, 0644, error);
    }
    g_ptr_array_unref(t.rows);
    g_array_unref(t.row_point);
    g_array_unref(t.numeric);
    g_hash_table_unref(t.index);
    g_ptr_array_unref(t.names);
    return ok;
}
