/* loader-read.c: the loader's vocabulary: errors and warnings with
 * positions, JSON paths, and typed getters that check a value's type, range
 * and unit and say what was expected.  Unknown keys are rejected here with
 * a "did you mean" hint (rs_closest).  IPv6 anywhere is rejected here (R1).
 *
 * Error messages: "FILE:LINE:COL: PATH: message" (PATH left out at the top).
 * Warnings: "FILE:LINE:COL: warning: message (Rn)", sorted into file order
 * when the load ends.
 */
#include "config.h"

#include <arpa/inet.h>
#include <math.h>
#include <string.h>

#include "rahtisim/util.h"
#include "scenario/loader-internal.h"

/* Sets the load error at a node's value (or key) position. */
static void
ld_vfail(Ld *ld, int code, const cJSON *node, bool at_key, const char *path, const char *fmt,
         va_list ap)
{
    g_autofree char *raw = g_strdup_vprintf(fmt, ap);
    g_autofree char *msg = rs_jsonc_printable(raw);
    int line, col;
    size_t off = node ? rs_jsonc_offset(ld->doc, node, at_key) : 0;
    /* a node the importer made names its manifest path (jsonc.h) */
    const char *mpath = rs_jsonc_path_at(ld->doc, off);
    g_autofree char *where = rs_jsonc_printable(mpath ? mpath : path ? path : "");
    rs_jsonc_linecol(ld->doc, off, &line, &col);
    ld_add_error(ld, code, g_strdup_printf("%s:%d:%d: %s%s%s", rs_jsonc_file_at(ld->doc, off), line, col,
                                           where, *where ? ": " : "", msg));
}

/* Records an error (see loader-internal.h). */
void
ld_add_error(Ld *ld, int code, char *msg)
{
    if (ld->errors->len == 0)
        ld->error_code = code;
    ld->last_code = code;
    if (ld->errors->len < LD_MAX_ERRORS)
        g_ptr_array_add(ld->errors, msg);
    else
        g_free(msg);
}

/* Whether to go on after an item's error (see loader-internal.h). */
bool
ld_go_on(Ld *ld)
{
    return ld->errors->len < LD_MAX_ERRORS && ld->last_code == RS_SCENARIO_ERROR_INVALID;
}

/* Fails the load with an invalid-scenario error; always returns false. */
bool
ld_fail(Ld *ld, const cJSON *node, bool at_key, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ld_vfail(ld, RS_SCENARIO_ERROR_INVALID, node, at_key, path, fmt, ap);
    va_end(ap);
    return false;
}

/* Fails the load with a limit error; always returns false. */
bool
ld_fail_limit(Ld *ld, const cJSON *node, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ld_vfail(ld, RS_SCENARIO_ERROR_LIMIT, node, false, path, fmt, ap);
    va_end(ap);
    return false;
}

/* Records a warning at a node; sorted into file order at the end. */
void
ld_warn(Ld *ld, const cJSON *node, RsRule rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *msg = rs_jsonc_printable(raw);
    LdWarn w = {.off = node ? rs_jsonc_offset(ld->doc, node, false) : 0, .seq = ld->warns->len};
    int line, col;
    rs_jsonc_linecol(ld->doc, w.off, &line, &col);
    if (rule != RS_RULE_NONE)
        w.msg = g_strdup_printf("%s:%d:%d: warning: %s (%s)", rs_jsonc_file_at(ld->doc, w.off), line, col, msg,
                                rs_rule_id(rule));
    else
        w.msg = g_strdup_printf("%s:%d:%d: warning: %s", rs_jsonc_file_at(ld->doc, w.off), line, col, msg);
    g_array_append_val(ld->warns, w);
}

/* Fills a source position for a node. */
void
ld_pos(Ld *ld, const cJSON *node, const char *path, RsSrcPos *pos)
{
    rs_jsonc_linecol(ld->doc, rs_jsonc_offset(ld->doc, node, false), &pos->line, &pos->col);
    rs_spec_free(pos->path);
    pos->path = rs_arena_strdup(ld->sc->arena, path);
}

/* "parent.key", or "key" at the top.  Every member the loader reads gets
 * its path this way (10^5 namespaces: about a million paths), so it is
 * concatenated by hand (g_strdup_printf cost ten times as much), into the
 * load's scratch arena (ld->paths, given back after each namespace): a
 * path is for messages and schema notes, and whatever keeps one copies it
 * (issue 14: a malloc and a free per path were ~300 instructions). */
const char *
ld_path(Ld *ld, const char *parent, const char *key)
{
    if (!parent || !*parent)
        return rs_arena_strdup(ld->paths, key);
    size_t lp = strlen(parent), lk = strlen(key);
    char *p = rs_arena_alloc(ld->paths, lp + 1 + lk + 1);
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the prefix; the last memcpy copies key's NUL */
    memcpy(p, parent, lp);
    p[lp] = '.';
    memcpy(p + lp + 1, key, lk + 1);
    return p;
}

