/* registry.c: interning names and finding things in the world.
 *
 * The bottom of src/world (world-private.h lists the layers): every other
 * file of the folder interns through it and looks objects up in it, and it
 * calls none of them.  Names are interned once in the world's arena (equal
 * names are equal pointers, so label matching compares pointers).  Every
 * lookup a request makes (a pod by address, a service by ClusterIP or name)
 * is one hash-table probe; the iterators hand out the creation-ordered
 * arrays one element at a time, so no caller outside src/world depends on
 * how the world stores them.
 *
 * Rules: R2 (names unique per kind within a namespace), R10 (selectors).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rahtisim/util.h"
#include "world/world-private.h"

G_DEFINE_QUARK(rs-world-error-quark, rs_world_error)

/* ---- the arena ---- */

struct RsWorldArenaBlock {
    RsWorldArenaBlock *next;
    size_t size;                /* bytes after the header */
};

#define ARENA_ALIGN 16u                         /* what malloc gives */
#define ARENA_FIRST ((size_t)64 * 1024)
#define ARENA_MAX ((size_t)4 * 1024 * 1024)
#define ARENA_HEADER ((sizeof(RsWorldArenaBlock) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

/* A new block of at least `size` bytes (not cleared: arena_get clears
 * what it hands out, so a block's unused tail is never written: calloc
 * of whole blocks was a sixth of building the world at 10^4 namespaces,
 * issue 14); it becomes the current one unless it was made for one large
 * object (`own`).  From the heap, so the huge pages the simulating
 * commands ask for (rs_heap_huge_pages, src/util/memory.c) hold it, and
 * leak checkers see what its objects point to. */
static char *
arena_block(RsWorldArena *a, size_t size, bool own)
{
    RsWorldArenaBlock *b = g_malloc(ARENA_HEADER + size);
    rs_memory_populate(b, ARENA_HEADER + size);
    b->size = size;
    b->next = a->blocks;
    a->blocks = b;
    char *p = (char *)b + ARENA_HEADER;
    if (!own) {
        a->next = p;
        a->end = p + size;
    }
    return p;
}

/* `size` bytes (not cleared) at a multiple of `align` (a power of two). */
static void *
arena_get(RsWorldArena *a, size_t size, size_t align)
{
    uintptr_t at = ((uintptr_t)a->next + align - 1) & ~(uintptr_t)(align - 1);
    if (a->next == NULL || at > (uintptr_t)a->end || (uintptr_t)a->end - at < size) {
        if (a->block_size == 0)
            a->block_size = ARENA_FIRST;
        if (size > a->block_size / 4)
            return arena_block(a, size, true);      /* a large one: its own block */
        at = (uintptr_t)arena_block(a, a->block_size, false);   /* aligned: ARENA_HEADER */
        if (a->block_size < ARENA_MAX)
            a->block_size *= 2;
    }
    a->next = (char *)at + size;
    return (void *)at;
}

/* `size` zeroed bytes, aligned as malloc's, that live until the world is
 * freed (never freed alone). */
void *
rs_world_alloc(RsWorld *w, size_t size)
{
    void *p = arena_get(&w->arena, size, ARENA_ALIGN);
    memset(p, 0, size);
    return p;
}

/* A copy of `n` bytes in the arena (n may be 0: a valid, empty block). */
void *
rs_world_memdup(RsWorld *w, const void *src, size_t n)
{
    void *p = rs_world_alloc(w, n);
    if (n > 0)
        memcpy(p, src, n);
    return p;
}

/* Frees the arena and the interned names: the world's end. */
void
rs_world_arena_free(RsWorld *w)
{
    RsWorldArenaBlock *b = w->arena.blocks;
    while (b != NULL) {
        RsWorldArenaBlock *next = b->next;
        g_free(b);
        b = next;
    }
    memset(&w->arena, 0, sizeof w->arena);
    g_clear_pointer(&w->interns.cells, g_free);
    w->interns.mask = w->interns.len = 0;
    g_clear_pointer(&w->labels.cells, g_free);
    w->labels.mask = w->labels.len = 0;
}

/* ---- the label index ---- */

