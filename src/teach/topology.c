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
    rs_topo_put_all(s, "route ", r->name, "  ", d->tls == RS_TLS_NONE ? "http" : "https", "://", r->host,
               d->path ? d->path : "/", " -> service ",
               d->n_backends > 0 ? d->backends[0].service : "?", NULL);
    if (d->target_port != 0) {
        rs_topo_put(s, " port ");
        rs_topo_put_u(s, d->target_port);
    } else if (d->target_name != NULL) {
        rs_topo_put_all(s, " port ", d->target_name, NULL);
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
        rs_topo_put(s, "  NOT ADMITTED (HostAlreadyClaimed): ");
        rs_route_admission_describe(r, s);     /* the event log's words (R22) */
        rs_topo_put(s, " (R22)");
    }
}

/* Appends a pod's ports: "8081", "8080/http", "8443 (tls x)", "tcp". */
static void
pod_ports(GString *s, const RsPod *p)
{
    const RsTemplate *t = p->tmpl;
    if (t->n_ports == 0)
        return;
    rs_topo_put(s, "  ports ");
    for (unsigned i = 0; i < t->n_ports; i++) {
        if (i)
            rs_topo_put(s, ", ");
        rs_topo_put_u(s, t->ports[i].port);
        if (t->ports[i].name != NULL)
            rs_topo_put_all(s, "/", t->ports[i].name, NULL);
        if (t->ports[i].tls != NULL)
            rs_topo_put_all(s, " (tls ", t->ports[i].tls, ")", NULL);
    }
    if (t->protocol == RS_PROTO_TCP)
        rs_topo_put(s, " (tcp)");
}

/* Appends a pod's address and state. */
static void
pod_text(GString *s, const RsPod *p)
{
    char ip[16];
    rs_topo_put_all(s, "pod ", p->name, "  ", p->has_ip ? rs_ipv4_format(p->ip, ip) : "(no address yet)",
               "  ", rs_pod_state_word(p->state), NULL);
    if (p->crashed)
        rs_topo_put(s, " (crashed; still an endpoint until detected, R7)");
    else if (p->container_down)
        g_string_append_printf(s, " (CrashLoopBackOff after %u restarts, R51)", p->container_restarts);
    else if (p->state == RS_POD_FAILED)
        rs_topo_put(s, " (privileged port, restarting, R4)");
    else if (p->hung)
        rs_topo_put(s, " (hung: never answers, R53)");
    pod_ports(s, p);
}

/* Appends a service's address and port mapping. */
static void
service_text(GString *s, const RsService *svc)
{
    char ip[16];
    rs_topo_put_all(s, "service ", svc->name, "  ",
               svc->headless ? "headless (no ClusterIP: DNS answers the endpoints, R16)"
                             : rs_ipv4_format(svc->cluster_ip, ip), NULL);
    for (unsigned i = 0; i < svc->def->n_ports; i++) {
        const RsSvcPort *p = &svc->def->ports[i];
        rs_topo_put(s, i ? ", " : "  ");
        rs_topo_put_u(s, p->port);
        rs_topo_put(s, " -> ");
        if (p->target_name != NULL)
            rs_topo_put(s, p->target_name);
        else
            rs_topo_put_u(s, p->target_port ? p->target_port : p->port);
    }
}

/* Appends the endpoints the data plane has for one port of a service (R13-R15). */
static void
endpoints_text(GString *s, const RsService *svc, unsigned i)
{
    char ip[16];
    uint16_t port = svc->def->ports[i].port;
    RsViewPort *vp = svc->view != NULL ? rs_view_port(svc->view, port) : NULL;
    rs_topo_put(s, "port ");
    rs_topo_put_u(s, port);
    rs_topo_put(s, " endpoints: ");
    if (svc->view == NULL) {
        rs_topo_put(s, "none, the data plane has no rules yet (R15)");
        return;
    }
    if (vp == NULL || vp->n_eps == 0) {
        rs_topo_put(s, "none ready (refused, R14)");
        return;
    }
    for (unsigned k = 0; k < vp->n_eps; k++) {
        const RsPod *p = vp->eps[k].pod;
        rs_topo_put_all(s, k ? ", " : "", p->name, " ", rs_ipv4_format(p->ip, ip), ":", NULL);
        rs_topo_put_u(s, vp->eps[k].port);
        if (!p->has_ip || p->state == RS_POD_GONE)
            rs_topo_put(s, " (gone: a stale entry, R15)");
        else if (p->crashed)
            rs_topo_put(s, " (crashed, R7)");
    }
}

