/* outcome.h: the fixed vocabulary: outcome words and rule ids.
 *
 * Both lists are X-macros, so the enum, the words printed in reports and the
 * one-line descriptions come from one table (scenario-format.md "Outcomes",
 * network-model.md R1-R38).  The outcome words are public interface: never
 * rename one.
 */
#ifndef RAHTISIM_OUTCOME_H
#define RAHTISIM_OUTCOME_H

#include <stdbool.h>

/* X(enum suffix, word, matrix letter, what the client sees) */
#define RS_OUTCOMES(X) \
    X(OK,              "ok",              '.', "a pod answered (HTTP 200, or a TCP connection)") \
    X(REDIRECT,        "redirect",        '>', "HTTP 302 to https from the router") \
    X(NXDOMAIN,        "nxdomain",        'N', "the name did not resolve") \
    X(TIMEOUT,         "timeout",         'T', "no answer at all: packets dropped") \
    X(REFUSED,         "refused",         'R', "connection refused") \
    X(UNAVAILABLE,     "unavailable",     'U', "HTTP 503 from the router") \
    X(REJECTED,        "rejected",        'W', "the router closed the connection without a response") \
    X(TLS_ERROR,       "tls-error",       'S', "the TLS handshake failed") \
    X(BAD_REQUEST,     "bad-request",     'B', "HTTP 400: the router or the pod could not read the request") \
    X(GATEWAY_TIMEOUT, "gateway-timeout", 'G', "HTTP 504 from the router") \
    X(RESET,           "reset",           'X', "the server reset the connection (R56)") \
    X(BAD_GATEWAY,     "bad-gateway",     'P', "HTTP 502 from the router: the server closed or reset the connection (R56)")

typedef enum {
#define RS_X_(e, w, l, d) RS_OUTCOME_##e,
    RS_OUTCOMES(RS_X_)
#undef RS_X_
    RS_OUTCOME_COUNT
} RsOutcome;

const char *rs_outcome_word(RsOutcome o);
char rs_outcome_letter(RsOutcome o);
const char *rs_outcome_meaning(RsOutcome o);
/* Parses an outcome word; returns false if it is not one. */
bool rs_outcome_parse(const char *word, RsOutcome *out);

/* X(number, short title): network-model.md */
#define RS_RULES(X) \
    X(1,  "IPv4 only") \
    X(2,  "namespaces are isolated networks") \
    X(3,  "pod addresses: round-robin, no immediate reuse") \
    X(4,  "pods listen on unprivileged ports only") \
    X(5,  "a pod is ready after its startup time") \
    X(6,  "graceful deletion and replacement") \
    X(7,  "crash and failure detection") \
    X(8,  "bare pods are not recreated") \
    X(9,  "traffic to pod addresses") \
    X(10, "a service's ClusterIP is stable") \
    X(11, "service ports and target ports") \
    X(12, "services are reachable from their own namespace only") \
    X(13, "endpoint choice per connection") \
    X(14, "no ready endpoints: refused") \
    X(15, "endpoint changes reach the data plane late") \
    X(16, "headless services") \
    X(17, "cluster DNS search list and ndots") \
    X(18, "public DNS and pre-created names") \
    X(19, "the router VIP: 80 and 443, HTTP(S) only") \
    X(20, "a route exposes one service port") \
    X(21, "route selection by host and path") \
    X(22, "route hosts: default names, oldest wins") \
    X(23, "TLS termination") \
    X(24, "port 80 on TLS routes") \
    X(25, "IP whitelist") \
    X(26, "router balancing algorithm") \
    X(27, "sticky cookies") \
    X(28, "router reloads") \
    X(29, "dead servers, retries and health checks") \
    X(30, "router replicas and failover") \
    X(31, "route timeout") \
    X(32, "egress source address") \
    X(33, "dedicated egress IPs") \
    X(34, "hairpin through the VIP") \
    X(35, "the cluster seen from outside") \
    X(36, "external hosts") \
    X(37, "integer time, stable order") \
    X(38, "latency, queues and client timeouts") \
    X(39, "rahti-1: multitenant isolation, joined and global networks") \
    X(40, "rahti-2: the default network policies") \
    X(41, "a network policy isolates the pods it selects") \
    X(42, "both ends must allow; replies pass; denied is dropped") \
    X(43, "policy peers: selectors and ip blocks") \
    X(44, "policy ports: target ports, names, ranges, protocols") \
    X(45, "route traffic comes from openshift-ingress") \
    X(46, "DNS under egress isolation: port 5353") \
    X(47, "policy changes reach the data plane late") \
    X(48, "LoadBalancer services") \
    X(49, "external traffic policy") \
    X(50, "LoadBalancer traffic follows the service data plane") \
    X(51, "container crash and restart (CrashLoopBackOff)") \
    X(52, "readiness probe") \
    X(53, "liveness probe and hung apps") \
    X(54, "rollouts: rolling and recreate") \
    X(55, "graceful termination") \
    X(56, "outcomes reset and bad-gateway")

typedef enum {
    RS_RULE_NONE = 0,
#define RS_X_(n, t) RS_R##n = n,
    RS_RULES(RS_X_)
#undef RS_X_
    RS_RULE_COUNT
} RsRule;

/* "R17" for RS_R17; "" for RS_RULE_NONE. */
const char *rs_rule_id(RsRule r);
const char *rs_rule_title(RsRule r);

#endif
