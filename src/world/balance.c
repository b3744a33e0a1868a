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
 * Unindexed, a pick is O(servers of the backend) for roundrobin, leastconn
 * and source, O(servers) for random's weighted draw: it depends on one
 * route's endpoint count, never on the number of routes, pods or
 * namespaces.  The router indexes its balancers (rs_balancer_index, below):
 * leastconn with one weight, and random and source with one weight and no
 * server down, then pick in O(1) amortised, with the same choices.
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
    if (rl == 0 || (rl == 1 && route_path[0] == '/'))
        return true;            /* without reading the request's path (issue 14: a cold line) */
    size_t ql = strcspn(req_path, "?");
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

/* ---- the index (docs/performance.md, "One route, many servers") ----
 *
 * A balancer made by rs_balancer_init scans its servers on every pick:
 * O(servers).  rs_balancer_index adds what makes a pick O(1) amortised
 * without changing a single choice:
 *   - the eligible servers' count and total weight, kept up to date by
 *     rs_balancer_set_down (the only way a server goes down or up once
 *     indexed; weights never change in a process, R28);
 *   - when every server of weight > 0 has the same weight (one active
 *     service: every endpoint weight 1, R20): leastconn's order as buckets
 *     by connection count, each a list in `moved` order (C5: a take or a
 *     release gives the server the newest tick, so it goes to the tail of
 *     its new bucket; a server coming back up is inserted at its place).
 *     The pick is the head of the lowest bucket: the fewest connections,
 *     the oldest change first, exactly what the scan finds.
 *   - random and source with one weight and no server down: the position
 *     of a weighted draw is the draw divided by the weight (skipping the
 *     excluded server), exactly where weighted_at's walk ends.
 * Anything else (several weights, servers down for random/source,
 * roundrobin's credits, which move every server on every pick) scans as
 * before.  An isolated request's copy of a balancer (src/net/isolate.c)
 * drops the index and scans. */
#define BAL_NONE UINT32_MAX

/* The index and the servers' state live in one block (issue 14: a request
 * through a route touches its balancer cold; one block is two or three
 * cache lines for a route of one server instead of eight allocations):
 * this header, the servers (b->s), then for leastconn prev, next, the
 * first IX_BUCKETS buckets' ends, and listed.  Buckets past those move to
 * their own allocation (ends_apart).  A bucket's head and tail side by
 * side: a take or a release reads one line of them, not two (issue 14). */
#define IX_BUCKETS 4

typedef struct {
    uint32_t head, tail;        /* a bucket's first and last server, or BAL_NONE */
} IxEnds;

struct RsBalIndex {
    uint32_t *prev, *next;      /* per server: its neighbours in its bucket */
    bool *listed;               /* per server: in a bucket (eligible) */
    IxEnds *ends;               /* per connection count */
    unsigned n_buckets;
    unsigned lo;                /* no bucket below lo has a server */
    bool ends_apart;            /* `ends` is an allocation of its own */
    RsBalServer s[];            /* the balancer's servers: b->s */
};

/* The servers of a balancer without any (rs_balancer_init_indexed): one
 * shared entry, never written (every write is to a server k < n), never
 * freed.  A route whose service has no ready endpoint when the router
 * reloads has such a balancer; at 10^5 namespaces, `topology --at 3s`
 * holds 2*10^5 of them (two replicas of one load at 0s), which were an
 * index block of 128 bytes each (issue 14). */
static RsBalServer no_servers[1];

/* Frees servers that are an allocation of their own. */
static void
servers_free(RsBalancer *b)
{
    if (b->s != no_servers && (b->ix == NULL || b->s != b->ix->s))
        g_free(b->s);           /* not in the index's block */
}

/* A new balancer: every server up, no connections, no credit (R28). */
void
rs_balancer_init(RsBalancer *b, RsBalance algo, const unsigned *weights, unsigned n)
{
    b->algo = algo;
    b->n = n;
    b->ix = NULL;               /* picks scan until rs_balancer_index */
    b->total = 0;
    b->count = 0;
    b->uniform_w = 0;
    b->s = g_new0(RsBalServer, n ? n : 1);
    for (unsigned i = 0; i < n; i++) {
        b->s[i].weight = weights[i];
        b->s[i].moved = i;      /* C5: the tree starts in server order */
    }
    b->clock = n;
}

/* Whether server k is in leastconn's buckets. */
static bool
ix_listed(const RsBalancer *b, unsigned k)
{
    return b->ix != NULL && b->ix->ends != NULL && b->ix->listed[k];
}

/* Takes server k out of its bucket. */
static void
ix_unlink(RsBalancer *b, unsigned k)
{
    RsBalIndex *ix = b->ix;
    unsigned c = b->s[k].conns;
    uint32_t p = ix->prev[k], n = ix->next[k];
    if (p != BAL_NONE)
        ix->next[p] = n;
    else
        ix->ends[c].head = n;
    if (n != BAL_NONE)
        ix->prev[n] = p;
    else
        ix->ends[c].tail = p;
    ix->listed[k] = false;
}

