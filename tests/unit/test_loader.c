/* test_loader.c: the scenario loader: units, addresses, URLs, profiles, the
 * JSONC reader's position index and comments, loader errors (message and
 * position, exactly), defaults, event order, limits and warnings, and the
 * valid scenarios in tests/good/. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "rahtisim/scenario.h"
#include "scenario/jsonc.h"
#include "scenario/loader-internal.h"
#include "cu-main.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* Loads a scenario from a string. */
static RsScenario *
load(const char *text, GError **error)
{
    return rs_scenario_load_data("t.json", text, strlen(text), NULL, error);
}

/* Asserts that `text` fails to load with exactly `message`. */
static void
expect_error(const char *text, const char *message)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = load(text, &err);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (strcmp(err->message, message) != 0)
        fprintf(stderr, "\n  got:  %s\n  want: %s\n", err->message, message);
    CU_ASSERT_STRING_EQUAL(err->message, message);
}

/* Durations: units, decimals, exactness, rejects. */
static void
test_durations(void)
{
    rs_time_t t;
    CU_ASSERT(rs_parse_duration("250ms", &t) && t == 250 * RS_MS);
    CU_ASSERT(rs_parse_duration("10s", &t) && t == 10 * RS_SEC);
    CU_ASSERT(rs_parse_duration("2m", &t) && t == 120 * RS_SEC);
    CU_ASSERT(rs_parse_duration("1h", &t) && t == 3600 * RS_SEC);
    CU_ASSERT(rs_parse_duration("5us", &t) && t == 5000);
    CU_ASSERT(rs_parse_duration("7ns", &t) && t == 7);
    CU_ASSERT(rs_parse_duration("1.5s", &t) && t == 1500 * RS_MS);
    CU_ASSERT(rs_parse_duration("0.1s", &t) && t == 100 * RS_MS);
    CU_ASSERT(rs_parse_duration("0.2ms", &t) && t == 200 * RS_US);
    CU_ASSERT(rs_parse_duration("0s", &t) && t == 0);
    CU_ASSERT(rs_parse_duration("0.5s", &t) && t == 500 * RS_MS);
    CU_ASSERT(rs_parse_duration("1.5m", &t) && t == 90 * RS_SEC);
    CU_ASSERT(rs_parse_duration("0.0000000001m", &t) && t == 6);       /* 6 ns: whole */
    CU_ASSERT(rs_parse_duration("1.500000000000s", &t) && t == 1500 * RS_MS);  /* zeros only */
    /* a string needs a unit: "3" would be 3 s to one reader, 3 ms to another */
    CU_ASSERT_EQUAL(rs_duration_parse("3", &t), RS_DURATION_NO_UNIT);
    CU_ASSERT_EQUAL(rs_duration_parse("0", &t), RS_DURATION_NO_UNIT);
    CU_ASSERT_EQUAL(rs_duration_parse("1.5", &t), RS_DURATION_NO_UNIT);
    CU_ASSERT_EQUAL(rs_duration_parse(".5s", &t), RS_DURATION_SYNTAX);
    CU_ASSERT_EQUAL(rs_duration_parse("5.s", &t), RS_DURATION_SYNTAX);
    CU_ASSERT_EQUAL(rs_duration_parse("5.", &t), RS_DURATION_SYNTAX);
    CU_ASSERT_EQUAL(rs_duration_parse("-1s", &t), RS_DURATION_NEGATIVE);
    CU_ASSERT_EQUAL(rs_duration_parse("99999999999999999999h", &t), RS_DURATION_TOO_LARGE);
    CU_ASSERT_EQUAL(rs_duration_parse("0.0000000015s", &t), RS_DURATION_SUB_NS);
    CU_ASSERT_EQUAL(rs_duration_parse("1.5ns", &t), RS_DURATION_SUB_NS);
    CU_ASSERT_EQUAL(rs_duration_parse("0.00000000001m", &t), RS_DURATION_SUB_NS);   /* 0.6 ns */
    CU_ASSERT(rs_parse_duration("30d", &t) && t == (rs_time_t)30 * 86400 * RS_SEC);
    CU_ASSERT(rs_parse_duration("9223372036854775807ns", &t) && t == INT64_MAX);
    CU_ASSERT_FALSE(rs_parse_duration("9223372036854775808ns", &t));
    CU_ASSERT_FALSE(rs_parse_duration("99999999999999999999h", &t));
    CU_ASSERT_FALSE(rs_parse_duration("-1s", &t));
    CU_ASSERT_FALSE(rs_parse_duration("1.s", &t));
    CU_ASSERT_FALSE(rs_parse_duration(".5s", &t));
    CU_ASSERT_FALSE(rs_parse_duration("10 s", &t));
    CU_ASSERT_FALSE(rs_parse_duration("nan", &t));
    CU_ASSERT_FALSE(rs_parse_duration("1e3s", &t));
    CU_ASSERT_FALSE(rs_parse_duration("5sec", &t));
    CU_ASSERT_FALSE(rs_parse_duration("", &t));
    char b[32];
    CU_ASSERT_STRING_EQUAL(rs_duration_format(0, b), "0s");
    CU_ASSERT_STRING_EQUAL(rs_duration_format(1500 * RS_MS, b), "1.5s");
    CU_ASSERT_STRING_EQUAL(rs_duration_format(250 * RS_MS, b), "250ms");
    CU_ASSERT_STRING_EQUAL(rs_duration_format(120 * RS_SEC, b), "2m");
    CU_ASSERT_STRING_EQUAL(rs_duration_format(3600 * RS_SEC, b), "1h");
    CU_ASSERT_STRING_EQUAL(rs_duration_format(90 * RS_SEC, b), "90s");
    CU_ASSERT_STRING_EQUAL(rs_duration_format(1234567, b), "1.234567ms");
    CU_ASSERT_STRING_EQUAL(rs_duration_format(-2 * RS_SEC, b), "-2s");
    CU_ASSERT_STRING_EQUAL(rs_duration_format(RS_TIME_NEVER, b), "never");
}

