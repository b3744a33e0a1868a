/* request.h: one request's result and the hops it took.
 *
 * Every request (a probe, an expectation, one arrival of bulk traffic)
 * walks the same pipeline (src/net/request.c) and ends with an RsResult.
 * When asked (probes, `explain`), the result also carries its hops: each
 * hop is data (a kind, the rule that decided it, addresses and names), and
 * rs_hop_describe turns one into a plain sentence.  No printer assembles
 * rule ids from text: the rule is a field.
 */
#ifndef RAHTISIM_REQUEST_H
#define RAHTISIM_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "rahtisim/engine.h"
#include "rahtisim/outcome.h"

typedef struct RsSim RsSim;

/* X(enum suffix, what it records): the kinds of hop.  Fields used are in
 * brackets; `name` holds a DNS name or a target as written. */
#define RS_HOP_KINDS(X) \
    X(SOURCE,           "the sending pod [pod, ip]") \
    X(SOURCE_DOWN,      "the requester is not running: nothing is sent [name]") \
    X(FROM_HOST,        "a host outside the cluster sends [name, ip]") \
    X(DNS_QUERY,        "one resolver query [name, found, n addresses, ip first, svc]") \
    X(RESOLVED,         "the name resolved [name, ip, n queries]") \
    X(NXDOMAIN,         "the name did not resolve [name, n queries]") \
    X(POD_REF,          "@ns/pod target [pod, ip, flag: holds it now]") \
    X(NO_ADDRESS,       "@ns/pod that never had an address [name]") \
    X(CONNECT,          "the client opens a connection [ip, port]") \
    X(NO_RULES,         "the data plane has no rules for a ClusterIP yet or any more [svc, ip]") \
    X(NO_SERVICE,       "no service has this service-network address [ip]") \
    X(SVC_OTHER_NS,     "a service of another namespace [svc, ns: client's]") \
    X(SVC_NO_PORT,      "a port the service does not export [svc, port]") \
    X(SVC_NO_ENDPOINTS, "the service has no ready endpoints in the data plane [svc]") \
    X(SVC_PICK,         "the service picks an endpoint [svc, pod, ip:port, n endpoints, m: how]") \
    X(NO_HOLDER,        "no live pod holds the address [ip, svc if via a service: stale]") \
    X(POD_OTHER_NS,     "the address is a pod of another namespace [pod, ns: client's]") \
    X(POD_CRASHED,      "the pod crashed and does not answer [pod]") \
    X(POD_STARTING,     "the pod is still starting: nothing listens yet [pod, port]") \
    X(POD_RESTARTING,   "the pod's container crashed and waits to restart (R51) [pod, port, n: restarts]") \
    X(POD_SIGTERM,      "the pod is terminating and has stopped accepting (R55) [pod, port]") \
    X(POD_HUNG,         "the pod accepted the connection but its app never answers (R53) [pod]") \
    X(RESET,            "the pod was killed with the request in flight: connection reset (R56) [pod, flag: via the router: 502]") \
    X(POD_FAILED,       "the pod fails to start [pod, port, n: privileged port]") \
    X(NO_LISTENER,      "the pod does not listen on the port [pod, port]") \
    X(TLS_PLAIN,        "https to a port without TLS [pod, port]") \
    X(POD_TLS_CERT,     "the pod's certificate is not valid for the name the client asked for [pod, port, name: host, name2: cert]") \
    X(HTTP_TO_TLS,      "plain HTTP to a TLS port [pod, port]") \
    X(QUEUED,           "the pod is busy: the request waits [pod, n ahead]") \
    X(SERVE,            "the pod starts serving [pod, n busy, m concurrency]") \
    X(ANSWER,           "the answer arrives [pod, n: status, flag: not HTTP]") \
    X(SHUTDOWN,         "the pod was deleted before accepting [pod]") \
    X(TIMEOUT,          "the client gives up [ip]") \
    X(DNS_CNAME,        "a public CNAME followed [name -> name2]") \
    X(EGRESS,           "leaves the cluster with its namespace's egress IP [ns, ip, flag: dedicated]") \
    X(FROM_OUTSIDE,     "an address inside the cluster, from outside: dropped [ip, port]") \
    X(NO_MACHINE,       "no machine answers at an address outside the cluster [ip]") \
    X(HOST_DENIED,      "a host's allow list drops the source [name, ip: source, port]") \
    X(HOST_NO_LISTENER, "the host does not listen on the port [name, port]") \
    X(HOST_ANSWER,      "the host answers [name, port, n: status]") \
    X(VIP_PORT,         "a port of the router VIP other than 80 and 443 [ip, port]") \
    X(VIP_NO_REPLICA,   "no router replica is in the VIP's rotation [ip]") \
    X(VIP_REPLICA,      "the VIP hands the connection to a router replica [n: replica]") \
    X(REPLICA_DOWN,     "that replica has failed; the VIP does not know yet [n: replica]") \
    X(VIP_PROTOCOL,     "the wrong protocol for the port [port, m: scheme]") \
    X(TLS_CERT,         "the router's TLS handshake [name: host or empty, flag: valid, m: 0 wildcard 1 route 2 none]") \
    X(NO_ROUTE,         "no route for host and path [name: host, name2: path, flag: https, m: 1 plain route only]") \
    X(ROUTE,            "the route that serves host and path [svc: route, name: host, name2: path, flag: by SNI]") \
    X(INSECURE,         "port 80 of a TLS route [svc: route, m: RsInsecure]") \
    X(WL_REJECT,        "the whitelist does not cover the source [svc: route, ip: source, n: entries]") \
    X(WL_PASS,          "the whitelist covers the source, or was discarded [svc: route, ip, flag: discarded]") \
    X(NO_SERVERS,       "the route has no server to send to [svc: route]") \
    X(BALANCE,          "the replica picks a server [svc: route, pod, ip2:port2, n: servers, m: how, n2: RsBalance]") \
    X(RT_CONNECT_FAIL,  "the router's connection to a server fails [pod, ip2:port2, flag: refused, n: attempt]") \
    X(RT_GIVE_UP,       "out of retries: HTTP 503 [svc: route, n: attempts]") \
    X(BACKEND_TLS,      "TLS between router and pod fails [pod, port, m: RsTlsMode, name: the name needed]") \
    X(BAD_GATEWAY,      "the pod does not speak HTTP: HTTP 502 [pod, port]") \
    X(GATEWAY_TIMEOUT,  "the pod is slower than the route timeout: HTTP 504 [svc: route, n: timeout ms]") \
    X(ROUTER_LOST,      "the replica failed with the connection on it [n: replica]") \
    X(REDIRECT,         "HTTP 302 to https [name: host]") \
    X(POLICY_EGRESS,    "the source's egress network policies decide [pod: source or ns, flag: allowed, m: isolated, name2: policy, n: rule, n2: selecting, ip:port: destination]") \
    X(POLICY_INGRESS,   "the destination's ingress network policies decide [pod: destination, flag: allowed, m: isolated, name2: policy, n: rule, n2: selecting, ip: source, port]") \
    X(DNS_DROPPED,      "an egress policy drops the query to the cluster DNS pods [ip: DNS pod, port, n: attempt]") \
    X(LB,               "a load-balancer address takes the connection [svc, ip: address, port, m: RsExternalTrafficPolicy, ip2: the source the pod sees]") \
    X(LB_NO_PORT,       "a load-balancer address without a service on the port [ip, port]") \
    X(NET_JOINED,       "rahti-1: another namespace reached through joined or global networks [ns: client's, name2: the other]")

