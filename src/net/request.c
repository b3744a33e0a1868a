/* request.c: the request pipeline: one request as a sequence of engine events.
 *
 * THE WALK
 * --------
 *   start ── name? ──> DNS query (one event per candidate, each costs the
 *     │                cluster latency; R17) ── NXDOMAIN after the last ──> nxdomain
 *     │ @ns/pod: the address that pod has or last had; IPv4 literal: as is
 *     v
 *   connect (the client's timer starts: connect_timeout, R38)
 *     │ ClusterIP: the service data plane on the client's node decides, from
 *     │   its VIEW (R15): other namespace -> dropped (R12); port not
 *     │   exported -> dropped (R11); no endpoints -> refused (R14); else one
 *     │   endpoint per connection (R13): the destination becomes pod:port
 *     v
 *   arrive at the pod address (one cluster latency later): the TRUTH decides:
 *     no live pod holds it -> dropped (R9); a pod of another namespace ->
 *     dropped (R2/R9); crashed -> no answer (R7); starting, failing or not
 *     listening on the port -> refused (R5, R4, R9); TLS mismatch -> tls-error
 *     or HTTP 400; else the pod's queue (R38)
 *     v
 *   served after an exponential service time from the pod's stream (R38),
 *   answer back one cluster latency later -> ok
 * A drop schedules nothing: the client's timer fires and the outcome is
 * timeout.  The timer covers connecting and waiting in the pod's queue; when
 * the pod starts serving, it is re-armed for the answer (a client waits at
 * most connect_timeout for each), so a pod that crashes while serving, or
 * serves too slowly, also ends in timeout.  A connection is never retried
 * on another endpoint (R13).
 *
 * THE OBJECTS
 * -----------
 * Requests are pooled: a free list of RsReq that grows only when more
 * requests are in flight than ever before, so bulk traffic does no malloc
 * per request or per hop.  Every event carries the request's generation;
 * a request returned to the pool bumps it, so a late event for a finished
 * request is recognised and ignored.  A request that the client has given
 * up on but that still sits in a pod's queue or service slot stays out of
 * the pool until the pod lets go of it (`at_pod`).  A pod's queue is an
 * intrusive FIFO through the requests (no node allocation).  Hops are
 * recorded only when asked (a GArray per recording request).
 *
 * COST
 * ----
 * Each step is O(1): hash lookups by address and name, an array index for
 * the endpoint, a queue push/pop.  Nothing depends on the number of pods,
 * services or namespaces.
 *
 * Rules: R2, R5, R7, R9, R11-R15, R17, R38 (and R4 for failing pods).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "rahtisim/dns.h"
#include "net/net.h"

struct RsReq {
    RsNet *net;
    uint32_t gen;               /* bumped when returned to the pool */
    bool done;                  /* the client has its result */
    bool at_pod;                /* in a pod's queue or service slot */
    bool record;
    bool via_svc;
    RsReq *next;                /* free list, or the pod's queue */
    RsPod *src;
    RsNamespace *src_ns;
    RsPod *at;                  /* the pod holding it (at_pod) */
    RsScheme scheme;
    uint16_t port;              /* the port connected to (after the service: the target port) */
    char name[RS_DNS_NAME_MAX]; /* the name to resolve, as written */
    unsigned cand;              /* next search candidate (R17) */
    uint32_t dst_ip;
    RsService *svc;             /* the service it went through */
    RsTimer timer;
    RsOutcome reply_outcome;    /* what the pending reply event delivers */
    int reply_status;
    RsResult res;
    GArray *hops;               /* RsHop, only when recording */
    RsRequestDone done_cb;
    void *data;
};

struct RsNet {
    RsWorld *w;
    RsEngine *eng;
    RsSim *owner;
    GPtrArray *all;             /* every RsReq ever allocated (owning) */
    RsReq *free_list;
    unsigned in_flight;
    RsHop sink;                 /* written by hop() when not recording; never read */
};

