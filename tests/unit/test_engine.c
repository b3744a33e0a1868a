/* test_engine.c: CUnit tests of the event engine and the random streams.
 *
 * Every test asserts on computed values (orders, counts, clocks, numbers
 * drawn), never on time taken: speed is shown by `make bench`.  The
 * randomised tests use fixed seeds, so a failure reproduces exactly.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "rahtisim/engine.h"
#include "rahtisim/rng.h"
#include "engine/engine-private.h"
#include "cu-main.h"

/* --- a trace of executed events: (engine, time, id) --- */

typedef struct {
    RsEngine *eng;
    rs_time_t time;
    uint64_t id;
} TraceRec;

typedef struct {
    GArray *recs;               /* of TraceRec */
} Trace;

/* Creates an empty trace. */
static void
trace_init(Trace *t)
{
    t->recs = g_array_new(FALSE, FALSE, sizeof(TraceRec));
}

/* Frees a trace's records. */
static void
trace_clear(Trace *t)
{
    g_array_free(t->recs, TRUE);
}

/* Event callback: records (engine, now, arg) in the Trace `obj`. */
static void
ev_record(RsEngine *eng, void *obj, uint64_t arg)
{
    Trace *t = obj;
    TraceRec r = { eng, rs_engine_now(eng), arg };
    g_array_append_val(t->recs, r);
}

/* The i-th record of a trace. */
static TraceRec
rec(const Trace *t, guint i)
{
    return g_array_index(t->recs, TraceRec, i);
}

/* --- ordering --- */

typedef struct {
    rs_time_t time;
    uint64_t id;
} Expect;

/* Orders expectations by time, then id (ids are insertion order). */
static int
expect_cmp(const void *pa, const void *pb)
{
    const Expect *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Random times, many of them equal: runs in (time, insertion) order. */
static void
test_ordering(void)
{
    enum { N = 5000 };
    RsEngine *eng = rs_engine_new();
    RsRng rng;
    rs_rng_init(&rng, 7, "test/ordering");
    Trace t;
    trace_init(&t);
    Expect *exp = g_new(Expect, N);
    for (uint64_t i = 0; i < N; i++) {
        rs_time_t at = (rs_time_t)rs_rng_below(&rng, 1000);     /* ~5 per instant */
        exp[i] = (Expect){ at, i };
        rs_engine_schedule(eng, at, ev_record, &t, i);
    }
    CU_ASSERT_EQUAL(rs_engine_pending(eng), N);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), N);
    qsort(exp, N, sizeof *exp, expect_cmp);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, N);
    int bad = 0;
    for (guint i = 0; i < N; i++)
        if (rec(&t, i).time != exp[i].time || rec(&t, i).id != exp[i].id)
            bad++;
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 0);
    CU_ASSERT_EQUAL(rs_engine_executed(eng), N);
    CU_ASSERT_EQUAL(rs_engine_now(eng), exp[N - 1].time);
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), RS_TIME_NEVER);
    g_free(exp);
    trace_clear(&t);
    rs_engine_free(eng);
}

/* Event callback: schedules one more event at the same instant (id + 1000). */
static void
ev_record_and_same_time(RsEngine *eng, void *obj, uint64_t arg)
{
    ev_record(eng, obj, arg);
    if (arg < 1000)
        rs_engine_schedule(eng, rs_engine_now(eng), ev_record, obj, arg + 1000);
}

/* Equal times run in insertion order, and an event scheduled "now" from a
 * callback runs after those already queued for now. */
static void
test_ties(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    /* Interleave two instants, in descending-looking id patterns. */
    for (uint64_t i = 0; i < 100; i++)
        rs_engine_schedule(eng, (i % 2) ? 5 : 9, ev_record, &t, i);
    rs_engine_run(eng, RS_TIME_NEVER);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 100);
    for (guint i = 0; i < 50; i++) {
        CU_ASSERT_EQUAL(rec(&t, i).time, 5);
        CU_ASSERT_EQUAL(rec(&t, i).id, 2 * i + 1);
        CU_ASSERT_EQUAL(rec(&t, 50 + i).time, 9);
        CU_ASSERT_EQUAL(rec(&t, 50 + i).id, 2 * i);
    }
    g_array_set_size(t.recs, 0);

    rs_engine_schedule(eng, 20, ev_record_and_same_time, &t, 1);
    rs_engine_schedule(eng, 20, ev_record, &t, 2);
    rs_engine_schedule(eng, 20, ev_record, &t, 3);
    rs_engine_run(eng, RS_TIME_NEVER);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 4);
    CU_ASSERT_EQUAL(rec(&t, 0).id, 1);
    CU_ASSERT_EQUAL(rec(&t, 1).id, 2);
    CU_ASSERT_EQUAL(rec(&t, 2).id, 3);
    CU_ASSERT_EQUAL(rec(&t, 3).id, 1001);
    CU_ASSERT_EQUAL(rec(&t, 3).time, 20);
    trace_clear(&t);
    rs_engine_free(eng);
}

/* --- cancellation --- */

/* Cancel before, after, twice; reuse of slots; pending counts. */
static void
test_cancel(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);

    CU_ASSERT_FALSE(rs_engine_cancel(eng, 0));
    CU_ASSERT_FALSE(rs_engine_cancel(eng, UINT64_C(0xdeadbeef00000007)));

    RsTimer a = rs_engine_timer(eng, 10, ev_record, &t, 1);
    RsTimer b = rs_engine_timer(eng, 20, ev_record, &t, 2);
    RsTimer c = rs_engine_timer(eng, 30, ev_record, &t, 3);
    CU_ASSERT_NOT_EQUAL(a, 0);
    CU_ASSERT_NOT_EQUAL(a, b);
    CU_ASSERT_NOT_EQUAL(b, c);
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 3);

    CU_ASSERT_TRUE(rs_engine_cancel(eng, b));
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 2);
    CU_ASSERT_FALSE(rs_engine_cancel(eng, b));          /* double cancel */
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 2);

    /* Cancelling the earliest event: next_time must skip it. */
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), 10);
    CU_ASSERT_TRUE(rs_engine_cancel(eng, a));
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), 30);
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 1);

    /* Cancel then reschedule: a new handle; the old one stays dead even
     * though its slot is reused. */
    RsTimer a2 = rs_engine_timer(eng, 15, ev_record, &t, 4);
    RsTimer b2 = rs_engine_timer(eng, 25, ev_record, &t, 5);
    CU_ASSERT_NOT_EQUAL(a2, a);
    CU_ASSERT_NOT_EQUAL(b2, b);
    CU_ASSERT_FALSE(rs_engine_cancel(eng, a));
    CU_ASSERT_FALSE(rs_engine_cancel(eng, b));
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 3);
    CU_ASSERT_TRUE(rs_engine_debug_valid(eng));

    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 3);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 3);
    CU_ASSERT_EQUAL(rec(&t, 0).id, 4);
    CU_ASSERT_EQUAL(rec(&t, 1).id, 5);
    CU_ASSERT_EQUAL(rec(&t, 2).id, 3);
    CU_ASSERT_EQUAL(rs_engine_executed(eng), 3);        /* cancelled ones excluded */

    /* Cancel after it ran. */
    CU_ASSERT_FALSE(rs_engine_cancel(eng, c));
    CU_ASSERT_FALSE(rs_engine_cancel(eng, a2));
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 0);

    /* A handle outlives many reuses of its slot without matching again. */
    RsTimer old = rs_engine_timer(eng, 40, ev_record, &t, 6);
    rs_engine_run(eng, RS_TIME_NEVER);
    for (int i = 0; i < 100; i++) {
        RsTimer x = rs_engine_timer(eng, 50 + i, ev_record, &t, 7);
        CU_ASSERT_FALSE(rs_engine_cancel(eng, old));
        CU_ASSERT_TRUE(rs_engine_cancel(eng, x));
    }
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 0);
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), RS_TIME_NEVER);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 0);
    CU_ASSERT_EQUAL(t.recs->len, 4);
    trace_clear(&t);
    rs_engine_free(eng);
}

