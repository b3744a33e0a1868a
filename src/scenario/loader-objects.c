/* loader-objects.c: namespaces and what they hold (deployments, bare pods,
 * services, routes), external hosts and public DNS records.
 *
 * Enforces: names are DNS labels and unique per kind within a namespace
 * (R2); a bare pod cannot take a name its namespace's deployments will use
 * (`<deployment>-<n>`); ports in range (services 1-65535, pods 0-65535 with
 * a warning below 1024, R4); a fixed ClusterIP lies in the service network
 * and is not the DNS server's (R10); route weights 0-256 (R20); passthrough
 * with `insecure: allow` is an error (R24), and so is a passthrough path;
 * malformed whitelist annotations are warnings (R25).  References (a
 * route's service) are queued for pass 2 (loader-refs.c).  The registry of
 * declared names (lookups, R2's duplicates) is loader-names.c.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "scenario/loader-internal.h"

/* True for a port name (IANA service name style: <= 15, [a-z0-9-], a letter). */
static bool
is_port_name(const char *s)
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

/* One entry of a pod's `ports`: a number or {port, name, tls}. */
static bool
workload_port(Ld *ld, const cJSON *v, const char *path, RsPortSpec *ps)
{
    static const char *const keys[] = {"port", "name", "tls", NULL};
    const cJSON *pv = v;
    long long port;
    if (cJSON_IsObject(v)) {
        if (!ld_object(ld, v, path, keys, "a pod port"))
            return false;
        if (!ld_string(ld, v, path, "name", false, &ps->name) ||
            !ld_string(ld, v, path, "tls", false, &ps->tls))
            return false;
        if (ps->name && !is_port_name(ps->name)) {
            const char *np = ld_path(ld, path, "name");
            return ld_fail(ld, ld_get(v, "name"), false, np,
                           "invalid port name `%s`: at most 15 lowercase letters, digits and `-`, "
                           "with at least one letter", ps->name);
        }
        if (ps->tls && !*ps->tls) {
            const char *tp = ld_path(ld, path, "tls");
            return ld_fail(ld, ld_get(v, "tls"), false, tp,
                           "`tls` names what the pod's certificate is valid for; it must not be empty");
        }
        pv = ld_get(v, "port");
        if (!pv)
            return ld_fail(ld, v, false, path, "missing required key `port`");
        const char *pp = ld_path(ld, path, "port");
        if (!ld_v_int(ld, pv, pp, 0, 65535, "port", &port))
            return false;
    } else if (cJSON_IsNumber(v)) {
        if (!ld_v_int(ld, v, path, 0, 65535, "port", &port))
            return false;
    } else {
        return ld_fail(ld, v, false, path,
                       "expected a port number or {\"port\": N, \"name\": ...}, found %s", ld_type_word(v));
    }
    ps->port = (uint16_t)port;
    if (port < 1024)
        ld_warn(ld, pv, RS_R4,
                "port %lld is privileged (below 1024): the pod will fail to start and never be "
                "ready; listen on 1024 or above (e.g. 8080) and map the service port to it",
                port);
    return true;
}

/* A deployment or a bare pod. */
bool
ld_workload(Ld *ld, const cJSON *v, const char *path, bool bare, RsWorkloadSpec *w)
{
    static const char *const dkeys[] = {"name", "replicas", "labels", "ports", "protocol", "startup",
                                        "service_time", "concurrency", "readiness", "liveness",
                                        "strategy", "pre_stop", "termination_grace", NULL};
    static const char *const pkeys[] = {"name", "labels", "ports", "protocol", "startup",
                                        "service_time", "concurrency", "readiness", "liveness",
                                        "pre_stop", "termination_grace", NULL};
    if (!ld_object(ld, v, path, bare ? pkeys : dkeys, bare ? "a pod" : "a deployment"))
        return false;
    ld_pos(ld, v, path, &w->pos);
    w->is_bare = bare;
    w->replicas = 1;
    w->protocol = RS_PROTO_HTTP;
    w->startup = 2 * RS_SEC;
    w->service_time = 1 * RS_MS;
    w->concurrency = 100;
    ld_lifecycle_defaults(w);
    if (!ld_name(ld, v, path, bare ? "pod" : "deployment", false, &w->name))
        return false;
    long long n = 1;
    if (!bare) {
        if (!ld_int(ld, v, path, "replicas", false, 0, 1000000, &n, NULL))
            return false;
        w->replicas = (unsigned)n;
    }
    if (!ld_count_object(ld, v, path, w->replicas))
        return false;
    if (!ld_labels(ld, v, path, "labels", &w->labels, &w->n_labels))
        return false;
    return ld_workload_fields(ld, v, path, w) && ld_lifecycle(ld, v, path, bare, w);
}

/* What a pod runs besides its name and labels: ports, protocol, startup,
 * service time, concurrency (shared with a rollout's `set`, R54). */
