/* jsonc.c: JSON with comments, with a position for every value.
 *
 * Pipeline (see jsonc.h): validate UTF-8 -> blank comments into a copy ->
 * cJSON parse -> strict scan of the copy beside the cJSON tree.  cJSON keeps
 * object members in file order, duplicates included, so the scan can pair
 * the n-th member it reads with the n-th cJSON child; it records offsets and
 * rejects duplicate keys.  When cJSON fails, the same scanner runs without a
 * tree to find the first error and say what it is (cJSON only gives an
 * offset).  Line and column come from the original text (comments and all)
 * through a table of line starts; columns count characters, not bytes.
 *
 * Rejected here, all as syntax errors: bytes that are not UTF-8, NUL bytes,
 * an unterminated block comment, anything strict JSON (RFC 8259) rejects,
 * duplicate keys, nesting deeper than RS_JSONC_MAX_DEPTH, an empty file.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "rahtisim/scenario.h"
#include "rahtisim/util.h"
#include "scenario/jsonc.h"

struct RsJsonDoc {
    char *name;
    char *text;             /* the original bytes, NUL-terminated */
    size_t len;
    GArray *line_starts;    /* size_t offsets of each line's first byte */
    GArray *line_ascii;     /* gboolean per line: columns are byte offsets (O(1)) */
    cJSON *root;
    struct PosMap *pos;     /* cJSON* -> offsets + 1 of its value and its key */
    /* Nodes built from other files (the importer's manifests): their
     * "offsets" are len + 1 + an index into `origins`, so warnings still sort
     * (text first, then origins in the order they were recorded). */
    GPtrArray *origins;     /* RsJsonOrigin*, owned; NULL until one is set */
    GStringChunk *files;    /* interned origin file names */
    struct Arena *arena;    /* where cJSON put the parsed tree; NULL: malloc */
    bool mutated;           /* rs_jsonc_root_mut was called: free node by node */
    bool plain_strings;     /* the scanner built the tree and saw no string with a
                             * backslash, a colon, DEL or a 0xC2 byte (rs_jsonc_strings_plain) */
};

/* ---- the parse tree's arena ----
 *
 * cJSON allocates every node and every string with its own malloc, and a
 * file of 10^5 namespaces has 2.3 million values: their mallocs and the
 * frees of cJSON_Delete were about a tenth of loading it (issue 14).  While
 * rs_jsonc_parse runs cJSON, its hooks (cJSON_InitHooks) take memory from an
 * arena of a few large blocks owned by the document, dropped at once by
 * rs_jsonc_free.  Outside a parse the hooks are malloc, and their free
 * ignores a pointer into a live arena (a node the importer detaches from a
 * parsed tree and deletes, a string cJSON_SetValuestring replaces), so
 * nodes from both sources can share a tree; a tree that was handed out
 * mutable (rs_jsonc_root_mut) is still deleted node by node before its
 * arena goes.  Blocks double in size (at most ~30), so the membership test
 * scans a short list.  Single-threaded, as the program is. */
typedef struct ArenaBlock {
    struct ArenaBlock *next;
    size_t size, used;
    /* the memory follows, aligned like malloc's */
    max_align_t data[];
} ArenaBlock;

typedef struct Arena {
    ArenaBlock *blocks;         /* newest first */
    struct Arena *next_live;    /* every live arena, for arena_free */
    const ArenaBlock *hit;      /* the block arena_has found last */
    const char *text;           /* the document's text when the strings are cut from it */
    size_t text_len;            /* (rs_jsonc_parse): arena_free leaves them too */
} Arena;

/* The offsets of a node (see PosMap): offset + 1 of its value and of its
 * key, 0 for none.  32 bits each: a document is at most RS_JSONC_MAX_TEXT
 * bytes (issue 14: 8 bytes less after each of 2.3 million nodes at 10^5
 * namespaces). */
typedef struct {
    uint32_t v, k;
} PosPair;

/* The most text rs_jsonc_parse takes (from memory; files stop at
 * RS_JSONC_MAX_FILE_SIZE): its offsets, and past them the origins', fit
 * in PosPair's 32 bits. */
#define RS_JSONC_MAX_TEXT ((size_t)1 << 30)

static Arena *live_arenas;      /* arenas of documents not yet freed */
static Arena *parsing;          /* the arena cJSON allocates from, during a parse */

static void *
arena_alloc(size_t n)
{
    if (parsing == NULL)
        return malloc(n);
    /* a node (cJSON_New_Item asks for exactly a cJSON) gets its offsets
     * after it (PosPair): no table entry per node; it is aligned as a
     * cJSON (72 bytes with its offsets, not 80) */
    bool node = n == sizeof(cJSON);
    const size_t align = node ? _Alignof(cJSON) : sizeof(max_align_t);
    if (node)
        n += sizeof(PosPair);
    ArenaBlock *b = parsing->blocks;
    size_t at = b != NULL ? (b->used + align - 1) & ~(align - 1) : 0;
    if (b == NULL || at > b->size || b->size - at < n) {
        /* up to 16 MiB, below malloc's mmap threshold (main.c): the
         * blocks stay in the heap and its huge pages */
        size_t size = b != NULL ? b->size * 2 : (size_t)64 << 10;
        if (size > ((size_t)16 << 20))
            size = (size_t)16 << 20;
        if (size < n)
            size = n;
        ArenaBlock *nb = malloc(sizeof *nb + size);
        if (nb != NULL)
            rs_memory_populate(nb, sizeof *nb + size);
        if (nb == NULL)
            return NULL;        /* cJSON reports the parse as failed */
        nb->next = b;
        nb->size = size;
        nb->used = 0;
        parsing->blocks = b = nb;
        at = 0;
    }
    void *p = (char *)b->data + at;
    b->used = at + n;
    if (node)
        *(PosPair *)(void *)((char *)p + sizeof(cJSON)) = (PosPair){0, 0};     /* a store, not a call */
    return p;
}

static void
arena_free(void *p)
{
    for (const Arena *a = live_arenas; a != NULL; a = a->next_live) {
        for (const ArenaBlock *b = a->blocks; b != NULL; b = b->next)
            if ((const char *)p >= (const char *)b->data && (const char *)p < (const char *)b->data + b->size)
                return;         /* the arena's: freed with it */
        if (a->text != NULL && (const char *)p >= a->text && (const char *)p <= a->text + a->text_len)
            return;             /* a string cut from the text: freed with the document */
    }
    free(p);
}