/* "parent[i]" (by hand, as ld_path). */
const char *
ld_path_index(Ld *ld, const char *parent, int i)
{
    char digits[16];
    size_t nd = 0;
    unsigned u = i < 0 ? 0u - (unsigned)i : (unsigned)i;
    do {
        digits[nd++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0)
        digits[nd++] = '-';
    size_t lp = strlen(parent);
    char *p = rs_arena_alloc(ld->paths, lp + nd + 3);
    memcpy(p, parent, lp);
    p[lp] = '[';
    for (size_t k = 0; k < nd; k++)
        p[lp + 1 + k] = digits[nd - 1 - k];
    p[lp + 1 + nd] = ']';
    p[lp + 2 + nd] = '\0';
    return p;
}

/* "a string", "a number" ... for "expected X, found Y". */
const char *
ld_type_word(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsTrue(v)) return "true";
    if (cJSON_IsFalse(v)) return "false";
    if (cJSON_IsNull(v)) return "null";
    return "nothing";
}

/* Whether two strings are equal, byte by byte: keys are short, and a
 * strcmp call cost more than the comparison (issue 14). */
static inline bool
key_eq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* ld_get's record of the objects ld_object checked (loader-internal.h). */
LdKeysCache ld_keys_cache;

/* Empties the cache (loader-internal.h). */
void
ld_keys_forget(void)
{
    memset(ld_keys_cache.obj, 0, sizeof ld_keys_cache.obj);
}

/* ld_get when the cache cannot answer: cJSON_GetObjectItemCaseSensitive's
 * walk (it stops at a child without a key, as in an array), with the first
 * bytes compared here: most keys it passes differ there, and a strcmp call
 * each was a tenth of loading 10^4 namespaces (issue 14). */
const cJSON *
ld_get_slow(const cJSON *obj, const char *key)
{
    unsigned e = ld_keys_entry(obj);
    if (ld_keys_cache.obj[e] == obj) {
        unsigned h = ld_key_slot(key);
        if (!(ld_keys_cache.many[e] & (UINT64_C(1) << h))) {
            const cJSON *m = ld_keys_cache.member[e][h].member;
            return key_eq(m->string, key) ? m : NULL;
        }
    }
    for (const cJSON *c = obj->child; c != NULL && c->string != NULL; c = c->next) {
        if (c->string[0] == key[0] && key_eq(c->string, key))
            return c;
    }
    return NULL;
}

/* Checks that v is an object whose keys are all in `keys` (NULL-terminated). */
bool
ld_object(Ld *ld, const cJSON *v, const char *path, const char *const *keys, const char *what)
{
    if (!cJSON_IsObject(v))
        return ld_fail(ld, v, false, path, "expected %s (an object), found %s", what, ld_type_word(v));
    if (ld->on_keys != NULL)    /* the schema is made of these very tables (schema.c) */
        ld->on_keys(ld->on_keys_data, path, keys, what);
    size_t n = 0;
    while (keys[n])
        n++;
    const cJSON *c;
    uint64_t mask = 0, many = 0;
    unsigned e = ld_keys_entry(v);
    ld_keys_cache.obj[e] = NULL;        /* its slots change below: no object's until claimed */
    cJSON_ArrayForEach(c, v) {
        bool known = false;
        size_t i = 0;
        for (; i < n && !known; i++)     /* first bytes first, as ld_get */
            known = c->string[0] == keys[i][0] && strcmp(c->string, keys[i]) == 0;
        if (known) {
            unsigned h = ld_key_slot(c->string);
            uint64_t b = UINT64_C(1) << h;
            many |= mask & b;
            mask |= b;
            ld_keys_cache.member[e][h].member = c;
            ld_keys_cache.member[e][h].key = keys[i - 1];
            continue;
        }
        const char *kp = ld_path(ld, path, c->string);
        const char *hint = rs_closest(c->string, keys, n);
        if (hint)
            return ld_fail(ld, c, true, kp, "unknown key `%s` in %s (did you mean `%s`?)", c->string,
                           what, hint);
        g_autofree char *list = g_strjoinv(", ", (char **)keys);
        return ld_fail(ld, c, true, kp, "unknown key `%s` in %s (known keys: %s)", c->string, what,
                       list);
    }
    /* every key known: filed for ld_get */
    ld_keys_cache.obj[e] = v;
    ld_keys_cache.mask[e] = mask;
    ld_keys_cache.many[e] = many;
    return true;
}

/* Gets an optional array member; *out NULL when absent. */
bool
ld_array(Ld *ld, const cJSON *obj, const char *path, const char *key, const cJSON **out)
{
    const cJSON *v = ld_get(obj, key);
    *out = NULL;
    if (!v)
        return true;
    if (!cJSON_IsArray(v)) {
        const char *p = ld_path(ld, path, key);
        return ld_fail(ld, v, false, p, "expected an array, found %s", ld_type_word(v));
    }
    *out = v;
    return true;
}

/* rs_scenario_load_data_keys: reports the JSON Schema of a value the loader
 * reads at `path` (the same check it is about to make), so that `rahtisim
 * schema` types every field from the loader itself (schema.c). */
void
ld_note(Ld *ld, const char *path, const char *schema)
{
    if (ld->on_keys != NULL)
        ld->on_keys(ld->on_keys_data, path, NULL, schema);
}

