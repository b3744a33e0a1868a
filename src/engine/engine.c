/* engine.c: the event queue, the clock and cancellable timers (R37).
 *
 * WHAT IT IS
 * ----------
 * A pending event is split in two parts:
 *
 *   - a 16-byte heap entry { time, key }, where key = seq << SLOT_BITS | slot.
 *     `seq` is a per-engine counter incremented on every schedule, `slot` is
 *     the index of the event's payload;
 *   - a 32-byte payload { fn, obj, arg, gen } in a slot array that is
 *     recycled through a LIFO free list.
 *
 * The entries form a 4-ary min-heap ordered by (time, key).  Since seq is
 * unique and sits above the slot bits, comparing key compares seq: equal-time
 * events run in the order they were scheduled, which is what makes a run a
 * pure function of (scenario, seed).  The heap array is offset by three
 * entries and 64-byte aligned, so the four children of a node fill exactly
 * one cache line: picking the smallest child of a level costs one line fill.
 *
 * Timers are ordinary events whose handle is (gen << 32 | slot + 1).  The
 * slot's generation is bumped every time the slot is released, so a handle
 * to an event that already ran (or was cancelled and reaped) no longer
 * matches and rs_engine_cancel returns false.  Cancelling is O(1): the
 * payload's fn is cleared and the heap entry stays where it is (lazy
 * deletion).  A cancelled entry is skipped when it reaches the root, and is
 * counted in `dead` so that rs_engine_pending stays exact.  If dead entries
 * ever outnumber live ones (a burst of cancelled long timers), the heap is
 * compacted in O(n) with a bottom-up heapify, so memory stays proportional
 * to live events.
 *
 * WHAT IT COSTS
 * -------------
 * schedule: O(log4 n) sift-up, which for the hold-model distribution of
 * times (a new event lands at a random depth, mostly near the bottom)
 * averages a couple of comparisons.  pop: one sift-down of log4 n levels,
 * 3 comparisons per level.  No allocation on the hot path: the heap and the
 * slot array double when full and are never shrunk, so after warm-up the
 * engine performs no malloc at all.  Comparisons are branch-free (below);
 * in a heap larger than the cache the misses dominate instead, so the
 * sift-down prefetches the grandchildren while it compares the children,
 * and the run loop prefetches the next root's payload while the current
 * callback runs (docs/performance.md has the figures before and after).
 * Memory: 48 bytes per pending event (16 in the heap, 32 in the slot
 * array).  The slot freed by the event being run is the first one reused
 * (LIFO), so the typical "handle an event, schedule the next" pattern writes
 * a payload that is already in cache.
 *
 * LANES (rs_engine_after, rs_engine_timer_after)
 * ----------------------------------------------
 * Most events of a request are scheduled at now + d for a d that never
 * changes: a hop's latency (latency_cluster, latency_internet), the connect
 * timeout (R38), the router's health-check interval (R29).  Events scheduled
 * at now + d for one fixed d come in non-decreasing (time, seq) order, since
 * now never moves back and seq only grows; so they need no heap: a FIFO ring
 * of heap entries per distinct d (a "lane", at most LANES_MAX of them, made
 * on first use) keeps them sorted with an O(1) push and pop.  A lane entry
 * is a heap entry (the same 16 bytes, the same seq counter, the same slot
 * array), so a timer in a lane is cancelled exactly like one in the heap
 * (lazy deletion, counted in `dead`, skipped at the head, compacted).  The
 * run loop takes the smallest (time, key) among the heap's root and the
 * lanes' fronts (kept side by side in `fronts`, an empty lane's front being
 * the largest possible entry), so the order of execution is exactly that of
 * one heap holding everything: the lanes only spare the heap the sift-down
 * of the events they hold.  Why lanes and not a second, small heap for the
 * events due soon: the constant-delay events are most of the traffic
 * (request.c: 5 to 9 of a request's events, plus 10^4 health-check timers
 * for a router with 10^4 servers), a second heap would still sift them
 * (log of the events in flight), and "due soon" needs a horizon that moves
 * entries between the heaps; a lane costs a compare per lane per pop
 * (docs/performance.md, issue 14, session 5, has the figures).  More than
 * LANES_MAX distinct delays fall back to the heap, so a caller passing a
 * varying delay stays correct, only slower.
 *
 * THE CLOCK
 * ---------
 * `now` is the time of the event being run.  rs_engine_run(until) runs every
 * event at or before `until`; if it ends because nothing is left by then (not
 * because of rs_engine_stop), the clock moves to `until`, so "run for 60 s"
 * then "schedule at now + x" works on an idle queue.  It never moves back.
 *
 * LIMITS
 * ------
 * SLOT_BITS = 26 allows 2^26 (67 million) simultaneously pending events,
 * 3 GB of queue; more aborts with a message.  The remaining 38 bits of seq
 * last 2.7e11 schedules (hours at full speed); when they run out the queue
 * is renumbered: the entries older than the last 2^32 numbers are sorted by
 * (time, seq) and given fresh numbers 0..K-1 in that order, the newer ones
 * (and the tickets of those numbers, below) move down to K and on, which
 * preserves every ordering decision.  A timer handle is ambiguous only after
 * the same slot has been reused 2^32 times while the caller kept the handle.
 *
 * TICKETS (rs_engine_ticket, rs_engine_timer_ticket)
 * --------------------------------------------------
 * A timer that is almost always cancelled soon after it is armed (a
 * client's connect timeout, R38, cancelled when the router accepts the
 * connection) costs a slot, an entry, a cancel and a compaction, and the
 * cancel's slot is a cache miss (issue 14, D).  Its caller can instead take
 * a ticket where it would arm it: the sequence number the timer would have
 * had, and nothing queued.  If it turns out that the timer is needed, it is
 * queued later under the ticket's number, at the time it would have had:
 * its (time, key) is the one arming it at once would have given, so the
 * order of execution is the same, and a cancelled timer never runs, so
 * dropping a ticket is what cancelling the timer would have done.  Such a
 * timer goes to the heap: its number may precede entries already in its
 * delay's lane.  A ticket must be used within 2^32 further numbers
 * (renumbering keeps that span's order; an older one aborts).
 *
 * WHAT WAS REJECTED
 * -----------------
 * - A binary heap: twice the levels, each on a different cache line once the
 *   heap outgrows the cache (not measured: the 4-ary heap met the targets).
 * - Floyd's bottom-up pop (descend to a leaf, then sift the last entry up):
 *   measured, within the noise of the plain sift-down.
 * - Whole events (40+ bytes) inside the heap: every sift moves 2.5x the
 *   bytes and four children no longer share a line.
 * - A 24-byte entry {time, seq, slot}: same count of comparisons, but four
 *   children span two lines.
 * - A calendar queue / ladder queue: O(1) amortised with a well-tuned bucket
 *   width, but the width depends on the time distribution, which in
 *   rahtisim mixes nanosecond hops with 40-second failure detectors; a
 *   resize storm is easy to provoke and hard to reason about.  The heap's
 *   cost is predictable and the measured rates already exceed the targets
 *   (docs/performance.md).
 * - Eager removal on cancel (an index-tracking heap): every sift would have
 *   to write back the position of each moved entry into its payload, a
 *   second random store per level, to speed up an operation (cancel) that
 *   is rarer than schedule/pop.
 * - GLib's GSequence / GQueue: a node allocation per event.
 * - For the lanes: a winner tree over the lane fronts (three compares per
 *   pop instead of one per lane): -150 instructions per request with a
 *   route of 10^4 servers (7 lanes), +140 in the plain pipeline (3 lanes);
 *   and a direct-mapped delay -> lane cache in front of the scan of the
 *   delays: -33 and 0.  Neither kept.
 *
 * There is no global state: everything hangs off RsEngine.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/engine.h"
#include "rahtisim/util.h"
#include "engine/engine-private.h"

#define SLOT_BITS 26
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define SLOT_MAX (UINT64_C(1) << SLOT_BITS)
#define SEQ_LIMIT (UINT64_C(1) << (64 - SLOT_BITS))

/* Tickets (rs_engine_ticket): a ticket is a sequence number taken now for a
 * timer that may be queued later; it is valid for TICKET_SPAN further
 * numbers (renumber keeps the last TICKET_SPAN numbers' order and tells by
 * how much it moved them).  A ticket is seq | epoch << TICKET_EPOCH_SHIFT,
 * the epoch being the count of renumberings (mod 2^26). */
