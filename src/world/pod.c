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

#include <stdio.h>
#include <string.h>

#include "rahtisim/world.h"

#define BACKOFF_FIRST (10 * RS_SEC)
#define BACKOFF_MAX (300 * RS_SEC)

static void pod_start(RsWorld *w, RsPod *pod);
static RsPod *reconcile(RsWorld *w, RsWorkload *wl);

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

/* Cancels a pod's pending lifecycle timer, if any. */
static void
pod_cancel_timer(RsWorld *w, RsPod *pod)
{
    if (pod->timer != 0)
        rs_engine_cancel(w->eng, pod->timer);
    pod->timer = 0;
}

/* Adds a pod to its namespace's label index. */
static void
index_labels(RsWorld *w, RsPod *pod)
{
    pod->label_lists = g_ptr_array_new();
    for (unsigned i = 0; i < pod->tmpl->n_labels; i++) {
        char key[512];
        g_snprintf(key, sizeof key, "%s=%s", pod->tmpl->labels[i].key, pod->tmpl->labels[i].value);
        GPtrArray *list = g_hash_table_lookup(pod->ns->label_index, key);
        if (list == NULL) {
            list = g_ptr_array_new();
            g_hash_table_insert(pod->ns->label_index, g_strdup(key), list);
        }
        g_ptr_array_add(list, pod);
        g_ptr_array_add(pod->label_lists, list);
    }
    (void)w;
}

/* Removes a pod from the label index (it is gone). */
static void
unindex_labels(RsPod *pod)
{
    for (unsigned i = 0; i < pod->label_lists->len; i++)
        g_ptr_array_remove_fast(pod->label_lists->pdata[i], pod);
    g_ptr_array_set_size(pod->label_lists, 0);
}

/* Creates a pod object named `name` and starts it. */
static RsPod *
pod_new(RsWorld *w, RsNamespace *ns, RsWorkload *owner, RsTemplate *tmpl, const char *name)
{
    RsPod *pod = g_new0(RsPod, 1);
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
    g_snprintf(stream, sizeof stream, "pod:%s", pod->full);
    rs_rng_init(&pod->rng, w->seed, stream);
    g_ptr_array_add(w->pods, pod);
    g_hash_table_insert(w->pod_by_name, (gpointer)pod->full, pod);
    index_labels(w, pod);
    if (owner != NULL)
        g_ptr_array_add(owner->pods, pod);
    pod_start(w, pod);
    return pod;
}

/* Timer: a pod's startup time has passed: it becomes ready (R5). */
static void
on_ready(RsEngine *eng, void *obj, uint64_t arg)
{
    RsPod *pod = obj;
    RsWorld *w = pod->ns->world;
    pod->timer = 0;
    pod->state = RS_POD_READY;
    pod->api_ready = true;
    pod->ready_at = rs_engine_now(eng);     /* R5; read by spread expectations */
    if (pod->owner != NULL) {
        pod->ready_slot = (int)pod->owner->ready->len;
        g_ptr_array_add(pod->owner->ready, pod);
    }
    rs_world_log(w, RS_R5, "%s is ready", pod->full);
    rs_world_pod_endpoints_changed(w, pod);
    /* Invariant 4: a new pod of the current template is ready: drain one old pod. */
    RsWorkload *wl = pod->owner;
    if (wl != NULL && pod->tmpl == wl->tmpl && wl->n_old > 0) {
        RsPod *old = NULL;
        for (unsigned i = 0; i < wl->pods->len; i++) {
            RsPod *p = wl->pods->pdata[i];
            if (p->tmpl != wl->tmpl && (old == NULL || p->serial < old->serial))
                old = p;
        }
        if (old != NULL) {
            rs_world_log(w, RS_R6, "rollout of %s: %s is ready, so the old %s is deleted",
                         wl->full, pod->full, old->full);
            rs_world_delete_pod(w, old);
        }
    }
    (void)eng; (void)arg;
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
    g_hash_table_insert(w->pod_by_ip, GUINT_TO_POINTER(ip), pod);
    if (pod->tmpl->privileged_port >= 0) {
        /* R4: binding a port below 1024 as a non-root user fails (EACCES). */
        pod->state = RS_POD_FAILED;
        pod->restarts = 0;
        rs_world_log(w, RS_R4, "%s gets %s and fails to start: port %d is privileged; restart in %s",
                     pod->full, ip_str(ip, b), pod->tmpl->privileged_port, dur_str(backoff(0), b2));
        pod->timer = rs_engine_timer(w->eng, rs_engine_now(w->eng) + backoff(0), on_restart, pod, 0);
        return;
    }
    pod->state = RS_POD_RUNNING;
    rs_world_log(w, RS_R3, "%s created with address %s; ready in %s", pod->full, ip_str(ip, b),
                 dur_str(pod->tmpl->startup, b2));
    pod->timer = rs_engine_timer(w->eng, rs_engine_now(w->eng) + pod->tmpl->startup, on_ready, pod, 0);
}

