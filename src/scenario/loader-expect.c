/* loader-expect.c: `traffic` (request sources) and `expect` (the checks).
 *
 * Traffic: a name (unique), `from` (pod, deployment or host), `to` (a URL,
 * url.c), a rate > 0, arrivals, start < stop, clients >= 1.
 * Expectations come in four kinds, told apart by their key: `to` (a probe:
 * one request), `resolve` (a DNS lookup, R17/R18), `state` (a pod's state,
 * R4-R8) and `traffic` (statistics of a traffic source: share of outcomes,
 * spread over a deployment's pods, latency percentiles).  Outcome words are
 * the fixed vocabulary of outcome.h.  Names are checked in pass 2.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "rahtisim/util.h"
#include "scenario/loader-internal.h"

/* `from`: "ns/name" (pod or deployment) or a host name; resolved in pass 2. */
static bool
from(Ld *ld, const cJSON *obj, const char *path, RsFrom *f)
{
    const cJSON *v = ld_get(obj, "from");
    if (!v)
        return ld_fail(ld, obj, false, path,
                       "missing required key `from` (a pod or deployment `NAMESPACE/NAME`, or a host)");
    const char *fp = ld_path(ld, path, "from");
    if (!cJSON_IsString(v) || !*v->valuestring)
        return ld_fail(ld, v, false, fp, "expected a pod or deployment `NAMESPACE/NAME` or a host name, found %s",
                       ld_type_word(v));
    if (strchr(v->valuestring, '/')) {
        if (!ld_split_ref(ld, v, fp, v->valuestring, &f->ns, NULL, &f->name))
            return false;
    } else {
        f->kind = RS_FROM_HOST;
        f->name = g_strdup(v->valuestring);
    }
    ld_defer(ld, LD_REF_FROM, v, fp, f->ns, f->name, "`from`");
    ld_defer_last(ld)->from_out = f;
    return true;
}

/* `to`: a URL; an @ns/pod target must name a declared pod. */
static bool
to(Ld *ld, const cJSON *obj, const char *path, RsUrl *u)
{
    const cJSON *v = ld_get(obj, "to");
    if (!v)
        return ld_fail(ld, obj, false, path, "missing required key `to` (a URL like http://NAME/)");
    const char *tp = ld_path(ld, path, "to");
    if (!ld_v_url(ld, v, tp, u))
        return false;
    if (u->pod_ref) {
        g_auto(GStrv) parts = g_strsplit(u->pod_ref, "/", 2);
        ld_defer(ld, LD_REF_POD, v, tp, parts[0], parts[1], "the URL's pod");
    }
    return true;
}

