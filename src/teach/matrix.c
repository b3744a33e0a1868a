/* matrix.c: who can reach whom at one instant (`rahtisim matrix`).
 *
 * Like Cyclonus's truth tables for network policies, but every cell is a
 * real request through the pipeline, not a lookup: rows are the requesters
 * (every pod alive at T, namespace by namespace, then the scenario's hosts),
 * columns the destinations:
 *   - each port of each service, by the name <service>.<namespace> (so the
 *     namespace wall shows as a timeout, R12, not as a failed lookup);
 *   - each port of each pod alive at T, as @ns/pod (R9);
 *   - each live route, by its host and path (R21, R22): over http, or for a
 *     TLS route over https and, in a second column, over http (R24);
 *   - each port of each host (R36).
 * The scheme follows what the far end speaks: tcp:// to pods whose
 * protocol is tcp, https:// to a TLS port, http:// otherwise.
 *
 * INDEPENDENT CELLS, ONE SIMULATION
 * ----------------------------------
 * A request changes state: round-robin positions and client-ip affinity
 * (R13), the services', pods' and router's random streams, pod workers
 * (R38), router balancers (R26), cookies (R27).  So that no cell disturbs
 * another, every cell's request is ISOLATED (src/net/isolate.c): it changes
 * only private copies of that state.  That lets the world be built and run
 * to T ONCE: every cell's request is then sent at T in that one simulation,
 * which runs until all are answered (each within the client's timeout,
 * R38).  Each meets the world at T, and the scenario's events after T, as
 * the only request sent (src/teach/probe.c sends one the same way).
 * A cell whose request cannot be sent at all (the simulation refuses its
 * requester) is '?'.
 *
 * COST
 * ----
 * One simulation up to T, then O(cells) requests of a few events each,
 * where it used to be cells x (building the world and running it to T):
 * O(N^2) for N pods instead of O(N^3).  Memory: requests in flight are
 * about 1.2 KB each, so the cells are sent in batches of MATRIX_BATCH;
 * every batch after the first builds the simulation to T again.
 * --max-events bounds the engine events of all batches together (reaching
 * T and the requests), checked before any request is sent where it can be.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "rahtisim/teach.h"

typedef struct {
    char *name;                 /* "fenic/debug" or a host name */
    char *note;                 /* "failed", "host" ... or NULL */
    RsFrom from;
} Row;

typedef struct {
    char *label;                /* "svc fenic/nginx:80" */
    char *kind;                 /* "service", "pod", "route", "host" */
    char *url;
    RsUrl parsed;
} Col;

struct RsMatrix {
    char *scenario;
    uint64_t seed;
    rs_time_t at;
    GArray *rows, *cols;        /* Row, Col */
    uint16_t port;              /* --port: only that port (R44), 0: every declared port */
    char *cells;                /* rows x cols letters */
    RsOutcome *outcomes;        /* rows x cols; valid where the letter is not '?' */
};

/* Parses a matrix --format. */
bool
rs_matrix_format_parse(const char *text, RsMatrixFormat *out)
{
    if (strcmp(text, "text") == 0)
        *out = RS_MATRIX_TEXT;
    else if (strcmp(text, "csv") == 0)
        *out = RS_MATRIX_CSV;
    else if (strcmp(text, "json") == 0)
        *out = RS_MATRIX_JSON;
    else
        return false;
    return true;
}

/* Frees a row's strings (GArray clear function). */
static void
row_clear(gpointer p)
{
    Row *r = p;
    g_free(r->name);
    g_free(r->note);
    g_free(r->from.ns);
    g_free(r->from.name);
}

/* Frees a column's strings (GArray clear function). */
static void
col_clear(gpointer p)
{
    Col *c = p;
    g_free(c->label);
    g_free(c->kind);
    g_free(c->url);
    rs_url_clear(&c->parsed);
}

