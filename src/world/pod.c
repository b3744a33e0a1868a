/* pod.c: pods and deployments: the lifecycle of the truth (R3-R8).
 *
 * THE STATE MACHINE
 * -----------------
 *   (created) --address--> RUNNING --startup (R5)--> READY
 *       |                     |                        |
 *       | no free address     | privileged port (R4)   | delete (R6): GONE at once,
 *       v                     v                        |   replacement at once
 *    PENDING --retry-->    FAILED --back-off-->        | crash (R7): FAILED+crashed,
 *                          (restart, fails again)      |   still an endpoint until
 *                                                      |   failure_detection, then GONE
 * Invariants:
 *   1. A pod holds an address (has_ip) iff it is RUNNING, READY or FAILED.
 *   2. api_ready (the pod is in the endpoints truth) iff it became READY and
 *      was neither deleted nor detected as failed since; a crashed pod keeps
 *      api_ready until detection (R7).
 *   3. At most one lifecycle timer per pod is pending (pod->timer).
 *   4. A deployment keeps `replicas` pods of its current template that are
 *      not GONE; pods of an older template are drained one per new pod that
 *      becomes ready (a rolling update with surge, never below capacity).
 *
 * ADDRESSES
 * ---------
 * A new pod takes the next free address (R3).  When a pod is replaced, the
 * replacement is allocated before the old address is released (the old
 * sandbox is torn down after the new pod is scheduled), so it never gets its
 * predecessor's address even in a full network.  With no free address the
 * pod stays PENDING, the log says why, and it retries with the kubelet's
 * back-off (10 s doubling to 5 min).
 *
 * SCALE DOWN
 * ----------
 * Victims are chosen as a ReplicaSet ranks them, reduced to what the model
 * knows: pods without an address first, then pods not ready, then ready
 * pods (a crashed pod the API has not noticed counts as ready); within a
 * rank the newest first (all our pods tie on the other criteria).
 *
 * Rules: R3, R4, R5, R6, R7, R8.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "world/world-private.h"

#define BACKOFF_FIRST (10 * RS_SEC)
#define BACKOFF_MAX (300 * RS_SEC)

static void pod_start(RsWorld *w, RsPod *pod);

/* The kubelet's back-off before attempt number `n` (0-based): 10 s, 20 s ... 5 min. */
static rs_time_t
backoff(unsigned n)
{
    rs_time_t d = BACKOFF_FIRST;
    for (unsigned i = 0; i < n && d < BACKOFF_MAX; i++)
        d *= 2;
    return MIN(d, BACKOFF_MAX);
}

/* Formats an address for log sentences. */
static const char *
ip_str(uint32_t ip, char *buf)
{
    return rs_ipv4_format(ip, buf);
}

/* Formats a duration for log sentences. */
static const char *
dur_str(rs_time_t t, char *buf)
{
    return rs_duration_format(t, buf);
}

/* Adds a pod to the label index under each of its labels. */
static void
index_labels(RsWorld *w, RsPod *pod)
{
    for (unsigned i = 0; i < pod->tmpl->n_labels; i++) {
        RsLabelEntry *e = rs_label_make(w, pod->ns, &pod->tmpl->labels[i]);
        e->pods = rs_world_array_room(w, e->pods, e->n_pods, &e->cap_pods, sizeof *e->pods);
        e->pods[e->n_pods++] = pod;
    }
    pod->label_indexed = true;
}

/* Creates a pod object named `name` and starts it. */
static RsPod *
pod_new(RsWorld *w, RsNamespace *ns, RsWorkload *owner, RsTemplate *tmpl, const char *name)
{
    RsPod *pod = rs_world_new0(w, RsPod, 1);   /* in the arena: pods live as long as the world */
    pod->serial = w->next_serial++;
    pod->name = rs_world_intern(w, name);
    pod->full = rs_world_intern_full(w, ns->name, name);
    pod->ns = ns;
    pod->owner = owner;
    pod->tmpl = tmpl;
    pod->state = RS_POD_PENDING;
    pod->created = rs_engine_now(w->eng);
    pod->ready_at = pod->stopped_at = RS_TIME_NEVER;
    pod->ready_slot = -1;
    /* R38: the pod's own stream, named after the pod (stable across runs). */
    char stream[600];
    rs_world_join(stream, sizeof stream, "pod", ":", pod->full);
    rs_rng_init(&pod->rng, w->seed, stream);
    g_ptr_array_add(w->pods, pod);
    rs_name_map_put(&w->pod_by_name, pod->full, pod);
    index_labels(w, pod);
    if (owner != NULL)
        g_ptr_array_add(owner->pods, pod);
    pod->started_at = RS_TIME_NEVER;
    pod_start(w, pod);
    return pod;
}

