/* cmd-schema.c: `rahtisim schema`: the JSON Schema of the scenario format.
 *
 * Made by the loader itself (src/scenario/schema.c) from its key tables, as
 * it checks tests/good/full.json (every key of the format) and every lesson,
 * embedded at build time.  Exit status: 0, or 2 for usage
 * or a write error.
 */
#include "config.h"

#include "rahtisim/cli.h"
#include "rahtisim/scenario.h"
#include "cli/cli-private.h"

/* tests/good/full.json and every lesson, embedded at build time (Makefile.am). */
extern const char *const rs_schema_samples[];
extern const size_t rs_schema_sample_lens[];

/* `rahtisim schema`. */
int
rs_cmd_schema(int argc, char **argv)
{
    if (argc > 1)
        return rs_cli_usage_error("schema takes no arguments (rahtisim help schema)");
    (void)argv;
    unsigned n = 0;
    while (rs_schema_samples[n] != NULL)
        n++;
    GError *err = NULL;
    g_autofree char *text = rs_scenario_schema(rs_schema_samples, rs_schema_sample_lens, n, &err);
    if (text == NULL) {
        int st = rs_cli_usage_error("schema: %s", err->message);
        g_error_free(err);
        return st;
    }
    g_autoptr(GString) out = g_string_new(text);
    return rs_cli_write_output(NULL, out) ? RS_EXIT_OK : RS_EXIT_USAGE;
}
