/* test_policy.c: Kubernetes NetworkPolicy semantics (R39-R47), table-driven.
 *
 * Each case is written from the networking.k8s.io/v1 API documentation
 * ("Network Policies" concept page and the NetworkPolicySpec reference) and
 * follows the probes of the upstream conformance suite
 * (test/e2e/network/netpol): a fixed world of three namespaces, the
 * policies under test, and connections probed from pods of each namespace
 * to pods (by address) and a service, each with the outcome Kubernetes
 * gives: `ok` when allowed, `timeout` when dropped (R42).
 *
 * The world (rahti-2, no default policies, so only the case's policies count):
 *   x (team=a):  x/a app=a role=db  10.128.0.1  ports 8080, 8443 "https", 9005
 *                x/b app=b          10.128.0.2  8080
 *                x/c (no labels)    10.128.0.3  8080
 *                service x/s: 80 -> 8080, selects app=a
 *   y (team=b):  y/a app=a 10.128.0.4, y/z app=z 10.128.0.5, y/b app=b 10.128.0.6
 *   z (no labels): z/a app=a 10.128.0.7
 */
#include "config.h"

#include "rahtisim/dns.h"
#include "rahtisim/teach.h"
#include "sim-fixture.h"

#define PORTS "\"ports\": [8080, {\"port\": 8443, \"name\": \"https\"}, 9005]"

#define WORLD \
    "{\"name\": \"policy\", \"platform\": {\"profile\": \"rahti-2\", \"policy_delay\": \"1s\"}," \
    " \"namespaces\": [" \
    "  {\"name\": \"x\", \"labels\": {\"team\": \"a\"}, \"default_policies\": false," \
    "   \"pods\": [{\"name\": \"a\", \"labels\": {\"app\": \"a\", \"role\": \"db\"}, " PORTS "}," \
    "             {\"name\": \"b\", \"labels\": {\"app\": \"b\"}, \"ports\": [8080]}," \
    "             {\"name\": \"c\", \"ports\": [8080]}]," \
    "   \"services\": [{\"name\": \"s\", \"selector\": {\"app\": \"a\"}," \
    "                 \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]," \
    "   \"network_policies\": [%s]}," \
    "  {\"name\": \"y\", \"labels\": {\"team\": \"b\"}, \"default_policies\": false," \
    "   \"pods\": [{\"name\": \"a\", \"labels\": {\"app\": \"a\"}, \"ports\": [8080]}," \
    "             {\"name\": \"z\", \"labels\": {\"app\": \"z\"}, \"ports\": [8080]}," \
    "             {\"name\": \"b\", \"labels\": {\"app\": \"b\"}, \"ports\": [8080]}]," \
    "   \"network_policies\": [%s]}," \
    "  {\"name\": \"z\", \"default_policies\": false," \
    "   \"pods\": [{\"name\": \"a\", \"labels\": {\"app\": \"a\"}, \"ports\": [8080]}]}]," \
    " \"hosts\": [{\"name\": \"h\", \"ip\": \"193.166.4.20\", \"ports\": [{\"port\": 8080}]}]," \
    " \"events\": [%s]}"

typedef struct {
    const char *at;             /* "3s" */
    const char *from, *url;
    RsOutcome want;
} Probe;

typedef struct {
    const char *name;
    const char *x, *y;          /* policies of x and y (JSON objects, comma-separated) */
    const char *events;
    Probe probes[8];
} Case;

#define OK RS_OUTCOME_OK
#define TO RS_OUTCOME_TIMEOUT
#define XA "http://@x/a:8080/"
#define XB "http://@x/b:8080/"
#define XC "http://@x/c:8080/"
#define YA "http://@y/a:8080/"
#define ZA "http://@z/a:8080/"
#define DENY_X "{\"name\": \"deny\", \"pod_selector\": {}, \"ingress\": []}"

