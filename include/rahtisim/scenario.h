/* scenario.h: the scenario model: what a scenario file says, validated.
 *
 * The loader (src/scenario/) turns a JSONC file into an RsScenario, a plain
 * tree of structs that owns all its memory (free it with rs_scenario_free).
 * Everything here is already checked: types, ranges, units, unknown keys,
 * duplicate names, references to objects declared in the file, IPv4-only
 * addresses (R1), invalid combinations.  Later layers never re-validate and
 * never see JSON.
 *
 * Durations and times are rs_time_t nanoseconds; rates are requests per
 * second (double); IPv4 addresses are uint32_t in host byte order.  Every
 * object keeps the position it came from (RsSrcPos) so that warnings and
 * expectation reports can point at the file.
 *
 * The contract for the file format is ../shared/spec/scenario-format.md;
 * defaults are the ones it lists.
 */
#ifndef RAHTISIM_SCENARIO_H
#define RAHTISIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "rahtisim/engine.h"
#include "rahtisim/outcome.h"

#define RS_SCENARIO_ERROR (rs_scenario_error_quark())
GQuark rs_scenario_error_quark(void);

typedef enum {
    RS_SCENARIO_ERROR_IO,       /* cannot read the file */
    RS_SCENARIO_ERROR_SYNTAX,   /* not JSON(C), not UTF-8 */
    RS_SCENARIO_ERROR_INVALID,  /* JSON, but not a valid scenario */
    RS_SCENARIO_ERROR_LIMIT,    /* exceeds a limit (objects, events, duration) */
} RsScenarioError;

/* Where something came from: 1-based line and column, JSON path. */
typedef struct {
    int line;
    int col;
    char *path;                 /* "namespaces[0].services[1]" */
} RsSrcPos;

/* ---- platform profile (network-model.md, "Platform profiles") ---- */

typedef enum { RS_BAL_RANDOM, RS_BAL_ROUNDROBIN, RS_BAL_LEASTCONN, RS_BAL_SOURCE } RsBalance;
/* R39, R40: how namespaces are isolated. */
typedef enum { RS_ISOLATION_MULTITENANT, RS_ISOLATION_POLICY } RsIsolation;

/* The profile's plain values that the world keeps as they are: RsWorld
 * embeds a copy (`w->par`), made in one assignment.  The profile's strings
 * and arrays are not here: the world interns them (domains, whitelist
 * annotation names) or turns them into its own state (address pools, the
 * egress pool and its cursor). */
typedef struct {
    uint32_t dns_server;        /* R10, R17: 172.30.0.10 */
    uint32_t router_vip;        /* R19 */
    RsBalance balance;          /* R26: default for http/edge/reencrypt routes */
    rs_time_t reload_interval;  /* R28 */
    rs_time_t endpoint_delay, failure_detection, router_failover;  /* R15, R7, R30 */
    rs_time_t connect_timeout, route_timeout;                       /* R38, R31 */
    rs_time_t latency_cluster, latency_internet, latency_router;    /* R38 */
} RsPlatformParams;

typedef struct {
    char *name;                 /* "rahti-1" or "rahti-2" */
    uint32_t pod_net, pod_prefix;           /* 10.128.0.0/14 */
    uint32_t service_net, service_prefix;   /* 172.30.0.0/16 */
    char *cluster_domain;       /* "cluster.local" */
    char *app_domain;           /* "rahtiapp.fi" */
    char *router_canonical;
    uint32_t egress_ip;
    uint32_t *egress_pool; unsigned n_egress_pool;
    unsigned router_replicas;
    char **whitelist_annotations; unsigned n_whitelist_annotations;
    RsPlatformParams par;       /* addresses, timings, latencies, balance */
    /* Rahti 2 additions (R39-R50) */
    RsIsolation isolation;      /* rahti-1 multitenant, rahti-2 network-policy */
    rs_time_t policy_delay;     /* R47: 1s */
    uint16_t dns_target_port;   /* R46: the DNS pods' port: 53 (rahti-1), 5353 (rahti-2) */
    uint32_t node_net, node_prefix;     /* 192.168.0.0/16: node addresses (R45, R49) */
    uint16_t lb_port_min, lb_port_max;  /* R48: 30000-35000 (rahti-2); 0-0: no load balancers */
} RsProfile;

