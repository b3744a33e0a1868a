/* build.c: building the truth from a scenario, and freeing it.
 *
 * WHAT IT MODELS
 * --------------
 * The cluster as the API server knows it (R2): namespaces holding
 * deployments, bare pods and services, every name unique per kind within its
 * namespace.  rs_world_new turns the validated scenario into world objects
 * at the engine's current time: in file order, each namespace's deployments
 * create their pods (addresses in that order, R3), then its bare pods, then
 * its services (ClusterIPs in that order, R10).  Nothing is ready at that
 * instant: pods become ready `startup` later (R5) and each service's data
 * plane learns its endpoints `endpoint_delay` after each change (R15).
 *
 * THE STRUCTURE
 * -------------
 * Objects are created once and never freed before the world: a gone pod
 * stays reachable by name for `@ns/pod` and state queries (the lookups and
 * interning live in registry.c).  The scenario's specs are converted into
 * world-owned templates and service definitions here, so the world never
 * points into the RsScenario.  The builder is the top of src/world but for
 * the scenario's events (world-private.h): it may call every file below
 * it, and it installs the hooks through which a lower file tells a higher
 * one about a change.
 *
 * Rules: R2, R3 (pod pool), R10 (service pool and fixed addresses).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rahtisim/lb.h"
#include "rahtisim/policy.h"
#include "world/world-private.h"

/* Interns a label list into a world-owned array (in the arena). */
static RsWLabel *
intern_labels(RsWorld *w, const RsLabel *l, unsigned n)
{
    RsWLabel *out = rs_world_new0(w, RsWLabel, n);
    for (unsigned i = 0; i < n; i++) {
        out[i].key = rs_world_intern(w, l[i].key);
        out[i].value = rs_world_intern(w, l[i].value);
    }
    return out;
}

/* Converts a workload spec into a world-owned pod template (in the arena,
 * as its arrays); notes the first privileged port, which makes every pod of
 * it fail (R4). */
RsTemplate *
rs_world_template(RsWorld *w, const RsWorkloadSpec *spec)
{
    RsTemplate *t = rs_world_new0(w, RsTemplate, 1);
    t->labels = intern_labels(w, spec->labels, spec->n_labels);
    t->n_labels = spec->n_labels;
    t->ports = rs_world_new0(w, RsPodPort, spec->n_ports);
    t->n_ports = spec->n_ports;
    t->privileged_port = -1;
    for (unsigned i = 0; i < spec->n_ports; i++) {
        t->ports[i].port = spec->ports[i].port;
        t->ports[i].name = rs_world_intern(w, spec->ports[i].name);
        t->ports[i].tls = rs_world_intern(w, spec->ports[i].tls);
        if (spec->ports[i].port < 1024 && t->privileged_port < 0)
            t->privileged_port = spec->ports[i].port;     /* R4 */
    }
    t->protocol = spec->protocol;
    t->startup = spec->startup;
    t->service_time = spec->service_time;
    t->concurrency = spec->concurrency ? spec->concurrency : 1;
    t->readiness = spec->readiness;         /* R52 */
    t->liveness = spec->liveness;           /* R53 */
    t->pre_stop = spec->pre_stop;           /* R55 */
    t->termination_grace = spec->termination_grace;
    return t;
}

/* Converts a service spec into a world-owned definition (in the arena). */
RsSvcDef *
rs_world_svc_def(RsWorld *w, const RsServiceSpec *spec)
{
    RsSvcDef *d = rs_world_new0(w, RsSvcDef, 1);
    d->name = rs_world_intern(w, spec->name);
    d->selector = intern_labels(w, spec->selector, spec->n_selector);
    d->n_selector = spec->n_selector;
    d->ports = rs_world_new0(w, RsSvcPort, spec->n_ports);
    d->n_ports = spec->n_ports;
    for (unsigned i = 0; i < spec->n_ports; i++) {
        d->ports[i].port = spec->ports[i].port;
        /* Kubernetes: an omitted targetPort is the port itself (R11). */
        d->ports[i].target_port = spec->ports[i].target_port;
        d->ports[i].target_name = rs_world_intern(w, spec->ports[i].target_name);
        if (d->ports[i].target_port == 0 && d->ports[i].target_name == NULL)
            d->ports[i].target_port = spec->ports[i].port;
        d->ports[i].name = rs_world_intern(w, spec->ports[i].name);
    }
    d->balance = spec->balance;
    d->affinity = spec->affinity;
    d->ip_mode = spec->cluster_ip_mode;
    d->fixed_ip = spec->cluster_ip;
    d->type = spec->type;       /* R48, R49 */
    d->etp = spec->etp;
    for (unsigned i = 0; i < spec->n_annotations; i++)
        if (strcmp(spec->annotations[i].key, RS_LB_SHARE_KEY) == 0)
            d->lb_share = rs_world_intern(w, spec->annotations[i].value);
    return d;
}

