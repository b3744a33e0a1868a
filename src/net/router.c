/* router.c: a request through the router VIP (R19-R31).
 *
 * THE WALK
 * --------
 *   arrive at the VIP ── port not 80/443 ──> dropped (R19, R35: timeout)
 *     │ the VIP hands the connection to a replica in its rotation (R30);
 *     │ a replica that failed but is still in rotation drops it (timeout)
 *     v
 *   accepted: from here the router bounds the client's wait
 *     │ port 80: not HTTP -> 400 bad-request, TLS -> tls-error (R19)
 *     │ port 443: not TLS -> tls-error (R19)
 *     v
 *   port 80: Host + longest path prefix (R21) -> no route: 503; a TLS route:
 *     redirect -> 302, none (and passthrough) -> 503, allow -> served (R24)
 *   port 443: SNI of a passthrough route -> that route (R21, R23); else TLS
 *     is terminated: the route's certificate or the wildcard one for
 *     <label>.<app domain>, otherwise tls-error (R23); then Host + path
 *     among edge and reencrypt routes, none: 503 (R21, R23)
 *     v
 *   the route's whitelist against the source (R25): rejected
 *     v
 *   a server: the cookie of a client that keeps them (R27), else the balance
 *     algorithm of the replica's process (R26); none: 503 (R20)
 *     v
 *   connect to the pod's address (router -> pod: no namespace isolation):
 *     no answer -> the router's connect timeout (5 s), refused -> at once;
 *     then retry, the last retry redispatched to another server (R29);
 *     out of retries: 503
 *     v
 *   connected: TLS to the pod (passthrough: the client's, for the host;
 *     reencrypt: the router's, for <svc>.<ns>.svc) else tls-error / 503
 *     (R23); a pod not speaking HTTP: 502 (R19); the route timeout starts
 *     (R31: 504 gateway-timeout); the pod's queue (R38); the answer goes
 *     back through the router.
 *
 * Every decision reads the configuration of the process that accepted the
 * connection (R28): the request holds a reference to it, so a reload while
 * it is in flight does not change its servers or counts, as with HAProxy's
 * old processes finishing their connections.
 *
 * COST
 * ----
 * One hash lookup for the host, a scan of that host's routes for the path,
 * and the balancer's O(servers of the route): nothing depends on the number
 * of routes, pods or namespaces of the cluster.
 *
 * Rules: R19-R31, R34, R35.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/router.h"
#include "rahtisim/util.h"
#include "net/net.h"
#include "net/router-walk.h"

#define RT_CONNECT_TIMEOUT (5 * RS_SEC)     /* R29: timeout connect 5s */
#define RT_RETRIES 3                        /* R29: HAProxy's default `retries 3` */
#define RT_RETRY_DELAY RS_SEC               /* C6: min(1 s, timeout connect) after an error */

static void pick_and_send(RsReq *req, int exclude, bool first);

/* The backend a request was sent to. */
static RsRtBackend *
req_backend(RsReq *req)
{
    return &req->proc->cfg->backends[req->be];
}

/* The balancer of the request's backend in its process (R26, R28); an
 * isolated request's own copy of it, servers included (src/net/isolate.c). */
static RsBalancer *
req_balancer(RsReq *req)
{
    RsBalancer *shared = &req->proc->bal[req->be];
    RsBalancer *bal = rs_req_own(req, shared, sizeof *shared);
    if (bal != shared && bal->s == shared->s) {
        bal->s = rs_req_own(req, shared->s, (size_t)shared->n * sizeof *shared->s);
        rs_balancer_forget_index(bal);  /* the copy scans: same picks, nothing shared */
    }
    return bal;
}

/* A reply made by the router: it reaches the client one edge latency later. */
static void
rt_reply(RsReq *req, RsOutcome outcome, int status)
{
    rs_req_reply_in(req, outcome, status, req->edge);
}

