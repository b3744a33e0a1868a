/* router-walk.h: the request walk through the router VIP (router.c, R19-R31).
 *
 * The simulation hands these hooks to the request pipeline (rs_net_new), so
 * request.c never includes or calls router.c: the walk inside the cluster is
 * the lower file, the router's walk builds on it.
 */
#ifndef RAHTISIM_NET_ROUTER_WALK_H
#define RAHTISIM_NET_ROUTER_WALK_H

#include "net/net.h"

extern const RsNetRouter rs_router_walk;

#endif
