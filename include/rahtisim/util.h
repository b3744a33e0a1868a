/* util.h: small helpers shared by several layers: string distances for the
 * command table and the loader, terminal escaping, capped reads, exact
 * integers in JSON for the results and the reports. */
#ifndef RAHTISIM_UTIL_H
#define RAHTISIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <glib.h>

/* g_strlcpy's result (at most cap - 1 bytes of src, then a NUL; cap > 0)
 * by one strlen and one memcpy: g_strlcpy copies byte by byte, and the
 * request pipeline copies names and paths per request (issue 14). Returns
 * the number of bytes copied. */
static inline size_t
rs_copy_str(char *dst, const char *src, size_t cap)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

/* Levenshtein distance between two strings (bytes), capped at 255. */
unsigned rs_edit_distance(const char *a, const char *b);

/* The candidate closest to `word` for a "did you mean" hint: within edit
 * distance 2 (or 1 for words of 2 letters or fewer), or having `word` as a
 * prefix; NULL when none is close.  Ties go to the earliest candidate. */
const char *rs_closest(const char *word, const char *const *candidates, size_t n);

/* Terminal escaping (src/util/escape.c): C0 controls, DEL, C1 controls,
 * bidirectional controls (U+202E...) and bytes that are not UTF-8 are
 * written visibly (\x1b, \u202e, \xff) instead of acted on. */
#define RS_ESCAPE_KEEP_NEWLINE 1u   /* keep '\n' */
#define RS_ESCAPE_KEEP_TAB 2u       /* keep '\t' */
#define RS_ESCAPE_KEEP_SGR 4u       /* keep colour sequences ESC [ digits ; m */
#define RS_ESCAPE_TEXT (RS_ESCAPE_KEEP_NEWLINE | RS_ESCAPE_KEEP_TAB | RS_ESCAPE_KEEP_SGR)
void rs_escape_terminal(GString *out, const char *text, size_t len, unsigned flags);
/* An escaped copy (g_free it). */
char *rs_escape_terminal_dup(const char *text, unsigned flags);
/* False when `text` certainly needs no escaping (printable ASCII and the
 * kept characters only): a fast path for large reports. */
bool rs_escape_terminal_needed(const char *text, size_t len, unsigned flags);

/* A 64-bit hash of n bytes, eight at a time, the last 0-7 by a 4-, a 2-
 * and a 1-byte read, then murmur3's finaliser (every bit reaches the low
 * ones, so a table may take them).  For the open-addressing tables keyed by
 * short strings: the world's interned names, the DOT writer's edges. */
static inline uint64_t
rs_hash_bytes(const char *s, size_t n)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        h = (h ^ x) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 29;
    }
    uint64_t x = 0;
    if (n - i >= 4) {
        uint32_t y;
        memcpy(&y, s + i, 4);
        x = y;
        i += 4;
    }
    if (n - i >= 2) {
        uint16_t y;
        memcpy(&y, s + i, 2);
        x = (x << 16) | y;
        i += 2;
    }
    if (n - i >= 1)
        x = (x << 8) | (unsigned char)s[i];
    h ^= x;
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/* The resident memory of this process in bytes (/proc/self/statm; the peak
 * from getrusage where there is no /proc), src/util/memory.c. */
uint64_t rs_memory_resident(void);
/* Reserves the heap in one large step and keeps it (a hint for glibc's
 * malloc; main calls it first, src/util/memory.c). */
void rs_heap_reserve(void);
/* Asks for transparent huge pages for the heap rs_heap_reserve reserved:
 * for the commands that simulate long over the same memory (a hint,
 * src/util/memory.c). */
void rs_heap_huge_pages(void);
/* Whether rs_heap_reserve reserved the heap (not where malloc is not
 * glibc's: sanitizers, valgrind). */
bool rs_heap_reserved(void);
/* Maps the next `bytes` of the reserved heap from a second thread, ahead of
 * the program (once per process; a hint, src/util/memory.c): for the loads
 * of large files, rs_input_load_sigs.  True if it started the thread. */
bool rs_heap_prefault(size_t bytes);
/* Maps the pages of a large block (>= 1 MiB) just allocated, in one call
 * instead of a fault each (a hint, src/util/memory.c). */
void rs_memory_populate(void *p, size_t n);
/* Formats a byte count as "2 GiB", "512 MiB", "1.5 KiB" into buf. */
const char *rs_bytes_format(uint64_t bytes, char buf[32]);
/* Parses "2G", "2GiB", "512M", "1048576", "64k" (binary units); false if not. */
bool rs_bytes_parse(const char *text, uint64_t *out);

/* Reads all of `path` (a regular file, a pipe, a device: anything) but
 * never more than `max` bytes (src/util/readcap.c): true with *data (g_free
 * it, NUL-terminated) and *len, or true with *too_large and no data when
 * there was more; false with `error` (G_FILE_ERROR) when it cannot be read. */
bool rs_read_capped(const char *path, size_t max, char **data, size_t *len, bool *too_large,
                    GError **error);
/* Appends `text` word-wrapped to `width` columns (counting the indent),
 * each line starting with `indent`, ending with a newline; width 0: one
 * line, unwrapped.  A word longer than a line gets a line of its own.
 * Columns are counted in UTF-8 characters. */
void rs_wrap_append(GString *out, const char *text, const char *indent, unsigned width);

/* The width to wrap text written to `fd` at: on a terminal its columns
 * (else a positive COLUMNS from the environment); 0 when `fd` is not a
 * terminal (do not wrap: a pipe or a file keeps one line per paragraph). */
unsigned rs_term_width(int fd);

/* Adds `v` to `obj` as an exact integer: cJSON numbers are doubles, which
 * lose digits above 2^53; a raw number keeps every one (src/util/json.c). */
void rs_json_add_u64(cJSON *obj, const char *key, uint64_t v);

#endif
