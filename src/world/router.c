/* router.c: the HAProxy router replicas and the configuration each has loaded
 * (R20, R22, R25-R31).
 *
 * VIEWS THAT LAG THE TRUTH (R28)
 * ------------------------------
 * Each replica is one HAProxy process behind the shared VIP.  It does not
 * read the world when a request comes: it uses the configuration it loaded
 * at its last reload (RsRtConfig: admitted routes, their servers = the pod
 * endpoints the API listed then, whitelists, balance algorithm, cookies,
 * timeouts).  A change the router watches (a route created, changed,
 * annotated or removed; the endpoints of a service a route sends to) asks
 * every running replica to reload, through HAProxy's rate limiter: a change
 * after a quiet period (the last reload started >= reload_interval ago) is
 * applied at once (an event at the same instant, so changes of one instant
 * share one reload); changes inside the window wait for its end and are
 * coalesced into one reload.  A reload is a new process: round-robin
 * credits, connection counts and health-check states start afresh.
 *
 * The router reads the API's endpoints (R20: pod IPs directly, not the
 * ClusterIP), not kube-proxy's view (R15): a crashed pod stays a server
 * until its failure is detected and a reload follows, which is what makes
 * R29's connect timeouts and health checks matter.
 *
 * HEALTH CHECKS (R29, C6, C7)
 * ---------------------------
 * In a backend with more than one server, each replica checks every server
 * on its own clock (one engine timer per checked server): the first check
 * `inter` (5 s) after the reload; a check succeeds if a live pod holds the
 * address and listens on the port.  C6: a refused connection fails the
 * check at once, a server that does not answer fails it only after the
 * connect timeout (5 s); the next check starts `inter` after the previous
 * one ended.  So a dead server is marked down after 3 failed checks (fall
 * 3) about 25-30 s after it died; 2 successes mark it up again (rise 2).
 * C7: a new process (a reload) starts every server "up with one check
 * left": the first failed check marks it down.
 *
 * REPLICAS (R30)
 * --------------
 * `router_down` stops a replica at once: connections on it are lost (the
 * pipeline is told), and the VIP keeps sending it new connections, which are
 * dropped, until `router_failover` later it is taken out of rotation.
 * `router_up` starts a new process: it loads the current truth at once (a
 * reload) and is back in rotation.
 *
 * COST
 * ----
 * A reload costs O(routes + their servers) and happens only on changes, at
 * most once per reload interval per replica.  Health checks cost O(servers
 * in multi-server backends) per replica every 5 s.  Nothing here runs per
 * request.
 *
 * Rules: R20, R21 (the host index), R25-R31.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rahtisim/policy.h"
#include "rahtisim/router.h"
#include "world/world-private.h"

#define CHECK_INTER (5 * RS_SEC)    /* R29: check inter 5000ms */
#define CHECK_FALL 3                /* R29: HAProxy default fall */
#define CHECK_RISE 2                /* HAProxy default rise */
#define CHECK_TIMEOUT (5 * RS_SEC)  /* C6: a check waits `timeout connect` (5s) */

/* C6: the health check of one server in one process. */
struct RsRtCheck {
    RsRtProc *proc;
    unsigned be, k;
    RsTimer timer;
};

static void schedule_checks(RsReplica *r);
static void stop_checks(RsRtProc *p);

/* Drops a process's reference to a configuration; the last frees it. */
static void
config_free(RsRtConfig *c)
{
    if (c == NULL || --c->refs > 0)
        return;
    for (unsigned i = 0; i < c->n_backends; i++) {
        rs_whitelist_clear(&c->backends[i].wl);
        g_free(c->backends[i].servers);
    }
    g_free(c->backends);
    g_hash_table_destroy(c->by_host);
    g_free(c->hosts);
    g_free(c->host_routes);
    g_free(c);
}

/* Takes a reference to a process (a request it accepted). */
void
rs_rt_proc_ref(RsRtProc *p)
{
    p->refs++;
}

