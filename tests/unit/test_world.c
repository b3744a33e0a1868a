/* test_world.c: the truth: address pools (R3, R10), pod lifecycle (R4-R8),
 * deployments (scale, replacement naming), services' ClusterIPs and the
 * endpoint view's lag (R15). */
#include "config.h"

#include "sim-fixture.h"
#include "world/world-private.h"

#define S(x) ((rs_time_t)((x) * (double)RS_SEC))

/* R3: round-robin, wrap, skip addresses in use, no immediate reuse, exhaustion. */
static void
test_pool_round_robin(void)
{
    RsAddrPool p;
    uint32_t net = fx_ip("10.0.0.0"), ip;
    rs_addr_pool_init(&p, net, 29);                 /* usable .1 .. .6 */
    for (unsigned i = 1; i <= 6; i++) {
        CU_ASSERT_TRUE(rs_addr_pool_alloc(&p, &ip));
        CU_ASSERT_EQUAL(ip, net + i);
    }
    CU_ASSERT_FALSE(rs_addr_pool_alloc(&p, &ip));   /* exhausted: an honest no */
    rs_addr_pool_release(&p, net + 3);
    CU_ASSERT_TRUE(rs_addr_pool_alloc(&p, &ip));    /* wraps and skips .1, .2 in use */
    CU_ASSERT_EQUAL(ip, net + 3);
    rs_addr_pool_clear(&p);

    rs_addr_pool_init(&p, net, 28);                 /* usable .1 .. .14 */
    uint32_t a, b, c, d;
    rs_addr_pool_alloc(&p, &a);
    rs_addr_pool_alloc(&p, &b);
    rs_addr_pool_alloc(&p, &c);
    rs_addr_pool_release(&p, b);
    CU_ASSERT_TRUE(rs_addr_pool_alloc(&p, &d));
    CU_ASSERT_EQUAL(d, net + 4);                    /* not .2 again right away */
    CU_ASSERT_FALSE(rs_addr_pool_in_use(&p, b));
    CU_ASSERT_TRUE(rs_addr_pool_in_use(&p, d));
    CU_ASSERT_FALSE(rs_addr_pool_contains(&p, net));        /* network address */
    CU_ASSERT_FALSE(rs_addr_pool_contains(&p, net + 15));   /* broadcast */
    rs_addr_pool_clear(&p);
}

/* The bitmap is chunked: scans cross chunk boundaries and skip full chunks. */
static void
test_pool_chunks(void)
{
    RsAddrPool p;
    uint32_t net = fx_ip("10.0.0.0"), ip;
    rs_addr_pool_init(&p, net, 12);                 /* 2^20 addresses: 4 chunks */
    uint32_t boundary = net + (1u << 18);
    for (uint32_t x = boundary - 70; x < boundary + 70; x++)
        CU_ASSERT_TRUE(rs_addr_pool_reserve(&p, x));
    rs_addr_pool_set_next(&p, boundary - 70);
    CU_ASSERT_TRUE(rs_addr_pool_alloc(&p, &ip));
    CU_ASSERT_EQUAL(ip, boundary + 70);
    CU_ASSERT_EQUAL(p.used, 141);
    rs_addr_pool_clear(&p);

    /* A whole /0 costs only the chunk table until used. */
    rs_addr_pool_init(&p, 0, 0);
    CU_ASSERT_TRUE(rs_addr_pool_alloc(&p, &ip));
    CU_ASSERT_EQUAL(ip, 1);
    rs_addr_pool_clear(&p);
}

