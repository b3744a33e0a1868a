/* dns.c: the cluster DNS (CoreDNS) and the pod resolver's search walk.
 *
 * WHAT IT MODELS
 * --------------
 * R17: a pod's resolv.conf says `search <ns>.svc.<domain> svc.<domain>
 * <domain>` and `options ndots:5`.  glibc (res_query.c, __res_context_search)
 * tries a name with fewer than 5 dots with each search suffix first and as
 * written last; a name with 5 or more dots as written first, then with the
 * suffixes; a name ending with a dot as written only.  The first answer
 * wins; NXDOMAIN moves on to the next candidate.  So from `fenic`, `nginx`,
 * `nginx.fenic` and `nginx.fenic.svc.cluster.local` resolve after 1, 2 and 4
 * queries.  DNS is cluster-wide: any namespace can resolve any service name
 * (isolation is in the data path, R2/R12).
 *
 * The cluster DNS answers:
 *   <svc>.<ns>.svc.<domain>     a ClusterIP service: its ClusterIP, even with no
 *                               endpoints (CoreDNS's default); headless (R16):
 *                               one A per ready endpoint in the data plane's
 *                               view, NXDOMAIN when there is none.
 *   <a-b-c-d>.<ns>.pod.<domain> a.b.c.d (CoreDNS `pods insecure`, OpenShift's default).
 *   anything else in <domain>   NXDOMAIN.
 * Names outside the cluster domain go to public DNS (R18): the scenario's own
 * records first (an A record, or a CNAME that is followed), then the router's
 * canonical name (A: the router VIP), then `<label>.<app domain>` (a CNAME to
 * the canonical name; one label of letters, digits and dashes, like the
 * wildcard record and certificate); anything else is NXDOMAIN.  The CNAMEs
 * followed are kept in the answer (`chain`) so hops can show them.  An
 * external host's resolver asks public DNS only, with the name as written.
 *
 * SIMPLIFIED
 * ----------
 * One query per candidate (glibc sends A and AAAA together; we count the
 * pair as one query).  No caching: CoreDNS's 5 s TTL only matters for
 * headless answers, whose view already lags by endpoint_delay (R15).  The
 * kubelet's node search domains are not modelled (the platform's nodes add
 * none that change an answer).
 *
 * COST
 * ----
 * No allocation; one hash lookup per query (per CNAME followed for public
 * names, at most RS_DNS_MAX_CHAIN).  Bulk traffic asks less: a requester's
 * RsDnsCache (dns.h) keeps its answers while the world's dns_epoch stays the
 * same, so a traffic source's query builds, parses and looks up nothing
 * until a service, a headless view, a pod address or a record changes; the
 * query is still simulated (its event, latency, statistics).  Rules: R16,
 * R17, R18.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "rahtisim/dns.h"
#include "rahtisim/util.h"

#define NDOTS 5

/* Lowercases buf[0..len) in place, ASCII only (the program runs in the C
 * locale, where tolower is exactly this).  Eight bytes at a time: for a
 * byte b < 0x80, b + 0x3f has its top bit set iff b >= 'A' and b + 0x25 iff
 * b > 'Z', so (those two, and b < 0x80) mark the capitals, and their mark
 * shifted right by two is the 0x20 that lowers them.  It runs over every
 * candidate name of every query (issue 14). */
static void
lower_ascii(char *buf, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, buf + i, 8);
        uint64_t y = x & (ones * 0x7f);
        uint64_t upper = (y + ones * 0x3f) & ~(y + ones * 0x25) & ~x & (ones * 0x80);
        if (upper != 0) {
            x |= upper >> 2;
            memcpy(buf + i, &x, 8);
        }
    }
    for (; i < len; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z')
            buf[i] = (char)(buf[i] + ('a' - 'A'));
}

/* Copies `src` lowercased into dst (RS_DNS_NAME_MAX); false if too long.
 * dst NULL: only whether it fits. */
static bool
copy_lower(char *dst, const char *src, size_t len)
{
    if (len >= RS_DNS_NAME_MAX)
        return false;
    if (dst == NULL)
        return true;
    memcpy(dst, src, len);
    dst[len] = '\0';
    lower_ascii(dst, len);
    return true;
}

