/* test_sweep.c: CUnit tests of the sweep's pieces (sweep.h): Student's t
 * quantiles and the confidence interval, --param parsing (paths, values,
 * bad input), the grid's numbering, shards and run names, and setting a
 * value in the document. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "rahtisim/sweep.h"
#include "cu-main.h"

/* t(0.975, df) from statistical tables (R's qt(0.975, df)). */
static void
test_student_t(void)
{
    static const struct { unsigned df; double t; } tab[] = {
        {1, 12.7062047362}, {2, 4.3026527297}, {3, 3.1824463053}, {5, 2.5705818366},
        {9, 2.2621571628}, {19, 2.0930240544}, {30, 2.0422724563}, {100, 1.9839715185},
        {1000, 1.9623390808},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(tab); i++)
        CU_ASSERT_DOUBLE_EQUAL(rs_student_t95(tab[i].df), tab[i].t, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(rs_student_t95(0), 0.0, 0.0);
}

static void
test_mean_ci(void)
{
    double x[] = {1, 2, 3, 4};
    double mean, half;
    rs_mean_ci95(x, 4, &mean, &half);
    CU_ASSERT_DOUBLE_EQUAL(mean, 2.5, 1e-12);
    /* s = sqrt(5/3), t(3) = 3.1824463053: 3.1824463053 * 1.2909944487 / 2 */
    CU_ASSERT_DOUBLE_EQUAL(half, 2.0542602568, 1e-7);
    rs_mean_ci95(x, 1, &mean, &half);
    CU_ASSERT_DOUBLE_EQUAL(mean, 1.0, 0.0);
    CU_ASSERT(isnan(half));
    double same[] = {7, 7, 7};
    rs_mean_ci95(same, 3, &mean, &half);
    CU_ASSERT_DOUBLE_EQUAL(half, 0.0, 0.0);
}

static void
test_param_values(void)
{
    RsSweepParam p;
    char *msg = NULL;
    CU_ASSERT_FATAL(rs_sweep_param_parse("endpoint_delay=0.5, 1s,[1,2],\"a,b\",true", &p, &msg));
    CU_ASSERT_STRING_EQUAL(p.path, "platform.endpoint_delay");    /* a profile field */
    CU_ASSERT_EQUAL(p.n_values, 5);
    CU_ASSERT(cJSON_IsNumber(p.values[0]));
    CU_ASSERT(cJSON_IsString(p.values[1]));
    CU_ASSERT_STRING_EQUAL(p.texts[1], "1s");
    CU_ASSERT(cJSON_IsArray(p.values[2]));
    CU_ASSERT_STRING_EQUAL(p.texts[2], "[1,2]");
    CU_ASSERT_STRING_EQUAL(p.texts[3], "a,b");
    CU_ASSERT(cJSON_IsTrue(p.values[4]));
    rs_sweep_param_clear(&p);

    CU_ASSERT_FATAL(rs_sweep_param_parse("duration=10s", &p, &msg));
    CU_ASSERT_STRING_EQUAL(p.path, "duration");                   /* a top-level key */
    rs_sweep_param_clear(&p);

    CU_ASSERT_FATAL(rs_sweep_param_parse("namespaces[0].deployments[12].replicas=1", &p, &msg));
    CU_ASSERT_EQUAL(p.n_steps, 5);
    CU_ASSERT_PTR_NULL(p.steps[3].key);
    CU_ASSERT_EQUAL(p.steps[3].index, 12);
    CU_ASSERT_STRING_EQUAL(p.steps[4].key, "replicas");
    rs_sweep_param_clear(&p);

    static const char *const bad[] = {"replicas", "=1", "x=", "x=1,,2", "x=1,1", "seed=1,2",
                                      "a..b=1", "a[x]=1", "a[1=1", "a.=1"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        msg = NULL;
        CU_ASSERT_FALSE(rs_sweep_param_parse(bad[i], &p, &msg));
        CU_ASSERT_PTR_NOT_NULL(msg);
        g_free(msg);
        rs_sweep_param_clear(&p);
    }
}

/* Builds a sweep of two parameters (3 and 2 values) and 4 seeds. */
static void
make_sweep(RsSweep *sw)
{
    memset(sw, 0, sizeof *sw);
    sw->params = g_new0(RsSweepParam, 2);
    char *msg = NULL;
    CU_ASSERT_FATAL(rs_sweep_param_parse("endpoint_delay=0s,1s,2s", &sw->params[0], &msg));
    CU_ASSERT_FATAL(rs_sweep_param_parse("namespaces[0].deployments[0].replicas=2,4", &sw->params[1],
                                         &msg));
    sw->n_params = 2;
    sw->seeds = 4;
    sw->shard_count = 1;
    RsLimits lim;
    rs_limits_default(&lim);
    CU_ASSERT_FATAL(rs_sweep_finish(sw, "{}", 2, &lim, NULL));
}

static void
test_grid(void)
{
    RsSweep sw;
    make_sweep(&sw);
    CU_ASSERT_EQUAL(sw.points, 6);
    CU_ASSERT_EQUAL(sw.runs, 24);
    CU_ASSERT_EQUAL(strlen(sw.hash), 64);
    unsigned idx[2];
    rs_sweep_point_indices(&sw, 0, idx);
    CU_ASSERT(idx[0] == 0 && idx[1] == 0);
    rs_sweep_point_indices(&sw, 1, idx);       /* the last parameter varies fastest */
    CU_ASSERT(idx[0] == 0 && idx[1] == 1);
    rs_sweep_point_indices(&sw, 5, idx);
    CU_ASSERT(idx[0] == 2 && idx[1] == 1);
    char *n = rs_sweep_run_name(&sw, 23);      /* point 5, seed 4 */
    CU_ASSERT_STRING_EQUAL(n, "runs/p5-s4.json");
    g_free(n);
    /* shard 1/4: points 1 and 5, every seed of each */
    sw.shard_index = 1;
    sw.shard_count = 4;
    unsigned in = 0;
    for (uint64_t r = 0; r < sw.runs; r++)
        if (rs_sweep_in_shard(&sw, r)) {
            CU_ASSERT(r / 4 == 1 || r / 4 == 5);
            in++;
        }
    CU_ASSERT_EQUAL(in, 8);
    /* the hash changes with the seeds and the scenario */
    char *h1 = g_strdup(sw.hash);
    RsLimits lim;
    rs_limits_default(&lim);
    sw.seeds = 5;
    CU_ASSERT_FATAL(rs_sweep_finish(&sw, "{}", 2, &lim, NULL));
    CU_ASSERT_STRING_NOT_EQUAL(h1, sw.hash);
    char *h2 = g_strdup(sw.hash);
    CU_ASSERT_FATAL(rs_sweep_finish(&sw, "{ }", 3, &lim, NULL));
    CU_ASSERT_STRING_NOT_EQUAL(h2, sw.hash);
    g_free(h1);
    g_free(h2);
    rs_sweep_clear(&sw);
}

static void
test_path_set(void)
{
    cJSON *doc = cJSON_Parse("{\"name\": \"x\", \"platform\": \"rahti-1\", "
                             "\"namespaces\": [{\"name\": \"a\", \"deployments\": [{\"replicas\": 1}]}]}");
    RsSweepParam p;
    char *msg = NULL;
    const cJSON *deep = NULL;
    /* into a profile name: the platform becomes {"profile": NAME, field: value} */
    CU_ASSERT_FATAL(rs_sweep_param_parse("endpoint_delay=2s", &p, &msg));
    CU_ASSERT(rs_sweep_path_check(doc, &p, &deep, &msg));
    rs_sweep_path_set(doc, &p, p.values[0]);
    char *s = cJSON_PrintUnformatted(cJSON_GetObjectItem(doc, "platform"));
    CU_ASSERT_STRING_EQUAL(s, "{\"profile\":\"rahti-1\",\"endpoint_delay\":\"2s\"}");
    cJSON_free(s);
    rs_sweep_param_clear(&p);

    CU_ASSERT_FATAL(rs_sweep_param_parse("namespaces[0].deployments[0].replicas=5", &p, &msg));
    CU_ASSERT(rs_sweep_path_check(doc, &p, &deep, &msg));
    /* deep: the value the path reaches in the document (replaced, so freed, by the set) */
    CU_ASSERT_DOUBLE_EQUAL(deep->valuedouble, 1.0, 0.0);
    rs_sweep_path_set(doc, &p, p.values[0]);
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "namespaces"), 0), "deployments"), 0)->child->valuedouble, 5.0, 0.0);
    rs_sweep_param_clear(&p);

    static const char *const bad[] = {"namespaces[1].name=b", "namespaces[0].deployments[3].replicas=1",
                                      "name.x=1", "namespaces.x=1", "nothing[0]=1"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        msg = NULL;
        CU_ASSERT_FATAL(rs_sweep_param_parse(bad[i], &p, &msg));
        CU_ASSERT_FALSE(rs_sweep_path_check(doc, &p, &deep, &msg));
        CU_ASSERT_PTR_NOT_NULL(msg);
        g_free(msg);
        rs_sweep_param_clear(&p);
    }
    cJSON_Delete(doc);
}

int
main(void)
{
    static CU_TestInfo tests[] = {
        {"Student's t 95 % quantiles", test_student_t},
        {"mean and confidence interval", test_mean_ci},
        {"--param values and paths", test_param_values},
        {"grid numbering, shards, hash", test_grid},
        {"setting a value in the document", test_path_set},
        CU_TEST_INFO_NULL,
    };
    return fx_main("sweep", tests);
}