static const Case cases[] = {
    {"no policy: not isolated, everything allowed (R41)", "", "", "",
     {{"3s", "y/a", XA, OK}, {"3s", "z/a", XA, OK}, {"3s", "x/b", XA, OK}, {"3s", "x/a", YA, OK}}},
    {"ingress: [] isolates and allows nothing, same namespace included (R41, R43)", DENY_X, "", "",
     {{"3s", "y/a", XA, TO}, {"3s", "x/b", XA, TO}, {"3s", "x/a", YA, OK}, {"3s", "y/a", ZA, OK}}},
    {"only the selected pods are isolated (R41)",
     "{\"name\": \"p\", \"pod_selector\": {\"match_labels\": {\"app\": \"a\"}}, \"ingress\": []}", "", "",
     {{"3s", "y/a", XA, TO}, {"3s", "y/a", XB, OK}, {"3s", "y/a", XC, OK}}},
    {"a rule without from matches every peer (R43)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{}]}", "", "",
     {{"3s", "y/a", XA, OK}, {"3s", "z/a", XB, OK}, {"3s", "x/c", XA, OK}}},
    {"pod_selector alone: pods of the policy's namespace only (R43)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"pod_selector\": "
     "{\"match_labels\": {\"app\": \"b\"}}}]}]}", "", "",
     {{"3s", "x/b", XA, OK}, {"3s", "x/c", XA, TO}, {"3s", "y/b", XA, TO}}},
    {"namespace_selector alone: every pod of matching namespaces (R43)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"namespace_selector\": "
     "{\"match_labels\": {\"team\": \"b\"}}}]}]}", "", "",
     {{"3s", "y/a", XA, OK}, {"3s", "y/z", XA, OK}, {"3s", "z/a", XA, TO}, {"3s", "x/b", XA, TO}}},
    {"namespace_selector {} matches every namespace, pod_selector {} with it every pod (R43)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"namespace_selector\": {}}]}]}",
     "", "", {{"3s", "z/a", XA, OK}, {"3s", "x/c", XA, OK}, {"3s", "y/b", XB, OK}}},
    {"both selectors in one peer: AND (R43)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"namespace_selector\": "
     "{\"match_labels\": {\"team\": \"b\"}}, \"pod_selector\": {\"match_labels\": {\"app\": \"z\"}}}]}]}",
     "", "", {{"3s", "y/z", XA, OK}, {"3s", "y/a", XA, TO}, {"3s", "x/b", XA, TO}}},
    {"two peers: OR (R43)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"namespace_selector\": "
     "{\"match_labels\": {\"team\": \"b\"}}}, {\"pod_selector\": {\"match_labels\": {\"app\": \"b\"}}}]}]}",
     "", "", {{"3s", "y/a", XA, OK}, {"3s", "x/b", XA, OK}, {"3s", "x/c", XA, TO}, {"3s", "z/a", XA, TO}}},
    {"kubernetes.io/metadata.name names a namespace (R43)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"namespace_selector\": "
     "{\"match_labels\": {\"kubernetes.io/metadata.name\": \"z\"}}}]}]}", "", "",
     {{"3s", "z/a", XA, OK}, {"3s", "y/a", XA, TO}}},
    {"match_expressions In and NotIn (a missing key is not in the set) (R43)",
     "{\"name\": \"p\", \"pod_selector\": {\"match_expressions\": [{\"key\": \"app\", \"operator\": \"NotIn\", "
     "\"values\": [\"a\"]}]}, \"ingress\": [{\"from\": [{\"pod_selector\": {\"match_expressions\": "
     "[{\"key\": \"app\", \"operator\": \"In\", \"values\": [\"a\", \"z\"]}]}}]}]}", "", "",
     {{"3s", "x/a", XB, OK}, {"3s", "x/a", XC, OK}, {"3s", "x/b", XC, TO}, {"3s", "y/a", XA, OK}}},
    {"match_expressions Exists and DoesNotExist (R43)",
     "{\"name\": \"p\", \"pod_selector\": {\"match_expressions\": [{\"key\": \"role\", \"operator\": "
     "\"Exists\"}]}, \"ingress\": [{\"from\": [{\"pod_selector\": {\"match_expressions\": "
     "[{\"key\": \"app\", \"operator\": \"DoesNotExist\"}]}}]}]}", "", "",
     {{"3s", "x/c", XA, OK}, {"3s", "x/b", XA, TO}, {"3s", "x/b", XC, OK}}},
    {"ip_block with except, applied to pod addresses too (R43)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"ip_block\": {\"cidr\": "
     "\"10.128.0.0/14\", \"except\": [\"10.128.0.4/32\"]}}]}]}", "", "",
     {{"3s", "y/a", XA, TO}, {"3s", "y/z", XA, OK}, {"3s", "z/a", XA, OK}}},
    {"ports: number, pod port name, end_port range, protocol (R44)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"ports\": [{\"port\": \"https\"}, "
     "{\"port\": 9000, \"end_port\": 9010}, {\"port\": 8080, \"protocol\": \"UDP\"}]}]}", "", "",
     {{"3s", "y/a", "http://@x/a:8443/", OK}, {"3s", "y/a", "http://@x/a:9005/", OK},
      {"3s", "y/a", XA, TO}, {"3s", "y/a", XB, TO}}},
    {"the target port counts, not the service port (R44)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"ports\": [{\"port\": 8080}]}]},"
     "{\"name\": \"q\", \"pod_selector\": {}, \"ingress\": [{\"ports\": [{\"port\": 80}]}]}", "", "",
     {{"3s", "y/a", "http://s.x/", OK}, {"3s", "y/a", "http://@x/a:9005/", TO}}},
    {"the service port alone admits nothing (R44)",
     "{\"name\": \"q\", \"pod_selector\": {}, \"ingress\": [{\"ports\": [{\"port\": 80}]}]}", "", "",
     {{"3s", "y/a", "http://s.x/", TO}}},
    {"policies add up: the union of their rules (R42)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"pod_selector\": "
     "{\"match_labels\": {\"app\": \"b\"}}}]}]},"
     "{\"name\": \"q\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"namespace_selector\": "
     "{\"match_labels\": {\"team\": \"b\"}}}]}]}", "", "",
     {{"3s", "x/b", XA, OK}, {"3s", "y/a", XA, OK}, {"3s", "x/c", XA, TO}}},
    {"egress: [] isolates the source; other pods still connect (R41)",
     "{\"name\": \"e\", \"pod_selector\": {\"match_labels\": {\"app\": \"a\"}}, \"policy_types\": [\"Egress\"]}",
     "", "", {{"3s", "x/a", YA, TO}, {"3s", "x/b", YA, OK}, {"3s", "y/a", XA, OK}}},
    {"egress to one namespace, and out of the cluster by ip_block (R43)",
     "{\"name\": \"e\", \"pod_selector\": {}, \"egress\": [{\"to\": [{\"namespace_selector\": "
     "{\"match_labels\": {\"team\": \"b\"}}}]}, {\"to\": [{\"ip_block\": {\"cidr\": \"193.166.0.0/16\"}}]}]}",
     "", "", {{"3s", "x/a", YA, OK}, {"3s", "x/a", ZA, TO}, {"3s", "x/a", "http://193.166.4.20:8080/", OK},
              {"3s", "x/a", XB, TO}}},
    {"both ends must allow: egress allows, ingress denies (R42)",
     "{\"name\": \"e\", \"pod_selector\": {}, \"egress\": [{}]}", DENY_X "", "",
     {{"3s", "x/a", YA, TO}, {"3s", "x/a", ZA, OK}}},
    {"replies always pass: an egress-isolated pod still answers (R42)",
     "{\"name\": \"e\", \"pod_selector\": {}, \"policy_types\": [\"Egress\"]}", "", "",
     {{"3s", "y/a", XA, OK}, {"3s", "x/a", YA, TO}}},
    {"policy_types Egress only: its ingress rules are ignored (R41)",
     "{\"name\": \"e\", \"pod_selector\": {}, \"policy_types\": [\"Egress\"], \"ingress\": [], "
     "\"egress\": [{}]}", "", "", {{"3s", "y/a", XA, OK}}},
    {"updates over time: apply and remove reach the data plane after policy_delay (R47)", "", "",
     "{\"at\": \"5s\", \"apply\": {\"namespace\": \"x\", \"kind\": \"network_policy\", \"spec\": " DENY_X "}},"
     "{\"at\": \"10s\", \"remove\": \"x/network_policy/deny\"}",
     {{"3s", "y/a", XA, OK}, {"5500ms", "y/a", XA, OK}, {"6500ms", "y/a", XA, TO},
      {"10500ms", "y/a", XA, TO}, {"11500ms", "y/a", XA, OK}}},
    {"updates over time: namespace and pod labels (R47)",
     "{\"name\": \"p\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"namespace_selector\": "
     "{\"match_labels\": {\"team\": \"b\"}}, \"pod_selector\": {\"match_labels\": {\"app\": \"a\"}}}]}]}", "",
     "{\"at\": \"5s\", \"label\": \"z\", \"key\": \"team\", \"value\": \"b\"},"
     "{\"at\": \"5s\", \"label\": \"y/a\", \"key\": \"app\", \"value\": null}",
     {{"3s", "z/a", XA, TO}, {"3s", "y/a", XA, OK}, {"5500ms", "y/a", XA, OK},
      {"6500ms", "z/a", XA, OK}, {"6500ms", "y/a", XA, TO}}},
    {"replacing a policy by name (R47)", DENY_X, "",
     "{\"at\": \"5s\", \"apply\": {\"namespace\": \"x\", \"kind\": \"network_policy\", \"spec\": "
     "{\"name\": \"deny\", \"pod_selector\": {}, \"ingress\": [{\"from\": [{\"pod_selector\": {}}]}]}}}",
     {{"3s", "x/b", XA, TO}, {"6500ms", "x/b", XA, OK}, {"6500ms", "y/a", XA, TO}}},
};