bool
ld_workload_fields(Ld *ld, const cJSON *v, const char *path, RsWorkloadSpec *w)
{
    static const char *const proto[] = {"http", "tcp", NULL};
    const cJSON *ports;
    if (!ld_array(ld, v, path, "ports", &ports))
        return false;
    if (ports) {
        /* The paths `ports` and `ports[i]` are made only for what reads
         * them (the schema notes, the errors): a plain port number of 1024
         * or more needs neither (issue 14: two paths per port). */
        const char *pp = NULL;
        w->n_ports = (unsigned)cJSON_GetArraySize(ports);
        w->ports = rs_arena_new0(ld->sc->arena, RsPortSpec, w->n_ports);
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, ports) {
            const char *ip = NULL;
            if (ld->on_keys == NULL && cJSON_IsNumber(c) && c->valuedouble >= 1024 && c->valuedouble <= 65535 &&
                c->valuedouble == floor(c->valuedouble)) {
                w->ports[i].port = (uint16_t)c->valuedouble;        /* as workload_port does */
            } else {
                pp = pp != NULL ? pp : ld_path(ld, path, "ports");
                ip = ld_path_index(ld, pp, i);
                if (!workload_port(ld, c, ip, &w->ports[i]))
                    return false;
            }
            for (int j = 0; j < i; j++) {
                bool same_port = w->ports[j].port == w->ports[i].port;
                if (!same_port && !(w->ports[j].name && w->ports[i].name &&
                                    strcmp(w->ports[j].name, w->ports[i].name) == 0))
                    continue;
                pp = pp != NULL ? pp : ld_path(ld, path, "ports");
                ip = ip != NULL ? ip : ld_path_index(ld, pp, i);
                if (same_port)
                    return ld_fail(ld, c, false, ip, "port %u is declared twice", w->ports[i].port);
                return ld_fail(ld, c, false, ip, "port name `%s` is declared twice", w->ports[i].name);
            }
            i++;
        }
    }
    int pr = (int)w->protocol;
    if (!ld_enum(ld, v, path, "protocol", proto, &pr))
        return false;
    w->protocol = (RsProto)pr;
    if (!ld_duration(ld, v, path, "startup", false, &w->startup) ||
        !ld_duration(ld, v, path, "service_time", false, &w->service_time))
        return false;
    long long conc = w->concurrency;
    if (!ld_int(ld, v, path, "concurrency", false, 1, 1000000, &conc, NULL))
        return false;
    w->concurrency = (unsigned)conc;
    return true;
}

/* A rollout's `set`: the pod fields it changes (R54); w->set_mask says which. */
bool
ld_rollout_set(Ld *ld, const cJSON *v, const char *path, RsWorkloadSpec *w)
{
    static const char *const keys[] = {"ports", "protocol", "startup", "service_time", "concurrency",
                                       "readiness", "liveness", "pre_stop", "termination_grace", NULL};
    static const unsigned bits[] = {RS_SET_PORTS, RS_SET_PROTOCOL, RS_SET_STARTUP, RS_SET_SERVICE_TIME,
                                    RS_SET_CONCURRENCY, RS_SET_READINESS, RS_SET_LIVENESS,
                                    RS_SET_PRE_STOP, RS_SET_GRACE};
    if (!ld_object(ld, v, path, keys, "a rollout's `set` (the pod fields it changes)"))
        return false;
    ld_pos(ld, v, path, &w->pos);
    w->protocol = RS_PROTO_HTTP;
    w->startup = 2 * RS_SEC;
    w->service_time = 1 * RS_MS;
    w->concurrency = 100;
    ld_lifecycle_defaults(w);
    for (unsigned i = 0; keys[i]; i++)
        if (ld_get(v, keys[i]))
            w->set_mask |= bits[i];
    return ld_workload_fields(ld, v, path, w) && ld_lifecycle(ld, v, path, true, w);
}

/* A service port's target: a number (1-65535) or a port name (R11). */
static bool
target_port(Ld *ld, const cJSON *obj, const char *path, uint16_t *num, char **name)
{
    const cJSON *t = ld_get(obj, "target_port");
    if (!t)
        return true;
    if (cJSON_IsNumber(t) && t->valuedouble >= 1 && t->valuedouble <= 65535 &&
        t->valuedouble == (double)(long)t->valuedouble) {
        *num = (uint16_t)t->valuedouble;
        return true;
    }
    if (cJSON_IsString(t) && is_port_name(t->valuestring)) {
        *num = 0;
        *name = rs_arena_strdup(ld->sc->arena, t->valuestring);
        return true;
    }
    const char *tp = ld_path(ld, path, "target_port");     /* for the errors only */
    if (cJSON_IsString(t))
        return ld_fail(ld, t, false, tp,
                       "expected a port number (1-65535) or a port name, found `%s` (port names "
                       "are at most 15 lowercase letters, digits and `-`)", t->valuestring);
    if (cJSON_IsNumber(t))
        return ld_fail(ld, t, false, tp, "expected a port number (1-65535) or a port name, found %g",
                       t->valuedouble);
    return ld_fail(ld, t, false, tp, "expected a port number (1-65535) or a port name, found %s",
                   ld_type_word(t));
}

/* A service port that is a number N, or {"port": N} with an optional
 * numeric "target_port": M (N and M integers of 1-65535): filled in as
 * ld_service's readers would (sp->port, sp->target_port); false for any
 * other shape, which ld_service then reads with its paths for the
 * messages. */
static bool
plain_service_port(const cJSON *c, RsServicePortSpec *sp)
{
    const cJSON *pv = c, *tv = NULL;
    if (cJSON_IsObject(c)) {
        pv = NULL;
        for (const cJSON *m = c->child; m != NULL; m = m->next) {
            if (strcmp(m->string, "port") == 0)
                pv = m;
            else if (strcmp(m->string, "target_port") == 0)
                tv = m;
            else
                return false;
        }
    }
    if (pv == NULL || !cJSON_IsNumber(pv) || !(pv->valuedouble >= 1 && pv->valuedouble <= 65535) ||
        pv->valuedouble != floor(pv->valuedouble))
        return false;
    if (tv != NULL && (!cJSON_IsNumber(tv) || !(tv->valuedouble >= 1 && tv->valuedouble <= 65535) ||
                       tv->valuedouble != (double)(long)tv->valuedouble))
        return false;
    sp->port = sp->target_port = (uint16_t)pv->valuedouble;
    if (tv != NULL)
        sp->target_port = (uint16_t)tv->valuedouble;
    return true;
}

