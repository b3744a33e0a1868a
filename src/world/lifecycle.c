/* lifecycle.c: a pod's container, its probes and its termination (R5, R51-R53, R55).
 *
 * THE CONTAINER (R51)
 * -------------------
 *   start --startup--> app up --(no readiness probe)--> READY (R5)
 *     ^                   |
 *     |                   | crash_container, liveness failures (R53), crash_loop
 *     |                   v
 *     +--back-off---- container down (FAILED: CrashLoopBackOff; refused)
 * A crash kills the process: requests in flight are reset (R56) and the pod
 * leaves the endpoints at once (the views lag: R15, R28).  The first restart
 * is immediate; each further crash waits 10 s, 20 s, 40 s ... 5 min, and the
 * count resets once the container has run for 10 min (the kubelet's
 * CrashLoopBackOff).  The pod keeps its name and address throughout.  A
 * crash-looping container (`crash_loop: true`) crashes again `startup` after
 * each start, so it is never ready (docs/model-choices.md).
 *
 * PROBES (R52, R53)
 * -----------------
 * Each declared probe runs at start + initial_delay, then every period.
 * Readiness passes when the app is up, not hung and not failing its health
 * answer (fail_readiness); `success_threshold` passes in a row make the pod
 * ready, `failure_threshold` failures in a row take a ready pod out of the
 * endpoints (state not-ready) while it keeps running and serving whoever
 * still reaches it.  Liveness passes when the app is up and not hung;
 * `failure_threshold` failures restart the container (R51).  A probe's
 * timeout is not modelled: a hung app fails at the probe's time.
 *
 * TERMINATION (R55)
 * -----------------
 *   begin: out of the endpoints truth and its deployment's count at once
 *   (the ReplicaSet replaces it at once), state terminating, probes off;
 *   preStop hook (`pre_stop`): serves normally; then SIGTERM: new
 *   connections are refused, requests in flight (queued and in service)
 *   finish, and the pod exits when idle (its address is free: R9); at
 *   `termination_grace` after the start it is killed: requests still in
 *   flight are reset (R56).  An idle pod without a hook exits at once.
 *
 * Rules: R5, R15, R51, R52, R53, R55, R56.
 */
#include "config.h"

#include <limits.h>

#include "world/world-private.h"

#define BACKOFF_FIRST (10 * RS_SEC)
#define BACKOFF_MAX (300 * RS_SEC)
#define BACKOFF_RESET (600 * RS_SEC)

static void container_crash(RsWorld *w, RsPod *pod, RsRule rule, const char *why);

/* Cancels one timer if set. */
static void
cancel(RsWorld *w, RsTimer *t)
{
    if (*t != 0)
        rs_engine_cancel(w->eng, *t);
    *t = 0;
}

static const char *
dur(rs_time_t t, char *buf)
{
    return rs_duration_format(t, buf);
}

/* Whether the deployment still counts the pod (not terminating, not gone). */
static bool
listed(const RsPod *pod)
{
    return pod->owner != NULL && !pod->terminating && pod->state != RS_POD_GONE;
}

/* Cancels the probes and the termination timers (the pod's own `timer` is pod.c's). */
void
rs_pod_cancel_lifecycle(RsWorld *w, RsPod *pod)
{
    cancel(w, &pod->rprobe);
    cancel(w, &pod->lprobe);
    cancel(w, &pod->stop_timer);
    cancel(w, &pod->kill_timer);
}

/* Puts a pod in or out of the endpoints truth (R5, R52, R55); its services
 * schedule new views (R15), the router learns at its next reload (R28), and
 * its deployment's rollout may take its next step (R54). */