static const char *LIFECYCLE =
    "{\"name\": \"t\", \"namespaces\": [{\"name\": \"fenic\","
    " \"deployments\": [{\"name\": \"nginx\", \"replicas\": 3, \"labels\": {\"app\": \"nginx\"}, \"ports\": [8081]},"
    "                   {\"name\": \"web\", \"replicas\": 1, \"labels\": {\"app\": \"web\"}, \"ports\": [80]}],"
    " \"pods\": [{\"name\": \"debug\"}],"
    " \"services\": [{\"name\": \"nginx\", \"selector\": {\"app\": \"nginx\"}, \"ports\": [{\"port\": 80, \"target_port\": 8081}]},"
    "              {\"name\": \"fixed\", \"selector\": {\"app\": \"x\"}, \"ports\": [{\"port\": 80}], \"cluster_ip\": \"172.30.5.5\"},"
    "              {\"name\": \"second\", \"selector\": {\"app\": \"x\"}, \"ports\": [{\"port\": 80}]}]}],"
    " \"events\": [{\"at\": \"10s\", \"delete\": \"fenic/nginx-0\"}, {\"at\": \"20s\", \"crash\": \"fenic/nginx-1\"},"
    "            {\"at\": \"30s\", \"delete\": \"fenic/debug\"}]}";

/* R3 + R5: addresses in file order; running, then ready after startup. */
static void
test_pods_start(void)
{
    g_autoptr(RsSim) sim = fx_sim(LIFECYCLE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    CU_ASSERT_EQUAL(fx_pod_ip(sim, "fenic", "nginx-0"), fx_ip("10.128.0.1"));
    CU_ASSERT_EQUAL(fx_pod_ip(sim, "fenic", "nginx-2"), fx_ip("10.128.0.3"));
    CU_ASSERT_EQUAL(fx_pod_ip(sim, "fenic", "web-0"), fx_ip("10.128.0.4"));
    CU_ASSERT_EQUAL(fx_pod_ip(sim, "fenic", "debug"), fx_ip("10.128.0.5"));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nginx-0"), RS_POD_RUNNING);
    fx_run_to(sim, S(1.999));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nginx-0"), RS_POD_RUNNING);
    fx_run_to(sim, S(2));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nginx-0"), RS_POD_READY);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nope"), RS_POD_GONE);
}

/* R4: a privileged port: failed, restarts with back-off 10 s, 20 s, 40 s ..., never ready. */
static void
test_privileged_port(void)
{
    g_autoptr(RsSim) sim = fx_sim(LIFECYCLE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsPod *web = rs_world_pod(rs_sim_world(sim), "fenic", "web-0");
    CU_ASSERT_EQUAL(web->state, RS_POD_FAILED);
    fx_run_to(sim, S(9.9));
    CU_ASSERT_EQUAL(web->restarts, 0);
    fx_run_to(sim, S(10));
    CU_ASSERT_EQUAL(web->restarts, 1);
    fx_run_to(sim, S(29.9));
    CU_ASSERT_EQUAL(web->restarts, 1);
    fx_run_to(sim, S(30));                          /* 10 + 20 */
    CU_ASSERT_EQUAL(web->restarts, 2);
    fx_run_to(sim, S(70));                          /* + 40 */
    CU_ASSERT_EQUAL(web->restarts, 3);
    fx_run_to(sim, S(3600));
    /* 10+20+40+80+160 = 310 s, then every 300 s: 310 + 300k <= 3600 -> k = 10 */
    CU_ASSERT_EQUAL(web->restarts, 5 + 10);
    CU_ASSERT_EQUAL(web->state, RS_POD_FAILED);
    CU_ASSERT_FALSE(web->api_ready);
    CU_ASSERT_TRUE(fx_log_has(sim, "port 80 is privileged"));
}

/* R6: delete: out of the endpoints at once; replacement at once, new name, new IP;
 * R15: the data plane still lists the old pod for endpoint_delay. */
static void
test_delete_replaces(void)
{
    g_autoptr(RsSim) sim = fx_sim(LIFECYCLE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsWorld *w = rs_sim_world(sim);
    fx_run_to(sim, S(9));
    RsService *svc = rs_world_service(w, "fenic", "nginx");
    CU_ASSERT_EQUAL_FATAL(svc->view->n_pods, 3);
    uint32_t old_ip = fx_pod_ip(sim, "fenic", "nginx-0");
    fx_run_to(sim, S(10));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nginx-0"), RS_POD_GONE);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nginx-3"), RS_POD_RUNNING);
    uint32_t new_ip = fx_pod_ip(sim, "fenic", "nginx-3");
    CU_ASSERT_NOT_EQUAL(new_ip, old_ip);
    CU_ASSERT_EQUAL(new_ip, fx_ip("10.128.0.6"));   /* next after debug's .5 */
    CU_ASSERT_EQUAL(fx_pod_ip(sim, "fenic", "nginx-0"), old_ip);  /* the address it last had */
    CU_ASSERT_PTR_NULL(rs_world_pod_at(w, old_ip));
    CU_ASSERT_TRUE(fx_log_has(sim, "fenic/nginx-0 deleted"));
    CU_ASSERT_TRUE(fx_log_has(sim, "replacement fenic/nginx-3 gets 10.128.0.6"));
    /* The view lags: nginx-0 is still listed until 11 s. */
    CU_ASSERT_EQUAL(svc->view->n_pods, 3);
    CU_ASSERT_STRING_EQUAL(svc->view->pods[0]->name, "nginx-0");
    fx_run_to(sim, S(10.999));
    CU_ASSERT_EQUAL(svc->view->n_pods, 3);
    fx_run_to(sim, S(11));
    CU_ASSERT_EQUAL(svc->view->n_pods, 2);
    fx_run_to(sim, S(12));                          /* nginx-3 ready */
    CU_ASSERT_EQUAL(svc->view->n_pods, 2);
    fx_run_to(sim, S(13));                          /* ... and in the view */
    CU_ASSERT_EQUAL(svc->view->n_pods, 3);
}

