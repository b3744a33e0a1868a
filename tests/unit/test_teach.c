/* test_teach.c: the teaching views (src/teach/): a simulation stopped at T,
 * explain's layout, dig, the reachability matrix, topology, colour and the
 * quiz.  Scenarios are JSON text loaded with the real loader; each test
 * checks what a student would read, so a view that drops a hop, a rule or a
 * namespace wall fails here. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "rahtisim/teach.h"
#include "sim-fixture.h"
#include "teach/topology-private.h"

/* Two namespaces, a service with a named target port, a tcp database, a
 * pod that fails on a privileged port, and a deletion at 10s. */
static const char *const TWO_NS =
    "{\"name\": \"t\", \"seed\": 7, \"namespaces\": ["
    " {\"name\": \"fenic\","
    "  \"deployments\": [{\"name\": \"web\", \"replicas\": 2, \"labels\": {\"app\": \"web\"},"
    "                     \"ports\": [{\"port\": 8080, \"name\": \"http\"}]},"
    "                    {\"name\": \"db\", \"replicas\": 1, \"labels\": {\"app\": \"db\"},"
    "                     \"ports\": [5432], \"protocol\": \"tcp\", \"startup\": \"4s\"}],"
    "  \"pods\": [{\"name\": \"debug\", \"labels\": {\"app\": \"debug\"}},"
    "           {\"name\": \"legacy\", \"labels\": {\"app\": \"legacy\"}, \"ports\": [80]}],"
    "  \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"},"
    "                  \"ports\": [{\"port\": 80, \"target_port\": \"http\"}], \"balance\": \"round-robin\"},"
    "                 {\"name\": \"db\", \"selector\": {\"app\": \"db\"}, \"ports\": [{\"port\": 5432}]}]},"
    " {\"name\": \"other\", \"pods\": [{\"name\": \"client\", \"labels\": {\"app\": \"c\"}}]}],"
    " \"events\": [{\"at\": \"10s\", \"delete\": \"fenic/web-0\"}]}";

/* Loads a scenario from text (fatal on error). */
static RsScenario *
load(const char *json)
{
    RsLimits lim;
    rs_limits_default(&lim);
    GError *err = NULL;
    RsScenario *sc = rs_scenario_load_data("test", json, strlen(json), &lim, &err);
    if (sc == NULL) {
        fprintf(stderr, "load: %s\n", err->message);
        g_error_free(err);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    return sc;
}

/* The settled time is the largest startup plus endpoint_delay (R5, R15). */
static void
test_settled_time(void)
{
    g_autoptr(RsScenario) sc = load(TWO_NS);
    CU_ASSERT_EQUAL(rs_teach_settled_time(sc), 6 * RS_SEC);     /* db's 4s + 1s + 1s */
}

/* A simulation stopped at T has run the scenario's events at T. */
static void
test_sim_at(void)
{
    g_autoptr(RsScenario) sc = load(TWO_NS);
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, 1, 10 * RS_SEC, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    CU_ASSERT_EQUAL(rs_engine_now(rs_sim_engine(sim)), 10 * RS_SEC);
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "web-0"), RS_POD_GONE);   /* R6, at 10s */
    CU_ASSERT_EQUAL(rs_sim_pod_state(sim, "fenic", "web-2"), RS_POD_RUNNING);
}

/* --from: deployments, pods, hosts and the errors for the rest. */
static void
test_from_parse(void)
{
    g_autoptr(RsScenario) sc = load(TWO_NS);
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, 1, 5 * RS_SEC, NULL);
    RsFrom f;
    GError *err = NULL;
    CU_ASSERT_TRUE(rs_teach_from_parse(sc, sim, "fenic/web", &f, NULL));
    CU_ASSERT_EQUAL(f.kind, RS_FROM_DEPLOYMENT);
    rs_teach_from_clear(&f);
    CU_ASSERT_TRUE(rs_teach_from_parse(sc, sim, "fenic/web-1", &f, NULL));
    CU_ASSERT_EQUAL(f.kind, RS_FROM_POD);
    rs_teach_from_clear(&f);
    CU_ASSERT_FALSE(rs_teach_from_parse(sc, sim, "fenic/web-7", &f, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "no pod or deployment"));
    g_clear_error(&err);
    CU_ASSERT_FALSE(rs_teach_from_parse(sc, sim, "lumi/x", &f, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "no namespace lumi"));
    g_clear_error(&err);
    CU_ASSERT_FALSE(rs_teach_from_parse(sc, sim, "laptop", &f, &err));
    g_clear_error(&err);
}

