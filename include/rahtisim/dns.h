/* dns.h: the cluster DNS and the pod resolver's search walk (R16, R17).
 *
 * A pod resolves a name the way glibc does with the resolv.conf the kubelet
 * writes: `search <ns>.svc.<domain> svc.<domain> <domain>`, `ndots:5`.  A walk
 * is the sequence of queries that resolver sends, each answered by the
 * cluster DNS from the world's state at that moment.  rs_dns_walk runs a
 * whole walk at once (for `dig` and `resolve` expectations); the request
 * pipeline runs the same steps one engine event per query, using
 * rs_dns_candidate and rs_dns_query.
 *
 * Nothing here allocates: names live in fixed buffers (a DNS name is at most
 * 253 characters), so a walk costs the same in bulk traffic as in a probe.
 */
#ifndef RAHTISIM_DNS_H
#define RAHTISIM_DNS_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#include "rahtisim/outcome.h"
#include "rahtisim/world.h"

#define RS_DNS_NAME_MAX 512         /* buffer size: name + the longest search suffix */
#define RS_DNS_MAX_QUERIES 4        /* 3 search domains + as written */
#define RS_DNS_MAX_ADDRS 64         /* addresses kept per answer (headless services) */
#define RS_DNS_MAX_CHAIN 8          /* CNAMEs followed in one public answer (R18) */

/* What one query's name is (why it got its answer). */
typedef enum {
    RS_DNS_KIND_NONE,           /* matched nothing: NXDOMAIN */
    RS_DNS_KIND_SERVICE,        /* <svc>.<ns>.svc.<domain>: the ClusterIP (R17) */
    RS_DNS_KIND_HEADLESS,       /* same, headless: the ready endpoints (R16) */
    RS_DNS_KIND_POD,            /* <a-b-c-d>.<ns>.pod.<domain> */
    RS_DNS_KIND_PUBLIC,         /* outside the cluster domain: public DNS (R18) */
} RsDnsKind;

/* One query and its answer. */
typedef struct {
    char name[RS_DNS_NAME_MAX];     /* the name queried, lowercase, no trailing dot */
    bool found;                     /* an A answer; otherwise NXDOMAIN */
    RsDnsKind kind;
    RsRule rule;                    /* the rule that decided the answer */
    const char *service;            /* "ns/name" of the service answering, or NULL */
    const char *cname;              /* public names: the first CNAME followed, or NULL */
    unsigned n_chain;               /* public names: the CNAME targets followed, in order (R18) */
    const char *chain[RS_DNS_MAX_CHAIN];
    unsigned n_addrs;               /* addresses in the answer (all of them) */
    uint32_t addrs[RS_DNS_MAX_ADDRS];   /* the first RS_DNS_MAX_ADDRS of them */
} RsDnsQuery;

/* A whole resolver walk. */
typedef struct {
    char asked[RS_DNS_NAME_MAX];    /* the name as the client wrote it */
    unsigned n_queries;
    RsDnsQuery queries[RS_DNS_MAX_QUERIES];
    bool found;                     /* the last query answered */
    unsigned n_addrs;               /* the final answer's addresses */
    uint32_t addrs[RS_DNS_MAX_ADDRS];
    const char *service;            /* the service that answered, or NULL */
    /* R46: the requester's egress policies drop its queries to the DNS pods */
    bool dropped;
    const char *dropped_by;         /* the first egress policy selecting it ("ns/name") */
    uint32_t dns_pod;               /* the DNS pod's address and port it was sent to */
    uint16_t dns_port;
} RsDnsWalk;

/* The `i`th name the resolver of a pod in namespace `ns` tries for `name`
 * (R17), written into buf (RS_DNS_NAME_MAX); false when there is no `i`th.
 * buf NULL: only whether there is an `i`th (nothing is written).
 * `name` may end with a dot (then it is tried as written only). */
bool rs_dns_candidate(const RsWorld *w, const char *ns, const char *name, unsigned i, char *buf);