/* R7: crash: stops at once, stays an endpoint until failure_detection, then replaced. */
static void
test_crash_detection(void)
{
    g_autoptr(RsSim) sim = fx_sim(LIFECYCLE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsWorld *w = rs_sim_world(sim);
    fx_run_to(sim, S(20));
    RsPod *p = rs_world_pod(w, "fenic", "nginx-1");
    CU_ASSERT_TRUE(p->crashed);
    CU_ASSERT_FALSE(rs_pod_alive(p));
    CU_ASSERT_TRUE(p->api_ready);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nginx-1"), RS_POD_FAILED);
    fx_run_to(sim, S(59.9));
    CU_ASSERT_TRUE(p->api_ready);
    CU_ASSERT_PTR_NULL(rs_world_pod(w, "fenic", "nginx-4"));
    fx_run_to(sim, S(60));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nginx-1"), RS_POD_GONE);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "nginx-4"), RS_POD_RUNNING);
    CU_ASSERT_TRUE(fx_log_has(sim, "failure of fenic/nginx-1 detected after 40s"));
}

/* R5, R6, R7: the times a pod became ready and stopped serving (read by
 * spread expectations): ready after startup; a crash stops it at once (the
 * detection later does not move it); a deletion stops it when deleted. */
static void
test_ready_stopped_times(void)
{
    g_autoptr(RsSim) sim = fx_sim(LIFECYCLE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsWorld *w = rs_sim_world(sim);
    RsPod *p0 = rs_world_pod(w, "fenic", "nginx-0"), *p1 = rs_world_pod(w, "fenic", "nginx-1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p1);
    CU_ASSERT_EQUAL(p0->ready_at, RS_TIME_NEVER);
    CU_ASSERT_EQUAL(p0->stopped_at, RS_TIME_NEVER);
    fx_run_to(sim, S(61));
    CU_ASSERT_EQUAL(p0->ready_at, S(2));
    CU_ASSERT_EQUAL(p0->stopped_at, S(10));         /* deleted at 10 s */
    CU_ASSERT_EQUAL(p1->ready_at, S(2));
    CU_ASSERT_EQUAL(p1->stopped_at, S(20));         /* crashed at 20 s, detected at 60 s */
    RsPod *p3 = rs_world_pod(w, "fenic", "nginx-3");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p3);
    CU_ASSERT_EQUAL(p3->ready_at, S(12));           /* the replacement, created at 10 s */
    CU_ASSERT_EQUAL(p3->stopped_at, RS_TIME_NEVER);
}

/* R8: a bare pod is not recreated. */
static void
test_bare_pod(void)
{
    g_autoptr(RsSim) sim = fx_sim(LIFECYCLE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(31));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "debug"), RS_POD_GONE);
    unsigned pods_before = rs_sim_world(sim)->pods->len;
    fx_run_to(sim, S(100));
    /* only the nginx-1 replacement appeared since */
    CU_ASSERT_EQUAL(rs_sim_world(sim)->pods->len, pods_before + 1);
    CU_ASSERT_TRUE(fx_log_has(sim, "a bare pod is not recreated"));
}