/* Drops a reference; the last one frees the process's configuration and balancers. */
void
rs_rt_proc_unref(RsRtProc *p)
{
    if (p == NULL || --p->refs > 0)
        return;
    for (unsigned i = 0; i < p->cfg->n_backends; i++)
        rs_balancer_clear(&p->bal[i]);
    g_free(p->bal);
    g_free(p->checks);
    config_free(p->cfg);
    g_free(p);
}

/* Go's strconv.ParseBool true values (R27: disable_cookies). */
static bool
parse_bool_true(const char *v)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
    for (unsigned i = 0; v != NULL && yes[i] != NULL; i++) {
        if (strcmp(v, yes[i]) == 0)
            return true;
    }
    return false;
}

/* R25: the whitelist the router reads: ip_allowlist if the profile reads it
 * and it is non-empty, else the first non-empty annotation the profile reads. */
static const char *
whitelist_value(const RsWorld *w, const RsRoute *route)
{
    const char *first = NULL;
    for (unsigned i = 0; i < w->n_whitelist_keys; i++) {
        const char *v = rs_route_annotation(route, w->whitelist_keys[i]);
        if (v == NULL || v[0] == '\0')
            continue;
        if (g_str_has_suffix(w->whitelist_keys[i], "/ip_allowlist"))
            return v;
        if (first == NULL)
            first = v;
    }
    return first;
}

/* Whether service port `p` carries the route's target port (R20, C1): by
 * the endpoints' port number (the pod port `resolved`; the service port's
 * own number does not count: the router reads the endpoints), by port name,
 * or every port when unset. */
static bool
port_targeted(const RsRouteDef *d, const RsSvcPort *p, uint16_t resolved)
{
    if (d->target_port == 0 && d->target_name == NULL)
        return true;
    if (d->target_name != NULL)
        return (p->name != NULL && strcmp(p->name, d->target_name) == 0) ||
               (p->target_name != NULL && strcmp(p->target_name, d->target_name) == 0);
    return resolved == d->target_port;     /* C1 */
}

/* Up to this many servers a backend dedupes (pod, port) pairs by scanning
 * them; *seen (a hash set) is made when it grows past that (issue 14: most
 * routes have a few servers, and a hash table per route and replica reload
 * was a tenth of building 10^5 routes). */
#define SERVERS_SCAN_MAX 16

/* Whether the backend already has a server for (pod, port). */
static bool
has_server(const GArray *out, GHashTable **seen, const RsPod *pod, uint16_t port)
{
    if (*seen == NULL && out->len > SERVERS_SCAN_MAX) {
        *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
        for (guint i = 0; i < out->len; i++) {
            const RsRtServer *s = &g_array_index(out, RsRtServer, i);
            g_hash_table_add(*seen, GSIZE_TO_POINTER(((gsize)s->pod->serial << 16 | s->port) + 1));
        }
    }
    if (*seen != NULL)
        return g_hash_table_contains(*seen, GSIZE_TO_POINTER(((gsize)pod->serial << 16 | port) + 1));
    for (guint i = 0; i < out->len; i++) {
        const RsRtServer *s = &g_array_index(out, RsRtServer, i);
        if (s->pod == pod && s->port == port)
            return true;
    }
    return false;
}

/* What building one configuration reuses from backend to backend (issue
 * 14: three arrays made and freed per route and reload were a sixth of a
 * reload): emptied, never freed, until the configuration is made. */
typedef struct {
    GArray *servers;            /* RsRtServer: the backend's, then copied out */
    GArray *tags;               /* unsigned: each server's service (its index in the route) */
    GPtrArray *pods;            /* one service's ready pods */
    GArray *eps;                /* unsigned: per service of the route, its servers */
} Scratch;

/* Adds the servers of one service to a backend (R20): one per (ready pod x
 * targeted port), each (pod, port) pair once (has_server). */
