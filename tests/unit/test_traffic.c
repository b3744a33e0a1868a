/* test_traffic.c: CUnit tests of the traffic generators and their statistics.
 *
 * Known distributions: a service balancing at random over 4 pods (R13)
 * gives each pod a Binomial(n, 1/4) count, checked per pod against
 * +-4.5 standard deviations and all together with a chi-square test, for
 * several seeds; round-robin (R13) gives exactly n/4 each; constant
 * arrivals give exactly rate x time requests, Poisson arrivals a count
 * within +-5 standard deviations of it; the latency of a pod with an
 * exponential service time (R38) has the percentiles of the exponential
 * distribution plus the fixed network latency.  Also: memory and pools do
 * not grow with the number of requests, runs are deterministic (R37), and
 * windows count only what was sent in them.  Through the router: a host
 * keeping cookies with many clients spreads over the pods, with one client
 * it sticks to one, a host keeping none is balanced per request (R26, R27).
 * Seeds are fixed: a failure reproduces exactly.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "rahtisim/expect.h"
#include "rahtisim/report.h"
#include "rahtisim/sim.h"
#include "rahtisim/traffic.h"
#include "cu-main.h"

/* A namespace with `pods` nginx pods behind a service balancing `balance`,
 * a client pod, and one traffic source; extra is appended to the object. */
static char *
scenario_text(unsigned pods, const char *balance, const char *arrivals, const char *rate,
              const char *start, const char *stop, const char *extra)
{
    return g_strdup_printf(
        "{\"name\": \"t\", \"namespaces\": [{\"name\": \"ns\","
        " \"deployments\": [{\"name\": \"web\", \"replicas\": %u, \"labels\": {\"app\": \"web\"},"
        "   \"ports\": [8080], \"service_time\": \"5ms\"}],"
        " \"pods\": [{\"name\": \"client\", \"labels\": {\"app\": \"client\"}}],"
        " \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"balance\": \"%s\","
        "   \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]}],"
        " \"traffic\": [{\"name\": \"load\", \"from\": \"ns/client\", \"to\": \"http://web/\","
        "   \"rate\": \"%s\", \"arrivals\": \"%s\", \"start\": \"%s\", \"stop\": \"%s\", \"clients\": 8}]"
        "%s}",
        pods, balance, rate, arrivals, start, stop, extra ? extra : "");
}

static RsScenario *
load(const char *text)
{
    RsLimits lim;
    rs_limits_default(&lim);
    GError *err = NULL;
    RsScenario *sc = rs_scenario_load_data("test", text, strlen(text), &lim, &err);
    if (sc == NULL) {
        fprintf(stderr, "load: %s\n", err->message);
        g_error_free(err);
    }
    return sc;
}

static RsRunResult *
run(const RsScenario *sc, uint64_t seed)
{
    GError *err = NULL;
    RsRunResult *r = rs_run_scenario(sc, seed, &err);
    if (r == NULL) {
        fprintf(stderr, "run: %s\n", err->message);
        g_error_free(err);
    }
    return r;
}

/* R13 random: each of 4 pods gets Binomial(4000, 1/4): within 4.5 sd, and
 * the chi-square statistic (3 degrees of freedom) under 16.27 (p = 0.001). */