/* A service (R10-R16). */
bool
ld_service(Ld *ld, const cJSON *v, const char *path, RsServiceSpec *s)
{
    static const char *const keys[] = {"name", "selector", "ports", "balance", "affinity",
                                       "cluster_ip", "type", "external_traffic_policy",
                                       "annotations", NULL};
    static const char *const types[] = {"cluster-ip", "load-balancer", NULL};
    static const char *const etps[] = {"cluster", "local", NULL};
    static const char *const bal[] = {"random", "round-robin", NULL};
    static const char *const aff[] = {"none", "client-ip", NULL};
    static const char *const pkeys[] = {"port", "target_port", "name", NULL};
    if (!ld_object(ld, v, path, keys, "a service"))
        return false;
    ld_pos(ld, v, path, &s->pos);
    if (!ld_name(ld, v, path, "service", false, &s->name) || !ld_count_object(ld, v, path, 1) ||
        !ld_labels(ld, v, path, "selector", &s->selector, &s->n_selector))
        return false;
    int b = RS_SVC_BAL_RANDOM, a = RS_AFFINITY_NONE;
    if (!ld_enum(ld, v, path, "balance", bal, &b) || !ld_enum(ld, v, path, "affinity", aff, &a))
        return false;
    s->balance = (RsServiceBalance)b;
    s->affinity = (RsAffinity)a;
    int ty = RS_SVC_CLUSTER_IP, etp = RS_ETP_CLUSTER;
    if (!ld_enum(ld, v, path, "type", types, &ty) ||
        !ld_enum(ld, v, path, "external_traffic_policy", etps, &etp) ||
        !ld_labels(ld, v, path, "annotations", &s->annotations, &s->n_annotations))
        return false;
    s->type = (RsServiceType)ty;
    s->etp = (RsExternalTrafficPolicy)etp;
    const RsProfile *lbpf = &ld->sc->profile;
    if (s->type == RS_SVC_LOAD_BALANCER && lbpf->lb_port_max == 0) {
        const char *tp = ld_path(ld, path, "type");
        return ld_fail(ld, ld_get(v, "type"), false, tp, "the %s platform has no load balancers: "
                       "`type: load-balancer` is not possible (R48); use a route", lbpf->name);
    }
    if (s->type != RS_SVC_LOAD_BALANCER && ld_get(v, "external_traffic_policy")) {
        const char *ep = ld_path(ld, path, "external_traffic_policy");
        return ld_fail(ld, ld_get(v, "external_traffic_policy"), true, ep,
                       "`external_traffic_policy` belongs to a `type: load-balancer` service (R49)");
    }
    s->cluster_ip_mode = RS_CLUSTER_IP_AUTO;
    const cJSON *cip = ld_get(v, "cluster_ip");
    if (cip) {
        const char *cp = ld_path(ld, path, "cluster_ip");
        static const char *const modes[] = {"auto", "none", NULL};
        ld_note_enum(ld, cp, modes);            /* `rahtisim schema`: or an address (R10) */
        ld_note_pattern(ld, cp, "^" RS_IPV4_PATTERN "$", -1, false);
        const RsProfile *pf = &ld->sc->profile;
        if (cJSON_IsString(cip) && strcmp(cip->valuestring, "auto") == 0) {
            s->cluster_ip_mode = RS_CLUSTER_IP_AUTO;
        } else if (cJSON_IsString(cip) && strcmp(cip->valuestring, "none") == 0) {
            s->cluster_ip_mode = RS_CLUSTER_IP_NONE;
        } else {
            if (cJSON_IsString(cip) && !rs_parse_ipv4(cip->valuestring, &s->cluster_ip) &&
                !ld_is_ipv6(cip->valuestring))
                return ld_fail(ld, cip, false, cp,
                               "expected \"auto\", \"none\" (headless) or an IPv4 address, found `%s`",
                               cip->valuestring);
            if (!ld_v_ipv4(ld, cip, cp, &s->cluster_ip))
                return false;
            uint32_t mask = pf->service_prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - pf->service_prefix);
            char b1[16], b2[16];
            if ((s->cluster_ip & mask) != pf->service_net)
                return ld_fail(ld, cip, false, cp,
                               "cluster_ip %s is outside the service network %s/%u (R10)",
                               cip->valuestring, rs_ipv4_format(pf->service_net, b1), pf->service_prefix);
            /* R10 (model-choices.md "ClusterIPs"; build.c reserves the same): .1 is
             * the `kubernetes` service, the DNS server has its own address */
            if (s->cluster_ip == pf->par.dns_server || s->cluster_ip == pf->service_net ||
                s->cluster_ip == (pf->service_net | ~mask) || s->cluster_ip == pf->service_net + 1)
                return ld_fail(ld, cip, false, cp,
                               "cluster_ip %s is reserved (R10: the network address, the broadcast "
                               "address, .1 for the `kubernetes` service or the cluster DNS %s)",
                               cip->valuestring, rs_ipv4_format(pf->par.dns_server, b2));
            s->cluster_ip_mode = RS_CLUSTER_IP_FIXED;
        }
    }
    const cJSON *ports;
    if (!ld_array(ld, v, path, "ports", &ports))
        return false;
    if ((!ports || cJSON_GetArraySize(ports) == 0) && s->cluster_ip_mode != RS_CLUSTER_IP_NONE)
        return ld_fail(ld, ports ? ports : v, false, path,
                       "a service needs at least one port in `ports` (R11)");
    if (!ports)
        return true;
    /* `ports` and `ports[i]` made only for what reads them (see
     * ld_workload_fields): a port given as {"port": N, "target_port": M}
     * or N, of numbers in range, needs neither. */
    const char *pp = NULL;
    s->n_ports = (unsigned)cJSON_GetArraySize(ports);
    s->ports = rs_arena_new0(ld->sc->arena, RsServicePortSpec, s->n_ports);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, ports) {
        const char *ip = NULL;
        RsServicePortSpec *sp = &s->ports[i];
        long long port = 0;
        if (ld->on_keys != NULL || !plain_service_port(c, sp)) {
            pp = pp != NULL ? pp : ld_path(ld, path, "ports");
            ip = ld_path_index(ld, pp, i);
            if (cJSON_IsNumber(c)) {
                if (!ld_v_int(ld, c, ip, 1, 65535, "port", &port))
                    return false;
                sp->port = sp->target_port = (uint16_t)port;
            } else {
                if (!ld_object(ld, c, ip, pkeys, "a service port") ||
                    !ld_int(ld, c, ip, "port", true, 1, 65535, &port, NULL))
                    return false;
                sp->port = sp->target_port = (uint16_t)port;
                if (!target_port(ld, c, ip, &sp->target_port, &sp->target_name) ||
                    !ld_string(ld, c, ip, "name", false, &sp->name))
                    return false;
                if (sp->name && !is_port_name(sp->name)) {
                    const char *np = ld_path(ld, ip, "name");
                    return ld_fail(ld, ld_get(c, "name"), false, np,
                                   "invalid port name `%s`: at most 15 lowercase letters, digits and `-`",
                                   sp->name);
                }
            }
        }
        if (s->type == RS_SVC_LOAD_BALANCER &&
            (sp->port < ld->sc->profile.lb_port_min || sp->port > ld->sc->profile.lb_port_max)) {
            pp = pp != NULL ? pp : ld_path(ld, path, "ports");
            ip = ip != NULL ? ip : ld_path_index(ld, pp, i);
            const cJSON *pn = cJSON_IsObject(c) ? ld_get(c, "port") : c;
            const char *pnp = cJSON_IsObject(c) ? ld_path(ld, ip, "port") : ip;
            return ld_fail(ld, pn, false, pnp, "load-balancer port %u is outside the platform's "
                           "range %u-%u (R48)", sp->port, ld->sc->profile.lb_port_min,
                           ld->sc->profile.lb_port_max);
        }
        for (int j = 0; j < i; j++) {
            bool same_port = s->ports[j].port == sp->port;
            if (!same_port && !(s->ports[j].name && sp->name && strcmp(s->ports[j].name, sp->name) == 0))
                continue;
            pp = pp != NULL ? pp : ld_path(ld, path, "ports");
            ip = ip != NULL ? ip : ld_path_index(ld, pp, i);
            if (same_port)
                return ld_fail(ld, c, false, ip, "service port %u is declared twice", sp->port);
            return ld_fail(ld, c, false, ip, "service port name `%s` is declared twice", sp->name);
        }
        i++;
    }
    return true;
}

