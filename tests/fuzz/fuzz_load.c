/* fuzz_load.c: libFuzzer target for the scenario loader.
 *
 * Any bytes go to rs_scenario_load_data.  What must hold: it returns a
 * scenario or an error, never both and never neither; an error message
 * names the input and is one line; a scenario frees cleanly.  Crashes,
 * sanitizer reports and leaks are what libFuzzer looks for; the checks
 * here abort() so that a broken contract is a crash too.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message: the loader broke its contract. */
static void
broken(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_load: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RsLimits lim;
    rs_limits_default(&lim);
    GError *err = NULL;
    RsScenario *sc = rs_scenario_load_data("fuzz.json", (const char *)data, size, &lim, &err);
    if (sc != NULL) {
        if (err != NULL)
            broken("a scenario and an error", err->message);
        if (sc->name == NULL || sc->warnings == NULL)
            broken("a scenario without a name or a warning list", NULL);
        rs_scenario_free(sc);
        return 0;
    }
    if (err == NULL || err->message == NULL || err->message[0] == '\0')
        broken("no scenario and no error message", NULL);
    if (strncmp(err->message, "fuzz.json", 9) != 0)
        broken("the error does not start with the file name", err->message);
    /* several errors (up to 20): one a line, each later line "rahtisim: %s:..." */
    unsigned lines = 1;
    for (const char *nl = strchr(err->message, '\n'); nl != NULL; nl = strchr(nl + 1, '\n')) {
        if (strncmp(nl + 1, "rahtisim: ", 10) != 0)
            broken("an error line does not start with rahtisim: ", err->message);
        lines++;
    }
    if (lines > 20)
        broken("more than 20 error lines", err->message);
    g_error_free(err);
    return 0;
}