typedef struct {
    RsTimer victim;
    bool cancelled;
} CancelCtx;

/* Event callback: cancels another timer (and tries to cancel itself). */
static void
ev_cancel_other(RsEngine *eng, void *obj, uint64_t arg)
{
    CancelCtx *cc = obj;
    cc->cancelled = rs_engine_cancel(eng, cc->victim);
}

/* A callback can cancel a timer due at the same instant. */
static void
test_cancel_from_callback(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    CancelCtx cc = { 0, false };
    rs_engine_schedule(eng, 10, ev_cancel_other, &cc, 0);
    cc.victim = rs_engine_timer(eng, 10, ev_record, &t, 1);
    rs_engine_schedule(eng, 10, ev_record, &t, 2);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 2);
    CU_ASSERT_TRUE(cc.cancelled);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 1);
    CU_ASSERT_EQUAL(rec(&t, 0).id, 2);
    trace_clear(&t);
    rs_engine_free(eng);
}

/* Schedules n timers at random times, cancels all but every keep-th, and
 * checks that the survivors run in (time, insertion) order; returns the
 * number of mismatches. */
static int
cancel_many_round(uint64_t seed, uint64_t n, uint64_t keep)
{
    RsEngine *eng = rs_engine_new();
    RsRng rng;
    rs_rng_init_id(&rng, seed, n);
    Trace t;
    trace_init(&t);
    RsTimer *h = g_new(RsTimer, n);
    Expect *exp = g_new(Expect, n);
    size_t nexp = 0;
    int bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        rs_time_t at = (rs_time_t)rs_rng_below(&rng, 500);
        h[i] = rs_engine_timer(eng, at, ev_record, &t, i);
        if (i % keep == 0)
            exp[nexp++] = (Expect){ at, i };
    }
    for (uint64_t i = 0; i < n; i++)
        if (i % keep != 0)
            bad += !rs_engine_cancel(eng, h[i]);
    bad += rs_engine_pending(eng) != nexp;
    bad += !rs_engine_debug_valid(eng);
    /* Handles of cancelled timers stay dead after compaction. */
    for (uint64_t i = 1; i < n; i += keep)
        bad += rs_engine_cancel(eng, h[i]);
    qsort(exp, nexp, sizeof *exp, expect_cmp);
    bad += rs_engine_run(eng, RS_TIME_NEVER) != nexp;
    if (t.recs->len != nexp)
        bad++;
    else
        for (guint i = 0; i < nexp; i++)
            bad += rec(&t, i).time != exp[i].time || rec(&t, i).id != exp[i].id;
    g_free(h);
    g_free(exp);
    trace_clear(&t);
    rs_engine_free(eng);
    return bad;
}

/* Many cancelled timers (enough to trigger compaction) leave the rest in
 * order, for heap sizes that end on every shape of the last node. */
static void
test_cancel_many(void)
{
    int bad = cancel_many_round(3, 20000, 5);
    CU_ASSERT_EQUAL(bad, 0);
    for (uint64_t n = 2100; n < 2140; n++)
        bad += cancel_many_round(n, n, 3 + n % 4);
    CU_ASSERT_EQUAL(bad, 0);
}

/* --- run until, stop --- */

/* run(until) runs events at or before `until`, then the clock shows `until`. */
static void
test_run_until(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 0);
    rs_engine_schedule(eng, 10, ev_record, &t, 1);
    rs_engine_schedule(eng, 20, ev_record, &t, 2);
    rs_engine_schedule(eng, 25, ev_record, &t, 3);
    rs_engine_schedule(eng, 30, ev_record, &t, 4);

    CU_ASSERT_EQUAL(rs_engine_run(eng, 5), 0);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 5);
    CU_ASSERT_EQUAL(rs_engine_run(eng, 25), 3);         /* 25 itself runs */
    CU_ASSERT_EQUAL(rs_engine_now(eng), 25);
    CU_ASSERT_EQUAL(rs_engine_run(eng, 27), 0);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 27);
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 1);
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), 30);
    CU_ASSERT_EQUAL(t.recs->len, 3);

    /* Scheduling relative to the advanced clock. */
    rs_engine_schedule(eng, rs_engine_now(eng) + 1, ev_record, &t, 5);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 2);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 5);
    CU_ASSERT_EQUAL(rec(&t, 3).id, 5);
    CU_ASSERT_EQUAL(rec(&t, 3).time, 28);
    CU_ASSERT_EQUAL(rec(&t, 4).id, 4);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 30);            /* NEVER leaves the clock */

    /* An empty queue still advances to `until`. */
    CU_ASSERT_EQUAL(rs_engine_run(eng, 100), 0);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 100);
    /* ... but never backwards. */
    CU_ASSERT_EQUAL(rs_engine_run(eng, 50), 0);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 100);
    trace_clear(&t);
    rs_engine_free(eng);
}

typedef struct {
    Trace trace;
    uint64_t stop_at;           /* id whose callback calls stop */
} StopCtx;

/* Event callback: records, and stops the run at a given id. */
static void
ev_stop_at(RsEngine *eng, void *obj, uint64_t arg)
{
    StopCtx *sc = obj;
    ev_record(eng, &sc->trace, arg);
    if (arg == sc->stop_at)
        rs_engine_stop(eng);
}