/* ---- the text tree ---- */

/* The tree is written straight into the output, line by line, in the order
 * its lines are made (a node's subtree is finished before its next sibling
 * comes), like `tree --charset=ascii`.  Each line is first written as the
 * last child of its parent ("`-- ", and "    " under every ancestor); when
 * a node gets a next sibling, its own line becomes "|-- " and every line of
 * its subtree (the lines since its own) gets "|   " in its column.  No node,
 * string or copy per line: a node and a string per line, each g_malloc'd
 * and freed, then a tree kept whole and rendered, were a sixth of the
 * topology of 10^5 namespaces and 75 MB beside the 67 MB of output (issue
 * 14).  A node is known by its depth (the root 0): lines are only ever
 * added under the latest node of a depth.
 *
 * With a sink (rs_teach_topology_to) the lines no later sibling can change
 * are handed on as the tree grows, so the text kept is about one
 * namespace's subtree, not the whole output (67 MB at 10^5 namespaces).
 * A writer that knows whether a node will have a next sibling says so
 * (line_begin_more, line_begin_last): its line and its subtree are written
 * as they will stay at once, and nothing waits for the sibling; the
 * router's replicas and the VIP above them (10^5 namespaces: 2*10^5 lines
 * of R28) are written so. */
#define TREE_DEPTH 8            /* the deepest line is at 3 */

typedef struct {
    GString *text;              /* the output not yet handed to the sink */
    size_t *lines;              /* where each line starts (a text may hold a newline) */
    guint n_lines, cap_lines;
    guint pos[TREE_DEPTH];      /* the latest line at each depth (its index in lines) */
    bool has[TREE_DEPTH];       /* the latest node above has a child at this depth */
    bool known[TREE_DEPTH];     /* whether the latest node at this depth will have a next */
    bool more[TREE_DEPTH];      /* sibling is known, and if so, whether it will */
    RsTopoSink sink;            /* NULL: the text is kept whole */
    void *data;
} Tree;

static void
tree_init(Tree *t, GString *out, RsTopoSink sink, void *data)
{
    memset(t, 0, sizeof *t);
    t->text = out;
    t->cap_lines = 1024;
    t->lines = g_new(size_t, t->cap_lines);
    t->sink = sink;
    t->data = data;
}

static void
tree_clear(Tree *t)
{
    g_free(t->lines);
}

/* A node at depth d gets a next sibling: its line (number `first`) and its
 * subtree's lines, the ones after it, show the branch going on. */
static void
tree_continue(Tree *t, unsigned d, guint first)
{
    char *s = t->text->str;
    const size_t *at = t->lines;
    size_t col = 4 * (size_t)(d - 1);
    /* four characters into the line, no NUL: arrays, not strings */
    static const char branch[4] = {'|', '-', '-', ' '}, trunk[4] = {'|', ' ', ' ', ' '};
    memcpy(s + at[first] + col, branch, sizeof branch);
    for (guint i = first + 1; i < t->n_lines; i++)
        memcpy(s + at[i] + col, trunk, sizeof trunk);
}

/* Hands the sink the lines before the first one a next sibling may still
 * change (tree_continue): the earliest latest line of a depth, on the
 * path to the latest line, whose node was not said to go on. */
static void
tree_flush(Tree *t)
{
    guint first = t->n_lines;
    for (unsigned d = 1; d < TREE_DEPTH && t->has[d]; d++)
        if (!t->known[d] && t->pos[d] < first)
            first = t->pos[d];
    size_t cut = first < t->n_lines ? t->lines[first] : t->text->len;
    if (cut < RS_TOPO_PART / 2)
        return;                 /* too little is final yet */
    t->sink(t->text->str, cut, t->data);
    g_string_erase(t->text, 0, (gssize)cut);
    for (guint i = first; i < t->n_lines; i++)
        t->lines[i - first] = t->lines[i] - cut;
    t->n_lines -= first;
    for (unsigned d = 1; d < TREE_DEPTH && t->has[d]; d++)   /* a node said to go on may be gone */
        t->pos[d] = t->pos[d] >= first ? t->pos[d] - first : 0;
}