/* One traffic source. */
static bool
traffic(Ld *ld, const cJSON *v, const char *path, RsTrafficSpec *t)
{
    static const char *const keys[] = {"name", "from", "to", "rate", "arrivals", "start", "stop",
                                       "clients", NULL};
    static const char *const arr[] = {"poisson", "constant", NULL};
    if (!ld_object(ld, v, path, keys, "a traffic source"))
        return false;
    ld_pos(ld, v, path, &t->pos);
    t->stop = RS_TIME_NEVER;
    t->clients = 1;
    if (!ld_plain_name(ld, v, path, "traffic", &t->name))
        return false;
    RsTrafficSpec *old = g_hash_table_lookup(ld->traffic, t->name);
    if (old) {
        const char *np = ld_path(ld, path, "name");
        return ld_fail(ld, ld_get(v, "name"), false, np, "duplicate traffic name `%s` (first at line %d, column %d)",
                       t->name, old->pos.line, old->pos.col);
    }
    g_hash_table_insert(ld->traffic, t->name, t);
    if (!from(ld, v, path, &t->from) || !to(ld, v, path, &t->to))
        return false;
    const cJSON *r = ld_get(v, "rate");
    if (!r)
        return ld_fail(ld, v, false, path, "missing required key `rate` (like \"100/s\")");
    const char *rp = ld_path(ld, path, "rate");
    ld_note_pattern(ld, rp, rs_rate_pattern(), 0, true);       /* "100/s", or a number per second */
    if (cJSON_IsNumber(r)) {
        t->rate = r->valuedouble;
    } else if (cJSON_IsString(r)) {
        if (r->valuestring[0] == '-')
            return ld_fail(ld, r, false, rp, "rate `%s` is negative", r->valuestring);
        const char *rs = r->valuestring;
        size_t nd = strspn(rs, "0123456789.");
        if (nd > 0 && !rs[nd] && g_ascii_isdigit(rs[0]) && g_ascii_isdigit(rs[nd - 1]))
            return ld_fail(ld, r, false, rp, "rate `%s` has no unit: write \"%s/s\" (or \"%s/m\", "
                           "\"%s/h\"), or the number %s per second", rs, rs, rs, rs, rs);
        if (!rs_parse_rate(rs, &t->rate))
            return ld_fail(ld, r, false, rp, "invalid rate `%s` (expected \"100/s\", \"6000/m\", \"10/h\" "
                           "or a number per second)", r->valuestring);
    } else {
        return ld_fail(ld, r, false, rp, "expected a rate like \"100/s\" or a number per second, found %s",
                       ld_type_word(r));
    }
    if (!isfinite(t->rate) || t->rate <= 0)
        return ld_fail(ld, r, false, rp, "the rate must be positive and finite");
    int a = RS_ARRIVALS_POISSON;
    if (!ld_enum(ld, v, path, "arrivals", arr, &a))
        return false;
    t->arrivals = (RsArrivals)a;
    if (!ld_duration(ld, v, path, "start", false, &t->start) ||
        !ld_duration(ld, v, path, "stop", false, &t->stop))
        return false;
    if (ld_get(v, "stop") && t->stop <= t->start) {
        const char *sp = ld_path(ld, path, "stop");
        return ld_fail(ld, ld_get(v, "stop"), false, sp, "`stop` must be after `start`");
    }
    static const char *const times[] = {"start", "stop"};
    for (int k = 0; k < 2; k++) {
        rs_time_t at = k ? t->stop : t->start;
        g_autofree char *what = g_strdup_printf("`%s`", times[k]);
        const char *tp = ld_path(ld, path, times[k]);
        if (ld_get(v, times[k]) && !ld_within_duration(ld, ld_get(v, times[k]), tp, what, at))
            return false;
        if (at != RS_TIME_NEVER && at > ld->lim.max_duration) {
            char b[32];
            const char *kp = ld_path(ld, path, times[k]);
            return ld_fail_limit(ld, ld_get(v, times[k]), kp, "traffic time is beyond the duration "
                                 "limit (%s); raise it with --max-duration",
                                 rs_duration_format(ld->lim.max_duration, b));
        }
    }
    long long cl = 1;
    if (!ld_int(ld, v, path, "clients", false, 1, 1000000, &cl, NULL))
        return false;
    t->clients = (unsigned)cl;
    return true;
}

/* Formats a count for messages: digits up to 10^15, then %.3g. */
static char *
count_word(double n)
{
    return n < 1e15 ? g_strdup_printf("%.0f", n) : g_strdup_printf("%.3g", n);
}

/* The traffic's volume against --max-events, which bounds ENGINE events
 * (rs_engine_set_limit at run time): a request costs about
 * RS_EVENTS_PER_REQUEST engine events, each scenario event and expectation
 * one more.  A source that would take the run past the limit (rate x its
 * window; the window ends at the duration, or at the latest time the
 * scenario names) is refused now rather than after a long run; the
 * run-time guard still bounds what this estimate misses. */
bool
ld_traffic_volume(Ld *ld, const cJSON *root)
{
    const RsScenario *sc = ld->sc;
    rs_time_t end = sc->duration;
    if (end == RS_TIME_NEVER) {
        end = 0;
        for (unsigned i = 0; i < sc->n_events; i++)
            end = MAX(end, sc->events[i].at);
        for (unsigned i = 0; i < sc->n_expect; i++)
            if (sc->expect[i].at != RS_TIME_NEVER)  /* traffic checks have no time */
                end = MAX(end, sc->expect[i].at);
        for (unsigned i = 0; i < sc->n_traffic; i++)
            end = MAX(end, sc->traffic[i].stop != RS_TIME_NEVER ? sc->traffic[i].stop
                                                                 : sc->traffic[i].start);
    }
    double events = (double)ld->n_timed, requests = 0;
    const cJSON *tn = sc->n_traffic ? ld_get(root, "traffic")->child : NULL;
    for (unsigned i = 0; i < sc->n_traffic; i++, tn = tn->next) {
        const RsTrafficSpec *t = &sc->traffic[i];
        rs_time_t stop = MIN(t->stop, end);
        double n = stop > t->start ? t->rate * ((double)(stop - t->start) / (double)RS_SEC) : 0;
        requests += n;
        events += n * RS_EVENTS_PER_REQUEST;
        if (events > (double)ld->lim.max_events) {
            const char *p = ld_path_index(ld, "traffic", (int)i);
            const char *rp = ld_path(ld, p, "rate");
            g_autofree char *nr = count_word(requests), *ne = count_word(events);
            return ld_fail_limit(ld, ld_get(tn, "rate"), rp,
                                 "traffic `%s`%s would send about %s requests \xe2\x89\x88 %s engine events "
                                 "(%u per request, with the scenario's events), more than "
                                 "--max-events (%u) allows; raise it with --max-events",
                                 t->name, i > 0 ? " with the sources before it" : "", nr, ne,
                                 RS_EVENTS_PER_REQUEST, ld->lim.max_events);
        }
    }
    return true;
}

