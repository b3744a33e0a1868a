/* loader-lifecycle.c: a workload's lifecycle keys (a rollout's `set`, which
 * also takes the pod fields, is in loader-objects.c).
 *
 *   "readiness": {"period": "5s", "failure_threshold": 3, "success_threshold": 1,
 *                 "initial_delay": "0s"}                                    R52
 *   "liveness":  {same keys; success_threshold must be 1 (as in Kubernetes)} R53
 *   "strategy":  {"type": "rolling" | "recreate", "max_surge": "25%" | N,
 *                 "max_unavailable": "25%" | N, "min_ready": "0s"}          R54
 *   "pre_stop": "5s" (or "sleep 5s"), "termination_grace": "30s"            R55
 *
 * Each key maps 1:1 to the Kubernetes field it mirrors (periodSeconds,
 * failureThreshold, successThreshold, initialDelaySeconds, maxSurge,
 * maxUnavailable, minReadySeconds, lifecycle.preStop, terminationGracePeriodSeconds)
 * and is refused where Kubernetes' validation refuses it: a period of 0,
 * thresholds below 1, a liveness success_threshold other than 1, percentages
 * above 100 %, max_surge and max_unavailable both 0, surge or unavailable
 * with `recreate`.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "scenario/loader-internal.h"

/* The defaults of the lifecycle fields (R52-R55). */
void
ld_lifecycle_defaults(RsWorkloadSpec *w)
{
    RsProbeSpec p = {.set = false, .period = 10 * RS_SEC, .failure_threshold = 3,
                     .success_threshold = 1, .initial_delay = 0};
    w->readiness = w->liveness = p;
    w->strategy.type = RS_STRATEGY_ROLLING;
    w->strategy.max_surge = (RsIntOrPct){25, true};
    w->strategy.max_unavailable = (RsIntOrPct){25, true};
    w->strategy.min_ready = 0;
    w->pre_stop = 0;
    w->termination_grace = 30 * RS_SEC;
}

/* A probe object (R52, R53). */
static bool
probe(Ld *ld, const cJSON *obj, const char *path, const char *key, bool liveness, RsProbeSpec *p)
{
    static const char *const keys[] = {"period", "failure_threshold", "success_threshold",
                                       "initial_delay", NULL};
    const cJSON *v = ld_get(obj, key);
    if (!v)
        return true;
    const char *kp = ld_path(ld, path, key);
    if (!ld_object(ld, v, kp, keys, liveness ? "a liveness probe" : "a readiness probe"))
        return false;
    p->set = true;
    if (!ld_duration(ld, v, kp, "period", false, &p->period) ||
        !ld_duration(ld, v, kp, "initial_delay", false, &p->initial_delay))
        return false;
    if (p->period == 0) {
        const char *pp = ld_path(ld, kp, "period");
        return ld_fail(ld, ld_get(v, "period"), false, pp,
                       "a probe period must be longer than 0s (Kubernetes: periodSeconds >= 1)");
    }
    long long f = p->failure_threshold, s = p->success_threshold;
    if (!ld_int(ld, v, kp, "failure_threshold", false, 1, 1000000, &f, NULL) ||
        !ld_int(ld, v, kp, "success_threshold", false, 1, 1000000, &s, NULL))
        return false;
    if (liveness && s != 1) {
        const char *sp = ld_path(ld, kp, "success_threshold");
        return ld_fail(ld, ld_get(v, "success_threshold"), false, sp,
                       "a liveness probe's success_threshold must be 1 (as in Kubernetes, R53)");
    }
    p->failure_threshold = (unsigned)f;
    p->success_threshold = (unsigned)s;
    return true;
}

