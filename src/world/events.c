/* events.c: the scenario's events (delete, crash, scale, apply, remove) as
 * engine events that change the truth.
 *
 * At load each RsEventSpec is converted into a world-owned WorldEvent (names
 * interned, specs turned into templates and service definitions), so the
 * world never reads the scenario again.  Each runs at its `at` time in file
 * order among equal times (R37: the engine orders by time, then by when it
 * was scheduled, and the events are scheduled in file order).  A target that
 * does not exist when the event runs is not an error: the log says so.
 *
 * Routes are applied and removed like the other kinds; `annotate` changes a
 * route's annotations and `router_down`/`router_up` stop and start a router
 * replica (R30).  The router learns route changes at its next reload (R28).
 *
 * Rules: R6 (delete), R7 (crash), R8, R10 (services), R20-R22 (routes),
 * R28 (annotate), R30 (router events), R37.
 */
#include "config.h"

#include "rahtisim/policy.h"
#include "world/world-private.h"

typedef struct {
    RsWorld *w;
    RsEventKind kind;
    RsObjKind obj_kind;
    const char *ns, *name;
    unsigned replicas;
    RsTemplate *tmpl;           /* apply of a deployment or a pod */
    bool bare;
    RsSvcDef *svc;              /* apply of a service */
    RsRouteDef *route;          /* apply of a route */
    RsPolicy *policy;           /* apply of a network policy (R47) */
    const char **networks; unsigned n_networks;     /* join_networks (R39) */
    const char *key, *value;    /* annotate (value NULL removes) */
    unsigned router;            /* router_down / router_up */
    RsStrategySpec strategy;    /* apply of a deployment (R54) */
    bool crash_loop;            /* crash_container (R51) */
    RsTemplate *set;            /* rollout: the changed pod fields as a template (R54), or NULL */
    unsigned set_mask;          /* which of its fields (RS_SET_*) */
} WorldEvent;

/* The live pod an event names, or NULL after logging why not. */
static RsPod *
event_pod(RsWorld *w, const WorldEvent *ev, RsRule rule, const char *what)
{
    RsPod *pod = rs_world_pod(w, ev->ns, ev->name);
    if (pod == NULL || pod->state == RS_POD_GONE) {
        rs_world_log(w, rule, "%s %s/%s: no such pod now", what, ev->ns, ev->name);
        return NULL;
    }
    return pod;
}

/* Deletes whatever ns/name names (a live pod first, then a deployment, then a service). */
static void
delete_any(RsWorld *w, const WorldEvent *ev, RsObjKind kind)
{
    RsPod *pod = rs_world_pod(w, ev->ns, ev->name);
    if ((kind == RS_KIND_ANY || kind == RS_KIND_POD) && pod != NULL && pod->state != RS_POD_GONE) {
        rs_world_delete_pod(w, pod);
        return;
    }
    RsWorkload *wl = rs_world_workload(w, ev->ns, ev->name);
    if ((kind == RS_KIND_ANY || kind == RS_KIND_DEPLOYMENT) && wl != NULL) {
        rs_world_remove_deployment(w, wl);
        return;
    }
    RsService *svc = rs_world_service(w, ev->ns, ev->name);
    if ((kind == RS_KIND_ANY || kind == RS_KIND_SERVICE) && svc != NULL) {
        rs_world_remove_service(w, svc);
        return;
    }
    RsRoute *route = rs_world_route(w, ev->ns, ev->name);
    if ((kind == RS_KIND_ANY || kind == RS_KIND_ROUTE) && route != NULL) {
        rs_world_remove_route(w, route);
        return;
    }
    if ((kind == RS_KIND_ANY || kind == RS_KIND_NETWORK_POLICY) && rs_policies_remove(w, ev->ns, ev->name))
        return;                 /* R47 */
    if ((kind == RS_KIND_ANY || kind == RS_KIND_POD) && pod != NULL) {
        rs_world_delete_pod(w, pod);            /* logs "already gone" */
        return;
    }
    rs_world_log(w, RS_RULE_NONE, "%s %s/%s: no such object now",
                 ev->kind == RS_EV_DELETE ? "delete" : "remove", ev->ns, ev->name);
}