/* R10: ClusterIPs: upper band in file order, fixed ones honoured, stable. */
static void
test_cluster_ips(void)
{
    g_autoptr(RsSim) sim = fx_sim(LIFECYCLE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    uint32_t a = 0, b = 0, c = 0;
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "fenic", "nginx", &a));
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "fenic", "fixed", &b));
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "fenic", "second", &c));
    CU_ASSERT_EQUAL(a, fx_ip("172.30.1.0"));
    CU_ASSERT_EQUAL(b, fx_ip("172.30.5.5"));
    CU_ASSERT_EQUAL(c, fx_ip("172.30.1.1"));
    fx_run_to(sim, S(100));
    uint32_t a2 = 0;
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "fenic", "nginx", &a2));
    CU_ASSERT_EQUAL(a, a2);
    /* A fixed address that collides with the DNS service is an input error. */
    const char *bad =
        "{\"name\": \"t\", \"namespaces\": [{\"name\": \"n\", \"services\": [{\"name\": \"s\","
        " \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 80}], \"cluster_ip\": \"172.30.0.10\"}]}]}";
    RsLimits lim;
    rs_limits_default(&lim);
    GError *err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_data("bad", bad, strlen(bad), &lim, &err);
    if (sc == NULL) {
        /* the loader may already refuse it; either way nothing is simulated */
        g_clear_error(&err);
        return;
    }
    RsSim *s2 = rs_sim_new(sc, 1, &err);
    CU_ASSERT_PTR_NULL(s2);
    CU_ASSERT_TRUE(g_error_matches(err, RS_WORLD_ERROR, RS_WORLD_ERROR_INVALID));
    g_clear_error(&err);
    rs_sim_free(s2);
}

/* Scale up names pods onwards; scale down removes the newest first. */
static void
test_scale(void)
{
    const char *json =
        "{\"name\": \"t\", \"namespaces\": [{\"name\": \"n\","
        " \"deployments\": [{\"name\": \"app\", \"replicas\": 2, \"labels\": {\"a\": \"b\"}, \"ports\": [8080]}]}],"
        " \"events\": [{\"at\": \"5s\", \"scale\": \"n/app\", \"replicas\": 5},"
        "            {\"at\": \"10s\", \"scale\": \"n/app\", \"replicas\": 2},"
        "            {\"at\": \"20s\", \"delete\": \"n/app-1\"}]}";
    g_autoptr(RsSim) sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(5));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-4"), RS_POD_RUNNING);
    fx_run_to(sim, S(10));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-0"), RS_POD_READY);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-1"), RS_POD_READY);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-2"), RS_POD_GONE);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-3"), RS_POD_GONE);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-4"), RS_POD_GONE);
    fx_run_to(sim, S(20));
    /* five were created before: the replacement of app-1 is app-5 */
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-5"), RS_POD_RUNNING);
    RsWorkload *wl = rs_world_workload(rs_sim_world(sim), "n", "app");
    CU_ASSERT_EQUAL(wl->pods->len, 2);
}

