/* test_request.c: the request pipeline: isolation (R2, R9, R12), ports (R11),
 * endpoint choice (R13), refusals (R14), the view's lag (R15), crashes (R7),
 * queues and timeouts (R38), TLS inside the cluster, determinism (R37). */
#include "config.h"

#include <math.h>

#include "sim-fixture.h"

#define S(x) ((rs_time_t)((x) * (double)RS_SEC))

/* A namespace with four nginx pods behind three services (one per
 * balancing mode), a TLS port, a TCP pod, a privileged pod, and a client
 * pod in another namespace. */
static const char *SCN =
    "{\"name\": \"t\", \"namespaces\": [{\"name\": \"fenic\","
    " \"deployments\": [{\"name\": \"nginx\", \"replicas\": 4, \"labels\": {\"app\": \"nginx\"},"
    "                    \"ports\": [8081, {\"port\": 8443, \"name\": \"https\", \"tls\": \"nginx.fenic.svc\"}]},"
    "                   {\"name\": \"mongo\", \"replicas\": 1, \"labels\": {\"app\": \"mongo\"}, \"ports\": [27017], \"protocol\": \"tcp\"},"
    "                   {\"name\": \"web\", \"replicas\": 1, \"labels\": {\"app\": \"web\"}, \"ports\": [80, 8080]},"
    "                   {\"name\": \"slow\", \"replicas\": 1, \"labels\": {\"app\": \"slow\"}, \"ports\": [8080],"
    "                    \"concurrency\": 1, \"service_time\": \"1s\"}],"
    " \"pods\": [{\"name\": \"debug\"}, {\"name\": \"debug2\"}],"
    " \"services\": [{\"name\": \"nginx\", \"selector\": {\"app\": \"nginx\"},"
    "                \"ports\": [{\"port\": 80, \"target_port\": 8081}, {\"port\": 443, \"target_port\": \"https\"}]},"
    "              {\"name\": \"rr\", \"selector\": {\"app\": \"nginx\"}, \"balance\": \"round-robin\", \"ports\": [{\"port\": 80, \"target_port\": 8081}]},"
    "              {\"name\": \"sticky\", \"selector\": {\"app\": \"nginx\"}, \"affinity\": \"client-ip\", \"ports\": [{\"port\": 80, \"target_port\": 8081}]},"
    "              {\"name\": \"mongo\", \"selector\": {\"app\": \"mongo\"}, \"ports\": [{\"port\": 27017}]},"
    "              {\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]},"
    "              {\"name\": \"slow\", \"selector\": {\"app\": \"slow\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]},"
    "              {\"name\": \"none\", \"selector\": {\"app\": \"nothing\"}, \"ports\": [{\"port\": 80}]}]},"
    " {\"name\": \"other\", \"pods\": [{\"name\": \"client\"}]}],"
    " \"events\": [{\"at\": \"100s\", \"delete\": \"fenic/nginx-0\"}, {\"at\": \"200s\", \"crash\": \"fenic/nginx-1\"}]}";

/* Stores a copy of a result in the slot `data` points to. */
static void
done_slot(RsSim *sim, const RsResult *res, void *data)
{
    *(RsResult **)data = rs_result_dup(res);
    (void)sim;
}

/* Sends `n` requests now and waits for all; returns the results in the
 * order they were sent (they complete in another order). */
static GPtrArray *
burst(RsSim *sim, rs_time_t at, const char *from, const char *url, unsigned n)
{
    fx_run_to(sim, at);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    g_ptr_array_set_size(out, (gint)n);
    char buf[128];
    RsFrom f = fx_from(from, false, buf, sizeof buf);
    RsUrl u;
    CU_ASSERT_FATAL(rs_url_parse(url, &u, NULL));
    for (unsigned i = 0; i < n; i++)
        rs_sim_request(sim, &f, &u, "burst", false, done_slot, &out->pdata[i]);
    rs_url_clear(&u);
    RsEngine *eng = rs_sim_engine(sim);
    for (;;) {
        unsigned have = 0;
        for (unsigned i = 0; i < n; i++)
            have += out->pdata[i] != NULL;
        if (have == n || rs_engine_pending(eng) == 0)
            break;
        rs_engine_run(eng, rs_engine_next_time(eng));
    }
    for (unsigned i = 0; i < n; i++)
        CU_ASSERT_PTR_NOT_NULL_FATAL(out->pdata[i]);
    return out;
}