/* Rates: per second, minute, hour; rejects. */
static void
test_rates(void)
{
    double r;
    CU_ASSERT(rs_parse_rate("100/s", &r) && r == 100);
    CU_ASSERT(rs_parse_rate("6000/m", &r) && r == 100);
    CU_ASSERT(rs_parse_rate("36/h", &r) && r == 0.01);
    CU_ASSERT(rs_parse_rate("2.5/s", &r) && r == 2.5);
    CU_ASSERT_FALSE(rs_parse_rate("2.5", &r));      /* a string needs a unit */
    CU_ASSERT_FALSE(rs_parse_rate("100", &r));
    CU_ASSERT(rs_parse_rate("0/s", &r) && r == 0);
    CU_ASSERT_FALSE(rs_parse_rate("-1/s", &r));
    CU_ASSERT_FALSE(rs_parse_rate("inf", &r));
    CU_ASSERT_FALSE(rs_parse_rate("nan/s", &r));
    CU_ASSERT_FALSE(rs_parse_rate("10/d", &r));
    CU_ASSERT_FALSE(rs_parse_rate("10 /s", &r));
    CU_ASSERT_FALSE(rs_parse_rate("/s", &r));
}

/* Addresses and CIDRs (R1). */
static void
test_addresses(void)
{
    uint32_t ip, net, pre;
    CU_ASSERT(rs_parse_ipv4("10.128.0.1", &ip) && ip == IP4(10, 128, 0, 1));
    CU_ASSERT(rs_parse_ipv4("0.0.0.0", &ip) && ip == 0);
    CU_ASSERT(rs_parse_ipv4("255.255.255.255", &ip) && ip == 0xFFFFFFFFu);
    CU_ASSERT_FALSE(rs_parse_ipv4("010.0.0.1", &ip));
    CU_ASSERT_FALSE(rs_parse_ipv4("256.0.0.1", &ip));
    CU_ASSERT_FALSE(rs_parse_ipv4("1.2.3", &ip));
    CU_ASSERT_FALSE(rs_parse_ipv4("1.2.3.4.5", &ip));
    CU_ASSERT_FALSE(rs_parse_ipv4("1.2.3.4 ", &ip));
    CU_ASSERT_FALSE(rs_parse_ipv4("::1", &ip));
    CU_ASSERT_FALSE(rs_parse_ipv4("", &ip));
    CU_ASSERT(rs_parse_cidr("10.128.0.0/14", &net, &pre) && net == IP4(10, 128, 0, 0) && pre == 14);
    CU_ASSERT(rs_parse_cidr("1.2.3.4", &net, &pre) && net == IP4(1, 2, 3, 4) && pre == 32);
    CU_ASSERT(rs_parse_cidr("0.0.0.0/0", &net, &pre) && net == 0 && pre == 0);
    CU_ASSERT_FALSE(rs_parse_cidr("10.128.0.1/14", &net, &pre));
    CU_ASSERT_FALSE(rs_parse_cidr("10.0.0.0/33", &net, &pre));
    CU_ASSERT_FALSE(rs_parse_cidr("10.0.0.0/", &net, &pre));
    CU_ASSERT_FALSE(rs_parse_cidr("10.0.0.0/08", &net, &pre));
    CU_ASSERT_FALSE(rs_parse_cidr("fd00::/8", &net, &pre));
    char b[16];
    CU_ASSERT_STRING_EQUAL(rs_ipv4_format(IP4(193, 167, 189, 101), b), "193.167.189.101");
    CU_ASSERT_STRING_EQUAL(rs_pod_state_word(RS_POD_FAILED), "failed");
    RsLimits l;
    rs_limits_default(&l);
    CU_ASSERT_EQUAL(l.max_objects, 100000);
    CU_ASSERT_EQUAL(l.max_events, 100000000);     /* engine events: ~20-60 s of CPU */
    CU_ASSERT_EQUAL(l.max_duration, (rs_time_t)30 * 86400 * RS_SEC);
}