/* Adds a destination column; its URL must parse (it is built here). */
static void
add_col(RsMatrix *m, const char *kind, char *label, char *url)
{
    Col c = {.label = label, .kind = g_strdup(kind)};
    g_autoptr(GError) err = NULL;
    if (!rs_url_parse(url, &c.parsed, &err))
        g_error("matrix: built an invalid URL %s: %s", url, err->message);
    c.url = rs_url_format(&c.parsed);      /* as a person writes it: no default port */
    g_free(url);
    g_array_append_val(m->cols, c);
}

/* The scheme for a pod port: what the pod speaks there. */
static const char *
scheme_for(const RsTemplate *t, const RsPodPort *pp)
{
    if (t->protocol == RS_PROTO_TCP)
        return "tcp";
    return pp != NULL && pp->tls != NULL ? "https" : "http";
}

/* The pod port a service port reaches on pod `p` (R11), or NULL. */
static const RsPodPort *
target_port(const RsPod *p, const RsSvcPort *sp)
{
    if (sp->target_name != NULL)
        return rs_pod_port_named(p, sp->target_name);
    return rs_pod_port(p, sp->target_port ? sp->target_port : sp->port);
}

/* A URL to `host`:`port` in `scheme`, with the path where the scheme has one. */
static char *
url_for(const char *scheme, const char *host, uint16_t port)
{
    if (strcmp(scheme, "tcp") == 0)
        return g_strdup_printf("tcp://%s:%u", host, port);
    return g_strdup_printf("%s://%s:%u/", scheme, host, port);
}

/* Columns for every port of every live service (by name, any namespace). */
static void
service_cols(RsMatrix *m, RsWorld *w)
{
    for (unsigned i = 0; i < rs_world_n_namespaces(w); i++) {
        const RsNamespace *ns = rs_world_namespace_nth(w, i);
        for (unsigned k = 0; k < rs_namespace_n_services(ns); k++) {
            const RsService *svc = rs_namespace_service_nth(ns, k);
            for (unsigned p = 0; p < svc->def->n_ports; p++) {
                const RsSvcPort *sp = &svc->def->ports[p];
                if (m->port != 0 && sp->port != m->port)
                    continue;
                /* What the selected pods speak: the first live pod selected. */
                const char *scheme = "http";
                for (unsigned q = 0; q < rs_world_n_pods(w); q++) {
                    const RsPod *pod = rs_world_pod_nth(w, q);
                    if (pod->ns == ns && pod->state != RS_POD_GONE &&
                        rs_labels_match(svc->def->selector, svc->def->n_selector, pod->tmpl)) {
                        scheme = scheme_for(pod->tmpl, target_port(pod, sp));
                        break;
                    }
                }
                g_autofree char *host = g_strdup_printf("%s.%s", svc->name, ns->name);
                add_col(m, "service", g_strdup_printf("svc %s:%u", svc->full, sp->port),
                        url_for(scheme, host, sp->port));
            }
        }
    }
}

/* Columns for every port of every pod alive now (by @ns/pod). */
static void
pod_cols(RsMatrix *m, RsWorld *w)
{
    for (unsigned i = 0; i < rs_world_n_namespaces(w); i++) {
        const RsNamespace *ns = rs_world_namespace_nth(w, i);
        for (unsigned k = 0; k < rs_world_n_pods(w); k++) {
            const RsPod *p = rs_world_pod_nth(w, k);
            if (p->ns != ns || p->state == RS_POD_GONE)
                continue;
            if (m->port != 0) {
                /* --port: every pod on that port, listening or not: `refused`
                 * says the policies let it through, `timeout` that they drop it */
                const RsPodPort *pp = rs_pod_port(p, m->port);
                g_autofree char *host = g_strdup_printf("@%s", p->full);
                add_col(m, "pod", g_strdup_printf("pod %s:%u", p->full, m->port),
                        url_for(pp != NULL ? scheme_for(p->tmpl, pp) : "http", host, m->port));
                continue;
            }
            for (unsigned q = 0; q < p->tmpl->n_ports; q++) {
                const RsPodPort *pp = &p->tmpl->ports[q];
                g_autofree char *host = g_strdup_printf("@%s", p->full);
                add_col(m, "pod", g_strdup_printf("pod %s:%u", p->full, pp->port),
                        url_for(scheme_for(p->tmpl, pp), host, pp->port));
            }
        }
    }
}

