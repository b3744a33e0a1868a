/* sim.c: the simulation object: engine + world + request pipeline.
 *
 * It owns its engine, world and pipeline and holds no global state, so two
 * simulations can run in one process (the determinism tests do).  Building
 * one refuses, with the scenario position, anything this version would
 * otherwise silently ignore: routes, DNS records, traffic, hosts used as
 * requesters or targets, annotate and router events.  Silently ignoring a
 * route would make an expectation pass or fail for the wrong reason.
 *
 * Requesters draw their own choices (which ready pod of a deployment sends)
 * from named streams kept here, created on first use: a probe's stream is
 * independent of every other probe's and of the world's streams (pods,
 * services), so adding a probe changes no other verdict.
 *
 * Rules: R37 (one seed, named streams), and the glue of R2-R17, R38.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rahtisim/sim.h"
#include "net/net.h"

G_DEFINE_QUARK(rs-sim-error-quark, rs_sim_error)

struct RsSim {
    uint64_t seed;
    RsEngine *eng;
    RsWorld *world;
    RsNet *net;
    GHashTable *streams;        /* requester stream name -> RsRng (owned) */
    GHashTable *host_ips;       /* addresses of the scenario's hosts */
    GHashTable *hosts;          /* host names */
};

/* Sets a not-simulated-yet error (`what` says what and which issue brings it) at a scenario position. */
static bool
not_simulated(GError **error, const RsScenario *sc, const RsSrcPos *pos, const char *what)
{
    g_set_error(error, RS_SIM_ERROR, RS_SIM_ERROR_NOT_SIMULATED, "%s:%d:%d: %s%s%s",
                sc->file ? sc->file : "<scenario>", pos->line, pos->col,
                pos->path ? pos->path : "", pos->path ? ": " : "", what);
    return false;
}

/* Whether a URL targets a host of the scenario (by address). */
static bool
url_targets_host(const RsScenario *sc, const RsUrl *u)
{
    for (unsigned i = 0; u->is_ip && i < sc->n_hosts; i++) {
        if (sc->hosts[i].ip == u->ip)
            return true;
    }
    return false;
}

/* Refuses the features of later issues (see the file comment). */
static bool
check_supported(const RsScenario *sc, GError **error)
{
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        if (sc->namespaces[i].n_routes > 0)
            return not_simulated(error, sc, &sc->namespaces[i].routes[0].pos,
                                 "routes are not simulated yet (routes arrive with issue 4)");
    }
    if (sc->n_dns > 0)
        return not_simulated(error, sc, &sc->dns[0].pos,
                             "public DNS records are not simulated yet (public DNS arrives with issue 4)");
    if (sc->n_traffic > 0)
        return not_simulated(error, sc, &sc->traffic[0].pos, "traffic is not simulated yet (traffic arrives with issue 5)");
    for (unsigned i = 0; i < sc->n_events; i++) {
        const RsEventSpec *e = &sc->events[i];
        if (e->kind == RS_EV_ANNOTATE)
            return not_simulated(error, sc, &e->pos, "annotate events are not simulated yet (routes arrive with issue 4)");
        if (e->kind == RS_EV_ROUTER_DOWN || e->kind == RS_EV_ROUTER_UP)
            return not_simulated(error, sc, &e->pos, "router events are not simulated yet (routers arrive with issue 4)");
        if ((e->kind == RS_EV_APPLY && e->route != NULL) ||
            ((e->kind == RS_EV_REMOVE || e->kind == RS_EV_DELETE) && e->obj_kind == RS_KIND_ROUTE))
            return not_simulated(error, sc, &e->pos, "route events are not simulated yet (routes arrive with issue 4)");
    }
    for (unsigned i = 0; i < sc->n_expect; i++) {
        const RsExpectSpec *x = &sc->expect[i];
        if (x->kind == RS_EXPECT_PROBE && x->from.kind == RS_FROM_HOST)
            return not_simulated(error, sc, &x->pos,
                                 "requests from hosts are not simulated yet (hosts arrive with issue 4)");
        if (x->kind == RS_EXPECT_PROBE && url_targets_host(sc, &x->to))
            return not_simulated(error, sc, &x->pos,
                                 "requests to hosts are not simulated yet (hosts arrive with issue 4)");
        if (x->kind == RS_EXPECT_TRAFFIC)
            return not_simulated(error, sc, &x->pos, "traffic expectations are not simulated yet (traffic arrives with issue 5)");
    }
    return true;
}