/* Starts a child line of `parent` (a depth); the writer appends its text to
 * t->text, then line_end.  Returns the new node.  `known`: whether the
 * node will have a next sibling is known, `more` whether it will
 * (line_begin_more, line_begin_last). */
static guint32
line_start(Tree *t, guint32 parent, bool known, bool more)
{
    unsigned d = parent + 1;
    g_assert(d < TREE_DEPTH - 1);
    if (t->has[d]) {
        g_assert(!t->known[d] || t->more[d]);   /* a node said to be the last has no next */
        if (!t->known[d])
            tree_continue(t, d, t->pos[d]);
    }
    if (t->sink != NULL && t->text->len >= RS_TOPO_PART)
        tree_flush(t);
    size_t start = t->text->len;
    if (t->n_lines == t->cap_lines) {
        t->cap_lines = MAX(2 * t->cap_lines, 1024u);
        t->lines = g_renew(size_t, t->lines, t->cap_lines);
    }
    t->pos[d] = t->n_lines;
    t->lines[t->n_lines++] = start;
    t->has[d] = true;
    t->known[d] = known;
    t->more[d] = more;
    t->has[d + 1] = false;
    for (unsigned j = 1; j < d; j++)
        rs_topo_put_len(t->text, t->more[j] ? "|   " : "    ", 4);
    rs_topo_put_len(t->text, more ? "|-- " : "`-- ", 4);
    return d;
}

static guint32
line_begin(Tree *t, guint32 parent)
{
    return line_start(t, parent, false, false);
}

/* A line whose node the writer knows will have a next sibling. */
static guint32
line_begin_more(Tree *t, guint32 parent)
{
    return line_start(t, parent, true, true);
}

/* A line whose node the writer knows will have none. */
static guint32
line_begin_last(Tree *t, guint32 parent)
{
    return line_start(t, parent, true, false);
}

static void
line_end(Tree *t)
{
    rs_topo_putc(t->text, '\n');
}

/* Adds a child line of fixed text. */
static guint32
add(Tree *t, guint32 parent, const char *text)
{
    guint32 n = line_begin(t, parent);
    rs_topo_put(t->text, text);
    line_end(t);
    return n;
}

/* Adds a child line, printf'd (for the lines there are few of). */
G_GNUC_PRINTF(3, 4) static guint32
addf(Tree *t, guint32 parent, const char *fmt, ...)
{
    guint32 n = line_begin(t, parent);
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(t->text, fmt, ap);
    va_end(ap);
    line_end(t);
    return n;
}

/* R40-R44: the namespace's network policies (the truth), each with its
 * types, rule counts and the live pods it selects. */
static void
policy_tree(Tree *t, guint32 n, RsWorld *w, const RsTopoNs *b)
{
    const GPtrArray *pols = rs_policy_mode(w) ? rs_policies_of(w, b->ns->name) : NULL;
    if (rs_policy_mode(w) && (pols == NULL || pols->len == 0))
        add(t, n, "no network policy: every pod accepts and opens every connection (R41)");
    uint32_t lb;
    for (unsigned i = 0; i < rs_namespace_n_services(b->ns); i++) {
        const RsService *svc = rs_namespace_service_nth(b->ns, i);
        if (svc->def->type != RS_SVC_LOAD_BALANCER)
            continue;
        char ip[16];
        if (rs_lb_address(w, svc, &lb))
            addf(t, n, "load balancer %s  %s (external traffic policy %s, R48, R49)", svc->name,
                 rs_ipv4_format(lb, ip), svc->def->etp == RS_ETP_LOCAL ? "local" : "cluster");
        else
            addf(t, n, "load balancer %s  pending: no external address (R48)", svc->name);
    }
    for (guint i = 0; pols != NULL && i < pols->len; i++) {
        const RsPolicy *p = pols->pdata[i];
        guint32 pn = addf(t, n, "network policy %s%s  %s%s%s  %u ingress rule%s, %u egress rule%s (R41)",
                          p->name, p->builtin ? " (default, R40)" : "",
                          p->t_in ? "Ingress" : "", p->t_in && p->t_eg ? "+" : "",
                          p->t_eg ? "Egress" : "", p->n_in, p->n_in == 1 ? "" : "s",
                          p->n_eg, p->n_eg == 1 ? "" : "s");
        /* the namespace's own pods (its bucket), not every pod of the world
         * once per policy: that was quadratic on rahti-2 (issue 14) */
        line_begin(t, pn);
        rs_topo_put(t->text, "selects:");
        unsigned count = 0;
        for (unsigned k = 0; k < b->pods->len; k++) {
            const RsPod *pod = b->pods->pdata[k];
            if (!rs_policy_selects(w, p, pod))
                continue;
            rs_topo_put_all(t->text, " ", pod->name, NULL);
            count++;
        }
        if (count == 0)
            rs_topo_put(t->text, " no pod");
        line_end(t);
    }
}