#define TICKET_SPAN (UINT64_C(1) << 32)
#define TICKET_EPOCH_SHIFT (64 - SLOT_BITS)
#define TICKET_EPOCH_MASK ((UINT64_C(1) << SLOT_BITS) - 1)

/* Heap layout: logical node k lives at physical index k + ROOT, so the
 * children of physical p are 4p - 8 .. 4p - 5 (one aligned group of four) and
 * its parent is p / 4 + 2. */
#define ROOT 3
#define FIRST_CHILD(p) (4 * (p) - 8)
#define PARENT(p) ((p) / 4 + 2)

#define FREE_END UINT32_MAX

/* Lanes (see LANES above): each pop compares the heap's root with every
 * lane's front, so few.  The request pipeline uses 4 or 5 delays. */
#define LANES_MAX 8
#define LANE_CAP0 64            /* a lane's first ring, entries */

/* Cancelled entries tolerated before a compaction is considered (it also
 * needs dead > live).  Small, because the request pipeline arms a connect
 * timer (10 s, R38) per request and cancels it a millisecond later: with
 * 1024 the heap carried ~1 000 dead timers far in the future, two extra
 * levels of sift-down on every pop (docs/performance.md, issue 14).  The
 * compaction is O(len) once per len/2 cancels: O(1) amortised. */
#define DEAD_MIN 32

/* The sift-down prefetches the grandchildren only in a heap of more entries
 * than this (256 KiB: beyond L2), where the misses it hides cost more than
 * its instructions; the request pipeline's heap is a few hundred entries. */
#define PREFETCH_MIN 16384

typedef struct {
    rs_time_t time;
    uint64_t key;               /* seq << SLOT_BITS | slot */
} HeapEntry;

typedef struct {
    RsEventFn fn;               /* NULL: free, or cancelled and not yet reaped */
    void *obj;
    uint64_t arg;
    uint32_t gen;               /* bumped when the slot is released */
    uint32_t next_free;         /* free-list link while the slot is free; while it is
                                 * queued: SLOT_IN_HEAP or SLOT_IN_LANE (where its entry is) */
} Slot;

#define SLOT_IN_HEAP 0u
#define SLOT_IN_LANE 1u

/* A FIFO of entries all scheduled at now + one delay: sorted by (time, key)
 * by construction.  ring[(head + k) & mask] for k < count. */
typedef struct {
    HeapEntry *ring;
    size_t mask;                /* capacity - 1 (a power of two); 0: no ring yet */
    size_t head;
    size_t count;               /* entries, dead ones included */
} Lane;

