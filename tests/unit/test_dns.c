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

/* ---- the per-requester cache of answers (dns.h, issue 14) ----
 *
 * A traffic source's requests go through rs_sim_request_as with its own
 * RsSimRequester, whose RsDnsCache keeps its answers; each test below sends
 * from one such requester at chosen times and checks the answer against
 * what it must be then: a cache that kept an answer past a change fails. */

static const char *CACHE_SCN =
    "{\"name\": \"t\", \"namespaces\": [{\"name\": \"n\","
    " \"deployments\": [{\"name\": \"app\", \"replicas\": 2, \"labels\": {\"a\": \"b\"}, \"ports\": [8080]}],"
    " \"pods\": [{\"name\": \"debug\"}],"
    " \"services\": [{\"name\": \"s\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]},"
    "              {\"name\": \"h\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 8080}], \"cluster_ip\": \"none\"}]}],"
    " \"events\": ["
    "  {\"at\": \"10s\", \"remove\": \"n/service/s\"},"
    "  {\"at\": \"20s\", \"apply\": {\"namespace\": \"n\", \"kind\": \"service\", \"spec\":"
    "     {\"name\": \"s\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}],"
    "      \"cluster_ip\": \"172.30.0.200\"}}},"
    "  {\"at\": \"35s\", \"apply\": {\"namespace\": \"n\", \"kind\": \"service\", \"spec\":"
    "     {\"name\": \"late\", \"selector\": {\"a\": \"b\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}}},"
    "  {\"at\": \"40s\", \"delete\": \"n/app-0\"}]}";

/* A requester that keeps its DNS answers, sending to one URL. */
typedef struct {
    RsFrom from;
    char buf[64];
    RsSimRequester rq;
    RsUrl url;
} CacheClient;

static void
cache_client_init(CacheClient *c, RsSim *sim, const char *from, const char *url)
{
    c->from = fx_from(from, false, c->buf, sizeof c->buf);
    rs_sim_requester_init(sim, &c->rq, &c->from, "cache-test");
    GError *err = NULL;
    CU_ASSERT_TRUE_FATAL(rs_url_parse(url, &c->url, &err));
}

/* Starts one request of the requester at `at` (bulk: no hops, the cache in
 * use); its result lands in `out`. */
static void
cache_start(RsSim *sim, CacheClient *c, rs_time_t at, GPtrArray *out)
{
    fx_run_to(sim, at);
    rs_sim_request_as(sim, &c->rq, &c->url, 0, false, fx_done, out);
}

/* One request of the requester at `at`, waited for (it must not take long:
 * the next request's time must still be ahead). */
static RsResult *
cache_send(RsSim *sim, CacheClient *c, rs_time_t at)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new();
    cache_start(sim, c, at, out);
    fx_wait(sim, out, 1);
    CU_ASSERT_FATAL(out->len == 1);
    return out->pdata[0];
}

/* Starts the same request without the cache (a probe's way): the truth to
 * compare with. */
static void
plain_start(RsSim *sim, const char *from, const char *url, rs_time_t at, GPtrArray *out)
{
    fx_run_to(sim, at);
    fx_send(sim, from, false, url, "cache-test", false, out);
}

/* The result of a request started into `out`. */
static RsResult *
wait_one(RsSim *sim, GPtrArray *out)
{
    fx_wait(sim, out, 1);
    CU_ASSERT_FATAL(out->len == 1);
    return out->pdata[0];
}

/* R17, R10: a service removed, then recreated with another ClusterIP,
 * between two requests of the same requester; R17: NXDOMAIN, then the
 * name appears. */
