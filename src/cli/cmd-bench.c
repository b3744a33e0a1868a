/* cmd-bench.c: `rahtisim bench`, speed measurements of the simulator's parts.
 *
 * `bench engine` runs the classic hold model on the event queue: P events
 * are pending at all times; each executed event schedules one new event at
 * now + U(0, 1 ms) (integer nanoseconds from an RsRng stream), so the queue
 * size stays at P while N events execute.  Only the run is timed (not the
 * priming of the queue), with CLOCK_MONOTONIC.  The callback is a real
 * function call through the engine, so the figure is what a simulation pays
 * per event before doing any work of its own (docs/performance.md).
 *
 * `bench requests` measures the whole request pipeline under traffic: a
 * cluster of --pods P pods in --services S deployments, each behind its
 * own service, and T traffic sources (--sources, default S: one per
 * service; fewer are spread evenly over the services), from a client
 * deployment, by DNS name, Poisson arrivals, sending --requests R requests
 * in all at --rate requests per simulated second.  The cluster is built
 * and brought to readiness first (not timed); then the run from the first
 * request to the last answer is timed.  Each request is a DNS walk, a
 * service pick, a pod queue and an answer, several engine events, with
 * the statistics streamed (traffic.h).  The figure to watch is the cost per
 * request as P and S grow: every step is a hash lookup or an array index,
 * so it should not grow with the cluster (docs/performance.md).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include "rahtisim/util.h"
#include "rahtisim/cli.h"
#include "rahtisim/engine.h"
#include "rahtisim/rng.h"
#include "rahtisim/scenario.h"
#include "rahtisim/sim.h"
#include "rahtisim/traffic.h"

static const char bench_usage[] =
    "usage: rahtisim bench engine [--events N] [--pending P] [--seed S] [--format text|json]\n"
    "       rahtisim bench requests [--pods P] [--services S] [--requests R] [--rate N]\n"
    "                               [--sources T] [--policies N] [--route] [--seed S]\n"
    "                               [--format text|json]\n"
    "\n"
    "  engine    the hold model: P events pending at all times, each executed event\n"
    "            schedules one at now + U(0, 1 ms); prints events/s\n"
    "            --events N   events to execute (default 10000000; 1e7 is accepted)\n"
    "            --pending P  queue size held during the run (default 10000)\n"
    "            --seed S     master seed of the delays (default 1)\n"
    "            --format F   text (default) or json\n"
    "  requests  the whole request pipeline under traffic: P pods in S deployments,\n"
    "            each behind a service, S traffic sources by DNS name; prints requests/s\n"
    "            --pods P      pods in all (default 1000)\n"
    "            --services S  services, one deployment each (default 10)\n"
    "            --sources T   traffic sources, to T services spread evenly (default S)\n"
    "            --policies N  rahti-2 with N network policies selecting every pod (default 0:\n"
    "                          rahti-1, no policies; R40-R46)\n"
    "            --route       each service behind a route, the sources send to the routes'\n"
    "                          hosts through the router (R20, R26): --services 1 is one\n"
    "                          route with --pods servers\n"
    "            --requests R  requests to send (default 1000000; 1e6 is accepted)\n"
    "            --rate N      requests per simulated second, all sources (default 20000)\n"
    "            --seed S      master seed (default 1)\n"
    "            --format F    text (default) or json\n";

typedef struct {
    RsRng rng;
    uint64_t left;              /* events still to execute */
} HoldModel;

/* One hold-model event: schedules its successor, stops after the last one. */
static void
hold_event(RsEngine *eng, void *obj, uint64_t arg)
{
    HoldModel *hm = obj;
    rs_time_t at = rs_engine_now(eng) + (rs_time_t)rs_rng_below(&hm->rng, (uint64_t)RS_MS);
    rs_engine_schedule(eng, at, hold_event, hm, arg);
    if (--hm->left == 0)
        rs_engine_stop(eng);
}