/* The same for an enum: {"enum": [words]}. */
void
ld_note_enum(Ld *ld, const char *path, const char *const *words)
{
    if (ld->on_keys == NULL)
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON *a = cJSON_AddArrayToObject(o, "enum");
    for (unsigned i = 0; words[i] != NULL; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(words[i]));
    char *text = cJSON_PrintUnformatted(o);
    ld_note(ld, path, text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* The outcome words (outcome.c's table), for an outcome value. */
void
ld_note_outcome(Ld *ld, const char *path)
{
    if (ld->on_keys == NULL)
        return;
    const char *words[RS_OUTCOME_COUNT + 1];
    for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++)
        words[o] = rs_outcome_word((RsOutcome)o);
    words[RS_OUTCOME_COUNT] = NULL;
    ld_note_enum(ld, path, words);
}

/* A value with a pattern: {"type": "string", "pattern": P}, or with
 * `number_min` >= 0 also a JSON number from that minimum (durations:
 * seconds; rates: per second, exclusive). */
void
ld_note_pattern(Ld *ld, const char *path, const char *pattern, double number_min, bool exclusive)
{
    if (ld->on_keys == NULL)
        return;
    cJSON *str = cJSON_CreateObject();
    cJSON_AddStringToObject(str, "type", "string");
    cJSON_AddStringToObject(str, "pattern", pattern);
    cJSON *o = str;
    if (number_min >= 0) {
        o = cJSON_CreateObject();
        cJSON *alts = cJSON_AddArrayToObject(o, "anyOf");
        cJSON *num = cJSON_CreateObject();
        cJSON_AddStringToObject(num, "type", "number");
        cJSON_AddNumberToObject(num, exclusive ? "exclusiveMinimum" : "minimum", number_min);
        cJSON_AddItemToArray(alts, num);
        cJSON_AddItemToArray(alts, str);
    }
    char *text = cJSON_PrintUnformatted(o);
    ld_note(ld, path, text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* A member getter's schema, also when the sample lacks the key: the reader
 * knows what it would accept (`rahtisim schema` then types keys no sample
 * uses).  Present members are noted by the value readers themselves. */
static void
note_absent(Ld *ld, const cJSON *obj, const char *path, const char *key, const char *schema)
{
    if (ld->on_keys == NULL || ld_get(obj, key) != NULL)
        return;
    const char *p = ld_path(ld, path, key);
    ld_note(ld, p, schema);
}

/* A string value (copied into *out, replacing what was there). */
bool
ld_v_string(Ld *ld, const cJSON *v, const char *path, char **out)
{
    ld_note(ld, path, "{\"type\":\"string\"}");
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, path, "expected a string, found %s", ld_type_word(v));
    rs_spec_free(*out);
    *out = rs_arena_strdup(ld->sc->arena, v->valuestring);
    return true;
}

/* Looks up member `key` for a typed reader: false after "missing required
 * key" when it is absent and required; else true, with *v the value (NULL
 * when absent) and *p its JSON path (NULL when absent; the caller frees it). */
static bool
member(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required,
       const cJSON **v, const char **p)
{
    *v = ld_get(obj, key);
    *p = NULL;
    if (*v == NULL)
        return !required || ld_fail(ld, obj, false, path, "missing required key `%s`", key);
    *p = ld_path(ld, path, key);
    return true;
}

/* A string member; absent: error if required, else *out untouched. */
bool
ld_string(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required, char **out)
{
    const cJSON *v;
    const char *p = NULL;
    note_absent(ld, obj, path, key, "{\"type\":\"string\"}");
    if (ld->on_keys == NULL) {
        /* The common case, without building the member's path: it is only
         * for the schema notes and the errors, made below when needed
         * (issue 14: a path malloc'd and freed per string read). */
        v = ld_get(obj, key);
        if (v == NULL && !required)
            return true;        /* absent: *out untouched, as below */
        if (v != NULL && cJSON_IsString(v) && (!required || *v->valuestring)) {
            rs_spec_free(*out);
            *out = rs_arena_strdup(ld->sc->arena, v->valuestring);
            return true;
        }
    }
    if (!member(ld, obj, path, key, required, &v, &p))
        return false;
    if (v == NULL)
        return true;
    if (!ld_v_string(ld, v, p, out))
        return false;
    if (required && !**out)
        return ld_fail(ld, v, false, p, "must not be empty");
    return true;
}

/* An integer value in [min, max]; `what` names it in messages. */
bool
ld_v_int(Ld *ld, const cJSON *v, const char *path, long long min, long long max, const char *what,
         long long *out)
{
    if (ld->on_keys != NULL) {
        g_autofree char *sch = g_strdup_printf("{\"type\":\"integer\",\"minimum\":%lld,\"maximum\":%lld}",
                                               min, max);
        ld_note(ld, path, sch);
    }
    if (!cJSON_IsNumber(v))
        return ld_fail(ld, v, false, path, "expected %s (an integer from %lld to %lld), found %s", what,
                       min, max, ld_type_word(v));
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d))
        return ld_fail(ld, v, false, path, "expected %s (an integer from %lld to %lld), found %g",
                       what, min, max, d);
    if (d < (double)min || d > (double)max)
        return ld_fail(ld, v, false, path, "%s %.0f out of range (%lld-%lld)", what, d, min, max);
    *out = (long long)d;
    return true;
}

/* An optional or required integer member. */
bool
ld_int(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required, long long min,
       long long max, long long *out, bool *present)
{
    const cJSON *v;
    const char *p = NULL;
    if (ld->on_keys != NULL) {
        g_autofree char *sch = g_strdup_printf("{\"type\":\"integer\",\"minimum\":%lld,\"maximum\":%lld}",
                                               min, max);
        note_absent(ld, obj, path, key, sch);
    } else {
        /* The common case, without the member's path (only the schema
         * notes and the errors read it: ld_v_int's checks, made below
         * when this one fails; issue 14, as ld_string). */
        v = ld_get(obj, key);
        if (v == NULL && !required) {
            if (present)
                *present = false;
            return true;
        }
        if (v != NULL && cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble == floor(v->valuedouble) &&
            v->valuedouble >= (double)min && v->valuedouble <= (double)max) {
            if (present)
                *present = true;
            *out = (long long)v->valuedouble;
            return true;
        }
    }
    if (!member(ld, obj, path, key, required, &v, &p))
        return false;
    if (present)
        *present = v != NULL;
    return v == NULL || ld_v_int(ld, v, p, min, max, key, out);
}

/* An optional boolean member. */
bool
ld_bool(Ld *ld, const cJSON *obj, const char *path, const char *key, bool *out)
{
    const cJSON *v = ld_get(obj, key);
    if (ld->on_keys != NULL) {
        const char *bp = ld_path(ld, path, key);
        ld_note(ld, bp, "{\"type\":\"boolean\"}");
    }
    if (!v)
        return true;
    if (!cJSON_IsBool(v)) {
        const char *p = ld_path(ld, path, key);
        return ld_fail(ld, v, false, p, "expected true or false, found %s", ld_type_word(v));
    }
    *out = cJSON_IsTrue(v);
    return true;
}

/* The hint every refused duration string gets. */
#define LD_DURATION_HINT "write a number with a unit (ns, us, ms, s, m, h) like \"250ms\" or \"0.5s\", " \
    "or a JSON number of seconds like 0.25"

/* A duration value: a string with a unit or a number of seconds, >= 0,
 * whole nanoseconds (R37: time is integer ns). */
bool
ld_v_duration(Ld *ld, const cJSON *v, const char *path, rs_time_t *out)
{
    ld_note_pattern(ld, path, rs_duration_pattern(), 0, false);        /* "1m20s", "250ms", 0.25 */
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d))
            return ld_fail(ld, v, false, path, "duration is not a finite number");
        if (d < 0)
            return ld_fail(ld, v, false, path, "duration %g is negative", d);
        if (d * 1e9 >= 9.2e18)
            return ld_fail(ld, v, false, path, "duration %g s is too large (at most about 292 years)", d);
        double ns = d * 1e9;
        /* 0.1 is not exact in binary: allow the rounding error of d * 1e9, no more */
        if (fabs(ns - (double)llround(ns)) > fmax(1e-3, ns * 1e-15))
            return ld_fail(ld, v, false, path, "duration %.17g s is not a whole number of "
                           "nanoseconds: durations are whole nanoseconds", d);
        *out = (rs_time_t)llround(ns);
        return true;
    }
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, path,
                       "expected a duration (\"250ms\", \"10s\", \"2m\" or a number of seconds), found %s",
                       ld_type_word(v));
    const char *s = v->valuestring;
    switch (rs_duration_parse(s, out)) {
    case RS_DURATION_OK:
        return true;
    case RS_DURATION_NEGATIVE:
        return ld_fail(ld, v, false, path, "duration `%s` is negative", s);
    case RS_DURATION_TOO_LARGE:
        return ld_fail(ld, v, false, path, "duration `%s` is too large (at most about 292 years)", s);
    case RS_DURATION_SUB_NS:
        return ld_fail(ld, v, false, path, "duration `%s` is finer than a nanosecond: durations are "
                       "whole nanoseconds", s);
    case RS_DURATION_NO_UNIT:
        return ld_fail(ld, v, false, path, "duration `%s` has no unit: write \"%sms\" or \"%ss\", or "
                       "the number %s for seconds", s, s, s, s);
    case RS_DURATION_SYNTAX:
        break;
    }
    /* ".5s" and "5.s": digits on both sides of the dot */
    size_t lead = s[0] == '.' ? 1 : 0;
    size_t n = strspn(s + lead, "0123456789");
    if (n > 0 && (lead || s[n] == '.')) {
        g_autofree char *fixed = lead ? g_strdup_printf("0%s", s)
                                      : g_strdup_printf("%.*s%s", (int)n, s, s + n + 1);
        rs_time_t t;
        if (rs_parse_duration(fixed, &t))
            return ld_fail(ld, v, false, path, "invalid duration `%s` (did you mean \"%s\"? %s)", s,
                           fixed, LD_DURATION_HINT);
    }
    return ld_fail(ld, v, false, path, "invalid duration `%s` (" LD_DURATION_HINT ")", s);
}