/* True if the host is a valid lowercase DNS name (no trailing dot). */
static bool
is_host_name(const char *s)
{
    if (!*s || strlen(s) > 253)
        return false;
    g_auto(GStrv) parts = g_strsplit(s, ".", -1);
    for (int i = 0; parts[i]; i++)
        if (!ld_is_label(parts[i]))
            return false;
    return true;
}

/* Lowercases a DNS name and drops one trailing dot, in place. */
static void
normalize_host(char *s)
{
    for (char *c = s; *c; c++)
        *c = g_ascii_tolower(*c);
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == '.')
        s[n - 1] = '\0';
}

/* True if `s` is a lenient whitelist entry (address or address/0-32). */
static bool
whitelist_entry_ok(const char *s)
{
    g_autofree char *a = g_strdup(s);
    char *slash = strchr(a, '/');
    uint32_t ip;
    if (slash) {
        *slash = '\0';
        guint64 n;
        if (!g_ascii_string_to_unsigned(slash + 1, 10, 0, 32, &n, NULL))
            return false;
    }
    return rs_parse_ipv4(a, &ip);
}

/* The length of the whitespace character at `p` as Go's unicode.IsSpace
 * sees it (ASCII whitespace, U+0085, Unicode White_Space), or 0 (R25). */
static size_t
wl_space_len(const char *p)
{
    unsigned char c = (unsigned char)*p;
    if (c < 0x80)
        return c == ' ' || (c >= '\t' && c <= '\r') ? 1 : 0;
    gunichar u = g_utf8_get_char_validated(p, -1);
    return u < 0x110000 && (u == 0x85 || g_unichar_isspace(u)) ? (size_t)(g_utf8_next_char(p) - p) : 0;
}

/* Warns about a whitelist annotation the router would discard (R25). */
void
ld_whitelist_check(Ld *ld, const cJSON *node, const char *key, const char *value)
{
    static const char prefix[] = "haproxy.router.openshift.io/";
    if (!key || !value || strncmp(key, prefix, sizeof prefix - 1) != 0)
        return;
    const char *leaf = key + sizeof prefix - 1;
    if (strcmp(leaf, "ip_whitelist") != 0 && strcmp(leaf, "ip_allowlist") != 0)
        return;
    const RsProfile *pf = &ld->sc->profile;
    bool known = false;
    for (unsigned i = 0; i < pf->n_whitelist_annotations; i++)
        known = known || strcmp(pf->whitelist_annotations[i], key) == 0;
    if (!known) {
        ld_warn(ld, node, RS_R25,
                "annotation `%s` is not read by the %s router, so the route is open to everyone",
                key, pf->name);
        return;
    }
    if (!*value)
        return;
    size_t n = strlen(value);
    const char *last = g_utf8_find_prev_char(value, value + n);
    if (wl_space_len(value) > 0 || (last != NULL && wl_space_len(last) > 0)) {
        ld_warn(ld, node, RS_R25,
                "whitelist `%s` has leading or trailing spaces (or other whitespace): the router "
                "discards the whole list and the route is open to everyone", value);
        return;
    }
    /* R25, as src/world/balance.c: a run of spaces is one separator; rahti-1
     * (OKD 3.11's pattern `(?:%s(?: +%s)*)`) takes spaces only, rahti-2 (OKD
     * 4's strings.Fields) any whitespace. */
    bool spaces_only = strcmp(pf->name, "rahti-1") == 0;
    for (const char *p = value; *p;) {
        const char *q = p;
        bool other_ws = false;
        for (; *q && *q != ' '; q++) {
            if (wl_space_len(q) > 0 && !spaces_only)
                break;
            other_ws = other_ws || wl_space_len(q) > 0;
        }
        g_autofree char *word = g_strndup(p, (gsize)(q - p));
        if (!whitelist_entry_ok(word)) {
            if (other_ws)
                ld_warn(ld, node, RS_R25,
                        "whitelist `%s` separates entries with whitespace other than spaces (a tab, "
                        "a newline): the %s router (OKD 3.11) takes only spaces between entries, so "
                        "it discards the whole list and the route is open to everyone", value, pf->name);
            else
                ld_warn(ld, node, RS_R25,
                        "whitelist entry `%s` is not an IPv4 address or CIDR: the router discards "
                        "the whole list and the route is open to everyone", word);
            return;
        }
        while (*q != '\0' && (*q == ' ' || (!spaces_only && wl_space_len(q) > 0)))
            q += *q == ' ' ? 1 : wl_space_len(q);
        p = q;
    }
}