static void
add_servers(const RsRouteDef *d, RsService *svc, unsigned weight_tag, GArray *out, GArray *tags,
            GHashTable **seen, GPtrArray *pods)
{
    g_ptr_array_set_size(pods, 0);
    rs_service_ready_pods(svc, pods);
    for (unsigned j = 0; j < pods->len; j++) {
        RsPod *pod = pods->pdata[j];
        for (unsigned k = 0; k < svc->def->n_ports; k++) {
            const RsSvcPort *p = &svc->def->ports[k];
            uint16_t target = p->target_port;
            if (p->target_name != NULL) {
                const RsPodPort *pp = rs_pod_port_named(pod, p->target_name);
                if (pp == NULL)
                    continue;
                target = pp->port;
            }
            if (!port_targeted(d, p, target))
                continue;
            if (has_server(out, seen, pod, target))
                continue;
            if (*seen != NULL)
                g_hash_table_add(*seen, GSIZE_TO_POINTER(((gsize)pod->serial << 16 | target) + 1));
            const RsPodPort *pp = rs_pod_port(pod, target);
            RsRtServer s = {.pod = pod, .port = target, .svc = svc, .tmpl = pod->tmpl,
                            .has_port = pp != NULL, .port_tls = pp != NULL && pp->tls != NULL,
                            .tcp = pod->tmpl->protocol == RS_PROTO_TCP};
            g_array_append_val(out, s);
            g_array_append_val(tags, weight_tag);
        }
    }
}

/* Builds one backend from a route's truth now (R20, R25-R27, R31). */
static void
build_backend(RsWorld *w, RsRoute *route, RsRtBackend *be, Scratch *sc)
{
    const RsRouteDef *d = route->def;
    be->route = route;
    be->full = route->full;
    be->host = route->host;
    be->path = d->path;
    be->path_len = strlen(d->path);
    be->tls = d->tls;
    be->insecure = d->insecure;
    be->certificate = d->certificate;
    rs_whitelist_parse(whitelist_value(w, route), w->wl_syntax, &be->wl);
    /* R26: ActiveServiceUnits = services with weight > 0, endpoints or not. */
    unsigned active = 0;
    for (unsigned i = 0; i < d->n_backends; i++)
        active += d->backends[i].weight > 0;
    const char *ann = rs_route_annotation(route, "haproxy.router.openshift.io/balance");
    static const struct { const char *w; RsBalance b; } algos[] = {
        {"roundrobin", RS_BAL_ROUNDROBIN}, {"leastconn", RS_BAL_LEASTCONN},
        {"source", RS_BAL_SOURCE}, {"random", RS_BAL_RANDOM},
    };
    bool set = false;
    for (unsigned i = 0; ann != NULL && i < G_N_ELEMENTS(algos) && !set; i++) {
        if (algos[i].b == RS_BAL_RANDOM && w->haproxy18)
            continue;           /* C5: HAProxy 1.8 has no `random`: ignored, the default applies */
        if (strcmp(ann, algos[i].w) == 0) {     /* R26: exact, case-sensitive */
            be->balance = algos[i].b;
            set = true;
        }
    }
    if (!set)
        be->balance = active > 1 ? RS_BAL_ROUNDROBIN
                      : d->tls == RS_TLS_PASSTHROUGH ? RS_BAL_SOURCE : w->par.balance;
    /* R27: cookies for http, edge and reencrypt unless disabled. */
    be->cookies = d->tls != RS_TLS_PASSTHROUGH &&
                  !parse_bool_true(rs_route_annotation(route, "haproxy.router.openshift.io/disable_cookies"));
    if (!rs_parse_route_timeout(rs_route_annotation(route, "haproxy.router.openshift.io/timeout"), &be->timeout))
        be->timeout = w->par.route_timeout;     /* R31 */

    GArray *servers = sc->servers, *tags = sc->tags;
    g_array_set_size(servers, 0);
    g_array_set_size(tags, 0);
    g_array_set_size(sc->eps, 0);
    g_array_set_size(sc->eps, d->n_backends);      /* zeroed (clear_) */
    unsigned *svc_eps = (unsigned *)(void *)sc->eps->data;
    g_autoptr(GHashTable) seen = NULL;     /* made past SERVERS_SCAN_MAX servers */
    for (unsigned i = 0; i < d->n_backends; i++) {
        /* passthrough backends drop weight-0 services; HTTP ones keep them for cookies */
        if (d->backends[i].weight == 0 && d->tls == RS_TLS_PASSTHROUGH)
            continue;
        RsService *svc = rs_world_service(w, route->ns->name, d->backends[i].service);
        if (svc == NULL)
            continue;
        unsigned before = servers->len;
        add_servers(d, svc, i, servers, tags, &seen, sc->pods);
        svc_eps[i] = servers->len - before;
    }
    /* R20 weights (router.go calculateServiceWeights): one active service:
     * every endpoint 1; several: service weight / its endpoints, scaled so
     * the largest is 256, at least 1. */
    double max_w = 0;
    for (unsigned i = 0; i < d->n_backends; i++) {
        if (svc_eps[i] > 0 && d->backends[i].weight > 0)
            max_w = MAX(max_w, (double)d->backends[i].weight / svc_eps[i]);
    }
    be->n_servers = servers->len;
    be->servers = servers->len > 0 ? g_memdup2(servers->data, servers->len * sizeof(RsRtServer)) : NULL;
    for (unsigned k = 0; k < be->n_servers; k++) {
        unsigned b = g_array_index(tags, unsigned, k);
        unsigned sw = d->backends[b].weight;
        if (sw == 0)
            be->servers[k].weight = 0;
        else if (active <= 1)
            be->servers[k].weight = 1;
        else
            be->servers[k].weight = MAX(1u, (unsigned)((double)sw / svc_eps[b] / max_w * 256.0));
    }
}

