/* loader.c: scenario files in, validated RsScenario out (scenario.h).
 *
 * Reads JSONC with positions (jsonc.c), then runs the three passes of
 * loader-internal.h: parse and register (loader-platform.c,
 * loader-objects.c, loader-events.c, loader-expect.c), resolve references
 * (loader-refs.c), lint (loader-lint.c).  At the top level: `name` is
 * required, `seed` is a non-negative integer (a string of digits for seeds
 * beyond 2^53), `duration` is positive and within --max-duration; any
 * IPv6 address anywhere is an error (R1).  Events are sorted by time,
 * stably, so equal times keep file order (R37); warnings are sorted into
 * file order.  Ownership: the RsScenario owns everything; on error the
 * partial scenario is freed by rs_scenario_free, which accepts any state.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/loader-internal.h"

/* ---- freeing ----
 * A loaded scenario's strings and arrays are in its arena (arena.h), the
 * rest of it (and of a scenario built by hand) g_malloc'd: rs_spec_free
 * frees only the latter. */

/* Frees a position's path. */
static void
pos_clear(RsSrcPos *p)
{
    rs_spec_free(p->path);
}

/* Frees an array of labels and their strings. */
static void
labels_free(RsLabel *l, unsigned n)
{
    for (unsigned i = 0; l && i < n; i++) {
        rs_spec_free(l[i].key);
        rs_spec_free(l[i].value);
    }
    rs_spec_free(l);
}

/* Frees what a workload owns (not the struct). */
static void
workload_clear(RsWorkloadSpec *w)
{
    if (!w)
        return;
    pos_clear(&w->pos);
    rs_spec_free(w->name);
    labels_free(w->labels, w->n_labels);
    for (unsigned i = 0; w->ports && i < w->n_ports; i++) {
        rs_spec_free(w->ports[i].name);
        rs_spec_free(w->ports[i].tls);
    }
    rs_spec_free(w->ports);
}

/* Frees what a service owns. */
static void
service_clear(RsServiceSpec *s)
{
    if (!s)
        return;
    pos_clear(&s->pos);
    rs_spec_free(s->name);
    labels_free(s->selector, s->n_selector);
    labels_free(s->annotations, s->n_annotations);
    for (unsigned i = 0; s->ports && i < s->n_ports; i++) {
        rs_spec_free(s->ports[i].target_name);
        rs_spec_free(s->ports[i].name);
    }
    rs_spec_free(s->ports);
}

/* Frees what a route owns. */
static void
route_clear(RsRouteSpec *r)
{
    if (!r)
        return;
    pos_clear(&r->pos);
    rs_spec_free(r->name);
    rs_spec_free(r->service);
    rs_spec_free(r->target_name);
    rs_spec_free(r->host);
    rs_spec_free(r->path);
    for (unsigned i = 0; r->alternates && i < r->n_alternates; i++)
        rs_spec_free(r->alternates[i].service);
    rs_spec_free(r->alternates);
    labels_free(r->annotations, r->n_annotations);
}

/* Frees the names of a request origin. */
static void
from_clear(RsFrom *f)
{
    rs_spec_free(f->ns);
    rs_spec_free(f->name);
}