/* A route (R20-R31); its services are checked in pass 2. */
bool
ld_route(Ld *ld, LdNs *ns, const cJSON *v, const char *path, RsRouteSpec *r)
{
    static const char *const keys[] = {"name", "service", "target_port", "host", "path", "tls",
                                       "insecure", "certificate", "alternate_backends", "weight",
                                       "annotations", NULL};
    static const char *const tls[] = {"none", "edge", "passthrough", "reencrypt", NULL};
    static const char *const insecure[] = {"none", "allow", "redirect", NULL};
    static const char *const bkeys[] = {"service", "weight", NULL};
    if (!ld_object(ld, v, path, keys, "a route"))
        return false;
    ld_pos(ld, v, path, &r->pos);
    if (!ld_name(ld, v, path, "route", true, &r->name) || !ld_count_object(ld, v, path, 1) ||
        !ld_string(ld, v, path, "service", true, &r->service))
        return false;
    const char *sp = ld_path(ld, path, "service");
    ld_defer(ld, LD_REF_SERVICE, ld_get(v, "service"), sp, ns->spec->name, r->service,
             "the route's service");
    if (!target_port(ld, v, path, &r->target_port, &r->target_name))
        return false;
    const cJSON *hv = ld_get(v, "host");
    if (hv) {
        const char *hp = ld_path(ld, path, "host");
        if (!ld_v_string(ld, hv, hp, &r->host))
            return false;
        for (const char *c = r->host; *c; c++)
            if (g_ascii_isupper(*c))
                return ld_fail(ld, hv, false, hp, "invalid host `%s`: a route host is a DNS-1123 "
                               "subdomain, in lowercase (the OpenShift API rejects upper case, R22)",
                               hv->valuestring);
        normalize_host(r->host);
        if (!is_host_name(r->host))
            return ld_fail(ld, hv, false, hp, "invalid host `%s`: a DNS name like myapp.rahtiapp.fi",
                           hv->valuestring);
    }
    r->path = rs_arena_strdup(ld->sc->arena, "/");
    if (!ld_string(ld, v, path, "path", false, &r->path))
        return false;
    if (r->path[0] != '/') {
        const char *pp = ld_path(ld, path, "path");
        return ld_fail(ld, ld_get(v, "path"), false, pp, "a route path starts with `/`");
    }
    int t = RS_TLS_NONE, in = RS_INSECURE_NONE;
    if (!ld_enum(ld, v, path, "tls", tls, &t) || !ld_enum(ld, v, path, "insecure", insecure, &in))
        return false;
    r->tls = (RsTlsMode)t;
    r->insecure = (RsInsecure)in;
    if (r->tls == RS_TLS_PASSTHROUGH && r->insecure == RS_INSECURE_ALLOW) {
        const char *ip = ld_path(ld, path, "insecure");
        return ld_fail(ld, ld_get(v, "insecure"), false, ip,
                       "`insecure: allow` is not possible with `tls: passthrough` (R24): the "
                       "router cannot serve plain HTTP for a TLS stream it does not terminate; "
                       "use `redirect` or `none`");
    }
    if (r->tls == RS_TLS_PASSTHROUGH && strcmp(r->path, "/") != 0) {
        const char *pp = ld_path(ld, path, "path");
        return ld_fail(ld, ld_get(v, "path"), false, pp,
                       "a passthrough route cannot have a path: the router sees only the TLS SNI (R21, R23)");
    }
    if (r->tls == RS_TLS_NONE && ld_get(v, "insecure") && r->insecure != RS_INSECURE_NONE)
        ld_warn(ld, ld_get(v, "insecure"), RS_R24,
                "`insecure` has no effect on a route without `tls`: it serves plain HTTP on port 80");
    if (!ld_bool(ld, v, path, "certificate", &r->certificate))
        return false;
    long long w = 100;
    if (!ld_int(ld, v, path, "weight", false, 0, 256, &w, NULL))
        return false;
    r->weight = (unsigned)w;
    const cJSON *alts;
    if (!ld_array(ld, v, path, "alternate_backends", &alts))
        return false;
    if (alts) {
        const char *ap = ld_path(ld, path, "alternate_backends");
        const char *ap3 = ld_path_index(ld, ap, 3);
        if (cJSON_GetArraySize(alts) > 3)
            return ld_fail(ld, cJSON_GetArrayItem(alts, 3), false, ap3,
                           "a route has at most 3 alternate_backends (the OpenShift API rejects "
                           "more, R20), found %d", cJSON_GetArraySize(alts));
        r->n_alternates = (unsigned)cJSON_GetArraySize(alts);
        r->alternates = g_new0(RsBackendSpec, r->n_alternates ? r->n_alternates : 1);
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, alts) {
            const char *ip = ld_path_index(ld, ap, i);
            long long bw = 100;
            if (!ld_object(ld, c, ip, bkeys, "an alternate backend") ||
                !ld_string(ld, c, ip, "service", true, &r->alternates[i].service) ||
                !ld_int(ld, c, ip, "weight", false, 0, 256, &bw, NULL))
                return false;
            r->alternates[i].weight = (unsigned)bw;
            const char *bsp = ld_path(ld, ip, "service");
            ld_defer(ld, LD_REF_SERVICE, ld_get(c, "service"), bsp, ns->spec->name,
                     r->alternates[i].service, "the alternate backend's service");
            i++;
        }
    }
    if (!ld_labels(ld, v, path, "annotations", &r->annotations, &r->n_annotations))
        return false;
    const cJSON *anns = ld_get(v, "annotations");
    for (unsigned i = 0; i < r->n_annotations; i++) {
        ld_whitelist_check(ld, ld_get(anns, r->annotations[i].key), r->annotations[i].key,
                           r->annotations[i].value);
        ld_annotation_check(ld, ld_get(anns, r->annotations[i].key), r->annotations[i].key,
                            r->annotations[i].value);
    }
    return true;
}