/* Which routes of a host a frontend chooses among (R21, C2). */
typedef enum {
    CAND_PORT80,        /* C2: plain routes, and TLS routes with insecure allow or redirect */
    CAND_TLS,           /* port 443 after termination: edge and reencrypt routes */
    CAND_ANY,           /* every route (to explain a miss) */
} Candidates;

/* R21: the route of a host for a path among `cand`: the longest path prefix. */
static RsRtBackend *
match_route(const RsRtHost *hh, const RsReq *req, Candidates cand)
{
    for (unsigned i = 0; hh != NULL && i < hh->n; i++) {
        RsRtBackend *be = hh->routes[i];
        if (cand == CAND_TLS && be->tls != RS_TLS_EDGE && be->tls != RS_TLS_REENCRYPT)
            continue;
        /* C2: the template puts a TLS route in the port 80 maps only with
         * insecure allow (os_http_be / edge map) or redirect (the redirect map) */
        if (cand == CAND_PORT80 && be->tls != RS_TLS_NONE && be->insecure == RS_INSECURE_NONE)
            continue;
        /* a route path of "" or "/" matches every path: answered without
         * the request's path (a cold line) or a strlen (issue 14) */
        if ((be->path[0] == '\0' || (be->path[0] == '/' && be->path[1] == '\0')) ||
            rs_route_path_matches(be->path, req->path))
            return be;
    }
    return NULL;
}

/* Records that no route serves the host and path (R21; C3 for a trailing dot). */
static void
no_route_hop(RsReq *req, RsRule rule, bool https, bool plain)
{
    RsHop *h = rs_req_hop(req, RS_HOP_NO_ROUTE, rule);
    rs_copy_str(h->name, req->host_hdr, sizeof h->name);
    h->flag = https;
    h->m = plain;
    h->n = req->host_dot && rs_net_world(req->net)->haproxy18;
}

/* Records the route chosen (R21). */
static void
route_hop(RsReq *req, const RsRtBackend *be, bool by_sni)
{
    RsHop *h = rs_req_hop(req, RS_HOP_ROUTE, RS_R21);
    h->svc = be->full;
    if (req->record)            /* else h is the sink, never read: spare the cold host_hdr */
        rs_copy_str(h->name, req->host_hdr, sizeof h->name);
    h->name2 = be->path;
    h->flag = by_sni;
}

/* R25, then a server: the backend's part of the walk. */
static void
backend(RsReq *req, RsRtBackend *be)
{
    req->be = (int)(be - req->proc->cfg->backends);
    uint32_t src = req->res.source_ip;
    if (!rs_whitelist_allows(&be->wl, src)) {
        /* R25: tcp-request content reject: closed without a response */
        RsHop *h = rs_req_hop(req, RS_HOP_WL_REJECT, RS_R25);
        h->svc = be->full;
        h->ip = src;
        h->n = be->wl.n;
        /* C4: on a passthrough route the reject closes the connection in the
         * middle of the TLS handshake: the client sees a TLS error */
        h->flag = be->tls == RS_TLS_PASSTHROUGH;
        rt_reply(req, be->tls == RS_TLS_PASSTHROUGH ? RS_OUTCOME_TLS_ERROR : RS_OUTCOME_REJECTED, 0);
        return;
    }
    if (be->wl.present) {
        RsHop *h = rs_req_hop(req, RS_HOP_WL_PASS, RS_R25);
        h->svc = be->full;
        h->ip = src;
        h->flag = be->wl.discarded;
    }
    pick_and_send(req, -1, true);
}

/* Event: the router's connection attempt reaches the server's address. */
static void ev_rt_arrive(RsEngine *eng, void *obj, uint64_t gen);

