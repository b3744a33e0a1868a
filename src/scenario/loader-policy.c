/* loader-policy.c: NetworkPolicy objects (R40-R47) and the namespace keys
 * Rahti 2 adds (`labels`, `default_policies`, `load_balancer_ips`).
 *
 * The keys mirror the Kubernetes networking.k8s.io/v1 API one to one in
 * snake_case (scenario-format.md "Additions"): pod_selector, policy_types,
 * ingress[].from[], egress[].to[], namespace_selector, ip_block {cidr,
 * except}, ports[] {port, end_port, protocol}, match_labels,
 * match_expressions {key, operator, values}.  What the API server rejects is
 * an input error here, with the JSON path: an unknown operator or policy
 * type (with "did you mean"), `values` with Exists/DoesNotExist or missing
 * with In/NotIn, `end_port` below `port` or with a named port, an `except`
 * outside its `cidr`.  IPv6 is rejected for the whole file (R1, loader.c).
 */
#include "config.h"

#include <string.h>

#include "rahtisim/lb.h"
#include "rahtisim/util.h"
#include "scenario/loader-internal.h"

/* Fails "unknown WHAT `word` (did you mean `x`?; expected one of ...)". */
static bool
unknown_word(Ld *ld, const cJSON *v, const char *path, const char *what, const char *word,
             const char *const *words, size_t n)
{
    const char *hint = rs_closest(word, words, n);
    g_autofree char *list = g_strjoinv(", ", (char **)words);
    if (hint)
        return ld_fail(ld, v, false, path, "unknown %s `%s` (did you mean `%s`? expected one of %s)",
                       what, word, hint, list);
    return ld_fail(ld, v, false, path, "unknown %s `%s` (expected one of %s)", what, word, list);
}

/* A label selector: {match_labels, match_expressions} (R43). */
static bool
selector(Ld *ld, const cJSON *v, const char *path, RsSelectorSpec *s)
{
    static const char *const keys[] = {"match_labels", "match_expressions", NULL};
    static const char *const ekeys[] = {"key", "operator", "values", NULL};
    static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist", NULL};
    if (!ld_object(ld, v, path, keys, "a label selector") ||
        !ld_labels(ld, v, path, "match_labels", &s->match_labels, &s->n_match_labels))
        return false;
    const cJSON *arr;
    if (!ld_array(ld, v, path, "match_expressions", &arr))
        return false;
    const char *ap = ld_path(ld, path, "match_expressions");
    if (ld->on_keys != NULL) {
        /* `rahtisim schema`: an expression's keys and operators, also where
         * the sample's selector has none */
        const char *ip = ld_path_index(ld, ap, 0);
        const char *opp = ld_path(ld, ip, "operator");
        ld->on_keys(ld->on_keys_data, ip, ekeys, "a selector expression");
        ld_note_enum(ld, opp, ops);
    }
    if (!arr)
        return true;
    s->n_exprs = (unsigned)cJSON_GetArraySize(arr);
    if (s->n_exprs > LD_MAX_LABELS)
        return ld_fail(ld, arr, false, ap, "at most %d expressions per selector (a limit of rahtisim)",
                       LD_MAX_LABELS);
    s->exprs = g_new0(RsSelExprSpec, s->n_exprs ? s->n_exprs : 1);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        const char *ip = ld_path_index(ld, ap, i);
        RsSelExprSpec *e = &s->exprs[i++];
        if (!ld_object(ld, c, ip, ekeys, "a selector expression") ||
            !ld_string(ld, c, ip, "key", true, &e->key))
            return false;
        if (!ld_is_qualified_name(e->key)) {
            const char *kp = ld_path(ld, ip, "key");
            return ld_fail(ld, ld_get(c, "key"), false, kp, "invalid label key `%s`", e->key);
        }
        const cJSON *op = ld_get(c, "operator");
        const char *opp = ld_path(ld, ip, "operator");
        if (!op)
            return ld_fail(ld, c, false, ip, "missing required key `operator` (In, NotIn, Exists or "
                           "DoesNotExist)");
        if (!cJSON_IsString(op))
            return ld_fail(ld, op, false, opp, "expected an operator, found %s", ld_type_word(op));
        int k = -1;
        for (int j = 0; ops[j]; j++)
            if (strcmp(ops[j], op->valuestring) == 0)
                k = j;
        if (k < 0)
            return unknown_word(ld, op, opp, "operator", op->valuestring, ops, 4);
        e->op = (RsSelOp)k;
        const cJSON *vals;
        if (!ld_array(ld, c, ip, "values", &vals))
            return false;
        const char *vp = ld_path(ld, ip, "values");
        bool set_op = e->op == RS_SEL_IN || e->op == RS_SEL_NOT_IN;
        if (!set_op && vals && cJSON_GetArraySize(vals) > 0)
            return ld_fail(ld, vals, false, vp, "`values` must be empty with operator %s (the API "
                           "server rejects it)", op->valuestring);
        if (set_op && (!vals || cJSON_GetArraySize(vals) == 0))
            return ld_fail(ld, vals ? vals : c, false, vals ? vp : ip,
                           "operator %s needs a non-empty `values` list", op->valuestring);
        if (!vals)
            continue;
        e->n_values = (unsigned)cJSON_GetArraySize(vals);
        e->values = g_new0(char *, e->n_values + 1);
        int j = 0;
        const cJSON *vc;
        cJSON_ArrayForEach(vc, vals) {
            const char *jp = ld_path_index(ld, vp, j);
            if (!ld_v_string(ld, vc, jp, &e->values[j]))
                return false;
            j++;
        }
    }
    return true;
}