/* The `i`th name the resolver tries (R17); see dns.h. */
bool
rs_dns_candidate(const RsWorld *w, const char *ns, const char *name, unsigned i, char *buf)
{
    size_t len = strlen(name);
    if (len == 0)
        return false;
    if (name[len - 1] == '.') {
        /* Trailing dot: absolute, tried as written only. */
        return i == 0 && len > 1 && copy_lower(buf, name, len - 1);
    }
    unsigned dots = 0;
    for (size_t k = 0; k < len; k++)
        dots += name[k] == '.';
    if (ns == NULL)                     /* no search list (outside the cluster) */
        return i == 0 && copy_lower(buf, name, len);
    /* Positions of "as written" and of the three suffixes in the order. */
    unsigned as_written = dots >= NDOTS ? 0 : 3;
    if (i > 3)
        return false;
    if (i == as_written)
        return copy_lower(buf, name, len);
    unsigned s = dots >= NDOTS ? i - 1 : i;
    /* name + "." + the suffix, by copies (this runs per query, no g_snprintf) */
    const char *parts[4] = {name, NULL, NULL, NULL};
    size_t lens[4] = {len, 0, 0, 0};
    unsigned np = 1;
    if (s == 0) {
        parts[np] = ns;
        lens[np++] = strlen(ns);
        parts[np] = "svc";
        lens[np++] = 3;
    } else if (s == 1) {
        parts[np] = "svc";
        lens[np++] = 3;
    }
    parts[np] = w->cluster_domain;
    lens[np++] = strlen(w->cluster_domain);
    size_t n = 0;
    for (unsigned k = 0; k < np; k++) {
        if (n + lens[k] + 1 >= RS_DNS_NAME_MAX)
            return false;
        if (buf == NULL) {              /* only whether there is one: the same checks */
            n += (k > 0) + lens[k];
            continue;
        }
        if (k > 0)
            buf[n++] = '.';
        memcpy(buf + n, parts[k], lens[k]);
        n += lens[k];
    }
    if (buf == NULL)
        return true;
    buf[n] = '\0';
    lower_ascii(buf, n);
    return true;
}

/* Parses "a-b-c-d" into an address. */
static bool
parse_dashed(const char *s, size_t len, uint32_t *ip)
{
    char tmp[32];
    if (len >= sizeof tmp)
        return false;
    for (size_t i = 0; i < len; i++)
        tmp[i] = s[i] == '-' ? '.' : s[i];
    tmp[len] = '\0';
    return rs_parse_ipv4(tmp, ip);
}

/* Whether `s` is one DNS label of letters, digits and dashes. */
static bool
is_simple_label(const char *s, size_t len)
{
    if (len == 0 || len > 63)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    }
    return true;
}

/* Adds an address to a query's answer. */
static void
add_addr(RsDnsQuery *q, uint32_t ip)
{
    if (q->n_addrs < RS_DNS_MAX_ADDRS)
        q->addrs[q->n_addrs] = ip;
    q->n_addrs++;
}

/* Answers <svc>.<ns>.svc.<domain> (R16, R17). */
static void
answer_service(const RsWorld *w, const char *svc_name, size_t svc_len, const char *ns,
               size_t ns_len, RsDnsQuery *q)
{
    /* The registry's key "ns/name" by copies (no g_snprintf, one hash). */
    char key[512];
    if (svc_len >= 256 || ns_len >= 256)
        return;
    memcpy(key, ns, ns_len);
    key[ns_len] = '/';
    memcpy(key + ns_len + 1, svc_name, svc_len);
    key[ns_len + 1 + svc_len] = '\0';
    RsService *svc = rs_world_service_full(w, key);
    if (svc == NULL)
        return;
    q->service = svc->full;
    if (!svc->headless) {
        /* R17: the ClusterIP, with or without endpoints. */
        q->kind = RS_DNS_KIND_SERVICE;
        q->found = true;
        add_addr(q, svc->cluster_ip);
        return;
    }
    /* R16: one A per ready endpoint the data plane knows; none: NXDOMAIN. */
    q->kind = RS_DNS_KIND_HEADLESS;
    q->rule = RS_R16;
    const RsSvcView *v = svc->view;
    for (unsigned i = 0; v != NULL && i < v->n_pods; i++)
        add_addr(q, v->pods[i]->ip);
    q->found = q->n_addrs > 0;
}