/* Runs one case: builds the world, sends each probe at its time (without
 * waiting for the earlier ones: a timeout takes 10 s), then checks them. */
static void
check_probes(RsSim *sim, const char *name, const Probe *probes, unsigned max)
{
    GPtrArray *out[16] = {NULL};
    unsigned n = 0;
    for (; n < max && n < G_N_ELEMENTS(out) && probes[n].from != NULL; n++) {
        const Probe *p = &probes[n];
        rs_time_t at;
        CU_ASSERT_FATAL(rs_parse_duration(p->at, &at));
        fx_run_to(sim, at);
        out[n] = g_ptr_array_new_with_free_func((GDestroyNotify)rs_result_free);
        fx_send(sim, p->from, false, p->url, "fixture", false, out[n]);
    }
    for (unsigned i = 0; i < n; i++) {
        const Probe *p = &probes[i];
        fx_wait(sim, out[i], 1);
        CU_ASSERT_FATAL(out[i]->len == 1);
        const RsResult *res = out[i]->pdata[0];
        if (res->outcome != p->want)
            fprintf(stderr, "\n    case \"%s\": %s -> %s at %s: %s, expected %s\n", name, p->from,
                    p->url, p->at, rs_outcome_word(res->outcome), rs_outcome_word(p->want));
        CU_ASSERT_EQUAL(res->outcome, p->want);
        g_ptr_array_unref(out[i]);
    }
}