/* Puts server k into the bucket of its count, at its place in `moved` order
 * (C5); a server just taken or released has the newest tick: the tail. */
static void
ix_link(RsBalancer *b, unsigned k)
{
    RsBalIndex *ix = b->ix;
    unsigned c = b->s[k].conns;
    if (c >= ix->n_buckets) {
        unsigned nb = MAX(ix->n_buckets * 2, c + 1);
        if (!ix->ends_apart) {
            ix->ends = g_memdup2(ix->ends, ix->n_buckets * sizeof *ix->ends);
            ix->ends_apart = true;
        }
        ix->ends = g_renew(IxEnds, ix->ends, nb);
        for (unsigned i = ix->n_buckets; i < nb; i++)
            ix->ends[i].head = ix->ends[i].tail = BAL_NONE;
        ix->n_buckets = nb;
    }
    uint32_t after = ix->ends[c].tail;
    while (after != BAL_NONE && b->s[after].moved > b->s[k].moved)
        after = ix->prev[after];
    uint32_t before = after == BAL_NONE ? ix->ends[c].head : ix->next[after];
    ix->prev[k] = after;
    ix->next[k] = before;
    if (after != BAL_NONE)
        ix->next[after] = k;
    else
        ix->ends[c].head = k;
    if (before != BAL_NONE)
        ix->prev[before] = k;
    else
        ix->ends[c].tail = k;
    ix->listed[k] = true;
    if (c < ix->lo)
        ix->lo = c;
}

/* A connection opens; see router.h. */
void
rs_balancer_take(RsBalancer *b, unsigned k)
{
    bool listed = ix_listed(b, k);
    if (listed)
        ix_unlink(b, k);
    b->s[k].conns++;
    b->s[k].moved = ++b->clock;
    if (listed)
        ix_link(b, k);
}

/* A connection closes; see router.h. */
void
rs_balancer_release(RsBalancer *b, unsigned k)
{
    bool listed = ix_listed(b, k);
    if (listed)
        ix_unlink(b, k);
    if (b->s[k].conns > 0)
        b->s[k].conns--;
    b->s[k].moved = ++b->clock;
    if (listed)
        ix_link(b, k);
}

/* Frees an index. */
static void
ix_free(RsBalIndex *ix)
{
    if (ix == NULL)
        return;
    if (ix->ends_apart) {
        g_free(ix->ends);
    }
    g_free(ix);
}

/* Indexes a balancer whose servers are `src` (its own b->s, copied and
 * freed) or, with src NULL, new ones of `weights` as rs_balancer_init
 * makes them (written straight into the block). */
static void
index_build(RsBalancer *b, const RsBalServer *src, const unsigned *weights)
{
    /* The block: the header, the servers, the leastconn arrays (aligned). */
    size_t n = b->n ? b->n : 1;
    size_t at_s = sizeof(RsBalIndex);
    size_t at_prev = at_s + n * sizeof(RsBalServer);
    size_t at_next = at_prev + n * sizeof(uint32_t);
    size_t at_ends = at_next + n * sizeof(uint32_t);
    size_t at_listed = at_ends + IX_BUCKETS * sizeof(IxEnds);
    RsBalIndex *ix = g_malloc0(at_listed + n * sizeof(bool));
    char *base = (char *)ix;
    if (src != NULL) {
        memcpy(ix->s, src, n * sizeof(RsBalServer));
        servers_free(b);        /* not in the old block: its own allocation */
        ix_free(b->ix);
    } else {
        for (unsigned i = 0; i < b->n; i++) {
            ix->s[i].weight = weights[i];
            ix->s[i].moved = i;         /* C5: the tree starts in server order */
        }
    }
    b->ix = ix;
    b->s = ix->s;
    b->total = 0;
    b->count = 0;
    b->uniform_w = 0;
    bool several = false;
    for (unsigned i = 0; i < b->n; i++) {
        unsigned w = b->s[i].weight;
        if (w > 0 && b->uniform_w == 0)
            b->uniform_w = w;
        else if (w > 0 && w != b->uniform_w)
            several = true;
        if (w > 0 && !b->s[i].down) {
            b->total += w;
            b->count++;
        }
    }
    if (several)
        b->uniform_w = 0;
    if (b->algo != RS_BAL_LEASTCONN || b->uniform_w == 0)
        return;
    ix->prev = (uint32_t *)(void *)(base + at_prev);
    ix->next = (uint32_t *)(void *)(base + at_next);
    ix->listed = (bool *)(void *)(base + at_listed);
    ix->n_buckets = IX_BUCKETS;
    ix->ends = (IxEnds *)(void *)(base + at_ends);
    for (unsigned i = 0; i < ix->n_buckets; i++)
        ix->ends[i].head = ix->ends[i].tail = BAL_NONE;
    ix->lo = UINT_MAX;
    for (unsigned i = 0; i < b->n; i++) {
        if (b->s[i].weight > 0 && !b->s[i].down)
            ix_link(b, i);
    }
    if (ix->lo == UINT_MAX)
        ix->lo = 0;
}