/* Sends one request at T in a fresh simulation; the caller frees both. */
static RsResult *
send_at(const RsScenario *sc, rs_time_t at, const char *from, const char *url, RsSim **sim_out)
{
    RsSim *sim = rs_teach_sim_at(sc, 1, at, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
    RsFrom f;
    CU_ASSERT_FATAL(rs_teach_from_parse(sc, sim, from, &f, NULL));
    RsUrl u;
    CU_ASSERT_FATAL(rs_url_parse(url, &u, NULL));
    RsResult *res = rs_teach_send(sim, &f, &u, "test", NULL);
    rs_url_clear(&u);
    rs_teach_from_clear(&f);
    *sim_out = sim;
    return res;
}

/* explain: every hop on its own line with its step and rule column, the
 * rule not repeated at the end of the sentence, the outcome and the rule titles. */
static void
test_explain_layout(void)
{
    g_autoptr(RsScenario) sc = load(TWO_NS);
    RsSim *sim;
    RsResult *res = send_at(sc, 5 * RS_SEC, "other/client", "http://web.fenic/", &sim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(res);
    CU_ASSERT_EQUAL(res->outcome, RS_OUTCOME_TIMEOUT);
    g_autoptr(GString) out = g_string_new(NULL);
    rs_teach_explain(out, "other/client", "http://web.fenic/", 5 * RS_SEC, res, NULL, false);
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "other/client -> http://web.fenic/ at 5s\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "  namespace R12   fenic/web is reachable only from namespace fenic"));
    CU_ASSERT_PTR_NULL(strstr(out->str, "not from other: dropped (R12)"));   /* no doubled rule */
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "\noutcome: timeout\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "  R12  services are reachable from their own namespace only\n"));
    CU_ASSERT_PTR_NULL(strchr(out->str, '\033'));                             /* plain */
    unsigned lines = 0;
    for (const char *p = out->str; (p = strstr(p, "s  ")) != NULL; p++)
        lines++;
    CU_ASSERT_TRUE(lines >= res->n_hops);

    g_string_truncate(out, 0);
    rs_teach_explain(out, "other/client", "http://web.fenic/", 5 * RS_SEC, res, NULL, true);
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "\033[31mtimeout\033[0m"));      /* colour when asked */
    rs_result_free(res);
    rs_sim_free(sim);
}

/* Each hop kind gets a step; unknown kinds fall back to their rule's section. */
static void
test_hop_steps(void)
{
    RsHop h = {.kind = RS_HOP_SVC_PICK, .rule = RS_R13};
    CU_ASSERT_STRING_EQUAL(rs_hop_step(&h), "service");
    h.kind = RS_HOP_DNS_QUERY;
    CU_ASSERT_STRING_EQUAL(rs_hop_step(&h), "dns");
    h.kind = RS_HOP_POD_OTHER_NS;
    CU_ASSERT_STRING_EQUAL(rs_hop_step(&h), "namespace");
    h.kind = RS_HOP_SOURCE;
    CU_ASSERT_STRING_EQUAL(rs_hop_step(&h), "client");
    h.kind = RS_HOP_KIND_COUNT;         /* a kind the table does not know */
    h.rule = RS_R25;
    CU_ASSERT_STRING_EQUAL(rs_hop_step(&h), "router");
    h.rule = RS_R32;
    CU_ASSERT_STRING_EQUAL(rs_hop_step(&h), "egress");
    for (unsigned k = 0; k < RS_HOP_KIND_COUNT; k++) {
        h.kind = (RsHopKind)k;
        h.rule = RS_RULE_NONE;
        CU_ASSERT_STRING_NOT_EQUAL(rs_hop_step(&h), "step");   /* every real kind is mapped */
    }
}

