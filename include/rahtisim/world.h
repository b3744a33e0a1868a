/* world.h: the truth: namespaces, workloads, pods, services, addresses.
 *
 * The world is what the API server and the kubelets know: which pods exist,
 * which hold which address, which are ready, which services exist and which
 * pods they select.  It is NOT what the data plane uses to forward packets:
 * each service also owns a *view* of its endpoints (RsSvcView), a snapshot
 * of the truth installed `endpoint_delay` after each change (R15).  The
 * request pipeline (src/net/) reads views for its decisions and the truth
 * only at the far end (is the pod at that address alive? listening?), which
 * is how a stale endpoint or a crashed pod shows up (docs/architecture.md,
 * "Views lag the truth").
 *
 * Ownership: the world owns every object it ever created, including pods
 * that are gone (a gone pod keeps its name and last address for `@ns/pod`
 * and state queries), and frees them all in rs_world_free.  Names are
 * interned in one string chunk, so `const char *` names stay valid for the
 * world's life and may be compared by pointer.  The world never refers to
 * the RsScenario it was built from after rs_world_new returns.
 *
 * Lookups (by "ns/name", by address, by label) are hash tables: their cost
 * does not grow with the cluster.  The world uses the engine for its own
 * timers (readiness, restarts, failure detection, view refreshes) and never
 * owns it.
 *
 * Rules: R2-R17 (the cluster's truth), the edge's objects (routes, router
 * replicas, hosts, egress: R18-R36), isolation and load balancers (R39-R50),
 * the pod lifecycle and rollouts (R51-R55), R37 (all changes are engine
 * events).
 */
#ifndef RAHTISIM_WORLD_H
#define RAHTISIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "rahtisim/engine.h"
#include "rahtisim/outcome.h"
#include "rahtisim/rng.h"
#include "rahtisim/scenario.h"

#define RS_WORLD_ERROR (rs_world_error_quark())
GQuark rs_world_error_quark(void);

typedef enum {
    RS_WORLD_ERROR_INVALID,         /* the scenario cannot be built (address conflict, ...) */
} RsWorldError;

typedef struct RsWorld RsWorld;
typedef struct RsNamespace RsNamespace;
typedef struct RsTemplate RsTemplate;
typedef struct RsWorkload RsWorkload;
typedef struct RsPod RsPod;
typedef struct RsService RsService;
typedef struct RsSvcView RsSvcView;
typedef struct RsSvcDef RsSvcDef;
typedef struct RsReq RsReq;         /* a request in flight (src/net/); pods queue them */
typedef struct RsRoute RsRoute;
typedef struct RsRouteDef RsRouteDef;
typedef struct RsReplica RsReplica;
typedef struct RsRtConfig RsRtConfig;
typedef struct RsHost RsHost;
typedef struct RsPolicies RsPolicies;  /* network isolation (rahtisim/policy.h) */
typedef struct RsLb RsLb;              /* load-balancer addresses (rahtisim/lb.h) */

/* ---- addresses (R3, R10) ---- */

/* An address pool: the usable addresses of one network, handed out in
 * round-robin order.  See src/world/addrpool.c for the design. */
typedef struct {
    uint32_t net;               /* network address */
    uint32_t prefix;
    uint64_t size;              /* addresses in the network, 2^(32-prefix) */
    uint64_t first, last;       /* usable offsets, inclusive */
    uint64_t cursor;            /* offset of the last address handed out */
    uint64_t used;              /* addresses marked in use */
    uint64_t **chunks;          /* lazily allocated bitmaps, RS_ADDR_CHUNK_BITS each */
    uint32_t *chunk_used;       /* set bits per chunk */
    uint64_t n_chunks;
    uint64_t released;          /* C9: offset released last, NONE once an allocation followed */
    bool again;                 /* C9: the last allocation handed out that address at once */
} RsAddrPool;

void rs_addr_pool_init(RsAddrPool *p, uint32_t net, uint32_t prefix);
void rs_addr_pool_clear(RsAddrPool *p);
/* Marks `ip` used; false if outside the usable range or already used. */
bool rs_addr_pool_reserve(RsAddrPool *p, uint32_t ip);
/* The next free address after the cursor (wrapping); false if none is free. */
bool rs_addr_pool_alloc(RsAddrPool *p, uint32_t *ip);
void rs_addr_pool_release(RsAddrPool *p, uint32_t ip);
bool rs_addr_pool_in_use(const RsAddrPool *p, uint32_t ip);
bool rs_addr_pool_contains(const RsAddrPool *p, uint32_t ip);
/* Makes the next rs_addr_pool_alloc start its scan at `ip`. */
void rs_addr_pool_set_next(RsAddrPool *p, uint32_t ip);

/* ---- the event log ---- */

typedef struct {
    rs_time_t at;
    RsRule rule;
    char *text;                 /* one plain sentence, owned */
} RsLogEntry;

/* ---- pods ---- */

typedef struct {
    const char *key, *value;    /* interned */
} RsWLabel;

