/* policy.c: network isolation, the truth and the data plane's view of it.
 *
 * rahti-1 (R39, ovs-multitenant): every namespace has its own virtual
 * network id; `join_networks` gives the namespaces after the first the
 * first one's id, `global_network` gives id 0, which reaches and is
 * reached by all.  NetworkPolicy objects are accepted and ignored.
 *
 * rahti-2 (R40-R47, OVN-Kubernetes): NetworkPolicy v1.  Every namespace
 * starts with the two default policies unless `default_policies: false`.
 * A verdict (rs_policy_check) is the source pod's egress AND the
 * destination pod's ingress (R42); each side is the union of the rules of
 * the policies that select the pod for that direction, or "allow all" when
 * none does (R41).  Peers (R43): pod_selector alone = pods of the policy's
 * namespace, namespace_selector alone = every pod of matching namespaces,
 * both = both; ip_block = the address as the pod sees it (pods included,
 * as OVN-Kubernetes does), minus `except`.  Ports (R44): the destination
 * pod's port after service translation, a number, a range (end_port) or a
 * pod port name, per protocol.
 *
 * STATE
 * -----
 * Two PStates: `truth` (changed when an event runs) and `view` (the same
 * change policy_delay later, R47).  A PState indexes namespaces by name:
 * each has its labels (plus kubernetes.io/metadata.name) and its policies
 * in creation order; pods whose labels an event changed have an override
 * (otherwise their template's labels count).  Policies are compiled once
 * (interned strings, CIDRs as masks) and never change; a replacement is a
 * new object.  Platform namespaces `openshift-ingress` (the router, R45)
 * and `openshift-dns` (R46) are in both states with their real labels.
 *
 * COST
 * ----
 * Each pod's selecting policies per direction are cached (PodSel) with the
 * view's generation; any change of the view bumps the generation, so the
 * next verdict for a pod recomputes from its namespace's policies only.
 * A verdict then walks the rules of the policies selecting the two ends.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/policy.h"
#include "world/world-private.h"

typedef struct {
    const char *name;
    GArray *labels;             /* RsWLabel, kubernetes.io/metadata.name first */
    GPtrArray *policies;        /* RsPolicy * (not owned), creation order */
} PNs;

typedef struct {
    GHashTable *ns;             /* name -> PNs * (owned) */
    GHashTable *pod_labels;     /* RsPod * -> GArray of RsWLabel (owned): label events */
} PState;

typedef struct {
    uint64_t gen;
    GPtrArray *in, *eg;         /* selecting policies (not owned) */
} PodSel;

typedef enum { OP_APPLY, OP_REMOVE, OP_LABEL } OpKind;

/* A change waiting to reach the view (R47). */
typedef struct {
    RsPolicies *ps;
    OpKind kind;
    const char *ns, *name, *key, *value;
    RsPod *pod;                 /* label of a pod */
    RsPolicy *pol;              /* apply */
} Op;

struct RsPolicies {
    RsWorld *w;
    bool mode;                  /* network-policy (rahti-2) */
    rs_time_t delay;            /* R47 */
    PState truth, view;
    uint64_t gen;               /* bumped at each change of the view */
    GHashTable *podsel;         /* RsPod * -> PodSel * (owned) */
    GPtrArray *all;             /* every compiled RsPolicy (owning) */
    GPtrArray *ops;             /* every Op (owning) */
    /* rahti-1 (R39): the file's namespace i has network id i + 1 (held as
     * i + 2; 1: global, 0: none), unless join or global changed it: netid
     * holds only those changes, namespace name -> id + 1 (issue 14: not
     * an entry per namespace) */
    GHashTable *netid;
    unsigned n_file_ns;
    unsigned next_id;
    const char *ingress_ns, *dns_ns;
    RsWLabel router_labels[1], dns_labels[1];
    uint32_t dns_ip, node_net;
    uint16_t dns_port;
    struct Verdict *verdicts;   /* VERDICT_SLOTS decisions, direct-mapped by key hash (owned) */
};

/* A decided connection: (source, destination, port, protocol). */
typedef struct {
    uint64_t a, b;
} VKey;

typedef struct Verdict {
    VKey key;
    uint64_t gen;               /* the view's generation it was decided in; 0: empty */
    bool ok;
    RsPolSide eg, in;
} Verdict;

/* Decisions kept: a direct-mapped table (no allocation per decision, a
 * collision just decides again), about 2 MB. */
#define VERDICT_SLOTS 16384u

/* splitmix64's finaliser: every input bit moves every output bit. */
static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xBF58476D1CE4E5B9);
    x ^= x >> 27;
    x *= UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static unsigned
