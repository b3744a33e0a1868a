/* fuzz_load.c: libFuzzer target for the scenario loader.
 *
 * Any bytes go to rs_scenario_load_data.  What must hold: it returns a
 * scenario or an error, never both and never neither; an error message
 * names the input and is one line; a scenario frees cleanly.  Crashes,
 * sanitizer reports and leaks are what libFuzzer looks for; the checks
 * of fuzz-contract.h (shared with the other loader target) abort() so that
 * a broken contract is a crash too.
 *
 * Built twice: by `make fuzz` with clang -fsanitize=fuzzer,address,undefined,
 * and by `make check` with the normal compiler as tests/fuzz/replay_load
 * (replay.c supplies main), which replays the seed corpus and every
 * regression in tests/fuzz/regressions/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rahtisim/scenario.h"
#include "fuzz-contract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RsLimits lim;
    rs_limits_default(&lim);
    GError *err = NULL;
    RsScenario *sc = rs_scenario_load_data("fuzz.json", (const char *)data, size, &lim, &err);
    fuzz_check_load("fuzz_load", "fuzz.json", sc, err);   /* the contract: fuzz-contract.h */
    return 0;
}