/* Takes a pod out of its deployment's list of ready requesters. */
static void
drop_ready_slot(RsPod *pod)
{
    if (pod->owner == NULL || pod->ready_slot < 0)
        return;
    GPtrArray *r = pod->owner->ready;
    unsigned i = (unsigned)pod->ready_slot;
    g_assert(i < r->len && r->pdata[i] == pod);
    RsPod *last = r->pdata[r->len - 1];
    r->pdata[i] = last;
    last->ready_slot = (int)i;
    g_ptr_array_set_size(r, r->len - 1);
    pod->ready_slot = -1;
}

/* Makes a pod GONE: out of the endpoints truth and its deployment; returns
 * whether it held an address (which the caller releases after any
 * replacement has been allocated). */
static bool
pod_remove(RsWorld *w, RsPod *pod)
{
    pod_cancel_timer(w, pod);
    bool was_endpoint = pod->api_ready;
    bool held = pod->has_ip;
    if (!pod->crashed && held && w->pod_stopped != NULL)
        w->pod_stopped(w->pod_stopped_data, pod, false);
    pod->state = RS_POD_GONE;
    pod->api_ready = false;
    if (pod->stopped_at == RS_TIME_NEVER)  /* R6: deleted, or R7: a crash already set it */
        pod->stopped_at = rs_engine_now(w->eng);
    drop_ready_slot(pod);
    unindex_labels(pod);
    if (pod->owner != NULL) {
        g_ptr_array_remove(pod->owner->pods, pod);
        if (pod->tmpl != pod->owner->tmpl)
            pod->owner->n_old--;
    }
    if (was_endpoint)
        rs_world_pod_endpoints_changed(w, pod);
    return held;
}

