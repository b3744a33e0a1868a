/* strdist.c: edit distance for "did you mean" hints (unknown commands,
 * unknown scenario keys).  Inputs are short (keys, command names), so the
 * O(len(a) * len(b)) two-row dynamic programme is plenty. */
#include "config.h"

#include <string.h>

#include "rahtisim/util.h"

#define RS_DIST_MAX 255u
#define RS_DIST_LEN 64u

/* Levenshtein distance, computed on at most the first 64 bytes of each. */
unsigned
rs_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > RS_DIST_LEN) la = RS_DIST_LEN;
    if (lb > RS_DIST_LEN) lb = RS_DIST_LEN;
    unsigned prev[RS_DIST_LEN + 1], cur[RS_DIST_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
            unsigned sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            unsigned m = del < ins ? del : ins;
            cur[j] = m < sub ? m : sub;
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb] > RS_DIST_MAX ? RS_DIST_MAX : prev[lb];
}

/* The closest candidate within a small distance, or one `word` prefixes. */
const char *
rs_closest(const char *word, const char *const *candidates, size_t n)
{
    size_t lw = strlen(word);
    unsigned limit = lw <= 2 ? 1 : 2;
    const char *best = NULL;
    unsigned best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        unsigned d = rs_edit_distance(word, candidates[i]);
        if (lw > 0 && strncmp(word, candidates[i], lw) == 0 && d > 1)
            d = 1;              /* a prefix counts as close */
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}
