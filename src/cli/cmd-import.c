/* cmd-import.c: `rahtisim import MANIFEST... [--output FILE] [--namespace NS]
 * [--name NAME]`: Kubernetes/OpenShift manifests (files, folders, `oc get -o
 * yaml` Lists, `-` for stdin) in, an ordinary scenario (JSON) out, ready to be
 * extended with events, traffic and expectations.  The result is loaded and
 * validated like any scenario before it is written, so an error names the
 * manifest's file, line, column and path.  Warnings and the import notes
 * (kinds and fields the simulator does not model, once each) go to stderr;
 * the notes are also in the output's "import_notes".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/cli.h"
#include "rahtisim/import.h"
#include "cli/cli-private.h"

/* `rahtisim import`. */
int
rs_cmd_import(int argc, char **argv)
{
    RsLimits limits;
    rs_limits_default(&limits);
    RsImportOptions opts = {0};
    const char *output = NULL;
    g_autoptr(GPtrArray) paths = g_ptr_array_new();
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = NULL;
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            g_ptr_array_add(paths, (gpointer)arg);
        } else if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++)
                g_ptr_array_add(paths, argv[i]);
        } else if (rs_cli_opt_is(arg, "--output")) {
            if (!rs_cli_option_value(argc, argv, &i, &output))
                return RS_EXIT_USAGE;
        } else if (rs_cli_opt_is(arg, "--namespace")) {
            if (!rs_cli_option_value(argc, argv, &i, &opts.default_namespace))
                return RS_EXIT_USAGE;
        } else if (rs_cli_opt_is(arg, "--platform")) {
            if (!rs_cli_option_value(argc, argv, &i, &opts.platform))
                return RS_EXIT_USAGE;
            RsProfile p = {0};
            if (!rs_profile_builtin(opts.platform, &p))
                return rs_cli_usage_error("import: unknown --platform '%s' (rahti-1 or rahti-2)", opts.platform);
            rs_profile_clear(&p);
        } else if (rs_cli_opt_is(arg, "--name")) {
            if (!rs_cli_option_value(argc, argv, &i, &opts.name))
                return RS_EXIT_USAGE;
        } else if (g_str_has_prefix(arg, "--max-")) {
            if (!rs_cli_option_value(argc, argv, &i, &val) || !rs_cli_limit_option(arg, val, &limits))
                return RS_EXIT_USAGE;
        } else {
            return rs_cli_usage_error("import: unknown option '%s' (rahtisim help import)", arg);
        }
    }
    if (paths->len == 0)
        return rs_cli_usage_error("import: expected at least one MANIFEST file or folder (rahtisim help import)");
    unsigned stdin_uses = 0;
    for (guint i = 0; i < paths->len; i++)
        stdin_uses += strcmp(paths->pdata[i], "-") == 0;
    if (stdin_uses > 1)
        return rs_cli_usage_error("import: `-` (stdin) can be given once");
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) json = g_string_new(NULL);
    g_autoptr(RsScenario) sc = rs_import_load((char *const *)paths->pdata, paths->len, &opts, &limits, json,
                                              &err);
    if (!sc)
        return rs_cli_usage_error("%s", err->message);
    for (guint i = 0; i < sc->warnings->len; i++)
        fprintf(stderr, "rahtisim: %s\n", (const char *)sc->warnings->pdata[i]);
    for (guint i = 0; i < sc->notes->len; i++)
        fprintf(stderr, "rahtisim: note: %s\n", (const char *)sc->notes->pdata[i]);
    return rs_cli_write_output(output, json) ? RS_EXIT_OK : RS_EXIT_USAGE;
}
