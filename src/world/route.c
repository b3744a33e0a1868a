/* route.c: routes as the API server holds them, and host admission (R20, R22).
 *
 * WHAT IT MODELS
 * --------------
 * A route exposes one port of one service, plus weighted alternate services
 * (R20), under a host: the one it names, or `<route>-<namespace>.<app
 * domain>` (R22, the API server's default; dots in the route name become
 * dashes).  Routes are truth; the router only learns about them at its next
 * reload (R28, src/world/router.c).
 *
 * ADMISSION (R22)
 * ---------------
 * The router's host admitter with the default namespace ownership (Strict):
 * the namespace of the OLDEST route claiming a host owns the host; routes
 * of other namespaces for it are not admitted (HostAlreadyClaimed), even
 * with another path; inside the owning namespace, routes with different
 * paths coexist and of two with the same path the older wins; a
 * passthrough route and another TLS route of the host conflict whatever
 * their paths, and the older wins (hostindex/activation.go, background
 * openshift-router.md 5.1).  Age is creation order (an apply that replaces
 * a route keeps its age).  When the owner is removed, the rest are
 * re-admitted at once.  Every change of admission is logged with the
 * reason, which the route keeps as data (RsAdmission) for `topology`.
 *
 * COST
 * ----
 * Routes are indexed by "ns/name" and by host (a list per host, oldest
 * first): admission of one host costs O(routes of that host), never all
 * routes.  The services routes send to are counted in a hash table, so a
 * change of any service's endpoints tells in O(1) whether the router cares.
 *
 * Rules: R20, R22 (and R25-R31 annotations, read at reload).
 */
#include "config.h"

#include <string.h>

#include "world/world-private.h"

/* Frees a route's parts (the route is in the arena). */
static void
route_free(RsRoute *r)
{
    g_free(r->ann);
}

/* Converts a route spec into a world-owned definition (in the arena). */
RsRouteDef *
rs_world_route_def(RsWorld *w, const RsRouteSpec *spec)
{
    RsRouteDef *d = rs_world_new0(w, RsRouteDef, 1);
    d->name = rs_world_intern(w, spec->name);
    d->host = rs_world_intern(w, spec->host);
    d->path = rs_world_intern(w, spec->path ? spec->path : "/");
    d->tls = spec->tls;
    d->insecure = spec->insecure;
    d->certificate = spec->certificate;
    d->target_port = spec->target_port;
    d->target_name = rs_world_intern(w, spec->target_name);
    d->n_backends = 1 + spec->n_alternates;
    d->backends = rs_world_new0(w, RsRouteBackendDef, d->n_backends);
    d->backends[0].service = rs_world_intern(w, spec->service);
    d->backends[0].weight = spec->weight;
    for (unsigned i = 0; i < spec->n_alternates; i++) {
        d->backends[i + 1].service = rs_world_intern(w, spec->alternates[i].service);
        d->backends[i + 1].weight = spec->alternates[i].weight;
    }
    d->n_annotations = spec->n_annotations;
    d->annotations = rs_world_new0(w, RsWLabel, spec->n_annotations);
    for (unsigned i = 0; i < spec->n_annotations; i++) {
        d->annotations[i].key = rs_world_intern(w, spec->annotations[i].key);
        d->annotations[i].value = rs_world_intern(w, spec->annotations[i].value);
    }
    return d;
}

/* The live route ns/name, or NULL. */
RsRoute *
rs_world_route(const RsWorld *w, const char *ns, const char *name)
{
    char buf[512];
    if (strlen(ns) + 1 + strlen(name) >= sizeof buf)
        return NULL;
    return rs_name_map_get(&w->route_by_name, rs_world_interned(w, rs_world_join(buf, sizeof buf, ns, "/", name)));
}

/* The value of an annotation, or NULL. */
const char *
rs_route_annotation(const RsRoute *route, const char *key)
{
    for (unsigned i = 0; i < route->n_ann; i++) {
        if (strcmp(route->ann[i].key, key) == 0)
            return route->ann[i].value;
    }
    return NULL;
}

