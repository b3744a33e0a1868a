/* input.c: what a SCENARIO argument is, and manifests under a scenario.
 *
 * Every command that takes a SCENARIO takes manifests too (scenario-format.md
 * "New commands"): a folder, or a file ending in .yaml or .yml, is imported
 * in memory (import.c); a .json file is a scenario unless it is a
 * Kubernetes object (it has `apiVersion` and `kind` and no `name` at the
 * top); "-" reads stdin and decides the same way (YAML when it is not a
 * JSON object).  A scenario may name manifests to start from
 * (`"manifests": ["k8s/"]`, relative to the scenario file): they are
 * imported and their namespaces merged into the scenario's before it is
 * loaded, so the scenario adds events, traffic and expectations on top (and
 * may add objects to an imported namespace).  Errors in the manifests name
 * the manifest file and line; errors in the scenario name the scenario.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "import/import-private.h"
#include "rahtisim/util.h"

/* Whether a SCENARIO argument names manifests (see import.h). */
bool
rs_input_is_manifest(const char *path)
{
    if (strcmp(path, "-") == 0)
        return false;
    return g_str_has_suffix(path, ".yaml") || g_str_has_suffix(path, ".yml") ||
           g_file_test(path, G_FILE_TEST_IS_DIR);
}

/* Moves the import warnings in front of the loader's. */
static void
add_warnings(RsScenario *sc, GPtrArray *warnings)
{
    for (guint i = 0; i < warnings->len; i++)
        g_ptr_array_insert(sc->warnings, (gint)i, g_strdup(g_ptr_array_index(warnings, i)));
}

/* Appends a scalar as JSON (cJSON escapes strings and formats numbers). */
static void
json_scalar(GString *out, const cJSON *v)
{
    char *t = cJSON_PrintUnformatted(v);
    g_string_append(out, t);
    cJSON_free(t);
}

/* Pretty-prints JSON the way the scenarios in this project are written:
 * two spaces, one key a line, lists of scalars on one line. */
static void
json_pretty(GString *out, const cJSON *v, int indent)
{
    bool flat = true;
    const cJSON *c;
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
        json_scalar(out, v);
        return;
    }
    cJSON_ArrayForEach(c, v)
        flat = flat && !cJSON_IsArray(c) && !cJSON_IsObject(c) &&
               !(cJSON_IsString(c) && strlen(c->valuestring) > 40);
    bool obj = cJSON_IsObject(v);
    if (!v->child) {
        g_string_append(out, obj ? "{}" : "[]");
        return;
    }
    if (flat && !obj) {
        g_string_append_c(out, '[');
        cJSON_ArrayForEach(c, v) {
            json_scalar(out, c);
            if (c->next)
                g_string_append(out, ", ");
        }
        g_string_append_c(out, ']');
        return;
    }
    g_string_append(out, obj ? "{\n" : "[\n");
    cJSON_ArrayForEach(c, v) {
        g_string_append_printf(out, "%*s", indent + 2, "");
        if (obj) {
            cJSON *k = cJSON_CreateString(c->string);
            json_scalar(out, k);
            cJSON_Delete(k);
            g_string_append(out, ": ");
        }
        json_pretty(out, c, indent + 2);
        g_string_append(out, c->next ? ",\n" : "\n");
    }
    g_string_append_printf(out, "%*s%c", indent, "", obj ? '}' : ']');
}

/* Frees signatures (see import.h). */
void
rs_input_sigs_clear(RsInputSigs *s)
{
    g_free(s->global);
    if (s->namespaces)
        g_hash_table_unref(s->namespaces);
    if (s->labels)
        g_hash_table_unref(s->labels);
    if (s->with_policies)
        g_hash_table_unref(s->with_policies);
    memset(s, 0, sizeof *s);
}

/* cJSON's compact text as a g_malloc'd string. */
static char *
compact_json(const cJSON *v)
{
    char *t = cJSON_PrintUnformatted(v);
    char *g = g_strdup(t ? t : "");
    cJSON_free(t);
    return g;
}

/* Fills `sigs` from a scenario document about to be loaded: each namespace's
 * JSON, its labels, and the rest (without name, description, expectations
 * and notes, which do not shape the world). */
