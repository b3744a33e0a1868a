/* arena.h (internal): memory that lives and dies together.
 *
 * The loader made about sixty small blocks per namespace (a name, a label,
 * a position's path, a ports array ... each a g_malloc), and freed them one
 * by one in rs_scenario_free: at 10^5 namespaces malloc and free were a
 * fifth of loading the file (issue 14).  A scenario now owns an arena
 * (RsScenario.arena) that its specs' strings and arrays come from, dropped
 * at once with the scenario; the loader's temporaries (JSON paths, its
 * registry) come from a second one, dropped when the load ends.
 *
 * Blocks double from 64 KiB to 16 MiB (below malloc's mmap threshold, so
 * they stay in the heap's huge pages, main.c), so an arena has a few
 * dozen at most.  Every live arena is on a list: rs_spec_free(p) frees p
 * with g_free unless it lies in one of them, so the code that frees specs
 * (rs_scenario_free, rs_profile_clear, ...) works on specs from either
 * source, and a spec field may be replaced by a g_strdup'd string.
 * Single-threaded, as the program is.
 */
#ifndef RAHTISIM_SCENARIO_ARENA_H
#define RAHTISIM_SCENARIO_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct RsArena RsArena;

/* Where an arena's allocations stood (rs_arena_mark, rs_arena_release). */
typedef struct {
    const void *block;
    size_t used;
} RsArenaMark;

/* A new empty arena (on the live list until dropped). */
RsArena *rs_arena_new(void);
/* Frees an arena and everything allocated from it (NULL: nothing). */
void rs_arena_drop(RsArena *a);
/* n bytes aligned for any type; never NULL (aborts as g_malloc does). */
void *rs_arena_alloc(RsArena *a, size_t n);
/* The same, zeroed. */
void *rs_arena_alloc0(RsArena *a, size_t n);
/* A copy of s (NULL for NULL), byte-aligned. */
char *rs_arena_strdup(RsArena *a, const char *s);
/* The copy of n bytes and a NUL. */
char *rs_arena_strndup(RsArena *a, const char *s, size_t n);
/* Whether p was allocated from a. */
bool rs_arena_has(RsArena *a, const void *p);
/* Where the arena stands now. */
RsArenaMark rs_arena_mark(const RsArena *a);
/* Gives back everything allocated since `m` (the memory is reused). */
void rs_arena_release(RsArena *a, RsArenaMark m);

/* g_free(p), unless p lies in a live arena (then its arena frees it). */
void rs_spec_free(void *p);

/* n zeroed objects of `type` from an arena (at least one, as the loader's
 * g_new0 calls were). */
#define rs_arena_new0(a, type, n) \
    ((type *)rs_arena_alloc0((a), sizeof(type) * ((n) ? (size_t)(n) : 1u)))

#endif
