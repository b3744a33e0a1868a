/* traffic.c: the traffic generators of traffic.h.
 *
 * THE GENERATOR
 * -------------
 * Each source has one pending engine event at a time: its next arrival.
 * Constant arrivals fall at start + k / rate exactly (computed from k, so
 * no rounding drift); Poisson arrivals are separated by exponential gaps of
 * mean 1 / rate drawn from the source's stream "traffic:<name>" (R37).  An
 * arrival takes a record from the pool, deals itself to the next client
 * (round-robin over the source's `clients`) and starts one request through
 * the pipeline as that client (rs_sim_request_client, no hops); the answer
 * comes back to `answered`, which updates the statistics and returns the
 * record to the pool.
 *
 * THE CLIENTS
 * -----------
 * Client k of source i is client 1 + (clients of sources 0..i-1) + k of the
 * requester: every client of every source is a distinct program (its own
 * connections, and on a host that keeps cookies its own jar, R27), and none
 * is client 0, the probes' own: a probe never carries a traffic client's
 * cookie and never moves one (it does not disturb traffic).  Clients of one
 * machine share its address, so `source` balancing (R26) and client-ip
 * affinity (R13) treat them as one (docs/model-choices.md).
 *
 * THE STATISTICS
 * --------------
 * Per source: counts by outcome, per pod (a hash from the world's interned
 * pod name to a small record, created the first time a pod answers), a
 * latency histogram (histogram.h), and per time bucket the outcomes, the
 * answers per pod and a coarse latency histogram (for plots).  Windows kept
 * for expectations get the same counters for their time span.  Nothing is
 * stored per request.
 *
 * Rules: R13 (one endpoint per request: each arrival is a new connection),
 * R27 (a jar per client), R37 (streams by name), R38 (latency, timeouts).
 */
#include "config.h"

#include <math.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rahtisim/traffic.h"

typedef struct Source Source;

/* One request in flight: the pooled per-arrival record. */
typedef struct Arrival {
    Source *src;
    unsigned client;            /* the client identity it was dealt to */
    struct Arrival *next;       /* free list */
} Arrival;

/* A pod's records in one source's statistics, found by its interned name
 * (the pointer): the pod the request was sent to (RsTrafficTarget) and the
 * pod that served it (index + 1 in stats->pods, 0: none yet).  One probe of
 * a flat table per request instead of two GHashTable lookups (issue 14). */
typedef struct {
    const char *pod;            /* NULL: an empty cell */
    RsTrafficTarget *target;
    unsigned slot;
} PodRef;

/* The ok answers of one source in one time bucket (by send time), kept in
 * one cache line while the run goes (issue 14): with 10^4 sources each one
 * answers a request every ~0.5 s, so everything it touches per answer is
 * cold, and the public layout (traffic.h) spreads one answer over a dozen
 * cache lines (the bucket's outcomes, its latency histogram and the
 * histogram's counters, the target's and the pod's per-bucket arrays, their
 * records).  The cells are added into the public records by flush() before
 * anyone reads them; every other answer (not ok, or from a pod or to a
 * target other than the source's first) goes to the public records
 * directly, as before. */
enum { CELL_COUNTS = 8, CELL_SPILLED = 0xffff };
typedef struct {
    uint32_t ok;                /* ok answers: bucket_outcomes[b][OK], the latency count */
    uint32_t t_ok;              /* of those, sent to the source's first target (t0) */
    uint32_t p_ok;              /* of those, served by the source's first pod (p0) */
    uint16_t first;             /* 1 + the latency bucket (RS_HIST_COARSE) of counts[0];
                                 * 0: none yet; CELL_SPILLED: the latencies are in spill[b] */
    uint16_t unused;
    int64_t min, max;           /* of the latencies in counts[] */
    uint32_t counts[CELL_COUNTS];
} Cell;

G_STATIC_ASSERT(sizeof(Cell) == 64);

enum { LAT_PEND = 16 };         /* one cache line of pending latencies */

/* A source.  What an arrival reads and writes fills its first two cache
 * lines (the array is aligned to 64), then its pending latencies, which
 * only the answer writes, then its URL and its requester (read by the
 * pipeline at the arrival); the rest is read when a source is set up, on
 * the slow paths and at the end.  The arrival prefetches the lines it does
 * not read itself (ev_arrival).  The padding between the groups is the
 * point: clang-analyzer's padding check would pack the fields by size and
 * spread the arrival's fields over more lines. */