static void serve_start(RsReq *req, RsPod *pod);

/* Frees one pooled request. */
static void
req_free(RsReq *req)
{
    if (req->hops != NULL)
        g_array_unref(req->hops);
    g_free(req);
}

/* Creates the pipeline for a world. */
RsNet *
rs_net_new(RsWorld *w, RsSim *owner)
{
    RsNet *net = g_new0(RsNet, 1);
    net->w = w;
    net->eng = w->eng;
    net->owner = owner;
    net->all = g_ptr_array_new_with_free_func((GDestroyNotify)req_free);
    return net;
}

/* Frees the pipeline and every pooled request. */
void
rs_net_free(RsNet *net)
{
    if (net == NULL)
        return;
    g_ptr_array_unref(net->all);
    g_free(net);
}

/* Requests ever allocated. */
unsigned
rs_net_pool_size(const RsNet *net)
{
    return net->all->len;
}

/* Requests not yet finished. */
unsigned
rs_net_in_flight(const RsNet *net)
{
    return net->in_flight;
}

/* Takes a request from the pool (allocating only when it is empty). */
static RsReq *
req_get(RsNet *net)
{
    RsReq *req = net->free_list;
    if (req != NULL) {
        net->free_list = req->next;
    } else {
        req = g_new0(RsReq, 1);
        req->net = net;
        g_ptr_array_add(net->all, req);
    }
    uint32_t gen = req->gen;
    GArray *hops = req->hops;
    memset(req, 0, sizeof *req);
    req->net = net;
    req->gen = gen;
    req->hops = hops;
    if (hops != NULL)
        g_array_set_size(hops, 0);
    return req;
}

/* Returns a request to the pool; late events see a new generation. */
static void
req_put(RsReq *req)
{
    g_assert(req->done && !req->at_pod);
    req->gen++;
    req->next = req->net->free_list;
    req->net->free_list = req;
}

/* Appends a hop (when recording) and returns it for the caller to fill. */
static RsHop *
hop(RsReq *req, RsHopKind kind, RsRule rule)
{
    if (!req->record)
        return &req->net->sink;
    if (req->hops == NULL)
        req->hops = g_array_sized_new(FALSE, TRUE, sizeof(RsHop), 8);
    RsHop h = {.at = rs_engine_now(req->net->eng), .kind = kind, .rule = rule};
    g_array_append_val(req->hops, h);
    return &g_array_index(req->hops, RsHop, req->hops->len - 1);
}

/* Delivers the result to the client now: the request is done. */
static void
finish(RsReq *req, RsOutcome outcome, int status)
{
    RsNet *net = req->net;
    if (req->done)
        return;
    req->done = true;
    net->in_flight--;
    if (req->timer != 0) {
        rs_engine_cancel(net->eng, req->timer);
        req->timer = 0;
    }
    req->res.outcome = outcome;
    req->res.status = status;
    req->res.latency = rs_engine_now(net->eng) - req->res.started;
    if (req->record && req->hops != NULL) {
        req->res.hops = (const RsHop *)(void *)req->hops->data;
        req->res.n_hops = req->hops->len;
    }
    if (req->done_cb != NULL)
        req->done_cb(net->owner, &req->res, req->data);
    req->res.hops = NULL;
    if (!req->at_pod)
        req_put(req);
}

/* Event: a reply (refusal, TLS failure, answer) reaches the client. */
static void
ev_reply(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    if (req->reply_outcome == RS_OUTCOME_OK && req->record) {
        RsHop *h = hop(req, RS_HOP_ANSWER, RS_R38);
        h->pod = req->res.pod;
        h->n = (unsigned)req->reply_status;
        h->flag = req->at != NULL && req->at->tmpl->protocol == RS_PROTO_TCP &&
                  req->scheme != RS_SCHEME_TCP;
    }
    finish(req, req->reply_outcome, req->reply_status);
    (void)eng;
}

