/* test_dns.c: the cluster DNS and the resolver's search walk (R16, R17). */
#include "config.h"

#include "sim-fixture.h"

#define S(x) ((rs_time_t)((x) * (double)RS_SEC))

static const char *SCN =
    "{\"name\": \"t\", \"namespaces\": [{\"name\": \"fenic\","
    " \"deployments\": [{\"name\": \"nginx\", \"replicas\": 2, \"labels\": {\"app\": \"nginx\"}, \"ports\": [8081]},"
    "                   {\"name\": \"mongo\", \"replicas\": 3, \"labels\": {\"app\": \"mongo\"}, \"ports\": [27017], \"protocol\": \"tcp\"}],"
    " \"pods\": [{\"name\": \"debug\"}],"
    " \"services\": [{\"name\": \"nginx\", \"selector\": {\"app\": \"nginx\"}, \"ports\": [{\"port\": 80, \"target_port\": 8081}]},"
    "              {\"name\": \"mongo\", \"selector\": {\"app\": \"mongo\"}, \"ports\": [{\"port\": 27017}], \"cluster_ip\": \"none\"},"
    "              {\"name\": \"empty\", \"selector\": {\"app\": \"nothing\"}, \"ports\": [{\"port\": 80}]}]},"
    " {\"name\": \"other\", \"pods\": [{\"name\": \"client\"}]}]}";

/* Resolves `name` from pod `from` now. */
static bool
resolve(RsSim *sim, const char *from, const char *name, RsDnsWalk *w)
{
    char buf[128];
    RsFrom f = fx_from(from, false, buf, sizeof buf);
    GError *err = NULL;
    bool ok = rs_sim_resolve(sim, &f, name, w, &err);
    CU_ASSERT_PTR_NULL(err);
    g_clear_error(&err);
    return ok;
}

/* R17: nginx, nginx.fenic, nginx.fenic.svc.cluster.local after 1, 2 and 4 queries. */
static void
test_search_walk(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    uint32_t cip = 0;
    CU_ASSERT_TRUE_FATAL(rs_sim_service_ip(sim, "fenic", "nginx", &cip));
    RsDnsWalk w;
    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "nginx", &w));
    CU_ASSERT_EQUAL(w.n_queries, 1);
    CU_ASSERT_EQUAL(w.addrs[0], cip);
    CU_ASSERT_STRING_EQUAL(w.queries[0].name, "nginx.fenic.svc.cluster.local");

    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "nginx.fenic", &w));
    CU_ASSERT_EQUAL(w.n_queries, 2);
    CU_ASSERT_STRING_EQUAL(w.queries[0].name, "nginx.fenic.fenic.svc.cluster.local");
    CU_ASSERT_FALSE(w.queries[0].found);
    CU_ASSERT_EQUAL(w.addrs[0], cip);

    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "nginx.fenic.svc.cluster.local", &w));
    CU_ASSERT_EQUAL(w.n_queries, 4);
    CU_ASSERT_STRING_EQUAL(w.queries[3].name, "nginx.fenic.svc.cluster.local");
    CU_ASSERT_EQUAL(w.addrs[0], cip);
    CU_ASSERT_STRING_EQUAL(w.service, "fenic/nginx");

    /* Names are case-insensitive. */
    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "NGINX", &w));
    CU_ASSERT_EQUAL(w.addrs[0], cip);
}

/* R17: DNS is not isolated, but the short name needs the namespace's search domain. */
static void
test_other_namespace(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsDnsWalk w;
    CU_ASSERT_FALSE(resolve(sim, "other/client", "nginx", &w));
    CU_ASSERT_EQUAL(w.n_queries, 4);
    CU_ASSERT_STRING_EQUAL(w.queries[0].name, "nginx.other.svc.cluster.local");
    CU_ASSERT_STRING_EQUAL(w.queries[3].name, "nginx");
    CU_ASSERT_TRUE(resolve(sim, "other/client", "nginx.fenic", &w));
    CU_ASSERT_EQUAL(w.n_queries, 2);
}

/* A trailing dot: as written only; 5 dots or more: as written first. */
static void
test_trailing_dot_and_ndots(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsDnsWalk w;
    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "nginx.fenic.svc.cluster.local.", &w));
    CU_ASSERT_EQUAL(w.n_queries, 1);
    CU_ASSERT_FALSE(resolve(sim, "fenic/debug", "nginx.", &w));
    CU_ASSERT_EQUAL(w.n_queries, 1);
    CU_ASSERT_STRING_EQUAL(w.queries[0].name, "nginx");

    RsWorld *world = rs_sim_world(sim);
    char buf[RS_DNS_NAME_MAX];
    CU_ASSERT_TRUE(rs_dns_candidate(world, "fenic", "a.b.c.d.e.f", 0, buf));
    CU_ASSERT_STRING_EQUAL(buf, "a.b.c.d.e.f");
    CU_ASSERT_TRUE(rs_dns_candidate(world, "fenic", "a.b.c.d.e.f", 1, buf));
    CU_ASSERT_STRING_EQUAL(buf, "a.b.c.d.e.f.fenic.svc.cluster.local");
    CU_ASSERT_TRUE(rs_dns_candidate(world, "fenic", "a.b.c.d.e", 3, buf));
    CU_ASSERT_STRING_EQUAL(buf, "a.b.c.d.e");
    CU_ASSERT_FALSE(rs_dns_candidate(world, "fenic", "a.b.c.d.e", 4, buf));
}

/* R17: the candidates are lowercased (the name, the namespace, the domain),
 * and asking without a buffer (whether there is an `i`th, the pipeline's
 * "is there a next query") agrees with building it, names too long included. */