/* Frees a scenario in any state a failed load can leave it in. */
void
rs_scenario_free(RsScenario *sc)
{
    if (!sc)
        return;
    rs_spec_free(sc->file);
    rs_spec_free(sc->name);
    rs_spec_free(sc->description);
    rs_profile_clear(&sc->profile);
    for (unsigned i = 0; sc->namespaces && i < sc->n_namespaces; i++) {
        RsNamespaceSpec *n = &sc->namespaces[i];
        pos_clear(&n->pos);
        rs_spec_free(n->name);
        for (unsigned k = 0; n->deployments && k < n->n_deployments; k++)
            workload_clear(&n->deployments[k]);
        for (unsigned k = 0; n->pods && k < n->n_pods; k++)
            workload_clear(&n->pods[k]);
        for (unsigned k = 0; n->services && k < n->n_services; k++)
            service_clear(&n->services[k]);
        for (unsigned k = 0; n->routes && k < n->n_routes; k++)
            route_clear(&n->routes[k]);
        for (unsigned k = 0; n->policies && k < n->n_policies; k++)
            rs_policy_spec_clear(&n->policies[k]);
        rs_spec_free(n->policies);
        labels_free(n->labels, n->n_labels);
        rs_spec_free(n->lb_ips);
        rs_spec_free(n->deployments);
        rs_spec_free(n->pods);
        rs_spec_free(n->services);
        rs_spec_free(n->routes);
    }
    rs_spec_free(sc->namespaces);
    for (unsigned i = 0; sc->hosts && i < sc->n_hosts; i++) {
        RsHostSpec *h = &sc->hosts[i];
        pos_clear(&h->pos);
        rs_spec_free(h->name);
        for (unsigned k = 0; h->ports && k < h->n_ports; k++) {
            rs_spec_free(h->ports[k].allow_net);
            rs_spec_free(h->ports[k].allow_prefix);
        }
        rs_spec_free(h->ports);
    }
    rs_spec_free(sc->hosts);
    for (unsigned i = 0; sc->dns && i < sc->n_dns; i++) {
        pos_clear(&sc->dns[i].pos);
        rs_spec_free(sc->dns[i].name);
        rs_spec_free(sc->dns[i].cname);
    }
    rs_spec_free(sc->dns);
    for (unsigned i = 0; sc->events && i < sc->n_events; i++) {
        RsEventSpec *e = &sc->events[i];
        pos_clear(&e->pos);
        rs_spec_free(e->ns);
        rs_spec_free(e->name);
        rs_spec_free(e->key);
        rs_spec_free(e->value);
        workload_clear(e->deployment);
        rs_spec_free(e->deployment);
        workload_clear(e->pod);
        rs_spec_free(e->pod);
        workload_clear(e->set);
        rs_spec_free(e->set);
        service_clear(e->service);
        rs_spec_free(e->service);
        route_clear(e->route);
        rs_spec_free(e->route);
        rs_policy_spec_clear(e->policy);
        rs_spec_free(e->policy);
        g_strfreev(e->networks);
    }
    rs_spec_free(sc->events);
    for (unsigned i = 0; sc->traffic && i < sc->n_traffic; i++) {
        RsTrafficSpec *t = &sc->traffic[i];
        pos_clear(&t->pos);
        rs_spec_free(t->name);
        from_clear(&t->from);
        rs_url_clear(&t->to);
    }
    rs_spec_free(sc->traffic);
    for (unsigned i = 0; sc->expect && i < sc->n_expect; i++) {
        RsExpectSpec *e = &sc->expect[i];
        pos_clear(&e->pos);
        rs_spec_free(e->description);
        from_clear(&e->from);
        rs_url_clear(&e->to);
        rs_spec_free(e->pod_glob);
        rs_spec_free(e->resolve);
        rs_spec_free(e->answer_service);
        rs_spec_free(e->answer_ips);
        rs_spec_free(e->pod);
        rs_spec_free(e->traffic);
        rs_spec_free(e->spread_over);
        rs_spec_free(e->id);
        for (unsigned k = 0; e->matrix_from && k < e->n_matrix_from; k++)
            from_clear(&e->matrix_from[k]);
        for (unsigned k = 0; e->matrix_to && k < e->n_matrix_to; k++)
            rs_url_clear(&e->matrix_to[k]);
        rs_spec_free(e->matrix_from);
        rs_spec_free(e->matrix_to);
        rs_spec_free(e->matrix_expect);
        rs_spec_free(e->golden);
    }
    rs_spec_free(sc->expect);
    if (sc->warnings)
        g_ptr_array_unref(sc->warnings);
    if (sc->notes)
        g_ptr_array_unref(sc->notes);
    rs_arena_drop(sc->arena);          /* after every rs_spec_free above */
    g_free(sc);
}

/* ---- loading ---- */

/* Frees a namespace registry. */
static void
ld_ns_free(gpointer p)
{
    LdNs *ns = p;
    for (int k = 0; k <= RS_KIND_LAST; k++)
        if (ns->by_kind[k])
            g_hash_table_unref(ns->by_kind[k]);
    /* the LdNs, its objs and its LdObj are in ld->mem */
}

/* `seed`: a non-negative integer, or a string of digits for 64-bit seeds. */
static bool
seed(Ld *ld, const cJSON *root)
{
    const cJSON *v = ld_get(root, "seed");
    /* `rahtisim schema`: a whole number >= 0, or its digits as a string */
    ld_note(ld, "seed", "{\"type\":\"integer\",\"minimum\":0}");
    ld_note(ld, "seed", "{\"type\":\"string\",\"pattern\":\"^[0-9]+$\"}");
    if (!v)
        return true;
    if (cJSON_IsString(v)) {
        guint64 s;
        if (!*v->valuestring || !g_ascii_isdigit(v->valuestring[0]) ||
            !g_ascii_string_to_unsigned(v->valuestring, 10, 0, G_MAXUINT64, &s, NULL))
            return ld_fail(ld, v, false, "seed", "expected a non-negative integer (up to 18446744073709551615), "
                           "found `%s`", v->valuestring);
        ld->sc->seed = s;
        return true;
    }
    if (!cJSON_IsNumber(v))
        return ld_fail(ld, v, false, "seed", "expected a non-negative integer, found %s", ld_type_word(v));
    double d = v->valuedouble;
    if (!isfinite(d) || d < 0 || d != floor(d))
        return ld_fail(ld, v, false, "seed", "expected a non-negative integer, found %g", d);
    if (d > 9007199254740992.0)
        return ld_fail(ld, v, false, "seed", "seed too large for a JSON number (above 2^53): write it "
                       "as a string of digits");
    ld->sc->seed = (uint64_t)d;
    return true;
}