/* Whether p points into one of the arena's blocks. */
static bool
arena_has(Arena *a, const void *p)
{
    const char *c = p;
    if (a->hit != NULL && c >= (const char *)a->hit->data && c < (const char *)a->hit->data + a->hit->used)
        return true;
    for (const ArenaBlock *b = a->blocks; b != NULL; b = b->next)
        if (c >= (const char *)b->data && c < (const char *)b->data + b->used) {
            a->hit = b;
            return true;
        }
    return false;
}

static Arena *
arena_new(void)
{
    static bool hooked;
    if (!hooked) {
        cJSON_Hooks h = {.malloc_fn = arena_alloc, .free_fn = arena_free};
        cJSON_InitHooks(&h);
        hooked = true;
    }
    Arena *a = g_new0(Arena, 1);
    a->next_live = live_arenas;
    live_arenas = a;
    return a;
}

static void
arena_drop(Arena *a)
{
    if (a == NULL)
        return;
    for (Arena **pp = &live_arenas; *pp != NULL; pp = &(*pp)->next_live)
        if (*pp == a) {
            *pp = a->next_live;
            break;
        }
    for (ArenaBlock *b = a->blocks, *next; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    g_free(a);
}

/* The offsets of every node: one open-addressing table keyed by the node's
 * address, value and key offset side by side.  It replaced two GHashTables
 * (issue 14: a file of 10^5 namespaces has 2.3 million values, and the two
 * tables' inserts and memory were a fifth of loading it). */
typedef struct {
    const cJSON *node;      /* NULL: a free slot */
    PosPair p;
} PosSlot;

/* A node parsed into the document's arena keeps its offsets right after it
 * (arena_alloc): the table holds only the others (the importer's nodes) and
 * the origins (rs_jsonc_set_origin), and a table entry wins over the node's
 * own.  With a table slot per node, a file of 10^5 namespaces filled and
 * regrew a table of 4 million slots (96 MB, a tenth of loading it). */
typedef struct PosMap {
    PosSlot *slots;
    size_t cap, n;          /* cap: a power of two, at most 3/4 full */
    Arena *arena;           /* the document's, or NULL */
} PosMap;

/* A new table for about `hint` nodes. */
static PosMap *
pos_new(size_t hint)
{
    PosMap *m = g_new0(PosMap, 1);
    m->cap = 64;
    while (m->cap < hint + hint / 3)
        m->cap <<= 1;
    m->slots = g_new0(PosSlot, m->cap);
    return m;
}

/* Frees a table. */
static void
pos_free(PosMap *m)
{
    if (m) {
        g_free(m->slots);
        g_free(m);
    }
}

/* The first slot to probe for a node: its address over 16 (the malloc
 * alignment).  cJSON allocates the nodes in file order, mostly one after
 * the other, so the scan fills the table in address order and nearby
 * slots: a scattering hash made every insert a cache miss on big files. */
static size_t
pos_home(const PosMap *m, const cJSON *node)
{
    return (size_t)((uintptr_t)node >> 4) & (m->cap - 1);
}

/* The offsets a node has after it in the arena, or NULL. */
static PosPair *
pos_trailer(const PosMap *m, const cJSON *node)
{
    if (m->arena == NULL || !arena_has(m->arena, node))
        return NULL;
    return (PosPair *)(void *)((char *)(uintptr_t)node + sizeof(cJSON));
}

/* The offsets after a node that arena_alloc made (while building). */
static PosPair *
node_trailer(cJSON *node)
{
    return (PosPair *)(void *)((char *)node + sizeof(cJSON));
}

/* The table slot of a node, or NULL when it has none. */
static const PosPair *
pos_table_get(const PosMap *m, const cJSON *node)
{
    if (m->n == 0)
        return NULL;
    for (size_t i = pos_home(m, node);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].node == node)
            return &m->slots[i].p;
        if (m->slots[i].node == NULL)
            return NULL;
    }
}

/* The offsets of a node, or NULL when it has none. */
static const PosPair *
pos_get(const PosMap *m, const cJSON *node)
{
    const PosPair *p = pos_table_get(m, node);
    return p != NULL ? p : pos_trailer(m, node);
}

/* The table slot of a node, made when it has none (the table grows at 3/4). */
static PosPair *
pos_table_put(PosMap *m, const cJSON *node)
{
    if ((m->n + 1) * 4 > m->cap * 3) {
        PosSlot *old = m->slots;
        size_t old_cap = m->cap;
        m->cap <<= 1;
        m->slots = g_new0(PosSlot, m->cap);
        for (size_t j = 0; j < old_cap; j++) {
            if (old[j].node == NULL)
                continue;
            size_t i = pos_home(m, old[j].node);
            while (m->slots[i].node != NULL)
                i = (i + 1) & (m->cap - 1);
            m->slots[i] = old[j];
        }
        g_free(old);
    }
    size_t i = pos_home(m, node);
    while (m->slots[i].node != NULL && m->slots[i].node != node)
        i = (i + 1) & (m->cap - 1);
    if (m->slots[i].node == NULL) {
        m->slots[i].node = node;
        m->n++;
    }
    return &m->slots[i].p;
}

/* Where the scan records a node's offsets: after the node when the arena
 * holds it, else a table slot. */
static PosPair *
pos_put(PosMap *m, const cJSON *node)
{
    PosPair *p = pos_trailer(m, node);
    return p != NULL ? p : pos_table_put(m, node);
}

/* Where an imported node came from. */
typedef struct {
    const char *file;       /* interned in doc->files */
    int line, col;
    char *path;             /* the manifest path, used in messages in place of the JSON path */
} RsJsonOrigin;

/* Frees an origin. */
static void
origin_free(gpointer p)
{
    RsJsonOrigin *o = p;
    g_free(o->path);
    g_free(o);
}

/* The origin an offset stands for, or NULL for an offset into the text. */
static const RsJsonOrigin *
origin_at(const RsJsonDoc *doc, size_t offset)
{
    if (!doc->origins || offset <= doc->len || offset - doc->len - 1 >= doc->origins->len)
        return NULL;
    return g_ptr_array_index(doc->origins, offset - doc->len - 1);
}