/* Columns for the live routes (by host and path, R21) and the hosts' ports (R36). */
static void
outside_cols(RsMatrix *m, const RsScenario *sc, RsWorld *w)
{
    char ip[16];
    for (unsigned i = 0; m->port == 0 && i < rs_world_n_routes(w); i++) {
        const RsRoute *r = rs_world_route_nth(w, i);
        if (r->removed)
            continue;
        const char *path = r->def->path ? r->def->path : "/";
        if (r->def->tls == RS_TLS_NONE) {
            add_col(m, "route", g_strdup_printf("route %s", r->full),
                    g_strdup_printf("http://%s%s", r->host, path));
            continue;
        }
        /* A TLS route: 443, and what port 80 does (R24). */
        add_col(m, "route", g_strdup_printf("route %s", r->full),
                g_strdup_printf("https://%s%s", r->host, path));
        add_col(m, "route", g_strdup_printf("route %s port 80", r->full),
                g_strdup_printf("http://%s%s", r->host, path));
    }
    for (unsigned i = 0; i < sc->n_hosts; i++) {
        const RsHostSpec *h = &sc->hosts[i];
        for (unsigned k = 0; k < h->n_ports; k++) {
            const RsHostPortSpec *p = &h->ports[k];
            if (m->port != 0 && p->port != m->port)
                continue;
            add_col(m, "host", g_strdup_printf("host %s:%u", h->name, p->port),
                    url_for(p->protocol == RS_PROTO_TCP ? "tcp" : "http",
                            rs_ipv4_format(h->ip, ip), p->port));
        }
    }
}

/* Rows: every pod alive now, namespace by namespace, then every host. */
static void
source_rows(RsMatrix *m, const RsScenario *sc, RsWorld *w)
{
    for (unsigned i = 0; i < rs_world_n_namespaces(w); i++) {
        const RsNamespace *ns = rs_world_namespace_nth(w, i);
        for (unsigned k = 0; k < rs_world_n_pods(w); k++) {
            const RsPod *p = rs_world_pod_nth(w, k);
            if (p->ns != ns || p->state == RS_POD_GONE)
                continue;
            Row r = {.name = g_strdup(p->full)};
            r.from.kind = RS_FROM_POD;
            r.from.ns = g_strdup(ns->name);
            r.from.name = g_strdup(p->name);
            if (p->crashed)
                r.note = g_strdup("crashed");
            else if (p->state != RS_POD_READY)
                r.note = g_strdup(rs_pod_state_word(p->state));
            g_array_append_val(m->rows, r);
        /* cppcheck-suppress memleak ; m->rows owns the row (row_clear) */
        }
    }
    for (unsigned i = 0; i < sc->n_hosts; i++) {
        Row r = {.name = g_strdup(sc->hosts[i].name), .note = g_strdup("host")};
        r.from.kind = RS_FROM_HOST;
        r.from.name = g_strdup(sc->hosts[i].name);
        g_array_append_val(m->rows, r);
    /* cppcheck-suppress memleak ; m->rows owns the row (row_clear) */
    }
}

/* Cells in flight at once (an isolated request in flight: ~1.2 KB). */
#define MATRIX_BATCH 8192u

typedef struct {
    RsMatrix *m;
    size_t i;                   /* the cell */
    size_t *left;               /* cells of the batch not answered yet */
} Cell;

/* A cell's answer. */
static void
cell_done(RsSim *sim, const RsResult *res, void *data)
{
    Cell *c = data;
    c->m->cells[c->i] = rs_outcome_letter(res->outcome);
    c->m->outcomes[c->i] = res->outcome;
    (*c->left)--;
    (void)sim;
}

/* Sends cells [from, to) at once, isolated, in `sim` (stopped at m->at) and
 * runs it until every one is answered. */