/* The basic walk: ok, 200, the serving pod, the client's address, latency. */
static void
test_ok(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(RsResult) r = fx_request(sim, S(5), "fenic/debug", "http://nginx/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(r->status, 200);
    CU_ASSERT_TRUE(r->pod != NULL && g_str_has_prefix(r->pod, "fenic/nginx-"));
    CU_ASSERT_EQUAL(r->source_ip, fx_pod_ip(sim, "fenic", "debug"));
    CU_ASSERT_STRING_EQUAL(r->from_pod, "fenic/debug");
    /* 1 DNS query + there + back, plus the service time */
    CU_ASSERT_TRUE(r->latency >= 3 * 200 * RS_US);
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_SVC_PICK, RS_R13));
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_DNS_QUERY, RS_R17));
    /* The hop sentence carries its rule from the data. */
    for (unsigned i = 0; i < r->n_hops; i++) {
        if (r->hops[i].kind != RS_HOP_SVC_PICK)
            continue;
        g_autoptr(GString) s = g_string_new(NULL);
        rs_hop_describe(&r->hops[i], s);
        CU_ASSERT_TRUE(g_str_has_suffix(s->str, "(R13)"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s->str, "chosen at random among 4 endpoints"));
    }
}

/* R13: uniform random over 4 pods stays within binomial bounds (fixed seed). */
static void
test_random_spread(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    const unsigned n = 4000;
    g_autoptr(GPtrArray) out = burst(sim, S(5), "fenic/debug", "http://nginx/", n);
    unsigned count[4] = {0};
    for (unsigned i = 0; i < out->len; i++) {
        const RsResult *r = out->pdata[i];
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
        int k = r->pod ? r->pod[strlen(r->pod) - 1] - '0' : -1;
        CU_ASSERT_TRUE_FATAL(k >= 0 && k < 4);
        count[k]++;
    }
    /* mean 1000, sd sqrt(4000 * 1/4 * 3/4) = 27.4: +-5 sd */
    for (unsigned k = 0; k < 4; k++)
        CU_ASSERT_TRUE(fabs((double)count[k] - 1000.0) < 5 * 27.4);
    /* ... and not suspiciously exact (a round-robin in disguise) */
    CU_ASSERT_FALSE(count[0] == 1000 && count[1] == 1000 && count[2] == 1000);
}

/* How the service picked the endpoint of a recorded result (its R50 pick
 * hop's RsPickHow), or -1 when it has no such hop. */
static int
pick_how(const RsResult *r)
{
    for (unsigned i = 0; i < r->n_hops; i++)
        if (r->hops[i].kind == RS_HOP_SVC_PICK)
            return (int)r->hops[i].m;
    return -1;
}

