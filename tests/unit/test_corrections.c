/* test_corrections.c: the corrections C1-C10 of network-model.md (measured
 * against a real HAProxy running the OpenShift router template), one test
 * each, through whole simulations.  Each test fails on the model before the
 * correction. */
#include "config.h"

#include "rahtisim/router.h"
#include "sim-fixture.h"

#define S(x) ((rs_time_t)(x) * RS_SEC)
#define MS(x) ((rs_time_t)(x) * RS_MS)

/* One namespace `fenic`: deployment `web` (3 pods, 8080 and a TLS 8443 for
 * web.rahtiapp.fi), its service (80 -> 8080, 443 -> 8443), routes `extra`,
 * hosts curl (193.166.4.20), b (.21), c (.22). */
#define SC(platform, pods, routes, extra_top)                                                     \
    "{\"name\": \"t\", \"platform\": " platform ", \"namespaces\": [{\"name\": \"fenic\","       \
    " \"deployments\": [{\"name\": \"web\", \"replicas\": " pods ", \"labels\": {\"app\": \"web\"}," \
    "   \"ports\": [8080, {\"port\": 8443, \"tls\": \"*.rahtiapp.fi\"}]},"                        \
    "  {\"name\": \"api\", \"replicas\": 1, \"labels\": {\"app\": \"api\"}, \"ports\": [8080]},"  \
    "  {\"name\": \"slow\", \"replicas\": 1, \"labels\": {\"app\": \"slow\"}, \"service_time\": \"40s\"," \
    "   \"ports\": [{\"port\": 8443, \"tls\": \"slow.rahtiapp.fi\"}]}],"                         \
    " \"pods\": [{\"name\": \"debug\", \"labels\": {\"app\": \"debug\"}}],"                       \
    " \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}," \
    "   {\"port\": 443, \"target_port\": 8443, \"name\": \"https\"}]},"                           \
    "  {\"name\": \"api\", \"selector\": {\"app\": \"api\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}," \
    "  {\"name\": \"slow\", \"selector\": {\"app\": \"slow\"}, \"ports\": [{\"port\": 443, \"target_port\": 8443}]}]," \
    " \"routes\": [" routes "]}],"                                                                \
    " \"hosts\": [{\"name\": \"curl\", \"ip\": \"193.166.4.20\"}, {\"name\": \"b\", \"ip\": \"193.166.4.21\"}," \
    "  {\"name\": \"c\", \"ip\": \"193.166.4.22\"}]" extra_top "}"

#define PLAIN_WEB "{\"name\": \"web\", \"service\": \"web\", \"host\": \"web.rahtiapp.fi\", \"target_port\": 8080}"

/* Prints a result's hops (to see why, when an assertion fails). */
static void
dump(const RsResult *r)
{
    g_autoptr(GString) s = g_string_new(NULL);
    for (unsigned i = 0; i < r->n_hops; i++) {
        g_string_truncate(s, 0);
        rs_hop_describe(&r->hops[i], s);
        fprintf(stderr, "    %s\n", s->str);
    }
}

/* The outcome of one request (and its pod, if `pod` is given). */
static RsOutcome
outcome_at(RsSim *sim, rs_time_t at, const char *from, const char *url, const char **pod, rs_time_t *lat)
{
    RsResult *r = fx_request(sim, at, from, url, true);
    RsOutcome o = r->outcome;
    if (pod != NULL)
        *pod = r->pod;
    if (lat != NULL)
        *lat = r->latency;
    if (g_getenv("RS_TEST_DUMP") != NULL)
        dump(r);
    rs_result_free(r);
    return o;
}

/* C1: a route's numeric target_port is the endpoints' port: the service
 * port 80 (pods listen on 8080) leaves the route with no servers: 503. */