static void
sign(const cJSON *root, RsInputSigs *sigs)
{
    if (!sigs)
        return;
    rs_input_sigs_clear(sigs);
    sigs->namespaces = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    sigs->labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    sigs->with_policies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cJSON *rest = cJSON_Duplicate(root, true);
    static const char *const drop[] = {"name", "description", "namespaces", "expect", "import_notes",
                                       "manifests", NULL};
    for (int i = 0; drop[i]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(rest, drop[i]);
    sigs->global = compact_json(rest);
    cJSON_Delete(rest);
    const cJSON *ns;
    cJSON_ArrayForEach(ns, cJSON_GetObjectItemCaseSensitive(root, "namespaces")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(ns, "name");
        if (!cJSON_IsString(name))
            continue;
        g_hash_table_insert(sigs->namespaces, g_strdup(name->valuestring), compact_json(ns));
        const cJSON *labels = cJSON_GetObjectItemCaseSensitive(ns, "labels");
        g_hash_table_insert(sigs->labels, g_strdup(name->valuestring), labels ? compact_json(labels) : g_strdup(""));
        if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ns, "network_policies")) > 0)
            g_hash_table_add(sigs->with_policies, g_strdup(name->valuestring));
    }
}

/* Imports and loads (see import.h). */
static RsScenario *
import_load(char *const *paths, unsigned n, const GString *stdin_text, const RsImportOptions *opts,
            const RsLimits *limits, GString *json, RsInputSigs *sigs, GError **error)
{
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(RsJsonDoc) doc = rs_import_doc(paths, n, stdin_text, opts, warnings, error);
    if (!doc)
        return NULL;
    sign(rs_jsonc_root(doc), sigs);
    RsScenario *sc = rs_scenario_load_doc(doc, limits, error);
    if (!sc)
        return NULL;
    add_warnings(sc, warnings);
    if (json) {
        json_pretty(json, rs_jsonc_root_mut(doc), 0);
        g_string_append_c(json, '\n');
    }
    return sc;
}

/* Imports manifests and loads the result (see import.h). */
RsScenario *
rs_import_load(char *const *paths, unsigned n_paths, const RsImportOptions *opts, const RsLimits *limits,
               GString *json, GError **error)
{
    return import_load(paths, n_paths, NULL, opts, limits, json, NULL, error);
}

/* Imports manifests from memory (see import.h). */
RsScenario *
rs_import_load_data(const char *name, const char *data, size_t len, const RsLimits *limits, GError **error)
{
    char *paths[] = {"-"};
    RsImportOptions opts = {.stdin_name = name};
    g_autoptr(GString) text = g_string_new_len(data, (gssize)len);
    return import_load(paths, 1, text, &opts, limits, NULL, NULL, error);
}

/* Sets an error at a node of a scenario document. */
G_GNUC_PRINTF(5, 6) static bool
doc_fail(const RsJsonDoc *doc, const cJSON *node, const char *path, GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *msg = rs_jsonc_printable(raw);
    size_t off = rs_jsonc_offset(doc, node, false);
    int line, col;
    rs_jsonc_linecol(doc, off, &line, &col);
    g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_INVALID, "%s:%d:%d: %s: %s",
                rs_jsonc_file_at(doc, off), line, col, path, msg);
    return false;
}

/* The member `key` of obj, made (as an array) when absent. */
static cJSON *
array_member(cJSON *obj, const char *key)
{
    cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    return a ? a : cJSON_AddArrayToObject(obj, key);
}

/* Merges an imported namespace into the scenario's namespace of that name:
 * object lists are appended, other keys taken when the scenario has none. */
static void
merge_namespace(cJSON *into, cJSON *from)
{
    cJSON *e = from->child;
    while (e) {
        cJSON *next = e->next;
        if (strcmp(e->string, "name") != 0) {
            cJSON *have = cJSON_GetObjectItemCaseSensitive(into, e->string);
            if (cJSON_IsArray(e) && (!have || cJSON_IsArray(have))) {
                cJSON *dst = array_member(into, e->string);
                while (e->child)
                    cJSON_AddItemToArray(dst, cJSON_DetachItemViaPointer(e, e->child));
            } else if (!have) {
                cJSON_AddItemToObject(into, e->string, cJSON_DetachItemViaPointer(from, e));
            }
        }
        e = next;
    }
}