/* R13: round-robin is exact; client-ip affinity sticks. */
static void
test_rr_and_affinity(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(GPtrArray) out = burst(sim, S(5), "fenic/debug", "http://rr/", 12);
    for (unsigned i = 0; i < out->len; i++) {
        const RsResult *r = out->pdata[i];
        char want[32];
        g_snprintf(want, sizeof want, "fenic/nginx-%u", i % 4);
        CU_ASSERT_STRING_EQUAL(r->pod, want);
    }
    g_autoptr(GPtrArray) s1 = burst(sim, S(6), "fenic/debug", "http://sticky/", 50);
    g_autoptr(GPtrArray) s2 = burst(sim, S(7), "fenic/debug2", "http://sticky/", 50);
    const char *first1 = ((RsResult *)s1->pdata[0])->pod;
    const char *first2 = ((RsResult *)s2->pdata[0])->pod;
    for (unsigned i = 0; i < 50; i++) {
        CU_ASSERT_STRING_EQUAL(((RsResult *)s1->pdata[i])->pod, first1);
        CU_ASSERT_STRING_EQUAL(((RsResult *)s2->pdata[i])->pod, first2);
    }
    /* R13: the affinity lasts 10800 s (3 h) after the client's last
     * connection: debug2 keeps its pod across gaps of 50 min, 2 h 12 min
     * and 2 min, and the service says it picked by affinity (a shorter
     * timeout, e.g. the mutant's 10 s, re-picks at random; comparing only
     * the pod let that mutant through when the random re-picks happened to
     * land on the same pod three times, 1 in 64, as they did after C10
     * gave each requester its own stream). */
    static const double later[] = {3007, 10930, 11050};
    for (unsigned k = 0; k < G_N_ELEMENTS(later); k++) {
        g_autoptr(RsResult) r = fx_request(sim, S(later[k]), "fenic/debug2", "http://sticky/", true);
        CU_ASSERT_STRING_EQUAL(r->pod, first2);
        CU_ASSERT_EQUAL(pick_how(r), (int)RS_PICK_AFFINITY);
    }
    /* after the affinity timeout (10800 s) the choice is made again, at
     * random: no pick is by affinity, and over 40 fresh choices at least
     * two pods are seen */
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (unsigned k = 0; k < 40; k++) {
        g_autoptr(RsResult) r = fx_request(sim, S(300 + 10801.0 * (k + 1)), "fenic/debug", "http://sticky/", true);
        CU_ASSERT_EQUAL(pick_how(r), (int)RS_PICK_RANDOM);
        if (r->pod != NULL)
            g_hash_table_add(seen, (gpointer)r->pod);
    }
    CU_ASSERT_TRUE(g_hash_table_size(seen) >= 2);
}

/* R15: a fresh service has no data-plane rules until endpoint_delay; then it
 * refuses (R14) until its pods are ready and the view has them. */
static void
test_view_lag(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(RsResult) a = fx_request(sim, S(0.5), "fenic/debug", "http://nginx/", true);
    CU_ASSERT_EQUAL(a->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(a, RS_HOP_NO_RULES, RS_R15));
    CU_ASSERT_EQUAL(a->latency, 200 * RS_US + 10 * RS_SEC);       /* DNS + connect timeout */
    g_autoptr(RsResult) b = fx_request(sim, S(12), "fenic/debug", "http://nginx/", true);
    CU_ASSERT_EQUAL(b->outcome, RS_OUTCOME_OK);
    /* pods ready at 2 s, view at 3 s: a request at 2.5 s is refused */
    g_autoptr(RsSim) sim2 = fx_sim(SCN, 1);
    g_autoptr(RsResult) c = fx_request(sim2, S(2.5), "fenic/debug", "http://nginx/", true);
    CU_ASSERT_EQUAL(c->outcome, RS_OUTCOME_REFUSED);
    CU_ASSERT_TRUE(fx_has_hop(c, RS_HOP_SVC_NO_ENDPOINTS, RS_R14));
    g_autoptr(RsResult) d = fx_request(sim2, S(3.0), "fenic/debug", "http://nginx/", false);
    CU_ASSERT_EQUAL(d->outcome, RS_OUTCOME_OK);
}

/* R14, R9, R5, R4: the refusals. */
static void
test_refused(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(RsResult) a = fx_request(sim, S(1.5), "fenic/debug", "http://none/", true);
    CU_ASSERT_EQUAL(a->outcome, RS_OUTCOME_REFUSED);
    CU_ASSERT_TRUE(fx_has_hop(a, RS_HOP_SVC_NO_ENDPOINTS, RS_R14));
    CU_ASSERT_EQUAL(a->latency, 2 * 200 * RS_US);                 /* DNS + the REJECT */
    g_autoptr(RsResult) b = fx_request(sim, S(1.6), "fenic/debug", "http://@fenic/nginx-0:8081/", true);
    CU_ASSERT_EQUAL(b->outcome, RS_OUTCOME_REFUSED);                /* still starting */
    CU_ASSERT_TRUE(fx_has_hop(b, RS_HOP_POD_STARTING, RS_R5));
    g_autoptr(RsResult) c = fx_request(sim, S(5), "fenic/debug", "http://@fenic/nginx-0:9999/", true);
    CU_ASSERT_EQUAL(c->outcome, RS_OUTCOME_REFUSED);
    CU_ASSERT_TRUE(fx_has_hop(c, RS_HOP_NO_LISTENER, RS_R9));
    g_autoptr(RsResult) d = fx_request(sim, S(6), "fenic/debug", "http://@fenic/web-0:8080/", true);
    CU_ASSERT_EQUAL(d->outcome, RS_OUTCOME_REFUSED);
    CU_ASSERT_TRUE(fx_has_hop(d, RS_HOP_POD_FAILED, RS_R4));
    /* the failing pod is never an endpoint: its service refuses */
    g_autoptr(RsResult) e = fx_request(sim, S(7), "fenic/debug", "http://web/", true);
    CU_ASSERT_EQUAL(e->outcome, RS_OUTCOME_REFUSED);
}