/* R10: the fixed ClusterIPs of the file's services are reserved together
 * before the run (src/world/build.c reserve_fixed_ips), so two services cannot share
 * one; caught here, with the position, rather than when the run starts. */
static bool
fixed_ip_free(Ld *ld, LdNs *ns, const cJSON *v, const char *path, const RsServiceSpec *s)
{
    if (s->cluster_ip_mode != RS_CLUSTER_IP_FIXED)
        return true;
    gpointer key = GUINT_TO_POINTER(s->cluster_ip);
    const char *first = g_hash_table_lookup(ld->fixed_ips, key);
    if (first) {
        const char *cp = ld_path(ld, path, "cluster_ip");
        return ld_fail(ld, ld_get(v, "cluster_ip"), false, cp,
                       "cluster_ip %s is already the address of service %s: each service needs "
                       "its own (R10)", ld_get(v, "cluster_ip")->valuestring, first);
    }
    g_hash_table_insert(ld->fixed_ips, key,
                        g_strdup_printf("`%s/%s` (line %d, column %d)", ns->spec->name, s->name,
                                        s->pos.line, s->pos.col));
    return true;
}

/* Parses one array of a namespace (deployments, pods, services or routes). */
static bool
ns_array(Ld *ld, LdNs *ns, const cJSON *v, const char *path, const char *key, RsObjKind kind)
{
    const cJSON *arr;
    if (!ld_array(ld, v, path, key, &arr))
        return false;
    if (!arr)
        return true;
    const char *ap = ld_path(ld, path, key);
    unsigned n = (unsigned)cJSON_GetArraySize(arr);
    RsNamespaceSpec *s = ns->spec;
    void *items = NULL;
    switch (kind) {
    case RS_KIND_DEPLOYMENT: items = s->deployments = rs_arena_new0(ld->sc->arena, RsWorkloadSpec, n); s->n_deployments = n; break;
    case RS_KIND_POD: items = s->pods = rs_arena_new0(ld->sc->arena, RsWorkloadSpec, n); s->n_pods = n; break;
    case RS_KIND_SERVICE: items = s->services = rs_arena_new0(ld->sc->arena, RsServiceSpec, n); s->n_services = n; break;
    case RS_KIND_ROUTE: items = s->routes = rs_arena_new0(ld->sc->arena, RsRouteSpec, n); s->n_routes = n; break;
    case RS_KIND_ANY:
    case RS_KIND_NETWORK_POLICY: g_assert_not_reached();
    }
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        const char *ip = ld_path_index(ld, ap, i);
        void *item = NULL;
        bool ok = false;
        switch (kind) {
        case RS_KIND_DEPLOYMENT:
        case RS_KIND_POD:
            item = &((RsWorkloadSpec *)items)[i];
            ok = ld_workload(ld, c, ip, kind == RS_KIND_POD, item);
            break;
        case RS_KIND_SERVICE:
            item = &((RsServiceSpec *)items)[i];
            ok = ld_service(ld, c, ip, item) && fixed_ip_free(ld, ns, c, ip, item);
            break;
        case RS_KIND_ROUTE:
            item = &((RsRouteSpec *)items)[i];
            ok = ld_route(ld, ns, c, ip, item);
            break;
        case RS_KIND_ANY:
        case RS_KIND_NETWORK_POLICY: break;
        }
        /* issue 12: an object's error does not stop the others' checks (up to
         * LD_MAX_ERRORS); a failed object is not registered, and references
         * to it are not resolved while the file has errors (loader.c) */
        if ((!ok || !ld_register(ld, ns, kind, item, c, ip, false)) && !ld_go_on(ld))
            return false;
        i++;
    }
    return true;
}

/* Creates an empty registry for a namespace spec. */
static LdNs *
ns_new(Ld *ld, RsNamespaceSpec *spec)
{
    LdNs *ns = rs_arena_new0(ld->mem, LdNs, 1);     /* dropped with the load */
    ns->spec = spec;    /* by_kind[k]: made at the first name of kind k (ld_register) */
    return ns;
}

/* If `name` is `<deployment>-<n>` of a deployment in ns, that deployment. */
static LdObj *
pod_owner(LdNs *ns, const char *name)
{
    const char *dash = strrchr(name, '-');
    if (!dash || !dash[1] || (dash[1] == '0' && dash[2]))
        return NULL;
    for (const char *c = dash + 1; *c; c++)
        if (!g_ascii_isdigit(*c))
            return NULL;
    g_autofree char *d = g_strndup(name, (size_t)(dash - name));
    return ld_obj_lookup(ns, RS_KIND_DEPLOYMENT, d);
}

/* True if ns/name is a bare pod or a pod a deployment creates (`<d>-<n>`). */
bool
ld_pod_declared(Ld *ld, const char *ns_name, const char *name)
{
    LdNs *ns = ld_ns_lookup(ld, ns_name);
    return ns && (ld_obj_lookup(ns, RS_KIND_POD, name) || pod_owner(ns, name));
}