/* rs_engine_stop returns after the current event; a later run resumes. */
static void
test_stop(void)
{
    RsEngine *eng = rs_engine_new();
    StopCtx sc;
    trace_init(&sc.trace);
    sc.stop_at = 3;
    for (uint64_t i = 1; i <= 6; i++)
        rs_engine_schedule(eng, (rs_time_t)(i * 10), ev_stop_at, &sc, i);
    CU_ASSERT_EQUAL(rs_engine_run(eng, 1000), 3);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 30);            /* not 1000: stopped */
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 3);
    CU_ASSERT_EQUAL(rs_engine_executed(eng), 3);

    /* stop outside a run does not affect the next run */
    rs_engine_stop(eng);
    sc.stop_at = 5;
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 2);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 50);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 1);
    CU_ASSERT_EQUAL(rs_engine_executed(eng), 6);
    CU_ASSERT_EQUAL_FATAL(sc.trace.recs->len, 6);
    for (guint i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(rec(&sc.trace, i).id, i + 1);
    trace_clear(&sc.trace);
    rs_engine_free(eng);
}

/* --- scheduling from callbacks --- */

typedef struct {
    Trace trace;
    uint64_t remaining;
} ChainCtx;

/* Event callback: records and schedules the next link 7 ns later. */
static void
ev_chain(RsEngine *eng, void *obj, uint64_t arg)
{
    ChainCtx *cc = obj;
    ev_record(eng, &cc->trace, arg);
    if (cc->remaining > 0) {
        cc->remaining--;
        rs_engine_schedule(eng, rs_engine_now(eng) + 7, ev_chain, cc, arg + 1);
    }
}

/* Chains of events scheduled from callbacks interleave correctly. */
static void
test_schedule_from_callback(void)
{
    RsEngine *eng = rs_engine_new();
    ChainCtx cc = { .remaining = 999 };
    trace_init(&cc.trace);
    rs_engine_schedule(eng, 0, ev_chain, &cc, 0);
    /* Ties with link 500, which is scheduled later (by link 499), so this
     * one runs first. */
    rs_engine_schedule(eng, 7 * 500, ev_record, &cc.trace, 100000);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 1001);
    CU_ASSERT_EQUAL_FATAL(cc.trace.recs->len, 1001);
    int bad = 0;
    for (guint i = 0; i < 1001; i++) {
        uint64_t want = i < 500 ? i : i == 500 ? 100000 : i - 1;
        rs_time_t at = i <= 500 ? (rs_time_t)(7 * i) : (rs_time_t)(7 * (i - 1));
        if (rec(&cc.trace, i).id != want || rec(&cc.trace, i).time != at)
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(rs_engine_now(eng), 7 * 999);
    trace_clear(&cc.trace);
    rs_engine_free(eng);
}

/* --- determinism --- */

typedef struct {
    RsRng rng;
    Trace trace;
    RsTimer timers[64];
    uint64_t budget;
} Sim;

/* Event callback of a little random simulation: records, spawns events and
 * timers, cancels timers, all driven by the Sim's stream. */
static void
ev_sim(RsEngine *eng, void *obj, uint64_t arg)
{
    Sim *s = obj;
    ev_record(eng, &s->trace, arg);
    if (s->budget == 0)
        return;
    s->budget--;
    uint64_t k = rs_rng_below(&s->rng, 3) + 1;
    for (uint64_t i = 0; i < k; i++) {
        rs_time_t at = rs_engine_now(eng) + (rs_time_t)rs_rng_exponential(&s->rng, 1000.0);
        uint64_t id = rs_rng_next(&s->rng);
        if (rs_rng_below(&s->rng, 2))
            rs_engine_schedule(eng, at, ev_sim, s, id);
        else
            s->timers[rs_rng_below(&s->rng, 64)] = rs_engine_timer(eng, at, ev_sim, s, id);
    }
    rs_engine_cancel(eng, s->timers[rs_rng_below(&s->rng, 64)]);
}

/* Runs the random simulation with a seed; fills `out` with its trace. */
static void
run_sim(uint64_t seed, Trace *out)
{
    RsEngine *eng = rs_engine_new();
    Sim *s = g_new0(Sim, 1);
    rs_rng_init(&s->rng, seed, "test/sim");
    s->trace = *out;
    s->budget = 20000;
    for (uint64_t i = 0; i < 10; i++)
        rs_engine_schedule(eng, 0, ev_sim, s, i);
    rs_engine_run(eng, 5 * RS_MS);
    rs_engine_run(eng, RS_TIME_NEVER);
    *out = s->trace;
    g_free(s);
    rs_engine_free(eng);
}

/* Two runs with the same seed give the same (time, id) trace; another seed differs. */
static void
test_determinism(void)
{
    Trace a, b, c;
    trace_init(&a);
    trace_init(&b);
    trace_init(&c);
    run_sim(11, &a);
    run_sim(11, &b);
    run_sim(12, &c);
    CU_ASSERT(a.recs->len > 20000);
    CU_ASSERT_EQUAL_FATAL(a.recs->len, b.recs->len);
    int diff = 0;
    for (guint i = 0; i < a.recs->len; i++)
        if (rec(&a, i).time != rec(&b, i).time || rec(&a, i).id != rec(&b, i).id)
            diff++;
    CU_ASSERT_EQUAL(diff, 0);
    bool differs = a.recs->len != c.recs->len;
    for (guint i = 0; !differs && i < a.recs->len; i++)
        differs = rec(&a, i).id != rec(&c, i).id;
    CU_ASSERT_TRUE(differs);
    /* times never go backwards */
    int backwards = 0;
    for (guint i = 1; i < a.recs->len; i++)
        backwards += rec(&a, i).time < rec(&a, i - 1).time;
    CU_ASSERT_EQUAL(backwards, 0);
    trace_clear(&a);
    trace_clear(&b);
    trace_clear(&c);
}

/* --- a randomised comparison against a naive reference queue --- */

typedef struct {
    rs_time_t time;
    uint64_t seq;
    uint64_t id;
    RsTimer timer;
    bool live;
} RefEv;

/* Random schedule/timer/cancel/run operations agree with a linear-scan
 * model; with `lanes`, half the events go through rs_engine_after and
 * rs_engine_timer_after with one of 12 delays (8 lanes, 4 falling back to
 * the heap), many of them due at the same instant as heap events.
 * Returns the number of mismatches. */