/* Orders a host's routes: longest path first, then the oldest (R21). */
static gint
by_path(gconstpointer a, gconstpointer b)
{
    const RsRtBackend *x = *(RsRtBackend *const *)a, *y = *(RsRtBackend *const *)b;
    if (x->path_len != y->path_len)
        return x->path_len > y->path_len ? -1 : 1;
    return x->route->serial < y->route->serial ? -1 : x->route->serial > y->route->serial;
}

/* A configuration of the truth now: every admitted route (R22, R28). */
static RsRtConfig *
config_build(RsWorld *w)
{
    RsRtConfig *c = g_new0(RsRtConfig, 1);
    c->refs = 1;
    c->fresh = true;
    c->made = rs_engine_now(w->eng);
    c->by_host = g_hash_table_new(g_str_hash, g_str_equal);
    unsigned n = 0;
    for (unsigned i = 0; i < w->routes->len; i++) {
        RsRoute *r = w->routes->pdata[i];
        n += !r->removed && r->admitted;
    }
    c->backends = g_new0(RsRtBackend, n ? n : 1);
    Scratch sc = {
        .servers = g_array_new(FALSE, TRUE, sizeof(RsRtServer)),
        .tags = g_array_new(FALSE, TRUE, sizeof(unsigned)),
        .pods = g_ptr_array_new(),
        .eps = g_array_new(FALSE, TRUE, sizeof(unsigned)),
    };
    for (unsigned i = 0; i < w->routes->len; i++) {
        RsRoute *r = w->routes->pdata[i];
        if (r->removed || !r->admitted)
            continue;
        RsRtBackend *be = &c->backends[c->n_backends++];
        build_backend(w, r, be, &sc);
    }
    g_array_free(sc.servers, TRUE);
    g_array_free(sc.tags, TRUE);
    g_ptr_array_free(sc.pods, TRUE);
    g_array_free(sc.eps, TRUE);
    /* The host index: pointers into c->backends, stable from here on.
     * The hosts and their route lists are two blocks (a host per backend
     * at most): count each host's routes, place the lists, fill them in
     * backend order (issue 14: not two allocations per host). */
    c->hosts = g_new0(RsRtHost, n ? n : 1);
    c->host_routes = g_new(RsRtBackend *, n ? n : 1);
    g_autofree unsigned *host_of = g_new(unsigned, n ? n : 1);
    unsigned n_hosts = 0;
    for (unsigned i = 0; i < c->n_backends; i++) {
        const RsRtBackend *be = &c->backends[i];
        RsRtHost *h = g_hash_table_lookup(c->by_host, be->host);
        if (h == NULL) {
            h = &c->hosts[n_hosts++];
            g_hash_table_insert(c->by_host, (gpointer)be->host, h);
        }
        host_of[i] = (unsigned)(h - c->hosts);
        h->n++;
    }
    g_autofree unsigned *start = g_new(unsigned, n_hosts + 1);
    for (unsigned j = 0, at = 0; j < n_hosts; j++) {
        start[j] = at;
        at += c->hosts[j].n;
        c->hosts[j].n = 0;
    }
    for (unsigned i = 0; i < c->n_backends; i++) {
        RsRtBackend *be = &c->backends[i];
        RsRtHost *h = &c->hosts[host_of[i]];
        c->host_routes[start[host_of[i]] + h->n++] = be;
        if (be->tls == RS_TLS_PASSTHROUGH && h->passthrough == NULL)
            h->passthrough = be;
        if ((be->tls == RS_TLS_EDGE || be->tls == RS_TLS_REENCRYPT) && be->certificate)
            h->has_cert = true;
    }
    for (unsigned j = 0; j < n_hosts; j++) {
        RsRtHost *h = &c->hosts[j];
        h->routes = c->host_routes + start[j];
        if (h->n > 1)
            qsort(h->routes, h->n, sizeof *h->routes, (int (*)(const void *, const void *))by_path);
    }
    return c;
}

