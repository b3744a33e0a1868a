/* test_invariants.c: what must never happen in the simulated network,
 * checked over many random worlds.
 *
 * Each world is generated from a fixed seed (GLib's Mersenne Twister, so the
 * same worlds on every machine): up to three namespaces with random
 * deployments, bare pods and services with random selectors and ports, in a
 * pod network of 14 addresses (so addresses are reused and run out), and
 * random delete, crash and scale events.  The simulation is stepped every
 * half second for 75 simulated seconds (past failure detection, R7); at
 * each step the truth is checked, then random requests are sent from live
 * pods to services and pods of every namespace.  What must never happen:
 *
 *   I1  two live pods hold the same address (R3), or the address index
 *       disagrees with the pods;
 *   I2  an `ok` across namespaces (R2, R9, R12);
 *   I3  an `ok` served by a pod that is not ready, or has crashed (R5, R7);
 *   I4  a service answered by a pod its selector does not match (R14);
 *   I5  a pod holds an address while pending or gone (pod.c invariant 1;
 *       the converse does not hold: a pending pod that crashes is failed
 *       without an address).
 *
 * Requests leave a tenth of a second after the step and events happen on
 * whole seconds, so nothing changes between a request's service and its
 * answer (milliseconds later): the state read when the answer arrives is
 * the state the pod served in.  The test also counts the `ok`s and the
 * cross-namespace attempts, so that it cannot pass by checking nothing.
 *
 * A second test builds worlds with edge and reencrypt routes whose
 * whitelists (R25) are random valid lists, and sends requests from hosts
 * inside and outside them:
 *
 *   I6  an `ok` through a route with a valid whitelist for a client whose
 *       address is not in it.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "rahtisim/sim.h"
#include "rahtisim/world.h"
#include "cu-main.h"

#define N_WORLDS 300
#define STEP (RS_SEC / 2)
#define END (75 * RS_SEC)
#define REQUESTS_PER_STEP 6

typedef struct {
    unsigned requests, oks, cross_ns, cross_ns_ok, violations;
    GString *first;             /* the first violation, for the failure message */
} Stats;

typedef struct {
    Stats *st;
    RsWorld *w;
    char *svc_ns, *svc_name;    /* the service asked for, or NULL for a pod */
    unsigned world;
} ReqCtx;