static int
reference_round(uint64_t seed, bool lanes)
{
    RsEngine *eng = rs_engine_new();
    RsRng rng;
    rs_rng_init_id(&rng, 99, seed);
    Trace t;
    trace_init(&t);
    GArray *ref = g_array_new(FALSE, FALSE, sizeof(RefEv));
    uint64_t seq = 0, live = 0;
    int mismatches = 0;

    for (int round = 0; round < 300; round++) {
        uint64_t ops = rs_rng_below(&rng, 400);
        for (uint64_t i = 0; i < ops; i++) {
            uint64_t what = rs_rng_below(&rng, 10);
            if (what < 7) {
                RefEv e = { rs_engine_now(eng) + (rs_time_t)rs_rng_below(&rng, 2000), seq++, 0, 0, true };
                e.id = e.seq;
                if (lanes && rs_rng_below(&rng, 2)) {
                    rs_time_t d = (rs_time_t)rs_rng_below(&rng, 12) * 150;
                    e.time = rs_engine_now(eng) + d;
                    if (what < 3)
                        rs_engine_after(eng, d, ev_record, &t, e.id);
                    else
                        e.timer = rs_engine_timer_after(eng, d, ev_record, &t, e.id);
                } else if (what < 3) {
                    rs_engine_schedule(eng, e.time, ev_record, &t, e.id);
                } else {
                    e.timer = rs_engine_timer(eng, e.time, ev_record, &t, e.id);
                }
                g_array_append_val(ref, e);
                live++;
            } else if (ref->len > 0) {
                RefEv *e = &g_array_index(ref, RefEv, rs_rng_below(&rng, ref->len));
                if (e->timer != 0) {
                    bool got = rs_engine_cancel(eng, e->timer);
                    mismatches += got != e->live;
                    if (e->live)
                        live--;
                    e->live = false;
                }
            }
        }
        mismatches += rs_engine_pending(eng) != live;
        mismatches += !rs_engine_debug_valid(eng);

        rs_time_t until = rs_engine_now(eng) + (rs_time_t)rs_rng_below(&rng, 1500);
        g_array_set_size(t.recs, 0);
        rs_engine_run(eng, until);
        /* The reference: live events at or before `until`, by (time, seq). */
        GArray *want = g_array_new(FALSE, FALSE, sizeof(Expect));
        GArray *keep = g_array_new(FALSE, FALSE, sizeof(RefEv));
        for (guint i = 0; i < ref->len; i++) {
            RefEv e = g_array_index(ref, RefEv, i);
            if (e.live && e.time <= until) {
                Expect x = { e.time, e.seq };
                g_array_append_val(want, x);
                live--;
            } else if (e.live || e.time > until) {
                g_array_append_val(keep, e);        /* cancelled timers stay until due */
            }
        }
        g_array_sort(want, expect_cmp);
        g_array_free(ref, TRUE);
        ref = keep;
        if (t.recs->len != want->len) {
            mismatches++;
        } else {
            for (guint i = 0; i < want->len; i++) {
                Expect x = g_array_index(want, Expect, i);
                mismatches += rec(&t, i).time != x.time || rec(&t, i).id != x.id;
            }
        }
        mismatches += rs_engine_now(eng) != until;
        mismatches += rs_engine_pending(eng) != live;
        mismatches += !rs_engine_debug_valid(eng);
        g_array_free(want, TRUE);
    }
    g_array_free(ref, TRUE);
    trace_clear(&t);
    rs_engine_free(eng);
    return mismatches;
}

/* The heap alone against the reference, then heap and lanes together. */
static void
test_against_reference(void)
{
    CU_ASSERT_EQUAL(reference_round(0, false), 0);
    for (uint64_t seed = 1; seed <= 4; seed++)
        CU_ASSERT_EQUAL(reference_round(seed, true), 0);
}

/* --- lanes (rs_engine_after): the same order as the heap --- */

/* Ties between the heap and lanes at one instant run in scheduling order,
 * whichever side was scheduled first; so do ties between two lanes. */
static void
test_lanes_ties(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    /* At 100: heap, lane 100, heap, lane 100, lane 60 via a later now. */
    rs_engine_schedule(eng, 100, ev_record, &t, 1);
    rs_engine_after(eng, 100, ev_record, &t, 2);
    rs_engine_schedule(eng, 100, ev_record, &t, 3);
    rs_engine_after(eng, 100, ev_record, &t, 4);
    rs_engine_after(eng, 50, ev_record, &t, 5);         /* at 50: before them all */
    rs_engine_schedule(eng, 40, ev_record, &t, 6);      /* at 40: first */
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 6);
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), 40);
    CU_ASSERT_TRUE(rs_engine_debug_valid(eng));
    CU_ASSERT_EQUAL(rs_engine_run(eng, 40), 1);
    /* now = 40: a lane of 60 lands at 100 too, after the four queued there */
    rs_engine_after(eng, 60, ev_record, &t, 7);
    rs_engine_schedule(eng, 100, ev_record, &t, 8);
    rs_engine_after(eng, 60, ev_record, &t, 9);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 8);
    static const uint64_t want[] = { 6, 5, 1, 2, 3, 4, 7, 8, 9 };
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 9);
    for (guint i = 0; i < 9; i++) {
        CU_ASSERT_EQUAL(rec(&t, i).id, want[i]);
        CU_ASSERT_EQUAL(rec(&t, i).time, i == 0 ? 40 : i == 1 ? 50 : 100);
    }
    /* A lane first, then the heap at the same instant, from a callback's now. */
    g_array_set_size(t.recs, 0);
    rs_engine_after(eng, 0, ev_record, &t, 10);         /* at now = 100 */
    rs_engine_schedule(eng, 100, ev_record, &t, 11);
    rs_engine_after(eng, 0, ev_record, &t, 12);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 3);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 3);
    CU_ASSERT_EQUAL(rec(&t, 0).id, 10);
    CU_ASSERT_EQUAL(rec(&t, 1).id, 11);
    CU_ASSERT_EQUAL(rec(&t, 2).id, 12);
    trace_clear(&t);
    rs_engine_free(eng);
}

/* A lane timer cancelled at the front, in the middle and at the back:
 * pending, next_time and the order of the rest stay right; handles die. */
