/* loader-lint.c: pass 3: warnings about what Rahti users get wrong, for
 * objects declared in `namespaces` (pass 1 already warned about privileged
 * pod ports, R4, and malformed whitelists, R25):
 *   - a service whose selector matches no deployment or pod (R14: it has no
 *     endpoints and refuses connections);
 *   - a service target port, number or name, on which no selected pod
 *     listens (R11);
 *   - a route whose target_port its service does not export (R20);
 *   - a host claimed by routes of two namespaces, or a host and path taken
 *     twice in one namespace (R22: the later route is not admitted); a
 *     default host is computed as the world does (route.c);
 *   - a TLS route on a custom host without a certificate (R23: tls-error);
 *   - more namespaces asking for a dedicated egress IP than the pool has (R33).
 * And, called from pass 1 for route annotations and `annotate` events
 * (ld_annotation_check): a balance the router ignores (R26) and a timeout it
 * cannot parse (R31).  (Times after an explicit `duration` are errors of
 * pass 1: ld_within_duration.)
 * Warnings are collected with their position; loader.c sorts them.
 */
#include "config.h"

#include <string.h>

#include "scenario/loader-internal.h"

/* True if every selector label is among the workload's labels. */
static bool
selects(const RsServiceSpec *s, const RsWorkloadSpec *w)
{
    if (s->n_selector == 0)
        return false;
    for (unsigned i = 0; i < s->n_selector; i++) {
        bool found = false;
        for (unsigned j = 0; j < w->n_labels && !found; j++)
            found = strcmp(s->selector[i].key, w->labels[j].key) == 0 &&
                    strcmp(s->selector[i].value, w->labels[j].value) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* True if a workload declares the port (by number, or by name when name set). */
static bool
listens(const RsWorkloadSpec *w, uint16_t port, const char *name)
{
    for (unsigned i = 0; i < w->n_ports; i++) {
        if (name ? (w->ports[i].name && strcmp(w->ports[i].name, name) == 0) : w->ports[i].port == port)
            return true;
    }
    return false;
}

/* Below this many objects a namespace's services scan its workloads
 * directly: an index costs more than it saves (10^5 namespaces of a pod
 * and a service each made 10^5 tables of one label). */
#define LINT_INDEX_MIN 16

/* Indexes a namespace's workloads by label ("key=value" -> GPtrArray of
 * RsWorkloadSpec*), so that matching a selector costs the size of one label's
 * candidates instead of every workload; NULL for a small namespace (see
 * LINT_INDEX_MIN). */
static GHashTable *
label_index(LdNs *ns)
{
    if (ns->n_objs < LINT_INDEX_MIN)
        return NULL;
    GHashTable *idx = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify)g_ptr_array_unref);
    for (guint i = 0; i < ns->n_objs; i++) {
        LdObj *o = ns->objs[i];
        if (o->kind != RS_KIND_DEPLOYMENT && o->kind != RS_KIND_POD)
            continue;
        const RsWorkloadSpec *w = o->spec;
        for (unsigned k = 0; k < w->n_labels; k++) {
            char *key = g_strconcat(w->labels[k].key, "=", w->labels[k].value, NULL);
            GPtrArray *list = g_hash_table_lookup(idx, key);
            if (!list) {
                list = g_ptr_array_new();
                g_hash_table_insert(idx, key, list);
            } else {
                g_free(key);
            }
            g_ptr_array_add(list, (gpointer)w);
        }
    }
    return idx;
}

