/* grid.c: --param parsing, the grid's numbering, shards and the sweep's hash.
 *
 * The grid is the cross product of the parameters' value lists with the
 * first parameter varying slowest; every point runs with seeds 1..N, so run
 * r is point r / N with seed r % N + 1.  Shard I/N holds the points p with
 * p % N == I (all seeds of a point stay together).  The hash names the
 * sweep: shards of different sweeps are never merged.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/sweep.h"

G_DEFINE_QUARK(rs-sweep-error-quark, rs_sweep_error)

/* The scenario's top-level keys (scenario-format.md): a single-word KEY
 * that is one of them is that key; any other single word is a profile
 * field (platform.WORD). */
static const char *const top_keys[] = {"name", "description", "platform", "seed", "duration",
                                       "namespaces", "hosts", "dns", "events", "traffic", "expect"};

static bool
is_key_char(char c)
{
    return g_ascii_isalnum(c) || c == '_' || c == '-';
}

bool
rs_sweep_path_parse(const char *path, RsPathStep **steps, unsigned *n_steps, char **message)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(RsPathStep));
    const char *s = path;
    bool ok = true;
    if (*s == '\0') {
        *message = g_strdup("the path is empty");
        ok = false;
    }
    while (ok && *s != '\0') {
        RsPathStep st = {0};
        if (*s == '[') {
            const char *d = s + 1;
            uint64_t v = 0;
            while (g_ascii_isdigit(*d) && v <= 1000000000u)
                v = v * 10 + (uint64_t)(*d++ - '0');
            if (d == s + 1 || *d != ']' || v > 1000000000u) {
                *message = g_strdup_printf("`%s`: expected an index such as [0] at `%s`", path, s);
                ok = false;
                break;
            }
            st.index = (unsigned)v;
            s = d + 1;
        } else {
            if (a->len > 0) {
                if (*s != '.') {
                    *message = g_strdup_printf("`%s`: expected `.` or `[` at `%s`", path, s);
                    ok = false;
                    break;
                }
                s++;
            }
            const char *e = s;
            while (is_key_char(*e))
                e++;
            if (e == s) {
                *message = g_strdup_printf("`%s`: expected a key at `%s`", path, *s ? s : "the end");
                ok = false;
                break;
            }
            st.key = g_strndup(s, (gsize)(e - s));
            s = e;
        }
        g_array_append_val(a, st);
    /* cppcheck-suppress memleak ; `a` owns st.key from here on */
    }
    if (!ok) {
        for (unsigned i = 0; i < a->len; i++)
            g_free(g_array_index(a, RsPathStep, i).key);
        g_array_free(a, TRUE);
        return false;
    }
    *n_steps = a->len;
    *steps = (RsPathStep *)(void *)g_array_free(a, FALSE);
    return true;
}

/* Splits a value list at commas outside brackets, braces and strings. */
static GPtrArray *
split_values(const char *s)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    int depth = 0;
    bool in_str = false;
    const char *start = s;
    for (const char *c = s;; c++) {
        if (*c == '\0' || (*c == ',' && depth == 0 && !in_str)) {
            g_ptr_array_add(out, g_strstrip(g_strndup(start, (gsize)(c - start))));
            if (*c == '\0')
                break;
            start = c + 1;
            continue;
        }
        if (in_str) {
            if (*c == '\\' && c[1] != '\0')
                c++;
            else if (*c == '"')
                in_str = false;
        } else if (*c == '"') {
            in_str = true;
        } else if (*c == '[' || *c == '{') {
            depth++;
        } else if ((*c == ']' || *c == '}') && depth > 0) {
            depth--;
        }
    }
    return out;
}

bool
rs_sweep_param_parse(const char *arg, RsSweepParam *out, char **message)
{
    memset(out, 0, sizeof *out);
    out->arg = g_strdup(arg);
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        *message = g_strdup_printf("--param takes KEY=V1,V2,..., not `%s`", arg);
        return false;
    }
    out->key = g_strndup(arg, (gsize)(eq - arg));
    g_strstrip(out->key);
    bool single = out->key[0] != '\0' && strpbrk(out->key, ".[") == NULL;
    bool top = false;
    for (size_t i = 0; single && i < G_N_ELEMENTS(top_keys); i++)
        top = top || strcmp(out->key, top_keys[i]) == 0;
    out->path = single && !top ? g_strconcat("platform.", out->key, NULL) : g_strdup(out->key);
    if (strcmp(out->path, "seed") == 0) {
        *message = g_strdup("--param seed: the seeds are swept by --seeds N (seeds 1..N)");
        return false;
    }
    if (!rs_sweep_path_parse(out->path, &out->steps, &out->n_steps, message))
        return false;
    const char *list = eq + 1;
    while (g_ascii_isspace(*list))
        list++;
    if (*list == '\0') {
        *message = g_strdup_printf("--param %s: no values: the grid would be empty", out->key);
        return false;
    }
    g_autoptr(GPtrArray) items = split_values(list);
    out->values = g_new0(cJSON *, items->len);
    out->texts = g_new0(char *, items->len);
    for (unsigned i = 0; i < items->len; i++) {
        const char *t = items->pdata[i];
        if (t[0] == '\0') {
            *message = g_strdup_printf("--param %s: value %u is empty (`%s`)", out->key, i + 1, list);
            return false;
        }
        const char *end = NULL;
        cJSON *v = cJSON_ParseWithOpts(t, &end, 1);
        if (v == NULL)
            v = cJSON_CreateString(t);
        out->values[out->n_values] = v;
        out->texts[out->n_values] = cJSON_IsString(v) ? g_strdup(cJSON_GetStringValue(v))
                                                        : cJSON_PrintUnformatted(v);
        if (!cJSON_IsString(v)) {
            /* cJSON's buffer is malloc'd: keep a g_malloc'd copy. */
            char *c = out->texts[out->n_values];
            out->texts[out->n_values] = g_strdup(c);
            cJSON_free(c);
        }
        out->n_values++;
        for (unsigned j = 0; j + 1 < out->n_values; j++) {
            if (cJSON_Compare(out->values[j], v, 1)) {
                *message = g_strdup_printf("--param %s: value `%s` is given twice", out->key, t);
                return false;
            }
        }
    }
    return true;
}