/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): laid out by cache line, above */
struct Source {
    alignas(64) RsRng rng;      /* arrivals: "traffic:<name>" */
    RsTraffic *tr;
    Cell *cells;                /* n_buckets, aligned to 64 */
    const char *t0;             /* the interned name of the first target (its pod), or NULL */
    const char *p0;             /* the interned name of the first pod that answered, or NULL */
    rs_time_t bucket;           /* = stats->bucket */
    rs_time_t stop;             /* no arrival at or after this */
    double gap_mean;            /* Poisson: 1e9 / rate, the mean gap in ns */
    uint64_t k;                 /* arrivals so far: requests sent (stats->sent after flush) */
    uint64_t client_base;       /* its client k is client client_base + k of the requester */
    unsigned next_client;
    unsigned clients;           /* = spec->clients */
    unsigned n_buckets;         /* = stats->n_buckets */
    bool constant;              /* constant arrivals, not Poisson */
    bool watched;               /* windows->len > 0 */
    uint8_t n_lat;              /* latencies waiting in lat_pend[] */
    bool url_long;              /* url_text goes past `to`'s line */
    const RsRng *rq_rng;        /* = rq.rng, for the arrival's prefetch: read through rq it
                                 * would be one cold line after another */
    /* The latencies of the last ok answers (each < 2^32 ns), added into
     * `latency` LAT_PEND at a time (lat_drain): each one's counter is a
     * random line of the fine histogram, cold by the time the source answers
     * again; added together their misses overlap (issue 14, C).  A
     * histogram's counts, count, min and max do not depend on the order of
     * the values added, and flush() drains them before anyone reads it. */
    alignas(64) uint32_t lat_pend[LAT_PEND];
    alignas(64) RsUrl to;       /* = spec->to, its host and path in url_text when they fit */
    char url_text[80];          /* the host and the path, each ended by a NUL: the pipeline
                                 * reads both per request, and the loader's copies are two
                                 * more cold lines; up to 16 bytes share `to`'s line */
    /* the requester "traffic/<name>", resolved once: its first line, its
     * DNS answer's and its memo's (sim.h, dns.h) are read per request */
    alignas(64) RsSimRequester rq;
    /* cold */
    const RsTrafficSpec *spec;
    RsTrafficStats *stats;
    RsTrafficTarget *t0_rec;    /* t0's record */
    RsTrafficPod *p0_rec;       /* p0's record (index 0 of stats->pods until sorted) */
    RsHist *spill;              /* n_buckets RS_HIST_COARSE, for cells whose latencies
                                 * did not fit (NULL: none yet) */
    PodRef *refs;               /* interned "ns/pod" -> its records: open addressing */
    unsigned refs_cap;          /* a power of two (0: none yet) */
    unsigned refs_len;
    GPtrArray *windows;         /* RsTrafficWindow * (owned) */
    RsHist latency;             /* ok answers, RS_HIST_FINE (merged into stats->latency),
                                 * but those still in lat_pend[] */
    char stream[300];           /* the requester's stream name: "traffic/<name>" */
};

/* The arrival's fields fill exactly the first two lines; the URL and a
 * short host and path fit one. */
G_STATIC_ASSERT(offsetof(Source, lat_pend) == 128);
G_STATIC_ASSERT(offsetof(Source, url_text) == 192 + 48);

struct RsTraffic {
    RsSim *sim;
    RsEngine *eng;
    Source *sources; unsigned n_sources;
    Arrival *free_list;
    GPtrArray *blocks;          /* Arrival[ARRIVAL_BLOCK] (owned) */
    unsigned pool_size;
    unsigned in_flight;
    bool taken;
};

enum { ARRIVAL_BLOCK = 256 };

/* Round bucket widths, smallest first. */
rs_time_t
rs_traffic_bucket_width(rs_time_t end)
{
    static const rs_time_t steps[] = {1, 2, 5};
    rs_time_t scale = 100 * RS_MS;
    for (;;) {
        for (unsigned i = 0; i < G_N_ELEMENTS(steps); i++) {
            rs_time_t w = steps[i] * scale;
            if (end / w < 120 || (end / w == 120 && end % w == 0))
                return w;
        }
        if (scale > RS_TIME_NEVER / 100)
            return scale;
        scale *= 10;
    }
}

/* A new, empty statistics record for one source. */
static RsTrafficStats *
stats_new(const RsTrafficSpec *spec, rs_time_t end)
{
    RsTrafficStats *s = g_new0(RsTrafficStats, 1);
    s->name = g_strdup(spec->name);
    s->spec = spec;
    rs_hist_init(&s->latency, RS_HIST_FINE);
    s->pods = g_ptr_array_new();
    s->targets = g_ptr_array_new();
    s->idle_pods = g_ptr_array_new_with_free_func(g_free);
    s->bucket = rs_traffic_bucket_width(end);
    s->n_buckets = (unsigned)((end + s->bucket - 1) / s->bucket);
    if (s->n_buckets == 0)
        s->n_buckets = 1;
    /* bucket_outcomes and bucket_latency: on first use (stats_buckets) */
    return s;
}

