/* diff.c: what a change opens or breaks (`rahtisim diff OLD NEW`).
 *
 * Two worlds, OLD and NEW, are each simulated to the same instant T and
 * compared two ways:
 *   - reachability: the matrix (matrix.c: every requester pod or host
 *     against every service port, pod port, route and host port, each cell
 *     a real request) of both sides, cell by cell, matched by requester
 *     name and destination URL.  A cell whose outcome differs, or that
 *     exists on one side only, is a change; for the first RS_DIFF_MAX_WHY
 *     changed cells each side's request is sent once more with its hops
 *     recorded, and the rule that decided it (the last hop with a rule) and
 *     its sentence are reported;
 *   - exposure: what the cluster shows the outside, from the world at T:
 *     routes added and removed, their host, TLS termination and insecure
 *     policy (R23, R24), their IP whitelist widened, narrowed, changed,
 *     dropped, or opened by a malformed entry (the router then discards the
 *     whole list, R25), and namespaces' egress addresses (R32, R33).
 *
 * ONLY WHAT CAN HAVE CHANGED
 * --------------------------
 * A full matrix is O(pods x destinations): 10^7 cells for 1 000 namespaces.
 * A cell can only change when its requester's or its destination's
 * namespace changed, so the caller passes each namespace's signature (its
 * JSON, src/import/input.c) and the rest of the scenario's; the diff then
 * computes, per side, two rectangles of the matrix: the rows of changed
 * namespaces against every column, and every row against the columns of
 * changed namespaces.  What couples namespaces widens "changed": a route
 * host claimed in a changed namespace (R22: the oldest route owns a host)
 * marks every namespace with a route of that host; network policies
 * (selectors reach across namespaces) mark every namespace that has any;
 * a change outside the namespaces (platform, hosts, DNS, events) or to a
 * namespace's labels marks all.  `--full` computes everything (the tests
 * check that both agree).
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "rahtisim/import.h"
#include "rahtisim/lb.h"
#include "rahtisim/router.h"
#include "rahtisim/teach.h"

/* Changed cells whose deciding rule is looked up (one simulation each). */
#define RS_DIFF_MAX_WHY 50

typedef struct {
    char *row, *col_label, *url;
    int old_outcome, new_outcome;       /* -1: the cell does not exist on that side */
    char *old_why, *new_why;            /* "Rnn: sentence", or NULL */
} DiffCell;

typedef struct {
    char *object;               /* "ns/route" or a namespace */
    char *what;                 /* "route added", "whitelist widened" ... */
    char *old_value, *new_value;
    RsRule rule;
} DiffExposure;

struct RsDiff {
    char *old_name, *new_name;
    rs_time_t at;
    GArray *cells;              /* DiffCell, sorted by row then URL */
    GArray *exposures;          /* DiffExposure, sorted by object */
    unsigned long compared;     /* cells compared */
    unsigned changed_ns;        /* namespaces compared cell by cell */
};

/* Frees a cell's strings. */
static void
cell_clear(gpointer p)
{
    DiffCell *c = p;
    g_free(c->row);
    g_free(c->col_label);
    g_free(c->url);
    g_free(c->old_why);
    g_free(c->new_why);
}

/* Frees an exposure's strings. */
static void
exposure_clear(gpointer p)
{
    DiffExposure *e = p;
    g_free(e->object);
    g_free(e->what);
    g_free(e->old_value);
    g_free(e->new_value);
}

/* Parses a diff --format. */
bool
rs_diff_format_parse(const char *text, RsDiffFormat *out)
{
    static const char *const words[] = {"text", "md", "json", "junit"};
    for (int i = 0; i < 4; i++)
        if (strcmp(text, words[i]) == 0) {
            *out = (RsDiffFormat)i;
            return true;
        }
    return false;
}

/* Frees a diff. */
void
rs_diff_free(RsDiff *d)
{
    if (!d)
        return;
    g_free(d->old_name);
    g_free(d->new_name);
    if (d->cells)
        g_array_unref(d->cells);
    if (d->exposures)
        g_array_unref(d->exposures);
    g_free(d);
}

/* Whether anything changed. */
bool
rs_diff_changed(const RsDiff *d)
{
    return d->cells->len > 0 || d->exposures->len > 0;
}

/* ---- which namespaces changed ---- */

/* The namespace of a matrix row ("ns/pod"; hosts have none: NULL). */
static char *
row_ns(const char *row)
{
    const char *slash = strchr(row, '/');
    return slash ? g_strndup(row, (gsize)(slash - row)) : NULL;
}

