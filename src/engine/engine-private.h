/* engine-private.h: test hooks of the event engine, not for simulation code.
 *
 * The unit tests use these to reach states that would otherwise take hours
 * of simulated work (the sequence counter running out).
 */
#ifndef RAHTISIM_ENGINE_PRIVATE_H
#define RAHTISIM_ENGINE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "rahtisim/engine.h"

/* Sets the next sequence number (>= the current one, <= the limit). */
void rs_engine_debug_set_seq(RsEngine *eng, uint64_t seq);

/* The value of the sequence counter at which the queue is renumbered. */
uint64_t rs_engine_debug_seq_limit(void);

/* Checks the queue's invariants: heap order, the count of cancelled
 * entries, every slot either queued or on the free list once. */
bool rs_engine_debug_valid(const RsEngine *eng);

#endif