/* The strict scanner's state. */
typedef struct {
    const RsJsonDoc *doc;
    const char *t;          /* text with comments blanked */
    size_t len, i;
    int depth;
    size_t err_off;
    char *err_msg;
    bool build;             /* make the cJSON tree while scanning (see rs_jsonc_parse) */
    char *strbuf;           /* building: a copy of t that the tree's strings are cut from */
    bool odd;               /* a string had a backslash, `:`, DEL or 0xC2 (see plain_strings) */
} Scan;

/* Frees a document and everything it holds. */
void
rs_jsonc_free(RsJsonDoc *doc)
{
    if (!doc)
        return;
    g_free(doc->name);
    if (doc->line_starts)
        g_array_unref(doc->line_starts);
    if (doc->line_ascii)
        g_array_unref(doc->line_ascii);
    if (doc->root && (doc->arena == NULL || doc->mutated))
        cJSON_Delete(doc->root);
    arena_drop(doc->arena);
    g_free(doc->text);          /* after the tree: its strings may lie in it */
    pos_free(doc->pos);
    if (doc->origins)
        g_ptr_array_unref(doc->origins);
    if (doc->files)
        g_string_chunk_free(doc->files);
    g_free(doc);
}

/* The parsed tree (owned by the document). */
const cJSON *
rs_jsonc_root(const RsJsonDoc *doc)
{
    return doc->root;
}

/* The name used in messages. */
const char *
rs_jsonc_name(const RsJsonDoc *doc)
{
    return doc->name;
}

/* Whether no string of the tree can hold what ld_no_ipv6_anywhere looks
 * for (see jsonc.h). */
bool
rs_jsonc_strings_plain(const RsJsonDoc *doc)
{
    return doc->plain_strings && !doc->mutated;
}

/* Looks up the recorded offset of a node's value or key. */
size_t
rs_jsonc_offset(const RsJsonDoc *doc, const cJSON *node, bool key)
{
    const PosPair *p = pos_get(doc->pos, node);
    size_t v = p == NULL ? 0 : key && p->k ? p->k : p->v;
    return v ? v - 1 : 0;
}

/* Binary search in the line table, then count characters to the offset. */
void
rs_jsonc_linecol(const RsJsonDoc *doc, size_t offset, int *line, int *col)
{
    const RsJsonOrigin *o = origin_at(doc, offset);
    if (o) {
        *line = o->line;
        *col = o->col;
        return;
    }
    /* The line found last, and the one after it, are tried before the
     * binary search: the loader asks in file order (issue 14: a search of
     * 17 steps per object at 10^5 namespaces).  The guess is checked
     * against this document's table, so a stale one only costs the search. */
    static const RsJsonDoc *last_doc;
    static guint last_line;
    const size_t *ls = (const size_t *)(void *)doc->line_starts->data;
    guint lo = 0, hi = doc->line_starts->len;
    if (offset > doc->len)
        offset = doc->len;
    guint g = last_doc == doc ? last_line : hi;
    if (g < hi && ls[g] <= offset && (g + 1 == hi || offset < ls[g + 1])) {
        lo = g;
    } else if (g + 1 < hi && ls[g + 1] <= offset && (g + 2 == hi || offset < ls[g + 2])) {
        lo = g + 1;
    } else {
        while (hi - lo > 1) {
            guint mid = lo + (hi - lo) / 2;
            if (ls[mid] <= offset)
                lo = mid;
            else
                hi = mid;
        }
    }
    last_doc = doc;
    last_line = lo;
    size_t start = ls[lo];
    if (lo == 0 && doc->len >= 3 && memcmp(doc->text, "\xEF\xBB\xBF", 3) == 0 && offset >= 3)
        start = 3;          /* a byte order mark is not a column */
    int c = 1;
    if (g_array_index(doc->line_ascii, gboolean, lo)) {
        *line = (int)lo + 1;
        *col = (int)(offset - start) + 1;
        return;
    }
    /* a line with multibyte characters: count them (rare, and one line only) */
    for (size_t k = start; k < offset; k++)
        if (((unsigned char)doc->text[k] & 0xC0) != 0x80)
            c++;
    *line = (int)lo + 1;
    *col = c;
}

/* The file an offset is in: an origin's file, else the document's name. */
const char *
rs_jsonc_file_at(const RsJsonDoc *doc, size_t offset)
{
    const RsJsonOrigin *o = origin_at(doc, offset);
    return o ? o->file : doc->name;
}

/* The manifest path recorded for an offset, or NULL (see jsonc.h). */
const char *
rs_jsonc_path_at(const RsJsonDoc *doc, size_t offset)
{
    const RsJsonOrigin *o = origin_at(doc, offset);
    return o ? o->path : NULL;
}

/* Records where a built node came from (see jsonc.h). */
void
rs_jsonc_set_origin(RsJsonDoc *doc, const cJSON *node, const char *file, int line, int col,
                    const char *path)
{
    if (!doc->origins) {
        doc->origins = g_ptr_array_new_with_free_func(origin_free);
        doc->files = g_string_chunk_new(256);
    }
    RsJsonOrigin *o = g_new(RsJsonOrigin, 1);
    o->file = g_string_chunk_insert_const(doc->files, file);
    o->line = line;
    o->col = col;
    o->path = g_strdup(path);
    g_ptr_array_add(doc->origins, o);
    pos_table_put(doc->pos, node)->v = (uint32_t)(doc->len + 1 + doc->origins->len);     /* the table: copy_origins reads it */
}

/* Copies every origin of `src` into `dst` (see jsonc.h). */
void
rs_jsonc_copy_origins(RsJsonDoc *dst, const RsJsonDoc *src)
{
    if (!src->origins)
        return;
    /* in the order they were recorded, so warnings keep their order */
    g_autofree const cJSON **by_index = g_new0(const cJSON *, src->origins->len);
    for (size_t j = 0; j < src->pos->cap; j++) {
        const PosSlot *p = &src->pos->slots[j];
        if (p->node == NULL || p->p.v == 0)
            continue;
        const RsJsonOrigin *o = origin_at(src, p->p.v - 1);
        if (o)
            by_index[p->p.v - 1 - src->len - 1] = p->node;
    }
    for (guint i = 0; i < src->origins->len; i++) {
        const RsJsonOrigin *o = g_ptr_array_index(src->origins, i);
        if (by_index[i])
            rs_jsonc_set_origin(dst, by_index[i], o->file, o->line, o->col, o->path);
    }
}