typedef struct {
    uint16_t port;
    const char *name;           /* interned or NULL */
    const char *tls;            /* the name its certificate is valid for, or NULL: plain */
} RsPodPort;

/* What a pod runs: a deployment's pod template or a bare pod's spec.  Shared
 * by the pods made from it; owned by the world. */
struct RsTemplate {
    RsWLabel *labels; unsigned n_labels;
    RsPodPort *ports; unsigned n_ports;
    RsProto protocol;
    rs_time_t startup, service_time;
    unsigned concurrency;
    int privileged_port;        /* the first declared port < 1024 (R4), or -1 */
    RsProbeSpec readiness, liveness;    /* R52, R53 (set: declared) */
    rs_time_t pre_stop, termination_grace;      /* R55 */
};

struct RsPod {
    uint32_t serial;            /* creation order, world-wide: a stable sort key */
    const char *name;           /* "nginx-3" */
    const char *full;           /* "fenic/nginx-3" */
    RsNamespace *ns;
    RsWorkload *owner;          /* NULL for a bare pod (R8) */
    RsTemplate *tmpl;
    RsPodState state;           /* the truth as `oc get pods` would put it; crashed: FAILED */
    bool crashed;               /* R7: stopped answering, not yet detected */
    bool api_ready;             /* in the endpoints truth: ready, or crashed and not yet detected */
    bool has_ip;                /* holds `ip` now */
    bool ever_ip;               /* `ip` is the last address it had */
    uint32_t ip;
    rs_time_t created;
    rs_time_t ready_at;         /* when it became ready (R5); RS_TIME_NEVER: never */
    rs_time_t stopped_at;       /* when it stopped serving: crashed (R7) or gone (R6);
                                 * RS_TIME_NEVER while it has not */
    unsigned restarts;          /* R4 restarts, or address retries while pending */
    RsTimer timer;              /* the pending lifecycle timer, 0 if none */
    /* the container and its probes (src/world/lifecycle.c, R51-R53, R55) */
    bool app_up;                /* the app listens: started `startup` ago and not killed since */
    bool container_down;        /* R51: crashed or killed, waiting to restart: refused */
    bool crash_loop;            /* R51: it crashes again on every start */
    bool unhealthy;             /* R52: fail_readiness: the app's health answer fails */
    bool hung;                  /* R53: accepts connections, never answers */
    bool terminating;           /* R55: deleted, draining (state TERMINATING) */
    bool sigterm;               /* R55: got SIGTERM: new connections are refused */
    unsigned crashes;           /* R51: crashes since the back-off was last reset */
    unsigned container_restarts;        /* R51, R53: restarts of its container */
    rs_time_t started_at;       /* when its container last started */
    RsTimer rprobe, lprobe;     /* the next readiness / liveness probe (R52, R53) */
    RsTimer stop_timer;         /* R55: SIGTERM after pre_stop */
    RsTimer kill_timer;         /* R55: the kill at termination_grace */
    unsigned r_ok, r_fail, l_fail;      /* consecutive probe results */
    RsReq *s_head;              /* requests in service (a list through the requests), so a
                                   kill can reset them (R55, R56) */
    int ready_slot;             /* index in owner->ready, -1 if not there */
    bool label_indexed;         /* listed in the world's label index (RsLabelIndex) */
    RsRng rng;                  /* its own stream: service times (R38) */
    /* The pod's queue (R38), managed by the request pipeline. */
    unsigned busy;              /* requests in service */
    unsigned queued;            /* requests waiting */
    RsReq *q_head, *q_tail;     /* FIFO, linked through the requests */
};

/* A deployment: keeps `replicas` pods of its current template (R6, R7). */
struct RsWorkload {
    const char *name, *full;
    RsNamespace *ns;
    RsTemplate *tmpl;           /* the current template */
    unsigned replicas;
    unsigned next_index;        /* the n of the next <deployment>-<n> */
    bool removed;
    GPtrArray *pods;            /* pods of the current template, not gone and not terminating,
                                   creation order (not owned) */
    GPtrArray *old;             /* the same for older templates: a rollout is on (R54) */
    GPtrArray *ready;           /* pods ready and not crashed (not owned): requesters */
    unsigned n_old;             /* old->len */
    unsigned n_ready_new, n_ready_old;  /* api_ready pods of `pods` / `old` */
    unsigned n_terminating;     /* R55: its pods still terminating */
    RsStrategySpec strategy;    /* R54 */
    /* the rollout (src/world/rollout.c, R54) */
    unsigned rollouts;          /* rollouts started */
    bool rolling;               /* a rollout is on */
    bool stalled;               /* its progress deadline passed (ProgressDeadlineExceeded) */
    rs_time_t rollout_started, rollout_done;    /* RS_TIME_NEVER: not yet */
    rs_time_t last_progress;
    unsigned last_avail_new;    /* new pods available at the last progress */
    RsTimer deadline_timer;
    bool reconciling, again;    /* rs_rollout_reconcile is running / must run again */
    GArray *ready_log;          /* RsReadyMark: every change of its ready pods (expectations) */
};

