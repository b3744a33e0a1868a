/* topology-facts.c: the facts both topology writers draw from.
 *
 * Buckets per namespace (one pass over each of the world's lists, so a
 * topology of 10^5 namespaces or of one 300 000-pod deployment is linear),
 * and the router's loaded configuration compared with the truth (R28),
 * read through the world's view accessors (rs_replica_config,
 * rs_replica_loaded_at, rs_replica_next_reload, rs_rt_config_backend).
 */
#include "config.h"

#include <string.h>

#include "teach/topology-private.h"

/* One pass over the world's lists: counts each bucket's objects, or (fill) stores them. */
static void
gather_pass(RsTopo *t, RsWorld *w, bool fill)
{
    for (unsigned i = 0; i < rs_world_n_workloads(w); i++) {
        const RsWorkload *wl = rs_world_workload_nth(w, i);
        RsTopoNs *b = rs_topo_ns(t, wl->ns);
        if (b != NULL && !wl->removed) {
            if (fill)
                b->workloads->pdata[b->workloads->len] = (gpointer)wl;
            b->workloads->len++;
        }
    }
    for (unsigned i = 0; i < rs_world_n_pods(w); i++) {
        const RsPod *p = rs_world_pod_nth(w, i);
        RsTopoNs *b = rs_topo_ns(t, p->ns);
        if (b == NULL || p->state == RS_POD_GONE)
            continue;
        if (fill)
            b->pods->pdata[b->pods->len] = (gpointer)p;
        b->pods->len++;
        if (p->owner == NULL) {
            if (fill)
                b->bare->pdata[b->bare->len] = (gpointer)p;
            b->bare->len++;
        }
    }
    for (unsigned i = 0; i < rs_world_n_routes(w); i++) {
        const RsRoute *r = rs_world_route_nth(w, i);
        RsTopoNs *b = rs_topo_ns(t, r->ns);
        if (b != NULL && !r->removed) {
            if (fill)
                b->routes->pdata[b->routes->len] = (gpointer)r;
            b->routes->len++;
        }
    }
}

/* Buckets the world's objects by namespace; see topology-private.h.  Two
 * passes: count, then fill one array cut into every bucket's lists. */
void
rs_topo_gather(RsTopo *t, RsWorld *w)
{
    t->w = w;
    t->n_ns = rs_world_n_namespaces(w);
    t->ns = g_new0(RsTopoNs, t->n_ns ? t->n_ns : 1);
    t->scratch = g_ptr_array_new();
    for (unsigned i = 0; i < t->n_ns; i++) {
        RsTopoNs *b = &t->ns[i];
        b->ns = rs_world_namespace_nth(w, i);
        b->workloads = &b->lists[0];
        b->bare = &b->lists[1];
        b->pods = &b->lists[2];
        b->routes = &b->lists[3];
    }
    gather_pass(t, w, false);
    size_t total = 0;
    for (unsigned i = 0; i < t->n_ns; i++)
        for (unsigned k = 0; k < 4; k++)
            total += t->ns[i].lists[k].len;
    t->items = g_new(gpointer, total ? total : 1);
    total = 0;
    for (unsigned i = 0; i < t->n_ns; i++)
        for (unsigned k = 0; k < 4; k++) {
            RsTopoList *l = &t->ns[i].lists[k];
            l->pdata = t->items + total;
            total += l->len;
            l->len = 0;
        }
    gather_pass(t, w, true);
}

/* Frees the buckets. */
void
rs_topo_clear(RsTopo *t)
{
    g_clear_pointer(&t->ns, g_free);
    g_clear_pointer(&t->items, g_free);
    g_clear_pointer(&t->scratch, g_ptr_array_unref);
    t->n_ns = 0;
}

/* The bucket of a namespace: its index is its position among rs_world_namespace_nth. */
RsTopoNs *
rs_topo_ns(const RsTopo *t, const RsNamespace *ns)
{
    if (ns == NULL || ns->index >= t->n_ns || t->ns[ns->index].ns != ns)
        return NULL;
    return &t->ns[ns->index];
}

/* Up to this many servers (or ready pods) a route's sets are compared by
 * scanning them; hash sets only above (issue 14: most routes have a few
 * servers, and two hash tables per route and replica were a tenth of the
 * topology of 10^5 namespaces). */
#define DIFF_SCAN_MAX 16