/* Records a violation (keeps the first message). */
static void
violation(Stats *st, unsigned world, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void
violation(Stats *st, unsigned world, const char *fmt, ...)
{
    st->violations++;
    if (st->first->len > 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_string_append_printf(st->first, "world %u: ", world);
    g_string_append_vprintf(st->first, fmt, ap);
    va_end(ap);
}

/* A random scenario (JSON) for world number `n`. */
static char *
random_scenario(unsigned n, GPtrArray *pod_names, GPtrArray *deployments)
{
    static const char *const apps[] = {"a", "b", "c"};
    static const char *const tiers[] = {"x", "y"};
    GRand *r = g_rand_new_with_seed(0x5eed0000u + n);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "{\"name\": \"world-%u\", \"seed\": %u,\n"
                           " \"platform\": {\"pod_network\": \"10.128.0.0/28\"},\n"
                           " \"namespaces\": [", n, n + 1);
    unsigned n_ns = (unsigned)g_rand_int_range(r, 1, 4);
    for (unsigned i = 0; i < n_ns; i++) {
        g_string_append_printf(s, "%s\n  {\"name\": \"n%u\", \"deployments\": [", i ? "," : "", i);
        unsigned n_dep = (unsigned)g_rand_int_range(r, 0, 4);
        for (unsigned d = 0; d < n_dep; d++) {
            unsigned replicas = (unsigned)g_rand_int_range(r, 0, 5);
            int kind = g_rand_int_range(r, 0, 10);
            const char *ports = kind == 0 ? "[80]" : kind < 3 ? "[8080, 9090]" : "[8080]";
            g_string_append_printf(s, "%s{\"name\": \"d%u\", \"replicas\": %u, \"ports\": %s, "
                                   "\"startup\": \"%ums\", \"labels\": {\"app\": \"%s\"",
                                   d ? ", " : "", d, replicas, ports,
                                   500 * (unsigned)g_rand_int_range(r, 1, 6),
                                   apps[g_rand_int_range(r, 0, 3)]);
            if (g_rand_boolean(r))
                g_string_append_printf(s, ", \"tier\": \"%s\"", tiers[g_rand_int_range(r, 0, 2)]);
            g_string_append(s, "}}");
            g_ptr_array_add(deployments, g_strdup_printf("n%u/d%u", i, d));
            for (unsigned k = 0; k < replicas; k++)
                g_ptr_array_add(pod_names, g_strdup_printf("n%u/d%u-%u", i, d, k));
        }
        g_string_append(s, "], \"pods\": [");
        unsigned n_pod = (unsigned)g_rand_int_range(r, 0, 3);
        for (unsigned p = 0; p < n_pod; p++) {
            g_string_append_printf(s, "%s{\"name\": \"p%u\", \"ports\": [8080], "
                                   "\"labels\": {\"app\": \"%s\", \"tier\": \"%s\"}}",
                                   p ? ", " : "", p, apps[g_rand_int_range(r, 0, 3)],
                                   tiers[g_rand_int_range(r, 0, 2)]);
            g_ptr_array_add(pod_names, g_strdup_printf("n%u/p%u", i, p));
        }
        g_string_append(s, "], \"services\": [");
        unsigned n_svc = (unsigned)g_rand_int_range(r, 1, 4);
        for (unsigned v = 0; v < n_svc; v++) {
            int sel = g_rand_int_range(r, 0, 3);
            g_string_append_printf(s, "%s{\"name\": \"s%u\", \"selector\": {", v ? ", " : "", v);
            if (sel != 2)
                g_string_append_printf(s, "\"app\": \"%s\"", apps[g_rand_int_range(r, 0, 3)]);
            if (sel != 0)
                g_string_append_printf(s, "%s\"tier\": \"%s\"", sel == 1 ? ", " : "",
                                       tiers[g_rand_int_range(r, 0, 2)]);
            g_string_append_printf(s, "}, \"ports\": [{\"port\": 80, \"target_port\": %u}]%s}",
                                   g_rand_int_range(r, 0, 5) == 0 ? 9090 : 8080,
                                   g_rand_boolean(r) ? ", \"balance\": \"round-robin\"" : "");
        }
        g_string_append(s, "]}");
    }
    g_string_append(s, "],\n \"events\": [");
    unsigned n_ev = (unsigned)g_rand_int_range(r, 0, 10);
    bool first = true;
    /* A deleted pod is gone (R6, R8): an event naming it at any other time could
     * come after the delete, which the loader refuses.  So a pod gets either
     * one delete or any number of crashes. */
    g_autoptr(GHashTable) touched = g_hash_table_new(g_str_hash, g_str_equal);
    for (unsigned e = 0; e < n_ev; e++) {
        unsigned at = (unsigned)g_rand_int_range(r, 1, 31);
        int kind = g_rand_int_range(r, 0, 3);
        if (kind < 2 && pod_names->len > 0) {
            const char *pod = pod_names->pdata[g_rand_int_range(r, 0, (gint32)pod_names->len)];
            gpointer was = g_hash_table_lookup(touched, pod);
            if (was == GINT_TO_POINTER(2) || (kind == 0 && was != NULL))
                continue;
            g_hash_table_insert(touched, (gpointer)pod, GINT_TO_POINTER(kind == 0 ? 2 : 1));
            g_string_append_printf(s, "%s{\"at\": \"%us\", \"%s\": \"%s\"}", first ? "" : ", ", at,
                                   kind ? "crash" : "delete", pod);
            first = false;
        } else if (kind == 2 && deployments->len > 0) {
            const char *dep = deployments->pdata[g_rand_int_range(r, 0, (gint32)deployments->len)];
            g_string_append_printf(s, "%s{\"at\": \"%us\", \"scale\": \"%s\", \"replicas\": %d}",
                                   first ? "" : ", ", at, dep, g_rand_int_range(r, 0, 6));
            first = false;
        }
    }
    g_string_append(s, "]}\n");
    g_rand_free(r);
    return g_string_free(s, FALSE);
}

/* I1, I5: the addresses of the truth. */
static void
check_addresses(RsWorld *w, Stats *st, unsigned world)
{
    g_autoptr(GHashTable) held = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (unsigned i = 0; i < rs_world_n_pods(w); i++) {
        RsPod *p = rs_world_pod_nth(w, i);
        bool should_hold = p->state == RS_POD_RUNNING || p->state == RS_POD_READY ||
                           p->state == RS_POD_FAILED;
        /* Only this direction: a pending pod that crashes becomes FAILED
         * without ever holding an address (pod.c's invariant 1 says iff). */
        if (p->has_ip && !should_hold)
            violation(st, world, "I5: %s is %s but holds an address", p->full,
                      rs_pod_state_word(p->state));
        if (!p->has_ip)
            continue;
        RsPod *other = g_hash_table_lookup(held, GUINT_TO_POINTER(p->ip));
        if (other != NULL)
            violation(st, world, "I1: %s and %s both hold %u.%u.%u.%u", other->full, p->full,
                      p->ip >> 24, (p->ip >> 16) & 255, (p->ip >> 8) & 255, p->ip & 255);
        g_hash_table_insert(held, GUINT_TO_POINTER(p->ip), p);
        if (rs_world_pod_at(w, p->ip) != p)
            violation(st, world, "I1: the address index does not give %s for its address", p->full);
    }
}

/* The namespace part of "ns/name" compared with another's. */
static bool
same_ns(const char *a, const char *b)
{
    const char *sa = strchr(a, '/'), *sb = strchr(b, '/');
    return sa && sb && sa - a == sb - b && strncmp(a, b, (size_t)(sa - a)) == 0;
}

/* I2-I4: judges one answer. */
static void
request_done(RsSim *sim, const RsResult *res, void *data)
{
    ReqCtx *rc = data;
    Stats *st = rc->st;
    st->requests++;
    bool cross = false;
    if (res->from_pod != NULL) {
        const char *target_ns = rc->svc_ns;
        cross = target_ns != NULL && strncmp(res->from_pod, target_ns, strlen(target_ns)) != 0;
        if (rc->svc_ns == NULL && res->pod != NULL)
            cross = !same_ns(res->from_pod, res->pod);
    }
    st->cross_ns += cross;
    if (res->outcome == RS_OUTCOME_OK) {
        st->oks++;
        st->cross_ns_ok += cross;
        if (res->pod == NULL || res->from_pod == NULL) {
            violation(st, rc->world, "ok without a serving or a sending pod");
        } else {
            if (!same_ns(res->from_pod, res->pod))
                violation(st, rc->world, "I2: %s got ok from %s (another namespace)", res->from_pod,
                          res->pod);
            RsPod *pod = rs_world_pod_full(rc->w, res->pod);
            if (pod == NULL || pod->state != RS_POD_READY || pod->crashed)
                violation(st, rc->world, "I3: %s served while %s%s", res->pod,
                          pod ? rs_pod_state_word(pod->state) : "unknown",
                          pod && pod->crashed ? " (crashed)" : "");
            if (rc->svc_ns != NULL) {
                RsService *svc = rs_world_service(rc->w, rc->svc_ns, rc->svc_name);
                if (svc == NULL || pod == NULL ||
                    !rs_labels_match(svc->def->selector, svc->def->n_selector, pod->tmpl))
                    violation(st, rc->world, "I4: %s/%s answered by %s, which its selector does not match",
                              rc->svc_ns, rc->svc_name, res->pod);
                else if (strncmp(res->pod, rc->svc_ns, strlen(rc->svc_ns)) != 0)
                    violation(st, rc->world, "I4: %s/%s answered by %s of another namespace",
                              rc->svc_ns, rc->svc_name, res->pod);
            }
        }
    }
    (void)sim;
}

/* Sends the requests of one step from random live pods. */
static void
send_requests(RsSim *sim, GRand *r, GPtrArray *ctxs, Stats *st, unsigned world)
{
    RsWorld *w = rs_sim_world(sim);
    g_autoptr(GPtrArray) live = g_ptr_array_new();
    for (unsigned i = 0; i < rs_world_n_pods(w); i++) {
        RsPod *p = rs_world_pod_nth(w, i);
        if (p->state == RS_POD_READY && !p->crashed)
            g_ptr_array_add(live, p);
    }
    if (live->len == 0 || rs_world_n_pods(w) == 0)
        return;
    for (int k = 0; k < REQUESTS_PER_STEP; k++) {
        RsPod *client = live->pdata[g_rand_int_range(r, 0, (gint32)live->len)];
        RsFrom from = {.kind = RS_FROM_POD, .ns = (char *)client->ns->name, .name = (char *)client->name};
        ReqCtx *rc = g_new0(ReqCtx, 1);
        rc->st = st;
        rc->w = w;
        rc->world = world;
        g_ptr_array_add(ctxs, rc);
        g_autofree char *url = NULL;
        RsNamespace *ns = rs_world_namespace_nth(w, (unsigned)g_rand_int_range(r, 0, (gint32)rs_world_n_namespaces(w)));
        if (g_rand_boolean(r) && rs_namespace_n_services(ns) > 0) {
            RsService *svc = rs_namespace_service_nth(ns, (unsigned)g_rand_int_range(r, 0, (gint32)rs_namespace_n_services(ns)));
            rc->svc_ns = g_strdup(ns->name);
            rc->svc_name = g_strdup(svc->name);
            url = g_strdup_printf("http://%s.%s.svc.cluster.local/", svc->name, ns->name);
        } else {
            RsPod *target = rs_world_pod_nth(w, (unsigned)g_rand_int_range(r, 0, (gint32)rs_world_n_pods(w)));
            url = g_strdup_printf("tcp://@%s:%d", target->full, g_rand_int_range(r, 0, 4) ? 8080 : 9090);
        }
        RsUrl to = {0};
        GError *err = NULL;
        if (!rs_url_parse(url, &to, &err)) {
            violation(st, world, "cannot parse %s: %s", url, err->message);
            g_error_free(err);
            continue;
        }
        rs_sim_request(sim, &from, &to, "invariants", false, request_done, rc);
        rs_url_clear(&to);
    }
}

/* Frees a request context. */
static void
ctx_free(gpointer p)
{
    ReqCtx *rc = p;
    g_free(rc->svc_ns);
    g_free(rc->svc_name);
    g_free(rc);
}

/* Runs one random world and checks every invariant along the way. */
static void
run_world(unsigned n, Stats *st)
{
    g_autoptr(GPtrArray) pods = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) deps = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *json = random_scenario(n, pods, deps);
    RsLimits lim;
    rs_limits_default(&lim);
    GError *err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_data("random", json, strlen(json), &lim, &err);
    if (sc == NULL) {
        violation(st, n, "the generated scenario does not load: %s\n%s", err->message, json);
        g_error_free(err);
        return;
    }
    RsSim *sim = rs_sim_new(sc, sc->seed, &err);
    if (sim == NULL) {
        violation(st, n, "the generated scenario cannot be simulated: %s", err->message);
        g_error_free(err);
        return;
    }
    RsEngine *eng = rs_sim_engine(sim);
    g_autoptr(GPtrArray) ctxs = g_ptr_array_new_with_free_func(ctx_free);
    GRand *r = g_rand_new_with_seed(0xc0ffee00u + n);
    for (rs_time_t t = RS_SEC / 10; t < END; t += STEP) {
        rs_engine_run(eng, t);
        check_addresses(rs_sim_world(sim), st, n);
        send_requests(sim, r, ctxs, st, n);
    }
    rs_engine_run(eng, END + 60 * RS_SEC);     /* every answer, timeouts included */
    check_addresses(rs_sim_world(sim), st, n);
    g_rand_free(r);
    rs_sim_free(sim);
}