/* A deployment's ready pods (n_ready_new + n_ready_old) from `at` on. */
typedef struct {
    rs_time_t at;
    unsigned n;
} RsReadyMark;

/* ---- services ---- */

typedef struct {
    uint16_t port;
    uint16_t target_port;       /* 0: by name */
    const char *target_name;    /* interned or NULL */
    const char *name;
} RsSvcPort;

/* What a scenario or an apply event says about a service; world-owned. */
struct RsSvcDef {
    const char *name;
    RsWLabel *selector; unsigned n_selector;
    RsSvcPort *ports; unsigned n_ports;
    RsServiceBalance balance;
    RsAffinity affinity;
    RsClusterIpMode ip_mode;
    uint32_t fixed_ip;
    RsServiceType type;         /* R48 */
    RsExternalTrafficPolicy etp;    /* R49 */
    const char *lb_share;       /* metallb.universe.tf/allow-shared-ip, or NULL */
};

/* One endpoint of one service port: a pod and the port it is reached on. */
typedef struct {
    RsPod *pod;
    uint16_t port;
} RsEndpoint;

typedef struct {
    uint16_t port;              /* the service port */
    RsEndpoint *eps; unsigned n_eps;   /* ready endpoints, pod creation order */
    unsigned cap_eps;           /* allocated length of eps (0: none, eps NULL) */
    unsigned rr;                /* round-robin position (R13) */
    GHashTable *index;          /* RsPod * -> index + 1 in eps; only for client-ip affinity */
} RsViewPort;

/* The data plane's idea of a service (R15): installed endpoint_delay after
 * the change it reflects; immutable except the round-robin positions. */
struct RsSvcView {
    RsService *svc;
    rs_time_t made;             /* the time of the truth it shows */
    RsViewPort *ports; unsigned n_ports;
    RsPod **pods; unsigned n_pods;      /* distinct ready pods (headless DNS, R16) */
    unsigned cap_pods;          /* allocated length of pods (0: none, pods NULL) */
    bool gone;                  /* the service was removed: the data plane drops its rules */
    GList pending_link;         /* its node in svc->pending while it waits (data: the view):
                                   no GList allocated per snapshot (issue 14) */
};

struct RsService {
    uint32_t serial;
    const char *name, *full;
    RsNamespace *ns;
    RsSvcDef *def;              /* the current definition */
    bool headless;              /* R16 */
    bool has_ip; uint32_t cluster_ip;   /* R10 */
    bool at_ip;                 /* rs_world_service_at(cluster_ip) answers it (issue 14) */
    bool removed;
    RsRng rng;                  /* its own stream: endpoint choice (R13) */
    RsSvcView *view;            /* what the data plane has (R15); NULL: no rules yet */
    GQueue pending;             /* RsSvcView * made, not yet installed (owned), oldest first;
                                   its links are the views' pending_link (push and pop
                                   them with the g_queue_*_link calls) */
    GHashTable *affinity;       /* client-ip affinity (R13): key -> RsAffinityEntry */
    rs_time_t affinity_timeout;
    struct RsLabelEntry *index_entry;  /* the label it is listed under (RsLabelIndex), NULL: none */
};

/* ---- the edge: routes, router replicas, hosts, public DNS (R18-R36) ---- */

/* An IPv4 network: address & mask == net (R25, R36). */
typedef struct {
    uint32_t net, mask;
} RsCidr;

/* What separates the entries of an IP whitelist (R25), per profile
 * (background openshift-router.md 2.1). */
typedef enum {
    RS_WL_SPACES,               /* rahti-1, OKD 3.11: runs of spaces; a tab is malformed */
    RS_WL_WHITESPACE,           /* rahti-2, OKD 4: runs of any whitespace (strings.Fields) */
} RsWlSyntax;

/* A parsed IP whitelist annotation (R25). */
typedef struct {
    bool present;               /* a non-empty annotation is set */
    bool discarded;             /* malformed: the router drops the whole list: open to all */
    RsCidr *entries; unsigned n;    /* owned */
} RsWhitelist;

typedef struct {
    const char *service;        /* interned service name in the route's namespace */
    unsigned weight;            /* 0-256 (R20) */
} RsRouteBackendDef;

/* What a scenario or an apply event says about a route; world-owned. */
struct RsRouteDef {
    const char *name;
    const char *host;           /* interned, NULL: the default host (R22) */
    const char *path;
    RsTlsMode tls;
    RsInsecure insecure;
    bool certificate;
    uint16_t target_port;       /* 0: by name, or every port if target_name is NULL too */
    const char *target_name;
    RsRouteBackendDef *backends; unsigned n_backends;   /* [0] is `service` */
    RsWLabel *annotations; unsigned n_annotations;
};

/* Why a route is or is not admitted (R22), as the router's host index
 * decides it (background openshift-router.md 5.1, hostindex/activation.go). */
typedef enum {
    RS_ADMIT_OK,                /* admitted */
    RS_ADMIT_SAME_PATH,         /* an older route of its namespace has the same host and path */
    RS_ADMIT_PASSTHROUGH,       /* an older TLS route of its namespace shares the host with it,
                                 * and one of the two is passthrough */
    RS_ADMIT_OTHER_NAMESPACE,   /* another namespace's route is the oldest for the host */
} RsAdmission;