/* The memory the scenario needs at least, against --max-memory: every
 * object (pods, services, routes, hosts, namespaces, expectations, traffic
 * sources, policies) costs RS_MEM_PER_OBJECT or more, a traffic source's
 * statistics RS_MEM_PER_SOURCE more.  These are lower bounds, so a refusal
 * here is certain; what only the run shows (requests piling up in queues)
 * is caught by the run-time check (rs_engine_set_memory_limit). */
bool
ld_memory_estimate(Ld *ld, const cJSON *root)
{
    uint64_t max = ld->lim.max_memory;
    if (max == 0)
        return true;
    uint64_t need = (uint64_t)ld->n_objects * RS_MEM_PER_OBJECT +
                    (uint64_t)ld->sc->n_traffic * RS_MEM_PER_SOURCE;
    if (need <= max)
        return true;
    char b1[32], b2[32];
    return ld_fail_limit(ld, root, "", "the scenario needs at least %s of memory (%u objects, %u "
                         "traffic sources), more than --max-memory %s allows; raise it with "
                         "--max-memory", rs_bytes_format(need, b1), ld->n_objects, ld->sc->n_traffic,
                         rs_bytes_format(max, b2));
}

/* The `traffic` array. */
bool
ld_traffic(Ld *ld, const cJSON *root)
{
    const cJSON *arr;
    if (!ld_array(ld, root, "", "traffic", &arr))
        return false;
    if (!arr)
        return true;
    RsScenario *sc = ld->sc;
    sc->n_traffic = (unsigned)cJSON_GetArraySize(arr);
    sc->traffic = g_new0(RsTrafficSpec, sc->n_traffic ? sc->n_traffic : 1);
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        const char *p = ld_path_index(ld, "traffic", i);
        if (!ld_count_object(ld, c, p, 1))
            return false;
        if (!traffic(ld, c, p, &sc->traffic[i]) && !ld_go_on(ld))
            return false;
        i++;
    }
    return true;
}

/* A {min, max} object of durations (probe latency). */
static bool
latency_range(Ld *ld, const cJSON *obj, const char *path, RsExpectSpec *e)
{
    static const char *const keys[] = {"min", "max", NULL};
    const cJSON *v = ld_get(obj, "latency");
    if (!v)
        return true;
    const char *lp = ld_path(ld, path, "latency");
    if (!ld_object(ld, v, lp, keys, "a latency range {\"min\": ..., \"max\": ...}"))
        return false;
    e->has_latency_min = ld_get(v, "min") != NULL;
    e->has_latency_max = ld_get(v, "max") != NULL;
    if (!ld_duration(ld, v, lp, "min", false, &e->latency_min) ||
        !ld_duration(ld, v, lp, "max", false, &e->latency_max))
        return false;
    if (e->has_latency_min && e->has_latency_max && e->latency_min > e->latency_max)
        return ld_fail(ld, v, false, lp, "`min` is larger than `max`");
    return true;
}

/* " (did you mean `word`?)" for a misspelt outcome ("timout"), or "". */
static const char *
outcome_hint(const char *word, char *buf, size_t len)
{
    const char *words[RS_OUTCOME_COUNT];
    for (int o = 0; o < RS_OUTCOME_COUNT; o++)
        words[o] = rs_outcome_word((RsOutcome)o);
    const char *hint = rs_closest(word, words, RS_OUTCOME_COUNT);
    if (!hint)
        return "";
    g_snprintf(buf, len, " (did you mean `%s`?)", hint);
    return buf;
}

/* The word list of outcomes, for messages. */
static char *
outcome_list(void)
{
    GString *s = g_string_new(NULL);
    for (int o = 0; o < RS_OUTCOME_COUNT; o++)
        g_string_append_printf(s, "%s%s", o ? ", " : "", rs_outcome_word((RsOutcome)o));
    return g_string_free(s, FALSE);
}