static void
test_lanes_cancel(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    RsTimer h[6];
    for (uint64_t i = 0; i < 6; i++) {
        h[i] = rs_engine_timer_after(eng, 1000, ev_record, &t, i);
        rs_engine_run(eng, rs_engine_now(eng) + 10);    /* fronts at 1000, 1010, ... */
    }
    rs_engine_schedule(eng, 1005, ev_record, &t, 100);  /* the heap, between 0 and 1 */
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 7);
    CU_ASSERT_TRUE(rs_engine_cancel(eng, h[0]));        /* the front */
    CU_ASSERT_FALSE(rs_engine_cancel(eng, h[0]));
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), 1005);
    CU_ASSERT_TRUE(rs_engine_cancel(eng, h[2]));        /* the middle */
    CU_ASSERT_TRUE(rs_engine_cancel(eng, h[5]));        /* the back */
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 4);
    CU_ASSERT_TRUE(rs_engine_debug_valid(eng));
    CU_ASSERT_EQUAL(rs_engine_run(eng, 1010), 2);       /* 100 at 1005, 1 at 1010 */
    CU_ASSERT_TRUE(rs_engine_cancel(eng, h[3]));        /* the front now (after reaping 2) */
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), 1040);
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 1);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 1);
    CU_ASSERT_FALSE(rs_engine_cancel(eng, h[4]));       /* it ran */
    static const uint64_t want[] = { 100, 1, 4 };
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 3);
    for (guint i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(rec(&t, i).id, want[i]);
    CU_ASSERT_EQUAL(rec(&t, 2).time, 1040);
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 0);
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), RS_TIME_NEVER);

    /* Many cancelled lane timers (a connect timer per request, R38), the
     * front among them: compaction keeps the live ones in order, the
     * lane's front right and the handles dead. */
    RsTimer *many = g_new(RsTimer, 5000);
    g_array_set_size(t.recs, 0);
    guint kept = 0;
    rs_time_t base = rs_engine_now(eng);
    for (uint64_t i = 0; i < 5000; i++) {
        many[i] = rs_engine_timer_after(eng, 10 * RS_SEC, ev_record, &t, i);
        rs_engine_after(eng, 200, ev_record, &t, 100000 + i);
        if (i % 7 != 3) {
            CU_ASSERT_TRUE(rs_engine_cancel(eng, many[i]));
        } else {
            kept++;
        }
        rs_engine_run(eng, rs_engine_now(eng) + 100);
    }
    CU_ASSERT_TRUE(rs_engine_debug_valid(eng));
    /* i % 7 == 3, and the last hop (the one before ran at `until` exactly) */
    CU_ASSERT_EQUAL(rs_engine_pending(eng), kept + 1);
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), rs_engine_now(eng) + 100);
    int bad = 0;
    for (uint64_t i = 1; i < 5000; i += 7)
        bad += rs_engine_cancel(eng, many[i]);
    CU_ASSERT_EQUAL(bad, 0);
    rs_engine_run(eng, RS_TIME_NEVER);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 5000 + kept);
    for (guint i = 0; i < kept; i++)
        bad += rec(&t, 5000 + i).id != 7 * i + 3 || rec(&t, 5000 + i).time != base + (rs_time_t)(700 * i + 300) + 10 * RS_SEC;
    CU_ASSERT_EQUAL(bad, 0);
    g_free(many);
    trace_clear(&t);
    rs_engine_free(eng);
}

/* A lane grows past its ring while its head has wrapped around, and
 * run(until) stops between its entries with the clock at `until`. */
static void
test_lanes_growth_and_until(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    uint64_t id = 0;
    /* 50 entries at +1000 from now = 0, 10, ...: the ring's first 64. */
    for (; id < 50; id++) {
        rs_engine_after(eng, 1000, ev_record, &t, id);
        rs_engine_run(eng, rs_engine_now(eng) + 10);
    }
    CU_ASSERT_EQUAL(rs_engine_run(eng, 1395), 40);      /* 1000 .. 1390: head at 40 */
    CU_ASSERT_EQUAL(rs_engine_now(eng), 1395);
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), 1400);
    /* 300 more (wrapping, then doubling twice), with heap events at the
     * same instants every third one; the clock creeps on meanwhile (to
     * 1545), so the 10 left (at 1400 .. 1490) run in between. */
    g_array_set_size(t.recs, 0);
    for (; id < 350; id++) {
        rs_engine_after(eng, 1000, ev_record, &t, id);
        if (id % 3 == 0)
            rs_engine_schedule(eng, rs_engine_now(eng) + 1000, ev_record, &t, 100000 + id);
        if (id % 2)
            rs_engine_run(eng, rs_engine_now(eng) + 1);
    }
    CU_ASSERT_TRUE(rs_engine_debug_valid(eng));
    uint64_t ran = t.recs->len;
    CU_ASSERT_EQUAL(ran, 10);
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 10 + 300 + 100 - ran);
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 410 - ran);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 410);
    int bad = 0;
    for (guint i = 0; i < 10; i++)
        bad += rec(&t, i).id != 40 + i;
    /* then, per instant, the lane entry before the heap entry scheduled after it */
    rs_time_t last = 0;
    uint64_t prev_lane = 49;
    for (guint i = 10; i < t.recs->len; i++) {
        TraceRec r = rec(&t, i);
        bad += r.time < last;
        last = r.time;
        if (r.id < 100000) {
            bad += r.id != prev_lane + 1;
            prev_lane = r.id;
        } else {
            bad += prev_lane != r.id - 100000;          /* right after its twin */
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(prev_lane, 349);
    trace_clear(&t);
    rs_engine_free(eng);
}

/* The event cap drops lane entries unrun too, and renumbering covers lanes. */
static void
test_lanes_limit_and_renumber(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    rs_engine_set_limit(eng, 3);
    for (uint64_t i = 0; i < 5; i++) {
        rs_engine_after(eng, 10, ev_record, &t, i);
        rs_engine_timer_after(eng, 20, ev_record, &t, 10 + i);
        rs_engine_schedule(eng, 10, ev_record, &t, 20 + i);
    }
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 3);
    CU_ASSERT_TRUE(rs_engine_limit_reached(eng));
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 0);
    CU_ASSERT_EQUAL(rs_engine_next_time(eng), RS_TIME_NEVER);
    CU_ASSERT_TRUE(rs_engine_debug_valid(eng));
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 3);
    CU_ASSERT_EQUAL(rec(&t, 0).id, 0);
    CU_ASSERT_EQUAL(rec(&t, 1).id, 20);
    CU_ASSERT_EQUAL(rec(&t, 2).id, 1);
    trace_clear(&t);
    rs_engine_free(eng);

    /* Renumbering half-way through ties between two lanes and the heap. */
    eng = rs_engine_new();
    trace_init(&t);
    rs_engine_debug_set_seq(eng, rs_engine_debug_seq_limit() - 50);
    for (uint64_t i = 0; i < 200; i++) {
        if (i % 3 == 0)
            rs_engine_after(eng, 7, ev_record, &t, i);
        else if (i % 3 == 1)
            rs_engine_timer_after(eng, 3, ev_record, &t, i);
        else
            rs_engine_schedule(eng, i % 2 ? 3 : 7, ev_record, &t, i);
    }
    CU_ASSERT_TRUE(rs_engine_debug_valid(eng));
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 200);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 200);
    int bad = 0;
    uint64_t prev = 0;
    for (guint k = 0; k < 200; k++) {
        TraceRec r = rec(&t, k);
        rs_time_t at = r.id % 3 == 0 ? 7 : r.id % 3 == 1 ? 3 : (r.id % 2 ? 3 : 7);
        bad += r.time != at;
        if (k > 0 && rec(&t, k - 1).time == r.time)
            bad += r.id <= prev;                        /* insertion order within an instant */
        prev = r.id;
    }
    CU_ASSERT_EQUAL(bad, 0);
    trace_clear(&t);
    rs_engine_free(eng);
}

