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
 * ISOLATION
 * ---------
 * rahti-1 (R39): other namespaces are walls (R9, R12) unless an admin
 * joined their networks or made one global.  rahti-2 (R40-R47): the walls
 * are network policies: the service data plane translates any ClusterIP,
 * and the connection to the pod (and out of the cluster, and to the DNS
 * pods, R46) passes the policy gate (rs_req_policy_gate below, R42).
 *
 * Rules: R2, R5, R7, R9, R11-R15, R17, R38 (and R4 for failing pods),
 * R39, R42, R46.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "rahtisim/dns.h"
#include "rahtisim/lb.h"
#include "rahtisim/util.h"
#include "rahtisim/router.h"     /* the pure parts (src/world/balance.c): CIDRs */
#include "net/net.h"


struct RsNet {
    RsWorld *w;
    RsEngine *eng;
    RsSim *owner;
    const RsNetRouter *router;  /* the router's walk (router.c), or NULL */
    GPtrArray *all;             /* every RsReq ever handed out */
    GPtrArray *slabs;           /* the blocks they live in (owning) */
    RsReq *slab_next;           /* the unused rest of the newest block */
    unsigned slab_left;
    RsReq *free_list;
    unsigned in_flight;
    RsHop sink;                 /* written by hop() when not recording; never read */
    bool isolating;             /* new requests are isolated (src/net/isolate.c) */
};

static void serve_start(RsReq *req, RsPod *pod);

/* C10: rs_world_rng(w, entity, req->requester), kept in the requester's memo
 * slot `i` (0: its service's, 1: its pod's): the world's streams are never
 * removed, so a kept one is what rs_world_rng answers (issue 14). */
static RsRng *
req_stream(RsReq *req, const RsRng *entity, unsigned i)
{
    RsHostMemo *m = req->host_memo;
    if (m == NULL)
        return rs_world_rng(req->net->w, entity, req->requester);
    if (m->stream[i].entity != entity || m->stream[i].requester != req->requester) {
        m->stream[i].rng = rs_world_rng(req->net->w, entity, req->requester);
        m->stream[i].entity = entity;
        m->stream[i].requester = req->requester;
    }
    return m->stream[i].rng;
}

/* Frees what one pooled request holds (its block is freed with the pipeline). */
static void
req_free(RsReq *req)
{
    rs_req_own_clear(req);
    if (req->hops != NULL)
        g_array_unref(req->hops);
}

/* Creates the pipeline for a world. */
RsNet *
rs_net_new(RsWorld *w, RsSim *owner, const RsNetRouter *router)
{
    RsNet *net = g_new0(RsNet, 1);
    net->router = router;
    net->w = w;
    net->eng = w->eng;
    net->owner = owner;
    net->all = g_ptr_array_new_with_free_func((GDestroyNotify)req_free);
    net->slabs = g_ptr_array_new_with_free_func(g_free);
    return net;
}

/* Frees the pipeline and every pooled request. */
void
rs_net_free(RsNet *net)
{
    if (net == NULL)
        return;
    /* Requests still holding a router process let it go (the world frees the rest). */
    for (unsigned i = 0; i < net->all->len; i++) {
        RsReq *req = net->all->pdata[i];
        g_clear_pointer(&req->proc, rs_rt_proc_unref);
    }
    g_ptr_array_unref(net->all);
    g_ptr_array_unref(net->slabs);
    g_free(net);
}

/* The world the pipeline runs in. */
RsWorld *
rs_net_world(const RsNet *net)
{
    return net->w;
}

/* Sets whether new requests are isolated; see net.h. */
void
rs_net_set_isolated(RsNet *net, bool isolated)
{
    net->isolating = isolated;
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
        /* Requests live in blocks (one calloc per block, not per request:
         * a matrix sends tens of thousands at one instant).  64 per block
         * stays below malloc's mmap threshold, so a freed pipeline's blocks
         * are reused by the next one without new page faults. */
        if (net->slab_left == 0) {
            net->slab_left = 64;
            net->slab_next = g_new0(RsReq, net->slab_left);
            g_ptr_array_add(net->slabs, net->slab_next);
        }
        req = net->slab_next++;
        net->slab_left--;
        req->net = net;
        g_ptr_array_add(net->all, req);
    }
    uint32_t gen = req->gen;
    GArray *hops = req->hops;
    memset(req, 0, offsetof(RsReq, own));       /* all but own[] and the strings (net.h) */
    req->name = req->host_hdr = req->path = "";
    req->net = net;
    req->gen = gen;
    req->hops = hops;
    if (hops != NULL)
        g_array_set_size(hops, 0);
    req->be = req->server = -1;
    req->back = net->w->par.latency_cluster;
    req->isolated = net->isolating;
    return req;
}