vkey_slot(const VKey *k)
{
    return (unsigned)(mix64(k->a ^ mix64(k->b)) % VERDICT_SLOTS);
}


/* A peer's identity for the cache: a pod by serial, anything else by kind and address. */
static uint64_t
peer_id(const RsPeer *p)
{
    if (p->pod != NULL)
        return (UINT64_C(1) << 32) | p->pod->serial;
    return ((uint64_t)(p->ns == NULL ? 2 : p->labels != NULL && p->n_labels > 0 ? 3 : 4) << 32) | p->ip;
}

#define KEY_NS_NAME "kubernetes.io/metadata.name"
#define KEY_INGRESS_GROUP "policy-group.network.openshift.io/ingress"

/* ---- compiling ---- */

/* Frees a compiled policy's arrays. */
static void
sel_clear(RsPSel *s)
{
    g_free(s->ml);
    for (unsigned i = 0; i < s->n_ex; i++)
        g_free(s->ex[i].values);
    g_free(s->ex);
}

static void
rules_clear(RsPRule *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < r[i].n_peers; j++) {
            sel_clear(&r[i].peers[j].pod);
            sel_clear(&r[i].peers[j].ns);
            g_free(r[i].peers[j].except);
        }
        g_free(r[i].peers);
        g_free(r[i].ports);
    }
    g_free(r);
}

static void
policy_free(RsPolicy *p)
{
    sel_clear(&p->sel);
    rules_clear(p->in, p->n_in);
    rules_clear(p->eg, p->n_eg);
    g_free(p);
}

static RsCidr
cidr(uint32_t net, uint32_t prefix)
{
    RsCidr c;
    c.mask = prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - prefix);
    c.net = net & c.mask;
    return c;
}

static void
sel_compile(RsWorld *w, const RsSelectorSpec *s, RsPSel *out)
{
    out->n_ml = s->n_match_labels;
    out->ml = g_new0(RsWLabel, s->n_match_labels ? s->n_match_labels : 1);
    for (unsigned i = 0; i < s->n_match_labels; i++) {
        out->ml[i].key = rs_world_intern(w, s->match_labels[i].key);
        out->ml[i].value = rs_world_intern(w, s->match_labels[i].value);
    }
    out->n_ex = s->n_exprs;
    out->ex = g_new0(RsPSelExpr, s->n_exprs ? s->n_exprs : 1);
    for (unsigned i = 0; i < s->n_exprs; i++) {
        RsPSelExpr *e = &out->ex[i];
        e->key = rs_world_intern(w, s->exprs[i].key);
        e->op = s->exprs[i].op;
        e->n_values = s->exprs[i].n_values;
        e->values = g_new0(const char *, e->n_values ? e->n_values : 1);
        for (unsigned j = 0; j < e->n_values; j++)
            e->values[j] = rs_world_intern(w, s->exprs[i].values[j]);
    }
}

static RsPRule *
rules_compile(RsWorld *w, const RsPolicyRuleSpec *r, unsigned n)
{
    RsPRule *out = g_new0(RsPRule, n ? n : 1);
    for (unsigned i = 0; i < n; i++) {
        out[i].n_peers = r[i].n_peers;
        out[i].peers = g_new0(RsPPeer, r[i].n_peers ? r[i].n_peers : 1);
        for (unsigned j = 0; j < r[i].n_peers; j++) {
            const RsPeerSpec *s = &r[i].peers[j];
            RsPPeer *p = &out[i].peers[j];
            p->has_pod = s->has_pod_sel;
            p->has_ns = s->has_ns_sel;
            p->has_ip = s->has_ip_block;
            sel_compile(w, &s->pod_sel, &p->pod);
            sel_compile(w, &s->ns_sel, &p->ns);
            p->cidr = cidr(s->cidr_net, s->cidr_prefix);
            p->n_except = s->n_except;
            p->except = g_new0(RsCidr, s->n_except ? s->n_except : 1);
            for (unsigned k = 0; k < s->n_except; k++)
                p->except[k] = cidr(s->except_net[k], s->except_prefix[k]);
        }
        out[i].n_ports = r[i].n_ports;
        out[i].ports = g_new0(RsPPort, r[i].n_ports ? r[i].n_ports : 1);
        for (unsigned j = 0; j < r[i].n_ports; j++) {
            const RsPolicyPortSpec *s = &r[i].ports[j];
            RsPPort *p = &out[i].ports[j];
            p->proto = s->protocol;
            p->has_port = s->has_port;
            p->port = s->port;
            p->end_port = s->end_port;
            p->port_name = rs_world_intern(w, s->port_name);
        }
    }
    return out;
}

