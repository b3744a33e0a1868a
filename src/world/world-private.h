/* world-private.h: what the files of src/world share and nobody else needs.
 *
 * The files of src/world form layers, bottom to top (tests/layers.sh checks
 * that no file calls one above it, and docs/architecture.md lists them):
 *
 *   addrpool, balance, eventlog, registry   leaves: pools, balancers, the log,
 *                                           interning and lookups
 *   lifecycle, pod, rollout                 pods and deployments (R3-R8,
 *                                           R51-R55): a pod's container,
 *                                           probes, termination and exit;
 *                                           creating, deleting, crashing pods;
 *                                           the deployment's controller
 *   service                                 services and their views (R10-R16)
 *   route, host, policy                     routes (R20-R22), hosts and egress
 *                                           (R32-R36), network isolation (R39-R47)
 *   router                                  router replicas (R25-R31)
 *   build                                   builds and frees the world
 *   events                                  the scenario's events (R37)
 *
 * A lower file that must tell a higher one about a change does it through a
 * hook the builder installs (RsWorldHooks in world.h): a pod's readiness
 * changed (its services re-read their endpoints, R15), something the
 * router watches changed (it reloads, R28), or a deployment's pods changed
 * (its controller reconciles, R54).  That keeps the calls one-way
 * at the cost of one indirect call per notification.
 */
#ifndef RAHTISIM_WORLD_PRIVATE_H
#define RAHTISIM_WORLD_PRIVATE_H

#include "rahtisim/world.h"

/* ---- registry.c: the arena (world.h's RsWorldArena) ---- */

/* `size` zeroed bytes aligned as malloc's, freed with the world only. */
void *rs_world_alloc(RsWorld *w, size_t size);
/* n zeroed objects of type T in the arena (n 0: one). */
#define rs_world_new0(w, T, n) ((T *)rs_world_alloc((w), sizeof(T) * ((n) ? (size_t)(n) : 1u)))
/* A copy of n bytes in the arena. */
void *rs_world_memdup(RsWorld *w, const void *src, size_t n);
void rs_world_arena_free(RsWorld *w);

/* ---- registry.c: the label index (world.h's RsLabelIndex) ---- */

struct RsLabelEntry {
    const RsNamespace *ns;
    const char *key, *value;    /* interned */
    RsPod **pods; unsigned n_pods, cap_pods;    /* live pods carrying it, any order (arena) */
    RsService **svcs; unsigned n_svcs, cap_svcs;   /* live services listed under it (their
                                                    * first selector label), creation order */
};

/* The entry of label `l` in namespace `ns`, or NULL if it never had one. */
RsLabelEntry *rs_label_find(const RsWorld *w, const RsNamespace *ns, const RsWLabel *l);
/* The same, made (empty) if there is none. */
RsLabelEntry *rs_label_make(RsWorld *w, RsNamespace *ns, const RsWLabel *l);
/* Room for one more element in an arena array of `*cap` elements of `size`
 * bytes holding `n` (doubles it when full; the old one stays in the arena). */
void *rs_world_array_room(RsWorld *w, void *a, unsigned n, unsigned *cap, size_t size);

/* ---- registry.c: interning ---- */

const char *rs_world_intern(RsWorld *w, const char *s);
const char *rs_world_intern_full(RsWorld *w, const char *ns, const char *name);
/* The same two, telling in *fresh whether the name was new (then no table
 * holds it: a lookup by it can be skipped; a new name's cell is a cache
 * miss at 10^5 namespaces, issue 14). */
const char *rs_world_intern_fresh(RsWorld *w, const char *s, bool *fresh);
const char *rs_world_intern_full_fresh(RsWorld *w, const char *ns, const char *name, bool *fresh);
char *rs_world_join(char *buf, size_t size, const char *a, const char *sep, const char *b);
bool rs_template_equal(const RsTemplate *a, const RsTemplate *b);

/* The interned copy of `s`, or NULL if it was never interned (then no
 * table holds it); interns nothing. */
const char *rs_world_interned(const RsWorld *w, const char *s);
/* Start fetching the cell where `s` ("ns/name") will be interned: a hint
 * that changes nothing (issue 14: each new name's cell was a cache miss at
 * 10^5 namespaces). */
void rs_world_intern_prefetch(const RsWorld *w, const char *s);
void rs_world_intern_full_prefetch(const RsWorld *w, const char *ns, const char *name);

/* The build passes of rs_world_new prepare the namespaces ahead of the one
 * they build, in stages RS_PREFETCH_AHEAD namespaces apart (issue 14: at
 * 10^5 namespaces the scenario's strings and every table's cells are cache
 * misses): the spec's arrays, then its strings, then the interned names'
 * cells, then the names interned early (equal names are one pointer, so
 * when is unseen) and the name tables' cells.  Stage s prepares namespace
 * i + (RS_STAGES - s) * RS_PREFETCH_AHEAD while namespace i is built. */
