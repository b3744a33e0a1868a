/* units.c: the small value parsers every layer shares: durations, rates,
 * IPv4 addresses and CIDRs, their formatters, pod state words, limits and
 * the scenario error domain.
 *
 * Durations are parsed exactly in integer nanoseconds (no floating point:
 * "0.1s" is 100000000 ns, not 99999999); digits finer than a nanosecond are
 * dropped.  Addresses are strict (R1: IPv4 only; no leading zeros, which
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

/* Parses "250ms", "1.5s", "2m", "1h", "10us", "5ns", "30d", or a plain number of seconds. */
bool
rs_parse_duration(const char *text, rs_time_t *out)
{
    if (!text)
        return false;
    const char *p = text;
    if (!g_ascii_isdigit(*p))
        return false;       /* no sign, no leading dot, no spaces */
    const char *int_start = p;
    while (g_ascii_isdigit(*p))
        p++;
    const char *int_end = p;
    const char *frac_start = p, *frac_end = p;
    if (*p == '.') {
        p++;
        frac_start = p;
        if (!g_ascii_isdigit(*p))
            return false;
        while (g_ascii_isdigit(*p))
            p++;
        frac_end = p;
    }
    const char *suffix = *p ? p : "s";
    size_t u;
    for (u = 0; u < G_N_ELEMENTS(duration_units); u++)
        if (strcmp(suffix, duration_units[u].suffix) == 0)
            break;
    if (u == G_N_ELEMENTS(duration_units))
        return false;
    /* mantissa = integer digits followed by exactly `digits` fraction digits */
    uint64_t m = 0;
    unsigned digits = duration_units[u].digits;
    for (const char *q = int_start; q < int_end; q++) {
        if (m > (UINT64_MAX - 9) / 10)
            return false;
        m = m * 10 + (uint64_t)(*q - '0');
    }
    const char *q = frac_start;
    for (unsigned k = 0; k < digits; k++) {
        unsigned d = q < frac_end ? (unsigned)(*q++ - '0') : 0;
        if (m > (UINT64_MAX - 9) / 10)
            return false;
        m = m * 10 + d;
    }
    uint64_t mult = duration_units[u].mult;
    if (m > (uint64_t)INT64_MAX / mult)
        return false;
    *out = (rs_time_t)(m * mult);
    return true;
}

/* Parses "100/s", "6000/m", "10/h", or a plain number per second. */
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
    double per = 1;
    if (*p == '/') {
        if (strcmp(p, "/s") == 0)
            per = 1;
        else if (strcmp(p, "/m") == 0)
            per = 60;
        else if (strcmp(p, "/h") == 0)
            per = 3600;
        else
            return false;
    } else if (*p) {
        return false;
    }
    double v = g_ascii_strtod(text, NULL) / per;
    if (!isfinite(v) || v < 0)
        return false;
    *out = v;
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

/* Formats an address as a dotted quad. */
char *
rs_ipv4_format(uint32_t ip, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", (ip >> 24) & 255, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
    return buf;
}

/* Formats a duration with the largest unit that keeps it short and exact. */
char *
rs_duration_format(rs_time_t t, char *buf)
{
    if (t == RS_TIME_NEVER) {
        snprintf(buf, 32, "never");
        return buf;
    }
    const char *sign = "";
    uint64_t v = (uint64_t)t;
    if (t < 0) {
        sign = "-";
        v = (uint64_t)0 - (uint64_t)t;
    }
    if (v == 0) {
        snprintf(buf, 32, "0s");
        return buf;
    }
    const uint64_t H = 3600000000000ull, M = 60000000000ull;
    if (v % H == 0) {
        snprintf(buf, 32, "%s%" G_GUINT64_FORMAT "h", sign, v / H);
        return buf;
    }
    if (v % M == 0 && v < H * 24) {
        snprintf(buf, 32, "%s%" G_GUINT64_FORMAT "m", sign, v / M);
        return buf;
    }
    static const struct { uint64_t unit; int digits; const char *name; } u[] = {
        {1000000000, 9, "s"}, {1000000, 6, "ms"}, {1000, 3, "us"}, {1, 0, "ns"},
    };
    size_t k = 0;
    while (k + 1 < G_N_ELEMENTS(u) && v < u[k].unit)
        k++;
    uint64_t whole = v / u[k].unit, frac = v % u[k].unit;
    if (frac == 0) {
        snprintf(buf, 32, "%s%" G_GUINT64_FORMAT "%s", sign, whole, u[k].name);
        return buf;
    }
    char fb[16];
    snprintf(fb, sizeof fb, "%0*" G_GUINT64_FORMAT, u[k].digits, frac);
    for (int i = (int)strlen(fb) - 1; i > 0 && fb[i] == '0'; i--)
        fb[i] = '\0';
    g_snprintf(buf, 32, "%s%" G_GUINT64_FORMAT ".%s%s", sign, whole, fb, u[k].name);
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
    }
    return "?";
}

/* The default limits (each can be raised with a command-line flag). */
void
rs_limits_default(RsLimits *l)
{
    l->max_objects = 100000;
    l->max_events = 1000000;
    l->max_duration = (rs_time_t)30 * 24 * 3600 * RS_SEC;
}