/* Parses a count: decimal digits with an optional exponent ("10000", "1e7"). */
static int
parse_count(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (s == NULL || *s < '0' || *s > '9')
        return rs_cli_usage_error("bench: %s wants a number, got '%s'", opt, s ? s : "");
    uint64_t v = strtoull(s, &end, 10);
    if (errno == 0 && (*end == 'e' || *end == 'E') && end[1] >= '0' && end[1] <= '9') {
        char *exp_end;
        unsigned long e = strtoul(end + 1, &exp_end, 10);
        for (unsigned long i = 0; i < e && errno == 0; i++) {
            if (v > UINT64_MAX / 10)
                errno = ERANGE;
            v *= 10;
        }
        end = exp_end;
    }
    if (errno != 0 || *end != '\0')
        return rs_cli_usage_error("bench: %s wants a number, got '%s'", opt, s);
    *out = v;
    return RS_EXIT_OK;
}

/* Seconds elapsed since `t0` on the monotonic clock. */
static double
seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* `bench engine`: runs the hold model and prints the event rate. */
static int
bench_engine(int argc, char **argv)
{
    uint64_t events = 10000000, pending = 10000, seed = 1;
    bool json = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0)
            a = "--help";
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        char name[32];
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        if (strncmp(a, "--", 2) != 0 || nlen >= sizeof name)
            return rs_cli_usage_error("bench engine: unexpected argument '%s'", a);
        memcpy(name, a, nlen);
        name[nlen] = '\0';
        if (strcmp(name, "--help") == 0) {
            fputs(bench_usage, stdout);
            return RS_EXIT_OK;
        }
        if (strcmp(name, "--events") != 0 && strcmp(name, "--pending") != 0 &&
            strcmp(name, "--seed") != 0 && strcmp(name, "--format") != 0)
            return rs_cli_usage_error("bench engine: unknown option '%s' (see rahtisim bench --help)", name);
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return rs_cli_usage_error("bench engine: %s wants a value", name);

        int rc = RS_EXIT_OK;
        if (strcmp(name, "--events") == 0)
            rc = parse_count(name, val, &events);
        else if (strcmp(name, "--pending") == 0)
            rc = parse_count(name, val, &pending);
        else if (strcmp(name, "--seed") == 0)
            rc = parse_count(name, val, &seed);
        else if (strcmp(val, "json") == 0)
            json = true;
        else if (strcmp(val, "text") == 0)
            json = false;
        else
            return rs_cli_usage_error("bench engine: --format is text or json, not '%s'", val);
        if (rc != RS_EXIT_OK)
            return rc;
    }
    if (events == 0 || pending == 0)
        return rs_cli_usage_error("bench engine: --events and --pending must be at least 1");
    if (pending > 50000000)
        return rs_cli_usage_error("bench engine: --pending is at most 50000000");

    RsEngine *eng = rs_engine_new();
    HoldModel hm;
    rs_rng_init(&hm.rng, seed, "bench/engine/hold");
    hm.left = events;
    for (uint64_t i = 0; i < pending; i++)
        rs_engine_schedule(eng, (rs_time_t)rs_rng_below(&hm.rng, (uint64_t)RS_MS), hold_event, &hm, i);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t done = rs_engine_run(eng, RS_TIME_NEVER);
    double secs = seconds_since(&t0);
    double rate = secs > 0 ? (double)done / secs : 0.0;
    rs_time_t end_time = rs_engine_now(eng);
    uint64_t left = rs_engine_pending(eng);
    rs_engine_free(eng);

    if (json)
        printf("{\"bench\": \"engine\", \"model\": \"hold\", \"pending\": %" PRIu64
               ", \"events\": %" PRIu64 ", \"seed\": %" PRIu64 ", \"seconds\": %.6f"
               ", \"events_per_second\": %.0f, \"simulated_ns\": %" PRId64 "}\n",
               left, done, seed, secs, rate, (int64_t)end_time);
    else
        printf("bench engine: hold model, %" PRIu64 " pending, %" PRIu64
               " events in %.3f s: %.2f M events/s (seed %" PRIu64 ", simulated %.6f s)\n",
               left, done, secs, rate / 1e6, seed, (double)end_time / (double)RS_SEC);
    return RS_EXIT_OK;
}

/* The benchmark cluster as a scenario: namespace bench, S deployments app-i
 * with P/S pods (the first P mod S get one more) behind services svc-i, a
 * client deployment, one traffic source per service. */
/* --policies N (R40-R46): N network policies in the namespace (rahti-2,
 * no default policies), every one selecting every pod for ingress and
 * egress, so each connection and each DNS lookup is judged against all N
 * on both ends; only the last one allows the client's traffic (ingress
 * from app=client on 8080, egress to the namespace and to the DNS pods on
 * 5353), so the verdict walks all of them before it finds the rule. */
