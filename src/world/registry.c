/* registry.c: interning names and finding things in the world.
 *
 * The bottom of src/world (world-private.h lists the layers): every other
 * file of the folder interns through it and looks objects up in it, and it
 * calls none of them.  Names are interned once in a GStringChunk (equal
 * names are equal pointers, so label matching compares pointers).  Every
 * lookup a request makes (a pod by address, a service by ClusterIP or name)
 * is one hash-table probe; the iterators hand out the creation-ordered
 * arrays one element at a time, so no caller outside src/world depends on
 * how the world stores them.
 *
 * Rules: R2 (names unique per kind within a namespace), R10 (selectors).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "world/world-private.h"

G_DEFINE_QUARK(rs-world-error-quark, rs_world_error)

/* Interns a string for the world's life (NULL stays NULL). */
const char *
rs_world_intern(RsWorld *w, const char *s)
{
    return s == NULL ? NULL : g_string_chunk_insert_const(w->strings, s);
}

/* "a" "sep" "b" into buf (`size` bytes), cut to fit as g_snprintf would
 * cut it; returns buf.  By copies: building a world of 10^5 namespaces
 * makes a few such keys per object, and g_snprintf cost ~700 instructions
 * a key (issue 14). */
char *
rs_world_join(char *buf, size_t size, const char *a, const char *sep, const char *b)
{
    /* Byte by byte: the parts are short (a label, a name), and a strlen and
     * a memcpy call per part cost more than the copy (issue 14). */
    const char *parts[3] = {a, sep, b};
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p != '\0' && n < size - 1; p++)
            buf[n++] = *p;
    buf[n] = '\0';
    return buf;
}

/* Interns "ns/name". */
const char *
rs_world_intern_full(RsWorld *w, const char *ns, const char *name)
{
    char buf[512];
    return rs_world_intern(w, rs_world_join(buf, sizeof buf, ns, "/", name));
}

/* Whether two probes are the same (R52, R53). */
static bool
probe_equal(const RsProbeSpec *a, const RsProbeSpec *b)
{
    return a->set == b->set && (!a->set || (a->period == b->period && a->initial_delay == b->initial_delay &&
                                            a->failure_threshold == b->failure_threshold &&
                                            a->success_threshold == b->success_threshold));
}

/* Whether two templates would make identical pods (an apply that changes
 * nothing starts no rollout, as in Kubernetes). */
bool
rs_template_equal(const RsTemplate *a, const RsTemplate *b)
{
    if (a->n_labels != b->n_labels || a->n_ports != b->n_ports || a->protocol != b->protocol ||
        a->startup != b->startup || a->service_time != b->service_time ||
        a->concurrency != b->concurrency || a->pre_stop != b->pre_stop ||
        a->termination_grace != b->termination_grace ||
        !probe_equal(&a->readiness, &b->readiness) || !probe_equal(&a->liveness, &b->liveness))
        return false;
    for (unsigned i = 0; i < a->n_labels; i++) {
        if (a->labels[i].key != b->labels[i].key || a->labels[i].value != b->labels[i].value)
            return false;
    }
    for (unsigned i = 0; i < a->n_ports; i++) {
        if (a->ports[i].port != b->ports[i].port || a->ports[i].name != b->ports[i].name ||
            a->ports[i].tls != b->ports[i].tls)
            return false;
    }
    return true;
}

/* Whether every selector label is among the template's labels (interned:
 * pointer comparison).  An empty selector selects nothing: a Kubernetes
 * service without a selector gets no endpoints automatically. */
bool
rs_labels_match(const RsWLabel *sel, unsigned n_sel, const RsTemplate *t)
{
    if (n_sel == 0)
        return false;
    for (unsigned i = 0; i < n_sel; i++) {
        bool found = false;
        for (unsigned j = 0; j < t->n_labels && !found; j++)
            found = t->labels[j].key == sel[i].key && t->labels[j].value == sel[i].value;
        if (!found)
            return false;
    }
    return true;
}

/* The namespace called `ns`, or NULL. */
RsNamespace *
rs_world_namespace(const RsWorld *w, const char *ns)
{
    return g_hash_table_lookup(w->ns_by_name, ns);
}