/* dig: the search walk for a two-label name, its NXDOMAIN reason and answer. */
static void
test_dig(void)
{
    g_autoptr(RsScenario) sc = load(TWO_NS);
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, 1, 5 * RS_SEC, NULL);
    RsFrom f;
    CU_ASSERT_FATAL(rs_teach_from_parse(sc, sim, "other/client", &f, NULL));
    RsDnsWalk walk;
    CU_ASSERT_TRUE(rs_sim_resolve(sim, &f, "web.fenic", &walk, NULL));
    g_autoptr(GString) out = g_string_new(NULL);
    rs_teach_dig(out, sim, "other/client", "other", &walk, 5 * RS_SEC, false);
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, ";   search other.svc.cluster.local svc.cluster.local cluster.local\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, ";; QUERY 1\n;web.fenic.other.svc.cluster.local.  IN A\n;; status: NXDOMAIN"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, ";; QUERY 2\n;web.fenic.svc.cluster.local.  IN A\n;; status: NOERROR (R17): the ClusterIP of service fenic/web"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "; not tried (the walk stops at the first answer): web.fenic.cluster.local., web.fenic.\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "after 2 queries\n"));
    CU_ASSERT_PTR_NULL(strstr(out->str, "QUERY 3"));
    rs_teach_from_clear(&f);

    CU_ASSERT_FATAL(rs_teach_from_parse(sc, sim, "fenic/debug", &f, NULL));
    CU_ASSERT_FALSE(rs_sim_resolve(sim, &f, "nothing", &walk, NULL));
    g_string_truncate(out, 0);
    rs_teach_dig(out, sim, "fenic/debug", "fenic", &walk, 5 * RS_SEC, false);
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "namespace fenic has no service nothing"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, ";; FINAL ANSWER: NXDOMAIN (nxdomain) after 4 queries\n"));
    rs_teach_from_clear(&f);
}

/* The matrix: rows, columns and the cells the model predicts (R2, R4, R9,
 * R11, R12); and it is deterministic. */