/* Whether the pod of server k already was the pod of an earlier server. */
static bool
server_pod_seen(const RsRtBackend *be, unsigned k)
{
    for (unsigned j = 0; j < k; j++)
        if (be->servers[j].pod == be->servers[k].pod)
            return true;
    return false;
}

/* Whether a pod is the pod of one of the servers. */
static bool
server_pod_loaded(const RsRtBackend *be, const RsPod *p)
{
    for (unsigned j = 0; j < be->n_servers; j++)
        if (be->servers[j].pod == p)
            return true;
    return false;
}

/* A namespace's live service by name: its few services scanned, the
 * world's name index only for a namespace of many (issue 14: a string
 * hash and a cold table slot per route and replica were 2 % of the
 * topology of 10^5 namespaces). */
#define SVC_SCAN_MAX 8

static RsService *
ns_service(RsWorld *w, const RsNamespace *ns, const char *name)
{
    unsigned n = rs_namespace_n_services(ns);
    if (n > SVC_SCAN_MAX)
        return rs_world_service(w, ns->name, name);
    for (unsigned i = 0; i < n; i++) {
        RsService *svc = rs_namespace_service_nth(ns, i);
        if (strcmp(svc->name, name) == 0)
            return svc;
    }
    return NULL;
}

/* The route's backend in a configuration.  A configuration has one backend
 * per admitted route, in the world's route order (config_build), and the
 * writers ask route after route in nearly that order: *next is where the
 * last one was found, so most answers cost a pointer compare instead of
 * rs_rt_config_backend's host hash.  Any other answer comes from
 * rs_rt_config_backend, so the result is the same either way. */
static const RsRtBackend *
loaded_backend(const RsRtConfig *cfg, const RsRoute *route, unsigned *next)
{
    if (*next < cfg->n_backends && cfg->backends[*next].route == route)
        return &cfg->backends[(*next)++];
    const RsRtBackend *be = rs_rt_config_backend(cfg, route);
    if (be != NULL)
        *next = (unsigned)(be - cfg->backends) + 1;
    return be;
}

/* R28: the loaded configuration vs the truth for one route. */
bool
rs_route_diff(const RsTopo *t, const RsRtConfig *cfg, const RsRoute *route, unsigned *next, RsRouteDiff *out)
{
    memset(out, 0, sizeof *out);
    out->route = route;
    out->loaded = loaded_backend(cfg, route, next);
    if (out->loaded == NULL)
        return true;
    bool few = out->loaded->n_servers <= DIFF_SCAN_MAX;
    g_autoptr(GHashTable) loaded = few ? NULL : g_hash_table_new(g_direct_hash, g_direct_equal);
    for (unsigned k = 0; k < out->loaded->n_servers; k++) {
        const RsPod *p = out->loaded->servers[k].pod;
        if (few ? server_pod_seen(out->loaded, k) : !g_hash_table_add(loaded, (gpointer)p))
            continue;
        out->n_loaded_pods++;
        if (!p->api_ready || p->state == RS_POD_GONE) {
            if (out->n_stale++ == 0)
                out->first_stale = p;
        }
    }
    /* one array for every route (a GPtrArray per route and replica was
     * an allocation and a free per line of the R28 section, issue 14) */
    RsWorld *w = t->w;
    GPtrArray *pods = t->scratch;
    g_ptr_array_set_size(pods, 0);
    for (unsigned k = 0; k < route->def->n_backends; k++) {
        RsService *svc = ns_service(w, route->ns, route->def->backends[k].service);
        if (svc != NULL)
            rs_service_ready_pods(svc, pods);
    }
    bool few_pods = pods->len <= DIFF_SCAN_MAX;
    g_autoptr(GHashTable) seen = few_pods ? NULL : g_hash_table_new(g_direct_hash, g_direct_equal);
    for (unsigned k = 0; k < pods->len; k++) {
        const RsPod *p = pods->pdata[k];
        bool again = false;
        for (unsigned j = 0; few_pods && j < k && !again; j++)
            again = pods->pdata[j] == p;
        if (few_pods ? again : !g_hash_table_add(seen, (gpointer)p))
            continue;
        bool is_loaded = few ? server_pod_loaded(out->loaded, p) : g_hash_table_contains(loaded, p);
        out->n_truth++;
        if (!is_loaded && out->n_missing++ == 0)
            out->first_missing = p;
    }
    return out->n_stale > 0 || out->n_missing > 0;
}