/* Compiles a policy spec of namespace `ns` into a world-owned policy. */
RsPolicy *
rs_policy_compile(RsWorld *w, const char *ns, const RsPolicySpec *spec)
{
    RsPolicy *p = g_new0(RsPolicy, 1);
    p->ns = rs_world_intern(w, ns);
    p->name = rs_world_intern(w, spec->name);
    p->full = rs_world_intern_full(w, ns, spec->name);
    sel_compile(w, &spec->pod_selector, &p->sel);
    p->t_in = spec->type_ingress;
    p->t_eg = spec->type_egress;
    p->n_in = spec->n_ingress;
    p->in = rules_compile(w, spec->ingress, spec->n_ingress);
    p->n_eg = spec->n_egress;
    p->eg = rules_compile(w, spec->egress, spec->n_egress);
    if (w->pol != NULL)
        g_ptr_array_add(w->pol->all, p);
    return p;
}

/* The two default policies of a rahti-2 namespace (R40). */
static RsPolicy *
default_policy(RsPolicies *ps, const char *ns, bool from_ingress)
{
    RsWorld *w = ps->w;
    RsPolicy *p = g_new0(RsPolicy, 1);
    const char *name = from_ingress ? "allow-from-openshift-ingress" : "allow-same-namespace";
    p->ns = rs_world_intern(w, ns);
    p->name = rs_world_intern(w, name);
    p->full = rs_world_intern_full(w, ns, name);
    p->builtin = true;
    p->sel.ml = g_new0(RsWLabel, 1);
    p->sel.ex = g_new0(RsPSelExpr, 1);
    p->t_in = true;
    p->n_in = 1;
    p->in = g_new0(RsPRule, 1);
    p->in->n_peers = 1;
    p->in->peers = g_new0(RsPPeer, 1);
    p->in->ports = g_new0(RsPPort, 1);
    RsPPeer *peer = p->in->peers;
    peer->except = g_new0(RsCidr, 1);
    peer->pod.ml = g_new0(RsWLabel, 1);
    peer->pod.ex = g_new0(RsPSelExpr, 1);
    peer->ns.ml = g_new0(RsWLabel, 1);
    peer->ns.ex = g_new0(RsPSelExpr, 1);
    if (from_ingress) {
        peer->has_ns = true;    /* namespaces labelled policy-group...ingress: "" */
        peer->ns.n_ml = 1;
        peer->ns.ml[0].key = rs_world_intern(w, KEY_INGRESS_GROUP);
        peer->ns.ml[0].value = rs_world_intern(w, "");
    } else {
        peer->has_pod = true;   /* pod_selector {}: every pod of the namespace */
    }
    g_ptr_array_add(ps->all, p);
    return p;
}

/* ---- states ---- */

static void
pns_free(PNs *n)
{
    g_array_unref(n->labels);
    g_ptr_array_unref(n->policies);
    g_free(n);
}

static void
state_init(PState *st)
{
    st->ns = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)pns_free);
    st->pod_labels = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                           (GDestroyNotify)g_array_unref);
}

static void
state_clear(PState *st)
{
    g_clear_pointer(&st->ns, g_hash_table_destroy);
    g_clear_pointer(&st->pod_labels, g_hash_table_destroy);
}

/* Sets (value non-NULL) or removes a label in a label array. */
static void
labels_set(GArray *a, const char *key, const char *value)
{
    for (guint i = 0; i < a->len; i++) {
        RsWLabel *l = &g_array_index(a, RsWLabel, i);
        if (strcmp(l->key, key) == 0) {
            if (value != NULL)
                l->value = value;
            else
                g_array_remove_index(a, i);
            return;
        }
    }
    if (value != NULL) {
        RsWLabel l = {key, value};
        g_array_append_val(a, l);
    }
}

static PNs *
state_add_ns(RsPolicies *ps, PState *st, const char *name, const RsLabel *labels, unsigned n)
{
    RsWorld *w = ps->w;
    PNs *pn = g_new0(PNs, 1);
    pn->name = rs_world_intern(w, name);
    pn->labels = g_array_new(FALSE, TRUE, sizeof(RsWLabel));
    pn->policies = g_ptr_array_new();
    labels_set(pn->labels, rs_world_intern(w, KEY_NS_NAME), pn->name);     /* R43 */
    for (unsigned i = 0; i < n; i++)
        labels_set(pn->labels, rs_world_intern(w, labels[i].key), rs_world_intern(w, labels[i].value));
    g_hash_table_insert(st->ns, (gpointer)pn->name, pn);
    return pn;
}