/* One peer: {pod_selector, namespace_selector} or {ip_block} (R43). */
static bool
peer(Ld *ld, const cJSON *v, const char *path, RsPeerSpec *p)
{
    static const char *const keys[] = {"pod_selector", "namespace_selector", "ip_block", NULL};
    static const char *const bkeys[] = {"cidr", "except", NULL};
    if (!ld_object(ld, v, path, keys, "a policy peer"))
        return false;
    const cJSON *ps = ld_get(v, "pod_selector"), *ns = ld_get(v, "namespace_selector");
    const cJSON *ib = ld_get(v, "ip_block");
    if (ps) {
        const char *pp = ld_path(ld, path, "pod_selector");
        p->has_pod_sel = true;
        if (!selector(ld, ps, pp, &p->pod_sel))
            return false;
    }
    if (ns) {
        const char *np = ld_path(ld, path, "namespace_selector");
        p->has_ns_sel = true;
        if (!selector(ld, ns, np, &p->ns_sel))
            return false;
    }
    if (!ib) {
        if (!ps && !ns)
            return ld_fail(ld, v, false, path, "a peer needs `pod_selector`, `namespace_selector` "
                           "or `ip_block` (R43)");
        return true;
    }
    const char *bp = ld_path(ld, path, "ip_block");
    if (ps || ns)
        return ld_fail(ld, ib, true, bp, "`ip_block` cannot be combined with selectors in one peer "
                       "(write a second peer, R43)");
    p->has_ip_block = true;
    if (!ld_object(ld, ib, bp, bkeys, "an ip_block"))
        return false;
    const cJSON *cidr = ld_get(ib, "cidr");
    const char *cp = ld_path(ld, bp, "cidr");
    if (!cidr)
        return ld_fail(ld, ib, false, bp, "missing required key `cidr`");
    if (!ld_v_cidr(ld, cidr, cp, &p->cidr_net, &p->cidr_prefix))
        return false;
    const cJSON *ex;
    if (!ld_array(ld, ib, bp, "except", &ex))
        return false;
    if (!ex)
        return true;
    const char *ep = ld_path(ld, bp, "except");
    p->n_except = (unsigned)cJSON_GetArraySize(ex);
    p->except_net = g_new0(uint32_t, p->n_except ? p->n_except : 1);
    p->except_prefix = g_new0(uint32_t, p->n_except ? p->n_except : 1);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, ex) {
        const char *ip = ld_path_index(ld, ep, i);
        if (!ld_v_cidr(ld, c, ip, &p->except_net[i], &p->except_prefix[i]))
            return false;
        uint32_t mask = p->cidr_prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - p->cidr_prefix);
        if (p->except_prefix[i] <= p->cidr_prefix || (p->except_net[i] & mask) != p->cidr_net)
            return ld_fail(ld, c, false, ip, "`except` %s is not inside the cidr %s: an exception "
                           "must be a smaller network within it (the API server rejects it)",
                           c->valuestring, cidr->valuestring);
        i++;
    }
    return true;
}