void
rs_pod_set_ready(RsWorld *w, RsPod *pod, bool ready)
{
    if (pod->api_ready == ready)
        return;
    pod->api_ready = ready;
    RsWorkload *wl = pod->owner;
    bool counted = listed(pod);
    bool is_new = wl != NULL && pod->tmpl == wl->tmpl;
    if (ready) {
        pod->state = RS_POD_READY;
        pod->ready_at = rs_engine_now(w->eng);      /* R5; read by spread expectations */
        if (wl != NULL && !pod->crashed && pod->ready_slot < 0) {
            pod->ready_slot = (int)wl->ready->len;
            g_ptr_array_add(wl->ready, pod);
        }
        if (counted)
            (*(is_new ? &wl->n_ready_new : &wl->n_ready_old))++;
    } else {
        rs_pod_drop_requester(pod);
        if (counted)
            (*(is_new ? &wl->n_ready_new : &wl->n_ready_old))--;
    }
    if (counted)
        rs_workload_ready_changed(w, wl);
    rs_world_notify_pod(w, pod);    /* R15: its services re-read */
    if (counted && !wl->removed)
        rs_world_reconcile(w, wl);    /* R54: the next step waits for ready pods */
}

/* Event: a wake-up for the rollout after min_ready (R54). */
static void
on_min_ready(RsEngine *eng, void *obj, uint64_t arg)
{
    RsWorkload *wl = obj;
    if (!wl->removed)
        rs_world_reconcile(wl->ns->world, wl);
    (void)eng; (void)arg;
}

/* The pod passed into the endpoints: R5 (no probe) or R52 (probe). */
static void
become_ready(RsWorld *w, RsPod *pod, RsRule rule)
{
    if (rule == RS_R5)
        rs_world_log(w, RS_R5, "%s is ready", pod->full);
    else
        rs_world_log(w, RS_R52, "%s passes its readiness probe: ready, it joins the endpoints", pod->full);
    rs_pod_set_ready(w, pod, true);
    RsWorkload *wl = pod->owner;
    if (wl != NULL && wl->strategy.min_ready > 0 && wl->rolling)
        rs_engine_schedule(w->eng, rs_engine_now(w->eng) + wl->strategy.min_ready, on_min_ready, wl, 0);
}

/* Timer: the app has started (R5, R51). */
static void
on_started(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    pod->timer = 0;
    if (pod->crash_loop) {
        container_crash(w, pod, RS_R51, "crashes again as it starts (crash loop)");
        return;
    }
    pod->app_up = true;
    if (!pod->tmpl->readiness.set)
        become_ready(w, pod, RS_R5);
    (void)eng; (void)arg;
}

/* Timer: one readiness probe (R52). */
static void
on_rprobe(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    const RsProbeSpec *p = &pod->tmpl->readiness;
    pod->rprobe = 0;
    bool ok = pod->app_up && !pod->hung && !pod->unhealthy && !pod->container_down;
    if (ok) {
        pod->r_fail = 0;
        pod->r_ok++;
        if (!pod->api_ready && pod->r_ok >= p->success_threshold)
            become_ready(w, pod, RS_R52);
    } else {
        pod->r_ok = 0;
        pod->r_fail++;
        if (pod->api_ready && pod->r_fail >= p->failure_threshold) {
            rs_world_log(w, RS_R52, "%s fails its readiness probe %u times in a row: not ready, it leaves "
                         "the endpoints but keeps running", pod->full, pod->r_fail);
            rs_pod_set_ready(w, pod, false);
            pod->state = RS_POD_NOT_READY;
        }
    }
    pod->rprobe = rs_engine_timer(eng, rs_engine_now(eng) + p->period, on_rprobe, pod, 0);
    (void)arg;
}

/* Timer: one liveness probe (R53). */
static void
on_lprobe(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    const RsProbeSpec *p = &pod->tmpl->liveness;
    pod->lprobe = 0;
    bool ok = pod->app_up && !pod->hung;
    pod->l_fail = ok ? 0 : pod->l_fail + 1;
    if (pod->l_fail >= p->failure_threshold) {
        char why[160];
        g_snprintf(why, sizeof why, "fails its liveness probe %u times in a row: the kubelet restarts "
                   "its container", pod->l_fail);
        container_crash(w, pod, RS_R53, why);
        return;                 /* the restart schedules new probes */
    }
    pod->lprobe = rs_engine_timer(eng, rs_engine_now(eng) + p->period, on_lprobe, pod, 0);
    (void)arg;
}