/* A probe: one request at `at` (scenario-format.md, "Expectations"). */
static bool
probe(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    if (!from(ld, v, path, &e->from) || !to(ld, v, path, &e->to))
        return false;
    const cJSON *o = ld_get(v, "outcome");
    if (o) {
        const char *op = ld_path(ld, path, "outcome");
        ld_note_outcome(ld, op);
        if (!cJSON_IsString(o) || !rs_outcome_parse(o->valuestring, &e->outcome)) {
            g_autofree char *list = outcome_list();
            if (!cJSON_IsString(o))
                return ld_fail(ld, o, false, op, "expected an outcome (one of %s), found %s", list,
                               ld_type_word(o));
            char hb[64];
            const char *hint = outcome_hint(o->valuestring, hb, sizeof hb);
            if (*hint)
                return ld_fail(ld, o, false, op, "unknown outcome `%s`%s", o->valuestring, hint);
            return ld_fail(ld, o, false, op, "unknown outcome `%s` (expected one of %s)", o->valuestring,
                           list);
        }
        e->has_outcome = true;
    }
    if (!ld_string(ld, v, path, "pod", false, &e->pod_glob))
        return false;
    if (e->pod_glob && !strchr(e->pod_glob, '/')) {
        const char *pp = ld_path(ld, path, "pod");
        return ld_fail(ld, ld_get(v, "pod"), false, pp,
                       "expected a pod pattern `NAMESPACE/NAME` (`*` matches anything), found `%s`",
                       e->pod_glob);
    }
    long long st = -1;
    if (!ld_int(ld, v, path, "status", false, 0, 599, &st, NULL))
        return false;
    e->status = (int)st;
    const cJSON *sip = ld_get(v, "source_ip");
    if (sip) {
        const char *sp = ld_path(ld, path, "source_ip");
        if (!ld_v_ipv4(ld, sip, sp, &e->source_ip))
            return false;
        e->has_source_ip = true;
    }
    return latency_range(ld, v, path, e);
}

/* A DNS lookup and its expected answer. */
static bool
resolve(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    if (!from(ld, v, path, &e->from) || !ld_string(ld, v, path, "resolve", true, &e->resolve))
        return false;
    for (char *c = e->resolve; *c; c++)
        *c = g_ascii_tolower(*c);
    const cJSON *a = ld_get(v, "answer");
    if (!a)
        return ld_fail(ld, v, false, path,
                       "missing required key `answer` (\"nxdomain\", a service `NAMESPACE/NAME`, an "
                       "address or a list of addresses)");
    const char *ap = ld_path(ld, path, "answer");
    if (ld->on_keys != NULL) {
        /* `rahtisim schema`: every form of an answer, used or not */
        static const char *const nx[] = {"nxdomain", NULL};
        ld_note_enum(ld, ap, nx);
        ld_note(ld, ap, "{\"type\":\"string\",\"pattern\":\"^[^/]+/[^/]+$\"}");
        ld_note_pattern(ld, ap, "^" RS_IPV4_PATTERN "$", -1, false);
        ld_note(ld, ap, "{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"string\",\"pattern\":"
                "\"^" RS_IPV4_PATTERN "$\"}}");
    }
    if (cJSON_IsString(a) && strcmp(a->valuestring, "nxdomain") == 0) {
        e->answer_nxdomain = true;
    } else if (cJSON_IsString(a) && strchr(a->valuestring, '/')) {
        g_autofree char *ns = NULL, *name = NULL;
        if (!ld_split_ref(ld, a, ap, a->valuestring, &ns, NULL, &name))
            return false;
        e->answer_service = g_strdup(a->valuestring);
        ld_defer(ld, LD_REF_SERVICE, a, ap, ns, name, "the answer's service");
    } else if (cJSON_IsString(a)) {
        e->answer_ips = g_new0(uint32_t, 1);
        e->n_answer_ips = 1;
        if (!rs_parse_ipv4(a->valuestring, &e->answer_ips[0]) && !ld_is_ipv6(a->valuestring))
            return ld_fail(ld, a, false, ap, "expected \"nxdomain\", a service `NAMESPACE/NAME`, an "
                           "address or a list of addresses, found `%s`", a->valuestring);
        if (!ld_v_ipv4(ld, a, ap, &e->answer_ips[0]))
            return false;
    } else if (cJSON_IsArray(a)) {
        unsigned n = (unsigned)cJSON_GetArraySize(a);
        if (n == 0)
            return ld_fail(ld, a, false, ap, "an empty list of addresses: write \"nxdomain\" instead");
        e->answer_ips = g_new0(uint32_t, n);
        e->n_answer_ips = n;
        int i = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, a) {
            const char *ip = ld_path_index(ld, ap, i);
            if (!ld_v_ipv4(ld, c, ip, &e->answer_ips[i]))
                return false;
            i++;
        }
    } else {
        return ld_fail(ld, a, false, ap, "expected \"nxdomain\", a service, an address or a list of "
                       "addresses, found %s", ld_type_word(a));
    }
    return true;
}