/* True for a pod port name (IANA service name style). */
static bool
port_name_ok(const char *s)
{
    size_t n = strlen(s);
    bool letter = false;
    if (n == 0 || n > 15 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (g_ascii_islower(s[i]))
            letter = true;
        else if (!g_ascii_isdigit(s[i]) && s[i] != '-')
            return false;
    }
    return letter;
}

/* One entry of a rule's ports (R44). */
static bool
policy_port(Ld *ld, const cJSON *v, const char *path, RsPolicyPortSpec *pp)
{
    static const char *const keys[] = {"port", "end_port", "protocol", NULL};
    static const char *const protos[] = {"TCP", "UDP", "SCTP", NULL};
    if (!ld_object(ld, v, path, keys, "a policy port"))
        return false;
    const cJSON *pr = ld_get(v, "protocol");
    if (ld->on_keys != NULL) {
        const char *np = ld_path(ld, path, "protocol");
        ld_note_enum(ld, np, protos);           /* `rahtisim schema` (R44) */
    }
    if (pr) {
        const char *prp = ld_path(ld, path, "protocol");
        if (!cJSON_IsString(pr))
            return ld_fail(ld, pr, false, prp, "expected TCP, UDP or SCTP, found %s", ld_type_word(pr));
        int k = -1;
        for (int j = 0; protos[j]; j++)
            if (strcmp(protos[j], pr->valuestring) == 0)
                k = j;
        if (k < 0)
            return unknown_word(ld, pr, prp, "protocol", pr->valuestring, protos, 3);
        pp->protocol = (RsL4Proto)k;
    }
    const cJSON *p = ld_get(v, "port");
    const char *portp = ld_path(ld, path, "port");
    if (p && cJSON_IsString(p)) {
        if (!port_name_ok(p->valuestring))
            return ld_fail(ld, p, false, portp, "expected a port number (1-65535) or a pod port name, "
                           "found `%s`", p->valuestring);
        pp->has_port = true;
        pp->port_name = g_strdup(p->valuestring);
    } else if (p) {
        long long n;
        if (!ld_v_int(ld, p, portp, 1, 65535, "port", &n))
            return false;
        pp->has_port = true;
        pp->port = (uint16_t)n;
    }
    const cJSON *e = ld_get(v, "end_port");
    if (e) {
        const char *epath = ld_path(ld, path, "end_port");
        long long n;
        if (!ld_v_int(ld, e, epath, 1, 65535, "end_port", &n))
            return false;
        if (!p || pp->port_name)
            return ld_fail(ld, e, false, epath, "`end_port` needs a numeric `port` (the start of the "
                           "range, R44)");
        if (n < pp->port)
            return ld_fail(ld, e, false, epath, "`end_port` %lld is below `port` %u: the range "
                           "would be empty (the API server rejects it, R44)", n, pp->port);
        pp->end_port = (uint16_t)n;
    }
    return true;
}

