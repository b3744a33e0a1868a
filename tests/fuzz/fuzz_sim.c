/* fuzz_sim.c: libFuzzer target that loads a scenario and simulates it.
 *
 * A scenario that loads is run by rs_run_scenario with small limits (the
 * same guard `run` has: --max-objects, --max-events, --max-duration), so
 * every input finishes quickly; the text and JSON reports are built, and
 * the JSON must parse.  A scenario the simulation refuses (a feature not
 * simulated yet, a limit) must say so with an error.  The world is also
 * run directly (rs_sim_new + rs_engine_run with an event cap), without
 * expectations, to reach the lifecycle code on its own.
 *
 * Built as tests/fuzz/replay_sim by `make check` too (see fuzz_load.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "rahtisim/engine.h"
#include "rahtisim/expect.h"
#include "rahtisim/report.h"
#include "rahtisim/scenario.h"
#include "rahtisim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_OBJECTS 2000
#define FUZZ_MAX_EVENTS 20000
#define FUZZ_MAX_DURATION (2 * 3600 * RS_SEC)

/* Aborts with a message: a contract is broken. */
static void
broken(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_sim: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

/* Runs the scenario's expectations and builds both reports. */
static void
run_and_report(const RsScenario *sc)
{
    GError *err = NULL;
    RsRunResult *run = rs_run_scenario(sc, sc->seed, &err);
    if (run == NULL) {
        if (err == NULL || err->message[0] == '\0')
            broken("a run failed without an error", NULL);
        g_error_free(err);
        return;
    }
    if (err != NULL)
        broken("a run and an error", err->message);
    if (run->passed + run->failed != run->n_results)
        broken("the verdicts do not add up", NULL);
    RsReportOptions opt = {.format = RS_FORMAT_TEXT, .trace = true};
    GString *text = g_string_new(NULL);
    rs_report(text, &run, 1, &opt);
    g_string_free(text, TRUE);
    opt.format = RS_FORMAT_JSON;
    GString *json = g_string_new(NULL);
    rs_report(json, &run, 1, &opt);
    cJSON *doc = cJSON_ParseWithLength(json->str, json->len);
    if (doc == NULL)
        broken("the JSON report does not parse", json->str);
    cJSON_Delete(doc);
    g_string_free(json, TRUE);
    rs_run_result_free(run);
}

/* Builds the world alone and runs it for a bounded number of events. */
static void
run_world(const RsScenario *sc)
{
    GError *err = NULL;
    RsSim *sim = rs_sim_new(sc, sc->seed ^ 0x5eed, &err);
    if (sim == NULL) {
        if (err == NULL)
            broken("rs_sim_new failed without an error", NULL);
        g_error_free(err);
        return;
    }
    RsEngine *eng = rs_sim_engine(sim);
    rs_engine_set_limit(eng, FUZZ_MAX_EVENTS);
    rs_engine_run(eng, FUZZ_MAX_DURATION);
    if (rs_engine_executed(eng) > FUZZ_MAX_EVENTS)
        broken("the engine ran past its limit", NULL);
    rs_sim_free(sim);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RsLimits lim = {.max_objects = FUZZ_MAX_OBJECTS, .max_events = FUZZ_MAX_EVENTS,
                    .max_duration = FUZZ_MAX_DURATION};
    GError *err = NULL;
    RsScenario *sc = rs_scenario_load_data("fuzz.json", (const char *)data, size, &lim, &err);
    if (sc == NULL) {
        g_clear_error(&err);
        return 0;
    }
    run_and_report(sc);
    run_world(sc);
    rs_scenario_free(sc);
    return 0;
}