/* A pod's state at `at`. */
static bool
state(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    static const char *const states[] = {"pending", "running", "ready", "failed", "gone", "not-ready",
                                         "terminating", NULL};
    const cJSON *p = ld_get(v, "pod");
    const char *pp = ld_path(ld, path, "pod");
    if (!p)
        return ld_fail(ld, v, false, path, "missing required key `pod` (`NAMESPACE/POD`)");
    if (!cJSON_IsString(p))
        return ld_fail(ld, p, false, pp, "expected `NAMESPACE/POD`, found %s", ld_type_word(p));
    g_autofree char *ns = NULL, *name = NULL;
    if (!ld_split_ref(ld, p, pp, p->valuestring, &ns, NULL, &name))
        return false;
    e->pod = g_strdup(p->valuestring);
    ld_defer(ld, LD_REF_POD, p, pp, ns, name, "the expectation's pod");
    int s = 0;
    if (!ld_enum(ld, v, path, "state", states, &s))
        return false;
    e->state = (RsPodState)s;
    return true;
}

/* `share`: {outcome: {min, max}} with fractions in [0, 1]. */
static bool
share(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    static const char *const rkeys[] = {"min", "max", NULL};
    if (!cJSON_IsObject(v))
        return ld_fail(ld, v, false, path, "expected {\"OUTCOME\": {\"min\": F, \"max\": F}}, found %s",
                       ld_type_word(v));
    e->has_share = true;
    const cJSON *c;
    cJSON_ArrayForEach(c, v) {
        const char *op = ld_path(ld, path, c->string);
        RsOutcome o;
        if (!rs_outcome_parse(c->string, &o)) {
            g_autofree char *list = outcome_list();
            char hb[64];
            const char *hint = outcome_hint(c->string, hb, sizeof hb);
            if (*hint)
                return ld_fail(ld, c, true, op, "unknown outcome `%s`%s", c->string, hint);
            return ld_fail(ld, c, true, op, "unknown outcome `%s` (expected one of %s)", c->string, list);
        }
        if (!ld_object(ld, c, op, rkeys, "a share range {\"min\": F, \"max\": F}"))
            return false;
        RsRange *r = &e->share[o];
        for (int k = 0; k < 2; k++) {
            const cJSON *x = ld_get(c, rkeys[k]);
            if (!x)
                continue;
            const char *xp = ld_path(ld, op, rkeys[k]);
            if (!cJSON_IsNumber(x) || x->valuedouble < 0 || x->valuedouble > 1)
                return ld_fail(ld, x, false, xp, "expected a fraction from 0 to 1 (0.99 is 99 %%)");
            if (k == 0) {
                r->has_min = true;
                r->min = x->valuedouble;
            } else {
                r->has_max = true;
                r->max = x->valuedouble;
            }
        }
        if (!r->has_min && !r->has_max)
            return ld_fail(ld, c, false, op, "give `min`, `max` or both");
        if (r->has_min && r->has_max && r->min > r->max)
            return ld_fail(ld, c, false, op, "`min` is larger than `max`");
    }
    return true;
}

/* `latency`: {"p50": DURATION | {"max": DURATION}, "p90": ..., "p99": ...}. */
static bool
percentiles(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    static const char *const keys[] = {"p50", "p90", "p99", NULL};
    static const char *const mkeys[] = {"max", NULL};
    if (!ld_object(ld, v, path, keys, "latency percentiles"))
        return false;
    rs_time_t *out[] = {&e->latency_p50_max, &e->latency_p90_max, &e->latency_p99_max};
    for (int k = 0; k < 3 && ld->on_keys != NULL; k++) {
        /* `rahtisim schema`: both forms of every percentile, used or not */
        const char *xp = ld_path(ld, path, keys[k]);
        g_autofree char *obj = g_strdup_printf("{\"type\":\"object\",\"properties\":{\"max\":{\"type\":"
                                               "[\"string\",\"number\"]}},\"required\":[\"max\"],"
                                               "\"additionalProperties\":false}");
        ld_note_pattern(ld, xp, rs_duration_pattern(), 0, false);
        ld_note(ld, xp, obj);
    }
    for (int k = 0; k < 3; k++) {
        const cJSON *x = ld_get(v, keys[k]);
        if (!x)
            continue;
        const char *xp = ld_path(ld, path, keys[k]);
        if (cJSON_IsObject(x)) {
            if (!ld_object(ld, x, xp, mkeys, "a percentile bound {\"max\": DURATION}") ||
                !ld_duration(ld, x, xp, "max", true, out[k]))
                return false;
        } else if (!ld_v_duration(ld, x, xp, out[k])) {
            return false;
        }
    }
    e->has_latency_pct = true;
    return true;
}

