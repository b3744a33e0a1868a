/* topology.c: the cluster at one instant, as a tree or as Graphviz DOT.
 *
 * What it shows, at time T of a simulation:
 *   - the platform: pod and service networks, the DNS server, the router VIP
 *     (R18, R19) and the shared egress address (R32);
 *   - per namespace (file order): its egress address (shared, R32, or
 *     dedicated from the pool, R33), its deployments with their pods, its
 *     bare pods (R8), each pod with its address and state (R3, R5, R7);
 *     its services with their ClusterIP or headless-ness (R10, R16), port
 *     mapping (R11) and the endpoints the DATA PLANE has (the view, R15),
 *     with the next pending update if the view lags the truth; its live
 *     routes with their hosts and whether they are admitted (R20-R25);
 *   - the scenario's hosts outside the cluster (R36).
 * Pods that are gone are left out (`explain` of `@ns/pod` shows where a stale
 * address leads).  Order is creation order throughout, so the output is a
 * function of scenario, seed and T.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/teach.h"

/* Parses a topology --format. */
bool
rs_topo_format_parse(const char *text, RsTopoFormat *out)
{
    if (strcmp(text, "text") == 0)
        *out = RS_TOPO_TEXT;
    else if (strcmp(text, "dot") == 0)
        *out = RS_TOPO_DOT;
    else
        return false;
    return true;
}

/* ---- facts shared by both formats ---- */

/* "10.128.0.0/14" into buf (>= 20 bytes). */
static char *
cidr(uint32_t net, uint32_t prefix, char *buf)
{
    char ip[16];
    g_snprintf(buf, 20, "%s/%u", rs_ipv4_format(net, ip), prefix);
    return buf;
}

/* Appends a route's summary: URL, backends, TLS, port 80 policy, whitelist,
 * and whether it is admitted (R20-R25). */
static void
route_text(GString *s, const RsWorld *w, const RsRoute *r)
{
    static const char *const tls[] = {"none", "edge", "passthrough", "reencrypt"};
    static const char *const insecure[] = {"none", "allow", "redirect"};
    const RsRouteDef *d = r->def;
    g_string_append_printf(s, "route %s  %s://%s%s -> service %s", r->name,
                           d->tls == RS_TLS_NONE ? "http" : "https", r->host,
                           d->path ? d->path : "/",
                           d->n_backends > 0 ? d->backends[0].service : "?");
    if (d->target_port != 0)
        g_string_append_printf(s, " port %u", d->target_port);
    else if (d->target_name != NULL)
        g_string_append_printf(s, " port %s", d->target_name);
    for (unsigned i = 1; i < d->n_backends; i++)
        g_string_append_printf(s, ", alternate %s (weight %u)", d->backends[i].service,
                               d->backends[i].weight);
    if (d->tls != RS_TLS_NONE)
        g_string_append_printf(s, ", tls %s, port 80: %s", tls[d->tls], insecure[d->insecure]);
    for (unsigned k = 0; k < w->n_whitelist_keys; k++) {
        const char *wl = rs_route_annotation(r, w->whitelist_keys[k]);
        if (wl != NULL)
            g_string_append_printf(s, ", whitelist \"%s\" (R25)", wl);
    }
    if (!r->admitted) {
        g_string_append(s, "  NOT ADMITTED (HostAlreadyClaimed): ");
        rs_route_admission_describe(r, s);     /* the event log's words (R22) */
        g_string_append(s, " (R22)");
    }
}

/* Appends a pod's ports: "8081", "8080/http", "8443 (tls x)", "tcp". */
static void
pod_ports(GString *s, const RsPod *p)
{
    const RsTemplate *t = p->tmpl;
    if (t->n_ports == 0)
        return;
    g_string_append(s, "  ports ");
    for (unsigned i = 0; i < t->n_ports; i++) {
        g_string_append_printf(s, "%s%u", i ? ", " : "", t->ports[i].port);
        if (t->ports[i].name != NULL)
            g_string_append_printf(s, "/%s", t->ports[i].name);
        if (t->ports[i].tls != NULL)
            g_string_append_printf(s, " (tls %s)", t->ports[i].tls);
    }
    if (t->protocol == RS_PROTO_TCP)
        g_string_append(s, " (tcp)");
}

/* Appends a pod's address and state. */
static void
pod_text(GString *s, const RsPod *p)
{
    char ip[16];
    g_string_append_printf(s, "pod %s  ", p->name);
    if (p->has_ip)
        g_string_append(s, rs_ipv4_format(p->ip, ip));
    else
        g_string_append(s, "(no address yet)");
    g_string_append_printf(s, "  %s", rs_pod_state_word(p->state));
    if (p->crashed)
        g_string_append(s, " (crashed; still an endpoint until detected, R7)");
    else if (p->state == RS_POD_FAILED)
        g_string_append(s, " (privileged port, restarting, R4)");
    pod_ports(s, p);
}