/* The home cell of (ns, key, value) in a table of mask + 1 cells. */
static uint32_t
label_home(const RsNamespace *ns, const char *key, const char *value, uint32_t mask)
{
    uint64_t h = (uint64_t)(uintptr_t)ns * UINT64_C(0x9e3779b97f4a7c15);
    h ^= (uint64_t)(uintptr_t)key * UINT64_C(0xc2b2ae3d27d4eb4f);
    h ^= (uint64_t)(uintptr_t)value * UINT64_C(0x165667b19e3779f9);
    return (uint32_t)(h >> 32) & mask;
}

/* The cell of (ns, l): its entry's, or the empty one where it goes. */
static RsLabelEntry **
label_cell(const RsLabelIndex *t, const RsNamespace *ns, const char *key, const char *value)
{
    for (uint32_t k = label_home(ns, key, value, t->mask);; k = (k + 1) & t->mask) {
        RsLabelEntry **c = &t->cells[k];
        if (*c == NULL || ((*c)->ns == ns && (*c)->key == key && (*c)->value == value))
            return c;
    }
}

/* The entry of a label of a namespace, or NULL; see world-private.h. */
RsLabelEntry *
rs_label_find(const RsWorld *w, const RsNamespace *ns, const RsWLabel *l)
{
    const RsLabelEntry *hint = ns->label_hint;
    if (hint != NULL && hint->key == l->key && hint->value == l->value)
        return ns->label_hint;
    if (w->labels.cells == NULL)
        return NULL;
    return *label_cell(&w->labels, ns, l->key, l->value);
}

/* The same, made if there is none; see world-private.h. */
RsLabelEntry *
rs_label_make(RsWorld *w, RsNamespace *ns, const RsWLabel *l)
{
    RsLabelEntry *hint = ns->label_hint;
    if (hint != NULL && hint->key == l->key && hint->value == l->value)
        return hint;
    RsLabelIndex *t = &w->labels;
    if (t->cells == NULL || 2 * (t->len + 1) > t->mask + 1) {
        uint32_t size = t->cells == NULL ? 256 : 2 * (t->mask + 1);
        RsLabelIndex big = {g_new0(RsLabelEntry *, size), size - 1, t->len};
        for (uint32_t k = 0; t->cells != NULL && k <= t->mask; k++) {
            RsLabelEntry *e = t->cells[k];
            if (e != NULL)
                *label_cell(&big, e->ns, e->key, e->value) = e;
        }
        g_free(t->cells);
        *t = big;
    }
    RsLabelEntry **c = label_cell(t, ns, l->key, l->value);
    if (*c == NULL) {
        RsLabelEntry *e = rs_world_new0(w, RsLabelEntry, 1);
        e->ns = ns;
        e->key = l->key;
        e->value = l->value;
        *c = e;
        t->len++;
    }
    ns->label_hint = *c;
    return *c;
}

/* Room for one more element; see world-private.h. */
void *
rs_world_array_room(RsWorld *w, void *a, unsigned n, unsigned *cap, size_t size)
{
    if (n < *cap)
        return a;
    unsigned grown = *cap ? 2 * *cap : 1;
    void *b = rs_world_alloc(w, grown * size);
    if (n > 0)
        memcpy(b, a, n * size);
    *cap = grown;
    return b;
}

/* ---- interning ---- */

/* A name's hash (rs_hash_bytes, src/util: names are short, a few words). */
static inline uint32_t
name_hash(const char *s, size_t n)
{
    return (uint32_t)rs_hash_bytes(s, n);
}

/* The cell of `s` (len `n`, hash `h`): its own, or the empty one where it goes. */
static struct RsInternCell *
intern_cell(const RsInterns *t, const char *s, size_t n, uint32_t h)
{
    for (uint32_t k = h & t->mask;; k = (k + 1) & t->mask) {
        struct RsInternCell *c = &t->cells[k];
        if (c->s == NULL || (c->hash == h && c->len == n && memcmp(c->s, s, n) == 0))
            return c;
    }
}

/* The cells for `n` entries at most half full: a power of two >= 2n, >= `least`. */
static uint32_t
cells_for(size_t n, uint32_t least)
{
    uint32_t size = least;
    while (size < 2 * n && size < (UINT32_C(1) << 31))
        size *= 2;
    return size;
}