static bool
run_batch(RsMatrix *m, RsSim *sim, size_t from, size_t to, GError **error)
{
    unsigned nc = m->cols->len;
    g_autofree Cell *cells = g_new(Cell, to - from);
    size_t left = 0;
    rs_sim_set_isolated(sim, true);
    for (size_t i = from; i < to; i++) {
        const Row *row = &g_array_index(m->rows, Row, i / nc);
        const Col *col = &g_array_index(m->cols, Col, i % nc);
        m->cells[i] = '?';
        m->outcomes[i] = RS_OUTCOME_TIMEOUT;
        if (!rs_sim_check_request(sim, &row->from, &col->parsed, NULL))
            continue;
        cells[i - from] = (Cell){.m = m, .i = i, .left = &left};
        left++;
        rs_sim_request(sim, &row->from, &col->parsed, "matrix", false, cell_done, &cells[i - from]);
    }
    rs_sim_set_isolated(sim, false);
    /* Every request ends by the client's timer at the latest (R38). */
    RsEngine *eng = rs_sim_engine(sim);
    while (left > 0 && rs_engine_pending(eng) > 0 && !rs_engine_limit_reached(eng))
        rs_engine_run(eng, rs_engine_next_time(eng));
    if (left == 0)
        return true;
    char b[32];
    if (rs_engine_limit_reached(eng))
        g_set_error(error, RS_TEACH_ERROR, RS_TEACH_ERROR_LIMIT,
                    "the requests of %zu cells sent at %s reached the event limit; raise it with "
                    "--max-events, or choose an earlier --at", to - from, rs_duration_format(m->at, b));
    else
        g_set_error_literal(error, RS_TEACH_ERROR, RS_TEACH_ERROR_SIM,
                            "a request never got an answer (the simulation ran dry)");
    return false;
}

/* Keeps the elements of `arr` for which keep(i) holds, in order; clears the
 * others (one pass: a filter may drop most of 10^4 columns). */
static void
compact(GArray *arr, size_t size, GDestroyNotify clear, const RsMatrixFilter *f, bool rows)
{
    guint w = 0;
    for (guint i = 0; i < arr->len; i++) {
        char *el = arr->data + (size_t)i * size;
        bool keep = rows ? (!f->row || f->row(((Row *)(void *)el)->name, f->data))
                         : (!f->col || f->col(((Col *)(void *)el)->label, f->data));
        if (!keep) {
            clear(el);
            continue;
        }
        if (w != i)
            memcpy(arr->data + (size_t)w * size, el, size);
        w++;
    }
    g_array_set_clear_func(arr, NULL);
    g_array_set_size(arr, w);
    g_array_set_clear_func(arr, clear);
}

/* The label of a column; see teach.h. */
const char *
rs_matrix_col_label(const RsMatrix *m, unsigned col)
{
    return g_array_index(m->cols, Col, col).label;
}

/* The outcome of a cell; see teach.h. */
RsOutcome
rs_matrix_outcome(const RsMatrix *m, unsigned row, unsigned col)
{
    return m->outcomes[(size_t)row * m->cols->len + col];
}

/* Computes the matrix; see teach.h. */
RsMatrix *
rs_matrix_compute(const RsScenario *sc, uint64_t seed, rs_time_t at, GError **error)
{
    return rs_matrix_compute_port(sc, seed, at, 0, error);
}

static RsMatrix *matrix_compute(const RsScenario *sc, uint64_t seed, rs_time_t at, uint16_t port,
                                const RsMatrixFilter *filter, GError **error);

/* The same, only for `port` (0: every port); see teach.h. */
RsMatrix *
rs_matrix_compute_port(const RsScenario *sc, uint64_t seed, rs_time_t at, uint16_t port, GError **error)
{
    return matrix_compute(sc, seed, at, port, NULL, error);
}

/* Computes the rows and columns a filter keeps (diff.c); see teach.h. */
RsMatrix *
rs_matrix_compute_filtered(const RsScenario *sc, uint64_t seed, rs_time_t at, const RsMatrixFilter *filter,
                           GError **error)
{
    return matrix_compute(sc, seed, at, 0, filter, error);
}