/* Looks up "ns/name" in a table keyed by full names, without allocating. */
static gpointer
lookup_full(GHashTable *t, const char *ns, const char *name)
{
    char buf[512];
    size_t a = strlen(ns), b = strlen(name);
    if (a + 1 + b >= sizeof buf)
        return NULL;
    /* "ns/name" by copies, not g_snprintf: this is on the request path */
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the prefix; the last memcpy copies name's NUL */
    memcpy(buf, ns, a);
    buf[a] = '/';
    memcpy(buf + a + 1, name, b + 1);
    return g_hash_table_lookup(t, buf);
}

/* The latest pod called ns/name (it may be gone), or NULL if none ever was. */
RsPod *
rs_world_pod(const RsWorld *w, const char *ns, const char *name)
{
    return lookup_full(w->pod_by_name, ns, name);
}

/* Same as rs_world_pod with "ns/name". */
RsPod *
rs_world_pod_full(const RsWorld *w, const char *full)
{
    return g_hash_table_lookup(w->pod_by_name, full);
}

/* The home cell of `ip` in a table of mask + 1 cells. */
static inline uint32_t
ip_home(uint32_t ip, uint32_t mask)
{
    return (uint32_t)(((uint64_t)ip * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;
}

/* An empty address table. */
void
rs_ip_map_init(RsIpMap *m)
{
    m->mask = 15;
    m->len = 0;
    m->cells = g_new0(struct RsIpCell, m->mask + 1);
}

/* Frees an address table's cells. */
void
rs_ip_map_clear(RsIpMap *m)
{
    g_clear_pointer(&m->cells, g_free);
    m->mask = m->len = 0;
}

/* The object at `ip`, or NULL. */
void *
rs_ip_map_get(const RsIpMap *m, uint32_t ip)
{
    for (uint32_t k = ip_home(ip, m->mask);; k = (k + 1) & m->mask) {
        const struct RsIpCell *c = &m->cells[k];
        if (c->obj == NULL || c->ip == ip)
            return c->obj;
    }
}

/* Sets the object at `ip` (replacing any). */
void
rs_ip_map_put(RsIpMap *m, uint32_t ip, void *obj)
{
    g_assert(obj != NULL);
    if (2 * (m->len + 1) > m->mask + 1) {
        RsIpMap big = {g_new0(struct RsIpCell, 2 * ((size_t)m->mask + 1)), 2 * m->mask + 1, 0};
        for (uint32_t k = 0; k <= m->mask; k++)
            if (m->cells[k].obj != NULL)
                rs_ip_map_put(&big, m->cells[k].ip, m->cells[k].obj);
        g_free(m->cells);
        *m = big;
    }
    uint32_t k = ip_home(ip, m->mask);
    while (m->cells[k].obj != NULL && m->cells[k].ip != ip)
        k = (k + 1) & m->mask;
    if (m->cells[k].obj == NULL)
        m->len++;
    m->cells[k].ip = ip;
    m->cells[k].obj = obj;
}

/* Removes `ip` (if present): the cells after it that would not be found
 * past the hole move back into it (linear probing's deletion). */
void
rs_ip_map_remove(RsIpMap *m, uint32_t ip)
{
    uint32_t i = ip_home(ip, m->mask);
    for (;; i = (i + 1) & m->mask) {
        if (m->cells[i].obj == NULL)
            return;
        if (m->cells[i].ip == ip)
            break;
    }
    m->cells[i].obj = NULL;
    m->len--;
    for (uint32_t j = (i + 1) & m->mask; m->cells[j].obj != NULL; j = (j + 1) & m->mask) {
        /* the cell at j may move to the hole at i unless its home is in (i, j] */
        uint32_t h = ip_home(m->cells[j].ip, m->mask);
        bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
        if (stays)
            continue;
        m->cells[i] = m->cells[j];
        m->cells[j].obj = NULL;
        i = j;
    }
}

/* The pod holding `ip` now, or NULL. */
RsPod *
rs_world_pod_at(const RsWorld *w, uint32_t ip)
{
    return rs_ip_map_get(&w->pod_by_ip, ip);
}

/* The live deployment ns/name, or NULL. */
RsWorkload *
rs_world_workload(const RsWorld *w, const char *ns, const char *name)
{
    return lookup_full(w->wl_by_name, ns, name);
}

/* The live service ns/name, or NULL. */
RsService *
rs_world_service(const RsWorld *w, const char *ns, const char *name)
{
    return lookup_full(w->svc_by_name, ns, name);
}

/* The service whose ClusterIP is `ip` in the data plane, or NULL. */
RsService *
rs_world_service_at(const RsWorld *w, uint32_t ip)
{
    return rs_ip_map_get(&w->svc_by_ip, ip);
}

/* The live service "ns/name", or NULL. */
RsService *
rs_world_service_full(const RsWorld *w, const char *full)
{
    return g_hash_table_lookup(w->svc_by_name, full);
}

/* The live route "ns/name", or NULL (no routes yet: none). */
RsRoute *
rs_world_route_full(const RsWorld *w, const char *full)
{
    return w->route_by_name != NULL ? g_hash_table_lookup(w->route_by_name, full) : NULL;
}

/* The live routes claiming `host`, oldest first (R22). */
RsRoute *const *
rs_world_routes_of_host(const RsWorld *w, const char *host, unsigned *n)
{
    GPtrArray *routes = w->routes_by_host != NULL ? g_hash_table_lookup(w->routes_by_host, host) : NULL;
    *n = routes != NULL ? routes->len : 0;
    return routes != NULL ? (RsRoute *const *)routes->pdata : NULL;
}

/* Element i of an owning array that may not exist yet (routes before routes_init). */
static gpointer
nth(const GPtrArray *a, unsigned i)
{
    g_assert(a != NULL && i < a->len);
    return a->pdata[i];
}

/* The number of elements of an array that may not exist yet. */
static unsigned
count(const GPtrArray *a)
{
    return a != NULL ? a->len : 0;
}

/* Namespaces in file order. */
unsigned
rs_world_n_namespaces(const RsWorld *w)
{
    return count(w->namespaces);
}

RsNamespace *
rs_world_namespace_nth(const RsWorld *w, unsigned i)
{
    return nth(w->namespaces, i);
}

/* Every pod ever created, in creation order (gone ones included). */
unsigned
rs_world_n_pods(const RsWorld *w)
{
    return count(w->pods);
}

RsPod *
rs_world_pod_nth(const RsWorld *w, unsigned i)
{
    return nth(w->pods, i);
}

/* Every deployment ever created, in creation order (removed ones included). */
unsigned
rs_world_n_workloads(const RsWorld *w)
{
    return count(w->workloads);
}

RsWorkload *
rs_world_workload_nth(const RsWorld *w, unsigned i)
{
    return nth(w->workloads, i);
}

/* Every service ever created, in creation order (removed ones included). */
unsigned
rs_world_n_services(const RsWorld *w)
{
    return count(w->services);
}

RsService *
rs_world_service_nth(const RsWorld *w, unsigned i)
{
    return nth(w->services, i);
}

/* Every route ever created, in creation order (removed ones included). */
unsigned
rs_world_n_routes(const RsWorld *w)
{
    return count(w->routes);
}

RsRoute *
rs_world_route_nth(const RsWorld *w, unsigned i)
{
    return nth(w->routes, i);
}

/* A namespace's live services, in creation order. */
unsigned
rs_namespace_n_services(const RsNamespace *ns)
{
    return count(ns->services);
}

RsService *
rs_namespace_service_nth(const RsNamespace *ns, unsigned i)
{
    return nth(ns->services, i);
}

/* Sets who hears that a pod stopped answering (R6, R7). */
void
rs_world_on_pod_stopped(RsWorld *w, RsPodStopFn fn, void *data)
{
    w->pod_stopped = fn;
    w->pod_stopped_data = data;
}

/* Sets who hears that a router replica failed (R30). */
void
rs_world_on_router_failed(RsWorld *w, RsRouterFailFn fn, void *data)
{
    w->router_failed = fn;
    w->router_failed_data = data;
}