/* R3: a small pod network runs out: the pod stays pending and says why, and
 * gets an address once one is free (not the predecessor's at once). */
static void
test_exhaustion(void)
{
    const char *json =
        "{\"name\": \"t\", \"platform\": {\"profile\": \"rahti-1\", \"pod_network\": \"10.0.0.0/29\"},"
        " \"namespaces\": [{\"name\": \"n\","
        " \"deployments\": [{\"name\": \"app\", \"replicas\": 6, \"labels\": {\"a\": \"b\"}, \"ports\": [8080]}],"
        " \"pods\": [{\"name\": \"late\"}]}],"
        " \"events\": [{\"at\": \"5s\", \"delete\": \"n/app-0\"}, {\"at\": \"6s\", \"scale\": \"n/app\", \"replicas\": 4}]}";
    g_autoptr(RsSim) sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "late"), RS_POD_PENDING);
    CU_ASSERT_TRUE(fx_log_has(sim, "n/late stays pending: no free address in 10.0.0.0/29"));
    fx_run_to(sim, S(5));
    /* app-6 replaces app-0 but no address is free: it waits too */
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-6"), RS_POD_PENDING);
    fx_run_to(sim, S(6));           /* scale down frees two (pending app-6 goes first) */
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-6"), RS_POD_GONE);
    fx_run_to(sim, S(10));          /* late retries after 10 s */
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "late"), RS_POD_RUNNING);
    /* the cursor moves on: .1 (app-0's) is reused only after wrapping */
    uint32_t ip = fx_pod_ip(sim, "n", "late");
    CU_ASSERT_NOT_EQUAL(ip, 0);
}

/* apply and remove: services (ClusterIP kept on update, name gone at once on
 * removal, rules gone endpoint_delay later), deployments (rolling template
 * change, removal without replacement), bare pods (replaced by a new pod). */