/* Warnings for one service: selector and target ports (R11, R14). */
static void
lint_service(Ld *ld, LdNs *ns, GHashTable *labels, const RsServiceSpec *s, const cJSON *node)
{
    if (s->cluster_ip_mode == RS_CLUSTER_IP_NONE && s->n_selector == 0)
        return;
    /* the selected workloads: on the stack in a small namespace (no index,
     * fewer than LINT_INDEX_MIN objects; issue 14: an array per service) */
    const RsWorkloadSpec *few[LINT_INDEX_MIN];
    g_autoptr(GPtrArray) many = NULL;
    const RsWorkloadSpec *const *sel = few;
    guint n_sel = 0;
    if (s->n_selector > 0 && !labels) {
        /* a small namespace: its workloads in declaration order, as the index lists them */
        for (guint i = 0; i < ns->n_objs && n_sel < LINT_INDEX_MIN; i++) {
            const LdObj *o = ns->objs[i];
            if ((o->kind == RS_KIND_DEPLOYMENT || o->kind == RS_KIND_POD) && selects(s, o->spec))
                few[n_sel++] = o->spec;
        }
    } else if (s->n_selector > 0) {
        g_autofree char *key = g_strconcat(s->selector[0].key, "=", s->selector[0].value, NULL);
        GPtrArray *cand = g_hash_table_lookup(labels, key);
        many = g_ptr_array_new();
        for (guint i = 0; cand && i < cand->len; i++)
            if (selects(s, cand->pdata[i]))
                g_ptr_array_add(many, cand->pdata[i]);
        sel = (const RsWorkloadSpec *const *)(void *)many->pdata;
        n_sel = many->len;
    }
    if (n_sel == 0) {
        const cJSON *at = ld_get(node, "selector") ? ld_get(node, "selector") : node;
        if (s->n_selector == 0)
            ld_warn(ld, at, RS_R14, "service `%s` has no selector: it never has endpoints and "
                    "refuses connections", s->name);
        else
            ld_warn(ld, at, RS_R14, "the selector of service `%s` matches no deployment or pod in "
                    "namespace `%s`: it has no endpoints and refuses connections", s->name,
                    ns->spec->name);
        return;
    }
    for (unsigned i = 0; i < s->n_ports; i++) {
        const RsServicePortSpec *p = &s->ports[i];
        bool any = false;
        for (guint j = 0; j < n_sel && !any; j++)
            any = listens(sel[j], p->target_port, p->target_name);
        if (any)
            continue;
        const cJSON *pn = cJSON_GetArrayItem(ld_get(node, "ports"), (int)i);   /* for the warning only */
        const cJSON *at = cJSON_IsObject(pn) && ld_get(pn, "target_port") ? ld_get(pn, "target_port") : pn;
        const RsWorkloadSpec *w = sel[0];
        GString *has = g_string_new(NULL);
        for (unsigned k = 0; k < w->n_ports; k++)
            g_string_append_printf(has, "%s%u%s%s%s", k ? ", " : "", w->ports[k].port,
                                   w->ports[k].name ? " (" : "", w->ports[k].name ? w->ports[k].name : "",
                                   w->ports[k].name ? ")" : "");
        g_autofree char *has_s = g_string_free(has, FALSE);
        g_autofree char *target = p->target_name ? g_strdup_printf("`%s`", p->target_name)
                                                 : g_strdup_printf("%u", p->target_port);
        ld_warn(ld, at, RS_R11, "target port %s of service `%s` is not a port of any pod it selects "
                "(`%s` listens on %s): connections to it are refused", target, s->name, w->name,
                *has_s ? has_s : "no declared port");
    }
}

/* A route's target_port must be one its service exports (R20). */
static void
lint_route_port(Ld *ld, LdNs *ns, const RsRouteSpec *r, const cJSON *node)
{
    if (!r->target_port && !r->target_name)
        return;
    LdObj *o = ld_obj_lookup(ns, RS_KIND_SERVICE, r->service);
    if (!o)
        return;
    const RsServiceSpec *s = o->spec;
    for (unsigned i = 0; i < s->n_ports; i++) {
        const RsServicePortSpec *p = &s->ports[i];
        if (r->target_name ? ((p->name && strcmp(p->name, r->target_name) == 0) ||
                              (p->target_name && strcmp(p->target_name, r->target_name) == 0))
                           : (p->target_port == r->target_port || p->target_name != NULL))
            return;     /* C1: a number names the endpoints' port (a named target may be it) */
    }
    g_autofree char *target = r->target_name ? g_strdup_printf("`%s`", r->target_name)
                                             : g_strdup_printf("%u", r->target_port);
    for (unsigned i = 0; !r->target_name && i < s->n_ports; i++) {
        if (s->ports[i].port == r->target_port) {
            ld_warn(ld, ld_get(node, "target_port"), RS_R20,
                    "route `%s`: target port %u is a port of service `%s`, not of its endpoints "
                    "(it sends %u to %u): the router finds no endpoint port %u: no servers, HTTP "
                    "503 (C1); write %u or the port's name", r->name, r->target_port, r->service,
                    s->ports[i].port, s->ports[i].target_port, r->target_port, s->ports[i].target_port);
            return;
        }
    }
    ld_warn(ld, ld_get(node, "target_port"), RS_R20,
            "route `%s`: service `%s` has no port %s (neither an endpoint port nor a port "
            "name): the route has no servers (C1)", r->name, r->service, target);
}