/* R2, R9, R11, R12: the drops, which end in the client's timeout. */
static void
test_timeouts(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(RsResult) a = fx_request(sim, S(5), "other/client", "http://nginx.fenic/", true);
    CU_ASSERT_EQUAL(a->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(a, RS_HOP_SVC_OTHER_NS, RS_R12));
    CU_ASSERT_EQUAL(a->dns_queries, 2);
    char url[64], ip[16];
    g_snprintf(url, sizeof url, "http://%s:8081/", rs_ipv4_format(fx_pod_ip(sim, "fenic", "nginx-2"), ip));
    g_autoptr(RsResult) b = fx_request(sim, S(20), "other/client", url, true);
    CU_ASSERT_EQUAL(b->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(b, RS_HOP_POD_OTHER_NS, RS_R9));
    g_autoptr(RsResult) c = fx_request(sim, S(35), "fenic/debug", "http://nginx:8081/", true);
    CU_ASSERT_EQUAL(c->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(c, RS_HOP_SVC_NO_PORT, RS_R11));
    g_autoptr(RsResult) d = fx_request(sim, S(50), "fenic/debug", "http://10.128.9.9:8081/", true);
    CU_ASSERT_EQUAL(d->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(d, RS_HOP_NO_HOLDER, RS_R9));
    CU_ASSERT_EQUAL(d->latency, 10 * RS_SEC);
    /* R6 + R3: the deleted pod's old address reaches nothing */
    g_autoptr(RsResult) e = fx_request(sim, S(101), "fenic/debug", "http://@fenic/nginx-0:8081/", true);
    CU_ASSERT_EQUAL(e->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(e, RS_HOP_POD_REF, RS_R3));
}

/* R7: a crashed pod's connections time out until its failure is detected and
 * the view has dropped it; then the others serve. */
static void
test_crash_window(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    /* round-robin over 4 endpoints: every 4th connection hits nginx-1 */
    g_autoptr(GPtrArray) during = burst(sim, S(210), "fenic/debug", "http://rr/", 8);
    unsigned to = 0, ok = 0;
    for (unsigned i = 0; i < during->len; i++) {
        const RsResult *r = during->pdata[i];
        to += r->outcome == RS_OUTCOME_TIMEOUT;
        ok += r->outcome == RS_OUTCOME_OK;
    }
    CU_ASSERT_EQUAL(to, 2);
    CU_ASSERT_EQUAL(ok, 6);
    g_autoptr(RsResult) crashed = fx_request(sim, S(230), "fenic/debug", "http://@fenic/nginx-1:8081/", true);
    CU_ASSERT_EQUAL(crashed->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(crashed, RS_HOP_POD_CRASHED, RS_R7));
    /* detected at 240 s, dropped from the view at 241 s */
    g_autoptr(GPtrArray) after = burst(sim, S(241.5), "fenic/debug", "http://rr/", 8);
    for (unsigned i = 0; i < after->len; i++)
        CU_ASSERT_EQUAL(((RsResult *)after->pdata[i])->outcome, RS_OUTCOME_OK);
}

