/* lb.h: LoadBalancer services (rahti-2, MetalLB; R48-R50).
 *
 * A `type: load-balancer` service takes an address from its namespace's
 * granted `load_balancer_ips` when it is created (R48): the first granted
 * address that it may use.  Services share an address only when both carry
 * the same `metallb.universe.tf/allow-shared-ip` value, use different ports
 * and neither has `external_traffic_policy: local` (R49); otherwise the
 * next address; none left: pending (no external address, logged; `check`
 * warns).  Traffic to the address goes through the service's data plane
 * view like a ClusterIP's (R50).  src/world/lb.c; the choice itself is the
 * pure rs_lb_choose (src/scenario/lb.c), shared with the loader's lint.
 */
#ifndef RAHTISIM_LB_H
#define RAHTISIM_LB_H

#include <stdbool.h>
#include <stdint.h>

#include "rahtisim/scenario.h"

/* One service holding an address. */
typedef struct {
    uint32_t ip;
    const char *share;          /* allow-shared-ip value, or NULL */
    bool local;                 /* external_traffic_policy: local */
    const uint16_t *ports; unsigned n_ports;
} RsLbClaim;

#define RS_LB_SHARE_KEY "metallb.universe.tf/allow-shared-ip"

/* R48, R49: the first of `ips` a new service (share, local, ports) may take
 * next to `claims`; false when none: the service stays pending. */
bool rs_lb_choose(const uint32_t *ips, unsigned n_ips, const RsLbClaim *claims, unsigned n_claims,
                  const char *share, bool local, const uint16_t *ports, unsigned n_ports, uint32_t *out);

typedef struct RsWorld RsWorld;
typedef struct RsService RsService;
typedef struct RsLb RsLb;

/* World side (src/world/lb.c). */
void rs_lb_init(RsWorld *w, const RsScenario *sc);
void rs_lb_free(RsWorld *w);
void rs_lb_service_added(RsWorld *w, RsService *svc);
void rs_lb_service_removed(RsWorld *w, RsService *svc);
/* The live load-balancer service at external address `ip` and port, or NULL. */
RsService *rs_lb_service_at(const RsWorld *w, uint32_t ip, uint16_t port);
/* Whether some load-balancer service holds `ip`. */
bool rs_lb_is_address(const RsWorld *w, uint32_t ip);
/* A service's external address (false: none, or pending). */
bool rs_lb_address(const RsWorld *w, const RsService *svc, uint32_t *ip);
/* R49: the node address a `cluster` policy makes the source. */
uint32_t rs_lb_node_address(const RsWorld *w);

#endif