/* True if host is `<label>.<app domain>`, covered by the wildcard certificate (R18). */
static bool
app_domain_host(const char *host, const char *app_domain)
{
    const char *dot = strchr(host, '.');
    return dot && dot != host && strcmp(dot + 1, app_domain) == 0;
}

/* The host a route serves: its own, or the default one exactly as the world
 * makes it (src/world/route.c route_host: openshift-apiserver's
 * `<name with dots as dashes>-<namespace>.<app domain>`, R22); lowercase,
 * since DNS names compare without case. */
/* A route's path as its host-and-path key had it (g_strconcat stops at NULL). */
static const char *
path_or_empty(const char *path)
{
    return path != NULL ? path : "";
}

static char
ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* In the load's arena (ld->mem, kept until the load ends: the lint's host
 * table points at it; issue 14: a g_strconcat and a free per route). */
static char *
route_host(Ld *ld, const RsRouteSpec *r, const char *ns, const char *app_domain)
{
    if (r->host) {
        char *h = rs_arena_strdup(ld->mem, r->host);
        for (char *c = h; *c; c++)
            *c = ascii_lower(*c);
        return h;
    }
    size_t nl = strlen(r->name), nn = strlen(ns), na = strlen(app_domain);
    char *h = rs_arena_alloc(ld->mem, nl + nn + na + 3);
    memcpy(h, r->name, nl);
    h[nl] = '-';
    memcpy(h + nl + 1, ns, nn);
    h[nl + 1 + nn] = '.';
    memcpy(h + nl + 2 + nn, app_domain, na);
    h[nl + 2 + nn + na] = '\0';
    for (size_t i = 0; h[i]; i++)
        h[i] = i < nl && h[i] == '.' ? '-' : ascii_lower(h[i]);
    return h;
}

/* Warns about a balance or timeout annotation the router would ignore
 * (R26, R31); the whitelist annotations are ld_whitelist_check's. */
void
ld_annotation_check(Ld *ld, const cJSON *node, const char *key, const char *value)
{
    if (!key || !value)
        return;
    if (strcmp(key, "haproxy.router.openshift.io/balance") == 0) {
        /* R26: exactly one of these, case-sensitive (openshift-router.md 2.2:
         * the template's `roundrobin|leastconn|source|random`) */
        static const char *const algos[] = {"roundrobin", "leastconn", "source", "random"};
        bool rahti1 = ld->sc->profile.name != NULL && strcmp(ld->sc->profile.name, "rahti-1") == 0;
        if (rahti1 && strcmp(value, "random") == 0) {
            ld_warn(ld, node, RS_R26, "balance `random` does not exist in rahti-1's HAProxy 1.8: the "
                    "router ignores it and uses the default (C5)");
            return;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(algos); i++)
            if (strcmp(value, algos[i]) == 0)
                return;
        ld_warn(ld, node, RS_R26, "balance `%s` is not one the router accepts (roundrobin, "
                "leastconn, source or random, exactly): the router ignores it and uses the default",
                value);
    } else if (strcmp(key, "haproxy.router.openshift.io/timeout") == 0) {
        rs_time_t t;
        if (!rs_parse_route_timeout(value, &t))
            ld_warn(ld, node, RS_R31, "timeout `%s` is not one the router can read (digits with "
                    "an optional unit us, ms, s, m, h or d, like \"500ms\" or \"2m\"; no unit "
                    "means ms): the router ignores it and uses the default route timeout", value);
    }
}

/* R12 (rahti-1): the namespace a request's URL names when it is a service
 * of another namespace: "svc.ns", "svc.ns.svc", "svc.ns.svc.<cluster domain>". */
