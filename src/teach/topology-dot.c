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
 * more such function.
 *
 * Network policies (rahti-2, R40-R47), policy_verdicts(): each namespace box
 * holds its policies (note nodes: what they select and allow, R41, R43) and
 * its label says whether its pods reach each other; between two namespaces
 * one edge from box to box says what the policies decide for every pod pair
 * (green: allowed, and by which policy; red dashed: dropped, and which
 * policy selected the pod without admitting the peer, R42).  Where pairs of
 * two namespaces differ (a policy selects some pods only, or some ports),
 * one edge per pod pair and port instead.  The verdicts are the data plane's
 * own (rs_policy_check on the view at T, R47), not a re-derivation.  A
 * request of the scenario between namespaces stays dashed: "network
 * policies decide", with the policy edges beside it.  Every text from the scenario
 * goes through rs_dot_escape.  Cost: linear in the objects drawn (objects
 * are bucketed by namespace once, rs_topo_gather; edges are deduplicated
 * with a hash set).
 */
#include "config.h"

#include <string.h>

#include "rahtisim/dns.h"
#include "rahtisim/policy.h"
#include "rahtisim/util.h"
#include "teach/topology-private.h"

/* The edges and extra nodes drawn, as their keys "tk:tn\001hk:hn" and
 * "node\001pod:name": an open-addressing set of hashes, lengths and keys,
 * the keys in one string chunk (issue 14: a g_malloc'd key and a
 * GHashTable insert per edge were a third of the DOT writer; 10^5
 * namespaces draw 4*10^5 edges).  A slot is 16 bytes (the hash's low 32
 * bits, which place it, and the key's length) and the set fills to three
 * quarters: at 10^5 namespaces its 2^19 slots are 8 MB, not the 24 MB of
 * 2^20 slots of 24 bytes (with the 12 MB of the table before, all fresh
 * pages for the kernel to clear). */
typedef struct {
    uint32_t h;
    uint32_t len;
    const char *key;            /* NULL: a free slot; else in `keys` */
} KeySlot;

typedef struct {
    KeySlot *slots;
    size_t cap, n;              /* cap a power of two, n < cap * 3 / 4 */
    GStringChunk *keys;
    GString *scratch;           /* the key being looked up */
} KeySet;

typedef struct {
    GString *out;
    RsWorld *w;
    const RsScenario *sc;
    const RsTopo *t;
    KeySet edges;               /* edges and gone pods drawn */
    GHashTable *inner;          /* RsNamespace * -> its pods to each other (R42; owned text) */
    GString *pol;               /* the policy edges, written after the nodes */
    RsTopoSink sink;            /* NULL: `out` keeps the whole graph */
    void *data;
} Dot;

/* Hands the sink what is made once it is a part's worth; called between
 * statements (the text ends with a newline), and nothing written is
 * changed later. */
static inline void
dot_part(Dot *d)
{
    if (d->sink != NULL && d->out->len >= RS_TOPO_PART) {
        d->sink(d->out->str, d->out->len, d->data);
        g_string_truncate(d->out, 0);
    }
}

/* Appends a quoted node id "kind:name".  The kind is one of this file's
 * words (pod, svc, route, ...), which need no escaping. */
static void
id(GString *out, const char *kind, const char *name)
{
    rs_topo_putc(out, '"');
    rs_topo_put(out, kind);
    rs_topo_putc(out, ':');
    rs_dot_escape(out, name);
    rs_topo_putc(out, '"');
}

static void
keyset_init(KeySet *s)
{
    s->cap = 1024;
    s->n = 0;
    s->slots = g_new0(KeySlot, s->cap);
    s->keys = g_string_chunk_new(1 << 16);
    s->scratch = g_string_new(NULL);
}

static void
keyset_clear(KeySet *s)
{
    g_clear_pointer(&s->slots, g_free);
    g_clear_pointer(&s->keys, g_string_chunk_free);
    if (s->scratch != NULL)
        g_string_free(g_steal_pointer(&s->scratch), TRUE);
}