/* Engine event: runs one scenario event against the truth. */
static void
on_event(RsEngine *eng, void *obj, uint64_t arg)
{
    WorldEvent *ev = obj;
    RsWorld *w = ev->w;
    switch (ev->kind) {
    case RS_EV_DELETE:
    case RS_EV_REMOVE:
        delete_any(w, ev, ev->obj_kind);
        break;
    case RS_EV_CRASH: {
        RsPod *pod = rs_world_pod(w, ev->ns, ev->name);
        if (pod == NULL)
            rs_world_log(w, RS_R7, "crash %s/%s: no such pod", ev->ns, ev->name);
        else
            rs_world_crash_pod(w, pod);
        break;
    }
    case RS_EV_SCALE: {
        RsWorkload *wl = rs_world_workload(w, ev->ns, ev->name);
        if (wl == NULL)
            rs_world_log(w, RS_RULE_NONE, "scale %s/%s: no such deployment", ev->ns, ev->name);
        else
            rs_world_scale(w, wl, ev->replicas);
        break;
    }
    case RS_EV_APPLY: {
        RsNamespace *ns = rs_world_ensure_namespace(w, ev->ns);
        if (ev->policy != NULL) {
            rs_policies_apply(w, ev->ns, ev->policy);      /* R47 */
        } else if (ev->svc != NULL) {
            rs_world_apply_service(w, ns, ev->svc);
        } else if (ev->route != NULL) {
            rs_world_apply_route(w, ns, ev->route);
        } else if (ev->tmpl != NULL && !ev->bare) {
            rs_world_apply_deployment(w, ns, ev->name, ev->tmpl, ev->replicas, &ev->strategy);
        } else if (ev->tmpl != NULL) {
            /* A bare pod applied again is replaced: a new pod, a new address (R8). */
            RsPod *old = rs_world_pod(w, ev->ns, ev->name);
            if (old != NULL && old->state != RS_POD_GONE)
                rs_world_delete_pod(w, old);
            rs_world_add_bare_pod(w, ns, ev->name, ev->tmpl);
        }
        break;
    }
    case RS_EV_ANNOTATE: {
        RsRoute *route = rs_world_route(w, ev->ns, ev->name);
        if (route == NULL)
            rs_world_log(w, RS_RULE_NONE, "annotate %s/%s: no such route now", ev->ns, ev->name);
        else
            rs_world_annotate_route(w, route, ev->key, ev->value);
        break;
    }
    case RS_EV_CRASH_CONTAINER: {
        RsPod *pod = event_pod(w, ev, RS_R51, "crash_container");
        if (pod != NULL)
            rs_world_crash_container(w, pod, ev->crash_loop);
        break;
    }
    case RS_EV_FAIL_READINESS:
    case RS_EV_PASS_READINESS: {
        bool fail = ev->kind == RS_EV_FAIL_READINESS;
        RsPod *pod = event_pod(w, ev, RS_R52, fail ? "fail_readiness" : "pass_readiness");
        if (pod != NULL)
            rs_world_set_unhealthy(w, pod, fail);
        break;
    }
    case RS_EV_HANG: {
        RsPod *pod = event_pod(w, ev, RS_R53, "hang");
        if (pod != NULL)
            rs_world_hang(w, pod);
        break;
    }
    case RS_EV_ROLLOUT: {
        RsWorkload *wl = rs_world_workload(w, ev->ns, ev->name);
        if (wl == NULL) {
            rs_world_log(w, RS_R54, "rollout %s/%s: no such deployment now", ev->ns, ev->name);
            break;
        }
        rs_world_rollout(w, wl, rs_world_template_derive(w, wl->tmpl, ev->set, ev->set_mask),
                         ev->set != NULL ? "rollout event with changed pod fields" : "rollout restart");
        break;
    }
    case RS_EV_ROUTER_DOWN:
        rs_router_down(w, ev->router);
        break;
    case RS_EV_ROUTER_UP:
        rs_router_up(w, ev->router);
        break;
    case RS_EV_LABEL:
        rs_policies_label(w, ev->ns, ev->name, ev->key, ev->value);     /* R47 */
        break;
    case RS_EV_JOIN_NETWORKS:
        rs_policies_join(w, ev->networks, ev->n_networks);             /* R39 */
        break;
    case RS_EV_GLOBAL_NETWORK:
        rs_policies_global(w, ev->ns);                                  /* R39 */
        break;
    }
    (void)eng; (void)arg;
}