typedef struct {
    RsRng rng;
    Trace trace;
    RsTimer timers[32];
    uint64_t budget;
    bool lanes;
} LaneSim;

/* Event callback of a request-like simulation: hops at constant delays,
 * connect timers at a constant timeout cancelled soon after, arrivals at
 * random gaps; with s->lanes the constant delays go through lanes. */
static void
ev_lane_sim(RsEngine *eng, void *obj, uint64_t arg)
{
    LaneSim *s = obj;
    static const rs_time_t hop[] = { 200, 10000, 200, 5000000 };
    ev_record(eng, &s->trace, arg);
    if (s->budget == 0)
        return;
    s->budget--;
    uint64_t k = rs_rng_below(&s->rng, 3);
    for (uint64_t i = 0; i <= k; i++) {
        uint64_t id = rs_rng_next(&s->rng);
        uint64_t what = rs_rng_below(&s->rng, 8);
        rs_time_t d = what < 4 ? hop[what] : (rs_time_t)rs_rng_exponential(&s->rng, 3000.0);
        RsTimer *slot = &s->timers[rs_rng_below(&s->rng, 32)];
        if (what < 3 && s->lanes)
            rs_engine_after(eng, d, ev_lane_sim, s, id);
        else if (what < 3)
            rs_engine_schedule(eng, rs_engine_now(eng) + d, ev_lane_sim, s, id);
        else if (what == 3 && s->lanes)
            *slot = rs_engine_timer_after(eng, d, ev_lane_sim, s, id);
        else if (what == 3)
            *slot = rs_engine_timer(eng, rs_engine_now(eng) + d, ev_lane_sim, s, id);
        else if (what < 6)
            rs_engine_schedule(eng, rs_engine_now(eng) + d, ev_lane_sim, s, id);
        else
            *slot = rs_engine_timer(eng, rs_engine_now(eng) + d, ev_lane_sim, s, id);
    }
    if (rs_rng_below(&s->rng, 2))
        rs_engine_cancel(eng, s->timers[rs_rng_below(&s->rng, 32)]);
}

/* Runs the request-like simulation; returns its trace and final pending count. */
static uint64_t
run_lane_sim(bool lanes, Trace *out)
{
    RsEngine *eng = rs_engine_new();
    LaneSim *s = g_new0(LaneSim, 1);
    rs_rng_init(&s->rng, 5, "test/lanes");
    s->trace = *out;
    s->budget = 60000;
    s->lanes = lanes;
    for (uint64_t i = 0; i < 20; i++)
        rs_engine_schedule(eng, (rs_time_t)(i % 4) * 200, ev_lane_sim, s, i);
    rs_engine_run(eng, 20 * RS_MS);
    uint64_t pending = rs_engine_pending(eng);
    bool valid = rs_engine_debug_valid(eng);
    rs_engine_run(eng, RS_TIME_NEVER);
    *out = s->trace;
    g_free(s);
    rs_engine_free(eng);
    return valid ? pending : UINT64_MAX;
}

/* The same request-like simulation with and without lanes runs the same
 * events in the same order at the same times. */
static void
test_lanes_same_as_heap(void)
{
    Trace a, b;
    trace_init(&a);
    trace_init(&b);
    uint64_t pa = run_lane_sim(false, &a);
    uint64_t pb = run_lane_sim(true, &b);
    CU_ASSERT_NOT_EQUAL(pa, UINT64_MAX);
    CU_ASSERT_EQUAL(pa, pb);
    CU_ASSERT(a.recs->len > 60000);
    CU_ASSERT_EQUAL_FATAL(a.recs->len, b.recs->len);
    int diff = 0;
    for (guint i = 0; i < a.recs->len; i++)
        diff += rec(&a, i).time != rec(&b, i).time || rec(&a, i).id != rec(&b, i).id;
    CU_ASSERT_EQUAL(diff, 0);
    trace_clear(&a);
    trace_clear(&b);
}

/* Renumbering when the sequence counter runs out keeps the order of ties. */
static void
test_seq_renumber(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    uint64_t limit = rs_engine_debug_seq_limit();
    rs_engine_debug_set_seq(eng, limit - 50);
    for (uint64_t i = 0; i < 200; i++)
        rs_engine_schedule(eng, (rs_time_t)(i % 4), ev_record, &t, i);
    CU_ASSERT_EQUAL(rs_engine_pending(eng), 200);
    CU_ASSERT_TRUE(rs_engine_debug_valid(eng));
    CU_ASSERT_EQUAL(rs_engine_run(eng, RS_TIME_NEVER), 200);
    CU_ASSERT_EQUAL_FATAL(t.recs->len, 200);
    int bad = 0;
    for (guint k = 0; k < 200; k++) {
        /* time (k / 50), and within a time ids ascending in steps of 4 */
        uint64_t want = (k % 50) * 4 + k / 50;
        bad += rec(&t, k).id != want;
    }
    CU_ASSERT_EQUAL(bad, 0);
    trace_clear(&t);
    rs_engine_free(eng);
}

/* A timer queued later under a ticket runs where arming it at once would
 * have put it (ties with lanes and the heap), and a dropped ticket is a
 * cancelled timer; also across a renumbering (engine.c, TICKETS). */