/* Frees a namespace's parts (it is in the arena). */
static void
namespace_free(RsNamespace *ns)
{
    g_ptr_array_unref(ns->services);
}

/* Frees a deployment. */
static void
workload_free(RsWorkload *wl)
{
    g_ptr_array_unref(wl->pods);
    g_ptr_array_unref(wl->old);
    g_array_unref(wl->ready_log);
    g_ptr_array_unref(wl->ready);
    g_free(wl);
}

/* Frees a log entry's sentence. */
static void
log_entry_clear(gpointer p)
{
    g_free(((RsLogEntry *)p)->text);
}

/* Creates a namespace (R2). */
static RsNamespace *
add_namespace(RsWorld *w, const char *name)
{
    RsNamespace *ns = rs_world_new0(w, RsNamespace, 1);
    ns->world = w;
    ns->name = rs_world_intern(w, name);
    ns->index = w->namespaces->len;
    ns->services = g_ptr_array_new();
    g_ptr_array_add(w->namespaces, ns);
    rs_name_map_put(&w->ns_by_name, ns->name, ns);
    return ns;
}

/* The namespace `name`, created if an apply names a new one. */
RsNamespace *
rs_world_ensure_namespace(RsWorld *w, const char *name)
{
    RsNamespace *ns = rs_world_namespace(w, name);
    if (ns == NULL) {
        ns = add_namespace(w, name);
        rs_world_assign_egress(w, ns, false);   /* R32: the shared address */
    }
    return ns;
}

/* Formats "FILE:LINE:COL: PATH: " for errors about a scenario object. */
static char *
pos_prefix(const RsScenario *sc, const RsSrcPos *pos)
{
    return g_strdup_printf("%s:%d:%d: %s: ", sc->file ? sc->file : "<scenario>", pos->line,
                           pos->col, pos->path ? pos->path : "");
}

/* Reserves the fixed ClusterIPs of the file's services before any automatic
 * allocation, so that file order cannot make an automatic address collide
 * with a fixed one (R10). */
static bool
reserve_fixed_ips(RsWorld *w, const RsScenario *sc, GError **error)
{
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *nss = &sc->namespaces[i];
        for (unsigned j = 0; j < nss->n_services; j++) {
            const RsServiceSpec *s = &nss->services[j];
            if (s->cluster_ip_mode != RS_CLUSTER_IP_FIXED)
                continue;
            if (!rs_addr_pool_reserve(&w->svc_pool, s->cluster_ip)) {
                g_autofree char *where = pos_prefix(sc, &s->pos);
                char buf[16];
                bool inside = rs_addr_pool_contains(&w->svc_pool, s->cluster_ip);
                g_set_error(error, RS_WORLD_ERROR, RS_WORLD_ERROR_INVALID,
                            "%scluster_ip %s %s (R10)", where,
                            rs_ipv4_format(s->cluster_ip, buf),
                            inside ? "is already taken (the DNS service, the API service or another service)"
                                   : "is not a usable address of the service network");
                return false;
            }
        }
    }
    return true;
}

/* C10: a requester's stream of an entity, keyed by (entity stream, requester). */
typedef struct {
    const RsRng *entity;
    uint64_t requester;
    RsRng rng;
} ReqStream;

/* Hashes a ReqStream key (the pointer only orders nothing: no iteration). */
static guint
stream_key_hash(gconstpointer k)
{
    const ReqStream *s = k;
    uint64_t x = (uint64_t)(uintptr_t)s->entity * UINT64_C(0x9e3779b97f4a7c15) ^ s->requester;
    return (guint)(x ^ (x >> 32));
}

