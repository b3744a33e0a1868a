/* reload-note.c: what a hop alone does not say: a router replica's loaded
 * configuration (R28), and an egress IP the pool could not give (R33).
 *
 * A replica answers from the configuration it loaded at its last reload,
 * not from the truth (src/world/router.c).  A hop list alone says "no route
 * for host" or "no server"; a student needs to hear that the route exists
 * and waits for the next reload.  After a request, this file compares, for
 * the replica that took it, the configuration it ran (read through the
 * world's view accessors: rs_replica_config, rs_replica_loaded_at,
 * rs_replica_next_reload; nothing of the request pipeline's internals) with
 * the truth, and writes one note for each hop whose answer a pending reload
 * would change, citing R28:
 *   - NO_ROUTE: an admitted live route serves the host (and path), but the
 *     configuration predates it;
 *   - NO_SERVERS: the route's services have ready endpoints the
 *     configuration does not list yet;
 *   - BALANCE: the chosen server's pod is no longer an endpoint;
 *   - ROUTE: the route was removed after the configuration was loaded.
 * When a reload is pending and none of these applies, one plain note says
 * which configuration answered and when the next one comes (no rule cited:
 * the answer does not depend on it).
 *
 * And for an EGRESS hop on the shared address from a namespace that asked
 * for a dedicated one: the pool was empty when the namespace was created
 * (R33), so the outside sees the shared address.
 *
 * The notes are computed right after the request, while the world is the
 * one that answered; a replica that reloaded after the request's routing
 * hop gives no notes (the configuration that answered is gone).
 *
 * Cost: O(hops + the routes of one host + the pods of one route's services).
 */
#include "config.h"

#include <string.h>

#include "rahtisim/expect.h"
#include "rahtisim/router.h"
#include "rahtisim/world.h"

/* Clears one note (GArray clear function). */
static void
note_clear(gpointer p)
{
    g_free(((RsHopNote *)p)->text);
}

/* Appends a note after hop `after`. */
static void G_GNUC_PRINTF(5, 6)
add_note(GArray *out, unsigned after, RsRule rule, rs_time_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    RsHopNote n = {.after = after, .rule = rule, .at = at, .text = g_strdup_vprintf(fmt, ap)};
    va_end(ap);
    g_array_append_val(out, n);
}

/* " it is served from the reload at 25s" or "no reload is pending" into buf. */
static const char *
next_text(const RsReplica *rep, const char *what, char *buf, size_t len)
{
    char t[32];
    rs_time_t next = rs_replica_next_reload(rep);
    if (next == RS_TIME_NEVER)
        g_snprintf(buf, len, "no reload is pending");
    else
        g_snprintf(buf, len, "%s the reload at %s", what, rs_duration_format(next, t));
    return buf;
}

/* NO_ROUTE: an admitted live route for the host (and path) that the configuration lacks. */
static void
note_no_route(GArray *out, unsigned i, const RsHop *h, RsWorld *w, const RsReplica *rep,
              const char *path)
{
    char t[32], nb[64];
    if (h->rule == RS_R28 || h->name[0] == '\0')
        return;                 /* not loaded at all: the pipeline says R28 itself */
    unsigned n_list;
    RsRoute *const *list = rs_world_routes_of_host(w, h->name, &n_list);
    const RsRtConfig *cfg = rs_replica_config(rep);
    for (unsigned k = 0; k < n_list; k++) {
        const RsRoute *r = list[k];
        if (r->removed || !r->admitted || rs_rt_config_backend(cfg, r) != NULL)
            continue;
        if (path != NULL && !rs_route_path_matches(r->def->path, path))
            continue;
        if (h->flag && r->def->tls == RS_TLS_NONE)
            continue;           /* over HTTPS a plain route would not serve either (R23) */
        add_note(out, i, RS_R28, h->at,
                 "route %s for %s%s exists and is admitted, but %s loaded its configuration at "
                 "%s, before it: %s", r->full, r->host, strcmp(r->def->path, "/") ? r->def->path : "",
                 rep->name, rs_duration_format(rs_replica_loaded_at(rep), t),
                 next_text(rep, "it is served from", nb, sizeof nb));
        return;
    }
}

/* NO_SERVERS: ready endpoints of the route's services the configuration does not list. */
static void
note_no_servers(GArray *out, unsigned i, const RsHop *h, RsWorld *w, const RsReplica *rep)
{
    char t[32], t2[32], nb[64];
    const RsRoute *r = h->svc != NULL ? rs_world_route_full(w, h->svc) : NULL;
    if (r == NULL)
        return;
    g_autoptr(GPtrArray) pods = g_ptr_array_new();
    for (unsigned k = 0; k < r->def->n_backends; k++) {
        RsService *svc = r->def->backends[k].weight > 0
                         ? rs_world_service(w, r->ns->name, r->def->backends[k].service) : NULL;
        if (svc != NULL)
            rs_service_ready_pods(svc, pods);
    }
    rs_time_t loaded = rs_replica_loaded_at(rep), since = RS_TIME_NEVER;
    unsigned newer = 0;
    for (unsigned k = 0; k < pods->len; k++) {
        const RsPod *p = pods->pdata[k];
        if (p->ready_at > loaded && p->ready_at != RS_TIME_NEVER) {
            newer++;
            since = MIN(since, p->ready_at);
        }
    }
    if (newer == 0)
        return;
    add_note(out, i, RS_R28, h->at,
             "the truth has %u ready endpoint%s for route %s (the first ready at %s), but %s "
             "loaded its configuration at %s, before %s: %s", newer, newer == 1 ? "" : "s", r->full,
             rs_duration_format(since, t2), rep->name, rs_duration_format(loaded, t),
             newer == 1 ? "it was" : "they were",
             next_text(rep, newer == 1 ? "it is a server from" : "they are servers from", nb, sizeof nb));
}