/* Adds or replaces (same name) a policy in a namespace of a state. */
static void
state_apply(PState *st, const char *ns, RsPolicy *pol)
{
    PNs *pn = g_hash_table_lookup(st->ns, ns);
    if (pn == NULL)
        return;
    for (guint i = 0; i < pn->policies->len; i++) {
        RsPolicy *old = pn->policies->pdata[i];
        if (strcmp(old->name, pol->name) == 0) {
            pn->policies->pdata[i] = pol;       /* replaced: keeps its place */
            return;
        }
    }
    g_ptr_array_add(pn->policies, pol);
}

static bool
state_remove(PState *st, const char *ns, const char *name)
{
    PNs *pn = g_hash_table_lookup(st->ns, ns);
    for (guint i = 0; pn != NULL && i < pn->policies->len; i++) {
        RsPolicy *old = pn->policies->pdata[i];
        if (strcmp(old->name, name) == 0) {
            g_ptr_array_remove_index(pn->policies, i);
            return true;
        }
    }
    return false;
}

/* The labels of a pod in a state: an event's override, or its template's. */
static void
state_pod_labels(const PState *st, const RsPod *pod, const RsWLabel **l, unsigned *n)
{
    GArray *a = g_hash_table_lookup(st->pod_labels, pod);
    if (a != NULL) {
        *l = (const RsWLabel *)(void *)a->data;
        *n = a->len;
    } else {
        *l = pod->tmpl->labels;
        *n = pod->tmpl->n_labels;
    }
}

static void
state_label(PState *st, const char *ns, RsPod *pod, const char *key, const char *value)
{
    if (pod == NULL) {
        PNs *pn = g_hash_table_lookup(st->ns, ns);
        if (pn != NULL)
            labels_set(pn->labels, key, value);
        return;
    }
    GArray *a = g_hash_table_lookup(st->pod_labels, pod);
    if (a == NULL) {
        a = g_array_new(FALSE, TRUE, sizeof(RsWLabel));
        g_array_append_vals(a, pod->tmpl->labels, pod->tmpl->n_labels);
        g_hash_table_insert(st->pod_labels, pod, a);
    }
    labels_set(a, key, value);
}

static void
podsel_free(PodSel *s)
{
    g_ptr_array_unref(s->in);
    g_ptr_array_unref(s->eg);
    g_free(s);
}

/* ---- building ---- */

bool
rs_policy_mode(const RsWorld *w)
{
    return w->pol != NULL && w->pol->mode;
}

RsPolicies *
rs_policies_new(RsWorld *w, const RsScenario *sc)
{
    RsPolicies *ps = g_new0(RsPolicies, 1);
    w->pol = ps;
    ps->w = w;
    ps->mode = sc->profile.isolation == RS_ISOLATION_POLICY;
    ps->delay = sc->profile.policy_delay;
    ps->node_net = sc->profile.node_net;
    ps->dns_port = sc->profile.dns_target_port;
    ps->all = g_ptr_array_new_with_free_func((GDestroyNotify)policy_free);
    ps->ops = g_ptr_array_new_with_free_func(g_free);
    ps->podsel = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)podsel_free);
    ps->verdicts = g_new0(Verdict, VERDICT_SLOTS);
    ps->gen = 1;                /* slots with gen 0 are empty */
    ps->netid = g_hash_table_new(g_str_hash, g_str_equal);
    ps->n_file_ns = sc->n_namespaces;
    state_init(&ps->truth);
    state_init(&ps->view);
    /* R40, R45, R46: the platform namespaces and their pods' labels */
    ps->ingress_ns = rs_world_intern(w, "openshift-ingress");
    ps->dns_ns = rs_world_intern(w, "openshift-dns");
    ps->router_labels[0].key = rs_world_intern(w, "ingresscontroller.operator.openshift.io/deployment-ingresscontroller");
    ps->router_labels[0].value = rs_world_intern(w, "default");
    ps->dns_labels[0].key = rs_world_intern(w, "dns.operator.openshift.io/daemonset-dns");
    ps->dns_labels[0].value = rs_world_intern(w, "default");
    /* R40: the DNS pods take no address from the scenario's pool: the last
     * address below the pod network's broadcast address stands for them. */
    uint32_t pmask = sc->profile.pod_prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - sc->profile.pod_prefix);
    ps->dns_ip = (sc->profile.pod_net | ~pmask) - 1;
    static const RsLabel ingress_labels[] = {
        {(char *)KEY_INGRESS_GROUP, (char *)""},
        {(char *)"network.openshift.io/policy-group", (char *)"ingress"},
    };
    PState *states[2] = {&ps->truth, &ps->view};
    /* R39: without policy isolation no state is read (policies are accepted
     * and ignored, every lookup treats a namespace missing from a state as
     * having no policy and no label), so the namespaces are left out of the
     * two states: two tables and arrays per namespace less at 10^5. */
    for (int s = 0; ps->mode && s < 2; s++) {
        state_add_ns(ps, states[s], "openshift-ingress", ingress_labels, 2);
        state_add_ns(ps, states[s], "openshift-dns", NULL, 0);
    }
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *n = &sc->namespaces[i];
        if (!ps->mode)
            continue;           /* R39: accepted and ignored */
        for (int s = 0; s < 2; s++)
            state_add_ns(ps, states[s], n->name, n->labels, n->n_labels);
        if (n->default_policies) {
            RsPolicy *a = default_policy(ps, n->name, false), *b = default_policy(ps, n->name, true);
            for (int s = 0; s < 2; s++) {
                state_apply(states[s], n->name, a);
                state_apply(states[s], n->name, b);
            }
        }
        for (unsigned k = 0; k < n->n_policies; k++) {
            RsPolicy *p = rs_policy_compile(w, n->name, &n->policies[k]);
            for (int s = 0; s < 2; s++)
                state_apply(states[s], n->name, p);
        }
    }
    ps->next_id = sc->n_namespaces + 2;
    return ps;
}