static void
test_c1_target_port(void)
{
    g_autoptr(RsSim) sim = fx_sim(SC("\"rahti-1\"", "2",
        "{\"name\": \"svcport\", \"service\": \"web\", \"host\": \"a.rahtiapp.fi\", \"target_port\": 80},"
        "{\"name\": \"podport\", \"service\": \"web\", \"host\": \"b.rahtiapp.fi\", \"target_port\": 8080},"
        "{\"name\": \"named\", \"service\": \"web\", \"host\": \"c.rahtiapp.fi\", \"target_port\": \"https\", \"tls\": \"passthrough\"}", ""), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 2), "curl", "http://a.rahtiapp.fi/", NULL, NULL), RS_OUTCOME_UNAVAILABLE);
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 3), "curl", "http://b.rahtiapp.fi/", NULL, NULL), RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 4), "curl", "https://c.rahtiapp.fi/", NULL, NULL), RS_OUTCOME_OK);
}

/* C2: port 80 chooses among routes that serve plain HTTP: an edge `/api`
 * route with insecure none is no candidate, the plain `/` route serves
 * /api/x; with no plain route the TLS one answers 503 (R24). */
static void
test_c2_port80_candidates(void)
{
    g_autoptr(RsSim) sim = fx_sim(SC("\"rahti-1\"", "1",
        PLAIN_WEB ","
        "{\"name\": \"api\", \"service\": \"api\", \"host\": \"web.rahtiapp.fi\", \"path\": \"/api\", \"tls\": \"edge\"},"
        "{\"name\": \"only\", \"service\": \"api\", \"host\": \"only.rahtiapp.fi\", \"tls\": \"edge\"},"
        "{\"name\": \"redir\", \"service\": \"api\", \"host\": \"web.rahtiapp.fi\", \"path\": \"/r\", \"tls\": \"edge\", \"insecure\": \"redirect\"}", ""), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    const char *pod = NULL;
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 2), "curl", "http://web.rahtiapp.fi/api/x", &pod, NULL), RS_OUTCOME_OK);
    CU_ASSERT_STRING_EQUAL(pod != NULL ? pod : "", "fenic/web-0");
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 3), "curl", "https://web.rahtiapp.fi/api/x", &pod, NULL), RS_OUTCOME_OK);
    CU_ASSERT_STRING_EQUAL(pod != NULL ? pod : "", "fenic/api-0");
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 4), "curl", "http://only.rahtiapp.fi/", NULL, NULL), RS_OUTCOME_UNAVAILABLE);
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 5), "curl", "http://web.rahtiapp.fi/r", NULL, NULL), RS_OUTCOME_REDIRECT);
}

/* C3: a Host with a trailing dot matches no route on rahti-1 (HAProxy 1.8
 * template); rahti-2 accepts it. */
static void
test_c3_trailing_dot(void)
{
    g_autoptr(RsSim) one = fx_sim(SC("\"rahti-1\"", "1", PLAIN_WEB, ""), 1);
    g_autoptr(RsSim) two = fx_sim(SC("\"rahti-2\"", "1",
        "{\"name\": \"web\", \"service\": \"web\", \"host\": \"web.2.rahtiapp.fi\", \"target_port\": 8080}", ""), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(one);
    CU_ASSERT_PTR_NOT_NULL_FATAL(two);
    CU_ASSERT_EQUAL(outcome_at(one, S(5 + 2), "curl", "http://web.rahtiapp.fi/", NULL, NULL), RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(outcome_at(one, S(5 + 3), "curl", "http://web.rahtiapp.fi./", NULL, NULL), RS_OUTCOME_UNAVAILABLE);
    CU_ASSERT_EQUAL(outcome_at(two, S(5 + 3), "curl", "http://web.2.rahtiapp.fi./", NULL, NULL), RS_OUTCOME_OK);
}

/* C4: a whitelist reject on a passthrough route is a TLS error for the
 * client; on an edge route it stays `rejected`. */
static void
test_c4_passthrough_reject(void)
{
    g_autoptr(RsSim) sim = fx_sim(SC("\"rahti-1\"", "1",
        "{\"name\": \"pt\", \"service\": \"web\", \"host\": \"pt.rahtiapp.fi\", \"target_port\": 8443, \"tls\": \"passthrough\","
        " \"annotations\": {\"haproxy.router.openshift.io/ip_whitelist\": \"10.1.2.3\"}},"
        "{\"name\": \"edge\", \"service\": \"web\", \"host\": \"edge.rahtiapp.fi\", \"target_port\": 8080, \"tls\": \"edge\","
        " \"annotations\": {\"haproxy.router.openshift.io/ip_whitelist\": \"10.1.2.3\"}}", ""), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 2), "curl", "https://pt.rahtiapp.fi/", NULL, NULL), RS_OUTCOME_TLS_ERROR);
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 3), "curl", "https://edge.rahtiapp.fi/", NULL, NULL), RS_OUTCOME_REJECTED);
}

