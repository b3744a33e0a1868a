/* loader-names.c: the loader's registry of declared names: namespaces and,
 * per namespace and kind, the objects declared or applied (R2: a name is
 * unique per kind within a namespace; an `apply` replaces).  Every reader of
 * objects, policies and lints looks names up here; it is its own file so
 * they all build on it without calling one another back (tests/layers.sh).
 */
#include "config.h"

#include <string.h>

#include "scenario/loader-internal.h"

static const char *const kind_words[] = {"object", "pod", "deployment", "service", "route",
                                         "network_policy"};

/* The hash of a namespace name: g_str_hash's, inline, then murmur3's
 * finaliser (names like n1, n2 ... made long runs of neighbouring slots). */
static inline guint
ns_hash(const char *name)
{
    guint32 h = 5381;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = (h << 5) + h + *c;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* The slot of `name` (whose ns_hash is h) in the namespace table: its own,
 * or the free one where it goes (the table has at least one free slot).  A
 * slot of another hash is passed without reading its namespace (at 10^5
 * namespaces each read was a cache miss or two: issue 14). */
static LdNsSlot *
ns_slot(const Ld *ld, const char *name, guint h)
{
    for (size_t i = h & ld->ns_mask;; i = (i + 1) & ld->ns_mask) {
        LdNsSlot *s = &ld->ns_slots[i];
        if (s->ns == NULL || (s->hash == h && strcmp(s->ns->spec->name, name) == 0))
            return s;
    }
}

/* Finds a namespace's registry by name. */
LdNs *
ld_ns_lookup(Ld *ld, const char *name)
{
    return name && ld->ns_slots ? ns_slot(ld, name, ns_hash(name))->ns : NULL;
}

/* Adds a namespace's registry (its name not yet taken), the table doubled
 * at half full. */
void
ld_ns_insert(Ld *ld, LdNs *ns)
{
    if (ld->ns_slots == NULL || 2 * (ld->n_ns + 1) > ld->ns_mask + 1) {
        LdNsSlot *old = ld->ns_slots;
        size_t old_cap = old ? ld->ns_mask + 1 : 0;
        size_t cap = old_cap ? old_cap * 2 : 64;
        ld->ns_slots = g_new0(LdNsSlot, cap);
        ld->ns_mask = cap - 1;
        for (size_t j = 0; j < old_cap; j++) {
            if (old[j].ns == NULL)
                continue;
            size_t i = old[j].hash & ld->ns_mask;
            while (ld->ns_slots[i].ns != NULL)
                i = (i + 1) & ld->ns_mask;
            ld->ns_slots[i] = old[j];
        }
        g_free(old);
    }
    guint h = ns_hash(ns->spec->name);
    LdNsSlot *s = ns_slot(ld, ns->spec->name, h);
    s->ns = ns;
    s->hash = h;
    ld->n_ns++;
}

/* Sizes the namespace table for n namespaces at once (no doubling). */
void
ld_ns_reserve(Ld *ld, size_t n)
{
    if (ld->ns_slots != NULL)
        return;
    size_t cap = 64;
    while (cap < 2 * (n + 1))
        cap *= 2;
    ld->ns_slots = g_new0(LdNsSlot, cap);
    ld->ns_mask = cap - 1;
}

/* Whether a registration replaces the object that held the name (R2): the
 * first holds it, an `apply` replaces, a second declaration does not. */
static bool
takes_name(const LdObj *old, const LdObj *o)
{
    return old == NULL || o->applied || old->applied;
}

/* The object holding a name, found by going through the namespace's objects
 * in registration order with the rule of takes_name (a small namespace). */
static LdObj *
scan_lookup(const LdNs *ns, RsObjKind kind, const char *name, guint upto)
{
    LdObj *held = NULL;
    for (guint i = 0; i < upto; i++) {
        LdObj *o = ns->objs[i];
        if (o->kind == kind && strcmp(ld_obj_name(o), name) == 0 && takes_name(held, o))
            held = o;
    }
    return held;
}

/* Finds an object of a kind in a namespace (the latest if applied later). */
LdObj *
ld_obj_lookup(LdNs *ns, RsObjKind kind, const char *name)
{
    if (!ns || !name)
        return NULL;
    if (!ns->indexed)
        return scan_lookup(ns, kind, name, ns->n_objs);
    return ns->by_kind[kind] ? g_hash_table_lookup(ns->by_kind[kind], name) : NULL;
}

/* Makes the per-kind tables of a namespace that outgrew LD_NS_SCAN_MAX,
 * from the objects registered so far (the first `upto`). */
static void
index_names(LdNs *ns, guint upto)
{
    ns->indexed = true;
    for (guint i = 0; i < upto; i++) {
        LdObj *o = ns->objs[i];
        if (!ns->by_kind[o->kind])
            ns->by_kind[o->kind] = g_hash_table_new(g_str_hash, g_str_equal);
        const char *name = ld_obj_name(o);
        if (takes_name(g_hash_table_lookup(ns->by_kind[o->kind], name), o))
            g_hash_table_insert(ns->by_kind[o->kind], (gpointer)name, o);
    }
}

/* The name of any registered spec. */
const char *
ld_obj_name(const LdObj *o)
{
    switch (o->kind) {
    case RS_KIND_POD:
    case RS_KIND_DEPLOYMENT: return ((RsWorkloadSpec *)o->spec)->name;
    case RS_KIND_SERVICE: return ((RsServiceSpec *)o->spec)->name;
    case RS_KIND_ROUTE: return ((RsRouteSpec *)o->spec)->name;
    case RS_KIND_NETWORK_POLICY: return ((RsPolicySpec *)o->spec)->name;
    case RS_KIND_ANY: break;
    }
    return "";
}

/* Registers an object; a second declaration of a name is an error (R2),
 * while an `apply` replaces. */
bool
ld_register(Ld *ld, LdNs *ns, RsObjKind kind, void *spec, const cJSON *node, const char *path,
            bool applied)
{
    LdObj *o = rs_arena_new0(ld->mem, LdObj, 1);     /* dropped with the load */
    o->kind = kind;
    o->spec = spec;
    o->node = node;
    o->applied = applied;
    if (ns->n_objs == ns->cap_objs) {
        /* doubled in the arena (the old array stays there until the load ends) */
        guint cap = ns->cap_objs ? ns->cap_objs * 2 : 4;
        LdObj **objs = rs_arena_alloc(ld->mem, sizeof *objs * cap);
        if (ns->n_objs > 0)
            memcpy(objs, ns->objs, sizeof *objs * ns->n_objs);
        ns->objs = objs;
        ns->cap_objs = cap;
    }
    ns->objs[ns->n_objs++] = o;
    const char *name = ld_obj_name(o);
    if (!ns->indexed && ns->n_objs > LD_NS_SCAN_MAX)
        index_names(ns, ns->n_objs - 1);
    LdObj *old;
    if (ns->indexed) {
        if (!ns->by_kind[kind])
            ns->by_kind[kind] = g_hash_table_new(g_str_hash, g_str_equal);
        old = g_hash_table_lookup(ns->by_kind[kind], name);
    } else {
        old = scan_lookup(ns, kind, name, ns->n_objs - 1);
    }
    if (old && !applied && !old->applied) {
        int line, col;
        rs_jsonc_linecol(ld->doc, rs_jsonc_offset(ld->doc, old->node, false), &line, &col);
        const char *p = ld_path(ld, path, "name");
        return ld_fail(ld, ld_get(node, "name"), false, p,
                       "duplicate %s name `%s` in namespace `%s` (first at line %d, column %d; "
                       "names are unique per kind within a namespace, R2)",
                       kind_words[kind], name, ns->spec->name, line, col);
    }
    if (ns->indexed && takes_name(old, o))
        g_hash_table_insert(ns->by_kind[kind], (gpointer)name, o);
    return true;
}