/* Adds a CNAME followed to a public answer (R18). */
static void
add_cname(RsDnsQuery *q, const char *target)
{
    if (q->cname == NULL)
        q->cname = target;
    if (q->n_chain < RS_DNS_MAX_CHAIN)
        q->chain[q->n_chain++] = target;
}

/* R18: public DNS: the scenario's records, the canonical name, the app domain. */
static void
public_answer(const RsWorld *w, const char *fqdn, RsDnsQuery *q)
{
    q->kind = RS_DNS_KIND_PUBLIC;
    q->rule = RS_R18;
    const char *name = fqdn;
    for (unsigned depth = 0; depth <= RS_DNS_MAX_CHAIN; depth++) {
        const RsDnsRecord *rec = rs_world_dns_record(w, name);
        if (rec != NULL && rec->has_a) {
            q->found = true;
            add_addr(q, rec->a);
            return;
        }
        if (rec != NULL) {
            add_cname(q, rec->cname);
            name = rec->cname;
            continue;
        }
        if (w->router_canonical != NULL && strcmp(name, w->router_canonical) == 0) {
            q->found = true;
            add_addr(q, w->par.router_vip);
            return;
        }
        size_t len = strlen(name);
        size_t alen = w->app_domain != NULL ? strlen(w->app_domain) : 0;
        if (alen > 0 && len > alen + 1 && name[len - alen - 1] == '.' &&
            strcmp(name + len - alen, w->app_domain) == 0 && is_simple_label(name, len - alen - 1)) {
            add_cname(q, w->router_canonical);
            q->found = true;
            add_addr(q, w->par.router_vip);
        }
        return;                 /* NXDOMAIN unless the wildcard matched */
    }
    /* A CNAME loop or a chain longer than RS_DNS_MAX_CHAIN: the resolver gives up (SERVFAIL). */
}

/* Answers one query from the world as it is now; see dns.h. */
void
rs_dns_query(const RsWorld *w, const char *fqdn, RsDnsQuery *q)
{
    memset(&q->found, 0, offsetof(RsDnsQuery, addrs) - offsetof(RsDnsQuery, found));
    size_t len = strlen(fqdn);
    size_t copied = MIN(len, sizeof q->name - 1);
    memcpy(q->name, fqdn, copied);
    q->name[copied] = '\0';
    q->rule = RS_R17;
    size_t dlen = strlen(w->cluster_domain);
    bool in_cluster = (len == dlen && strcmp(fqdn, w->cluster_domain) == 0) ||
                      (len > dlen + 1 && fqdn[len - dlen - 1] == '.' &&
                       strcmp(fqdn + len - dlen, w->cluster_domain) == 0);
    if (in_cluster) {
        /* Split what precedes the domain into at most 4 labels. */
        size_t rest = len > dlen ? len - dlen - 1 : 0;
        const char *lab[4];
        size_t llen[4];
        unsigned n = 0;
        size_t start = 0;
        for (size_t k = 0; k <= rest; k++) {
            if (k == rest || fqdn[k] == '.') {
                if (n == 4 || k == start) {
                    n = 5;              /* too many labels, or an empty one */
                    break;
                }
                lab[n] = fqdn + start;
                llen[n++] = k - start;
                start = k + 1;
            }
        }
        if (rest == 0)
            n = 0;
        /* cppcheck-suppress uninitvar ; n == 3: the loop set lab[0..2] and llen[0..2] */
        if (n == 3 && llen[2] == 3 && memcmp(lab[2], "svc", 3) == 0) {
            answer_service(w, lab[0], llen[0], lab[1], llen[1], q);
        } else if (n == 3 && llen[2] == 3 && memcmp(lab[2], "pod", 3) == 0) {
            uint32_t ip;
            if (parse_dashed(lab[0], llen[0], &ip)) {
                q->kind = RS_DNS_KIND_POD;
                q->found = true;
                add_addr(q, ip);
            }
        }
        return;
    }
    public_answer(w, fqdn, q);
}

