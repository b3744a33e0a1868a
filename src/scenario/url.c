/* url.c: request targets (scenario-format.md, "Where a request goes"):
 * http://NAME[:PORT][/PATH], https://... (default ports 80 and 443) and
 * tcp://NAME:PORT (port required, no path).  NAME is a DNS name (kept as
 * written, lowercased, trailing dot and all: R17 treats it specially), an
 * IPv4 literal, or @ns/pod (the address that pod has or last had, R3/R9).
 * An IPv6 literal is an input error (R1).  A query or fragment is dropped:
 * route selection looks at the path only (R21).
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "rahtisim/scenario.h"
#include "scenario/arena.h"
#include "rahtisim/util.h"

/* True for a DNS-1123 label: [a-z0-9]([a-z0-9-]*[a-z0-9])?, at most 63. */
static bool
is_label(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(g_ascii_islower(s[i]) || g_ascii_isdigit(s[i]) || s[i] == '-'))
            return false;
    return true;
}

/* True for a lowercase DNS name of labels, optionally ending with a dot. */
static bool
is_dns_name(const char *s)
{
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!is_label(s + start, i - start))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* The URL as a person would write it: default ports and "/" left out where
 * the scheme implies them (g_free it). */
char *
rs_url_format(const RsUrl *u)
{
    static const char *const schemes[] = {"http", "https", "tcp"};
    static const uint16_t default_port[] = {80, 443, 0};
    GString *s = g_string_new(schemes[u->scheme]);
    g_string_append(s, "://");
    if (u->pod_ref != NULL) {
        g_string_append_printf(s, "@%s", u->pod_ref);
    } else if (u->is_ip) {
        char ip[16];
        g_string_append(s, rs_ipv4_format(u->ip, ip));
    } else {
        g_string_append(s, u->host ? u->host : "?");
    }
    if (u->port != default_port[u->scheme])
        g_string_append_printf(s, ":%u", u->port);
    if (u->scheme != RS_SCHEME_TCP)
        g_string_append(s, u->path ? u->path : "/");
    return g_string_free(s, FALSE);
}

/* "ns/name" for a pod or deployment, the name for a host, into buf. */
const char *
rs_from_format(const RsFrom *f, char *buf, size_t len)
{
    if (f->ns != NULL)
        g_snprintf(buf, len, "%s/%s", f->ns, f->name);
    else
        g_snprintf(buf, len, "%s", f->name ? f->name : "?");
    return buf;
}

/* The Host header of a DNS name; see scenario.h (R21, C3). */
bool
rs_url_host_header(const char *host, char *buf, size_t len)
{
    size_t n = rs_copy_str(buf, host, len);     /* per request (issue 14): one strlen and memcpy */
    bool dot = n > 1 && buf[n - 1] == '.';
    if (dot)
        buf[n - 1] = '\0';
    for (char *c = buf; *c; c++)
        *c = *c >= 'A' && *c <= 'Z' ? (char)(*c + ('a' - 'A')) : *c;   /* g_ascii_tolower */
    return dot;
}

/* Frees what a URL owns and zeroes it. */
void
rs_url_clear(RsUrl *u)
{
    if (!u)
        return;
    rs_spec_free(u->host);
    rs_spec_free(u->pod_ref);
    rs_spec_free(u->path);
    memset(u, 0, sizeof *u);
}

/* Sets *error (RS_SCENARIO_ERROR_INVALID) and returns false. */
G_GNUC_PRINTF(2, 3) static bool
url_fail(GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_INVALID, msg);
    return false;
}