static void
test_apply_remove(void)
{
    const char *json =
        "{\"name\": \"t\", \"namespaces\": [{\"name\": \"n\","
        " \"deployments\": [{\"name\": \"app\", \"replicas\": 2, \"labels\": {\"a\": \"b\"}, \"ports\": [8080]}],"
        " \"pods\": [{\"name\": \"debug\"}],"
        " \"services\": [{\"name\": \"s\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]}],"
        " \"events\": ["
        "  {\"at\": \"5s\", \"apply\": {\"namespace\": \"n\", \"kind\": \"service\", \"spec\":"
        "     {\"name\": \"t\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}}},"
        "  {\"at\": \"6s\", \"apply\": {\"namespace\": \"n\", \"kind\": \"service\", \"spec\":"
        "     {\"name\": \"s\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 81, \"target_port\": 8080}]}}},"
        "  {\"at\": \"10s\", \"apply\": {\"namespace\": \"n\", \"kind\": \"deployment\", \"spec\":"
        "     {\"name\": \"app\", \"replicas\": 2, \"labels\": {\"a\": \"b\"}, \"ports\": [8080], \"startup\": \"3s\"}}},"
        "  {\"at\": \"20s\", \"remove\": \"n/service/s\"},"
        "  {\"at\": \"30s\", \"remove\": \"n/deployment/app\"},"
        "  {\"at\": \"40s\", \"apply\": {\"namespace\": \"n\", \"kind\": \"pod\", \"spec\": {\"name\": \"debug\"}}}]}";
    g_autoptr(RsSim) sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsWorld *w = rs_sim_world(sim);
    uint32_t s_ip = 0, t_ip = 0, s_ip2 = 0;
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "n", "s", &s_ip));
    fx_run_to(sim, S(5));
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "n", "t", &t_ip));        /* exists at once ... */
    CU_ASSERT_EQUAL(t_ip, s_ip + 1);
    CU_ASSERT_PTR_NULL(rs_world_service(w, "n", "t")->view);        /* ... rules 1 s later */
    fx_run_to(sim, S(6));
    CU_ASSERT_EQUAL_FATAL(rs_world_service(w, "n", "t")->view->n_pods, 2);
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "n", "s", &s_ip2));
    CU_ASSERT_EQUAL(s_ip, s_ip2);                                   /* R10: stays */
    CU_ASSERT_PTR_NOT_NULL(rs_view_port(rs_world_service(w, "n", "s")->view, 80));  /* old ports until 7 s */
    fx_run_to(sim, S(7));
    CU_ASSERT_PTR_NULL(rs_view_port(rs_world_service(w, "n", "s")->view, 80));
    CU_ASSERT_PTR_NOT_NULL(rs_view_port(rs_world_service(w, "n", "s")->view, 81));
    /* R54: the apply changes the template: a rolling update by the default
     * strategy: of 2 replicas, max_surge 25 % rounds up to 1 and
     * max_unavailable 25 % down to 0: one new pod at a time, the newest old
     * pod goes when it is ready. */
    fx_run_to(sim, S(10));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-2"), RS_POD_RUNNING);
    CU_ASSERT_PTR_NULL(rs_world_pod(w, "n", "app-3"));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-0"), RS_POD_READY);
    fx_run_to(sim, S(12.9));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-0"), RS_POD_READY);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-1"), RS_POD_READY);
    fx_run_to(sim, S(13));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-1"), RS_POD_GONE);     /* newest old first */
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-0"), RS_POD_READY);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-3"), RS_POD_RUNNING);
    fx_run_to(sim, S(16));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-0"), RS_POD_GONE);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-3"), RS_POD_READY);
    CU_ASSERT_FALSE(rs_world_workload(w, "n", "app")->rolling);
    /* remove a service: no name at once, address freed, rules until 21 s */
    fx_run_to(sim, S(20));
    RsDnsWalk walk;
    char buf[64];
    RsFrom from = fx_from("n/debug", false, buf, sizeof buf);
    CU_ASSERT_FALSE(rs_sim_resolve(sim, &from, "s", &walk, NULL));
    CU_ASSERT_PTR_NOT_NULL(rs_world_service_at(w, s_ip));
    fx_run_to(sim, S(21));
    CU_ASSERT_PTR_NULL(rs_world_service_at(w, s_ip));
    /* remove a deployment: its pods go, none comes back */
    fx_run_to(sim, S(30));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-2"), RS_POD_GONE);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "app-4"), RS_POD_GONE);
    CU_ASSERT_PTR_NULL(rs_world_workload(w, "n", "app"));
    /* apply a bare pod again: same name, new address */
    uint32_t old_ip = fx_pod_ip(sim, "n", "debug");
    fx_run_to(sim, S(40));
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "n", "debug"), RS_POD_RUNNING);
    CU_ASSERT_NOT_EQUAL(fx_pod_ip(sim, "n", "debug"), old_ip);
}

