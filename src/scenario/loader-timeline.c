/* loader-timeline.c: events that name a pod which cannot exist at their
 * time, found from the file alone (scenario-format.md "Additions": input
 * errors, exit 2, "when that can be known from the file").
 *
 * What the file decides: a deployment of n replicas starts with pods
 * <d>-0 ... <d>-(n-1), and each `delete` of one of its pods makes the
 * replacement <d>-<next> (R6); a deleted bare pod is gone for good (R8).
 * So, walking the events in time order (file order for equal times, R37),
 * the set of pod names alive is known exactly as long as nothing else
 * changes a deployment's pods: a `scale`, `rollout`, `apply` or `remove` of
 * the deployment, or a `crash` of one of its pods (a crashed pod is
 * replaced once the failure is detected, R7, at a time the loader does not
 * compute), makes that deployment's later names unknowable, and they are
 * not checked (the run warns instead when an event finds nothing).
 * Cost: one pass over the events, a hash set per deployment.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "scenario/loader-internal.h"

typedef struct {
    GHashTable *live;           /* pod index (as pointer + 1) alive now */
    unsigned next;              /* the index of the next pod it makes */
    unsigned replicas;
    bool unknowable;            /* something the loader does not follow changed its pods */
    rs_time_t unknowable_at;
} Deploy;

/* Frees a deployment's timeline. */
static void
deploy_free(gpointer p)
{
    Deploy *d = p;
    g_hash_table_unref(d->live);
    g_free(d);
}

/* Whether an event acts on a pod (and needs it to exist). */
static bool
pod_event(const RsEventSpec *e)
{
    switch (e->kind) {
    case RS_EV_DELETE: case RS_EV_CRASH: case RS_EV_CRASH_CONTAINER:
    case RS_EV_FAIL_READINESS: case RS_EV_PASS_READINESS: case RS_EV_HANG:
        return e->obj_kind == RS_KIND_POD || e->obj_kind == RS_KIND_ANY;
    case RS_EV_LABEL:
        return e->name != NULL && (e->obj_kind == RS_KIND_POD || e->obj_kind == RS_KIND_ANY);
    default:
        return false;
    }
}

/* Splits "<deployment>-<n>"; false if the name does not end in -<digits>. */
static bool
split_pod(const char *name, char **deploy, unsigned *n)
{
    const char *dash = strrchr(name, '-');
    if (!dash || !dash[1] || strspn(dash + 1, "0123456789") != strlen(dash + 1) || strlen(dash + 1) > 9)
        return false;
    *deploy = g_strndup(name, (gsize)(dash - name));
    *n = (unsigned)strtoul(dash + 1, NULL, 10);
    return true;
}

