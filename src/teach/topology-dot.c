/* topology-dot.c: the cluster as a Graphviz graph that draws the real paths.
 *
 * Nodes: the scenario's hosts, the router VIP, each router replica and the
 * shared egress address outside the namespaces; one cluster box per
 * namespace with its pods, services, routes and its dedicated egress address.
 *
 * Edges, each the way a packet really goes (network-model.md):
 *   client -> VIP -> router replica -> route -> pods
 *       the VIP spreads connections over the replicas in rotation (R30); a
 *       replica sends what it LOADED (R28): one edge per route in its
 *       configuration (an admitted route not loaded yet is a dashed edge),
 *       and the route sends to pod endpoints directly, not through the
 *       service (R20): one edge per loaded server (a stale one dashed red, an
 *       endpoint not loaded yet dotted);
 *   pod -> service -> pods
 *       the endpoints the service's data plane has (R15; stale ones red);
 *   pod -> egress IP -> host
 *       traffic leaving the cluster takes its namespace's egress address
 *       (R32, R33); a host whose allow list drops that address gets a dashed
 *       red edge (R36); a pod calling a route goes out and back in through
 *       the VIP (hairpin, R34).
 * Client edges come from the scenario's own requests (expectations and
 * traffic), resolved as the client's resolver would at T (R17, R18).
 *
 * Each part of the graph is one function, called in order from
 * rs_topology_dot; a new kind of object adds its own nodes and edges as one
 * more such function (network policies, R39-R47: a policy_edges() after
 * client_edges(), drawing each policy's allowed peers; until then a request
 * between namespaces under policies is drawn dashed, "network policies
 * decide").  Every text from the scenario
 * goes through rs_dot_escape.  Cost: linear in the objects drawn (objects
 * are bucketed by namespace once, rs_topo_gather; edges are deduplicated
 * with a hash set).
 */
#include "config.h"

#include <string.h>

#include "rahtisim/dns.h"
#include "rahtisim/policy.h"
#include "teach/topology-private.h"

typedef struct {
    GString *out;
    RsWorld *w;
    const RsScenario *sc;
    const RsTopo *t;
    GHashTable *edges;          /* "tail\001head" drawn (owned keys) */
} Dot;

/* Appends a quoted node id "kind:name". */
static void
id(GString *out, const char *kind, const char *name)
{
    g_string_append_c(out, '"');
    rs_dot_escape(out, kind);
    g_string_append_c(out, ':');
    rs_dot_escape(out, name);
    g_string_append_c(out, '"');
}

/* Appends one edge once: tail -> head [attrs]; false if already drawn. */
static bool
edge(Dot *d, const char *tk, const char *tn, const char *hk, const char *hn, const char *attrs)
{
    char *key = g_strconcat(tk, ":", tn, "\001", hk, ":", hn, NULL);
    if (!g_hash_table_add(d->edges, key))
        return false;
    g_string_append(d->out, "  ");
    id(d->out, tk, tn);
    g_string_append(d->out, " -> ");
    id(d->out, hk, hn);
    if (attrs != NULL && attrs[0] != '\0')
        g_string_append_printf(d->out, " [%s]", attrs);
    g_string_append(d->out, ";\n");
    return true;
}

/* A label attribute: label="escaped" into a GString. */
static void
label(GString *s, const char *text)
{
    g_string_append(s, "label=\"");
    rs_dot_escape(s, text);
    g_string_append_c(s, '"');
}

/* ---- nodes ---- */

