/* manifest.c: DIR/sweep.json, the record of what a sweep folder holds.
 *
 * {"rahtisim": VERSION, "sweep": HASH, "scenario": FILE,
 *  "params": [{"key": K, "path": P, "values": [...], "arg": "K=V1,V2"}],
 *  "seeds": N, "points": P, "runs": R, "shard": {"index": I, "count": N}}
 * "shard" is left out for a whole sweep (and for what `merge` writes), so
 * a merged folder and a single-machine sweep have the same sweep.json when
 * they were given the scenario under the same name.  --resume and `merge`
 * compare hashes: the runs of another sweep are never mixed in.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/sweep.h"

bool
rs_sweep_manifest_write(const RsSweep *sw, const char *dir, GError **error)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "rahtisim", PACKAGE_VERSION);
    cJSON_AddStringToObject(o, "sweep", sw->hash);
    cJSON_AddStringToObject(o, "scenario", sw->scenario);
    cJSON *ps = cJSON_AddArrayToObject(o, "params");
    for (unsigned k = 0; k < sw->n_params; k++) {
        const RsSweepParam *p = &sw->params[k];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "key", p->key);
        cJSON_AddStringToObject(j, "path", p->path);
        cJSON *vs = cJSON_AddArrayToObject(j, "values");
        for (unsigned i = 0; i < p->n_values; i++)
            cJSON_AddItemToArray(vs, cJSON_Duplicate(p->values[i], 1));
        cJSON_AddStringToObject(j, "arg", p->arg);
        cJSON_AddItemToArray(ps, j);
    }
    cJSON_AddNumberToObject(o, "seeds", sw->seeds);
    cJSON_AddNumberToObject(o, "points", (double)sw->points);
    cJSON_AddNumberToObject(o, "runs", (double)sw->runs);
    if (sw->shard_count > 1) {
        cJSON *s = cJSON_AddObjectToObject(o, "shard");
        cJSON_AddNumberToObject(s, "index", sw->shard_index);
        cJSON_AddNumberToObject(s, "count", sw->shard_count);
    }
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    g_autofree char *path = g_build_filename(dir, "sweep.json", NULL);
    g_autofree char *data = g_strconcat(text, "\n", NULL);
    cJSON_free(text);
    return rs_write_file_atomic(path, data, strlen(data), 0644, error);
}

/* A whole number member of `o` within [min, max]. */
static bool
get_count(const cJSON *o, const char *key, double min, double max, uint64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < min || v->valuedouble > max ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return false;
    *out = (uint64_t)v->valuedouble;
    return true;
}

bool
rs_sweep_manifest_read(const char *dir, RsSweep *sw, GError **error)
{
    memset(sw, 0, sizeof *sw);
    g_autofree char *path = g_build_filename(dir, "sweep.json", NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, NULL)) {
        g_set_error(error, RS_SWEEP_ERROR, 0, "%s: not a sweep folder (no sweep.json)", dir);
        return false;
    }
    cJSON *o = cJSON_ParseWithLength(text, len);
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(o, "sweep");
    const cJSON *scen = cJSON_GetObjectItemCaseSensitive(o, "scenario");
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(o, "params");
    const cJSON *shard = cJSON_GetObjectItemCaseSensitive(o, "shard");
    uint64_t seeds = 0, points = 0, runs = 0, si = 0, sc = 1;
    bool ok = cJSON_IsObject(o) && cJSON_IsString(hash) && strlen(hash->valuestring) == 64 &&
              cJSON_IsString(scen) && cJSON_IsArray(ps) &&
              get_count(o, "seeds", 1, UINT32_MAX, &seeds) &&
              get_count(o, "points", 1, RS_SWEEP_HARD_MAX_RUNS, &points) &&
              get_count(o, "runs", 1, RS_SWEEP_HARD_MAX_RUNS, &runs) &&
              (shard == NULL || (get_count(shard, "count", 1, UINT32_MAX, &sc) &&
                                 get_count(shard, "index", 0, (double)sc - 1, &si)));
    if (ok) {
        sw->hash = g_strdup(hash->valuestring);
        sw->scenario = g_strdup(scen->valuestring);
        sw->seeds = (unsigned)seeds;
        sw->shard_index = (unsigned)si;
        sw->shard_count = (unsigned)sc;
        sw->params = g_new0(RsSweepParam, (gsize)cJSON_GetArraySize(ps) + 1);
        const cJSON *p;
        cJSON_ArrayForEach(p, ps) {
            const cJSON *arg = cJSON_GetObjectItemCaseSensitive(p, "arg");
            char *msg = NULL;
            if (!cJSON_IsString(arg) ||
                !rs_sweep_param_parse(arg->valuestring, &sw->params[sw->n_params++], &msg)) {
                g_free(msg);
                ok = false;
                break;
            }
        }
        uint64_t grid = 1;
        for (unsigned k = 0; ok && k < sw->n_params; k++) {
            grid *= sw->params[k].n_values;
            ok = grid <= RS_SWEEP_HARD_MAX_RUNS;
        }
        ok = ok && grid == points && points * seeds == runs;
        sw->points = points;
        sw->runs = runs;
    }
    cJSON_Delete(o);
    if (!ok) {
        rs_sweep_clear(sw);
        g_set_error(error, RS_SWEEP_ERROR, 0, "%s: sweep.json is not a sweep record written by rahtisim",
                    dir);
        return false;
    }
    return true;
}