/* An optional or required duration member. */
bool
ld_duration(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required, rs_time_t *out)
{
    const cJSON *v;
    const char *p = NULL;
    if (ld->on_keys != NULL && ld_get(obj, key) == NULL) {
        const char *dp = ld_path(ld, path, key);
        ld_note_pattern(ld, dp, rs_duration_pattern(), 0, false);
    }
    if (!member(ld, obj, path, key, required, &v, &p))
        return false;
    return v == NULL || ld_v_duration(ld, v, p, out);
}

/* An optional member that must be one of `words` (NULL-terminated); *out its index. */
bool
ld_enum(Ld *ld, const cJSON *obj, const char *path, const char *key, const char *const *words, int *out)
{
    const cJSON *v = ld_get(obj, key);
    if (ld->on_keys != NULL) {
        const char *ep = ld_path(ld, path, key);
        ld_note_enum(ld, ep, words);
    }
    if (!v)
        return true;
    if (cJSON_IsString(v)) {
        /* a known word: no path, no list (issue 14: both for every enum read) */
        for (int i = 0; words[i]; i++)
            if (strcmp(words[i], v->valuestring) == 0) {
                *out = i;
                return true;
            }
    }
    const char *p = ld_path(ld, path, key);
    g_autofree char *list = g_strjoinv(", ", (char **)words);
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, p, "expected one of %s, found %s", list, ld_type_word(v));
    for (int i = 0; words[i]; i++)
        if (strcmp(words[i], v->valuestring) == 0) {
            *out = i;
            return true;
        }
    return ld_fail(ld, v, false, p, "unknown %s `%s` (expected one of %s)", key, v->valuestring, list);
}