/* A document around a built tree (see jsonc.h). */
RsJsonDoc *
rs_jsonc_new_tree(const char *name, cJSON *root)
{
    RsJsonDoc *doc = g_new0(RsJsonDoc, 1);
    doc->name = g_strdup(name);
    doc->text = g_strdup("");
    doc->line_starts = g_array_new(FALSE, FALSE, sizeof(size_t));
    doc->line_ascii = g_array_new(FALSE, FALSE, sizeof(gboolean));
    size_t zero = 0;
    gboolean ascii = TRUE;
    g_array_append_val(doc->line_starts, zero);
    g_array_append_val(doc->line_ascii, ascii);
    doc->pos = pos_new(0);
    doc->root = root;
    return doc;
}

/* The tree, for the importer to add to (see jsonc.h). */
cJSON *
rs_jsonc_root_mut(RsJsonDoc *doc)
{
    doc->mutated = true;        /* and rs_jsonc_strings_plain no longer holds */        /* nodes from malloc may join: rs_jsonc_free deletes them */
    return doc->root;
}

/* A copy of `s` with control characters escaped (\n, \t, \x1b ...):
 * messages quote keys, values and characters from the file, and a message
 * must stay one line that cannot rewrite the terminal (found by fuzz_load). */
char *
rs_jsonc_printable(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            g_string_append(out, "\\n");
        else if (*p == '\t')
            g_string_append(out, "\\t");
        else if (*p == '\r')
            g_string_append(out, "\\r");
        else if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf(out, "\\x%02x", *p);
        else
            g_string_append_c(out, (char)*p);
    }
    return g_string_free(out, FALSE);
}

/* Sets a syntax error at a byte offset: "NAME:LINE:COL: message". */
static void
set_error_at(const RsJsonDoc *doc, size_t off, GError **error, const char *msg)
{
    int line, col;
    g_autofree char *text = rs_jsonc_printable(msg);
    rs_jsonc_linecol(doc, off, &line, &col);
    g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_SYNTAX, "%s:%d:%d: %s",
                doc->name, line, col, text);
}

/* Records the first scanner error (later ones are consequences). */
G_GNUC_PRINTF(3, 4) static bool
scan_fail(Scan *s, size_t off, const char *fmt, ...)
{
    if (!s->err_msg) {
        va_list ap;
        va_start(ap, fmt);
        s->err_msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        s->err_off = off;
    }
    return false;
}

/* Describes the character at the scan position for an error message. */
static char *
scan_found(const Scan *s)
{
    if (s->i >= s->len)
        return g_strdup("the end of the file");
    const char *p = s->t + s->i;
    const char *next = g_utf8_next_char(p);
    return g_strdup_printf("`%.*s`", (int)(next - p), p);
}

/* Skips JSON whitespace (comments are blank already).  Inline, and done
 * at once when the next byte is not blank: it is called before and after
 * every value, key and separator (issue 14: 940 000 calls at 10^4
 * namespaces, most of them skipping nothing). */
static inline void
scan_ws(Scan *s)
{
    /* without the bounds test: the position never passes the end, and the
     * text has a NUL there (and none before: the UTF-8 check refuses it),
     * which is not above ' ' (issue 14: 1.5 million calls at 10^4) */
    if ((unsigned char)s->t[s->i] > ' ')
        return;
    while (s->i < s->len) {
        char c = s->t[s->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        s->i++;
    }
}

/* Reads four hex digits of a \u escape. */
static bool
scan_hex4(Scan *s, size_t at, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        if (at + (size_t)k >= s->len || !g_ascii_isxdigit(s->t[at + (size_t)k]))
            return false;
        v = v * 16 + (unsigned)g_ascii_xdigit_value(s->t[at + (size_t)k]);
    }
    *out = v;
    return true;
}

/* The value of four hex digits the scanner has checked. */
static unsigned
hex4_value(const char *p)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++)
        v = v * 16 + (unsigned)g_ascii_xdigit_value(p[k]);
    return v;
}

/* Unescapes the n bytes of a checked string token's inside in place, as
 * cJSON's parse_string makes it (a \u escape, or a surrogate pair of two,
 * becomes the code point's UTF-8), and ends it with a NUL.  The value is
 * never longer than its token (an escape of 2, 6 or 12 bytes gives 1 to 4),
 * so it is written over the token as the token is read. */
static void
decode_in_place(char *p, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\') {
            p[j++] = p[i];
            continue;
        }
        char e = p[++i];
        switch (e) {
        case 'b': p[j++] = '\b'; break;
        case 'f': p[j++] = '\f'; break;
        case 'n': p[j++] = '\n'; break;
        case 'r': p[j++] = '\r'; break;
        case 't': p[j++] = '\t'; break;
        case 'u': {
            unsigned u = hex4_value(p + i + 1);
            i += 4;
            if (u >= 0xD800 && u <= 0xDBFF) {
                unsigned lo = hex4_value(p + i + 3);       /* after the `\u` of the low half */
                i += 6;
                u = 0x10000 + (((u & 0x3FF) << 10) | (lo & 0x3FF));
            }
            if (u < 0x80) {
                p[j++] = (char)u;
            } else if (u < 0x800) {
                p[j++] = (char)(0xC0 | (u >> 6));
                p[j++] = (char)(0x80 | (u & 0x3F));
            } else if (u < 0x10000) {
                p[j++] = (char)(0xE0 | (u >> 12));
                p[j++] = (char)(0x80 | ((u >> 6) & 0x3F));
                p[j++] = (char)(0x80 | (u & 0x3F));
            } else {
                p[j++] = (char)(0xF0 | (u >> 18));
                p[j++] = (char)(0x80 | ((u >> 12) & 0x3F));
                p[j++] = (char)(0x80 | ((u >> 6) & 0x3F));
                p[j++] = (char)(0x80 | (u & 0x3F));
            }
            break;
        }
        default:                /* `"`, `\\` and `/` stand for themselves */
            p[j++] = e;
            break;
        }
    }
    p[j] = '\0';
}