/* Between a delete and the view's refresh the old endpoint is stale (R15). */
static void
test_stale_endpoint(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(GPtrArray) out = NULL;
    fx_run_to(sim, S(100.5));
    out = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    for (unsigned i = 0; i < 4; i++)
        fx_send(sim, "fenic/debug", false, "http://rr/", "s", true, out);
    fx_wait(sim, out, 4);
    unsigned stale = 0;
    for (unsigned i = 0; i < out->len; i++)
        stale += fx_has_hop(out->pdata[i], RS_HOP_NO_HOLDER, RS_R15);
    CU_ASSERT_EQUAL(stale, 1);
}

/* TLS inside the cluster and protocol mismatches (docs/model-choices.md). */
static void
test_tls_and_protocols(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(RsResult) a = fx_request(sim, S(5), "fenic/debug", "https://nginx.fenic.svc/", false);
    CU_ASSERT_EQUAL(a->outcome, RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(a->status, 200);
    /* R23 inside the cluster: the certificate is for nginx.fenic.svc, not for "nginx". */
    g_autoptr(RsResult) a2 = fx_request(sim, S(5), "fenic/debug", "https://nginx/", true);
    CU_ASSERT_EQUAL(a2->outcome, RS_OUTCOME_TLS_ERROR);
    CU_ASSERT_TRUE(fx_has_hop(a2, RS_HOP_POD_TLS_CERT, RS_R23));
    g_autoptr(RsResult) b = fx_request(sim, S(6), "fenic/debug", "https://nginx:80/", false);
    CU_ASSERT_EQUAL(b->outcome, RS_OUTCOME_TLS_ERROR);
    CU_ASSERT_EQUAL(b->status, 0);
    g_autoptr(RsResult) c = fx_request(sim, S(7), "fenic/debug", "http://nginx:443/", false);
    CU_ASSERT_EQUAL(c->outcome, RS_OUTCOME_BAD_REQUEST);
    CU_ASSERT_EQUAL(c->status, 400);
    g_autoptr(RsResult) d = fx_request(sim, S(8), "fenic/debug", "http://mongo:27017/", true);
    CU_ASSERT_EQUAL(d->outcome, RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(d->status, 0);
    g_autoptr(RsResult) e = fx_request(sim, S(9), "fenic/debug", "tcp://nginx:80", false);
    CU_ASSERT_EQUAL(e->outcome, RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(e->status, 0);
}

/* R38: a pod's queue; the client gives up after its timeout; the pool does not grow per request. */
static void
test_queue_and_pool(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(GPtrArray) out = burst(sim, S(5), "fenic/debug", "http://slow/", 30);
    unsigned ok = 0, to = 0;
    rs_time_t last_ok = 0;
    bool increasing = true;
    for (unsigned i = 0; i < out->len; i++) {
        const RsResult *r = out->pdata[i];
        if (r->outcome == RS_OUTCOME_OK) {
            ok++;
            increasing = increasing && r->latency >= last_ok;
            last_ok = r->latency;
        }
        to += r->outcome == RS_OUTCOME_TIMEOUT;
    }
    /* one worker, 1 s mean: about ten finish before the others give up */
    CU_ASSERT_TRUE(ok >= 3 && ok <= 25);
    CU_ASSERT_TRUE(to >= 5);
    CU_ASSERT_EQUAL(ok + to, 30);
    CU_ASSERT_TRUE(increasing);                     /* FIFO: served in order */
    /* Sequential requests reuse pooled objects: the pool holds what was in
     * flight at once (the burst), not one object per request. */
    fx_run_to(sim, S(60));          /* the slow pod lets go of what was given up on */
    unsigned pooled = rs_sim_requests_allocated(sim);
    CU_ASSERT_TRUE(pooled >= 30 && pooled <= 31);
    for (unsigned i = 0; i < 200; i++) {
        g_autoptr(RsResult) r = fx_request(sim, S(61 + i * 0.1), "fenic/debug", "http://nginx/", false);
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
    }
    CU_ASSERT_EQUAL(rs_sim_requests_allocated(sim), pooled);
}

/* Collects a compact trace of results for the determinism test. */
static void
trace_run(uint64_t seed, GString *trace)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, seed);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    for (unsigned k = 0; k < 5; k++) {
        g_autoptr(GPtrArray) out = burst(sim, S(5 + 50 * k), "fenic/debug", "http://nginx/", 40);
        for (unsigned i = 0; i < out->len; i++) {
            const RsResult *r = out->pdata[i];
            g_string_append_printf(trace, "%s %s %" G_GINT64_FORMAT "\n", rs_outcome_word(r->outcome),
                                   r->pod ? r->pod : "-", r->latency);
        }
    }
}

/* R37: same scenario and seed, same results; another seed, other choices. */
static void
test_determinism(void)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autoptr(GString) b = g_string_new(NULL);
    g_autoptr(GString) c = g_string_new(NULL);
    trace_run(42, a);
    trace_run(42, b);
    trace_run(43, c);
    CU_ASSERT_STRING_EQUAL(a->str, b->str);
    CU_ASSERT_STRING_NOT_EQUAL(a->str, c->str);
}