static void
test_random_binomial(void)
{
    g_autofree char *text = scenario_text(4, "random", "constant", "1000/s", "3s", "7s", NULL);
    g_autoptr(RsScenario) sc = load(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        g_autoptr(RsRunResult) r = run(sc, seed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL_FATAL(r->n_traffic, 1);
        const RsTrafficStats *st = r->traffic[0];
        CU_ASSERT_EQUAL(st->sent, 4000);
        CU_ASSERT_EQUAL(st->outcomes[RS_OUTCOME_OK], 4000);
        CU_ASSERT_EQUAL_FATAL(st->pods->len, 4);
        double n = 4000, p = 0.25, sd = sqrt(n * p * (1 - p)), chi2 = 0;
        uint64_t sum = 0;
        for (unsigned k = 0; k < 4; k++) {
            const RsTrafficPod *pod = st->pods->pdata[k];
            double dev = (double)pod->served - n * p;
            CU_ASSERT(fabs(dev) <= 4.5 * sd);
            chi2 += dev * dev / (n * p);
            sum += pod->served;
            CU_ASSERT_STRING_EQUAL(pod->owner, "ns/web");
        }
        CU_ASSERT_EQUAL(sum, 4000);
        CU_ASSERT(chi2 < 16.27);
    }
}

/* R13 round-robin: exactly a quarter each. */
static void
test_roundrobin_exact(void)
{
    g_autofree char *text = scenario_text(4, "round-robin", "poisson", "1000/s", "3s", "7s", NULL);
    g_autoptr(RsScenario) sc = load(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    g_autoptr(RsRunResult) r = run(sc, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    const RsTrafficStats *st = r->traffic[0];
    CU_ASSERT_EQUAL_FATAL(st->pods->len, 4);
    CU_ASSERT_EQUAL(st->outcomes[RS_OUTCOME_OK], st->sent);
    /* Poisson arrivals: any count; round-robin deals them out in turn. */
    for (unsigned k = 0; k < 4; k++) {
        uint64_t c = ((const RsTrafficPod *)st->pods->pdata[k])->served;
        CU_ASSERT(c == st->sent / 4 || c == st->sent / 4 + 1);
    }
    /* Pods are reported in creation order. */
    CU_ASSERT_STRING_EQUAL(((const RsTrafficPod *)st->pods->pdata[0])->name, "ns/web-0");
    CU_ASSERT_STRING_EQUAL(((const RsTrafficPod *)st->pods->pdata[3])->name, "ns/web-3");
}

/* Constant arrivals: exactly rate x (stop - start); Poisson: within 5 sd. */
static void
test_arrival_counts(void)
{
    g_autofree char *c = scenario_text(2, "random", "constant", "250/s", "3s", "11s", NULL);
    g_autoptr(RsScenario) sc = load(c);
    g_autoptr(RsRunResult) r = run(sc, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->traffic[0]->sent, 2000);

    g_autofree char *p = scenario_text(2, "random", "poisson", "250/s", "3s", "11s", NULL);
    g_autoptr(RsScenario) sp = load(p);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        g_autoptr(RsRunResult) rp = run(sp, seed);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rp);
        double n = (double)rp->traffic[0]->sent;
        CU_ASSERT(fabs(n - 2000) <= 5 * sqrt(2000));
        CU_ASSERT_EQUAL(rp->traffic[0]->outcomes[RS_OUTCOME_OK], rp->traffic[0]->sent);
    }
}

/* R38: latency = 3 cluster latencies (the DNS answer, the way to the pod,
 * the way back: 3 x 200 us) + an exponential service time of mean 5 ms
 * (light load: no queueing), so the quantile q is 0.6 ms + 5 ms x -ln(1 - q). */
static void
test_latency_distribution(void)
{
    g_autofree char *text = scenario_text(4, "random", "poisson", "200/s", "3s", "63s", NULL);
    g_autoptr(RsScenario) sc = load(text);
    g_autoptr(RsRunResult) r = run(sc, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    const RsTrafficStats *st = r->traffic[0];
    CU_ASSERT(st->latency.count > 11000);
    static const double qs[] = {0.5, 0.9, 0.99};
    for (unsigned k = 0; k < 3; k++) {
        double want = 0.6e6 + 5e6 * -log(1 - qs[k]);
        double got = (double)rs_hist_quantile(&st->latency, qs[k]);
        CU_ASSERT(fabs(got - want) / want < 0.06);
    }
    CU_ASSERT(st->latency.min >= 600000);
}

/* Memory: the pipeline's and the generator's pools and the statistics do
 * not grow with the number of requests (4x the requests, same sizes). */
static void
test_memory_constant(void)
{
    unsigned pool[2], traffic_pool[2], buckets_bytes[2];
    const char *stops[] = {"13s", "43s"};
    for (int i = 0; i < 2; i++) {
        g_autofree char *text = scenario_text(4, "random", "poisson", "2000/s", "3s", stops[i],
                                              ", \"duration\": \"60s\"");
        g_autoptr(RsScenario) sc = load(text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        GError *err = NULL;
        RsSim *sim = rs_sim_new(sc, 1, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
        RsTraffic *tr = rs_traffic_new(sim, sc, 60 * RS_SEC, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
        rs_traffic_start(tr);
        rs_sim_run_until(sim, 60 * RS_SEC);
        CU_ASSERT_EQUAL(rs_traffic_in_flight(tr), 0);
        const RsTrafficStats *st = rs_traffic_stats(tr, "load");
        CU_ASSERT(st->sent > (i == 0 ? 15000u : 70000u));
        pool[i] = rs_sim_requests_allocated(sim);
        traffic_pool[i] = rs_traffic_pool_size(tr);
        buckets_bytes[i] = st->n_buckets;
        for (unsigned k = 0; k < st->pods->len; k++)
            buckets_bytes[i] += 1;
        rs_traffic_free(tr);
        rs_sim_free(sim);
    }
    CU_ASSERT(pool[0] <= 64);
    CU_ASSERT(pool[1] <= pool[0] + 16);     /* in flight at once, not sent */
    CU_ASSERT_EQUAL(traffic_pool[0], traffic_pool[1]);
    CU_ASSERT_EQUAL(buckets_bytes[0], buckets_bytes[1]);
}

/* R37: the same seed gives the same JSON; another seed other numbers. */
static void
test_determinism(void)
{
    g_autofree char *text = scenario_text(3, "random", "poisson", "300/s", "3s", "9s", NULL);
    g_autoptr(RsScenario) sc = load(text);
    g_autoptr(RsRunResult) a = run(sc, 7);
    g_autoptr(RsRunResult) b = run(sc, 7);
    g_autoptr(RsRunResult) c = run(sc, 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    cJSON *ja = rs_report_json_run(a), *jb = rs_report_json_run(b), *jc = rs_report_json_run(c);
    char *sa = cJSON_Print(ja), *sb = cJSON_Print(jb), *sc2 = cJSON_Print(jc);
    CU_ASSERT_STRING_EQUAL(sa, sb);
    CU_ASSERT_STRING_NOT_EQUAL(sa, sc2);
    cJSON_free(sa);
    cJSON_free(sb);
    cJSON_free(sc2);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    cJSON_Delete(jc);
}

/* A pod deleted at 10 s (R6): the service still sends to it until its view
 * catches up (R15, 1 s), those requests time out (R9, R38); windows see
 * timeouts only where they happened. */
static void
test_windows_across_failure(void)
{
    g_autofree char *text = scenario_text(
        4, "round-robin", "constant", "100/s", "3s", "20s",
        ", \"duration\": \"30s\", \"events\": [{\"at\": \"10s\", \"delete\": \"ns/web-0\"}],"
        " \"expect\": ["
        "  {\"traffic\": \"load\", \"between\": [\"3s\", \"10s\"], \"share\": {\"ok\": {\"min\": 1}},"
        "   \"spread\": {\"over\": \"ns/web\", \"max_deviation\": 0.01}},"
        "  {\"traffic\": \"load\", \"between\": [\"10s\", \"11s\"], \"share\": {\"timeout\": {\"min\": 0.2, \"max\": 0.3}}},"
        "  {\"traffic\": \"load\", \"between\": [\"12s\", \"20s\"], \"share\": {\"ok\": {\"min\": 1}},"
        "   \"latency\": {\"p50\": \"20ms\", \"p99\": {\"max\": \"50ms\"}}},"
        "  {\"traffic\": \"load\", \"share\": {\"ok\": {\"min\": 0.99}}}"
        "]");
    g_autoptr(RsScenario) sc = load(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    g_autoptr(RsRunResult) r = run(sc, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(r->n_results, 4);
    CU_ASSERT(r->results[0].passed);
    CU_ASSERT(r->results[1].passed);
    CU_ASSERT(r->results[2].passed);
    CU_ASSERT(!r->results[3].passed);       /* the whole run has the timeouts */
    const RsTrafficStats *st = r->traffic[0];
    CU_ASSERT_EQUAL(st->sent, 1700);
    /* 100/s over the 1 s the view lags, a quarter of them to the deleted pod */
    CU_ASSERT(st->outcomes[RS_OUTCOME_TIMEOUT] >= 20 && st->outcomes[RS_OUTCOME_TIMEOUT] <= 30);
    CU_ASSERT_EQUAL(st->outcomes[RS_OUTCOME_OK] + st->outcomes[RS_OUTCOME_TIMEOUT] +
                        st->outcomes[RS_OUTCOME_REFUSED], st->sent);
    CU_ASSERT_EQUAL(st->pods->len, 5);      /* web-0..3 and the replacement web-4 */
}

/* A deployment as the requester: any of its ready pods sends (R13 applies per request). */
static void
test_from_deployment(void)
{
    const char *text =
        "{\"name\": \"d\", \"duration\": \"10s\", \"namespaces\": [{\"name\": \"ns\","
        " \"deployments\": [{\"name\": \"web\", \"replicas\": 2, \"labels\": {\"app\": \"web\"}, \"ports\": [8080]},"
        "   {\"name\": \"front\", \"replicas\": 3, \"labels\": {\"app\": \"front\"}}],"
        " \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"},"
        "   \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]}],"
        " \"traffic\": [{\"name\": \"f\", \"from\": \"ns/front\", \"to\": \"http://web.ns.svc.cluster.local/\","
        "   \"rate\": 100, \"arrivals\": \"constant\", \"start\": \"4s\", \"stop\": \"9s\"}]}";
    g_autoptr(RsScenario) sc = load(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    g_autoptr(RsRunResult) r = run(sc, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->traffic[0]->sent, 500);
    CU_ASSERT_EQUAL(r->traffic[0]->outcomes[RS_OUTCOME_OK], 500);
}

/* An edge route over 3 pods and one traffic source from host `host`
 * (browser: keeps cookies; curl: keeps none) with `clients` clients, 100
 * requests a second for 10 s; `annotations` is the route's annotation
 * object.  rahti-1 (leastconn), one router replica. */
static char *
edge_text(const char *host, unsigned clients, const char *annotations)
{
    return g_strdup_printf(
        "{\"name\": \"sticky\", \"duration\": \"20s\","
        " \"platform\": {\"profile\": \"rahti-1\", \"router_replicas\": 1},"
        " \"namespaces\": [{\"name\": \"shop\","
        " \"deployments\": [{\"name\": \"web\", \"replicas\": 3, \"labels\": {\"app\": \"web\"},"
        "   \"ports\": [8080]}],"
        " \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"},"
        "   \"ports\": [{\"port\": 80, \"target_port\": 8080}]}],"
        " \"routes\": [{\"name\": \"cart\", \"service\": \"web\", \"tls\": \"edge\","
        "   \"annotations\": %s}]}],"
        " \"hosts\": [{\"name\": \"browser\", \"ip\": \"193.166.4.20\", \"cookies\": true},"
        "   {\"name\": \"curl\", \"ip\": \"193.166.4.21\"}],"
        " \"traffic\": [{\"name\": \"users\", \"from\": \"%s\", \"to\": \"https://cart-shop.rahtiapp.fi/\","
        "   \"rate\": \"100/s\", \"arrivals\": \"constant\", \"start\": \"6s\", \"stop\": \"16s\","
        "   \"clients\": %u}]}",
        annotations ? annotations : "{}", host, clients);
}

/* The ok answers of each pod of source 0, in pod creation order (3 pods). */
static void
ok_per_pod(const RsRunResult *r, uint64_t ok[3])
{
    ok[0] = ok[1] = ok[2] = 0;
    const RsTrafficStats *st = r->traffic[0];
    for (unsigned i = 0; i < st->pods->len; i++) {
        const RsTrafficPod *p = st->pods->pdata[i];
        for (unsigned k = 0; k < 3; k++) {
            char name[32];
            g_snprintf(name, sizeof name, "shop/web-%u", k);
            if (strcmp(p->name, name) == 0)
                ok[k] = p->ok;
        }
    }
}

/* Runs edge_text and returns the ok answers per pod; all 1000 must be ok. */
static bool
run_edge(const char *host, unsigned clients, const char *annotations, uint64_t seed, uint64_t ok[3])
{
    g_autofree char *text = edge_text(host, clients, annotations);
    g_autoptr(RsScenario) sc = load(text);
    if (sc == NULL)
        return false;
    g_autoptr(RsRunResult) r = run(sc, seed);
    if (r == NULL)
        return false;
    CU_ASSERT_EQUAL(r->traffic[0]->sent, 1000);
    CU_ASSERT_EQUAL(r->traffic[0]->outcomes[RS_OUTCOME_OK], 1000);
    ok_per_pod(r, ok);
    return true;
}

/* R27: a host that keeps cookies with 50 clients is 50 browsers, each with
 * its own jar: each sticks to the pod its first answer came from, and the
 * first answers are balanced (R26), so the load spreads over all 3 pods
 * (the share of a pod is its clients / 50: each at least 10 of 50 here).
 * With one client, every request carries the same cookie: one pod gets all.
 * Before clients were real (one jar per host), 50 clients stuck to one pod
 * like one: this test failed. */
static void
test_cookie_clients_spread(void)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        uint64_t ok[3];
        CU_ASSERT_FATAL(run_edge("browser", 50, NULL, seed, ok));
        for (unsigned k = 0; k < 3; k++) {
            /* whole clients: 20 requests each; leastconn over idle servers
             * gives the first answers in turn, so 16-17 clients per pod */
            CU_ASSERT(ok[k] % 20 == 0);
            CU_ASSERT(ok[k] >= 200 && ok[k] <= 480);
        }
        CU_ASSERT_FATAL(run_edge("browser", 1, NULL, seed, ok));
        CU_ASSERT_EQUAL(ok[0] + ok[1] + ok[2], 1000);
        CU_ASSERT_EQUAL((ok[0] == 1000) + (ok[1] == 1000) + (ok[2] == 1000), 1);
    }
}

/* R27: curl keeps no cookie: every request is balanced on its own (R26,
 * leastconn rotating over idle servers), with one client or fifty. */
static void
test_no_cookies_per_request(void)
{
    for (unsigned clients = 1; clients <= 50; clients += 49) {
        uint64_t ok[3];
        CU_ASSERT_FATAL(run_edge("curl", clients, NULL, 1, ok));
        for (unsigned k = 0; k < 3; k++)
            CU_ASSERT(ok[k] >= 300 && ok[k] <= 367);
    }
    /* cookies disabled on the route: the browser is balanced per request too */
    uint64_t ok[3];
    CU_ASSERT_FATAL(run_edge("browser", 1, "{\"haproxy.router.openshift.io/disable_cookies\": \"true\"}",
                             1, ok));
    for (unsigned k = 0; k < 3; k++)
        CU_ASSERT(ok[k] >= 300 && ok[k] <= 367);
}

/* R26: `balance source` hashes the client's source ADDRESS (HAProxy), not
 * its port: the 50 clients of one host are one source, so one pod gets all
 * (cookies disabled so that only the algorithm decides). */
static void
test_source_balance_per_address(void)
{
    uint64_t ok[3];
    CU_ASSERT_FATAL(run_edge("curl", 50, "{\"haproxy.router.openshift.io/balance\": \"source\"}", 1, ok));
    CU_ASSERT_EQUAL((ok[0] == 1000) + (ok[1] == 1000) + (ok[2] == 1000), 1);
}

/* A spread counts the deployment's pods that answered ok in the window and
 * those ready for all of it: with client-ip affinity (R13) one client pod
 * lands on one of 3 ready pods, the other two are starved and the spread
 * fails, however loose; the JSON report lists them with 0 answers. */
static void
test_spread_starved(void)
{
    const char *text =
        "{\"name\": \"s\", \"duration\": \"20s\", \"namespaces\": [{\"name\": \"ns\","
        " \"deployments\": [{\"name\": \"web\", \"replicas\": 3, \"labels\": {\"app\": \"web\"},"
        "   \"ports\": [8080]}],"
        " \"pods\": [{\"name\": \"client\", \"labels\": {\"app\": \"client\"}}],"
        " \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"affinity\": \"client-ip\","
        "   \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]}],"
        " \"traffic\": [{\"name\": \"load\", \"from\": \"ns/client\", \"to\": \"http://web/\","
        "   \"rate\": \"100/s\", \"start\": \"4s\"}],"
        " \"expect\": [{\"traffic\": \"load\", \"between\": [\"5s\", \"20s\"],"
        "   \"spread\": {\"over\": \"ns/web\", \"max_deviation\": 5}},"
        "  {\"traffic\": \"load\", \"spread\": {\"over\": \"ns/web\", \"max_deviation\": 5}}]}";
    g_autoptr(RsScenario) sc = load(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    g_autoptr(RsRunResult) r = run(sc, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_FALSE(r->results[0].passed);
    const cJSON *sp = cJSON_GetObjectItem(r->results[0].observed, "spread");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(sp, "pods")), 3);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(sp, "starved")), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->results[0].summary, "starved"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r->results[0].explanation, "starved: ready for the whole window"));
    /* the whole run: no pod was ready at 0 s, so only the serving pod counts
     * and one pod alone is an even spread */
    CU_ASSERT_TRUE(r->results[1].passed);
    /* the JSON report: every pod behind the service, 0 included, by name */
    cJSON *t = rs_report_json_traffic(r->traffic[0]);
    const cJSON *pods = cJSON_GetObjectItem(t, "pods");
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(pods), 3);
    const char *names[] = {"ns/web-0", "ns/web-1", "ns/web-2"};
    uint64_t sum = 0;
    unsigned zero = 0;
    for (int i = 0; i < 3; i++) {
        const cJSON *c = cJSON_GetArrayItem(pods, i);
        CU_ASSERT_STRING_EQUAL(c->string, names[i]);
        CU_ASSERT_FATAL(cJSON_IsRaw(c));       /* exact integers (add_u64) */
        double v = strtod(c->valuestring, NULL);
        sum += (uint64_t)v;
        zero += v == 0;
    }
    CU_ASSERT_EQUAL(zero, 2);
    CU_ASSERT_EQUAL(sum, r->traffic[0]->sent);
    cJSON_Delete(t);
}

/* An expectation whose time the run never reached says what it asked and
 * why it was not judged (here the duration is moved under it after
 * loading: the loader rejects such a file). */
static void
test_not_evaluated(void)
{
    const char *text =
        "{\"name\": \"n\", \"duration\": \"10s\", \"namespaces\": [{\"name\": \"ns\","
        " \"pods\": [{\"name\": \"p\", \"ports\": [8080]}]}],"
        " \"expect\": [{\"at\": \"5s\", \"from\": \"ns/p\", \"to\": \"http://ns-p/\", \"outcome\": \"ok\"},"
        "  {\"at\": \"5s\", \"from\": \"ns/p\", \"resolve\": \"x.example\", \"answer\": \"nxdomain\"},"
        "  {\"at\": \"5s\", \"pod\": \"ns/p\", \"state\": \"ready\"},"
        "  {\"at\": \"5s\", \"pod\": \"ns/p\", \"state\": \"ready\"}]}";
    g_autoptr(RsScenario) sc = load(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    for (unsigned i = 0; i < 3; i++)
        sc->expect[i].at = 20 * RS_SEC;
    g_autoptr(RsRunResult) r = run(sc, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    static const char *const sums[] = {"ns/p -> http://ns-p/ at 20s: not evaluated",
                                       "resolve x.example from ns/p at 20s: not evaluated",
                                       "pod ns/p at 20s: not evaluated"};
    static const char *const keys[] = {"outcome", "answer", "state"};
    for (unsigned i = 0; i < 3; i++) {
        const RsExpectResult *e = &r->results[i];
        CU_ASSERT_FALSE(e->passed);
        CU_ASSERT_STRING_EQUAL(e->summary, sums[i]);
        CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(e->expected, keys[i]));
        CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItem(e->observed, "evaluated")));
        CU_ASSERT_STRING_EQUAL(e->explanation, "not evaluated: the run ended at 10s (its duration), "
                                               "before this expectation's time 20s");
    }
    CU_ASSERT_TRUE(r->results[3].passed);
    CU_ASSERT_EQUAL(r->failed, 3);
}

int
main(void)
{
    static CU_TestInfo tests[] = {
        {"random balancing is binomial (R13)", test_random_binomial},
        {"round-robin is exact (R13)", test_roundrobin_exact},
        {"constant and Poisson arrival counts", test_arrival_counts},
        {"latency follows the service time (R38)", test_latency_distribution},
        {"memory does not grow with requests", test_memory_constant},
        {"determinism (R37)", test_determinism},
        {"windows across a pod deletion (R6, R15)", test_windows_across_failure},
        {"from a deployment", test_from_deployment},
        {"browser clients each keep a cookie jar (R27)", test_cookie_clients_spread},
        {"clients without cookies are balanced per request (R26, R27)", test_no_cookies_per_request},
        {"source balancing hashes the address, not the client (R26)", test_source_balance_per_address},
        {"spread counts pods ready for the whole window: starved pods fail (R13)", test_spread_starved},
        {"expectations never reached say what and why", test_not_evaluated},
        CU_TEST_INFO_NULL,
    };
    return fx_main("traffic", tests);
}