/* The pod has its address: its container starts (R5, R51); probes begin
 * initial_delay after the start (R52, R53). */
void
rs_pod_container_start(RsWorld *w, RsPod *pod)
{
    rs_time_t now = rs_engine_now(w->eng);
    pod->container_down = pod->hung = pod->app_up = false;
    pod->state = RS_POD_RUNNING;
    pod->started_at = now;
    pod->r_ok = pod->r_fail = pod->l_fail = 0;
    pod->timer = rs_engine_timer(w->eng, now + pod->tmpl->startup, on_started, pod, 0);
    if (pod->tmpl->readiness.set)
        pod->rprobe = rs_engine_timer(w->eng, now + pod->tmpl->readiness.initial_delay, on_rprobe, pod, 0);
    if (pod->tmpl->liveness.set)
        pod->lprobe = rs_engine_timer(w->eng, now + pod->tmpl->liveness.initial_delay, on_lprobe, pod, 0);
}

/* Timer: the back-off is over: the container starts again (R51). */
static void
on_backoff_over(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    pod->timer = 0;
    rs_world_log(w, RS_R51, "%s: its container starts again (restart %u); ready in %s", pod->full,
                 pod->container_restarts, dur(pod->tmpl->startup, (char[32]){0}));
    rs_pod_container_start(w, pod);
    (void)eng; (void)arg;
}

/* The kubelet's back-off after crash number `n` since the last reset (0:
 * restart at once; then 10 s, 20 s ... 5 min, R51). */
static rs_time_t
crash_backoff(unsigned n)
{
    if (n == 0)
        return 0;
    rs_time_t d = BACKOFF_FIRST;
    for (unsigned i = 1; i < n && d < BACKOFF_MAX; i++)
        d *= 2;
    return MIN(d, BACKOFF_MAX);
}

/* Kills the container: requests in flight are reset (R56), the pod leaves
 * the endpoints at once, and the container restarts after its back-off (R51). */
static void
container_crash(RsWorld *w, RsPod *pod, RsRule rule, const char *why)
{
    char b[32];
    rs_time_t now = rs_engine_now(w->eng);
    if (pod->timer != 0)
        rs_engine_cancel(w->eng, pod->timer);
    pod->timer = 0;
    cancel(w, &pod->rprobe);
    cancel(w, &pod->lprobe);
    pod->app_up = pod->hung = false;
    if (w->pod_stopped != NULL && (pod->busy > 0 || pod->queued > 0 || pod->s_head != NULL))
        w->pod_stopped(w->pod_stopped_data, pod, RS_STOP_KILLED);
    if (pod->started_at != RS_TIME_NEVER && now - pod->started_at >= BACKOFF_RESET)
        pod->crashes = 0;       /* R51: it ran 10 min: the back-off starts over */
    rs_time_t delay = crash_backoff(pod->crashes);
    pod->crashes++;
    pod->container_restarts++;
    if (delay == 0) {
        rs_world_log(w, rule, "%s %s: it leaves the endpoints and restarts at once in the same pod "
                     "(same name and address; refused until it has started, R51)", pod->full, why);
        if (pod->api_ready)
            rs_pod_set_ready(w, pod, false);
        rs_pod_container_start(w, pod);
        return;
    }
    rs_world_log(w, rule, "%s %s: it leaves the endpoints; CrashLoopBackOff: restart in %s",
                 pod->full, why, dur(delay, b));
    pod->container_down = true;
    if (pod->api_ready)
        rs_pod_set_ready(w, pod, false);
    pod->state = RS_POD_FAILED;
    pod->timer = rs_engine_timer(w->eng, now + delay, on_backoff_over, pod, 0);
}

