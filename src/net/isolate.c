/* isolate.c: requests that leave no trace in the shared state (a matrix cell).
 *
 * `rahtisim matrix` asks, for every cell, what ONE request from the row to
 * the column would meet at T, as if no other cell had been sent.  All its
 * cells run in one simulation (src/teach/matrix.c), started together at T;
 * what keeps them independent is that each is isolated: wherever the
 * pipeline would change state that another request reads, an isolated
 * request changes a private copy instead, taken from the shared state the
 * first time it touches it:
 *   - the service's random stream (R13), the pod's service-time stream
 *     (R38), the VIP's and a replica's streams (R26, R30): each cell draws
 *     what the first request after T would draw;
 *   - the service's round-robin position and client-ip affinity (R13) are
 *     read, not moved;
 *   - a router process's balancer (R26: round-robin credits, leastconn
 *     counts) is copied, so its own retries (R29) see its own picks;
 *   - it takes no worker of a pod (R38: busy) and sets no cookie (R27).
 * Everything else it reads is the world at T and after: the scenario's
 * events after T (a crash while the request waits) happen as in a
 * simulation of that cell alone.
 *
 * Cost: nothing for requests that are not isolated (one flag test); an
 * isolated request allocates a copy per piece of state it touches (a
 * stream: some tens of bytes; a balancer: its servers), listed in the
 * request itself (a handful: a linear search).
 */
#include "config.h"

#include <string.h>

#include "net/net.h"

/* The private copy of `shared` for an isolated request; see net.h. */
void *
rs_req_own(RsReq *req, void *shared, size_t size)
{
    if (!req->isolated)
        return shared;
    for (unsigned i = 0; i < req->n_own; i++) {
        if (req->own[i].shared == shared)
            return req->own[i].copy;
    }
    if (req->n_own == RS_REQ_OWN_MAX)
        g_error("an isolated request touched more than %d pieces of shared state", RS_REQ_OWN_MAX);
    void *copy = g_memdup2(shared, size);
    req->own[req->n_own].shared = shared;
    req->own[req->n_own++].copy = copy;
    return copy;
}

/* Frees the private copies; see net.h. */
void
rs_req_own_clear(RsReq *req)
{
    for (unsigned i = 0; i < req->n_own; i++)
        g_free(req->own[i].copy);
    req->n_own = 0;
}