/* Timer: a failing pod restarts and fails again (R4). */
static void
on_restart(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    char b[32];
    pod->timer = 0;
    pod->restarts++;
    rs_time_t next = backoff(pod->restarts);
    rs_world_log(w, RS_R4, "%s restarts and fails again: port %d is privileged; next restart in %s",
                 pod->full, pod->tmpl->privileged_port, dur_str(next, b));
    pod->timer = rs_engine_timer(eng, rs_engine_now(eng) + next, on_restart, pod, 0);
    (void)arg;
}

/* Timer: a pending pod tries again to get an address (R3). */
static void
on_address_retry(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    pod->timer = 0;
    pod->restarts++;
    pod_start(pod->ns->world, pod);
    (void)eng; (void)arg;
}

/* Gives a pod an address and starts its container (R3, R4, R5). */
static void
pod_start(RsWorld *w, RsPod *pod)
{
    char b[32], b2[32];
    uint32_t ip;
    if (!rs_addr_pool_alloc(&w->pod_pool, &ip)) {
        /* R3: exhaustion is an outcome, not an error: the pod waits. */
        rs_time_t next = backoff(pod->restarts);
        rs_world_log(w, RS_R3, "%s stays pending: no free address in %s/%u; retry in %s",
                     pod->full, ip_str(w->pod_pool.net, b), w->pod_pool.prefix, dur_str(next, b2));
        pod->state = RS_POD_PENDING;
        pod->timer = rs_engine_timer(w->eng, rs_engine_now(w->eng) + next, on_address_retry, pod, 0);
        return;
    }
    pod->ip = ip;
    pod->has_ip = pod->ever_ip = true;
    w->dns_epoch++;             /* R16: a headless answer lists its pods' addresses */
    rs_ip_map_put(&w->pod_by_ip, ip, pod);
    if (pod->tmpl->privileged_port >= 0) {
        /* R4: binding a port below 1024 as a non-root user fails (EACCES). */
        pod->state = RS_POD_FAILED;
        pod->restarts = 0;
        rs_world_log(w, RS_R4, "%s gets %s and fails to start: port %d is privileged; restart in %s",
                     pod->full, ip_str(ip, b), pod->tmpl->privileged_port, dur_str(backoff(0), b2));
        pod->timer = rs_engine_timer(w->eng, rs_engine_now(w->eng) + backoff(0), on_restart, pod, 0);
        return;
    }
    if (w->pod_pool.again)
        rs_world_log(w, RS_R3, "%s gets %s, released just before: the pod network %s/%u is too "
                     "small to skip recently used addresses, so it is handed out again at once (C9)",
                     pod->full, ip_str(ip, b), ip_str(w->pod_pool.net, b2), w->pod_pool.prefix);
    /* (the sentences format an address and a duration: only for a log) */
    if (rs_world_logging(w) && pod->tmpl->readiness.set)
        rs_world_log(w, RS_R52, "%s created with address %s; started in %s, ready at its first "
                     "successful readiness probe after that", pod->full, ip_str(ip, b),
                     dur_str(pod->tmpl->startup, b2));
    else if (rs_world_logging(w))
        rs_world_log(w, RS_R3, "%s created with address %s; ready in %s", pod->full, ip_str(ip, b),
                     dur_str(pod->tmpl->startup, b2));
    rs_pod_container_start(w, pod);
}

/* Appends "; replacement X gets IP" (or why there is none) to a sentence. */
static void
describe_replacement(RsWorld *w, RsPod *pod, RsPod *repl, GString *s)
{
    char b[32];
    if (repl != NULL && repl->has_ip)
        g_string_append_printf(s, "; replacement %s gets %s", repl->full, ip_str(repl->ip, b));
    else if (repl != NULL)
        g_string_append_printf(s, "; replacement %s is pending (no free address)", repl->full);
    else if (pod->owner == NULL)
        g_string_append(s, "; a bare pod is not recreated");
    (void)w;
}

/* Whether the pod runs a container that must be stopped gracefully (R55):
 * it holds an address, did not crash (R7) and is not failing to start (R4). */
