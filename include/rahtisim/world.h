/* world.h: the truth: namespaces, workloads, pods, services, addresses.
 *
 * The world is what the API server and the kubelets know: which pods exist,
 * which hold which address, which are ready, which services exist and which
 * pods they select.  It is NOT what the data plane uses to forward packets:
 * each service also owns a *view* of its endpoints (RsSvcView), a snapshot
 * of the truth installed `endpoint_delay` after each change (R15).  The
 * request pipeline (src/net/) reads views for its decisions and the truth
 * only at the far end (is the pod at that address alive? listening?), which
 * is how a stale endpoint or a crashed pod shows up (design-notes.md).
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
 * Rules: R2-R16 (the truth side), R37 (all changes are engine events).
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
    RS_WORLD_ERROR_NOT_SIMULATED,   /* a feature of a later issue */
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
    unsigned restarts;          /* R4 restarts, or address retries while pending */
    RsTimer timer;              /* the pending lifecycle timer, 0 if none */
    int ready_slot;             /* index in owner->ready, -1 if not there */
    GPtrArray *label_lists;     /* the label-index lists it is in (not owned) */
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
    GPtrArray *pods;            /* pods not gone, creation order (not owned) */
    GPtrArray *ready;           /* pods ready and not crashed (not owned): requesters */
};

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
};

/* One endpoint of one service port: a pod and the port it is reached on. */
typedef struct {
    RsPod *pod;
    uint16_t port;
} RsEndpoint;

typedef struct {
    uint16_t port;              /* the service port */
    RsEndpoint *eps; unsigned n_eps;   /* ready endpoints, pod creation order */
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
    bool gone;                  /* the service was removed: the data plane drops its rules */
};

struct RsService {
    uint32_t serial;
    const char *name, *full;
    RsNamespace *ns;
    RsSvcDef *def;              /* the current definition */
    bool headless;              /* R16 */
    bool has_ip; uint32_t cluster_ip;   /* R10 */
    bool removed;
    RsRng rng;                  /* its own stream: endpoint choice (R13) */
    RsSvcView *view;            /* what the data plane has (R15); NULL: no rules yet */
    GQueue pending;             /* RsSvcView * made, not yet installed (owned), oldest first */
    GHashTable *affinity;       /* client-ip affinity (R13): key -> RsAffinityEntry */
    rs_time_t affinity_timeout;
};

/* ---- namespaces ---- */

struct RsNamespace {
    RsWorld *world;
    const char *name;
    unsigned index;             /* file order */
    GPtrArray *services;        /* live services (not owned) */
    GHashTable *label_index;    /* "key=value" -> GPtrArray of live pods (owned lists) */
};

/* Called by the world when a pod stops answering: deleted (graceful) or crashed. */
typedef void (*RsPodStopFn)(void *data, RsPod *pod, bool crashed);

struct RsWorld {
    RsEngine *eng;              /* not owned */
    uint64_t seed;
    GStringChunk *strings;      /* interned names */
    /* the parts of the profile the truth and the pipeline use */
    RsAddrPool pod_pool, svc_pool;
    uint32_t dns_server;
    const char *cluster_domain, *app_domain, *router_canonical;
    uint32_t router_vip;
    rs_time_t endpoint_delay, failure_detection, connect_timeout, latency_cluster;
    /* everything ever created (owning) */
    GPtrArray *namespaces, *templates, *workloads, *pods, *services, *svc_defs;
    /* lookups */
    GHashTable *ns_by_name;     /* name -> RsNamespace */
    GHashTable *pod_by_name;    /* "ns/name" -> the latest RsPod of that name */
    GHashTable *pod_by_ip;      /* address -> RsPod holding it now */
    GHashTable *wl_by_name;     /* "ns/name" -> live deployment */
    GHashTable *svc_by_name;    /* "ns/name" -> live service */
    GHashTable *svc_by_ip;      /* ClusterIP -> service while the data plane has it */
    GArray *log;                /* RsLogEntry */
    GPtrArray *events;          /* scheduled scenario events (owned) */
    RsPodStopFn pod_stopped; void *pod_stopped_data;
    uint32_t next_serial;
};

/* Builds the world of a scenario at the engine's current time (the pods
 * start, the services get addresses) and schedules the scenario's events. */
RsWorld *rs_world_new(RsEngine *eng, const RsScenario *sc, uint64_t seed, GError **error);
void rs_world_free(RsWorld *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsWorld, rs_world_free)