/* What scan_string does with a byte inside a string: 0 goes on, 1 stops
 * (the closing quote, a backslash, a control character), 2 goes on but
 * makes the string odd (Scan.odd). */
static unsigned char str_class[256];

static void
str_class_init(void)
{
    if (str_class['"'])
        return;
    for (unsigned c = 0; c < 0x20; c++)
        str_class[c] = 1;
    str_class['"'] = str_class['\\'] = 1;
    str_class[':'] = str_class[0x7f] = str_class[0xc2] = 2;
}

/* Scans a string token (the position is at its opening quote); with `out`,
 * also stores its value there (the tree being built): cut from the
 * scanner's copy of the text (Scan.strbuf, in the document's arena) at the
 * token's own place, no allocation per string (issue 14). */
static bool
scan_string(Scan *s, char **out)
{
    size_t start = s->i;
    bool escaped = false;
    s->i++;
    while (s->i < s->len) {
        /* the plain bytes in locals: a store to s->i could change s->len
         * for all the compiler knows, so it reloaded both per byte */
        const unsigned char *t = (const unsigned char *)s->t;
        size_t i = s->i, len = s->len;
        while (i < len && str_class[t[i]] == 0)
            i++;
        s->i = i;
        if (i >= len)
            break;
        unsigned char c = t[i];
        unsigned k = str_class[c];
        if (k == 2) {
            s->odd = true;
            s->i++;
            continue;
        }
        if (c == '"') {
            s->i++;
            if (out != NULL) {
                char *v = s->strbuf + start + 1;
                size_t n = s->i - start - 2;
                if (escaped)
                    decode_in_place(v, n);
                else
                    v[n] = '\0';
                *out = v;
            }
            return true;
        }
        if (c == '\n')
            break;
        if (c < 0x20)
            return scan_fail(s, s->i, "control character in a string (write it as an escape like \\t)");
        /* a backslash */
        escaped = s->odd = true;
        size_t esc = s->i;
        char e = s->i + 1 < s->len ? s->t[s->i + 1] : '\0';
        if (strchr("\"\\/bfnrt", e) && e != '\0') {
            s->i += 2;
            continue;
        }
        if (e != 'u')
            return scan_fail(s, esc, "invalid escape `\\%c` in a string", e ? e : ' ');
        unsigned u, lo;
        if (!scan_hex4(s, esc + 2, &u))
            return scan_fail(s, esc, "invalid \\u escape: expected four hex digits");
        if (u == 0)
            return scan_fail(s, esc, "\\u0000 (a NUL character) is not allowed in a string");
        s->i = esc + 6;
        if (u >= 0xDC00 && u <= 0xDFFF)
            return scan_fail(s, esc, "invalid \\u escape: a lone low surrogate");
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (s->i + 1 >= s->len || s->t[s->i] != '\\' || s->t[s->i + 1] != 'u' ||
                !scan_hex4(s, s->i + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return scan_fail(s, esc, "invalid \\u escape: a high surrogate without its low half");
            s->i += 6;
        }
    }
    return scan_fail(s, start, "unterminated string");
}

/* Scans a number token strictly: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?;
 * with `node`, also stores its value there as cJSON's parse_number does
 * (strtod of the token, which it copies into 64 bytes: a longer token is
 * left to cJSON, which refuses it). */
static bool
scan_number(Scan *s, cJSON *node)
{
    size_t start = s->i;
    const char *t = s->t;
    size_t i = s->i;
    /* the integer part's value on the way (issue 14: a second loop over
     * the digits of every port); used when nothing follows them */
    uint64_t whole = 0;
    if (i < s->len && t[i] == '-')
        i++;
    if (i < s->len && t[i] == '0')
        i++;
    else if (i < s->len && t[i] >= '1' && t[i] <= '9')
        while (i < s->len && g_ascii_isdigit(t[i]))
            whole = whole * 10 + (uint64_t)(t[i++] - '0');     /* wraps past 19 digits: not used then */
    else
        return scan_fail(s, start, "invalid number");
    size_t int_end = i;
    if (i < s->len && t[i] == '.') {
        i++;
        if (i >= s->len || !g_ascii_isdigit(t[i]))
            return scan_fail(s, start, "invalid number: digits must follow the decimal point");
        while (i < s->len && g_ascii_isdigit(t[i]))
            i++;
    }
    if (i < s->len && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < s->len && (t[i] == '+' || t[i] == '-'))
            i++;
        if (i >= s->len || !g_ascii_isdigit(t[i]))
            return scan_fail(s, start, "invalid number: bad exponent");
        while (i < s->len && g_ascii_isdigit(t[i]))
            i++;
    }
    if (i < s->len && (g_ascii_isalnum(t[i]) || t[i] == '.' || t[i] == '+' || t[i] == '-'))
        return scan_fail(s, start, "invalid number (JSON numbers have no leading zeros, no `+`, no units: "
                                   "write durations and rates as strings like \"10s\")");
    if (node != NULL) {
        /* An integer of at most 15 digits is exactly a double: its value
         * without strtod (issue 14: strtod was 3 % of loading 10^4
         * namespaces, whose numbers are ports).  A minus gives -0.0 for
         * -0, as strtod does. */
        size_t d0 = start + (t[start] == '-');
        if (i - d0 <= 15) {
            uint64_t u = whole;
            size_t k = int_end;     /* the integer part's digits are in `whole` */
            while (k < i && t[k] >= '0' && t[k] <= '9')
                u = u * 10 + (uint64_t)(t[k++] - '0');
            if (k == i) {
                double v = t[start] == '-' ? -(double)u : (double)u;
                node->type = cJSON_Number;
                node->valuedouble = v;
                node->valueint = v >= INT_MAX ? INT_MAX : v <= (double)INT_MIN ? INT_MIN : (int)v;
                s->i = i;
                return true;
            }
        }
        char buf[64];
        if (i - start >= sizeof buf)
            return scan_fail(s, start, "number too long for cJSON");
        memcpy(buf, t + start, i - start);
        buf[i - start] = '\0';
        double v = strtod(buf, NULL);
        node->type = cJSON_Number;
        node->valuedouble = v;
        node->valueint = v >= INT_MAX ? INT_MAX : v <= (double)INT_MIN ? INT_MIN : (int)v;
    }
    s->i = i;
    return true;
}

