/* engine.h: the discrete-event core of rahtisim.
 *
 * Simulated time is integer nanoseconds (R37).  Events are ordered by
 * (time, sequence number): two events at the same instant run in the order
 * they were scheduled, so a scenario and a seed always give the same run.
 *
 * An event is a callback, an object pointer and a 64-bit argument stored
 * inline in the queue: scheduling never allocates on the hot path (the
 * queue's array grows geometrically and is reused).  Timers are events that
 * can be cancelled in O(1) through a handle (a slot index plus generation),
 * without searching the queue.
 *
 * There is no global state: each RsEngine is independent, so several
 * simulations can run side by side in one process.
 */
#ifndef RAHTISIM_ENGINE_H
#define RAHTISIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t rs_time_t;              /* nanoseconds of simulated time */

#define RS_NS  ((rs_time_t)1)
#define RS_US  ((rs_time_t)1000)
#define RS_MS  ((rs_time_t)1000000)
#define RS_SEC ((rs_time_t)1000000000)
#define RS_TIME_NEVER INT64_MAX

typedef struct RsEngine RsEngine;

/* An event's action.  `obj` and `arg` are what was given to schedule. */
typedef void (*RsEventFn)(RsEngine *eng, void *obj, uint64_t arg);

/* A handle to a cancellable timer; 0 is never a valid handle. */
typedef uint64_t RsTimer;

RsEngine *rs_engine_new(void);
void rs_engine_free(RsEngine *eng);

/* The current simulated time (the time of the event being run). */
rs_time_t rs_engine_now(const RsEngine *eng);

/* Schedules fn(obj, arg) at absolute time `at` (>= now). */
void rs_engine_schedule(RsEngine *eng, rs_time_t at, RsEventFn fn, void *obj, uint64_t arg);

/* Like rs_engine_schedule, but returns a handle that rs_engine_cancel takes. */
RsTimer rs_engine_timer(RsEngine *eng, rs_time_t at, RsEventFn fn, void *obj, uint64_t arg);

/* Schedules fn(obj, arg) at now + delay (delay >= 0), in the same order as
 * rs_engine_schedule(eng, now + delay, ...) would, but cheaper when `delay`
 * is one of a few values that recur (a model constant: a hop's latency, a
 * fixed timeout): each distinct delay gets a FIFO lane, pushed and popped
 * in O(1) instead of a heap's O(log n) (engine.c, LANES).  A varying delay
 * is correct too, only no faster (past 8 distinct delays, the heap). */
void rs_engine_after(RsEngine *eng, rs_time_t delay, RsEventFn fn, void *obj, uint64_t arg);

/* Like rs_engine_after, but returns a handle that rs_engine_cancel takes. */
RsTimer rs_engine_timer_after(RsEngine *eng, rs_time_t delay, RsEventFn fn, void *obj, uint64_t arg);

/* A timer's place in the order, taken before the timer is queued (engine.c,
 * TICKETS): rs_engine_ticket takes the sequence number that arming a timer
 * now would take; rs_engine_timer_ticket(at, ticket, ...) later queues the
 * timer as if it had been armed then, at `at` (>= now), and returns its
 * handle.  Not queuing it is cancelling it.  For timers that are nearly
 * always cancelled soon: a ticket must be used within 2^32 schedules. */
typedef uint64_t RsTicket;
RsTicket rs_engine_ticket(RsEngine *eng);
RsTimer rs_engine_timer_ticket(RsEngine *eng, rs_time_t at, RsTicket ticket, RsEventFn fn, void *obj, uint64_t arg);

/* Cancels a pending timer in O(1).  Returns false if it already ran or was
 * cancelled (cancelling twice is harmless). */
bool rs_engine_cancel(RsEngine *eng, RsTimer timer);
/* Fetches what cancelling `timer` will read (its slot) into the cache: a
 * hint, some work before the cancel (issue 14); any handle, 0 too. */
void rs_engine_prefetch_timer(const RsEngine *eng, RsTimer timer);

/* Runs events in order until the queue is empty, the next event is later
 * than `until` (then now becomes `until`), or rs_engine_stop is called.
 * Returns the number of events executed by this call. */
uint64_t rs_engine_run(RsEngine *eng, rs_time_t until);

/* A guard against runaway runs (--max-events): once `max_executed` events
 * have run since the engine was created, rs_engine_run drops every pending
 * event unrun when the next one is due (the queue is empty afterwards, so
 * every "run while events are pending" loop ends).  rs_engine_limit_reached
 * tells whether that happened (a cancelled timer due counts too). */
void rs_engine_set_limit(RsEngine *eng, uint64_t max_executed);
bool rs_engine_limit_reached(const RsEngine *eng);
/* The memory budget (--max-memory): every RS_MEMORY_CHECK_EVERY events the
 * engine reads the resident memory and, above `max_bytes`, stops as at the
 * event cap (rs_engine_limit_reached is then true too).  0: none. */
#define RS_MEMORY_CHECK_EVERY 65536u
void rs_engine_set_memory_limit(RsEngine *eng, uint64_t max_bytes);
/* Whether the memory budget stopped the engine; *seen: the resident bytes then. */
bool rs_engine_memory_exceeded(const RsEngine *eng, uint64_t *seen);

/* Asks rs_engine_run to return after the current event. */
void rs_engine_stop(RsEngine *eng);

/* Events executed since the engine was created (cancelled timers excluded). */
uint64_t rs_engine_executed(const RsEngine *eng);

/* Events waiting in the queue (cancelled timers excluded). */
uint64_t rs_engine_pending(const RsEngine *eng);

/* Time of the next pending event, or RS_TIME_NEVER. */
rs_time_t rs_engine_next_time(const RsEngine *eng);

#endif