/* Fills `p` with a built-in profile; false if the name is unknown. */
bool rs_profile_builtin(const char *name, RsProfile *p);
/* Their names, NULL-terminated: "rahti-1" (the default), "rahti-2". */
extern const char *const rs_profile_names[];
void rs_profile_clear(RsProfile *p);

/* ---- namespaces and what they hold ---- */

typedef struct {
    uint16_t port;
    char *name;                 /* NULL if unnamed */
    char *tls;                  /* the name its certificate is valid for, NULL: plain */
} RsPortSpec;

typedef enum { RS_PROTO_HTTP, RS_PROTO_TCP } RsProto;

typedef struct {
    char *key, *value;
} RsLabel;

/* A readiness or liveness probe (R52, R53); keys as in Kubernetes
 * (periodSeconds, failureThreshold, successThreshold, initialDelaySeconds). */
typedef struct {
    bool set;                   /* declared: without a readiness probe a pod is ready when
                                   started (R5); without a liveness probe nothing restarts it */
    rs_time_t period;           /* default 10s, > 0 */
    unsigned failure_threshold; /* default 3, >= 1 */
    unsigned success_threshold; /* default 1, >= 1 (liveness: exactly 1) */
    rs_time_t initial_delay;    /* default 0s */
} RsProbeSpec;

/* A number of pods or a percentage of the replicas (R54: intstr.IntOrString). */
typedef struct {
    unsigned value;
    bool percent;               /* value is 0-100 % */
} RsIntOrPct;

typedef enum { RS_STRATEGY_ROLLING, RS_STRATEGY_RECREATE } RsStrategyType;

/* A deployment's update strategy (R54). */
typedef struct {
    RsStrategyType type;        /* default rolling */
    RsIntOrPct max_surge;       /* default 25 % (rounded up) */
    RsIntOrPct max_unavailable; /* default 25 % (rounded down) */
    rs_time_t min_ready;        /* default 0s: minReadySeconds */
} RsStrategySpec;

/* The fields a rollout's `set` may change (R54), as bits of RsWorkloadSpec.set_mask. */
enum {
    RS_SET_PORTS = 1u << 0, RS_SET_PROTOCOL = 1u << 1, RS_SET_STARTUP = 1u << 2,
    RS_SET_SERVICE_TIME = 1u << 3, RS_SET_CONCURRENCY = 1u << 4, RS_SET_READINESS = 1u << 5,
    RS_SET_LIVENESS = 1u << 6, RS_SET_PRE_STOP = 1u << 7, RS_SET_GRACE = 1u << 8,
};

/* A deployment, or a bare pod (replicas 1, is_bare). */
typedef struct {
    RsSrcPos pos;
    char *name;
    bool is_bare;
    unsigned replicas;
    RsLabel *labels; unsigned n_labels;
    RsPortSpec *ports; unsigned n_ports;
    RsProto protocol;
    rs_time_t startup;          /* default 2s (R5) */
    rs_time_t service_time;     /* mean, default 1ms (R38) */
    unsigned concurrency;       /* default 100 */
    RsProbeSpec readiness, liveness;    /* R52, R53 */
    RsStrategySpec strategy;    /* R54 (deployments) */
    rs_time_t pre_stop;         /* R55: the preStop sleep, default 0s (none) */
    rs_time_t termination_grace;        /* R55: default 30s */
    unsigned set_mask;          /* a rollout's `set`: the RS_SET_* fields given */
} RsWorkloadSpec;

typedef struct {
    uint16_t port;
    uint16_t target_port;       /* 0 when target_name is used */
    char *target_name;          /* a named pod port (R11), or NULL */
    char *name;                 /* optional port name */
} RsServicePortSpec;

typedef enum { RS_SVC_BAL_RANDOM, RS_SVC_BAL_ROUNDROBIN } RsServiceBalance;
typedef enum { RS_AFFINITY_NONE, RS_AFFINITY_CLIENT_IP } RsAffinity;
typedef enum { RS_CLUSTER_IP_AUTO, RS_CLUSTER_IP_NONE, RS_CLUSTER_IP_FIXED } RsClusterIpMode;

typedef enum { RS_SVC_CLUSTER_IP, RS_SVC_LOAD_BALANCER } RsServiceType;
typedef enum { RS_ETP_CLUSTER, RS_ETP_LOCAL } RsExternalTrafficPolicy;

