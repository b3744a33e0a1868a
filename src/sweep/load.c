/* load.c: the scenario document of a sweep, checking the grid, loading a point.
 *
 * The document is read once (JSONC, with positions).  Before anything is
 * simulated every value of every parameter is tried: its path is checked
 * against the document (docpath.c) and the document with that one value is
 * loaded by the scenario loader, which rejects wrong types and unknown keys
 * ("did you mean") as it does for a file; then the first point, all
 * parameters set, is loaded too.  Errors name the scenario file, the line
 * and column of the deepest part of the document the path reaches, and the
 * parameter: `FILE:LINE:COL: --param KEY=VALUE: JSONPATH: message`.
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "rahtisim/import.h"
#include "rahtisim/sweep.h"
#include "scenario/jsonc.h"

struct RsSweepDoc {
    char *file;
    char *text;
    gsize len;
    RsJsonDoc *doc;
    bool derived;               /* imported from manifests: no positions in FILE */
};

/* Whether a parsed scenario file needs the import layer: a Kubernetes
 * object, or a scenario that starts from `manifests`. */
static bool
needs_import(const RsJsonDoc *doc)
{
    const cJSON *root = rs_jsonc_root(doc);
    if (!cJSON_IsObject(root))
        return false;
    if (cJSON_GetObjectItemCaseSensitive(root, "manifests") != NULL)
        return true;
    return cJSON_GetObjectItemCaseSensitive(root, "apiVersion") &&
           cJSON_GetObjectItemCaseSensitive(root, "kind") &&
           !cJSON_GetObjectItemCaseSensitive(root, "name");
}

RsSweepDoc *
rs_sweep_doc_load(const char *file, const RsLimits *limits, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    GError *err = NULL;
    g_autoptr(RsJsonDoc) doc = NULL;
    bool derived = rs_input_is_manifest(file);
    if (!derived) {
        if (strcmp(file, "-") == 0 || !g_file_get_contents(file, &text, &len, &err)) {
            g_set_error(error, RS_SWEEP_ERROR, 0, "%s: cannot read: %s", file,
                        err ? err->message : "a sweep reads its scenario from a file, not stdin");
            g_clear_error(&err);
            return NULL;
        }
        doc = rs_jsonc_parse(file, text, len, error);
        if (doc == NULL)
            return NULL;
        derived = needs_import(doc);
    }
    if (derived) {
        /* manifests: the imported scenario is the document (and what the hash covers) */
        g_clear_pointer(&doc, rs_jsonc_free);
        g_free(text);
        text = rs_input_scenario_json(file, limits, error);
        if (text == NULL)
            return NULL;
        len = strlen(text);
        doc = rs_jsonc_parse(file, text, len, error);
        if (doc == NULL)
            return NULL;
    }
    RsSweepDoc *d = g_new0(RsSweepDoc, 1);
    d->file = g_strdup(file);
    d->text = g_steal_pointer(&text);
    d->len = len;
    d->doc = g_steal_pointer(&doc);
    d->derived = derived;
    return d;
}

void
rs_sweep_doc_free(RsSweepDoc *d)
{
    if (d == NULL)
        return;
    rs_jsonc_free(d->doc);
    g_free(d->text);
    g_free(d->file);
    g_free(d);
}

const char *
rs_sweep_doc_text(const RsSweepDoc *d, size_t *len)
{
    *len = d->len;
    return d->text;
}

/* The loader's message without its "FILE:LINE:COL: " (positions in the
 * changed document mean nothing to the user). */
static const char *
strip_position(const char *msg, const char *file)
{
    size_t n = strlen(file);
    if (strncmp(msg, file, n) != 0 || msg[n] != ':')
        return msg;
    const char *s = msg + n + 1;
    for (int field = 0; field < 2; field++) {
        const char *d = s;
        while (g_ascii_isdigit(*d))
            d++;
        if (d == s || *d != ':')
            return msg;
        s = d + 1;
    }
    return *s == ' ' ? s + 1 : s;
}