/* Parses a request target; on error returns false, `out` zeroed, *error set. */
bool
rs_url_parse(const char *text, RsUrl *out, GError **error)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return url_fail(error, "expected a URL");
    for (const char *c = text; *c; c++)
        if (g_ascii_isspace(*c))
            return url_fail(error, "a URL cannot contain spaces");
    const char *sep = strstr(text, "://");
    if (!sep)
        return url_fail(error, "expected a URL like http://NAME[:PORT][/PATH], https://... or tcp://NAME:PORT");
    g_autofree char *scheme = g_ascii_strdown(text, sep - text);
    RsUrl u = {0};
    if (strcmp(scheme, "http") == 0) {
        u.scheme = RS_SCHEME_HTTP;
        u.port = 80;
    } else if (strcmp(scheme, "https") == 0) {
        u.scheme = RS_SCHEME_HTTPS;
        u.port = 443;
    } else if (strcmp(scheme, "tcp") == 0) {
        u.scheme = RS_SCHEME_TCP;
    } else {
        return url_fail(error, "unknown URL scheme `%s` (use http://, https:// or tcp://)", scheme);
    }
    const char *p = sep + 3;
    const char *host_end;
    if (*p == '[') {
        return url_fail(error, "IPv6 address in `%s`: rahtisim models IPv4 only (R1)", text);
    } else if (*p == '@') {
        /* @ns/pod: the only authority with a slash in it */
        const char *slash = strchr(p, '/');
        if (!slash)
            return url_fail(error, "expected @NAMESPACE/POD after the scheme");
        const char *pe = slash + 1;
        while (*pe && *pe != ':' && *pe != '/' && *pe != '?' && *pe != '#')
            pe++;
        if (!is_label(p + 1, (size_t)(slash - p - 1)) || !is_label(slash + 1, (size_t)(pe - slash - 1)))
            return url_fail(error, "expected @NAMESPACE/POD after the scheme (lowercase names)");
        u.pod_ref = g_strndup(p + 1, (size_t)(pe - p - 1));
        host_end = pe;
    } else {
        host_end = p;
        while (*host_end && *host_end != '/' && *host_end != '?' && *host_end != '#')
            host_end++;
        g_autofree char *auth = g_strndup(p, (size_t)(host_end - p));
        char *colon = strchr(auth, ':');
        if (colon && strchr(colon + 1, ':')) {
            struct in6_addr a6;
            if (inet_pton(AF_INET6, auth, &a6) == 1)
                return url_fail(error, "IPv6 address `%s`: rahtisim models IPv4 only (R1)", auth);
            return url_fail(error, "invalid host `%s`", auth);
        }
        if (strchr(auth, '@'))
            return url_fail(error, "user names in URLs are not supported (`%s`)", auth);
        if (colon)
            host_end = p + (colon - auth);
        g_autofree char *host = g_ascii_strdown(p, host_end - p);
        if (!*host) {
            rs_url_clear(&u);
            return url_fail(error, "missing host name in `%s`", text);
        }
        bool numeric = true;
        for (const char *c = host; *c; c++)
            if (!g_ascii_isdigit(*c) && *c != '.')
                numeric = false;
        if (numeric && strchr(host, '.') && host[strlen(host) - 1] != '.') {
            if (!rs_parse_ipv4(host, &u.ip))
                return url_fail(error, "invalid IPv4 address `%s`", host);
            u.is_ip = true;
        } else if (!is_dns_name(host)) {
            return url_fail(error, "invalid host name `%s` (letters, digits, `-` and dots)", host);
        }
        if (!u.is_ip)
            u.host = g_steal_pointer(&host);
    }
    p = host_end;
    bool has_port = false;
    if (*p == ':') {
        p++;
        unsigned v = 0;
        const char *d = p;
        while (g_ascii_isdigit(*p) && v <= 65535)
            v = v * 10 + (unsigned)(*p++ - '0');
        if (p == d || v < 1 || v > 65535 || (*p && *p != '/' && *p != '?' && *p != '#')) {
            rs_url_clear(&u);
            return url_fail(error, "invalid port in `%s` (1-65535)", text);
        }
        u.port = (uint16_t)v;
        has_port = true;
    }
    if (u.scheme == RS_SCHEME_TCP && !has_port) {
        rs_url_clear(&u);
        return url_fail(error, "a tcp:// URL needs a port (tcp://NAME:PORT)");
    }
    size_t plen = strcspn(p, "?#");
    if (u.scheme == RS_SCHEME_TCP && plen > 0 && strcmp(p, "/") != 0) {
        rs_url_clear(&u);
        return url_fail(error, "a tcp:// URL has no path");
    }
    u.path = plen > 0 ? g_strndup(p, plen) : g_strdup("/");
    *out = u;
    return true;
}
