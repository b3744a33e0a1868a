/* cmd-matrix.c: `rahtisim matrix SCENARIO [--at T] [--port N] [--format text|csv|json]`.
 *
 * Who can reach whom at T: one real request per cell, all isolated in one
 * simulation built once (src/teach/matrix.c).  Exit status: 0 when the matrix was
 * computed, whatever its cells say; 2 for bad usage or a scenario that
 * cannot be simulated.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rahtisim/util.h"
#include "rahtisim/cli.h"
#include "rahtisim/teach.h"
#include "cli/cli-private.h"
#include "cli/teach-cli.h"

/* `rahtisim matrix`. */
int
rs_cmd_matrix(int argc, char **argv)
{
    rs_heap_huge_pages();     /* a long simulation: src/util/memory.c */
    static const char *const allowed[] = {"--at", "--format", NULL};
    g_auto(RsTeachArgs) a = {0};
    /* --port N (R44): taken out before the shared parser sees the rest */
    guint64 port = 0;
    g_autoptr(GPtrArray) rest = g_ptr_array_new();
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--port") == 0) {
            if (i + 1 >= argc || !g_ascii_string_to_unsigned(argv[i + 1], 10, 1, 65535, &port, NULL))
                return rs_cli_usage_error("matrix: --port takes a port number (1-65535)");
            i++;
            continue;
        }
        g_ptr_array_add(rest, argv[i]);
    }
    if (!rs_teach_args_parse((int)rest->len, (char **)rest->pdata, allowed, 1, RS_USAGE_MATRIX, &a))
        return RS_EXIT_USAGE;
    RsMatrixFormat fmt = RS_MATRIX_TEXT;
    if (a.format != NULL && !rs_matrix_format_parse(a.format, &fmt))
        return rs_cli_usage_error("matrix: --format takes text, csv or json, not '%s'", a.format);
    g_autoptr(RsScenario) sc = rs_teach_load(&a);
    if (sc == NULL)
        return RS_EXIT_USAGE;
    GError *err = NULL;
    g_autoptr(RsMatrix) m = rs_matrix_compute_port(sc, rs_teach_args_seed(&a, sc),
                                                   rs_teach_args_at(&a, sc), (uint16_t)port, &err);
    if (m == NULL) {
        int st = rs_cli_usage_error("matrix: %s", err->message);
        g_error_free(err);
        return st;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    rs_matrix_print(out, m, fmt, fmt == RS_MATRIX_TEXT && rs_color_enabled(a.color, stdout));
    return rs_cli_write_output(NULL, out) ? RS_EXIT_OK : RS_EXIT_USAGE;
}