static bool
runs_container(const RsPod *pod)
{
    return pod->has_ip && !pod->crashed && pod->state != RS_POD_FAILED && !pod->container_down;
}

/* R6, R55: graceful deletion; the deployment replaces the pod at once.  A
 * pod with a running container terminates (preStop, SIGTERM, drain); an
 * idle pod without a preStop hook is gone at once, its address free. */
void
rs_world_delete_pod(RsWorld *w, RsPod *pod)
{
    char b[32], b2[32];
    if (pod->state == RS_POD_GONE) {
        rs_world_log(w, RS_R6, "delete %s: it is already gone", pod->full);
        return;
    }
    if (pod->terminating) {
        rs_world_log(w, RS_R55, "delete %s: it is already terminating", pod->full);
        return;
    }
    bool graceful = runs_container(pod);
    bool at_once = !graceful || (pod->tmpl->pre_stop == 0 && pod->busy == 0 && pod->queued == 0 &&
                                 pod->s_head == NULL);
    if (graceful)
        rs_pod_terminate_begin(w, pod);
    else if (rs_pod_listed(pod)) {
        if (pod->api_ready)
            rs_pod_set_ready(w, pod, false);
        rs_workload_forget(pod->owner, pod);
    }
    RsPod *repl = pod->owner != NULL && !pod->owner->removed ? rs_world_reconcile(w, pod->owner) : NULL;
    g_autoptr(GString) s = g_string_new(NULL);
    if (at_once)
        g_string_append_printf(s, "%s deleted: it leaves the endpoints and stops", pod->full);
    else
        g_string_append_printf(s, "%s deleted: it leaves the endpoints and terminates (preStop %s, then "
                               "SIGTERM; killed at %s, R55)", pod->full, dur_str(pod->tmpl->pre_stop, b),
                               dur_str(pod->tmpl->termination_grace, b2));
    describe_replacement(w, pod, repl, s);
    rs_world_log(w, pod->owner != NULL ? RS_R6 : RS_R8, "%s", s->str);
    if (graceful)
        rs_pod_terminate_run(w, pod);
    else
        rs_pod_exit(w, pod);
}

/* Removes a pod the controller chose (scale-down, rollout step): graceful
 * when its container runs (R55), gone at once otherwise.  The caller logs. */
void
rs_pod_remove(RsWorld *w, RsPod *pod)
{
    if (runs_container(pod)) {
        rs_pod_terminate_begin(w, pod);
        rs_pod_terminate_run(w, pod);
        return;
    }
    if (pod->api_ready)
        rs_pod_set_ready(w, pod, false);
    if (rs_pod_listed(pod))
        rs_workload_forget(pod->owner, pod);
    rs_pod_exit(w, pod);
}

/* Timer: the platform notices a crashed pod (R7): it leaves the endpoints
 * and its deployment replaces it. */
static void
on_failure_detected(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    char b[32];
    pod->timer = 0;
    if (pod->api_ready)
        rs_pod_set_ready(w, pod, false);
    if (rs_pod_listed(pod))
        rs_workload_forget(pod->owner, pod);
    RsPod *repl = pod->owner != NULL && !pod->owner->removed ? rs_world_reconcile(w, pod->owner) : NULL;
    g_autoptr(GString) s = g_string_new(NULL);
    g_string_append_printf(s, "failure of %s detected after %s: it leaves the endpoints", pod->full,
                           dur_str(w->par.failure_detection, b));
    describe_replacement(w, pod, repl, s);
    rs_world_log(w, RS_R7, "%s", s->str);
    rs_pod_exit(w, pod);
    (void)eng; (void)arg;
}

/* R7: the pod stops answering at once; the endpoints keep it until detection. */
void
rs_world_crash_pod(RsWorld *w, RsPod *pod)
{
    char b[32];
    if (pod->state == RS_POD_GONE || pod->crashed) {
        rs_world_log(w, RS_R7, "crash %s: it is %s", pod->full,
                     pod->crashed ? "already crashed" : "already gone");
        return;
    }
    rs_pod_cancel_timer(w, pod);
    rs_pod_cancel_lifecycle(w, pod);
    pod->crashed = true;
    pod->app_up = false;
    if (!pod->terminating)
        pod->state = RS_POD_FAILED;
    pod->stopped_at = rs_engine_now(w->eng);   /* R7: it stops answering now */
    rs_pod_drop_requester(pod);
    if (pod->has_ip && w->pod_stopped != NULL)
        w->pod_stopped(w->pod_stopped_data, pod, RS_STOP_CRASHED);
    rs_world_log(w, RS_R7, "%s crashed: it stops answering%s until its failure is detected in %s",
                 pod->full, pod->api_ready ? " but stays in the endpoints" : "",
                 dur_str(w->par.failure_detection, b));
    pod->timer = rs_engine_timer(w->eng, rs_engine_now(w->eng) + w->par.failure_detection,
                                 on_failure_detected, pod, 0);
}