/* `ingress` or `egress`: a list of rules. */
static bool
rules(Ld *ld, const cJSON *obj, const char *path, const char *key, const char *peers_key,
      RsPolicyRuleSpec **out, unsigned *n)
{
    const char *const keys[] = {peers_key, "ports", NULL};
    const cJSON *arr;
    if (!ld_array(ld, obj, path, key, &arr))
        return false;
    if (!arr)
        return true;
    const char *ap = ld_path(ld, path, key);
    *n = (unsigned)cJSON_GetArraySize(arr);
    *out = g_new0(RsPolicyRuleSpec, *n ? *n : 1);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        const char *ip = ld_path_index(ld, ap, i);
        RsPolicyRuleSpec *r = &(*out)[i++];
        if (!ld_object(ld, c, ip, keys, "a policy rule"))
            return false;
        const cJSON *peers, *ports;
        if (!ld_array(ld, c, ip, peers_key, &peers) || !ld_array(ld, c, ip, "ports", &ports))
            return false;
        if (peers) {
            const char *pp = ld_path(ld, ip, peers_key);
            r->n_peers = (unsigned)cJSON_GetArraySize(peers);
            r->peers = g_new0(RsPeerSpec, r->n_peers ? r->n_peers : 1);
            int j = 0;
            const cJSON *pc;
            cJSON_ArrayForEach(pc, peers) {
                const char *jp = ld_path_index(ld, pp, j);
                if (!peer(ld, pc, jp, &r->peers[j]))
                    return false;
                j++;
            }
        }
        if (ports) {
            const char *pp = ld_path(ld, ip, "ports");
            r->n_ports = (unsigned)cJSON_GetArraySize(ports);
            r->ports = g_new0(RsPolicyPortSpec, r->n_ports ? r->n_ports : 1);
            int j = 0;
            const cJSON *pc;
            cJSON_ArrayForEach(pc, ports) {
                const char *jp = ld_path_index(ld, pp, j);
                if (!policy_port(ld, pc, jp, &r->ports[j]))
                    return false;
                j++;
            }
        }
    }
    return true;
}

/* One NetworkPolicy (R41-R44). */
bool
ld_policy(Ld *ld, const cJSON *v, const char *path, RsPolicySpec *p)
{
    static const char *const keys[] = {"name", "pod_selector", "policy_types", "ingress", "egress", NULL};
    static const char *const types[] = {"Ingress", "Egress", NULL};
    if (!ld_object(ld, v, path, keys, "a network policy"))
        return false;
    ld_pos(ld, v, path, &p->pos);
    if (!ld_name(ld, v, path, "network policy", true, &p->name) || !ld_count_object(ld, v, path, 1))
        return false;
    const cJSON *ps = ld_get(v, "pod_selector");
    if (!ps)
        return ld_fail(ld, v, false, path, "missing required key `pod_selector` ({} selects every pod "
                       "of the namespace, R41)");
    const char *psp = ld_path(ld, path, "pod_selector");
    if (!selector(ld, ps, psp, &p->pod_selector) ||
        !rules(ld, v, path, "ingress", "from", &p->ingress, &p->n_ingress) ||
        !rules(ld, v, path, "egress", "to", &p->egress, &p->n_egress))
        return false;
    const cJSON *pt;
    if (ld->on_keys != NULL) {
        const char *tp = ld_path(ld, path, "policy_types[0]");
        ld_note_enum(ld, tp, types);            /* `rahtisim schema` (R41) */
    }
    if (!ld_array(ld, v, path, "policy_types", &pt))
        return false;
    if (!pt) {
        /* R41: Ingress always, Egress when the policy has an egress section */
        p->type_ingress = true;
        p->type_egress = ld_get(v, "egress") != NULL;
        return true;
    }
    const char *ptp = ld_path(ld, path, "policy_types");
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, pt) {
        const char *ip = ld_path_index(ld, ptp, i++);
        if (!cJSON_IsString(c))
            return ld_fail(ld, c, false, ip, "expected Ingress or Egress, found %s", ld_type_word(c));
        if (strcmp(c->valuestring, "Ingress") == 0)
            p->type_ingress = true;
        else if (strcmp(c->valuestring, "Egress") == 0)
            p->type_egress = true;
        else
            return unknown_word(ld, c, ip, "policy type", c->valuestring, types, 2);
    }
    return true;
}