/* The namespace of a matrix column label ("svc ns/name:80", "pod ns/p:8080",
 * "route ns/r", "host h:80": NULL). */
static char *
col_ns(const char *label)
{
    if (g_str_has_prefix(label, "host "))
        return NULL;
    const char *sp = strchr(label, ' ');
    const char *slash = sp ? strchr(sp, '/') : NULL;
    return slash ? g_strndup(sp + 1, (gsize)(slash - sp - 1)) : NULL;
}

/* The host a route answers for (R22: the default is <name>-<ns>.<app domain>). */
static char *
route_host(const RsScenario *sc, const RsNamespaceSpec *ns, const RsRouteSpec *r)
{
    return r->host ? g_ascii_strdown(r->host, -1)
                   : g_strdup_printf("%s-%s.%s", r->name, ns->name, sc->profile.app_domain);
}

/* Adds to `hosts` the route hosts of the namespaces in `changed`. */
static void
changed_hosts(const RsScenario *sc, GHashTable *changed, GHashTable *hosts)
{
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *ns = &sc->namespaces[i];
        if (!g_hash_table_contains(changed, ns->name))
            continue;
        for (unsigned k = 0; k < ns->n_routes; k++)
            g_hash_table_add(hosts, route_host(sc, ns, &ns->routes[k]));
    }
}

/* Marks the namespaces with a route to one of `hosts` (R22 couples them). */
static void
mark_host_sharers(const RsScenario *sc, GHashTable *hosts, GHashTable *changed)
{
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *ns = &sc->namespaces[i];
        for (unsigned k = 0; k < ns->n_routes; k++) {
            g_autofree char *h = route_host(sc, ns, &ns->routes[k]);
            if (g_hash_table_contains(hosts, h))
                g_hash_table_add(changed, g_strdup(ns->name));
        }
    }
}

/* The set of namespaces whose cells must be compared; NULL: all of them. */
static GHashTable *
changed_namespaces(const RsScenario *a, const RsInputSigs *sa, const RsScenario *b, const RsInputSigs *sb)
{
    if (!sa || !sb || g_strcmp0(sa->global, sb->global) != 0)
        return NULL;
    GHashTable *changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const RsInputSigs *sides[2] = {sa, sb};
    for (int s = 0; s < 2; s++) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, sides[s]->namespaces);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            const char *other = g_hash_table_lookup(sides[1 - s]->namespaces, k);
            if (g_strcmp0(other, v) != 0)
                g_hash_table_add(changed, g_strdup(k));
        }
    }
    if (g_hash_table_size(changed) == 0)
        return changed;
    /* a namespace's labels are read by other namespaces' policies: everything */
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, changed);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const char *la = g_hash_table_lookup(sa->labels, k), *lb = g_hash_table_lookup(sb->labels, k);
        if (la && lb && strcmp(la, lb) != 0) {
            g_hash_table_unref(changed);
            return NULL;
        }
    }
    /* policies select pods across namespaces: every namespace with one */
    const GHashTable *pol[2] = {sa->with_policies, sb->with_policies};
    for (int s = 0; s < 2; s++) {
        g_hash_table_iter_init(&it, (GHashTable *)pol[s]);
        while (g_hash_table_iter_next(&it, &k, &v))
            g_hash_table_add(changed, g_strdup(k));
    }
    /* R22: hosts claimed in a changed namespace, on either side */
    g_autoptr(GHashTable) hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    changed_hosts(a, changed, hosts);
    changed_hosts(b, changed, hosts);
    mark_host_sharers(a, hosts, changed);
    mark_host_sharers(b, hosts, changed);
    return changed;
}

/* ---- cells ---- */

typedef struct {
    GHashTable *changed;        /* NULL: all */
    bool rows;                  /* this rectangle filters rows (else columns) */
} Rect;

/* Keeps a row of the rectangle. */
static bool
keep_row(const char *name, void *data)
{
    const Rect *r = data;
    if (!r->changed || !r->rows)
        return true;
    g_autofree char *ns = row_ns(name);
    return ns && g_hash_table_contains(r->changed, ns);
}

/* Keeps a column of the rectangle. */
static bool
keep_col(const char *label, void *data)
{
    const Rect *r = data;
    if (!r->changed || r->rows)
        return true;
    g_autofree char *ns = col_ns(label);
    return ns && g_hash_table_contains(r->changed, ns);
}

typedef struct {
    char *label;
    RsOutcome outcome;
} Seen;

/* Frees a seen cell. */
static void
seen_free(gpointer p)
{
    Seen *s = p;
    g_free(s->label);
    g_free(s);
}