/* The tree of one namespace under the root. */
static void
namespace_tree(Tree *t, RsWorld *w, const RsTopoNs *b)
{
    char ip[16], buf[32];
    const RsNamespace *ns = b->ns;
    guint32 n = line_begin(t, 0);
    rs_topo_put_all(t->text, "namespace ", ns->name, "  egress ", rs_ipv4_format(ns->egress_ip, ip),
               ns->dedicated_egress ? " (dedicated, R33)" : " (shared, R32)", NULL);
    line_end(t);
    for (unsigned i = 0; i < b->workloads->len; i++) {
        const RsWorkload *wl = b->workloads->pdata[i];
        guint32 d = addf(t, n, "deployment %s  %u replica%s", wl->name, wl->replicas,
                         wl->replicas == 1 ? "" : "s");
        for (unsigned k = 0; k < wl->old->len + wl->pods->len; k++) {
            const RsPod *p = k < wl->old->len ? wl->old->pdata[k] : wl->pods->pdata[k - wl->old->len];
            if (p->state == RS_POD_GONE)
                continue;
            line_begin(t, d);
            pod_text(t->text, p);
            line_end(t);
        }
    }
    for (unsigned i = 0; i < b->bare->len; i++) {
        const RsPod *p = b->bare->pdata[i];
        line_begin(t, n);
        pod_text(t->text, p);
        rs_topo_put(t->text, "  (bare pod, R8)");
        line_end(t);
    }
    for (unsigned i = 0; i < rs_namespace_n_services(ns); i++) {
        const RsService *svc = rs_namespace_service_nth(ns, i);
        guint32 sn = line_begin(t, n);
        service_text(t->text, svc);
        line_end(t);
        for (unsigned k = 0; k < svc->def->n_ports; k++) {
            line_begin(t, sn);
            endpoints_text(t->text, svc, k);
            line_end(t);
        }
        if (svc->pending.length > 0) {
            const RsSvcView *next = g_queue_peek_head((GQueue *)&svc->pending);
            line_begin(t, sn);
            rs_topo_put_all(t->text, "the data plane lags the truth: next update at ",
                       rs_duration_format(next->made + w->par.endpoint_delay, buf), " (R15)", NULL);
            line_end(t);
        }
    }
    for (unsigned i = 0; i < b->routes->len; i++) {
        const RsRoute *r = b->routes->pdata[i];
        line_begin(t, n);
        route_text(t->text, w, r);
        line_end(t);
    }
    policy_tree(t, n, w, b);
}

/* Each router replica under the VIP: what it loaded, when, the next reload,
 * and every route whose loaded state differs from the truth (R28). */
