/* test_cidr.c: the pure parts of the router model: CIDR matching and
 * whitelist parsing (R25), path matching (R21), certificate names (R18,
 * R23) and each balance algorithm (R26): distribution and state. */
#include "config.h"

#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "rahtisim/router.h"
#include "cu-main.h"

/* A dotted address (test literals are valid). */
static uint32_t
ip(const char *text)
{
    uint32_t v = 0;
    CU_ASSERT_FATAL(rs_parse_ipv4(text, &v));
    return v;
}

/* CIDR parsing and containment, host bits masked, /0 and /32. */
static void
test_cidr(void)
{
    RsCidr c;
    CU_ASSERT_TRUE_FATAL(rs_cidr_parse("193.166.0.0/16", &c));
    CU_ASSERT_TRUE(rs_cidr_contains(&c, ip("193.166.4.20")));
    CU_ASSERT_TRUE(rs_cidr_contains(&c, ip("193.166.255.255")));
    CU_ASSERT_FALSE(rs_cidr_contains(&c, ip("193.167.0.1")));
    CU_ASSERT_TRUE_FATAL(rs_cidr_parse("10.1.2.3/8", &c));     /* host bits allowed, masked */
    CU_ASSERT_EQUAL(c.net, ip("10.0.0.0"));
    CU_ASSERT_TRUE(rs_cidr_contains(&c, ip("10.200.0.1")));
    CU_ASSERT_TRUE_FATAL(rs_cidr_parse("188.184.9.236", &c));  /* an address is a /32 */
    CU_ASSERT_TRUE(rs_cidr_contains(&c, ip("188.184.9.236")));
    CU_ASSERT_FALSE(rs_cidr_contains(&c, ip("188.184.9.237")));
    CU_ASSERT_TRUE_FATAL(rs_cidr_parse("0.0.0.0/0", &c));
    CU_ASSERT_TRUE(rs_cidr_contains(&c, ip("8.8.8.8")));
    CU_ASSERT_TRUE_FATAL(rs_cidr_parse("1.2.3.4/31", &c));
    CU_ASSERT_TRUE(rs_cidr_contains(&c, ip("1.2.3.5")));
    CU_ASSERT_FALSE(rs_cidr_contains(&c, ip("1.2.3.6")));
    CU_ASSERT_FALSE(rs_cidr_parse("1.2.3.4/33", &c));
    CU_ASSERT_FALSE(rs_cidr_parse("1.2.3.4/", &c));
    CU_ASSERT_FALSE(rs_cidr_parse("1.2.3/8", &c));
    CU_ASSERT_FALSE(rs_cidr_parse("256.1.1.1", &c));
    CU_ASSERT_FALSE(rs_cidr_parse("", &c));
    CU_ASSERT_FALSE(rs_cidr_parse("::1", &c));
}

/* R25: a valid list filters; a malformed entry or leading/trailing
 * whitespace discard the whole list and open the route.  A run of spaces is
 * one separator on both profiles (OKD 3.11's pattern `(?:%s(?: +%s)*)`, OKD
 * 4's strings.Fields); other whitespace separates on rahti-2 only. */