/* Adds the concatenation of the n pieces; false if it was there. */
static bool
keyset_add(KeySet *s, const char *const *piece, unsigned n)
{
    g_string_truncate(s->scratch, 0);
    for (unsigned k = 0; k < n; k++)
        rs_topo_put(s->scratch, piece[k]);
    const char *key = s->scratch->str;
    size_t len = s->scratch->len;
    g_assert(len <= G_MAXUINT32);
    uint32_t h = (uint32_t)rs_hash_bytes(key, len);
    size_t mask = s->cap - 1, i = (size_t)h & mask;
    for (; s->slots[i].key != NULL; i = (i + 1) & mask)
        if (s->slots[i].h == h && s->slots[i].len == len && memcmp(s->slots[i].key, key, len) == 0)
            return false;
    s->slots[i].h = h;
    s->slots[i].len = (uint32_t)len;
    s->slots[i].key = g_string_chunk_insert_len(s->keys, key, (gssize)len);
    if (++s->n * 4 >= s->cap * 3) {
        /* double: every key moves to its slot in the larger table */
        KeySlot *old = s->slots;
        size_t old_cap = s->cap;
        s->cap *= 2;
        s->slots = g_new0(KeySlot, s->cap);
        mask = s->cap - 1;
        for (size_t k = 0; k < old_cap; k++) {
            if (old[k].key == NULL)
                continue;
            size_t j = (size_t)old[k].h & mask;
            while (s->slots[j].key != NULL)
                j = (j + 1) & mask;
            s->slots[j] = old[k];
        }
        g_free(old);
    }
    return true;
}

/* Appends one edge once: tail -> head [attrs]; false if already drawn. */
static bool
edge(Dot *d, const char *tk, const char *tn, const char *hk, const char *hn, const char *attrs)
{
    const char *const key[] = {tk, ":", tn, "\001", hk, ":", hn};
    if (!keyset_add(&d->edges, key, G_N_ELEMENTS(key)))
        return false;
    rs_topo_put(d->out, "  ");
    id(d->out, tk, tn);
    rs_topo_put(d->out, " -> ");
    id(d->out, hk, hn);
    if (attrs != NULL && attrs[0] != '\0') {
        rs_topo_put(d->out, " [");
        rs_topo_put(d->out, attrs);
        rs_topo_putc(d->out, ']');
    }
    rs_topo_put(d->out, ";\n");
    dot_part(d);
    return true;
}

/* A label attribute: label="escaped" into a GString. */
static void
label(GString *s, const char *text)
{
    rs_topo_put(s, "label=\"");
    rs_dot_escape(s, text);
    rs_topo_putc(s, '"');
}

/* ---- nodes ---- */

/* The edge of the cluster: VIP, replicas, shared egress, hosts (R18, R30, R32, R36). */
static void
outside_nodes(Dot *d)
{
    char ip[16];
    g_autoptr(GString) s = g_string_new(NULL);
    rs_topo_put(d->out, "  ");
    id(d->out, "vip", "");
    g_string_append_printf(d->out, " [shape=box3d, label=\"router VIP\\n%s\\nports 80, 443\"];\n",
                           rs_ipv4_format(d->w->par.router_vip, ip));
    for (unsigned i = 0; i < d->w->n_replicas && rs_world_n_routes(d->w) > 0; i++) {
        const RsReplica *rep = &d->w->replicas[i];
        char t[32], t2[32];
        g_string_truncate(s, 0);
        rs_time_t loaded = rs_replica_loaded_at(rep), next = rs_replica_next_reload(rep);
        g_string_append_printf(s, "%s%s\nloaded %s", rep->name, rep->up ? "" : " (down)",
                               loaded == RS_TIME_NEVER ? "never" : rs_duration_format(loaded, t));
        if (next != RS_TIME_NEVER)
            g_string_append_printf(s, "\nnext reload %s", rs_duration_format(next, t2));
        rs_topo_put(d->out, "  ");
        id(d->out, "router", rep->name);
        rs_topo_put(d->out, " [shape=component, ");
        label(d->out, s->str);
        g_string_append_printf(d->out, "%s];\n", rep->up ? "" : ", style=dashed, color=red");
    }
    rs_topo_put(d->out, "  ");
    id(d->out, "egress", "");
    g_string_append_printf(d->out, " [shape=box3d, label=\"shared egress\\n%s\"];\n",
                           rs_ipv4_format(d->w->egress_default, ip));
    for (unsigned i = 0; i < d->sc->n_hosts; i++) {
        const RsHostSpec *h = &d->sc->hosts[i];
        g_string_truncate(s, 0);
        g_string_append_printf(s, "%s\n%s", h->name, rs_ipv4_format(h->ip, ip));
        rs_topo_put(d->out, "  ");
        id(d->out, "host", h->name);
        rs_topo_put(d->out, " [shape=box, style=rounded, ");
        label(d->out, s->str);
        rs_topo_put(d->out, "];\n");
    }
}

