/* units.c: the small value parsers every layer shares: durations, rates,
 * IPv4 addresses and CIDRs, their formatters, pod state words, limits and
 * the scenario error domain.
 *
 * Durations are parsed exactly in integer nanoseconds (no floating point:
 * "0.1s" is 100000000 ns, not 99999999); digits finer than a nanosecond are
 * an error, and so is a string without a unit.  Addresses are strict (R1: IPv4 only; no leading zeros, which
 * some tools read as octal); a CIDR's address must have no host bits set.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rahtisim/scenario.h"

G_DEFINE_QUARK(rs-scenario-error-quark, rs_scenario_error)

static const struct {
    const char *suffix;
    uint64_t pow10;         /* unit = pow10 * mult nanoseconds */
    unsigned digits;        /* log10(pow10): fraction digits kept exactly */
    uint64_t mult;
} duration_units[] = {
    {"ns", 1, 0, 1},
    {"us", 1000, 3, 1},
    {"\xC2\xB5s", 1000, 3, 1},          /* µs */
    {"ms", 1000000, 6, 1},
    {"s", 1000000000, 9, 1},
    {"m", 1000000000, 9, 60},
    {"h", 1000000000, 9, 3600},
    {"d", 1000000000, 9, 86400},        /* for --max-duration 30d */
};

/* Parses a duration with a unit: "250ms", "1.5s", "2m", "1h", "10us",
 * "5ns", "30d".  A unit is required (a bare "250" is ambiguous: 250 ms or
 * 250 s?); no sign, no spaces, digits on both sides of a dot; exact in
 * integer nanoseconds, so digits finer than 1 ns are an error, not rounded. */
static RsDurationStatus
parse_one(const char *text, rs_time_t *out)
{
    if (!text)
        return RS_DURATION_SYNTAX;
    const char *p = text;
    if (*p == '-')
        return RS_DURATION_NEGATIVE;
    if (!g_ascii_isdigit(*p))
        return RS_DURATION_SYNTAX;      /* no sign, no leading dot, no spaces */
    const char *int_start = p;
    while (g_ascii_isdigit(*p))
        p++;
    const char *int_end = p;
    const char *frac_start = p, *frac_end = p;
    if (*p == '.') {
        p++;
        frac_start = p;
        if (!g_ascii_isdigit(*p))
            return RS_DURATION_SYNTAX;  /* "5.s", "5." */
        while (g_ascii_isdigit(*p))
            p++;
        frac_end = p;
    }
    if (!*p)
        return RS_DURATION_NO_UNIT;
    size_t u;
    for (u = 0; u < G_N_ELEMENTS(duration_units); u++)
        if (strcmp(p, duration_units[u].suffix) == 0)
            break;
    if (u == G_N_ELEMENTS(duration_units))
        return RS_DURATION_SYNTAX;
    /* mantissa = integer digits followed by exactly `digits` fraction digits */
    uint64_t m = 0;
    unsigned digits = duration_units[u].digits;
    uint64_t mult = duration_units[u].mult;
    if (mult > 1 && (unsigned)(frac_end - frac_start) > digits) {
        /* minutes, hours, days: "0.0000000001m" is 6 ns, still whole */
        digits = (unsigned)(frac_end - frac_start);
        if (digits > 18)
            return RS_DURATION_SUB_NS;
    }
    for (const char *q = int_start; q < int_end; q++) {
        if (m > (UINT64_MAX - 9) / 10)
            return RS_DURATION_TOO_LARGE;
        m = m * 10 + (uint64_t)(*q - '0');
    }
    const char *q = frac_start;
    for (unsigned k = 0; k < digits; k++) {
        unsigned d = q < frac_end ? (unsigned)(*q++ - '0') : 0;
        if (m > (UINT64_MAX - 9) / 10)
            return RS_DURATION_TOO_LARGE;
        m = m * 10 + d;
    }
    for (; q < frac_end; q++)
        if (*q != '0')
            return RS_DURATION_SUB_NS;  /* "0.0000000015s" */
    if (mult > 1 && digits > duration_units[u].digits) {
        /* m is in units of 10^-digits of the unit: scale to ns exactly */
        uint64_t den = 1;
        for (unsigned k = duration_units[u].digits; k < digits; k++)
            den *= 10;
        if (m > UINT64_MAX / mult)
            return RS_DURATION_TOO_LARGE;
        m *= mult;
        if (m % den != 0)
            return RS_DURATION_SUB_NS;
        m /= den;
        mult = 1;
    }
    if (m > (uint64_t)INT64_MAX / mult)
        return RS_DURATION_TOO_LARGE;
    *out = (rs_time_t)(m * mult);
    return RS_DURATION_OK;
}