static void
test_whitelist(void)
{
    static const RsWlSyntax both[] = {RS_WL_SPACES, RS_WL_WHITESPACE};
    RsWhitelist wl;
    for (unsigned s = 0; s < 2; s++) {
        static const char *const good[] = {
            "193.166.0.0/16 188.184.9.236", "193.166.0.0/16  188.184.9.236",
            "193.166.0.0/16     188.184.9.236", NULL,
        };
        for (unsigned i = 0; good[i] != NULL; i++) {
            rs_whitelist_parse(good[i], both[s], &wl);
            CU_ASSERT_TRUE(wl.present);
            CU_ASSERT_FALSE(wl.discarded);
            CU_ASSERT_EQUAL(wl.n, 2);
            CU_ASSERT_TRUE(rs_whitelist_allows(&wl, ip("193.166.4.20")));
            CU_ASSERT_TRUE(rs_whitelist_allows(&wl, ip("188.184.9.236")));
            CU_ASSERT_FALSE(rs_whitelist_allows(&wl, ip("85.76.1.1")));
            rs_whitelist_clear(&wl);
        }
        static const char *const bad[] = {
            "193.166.0.0/16 nonsense", " 193.166.0.0/16", "193.166.0.0/16 ", "1.2.3.4,5.6.7.8",
            "1.2.3.4/40", "\t1.2.3.4", "1.2.3.4\n", "1.2.3.4\xc2\xa0", "1.2.3.4/8 5.6.7.8;", NULL,
        };
        for (unsigned i = 0; bad[i] != NULL; i++) {
            rs_whitelist_parse(bad[i], both[s], &wl);
            CU_ASSERT_TRUE(wl.present);
            CU_ASSERT_TRUE(wl.discarded);
            CU_ASSERT_TRUE(rs_whitelist_allows(&wl, ip("85.76.1.1")));  /* open to everyone */
            rs_whitelist_clear(&wl);
        }
        rs_whitelist_parse("", both[s], &wl);
        CU_ASSERT_FALSE(wl.present);
        CU_ASSERT_TRUE(rs_whitelist_allows(&wl, ip("85.76.1.1")));
        rs_whitelist_parse(NULL, both[s], &wl);
        CU_ASSERT_FALSE(wl.present);
    }

    /* other whitespace inside the list: malformed on rahti-1 (not a space of
     * the template's pattern), a separator on rahti-2 (strings.Fields) */
    static const char *const ws[] = {
        "10.0.0.0/8\t1.2.3.4", "10.0.0.0/8 \t 1.2.3.4", "10.0.0.0/8\n1.2.3.4",
        "10.0.0.0/8\xc2\xa0" "1.2.3.4", NULL,
    };
    for (unsigned i = 0; ws[i] != NULL; i++) {
        rs_whitelist_parse(ws[i], RS_WL_SPACES, &wl);
        CU_ASSERT_TRUE(wl.discarded);
        CU_ASSERT_TRUE(rs_whitelist_allows(&wl, ip("85.76.1.1")));
        rs_whitelist_clear(&wl);
        rs_whitelist_parse(ws[i], RS_WL_WHITESPACE, &wl);
        CU_ASSERT_FALSE(wl.discarded);
        CU_ASSERT_EQUAL(wl.n, 2);
        CU_ASSERT_TRUE(rs_whitelist_allows(&wl, ip("1.2.3.4")));
        CU_ASSERT_FALSE(rs_whitelist_allows(&wl, ip("85.76.1.1")));
        rs_whitelist_clear(&wl);
    }

    /* more than 61 entries (HAProxy's inline limit) work the same */
    GString *s = g_string_new(NULL);
    for (unsigned i = 0; i < 100; i++)
        g_string_append_printf(s, "%s10.0.%u.0/24", i ? " " : "", i);
    rs_whitelist_parse(s->str, RS_WL_SPACES, &wl);
    CU_ASSERT_EQUAL(wl.n, 100);
    CU_ASSERT_TRUE(rs_whitelist_allows(&wl, ip("10.0.99.7")));
    CU_ASSERT_FALSE(rs_whitelist_allows(&wl, ip("10.0.100.7")));
    rs_whitelist_clear(&wl);
    g_string_free(s, TRUE);
}

/* R21: path prefixes on segment boundaries; query strings ignored. */
static void
test_paths(void)
{
    CU_ASSERT_TRUE(rs_route_path_matches("/", "/anything/at/all"));
    CU_ASSERT_TRUE(rs_route_path_matches("/foo", "/foo"));
    CU_ASSERT_TRUE(rs_route_path_matches("/foo", "/foo/x"));
    CU_ASSERT_TRUE(rs_route_path_matches("/foo", "/foo?a=b"));
    CU_ASSERT_FALSE(rs_route_path_matches("/foo", "/foobar"));
    CU_ASSERT_FALSE(rs_route_path_matches("/foo", "/fo"));
    CU_ASSERT_FALSE(rs_route_path_matches("/foo", "/Foo"));     /* case-sensitive */
    CU_ASSERT_TRUE(rs_route_path_matches("/foo/", "/foo/x"));
    CU_ASSERT_FALSE(rs_route_path_matches("/foo/", "/foo"));
    CU_ASSERT_TRUE(rs_route_path_matches("/a/b", "/a/b/c"));
    CU_ASSERT_FALSE(rs_route_path_matches("/a/b", "/a/bc"));
}