/* The edge of the cluster: VIP, replicas, shared egress, hosts (R18, R30, R32, R36). */
static void
outside_nodes(Dot *d)
{
    char ip[16];
    g_autoptr(GString) s = g_string_new(NULL);
    g_string_append(d->out, "  ");
    id(d->out, "vip", "");
    g_string_append_printf(d->out, " [shape=box3d, label=\"router VIP\\n%s\\nports 80, 443\"];\n",
                           rs_ipv4_format(d->w->router_vip, ip));
    for (unsigned i = 0; i < d->w->n_replicas && rs_world_n_routes(d->w) > 0; i++) {
        const RsReplica *rep = &d->w->replicas[i];
        char t[32], t2[32];
        g_string_truncate(s, 0);
        rs_time_t loaded = rs_replica_loaded_at(rep), next = rs_replica_next_reload(rep);
        g_string_append_printf(s, "%s%s\nloaded %s", rep->name, rep->up ? "" : " (down)",
                               loaded == RS_TIME_NEVER ? "never" : rs_duration_format(loaded, t));
        if (next != RS_TIME_NEVER)
            g_string_append_printf(s, "\nnext reload %s", rs_duration_format(next, t2));
        g_string_append(d->out, "  ");
        id(d->out, "router", rep->name);
        g_string_append(d->out, " [shape=component, ");
        label(d->out, s->str);
        g_string_append_printf(d->out, "%s];\n", rep->up ? "" : ", style=dashed, color=red");
    }
    g_string_append(d->out, "  ");
    id(d->out, "egress", "");
    g_string_append_printf(d->out, " [shape=box3d, label=\"shared egress\\n%s\"];\n",
                           rs_ipv4_format(d->w->egress_default, ip));
    for (unsigned i = 0; i < d->sc->n_hosts; i++) {
        const RsHostSpec *h = &d->sc->hosts[i];
        g_string_truncate(s, 0);
        g_string_append_printf(s, "%s\n%s", h->name, rs_ipv4_format(h->ip, ip));
        g_string_append(d->out, "  ");
        id(d->out, "host", h->name);
        g_string_append(d->out, " [shape=box, style=rounded, ");
        label(d->out, s->str);
        g_string_append(d->out, "];\n");
    }
}

/* A route's label: name, URL with path, TLS mode and port 80 policy,
 * whitelist, admission (R20-R25). */
static void
route_label(GString *s, const RsWorld *w, const RsRoute *r)
{
    static const char *const tls[] = {"none", "edge", "passthrough", "reencrypt"};
    static const char *const insecure[] = {"none", "allow", "redirect"};
    const RsRouteDef *def = r->def;
    g_string_append_printf(s, "route %s\n%s://%s%s\ntls %s", r->name,
                           def->tls == RS_TLS_NONE ? "http" : "https", r->host, def->path,
                           tls[def->tls]);
    if (def->tls != RS_TLS_NONE)
        g_string_append_printf(s, ", port 80: %s", insecure[def->insecure]);
    for (unsigned k = 0; k < w->n_whitelist_keys; k++) {
        const char *wl = rs_route_annotation(r, w->whitelist_keys[k]);
        if (wl != NULL)
            g_string_append_printf(s, "\nwhitelist %s (R25)", wl);
    }
    if (r->admitted)
        g_string_append(s, "\nadmitted (R22)");
    else
        g_string_append_printf(s, "\nNOT ADMITTED: %s holds the host (R22)",
                               r->claimed_by != NULL ? r->claimed_by->full : "another route");
}

/* One namespace's box: pods, services, routes, dedicated egress. */
static void
namespace_nodes(Dot *d, const RsTopoNs *b)
{
    char ip[16];
    g_autoptr(GString) s = g_string_new(NULL);
    const RsNamespace *ns = b->ns;
    g_string_append(d->out, "  subgraph \"cluster_ns:");
    rs_dot_escape(d->out, ns->name);
    g_string_append(d->out, "\" {\n    ");
    g_string_truncate(s, 0);
    g_string_append_printf(s, "namespace %s", ns->name);
    label(d->out, s->str);
    g_string_append(d->out, ";\n");
    if (ns->dedicated_egress) {
        g_string_append(d->out, "    ");
        id(d->out, "egress", ns->name);
        g_string_append_printf(d->out, " [shape=box3d, label=\"dedicated egress\\n%s\"];\n",
                               rs_ipv4_format(ns->egress_ip, ip));
    }
    for (unsigned k = 0; k < b->pods->len; k++) {
        const RsPod *p = b->pods->pdata[k];
        g_string_truncate(s, 0);
        g_string_append_printf(s, "%s\n%s\n%s%s", p->name,
                               p->has_ip ? rs_ipv4_format(p->ip, ip) : "no address",
                               rs_pod_state_word(p->state), p->crashed ? " (crashed, R7)" : "");
        g_string_append(d->out, "    ");
        id(d->out, "pod", p->full);
        g_string_append(d->out, " [shape=box, ");
        label(d->out, s->str);
        g_string_append_printf(d->out, "%s];\n", p->state == RS_POD_READY && !p->crashed ? "" : ", style=dashed");
    }
    for (unsigned k = 0; k < rs_namespace_n_services(ns); k++) {
        const RsService *svc = rs_namespace_service_nth(ns, k);
        g_string_truncate(s, 0);
        g_string_append_printf(s, "service %s\n%s", svc->name,
                               svc->headless ? "headless (R16)" : rs_ipv4_format(svc->cluster_ip, ip));
        g_string_append(d->out, "    ");
        id(d->out, "svc", svc->full);
        g_string_append(d->out, " [shape=ellipse, ");
        label(d->out, s->str);
        g_string_append(d->out, "];\n");
    }
    for (unsigned k = 0; k < b->routes->len; k++) {
        const RsRoute *r = b->routes->pdata[k];
        g_string_truncate(s, 0);
        route_label(s, d->w, r);
        g_string_append(d->out, "    ");
        id(d->out, "route", r->full);
        g_string_append(d->out, " [shape=cds, ");
        label(d->out, s->str);
        g_string_append_printf(d->out, "%s];\n", r->admitted ? "" : ", style=dashed, color=red");
    }
    g_string_append(d->out, "  }\n");
}