/* A route: the truth the API server holds (R20-R22). */
struct RsRoute {
    uint32_t serial;            /* creation order: the oldest route owns a host (R22) */
    const char *name, *full, *host;
    RsNamespace *ns;
    RsRouteDef *def;            /* the current definition */
    RsWLabel *ann; unsigned n_ann;  /* current annotations (owned array or NULL if none,
                                       interned strings) */
    bool admitted;              /* R22: not HostAlreadyClaimed */
    RsAdmission admission;      /* R22: why (RS_ADMIT_OK iff admitted) */
    RsRoute *claimed_by;        /* R22: the older route that holds the host, NULL if admitted */
    bool judged;                /* admission decided (and logged) at least once */
    bool removed;
};

/* One HAProxy server line: a pod endpoint of one of a route's services (R20). */
typedef struct {
    RsPod *pod;
    RsService *svc;             /* the service it came from (reencrypt names, R23) */
    const RsTemplate *tmpl;     /* pod->tmpl, and what the router reads of it (its port's */
    uint16_t port;              /* TLS, its protocol: R19, R23), fixed with the pod: */
    bool has_port : 1, port_tls : 1, tcp : 1;   /* no template read per request (issue 14) */
    unsigned weight;            /* 0: only for clients holding its cookie (R27) */
} RsRtServer;

/* A route as one replica's loaded configuration has it (R28): immutable. */
typedef struct {
    RsRoute *route;
    const char *full, *host, *path;
    size_t path_len;
    RsTlsMode tls;
    RsInsecure insecure;
    bool certificate;
    RsWhitelist wl;             /* R25 */
    RsBalance balance;          /* R26 */
    bool cookies;               /* R27 */
    rs_time_t timeout;          /* R31 */
    RsRtServer *servers; unsigned n_servers;
} RsRtBackend;

/* Every route of one host in a configuration, longest path first (R21). */
typedef struct {
    RsRtBackend **routes; unsigned n;
    RsRtBackend *passthrough;   /* the SNI route of the host, or NULL (R21, R23) */
    bool has_cert;              /* an edge/reencrypt route brings its own certificate (R23) */
} RsRtHost;

/* A configuration: what one router process loaded at one reload (R28). */
struct RsRtConfig {
    rs_time_t made;
    RsRtBackend *backends; unsigned n_backends;
    GHashTable *by_host;        /* host -> RsRtHost (in `hosts`) */
    RsRtHost *hosts;            /* the hosts' entries, and their route lists (owned blocks) */
    RsRtBackend **host_routes;
    unsigned refs;              /* the processes that loaded it (replicas reloading at one instant share it) */
    bool fresh;                 /* nothing the router watches changed since it was made */
};

/* Balancing and health state of one server in one replica (R26, R29). */
typedef struct {
    unsigned weight;
    unsigned conns;             /* connections open through this process */
    int cw;                     /* smooth weighted round-robin credit */
    unsigned fails, rises;      /* consecutive failed / passed health checks */
    bool down;                  /* marked down by health checks (R29) */
    uint64_t moved;             /* C5: when its count last changed (leastconn ties: oldest first) */
} RsBalServer;

/* One backend's balancer in one replica; a reload makes new ones (R28). */
typedef struct RsBalIndex RsBalIndex;
typedef struct {
    RsBalance algo;
    RsBalServer *s; unsigned n;
    uint64_t clock;             /* C5: ticks at each take and release */
    /* rs_balancer_index: what makes a pick O(1) (src/world/balance.c); NULL: picks scan */
    RsBalIndex *ix;
    uint64_t total;             /* the eligible servers' weight (indexed only) */
    unsigned count;             /* the eligible servers (weight > 0, up; indexed only) */
    unsigned uniform_w;         /* the one weight of the servers of weight > 0; 0: several */
} RsBalancer;

/* One HAProxy process of a replica: a loaded configuration and its own
 * balancing state (R28).  A reload starts a new process; the old one lives
 * on (refcounted) while requests it accepted are still in flight. */
typedef struct {
    unsigned refs;
    RsReplica *rep;
    uint32_t gen;
    RsRtConfig *cfg;            /* owned */
    RsBalancer *bal;            /* per backend of cfg (owned) */
    struct RsRtCheck *checks; unsigned n_checks;    /* C6: one per checked server (owned) */
} RsRtProc;

/* A router replica (an HAProxy process behind the shared VIP, R30). */
struct RsReplica {
    RsWorld *w;
    unsigned index;
    const char *name;           /* "router-0": its random stream's name too */
    bool up;                    /* the truth: the process runs */
    bool in_rotation;           /* the VIP's view: connections land here (R30) */
    uint32_t epoch;             /* bumped when it fails: connections on it are lost */
    uint32_t gen;               /* bumped at each reload: balancing state is new (R28) */
    RsRtProc *proc;             /* the current process, NULL before the first reload */
    rs_time_t last_reload;
    bool has_reloaded;
    bool reload_pending;
    rs_time_t reload_at;        /* when the pending reload runs (R28), if reload_pending */
    RsTimer reload_timer, failover_timer;
    RsRng rng;                  /* its balancer's stream (random, R26) */
};