/* True if `text` is a valid duration with a unit (rs_duration_parse). */
bool
rs_parse_duration(const char *text, rs_time_t *out)
{
    return rs_duration_parse(text, out) == RS_DURATION_OK;
}

/* The pattern of a duration: one or more parts NUMBER UNIT ("1m20s"), the
 * units those of duration_units (longest first, so "ms" is not "m" "s"). */
const char *
rs_duration_pattern(void)
{
    static char pattern[160];
    if (pattern[0] == '\0') {
        GString *g = g_string_new("^([0-9]+(\\.[0-9]+)?(");
        for (size_t len = 3; len >= 1; len--)
            for (size_t i = 0; i < G_N_ELEMENTS(duration_units); i++)
                if (strlen(duration_units[i].suffix) == len)
                    g_string_append_printf(g, "%s%s", g->str[g->len - 1] == '(' ? "" : "|",
                                           duration_units[i].suffix);
        g_string_append(g, "))+$");
        g_strlcpy(pattern, g->str, sizeof pattern);
        g_string_free(g, TRUE);
    }
    return pattern;
}

/* The units rs_parse_rate reads, and their length in seconds. */
static const struct {
    const char *suffix;
    double per;
} rate_units[] = {{"/s", 1}, {"/m", 60}, {"/h", 3600}};

/* The pattern of a rate: NUMBER/UNIT, the units of rate_units. */
const char *
rs_rate_pattern(void)
{
    static char pattern[64];
    if (pattern[0] == '\0') {
        GString *g = g_string_new("^[0-9]+(\\.[0-9]+)?/(");
        for (size_t i = 0; i < G_N_ELEMENTS(rate_units); i++)
            g_string_append_printf(g, "%s%s", i ? "|" : "", rate_units[i].suffix + 1);
        g_string_append(g, ")$");
        g_strlcpy(pattern, g->str, sizeof pattern);
        g_string_free(g, TRUE);
    }
    return pattern;
}

/* Parses "100/s", "6000/m", "10/h": a unit is required (the scenario's
 * JSON numbers are per second; a string of digits alone is ambiguous). */
bool
rs_parse_rate(const char *text, double *out)
{
    if (!text || !g_ascii_isdigit(*text))
        return false;
    const char *p = text;
    while (g_ascii_isdigit(*p))
        p++;
    if (*p == '.') {
        p++;
        if (!g_ascii_isdigit(*p))
            return false;
        while (g_ascii_isdigit(*p))
            p++;
    }
    double per = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(rate_units); i++)
        if (strcmp(p, rate_units[i].suffix) == 0)
            per = rate_units[i].per;
    if (per == 0)
        return false;
    double v = g_ascii_strtod(text, NULL) / per;
    if (!isfinite(v) || v < 0)
        return false;
    *out = v;
    return true;
}

/* The router's timeout annotation (R31): `[1-9][0-9]*(us|ms|s|m|h|d)?`, no
 * unit meaning ms; HAProxy clips at 2147483647 ms.  The one parser: the
 * router (src/world/router.c) reads the annotation with it and `check`
 * warns with it, so the two cannot disagree. */