/* Answers one query from public DNS only (R18); see dns.h. */
void
rs_dns_query_public(const RsWorld *w, const char *fqdn, RsDnsQuery *q)
{
    memset(&q->found, 0, offsetof(RsDnsQuery, addrs) - offsetof(RsDnsQuery, found));
    rs_copy_str(q->name, fqdn, sizeof q->name);
    public_answer(w, fqdn, q);
}

/* Runs the resolver's whole walk now (R17); see dns.h. */
bool
rs_dns_walk(const RsWorld *w, const char *ns, const char *name, RsDnsWalk *out)
{
    memset(out, 0, sizeof *out);
    rs_copy_str(out->asked, name, sizeof out->asked);
    char cand[RS_DNS_NAME_MAX];
    for (unsigned i = 0; i < RS_DNS_MAX_QUERIES && rs_dns_candidate(w, ns, name, i, cand); i++) {
        RsDnsQuery *q = &out->queries[out->n_queries++];
        if (ns == NULL)
            rs_dns_query_public(w, cand, q);
        else
            rs_dns_query(w, cand, q);
        if (q->found) {
            out->found = true;
            out->n_addrs = q->n_addrs;
            memcpy(out->addrs, q->addrs, MIN(q->n_addrs, RS_DNS_MAX_ADDRS) * sizeof(uint32_t));
            out->service = q->service;
            return true;
        }
    }
    return false;
}

/* ---- the per-requester cache (issue 14); see dns.h ---- */

/* The answer of one query in the pipeline's form; see dns.h. */
void
rs_dns_answer_of(const RsDnsQuery *q, RsDnsAnswer *out)
{
    out->found = q->found;
    out->rule = q->rule;
    out->service = q->service;
    out->n_addrs = q->n_addrs;
    out->addr = q->found ? q->addrs[0] : 0;
    out->n_chain = q->n_chain;
    memcpy(out->chain, q->chain, q->n_chain * sizeof q->chain[0]);
}

/* Empties a cache; see dns.h. */
void
rs_dns_cache_init(RsDnsCache *c)
{
    memset(c, 0, sizeof *c);
}

/* Makes the cache hold the walk of (ns, name) in the world's DNS state now:
 * kept as it is when nothing changed since it was filled (same epoch), else
 * emptied and the candidates that exist counted again (R17); see dns.h. */
void
rs_dns_cache_check(const RsWorld *w, RsDnsCache *c, const char *ns, const char *name)
{
    if (c->epoch == w->dns_epoch && c->ns == ns && c->name == name)
        return;
    c->epoch = w->dns_epoch;
    c->ns = ns;
    c->name = name;
    c->known = 0;
    c->exists = 0;
    /* Not a prefix: a long name may lack a suffixed candidate but not the
     * name as written; the walk stops at the first missing one (as without
     * the cache). */
    for (unsigned i = 0; i < RS_DNS_MAX_QUERIES; i++) {
        if (rs_dns_candidate(w, ns, name, i, NULL))
            c->exists |= (uint8_t)(1u << i);
    }
}

/* The ith query's answer asked now and kept (or kept already); see dns.h. */
const RsDnsAnswer *
rs_dns_cache_ask(const RsWorld *w, RsDnsCache *c, const char *ns, const char *name, unsigned i)
{
    g_assert(i < RS_DNS_MAX_QUERIES);
    rs_dns_cache_check(w, c, ns, name);
    RsDnsAnswer *a = &c->answers[i];
    if (((unsigned)c->known >> i & 1u) != 0)
        return a;
    char cand[RS_DNS_NAME_MAX];
    bool ok = rs_dns_candidate(w, ns, name, i, cand);
    g_assert(ok);
    (void)ok;
    RsDnsQuery q;
    if (ns == NULL)
        rs_dns_query_public(w, cand, &q);       /* R18: outside, public DNS only */
    else
        rs_dns_query(w, cand, &q);              /* R16, R17 (R18 past the cluster domain) */
    rs_dns_answer_of(&q, a);
    c->known |= (uint8_t)(1u << i);
    return a;
}