/* The configuration another replica loaded at this instant with nothing
 * the router watches changed since (rs_router_changed clears `fresh`), so
 * what config_build would make now, the same to the byte, shared; else
 * NULL.  Replicas reload together (rs_router_changed's timers: at 0 s, and
 * after each change once their intervals agree): issue 14, a build per
 * replica was a tenth of `topology` at 10^4 routes. */
static RsRtConfig *
config_share(const RsReplica *r)
{
    RsWorld *w = r->w;
    rs_time_t now = rs_engine_now(w->eng);
    for (unsigned i = 0; i < w->n_replicas; i++) {
        RsRtProc *o = w->replicas[i].proc;
        if (&w->replicas[i] != r && o != NULL && o->cfg->fresh && o->cfg->made == now) {
            o->cfg->refs++;
            return o->cfg;
        }
    }
    return NULL;
}

/* Loads the truth now: a new HAProxy process with fresh balancing state (R28). */
static void
reload_now(RsReplica *r)
{
    RsWorld *w = r->w;
    if (r->proc != NULL)
        stop_checks(r->proc);   /* the old process stops checking */
    rs_rt_proc_unref(r->proc);  /* the old process lives on while its requests do */
    RsRtProc *p = g_new0(RsRtProc, 1);
    p->refs = 1;
    p->rep = r;
    p->gen = ++r->gen;
    p->cfg = config_share(r);       /* R28: the same truth, the same configuration */
    if (p->cfg == NULL)
        p->cfg = config_build(w);
    p->bal = g_new0(RsBalancer, p->cfg->n_backends ? p->cfg->n_backends : 1);
    r->proc = p;
    unsigned servers = 0;
    g_autoptr(GArray) wts = g_array_new(FALSE, FALSE, sizeof(unsigned));    /* reused */
    for (unsigned i = 0; i < p->cfg->n_backends; i++) {
        const RsRtBackend *be = &p->cfg->backends[i];
        g_array_set_size(wts, be->n_servers);
        for (unsigned k = 0; k < be->n_servers; k++)
            g_array_index(wts, unsigned, k) = be->servers[k].weight;
        /* O(1) picks, the same choices (rs_balancer_init, then rs_balancer_index) */
        rs_balancer_init_indexed(&p->bal[i], be->balance, (const unsigned *)(void *)wts->data,
                                 be->n_servers);
        servers += be->n_servers;
    }
    r->last_reload = rs_engine_now(w->eng);
    r->has_reloaded = true;
    rs_world_log(w, RS_R28, "%s reloads: %u route%s, %u server%s; balancing state starts afresh",
                 r->name, p->cfg->n_backends, p->cfg->n_backends == 1 ? "" : "s", servers,
                 servers == 1 ? "" : "s");
    schedule_checks(r);
}

