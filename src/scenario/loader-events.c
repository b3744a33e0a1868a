/* loader-events.c: the `events` array: delete (R6), crash (R7), scale,
 * annotate (R25-R31 annotations), router_down/router_up (R30), apply
 * (create or replace an object) and remove.
 *
 * Each event has exactly one action key.  Times are >= 0 (nothing happens
 * before the start) and within --max-duration.  Targets are checked in
 * pass 2 against everything the file declares, including objects that
 * `apply` events create.  Events keep file order here; loader.c sorts them
 * by time, stably (R37).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "scenario/loader-internal.h"

/* The action words, in RsEventKind order (from the same list). */
static const char *const actions[] = {
#define RS_X_(e, word) word,
    RS_EVENT_KINDS(RS_X_)
#undef RS_X_
    NULL};
G_STATIC_ASSERT(G_N_ELEMENTS(actions) == RS_EV_KIND_COUNT + 1);

/* The event time `at`: required, not before time 0, within the limit. */
static bool
event_time(Ld *ld, const cJSON *v, const char *path, rs_time_t *at)
{
    const cJSON *t = ld_get(v, "at");
    if (!t)
        return ld_fail(ld, v, false, path, "missing required key `at` (when the event happens)");
    const char *tp = ld_path(ld, path, "at");
    if ((cJSON_IsString(t) && t->valuestring[0] == '-') || (cJSON_IsNumber(t) && t->valuedouble < 0))
        return ld_fail(ld, t, false, tp, "event time is before time 0 (the scenario starts at 0s)");
    if (!ld_v_duration(ld, t, tp, at))
        return false;
    if (*at > ld->lim.max_duration) {
        char b[32];
        return ld_fail_limit(ld, t, tp, "event time is beyond the duration limit (%s); raise it with "
                             "--max-duration", rs_duration_format(ld->lim.max_duration, b));
    }
    return ld_within_duration(ld, t, tp, "at", *at);
}

/* A target "ns/name": split it and queue its check. */
static bool
target(Ld *ld, const cJSON *v, const char *path, const char *key, LdRefKind kind, RsEventSpec *ev,
       const char *what)
{
    const cJSON *t = ld_get(v, key);
    const char *kp = ld_path(ld, path, key);
    if (!cJSON_IsString(t))
        return ld_fail(ld, t, false, kp, "expected `NAMESPACE/NAME`, found %s", ld_type_word(t));
    if (!ld_split_ref(ld, t, kp, t->valuestring, &ev->ns, NULL, &ev->name))
        return false;
    ld_defer(ld, kind, t, kp, ev->ns, ev->name, what);
    return true;
}

/* The `apply` action: {namespace, kind, spec}, an object to create or replace. */
static bool
apply(Ld *ld, const cJSON *a, const char *path, RsEventSpec *ev)
{
    static const char *const keys[] = {"namespace", "kind", "spec", NULL};
    static const char *const kinds[] = {"deployment", "pod", "service", "route", "network_policy", NULL};
    if (!ld_object(ld, a, path, keys, "an apply action") ||
        !ld_string(ld, a, path, "namespace", true, &ev->ns))
        return false;
    LdNs *ns = ld_ns_lookup(ld, ev->ns);
    if (!ns) {
        const char *np = ld_path(ld, path, "namespace");
        return ld_fail(ld, ld_get(a, "namespace"), false, np,
                       "unknown namespace `%s` (apply works in a namespace the file declares)", ev->ns);
    }
    int k = -1;
    if (!ld_get(a, "kind"))
        return ld_fail(ld, a, false, path, "missing required key `kind` (deployment, pod, service, route "
                       "or network_policy)");
    if (!ld_enum(ld, a, path, "kind", kinds, &k))
        return false;
    const cJSON *spec = ld_get(a, "spec");
    if (!spec)
        return ld_fail(ld, a, false, path, "missing required key `spec` (the object to create or replace)");
    const char *sp = ld_path(ld, path, "spec");
    bool ok = false;
    RsObjKind kind = RS_KIND_ANY;
    void *obj = NULL;
    const char *name = NULL;
    switch (k) {
    case 0:
    case 1:
        kind = k == 0 ? RS_KIND_DEPLOYMENT : RS_KIND_POD;
        obj = g_new0(RsWorkloadSpec, 1);
        if (k == 0)
            ev->deployment = obj;
        else
            ev->pod = obj;
        ok = ld_workload(ld, spec, sp, k == 1, obj);
        name = ((RsWorkloadSpec *)obj)->name;
        break;
    case 2:
        kind = RS_KIND_SERVICE;
        obj = ev->service = g_new0(RsServiceSpec, 1);
        ok = ld_service(ld, spec, sp, obj);
        name = ev->service->name;
        break;
    case 4:
        kind = RS_KIND_NETWORK_POLICY;
        obj = ev->policy = g_new0(RsPolicySpec, 1);
        ok = ld_policy(ld, spec, sp, obj);
        name = ev->policy->name;
        break;
    default:
        kind = RS_KIND_ROUTE;
        obj = ev->route = g_new0(RsRouteSpec, 1);
        ok = ld_route(ld, ns, spec, sp, obj);
        name = ev->route->name;
        break;
    }
    if (!ok)
        return false;
    ev->obj_kind = kind;
    ev->name = g_strdup(name);
    return ld_register(ld, ns, kind, obj, spec, sp, true);
}

