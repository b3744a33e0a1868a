/* net.h: the request pipeline's handle, internal to the simulation (src/sim).
 *
 * RsNet runs requests through the world: DNS walk, service data plane or
 * router, pod queue, answer, each step an engine event (docs/architecture.md,
 * "A request is a sequence of events").  Requests are pooled; see request.c.
 * The request object is shared by request.c (the walk inside the cluster,
 * egress, hosts) and router.c (the VIP and the router, R19-R31); request.c
 * reaches the router only through the RsNetRouter hooks.
 */
#ifndef RAHTISIM_NET_H
#define RAHTISIM_NET_H

#include "rahtisim/dns.h"
#include "rahtisim/policy.h"
#include "rahtisim/request.h"
#include "rahtisim/scenario.h"
#include "rahtisim/world.h"

typedef struct RsNet RsNet;

/* Pieces of shared state one isolated request can touch: the VIP's and a
 * replica's streams, a balancer and its servers, a service's and a pod's
 * streams (src/net/isolate.c). */
#define RS_REQ_OWN_MAX 8

struct RsReq {
    RsNet *net;
    uint32_t gen;               /* bumped when returned to the pool */
    bool done;                  /* the client has its result */
    bool at_pod;                /* in a pod's queue or service slot */
    bool record;
    bool via_svc;
    RsReq *next;                /* free list, or the pod's queue */
    RsReq *snext, *sprev;       /* the pod's requests in service (R55: a kill resets them) */
    bool in_service;            /* in that list: its ev_served is pending or it hangs (R53) */
    bool timer_ticket;          /* the client's timer is armed by `ticket` (engine.h), not
                                   queued: to the router VIP until a replica accepts (R38) */
    bool rt_ticket;             /* the router's server timer is armed by `ticket`, not queued:
                                   it runs at rt_at if queued (R31; router.c) */
    RsPod *src;                 /* the sending pod, or NULL for a host */
    RsHost *host;               /* the sending host, or NULL for a pod (R36) */
    uint64_t client;            /* the client on the requester (its cookie jar, R27); 0: default */
    uint64_t requester;         /* C10: the requester's stream id (rs_rng_name_id) */
    RsNamespace *src_ns;
    RsPod *at;                  /* the pod holding it (at_pod) */
    RsScheme scheme;
    uint16_t port;              /* the port connected to (after the service: the target port) */
    bool host_dot;              /* C3: the name ended in a dot (removed from host_hdr) */
    bool has_hdr;               /* with host_memo: host_hdr is not empty (the memo's len > 0) */
    unsigned cand;              /* next search candidate (R17) */
    uint32_t rep_epoch;
    RsDnsCache *dns_cache;      /* the requester's kept answers (dns.h), or NULL */
    const char *dns_name;       /* with it: the name as the requester holds it (its key) */
    RsHostMemo *host_memo;      /* the requester's Host header and router lookups, whence
                                   host_hdr came (dns.h), or NULL */
    uint32_t dst_ip;
    unsigned attempts;          /* connection attempts to servers (R29) */
    RsService *svc;             /* the service it went through */
    RsPod *ep_pod;              /* the endpoint's pod the service picked (ev_arrive) */
    RsTimer timer;              /* the client's timer (R38) */
    RsTicket ticket;            /* timer_ticket's, then rt_ticket's (never both at once) */
    rs_time_t rt_at;
    rs_time_t back;             /* latency of the answer from the pod back to the client */
    rs_time_t edge;             /* one way between the client and the VIP or a host */
    RsOutcome reply_outcome;    /* what the pending reply event delivers */
    int reply_status;
    /* through the router (src/net/router.c) */
    bool routed;                /* accepted by a router replica */
    bool lost;                  /* its replica failed: nothing comes back (R30) */
    bool answering;             /* the answer is on its way: the router's timer is off */
    /* An isolated request (a matrix cell, rs_sim_set_isolated) changes no
     * shared state: what it would change (a stream, a round-robin position,
     * a balancer) it changes in a private copy made at first touch; see
     * src/net/isolate.c. */
    bool isolated;
    unsigned n_own;
    RsReplica *rep;
    RsRtProc *proc;             /* the process that accepted it (a reference) */
    const RsRtServer *sv;       /* with server >= 0: its line in proc's configuration */
    int be, server;             /* backend and server index in proc, -1: none */
    /* What finishing it will touch (its server's balancer, set at the
     * pick), prefetched when the reply reaches the client, some work
     * before it is read (issue 14).  Hints: never dereferenced. */
    const void *fin_warm[2];
    RsTimer rtimer;             /* the router's connect or server timer (R29, R31) */
    GArray *hops;               /* RsHop, only when recording */
    RsRequestDone done_cb;
    void *data;
    RsResult res;
    /* The name to resolve as written, the Host header / SNI (the URL's name,
     * lowercased, R21) and the URL's path: the requester's own strings when
     * it keeps its DNS answers (its URL's, and its memo's header: issue 14,
     * three cold lines less to write per request), else the buffers below;
     * "" until set (req_get). */
    const char *name, *host_hdr, *path;
    /* What no request reads unless it is isolated or recorded, last: the
     * fields above fit in six cache lines, which a request touches one
     * event after another with ~15 000 others in flight (issue 14).
     * req_get zeroes what precedes `own` (own[i] is read only below n_own;
     * the buffers only through name, host_hdr and path). */
    struct { void *shared, *copy; } own[RS_REQ_OWN_MAX];    /* the private copies (g_malloc'd) */
    char name_buf[RS_DNS_NAME_MAX];     /* name, host_hdr, path when copied */
    char host_buf[256];
    char path_buf[256];
};