static void
test_matrix(void)
{
    g_autoptr(RsScenario) sc = load(TWO_NS);
    g_autoptr(RsMatrix) m = rs_matrix_compute(sc, 1, 5 * RS_SEC, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    /* rows: web-0, web-1, db-0, debug, legacy, client */
    CU_ASSERT_EQUAL_FATAL(rs_matrix_rows(m), 6);
    CU_ASSERT_STRING_EQUAL(rs_matrix_row_name(m, 0), "fenic/web-0");
    CU_ASSERT_STRING_EQUAL(rs_matrix_row_name(m, 5), "other/client");
    /* columns: web:80, db:5432, web-0:8080, web-1:8080, db-0:5432, legacy:80 */
    CU_ASSERT_EQUAL_FATAL(rs_matrix_cols(m), 6);
    CU_ASSERT_STRING_EQUAL(rs_matrix_col_url(m, 0), "http://web.fenic/");
    CU_ASSERT_STRING_EQUAL(rs_matrix_col_url(m, 1), "tcp://db.fenic:5432");
    CU_ASSERT_STRING_EQUAL(rs_matrix_col_url(m, 5), "http://@fenic/legacy/");
    for (unsigned c = 0; c < 5; c++)
        CU_ASSERT_EQUAL(rs_matrix_cell(m, 3, c), '.');          /* debug reaches its namespace */
    CU_ASSERT_EQUAL(rs_matrix_cell(m, 3, 5), 'R');              /* R4: legacy never listens */
    for (unsigned c = 0; c < 6; c++)
        CU_ASSERT_EQUAL(rs_matrix_cell(m, 5, c), 'T');          /* R2, R9, R12: the wall */
    CU_ASSERT_EQUAL(rs_matrix_cell(m, 4, 0), 'T');              /* legacy (failed) sends nothing */

    g_autoptr(GString) a = g_string_new(NULL);
    g_autoptr(GString) b = g_string_new(NULL);
    rs_matrix_print(a, m, RS_MATRIX_TEXT, false);
    CU_ASSERT_PTR_NOT_NULL(strstr(a->str, "fenic/legacy (failed)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a->str, "  R  refused"));
    CU_ASSERT_PTR_NULL(strstr(a->str, "  W  rejected"));         /* only letters that occur */
    g_autoptr(RsMatrix) m2 = rs_matrix_compute(sc, 1, 5 * RS_SEC, NULL);
    rs_matrix_print(b, m2, RS_MATRIX_TEXT, false);
    CU_ASSERT_STRING_EQUAL(a->str, b->str);
    g_string_truncate(a, 0);
    rs_matrix_print(a, m, RS_MATRIX_CSV, false);
    CU_ASSERT_TRUE(g_str_has_prefix(a->str, "source,svc fenic/web:80,svc fenic/db:5432,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a->str, "\nother/client,timeout,timeout,"));
    g_string_truncate(a, 0);
    rs_matrix_print(a, m, RS_MATRIX_JSON, false);
    cJSON *j = cJSON_Parse(a->str);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "letters"), 5)->valuestring, "TTTTTT");
    cJSON_Delete(j);
}

/* A cell does not move another's round-robin position (R13): web-0 has
 * crashed (R7, not yet detected), round-robin starts at web-0, so in
 * independent simulations every row's request to the service times out; in
 * one shared simulation the second row's would reach web-1. */
static void
test_matrix_cells_independent(void)
{
    g_autofree char *json = g_strdup(TWO_NS);
    char *ev = strstr(json, "\"delete\": \"fenic/web-0\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    memcpy(ev, "\"crash\":  ", 10);                   /* same length: a crash at 10s */
    g_autoptr(RsScenario) sc = load(json);
    g_autoptr(RsMatrix) m = rs_matrix_compute(sc, 1, 12 * RS_SEC, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(rs_matrix_row_name(m, 1), "fenic/web-1");
    CU_ASSERT_STRING_EQUAL(rs_matrix_row_name(m, 3), "fenic/debug");
    CU_ASSERT_STRING_EQUAL(rs_matrix_col_url(m, 0), "http://web.fenic/");
    CU_ASSERT_EQUAL(rs_matrix_cell(m, 1, 0), 'T');
    CU_ASSERT_EQUAL(rs_matrix_cell(m, 3, 0), 'T');
    CU_ASSERT_EQUAL(rs_matrix_cell(m, 3, 3), '.');      /* web-1 itself answers */
}

/* The matrix built once (every cell an isolated request in one simulation)
 * says, cell for cell, what a fresh simulation per cell says (the old
 * O(N^3) way): for lessons with services (R13 round-robin), routes and the
 * router's balancers and cookies (R26, R27), replicas (R30), pods busy
 * longer than the route timeout (R31, R38), crashes and deletions, at times
 * before, during and after their events.  Without the isolation, cells of
 * 15-, 16- and 20-* would see the requests of other cells. */
static void
test_matrix_isolated_equals_fresh(void)
{
    static const char *const files[] = {"00-fenic", "03-services", "08-routes", "02-pod-lifecycle",
                                        "15-router-replicas", "16-route-timeout",
                                        "20-traffic-pod-failure"};
    static const rs_time_t ats[] = {5 * RS_SEC, 11 * RS_SEC, 20 * RS_SEC, 40 * RS_SEC};
    for (unsigned f = 0; f < G_N_ELEMENTS(files); f++) {
        g_autofree char *path = g_strdup_printf("%s/scenarios/%s.json", RS_SRCDIR, files[f]);
        GError *err = NULL;
        g_autoptr(RsScenario) sc = rs_scenario_load_file(path, NULL, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        for (unsigned t = 0; t < G_N_ELEMENTS(ats); t++) {
            g_autoptr(RsMatrix) m = rs_matrix_compute(sc, 1, ats[t], NULL);
            CU_ASSERT_PTR_NOT_NULL_FATAL(m);
            for (unsigned r = 0; r < rs_matrix_rows(m); r++) {
                for (unsigned c = 0; c < rs_matrix_cols(m); c++) {
                    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, 1, ats[t], NULL);
                    CU_ASSERT_PTR_NOT_NULL_FATAL(sim);
                    RsFrom from;
                    CU_ASSERT_TRUE_FATAL(rs_teach_from_parse(sc, sim, rs_matrix_row_name(m, r), &from, NULL));
                    RsUrl url;
                    CU_ASSERT_TRUE_FATAL(rs_url_parse(rs_matrix_col_url(m, c), &url, NULL));
                    g_autoptr(RsResult) res = rs_teach_send(sim, &from, &url, "matrix", NULL);
                    char want = res != NULL ? rs_outcome_letter(res->outcome) : '?';
                    if (rs_matrix_cell(m, r, c) != want)
                        fprintf(stderr, "%s at %" G_GINT64_FORMAT "s: %s -> %s: matrix %c, alone %c\n",
                                files[f], ats[t] / RS_SEC, rs_matrix_row_name(m, r),
                                rs_matrix_col_url(m, c), rs_matrix_cell(m, r, c), want);
                    CU_ASSERT_EQUAL(rs_matrix_cell(m, r, c), want);
                    rs_url_clear(&url);
                    rs_teach_from_clear(&from);
                }
            }
        }
    }
}

/* topology: the tree shows pods with addresses and states, the stale
 * endpoint in the data plane just after a deletion (R15), and DOT parses as a graph. */
static void
test_topology(void)
{
    g_autoptr(RsScenario) sc = load(TWO_NS);
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, 1, 10 * RS_SEC + 500 * RS_MS, NULL);
    g_autoptr(GString) out = g_string_new(NULL);
    rs_teach_topology(out, sc, sim, 10 * RS_SEC + 500 * RS_MS, RS_TOPO_TEXT);
    CU_ASSERT_TRUE(g_str_has_prefix(out->str, "cluster rahti-1 at 10.5s (scenario t, seed 1)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "|-- namespace fenic  egress 193.167.189.25 (shared, R32)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "pod web-2  10.128.0."));
    CU_ASSERT_PTR_NULL(strstr(out->str, "pod web-0 "));                    /* gone */
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "web-0 10.128.0.1:8080 (gone: a stale entry, R15)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "next update at 11s (R15)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "pod legacy  10.128.0.5  failed (privileged port"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "`-- namespace other"));
    g_string_truncate(out, 0);
    rs_teach_topology(out, sc, sim, 10 * RS_SEC + 500 * RS_MS, RS_TOPO_DOT);
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "digraph rahtisim {"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "\"svc:fenic/web\" -> \"pod:fenic/web-1\" [label=\"80 -> 8080\"];"));
    CU_ASSERT_TRUE(g_str_has_suffix(out->str, "}\n"));
}