/* Imports a scenario's `manifests` and grafts them into it. */
static bool
graft_manifests(RsJsonDoc *doc, const char *scenario_path, GPtrArray *warnings, GError **error)
{
    const cJSON *croot = rs_jsonc_root(doc);
    const cJSON *list = cJSON_IsObject(croot) ? cJSON_GetObjectItemCaseSensitive(croot, "manifests") : NULL;
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
        return true;            /* absent, or a shape the loader reports */
    /* only now mutable: a tree never changed is dropped with its arena (jsonc.c) */
    cJSON *root = rs_jsonc_root_mut(doc);
    g_autofree char *dir = strcmp(scenario_path, "-") == 0 ? g_get_current_dir() : g_path_get_dirname(scenario_path);
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    int i = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, list) {
        g_autofree char *p = g_strdup_printf("manifests[%d]", i++);
        if (!cJSON_IsString(m) || !*m->valuestring)
            return true;        /* the loader says what is wrong */
        char *full = g_path_is_absolute(m->valuestring) ? g_strdup(m->valuestring)
                                                        : g_build_filename(dir, m->valuestring, NULL);
        if (!g_file_test(full, G_FILE_TEST_EXISTS)) {
            g_free(full);
            return doc_fail(doc, m, p, error, "no such file or folder `%s` (manifests are relative to the "
                            "scenario file)", m->valuestring);
        }
        if (strcmp(m->valuestring, "-") == 0) {
            g_free(full);
            return doc_fail(doc, m, p, error, "`-` (stdin) cannot be a scenario's manifest");
        }
        g_ptr_array_add(paths, full);
    }
    /* the scenario's platform decides what the manifests can have (R48) */
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(root, "platform");
    if (cJSON_IsObject(pf))
        pf = cJSON_GetObjectItemCaseSensitive(pf, "profile");
    RsImportOptions opts = {.name = "manifests", .platform = cJSON_IsString(pf) ? pf->valuestring : NULL};
    g_autoptr(RsJsonDoc) imported = rs_import_doc((char *const *)paths->pdata, paths->len, NULL, &opts,
                                                  warnings, error);
    if (!imported)
        return false;
    rs_jsonc_copy_origins(doc, imported);
    cJSON *iroot = rs_jsonc_root_mut(imported);
    cJSON *ins = cJSON_GetObjectItemCaseSensitive(iroot, "namespaces");
    cJSON *sns = cJSON_GetObjectItemCaseSensitive(root, "namespaces");
    if (sns && !cJSON_IsArray(sns))
        return true;            /* the loader reports it */
    if (!sns)
        sns = cJSON_AddArrayToObject(root, "namespaces");
    while (ins && ins->child) {
        cJSON *n = cJSON_DetachItemViaPointer(ins, ins->child);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(n, "name");
        cJSON *same = NULL, *s;
        cJSON_ArrayForEach(s, sns) {
            const cJSON *sname = cJSON_GetObjectItemCaseSensitive(s, "name");
            if (cJSON_IsString(sname) && strcmp(sname->valuestring, name->valuestring) == 0)
                same = s;
        }
        if (same && cJSON_IsObject(same)) {
            merge_namespace(same, n);
            cJSON_Delete(n);
        } else {
            cJSON_AddItemToArray(sns, n);
        }
    }
    cJSON *inotes = cJSON_GetObjectItemCaseSensitive(iroot, "import_notes");
    if (inotes && inotes->child) {
        cJSON *snotes = cJSON_GetObjectItemCaseSensitive(root, "import_notes");
        if (snotes && !cJSON_IsArray(snotes))
            return true;
        if (!snotes)
            snotes = cJSON_AddArrayToObject(root, "import_notes");
        while (inotes->child)
            cJSON_AddItemToArray(snotes, cJSON_DetachItemViaPointer(inotes, inotes->child));
    }
    return true;
}

/* Whether a parsed JSON document is a Kubernetes object rather than a scenario. */
static bool
is_k8s_object(const cJSON *root)
{
    return cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "apiVersion") &&
           cJSON_GetObjectItemCaseSensitive(root, "kind") && !cJSON_GetObjectItemCaseSensitive(root, "name");
}