/* URLs: schemes, default ports, pod references, IPv6 and other rejects. */
static void
test_urls(void)
{
    RsUrl u;
    GError *err = NULL;
    CU_ASSERT_FATAL(rs_url_parse("http://Nginx.Fenic/", &u, &err));
    CU_ASSERT_EQUAL(u.scheme, RS_SCHEME_HTTP);
    CU_ASSERT_STRING_EQUAL(u.host, "nginx.fenic");
    CU_ASSERT_EQUAL(u.port, 80);
    CU_ASSERT_STRING_EQUAL(u.path, "/");
    rs_url_clear(&u);
    CU_ASSERT_FATAL(rs_url_parse("https://myapp.rahtiapp.fi.", &u, &err));
    CU_ASSERT_STRING_EQUAL(u.host, "myapp.rahtiapp.fi.");
    CU_ASSERT_EQUAL(u.port, 443);
    CU_ASSERT_STRING_EQUAL(u.path, "/");
    rs_url_clear(&u);
    CU_ASSERT_FATAL(rs_url_parse("http://10.128.0.7:8080/api/x?q=1", &u, &err));
    CU_ASSERT(u.is_ip && u.ip == IP4(10, 128, 0, 7) && u.host == NULL);
    CU_ASSERT_EQUAL(u.port, 8080);
    CU_ASSERT_STRING_EQUAL(u.path, "/api/x");
    rs_url_clear(&u);
    CU_ASSERT_FATAL(rs_url_parse("tcp://@fenic/nginx-0:27017", &u, &err));
    CU_ASSERT_EQUAL(u.scheme, RS_SCHEME_TCP);
    CU_ASSERT_STRING_EQUAL(u.pod_ref, "fenic/nginx-0");
    CU_ASSERT_EQUAL(u.port, 27017);
    rs_url_clear(&u);
    CU_ASSERT_FATAL(rs_url_parse("http://@fenic/debug/x", &u, &err));
    CU_ASSERT_STRING_EQUAL(u.pod_ref, "fenic/debug");
    CU_ASSERT_STRING_EQUAL(u.path, "/x");
    rs_url_clear(&u);
    static const struct { const char *url, *frag; } bad[] = {
        {"tcp://db.example.org", "needs a port"},
        {"http://[::1]:80/", "R1"},
        {"http://::1/", "R1"},
        {"ftp://x/", "unknown URL scheme `ftp`"},
        {"nginx", "expected a URL"},
        {"http://x:0/", "invalid port"},
        {"http://x:65536/", "invalid port"},
        {"http://x:/", "invalid port"},
        {"http:///", "missing host"},
        {"http://bad_name/", "invalid host name"},
        {"http://1.2.3.256/", "invalid IPv4"},
        {"http://a b/", "spaces"},
        {"tcp://x:5/path", "no path"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        err = NULL;
        CU_ASSERT_FALSE(rs_url_parse(bad[i].url, &u, &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_TRUE(g_error_matches(err, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_INVALID));
        if (!strstr(err->message, bad[i].frag))
            fprintf(stderr, "\n  %s: %s\n", bad[i].url, err->message);
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, bad[i].frag));
        g_clear_error(&err);
    }
}

/* The values both profiles share (network-model.md, "Platform profiles" and
 * the rahti-2 additions): every one of them, so a changed constant in
 * profile.c fails here even when no behaviour test happens to use the
 * default (the R30 and R47 constants once survived every other test). */
static void
check_common(const RsProfile *p)
{
    CU_ASSERT_EQUAL(p->pod_net, IP4(10, 128, 0, 0));
    CU_ASSERT_EQUAL(p->pod_prefix, 14);
    CU_ASSERT_EQUAL(p->service_net, IP4(172, 30, 0, 0));
    CU_ASSERT_EQUAL(p->service_prefix, 16);
    CU_ASSERT_EQUAL(p->par.dns_server, IP4(172, 30, 0, 10));
    CU_ASSERT_STRING_EQUAL(p->cluster_domain, "cluster.local");
    CU_ASSERT_EQUAL(p->n_egress_pool, 0);
    CU_ASSERT_EQUAL(p->router_replicas, 2);
    CU_ASSERT_EQUAL(p->par.reload_interval, 5 * RS_SEC);
    CU_ASSERT_EQUAL(p->par.endpoint_delay, 1 * RS_SEC);         /* R15 */
    CU_ASSERT_EQUAL(p->par.failure_detection, 40 * RS_SEC);     /* R7 */
    CU_ASSERT_EQUAL(p->par.router_failover, 3 * RS_SEC);        /* R30 */
    CU_ASSERT_EQUAL(p->par.connect_timeout, 10 * RS_SEC);       /* R38 */
    CU_ASSERT_EQUAL(p->par.route_timeout, 30 * RS_SEC);         /* R31 */
    CU_ASSERT_EQUAL(p->par.latency_cluster, 200 * RS_US);
    CU_ASSERT_EQUAL(p->par.latency_internet, 10 * RS_MS);
    CU_ASSERT_EQUAL(p->par.latency_router, 100 * RS_US);
    CU_ASSERT_EQUAL(p->policy_delay, 1 * RS_SEC);               /* R47 */
    CU_ASSERT_EQUAL(p->node_net, IP4(192, 168, 0, 0));          /* R45, R49 */
    CU_ASSERT_EQUAL(p->node_prefix, 16);
}

/* Built-in profiles carry the table's values. */
static void
test_profiles(void)
{
    RsProfile p;
    CU_ASSERT_FALSE(rs_profile_builtin("rahti-3", &p));
    CU_ASSERT_FATAL(rs_profile_builtin("rahti-1", &p));
    CU_ASSERT_EQUAL(p.pod_net, IP4(10, 128, 0, 0));
    CU_ASSERT_EQUAL(p.pod_prefix, 14);
    CU_ASSERT_EQUAL(p.service_net, IP4(172, 30, 0, 0));
    CU_ASSERT_EQUAL(p.par.dns_server, IP4(172, 30, 0, 10));
    CU_ASSERT_STRING_EQUAL(p.app_domain, "rahtiapp.fi");
    CU_ASSERT_STRING_EQUAL(p.router_canonical, "rahtiapp.fi");
    CU_ASSERT_EQUAL(p.par.router_vip, IP4(193, 167, 189, 101));
    CU_ASSERT_EQUAL(p.egress_ip, IP4(193, 167, 189, 25));
    CU_ASSERT_EQUAL(p.par.balance, RS_BAL_LEASTCONN);
    CU_ASSERT_EQUAL(p.n_whitelist_annotations, 1);
    CU_ASSERT_EQUAL(p.par.failure_detection, 40 * RS_SEC);
    CU_ASSERT_EQUAL(p.par.latency_cluster, 200 * RS_US);
    CU_ASSERT_EQUAL(p.isolation, RS_ISOLATION_MULTITENANT);    /* R39 */
    CU_ASSERT_EQUAL(p.dns_target_port, 53);
    CU_ASSERT_EQUAL(p.lb_port_min, 0);                          /* R48: none */
    CU_ASSERT_EQUAL(p.lb_port_max, 0);
    check_common(&p);
    rs_profile_clear(&p);
    CU_ASSERT_FATAL(rs_profile_builtin("rahti-2", &p));
    CU_ASSERT_STRING_EQUAL(p.app_domain, "2.rahtiapp.fi");
    CU_ASSERT_STRING_EQUAL(p.router_canonical, "router-default.apps.2.rahti.csc.fi");
    CU_ASSERT_EQUAL(p.par.router_vip, IP4(195, 148, 21, 61));
    CU_ASSERT_EQUAL(p.egress_ip, IP4(86, 50, 229, 150));
    CU_ASSERT_EQUAL(p.par.balance, RS_BAL_RANDOM);
    CU_ASSERT_EQUAL(p.n_whitelist_annotations, 2);
    CU_ASSERT_STRING_EQUAL(p.whitelist_annotations[1], "haproxy.router.openshift.io/ip_allowlist");
    CU_ASSERT_EQUAL(p.router_replicas, 2);
    CU_ASSERT_EQUAL(p.isolation, RS_ISOLATION_POLICY);         /* R40 */
    CU_ASSERT_EQUAL(p.dns_target_port, 5353);                   /* R46 */
    CU_ASSERT_EQUAL(p.lb_port_min, 30000);                      /* R48 */
    CU_ASSERT_EQUAL(p.lb_port_max, 35000);
    check_common(&p);
    rs_profile_clear(&p);
}

/* The position index: values and keys, nested, after comments and multibyte text. */
static void
test_positions(void)
{
    const char *text = "// head\n"
                       "{ /* é */ \"a\": [1,\n"
                       "   {\"b\": \"ü\", \"c\": {\"d\": true}}],\n"
                       "  \"e\": \"x // not a comment\" }\n";
    g_autoptr(GError) err = NULL;
    g_autoptr(RsJsonDoc) doc = rs_jsonc_parse("p.json", text, strlen(text), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    const cJSON *root = rs_jsonc_root(doc);
    int line, col;
    rs_jsonc_linecol(doc, rs_jsonc_offset(doc, root, false), &line, &col);
    CU_ASSERT(line == 2 && col == 1);
    const cJSON *a = cJSON_GetObjectItem(root, "a");
    rs_jsonc_linecol(doc, rs_jsonc_offset(doc, a, true), &line, &col);
    CU_ASSERT(line == 2 && col == 11);          /* "a" after a comment with é: characters */
    rs_jsonc_linecol(doc, rs_jsonc_offset(doc, a, false), &line, &col);
    CU_ASSERT(line == 2 && col == 16);
    const cJSON *obj = cJSON_GetArrayItem(a, 1);
    const cJSON *d = cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "c"), "d");
    rs_jsonc_linecol(doc, rs_jsonc_offset(doc, d, false), &line, &col);
    CU_ASSERT(line == 3 && col == 26);
    rs_jsonc_linecol(doc, rs_jsonc_offset(doc, d, true), &line, &col);
    CU_ASSERT(line == 3 && col == 21);
    const cJSON *e = cJSON_GetObjectItem(root, "e");
    CU_ASSERT_STRING_EQUAL(e->valuestring, "x // not a comment");
}

