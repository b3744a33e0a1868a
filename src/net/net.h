/* net.h: the request pipeline's handle, internal to the simulation (src/sim).
 *
 * RsNet runs requests through the world: DNS walk, service data plane, pod
 * queue, answer, each step an engine event (design-notes.md "A request is a
 * sequence of events").  Requests are pooled; see request.c.
 */
#ifndef RAHTISIM_NET_H
#define RAHTISIM_NET_H

#include "rahtisim/request.h"
#include "rahtisim/scenario.h"
#include "rahtisim/world.h"

typedef struct RsNet RsNet;

RsNet *rs_net_new(RsWorld *w, RsSim *owner);
void rs_net_free(RsNet *net);

/* Starts a request now from `src` (NULL: the requester `who` is not running,
 * or is a host if `from_host`: the result says so at once).  `done` is
 * called exactly once, always from an engine event, never from inside this
 * function. */
void rs_net_request(RsNet *net, RsPod *src, const char *who, bool from_host, const RsUrl *to,
                    bool record, RsRequestDone done, void *data);

/* The world's hook: a pod stopped (deleted or crashed); settles its queue. */
void rs_net_pod_stopped(void *net, RsPod *pod, bool crashed);

/* Requests allocated in the pool (for tests: the pool does not grow per request). */
unsigned rs_net_pool_size(const RsNet *net);
/* Requests in flight. */
unsigned rs_net_in_flight(const RsNet *net);

#endif
