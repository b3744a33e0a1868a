/* test_lifecycle.c: container restarts (R51), probes (R52, R53), rollouts
 * (R54), graceful termination (R55) and the outcomes reset / bad-gateway (R56). */
#include "config.h"

#include "sim-fixture.h"
#include "rahtisim/expect.h"

#define S(x) ((rs_time_t)((x) * (double)RS_SEC))

/* One namespace `n` with a deployment `web` (extra keys in WEB), a service
 * `web` (80 -> 8080), a route `web` and a client pod; EVENTS is a JSON list. */
#define SCEN(WEB, EVENTS)                                                                          \
    "{\"name\": \"t\", \"namespaces\": [{\"name\": \"n\","                                         \
    " \"deployments\": [{\"name\": \"web\", \"replicas\": 2, \"labels\": {\"app\": \"web\"},"     \
    " \"ports\": [8080]" WEB "}],"                                                                 \
    " \"pods\": [{\"name\": \"client\"}],"                                                         \
    " \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"},"                        \
    " \"ports\": [{\"port\": 80, \"target_port\": 8080}]}],"                                       \
    " \"routes\": [{\"name\": \"web\", \"service\": \"web\"}]}],"                                  \
    " \"hosts\": [{\"name\": \"laptop\", \"ip\": \"193.166.1.1\"}],"                               \
    " \"events\": " EVENTS "}"

static RsPod *
pod(RsSim *sim, const char *name)
{
    return rs_world_pod(rs_sim_world(sim), "n", name);
}

/* R51: same name and address, refused while restarting, CrashLoopBackOff
 * 0, 10 s, 20 s; `crash` (R7) is a different thing: a new pod. */
