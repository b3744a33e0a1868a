/* loader-matrix.c: the `matrix` expectation (scenario-format.md "Additions"):
 * who reaches whom at one instant, pinned either inline
 *   {"at": "5s", "matrix": {"from": [...], "to": [...], "expect": [...]}}
 * (row-major outcome words) or by a golden file that `rahtisim matrix
 * --format json` wrote, relative to the scenario:
 *   {"at": "5s", "matrix": {"golden": "shop.matrix.json"}}
 * A golden file's sources become the rows, its destinations' URLs the
 * columns and its cells the expected outcomes, so a repository can keep the
 * matrix it reviewed and CI fails when the cluster stops matching it.
 * Errors inside a golden file name the golden file, line and column.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/util.h"
#include "scenario/loader-internal.h"

/* One outcome word, with a "did you mean" for a near miss. */
static bool
outcome_word(Ld *ld, const cJSON *v, const char *path, RsOutcome *out)
{
    ld_note_outcome(ld, path);
    if (cJSON_IsString(v) && rs_outcome_parse(v->valuestring, out))
        return true;
    const char *words[RS_OUTCOME_COUNT];
    for (int o = 0; o < RS_OUTCOME_COUNT; o++)
        words[o] = rs_outcome_word((RsOutcome)o);
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, path, "expected an outcome word, found %s", ld_type_word(v));
    const char *hint = rs_closest(v->valuestring, words, RS_OUTCOME_COUNT);
    if (hint)
        return ld_fail(ld, v, false, path, "unknown outcome `%s` (did you mean `%s`?)", v->valuestring, hint);
    return ld_fail(ld, v, false, path, "unknown outcome `%s`", v->valuestring);
}

/* A row: "ns/name" (a pod or deployment) or a host, resolved in pass 2 at `at`. */
static bool
row_from(Ld *ld, const cJSON *at, const char *path, const char *text, RsFrom *f)
{
    if (!*text)
        return ld_fail(ld, at, false, path, "expected a pod or deployment `NAMESPACE/NAME` or a host name, "
                       "found an empty string");
    if (strchr(text, '/')) {
        if (!ld_split_ref(ld, at, path, text, &f->ns, NULL, &f->name))
            return false;
    } else {
        f->kind = RS_FROM_HOST;
        f->name = g_strdup(text);
    }
    ld_defer(ld, LD_REF_FROM, at, path, f->ns, f->name, "the matrix row");
    ld_defer_last(ld)->from_out = f;
    return true;
}

/* A column: a URL (an @ns/pod target must name a declared pod). */
static bool
col_url(Ld *ld, const cJSON *at, const char *path, const cJSON *v, RsUrl *u)
{
    if (!ld_v_url(ld, v, path, u))
        return false;
    if (u->pod_ref) {
        g_auto(GStrv) parts = g_strsplit(u->pod_ref, "/", 2);
        ld_defer(ld, LD_REF_POD, at, path, parts[0], parts[1], "the matrix column's pod");
    }
    return true;
}

/* Sets an error at a node of the golden file; always false. */
G_GNUC_PRINTF(5, 6) static bool
golden_fail(Ld *ld, const RsJsonDoc *gdoc, const cJSON *node, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *msg = rs_jsonc_printable(raw);
    int line, col;
    rs_jsonc_linecol(gdoc, rs_jsonc_offset(gdoc, node, false), &line, &col);
    ld_add_error(ld, RS_SCENARIO_ERROR_INVALID, g_strdup_printf("%s:%d:%d: %s%s%s", rs_jsonc_name(gdoc), line,
                                                                col, path, *path ? ": " : "", msg));
    return false;
}