/* R18, R23: wildcard certificates cover one label. */
static void
test_certs(void)
{
    CU_ASSERT_TRUE(rs_cert_valid_for("www.example.org", "www.example.org"));
    CU_ASSERT_TRUE(rs_cert_valid_for("*.example.org", "www.example.org"));
    CU_ASSERT_FALSE(rs_cert_valid_for("*.example.org", "a.b.example.org"));
    CU_ASSERT_FALSE(rs_cert_valid_for("*.example.org", "example.org"));
    CU_ASSERT_FALSE(rs_cert_valid_for("web.fenic.svc", "nginx.fenic.svc"));
    CU_ASSERT_FALSE(rs_cert_valid_for(NULL, "x"));
    CU_ASSERT_TRUE(rs_app_domain_name("myapp.rahtiapp.fi", "rahtiapp.fi"));
    CU_ASSERT_TRUE(rs_app_domain_name("web-fenic.2.rahtiapp.fi", "2.rahtiapp.fi"));
    CU_ASSERT_FALSE(rs_app_domain_name("a.b.rahtiapp.fi", "rahtiapp.fi"));
    CU_ASSERT_FALSE(rs_app_domain_name("rahtiapp.fi", "rahtiapp.fi"));
    CU_ASSERT_FALSE(rs_app_domain_name("myapp.example.org", "rahtiapp.fi"));
}

/* Counts n picks per server. */
static void
count_picks(RsBalancer *b, RsRng *rng, unsigned n, uint32_t client, unsigned *counts)
{
    for (unsigned i = 0; i < n; i++) {
        int k = rs_balancer_pick(b, rng, client, -1);
        CU_ASSERT_FATAL(k >= 0 && (unsigned)k < b->n);
        counts[k]++;
    }
}

/* R26 roundrobin: exact weighted shares, interleaved; state resets with a new balancer (R28). */
static void
test_roundrobin(void)
{
    RsBalancer b;
    RsRng rng;
    rs_rng_init(&rng, 1, "test");
    const unsigned w[] = {3, 1};
    rs_balancer_init(&b, RS_BAL_ROUNDROBIN, w, 2);
    unsigned c[2] = {0, 0};
    count_picks(&b, &rng, 400, 0, c);
    CU_ASSERT_EQUAL(c[0], 300);
    CU_ASSERT_EQUAL(c[1], 100);
    /* smooth: never more than 3 of server 0 in a row */
    int seq[8];
    for (unsigned i = 0; i < 8; i++)
        seq[i] = rs_balancer_pick(&b, &rng, 0, -1);
    unsigned ones = 0;
    for (unsigned i = 0; i < 4; i++)
        ones += seq[i] == 1;
    CU_ASSERT_EQUAL(ones, 1);
    rs_balancer_clear(&b);
    /* equal weights: strict rotation, from the first server after a reset */
    const unsigned e[] = {1, 1, 1};
    rs_balancer_init(&b, RS_BAL_ROUNDROBIN, e, 3);
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 0);
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 1);
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 2);
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 0);
    rs_balancer_clear(&b);
    rs_balancer_init(&b, RS_BAL_ROUNDROBIN, e, 3);       /* a reload: position reset */
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 0);
    /* down servers and weight 0 are skipped; exclude (redispatch) too */
    b.s[1].down = true;
    for (unsigned i = 0; i < 10; i++)
        CU_ASSERT_NOT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 1);
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, 0), 2);
    b.s[0].weight = 0;
    b.s[2].down = true;
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), -1);
    rs_balancer_clear(&b);
}

