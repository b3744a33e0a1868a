/* histogram.c: the log-bucketed histogram of histogram.h.
 *
 * Bucket index of v with b sub-bits: v < 2^b is its own bucket; otherwise
 * with e = floor(log2 v) >= b, the octave [2^e, 2^(e+1)) is split into 2^b
 * buckets of width 2^(e-b): index = (e - b + 1) * 2^b + (v >> (e - b)) - 2^b.
 * The layout is the one HDR histograms use, reduced to what rahtisim needs.
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "rahtisim/histogram.h"

/* Prepares an empty histogram. */
void
rs_hist_init(RsHist *h, unsigned sub_bits)
{
    memset(h, 0, sizeof *h);
    h->sub_bits = sub_bits;
}

/* Frees the counters; the histogram is empty again. */
void
rs_hist_clear(RsHist *h)
{
    unsigned b = h->sub_bits;
    g_free(h->counts);
    rs_hist_init(h, b);
}

/* floor(log2 v) for v > 0. */
static unsigned
log2_floor(uint64_t v)
{
    return 63u - (unsigned)__builtin_clzll(v);
}

/* The bucket of `v`. */
unsigned
rs_hist_index(unsigned b, int64_t v)
{
    uint64_t u = v < 0 ? 0 : (uint64_t)v;
    if (u < (UINT64_C(1) << b))
        return (unsigned)u;
    unsigned e = log2_floor(u);
    return ((e - b + 1) << b) + (unsigned)(u >> (e - b)) - (1u << b);
}

/* The smallest value in bucket `i`. */
int64_t
rs_hist_bucket_low(unsigned b, unsigned i)
{
    if (i < (1u << b))
        return (int64_t)i;
    unsigned octave = (i >> b) - 1;             /* e - b */
    uint64_t sub = (uint64_t)(i & ((1u << b) - 1)) + (UINT64_C(1) << b);
    return (int64_t)(sub << octave);
}

/* The largest value in bucket `i`. */
int64_t
rs_hist_bucket_high(unsigned b, unsigned i)
{
    if (i < (1u << b))
        return (int64_t)i;
    unsigned octave = (i >> b) - 1;
    int64_t low = rs_hist_bucket_low(b, i);
    uint64_t width = UINT64_C(1) << octave;
    return (int64_t)((uint64_t)low + width - 1);
}

/* Makes room for bucket `i`: the counters cover [base, base + n_counts),
 * extended geometrically up or down (amortised, rare). */
static void
make_room(RsHist *h, unsigned i)
{
    if (h->n_counts == 0) {
        h->n_counts = 16;
        h->base = i > 4 ? i - 4 : 0;
        h->counts = g_new0(uint32_t, h->n_counts);
        return;
    }
    unsigned lo_old = h->base, hi_old = h->base + h->n_counts;     /* [lo_old, hi_old) */
    if (i >= lo_old && i < hi_old)
        return;
    unsigned need_lo = MIN(i, lo_old), need_hi = MAX(i + 1, hi_old);
    unsigned n = h->n_counts;
    while (n < need_hi - need_lo)
        n *= 2;
    /* Growing down leaves the slack below, growing up above. */
    unsigned lo = i < lo_old ? (need_hi >= n ? need_hi - n : 0) : need_lo;
    uint32_t *c = g_new0(uint32_t, n);
    memcpy(c + (h->base - lo), h->counts, h->n_counts * sizeof *c);
    g_free(h->counts);
    h->counts = c;
    h->base = lo;
    h->n_counts = n;
}

/* Adds one value. */
void
rs_hist_add(RsHist *h, int64_t v)
{
    if (v < 0)
        v = 0;
    unsigned i = rs_hist_index(h->sub_bits, v);
    if (i < h->base || i - h->base >= h->n_counts)
        make_room(h, i);
    h->counts[i - h->base]++;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count++;
}

/* Adds every value of `src` to `dst`. */
void
rs_hist_merge(RsHist *dst, const RsHist *src)
{
    g_assert(dst->sub_bits == src->sub_bits);
    if (src->count == 0)
        return;
    make_room(dst, src->base);
    make_room(dst, src->base + src->n_counts - 1);
    for (unsigned k = 0; k < src->n_counts; k++)
        dst->counts[src->base + k - dst->base] += src->counts[k];
    if (dst->count == 0 || src->min < dst->min)
        dst->min = src->min;
    if (dst->count == 0 || src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
}

/* Adds counts[k] values in bucket first + k (k < n), whose smallest and
 * largest are min and max; see histogram.h. */
void
rs_hist_add_run(RsHist *h, unsigned first, const uint32_t *counts, unsigned n, int64_t min,
                int64_t max)
{
    uint64_t total = 0;
    for (unsigned k = 0; k < n; k++) {
        if (counts[k] == 0)
            continue;
        make_room(h, first + k);
        h->counts[first + k - h->base] += counts[k];
        total += counts[k];
    }
    if (total == 0)
        return;
    if (h->count == 0 || min < h->min)
        h->min = min;
    if (h->count == 0 || max > h->max)
        h->max = max;
    h->count += total;
}

/* The nearest-rank quantile; see histogram.h. */
int64_t
rs_hist_quantile(const RsHist *h, double q)
{
    if (h->count == 0)
        return 0;
    if (q >= 1.0)
        return h->max;
    if (q <= 0.0)
        return h->min;
    /* ceil(q * count) without trusting the last bit of the product. */
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if ((double)rank < q * (double)h->count)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned k = 0; k < h->n_counts; k++) {
        seen += h->counts[k];
        if (seen >= rank) {
            unsigned i = h->base + k;
            int64_t lo = rs_hist_bucket_low(h->sub_bits, i);
            int64_t hi = rs_hist_bucket_high(h->sub_bits, i);
            int64_t mid = lo + (hi - lo) / 2;
            if (mid < h->min)
                mid = h->min;
            if (mid > h->max)
                mid = h->max;
            return mid;
        }
    }
    return h->max;
}