/* Appends a service's address and port mapping. */
static void
service_text(GString *s, const RsService *svc)
{
    char ip[16];
    g_string_append_printf(s, "service %s  ", svc->name);
    if (svc->headless)
        g_string_append(s, "headless (no ClusterIP: DNS answers the endpoints, R16)");
    else
        g_string_append(s, rs_ipv4_format(svc->cluster_ip, ip));
    for (unsigned i = 0; i < svc->def->n_ports; i++) {
        const RsSvcPort *p = &svc->def->ports[i];
        g_string_append_printf(s, "%s%u -> ", i ? ", " : "  ", p->port);
        if (p->target_name != NULL)
            g_string_append(s, p->target_name);
        else
            g_string_append_printf(s, "%u", p->target_port ? p->target_port : p->port);
    }
}

/* Appends the endpoints the data plane has for one port of a service (R13-R15). */
static void
endpoints_text(GString *s, const RsService *svc, unsigned i)
{
    char ip[16];
    uint16_t port = svc->def->ports[i].port;
    RsViewPort *vp = svc->view != NULL ? rs_view_port(svc->view, port) : NULL;
    g_string_append_printf(s, "port %u endpoints: ", port);
    if (svc->view == NULL) {
        g_string_append(s, "none, the data plane has no rules yet (R15)");
        return;
    }
    if (vp == NULL || vp->n_eps == 0) {
        g_string_append(s, "none ready (refused, R14)");
        return;
    }
    for (unsigned k = 0; k < vp->n_eps; k++) {
        const RsPod *p = vp->eps[k].pod;
        g_string_append_printf(s, "%s%s %s:%u", k ? ", " : "", p->name, rs_ipv4_format(p->ip, ip),
                               vp->eps[k].port);
        if (!p->has_ip || p->state == RS_POD_GONE)
            g_string_append(s, " (gone: a stale entry, R15)");
        else if (p->crashed)
            g_string_append(s, " (crashed, R7)");
    }
}

/* ---- the text tree ---- */

/* Adds a child line to `parent` (the string is owned by the tree). */
static GNode *
add(GNode *parent, char *text)
{
    return g_node_append_data(parent, text);
}

/* Renders a tree with ASCII branches (like `tree --charset=ascii`). */
static void
render(GString *out, GNode *node, GString *prefix)
{
    for (GNode *c = node->children; c != NULL; c = c->next) {
        bool last = c->next == NULL;
        g_string_append_printf(out, "%s%s%s\n", prefix->str, last ? "`-- " : "|-- ",
                               (const char *)c->data);
        size_t len = prefix->len;
        g_string_append(prefix, last ? "    " : "|   ");
        render(out, c, prefix);
        g_string_truncate(prefix, len);
    }
}

/* Frees a node's string (g_node_traverse callback). */
static gboolean
free_data(GNode *node, gpointer data)
{
    g_free(node->data);
    (void)data;
    return FALSE;
}

/* A new string from a GString built by a helper. */
static char *
take(GString *s)
{
    return g_string_free(s, FALSE);
}

/* The tree of one namespace under `root`. */
static void
namespace_tree(GNode *root, RsWorld *w, const RsNamespace *ns)
{
    char ip[16], buf[32];
    GNode *n = add(root, g_strdup_printf("namespace %s  egress %s (%s, R%d)", ns->name,
                                         rs_ipv4_format(ns->egress_ip, ip),
                                         ns->dedicated_egress ? "dedicated" : "shared",
                                         ns->dedicated_egress ? 33 : 32));
    for (unsigned i = 0; i < w->workloads->len; i++) {
        const RsWorkload *wl = w->workloads->pdata[i];
        if (wl->ns != ns || wl->removed)
            continue;
        GNode *d = add(n, g_strdup_printf("deployment %s  %u replica%s", wl->name, wl->replicas,
                                          wl->replicas == 1 ? "" : "s"));
        for (unsigned k = 0; k < wl->pods->len; k++) {
            const RsPod *p = wl->pods->pdata[k];
            if (p->state == RS_POD_GONE)
                continue;
            GString *s = g_string_new(NULL);
            pod_text(s, p);
            add(d, take(s));
        }
    }
    for (unsigned i = 0; i < w->pods->len; i++) {
        const RsPod *p = w->pods->pdata[i];
        if (p->ns != ns || p->owner != NULL || p->state == RS_POD_GONE)
            continue;
        GString *s = g_string_new(NULL);
        pod_text(s, p);
        g_string_append(s, "  (bare pod, R8)");
        add(n, take(s));
    }
    for (unsigned i = 0; i < ns->services->len; i++) {
        const RsService *svc = ns->services->pdata[i];
        GString *s = g_string_new(NULL);
        service_text(s, svc);
        GNode *sn = add(n, take(s));
        for (unsigned k = 0; k < svc->def->n_ports; k++) {
            s = g_string_new(NULL);
            endpoints_text(s, svc, k);
            add(sn, take(s));
        }
        if (svc->pending.length > 0) {
            const RsSvcView *next = g_queue_peek_head((GQueue *)&svc->pending);
            add(sn, g_strdup_printf("the data plane lags the truth: next update at %s (R15)",
                                    rs_duration_format(next->made + w->endpoint_delay, buf)));
        }
    }
    for (unsigned i = 0; w->routes != NULL && i < w->routes->len; i++) {
        const RsRoute *r = w->routes->pdata[i];
        if (r->ns != ns || r->removed)
            continue;
        GString *s = g_string_new(NULL);
        route_text(s, w, r);
        add(n, take(s));
    }
}

