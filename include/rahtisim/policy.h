/* policy.h: network isolation: rahti-1's joined networks (R39) and rahti-2's
 * NetworkPolicy objects (R40-R47), and the verdict on one connection.
 *
 * The world keeps two copies of the policy state: the TRUTH (what the API
 * server holds: policies, namespace labels, pod labels as events changed
 * them) and the VIEW the data plane enforces, which applies each change
 * `policy_delay` later (R47).  Verdicts read the view only.
 *
 * Cost: policies are indexed by namespace; each pod's selecting policies
 * (ingress and egress) are cached and recomputed only after a change of
 * the view (a generation number), so a verdict walks the policies that
 * select the two ends, never the cluster's.  src/world/policy.c.
 */
#ifndef RAHTISIM_POLICY_H
#define RAHTISIM_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "rahtisim/world.h"

typedef struct RsPolicies RsPolicies;

/* A compiled label selector (R43): match_labels AND match_expressions. */
typedef struct {
    const char *key;
    RsSelOp op;
    const char **values; unsigned n_values;
} RsPSelExpr;

typedef struct {
    RsWLabel *ml; unsigned n_ml;
    RsPSelExpr *ex; unsigned n_ex;
} RsPSel;

typedef struct {
    bool has_pod, has_ns, has_ip;
    RsPSel pod, ns;
    RsCidr cidr;
    RsCidr *except; unsigned n_except;
} RsPPeer;

typedef struct {
    RsL4Proto proto;
    bool has_port;
    uint16_t port, end_port;    /* end_port 0: port only */
    const char *port_name;      /* a pod port name (R44) */
} RsPPort;

typedef struct {
    RsPPeer *peers; unsigned n_peers;   /* 0: every peer */
    RsPPort *ports; unsigned n_ports;   /* 0: every port */
} RsPRule;

/* One NetworkPolicy; immutable once made (a replacement is a new one). */
typedef struct {
    const char *name, *full;    /* interned; full "ns/name" */
    const char *ns;
    RsPSel sel;
    bool t_in, t_eg;            /* policy_types (R41) */
    RsPRule *in; unsigned n_in;
    RsPRule *eg; unsigned n_eg;
    bool builtin;               /* one of the two default policies (R40) */
} RsPolicy;

/* One end of a connection. */
typedef struct {
    RsPod *pod;                 /* a scenario pod, or NULL */
    const char *ns;             /* the namespace of the pod or platform pod; NULL: an address */
    const RsWLabel *labels; unsigned n_labels;  /* a platform pod's labels (pod NULL) */
    uint32_t ip;                /* its address as the other end sees it */
} RsPeer;

/* What one side's policies decided (R41, R42). */
typedef struct {
    bool isolated;              /* some policy of that direction selects the pod */
    bool allowed;
    const RsPolicy *policy;     /* allowed and isolated: the policy whose rule matched */
    unsigned rule;              /* its index in ingress/egress */
    unsigned n_selecting;       /* how many policies select the pod for the direction */
    const RsPolicy *first;      /* denied: the first selecting policy */
} RsPolSide;

/* Builds the policy state of a scenario (default policies, R40). */
RsPolicies *rs_policies_new(RsWorld *w, const RsScenario *sc);
void rs_policies_free(RsPolicies *p);

/* Whether the world isolates with network policies (rahti-2, R40). */
bool rs_policy_mode(const RsWorld *w);

/* rahti-1 (R39): whether pods of `a` reach pods and services of `b`
 * (the same namespace, joined networks, or either is global). */
bool rs_netns_reach(const RsWorld *w, const RsNamespace *a, const RsNamespace *b);

/* R42: the verdict on a new connection from src to dst on (port, proto):
 * the source's egress and the destination's ingress; both sides filled. */
bool rs_policy_check(RsWorld *w, const RsPeer *src, const RsPeer *dst, uint16_t port, RsL4Proto proto,
                     RsPolSide *eg, RsPolSide *in);

/* Peers for the platform pods: router replica `r` (R45), a DNS pod (R46),
 * a scenario pod. */
void rs_peer_router(const RsWorld *w, unsigned r, RsPeer *out);
void rs_peer_dns(const RsWorld *w, RsPeer *out);
/* R46: the port the DNS pods listen on (dns_target_port). */
uint16_t rs_policy_dns_port(const RsWorld *w);
void rs_peer_pod(RsPod *pod, RsPeer *out);
void rs_peer_addr(uint32_t ip, RsPeer *out);

/* Events (src/world/events.c): change the truth now and the view
 * policy_delay later (R47); join/global change rahti-1 at once (R39). */
RsPolicy *rs_policy_compile(RsWorld *w, const char *ns, const RsPolicySpec *spec);
void rs_policies_apply(RsWorld *w, const char *ns, RsPolicy *pol);
bool rs_policies_remove(RsWorld *w, const char *ns, const char *name);
void rs_policies_label(RsWorld *w, const char *ns, const char *pod, const char *key, const char *value);
void rs_policies_join(RsWorld *w, const char *const *nss, unsigned n);
void rs_policies_global(RsWorld *w, const char *ns);
/* Whether a policy of that name exists in the truth now. */
bool rs_policies_has(const RsWorld *w, const char *ns, const char *name);

/* For views (topology, check): the policies of a namespace in the truth,
 * in creation order (not owned), NULL if none; a pod's labels as policies
 * see them; whether a policy selects a pod. */
const GPtrArray *rs_policies_of(const RsWorld *w, const char *ns);
void rs_policy_pod_labels(const RsWorld *w, const RsPod *pod, const RsWLabel **l, unsigned *n);
bool rs_policy_selects(const RsWorld *w, const RsPolicy *p, const RsPod *pod);
/* Whether a namespace's labels (the truth) match a selector. */
bool rs_policy_ns_matches(const RsWorld *w, const RsPSel *sel, const char *ns);

#endif
