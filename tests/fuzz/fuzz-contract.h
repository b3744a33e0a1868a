/* fuzz-contract.h: what fuzz_load and fuzz_import both require of a loader
 * (the scenario loader, the manifest importer): it returns a scenario or an
 * error, never both and never neither; a scenario has a name and a warning
 * list and frees cleanly; an error names the input and is at most 20 lines
 * (the loader's error collection, issue 12), each later line starting with
 * "rahtisim: ".  A broken contract is an abort(), so libFuzzer reports it
 * as a crash.  Included by the two targets only (one definition each).
 */
#ifndef RAHTISIM_FUZZ_CONTRACT_H
#define RAHTISIM_FUZZ_CONTRACT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rahtisim/scenario.h"

/* Aborts with a message: the loader broke its contract. */
static void
fuzz_broken(const char *target, const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s%s%s\n", target, what, detail ? ": " : "", detail ? detail : "");
    abort();
}

/* Checks one load's result (and frees it): `file` is the name the input was
 * loaded under, `target` the fuzz target's name for messages. */
static void
fuzz_check_load(const char *target, const char *file, RsScenario *sc, GError *err)
{
    if (sc != NULL) {
        if (err != NULL)
            fuzz_broken(target, "a scenario and an error", err->message);
        if (sc->name == NULL || sc->warnings == NULL)
            fuzz_broken(target, "a scenario without a name or a warning list", NULL);
        rs_scenario_free(sc);
        return;
    }
    if (err == NULL || err->message == NULL || err->message[0] == '\0')
        fuzz_broken(target, "no scenario and no error message", NULL);
    if (strncmp(err->message, file, strlen(file)) != 0)
        fuzz_broken(target, "the error does not start with the file name", err->message);
    /* several errors (up to 20): one a line, each later line "rahtisim: %s:..." */
    unsigned lines = 1;
    for (const char *nl = strchr(err->message, '\n'); nl != NULL; nl = strchr(nl + 1, '\n')) {
        if (strncmp(nl + 1, "rahtisim: ", 10) != 0)
            fuzz_broken(target, "an error line does not start with rahtisim: ", err->message);
        lines++;
    }
    if (lines > 20)
        fuzz_broken(target, "more than 20 error lines", err->message);
    g_error_free(err);
}

#endif