/* A route's label: name, URL with path, TLS mode and port 80 policy,
 * whitelist, admission (R20-R25).  Written escaped into the output: the
 * scenario's words through rs_dot_escape, the line breaks as \n (the node
 * labels of 10^5 namespaces were built in a string and then escaped whole,
 * issue 14). */
static void
route_label(GString *out, const RsWorld *w, const RsRoute *r)
{
    static const char *const tls[] = {"none", "edge", "passthrough", "reencrypt"};
    static const char *const insecure[] = {"none", "allow", "redirect"};
    const RsRouteDef *def = r->def;
    rs_topo_put(out, "label=\"route ");
    rs_dot_escape(out, r->name);
    rs_topo_put_all(out, "\\n", def->tls == RS_TLS_NONE ? "http" : "https", "://", NULL);
    rs_dot_escape(out, r->host);
    rs_dot_escape(out, def->path);      /* never NULL ("/" by default) */
    rs_topo_put_all(out, "\\ntls ", tls[def->tls], NULL);
    if (def->tls != RS_TLS_NONE)
        rs_topo_put_all(out, ", port 80: ", insecure[def->insecure], NULL);
    for (unsigned k = 0; k < w->n_whitelist_keys; k++) {
        const char *wl = rs_route_annotation(r, w->whitelist_keys[k]);
        if (wl != NULL) {
            rs_topo_put(out, "\\nwhitelist ");
            rs_dot_escape(out, wl);
            rs_topo_put(out, " (R25)");
        }
    }
    if (r->admitted) {
        rs_topo_put(out, "\\nadmitted (R22)\"");
    } else {
        rs_topo_put(out, "\\nNOT ADMITTED: ");
        rs_dot_escape(out, r->claimed_by != NULL ? r->claimed_by->full : "another route");
        rs_topo_put(out, " holds the host (R22)\"");
    }
}

/* A selector as a student reads it: "app=web, tier in (a, b)" or "every pod" (R43). */
static void
selector_text(GString *s, const RsPSel *sel, const char *all)
{
    static const char *const ops[] = {"in", "notin", "exists", "doesnotexist"};
    if (sel->n_ml == 0 && sel->n_ex == 0) {
        rs_topo_put(s, all);
        return;
    }
    for (unsigned i = 0; i < sel->n_ml; i++)
        g_string_append_printf(s, "%s%s=%s", i ? ", " : "", sel->ml[i].key, sel->ml[i].value);
    for (unsigned i = 0; i < sel->n_ex; i++) {
        const RsPSelExpr *e = &sel->ex[i];
        g_string_append_printf(s, "%s%s %s", sel->n_ml + i ? ", " : "", e->key,
                               (unsigned)e->op < G_N_ELEMENTS(ops) ? ops[e->op] : "?");
        if (e->n_values > 0) {
            rs_topo_put(s, " (");
            for (unsigned k = 0; k < e->n_values; k++)
                g_string_append_printf(s, "%s%s", k ? ", " : "", e->values[k]);
            rs_topo_putc(s, ')');
        }
    }
}

/* One direction of a policy: "ingress from: ns lab; pods app=client; 10.0.0.0/8
 * ports 8080" per rule; "ingress: nothing" when it has no rule (R41). */