/* A pod that is gone but still in a view: drawn outside its box (R15, R28). */
static void
gone_pod_node(Dot *d, const RsPod *p)
{
    char ip[16];
    if (!g_hash_table_add(d->edges, g_strconcat("node\001pod:", p->full, NULL)))
        return;
    g_autoptr(GString) s = g_string_new(NULL);
    g_string_append_printf(s, "%s\n%s\ngone", p->name, rs_ipv4_format(p->ip, ip));
    g_string_append(d->out, "  ");
    id(d->out, "pod", p->full);
    g_string_append(d->out, " [shape=box, style=dotted, ");
    label(d->out, s->str);
    g_string_append(d->out, "];\n");
}

/* ---- edges ---- */

/* VIP -> replicas (R30). */
static void
vip_edges(Dot *d)
{
    if (rs_world_n_routes(d->w) == 0)
        return;                 /* no route ever: the replicas are not drawn */
    for (unsigned i = 0; i < d->w->n_replicas; i++) {
        const RsReplica *rep = &d->w->replicas[i];
        edge(d, "vip", "", "router", rep->name,
             rep->in_rotation ? (rep->up ? "" : "style=dashed, color=red, label=\"down, still in rotation (R30)\"")
                              : "style=dotted, label=\"out of rotation (R30)\"");
    }
}

/* Replica -> route for what it loaded; route -> pods for the loaded servers (R20, R28). */
static void
router_edges(Dot *d)
{
    g_autoptr(GString) a = g_string_new(NULL);
    for (unsigned i = 0; i < d->w->n_replicas; i++) {
        const RsReplica *rep = &d->w->replicas[i];
        const RsRtConfig *cfg = rs_replica_config(rep);
        if (!rep->up || cfg == NULL)
            continue;
        for (unsigned k = 0; k < cfg->n_backends; k++) {
            const RsRtBackend *be = &cfg->backends[k];
            bool stale_route = be->route->removed || !be->route->admitted;
            if (be->route->removed)
                continue;       /* not drawn in its box any more */
            edge(d, "router", rep->name, "route", be->full,
                 stale_route ? "style=dashed, color=red, label=\"loaded, no longer admitted (R28)\"" : "");
            for (unsigned j = 0; j < be->n_servers; j++) {
                const RsPod *p = be->servers[j].pod;
                bool stale = !p->api_ready || p->state == RS_POD_GONE;
                if (p->state == RS_POD_GONE)
                    gone_pod_node(d, p);
                g_string_truncate(a, 0);
                g_string_append_printf(a, "label=\"%u\"%s", be->servers[j].port,
                                       stale ? ", style=dashed, color=red, xlabel=\"stale until reload (R28)\"" : "");
                edge(d, "route", be->full, "pod", p->full, a->str);
            }
        }
        /* Admitted routes and endpoints the truth has but this replica has not loaded. */
        for (unsigned n = 0; n < d->t->n_ns; n++) {
            const GPtrArray *routes = d->t->ns[n].routes;
            for (unsigned k = 0; k < routes->len; k++) {
                const RsRoute *r = routes->pdata[k];
                RsRouteDiff diff;
                if (!r->admitted || !rs_route_diff(d->w, cfg, r, &diff))
                    continue;
                if (diff.loaded == NULL) {
                    edge(d, "router", rep->name, "route", r->full,
                         "style=dashed, label=\"not loaded yet (R28)\"");
                    continue;
                }
                if (diff.n_missing == 0)
                    continue;
                g_autoptr(GPtrArray) pods = g_ptr_array_new();
                for (unsigned b = 0; b < r->def->n_backends; b++) {
                    RsService *svc = rs_world_service(d->w, r->ns->name, r->def->backends[b].service);
                    if (svc != NULL)
                        rs_service_ready_pods(svc, pods);
                }
                g_autoptr(GHashTable) loaded = g_hash_table_new(g_direct_hash, g_direct_equal);
                for (unsigned q = 0; q < diff.loaded->n_servers; q++)
                    g_hash_table_add(loaded, diff.loaded->servers[q].pod);
                for (unsigned j = 0; j < pods->len; j++) {
                    const RsPod *p = pods->pdata[j];
                    if (!g_hash_table_contains(loaded, p))
                        edge(d, "route", r->full, "pod", p->full,
                             "style=dotted, label=\"ready, not loaded yet (R28)\"");
                }
            }
        }
    }
}

