/* rollout.c: the deployment controller: replicas, rollouts, the ReplicaSet's ranking (R54).
 *
 * A deployment keeps `replicas` pods of its current template.  Its pods are
 * in two lists: `pods` (the current template: the new ReplicaSet) and `old`
 * (every older template); terminating pods are in neither (R55: a
 * ReplicaSet does not count them, so it replaces them at once).
 *
 * ROLLING (the default): max_surge is rounded up and max_unavailable down
 * from percentages of the replicas (Kubernetes' intstr rounding); if both
 * come to 0, max_unavailable is 1.  Each step, as the Deployment controller
 * does it:
 *   scale up:   new pods while pods + old < replicas + surge and pods < replicas;
 *   scale down: old pods while the pods available (ready for min_ready)
 *               stay >= replicas - unavailable; not-ready old pods go first.
 * A step runs whenever a pod of the deployment becomes ready or not ready,
 * leaves, or becomes available after min_ready.  The rollout is complete
 * when every pod is new and available; if nothing progresses for the
 * progress deadline (600 s, progressDeadlineSeconds) it has stalled:
 * Kubernetes stops nothing, the report says so (ProgressDeadlineExceeded).
 *
 * RECREATE: every old pod terminates; the new pods start when the last one
 * has exited.
 *
 * VICTIMS: whenever pods are removed (scale-down, rollout step), a pod
 * without an address goes first, then not-ready pods, then the newest
 * (highest number), the ReplicaSet controller's ranking reduced to what the
 * model knows.  The lists are in creation order, so the usual victim is
 * the last element: a step costs O(pods it changes), not O(replicas).
 *
 * Rules: R6, R7, R54, R55.
 */
#include "config.h"

#include "world/world-private.h"

#define PROGRESS_DEADLINE (600 * RS_SEC)

/* An int-or-percent of `replicas` (R54): percentages round up for the
 * surge and down for the unavailable pods. */
static unsigned
resolve(RsIntOrPct v, unsigned replicas, bool round_up)
{
    if (!v.percent)
        return v.value;
    uint64_t x = (uint64_t)v.value * replicas;
    return (unsigned)(round_up ? (x + 99) / 100 : x / 100);
}

/* The ReplicaSet's removal rank (lower goes first): no address, not ready, ready. */
static int
rank(const RsPod *p)
{
    if (!p->has_ip && !p->crashed)
        return 0;
    return p->api_ready ? 2 : 1;
}

/* The pod of `list` a ReplicaSet deletes first (R54); `n_ready` of them are ready. */
RsPod *
rs_workload_victim(GPtrArray *list, unsigned n_ready)
{
    if (list->len == 0)
        return NULL;
    if (n_ready >= list->len)
        return list->pdata[list->len - 1];      /* all ready: the newest */
    RsPod *best = NULL;
    for (guint i = list->len; i-- > 0;) {
        RsPod *p = list->pdata[i];
        if (best == NULL || rank(p) < rank(best))
            best = p;
    }
    return best;
}

/* Pods of `list` available: ready for at least min_ready (R54). */
static unsigned
available(const RsWorkload *wl, const GPtrArray *list, unsigned n_ready, rs_time_t now)
{
    if (wl->strategy.min_ready == 0)
        return n_ready;
    unsigned n = 0;
    for (guint i = 0; i < list->len; i++) {
        const RsPod *p = list->pdata[i];
        n += p->api_ready && now - p->ready_at >= wl->strategy.min_ready;
    }
    return n;
}

/* Timer: the progress deadline (R54). */
static void
on_deadline(RsEngine *eng, void *obj, uint64_t arg)
{
    RsWorkload *wl = obj;
    RsWorld *w = wl->ns->world;
    rs_time_t now = rs_engine_now(eng);
    wl->deadline_timer = 0;
    if (!wl->rolling || wl->removed)
        return;
    if (now - wl->last_progress < PROGRESS_DEADLINE) {
        wl->deadline_timer = rs_engine_timer(eng, wl->last_progress + PROGRESS_DEADLINE, on_deadline, wl, 0);
        return;
    }
    wl->stalled = true;
    rs_world_log(w, RS_R54, "rollout of %s has stalled: no progress for 600s (ProgressDeadlineExceeded); "
                 "%u of %u new pods are ready, %u old pods still run", wl->full, wl->n_ready_new,
                 wl->replicas, wl->n_old);
    (void)arg;
}