/* R51: the event crash_container. */
void
rs_world_crash_container(RsWorld *w, RsPod *pod, bool crash_loop)
{
    if (crash_loop)
        pod->crash_loop = true;
    if (pod->state == RS_POD_GONE || pod->crashed || !pod->has_ip) {
        rs_world_log(w, RS_R51, "crash_container %s: it runs no container (%s)", pod->full,
                     pod->crashed ? "its node failed, R7" : rs_pod_state_word(pod->state));
        return;
    }
    if (pod->terminating) {
        /* A terminating pod is not restarted: the crash ends it (R55). */
        rs_world_log(w, RS_R51, "%s: its container crashes while terminating: it is gone", pod->full);
        rs_pod_exit(w, pod);
        return;
    }
    if (pod->container_down || pod->state == RS_POD_FAILED) {
        rs_world_log(w, RS_R51, "crash_container %s: its container is not running now%s", pod->full,
                     crash_loop ? "; it will crash on every start" : "");
        return;
    }
    container_crash(w, pod, RS_R51, crash_loop ? "crashes (and will crash on every start)" : "crashes");
}

/* R52: fail_readiness / pass_readiness. */
void
rs_world_set_unhealthy(RsWorld *w, RsPod *pod, bool unhealthy)
{
    pod->unhealthy = unhealthy;
    if (pod->tmpl->readiness.set)
        rs_world_log(w, RS_R52, "%s: its app's health answer %s; the readiness probe notices within %u "
                     "probes", pod->full, unhealthy ? "fails" : "passes again",
                     unhealthy ? pod->tmpl->readiness.failure_threshold : pod->tmpl->readiness.success_threshold);
    else
        rs_world_log(w, RS_R52, "%s: its app's health answer %s, but it has no readiness probe: nothing "
                     "asks, it stays in the endpoints", pod->full, unhealthy ? "fails" : "passes");
}

/* R53: the app stops answering (a liveness probe, if any, restarts it). */
void
rs_world_hang(RsWorld *w, RsPod *pod)
{
    if (!rs_pod_alive(pod) || !pod->app_up) {
        rs_world_log(w, RS_R53, "hang %s: its app is not running", pod->full);
        return;
    }
    pod->hung = true;
    if (pod->tmpl->liveness.set)
        rs_world_log(w, RS_R53, "%s hangs: it accepts connections but never answers, until its liveness "
                     "probe restarts it", pod->full);
    else
        rs_world_log(w, RS_R53, "%s hangs: it accepts connections but never answers (no liveness probe: "
                     "forever)", pod->full);
}

/* Whether nothing is in flight at the pod. */
static bool
idle(const RsPod *pod)
{
    return pod->busy == 0 && pod->queued == 0 && pod->s_head == NULL;
}

/* R55: out of the endpoints and the deployment's count at once. */
void
rs_pod_terminate_begin(RsWorld *w, RsPod *pod)
{
    cancel(w, &pod->timer);     /* a starting app does not come up any more */
    cancel(w, &pod->rprobe);
    cancel(w, &pod->lprobe);
    if (listed(pod))
        rs_workload_forget(pod->owner, pod);
    pod->terminating = true;
    if (pod->owner != NULL)
        pod->owner->n_terminating++;
    pod->stopped_at = rs_engine_now(w->eng);
    rs_pod_drop_requester(pod);
    if (pod->api_ready)
        rs_pod_set_ready(w, pod, false);
    pod->state = RS_POD_TERMINATING;
}

/* SIGTERM: stop accepting; exit when idle (R55). */
static void
sigterm(RsWorld *w, RsPod *pod)
{
    pod->sigterm = true;
    if (idle(pod)) {
        rs_pod_exit(w, pod);
        return;
    }
    rs_world_log(w, RS_R55, "%s gets SIGTERM: it refuses new connections and finishes %u requests in "
                 "flight", pod->full, pod->busy + pod->queued);
}

/* Timer: the preStop hook is over (R55). */
static void
on_prestop_over(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    pod->stop_timer = 0;
    rs_world_log(w, RS_R55, "%s: its preStop hook ends: SIGTERM", pod->full);
    sigterm(w, pod);
    (void)eng; (void)arg;
}