void
rs_policies_free(RsPolicies *ps)
{
    if (ps == NULL)
        return;
    state_clear(&ps->truth);
    state_clear(&ps->view);
    g_hash_table_destroy(ps->podsel);
    g_free(ps->verdicts);
    g_hash_table_destroy(ps->netid);
    g_ptr_array_unref(ps->all);
    g_ptr_array_unref(ps->ops);
    g_free(ps);
}

/* ---- rahti-1 (R39) ---- */

/* The network id + 1 of namespace `name` (`ns`: that namespace, or NULL:
 * looked up): a join's or global's change, else its place in the file. */
static unsigned
netid(const RsPolicies *ps, const char *name, const RsNamespace *ns)
{
    gpointer id;
    if (g_hash_table_size(ps->netid) > 0 && g_hash_table_lookup_extended(ps->netid, name, NULL, &id))
        return GPOINTER_TO_UINT(id);
    if (ns == NULL)
        ns = rs_world_namespace(ps->w, name);
    return ns != NULL && ns->index < ps->n_file_ns ? ns->index + 2 : 0;
}

bool
rs_netns_reach(const RsWorld *w, const RsNamespace *a, const RsNamespace *b)
{
    if (a == b)
        return true;
    if (w->pol == NULL)
        return false;
    unsigned x = netid(w->pol, a->name, a), y = netid(w->pol, b->name, b);
    return x == 1 || y == 1 || (x != 0 && x == y);
}

void
rs_policies_join(RsWorld *w, const char *const *nss, unsigned n)
{
    RsPolicies *ps = w->pol;
    unsigned id = netid(ps, nss[0], NULL);
    GString *s = g_string_new(NULL);
    for (unsigned i = 1; i < n; i++) {
        if (id != 1)
            g_hash_table_insert(ps->netid, (gpointer)rs_world_intern(w, nss[i]), GUINT_TO_POINTER(id));
        g_string_append_printf(s, "%s%s", i > 1 ? ", " : "", nss[i]);
    }
    rs_world_log(w, RS_R39, "oc adm pod-network join-projects --to=%s %s: their pods and services "
                 "reach each other", nss[0], s->str);
    g_string_free(s, TRUE);
}

void
rs_policies_global(RsWorld *w, const char *ns)
{
    g_hash_table_insert(w->pol->netid, (gpointer)rs_world_intern(w, ns), GUINT_TO_POINTER(1));
    rs_world_log(w, RS_R39, "oc adm pod-network make-projects-global %s: it reaches and is reached "
                 "by every namespace", ns);
}

/* ---- changes (R47) ---- */

static void
view_changed(RsPolicies *ps)
{
    ps->gen++;
}

static void
op_run(PState *st, const Op *op)
{
    switch (op->kind) {
    case OP_APPLY: state_apply(st, op->ns, op->pol); break;
    case OP_REMOVE: state_remove(st, op->ns, op->name); break;
    case OP_LABEL: state_label(st, op->ns, op->pod, op->key, op->value); break;
    }
}

/* Engine event: a change reaches the data plane (R47). */
static void
on_view(RsEngine *eng, void *obj, uint64_t arg)
{
    Op *op = obj;
    RsPolicies *ps = op->ps;
    op_run(&ps->view, op);
    view_changed(ps);
    const char *what = op->kind == OP_APPLY ? op->pol->full : op->kind == OP_REMOVE ? op->name : op->key;
    rs_world_log(ps->w, RS_R47, "the data plane now enforces the %s of %s%s%s",
                 op->kind == OP_LABEL ? "label change" : op->kind == OP_APPLY ? "network policy" :
                 "removal of network policy", op->kind == OP_LABEL ? (op->pod ? op->pod->full : op->ns) : "",
                 op->kind == OP_LABEL ? ": " : "", what);
    (void)eng; (void)arg;
}