/* Delivers `outcome` to the client `delay` from now, from an engine event. */
static void
reply_in(RsReq *req, RsOutcome outcome, int status, rs_time_t delay)
{
    req->reply_outcome = outcome;
    req->reply_status = status;
    rs_engine_schedule(req->net->eng, rs_engine_now(req->net->eng) + delay, ev_reply, req, req->gen);
}

/* Sends a reply back to the client: it arrives one cluster latency later. */
static void
reply(RsReq *req, RsOutcome outcome, int status)
{
    reply_in(req, outcome, status, req->net->w->latency_cluster);
}

/* Event: the client's timer fires: it gives up (R38). */
static void
ev_timeout(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    req->timer = 0;
    RsHop *h = hop(req, RS_HOP_TIMEOUT, RS_R38);
    h->ip = req->dst_ip;
    finish(req, RS_OUTCOME_TIMEOUT, 0);
    (void)eng;
}

/* (Re)arms the client's timer for connect_timeout from now. */
static void
arm_timer(RsReq *req)
{
    RsNet *net = req->net;
    if (req->timer != 0)
        rs_engine_cancel(net->eng, req->timer);
    req->timer = rs_engine_timer(net->eng, rs_engine_now(net->eng) + net->w->connect_timeout,
                                 ev_timeout, req, req->gen);
}

/* Event: the pod has served a request (R38); it takes the next from its queue. */
static void
ev_served(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    RsPod *pod = req->at;
    g_assert(req->gen == (uint32_t)gen && req->at_pod);
    pod->busy--;
    req->at_pod = false;
    /* The next waiting request that the client has not given up on. */
    while (!pod->crashed && pod->q_head != NULL && pod->busy < pod->tmpl->concurrency) {
        RsReq *next = pod->q_head;
        pod->q_head = next->next;
        if (pod->q_head == NULL)
            pod->q_tail = NULL;
        pod->queued--;
        next->next = NULL;
        if (next->done) {
            next->at_pod = false;
            req_put(next);
            continue;
        }
        serve_start(next, pod);
    }
    if (req->done) {
        req_put(req);
        return;
    }
    if (pod->crashed)
        return;                 /* R7: no answer; the client's timer will fire */
    req->res.pod = pod->full;
    int status = (req->scheme != RS_SCHEME_TCP && pod->tmpl->protocol == RS_PROTO_HTTP) ? 200 : 0;
    reply(req, RS_OUTCOME_OK, status);
    (void)eng;
}

/* The pod takes the request into a worker: service time from its own stream (R38). */
static void
serve_start(RsReq *req, RsPod *pod)
{
    RsNet *net = req->net;
    pod->busy++;
    req->at_pod = true;
    req->at = pod;
    RsHop *h = hop(req, RS_HOP_SERVE, RS_R38);
    h->pod = pod->full;
    h->n = pod->busy;
    h->m = pod->tmpl->concurrency;
    /* Accepted: the client now waits up to connect_timeout for the answer. */
    arm_timer(req);
    double mean = (double)pod->tmpl->service_time;
    rs_time_t st = mean > 0 ? (rs_time_t)llround(rs_rng_exponential(&pod->rng, mean)) : 0;
    rs_engine_schedule(net->eng, rs_engine_now(net->eng) + st, ev_served, req, req->gen);
}