/* Many worlds: no invariant is ever broken, and the checks had work to do. */
static void
test_random_worlds(void)
{
    Stats st = {.first = g_string_new(NULL)};
    for (unsigned n = 0; n < N_WORLDS; n++)
        run_world(n, &st);
    printf("\n  %u worlds, %u requests, %u ok, %u across namespaces (%u ok), %u violations\n",
           N_WORLDS, st.requests, st.oks, st.cross_ns, st.cross_ns_ok, st.violations);
    if (st.violations > 0)
        printf("  first: %s\n", st.first->str);
    CU_ASSERT_EQUAL(st.violations, 0);
    CU_ASSERT(st.requests > 1000);
    CU_ASSERT(st.oks > 100);
    CU_ASSERT(st.cross_ns > 100);
    g_string_free(st.first, TRUE);
}

/* ---- I6: route whitelists (R25) ---- */

typedef struct {
    Stats *st;
    unsigned world;
    uint32_t client;            /* the host's address */
    char *allow;                /* the route's whitelist, NULL: none */
    unsigned *rejected;
} WlCtx;

/* Whether `ip` is in a space-separated list of addresses and CIDRs. */
static bool
whitelisted(const char *list, uint32_t ip)
{
    g_auto(GStrv) entries = g_strsplit(list, " ", -1);
    for (int i = 0; entries[i]; i++) {
        uint32_t net, prefix = 32;
        bool parsed = strchr(entries[i], '/') ? rs_parse_cidr(entries[i], &net, &prefix)
                                              : rs_parse_ipv4(entries[i], &net);
        if (parsed && (prefix == 0 || (ip >> (32 - prefix)) == (net >> (32 - prefix))))
            return true;
    }
    return false;
}

