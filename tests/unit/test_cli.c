/* test_cli.c: the command table: lookup by name and prefix, ambiguity,
 * "did you mean", and the edit distance behind it. */
#include "config.h"

#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "rahtisim/cli.h"
#include "rahtisim/util.h"

/* Exact names and unique prefixes find their command. */
static void
test_lookup_exact_and_prefix(void)
{
    const RsCmdEntry *e;
    g_autofree char *hint = NULL;
    CU_ASSERT_EQUAL(rs_cli_lookup("run", &e, &hint), RS_LOOKUP_FOUND);
    CU_ASSERT_STRING_EQUAL(e->name, "run");
    CU_ASSERT_EQUAL(rs_cli_lookup("che", &e, NULL), RS_LOOKUP_FOUND);
    CU_ASSERT_STRING_EQUAL(e->name, "check");
    CU_ASSERT_EQUAL(rs_cli_lookup("topo", &e, NULL), RS_LOOKUP_FOUND);
    CU_ASSERT_STRING_EQUAL(e->name, "topology");
}

/* Every command is in the table exactly once and has a summary. */
static void
test_table_complete(void)
{
    static const char *const want[] = {"run", "check", "explain", "dig", "matrix",
                                       "topology", "bench", "help", "version"};
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        unsigned seen = 0;
        for (const RsCmdEntry *e = rs_cmd_table; e->name; e++) {
            if (strcmp(e->name, want[i]) == 0) {
                seen++;
                CU_ASSERT_PTR_NOT_NULL(e->summary);
                CU_ASSERT(e->exec != NULL || e->pending != NULL);
            }
        }
        CU_ASSERT_EQUAL(seen, 1);
    }
}

/* A misspelt command gets the nearest name; nonsense gets none. */
static void
test_lookup_unknown(void)
{
    const RsCmdEntry *e;
    char *hint = NULL;
    CU_ASSERT_EQUAL(rs_cli_lookup("rnu", &e, &hint), RS_LOOKUP_UNKNOWN);
    CU_ASSERT_PTR_NULL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hint);
    CU_ASSERT_STRING_EQUAL(hint, "run");
    g_free(hint);
    CU_ASSERT_EQUAL(rs_cli_lookup("explian", &e, &hint), RS_LOOKUP_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(hint, "explain");
    g_free(hint);
    CU_ASSERT_EQUAL(rs_cli_lookup("zzzzzzzz", &e, &hint), RS_LOOKUP_UNKNOWN);
    CU_ASSERT_PTR_NULL(hint);
}

/* A prefix shared by several commands is ambiguous and lists them. */
static void
test_lookup_ambiguous(void)
{
    static const RsCmdEntry table[] = {
        {"check", "", "c", NULL, NULL, "x"},
        {"chart", "", "c", NULL, NULL, "x"},
        {"run", "", "r", NULL, NULL, "x"},
        {NULL, NULL, NULL, NULL, NULL, NULL},
    };
    const RsCmdEntry *e;
    g_autofree char *hint = NULL;
    CU_ASSERT_EQUAL(rs_cli_lookup_in(table, "ch", &e, &hint), RS_LOOKUP_AMBIGUOUS);
    CU_ASSERT_PTR_NULL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hint);
    CU_ASSERT_STRING_EQUAL(hint, "check, chart");
    CU_ASSERT_EQUAL(rs_cli_lookup_in(table, "che", &e, NULL), RS_LOOKUP_FOUND);
    CU_ASSERT_STRING_EQUAL(e->name, "check");
}

/* Levenshtein distances on known pairs. */
static void
test_edit_distance(void)
{
    CU_ASSERT_EQUAL(rs_edit_distance("", ""), 0);
    CU_ASSERT_EQUAL(rs_edit_distance("kitten", "sitting"), 3);
    CU_ASSERT_EQUAL(rs_edit_distance("replicas", "replcias"), 2);
    CU_ASSERT_EQUAL(rs_edit_distance("abc", ""), 3);
    static const char *const keys[] = {"replicas", "labels", "ports", "protocol"};
    CU_ASSERT_STRING_EQUAL(rs_closest("replica", keys, 4), "replicas");
    CU_ASSERT_STRING_EQUAL(rs_closest("port", keys, 4), "ports");
    CU_ASSERT_PTR_NULL(rs_closest("xyzzy", keys, 4));
}

int
main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite("cli", NULL, NULL);
    CU_add_test(s, "lookup exact and prefix", test_lookup_exact_and_prefix);
    CU_add_test(s, "table complete", test_table_complete);
    CU_add_test(s, "lookup unknown", test_lookup_unknown);
    CU_add_test(s, "lookup ambiguous", test_lookup_ambiguous);
    CU_add_test(s, "edit distance", test_edit_distance);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