/* Event: the connection reaches the destination address; the truth decides (R9). */
static void
ev_arrive(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    RsWorld *w = req->net->w;
    RsPod *pod = rs_world_pod_at(w, req->dst_ip);
    RsHop *h;
    if (pod == NULL) {
        /* R9 (R15 when a stale view sent it here): dropped, the timer fires. */
        h = hop(req, RS_HOP_NO_HOLDER, req->via_svc ? RS_R15 : RS_R9);
        h->ip = req->dst_ip;
        h->svc = req->via_svc ? req->svc->full : NULL;
        return;
    }
    if (pod->ns != req->src_ns) {
        h = hop(req, RS_HOP_POD_OTHER_NS, RS_R9);    /* R2: isolated networks */
        h->pod = pod->full;
        h->ns = req->src_ns->name;
        return;
    }
    if (pod->crashed) {
        h = hop(req, RS_HOP_POD_CRASHED, RS_R7);
        h->pod = pod->full;
        return;
    }
    h = NULL;
    if (pod->state == RS_POD_FAILED) {
        h = hop(req, RS_HOP_POD_FAILED, RS_R4);
        h->n = (unsigned)pod->tmpl->privileged_port;
    } else if (pod->state != RS_POD_READY) {
        h = hop(req, RS_HOP_POD_STARTING, RS_R5);
    } else {
        const RsPodPort *pp = rs_pod_port(pod, req->port);
        if (pp == NULL) {
            h = hop(req, RS_HOP_NO_LISTENER, RS_R9);
        } else if (req->scheme == RS_SCHEME_HTTPS && pp->tls == NULL) {
            /* https to a plain port: the server answers the ClientHello with
             * something that is not TLS: the handshake fails. */
            h = hop(req, RS_HOP_TLS_PLAIN, RS_RULE_NONE);
            h->pod = pod->full;
            h->port = req->port;
            req->res.pod = pod->full;
            reply(req, RS_OUTCOME_TLS_ERROR, 0);
            return;
        } else if (req->scheme == RS_SCHEME_HTTP && pp->tls != NULL) {
            /* Plain HTTP to a TLS port: nginx and Go answer 400 ("The plain
             * HTTP request was sent to HTTPS port"). */
            h = hop(req, RS_HOP_HTTP_TO_TLS, RS_RULE_NONE);
            h->pod = pod->full;
            h->port = req->port;
            req->res.pod = pod->full;
            reply(req, RS_OUTCOME_BAD_REQUEST, 400);
            return;
        }
    }
    if (h != NULL) {
        /* Refused: the pod's kernel answers the SYN with a reset. */
        h->pod = pod->full;
        h->port = req->port;
        reply(req, RS_OUTCOME_REFUSED, 0);
        return;
    }
    /* R38: a free worker serves it now; otherwise it waits in the queue. */
    req->at = pod;
    if (pod->busy < pod->tmpl->concurrency && pod->q_head == NULL) {
        serve_start(req, pod);
        return;
    }
    h = hop(req, RS_HOP_QUEUED, RS_R38);
    h->pod = pod->full;
    h->n = pod->queued;
    req->at_pod = true;
    req->next = NULL;
    if (pod->q_tail != NULL)
        pod->q_tail->next = req;
    else
        pod->q_head = req;
    pod->q_tail = req;
    pod->queued++;
    (void)eng;
}

/* The world's hook: a pod stopped.  Deleted (R6): requests still waiting are
 * refused as its listening socket closes; those in service finish
 * (graceful).  Crashed (R7): nothing answers; the clients' timers fire. */
void
rs_net_pod_stopped(void *data, RsPod *pod, bool crashed)
{
    RsNet *net = data;
    RsReq *req = pod->q_head;
    pod->q_head = pod->q_tail = NULL;
    pod->queued = 0;
    while (req != NULL) {
        RsReq *next = req->next;
        req->next = NULL;
        req->at_pod = false;
        if (req->done) {
            req_put(req);
        } else if (!crashed) {
            RsHop *h = hop(req, RS_HOP_SHUTDOWN, RS_R6);
            h->pod = pod->full;
            reply(req, RS_OUTCOME_REFUSED, 0);
        }
        req = next;
    }
    (void)net;
}

/* The client connects to dst_ip:port (timer starts); a ClusterIP is
 * translated by the service data plane's view on the client's node. */