/* Counts (delta +1/-1) the services a route sends to: the router watches them. */
static void
count_services(RsWorld *w, RsRoute *r, int delta)
{
    const GPtrArray *live = r->ns->services;
    for (unsigned i = 0; i < r->def->n_backends; i++) {
        /* interned: the table compares pointers.  A live service of the
         * name in a small namespace has it already (`full`): no probe of
         * the interned names (a cache miss per route at 10^5 namespaces) */
        const char *svc = r->def->backends[i].service, *full = NULL;
        for (unsigned k = 0; live->len <= 8 && k < live->len && full == NULL; k++) {
            const RsService *s = live->pdata[k];
            if (s->name == svc)         /* both interned */
                full = s->full;
        }
        if (full == NULL)
            full = rs_world_intern_full(w, r->ns->name, svc);
        unsigned n = GPOINTER_TO_UINT(rs_name_map_get(&w->route_svcs, full));
        if (delta > 0)
            rs_name_map_put(&w->route_svcs, full, GUINT_TO_POINTER(n + 1));
        else if (n <= 1)
            rs_name_map_remove(&w->route_svcs, full);
        else
            rs_name_map_put(&w->route_svcs, full, GUINT_TO_POINTER(n - 1));
    }
}

/* Whether a live route sends to the service. */
bool
rs_router_watches(const RsWorld *w, const RsService *svc)
{
    return rs_name_map_get(&w->route_svcs, svc->full) != NULL;
}

/* R22: whether route `r` may not be admitted beside the older, admitted
 * route `o` of its namespace, and why: hasExistingMatch of the router's host
 * index (background openshift-router.md 5.1): the same path, or a
 * passthrough route and another TLS route on one host ("path-based TLS
 * routes cannot have the same host as a passthrough route"), whichever of
 * the two is the passthrough one. */
static RsAdmission
conflict(const RsRoute *o, const RsRoute *r)
{
    if (strcmp(o->def->path, r->def->path) == 0)
        return RS_ADMIT_SAME_PATH;
    if (o->def->tls != RS_TLS_NONE && r->def->tls != RS_TLS_NONE &&
        (o->def->tls == RS_TLS_PASSTHROUGH || r->def->tls == RS_TLS_PASSTHROUGH))
        return RS_ADMIT_PASSTHROUGH;
    return RS_ADMIT_OK;
}

/* Appends why a route is or is not admitted (R22); the event log and
 * `topology` both say it with these words. */
void
rs_route_admission_describe(const RsRoute *r, GString *out)
{
    static const char *const tls[] = {"plain", "edge", "passthrough", "reencrypt"};
    const RsRoute *o = r->claimed_by;
    const char *path = strcmp(r->def->path, "/") == 0 ? "" : r->def->path;
    switch (r->admission) {
    case RS_ADMIT_OK:
        g_string_append(out, "it serves ");     /* (every admitted route: no printf) */
        g_string_append(out, r->host);
        g_string_append(out, path);
        break;
    case RS_ADMIT_SAME_PATH:
        g_string_append_printf(out, "route %s of the same namespace already exposes %s%s and is older",
                               o->full, r->host, path);
        break;
    case RS_ADMIT_PASSTHROUGH:
        g_string_append_printf(out, "route %s (%s%s%s) of the same namespace already exposes %s and is "
                               "older, and a passthrough route cannot share its host with another "
                               "TLS route", o->full, tls[o->def->tls],
                               strcmp(o->def->path, "/") == 0 ? "" : ", path ",
                               strcmp(o->def->path, "/") == 0 ? "" : o->def->path, r->host);
        break;
    case RS_ADMIT_OTHER_NAMESPACE:
        g_string_append_printf(out, "namespace %s owns %s: its route %s is the oldest for that host",
                               o->ns->name, r->host, o->full);
        break;
    }
}