/* Allocates a statistics record's per-bucket arrays if they are not yet. */
static void
stats_buckets(RsTrafficStats *s)
{
    if (s->bucket_outcomes != NULL)
        return;
    s->bucket_outcomes = g_malloc0_n(s->n_buckets, sizeof *s->bucket_outcomes);
    s->bucket_latency = g_new(RsHist, s->n_buckets);
    for (unsigned i = 0; i < s->n_buckets; i++)
        rs_hist_init(&s->bucket_latency[i], RS_HIST_COARSE);
}

/* Frees one source's statistics. */
void
rs_traffic_stats_free(RsTrafficStats *s)
{
    if (s == NULL)
        return;
    for (unsigned i = 0; i < s->pods->len; i++) {
        RsTrafficPod *p = s->pods->pdata[i];
        g_free(p->name);
        g_free(p->owner);
        g_free(p->per_bucket);
        g_free(p);
    }
    g_ptr_array_unref(s->pods);
    for (unsigned i = 0; i < s->targets->len; i++) {
        RsTrafficTarget *t = s->targets->pdata[i];
        g_free(t->name);
        g_free(t->sent_bucket);
        g_free(t->bad_bucket);
        g_free(t);
    }
    g_ptr_array_unref(s->targets);
    g_ptr_array_unref(s->idle_pods);
    rs_hist_clear(&s->latency);
    for (unsigned i = 0; s->bucket_latency != NULL && i < s->n_buckets; i++)
        rs_hist_clear(&s->bucket_latency[i]);
    g_free(s->bucket_latency);
    g_free(s->bucket_outcomes);
    g_free(s->name);
    g_free(s);
}

/* Answers with a pod. */
uint64_t
rs_traffic_stats_answered(const RsTrafficStats *s)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < s->pods->len; i++)
        n += ((const RsTrafficPod *)s->pods->pdata[i])->served;
    return n;
}

static void window_free(gpointer p);

/* `size` zeroed bytes aligned to a cache line (64); free() frees them. */
static void *
aligned_zero(size_t size)
{
    void *p = NULL;
    size = (size + 63) & ~(size_t)63;
    if (posix_memalign(&p, 64, size) != 0)
        g_error("traffic: out of memory (%zu bytes)", size);
    memset(p, 0, size);
    return p;
}

/* Adds the pending latencies to the source's histogram: their counters
 * prefetched first, then added, so that their misses overlap. */
static void
lat_drain(Source *s)
{
    RsHist *h = &s->latency;
    for (unsigned k = 0; k < s->n_lat; k++) {
        unsigned i = rs_hist_index(RS_HIST_FINE, s->lat_pend[k]);
        if (i >= h->base && i - h->base < h->n_counts)
            __builtin_prefetch(&h->counts[i - h->base], 1);
    }
    for (unsigned k = 0; k < s->n_lat; k++)
        rs_hist_add(h, s->lat_pend[k]);
    s->n_lat = 0;
}

/* An ok answer's latency, into the source's histogram (now or with the
 * next LAT_PEND - 1; see lat_pend). */
static inline void
lat_note(Source *s, int64_t v)
{
    if (v < 0 || v > (int64_t)UINT32_MAX) {
        rs_hist_add(&s->latency, v);
        return;
    }
    s->lat_pend[s->n_lat++] = (uint32_t)v;
    if (s->n_lat == LAT_PEND)
        lat_drain(s);
}

/* Adds a source's cells and running totals into its public statistics
 * (traffic.h) and empties the cells: call before anyone reads them.  Any
 * number of times: what is added is emptied. */
static void
flush(Source *s)
{
    RsTrafficStats *st = s->stats;
    st->sent = s->k;
    lat_drain(s);
    rs_hist_merge(&st->latency, &s->latency);
    rs_hist_clear(&s->latency);
    stats_buckets(st);
    for (unsigned b = 0; b < s->n_buckets; b++) {
        Cell *c = &s->cells[b];
        if (c->ok == 0 && c->first == 0)
            continue;
        st->outcomes[RS_OUTCOME_OK] += c->ok;
        st->bucket_outcomes[b][RS_OUTCOME_OK] += c->ok;
        if (s->t0_rec != NULL) {
            s->t0_rec->sent += c->t_ok;
            s->t0_rec->outcomes[RS_OUTCOME_OK] += c->t_ok;
            s->t0_rec->sent_bucket[b] += c->t_ok;
        }
        if (s->p0_rec != NULL) {
            s->p0_rec->served += c->p_ok;
            s->p0_rec->ok += c->p_ok;
            s->p0_rec->per_bucket[b] += c->p_ok;
        }
        if (c->first == CELL_SPILLED) {
            rs_hist_merge(&st->bucket_latency[b], &s->spill[b]);
            rs_hist_clear(&s->spill[b]);
        } else if (c->first != 0) {
            rs_hist_add_run(&st->bucket_latency[b], c->first - 1u, c->counts, CELL_COUNTS, c->min, c->max);
        }
        memset(c, 0, sizeof *c);
    }
}

