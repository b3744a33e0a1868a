/* topology-private.h: what the topology writers (text, DOT) share.
 *
 * Facts are gathered once per topology in linear passes (objects bucketed
 * by namespace), so neither writer scans the world once per namespace:
 * topology costs O(objects), not O(namespaces x objects) (issue 14, point 3).
 */
#ifndef RAHTISIM_TOPOLOGY_PRIVATE_H
#define RAHTISIM_TOPOLOGY_PRIVATE_H

#include "rahtisim/router.h"
#include "rahtisim/teach.h"
#include "rahtisim/world.h"

/* The live objects of one namespace, creation order (arrays not owning). */
typedef struct {
    const RsNamespace *ns;
    GPtrArray *workloads;       /* live deployments */
    GPtrArray *bare;            /* bare pods not gone (R8) */
    GPtrArray *pods;            /* every pod not gone, creation order */
    GPtrArray *routes;          /* live routes */
} RsTopoNs;

typedef struct {
    RsWorld *w;
    RsTopoNs *ns; unsigned n_ns;    /* file order */
    GPtrArray *scratch;             /* rs_route_diff's (owned) */
} RsTopo;

/* Buckets the world's objects by namespace in one pass over each list. */
void rs_topo_gather(RsTopo *t, RsWorld *w);
void rs_topo_clear(RsTopo *t);
/* The bucket of a namespace (O(1)). */
RsTopoNs *rs_topo_ns(const RsTopo *t, const RsNamespace *ns);

/* R28: how a replica's loaded configuration differs from the truth for one
 * route: `loaded` NULL when the route is not in it. */
typedef struct {
    const RsRoute *route;
    const RsRtBackend *loaded;
    unsigned n_loaded_pods;     /* distinct pods among the loaded servers */
    unsigned n_stale;           /* loaded pods that are no longer endpoints */
    unsigned n_truth;           /* ready endpoints of the route's services now */
    unsigned n_missing;         /* of those, not loaded */
    const RsPod *first_stale, *first_missing;
} RsRouteDiff;

/* Compares a replica's configuration with the truth for a live admitted
 * route; true if they differ (a pending reload changes answers). */
bool rs_route_diff(const RsTopo *t, const RsRtConfig *cfg, const RsRoute *route, RsRouteDiff *out);
/* One sentence for a replica: "router-0 (up, in rotation) loaded its
 * configuration at 20s: 2 routes, 4 servers; next reload at 25s (R28)". */
void rs_replica_text(GString *s, const RsReplica *rep);
/* One sentence for a difference (citing R28), e.g. "route fenic/busy is not
 * loaded yet: served from the reload at 25s (R28)". */
void rs_route_diff_text(GString *s, const RsReplica *rep, const RsRouteDiff *d);

/* Appends `text` as the inside of a DOT "..." string (quotes, backslashes
 * and control characters escaped). */
void rs_dot_escape(GString *out, const char *text);

void rs_topology_dot(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at);

#endif