/* R26 leastconn: the fewest connections; ties rotate. */
static void
test_leastconn(void)
{
    RsBalancer b;
    RsRng rng;
    rs_rng_init(&rng, 1, "test");
    const unsigned w[] = {1, 1, 1};
    rs_balancer_init(&b, RS_BAL_LEASTCONN, w, 3);
    /* sequential requests (each finished before the next): round-robin */
    for (unsigned i = 0; i < 4; i++) {
        int k = rs_balancer_pick(&b, &rng, 0, -1);
        CU_ASSERT_EQUAL(k, (int)(i % 3));
        rs_balancer_take(&b, (unsigned)k);
        rs_balancer_release(&b, (unsigned)k);
    }
    /* C5: a tie goes to the server whose count changed least recently: server
     * 1 is next, but a request pinned to it (a cookie) moves it back: 2 first */
    rs_balancer_take(&b, 1);
    rs_balancer_release(&b, 1);
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 2);
    /* open connections steer new ones to the least loaded */
    b.s[0].conns = 5;
    b.s[1].conns = 1;
    b.s[2].conns = 3;
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 1);
    b.s[1].conns = 4;
    CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, 0, -1), 2);
    /* concurrent: picks that open connections spread evenly */
    rs_balancer_clear(&b);
    rs_balancer_init(&b, RS_BAL_LEASTCONN, w, 3);
    for (unsigned i = 0; i < 30; i++) {
        int k = rs_balancer_pick(&b, &rng, 0, -1);
        rs_balancer_take(&b, (unsigned)k);
    }
    CU_ASSERT_EQUAL(b.s[0].conns, 10);
    CU_ASSERT_EQUAL(b.s[1].conns, 10);
    CU_ASSERT_EQUAL(b.s[2].conns, 10);
    rs_balancer_clear(&b);
}

/* R26 source: one client always lands on one server; clients spread by weight. */
static void
test_source(void)
{
    RsBalancer b;
    RsRng rng;
    rs_rng_init(&rng, 1, "test");
    const unsigned w[] = {1, 1, 2};
    rs_balancer_init(&b, RS_BAL_SOURCE, w, 3);
    int first = rs_balancer_pick(&b, &rng, ip("193.166.4.20"), -1);
    for (unsigned i = 0; i < 20; i++)
        CU_ASSERT_EQUAL(rs_balancer_pick(&b, &rng, ip("193.166.4.20"), -1), first);
    unsigned c[3] = {0, 0, 0};
    for (uint32_t client = 0; client < 4000; client++)
        c[rs_balancer_pick(&b, &rng, ip("85.0.0.0") + client, -1)]++;
    /* expected 1000, 1000, 2000; binomial sd ~27-32: allow 5 sd */
    CU_ASSERT(c[0] > 850 && c[0] < 1150);
    CU_ASSERT(c[1] > 850 && c[1] < 1150);
    CU_ASSERT(c[2] > 1840 && c[2] < 2160);
    rs_balancer_clear(&b);
}

/* R26 random: power of two choices: even when idle, and away from the loaded server. */
static void
test_random(void)
{
    RsBalancer b;
    RsRng rng;
    rs_rng_init(&rng, 7, "router-0");
    const unsigned w[] = {1, 1, 1, 1};
    rs_balancer_init(&b, RS_BAL_RANDOM, w, 4);
    unsigned c[4] = {0, 0, 0, 0};
    count_picks(&b, &rng, 4000, 0, c);
    for (unsigned i = 0; i < 4; i++)
        CU_ASSERT(c[i] > 850 && c[i] < 1150);     /* 1000 each, sd ~27 */
    /* one heavily loaded server is picked only when both draws hit it: 1/16 */
    b.s[0].conns = 100;
    unsigned d[4] = {0, 0, 0, 0};
    count_picks(&b, &rng, 4000, 0, d);
    CU_ASSERT(d[0] > 150 && d[0] < 360);          /* 250 expected, sd ~15 */
    /* the same stream and state give the same picks (R37) */
    RsRng r1, r2;
    rs_rng_init(&r1, 3, "router-1");
    rs_rng_init(&r2, 3, "router-1");
    for (unsigned i = 0; i < 50; i++)
        CU_ASSERT_EQUAL(rs_balancer_pick(&b, &r1, 0, -1), rs_balancer_pick(&b, &r2, 0, -1));
    rs_balancer_clear(&b);
}

