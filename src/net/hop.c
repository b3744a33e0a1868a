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
#include "rahtisim/scenario.h"

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
        g_string_append_printf(out, "%s is a host outside the cluster: requests from hosts are not "
                               "simulated yet (arrive with issue 4)", h->name);
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
                               h->m == RS_HOP_PICK_AFFINITY ? "by client-ip affinity"
                               : h->m == RS_HOP_PICK_ROUNDROBIN ? "in round-robin order"
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
    case RS_HOP_OUTSIDE:
        g_string_append_printf(out, "%s is outside the cluster: egress is not simulated yet "
                               "(arrives with issue 4)", ip);
        break;
    case RS_HOP_ROUTER:
        g_string_append_printf(out, "%s is the router VIP: routes are not simulated yet "
                               "(arrive with issue 4)", ip);
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