/* Picks a server (R26, R27; redispatch skips `exclude`, R29) and connects. */
static void
pick_and_send(RsReq *req, int exclude, bool first)
{
    RsWorld *w = rs_net_world(req->net);
    RsRtBackend *be = req_backend(req);
    RsBalancer *bal = req_balancer(req);
    int k = -1;
    RsRtPickHow how = exclude >= 0 ? RS_PICK_REDISPATCH : RS_PICK_BY_ALGO;
    if (exclude < 0 && be->cookies && req->host != NULL && req->host->cookies) {
        /* R27: the cookie this client holds for the route names a server; it
         * holds while that server is in the configuration and up (option
         * redispatch breaks it otherwise).  Each client of the host has its
         * own jar: different browsers are balanced independently. */
        RsPod *stuck = rs_host_cookie(req->host, be->full, req->client);
        for (unsigned i = 0; stuck != NULL && i < be->n_servers && k < 0; i++) {
            if (be->servers[i].pod == stuck && !bal->s[i].down) {
                k = (int)i;
                how = RS_PICK_BY_COOKIE;
            }
        }
    }
    RsRng *rng = NULL;
    if (k < 0) {
        rng = rs_world_rng(w, &req->rep->rng, req->requester);
        k = rs_balancer_pick(bal, rs_req_own(req, rng, sizeof(RsRng)), req->res.source_ip, exclude);    /* C10 */
    }
    if (k < 0) {
        /* R20: no server (no ready endpoints, all weights 0, all down): 503 */
        RsHop *h = rs_req_hop(req, RS_HOP_NO_SERVERS, RS_R20);
        h->svc = be->full;
        rt_reply(req, RS_OUTCOME_UNAVAILABLE, 503);
        return;
    }
    rs_balancer_take(bal, (unsigned)k);
    req->server = k;
    const RsRtServer *sv = &be->servers[k];
    req->sv = sv;
    req->fin_warm[0] = bal;             /* router_release's lines */
    req->fin_warm[1] = &bal->s[k];
    RsHostMemo *m = req->host_memo;
    if (m != NULL && req->rep->index < RS_HOST_MEMO_REPLICAS) {
        /* hints for the requester's next request (router_arrive) */
        const void **warm = m->rt[req->rep->index].warm;
        warm[0] = be;
        warm[1] = bal;
        warm[2] = bal->ix;
        warm[3] = be->servers;
        warm[4] = sv->pod;
        warm[5] = rng;
        const RsRtHost *hh = m->rt[req->rep->index].host;
        warm[6] = hh != NULL ? hh->routes : NULL;
        warm[7] = be->path;
    }
    req->res.to_pod = sv->pod->full;      /* plots: requests sent to each pod */
    RsHop *h = rs_req_hop(req, RS_HOP_BALANCE,
                          how == RS_PICK_BY_COOKIE ? RS_R27 : how == RS_PICK_REDISPATCH ? RS_R29 : RS_R26);
    h->svc = be->full;
    h->pod = sv->pod->full;
    h->ip2 = sv->pod->ip;
    h->port2 = sv->port;
    h->n = be->n_servers;
    h->m = how;
    h->n2 = be->balance;
    req->attempts++;
    rs_time_t lat = w->par.latency_cluster + (first ? w->par.latency_router : 0);
    rs_engine_after(w->eng, lat, ev_rt_arrive, req, req->gen);       /* two values: engine lanes */
}

/* Event: the router's connection attempt failed; retry or give up (R29). */
static void
ev_rt_retry(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done || req->lost)
        return;
    req->rtimer = 0;
    RsWorld *w = rs_net_world(req->net);
    if (req->attempts >= 1 + RT_RETRIES) {
        RsHop *h = rs_req_hop(req, RS_HOP_RT_GIVE_UP, RS_R29);
        h->svc = req_backend(req)->full;
        h->n = req->attempts;
        rt_reply(req, RS_OUTCOME_UNAVAILABLE, 503);
        return;
    }
    /* R29: option redispatch: rahti-1 (HAProxy 1.8) retries the same server
     * and redispatches the last retry; C6: rahti-2 (HAProxy >= 2.6.12)
     * redispatches at the first retry */
    if (req->attempts == RT_RETRIES || (req->attempts == 1 && !w->haproxy18)) {
        RsBalancer *bal = req_balancer(req);
        int old = req->server;
        rs_balancer_release(bal, (unsigned)old);
        req->server = -1;
        pick_and_send(req, old, false);
        return;
    }
    req->attempts++;
    rs_engine_after(eng, w->par.latency_cluster, ev_rt_arrive, req, req->gen);
}