bool
rs_parse_route_timeout(const char *v, rs_time_t *out)
{
    if (v == NULL || v[0] < '1' || v[0] > '9')
        return false;
    const char *p = v;
    uint64_t n = 0;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t)(*p - '0');
        if (n > 1000000000ULL)
            return false;
        p++;
    }
    rs_time_t unit;
    if (*p == '\0' || strcmp(p, "ms") == 0)
        unit = RS_MS;
    else if (strcmp(p, "us") == 0)
        unit = RS_US;
    else if (strcmp(p, "s") == 0)
        unit = RS_SEC;
    else if (strcmp(p, "m") == 0)
        unit = 60 * RS_SEC;
    else if (strcmp(p, "h") == 0)
        unit = 3600 * RS_SEC;
    else if (strcmp(p, "d") == 0)
        unit = 86400 * RS_SEC;
    else
        return false;
    rs_time_t t = (rs_time_t)n * unit;
    *out = MIN(t, (rs_time_t)2147483647 * RS_MS);
    return true;
}

/* Parses one decimal octet-like number without leading zeros; returns the end. */
static const char *
parse_dec(const char *p, unsigned max, unsigned *out)
{
    if (!g_ascii_isdigit(*p))
        return NULL;
    if (p[0] == '0' && g_ascii_isdigit(p[1]))
        return NULL;        /* leading zero: octal to some tools */
    unsigned v = 0;
    int n = 0;
    while (g_ascii_isdigit(*p)) {
        v = v * 10 + (unsigned)(*p++ - '0');
        if (++n > 3 || v > max)
            return NULL;
    }
    *out = v;
    return p;
}

/* Parses an address at p; returns the end or NULL. */
static const char *
parse_ipv4_prefix(const char *p, uint32_t *out)
{
    uint32_t ip = 0;
    for (int k = 0; k < 4; k++) {
        unsigned o;
        if (k > 0) {
            if (*p != '.')
                return NULL;
            p++;
        }
        if (!(p = parse_dec(p, 255, &o)))
            return NULL;
        ip = (ip << 8) | o;
    }
    *out = ip;
    return p;
}

/* Parses a strict dotted quad ("10.128.0.1"), R1. */
bool
rs_parse_ipv4(const char *text, uint32_t *out)
{
    uint32_t ip;
    const char *end = text ? parse_ipv4_prefix(text, &ip) : NULL;
    if (!end || *end)
        return false;
    *out = ip;
    return true;
}

/* Parses "a.b.c.d/n" (no host bits) or a bare address (= /32). */
bool
rs_parse_cidr(const char *text, uint32_t *net, uint32_t *prefix)
{
    uint32_t ip;
    unsigned n = 32;
    const char *end = text ? parse_ipv4_prefix(text, &ip) : NULL;
    if (!end)
        return false;
    if (*end == '/') {
        end = parse_dec(end + 1, 32, &n);
        if (!end)
            return false;
    }
    if (*end)
        return false;
    uint32_t mask = n == 0 ? 0 : 0xFFFFFFFFu << (32 - n);
    if (ip & ~mask)
        return false;
    *net = ip;
    *prefix = n;
    return true;
}

/* Formats an address as a dotted quad.  By hand: every pod, service and
 * log line formats addresses, and snprintf cost ~1700 instructions a call. */
char *
rs_ipv4_format(uint32_t ip, char *buf)
{
    char *p = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned b = (ip >> shift) & 255;
        if (b >= 100)
            *p++ = (char)('0' + b / 100);
        if (b >= 10)
            *p++ = (char)('0' + b / 10 % 10);
        *p++ = (char)('0' + b % 10);
        *p++ = shift ? '.' : '\0';
    }
    return buf;
}

/* Writes v in decimal at p (no NUL); returns the end. */
static char *
put_u64(char *p, uint64_t v)
{
    char d[20];
    size_t n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = d[--n];
    return p;
}

/* Writes a string at p (no NUL); returns the end. */
static char *
put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

/* Formats a duration with the largest unit that keeps it short and exact
 * ("1h", "2m", "1.5s", "250ms", "0s", "never"); written by hand like
 * rs_ipv4_format (reports and topologies format one per object). */