/* Sets up the sources; see traffic.h. */
RsTraffic *
rs_traffic_new(RsSim *sim, const RsScenario *sc, rs_time_t end, GError **error)
{
    for (unsigned i = 0; i < sc->n_traffic; i++) {
        const RsTrafficSpec *t = &sc->traffic[i];
        GError *err = NULL;
        if (!rs_sim_check_request(sim, &t->from, &t->to, &err)) {
            g_set_error(error, RS_SIM_ERROR, RS_SIM_ERROR_INVALID, "%s:%d:%d: %s: %s",
                        sc->file ? sc->file : "<scenario>", t->pos.line, t->pos.col,
                        t->pos.path ? t->pos.path : "traffic", err->message);
            g_error_free(err);
            return NULL;
        }
    }
    RsTraffic *tr = g_new0(RsTraffic, 1);
    tr->sim = sim;
    tr->eng = rs_sim_engine(sim);
    tr->blocks = g_ptr_array_new_with_free_func(g_free);
    tr->n_sources = sc->n_traffic;
    tr->sources = aligned_zero((sc->n_traffic ? sc->n_traffic : 1) * sizeof(Source));
    uint64_t next_base = 1;     /* client 0 is the probes' (rs_sim_request) */
    for (unsigned i = 0; i < sc->n_traffic; i++) {
        Source *s = &tr->sources[i];
        const RsTrafficSpec *t = &sc->traffic[i];
        s->client_base = next_base;
        next_base += t->clients;
        char name[320];
        s->tr = tr;
        s->spec = t;
        s->stats = stats_new(t, end);
        g_snprintf(name, sizeof name, "traffic:%s", t->name);
        rs_rng_init(&s->rng, rs_sim_seed(sim), name);       /* R37 */
        g_snprintf(s->stream, sizeof s->stream, "traffic/%s", t->name);
        rs_sim_requester_init(sim, &s->rq, &t->from, s->stream);
        s->rq_rng = s->rq.rng;
        s->stop = MIN(t->stop, end);
        s->windows = g_ptr_array_new_with_free_func(window_free);
        s->bucket = s->stats->bucket;
        s->n_buckets = s->stats->n_buckets;
        s->cells = aligned_zero(s->n_buckets * sizeof(Cell));
        s->clients = t->clients;
        s->constant = t->arrivals == RS_ARRIVALS_CONSTANT;
        s->to = t->to;
        size_t nh = t->to.host != NULL ? strlen(t->to.host) + 1 : 0;
        size_t np = t->to.path != NULL ? strlen(t->to.path) + 1 : 0;
        if (nh + np <= sizeof s->url_text) {
            /* the same strings, where the request reads them (the DNS cache
             * compares the host by pointer: this one stays the same too) */
            if (nh > 0)
                memcpy(s->url_text, t->to.host, nh);
            if (np > 0)
                memcpy(s->url_text + nh, t->to.path, np);
            s->to.host = nh > 0 ? s->url_text : NULL;
            s->to.path = np > 0 ? s->url_text + nh : NULL;
            s->url_long = nh + np > 16;
        }
        s->gap_mean = 1e9 / t->rate;
        rs_hist_init(&s->latency, RS_HIST_FINE);
    }
    return tr;
}

/* Frees the generators (and the statistics unless taken). */
void
rs_traffic_free(RsTraffic *tr)
{
    if (tr == NULL)
        return;
    for (unsigned i = 0; i < tr->n_sources; i++) {
        Source *s = &tr->sources[i];
        if (!tr->taken)
            rs_traffic_stats_free(s->stats);
        g_free(s->refs);
        g_ptr_array_unref(s->windows);
        free(s->cells);
        for (unsigned b = 0; s->spill != NULL && b < s->n_buckets; b++)
            rs_hist_clear(&s->spill[b]);
        g_free(s->spill);
        rs_hist_clear(&s->latency);
    }
    free(tr->sources);
    g_ptr_array_unref(tr->blocks);
    g_free(tr);
}

/* The source named `name`, or NULL. */
static Source *
find_source(const RsTraffic *tr, const char *name)
{
    for (unsigned i = 0; i < tr->n_sources; i++)
        if (strcmp(tr->sources[i].spec->name, name) == 0)
            return &tr->sources[i];
    return NULL;
}