/* True if s (an address, a CIDR or [addr]) is IPv6. */
bool
ld_is_ipv6(const char *s)
{
    if (!strchr(s, ':'))
        return false;
    g_autofree char *t = g_strstrip(g_strdup(s));
    char *a = t;
    if (*a == '[') {
        a++;
        char *e = strchr(a, ']');
        if (e)
            *e = '\0';
    }
    char *slash = strchr(a, '/');
    if (slash)
        *slash = '\0';
    char *pct = strchr(a, '%');
    if (pct)
        *pct = '\0';
    struct in6_addr a6;
    return inet_pton(AF_INET6, a, &a6) == 1;
}

/* An IPv4 address value (R1). */
bool
ld_v_ipv4(Ld *ld, const cJSON *v, const char *path, uint32_t *out)
{
    ld_note_pattern(ld, path, "^" RS_IPV4_PATTERN "$", -1, false);      /* R1 */
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, path, "expected an IPv4 address (a string), found %s",
                       ld_type_word(v));
    if (rs_parse_ipv4(v->valuestring, out))
        return true;
    if (ld_is_ipv6(v->valuestring))
        return ld_fail(ld, v, false, path, "IPv6 address `%s`: rahtisim models IPv4 only (R1)",
                       v->valuestring);
    return ld_fail(ld, v, false, path, "invalid IPv4 address `%s`", v->valuestring);
}

/* An optional or required IPv4 member. */
bool
ld_ipv4(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required, uint32_t *out)
{
    const cJSON *v;
    const char *p = NULL;
    if (ld->on_keys != NULL && ld_get(obj, key) == NULL) {
        const char *ip = ld_path(ld, path, key);
        ld_note_pattern(ld, ip, "^" RS_IPV4_PATTERN "$", -1, false);
    }
    if (!member(ld, obj, path, key, required, &v, &p))
        return false;
    return v == NULL || ld_v_ipv4(ld, v, p, out);
}

/* A strict CIDR value ("10.0.0.0/8"; a bare address is /32). */
bool
ld_v_cidr(Ld *ld, const cJSON *v, const char *path, uint32_t *net, uint32_t *prefix)
{
    ld_note_pattern(ld, path, "^" RS_IPV4_PATTERN "(/(3[0-2]|[12]?[0-9]))?$", -1, false);
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, path, "expected a CIDR like \"10.0.0.0/8\", found %s",
                       ld_type_word(v));
    const char *s = v->valuestring;
    if (rs_parse_cidr(s, net, prefix))
        return true;
    if (ld_is_ipv6(s))
        return ld_fail(ld, v, false, path, "IPv6 network `%s`: rahtisim models IPv4 only (R1)", s);
    uint32_t ip;
    g_autofree char *addr = g_strdup(s);
    char *slash = strchr(addr, '/');
    if (slash) {
        *slash = '\0';
        uint32_t pn, pp;
        g_autofree char *fixed = NULL;
        if (rs_parse_ipv4(addr, &ip)) {
            guint64 n = 0;
            if (g_ascii_string_to_unsigned(slash + 1, 10, 0, 32, &n, NULL)) {
                uint32_t mask = n == 0 ? 0 : 0xFFFFFFFFu << (32 - n);
                char buf[16];
                fixed = g_strdup_printf("%s/%u", rs_ipv4_format(ip & mask, buf), (unsigned)n);
                if (rs_parse_cidr(fixed, &pn, &pp))
                    return ld_fail(ld, v, false, path,
                                   "CIDR `%s` has host bits set (did you mean `%s`?)", s, fixed);
            }
            return ld_fail(ld, v, false, path, "invalid CIDR `%s`: the prefix length must be 0-32", s);
        }
    }
    return ld_fail(ld, v, false, path, "invalid CIDR `%s` (expected an IPv4 network like 10.0.0.0/8)", s);
}