/* Releases a removed pod's address (R3: it returns to the pool, behind the cursor). */
static void
pod_release_ip(RsWorld *w, RsPod *pod)
{
    if (!pod->has_ip)
        return;
    if (g_hash_table_lookup(w->pod_by_ip, GUINT_TO_POINTER(pod->ip)) == pod)
        g_hash_table_remove(w->pod_by_ip, GUINT_TO_POINTER(pod->ip));
    rs_addr_pool_release(&w->pod_pool, pod->ip);
    pod->has_ip = false;
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

/* R6: graceful deletion; the deployment replaces the pod at once. */
void
rs_world_delete_pod(RsWorld *w, RsPod *pod)
{
    if (pod->state == RS_POD_GONE) {
        rs_world_log(w, RS_R6, "delete %s: it is already gone", pod->full);
        return;
    }
    bool held = pod_remove(w, pod);
    RsPod *repl = pod->owner != NULL && !pod->owner->removed ? reconcile(w, pod->owner) : NULL;
    if (held)
        pod_release_ip(w, pod);
    g_autoptr(GString) s = g_string_new(NULL);
    g_string_append_printf(s, "%s deleted: it leaves the endpoints and stops", pod->full);
    describe_replacement(w, pod, repl, s);
    rs_world_log(w, pod->owner != NULL ? RS_R6 : RS_R8, "%s", s->str);
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
    bool held = pod_remove(w, pod);
    RsPod *repl = pod->owner != NULL && !pod->owner->removed ? reconcile(w, pod->owner) : NULL;
    if (held)
        pod_release_ip(w, pod);
    g_autoptr(GString) s = g_string_new(NULL);
    g_string_append_printf(s, "failure of %s detected after %s: it leaves the endpoints", pod->full,
                           dur_str(w->failure_detection, b));
    describe_replacement(w, pod, repl, s);
    rs_world_log(w, RS_R7, "%s", s->str);
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
    pod_cancel_timer(w, pod);
    pod->crashed = true;
    pod->state = RS_POD_FAILED;
    pod->stopped_at = rs_engine_now(w->eng);   /* R7: it stops answering now */
    drop_ready_slot(pod);
    if (pod->has_ip && w->pod_stopped != NULL)
        w->pod_stopped(w->pod_stopped_data, pod, true);
    rs_world_log(w, RS_R7, "%s crashed: it stops answering%s until its failure is detected in %s",
                 pod->full, pod->api_ready ? " but stays in the endpoints" : "",
                 dur_str(w->failure_detection, b));
    pod->timer = rs_engine_timer(w->eng, rs_engine_now(w->eng) + w->failure_detection,
                                 on_failure_detected, pod, 0);
}

/* Scale-down rank (lower goes first): no address, not ready, ready. */
static int
victim_rank(const RsPod *p)
{
    if (!p->has_ip && !p->crashed)
        return 0;
    return p->api_ready ? 2 : 1;
}

/* Among `wl`'s pods of template `t` (or any other template if !same), the
 * one a ReplicaSet would delete first: lowest rank, then newest. */
static RsPod *
pick_victim(RsWorkload *wl, const RsTemplate *t, bool same)
{
    RsPod *best = NULL;
    for (unsigned i = 0; i < wl->pods->len; i++) {
        RsPod *p = wl->pods->pdata[i];
        if ((p->tmpl == t) != same)
            continue;
        if (best == NULL || victim_rank(p) < victim_rank(best) ||
            (victim_rank(p) == victim_rank(best) && p->serial > best->serial))
            best = p;
    }
    return best;
}

/* Removes a pod because its deployment has too many (no replacement). */
static void
scale_away(RsWorld *w, RsPod *pod, const char *why)
{
    bool held = pod_remove(w, pod);
    if (held)
        pod_release_ip(w, pod);
    rs_world_log(w, RS_R6, "%s deleted (%s): it leaves the endpoints and stops", pod->full, why);
}

/* Brings a deployment to `replicas` pods of its current template; returns
 * the last pod it created, or NULL. */
static RsPod *
reconcile(RsWorld *w, RsWorkload *wl)
{
    unsigned current = 0;
    for (unsigned i = 0; i < wl->pods->len; i++)
        current += ((RsPod *)wl->pods->pdata[i])->tmpl == wl->tmpl;
    RsPod *made = NULL;
    while (current < wl->replicas) {
        char name[300];
        g_snprintf(name, sizeof name, "%s-%u", wl->name, wl->next_index++);
        made = pod_new(w, wl->ns, wl, wl->tmpl, name);
        current++;
    }
    while (current > wl->replicas) {
        scale_away(w, pick_victim(wl, wl->tmpl, true), "scale down, newest first");
        current--;
    }
    if (wl->replicas == 0) {
        RsPod *old;
        while ((old = pick_victim(wl, wl->tmpl, false)) != NULL)
            scale_away(w, old, "rollout to zero replicas");
    }
    return made;
}

/* Sets a deployment's replicas (scale event). */
void
rs_world_scale(RsWorld *w, RsWorkload *wl, unsigned replicas)
{
    rs_world_log(w, RS_RULE_NONE, "%s scaled from %u to %u replicas", wl->full, wl->replicas, replicas);
    wl->replicas = replicas;
    reconcile(w, wl);
}

/* Creates a deployment and its pods now. */
RsWorkload *
rs_world_add_deployment(RsWorld *w, RsNamespace *ns, const char *name, RsTemplate *tmpl,
                        unsigned replicas)
{
    RsWorkload *wl = g_new0(RsWorkload, 1);
    wl->name = rs_world_intern(w, name);
    wl->full = rs_world_intern_full(w, ns->name, name);
    wl->ns = ns;
    wl->tmpl = tmpl;
    wl->replicas = replicas;
    wl->pods = g_ptr_array_new();
    wl->ready = g_ptr_array_new();
    g_ptr_array_add(w->workloads, wl);
    g_hash_table_insert(w->wl_by_name, (gpointer)wl->full, wl);
    rs_world_log(w, RS_RULE_NONE, "deployment %s created with %u replica%s", wl->full, replicas,
                 replicas == 1 ? "" : "s");
    reconcile(w, wl);
    return wl;
}

/* Creates a bare pod now (R8: nothing recreates it). */
RsPod *
rs_world_add_bare_pod(RsWorld *w, RsNamespace *ns, const char *name, RsTemplate *tmpl)
{
    return pod_new(w, ns, NULL, tmpl, name);
}

/* apply of a deployment: creates it, or changes its template (a rolling
 * update, invariant 4) and its replicas. */
void
rs_world_apply_deployment(RsWorld *w, RsNamespace *ns, const char *name, RsTemplate *tmpl,
                          unsigned replicas)
{
    RsWorkload *wl = rs_world_workload(w, ns->name, name);
    if (wl == NULL) {
        rs_world_add_deployment(w, ns, name, tmpl, replicas);
        return;
    }
    if (!rs_template_equal(wl->tmpl, tmpl)) {
        rs_world_log(w, RS_R6, "%s updated: new pods are created; each old pod is deleted when a new one is ready",
                     wl->full);
        wl->tmpl = tmpl;
        wl->n_old = 0;
        for (unsigned i = 0; i < wl->pods->len; i++)
            wl->n_old += ((RsPod *)wl->pods->pdata[i])->tmpl != tmpl;
    } else {
        rs_world_log(w, RS_RULE_NONE, "%s applied unchanged (replicas %u)", wl->full, replicas);
    }
    wl->replicas = replicas;
    reconcile(w, wl);
}

/* remove of a deployment: every pod is deleted, none replaced. */
void
rs_world_remove_deployment(RsWorld *w, RsWorkload *wl)
{
    wl->removed = true;
    g_hash_table_remove(w->wl_by_name, wl->full);
    rs_world_log(w, RS_R6, "deployment %s removed with its %u pods", wl->full, wl->pods->len);
    while (wl->pods->len > 0) {
        RsPod *p = wl->pods->pdata[wl->pods->len - 1];
        bool held = pod_remove(w, p);
        if (held)
            pod_release_ip(w, p);
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

/* Whether the pod answers packets: it holds its address and has not crashed. */
bool
rs_pod_alive(const RsPod *pod)
{
    return pod->has_ip && !pod->crashed && pod->state != RS_POD_GONE;
}

/* A pod's endpoint eligibility changed: every service of its namespace that
 * selects it re-reads its endpoints (R15 schedules the data plane's view),
 * in the services' creation order.  The services come from the namespace's
 * selector index (rs_services_selecting), not from a scan of all of them:
 * a pod event costs O(its services), so building a world is linear in its
 * pods and services (docs/performance.md). */
void
rs_world_pod_endpoints_changed(RsWorld *w, RsPod *pod)
{
    GPtrArray *svcs = w->scratch_svcs;
    guint first = svcs->len;    /* re-entrant: a nested call appends after ours */
    rs_services_selecting(pod, svcs);
    for (guint i = first; i < svcs->len; i++)
        rs_service_pod_changed(w, svcs->pdata[i], pod);
    g_ptr_array_set_size(svcs, first);
}