/* Frees one window. */
static void
window_free(gpointer p)
{
    RsTrafficWindow *w = p;
    rs_hist_clear(&w->latency);
    g_array_unref(w->pod_ok);
    g_free(w);
}

/* Registers a window; see traffic.h. */
const RsTrafficWindow *
rs_traffic_watch(RsTraffic *tr, const char *name, rs_time_t start, rs_time_t end)
{
    Source *s = find_source(tr, name);
    if (s == NULL)
        return NULL;
    RsTrafficWindow *w = g_new0(RsTrafficWindow, 1);
    w->stats = s->stats;
    w->start = start;
    w->end = end;
    rs_hist_init(&w->latency, RS_HIST_FINE);
    w->pod_ok = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    g_ptr_array_add(s->windows, w);
    s->watched = true;
    return w;
}

/* The statistics of one source so far. */
const RsTrafficStats *
rs_traffic_stats(const RsTraffic *tr, const char *name)
{
    Source *s = find_source(tr, name);
    if (s == NULL)
        return NULL;
    flush(s);
    return s->stats;
}

/* Requests sent and ok answers of every source; see traffic.h. */
void
rs_traffic_totals(const RsTraffic *tr, uint64_t *sent, uint64_t *ok)
{
    *sent = *ok = 0;
    for (unsigned i = 0; i < tr->n_sources; i++) {
        const Source *s = &tr->sources[i];
        *sent += s->k;
        *ok += s->stats->outcomes[RS_OUTCOME_OK];
        for (unsigned b = 0; b < s->n_buckets; b++)
            *ok += s->cells[b].ok;
    }
}

unsigned
rs_traffic_in_flight(const RsTraffic *tr)
{
    return tr->in_flight;
}

unsigned
rs_traffic_pool_size(const RsTraffic *tr)
{
    return tr->pool_size;
}

/* A record from the pool; a new block of them only when the pool is empty. */
static Arrival *
arrival_get(RsTraffic *tr)
{
    if (tr->free_list == NULL) {
        Arrival *block = g_new0(Arrival, ARRIVAL_BLOCK);
        g_ptr_array_add(tr->blocks, block);
        for (unsigned i = 0; i < ARRIVAL_BLOCK; i++) {
            block[i].next = tr->free_list;
            tr->free_list = &block[i];
        }
        tr->pool_size += ARRIVAL_BLOCK;
    }
    Arrival *a = tr->free_list;
    tr->free_list = a->next;
    a->next = NULL;
    return a;
}

/* The cell of an interned pod name in a table of `cap` cells. */
static inline unsigned
ref_home(const char *pod, unsigned cap)
{
    uint64_t x = (uint64_t)(uintptr_t)pod * UINT64_C(0x9e3779b97f4a7c15);
    return (unsigned)(x >> 32) & (cap - 1);
}

/* The records of pod `pod` (interned by the world) in source `s`; a new,
 * empty entry the first time.  The pointer is valid until the next call. */
static PodRef *
pod_ref(Source *s, const char *pod)
{
    if (4 * (s->refs_len + 1) > 3 * s->refs_cap) {
        unsigned cap = s->refs_cap == 0 ? 16 : 2 * s->refs_cap;
        PodRef *refs = g_new0(PodRef, cap);
        for (unsigned i = 0; i < s->refs_cap; i++) {
            if (s->refs[i].pod == NULL)
                continue;
            unsigned k = ref_home(s->refs[i].pod, cap);
            while (refs[k].pod != NULL)
                k = (k + 1) & (cap - 1);
            refs[k] = s->refs[i];
        }
        g_free(s->refs);
        s->refs = refs;
        s->refs_cap = cap;
    }
    unsigned k = ref_home(pod, s->refs_cap);
    while (s->refs[k].pod != pod) {
        if (s->refs[k].pod == NULL) {
            s->refs[k].pod = pod;
            s->refs_len++;
            break;
        }
        k = (k + 1) & (s->refs_cap - 1);
    }
    return &s->refs[k];
}

/* The record of pod `pod` (`r`, its entry) for source `s`: its index. */
static unsigned
pod_slot(Source *s, PodRef *r, const char *pod)
{
    if (r->slot != 0)
        return r->slot - 1;
    RsTrafficStats *st = s->stats;
    RsTrafficPod *p = g_new0(RsTrafficPod, 1);
    p->name = g_strdup(pod);
    RsPod *wp = rs_world_pod_full(rs_sim_world(s->tr->sim), pod);
    if (wp != NULL) {
        p->serial = wp->serial;
        p->owner = wp->owner != NULL ? g_strdup(wp->owner->full) : NULL;
    }
    p->per_bucket = g_new0(uint32_t, st->n_buckets);
    g_ptr_array_add(st->pods, p);
    if (st->pods->len == 1) {   /* slot 0: counted in the cells when ok */
        s->p0 = pod;
        s->p0_rec = p;
    }
    r->slot = st->pods->len;
    return st->pods->len - 1;
}

