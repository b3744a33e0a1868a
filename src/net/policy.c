/* policy.c (net): the network-policy gate of the request pipeline.
 *
 * Every new connection the pipeline opens passes here when the platform
 * isolates with network policies (rahti-2, R40-R47): pod to pod (after the
 * service's translation: the target port, R44), pod to an address outside
 * (egress, R43 ip_block), the router to a pod (source: openshift-ingress,
 * R45), a pod to the cluster DNS pods (R46).  The verdict is
 * rs_policy_check (src/world/policy.c); this file records it as two hops,
 * the egress side and the ingress side, each naming the policy and rule
 * that allowed it, or the policies that selected the pod and allowed
 * nothing, or that no policy selects the pod (R41).  A denied connection
 * is dropped: nothing is scheduled, the client's timer fires (R42).
 * Replies never pass here: they are always allowed (R42).
 */
#include "config.h"

#include "net/net.h"
#include "rahtisim/policy.h"

/* Records one side as a hop. */
static void
side_hop(RsReq *req, bool ingress, const RsPeer *self, const RsPeer *other, uint16_t port,
         const RsPolSide *s)
{
    if (!req->record)
        return;
    RsRule rule = !s->isolated ? RS_R41 : RS_R42;
    RsHop *h = rs_req_hop(req, ingress ? RS_HOP_POLICY_INGRESS : RS_HOP_POLICY_EGRESS, rule);
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
    RsWorld *w = rs_net_world(req->net);
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
