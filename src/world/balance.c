/* balance.c: whitelists, path and certificate matching, and the balance
 * algorithms of the HAProxy router (R21, R23, R25, R26).
 *
 * WHAT IT MODELS
 * --------------
 * R25: `acl allowlist src <list>` + `tcp-request content reject if
 * !allowlist`.  The list is IPv4 addresses and CIDRs separated by spaces; the
 * router (OKD <= 4.18, both profiles) discards the whole list when any entry
 * is malformed or the value has leading or trailing whitespace, and the route
 * is then open to everyone.  What separates entries depends on the router
 * (background openshift-router.md 2.1, RsWlSyntax):
 *   rahti-1, OKD 3.11: the template's pattern `(?:%s(?: +%s)*)`: a run of
 *     spaces separates entries; any other whitespace (a tab, a newline) is
 *     part of an entry, which is then malformed;
 *   rahti-2, OKD 4: parseIPList rejects a value with leading or trailing
 *     whitespace (strings.TrimSpace) and splits the rest with strings.Fields:
 *     any run of whitespace (Go's unicode.IsSpace) separates entries.
 * Two spaces in a row are therefore one separator on both, never an empty
 * entry.  `rahtisim check` warns with the same rules
 * (src/scenario/loader-objects.c, ld_whitelist_check).
 *
 * R26: HAProxy's algorithms over one backend's servers in one process:
 *   roundrobin  smooth weighted round-robin: each pick adds every eligible
 *               server's weight to its credit, takes the largest credit and
 *               takes the total off it.  Exact shares, interleaved (HAProxy's
 *               weighted round-robin spreads the same way).
 *   leastconn   the fewest open connections per unit of weight; ties go to
 *               the next server after the last one picked (HAProxy rotates
 *               servers of equal load), so sequential requests round-robin.
 *   source      a hash of the client address over the weighted servers
 *               (map-based; OpenShift sets `hash-type consistent` for
 *               passthrough, which differs only when the server set changes).
 *               The address only, as HAProxy's `balance source`: every
 *               client of one machine (rs_sim_request_client) maps to one
 *               server; clients differ in their cookies (R27), not here.
 *   random      power of two choices: two weighted random draws from the
 *               replica's stream, the one with fewer connections wins (the
 *               first on a tie): HAProxy's `random(2)`.
 * Servers marked down by health checks (R29) and servers of weight 0 (kept
 * only for cookies, R27) are never picked by an algorithm.
 *
 * COST
 * ----
 * A pick is O(servers of the backend) for roundrobin, leastconn and source,
 * O(servers) for random's weighted draw: it depends on one route's endpoint
 * count, never on the number of routes, pods or namespaces.
 *
 * Rules: R21, R23, R25, R26, R29.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/router.h"

/* Parses "a.b.c.d" or "a.b.c.d/n" (R25, R36). */
bool
rs_cidr_parse(const char *text, RsCidr *out)
{
    char buf[32];
    size_t len = strlen(text);
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len + 1);
    unsigned prefix = 32;
    char *slash = strchr(buf, '/');
    if (slash != NULL) {
        *slash = '\0';
        guint64 n;
        if (slash[1] == '\0' || !g_ascii_string_to_unsigned(slash + 1, 10, 0, 32, &n, NULL))
            return false;
        prefix = (unsigned)n;
    }
    uint32_t ip;
    if (!rs_parse_ipv4(buf, &ip))
        return false;
    out->mask = prefix == 0 ? 0 : ~(uint32_t)0 << (32 - prefix);
    out->net = ip & out->mask;
    return true;
}

/* Whether the network covers `ip`. */
bool
rs_cidr_contains(const RsCidr *c, uint32_t ip)
{
    return (ip & c->mask) == c->net;
}

/* The length in bytes of the whitespace character at `p` as Go's
 * unicode.IsSpace sees it (ASCII \t \n \v \f \r and space, U+0085, and the
 * Unicode White_Space characters), or 0 (R25, rahti-2: strings.Fields and
 * strings.TrimSpace).  Bytes that are not valid UTF-8 are not spaces. */
static size_t
go_space_len(const char *p, const char *end)
{
    unsigned char c = (unsigned char)*p;
    if (c < 0x80)
        return c == ' ' || (c >= '\t' && c <= '\r') ? 1 : 0;
    gunichar u = g_utf8_get_char_validated(p, end - p);
    if (u == (gunichar)-1 || u == (gunichar)-2)
        return 0;
    if (u == 0x85 || g_unichar_isspace(u))
        return (size_t)(g_utf8_next_char(p) - p);
    return 0;
}