/* Appends a host's summary (R36). */
static void
host_text(GString *s, const RsHostSpec *h)
{
    char ip[16], net[20];
    g_string_append_printf(s, "host %s  %s", h->name, rs_ipv4_format(h->ip, ip));
    for (unsigned k = 0; k < h->n_ports; k++) {
        const RsHostPortSpec *p = &h->ports[k];
        g_string_append_printf(s, "%s%u%s", k ? ", " : "  ports ", p->port,
                               p->protocol == RS_PROTO_TCP ? "/tcp" : "");
        for (unsigned a = 0; a < p->n_allow; a++)
            g_string_append_printf(s, "%s%s", a ? " " : " (allow ",
                                   cidr(p->allow_net[a], p->allow_prefix[a], net));
        if (p->n_allow > 0)
            g_string_append_c(s, ')');
    }
}

/* The whole tree. */
static void
topology_text(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at)
{
    RsWorld *w = rs_sim_world(sim);
    const RsProfile *pr = &sc->profile;
    char buf[32], ip[16], n1[20], n2[20];
    g_string_append_printf(out, "cluster %s at %s (scenario %s, seed %" G_GUINT64_FORMAT ")\n",
                           pr->name, rs_duration_format(at, buf), sc->name, rs_sim_seed(sim));
    GNode *root = g_node_new(NULL);
    add(root, g_strdup_printf("pod network %s, service network %s, DNS %s (%s)",
                              cidr(pr->pod_net, pr->pod_prefix, n1),
                              cidr(pr->service_net, pr->service_prefix, n2),
                              rs_ipv4_format(pr->dns_server, ip), pr->cluster_domain));
    add(root, g_strdup_printf("router VIP %s: %s and *.%s, ports 80 and 443 only (R18, R19)",
                              rs_ipv4_format(pr->router_vip, ip), pr->router_canonical,
                              pr->app_domain));
    add(root, g_strdup_printf("egress %s: the source address of traffic leaving the cluster (R32)",
                              rs_ipv4_format(pr->egress_ip, ip)));
    for (unsigned i = 0; i < w->namespaces->len; i++)
        namespace_tree(root, w, w->namespaces->pdata[i]);
    for (unsigned i = 0; i < sc->n_hosts; i++) {
        GString *s = g_string_new(NULL);
        host_text(s, &sc->hosts[i]);
        add(root, take(s));
    }
    g_autoptr(GString) prefix = g_string_new(NULL);
    render(out, root, prefix);
    g_node_traverse(root, G_IN_ORDER, G_TRAVERSE_ALL, -1, free_data, NULL);
    g_node_destroy(root);
}

/* ---- Graphviz DOT ---- */

/* The DOT graph: a cluster per namespace, edges service -> endpoint pods,
 * router -> route -> service. */