/* Event: the route timeout passed without an answer (R31): 504. */
static void
ev_rt_timeout(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done || req->lost || req->answering)
        return;
    req->rtimer = 0;
    RsHop *h = rs_req_hop(req, RS_HOP_GATEWAY_TIMEOUT, RS_R31);
    h->svc = req_backend(req)->full;
    h->n = (unsigned)(req_backend(req)->timeout / RS_MS);
    if (req_backend(req)->tls == RS_TLS_PASSTHROUGH) {
        /* C8: a TCP proxy cannot answer 504: `timeout tunnel` closes the
         * connection and the client sees a timeout */
        h->flag = true;
        rt_reply(req, RS_OUTCOME_TIMEOUT, 0);
        return;
    }
    rt_reply(req, RS_OUTCOME_GATEWAY_TIMEOUT, 504);
    (void)eng;
}

/* The name a reencrypt route's pod certificate must carry (R23). */
static void
service_cert_name(const RsRtServer *sv, char *buf, size_t len)
{
    g_snprintf(buf, len, "%s.%s.svc", sv->svc->name, sv->svc->ns->name);
}

/* Event: the router's connection reaches the server's address: the truth
 * decides (R29), then TLS and protocol (R23, R19), then the pod's queue. */
static void
ev_rt_arrive(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done || req->lost)
        return;
    RsWorld *w = rs_net_world(req->net);
    /* (the server's line through req->sv, not through the backend: the
     * backend, the server, the pod and its template are cold, and so each
     * is one load away, not a chain of them: issue 14) */
    const RsRtServer *sv = req->sv;
    __builtin_prefetch(sv->tmpl);      /* read when the pod takes it (R38) */
    RsRtBackend *be = req_backend(req);
    rs_time_t now = rs_engine_now(eng);
    /* The router connects to the address it loaded; whoever holds it now
     * answers.  While the loaded pod holds its address (has_ip: from its
     * start until it is gone, R3; the pool hands out no address a pod
     * holds) that is the pod itself: rs_world_pod_at's answer without the
     * lookup (issue 14), and its port is the one the reload found in its
     * template (sv->has_port, port_tls, tcp: a pod's template never changes). */
    RsPod *pod = sv->pod->has_ip ? sv->pod : rs_world_pod_at(w, sv->pod->ip);
    bool loaded = pod == sv->pod;
    const RsPodPort *pp = pod != NULL && !loaded ? rs_pod_port(pod, sv->port) : NULL;
    bool has_port = loaded ? sv->has_port : pp != NULL;
    bool port_tls = loaded ? sv->port_tls : pp != NULL && pp->tls != NULL;
    RsHop *h;
    bool blocked = false;
    if (pod != NULL && rs_policy_mode(w)) {
        /* R45: the router's connection comes from openshift-ingress (a node
         * address): only ingress rules admitting that namespace let it in;
         * a blocked SYN is dropped like a dead server's (R29 timing) */
        RsPeer src, dst;
        rs_peer_router(w, req->rep != NULL ? req->rep->index : 0, &src);
        rs_peer_pod(pod, &dst);
        blocked = !rs_req_policy_gate(req, &src, &dst, sv->port, RS_L4_TCP);
    }
    /* R51, R53, R55: a restarting or terminating (past SIGTERM) pod refuses;
     * a not-ready one (R52) still accepts what reaches it */
    if (pod == NULL || blocked || pod->crashed || !has_port || !rs_pod_accepts(pod)) {
        bool refused = pod != NULL && !pod->crashed && !blocked;
        h = rs_req_hop(req, RS_HOP_RT_CONNECT_FAIL, RS_R29);
        h->pod = pod != NULL ? pod->full : sv->pod->full;
        h->ip2 = sv->pod->ip;
        h->port2 = sv->port;
        h->flag = refused;
        h->n = req->attempts;
        /* R29: a dropped SYN waits the connect timeout, then the retry
         * goes at once; C6: a reset comes back at once, and HAProxy waits
         * min(1 s, timeout connect) before it retries */
        req->rtimer = rs_engine_timer(eng, now + (refused ? w->par.latency_cluster + RT_RETRY_DELAY : RT_CONNECT_TIMEOUT),
                                      ev_rt_retry, req, req->gen);
        return;
    }
    req->back = w->par.latency_cluster + req->edge;
    char need[300];
    if (port_tls && pp == NULL)
        pp = rs_pod_port(pod, sv->port);        /* its certificate (R23) */
    if (be->tls == RS_TLS_PASSTHROUGH && (!port_tls || !rs_cert_valid_for(pp->tls, req->host_hdr))) {
        /* R23: the client's TLS goes to the pod, which must hold a certificate for the host */
        h = rs_req_hop(req, RS_HOP_BACKEND_TLS, RS_R23);
        h->pod = pod->full;
        h->port = sv->port;
        h->m = be->tls;
        h->flag = port_tls;
        rs_copy_str(h->name, req->host_hdr, sizeof h->name);
        req->res.pod = pod->full;
        rs_req_reply_in(req, RS_OUTCOME_TLS_ERROR, 0, req->back);
        return;
    }
    if (be->tls == RS_TLS_REENCRYPT) {
        service_cert_name(sv, need, sizeof need);
        if (!port_tls || !rs_cert_valid_for(pp->tls, need)) {
            /* R23: the router cannot verify the pod: 503 */
            h = rs_req_hop(req, RS_HOP_BACKEND_TLS, RS_R23);
            h->pod = pod->full;
            h->port = sv->port;
            h->m = be->tls;
            h->flag = port_tls;
            rs_copy_str(h->name, need, sizeof h->name);
            rs_req_reply_in(req, RS_OUTCOME_UNAVAILABLE, 503, req->back);
            return;
        }
    } else if (be->tls != RS_TLS_PASSTHROUGH && port_tls) {
        /* edge and plain routes speak plain HTTP to the pod: a TLS port answers 400 */
        h = rs_req_hop(req, RS_HOP_HTTP_TO_TLS, RS_RULE_NONE);
        h->pod = pod->full;
        h->port = sv->port;
        req->res.pod = pod->full;
        rs_req_reply_in(req, RS_OUTCOME_BAD_REQUEST, 400, req->back);
        return;
    }
    if (be->tls != RS_TLS_PASSTHROUGH && (loaded ? sv->tcp : pod->tmpl->protocol == RS_PROTO_TCP)) {
        /* R19: the router speaks HTTP; a pod that does not answers nothing
         * HAProxy can parse: 502 Bad Gateway (the outcome word: unavailable) */
        h = rs_req_hop(req, RS_HOP_BAD_GATEWAY, RS_R19);
        h->pod = pod->full;
        h->port = sv->port;
        rs_req_reply_in(req, RS_OUTCOME_UNAVAILABLE, 502, req->back);
        return;
    }
    /* R31: the server timeout runs from the connection on.  Armed by ticket
     * (engine.h): the pod nearly always answers first and router_served
     * cancels it; the pipeline queues it (rt_queue_timer) whenever that is
     * not certain: the request waits in the pod's queue, its service time
     * reaches the timeout, the pod hangs, crashes or is killed (issue 14, D:
     * a pushed and cancelled timer per request). */
    req->ticket = rs_engine_ticket(eng);
    req->rt_at = now + be->timeout;
    req->rt_ticket = true;
    rs_req_pod_accept(req, pod);
}