/* R22: recomputes which routes of one host are admitted, logging changes.
 * The routes are walked oldest first, as the router's host index merges
 * them: the oldest route's namespace owns the host (Strict namespace
 * ownership); a route of another namespace is never admitted, a route of
 * the owner's namespace is admitted unless it conflicts with an older
 * ADMITTED one (conflict()). */
static void
admit_host(RsWorld *w, const char *host)
{
    const RsHostRoutes *list = rs_name_map_get(&w->routes_by_host, host);   /* interned */
    if (list == NULL || list->n == 0)
        return;
    RsRoute *owner = list->v[0];            /* the oldest claims the host */
    g_autoptr(GString) why = NULL;          /* made by the first sentence logged */
    for (unsigned i = 0; i < list->n; i++) {
        RsRoute *r = list->v[i];
        RsAdmission a = RS_ADMIT_OK;
        RsRoute *older = NULL;
        if (r->ns != owner->ns) {
            a = RS_ADMIT_OTHER_NAMESPACE;
            older = owner;
        } else {
            for (unsigned j = 0; j < i && older == NULL; j++) {
                RsRoute *o = list->v[j];
                if (o->ns != r->ns || o->admission != RS_ADMIT_OK)
                    continue;
                a = conflict(o, r);
                if (a != RS_ADMIT_OK)
                    older = o;
            }
        }
        bool admit = a == RS_ADMIT_OK;
        bool changed = !r->judged || admit != r->admitted || a != r->admission || older != r->claimed_by;
        r->admitted = admit;
        r->admission = a;
        r->claimed_by = older;
        r->judged = true;
        /* without an event log (RsScenario.no_event_log: `topology`) the
         * sentence is not made (issue 14: a GString per route and host) */
        if (!changed || w->no_log)
            continue;
        if (why == NULL)
            why = g_string_new(NULL);
        g_string_truncate(why, 0);
        rs_route_admission_describe(r, why);
        if (admit)
            rs_world_log(w, RS_R22, "route %s admitted: %s", r->full, why->str);
        else
            rs_world_log(w, RS_R22, "route %s not admitted (HostAlreadyClaimed): %s", r->full, why->str);
    }
}

/* Puts a route into the host index at its age (R22: oldest first; a new
 * route is the newest, an applied one keeps its age) and re-admits the host. */
static void
index_host(RsWorld *w, RsRoute *r)
{
    RsHostRoutes *list = rs_name_map_get(&w->routes_by_host, r->host);
    if (list == NULL) {
        list = rs_world_new0(w, RsHostRoutes, 1);
        rs_name_map_put(&w->routes_by_host, r->host, list);
    }
    list->v = rs_world_array_room(w, list->v, list->n, &list->cap, sizeof *list->v);
    unsigned at = list->n;
    while (at > 0 && list->v[at - 1]->serial > r->serial) {
        list->v[at] = list->v[at - 1];
        at--;
    }
    list->v[at] = r;
    list->n++;
    admit_host(w, r->host);
}

/* Takes a route out of the host index (the rest keep their order) and
 * re-admits the host. */
static void
unindex_host(RsWorld *w, RsRoute *r)
{
    RsHostRoutes *list = rs_name_map_get(&w->routes_by_host, r->host);
    for (unsigned k = 0; list != NULL && k < list->n; k++) {
        if (list->v[k] == r) {
            memmove(&list->v[k], &list->v[k + 1], (list->n - k - 1) * sizeof *list->v);
            list->n--;
            break;
        }
    }
    r->admitted = false;
    r->admission = RS_ADMIT_OK;
    r->claimed_by = NULL;
    r->judged = false;
    admit_host(w, r->host);
}

/* The parts of route `name`'s default host in namespace `ns`, with their
 * lengths; returns the host's length (R22: openshift-apiserver's <name with
 * dots as dashes>-<namespace>.<domain>). */
