/* traffic.h: traffic generators and their streamed statistics.
 *
 * One RsTraffic drives every `traffic` source of a scenario in one
 * simulation (scenario-format.md, "traffic"): each source sends requests
 * `from` a pod, a deployment (any ready pod per request) or a host, `to` a
 * URL, through the same pipeline as probes (rs_sim_request, hops not
 * recorded), with constant or Poisson arrivals at `rate` between `start` and
 * `stop` (or the end of the run).  Arrival times come from the source's own
 * random stream "traffic:<name>" and the requester's choices from
 * "requester:traffic/<name>", so adding a source or a probe changes no other
 * source's numbers (R37).
 *
 * Arrivals are dealt to the source's `clients` in turn; client k of a
 * source is one client identity (its own connections, and for a host that
 * keeps cookies its own cookie jar, R27), sent with each request
 * (rs_sim_request_client).  Clients of different sources are different
 * clients, and none is the probes' client 0.  All clients of one machine
 * share its address: `source` balancing (R26) and client-ip affinity (R13)
 * see one client.
 *
 * Statistics are streamed: each answer updates counters and histograms and
 * is forgotten.  What is kept grows with the pods that answered and with the
 * run's length in time buckets, never with the number of requests; the
 * per-arrival state is pooled (it grows only with the requests in flight at
 * once), so a request costs no malloc.  A request counts in the time bucket
 * and the windows of the moment it was SENT; latency is that of ok answers
 * (other outcomes are counted, not timed: a timeout's latency is the
 * client's timer, R38).
 */
#ifndef RAHTISIM_TRAFFIC_H
#define RAHTISIM_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "rahtisim/histogram.h"
#include "rahtisim/scenario.h"
#include "rahtisim/sim.h"

/* One pod that answered requests of one source. */
typedef struct {
    char *name;                 /* "fenic/nginx-0" */
    char *owner;                /* its deployment "fenic/nginx", or NULL (bare pod) */
    uint32_t serial;            /* creation order in the world: the sort key */
    uint64_t served;            /* answers (any outcome) this pod gave */
    uint64_t ok;                /* ok answers */
    uint32_t *per_bucket;       /* answers per time bucket (n_buckets) */
} RsTrafficPod;

/* One pod requests of one source were SENT to (a service's or the router's
 * pick, or the pod at the address), whatever came of them: a crashed pod
 * that times out every request is as busy here as a healthy one (plots). */
typedef struct {
    char *name;                 /* "fenic/nginx-0" */
    uint32_t serial;            /* creation order in the world: the sort key */
    uint64_t sent;              /* requests sent to it */
    uint64_t outcomes[RS_OUTCOME_COUNT];    /* what came of them */
    uint32_t *sent_bucket;      /* sent per time bucket (n_buckets), by send time */
    uint32_t *bad_bucket;       /* of those, not ok */
} RsTrafficTarget;

/* Everything kept about one source; outlives the simulation. */
typedef struct {
    char *name;
    const RsTrafficSpec *spec;  /* not owned: the scenario's */
    uint64_t sent;              /* requests sent */
    uint64_t outcomes[RS_OUTCOME_COUNT];    /* answers by outcome */
    RsHist latency;             /* ok answers, RS_HIST_FINE */
    GPtrArray *pods;            /* RsTrafficPod *, creation order after rs_traffic_take */
    GPtrArray *targets;         /* RsTrafficTarget *, creation order after rs_traffic_take */
    GPtrArray *idle_pods;       /* char *: pods behind the target that existed while the
                                 * source sent and never answered it (rs_traffic_take),
                                 * sorted by name */
    rs_time_t bucket;           /* width of a time bucket */
    unsigned n_buckets;         /* covering [0, end of the run) */
    uint32_t (*bucket_outcomes)[RS_OUTCOME_COUNT];  /* by send time */
    RsHist *bucket_latency;     /* ok answers by send time, RS_HIST_COARSE */
} RsTrafficStats;

/* The statistics of one source over [start, end) of send times, kept for a
 * traffic expectation (registered before the run). */
typedef struct {
    const RsTrafficStats *stats;
    rs_time_t start, end;
    uint64_t sent;              /* requests sent in the window (and answered) */
    uint64_t outcomes[RS_OUTCOME_COUNT];
    RsHist latency;             /* ok answers, RS_HIST_FINE */
    GArray *pod_ok;             /* uint64_t ok answers, by index in stats->pods */
} RsTrafficWindow;

typedef struct RsTraffic RsTraffic;

/* Sets up every source of `sc` on `sim` for a run that ends at `end` (no
 * arrival at or after it).  NULL with `error` set when a source cannot be
 * simulated by this simulation (rs_sim_check_request). */
RsTraffic *rs_traffic_new(RsSim *sim, const RsScenario *sc, rs_time_t end, GError **error);
void rs_traffic_free(RsTraffic *tr);

/* Schedules every source's first arrival: call once, after the windows are
 * registered and before the engine runs. */
void rs_traffic_start(RsTraffic *tr);

/* Keeps the statistics of source `name` for requests sent in [start, end).
 * Call before the run; the window lives as long as `tr`.  NULL: no such source. */
const RsTrafficWindow *rs_traffic_watch(RsTraffic *tr, const char *name, rs_time_t start,
                                        rs_time_t end);

/* Requests sent and ok answers, summed over every source (without
 * rs_traffic_stats' bookkeeping: for `bench requests`). */
void rs_traffic_totals(const RsTraffic *tr, uint64_t *sent, uint64_t *ok);

/* Requests sent and not yet answered. */
unsigned rs_traffic_in_flight(const RsTraffic *tr);
/* Per-arrival records allocated (grows with requests in flight at once only). */
unsigned rs_traffic_pool_size(const RsTraffic *tr);

/* The statistics of source `name` so far (owned by `tr`), or NULL. */
const RsTrafficStats *rs_traffic_stats(const RsTraffic *tr, const char *name);

/* Hands the statistics of every source (file order) to the caller, pods
 * sorted by creation; *n gets the count.  After this only rs_traffic_free.
 * It also fills each source's idle_pods, reading the world as the run left
 * it (call it after the event log is taken: a resolve may draw from the
 * requester's stream).  The pods behind a target are those its services
 * select: the service the target's name resolves to (or whose ClusterIP it
 * is), or for a public name the services of the admitted routes of its host
 * (R20, R22); a pod address or `@ns/pod` has only the pods that answered. */
RsTrafficStats **rs_traffic_take(RsTraffic *tr, unsigned *n);
void rs_traffic_stats_free(RsTrafficStats *s);

/* Answers with a pod: the sum of `served` over pods. */
uint64_t rs_traffic_stats_answered(const RsTrafficStats *s);

/* Chooses the width of the time buckets for a run ending at `end`: a round
 * value (100 ms, 200 ms, 500 ms, 1 s, 2 s, 5 s, ...) giving at most 120 buckets. */
rs_time_t rs_traffic_bucket_width(rs_time_t end);

#endif