/* Timer: the rate limiter lets a pending reload run (R28). */
static void
on_reload(RsEngine *eng, void *obj, uint64_t arg)
{
    RsReplica *r = obj;
    r->reload_timer = 0;
    r->reload_pending = false;
    if (r->up)
        reload_now(r);
    (void)eng; (void)arg;
}

/* R28: something the router watches changed: each running replica reloads
 * at once after a quiet period, else at the end of its interval (coalesced). */
void
rs_router_changed(RsWorld *w)
{
    rs_time_t now = rs_engine_now(w->eng);
    for (unsigned i = 0; i < w->n_replicas; i++) {
        if (w->replicas[i].proc != NULL)
            w->replicas[i].proc->cfg->fresh = false;    /* a reload from now on builds anew */
    }
    for (unsigned i = 0; i < w->n_replicas; i++) {
        RsReplica *r = &w->replicas[i];
        if (!r->up || r->reload_pending)
            continue;
        rs_time_t at = now;
        if (r->has_reloaded && now - r->last_reload < w->par.reload_interval)
            at = r->last_reload + w->par.reload_interval;
        r->reload_pending = true;
        r->reload_at = at;
        r->reload_timer = rs_engine_timer(w->eng, at, on_reload, r, 0);
    }
}

/* R29: one health check: a live pod holds the address and listens on the port. */
static bool
check_passes(const RsWorld *w, const RsRtServer *s)
{
    RsPod *p = s->pod;
    if (!(rs_pod_accepts(p) && rs_world_pod_at(w, p->ip) == p && rs_pod_port(p, s->port) != NULL))
        return false;
    /* R45: the checks come from the router's namespace too */
    RsPeer src, dst;
    RsPolSide eg, in;
    rs_peer_router(w, 0, &src);
    rs_peer_pod(p, &dst);
    return rs_policy_check((RsWorld *)w, &src, &dst, s->port, RS_L4_TCP, &eg, &in);
}

/* Applies one check's result to server k of backend `be` (R29). */
static void
check_result(RsReplica *r, RsRtProc *p, unsigned be_i, unsigned k, bool pass, bool timed_out)
{
    RsWorld *w = r->w;
    const RsRtBackend *be = &p->cfg->backends[be_i];
    RsBalServer *s = &p->bal[be_i].s[k];
    const RsRtServer *sv = &be->servers[k];
    char ip[16];
    if (pass) {
        /* C7: HAProxy's health counter: each passing check gives back one
         * of the `fall` failures a server may have before it is marked down */
        if (s->fails > 0)
            s->fails--;
        if (s->down && ++s->rises >= CHECK_RISE) {
            rs_balancer_set_down(&p->bal[be_i], k, false);
            s->rises = 0;
            s->fails = CHECK_FALL - 1;      /* C7: back up with one check left */
            rs_world_log(w, RS_R29, "%s: health checks mark %s (%s:%u) of route %s up again",
                         r->name, sv->pod->full, rs_ipv4_format(sv->pod->ip, ip), sv->port, be->full);
        }
        return;
    }
    s->rises = 0;
    if (!s->down && ++s->fails >= CHECK_FALL) {
        rs_balancer_set_down(&p->bal[be_i], k, true);
        rs_world_log(w, RS_R29, "%s: health checks mark %s (%s:%u) of route %s down after "
                     "a failed check (%s; C6, C7: %u in a row, or the first after a reload)",
                     r->name, sv->pod->full, rs_ipv4_format(sv->pod->ip, ip), sv->port, be->full,
                     timed_out ? "no answer within the 5 s connect timeout" : "connection refused",
                     CHECK_FALL);
    }
}