/* Doubles the table (or makes its first one), to `least` cells at least. */
static void
intern_grow(RsInterns *t, uint32_t least)
{
    uint32_t size = t->cells == NULL ? 1024 : 2 * (t->mask + 1);
    size = MAX(size, least);
    RsInterns big = {g_new0(struct RsInternCell, size), size - 1, t->len};
    for (uint32_t k = 0; t->cells != NULL && k <= t->mask; k++) {
        const struct RsInternCell *c = &t->cells[k];
        if (c->s != NULL)
            *intern_cell(&big, c->s, c->len, c->hash) = *c;
    }
    g_free(t->cells);
    *t = big;
}

/* The interned copy of `s`, or NULL; see world-private.h. */
const char *
rs_world_interned(const RsWorld *w, const char *s)
{
    const RsInterns *t = &w->interns;
    if (s == NULL || t->cells == NULL)
        return NULL;
    size_t n = strlen(s);
    if (n >= UINT32_MAX)
        return NULL;
    return intern_cell(t, s, n, name_hash(s, n))->s;
}

/* Starts fetching the cell where `s` will be interned (see world-private.h).
 * At 10^5 namespaces the interned names' table is some 16 MB, evicted by the
 * arena's writes between two visits, so each new name's home cell was a
 * cache miss the insert waited for (14-16 % of topology's user time, issue
 * 14); a build pass asks for the cells of a namespace a few ahead, so the
 * misses overlap the work between.  Only a hint: nothing is written. */
void
rs_world_intern_prefetch(const RsWorld *w, const char *s)
{
    const RsInterns *t = &w->interns;
    if (s == NULL || t->cells == NULL)
        return;
    __builtin_prefetch(&t->cells[name_hash(s, strlen(s)) & t->mask], 1);
}

/* The same for "ns/name". */
void
rs_world_intern_full_prefetch(const RsWorld *w, const char *ns, const char *name)
{
    /* the prefetch written here, not by a call of rs_world_intern_prefetch:
     * gcc 12 found that function free of side effects and dropped the call */
    const RsInterns *t = &w->interns;
    if (ns == NULL || name == NULL || t->cells == NULL)
        return;
    char buf[512];
    rs_world_join(buf, sizeof buf, ns, "/", name);
    __builtin_prefetch(&t->cells[name_hash(buf, strlen(buf)) & t->mask], 1);
}

/* Whether the build passes should prepare namespaces ahead (RsAheadStage):
 * only when the interned names' table is larger than the caches keep it
 * (2^18 cells, 4 MiB: some 25 000 namespaces).  At 10^4 namespaces its
 * 2 MiB stay cached, and preparing ahead would only cost instructions
 * (rs_world_new 100.6 -> 125.9 M, issue 14). */
bool
rs_world_worth_ahead(const RsWorld *w)
{
    return w->interns.cells != NULL && w->interns.mask >= (UINT32_C(1) << 18) - 1;
}

/* ---- name tables ---- */