/* Service -> the endpoints its data plane has (R15). */
static void
service_edges(Dot *d)
{
    g_autoptr(GString) a = g_string_new(NULL);
    for (unsigned i = 0; i < rs_world_n_services(d->w); i++) {
        const RsService *svc = rs_world_service_nth(d->w, i);
        if (svc->removed || svc->view == NULL)
            continue;
        for (unsigned k = 0; k < svc->view->n_ports; k++) {
            const RsViewPort *vp = &svc->view->ports[k];
            for (unsigned e = 0; e < vp->n_eps; e++) {
                const RsPod *p = vp->eps[e].pod;
                bool stale = !p->has_ip || p->state == RS_POD_GONE;
                if (stale)
                    gone_pod_node(d, p);
                g_string_truncate(a, 0);
                g_string_append_printf(a, "label=\"%u -> %u\"%s", vp->port, vp->eps[e].port,
                                       stale ? ", style=dashed, color=red" : "");
                edge(d, "svc", svc->full, "pod", p->full, a->str);
            }
        }
    }
}

/* The node a request of `from` starts at: a pod, a deployment's first pod, or a host. */
static bool
client_node(Dot *d, const RsFrom *from, const char **kind, const char **name, const RsNamespace **ns)
{
    *ns = NULL;
    if (from->kind == RS_FROM_HOST) {
        *kind = "host";
        *name = from->name;
        return rs_world_host(d->w, from->name) != NULL;
    }
    *ns = rs_world_namespace(d->w, from->ns);
    if (from->kind == RS_FROM_POD) {
        const RsPod *p = rs_world_pod(d->w, from->ns, from->name);
        if (p == NULL || p->state == RS_POD_GONE)
            return false;
        *kind = "pod";
        *name = p->full;
        return true;
    }
    const RsWorkload *wl = rs_world_workload(d->w, from->ns, from->name);
    for (unsigned i = 0; wl != NULL && i < wl->pods->len; i++) {
        const RsPod *p = wl->pods->pdata[i];
        if (p->state != RS_POD_GONE) {
            *kind = "pod";
            *name = p->full;
            return true;
        }
    }
    return false;
}

/* Whether host `h` accepts `src` on `port` (R36). */
static bool
host_allows(const RsHost *h, uint16_t port, uint32_t src)
{
    for (unsigned i = 0; i < h->n_ports; i++) {
        if (h->ports[i].port != port)
            continue;
        if (h->ports[i].n_allow == 0)
            return true;
        for (unsigned k = 0; k < h->ports[i].n_allow; k++)
            if (rs_cidr_contains(&h->ports[i].allow[k], src))
                return true;
        return false;
    }
    return false;
}

/* The attributes of an edge into namespace `to` from `from` (NULL: a host):
 * the port, or the wall between namespaces (R2; rule R9 for pods, R12 for
 * services) drawn dashed red. */
static void
other_ns(const RsWorld *w, char *buf, size_t len, uint16_t port, const RsNamespace *from,
         const RsNamespace *to, int rule)
{
    if (from != NULL && from != to && rs_policy_mode(w))
        g_snprintf(buf, len, "label=\"%u (network policies decide, R42)\", style=dashed", port);
    else if (from != NULL && from != to && !rs_netns_reach(w, from, to))
        g_snprintf(buf, len, "label=\"%u dropped: another namespace (R%d)\", style=dashed, color=red",
                   port, rule);
    else
        g_snprintf(buf, len, "label=\"%u\"", port);
}