/* The record of the pod a request was sent to (`r`, its entry): O(1). */
static RsTrafficTarget *
target_of(Source *s, PodRef *r, const char *pod)
{
    if (r->target != NULL)
        return r->target;
    RsTrafficStats *st = s->stats;
    RsTrafficTarget *t = g_new0(RsTrafficTarget, 1);
    t->name = g_strdup(pod);
    RsPod *wp = rs_world_pod_full(rs_sim_world(s->tr->sim), pod);
    t->serial = wp != NULL ? wp->serial : UINT32_MAX;
    t->sent_bucket = g_new0(uint32_t, st->n_buckets);
    t->bad_bucket = g_new0(uint32_t, st->n_buckets);
    g_ptr_array_add(st->targets, t);
    if (st->targets->len == 1) {        /* counted in the cells when ok */
        s->t0 = pod;
        s->t0_rec = t;
    }
    r->target = t;
    return t;
}

/* Adds an ok answer's latency to its cell (b: the cell's bucket), or to the
 * source's spill histogram once the cell's counters do not cover it. */
static void
cell_latency(Source *s, Cell *c, unsigned b, int64_t v)
{
    if (v < 0)                  /* as rs_hist_add */
        v = 0;
    unsigned i = rs_hist_index(RS_HIST_COARSE, v);
    if (c->first != CELL_SPILLED) {
        if (c->first == 0) {
            c->first = (uint16_t)((i > CELL_COUNTS / 2 - 1 ? i - (CELL_COUNTS / 2 - 1) : 0) + 1);
            c->min = c->max = v;
        }
        unsigned base = c->first - 1u;
        if (i >= base && i - base < CELL_COUNTS) {
            c->counts[i - base]++;
            c->min = MIN(c->min, v);
            c->max = MAX(c->max, v);
            return;
        }
        if (s->spill == NULL) {
            s->spill = g_new(RsHist, s->n_buckets);
            for (unsigned k = 0; k < s->n_buckets; k++)
                rs_hist_init(&s->spill[k], RS_HIST_COARSE);
        }
        rs_hist_add_run(&s->spill[b], base, c->counts, CELL_COUNTS, c->min, c->max);
        c->first = CELL_SPILLED;
    }
    rs_hist_add(&s->spill[b], v);
}

/* The pipeline's answer to one arrival: count it, forget it.  An ok answer
 * to and from the source's first pod touches only the source's first cache
 * lines, its cell and the latency histogram's counter (issue 14). */
static void
answered(RsSim *sim, const RsResult *res, void *data)
{
    Arrival *a = data;
    Source *s = a->src;
    RsTraffic *tr = s->tr;
    bool ok = res->outcome == RS_OUTCOME_OK;
    unsigned b = (unsigned)MIN((uint64_t)(res->started / s->bucket), (uint64_t)s->n_buckets - 1);
    Cell *c = &s->cells[b];
    if (ok) {
        c->ok++;
    } else {
        RsTrafficStats *st = s->stats;
        stats_buckets(st);
        st->outcomes[res->outcome]++;
        st->bucket_outcomes[b][res->outcome]++;
    }
    PodRef *r = NULL;
    if (res->to_pod != NULL) {
        if (ok && res->to_pod == s->t0) {
            c->t_ok++;
        } else {
            r = pod_ref(s, res->to_pod);
            RsTrafficTarget *t = target_of(s, r, res->to_pod);
            t->sent++;
            t->outcomes[res->outcome]++;
            t->sent_bucket[b]++;
            t->bad_bucket[b] += !ok;
        }
    }
    unsigned slot = 0;          /* p0's */
    if (res->pod != NULL) {
        if (ok && res->pod == s->p0) {
            c->p_ok++;
        } else {
            if (r == NULL || res->pod != res->to_pod)
                r = pod_ref(s, res->pod);
            slot = pod_slot(s, r, res->pod);
            RsTrafficPod *p = s->stats->pods->pdata[slot];
            p->served++;
            p->ok += ok;
            p->per_bucket[b]++;
        }
    }
    if (ok) {
        lat_note(s, res->latency);
        cell_latency(s, c, b, res->latency);
    }
    for (unsigned i = 0; s->watched && i < s->windows->len; i++) {
        RsTrafficWindow *w = s->windows->pdata[i];
        if (res->started < w->start || res->started >= w->end)
            continue;
        w->sent++;
        w->outcomes[res->outcome]++;
        if (ok) {
            rs_hist_add(&w->latency, res->latency);
            if (res->pod != NULL) {
                if (w->pod_ok->len <= slot)
                    g_array_set_size(w->pod_ok, s->stats->pods->len);
                g_array_index(w->pod_ok, uint64_t, slot)++;
            }
        }
    }
    a->next = tr->free_list;
    tr->free_list = a;
    tr->in_flight--;
    (void)sim;
}