/* Timer: termination_grace has passed: the kill (R55, R56). */
static void
on_kill(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    pod->kill_timer = 0;
    rs_world_log(w, RS_R55, "%s is killed at its termination grace: %u requests in flight are reset (R56)",
                 pod->full, pod->busy + pod->queued);
    if (w->pod_stopped != NULL && !idle(pod))
        w->pod_stopped(w->pod_stopped_data, pod, RS_STOP_KILLED);
    rs_pod_exit(w, pod);
    (void)eng; (void)arg;
}

/* R55: preStop, SIGTERM, drain, kill. */
void
rs_pod_terminate_run(RsWorld *w, RsPod *pod)
{
    rs_time_t now = rs_engine_now(w->eng);
    const RsTemplate *t = pod->tmpl;
    if (pod->state == RS_POD_GONE)
        return;
    if (t->pre_stop == 0 && idle(pod)) {
        sigterm(w, pod);        /* exits at once: the address is free now (R9) */
        return;
    }
    pod->kill_timer = rs_engine_timer(w->eng, now + t->termination_grace, on_kill, pod, 0);
    if (t->pre_stop == 0)
        sigterm(w, pod);
    else if (t->pre_stop < t->termination_grace)
        pod->stop_timer = rs_engine_timer(w->eng, now + t->pre_stop, on_prestop_over, pod, 0);
}

/* R55: a request at the pod finished: a pod past SIGTERM exits when idle. */
void
rs_pod_request_done(RsWorld *w, RsPod *pod)
{
    if (pod->sigterm && pod->state != RS_POD_GONE && idle(pod)) {
        rs_world_log(w, RS_R55, "%s has finished its requests in flight and exits", pod->full);
        rs_pod_exit(w, pod);
    }
}

/* ---- the pod's bookkeeping in its deployment, and its exit (R3, R6) ----
 * (below pod.c: the lifecycle ends a pod; pod.c creates, deletes and
 * crashes pods through the functions above) */

/* Removes a pod from the label index (it is gone): the last pod of each
 * list takes its place (the lists' order does not matter: their readers
 * sort by creation). */
static void
unindex_labels(RsPod *pod)
{
    if (!pod->label_indexed)
        return;
    const RsWorld *w = pod->ns->world;
    for (unsigned i = 0; i < pod->tmpl->n_labels; i++) {
        RsLabelEntry *e = rs_label_find(w, pod->ns, &pod->tmpl->labels[i]);
        for (unsigned k = 0; e != NULL && k < e->n_pods; k++) {
            if (e->pods[k] == pod) {
                e->pods[k] = e->pods[--e->n_pods];
                break;
            }
        }
    }
    pod->label_indexed = false;
}

/* Takes a pod out of its deployment's list of ready requesters. */
void
rs_pod_drop_requester(RsPod *pod)
{
    if (pod->owner == NULL || pod->ready_slot < 0)
        return;
    GPtrArray *r = pod->owner->ready;
    unsigned i = (unsigned)pod->ready_slot;
    g_assert(i < r->len && r->pdata[i] == pod);
    RsPod *last = r->pdata[r->len - 1];
    r->pdata[i] = last;
    last->ready_slot = (int)i;
    g_ptr_array_set_size(r, (gint)(r->len - 1));
    pod->ready_slot = -1;
}

/* Removes `pod` from `list`, searching from the end (victims are usually the newest). */
static bool
list_remove(GPtrArray *list, RsPod *pod)
{
    for (guint i = list->len; i-- > 0;) {
        if (list->pdata[i] == pod) {
            g_ptr_array_remove_index(list, i);
            return true;
        }
    }
    return false;
}

/* Notes a change of a deployment's ready pods (one mark per instant). */
void
rs_workload_ready_changed(RsWorld *w, RsWorkload *wl)
{
    RsReadyMark m = {rs_engine_now(w->eng), wl->n_ready_new + wl->n_ready_old};
    GArray *log = wl->ready_log;
    if (log->len > 0 && g_array_index(log, RsReadyMark, log->len - 1).at == m.at)
        g_array_index(log, RsReadyMark, log->len - 1).n = m.n;
    else
        g_array_append_val(log, m);
}