static bool scan_value(Scan *s, cJSON *node, PosMap *pos);

/* A zeroed node from the arena (cJSON_New_Item), or NULL. */
static cJSON *
build_node(void)
{
    /* arena_alloc's work for a node, inline: the node and its offsets,
     * zeroed, from the newest block when it has room (issue 14: one node
     * per value of the file) */
    ArenaBlock *b = parsing->blocks;
    const size_t need = sizeof(cJSON) + sizeof(PosPair), align = _Alignof(cJSON);
    if (b != NULL) {
        size_t at = (b->used + align - 1) & ~(align - 1);
        if (at <= b->size && b->size - at >= need) {
            void *p = (char *)b->data + at;
            b->used = at + need;
            return memset(p, 0, need);
        }
    }
    cJSON *n = arena_alloc(sizeof(cJSON));
    if (n != NULL)
        memset(n, 0, sizeof *n);
    return n;
}

/* Appends a new node to `node`'s children after `last` (cJSON's parse_array
 * and parse_object link them so; the first child's prev is set to the last
 * at the end); NULL when out of memory. */
static cJSON *
build_child(cJSON *node, cJSON *last)
{
    cJSON *n = build_node();
    if (n == NULL)
        return NULL;
    if (last != NULL) {
        last->next = n;
        n->prev = last;
    } else {
        node->child = n;
    }
    return n;
}

/* Scans an object; pairs each member with the next cJSON child. */
static bool
scan_object(Scan *s, cJSON *node, PosMap *pos)
{
    /* building: each member is made as its key comes */
    cJSON *built = s->build ? node : NULL;
    cJSON *child = node && !s->build ? node->child : NULL;
    /* Duplicate keys: the first SCAN_FEW_KEYS members are compared with the
     * members before them (most objects are that small, and a hash table
     * per object cost more than the scan); from then on a table of keys. */
    enum { SCAN_FEW_KEYS = 8 };
    g_autoptr(GHashTable) seen = NULL;
    unsigned n_keys = 0;
    s->i++;
    scan_ws(s);
    if (s->i < s->len && s->t[s->i] == '}') {
        s->i++;
        return true;
    }
    for (;;) {
        scan_ws(s);
        if (s->i >= s->len)
            return scan_fail(s, s->i, "unexpected end of file inside an object (missing `}`?)");
        if (s->t[s->i] != '"') {
            g_autofree char *found = scan_found(s);
            if (s->t[s->i] == '}')
                return scan_fail(s, s->i, "trailing comma before `}`");
            return scan_fail(s, s->i, "expected a key in double quotes, found %s", found);
        }
        size_t key_off = s->i;
        if (built != NULL && (child = build_child(built, child)) == NULL)
            return scan_fail(s, key_off, "out of memory");
        if (!scan_string(s, built != NULL ? &child->string : NULL))
            return false;
        if (node && !child)
            return scan_fail(s, key_off, "internal error: the parser and the scanner disagree");
        if (child) {
            (built != NULL ? node_trailer(child) : pos_put(pos, child))->k = (uint32_t)(key_off + 1);
            const cJSON *dup = NULL;
            if (++n_keys <= SCAN_FEW_KEYS) {
                /* first bytes first: keys of an object mostly differ there */
                for (const cJSON *o = node->child; o != child && !dup; o = o->next)
                    if (o->string[0] == child->string[0] && strcmp(o->string, child->string) == 0)
                        dup = o;
            } else {
                if (!seen) {
                    seen = g_hash_table_new(g_str_hash, g_str_equal);
                    for (const cJSON *o = node->child; o != child; o = o->next)
                        g_hash_table_insert(seen, o->string, (gpointer)o);
                }
                dup = g_hash_table_lookup(seen, child->string);
                g_hash_table_insert(seen, child->string, (gpointer)child);
            }
            if (dup) {
                int line, col;
                size_t first = pos_get(pos, dup)->k - 1;
                rs_jsonc_linecol(s->doc, first, &line, &col);
                return scan_fail(s, key_off, "duplicate key `%s` (first at line %d, column %d)",
                                 child->string, line, col);
            }
        }
        scan_ws(s);
        if (s->i >= s->len || s->t[s->i] != ':') {
            g_autofree char *found = scan_found(s);
            return scan_fail(s, s->i, "expected `:` after the key, found %s", found);
        }
        s->i++;
        if (!scan_value(s, child, pos))
            return false;
        if (child && built == NULL)
            child = child->next;
        scan_ws(s);
        if (s->i < s->len && s->t[s->i] == ',') {
            s->i++;
            continue;
        }
        if (s->i < s->len && s->t[s->i] == '}') {
            s->i++;
            if (built != NULL && built->child != NULL)
                built->child->prev = child;
            return true;
        }
        g_autofree char *found = scan_found(s);
        return scan_fail(s, s->i, "expected `,` or `}` after an object member, found %s", found);
    }
}

/* Scans an array; pairs each element with the next cJSON child. */
static bool
scan_array(Scan *s, cJSON *node, PosMap *pos)
{
    cJSON *built = s->build ? node : NULL;
    cJSON *child = node && !s->build ? node->child : NULL;
    s->i++;
    scan_ws(s);
    if (s->i < s->len && s->t[s->i] == ']') {
        s->i++;
        return true;
    }
    for (;;) {
        scan_ws(s);
        if (s->i < s->len && s->t[s->i] == ']')
            return scan_fail(s, s->i, "trailing comma before `]`");
        if (built != NULL && (child = build_child(built, child)) == NULL)
            return scan_fail(s, s->i, "out of memory");
        if (node && !child)
            return scan_fail(s, s->i, "internal error: the parser and the scanner disagree");
        if (!scan_value(s, child, pos))
            return false;
        if (child && built == NULL)
            child = child->next;
        scan_ws(s);
        if (s->i < s->len && s->t[s->i] == ',') {
            s->i++;
            continue;
        }
        if (s->i < s->len && s->t[s->i] == ']') {
            s->i++;
            if (built != NULL && built->child != NULL)
                built->child->prev = child;
            return true;
        }
        if (s->i >= s->len)
            return scan_fail(s, s->i, "unexpected end of file inside an array (missing `]`?)");
        g_autofree char *found = scan_found(s);
        return scan_fail(s, s->i, "expected `,` or `]` after an array element, found %s", found);
    }
}