static const char *
other_namespace_service(Ld *ld, const RsFrom *from, const RsUrl *to, char **svc)
{
    if (from->kind == RS_FROM_HOST || !to->host || to->is_ip || to->pod_ref)
        return NULL;
    g_auto(GStrv) parts = g_strsplit(to->host, ".", -1);
    guint n = g_strv_length(parts);
    if (n < 2 || strcmp(parts[1], from->ns) == 0)
        return NULL;
    if (n > 2) {
        g_autofree char *rest = g_strjoinv(".", parts + 2);
        g_autofree char *full = g_strdup_printf("svc.%s", ld->sc->profile.cluster_domain);
        size_t fl = strlen(full);
        bool fqdn = strncmp(rest, full, fl) == 0 && (rest[fl] == '\0' || strcmp(rest + fl, ".") == 0);
        if (strcmp(rest, "svc") != 0 && !fqdn)
            return NULL;
    }
    LdNs *ns = ld_ns_lookup(ld, parts[1]);
    if (!ns || !ld_obj_lookup(ns, RS_KIND_SERVICE, parts[0]))
        return NULL;
    *svc = g_strdup(parts[0]);
    return ns->spec->name;
}

/* R12: probes and traffic that call another namespace's service time out on
 * rahti-1 (namespaces are isolated; `check` says so before the run does). */
static void
lint_cross_namespace(Ld *ld, const cJSON *root)
{
    if (!ld->sc->profile.name || strcmp(ld->sc->profile.name, "rahti-1") != 0)
        return;
    const RsScenario *sc = ld->sc;
    const cJSON *en = ld_get(root, "expect") ? ld_get(root, "expect")->child : NULL;
    for (unsigned i = 0; i < sc->n_expect && en; i++, en = en->next) {
        const RsExpectSpec *e = &sc->expect[i];
        g_autofree char *svc = NULL;
        const char *other = e->kind == RS_EXPECT_PROBE ? other_namespace_service(ld, &e->from, &e->to, &svc) : NULL;
        if (other && !(e->has_outcome && e->outcome == RS_OUTCOME_TIMEOUT))
            ld_warn(ld, ld_get(en, "to"), RS_R12, "`%s/%s` calls service `%s` of namespace `%s`: services "
                    "answer only their own namespace, so it times out", e->from.ns, e->from.name, svc, other);
    }
    const cJSON *tn = ld_get(root, "traffic") ? ld_get(root, "traffic")->child : NULL;
    for (unsigned i = 0; i < sc->n_traffic && tn; i++, tn = tn->next) {
        const RsTrafficSpec *t = &sc->traffic[i];
        g_autofree char *svc = NULL;
        const char *other = other_namespace_service(ld, &t->from, &t->to, &svc);
        if (other)
            ld_warn(ld, ld_get(tn, "to"), RS_R12, "traffic `%s` from `%s/%s` calls service `%s` of namespace "
                    "`%s`: services answer only their own namespace, so every request times out", t->name,
                    t->from.ns, t->from.name, svc, other);
    }
}

/* The hosts claimed so far (R22): open addressing on g_str_hash, sized
 * once for every route of the file (issue 14: a GHashTable grew through
 * a dozen sizes at 10^4 routes, ~700 instructions an insert and a lookup). */
typedef struct {
    const char *host;           /* NULL: a free slot; in ld->mem */
    const RsRouteSpec *route;   /* the route that claimed it first */
    guint hash;
} HostSlot;

typedef struct {
    HostSlot *slots;
    size_t mask;
} HostTable;

/* The slot of `host`: its own, or the free one where it goes. */
static HostSlot *
host_slot(const HostTable *t, const char *host)
{
    guint h = g_str_hash(host);
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        HostSlot *s = &t->slots[i];
        if (s->host == NULL || (s->hash == h && strcmp(s->host, host) == 0)) {
            s->hash = h;
            return s;
        }
    }
}

