/* util.h: small string helpers shared by the command table and the loader. */
#ifndef RAHTISIM_UTIL_H
#define RAHTISIM_UTIL_H

#include <stddef.h>

/* Levenshtein distance between two strings (bytes), capped at 255. */
unsigned rs_edit_distance(const char *a, const char *b);

/* The candidate closest to `word` for a "did you mean" hint: within edit
 * distance 2 (or 1 for words of 2 letters or fewer), or having `word` as a
 * prefix; NULL when none is close.  Ties go to the earliest candidate. */
const char *rs_closest(const char *word, const char *const *candidates, size_t n);

#endif