/* The golden file's rows, columns and cells. */
static bool
golden(Ld *ld, const cJSON *gnode, const char *gpath, RsExpectSpec *e)
{
    const char *name = gnode->valuestring;
    g_autofree char *dir = g_path_get_dirname(ld->sc->file ? ld->sc->file : ".");
    g_autofree char *full = g_path_is_absolute(name) ? g_strdup(name) : g_build_filename(dir, name, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(RsJsonDoc) gdoc = rs_jsonc_load_file(full, &err);
    if (!gdoc)
        return ld_fail(ld, gnode, false, gpath, "cannot read the golden matrix: %s (write it with "
                       "`rahtisim matrix SCENARIO --format json > %s`)", err->message, name);
    e->golden = g_strdup(name);
    const cJSON *root = rs_jsonc_root(gdoc);
    const cJSON *src = ld_get(root, "sources"), *dst = ld_get(root, "destinations"), *cells = ld_get(root, "cells");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(src) || !cJSON_IsArray(dst) || !cJSON_IsArray(cells))
        return golden_fail(ld, gdoc, root, "", "not a matrix written by `rahtisim matrix --format json` "
                           "(it needs `sources`, `destinations` and `cells`)");
    e->n_matrix_from = (unsigned)cJSON_GetArraySize(src);
    e->n_matrix_to = (unsigned)cJSON_GetArraySize(dst);
    if ((guint64)e->n_matrix_from * e->n_matrix_to > 1000000)
        return golden_fail(ld, gdoc, root, "", "more than 1000000 cells");
    e->matrix_from = g_new0(RsFrom, MAX(e->n_matrix_from, 1));
    e->matrix_to = g_new0(RsUrl, MAX(e->n_matrix_to, 1));
    e->matrix_expect = g_new0(RsOutcome, MAX((size_t)e->n_matrix_from * e->n_matrix_to, 1));
    unsigned i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, src) {
        const cJSON *n = ld_get(c, "name");
        g_autofree char *p = g_strdup_printf("sources[%u].name", i);
        if (!cJSON_IsString(n))
            return golden_fail(ld, gdoc, c, p, "expected the source's name (a string)");
        g_autofree char *rp = g_strdup_printf("%s (%s %s)", gpath, name, p);
        if (!row_from(ld, gnode, rp, n->valuestring, &e->matrix_from[i]))
            return false;
        i++;
    }
    i = 0;
    cJSON_ArrayForEach(c, dst) {
        const cJSON *u = ld_get(c, "url");
        g_autofree char *p = g_strdup_printf("destinations[%u].url", i);
        if (!cJSON_IsString(u))
            return golden_fail(ld, gdoc, c, p, "expected the destination's URL (a string)");
        g_autoptr(GError) uerr = NULL;
        if (!rs_url_parse(u->valuestring, &e->matrix_to[i], &uerr))
            return golden_fail(ld, gdoc, u, p, "%s", uerr->message);
        g_autofree char *cp = g_strdup_printf("%s (%s %s)", gpath, name, p);
        if (e->matrix_to[i].pod_ref) {
            g_auto(GStrv) parts = g_strsplit(e->matrix_to[i].pod_ref, "/", 2);
            ld_defer(ld, LD_REF_POD, gnode, cp, parts[0], parts[1], "the matrix column's pod");
        }
        i++;
    }
    if ((unsigned)cJSON_GetArraySize(cells) != e->n_matrix_from)
        return golden_fail(ld, gdoc, cells, "cells", "%d rows for %u sources", cJSON_GetArraySize(cells),
                           e->n_matrix_from);
    unsigned r = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, cells) {
        g_autofree char *rp = g_strdup_printf("cells[%u]", r);
        if (!cJSON_IsArray(row) || (unsigned)cJSON_GetArraySize(row) != e->n_matrix_to)
            return golden_fail(ld, gdoc, row, rp, "expected %u outcome words (one per destination)",
                               e->n_matrix_to);
        unsigned k = 0;
        cJSON_ArrayForEach(c, row) {
            g_autofree char *cp = g_strdup_printf("cells[%u][%u]", r, k);
            if (!cJSON_IsString(c) || !rs_outcome_parse(c->valuestring, &e->matrix_expect[r * e->n_matrix_to + k]))
                return golden_fail(ld, gdoc, c, cp, "expected an outcome word");
            k++;
        }
        r++;
    }
    return true;
}

/* The `matrix` of a matrix expectation (see the top of the file). */
bool
ld_matrix_expectation(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    static const char *const keys[] = {"from", "to", "expect", "golden", NULL};
    const cJSON *m = ld_get(v, "matrix");
    const char *mp = ld_path(ld, path, "matrix");
    if (!ld_object(ld, m, mp, keys, "a matrix (`from`, `to` and `expect`, or `golden`)"))
        return false;
    const cJSON *g = ld_get(m, "golden");
    if (g) {
        const char *gp = ld_path(ld, mp, "golden");
        if (ld_get(m, "from") || ld_get(m, "to") || ld_get(m, "expect"))
            return ld_fail(ld, g, true, gp, "a matrix is either `golden` or `from`, `to` and `expect`");
        if (!cJSON_IsString(g) || !*g->valuestring)
            return ld_fail(ld, g, false, gp, "expected a file name (written by `rahtisim matrix --format json`)");
        return golden(ld, g, gp, e);
    }
    const cJSON *from = ld_get(m, "from"), *to = ld_get(m, "to"), *expect = ld_get(m, "expect");
    static const char *const need[] = {"from", "to", "expect"};
    const cJSON *have[] = {from, to, expect};
    for (int k = 0; k < 3; k++) {
        const char *kp = ld_path(ld, mp, need[k]);
        if (!have[k])
            return ld_fail(ld, m, false, mp, "missing required key `%s`", need[k]);
        if (!cJSON_IsArray(have[k]) || cJSON_GetArraySize(have[k]) == 0)
            return ld_fail(ld, have[k], false, kp, "expected a non-empty array");
    }
    e->n_matrix_from = (unsigned)cJSON_GetArraySize(from);
    e->n_matrix_to = (unsigned)cJSON_GetArraySize(to);
    size_t n = (size_t)e->n_matrix_from * e->n_matrix_to;
    const char *ep = ld_path(ld, mp, "expect");
    if ((size_t)cJSON_GetArraySize(expect) != n)
        return ld_fail(ld, expect, false, ep, "expected %zu outcomes (%u rows x %u columns, row by row), "
                       "found %d", n, e->n_matrix_from, e->n_matrix_to, cJSON_GetArraySize(expect));
    e->matrix_from = g_new0(RsFrom, e->n_matrix_from);
    e->matrix_to = g_new0(RsUrl, e->n_matrix_to);
    e->matrix_expect = g_new0(RsOutcome, n);
    unsigned i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, from) {
        g_autofree char *p = g_strdup_printf("%s.from[%u]", mp, i);
        if (!cJSON_IsString(c))
            return ld_fail(ld, c, false, p, "expected a pod, deployment or host, found %s", ld_type_word(c));
        if (!row_from(ld, c, p, c->valuestring, &e->matrix_from[i++]))
            return false;
    }
    i = 0;
    cJSON_ArrayForEach(c, to) {
        g_autofree char *p = g_strdup_printf("%s.to[%u]", mp, i);
        if (!col_url(ld, c, p, c, &e->matrix_to[i++]))
            return false;
    }
    i = 0;
    cJSON_ArrayForEach(c, expect) {
        g_autofree char *p = g_strdup_printf("%s[%u]", ep, i);
        if (!outcome_word(ld, c, p, &e->matrix_expect[i++]))
            return false;
    }
    return true;
}