/* Whether two trees are the same node for node: types, values (valueint
 * too), keys, and the links cJSON's own functions rely on (a first child's
 * prev is the last child). */
static bool
same_tree(const cJSON *a, const cJSON *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->type != b->type || a->valueint != b->valueint || a->valuedouble != b->valuedouble ||
        signbit(a->valuedouble) != signbit(b->valuedouble))
        return false;
    if (g_strcmp0(a->valuestring, b->valuestring) != 0 || g_strcmp0(a->string, b->string) != 0)
        return false;
    const cJSON *x = a->child, *y = b->child;
    if (x != NULL && y != NULL) {
        const cJSON *lx = x, *ly = y;
        while (lx->next)
            lx = lx->next;
        while (ly->next)
            ly = ly->next;
        if (x->prev != lx || y->prev != ly)
            return false;
    }
    for (; x != NULL && y != NULL; x = x->next, y = y->next)
        if ((x->next != NULL && x->next->prev != x) || !same_tree(x, y))
            return false;
    return x == NULL && y == NULL;
}

/* rs_jsonc_parse builds the tree itself (issue 14): the same tree as
 * cJSON's parse of the text, escapes, numbers and a byte order mark
 * included. */
static void
test_tree_as_cjson(void)
{
    static const char *const texts[] = {
        "\xEF\xBB\xBF{\"a\": [1, -0, 0.5, 1.5e3, 1E-2, 2147483647, 2147483648, -2147483648, "
        "-2147483649, 1e999, -1e999, 123456789012345678901234567890, 0.1, 3.14159265358979323846],\n"
        "\"s\": \"x\\\"y\\\\z\\/w\\b\\f\\n\\r\\t \\u0041\\u00e9\\u20ac\\ud83d\\ude00 \xC3\xA9\",\n"
        "\"e\": {}, \"ea\": [], \"t\": true, \"f\": false, \"n\": null,\n"
        "\"nest\": [[{\"k\": [{}]}], {\"a\": 1, \"b\": 2}], \"\\u006b\": \"k\", \"\": \"\"}",
        "[1]", "\"str\"", " 42 ", "[true,false,null,{\"\":\"\"}]",
        "{\"x\": 12345678901234567890123456789012345678901234567890123456789012345678}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(RsJsonDoc) doc = rs_jsonc_parse("t.json", texts[i], strlen(texts[i]), &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
        cJSON *c = cJSON_ParseWithLength(texts[i], strlen(texts[i]));
        CU_ASSERT_PTR_NOT_NULL(c);
        CU_ASSERT(same_tree(rs_jsonc_root(doc), c));
        cJSON_Delete(c);
    }
}