/* Queues the server timer armed by ticket in ev_rt_arrive, if still armed:
 * at the time and in the place it had (R31). */
static void
rt_queue_timer(RsReq *req)
{
    if (!req->rt_ticket)
        return;
    req->rt_ticket = false;
    req->rtimer = rs_engine_timer_ticket(rs_net_world(req->net)->eng, req->rt_at, req->ticket, ev_rt_timeout, req, req->gen);
}

/* Cancels the router's timer, queued or armed by ticket. */
static void
rt_cancel_timer(RsReq *req)
{
    if (req->rtimer != 0)
        rs_engine_cancel(rs_net_world(req->net)->eng, req->rtimer);
    req->rtimer = 0;
    req->rt_ticket = false;
}

/* R30: the replica the VIP hands the connection to, among those in its
 * rotation; NULL (hop recorded) when none is in rotation or the chosen one
 * failed but is still in rotation: the connection is lost (timeout). */
static RsReplica *
pick_replica(RsReq *req)
{
    RsWorld *w = rs_net_world(req->net);
    RsHop *h;
    unsigned n = 0;
    for (unsigned i = 0; i < w->n_replicas; i++)
        n += w->replicas[i].in_rotation;
    if (n == 0) {
        h = rs_req_hop(req, RS_HOP_VIP_NO_REPLICA, RS_R30);
        h->ip = req->dst_ip;
        return NULL;
    }
    RsRng *vip = rs_world_rng(w, &w->vip_rng, req->requester);
    if (req->host_memo != NULL)
        req->host_memo->vip_stream = vip;       /* a hint for the next request */
    unsigned k = (unsigned)rs_rng_below(rs_req_own(req, vip, sizeof(RsRng)), n);      /* C10 */
    RsReplica *rep = NULL;
    for (unsigned i = 0; i < w->n_replicas && rep == NULL; i++) {
        if (w->replicas[i].in_rotation && k-- == 0)
            rep = &w->replicas[i];
    }
    h = rs_req_hop(req, RS_HOP_VIP_REPLICA, RS_R30);
    g_assert(rep != NULL);      /* k < n: the loop found the k-th replica in rotation */
    h->n = rep->index;
    if (!rep->up) {
        h = rs_req_hop(req, RS_HOP_REPLICA_DOWN, RS_R30);
        h->n = rep->index;
        return NULL;            /* R30: lost until failover: timeout */
    }
    return rep;
}