/* Timer: one server's check starts (arg 0) or its connect timeout ends
 * (arg 1: no answer, C6); the next starts `inter` after it ended. */
static void
on_check(RsEngine *eng, void *obj, uint64_t arg)
{
    struct RsRtCheck *c = obj;
    RsRtProc *p = c->proc;
    RsReplica *r = p->rep;
    c->timer = 0;
    if (!r->up || r->proc != p)
        return;
    rs_time_t now = rs_engine_now(eng);
    if (arg == 1) {
        check_result(r, p, c->be, c->k, false, true);
    } else {
        const RsRtServer *sv = &p->cfg->backends[c->be].servers[c->k];
        if (check_passes(r->w, sv)) {
            check_result(r, p, c->be, c->k, true, false);
        } else {
            /* C6: a kernel that holds the address answers the SYN with a reset
             * at once; nothing there (or a crashed pod): the check waits */
            RsPod *holder = rs_world_pod_at(r->w, sv->pod->ip);
            if (holder == NULL || holder->crashed) {
                c->timer = rs_engine_timer(eng, now + CHECK_TIMEOUT, on_check, c, 1);
                return;
            }
            check_result(r, p, c->be, c->k, false, false);
        }
    }
    c->timer = rs_engine_timer_after(eng, CHECK_INTER, on_check, c, 0);    /* an engine lane */
}

/* Cancels the checks of a process that is no longer the replica's current one. */
static void
stop_checks(RsRtProc *p)
{
    for (unsigned i = 0; i < p->n_checks; i++) {
        if (p->checks[i].timer != 0)
            rs_engine_cancel(p->rep->w->eng, p->checks[i].timer);
        p->checks[i].timer = 0;
    }
}

/* Starts the checks of the replica's new process: every server of its
 * multi-server backends, first `inter` from now (R29); C7: each starts up
 * with one check left. */
static void
schedule_checks(RsReplica *r)
{
    RsRtProc *p = r->proc;
    unsigned n = 0;
    for (unsigned i = 0; i < p->cfg->n_backends; i++)
        n += p->cfg->backends[i].n_servers > 1 ? p->cfg->backends[i].n_servers : 0;
    p->checks = g_new0(struct RsRtCheck, n ? n : 1);
    p->n_checks = 0;
    for (unsigned i = 0; i < p->cfg->n_backends; i++) {
        const RsRtBackend *be = &p->cfg->backends[i];
        if (be->n_servers < 2)
            continue;           /* R29: single-server backends are never checked */
        for (unsigned k = 0; k < be->n_servers; k++) {
            struct RsRtCheck *c = &p->checks[p->n_checks++];
            c->proc = p;
            c->be = i;
            c->k = k;
            p->bal[i].s[k].fails = CHECK_FALL - 1;      /* C7 */
            c->timer = rs_engine_timer_after(r->w->eng, CHECK_INTER, on_check, c, 0);
        }
    }
}

/* Creates the replicas; each loads the truth at once (R28, R30). */
void
rs_router_init(RsWorld *w, unsigned replicas)
{
    w->n_replicas = replicas;
    w->replicas = g_new0(RsReplica, replicas ? replicas : 1);
    rs_rng_init(&w->vip_rng, w->seed, "router-vip");
    for (unsigned i = 0; i < replicas; i++) {
        RsReplica *r = &w->replicas[i];
        char name[32];
        g_snprintf(name, sizeof name, "router-%u", i);
        r->w = w;
        r->index = i;
        r->name = rs_world_intern(w, name);
        r->up = r->in_rotation = true;
        rs_rng_init(&r->rng, w->seed, r->name);     /* R26: the replica's own stream */
    }
}