/* Syntax errors name line and column. */
static void
test_syntax_errors(void)
{
    static const struct { const char *text, *msg; } cases[] = {
        {"{\"name\": \"x\",}", "t.json:1:14: trailing comma before `}`"},
        {"{\"name\": +1}", "t.json:1:10: expected a value, found `+`"},
        {"{\"name\": \"x\"} x", "t.json:1:15: unexpected text after the end of the JSON document"},
        {"{\"a\": 1, \"a\": 2}", "t.json:1:10: duplicate key `a` (first at line 1, column 2)"},
        {"{\n\"name\": \"\\q\"}", "t.json:2:10: invalid escape `\\q` in a string"},
        {"{\"name\": \"\\u0000\"}", "t.json:1:11: \\u0000 (a NUL character) is not allowed in a string"},
        {"{\"name\": \"a\tb\"}", "t.json:1:12: control character in a string (write it as an escape like \\t)"},
        {"  \n\n", "t.json: empty file: no JSON document, only whitespace or comments"},
        {"{} /* open", "t.json:1:4: unterminated /* comment"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        expect_error(cases[i].text, cases[i].msg);
    g_autoptr(GError) err = NULL;
    RsScenario *sc = load("", &err);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT(g_error_matches(err, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_SYNTAX));
}

/* Loader errors: exact message, position and path. */
static void
test_loader_errors(void)
{
    static const struct { const char *text, *msg; } cases[] = {
        {"{\"seed\": 1}", "t.json:1:1: missing required key `name`"},
        {"{\"name\": \"x\", \"nmae\": 1}",
         "t.json:1:15: nmae: unknown key `nmae` in a scenario (did you mean `name`?)"},
        {"{\"name\": \"x\",\n \"namespaces\": [{\"name\": \"a\",\n  \"services\": [{\"name\": \"s\", \"ports\": [80]},\n"
         "   {\"name\": \"t\", \"ports\": [{\"port\": 80, \"target_port\": true}]}]}]}",
         "t.json:4:56: namespaces[0].services[1].ports[0].target_port: expected a port number (1-65535) or a port name, found true"},
        {"{\"name\": \"x\", \"seed\": 1.5}", "t.json:1:23: seed: expected a non-negative integer, found 1.5"},
        {"{\"name\": \"x\", \"seed\": 1e300}",
         "t.json:1:23: seed: seed too large for a JSON number (above 2^53): write it as a string of digits"},
        {"{\"name\": \"x\", \"duration\": \"0s\"}", "t.json:1:27: duration: the duration must be positive"},
        {"{\"name\": \"x\", \"namespaces\": [{\"name\": \"a\", \"pods\": [{\"name\": \"p\", \"replicas\": 2}]}]}",
         "t.json:1:67: namespaces[0].pods[0].replicas: unknown key `replicas` in a pod (known keys: name, labels, "
         "ports, protocol, startup, service_time, concurrency, readiness, liveness, pre_stop, termination_grace)"},
        {"{\"name\": \"x\", \"namespaces\": [{\"name\": \"a\", \"deployments\": [{\"name\": \"web\"}], "
         "\"pods\": [{\"name\": \"web-1\"}]}]}",
         "t.json:1:96: namespaces[0].pods[0].name: pod name `web-1` collides with the pods of deployment `web` "
         "(named `web-<n>`, R2)"},
        {"{\"name\": \"x\", \"description\": \"::1\"}",
         "t.json:1:30: description: IPv6 address `::1`: rahtisim models IPv4 only (R1)"},
        {"{\"name\": \"x\", \"platform\": {\"profile\": \"rahti-2\", \"router_replicas\": 0}}",
         "t.json:1:69: platform.router_replicas: router_replicas 0 out of range (1-64)"},
        {"{\"name\": \"x\", \"platform\": {\"pod_network\": \"10.128.0.0/31\"}}",
         "t.json:1:43: platform.pod_network: a network needs a prefix length from /1 to /30, found /31"},
        {"{\"name\": \"x\", \"dns\": [{\"name\": \"a.example.org\", \"a\": \"1.2.3.4\", \"cname\": \"b.org\"}]}",
         "t.json:1:23: dns[0]: a DNS record has exactly one of `cname` and `a`"},
        {"{\"name\": \"x\", \"events\": [{\"at\": \"1s\", \"remove\": \"a/b\"}]}",
         "t.json:1:49: events[0].remove: unknown namespace `a` in the object to remove `a/b`"},
        {"{\"name\": \"x\", \"expect\": [{\"at\": \"1s\", \"pod\": \"a/b\"}]}",
         "t.json:1:26: expect[0]: an expectation needs `to` (a probe), `resolve` (a DNS lookup), `state` "
         "(a pod's state), `traffic` (traffic statistics), `rollout` (a rollout's completion), "
         "`deployment` (its ready pods) or `matrix` (who reaches whom)"},
        {"{\"name\": \"x\", \"namespaces\": [{\"name\": \"a\", \"services\": [{\"name\": \"s\", \"ports\": [80], "
         "\"cluster_ip\": \"172.30.0.10\"}]}]}",
         "t.json:1:100: namespaces[0].services[0].cluster_ip: cluster_ip 172.30.0.10 is reserved (R10: the "
         "network address, the broadcast address, .1 for the `kubernetes` service or the cluster DNS "
         "172.30.0.10)"},
        {"{\"name\": \"x\", \"expect\": [{\"at\": \"1s\", \"pod\": \"a/b\", \"stat\": \"ready\"}]}",
         "t.json:1:53: expect[0].stat: unknown key `stat`: an expectation needs `to`, `resolve`, `state`, "
         "`traffic`, `rollout`, `deployment` or `matrix` (did you mean `state`?)"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        expect_error(cases[i].text, cases[i].msg);
}

/* Limits give RS_SCENARIO_ERROR_LIMIT and name the flag. */
static void
test_limits(void)
{
    RsLimits l;
    rs_limits_default(&l);
    l.max_objects = 3;
    const char *text = "{\"name\": \"x\", \"namespaces\": [{\"name\": \"a\", \"deployments\": "
                       "[{\"name\": \"d\", \"replicas\": 4}]}]}";
    g_autoptr(GError) err = NULL;
    RsScenario *sc = rs_scenario_load_data("t.json", text, strlen(text), &l, &err);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT(g_error_matches(err, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_LIMIT));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "--max-objects"));
    g_clear_error(&err);
    rs_limits_default(&l);
    l.max_duration = 10 * RS_SEC;
    const char *t2 = "{\"name\": \"x\", \"duration\": \"11s\"}";
    sc = rs_scenario_load_data("t.json", t2, strlen(t2), &l, &err);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT(g_error_matches(err, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_LIMIT));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "--max-duration"));
    g_clear_error(&err);
    /* --max-events counts engine events: 100 requests are ~1000 of them */
    rs_limits_default(&l);
    l.max_events = 999;
    const char *t3 = "{\"name\": \"x\", \"duration\": \"100s\", \"hosts\": [{\"name\": \"h\", "
                     "\"ip\": \"1.2.3.4\"}], \"traffic\": [{\"name\": \"t\", \"from\": \"h\", "
                     "\"to\": \"http://a.b/\", \"rate\": \"1/s\"}]}";
    sc = rs_scenario_load_data("t.json", t3, strlen(t3), &l, &err);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT(g_error_matches(err, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_LIMIT));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "about 100 requests \xe2\x89\x88 1000 engine events"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "more than --max-events (999) allows"));
    g_clear_error(&err);
    l.max_events = 1000;
    sc = rs_scenario_load_data("t.json", t3, strlen(t3), &l, &err);
    CU_ASSERT_PTR_NOT_NULL(sc);
    rs_scenario_free(sc);
}