static void
connect_now(RsReq *req)
{
    RsNet *net = req->net;
    RsWorld *w = net->w;
    rs_time_t now = rs_engine_now(net->eng);
    RsHop *h = hop(req, RS_HOP_CONNECT, RS_RULE_NONE);
    h->ip = req->dst_ip;
    h->port = req->port;
    req->res.source_ip = req->src->ip;
    req->res.dest_ip = req->dst_ip;
    req->res.dest_port = req->port;
    arm_timer(req);

    if (rs_addr_pool_contains(&w->pod_pool, req->dst_ip)) {
        rs_engine_schedule(net->eng, now + w->latency_cluster, ev_arrive, req, req->gen);
        return;
    }
    RsService *svc = rs_world_service_at(w, req->dst_ip);
    if (svc == NULL) {
        if (req->dst_ip >= w->svc_pool.net && (uint64_t)req->dst_ip - w->svc_pool.net < w->svc_pool.size) {
            h = hop(req, RS_HOP_NO_SERVICE, RS_R10);
        } else if (req->dst_ip == w->router_vip) {
            h = hop(req, RS_HOP_ROUTER, RS_RULE_NONE);
        } else {
            h = hop(req, RS_HOP_OUTSIDE, RS_RULE_NONE);
        }
        h->ip = req->dst_ip;
        return;                 /* dropped: the timer fires */
    }
    req->svc = svc;
    if (svc->ns != req->src_ns) {
        h = hop(req, RS_HOP_SVC_OTHER_NS, RS_R12);
        h->svc = svc->full;
        h->ns = req->src_ns->name;
        return;
    }
    if (svc->view == NULL) {
        h = hop(req, RS_HOP_NO_RULES, RS_R15);
        h->svc = svc->full;
        h->ip = req->dst_ip;
        return;
    }
    RsViewPort *vp = rs_view_port(svc->view, req->port);
    if (vp == NULL) {
        h = hop(req, RS_HOP_SVC_NO_PORT, RS_R11);
        h->svc = svc->full;
        h->port = req->port;
        return;
    }
    if (vp->n_eps == 0) {
        /* R14: kube-proxy's REJECT rule: refused at once. */
        h = hop(req, RS_HOP_SVC_NO_ENDPOINTS, RS_R14);
        h->svc = svc->full;
        h->port = req->port;
        reply(req, RS_OUTCOME_REFUSED, 0);
        return;
    }
    RsPickHow how;
    const RsEndpoint *ep = rs_service_pick(svc, vp, req->src->ip, &how);
    h = hop(req, RS_HOP_SVC_PICK, RS_R13);
    h->svc = svc->full;
    h->pod = ep->pod->full;
    h->ip2 = ep->pod->ip;
    h->port2 = ep->port;
    h->port = req->port;
    h->n = vp->n_eps;
    h->m = (unsigned)how;
    req->via_svc = true;
    req->dst_ip = ep->pod->ip;
    req->port = ep->port;
    rs_engine_schedule(net->eng, now + w->latency_cluster, ev_arrive, req, req->gen);
}