/* Statistics of a traffic source. */
static bool
traffic_check(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    static const char *const skeys[] = {"over", "max_deviation", NULL};
    if (!ld_string(ld, v, path, "traffic", true, &e->traffic))
        return false;
    const char *tp = ld_path(ld, path, "traffic");
    ld_defer(ld, LD_REF_TRAFFIC, ld_get(v, "traffic"), tp, NULL, e->traffic, "`traffic`");
    const cJSON *b = ld_get(v, "between");
    if (b) {
        const char *bp = ld_path(ld, path, "between");
        if (!cJSON_IsArray(b) || cJSON_GetArraySize(b) != 2)
            return ld_fail(ld, b, false, bp, "expected [START, END], two durations");
        const char *b0 = ld_path_index(ld, bp, 0), *b1 = ld_path_index(ld, bp, 1);
        if (!ld_v_duration(ld, cJSON_GetArrayItem(b, 0), b0, &e->between_start) ||
            !ld_v_duration(ld, cJSON_GetArrayItem(b, 1), b1, &e->between_end))
            return false;
        if (e->between_end <= e->between_start)
            return ld_fail(ld, cJSON_GetArrayItem(b, 1), false, b1, "the end must be after the start");
        if (!ld_within_duration(ld, cJSON_GetArrayItem(b, 1), b1, "the end of `between`", e->between_end))
            return false;
    }
    e->at = e->between_end;
    const cJSON *sh = ld_get(v, "share"), *sp = ld_get(v, "spread"), *lat = ld_get(v, "latency");
    if (!sh && !sp && !lat)
        return ld_fail(ld, v, false, path, "a traffic expectation needs `share`, `spread` or `latency`");
    if (sh) {
        const char *shp = ld_path(ld, path, "share");
        if (!share(ld, sh, shp, e))
            return false;
    }
    if (sp) {
        const char *spp = ld_path(ld, path, "spread");
        if (!ld_object(ld, sp, spp, skeys, "a spread check {\"over\": ..., \"max_deviation\": ...}") ||
            !ld_string(ld, sp, spp, "over", true, &e->spread_over))
            return false;
        const cJSON *ov = ld_get(sp, "over");
        const char *ovp = ld_path(ld, spp, "over");
        g_autofree char *ns = NULL, *name = NULL;
        if (!ld_split_ref(ld, ov, ovp, e->spread_over, &ns, NULL, &name))
            return false;
        ld_defer(ld, LD_REF_DEPLOYMENT, ov, ovp, ns, name, "`spread.over`");
        const cJSON *md = ld_get(sp, "max_deviation");
        const char *mdp = ld_path(ld, spp, "max_deviation");
        if (!md)
            return ld_fail(ld, sp, false, spp, "missing required key `max_deviation` (0.10 is ±10 %%)");
        if (!cJSON_IsNumber(md) || !isfinite(md->valuedouble) || md->valuedouble < 0)
            return ld_fail(ld, md, false, mdp, "expected a fraction >= 0 (0.10 is ±10 %%)");
        e->max_deviation = md->valuedouble;
    }
    if (lat) {
        const char *lp = ld_path(ld, path, "latency");
        if (!percentiles(ld, lat, lp, e))
            return false;
    }
    return true;
}

/* A deployment reference "ns/name" under `key`, into e->pod (checked in pass 2). */
static bool
deployment_ref(Ld *ld, const cJSON *v, const char *path, const char *key, RsExpectSpec *e)
{
    const cJSON *d = ld_get(v, key);
    const char *dp = ld_path(ld, path, key);
    if (!cJSON_IsString(d))
        return ld_fail(ld, d, false, dp, "expected `NAMESPACE/DEPLOYMENT`, found %s", ld_type_word(d));
    g_autofree char *ns = NULL, *name = NULL;
    if (!ld_split_ref(ld, d, dp, d->valuestring, &ns, NULL, &name))
        return false;
    e->pod = g_strdup(d->valuestring);
    ld_defer(ld, LD_REF_DEPLOYMENT, d, dp, ns, name, key[0] == 'r' ? "the rollout's deployment" : "`deployment`");
    return true;
}

/* {"rollout": "ns/deploy", "complete_by": T}: the last rollout started before
 * T is complete by T (R54). */
static bool
rollout_check(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    if (!deployment_ref(ld, v, path, "rollout", e))
        return false;
    const cJSON *cb = ld_get(v, "complete_by");
    const char *cp = ld_path(ld, path, "complete_by");
    if (!cb)
        return ld_fail(ld, v, false, path, "missing required key `complete_by` (when the rollout must be done)");
    if (!ld_v_duration(ld, cb, cp, &e->at))
        return false;
    return ld_within_duration(ld, cb, cp, "complete_by", e->at);
}

