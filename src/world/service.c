/* service.c: services, their ClusterIPs and the data plane's view (R10-R16).
 *
 * WHAT IT MODELS
 * --------------
 * A service has a stable ClusterIP (R10; none when headless, R16), exports
 * ports that forward to target ports by number or by name, resolved per pod
 * (R11), and balances each new connection over its ready endpoints (R13).
 *
 * THE VIEW (R15)
 * --------------
 * The truth (which ready pods a service selects) changes at once; the data
 * plane (kube-proxy's iptables rules on every node) learns it
 * `endpoint_delay` later.  Each change of a service's truth takes a snapshot
 * (RsSvcView: per service port, the array of (pod, target port) endpoints
 * in pod creation order) and schedules its installation at now +
 * endpoint_delay.  Snapshots are installed in the order they were made, so
 * the data plane replays the truth exactly, delayed; several changes at the
 * same instant make one snapshot.  Requests only read the installed view:
 * before the first installation there are no rules for the ClusterIP at all
 * (packets to it go nowhere); after a crash the crashed pod stays in the
 * view until its detection has propagated.
 *
 * WHAT IT COSTS
 * -------------
 * A snapshot costs O(pods selected) and happens only on changes (events),
 * never per request.  Picking an endpoint is O(1): an array index for
 * random and round-robin, one hash probe for client-ip affinity.
 *
 * SIMPLIFIED
 * ----------
 * One view for the whole cluster: every node's kube-proxy syncs at the same
 * moment.  A service port whose named target port a pod lacks leaves that pod
 * out of that port's endpoints, as the EndpointSlice controller does.
 *
 * Rules: R10, R11, R13, R14 (data for it), R15, R16.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rahtisim/lb.h"
#include "world/world-private.h"

#define AFFINITY_TIMEOUT (10800 * RS_SEC)   /* R13: sessionAffinity ClientIP default */

typedef struct {
    gint64 key;                 /* client address << 16 | service port */
    RsPod *pod;
    rs_time_t last;             /* last connection that used it */
} AffinityEntry;

/* ---- the selector index: which services may select a pod ----
 *
 * Each live service with a selector is listed under its FIRST selector
 * label (interned key and value: hashed and compared by pointer) in the
 * world's label index (RsLabelIndex, registry.c).  A service selects a pod only if the pod carries
 * that label, so the services of a pod are found by one probe per pod label
 * and a full match of the few services listed there, instead of matching
 * every service of the namespace on every pod event (which made building a
 * world of P pods and S services O(P x S); docs/performance.md). */

/* Lists a live service under its first selector label (none: not listed,
 * an empty selector selects nothing). */
static void
index_service(RsWorld *w, RsService *svc)
{
    const RsSvcDef *d = svc->def;
    svc->index_entry = NULL;
    if (d->n_selector == 0)
        return;
    RsLabelEntry *e = rs_label_make(w, svc->ns, &d->selector[0]);
    e->svcs = rs_world_array_room(w, e->svcs, e->n_svcs, &e->cap_svcs, sizeof *e->svcs);
    e->svcs[e->n_svcs++] = svc;
    svc->index_entry = e;
}

/* Takes a service off the index (removed, or its selector changes); the
 * rest keep their order. */
static void
unindex_service(RsService *svc)
{
    RsLabelEntry *e = svc->index_entry;
    for (unsigned k = 0; e != NULL && k < e->n_svcs; k++) {
        if (e->svcs[k] == svc) {
            memmove(&e->svcs[k], &e->svcs[k + 1], (e->n_svcs - k - 1) * sizeof *e->svcs);
            e->n_svcs--;
            break;
        }
    }
    svc->index_entry = NULL;
}