char *
rs_duration_format(rs_time_t t, char *buf)
{
    if (t == RS_TIME_NEVER) {
        strcpy(buf, "never");   /* NOLINT(clang-analyzer-security.insecureAPI.strcpy): buf holds 32 */
        return buf;
    }
    char *p = buf;
    uint64_t v = (uint64_t)t;
    if (t < 0) {
        *p++ = '-';
        v = (uint64_t)0 - (uint64_t)t;
    }
    if (v == 0) {
        strcpy(buf, "0s");      /* NOLINT(clang-analyzer-security.insecureAPI.strcpy): buf holds 32 */
        return buf;
    }
    const uint64_t H = 3600000000000ull, M = 60000000000ull;
    if (v % H == 0) {
        p = put_str(put_u64(p, v / H), "h");
        *p = '\0';
        return buf;
    }
    if (v % M == 0 && v < H * 24) {
        p = put_str(put_u64(p, v / M), "m");
        *p = '\0';
        return buf;
    }
    static const struct { uint64_t unit; int digits; const char *name; } u[] = {
        {1000000000, 9, "s"}, {1000000, 6, "ms"}, {1000, 3, "us"}, {1, 0, "ns"},
    };
    size_t k = 0;
    while (k + 1 < G_N_ELEMENTS(u) && v < u[k].unit)
        k++;
    uint64_t whole = v / u[k].unit, frac = v % u[k].unit;
    p = put_u64(p, whole);
    if (frac != 0) {
        /* the fraction with its leading zeros, without its trailing ones */
        char fb[16];
        for (int i = u[k].digits - 1; i >= 0; i--) {
            fb[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int n = u[k].digits;
        /* cppcheck-suppress uninitvar ; the loop above wrote fb[0 .. digits - 1], n <= digits */
        while (n > 1 && fb[n - 1] == '0')
            n--;
        *p++ = '.';
        for (int i = 0; i < n; i++)
            *p++ = fb[i];
    }
    p = put_str(p, u[k].name);
    *p = '\0';
    return buf;
}

/* The word for a pod state, as written in scenarios. */
const char *
rs_pod_state_word(RsPodState s)
{
    switch (s) {
    case RS_POD_PENDING: return "pending";
    case RS_POD_RUNNING: return "running";
    case RS_POD_READY: return "ready";
    case RS_POD_FAILED: return "failed";
    case RS_POD_GONE: return "gone";
    case RS_POD_NOT_READY: return "not-ready";     /* R52 */
    case RS_POD_TERMINATING: return "terminating"; /* R55 */
    }
    return "?";
}

/* The default limits (each can be raised with a command-line flag). */
void
rs_limits_default(RsLimits *l)
{
    l->max_objects = 100000;
    l->max_events = 100000000;     /* ~20-60 s of CPU; see RS_EVENTS_PER_REQUEST */
    l->max_duration = (rs_time_t)30 * 24 * 3600 * RS_SEC;
    l->max_memory = (uint64_t)2 << 30;     /* 2 GiB */
}

/* A duration, also written as several parts the way Go and kubectl write
 * them ("1m20s", "1h30m", "2s500ms"): each part is parsed as above and the
 * parts are added; every part needs its unit. */
RsDurationStatus
rs_duration_parse(const char *text, rs_time_t *out)
{
    RsDurationStatus st = parse_one(text, out);
    if (st != RS_DURATION_SYNTAX || !text || !g_ascii_isdigit(*text))
        return st;
    rs_time_t total = 0;
    const char *p = text;
    unsigned parts = 0;
    while (*p) {
        const char *q = p;
        while (g_ascii_isdigit(*q) || *q == '.')
            q++;
        if (q == p || !g_ascii_isalpha(*q))
            return RS_DURATION_SYNTAX;
        while (g_ascii_isalpha(*q))
            q++;
        g_autofree char *part = g_strndup(p, (gsize)(q - p));
        rs_time_t t;
        st = parse_one(part, &t);
        if (st != RS_DURATION_OK)
            return st == RS_DURATION_NO_UNIT ? RS_DURATION_SYNTAX : st;
        if (t > G_MAXINT64 - total)
            return RS_DURATION_TOO_LARGE;
        total += t;
        parts++;
        p = q;
    }
    if (parts < 2)
        return RS_DURATION_SYNTAX;
    *out = total;
    return RS_DURATION_OK;
}