static void
test_cache_services(void)
{
    g_autoptr(RsSim) sim = fx_sim(CACHE_SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    CacheClient s, late;
    cache_client_init(&s, sim, "n/debug", "http://s/");
    cache_client_init(&late, sim, "n/debug", "http://late/");
    uint32_t ip1 = 0, ip2 = fx_ip("172.30.0.200");
    CU_ASSERT_TRUE_FATAL(rs_sim_service_ip(sim, "n", "s", &ip1));
    CU_ASSERT_NOT_EQUAL_FATAL(ip1, ip2);

    g_autoptr(RsResult) r1 = cache_send(sim, &s, S(5));
    CU_ASSERT_EQUAL(r1->outcome, RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(r1->dest_ip, ip1);
    CU_ASSERT_EQUAL(r1->dns_queries, 1);
    CU_ASSERT_NOT_EQUAL((unsigned)s.rq.dns.known & 1u, 0);        /* the answer is kept ... */
    g_autoptr(RsResult) r2 = cache_send(sim, &s, S(6));
    CU_ASSERT_EQUAL(r2->dest_ip, ip1);                  /* ... and used */
    CU_ASSERT_EQUAL(r2->dns_queries, 1);

    /* 10 s: removed: the name stops resolving at once (R10, R17). */
    g_autoptr(RsResult) r3 = cache_send(sim, &s, S(10.5));
    CU_ASSERT_EQUAL(r3->outcome, RS_OUTCOME_NXDOMAIN);
    CU_ASSERT_EQUAL(r3->dns_queries, 4);
    g_autoptr(GPtrArray) o3 = g_ptr_array_new();
    plain_start(sim, "n/debug", "http://s/", S(10.6), o3);
    g_autoptr(RsResult) p3 = wait_one(sim, o3);
    CU_ASSERT_EQUAL(p3->outcome, RS_OUTCOME_NXDOMAIN);
    CU_ASSERT_EQUAL(p3->latency, r3->latency);
    g_autoptr(RsResult) r4 = cache_send(sim, &s, S(11));
    CU_ASSERT_EQUAL(r4->outcome, RS_OUTCOME_NXDOMAIN);

    /* 20 s: recreated with another ClusterIP: the new address at once (its
     * rules reach the data plane at 21 s: until then the connection times
     * out, so the answers are waited for together). */
    g_autoptr(GPtrArray) o5 = g_ptr_array_new(), o5p = g_ptr_array_new();
    cache_start(sim, &s, S(20.5), o5);
    plain_start(sim, "n/debug", "http://s/", S(20.6), o5p);
    g_autoptr(RsResult) r5 = wait_one(sim, o5);
    g_autoptr(RsResult) p5 = wait_one(sim, o5p);
    CU_ASSERT_EQUAL(r5->dest_ip, ip2);
    CU_ASSERT_EQUAL(r5->dns_queries, 1);
    CU_ASSERT_EQUAL(p5->dest_ip, ip2);
    CU_ASSERT_EQUAL(r5->outcome, p5->outcome);
    g_autoptr(RsResult) r6 = cache_send(sim, &s, S(32));
    CU_ASSERT_EQUAL(r6->dest_ip, ip2);
    CU_ASSERT_EQUAL(r6->outcome, RS_OUTCOME_OK);

    /* NXDOMAIN (4 queries) until 35 s, then the name resolves. */
    g_autoptr(RsResult) l1 = cache_send(sim, &late, S(33));
    CU_ASSERT_EQUAL(l1->outcome, RS_OUTCOME_NXDOMAIN);
    CU_ASSERT_EQUAL(l1->dns_queries, 4);
    CU_ASSERT_EQUAL(late.rq.dns.known, 0xfu);           /* all four kept */
    g_autoptr(RsResult) l2 = cache_send(sim, &late, S(34.9));
    CU_ASSERT_EQUAL(l2->outcome, RS_OUTCOME_NXDOMAIN);
    g_autoptr(RsResult) l3 = cache_send(sim, &late, S(36.5));
    uint32_t late_ip = 0;
    CU_ASSERT_TRUE(rs_sim_service_ip(sim, "n", "late", &late_ip));
    CU_ASSERT_NOT_EQUAL(l3->outcome, RS_OUTCOME_NXDOMAIN);
    CU_ASSERT_EQUAL(l3->dest_ip, late_ip);
    CU_ASSERT_EQUAL(l3->dns_queries, 1);
    rs_url_clear(&s.url);
    rs_url_clear(&late.url);
}

/* R15, R16: a headless service's answer changes when the data plane's view
 * does, endpoint_delay (1 s) after the truth: before it the old answer,
 * after it the new one, for the same requester. */
static void
test_cache_headless_lag(void)
{
    g_autoptr(RsSim) sim = fx_sim(CACHE_SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    CacheClient h;
    cache_client_init(&h, sim, "n/debug", "tcp://h:8080");
    /* Pods ready at 2 s, in the view at 3 s. */
    g_autoptr(RsResult) r1 = cache_send(sim, &h, S(1));
    CU_ASSERT_EQUAL(r1->outcome, RS_OUTCOME_NXDOMAIN);
    g_autoptr(RsResult) r2 = cache_send(sim, &h, S(2.5));   /* ready, the view not yet */
    CU_ASSERT_EQUAL(r2->outcome, RS_OUTCOME_NXDOMAIN);
    g_autoptr(RsResult) r3 = cache_send(sim, &h, S(3));
    CU_ASSERT_EQUAL(r3->outcome, RS_OUTCOME_OK);
    uint32_t app0 = fx_pod_ip(sim, "n", "app-0"), app1 = fx_pod_ip(sim, "n", "app-1");
    CU_ASSERT_EQUAL(r3->dest_ip, app0);
    /* 40 s: app-0 deleted; the view drops it at 41 s.  The requests to the
     * stale address time out (R9), so they are all started, then waited for. */
    g_autoptr(GPtrArray) o4 = g_ptr_array_new(), o4p = g_ptr_array_new();
    g_autoptr(GPtrArray) o5 = g_ptr_array_new(), o5p = g_ptr_array_new();
    cache_start(sim, &h, S(40.5), o4);
    plain_start(sim, "n/debug", "tcp://h:8080", S(40.6), o4p);
    cache_start(sim, &h, S(41.5), o5);
    plain_start(sim, "n/debug", "tcp://h:8080", S(41.6), o5p);
    g_autoptr(RsResult) r4 = wait_one(sim, o4);
    g_autoptr(RsResult) p4 = wait_one(sim, o4p);
    g_autoptr(RsResult) r5 = wait_one(sim, o5);
    g_autoptr(RsResult) p5 = wait_one(sim, o5p);
    CU_ASSERT_EQUAL(r4->dest_ip, app0);                     /* the old answer (R15) */
    CU_ASSERT_EQUAL(p4->dest_ip, app0);
    CU_ASSERT_EQUAL(r4->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_EQUAL(r5->dest_ip, app1);                     /* the new one */
    CU_ASSERT_EQUAL(r5->outcome, RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(p5->dest_ip, app1);
    rs_url_clear(&h.url);
}

/* The cache answers as rs_dns_query does, query by query, for pods' and
 * hosts' walks (R17, R18), and empties itself when the world changes. */
static void
test_cache_matches_query(void)
{
    g_autoptr(RsSim) sim = fx_sim(SCN, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    fx_run_to(sim, S(4));
    RsWorld *world = rs_sim_world(sim);
    const char *names[] = {"nginx", "nginx.fenic", "mongo", "myapp.rahtiapp.fi", "www.example.org",
                           "10-128-0-1.fenic.pod.cluster.local", "x.", "Mixed.Case.Nginx"};
    const char *nss[] = {"fenic", "other", NULL};
    for (unsigned n = 0; n < G_N_ELEMENTS(names); n++) {
        for (unsigned k = 0; k < G_N_ELEMENTS(nss); k++) {
            RsDnsCache c;
            rs_dns_cache_init(&c);
            for (unsigned pass = 0; pass < 2; pass++) {     /* filled, then kept */
                for (unsigned i = 0; i < RS_DNS_MAX_QUERIES + 1; i++) {
                    char cand[RS_DNS_NAME_MAX];
                    bool has = rs_dns_candidate(world, nss[k], names[n], i, cand);
                    CU_ASSERT_EQUAL(rs_dns_cache_candidate(world, &c, nss[k], names[n], i), has);
                    if (!has)
                        continue;
                    RsDnsQuery q;
                    if (nss[k] == NULL)
                        rs_dns_query_public(world, cand, &q);
                    else
                        rs_dns_query(world, cand, &q);
                    RsDnsAnswer want;
                    rs_dns_answer_of(&q, &want);
                    const RsDnsAnswer *got = rs_dns_cache_answer(world, &c, nss[k], names[n], i);
                    CU_ASSERT_EQUAL(got->found, want.found);
                    CU_ASSERT_EQUAL(got->rule, want.rule);
                    CU_ASSERT_EQUAL(got->n_addrs, want.n_addrs);
                    CU_ASSERT_EQUAL(got->addr, want.addr);
                    CU_ASSERT_PTR_EQUAL(got->service, want.service);
                    CU_ASSERT_EQUAL_FATAL(got->n_chain, want.n_chain);
                    for (unsigned j = 0; j < want.n_chain; j++)
                        CU_ASSERT_PTR_EQUAL(got->chain[j], want.chain[j]);
                }
            }
            CU_ASSERT_EQUAL(c.epoch, world->dns_epoch);
        }
    }
    /* A change of the world empties it on the next use. */
    RsDnsCache c;
    rs_dns_cache_init(&c);
    (void)rs_dns_cache_answer(world, &c, "fenic", "nginx", 0);
    CU_ASSERT_EQUAL(c.known, 1u);
    world->dns_epoch++;
    CU_ASSERT_TRUE(rs_dns_cache_candidate(world, &c, "fenic", "nginx", 0));
    CU_ASSERT_EQUAL(c.known, 0u);
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
        {"kept answers: service removed, recreated, appearing (R17)", test_cache_services},
        {"kept answers: a headless view changes after its lag (R15, R16)", test_cache_headless_lag},
        {"kept answers equal the queries' (R17, R18)", test_cache_matches_query},
        CU_TEST_INFO_NULL,
    };
    return fx_main("dns", tests);
}