/* The router's timeout reading (R31), shared with the loader's warning. */
static void
test_route_timeout_parse(void)
{
    rs_time_t t;
    CU_ASSERT(rs_parse_route_timeout("500", &t) && t == 500 * RS_MS);     /* no unit: ms */
    CU_ASSERT(rs_parse_route_timeout("2m", &t) && t == 120 * RS_SEC);
    CU_ASSERT(rs_parse_route_timeout("10us", &t) && t == 10 * RS_US);
    CU_ASSERT(rs_parse_route_timeout("30d", &t) && t == (rs_time_t)2147483647 * RS_MS);   /* clipped */
    CU_ASSERT_FALSE(rs_parse_route_timeout("0s", &t));
    CU_ASSERT_FALSE(rs_parse_route_timeout("5 s", &t));
    CU_ASSERT_FALSE(rs_parse_route_timeout("1.5s", &t));
    CU_ASSERT_FALSE(rs_parse_route_timeout("5sec", &t));
    CU_ASSERT_FALSE(rs_parse_route_timeout("", &t));
}

/* Labels: Kubernetes syntax and the count limit; existing shapes still load. */
static void
test_labels(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = load(
        "{\"name\": \"l\", \"namespaces\": [{\"name\": \"a\", \"pods\": [{\"name\": \"p\", "
        "\"labels\": {\"app.kubernetes.io/name\": \"Web_1.x\", \"tier\": \"\", \"A-b\": \"c\"}}]}]}",
        &err);
    CU_ASSERT_PTR_NOT_NULL(sc);
    static const char *const bad[] = {"-a", "a-", "a b", "a/b/c", "/a", "Ex.com/a", "a.com/",
                                      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        CU_ASSERT_FALSE(ld_is_qualified_name(bad[i]));
    CU_ASSERT(ld_is_qualified_name("haproxy.router.openshift.io/ip_whitelist"));
    CU_ASSERT(ld_is_qualified_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));    /* 63 */
}

