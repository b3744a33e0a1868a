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
 * object gets that object's schema.  Values get the schema the loader's
 * typed readers report as they check them (the same callback with no key
 * table, loader-read.c ld_note*): JSON types, integer ranges, the enum words
 * of ld_enum's tables and the outcome words, the patterns of durations
 * ("1m20s", "250ms" or a number of seconds) and rates ("100/s") made from
 * units.c's unit tables, IPv4 addresses and CIDRs (R1).  A value the samples
 * never pass through a typed reader stays open ({}); references, URLs and
 * label syntax are still the loader's to check.  Objects (or values) at one
 * path with different tables (the kinds of expectation or event) get the
 * union: their keys, or anyOf their value schemas.
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

/* What the samples taught: objects and values by generalised path. */
typedef struct {
    GHashTable *objs;           /* path -> Obj* (owned) */
    GHashTable *values;         /* path -> GPtrArray of schema texts (owned, unique) */
} Learnt;

/* Records one object's key table (or, keys NULL, one value's schema text
 * `what`) under its generalised path. */
static void
on_keys(void *data, const char *path, const char *const *keys, const char *what)
{
    Learnt *l = data;
    GHashTable *objs = l->objs;
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
    if (keys == NULL) {
        GPtrArray *v = g_hash_table_lookup(l->values, g->str);
        if (v == NULL) {
            v = g_ptr_array_new_with_free_func(g_free);
            g_hash_table_insert(l->values, g_strdup(g->str), v);
        }
        bool seen = false;
        for (unsigned i = 0; i < v->len && !seen; i++)
            seen = strcmp(v->pdata[i], what) == 0;
        if (!seen)
            g_ptr_array_add(v, g_strdup(what));
        g_string_free(g, TRUE);
        return;
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

static cJSON *schema_of(const Learnt *l, const char *path);

/* Orders key names. */
static gint
cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* `base` (an object or array schema, or NULL) or any of the value schemas
 * recorded at `path`: one schema, or {"anyOf": [...]} (sorted: R37). */
static cJSON *
with_values(const Learnt *l, const char *path, cJSON *base)
{
    GPtrArray *v = g_hash_table_lookup(l->values, path);
    if (v == NULL || v->len == 0)
        return base != NULL ? base : cJSON_CreateObject();      /* open: the loader checks it */
    g_ptr_array_sort(v, cmp_str);
    if (base == NULL && v->len == 1)
        return cJSON_Parse(v->pdata[0]);
    cJSON *any = cJSON_CreateObject();
    cJSON *alts = cJSON_AddArrayToObject(any, "anyOf");
    if (base != NULL)
        cJSON_AddItemToArray(alts, base);
    for (unsigned i = 0; i < v->len; i++)
        cJSON_AddItemToArray(alts, cJSON_Parse(v->pdata[i]));
    return any;
}

/* The schema of the value at `path` (an object, an array of them, a typed
 * value, or open). */
static cJSON *
value_schema(const Learnt *l, const char *path)
{
    GHashTable *objs = l->objs;
    if (g_hash_table_contains(objs, path) && g_hash_table_contains(l->values, path))
        return with_values(l, path, schema_of(l, path));   /* an object or a scalar form */
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
        cJSON_AddItemToArray(alts, schema_of(l, path));
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
    g_hash_table_iter_init(&it, l->values);
    while (!array && g_hash_table_iter_next(&it, &k, NULL))
        array = g_str_has_prefix(k, items);
    if (!array)
        return with_values(l, path, NULL);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "type", "array");
    cJSON_AddItemToObject(a, "items", value_schema(l, items));
    return with_values(l, path, a);
}

/* The schema of the object recorded at `path`. */
static cJSON *
schema_of(const Learnt *l, const char *path)
{
    Obj *o = g_hash_table_lookup(l->objs, path);
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
        cJSON_AddItemToObject(props, key, value_schema(l, child));
    }
    cJSON_AddBoolToObject(s, "additionalProperties", false);
    return s;
}

/* The schema; see scenario.h. */
char *
rs_scenario_schema(const char *const *samples, const size_t *lens, unsigned n, GError **error)
{
    g_autoptr(GHashTable) objs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, obj_free);
    g_autoptr(GHashTable) values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify)g_ptr_array_unref);
    Learnt l = {objs, values};
    for (unsigned i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("<schema sample %u>", i + 1);
        RsScenario *sc = rs_scenario_load_data_keys(name, samples[i], lens[i], on_keys, &l, error);
        if (sc == NULL)
            return NULL;
        rs_scenario_free(sc);
    }
    if (!g_hash_table_contains(objs, "")) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the samples record no top-level object");
        return NULL;
    }
    cJSON *root = schema_of(&l, "");
    cJSON_AddStringToObject(root, "$schema", "https://json-schema.org/draft/2020-12/schema");
    cJSON_AddStringToObject(root, "title", "rahtisim scenario (generated by `rahtisim schema` from the loader's key tables)");
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char *out = g_strconcat(text, "\n", NULL);
    cJSON_free(text);
    return out;
}