typedef enum { RS_AHEAD_ARRAYS, RS_AHEAD_STRINGS, RS_AHEAD_CELLS, RS_AHEAD_INTERN, RS_STAGES } RsAheadStage;
#define RS_PREFETCH_AHEAD 8u
bool rs_world_worth_ahead(const RsWorld *w);

/* ---- registry.c: name tables (RsNameMap; keys interned) ---- */

/* Sizes the interned names and the lookup tables for about these many
 * objects (rs_world_new; a hint: they grow past it). */
void rs_world_reserve(RsWorld *w, size_t n_ns, size_t n_pods, size_t n_svcs, size_t n_routes);

void *rs_name_map_get(const RsNameMap *m, const char *name);      /* NULL: none */
void rs_name_map_put(RsNameMap *m, const char *name, void *obj);  /* adds or replaces; obj != NULL */
void rs_name_map_remove(RsNameMap *m, const char *name);
void rs_name_map_clear(RsNameMap *m);
void rs_name_map_prefetch(const RsNameMap *m, const char *name);   /* a hint */

/* ---- registry.c: address tables (RsIpMap) ---- */

void rs_ip_map_init(RsIpMap *m);
void rs_ip_map_clear(RsIpMap *m);
void *rs_ip_map_get(const RsIpMap *m, uint32_t ip);       /* NULL: none */
void rs_ip_map_put(RsIpMap *m, uint32_t ip, void *obj);   /* adds or replaces; obj != NULL */
void rs_ip_map_remove(RsIpMap *m, uint32_t ip);

/* Whether the world keeps an event log (RsScenario.no_event_log): a
 * sentence whose arguments cost a formatting (addresses, durations) is
 * skipped whole when nobody will read it (issue 14). */
static inline bool
rs_world_logging(const RsWorld *w)
{
    return !w->no_log;
}

/* ---- notifications up the layers (the builder sets the hooks) ---- */

/* A pod became or stopped being an endpoint: its services re-read (R15). */
static inline void
rs_world_notify_pod(RsWorld *w, RsPod *pod)
{
    if (w->hooks.pod_eligibility != NULL)
        w->hooks.pod_eligibility(w, pod);
}

/* A route or a routed service's endpoints changed: the router reloads (R28). */
static inline void
rs_world_notify_edge(RsWorld *w)
{
    if (w->hooks.edge_changed != NULL)
        w->hooks.edge_changed(w);
}

/* A deployment's pods changed (one became ready or exited, or its
 * replicas changed): its controller reconciles (R54, rs_rollout_reconcile);
 * returns the last pod it created, or NULL. */
static inline RsPod *
rs_world_reconcile(RsWorld *w, RsWorkload *wl)
{
    return w->hooks.workload_changed != NULL ? w->hooks.workload_changed(w, wl) : NULL;
}

/* ---- build.c: the builder (events.c uses it for apply) ---- */

RsNamespace *rs_world_ensure_namespace(RsWorld *w, const char *name);
RsTemplate *rs_world_template(RsWorld *w, const RsWorkloadSpec *spec);
RsSvcDef *rs_world_svc_def(RsWorld *w, const RsServiceSpec *spec);

/* ---- pod.c, lifecycle.c, rollout.c: pods and deployments (R3-R8, R51-R55) ---- */

RsWorkload *rs_world_add_deployment(RsWorld *w, RsNamespace *ns, const char *name,
                                    RsTemplate *tmpl, unsigned replicas,
                                    const RsStrategySpec *strategy);
RsPod *rs_world_add_bare_pod(RsWorld *w, RsNamespace *ns, const char *name, RsTemplate *tmpl);
/* rollout.c: apply of a deployment (a rollout when its template changed, R54). */
void rs_world_apply_deployment(RsWorld *w, RsNamespace *ns, const char *name,
                               RsTemplate *tmpl, unsigned replicas, const RsStrategySpec *strategy);
void rs_world_remove_deployment(RsWorld *w, RsWorkload *wl);

/* ---- the lifecycle (src/world/lifecycle.c, pod.c, rollout.c; R4-R8, R51-R55) ---- */

/* Cancels a pod's pending lifecycle timer (restart, address retry), if any. */
static inline void
rs_pod_cancel_timer(RsWorld *w, RsPod *pod)
{
    if (pod->timer != 0)
        rs_engine_cancel(w->eng, pod->timer);
    pod->timer = 0;
}

/* Whether the deployment still lists the pod (not terminating, not gone). */
static inline bool
rs_pod_listed(const RsPod *pod)
{
    return pod->owner != NULL && !pod->terminating && pod->state != RS_POD_GONE;
}


/* lifecycle.c: the pod got its address and its container starts (R5, R51-R53). */
void rs_pod_container_start(RsWorld *w, RsPod *pod);
/* lifecycle.c: puts a pod in or out of the endpoints truth (R5, R52, R55). */
void rs_pod_set_ready(RsWorld *w, RsPod *pod, bool ready);
/* lifecycle.c: cancels every timer of a pod's container and probes. */
void rs_pod_cancel_lifecycle(RsWorld *w, RsPod *pod);
/* lifecycle.c: R55: a pod starts terminating: out of the endpoints and its
 * deployment's count at once (state TERMINATING) ... */
