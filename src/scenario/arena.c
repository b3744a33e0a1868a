/* arena.c: blocks of memory freed together (see arena.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/util.h"
#include "scenario/arena.h"

typedef struct Block {
    struct Block *next;         /* the older block */
    size_t size, used;
    max_align_t data[];         /* the memory, aligned as malloc's */
} Block;

struct RsArena {
    Block *blocks;              /* newest first: allocations go to the first */
    const Block *hit;           /* the block rs_arena_has found last */
    RsArena *next_live;
};

enum {
    FIRST_BLOCK = 64 << 10,
    LAST_BLOCK = 16 << 20,
};

static RsArena *live;           /* every arena not yet dropped */

RsArena *
rs_arena_new(void)
{
    RsArena *a = g_new0(RsArena, 1);
    a->next_live = live;
    live = a;
    return a;
}

void
rs_arena_drop(RsArena *a)
{
    if (a == NULL)
        return;
    for (RsArena **pp = &live; *pp != NULL; pp = &(*pp)->next_live)
        if (*pp == a) {
            *pp = a->next_live;
            break;
        }
    for (Block *b = a->blocks, *next; b != NULL; b = next) {
        next = b->next;
        g_free(b);
    }
    g_free(a);
}

/* A new first block with room for at least n bytes. */
static Block *
grow(RsArena *a, size_t n)
{
    size_t size = a->blocks != NULL ? a->blocks->size * 2 : (size_t)FIRST_BLOCK;
    if (size > (size_t)LAST_BLOCK)
        size = LAST_BLOCK;
    if (size < n)
        size = n;
    Block *b = g_malloc(sizeof *b + size);
    rs_memory_populate(b, sizeof *b + size);
    b->next = a->blocks;
    b->size = size;
    b->used = 0;
    a->blocks = b;
    return b;
}

/* n bytes in a new block (take's slow path, out of line). */
static G_GNUC_NO_INLINE void *
take_new(RsArena *a, size_t n)
{
    Block *b = grow(a, n);
    b->used = n;
    return b->data;
}

/* n bytes at `align` (a power of two).  Inline, its slow path apart: as
 * one function it saved and restored six registers a call, and the load
 * of 10^4 namespaces takes some 430 000 pieces (issue 14). */
static inline void *
take(RsArena *a, size_t n, size_t align)
{
    Block *b = a->blocks;
    if (G_LIKELY(b != NULL)) {
        size_t at = (b->used + align - 1) & ~(align - 1);
        if (G_LIKELY(at <= b->size && b->size - at >= n)) {
            b->used = at + n;
            return (char *)b->data + at;
        }
    }
    return take_new(a, n);
}

void *
rs_arena_alloc(RsArena *a, size_t n)
{
    return take(a, n, sizeof(max_align_t));
}

void *
rs_arena_alloc0(RsArena *a, size_t n)
{
    return memset(take(a, n, sizeof(max_align_t)), 0, n);
}

char *
rs_arena_strndup(RsArena *a, const char *s, size_t n)
{
    char *d = take(a, n + 1, 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *
rs_arena_strdup(RsArena *a, const char *s)
{
    return s != NULL ? rs_arena_strndup(a, s, strlen(s)) : NULL;
}

/* Whether p lies in block b's used part. */
static bool
in_block(const Block *b, const void *p)
{
    uintptr_t u = (uintptr_t)p, lo = (uintptr_t)b->data;
    return u >= lo && u < lo + b->used;
}

bool
rs_arena_has(RsArena *a, const void *p)
{
    if (a->hit != NULL && in_block(a->hit, p))
        return true;
    for (const Block *b = a->blocks; b != NULL; b = b->next)
        if (in_block(b, p)) {
            a->hit = b;
            return true;
        }
    return false;
}

RsArenaMark
rs_arena_mark(const RsArena *a)
{
    RsArenaMark m = {.block = a->blocks, .used = a->blocks != NULL ? a->blocks->used : 0};
    return m;
}

void
rs_arena_release(RsArena *a, RsArenaMark m)
{
    if (a->blocks == NULL || a->blocks == m.block) {
        if (a->blocks != NULL)
            a->blocks->used = m.used;
        return;
    }
    /* Blocks were added since the mark: keep the newest, emptied, for what
     * comes next (freeing it would make and free a block at every release
     * that crosses a block's end), and free those between it and the mark. */
    Block *newest = a->blocks;
    while (newest->next != NULL && newest->next != m.block) {
        Block *mid = newest->next;
        newest->next = mid->next;
        g_free(mid);
    }
    newest->used = 0;
    a->hit = NULL;
}

void
rs_spec_free(void *p)
{
    if (p == NULL)
        return;
    for (RsArena *a = live; a != NULL; a = a->next_live)
        if (rs_arena_has(a, p))
            return;
    g_free(p);
}