/* Frees a selector's contents. */
static void
selector_clear(RsSelectorSpec *s)
{
    for (unsigned i = 0; s->match_labels && i < s->n_match_labels; i++) {
        rs_spec_free(s->match_labels[i].key);
        rs_spec_free(s->match_labels[i].value);
    }
    rs_spec_free(s->match_labels);
    for (unsigned i = 0; s->exprs && i < s->n_exprs; i++) {
        rs_spec_free(s->exprs[i].key);
        for (unsigned k = 0; s->exprs[i].values && s->exprs[i].values[k]; k++)
            rs_spec_free(s->exprs[i].values[k]);
        rs_spec_free(s->exprs[i].values);
    }
    rs_spec_free(s->exprs);
}

/* Frees a rule list. */
static void
rules_free(RsPolicyRuleSpec *r, unsigned n)
{
    for (unsigned i = 0; r && i < n; i++) {
        for (unsigned j = 0; r[i].peers && j < r[i].n_peers; j++) {
            selector_clear(&r[i].peers[j].pod_sel);
            selector_clear(&r[i].peers[j].ns_sel);
            rs_spec_free(r[i].peers[j].except_net);
            rs_spec_free(r[i].peers[j].except_prefix);
        }
        rs_spec_free(r[i].peers);
        for (unsigned j = 0; r[i].ports && j < r[i].n_ports; j++)
            rs_spec_free(r[i].ports[j].port_name);
        rs_spec_free(r[i].ports);
    }
    rs_spec_free(r);
}

/* Frees what a policy spec owns (not the struct). */
void
rs_policy_spec_clear(RsPolicySpec *p)
{
    if (!p)
        return;
    rs_spec_free(p->pos.path);
    rs_spec_free(p->name);
    selector_clear(&p->pod_selector);
    rules_free(p->ingress, p->n_ingress);
    rules_free(p->egress, p->n_egress);
}

/* The namespace keys of R40, R43, R48: labels, default_policies,
 * load_balancer_ips, network_policies. */
bool
ld_namespace_policy_keys(Ld *ld, LdNs *ns, const cJSON *v, const char *path)
{
    RsNamespaceSpec *s = ns->spec;
    s->default_policies = true;
    const RsProfile *pf = &ld->sc->profile;
    if (!ld_labels(ld, v, path, "labels", &s->labels, &s->n_labels) ||
        !ld_bool(ld, v, path, "default_policies", &s->default_policies))
        return false;
    for (unsigned i = 0; i < s->n_labels; i++) {
        if (strcmp(s->labels[i].key, "kubernetes.io/metadata.name") == 0 &&
            strcmp(s->labels[i].value, s->name) != 0) {
            const char *lp = ld_path(ld, path, "labels");
            return ld_fail(ld, ld_get(ld_get(v, "labels"), s->labels[i].key), false, lp,
                           "the label kubernetes.io/metadata.name is set by the API server to the "
                           "namespace's name `%s` (R43)", s->name);
        }
    }
    const cJSON *ips;
    if (!ld_array(ld, v, path, "load_balancer_ips", &ips))
        return false;
    if (ips) {
        const char *ip = ld_path(ld, path, "load_balancer_ips");
        if (pf->isolation == RS_ISOLATION_MULTITENANT || pf->lb_port_max == 0)
            return ld_fail(ld, ips, true, ip, "the %s platform has no load balancers (R48)", pf->name);
        s->n_lb_ips = (unsigned)cJSON_GetArraySize(ips);
        s->lb_ips = g_new0(uint32_t, s->n_lb_ips ? s->n_lb_ips : 1);
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, ips) {
            const char *jp = ld_path_index(ld, ip, i);
            if (!ld_v_ipv4(ld, c, jp, &s->lb_ips[i]))
                return false;
            for (int j = 0; j < i; j++)
                if (s->lb_ips[j] == s->lb_ips[i])
                    return ld_fail(ld, c, false, jp, "address `%s` is listed twice", c->valuestring);
            i++;
        }
    }
    if (pf->isolation == RS_ISOLATION_POLICY && s->default_policies) {
        /* R40: the two default policies exist: events may remove or replace
         * them, and a declared policy of the same name replaces one */
        static RsPolicySpec defaults[2] = {{.name = (char *)"allow-same-namespace"},
                                           {.name = (char *)"allow-from-openshift-ingress"}};
        for (int k = 0; k < 2; k++)
            if (!ld_register(ld, ns, RS_KIND_NETWORK_POLICY, &defaults[k], v, path, true))
                return false;
    }
    const cJSON *arr;
    if (!ld_array(ld, v, path, "network_policies", &arr))
        return false;
    if (!arr)
        return true;
    const char *ap = ld_path(ld, path, "network_policies");
    if (pf->isolation == RS_ISOLATION_MULTITENANT && cJSON_GetArraySize(arr) > 0)
        ld_warn(ld, arr, RS_R39, "the %s platform (ovs-multitenant) accepts network policies and "
                "ignores them: isolation is per namespace", pf->name);
    s->n_policies = (unsigned)cJSON_GetArraySize(arr);
    s->policies = g_new0(RsPolicySpec, s->n_policies ? s->n_policies : 1);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        const char *ip = ld_path_index(ld, ap, i);
        /* issue 12: one policy's error does not stop the next one's checks */
        if ((!ld_policy(ld, c, ip, &s->policies[i]) ||
             !ld_register(ld, ns, RS_KIND_NETWORK_POLICY, &s->policies[i], c, ip, false)) && !ld_go_on(ld))
            return false;
        i++;
    }
    return true;
}