/* R19: whether the client speaks the protocol of the port it reached;
 * if not, the reply (400 or tls-error) is sent and false returned. */
static bool
protocol_matches_port(RsReq *req)
{
    if (req->port == 80 && req->scheme != RS_SCHEME_HTTP) {
        /* R19: TLS on 80 gets an HTTP 400 the client cannot read; tcp gets 400 */
        RsHop *h = rs_req_hop(req, RS_HOP_VIP_PROTOCOL, RS_R19);
        h->port = req->port;
        h->m = req->scheme;
        if (req->scheme == RS_SCHEME_HTTPS)
            rt_reply(req, RS_OUTCOME_TLS_ERROR, 0);
        else
            rt_reply(req, RS_OUTCOME_BAD_REQUEST, 400);
        return false;
    }
    if (req->port == 443 && req->scheme != RS_SCHEME_HTTPS) {
        /* R19: the handshake fails: no TLS ClientHello */
        RsHop *h = rs_req_hop(req, RS_HOP_VIP_PROTOCOL, RS_R19);
        h->port = req->port;
        h->m = req->scheme;
        rt_reply(req, RS_OUTCOME_TLS_ERROR, 0);
        return false;
    }
    return true;
}

/* Port 80 (the router's public_http frontend): Host + path among the
 * host's routes (R21), then the insecure policy of a TLS route (R24). */