/* Computes one side's cells into `cells` ("row\tURL" -> Seen). */
static bool
side_cells(const RsScenario *sc, rs_time_t at, GHashTable *changed, GHashTable *cells,
           unsigned long *work, GError **error)
{
    int n_rects = changed ? 2 : 1;
    for (int k = 0; k < n_rects; k++) {
        Rect rect = {.changed = changed, .rows = k == 0};
        if (changed && g_hash_table_size(changed) == 0)
            return true;
        RsMatrixFilter f = {.row = keep_row, .col = keep_col, .data = &rect};
        g_autoptr(RsMatrix) m = rs_matrix_compute_filtered(sc, sc->seed, at, &f, error);
        if (!m)
            return false;
        for (unsigned r = 0; r < rs_matrix_rows(m); r++) {
            for (unsigned c = 0; c < rs_matrix_cols(m); c++) {
                if (rs_matrix_cell(m, r, c) == '?')
                    continue;
                char *key = g_strdup_printf("%s\t%s", rs_matrix_row_name(m, r), rs_matrix_col_url(m, c));
                if (g_hash_table_contains(cells, key)) {
                    g_free(key);
                    continue;
                }
                Seen *s = g_new(Seen, 1);
                s->label = g_strdup(rs_matrix_col_label(m, c));
                s->outcome = rs_matrix_outcome(m, r, c);
                g_hash_table_insert(cells, key, s);
                ++*work;
            }
        }
    }
    return true;
}

/* One changed cell whose deciding rule is looked up on one side. */
typedef struct {
    char **why;                 /* where the sentence goes */
    unsigned *left;
} WhySlot;

/* A looked-up request's answer: the last hop with a rule, as a sentence. */
static void
why_done(RsSim *sim, const RsResult *res, void *data)
{
    WhySlot *w = data;
    (void)sim;
    for (unsigned i = res->n_hops; i-- > 0;) {
        if (res->hops[i].rule == RS_RULE_NONE)
            continue;
        g_autoptr(GString) s = g_string_new(NULL);
        rs_hop_describe(&res->hops[i], s);
        *w->why = g_strdup(s->str);
        break;
    }
    (*w->left)--;
}

/* The rule that decided each of the first RS_DIFF_MAX_WHY changed cells on
 * one side: one simulation to `at`, every request sent there at once with
 * its hops recorded, each isolated (as the matrix sends its cells). */
static void
why_side(const RsScenario *sc, rs_time_t at, GArray *cells, bool new_side)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, sc->seed, at, &err);
    if (!sim)
        return;
    unsigned n = MIN(cells->len, RS_DIFF_MAX_WHY), left = 0;
    WhySlot slots[RS_DIFF_MAX_WHY];
    RsFrom froms[RS_DIFF_MAX_WHY];
    RsUrl urls[RS_DIFF_MAX_WHY];
    memset(froms, 0, sizeof froms);
    memset(urls, 0, sizeof urls);
    rs_sim_set_isolated(sim, true);
    for (unsigned i = 0; i < n; i++) {
        DiffCell *c = &g_array_index(cells, DiffCell, i);
        if ((new_side ? c->new_outcome : c->old_outcome) < 0)
            continue;
        g_autoptr(GError) e2 = NULL;
        if (!rs_teach_from_parse(sc, sim, c->row, &froms[i], &e2) || !rs_url_parse(c->url, &urls[i], &e2))
            continue;
        if (!rs_sim_check_request(sim, &froms[i], &urls[i], NULL))
            continue;
        slots[i] = (WhySlot){.why = new_side ? &c->new_why : &c->old_why, .left = &left};
        left++;
        rs_sim_request(sim, &froms[i], &urls[i], "diff", true, why_done, &slots[i]);
    }
    rs_sim_set_isolated(sim, false);
    RsEngine *eng = rs_sim_engine(sim);
    while (left > 0 && rs_engine_pending(eng) > 0 && !rs_engine_limit_reached(eng))
        rs_engine_run(eng, rs_engine_next_time(eng));
    for (unsigned i = 0; i < n; i++) {
        rs_teach_from_clear(&froms[i]);
        rs_url_clear(&urls[i]);
    }
}

/* Orders cells by row, then URL. */
static gint
cell_cmp(gconstpointer a, gconstpointer b)
{
    const DiffCell *x = a, *y = b;
    int c = strcmp(x->row, y->row);
    return c ? c : strcmp(x->url, y->url);
}