typedef struct {
    uint16_t port;
    RsProto protocol;
    RsCidr *allow; unsigned n_allow;    /* none: every source (R36) */
} RsHostPort;

/* A machine outside the cluster (R36). */
struct RsHost {
    const char *name;
    uint32_t ip;
    bool cookies;               /* keeps cookies like a browser (R27) */
    RsHostPort *ports; unsigned n_ports;
    GHashTable *cookie_jar;     /* (client, route) -> the RsPod its cookie names (R27);
                                   see rs_host_cookie */
};

/* A public DNS record the scenario declares (R18). */
typedef struct {
    const char *name, *cname;
    uint32_t a;
    bool has_a;
} RsDnsRecord;

/* ---- namespaces ---- */

struct RsNamespace {
    RsWorld *world;
    const char *name;
    unsigned index;             /* file order */
    uint32_t egress_ip;         /* R32: its source address outside the cluster */
    bool dedicated_egress;      /* R33: from the pool */
    bool egress_denied;         /* R33: it asked for a dedicated one and the pool was empty */
    GPtrArray *services;        /* live services (not owned) */
    /* its labels' pods and services: the world's RsLabelIndex; the entry
     * made or found there last (a namespace's pods and services share a
     * few labels: no probe of a table of 10^5 entries, a cache miss each) */
    struct RsLabelEntry *label_hint;
};

/* How a pod stops answering, for the request pipeline's hook. */
typedef enum {
    RS_STOP_CRASHED,            /* R7: nothing answers; the clients' timers fire */
    RS_STOP_KILLED,             /* R51, R55: the process is killed: connections reset (R56) */
} RsStopHow;

/* Called by the world when a pod stops answering: crashed (R7) or killed (R51, R55). */
typedef void (*RsPodStopFn)(void *data, RsPod *pod, RsStopHow how);
/* Called by the world when a router replica fails (R30). */
typedef void (*RsRouterFailFn)(void *data, RsReplica *r);

/* Change notifications between the files of src/world, so that no file calls
 * one above it (lifecycle.c -> pod.c -> rollout.c -> service.c -> router.c;
 * docs/architecture.md, "Inside src/world").  The builder fills them in (build.c). */
typedef struct {
    void (*pod_eligibility)(RsWorld *w, RsPod *pod);    /* R15: its services re-read */
    void (*edge_changed)(RsWorld *w);                   /* R28: the router reloads */
    /* R54: a deployment's pods changed: its controller reconciles; returns
     * the last pod it created, or NULL */
    RsPod *(*workload_changed)(RsWorld *w, RsWorkload *wl);
} RsWorldHooks;

/* The world.  Code outside src/world reads the profile parts and the router
 * replicas (src/net/router.c: the VIP's rotation); the owning arrays and
 * lookup tables below the "private" line are src/world's own: other layers
 * use the lookups and the iterators declared after the struct (review keeps
 * this; tests/layers.sh checks includes and calls, not field reads). */
/* Entries of rs_world_rng's direct-mapped cache at first (a power of two):
 * the request pipeline asks for two streams per request (issue 14); the
 * cache grows with the streams (twice as many entries, up to
 * RS_STREAM_CACHE_MAX), so that 10^4 traffic sources do not evict each
 * other's. */
#define RS_STREAM_CACHE 1024
#define RS_STREAM_CACHE_MAX (1u << 20)

/* An address -> object table (open addressing, linear probing, at most
 * half full): a lookup reads one cache line, where a GHashTable reads three
 * (hashes, keys, values); the request pipeline looks up a service and a pod
 * by address per request (issue 14).  Never iterated.  registry.c. */
typedef struct {
    struct RsIpCell { uint32_t ip; void *obj; } *cells;    /* obj NULL: empty */
    uint32_t mask;              /* cells - 1 (a power of two) */
    uint32_t len;
} RsIpMap;

/* The world's arena: objects that live as long as the world (pods,
 * services, routes, namespaces, templates, definitions and their small
 * arrays, interned names), bumped out of large blocks and freed with the
 * world at once: building 10^5 namespaces made a million small g_mallocs
 * (issue 14).  registry.c.  A bump allocator only: the scenario's arena
 * (RsArena, src/scenario/arena.h) also answers whether a pointer is its
 * own, which the specs' free functions need, and the JSON tree's
 * (src/scenario/jsonc.c) serves cJSON's hooks. */
typedef struct RsWorldArenaBlock RsWorldArenaBlock;
typedef struct {
    char *next, *end;           /* the free part of the current block */
    RsWorldArenaBlock *blocks;  /* every block, newest first */
    size_t block_size;          /* the next block's size (doubles up to a bound) */
} RsWorldArena;