/* The length of the separator at `p` under `syntax` (R25), or 0. */
static size_t
separator_len(const char *p, const char *end, RsWlSyntax syntax)
{
    if (syntax == RS_WL_SPACES)
        return *p == ' ' ? 1 : 0;
    return go_space_len(p, end);
}

/* Parses a whitelist value (R25); see router.h. */
void
rs_whitelist_parse(const char *value, RsWlSyntax syntax, RsWhitelist *out)
{
    memset(out, 0, sizeof *out);
    if (value == NULL || value[0] == '\0')
        return;
    out->present = true;
    const char *end = value + strlen(value);
    /* R25: leading or trailing whitespace: the whole list is ignored (both
     * routers: OKD 3.11's anchored pattern starts and ends with an entry;
     * OKD 4's parseIPList compares the value with strings.TrimSpace of it). */
    const char *last = g_utf8_find_prev_char(value, end);
    if (go_space_len(value, end) > 0 || (last != NULL && go_space_len(last, end) > 0)) {
        out->discarded = true;
        return;
    }
    GArray *entries = g_array_new(FALSE, FALSE, sizeof(RsCidr));
    const char *p = value;
    while (p < end) {
        const char *q = p;
        while (q < end && separator_len(q, end, syntax) == 0)
            q++;
        char word[64];          /* an entry is at most 18 characters ("255.255.255.255/32") */
        size_t len = MIN((size_t)(q - p), sizeof word - 1);
        memcpy(word, p, len);
        word[len] = '\0';
        RsCidr c;
        if ((size_t)(q - p) != len || !rs_cidr_parse(word, &c)) {
            /* R25: one malformed entry discards the whole list: open to all. */
            g_array_free(entries, TRUE);
            out->discarded = true;
            return;
        }
        g_array_append_val(entries, c);
        while (q < end) {       /* a run of separators is one separator */
            size_t n = separator_len(q, end, syntax);
            if (n == 0)
                break;
            q += n;
        }
        p = q;
    }
    out->n = entries->len;
    out->entries = (RsCidr *)(void *)g_array_free(entries, FALSE);
}

/* Frees a parsed whitelist's entries. */
void
rs_whitelist_clear(RsWhitelist *wl)
{
    g_clear_pointer(&wl->entries, g_free);
    wl->n = 0;
}

/* Whether a source may use the route (R25). */
bool
rs_whitelist_allows(const RsWhitelist *wl, uint32_t ip)
{
    if (!wl->present || wl->discarded)
        return true;
    for (unsigned i = 0; i < wl->n; i++) {
        if (rs_cidr_contains(&wl->entries[i], ip))
            return true;
    }
    return false;
}

/* R21: the router's path regexp `^<path>(/.*)?$` as a prefix test. */
bool
rs_route_path_matches(const char *route_path, const char *req_path)
{
    size_t rl = strlen(route_path);
    size_t ql = strcspn(req_path, "?");
    if (rl == 0 || (rl == 1 && route_path[0] == '/'))
        return true;
    if (ql < rl || strncmp(req_path, route_path, rl) != 0)
        return false;
    if (route_path[rl - 1] == '/')
        return true;            /* "/foo/" matches "/foo/..." only */
    return ql == rl || req_path[rl] == '/';
}

/* Whether a certificate for `cert` is valid for `host` (R23). */
bool
rs_cert_valid_for(const char *cert, const char *host)
{
    if (cert == NULL || host == NULL)
        return false;
    if (g_ascii_strcasecmp(cert, host) == 0)
        return true;
    if (cert[0] != '*' || cert[1] != '.')
        return false;
    const char *dot = strchr(host, '.');
    return dot != NULL && dot != host && g_ascii_strcasecmp(dot + 1, cert + 2) == 0;
}

/* Whether `host` is one letters-digits-dashes label under the app domain (R18). */
bool
rs_app_domain_name(const char *host, const char *app_domain)
{
    if (host == NULL || app_domain == NULL)
        return false;
    size_t hl = strlen(host), al = strlen(app_domain);
    if (hl <= al + 1 || host[hl - al - 1] != '.' || strcmp(host + hl - al, app_domain) != 0)
        return false;
    size_t label = hl - al - 1;
    if (label > 63)
        return false;
    for (size_t i = 0; i < label; i++) {
        if (!g_ascii_isalnum(host[i]) && host[i] != '-')
            return false;
    }
    return true;
}

