/* histogram.h: a log-bucketed histogram of non-negative 64-bit values.
 *
 * Values below 2^b are counted exactly; above, every power-of-two octave is
 * split into 2^b equal sub-buckets, so a bucket's width is at most 2^-b of
 * the values in it.  A quantile is answered with the middle of its bucket,
 * which is within 2^-(b+1) (relative) of the true value: b = 7 gives 0.4 %,
 * b = 3 gives 6 %.  Memory grows with the spread of the values seen (one
 * counter per bucket from the smallest to the largest: 2^b per octave),
 * never with the number of values.
 * Adding a value is O(1) and allocates only when a value beyond every
 * earlier one needs a longer counter array.  Everything is integer
 * arithmetic: the same values give the same quantiles on every machine (R37).
 */
#ifndef RAHTISIM_HISTOGRAM_H
#define RAHTISIM_HISTOGRAM_H

#include <stdbool.h>
#include <stdint.h>

/* The precision of the traffic statistics: 128 sub-buckets per octave. */
#define RS_HIST_FINE 7
/* The precision of per-time-bucket latency for plots: 8 per octave. */
#define RS_HIST_COARSE 3

typedef struct {
    unsigned sub_bits;          /* b: 2^b sub-buckets per octave */
    uint64_t count;
    int64_t min, max;           /* exact; meaningful when count > 0 */
    uint32_t *counts;           /* counts[k] is bucket base + k */
    unsigned base;              /* the bucket of counts[0] */
    unsigned n_counts;          /* allocated counters */
} RsHist;

void rs_hist_init(RsHist *h, unsigned sub_bits);
void rs_hist_clear(RsHist *h);          /* frees the counters */

/* Adds one value (negative values count as 0).  Counters are 32-bit: a
 * bucket holds at most 2^32 - 1 values, more than any run produces. */
void rs_hist_add(RsHist *h, int64_t v);

/* Adds every value of `src` (same sub_bits) to `dst`. */
void rs_hist_merge(RsHist *dst, const RsHist *src);

/* Adds counts[k] values in bucket first + k for k < n (a histogram kept
 * elsewhere in another form, same sub_bits); min and max are the smallest
 * and largest of them.  Nothing is added when every count is 0. */
void rs_hist_add_run(RsHist *h, unsigned first, const uint32_t *counts, unsigned n, int64_t min,
                     int64_t max);

/* The value at rank ceil(q * count) (nearest rank), as the middle of its
 * bucket clamped to [min, max]; q = 1 gives the exact max.  0 when empty. */
int64_t rs_hist_quantile(const RsHist *h, double q);

/* The bucket of a value, and the smallest and largest values of a bucket. */
unsigned rs_hist_index(unsigned sub_bits, int64_t v);
int64_t rs_hist_bucket_low(unsigned sub_bits, unsigned index);
int64_t rs_hist_bucket_high(unsigned sub_bits, unsigned index);

#endif