/* True for a Kubernetes name part or label value: at most 63 of
 * [A-Za-z0-9._-], beginning and ending with a letter or digit (empty only
 * when `empty_ok`). */
static bool
is_label_name(const char *s, size_t n, bool empty_ok)
{
    if (n == 0)
        return empty_ok;
    if (n > 63 || !g_ascii_isalnum(s[0]) || !g_ascii_isalnum(s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

/* True for a Kubernetes qualified name (label and annotation keys):
 * [PREFIX/]NAME, PREFIX a DNS-1123 subdomain (at most 253), NAME as
 * is_label_name. */
bool
ld_is_qualified_name(const char *s)
{
    const char *slash = strchr(s, '/');
    if (!slash)
        return is_label_name(s, strlen(s), false);
    size_t np = (size_t)(slash - s);
    if (np == 0 || np > 253)
        return false;
    g_autofree char *prefix = g_strndup(s, np);
    g_auto(GStrv) parts = g_strsplit(prefix, ".", -1);
    for (int i = 0; parts[i]; i++)
        if (!ld_is_label(parts[i]))
            return false;
    return is_label_name(slash + 1, strlen(slash + 1), false);
}

/* A labels-like member (`labels`, `selector`, `annotations`): an object of
 * string values, in file order, at most LD_MAX_LABELS entries (matching a
 * selector is O(selector x labels)); keys are Kubernetes qualified names,
 * and label and selector values valid label values. */
bool
ld_labels(Ld *ld, const cJSON *obj, const char *path, const char *key, RsLabel **out, unsigned *n)
{
    const cJSON *v = ld_get(obj, key);
    if (!v)
        return true;
    /* the member's path (ld_path) only for an error (issue 14: not built per object) */
    if (!cJSON_IsObject(v))
        return ld_fail(ld, v, false, ld_path(ld, path, key), "expected an object of strings like {\"app\": \"nginx\"}, found %s",
                       ld_type_word(v));
    bool annotations = key[0] == 'a' && strcmp(key, "annotations") == 0;
    const char *what = annotations ? "annotation" : "label";
    unsigned count = (unsigned)cJSON_GetArraySize(v);
    if (count > LD_MAX_LABELS)
        return ld_fail(ld, cJSON_GetArrayItem(v, LD_MAX_LABELS), true, ld_path(ld, path, key),
                       "%u entries in `%s`: rahtisim takes at most %d %s (a limit of rahtisim)",
                       count, key, LD_MAX_LABELS,
                       annotations ? "annotations per route" :
                       strcmp(key, "selector") == 0 ? "labels per selector" : "labels per object");
    *out = rs_arena_new0(ld->sc->arena, RsLabel, count);
    *n = count;
    unsigned i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, v) {
        /* the entry's path is only for an error (issue 14: not built per label) */
        bool valid = *c->string && cJSON_IsString(c) && ld_is_qualified_name(c->string) &&
                     (annotations || is_label_name(c->valuestring, strlen(c->valuestring), true));
        if (valid) {
            (*out)[i].key = rs_arena_strdup(ld->sc->arena, c->string);
            (*out)[i].value = rs_arena_strdup(ld->sc->arena, c->valuestring);
            i++;
            continue;
        }
        const char *cp = ld_path(ld, ld_path(ld, path, key), c->string);
        if (!*c->string)
            return ld_fail(ld, c, true, cp, "empty key");
        if (!cJSON_IsString(c))
            return ld_fail(ld, c, false, cp, "expected a string value, found %s%s", ld_type_word(c),
                           cJSON_IsNumber(c) || cJSON_IsBool(c) ? " (quote it)" : "");
        if (!ld_is_qualified_name(c->string))
            return ld_fail(ld, c, true, cp, "invalid %s key `%s`: a name of at most 63 letters, "
                           "digits, `-`, `_` and `.` that begins and ends with a letter or digit, "
                           "optionally after a DNS subdomain and `/` (like `app.kubernetes.io/name`)",
                           what, c->string);
        if (!annotations && !is_label_name(c->valuestring, strlen(c->valuestring), true))
            return ld_fail(ld, c, false, cp, "invalid label value `%s`: at most 63 letters, digits, "
                           "`-`, `_` and `.`, beginning and ending with a letter or digit (or empty)",
                           c->valuestring);
        (*out)[i].key = rs_arena_strdup(ld->sc->arena, c->string);
        (*out)[i].value = rs_arena_strdup(ld->sc->arena, c->valuestring);
        i++;
    }
    return true;
}

/* A URL value (rs_url_parse), error at the value. */
bool
ld_v_url(Ld *ld, const cJSON *v, const char *path, RsUrl *out)
{
    ld_note(ld, path, "{\"type\":\"string\",\"minLength\":1}");
    if (!cJSON_IsString(v))
        return ld_fail(ld, v, false, path, "expected a URL (a string), found %s", ld_type_word(v));
    g_autoptr(GError) err = NULL;
    if (!rs_url_parse(v->valuestring, out, &err))
        return ld_fail(ld, v, false, path, "%s", err->message);
    return true;
}

/* True for a DNS-1123 label (lowercase letters, digits, '-', at most 63). */
bool
ld_is_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(g_ascii_islower(s[i]) || g_ascii_isdigit(s[i]) || s[i] == '-'))
            return false;
    return true;
}