/* Whether `text` (a row, or a column label) concerns `focus` ("ns" or "ns/name"). */
static bool
in_focus(const char *focus, const char *row, const char *label)
{
    if (!focus)
        return true;
    size_t n = strlen(focus);
    const char *obj = label ? strchr(label, ' ') : NULL;
    const char *cands[2] = {row, obj ? obj + 1 : NULL};
    for (int i = 0; i < 2; i++) {
        const char *t = cands[i];
        if (t && strncmp(t, focus, n) == 0 && (t[n] == '\0' || t[n] == '/' || t[n] == ':' || t[n] == ' ' ||
                                               (strchr(focus, '/') && t[n] == '-')))
            return true;
    }
    return false;
}

/* ---- exposure ---- */

typedef struct {
    const char *host, *path;
    RsTlsMode tls;
    RsInsecure insecure;
    const char *wl_value;       /* the annotation, or NULL */
} RouteView;

/* The whitelist annotation a route carries now (the profile's keys, R25). */
static const char *
route_whitelist(const RsWorld *w, const RsRoute *r)
{
    for (unsigned k = 0; k < w->n_whitelist_keys; k++)
        for (unsigned i = 0; i < r->n_ann; i++)
            if (strcmp(r->ann[i].key, w->whitelist_keys[k]) == 0)
                return r->ann[i].value;
    return NULL;
}

/* Adds an exposure change. */
static void
expose(RsDiff *d, const char *object, const char *what, const char *old_value, const char *new_value,
       RsRule rule)
{
    DiffExposure e = {.object = g_strdup(object), .what = g_strdup(what), .old_value = g_strdup(old_value),
                      .new_value = g_strdup(new_value), .rule = rule};
    g_array_append_val(d->exposures, e);
}

/* Whether every entry of `a` lies inside some entry of `b`. */
static bool
wl_covered(const RsWhitelist *a, const RsWhitelist *b)
{
    for (unsigned i = 0; i < a->n; i++) {
        bool in = false;
        for (unsigned k = 0; k < b->n && !in; k++)
            in = (b->entries[k].mask & a->entries[i].mask) == b->entries[k].mask &&
                 (a->entries[i].net & b->entries[k].mask) == b->entries[k].net;
        if (!in)
            return false;
    }
    return true;
}

/* Compares two whitelist annotations (R25). */
static void
whitelist_change(RsDiff *d, const char *object, const char *a, const char *b, RsWlSyntax syntax)
{
    if (g_strcmp0(a, b) == 0)
        return;
    RsWhitelist wa = {0}, wb = {0};
    rs_whitelist_parse(a, syntax, &wa);
    rs_whitelist_parse(b, syntax, &wb);
    bool open_a = !wa.present || wa.discarded, open_b = !wb.present || wb.discarded;
    const char *what = NULL;
    if (wb.present && wb.discarded && !open_a)
        what = "whitelist opened by a malformed entry (the router discards the whole list)";
    else if (open_a && open_b)
        what = NULL;            /* open before and after */
    else if (open_b)
        what = "whitelist removed (open to all)";
    else if (open_a)
        what = "whitelist added";
    else if (wl_covered(&wa, &wb) && !wl_covered(&wb, &wa))
        what = "whitelist widened";
    else if (wl_covered(&wb, &wa) && !wl_covered(&wa, &wb))
        what = "whitelist narrowed";
    else if (!(wl_covered(&wa, &wb) && wl_covered(&wb, &wa)))
        what = "whitelist changed";
    if (what)
        expose(d, object, what, a ? a : "(none)", b ? b : "(none)", RS_R25);
    rs_whitelist_clear(&wa);
    rs_whitelist_clear(&wb);
}

/* A load-balancer service's face outside: its address (or pending) and ports (R48, R49). */
static char *
lb_desc(const RsWorld *w, const RsService *s)
{
    uint32_t ip;
    char b[16];
    GString *g = g_string_new(NULL);
    g_string_append(g, rs_lb_address(w, s, &ip) ? rs_ipv4_format(ip, b) : "pending");
    for (unsigned p = 0; p < s->def->n_ports; p++)
        g_string_append_printf(g, "%c%u", p ? ',' : ':', s->def->ports[p].port);
    if (s->def->etp == RS_ETP_LOCAL)
        g_string_append(g, " (externalTrafficPolicy local)");
    return g_string_free(g, FALSE);
}