static void
test_tickets(void)
{
    for (int renum = 0; renum < 2; renum++) {
        RsEngine *a = rs_engine_new(), *b = rs_engine_new();
        Trace ta, tb;
        trace_init(&ta);
        trace_init(&tb);
        if (renum) {
            rs_engine_debug_set_seq(a, rs_engine_debug_seq_limit() - 20);
            rs_engine_debug_set_seq(b, rs_engine_debug_seq_limit() - 20);
        }
        RsTimer timers[100];
        RsTicket tickets[100];
        for (uint64_t i = 0; i < 100; i++) {
            RsEngine *e[2] = { a, b };
            Trace *t[2] = { &ta, &tb };
            for (int k = 0; k < 2; k++) {
                rs_engine_after(e[k], 5, ev_record, t[k], i);
                rs_engine_after(e[k], 50, ev_record, t[k], 3000 + i);
                rs_engine_schedule(e[k], 50 + (rs_time_t)(i % 3), ev_record, t[k], 2000 + i);
            }
            if (i % 4 == 0) {
                timers[i] = rs_engine_timer_after(a, 50 + (rs_time_t)(i % 8 == 4), ev_record, &ta, 1000 + i);
                tickets[i] = rs_engine_ticket(b);
            }
        }
        CU_ASSERT_EQUAL(rs_engine_run(a, 10), 100);
        CU_ASSERT_EQUAL(rs_engine_run(b, 10), 100);
        for (uint64_t i = 0; i < 100; i += 4) {
            if (i % 3 == 0) {
                CU_ASSERT_TRUE(rs_engine_cancel(a, timers[i]));     /* b drops its ticket */
            } else {
                RsTimer x = rs_engine_timer_ticket(b, 50 + (rs_time_t)(i % 8 == 4), tickets[i], ev_record, &tb, 1000 + i);
                CU_ASSERT_NOT_EQUAL(x, 0);
                if (i % 5 == 0) {       /* a handle like any other */
                    CU_ASSERT_TRUE(rs_engine_cancel(a, timers[i]));
                    CU_ASSERT_TRUE(rs_engine_cancel(b, x));
                }
            }
        }
        CU_ASSERT_TRUE(rs_engine_debug_valid(a));
        CU_ASSERT_TRUE(rs_engine_debug_valid(b));
        CU_ASSERT_EQUAL(rs_engine_pending(a), rs_engine_pending(b));
        rs_engine_run(a, RS_TIME_NEVER);
        rs_engine_run(b, RS_TIME_NEVER);
        CU_ASSERT_EQUAL_FATAL(ta.recs->len, tb.recs->len);
        int diff = 0;
        for (guint i = 0; i < ta.recs->len; i++)
            diff += rec(&ta, i).time != rec(&tb, i).time || rec(&ta, i).id != rec(&tb, i).id;
        CU_ASSERT_EQUAL(diff, 0);
        CU_ASSERT_EQUAL(rs_engine_executed(a), rs_engine_executed(b));
        trace_clear(&ta);
        trace_clear(&tb);
        rs_engine_free(a);
        rs_engine_free(b);
    }
}

/* Two engines interleaved in one process keep separate clocks and queues. */
static void
test_two_engines(void)
{
    RsEngine *e1 = rs_engine_new();
    RsEngine *e2 = rs_engine_new();
    Trace t1, t2;
    trace_init(&t1);
    trace_init(&t2);
    for (uint64_t i = 0; i < 100; i++) {
        rs_engine_schedule(e1, (rs_time_t)(i * 3), ev_record, &t1, i);
        rs_engine_schedule(e2, (rs_time_t)(1000 - i * 5), ev_record, &t2, i);
    }
    RsTimer x1 = rs_engine_timer(e1, 1, ev_record, &t1, 999);
    RsTimer x2 = rs_engine_timer(e2, 1, ev_record, &t2, 999);
    CU_ASSERT_TRUE(rs_engine_cancel(e2, x2));
    (void)x1;
    CU_ASSERT_EQUAL(rs_engine_run(e1, 150), 52);        /* 0..150 step 3, plus x1 */
    CU_ASSERT_EQUAL(rs_engine_now(e1), 150);
    CU_ASSERT_EQUAL(rs_engine_now(e2), 0);
    CU_ASSERT_EQUAL(rs_engine_pending(e2), 100);
    CU_ASSERT_EQUAL(rs_engine_run(e2, RS_TIME_NEVER), 100);
    CU_ASSERT_EQUAL(rs_engine_run(e1, RS_TIME_NEVER), 49);
    CU_ASSERT_EQUAL(rs_engine_executed(e1), 101);
    CU_ASSERT_EQUAL(rs_engine_executed(e2), 100);
    int wrong = 0;
    for (guint i = 0; i < t1.recs->len; i++)
        wrong += rec(&t1, i).eng != e1;
    for (guint i = 0; i < t2.recs->len; i++)
        wrong += rec(&t2, i).eng != e2 || rec(&t2, i).id != 99 - i;
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(rs_engine_now(e2), 1000);
    CU_ASSERT_EQUAL(rs_engine_now(e1), 297);
    trace_clear(&t1);
    trace_clear(&t2);
    rs_engine_free(e1);
    rs_engine_free(e2);
}

/* Freeing an engine with events and timers still queued releases everything. */
static void
test_free_with_pending(void)
{
    RsEngine *eng = rs_engine_new();
    Trace t;
    trace_init(&t);
    for (uint64_t i = 0; i < 10000; i++)
        rs_engine_schedule(eng, (rs_time_t)i, ev_record, &t, i);
    RsTimer x = rs_engine_timer(eng, 5, ev_record, &t, 0);
    CU_ASSERT_TRUE(rs_engine_cancel(eng, x));
    CU_ASSERT_EQUAL(rs_engine_run(eng, 99), 100);
    rs_engine_free(eng);
    rs_engine_free(NULL);
    CU_ASSERT_EQUAL(t.recs->len, 100);
    trace_clear(&t);
}

/* --- random streams --- */

/* xoshiro256** from the state {1, 2, 3, 4} gives the reference outputs. */
static void
test_rng_reference(void)
{
    RsRng r = { { 1, 2, 3, 4 } };
    CU_ASSERT_EQUAL(rs_rng_next(&r), UINT64_C(11520));
    CU_ASSERT_EQUAL(rs_rng_next(&r), UINT64_C(0));
    CU_ASSERT_EQUAL(rs_rng_next(&r), UINT64_C(1509978240));
    CU_ASSERT_EQUAL(rs_rng_next(&r), UINT64_C(1215971899390074240));
}

/* Named streams are the FNV-1a 64 id streams, and their numbers are pinned:
 * a change here changes every scenario's random draws. */
static void
test_rng_names(void)
{
    RsRng a, b;
    rs_rng_init(&a, 42, "a");
    rs_rng_init_id(&b, 42, UINT64_C(0xaf63dc4c8601ec8c));       /* FNV-1a 64 of "a" */
    CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);
    rs_rng_init(&a, 42, "");
    rs_rng_init_id(&b, 42, UINT64_C(0xcbf29ce484222325));       /* the offset basis */
    CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof a), 0);

    /* Pinned values, cross-checked against an independent model of the
     * derivation (SplitMix64 + FNV-1a 64 + xoshiro256**) written in Python. */
    rs_rng_init(&a, 1, "fenic/nginx");
    CU_ASSERT_EQUAL(rs_rng_next(&a), UINT64_C(0xe5b7fd56e451bb43));
    rs_rng_init_id(&a, 0, 0);
    CU_ASSERT_EQUAL(rs_rng_next(&a), UINT64_C(0x8c4986f3f0e565d5));
}