static void
bench_policies(GString *s, uint64_t n)
{
    g_string_append(s, ",\n \"default_policies\": false, \"network_policies\": [");
    for (uint64_t k = 0; k < n; k++) {
        bool last = k + 1 == n;
        g_string_append_printf(s, "%s\n  {\"name\": \"p-%" PRIu64 "\", \"pod_selector\": {},"
                               " \"policy_types\": [\"Ingress\", \"Egress\"],", k ? "," : "", k);
        if (!last)
            g_string_append_printf(s, " \"ingress\": [{\"from\": [{\"pod_selector\": {\"match_labels\":"
                                   " {\"app\": \"app-%" PRIu64 "\"}}}], \"ports\": [{\"port\": 8080}]}],"
                                   " \"egress\": [{\"to\": [{\"namespace_selector\": {\"match_labels\":"
                                   " {\"team\": \"t-%" PRIu64 "\"}}}]}]}", k, k);
        else
            g_string_append(s, " \"ingress\": [{\"from\": [{\"pod_selector\": {\"match_labels\":"
                            " {\"app\": \"client\"}}}], \"ports\": [{\"port\": 8080}]}],"
                            " \"egress\": [{\"to\": [{\"pod_selector\": {}}]}, {\"to\": [{\"namespace_selector\":"
                            " {\"match_labels\": {\"kubernetes.io/metadata.name\": \"openshift-dns\"}}}],"
                            " \"ports\": [{\"port\": 5353, \"protocol\": \"UDP\"}]}]}");
    }
    g_string_append(s, "]");
}

static char *
bench_scenario(uint64_t pods, uint64_t services, uint64_t sources, uint64_t requests, double rate,
               uint64_t policies, bool route, rs_time_t start, rs_time_t *stop)
{
    /* The networks are sized for the benchmark's maximum (profile
     * overrides): 10^6 pods need more than the /14 pod network (262 142
     * addresses), 10^5 services more than the /16 service network. */
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "{\"name\": \"bench-requests\",\n"
                           " \"platform\": {\"profile\": \"%s\", \"pod_network\": \"10.0.0.0/8\","
                           " \"service_network\": \"172.16.0.0/12\", \"dns_server\": \"172.16.0.10\"},\n"
                           " \"namespaces\": [{\"name\": \"bench\",\n"
                           " \"deployments\": [\n"
                           "  {\"name\": \"client\", \"replicas\": 4, \"labels\": {\"app\": \"client\"}}",
                           policies > 0 ? "rahti-2" : "rahti-1");
    for (uint64_t i = 0; i < services; i++) {
        uint64_t n = pods / services + (i < pods % services ? 1 : 0);
        g_string_append_printf(s, ",\n  {\"name\": \"app-%" PRIu64 "\", \"replicas\": %" PRIu64
                               ", \"labels\": {\"app\": \"app-%" PRIu64 "\"}, \"ports\": [8080],"
                               " \"service_time\": \"1ms\", \"concurrency\": 100}", i, n, i);
    }
    g_string_append(s, "],\n \"services\": [");
    for (uint64_t i = 0; i < services; i++)
        g_string_append_printf(s, "%s\n  {\"name\": \"svc-%" PRIu64 "\", \"selector\": {\"app\": \"app-%"
                               PRIu64 "\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}",
                               i ? "," : "", i, i);
    g_string_append(s, "]");
    /* --route: route r-i for service svc-i under the profile's app domain (R20, R22) */
    const char *app_domain = policies > 0 ? "2.rahtiapp.fi" : "rahtiapp.fi";
    if (route) {
        g_string_append(s, ",\n \"routes\": [");
        for (uint64_t i = 0; i < services; i++)
            g_string_append_printf(s, "%s\n  {\"name\": \"r-%" PRIu64 "\", \"service\": \"svc-%" PRIu64
                                   "\", \"host\": \"r-%" PRIu64 ".%s\"}", i ? "," : "", i, i, i, app_domain);
        g_string_append(s, "]");
    }
    if (policies > 0)
        bench_policies(s, policies);
    /* Each of the T sources sends requests / T at rate / T to service i S / T: all stop together. */
    double secs = (double)requests / rate;
    *stop = start + (rs_time_t)llround(secs * (double)RS_SEC);
    char b1[32], b2[32];
    g_string_append(s, "}],\n \"traffic\": [");
    for (uint64_t i = 0; i < sources; i++) {
        char to[96];
        if (route)
            g_snprintf(to, sizeof to, "r-%" PRIu64 ".%s", i * services / sources, app_domain);
        else
            g_snprintf(to, sizeof to, "svc-%" PRIu64, i * services / sources);
        g_string_append_printf(s, "%s\n  {\"name\": \"load-%" PRIu64 "\", \"from\": \"bench/client\","
                               " \"to\": \"http://%s/\", \"rate\": %.17g, \"start\": \"%s\","
                               " \"stop\": \"%s\", \"clients\": 10}", i ? "," : "", i,
                               to, rate / (double)sources,
                               rs_duration_format(start, b1), rs_duration_format(*stop, b2));
    }
    g_string_append(s, "]}\n");
    return g_string_free(s, FALSE);
}