/* An empty lane's front: after every real entry (no key reaches it, SEQ_LIMIT). */
static const HeapEntry NO_ENTRY = { RS_TIME_NEVER, UINT64_MAX };

struct RsEngine {
    HeapEntry *heap;            /* physical [ROOT, ROOT + len) in use */
    size_t len;                 /* entries in the heap, dead ones included */
    size_t heap_cap;            /* physical capacity of heap */
    Slot *slots;
    size_t nslots;              /* slots ever handed out */
    size_t slot_cap;
    uint32_t free_head;         /* LIFO list of released slots */
    size_t dead;                /* cancelled entries still in the heap or a lane */
    size_t dead_heap;           /* of those, in the heap (the rest are in lanes) */
    uint64_t seq;
    rs_time_t now;
    uint64_t executed;
    uint64_t max_executed;      /* the run-away guard (rs_engine_set_limit); UINT64_MAX: none */
    uint64_t guard_at;          /* the next `executed` at which a guard looks: min(max_executed,
                                   the next memory check) */
    uint64_t max_memory;        /* the memory budget (rs_engine_set_memory_limit); 0: none */
    uint64_t memory_seen;       /* the resident bytes that crossed it */
    bool limited;               /* a run stopped at max_executed with an event due */
    bool memory_exceeded;       /* ... or at the memory budget */
    bool stop;
    bool running;
    uint64_t renumbered;        /* renumberings so far (tickets' epoch) */
    uint64_t renumber_lo;       /* the last one moved numbers >= lo ... */
    uint64_t renumber_shift;    /* ... down by this */
    /* The lanes (LANES), after the fields every event touches. */
    unsigned nlanes;                /* lanes made */
    size_t lane_len;                /* entries in all lanes, dead ones included */
    HeapEntry fronts[LANES_MAX];    /* lane i's first entry, or NO_ENTRY */
    rs_time_t lane_delay[LANES_MAX];
    Lane lanes[LANES_MAX];
};

static bool guard_stops(RsEngine *eng);

/* True if heap entry a must run before b.  Times are never negative, so the
 * pair compares as one unsigned 128-bit number: the compiler emits cmp/sbb
 * and no branch, which matters because heap comparisons are coin flips that
 * a branch predictor gets wrong half the time. */
static inline bool
entry_before(const HeapEntry *a, const HeapEntry *b)
{
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    u128 x = (u128)(uint64_t)a->time << 64 | a->key;
    u128 y = (u128)(uint64_t)b->time << 64 | b->key;
    return x < y;
#else
    return a->time < b->time || (a->time == b->time && a->key < b->key);
#endif
}

/* Aborts with a message: the queue cannot grow any more. */
static void G_GNUC_NORETURN
engine_overflow(const char *what)
{
    g_error("rahtisim: engine: too many pending events (%s)", what);
    abort();
}

/* Allocates `n` zeroed entries aligned to a 64-byte cache line. */
static void *
aligned_array(size_t n, size_t size)
{
    void *p = NULL;
    if (n > SIZE_MAX / size || posix_memalign(&p, 64, n * size) != 0)
        engine_overflow("out of memory");
    memset(p, 0, n * size);
    return p;
}

/* Doubles the heap array (physical capacity stays a multiple of 4). */
static void
heap_grow(RsEngine *eng)
{
    size_t cap = eng->heap_cap * 2;
    HeapEntry *h = aligned_array(cap, sizeof *h);
    memcpy(h + ROOT, eng->heap + ROOT, eng->len * sizeof *h);
    free(eng->heap);
    eng->heap = h;
    eng->heap_cap = cap;
}

/* Doubles the slot array. */
static void
slots_grow(RsEngine *eng)
{
    size_t cap = eng->slot_cap * 2;
    if (cap > SLOT_MAX)
        cap = SLOT_MAX;
    if (cap <= eng->slot_cap)
        engine_overflow("more than 2^26 at once");
    Slot *s = g_renew(Slot, eng->slots, cap);
    memset(s + eng->slot_cap, 0, (cap - eng->slot_cap) * sizeof *s);
    eng->slots = s;
    eng->slot_cap = cap;
}

/* Creates an empty engine at time 0. */
RsEngine *
rs_engine_new(void)
{
    RsEngine *eng = g_new0(RsEngine, 1);
    eng->heap_cap = 256;
    eng->heap = aligned_array(eng->heap_cap, sizeof *eng->heap);
    eng->slot_cap = 256;
    eng->slots = g_new0(Slot, eng->slot_cap);
    eng->free_head = FREE_END;
    eng->max_executed = UINT64_MAX;
    eng->guard_at = UINT64_MAX;
    return eng;
}

/* Frees the engine; pending events are dropped without running. */
void
rs_engine_free(RsEngine *eng)
{
    if (eng == NULL)
        return;
    free(eng->heap);
    for (unsigned i = 0; i < eng->nlanes; i++)
        g_free(eng->lanes[i].ring);
    g_free(eng->slots);
    g_free(eng);
}

/* The current simulated time. */
rs_time_t
rs_engine_now(const RsEngine *eng)
{
    return eng->now;
}