/* Builds a simulation; see sim.h. */
RsSim *
rs_sim_new(const RsScenario *sc, uint64_t seed, GError **error)
{
    if (!check_supported(sc, error))
        return NULL;
    g_autoptr(RsSim) sim = g_new0(RsSim, 1);
    sim->seed = seed;
    sim->eng = rs_engine_new();
    sim->streams = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    sim->host_ips = g_hash_table_new(g_direct_hash, g_direct_equal);
    sim->hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (unsigned i = 0; i < sc->n_hosts; i++) {
        g_hash_table_add(sim->host_ips, GUINT_TO_POINTER(sc->hosts[i].ip));
        g_hash_table_add(sim->hosts, g_strdup(sc->hosts[i].name));
    }
    GError *err = NULL;
    sim->world = rs_world_new(sim->eng, sc, seed, &err);
    if (sim->world == NULL) {
        g_set_error_literal(error, RS_SIM_ERROR,
                            err->code == RS_WORLD_ERROR_NOT_SIMULATED ? RS_SIM_ERROR_NOT_SIMULATED
                                                                      : RS_SIM_ERROR_INVALID,
                            err->message);
        g_error_free(err);
        return NULL;
    }
    sim->net = rs_net_new(sim->world, sim);
    sim->world->pod_stopped = rs_net_pod_stopped;
    sim->world->pod_stopped_data = sim->net;
    return g_steal_pointer(&sim);
}

/* Frees a simulation (pending events are dropped with the engine). */
void
rs_sim_free(RsSim *sim)
{
    if (sim == NULL)
        return;
    rs_net_free(sim->net);
    rs_world_free(sim->world);
    if (sim->eng != NULL)
        rs_engine_free(sim->eng);
    g_hash_table_destroy(sim->streams);
    g_hash_table_destroy(sim->host_ips);
    g_hash_table_destroy(sim->hosts);
    g_free(sim);
}

/* The simulation's engine (owned by it). */
RsEngine *
rs_sim_engine(RsSim *sim)
{
    return sim->eng;
}

/* The simulation's world (owned by it). */
RsWorld *
rs_sim_world(RsSim *sim)
{
    return sim->world;
}

/* The master seed in use. */
uint64_t
rs_sim_seed(const RsSim *sim)
{
    return sim->seed;
}

/* Runs until `until`. */
uint64_t
rs_sim_run_until(RsSim *sim, rs_time_t until)
{
    return rs_engine_run(sim->eng, until);
}

/* The requester stream `name`, created on first use. */
static RsRng *
stream(RsSim *sim, const char *name)
{
    if (name == NULL)
        name = "requests";
    RsRng *rng = g_hash_table_lookup(sim->streams, name);
    if (rng == NULL) {
        rng = g_new(RsRng, 1);
        char full[600];
        g_snprintf(full, sizeof full, "requester:%s", name);
        rs_rng_init(rng, sim->seed, full);
        g_hash_table_insert(sim->streams, g_strdup(name), rng);
    }
    return rng;
}

/* Fails for requests from hosts; see sim.h. */
bool
rs_sim_check_request(RsSim *sim, const RsFrom *from, const RsUrl *to, GError **error)
{
    if (from->kind == RS_FROM_HOST) {
        g_set_error(error, RS_SIM_ERROR, RS_SIM_ERROR_NOT_SIMULATED,
                    "a request from host %s is not simulated yet (hosts arrive with issue 4)",
                    from->name);
        return false;
    }
    if (to->is_ip && g_hash_table_contains(sim->host_ips, GUINT_TO_POINTER(to->ip))) {
        g_set_error(error, RS_SIM_ERROR, RS_SIM_ERROR_NOT_SIMULATED,
                    "a request to a host is not simulated yet (hosts arrive with issue 4)");
        return false;
    }
    return true;
}

/* Starts one request now; see sim.h. */
void
rs_sim_request(RsSim *sim, const RsFrom *from, const RsUrl *to, const char *stream_name,
               bool record_hops, RsRequestDone done, void *data)
{
    char who[600];
    RsPod *src = NULL;
    if (from->kind == RS_FROM_HOST) {
        rs_net_request(sim->net, NULL, from->name, true, to, record_hops, done, data);
        return;
    }
    g_snprintf(who, sizeof who, "%s/%s", from->ns, from->name);
    if (from->kind == RS_FROM_POD) {
        src = rs_world_pod(sim->world, from->ns, from->name);
    } else {
        /* Any ready pod of the deployment, drawn from the requester's stream. */
        RsWorkload *wl = rs_world_workload(sim->world, from->ns, from->name);
        if (wl != NULL && wl->ready->len > 0)
            src = wl->ready->pdata[rs_rng_below(stream(sim, stream_name), wl->ready->len)];
    }
    rs_net_request(sim->net, src, who, false, to, record_hops, done, data);
}