/* The required `name` of a Kubernetes object: a DNS-1123 label (or subdomain). */
bool
ld_name(Ld *ld, const cJSON *obj, const char *path, const char *what, bool subdomain, char **out)
{
    if (!ld_string(ld, obj, path, "name", true, out))
        return false;
    bool ok = true;
    if (subdomain) {
        /* each dot-separated part a label, checked in place (no g_strsplit) */
        ok = strlen(*out) <= 253;
        for (const char *a = *out; ok; ) {
            const char *dot = strchr(a, '.');
            size_t n = dot ? (size_t)(dot - a) : strlen(a);
            char part[254];
            memcpy(part, a, n);
            part[n] = '\0';
            ok = ld_is_label(part);
            if (dot == NULL)
                break;
            a = dot + 1;
        }
    } else {
        ok = ld_is_label(*out);
    }
    if (!ok) {
        const char *p = ld_path(ld, path, "name");
        return ld_fail(ld, ld_get(obj, "name"), false, p,
                       "invalid %s name `%s`: use lowercase letters, digits and `-`%s, at most 63 "
                       "characters, starting and ending with a letter or digit",
                       what, *out, subdomain ? " (and dots)" : "");
    }
    return true;
}

/* The required `name` of a host or traffic entry: no slash, no spaces. */
bool
ld_plain_name(Ld *ld, const cJSON *obj, const char *path, const char *what, char **out)
{
    if (!ld_string(ld, obj, path, "name", true, out))
        return false;
    for (const char *c = *out; *c; c++)
        if (*c == '/' || *c == '@' || g_ascii_isspace(*c) || (unsigned char)*c < 0x20) {
            const char *p = ld_path(ld, path, "name");
            return ld_fail(ld, ld_get(obj, "name"), false, p,
                           "invalid %s name `%s`: no `/`, `@` or spaces", what, *out);
        }
    return true;
}

/* The first control character of a string other than newline and tab (C0,
 * DEL, and C1 as UTF-8), or -1: scenario text ends up in reports and on
 * terminals, where an escape sequence could rewrite what a reader sees. */
static int
ld_control_char(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            return *p;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            return p[1];
    }
    return -1;
}

/* The check of one string for ld_no_ipv6_anywhere; its path is only
 * written out when the string is refused. */
static bool
no_ipv6_string(Ld *ld, const cJSON *v, const GString *path)
{
    int c = ld_control_char(v->valuestring);
    if (c >= 0)
        return ld_fail(ld, v, false, path->str, "control character U+%04X in a string: scenario text "
                       "must be printable (only newline and tab are allowed)", (unsigned)c);
    if (strchr(v->valuestring, ':') == NULL)
        return true;    /* an IPv6 address has a colon; most strings have none */
    if (ld_is_ipv6(v->valuestring))
        return ld_fail(ld, v, false, path->str, "IPv6 address `%s`: rahtisim models IPv4 only (R1)",
                       v->valuestring);
    g_auto(GStrv) words = g_strsplit_set(v->valuestring, " ,", -1);
    for (int i = 0; words[i]; i++)
        if (*words[i] && strchr(words[i], ':') && ld_is_ipv6(words[i]))
            return ld_fail(ld, v, false, path->str, "IPv6 address `%s`: rahtisim models IPv4 only (R1)",
                           words[i]);
    return true;
}

/* The walk of ld_no_ipv6_anywhere: `path` is the value's path, extended in
 * place for each member and cut back after it (no allocation per value:
 * the walk visits every value of the file). */
static bool
no_ipv6_walk(Ld *ld, const cJSON *v, GString *path)
{
    if (cJSON_IsString(v))
        return no_ipv6_string(ld, v, path);
    int i = 0;
    const cJSON *c;
    size_t len = path->len;
    cJSON_ArrayForEach(c, v) {
        if (cJSON_IsObject(v)) {
            if (len > 0)
                g_string_append_c(path, '.');
            g_string_append(path, c->string);
        } else {
            char idx[16];
            size_t n = 0;
            unsigned u = (unsigned)i;
            do {
                idx[sizeof idx - 1 - n++] = (char)('0' + u % 10);
                u /= 10;
            } while (u);
            g_string_append_c(path, '[');
            g_string_append_len(path, idx + sizeof idx - n, (gssize)n);
            g_string_append_c(path, ']');
        }
        if (!no_ipv6_walk(ld, c, path))
            return false;
        g_string_truncate(path, len);
        i++;
    }
    return true;
}