/* Requesters: a deployment sends from one of its ready pods; a missing or
 * stopped pod sends nothing, nor does a host the scenario does not have. */
static void
test_requesters(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(5));
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    fx_send(sim, "fenic/nginx", true, "http://mongo:27017/", "dep", true, out);
    fx_send(sim, "fenic/nope", false, "http://nginx/", NULL, true, out);
    fx_send(sim, "laptop", false, "http://nginx/", NULL, true, out);
    CU_ASSERT_EQUAL(out->len, 0);                   /* never called back from inside */
    fx_wait(sim, out, 3);
    CU_ASSERT_EQUAL_FATAL(out->len, 3);
    const RsResult *from_dep = NULL, *missing = NULL, *host = NULL;
    for (unsigned i = 0; i < 3; i++) {
        const RsResult *r = out->pdata[i];
        if (r->n_hops > 0 && strcmp(r->hops[0].name, "laptop") == 0)
            host = r;
        else if (fx_has_hop(r, RS_HOP_SOURCE_DOWN, RS_RULE_NONE))
            missing = r;
        else
            from_dep = r;
    }
    CU_ASSERT_TRUE_FATAL(from_dep && missing && host);
    CU_ASSERT_EQUAL(from_dep->outcome, RS_OUTCOME_OK);
    CU_ASSERT_TRUE(g_str_has_prefix(from_dep->from_pod, "fenic/nginx-"));
    CU_ASSERT_EQUAL(missing->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_EQUAL(host->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(host, RS_HOP_SOURCE_DOWN, RS_RULE_NONE));
    char buf[64];
    RsFrom f = fx_from("laptop", false, buf, sizeof buf);
    RsUrl u = {.scheme = RS_SCHEME_HTTP, .port = 80};
    GError *err = NULL;
    CU_ASSERT_FALSE(rs_sim_check_request(sim, &f, &u, &err));
    CU_ASSERT_TRUE(g_error_matches(err, RS_SIM_ERROR, RS_SIM_ERROR_INVALID));
    g_clear_error(&err);
}

int
main(void)
{
    static const CU_TestInfo tests[] = {
        {"ok: status, pod, source address, hops", test_ok},
        {"random endpoint choice within binomial bounds (R13)", test_random_spread},
        {"round-robin exact, client-ip affinity sticks (R13)", test_rr_and_affinity},
        {"the data plane's view lags (R15, R14)", test_view_lag},
        {"refused: no endpoints, no listener, starting, failing (R14, R9, R5, R4)", test_refused},
        {"timeouts: other namespace, pod IP, port, unknown (R12, R9, R11)", test_timeouts},
        {"crash: timeouts until detection (R7)", test_crash_window},
        {"deleted pod stale in the view (R15)", test_stale_endpoint},
        {"TLS and protocol mismatches", test_tls_and_protocols},
        {"pod queue and client timeout (R38)", test_queue_and_pool},
        {"determinism (R37)", test_determinism},
        {"requesters: deployment, missing pod, host", test_requesters},
        CU_TEST_INFO_NULL,
    };
    return fx_main("request", tests);
}