/* Lookups; `ns` and `name` separately, or "ns/name". */
RsNamespace *rs_world_namespace(const RsWorld *w, const char *ns);
RsPod *rs_world_pod(const RsWorld *w, const char *ns, const char *name);
RsPod *rs_world_pod_full(const RsWorld *w, const char *full);
RsPod *rs_world_pod_at(const RsWorld *w, uint32_t ip);
RsWorkload *rs_world_workload(const RsWorld *w, const char *ns, const char *name);
RsService *rs_world_service(const RsWorld *w, const char *ns, const char *name);
RsService *rs_world_service_at(const RsWorld *w, uint32_t ip);

/* The port `port` of a pod's template, or NULL if it does not listen there. */
const RsPodPort *rs_pod_port(const RsPod *pod, uint16_t port);
/* A pod's port by name (R11), or NULL. */
const RsPodPort *rs_pod_port_named(const RsPod *pod, const char *name);
/* Whether a pod answers packets now: it holds its address and has not crashed. */
bool rs_pod_alive(const RsPod *pod);

/* The view's entry for a service port, or NULL if the data plane has no such port. */
RsViewPort *rs_view_port(RsSvcView *v, uint16_t port);

/* How a service picked an endpoint (R13). */
typedef enum { RS_PICK_RANDOM, RS_PICK_ROUNDROBIN, RS_PICK_AFFINITY } RsPickHow;

/* Chooses the endpoint of a new connection from `client` (R13); vp has >= 1. */
const RsEndpoint *rs_service_pick(RsService *svc, RsViewPort *vp, uint32_t client, RsPickHow *how);

/* ---- changes of the truth (each logs a sentence) ---- */

/* R6: graceful deletion; a deployment's pod is replaced at once. */
void rs_world_delete_pod(RsWorld *w, RsPod *pod);
/* R7: the pod stops answering; detected after failure_detection. */
void rs_world_crash_pod(RsWorld *w, RsPod *pod);
/* Sets a deployment's replicas; scale-down removes the newest pods first. */
void rs_world_scale(RsWorld *w, RsWorkload *wl, unsigned replicas);

/* Appends a sentence to the event log (printf-style). */
void rs_world_log(RsWorld *w, RsRule rule, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
const GArray *rs_world_log_entries(const RsWorld *w);

/* ---- internal to src/world (shared between its files) ---- */

const char *rs_world_intern(RsWorld *w, const char *s);
const char *rs_world_intern_full(RsWorld *w, const char *ns, const char *name);
RsNamespace *rs_world_ensure_namespace(RsWorld *w, const char *name);
RsTemplate *rs_world_template(RsWorld *w, const RsWorkloadSpec *spec);
RsSvcDef *rs_world_svc_def(RsWorld *w, const RsServiceSpec *spec);
RsWorkload *rs_world_add_deployment(RsWorld *w, RsNamespace *ns, const char *name,
                                    RsTemplate *tmpl, unsigned replicas);
RsPod *rs_world_add_bare_pod(RsWorld *w, RsNamespace *ns, const char *name, RsTemplate *tmpl);
void rs_world_apply_deployment(RsWorld *w, RsNamespace *ns, const char *name,
                               RsTemplate *tmpl, unsigned replicas);
void rs_world_remove_deployment(RsWorld *w, RsWorkload *wl);
/* Creates a service; `ip_reserved`: its fixed ClusterIP was reserved at load. */
RsService *rs_world_add_service(RsWorld *w, RsNamespace *ns, RsSvcDef *def, bool ip_reserved,
                                GError **error);
void rs_world_apply_service(RsWorld *w, RsNamespace *ns, RsSvcDef *def);
void rs_world_remove_service(RsWorld *w, RsService *svc);
/* Re-reads which ready pods a pod's services select and schedules views (R15). */
void rs_world_pod_endpoints_changed(RsWorld *w, RsPod *pod);
void rs_service_truth_changed(RsWorld *w, RsService *svc);
void rs_service_free(RsService *svc);
void rs_svc_view_free(RsSvcView *v);
void rs_pod_free(RsPod *pod);
bool rs_template_equal(const RsTemplate *a, const RsTemplate *b);
bool rs_labels_match(const RsWLabel *sel, unsigned n_sel, const RsTemplate *t);
bool rs_world_schedule_events(RsWorld *w, const RsScenario *sc, GError **error);

#endif