/* A declared namespace named by `v` (a string). */
static bool
namespace_ref(Ld *ld, const cJSON *v, const char *path, char **out)
{
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, path, "expected a namespace name, found %s", ld_type_word(v));
    if (!ld_ns_lookup(ld, v->valuestring))
        return ld_fail(ld, v, false, path, "unknown namespace `%s`", v->valuestring);
    *out = g_strdup(v->valuestring);
    return true;
}

/* label (R47), join_networks and global_network (R39). */
static bool
ld_policy_event(Ld *ld, const cJSON *v, const char *path, const cJSON *an, const char *ap, RsEventSpec *ev)
{
    bool rahti1 = ld->sc->profile.isolation == RS_ISOLATION_MULTITENANT;
    if (ev->kind == RS_EV_GLOBAL_NETWORK || ev->kind == RS_EV_JOIN_NETWORKS) {
        if (!rahti1)
            return ld_fail(ld, an, true, ap, "`%s` is an ovs-multitenant admin command (rahti-1, R39); "
                           "on %s open namespaces to each other with network policies (R43)",
                           ev->kind == RS_EV_GLOBAL_NETWORK ? "global_network" : "join_networks",
                           ld->sc->profile.name);
        if (ev->kind == RS_EV_GLOBAL_NETWORK)
            return namespace_ref(ld, an, ap, &ev->ns);
        if (!cJSON_IsArray(an) || cJSON_GetArraySize(an) < 2)
            return ld_fail(ld, an, false, ap, "expected a list of at least two namespaces to join (R39)");
        ev->n_networks = (unsigned)cJSON_GetArraySize(an);
        ev->networks = g_new0(char *, ev->n_networks + 1);
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, an) {
            const char *ip = ld_path_index(ld, ap, i);
            if (!namespace_ref(ld, c, ip, &ev->networks[i]))
                return false;
            i++;
        }
        return true;
    }
    /* label: "ns" (a namespace) or "ns/pod" */
    if (!cJSON_IsString(an))
        return ld_fail(ld, an, false, ap, "expected a namespace or `NAMESPACE/POD`, found %s",
                       ld_type_word(an));
    if (!strchr(an->valuestring, '/')) {
        if (!namespace_ref(ld, an, ap, &ev->ns))
            return false;
    } else if (!target(ld, v, path, "label", LD_REF_POD, ev, "the pod to label")) {
        return false;
    }
    ev->obj_kind = ev->name ? RS_KIND_POD : RS_KIND_ANY;
    if (!ld_string(ld, v, path, "key", true, &ev->key))
        return false;
    const char *kp = ld_path(ld, path, "key");
    if (!ld_is_qualified_name(ev->key))
        return ld_fail(ld, ld_get(v, "key"), false, kp, "invalid label key `%s`", ev->key);
    if (!ev->name && strcmp(ev->key, "kubernetes.io/metadata.name") == 0)
        return ld_fail(ld, ld_get(v, "key"), false, kp, "kubernetes.io/metadata.name is set by the API "
                       "server and cannot be changed (R43)");
    const cJSON *val = ld_get(v, "value");
    const char *vp = ld_path(ld, path, "value");
    if (!val)
        return ld_fail(ld, v, false, path, "missing required key `value` (null removes the label)");
    if (!cJSON_IsNull(val)) {
        if (!cJSON_IsString(val))
            return ld_fail(ld, val, false, vp, "expected a string (or null to remove), found %s",
                           ld_type_word(val));
        const char *s = val->valuestring;
        size_t n = strlen(s);
        bool ok = n <= 63 && (n == 0 || (g_ascii_isalnum(s[0]) && g_ascii_isalnum(s[n - 1])));
        for (size_t i = 0; ok && i < n; i++)
            ok = g_ascii_isalnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.';
        if (!ok)
            return ld_fail(ld, val, false, vp, "invalid label value `%s`: at most 63 letters, digits, "
                           "`-`, `_` and `.`, beginning and ending with a letter or digit (or empty)", s);
        ev->value = g_strdup(s);
    }
    return true;
}

