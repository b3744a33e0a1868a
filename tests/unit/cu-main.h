/* cu-main.h: the one main of the CUnit test programs in tests/unit/.
 *
 * Every program ends with `return fx_main("suite", tests);` (one suite) or
 * `return fx_main_suites(suites);`.  The exit status is 0 only if tests ran
 * and every one passed: a failed assertion (fatal or not), a test CUnit
 * counts as failed, or no test at all is 1; a CUnit error is 2.
 */
#ifndef RS_TESTS_CU_MAIN_H
#define RS_TESTS_CU_MAIN_H

#include <CUnit/Basic.h>
#include <glib.h>

/* Runs the suites (terminated by CU_SUITE_INFO_NULL); see above. */
G_GNUC_UNUSED static int
fx_main_suites(CU_SuiteInfo *suites)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (CU_basic_run_tests() != CUE_SUCCESS) {
        CU_cleanup_registry();
        return 2;
    }
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return failed == 0 && ran > 0 ? 0 : 1;
}

/* Runs one suite of `tests` (terminated by CU_TEST_INFO_NULL). */
G_GNUC_UNUSED static int
fx_main(const char *suite_name, const CU_TestInfo *tests)
{
    CU_SuiteInfo suites[] = {
        {suite_name, NULL, NULL, NULL, NULL, (CU_TestInfo *)tests},
        CU_SUITE_INFO_NULL,
    };
    return fx_main_suites(suites);
}

#endif