typedef struct {
    RsSrcPos pos;
    char *name;
    RsLabel *selector; unsigned n_selector;
    RsServicePortSpec *ports; unsigned n_ports;
    RsServiceBalance balance;
    RsAffinity affinity;
    RsClusterIpMode cluster_ip_mode;
    uint32_t cluster_ip;        /* when RS_CLUSTER_IP_FIXED */
    RsServiceType type;         /* R48: load-balancer (rahti-2) */
    RsExternalTrafficPolicy etp;    /* R49 */
    RsLabel *annotations; unsigned n_annotations;   /* metallb.universe.tf/allow-shared-ip (R48) */
} RsServiceSpec;

typedef enum { RS_TLS_NONE, RS_TLS_EDGE, RS_TLS_PASSTHROUGH, RS_TLS_REENCRYPT } RsTlsMode;
typedef enum { RS_INSECURE_NONE, RS_INSECURE_ALLOW, RS_INSECURE_REDIRECT } RsInsecure;

typedef struct {
    char *service;
    unsigned weight;            /* 0-256 */
} RsBackendSpec;

typedef struct {
    RsSrcPos pos;
    char *name;
    char *service;
    uint16_t target_port;       /* 0: target_name, or all ports if both unset */
    char *target_name;
    char *host;                 /* NULL: default <name>-<namespace>.<app domain> (R22) */
    char *path;                 /* default "/" */
    RsTlsMode tls;
    RsInsecure insecure;
    bool certificate;           /* a valid certificate for a custom host */
    unsigned weight;            /* default 100 */
    RsBackendSpec *alternates; unsigned n_alternates;
    RsLabel *annotations; unsigned n_annotations;   /* key -> value, file order */
} RsRouteSpec;

/* ---- network policies (R40-R47): Kubernetes NetworkPolicy v1 ---- */

typedef enum { RS_SEL_IN, RS_SEL_NOT_IN, RS_SEL_EXISTS, RS_SEL_DOES_NOT_EXIST } RsSelOp;

typedef struct {
    char *key;
    RsSelOp op;
    char **values; unsigned n_values;
} RsSelExprSpec;

/* A label selector: match_labels AND match_expressions; empty = everything. */
typedef struct {
    RsLabel *match_labels; unsigned n_match_labels;
    RsSelExprSpec *exprs; unsigned n_exprs;
} RsSelectorSpec;

/* One peer of a rule (R43): selectors, or an ip_block. */
typedef struct {
    bool has_pod_sel, has_ns_sel, has_ip_block;
    RsSelectorSpec pod_sel, ns_sel;
    uint32_t cidr_net, cidr_prefix;
    uint32_t *except_net, *except_prefix; unsigned n_except;
} RsPeerSpec;

typedef enum { RS_L4_TCP, RS_L4_UDP, RS_L4_SCTP } RsL4Proto;

/* One entry of a rule's `ports` (R44). */
typedef struct {
    RsL4Proto protocol;         /* default TCP */
    bool has_port;              /* false: every port of the protocol */
    uint16_t port;              /* a number, or 0 when port_name is set */
    char *port_name;            /* a pod port name */
    uint16_t end_port;          /* 0: just `port` */
} RsPolicyPortSpec;

typedef struct {
    RsPeerSpec *peers; unsigned n_peers;        /* none: every peer (R43) */
    RsPolicyPortSpec *ports; unsigned n_ports;  /* none: every port (R44) */
} RsPolicyRuleSpec;

typedef struct {
    RsSrcPos pos;
    char *name;
    RsSelectorSpec pod_selector;                /* empty: every pod of the namespace (R41) */
    bool type_ingress, type_egress;             /* policy_types, defaulted (R41) */
    RsPolicyRuleSpec *ingress; unsigned n_ingress;
    RsPolicyRuleSpec *egress; unsigned n_egress;
} RsPolicySpec;

typedef struct {
    RsSrcPos pos;
    char *name;
    bool dedicated_egress;      /* "egress_ip": "dedicated" (R33) */
    RsLabel *labels; unsigned n_labels;         /* plus kubernetes.io/metadata.name (R43) */
    bool default_policies;      /* rahti-2: the two default policies (R40); default true */
    RsPolicySpec *policies; unsigned n_policies;
    uint32_t *lb_ips; unsigned n_lb_ips;        /* granted load_balancer_ips (R48) */
    RsWorkloadSpec *deployments; unsigned n_deployments;
    RsWorkloadSpec *pods; unsigned n_pods;          /* bare pods (R8) */
    RsServiceSpec *services; unsigned n_services;
    RsRouteSpec *routes; unsigned n_routes;
} RsNamespaceSpec;