/* A table from interned names (compared and hashed by their pointers) to
 * objects: open addressing, linear probing, at most half full; a lookup by
 * any string first finds its interned copy (rs_world_interned: a name never
 * interned names nothing).  The name lookups were GHashTables of strings
 * (a g_str_hash per insert and lookup, ~360 instructions an insert at 10^4
 * namespaces; issue 14).  registry.c. */
typedef struct {
    struct RsNameCell { const char *name; void *obj; } *cells;     /* name NULL: empty */
    uint32_t mask, len;
} RsNameMap;

/* The live routes of one host, oldest first (R22; route.c). */
typedef struct {
    RsRoute **v; unsigned n, cap;       /* in the arena */
} RsHostRoutes;

/* The namespaces' labels (R10, R15): (namespace, key, value) -> the live
 * pods carrying that label and the live services listed under it (their
 * first selector label), one table for the world: open addressing on the
 * three interned pointers, at most half full; the entries
 * (world-private.h) and their lists live in the arena.  A namespace once
 * had two GHashTables and a GPtrArray per label and pod (issue 14).
 * registry.c. */
typedef struct RsLabelEntry RsLabelEntry;
typedef struct {
    RsLabelEntry **cells;       /* NULL: empty */
    uint32_t mask, len;
} RsLabelIndex;

/* The interned names: open addressing on a hash of the bytes, at most half
 * full; the strings live in the arena.  registry.c. */
typedef struct {
    struct RsInternCell { const char *s; uint32_t hash, len; } *cells;  /* s NULL: empty */
    uint32_t mask, len;
} RsInterns;

struct RsWorld {
    RsEngine *eng;              /* not owned */
    uint64_t seed;
    RsWorldArena arena;         /* objects and names that live with the world */
    RsInterns interns;          /* interned names (in the arena) */
    RsLabelIndex labels;        /* pods and services by namespace and label */
    /* the parts of the profile the truth and the pipeline use */
    RsPlatformParams par;       /* the profile's values, copied as they are */
    RsAddrPool pod_pool, svc_pool;
    const char *cluster_domain, *app_domain, *router_canonical;     /* interned */
    const char **whitelist_keys; unsigned n_whitelist_keys;     /* R25: annotations read */
    RsWlSyntax wl_syntax;       /* R25: how the router splits a whitelist */
    uint32_t egress_default;    /* R32 */
    uint32_t *egress_pool; unsigned n_egress_pool, egress_next;  /* R33 */
    /* Bumped at every change a DNS answer depends on (R16-R18: a service
     * created or removed, a headless service's view installed, a pod's
     * address, the public records); starts at 1.  The pipeline keeps a
     * requester's answers while it stays the same (RsDnsCache, dns.h). */
    uint64_t dns_epoch;
    /* ---- private to src/world from here on ---- */
    /* everything ever created, in creation order (the objects are in the
     * arena; the free functions free their parts); templates and service
     * and route definitions live in the arena, listed nowhere */
    GPtrArray *namespaces, *workloads, *pods, *services;
    /* lookups */
    RsNameMap ns_by_name;       /* name -> RsNamespace */
    RsNameMap pod_by_name;      /* "ns/name" -> the latest RsPod of that name */
    RsIpMap pod_by_ip;          /* address -> RsPod holding it now */
    RsNameMap wl_by_name;       /* "ns/name" -> live deployment */
    RsNameMap svc_by_name;      /* "ns/name" -> live service */
    RsIpMap svc_by_ip;          /* ClusterIP -> service while the data plane has it */
    /* the edge (R18-R36) */
    GPtrArray *routes;          /* every route ever created (in the arena) */
    RsNameMap route_by_name;    /* "ns/name" -> live route */
    RsNameMap routes_by_host;   /* host -> RsHostRoutes: its live routes, oldest first (arena) */
    RsNameMap route_svcs;       /* interned "ns/svc" a live route sends to -> count (router
                                   watches them); keyed by the pointer */
    RsReplica *replicas; unsigned n_replicas;
    RsRng vip_rng;              /* the VIP's spread of connections over replicas (R30) */
    GPtrArray *hosts;           /* RsHost (owning) */
    GHashTable *host_by_name, *host_by_ip;
    GHashTable *dns_records;    /* name -> RsDnsRecord (owned) */
    RsRouterFailFn router_failed;   /* the pipeline drops its connections */
    void *router_failed_data;
    GArray *log;                /* RsLogEntry, at most RS_LOG_MAX */
    uint64_t log_dropped;       /* entries not kept once the log was full */
    bool no_log;                /* keep no log at all (RsScenario.no_event_log) */
    GPtrArray *events;          /* scheduled scenario events (owned) */
    RsPodStopFn pod_stopped; void *pod_stopped_data;
    uint32_t next_serial;
    GPtrArray *scratch_svcs;    /* rs_world_pod_endpoints_changed's list (no malloc per event) */
    RsPolicies *pol;            /* isolation: joined networks, network policies (R39-R47) */
    RsLb *lb;                   /* load-balancer services' addresses (R48-R50) */
    RsWorldHooks hooks;         /* between src/world's files (world-private.h) */
    GHashTable *req_streams;    /* C10: (entity stream, requester) -> RsRng (owned), see rs_world_rng */
    void **stream_cache;        /* a direct-mapped cache of req_streams' entries */
    unsigned stream_cache_size; /* its entries: a power of two */
    bool haproxy18;             /* rahti-1's router: HAProxy 1.8 and the 3.11 template (C3, C5, C6) */
};