/* The matrix at `at`: only `port` (0: every port), only what `filter` keeps (NULL: all). */
static RsMatrix *
matrix_compute(const RsScenario *sc, uint64_t seed, rs_time_t at, uint16_t port, const RsMatrixFilter *filter,
               GError **error)
{
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, seed, at, error);
    if (sim == NULL)
        return NULL;
    RsWorld *w = rs_sim_world(sim);
    g_autoptr(RsMatrix) m = g_new0(RsMatrix, 1);
    m->scenario = g_strdup(sc->name);
    m->seed = seed;
    m->at = at;
    m->port = port;
    m->rows = g_array_new(FALSE, TRUE, sizeof(Row));
    g_array_set_clear_func(m->rows, row_clear);
    m->cols = g_array_new(FALSE, TRUE, sizeof(Col));
    g_array_set_clear_func(m->cols, col_clear);
    source_rows(m, sc, w);
    service_cols(m, w);
    pod_cols(m, w);
    outside_cols(m, sc, w);
    if (filter) {
        compact(m->rows, sizeof(Row), row_clear, filter, true);
        compact(m->cols, sizeof(Col), col_clear, filter, false);
    }

    size_t n = (size_t)m->rows->len * m->cols->len;
    /* The cost: one simulation up to `at` per batch, and at least one event
     * per cell: checked against --max-events before the first request. */
    uint64_t budget = sc->limits.max_events, per = rs_engine_executed(rs_sim_engine(sim));
    uint64_t batches = n == 0 ? 0 : (n - 1) / MATRIX_BATCH + 1;
    if (budget > 0 && ((per > 0 && batches > budget / per) || batches * per + n > budget)) {
        char b[32];
        g_set_error(error, RS_TEACH_ERROR, RS_TEACH_ERROR_LIMIT,
                    "%zu cells at %s need more than the event limit (%" G_GUINT64_FORMAT
                    " engine events in all: %" G_GUINT64_FORMAT " to reach %s, %s, and at least one "
                    "per cell); raise it with --max-events, or choose an earlier --at", n,
                    rs_duration_format(at, b), budget, per, b,
                    batches > 1 ? "once per batch of cells" : "once");
        return NULL;
    }
    m->cells = g_malloc0(n + 1);
    m->outcomes = g_new0(RsOutcome, n ? n : 1);
    uint64_t used = 0;
    for (size_t from = 0; from < n; from += MATRIX_BATCH) {
        if (from > 0) {
            /* The next batch: the same world at `at`, built again (deterministic). */
            used += rs_engine_executed(rs_sim_engine(sim));
            g_clear_pointer(&sim, rs_sim_free);
            uint64_t left = budget > 0 ? (used < budget ? budget - used : 1) : 0;
            sim = rs_teach_sim_at_limit(sc, seed, at, left, error);
            if (sim == NULL)
                return NULL;
        }
        if (!run_batch(m, sim, from, MIN(n, from + MATRIX_BATCH), error))
            return NULL;
    }
    return g_steal_pointer(&m);
}

/* Frees a matrix. */
void
rs_matrix_free(RsMatrix *m)
{
    if (m == NULL)
        return;
    g_free(m->scenario);
    if (m->rows != NULL)
        g_array_unref(m->rows);
    if (m->cols != NULL)
        g_array_unref(m->cols);
    g_free(m->cells);
    g_free(m->outcomes);
    g_free(m);
}

/* Rows in the matrix. */
unsigned
rs_matrix_rows(const RsMatrix *m)
{
    return m->rows->len;
}

/* Columns in the matrix. */
unsigned
rs_matrix_cols(const RsMatrix *m)
{
    return m->cols->len;
}

/* A cell's letter. */
char
rs_matrix_cell(const RsMatrix *m, unsigned row, unsigned col)
{
    return m->cells[(size_t)row * m->cols->len + col];
}

/* A row's requester name. */
const char *
rs_matrix_row_name(const RsMatrix *m, unsigned row)
{
    return g_array_index(m->rows, Row, row).name;
}

