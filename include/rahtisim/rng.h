/* rng.h: deterministic random streams (R37; docs/architecture.md, "Determinism").
 *
 * One master seed; every entity that makes random decisions (a service's
 * endpoint choice, a router replica, a traffic source, a pod's service
 * times) owns a stream derived from (master seed, the entity's stable name).
 * Deriving by name rather than by creation order means adding an entity does
 * not change the numbers any other entity draws.  The generator is
 * xoshiro256** seeded through SplitMix64; results are identical on every
 * machine (no libc rand, no floating-point state).
 */
#ifndef RAHTISIM_RNG_H
#define RAHTISIM_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} RsRng;

/* Seeds `rng` from the master seed and a stable stream name. */
void rs_rng_init(RsRng *rng, uint64_t master_seed, const char *stream_name);

/* Seeds `rng` from the master seed and a 64-bit stream id. */
void rs_rng_init_id(RsRng *rng, uint64_t master_seed, uint64_t stream_id);

/* The 64-bit id of a stream name (FNV-1a 64; the same on every machine). */
uint64_t rs_rng_name_id(const char *stream_name);

/* C10: seeds `out` as the stream of (the entity whose own stream is `base`,
 * requester `requester`): a fixed function of base's state (as seeded, never
 * drawn from) and the requester's id, so requesters never share numbers. */
void rs_rng_derive(RsRng *out, const RsRng *base, uint64_t requester);

uint64_t rs_rng_next(RsRng *rng);

/* Uniform integer in [0, bound), unbiased; bound > 0. */
uint64_t rs_rng_below(RsRng *rng, uint64_t bound);

/* Uniform double in [0, 1) with 53 random bits. */
double rs_rng_uniform(RsRng *rng);

/* Exponential variate with the given mean (in the caller's unit). */
double rs_rng_exponential(RsRng *rng, double mean);

#endif