/* Builds the world of a scenario at the engine's current time (the pods
 * start, the services get addresses; src/world/build.c).  The scenario's
 * events are scheduled separately, by rs_world_schedule_events. */
RsWorld *rs_world_new(RsEngine *eng, const RsScenario *sc, uint64_t seed, GError **error);
void rs_world_free(RsWorld *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsWorld, rs_world_free)
/* Converts the scenario's events into engine events that change the truth
 * (src/world/events.c; R37: file order among equal times). */
bool rs_world_schedule_events(RsWorld *w, const RsScenario *sc, GError **error);

/* Who hears that a pod stopped answering (R6, R7) or a router replica failed
 * (R30): the request pipeline, which fails what was in flight there. */
void rs_world_on_pod_stopped(RsWorld *w, RsPodStopFn fn, void *data);
void rs_world_on_router_failed(RsWorld *w, RsRouterFailFn fn, void *data);

/* C10: the stream of requester `requester` (rs_rng_name_id of its stream
 * name) at the entity whose own stream is `entity` (a service's, a pod's,
 * a replica's, the VIP's): created on first use, one hash lookup after
 * that.  Every random choice a request causes draws from here, never from
 * `entity` itself, so probes and traffic never shift each other's numbers. */
RsRng *rs_world_rng(RsWorld *w, const RsRng *entity, uint64_t requester);

/* Lookups; `ns` and `name` separately, or "ns/name". */
RsNamespace *rs_world_namespace(const RsWorld *w, const char *ns);
RsPod *rs_world_pod(const RsWorld *w, const char *ns, const char *name);
RsPod *rs_world_pod_full(const RsWorld *w, const char *full);
RsPod *rs_world_pod_at(const RsWorld *w, uint32_t ip);
RsWorkload *rs_world_workload(const RsWorld *w, const char *ns, const char *name);
RsService *rs_world_service(const RsWorld *w, const char *ns, const char *name);
RsService *rs_world_service_at(const RsWorld *w, uint32_t ip);
/* The live service "ns/name", or NULL. */
RsService *rs_world_service_full(const RsWorld *w, const char *full);
/* The live route "ns/name", or NULL. */
RsRoute *rs_world_route_full(const RsWorld *w, const char *full);
/* The ready (API) endpoints of a service, pods in creation order (R20: the
 * router reads the API, not the service data plane); appended to `out`. */
void rs_service_ready_pods(RsService *svc, GPtrArray *out);
/* The live routes claiming `host` (lowercase, no final dot), oldest first
 * (R22: the oldest owns it); *n is set to their number (0: none). */
RsRoute *const *rs_world_routes_of_host(const RsWorld *w, const char *host, unsigned *n);

/* Iterators: index 0 .. n-1, in creation order (namespaces: file order).
 * Pods and routes include the gone and removed ones (check their state). */
unsigned rs_world_n_namespaces(const RsWorld *w);
RsNamespace *rs_world_namespace_nth(const RsWorld *w, unsigned i);
unsigned rs_world_n_pods(const RsWorld *w);
RsPod *rs_world_pod_nth(const RsWorld *w, unsigned i);
unsigned rs_world_n_workloads(const RsWorld *w);
RsWorkload *rs_world_workload_nth(const RsWorld *w, unsigned i);
unsigned rs_world_n_services(const RsWorld *w);
RsService *rs_world_service_nth(const RsWorld *w, unsigned i);
unsigned rs_world_n_routes(const RsWorld *w);
RsRoute *rs_world_route_nth(const RsWorld *w, unsigned i);
/* The fewest ready pods a deployment had in [start, end] (R54); *when: the
 * first time it had that few (src/world/lifecycle.c). */
unsigned rs_workload_ready_min(const RsWorkload *wl, rs_time_t start, rs_time_t end, rs_time_t *when);
/* A namespace's live services, in creation order. */
unsigned rs_namespace_n_services(const RsNamespace *ns);
RsService *rs_namespace_service_nth(const RsNamespace *ns, unsigned i);
/* Whether every selector label is among the template's labels (R10); an
 * empty selector selects nothing. */
bool rs_labels_match(const RsWLabel *sel, unsigned n_sel, const RsTemplate *t);

/* The port `port` of a pod's template, or NULL if it does not listen there. */
const RsPodPort *rs_pod_port(const RsPod *pod, uint16_t port);
/* A pod's port by name (R11), or NULL. */
const RsPodPort *rs_pod_port_named(const RsPod *pod, const char *name);
/* Whether a pod answers packets now: it holds its address and has not crashed. */
bool rs_pod_alive(const RsPod *pod);
/* Whether a pod's app accepts new connections now: alive, its container up
 * and started, not failing to start (R4), not past SIGTERM (R55).  A pod
 * that is not ready (R52) or in its preStop hook (R55) still accepts. */