/* Pass 3 over the declared namespaces. */
void
ld_lint(Ld *ld, const cJSON *root)
{
    RsScenario *sc = ld->sc;
    lint_cross_namespace(ld, root);
    const cJSON *nss = ld_get(root, "namespaces");
    size_t n_routes = 0;
    for (unsigned i = 0; i < sc->n_namespaces; i++)
        n_routes += sc->namespaces[i].n_routes;
    HostTable hosts = {.mask = 15};
    while (hosts.mask + 1 < 2 * n_routes)   /* at most half full */
        hosts.mask = hosts.mask * 2 + 1;
    g_autofree HostSlot *host_slots = g_new0(HostSlot, hosts.mask + 1);
    hosts.slots = host_slots;
    g_autoptr(GHashTable) host_paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    unsigned dedicated = 0;
    /* walk the JSON arrays beside the specs (cJSON_GetArrayItem is O(n)) */
    const cJSON *nn = nss ? nss->child : NULL;
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): the specs came from these n_namespaces items */
    for (unsigned i = 0; i < sc->n_namespaces; i++, nn = nn->next) {
        const RsNamespaceSpec *n = &sc->namespaces[i];
        /* the registries are made in the order of the specs: the i-th is
         * this namespace's unless a namespace failed (then looked up) */
        LdNs *ns = i < ld->nss->len && ((LdNs *)g_ptr_array_index(ld->nss, i))->spec == n
                       ? g_ptr_array_index(ld->nss, i) : ld_ns_lookup(ld, n->name);
        if (n->dedicated_egress && ++dedicated > sc->profile.n_egress_pool)
            ld_warn(ld, ld_get(nn, "egress_ip"), RS_R33,
                    "namespace `%s` asks for a dedicated egress IP but the pool (platform "
                    "egress_pool) has only %u: it keeps the shared one", n->name, sc->profile.n_egress_pool);
        const cJSON *sn = n->n_services ? ld_get(nn, "services")->child : NULL;
        g_autoptr(GHashTable) labels = label_index(ns);
        for (unsigned k = 0; k < n->n_services; k++, sn = sn->next)
            lint_service(ld, ns, labels, &n->services[k], sn);
        const cJSON *rn = n->n_routes ? ld_get(nn, "routes")->child : NULL;
        /* A namespace of few routes finds a route's twin (same host and
         * path) among its earlier routes, without a key and a table entry
         * per route (issue 14); their hosts are kept here meanwhile. */
        bool scan = n->n_routes < LINT_INDEX_MIN;
        const char *here[LINT_INDEX_MIN];
        for (unsigned k = 0; k < n->n_routes; k++, rn = rn->next) {
            const RsRouteSpec *r = &n->routes[k];
            lint_route_port(ld, ns, r, rn);
            char *host = route_host(ld, r, n->name, sc->profile.app_domain);
            HostSlot *hs = host_slot(&hosts, host);
            const RsRouteSpec *owner = hs->route;
            const cJSON *at = ld_get(rn, "host") ? ld_get(rn, "host") : rn;
            /* R22: in one namespace, the oldest route with a host and path has it */
            const RsRouteSpec *twin = NULL;
            char *hp = NULL;
            if (scan) {
                for (unsigned j = 0; j < k && twin == NULL; j++)
                    if (strcmp(here[j], host) == 0 && strcmp(path_or_empty(n->routes[j].path),
                                                             path_or_empty(r->path)) == 0)
                        twin = &n->routes[j];
                here[k] = host;
            } else {
                hp = g_strconcat(n->name, "/", host, "\n", r->path, NULL);
                twin = g_hash_table_lookup(host_paths, hp);
            }
            if (twin) {
                ld_warn(ld, at, RS_R22, "route `%s/%s` asks for host `%s` and path `%s`, which route "
                        "`%s/%s` (line %d) already has: it will not be admitted (HostAlreadyClaimed)",
                        n->name, r->name, host, r->path, n->name, twin->name, twin->pos.line);
                g_free(hp);
            } else if (hp != NULL) {
                g_hash_table_insert(host_paths, hp, (gpointer)r);
            }
            if (!owner) {
                hs->host = host;
                hs->route = r;
                /* the owner's namespace: kept by position in the array of its spec */
            } else {
                const RsNamespaceSpec *on = NULL;
                for (unsigned m = 0; m < sc->n_namespaces && !on; m++)
                    if (owner >= sc->namespaces[m].routes && owner < sc->namespaces[m].routes + sc->namespaces[m].n_routes)
                        on = &sc->namespaces[m];
                if (on && on != n)
                    ld_warn(ld, at, RS_R22, "host `%s` is already claimed by route `%s/%s` (line %d): "
                            "route `%s/%s` will not be admitted (HostAlreadyClaimed)", host, on->name,
                            owner->name, owner->pos.line, n->name, r->name);
            }
            if (r->host && (r->tls == RS_TLS_EDGE || r->tls == RS_TLS_REENCRYPT) && !r->certificate &&
                !app_domain_host(r->host, sc->profile.app_domain))
                ld_warn(ld, at, RS_R23, "route `%s` serves TLS for the custom host `%s` without a "
                        "certificate (`certificate: true`): clients get tls-error", r->name, r->host);
        }
    }
    ld_policy_lint(ld, root);       /* R39-R48 */
}
