/* judge-matrix.c: the matrix expectation (scenario-format.md, "Additions"):
 * rows of requesters x columns of URLs, every cell one request at the
 * expectation's time, judged once every cell has its answer.
 *
 * Each cell meets the world as `rahtisim matrix` sends it: as if it were the
 * only request (rs_sim_set_isolated), so no cell moves another's round-robin
 * position or a pod's connection count, and each cell has its own random
 * stream ("expect/N/CELL", R37).
 */
#include "config.h"

#include "rahtisim/util.h"
#include "check/check-private.h"

typedef struct RsMatrixJudge RsMatrixJudge;

typedef struct {
    RsMatrixJudge *m;
    size_t i;
} MatrixCell;

struct RsMatrixJudge {
    RsExpectResult *r;
    RsOutcome *got;             /* per cell, row-major */
    MatrixCell *cells;
    size_t left;                /* cells still waiting for their answer */
    void (*done)(void *);
    void *data;
};

void
rs_matrix_judge_free(RsMatrixJudge *m)
{
    if (m == NULL)
        return;
    g_free(m->got);
    g_free(m->cells);
    g_free(m);
}

cJSON *
rs_check_matrix_expected(const RsExpectSpec *e)
{
    cJSON *o = cJSON_CreateObject();
    char who[160];
    if (e->golden)
        cJSON_AddStringToObject(o, "golden", e->golden);
    cJSON *from = cJSON_AddArrayToObject(o, "from"), *to = cJSON_AddArrayToObject(o, "to");
    cJSON *exp = cJSON_AddArrayToObject(o, "expect");
    for (unsigned r = 0; r < e->n_matrix_from; r++)
        cJSON_AddItemToArray(from, cJSON_CreateString(rs_from_format(&e->matrix_from[r], who, sizeof who)));
    for (unsigned c = 0; c < e->n_matrix_to; c++) {
        g_autofree char *u = rs_url_format(&e->matrix_to[c]);
        cJSON_AddItemToArray(to, cJSON_CreateString(u));
    }
    for (size_t i = 0; i < (size_t)e->n_matrix_from * e->n_matrix_to; i++)
        cJSON_AddItemToArray(exp, cJSON_CreateString(rs_outcome_word(e->matrix_expect[i])));
    return o;
}

/* Judges the matrix once every cell has its answer: every cell that differs
 * is one line of the explanation ("from -> url: got, not expected"). */
static void
matrix_verdict(RsMatrixJudge *m)
{
    RsExpectResult *r = m->r;
    const RsExpectSpec *e = r->spec;
    size_t n = (size_t)e->n_matrix_from * e->n_matrix_to, bad = 0;
    cJSON *obs = cJSON_CreateObject();
    cJSON *cells = cJSON_AddArrayToObject(obs, "cells");
    g_autoptr(GString) why = g_string_new(NULL);
    char who[160], at[32];
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(cells, cJSON_CreateString(rs_outcome_word(m->got[i])));
        if (m->got[i] == e->matrix_expect[i])
            continue;
        bad++;
        g_autofree char *u = rs_url_format(&e->matrix_to[i % e->n_matrix_to]);
        g_string_append_printf(why, "%s -> %s: %s, not %s\n",
                               rs_from_format(&e->matrix_from[i / e->n_matrix_to], who, sizeof who), u,
                               rs_outcome_word(m->got[i]), rs_outcome_word(e->matrix_expect[i]));
    }
    r->observed = obs;
    r->passed = bad == 0;
    rs_duration_format(e->at, at);
    const char *from = e->golden ? " from " : "", *golden = e->golden ? e->golden : "";
    if (bad == 0)
        r->summary = g_strdup_printf("matrix %ux%u%s%s at %s: all %zu cells as expected", e->n_matrix_from,
                                     e->n_matrix_to, from, golden, at, n);
    else
        r->summary = g_strdup_printf("matrix %ux%u%s%s at %s: %zu of %zu cells differ", e->n_matrix_from,
                                     e->n_matrix_to, from, golden, at, bad, n);
    r->explanation = g_string_free(g_steal_pointer(&why), FALSE);
    m->done(m->data);
}

/* One cell's answer. */
static void
matrix_cell_done(RsSim *sim, const RsResult *res, void *data)
{
    MatrixCell *c = data;
    (void)sim;
    c->m->got[c->i] = res->outcome;
    if (--c->m->left == 0)
        matrix_verdict(c->m);
}

RsMatrixJudge *
rs_judge_matrix_start(RsSim *sim, RsExpectResult *r, void (*done)(void *), void *data)
{
    const RsExpectSpec *e = r->spec;
    size_t n = (size_t)e->n_matrix_from * e->n_matrix_to;
    r->expected = rs_check_matrix_expected(e);
    RsMatrixJudge *m = g_new0(RsMatrixJudge, 1);
    m->r = r;
    m->got = g_new0(RsOutcome, MAX(n, 1));
    m->cells = g_new0(MatrixCell, MAX(n, 1));
    m->left = n;
    m->done = done;
    m->data = data;
    char stream[48];
    rs_sim_set_isolated(sim, true);
    for (size_t i = 0; i < n; i++) {
        m->cells[i] = (MatrixCell){.m = m, .i = i};
        g_snprintf(stream, sizeof stream, "expect/%u/%zu", r->index, i);
        rs_sim_request(sim, &e->matrix_from[i / e->n_matrix_to], &e->matrix_to[i % e->n_matrix_to], stream,
                       false, matrix_cell_done, &m->cells[i]);
    }
    rs_sim_set_isolated(sim, false);
    if (n == 0)
        matrix_verdict(m);
    return m;
}