/* Defaults from scenario-format.md, and a minimal scenario. */
static void
test_defaults(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = load(
        "{\"name\": \"d\", \"namespaces\": [{\"name\": \"a\", \"deployments\": [{\"name\": \"w\", "
        "\"labels\": {\"app\": \"w\"}, \"ports\": [8080]}], \"services\": [{\"name\": \"w\", "
        "\"selector\": {\"app\": \"w\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}], "
        "\"routes\": [{\"name\": \"r\", \"service\": \"w\"}]}], "
        "\"hosts\": [{\"name\": \"h\", \"ip\": \"1.2.3.4\"}], "
        "\"traffic\": [{\"name\": \"t\", \"from\": \"h\", \"to\": \"http://r-a.rahtiapp.fi/\", \"rate\": \"60/m\"}]}",
        &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_STRING_EQUAL(sc->profile.name, "rahti-1");
    CU_ASSERT_EQUAL(sc->seed, 1);
    CU_ASSERT_EQUAL(sc->duration, RS_TIME_NEVER);
    const RsWorkloadSpec *w = &sc->namespaces[0].deployments[0];
    CU_ASSERT_EQUAL(w->replicas, 1);
    CU_ASSERT_EQUAL(w->startup, 2 * RS_SEC);
    CU_ASSERT_EQUAL(w->service_time, RS_MS);
    CU_ASSERT_EQUAL(w->concurrency, 100);
    CU_ASSERT_EQUAL(w->protocol, RS_PROTO_HTTP);
    const RsServiceSpec *s = &sc->namespaces[0].services[0];
    CU_ASSERT_EQUAL(s->balance, RS_SVC_BAL_RANDOM);
    CU_ASSERT_EQUAL(s->affinity, RS_AFFINITY_NONE);
    CU_ASSERT_EQUAL(s->cluster_ip_mode, RS_CLUSTER_IP_AUTO);
    const RsRouteSpec *r = &sc->namespaces[0].routes[0];
    CU_ASSERT_EQUAL(r->tls, RS_TLS_NONE);
    CU_ASSERT_EQUAL(r->insecure, RS_INSECURE_NONE);
    CU_ASSERT_STRING_EQUAL(r->path, "/");
    CU_ASSERT_EQUAL(r->weight, 100);
    CU_ASSERT_PTR_NULL(r->host);
    CU_ASSERT_FALSE(sc->hosts[0].cookies);
    const RsTrafficSpec *t = &sc->traffic[0];
    CU_ASSERT_EQUAL(t->rate, 1.0);
    CU_ASSERT_EQUAL(t->arrivals, RS_ARRIVALS_POISSON);
    CU_ASSERT_EQUAL(t->stop, RS_TIME_NEVER);
    CU_ASSERT_EQUAL(t->clients, 1);
    CU_ASSERT_EQUAL(t->from.kind, RS_FROM_HOST);
    CU_ASSERT_EQUAL(sc->warnings->len, 0);
}

/* tests/good/full.json: every key, parsed into the model. */
static void
test_good_full(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_file(RS_SRCDIR "/tests/good/full.json", NULL, &err);
    if (err)
        fprintf(stderr, "\n%s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_EQUAL(sc->seed, UINT64_MAX);
    CU_ASSERT_EQUAL(sc->duration, 60 * RS_SEC);
    CU_ASSERT_EQUAL(sc->profile.router_replicas, 3);
    CU_ASSERT_EQUAL(sc->profile.pod_prefix, 29);
    CU_ASSERT_EQUAL(sc->profile.n_egress_pool, 1);
    CU_ASSERT(sc->namespaces[0].dedicated_egress);
    const RsWorkloadSpec *w = &sc->namespaces[0].deployments[0];
    CU_ASSERT_EQUAL(w->n_ports, 2);
    CU_ASSERT_STRING_EQUAL(w->ports[1].name, "https");
    CU_ASSERT_STRING_EQUAL(w->ports[1].tls, "nginx.fenic.svc");
    CU_ASSERT_EQUAL(w->concurrency, 64);
    const RsServiceSpec *s = &sc->namespaces[0].services[0];
    CU_ASSERT_EQUAL(s->cluster_ip_mode, RS_CLUSTER_IP_FIXED);
    CU_ASSERT_EQUAL(s->cluster_ip, IP4(172, 30, 5, 5));
    CU_ASSERT_STRING_EQUAL(s->ports[1].target_name, "https");
    CU_ASSERT_EQUAL(s->ports[1].target_port, 0);
    CU_ASSERT_EQUAL(sc->namespaces[0].services[1].cluster_ip_mode, RS_CLUSTER_IP_NONE);
    const RsRouteSpec *r = &sc->namespaces[0].routes[0];
    CU_ASSERT_STRING_EQUAL(r->host, "myapp.rahtiapp.fi");
    CU_ASSERT_EQUAL(r->tls, RS_TLS_EDGE);
    CU_ASSERT_EQUAL(r->insecure, RS_INSECURE_REDIRECT);
    CU_ASSERT_EQUAL(r->weight, 90);
    CU_ASSERT_EQUAL(r->alternates[0].weight, 10);
    CU_ASSERT(r->certificate);
    CU_ASSERT_EQUAL(sc->hosts[1].ports[0].protocol, RS_PROTO_TCP);
    CU_ASSERT_EQUAL(sc->hosts[1].ports[0].allow_prefix[0], 32);
    CU_ASSERT(sc->dns[1].has_a);
    /* events sorted by time, equal times in file order (R37) */
    CU_ASSERT_EQUAL_FATAL(sc->n_events, 10);
    for (unsigned i = 1; i < sc->n_events; i++)
        CU_ASSERT(sc->events[i - 1].at <= sc->events[i].at);
    CU_ASSERT_EQUAL(sc->events[0].kind, RS_EV_DELETE);
    CU_ASSERT_EQUAL(sc->events[1].kind, RS_EV_REMOVE);
    CU_ASSERT_EQUAL(sc->events[1].obj_kind, RS_KIND_ROUTE);
    CU_ASSERT_EQUAL(sc->events[9].obj_kind, RS_KIND_POD);      /* unqualified, resolved */
    const RsEventSpec *apply = &sc->events[7];
    CU_ASSERT_EQUAL(apply->kind, RS_EV_APPLY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(apply->route);
    CU_ASSERT_STRING_EQUAL(apply->route->path, "/api");
    CU_ASSERT_EQUAL(sc->events[5].kind, RS_EV_ANNOTATE);
    CU_ASSERT_PTR_NULL(sc->events[5].value);
    CU_ASSERT_EQUAL(sc->traffic[1].from.kind, RS_FROM_DEPLOYMENT);
    CU_ASSERT_STRING_EQUAL(sc->traffic[1].to.pod_ref, "fenic/debug");
    const RsExpectSpec *e = sc->expect;
    CU_ASSERT_EQUAL(e[0].kind, RS_EXPECT_PROBE);
    CU_ASSERT_EQUAL(e[0].from.kind, RS_FROM_POD);
    CU_ASSERT(e[0].has_outcome && e[0].outcome == RS_OUTCOME_OK);
    CU_ASSERT_EQUAL(e[0].status, 200);
    CU_ASSERT(e[0].has_latency_max && e[0].latency_max == 50 * RS_MS);
    CU_ASSERT_STRING_EQUAL(e[1].answer_service, "fenic/nginx");
    CU_ASSERT(e[2].answer_nxdomain);
    CU_ASSERT_EQUAL(e[3].n_answer_ips, 1);
    CU_ASSERT_EQUAL(e[5].state, RS_POD_READY);
    CU_ASSERT(e[6].share[RS_OUTCOME_OK].has_min && e[6].share[RS_OUTCOME_OK].min == 0.99);
    CU_ASSERT(e[6].share[RS_OUTCOME_TIMEOUT].has_max);
    CU_ASSERT_EQUAL(e[6].between_start, 10 * RS_SEC);
    CU_ASSERT_STRING_EQUAL(e[7].spread_over, "fenic/nginx");
    CU_ASSERT_EQUAL(e[8].latency_p50_max, 5 * RS_MS);
    CU_ASSERT_EQUAL(e[8].latency_p90_max, RS_TIME_NEVER);
    CU_ASSERT_EQUAL(e[8].latency_p99_max, 50 * RS_MS);
    CU_ASSERT_EQUAL(sc->warnings->len, 0);
}

/* tests/good/warnings.json: each Rahti mistake warns once, in file order. */
static void
test_good_warnings(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_file(RS_SRCDIR "/tests/good/warnings.json", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    static const char *const want[] = {"R33)", "port 80 is privileged", "target port 8081", "matches no deployment",
                                       "target port `http`", "R23)", "no port 9999", "entry `bogus`",
                                       "leading or trailing spaces", "is not read by the rahti-1 router",
                                       "balance `RoundRobin`", "timeout `5 s`",
                                       "path `/x`, which route `a/t`", "claimed by route `a/r`",
                                       "host `v1-api-a.rahtiapp.fi` is already claimed by route `a/v1.api`",
                                       "balance `random ` is not one"};
    CU_ASSERT_EQUAL_FATAL(sc->warnings->len, G_N_ELEMENTS(want));
    for (guint i = 0; i < sc->warnings->len; i++) {
        const char *w = sc->warnings->pdata[i];
        CU_ASSERT(g_str_has_prefix(w, RS_SRCDIR "/tests/good/warnings.json:"));
        CU_ASSERT_PTR_NOT_NULL(strstr(w, ": warning: "));
        if (!strstr(w, want[i]))
            fprintf(stderr, "\n  warning %u: %s\n", i, w);
        CU_ASSERT_PTR_NOT_NULL(strstr(w, want[i]));
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(sc->warnings->pdata[1], "warnings.json:8:73: warning: port 80"));
}

/* A missing file and a directory are I/O errors without a position. */
static void
test_io_errors(void)
{
    g_autoptr(GError) err = NULL;
    RsScenario *sc = rs_scenario_load_file("/nonexistent/x.json", NULL, &err);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT(g_error_matches(err, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO));
    CU_ASSERT_STRING_EQUAL(err->message, "/nonexistent/x.json: cannot read: No such file or directory");
    g_clear_error(&err);
    sc = rs_scenario_load_file(RS_SRCDIR "/tests", NULL, &err);
    CU_ASSERT_PTR_NULL(sc);
    CU_ASSERT(g_error_matches(err, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO));
}

int
main(void)
{
    static CU_TestInfo tests[] = {
        {"durations", test_durations},
        {"rates", test_rates},
        {"addresses", test_addresses},
        {"urls", test_urls},
        {"profiles", test_profiles},
        {"positions", test_positions},
        {"tree as cJSON's", test_tree_as_cjson},
        {"syntax errors", test_syntax_errors},
        {"loader errors", test_loader_errors},
        {"limits", test_limits},
        {"route timeout", test_route_timeout_parse},
        {"labels", test_labels},
        {"defaults", test_defaults},
        {"good/full.json", test_good_full},
        {"good/warnings.json", test_good_warnings},
        {"io errors", test_io_errors},
        CU_TEST_INFO_NULL,
    };
    return fx_main("loader", tests);
}