/* I6: an `ok` through a route with a valid whitelist only for a client in it. */
static void
whitelist_done(RsSim *sim, const RsResult *res, void *data)
{
    WlCtx *c = data;
    c->st->requests++;
    if (res->outcome == RS_OUTCOME_OK) {
        c->st->oks++;
        if (c->allow != NULL && !whitelisted(c->allow, c->client))
            violation(c->st, c->world, "I6: %u.%u.%u.%u got ok through a route whitelisting only %s",
                      c->client >> 24, (c->client >> 16) & 255, (c->client >> 8) & 255,
                      c->client & 255, c->allow);
    } else if (res->outcome == RS_OUTCOME_REJECTED) {
        ++*c->rejected;
    }
    (void)sim;
}

/* Frees a whitelist request context. */
static void
wl_ctx_free(gpointer p)
{
    WlCtx *c = p;
    g_free(c->allow);
    g_free(c);
}

/* Random routes with valid whitelists, requested by hosts in and out of them. */
static void
test_route_whitelists(void)
{
    static const char *const entries[] = {"193.166.0.0/16", "188.184.9.236", "85.76.0.0/24",
                                          "10.0.0.0/8", "86.50.229.150"};
    static const char *const hosts[] = {"193.166.4.20", "188.184.9.236", "85.76.0.7", "85.76.1.1",
                                        "8.8.8.8"};
    Stats st = {.first = g_string_new(NULL)};
    unsigned rejected = 0;
    for (unsigned n = 0; n < 60; n++) {
        GRand *r = g_rand_new_with_seed(0xa11a0000u + n);
        GString *js = g_string_new(NULL);
        g_autoptr(GPtrArray) allow = g_ptr_array_new_with_free_func(g_free);
        g_string_append_printf(js, "{\"name\": \"wl-%u\", \"namespaces\": [{\"name\": \"n0\", "
                               "\"deployments\": [{\"name\": \"web\", \"replicas\": %d, "
                               "\"labels\": {\"app\": \"web\"}, \"ports\": [8080]}], "
                               "\"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, "
                               "\"ports\": [{\"port\": 80, \"target_port\": 8080}]}], \"routes\": [",
                               n, g_rand_int_range(r, 1, 4));
        unsigned n_routes = (unsigned)g_rand_int_range(r, 1, 4);
        for (unsigned k = 0; k < n_routes; k++) {
            GString *list = g_string_new(NULL);
            unsigned n_entries = (unsigned)g_rand_int_range(r, 0, 4);
            for (unsigned e = 0; e < n_entries; e++)
                g_string_append_printf(list, "%s%s", e ? " " : "", entries[g_rand_int_range(r, 0, 5)]);
            g_string_append_printf(js, "%s{\"name\": \"r%u\", \"service\": \"web\", \"tls\": \"%s\"",
                                   k ? ", " : "", k, g_rand_boolean(r) ? "edge" : "reencrypt");
            if (list->len > 0)
                g_string_append_printf(js, ", \"annotations\": {\"haproxy.router.openshift.io/"
                                       "ip_whitelist\": \"%s\"}", list->str);
            g_string_append(js, "}");
            g_ptr_array_add(allow, list->len > 0 ? g_string_free(list, FALSE) : (g_string_free(list, TRUE), NULL));
        }
        g_string_append(js, "]}], \"hosts\": [");
        for (unsigned h = 0; h < 5; h++)
            g_string_append_printf(js, "%s{\"name\": \"h%u\", \"ip\": \"%s\"}", h ? ", " : "", h, hosts[h]);
        g_string_append(js, "]}");
        GError *err = NULL;
        g_autoptr(RsScenario) sc = rs_scenario_load_data("wl", js->str, js->len, NULL, &err);
        if (sc == NULL) {
            violation(&st, n, "the generated scenario does not load: %s", err->message);
            g_error_free(err);
            g_string_free(js, TRUE);
            g_rand_free(r);
            continue;
        }
        g_string_free(js, TRUE);
        RsSim *sim = rs_sim_new(sc, n + 1, &err);
        if (sim == NULL) {
            violation(&st, n, "the generated scenario cannot be simulated: %s", err->message);
            g_error_free(err);
            g_rand_free(r);
            continue;
        }
        g_autoptr(GPtrArray) ctxs = g_ptr_array_new_with_free_func(wl_ctx_free);
        for (rs_time_t t = 10 * RS_SEC + RS_SEC / 10; t < 30 * RS_SEC; t += RS_SEC) {
            rs_engine_run(rs_sim_engine(sim), t);
            for (unsigned h = 0; h < 5; h++) {
                unsigned k = (unsigned)g_rand_int_range(r, 0, (gint32)n_routes);
                g_autofree char *name = g_strdup_printf("h%u", h);
                g_autofree char *url = g_strdup_printf("https://r%u-n0.rahtiapp.fi/", k);
                RsFrom from = {.kind = RS_FROM_HOST, .name = name};
                RsUrl to = {0};
                CU_ASSERT_FATAL(rs_url_parse(url, &to, NULL));
                WlCtx *c = g_new0(WlCtx, 1);
                c->st = &st;
                c->world = n;
                c->rejected = &rejected;
                rs_parse_ipv4(hosts[h], &c->client);
                c->allow = g_strdup(allow->pdata[k]);
                g_ptr_array_add(ctxs, c);
                rs_sim_request(sim, &from, &to, "whitelist", false, whitelist_done, c);
                rs_url_clear(&to);
            }
        }
        rs_engine_run(rs_sim_engine(sim), 120 * RS_SEC);
        rs_sim_free(sim);
        g_rand_free(r);
    }
    printf("\n  60 worlds with routes, %u requests, %u ok, %u rejected, %u violations\n", st.requests,
           st.oks, rejected, st.violations);
    if (st.violations > 0)
        printf("  first: %s\n", st.first->str);
    CU_ASSERT_EQUAL(st.violations, 0);
    CU_ASSERT(st.oks > 100);
    CU_ASSERT(rejected > 100);
    g_string_free(st.first, TRUE);
}