/* ---- outside the cluster ---- */

typedef struct {
    uint16_t port;
    RsProto protocol;
    uint32_t *allow_net; uint32_t *allow_prefix; unsigned n_allow;  /* none: all allowed */
} RsHostPortSpec;

typedef struct {
    RsSrcPos pos;
    char *name;
    uint32_t ip;
    bool cookies;
    RsHostPortSpec *ports; unsigned n_ports;
} RsHostSpec;

typedef struct {
    RsSrcPos pos;
    char *name;                 /* lowercased, no trailing dot */
    char *cname;                /* one of cname / a is set */
    uint32_t a;
    bool has_a;
} RsDnsRecordSpec;

/* ---- events ---- */

/* X(enum suffix, the action's key in the scenario file): the kinds of
 * event, in the order the loader lists them (one list: the enum and the
 * loader's action words cannot drift apart). */
#define RS_EVENT_KINDS(X) \
    X(DELETE,           "delete")           /* R6 */ \
    X(CRASH,            "crash")            /* R7 */ \
    X(SCALE,            "scale") \
    X(ANNOTATE,         "annotate")         /* R25, R28 */ \
    X(ROUTER_DOWN,      "router_down")      /* R30 */ \
    X(ROUTER_UP,        "router_up")        /* R30 */ \
    X(APPLY,            "apply") \
    X(REMOVE,           "remove") \
    X(LABEL,            "label")            /* a namespace's or a pod's label (R47) */ \
    X(JOIN_NETWORKS,    "join_networks")    /* rahti-1 admin: oc adm pod-network join-projects (R39) */ \
    X(GLOBAL_NETWORK,   "global_network")   /* rahti-1 admin: make-projects-global (R39) */ \
    X(CRASH_CONTAINER,  "crash_container")  /* R51 */ \
    X(FAIL_READINESS,   "fail_readiness")   /* R52 */ \
    X(PASS_READINESS,   "pass_readiness")   /* R52 */ \
    X(HANG,             "hang")             /* R53 */ \
    X(ROLLOUT,          "rollout")          /* R54 */

typedef enum {
#define RS_X_(e, word) RS_EV_##e,
    RS_EVENT_KINDS(RS_X_)
#undef RS_X_
} RsEventKind;
/* The number of kinds (not an enum member, so switches stay exhaustive). */
#define RS_X_(e, word) +1
enum { RS_EV_KIND_COUNT = 0 RS_EVENT_KINDS(RS_X_) };
#undef RS_X_

typedef enum {
    RS_KIND_ANY, RS_KIND_POD, RS_KIND_DEPLOYMENT, RS_KIND_SERVICE, RS_KIND_ROUTE,
    RS_KIND_NETWORK_POLICY,
} RsObjKind;
#define RS_KIND_LAST RS_KIND_NETWORK_POLICY

typedef struct {
    RsSrcPos pos;
    rs_time_t at;
    RsEventKind kind;
    char *ns, *name;            /* target "ns/name" split; kind-qualified "ns/kind/name" sets obj_kind */
    RsObjKind obj_kind;
    unsigned replicas;          /* scale */
    char *key, *value;          /* annotate; value NULL removes */
    unsigned router;            /* router_down / router_up replica index */
    /* apply: exactly one of these is set, the object to create or replace in `ns` */
    RsWorkloadSpec *deployment, *pod;
    RsServiceSpec *service;
    RsRouteSpec *route;
    RsPolicySpec *policy;       /* apply of a network_policy (R47) */
    /* label: `ns` (a namespace: name NULL) or ns/name (a pod); key, value (NULL removes) */
    char **networks; unsigned n_networks;   /* join_networks (R39) */
    bool crash_loop;            /* crash_container: it crashes again on every start (R51) */
    RsWorkloadSpec *set;        /* rollout: the changed pod fields (set_mask), or NULL (R54) */
} RsEventSpec;

/* ---- traffic ---- */

/* A request target: http://NAME[:PORT][/PATH], https://..., tcp://NAME:PORT */
typedef enum { RS_SCHEME_HTTP, RS_SCHEME_HTTPS, RS_SCHEME_TCP } RsScheme;

