/* rng.c: deterministic random streams (R37; docs/architecture.md, "Determinism").
 *
 * The generator is xoshiro256** (Blackman and Vigna): 256 bits of state,
 * period 2^256 - 1, a handful of shifts and one multiply per draw, and it
 * passes BigCrush.  Its state is filled by SplitMix64, which turns any 64-bit
 * seed (even 0 or 1) into well-mixed words.
 *
 * A stream is derived from (master seed, stream id), and a named stream's id
 * is the FNV-1a 64 hash of its name: a fixed function of the bytes, the same
 * on every machine and in every build (g_str_hash is none of these).  Because
 * nothing depends on the order in which streams are created, adding an
 * entity leaves every other entity's numbers unchanged.  FNV-1a alone mixes
 * poorly (names that differ in the last byte give ids that differ in few
 * bits), so the id and the seed go through SplitMix64's finaliser twice
 * before seeding; neighbouring names then get unrelated states.
 *
 * Rejected: one global generator advanced in creation order (the numbers of
 * every entity would shift when one is added); jump()-based substreams (they
 * need a stream index, i.e. a creation order, again); libc rand/random
 * (implementation-defined sequences).
 *
 * Costs: rs_rng_next is a few nanoseconds; rs_rng_below usually one draw
 * and one 64x64->128 multiply (Lemire's method rejects with probability
 * bound / 2^64); rs_rng_exponential adds a log1p.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/rng.h"

/* Rotates x left by k bits (0 < k < 64). */
static inline uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Advances a SplitMix64 state and returns its next output. */
static uint64_t
splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* The FNV-1a 64 hash of a NUL-terminated string. */
static uint64_t
fnv1a64(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* Seeds `rng` from the master seed and a 64-bit stream id. */
void
rs_rng_init_id(RsRng *rng, uint64_t master_seed, uint64_t stream_id)
{
    uint64_t m = master_seed;
    uint64_t x = splitmix64(&m) ^ stream_id;
    uint64_t st = splitmix64(&x);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&st);
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
        rng->s[0] = 1;          /* the one state xoshiro cannot leave */
}

/* Seeds `rng` from the master seed and a stable stream name. */
void
rs_rng_init(RsRng *rng, uint64_t master_seed, const char *stream_name)
{
    g_assert(stream_name != NULL);
    rs_rng_init_id(rng, master_seed, fnv1a64(stream_name));
}

/* The id of a stream name; see rng.h. */
uint64_t
rs_rng_name_id(const char *stream_name)
{
    g_assert(stream_name != NULL);
    return fnv1a64(stream_name);
}

/* C10: a requester's stream of an entity; see rng.h.  Each word of the
 * entity's seeded state is mixed with the requester's id through SplitMix64,
 * so two requesters of one entity, or one requester of two entities, get
 * unrelated states. */
void
rs_rng_derive(RsRng *out, const RsRng *base, uint64_t requester)
{
    uint64_t x = requester;
    uint64_t k = splitmix64(&x);
    for (int i = 0; i < 4; i++) {
        uint64_t st = base->s[i] ^ k ^ (uint64_t)i;
        out->s[i] = splitmix64(&st);
    }
    if ((out->s[0] | out->s[1] | out->s[2] | out->s[3]) == 0)
        out->s[0] = 1;
}

/* The next 64 random bits (xoshiro256**). */
uint64_t
rs_rng_next(RsRng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* The full 128-bit product of a and b: high half returned, low in *lo. */
static inline uint64_t
mul128(uint64_t a, uint64_t b, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
    __extension__ unsigned __int128 p = (unsigned __int128)a * b;
    *lo = (uint64_t)p;
    return (uint64_t)(p >> 64);
#else
    uint64_t a0 = a & UINT32_MAX, a1 = a >> 32, b0 = b & UINT32_MAX, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & UINT32_MAX) + (p10 & UINT32_MAX);
    *lo = (mid << 32) | (p00 & UINT32_MAX);
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* A uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject). */
uint64_t
rs_rng_below(RsRng *rng, uint64_t bound)
{
    g_assert(bound > 0);
    uint64_t lo;
    uint64_t hi = mul128(rs_rng_next(rng), bound, &lo);
    if (G_UNLIKELY(lo < bound)) {
        /* 2^64 mod bound low products would be over-represented: reject them. */
        uint64_t threshold = (0 - bound) % bound;
        while (lo < threshold)
            hi = mul128(rs_rng_next(rng), bound, &lo);
    }
    return hi;
}

/* A uniform double in [0, 1) built from the top 53 bits of one draw. */
double
rs_rng_uniform(RsRng *rng)
{
    return (double)(rs_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* An exponential variate with the given mean, by inversion: -mean ln(1 - u).
 * u < 1 always (53-bit uniform), so 1 - u > 0 and the log is finite; log1p
 * keeps precision for small u. */
double
rs_rng_exponential(RsRng *rng, double mean)
{
    double u = rs_rng_uniform(rng);
    if (u >= 1.0)               /* unreachable with 53 bits; kept as a guard */
        u = 0x1.fffffffffffffp-1;
    return -mean * log1p(-u);
}