/* The annotation word of an algorithm. */
const char *
rs_balance_word(RsBalance b)
{
    switch (b) {
    case RS_BAL_RANDOM: return "random";
    case RS_BAL_ROUNDROBIN: return "roundrobin";
    case RS_BAL_LEASTCONN: return "leastconn";
    case RS_BAL_SOURCE: return "source";
    }
    return "?";
}

/* A new balancer: every server up, no connections, no credit (R28). */
void
rs_balancer_init(RsBalancer *b, RsBalance algo, const unsigned *weights, unsigned n)
{
    b->algo = algo;
    b->n = n;
    b->s = g_new0(RsBalServer, n ? n : 1);
    for (unsigned i = 0; i < n; i++) {
        b->s[i].weight = weights[i];
        b->s[i].moved = i;      /* C5: the tree starts in server order */
    }
    b->clock = n;
}

/* A connection opens; see router.h. */
void
rs_balancer_take(RsBalancer *b, unsigned k)
{
    b->s[k].conns++;
    b->s[k].moved = ++b->clock;
}

/* A connection closes; see router.h. */
void
rs_balancer_release(RsBalancer *b, unsigned k)
{
    if (b->s[k].conns > 0)
        b->s[k].conns--;
    b->s[k].moved = ++b->clock;
}

/* Frees a balancer's servers. */
void
rs_balancer_clear(RsBalancer *b)
{
    g_clear_pointer(&b->s, g_free);
    b->n = 0;
}

/* Whether server i may be picked by an algorithm (R26, R27, R29). */
static bool
eligible(const RsBalancer *b, unsigned i, int exclude, bool others)
{
    return b->s[i].weight > 0 && !b->s[i].down && (!others || (int)i != exclude);
}

/* The eligible server at position `r` of the cumulative weights. */
static int
weighted_at(const RsBalancer *b, uint64_t r, int exclude, bool others)
{
    for (unsigned i = 0; i < b->n; i++) {
        if (!eligible(b, i, exclude, others))
            continue;
        if (r < b->s[i].weight)
            return (int)i;
        r -= b->s[i].weight;
    }
    return -1;
}

/* Picks a server (R26); see router.h. */
int
rs_balancer_pick(RsBalancer *b, RsRng *rng, uint32_t client, int exclude)
{
    uint64_t total = 0;
    unsigned count = 0;
    for (unsigned i = 0; i < b->n; i++) {
        if (eligible(b, i, exclude, true)) {
            total += b->s[i].weight;
            count++;
        }
    }
    bool others = count > 0;    /* skip `exclude` only if another server is eligible */
    if (!others) {
        for (unsigned i = 0; i < b->n; i++) {
            if (eligible(b, i, exclude, false)) {
                total += b->s[i].weight;
                count++;
            }
        }
    }
    if (count == 0)
        return -1;
    int best = -1;
    switch (b->algo) {
    case RS_BAL_ROUNDROBIN:
        for (unsigned i = 0; i < b->n; i++) {
            if (!eligible(b, i, exclude, others))
                continue;
            b->s[i].cw += (int)b->s[i].weight;
            if (best < 0 || b->s[i].cw > b->s[best].cw)
                best = (int)i;
        }
        b->s[best].cw -= (int)total;
        break;
    case RS_BAL_LEASTCONN:
        for (unsigned i = 0; i < b->n; i++) {
            if (!eligible(b, i, exclude, others))
                continue;
            /* conns/weight < best conns/best weight, by cross-multiplication;
             * C5: a tie goes to the server whose count changed least recently
             * (HAProxy's tree keeps equal keys in insertion order) */
            uint64_t x = (uint64_t)b->s[i].conns * b->s[best < 0 ? i : (unsigned)best].weight;
            uint64_t y = best < 0 ? 0 : (uint64_t)b->s[best].conns * b->s[i].weight;
            if (best < 0 || x < y || (x == y && b->s[i].moved < b->s[best].moved))
                best = (int)i;
        }
        break;
    case RS_BAL_SOURCE:
        /* C5: HAProxy's map-based source hash: the address as a number
         * (ntohl) modulo the total weight, walked in server order */
        best = weighted_at(b, (uint64_t)client % total, exclude, others);
        break;
    case RS_BAL_RANDOM: {
        int a = weighted_at(b, rs_rng_below(rng, total), exclude, others);
        int c = weighted_at(b, rs_rng_below(rng, total), exclude, others);
        best = (uint64_t)b->s[c].conns * b->s[a].weight < (uint64_t)b->s[a].conns * b->s[c].weight ? c : a;
        break;
    }
    }
    return best;
}