/* `duration`: positive, within --max-duration. */
static bool
duration(Ld *ld, const cJSON *root)
{
    const cJSON *v = ld_get(root, "duration");
    if (!v)
        return true;
    if (!ld_v_duration(ld, v, "duration", &ld->sc->duration))
        return false;
    if (ld->sc->duration == 0)
        return ld_fail(ld, v, false, "duration", "the duration must be positive");
    if (ld->sc->duration > ld->lim.max_duration) {
        char b[32];
        return ld_fail_limit(ld, v, "duration", "duration exceeds the limit of %s; raise it with "
                             "--max-duration", rs_duration_format(ld->lim.max_duration, b));
    }
    return true;
}

/* Compares events by time, then file order (stable, R37). */
static int
event_cmp(const void *a, const void *b)
{
    const RsEventSpec *x = *(const RsEventSpec *const *)a, *y = *(const RsEventSpec *const *)b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Sorts events by time, keeping file order for equal times. */
static void
sort_events(RsScenario *sc)
{
    if (sc->n_events < 2)
        return;
    g_autofree RsEventSpec **idx = g_new(RsEventSpec *, sc->n_events);
    for (unsigned i = 0; i < sc->n_events; i++)
        idx[i] = &sc->events[i];
    qsort(idx, sc->n_events, sizeof *idx, event_cmp);
    RsEventSpec *sorted = g_new(RsEventSpec, sc->n_events);
    for (unsigned i = 0; i < sc->n_events; i++)
        sorted[i] = *idx[i];
    g_free(sc->events);
    sc->events = sorted;
}

/* Compares warnings by file position, then by the order they were found. */
static int
warn_cmp(const void *a, const void *b)
{
    const LdWarn *x = a, *y = b;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* `manifests` (files or folders the import layer reads first, src/import/)
 * and `import_notes` (what `rahtisim import` could not translate): arrays
 * of strings; the loader only checks their shape. */
static bool
import_keys(Ld *ld, const cJSON *root)
{
    static const char *const names[] = {"manifests", "import_notes"};
    for (int k = 0; k < 2; k++) {
        const cJSON *arr, *c;
        if (!ld_array(ld, root, "", names[k], &arr))
            return false;
        int i = 0;
        cJSON_ArrayForEach(c, arr) {
            g_autofree char *p = g_strdup_printf("%s[%d]", names[k], i++);
            if (!cJSON_IsString(c))
                return ld_fail(ld, c, false, p, "expected a string, found %s", ld_type_word(c));
            if (k == 0 && !*c->valuestring)
                return ld_fail(ld, c, false, p, "expected a file or folder name, found an empty string");
            if (k == 1)
                g_ptr_array_add(ld->sc->notes, g_strdup(c->valuestring));
        }
    }
    return true;
}

/* Runs the three passes over a parsed document. */
static bool
load_doc(Ld *ld, const cJSON *root)
{
    static const char *const keys[] = {"name", "description", "platform", "seed", "duration",
                                       "namespaces", "hosts", "dns", "events", "traffic", "expect",
                                       "manifests", "import_notes", NULL};
    RsScenario *sc = ld->sc;
    if (!cJSON_IsObject(root))
        return ld_fail(ld, root, false, "", "a scenario is a JSON object, found %s", ld_type_word(root));
    if (!ld_object(ld, root, "", keys, "a scenario") || !ld_no_ipv6_anywhere(ld, root, ""))
        return false;
    if (!ld_string(ld, root, "", "name", true, &sc->name) ||
        !ld_string(ld, root, "", "description", false, &sc->description) ||
        !seed(ld, root) || !duration(ld, root) || !ld_platform(ld, root) ||
        !ld_namespaces(ld, root) || !ld_hosts(ld, root) || !ld_dns(ld, root) ||
        !ld_events(ld, root) || !ld_traffic(ld, root) || !ld_expectations(ld, root))
        return false;
    /* namespaces' objects, events, traffic and expectations report all their
     * errors (up to LD_MAX_ERRORS) */
    if (ld->errors->len > 0 || !ld_traffic_volume(ld, root) || !ld_memory_estimate(ld, root))
        return false;
    if (!import_keys(ld, root))
        return false;
    if (strpbrk(sc->name, "\n\t") != NULL)
        return ld_fail(ld, ld_get(root, "name"), false, "name", "the scenario name is one line: "
                       "no newline or tab (the description can have them)");
    if (!ld_resolve_refs(ld) || !ld_timeline(ld, root))
        return false;
    ld_lint(ld, root);
    return true;
}

/* Builds a scenario from a parsed document. */
static RsScenario *
load_from_doc_keys(const RsJsonDoc *doc, const RsLimits *limits, RsKeysFn fn, void *fdata,
                   GError **error)
{
    g_autoptr(RsScenario) sc = g_new0(RsScenario, 1);
    sc->arena = rs_arena_new();
    sc->file = g_strdup(rs_jsonc_name(doc));
    sc->seed = 1;
    sc->duration = RS_TIME_NEVER;
    sc->warnings = g_ptr_array_new_with_free_func(g_free);
    sc->notes = g_ptr_array_new_with_free_func(g_free);
    Ld ld = {.sc = sc, .doc = doc, .error = error, .on_keys = fn, .on_keys_data = fdata};
    if (limits)
        ld.lim = *limits;
    else
        rs_limits_default(&ld.lim);
    sc->limits = ld.lim;
    ld.warns = g_array_new(FALSE, FALSE, sizeof(LdWarn));
    ld.nss = g_ptr_array_new_with_free_func(ld_ns_free);
    ld.hosts = g_hash_table_new(g_str_hash, g_str_equal);
    ld.traffic = g_hash_table_new(g_str_hash, g_str_equal);
    ld.refs = g_ptr_array_new();          /* LdRef* in ld.mem */
    ld.fixed_ips = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    ld.errors = g_ptr_array_new_with_free_func(g_free);
    ld.paths = rs_arena_new();
    ld.mem = rs_arena_new();
    ld_keys_forget();
    bool ok = load_doc(&ld, rs_jsonc_root(doc));
    ld_keys_forget();           /* the tree may go, and its addresses to the next one */
    g_array_sort(ld.warns, warn_cmp);
    for (guint i = 0; i < ld.warns->len; i++) {
        LdWarn *w = &g_array_index(ld.warns, LdWarn, i);
        g_ptr_array_add(sc->warnings, w->msg);  /* ownership moves */
        w->msg = NULL;
    }
    g_array_unref(ld.warns);
    g_free(ld.ns_slots);
    g_ptr_array_unref(ld.nss);
    g_hash_table_unref(ld.hosts);
    g_hash_table_unref(ld.traffic);
    g_ptr_array_unref(ld.refs);
    g_hash_table_unref(ld.fixed_ips);
    rs_arena_drop(ld.paths);
    rs_arena_drop(ld.mem);
    if (!ok) {
        /* every error found, one a line: the command line prefixes each with "rahtisim: " */
        if (ld.errors->len > 0) {
            g_ptr_array_add(ld.errors, NULL);
            g_autofree char *all = g_strjoinv("\nrahtisim: ", (char **)ld.errors->pdata);
            g_set_error_literal(error, RS_SCENARIO_ERROR, ld.error_code, all);
        } else {
            g_set_error_literal(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_INVALID, "invalid scenario");
        }
        g_ptr_array_unref(ld.errors);
        return NULL;
    }
    g_ptr_array_unref(ld.errors);
    sort_events(sc);
    return g_steal_pointer(&sc);
}

/* Builds a scenario from a parsed document. */
static RsScenario *
load_from_doc(const RsJsonDoc *doc, const RsLimits *limits, GError **error)
{
    return load_from_doc_keys(doc, limits, NULL, NULL, error);
}

/* Loads from memory, reporting each object's key table (see scenario.h). */
RsScenario *
rs_scenario_load_data_keys(const char *name, const char *data, size_t len, RsKeysFn fn, void *fdata,
                           GError **error)
{
    g_autoptr(RsJsonDoc) doc = rs_jsonc_parse(name, data, len, error);
    return doc ? load_from_doc_keys(doc, NULL, fn, fdata, error) : NULL;
}

/* Loads from a parsed or built document (jsonc.h). */
RsScenario *
rs_scenario_load_doc(const RsJsonDoc *doc, const RsLimits *limits, GError **error)
{
    return load_from_doc(doc, limits, error);
}

/* Loads from memory (see scenario.h). */
RsScenario *
rs_scenario_load_data(const char *name, const char *data, size_t len, const RsLimits *limits,
                      GError **error)
{
    g_autoptr(RsJsonDoc) doc = rs_jsonc_parse(name, data, len, error);
    return doc ? load_from_doc(doc, limits, error) : NULL;
}

/* Loads a file (see scenario.h). */
RsScenario *
rs_scenario_load_file(const char *path, const RsLimits *limits, GError **error)
{
    g_autoptr(RsJsonDoc) doc = rs_jsonc_load_file(path, error);
    return doc ? load_from_doc(doc, limits, error) : NULL;
}