static void
op_schedule(RsPolicies *ps, Op *op)
{
    op->ps = ps;
    g_ptr_array_add(ps->ops, op);
    op_run(&ps->truth, op);
    RsEngine *eng = ps->w->eng;
    rs_engine_schedule(eng, rs_engine_now(eng) + ps->delay, on_view, op, 0);
}

bool
rs_policies_has(const RsWorld *w, const char *ns, const char *name)
{
    PNs *pn = g_hash_table_lookup(w->pol->truth.ns, ns);
    for (guint i = 0; pn != NULL && i < pn->policies->len; i++)
        if (strcmp(((RsPolicy *)pn->policies->pdata[i])->name, name) == 0)
            return true;
    return false;
}

void
rs_policies_apply(RsWorld *w, const char *ns, RsPolicy *pol)
{
    RsPolicies *ps = w->pol;
    char b[32];
    if (!ps->mode) {
        rs_world_log(w, RS_R39, "network policy %s is accepted and ignored: rahti-1 isolates whole "
                     "namespaces (ovs-multitenant)", pol->full);
        return;
    }
    bool replace = rs_policies_has(w, ns, pol->name);
    Op *op = g_new0(Op, 1);
    op->kind = OP_APPLY;
    op->ns = rs_world_intern(w, ns);
    op->pol = pol;
    op_schedule(ps, op);
    rs_world_log(w, RS_R47, "network policy %s %s; the data plane enforces it %s later", pol->full,
                 replace ? "replaced" : "created", rs_duration_format(ps->delay, b));
}

bool
rs_policies_remove(RsWorld *w, const char *ns, const char *name)
{
    RsPolicies *ps = w->pol;
    char b[32];
    if (!rs_policies_has(w, ns, name))
        return false;
    Op *op = g_new0(Op, 1);
    op->kind = OP_REMOVE;
    op->ns = rs_world_intern(w, ns);
    op->name = rs_world_intern(w, name);
    op_schedule(ps, op);
    rs_world_log(w, RS_R47, "network policy %s/%s removed; the data plane drops it %s later", ns, name,
                 rs_duration_format(ps->delay, b));
    return true;
}

void
rs_policies_label(RsWorld *w, const char *ns, const char *pod, const char *key, const char *value)
{
    RsPolicies *ps = w->pol;
    char b[32];
    RsPod *p = NULL;
    if (pod != NULL) {
        p = rs_world_pod(w, ns, pod);
        if (p == NULL || p->state == RS_POD_GONE) {
            rs_world_log(w, RS_R47, "label %s/%s: no such pod now", ns, pod);
            return;
        }
    }
    Op *op = g_new0(Op, 1);
    op->kind = OP_LABEL;
    op->ns = rs_world_intern(w, ns);
    op->pod = p;
    op->key = rs_world_intern(w, key);
    op->value = rs_world_intern(w, value);
    op_schedule(ps, op);
    if (value != NULL)
        rs_world_log(w, RS_R47, "%s %s labelled %s=%s; network policies see it %s later",
                     p ? "pod" : "namespace", p ? p->full : ns, key, value, rs_duration_format(ps->delay, b));
    else
        rs_world_log(w, RS_R47, "%s %s: label %s removed; network policies see it %s later",
                     p ? "pod" : "namespace", p ? p->full : ns, key, rs_duration_format(ps->delay, b));
}

/* ---- matching ---- */

static const char *
label_get(const RsWLabel *l, unsigned n, const char *key)
{
    for (unsigned i = 0; i < n; i++)
        if (l[i].key == key || strcmp(l[i].key, key) == 0)
            return l[i].value;
    return NULL;
}

/* R43: match_labels AND match_expressions; an empty selector matches all. */
static bool
sel_match(const RsPSel *s, const RsWLabel *l, unsigned n)
{
    for (unsigned i = 0; i < s->n_ml; i++) {
        const char *v = label_get(l, n, s->ml[i].key);
        if (v == NULL || (v != s->ml[i].value && strcmp(v, s->ml[i].value) != 0))
            return false;
    }
    for (unsigned i = 0; i < s->n_ex; i++) {
        const RsPSelExpr *e = &s->ex[i];
        const char *v = label_get(l, n, e->key);
        bool in = false;
        for (unsigned j = 0; v != NULL && j < e->n_values && !in; j++)
            in = strcmp(v, e->values[j]) == 0;
        switch (e->op) {
        case RS_SEL_IN: if (!in) return false; break;
        case RS_SEL_NOT_IN: if (in) return false; break;     /* a missing key is "not in" */
        case RS_SEL_EXISTS: if (v == NULL) return false; break;
        case RS_SEL_DOES_NOT_EXIST: if (v != NULL) return false; break;
        }
    }
    return true;
}