/* Event: one resolver query is answered (R17); on NXDOMAIN the next candidate. */
static void
ev_dns(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    RsWorld *w = req->net->w;
    char cand[RS_DNS_NAME_MAX];
    if (!rs_dns_candidate(w, req->src_ns->name, req->name, req->cand, cand)) {
        RsHop *h = hop(req, RS_HOP_NXDOMAIN, RS_R17);
        g_strlcpy(h->name, req->name, sizeof h->name);
        h->n = req->res.dns_queries;
        finish(req, RS_OUTCOME_NXDOMAIN, 0);
        return;
    }
    RsDnsQuery q;
    rs_dns_query(w, cand, &q);
    req->res.dns_queries++;
    req->cand++;
    RsHop *h = hop(req, RS_HOP_DNS_QUERY, q.rule);
    g_strlcpy(h->name, cand, sizeof h->name);
    h->found = q.found;
    h->n = q.n_addrs;
    h->ip = q.found ? q.addrs[0] : 0;
    h->svc = q.service;
    if (q.found) {
        h = hop(req, RS_HOP_RESOLVED, RS_R17);
        g_strlcpy(h->name, req->name, sizeof h->name);
        h->ip = q.addrs[0];
        h->n = req->res.dns_queries;
        /* A headless answer lists the endpoints; the client takes the first. */
        req->dst_ip = q.addrs[0];
        connect_now(req);
        return;
    }
    char next[RS_DNS_NAME_MAX];
    if (!rs_dns_candidate(w, req->src_ns->name, req->name, req->cand, next)) {
        h = hop(req, RS_HOP_NXDOMAIN, RS_R17);
        g_strlcpy(h->name, req->name, sizeof h->name);
        h->n = req->res.dns_queries;
        finish(req, RS_OUTCOME_NXDOMAIN, 0);
        return;
    }
    rs_engine_schedule(eng, rs_engine_now(eng) + w->latency_cluster, ev_dns, req, req->gen);
}

/* Starts a request now; see net.h. */
void
rs_net_request(RsNet *net, RsPod *src, const char *who, bool from_host, const RsUrl *to,
               bool record, RsRequestDone done, void *data)
{
    RsWorld *w = net->w;
    RsReq *req = req_get(net);
    net->in_flight++;
    req->record = record;
    req->done_cb = done;
    req->data = data;
    req->res.started = rs_engine_now(net->eng);
    req->scheme = to->scheme;
    req->port = to->port;
    if (from_host) {
        RsHop *h = hop(req, RS_HOP_FROM_HOST, RS_RULE_NONE);
        g_strlcpy(h->name, who != NULL ? who : "?", sizeof h->name);
        reply_in(req, RS_OUTCOME_TIMEOUT, 0, 0);
        return;
    }
    if (src == NULL || !rs_pod_alive(src) ||
        (src->state != RS_POD_READY && src->state != RS_POD_RUNNING)) {
        RsHop *h = hop(req, RS_HOP_SOURCE_DOWN, RS_RULE_NONE);
        g_strlcpy(h->name, who != NULL ? who : "?", sizeof h->name);
        h->pod = src != NULL ? src->full : NULL;
        h->n = src != NULL ? (unsigned)src->state : (unsigned)RS_POD_GONE;
        h->flag = src != NULL && src->crashed;
        reply_in(req, RS_OUTCOME_TIMEOUT, 0, 0);
        return;
    }
    req->src = src;
    req->src_ns = src->ns;
    req->res.from_pod = src->full;
    RsHop *h = hop(req, RS_HOP_SOURCE, RS_RULE_NONE);
    h->pod = src->full;
    h->ip = src->ip;
    if (to->pod_ref != NULL) {
        const char *ref = to->pod_ref[0] == '@' ? to->pod_ref + 1 : to->pod_ref;
        RsPod *target = rs_world_pod_full(w, ref);
        if (target == NULL || !target->ever_ip) {
            h = hop(req, RS_HOP_NO_ADDRESS, RS_R3);
            g_strlcpy(h->name, to->pod_ref, sizeof h->name);
            reply_in(req, RS_OUTCOME_TIMEOUT, 0, 0);
            return;
        }
        h = hop(req, RS_HOP_POD_REF, RS_R3);
        h->pod = target->full;
        h->ip = target->ip;
        h->flag = target->has_ip;
        req->dst_ip = target->ip;
        connect_now(req);
    } else if (to->is_ip || to->host == NULL) {
        req->dst_ip = to->ip;
        connect_now(req);
    } else {
        g_strlcpy(req->name, to->host, sizeof req->name);
        rs_engine_schedule(net->eng, rs_engine_now(net->eng) + w->latency_cluster, ev_dns, req,
                           req->gen);
    }
}