static void
test_crash_container(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCEN("", "[{\"at\": \"10s\", \"crash_container\": \"n/web-0\"},"
                                       " {\"at\": \"20s\", \"crash_container\": \"n/web-0\"},"
                                       " {\"at\": \"40s\", \"crash_container\": \"n/web-0\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    uint32_t ip = fx_pod_ip(sim, "n", "web-0");
    g_autoptr(RsResult) r = fx_request(sim, S(10), "n/client", "http://@n/web-0:8080/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_REFUSED);        /* restarting at once: not up yet */
    CU_ASSERT_EQUAL(pod(sim, "web-0")->state, RS_POD_RUNNING);
    CU_ASSERT_EQUAL(fx_pod_ip(sim, "n", "web-0"), ip);       /* same pod, same address */
    CU_ASSERT_FALSE(pod(sim, "web-0")->api_ready);           /* out of the endpoints at once */
    fx_run_to(sim, S(12));
    CU_ASSERT_EQUAL(pod(sim, "web-0")->state, RS_POD_READY);  /* the first restart was immediate */
    CU_ASSERT_PTR_NULL(pod(sim, "web-2"));                   /* no replacement: R51, not R6/R7 */
    fx_run_to(sim, S(20));
    CU_ASSERT_EQUAL(pod(sim, "web-0")->state, RS_POD_FAILED); /* CrashLoopBackOff */
    g_autoptr(RsResult) r2 = fx_request(sim, S(25), "n/client", "http://@n/web-0:8080/", true);
    CU_ASSERT_EQUAL(r2->outcome, RS_OUTCOME_REFUSED);
    CU_ASSERT_TRUE(fx_has_hop(r2, RS_HOP_POD_RESTARTING, RS_R51));
    CU_ASSERT_TRUE(fx_log_has(sim, "restart in 10s"));
    fx_run_to(sim, S(32));
    CU_ASSERT_EQUAL(pod(sim, "web-0")->state, RS_POD_READY);  /* restarted at 30 s, ready at 32 s */
    fx_run_to(sim, S(40));
    CU_ASSERT_TRUE(fx_log_has(sim, "restart in 20s"));       /* the back-off doubles */
    CU_ASSERT_EQUAL(pod(sim, "web-0")->container_restarts, 3);
    CU_ASSERT_EQUAL(fx_pod_ip(sim, "n", "web-0"), ip);
}

/* R51: crash_loop: it crashes at every start, never ready; the back-off grows to 5 min. */
static void
test_crash_loop(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCEN("", "[{\"at\": \"10s\", \"crash_container\": \"n/web-1\", \"crash_loop\": true}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(3000));
    RsPod *p = pod(sim, "web-1");
    CU_ASSERT_FALSE(p->api_ready);
    CU_ASSERT_TRUE(p->container_restarts >= 9);
    CU_ASSERT_TRUE(fx_log_has(sim, "restart in 5m") || fx_log_has(sim, "restart in 300s"));
    CU_ASSERT_FALSE(fx_log_has(sim, "restart in 10m"));
    CU_ASSERT_EQUAL(rs_world_workload(rs_sim_world(sim), "n", "web")->n_ready_new, 1);
}

/* R52: ready at the first successful probe after startup; fail_readiness
 * takes it out after failure_threshold probes; it keeps serving. */
static void
test_readiness(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCEN(", \"readiness\": {\"period\": \"5s\", \"failure_threshold\": 2}",
                                       "[{\"at\": \"20s\", \"fail_readiness\": \"n/web-0\"},"
                                       " {\"at\": \"40s\", \"pass_readiness\": \"n/web-0\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(4.9));
    CU_ASSERT_FALSE(pod(sim, "web-0")->api_ready);   /* started at 2 s, probed at 0 s and 5 s */
    fx_run_to(sim, S(5));
    CU_ASSERT_TRUE(pod(sim, "web-0")->api_ready);
    fx_run_to(sim, S(24.9));
    CU_ASSERT_TRUE(pod(sim, "web-0")->api_ready);    /* one failure (20 s) of two */
    fx_run_to(sim, S(25));
    CU_ASSERT_EQUAL(pod(sim, "web-0")->state, RS_POD_NOT_READY);
    RsService *svc = rs_world_service(rs_sim_world(sim), "n", "web");
    CU_ASSERT_EQUAL(svc->view->n_pods, 2);            /* R15: the view lags */
    fx_run_to(sim, S(26));
    CU_ASSERT_EQUAL(svc->view->n_pods, 1);
    g_autoptr(RsResult) r = fx_request(sim, S(32), "n/client", "http://@n/web-0:8080/", false);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);       /* still running and serving */
    fx_run_to(sim, S(45));
    CU_ASSERT_EQUAL(pod(sim, "web-0")->state, RS_POD_READY);
}

/* R53: hang: the client times out; the liveness probe restarts the container. */
static void
test_hang_liveness(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCEN(", \"liveness\": {\"period\": \"10s\", \"failure_threshold\": 3}",
                                       "[{\"at\": \"21s\", \"hang\": \"n/web-0\"}, {\"at\": \"21s\", \"hang\": \"n/web-1\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(RsResult) r = fx_request(sim, S(22), "n/client", "http://@n/web-0:8080/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_POD_HUNG, RS_R53));
    /* probes at 30, 40, 50 s fail: restart at 50 s */
    fx_run_to(sim, S(49));
    CU_ASSERT_EQUAL(pod(sim, "web-0")->container_restarts, 0);
    fx_run_to(sim, S(50));
    CU_ASSERT_EQUAL(pod(sim, "web-0")->container_restarts, 1);
    CU_ASSERT_TRUE(fx_log_has(sim, "fails its liveness probe 3 times"));
    g_autoptr(RsResult) r2 = fx_request(sim, S(53), "n/client", "http://@n/web-0:8080/", false);
    CU_ASSERT_EQUAL(r2->outcome, RS_OUTCOME_OK);
}

/* R55: a terminating pod leaves the endpoints at once, keeps its address
 * and serves during preStop, then refuses; an idle pod without a hook is
 * gone at once (R6 as before). */
static void
test_termination(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCEN(", \"pre_stop\": \"5s\"",
                                       "[{\"at\": \"10s\", \"delete\": \"n/web-0\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    uint32_t ip = fx_pod_ip(sim, "n", "web-0");
    fx_run_to(sim, S(10));
    RsPod *p = pod(sim, "web-0");
    CU_ASSERT_EQUAL(p->state, RS_POD_TERMINATING);
    CU_ASSERT_FALSE(p->api_ready);
    CU_ASSERT_PTR_NOT_NULL(pod(sim, "web-2"));                 /* replaced at once */
    CU_ASSERT_PTR_EQUAL(rs_world_pod_at(rs_sim_world(sim), ip), p);
    g_autoptr(RsResult) r = fx_request(sim, S(12), "n/client", "http://@n/web-0:8080/", false);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);                 /* preStop: serves normally */
    fx_run_to(sim, S(15));
    CU_ASSERT_EQUAL(p->state, RS_POD_GONE);                     /* idle at SIGTERM: exits */
    CU_ASSERT_PTR_NULL(rs_world_pod_at(rs_sim_world(sim), ip));

    g_autoptr(RsSim) sim2 = fx_sim(SCEN("", "[{\"at\": \"10s\", \"delete\": \"n/web-0\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim2);
    fx_run_to(sim2, S(10));
    CU_ASSERT_EQUAL(pod(sim2, "web-0")->state, RS_POD_GONE);   /* idle, no hook: gone at once */
    CU_ASSERT_FALSE(pod(sim2, "web-0")->has_ip);
}

/* R55, R56: requests in flight at the kill are reset; through the router
 * the client gets HTTP 502; after SIGTERM new connections are refused. */
static void
test_kill_reset(void)
{
    /* hung apps (R53) hold the requests until the kill */
    g_autoptr(RsSim) sim = fx_sim(SCEN(", \"termination_grace\": \"5s\"",
                                       "[{\"at\": \"8s\", \"hang\": \"n/web-0\"}, {\"at\": \"8s\", \"hang\": \"n/web-1\"},"
                                       " {\"at\": \"10s\", \"delete\": \"n/web-0\"}, {\"at\": \"10s\", \"delete\": \"n/web-1\"}]"), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(9));
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    /* the client's connect timeout (10 s) is longer than the 5 s grace */
    fx_send(sim, "n/client", false, "http://@n/web-0:8080/", "a", true, out);
    fx_send(sim, "laptop", false, "http://web-n.rahtiapp.fi/", "b", true, out);
    fx_run_to(sim, S(10.5));
    g_autoptr(GPtrArray) out2 = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
    fx_send(sim, "n/client", false, "http://@n/web-0:8080/", "c", true, out2);
    fx_wait(sim, out2, 1);
    CU_ASSERT_EQUAL(((RsResult *)out2->pdata[0])->outcome, RS_OUTCOME_REFUSED);
    CU_ASSERT_TRUE(fx_has_hop(out2->pdata[0], RS_HOP_POD_SIGTERM, RS_R55));
    fx_wait(sim, out, 2);
    CU_ASSERT_EQUAL_FATAL(out->len, 2);
    bool reset = false, bad_gateway = false;
    for (unsigned i = 0; i < out->len; i++) {
        const RsResult *res = out->pdata[i];
        reset |= res->outcome == RS_OUTCOME_RESET && fx_has_hop(res, RS_HOP_RESET, RS_R56);
        bad_gateway |= res->outcome == RS_OUTCOME_BAD_GATEWAY && res->status == 502;
    }
    CU_ASSERT_TRUE(reset);
    CU_ASSERT_TRUE(bad_gateway);
    CU_ASSERT_EQUAL(pod(sim, "web-0")->state, RS_POD_GONE);
    CU_ASSERT_STRING_EQUAL(rs_outcome_word(RS_OUTCOME_BAD_GATEWAY), "bad-gateway");
    CU_ASSERT_STRING_EQUAL(rs_outcome_word(RS_OUTCOME_RESET), "reset");
}

/* R54: Kubernetes' rounding: 10 replicas, 25 % -> surge 3 (up), unavailable 2
 * (down); names continue the count; the newest old pods go first. */
static void
test_rolling_rounding(void)
{
    const char *json =
        "{\"name\": \"t\", \"namespaces\": [{\"name\": \"n\","
        " \"deployments\": [{\"name\": \"web\", \"replicas\": 10, \"labels\": {\"app\": \"web\"}, \"ports\": [8080],"
        "  \"strategy\": {\"max_surge\": \"25%\", \"max_unavailable\": \"25%\"}}]}],"
        " \"events\": [{\"at\": \"10s\", \"rollout\": \"n/web\", \"set\": {\"service_time\": \"3ms\"}}]}";
    g_autoptr(RsSim) sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(10));
    RsWorkload *wl = rs_world_workload(rs_sim_world(sim), "n", "web");
    CU_ASSERT_EQUAL(wl->pods->len, 5);      /* 3 surge + 2 for the 2 old pods removed */
    CU_ASSERT_EQUAL(wl->old->len, 8);       /* 10 - 2 unavailable */
    CU_ASSERT_PTR_NOT_NULL(pod(sim, "web-10"));
    CU_ASSERT_PTR_NOT_NULL(pod(sim, "web-14"));
    CU_ASSERT_PTR_NULL(pod(sim, "web-15"));
    CU_ASSERT_EQUAL(pod(sim, "web-9")->state, RS_POD_GONE);     /* newest first */
    CU_ASSERT_EQUAL(pod(sim, "web-8")->state, RS_POD_GONE);
    CU_ASSERT_EQUAL(pod(sim, "web-7")->state, RS_POD_READY);
    CU_ASSERT_EQUAL(((RsPod *)wl->pods->pdata[0])->tmpl->service_time, 3 * RS_MS);
    fx_run_to(sim, S(60));
    CU_ASSERT_FALSE(wl->rolling);
    CU_ASSERT_EQUAL(wl->pods->len, 10);
    CU_ASSERT_EQUAL(wl->old->len, 0);
    rs_time_t when;
    CU_ASSERT_EQUAL(rs_workload_ready_min(wl, S(9), S(60), &when), 8);   /* never below 10 - 2 */
}

/* R54: recreate stops every old pod first; a rollout whose new pods never
 * become ready stalls after the progress deadline; not-ready old pods go first. */
static void
test_recreate_and_stall(void)
{
    const char *json =
        "{\"name\": \"t\", \"namespaces\": [{\"name\": \"n\","
        " \"deployments\": [{\"name\": \"a\", \"replicas\": 3, \"labels\": {\"app\": \"a\"}, \"ports\": [8080],"
        "   \"strategy\": {\"type\": \"recreate\"}},"
        "  {\"name\": \"b\", \"replicas\": 4, \"labels\": {\"app\": \"b\"}, \"ports\": [8080],"
        "   \"readiness\": {\"period\": \"1s\", \"failure_threshold\": 1},"
        "   \"strategy\": {\"max_surge\": 1, \"max_unavailable\": 1}}]}],"
        " \"events\": [{\"at\": \"10s\", \"rollout\": \"n/a\"},"
        "  {\"at\": \"10s\", \"fail_readiness\": \"n/b-1\"},"
        "  {\"at\": \"20s\", \"rollout\": \"n/b\", \"set\": {\"readiness\": {\"period\": \"1s\", \"initial_delay\": \"1h\"}}}]}";
    g_autoptr(RsSim) sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(10));
    RsWorkload *a = rs_world_workload(rs_sim_world(sim), "n", "a");
    CU_ASSERT_EQUAL(a->old->len, 0);
    CU_ASSERT_EQUAL(a->pods->len, 3);       /* the old pods were idle: gone at once, then new */
    CU_ASSERT_EQUAL(pod(sim, "a-0")->state, RS_POD_GONE);
    fx_run_to(sim, S(20));
    RsWorkload *b = rs_world_workload(rs_sim_world(sim), "n", "b");
    CU_ASSERT_EQUAL(pod(sim, "b-1")->state, RS_POD_GONE);      /* the not-ready old pod first */
    CU_ASSERT_EQUAL(pod(sim, "b-3")->state, RS_POD_READY);
    fx_run_to(sim, S(700));
    CU_ASSERT_TRUE(b->rolling);
    CU_ASSERT_TRUE(b->stalled);
    CU_ASSERT_TRUE(fx_log_has(sim, "rollout of n/b has stalled"));
    CU_ASSERT_EQUAL(b->old->len, 3);        /* Kubernetes stops nothing: the old pods serve */
}

/* R54: the report says a rollout stalled (ProgressDeadlineExceeded) or completed. */
static void
test_stall_reported(void)
{
    const char *json =
        "{\"name\": \"stall\", \"duration\": \"700s\", \"namespaces\": [{\"name\": \"n\", \"deployments\": ["
        " {\"name\": \"b\", \"replicas\": 4, \"labels\": {\"app\": \"b\"}, \"ports\": [8080]},"
        " {\"name\": \"c\", \"replicas\": 1, \"labels\": {\"app\": \"c\"}, \"ports\": [8080]}]}],"
        " \"events\": [{\"at\": \"20s\", \"rollout\": \"n/b\", \"set\": {\"readiness\": {\"initial_delay\": \"1h\"}}},"
        "  {\"at\": \"20s\", \"rollout\": \"n/c\"}]}";
    RsLimits lim;
    rs_limits_default(&lim);
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_data("t", json, strlen(json), &lim, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    g_autoptr(RsRunResult) run = rs_run_scenario(sc, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(run);
    CU_ASSERT_EQUAL_FATAL(run->n_rollouts, 2);
    CU_ASSERT_TRUE(run->rollouts[0].stalled);
    CU_ASSERT_FALSE(run->rollouts[0].complete);
    CU_ASSERT_TRUE(run->rollouts[1].complete);
    g_autofree char *line = rs_rollout_summary_text(&run->rollouts[0]);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "STALLED, ProgressDeadlineExceeded"));
}

int
main(void)
{
    static const CU_TestInfo tests[] = {
        {"crash_container: same pod, CrashLoopBackOff (R51)", test_crash_container},
        {"crash_loop: never ready, back-off up to 5 min (R51)", test_crash_loop},
        {"readiness probe and fail/pass_readiness (R52)", test_readiness},
        {"hang and the liveness probe (R53)", test_hang_liveness},
        {"graceful termination: preStop, SIGTERM, exit (R55)", test_termination},
        {"kill at the grace: reset and bad-gateway (R55, R56)", test_kill_reset},
        {"rolling update: rounding, names, victims (R54)", test_rolling_rounding},
        {"recreate, stall, not-ready old pods first (R54)", test_recreate_and_stall},
        {"the report says a rollout stalled (R54)", test_stall_reported},
        CU_TEST_INFO_NULL,
    };
    return fx_main("lifecycle", tests);
}