static bool
in_cidr(const RsCidr *c, uint32_t ip)
{
    return (ip & c->mask) == c->net;
}

static void
peer_labels(const PState *st, const RsPeer *q, const RsWLabel **l, unsigned *n)
{
    if (q->pod != NULL) {
        state_pod_labels(st, q->pod, l, n);
    } else {
        *l = q->labels;
        *n = q->n_labels;
    }
}

/* R43: does a peer of policy `pol` match the other end `q`? */
static bool
peer_match(const PState *st, const RsPolicy *pol, const RsPPeer *pe, const RsPeer *q)
{
    if (pe->has_ip) {
        if (!in_cidr(&pe->cidr, q->ip))
            return false;
        for (unsigned i = 0; i < pe->n_except; i++)
            if (in_cidr(&pe->except[i], q->ip))
                return false;
        return true;
    }
    if (q->ns == NULL)
        return false;           /* selectors match pods only */
    if (pe->has_ns) {
        const PNs *pn = g_hash_table_lookup(st->ns, q->ns);
        if (pn == NULL || !sel_match(&pe->ns, (const RsWLabel *)(void *)pn->labels->data, pn->labels->len))
            return false;
    } else if (q->ns != pol->ns && strcmp(q->ns, pol->ns) != 0) {
        return false;           /* pod_selector alone: the policy's own namespace */
    }
    if (pe->has_pod) {
        const RsWLabel *l;
        unsigned n;
        peer_labels(st, q, &l, &n);
        if (!sel_match(&pe->pod, l, n))
            return false;
    }
    return true;
}

/* R44: a rule's port entry against the destination's port. */
static bool
port_match(const RsPPort *pp, uint16_t port, RsL4Proto proto, const RsPeer *dst)
{
    if (pp->proto != proto)
        return false;
    if (!pp->has_port)
        return true;
    if (pp->port_name != NULL) {
        const RsPodPort *x = dst->pod != NULL ? rs_pod_port_named(dst->pod, pp->port_name) : NULL;
        return x != NULL && x->port == port;
    }
    if (pp->end_port != 0)
        return port >= pp->port && port <= pp->end_port;
    return port == pp->port;
}

static bool
rule_match(const PState *st, const RsPolicy *pol, const RsPRule *r, const RsPeer *other,
           const RsPeer *dst, uint16_t port, RsL4Proto proto)
{
    bool ok = r->n_ports == 0;
    for (unsigned i = 0; i < r->n_ports && !ok; i++)
        ok = port_match(&r->ports[i], port, proto, dst);
    if (!ok)
        return false;
    if (r->n_peers == 0)
        return true;
    for (unsigned i = 0; i < r->n_peers; i++)
        if (peer_match(st, pol, &r->peers[i], other))
            return true;
    return false;
}

/* The view's policies selecting a pod for one direction (cached, R41). */
static GPtrArray *
selecting(RsPolicies *ps, RsPod *pod, bool ingress)
{
    PodSel *s = g_hash_table_lookup(ps->podsel, pod);
    if (s == NULL) {
        s = g_new0(PodSel, 1);
        s->in = g_ptr_array_new();
        s->eg = g_ptr_array_new();
        s->gen = ps->gen + 1;
        g_hash_table_insert(ps->podsel, pod, s);
    }
    if (s->gen != ps->gen) {
        g_ptr_array_set_size(s->in, 0);
        g_ptr_array_set_size(s->eg, 0);
        const PNs *pn = g_hash_table_lookup(ps->view.ns, pod->ns->name);
        const RsWLabel *l;
        unsigned n;
        state_pod_labels(&ps->view, pod, &l, &n);
        for (guint i = 0; pn != NULL && i < pn->policies->len; i++) {
            RsPolicy *p = pn->policies->pdata[i];
            if (!sel_match(&p->sel, l, n))
                continue;
            if (p->t_in)
                g_ptr_array_add(s->in, p);
            if (p->t_eg)
                g_ptr_array_add(s->eg, p);
        }
        s->gen = ps->gen;
    }
    return ingress ? s->in : s->eg;
}

