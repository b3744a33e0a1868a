/* sim.c: the simulation object: engine + world + request pipeline.
 *
 * It owns its engine, world and pipeline and holds no global state, so two
 * simulations can run in one process (the determinism tests do).  Every
 * feature of the scenario format is simulated: the cluster (R2-R17), the
 * edge (routes, the router, public DNS records, hosts, egress, annotate and
 * router events, R18-R36) and traffic (src/traffic/, driven through
 * rs_sim_request_client).  Building fails only for a world that cannot be
 * built (the world's RS_WORLD_ERROR_INVALID: an address conflict, ...).
 *
 * A request is sent by a client of its requester: client 0 for probes
 * (rs_sim_request), a traffic source's own clients otherwise; the client
 * selects the host's cookie jar (R27) and nothing else (R13 and R26 key on
 * the source address).
 *
 * Requesters draw their own choices (which ready pod of a deployment sends)
 * from named streams kept here, created on first use: a probe's stream is
 * independent of every other probe's and of the world's streams (pods,
 * services), so adding a probe changes no other verdict.
 *
 * Rules: R37 (one seed, named streams), and the glue of R2-R36, R38.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rahtisim/policy.h"
#include "rahtisim/sim.h"
#include "net/net.h"
#include "net/router-walk.h"

G_DEFINE_QUARK(rs-sim-error-quark, rs_sim_error)

struct RsSim {
    uint64_t seed;
    RsEngine *eng;
    RsWorld *world;
    RsNet *net;
    GHashTable *streams;        /* requester stream name -> RsRng (owned) */
};