/* Removes one pod the controller chose, with the reason in the log. */
static void
remove_one(RsWorld *w, RsWorkload *wl, RsPod *pod, const char *why)
{
    rs_world_log(w, RS_R54, "%s deleted (%s): it leaves the endpoints and %s", pod->full, why,
                 pod->tmpl->pre_stop > 0 || pod->busy + pod->queued > 0 ? "terminates (R55)" : "stops");
    rs_pod_remove(w, pod);
    (void)wl;
}

/* The rollout is over (R54). */
static void
check_complete(RsWorld *w, RsWorkload *wl, rs_time_t now)
{
    if (!wl->rolling || wl->old->len > 0 || wl->pods->len != wl->replicas ||
        available(wl, wl->pods, wl->n_ready_new, now) < wl->replicas)
        return;
    wl->rolling = false;
    wl->rollout_done = now;
    if (wl->deadline_timer != 0)
        rs_engine_cancel(w->eng, wl->deadline_timer);
    wl->deadline_timer = 0;
    char b[32];
    rs_world_log(w, RS_R54, "rollout of %s complete after %s: %u new pods ready", wl->full,
                 rs_duration_format(now - wl->rollout_started, b), wl->replicas);
}

/* One pass of the controller; returns the last pod it created. */
static RsPod *
step(RsWorld *w, RsWorkload *wl)
{
    rs_time_t now = rs_engine_now(w->eng);
    unsigned R = wl->replicas;
    RsPod *made = NULL;
    unsigned before_new = wl->pods->len, before_old = wl->old->len;
    if (wl->old->len > 0 && wl->strategy.type == RS_STRATEGY_RECREATE) {
        /* R54 recreate: every old pod goes first */
        while (wl->old->len > 0)
            remove_one(w, wl, rs_workload_victim(wl->old, wl->n_ready_old), "recreate: old pods stop first");
    }
    bool recreate_wait = wl->rolling && wl->strategy.type == RS_STRATEGY_RECREATE && wl->n_terminating > 0;
    if (wl->old->len == 0) {
        /* a plain ReplicaSet (R6: replacements at once) */
        while (wl->pods->len < R && !recreate_wait)
            made = rs_workload_new_pod(w, wl);
        while (wl->pods->len > R)
            remove_one(w, wl, rs_workload_victim(wl->pods, wl->n_ready_new), "scale down, newest first");
    } else {
        unsigned surge = resolve(wl->strategy.max_surge, R, true);
        unsigned unav = resolve(wl->strategy.max_unavailable, R, false);
        if (surge == 0 && unav == 0)
            unav = 1;           /* as the Deployment controller does */
        unsigned total = wl->pods->len + wl->old->len;
        if (total < R + surge && wl->pods->len < R) {
            unsigned n = MIN(R + surge - total, R - wl->pods->len);
            for (unsigned i = 0; i < n; i++)
                made = rs_workload_new_pod(w, wl);
        }
        while (wl->pods->len > R)
            remove_one(w, wl, rs_workload_victim(wl->pods, wl->n_ready_new), "scale down, newest first");
        /* scale down old pods as far as availability allows */
        long min_avail = (long)R - (long)unav;
        unsigned avail_new = available(wl, wl->pods, wl->n_ready_new, now);
        long all = (long)wl->pods->len + (long)wl->old->len;
        long room = all - min_avail - ((long)wl->pods->len - (long)avail_new);
        while (room > 0 && wl->old->len > 0 && wl->n_ready_old < wl->old->len) {
            remove_one(w, wl, rs_workload_victim(wl->old, wl->n_ready_old), "rollout: not-ready old pods first");
            room--;
        }
        long avail_all = (long)avail_new + (long)available(wl, wl->old, wl->n_ready_old, now);
        while (room > 0 && wl->old->len > 0 && avail_all > min_avail) {
            remove_one(w, wl, rs_workload_victim(wl->old, wl->n_ready_old), "rollout step, newest old pod first");
            room--;
            avail_all--;
        }
    }
    if (wl->pods->len != before_new || wl->old->len != before_old)
        wl->again = true;       /* removals make room for the next scale-up */
    if (wl->rolling) {
        unsigned avail_new = available(wl, wl->pods, wl->n_ready_new, now);
        if (wl->pods->len != before_new || wl->old->len != before_old || avail_new != wl->last_avail_new) {
            wl->last_progress = now;
            wl->last_avail_new = avail_new;
        }
    }
    check_complete(w, wl, now);
    return made;
}

/* Brings a deployment towards its replicas by its strategy (R54); re-entrant
 * calls (a removed pod that exits at once) only ask for another pass. */