/* The checker itself notices a broken world: two live pods, one address. */
static void
test_checker_catches_duplicates(void)
{
    Stats st = {.first = g_string_new(NULL)};
    const char *json = "{\"name\": \"t\", \"namespaces\": [{\"name\": \"a\", \"pods\": "
                       "[{\"name\": \"p\"}, {\"name\": \"q\"}]}]}";
    GError *err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_data("t", json, strlen(json), NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    RsSim *sim = rs_sim_new(sc, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    rs_engine_run(rs_sim_engine(sim), 5 * RS_SEC);
    RsWorld *w = rs_sim_world(sim);
    check_addresses(w, &st, 0);
    CU_ASSERT_EQUAL(st.violations, 0);
    RsPod *p = rs_world_pod(w, "a", "p"), *q = rs_world_pod(w, "a", "q");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    uint32_t saved = q->ip;
    q->ip = p->ip;                  /* break the truth on purpose */
    check_addresses(w, &st, 0);
    CU_ASSERT(st.violations > 0);
    q->ip = saved;
    rs_sim_free(sim);
    g_string_free(st.first, TRUE);
}

int
main(void)
{
    static CU_TestInfo tests[] = {
        {"the checker catches a duplicate address", test_checker_catches_duplicates},
        {"random worlds break no invariant", test_random_worlds},
        {"no ok from outside a valid route whitelist", test_route_whitelists},
        CU_TEST_INFO_NULL,
    };
    return fx_main("invariants", tests);
}