/* The `namespaces` array (R2). */
bool
ld_namespaces(Ld *ld, const cJSON *root)
{
    static const char *const keys[] = {"name", "egress_ip", "deployments", "pods", "services",
                                       "routes", "labels", "default_policies", "load_balancer_ips",
                                       "network_policies", NULL};
    const cJSON *arr;
    if (!ld_array(ld, root, "", "namespaces", &arr))
        return false;
    if (!arr)
        return true;
    RsScenario *sc = ld->sc;
    sc->n_namespaces = (unsigned)cJSON_GetArraySize(arr);
    ld_ns_reserve(ld, sc->n_namespaces);
    sc->namespaces = rs_arena_new0(ld->sc->arena, RsNamespaceSpec, sc->n_namespaces);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        /* the namespace's paths are given back after it (nothing keeps one) */
        RsArenaMark paths_mark = rs_arena_mark(ld->paths);
        const char *p = ld_path_index(ld, "namespaces", i);
        RsNamespaceSpec *s = &sc->namespaces[i];
        if (!ld_object(ld, c, p, keys, "a namespace"))
            return false;
        ld_pos(ld, c, p, &s->pos);
        if (!ld_name(ld, c, p, "namespace", false, &s->name) || !ld_count_object(ld, c, p, 1))
            return false;
        if (strcmp(s->name, "openshift-ingress") == 0 || strcmp(s->name, "openshift-dns") == 0) {
            const char *np = ld_path(ld, p, "name");
            return ld_fail(ld, ld_get(c, "name"), false, np,
                           "`%s` is a platform namespace (the %s pods live there, R40, R45, R46): "
                           "choose another name", s->name,
                           s->name[10] == 'i' ? "router" : "DNS");
        }
        LdNs *old = ld_ns_lookup(ld, s->name);
        if (old) {
            const char *np = ld_path(ld, p, "name");
            return ld_fail(ld, ld_get(c, "name"), false, np,
                           "duplicate namespace `%s` (first at line %d, column %d)", s->name,
                           old->spec->pos.line, old->spec->pos.col);
        }
        LdNs *ns = ns_new(ld, s);
        g_ptr_array_add(ld->nss, ns);
        ld_ns_insert(ld, ns);
        const cJSON *eg = ld_get(c, "egress_ip");
        if (eg) {
            const char *ep = ld_path(ld, p, "egress_ip");
            if (!cJSON_IsString(eg) || (strcmp(eg->valuestring, "dedicated") != 0 &&
                                        strcmp(eg->valuestring, "shared") != 0))
                return ld_fail(ld, eg, false, ep,
                               "expected \"dedicated\" (ask for a dedicated egress IP, R33) or "
                               "\"shared\"");
            s->dedicated_egress = strcmp(eg->valuestring, "dedicated") == 0;
        }
        /* The namespace's objects: an error in one kind (or one object, ns_array)
         * leaves the other kinds' checks meaningful, so they go on (issue 12,
         * up to LD_MAX_ERRORS); an error in the namespace itself (its name)
         * above does not, and stops. */
        bool ok = ns_array(ld, ns, c, p, "deployments", RS_KIND_DEPLOYMENT);
        if (ok || ld_go_on(ld))
            ok = ns_array(ld, ns, c, p, "pods", RS_KIND_POD) && ok;
        if (ok || ld_go_on(ld))
            ok = ns_array(ld, ns, c, p, "services", RS_KIND_SERVICE) && ok;
        if (ok || ld_go_on(ld))
            ok = ns_array(ld, ns, c, p, "routes", RS_KIND_ROUTE) && ok;
        if (ok || ld_go_on(ld))
            ok = ld_namespace_policy_keys(ld, ns, c, p) && ok;
        if (!ok && !ld_go_on(ld))
            return false;
        /* a bare pod named like a deployment's pod would collide with it (R2) */
        for (unsigned k = 0; k < s->n_pods; k++) {
            if (s->pods[k].name == NULL)
                continue;       /* the pod had an error of its own */
            LdObj *owner = pod_owner(ns, s->pods[k].name);
            LdObj *po = owner ? ld_obj_lookup(ns, RS_KIND_POD, s->pods[k].name) : NULL;
            if (owner && po) {
                const char *np = ld_path(ld, s->pods[k].pos.path, "name");
                if (!ld_fail(ld, ld_get(po->node, "name"), false, np,
                             "pod name `%s` collides with the pods of deployment `%s` "
                             "(named `%s-<n>`, R2)",
                             s->pods[k].name, ld_obj_name(owner), ld_obj_name(owner)) && !ld_go_on(ld))
                    return false;
            }
        }
        rs_arena_release(ld->paths, paths_mark);
        i++;
    }
    return true;
}

/* True when `ip` is inside net/prefix. */
static bool
in_net(uint32_t ip, uint32_t net, uint32_t prefix)
{
    uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
    return (ip & mask) == (net & mask);
}

/* A host's address must be its own and outside the cluster (R35, R36): an
 * address shared with another host, a pod or service address, the router VIP
 * or an egress address would make "who answers" ambiguous, and is refused
 * rather than resolved silently. */
static bool
host_address_ok(Ld *ld, const cJSON *c, const char *p, const RsHostSpec *h, int index)
{
    const RsProfile *pf = &ld->sc->profile;
    const char *ip_path = ld_path(ld, p, "ip");
    const cJSON *v = ld_get(c, "ip");
    char buf[16];
    for (int k = 0; k < index; k++) {
        const RsHostSpec *o = &ld->sc->hosts[k];
        if (o->ip == h->ip)
            return ld_fail(ld, v, false, ip_path,
                           "host `%s` has the address %s of host `%s` (line %d): each host needs its own",
                           h->name, rs_ipv4_format(h->ip, buf), o->name, o->pos.line);
    }
    const char *what = NULL;
    if (in_net(h->ip, pf->pod_net, pf->pod_prefix))
        what = "is in the pod network";
    else if (in_net(h->ip, pf->service_net, pf->service_prefix))
        what = "is in the service network";
    else if (h->ip == pf->par.router_vip)
        what = "is the router VIP";
    else if (h->ip == pf->egress_ip)
        what = "is the platform's egress IP";
    for (unsigned k = 0; what == NULL && k < pf->n_egress_pool; k++)
        if (h->ip == pf->egress_pool[k])
            what = "is in the egress pool";
    if (what != NULL)
        return ld_fail(ld, v, false, ip_path,
                       "host `%s`: %s %s; a host outside the cluster needs an address of its own (R36)",
                       h->name, rs_ipv4_format(h->ip, buf), what);
    return true;
}