typedef enum {
#define RS_X_(e, d) RS_HOP_##e,
    RS_HOP_KINDS(RS_X_)
#undef RS_X_
    RS_HOP_KIND_COUNT
} RsHopKind;

/* What RsHop.m holds, by kind (one enum each, so no hop reads a bare number):
 *   SVC_PICK       RsPickHow (world.h): how the service chose (R13)
 *   BALANCE        RsRtPickHow (router.h): algorithm, cookie or redispatch (R26, R27, R29)
 *   TLS_CERT       RsHopCert below: which certificate terminated TLS (R23)
 *   BACKEND_TLS    RsTlsMode (scenario.h) of the route
 *   VIP_PROTOCOL   RsScheme (scenario.h) the client spoke
 *   NO_ROUTE       1: a plain-HTTP route matches (R23), 0: none
 *   INSECURE       RsInsecure (scenario.h)
 *   LB             RsExternalTrafficPolicy (scenario.h)
 *   POLICY_*       1: the pod is isolated by a policy of that direction (R41)
 *   SERVE          the pod's workers (its concurrency) */
typedef enum {
    RS_HOP_CERT_WILDCARD,       /* the router's wildcard certificate for <name>.<app domain> (R18) */
    RS_HOP_CERT_OWN,            /* the route's own certificate */
    RS_HOP_CERT_NONE,           /* none is valid for the name: the handshake fails */
} RsHopCert;

typedef struct {
    rs_time_t at;               /* simulated time of the hop */
    RsHopKind kind;
    RsRule rule;                /* the rule that decided it (RS_RULE_NONE: plain step) */
    uint32_t ip, ip2;
    uint16_t port, port2;
    unsigned n, m;
    bool flag, found;
    const char *pod;            /* "ns/pod", interned by the world, or NULL */
    const char *svc;            /* "ns/svc", or NULL */
    const char *ns;             /* a namespace name, or NULL */
    const char *name2;          /* a second name (interned by the world), or NULL */
    unsigned n2;
    char name[260];             /* a DNS name, or the target as written */
} RsHop;

/* What one request came to.  Strings are interned by the simulation and
 * valid for its life; `hops` is valid during the done callback only (use
 * rs_result_dup to keep a result). */
typedef struct RsResult {
    RsOutcome outcome;
    int status;                 /* 200 for ok over http(s), 400 for bad-request; else 0 */
    const char *from_pod;       /* "ns/pod" that sent it, or NULL if none could */
    const char *pod;            /* "ns/pod" that served (answered), or NULL */
    const char *to_pod;         /* "ns/pod" the request was sent to (a service's or the
                                   router's pick, or the pod holding the address), whatever
                                   the outcome; NULL if it reached no pod's address */
    uint32_t source_ip;         /* the source the destination saw: the client pod's IP inside the
                                   cluster, the egress IP outside (R32), the client's address at the
                                   router (R25, R34); 0 if nothing was sent */
    uint32_t dest_ip;           /* the address connected to (after DNS), 0 if none */
    uint16_t dest_port;
    rs_time_t started, latency;
    unsigned dns_queries;
    const RsHop *hops; unsigned n_hops;     /* only when recorded */
} RsResult;

typedef void (*RsRequestDone)(RsSim *sim, const RsResult *res, void *data);

/* Writes one hop as one plain sentence ending with its rule, e.g.
 * "fenic/nginx picks fenic/nginx-2 (10.128.0.3:8081) at random among 3 endpoints (R13)". */
void rs_hop_describe(const RsHop *hop, GString *out);
const char *rs_hop_kind_name(RsHopKind k);

/* A deep copy of a result that outlives the callback (hops included). */
RsResult *rs_result_dup(const RsResult *res);
void rs_result_free(RsResult *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsResult, rs_result_free)

#endif