static void
rules_text(GString *s, const char *dir, const RsPRule *rules, unsigned n)
{
    char ip[16];
    if (n == 0) {
        g_string_append_printf(s, "\n%s: nothing (isolated, R41)", dir);
        return;
    }
    for (unsigned r = 0; r < n; r++) {
        const RsPRule *ru = &rules[r];
        g_string_append_printf(s, "\n%s rule %u: ", dir, r + 1);
        if (ru->n_peers == 0)
            rs_topo_put(s, "every peer");
        for (unsigned k = 0; k < ru->n_peers; k++) {
            const RsPPeer *pe = &ru->peers[k];
            if (k > 0)
                rs_topo_put(s, " | ");
            if (pe->has_ip) {
                unsigned prefix = 0;
                for (uint32_t m = pe->cidr.mask; m != 0; m <<= 1)
                    prefix++;
                g_string_append_printf(s, "%s/%u%s", rs_ipv4_format(pe->cidr.net, ip), prefix,
                                       pe->n_except > 0 ? " (with exceptions)" : "");
                continue;
            }
            if (pe->has_ns) {
                rs_topo_put(s, "ns ");
                selector_text(s, &pe->ns, "every namespace");
            }
            if (pe->has_pod) {
                rs_topo_put(s, pe->has_ns ? ", pods " : "pods of its namespace ");
                selector_text(s, &pe->pod, "(all)");
            }
        }
        if (ru->n_ports > 0) {
            rs_topo_put(s, "; ports");
            for (unsigned k = 0; k < ru->n_ports; k++) {
                const RsPPort *po = &ru->ports[k];
                if (po->port_name != NULL)
                    g_string_append_printf(s, " %s", po->port_name);
                else if (!po->has_port)
                    rs_topo_put(s, " all");
                else if (po->end_port != 0)
                    g_string_append_printf(s, " %u-%u", po->port, po->end_port);
                else
                    g_string_append_printf(s, " %u", po->port);
            }
        }
    }
}

/* A namespace's network policies (the truth at T) as note nodes (R40-R44). */
static void
policy_nodes(Dot *d, const RsNamespace *ns)
{
    if (!rs_policy_mode(d->w))
        return;
    const GPtrArray *pols = rs_policies_of(d->w, ns->name);
    g_autoptr(GString) s = g_string_new(NULL);
    for (unsigned i = 0; pols != NULL && i < pols->len; i++) {
        const RsPolicy *p = pols->pdata[i];
        g_string_truncate(s, 0);
        g_string_append_printf(s, "policy %s%s\nselects ", p->name, p->builtin ? " (default, R40)" : "");
        selector_text(s, &p->sel, "every pod");
        if (p->t_in)
            rules_text(s, "ingress", p->in, p->n_in);
        if (p->t_eg)
            rules_text(s, "egress", p->eg, p->n_eg);
        rs_topo_put(d->out, "    ");
        id(d->out, "policy", p->full);
        rs_topo_put(d->out, " [shape=note, ");
        label(d->out, s->str);
        rs_topo_put(d->out, "];\n");
    }
}

/* One namespace's box: pods, services, routes, dedicated egress. */
static void
namespace_nodes(Dot *d, const RsTopoNs *b)
{
    char ip[16];
    const RsNamespace *ns = b->ns;
    rs_topo_put(d->out, "  subgraph \"cluster_ns:");
    rs_dot_escape(d->out, ns->name);
    rs_topo_put(d->out, "\" {\n    label=\"namespace ");
    rs_dot_escape(d->out, ns->name);
    rs_topo_put(d->out, "\";\n");
    if (ns->dedicated_egress) {
        rs_topo_put(d->out, "    ");
        id(d->out, "egress", ns->name);
        g_string_append_printf(d->out, " [shape=box3d, label=\"dedicated egress\\n%s\"];\n",
                               rs_ipv4_format(ns->egress_ip, ip));
    }
    const char *inner = d->inner != NULL ? g_hash_table_lookup(d->inner, ns) : NULL;
    if (inner != NULL) {
        rs_topo_put(d->out, "    ");
        id(d->out, "policies", ns->name);
        rs_topo_put(d->out, " [shape=plaintext, ");
        label(d->out, inner);
        rs_topo_put(d->out, "];\n");
    }
    policy_nodes(d, ns);
    for (unsigned k = 0; k < b->pods->len; k++) {
        const RsPod *p = b->pods->pdata[k];
        rs_topo_put(d->out, "    ");
        id(d->out, "pod", p->full);
        rs_topo_put(d->out, " [shape=box, label=\"");
        rs_dot_escape(d->out, p->name);
        rs_topo_put_all(d->out, "\\n", p->has_ip ? rs_ipv4_format(p->ip, ip) : "no address", "\\n", NULL);
        rs_dot_escape(d->out, rs_pod_state_word(p->state));
        rs_topo_put_all(d->out, p->crashed ? " (crashed, R7)\"" : "\"",
                        p->state == RS_POD_READY && !p->crashed ? "" : ", style=dashed", "];\n", NULL);
    }
    for (unsigned k = 0; k < rs_namespace_n_services(ns); k++) {
        const RsService *svc = rs_namespace_service_nth(ns, k);
        rs_topo_put(d->out, "    ");
        id(d->out, "svc", svc->full);
        rs_topo_put(d->out, " [shape=ellipse, label=\"service ");
        rs_dot_escape(d->out, svc->name);
        rs_topo_put_all(d->out, "\\n", svc->headless ? "headless (R16)" : rs_ipv4_format(svc->cluster_ip, ip),
                        "\"];\n", NULL);
    }
    for (unsigned k = 0; k < b->routes->len; k++) {
        const RsRoute *r = b->routes->pdata[k];
        rs_topo_put(d->out, "    ");
        id(d->out, "route", r->full);
        rs_topo_put(d->out, " [shape=cds, ");
        route_label(d->out, d->w, r);
        rs_topo_put_all(d->out, r->admitted ? "" : ", style=dashed, color=red", "];\n", NULL);
    }
    rs_topo_put(d->out, "  }\n");
    dot_part(d);
}

