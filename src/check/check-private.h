/* check-private.h: what the files of src/check share and nobody else needs.
 *
 * The files form layers, bottom to top (tests/layers.sh checks that no file
 * calls one above it):
 *   judge-util.c     JSON and text helpers (durations, addresses, fractions)
 *   judge-traffic.c  the traffic judges: share, spread, latency (one verdict)
 *   judge-matrix.c   the matrix expectation: rows x columns of probes
 *   expect.c         the judges of probes, resolves, pod states, rollouts and
 *                    ready pods, and the verdict on what was never evaluated
 *   probe-context.c, reload-note.c   what a probe's explanation adds
 *   run.c            the runner: schedules every expectation, runs the
 *                    simulation, collects the results (rs_run_scenario_with)
 * Each judge fills one RsExpectResult: expected and observed (JSON), a
 * summary line, an explanation, and passed.
 */
#ifndef RAHTISIM_CHECK_PRIVATE_H
#define RAHTISIM_CHECK_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "rahtisim/expect.h"
#include "rahtisim/request.h"
#include "rahtisim/sim.h"
#include "rahtisim/traffic.h"
#include "rahtisim/util.h"

/* ---- judge-util.c ---- */

/* Adds a duration as a string with a unit ("1.2ms"). */
void rs_check_add_duration(cJSON *o, const char *key, rs_time_t t);
/* Adds an address in dotted form. */
void rs_check_add_ip(cJSON *o, const char *key, uint32_t ip);
/* Adds a fraction as a JSON number with four decimals (stable text, R37). */
void rs_check_add_fraction(cJSON *o, const char *key, double f);
/* A fraction as a percentage for sentences ("99.5 %"), written to buf. */
const char *rs_check_pct(double f, char *buf, size_t len);
/* Orders two uint32_t addresses (for qsort). */
int rs_check_cmp_u32(const void *a, const void *b);
/* Addresses as a JSON list of dotted strings, sorted. */
cJSON *rs_check_ip_list(const uint32_t *ips, unsigned n);

/* ---- judge-traffic.c ---- */

/* What a traffic expectation asks for, as JSON. */
cJSON *rs_check_traffic_expected(const RsExpectSpec *e);
/* Judges a traffic expectation from its window, after the run (share,
 * spread, latency; scenario-format.md "Expectations"). */
void rs_judge_traffic(RsSim *sim, RsExpectResult *r, const RsTrafficWindow *w);

/* ---- judge-matrix.c ---- */

/* A matrix expectation in flight (owned by the run: rs_matrix_judge_free). */
typedef struct RsMatrixJudge RsMatrixJudge;
/* What a matrix expectation asks for, as JSON. */
cJSON *rs_check_matrix_expected(const RsExpectSpec *e);
/* Sends every cell of the matrix expectation `r` now, each as if it were
 * the only request; once the last answer came, judges it and calls
 * done(data). */
RsMatrixJudge *rs_judge_matrix_start(RsSim *sim, RsExpectResult *r, void (*done)(void *), void *data);
void rs_matrix_judge_free(RsMatrixJudge *m);

/* ---- expect.c ---- */

/* What a probe asks for, as JSON (set when it is sent). */
cJSON *rs_check_probe_expected(const RsExpectSpec *e);
/* Judges a probe's answer. */
void rs_judge_probe(RsSim *sim, RsExpectResult *r, const RsResult *res);
/* Judge a resolve (R17), a pod state, a rollout (R54) and ready pods
 * (R52, R54, R55) now. */
void rs_judge_resolve(RsSim *sim, RsExpectResult *r);
void rs_judge_state(RsSim *sim, RsExpectResult *r);
void rs_judge_rollout(RsSim *sim, RsExpectResult *r);
void rs_judge_ready(RsSim *sim, RsExpectResult *r);
/* Fills an expectation the run never evaluated: the run ended (its
 * duration) or stopped at the event limit (`limited`) at `now`. */
void rs_judge_not_evaluated(RsExpectResult *r, const RsScenario *sc, rs_time_t now, bool limited);

#endif