static void
test_candidate_case_and_existence(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsWorld *world = rs_sim_world(sim);
    char buf[RS_DNS_NAME_MAX];
    CU_ASSERT_TRUE(rs_dns_candidate(world, "fenic", "NGINX.Fenic-XYZ.abcdefgh", 0, buf));
    CU_ASSERT_STRING_EQUAL(buf, "nginx.fenic-xyz.abcdefgh.fenic.svc.cluster.local");
    CU_ASSERT_TRUE(rs_dns_candidate(world, "fenic", "Web-Q.RahtiApp.FI.", 0, buf));
    CU_ASSERT_STRING_EQUAL(buf, "web-q.rahtiapp.fi");

    char longname[RS_DNS_NAME_MAX];
    memset(longname, 'a', sizeof longname - 20);
    longname[sizeof longname - 20] = '\0';           /* fits as written, not with a suffix */
    const char *names[] = {"nginx", "a.b.c.d.e.f", "x.", ".", "", "Mixed.Case", longname};
    const char *nss[] = {"fenic", NULL};
    for (size_t n = 0; n < G_N_ELEMENTS(names); n++) {
        for (size_t k = 0; k < G_N_ELEMENTS(nss); k++) {
            for (unsigned i = 0; i < 6; i++) {
                bool built = rs_dns_candidate(world, nss[k], names[n], i, buf);
                CU_ASSERT_EQUAL(rs_dns_candidate(world, nss[k], names[n], i, NULL), built);
            }
        }
    }
    CU_ASSERT_TRUE(rs_dns_candidate(world, "fenic", longname, 3, NULL));
    CU_ASSERT_FALSE(rs_dns_candidate(world, "fenic", longname, 0, NULL));
}

/* R16: headless: one A per ready endpoint in the view; none: does not resolve.
 * A ClusterIP service with no endpoints still resolves. */
static void
test_headless(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsDnsWalk w;
    CU_ASSERT_FALSE(resolve(sim, "fenic/debug", "mongo", &w));     /* nothing ready yet */
    CU_ASSERT_EQUAL(w.n_queries, 4);
    fx_run_to(sim, S(2.5));                                        /* ready, view not yet */
    CU_ASSERT_FALSE(resolve(sim, "fenic/debug", "mongo", &w));
    fx_run_to(sim, S(3));
    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "mongo", &w));
    CU_ASSERT_EQUAL(w.n_queries, 1);
    CU_ASSERT_EQUAL(w.n_addrs, 3);
    CU_ASSERT_EQUAL(w.addrs[0], fx_pod_ip(sim, "fenic", "mongo-0"));
    CU_ASSERT_EQUAL(w.addrs[2], fx_pod_ip(sim, "fenic", "mongo-2"));
    uint32_t *eps = NULL;
    CU_ASSERT_EQUAL(rs_sim_service_endpoints(sim, "fenic", "mongo", &eps), 3);
    g_free(eps);

    uint32_t cip = 0;
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "fenic", "empty", &cip));
    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "empty", &w));
    CU_ASSERT_EQUAL(w.addrs[0], cip);
}

/* Pod records and the public part of R18 that needs no scenario data. */
static void
test_pod_and_public_names(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsDnsWalk w;
    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "10-128-0-1.fenic.pod.cluster.local", &w));
    CU_ASSERT_EQUAL(w.addrs[0], fx_ip("10.128.0.1"));
    CU_ASSERT_TRUE(resolve(sim, "fenic/debug", "myapp.rahtiapp.fi", &w));
    CU_ASSERT_EQUAL(w.n_queries, 4);
    CU_ASSERT_EQUAL(w.addrs[0], fx_ip("193.167.189.101"));
    CU_ASSERT_FALSE(resolve(sim, "fenic/debug", "www.example.org", &w));
    CU_ASSERT_FALSE(resolve(sim, "fenic/debug", "a.b.rahtiapp.fi", &w));
}

/* A request's DNS walk costs one cluster latency per query and is counted. */
static void
test_request_queries(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(RsResult) r1 = fx_request(sim, S(5), "fenic/debug", "http://nginx.fenic.svc.cluster.local/", true);
    CU_ASSERT_EQUAL(r1->dns_queries, 4);
    CU_ASSERT_EQUAL(r1->outcome, RS_OUTCOME_OK);
    g_autoptr(RsResult) r2 = fx_request(sim, S(6), "other/client", "http://nginx/", true);
    CU_ASSERT_EQUAL(r2->outcome, RS_OUTCOME_NXDOMAIN);
    CU_ASSERT_EQUAL(r2->dns_queries, 4);
    CU_ASSERT_EQUAL(r2->latency, 4 * 200 * RS_US);
    CU_ASSERT_TRUE(fx_has_hop(r2, RS_HOP_NXDOMAIN, RS_R17));
    /* headless: the client connects to the first address */
    g_autoptr(RsResult) r3 = fx_request(sim, S(7), "fenic/debug", "tcp://mongo:27017", true);
    CU_ASSERT_EQUAL(r3->outcome, RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(r3->status, 0);
    CU_ASSERT_STRING_EQUAL(r3->pod, "fenic/mongo-0");
}

int
main(void)
{
    static const CU_TestInfo tests[] = {
        {"search walk: 1, 2 and 4 queries (R17)", test_search_walk},
        {"other namespace: short name fails, qualified works (R17)", test_other_namespace},
        {"trailing dot and ndots:5 (R17)", test_trailing_dot_and_ndots},
        {"candidates: lowercase, existence without a buffer (R17)", test_candidate_case_and_existence},
        {"headless services and empty ClusterIP services (R16)", test_headless},
        {"pod records and app-domain names", test_pod_and_public_names},
        {"requests count their queries", test_request_queries},
        CU_TEST_INFO_NULL,
    };
    return fx_main("dns", tests);
}