/* A pod that is gone but still in a view: drawn outside its box (R15, R28). */
static void
gone_pod_node(Dot *d, const RsPod *p)
{
    char ip[16];
    const char *const key[] = {"node\001pod:", p->full};
    if (!keyset_add(&d->edges, key, G_N_ELEMENTS(key)))
        return;
    g_autoptr(GString) s = g_string_new(NULL);
    g_string_append_printf(s, "%s\n%s\ngone", p->name, rs_ipv4_format(p->ip, ip));
    rs_topo_put(d->out, "  ");
    id(d->out, "pod", p->full);
    rs_topo_put(d->out, " [shape=box, style=dotted, ");
    label(d->out, s->str);
    rs_topo_put(d->out, "];\n");
}

/* ---- network policies (rahti-2, R40-R47) ---- */

/* The verdict on src -> dst:port as one phrase, without the port: which
 * policy allowed it, or which side dropped it and the policy that selected
 * the pod there (R41, R42).  Returns whether it is allowed. */
static bool
verdict_text(GString *s, RsWorld *w, RsPod *src, RsPod *dst, uint16_t port)
{
    RsPeer a, b;
    RsPolSide eg, in;
    rs_peer_pod(src, &a);
    rs_peer_pod(dst, &b);
    (void)rs_policy_check(w, &a, &b, port, RS_L4_TCP, &eg, &in);     /* the sides say why */
    g_string_truncate(s, 0);
    if (!eg.allowed) {
        g_string_append_printf(s, "dropped: egress of %s is isolated by %s", src->ns->name,
                               eg.first != NULL ? eg.first->full : "a policy");
        if (eg.n_selecting > 1)
            g_string_append_printf(s, " (+%u)", eg.n_selecting - 1);
        rs_topo_put(s, ", no rule allows it (R42)");
        return false;
    }
    if (!in.allowed) {
        g_string_append_printf(s, "dropped: %s", in.first != NULL ? in.first->full : "a policy");
        if (in.n_selecting > 1)
            g_string_append_printf(s, " (+%u)", in.n_selecting - 1);
        g_string_append_printf(s, " isolate%s it, none admits %s (R42)", in.n_selecting > 1 ? "" : "s",
                               src->ns->name);
        return false;
    }
    if (in.isolated && in.policy != NULL)
        g_string_append_printf(s, "allowed by %s (R42)", in.policy->full);
    else
        rs_topo_put(s, "allowed: no policy isolates it (R41)");
    if (eg.isolated && eg.policy != NULL)
        g_string_append_printf(s, ", egress by %s", eg.policy->full);
    return true;
}

/* The pods of a namespace that can be an end of a connection now. */
static bool
policy_end(const RsPod *p)
{
    return p->has_ip && p->state != RS_POD_GONE;
}