bool rs_pod_accepts(const RsPod *pod);

/* The view's entry for a service port, or NULL if the data plane has no such port. */
RsViewPort *rs_view_port(RsSvcView *v, uint16_t port);

/* How a service picked an endpoint (R13). */
typedef enum { RS_PICK_RANDOM, RS_PICK_ROUNDROBIN, RS_PICK_AFFINITY } RsPickHow;

/* Chooses the endpoint of a new connection from `client` (R13); vp has >= 1. */
const RsEndpoint *rs_service_pick(RsService *svc, RsViewPort *vp, uint32_t client, RsRng *rng,
                                  RsPickHow *how);
/* The endpoint rs_service_pick would choose, drawing from `rng` (a copy of
 * the stream) and moving neither the round-robin position nor the
 * affinity (an isolated request, src/net/isolate.c). */
const RsEndpoint *rs_service_peek(RsService *svc, RsViewPort *vp, uint32_t client, RsRng *rng,
                                  RsPickHow *how);

/* ---- changes of the truth (each logs a sentence) ---- */

/* R55: the pipeline tells the world a pod finished a request (a draining
 * pod exits when its last one is done; src/world/lifecycle.c). */
void rs_pod_request_done(RsWorld *w, RsPod *pod);
/* R6: graceful deletion; a deployment's pod is replaced at once. */
void rs_world_delete_pod(RsWorld *w, RsPod *pod);
/* R7: the pod stops answering; detected after failure_detection. */
void rs_world_crash_pod(RsWorld *w, RsPod *pod);
/* Sets a deployment's replicas; scale-down removes the newest pods first. */
void rs_world_scale(RsWorld *w, RsWorkload *wl, unsigned replicas);
/* R51: the container crashes and restarts in the same pod (crash_loop: on every start). */
void rs_world_crash_container(RsWorld *w, RsPod *pod, bool crash_loop);
/* R52: the app's health answer fails (or passes again). */
void rs_world_set_unhealthy(RsWorld *w, RsPod *pod, bool unhealthy);
/* R53: the app stops answering. */
void rs_world_hang(RsWorld *w, RsPod *pod);
/* R54: rolls out a deployment to `tmpl` (a new template) by its strategy. */
void rs_world_rollout(RsWorld *w, RsWorkload *wl, RsTemplate *tmpl, const char *why);
/* R54: a new template: `base` with the fields of `set` that `mask` (RS_SET_*) names;
 * set NULL: a copy (oc rollout restart). */
RsTemplate *rs_world_template_derive(RsWorld *w, const RsTemplate *base, const RsTemplate *set,
                                     unsigned mask);

/* Appends a sentence to the event log (printf-style). */
void rs_world_log(RsWorld *w, RsRule rule, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
const GArray *rs_world_log_entries(const RsWorld *w);
/* The log keeps this many entries, then only counts (bounded memory). */
#define RS_LOG_MAX 200000u
uint64_t rs_world_log_dropped(const RsWorld *w);

/* ---- the edge (src/world/route.c, router.c, host.c) ---- */

/* Lookups. */
RsRoute *rs_world_route(const RsWorld *w, const char *ns, const char *name);
/* R27: the pod whose cookie client `client` of host `h` holds for route
 * `route` (interned full name), or NULL.  One cookie per (client, route):
 * the jar grows with the clients and routes seen, never with requests. */
RsPod *rs_host_cookie(const RsHost *h, const char *route, uint64_t client);
/* R27: client `client` of host `h` keeps the cookie naming `pod` for `route`. */
void rs_host_set_cookie(RsHost *h, const char *route, uint64_t client, RsPod *pod);
RsHost *rs_world_host(const RsWorld *w, const char *name);
RsHost *rs_world_host_at(const RsWorld *w, uint32_t ip);
const RsDnsRecord *rs_world_dns_record(const RsWorld *w, const char *name);

/* The value of a route's annotation, or NULL. */
const char *rs_route_annotation(const RsRoute *route, const char *key);
/* Appends why the route is or is not admitted (R22): "it serves HOST/PATH",
 * or the older route that holds the host and the rule it breaks. */
void rs_route_admission_describe(const RsRoute *route, GString *out);

/* Router replicas (R28, R30): a configuration process is kept while requests use it. */
void rs_rt_proc_ref(RsRtProc *p);
void rs_rt_proc_unref(RsRtProc *p);
/* R28, read-only views for the teaching layer: when a replica loaded its
 * configuration (RS_TIME_NEVER: never), when its pending reload runs
 * (RS_TIME_NEVER: none pending), the configuration itself (NULL before the
 * first reload), and the backend a configuration has for a route (NULL: not
 * loaded). */
rs_time_t rs_replica_loaded_at(const RsReplica *r);
rs_time_t rs_replica_next_reload(const RsReplica *r);
const RsRtConfig *rs_replica_config(const RsReplica *r);
const RsRtBackend *rs_rt_config_backend(const RsRtConfig *c, const RsRoute *route);

#endif