/* Orders event indices by time, then file order (R37). */
static int
by_time(const void *a, const void *b, void *data)
{
    const RsEventSpec *ev = data;
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    if (ev[x].at != ev[y].at)
        return ev[x].at < ev[y].at ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Checks every pod event against the names alive at its time (see above). */
bool
ld_timeline(Ld *ld, const cJSON *root)
{
    RsScenario *sc = ld->sc;
    if (sc->n_events == 0)
        return true;
    g_autoptr(GHashTable) deps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, deploy_free);
    g_autoptr(GHashTable) bare = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *ns = &sc->namespaces[i];
        for (unsigned k = 0; k < ns->n_deployments; k++) {
            Deploy *d = g_new0(Deploy, 1);
            d->live = g_hash_table_new(g_direct_hash, g_direct_equal);
            d->replicas = ns->deployments[k].replicas;
            for (unsigned p = 0; p < d->replicas; p++)
                g_hash_table_add(d->live, GUINT_TO_POINTER(p + 1));
            d->next = d->replicas;
            g_hash_table_insert(deps, g_strdup_printf("%s/%s", ns->name, ns->deployments[k].name), d);
        }
        for (unsigned k = 0; k < ns->n_pods; k++)
            g_hash_table_insert(bare, g_strdup_printf("%s/%s", ns->name, ns->pods[k].name), NULL);
    }
    /* the events' JSON nodes, for positions */
    g_autofree const cJSON **nodes = g_new0(const cJSON *, sc->n_events);
    const cJSON *en = ld_get(root, "events") ? ld_get(root, "events")->child : NULL;
    for (unsigned i = 0; i < sc->n_events && en; i++, en = en->next)
        nodes[i] = en;
    g_autofree unsigned *order = g_new(unsigned, sc->n_events);
    for (unsigned i = 0; i < sc->n_events; i++)
        order[i] = i;
    g_qsort_with_data(order, (gint)sc->n_events, sizeof *order, by_time, sc->events);
    g_autoptr(GHashTable) deleted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char at[32], when[32];
    for (unsigned k = 0; k < sc->n_events; k++) {
        const RsEventSpec *e = &sc->events[order[k]];
        if (!e->ns || !e->name)
            continue;
        g_autofree char *full = g_strdup_printf("%s/%s", e->ns, e->name);
        /* events on a deployment that change its pods in ways not followed here */
        Deploy *target = g_hash_table_lookup(deps, full);
        if (target && (e->kind == RS_EV_SCALE || e->kind == RS_EV_ROLLOUT || e->kind == RS_EV_APPLY ||
                       e->kind == RS_EV_REMOVE)) {
            if (!target->unknowable)
                target->unknowable_at = e->at;
            target->unknowable = true;
            continue;
        }
        if (e->kind == RS_EV_APPLY || !pod_event(e))
            continue;
        const cJSON *node = nodes[order[k]];
        if (g_hash_table_contains(bare, full)) {
            gsize gone = GPOINTER_TO_SIZE(g_hash_table_lookup(deleted, full));
            if (gone)
                return ld_fail(ld, node, false, e->pos.path, "pod `%s` does not exist at %s: it was deleted "
                               "at %s and a bare pod is not replaced (R8)", full, rs_duration_format(e->at, at),
                               rs_duration_format((rs_time_t)gone - 1, when));
            if (e->kind == RS_EV_DELETE)
                g_hash_table_insert(deleted, g_strdup(full), GSIZE_TO_POINTER((gsize)e->at + 1));
            continue;
        }
        g_autofree char *dname = NULL;
        unsigned n;
        if (!split_pod(e->name, &dname, &n))
            continue;
        g_autofree char *dfull = g_strdup_printf("%s/%s", e->ns, dname);
        Deploy *d = g_hash_table_lookup(deps, dfull);
        if (!d || d->unknowable)
            continue;
        if (e->kind == RS_EV_CRASH) {
            /* R7: replaced after the failure is detected: later names are not followed */
            d->unknowable = true;
            d->unknowable_at = e->at;
            if (g_hash_table_contains(d->live, GUINT_TO_POINTER(n + 1)))
                continue;
        }
        if (!g_hash_table_contains(d->live, GUINT_TO_POINTER(n + 1))) {
            if (n < d->next)
                return ld_fail(ld, node, false, e->pos.path, "pod `%s` does not exist at %s: it was deleted "
                               "before (deployment `%s` replaces a deleted pod by a new name, R6)", full,
                               rs_duration_format(e->at, at), dfull);
            return ld_fail(ld, node, false, e->pos.path, "pod `%s` does not exist at %s: deployment `%s` has "
                           "made %s-0 to %s-%u by then (R5, R6)", full, rs_duration_format(e->at, at), dfull,
                           dname, dname, d->next ? d->next - 1 : 0);
        }
        if (e->kind == RS_EV_DELETE) {
            /* R6: the replacement takes the next name */
            g_hash_table_remove(d->live, GUINT_TO_POINTER(n + 1));
            g_hash_table_add(d->live, GUINT_TO_POINTER(++d->next));
        }
    }
    return true;
}