/* Whether no_ipv6_string accepts a string (the same tests, no message). */
static bool
string_ok(const char *s)
{
    if (ld_control_char(s) >= 0)
        return false;
    if (strchr(s, ':') == NULL)
        return true;
    if (ld_is_ipv6(s))
        return false;
    g_auto(GStrv) words = g_strsplit_set(s, " ,", -1);
    for (int i = 0; words[i]; i++)
        if (*words[i] && strchr(words[i], ':') && ld_is_ipv6(words[i]))
            return false;
    return true;
}

/* Whether every string of the tree is accepted: the walk without paths. */
static bool
all_strings_ok(const cJSON *v)
{
    if (cJSON_IsString(v))
        return string_ok(v->valuestring);
    const cJSON *c;
    cJSON_ArrayForEach(c, v)
        if (!all_strings_ok(c))
            return false;
    return true;
}

/* Rejects any string value in the tree that is an IPv6 address or network
 * (R1), or that holds a control character other than newline and tab.
 * Every value of the file is visited: a first walk only tests, and the walk
 * that builds each value's path (for the message) runs only when a string
 * is refused (issue 14: the paths were 3 % of loading 10^4 namespaces). */
bool
ld_no_ipv6_anywhere(Ld *ld, const cJSON *v, const char *path)
{
    /* the scanner saw every string of the file (jsonc.h); issue 14: the
     * walk was 3 % of loading 10^4 namespaces */
    if (v == rs_jsonc_root(ld->doc) && rs_jsonc_strings_plain(ld->doc))
        return true;
    if (all_strings_ok(v))
        return true;
    g_autoptr(GString) p = g_string_sized_new(256);
    g_string_append(p, path);
    return no_ipv6_walk(ld, v, p);
}

/* Counts n objects against --max-objects. */
bool
ld_count_object(Ld *ld, const cJSON *node, const char *path, unsigned n)
{
    ld->n_objects += n;
    if (n > ld->lim.max_objects || ld->n_objects > ld->lim.max_objects)
        return ld_fail_limit(ld, node, path,
                             "too many objects (more than %u pods, services, routes, hosts, "
                             "namespaces, expectations and traffic sources); "
                             "raise the limit with --max-objects",
                             ld->lim.max_objects);
    return true;
}

/* Counts one event or expectation against --max-events. */
bool
ld_count_timed(Ld *ld, const cJSON *node, const char *path)
{
    if (++ld->n_timed > ld->lim.max_events)
        return ld_fail_limit(ld, node, path,
                             "too many events and expectations (more than %u); raise the limit "
                             "with --max-events",
                             ld->lim.max_events);
    return true;
}

/* A time after an explicit `duration` never comes: an error, at the value
 * (`what` names it: "at", "`stop`" ...).  Without a duration the run lasts
 * until the latest time the file names, so every time is inside it. */
bool
ld_within_duration(Ld *ld, const cJSON *node, const char *path, const char *what, rs_time_t t)
{
    rs_time_t d = ld->sc->duration;
    if (d == RS_TIME_NEVER || t == RS_TIME_NEVER || t <= d)
        return true;
    char bt[32], bd[32];
    return ld_fail(ld, node, false, path, "%s %s is after the scenario's duration (%s): nothing "
                   "happens after the end of the run; move it earlier or lengthen `duration`",
                   what, rs_duration_format(t, bt), rs_duration_format(d, bd));
}

/* Splits "ns/name" or "ns/kind/name" (kind NULL when not wanted). */
bool
ld_split_ref(Ld *ld, const cJSON *v, const char *path, const char *text, char **ns, char **kind,
             char **name)
{
    g_auto(GStrv) parts = g_strsplit(text, "/", -1);
    guint n = g_strv_length(parts);
    bool ok = (n == 2 || (kind && n == 3));
    for (guint i = 0; ok && i < n; i++)
        ok = *parts[i] != '\0';
    if (!ok)
        return ld_fail(ld, v, false, path, "expected `NAMESPACE/NAME`%s, found `%s`",
                       kind ? " or `NAMESPACE/KIND/NAME`" : "", text);
    *ns = g_strdup(parts[0]);
    if (kind)
        *kind = n == 3 ? g_strdup(parts[1]) : NULL;
    *name = g_strdup(parts[n - 1]);
    return true;
}

/* Queues a reference for pass 2. */
void
ld_defer(Ld *ld, LdRefKind kind, const cJSON *node, const char *path, const char *ns,
         const char *name, const char *what)
{
    LdRef *r = rs_arena_new0(ld->mem, LdRef, 1);    /* dropped with the load */
    r->kind = kind;
    r->node = node;
    r->path = rs_arena_strdup(ld->mem, path);
    r->ns = rs_arena_strdup(ld->mem, ns);
    r->name = rs_arena_strdup(ld->mem, name);
    r->what = what;
    g_ptr_array_add(ld->refs, r);
}

/* The reference queued last (to set its output pointers). */
LdRef *
ld_defer_last(Ld *ld)
{
    return g_ptr_array_index(ld->refs, ld->refs->len - 1);
}
