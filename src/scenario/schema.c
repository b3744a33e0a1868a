/* schema.c: `rahtisim schema`: a JSON Schema of the scenario format.
 *
 * The schema is not written by hand: the loader is run on sample documents
 * that use every key (tests/good/full.json and every lesson, embedded at
 * build time) and reports, for every object it checks, the key
 * table it checks it against (rs_scenario_load_data_keys, the same tables
 * that make "unknown key ... did you mean" errors).  Each path is
 * generalised (array indices dropped) and turned into nested schemas:
 * objects with their allowed keys as properties and additionalProperties
 * false, arrays with items.  A key whose value the loader checks as an
 * object gets that object's schema; other values are left open ({}), since
 * the loader's value rules (units, addresses, references) are richer than
 * JSON Schema types.  Objects at one path with different tables (the kinds
 * of expectation or event) get the union of their keys.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "rahtisim/scenario.h"

/* The schema node of one generalised path. */
typedef struct {
    GHashTable *keys;           /* key -> "" (a set of allowed keys, owned) */
    char *what;
} Obj;

/* Records one object's key table under its generalised path. */
static void
on_keys(void *data, const char *path, const char *const *keys, const char *what)
{
    GHashTable *objs = data;
    GString *g = g_string_new(NULL);
    for (const char *p = path ? path : ""; *p != '\0'; p++) {
        if (*p == '[') {        /* drop the index: "a[3]" -> "a[]" */
            g_string_append(g, "[]");
            while (*p != '\0' && *p != ']')
                p++;
            if (*p == '\0')
                break;
            continue;
        }
        g_string_append_c(g, *p);
    }
    Obj *o = g_hash_table_lookup(objs, g->str);
    if (o == NULL) {
        o = g_new0(Obj, 1);
        o->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        o->what = g_strdup(what);
        g_hash_table_insert(objs, g_strdup(g->str), o);
    }
    for (unsigned i = 0; keys[i] != NULL; i++)
        g_hash_table_add(o->keys, g_strdup(keys[i]));
    g_string_free(g, TRUE);
}

static void
obj_free(gpointer p)
{
    Obj *o = p;
    g_hash_table_destroy(o->keys);
    g_free(o->what);
    g_free(o);
}

static cJSON *schema_of(GHashTable *objs, const char *path);

/* The schema of the value at `path` (an object, an array of them, or open). */
static cJSON *
value_schema(GHashTable *objs, const char *path)
{
    if (g_hash_table_contains(objs, path)) {
        /* An object the loader checks; where the format also allows a
         * scalar or a list there (ports: 8080 or {"port": 8080, ...}), the
         * loader decides: only objects are constrained. */
        cJSON *any = cJSON_CreateObject();
        cJSON *alts = cJSON_AddArrayToObject(any, "anyOf");
        cJSON *other = cJSON_CreateObject();
        cJSON *types = cJSON_AddArrayToObject(other, "type");
        static const char *const t[] = {"string", "number", "boolean", "null", "array"};
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
            cJSON_AddItemToArray(types, cJSON_CreateString(t[i]));
        cJSON_AddItemToArray(alts, schema_of(objs, path));
        cJSON_AddItemToArray(alts, other);
        return any;
    }
    g_autofree char *items = g_strconcat(path, "[]", NULL);
    /* arrays of arrays too ("between": [..]): follow the [] while recorded */
    bool array = false;
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, objs);
    while (!array && g_hash_table_iter_next(&it, &k, NULL))
        array = g_str_has_prefix(k, items);
    if (!array)
        return cJSON_CreateObject();            /* open: the loader checks its value */
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "type", "array");
    cJSON_AddItemToObject(a, "items", value_schema(objs, items));
    return a;
}

/* Orders key names. */
static gint
cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The schema of the object recorded at `path`. */
static cJSON *
schema_of(GHashTable *objs, const char *path)
{
    Obj *o = g_hash_table_lookup(objs, path);
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "type", "object");
    if (o->what != NULL)
        cJSON_AddStringToObject(s, "description", o->what);
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, o->keys);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(names, k);
    g_ptr_array_sort(names, cmp_str);           /* deterministic output (R37) */
    for (unsigned i = 0; i < names->len; i++) {
        const char *key = names->pdata[i];
        g_autofree char *child = path[0] ? g_strconcat(path, ".", key, NULL) : g_strdup(key);
        cJSON_AddItemToObject(props, key, value_schema(objs, child));
    }
    cJSON_AddBoolToObject(s, "additionalProperties", false);
    return s;
}

/* The schema; see scenario.h. */
char *
rs_scenario_schema(const char *const *samples, const size_t *lens, unsigned n, GError **error)
{
    g_autoptr(GHashTable) objs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, obj_free);
    for (unsigned i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("<schema sample %u>", i + 1);
        RsScenario *sc = rs_scenario_load_data_keys(name, samples[i], lens[i], on_keys, objs, error);
        if (sc == NULL)
            return NULL;
        rs_scenario_free(sc);
    }
    if (!g_hash_table_contains(objs, "")) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the samples record no top-level object");
        return NULL;
    }
    cJSON *root = schema_of(objs, "");
    cJSON_AddStringToObject(root, "$schema", "https://json-schema.org/draft/2020-12/schema");
    cJSON_AddStringToObject(root, "title", "rahtisim scenario (generated by `rahtisim schema` from the loader's key tables)");
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char *out = g_strconcat(text, "\n", NULL);
    cJSON_free(text);
    return out;
}
