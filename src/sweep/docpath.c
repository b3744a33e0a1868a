/* docpath.c: setting a --param value at its JSON path in the scenario document.
 *
 * The sweep changes the document, not the loaded scenario: each run's
 * scenario is the document with the point's values, loaded and validated by
 * the same loader as `run` (so a value of the wrong type, or an unknown key
 * with its "did you mean", is reported exactly as in a scenario file).
 * What the loader cannot see is checked here: an index past the end of a
 * list, a step through a value that is not an object or a list.
 * `platform` may be a profile name: a path into it turns it into
 * {"profile": NAME} (scenario-format.md: the platform object takes any field
 * of the profile table).
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "rahtisim/sweep.h"

static const char *
type_word(const cJSON *v)
{
    if (cJSON_IsObject(v))
        return "an object";
    if (cJSON_IsArray(v))
        return "a list";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    return "null";
}

/* The path up to (not including) step `n`, as written. */
static void
prefix(GString *s, const RsSweepParam *p, unsigned n)
{
    g_string_truncate(s, 0);
    for (unsigned i = 0; i < n; i++) {
        if (p->steps[i].key != NULL)
            g_string_append_printf(s, "%s%s", i ? "." : "", p->steps[i].key);
        else
            g_string_append_printf(s, "[%u]", p->steps[i].index);
    }
}

/* The platform profile name at the top, which a path into it turns into an object. */
static bool
is_platform_name(const cJSON *node, const RsSweepParam *p, unsigned i)
{
    return i == 1 && cJSON_IsString(node) && p->steps[0].key != NULL && strcmp(p->steps[0].key, "platform") == 0;
}

bool
rs_sweep_path_check(const cJSON *root, const RsSweepParam *p, const cJSON **deepest, char **message)
{
    const cJSON *node = root;
    g_autoptr(GString) where = g_string_new(NULL);
    *deepest = root;
    for (unsigned i = 0; i < p->n_steps; i++) {
        const RsPathStep *st = &p->steps[i];
        prefix(where, p, i);
        if (node == NULL) {
            /* the key before does not exist: it will be created as an object */
            if (st->key == NULL) {
                *message = g_strdup_printf("`%s` is not in the scenario, so it has no [%u]",
                                           where->str, st->index);
                return false;
            }
            continue;
        }
        if (st->key != NULL) {
            if (is_platform_name(node, p, i))
                node = NULL;    /* {"profile": NAME} gets the key */
            else if (!cJSON_IsObject(node)) {
                *message = g_strdup_printf("`%s` is %s, not an object: it has no key `%s`",
                                           i ? where->str : "the scenario", type_word(node), st->key);
                return false;
            } else
                node = cJSON_GetObjectItemCaseSensitive(node, st->key);
        } else {
            if (!cJSON_IsArray(node)) {
                *message = g_strdup_printf("`%s` is %s, not a list: it has no [%u]", where->str,
                                           type_word(node), st->index);
                return false;
            }
            int n = cJSON_GetArraySize(node);
            if ((int)st->index >= n) {
                if (n == 0)
                    *message = g_strdup_printf("`%s` is an empty list: [%u] is out of range",
                                               where->str, st->index);
                else
                    *message = g_strdup_printf("`%s` has %d entr%s: [%u] is out of range (0 to %d)",
                                               where->str, n, n == 1 ? "y" : "ies", st->index, n - 1);
                return false;
            }
            node = cJSON_GetArrayItem(node, (int)st->index);
        }
        if (node != NULL)
            *deepest = node;
    }
    return true;
}

void
rs_sweep_path_set(cJSON *root, const RsSweepParam *p, const cJSON *value)
{
    cJSON *node = root;
    for (unsigned i = 0; i < p->n_steps; i++) {
        const RsPathStep *st = &p->steps[i];
        bool last = i + 1 == p->n_steps;
        if (st->key == NULL) {
            if (last)
                cJSON_ReplaceItemInArray(node, (int)st->index, cJSON_Duplicate(value, 1));
            else
                node = cJSON_GetArrayItem(node, (int)st->index);
            continue;
        }
        if (last) {
            if (cJSON_GetObjectItemCaseSensitive(node, st->key) != NULL)
                cJSON_ReplaceItemInObjectCaseSensitive(node, st->key, cJSON_Duplicate(value, 1));
            else
                cJSON_AddItemToObject(node, st->key, cJSON_Duplicate(value, 1));
            return;
        }
        cJSON *next = cJSON_GetObjectItemCaseSensitive(node, st->key);
        if (next != NULL && i == 0 && cJSON_IsString(next) && strcmp(st->key, "platform") == 0) {
            cJSON *obj = cJSON_CreateObject();
            cJSON_AddStringToObject(obj, "profile", cJSON_GetStringValue(next));
            cJSON_ReplaceItemInObjectCaseSensitive(node, st->key, obj);
            next = obj;
        } else if (next == NULL) {
            next = cJSON_AddObjectToObject(node, st->key);
        }
        node = next;
    }
}
