/* hop.c: a hop as one plain sentence, and results that outlive a callback.
 *
 * A hop is data (kind, rule, addresses, names); this file is the only place
 * that turns it into words, so `explain`, the trace and expectation reports
 * say the same thing.  The rule id comes from the hop's `rule` field and is
 * appended as "(R13)"; no sentence hard-codes one.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/request.h"
#include "rahtisim/router.h"
#include "rahtisim/scenario.h"
#include "rahtisim/world.h"

static const char *const kind_names[RS_HOP_KIND_COUNT] = {
#define RS_X_(e, d) [RS_HOP_##e] = #e,
    RS_HOP_KINDS(RS_X_)
#undef RS_X_
};

/* The enum name of a hop kind ("SVC_PICK"), for traces and tests. */
const char *
rs_hop_kind_name(RsHopKind k)
{
    return (unsigned)k < RS_HOP_KIND_COUNT ? kind_names[k] : "?";
}

/* Writes one hop as a sentence; see request.h. */
void
rs_hop_describe(const RsHop *h, GString *out)
{
    const char *pod = h->pod ? h->pod : "?";
    const char *svc = h->svc ? h->svc : "?";
    char ip[16], ip2[16];
    rs_ipv4_format(h->ip, ip);
    rs_ipv4_format(h->ip2, ip2);
    switch (h->kind) {
    case RS_HOP_SOURCE:
        g_string_append_printf(out, "sent from %s (%s)", pod, ip);
        break;
    case RS_HOP_SOURCE_DOWN:
        if (h->pod != NULL)
            g_string_append_printf(out, "%s is %s: nothing is sent", h->pod,
                                   h->flag ? "crashed" : rs_pod_state_word((RsPodState)h->n));
        else
            g_string_append_printf(out, "%s has no running pod to send from: nothing is sent", h->name);
        break;
    case RS_HOP_FROM_HOST:
        g_string_append_printf(out, "sent from host %s (%s), outside the cluster", h->name, ip);
        break;
    case RS_HOP_DNS_QUERY:
        g_string_append_printf(out, "query %s: ", h->name);
        if (h->found && h->svc != NULL && h->n > 1)
            g_string_append_printf(out, "%u addresses, the ready endpoints of headless %s", h->n, h->svc);
        else if (h->found && h->svc != NULL && h->rule == RS_R16)
            g_string_append_printf(out, "%s, the ready endpoint of headless %s", ip, h->svc);
        else if (h->found && h->svc != NULL)
            g_string_append_printf(out, "%s, the ClusterIP of %s", ip, h->svc);
        else if (h->found)
            g_string_append(out, ip);
        else if (h->svc != NULL)
            g_string_append_printf(out, "NXDOMAIN: headless %s has no ready endpoints", h->svc);
        else
            g_string_append(out, "NXDOMAIN");
        break;
    case RS_HOP_RESOLVED:
        g_string_append_printf(out, "%s resolved to %s after %u quer%s", h->name, ip, h->n,
                               h->n == 1 ? "y" : "ies");
        break;
    case RS_HOP_NXDOMAIN:
        g_string_append_printf(out, "%s did not resolve after %u quer%s: nxdomain", h->name, h->n,
                               h->n == 1 ? "y" : "ies");
        break;
    case RS_HOP_POD_REF:
        g_string_append_printf(out, "@%s is %s, the address it %s", pod, ip,
                               h->flag ? "has" : "last had (it is gone)");
        break;
    case RS_HOP_NO_ADDRESS:
        g_string_append_printf(out, "%s never had an address: nothing to connect to", h->name);
        break;
    case RS_HOP_CONNECT:
        g_string_append_printf(out, "connects to %s:%u", ip, h->port);
        break;
    case RS_HOP_NO_RULES:
        g_string_append_printf(out, "the data plane has no rules for %s (%s): the packets go nowhere",
                               svc, ip);
        break;
    case RS_HOP_NO_SERVICE:
        g_string_append_printf(out, "no service has %s: the packets go nowhere", ip);
        break;
    case RS_HOP_SVC_OTHER_NS: {
        const char *slash = strchr(svc, '/');
        g_string_append_printf(out, "%s is reachable only from namespace %.*s, not from %s: dropped",
                               svc, slash ? (int)(slash - svc) : 0, svc, h->ns ? h->ns : "?");
        break;
    }
    case RS_HOP_SVC_NO_PORT:
        g_string_append_printf(out, "%s does not export port %u: dropped", svc, h->port);
        break;
    case RS_HOP_SVC_NO_ENDPOINTS:
        g_string_append_printf(out, "%s has no ready endpoints in the data plane: refused", svc);
        break;
    case RS_HOP_SVC_PICK:
        g_string_append_printf(out, "%s:%u sends to %s (%s:%u), %s among %u endpoint%s", svc,
                               h->port, pod, ip2, h->port2,
                               h->m == RS_PICK_AFFINITY ? "by client-ip affinity"
                               : h->m == RS_PICK_ROUNDROBIN ? "in round-robin order"
                                                                : "chosen at random",
                               h->n, h->n == 1 ? "" : "s");
        break;
    case RS_HOP_NO_HOLDER:
        if (h->svc != NULL)
            g_string_append_printf(out, "no live pod holds %s any more, but the data plane of %s "
                                   "still lists it: dropped", ip, h->svc);
        else
            g_string_append_printf(out, "no live pod holds %s: dropped", ip);
        break;
    case RS_HOP_POD_OTHER_NS:
        g_string_append_printf(out, "%s is in another namespace than %s: dropped", pod,
                               h->ns ? h->ns : "?");
        break;
    case RS_HOP_POD_CRASHED:
        g_string_append_printf(out, "%s has crashed: no answer", pod);
        break;
    case RS_HOP_POD_STARTING:
        g_string_append_printf(out, "%s is still starting: nothing listens on %u yet: refused", pod, h->port);
        break;
    case RS_HOP_POD_RESTARTING:
        g_string_append_printf(out, "the container of %s crashed and waits to restart (restart %u, "
                               "CrashLoopBackOff): nothing listens on %u: refused", pod, h->n, h->port);
        break;
    case RS_HOP_POD_SIGTERM:
        g_string_append_printf(out, "%s is terminating and got SIGTERM: it accepts no new connection on %u: "
                               "refused", pod, h->port);
        break;
    case RS_HOP_POD_HUNG:
        g_string_append_printf(out, "%s accepts the connection, but its app hangs and never answers", pod);
        break;
    case RS_HOP_RESET:
        if (h->flag)
            g_string_append_printf(out, "%s is killed with the request in flight: the router's connection "
                                   "is reset: HTTP 502", pod);
        else
            g_string_append_printf(out, "%s is killed with the request in flight: connection reset", pod);
        break;
    case RS_HOP_POD_FAILED:
        g_string_append_printf(out, "%s fails to start (port %u is privileged): nothing listens on %u: refused",
                               pod, h->n, h->port);
        break;
    case RS_HOP_NO_LISTENER:
        g_string_append_printf(out, "%s does not listen on %u: refused", pod, h->port);
        break;
    case RS_HOP_TLS_PLAIN:
        g_string_append_printf(out, "port %u of %s does not speak TLS: the handshake fails", h->port, pod);
        break;
    case RS_HOP_POD_TLS_CERT:
        g_string_append_printf(out, "the certificate of %s (port %u) is valid for %s, not for %s: the "
                               "client's TLS check fails", pod, h->port, h->name2 ? h->name2 : "?",
                               h->name[0] ? h->name : "(no name)");
        break;
    case RS_HOP_HTTP_TO_TLS:
        g_string_append_printf(out, "port %u of %s speaks TLS: a plain HTTP request gets HTTP 400",
                               h->port, pod);
        break;
    case RS_HOP_QUEUED:
        g_string_append_printf(out, "%s is busy: the request waits behind %u other%s", pod, h->n,
                               h->n == 1 ? "" : "s");
        break;
    case RS_HOP_SERVE:
        g_string_append_printf(out, "%s starts serving it (%u of %u workers busy)", pod, h->n, h->m);
        break;
    case RS_HOP_ANSWER:
        if (h->flag)
            g_string_append_printf(out, "%s answers, but not in HTTP (it speaks tcp): status 0", pod);
        else if (h->n == 0)
            g_string_append_printf(out, "the TCP connection to %s works", pod);
        else
            g_string_append_printf(out, "%s answers: HTTP %u", pod, h->n);
        break;
    case RS_HOP_SHUTDOWN:
        g_string_append_printf(out, "%s was deleted before accepting the connection: refused", pod);
        break;
    case RS_HOP_TIMEOUT:
        g_string_append(out, "no answer: the client gives up after its timeout");
        break;
    case RS_HOP_DNS_CNAME:
        g_string_append_printf(out, "%s is a CNAME for %s", h->name, h->name2 ? h->name2 : "?");
        break;
    case RS_HOP_EGRESS:
        g_string_append_printf(out, "leaves the cluster with the %s egress IP %s of namespace %s",
                               h->flag ? "dedicated" : "shared", ip, h->ns ? h->ns : "?");
        break;
    case RS_HOP_FROM_OUTSIDE:
        g_string_append_printf(out, "%s:%u is inside the cluster: unreachable from outside: dropped",
                               ip, h->port);
        break;
    case RS_HOP_NO_MACHINE:
        g_string_append_printf(out, "no machine answers at %s: dropped", ip);
        break;
    case RS_HOP_HOST_DENIED:
        g_string_append_printf(out, "host %s allows port %u only from its allow list, not from %s: "
                               "dropped", h->name, h->port, ip);
        break;
    case RS_HOP_HOST_NO_LISTENER:
        g_string_append_printf(out, "host %s does not listen on %u: refused", h->name, h->port);
        break;
    case RS_HOP_HOST_ANSWER:
        if (h->n != 0)
            g_string_append_printf(out, "host %s answers on %u: HTTP %u", h->name, h->port, h->n);
        else
            g_string_append_printf(out, "the TCP connection to host %s:%u works", h->name, h->port);
        break;
    case RS_HOP_VIP_PORT:
        g_string_append_printf(out, "the router VIP %s listens on 80 and 443 only, not %u: dropped",
                               ip, h->port);
        break;
    case RS_HOP_VIP_NO_REPLICA:
        g_string_append_printf(out, "no router replica is in the VIP's rotation: dropped");
        break;
    case RS_HOP_VIP_REPLICA:
        g_string_append_printf(out, "the VIP hands the connection to router-%u", h->n);
        break;
    case RS_HOP_REPLICA_DOWN:
        g_string_append_printf(out, "router-%u has failed and the VIP does not know yet: lost", h->n);
        break;
    case RS_HOP_VIP_PROTOCOL:
        if (h->port == 80 && h->m == RS_SCHEME_TCP)
            g_string_append(out, "port 80 speaks HTTP only: a non-HTTP client gets HTTP 400");
        else if (h->port == 80)
            g_string_append(out, "port 80 speaks plain HTTP: a TLS client cannot read its HTTP 400: "
                            "the handshake fails");
        else
            g_string_append(out, "port 443 speaks TLS: without a TLS ClientHello the handshake fails");
        break;
    case RS_HOP_TLS_CERT:
        if (h->name[0] == '\0')
            g_string_append(out, "no SNI: the router's default certificate is not valid for an "
                            "address: the handshake fails");
        else if (h->m == RS_HOP_CERT_OWN)
            g_string_append_printf(out, "TLS terminated with the route's own certificate for %s", h->name);
        else if (h->m == RS_HOP_CERT_WILDCARD)
            g_string_append_printf(out, "TLS terminated with the wildcard certificate, valid for %s",
                                   h->name);
        else
            g_string_append_printf(out, "no certificate valid for %s (the default one covers "
                                   "<name>.<app domain> only): the handshake fails", h->name);
        break;
    case RS_HOP_NO_ROUTE:
        if (h->flag && h->m)
            g_string_append_printf(out, "the route of %s has no TLS: it serves port 80 only: HTTP 503",
                                   h->name);
        else
            g_string_append_printf(out, "no route for host %s%s%s and this path%s: HTTP 503",
                                   h->name[0] ? h->name : "(none)", h->n ? "." : "",
                                   h->flag ? " over HTTPS" : "",
                                   h->n ? " (C3: HAProxy 1.8's host patterns do not accept the "
                                          "trailing dot)" : "");
        break;
    case RS_HOP_ROUTE:
        g_string_append_printf(out, "route %s serves %s%s%s", svc, h->name,
                               h->name2 && strcmp(h->name2, "/") != 0 ? h->name2 : "",
                               h->flag ? " (chosen by TLS SNI: passthrough)"
                               : h->name2 && strcmp(h->name2, "/") != 0 ? " (longest path prefix)" : "");
        break;
    case RS_HOP_INSECURE:
        g_string_append_printf(out, "port 80 of TLS route %s is insecure: %s", svc,
                               h->m == RS_INSECURE_REDIRECT ? "redirect"
                               : h->m == RS_INSECURE_ALLOW ? "allow: served over plain HTTP"
                                                           : "none: HTTP 503");
        break;
    case RS_HOP_REDIRECT:
        g_string_append_printf(out, "HTTP 302 to https://%s/", h->name);
        break;
    case RS_HOP_POLICY_EGRESS:
    case RS_HOP_POLICY_INGRESS: {
        bool in = h->kind == RS_HOP_POLICY_INGRESS;
        const char *who = h->pod ? h->pod : h->ns ? h->ns : "?";
        const char *dir = in ? "ingress" : "egress";
        if (!h->m)
            g_string_append_printf(out, "no network policy selects %s for %s: %s", who, dir,
                                   in ? "every connection may come in" : "it may connect anywhere");
        else if (h->flag)
            g_string_append_printf(out, "%s rule %u of network policy %s lets %s %s %s %s %u", dir,
                                   h->n + 1, h->name2 ? h->name2 : "?", who,
                                   in ? "accept a connection from" : "connect to", ip,
                                   in ? "on port" : "port", h->port);
        else
            g_string_append_printf(out, "%u network polic%s select%s %s for %s (%s%s) and none allows "
                                   "a connection %s %s %s %u: dropped", h->n2, h->n2 == 1 ? "y" : "ies",
                                   h->n2 == 1 ? "s" : "", who, dir, h->name2 ? h->name2 : "?",
                                   h->n2 > 1 ? ", ..." : "", in ? "from" : "to", ip,
                                   in ? "on port" : "port", h->port);
        break;
    }
    case RS_HOP_DNS_DROPPED:
        g_string_append_printf(out, "the DNS query to the cluster DNS pods (openshift-dns, %s port %u/UDP) "
                               "is dropped by an egress policy; the resolver waits 5s (attempt %u of 2)",
                               ip, h->port, h->n);
        break;
    case RS_HOP_LB:
        g_string_append_printf(out, "%s:%u is the load-balancer address of %s (external traffic policy "
                               "%s): the pod sees the source %s", ip, h->port, svc,
                               h->m == RS_ETP_LOCAL ? "local: the client's address is kept" :
                               "cluster: a node's address", ip2);
        break;
    case RS_HOP_LB_NO_PORT:
        g_string_append_printf(out, "no load-balancer service listens on %s port %u: dropped", ip, h->port);
        break;
    case RS_HOP_NET_JOINED:
        g_string_append_printf(out, "%s and %s share a network (joined or global): not isolated",
                               h->ns ? h->ns : "?", h->name2 ? h->name2 : "?");
        break;
    case RS_HOP_WL_REJECT:
        g_string_append_printf(out, "the whitelist of %s (%u entr%s) does not cover %s: the router "
                               "closes the connection%s", svc, h->n, h->n == 1 ? "y" : "ies", ip,
                               h->flag ? " in the middle of the TLS handshake (C4)" : "");
        break;
    case RS_HOP_WL_PASS:
        if (h->flag)
            g_string_append_printf(out, "the whitelist of %s is malformed: the router discarded it: "
                                   "open to everyone", svc);
        else
            g_string_append_printf(out, "the whitelist of %s covers %s", svc, ip);
        break;
    case RS_HOP_NO_SERVERS:
        g_string_append_printf(out, "route %s has no server to send to: HTTP 503", svc);
        break;
    case RS_HOP_BALANCE:
        g_string_append_printf(out, "%s sends to %s (%s:%u), %s%s among %u server%s", svc, pod, ip2,
                               h->port2,
                               h->m == RS_PICK_BY_COOKIE ? "by the client's cookie"
                               : h->m == RS_PICK_REDISPATCH ? "redispatched by " : "by ",
                               h->m == RS_PICK_BY_COOKIE ? "" : h->n2 == RS_BAL_RANDOM ? "random (two choices)"
                               : h->n2 == RS_BAL_ROUNDROBIN ? "roundrobin"
                               : h->n2 == RS_BAL_LEASTCONN ? "leastconn" : "source",
                               h->n, h->n == 1 ? "" : "s");
        break;
    case RS_HOP_RT_CONNECT_FAIL:
        g_string_append_printf(out, "the router's connection %u to %s (%s:%u) %s", h->n, pod, ip2,
                               h->port2, h->flag ? "is refused: retry after 1 s (C6)" : "gets no answer: "
                               "retry after the connect timeout");
        break;
    case RS_HOP_RT_GIVE_UP:
        g_string_append_printf(out, "%s: no server answered after %u attempts: HTTP 503", svc, h->n);
        break;
    case RS_HOP_BACKEND_TLS:
        if (h->m == RS_TLS_PASSTHROUGH)
            g_string_append_printf(out, "passthrough: port %u of %s %s: the client's handshake fails",
                                   h->port, pod, h->flag ? "has no certificate for the host"
                                                         : "does not speak TLS");
        else
            g_string_append_printf(out, "reencrypt: port %u of %s %s %s: HTTP 503", h->port, pod,
                                   h->flag ? "has no certificate for" : "does not speak TLS, needed for",
                                   h->name);
        break;
    case RS_HOP_BAD_GATEWAY:
        g_string_append_printf(out, "%s does not speak HTTP on %u: HTTP 502", pod, h->port);
        break;
    case RS_HOP_GATEWAY_TIMEOUT:
        if (h->flag)
            g_string_append_printf(out, "no data within the tunnel timeout of passthrough route %s (%u ms): "
                                   "the router closes the connection (C8)", svc, h->n);
        else
            g_string_append_printf(out, "no answer within the route timeout of %s (%u ms): HTTP 504", svc, h->n);
        break;
    case RS_HOP_ROUTER_LOST:
        g_string_append_printf(out, "router-%u fails with the connection on it: nothing comes back", h->n);
        break;
    case RS_HOP_KIND_COUNT:
        g_string_append(out, "?");
        break;
    }
    if (h->rule != RS_RULE_NONE)
        g_string_append_printf(out, " (%s)", rs_rule_id(h->rule));
}

/* A copy of a result with its own hops. */
RsResult *
rs_result_dup(const RsResult *res)
{
    RsResult *r = g_new(RsResult, 1);
    *r = *res;
    r->hops = res->n_hops ? g_memdup2(res->hops, res->n_hops * sizeof(RsHop)) : NULL;
    return r;
}

/* Frees a result made by rs_result_dup. */
void
rs_result_free(RsResult *res)
{
    if (res == NULL)
        return;
    g_free((gpointer)res->hops);
    g_free(res);
}