/* Load balancers added, removed or changed (R48-R50). */
static void
lb_exposure(RsDiff *d, const RsWorld *wa, const RsWorld *wb)
{
    g_autoptr(GHashTable) old = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    for (unsigned i = 0; i < wa->services->len; i++) {
        const RsService *s = wa->services->pdata[i];
        if (!s->removed && s->def->type == RS_SVC_LOAD_BALANCER)
            g_hash_table_insert(old, (gpointer)s->full, lb_desc(wa, s));
    }
    for (unsigned i = 0; i < wb->services->len; i++) {
        const RsService *s = wb->services->pdata[i];
        if (s->removed || s->def->type != RS_SVC_LOAD_BALANCER)
            continue;
        g_autofree char *now = lb_desc(wb, s);
        const char *before = g_hash_table_lookup(old, s->full);
        if (!before)
            expose(d, s->full, "load balancer added", NULL, now, RS_R48);
        else if (strcmp(before, now) != 0)
            expose(d, s->full, "load balancer changed", before, now, RS_R48);
        g_hash_table_remove(old, s->full);
    }
    for (unsigned i = 0; i < wa->services->len; i++) {
        const RsService *s = wa->services->pdata[i];
        const char *before = g_hash_table_lookup(old, s->full);
        if (before && !s->removed && s->def->type == RS_SVC_LOAD_BALANCER)
            expose(d, s->full, "load balancer removed", before, NULL, RS_R48);
    }
}

static const char *const tls_words[] = {"none", "edge", "passthrough", "reencrypt"};
static const char *const insecure_words[] = {"none", "allow", "redirect"};

/* Routes and egress addresses of the two worlds at T. */
static bool
exposure(RsDiff *d, const RsScenario *a, const RsScenario *b, rs_time_t at, GError **error)
{
    g_autoptr(RsSim) sa = rs_teach_sim_at(a, a->seed, at, error);
    if (!sa)
        return false;
    g_autoptr(RsSim) sb = rs_teach_sim_at(b, b->seed, at, error);
    if (!sb)
        return false;
    RsWorld *wa = rs_sim_world(sa), *wb = rs_sim_world(sb);
    g_autoptr(GHashTable) old_routes = g_hash_table_new(g_str_hash, g_str_equal);
    for (unsigned i = 0; wa->routes && i < wa->routes->len; i++) {
        RsRoute *r = wa->routes->pdata[i];
        if (!r->removed)
            g_hash_table_insert(old_routes, (gpointer)r->full, r);
    }
    char b1[16], b2[16];
    for (unsigned i = 0; wb->routes && i < wb->routes->len; i++) {
        RsRoute *r = wb->routes->pdata[i];
        if (r->removed)
            continue;
        RsRoute *o = g_hash_table_lookup(old_routes, r->full);
        g_autofree char *desc = g_strdup_printf("%s://%s%s", r->def->tls == RS_TLS_NONE ? "http" : "https",
                                                r->host, r->def->path ? r->def->path : "/");
        if (!o) {
            expose(d, r->full, "route added", NULL, desc, RS_R22);
            whitelist_change(d, r->full, NULL, route_whitelist(wb, r), wb->wl_syntax);
            continue;
        }
        g_hash_table_remove(old_routes, r->full);
        if (strcmp(o->host, r->host) != 0 || g_strcmp0(o->def->path, r->def->path) != 0) {
            g_autofree char *od = g_strdup_printf("%s%s", o->host, o->def->path ? o->def->path : "/");
            g_autofree char *nd = g_strdup_printf("%s%s", r->host, r->def->path ? r->def->path : "/");
            expose(d, r->full, "host or path changed", od, nd, RS_R22);
        }
        if (o->def->tls != r->def->tls)
            expose(d, r->full, "TLS termination changed", tls_words[o->def->tls], tls_words[r->def->tls],
                   RS_R23);
        if (o->def->insecure != r->def->insecure)
            expose(d, r->full, "insecure policy changed", insecure_words[o->def->insecure],
                   insecure_words[r->def->insecure], RS_R24);
        if (o->admitted != r->admitted)
            expose(d, r->full, r->admitted ? "route admitted" : "route no longer admitted (host claimed)",
                   o->admitted ? "admitted" : "not admitted", r->admitted ? "admitted" : "not admitted",
                   RS_R22);
        whitelist_change(d, r->full, route_whitelist(wa, o), route_whitelist(wb, r), wb->wl_syntax);
    }
    /* routes left in OLD only, in OLD's order */
    for (unsigned i = 0; wa->routes && i < wa->routes->len; i++) {
        RsRoute *r = wa->routes->pdata[i];
        if (!r->removed && g_hash_table_contains(old_routes, r->full)) {
            g_autofree char *desc = g_strdup_printf("%s://%s%s", r->def->tls == RS_TLS_NONE ? "http" : "https",
                                                    r->host, r->def->path ? r->def->path : "/");
            expose(d, r->full, "route removed", desc, NULL, RS_R22);
        }
    }
    lb_exposure(d, wa, wb);
    /* egress addresses (R32, R33) of namespaces on both sides */
    for (unsigned i = 0; i < wb->namespaces->len; i++) {
        const RsNamespace *n = wb->namespaces->pdata[i];
        const RsNamespace *o = rs_world_namespace(wa, n->name);
        if (o && o->egress_ip != n->egress_ip)
            expose(d, n->name, "egress address changed", rs_ipv4_format(o->egress_ip, b1),
                   rs_ipv4_format(n->egress_ip, b2), n->dedicated_egress || o->dedicated_egress ? RS_R33
                                                                                                : RS_R32);
    }
    return true;
}