RsPod *
rs_rollout_reconcile(RsWorld *w, RsWorkload *wl)
{
    if (wl->reconciling) {
        wl->again = true;
        return NULL;
    }
    wl->reconciling = true;
    RsPod *made = NULL;
    do {
        wl->again = false;
        RsPod *m = step(w, wl);
        if (m != NULL)
            made = m;
    } while (wl->again);
    wl->reconciling = false;
    return made;
}

/* R54: starts a rollout to `tmpl`: every current pod becomes old. */
void
rs_world_rollout(RsWorld *w, RsWorkload *wl, RsTemplate *tmpl, const char *why)
{
    rs_time_t now = rs_engine_now(w->eng);
    unsigned R = wl->replicas;
    if (wl->strategy.type == RS_STRATEGY_RECREATE)
        rs_world_log(w, RS_R54, "rollout of %s (%s): recreate: all %u old pods stop, then %u new ones start",
                     wl->full, why, wl->pods->len + wl->old->len, R);
    else {
        unsigned surge = resolve(wl->strategy.max_surge, R, true);
        unsigned unav = resolve(wl->strategy.max_unavailable, R, false);
        if (surge == 0 && unav == 0)
            unav = 1;
        rs_world_log(w, RS_R54, "rollout of %s (%s): rolling, at most %u pods above and %u below %u",
                     wl->full, why, surge, unav, R);
    }
    for (guint i = 0; i < wl->pods->len; i++)
        g_ptr_array_add(wl->old, wl->pods->pdata[i]);
    wl->n_old = wl->old->len;
    wl->n_ready_old += wl->n_ready_new;
    wl->n_ready_new = 0;
    g_ptr_array_set_size(wl->pods, 0);
    wl->tmpl = tmpl;
    wl->rollouts++;
    wl->rolling = true;
    wl->stalled = false;
    wl->rollout_started = wl->last_progress = now;
    wl->rollout_done = RS_TIME_NEVER;
    wl->last_avail_new = 0;
    if (wl->deadline_timer != 0)
        rs_engine_cancel(w->eng, wl->deadline_timer);
    wl->deadline_timer = rs_engine_timer(w->eng, now + PROGRESS_DEADLINE, on_deadline, wl, 0);
    rs_rollout_reconcile(w, wl);
}

/* R54: a new template from `base` with the fields of `set` that `mask` names. */
RsTemplate *
rs_world_template_derive(RsWorld *w, const RsTemplate *base, const RsTemplate *set, unsigned mask)
{
    RsTemplate *t = rs_world_new0(w, RsTemplate, 1);     /* in the arena, as its arrays */
    *t = *base;
    const RsTemplate *ports = set != NULL && (mask & RS_SET_PORTS) ? set : base;
    t->labels = rs_world_memdup(w, base->labels, sizeof *base->labels * (base->n_labels ? base->n_labels : 1));
    t->ports = rs_world_memdup(w, ports->ports, sizeof *ports->ports * (ports->n_ports ? ports->n_ports : 1));
    t->n_ports = ports->n_ports;
    t->privileged_port = ports->privileged_port;
    if (set == NULL)
        return t;
    if (mask & RS_SET_PROTOCOL) t->protocol = set->protocol;
    if (mask & RS_SET_STARTUP) t->startup = set->startup;
    if (mask & RS_SET_SERVICE_TIME) t->service_time = set->service_time;
    if (mask & RS_SET_CONCURRENCY) t->concurrency = set->concurrency;
    if (mask & RS_SET_READINESS) t->readiness = set->readiness;
    if (mask & RS_SET_LIVENESS) t->liveness = set->liveness;
    if (mask & RS_SET_PRE_STOP) t->pre_stop = set->pre_stop;
    if (mask & RS_SET_GRACE) t->termination_grace = set->termination_grace;
    return t;
}

/* apply of a deployment: creates it, or changes its template (a rollout by
 * its strategy, R54) and its replicas. */
void
rs_world_apply_deployment(RsWorld *w, RsNamespace *ns, const char *name, RsTemplate *tmpl,
                          unsigned replicas, const RsStrategySpec *strategy)
{
    RsWorkload *wl = rs_world_workload(w, ns->name, name);
    if (wl == NULL) {
        rs_world_add_deployment(w, ns, name, tmpl, replicas, strategy);
        return;
    }
    wl->strategy = *strategy;
    wl->replicas = replicas;
    if (!rs_template_equal(wl->tmpl, tmpl)) {
        rs_world_rollout(w, wl, tmpl, "apply changed its pod template");
        return;
    }
    rs_world_log(w, RS_RULE_NONE, "%s applied unchanged (replicas %u)", wl->full, replicas);
    rs_rollout_reconcile(w, wl);
}