/* Appends one policy edge to d->pol (attributes by verdict). */
static void
policy_edge(Dot *d, const char *tail, const char *head, const char *text, bool allowed,
            const char *ltail, const char *lhead)
{
    rs_topo_put(d->pol, "  ");
    id(d->pol, "pod", tail);
    rs_topo_put(d->pol, " -> ");
    id(d->pol, "pod", head);
    rs_topo_put(d->pol, " [");
    label(d->pol, text);
    rs_topo_put(d->pol, allowed ? ", color=darkgreen, fontcolor=darkgreen"
                                    : ", style=dashed, color=red, fontcolor=red");
    if (ltail != NULL) {
        rs_topo_put(d->pol, ", ltail=\"cluster_ns:");
        rs_dot_escape(d->pol, ltail);
        rs_topo_put(d->pol, "\", lhead=\"cluster_ns:");
        rs_dot_escape(d->pol, lhead);
        rs_topo_putc(d->pol, '"');
    }
    rs_topo_put(d->pol, "];\n");
}

/* Bounds the pod pairs judged (pairs x ports): beyond it the picture would
 * be unreadable anyway; a comment says so and points to `rahtisim matrix`. */
#define POLICY_PAIRS_MAX 20000u

/* What the policies decide between every two pods (R42), summarised per
 * namespace pair; see the header.  Fills d->inner and d->pol. */