static void
serve_port_80(RsReq *req, const RsRtHost *hh)
{
    RsHop *h;
    RsRtBackend *be = match_route(hh, req, CAND_PORT80);
    if (be == NULL) {
        RsRtBackend *tls = match_route(hh, req, CAND_ANY);
        if (tls != NULL) {
            /* R24, C2: only a TLS route with insecure none covers this path
             * (no candidate on port 80): HTTP 503 */
            route_hop(req, tls, false);
            h = rs_req_hop(req, RS_HOP_INSECURE, RS_R24);
            h->svc = tls->full;
            h->m = tls->insecure;
            rt_reply(req, RS_OUTCOME_UNAVAILABLE, 503);
            return;
        }
        no_route_hop(req, RS_R21, false, false);
        rt_reply(req, RS_OUTCOME_UNAVAILABLE, 503);
        return;
    }
    route_hop(req, be, false);
    if (be->tls != RS_TLS_NONE && be->insecure != RS_INSECURE_ALLOW) {
        /* R24: port 80 of a TLS route: redirect before anything else */
        h = rs_req_hop(req, RS_HOP_INSECURE, RS_R24);
        h->svc = be->full;
        h->m = be->insecure;
        if (be->insecure == RS_INSECURE_REDIRECT) {
            h = rs_req_hop(req, RS_HOP_REDIRECT, RS_R24);
            rs_copy_str(h->name, req->host_hdr, sizeof h->name);
            rt_reply(req, RS_OUTCOME_REDIRECT, 302);
        } else {
            rt_reply(req, RS_OUTCOME_UNAVAILABLE, 503);
        }
        return;
    }
    if (be->tls != RS_TLS_NONE) {
        h = rs_req_hop(req, RS_HOP_INSECURE, RS_R24);
        h->svc = be->full;
        h->m = be->insecure;
    }
    backend(req, be);
}

/* Port 443 (the router's public_ssl frontend): passthrough by SNI (R21,
 * R23), else TLS termination with the route's or the wildcard certificate
 * (R23), then Host + path among edge and reencrypt routes (R21). */
static void
serve_port_443(RsReq *req, const RsRtHost *hh)
{
    RsWorld *w = rs_net_world(req->net);
    RsHop *h;
    uint32_t lit;
    bool sni = req->host_hdr[0] != '\0' && !rs_parse_ipv4(req->host_hdr, &lit);
    if (sni && hh != NULL && hh->passthrough != NULL) {
        /* R21, R23: passthrough is chosen by SNI alone */
        route_hop(req, hh->passthrough, true);
        backend(req, hh->passthrough);
        return;
    }
    /* R23: the router terminates TLS: the route's certificate, else the wildcard one */
    bool app = sni && rs_app_domain_name(req->host_hdr, w->app_domain);
    bool own = sni && hh != NULL && hh->has_cert;
    h = rs_req_hop(req, RS_HOP_TLS_CERT, RS_R23);
    rs_copy_str(h->name, sni ? req->host_hdr : "", sizeof h->name);
    h->flag = app || own;
    h->m = own ? RS_HOP_CERT_OWN : app ? RS_HOP_CERT_WILDCARD : RS_HOP_CERT_NONE;
    if (!h->flag) {
        rt_reply(req, RS_OUTCOME_TLS_ERROR, 0);
        return;
    }
    if (req->host_dot && w->haproxy18)
        hh = NULL;              /* C3: the Host header keeps its trailing dot */
    RsRtBackend *be = match_route(hh, req, CAND_TLS);
    if (be == NULL) {
        bool plain = match_route(hh, req, CAND_ANY) != NULL;
        no_route_hop(req, plain ? RS_R23 : RS_R21, true, plain);
        rt_reply(req, RS_OUTCOME_UNAVAILABLE, 503);
        return;
    }
    route_hop(req, be, false);
    backend(req, be);
}

/* R21, R22: the Host header's entry in the configuration of the process
 * that accepted the request (R28), or NULL.  A requester that keeps its
 * Host header (req->host_memo, dns.h) keeps the answer per replica while
 * that replica runs the same process: a loaded configuration never changes
 * and a reload starts a process of a higher generation, so a kept entry is
 * exactly what the lookup answers now (issue 14: no hash of the header). */
static const RsRtHost *
host_entry(RsReq *req)
{
    RsRtProc *p = req->proc;
    RsHostMemo *m = req->host_memo;
    unsigned i = req->rep->index;
    if (m == NULL || i >= RS_HOST_MEMO_REPLICAS)
        return g_hash_table_lookup(p->cfg->by_host, req->host_hdr);
    if (m->rt[i].gen != p->gen) {
        m->rt[i].host = g_hash_table_lookup(p->cfg->by_host, req->host_hdr);
        m->rt[i].gen = p->gen;
    }
    return m->rt[i].host;
}