/* Orders exposures by object (stable: the order found within one). */
static gint
exposure_cmp(gconstpointer a, gconstpointer b)
{
    const DiffExposure *x = a, *y = b;
    return strcmp(x->object, y->object);
}

/* ---- the diff ---- */

/* Computes the diff (see teach.h). */
RsDiff *
rs_diff_compute(const RsScenario *a, const struct RsInputSigs *sa, const RsScenario *b,
                const struct RsInputSigs *sb, const RsDiffOptions *opts, GError **error)
{
    g_autoptr(RsDiff) d = g_new0(RsDiff, 1);
    d->old_name = g_strdup(a->file ? a->file : a->name);
    d->new_name = g_strdup(b->file ? b->file : b->name);
    rs_time_t ta = rs_teach_settled_time(a), tb = rs_teach_settled_time(b);
    d->at = opts->has_at ? opts->at : MAX(ta, tb);
    d->cells = g_array_new(FALSE, TRUE, sizeof(DiffCell));
    g_array_set_clear_func(d->cells, cell_clear);
    d->exposures = g_array_new(FALSE, TRUE, sizeof(DiffExposure));
    g_array_set_clear_func(d->exposures, exposure_clear);

    g_autoptr(GHashTable) changed = opts->full ? NULL : changed_namespaces(a, sa, b, sb);
    d->changed_ns = changed ? g_hash_table_size(changed) : MAX(a->n_namespaces, b->n_namespaces);
    g_autoptr(GHashTable) ca = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, seen_free);
    g_autoptr(GHashTable) cb = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, seen_free);
    unsigned long work = 0;
    if (!side_cells(a, d->at, changed, ca, &work, error) || !side_cells(b, d->at, changed, cb, &work, error))
        return NULL;
    d->compared = g_hash_table_size(cb);
    GHashTable *sides[2] = {ca, cb};
    for (int s = 0; s < 2; s++) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, sides[s]);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            Seen *mine = v, *other = g_hash_table_lookup(sides[1 - s], k);
            if (s == 1 && other)
                continue;       /* both sides: handled from OLD */
            if (other && other->outcome == mine->outcome)
                continue;
            const char *tab = strchr(k, '\t');
            DiffCell c = {.row = g_strndup(k, (gsize)(tab - (const char *)k)), .url = g_strdup(tab + 1),
                          .col_label = g_strdup(mine->label)};
            if (!in_focus(opts->focus, c.row, c.col_label)) {
                cell_clear(&c);
                continue;
            }
            Seen *old = s == 0 ? mine : other, *new = s == 0 ? other : mine;
            c.old_outcome = old ? (int)old->outcome : -1;
            c.new_outcome = new ? (int)new->outcome : -1;
            g_array_append_val(d->cells, c);
        }
    }
    g_array_sort(d->cells, cell_cmp);
    if (d->cells->len > 0) {
        why_side(a, d->at, d->cells, false);
        why_side(b, d->at, d->cells, true);
    }
    if (!exposure(d, a, b, d->at, error))
        return NULL;
    if (opts->focus) {
        for (guint i = d->exposures->len; i-- > 0;) {
            const DiffExposure *e = &g_array_index(d->exposures, DiffExposure, i);
            if (!in_focus(opts->focus, e->object, NULL))
                g_array_remove_index(d->exposures, i);
        }
    }
    g_array_sort(d->exposures, exposure_cmp);
    return g_steal_pointer(&d);
}

/* ---- printing ---- */

/* An outcome word, or "(none)" for a cell missing on one side. */
static const char *
word(int o)
{
    return o < 0 ? "(none)" : rs_outcome_word((RsOutcome)o);
}

/* What kind of change a cell is. */
static const char *
cell_change(const DiffCell *c)
{
    if (c->old_outcome < 0)
        return "added";
    if (c->new_outcome < 0)
        return "removed";
    if (c->new_outcome == RS_OUTCOME_OK)
        return "opened";
    if (c->old_outcome == RS_OUTCOME_OK)
        return "broken";
    return "changed";
}