/* The router's part of the walk, called by the pipeline (request.c) without
 * knowing the router (router.c): the VIP's connections, and the two points
 * where a routed request needs the router again.  Passing it to rs_net_new
 * keeps the include graph one way: router.c -> net.h <- request.c. */
typedef struct {
    void (*arrive)(RsReq *req);     /* the connection reaches the VIP (R19, R30) */
    void (*served)(RsReq *req);     /* the pod served a routed request (R27, R31) */
    void (*release)(RsReq *req);    /* the request finished: counts, process (R26, R28) */
    void (*queue_timer)(RsReq *req);    /* its server timer, armed by ticket (rt_ticket),
                                           may be needed: queue it (R31) */
} RsNetRouter;

/* A pipeline for `w`; `router` (or NULL: the VIP drops every connection)
 * handles what reaches the router VIP. */
RsNet *rs_net_new(RsWorld *w, RsSim *owner, const RsNetRouter *router);
void rs_net_free(RsNet *net);

/* Starts a request now from pod `src` or host `host` (both NULL: the
 * requester `who` is not running or does not exist: the result says so at
 * once), as client `client` of the requester (rs_sim_request_client) whose
 * stream id is `requester` (C10: every random choice it causes draws from
 * the (entity, requester) stream, rs_world_rng). 
 * `done` is called exactly once, always from an engine event, never from
 * inside this function.  `dns` (or NULL) keeps the requester's DNS answers
 * between its requests (dns.h); with it, `to` is the requester's one URL:
 * its host and path must stay the same strings while the requester's
 * requests are in flight (they are read in place, not copied); a recorded
 * request builds and asks every name itself. */
void rs_net_request(RsNet *net, RsPod *src, RsHost *host, const char *who, uint64_t requester,
                    uint64_t client, const RsUrl *to, bool record, RsDnsCache *dns,
                    RsRequestDone done, void *data);

/* The world's hook: a pod stopped (deleted or crashed); settles its queue. */
void rs_net_pod_stopped(void *net, RsPod *pod, RsStopHow how);
/* The world's hook: a router replica failed; its connections are lost (R30). */
void rs_net_router_failed(void *net, RsReplica *r);

/* Requests started while this is set are isolated (RsReq.isolated). */
void rs_net_set_isolated(RsNet *net, bool isolated);

/* Requests allocated in the pool (for tests: the pool does not grow per request). */
unsigned rs_net_pool_size(const RsNet *net);
/* Requests in flight. */
unsigned rs_net_in_flight(const RsNet *net);

/* ---- shared by request.c and router.c ---- */

RsWorld *rs_net_world(const RsNet *net);
/* Appends a hop (a scratch hop when not recording). */
RsHop *rs_req_hop(RsReq *req, RsHopKind kind, RsRule rule);
/* Delivers `outcome` to the client `delay` from now. */
void rs_req_reply_in(RsReq *req, RsOutcome outcome, int status, rs_time_t delay);
/* (Re)arms the client's timer for connect_timeout from now (R38). */
void rs_req_arm_timer(RsReq *req);
/* Cancels the client's timer (a router now bounds the wait). */
void rs_req_disarm_timer(RsReq *req);
/* A connection reached a ready, listening pod: serve now or queue (R38). */
void rs_req_pod_accept(RsReq *req, RsPod *pod);

/* R42: whether the network policies let a new connection from
 * src to dst on (port, proto) through; records the egress and ingress
 * sides as hops.  Always true on rahti-1 (R39). */
bool rs_req_policy_gate(RsReq *req, const RsPeer *src, const RsPeer *dst, uint16_t port, RsL4Proto proto);

/* isolate.c: `shared` itself for a request that is not isolated; for an
 * isolated one, its private copy of the `size` bytes at `shared`, made at
 * the first call for that address and kept until the request is pooled. */
void *rs_req_own(RsReq *req, void *shared, size_t size);
/* isolate.c: frees an isolated request's private copies. */
void rs_req_own_clear(RsReq *req);

#endif