/* Two simulations side by side do not share state. */
static void
test_two_worlds(void)
{
    g_autoptr(RsSim) a = fx_sim(LIFECYCLE, 1);
    g_autoptr(RsSim) b = fx_sim(LIFECYCLE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    fx_run_to(a, S(25));
    CU_ASSERT_EQUAL(rs_sim_pod_state(a, "fenic", "nginx-0"), RS_POD_GONE);
    CU_ASSERT_EQUAL(rs_sim_pod_state(b, "fenic", "nginx-0"), RS_POD_RUNNING);
    fx_run_to(b, S(25));
    const GArray *la = rs_sim_log(a), *lb = rs_sim_log(b);
    CU_ASSERT_EQUAL_FATAL(la->len, lb->len);
    for (unsigned i = 0; i < la->len; i++) {
        CU_ASSERT_STRING_EQUAL(g_array_index(la, RsLogEntry, i).text, g_array_index(lb, RsLogEntry, i).text);
        CU_ASSERT_EQUAL(g_array_index(la, RsLogEntry, i).at, g_array_index(lb, RsLogEntry, i).at);
    }
}

/* Routes were refused until the edge was simulated (issue 4): now a
 * scenario with a route builds, and the route is in the world. */
static void
test_routes_built(void)
{
    const char *json =
        "{\"name\": \"t\", \"namespaces\": [{\"name\": \"n\","
        " \"deployments\": [{\"name\": \"app\", \"replicas\": 1, \"labels\": {\"a\": \"b\"}, \"ports\": [8080]}],"
        " \"services\": [{\"name\": \"s\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}],"
        " \"routes\": [{\"name\": \"r\", \"service\": \"s\"}]}]}";
    g_autoptr(RsSim) sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsRoute *r = rs_world_route(rs_sim_world(sim), "n", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->host, "r-n.rahtiapp.fi");       /* R22: default host */
    CU_ASSERT_TRUE(r->admitted);
}

/* The address table (issue 14) against a GHashTable: random puts, replaces
 * and removals over a small address range, so that chains and the
 * backward shift of removals are exercised, through two growths. */
static void
test_ip_map(void)
{
    RsIpMap m;
    rs_ip_map_init(&m);
    g_autoptr(GHashTable) ref = g_hash_table_new(g_direct_hash, g_direct_equal);
    RsRng rng;
    rs_rng_init(&rng, 1, "test/ip-map");
    static char objs[8];
    for (unsigned n = 0; n < 20000; n++) {
        uint32_t ip = (uint32_t)rs_rng_below(&rng, 300) * 4096u;     /* collide in the low bits */
        if (rs_rng_below(&rng, 3) == 0) {
            rs_ip_map_remove(&m, ip);
            g_hash_table_remove(ref, GUINT_TO_POINTER(ip));
        } else {
            void *o = &objs[rs_rng_below(&rng, 8)];
            rs_ip_map_put(&m, ip, o);
            g_hash_table_insert(ref, GUINT_TO_POINTER(ip), o);
        }
        CU_ASSERT_EQUAL(m.len, g_hash_table_size(ref));
        if (n % 97 == 0)
            for (uint32_t k = 0; k < 300; k++)
                CU_ASSERT_PTR_EQUAL(rs_ip_map_get(&m, k * 4096u),
                                    g_hash_table_lookup(ref, GUINT_TO_POINTER(k * 4096u)));
    }
    CU_ASSERT(m.mask + 1 >= 256);
    rs_ip_map_clear(&m);
}

int
main(void)
{
    static const CU_TestInfo tests[] = {
        {"address pool: round-robin, wrap, no reuse, exhaustion (R3)", test_pool_round_robin},
        {"address pool: chunked bitmap", test_pool_chunks},
        {"pods start: addresses in file order, ready after startup (R3, R5)", test_pods_start},
        {"privileged port: failed, back-off, never ready (R4)", test_privileged_port},
        {"delete: replacement at once, new name and IP (R6, R15)", test_delete_replaces},
        {"crash: endpoint until detection, then replaced (R7)", test_crash_detection},
        {"ready and stopped times (R5, R6, R7)", test_ready_stopped_times},
        {"bare pod not recreated (R8)", test_bare_pod},
        {"ClusterIPs: file order, fixed honoured, stable (R10)", test_cluster_ips},
        {"scale up and down, newest first", test_scale},
        {"pod network exhaustion (R3)", test_exhaustion},
        {"apply and remove events", test_apply_remove},
        {"two simulations side by side", test_two_worlds},
        {"routes are built (issue 4)", test_routes_built},
        {"address table: as a hash table, with removals (issue 14)", test_ip_map},
        CU_TEST_INFO_NULL,
    };
    return fx_main("world", tests);
}