/* The resolver walk now; see sim.h. */
bool
rs_sim_resolve(RsSim *sim, const RsFrom *from, const char *name, RsDnsWalk *out, GError **error)
{
    const char *ns = from->kind == RS_FROM_HOST ? NULL : from->ns;
    if (name == NULL || name[0] == '\0' || strcmp(name, ".") == 0) {
        memset(out, 0, sizeof *out);
        g_set_error(error, RS_SIM_ERROR, RS_SIM_ERROR_INVALID, "an empty name cannot be resolved");
        return false;
    }
    return rs_dns_walk(sim->world, ns, name, out);
}

/* Orders addresses ascending. */
static int
cmp_ip(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The ready endpoints in the data plane of a service; see sim.h. */
unsigned
rs_sim_service_endpoints(RsSim *sim, const char *ns, const char *name, uint32_t **out)
{
    RsService *svc = rs_world_service(sim->world, ns, name);
    *out = NULL;
    if (svc == NULL || svc->view == NULL || svc->view->n_pods == 0)
        return 0;
    unsigned n = svc->view->n_pods;
    *out = g_new(uint32_t, n);
    for (unsigned i = 0; i < n; i++)
        (*out)[i] = svc->view->pods[i]->ip;
    qsort(*out, n, sizeof **out, cmp_ip);
    return n;
}

/* Formats one log entry: time, rule, sentence. */
char *
rs_log_entry_format(const RsLogEntry *e)
{
    const char *rule = rs_rule_id(e->rule);
    return g_strdup_printf("%9" G_GINT64_FORMAT ".%03ds  %-4s %s", e->at / RS_SEC,
                           (int)((e->at % RS_SEC) / RS_MS), rule[0] ? rule : "-", e->text);
}

/* The event log as lines; see sim.h. */
GPtrArray *
rs_sim_log_lines(RsSim *sim)
{
    const GArray *log = rs_world_log_entries(sim->world);
    GPtrArray *lines = g_ptr_array_new_full(log->len, g_free);
    for (unsigned i = 0; i < log->len; i++)
        g_ptr_array_add(lines, rs_log_entry_format(&g_array_index(log, RsLogEntry, i)));
    return lines;
}

/* Whether `text` mentions the full name `full` as a whole word. */
static bool
mentions(const char *text, const char *full)
{
    size_t len = strlen(full);
    for (const char *p = strstr(text, full); p != NULL; p = strstr(p + 1, full)) {
        char before = p == text ? ' ' : p[-1];
        char after = p[len];
        bool word = g_ascii_isalnum(after) || after == '-' || after == '_' || after == '/';
        if (!word && (before == ' ' || before == '@' || before == '('))
            return true;
    }
    return false;
}

/* The log lines about one pod; see sim.h. */
char *
rs_sim_pod_history(RsSim *sim, const char *ns, const char *pod)
{
    g_autofree char *full = g_strdup_printf("%s/%s", ns, pod);
    const GArray *log = rs_world_log_entries(sim->world);
    GString *s = g_string_new(NULL);
    for (unsigned i = 0; i < log->len; i++) {
        const RsLogEntry *e = &g_array_index(log, RsLogEntry, i);
        if (!mentions(e->text, full))
            continue;
        g_autofree char *line = rs_log_entry_format(e);
        g_string_append_printf(s, "%s%s", s->len ? "\n" : "", g_strchug(line));
    }
    if (s->len == 0)
        g_string_append_printf(s, "%s never existed", full);
    return g_string_free(s, FALSE);
}

/* The ClusterIP of a live service; see sim.h. */
bool
rs_sim_service_ip(RsSim *sim, const char *ns, const char *name, uint32_t *ip)
{
    RsService *svc = rs_world_service(sim->world, ns, name);
    if (svc == NULL || !svc->has_ip)
        return false;
    *ip = svc->cluster_ip;
    return true;
}

/* A pod's state now; see sim.h. */
RsPodState
rs_sim_pod_state(RsSim *sim, const char *ns, const char *pod)
{
    RsPod *p = rs_world_pod(sim->world, ns, pod);
    return p != NULL ? p->state : RS_POD_GONE;
}

/* The address a pod has or last had; see sim.h. */
bool
rs_sim_pod_ip(RsSim *sim, const char *ns, const char *pod, uint32_t *ip)
{
    RsPod *p = rs_world_pod(sim->world, ns, pod);
    if (p == NULL || !p->ever_ip)
        return false;
    *ip = p->ip;
    return true;
}

/* Pooled request objects; see sim.h. */
unsigned
rs_sim_requests_allocated(const RsSim *sim)
{
    return rs_net_pool_size(sim->net);
}

/* The event log; see sim.h. */
const GArray *
rs_sim_log(RsSim *sim)
{
    return rs_world_log_entries(sim->world);
}