/* Answers one query for a fully qualified name (no trailing dot) from the
 * world's current state and the services' views (R16: headless answers come
 * from the data plane's endpoints). */
void rs_dns_query(const RsWorld *w, const char *fqdn, RsDnsQuery *q);

/* Answers one query from public DNS only (R18): the scenario's records,
 * the router's canonical name and `<label>.<app domain>`; what an external
 * host's resolver sees. */
void rs_dns_query_public(const RsWorld *w, const char *fqdn, RsDnsQuery *q);

/* Runs the whole walk now; returns whether the name resolved.  `ns` NULL:
 * a resolver outside the cluster (an external host): the name as written,
 * public DNS only. */
bool rs_dns_walk(const RsWorld *w, const char *ns, const char *name, RsDnsWalk *out);

/* ---- The answers of one requester's walk, kept while they cannot change ----
 *
 * A traffic source sends the same name from the same namespace again and
 * again; while nothing a DNS answer depends on has changed, each query of
 * its walk gets the answer it got last time.  An answer depends on the
 * candidate name (the name asked, the requester's namespace, the cluster
 * domain: fixed), on the live services (created, removed: their name, their
 * ClusterIP, whether headless, R17), on the installed view of a headless
 * service and its pods' addresses (R15, R16), and on the public records
 * (R18).  The world bumps `dns_epoch` at every one of those changes, always
 * from an event (the views change when their installation event runs, never
 * by time passing alone); an entry is used only while its epoch is the
 * world's.  Only the CPU work is skipped (building the candidate, parsing
 * it, the "ns/name" lookup): each query is still one event with its
 * latency, its statistics and its hops (issue 14). */

/* One query's answer as the request pipeline uses it. */
typedef struct {
    bool found;                     /* an A answer; otherwise NXDOMAIN */
    RsRule rule;                    /* the rule that decided it */
    const char *service;            /* "ns/name" of the service answering, or NULL */
    unsigned n_addrs;               /* addresses in the answer */
    uint32_t addr;                  /* the first (the one the client takes) */
    unsigned n_chain;               /* public names: the CNAME targets followed (R18) */
    const char *chain[RS_DNS_MAX_CHAIN];
} RsDnsAnswer;

/* Replicas whose host lookups a requester keeps (the first ones by index;
 * a request through a later replica looks its host up every time). */
#define RS_HOST_MEMO_REPLICAS 4
#define RS_HOST_MEMO_WARM 8
/* Lines a request to a service touched (src/net/request.c's connect_now,
 * ev_arrive, serve_start), kept as hints for the requester's next one. */
#define RS_SVC_WARM 12

/* What the pipeline keeps of one requester's one URL host besides its DNS
 * answers (issue 14; src/net/request.c, src/net/router.c).  Zeroed: empty.
 * `of` is compared by pointer, as RsDnsCache.name is. */
typedef struct {
    const char *of;                 /* the URL host the header was built from; NULL: none */
    bool dot;                       /* C3: it ended in a dot (removed from hdr) */
    size_t len;                     /* strlen(hdr) */
    /* Hints, never dereferenced: what the last request through a service
     * touched (the service, its view, the port and endpoint, the pod, its
     * template and ports, the two streams), prefetched when the next one
     * starts, a DNS hop before connect_now reads them (issue 14, C). */
    const void *svc_warm[RS_SVC_WARM];
    /* The service the last request reached (services live as long as the
     * world): while it is the one at its ClusterIP (at_ip), it is
     * rs_world_service_at's answer for that address without the lookup. */
    struct RsService *svc;
    /* C10: the requester's streams at its last service and pod, as
     * rs_world_rng answered them (a stream lives as long as the world). */
    struct {
        const RsRng *entity;
        uint64_t requester;
        RsRng *rng;
    } stream[2];
    char hdr[256];                  /* R21: the Host header / SNI, lowercased (RsReq.host_hdr) */
    const void *vip_stream;         /* hint: the VIP's stream for this requester (R30); next to
                                     * rt[]: router_arrive reads them, not the lines above */
    /* R21, R22: the host's entry in replica i's configuration while replica
     * i runs the process of generation rt[i].gen (0: none kept).  A loaded
     * configuration never changes (R28) and each reload starts a process of
     * a higher generation, so a kept entry is what the lookup answers now. */
    struct {
        uint32_t gen;
        const RsRtHost *host;       /* NULL: no route has the host */
        /* Hints, never dereferenced: what the last request through
         * replica i touched (its backend, balancer, balancer block,
         * server list, pod, stream, the host's route list and the route's
         * path), prefetched together when the next
         * one reaches the VIP instead of one cold line after another. */
        const void *warm[RS_HOST_MEMO_WARM];
    } rt[RS_HOST_MEMO_REPLICAS];
} RsHostMemo;