/* {"deployment": "ns/web", "between": [S, E], "ready": {"min": N}}: at least N
 * of its pods are ready (in the endpoints) at every moment of the window (R52, R54, R55). */
static bool
ready_check(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    static const char *const rkeys[] = {"min", NULL};
    if (!deployment_ref(ld, v, path, "deployment", e))
        return false;
    const cJSON *b = ld_get(v, "between");
    const char *bp = ld_path(ld, path, "between");
    if (!b)
        return ld_fail(ld, v, false, path, "missing required key `between` ([START, END])");
    if (!cJSON_IsArray(b) || cJSON_GetArraySize(b) != 2)
        return ld_fail(ld, b, false, bp, "expected [START, END], two durations");
    const char *b0 = ld_path_index(ld, bp, 0), *b1 = ld_path_index(ld, bp, 1);
    if (!ld_v_duration(ld, cJSON_GetArrayItem(b, 0), b0, &e->between_start) ||
        !ld_v_duration(ld, cJSON_GetArrayItem(b, 1), b1, &e->between_end))
        return false;
    if (e->between_end <= e->between_start)
        return ld_fail(ld, cJSON_GetArrayItem(b, 1), false, b1, "the end must be after the start");
    if (!ld_within_duration(ld, cJSON_GetArrayItem(b, 1), b1, "the end of `between`", e->between_end))
        return false;
    e->at = e->between_end;
    const cJSON *r = ld_get(v, "ready");
    const char *rp = ld_path(ld, path, "ready");
    if (!r)
        return ld_fail(ld, v, false, path, "missing required key `ready` ({\"min\": N})");
    long long n;
    if (!ld_object(ld, r, rp, rkeys, "a ready-pods bound {\"min\": N}") ||
        !ld_int(ld, r, rp, "min", true, 0, 1000000, &n, NULL))
        return false;
    e->ready_min = (unsigned)n;
    return true;
}