/* One sentence for a replica; see topology-private.h. */
void
rs_replica_text(GString *s, const RsReplica *rep)
{
    char t[32];
    const RsRtConfig *cfg = rs_replica_config(rep);
    g_string_append_printf(s, "%s (%s, %s)", rep->name, rep->up ? "up" : "down",
                           rep->in_rotation ? "in the VIP's rotation" : "out of rotation");
    if (cfg == NULL) {
        rs_topo_put(s, ": no configuration loaded yet: every host gets 503");
    } else {
        unsigned servers = 0;
        for (unsigned i = 0; i < cfg->n_backends; i++)
            servers += cfg->backends[i].n_servers;
        g_string_append_printf(s, ": configuration loaded at %s, %u route%s, %u server%s",
                               rs_duration_format(rs_replica_loaded_at(rep), t), cfg->n_backends,
                               cfg->n_backends == 1 ? "" : "s", servers, servers == 1 ? "" : "s");
    }
    rs_time_t next = rs_replica_next_reload(rep);
    if (next != RS_TIME_NEVER)
        g_string_append_printf(s, "; next reload at %s", rs_duration_format(next, t));
    else
        rs_topo_put(s, "; no reload pending");
    rs_topo_put(s, " (R28)");
}


/* "; N WHAT FIRST)" or "; N WHAT FIRST, ...)" of a route line; nothing when n is 0. */
static void
put_some(GString *s, unsigned n, const char *what, const char *first)
{
    if (n == 0)
        return;
    rs_topo_put(s, "; ");
    rs_topo_put_u(s, n);
    rs_topo_put(s, what);
    rs_topo_put(s, first);
    rs_topo_put(s, n > 1 ? ", ...)" : ")");
}
/* Until when a replica serves what it loaded; see topology-private.h. */
const char *
rs_replica_until(const RsReplica *rep, char when[64])
{
    char t[32];
    rs_time_t next = rs_replica_next_reload(rep);
    if (next != RS_TIME_NEVER) {
        /* 20 + at most 31 < 64 */
        g_strlcpy(when, "until the reload at ", 64);
        g_strlcat(when, rs_duration_format(next, t), 64);
    } else {
        g_strlcpy(when, "until the next change makes it reload", 64);
    }
    return when;
}

/* One sentence for a difference; see topology-private.h. */
void
rs_route_diff_text(GString *s, const char *when, const RsRouteDiff *d)
{
    if (d->loaded == NULL) {
        g_string_append_printf(s, "route %s is admitted but not loaded: its host gets 503 %s (R28)",
                               d->route->full, when);
        return;
    }
    /* one line per route and replica: appended piece by piece, not printf'd */
    rs_topo_put(s, "route ");
    rs_topo_put(s, d->route->full);
    rs_topo_put(s, ": loaded ");
    rs_topo_put_u(s, d->n_loaded_pods);
    rs_topo_put(s, d->n_loaded_pods == 1 ? " server pod, the truth has " : " server pods, the truth has ");
    rs_topo_put_u(s, d->n_truth);
    rs_topo_put(s, d->n_truth == 1 ? " ready endpoint" : " ready endpoints");
    put_some(s, d->n_missing, " not loaded (", d->n_missing > 0 ? d->first_missing->name : NULL);
    put_some(s, d->n_stale, " loaded but no longer ready (", d->n_stale > 0 ? d->first_stale->name : NULL);
    rs_topo_put(s, ": the router uses what it loaded ");
    rs_topo_put(s, when);
    rs_topo_put(s, " (R28)");
}

/* Escapes text for a DOT quoted string; see topology-private.h. */
void
rs_dot_escape(GString *out, const char *text)
{
    /* the bytes that need something: '"', '\\', control characters and
     * DEL; a table lookup per byte, and runs of the others appended at
     * once (issue 14: a topology of 10^5 namespaces escapes 2*10^6 names) */
    static const bool special[256] = {
        [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
        [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1,
        [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1,
        [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1,
        [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1,
    };
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (!special[p[i]])
            continue;
        rs_topo_put_len(out, text + run, i - run);
        run = i + 1;
        if (p[i] == '"' || p[i] == '\\') {
            rs_topo_putc(out, '\\');
            rs_topo_putc(out, (char)p[i]);
        } else if (p[i] == '\n') {
            rs_topo_put(out, "\\n");
        } else {
            rs_topo_putc(out, '?');    /* no control characters in a picture */
        }
    }
    rs_topo_put_len(out, text + run, n - run);
}