typedef struct {
    RsScheme scheme;
    char *host;                 /* a DNS name as written (may end with '.'), an IPv4 literal, or NULL */
    uint32_t ip; bool is_ip;    /* IPv4 literal */
    char *pod_ref;              /* "@ns/pod": the address that pod has or last had */
    uint16_t port;              /* defaulted: 80 / 443 */
    char *path;                 /* "/" if none */
} RsUrl;

/* R21, C3: a DNS name as the Host header and SNI carry it: lowercased and
 * without a trailing dot, into buf (truncated to len - 1 bytes; a URL's name
 * has at most 254).  True if the name ended with a dot: HAProxy 1.8's Host
 * header keeps it (C3), SNI never does. */
bool rs_url_host_header(const char *host, char *buf, size_t len);
/* Parses a URL as scenario-format.md describes ("Where a request goes").  True
 * on success: `out` holds the URL (rs_url_clear it).  False on error: `out` is
 * zeroed and *error (RS_SCENARIO_ERROR_INVALID) says what is wrong. */
bool rs_url_parse(const char *text, RsUrl *out, GError **error);
void rs_url_clear(RsUrl *u);
/* The URL as a person would write it (no default port; g_free it). */
char *rs_url_format(const RsUrl *u);

/* Where a request starts: a pod, a deployment (any of its ready pods) or a host. */
typedef enum { RS_FROM_POD, RS_FROM_DEPLOYMENT, RS_FROM_HOST } RsFromKind;
typedef struct {
    RsFromKind kind;
    char *ns, *name;            /* ns NULL for a host */
} RsFrom;

/* "ns/name" for a pod or deployment, the name for a host, into buf. */
const char *rs_from_format(const RsFrom *f, char *buf, size_t len);

typedef enum { RS_ARRIVALS_POISSON, RS_ARRIVALS_CONSTANT } RsArrivals;

typedef struct {
    RsSrcPos pos;
    char *name;
    RsFrom from;
    RsUrl to;
    double rate;                /* per second */
    RsArrivals arrivals;
    rs_time_t start, stop;      /* stop RS_TIME_NEVER: until the end */
    unsigned clients;           /* default 1 */
} RsTrafficSpec;

/* ---- expectations ---- */

typedef enum {
    RS_EXPECT_PROBE, RS_EXPECT_RESOLVE, RS_EXPECT_STATE, RS_EXPECT_TRAFFIC,
    RS_EXPECT_ROLLOUT,          /* {"rollout": "ns/deploy", "complete_by": T} (R54) */
    RS_EXPECT_READY,            /* {"deployment": "ns/web", "between": [...], "ready": {"min": N}} */
    RS_EXPECT_MATRIX,           /* who reaches whom: rows x columns of probes (loader-matrix.c) */
} RsExpectKind;

typedef enum {
    RS_POD_PENDING, RS_POD_RUNNING, RS_POD_READY, RS_POD_FAILED, RS_POD_GONE,
    RS_POD_NOT_READY,           /* running, failing its readiness probe (R52) */
    RS_POD_TERMINATING,         /* deleted, draining (R55) */
} RsPodState;
const char *rs_pod_state_word(RsPodState s);

typedef struct {
    bool has_min, has_max;
    double min, max;
} RsRange;

typedef struct {
    RsSrcPos pos;
    RsExpectKind kind;
    char *description;          /* may be NULL */
    char *id;                   /* unique in the file: the report and JUnit/TAP name; may be NULL */
    rs_time_t at;
    /* probe */
    RsFrom from;
    RsUrl to;
    bool has_outcome; RsOutcome outcome;
    char *pod_glob;             /* "fenic/nginx-*" or NULL */
    int status;                 /* -1: not checked */
    bool has_source_ip; uint32_t source_ip;
    bool has_latency_min, has_latency_max;
    rs_time_t latency_min, latency_max;
    /* resolve: answer is a service, an address, a list of addresses, or nxdomain */
    char *resolve;
    bool answer_nxdomain;
    char *answer_service;       /* "ns/name" */
    uint32_t *answer_ips; unsigned n_answer_ips;
    /* state */
    char *pod;                  /* "ns/name" */
    RsPodState state;
    /* traffic */
    char *traffic;
    rs_time_t between_start, between_end;   /* whole run when not given */
    bool has_share;
    RsRange share[RS_OUTCOME_COUNT];
    char *spread_over;          /* "ns/deployment" or NULL */
    double max_deviation;
    bool has_latency_pct;       /* "latency": {"p50": "5ms", "p99": {"max": "50ms"}} */
    rs_time_t latency_p50_max, latency_p90_max, latency_p99_max;   /* RS_TIME_NEVER: unchecked */
    /* rollout (R54): the deployment in `pod`; complete by `at` */
    /* ready: the deployment in `pod`, over between_start..between_end */
    unsigned ready_min;
    /* matrix: every row against every column, outcomes row-major */
    RsFrom *matrix_from; unsigned n_matrix_from;
    RsUrl *matrix_to; unsigned n_matrix_to;
    RsOutcome *matrix_expect;
    char *golden;               /* the golden file it came from, or NULL (inline) */
} RsExpectSpec;