/* Appends text with XML's five special characters escaped. */
static void
xml(GString *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&apos;"); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                g_string_append_printf(out, "&#%d;", *s);   /* not allowed in XML 1.0: spelled */
            else
                g_string_append_c(out, *s);
        }
    }
}

/* Appends a Markdown table cell (pipes escaped). */
static void
md(GString *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            g_string_append(out, "\\|");
        else if (*s == '\n')
            g_string_append_c(out, ' ');
        else
            g_string_append_c(out, *s);
    }
}

/* Adds a string or null to a JSON object. */
static void
json_str(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

/* Prints the diff (see teach.h). */
void
rs_diff_print(GString *out, const RsDiff *d, RsDiffFormat fmt)
{
    char tb[32];
    rs_duration_format(d->at, tb);
    unsigned nc = d->cells->len, ne = d->exposures->len;
    if (fmt == RS_DIFF_JSON) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rahtisim", PACKAGE_VERSION);
        cJSON_AddStringToObject(o, "old", d->old_name);
        cJSON_AddStringToObject(o, "new", d->new_name);
        cJSON_AddNumberToObject(o, "at_ns", (double)d->at);
        cJSON_AddBoolToObject(o, "changed", rs_diff_changed(d));
        cJSON *cells = cJSON_AddArrayToObject(o, "reachability");
        for (unsigned i = 0; i < nc; i++) {
            const DiffCell *c = &g_array_index(d->cells, DiffCell, i);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "change", cell_change(c));
            cJSON_AddStringToObject(e, "from", c->row);
            cJSON_AddStringToObject(e, "to", c->url);
            cJSON_AddStringToObject(e, "destination", c->col_label);
            json_str(e, "old", c->old_outcome < 0 ? NULL : word(c->old_outcome));
            json_str(e, "new", c->new_outcome < 0 ? NULL : word(c->new_outcome));
            json_str(e, "old_why", c->old_why);
            json_str(e, "new_why", c->new_why);
            cJSON_AddItemToArray(cells, e);
        }
        cJSON *exp = cJSON_AddArrayToObject(o, "exposure");
        for (unsigned i = 0; i < ne; i++) {
            const DiffExposure *x = &g_array_index(d->exposures, DiffExposure, i);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "object", x->object);
            cJSON_AddStringToObject(e, "change", x->what);
            json_str(e, "old", x->old_value);
            json_str(e, "new", x->new_value);
            cJSON_AddStringToObject(e, "rule", rs_rule_id(x->rule));
            cJSON_AddItemToArray(exp, e);
        }
        cJSON *sum = cJSON_AddObjectToObject(o, "summary");
        cJSON_AddNumberToObject(sum, "reachability_changes", nc);
        cJSON_AddNumberToObject(sum, "exposure_changes", ne);
        cJSON_AddNumberToObject(sum, "cells_compared", (double)d->compared);
        char *text = cJSON_Print(o);
        g_string_append(out, text);
        g_string_append_c(out, '\n');
        cJSON_free(text);
        cJSON_Delete(o);
        return;
    }
    if (fmt == RS_DIFF_JUNIT) {
        /* one test case per change, failed; none when nothing changed: one passing case */
        g_string_append(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        g_string_append_printf(out, "<testsuites tests=\"%u\" failures=\"%u\">\n", MAX(nc + ne, 1u), nc + ne);
        g_string_append(out, "  <testsuite name=\"rahtisim diff ");
        xml(out, d->old_name);
        g_string_append(out, " -&gt; ");
        xml(out, d->new_name);
        g_string_append_printf(out, "\" tests=\"%u\" failures=\"%u\">\n", MAX(nc + ne, 1u), nc + ne);
        if (nc + ne == 0)
            g_string_append(out, "    <testcase classname=\"diff\" name=\"no connectivity or exposure change\"/>\n");
        for (unsigned i = 0; i < nc; i++) {
            const DiffCell *c = &g_array_index(d->cells, DiffCell, i);
            g_string_append(out, "    <testcase classname=\"diff.reachability\" name=\"");
            xml(out, c->row);
            g_string_append(out, " -&gt; ");
            xml(out, c->url);
            g_string_append(out, "\">\n      <failure message=\"");
            g_autofree char *msg = g_strdup_printf("%s: %s -> %s", cell_change(c), word(c->old_outcome),
                                                   word(c->new_outcome));
            xml(out, msg);
            g_string_append(out, "\">");
            if (c->old_why) {
                g_string_append(out, "old: ");
                xml(out, c->old_why);
                g_string_append_c(out, '\n');
            }
            if (c->new_why) {
                g_string_append(out, "new: ");
                xml(out, c->new_why);
            }
            g_string_append(out, "</failure>\n    </testcase>\n");
        }
        for (unsigned i = 0; i < ne; i++) {
            const DiffExposure *x = &g_array_index(d->exposures, DiffExposure, i);
            g_string_append(out, "    <testcase classname=\"diff.exposure\" name=\"");
            xml(out, x->object);
            g_string_append(out, ": ");
            xml(out, x->what);
            g_string_append(out, "\">\n      <failure message=\"");
            g_autofree char *msg = g_strdup_printf("%s -> %s (%s)", x->old_value ? x->old_value : "(none)",
                                                   x->new_value ? x->new_value : "(none)", rs_rule_id(x->rule));
            xml(out, msg);
            g_string_append(out, "\"/>\n    </testcase>\n");
        }
        g_string_append(out, "  </testsuite>\n</testsuites>\n");
        return;
    }
    bool m = fmt == RS_DIFF_MD;
    if (m)
        g_string_append_printf(out, "### rahtisim diff at %s\n\n", tb);
    else
        g_string_append_printf(out, "rahtisim diff %s -> %s at %s\n", d->old_name, d->new_name, tb);
    if (nc + ne == 0) {
        g_string_append_printf(out, "%sno change in reachability (%lu cells compared) or exposure\n",
                               m ? "" : "\n", d->compared);
        return;
    }
    if (nc) {
        if (m)
            g_string_append_printf(out, "**Reachability: %u change%s**\n\n| change | from | to | old | new | why (new) |\n"
                                   "|---|---|---|---|---|---|\n", nc, nc == 1 ? "" : "s");
        else
            g_string_append_printf(out, "\nreachability: %u change%s\n", nc, nc == 1 ? "" : "s");
        for (unsigned i = 0; i < nc; i++) {
            const DiffCell *c = &g_array_index(d->cells, DiffCell, i);
            if (m) {
                g_string_append_printf(out, "| %s | ", cell_change(c));
                md(out, c->row);
                g_string_append(out, " | `");
                md(out, c->url);
                g_string_append_printf(out, "` | %s | %s | ", word(c->old_outcome), word(c->new_outcome));
                md(out, c->new_why ? c->new_why : c->old_why ? c->old_why : "");
                g_string_append(out, " |\n");
                continue;
            }
            g_string_append_printf(out, "  %-8s %s -> %s (%s): %s -> %s\n", cell_change(c), c->row, c->url,
                                   c->col_label, word(c->old_outcome), word(c->new_outcome));
            if (c->old_why)
                g_string_append_printf(out, "           old: %s\n", c->old_why);
            if (c->new_why)
                g_string_append_printf(out, "           new: %s\n", c->new_why);
        }
        if (nc > RS_DIFF_MAX_WHY)
            g_string_append_printf(out, "%s(the rules are shown for the first %d changes)\n", m ? "\n" : "  ",
                                   RS_DIFF_MAX_WHY);
    }
    if (ne) {
        if (m)
            g_string_append_printf(out, "\n**Exposure: %u change%s**\n\n| object | change | old | new | rule |\n"
                                   "|---|---|---|---|---|\n", ne, ne == 1 ? "" : "s");
        else
            g_string_append_printf(out, "\nexposure: %u change%s\n", ne, ne == 1 ? "" : "s");
        for (unsigned i = 0; i < ne; i++) {
            const DiffExposure *x = &g_array_index(d->exposures, DiffExposure, i);
            if (m) {
                g_string_append(out, "| ");
                md(out, x->object);
                g_string_append_printf(out, " | %s | ", x->what);
                md(out, x->old_value ? x->old_value : "(none)");
                g_string_append(out, " | ");
                md(out, x->new_value ? x->new_value : "(none)");
                g_string_append_printf(out, " | %s |\n", rs_rule_id(x->rule));
                continue;
            }
            g_string_append_printf(out, "  %s: %s: %s -> %s (%s)\n", x->object, x->what,
                                   x->old_value ? x->old_value : "(none)", x->new_value ? x->new_value : "(none)",
                                   rs_rule_id(x->rule));
        }
    }
    g_string_append_printf(out, "\n%u reachability change%s, %u exposure change%s (%lu cells compared)\n",
                           nc, nc == 1 ? "" : "s", ne, ne == 1 ? "" : "s", d->compared);
}