/* One random step on two balancers, one indexed: the same operation on
 * both, and a pick must name the same server and draw the same numbers. */
static void
same_step(RsBalancer *plain, RsBalancer *fast, RsRng *ops, RsRng *r1, RsRng *r2, unsigned *open)
{
    unsigned n = plain->n;
    uint64_t op = rs_rng_below(ops, 100);
    unsigned k = (unsigned)rs_rng_below(ops, n);
    if (op < 50) {
        int ex = rs_rng_below(ops, 4) == 0 ? (int)rs_rng_below(ops, n) : -1;
        uint32_t client = (uint32_t)rs_rng_below(ops, 1u << 20);
        int a = rs_balancer_pick(plain, r1, client, ex);
        int b = rs_balancer_pick(fast, r2, client, ex);
        CU_ASSERT_EQUAL_FATAL(a, b);
        CU_ASSERT_EQUAL(rs_rng_below(r1, 1000), rs_rng_below(r2, 1000));
        if (a >= 0) {
            rs_balancer_take(plain, (unsigned)a);
            rs_balancer_take(fast, (unsigned)a);
            open[a]++;
        }
    } else if (op < 85) {
        if (open[k] > 0) {      /* a connection closes */
            open[k]--;
            rs_balancer_release(plain, k);
            rs_balancer_release(fast, k);
        }
    } else if (op < 92) {
        rs_balancer_take(plain, k);     /* a cookie's pick (R27) */
        rs_balancer_take(fast, k);
        open[k]++;
    } else {
        bool down = rs_rng_below(ops, 2) == 0;      /* a health check (R29) */
        plain->s[k].down = down;
        rs_balancer_set_down(fast, k, down);
    }
}

/* The index (rs_balancer_index) changes no pick (R26, C5, R29): every
 * algorithm, one weight and several, weight 0, servers down, redispatch. */
static void
test_balancer_index(void)
{
    const RsBalance algos[] = {RS_BAL_LEASTCONN, RS_BAL_RANDOM, RS_BAL_SOURCE, RS_BAL_ROUNDROBIN};
    for (unsigned a = 0; a < 4; a++) {
        for (unsigned shape = 0; shape < 3; shape++) {
            enum { N = 37 };
            unsigned w[N];
            for (unsigned i = 0; i < N; i++)
                w[i] = shape == 0 ? 1 : shape == 1 ? 3 : (i % 5 == 0 ? 0 : 1 + i % 3);
            RsBalancer plain, fast;
            rs_balancer_init(&plain, algos[a], w, N);
            rs_balancer_init(&fast, algos[a], w, N);
            rs_balancer_index(&fast);
            RsRng ops, r1, r2;
            rs_rng_init(&ops, 7 + a * 3 + shape, "ops");
            rs_rng_init(&r1, 1, "pick");
            rs_rng_init(&r2, 1, "pick");
            unsigned open[N] = {0};
            for (unsigned step = 0; step < 20000; step++)
                same_step(&plain, &fast, &ops, &r1, &r2, open);
            rs_balancer_clear(&plain);
            rs_balancer_clear(&fast);
        }
    }
}

int
main(void)
{
    static CU_TestInfo tests[] = {
        {"CIDR parse and match", test_cidr},
        {"whitelist parsing: valid, malformed, stray spaces, long (R25)", test_whitelist},
        {"route path prefixes (R21)", test_paths},
        {"certificate names (R18, R23)", test_certs},
        {"roundrobin: weights, rotation, reset, down (R26, R28, R29)", test_roundrobin},
        {"leastconn: fewest connections, ties rotate (R26)", test_leastconn},
        {"source: sticky per client, weighted spread (R26)", test_source},
        {"random: power of two choices (R26)", test_random},
        {"the balancer index changes no pick (R26, C5, R29)", test_balancer_index},
        CU_TEST_INFO_NULL,
    };
    return fx_main("cidr", tests);
}