/* Moves entry `e` up from the hole at physical index `i` to its place. */
static inline void
sift_up(HeapEntry *h, size_t i, HeapEntry e)
{
    while (i > ROOT) {
        size_t p = PARENT(i);
        if (!entry_before(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

/* Moves entry `e` down from the hole at physical index `i`; `end` is one
 * past the last physical index in use. */
static inline void
sift_down(HeapEntry *h, size_t i, size_t end, HeapEntry e)
{
    for (;;) {
        size_t c = FIRST_CHILD(i);
        if (c + 3 < end) {
            /* All four children exist: the common case, no bounds tests.
             * The grandchildren (16 entries, four lines) are fetched while
             * the children are compared, so in a heap larger than the cache
             * the next level's miss overlaps this level's work (only when
             * all 16 exist, so no address past the array is formed). */
            size_t g = FIRST_CHILD(c);
            if (end > PREFETCH_MIN && g + 15 < end) {
                __builtin_prefetch(&h[g]);
                __builtin_prefetch(&h[g + 4]);
                __builtin_prefetch(&h[g + 8]);
                __builtin_prefetch(&h[g + 12]);
            }
            size_t m = c;
            if (entry_before(&h[c + 1], &h[m]))
                m = c + 1;
            if (entry_before(&h[c + 2], &h[m]))
                m = c + 2;
            if (entry_before(&h[c + 3], &h[m]))
                m = c + 3;
            if (!entry_before(&h[m], &e))
                break;
            h[i] = h[m];
            i = m;
        } else {
            if (c >= end)
                break;
            size_t m = c;
            for (size_t k = c + 1; k < end; k++)
                if (entry_before(&h[k], &h[m]))
                    m = k;
            if (!entry_before(&h[m], &e))
                break;
            h[i] = h[m];
            i = m;
            break;              /* a node with fewer than 4 children has none below */
        }
    }
    h[i] = e;
}

/* Orders pointers to entries by their (time, key), for qsort. */
static int
entry_ptr_cmp(const void *pa, const void *pb)
{
    const HeapEntry *a = *(const HeapEntry *const *)pa, *b = *(const HeapEntry *const *)pb;
    if (entry_before(a, b))
        return -1;
    return entry_before(b, a) ? 1 : 0;
}

/* Lane i's front after a change: its first entry, or NO_ENTRY. */
static inline void
lane_front(RsEngine *eng, unsigned i)
{
    const Lane *ln = &eng->lanes[i];
    eng->fronts[i] = ln->count > 0 ? ln->ring[ln->head] : NO_ENTRY;
}

/* Gives the queued entries (heap and lanes) smaller sequence numbers, so
 * the seq counter can go on without changing any ordering decision: those
 * older than L = seq - TICKET_SPAN are ranked 0..K-1 in queue order, the
 * rest (and every ticket of the last TICKET_SPAN numbers, TICKETS below)
 * move down by L - K.  The map is order-preserving, so the heap stays a heap
 * and every lane stays sorted where they are. */
static void
renumber(RsEngine *eng)
{
    uint64_t lo = eng->seq > TICKET_SPAN ? eng->seq - TICKET_SPAN : 0;
    size_t n = eng->len + eng->lane_len, k = 0;
    HeapEntry **old = g_new(HeapEntry *, MAX(n, 1));
    for (size_t i = 0; i < eng->len; i++)
        if ((eng->heap[ROOT + i].key >> SLOT_BITS) < lo)
            old[k++] = &eng->heap[ROOT + i];
    for (unsigned l = 0; l < eng->nlanes; l++) {
        Lane *ln = &eng->lanes[l];
        for (size_t j = 0; j < ln->count; j++)
            if ((ln->ring[(ln->head + j) & ln->mask].key >> SLOT_BITS) < lo)
                old[k++] = &ln->ring[(ln->head + j) & ln->mask];
    }
    qsort(old, k, sizeof *old, entry_ptr_cmp);
    uint64_t shift = lo - k;    /* lo >= k: the k entries have distinct numbers below lo */
    for (size_t i = 0; i < eng->len; i++) {
        HeapEntry *e = &eng->heap[ROOT + i];
        if ((e->key >> SLOT_BITS) >= lo)
            e->key -= shift << SLOT_BITS;
    }
    for (unsigned l = 0; l < eng->nlanes; l++) {
        Lane *ln = &eng->lanes[l];
        for (size_t j = 0; j < ln->count; j++) {
            HeapEntry *e = &ln->ring[(ln->head + j) & ln->mask];
            if ((e->key >> SLOT_BITS) >= lo)
                e->key -= shift << SLOT_BITS;
        }
    }
    for (size_t i = 0; i < k; i++)
        old[i]->key = (uint64_t)i << SLOT_BITS | (old[i]->key & SLOT_MASK);
    g_free(old);
    for (unsigned l = 0; l < eng->nlanes; l++)
        lane_front(eng, l);
    eng->seq -= shift;
    eng->renumbered++;
    eng->renumber_lo = lo;
    eng->renumber_shift = shift;
}

/* Returns slot `s` to the free list and invalidates handles to it. */
static inline void
slot_release(RsEngine *eng, uint32_t s)
{
    Slot *sl = &eng->slots[s];
    sl->fn = NULL;
    sl->gen++;
    sl->next_free = eng->free_head;
    eng->free_head = s;
}

/* Takes a slot for fn(obj, arg) and returns its index. */
static inline uint32_t
slot_take(RsEngine *eng, RsEventFn fn, void *obj, uint64_t arg)
{
    g_assert(fn != NULL);
    uint32_t s = eng->free_head;
    if (s != FREE_END) {
        eng->free_head = eng->slots[s].next_free;
    } else {
        if (eng->nslots == eng->slot_cap)
            slots_grow(eng);
        s = (uint32_t)eng->nslots++;
    }
    Slot *sl = &eng->slots[s];
    sl->fn = fn;
    sl->obj = obj;
    sl->arg = arg;
    return s;
}

/* The key of the next entry for slot s (renumbering first if seq ran out). */
static inline uint64_t
next_key(RsEngine *eng, uint32_t s)
{
    if (G_UNLIKELY(eng->seq == SEQ_LIMIT))
        renumber(eng);
    return eng->seq++ << SLOT_BITS | s;
}

/* Queues an event in the heap and returns its slot index. */
static inline uint32_t
engine_push(RsEngine *eng, rs_time_t at, RsEventFn fn, void *obj, uint64_t arg)
{
    g_assert(at >= eng->now);
    uint32_t s = slot_take(eng, fn, obj, arg);
    eng->slots[s].next_free = SLOT_IN_HEAP;
    if (G_UNLIKELY(ROOT + eng->len == eng->heap_cap))
        heap_grow(eng);
    HeapEntry e = { at, next_key(eng, s) };
    sift_up(eng->heap, ROOT + eng->len++, e);
    return s;
}

/* The lane of events scheduled at now + delay: found, or made if fewer
 * than LANES_MAX exist; -1: none (the heap takes the event). */
static inline int
lane_of(RsEngine *eng, rs_time_t delay)
{
    for (unsigned i = 0; i < eng->nlanes; i++)
        if (eng->lane_delay[i] == delay)
            return (int)i;
    if (eng->nlanes == LANES_MAX)
        return -1;
    unsigned i = eng->nlanes++;
    eng->lane_delay[i] = delay;
    eng->lanes[i] = (Lane){ NULL, 0, 0, 0 };
    eng->fronts[i] = NO_ENTRY;
    return (int)i;
}

/* Doubles lane i's ring, its entries moved to the start in order. */
static void
lane_grow(Lane *ln)
{
    size_t cap = ln->mask == 0 ? LANE_CAP0 : 2 * (ln->mask + 1);
    HeapEntry *r = g_new(HeapEntry, cap);
    for (size_t k = 0; k < ln->count; k++)
        r[k] = ln->ring[(ln->head + k) & ln->mask];
    g_free(ln->ring);
    ln->ring = r;
    ln->mask = cap - 1;
    ln->head = 0;
}

/* Queues an event at now + delay (delay >= 0), in its lane if it has one,
 * else in the heap; returns its slot index. */
static inline __attribute__((always_inline)) uint32_t
engine_after(RsEngine *eng, rs_time_t delay, RsEventFn fn, void *obj, uint64_t arg)
{
    g_assert(delay >= 0 && delay <= RS_TIME_NEVER - eng->now);
    int l = lane_of(eng, delay);
    if (l < 0)
        return engine_push(eng, eng->now + delay, fn, obj, arg);
    uint32_t s = slot_take(eng, fn, obj, arg);
    eng->slots[s].next_free = SLOT_IN_LANE;
    HeapEntry e = { eng->now + delay, next_key(eng, s) };
    Lane *ln = &eng->lanes[l];
    if (G_UNLIKELY(ln->count == ln->mask + 1 || ln->mask == 0))
        lane_grow(ln);
    ln->ring[(ln->head + ln->count) & ln->mask] = e;
    if (ln->count++ == 0)
        eng->fronts[l] = e;
    eng->lane_len++;
    return s;
}

/* Removes lane i's first entry (the caller has read it). */
static inline void
lane_pop(RsEngine *eng, unsigned i)
{
    Lane *ln = &eng->lanes[i];
    ln->head = (ln->head + 1) & ln->mask;
    ln->count--;
    eng->lane_len--;
    eng->fronts[i] = ln->count > 0 ? ln->ring[ln->head] : NO_ENTRY;
}

/* Removes the root entry (the caller has read it). */
static inline void
heap_pop(RsEngine *eng)
{
    HeapEntry *h = eng->heap;
    size_t end = ROOT + --eng->len;
    if (eng->len > 0)
        sift_down(h, ROOT, end, h[end]);
}

/* Reaps cancelled entries at the heap's root and the lanes' fronts, so
 * those are live. */
static void
drop_dead_roots(RsEngine *eng)
{
    while (eng->dead > 0 && eng->len > 0) {
        uint32_t s = (uint32_t)(eng->heap[ROOT].key & SLOT_MASK);
        if (eng->slots[s].fn != NULL)
            break;
        heap_pop(eng);
        slot_release(eng, s);
        eng->dead--;
        eng->dead_heap--;
    }
    for (unsigned i = 0; i < eng->nlanes && eng->dead > 0; i++) {
        while (eng->dead > 0 && eng->lanes[i].count > 0) {
            uint32_t s = (uint32_t)(eng->fronts[i].key & SLOT_MASK);
            if (eng->slots[s].fn != NULL)
                break;
            lane_pop(eng, i);
            slot_release(eng, s);
            eng->dead--;
        }
    }
}

/* Rebuilds the heap without its cancelled entries (bottom-up heapify, O(n))
 * and drops the lanes' cancelled entries (in place, order kept). */
static void
compact(RsEngine *eng)
{
    for (unsigned l = 0; l < eng->nlanes; l++) {
        Lane *ln = &eng->lanes[l];
        size_t w = 0;
        for (size_t k = 0; k < ln->count; k++) {
            HeapEntry e = ln->ring[(ln->head + k) & ln->mask];
            uint32_t s = (uint32_t)(e.key & SLOT_MASK);
            if (eng->slots[s].fn != NULL)
                ln->ring[(ln->head + w++) & ln->mask] = e;     /* w <= k: not yet read */
            else
                slot_release(eng, s);
        }
        eng->lane_len -= ln->count - w;
        ln->count = w;
        lane_front(eng, l);
    }
    eng->dead = 0;
    if (eng->dead_heap == 0)
        return;                 /* the heap has none: left as it is (issue 14, C: the
                                 * cancelled connect timers are all in a lane, the
                                 * heap holds 10^4 arrivals) */
    HeapEntry *h = eng->heap;
    size_t n = 0;
    for (size_t i = ROOT; i < ROOT + eng->len; i++) {
        uint32_t s = (uint32_t)(h[i].key & SLOT_MASK);
        if (eng->slots[s].fn != NULL)
            h[ROOT + n++] = h[i];
        else
            slot_release(eng, s);
    }
    eng->len = n;
    eng->dead_heap = 0;
    if (n > 1)
        for (size_t i = PARENT(ROOT + n - 1) + 1; i-- > ROOT;)
            sift_down(h, i, ROOT + n, h[i]);
}

/* Schedules fn(obj, arg) at absolute time `at` (>= now). */
void
rs_engine_schedule(RsEngine *eng, rs_time_t at, RsEventFn fn, void *obj, uint64_t arg)
{
    engine_push(eng, at, fn, obj, arg);
}

/* Schedules a cancellable event and returns its handle. */
RsTimer
rs_engine_timer(RsEngine *eng, rs_time_t at, RsEventFn fn, void *obj, uint64_t arg)
{
    uint32_t s = engine_push(eng, at, fn, obj, arg);
    return (uint64_t)eng->slots[s].gen << 32 | ((uint64_t)s + 1);
}

/* Schedules fn(obj, arg) at now + delay, in the delay's lane (LANES). */
void
rs_engine_after(RsEngine *eng, rs_time_t delay, RsEventFn fn, void *obj, uint64_t arg)
{
    engine_after(eng, delay, fn, obj, arg);
}

/* A cancellable rs_engine_after. */
RsTimer
rs_engine_timer_after(RsEngine *eng, rs_time_t delay, RsEventFn fn, void *obj, uint64_t arg)
{
    uint32_t s = engine_after(eng, delay, fn, obj, arg);
    return (uint64_t)eng->slots[s].gen << 32 | ((uint64_t)s + 1);
}

/* Takes the next sequence number for a timer queued later; see engine.h. */
RsTicket
rs_engine_ticket(RsEngine *eng)
{
    if (G_UNLIKELY(eng->seq == SEQ_LIMIT))
        renumber(eng);
    return eng->seq++ | (eng->renumbered & TICKET_EPOCH_MASK) << TICKET_EPOCH_SHIFT;
}

/* Queues a timer under a ticket's number (in the heap: its key may precede
 * entries already in the lane of its delay); see engine.h. */
RsTimer
rs_engine_timer_ticket(RsEngine *eng, rs_time_t at, RsTicket ticket, RsEventFn fn, void *obj, uint64_t arg)
{
    g_assert(at >= eng->now);
    uint64_t seq = ticket & (SEQ_LIMIT - 1);
    if ((ticket >> TICKET_EPOCH_SHIFT) != (eng->renumbered & TICKET_EPOCH_MASK)) {
        /* taken before the last renumbering, within TICKET_SPAN numbers of it */
        if ((ticket >> TICKET_EPOCH_SHIFT) != ((eng->renumbered - 1) & TICKET_EPOCH_MASK) ||
            seq < eng->renumber_lo)
            g_error("rahtisim: engine: a ticket older than 2^32 schedules");
        seq -= eng->renumber_shift;
    }
    g_assert(seq < eng->seq);
    uint32_t s = slot_take(eng, fn, obj, arg);
    eng->slots[s].next_free = SLOT_IN_HEAP;
    if (G_UNLIKELY(ROOT + eng->len == eng->heap_cap))
        heap_grow(eng);
    HeapEntry e = { at, seq << SLOT_BITS | s };
    sift_up(eng->heap, ROOT + eng->len++, e);
    return (uint64_t)eng->slots[s].gen << 32 | ((uint64_t)s + 1);
}

/* Cancels a pending timer in O(1) by clearing its payload (lazy deletion). */
bool
rs_engine_cancel(RsEngine *eng, RsTimer timer)
{
    uint64_t s1 = timer & UINT32_MAX;
    if (s1 == 0 || s1 > eng->nslots)
        return false;
    Slot *sl = &eng->slots[s1 - 1];
    if (sl->gen != (uint32_t)(timer >> 32) || sl->fn == NULL)
        return false;
    sl->fn = NULL;
    sl->obj = NULL;
    eng->dead++;
    if (sl->next_free == SLOT_IN_HEAP)
        eng->dead_heap++;
    if (eng->dead > DEAD_MIN && eng->dead > (eng->len + eng->lane_len) / 2)
        compact(eng);
    return true;
}

/* Prefetches a timer's slot; see engine.h. */
void
rs_engine_prefetch_timer(const RsEngine *eng, RsTimer timer)
{
    uint64_t s1 = timer & UINT32_MAX;
    if (s1 != 0 && s1 <= eng->nslots)
        __builtin_prefetch(&eng->slots[s1 - 1], 1);
}

/* Releases every queued entry (heap and lanes) unrun. */
static __attribute__((noinline)) void
drop_all(RsEngine *eng)
{
    for (size_t i = ROOT; i < ROOT + eng->len; i++)
        slot_release(eng, (uint32_t)(eng->heap[i].key & SLOT_MASK));
    eng->len = 0;
    for (unsigned l = 0; l < eng->nlanes; l++) {
        Lane *ln = &eng->lanes[l];
        for (size_t k = 0; k < ln->count; k++)
            slot_release(eng, (uint32_t)(ln->ring[(ln->head + k) & ln->mask].key & SLOT_MASK));
        ln->count = 0;
        eng->fronts[l] = NO_ENTRY;
    }
    eng->lane_len = 0;
    eng->dead = 0;
    eng->dead_heap = 0;
}

/* Runs the next entry if it is due by `until`; false when the run ends
 * (nothing due, a guard, or rs_engine_stop).  `lanes` is a constant at each
 * call: with false (no lane made yet: the hold model of `bench engine`) the
 * next entry is the heap's root and the lanes cost nothing. */
static inline __attribute__((always_inline)) bool
run_next(RsEngine *eng, rs_time_t until, bool lanes)
{
    /* The next entry: the smallest of the heap's root and the lanes'
     * fronts (an empty heap or lane offers NO_ENTRY, after all). */
    const HeapEntry *next;
    int lane = -1;
    if (lanes) {
        next = eng->len > 0 ? &eng->heap[ROOT] : &NO_ENTRY;
        for (unsigned i = 0; i < eng->nlanes; i++) {
            if (entry_before(&eng->fronts[i], next)) {
                next = &eng->fronts[i];
                lane = (int)i;
            }
        }
        if (next == &NO_ENTRY)
            return false;       /* nothing queued */
    } else {
        if (eng->len == 0)
            return false;
        next = &eng->heap[ROOT];
    }
    rs_time_t t = next->time;
    if (t > until)
        return false;
    if (G_UNLIKELY(eng->executed >= eng->guard_at) && !guard_stops(eng)) {
        /* The run-away guards (events, memory): drop every pending event
         * unrun, so that any caller's "run while something is pending"
         * loop ends. */
        drop_all(eng);
        eng->limited = true;
        eng->stop = true;       /* the clock stays at the last event run */
        return false;
    }
    uint32_t s = (uint32_t)(next->key & SLOT_MASK);
    if (lane < 0) {
        /* The callback's object (its first two lines), fetched while the
         * heap sifts down: its slot was prefetched during the previous
         * event, and the object is often cold (issue 14, C: one of 10^4
         * traffic sources).  A lane's front had its object prefetched at
         * the lane's previous pop (below). */
        const char *o = eng->slots[s].obj;
        if (o != NULL) {        /* NULL: cancelled, or no object */
            __builtin_prefetch(o);
            __builtin_prefetch(o + 64);
        }
        heap_pop(eng);
        if (eng->len > 0)       /* the next event's payload, fetched during this one */
            __builtin_prefetch(&eng->slots[eng->heap[ROOT].key & SLOT_MASK]);
    } else {
        lane_pop(eng, (unsigned)lane);
        /* What the lane's next events touch, fetched during the events that
         * run before them: the payload of the entry behind the new front,
         * and the object of the front, whose payload was fetched that way
         * at the lane's previous pop (issue 14: with 10^4 requests in
         * flight each event's request is cold; a lane's front runs a few
         * events later, after the other lanes and the heap took their
         * turns).  Hints only: a cancelled entry's object may be anything
         * (integer arithmetic: it may be NULL), a prefetch never faults.
         * Written here, not in a helper: GCC deems a function of prefetches
         * alone free of effects and deletes its calls. */
        const Lane *ln = &eng->lanes[lane];
        if (ln->count > 1)
            __builtin_prefetch(&eng->slots[ln->ring[(ln->head + 1) & ln->mask].key & SLOT_MASK]);
        if (ln->count > 0) {
            uintptr_t obj = (uintptr_t)eng->slots[eng->fronts[lane].key & SLOT_MASK].obj;
            __builtin_prefetch((const void *)obj);
            __builtin_prefetch((const void *)(obj + 64));
            __builtin_prefetch((const void *)(obj + 128));
            __builtin_prefetch((const void *)(obj + 192));
        }
    }
    Slot *sl = &eng->slots[s];
    RsEventFn fn = sl->fn;
    if (G_UNLIKELY(fn == NULL)) {
        slot_release(eng, s);
        eng->dead--;
        if (lane < 0)
            eng->dead_heap--;
        return true;
    }
    void *obj = sl->obj;
    uint64_t arg = sl->arg;
    slot_release(eng, s);       /* first in line for the callback's schedule */
    eng->now = t;
    eng->executed++;
    fn(eng, obj, arg);
    return !eng->stop;
}

/* Runs events in (time, seq) order until the queue is empty, the next event
 * is after `until`, or rs_engine_stop; returns the number executed.  When it
 * ends for lack of events at or before `until`, the clock moves to `until`
 * (unless `until` is RS_TIME_NEVER); after a stop it stays at the last
 * event's time.  Lanes are never unmade, so once one exists the loop with
 * lanes runs to the end. */
uint64_t
rs_engine_run(RsEngine *eng, rs_time_t until)
{
    g_assert(!eng->running);
    uint64_t start = eng->executed;
    eng->running = true;
    eng->stop = false;
    for (;;) {
        if (G_UNLIKELY(eng->nlanes != 0)) {
            while (run_next(eng, until, true))
                ;
            break;
        }
        if (!run_next(eng, until, false))
            break;
    }
    if (!eng->stop && until != RS_TIME_NEVER && until > eng->now)
        eng->now = until;
    eng->stop = false;
    eng->running = false;
    return eng->executed - start;
}

/* When the guards look next. */
static void
guard_update(RsEngine *eng, uint64_t next_memory_check)
{
    eng->guard_at = MIN(eng->max_executed, eng->max_memory > 0 ? next_memory_check : UINT64_MAX);
}

/* The guards, every so often: false when the run must stop (the event cap
 * reached, or the resident memory above the budget); true to go on. */
static bool
guard_stops(RsEngine *eng)
{
    if (eng->executed >= eng->max_executed)
        return false;
    uint64_t rss = rs_memory_resident();
    if (rss > eng->max_memory) {
        eng->memory_exceeded = true;
        eng->memory_seen = rss;
        return false;
    }
    guard_update(eng, eng->executed + RS_MEMORY_CHECK_EVERY);
    return true;
}

/* Caps the events executed over the engine's life; see engine.h. */
void
rs_engine_set_limit(RsEngine *eng, uint64_t max_executed)
{
    eng->max_executed = max_executed;
    guard_update(eng, eng->executed + RS_MEMORY_CHECK_EVERY);
}

/* The memory budget; see engine.h. */
void
rs_engine_set_memory_limit(RsEngine *eng, uint64_t max_bytes)
{
    eng->max_memory = max_bytes;
    guard_update(eng, eng->executed + RS_MEMORY_CHECK_EVERY);
}

/* Whether the memory budget stopped the engine; see engine.h. */
bool
rs_engine_memory_exceeded(const RsEngine *eng, uint64_t *seen)
{
    if (seen != NULL)
        *seen = eng->memory_seen;
    return eng->memory_exceeded;
}

/* Whether the cap stopped the engine with events still pending; see engine.h. */
bool
rs_engine_limit_reached(const RsEngine *eng)
{
    return eng->limited;
}

/* Asks rs_engine_run to return after the current event. */
void
rs_engine_stop(RsEngine *eng)
{
    eng->stop = true;
}

/* Events executed since the engine was created. */
uint64_t
rs_engine_executed(const RsEngine *eng)
{
    return eng->executed;
}

/* Events waiting in the queue, cancelled timers excluded. */
uint64_t
rs_engine_pending(const RsEngine *eng)
{
    return eng->len + eng->lane_len - eng->dead;
}

/* Time of the next live event, or RS_TIME_NEVER.  Reaping cancelled roots
 * changes no observable state, so the const is only shed internally (every
 * engine comes from rs_engine_new, never a const object). */
rs_time_t
rs_engine_next_time(const RsEngine *eng)
{
    RsEngine *e = (RsEngine *)eng;
    drop_dead_roots(e);
    rs_time_t t = e->len > 0 ? e->heap[ROOT].time : RS_TIME_NEVER;
    for (unsigned i = 0; i < e->nlanes; i++)
        if (e->lanes[i].count > 0 && e->fronts[i].time < t)
            t = e->fronts[i].time;
    return t;
}

/* Test hook: sets the next sequence number, to exercise renumbering. */
void
rs_engine_debug_set_seq(RsEngine *eng, uint64_t seq)
{
    g_assert(seq <= SEQ_LIMIT);
    g_assert(seq >= eng->seq);
    eng->seq = seq;
}

/* Test hook: the limit of the sequence counter before renumbering. */
uint64_t
rs_engine_debug_seq_limit(void)
{
    return SEQ_LIMIT;
}

/* Test hook: checks the invariants (heap order, lane order and fronts,
 * dead count, slot accounting); returns false at the first violation. */
bool
rs_engine_debug_valid(const RsEngine *eng)
{
    const HeapEntry *h = eng->heap;
    size_t end = ROOT + eng->len, dead = 0, lanes = 0, dead_heap;
    for (size_t i = ROOT; i < end; i++) {
        if (i > ROOT && entry_before(&h[i], &h[PARENT(i)]))
            return false;
        uint64_t s = h[i].key & SLOT_MASK;
        if (s >= eng->nslots || h[i].time < 0)
            return false;
        dead += eng->slots[s].fn == NULL;
        if (eng->slots[s].next_free != SLOT_IN_HEAP)
            return false;
    }
    dead_heap = dead;
    for (unsigned l = 0; l < eng->nlanes; l++) {
        const Lane *ln = &eng->lanes[l];
        const HeapEntry *front = ln->count > 0 ? &ln->ring[ln->head] : &NO_ENTRY;
        if (memcmp(front, &eng->fronts[l], sizeof *front) != 0)
            return false;
        for (size_t k = 0; k < ln->count; k++) {
            const HeapEntry *e = &ln->ring[(ln->head + k) & ln->mask];
            if (k > 0 && !entry_before(&ln->ring[(ln->head + k - 1) & ln->mask], e))
                return false;   /* a lane is sorted by (time, key) */
            uint64_t s = e->key & SLOT_MASK;
            if (s >= eng->nslots || e->time < eng->now)
                return false;
            dead += eng->slots[s].fn == NULL;
            if (eng->slots[s].next_free != SLOT_IN_LANE)
                return false;
        }
        lanes += ln->count;
    }
    size_t nfree = 0;
    for (uint32_t f = eng->free_head; f != FREE_END; f = eng->slots[f].next_free) {
        if (f >= eng->nslots || eng->slots[f].fn != NULL || ++nfree > eng->nslots)
            return false;
    }
    return dead == eng->dead && dead_heap == eng->dead_heap && lanes == eng->lane_len && nfree + eng->len + lanes == eng->nslots &&
           (eng->len == 0 || h[ROOT].time >= eng->now);
}