/* ---- lint: `check` warnings (R40-R48) ---- */

static const char *
spec_label(const RsLabel *l, unsigned n, const char *key)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(l[i].key, key) == 0)
            return l[i].value;
    return NULL;
}

/* A selector spec against a label list (the same rules as src/world/policy.c). */
static bool
spec_match(const RsSelectorSpec *s, const RsLabel *l, unsigned n)
{
    for (unsigned i = 0; i < s->n_match_labels; i++) {
        const char *v = spec_label(l, n, s->match_labels[i].key);
        if (v == NULL || strcmp(v, s->match_labels[i].value) != 0)
            return false;
    }
    for (unsigned i = 0; i < s->n_exprs; i++) {
        const RsSelExprSpec *e = &s->exprs[i];
        const char *v = spec_label(l, n, e->key);
        bool in = false;
        for (unsigned j = 0; v != NULL && j < e->n_values && !in; j++)
            in = strcmp(v, e->values[j]) == 0;
        if ((e->op == RS_SEL_IN && !in) || (e->op == RS_SEL_NOT_IN && in) ||
            (e->op == RS_SEL_EXISTS && v == NULL) || (e->op == RS_SEL_DOES_NOT_EXIST && v != NULL))
            return false;
    }
    return true;
}

/* A namespace's labels as selectors see them (R43); g_free the array. */
static RsLabel *
ns_labels(const char *name, const RsLabel *own, unsigned n_own, unsigned *n)
{
    RsLabel *l = g_new0(RsLabel, n_own + 3);
    unsigned k = 0;
    l[k++] = (RsLabel){(char *)"kubernetes.io/metadata.name", (char *)name};
    for (unsigned i = 0; i < n_own; i++)
        l[k++] = own[i];
    if (strcmp(name, "openshift-ingress") == 0) {
        l[k++] = (RsLabel){(char *)"policy-group.network.openshift.io/ingress", (char *)""};
        l[k++] = (RsLabel){(char *)"network.openshift.io/policy-group", (char *)"ingress"};
    }
    *n = k;
    return l;
}

/* Whether a namespace selector matches some namespace of the file or a platform one. */
static bool
ns_sel_matches_any(const RsScenario *sc, const RsSelectorSpec *s)
{
    static const char *const platform[] = {"openshift-ingress", "openshift-dns"};
    for (unsigned i = 0; i < sc->n_namespaces + 2; i++) {
        const RsNamespaceSpec *n = i < sc->n_namespaces ? &sc->namespaces[i] : NULL;
        unsigned k;
        g_autofree RsLabel *l = ns_labels(n ? n->name : platform[i - sc->n_namespaces],
                                          n ? n->labels : NULL, n ? n->n_labels : 0, &k);
        if (spec_match(s, l, k))
            return true;
    }
    return false;
}