/* Loads a scenario document and its manifests. */
static RsScenario *
load_scenario_doc(RsJsonDoc *doc, const char *path, const RsLimits *limits, RsInputSigs *sigs,
                  GError **error)
{
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    if (!graft_manifests(doc, path, warnings, error))
        return NULL;
    sign(rs_jsonc_root(doc), sigs);
    RsScenario *sc = rs_scenario_load_doc(doc, limits, error);
    if (sc)
        add_warnings(sc, warnings);
    return sc;
}

/* Loads any SCENARIO argument (see import.h). */
RsScenario *
rs_input_load(const char *path, const RsLimits *limits, GError **error)
{
    return rs_input_load_sigs(path, limits, NULL, error);
}

/* A large scenario file: the memory its load and its world will touch is
 * mapped from a second thread while this one reads and parses it
 * (rs_heap_prefault, src/util/memory.c; issue 14).  About 16 bytes of heap
 * per byte of file (a file of 10^5 namespaces, 23 MB, peaks at 348 MB in
 * `check` and 368-386 MB in `topology`), at most a quarter of the memory
 * budget, so what is mapped ahead never decides whether a run crosses it;
 * nothing for files under 4 MiB. */
static void
prefault_for(const char *path, const RsLimits *limits)
{
    GStatBuf st;
    if (g_stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < ((goffset)4 << 20))
        return;
    uint64_t want = (uint64_t)st.st_size * 16, cap = limits ? limits->max_memory / 4 : 0;
    if (cap > 0 && want > cap)
        want = cap;
    rs_heap_prefault((size_t)want);
}

/* Loads any SCENARIO argument and signs it (see import.h). */
RsScenario *
rs_input_load_sigs(const char *path, const RsLimits *limits, RsInputSigs *sigs, GError **error)
{
    char *paths[] = {(char *)path};
    if (rs_input_is_manifest(path))
        return import_load(paths, 1, NULL, NULL, limits, NULL, sigs, error);
    if (strcmp(path, "-") == 0) {
        g_autofree char *data = NULL;
        size_t len = 0;
        if (!rs_yaml_read("-", &data, &len, error))
            return NULL;
        size_t i = strspn(data, " \t\r\n");
        g_autoptr(GString) text = g_string_new_len(data, (gssize)len);
        if (data[i] == '{') {
            g_autoptr(GError) jerr = NULL;
            g_autoptr(RsJsonDoc) doc = rs_jsonc_parse(RS_IMPORT_STDIN_NAME, data, len, &jerr);
            if (doc && !is_k8s_object(rs_jsonc_root(doc)))
                return load_scenario_doc(doc, path, limits, sigs, error);
            if (!doc && data[i] == '{' && !strstr(data, "apiVersion")) {
                g_propagate_error(error, g_steal_pointer(&jerr));
                return NULL;
            }
        }
        return import_load(paths, 1, text, NULL, limits, NULL, sigs, error);
    }
    prefault_for(path, limits);
    g_autoptr(RsJsonDoc) doc = rs_jsonc_load_file(path, error);
    if (!doc)
        return NULL;
    if (is_k8s_object(rs_jsonc_root(doc)))
        return import_load(paths, 1, NULL, NULL, limits, NULL, sigs, error);
    return load_scenario_doc(doc, path, limits, sigs, error);
}

/* The SCENARIO argument as one self-contained scenario document (see import.h). */
char *
rs_input_scenario_json(const char *path, const RsLimits *limits, GError **error)
{
    char *paths[] = {(char *)path};
    g_autoptr(RsJsonDoc) doc = NULL;
    if (!rs_input_is_manifest(path)) {
        doc = rs_jsonc_load_file(path, error);
        if (!doc)
            return NULL;
    }
    if (!doc || is_k8s_object(rs_jsonc_root(doc))) {
        g_autoptr(GString) json = g_string_new(NULL);
        RsScenario *sc = import_load(paths, 1, NULL, NULL, limits, json, NULL, error);
        if (!sc)
            return NULL;
        rs_scenario_free(sc);
        return g_strdup(json->str);
    }
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    if (!graft_manifests(doc, path, warnings, error))
        return NULL;
    cJSON *root = rs_jsonc_root_mut(doc);
    if (cJSON_IsObject(root))
        cJSON_DeleteItemFromObjectCaseSensitive(root, "manifests");     /* grafted: not again */
    char *text = cJSON_Print(root);
    char *out = g_strdup(text);
    cJSON_free(text);
    return out;
}