/* Returns a request to the pool; late events see a new generation. */
static void
req_put(RsReq *req)
{
    g_assert(req->done && !req->at_pod);
    rs_req_own_clear(req);
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

/* Appends a hop; see net.h. */
RsHop *
rs_req_hop(RsReq *req, RsHopKind kind, RsRule rule)
{
    return hop(req, kind, rule);
}

/* The network-policy gate of the request pipeline (it was src/net/policy.c,
 * which called back into this file for its hops).
 *
 * Every new connection the pipeline opens passes here when the platform
 * isolates with network policies (rahti-2, R40-R47): pod to pod (after the
 * service's translation: the target port, R44), pod to an address outside
 * (egress, R43 ip_block), the router to a pod (source: openshift-ingress,
 * R45), a pod to the cluster DNS pods (R46).  The verdict is
 * rs_policy_check (src/world/policy.c); the gate records it as two hops,
 * the egress side and the ingress side, each naming the policy and rule
 * that allowed it, or the policies that selected the pod and allowed
 * nothing, or that no policy selects the pod (R41).  A denied connection
 * is dropped: nothing is scheduled, the client's timer fires (R42).
 * Replies never pass here: they are always allowed (R42).
 */

/* Records one side as a hop. */
static void
side_hop(RsReq *req, bool ingress, const RsPeer *self, const RsPeer *other, uint16_t port,
         const RsPolSide *s)
{
    if (!req->record)
        return;
    RsRule rule = !s->isolated ? RS_R41 : RS_R42;
    RsHop *h = hop(req, ingress ? RS_HOP_POLICY_INGRESS : RS_HOP_POLICY_EGRESS, rule);
    h->pod = self->pod != NULL ? self->pod->full : NULL;
    h->ns = self->ns;
    h->flag = s->allowed;
    h->m = s->isolated;
    h->n = s->rule;
    h->n2 = s->n_selecting;
    h->name2 = s->policy != NULL ? s->policy->full : s->first != NULL ? s->first->full : NULL;
    h->ip = other->ip;
    h->port = port;
}

/* The gate; see net.h. */
bool
rs_req_policy_gate(RsReq *req, const RsPeer *src, const RsPeer *dst, uint16_t port, RsL4Proto proto)
{
    RsWorld *w = req->net->w;
    if (!rs_policy_mode(w))
        return true;
    RsPolSide eg, in;
    bool ok = rs_policy_check(w, src, dst, port, proto, &eg, &in);
    if (src->pod != NULL)
        side_hop(req, false, src, dst, port, &eg);
    if (eg.allowed && dst->pod != NULL)
        side_hop(req, true, dst, src, port, &in);
    return ok;
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
    req->timer_ticket = false;  /* never queued: cancelled */
    if (req->routed)
        net->router->release(req);
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
    if (req->gen != (uint32_t)gen || req->done || req->lost)
        return;                 /* R30: nothing comes back through a failed replica */
    /* finish's cold lines at once: the router's balancer, the client's
     * record of the request (done_cb's data): issue 14 */
    __builtin_prefetch(req->fin_warm[0]);
    __builtin_prefetch(req->fin_warm[1]);
    __builtin_prefetch(req->data);
    if (req->reply_outcome == RS_OUTCOME_OK && req->record && req->res.pod != NULL) {
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
    /* delay: 0, a timeout or a sum of the profile's latencies (edge,
     * back): a few values, each its own engine lane (issue 14) */
    rs_engine_after(req->net->eng, delay, ev_reply, req, req->gen);
}

/* Delivers a reply; see net.h. */
void
rs_req_reply_in(RsReq *req, RsOutcome outcome, int status, rs_time_t delay)
{
    reply_in(req, outcome, status, delay);
}

/* Sends a reply back to the client: it arrives `back` later (one cluster
 * latency inside the cluster; through the router and out, R38). */
static void
reply(RsReq *req, RsOutcome outcome, int status)
{
    reply_in(req, outcome, status, req->back);
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
    req->timer_ticket = false;
    req->timer = rs_engine_timer_after(net->eng, net->w->par.connect_timeout, ev_timeout, req, req->gen);
}

/* Arms the client's timer as arm_timer does, without queuing it yet: its
 * ticket (engine.h) keeps its place in the order, and timer_queue queues it
 * if it is still armed when the connection's fate is known.  For a
 * connection to the router VIP, which a replica nearly always accepts and
 * then disarms the timer (R38; issue 14, D: a cancelled timer per request,
 * its slot a cache miss, was ~7 % of the run). */
static void
arm_timer_ticket(RsReq *req)
{
    RsNet *net = req->net;
    if (req->timer != 0)
        rs_engine_cancel(net->eng, req->timer);
    req->timer = 0;
    req->ticket = rs_engine_ticket(net->eng);
    req->timer_ticket = true;
}

/* Queues the client's timer armed by arm_timer_ticket at `armed`, if still
 * armed. */
static void
timer_queue(RsReq *req, rs_time_t armed)
{
    if (!req->timer_ticket)
        return;
    req->timer_ticket = false;
    req->timer = rs_engine_timer_ticket(req->net->eng, armed + req->net->w->par.connect_timeout, req->ticket,
                                        ev_timeout, req, req->gen);
}

/* Arms the client's timer; see net.h. */
void
rs_req_arm_timer(RsReq *req)
{
    arm_timer(req);
}

/* Cancels the client's timer; see net.h. */
void
rs_req_disarm_timer(RsReq *req)
{
    if (req->timer != 0)
        rs_engine_cancel(req->net->eng, req->timer);
    req->timer = 0;
    req->timer_ticket = false;
}

/* A routed request's server timer, armed by ticket (router.c, ev_rt_arrive),
 * may run: it is queued where arming it at once would have put it (R31). */
static void
rt_timer_needed(RsReq *req)
{
    if (req->rt_ticket)
        req->net->router->queue_timer(req);
}

/* Takes a request out of its pod's in-service list. */
static void
service_unlink(RsReq *req, RsPod *pod)
{
    if (req->sprev != NULL)
        req->sprev->snext = req->snext;
    else
        pod->s_head = req->snext;
    if (req->snext != NULL)
        req->snext->sprev = req->sprev;
    req->snext = req->sprev = NULL;
    req->in_service = false;
}

/* Event: the pod has served a request (R38); it takes the next from its queue. */
static void
ev_served(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || !req->in_service)
        return;                 /* R51, R55: its pod was killed meanwhile: already reset */
    /* the neighbours in the pod's list and the router's timer: cold, and
     * read further on (issue 14) */
    __builtin_prefetch(req->snext, 1);
    __builtin_prefetch(req->sprev, 1);
    rs_engine_prefetch_timer(eng, req->rtimer);
    RsPod *pod = req->at;
    g_assert(req->at_pod);
    if (pod->hung && !pod->crashed) {
        rt_timer_needed(req);   /* the router's timeout decides (R31) */
        return;                 /* R53: the app hangs: it never answers; a kill resets it */
    }
    service_unlink(req, pod);
    if (!req->isolated)
        pod->busy--;            /* an isolated request took no worker (src/net/isolate.c) */
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
    bool crashed = pod->crashed;
    if (req->done)
        req_put(req);
    else if (!crashed) {
        req->res.pod = pod->full;
        int status = (req->scheme != RS_SCHEME_TCP && pod->tmpl->protocol == RS_PROTO_HTTP) ? 200 : 0;
        if (req->routed)
            req->net->router->served(req);
        reply(req, RS_OUTCOME_OK, status);
    } else {                    /* R7 (crashed): no answer; the client's timer will fire */
        rt_timer_needed(req);   /* ... or the router's (R31) */
    }
    if (pod->sigterm)
        rs_pod_request_done(req->net->w, pod);  /* R55: draining: it exits when idle */
    (void)eng;
}

/* The pod takes the request into a worker: service time from its own stream (R38). */
static void
serve_start(RsReq *req, RsPod *pod)
{
    RsNet *net = req->net;
    if (!req->isolated)
        pod->busy++;            /* an isolated request takes no worker (src/net/isolate.c) */
    req->at_pod = true;
    req->at = pod;
    req->in_service = true;
    req->sprev = NULL;
    req->snext = pod->s_head;
    if (pod->s_head != NULL)
        pod->s_head->sprev = req;
    pod->s_head = req;
    RsHop *h = hop(req, RS_HOP_SERVE, RS_R38);
    h->pod = pod->full;
    h->n = pod->busy + req->isolated;
    h->m = pod->tmpl->concurrency;
    /* Accepted: the client now waits up to connect_timeout for the answer;
     * behind the router, the router's server timeout bounds it (R31). */
    if (!req->routed)
        arm_timer(req);
    if (pod->hung) {
        /* R53: accepted, never answered: the client's (or the router's, R31) timer decides */
        h = hop(req, RS_HOP_POD_HUNG, RS_R53);
        h->pod = pod->full;
        rt_timer_needed(req);
        return;
    }
    double mean = (double)pod->tmpl->service_time;
    /* C10: the pod's stream for this requester (an isolated request's own copy of it) */
    RsRng *rng = rs_req_own(req, req_stream(req, &pod->rng, 1), sizeof(RsRng));
    if (req->host_memo != NULL)
        req->host_memo->svc_warm[11] = rng;     /* a hint (connect_now) */
    rs_time_t st = mean > 0 ? (rs_time_t)llround(rs_rng_exponential(rng, mean)) : 0;
    rs_time_t done_at = rs_engine_now(net->eng) + st;
    if (req->rt_ticket && done_at >= req->rt_at)
        rt_timer_needed(req);   /* R31: the router's timeout may come first */
    rs_engine_schedule(net->eng, done_at, ev_served, req, req->gen);
}

/* R23: whether a certificate valid for `cert` is valid for the name the
 * client asked for (`host`, lowercase, maybe with a trailing dot). */
static bool
pod_cert_valid(const char *cert, const char *host)
{
    char name[256];
    rs_copy_str(name, host, sizeof name);
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.')
        name[n - 1] = '\0';
    return name[0] != '\0' && rs_cert_valid_for(cert, name);
}

/* Event: the connection reaches the destination address; the truth decides (R9). */
static void
ev_arrive(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    RsWorld *w = req->net->w;
    /* Whoever holds the address now receives it.  While the endpoint's pod
     * holds its address (has_ip: from its start until it is gone, R3; the
     * pool hands out no address a pod holds) that is the pod itself:
     * rs_world_pod_at's answer without the lookup (issue 14). */
    RsPod *pod = req->ep_pod != NULL && req->ep_pod->has_ip && req->ep_pod->ip == req->dst_ip
                     ? req->ep_pod
                     : rs_world_pod_at(w, req->dst_ip);
    RsHop *h;
    if (pod == NULL) {
        /* R9 (R15 when a stale view sent it here): dropped, the timer fires. */
        h = hop(req, RS_HOP_NO_HOLDER, req->via_svc ? RS_R15 : RS_R9);
        h->ip = req->dst_ip;
        h->svc = req->via_svc ? req->svc->full : NULL;
        return;
    }
    if (req->res.to_pod == NULL)
        req->res.to_pod = pod->full;
    if (rs_policy_mode(w)) {
        /* R42: the source's egress and the pod's ingress, on the target port (R44) */
        RsPeer src, dst;
        if (req->src != NULL)
            rs_peer_pod(req->src, &src);
        else
            rs_peer_addr(req->res.source_ip, &src);    /* R49: through a load balancer */
        rs_peer_pod(pod, &dst);
        if (!rs_req_policy_gate(req, &src, &dst, req->port, RS_L4_TCP))
            return;             /* dropped: the client's timer fires */
    } else if (pod->ns != req->src_ns) {
        if (!rs_netns_reach(w, req->src_ns, pod->ns)) {
            h = hop(req, RS_HOP_POD_OTHER_NS, RS_R9);    /* R2: isolated networks */
            h->pod = pod->full;
            h->ns = req->src_ns->name;
            return;
        }
        h = hop(req, RS_HOP_NET_JOINED, RS_R39);
        h->ns = req->src_ns->name;
        h->name2 = pod->ns->name;
    }
    if (pod->crashed) {
        h = hop(req, RS_HOP_POD_CRASHED, RS_R7);
        h->pod = pod->full;
        return;
    }
    h = NULL;
    if (pod->container_down) {
        h = hop(req, RS_HOP_POD_RESTARTING, RS_R51);    /* R51: refused while it restarts */
        h->n = pod->container_restarts;
    } else if (pod->state == RS_POD_FAILED) {
        h = hop(req, RS_HOP_POD_FAILED, RS_R4);
        h->n = (unsigned)pod->tmpl->privileged_port;
    } else if (pod->sigterm) {
        h = hop(req, RS_HOP_POD_SIGTERM, RS_R55);       /* R55: stopped accepting */
    } else if (!pod->app_up) {
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
        } else if (req->scheme == RS_SCHEME_HTTPS && !pod_cert_valid(pp->tls, req->host_hdr)) {
            /* R23 inside the cluster too: the client checks the pod's
             * certificate against the name it asked for, as it checks the
             * router's (curl, Go, Java all verify by default). */
            h = hop(req, RS_HOP_POD_TLS_CERT, RS_R23);
            h->pod = pod->full;
            h->port = req->port;
            h->name2 = pp->tls;
            rs_copy_str(h->name, req->host_hdr, sizeof h->name);
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
    rs_req_pod_accept(req, pod);
    (void)eng;
}

/* R38: a free worker serves it now; otherwise it waits in the queue. */
void
rs_req_pod_accept(RsReq *req, RsPod *pod)
{
    req->at = pod;
    if (pod->busy < pod->tmpl->concurrency && pod->q_head == NULL) {
        serve_start(req, pod);
        return;
    }
    RsHop *h = hop(req, RS_HOP_QUEUED, RS_R38);
    h->pod = pod->full;
    h->n = pod->queued;
    rt_timer_needed(req);       /* it may wait past the router's timeout (R31) */
    req->at_pod = true;
    req->next = NULL;
    if (pod->q_tail != NULL)
        pod->q_tail->next = req;
    else
        pod->q_head = req;
    pod->q_tail = req;
    pod->queued++;
}

/* Ends one request at a killed pod: the connection is reset (R56); through
 * the router the client gets HTTP 502 (bad-gateway). */
static void
reset_one(RsReq *req, RsPod *pod)
{
    RsHop *h = hop(req, RS_HOP_RESET, RS_R56);
    h->pod = pod->full;
    h->flag = req->routed;
    req->res.pod = pod->full;
    if (req->routed) {
        req->answering = true;  /* the router answers now: its timers are off */
        reply(req, RS_OUTCOME_BAD_GATEWAY, 502);
    } else {
        reply(req, RS_OUTCOME_RESET, 0);
    }
}

/* The world's hook: a pod stopped answering.  Crashed (R7): nothing
 * answers; the clients' timers fire.  Killed (R51 container crash, R53
 * liveness restart, R55 kill at the grace): every request queued or in
 * service is reset (R56). */
void
rs_net_pod_stopped(void *data, RsPod *pod, RsStopHow how)
{
    RsNet *net = data;
    bool killed = how == RS_STOP_KILLED;
    /* Those in service will not answer as planned: their router timers,
     * armed by ticket, may run now (R31; the queued ones have theirs). */
    for (RsReq *r = pod->s_head; r != NULL; r = r->snext)
        rt_timer_needed(r);
    RsReq *req = pod->q_head;
    pod->q_head = pod->q_tail = NULL;
    pod->queued = 0;
    while (req != NULL) {
        RsReq *next = req->next;
        req->next = NULL;
        req->at_pod = false;
        if (req->done)
            req_put(req);
        else if (killed)
            reset_one(req, pod);
        req = next;
    }
    if (!killed)
        return;                 /* R7: those in service never answer (ev_served sees the crash) */
    while (pod->s_head != NULL) {
        req = pod->s_head;
        service_unlink(req, pod);
        if (!req->isolated)
            pod->busy--;
        req->at_pod = false;
        if (req->done)
            req_put(req);
        else
            reset_one(req, pod);
    }
    (void)net;
}

/* Event: the connection reaches the router VIP: the router's walk (the
 * RsNetRouter hooks, src/net/router.c); without one nothing answers. */
static void
ev_vip(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    /* the client's timer was armed when it connected, an edge ago (go_outside) */
    rs_time_t armed = rs_engine_now(eng) - req->edge;
    if (req->net->router != NULL)
        req->net->router->arrive(req);
    timer_queue(req, armed);    /* not accepted: the client's timer runs (R38) */
    (void)eng;
}

/* Event: the connection reaches an external host (R36): a listener, its
 * allow list (dropped: timeout), and an answer at once (no queue). */
static void
ev_host(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    RsHost *hst = rs_world_host_at(req->net->w, req->dst_ip);
    const RsHostPort *hp = NULL;
    for (unsigned i = 0; hst != NULL && i < hst->n_ports && hp == NULL; i++) {
        if (hst->ports[i].port == req->port)
            hp = &hst->ports[i];
    }
    RsHop *h;
    if (hp == NULL) {
        h = hop(req, RS_HOP_HOST_NO_LISTENER, RS_R36);      /* R36: no listener: refused */
        /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): ev_host is scheduled only for a host's address */
        rs_copy_str(h->name, hst->name, sizeof h->name);
        h->port = req->port;
        reply_in(req, RS_OUTCOME_REFUSED, 0, req->edge);
        return;
    }
    bool allowed = hp->n_allow == 0;
    for (unsigned i = 0; i < hp->n_allow && !allowed; i++)
        allowed = rs_cidr_contains(&hp->allow[i], req->res.source_ip);
    if (!allowed) {
        h = hop(req, RS_HOP_HOST_DENIED, RS_R36);           /* R36: dropped: timeout */
        rs_copy_str(h->name, hst->name, sizeof h->name);
        h->ip = req->res.source_ip;
        h->port = req->port;
        return;
    }
    int status = req->scheme != RS_SCHEME_TCP && hp->protocol == RS_PROTO_HTTP ? 200 : 0;
    h = hop(req, RS_HOP_HOST_ANSWER, RS_R36);
    rs_copy_str(h->name, hst->name, sizeof h->name);
    h->port = req->port;
    h->n = (unsigned)status;
    reply_in(req, RS_OUTCOME_OK, status, req->edge);
    (void)eng;
}

/* Event: a connection from outside reaches a load-balancer address (R48):
 * the service's data plane view on the node translates it (R50), the
 * source becomes a node address unless the policy is local (R49). */
static void
ev_lb(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    RsWorld *w = req->net->w;
    RsService *svc = rs_lb_service_at(w, req->dst_ip, req->port);
    RsHop *h;
    if (svc == NULL) {
        h = hop(req, RS_HOP_LB_NO_PORT, RS_R48);
        h->ip = req->dst_ip;
        h->port = req->port;
        return;
    }
    req->svc = svc;
    uint32_t seen = svc->def->etp == RS_ETP_LOCAL ? req->res.source_ip : rs_lb_node_address(w);
    h = hop(req, RS_HOP_LB, RS_R49);
    h->svc = svc->full;
    h->ip = req->dst_ip;
    h->port = req->port;
    h->m = svc->def->etp;
    h->ip2 = seen;
    req->res.source_ip = seen;
    RsViewPort *vp = svc->view != NULL ? rs_view_port(svc->view, req->port) : NULL;
    if (vp == NULL) {
        h = hop(req, RS_HOP_NO_RULES, RS_R50);
        h->svc = svc->full;
        h->ip = req->dst_ip;
        return;
    }
    req->back = w->par.latency_cluster + req->edge;
    if (vp->n_eps == 0) {
        h = hop(req, RS_HOP_SVC_NO_ENDPOINTS, RS_R14);
        h->svc = svc->full;
        h->port = req->port;
        reply(req, RS_OUTCOME_REFUSED, 0);
        return;
    }
    RsPickHow how;
    /* C10: the requester's stream at this service */
    const RsEndpoint *ep = rs_service_pick(svc, vp, seen, rs_req_own(req, rs_world_rng(w, &svc->rng, req->requester), sizeof(RsRng)),
                                           &how);
    h = hop(req, RS_HOP_SVC_PICK, RS_R50);
    h->svc = svc->full;
    h->pod = ep->pod->full;
    h->ip2 = ep->pod->ip;
    h->port2 = ep->port;
    h->port = req->port;
    h->n = vp->n_eps;
    h->m = (unsigned)how;
    req->via_svc = true;
    req->dst_ip = ep->pod->ip;
    req->ep_pod = ep->pod;
    req->port = ep->port;
    rs_engine_after(eng, w->par.latency_cluster, ev_arrive, req, req->gen);
}

/* Whether an address belongs to the cluster's own networks (R35). */
static bool
inside_cluster(const RsWorld *w, uint32_t ip)
{
    return rs_addr_pool_contains(&w->pod_pool, ip) ||
           (ip >= w->svc_pool.net && (uint64_t)ip - w->svc_pool.net < w->svc_pool.size);
}

/* Sends the connection to the VIP, a host, or nowhere, `edge` from now. */
static void
go_outside(RsReq *req)
{
    RsNet *net = req->net;
    RsWorld *w = net->w;
    if (req->dst_ip == w->par.router_vip) {
        rs_engine_after(net->eng, req->edge, ev_vip, req, req->gen);
    } else if (req->host != NULL && rs_lb_is_address(w, req->dst_ip)) {
        rs_engine_after(net->eng, req->edge, ev_lb, req, req->gen);   /* R48 */
    } else if (rs_world_host_at(w, req->dst_ip) != NULL) {
        rs_engine_after(net->eng, req->edge, ev_host, req, req->gen);
    } else {
        RsHop *h = hop(req, RS_HOP_NO_MACHINE, RS_R36);
        h->ip = req->dst_ip;    /* dropped: the timer fires */
    }
}

/* The client connects to dst_ip:port (timer starts); a ClusterIP is
 * translated by the service data plane's view on the client's node; an
 * address outside the cluster is reached through egress (R32); a host
 * outside reaches only the VIP and other hosts (R35). */
static void
connect_now(RsReq *req)
{
    RsNet *net = req->net;
    RsWorld *w = net->w;
    RsHop *h = hop(req, RS_HOP_CONNECT, RS_RULE_NONE);
    h->ip = req->dst_ip;
    h->port = req->port;
    req->res.dest_ip = req->dst_ip;
    req->res.dest_port = req->port;
    if (req->host != NULL && req->dst_ip == w->par.router_vip)
        arm_timer_ticket(req);  /* to ev_vip, which queues it unless a replica accepts */
    else
        arm_timer(req);

    if (req->host != NULL) {
        req->res.source_ip = req->host->ip;
        req->edge = w->par.latency_internet;
        if (req->dst_ip != w->par.router_vip && inside_cluster(w, req->dst_ip)) {
            /* R35: pod IPs and ClusterIPs are private: nothing routes them from outside. */
            h = hop(req, RS_HOP_FROM_OUTSIDE, RS_R35);
            h->ip = req->dst_ip;
            h->port = req->port;
            return;
        }
        go_outside(req);
        return;
    }
    req->res.source_ip = req->src->ip;
    if (rs_addr_pool_contains(&w->pod_pool, req->dst_ip)) {
        rs_engine_after(net->eng, w->par.latency_cluster, ev_arrive, req, req->gen);
        return;
    }
    /* R10: the service at the ClusterIP; the requester's last one while it
     * is still the one there (at_ip), without the lookup (issue 14) */
    RsHostMemo *m = req->host_memo;
    RsService *svc = m != NULL && m->svc != NULL && m->svc->at_ip && m->svc->cluster_ip == req->dst_ip
                         ? m->svc
                         : rs_world_service_at(w, req->dst_ip);
    if (svc == NULL && rs_lb_is_address(w, req->dst_ip)) {
        /* R48: a pod reaching a load-balancer address: the node's data plane
         * translates it like a ClusterIP; the source stays the pod's */
        svc = rs_lb_service_at(w, req->dst_ip, req->port);
        if (svc == NULL) {
            h = hop(req, RS_HOP_LB_NO_PORT, RS_R48);
            h->ip = req->dst_ip;
            h->port = req->port;
            return;
        }
    }
    if (svc == NULL) {
        if (inside_cluster(w, req->dst_ip)) {
            h = hop(req, RS_HOP_NO_SERVICE, RS_R10);
            h->ip = req->dst_ip;
            return;             /* dropped: the timer fires */
        }
        /* R43: egress policies see the destination address as the pod does */
        RsPeer src, dst;
        rs_peer_pod(req->src, &src);
        rs_peer_addr(req->dst_ip, &dst);
        if (!rs_req_policy_gate(req, &src, &dst, req->port, RS_L4_TCP))
            return;
        /* R32: leaving the cluster, the source becomes the namespace's egress IP
         * (R34: also on the way to the cluster's own VIP). */
        h = hop(req, RS_HOP_EGRESS, req->dst_ip == w->par.router_vip ? RS_R34 : RS_R32);
        h->ns = req->src_ns->name;
        h->ip = req->src_ns->egress_ip;
        h->flag = req->src_ns->dedicated_egress;
        req->res.source_ip = req->src_ns->egress_ip;
        req->edge = w->par.latency_cluster + w->par.latency_internet;
        go_outside(req);
        return;
    }
    req->svc = svc;
    if (svc->ns != req->src_ns && !rs_policy_mode(w)) {
        if (!rs_netns_reach(w, req->src_ns, svc->ns)) {
            h = hop(req, RS_HOP_SVC_OTHER_NS, RS_R12);
            h->svc = svc->full;
            h->ns = req->src_ns->name;
            return;
        }
        h = hop(req, RS_HOP_NET_JOINED, RS_R39);      /* R39: joined or global */
        h->ns = req->src_ns->name;
        h->name2 = svc->ns->name;
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
    /* An isolated request reads the round-robin position and affinity and
     * draws from its own copy of the service's stream (src/net/isolate.c);
     * C10: the stream is the requester's own at this service. */
    RsRng *svc_rng = rs_req_own(req, req_stream(req, &svc->rng, 0), sizeof(RsRng));
    const RsEndpoint *ep = req->isolated ? rs_service_peek(svc, vp, req->src->ip, svc_rng, &how)
                                         : rs_service_pick(svc, vp, req->src->ip, svc_rng, &how);
    req->res.to_pod = ep->pod->full;      /* plots: requests sent to each pod */
    if (req->host_memo != NULL) {
        /* hints for the requester's next request (rs_net_request): the
         * lines read from here to the pod's worker (issue 14, C) */
        const void **warm = req->host_memo->svc_warm;
        const RsPod *pod = ep->pod;
        warm[0] = svc;
        req->host_memo->svc = svc;
        warm[1] = &svc->view;
        warm[2] = svc->view;
        warm[3] = vp;
        warm[4] = ep;
        warm[5] = pod;
        warm[6] = &pod->tmpl;
        warm[7] = &pod->busy;
        warm[8] = pod->tmpl;
        warm[9] = pod->tmpl->ports;
        warm[10] = svc_rng;
    }
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
    req->ep_pod = ep->pod;
    req->port = ep->port;
    rs_engine_after(net->eng, w->par.latency_cluster, ev_arrive, req, req->gen);
}

/* glibc's resolver: timeout 5 s, 2 attempts (R46) */
#define RS_DNS_TIMEOUT (5 * RS_SEC)

/* R46: whether the source pod's egress lets a query reach the DNS pods
 * (openshift-dns, dns_target_port, UDP); records the verdict's hops. */
static bool
dns_allowed(RsReq *req)
{
    RsWorld *w = req->net->w;
    RsPeer src, dns;
    rs_peer_pod(req->src, &src);
    rs_peer_dns(w, &dns);
    RsPolSide eg, in;
    bool ok = rs_policy_check(w, &src, &dns, rs_policy_dns_port(w), RS_L4_UDP, &eg, &in);
    if (!ok && req->record) {
        RsHop *h = hop(req, RS_HOP_POLICY_EGRESS, RS_R46);
        h->pod = req->src->full;
        h->flag = false;
        h->m = eg.isolated;
        h->n2 = eg.n_selecting;
        h->name2 = eg.first != NULL ? eg.first->full : NULL;
        h->ip = dns.ip;
        h->port = rs_policy_dns_port(w);
    }
    return ok;
}

/* Event: the resolver's second attempt after a dropped query (R46). */
static void
ev_dns_retry(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    RsWorld *w = req->net->w;
    RsHop *h = hop(req, RS_HOP_DNS_DROPPED, RS_R46);
    RsPeer dns;
    rs_peer_dns(w, &dns);
    h->ip = dns.ip;
    h->port = rs_policy_dns_port(w);
    h->n = 2;
    req->res.dns_queries++;
    reply_in(req, RS_OUTCOME_TIMEOUT, 0, RS_DNS_TIMEOUT);
    (void)eng;
}

/* Event: one resolver query is answered (R17; R18 from a host); on NXDOMAIN
 * the next candidate.  With the requester's cache (dns.h) the candidate is
 * not built and the answer is the one kept while nothing it depends on has
 * changed (the world's dns_epoch): the same answer, the same event, hops
 * and statistics, less CPU (issue 14). */
static void
ev_dns(RsEngine *eng, void *obj, uint64_t gen)
{
    RsReq *req = obj;
    if (req->gen != (uint32_t)gen || req->done)
        return;
    RsWorld *w = req->net->w;
    const char *ns = req->src_ns != NULL ? req->src_ns->name : NULL;
    RsRule walk_rule = req->host != NULL ? RS_R18 : RS_R17;
    RsDnsCache *cache = req->dns_cache;         /* never for a recorded request (set_name) */
    char cand[RS_DNS_NAME_MAX];
    cand[0] = '\0';
    bool exists = cache != NULL ? rs_dns_cache_candidate(w, cache, ns, req->dns_name, req->cand)
                                : rs_dns_candidate(w, ns, req->name, req->cand, cand);
    if (!exists) {
        RsHop *h = hop(req, RS_HOP_NXDOMAIN, walk_rule);
        rs_copy_str(h->name, req->name, sizeof h->name);
        h->n = req->res.dns_queries;
        finish(req, RS_OUTCOME_NXDOMAIN, 0);
        return;
    }
    if (req->host == NULL && req->cand == 0 && rs_policy_mode(w) && !dns_allowed(req)) {
        /* R46: the query to the DNS pods is dropped; the resolver tries
         * twice, 5 s each, then the lookup fails: timeout */
        RsHop *h = hop(req, RS_HOP_DNS_DROPPED, RS_R46);
        RsPeer dns;
        rs_peer_dns(w, &dns);
        h->ip = dns.ip;
        h->port = rs_policy_dns_port(w);
        h->n = 1;
        req->res.dns_queries++;
        rs_engine_schedule(eng, rs_engine_now(eng) + RS_DNS_TIMEOUT, ev_dns_retry, req, req->gen);
        return;
    }
    RsDnsAnswer fresh;
    const RsDnsAnswer *a = &fresh;
    if (cache != NULL) {
        /* R16-R18 as if asked now: the cache asks again after any change (dns_epoch) */
        a = rs_dns_cache_answer(w, cache, ns, req->dns_name, req->cand);
    } else {
        RsDnsQuery q;
        if (req->host != NULL)
            rs_dns_query_public(w, cand, &q);      /* R18: outside, public DNS only */
        else
            rs_dns_query(w, cand, &q);
        rs_dns_answer_of(&q, &fresh);
    }
    req->res.dns_queries++;
    req->cand++;
    RsHop *h = hop(req, RS_HOP_DNS_QUERY, a->rule);
    if (req->record)            /* the names only when hops are kept (bulk traffic: none) */
        rs_copy_str(h->name, cand, sizeof h->name);
    h->found = a->found;
    h->n = a->n_addrs;
    h->ip = a->addr;
    h->svc = a->service;
    for (unsigned i = 0; i < a->n_chain; i++) {
        /* R18: the CNAME chain, one hop per name followed */
        h = hop(req, RS_HOP_DNS_CNAME, RS_R18);
        if (req->record)
            rs_copy_str(h->name, i == 0 ? cand : a->chain[i - 1], sizeof h->name);
        h->name2 = a->chain[i];
    }
    if (a->found) {
        h = hop(req, RS_HOP_RESOLVED, walk_rule);
        if (req->record)
            rs_copy_str(h->name, req->name, sizeof h->name);
        h->ip = a->addr;
        h->n = req->res.dns_queries;
        /* A headless answer lists the endpoints; the client takes the first. */
        req->dst_ip = a->addr;
        connect_now(req);
        return;
    }
    /* is there a next one? */
    exists = cache != NULL ? rs_dns_cache_candidate(w, cache, ns, req->dns_name, req->cand)
                           : rs_dns_candidate(w, ns, req->name, req->cand, NULL);
    if (!exists) {
        h = hop(req, RS_HOP_NXDOMAIN, walk_rule);
        rs_copy_str(h->name, req->name, sizeof h->name);
        h->n = req->res.dns_queries;
        finish(req, RS_OUTCOME_NXDOMAIN, 0);
        return;
    }
    rs_engine_after(eng, req->host != NULL ? w->par.latency_internet : w->par.latency_cluster, ev_dns, req, req->gen);
}

/* The router's failure: its connections are lost (R30); their clients wait
 * connect_timeout more and give up (timeout). */
void
rs_net_router_failed(void *data, RsReplica *r)
{
    RsNet *net = data;
    for (unsigned i = 0; i < net->all->len; i++) {
        RsReq *req = net->all->pdata[i];
        if (req->done || !req->routed || req->lost || req->rep != r || req->rep_epoch == r->epoch)
            continue;
        req->lost = true;
        if (req->rtimer != 0)
            rs_engine_cancel(net->eng, req->rtimer);
        req->rtimer = 0;
        req->rt_ticket = false;         /* armed by ticket: never queued, cancelled */
        RsHop *h = hop(req, RS_HOP_ROUTER_LOST, RS_R30);
        h->n = r->index;
        arm_timer(req);
    }
}

/* The name the request resolves (R17), and the requester's cache of its
 * answers when there is one: not for a recorded request (its hops name each
 * candidate, so ev_dns builds them), nor for a name cut to fit req->name
 * (the cache would walk the whole name; no such name resolves anyway). */
static void
set_name(RsReq *req, const char *name, RsDnsCache *dns)
{
    if (dns != NULL && !req->record && strnlen(name, sizeof req->name_buf - 1) + 1 < sizeof req->name_buf) {
        req->name = name;       /* the requester's: read in place (net.h) */
        req->dns_cache = dns;
        req->dns_name = name;
        return;
    }
    rs_copy_str(req->name_buf, name, sizeof req->name_buf);
    req->name = req->name_buf;
}

/* R21, C3: the request's Host header (and SNI) for the URL host `host`:
 * built once per requester and copied when it keeps one (`memo`, issue 14;
 * the same bytes as rs_url_host_header's).  A new host empties the router's
 * lookups kept for the old one. */
static void
host_header(RsReq *req, const char *host, RsHostMemo *memo)
{
    G_STATIC_ASSERT(sizeof memo->hdr == sizeof req->host_buf);
    if (memo == NULL) {
        req->host_dot = rs_url_host_header(host, req->host_buf, sizeof req->host_buf);
        req->host_hdr = req->host_buf;
        return;
    }
    if (memo->of != host) {
        memo->dot = rs_url_host_header(host, memo->hdr, sizeof memo->hdr);
        memo->len = strlen(memo->hdr);
        memo->of = host;
        memset(memo->rt, 0, sizeof memo->rt);
    }
    req->host_hdr = memo->hdr;  /* the same bytes; the requester's one URL (net.h) */
    req->has_hdr = memo->len > 0;
    req->host_dot = memo->dot;
    req->host_memo = memo;
}

/* Starts a request now; see net.h. */
void
rs_net_request(RsNet *net, RsPod *src, RsHost *host, const char *who, uint64_t requester,
               uint64_t client, const RsUrl *to, bool record, RsDnsCache *dns, RsRequestDone done,
               void *data)
{
    RsWorld *w = net->w;
    RsReq *req = req_get(net);
    net->in_flight++;
    req->requester = requester;
    req->client = client;
    req->record = record;
    req->done_cb = done;
    req->data = data;
    req->res.started = rs_engine_now(net->eng);
    req->scheme = to->scheme;
    req->port = to->port;
    const char *path = to->path != NULL ? to->path : "/";
    if (dns != NULL && !record && strnlen(path, sizeof req->path_buf) < sizeof req->path_buf) {
        req->path = path;       /* the requester's URL's: read in place (net.h) */
    } else {
        rs_copy_str(req->path_buf, path, sizeof req->path_buf);
        req->path = req->path_buf;
    }
    if (to->host != NULL) {
        /* R21: the Host header and SNI; C3: the Host header keeps a trailing dot */
        host_header(req, to->host, dns != NULL && !record ? &dns->host : NULL);
    } else if (to->is_ip) {
        rs_ipv4_format(to->ip, req->host_buf);
        req->host_hdr = req->host_buf;
    }
    if (host != NULL) {
        req->host = host;
        RsHop *h = hop(req, RS_HOP_FROM_HOST, RS_R36);
        rs_copy_str(h->name, host->name, sizeof h->name);
        h->ip = host->ip;
        if (to->pod_ref != NULL) {
            /* R35: a pod's address from outside: private, unreachable */
            RsPod *target = rs_world_pod_full(w, to->pod_ref[0] == '@' ? to->pod_ref + 1 : to->pod_ref);
            if (target == NULL || !target->ever_ip) {
                h = hop(req, RS_HOP_NO_ADDRESS, RS_R3);
                rs_copy_str(h->name, to->pod_ref, sizeof h->name);
                reply_in(req, RS_OUTCOME_TIMEOUT, 0, 0);
                return;
            }
            req->dst_ip = target->ip;
            connect_now(req);
        } else if (to->is_ip || to->host == NULL) {
            req->dst_ip = to->ip;
            connect_now(req);
        } else {
            set_name(req, to->host, dns);
            rs_engine_after(net->eng, w->par.latency_internet, ev_dns, req, req->gen);
        }
        return;
    }
    if (src == NULL || !rs_pod_alive(src) || src->container_down || src->state == RS_POD_FAILED) {
        RsHop *h = hop(req, RS_HOP_SOURCE_DOWN, RS_RULE_NONE);
        rs_copy_str(h->name, who != NULL ? who : "?", sizeof h->name);
        h->pod = src != NULL ? src->full : NULL;
        h->n = src != NULL ? (unsigned)src->state : (unsigned)RS_POD_GONE;
        h->flag = src != NULL && src->crashed;
        reply_in(req, RS_OUTCOME_TIMEOUT, 0, 0);
        return;
    }
    if (req->host_memo != NULL) {
        /* What this request will touch if it goes as the requester's last
         * one did (connect_now's hints), fetched now, a DNS hop ahead, and
         * all at once rather than one cold line after another (issue 14, C). */
        const void *const *warm = req->host_memo->svc_warm;
        for (unsigned i = 0; i < RS_SVC_WARM; i++) {
            if (warm[i] != NULL)
                __builtin_prefetch(warm[i]);
        }
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
            rs_copy_str(h->name, to->pod_ref, sizeof h->name);
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
        set_name(req, to->host, dns);
        rs_engine_after(net->eng, w->par.latency_cluster, ev_dns, req, req->gen);
    }
}