void
rs_sweep_param_clear(RsSweepParam *p)
{
    for (unsigned i = 0; i < p->n_steps; i++)
        g_free(p->steps[i].key);
    g_free(p->steps);
    for (unsigned i = 0; i < p->n_values; i++) {
        cJSON_Delete(p->values[i]);
        g_free(p->texts[i]);
    }
    g_free(p->values);
    g_free(p->texts);
    g_free(p->arg);
    g_free(p->key);
    g_free(p->path);
    memset(p, 0, sizeof *p);
}

void
rs_sweep_point_indices(const RsSweep *sw, uint64_t point, unsigned *idx)
{
    for (unsigned k = sw->n_params; k-- > 0;) {
        idx[k] = (unsigned)(point % sw->params[k].n_values);
        point /= sw->params[k].n_values;
    }
}

bool
rs_sweep_in_shard(const RsSweep *sw, uint64_t run)
{
    return (run / sw->seeds) % sw->shard_count == sw->shard_index;
}

static int
digits(uint64_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

char *
rs_sweep_run_name(const RsSweep *sw, uint64_t run)
{
    return g_strdup_printf("runs/p%0*" PRIu64 "-s%0*u.json", digits(sw->points - 1), run / sw->seeds,
                           digits(sw->seeds), (unsigned)(run % sw->seeds) + 1);
}

/* Feeds a length-prefixed string into the checksum (no ambiguity between fields). */
static void
hash_str(GChecksum *c, const char *s, size_t len)
{
    char n[32];
    int k = snprintf(n, sizeof n, "%zu:", len);
    g_checksum_update(c, (const guchar *)n, k);
    g_checksum_update(c, (const guchar *)s, (gssize)len);
}

bool
rs_sweep_finish(RsSweep *sw, const char *scenario_text, size_t len, const RsLimits *limits,
                GError **error)
{
    uint64_t points = 1;
    for (unsigned k = 0; k < sw->n_params; k++) {
        if (sw->params[k].n_values == 0) {
            g_set_error(error, RS_SWEEP_ERROR, 0, "--param %s: no values: the grid is empty",
                        sw->params[k].key);
            return false;
        }
        if (points > RS_SWEEP_HARD_MAX_RUNS / sw->params[k].n_values) {
            points = UINT64_MAX;
            break;
        }
        points *= sw->params[k].n_values;
    }
    if (sw->seeds == 0) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "--seeds 0: the grid is empty");
        return false;
    }
    if (points == UINT64_MAX || points > RS_SWEEP_HARD_MAX_RUNS / sw->seeds) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "the grid has more than %u runs: split it into "
                    "several sweeps", RS_SWEEP_HARD_MAX_RUNS);
        return false;
    }
    sw->points = points;
    sw->runs = points * sw->seeds;

    GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
    hash_str(c, "rahtisim-sweep-1", 16);
    hash_str(c, PACKAGE_VERSION, strlen(PACKAGE_VERSION));
    hash_str(c, scenario_text, len);
    for (unsigned k = 0; k < sw->n_params; k++) {
        const RsSweepParam *p = &sw->params[k];
        hash_str(c, p->key, strlen(p->key));
        hash_str(c, p->path, strlen(p->path));
        for (unsigned i = 0; i < p->n_values; i++) {
            char *v = cJSON_PrintUnformatted(p->values[i]);
            hash_str(c, v, strlen(v));
            cJSON_free(v);
        }
    }
    char tail[128];
    int n = snprintf(tail, sizeof tail, "seeds %u objects %u events %u duration %" PRId64, sw->seeds,
                     limits->max_objects, limits->max_events, (int64_t)limits->max_duration);
    hash_str(c, tail, (size_t)n);
    g_free(sw->hash);
    sw->hash = g_strdup(g_checksum_get_string(c));
    g_checksum_free(c);
    return true;
}

void
rs_sweep_clear(RsSweep *sw)
{
    for (unsigned k = 0; k < sw->n_params; k++)
        rs_sweep_param_clear(&sw->params[k]);
    g_free(sw->params);
    g_free(sw->scenario);
    g_free(sw->hash);
    memset(sw, 0, sizeof *sw);
}