/* Whether a selector matches some workload (deployment or pod) of a namespace. */
static bool
selects_some_pod(const RsNamespaceSpec *n, const RsSelectorSpec *s)
{
    for (unsigned i = 0; i < n->n_deployments; i++)
        if (spec_match(s, n->deployments[i].labels, n->deployments[i].n_labels))
            return true;
    for (unsigned i = 0; i < n->n_pods; i++)
        if (spec_match(s, n->pods[i].labels, n->pods[i].n_labels))
            return true;
    return false;
}

/* R46: whether an egress rule lets a query reach the DNS pods. */
static bool
rule_allows_dns(const RsPolicyRuleSpec *r, uint16_t port)
{
    bool port_ok = r->n_ports == 0;
    for (unsigned i = 0; i < r->n_ports && !port_ok; i++) {
        const RsPolicyPortSpec *p = &r->ports[i];
        port_ok = p->protocol == RS_L4_UDP &&
                  (!p->has_port || (!p->port_name && (p->end_port ? p->port <= port && port <= p->end_port
                                                                  : p->port == port)));
    }
    if (!port_ok)
        return false;
    if (r->n_peers == 0)
        return true;
    static const RsLabel dns_pod[] = {{(char *)"dns.operator.openshift.io/daemonset-dns", (char *)"default"}};
    unsigned k;
    g_autofree RsLabel *nsl = ns_labels("openshift-dns", NULL, 0, &k);
    for (unsigned i = 0; i < r->n_peers; i++) {
        const RsPeerSpec *p = &r->peers[i];
        if (p->has_ip_block)
            continue;           /* the DNS pods' addresses are not the user's to know */
        if (p->has_ns_sel && spec_match(&p->ns_sel, nsl, k) &&
            (!p->has_pod_sel || spec_match(&p->pod_sel, dns_pod, 1)))
            return true;
    }
    return false;
}

/* Warnings about one namespace's policies and load balancers. */
static void
lint_namespace(Ld *ld, const RsNamespaceSpec *n, const cJSON *nn, GArray *claims)
{
    const RsScenario *sc = ld->sc;
    const RsProfile *pf = &sc->profile;
    const cJSON *pn = n->n_policies ? ld_get(nn, "network_policies")->child : NULL;
    bool egress_isolated = false, dns_ok = false;
    const cJSON *egress_node = NULL;
    for (unsigned i = 0; pf->isolation == RS_ISOLATION_POLICY && i < n->n_policies; i++, pn = pn->next) {
        const RsPolicySpec *p = &n->policies[i];
        bool selects = selects_some_pod(n, &p->pod_selector);
        if (!selects)
            ld_warn(ld, ld_get(pn, "pod_selector"), RS_R41, "network policy `%s` selects no pod of namespace "
                    "`%s` (yet): it isolates nothing", p->name, n->name);
        if (p->type_egress && selects) {
            egress_isolated = true;
            egress_node = egress_node ? egress_node : pn;
            for (unsigned k = 0; k < p->n_egress; k++)
                dns_ok = dns_ok || rule_allows_dns(&p->egress[k], pf->dns_target_port);
        }
        for (int dir = 0; dir < 2; dir++) {
            const RsPolicyRuleSpec *rules = dir ? p->egress : p->ingress;
            unsigned nr = dir ? p->n_egress : p->n_ingress;
            for (unsigned k = 0; k < nr; k++) {
                for (unsigned j = 0; j < rules[k].n_peers; j++) {
                    const RsPeerSpec *peer = &rules[k].peers[j];
                    if (peer->has_ns_sel && !ns_sel_matches_any(sc, &peer->ns_sel))
                        ld_warn(ld, pn, RS_R43, "network policy `%s`: a peer's namespace_selector "
                                "matches no namespace (%s rule %u, peer %u)", p->name,
                                dir ? "egress" : "ingress", k + 1, j + 1);
                    uint32_t pmask = 0xFFFFFFFFu << (32 - pf->pod_prefix);
                    if (peer->has_ip_block && peer->cidr_prefix >= 24 &&
                        (peer->cidr_net & pmask) == pf->pod_net)
                        ld_warn(ld, pn, RS_R43, "network policy `%s`: ip_block names pod addresses "
                                "(%s rule %u, peer %u): a recreated pod gets a new address (R3) and "
                                "the rule stops matching; select pods by label", p->name,
                                dir ? "egress" : "ingress", k + 1, j + 1);
                }
            }
        }
    }
    if (egress_isolated && !dns_ok)
        ld_warn(ld, egress_node, RS_R46, "namespace `%s`: egress policies allow no DNS query to the "
                "cluster DNS pods (namespace openshift-dns, UDP port %u): name lookups will time out; "
                "allowing port 53 is not enough", n->name, pf->dns_target_port);
    /* the services' JSON only for a warning (issue 14: a lookup per namespace) */
    for (unsigned i = 0; i < n->n_services; i++) {
        const RsServiceSpec *s = &n->services[i];
        if (s->type != RS_SVC_LOAD_BALANCER)
            continue;
        const char *share = spec_label(s->annotations, s->n_annotations, RS_LB_SHARE_KEY);
        uint16_t *ports = g_new0(uint16_t, s->n_ports ? s->n_ports : 1);
        for (unsigned k = 0; k < s->n_ports; k++)
            ports[k] = s->ports[k].port;
        RsLbClaim c = {0, share, s->etp == RS_ETP_LOCAL, ports, s->n_ports};
        if (!rs_lb_choose(n->lb_ips, n->n_lb_ips, (const RsLbClaim *)(void *)claims->data, claims->len,
                          share, c.local, ports, s->n_ports, &c.ip)) {
            const cJSON *sn = cJSON_GetArrayItem(ld_get(nn, "services"), (int)i);
            ld_warn(ld, sn, RS_R48, "load-balancer service `%s` stays pending: %s", s->name,
                    n->n_lb_ips == 0 ? "namespace has no granted load_balancer_ips"
                    : "no granted address is free or shareable (same allow-shared-ip value, "
                      "different ports, no external_traffic_policy local)");
            g_free(ports);
            continue;
        }
        g_array_append_val(claims, c);
    }
}

