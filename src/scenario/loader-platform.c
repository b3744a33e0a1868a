/* loader-platform.c: the `platform` key: a profile name ("rahti-1", the
 * default, or "rahti-2"), or {"profile": NAME, <field>: value ...} where
 * every field of the profile table (network-model.md) can be overridden.
 * Checks that networks are proper CIDRs (R1, R3, R10), that the DNS server
 * lies in the service network (R17) and that the egress pool has no
 * duplicates (R33).
 */
#include "config.h"

#include <string.h>

#include "scenario/loader-internal.h"

#define WL_PREFIX "haproxy.router.openshift.io/"

/* A network field: a CIDR with a usable prefix (/1 to /30). */
static bool
network(Ld *ld, const cJSON *obj, const char *path, const char *key, uint32_t *net, uint32_t *prefix)
{
    const cJSON *v = ld_get(obj, key);
    if (!v)
        return true;
    const char *p = ld_path(ld, path, key);
    uint32_t n, pre;
    if (!ld_v_cidr(ld, v, p, &n, &pre))
        return false;
    if (pre < 1 || pre > 30)
        return ld_fail(ld, v, false, p, "a network needs a prefix length from /1 to /30, found /%u", pre);
    *net = n;
    *prefix = pre;
    return true;
}

/* A string field that replaces an owned string. */
static bool
domain(Ld *ld, const cJSON *obj, const char *path, const char *key, char **out)
{
    const cJSON *v = ld_get(obj, key);
    if (!v)
        return true;
    const char *p = ld_path(ld, path, key);
    if (!ld_v_string(ld, v, p, out))
        return false;
    if (!**out)
        return ld_fail(ld, v, false, p, "must not be empty");
    for (char *c = *out; *c; c++)
        *c = g_ascii_tolower(*c);
    size_t n = strlen(*out);
    if (n > 1 && (*out)[n - 1] == '.')
        (*out)[n - 1] = '\0';
    return true;
}

/* `load_balancer_ports`: "30000-35000" or [30000, 35000] (R48). */
static bool
lb_ports(Ld *ld, const cJSON *obj, const char *path, RsProfile *pf)
{
    const cJSON *v = ld_get(obj, "load_balancer_ports");
    if (!v)
        return true;
    const char *p = ld_path(ld, path, "load_balancer_ports");
    long long lo = -1, hi = -1;
    if (cJSON_IsString(v)) {
        guint64 a, b;
        g_auto(GStrv) parts = g_strsplit(v->valuestring, "-", 3);
        if (g_strv_length(parts) == 2 &&
            g_ascii_string_to_unsigned(parts[0], 10, 1, 65535, &a, NULL) &&
            g_ascii_string_to_unsigned(parts[1], 10, 1, 65535, &b, NULL)) {
            lo = (long long)a;
            hi = (long long)b;
        }
    } else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2) {
        const char *p0 = ld_path_index(ld, p, 0);
        const char *p1 = ld_path_index(ld, p, 1);
        if (!ld_v_int(ld, cJSON_GetArrayItem(v, 0), p0, 1, 65535, "port", &lo) ||
            !ld_v_int(ld, cJSON_GetArrayItem(v, 1), p1, 1, 65535, "port", &hi))
            return false;
    }
    if (lo < 0 || hi < lo)
        return ld_fail(ld, v, false, p, "expected a port range like \"30000-35000\" or [30000, 35000] "
                       "(first <= last, R48)");
    pf->lb_port_min = (uint16_t)lo;
    pf->lb_port_max = (uint16_t)hi;
    return true;
}