/* One event. */
static bool
event(Ld *ld, const cJSON *v, const char *path, RsEventSpec *ev)
{
    static const char *const keys[] = {"at", "delete", "crash", "scale", "replicas", "annotate", "key",
                                       "value", "router_down", "router_up", "apply", "remove", "label",
                                       "join_networks", "global_network", "crash_container", "crash_loop",
                                       "fail_readiness", "pass_readiness", "hang", "rollout", "set", NULL};
    static const char *const kinds[] = {"pod", "deployment", "service", "route", "network_policy", NULL};
    if (!ld_object(ld, v, path, keys, "an event") || !ld_count_timed(ld, v, path))
        return false;
    ld_pos(ld, v, path, &ev->pos);
    if (!event_time(ld, v, path, &ev->at))
        return false;
    int act = -1;
    const cJSON *an = NULL;
    for (int i = 0; actions[i]; i++) {
        const cJSON *c = ld_get(v, actions[i]);
        if (!c)
            continue;
        if (act >= 0) {
            const char *cp = ld_path(ld, path, actions[i]);
            return ld_fail(ld, c, true, cp, "an event does one thing: `%s` and `%s` cannot be combined "
                           "(write two events)", actions[act], actions[i]);
        }
        act = i;
        an = c;
    }
    if (act < 0) {
        g_autofree char *list = g_strjoinv(", ", (char **)actions);
        return ld_fail(ld, v, false, path, "an event needs an action: one of %s", list);
    }
    ev->kind = (RsEventKind)act;    /* actions[] is made from RS_EVENT_KINDS */
    /* keys that belong to another action */
    if (ev->kind != RS_EV_SCALE && ld_get(v, "replicas")) {
        const char *rp = ld_path(ld, path, "replicas");
        return ld_fail(ld, ld_get(v, "replicas"), true, rp, "`replicas` belongs to a `scale` event");
    }
    if (ev->kind != RS_EV_ANNOTATE && ev->kind != RS_EV_LABEL && (ld_get(v, "key") || ld_get(v, "value"))) {
        const char *k = ld_get(v, "key") ? "key" : "value";
        const char *kp = ld_path(ld, path, k);
        return ld_fail(ld, ld_get(v, k), true, kp, "`%s` belongs to an `annotate` or `label` event", k);
    }
    if (ev->kind != RS_EV_CRASH_CONTAINER && ld_get(v, "crash_loop")) {
        const char *kp = ld_path(ld, path, "crash_loop");
        return ld_fail(ld, ld_get(v, "crash_loop"), true, kp, "`crash_loop` belongs to a `crash_container` event");
    }
    if (ev->kind != RS_EV_ROLLOUT && ld_get(v, "set")) {
        const char *kp = ld_path(ld, path, "set");
        return ld_fail(ld, ld_get(v, "set"), true, kp, "`set` belongs to a `rollout` event");
    }
    const char *ap = ld_path(ld, path, actions[act]);
    switch (ev->kind) {
    case RS_EV_CRASH_CONTAINER:
        /* R51: the same pod restarts; nothing new is made. */
        ev->obj_kind = RS_KIND_POD;
        return target(ld, v, path, actions[act], LD_REF_POD, ev, "the pod whose container crashes") &&
               ld_bool(ld, v, path, "crash_loop", &ev->crash_loop);
    case RS_EV_FAIL_READINESS:
    case RS_EV_PASS_READINESS:
    case RS_EV_HANG:
        /* R52, R53: the app's health answer changes, or it stops answering. */
        ev->obj_kind = RS_KIND_POD;
        return target(ld, v, path, actions[act], LD_REF_POD, ev, "the event's pod");
    case RS_EV_ROLLOUT: {
        /* R54: a new ReplicaSet: up to `replicas` new pods (counted at the target's check). */
        ev->obj_kind = RS_KIND_DEPLOYMENT;
        if (!target(ld, v, path, "rollout", LD_REF_DEPLOYMENT, ev, "the deployment to roll out"))
            return false;
        LdNs *ns = ld_ns_lookup(ld, ev->ns);
        LdObj *d = ns != NULL ? ld_obj_lookup(ns, RS_KIND_DEPLOYMENT, ev->name) : NULL;
        if (d != NULL && !ld_count_object(ld, v, path, ((RsWorkloadSpec *)d->spec)->replicas))
            return false;
        const cJSON *set = ld_get(v, "set");
        if (set) {
            const char *sp = ld_path(ld, path, "set");
            ev->set = g_new0(RsWorkloadSpec, 1);
            if (!ld_rollout_set(ld, set, sp, ev->set))
                return false;
        }
        return true;
    }
    case RS_EV_DELETE:
    case RS_EV_CRASH:
        /* A deployment's pod is replaced: one more pod the world keeps. */
        ev->obj_kind = RS_KIND_POD;
        return target(ld, v, path, actions[act], LD_REF_POD, ev, "the event's pod") &&
               ld_count_object(ld, v, path, 1);
    case RS_EV_SCALE: {
        long long n;
        ev->obj_kind = RS_KIND_DEPLOYMENT;
        if (!target(ld, v, path, "scale", LD_REF_DEPLOYMENT, ev, "the deployment to scale") ||
            !ld_int(ld, v, path, "replicas", true, 0, 1000000, &n, NULL))
            return false;
        ev->replicas = (unsigned)n;
        /* Scaling up makes up to `replicas` new pods, which the world keeps. */
        const char *rp = ld_path(ld, path, "replicas");
        return ld_count_object(ld, ld_get(v, "replicas"), rp, ev->replicas);
    }
    case RS_EV_ANNOTATE: {
        ev->obj_kind = RS_KIND_ROUTE;
        if (!target(ld, v, path, "annotate", LD_REF_ROUTE, ev, "the route to annotate") ||
            !ld_string(ld, v, path, "key", true, &ev->key))
            return false;
        if (!ld_is_qualified_name(ev->key)) {
            const char *kp = ld_path(ld, path, "key");
            return ld_fail(ld, ld_get(v, "key"), false, kp, "invalid annotation key `%s`: a name of at "
                           "most 63 letters, digits, `-`, `_` and `.` that begins and ends with a "
                           "letter or digit, optionally after a DNS subdomain and `/`", ev->key);
        }
        const cJSON *val = ld_get(v, "value");
        const char *vp = ld_path(ld, path, "value");
        if (!val)
            return ld_fail(ld, v, false, path, "missing required key `value` (null removes the annotation)");
        if (!cJSON_IsNull(val)) {
            if (!cJSON_IsString(val))
                return ld_fail(ld, val, false, vp, "expected a string (or null to remove), found %s",
                               ld_type_word(val));
            ev->value = g_strdup(val->valuestring);
            ld_whitelist_check(ld, val, ev->key, ev->value);
            ld_annotation_check(ld, val, ev->key, ev->value);
        }
        return true;
    }
    case RS_EV_ROUTER_DOWN:
    case RS_EV_ROUTER_UP: {
        long long r;
        unsigned n = ld->sc->profile.router_replicas;
        if (cJSON_IsNumber(an) && an->valuedouble == floor(an->valuedouble) &&  /* no cast: it may not fit */
            (an->valuedouble < 0 || an->valuedouble >= n))
            return ld_fail(ld, an, false, ap,
                           "router replica %g does not exist: the platform has %u (0-%u, R30)",
                           an->valuedouble, n, n - 1);
        if (!ld_v_int(ld, an, ap, 0, (long long)n - 1, "router replica index", &r))
            return false;
        ev->router = (unsigned)r;
        return true;
    }
    case RS_EV_APPLY:
        return apply(ld, an, ap, ev);
    case RS_EV_LABEL:
    case RS_EV_JOIN_NETWORKS:
    case RS_EV_GLOBAL_NETWORK:
        return ld_policy_event(ld, v, path, an, ap, ev);
    case RS_EV_REMOVE: {
        if (!cJSON_IsString(an))
            return ld_fail(ld, an, false, ap, "expected `NAMESPACE/NAME` or `NAMESPACE/KIND/NAME`, found %s",
                           ld_type_word(an));
        g_autofree char *kind = NULL;
        if (!ld_split_ref(ld, an, ap, an->valuestring, &ev->ns, &kind, &ev->name))
            return false;
        ev->obj_kind = RS_KIND_ANY;
        if (kind) {
            int k = -1;
            for (int i = 0; kinds[i]; i++)
                if (strcmp(kinds[i], kind) == 0)
                    k = i;
            if (k < 0)
                return ld_fail(ld, an, false, ap, "unknown kind `%s` (expected pod, deployment, service, "
                               "route or network_policy)", kind);
            ev->obj_kind = (RsObjKind)(RS_KIND_POD + k);
        }
        ld_defer(ld, LD_REF_ANY, an, ap, ev->ns, ev->name, "the object to remove");
        ld_defer_last(ld)->kind_out = &ev->obj_kind;
        return true;
    }
    }
    return true;
}

/* The `events` array (file order; sorted later). */
bool
ld_events(Ld *ld, const cJSON *root)
{
    const cJSON *arr;
    if (!ld_array(ld, root, "", "events", &arr))
        return false;
    if (!arr)
        return true;
    RsScenario *sc = ld->sc;
    unsigned n = (unsigned)cJSON_GetArraySize(arr);
    sc->events = g_new0(RsEventSpec, n ? n : 1);
    sc->n_events = n;
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        const char *p = ld_path_index(ld, "events", i);
        if (!event(ld, c, p, &sc->events[i]) && !ld_go_on(ld))
            return false;
        i++;
    }
    return true;
}