/* Compares two ReqStream keys. */
static gboolean
stream_key_equal(gconstpointer a, gconstpointer b)
{
    const ReqStream *x = a, *y = b;
    return x->entity == y->entity && x->requester == y->requester;
}

/* The stream of (entity, requester); see world.h. */
RsRng *
rs_world_rng(RsWorld *w, const RsRng *entity, uint64_t requester)
{
    ReqStream key = {.entity = entity, .requester = requester};
    /* The cache holds entries of the table, which are never removed before
     * the world is freed, so a hit is the entry the table would return. */
    guint slot = stream_key_hash(&key) & (w->stream_cache_size - 1);
    ReqStream *s = w->stream_cache[slot];
    if (s != NULL && s->entity == entity && s->requester == requester)
        return &s->rng;
    s = g_hash_table_lookup(w->req_streams, &key);
    if (s == NULL) {
        s = g_new(ReqStream, 1);
        *s = key;
        rs_rng_derive(&s->rng, entity, requester);
        g_hash_table_add(w->req_streams, s);
        if (g_hash_table_size(w->req_streams) > w->stream_cache_size / 2 &&
            w->stream_cache_size < RS_STREAM_CACHE_MAX) {
            /* a bigger, empty cache: it only ever holds the table's entries */
            g_free(w->stream_cache);
            w->stream_cache_size *= 4;
            w->stream_cache = g_new0(void *, w->stream_cache_size);
            slot = stream_key_hash(&key) & (w->stream_cache_size - 1);
        }
    }
    w->stream_cache[slot] = s;
    return &s->rng;
}


/* Prepares a namespace the first pass will build (RsAheadStage): its name,
 * its deployments' and bare pods' full names. */
static void
ahead_pods(RsWorld *w, const RsNamespaceSpec *nss, unsigned stage)
{
    const RsWorkloadSpec *lists[2] = {nss->deployments, nss->pods};
    unsigned n[2] = {nss->n_deployments, nss->n_pods};
    switch (stage) {
    case RS_AHEAD_ARRAYS:
        for (int l = 0; l < 2; l++)
            if (n[l] > 0)
                __builtin_prefetch(lists[l]);
        break;
    case RS_AHEAD_STRINGS:
        __builtin_prefetch(nss->name);
        for (int l = 0; l < 2; l++)
            for (unsigned j = 0; j < n[l]; j++)
                __builtin_prefetch(lists[l][j].name);
        break;
    case RS_AHEAD_CELLS:
        rs_world_intern_prefetch(w, nss->name);
        for (int l = 0; l < 2; l++)
            for (unsigned j = 0; j < n[l]; j++)
                rs_world_intern_full_prefetch(w, nss->name, lists[l][j].name);
        break;
    default:
        rs_name_map_prefetch(&w->ns_by_name, rs_world_intern(w, nss->name));
        for (int l = 0; l < 2; l++)
            for (unsigned j = 0; j < n[l]; j++)
                rs_name_map_prefetch(l == 0 ? &w->wl_by_name : &w->pod_by_name,
                                     rs_world_intern_full(w, nss->name, lists[l][j].name));
        break;
    }
}

/* Prepares a namespace the second pass will build: its services' full names. */
static void
ahead_services(RsWorld *w, const RsNamespaceSpec *nss, unsigned stage)
{
    if (nss->n_services == 0)
        return;
    for (unsigned j = 0; j < nss->n_services; j++) {
        const char *name = nss->services[j].name;
        switch (stage) {
        case RS_AHEAD_ARRAYS:
            if (j == 0)
                __builtin_prefetch(nss->services);
            break;
        case RS_AHEAD_STRINGS:
            __builtin_prefetch(name);
            break;
        case RS_AHEAD_CELLS:
            rs_world_intern_full_prefetch(w, nss->name, name);
            break;
        default:
            rs_name_map_prefetch(&w->svc_by_name, rs_world_intern_full(w, nss->name, name));
            break;
        }
    }
}

/* Builds the world of `sc` now (its events are scheduled by
 * rs_world_schedule_events), and installs the hooks between src/world's files. */