/* Converts the scenario's events and schedules them on the engine. */
bool
rs_world_schedule_events(RsWorld *w, const RsScenario *sc, GError **error)
{
    for (unsigned i = 0; i < sc->n_events; i++) {
        const RsEventSpec *es = &sc->events[i];
        /* join_networks' list lives in the same block (freed with the event) */
        WorldEvent *ev = g_malloc0(sizeof(WorldEvent) + (es->n_networks + 1) * sizeof(const char *));
        ev->w = w;
        ev->kind = es->kind;
        ev->obj_kind = es->obj_kind;
        ev->ns = rs_world_intern(w, es->ns);
        ev->name = rs_world_intern(w, es->name);
        ev->replicas = es->replicas;
        ev->key = rs_world_intern(w, es->key);
        ev->value = rs_world_intern(w, es->value);
        ev->router = es->router;
        ev->crash_loop = es->crash_loop;
        if (es->set != NULL) {
            ev->set = rs_world_template(w, es->set);
            ev->set_mask = es->set->set_mask;
        }
        if (es->kind == RS_EV_JOIN_NETWORKS) {
            ev->n_networks = es->n_networks;
            ev->networks = (const char **)(void *)(ev + 1);
            for (unsigned k = 0; k < es->n_networks; k++)
                ev->networks[k] = rs_world_intern(w, es->networks[k]);
        }
        if (es->kind == RS_EV_ROUTER_DOWN || es->kind == RS_EV_ROUTER_UP ||
            es->kind == RS_EV_JOIN_NETWORKS || es->kind == RS_EV_GLOBAL_NETWORK || es->kind == RS_EV_LABEL) {
            g_ptr_array_add(w->events, ev);
            rs_engine_schedule(w->eng, MAX(es->at, rs_engine_now(w->eng)), on_event, ev, 0);
            continue;
        }
        if (es->kind == RS_EV_APPLY) {
            if (es->deployment != NULL) {
                ev->strategy = es->deployment->strategy;
                ev->tmpl = rs_world_template(w, es->deployment);
                ev->replicas = es->deployment->replicas;
                ev->name = rs_world_intern(w, es->deployment->name);
            } else if (es->pod != NULL) {
                ev->tmpl = rs_world_template(w, es->pod);
                ev->bare = true;
                ev->name = rs_world_intern(w, es->pod->name);
            } else if (es->service != NULL) {
                ev->svc = rs_world_svc_def(w, es->service);
                ev->name = ev->svc->name;
            } else if (es->route != NULL) {
                ev->route = rs_world_route_def(w, es->route);
                ev->name = ev->route->name;
            } else if (es->policy != NULL) {
                ev->policy = rs_policy_compile(w, es->ns, es->policy);
                ev->name = ev->policy->name;
            }
        }
        if (ev->ns == NULL || ev->name == NULL) {
            g_set_error(error, RS_WORLD_ERROR, RS_WORLD_ERROR_INVALID,
                        "%s:%d:%d: %s: the event names no object", sc->file ? sc->file : "<scenario>",
                        es->pos.line, es->pos.col, es->pos.path ? es->pos.path : "");
            g_free(ev);
            return false;
        }
        g_ptr_array_add(w->events, ev);
        rs_engine_schedule(w->eng, MAX(es->at, rs_engine_now(w->eng)), on_event, ev, 0);
    }
    return true;
}