/* Scans one value of any kind, recording its offset when `node` is given;
 * when building, `node` is new and takes the value (cJSON's parse_value). */
static bool
scan_value(Scan *s, cJSON *node, PosMap *pos)
{
    cJSON *built = s->build ? node : NULL;
    scan_ws(s);
    if (s->i >= s->len)
        return scan_fail(s, s->i, "unexpected end of file, expected a value");
    if (built != NULL)
        node_trailer(built)->v = (uint32_t)(s->i + 1);      /* in the arena: no lookup */
    else if (node)
        pos_put(pos, node)->v = (uint32_t)(s->i + 1);
    char c = s->t[s->i];
    bool ok;
    switch (c) {
    case '{':
    case '[':
        if (++s->depth > RS_JSONC_MAX_DEPTH)
            return scan_fail(s, s->i, "nesting deeper than %d levels", RS_JSONC_MAX_DEPTH);
        if (built != NULL)
            built->type = c == '{' ? cJSON_Object : cJSON_Array;
        ok = c == '{' ? scan_object(s, node, pos) : scan_array(s, node, pos);
        s->depth--;
        return ok;
    case '"':
        if (built != NULL)
            built->type = cJSON_String;
        return scan_string(s, built != NULL ? &built->valuestring : NULL);
    case 't':
    case 'f':
    case 'n': {
        const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t wl = strlen(word);
        if (s->len - s->i >= wl && memcmp(s->t + s->i, word, wl) == 0 &&
            (s->i + wl >= s->len || !g_ascii_isalnum(s->t[s->i + wl]))) {
            s->i += wl;
            if (built != NULL) {
                built->type = c == 't' ? cJSON_True : c == 'f' ? cJSON_False : cJSON_NULL;
                built->valueint = c == 't';
            }
            return true;
        }
        break;
    }
    default:
        if (c == '-' || g_ascii_isdigit(c))
            return scan_number(s, built);
        break;
    }
    g_autofree char *found = scan_found(s);
    if (c == '\'')
        return scan_fail(s, s->i, "expected a value, found %s (JSON strings use double quotes)", found);
    return scan_fail(s, s->i, "expected a value, found %s", found);
}

/* Replaces comments by spaces, keeping newlines; false on an open block comment. */
static bool
blank_comments(char *t, size_t len, size_t *bad)
{
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        if (in_str) {
            if (t[i] == '\\' && i + 1 < len && t[i + 1] != '\n')
                i++;
            else if (t[i] == '"' || t[i] == '\n')
                in_str = false;
            continue;
        }
        if (t[i] == '"') {
            in_str = true;
        } else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n')
                t[i++] = ' ';
        } else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
            size_t start = i;
            t[i++] = ' ';
            t[i++] = ' ';
            while (i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/')) {
                if (t[i] != '\n' && t[i] != '\r')
                    t[i] = ' ';
                i++;
            }
            if (i >= len) {
                *bad = start;
                return false;
            }
            t[i++] = ' ';
            t[i] = ' ';
        }
    }
    return true;
}

/* Whether the text holds `//` or a slash and a star anywhere (in a string
 * or not): when it does not, it has no comment and blank_comments would
 * change nothing. */
static bool
may_have_comments(const char *t, size_t len)
{
    for (const char *p = t, *end = t + len; (p = memchr(p, '/', (size_t)(end - p))) != NULL;) {
        if (++p < end && (*p == '/' || *p == '*'))
            return true;
    }
    return false;
}

/* Whether no byte is above 0x7f (eight bytes at a time). */
static bool
text_ascii(const char *t, size_t len)
{
    uint64_t any = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, t + i, 8);
        any |= w;
    }
    for (; i < len; i++)
        any |= (unsigned char)t[i];
    return (any & UINT64_C(0x8080808080808080)) == 0;
}