/* The fewest ready pods in [start, end] (0 before the deployment existed). */
unsigned
rs_workload_ready_min(const RsWorkload *wl, rs_time_t start, rs_time_t end, rs_time_t *when)
{
    const GArray *log = wl->ready_log;
    unsigned cur = 0, best = UINT_MAX;
    *when = start;
    for (guint i = 0; i < log->len; i++) {
        const RsReadyMark *m = &g_array_index(log, RsReadyMark, i);
        if (m->at > end)
            break;
        if (m->at > start && cur < best) {
            best = cur;
            *when = i > 0 ? MAX(start, g_array_index(log, RsReadyMark, i - 1).at) : start;
        }
        cur = m->n;
    }
    if (cur < best) {
        best = cur;
        *when = start;
        for (guint i = log->len; i-- > 0;) {
            const RsReadyMark *m = &g_array_index(log, RsReadyMark, i);
            if (m->at <= end) {
                *when = MAX(start, m->at);
                break;
            }
        }
    }
    return best;
}

/* Takes a pod out of its deployment's lists: it is terminating or gone. */
void
rs_workload_forget(RsWorkload *wl, RsPod *pod)
{
    if (wl == NULL)
        return;
    if (list_remove(wl->pods, pod)) {
        if (pod->api_ready)
            wl->n_ready_new--;
    } else if (list_remove(wl->old, pod)) {
        wl->n_old--;
        if (pod->api_ready)
            wl->n_ready_old--;
    } else {
        return;
    }
    if (pod->api_ready)
        rs_workload_ready_changed(pod->ns->world, wl);
}

/* The pod is GONE: out of the endpoints, its deployment and the label
 * index; its address returns to the pool (R3).  Requests still at it are
 * reset (a kill; callers drain or kill first, this is the safety net). */
void
rs_pod_exit(RsWorld *w, RsPod *pod)
{
    if (pod->state == RS_POD_GONE)
        return;
    rs_pod_cancel_timer(w, pod);
    rs_pod_cancel_lifecycle(w, pod);
    if ((pod->busy > 0 || pod->queued > 0 || pod->s_head != NULL) && w->pod_stopped != NULL)
        w->pod_stopped(w->pod_stopped_data, pod, pod->crashed ? RS_STOP_CRASHED : RS_STOP_KILLED);
    if (pod->api_ready)
        rs_pod_set_ready(w, pod, false);
    rs_pod_drop_requester(pod);
    if (rs_pod_listed(pod))
        rs_workload_forget(pod->owner, pod);
    if (pod->terminating && pod->owner != NULL)
        pod->owner->n_terminating--;
    pod->state = RS_POD_GONE;
    pod->app_up = false;
    if (pod->stopped_at == RS_TIME_NEVER)  /* R6: deleted, or R7: a crash already set it */
        pod->stopped_at = rs_engine_now(w->eng);
    unindex_labels(pod);
    if (pod->has_ip) {
        if (rs_ip_map_get(&w->pod_by_ip, pod->ip) == pod)
            rs_ip_map_remove(&w->pod_by_ip, pod->ip);
        rs_addr_pool_release(&w->pod_pool, pod->ip);
        pod->has_ip = false;
    }
    if (pod->owner != NULL && !pod->owner->removed)
        rs_world_reconcile(w, pod->owner);    /* R54: recreate waits for old pods to exit */
}

/* Whether the pod answers packets: it holds its address and has not crashed. */
bool
rs_pod_alive(const RsPod *pod)
{
    return pod->has_ip && !pod->crashed && pod->state != RS_POD_GONE;
}

/* Whether the pod's app accepts a new connection now (R4, R5, R51, R55). */
bool
rs_pod_accepts(const RsPod *pod)
{
    return rs_pod_alive(pod) && pod->app_up && !pod->container_down && !pod->sigterm &&
           pod->state != RS_POD_FAILED;
}