/* One expectation: its kind comes from its key (to, resolve, state, traffic). */
static bool
expectation(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e)
{
    static const char *const probe_keys[] = {"description", "id", "at", "from", "to", "outcome", "pod",
                                             "status", "source_ip", "latency", NULL};
    static const char *const resolve_keys[] = {"description", "id", "at", "from", "resolve", "answer", NULL};
    static const char *const state_keys[] = {"description", "id", "at", "pod", "state", NULL};
    static const char *const traffic_keys[] = {"description", "id", "traffic", "between", "share", "spread",
                                               "latency", NULL};
    static const char *const rollout_keys[] = {"description", "id", "rollout", "complete_by", NULL};
    static const char *const ready_keys[] = {"description", "id", "deployment", "between", "ready", NULL};
    static const char *const matrix_keys[] = {"description", "id", "at", "matrix", NULL};
    /* in RsExpectKind order */
    static const char *const kinds[] = {"to", "resolve", "state", "traffic", "rollout", "deployment", "matrix"};
    static const char *const *const keys[] = {probe_keys, resolve_keys, state_keys, traffic_keys,
                                              rollout_keys, ready_keys, matrix_keys};
    static const char *const names[] = {"a probe expectation", "a resolve expectation",
                                        "a state expectation", "a traffic expectation",
                                        "a rollout expectation", "a ready-pods expectation",
                                        "a matrix expectation"};
    if (!cJSON_IsObject(v))
        return ld_fail(ld, v, false, path, "expected an expectation (an object), found %s", ld_type_word(v));
    if (!ld_count_timed(ld, v, path))
        return false;
    int kind = -1;
    for (int k = 0; k < (int)G_N_ELEMENTS(kinds); k++) {
        const cJSON *c = ld_get(v, kinds[k]);
        if (!c)
            continue;
        if (kind >= 0) {
            const char *cp = ld_path(ld, path, kinds[k]);
            return ld_fail(ld, c, true, cp, "an expectation checks one thing: `%s` and `%s` cannot be "
                           "combined (write two expectations)", kinds[kind], kinds[k]);
        }
        kind = k;
    }
    if (kind < 0) {
        /* a misspelt kind: an unknown key close to one ("stat" -> `state`) */
        const cJSON *c;
        cJSON_ArrayForEach(c, v) {
            bool known = false;
            for (int k = 0; k < (int)G_N_ELEMENTS(kinds) && !known; k++)
                for (int j = 0; keys[k][j] && !known; j++)
                    known = strcmp(c->string, keys[k][j]) == 0;
            const char *hint = known ? NULL : rs_closest(c->string, kinds, G_N_ELEMENTS(kinds));
            if (hint) {
                const char *cp = ld_path(ld, path, c->string);
                return ld_fail(ld, c, true, cp, "unknown key `%s`: an expectation needs `to`, "
                               "`resolve`, `state`, `traffic`, `rollout`, `deployment` or `matrix` (did "
                               "you mean `%s`?)", c->string, hint);
            }
        }
        return ld_fail(ld, v, false, path, "an expectation needs `to` (a probe), `resolve` (a DNS "
                       "lookup), `state` (a pod's state), `traffic` (traffic statistics), `rollout` (a "
                       "rollout's completion), `deployment` (its ready pods) or `matrix` (who reaches whom)");
    }
    if (!ld_object(ld, v, path, keys[kind], names[kind]))
        return false;
    ld_pos(ld, v, path, &e->pos);
    e->kind = (RsExpectKind)kind;
    e->status = -1;
    e->between_end = RS_TIME_NEVER;
    e->latency_p50_max = e->latency_p90_max = e->latency_p99_max = RS_TIME_NEVER;
    if (!ld_string(ld, v, path, "description", false, &e->description) ||
        !ld_string(ld, v, path, "id", false, &e->id))
        return false;
    if (e->id && (!*e->id || strpbrk(e->id, "\n\t") != NULL)) {
        const char *ip = ld_path(ld, path, "id");
        return ld_fail(ld, ld_get(v, "id"), false, ip, "an id is a non-empty name on one line");
    }
    if (kind != RS_EXPECT_TRAFFIC && kind != RS_EXPECT_ROLLOUT && kind != RS_EXPECT_READY) {
        const cJSON *at = ld_get(v, "at");
        const char *atp = ld_path(ld, path, "at");
        if (!at)
            return ld_fail(ld, v, false, path, "missing required key `at` (when to check)");
        if ((cJSON_IsString(at) && at->valuestring[0] == '-') || (cJSON_IsNumber(at) && at->valuedouble < 0))
            return ld_fail(ld, at, false, atp, "expectation time is before time 0");
        if (!ld_v_duration(ld, at, atp, &e->at))
            return false;
        if (e->at > ld->lim.max_duration)
            return ld_fail_limit(ld, at, atp, "expectation time is beyond the duration limit; raise "
                                 "it with --max-duration");
        if (!ld_within_duration(ld, at, atp, "at", e->at))
            return false;
    }
    switch (e->kind) {
    case RS_EXPECT_PROBE: return probe(ld, v, path, e);
    case RS_EXPECT_RESOLVE: return resolve(ld, v, path, e);
    case RS_EXPECT_STATE: return state(ld, v, path, e);
    case RS_EXPECT_TRAFFIC: return traffic_check(ld, v, path, e);
    case RS_EXPECT_ROLLOUT: return rollout_check(ld, v, path, e);
    case RS_EXPECT_READY: return ready_check(ld, v, path, e);
    case RS_EXPECT_MATRIX: return ld_matrix_expectation(ld, v, path, e);
    }
    return true;
}

/* The `expect` array. */
bool
ld_expectations(Ld *ld, const cJSON *root)
{
    const cJSON *arr;
    if (!ld_array(ld, root, "", "expect", &arr))
        return false;
    if (!arr)
        return true;
    RsScenario *sc = ld->sc;
    sc->n_expect = (unsigned)cJSON_GetArraySize(arr);
    sc->expect = g_new0(RsExpectSpec, sc->n_expect ? sc->n_expect : 1);
    int i = 0;
    const cJSON *c;
    /* ids are unique: reports and JUnit/TAP names use them */
    g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
    cJSON_ArrayForEach(c, arr) {
        const char *p = ld_path_index(ld, "expect", i);
        if (!ld_count_object(ld, c, p, 1))
            return false;
        if (!expectation(ld, c, p, &sc->expect[i])) {
            if (!ld_go_on(ld))
                return false;
            i++;
            continue;
        }
        const char *id = sc->expect[i].id;
        if (id && g_hash_table_contains(ids, id)) {
            const char *ip = ld_path(ld, p, "id");
            ld_fail(ld, ld_get(c, "id"), false, ip, "duplicate id `%s` (expect[%d] has it)", id,
                    GPOINTER_TO_INT(g_hash_table_lookup(ids, id)));
            if (!ld_go_on(ld))
                return false;
        }
        if (id)
            g_hash_table_insert(ids, (gpointer)id, GINT_TO_POINTER(i));
        i++;
    }
    return true;
}