/* One request of the scenario drawn as the path it takes at T. */
static void
request_edges(Dot *d, const RsFrom *from, const RsUrl *to)
{
    const char *ck, *cn;
    const RsNamespace *ns;
    if (!client_node(d, from, &ck, &cn, &ns))
        return;
    uint32_t ip = 0;
    char lb[96];
    if (to->pod_ref != NULL) {
        const RsPod *p = rs_world_pod_full(d->w, to->pod_ref);
        if (p != NULL && p->state != RS_POD_GONE) {
            other_ns(d->w, lb, sizeof lb, to->port, ns, p->ns, 9);
            edge(d, ck, cn, "pod", p->full, lb);
        }
        return;
    }
    if (to->is_ip) {
        ip = to->ip;
    } else {
        RsDnsWalk walk;
        if (to->host == NULL || !rs_dns_walk(d->w, ns != NULL ? ns->name : NULL, to->host, &walk) ||
            walk.n_addrs == 0)
            return;
        ip = walk.addrs[0];
    }
    const RsService *svc = rs_world_service_at(d->w, ip);
    const RsPod *pod = svc == NULL ? rs_world_pod_at(d->w, ip) : NULL;
    if (svc != NULL) {
        other_ns(d->w, lb, sizeof lb, to->port, ns, svc->ns, 12);
        edge(d, ck, cn, "svc", svc->full, lb);         /* R10, R12 */
        return;
    }
    if (pod != NULL) {
        other_ns(d->w, lb, sizeof lb, to->port, ns, pod->ns, 9);
        edge(d, ck, cn, "pod", pod->full, lb);         /* R9 */
        return;
    }
    g_snprintf(lb, sizeof lb, "label=\"%u\"", to->port);
    bool is_vip = ip == d->w->router_vip;
    const RsHost *host = is_vip ? NULL : rs_world_host_at(d->w, ip);
    if (!is_vip && host == NULL)
        return;
    const char *hk = is_vip ? "vip" : "host", *hn = is_vip ? "" : host->name;
    if (ns == NULL) {                                  /* a host outside calls */
        edge(d, ck, cn, hk, hn, lb);
        return;
    }
    /* A pod: out through its namespace's egress address (R32, R33). */
    const char *ek = "egress", *en = ns->dedicated_egress ? ns->name : "";
    edge(d, ck, cn, ek, en, ns->dedicated_egress ? "label=\"R33\"" : "label=\"R32\"");
    if (is_vip) {
        edge(d, ek, en, "vip", "", "label=\"hairpin (R34)\"");
        return;
    }
    g_autofree char *attrs = host_allows(host, to->port, ns->egress_ip)
                             ? g_strdup(lb)
                             : g_strdup_printf("label=\"%u dropped (R36)\", style=dashed, color=red", to->port);
    edge(d, ek, en, hk, hn, attrs);
}

/* Every request the scenario makes (expectations with a URL, traffic). */
static void
client_edges(Dot *d)
{
    for (unsigned i = 0; i < d->sc->n_expect; i++) {
        const RsExpectSpec *e = &d->sc->expect[i];
        if (e->kind == RS_EXPECT_PROBE)
            request_edges(d, &e->from, &e->to);
    }
    for (unsigned i = 0; i < d->sc->n_traffic; i++)
        request_edges(d, &d->sc->traffic[i].from, &d->sc->traffic[i].to);
}

/* The DOT graph; see topology-private.h. */
void
rs_topology_dot(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at)
{
    char buf[32];
    RsTopo t;
    rs_topo_gather(&t, rs_sim_world(sim));
    Dot d = {.out = out, .w = t.w, .sc = sc, .t = &t,
             .edges = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    g_string_append(out, "// rahtisim topology of ");
    rs_dot_escape(out, sc->name);
    g_string_append_printf(out, " at %s (render: dot -Tsvg)\n"
                           "digraph rahtisim {\n  rankdir=LR;\n"
                           "  node [fontname=\"Helvetica\", fontsize=10];\n"
                           "  edge [fontname=\"Helvetica\", fontsize=9];\n",
                           rs_duration_format(at, buf));
    outside_nodes(&d);
    for (unsigned i = 0; i < t.n_ns; i++)
        namespace_nodes(&d, &t.ns[i]);
    vip_edges(&d);
    router_edges(&d);
    service_edges(&d);
    client_edges(&d);
    g_string_append(out, "}\n");
    g_hash_table_destroy(d.edges);
    rs_topo_clear(&t);
}