/* The cache of one requester (a traffic source).  Zeroed (rs_dns_cache_init)
 * it is empty.  `ns` and `name` are compared by pointer: pass strings that
 * stay unchanged while the cache is used with them (the world's interned
 * namespace name, the source's target). */
typedef struct {
    uint64_t epoch;                 /* the world's dns_epoch when filled; 0: empty */
    const char *ns;                 /* the requester's namespace name; NULL: a host (R18) */
    const char *name;               /* the name asked */
    uint8_t exists;                 /* bit i: the walk has an ith candidate (R17) */
    uint8_t known;                  /* bit i: answers[i] is filled */
    RsDnsAnswer answers[RS_DNS_MAX_QUERIES];
    /* not DNS: its Host header and the router's lookup of it.  On a line of
     * its own: a request to a service reads its first three lines (of to
     * svc_warm, svc, the streams and the header), so aligned they are three
     * lines, not four (issue 14, C) */
    alignas(64) RsHostMemo host;
} RsDnsCache;

/* The answer of one query in the pipeline's form. */
void rs_dns_answer_of(const RsDnsQuery *q, RsDnsAnswer *out);

/* Empties a cache. */
void rs_dns_cache_init(RsDnsCache *c);

/* Makes `c` hold the walk of (ns, name) in the world's DNS state now: as it
 * is when nothing changed since it was filled, else emptied and its
 * candidates counted again.  (Called by the two below.) */
void rs_dns_cache_check(const RsWorld *w, RsDnsCache *c, const char *ns, const char *name);

/* Whether the walk of `name` from namespace `ns` (NULL: a host) has an
 * `i`th candidate: rs_dns_candidate(w, ns, name, i, NULL), kept.  Inline:
 * the pipeline asks it once or twice per query. */
static inline bool
rs_dns_cache_candidate(const RsWorld *w, RsDnsCache *c, const char *ns, const char *name, unsigned i)
{
    if (c->epoch != w->dns_epoch || c->ns != ns || c->name != name)
        rs_dns_cache_check(w, c, ns, name);
    return i < RS_DNS_MAX_QUERIES && ((unsigned)c->exists >> i & 1u) != 0;
}

/* The answer asked now for the walk's `i`th query, kept (see below). */
const RsDnsAnswer *rs_dns_cache_ask(const RsWorld *w, RsDnsCache *c, const char *ns, const char *name,
                                    unsigned i);

/* The answer now to the walk's `i`th query (which must exist): the one kept
 * when the world's DNS state is the same as when it was asked, else asked
 * (rs_dns_query, or rs_dns_query_public for a host) and kept. */
static inline const RsDnsAnswer *
rs_dns_cache_answer(const RsWorld *w, RsDnsCache *c, const char *ns, const char *name, unsigned i)
{
    if (c->epoch == w->dns_epoch && c->ns == ns && c->name == name && i < RS_DNS_MAX_QUERIES &&
        ((unsigned)c->known >> i & 1u) != 0)
        return &c->answers[i];
    return rs_dns_cache_ask(w, c, ns, name, i);
}

#endif