/* `bench requests`: the pipeline's cost per request at a cluster size. */
static int
bench_requests(int argc, char **argv)
{
    uint64_t pods = 1000, services = 10, sources = 0, requests = 1000000, seed = 1, rate_n = 20000;
    uint64_t policies = 0;
    bool json = false, route = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(bench_usage, stdout);
            return RS_EXIT_OK;
        }
        if (strcmp(a, "--route") == 0) {
            route = true;
            continue;
        }
        const char *eq = strchr(a, '=');
        char name[32];
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        if (strncmp(a, "--", 2) != 0 || nlen >= sizeof name)
            return rs_cli_usage_error("bench requests: unexpected argument '%s'", a);
        memcpy(name, a, nlen);
        name[nlen] = '\0';
        const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (val == NULL)
            return rs_cli_usage_error("bench requests: %s wants a value", name);
        int rc;
        if (strcmp(name, "--pods") == 0)
            rc = parse_count(name, val, &pods);
        else if (strcmp(name, "--services") == 0)
            rc = parse_count(name, val, &services);
        else if (strcmp(name, "--requests") == 0)
            rc = parse_count(name, val, &requests);
        else if (strcmp(name, "--policies") == 0)
            rc = parse_count(name, val, &policies);
        else if (strcmp(name, "--sources") == 0)
            rc = parse_count(name, val, &sources);
        else if (strcmp(name, "--rate") == 0)
            rc = parse_count(name, val, &rate_n);
        else if (strcmp(name, "--seed") == 0)
            rc = parse_count(name, val, &seed);
        else if (strcmp(name, "--format") == 0) {
            if (strcmp(val, "json") != 0 && strcmp(val, "text") != 0)
                return rs_cli_usage_error("bench requests: --format is text or json, not '%s'", val);
            json = strcmp(val, "json") == 0;
            rc = RS_EXIT_OK;
        } else
            return rs_cli_usage_error("bench requests: unknown option '%s' (see rahtisim bench --help)", name);
        if (rc != RS_EXIT_OK)
            return rc;
    }
    if (services == 0 || pods < services || requests == 0 || rate_n == 0)
        return rs_cli_usage_error("bench requests: need --services >= 1, --pods >= --services, "
                                  "--requests >= 1 and --rate >= 1");
    if (sources == 0)
        sources = services;
    if (sources > services)
        return rs_cli_usage_error("bench requests: --sources is at most --services");
    if (pods > 1000000 || services > 100000)
        return rs_cli_usage_error("bench requests: at most 1000000 pods and 100000 services");

    /* pods ready at 2 s (R5), endpoints at 3 s (R15); --route: the router
     * reloads every 5 s (R28), so by 12 s every replica has loaded the routes */
    const rs_time_t start = route ? 12 * RS_SEC : 4 * RS_SEC;
    rs_time_t stop;
    if (route && policies > 0)
        return rs_cli_usage_error("bench requests: --route runs on rahti-1 (no --policies)");
    if (policies > 1000)
        return rs_cli_usage_error("bench requests: --policies is at most 1000");
    g_autofree char *text = bench_scenario(pods, services, sources, requests, (double)rate_n, policies,
                                           route, start, &stop);
    RsLimits lim;
    rs_limits_default(&lim);
    lim.max_objects = UINT32_MAX;
    lim.max_events = UINT32_MAX;
    GError *err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_data("<bench>", text, strlen(text), &lim, &err);
    if (sc == NULL) {
        int rc = rs_cli_usage_error("bench requests: %s", err->message);
        g_error_free(err);
        return rc;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    RsSim *sim = rs_sim_new(sc, seed, &err);
    if (sim == NULL) {
        int rc = rs_cli_usage_error("bench requests: %s", err->message);
        g_error_free(err);
        return rc;
    }
    RsTraffic *tr = rs_traffic_new(sim, sc, stop, &err);
    if (tr == NULL) {
        int rc = rs_cli_usage_error("bench requests: %s", err->message);
        g_error_free(err);
        rs_sim_free(sim);
        return rc;
    }
    rs_traffic_start(tr);
    RsEngine *eng = rs_sim_engine(sim);
    rs_engine_run(eng, start - 1);              /* the cluster comes up: not timed */
    double setup = seconds_since(&t0);
    uint64_t ev0 = rs_engine_executed(eng);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rs_engine_run(eng, stop);
    while (rs_traffic_in_flight(tr) > 0 && rs_engine_pending(eng) > 0)
        rs_engine_run(eng, rs_engine_next_time(eng));
    double secs = seconds_since(&t0);
    uint64_t events = rs_engine_executed(eng) - ev0;
    uint64_t sent, ok;
    rs_traffic_totals(tr, &sent, &ok);     /* not by name: that was O(sources^2) */
    unsigned pool = rs_sim_requests_allocated(sim), arrivals = rs_traffic_pool_size(tr);
    rs_traffic_free(tr);
    rs_sim_free(sim);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double per_s = secs > 0 ? (double)sent / secs : 0.0;
    double ns_per = sent > 0 ? secs * 1e9 / (double)sent : 0.0;
    if (json)
        printf("{\"bench\": \"requests\", \"pods\": %" PRIu64 ", \"services\": %" PRIu64
               ", \"sources\": %" PRIu64 ", \"requests\": %" PRIu64 ", \"ok\": %" PRIu64 ", \"seed\": %" PRIu64
               ", \"setup_seconds\": %.6f, \"seconds\": %.6f, \"requests_per_second\": %.0f"
               ", \"ns_per_request\": %.1f, \"events_per_request\": %.2f, \"request_pool\": %u"
               ", \"arrival_pool\": %u, \"max_rss_kib\": %ld}\n",
               pods, services, sources, sent, ok, seed, setup, secs, per_s, ns_per,
               sent ? (double)events / (double)sent : 0.0, pool, arrivals, ru.ru_maxrss);
    else
        printf("bench requests: %" PRIu64 " pods, %" PRIu64 " services, %" PRIu64 " sources: %" PRIu64
               " requests (%" PRIu64
               " ok) in %.3f s: %.0f requests/s, %.0f ns/request, %.1f events/request "
               "(setup %.3f s, request pool %u, arrival pool %u, max RSS %ld KiB, seed %" PRIu64 ")\n",
               pods, services, sources, sent, ok, secs, per_s, ns_per,
               sent ? (double)events / (double)sent : 0.0, setup, pool, arrivals, ru.ru_maxrss, seed);
    if (ok < sent || sent == 0) {
        /* Every request of the benchmark must succeed: a failure means the
         * cluster was not what the figures claim to measure. */
        return rs_cli_usage_error("bench requests: %" PRIu64 " of %" PRIu64 " requests did not "
                                  "succeed: the figures above do not measure the pipeline",
                                  sent - ok, sent);
    }
    return RS_EXIT_OK;
}

/* `rahtisim bench engine|requests [...]`: dispatches to one benchmark. */
int
rs_cmd_bench(int argc, char **argv)
{
    rs_heap_huge_pages();     /* a long simulation: src/util/memory.c */
    if (argc < 2)
        return rs_cli_usage_error("bench: which benchmark? engine or requests (see rahtisim bench --help)");
    const char *what = argv[1];
    if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0) {
        fputs(bench_usage, stdout);
        return RS_EXIT_OK;
    }
    if (strcmp(what, "engine") == 0)
        return bench_engine(argc - 1, argv + 1);
    if (strcmp(what, "requests") == 0)
        return bench_requests(argc - 1, argv + 1);
    return rs_cli_usage_error("bench: unknown benchmark '%s' (engine or requests)", what);
}
