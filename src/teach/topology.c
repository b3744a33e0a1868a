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
 *   - the scenario's hosts outside the cluster (R36);
 *   - under the router VIP, each replica with the configuration it loaded,
 *     when, and when its next reload is, and every route whose loaded
 *     servers or presence differ from the truth (R28).
 * Pods that are gone are left out (`explain` of `@ns/pod` shows where a stale
 * address leads).  Order is creation order throughout, so the output is a
 * function of scenario, seed and T.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "rahtisim/lb.h"
#include "rahtisim/policy.h"
#include "rahtisim/teach.h"
#include "teach/topology-private.h"

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

/* Appends a number in decimal.  The writers below append their per-object
 * lines piece by piece instead of with g_string_append_printf: printf's
 * parsing was a third of the topology of 10^5 namespaces (issue 14). */
static void
append_u(GString *s, unsigned v)
{
    char d[12];
    size_t n = 0;
    do {
        d[sizeof d - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    g_string_append_len(s, d + sizeof d - n, (gssize)n);
}

/* Appends the strings up to a NULL (g_strconcat into a GString). */
static void
append_all(GString *s, ...)
{
    va_list ap;
    va_start(ap, s);
    for (const char *p = va_arg(ap, const char *); p != NULL; p = va_arg(ap, const char *))
        g_string_append(s, p);
    va_end(ap);
}

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
    append_all(s, "route ", r->name, "  ", d->tls == RS_TLS_NONE ? "http" : "https", "://", r->host,
               d->path ? d->path : "/", " -> service ",
               d->n_backends > 0 ? d->backends[0].service : "?", NULL);
    if (d->target_port != 0) {
        g_string_append(s, " port ");
        append_u(s, d->target_port);
    } else if (d->target_name != NULL) {
        append_all(s, " port ", d->target_name, NULL);
    }
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
        if (i)
            g_string_append(s, ", ");
        append_u(s, t->ports[i].port);
        if (t->ports[i].name != NULL)
            append_all(s, "/", t->ports[i].name, NULL);
        if (t->ports[i].tls != NULL)
            append_all(s, " (tls ", t->ports[i].tls, ")", NULL);
    }
    if (t->protocol == RS_PROTO_TCP)
        g_string_append(s, " (tcp)");
}

/* Appends a pod's address and state. */
static void
pod_text(GString *s, const RsPod *p)
{
    char ip[16];
    append_all(s, "pod ", p->name, "  ", p->has_ip ? rs_ipv4_format(p->ip, ip) : "(no address yet)",
               "  ", rs_pod_state_word(p->state), NULL);
    if (p->crashed)
        g_string_append(s, " (crashed; still an endpoint until detected, R7)");
    else if (p->container_down)
        g_string_append_printf(s, " (CrashLoopBackOff after %u restarts, R51)", p->container_restarts);
    else if (p->state == RS_POD_FAILED)
        g_string_append(s, " (privileged port, restarting, R4)");
    else if (p->hung)
        g_string_append(s, " (hung: never answers, R53)");
    pod_ports(s, p);
}

/* Appends a service's address and port mapping. */
static void
service_text(GString *s, const RsService *svc)
{
    char ip[16];
    append_all(s, "service ", svc->name, "  ",
               svc->headless ? "headless (no ClusterIP: DNS answers the endpoints, R16)"
                             : rs_ipv4_format(svc->cluster_ip, ip), NULL);
    for (unsigned i = 0; i < svc->def->n_ports; i++) {
        const RsSvcPort *p = &svc->def->ports[i];
        g_string_append(s, i ? ", " : "  ");
        append_u(s, p->port);
        g_string_append(s, " -> ");
        if (p->target_name != NULL)
            g_string_append(s, p->target_name);
        else
            append_u(s, p->target_port ? p->target_port : p->port);
    }
}

/* Appends the endpoints the data plane has for one port of a service (R13-R15). */
static void
endpoints_text(GString *s, const RsService *svc, unsigned i)
{
    char ip[16];
    uint16_t port = svc->def->ports[i].port;
    RsViewPort *vp = svc->view != NULL ? rs_view_port(svc->view, port) : NULL;
    g_string_append(s, "port ");
    append_u(s, port);
    g_string_append(s, " endpoints: ");
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
        append_all(s, k ? ", " : "", p->name, " ", rs_ipv4_format(p->ip, ip), ":", NULL);
        append_u(s, vp->eps[k].port);
        if (!p->has_ip || p->state == RS_POD_GONE)
            g_string_append(s, " (gone: a stale entry, R15)");
        else if (p->crashed)
            g_string_append(s, " (crashed, R7)");
    }
}

/* ---- the text tree ---- */

/* A node of the text tree.  Children are appended in O(1) (a last-child
 * pointer): GLib's g_node_append walks the siblings, which made a 300 000-pod
 * deployment quadratic (issue 14). */