/* Stream "a" draws the same numbers whether or not stream "b" exists. */
static void
test_rng_independence(void)
{
    uint64_t alone[100];
    RsRng a;
    rs_rng_init(&a, 5, "a");
    for (int i = 0; i < 100; i++)
        alone[i] = rs_rng_next(&a);

    RsRng b, a2;
    rs_rng_init(&b, 5, "b");
    rs_rng_init(&a2, 5, "a");
    int diff = 0, same_as_b = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t xb = rs_rng_next(&b);
        rs_rng_next(&b);
        diff += rs_rng_next(&a2) != alone[i];
        same_as_b += xb == alone[i];
    }
    CU_ASSERT_EQUAL(diff, 0);
    CU_ASSERT_EQUAL(same_as_b, 0);

    /* Names differing in one byte, and the same name under another seed. */
    RsRng c, d, e;
    rs_rng_init(&c, 5, "pod-1");
    rs_rng_init(&d, 5, "pod-2");
    rs_rng_init(&e, 6, "pod-1");
    uint64_t xc = rs_rng_next(&c), xd = rs_rng_next(&d), xe = rs_rng_next(&e);
    CU_ASSERT_NOT_EQUAL(xc, xd);
    CU_ASSERT_NOT_EQUAL(xc, xe);
    /* Well mixed: neighbouring names differ in about half their bits. */
    int bits = __builtin_popcountll(xc ^ xd);
    CU_ASSERT(bits > 16 && bits < 48);
}

/* rs_rng_below stays in bounds and is roughly uniform (chi-square). */
static void
test_rng_below(void)
{
    RsRng r;
    rs_rng_init(&r, 2024, "test/below");
    int out = 0;
    for (int i = 0; i < 1000; i++) {
        out += rs_rng_below(&r, 1) != 0;
        out += rs_rng_below(&r, 2) > 1;
        out += rs_rng_below(&r, 3) > 2;
        out += rs_rng_below(&r, UINT64_C(1) << 63 | 1) > UINT64_C(1) << 63;
        out += rs_rng_below(&r, UINT64_MAX) >= UINT64_MAX;
    }
    CU_ASSERT_EQUAL(out, 0);

    /* Chi-square over 10 cells, 100000 draws: 9 degrees of freedom; 27.88 is
     * the 0.1 % critical value.  The seed is fixed, so this is deterministic. */
    enum { K = 10, N = 100000 };
    int cells[K] = { 0 };
    for (int i = 0; i < N; i++)
        cells[rs_rng_below(&r, K)]++;
    double chi2 = 0;
    for (int k = 0; k < K; k++) {
        double d = cells[k] - (double)N / K;
        chi2 += d * d / ((double)N / K);
    }
    CU_ASSERT(chi2 < 27.88);

    /* A bound of 3 * 2^62: a plain modulo reduction would put 3/4 of the
     * draws below 2^63 instead of 2/3. */
    uint64_t bound = UINT64_C(3) << 62;
    int low = 0;
    for (int i = 0; i < 30000; i++)
        low += rs_rng_below(&r, bound) < (UINT64_C(1) << 63);
    CU_ASSERT(low > 19600 && low < 20400);              /* expected 20000, sigma 82 */

    /* The same bound catches a multiply-high reduction without Lemire's
     * rejection step: it maps x to floor(3x / 4), so multiples of 3 would
     * take 1/2 of the draws instead of 1/3. */
    int mult3 = 0;
    for (int i = 0; i < 30000; i++)
        mult3 += rs_rng_below(&r, bound) % 3 == 0;
    CU_ASSERT(mult3 > 9600 && mult3 < 10400);           /* expected 10000, sigma 82 */
}

/* rs_rng_uniform is in [0, 1); rs_rng_exponential has the requested mean. */
static void
test_rng_uniform_exponential(void)
{
    RsRng r;
    rs_rng_init(&r, 77, "test/uniform");
    double sum = 0, esum = 0;
    int out = 0;
    for (int i = 0; i < 100000; i++) {
        double u = rs_rng_uniform(&r);
        out += u < 0.0 || u >= 1.0;
        sum += u;
        double x = rs_rng_exponential(&r, 250.0);
        out += !(x >= 0.0) || isinf(x);
        esum += x;
    }
    CU_ASSERT_EQUAL(out, 0);
    CU_ASSERT_DOUBLE_EQUAL(sum / 100000, 0.5, 0.005);
    CU_ASSERT_DOUBLE_EQUAL(esum / 100000, 250.0, 250.0 * 0.02);

    /* The extreme uniform draws: all-zero and all-one bits. */
    RsRng zero = { { 0, 0, 0, 0 } };
    CU_ASSERT_EQUAL(rs_rng_uniform(&zero), 0.0);
    CU_ASSERT_EQUAL(rs_rng_exponential(&zero, 5.0), 0.0);
}

int
main(void)
{
    static CU_TestInfo engine_tests[] = {
        {"ordering", test_ordering},
        {"ties run in insertion order", test_ties},
        {"cancel", test_cancel},
        {"cancel from a callback", test_cancel_from_callback},
        {"cancel many (compaction)", test_cancel_many},
        {"run until", test_run_until},
        {"stop", test_stop},
        {"schedule from callbacks", test_schedule_from_callback},
        {"determinism", test_determinism},
        {"against a reference queue", test_against_reference},
        {"sequence renumbering", test_seq_renumber},
        {"tickets: a timer queued later keeps its place", test_tickets},
        {"two engines side by side", test_two_engines},
        {"free with pending events", test_free_with_pending},
        {"lanes: ties with the heap", test_lanes_ties},
        {"lanes: cancel front, middle, back; compaction", test_lanes_cancel},
        {"lanes: growth past the ring, run until", test_lanes_growth_and_until},
        {"lanes: event cap and renumbering", test_lanes_limit_and_renumber},
        {"lanes: same order as the heap alone", test_lanes_same_as_heap},
        CU_TEST_INFO_NULL,
    };
    static CU_TestInfo rng_tests[] = {
        {"xoshiro256** reference", test_rng_reference},
        {"named streams", test_rng_names},
        {"stream independence", test_rng_independence},
        {"below: bounds and uniformity", test_rng_below},
        {"uniform and exponential", test_rng_uniform_exponential},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"engine", NULL, NULL, NULL, NULL, engine_tests},
        {"rng", NULL, NULL, NULL, NULL, rng_tests},
        CU_SUITE_INFO_NULL,
    };
    return fx_main_suites(suites);
}