/* Frees the replicas and their configurations. */
void
rs_router_free(RsWorld *w)
{
    for (unsigned i = 0; w->replicas != NULL && i < w->n_replicas; i++)
        g_clear_pointer(&w->replicas[i].proc, rs_rt_proc_unref);
    g_clear_pointer(&w->replicas, g_free);
}

/* Timer: the VIP stops sending to a failed replica (R30). */
static void
on_failover(RsEngine *eng, void *obj, uint64_t arg)
{
    RsReplica *r = obj;
    char b[32];
    r->failover_timer = 0;
    r->in_rotation = false;
    rs_world_log(r->w, RS_R30, "the VIP takes %s out of rotation after %s: the other replicas "
                 "take its share", r->name, rs_duration_format(r->w->par.router_failover, b));
    (void)eng; (void)arg;
}

/* router_down: the replica stops at once; its connections are lost (R30). */
void
rs_router_down(RsWorld *w, unsigned index)
{
    char b[32];
    if (index >= w->n_replicas)
        return;
    RsReplica *r = &w->replicas[index];
    if (!r->up) {
        rs_world_log(w, RS_R30, "router_down %u: %s is already down", index, r->name);
        return;
    }
    r->up = false;
    r->epoch++;
    if (r->reload_timer != 0)
        rs_engine_cancel(w->eng, r->reload_timer);
    if (r->proc != NULL)
        stop_checks(r->proc);
    r->reload_timer = 0;
    r->reload_pending = false;
    rs_world_log(w, RS_R30, "%s fails: its connections are lost; the VIP still sends it new "
                 "ones for %s", r->name, rs_duration_format(w->par.router_failover, b));
    if (w->router_failed != NULL)
        w->router_failed(w->router_failed_data, r);
    r->failover_timer = rs_engine_timer(w->eng, rs_engine_now(w->eng) + w->par.router_failover,
                                        on_failover, r, 0);
}

/* router_up: a new process loads the truth and rejoins the VIP (R30, R28). */
void
rs_router_up(RsWorld *w, unsigned index)
{
    if (index >= w->n_replicas)
        return;
    RsReplica *r = &w->replicas[index];
    if (r->up) {
        rs_world_log(w, RS_R30, "router_up %u: %s is already up", index, r->name);
        return;
    }
    if (r->failover_timer != 0)
        rs_engine_cancel(w->eng, r->failover_timer);
    r->failover_timer = 0;
    r->up = true;
    r->in_rotation = true;
    rs_world_log(w, RS_R30, "%s is up again and back in the VIP's rotation", r->name);
    reload_now(r);
}

/* R28: when the replica's running process loaded its configuration. */
rs_time_t
rs_replica_loaded_at(const RsReplica *r)
{
    return r->proc != NULL ? r->proc->cfg->made : RS_TIME_NEVER;
}

/* R28: when the replica's pending reload runs, or RS_TIME_NEVER. */
rs_time_t
rs_replica_next_reload(const RsReplica *r)
{
    return r->up && r->reload_pending ? r->reload_at : RS_TIME_NEVER;
}

/* R28: the configuration the replica's running process loaded, or NULL. */
const RsRtConfig *
rs_replica_config(const RsReplica *r)
{
    return r->proc != NULL ? r->proc->cfg : NULL;
}

/* R28: the backend a configuration loaded for `route`: O(routes of its host). */
const RsRtBackend *
rs_rt_config_backend(const RsRtConfig *c, const RsRoute *route)
{
    const RsRtHost *h = c != NULL && route->host != NULL ? g_hash_table_lookup(c->by_host, route->host)
                                                         : NULL;
    for (unsigned i = 0; h != NULL && i < h->n; i++)
        if (h->routes[i]->route == route)
            return h->routes[i];
    return NULL;
}
