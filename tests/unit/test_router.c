/* test_router.c: the edge through whole simulations: admission (R22),
 * reloads (R28), cookies (R27), weights (R20, R26), dead servers (R29),
 * replicas (R30), route timeout (R31), egress (R32, R33), hosts (R36). */
#include "config.h"

#include "sim-fixture.h"

#define S(x) ((rs_time_t)(x) * RS_SEC)

/* One namespace `fenic`: 3 web pods behind a service, a route, two hosts. */
#define EDGE(platform, extra_route, extra_top)                                                   \
    "{\"name\": \"t\", \"platform\": " platform ", \"namespaces\": [{\"name\": \"fenic\","      \
    " \"egress_ip\": \"dedicated\","                                                            \
    " \"deployments\": [{\"name\": \"web\", \"replicas\": 3, \"labels\": {\"app\": \"web\"},"  \
    "   \"ports\": [8080]},"                                                                    \
    "  {\"name\": \"canary\", \"replicas\": 1, \"labels\": {\"app\": \"canary\"}, \"ports\": [8080]}," \
    "  {\"name\": \"slow\", \"replicas\": 1, \"labels\": {\"app\": \"slow\"}, \"ports\": [8080]," \
    "   \"service_time\": \"40s\"}],"                                                           \
    " \"pods\": [{\"name\": \"debug\", \"labels\": {\"app\": \"debug\"}}],"                      \
    " \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}," \
    "  {\"name\": \"canary\", \"selector\": {\"app\": \"canary\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}," \
    "  {\"name\": \"slow\", \"selector\": {\"app\": \"slow\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]," \
    " \"routes\": [{\"name\": \"web\", \"service\": \"web\", \"host\": \"web.rahtiapp.fi\"}"     \
    extra_route "]},"                                                                          \
    " {\"name\": \"other\", \"pods\": [{\"name\": \"p\", \"labels\": {\"a\": \"b\"}}],"            \
    "  \"routes\": [{\"name\": \"steal\", \"service\": \"x\", \"host\": \"web.rahtiapp.fi\"}],"   \
    "  \"services\": [{\"name\": \"x\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 80}]}]}]," \
    " \"hosts\": [{\"name\": \"browser\", \"ip\": \"193.166.4.20\", \"cookies\": true},"          \
    "  {\"name\": \"curl\", \"ip\": \"193.166.4.21\"},"                                          \
    "  {\"name\": \"licence\", \"ip\": \"128.214.1.1\", \"ports\": [{\"port\": 27000, \"protocol\": \"tcp\"," \
    "   \"allow\": [\"86.50.229.160/32\"]}]}]" extra_top "}"

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

/* The reload times of router-0 logged, in seconds (up to `max`). */
static unsigned
reloads(RsSim *sim, const char *who, rs_time_t *at, unsigned max)
{
    const GArray *log = rs_sim_log(sim);
    unsigned n = 0;
    for (unsigned i = 0; i < log->len; i++) {
        const RsLogEntry *e = &g_array_index(log, RsLogEntry, i);
        if (g_str_has_prefix(e->text, who) && strstr(e->text, " reloads:") != NULL && n < max)
            at[n++] = e->at;
    }
    return n;
}

/* R22: the oldest route owns the host; the later one of another namespace
 * is not admitted until the owner goes; default hosts. */