static void
run_case(const Case *c)
{
    g_autofree char *json = g_strdup_printf(WORLD, c->x, c->y, c->events);
    RsSim *sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    check_probes(sim, c->name, c->probes, G_N_ELEMENTS(c->probes));
    rs_sim_free(sim);
}

static void
test_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        run_case(&cases[i]);
}

/* R40: the default policies: same namespace and the router in; other
 * namespaces out; `default_policies: false` opens the namespace (no policy). */
static void
test_defaults(void)
{
    static const char *json =
        "{\"name\": \"d\", \"platform\": \"rahti-2\", \"namespaces\": ["
        " {\"name\": \"a\", \"pods\": [{\"name\": \"p\", \"ports\": [8080]}, {\"name\": \"q\"}]},"
        " {\"name\": \"b\", \"pods\": [{\"name\": \"p\", \"ports\": [8080]}]},"
        " {\"name\": \"o\", \"default_policies\": false, \"pods\": [{\"name\": \"p\", \"ports\": [8080]}]}]}";
    RsSim *sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsResult *r = fx_request(sim, 3 * RS_SEC, "a/q", "http://@a/p:8080/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_POLICY_INGRESS, RS_R42));
    rs_result_free(r);
    r = fx_request(sim, 3 * RS_SEC, "b/p", "http://@a/p:8080/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_TIMEOUT);
    rs_result_free(r);
    r = fx_request(sim, 3 * RS_SEC, "b/p", "http://@o/p:8080/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_POLICY_INGRESS, RS_R41));   /* no policy selects it */
    rs_result_free(r);
    rs_sim_free(sim);
}

/* R39: rahti-1 ignores policies; join_networks and global_network open walls. */
static void
test_multitenant(void)
{
    static const char *json =
        "{\"name\": \"m\", \"namespaces\": ["
        " {\"name\": \"a\","
        "  \"network_policies\": [{\"name\": \"deny\", \"pod_selector\": {}, \"ingress\": []}],"
        "  \"pods\": [{\"name\": \"p\", \"labels\": {\"app\": \"p\"}, \"ports\": [8080]}],"
        "  \"services\": [{\"name\": \"s\", \"selector\": {\"app\": \"p\"}, \"ports\": [8080]}]},"
        " {\"name\": \"b\", \"pods\": [{\"name\": \"p\", \"ports\": [8080]}]},"
        " {\"name\": \"c\", \"pods\": [{\"name\": \"p\", \"ports\": [8080]}]},"
        " {\"name\": \"g\", \"pods\": [{\"name\": \"p\", \"ports\": [8080]}]}],"
        " \"events\": [{\"at\": \"5s\", \"join_networks\": [\"a\", \"b\"]},"
        "            {\"at\": \"5s\", \"global_network\": \"g\"}]}";
    RsSim *sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    static const Probe probes[] = {
        {"3s", "a/p", "http://@a/p:8080/", OK},     /* the policy is ignored */
        {"3s", "b/p", "http://@a/p:8080/", TO},
        {"3s", "b/p", "http://s.a:8080/", TO},
        {"6s", "b/p", "http://@a/p:8080/", OK},
        {"6s", "b/p", "http://s.a:8080/", OK},
        {"6s", "c/p", "http://@a/p:8080/", TO},
        {"6s", "c/p", "http://@g/p:8080/", OK},
        {"6s", "g/p", "http://@c/p:8080/", OK},
    };
    check_probes(sim, "multitenant", probes, G_N_ELEMENTS(probes));
    rs_sim_free(sim);
}

/* R46: egress that allows 53 but not 5353 breaks name resolution after
 * 2 x 5 s; allowing 5353 to openshift-dns fixes it. */
static void
test_dns_5353(void)
{
#define DNS_FMT \
        "{\"name\": \"dns\", \"platform\": \"rahti-2\", \"namespaces\": [" \
        " {\"name\": \"a\", \"pods\": [{\"name\": \"p\", \"labels\": {\"app\": \"p\"}, \"ports\": [8080]}]," \
        "  \"services\": [{\"name\": \"s\", \"selector\": {\"app\": \"p\"}, \"ports\": [8080]}]," \
        "  \"network_policies\": [{\"name\": \"e\", \"pod_selector\": {}, \"egress\": [" \
        "   {\"ports\": [{\"port\": %d, \"protocol\": \"UDP\"}]}, {\"to\": [{\"pod_selector\": {}}]}]}]}]}"
    g_autofree char *bad = g_strdup_printf(DNS_FMT, 53);
    g_autofree char *good = g_strdup_printf(DNS_FMT, 5353);
    RsSim *sim = fx_sim(bad, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsResult *r = fx_request(sim, 3 * RS_SEC, "a/p", "http://s:8080/", true);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_TIMEOUT);
    CU_ASSERT_TRUE(r->latency >= 10 * RS_SEC && r->latency < 10 * RS_SEC + 10 * RS_MS);
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_DNS_DROPPED, RS_R46));
    rs_result_free(r);
    rs_sim_free(sim);
    sim = fx_sim(good, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    r = fx_request(sim, 3 * RS_SEC, "a/p", "http://s:8080/", false);
    CU_ASSERT_EQUAL(r->outcome, RS_OUTCOME_OK);
    rs_result_free(r);
    rs_sim_free(sim);
}

/* R48-R50: a load-balancer database behind an IP firewall: `local` keeps
 * the client's address (the ip_block matches), `cluster` shows a node's
 * (it does not); a second service without shared-ip stays pending; a pod
 * reaches the address too; endpoint changes arrive after endpoint_delay. */
static void
test_load_balancer(void)
{
    static const char *json =
        "{\"name\": \"lb\", \"platform\": \"rahti-2\", \"namespaces\": ["
        " {\"name\": \"db\", \"load_balancer_ips\": [\"86.50.228.10\", \"86.50.228.11\"],"
        "  \"deployments\": [{\"name\": \"pg\", \"labels\": {\"app\": \"pg\"}, \"ports\": [5432],"
        "                   \"protocol\": \"tcp\"}],"
        "  \"services\": ["
        "   {\"name\": \"local\", \"type\": \"load-balancer\", \"selector\": {\"app\": \"pg\"},"
        "    \"ports\": [{\"port\": 30432, \"target_port\": 5432}], \"external_traffic_policy\": \"local\"},"
        "   {\"name\": \"cluster\", \"type\": \"load-balancer\", \"selector\": {\"app\": \"pg\"},"
        "    \"ports\": [{\"port\": 30433, \"target_port\": 5432}]},"
        "   {\"name\": \"pending\", \"type\": \"load-balancer\", \"selector\": {\"app\": \"pg\"},"
        "    \"ports\": [{\"port\": 30434, \"target_port\": 5432}]}],"
        "  \"network_policies\": [{\"name\": \"firewall\", \"pod_selector\": {},"
        "   \"ingress\": [{\"from\": [{\"ip_block\": {\"cidr\": \"193.166.0.0/16\"}},"
        "                            {\"pod_selector\": {}}]}]}],"
        "  \"pods\": [{\"name\": \"client\"}]}],"
        " \"hosts\": [{\"name\": \"uni\", \"ip\": \"193.166.4.20\"}, {\"name\": \"home\", \"ip\": \"84.20.1.2\"}],"
        " \"events\": [{\"at\": \"10s\", \"delete\": \"db/pg-0\"}]}";
    RsSim *sim = fx_sim(json, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    static const Probe probes[] = {
        {"3s", "uni", "tcp://86.50.228.10:30432", OK},        /* local: 193.166.4.20 matches */
        {"3s", "home", "tcp://86.50.228.10:30432", TO},       /* outside the firewall */
        {"3s", "uni", "tcp://86.50.228.11:30433", TO},        /* cluster: a node address */
        {"3s", "uni", "tcp://86.50.228.10:30433", TO},        /* not on that address */
        {"3s", "uni", "tcp://86.50.228.11:30434", TO},        /* pending: no address */
        {"3s", "db/client", "tcp://86.50.228.10:30432", OK},  /* from a pod: translated inside */
        {"10500ms", "uni", "tcp://86.50.228.10:30432", TO},   /* R50: the stale endpoint */
        {"11500ms", "uni", "tcp://86.50.228.10:30432", RS_OUTCOME_REFUSED},  /* no endpoint yet (R14) */
        {"14s", "uni", "tcp://86.50.228.10:30432", OK},       /* the replacement is ready */
    };
    check_probes(sim, "load balancer", probes, G_N_ELEMENTS(probes));
    RsResult *r = fx_request(sim, 20 * RS_SEC, "uni", "tcp://86.50.228.10:30432", true);
    CU_ASSERT_TRUE(fx_has_hop(r, RS_HOP_LB, RS_R49));
    CU_ASSERT_EQUAL(r->source_ip, fx_ip("193.166.4.20"));
    rs_result_free(r);
    CU_ASSERT_TRUE(fx_log_has(sim, "db/pending is pending"));
    rs_sim_free(sim);
}

/* tests/good/policy-*.json: each mistake warns once, in file order (R39-R48). */
static void
test_warnings(void)
{
    static const char *const want[] = {"selects no pod", "matches no namespace", "ip_block names pod addresses",
                                       "allow no DNS query", "`pg2` stays pending", "`x` stays pending",
                                       "matches no deployment", "cuts the router off"};
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_file(RS_SRCDIR "/tests/good/policy-warnings.json", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_EQUAL_FATAL(sc->warnings->len, G_N_ELEMENTS(want));
    for (guint i = 0; i < sc->warnings->len; i++) {
        if (!strstr(sc->warnings->pdata[i], want[i]))
            fprintf(stderr, "\n  warning %u: %s\n", i, (char *)sc->warnings->pdata[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(sc->warnings->pdata[i], want[i]));
    }
    g_autoptr(RsScenario) one = rs_scenario_load_file(RS_SRCDIR "/tests/good/policy-rahti1.json", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(one);
    CU_ASSERT_EQUAL_FATAL(one->warnings->len, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(one->warnings->pdata[0], "accepts network policies and ignores them"));
}

/* Teaching views: matrix --port, topology and dig see the policies (R42, R46). */
static void
test_teach_views(void)
{
    static const char *json =
        "{\"name\": \"t\", \"platform\": \"rahti-2\", \"namespaces\": ["
        " {\"name\": \"a\", \"pods\": [{\"name\": \"p\", \"labels\": {\"app\": \"p\"}, \"ports\": [8080]}],"
        "  \"network_policies\": [{\"name\": \"dns-53\", \"pod_selector\": {\"match_labels\": {\"app\": \"p\"}},"
        "   \"egress\": [{\"ports\": [{\"port\": 53, \"protocol\": \"UDP\"}]}]}]},"
        " {\"name\": \"b\", \"pods\": [{\"name\": \"q\", \"ports\": [8080]}]}]}";
    RsLimits lim;
    rs_limits_default(&lim);
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_data("t", json, strlen(json), &lim, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    g_autoptr(RsMatrix) m = rs_matrix_compute_port(sc, 1, 3 * RS_SEC, 8080, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(rs_matrix_cols(m), 2);     /* a/p:8080, b/q:8080 */
    CU_ASSERT_EQUAL(rs_matrix_cell(m, 1, 1), '.');    /* b/q to itself: same namespace */
    CU_ASSERT_EQUAL(rs_matrix_cell(m, 1, 0), 'T');    /* b/q to a/p: the default policies */
    CU_ASSERT_EQUAL(rs_matrix_cell(m, 0, 1), 'T');    /* a/p's egress allows only 53 */
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, 1, 3 * RS_SEC, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    g_autoptr(GString) topo = g_string_new(NULL);
    rs_teach_topology(topo, sc, sim, 3 * RS_SEC, RS_TOPO_TEXT);
    CU_ASSERT_PTR_NOT_NULL(strstr(topo->str, "network policy dns-53  Ingress+Egress"));
    CU_ASSERT_PTR_NOT_NULL(strstr(topo->str, "selects: p"));
    RsFrom f = {.kind = RS_FROM_POD, .ns = (char *)"a", .name = (char *)"p"};
    RsDnsWalk walk;
    rs_sim_resolve(sim, &f, "q.b", &walk, &err);
    CU_ASSERT_TRUE(walk.dropped);
    CU_ASSERT_EQUAL(walk.dns_port, 5353);
    f.ns = (char *)"b";
    f.name = (char *)"q";
    rs_sim_resolve(sim, &f, "q.b", &walk, &err);
    CU_ASSERT_FALSE(walk.dropped);
}

int
main(void)
{
    static const CU_TestInfo tests[] = {
        {"NetworkPolicy semantics, table-driven (R41-R44, R47)", test_table},
        {"default policies (R40)", test_defaults},
        {"rahti-1: ignored policies, joined and global networks (R39)", test_multitenant},
        {"DNS under egress isolation: 5353 (R46)", test_dns_5353},
        {"load-balancer services: addresses, traffic policy, firewall, lag (R48-R50)", test_load_balancer},
        {"check warnings (R39-R48)", test_warnings},
        {"matrix --port, topology and dig show policies", test_teach_views},
        CU_TEST_INFO_NULL,
    };
    return fx_main("policy", tests);
}