/* Creates a pod of a deployment's current template: `<name>-<n>`, n
 * continuing the deployment's count (R6, R54). */
RsPod *
rs_workload_new_pod(RsWorld *w, RsWorkload *wl)
{
    char name[300];
    g_snprintf(name, sizeof name, "%s-%u", wl->name, wl->next_index++);
    return pod_new(w, wl->ns, wl, wl->tmpl, name);
}

/* Sets a deployment's replicas (scale event). */
void
rs_world_scale(RsWorld *w, RsWorkload *wl, unsigned replicas)
{
    rs_world_log(w, RS_RULE_NONE, "%s scaled from %u to %u replicas", wl->full, wl->replicas, replicas);
    wl->replicas = replicas;
    rs_world_reconcile(w, wl);
}

/* Creates a deployment and its pods now. */
RsWorkload *
rs_world_add_deployment(RsWorld *w, RsNamespace *ns, const char *name, RsTemplate *tmpl,
                        unsigned replicas, const RsStrategySpec *strategy)
{
    RsWorkload *wl = g_new0(RsWorkload, 1);
    wl->name = rs_world_intern(w, name);
    wl->full = rs_world_intern_full(w, ns->name, name);
    wl->ns = ns;
    wl->tmpl = tmpl;
    wl->replicas = replicas;
    wl->strategy = *strategy;
    wl->pods = g_ptr_array_new();
    wl->old = g_ptr_array_new();
    wl->ready = g_ptr_array_new();
    wl->ready_log = g_array_new(FALSE, FALSE, sizeof(RsReadyMark));
    wl->rollout_started = wl->rollout_done = RS_TIME_NEVER;
    g_ptr_array_add(w->workloads, wl);
    rs_name_map_put(&w->wl_by_name, wl->full, wl);
    rs_world_log(w, RS_RULE_NONE, "deployment %s created with %u replica%s", wl->full, replicas,
                 replicas == 1 ? "" : "s");
    rs_world_reconcile(w, wl);
    return wl;
}

/* Creates a bare pod now (R8: nothing recreates it). */
RsPod *
rs_world_add_bare_pod(RsWorld *w, RsNamespace *ns, const char *name, RsTemplate *tmpl)
{
    return pod_new(w, ns, NULL, tmpl, name);
}

/* remove of a deployment: every pod terminates (R55), none is replaced. */
void
rs_world_remove_deployment(RsWorld *w, RsWorkload *wl)
{
    wl->removed = true;
    rs_name_map_remove(&w->wl_by_name, wl->full);
    if (wl->deadline_timer != 0)
        rs_engine_cancel(w->eng, wl->deadline_timer);
    wl->deadline_timer = 0;
    rs_world_log(w, RS_R6, "deployment %s removed with its %u pods", wl->full, wl->pods->len + wl->old->len);
    GPtrArray *lists[2] = {wl->old, wl->pods};
    for (unsigned k = 0; k < 2; k++) {
        while (lists[k]->len > 0)
            rs_pod_remove(w, lists[k]->pdata[lists[k]->len - 1]);
    }
}

/* The template's port `port`, or NULL. */
const RsPodPort *
rs_pod_port(const RsPod *pod, uint16_t port)
{
    for (unsigned i = 0; i < pod->tmpl->n_ports; i++) {
        if (pod->tmpl->ports[i].port == port)
            return &pod->tmpl->ports[i];
    }
    return NULL;
}

/* The template's port called `name` (R11), or NULL. */
const RsPodPort *
rs_pod_port_named(const RsPod *pod, const char *name)
{
    for (unsigned i = 0; i < pod->tmpl->n_ports; i++) {
        if (pod->tmpl->ports[i].name != NULL && strcmp(pod->tmpl->ports[i].name, name) == 0)
            return &pod->tmpl->ports[i];
    }
    return NULL;
}