/* A column's URL. */
const char *
rs_matrix_col_url(const RsMatrix *m, unsigned col)
{
    return g_array_index(m->cols, Col, col).url;
}

/* A row's label: name, and its state when it is not ready. */
static char *
row_label(const Row *r)
{
    return r->note ? g_strdup_printf("%s (%s)", r->name, r->note) : g_strdup(r->name);
}

/* The word for a cell: the outcome word, or "not-simulated". */
static const char *
cell_word(const RsMatrix *m, size_t i)
{
    return m->cells[i] == '?' ? "not-sent" : rs_outcome_word(m->outcomes[i]);
}

/* The legend lines for the letters that occur. */
static void
legend(GString *out, const RsMatrix *m, bool color)
{
    g_string_append(out, "\nlegend:\n");
    for (int o = 0; o < RS_OUTCOME_COUNT; o++) {
        char l = rs_outcome_letter((RsOutcome)o);
        if (strchr(m->cells, l) == NULL)
            continue;
        g_string_append(out, "  ");
        rs_style(out, color, rs_outcome_style((RsOutcome)o));
        g_string_append_c(out, l);
        rs_style(out, color, RS_STYLE_RESET);
        g_string_append_printf(out, "  %-16s %s\n", rs_outcome_word((RsOutcome)o),
                               rs_outcome_meaning((RsOutcome)o));
    }
    if (strchr(m->cells, '?') != NULL)
        g_string_append(out, "  ?  not sent         the request could not be sent (see rahtisim explain)\n");
    /* A pod's W on a route: the whitelist judged the egress address (R34, R25). */
    bool pod_w = false;
    for (unsigned r = 0; r < m->rows->len && !pod_w; r++) {
        const Row *row = &g_array_index(m->rows, Row, r);
        for (unsigned c = 0; c < m->cols->len && !pod_w && row->from.kind != RS_FROM_HOST; c++)
            pod_w = m->cells[(size_t)r * m->cols->len + c] == rs_outcome_letter(RS_OUTCOME_REJECTED) &&
                    strcmp(g_array_index(m->cols, Col, c).kind, "route") == 0;
    }
    if (pod_w)
        g_string_append(out, "     W from a pod: its request leaves through its namespace's egress IP and comes\n"
                             "     back in through the router (hairpin, R34; lesson 18): the route's whitelist\n"
                             "     sees the egress address, not the pod's (R25)\n");
}

/* The text table. */
static void
print_text(GString *out, const RsMatrix *m, bool color)
{
    char buf[32];
    unsigned nc = m->cols->len;
    g_string_append_printf(out, "reachability in %s at %s (seed %" G_GUINT64_FORMAT "): "
                           "one request per cell, from the row to the column\n",
                           m->scenario, rs_duration_format(m->at, buf), m->seed);
    if (m->rows->len == 0 || nc == 0) {
        g_string_append_printf(out, "\n(no %s at this time)\n", m->rows->len == 0 ? "requesters" : "destinations");
        return;
    }
    g_string_append(out, "\ndestinations:\n");
    size_t lw = 0;
    for (unsigned c = 0; c < nc; c++)
        lw = MAX(lw, strlen(g_array_index(m->cols, Col, c).label));
    for (unsigned c = 0; c < nc; c++) {
        const Col *col = &g_array_index(m->cols, Col, c);
        g_string_append_printf(out, "  %3u  %-*s  %s\n", c + 1, (int)lw, col->label, col->url);
    }
    size_t rw = 6;              /* "source" */
    for (unsigned r = 0; r < m->rows->len; r++) {
        g_autofree char *l = row_label(&g_array_index(m->rows, Row, r));
        rw = MAX(rw, strlen(l));
    }
    g_string_append_printf(out, "\n%-*s", (int)rw, "source");
    for (unsigned c = 0; c < nc; c++)
        g_string_append_printf(out, "%3u", c + 1);
    g_string_append_c(out, '\n');
    for (unsigned r = 0; r < m->rows->len; r++) {
        g_autofree char *l = row_label(&g_array_index(m->rows, Row, r));
        g_string_append_printf(out, "%-*s", (int)rw, l);
        for (unsigned c = 0; c < nc; c++) {
            size_t i = (size_t)r * nc + c;
            g_string_append(out, "  ");
            if (m->cells[i] != '?')
                rs_style(out, color, rs_outcome_style(m->outcomes[i]));
            g_string_append_c(out, m->cells[i]);
            if (m->cells[i] != '?')
                rs_style(out, color, RS_STYLE_RESET);
        }
        g_string_append_c(out, '\n');
    }
    legend(out, m, color);
}