/* The connection reaches the VIP (R19, R30): a replica, the protocol, the
 * loaded configuration (R28), then the frontend of the port. */
static void
router_arrive(RsReq *req)
{
    RsHop *h;
    if (req->port != 80 && req->port != 443) {
        /* R19 (R35 from outside): the load balancer listens on 80 and 443 only */
        h = rs_req_hop(req, RS_HOP_VIP_PORT, req->host != NULL ? RS_R35 : RS_R19);
        h->ip = req->dst_ip;
        h->port = req->port;
        return;                 /* dropped: the client's timer fires */
    }
    RsHostMemo *m = req->host_memo;
    if (m != NULL) {
        /* What this request will touch if it goes as the requester's last
         * one did, fetched at once rather than one cold line at a time
         * (the stream, then the host's entry, the backend, the balancer,
         * the pod: issue 14).  Hints only. */
        RsWorld *w = rs_net_world(req->net);
        rs_engine_prefetch_timer(w->eng, req->timer);  /* disarmed below */
        __builtin_prefetch(m->vip_stream);
        for (unsigned i = 0; i < w->n_replicas && i < RS_HOST_MEMO_REPLICAS; i++) {
            __builtin_prefetch(m->rt[i].host);
            for (unsigned j = 0; j < RS_HOST_MEMO_WARM; j++)
                __builtin_prefetch(m->rt[i].warm[j]);
        }
    }
    RsReplica *rep = pick_replica(req);
    if (rep == NULL)
        return;
    /* Accepted: the router bounds the client's wait from here. */
    rs_req_disarm_timer(req);
    req->routed = true;
    req->rep = rep;
    req->rep_epoch = rep->epoch;
    if (!protocol_matches_port(req))
        return;
    if (rep->proc == NULL) {
        h = rs_req_hop(req, RS_HOP_NO_ROUTE, RS_R28);      /* not loaded yet */
        rs_copy_str(h->name, req->host_hdr, sizeof h->name);
        rt_reply(req, RS_OUTCOME_UNAVAILABLE, 503);
        return;
    }
    req->proc = rep->proc;
    rs_rt_proc_ref(req->proc);
    /* (the memo knows the header's length: host_hdr is a cold line) */
    bool has_hdr = req->host_memo != NULL ? req->has_hdr : req->host_hdr[0] != '\0';
    const RsRtHost *hh = has_hdr ? host_entry(req) : NULL;
    if (req->port == 80)
        serve_port_80(req, req->host_dot && rs_net_world(req->net)->haproxy18 ? NULL : hh);  /* C3 */
    else
        serve_port_443(req, hh);
}

/* The pod answered a routed request: cookies (R27), the router's timers. */
static void
router_served(RsReq *req)
{
    rt_cancel_timer(req);
    req->answering = true;
    RsRtBackend *be = req_backend(req);
    if (be->cookies && req->host != NULL && req->host->cookies && req->server >= 0 && !req->isolated) {
        /* R27: Set-Cookie names the server; a browser (this client) keeps it (an
         * isolated request leaves the jar as it was, src/net/isolate.c) */
        rs_host_set_cookie(req->host, be->full, req->client, be->servers[req->server].pod);
    }
}

/* The router's part of finishing a request: connection counts (R26), the
 * reference to the process that accepted it (R28). */
static void
router_release(RsReq *req)
{
    rt_cancel_timer(req);
    if (req->proc == NULL)
        return;
    if (req->be >= 0 && req->server >= 0)
        rs_balancer_release(req_balancer(req), (unsigned)req->server);
    rs_rt_proc_unref(req->proc);
    req->proc = NULL;
}

/* The router's hooks into the request pipeline; see net/router-walk.h. */
const RsNetRouter rs_router_walk = {
    .arrive = router_arrive,
    .served = router_served,
    .release = router_release,
    .queue_timer = rt_queue_timer,
};