/* R39-R48 warnings; called by ld_lint. */
void
ld_policy_lint(Ld *ld, const cJSON *root)
{
    const RsScenario *sc = ld->sc;
    const cJSON *nss = ld_get(root, "namespaces");
    const cJSON *nn = nss ? nss->child : NULL;
    GArray *claims = g_array_new(FALSE, FALSE, sizeof(RsLbClaim));
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): the specs came from these n_namespaces items */
    for (unsigned i = 0; i < sc->n_namespaces; i++, nn = nn->next)
        lint_namespace(ld, &sc->namespaces[i], nn, claims);
    for (guint i = 0; i < claims->len; i++)
        g_free((void *)g_array_index(claims, RsLbClaim, i).ports);
    g_array_unref(claims);
    /* R45: removing the router's way in while the namespace has routes */
    const cJSON *evs = ld_get(root, "events");
    const cJSON *en = evs ? evs->child : NULL;
    for (; en != NULL; en = en->next) {
        const cJSON *rm = ld_get(en, "remove");
        if (!cJSON_IsString(rm) || sc->profile.isolation != RS_ISOLATION_POLICY)
            continue;
        g_auto(GStrv) parts = g_strsplit(rm->valuestring, "/", 3);
        guint np = g_strv_length(parts);
        const char *name = np == 3 ? parts[2] : np == 2 ? parts[1] : NULL;
        if (name == NULL || strcmp(name, "allow-from-openshift-ingress") != 0)
            continue;
        for (unsigned i = 0; i < sc->n_namespaces; i++)
            if (strcmp(sc->namespaces[i].name, parts[0]) == 0 && sc->namespaces[i].n_routes > 0)
                ld_warn(ld, rm, RS_R45, "removing allow-from-openshift-ingress cuts the router off "
                        "namespace `%s`, which has routes: they will answer 503 (unavailable) once "
                        "the router's connections time out", parts[0]);
    }
}