static void
topology_dot(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at)
{
    RsWorld *w = rs_sim_world(sim);
    const RsProfile *pr = &sc->profile;
    char buf[32], ip[16];
    g_string_append_printf(out, "// rahtisim topology of %s at %s (render: dot -Tsvg)\n"
                           "digraph rahtisim {\n  rankdir=LR;\n"
                           "  node [fontname=\"Helvetica\", fontsize=10];\n"
                           "  edge [fontname=\"Helvetica\", fontsize=9];\n",
                           sc->name, rs_duration_format(at, buf));
    g_string_append_printf(out, "  \"router\" [shape=box3d, label=\"router VIP\\n%s\"];\n",
                           rs_ipv4_format(pr->router_vip, ip));
    g_string_append_printf(out, "  \"egress\" [shape=box3d, label=\"egress\\n%s\"];\n",
                           rs_ipv4_format(pr->egress_ip, ip));
    for (unsigned i = 0; i < w->namespaces->len; i++) {
        const RsNamespace *ns = w->namespaces->pdata[i];
        g_string_append_printf(out, "  subgraph \"cluster_%s\" {\n    label=\"namespace %s\";\n",
                               ns->name, ns->name);
        if (ns->dedicated_egress)
            g_string_append_printf(out, "    \"egress:%s\" [shape=box3d, label=\"dedicated egress\\n%s\"];\n",
                                   ns->name, rs_ipv4_format(ns->egress_ip, ip));
        for (unsigned k = 0; k < w->pods->len; k++) {
            const RsPod *p = w->pods->pdata[k];
            if (p->ns != ns || p->state == RS_POD_GONE)
                continue;
            g_string_append_printf(out, "    \"pod:%s\" [shape=box, label=\"%s\\n%s\\n%s\"%s];\n",
                                   p->full, p->name,
                                   p->has_ip ? rs_ipv4_format(p->ip, ip) : "no address",
                                   rs_pod_state_word(p->state),
                                   p->state == RS_POD_READY ? "" : ", style=dashed");
        }
        for (unsigned k = 0; k < ns->services->len; k++) {
            const RsService *svc = ns->services->pdata[k];
            g_string_append_printf(out, "    \"svc:%s\" [shape=ellipse, label=\"%s\\n%s\"];\n",
                                   svc->full, svc->name,
                                   svc->headless ? "headless" : rs_ipv4_format(svc->cluster_ip, ip));
        }
        for (unsigned k = 0; w->routes != NULL && k < w->routes->len; k++) {
            const RsRoute *r = w->routes->pdata[k];
            if (r->ns == ns && !r->removed)
                g_string_append_printf(out, "    \"route:%s\" [shape=cds, label=\"%s\\n%s\"%s];\n",
                                       r->full, r->name, r->host,
                                       r->admitted ? "" : ", style=dashed");
        }
        g_string_append(out, "  }\n");
    }
    /* Edges: the endpoints the data plane has (R15), and routes (R20). */
    for (unsigned i = 0; i < w->services->len; i++) {
        const RsService *svc = w->services->pdata[i];
        if (svc->removed || svc->view == NULL)
            continue;
        for (unsigned k = 0; k < svc->view->n_ports; k++) {
            const RsViewPort *vp = &svc->view->ports[k];
            for (unsigned e = 0; e < vp->n_eps; e++) {
                const RsPod *p = vp->eps[e].pod;
                bool stale = !p->has_ip || p->state == RS_POD_GONE;
                if (stale)      /* not drawn with its namespace: it is gone (R15) */
                    g_string_append_printf(out, "  \"pod:%s\" [shape=box, style=dotted, "
                                           "label=\"%s\\n%s\\ngone\"];\n", p->full, p->name,
                                           rs_ipv4_format(p->ip, ip));
                g_string_append_printf(out, "  \"svc:%s\" -> \"pod:%s\" [label=\"%u -> %u\"%s];\n",
                                       svc->full, p->full, vp->port, vp->eps[e].port,
                                       stale ? ", style=dashed, color=red" : "");
            }
        }
    }
    for (unsigned i = 0; w->routes != NULL && i < w->routes->len; i++) {
        const RsRoute *r = w->routes->pdata[i];
        if (r->removed)
            continue;
        g_string_append_printf(out, "  \"router\" -> \"route:%s\";\n", r->full);
        for (unsigned k = 0; k < r->def->n_backends; k++)
            g_string_append_printf(out, "  \"route:%s\" -> \"svc:%s/%s\" [label=\"weight %u\"];\n",
                                   r->full, r->ns->name, r->def->backends[k].service,
                                   r->def->backends[k].weight);
    }
    for (unsigned i = 0; i < sc->n_hosts; i++) {
        g_string_append_printf(out, "  \"host:%s\" [shape=box, style=rounded, label=\"%s\\n%s\"];\n",
                               sc->hosts[i].name, sc->hosts[i].name,
                               rs_ipv4_format(sc->hosts[i].ip, ip));
        g_string_append_printf(out, "  \"egress\" -> \"host:%s\" [style=dotted];\n",
                               sc->hosts[i].name);
    }
    g_string_append(out, "}\n");
}

/* Prints the topology; see teach.h. */
void
rs_teach_topology(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at, RsTopoFormat fmt)
{
    if (fmt == RS_TOPO_DOT)
        topology_dot(out, sc, sim, at);
    else
        topology_text(out, sc, sim, at);
}