void rs_pod_terminate_begin(RsWorld *w, RsPod *pod);
/* ... then (after the caller made any replacement) its preStop hook, SIGTERM,
 * the drain and the kill at termination_grace run; idle and without a hook
 * it exits at once. */
void rs_pod_terminate_run(RsWorld *w, RsPod *pod);
/* lifecycle.c: the pod is GONE: out of every index, its address released (R3). */
void rs_pod_exit(RsWorld *w, RsPod *pod);
/* pod.c: removes a pod its controller chose: terminates (R55) or is gone at once. */
void rs_pod_remove(RsWorld *w, RsPod *pod);
/* pod.c: creates a pod of a deployment: `<name>-<n>` with the next n. */
RsPod *rs_workload_new_pod(RsWorld *w, RsWorkload *wl);
/* lifecycle.c: notes a change of a deployment's ready pods in its ready_log. */
void rs_workload_ready_changed(RsWorld *w, RsWorkload *wl);
/* lifecycle.c: takes a pod out of its deployment's requesters. */
void rs_pod_drop_requester(RsPod *pod);
/* lifecycle.c: takes a pod out of its deployment's lists (terminating or gone). */
void rs_workload_forget(RsWorkload *wl, RsPod *pod);
/* rollout.c: brings a deployment towards its replicas of the current template
 * by its strategy (R54); returns the last pod it created, or NULL. */
RsPod *rs_rollout_reconcile(RsWorld *w, RsWorkload *wl);
/* rollout.c: the ReplicaSet's choice among `list` (R54): not ready first, then newest. */
RsPod *rs_workload_victim(GPtrArray *list, unsigned n_ready);


/* ---- service.c: services and their views (R10-R16) ---- */

/* Creates a service; `ip_reserved`: its fixed ClusterIP was reserved at load. */
RsService *rs_world_add_service(RsWorld *w, RsNamespace *ns, RsSvcDef *def, bool ip_reserved,
                                GError **error);
void rs_world_apply_service(RsWorld *w, RsNamespace *ns, RsSvcDef *def);
void rs_world_remove_service(RsWorld *w, RsService *svc);
/* Re-reads which ready pods a pod's services select and schedules views
 * (R15); the builder installs it as the pod_eligibility hook. */
void rs_world_pod_endpoints_changed(RsWorld *w, RsPod *pod);
void rs_service_truth_changed(RsWorld *w, RsService *svc);
/* The same for a change of one pod's eligibility only (it became ready or
 * stopped being an endpoint): brings this instant's snapshot up to date for
 * that pod instead of taking a new one when it can (R15). */
void rs_service_pod_changed(RsWorld *w, RsService *svc, RsPod *pod);
/* Appends to `out` the live services of the pod's namespace whose selector
 * matches its labels, in creation order (what rs_world_pod_endpoints_changed
 * re-reads): O(the pod's labels + the services listed under them), never
 * O(the namespace's services). */
void rs_services_selecting(const RsPod *pod, GPtrArray *out);
void rs_service_free(RsService *svc);
void rs_svc_view_free(RsSvcView *v);

/* ---- route.c: routes (R20-R22) ---- */

/* Converts a route spec into a world-owned definition. */
RsRouteDef *rs_world_route_def(RsWorld *w, const RsRouteSpec *spec);
/* apply of a route: creates it, or replaces its definition (keeping its age, R22). */
void rs_world_apply_route(RsWorld *w, RsNamespace *ns, RsRouteDef *def);
void rs_world_remove_route(RsWorld *w, RsRoute *route);
/* annotate: sets (value non-NULL) or removes an annotation of a route. */
void rs_world_annotate_route(RsWorld *w, RsRoute *route, const char *key, const char *value);
/* Whether a service is sent to by a live route (then its endpoints matter to the router). */
bool rs_router_watches(const RsWorld *w, const RsService *svc);
/* Creates the route tables and the scenario's routes in file order (their age, R22). */
void rs_world_routes_init(RsWorld *w, const RsScenario *sc);
void rs_world_routes_free(RsWorld *w);

/* ---- host.c: hosts, public DNS records, egress (R18, R32-R36) ---- */

void rs_world_add_hosts(RsWorld *w, const RsScenario *sc);
void rs_world_hosts_free(RsWorld *w);
/* Egress (R32, R33): gives a namespace its egress address. */
void rs_world_assign_egress(RsWorld *w, RsNamespace *ns, bool dedicated);

/* ---- router.c: router replicas (R28, R30) ---- */

void rs_router_init(RsWorld *w, unsigned replicas);
void rs_router_free(RsWorld *w);
/* Something the router watches changed (a route, a routed service's
 * endpoints); the builder installs it as the edge_changed hook. */
void rs_router_changed(RsWorld *w);
void rs_router_down(RsWorld *w, unsigned index);
void rs_router_up(RsWorld *w, unsigned index);

#endif