static void
test_admission(void)
{
    g_autoptr(RsSim) sim = fx_sim(EDGE("\"rahti-1\"", ", {\"name\": \"api\", \"service\": \"web\"}",
                                       ", \"events\": [{\"at\": \"20s\", \"remove\": \"fenic/route/web\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsWorld *w = rs_sim_world(sim);
    RsRoute *web = rs_world_route(w, "fenic", "web"), *steal = rs_world_route(w, "other", "steal");
    RsRoute *api = rs_world_route(w, "fenic", "api");
    CU_ASSERT_PTR_NOT_NULL_FATAL(web);
    CU_ASSERT_PTR_NOT_NULL_FATAL(steal);
    CU_ASSERT_PTR_NOT_NULL_FATAL(api);
    CU_ASSERT_TRUE(web->admitted);
    CU_ASSERT_FALSE(steal->admitted);
    CU_ASSERT_STRING_EQUAL(api->host, "api-fenic.rahtiapp.fi");
    CU_ASSERT_TRUE(fx_log_has(sim, "not admitted (HostAlreadyClaimed)"));
    fx_run_to(sim, S(21));
    CU_ASSERT_TRUE(steal->admitted);
}

/* R22 (hostindex/activation.go): inside one namespace, a passthrough route
 * and another TLS route of a host conflict whatever their paths (the older
 * wins, whichever is the passthrough one); a plain route beside a
 * passthrough one and different paths of edge routes coexist; the same path
 * conflicts; another namespace is refused.  The reason is data on the
 * route, and the log says it in the words topology uses. */
static void
test_admission_reasons(void)
{
    g_autoptr(RsSim) sim = fx_sim(
        "{\"name\": \"t\", \"namespaces\": [{\"name\": \"a\","
        " \"pods\": [{\"name\": \"p\", \"labels\": {\"x\": \"y\"}, \"ports\": [8080]}],"
        " \"services\": [{\"name\": \"s\", \"selector\": {\"x\": \"y\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}],"
        " \"routes\": ["
        "  {\"name\": \"pt\", \"service\": \"s\", \"host\": \"one.rahtiapp.fi\", \"tls\": \"passthrough\"},"
        "  {\"name\": \"edge-api\", \"service\": \"s\", \"host\": \"one.rahtiapp.fi\", \"path\": \"/api\", \"tls\": \"edge\"},"
        "  {\"name\": \"plain-api\", \"service\": \"s\", \"host\": \"one.rahtiapp.fi\", \"path\": \"/api\"},"
        "  {\"name\": \"edge-x\", \"service\": \"s\", \"host\": \"two.rahtiapp.fi\", \"path\": \"/x\", \"tls\": \"edge\"},"
        "  {\"name\": \"edge-y\", \"service\": \"s\", \"host\": \"two.rahtiapp.fi\", \"path\": \"/y\", \"tls\": \"reencrypt\"},"
        "  {\"name\": \"edge-x2\", \"service\": \"s\", \"host\": \"two.rahtiapp.fi\", \"path\": \"/x\"},"
        "  {\"name\": \"late-pt\", \"service\": \"s\", \"host\": \"two.rahtiapp.fi\", \"tls\": \"passthrough\"}]},"
        " {\"name\": \"b\", \"pods\": [{\"name\": \"q\", \"labels\": {\"x\": \"y\"}}],"
        "  \"services\": [{\"name\": \"s\", \"selector\": {\"x\": \"y\"}, \"ports\": [{\"port\": 80}]}],"
        "  \"routes\": [{\"name\": \"steal\", \"service\": \"s\", \"host\": \"two.rahtiapp.fi\", \"path\": \"/z\"}]}]}", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsWorld *w = rs_sim_world(sim);
    static const struct {
        const char *ns, *name;
        RsAdmission want;
        const char *by;
    } cases[] = {
        {"a", "pt", RS_ADMIT_OK, NULL},
        {"a", "edge-api", RS_ADMIT_PASSTHROUGH, "a/pt"},      /* the bug: both were admitted */
        {"a", "plain-api", RS_ADMIT_OK, NULL},                /* not TLS: no passthrough conflict */
        {"a", "edge-x", RS_ADMIT_OK, NULL},
        {"a", "edge-y", RS_ADMIT_OK, NULL},                   /* another path coexists */
        {"a", "edge-x2", RS_ADMIT_SAME_PATH, "a/edge-x"},
        {"a", "late-pt", RS_ADMIT_PASSTHROUGH, "a/edge-x"},   /* the older TLS route wins */
        {"b", "steal", RS_ADMIT_OTHER_NAMESPACE, "a/edge-x"},
    };
    g_autoptr(GString) why = g_string_new(NULL);
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        RsRoute *r = rs_world_route(w, cases[i].ns, cases[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(r->admission, cases[i].want);
        CU_ASSERT_EQUAL(r->admitted, cases[i].want == RS_ADMIT_OK);
        if (cases[i].by == NULL) {
            CU_ASSERT_PTR_NULL(r->claimed_by);
            continue;
        }
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->claimed_by);
        CU_ASSERT_STRING_EQUAL(r->claimed_by->full, cases[i].by);
        g_string_truncate(why, 0);
        rs_route_admission_describe(r, why);
        g_autofree char *line = g_strdup_printf("route %s not admitted (HostAlreadyClaimed): %s", r->full, why->str);
        CU_ASSERT_TRUE(fx_log_has(sim, line));
    }
    g_string_truncate(why, 0);
    rs_route_admission_describe(rs_world_route(w, "b", "steal"), why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why->str, "namespace a owns two.rahtiapp.fi"));
    g_string_truncate(why, 0);
    rs_route_admission_describe(rs_world_route(w, "a", "edge-x2"), why);
    CU_ASSERT_PTR_NOT_NULL(strstr(why->str, "of the same namespace already exposes two.rahtiapp.fi/x"));
    /* port 80 of the passthrough host: edge-api is not admitted, plain-api serves /api */
    RsResult *res = fx_request(sim, S(6), "a/p", "http://one.rahtiapp.fi/api", true);
    CU_ASSERT_EQUAL(res->outcome, RS_OUTCOME_OK);
    rs_result_free(res);
}

/* R25: a run of spaces separates whitelist entries on both profiles; a tab
 * does on rahti-2 (OKD 4's strings.Fields) and makes the list malformed
 * (discarded: open) on rahti-1 (OKD 3.11's pattern). */
static void
test_whitelist_separators(void)
{
    static const char *const profiles[] = {"\"rahti-1\"", "\"rahti-2\""};
    for (unsigned k = 0; k < 2; k++) {
        g_autofree char *json = g_strdup_printf(
            "{\"name\": \"t\", \"platform\": %s, \"namespaces\": [{\"name\": \"a\","
            " \"pods\": [{\"name\": \"p\", \"labels\": {\"x\": \"y\"}, \"ports\": [8080]}],"
            " \"services\": [{\"name\": \"s\", \"selector\": {\"x\": \"y\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}],"
            " \"routes\": ["
            "  {\"name\": \"spaced\", \"service\": \"s\", \"host\": \"spaced.example.org\","
            "   \"annotations\": {\"haproxy.router.openshift.io/ip_whitelist\": \"193.166.0.0/16  188.184.9.236\"}},"
            "  {\"name\": \"tabbed\", \"service\": \"s\", \"host\": \"tabbed.example.org\","
            "   \"annotations\": {\"haproxy.router.openshift.io/ip_whitelist\": \"193.166.0.0/16\\t188.184.9.236\"}}]}],"
            " \"hosts\": [{\"name\": \"cafe\", \"ip\": \"85.76.1.1\"}, {\"name\": \"cern\", \"ip\": \"188.184.9.236\"}],"
            " \"dns\": [{\"name\": \"spaced.example.org\", \"a\": %s}, {\"name\": \"tabbed.example.org\", \"a\": %s}]}",
            profiles[k], k ? "\"195.148.21.61\"" : "\"193.167.189.101\"",
            k ? "\"195.148.21.61\"" : "\"193.167.189.101\"");
        g_autoptr(RsSim) sim = fx_sim(json, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
        RsResult *r = fx_request(sim, S(6), "cafe", "http://spaced.example.org/", true);
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_REJECTED);
        rs_result_free(r);
        r = fx_request(sim, S(6), "cern", "http://spaced.example.org/", true);
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
        rs_result_free(r);
        r = fx_request(sim, S(6), "cafe", "http://tabbed.example.org/", true);
        CU_ASSERT_EQUAL(r->outcome, k == 0 ? RS_OUTCOME_OK : RS_OUTCOME_REJECTED);
        if (r->outcome != (k == 0 ? RS_OUTCOME_OK : RS_OUTCOME_REJECTED))
            dump(r);
        rs_result_free(r);
    }
}

/* R28: a reload at once after quiet, changes inside the window wait and
 * are coalesced into one reload at its end. */
static void
test_reload_coalescing(void)
{
    g_autoptr(RsSim) sim = fx_sim(EDGE("\"rahti-1\"", "",
        ", \"events\": [{\"at\": \"6s\", \"annotate\": \"fenic/web\", \"key\": \"a\", \"value\": \"1\"},"
        " {\"at\": \"7s\", \"annotate\": \"fenic/web\", \"key\": \"a\", \"value\": \"2\"},"
        " {\"at\": \"8s\", \"annotate\": \"fenic/web\", \"key\": \"a\", \"value\": \"3\"},"
        " {\"at\": \"30s\", \"annotate\": \"fenic/web\", \"key\": \"a\", \"value\": \"4\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(40));
    rs_time_t at[16];
    unsigned n = reloads(sim, "router-0", at, 16);
    /* t=0 (start), 5s (pods ready at 2s wait for the window), 10s (6s, 7s, 8s coalesced), 30s */
    CU_ASSERT_EQUAL_FATAL(n, 4);
    CU_ASSERT_EQUAL(at[0], 0);
    CU_ASSERT_EQUAL(at[1], S(5));
    CU_ASSERT_EQUAL(at[2], S(10));
    CU_ASSERT_EQUAL(at[3], S(30));
    /* before the first reload with endpoints, the route has no servers: 503 */
    g_autoptr(RsSim) s2 = fx_sim(EDGE("\"rahti-1\"", "", ""), 1);
    RsResult *r = fx_request(s2, S(4), "curl", "http://web.rahtiapp.fi/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_UNAVAILABLE);
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_NO_SERVERS, RS_R20));
    rs_result_free(r);
    r = fx_request(s2, S(6), "curl", "http://web.rahtiapp.fi/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
    rs_result_free(r);
}

/* R27: a browser sticks to its pod; curl is balanced per request;
 * disable_cookies ends stickiness (after a reload, R28). */
static void
test_cookies(void)
{
    g_autoptr(RsSim) sim = fx_sim(EDGE("{\"profile\": \"rahti-1\", \"router_replicas\": 1}", "",
        ", \"events\": [{\"at\": \"20s\", \"annotate\": \"fenic/web\","
        " \"key\": \"haproxy.router.openshift.io/disable_cookies\", \"value\": \"true\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    char first[64] = "";
    for (unsigned i = 0; i < 6; i++) {
        RsResult *r = fx_request(sim, S(6) + i * RS_SEC, "browser", "http://web.rahtiapp.fi/", true);
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
        if (r->outcome != RS_OUTCOME_OK) {
            dump(r);
            rs_result_free(r);
            return;
        }
        if (i == 0)
            g_strlcpy(first, r->pod, sizeof first);
        else
            CU_ASSERT_STRING_EQUAL(r->pod, first);
        if (i > 0)
            CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_BALANCE, RS_R27));
        rs_result_free(r);
    }
    /* curl: leastconn, sequential: each pod in turn */
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (unsigned i = 0; i < 3; i++) {
        RsResult *r = fx_request(sim, S(13) + i * RS_SEC, "curl", "http://web.rahtiapp.fi/", false);
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
        g_hash_table_add(seen, g_strdup(r->pod));
        rs_result_free(r);
    }
    CU_ASSERT_EQUAL(g_hash_table_size(seen), 3);
    /* cookies disabled at 20s: the browser is balanced too */
    g_hash_table_remove_all(seen);
    for (unsigned i = 0; i < 3; i++) {
        RsResult *r = fx_request(sim, S(21) + i * RS_SEC, "browser", "http://web.rahtiapp.fi/", false);
        g_hash_table_add(seen, g_strdup(r->pod));
        rs_result_free(r);
    }
    CU_ASSERT_EQUAL(g_hash_table_size(seen), 3);
}

/* R20, R26: alternate backends with weights: roundrobin by service weight. */
static void
test_weights(void)
{
    g_autoptr(RsSim) sim = fx_sim(EDGE("{\"profile\": \"rahti-1\", \"router_replicas\": 1}",
        ", {\"name\": \"ab\", \"service\": \"web\", \"weight\": 75,"
        " \"alternate_backends\": [{\"service\": \"canary\", \"weight\": 25}]}", ""), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(6));
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    for (unsigned i = 0; i < 400; i++)
        fx_send(sim, "curl", false, "http://ab-fenic.rahtiapp.fi/", NULL, false, out);
    fx_wait(sim, out, 400);
    unsigned canary = 0, web = 0;
    for (unsigned i = 0; i < out->len; i++) {
        const RsResult *r = out->pdata[i];
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
        if (r->pod != NULL && g_str_has_prefix(r->pod, "fenic/canary-"))
            canary++;
        else if (r->pod != NULL)
            web++;
    }
    /* 3 web pods (weight 75/3 each) vs 1 canary (25): exactly 3:1 */
    CU_ASSERT_EQUAL(canary, 100);
    CU_ASSERT_EQUAL(web, 300);
}

/* R29: a crashed pod stays a server: connect timeout, retries, the last
 * one redispatched (ok, slow); health checks then mark it down (fast). */
static void
test_dead_server(void)
{
    g_autoptr(RsSim) sim = fx_sim(EDGE("{\"profile\": \"rahti-1\", \"router_replicas\": 1,"
        " \"failure_detection\": \"5m\"}", "",
        ", \"events\": [{\"at\": \"10s\", \"crash\": \"fenic/web-0\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    /* leastconn rotation after the 5s reload: web-0 is the first pick */
    RsResult *r = fx_request(sim, S(10) + RS_MS, "curl", "http://web.rahtiapp.fi/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_RT_CONNECT_FAIL, RS_R29));
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_BALANCE, RS_R29));     /* redispatched */
    CU_ASSERT_NOT_EQUAL(strcmp(r->pod, "fenic/web-0"), 0);
    CU_ASSERT(r->latency >= S(15));
    rs_result_free(r);
    fx_run_to(sim, S(40));
    CU_ASSERT_TRUE(fx_log_has(sim, "health checks mark fenic/web-0"));
    for (unsigned i = 0; i < 4; i++) {
        r = fx_request(sim, S(41) + i * RS_SEC, "curl", "http://web.rahtiapp.fi/", true);
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
        CU_ASSERT(r->latency < RS_SEC);
        rs_result_free(r);
    }
}

/* R30: a failed replica loses connections landing on it until failover;
 * with no replica left, the VIP answers nothing. */
static void
test_failover(void)
{
    g_autoptr(RsSim) sim = fx_sim(EDGE("\"rahti-1\"", "",
        ", \"events\": [{\"at\": \"10s\", \"router_down\": 0}, {\"at\": \"40s\", \"router_down\": 1},"
        " {\"at\": \"50s\", \"router_up\": 0}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(10));
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    for (unsigned i = 0; i < 40; i++)
        fx_send(sim, "curl", false, "http://web.rahtiapp.fi/", NULL, true, out);
    fx_wait(sim, out, 40);
    unsigned lost = 0;
    for (unsigned i = 0; i < out->len; i++) {
        const RsResult *r = out->pdata[i];
        if (r->outcome == RS_OUTCOME_TIMEOUT) {
            lost++;
            CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_REPLICA_DOWN, RS_R30));
        } else {
            CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
        }
    }
    CU_ASSERT(lost > 5 && lost < 35);       /* about half land on the failed replica */
    for (unsigned i = 0; i < 6; i++) {
        RsResult *r = fx_request(sim, S(25 + i), "curl", "http://web.rahtiapp.fi/", false);
        CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);     /* after failover: the other replica */
        rs_result_free(r);
    }
    RsResult *r = fx_request(sim, S(45), "curl", "http://web.rahtiapp.fi/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_TIMEOUT);    /* both down, both failed over */
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_VIP_NO_REPLICA, RS_R30));
    rs_result_free(r);
    r = fx_request(sim, S(60), "curl", "http://web.rahtiapp.fi/", false);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);     /* a new process loads the truth at once */
    rs_result_free(r);
}

/* R30: the VIP leaves a failed replica router_failover (3 s, the profile's
 * default) after it failed: connections opened at 12.9 s still land on it
 * and are lost, from 13.1 s none are (a longer failover loses them at
 * 13.1 s too, a shorter one none at 12.9 s). */
static void
test_failover_time(void)
{
    g_autoptr(RsSim) sim = fx_sim(EDGE("\"rahti-1\"", "", ", \"events\": [{\"at\": \"10s\", \"router_down\": 0}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    g_autoptr(GPtrArray) after = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    fx_run_to(sim, 12900 * RS_MS);
    for (unsigned i = 0; i < 40; i++)
        fx_send(sim, "curl", false, "http://web.rahtiapp.fi/", NULL, false, before);
    fx_run_to(sim, 13100 * RS_MS);
    for (unsigned i = 0; i < 40; i++)
        fx_send(sim, "curl", false, "http://web.rahtiapp.fi/", NULL, false, after);
    fx_wait(sim, before, 40);
    fx_wait(sim, after, 40);
    unsigned lost[2] = {0, 0};
    for (unsigned i = 0; i < 40; i++) {
        lost[0] += ((const RsResult *)before->pdata[i])->outcome == RS_OUTCOME_TIMEOUT;
        lost[1] += ((const RsResult *)after->pdata[i])->outcome == RS_OUTCOME_TIMEOUT;
    }
    CU_ASSERT(lost[0] > 5 && lost[0] < 35);
    CU_ASSERT_EQUAL(lost[1], 0);
}

/* R31: slower than the route timeout: 504; the annotation raises it. */
static void
test_route_timeout(void)
{
    g_autoptr(RsSim) sim = fx_sim(EDGE("\"rahti-1\"",
        ", {\"name\": \"slow\", \"service\": \"slow\"},"
        " {\"name\": \"patient\", \"service\": \"slow\", \"annotations\": {\"haproxy.router.openshift.io/timeout\": \"2m\"}}",
        ""), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    unsigned g = 0, ok = 0;
    for (unsigned i = 0; i < 10; i++) {
        RsResult *r = fx_request(sim, S(6 + 200 * i), "curl", "http://slow-fenic.rahtiapp.fi/", false);
        g += r->outcome == RS_OUTCOME_GATEWAY_TIMEOUT;
        if (r->outcome == RS_OUTCOME_GATEWAY_TIMEOUT)
            CU_ASSERT_EQUAL(r->status, 504);
        rs_result_free(r);
        r = fx_request(sim, S(106 + 200 * i), "curl", "http://patient-fenic.rahtiapp.fi/", false);
        ok += r->outcome == RS_OUTCOME_OK;
        rs_result_free(r);
    }
    /* exponential service time, mean 40s: P(> 30s) = 0.47, P(> 120s) = 0.05 */
    CU_ASSERT(g >= 1 && g <= 9);
    CU_ASSERT(ok >= 7);
}

/* R32, R33, R36: the dedicated egress IP, the pool's denial, the host's allow list. */
static void
test_egress_and_hosts(void)
{
    const char *pool = "{\"profile\": \"rahti-2\", \"egress_pool\": [\"86.50.229.160\"]}";
    g_autoptr(RsSim) sim = fx_sim(EDGE("{\"profile\": \"rahti-2\", \"egress_pool\": [\"86.50.229.160\"]}", "", ""), 1);
    (void)pool;
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsResult *r = fx_request(sim, S(3), "fenic/debug", "tcp://128.214.1.1:27000", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(r->source_ip, fx_ip("86.50.229.160"));
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_EGRESS, RS_R32));
    rs_result_free(r);
    r = fx_request(sim, S(3), "other/p", "tcp://128.214.1.1:27000", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_TIMEOUT);            /* shared IP: not allowed */
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_HOST_DENIED, RS_R36));
    rs_result_free(r);
    r = fx_request(sim, S(3), "fenic/debug", "tcp://128.214.1.1:27001", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_REFUSED);            /* no listener */
    rs_result_free(r);
    r = fx_request(sim, S(3), "curl", "http://@fenic/web-0:8080/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_TIMEOUT);            /* R35 */
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_FROM_OUTSIDE, RS_R35));
    rs_result_free(r);
    /* the pool of one is empty for a second namespace asking */
    g_autoptr(RsSim) s2 = fx_sim(
        "{\"name\": \"t\", \"platform\": {\"profile\": \"rahti-1\", \"egress_pool\": [\"193.167.189.200\"]},"
        " \"namespaces\": [{\"name\": \"a\", \"egress_ip\": \"dedicated\"}, {\"name\": \"b\", \"egress_ip\": \"dedicated\"}]}", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
    CU_ASSERT_EQUAL(rs_world_namespace(rs_sim_world(s2), "a")->egress_ip, fx_ip("193.167.189.200"));
    CU_ASSERT_EQUAL(rs_world_namespace(rs_sim_world(s2), "b")->egress_ip, fx_ip("193.167.189.25"));
    CU_ASSERT_TRUE(fx_log_has(s2, "the pool (1 address) is empty"));
}

int
main(void)
{
    static const CU_TestInfo tests[] = {
        {"admission: oldest wins, HostAlreadyClaimed, default host (R22)", test_admission},
        {"admission reasons: passthrough, same path, other namespace (R22)", test_admission_reasons},
        {"whitelist separators per profile (R25)", test_whitelist_separators},
        {"reloads at most once per interval, coalesced (R28)", test_reload_coalescing},
        {"sticky cookies for browsers, disable_cookies (R27)", test_cookies},
        {"alternate backends and weights (R20, R26)", test_weights},
        {"dead server: retries, redispatch, health checks (R29)", test_dead_server},
        {"replica failure and failover (R30)", test_failover},
        {"failover after router_failover, 3 s (R30)", test_failover_time},
        {"route timeout: 504, annotation (R31)", test_route_timeout},
        {"egress IPs, the pool, hosts' allow lists, R35 (R32, R33, R36)", test_egress_and_hosts},
        CU_TEST_INFO_NULL,
    };
    return fx_main("router", tests);
}