/* Builds a simulation; see sim.h. */
RsSim *
rs_sim_new(const RsScenario *sc, uint64_t seed, GError **error)
{
    g_autoptr(RsSim) sim = g_new0(RsSim, 1);
    sim->seed = seed;
    sim->eng = rs_engine_new();
    sim->streams = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GError *err = NULL;
    sim->world = rs_world_new(sim->eng, sc, seed, &err);
    /* The scenario's events right after the build, as the first engine
     * events scheduled (R37: their order among equal times is file order). */
    if (sim->world == NULL || !rs_world_schedule_events(sim->world, sc, &err)) {
        g_propagate_error(error, err);      /* the world's own domain and code */
        return NULL;
    }
    sim->net = rs_net_new(sim->world, sim, &rs_router_walk);
    rs_world_on_pod_stopped(sim->world, rs_net_pod_stopped, sim->net);
    rs_world_on_router_failed(sim->world, rs_net_router_failed, sim->net);
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

/* C10: the id of a requester's stream name: every random choice its
 * requests cause (service endpoint, replica, balancer, service time) draws
 * from the (entity, requester) stream of that id. */
static uint64_t
requester_id(const char *name)
{
    char full[600];
    g_snprintf(full, sizeof full, "requester:%s", name != NULL ? name : "requests");
    return rs_rng_name_id(full);
}

/* Fails for a request that cannot be made: from a host the world does not have. */
bool
rs_sim_check_request(RsSim *sim, const RsFrom *from, const RsUrl *to, GError **error)
{
    if (from->kind == RS_FROM_HOST && rs_world_host(sim->world, from->name) == NULL) {
        g_set_error(error, RS_SIM_ERROR, RS_SIM_ERROR_INVALID, "no host called %s", from->name);
        return false;
    }
    (void)to;
    return true;
}

/* Isolates the requests started from now on; see sim.h. */
void
rs_sim_set_isolated(RsSim *sim, bool isolated)
{
    rs_net_set_isolated(sim->net, isolated);
}

/* Starts one request now as the requester's default client; see sim.h. */
void
rs_sim_request(RsSim *sim, const RsFrom *from, const RsUrl *to, const char *stream_name,
               bool record_hops, RsRequestDone done, void *data)
{
    rs_sim_request_client(sim, from, to, stream_name, 0, record_hops, done, data);
}

/* Resolves a requester once; see sim.h. */
void
rs_sim_requester_init(RsSim *sim, RsSimRequester *out, const RsFrom *from, const char *stream_name)
{
    memset(out, 0, sizeof *out);
    out->from = from;
    out->kind = from->kind;
    out->requester = requester_id(stream_name);
    out->rng = stream(sim, stream_name);
    rs_from_format(from, out->who, sizeof out->who);
}

/* A request reads the requester's first line (sim.h) */
G_STATIC_ASSERT(offsetof(RsSimRequester, dns) == 64);

/* Starts one request from a resolved requester, with `dns` (or NULL) as
 * the cache of its DNS answers. */
static void
request_as(RsSim *sim, RsSimRequester *rq, const RsUrl *to, uint64_t client, bool record_hops,
           RsDnsCache *dns, RsRequestDone done, void *data)
{
    /* the chain deployment, ready list, array, pod fetched at once rather
     * than one cold line after another (issue 14, C) */
    __builtin_prefetch(rq->wl);
    __builtin_prefetch(rq->rng);
    for (unsigned i = 0; i < G_N_ELEMENTS(rq->warm); i++) {
        if (rq->warm[i] != NULL)
            __builtin_prefetch(rq->warm[i]);
    }
    const RsFrom *from = rq->from;
    RsPod *src = NULL;
    if (rq->kind == RS_FROM_HOST) {
        /* R36: a machine outside the cluster; an unknown one sends nothing.
         * A host, once there, stays (the scenario's, until the world ends):
         * found once (issue 14, D: a hash of its name per request). */
        if (rq->host == NULL)
            rq->host = rs_world_host(sim->world, from->name);
        rs_net_request(sim->net, NULL, rq->host, from->name, rq->requester, client, to,
                       record_hops, dns, done, data);
        return;
    }
    if (rq->kind == RS_FROM_POD) {
        src = rs_world_pod(sim->world, from->ns, from->name);
    } else {
        /* Any ready pod of the deployment, drawn from the requester's stream.
         * The live deployment of that name is the one kept until it is
         * removed (a removed one stays allocated, flagged). */
        if (rq->wl == NULL || rq->wl->removed)
            rq->wl = rs_world_workload(sim->world, from->ns, from->name);
        RsWorkload *wl = rq->wl;
        if (wl != NULL && wl->ready->len > 0) {
            src = wl->ready->pdata[rs_rng_below(rq->rng, wl->ready->len)];
            rq->warm[0] = wl->ready;
            rq->warm[1] = wl->ready->pdata;
            rq->warm[2] = src;
        }
    }
    rs_net_request(sim->net, src, NULL, rq->who, rq->requester, client, to, record_hops, dns, done,
                   data);
}

/* Starts one request from a resolved requester; see sim.h. */
void
rs_sim_request_as(RsSim *sim, RsSimRequester *rq, const RsUrl *to, uint64_t client,
                  bool record_hops, RsRequestDone done, void *data)
{
    /* the requester's DNS answer and its memo's first three lines, read by
     * the pipeline now (dns.h), fetched with its other lines (issue 14, C) */
    __builtin_prefetch(&rq->dns.answers[0]);
    __builtin_prefetch(&rq->dns.host);
    __builtin_prefetch((const char *)&rq->dns.host + 64);
    __builtin_prefetch((const char *)&rq->dns.host + 128);
    request_as(sim, rq, to, client, record_hops, &rq->dns, done, data);
}

/* Starts one request now as client `client` of the requester; see sim.h. */
void
rs_sim_request_client(RsSim *sim, const RsFrom *from, const RsUrl *to, const char *stream_name,
                      uint64_t client, bool record_hops, RsRequestDone done, void *data)
{
    RsSimRequester rq;
    rs_sim_requester_init(sim, &rq, from, stream_name);
    /* rq dies on return, before the request's DNS events: no cache */
    request_as(sim, &rq, to, client, record_hops, NULL, done, data);
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
    bool ok = rs_dns_walk(sim->world, ns, name, out);
    out->dropped = false;
    out->dropped_by = NULL;
    /* R46: a pod whose egress policies do not let a query reach the DNS pods */
    RsPod *pod = NULL;
    if (from->kind == RS_FROM_POD)
        pod = rs_world_pod(sim->world, from->ns, from->name);
    else if (from->kind == RS_FROM_DEPLOYMENT) {
        RsWorkload *wl = rs_world_workload(sim->world, from->ns, from->name);
        pod = wl != NULL && wl->pods->len > 0 ? wl->pods->pdata[0] : NULL;
    }
    if (pod != NULL && rs_policy_mode(sim->world)) {
        RsPeer src, dns;
        RsPolSide eg, in;
        rs_peer_pod(pod, &src);
        rs_peer_dns(sim->world, &dns);
        if (!rs_policy_check(sim->world, &src, &dns, rs_policy_dns_port(sim->world), RS_L4_UDP, &eg, &in)) {
            out->dropped = true;
            out->dropped_by = eg.first != NULL ? eg.first->full : NULL;
            out->dns_pod = dns.ip;
            out->dns_port = rs_policy_dns_port(sim->world);
        }
    }
    return ok;
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
