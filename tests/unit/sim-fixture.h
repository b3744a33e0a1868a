/* sim-fixture.h: helpers shared by the world, DNS and request unit tests.
 *
 * A scenario is written as JSON text and loaded with the real loader; the
 * simulation is driven forward in time by the test, which sends requests at
 * chosen times and collects their results.  Everything is static (each test
 * program includes this once) and marked unused where a program may not
 * need it.
 */
#ifndef RAHTISIM_TEST_SIM_FIXTURE_H
#define RAHTISIM_TEST_SIM_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "rahtisim/sim.h"
#include "cu-main.h"

/* Loads a scenario from JSON text and builds a simulation (NULL on error, printed). */
G_GNUC_UNUSED static RsSim *
fx_sim(const char *json, uint64_t seed)
{
    RsLimits lim;
    rs_limits_default(&lim);
    GError *err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_data("test", json, strlen(json), &lim, &err);
    if (sc == NULL) {
        fprintf(stderr, "fixture: %s\n", err->message);
        g_error_free(err);
        return NULL;
    }
    RsSim *sim = rs_sim_new(sc, seed, &err);
    if (sim == NULL) {
        fprintf(stderr, "fixture: %s\n", err->message);
        g_error_free(err);
    }
    return sim;            /* the scenario is freed here: the sim must not need it */
}

/* Runs the simulation until time `t` (events at `t` included). */
G_GNUC_UNUSED static void
fx_run_to(RsSim *sim, rs_time_t t)
{
    rs_engine_run(rs_sim_engine(sim), t);
}

/* Stores a copy of a result into the GPtrArray `data`. */
G_GNUC_UNUSED static void
fx_done(RsSim *sim, const RsResult *res, void *data)
{
    g_ptr_array_add(data, rs_result_dup(res));
    (void)sim;
}

/* Fills an RsFrom from "ns/name" (a pod unless `deployment`). */
G_GNUC_UNUSED static RsFrom
fx_from(const char *text, bool deployment, char *buf, size_t len)
{
    g_strlcpy(buf, text, len);
    char *slash = strchr(buf, '/');
    RsFrom f = {.kind = deployment ? RS_FROM_DEPLOYMENT : RS_FROM_POD};
    if (slash == NULL) {
        f.kind = RS_FROM_HOST;
        f.name = buf;
        return f;
    }
    *slash = '\0';
    f.ns = buf;
    f.name = slash + 1;
    return f;
}

/* Starts a request now (at the engine's current time); the result lands in `out`. */
G_GNUC_UNUSED static void
fx_send(RsSim *sim, const char *from, bool deployment, const char *url, const char *stream,
        bool record, GPtrArray *out)
{
    char buf[256];
    RsFrom f = fx_from(from, deployment, buf, sizeof buf);
    RsUrl u;
    GError *err = NULL;
    if (!rs_url_parse(url, &u, &err)) {
        fprintf(stderr, "fixture: bad url %s: %s\n", url, err->message);
        g_error_free(err);
        CU_FAIL_FATAL("bad url");
    }
    rs_sim_request(sim, &f, &u, stream, record, fx_done, out);
    rs_url_clear(&u);
}

/* Runs until `out` holds `n` results (or nothing is left to run). */
G_GNUC_UNUSED static void
fx_wait(RsSim *sim, GPtrArray *out, unsigned n)
{
    RsEngine *eng = rs_sim_engine(sim);
    while (out->len < n && rs_engine_pending(eng) > 0)
        rs_engine_run(eng, rs_engine_next_time(eng));
}

/* Sends one request at time `at` (running the simulation there first) and
 * waits for its result; the caller frees it with rs_result_free. */
G_GNUC_UNUSED static RsResult *
fx_request(RsSim *sim, rs_time_t at, const char *from, const char *url, bool record)
{
    fx_run_to(sim, at);
    g_autoptr(GPtrArray) out = g_ptr_array_new();
    fx_send(sim, from, false, url, "fixture", record, out);
    fx_wait(sim, out, 1);
    CU_ASSERT_FATAL(out->len == 1);
    return out->pdata[0];
}

/* Whether any hop of a recorded result has kind `k` and rule `r`. */
G_GNUC_UNUSED static bool
fx_has_hop(const RsResult *res, RsHopKind k, RsRule r)
{
    for (unsigned i = 0; i < res->n_hops; i++) {
        if (res->hops[i].kind == k && res->hops[i].rule == r)
            return true;
    }
    return false;
}

/* The address of a pod now (or last), 0 if none. */
G_GNUC_UNUSED static uint32_t
fx_pod_ip(RsSim *sim, const char *ns, const char *pod)
{
    uint32_t ip = 0;
    if (!rs_sim_pod_ip(sim, ns, pod, &ip))
        return 0;
    return ip;
}

/* Parses a dotted address (test literals are valid). */
G_GNUC_UNUSED static uint32_t
fx_ip(const char *text)
{
    uint32_t ip = 0;
    CU_ASSERT_FATAL(rs_parse_ipv4(text, &ip));
    return ip;
}

/* Whether some event-log sentence contains `needle`. */
G_GNUC_UNUSED static bool
fx_log_has(RsSim *sim, const char *needle)
{
    const GArray *log = rs_sim_log(sim);
    for (unsigned i = 0; i < log->len; i++) {
        if (strstr(g_array_index(log, RsLogEntry, i).text, needle) != NULL)
            return true;
    }
    return false;
}

#endif