static void
policy_verdicts(Dot *d)
{
    if (!rs_policy_mode(d->w))
        return;
    const RsTopo *t = d->t;
    /* the sum over every two namespaces of |A| x |B| is (the pods)^2: one
     * pass, not one per namespace pair (10^10 of them at 10^5 namespaces,
     * 15 s: issue 14) */
    uint64_t pods = 0;
    for (unsigned a = 0; a < t->n_ns; a++)
        pods += t->ns[a].pods->len;
    uint64_t pairs = pods * pods;
    if (pairs > POLICY_PAIRS_MAX) {
        g_string_append_printf(d->pol, "  // network policies: %" G_GUINT64_FORMAT " pod pairs, too many to "
                               "draw; see `rahtisim matrix` (R42)\n", pairs);
        return;
    }
    g_autoptr(GString) v = g_string_new(NULL), first = g_string_new(NULL), pl = g_string_new(NULL);
    for (unsigned a = 0; a < t->n_ns; a++) {
        const RsTopoNs *A = &t->ns[a];
        for (unsigned b = 0; b < t->n_ns; b++) {
            const RsTopoNs *B = &t->ns[b];
            /* pass 1: is every pair's verdict the same phrase? */
            bool uniform = true, any = false, first_ok = false;
            RsPod *rep_a = NULL, *rep_b = NULL;
            for (unsigned i = 0; i < A->pods->len && uniform; i++) {
                RsPod *p = A->pods->pdata[i];
                if (!policy_end(p))
                    continue;
                for (unsigned j = 0; j < B->pods->len && uniform; j++) {
                    RsPod *q = B->pods->pdata[j];
                    if (p == q || !policy_end(q))
                        continue;
                    for (unsigned k = 0; k < q->tmpl->n_ports && uniform; k++) {
                        bool ok = verdict_text(v, d->w, p, q, q->tmpl->ports[k].port);
                        if (!any) {
                            g_string_assign(first, v->str);
                            first_ok = ok;
                            rep_a = p;
                            rep_b = q;
                            any = true;
                        } else if (strcmp(first->str, v->str) != 0) {
                            uniform = false;
                        }
                    }
                }
            }
            if (!any)
                continue;       /* nothing listens there (or no pod): nothing to decide */
            if (uniform && a == b) {
                g_hash_table_insert(d->inner, (gpointer)A->ns,
                                    g_strdup_printf("its pods to each other:\n%s", first->str));
                continue;
            }
            if (uniform) {
                g_string_printf(pl, "every pod of %s -> %s: %s", A->ns->name, B->ns->name, first->str);
                policy_edge(d, rep_a->full, rep_b->full, pl->str, first_ok, A->ns->name, B->ns->name);
                continue;
            }
            /* pass 2: the pairs differ: one edge per pod pair and port */
            if (a == b)
                g_hash_table_insert(d->inner, (gpointer)A->ns,
                                    g_strdup("its pods to each other:\nit depends on the pod (edges)"));
            for (unsigned i = 0; i < A->pods->len; i++) {
                RsPod *p = A->pods->pdata[i];
                if (!policy_end(p))
                    continue;
                for (unsigned j = 0; j < B->pods->len; j++) {
                    RsPod *q = B->pods->pdata[j];
                    if (p == q || !policy_end(q))
                        continue;
                    for (unsigned k = 0; k < q->tmpl->n_ports; k++) {
                        bool ok = verdict_text(v, d->w, p, q, q->tmpl->ports[k].port);
                        g_string_printf(pl, "%u: %s", q->tmpl->ports[k].port, v->str);
                        policy_edge(d, p->full, q->full, pl->str, ok, NULL, NULL);
                    }
                }
            }
        }
    }
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
                rs_topo_put(a, "label=\"");
                rs_topo_put_u(a, be->servers[j].port);
                rs_topo_put(a, stale ? "\", style=dashed, color=red, xlabel=\"stale until reload (R28)\"" : "\"");
                edge(d, "route", be->full, "pod", p->full, a->str);
            }
        }
        /* Admitted routes and endpoints the truth has but this replica has not loaded. */
        unsigned cursor = 0;    /* rs_route_diff's cursor in cfg */
        for (unsigned n = 0; n < d->t->n_ns; n++) {
            const RsTopoList *routes = d->t->ns[n].routes;
            for (unsigned k = 0; k < routes->len; k++) {
                const RsRoute *r = routes->pdata[k];
                RsRouteDiff diff;
                if (!r->admitted || !rs_route_diff(d->t, cfg, r, &cursor, &diff))
                    continue;
                if (diff.loaded == NULL) {
                    edge(d, "router", rep->name, "route", r->full,
                         "style=dashed, label=\"not loaded yet (R28)\"");
                    continue;
                }
                if (diff.n_missing == 0)
                    continue;
                /* the route's ready pods, as rs_route_diff just listed them
                 * (t->scratch): not a second lookup and array per route */
                const GPtrArray *pods = d->t->scratch;
                bool few = diff.loaded->n_servers <= 16;
                g_autoptr(GHashTable) loaded = few ? NULL : g_hash_table_new(g_direct_hash, g_direct_equal);
                for (unsigned q = 0; !few && q < diff.loaded->n_servers; q++)
                    g_hash_table_add(loaded, diff.loaded->servers[q].pod);
                for (unsigned j = 0; j < pods->len; j++) {
                    const RsPod *p = pods->pdata[j];
                    bool is_loaded = false;
                    for (unsigned q = 0; few && q < diff.loaded->n_servers && !is_loaded; q++)
                        is_loaded = diff.loaded->servers[q].pod == p;
                    if (!few)
                        is_loaded = g_hash_table_contains(loaded, p);
                    if (!is_loaded)
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
                rs_topo_put(a, "label=\"");
                rs_topo_put_u(a, vp->port);
                rs_topo_put(a, " -> ");
                rs_topo_put_u(a, vp->eps[e].port);
                rs_topo_put(a, stale ? "\", style=dashed, color=red" : "\"");
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
    bool is_vip = ip == d->w->par.router_vip;
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
rs_topology_dot(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at, RsTopoSink sink, void *data)
{
    char buf[32];
    RsTopo t;
    rs_topo_gather(&t, rs_sim_world(sim));
    Dot d = {.out = out, .w = t.w, .sc = sc, .t = &t,
             .inner = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free),
             .pol = g_string_new(NULL), .sink = sink, .data = data};
    keyset_init(&d.edges);
    rs_topo_put(out, "// rahtisim topology of ");
    rs_dot_escape(out, sc->name);
    g_string_append_printf(out, " at %s (render: dot -Tsvg)\n"
                           "digraph rahtisim {\n  rankdir=LR;\n"
                           "  node [fontname=\"Helvetica\", fontsize=10];\n"
                           "  edge [fontname=\"Helvetica\", fontsize=9];\n",
                           rs_duration_format(at, buf));
    if (rs_policy_mode(t.w))
        rs_topo_put(out, "  compound=true;    // policy edges run from namespace box to box\n");
    policy_verdicts(&d);        /* before the boxes: their labels say the inside verdict */
    outside_nodes(&d);
    for (unsigned i = 0; i < t.n_ns; i++)
        namespace_nodes(&d, &t.ns[i]);
    vip_edges(&d);
    router_edges(&d);
    service_edges(&d);
    client_edges(&d);
    rs_topo_put(out, d.pol->str);
    rs_topo_put(out, "}\n");
    if (sink != NULL) {
        sink(out->str, out->len, data);
        g_string_truncate(out, 0);
    }
    keyset_clear(&d.edges);
    g_hash_table_destroy(d.inner);
    g_string_free(d.pol, TRUE);
    rs_topo_clear(&t);
}