/* The time of arrival number k (0-based) of a constant source. */
static rs_time_t
constant_time(const Source *s, uint64_t k)
{
    double t = (double)s->spec->start + (double)k * 1e9 / s->spec->rate;
    return t >= (double)RS_TIME_NEVER ? RS_TIME_NEVER : (rs_time_t)llround(t);
}

/* Schedules the source's next arrival after `now` (none at or after stop). */
static void ev_arrival(RsEngine *eng, void *obj, uint64_t arg);

static void
schedule_next(Source *s, rs_time_t now)
{
    rs_time_t at;
    if (s->constant) {
        at = constant_time(s, s->k);
    } else {
        double gap = rs_rng_exponential(&s->rng, s->gap_mean);
        at = gap >= (double)(RS_TIME_NEVER - now) ? RS_TIME_NEVER : now + (rs_time_t)llround(gap);
    }
    if (at < s->stop)
        rs_engine_schedule(s->tr->eng, at, ev_arrival, s, 0);
}

/* Event: one arrival: a request from the next client. */
static void
ev_arrival(RsEngine *eng, void *obj, uint64_t arg)
{
    Source *s = obj;
    RsTraffic *tr = s->tr;
    rs_time_t now = rs_engine_now(eng);
    /* The lines this request will need and the arrival does not read
     * itself, fetched together instead of one miss after another: the URL
     * and the requester (read by the pipeline now), the pending latencies
     * and the cell of this instant (written by the answer ~1 ms later). */
    __builtin_prefetch(&s->to);
    if (s->url_long)
        __builtin_prefetch(s->url_text + 16);
    __builtin_prefetch(&s->rq);
    __builtin_prefetch(s->rq_rng);
    __builtin_prefetch(s->lat_pend, 1);
    __builtin_prefetch(&s->cells[MIN((uint64_t)(now / s->bucket), (uint64_t)s->n_buckets - 1)], 1);
    Arrival *a = arrival_get(tr);
    a->src = s;
    a->client = s->next_client;
    if (++s->next_client >= s->clients)
        s->next_client = 0;
    s->k++;
    tr->in_flight++;
    rs_sim_request_as(tr->sim, &s->rq, &s->to, s->client_base + a->client, false, answered, a);
    schedule_next(s, now);
    (void)arg;
}

/* Schedules the first arrivals; see traffic.h. */
void
rs_traffic_start(RsTraffic *tr)
{
    for (unsigned i = 0; i < tr->n_sources; i++) {
        Source *s = &tr->sources[i];
        if (s->spec->arrivals == RS_ARRIVALS_CONSTANT) {
            if (s->spec->start < s->stop)
                rs_engine_schedule(tr->eng, s->spec->start, ev_arrival, s, 0);
        } else {
            schedule_next(s, s->spec->start);
        }
    }
}