RsWorld *
rs_world_new(RsEngine *eng, const RsScenario *sc, uint64_t seed, GError **error)
{
    g_autoptr(RsWorld) w = g_new0(RsWorld, 1);
    const RsProfile *p = &sc->profile;
    w->eng = eng;
    w->seed = seed;
    w->dns_epoch = 1;           /* a zeroed RsDnsCache (epoch 0) is empty (dns.h) */
    w->hooks.pod_eligibility = rs_world_pod_endpoints_changed;     /* R15 */
    w->hooks.edge_changed = rs_router_changed;                     /* R28 */
    w->hooks.workload_changed = rs_rollout_reconcile;              /* R54 */
    w->namespaces = g_ptr_array_new_with_free_func((GDestroyNotify)namespace_free);
    w->workloads = g_ptr_array_new_with_free_func((GDestroyNotify)workload_free);
    w->pods = g_ptr_array_new();        /* the pods are in the arena */
    w->services = g_ptr_array_new_with_free_func((GDestroyNotify)rs_service_free);
    w->scratch_svcs = g_ptr_array_new();
    w->req_streams = g_hash_table_new_full(stream_key_hash, stream_key_equal, g_free, NULL);
    w->stream_cache_size = RS_STREAM_CACHE;
    w->stream_cache = g_new0(void *, RS_STREAM_CACHE);
    w->events = g_ptr_array_new_with_free_func(g_free);
    rs_ip_map_init(&w->pod_by_ip);
    rs_ip_map_init(&w->svc_by_ip);
    size_t n_pods = 0, n_svcs = 0, n_routes = 0;
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *nss = &sc->namespaces[i];
        n_pods += nss->n_pods;
        for (unsigned j = 0; j < nss->n_deployments; j++)
            n_pods += nss->deployments[j].replicas;
        n_svcs += nss->n_services;
        n_routes += nss->n_routes;
    }
    rs_world_reserve(w, sc->n_namespaces, n_pods, n_svcs, n_routes);
    w->log = g_array_new(FALSE, TRUE, sizeof(RsLogEntry));
    w->no_log = sc->no_event_log;
    g_array_set_clear_func(w->log, log_entry_clear);

    w->cluster_domain = rs_world_intern(w, p->cluster_domain ? p->cluster_domain : "cluster.local");
    w->app_domain = rs_world_intern(w, p->app_domain);
    w->router_canonical = rs_world_intern(w, p->router_canonical);
    w->par = p->par;
    w->n_whitelist_keys = p->n_whitelist_annotations;
    w->whitelist_keys = g_new0(const char *, p->n_whitelist_annotations + 1);
    for (unsigned i = 0; i < p->n_whitelist_annotations; i++)
        w->whitelist_keys[i] = rs_world_intern(w, p->whitelist_annotations[i]);
    /* R25: rahti-1 runs OKD 3.11's template (runs of spaces), rahti-2 OKD 4's
     * parseIPList (any whitespace); a platform object keeps its profile's name. */
    w->wl_syntax = p->name != NULL && strcmp(p->name, "rahti-1") == 0 ? RS_WL_SPACES : RS_WL_WHITESPACE;
    w->haproxy18 = p->name != NULL && strcmp(p->name, "rahti-1") == 0;
    w->egress_default = p->egress_ip;
    w->n_egress_pool = p->n_egress_pool;
    w->egress_pool = g_memdup2(p->egress_pool, (p->n_egress_pool ? p->n_egress_pool : 1) * sizeof(uint32_t));
    rs_router_init(w, p->router_replicas);
    rs_world_add_hosts(w, sc);

    rs_addr_pool_init(&w->pod_pool, p->pod_net, p->pod_prefix);
    rs_addr_pool_init(&w->svc_pool, p->service_net, p->service_prefix);
    /* R10: .1 is kubernetes.default and the DNS service (.10) has its own
     * address; neither goes to a scenario's service. */
    rs_addr_pool_reserve(&w->svc_pool, (uint32_t)(w->svc_pool.net + 1));
    rs_addr_pool_reserve(&w->svc_pool, w->par.dns_server);
    /* R10: automatic ClusterIPs come from the upper band first, as since
     * Kubernetes 1.26 (band = min(max(16, size/16), 256) addresses). */
    uint64_t band = MIN(MAX(UINT64_C(16), w->svc_pool.size / 16), UINT64_C(256));
    if (band < w->svc_pool.size - 1)
        rs_addr_pool_set_next(&w->svc_pool, (uint32_t)(w->svc_pool.net + band));
    if (!reserve_fixed_ips(w, sc, error))
        return NULL;
    bool ahead = rs_world_worth_ahead(w);

    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *nss = &sc->namespaces[i];
        for (unsigned s = 0; ahead && s < RS_STAGES; s++) {
            size_t k = i + (size_t)(RS_STAGES - s) * RS_PREFETCH_AHEAD;
            if (k < sc->n_namespaces)
                ahead_pods(w, &sc->namespaces[k], s);
        }
        RsNamespace *ns = add_namespace(w, nss->name);
        rs_world_assign_egress(w, ns, nss->dedicated_egress);    /* R33: file order */
        for (unsigned j = 0; j < nss->n_deployments; j++) {
            const RsWorkloadSpec *d = &nss->deployments[j];
            rs_world_add_deployment(w, ns, d->name, rs_world_template(w, d), d->replicas, &d->strategy);
        }
        for (unsigned j = 0; j < nss->n_pods; j++) {
            const RsWorkloadSpec *d = &nss->pods[j];
            rs_world_add_bare_pod(w, ns, d->name, rs_world_template(w, d));
        }
    }
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *nss = &sc->namespaces[i];
        RsNamespace *ns = w->namespaces->pdata[i];
        for (unsigned s = 0; ahead && s < RS_STAGES; s++) {
            size_t k = i + (size_t)(RS_STAGES - s) * RS_PREFETCH_AHEAD;
            if (k < sc->n_namespaces)
                ahead_services(w, &sc->namespaces[k], s);
        }
        for (unsigned j = 0; j < nss->n_services; j++) {
            RsSvcDef *def = rs_world_svc_def(w, &nss->services[j]);
            GError *err = NULL;
            if (rs_world_add_service(w, ns, def, true, &err) == NULL) {
                g_autofree char *where = pos_prefix(sc, &nss->services[j].pos);
                g_propagate_prefixed_error(error, err, "%s", where);
                return NULL;
            }
        }
    }
    rs_world_routes_init(w, sc);
    rs_policies_new(w, sc);     /* R39-R47 */
    rs_lb_init(w, sc);          /* R48 */
    return g_steal_pointer(&w);
}

