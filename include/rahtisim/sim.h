/* sim.h: one simulation: a world, its engine and the request pipeline.
 *
 * rs_sim_new builds the world of a scenario at time 0 and schedules the
 * scenario's events; the caller drives time with rs_engine_run on
 * rs_sim_engine(sim) and starts requests from its own engine events
 * (probes, expectations, traffic).  There is no global state: two
 * simulations can run side by side in one process.
 *
 * Every feature of the scenario format is simulated: the cluster (R2-R17),
 * the edge (routes, the router, public DNS records, hosts, egress, annotate
 * and router_down/router_up events, R18-R36) and traffic (traffic.h, which
 * sends through rs_sim_request_client).  rs_sim_new fails only for a world
 * that cannot be built (RS_SIM_ERROR_INVALID).
 */
#ifndef RAHTISIM_SIM_H
#define RAHTISIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "rahtisim/dns.h"
#include "rahtisim/engine.h"
#include "rahtisim/request.h"
#include "rahtisim/scenario.h"
#include "rahtisim/world.h"

#define RS_SIM_ERROR (rs_sim_error_quark())
GQuark rs_sim_error_quark(void);

typedef enum {
    RS_SIM_ERROR_INVALID,           /* a request cannot be made, a name cannot be resolved */
} RsSimError;

/* Builds the world of `sc` (at time 0) and schedules its events; `seed`
 * overrides sc->seed.  The scenario is not referenced after this returns.
 * NULL with the world's error (RS_WORLD_ERROR_INVALID) if it cannot be built. */
RsSim *rs_sim_new(const RsScenario *sc, uint64_t seed, GError **error);
void rs_sim_free(RsSim *sim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsSim, rs_sim_free)

RsEngine *rs_sim_engine(RsSim *sim);
RsWorld *rs_sim_world(RsSim *sim);
uint64_t rs_sim_seed(const RsSim *sim);

/* Runs the simulation until `until` (absolute); returns events executed. */
uint64_t rs_sim_run_until(RsSim *sim, rs_time_t until);

/* Fails (RS_SIM_ERROR_INVALID) for a request that cannot be made: from a
 * host the scenario does not have.  rs_sim_request still answers such
 * requests (timeout at once, with a hop that says why). */
bool rs_sim_check_request(RsSim *sim, const RsFrom *from, const RsUrl *to, GError **error);

/* Starts one request now.  `stream_name` names the random stream for the
 * requester's own choices (which ready pod of a deployment sends), so that
 * probes do not disturb each other or traffic; NULL uses "requests".
 * `done` is called once, from a later engine event (at the same time at the
 * earliest), with the result; the hops are recorded if `record_hops`. */
void rs_sim_request(RsSim *sim, const RsFrom *from, const RsUrl *to, const char *stream_name,
                    bool record_hops, RsRequestDone done, void *data);

/* While set, the requests started are isolated: each leaves every shared
 * state as it found it (streams, round-robin positions, affinity, router
 * balancers, pod workers, cookies; src/net/isolate.c), so that many sent
 * at one instant each meet what a single request would (`matrix`). */
void rs_sim_set_isolated(RsSim *sim, bool isolated);

/* rs_sim_request as client `client` of the requester: one client is one
 * program on the requesting machine with its own connections and, on a
 * host that keeps cookies, its own cookie jar (R27: a browser returns to
 * the pod its cookie names; two browsers are balanced independently).
 * rs_sim_request is client 0 (probes, expectations, explain).  The client
 * does not change the source ADDRESS: `source` balancing (R26) and
 * client-ip affinity (R13) key on the address only, so every client of one
 * machine gets the same answer from them (docs/model-choices.md). */
void rs_sim_request_client(RsSim *sim, const RsFrom *from, const RsUrl *to,
                           const char *stream_name, uint64_t client, bool record_hops,
                           RsRequestDone done, void *data);

/* A requester resolved once (a traffic source): its stream id (C10), its
 * stream for its own choices (R37) and its deployment, so that a request
 * from it formats and hashes no names (docs/performance.md).  Holds
 * pointers into the simulation: use it with that simulation only. */
typedef struct {
    /* What a request reads fills the first 64 bytes (a traffic source
     * aligns it to a line): from->kind is copied, so that a request reads
     * no line of the scenario's (issue 14, C). */
    RsFromKind kind;            /* = from->kind */
    uint64_t requester;         /* C10: rs_rng_name_id("requester:<stream>") */
    RsRng *rng;                 /* the requester's own stream (R37) */
    union {
        RsWorkload *wl;         /* RS_FROM_DEPLOYMENT: its deployment while live */
        RsHost *host;           /* RS_FROM_HOST: its host once found (hosts live as long as the world) */
    };
    /* Hints, never dereferenced: the deployment's ready list, its array
     * and the pod the last request left from, prefetched with the
     * deployment when the next one starts (issue 14, C). */
    const void *warm[3];
    const RsFrom *from;
    RsDnsCache dns;             /* its DNS answers while they cannot change (dns.h, issue 14);
                                 * next to the fields above: a request reads both */
    char who[600];              /* "ns/name", or the host's name */
} RsSimRequester;

/* Resolves `from` with `stream_name` (NULL: "requests") into `out`. */
void rs_sim_requester_init(RsSim *sim, RsSimRequester *out, const RsFrom *from,
                           const char *stream_name);

/* rs_sim_request_client from a resolved requester: the same request, the
 * same random draws.  The requester keeps the DNS answers of its requests
 * that record no hops (rq->dns): `to` must be the same URL, unchanged,
 * every time (a traffic source's target). */
void rs_sim_request_as(RsSim *sim, RsSimRequester *rq, const RsUrl *to, uint64_t client,
                       bool record_hops, RsRequestDone done, void *data);

/* The resolver's walk for `name` from `from` now (R17; from a host: public
 * DNS only, the name as written).  Returns whether the name resolved; false
 * with `error` set when the walk cannot be made (an empty name). */
bool rs_sim_resolve(RsSim *sim, const RsFrom *from, const char *name, RsDnsWalk *out,
                    GError **error);

/* The addresses of the ready endpoints the data plane has for service
 * ns/name now (what a headless service's DNS answers, R16), sorted; returns
 * how many and sets *out (g_free it; NULL when none). */
unsigned rs_sim_service_endpoints(RsSim *sim, const char *ns, const char *name, uint32_t **out);

/* The event-log lines about pod ns/pod, one per line (g_free it); a line
 * saying it never existed if so. */
char *rs_sim_pod_history(RsSim *sim, const char *ns, const char *pod);

/* Formats one log entry as "   12.000s  R6   sentence" (g_free it). */
char *rs_log_entry_format(const RsLogEntry *e);

/* The ClusterIP of the live service ns/name; false if none or headless. */
bool rs_sim_service_ip(RsSim *sim, const char *ns, const char *name, uint32_t *ip);

/* The state of pod ns/pod now; RS_POD_GONE also for a pod that never existed. */
RsPodState rs_sim_pod_state(RsSim *sim, const char *ns, const char *pod);

/* The address pod ns/pod has or last had; false if it never had one. */
bool rs_sim_pod_ip(RsSim *sim, const char *ns, const char *pod, uint32_t *ip);

/* Request objects the pipeline has allocated so far: the pool grows only
 * with the number of requests in flight at once, not with requests sent. */
unsigned rs_sim_requests_allocated(const RsSim *sim);

/* The event log: RsLogEntry in time order (owned by the simulation). */
const GArray *rs_sim_log(RsSim *sim);

#endif