/* Orders services by creation. */
static gint
svc_by_serial(gconstpointer a, gconstpointer b)
{
    const RsService *x = *(RsService *const *)a, *y = *(RsService *const *)b;
    return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* The live services selecting a pod, in creation order; see world.h. */
void
rs_services_selecting(const RsPod *pod, GPtrArray *out)
{
    guint first = out->len;
    const RsTemplate *t = pod->tmpl;
    for (unsigned i = 0; i < t->n_labels; i++) {
        const RsLabelEntry *e = rs_label_find(pod->ns->world, pod->ns, &t->labels[i]);
        for (unsigned j = 0; e != NULL && j < e->n_svcs; j++) {
            RsService *svc = e->svcs[j];
            if (rs_labels_match(svc->def->selector, svc->def->n_selector, t))
                g_ptr_array_add(out, svc);
        }
    }
    guint n = out->len - first;
    if (n < 2)
        return;
    /* the order of ns->services (creation order), which the views' events follow */
    qsort(out->pdata + first, n, sizeof(gpointer), (int (*)(const void *, const void *))svc_by_serial);
    guint k = first + 1;
    for (guint i = first + 1; i < out->len; i++) {
        if (out->pdata[i] != out->pdata[k - 1])     /* a label listed twice: once */
            out->pdata[k++] = out->pdata[i];
    }
    g_ptr_array_set_size(out, (gint)k);
}

/* Frees a view and its arrays. */
void
rs_svc_view_free(RsSvcView *v)
{
    if (v == NULL)
        return;
    for (unsigned i = 0; i < v->n_ports; i++) {
        g_free(v->ports[i].eps);
        if (v->ports[i].index != NULL)
            g_hash_table_destroy(v->ports[i].index);
    }
    g_free(v->pods);
    g_free(v);                  /* and its ports, made in the same block (snapshot) */
}

/* Frees a service's views (the service is in the arena). */
void
rs_service_free(RsService *svc)
{
    rs_svc_view_free(svc->view);
    GList *l;
    while ((l = g_queue_pop_head_link(&svc->pending)) != NULL)
        rs_svc_view_free(l->data);
    if (svc->affinity != NULL)
        g_hash_table_destroy(svc->affinity);
}

/* Sorts pods by creation order. */
static gint
by_serial(gconstpointer a, gconstpointer b)
{
    const RsPod *pa = *(RsPod *const *)a, *pb = *(RsPod *const *)b;
    return pa->serial < pb->serial ? -1 : pa->serial > pb->serial;
}

static bool target_of(const RsSvcPort *sp, const RsPod *p, uint16_t *target);

/* The ports follow the view in its block (snapshot). */
G_STATIC_ASSERT(sizeof(RsSvcView) % G_ALIGNOF(RsViewPort) == 0);

/* Takes a snapshot of what the truth says the service's endpoints are. */
static RsSvcView *
snapshot(RsWorld *w, RsService *svc)
{
    const RsSvcDef *d = svc->def;
    /* The view and its ports in one block: a snapshot per service and
     * change (issue 14); a gone view has no ports. */
    size_t n_ports = svc->removed ? 0 : (d->n_ports ? d->n_ports : 1);
    RsSvcView *v = g_malloc0(sizeof(RsSvcView) + n_ports * sizeof(RsViewPort));
    v->svc = svc;
    v->made = rs_engine_now(w->eng);
    if (svc->removed) {
        v->gone = true;
        return v;
    }
    /* The pods go straight into v->pods, sized by the candidates (no
     * temporary array: a snapshot per service at its creation). */
    /* The label index narrows the candidates to pods carrying the first
     * selector label; the rest are checked per pod.  A live service with a
     * selector is listed under that label: index_entry is its entry
     * (index_service), no probe of the index (issue 14: a cache miss per
     * snapshot, and per route at each reload, at 10^5 namespaces). */
    const RsLabelEntry *cands = d->n_selector > 0 ? svc->index_entry : NULL;
    /* no candidates: no arrays (NULL, capacity 0), as for every service
     * at its creation (issue 14: two blocks less per snapshot) */
    v->cap_pods = cands != NULL ? cands->n_pods : 0;
    v->pods = v->cap_pods > 0 ? g_new(RsPod *, v->cap_pods) : NULL;
    for (unsigned i = 0; cands != NULL && i < cands->n_pods; i++) {
        RsPod *p = cands->pods[i];
        if (p->api_ready && rs_labels_match(d->selector, d->n_selector, p->tmpl))
            v->pods[v->n_pods++] = p;
    }
    if (v->n_pods > 1)
        qsort(v->pods, v->n_pods, sizeof(RsPod *), (int (*)(const void *, const void *))by_serial);
    unsigned n_pods = v->n_pods;
    v->n_ports = d->n_ports;
    v->ports = (RsViewPort *)(void *)(v + 1);
    for (unsigned i = 0; i < d->n_ports; i++) {
        RsViewPort *vp = &v->ports[i];
        vp->port = d->ports[i].port;
        vp->cap_eps = n_pods;
        vp->eps = n_pods > 0 ? g_new(RsEndpoint, vp->cap_eps) : NULL;
        if (d->affinity == RS_AFFINITY_CLIENT_IP)
            vp->index = g_hash_table_new(g_direct_hash, g_direct_equal);
        for (unsigned j = 0; j < n_pods; j++) {
            RsPod *p = v->pods[j];
            uint16_t target;
            if (!target_of(&d->ports[i], p, &target))
                continue;       /* R11: a named target port is looked up in each pod's ports */
            vp->eps[vp->n_eps] = (RsEndpoint){p, target};
            vp->n_eps++;
            if (vp->index != NULL)
                g_hash_table_insert(vp->index, p, GUINT_TO_POINTER(vp->n_eps));
        }
    }
    return v;
}

/* Writes the pod names of a view for the log, at most a few. */
static void
describe_view(const RsSvcView *v, GString *s)
{
    if (v->n_pods == 0) {
        g_string_append(s, "no endpoints");
        return;
    }
    g_string_append_printf(s, "%u endpoint%s (", v->n_pods, v->n_pods == 1 ? "" : "s");
    for (unsigned i = 0; i < v->n_pods && i < 6; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", v->pods[i]->name);
    if (v->n_pods > 6)
        g_string_append_printf(s, " and %u more", v->n_pods - 6);
    g_string_append_c(s, ')');
}

/* Event: the oldest pending snapshot reaches the data plane (R15). */
static void
on_view_install(RsEngine *eng, void *obj, uint64_t arg)
{
    RsService *svc = obj;
    RsWorld *w = svc->ns->world;
    GList *l = g_queue_pop_head_link(&svc->pending);
    g_assert(l != NULL);
    RsSvcView *v = l->data;
    RsSvcView *old = svc->view;
    if (svc->headless)
        w->dns_epoch++;         /* R16: DNS answers with the endpoints of this view */
    if (v->gone) {
        svc->view = NULL;
        rs_svc_view_free(v);
        if (svc->has_ip && rs_world_service_at(w, svc->cluster_ip) == svc) {
            rs_ip_map_remove(&w->svc_by_ip, svc->cluster_ip);
            svc->at_ip = false;
        }
        rs_world_log(w, RS_R15, "the data plane drops the rules of the removed service %s", svc->full);
    } else {
        /* Round-robin positions survive a refresh, as IPVS keeps its own. */
        for (unsigned i = 0; old != NULL && i < v->n_ports; i++) {
            RsViewPort *o = rs_view_port(old, v->ports[i].port);
            if (o != NULL)
                v->ports[i].rr = o->rr;
        }
        svc->view = v;
        if (rs_world_logging(w)) {      /* (the pods' names: only for a log) */
            g_autoptr(GString) s = g_string_new(NULL);
            describe_view(v, s);
            rs_world_log(w, RS_R15, "the data plane of %s now has %s", svc->full, s->str);
        }
    }
    rs_svc_view_free(old);
    (void)eng; (void)arg;
}

/* The ready pods the API lists for a service now (R20: the router's source). */
void
rs_service_ready_pods(RsService *svc, GPtrArray *out)
{
    const RsSvcDef *d = svc->def;
    if (svc->removed || d->n_selector == 0)
        return;
    const RsLabelEntry *cands = svc->index_entry;    /* its first selector label's (snapshot) */
    unsigned first = out->len;
    for (unsigned i = 0; cands != NULL && i < cands->n_pods; i++) {
        RsPod *p = cands->pods[i];
        if (p->api_ready && rs_labels_match(d->selector, d->n_selector, p->tmpl))
            g_ptr_array_add(out, p);
    }
    if (out->len > first)
        qsort(out->pdata + first, out->len - first, sizeof(gpointer),
              (int (*)(const void *, const void *))by_serial);
}

/* The target port a service port reaches on pod `p`; false if the pod lacks
 * its named target port (R11: not an endpoint of that service port). */
static bool
target_of(const RsSvcPort *sp, const RsPod *p, uint16_t *target)
{
    *target = sp->target_port;
    if (sp->target_name == NULL)
        return true;
    const RsPodPort *pp = rs_pod_port_named(p, sp->target_name);
    if (pp == NULL)
        return false;
    *target = pp->port;
    return true;
}

/* The position of the first pod of `pods` (creation order) not older than `p`. */
static unsigned
pod_position(RsPod *const *pods, unsigned n, const RsPod *p)
{
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (pods[mid]->serial < p->serial)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The position of the first endpoint not older than `p`. */
static unsigned
ep_position(const RsViewPort *vp, const RsPod *p)
{
    unsigned lo = 0, hi = vp->n_eps;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (vp->eps[mid].pod->serial < p->serial)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Brings the snapshot `v`, made at this instant, up to date for one pod whose
 * eligibility changed, so that it equals what snapshot() would take now.
 * Pods becoming ready are appended (they are the newest endpoint: pods start
 * in creation order); a pod leaving is cut out.  Returns false when it cannot
 * (a pod older than an endpoint becomes ready): the caller takes a snapshot.
 * This makes a world whose P pods become ready at one instant cost O(P), not
 * O(P^2) (one snapshot per pod; docs/performance.md). */
static bool
view_update(RsSvcView *v, RsService *svc, RsPod *pod)
{
    if (v->gone || svc->removed)
        return false;
    bool want = pod->api_ready && rs_labels_match(svc->def->selector, svc->def->n_selector, pod->tmpl);
    unsigned at = pod_position(v->pods, v->n_pods, pod);
    bool present = at < v->n_pods && v->pods[at] == pod;
    if (want == present)
        return true;
    if (want && at != v->n_pods)
        return false;
    const RsSvcDef *d = svc->def;
    if (want) {
        if (v->n_pods == v->cap_pods) {
            v->cap_pods = v->cap_pods ? 2 * v->cap_pods : 1;
            v->pods = g_renew(RsPod *, v->pods, v->cap_pods);
        }
        v->pods[v->n_pods++] = pod;
        for (unsigned i = 0; i < v->n_ports; i++) {
            RsViewPort *vp = &v->ports[i];
            uint16_t target;
            if (!target_of(&d->ports[i], pod, &target))
                continue;
            if (vp->n_eps == vp->cap_eps) {
                vp->cap_eps = vp->cap_eps ? 2 * vp->cap_eps : 1;
                vp->eps = g_renew(RsEndpoint, vp->eps, vp->cap_eps);
            }
            vp->eps[vp->n_eps++] = (RsEndpoint){pod, target};
            if (vp->index != NULL)
                g_hash_table_insert(vp->index, pod, GUINT_TO_POINTER(vp->n_eps));
        }
        return true;
    }
    memmove(&v->pods[at], &v->pods[at + 1], (v->n_pods - at - 1) * sizeof *v->pods);
    v->n_pods--;
    for (unsigned i = 0; i < v->n_ports; i++) {
        RsViewPort *vp = &v->ports[i];
        unsigned k = ep_position(vp, pod);
        if (k >= vp->n_eps || vp->eps[k].pod != pod)
            continue;
        memmove(&vp->eps[k], &vp->eps[k + 1], (vp->n_eps - k - 1) * sizeof *vp->eps);
        vp->n_eps--;
        if (vp->index != NULL) {
            g_hash_table_remove(vp->index, pod);
            for (unsigned j = k; j < vp->n_eps; j++)
                g_hash_table_insert(vp->index, vp->eps[j].pod, GUINT_TO_POINTER(j + 1));
        }
    }
    return true;
}

/* One pod's eligibility changed; see world.h.  Same effect as
 * rs_service_truth_changed: the router is told, and the snapshot of this
 * instant shows the truth now (R15). */
void
rs_service_pod_changed(RsWorld *w, RsService *svc, RsPod *pod)
{
    RsSvcView *tail = g_queue_peek_tail(&svc->pending);
    if (tail != NULL && tail->made == rs_engine_now(w->eng) && view_update(tail, svc, pod)) {
        if (rs_router_watches(w, svc))
            rs_world_notify_edge(w);
        return;
    }
    rs_service_truth_changed(w, svc);
}

/* The truth of a service changed: snapshot it now, install it endpoint_delay
 * later (R15).  Changes at one instant share one snapshot.  The router, which
 * reads the API's endpoints, is told at once (R28 decides when it reloads). */
void
rs_service_truth_changed(RsWorld *w, RsService *svc)
{
    if (rs_router_watches(w, svc))
        rs_world_notify_edge(w);
    RsSvcView *v = snapshot(w, svc);
    RsSvcView *tail = g_queue_peek_tail(&svc->pending);
    v->pending_link.data = v;
    if (tail != NULL && tail->made == v->made) {
        rs_svc_view_free(g_queue_pop_tail_link(&svc->pending)->data);
        g_queue_push_tail_link(&svc->pending, &v->pending_link);
        return;
    }
    g_queue_push_tail_link(&svc->pending, &v->pending_link);
    rs_engine_schedule(w->eng, v->made + w->par.endpoint_delay, on_view_install, svc, 0);
}

/* Creates a service now: ClusterIP (R10), then its first view (R15). */
RsService *
rs_world_add_service(RsWorld *w, RsNamespace *ns, RsSvcDef *def, bool ip_reserved, GError **error)
{
    char b[16];
    uint32_t ip = 0;
    bool has_ip = false;
    if (def->ip_mode == RS_CLUSTER_IP_FIXED) {
        if (!ip_reserved && !rs_addr_pool_reserve(&w->svc_pool, def->fixed_ip)) {
            g_set_error(error, RS_WORLD_ERROR, RS_WORLD_ERROR_INVALID,
                        "service %s/%s: cluster_ip %s is not free (R10)", ns->name, def->name,
                        rs_ipv4_format(def->fixed_ip, b));
            return NULL;
        }
        ip = def->fixed_ip;
        has_ip = true;
    } else if (def->ip_mode == RS_CLUSTER_IP_AUTO) {
        if (!rs_addr_pool_alloc(&w->svc_pool, &ip)) {
            g_set_error(error, RS_WORLD_ERROR, RS_WORLD_ERROR_INVALID,
                        "service %s/%s: no free address in the service network %s/%u (R10)",
                        ns->name, def->name, rs_ipv4_format(w->svc_pool.net, b), w->svc_pool.prefix);
            return NULL;
        }
        has_ip = true;
    }
    RsService *svc = rs_world_new0(w, RsService, 1);    /* in the arena */
    svc->serial = w->next_serial++;
    svc->name = def->name;
    svc->full = rs_world_intern_full(w, ns->name, def->name);
    svc->ns = ns;
    svc->def = def;
    svc->headless = def->ip_mode == RS_CLUSTER_IP_NONE;
    svc->has_ip = has_ip;
    svc->cluster_ip = ip;
    g_queue_init(&svc->pending);
    svc->affinity_timeout = AFFINITY_TIMEOUT;
    svc->affinity = NULL;       /* R13: made by the first sticky pick (pick), NULL = empty */
    char stream[600];
    rs_world_join(stream, sizeof stream, "svc", ":", svc->full);
    rs_rng_init(&svc->rng, w->seed, stream);       /* R13: the service's own stream */
    g_ptr_array_add(w->services, svc);
    g_ptr_array_add(ns->services, svc);
    index_service(w, svc);
    rs_name_map_put(&w->svc_by_name, svc->full, svc);
    w->dns_epoch++;             /* R17: its name resolves from now on */
    if (has_ip) {
        RsService *prev = rs_world_service_at(w, ip);   /* a removed one's rules (R15) */
        if (prev != NULL)
            prev->at_ip = false;
        rs_ip_map_put(&w->svc_by_ip, ip, svc);
        svc->at_ip = true;
    }
    if (has_ip && rs_world_logging(w))      /* (formats the address only for a log) */
        rs_world_log(w, RS_R10, "service %s gets ClusterIP %s", svc->full, rs_ipv4_format(ip, b));
    else
        rs_world_log(w, RS_R16, "headless service %s created: DNS answers with its ready pods", svc->full);
    rs_lb_service_added(w, svc);        /* R48 */
    rs_service_truth_changed(w, svc);
    return svc;
}

/* remove of a service: its name stops resolving at once, its address is
 * released, and the data plane drops its rules endpoint_delay later. */
void
rs_world_remove_service(RsWorld *w, RsService *svc)
{
    svc->removed = true;
    rs_name_map_remove(&w->svc_by_name, svc->full);
    w->dns_epoch++;             /* R17: its name stops resolving at once */
    g_ptr_array_remove(svc->ns->services, svc);
    unindex_service(svc);
    if (svc->has_ip)
        rs_addr_pool_release(&w->svc_pool, svc->cluster_ip);
    rs_world_log(w, RS_R10, "service %s removed", svc->full);
    rs_lb_service_removed(w, svc);      /* R48: its external address is free again */
    rs_service_truth_changed(w, svc);
}

/* apply of a service: creates it, or updates selector, ports and balancing
 * in place keeping the ClusterIP (R10); a change between headless and not,
 * or of a fixed address, recreates it (the field is immutable in Kubernetes). */
void
rs_world_apply_service(RsWorld *w, RsNamespace *ns, RsSvcDef *def)
{
    RsService *svc = rs_world_service(w, ns->name, def->name);
    if (svc != NULL) {
        bool same_ip = (def->ip_mode == RS_CLUSTER_IP_NONE) == svc->headless &&
                       (def->ip_mode != RS_CLUSTER_IP_FIXED || def->fixed_ip == svc->cluster_ip);
        if (same_ip) {
            unindex_service(svc);
            rs_lb_service_removed(w, svc);
            svc->def = def;
            index_service(w, svc);
            rs_lb_service_added(w, svc);
            rs_world_log(w, RS_R10, "service %s updated; its ClusterIP stays", svc->full);
            rs_service_truth_changed(w, svc);
            return;
        }
        rs_world_remove_service(w, svc);
    }
    GError *err = NULL;
    if (rs_world_add_service(w, ns, def, false, &err) == NULL) {
        rs_world_log(w, RS_R10, "%s; the service is not created", err->message);
        g_error_free(err);
    }
}

/* The view's entry for service port `port`, or NULL. */
RsViewPort *
rs_view_port(RsSvcView *v, uint16_t port)
{
    for (unsigned i = 0; v != NULL && i < v->n_ports; i++) {
        if (v->ports[i].port == port)
            return &v->ports[i];
    }
    return NULL;
}

/* R13: the endpoint of a new connection from `client`: sticky for client-ip
 * affinity (10800 s since the last use, while the pod is still in the view),
 * otherwise uniform from `rng` (the service's stream), or round-robin.
 * `commit`: remember it (round-robin position, affinity), else only read. */
static const RsEndpoint *
pick(RsService *svc, RsViewPort *vp, uint32_t client, RsRng *rng, bool commit, RsPickHow *how)
{
    g_assert(vp->n_eps > 0);
    rs_time_t now = rs_engine_now(svc->ns->world->eng);
    AffinityEntry *e = NULL;
    if (svc->def->affinity == RS_AFFINITY_CLIENT_IP) {
        gint64 key = ((gint64)client << 16) | vp->port;
        e = svc->affinity != NULL ? g_hash_table_lookup(svc->affinity, &key) : NULL;
        if (e != NULL && now - e->last <= svc->affinity_timeout && vp->index != NULL) {
            unsigned idx = GPOINTER_TO_UINT(g_hash_table_lookup(vp->index, e->pod));
            if (idx > 0) {
                if (commit)
                    e->last = now;
                *how = RS_PICK_AFFINITY;
                return &vp->eps[idx - 1];
            }
        }
        if (e == NULL && commit) {
            if (svc->affinity == NULL)
                svc->affinity = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
            e = g_new0(AffinityEntry, 1);
            e->key = key;
            g_hash_table_insert(svc->affinity, &e->key, e);
        }
    }
    unsigned i;
    if (svc->def->balance == RS_SVC_BAL_ROUNDROBIN) {
        i = vp->rr % vp->n_eps;
        if (commit)
            vp->rr = i + 1;
        *how = RS_PICK_ROUNDROBIN;
    } else {
        i = (unsigned)rs_rng_below(rng, vp->n_eps);
        *how = RS_PICK_RANDOM;
    }
    if (e != NULL && commit) {
        e->pod = vp->eps[i].pod;
        e->last = now;
    }
    return &vp->eps[i];
}

/* Chooses the endpoint of a new connection (R13); see world.h. */
const RsEndpoint *
rs_service_pick(RsService *svc, RsViewPort *vp, uint32_t client, RsRng *rng, RsPickHow *how)
{
    return pick(svc, vp, client, rng, true, how);      /* C10: the requester's stream */
}

/* The same without moving anything; see world.h. */
const RsEndpoint *
rs_service_peek(RsService *svc, RsViewPort *vp, uint32_t client, RsRng *rng, RsPickHow *how)
{
    return pick(svc, vp, client, rng, false, how);
}

/* A pod's endpoint eligibility changed: every service of its namespace that
 * selects it re-reads its endpoints (R15 schedules the data plane's view),
 * in the services' creation order.  The services come from the namespace's
 * selector index (rs_services_selecting), not from a scan of all of them:
 * a pod event costs O(its services), so building a world is linear in its
 * pods and services (docs/performance.md). */
void
rs_world_pod_endpoints_changed(RsWorld *w, RsPod *pod)
{
    GPtrArray *svcs = w->scratch_svcs;
    guint first = svcs->len;    /* re-entrant: a nested call appends after ours */
    rs_services_selecting(pod, svcs);
    for (guint i = first; i < svcs->len; i++)
        rs_service_pod_changed(w, svcs->pdata[i], pod);
    g_ptr_array_set_size(svcs, (gint)first);
}