static size_t
host_parts(const RsWorld *w, const char *name, const char *ns, const char *parts[5], size_t len[5])
{
    parts[0] = name;
    parts[1] = "-";
    parts[2] = ns;
    parts[3] = ".";
    parts[4] = w->app_domain ? w->app_domain : "";
    size_t total = 0;
    for (int i = 0; i < 5; i++)
        total += len[i] = strlen(parts[i]);
    return total;
}

/* Writes the default host of those parts into h (total + 1 bytes). */
static void
host_write(char *h, const char *const parts[5], const size_t len[5], size_t total)
{
    for (size_t i = 0, at = 0; i < 5; at += len[i], i++)
        memcpy(h + at, parts[i], len[i]);
    h[total] = '\0';
    for (size_t i = 0; i < len[0]; i++)
        if (h[i] == '.')
            h[i] = '-';
}

/* The host a definition asks for, or the default one (R22), made on the
 * stack (a g_strconcat per route before, issue 14). */
static const char *
route_host(RsWorld *w, RsNamespace *ns, const RsRouteDef *d)
{
    if (d->host != NULL)
        return d->host;
    const char *parts[5];
    size_t len[5];
    size_t total = host_parts(w, d->name, ns->name, parts, len);
    char buf[512];
    g_autofree char *big = total < sizeof buf ? NULL : g_malloc(total + 1);
    char *h = big != NULL ? big : buf;
    host_write(h, parts, len, total);
    return rs_world_intern(w, h);
}

/* Prepares a route of namespace `ns` that rs_world_apply_route will make
 * (RsAheadStage): its full name and its host interned, their name tables'
 * cells fetched (issue 14). */
static void
route_ahead(RsWorld *w, const char *ns, const RsRouteSpec *spec, unsigned stage)
{
    if (stage == RS_AHEAD_STRINGS) {
        __builtin_prefetch(spec->name);
        if (spec->host != NULL)
            __builtin_prefetch(spec->host);
        return;
    }
    const char *host = spec->host;
    char buf[512];
    if (host == NULL) {
        const char *parts[5];
        size_t len[5];
        size_t total = host_parts(w, spec->name, ns, parts, len);
        if (total < sizeof buf) {
            host_write(buf, parts, len, total);
            host = buf;
        }
    }
    if (stage == RS_AHEAD_CELLS) {
        rs_world_intern_full_prefetch(w, ns, spec->name);
        rs_world_intern_prefetch(w, host);
    } else if (stage == RS_AHEAD_INTERN) {
        rs_name_map_prefetch(&w->route_by_name, rs_world_intern_full(w, ns, spec->name));
        if (host != NULL)
            rs_name_map_prefetch(&w->routes_by_host, rs_world_intern(w, host));
    }
}

/* Copies a definition's annotations into the route's own (mutable) list;
 * none: NULL (most routes have none: no block each, issue 14). */
static void
copy_annotations(RsRoute *r)
{
    g_free(r->ann);
    r->n_ann = r->def->n_annotations;
    r->ann = r->n_ann > 0 ? g_memdup2(r->def->annotations, r->n_ann * sizeof *r->ann) : NULL;
}