/* The overridable fields of a platform object. */
static bool
profile_fields(Ld *ld, const cJSON *v, const char *path, RsProfile *pf)
{
    static const char *const bal[] = {"random", "roundrobin", "leastconn", "source", NULL};
    static const char *const lat_keys[] = {"cluster", "internet", "router", NULL};
    if (!network(ld, v, path, "pod_network", &pf->pod_net, &pf->pod_prefix) ||
        !network(ld, v, path, "service_network", &pf->service_net, &pf->service_prefix) ||
        !ld_ipv4(ld, v, path, "dns_server", false, &pf->par.dns_server) ||
        !domain(ld, v, path, "cluster_domain", &pf->cluster_domain) ||
        !domain(ld, v, path, "app_domain", &pf->app_domain) ||
        !domain(ld, v, path, "router_canonical", &pf->router_canonical) ||
        !ld_ipv4(ld, v, path, "router_vip", false, &pf->par.router_vip) ||
        !ld_ipv4(ld, v, path, "egress_ip", false, &pf->egress_ip))
        return false;
    uint32_t smask = 0xFFFFFFFFu << (32 - pf->service_prefix);
    if ((pf->par.dns_server & smask) != pf->service_net) {
        const cJSON *d = ld_get(v, "dns_server");
        const char *dp = ld_path(ld, path, d ? "dns_server" : "service_network");
        return ld_fail(ld, d ? d : ld_get(v, "service_network"), false, dp,
                       "the DNS server must be in the service network (R17)");
    }
    const cJSON *pool;
    if (!ld_array(ld, v, path, "egress_pool", &pool))
        return false;
    if (pool) {
        const char *pp = ld_path(ld, path, "egress_pool");
        rs_spec_free(pf->egress_pool);
        pf->n_egress_pool = (unsigned)cJSON_GetArraySize(pool);
        pf->egress_pool = g_new0(uint32_t, pf->n_egress_pool ? pf->n_egress_pool : 1);
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, pool) {
            const char *ip = ld_path_index(ld, pp, i);
            if (!ld_v_ipv4(ld, c, ip, &pf->egress_pool[i]))
                return false;
            for (int j = 0; j < i; j++)
                if (pf->egress_pool[j] == pf->egress_pool[i])
                    return ld_fail(ld, c, false, ip, "address `%s` is in the pool twice (R33)",
                                   c->valuestring);
            i++;
        }
    }
    long long rr = pf->router_replicas;
    if (!ld_int(ld, v, path, "router_replicas", false, 1, 64, &rr, NULL))
        return false;
    pf->router_replicas = (unsigned)rr;
    int b = (int)pf->par.balance;
    if (!ld_enum(ld, v, path, "balance", bal, &b))
        return false;
    pf->par.balance = (RsBalance)b;
    const cJSON *wl;
    if (!ld_array(ld, v, path, "whitelist_annotations", &wl))
        return false;
    if (wl) {
        const char *wp = ld_path(ld, path, "whitelist_annotations");
        for (unsigned i = 0; i < pf->n_whitelist_annotations; i++)
            rs_spec_free(pf->whitelist_annotations[i]);
        rs_spec_free(pf->whitelist_annotations);
        pf->n_whitelist_annotations = 0;
        unsigned n = (unsigned)cJSON_GetArraySize(wl);
        pf->whitelist_annotations = g_new0(char *, n + 1);
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, wl) {
            const char *ip = ld_path_index(ld, wp, i);
            if (!cJSON_IsString(c) || !*c->valuestring)
                return ld_fail(ld, c, false, ip, "expected an annotation name, found %s", ld_type_word(c));
            /* "ip_allowlist" is short for haproxy.router.openshift.io/ip_allowlist */
            pf->whitelist_annotations[i] = strchr(c->valuestring, '/')
                ? g_strdup(c->valuestring)
                : g_strconcat(WL_PREFIX, c->valuestring, NULL);
            pf->n_whitelist_annotations = (unsigned)++i;
        }
    }
    if (!ld_duration(ld, v, path, "reload_interval", false, &pf->par.reload_interval) ||
        !ld_duration(ld, v, path, "endpoint_delay", false, &pf->par.endpoint_delay) ||
        !ld_duration(ld, v, path, "failure_detection", false, &pf->par.failure_detection) ||
        !ld_duration(ld, v, path, "router_failover", false, &pf->par.router_failover) ||
        !ld_duration(ld, v, path, "connect_timeout", false, &pf->par.connect_timeout) ||
        !ld_duration(ld, v, path, "route_timeout", false, &pf->par.route_timeout))
        return false;
    /* R39-R50: the Rahti 2 fields */
    static const char *const iso[] = {"multitenant", "network-policy", NULL};
    int is = (int)pf->isolation;
    if (!ld_enum(ld, v, path, "network_isolation", iso, &is) ||
        !ld_duration(ld, v, path, "policy_delay", false, &pf->policy_delay) ||
        !network(ld, v, path, "node_network", &pf->node_net, &pf->node_prefix) || !lb_ports(ld, v, path, pf))
        return false;
    pf->isolation = (RsIsolation)is;
    long long dp = pf->dns_target_port;
    if (!ld_int(ld, v, path, "dns_target_port", false, 1, 65535, &dp, NULL))
        return false;
    pf->dns_target_port = (uint16_t)dp;
    const cJSON *lat = ld_get(v, "latency");
    if (lat) {
        const char *lp = ld_path(ld, path, "latency");
        if (!ld_object(ld, lat, lp, lat_keys, "latencies") ||
            !ld_duration(ld, lat, lp, "cluster", false, &pf->par.latency_cluster) ||
            !ld_duration(ld, lat, lp, "internet", false, &pf->par.latency_internet) ||
            !ld_duration(ld, lat, lp, "router", false, &pf->par.latency_router))
            return false;
    }
    return true;
}

/* The `platform` key (default rahti-1). */
bool
ld_platform(Ld *ld, const cJSON *root)
{
    static const char *const keys[] = {
        "profile", "pod_network", "service_network", "dns_server", "cluster_domain", "app_domain",
        "router_canonical", "router_vip", "egress_ip", "egress_pool", "router_replicas", "balance",
        "reload_interval", "whitelist_annotations", "endpoint_delay", "failure_detection",
        "router_failover", "connect_timeout", "route_timeout", "latency", "network_isolation",
        "policy_delay", "dns_target_port", "node_network", "load_balancer_ports", NULL};
    const cJSON *v = ld_get(root, "platform");
    RsProfile *pf = &ld->sc->profile;
    const cJSON *name = v;
    const char *path = "platform";
    g_autofree char *npath = NULL;
    /* `rahtisim schema`: a profile name, here or as the object's `profile`
     * (the names rs_profile_builtin knows) */
    ld_note_enum(ld, "platform", rs_profile_names);
    ld_note_enum(ld, "platform.profile", rs_profile_names);
    if (v && cJSON_IsObject(v)) {
        if (!ld_object(ld, v, "platform", keys, "the platform"))
            return false;
        name = ld_get(v, "profile");
        /* NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): npath owns the copy (g_autofree) */
        path = npath = g_strdup("platform.profile");
    } else if (v && !cJSON_IsString(v)) {
        return ld_fail(ld, v, false, "platform",
                       "expected a profile name (\"rahti-1\" or \"rahti-2\") or an object, found %s",
                       ld_type_word(v));
    }
    if (name && !cJSON_IsString(name))
        return ld_fail(ld, name, false, path, "expected a profile name, found %s", ld_type_word(name));
    const char *pname = name ? name->valuestring : "rahti-1";
    if (!rs_profile_builtin(pname, pf))
        return ld_fail(ld, name, false, path, "unknown platform profile `%s` (expected rahti-1 or rahti-2)",
                       pname);
    if (v && cJSON_IsObject(v))
        return profile_fields(ld, v, "platform", pf);
    return true;
}