/* Limits that protect against runaway scenarios; each has a command-line
 * flag (--max-objects, --max-events, --max-duration) and a clear error.
 *  - max_objects: the pods, services, routes and hosts a scenario can make:
 *    deployments count their replicas, scale events the replicas they ask
 *    for, delete and crash events one replacement each (the world keeps
 *    every pod it ever made).  Checked at load.  Default 100000.
 *  - max_events: engine events one run may execute.  At load, scenario
 *    events and expectations count one engine event each, and the requests
 *    traffic sources would send RS_EVENTS_PER_REQUEST each; at run time the engine
 *    stops at the limit and the run fails (rs_run_scenario).  Default 100000000.
 *  - max_duration: the latest simulated time anything may happen at (the
 *    duration, event, expectation and traffic times).  Default 30 days.
 *  - max_memory: bytes the process may use (--max-memory, default 2 GiB).
 *    At load, a lower bound of what the scenario needs (its objects, and
 *    the requests its traffic must have in flight at once) is checked
 *    against it; at run time the engine checks the resident memory every
 *    RS_MEMORY_CHECK_EVERY events and stops the run cleanly (exit 2) when
 *    it is crossed.  0: no budget.
 * Namespaces, expectations and traffic sources count as objects too (each
 * costs memory, however empty). */
typedef struct {
    unsigned max_objects;
    unsigned max_events;
    rs_time_t max_duration;
    uint64_t max_memory;
} RsLimits;
/* The lower bounds of memory per object the load-time estimate uses
 * (measured with bench requests and check; the real costs are higher). */
#define RS_MEM_PER_OBJECT 256u          /* a pod, service, route, namespace ... */
#define RS_MEM_PER_SOURCE 8192u         /* a traffic source's statistics */
#define RS_MEM_PER_REQUEST 1024u        /* a request in flight (the pipeline's RsReq) */
void rs_limits_default(RsLimits *l);
/* The loader's estimate of engine events per request of a traffic source,
 * for the --max-events budget at load: measured 4.1-6.0 on the lessons with
 * traffic (scenarios 00, 20, 21; engine events / requests, scenario events
 * included), rounded up to leave room for retries and redispatches (R29). */
#define RS_EVENTS_PER_REQUEST 10

/* ---- the scenario ---- */

typedef struct {
    char *file;                 /* as given on the command line, or "<built-in>" */
    char *name;
    char *description;
    RsProfile profile;
    uint64_t seed;              /* default 1 */
    rs_time_t duration;         /* RS_TIME_NEVER: until the last event, traffic or expectation */
    RsNamespaceSpec *namespaces; unsigned n_namespaces;
    RsHostSpec *hosts; unsigned n_hosts;
    RsDnsRecordSpec *dns; unsigned n_dns;
    RsEventSpec *events; unsigned n_events;         /* sorted by time, stable */
    RsTrafficSpec *traffic; unsigned n_traffic;
    RsExpectSpec *expect; unsigned n_expect;
    /* Warnings the loader found (privileged ports, ...); `check` prints them. */
    GPtrArray *warnings;        /* char *, "FILE:LINE:COL: warning: ..." */
    /* What an import of manifests could not translate (`import_notes`, src/import/). */
    GPtrArray *notes;           /* char *, "FILE:LINE:COL: what" */
    RsLimits limits;            /* the limits it was loaded with; runs obey them too */
    /* Set by a command that never reads the event log (`topology`): worlds
     * built from this scenario keep no log, so no sentence is formatted
     * for nobody (issue 14: 60 000 sentences at 10^4 namespaces, ~5 % of
     * the run).  The simulation is the same either way: nothing reads the
     * log but the reports.  Default false. */
    bool no_event_log;
    /* Where a loaded scenario's specs keep their strings and arrays
     * (src/scenario/arena.h), freed at once by rs_scenario_free; NULL for a
     * scenario built by hand (issue 14: a malloc and a free each were a
     * fifth of loading 10^5 namespaces). */
    struct RsArena *arena;
} RsScenario;