/* apply of a route: creates it or replaces its definition (R20, R22). */
void
rs_world_apply_route(RsWorld *w, RsNamespace *ns, RsRouteDef *def)
{
    /* the route ns/name, as rs_world_route finds it; a name interned just
     * now names no route (no probe of the table: issue 14) */
    bool fresh;
    const char *full = rs_world_intern_full_fresh(w, ns->name, def->name, &fresh);
    RsRoute *r = NULL;
    if (!fresh && strlen(ns->name) + 1 + strlen(def->name) < 512)    /* rs_world_route's bound */
        r = rs_name_map_get(&w->route_by_name, full);
    if (r != NULL) {
        count_services(w, r, -1);
        unindex_host(w, r);
        r->def = def;
        r->host = route_host(w, ns, def);
        copy_annotations(r);
        count_services(w, r, +1);
        rs_world_log(w, RS_R20, "route %s updated (host %s)", r->full, r->host);
        index_host(w, r);
        rs_world_notify_edge(w);
        return;
    }
    r = rs_world_new0(w, RsRoute, 1);
    r->serial = w->next_serial++;
    r->name = def->name;
    r->full = full;
    r->ns = ns;
    r->def = def;
    r->host = route_host(w, ns, def);
    copy_annotations(r);
    g_ptr_array_add(w->routes, r);
    rs_name_map_put(&w->route_by_name, r->full, r);
    count_services(w, r, +1);
    rs_world_log(w, RS_R20, "route %s created for service %s/%s, host %s", r->full, ns->name,
                 def->backends[0].service, r->host);
    index_host(w, r);
    rs_world_notify_edge(w);
}

/* remove of a route: the rest of its host are re-admitted (R22). */
void
rs_world_remove_route(RsWorld *w, RsRoute *r)
{
    r->removed = true;
    rs_name_map_remove(&w->route_by_name, r->full);
    count_services(w, r, -1);
    rs_world_log(w, RS_R22, "route %s removed: it releases %s", r->full, r->host);
    unindex_host(w, r);
    rs_world_notify_edge(w);
}

/* annotate: sets or removes one annotation; the router sees it at its next reload (R28). */
void
rs_world_annotate_route(RsWorld *w, RsRoute *r, const char *key, const char *value)
{
    key = rs_world_intern(w, key);
    value = rs_world_intern(w, value);
    unsigned i = 0;
    while (i < r->n_ann && strcmp(r->ann[i].key, key) != 0)
        i++;
    if (value == NULL) {
        if (i < r->n_ann) {
            r->ann[i] = r->ann[r->n_ann - 1];
            r->n_ann--;
        }
        rs_world_log(w, RS_R28, "route %s: annotation %s removed", r->full, key);
    } else {
        if (i == r->n_ann) {
            r->ann = g_renew(RsWLabel, r->ann, r->n_ann + 1);
            r->n_ann++;
        }
        r->ann[i].key = key;
        r->ann[i].value = value;
        rs_world_log(w, RS_R28, "route %s annotated %s=\"%s\"", r->full, key, value);
    }
    rs_world_notify_edge(w);
}

/* Creates the route tables and the scenario's routes, in file order (their age, R22). */
void
rs_world_routes_init(RsWorld *w, const RsScenario *sc)
{
    w->routes = g_ptr_array_new_with_free_func((GDestroyNotify)route_free);
    bool ahead = rs_world_worth_ahead(w);
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        RsNamespace *ns = w->namespaces->pdata[i];
        for (unsigned s = 0; ahead && s < RS_STAGES; s++) {
            size_t k = i + (size_t)(RS_STAGES - s) * RS_PREFETCH_AHEAD;
            const RsNamespaceSpec *next = k < sc->n_namespaces ? &sc->namespaces[k] : NULL;
            if (next != NULL && s == RS_AHEAD_ARRAYS && next->n_routes > 0)
                __builtin_prefetch(next->routes);
            for (unsigned j = 0; next != NULL && s != RS_AHEAD_ARRAYS && j < next->n_routes; j++)
                route_ahead(w, next->name, &next->routes[j], s);
        }
        for (unsigned j = 0; j < sc->namespaces[i].n_routes; j++)
            rs_world_apply_route(w, ns, rs_world_route_def(w, &sc->namespaces[i].routes[j]));
    }
}

/* Frees the route tables. */
void
rs_world_routes_free(RsWorld *w)
{
    rs_name_map_clear(&w->route_by_name);
    rs_name_map_clear(&w->routes_by_host);
    rs_name_map_clear(&w->route_svcs);
    g_clear_pointer(&w->routes, g_ptr_array_unref);
}