/* Orders pods by creation, then name. */
static int
cmp_pod(gconstpointer a, gconstpointer b)
{
    const RsTrafficPod *x = *(RsTrafficPod *const *)a, *y = *(RsTrafficPod *const *)b;
    if (x->serial != y->serial)
        return x->serial < y->serial ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Orders targets by creation, then name. */
static gint
cmp_target(gconstpointer a, gconstpointer b)
{
    const RsTrafficTarget *x = *(RsTrafficTarget *const *)a, *y = *(RsTrafficTarget *const *)b;
    if (x->serial != y->serial)
        return x->serial < y->serial ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Adds a service to a list once. */
static void
add_service(GPtrArray *out, RsService *svc)
{
    if (svc != NULL && !g_ptr_array_find(out, svc, NULL))
        g_ptr_array_add(out, svc);
}

/* The live services behind a source's target now (traffic.h). */
static void
target_services(RsTraffic *tr, const RsTrafficSpec *spec, GPtrArray *out)
{
    RsWorld *w = rs_sim_world(tr->sim);
    const RsUrl *u = &spec->to;
    if (u->pod_ref != NULL || u->host == NULL)
        return;
    uint32_t ip = u->ip;
    if (!u->is_ip) {
        RsDnsWalk walk;
        GError *err = NULL;
        bool found = rs_sim_resolve(tr->sim, &spec->from, u->host, &walk, &err);
        g_clear_error(&err);
        if (!found || walk.n_addrs == 0)
            return;
        if (walk.service != NULL) {         /* a cluster service name (R12, R17) */
            add_service(out, rs_world_service_full(w, walk.service));
            return;
        }
        ip = walk.addrs[0];
    }
    RsService *svc = rs_world_service_at(w, ip);
    if (svc != NULL) {
        add_service(out, svc);
        return;
    }
    if (ip != w->par.router_vip || u->is_ip)
        return;
    /* R21, R22: the Host header is the name, lowercased, without a final dot. */
    char host[256];
    rs_url_host_header(u->host, host, sizeof host);
    unsigned n_routes;
    RsRoute *const *routes = rs_world_routes_of_host(w, host, &n_routes);
    for (unsigned i = 0; i < n_routes; i++) {
        const RsRoute *r = routes[i];
        if (!r->admitted)
            continue;
        for (unsigned k = 0; k < r->def->n_backends; k++)
            add_service(out, rs_world_service(w, r->ns->name, r->def->backends[k].service));
    }
}

/* Orders names. */
static gint
cmp_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every pod the world ever made, by namespace and label ("ns\x1fkey=value"),
 * and by namespace alone ("ns\x1f"): built once for all the sources, so
 * that find_idle_pods looks only at the pods that carry a service's first
 * selector label, never at every pod per source (that was O(sources x
 * pods): 5 s at 10^4 namespaces). */
static GHashTable *
pods_by_label(RsWorld *w)
{
    GHashTable *idx = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify)g_ptr_array_unref);
    GString *key = g_string_new(NULL);
    for (guint i = 0; i < rs_world_n_pods(w); i++) {
        const RsPod *p = rs_world_pod_nth(w, i);
        for (unsigned l = 0; l <= p->tmpl->n_labels; l++) {
            g_string_printf(key, "%s\x1f", p->ns->name);
            if (l < p->tmpl->n_labels)
                g_string_append_printf(key, "%s=%s", p->tmpl->labels[l].key, p->tmpl->labels[l].value);
            GPtrArray *list = g_hash_table_lookup(idx, key->str);
            if (list == NULL) {
                list = g_ptr_array_new();
                g_hash_table_insert(idx, g_strdup(key->str), list);
            }
            g_ptr_array_add(list, (gpointer)p);
        }
    }
    g_string_free(key, TRUE);
    return idx;
}

/* Fills a source's idle_pods: pods its target's services select that existed
 * while it sent ([start, stop): created before stop, not stopped before
 * start) and never answered it.  `idx`: pods_by_label. */
static void
find_idle_pods(RsTraffic *tr, Source *s, GHashTable *idx)
{
    g_autoptr(GPtrArray) svcs = g_ptr_array_new();
    target_services(tr, s->spec, svcs);
    if (svcs->len == 0)
        return;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (unsigned i = 0; i < s->stats->pods->len; i++)
        g_hash_table_add(seen, ((RsTrafficPod *)s->stats->pods->pdata[i])->name);
    g_autoptr(GString) key = g_string_new(NULL);
    for (guint k = 0; k < svcs->len; k++) {
        const RsService *svc = svcs->pdata[k];
        g_string_printf(key, "%s\x1f", svc->ns->name);
        if (svc->def->n_selector > 0)
            g_string_append_printf(key, "%s=%s", svc->def->selector[0].key, svc->def->selector[0].value);
        const GPtrArray *cand = g_hash_table_lookup(idx, key->str);
        for (guint i = 0; cand != NULL && i < cand->len; i++) {
            const RsPod *p = cand->pdata[i];
            if (p->created >= s->stop || (p->stopped_at != RS_TIME_NEVER && p->stopped_at < s->spec->start) ||
                g_hash_table_contains(seen, p->full) ||
                !rs_labels_match(svc->def->selector, svc->def->n_selector, p->tmpl))
                continue;
            g_hash_table_add(seen, (gpointer)p->full);
            g_ptr_array_add(s->stats->idle_pods, g_strdup(p->full));
        }
    }
    g_ptr_array_sort(s->stats->idle_pods, cmp_name);
}

/* Hands the statistics over; see traffic.h. */
RsTrafficStats **
rs_traffic_take(RsTraffic *tr, unsigned *n)
{
    RsTrafficStats **out = g_new0(RsTrafficStats *, tr->n_sources + 1);
    g_autoptr(GHashTable) idx = pods_by_label(rs_sim_world(tr->sim));
    for (unsigned i = 0; i < tr->n_sources; i++) {
        flush(&tr->sources[i]);
        out[i] = tr->sources[i].stats;
        g_ptr_array_sort(out[i]->pods, cmp_pod);
        g_ptr_array_sort(out[i]->targets, cmp_target);
        find_idle_pods(tr, &tr->sources[i], idx);
    }
    tr->taken = true;
    *n = tr->n_sources;
    return out;
}