/* The balance algorithm replica 0 loaded for route `name`. */
static int
loaded_balance(RsSim *sim, const char *full)
{
    RsWorld *w = rs_sim_world(sim);
    const RsRtConfig *cfg = w->replicas[0].proc->cfg;
    for (unsigned i = 0; i < cfg->n_backends; i++) {
        if (strcmp(cfg->backends[i].full, full) == 0)
            return (int)cfg->backends[i].balance;
    }
    return -1;
}

/* C5: `random` is no algorithm of rahti-1 (the default applies), it is one
 * of rahti-2; `source` is the client address modulo the total weight. */
static void
test_c5_balance(void)
{
#define RANDOM_ROUTE "{\"name\": \"r\", \"service\": \"web\", \"target_port\": 8080," \
    " \"annotations\": {\"haproxy.router.openshift.io/balance\": \"random\"}}," \
    "{\"name\": \"s\", \"service\": \"web\", \"host\": \"s.rahtiapp.fi\", \"target_port\": 8080," \
    " \"annotations\": {\"haproxy.router.openshift.io/balance\": \"source\"}}"
    g_autoptr(RsSim) one = fx_sim(SC("\"rahti-1\"", "3", RANDOM_ROUTE, ""), 1);
    g_autoptr(RsSim) two = fx_sim(SC("\"rahti-2\"", "3", RANDOM_ROUTE, ""), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(one);
    CU_ASSERT_PTR_NOT_NULL_FATAL(two);
    fx_run_to(one, S(1));
    fx_run_to(two, S(1));
    CU_ASSERT_EQUAL(loaded_balance(one, "fenic/r"), RS_BAL_LEASTCONN);
    CU_ASSERT_EQUAL(loaded_balance(two, "fenic/r"), RS_BAL_RANDOM);
    /* source: 193.166.4.20 % 3 = 2, .21 -> 0, .22 -> 1 (servers in order) */
    static const struct { const char *host, *pod; } want[] = {
        {"curl", "fenic/web-"}, {"b", "fenic/web-"}, {"c", "fenic/web-"},
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        const char *pod = NULL;
        uint32_t ip = fx_ip(i == 0 ? "193.166.4.20" : i == 1 ? "193.166.4.21" : "193.166.4.22");
        CU_ASSERT_EQUAL(outcome_at(one, S(5 + 2 + i), want[i].host, "http://s.rahtiapp.fi/", &pod, NULL), RS_OUTCOME_OK);
        g_autofree char *expect = g_strdup_printf("%s%u", want[i].pod, ip % 3);
        CU_ASSERT_STRING_EQUAL(pod != NULL ? pod : "", expect);
    }
}

/* C6: a dead server: rahti-1 retries it (15 s), rahti-2 redispatches at
 * the first retry (5 s); health checks wait the connect timeout, so it is
 * marked down 28 s after it died, not 13 s. */
static void
test_c6_dead_server(void)
{
    const char *crash = ", \"events\": [{\"at\": \"22s\", \"crash\": \"fenic/web-0\"}]";
    g_autofree char *one_json = g_strdup_printf(SC("{\"profile\": \"rahti-1\", \"router_replicas\": 1,"
                                                   " \"failure_detection\": \"2m\"}", "2", "%s", "%s"),
                                                PLAIN_WEB, crash);
    g_autofree char *two_json = g_strdup_printf(SC("{\"profile\": \"rahti-2\", \"router_replicas\": 1,"
                                                   " \"failure_detection\": \"2m\", \"balance\": \"leastconn\"}", "2", "%s", "%s"),
                                                "{\"name\": \"web\", \"service\": \"web\", \"host\": \"web.2.rahtiapp.fi\", \"target_port\": 8080}",
                                                crash);
    g_autoptr(RsSim) one = fx_sim(one_json, 1);
    g_autoptr(RsSim) two = fx_sim(two_json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(one);
    CU_ASSERT_PTR_NOT_NULL_FATAL(two);
    rs_time_t lat1 = 0, lat2 = 0;
    const char *pod = NULL;
    /* leastconn's first pick is web-0, the dead one */
    CU_ASSERT_EQUAL(outcome_at(one, MS(22100), "curl", "http://web.rahtiapp.fi/", &pod, &lat1), RS_OUTCOME_OK);
    CU_ASSERT(lat1 >= S(15) && lat1 < S(16));
    CU_ASSERT_EQUAL(outcome_at(two, MS(22100), "curl", "http://web.2.rahtiapp.fi/", &pod, &lat2), RS_OUTCOME_OK);
    CU_ASSERT(lat2 >= S(5) && lat2 < S(6));
    /* reload at 5 s; checks pass at 10, 15, 20 s; then 25 s (no answer:
     * fails at 30 s), 35 s (40 s), 45 s (50 s): down at 50 s */
    fx_run_to(one, S(49));
    CU_ASSERT_FALSE(fx_log_has(one, "mark fenic/web-0"));
    fx_run_to(one, S(51));
    CU_ASSERT_TRUE(fx_log_has(one, "mark fenic/web-0 (10.128.0.1:8080) of route fenic/web down"));
}

/* C7: after a reload every server is up with one check left: the first
 * failed check marks it down (each passing check gives one back). */
static void
test_c7_reload_one_check_left(void)
{
    g_autofree char *json = g_strdup_printf(
        SC("{\"profile\": \"rahti-1\", \"router_replicas\": 1, \"failure_detection\": \"2m\"}", "2", "%s", "%s"),
        PLAIN_WEB, ", \"events\": [{\"at\": \"12s\", \"annotate\": \"fenic/web\", \"key\": \"haproxy.router.openshift.io/timeout\","
                   " \"value\": \"20s\"}, {\"at\": \"13s\", \"crash\": \"fenic/web-0\"}]");
    g_autoptr(RsSim) sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    /* reload at 12 s; the first check at 17 s gets no answer: down at 22 s */
    fx_run_to(sim, S(21));
    CU_ASSERT_FALSE(fx_log_has(sim, "mark fenic/web-0"));
    fx_run_to(sim, S(23));
    CU_ASSERT_TRUE(fx_log_has(sim, "mark fenic/web-0 (10.128.0.1:8080) of route fenic/web down"));
}

/* C8: a passthrough backend silent past the route timeout: the router
 * closes the TCP connection: timeout, not HTTP 504. */
static void
test_c8_passthrough_timeout(void)
{
    g_autoptr(RsSim) sim = fx_sim(SC("\"rahti-1\"", "1",
        "{\"name\": \"slow\", \"service\": \"slow\", \"host\": \"slow.rahtiapp.fi\", \"tls\": \"passthrough\"},"
        "{\"name\": \"slowedge\", \"service\": \"slow\", \"host\": \"se.rahtiapp.fi\", \"tls\": \"reencrypt\"}", ""), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    rs_time_t lat = 0;
    CU_ASSERT_EQUAL(outcome_at(sim, S(5 + 2), "curl", "https://slow.rahtiapp.fi/", NULL, &lat), RS_OUTCOME_TIMEOUT);
    CU_ASSERT(lat >= S(30) && lat < S(31));
}

/* C9: in a pod network of two addresses a replacement pod gets the address
 * just released, and the log says why. */
static void
test_c9_small_network(void)
{
    g_autoptr(RsSim) sim = fx_sim(
        "{\"name\": \"t\", \"platform\": {\"profile\": \"rahti-1\", \"pod_network\": \"10.128.0.0/30\"},"
        " \"namespaces\": [{\"name\": \"fenic\", \"deployments\": [{\"name\": \"web\", \"replicas\": 2,"
        " \"labels\": {\"app\": \"web\"}, \"ports\": [8080]}]}],"
        " \"events\": [{\"at\": \"5s\", \"delete\": \"fenic/web-0\"}]}", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    /* web-0 still holds its address when web-2 is created: web-2 waits 10 s */
    fx_run_to(sim, S(16));
    CU_ASSERT_EQUAL(fx_pod_ip(sim, "fenic", "web-2"), fx_ip("10.128.0.1"));
    CU_ASSERT_TRUE(fx_log_has(sim, "handed out again at once (C9)"));
}

/* The pods that served `n` requests of requester `stream` (one a second
 * from `t0`), optionally with requests of `other` interleaved half a second
 * later; returns them as one string. */
static char *
served_sequence(const char *json, const char *stream, const char *other, unsigned n, bool external)
{
    g_autoptr(RsSim) sim = fx_sim(json, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(GPtrArray) mine = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    g_autoptr(GPtrArray) theirs = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    const char *from = external ? "curl" : "fenic/debug";
    const char *url = external ? "http://r-fenic.2.rahtiapp.fi/" : "http://web.fenic/";
    for (unsigned i = 0; i < n; i++) {
        fx_run_to(sim, S(2 + i));
        fx_send(sim, from, false, url, stream, false, mine);
        if (other != NULL) {
            fx_run_to(sim, S(2 + i) + MS(500));
            fx_send(sim, from, false, url, other, false, theirs);
        }
    }
    fx_wait(sim, mine, n);
    GString *s = g_string_new(NULL);
    for (unsigned i = 0; i < mine->len; i++) {
        const RsResult *r = mine->pdata[i];
        g_string_append_printf(s, "%s ", r->pod != NULL ? r->pod : "-");
    }
    return g_string_free(s, FALSE);
}

/* C10: probes and traffic draw from their own streams: adding one never
 * changes what the other sees (the service's random endpoint choice, the
 * VIP's replica, rahti-2's random balance, service times), both ways. */
static void
test_c10_independent_streams(void)
{
    const char *json = SC("{\"profile\": \"rahti-2\", \"router_replicas\": 2}", "3",
        "{\"name\": \"r\", \"service\": \"web\", \"target_port\": 8080}", "");
    for (int external = 0; external <= 1; external++) {
        g_autofree char *traffic_alone = served_sequence(json, "traffic/t", NULL, 40, external);
        g_autofree char *traffic_probed = served_sequence(json, "traffic/t", "expect/0", 40, external);
        CU_ASSERT_STRING_EQUAL(traffic_alone, traffic_probed);
        g_autofree char *probe_alone = served_sequence(json, "expect/0", NULL, 40, external);
        g_autofree char *probe_loaded = served_sequence(json, "expect/0", "traffic/t", 40, external);
        CU_ASSERT_STRING_EQUAL(probe_alone, probe_loaded);
        /* and the choices are random, not constant */
        CU_ASSERT_PTR_NOT_NULL(strstr(traffic_alone, "web-0"));
        CU_ASSERT_PTR_NOT_NULL(strstr(traffic_alone, "web-2"));
    }
}

int
main(void)
{
    static CU_TestInfo tests[] = {
        {"C1 target_port is the endpoints' port", test_c1_target_port},
        {"C2 port 80 candidates", test_c2_port80_candidates},
        {"C3 trailing dot in Host", test_c3_trailing_dot},
        {"C4 whitelist reject on passthrough is a TLS error", test_c4_passthrough_reject},
        {"C5 balance per profile, source hash", test_c5_balance},
        {"C6 dead server: retries and health-check timing", test_c6_dead_server},
        {"C7 after a reload: one check left", test_c7_reload_one_check_left},
        {"C8 passthrough timeout", test_c8_passthrough_timeout},
        {"C9 small network: address handed out again at once", test_c9_small_network},
        {"C10 probes and traffic draw from their own streams", test_c10_independent_streams},
        CU_TEST_INFO_NULL,
    };
    return fx_main("corrections", tests);
}