/* DOT quoting: quotes and backslashes escaped, a newline as \n, every other
 * control character and DEL as '?', everything else (UTF-8 too) as it is. */
static void
test_dot_escape(void)
{
    g_autoptr(GString) out = g_string_new("<");
    rs_dot_escape(out, "");
    rs_dot_escape(out, "plain ns/name-1");
    rs_dot_escape(out, "a\"b\\c\nd\te\x1b]0;x\x07" "f\x7f" "g \xc3\xa9");
    rs_dot_escape(out, "\"");
    CU_ASSERT_STRING_EQUAL(out->str, "<plain ns/name-1a\\\"b\\\\c\\nd?e?]0;x?f?g \xc3\xa9\\\"");
}

/* Colour: NEVER and ALWAYS are what they say; AUTO honours NO_COLOR and a pipe. */
static void
test_color(void)
{
    FILE *f = tmpfile();
    CU_ASSERT_FALSE(rs_color_enabled(RS_COLOR_NEVER, f));
    CU_ASSERT_TRUE(rs_color_enabled(RS_COLOR_ALWAYS, f));
    CU_ASSERT_FALSE(rs_color_enabled(RS_COLOR_AUTO, f));          /* not a terminal */
    fclose(f);
    g_setenv("NO_COLOR", "1", TRUE);
    CU_ASSERT_FALSE(rs_color_enabled(RS_COLOR_AUTO, stdout));
    g_unsetenv("NO_COLOR");
    RsColorMode m;
    CU_ASSERT_TRUE(rs_color_parse("always", &m) && m == RS_COLOR_ALWAYS);
    CU_ASSERT_FALSE(rs_color_parse("sometimes", &m));
}