/* Indexes a balancer; see router.h and "the index" above. */
void
rs_balancer_index(RsBalancer *b)
{
    index_build(b, b->s, NULL);
}

/* rs_balancer_init then rs_balancer_index in one allocation; see router.h. */
void
rs_balancer_init_indexed(RsBalancer *b, RsBalance algo, const unsigned *weights, unsigned n)
{
    b->algo = algo;
    b->n = n;
    b->ix = NULL;
    b->s = NULL;
    b->clock = n;
    if (n == 0) {
        /* no server: no index either; a pick scans nothing (-1), as the
         * indexed pick of no server does (its weight is 0: it scans) */
        b->s = no_servers;
        b->total = 0;
        b->count = 0;
        b->uniform_w = 0;
        return;
    }
    index_build(b, NULL, weights);
}

/* Marks server k down or up; see router.h. */
void
rs_balancer_set_down(RsBalancer *b, unsigned k, bool down)
{
    RsBalServer *s = &b->s[k];
    if (s->down == down)
        return;
    if (b->ix != NULL && s->weight > 0) {
        if (down) {
            b->count--;
            b->total -= s->weight;
            if (ix_listed(b, k))
                ix_unlink(b, k);
        } else {
            b->count++;
            b->total += s->weight;
        }
    }
    s->down = down;
    if (!down && b->ix != NULL && b->ix->ends != NULL && s->weight > 0)
        ix_link(b, k);
}

/* Drops a copy's index; see router.h. */
void
rs_balancer_forget_index(RsBalancer *b)
{
    b->ix = NULL;
}

/* Frees a balancer's servers. */
void
rs_balancer_clear(RsBalancer *b)
{
    servers_free(b);
    b->s = NULL;
    ix_free(b->ix);
    b->ix = NULL;
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

/* The eligible server at position `r` of the cumulative weights when every
 * server is eligible with one weight (skipping `skip`, or -1): weighted_at's
 * walk in O(1). */
static int
uniform_at(const RsBalancer *b, uint64_t r, int skip)
{
    uint64_t k = r / b->uniform_w;
    if (skip >= 0 && k >= (uint64_t)skip)
        k++;
    return (int)k;
}

/* The indexed pick (see "the index" above): false when this balancer's
 * case scans (nothing drawn yet), else true with the same server as the scan. */
static bool
indexed_pick(RsBalancer *b, RsRng *rng, uint32_t client, int exclude, int *out)
{
    bool ex = exclude >= 0 && (unsigned)exclude < b->n && eligible(b, (unsigned)exclude, -1, false);
    unsigned count = b->count - (ex ? 1u : 0u);
    uint64_t total = b->total - (ex ? b->s[exclude].weight : 0u);
    bool others = count > 0;    /* skip `exclude` only if another server is eligible */
    if (!others) {
        count = b->count;
        total = b->total;
    }
    int skip = others && ex ? exclude : -1;
    switch (b->algo) {
    case RS_BAL_LEASTCONN: {
        if (b->uniform_w == 0)
            return false;
        *out = -1;
        if (count == 0)
            return true;
        RsBalIndex *ix = b->ix;
        for (unsigned c = ix->lo; c < ix->n_buckets; c++) {
            uint32_t k = ix->ends[c].head;
            if (k == BAL_NONE) {
                if (c == ix->lo)
                    ix->lo++;   /* empty below: later picks start higher */
                continue;
            }
            if ((int)k == skip)
                k = ix->next[k];
            if (k != BAL_NONE) {
                *out = (int)k;
                return true;
            }
        }
        return false;           /* not reached: count > 0 means a listed server */
    }
    case RS_BAL_SOURCE:
        if (b->uniform_w == 0 || b->count != b->n)
            return false;
        *out = uniform_at(b, (uint64_t)client % total, skip);      /* C5 */
        return true;
    case RS_BAL_RANDOM: {
        if (b->uniform_w == 0 || b->count != b->n)
            return false;
        int a = uniform_at(b, rs_rng_below(rng, total), skip);
        int c = uniform_at(b, rs_rng_below(rng, total), skip);
        *out = (uint64_t)b->s[c].conns * b->s[a].weight < (uint64_t)b->s[a].conns * b->s[c].weight ? c : a;
        return true;
    }
    case RS_BAL_ROUNDROBIN:
        break;                  /* every pick moves every server's credit */
    }
    return false;
}

/* Picks a server (R26); see router.h. */
int
rs_balancer_pick(RsBalancer *b, RsRng *rng, uint32_t client, int exclude)
{
    int k;
    if (b->ix != NULL && indexed_pick(b, rng, client, exclude, &k))
        return k;
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
