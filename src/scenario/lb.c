/* lb.c (scenario): R48, R49: which granted address a LoadBalancer service
 * takes.  Pure, so the loader's lint (`check` warns about pending
 * services) and the world agree.  MetalLB's rule: an address is shared only
 * by services with the same allow-shared-ip key, on different ports, and
 * not with externalTrafficPolicy Local. */
#include "config.h"

#include <string.h>

#include "rahtisim/lb.h"

/* Whether a new service may join the holders of `ip`. */
static bool
may_share(uint32_t ip, const RsLbClaim *claims, unsigned n_claims, const char *share, bool local,
          const uint16_t *ports, unsigned n_ports)
{
    for (unsigned i = 0; i < n_claims; i++) {
        const RsLbClaim *c = &claims[i];
        if (c->ip != ip)
            continue;
        if (local || c->local || share == NULL || c->share == NULL || strcmp(share, c->share) != 0)
            return false;
        for (unsigned a = 0; a < n_ports; a++)
            for (unsigned b = 0; b < c->n_ports; b++)
                if (ports[a] == c->ports[b])
                    return false;
    }
    return true;
}

bool
rs_lb_choose(const uint32_t *ips, unsigned n_ips, const RsLbClaim *claims, unsigned n_claims,
             const char *share, bool local, const uint16_t *ports, unsigned n_ports, uint32_t *out)
{
    for (unsigned i = 0; i < n_ips; i++) {
        if (may_share(ips[i], claims, n_claims, share, local, ports, n_ports)) {
            *out = ips[i];
            return true;
        }
    }
    return false;
}