/* The quiz: answers from a stream, words and letters, a bad word, a skip, the score. */
static void
test_quiz(void)
{
    g_autoptr(RsScenario) sc = load(
        "{\"name\": \"q\", \"namespaces\": [{\"name\": \"a\","
        " \"deployments\": [{\"name\": \"web\", \"replicas\": 1, \"labels\": {\"app\": \"web\"}, \"ports\": [8080]}],"
        " \"pods\": [{\"name\": \"debug\", \"labels\": {\"app\": \"d\"}}],"
        " \"services\": [{\"name\": \"web\", \"selector\": {\"app\": \"web\"}, \"ports\": [{\"port\": 80, \"target_port\": 8080}]}]}],"
        " \"events\": [{\"at\": \"10s\", \"delete\": \"a/web-0\"}],"
        " \"expect\": ["
        "  {\"at\": \"12s\", \"from\": \"a/debug\", \"to\": \"http://web/\", \"outcome\": \"refused\","
        "   \"description\": \"the replacement is not ready yet\"},"
        "  {\"at\": \"5s\", \"from\": \"a/debug\", \"to\": \"http://web/\", \"outcome\": \"ok\"},"
        "  {\"at\": \"5s\", \"from\": \"a/debug\", \"resolve\": \"web\", \"answer\": \"a/web\"},"
        "  {\"at\": \"5s\", \"from\": \"a/debug\", \"to\": \"http://web:81/\", \"outcome\": \"timeout\"},"
        "  {\"at\": \"20s\", \"from\": \"a/debug\", \"to\": \"http://web/\", \"outcome\": \"ok\"}]}");
    g_autoptr(RsRunResult) run = rs_run_scenario(sc, 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(run);
    CU_ASSERT_EQUAL(run->failed, 0);
    /* In time order: 5s ok, 5s timeout, 12s refused, 20s ok. */
    char answers[] = "OK\nbogus\nr\n?\n";
    FILE *in = fmemopen(answers, strlen(answers), "r");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    RsQuizIo io = {.in = in, .out = out, .interactive = false, .color = false};
    RsQuizScore s = rs_teach_quiz(run, &io);
    fclose(in);
    fclose(out);
    CU_ASSERT_EQUAL(s.asked, 4);
    CU_ASSERT_EQUAL(s.right, 2);                        /* OK and r */
    CU_ASSERT_FALSE(s.ended_early);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Quiz: q, 4 questions\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Q2. at 5s, a/debug -> http://web:81/\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "'bogus' is not an outcome"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "  at 10s: delete a/web-0\n\nQ3. at 12s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "   the replacement is not ready yet\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "skipped: it was ok"));
    /* Context before each question: the client's address, who holds the target's. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "   the client: pod a/debug, 10.128."));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "score: 2 of 4 answered\n"));
    free(text);

    /* Answers that run out end the quiz. */
    char few[] = "ok\n";
    in = fmemopen(few, strlen(few), "r");
    out = open_memstream(&text, &len);
    io.in = in;
    io.out = out;
    s = rs_teach_quiz(run, &io);
    fclose(in);
    fclose(out);
    CU_ASSERT_EQUAL(s.asked, 1);
    CU_ASSERT_TRUE(s.ended_early);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "score: 1 of 1 answered (4 questions)\n"));
    free(text);
}

/* The test program. */
int
main(void)
{
    static const CU_TestInfo tests[] = {
        {"settled time", test_settled_time},
        {"simulation stopped at T", test_sim_at},
        {"--from", test_from_parse},
        {"explain layout", test_explain_layout},
        {"hop steps", test_hop_steps},
        {"dig", test_dig},
        {"matrix", test_matrix},
        {"matrix cells are independent", test_matrix_cells_independent},
        {"matrix built once = a simulation per cell", test_matrix_isolated_equals_fresh},
        {"topology", test_topology},
        {"DOT quoting", test_dot_escape},
        {"colour", test_color},
        {"quiz", test_quiz},
        CU_TEST_INFO_NULL,
    };
    return fx_main("teach", tests);
}