typedef struct TNode {
    char *text;                 /* owned */
    struct TNode *first, *last, *next;
} TNode;

/* Adds a child line to `parent` (the string is owned by the tree). */
static TNode *
add(TNode *parent, char *text)
{
    TNode *n = g_new0(TNode, 1);
    n->text = text;
    if (parent->last != NULL)
        parent->last->next = n;
    else
        parent->first = n;
    parent->last = n;
    return n;
}

/* Renders a tree with ASCII branches (like `tree --charset=ascii`). */
static void
render(GString *out, const TNode *node, GString *prefix)
{
    for (const TNode *c = node->first; c != NULL; c = c->next) {
        bool last = c->next == NULL;
        g_string_append_len(out, prefix->str, (gssize)prefix->len);
        append_all(out, last ? "`-- " : "|-- ", c->text, "\n", NULL);
        size_t len = prefix->len;
        g_string_append(prefix, last ? "    " : "|   ");
        render(out, c, prefix);
        g_string_truncate(prefix, len);
    }
}

/* Frees a tree (its children first). */
static void
tree_free(TNode *node)
{
    TNode *c = node->first;
    while (c != NULL) {
        TNode *next = c->next;
        tree_free(c);
        c = next;
    }
    g_free(node->text);
    g_free(node);
}

/* A new string from a GString built by a helper. */
static char *
take(GString *s)
{
    return g_string_free(s, FALSE);
}

/* The tree of one namespace under `root`. */
/* R40-R44: the namespace's network policies (the truth), each with its
 * types, rule counts and the live pods it selects. */
static void
policy_tree(TNode *n, RsWorld *w, const RsTopoNs *b)
{
    const GPtrArray *pols = rs_policy_mode(w) ? rs_policies_of(w, b->ns->name) : NULL;
    if (rs_policy_mode(w) && (pols == NULL || pols->len == 0))
        add(n, g_strdup("no network policy: every pod accepts and opens every connection (R41)"));
    uint32_t lb;
    for (unsigned i = 0; i < rs_namespace_n_services(b->ns); i++) {
        const RsService *svc = rs_namespace_service_nth(b->ns, i);
        if (svc->def->type != RS_SVC_LOAD_BALANCER)
            continue;
        char ip[16];
        if (rs_lb_address(w, svc, &lb))
            add(n, g_strdup_printf("load balancer %s  %s (external traffic policy %s, R48, R49)", svc->name,
                                   rs_ipv4_format(lb, ip), svc->def->etp == RS_ETP_LOCAL ? "local" : "cluster"));
        else
            add(n, g_strdup_printf("load balancer %s  pending: no external address (R48)", svc->name));
    }
    for (guint i = 0; pols != NULL && i < pols->len; i++) {
        const RsPolicy *p = pols->pdata[i];
        TNode *pn = add(n, g_strdup_printf("network policy %s%s  %s%s%s  %u ingress rule%s, %u egress rule%s (R41)",
                                           p->name, p->builtin ? " (default, R40)" : "",
                                           p->t_in ? "Ingress" : "", p->t_in && p->t_eg ? "+" : "",
                                           p->t_eg ? "Egress" : "", p->n_in, p->n_in == 1 ? "" : "s",
                                           p->n_eg, p->n_eg == 1 ? "" : "s"));
        GString *s = g_string_new("selects:");
        unsigned count = 0;
        for (unsigned k = 0; k < rs_world_n_pods(w); k++) {
            const RsPod *pod = rs_world_pod_nth(w, k);
            if (pod->ns != b->ns || pod->state == RS_POD_GONE || !rs_policy_selects(w, p, pod))
                continue;
            g_string_append_printf(s, " %s", pod->name);
            count++;
        }
        if (count == 0)
            g_string_append(s, " no pod");
        add(pn, take(s));
    }
}