/* CSV: a header of destination labels, then a row of outcome words per source. */
static void
print_csv(GString *out, const RsMatrix *m)
{
    g_string_append(out, "source");
    for (unsigned c = 0; c < m->cols->len; c++)
        g_string_append_printf(out, ",%s", g_array_index(m->cols, Col, c).label);
    g_string_append_c(out, '\n');
    for (unsigned r = 0; r < m->rows->len; r++) {
        g_string_append(out, g_array_index(m->rows, Row, r).name);
        for (unsigned c = 0; c < m->cols->len; c++)
            g_string_append_printf(out, ",%s", cell_word(m, (size_t)r * m->cols->len + c));
        g_string_append_c(out, '\n');
    }
}

/* JSON: sources, destinations, cells (outcome words) and the letters. */
static void
print_json(GString *out, const RsMatrix *m)
{
    char buf[32];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "scenario", m->scenario);
    cJSON_AddNumberToObject(o, "seed", (double)m->seed);
    cJSON_AddStringToObject(o, "at", rs_duration_format(m->at, buf));
    cJSON_AddNumberToObject(o, "at_ns", (double)m->at);
    cJSON *src = cJSON_AddArrayToObject(o, "sources");
    for (unsigned r = 0; r < m->rows->len; r++) {
        const Row *row = &g_array_index(m->rows, Row, r);
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "name", row->name);
        cJSON_AddStringToObject(s, "kind", row->from.kind == RS_FROM_HOST ? "host" : "pod");
        if (row->note != NULL && row->from.kind != RS_FROM_HOST)
            cJSON_AddStringToObject(s, "state", row->note);
        cJSON_AddItemToArray(src, s);
    }
    cJSON *dst = cJSON_AddArrayToObject(o, "destinations");
    for (unsigned c = 0; c < m->cols->len; c++) {
        const Col *col = &g_array_index(m->cols, Col, c);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "label", col->label);
        cJSON_AddStringToObject(d, "kind", col->kind);
        cJSON_AddStringToObject(d, "url", col->url);
        cJSON_AddItemToArray(dst, d);
    }
    cJSON *cells = cJSON_AddArrayToObject(o, "cells");
    cJSON *letters = cJSON_AddArrayToObject(o, "letters");
    for (unsigned r = 0; r < m->rows->len; r++) {
        cJSON *row = cJSON_CreateArray();
        for (unsigned c = 0; c < m->cols->len; c++)
            cJSON_AddItemToArray(row, cJSON_CreateString(cell_word(m, (size_t)r * m->cols->len + c)));
        cJSON_AddItemToArray(cells, row);
        g_autofree char *l = g_strndup(m->cells + (size_t)r * m->cols->len, m->cols->len);
        cJSON_AddItemToArray(letters, cJSON_CreateString(l));
    }
    char *text = cJSON_Print(o);
    g_string_append(out, text);
    g_string_append_c(out, '\n');
    cJSON_free(text);
    cJSON_Delete(o);
}

/* Prints the matrix; see teach.h. */
void
rs_matrix_print(GString *out, const RsMatrix *m, RsMatrixFormat fmt, bool color)
{
    switch (fmt) {
    case RS_MATRIX_TEXT: print_text(out, m, color); break;
    case RS_MATRIX_CSV: print_csv(out, m); break;
    case RS_MATRIX_JSON: print_json(out, m); break;
    }
}