/* max_surge / max_unavailable: a number of pods or "N%" with N 0-100 (R54). */
static bool
int_or_pct(Ld *ld, const cJSON *obj, const char *path, const char *key, RsIntOrPct *out)
{
    const cJSON *v = ld_get(obj, key);
    if (!v)
        return true;
    const char *kp = ld_path(ld, path, key);
    if (cJSON_IsNumber(v)) {
        long long n;
        if (!ld_v_int(ld, v, kp, 0, 1000000, key, &n))
            return false;
        *out = (RsIntOrPct){(unsigned)n, false};
        return true;
    }
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, kp, "expected a number of pods or a percentage like \"25%%\", found %s",
                       ld_type_word(v));
    const char *s = v->valuestring;
    size_t n = strlen(s);
    bool digits = n >= 2 && n <= 8 && s[n - 1] == '%';
    for (size_t i = 0; digits && i + 1 < n; i++)
        digits = g_ascii_isdigit(s[i]);
    if (!digits)
        return ld_fail(ld, v, false, kp, "expected a number of pods or a percentage like \"25%%\", found \"%s\"", s);
    long pct = strtol(s, NULL, 10);
    if (pct > 100)
        return ld_fail(ld, v, false, kp, "%s is a percentage of the replicas: at most 100%% (found %s, R54)",
                       key, s);
    *out = (RsIntOrPct){(unsigned)pct, true};
    return true;
}

/* The strategy object (R54). */
static bool
strategy(Ld *ld, const cJSON *obj, const char *path, RsStrategySpec *st)
{
    static const char *const keys[] = {"type", "max_surge", "max_unavailable", "min_ready", NULL};
    static const char *const types[] = {"rolling", "recreate", NULL};
    const cJSON *v = ld_get(obj, "strategy");
    if (!v)
        return true;
    const char *sp = ld_path(ld, path, "strategy");
    if (!ld_object(ld, v, sp, keys, "a strategy"))
        return false;
    int t = (int)st->type;
    if (!ld_enum(ld, v, sp, "type", types, &t))
        return false;
    st->type = (RsStrategyType)t;
    if (st->type == RS_STRATEGY_RECREATE) {
        const char *k = ld_get(v, "max_surge") ? "max_surge" : ld_get(v, "max_unavailable") ? "max_unavailable" : NULL;
        if (k != NULL) {
            const char *kp = ld_path(ld, sp, k);
            return ld_fail(ld, ld_get(v, k), true, kp,
                           "`%s` belongs to the rolling strategy; recreate stops every old pod first (R54)", k);
        }
    }
    if (!int_or_pct(ld, v, sp, "max_surge", &st->max_surge) ||
        !int_or_pct(ld, v, sp, "max_unavailable", &st->max_unavailable) ||
        !ld_duration(ld, v, sp, "min_ready", false, &st->min_ready))
        return false;
    if (st->type == RS_STRATEGY_ROLLING && st->max_surge.value == 0 && st->max_unavailable.value == 0) {
        const cJSON *at = ld_get(v, "max_unavailable") ? ld_get(v, "max_unavailable") : ld_get(v, "max_surge");
        const char *kp = ld_path(ld, sp, ld_get(v, "max_unavailable") ? "max_unavailable" : "max_surge");
        return ld_fail(ld, at, false, kp, "max_surge and max_unavailable cannot both be 0: the rollout could "
                       "never replace a pod (R54)");
    }
    return true;
}

/* pre_stop: a duration ("5s") or the hook as written in manifests ("sleep 5s") (R55). */
static bool
pre_stop(Ld *ld, const cJSON *obj, const char *path, rs_time_t *out)
{
    const cJSON *v = ld_get(obj, "pre_stop");
    if (!v)
        return true;
    const char *kp = ld_path(ld, path, "pre_stop");
    if (cJSON_IsString(v) && g_str_has_prefix(v->valuestring, "sleep ")) {
        const char *d = v->valuestring + 6;
        if (!rs_parse_duration(d, out))
            return ld_fail(ld, v, false, kp, "expected \"sleep DURATION\" (like \"sleep 5s\"), found \"%s\"",
                           v->valuestring);
        return true;
    }
    return ld_v_duration(ld, v, kp, out);
}

/* The lifecycle keys of a deployment or a bare pod (R52-R55). */
bool
ld_lifecycle(Ld *ld, const cJSON *v, const char *path, bool bare, RsWorkloadSpec *w)
{
    if (bare && ld_get(v, "strategy")) {
        const char *sp = ld_path(ld, path, "strategy");
        return ld_fail(ld, ld_get(v, "strategy"), true, sp,
                       "a bare pod has no strategy: only a deployment rolls out (R54)");
    }
    return probe(ld, v, path, "readiness", false, &w->readiness) &&
           probe(ld, v, path, "liveness", true, &w->liveness) &&
           strategy(ld, v, path, &w->strategy) && pre_stop(ld, v, path, &w->pre_stop) &&
           ld_duration(ld, v, path, "termination_grace", false, &w->termination_grace);
}