static void
namespace_tree(TNode *root, RsWorld *w, const RsTopoNs *b)
{
    char ip[16], buf[32];
    const RsNamespace *ns = b->ns;
    TNode *n = add(root, g_strconcat("namespace ", ns->name, "  egress ", rs_ipv4_format(ns->egress_ip, ip),
                                     ns->dedicated_egress ? " (dedicated, R33)" : " (shared, R32)", NULL));
    for (unsigned i = 0; i < b->workloads->len; i++) {
        const RsWorkload *wl = b->workloads->pdata[i];
        TNode *d = add(n, g_strdup_printf("deployment %s  %u replica%s", wl->name, wl->replicas,
                                          wl->replicas == 1 ? "" : "s"));
        for (unsigned k = 0; k < wl->old->len + wl->pods->len; k++) {
            const RsPod *p = k < wl->old->len ? wl->old->pdata[k] : wl->pods->pdata[k - wl->old->len];
            if (p->state == RS_POD_GONE)
                continue;
            GString *s = g_string_new(NULL);
            pod_text(s, p);
            add(d, take(s));
        }
    }
    for (unsigned i = 0; i < b->bare->len; i++) {
        const RsPod *p = b->bare->pdata[i];
        GString *s = g_string_new(NULL);
        pod_text(s, p);
        g_string_append(s, "  (bare pod, R8)");
        add(n, take(s));
    }
    for (unsigned i = 0; i < rs_namespace_n_services(ns); i++) {
        const RsService *svc = rs_namespace_service_nth(ns, i);
        GString *s = g_string_new(NULL);
        service_text(s, svc);
        TNode *sn = add(n, take(s));
        for (unsigned k = 0; k < svc->def->n_ports; k++) {
            s = g_string_new(NULL);
            endpoints_text(s, svc, k);
            add(sn, take(s));
        }
        if (svc->pending.length > 0) {
            const RsSvcView *next = g_queue_peek_head((GQueue *)&svc->pending);
            add(sn, g_strdup_printf("the data plane lags the truth: next update at %s (R15)",
                                    rs_duration_format(next->made + w->par.endpoint_delay, buf)));
        }
    }
    for (unsigned i = 0; i < b->routes->len; i++) {
        const RsRoute *r = b->routes->pdata[i];
        GString *s = g_string_new(NULL);
        route_text(s, w, r);
        add(n, take(s));
    }
    policy_tree(n, w, b);
}

/* Each router replica under the VIP: what it loaded, when, the next reload,
 * and every route whose loaded state differs from the truth (R28). */
static void
router_tree(TNode *vip, const RsTopo *t)
{
    RsWorld *w = t->w;
    if (rs_world_n_routes(w) == 0)
        return;                 /* no route ever: the replicas have nothing to show */
    for (unsigned i = 0; i < w->n_replicas; i++) {
        const RsReplica *rep = &w->replicas[i];
        GString *s = g_string_new(NULL);
        rs_replica_text(s, rep);
        TNode *rn = add(vip, take(s));
        const RsRtConfig *cfg = rs_replica_config(rep);
        if (cfg == NULL || !rep->up)
            continue;
        for (unsigned k = 0; k < t->n_ns; k++) {
            const GPtrArray *routes = t->ns[k].routes;
            for (unsigned j = 0; j < routes->len; j++) {
                const RsRoute *r = routes->pdata[j];
                RsRouteDiff d;
                if (!r->admitted || !rs_route_diff(w, cfg, r, &d))
                    continue;
                s = g_string_new(NULL);
                rs_route_diff_text(s, rep, &d);
                add(rn, take(s));
            }
        }
        /* Routes it still serves that are removed or no longer admitted. */
        for (unsigned k = 0; k < cfg->n_backends; k++) {
            const RsRoute *r = cfg->backends[k].route;
            if (!r->removed && r->admitted)
                continue;
            char tb[32];
            rs_time_t next = rs_replica_next_reload(rep);
            s = g_string_new(NULL);
            g_string_append_printf(s, "route %s is %s but still loaded", r->full,
                                   r->removed ? "removed" : "no longer admitted");
            if (next != RS_TIME_NEVER)
                g_string_append_printf(s, " until the reload at %s", rs_duration_format(next, tb));
            g_string_append(s, " (R28)");
            add(rn, take(s));
        }
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
    RsTopo t;
    rs_topo_gather(&t, w);
    TNode *root = g_new0(TNode, 1);
    add(root, g_strdup_printf("pod network %s, service network %s, DNS %s (%s)",
                              cidr(pr->pod_net, pr->pod_prefix, n1),
                              cidr(pr->service_net, pr->service_prefix, n2),
                              rs_ipv4_format(pr->par.dns_server, ip), pr->cluster_domain));
    TNode *vip = add(root, g_strdup_printf("router VIP %s: %s and *.%s, ports 80 and 443 only (R18, R19)",
                                           rs_ipv4_format(pr->par.router_vip, ip), pr->router_canonical,
                                           pr->app_domain));
    router_tree(vip, &t);
    add(root, g_strdup_printf("egress %s: the source address of traffic leaving the cluster (R32)",
                              rs_ipv4_format(pr->egress_ip, ip)));
    for (unsigned i = 0; i < t.n_ns; i++)
        namespace_tree(root, w, &t.ns[i]);
    for (unsigned i = 0; i < sc->n_hosts; i++) {
        GString *s = g_string_new(NULL);
        host_text(s, &sc->hosts[i]);
        add(root, take(s));
    }
    g_autoptr(GString) prefix = g_string_new(NULL);
    render(out, root, prefix);
    tree_free(root);
    rs_topo_clear(&t);
}

/* Prints the topology; see teach.h. */
void
rs_teach_topology(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at, RsTopoFormat fmt)
{
    if (fmt == RS_TOPO_DOT)
        rs_topology_dot(out, sc, sim, at);
    else
        topology_text(out, sc, sim, at);
}