/* The `hosts` array: machines outside the cluster (R36). */
bool
ld_hosts(Ld *ld, const cJSON *root)
{
    static const char *const keys[] = {"name", "ip", "cookies", "ports", NULL};
    static const char *const pkeys[] = {"port", "protocol", "allow", NULL};
    static const char *const proto[] = {"http", "tcp", NULL};
    const cJSON *arr;
    if (!ld_array(ld, root, "", "hosts", &arr))
        return false;
    if (!arr)
        return true;
    RsScenario *sc = ld->sc;
    sc->n_hosts = (unsigned)cJSON_GetArraySize(arr);
    sc->hosts = g_new0(RsHostSpec, sc->n_hosts ? sc->n_hosts : 1);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        const char *p = ld_path_index(ld, "hosts", i);
        RsHostSpec *h = &sc->hosts[i];
        if (!ld_object(ld, c, p, keys, "a host"))
            return false;
        ld_pos(ld, c, p, &h->pos);
        if (!ld_plain_name(ld, c, p, "host", &h->name) || !ld_count_object(ld, c, p, 1))
            return false;
        RsHostSpec *old = g_hash_table_lookup(ld->hosts, h->name);
        if (old) {
            const char *np = ld_path(ld, p, "name");
            return ld_fail(ld, ld_get(c, "name"), false, np,
                           "duplicate host `%s` (first at line %d, column %d)", h->name, old->pos.line,
                           old->pos.col);
        }
        g_hash_table_insert(ld->hosts, h->name, h);
        if (!ld_ipv4(ld, c, p, "ip", true, &h->ip) || !ld_bool(ld, c, p, "cookies", &h->cookies))
            return false;
        if (!host_address_ok(ld, c, p, h, i))
            return false;
        const cJSON *ports;
        if (!ld_array(ld, c, p, "ports", &ports))
            return false;
        if (!ports) {
            i++;
            continue;
        }
        const char *pp = ld_path(ld, p, "ports");
        h->n_ports = (unsigned)cJSON_GetArraySize(ports);
        h->ports = g_new0(RsHostPortSpec, h->n_ports ? h->n_ports : 1);
        int j = 0;
        const cJSON *pc;
        cJSON_ArrayForEach(pc, ports) {
            const char *jp = ld_path_index(ld, pp, j);
            RsHostPortSpec *hp = &h->ports[j];
            long long port;
            int pr = RS_PROTO_HTTP;
            if (!ld_object(ld, pc, jp, pkeys, "a host port") ||
                !ld_int(ld, pc, jp, "port", true, 1, 65535, &port, NULL) ||
                !ld_enum(ld, pc, jp, "protocol", proto, &pr))
                return false;
            hp->port = (uint16_t)port;
            hp->protocol = (RsProto)pr;
            for (int k = 0; k < j; k++)
                if (h->ports[k].port == hp->port)
                    return ld_fail(ld, pc, false, jp, "port %u is declared twice", hp->port);
            const cJSON *allow;
            if (!ld_array(ld, pc, jp, "allow", &allow))
                return false;
            if (allow) {
                const char *alp = ld_path(ld, jp, "allow");
                hp->n_allow = (unsigned)cJSON_GetArraySize(allow);
                hp->allow_net = g_new0(uint32_t, hp->n_allow ? hp->n_allow : 1);
                hp->allow_prefix = g_new0(uint32_t, hp->n_allow ? hp->n_allow : 1);
                int k = 0;
                const cJSON *ac;
                cJSON_ArrayForEach(ac, allow) {
                    const char *kp = ld_path_index(ld, alp, k);
                    if (!ld_v_cidr(ld, ac, kp, &hp->allow_net[k], &hp->allow_prefix[k]))
                        return false;
                    k++;
                }
            }
            j++;
        }
        i++;
    }
    return true;
}

/* The `dns` array: public records the user manages (R18). */
bool
ld_dns(Ld *ld, const cJSON *root)
{
    static const char *const keys[] = {"name", "cname", "a", NULL};
    const cJSON *arr;
    if (!ld_array(ld, root, "", "dns", &arr))
        return false;
    if (!arr)
        return true;
    RsScenario *sc = ld->sc;
    sc->n_dns = (unsigned)cJSON_GetArraySize(arr);
    sc->dns = g_new0(RsDnsRecordSpec, sc->n_dns ? sc->n_dns : 1);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        const char *p = ld_path_index(ld, "dns", i);
        RsDnsRecordSpec *d = &sc->dns[i];
        if (!ld_object(ld, c, p, keys, "a DNS record"))
            return false;
        ld_pos(ld, c, p, &d->pos);
        if (!ld_string(ld, c, p, "name", true, &d->name))
            return false;
        normalize_host(d->name);
        const char *np = ld_path(ld, p, "name");
        if (!is_host_name(d->name))
            return ld_fail(ld, ld_get(c, "name"), false, np, "invalid DNS name `%s`",
                           ld_get(c, "name")->valuestring);
        RsDnsRecordSpec *old = g_hash_table_lookup(seen, d->name);
        if (old)
            return ld_fail(ld, ld_get(c, "name"), false, np,
                           "duplicate DNS record `%s` (first at line %d, column %d)", d->name,
                           old->pos.line, old->pos.col);
        g_hash_table_insert(seen, d->name, d);
        const cJSON *cn = ld_get(c, "cname"), *a = ld_get(c, "a");
        if ((cn != NULL) == (a != NULL))
            return ld_fail(ld, c, false, p, "a DNS record has exactly one of `cname` and `a`");
        if (cn) {
            const char *cp = ld_path(ld, p, "cname");
            if (!ld_v_string(ld, cn, cp, &d->cname))
                return false;
            normalize_host(d->cname);
            if (!is_host_name(d->cname))
                return ld_fail(ld, cn, false, cp, "invalid DNS name `%s`", cn->valuestring);
        } else {
            const char *apath = ld_path(ld, p, "a");
            if (!ld_v_ipv4(ld, a, apath, &d->a))
                return false;
            d->has_a = true;
        }
        i++;
    }
    return true;
}