/* The home cell of an interned name in a table of mask + 1 cells. */
static inline uint32_t
name_home(const char *name, uint32_t mask)
{
    return (uint32_t)(((uint64_t)(uintptr_t)name * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;
}

/* The object of an interned name, or NULL. */
void *
rs_name_map_get(const RsNameMap *m, const char *name)
{
    if (m->cells == NULL || name == NULL)
        return NULL;
    for (uint32_t k = name_home(name, m->mask);; k = (k + 1) & m->mask) {
        const struct RsNameCell *c = &m->cells[k];
        if (c->name == NULL || c->name == name)
            return c->obj;
    }
}

/* Starts fetching the cell of an interned name in a table (a hint; see
 * rs_world_intern_prefetch). */
void
rs_name_map_prefetch(const RsNameMap *m, const char *name)
{
    if (m->cells != NULL && name != NULL)
        __builtin_prefetch(&m->cells[name_home(name, m->mask)], 1);
}

/* Makes a table of `size` cells (a power of two) holding m's entries. */
static void
name_map_resize(RsNameMap *m, uint32_t size)
{
    RsNameMap big = {g_new0(struct RsNameCell, size), size - 1, 0};
    for (uint32_t k = 0; m->cells != NULL && k <= m->mask; k++)
        if (m->cells[k].name != NULL)
            rs_name_map_put(&big, m->cells[k].name, m->cells[k].obj);
    g_free(m->cells);
    *m = big;
}

/* Sets the object of an interned name (replacing any). */
void
rs_name_map_put(RsNameMap *m, const char *name, void *obj)
{
    g_assert(name != NULL && obj != NULL);
    if (m->cells == NULL || 2 * (m->len + 1) > m->mask + 1) {
        uint32_t size = m->cells == NULL ? 64 : 2 * (m->mask + 1);
        name_map_resize(m, size);
    }
    uint32_t k = name_home(name, m->mask);
    while (m->cells[k].name != NULL && m->cells[k].name != name)
        k = (k + 1) & m->mask;
    if (m->cells[k].name == NULL)
        m->len++;
    m->cells[k].name = name;
    m->cells[k].obj = obj;
}

/* Removes an interned name (if present): the cells after it that would not
 * be found past the hole move back into it (linear probing's deletion). */
void
rs_name_map_remove(RsNameMap *m, const char *name)
{
    if (m->cells == NULL || name == NULL)
        return;
    uint32_t i = name_home(name, m->mask);
    for (;; i = (i + 1) & m->mask) {
        if (m->cells[i].name == NULL)
            return;
        if (m->cells[i].name == name)
            break;
    }
    m->cells[i].name = NULL;
    m->cells[i].obj = NULL;
    m->len--;
    for (uint32_t j = (i + 1) & m->mask; m->cells[j].name != NULL; j = (j + 1) & m->mask) {
        /* the cell at j may move to the hole at i unless its home is in (i, j] */
        uint32_t h = name_home(m->cells[j].name, m->mask);
        bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
        if (stays)
            continue;
        m->cells[i] = m->cells[j];
        m->cells[j].name = NULL;
        m->cells[j].obj = NULL;
        i = j;
    }
}

/* Sizes an empty name table for `n` entries. */
static void
name_map_reserve(RsNameMap *m, size_t n)
{
    if (m->cells == NULL && n > 0)
        name_map_resize(m, cells_for(n, 64));
}

/* Sizes the world's tables for a world of about these many objects, so
 * that building it does not grow each table step by step (every step
 * clears a new table and moves the entries: at 10^4 namespaces a tenth of
 * building the world, issue 14).  Tables already made are left alone. */
void
rs_world_reserve(RsWorld *w, size_t n_ns, size_t n_pods, size_t n_svcs, size_t n_routes)
{
    /* names: a namespace's, and per object its full name (a route: and its host) */
    size_t names = n_ns + n_pods + n_svcs + 2 * n_routes;
    if (w->interns.cells == NULL)
        intern_grow(&w->interns, cells_for(names, 1024));
    name_map_reserve(&w->ns_by_name, n_ns);
    name_map_reserve(&w->pod_by_name, n_pods);
    name_map_reserve(&w->svc_by_name, n_svcs);
    name_map_reserve(&w->route_by_name, n_routes);
    name_map_reserve(&w->routes_by_host, n_routes);
    name_map_reserve(&w->route_svcs, n_routes);
    if (w->labels.cells == NULL && n_pods + n_svcs > 0) {
        uint32_t size = cells_for(n_pods + n_svcs, 256);
        w->labels = (RsLabelIndex){g_new0(RsLabelEntry *, size), size - 1, 0};
    }
    RsIpMap *ip[2] = {&w->pod_by_ip, &w->svc_by_ip};
    size_t n_ip[2] = {n_pods, n_svcs};
    for (int i = 0; i < 2; i++) {
        uint32_t size = cells_for(n_ip[i], 16);
        if (ip[i]->len == 0 && size > ip[i]->mask + 1) {
            g_free(ip[i]->cells);
            ip[i]->cells = g_new0(struct RsIpCell, size);
            ip[i]->mask = size - 1;
        }
    }
}

/* Frees a name table's cells. */
void
rs_name_map_clear(RsNameMap *m)
{
    g_clear_pointer(&m->cells, g_free);
    m->mask = m->len = 0;
}

/* Interns a string for the world's life (NULL stays NULL): equal strings
 * give the same pointer. */
const char *
rs_world_intern(RsWorld *w, const char *s)
{
    return rs_world_intern_fresh(w, s, NULL);
}

/* The same; *fresh (if not NULL) tells whether the name is new: then no
 * table can hold it yet, and a lookup by it may be skipped. */
const char *
rs_world_intern_fresh(RsWorld *w, const char *s, bool *fresh)
{
    if (fresh != NULL)
        *fresh = false;
    if (s == NULL)
        return NULL;
    RsInterns *t = &w->interns;
    if (t->cells == NULL || 2 * (t->len + 1) > t->mask + 1)
        intern_grow(t, 0);
    size_t n = strlen(s);
    g_assert(n < UINT32_MAX);
    uint32_t h = name_hash(s, n);
    struct RsInternCell *c = intern_cell(t, s, n, h);
    if (c->s == NULL) {
        char *copy = arena_get(&w->arena, n + 1, 1);    /* names need no alignment */
        memcpy(copy, s, n + 1);
        *c = (struct RsInternCell){copy, h, (uint32_t)n};
        t->len++;
        if (fresh != NULL)
            *fresh = true;
    }
    return c->s;
}

/* "a" "sep" "b" into buf (`size` bytes), cut to fit as g_snprintf would
 * cut it; returns buf.  By copies: building a world of 10^5 namespaces
 * makes a few such keys per object, and g_snprintf cost ~700 instructions
 * a key (issue 14). */
char *
rs_world_join(char *buf, size_t size, const char *a, const char *sep, const char *b)
{
    /* Byte by byte: the parts are short (a label, a name), and a strlen and
     * a memcpy call per part cost more than the copy (issue 14). */
    const char *parts[3] = {a, sep, b};
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p != '\0' && n < size - 1; p++)
            buf[n++] = *p;
    buf[n] = '\0';
    return buf;
}

/* Interns "ns/name". */
const char *
rs_world_intern_full(RsWorld *w, const char *ns, const char *name)
{
    return rs_world_intern_full_fresh(w, ns, name, NULL);
}

/* The same, telling whether the name is new (rs_world_intern_fresh). */
const char *
rs_world_intern_full_fresh(RsWorld *w, const char *ns, const char *name, bool *fresh)
{
    char buf[512];
    return rs_world_intern_fresh(w, rs_world_join(buf, sizeof buf, ns, "/", name), fresh);
}

/* Whether two probes are the same (R52, R53). */
static bool
probe_equal(const RsProbeSpec *a, const RsProbeSpec *b)
{
    return a->set == b->set && (!a->set || (a->period == b->period && a->initial_delay == b->initial_delay &&
                                            a->failure_threshold == b->failure_threshold &&
                                            a->success_threshold == b->success_threshold));
}

/* Whether two templates would make identical pods (an apply that changes
 * nothing starts no rollout, as in Kubernetes). */
bool
rs_template_equal(const RsTemplate *a, const RsTemplate *b)
{
    if (a->n_labels != b->n_labels || a->n_ports != b->n_ports || a->protocol != b->protocol ||
        a->startup != b->startup || a->service_time != b->service_time ||
        a->concurrency != b->concurrency || a->pre_stop != b->pre_stop ||
        a->termination_grace != b->termination_grace ||
        !probe_equal(&a->readiness, &b->readiness) || !probe_equal(&a->liveness, &b->liveness))
        return false;
    for (unsigned i = 0; i < a->n_labels; i++) {
        if (a->labels[i].key != b->labels[i].key || a->labels[i].value != b->labels[i].value)
            return false;
    }
    for (unsigned i = 0; i < a->n_ports; i++) {
        if (a->ports[i].port != b->ports[i].port || a->ports[i].name != b->ports[i].name ||
            a->ports[i].tls != b->ports[i].tls)
            return false;
    }
    return true;
}

/* Whether every selector label is among the template's labels (interned:
 * pointer comparison).  An empty selector selects nothing: a Kubernetes
 * service without a selector gets no endpoints automatically. */
bool
rs_labels_match(const RsWLabel *sel, unsigned n_sel, const RsTemplate *t)
{
    if (n_sel == 0)
        return false;
    for (unsigned i = 0; i < n_sel; i++) {
        bool found = false;
        for (unsigned j = 0; j < t->n_labels && !found; j++)
            found = t->labels[j].key == sel[i].key && t->labels[j].value == sel[i].value;
        if (!found)
            return false;
    }
    return true;
}

/* The namespace called `ns`, or NULL. */
RsNamespace *
rs_world_namespace(const RsWorld *w, const char *ns)
{
    return rs_name_map_get(&w->ns_by_name, rs_world_interned(w, ns));
}

/* Looks up "ns/name" in a table keyed by full names, without allocating. */
static gpointer
lookup_full(const RsWorld *w, const RsNameMap *t, const char *ns, const char *name)
{
    char buf[512];
    size_t a = strlen(ns), b = strlen(name);
    if (a + 1 + b >= sizeof buf)
        return NULL;
    /* "ns/name" by copies, not g_snprintf: this is on the request path */
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the prefix; the last memcpy copies name's NUL */
    memcpy(buf, ns, a);
    buf[a] = '/';
    memcpy(buf + a + 1, name, b + 1);
    return rs_name_map_get(t, rs_world_interned(w, buf));
}

/* The latest pod called ns/name (it may be gone), or NULL if none ever was. */
RsPod *
rs_world_pod(const RsWorld *w, const char *ns, const char *name)
{
    return lookup_full(w, &w->pod_by_name, ns, name);
}

/* Same as rs_world_pod with "ns/name". */
RsPod *
rs_world_pod_full(const RsWorld *w, const char *full)
{
    return rs_name_map_get(&w->pod_by_name, rs_world_interned(w, full));
}

/* The home cell of `ip` in a table of mask + 1 cells. */
static inline uint32_t
ip_home(uint32_t ip, uint32_t mask)
{
    return (uint32_t)(((uint64_t)ip * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;
}

/* An empty address table. */
void
rs_ip_map_init(RsIpMap *m)
{
    m->mask = 15;
    m->len = 0;
    m->cells = g_new0(struct RsIpCell, m->mask + 1);
}

/* Frees an address table's cells. */
void
rs_ip_map_clear(RsIpMap *m)
{
    g_clear_pointer(&m->cells, g_free);
    m->mask = m->len = 0;
}

/* The object at `ip`, or NULL. */
void *
rs_ip_map_get(const RsIpMap *m, uint32_t ip)
{
    for (uint32_t k = ip_home(ip, m->mask);; k = (k + 1) & m->mask) {
        const struct RsIpCell *c = &m->cells[k];
        if (c->obj == NULL || c->ip == ip)
            return c->obj;
    }
}

/* Sets the object at `ip` (replacing any). */
void
rs_ip_map_put(RsIpMap *m, uint32_t ip, void *obj)
{
    g_assert(obj != NULL);
    if (2 * (m->len + 1) > m->mask + 1) {
        RsIpMap big = {g_new0(struct RsIpCell, 2 * ((size_t)m->mask + 1)), 2 * m->mask + 1, 0};
        for (uint32_t k = 0; k <= m->mask; k++)
            if (m->cells[k].obj != NULL)
                rs_ip_map_put(&big, m->cells[k].ip, m->cells[k].obj);
        g_free(m->cells);
        *m = big;
    }
    uint32_t k = ip_home(ip, m->mask);
    while (m->cells[k].obj != NULL && m->cells[k].ip != ip)
        k = (k + 1) & m->mask;
    if (m->cells[k].obj == NULL)
        m->len++;
    m->cells[k].ip = ip;
    m->cells[k].obj = obj;
}

/* Removes `ip` (if present): the cells after it that would not be found
 * past the hole move back into it (linear probing's deletion). */
void
rs_ip_map_remove(RsIpMap *m, uint32_t ip)
{
    uint32_t i = ip_home(ip, m->mask);
    for (;; i = (i + 1) & m->mask) {
        if (m->cells[i].obj == NULL)
            return;
        if (m->cells[i].ip == ip)
            break;
    }
    m->cells[i].obj = NULL;
    m->len--;
    for (uint32_t j = (i + 1) & m->mask; m->cells[j].obj != NULL; j = (j + 1) & m->mask) {
        /* the cell at j may move to the hole at i unless its home is in (i, j] */
        uint32_t h = ip_home(m->cells[j].ip, m->mask);
        bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
        if (stays)
            continue;
        m->cells[i] = m->cells[j];
        m->cells[j].obj = NULL;
        i = j;
    }
}

/* The pod holding `ip` now, or NULL. */
RsPod *
rs_world_pod_at(const RsWorld *w, uint32_t ip)
{
    return rs_ip_map_get(&w->pod_by_ip, ip);
}

/* The live deployment ns/name, or NULL. */
RsWorkload *
rs_world_workload(const RsWorld *w, const char *ns, const char *name)
{
    return lookup_full(w, &w->wl_by_name, ns, name);
}

/* The live service ns/name, or NULL. */
RsService *
rs_world_service(const RsWorld *w, const char *ns, const char *name)
{
    return lookup_full(w, &w->svc_by_name, ns, name);
}

/* The service whose ClusterIP is `ip` in the data plane, or NULL. */
RsService *
rs_world_service_at(const RsWorld *w, uint32_t ip)
{
    return rs_ip_map_get(&w->svc_by_ip, ip);
}

/* The live service "ns/name", or NULL. */
RsService *
rs_world_service_full(const RsWorld *w, const char *full)
{
    return rs_name_map_get(&w->svc_by_name, rs_world_interned(w, full));
}

/* The live route "ns/name", or NULL (no routes yet: none). */
RsRoute *
rs_world_route_full(const RsWorld *w, const char *full)
{
    return rs_name_map_get(&w->route_by_name, rs_world_interned(w, full));
}

/* The live routes claiming `host`, oldest first (R22). */
RsRoute *const *
rs_world_routes_of_host(const RsWorld *w, const char *host, unsigned *n)
{
    const RsHostRoutes *routes = rs_name_map_get(&w->routes_by_host, rs_world_interned(w, host));
    *n = routes != NULL ? routes->n : 0;
    return routes != NULL ? routes->v : NULL;
}

/* Element i of an owning array that may not exist yet (routes before routes_init). */
static gpointer
nth(const GPtrArray *a, unsigned i)
{
    g_assert(a != NULL && i < a->len);
    return a->pdata[i];
}

/* The number of elements of an array that may not exist yet. */
static unsigned
count(const GPtrArray *a)
{
    return a != NULL ? a->len : 0;
}

/* Namespaces in file order. */
unsigned
rs_world_n_namespaces(const RsWorld *w)
{
    return count(w->namespaces);
}

RsNamespace *
rs_world_namespace_nth(const RsWorld *w, unsigned i)
{
    return nth(w->namespaces, i);
}

/* Every pod ever created, in creation order (gone ones included). */
unsigned
rs_world_n_pods(const RsWorld *w)
{
    return count(w->pods);
}

RsPod *
rs_world_pod_nth(const RsWorld *w, unsigned i)
{
    return nth(w->pods, i);
}

/* Every deployment ever created, in creation order (removed ones included). */
unsigned
rs_world_n_workloads(const RsWorld *w)
{
    return count(w->workloads);
}

RsWorkload *
rs_world_workload_nth(const RsWorld *w, unsigned i)
{
    return nth(w->workloads, i);
}

/* Every service ever created, in creation order (removed ones included). */
unsigned
rs_world_n_services(const RsWorld *w)
{
    return count(w->services);
}

RsService *
rs_world_service_nth(const RsWorld *w, unsigned i)
{
    return nth(w->services, i);
}

/* Every route ever created, in creation order (removed ones included). */
unsigned
rs_world_n_routes(const RsWorld *w)
{
    return count(w->routes);
}

RsRoute *
rs_world_route_nth(const RsWorld *w, unsigned i)
{
    return nth(w->routes, i);
}

/* A namespace's live services, in creation order. */
unsigned
rs_namespace_n_services(const RsNamespace *ns)
{
    return count(ns->services);
}

RsService *
rs_namespace_service_nth(const RsNamespace *ns, unsigned i)
{
    return nth(ns->services, i);
}

/* Sets who hears that a pod stopped answering (R6, R7). */
void
rs_world_on_pod_stopped(RsWorld *w, RsPodStopFn fn, void *data)
{
    w->pod_stopped = fn;
    w->pod_stopped_data = data;
}

/* Sets who hears that a router replica failed (R30). */
void
rs_world_on_router_failed(RsWorld *w, RsRouterFailFn fn, void *data)
{
    w->router_failed = fn;
    w->router_failed_data = data;
}