static void
router_tree(Tree *t, guint32 vip, const RsTopo *topo)
{
    RsWorld *w = topo->w;
    if (rs_world_n_routes(w) == 0)
        return;                 /* no route ever: the replicas have nothing to show */
    for (unsigned i = 0; i < w->n_replicas; i++) {
        const RsReplica *rep = &w->replicas[i];
        /* every replica has its line, the VIP's only children: all but the
         * last have a next sibling */
        guint32 rn = i + 1 < w->n_replicas ? line_begin_more(t, vip) : line_begin_last(t, vip);
        rs_replica_text(t->text, rep);
        line_end(t);
        const RsRtConfig *cfg = rs_replica_config(rep);
        if (cfg == NULL || !rep->up)
            continue;
        unsigned cursor = 0;    /* rs_route_diff's cursor in cfg */
        char when[64];
        rs_replica_until(rep, when);
        for (unsigned k = 0; k < topo->n_ns; k++) {
            const RsTopoList *routes = topo->ns[k].routes;
            for (unsigned j = 0; j < routes->len; j++) {
                const RsRoute *r = routes->pdata[j];
                RsRouteDiff d;
                if (!r->admitted || !rs_route_diff(topo, cfg, r, &cursor, &d))
                    continue;
                line_begin(t, rn);
                rs_route_diff_text(t->text, when, &d);
                line_end(t);
            }
        }
        /* Routes it still serves that are removed or no longer admitted. */
        for (unsigned k = 0; k < cfg->n_backends; k++) {
            const RsRoute *r = cfg->backends[k].route;
            if (!r->removed && r->admitted)
                continue;
            char tb[32];
            rs_time_t next = rs_replica_next_reload(rep);
            line_begin(t, rn);
            g_string_append_printf(t->text, "route %s is %s but still loaded", r->full,
                                   r->removed ? "removed" : "no longer admitted");
            if (next != RS_TIME_NEVER)
                g_string_append_printf(t->text, " until the reload at %s", rs_duration_format(next, tb));
            rs_topo_put(t->text, " (R28)");
            line_end(t);
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
            rs_topo_putc(s, ')');
    }
}

/* The whole tree. */
static void
topology_text(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at, RsTopoSink sink, void *data)
{
    RsWorld *w = rs_sim_world(sim);
    const RsProfile *pr = &sc->profile;
    char buf[32], ip[16], n1[20], n2[20];
    g_string_append_printf(out, "cluster %s at %s (scenario %s, seed %" G_GUINT64_FORMAT ")\n",
                           pr->name, rs_duration_format(at, buf), sc->name, rs_sim_seed(sim));
    RsTopo topo;
    rs_topo_gather(&topo, w);
    Tree t;
    tree_init(&t, out, sink, data);
    addf(&t, 0, "pod network %s, service network %s, DNS %s (%s)",
         cidr(pr->pod_net, pr->pod_prefix, n1), cidr(pr->service_net, pr->service_prefix, n2),
         rs_ipv4_format(pr->par.dns_server, ip), pr->cluster_domain);
    /* the egress line below always follows: the VIP's subtree (R28's lines,
     * one per route and replica) is written continued at once */
    guint32 vip = line_begin_more(&t, 0);
    g_string_append_printf(out, "router VIP %s: %s and *.%s, ports 80 and 443 only (R18, R19)",
                           rs_ipv4_format(pr->par.router_vip, ip), pr->router_canonical, pr->app_domain);
    line_end(&t);
    router_tree(&t, vip, &topo);
    addf(&t, 0, "egress %s: the source address of traffic leaving the cluster (R32)",
         rs_ipv4_format(pr->egress_ip, ip));
    for (unsigned i = 0; i < topo.n_ns; i++)
        namespace_tree(&t, w, &topo.ns[i]);
    for (unsigned i = 0; i < sc->n_hosts; i++) {
        line_begin(&t, 0);
        host_text(t.text, &sc->hosts[i]);
        line_end(&t);
    }
    tree_clear(&t);
    rs_topo_clear(&topo);
    if (sink != NULL) {
        sink(out->str, out->len, data);
        g_string_truncate(out, 0);
    }
}

/* Prints the topology; see teach.h. */
void
rs_teach_topology(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at, RsTopoFormat fmt)
{
    rs_teach_topology_to(out, sc, sim, at, fmt, NULL, NULL);
}

/* Prints the topology in parts; see teach.h. */
void
rs_teach_topology_to(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at, RsTopoFormat fmt,
                     RsTopoSink sink, void *data)
{
    if (fmt == RS_TOPO_DOT)
        rs_topology_dot(out, sc, sim, at, sink, data);
    else
        topology_text(out, sc, sim, at, sink, data);
}