static void
side(RsPolicies *ps, RsPod *pod, bool ingress, const RsPeer *other, const RsPeer *dst, uint16_t port,
     RsL4Proto proto, RsPolSide *out)
{
    GPtrArray *sel = selecting(ps, pod, ingress);
    out->n_selecting = sel->len;
    if (sel->len == 0)
        return;                 /* R41: not isolated in this direction */
    out->isolated = true;
    out->allowed = false;
    out->first = sel->pdata[0];
    for (guint i = 0; i < sel->len; i++) {
        const RsPolicy *p = sel->pdata[i];
        const RsPRule *rules = ingress ? p->in : p->eg;
        unsigned n = ingress ? p->n_in : p->n_eg;
        for (unsigned k = 0; k < n; k++) {
            if (rule_match(&ps->view, p, &rules[k], other, dst, port, proto)) {
                out->allowed = true;
                out->policy = p;
                out->rule = k;
                return;
            }
        }
    }
}

bool
rs_policy_check(RsWorld *w, const RsPeer *src, const RsPeer *dst, uint16_t port, RsL4Proto proto,
                RsPolSide *eg, RsPolSide *in)
{
    memset(eg, 0, sizeof *eg);
    memset(in, 0, sizeof *in);
    eg->allowed = in->allowed = true;
    RsPolicies *ps = w->pol;
    if (ps == NULL || !ps->mode)
        return true;
    /* COST: one decision per (source, destination, port, protocol) and
     * generation of the view; any change of the view starts afresh. */
    VKey key = {peer_id(src), (peer_id(dst) << 24) ^ ((uint64_t)port << 8) ^ (uint64_t)proto};
    key.b ^= (uint64_t)(peer_id(dst) >> 32) << 60;
    Verdict *v = &ps->verdicts[vkey_slot(&key)];
    if (v->gen != ps->gen || v->key.a != key.a || v->key.b != key.b) {
        v->key = key;
        v->gen = ps->gen;
        v->eg = *eg;
        v->in = *in;
        if (src->pod != NULL)
            side(ps, src->pod, false, dst, dst, port, proto, &v->eg);
        if (dst->pod != NULL)
            side(ps, dst->pod, true, src, dst, port, proto, &v->in);
        v->ok = v->eg.allowed && v->in.allowed;        /* R42 */
    }
    *eg = v->eg;
    *in = v->in;
    return v->ok;
}

/* ---- peers ---- */

void
rs_peer_pod(RsPod *pod, RsPeer *out)
{
    memset(out, 0, sizeof *out);
    out->pod = pod;
    out->ns = pod->ns->name;
    out->ip = pod->ip;
}

void
rs_peer_addr(uint32_t ip, RsPeer *out)
{
    memset(out, 0, sizeof *out);
    out->ip = ip;
}

/* R45: router replica r: namespace openshift-ingress; a host-network pod,
 * so its address is a node's (node_network + 1 + r). */
void
rs_peer_router(const RsWorld *w, unsigned r, RsPeer *out)
{
    memset(out, 0, sizeof *out);
    if (w->pol == NULL)
        return;
    out->ns = w->pol->ingress_ns;
    out->labels = w->pol->router_labels;
    out->n_labels = 1;
    out->ip = w->pol->node_net + 1 + r;
}

/* R46: a DNS pod in openshift-dns. */
void
rs_peer_dns(const RsWorld *w, RsPeer *out)
{
    memset(out, 0, sizeof *out);
    if (w->pol == NULL)
        return;
    out->ns = w->pol->dns_ns;
    out->labels = w->pol->dns_labels;
    out->n_labels = 1;
    out->ip = w->pol->dns_ip;
}

uint16_t
rs_policy_dns_port(const RsWorld *w)
{
    return w->pol != NULL ? w->pol->dns_port : 53;
}

/* ---- views for teaching and checking (the truth) ---- */

const GPtrArray *
rs_policies_of(const RsWorld *w, const char *ns)
{
    if (w->pol == NULL)
        return NULL;
    PNs *pn = g_hash_table_lookup(w->pol->truth.ns, ns);
    return pn != NULL ? pn->policies : NULL;
}

void
rs_policy_pod_labels(const RsWorld *w, const RsPod *pod, const RsWLabel **l, unsigned *n)
{
    state_pod_labels(&w->pol->truth, pod, l, n);
}

bool
rs_policy_selects(const RsWorld *w, const RsPolicy *p, const RsPod *pod)
{
    const RsWLabel *l;
    unsigned n;
    rs_policy_pod_labels(w, pod, &l, &n);
    return strcmp(pod->ns->name, p->ns) == 0 && sel_match(&p->sel, l, n);
}

bool
rs_policy_ns_matches(const RsWorld *w, const RsPSel *sel, const char *ns)
{
    PNs *pn = g_hash_table_lookup(w->pol->truth.ns, ns);
    return pn != NULL && sel_match(sel, (const RsWLabel *)(void *)pn->labels->data, pn->labels->len);
}