/* Loads and validates a scenario file.  On error returns NULL and sets
 * `error` with a message "FILE:LINE:COL: JSONPATH: message"; when the
 * events, traffic sources, expectations or references hold several errors,
 * up to 20 of them, one a line, lines after the first prefixed "rahtisim: "
 * as the command line prints them. */
RsScenario *rs_scenario_load_file(const char *path, const RsLimits *limits, GError **error);

/* Same, from memory; `name` is used in messages in place of the file name. */
/* The loader's own key tables, as it checks each object of a document:
 * `path` is the object's JSON path ("namespaces[0].services[1]"), `keys`
 * the keys it allows (NULL-terminated), `what` its name ("a service").
 * rs_scenario_load_data_keys loads like rs_scenario_load_data (default
 * limits) and calls `fn` for every object checked: `rahtisim schema` is
 * built from these tables, so it cannot drift from the loader.  With `keys`
 * NULL, `what` is the JSON Schema (text) of a value the loader's typed
 * readers check at `path` (type, range, enum words, unit pattern). */
typedef void (*RsKeysFn)(void *data, const char *path, const char *const *keys, const char *what);
RsScenario *rs_scenario_load_data_keys(const char *name, const char *data, size_t len, RsKeysFn fn,
                                       void *fdata, GError **error);
/* A JSON Schema (draft 2020-12) of the scenario format made from the key
 * tables the loader uses on `samples` (documents that use every key, such
 * as tests/good/full.json): every object the loader checks gets its
 * allowed keys as properties and additionalProperties false.  NULL with
 * `error` if a sample does not load.  g_free the text. */
char *rs_scenario_schema(const char *const *samples, const size_t *lens, unsigned n, GError **error);
RsScenario *rs_scenario_load_data(const char *name, const char *data, size_t len,
                                  const RsLimits *limits, GError **error);

void rs_scenario_free(RsScenario *sc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsScenario, rs_scenario_free)

/* Parsing helpers shared with the command line (--at, --seed). */
bool rs_parse_duration(const char *text, rs_time_t *out);
/* Why a duration string was refused (rs_duration_parse). */
typedef enum {
    RS_DURATION_OK,
    RS_DURATION_SYNTAX,         /* not digits[.digits]UNIT: ".5s", "5.s", "10 s", "5sec" */
    RS_DURATION_NO_UNIT,        /* "250": 250 ms or 250 s? */
    RS_DURATION_NEGATIVE,       /* "-1s" */
    RS_DURATION_TOO_LARGE,      /* beyond int64 nanoseconds (about 292 years) */
    RS_DURATION_SUB_NS,         /* "0.0000000015s": durations are whole nanoseconds */
} RsDurationStatus;
/* rs_parse_duration with the reason for a refusal; *out set only on OK. */
RsDurationStatus rs_duration_parse(const char *text, rs_time_t *out);
/* The router's reading of `haproxy.router.openshift.io/timeout` (R31):
 * `[1-9][0-9]*(us|ms|s|m|h|d)?`, no unit meaning ms, clipped at HAProxy's
 * 2147483647 ms; false when the router would ignore the value. */
bool rs_parse_route_timeout(const char *text, rs_time_t *out);
bool rs_parse_rate(const char *text, double *out);
/* JSON Schema patterns (ECMA-262 regular expressions) of what
 * rs_duration_parse and rs_parse_rate accept, made from their unit tables:
 * `rahtisim schema` (static strings). */
const char *rs_duration_pattern(void);
const char *rs_rate_pattern(void);
/* An IPv4 address as rs_parse_ipv4 reads it: four decimal octets 0-255,
 * no leading zeros (R1). */
#define RS_IPV4_PATTERN "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
bool rs_parse_ipv4(const char *text, uint32_t *out);
bool rs_parse_cidr(const char *text, uint32_t *net, uint32_t *prefix);
/* Formats an address into buf (at least 16 bytes); returns buf. */
char *rs_ipv4_format(uint32_t ip, char *buf);
/* Formats a duration compactly ("1.5s", "250ms", "0s") into buf (>= 32 bytes). */
char *rs_duration_format(rs_time_t t, char *buf);

#endif