/* BALANCE: the chosen server's pod is no longer an endpoint in the truth. */
static void
note_stale_server(GArray *out, unsigned i, const RsHop *h, RsWorld *w, const RsReplica *rep)
{
    char t[32], t2[32], nb[64];
    const RsPod *p = h->pod != NULL ? rs_world_pod_full(w, h->pod) : NULL;
    if (p == NULL || strcmp(p->full, h->pod) != 0 || p->ip != h->ip2)
        return;
    if (p->api_ready && p->state != RS_POD_GONE)
        return;                 /* still an endpoint (a crash not yet detected is R7, not R28) */
    rs_time_t loaded = rs_replica_loaded_at(rep);
    if (p->stopped_at == RS_TIME_NEVER || p->stopped_at < loaded)
        return;
    add_note(out, i, RS_R28, h->at,
             "%s stopped being an endpoint at %s, but %s's configuration, loaded at %s, still "
             "lists it: %s", p->full, rs_duration_format(p->stopped_at, t2), rep->name,
             rs_duration_format(loaded, t), next_text(rep, "it is dropped at", nb, sizeof nb));
}

/* ROUTE: the route was removed or is no longer admitted in the truth. */
static void
note_stale_route(GArray *out, unsigned i, const RsHop *h, RsWorld *w, const RsReplica *rep)
{
    char t[32], nb[64];
    const RsRoute *r = h->svc != NULL ? rs_world_route_full(w, h->svc) : NULL;
    if (r != NULL && r->admitted)
        return;
    add_note(out, i, RS_R28, h->at,
             "route %s is %s in the truth, but %s's configuration, loaded at %s, still has it: %s",
             h->svc, r == NULL ? "removed" : "not admitted", rep->name,
             rs_duration_format(rs_replica_loaded_at(rep), t),
             next_text(rep, "it goes at", nb, sizeof nb));
}

/* The notes of one request; see expect.h. */
GArray *
rs_reload_notes(RsSim *sim, const RsResult *res, const char *path)
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(RsHopNote));
    g_array_set_clear_func(out, note_clear);
    RsWorld *w = rs_sim_world(sim);
    for (unsigned i = 0; i < res->n_hops; i++) {
        const RsHop *h = &res->hops[i];
        const RsNamespace *ns = h->kind == RS_HOP_EGRESS && h->ns != NULL ? rs_world_namespace(w, h->ns) : NULL;
        if (ns != NULL && ns->egress_denied && !h->flag)
            add_note(out, i, RS_R33, h->at,
                     "namespace %s asked for a dedicated egress IP, but the pool was empty when it "
                     "was created: it keeps the shared one", ns->name);
    }
    unsigned vip = res->n_hops;
    for (unsigned i = 0; i < res->n_hops && vip == res->n_hops; i++)
        if (res->hops[i].kind == RS_HOP_VIP_REPLICA)
            vip = i;
    if (vip == res->n_hops || res->hops[vip].n >= w->n_replicas)
        return out;
    const RsReplica *rep = &w->replicas[res->hops[vip].n];
    rs_time_t loaded = rs_replica_loaded_at(rep);
    if (rs_replica_config(rep) == NULL || loaded > res->hops[vip].at)
        return out;             /* never loaded (the pipeline cites R28), or reloaded since */
    for (unsigned i = vip + 1; i < res->n_hops; i++) {
        const RsHop *h = &res->hops[i];
        if (h->kind == RS_HOP_NO_ROUTE)
            note_no_route(out, i, h, w, rep, path);
        else if (h->kind == RS_HOP_NO_SERVERS)
            note_no_servers(out, i, h, w, rep);
        else if (h->kind == RS_HOP_BALANCE)
            note_stale_server(out, i, h, w, rep);
        else if (h->kind == RS_HOP_ROUTE)
            note_stale_route(out, i, h, w, rep);
    }
    rs_time_t next = rs_replica_next_reload(rep);
    if (out->len == 0 && next != RS_TIME_NEVER) {
        char t[32], t2[32];
        add_note(out, vip, RS_RULE_NONE, res->hops[vip].at,
                 "%s answers from the configuration it loaded at %s; its next reload is at %s", rep->name, rs_duration_format(loaded, t),
                 rs_duration_format(next, t2));
    }
    return out;
}