/* Loads the document with `values[k]` (NULL: unchanged) for each parameter. */
static RsScenario *
load_with(const RsSweep *sw, const RsSweepDoc *d, const cJSON *const *values,
          const RsLimits *limits, GError **error)
{
    cJSON *copy = cJSON_Duplicate(rs_jsonc_root(d->doc), 1);
    for (unsigned k = 0; k < sw->n_params; k++)
        if (values[k] != NULL)
            rs_sweep_path_set(copy, &sw->params[k], values[k]);
    char *text = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    RsScenario *sc = rs_scenario_load_data(d->file, text, strlen(text), limits, error);
    cJSON_free(text);
    return sc;
}

/* "FILE:LINE:COL" of a node of the document ("FILE" for imported manifests). */
static char *
where(const RsSweepDoc *d, const cJSON *node)
{
    if (d->derived)
        return g_strdup(d->file);
    int line = 1, col = 1;
    rs_jsonc_linecol(d->doc, rs_jsonc_offset(d->doc, node, true), &line, &col);
    return g_strdup_printf("%s:%d:%d", d->file, line, col);
}

bool
rs_sweep_validate(const RsSweep *sw, const RsSweepDoc *d, const RsLimits *limits, GError **error)
{
    const cJSON *root = rs_jsonc_root(d->doc);
    const cJSON **values = g_new0(const cJSON *, sw->n_params + 1);
    bool ok = true;
    for (unsigned k = 0; ok && k < sw->n_params; k++) {
        const RsSweepParam *p = &sw->params[k];
        const cJSON *deepest = NULL;
        char *msg = NULL;
        if (!rs_sweep_path_check(root, p, &deepest, &msg)) {
            g_autofree char *at = where(d, deepest);
            g_set_error(error, RS_SWEEP_ERROR, 0, "%s: --param %s: %s", at, p->key, msg);
            g_free(msg);
            ok = false;
            break;
        }
        for (unsigned i = 0; ok && i < p->n_values; i++) {
            memset(values, 0, sizeof *values * sw->n_params);
            values[k] = p->values[i];
            GError *err = NULL;
            RsScenario *sc = load_with(sw, d, values, limits, &err);
            if (sc == NULL) {
                g_autofree char *at = where(d, deepest);
                g_set_error(error, RS_SWEEP_ERROR, 0, "%s: --param %s=%s: %s", at, p->key, p->texts[i],
                            strip_position(err->message, d->file));
                g_error_free(err);
                ok = false;
            }
            rs_scenario_free(sc);
        }
    }
    g_free(values);
    if (ok) {
        /* every parameter at its first value: the combination loads too */
        RsScenario *sc = rs_sweep_load_point(sw, d, 0, limits, error);
        ok = sc != NULL;
        rs_scenario_free(sc);
    }
    return ok;
}

RsScenario *
rs_sweep_load_point(const RsSweep *sw, const RsSweepDoc *d, uint64_t point, const RsLimits *limits,
                    GError **error)
{
    unsigned *idx = g_new0(unsigned, sw->n_params + 1);
    const cJSON **values = g_new0(const cJSON *, sw->n_params + 1);
    rs_sweep_point_indices(sw, point, idx);
    for (unsigned k = 0; k < sw->n_params; k++)
        values[k] = sw->params[k].values[idx[k]];
    GError *err = NULL;
    RsScenario *sc = load_with(sw, d, values, limits, &err);
    if (sc == NULL) {
        g_autoptr(GString) vals = g_string_new(NULL);
        for (unsigned k = 0; k < sw->n_params; k++)
            g_string_append_printf(vals, "%s%s=%s", k ? ", " : "", sw->params[k].key,
                                   sw->params[k].texts[idx[k]]);
        g_set_error(error, RS_SWEEP_ERROR, 0, "%s: point %" G_GUINT64_FORMAT " (%s): %s", d->file,
                    point, vals->str, strip_position(err->message, d->file));
        g_error_free(err);
    }
    g_free(values);
    g_free(idx);
    return sc;
}