/* Parses JSONC text (see jsonc.h). */
RsJsonDoc *
rs_jsonc_parse(const char *name, const char *data, size_t len, GError **error)
{
    if (len > RS_JSONC_MAX_TEXT) {
        /* offsets are 32 bits (PosPair); a file is refused at 64 MiB already */
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO,
                    "%s: too large (%zu bytes; the limit is %zu MiB)", name, len, RS_JSONC_MAX_TEXT >> 20);
        return NULL;
    }
    g_autoptr(RsJsonDoc) doc = g_new0(RsJsonDoc, 1);
    doc->name = g_strdup(name);
    doc->text = g_malloc(len + 1);
    memcpy(doc->text, data, len);
    doc->text[len] = '\0';
    doc->len = len;
    doc->line_starts = g_array_new(FALSE, FALSE, sizeof(size_t));
    doc->line_ascii = g_array_new(FALSE, FALSE, sizeof(gboolean));
    size_t zero = 0;
    gboolean ascii = TRUE;
    g_array_append_val(doc->line_starts, zero);
    /* A file with no byte above 0x7f (the usual case) has only ASCII lines:
     * its lines are found with memchr, not byte by byte (issue 14: the byte
     * loop was 3 % of loading 10^5 namespaces). */
    bool all_ascii = text_ascii(data, len);
    if (all_ascii) {
        for (const char *p = data, *end = data + len; (p = memchr(p, '\n', (size_t)(end - p))) != NULL;) {
            size_t next = (size_t)(++p - data);
            g_array_append_val(doc->line_starts, next);
            g_array_append_val(doc->line_ascii, ascii);
        }
    } else {
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char)data[i] >= 0x80)
                ascii = FALSE;
            if (data[i] == '\n') {
                size_t next = i + 1;
                g_array_append_val(doc->line_starts, next);
                g_array_append_val(doc->line_ascii, ascii);
                ascii = TRUE;
            }
        }
    }
    g_array_append_val(doc->line_ascii, ascii);
    doc->pos = pos_new(0);          /* the parsed nodes keep their offsets in the arena */

    if (len == 0) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_SYNTAX,
                    "%s: empty file (a scenario is a JSON object)", name);
        return NULL;
    }
    const char *end = NULL;
    /* ASCII without NUL is UTF-8: only other text needs the validator */
    if ((!all_ascii || memchr(doc->text, '\0', len) != NULL) && !g_utf8_validate(doc->text, (gssize)len, &end)) {
        size_t off = (size_t)(end - doc->text);
        g_autofree char *msg = *end == '\0'
            ? g_strdup("NUL byte: a scenario is UTF-8 text")
            : g_strdup_printf("invalid UTF-8 (byte 0x%02X): a scenario is UTF-8 text",
                              (unsigned char)*end);
        set_error_at(doc, off, error, msg);
        return NULL;
    }
    /* A comment starts with `//` or a slash and a star outside a string: a file with
     * neither pair anywhere has none, and is scanned as it is (issue 14:
     * the byte loop of blank_comments was 3 % of `topology` of 10^4
     * namespaces; a CIDR's `/` is followed by a digit). */
    g_autofree char *blank = NULL;
    const char *scanned = doc->text;
    if (may_have_comments(doc->text, len)) {
        blank = g_malloc(len + 1);
        memcpy(blank, doc->text, len + 1);
        size_t bad = 0;
        if (!blank_comments(blank, len, &bad)) {
            set_error_at(doc, bad, error, "unterminated /* comment");
            return NULL;
        }
        scanned = blank;
    }
    Scan s = {.doc = doc, .t = scanned, .len = len};
    if (len >= 3 && memcmp(scanned, "\xEF\xBB\xBF", 3) == 0)
        s.i = 3;
    scan_ws(&s);
    if (s.i >= len) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_SYNTAX,
                    "%s: empty file: no JSON document, only whitespace or comments", name);
        return NULL;
    }
    /* The scanner builds the cJSON tree itself (issue 14: cJSON's parse
     * was half of reading the file, beside a scan of the same text): node by
     * node as cJSON_ParseWithLengthOpts would, in the same arena.  Only a
     * file the scan accepts is kept so; on any error (or a number too long
     * for cJSON, or no memory) the tree is dropped and the file goes
     * through cJSON and the scan as before, so every message stays the
     * one cJSON's tree (or its failure) gave. */
    doc->arena = arena_new();
    doc->pos->arena = doc->arena;
    parsing = doc->arena;
    Scan b = s;
    b.build = true;
    str_class_init();
    /* The tree's strings (scan_string) are cut from a copy of the text; in
     * an ASCII file without comments, from doc->text itself: its columns
     * are byte offsets, so rs_jsonc_linecol never reads it (issue 14: 23 MB
     * less at 10^5 namespaces, alive as long as the tree).  A failed build
     * gets the text back from `data` before the second pass below. */
    bool in_place = all_ascii && scanned == doc->text;
    b.strbuf = in_place ? doc->text : arena_alloc(len + 1);
    if (in_place) {
        doc->arena->text = doc->text;
        doc->arena->text_len = len;
    }
    if (b.strbuf != NULL && !in_place)
        memcpy(b.strbuf, scanned, len + 1);
    cJSON *built = b.strbuf != NULL ? build_node() : NULL;
    bool built_ok = built != NULL && scan_value(&b, built, doc->pos);
    parsing = NULL;
    if (built_ok) {
        scan_ws(&b);
        built_ok = b.i >= len;
    }
    if (built_ok) {
        doc->root = built;
        doc->plain_strings = !b.odd;
        return g_steal_pointer(&doc);
    }
    g_free(b.err_msg);
    arena_drop(doc->arena);
    if (in_place)
        memcpy(doc->text, data, len);       /* the strings cut so far, uncut */

    const char *parse_end = NULL;
    /* Without a tree (cJSON failed) the scanner only looks for the error. */
    doc->arena = arena_new();
    doc->pos->arena = doc->arena;
    parsing = doc->arena;
    doc->root = cJSON_ParseWithLengthOpts(scanned, len, &parse_end, false);
    parsing = NULL;
    bool ok = scan_value(&s, doc->root, doc->pos);
    if (ok) {
        scan_ws(&s);
        if (s.i < len) {
            ok = false;
            scan_fail(&s, s.i, "unexpected text after the end of the JSON document");
        }
    }
    if (!ok) {
        set_error_at(doc, s.err_off, error, s.err_msg);
        g_free(s.err_msg);
        return NULL;
    }
    if (!doc->root) {
        /* cJSON refused what the strict scanner accepted: should not happen. */
        size_t off = parse_end ? (size_t)(parse_end - scanned) : 0;
        set_error_at(doc, off, error, "syntax error");
        return NULL;
    }
    return g_steal_pointer(&doc);
}

/* Reads a file (refusing directories and huge files) and parses it. */
RsJsonDoc *
rs_jsonc_load_file(const char *path, GError **error)
{
    GStatBuf st;
    if (g_stat(path, &st) != 0) {
        int e = errno;
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO, "%s: cannot read: %s", path,
                    g_strerror(e));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO,
                    "%s: is a directory, not a scenario file", path);
        return NULL;
    }
    if (S_ISREG(st.st_mode) && (guint64)st.st_size > RS_JSONC_MAX_FILE_SIZE) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO,
                    "%s: file too large (%" G_GUINT64_FORMAT " bytes; the limit is %zu MiB)", path,
                    (guint64)st.st_size, RS_JSONC_MAX_FILE_SIZE >> 20);
        return NULL;
    }
    /* The cap holds for every kind of input: a pipe, /dev/zero or a FIFO
     * is read only up to it (src/util/readcap.c). */
    g_autofree char *data = NULL;
    gsize len = 0;
    bool too_large = false;
    g_autoptr(GError) local = NULL;
    if (!rs_read_capped(path, RS_JSONC_MAX_FILE_SIZE, &data, &len, &too_large, &local)) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO, "%s: cannot read: %s", path,
                    local->message);
        return NULL;
    }
    if (too_large) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO,
                    "%s: file too large (the limit is %zu MiB)", path, RS_JSONC_MAX_FILE_SIZE >> 20);
        return NULL;
    }
    return rs_jsonc_parse(path, data, len, error);
}