/* Frees the world and everything it created. */
void
rs_world_free(RsWorld *w)
{
    if (w == NULL)
        return;
    /* Lookups first (they own nothing), then the owning arrays. */
    rs_name_map_clear(&w->ns_by_name);
    rs_name_map_clear(&w->pod_by_name);
    rs_ip_map_clear(&w->pod_by_ip);
    rs_name_map_clear(&w->wl_by_name);
    rs_name_map_clear(&w->svc_by_name);
    rs_ip_map_clear(&w->svc_by_ip);
    rs_router_free(w);
    g_clear_pointer(&w->pol, rs_policies_free);
    rs_lb_free(w);
    rs_world_routes_free(w);
    rs_world_hosts_free(w);
    g_clear_pointer(&w->whitelist_keys, g_free);
    g_clear_pointer(&w->egress_pool, g_free);
    g_clear_pointer(&w->services, g_ptr_array_unref);
    g_clear_pointer(&w->scratch_svcs, g_ptr_array_unref);
    g_clear_pointer(&w->req_streams, g_hash_table_destroy);
    g_clear_pointer(&w->stream_cache, g_free);
    g_clear_pointer(&w->workloads, g_ptr_array_unref);
    g_clear_pointer(&w->pods, g_ptr_array_unref);
    g_clear_pointer(&w->namespaces, g_ptr_array_unref);
    g_clear_pointer(&w->events, g_ptr_array_unref);
    g_clear_pointer(&w->log, g_array_unref);
    rs_addr_pool_clear(&w->pod_pool);
    rs_addr_pool_clear(&w->svc_pool);
    rs_world_arena_free(w);
    g_free(w);
}
