/* loader-internal.h (internal): what the loader's files share.
 *
 * The loader works in three passes over the cJSON tree:
 *   1. parse: types, ranges, units, unknown keys, duplicate names (R2); every
 *      declared object, and every object an `apply` event creates, goes into
 *      a per-namespace registry;
 *   2. references: checks deferred during pass 1 (a route's service, event
 *      targets, `from`, `traffic`, `spread.over` ...) are resolved against
 *      the complete registry, so an object may be used before it is written;
 *   3. lint: warnings that need the whole file (selectors, target ports,
 *      host conflicts).
 * Every error and warning names the file, line, column (jsonc.h) and the
 * JSON path.  Errors in one object of a list (a namespace's deployments, pods,
 * services, routes and policies; events, traffic, expectations, references)
 * do not stop the checks of the others: up to LD_MAX_ERRORS are reported at
 * once (ld_go_on); any other error stops the load.
 */
#ifndef RAHTISIM_SCENARIO_LOADER_INTERNAL_H
#define RAHTISIM_SCENARIO_LOADER_INTERNAL_H

#include <stdint.h>

#include <cjson/cJSON.h>
#include <glib.h>

#include "rahtisim/scenario.h"
#include "scenario/arena.h"
#include "scenario/jsonc.h"

/* One registered object: its spec and the JSON it came from. */
/* Up to this many objects a namespace finds names by scanning (LdNs.indexed). */
#define LD_NS_SCAN_MAX 8

typedef struct {
    RsObjKind kind;
    void *spec;                 /* RsWorkloadSpec*, RsServiceSpec*, RsRouteSpec* */
    const cJSON *node;
    bool applied;               /* created by an `apply` event */
} LdObj;

/* What the file declares in one namespace (R2: names unique per kind). */
typedef struct LdNs {
    RsNamespaceSpec *spec;
    GHashTable *by_kind[RS_KIND_LAST + 1];     /* name -> LdObj* (borrowed), once `indexed`;
                                                * NULL while the kind has no name */
    bool indexed;           /* more than LD_NS_SCAN_MAX objects: names are found in
                             * by_kind; below, by scanning objs (loader-names.c; a file
                             * of 10^5 small namespaces made 3 tables each) */
    LdObj **objs;                               /* file order; in ld->mem, as the LdObj */
    guint n_objs, cap_objs;                     /* (issue 14: a GPtrArray per namespace
                                                 * was a malloc and reallocs each) */
} LdNs;

typedef enum {
    LD_REF_SERVICE, LD_REF_DEPLOYMENT, LD_REF_POD, LD_REF_ROUTE, LD_REF_ANY,
    LD_REF_FROM, LD_REF_TRAFFIC,
} LdRefKind;

/* A slot of the namespace table (Ld.ns_slots): empty while ns is NULL. */
typedef struct LdNsSlot {
    struct LdNs *ns;
    guint hash;                 /* ns_hash of ns->spec->name */
} LdNsSlot;

/* A reference checked in pass 2. */
typedef struct {
    LdRefKind kind;
    const cJSON *node;
    char *path;
    char *ns, *name;            /* name only for hosts/traffic */
    RsObjKind *kind_out;        /* LD_REF_ANY: the kind found (or asked for) */
    RsFrom *from_out;           /* LD_REF_FROM */
    const char *what;           /* "route service", "event target" ... */
} LdRef;

typedef struct {
    size_t off;
    guint seq;
    char *msg;
} LdWarn;

typedef struct {
    RsScenario *sc;
    const RsJsonDoc *doc;
    RsLimits lim;
    GError **error;
    GArray *warns;              /* LdWarn */
    unsigned n_objects, n_timed;
    struct LdNsSlot *ns_slots;  /* name -> LdNs*: open addressing on the name's hash, */
    size_t ns_mask, n_ns;       /* at most half full (ld_ns_insert; issue 14: a GHashTable
                                 * grown step by step, ~140 instructions a lookup); each
                                 * slot keeps the hash, so a probe reads the namespace's
                                 * name only when the hashes agree */
    GPtrArray *nss;             /* LdNs*, owned */
    GHashTable *hosts;          /* name -> RsHostSpec* */
    GHashTable *traffic;        /* name -> RsTrafficSpec* */
    GPtrArray *refs;            /* LdRef*, owned */
    GHashTable *fixed_ips;      /* declared fixed ClusterIP -> "`ns/name` (line L, column C)" */
    RsKeysFn on_keys;           /* rs_scenario_load_data_keys: each object's key table, or NULL */
    void *on_keys_data;
    GPtrArray *errors;          /* "FILE:LINE:COL: PATH: message", at most LD_MAX_ERRORS */
    int error_code, last_code;  /* RsScenarioError of the first and the last error */
    RsArena *paths;             /* JSON paths (ld_path), given back after each namespace */
    RsArena *mem;               /* the registry's objects and references, until the load ends */
} Ld;

/* ---- loader-read.c: errors, warnings, paths, typed getters ---- */
/* Errors reported at once: a list's items (namespaces' objects, events,
 * traffic, expectations, references) are all checked, up to this many
 * errors in one file. */
#define LD_MAX_ERRORS 20
/* Records an error message (takes `msg`). */
void ld_add_error(Ld *ld, int code, char *msg);
/* After an error in one item of a list: whether to check the next item
 * (fewer than LD_MAX_ERRORS so far, and not a limit error). */
bool ld_go_on(Ld *ld);
bool ld_fail(Ld *ld, const cJSON *node, bool at_key, const char *path, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
bool ld_fail_limit(Ld *ld, const cJSON *node, const char *path, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
void ld_warn(Ld *ld, const cJSON *node, RsRule rule, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
void ld_pos(Ld *ld, const cJSON *node, const char *path, RsSrcPos *pos);
/* A member's or an element's JSON path, in ld->paths (not to be freed). */
const char *ld_path(Ld *ld, const char *parent, const char *key);
const char *ld_path_index(Ld *ld, const char *parent, int i);
const char *ld_type_word(const cJSON *v);
/* ---- ld_get: a member of an object (keys are unique: jsonc.c rejects duplicates) ----
 *
 * A reader asks an object for every key it knows (a pod: some fifteen)
 * and most are absent (a pod of the benchmarks has three): walking the
 * members for each was the largest single cost of loading 10^4
 * namespaces (ld_get, 29 M of 250 M instructions; issue 14).  ld_object,
 * which visits every member anyway to refuse unknown keys, files the
 * object in a small direct-mapped cache: a mask of its keys' first bytes
 * and, per first byte, its member and the allowed key it matched (when one
 * member alone starts so).  ld_get answers from the entry without a walk:
 * an absent first byte is an absent key; else the one member is it when
 * the key is that very string (the readers pass the literals of the key
 * tables) or equal to it (ld_get_slow).  An object the cache does not hold
 * (never checked, or its entry taken by another object) is walked as
 * before.  The tree does not change during a load; the cache is emptied
 * when a load starts and ends (ld_keys_forget), as a tree freed after a
 * load may give its addresses to the next one.  ld_get is inline (some
 * 570 000 calls at 10^4 namespaces).  Single-threaded, as the program is. */
#define LD_KEYS_CACHE 16
#define LD_KEYS_BITS 64
typedef struct {
    const cJSON *obj[LD_KEYS_CACHE];        /* the object filed, or NULL */
    uint64_t mask[LD_KEYS_CACHE];           /* its keys' first bytes (ld_key_slot) */
    uint64_t many[LD_KEYS_CACHE];           /* first bytes of more than one key */
    struct {
        const cJSON *member;
        const char *key;                    /* the allowed key (ld_object's table) it matched */
    } member[LD_KEYS_CACHE][LD_KEYS_BITS];  /* per first byte in mask, not in many */
} LdKeysCache;
extern LdKeysCache ld_keys_cache;

/* A key's slot: its first byte (keys are lowercase words and underscores). */
static inline unsigned
ld_key_slot(const char *key)
{
    return (unsigned char)key[0] & (LD_KEYS_BITS - 1);
}

/* An object's cache entry: nodes are 72 bytes apart. */
static inline unsigned
ld_keys_entry(const cJSON *obj)
{
    return (unsigned)((uintptr_t)obj / 72) & (LD_KEYS_CACHE - 1);
}

const cJSON *ld_get_slow(const cJSON *obj, const char *key);

static inline const cJSON *
ld_get(const cJSON *obj, const char *key)
{
    if (obj == NULL || key == NULL)
        return NULL;
    unsigned e = ld_keys_entry(obj);
    if (ld_keys_cache.obj[e] == obj) {
        unsigned h = ld_key_slot(key);
        if (!(ld_keys_cache.mask[e] & (UINT64_C(1) << h)))
            return NULL;
        if (ld_keys_cache.member[e][h].key == key && !(ld_keys_cache.many[e] & (UINT64_C(1) << h)))
            return ld_keys_cache.member[e][h].member;
    }
    return ld_get_slow(obj, key);
}

/* Empties ld_get's record of the objects ld_object checked (at a load's start and end). */
void ld_keys_forget(void);
bool ld_object(Ld *ld, const cJSON *v, const char *path, const char *const *keys, const char *what);
bool ld_array(Ld *ld, const cJSON *obj, const char *path, const char *key, const cJSON **out);
/* For `rahtisim schema` (rs_scenario_load_data_keys): the value at `path`
 * is one of `words` / matches `pattern` (or, number_min >= 0, is a JSON
 * number from number_min on). */
void ld_note(Ld *ld, const char *path, const char *schema);
void ld_note_enum(Ld *ld, const char *path, const char *const *words);
void ld_note_outcome(Ld *ld, const char *path);
void ld_note_pattern(Ld *ld, const char *path, const char *pattern, double number_min, bool exclusive);
bool ld_v_string(Ld *ld, const cJSON *v, const char *path, char **out);
bool ld_string(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required, char **out);
bool ld_v_int(Ld *ld, const cJSON *v, const char *path, long long min, long long max,
              const char *what, long long *out);
bool ld_int(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required,
            long long min, long long max, long long *out, bool *present);
bool ld_bool(Ld *ld, const cJSON *obj, const char *path, const char *key, bool *out);
bool ld_v_duration(Ld *ld, const cJSON *v, const char *path, rs_time_t *out);
bool ld_duration(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required,
                 rs_time_t *out);
bool ld_enum(Ld *ld, const cJSON *obj, const char *path, const char *key,
             const char *const *words, int *out);
bool ld_v_ipv4(Ld *ld, const cJSON *v, const char *path, uint32_t *out);
bool ld_ipv4(Ld *ld, const cJSON *obj, const char *path, const char *key, bool required, uint32_t *out);
bool ld_v_cidr(Ld *ld, const cJSON *v, const char *path, uint32_t *net, uint32_t *prefix);
/* At most this many labels per object or selector and annotations per route. */
#define LD_MAX_LABELS 64
bool ld_is_qualified_name(const char *s);
bool ld_labels(Ld *ld, const cJSON *obj, const char *path, const char *key, RsLabel **out,
               unsigned *n);
bool ld_v_url(Ld *ld, const cJSON *v, const char *path, RsUrl *out);
bool ld_name(Ld *ld, const cJSON *obj, const char *path, const char *what, bool subdomain, char **out);
bool ld_plain_name(Ld *ld, const cJSON *obj, const char *path, const char *what, char **out);
bool ld_is_ipv6(const char *s);
bool ld_is_label(const char *s);
bool ld_no_ipv6_anywhere(Ld *ld, const cJSON *v, const char *path);
bool ld_count_object(Ld *ld, const cJSON *node, const char *path, unsigned n);
bool ld_count_timed(Ld *ld, const cJSON *node, const char *path);
bool ld_within_duration(Ld *ld, const cJSON *node, const char *path, const char *what, rs_time_t t);
bool ld_split_ref(Ld *ld, const cJSON *v, const char *path, const char *text, char **ns,
                  char **kind, char **name);
void ld_defer(Ld *ld, LdRefKind kind, const cJSON *node, const char *path, const char *ns,
              const char *name, const char *what);
LdRef *ld_defer_last(Ld *ld);

/* ---- loader-names.c: the registry of declared names (R2) ---- */
LdNs *ld_ns_lookup(Ld *ld, const char *name);
/* Adds a namespace's registry under its spec's name (not yet taken). */
void ld_ns_insert(Ld *ld, LdNs *ns);
/* Sizes the table of namespaces for n of them (before the first insert). */
void ld_ns_reserve(Ld *ld, size_t n);
LdObj *ld_obj_lookup(LdNs *ns, RsObjKind kind, const char *name);
const char *ld_obj_name(const LdObj *o);
bool ld_register(Ld *ld, LdNs *ns, RsObjKind kind, void *spec, const cJSON *node,
                 const char *path, bool applied);

/* ---- loader-objects.c: namespaces and their objects, hosts, DNS ---- */
bool ld_workload(Ld *ld, const cJSON *v, const char *path, bool bare, RsWorkloadSpec *w);
bool ld_workload_fields(Ld *ld, const cJSON *v, const char *path, RsWorkloadSpec *w);
bool ld_service(Ld *ld, const cJSON *v, const char *path, RsServiceSpec *s);
bool ld_route(Ld *ld, LdNs *ns, const cJSON *v, const char *path, RsRouteSpec *r);
bool ld_namespaces(Ld *ld, const cJSON *root);
bool ld_hosts(Ld *ld, const cJSON *root);
bool ld_dns(Ld *ld, const cJSON *root);
void ld_whitelist_check(Ld *ld, const cJSON *node, const char *key, const char *value);

/* ---- loader-policy.c: network policies and the Rahti 2 namespace keys ---- */
bool ld_policy(Ld *ld, const cJSON *v, const char *path, RsPolicySpec *p);
bool ld_namespace_policy_keys(Ld *ld, LdNs *ns, const cJSON *v, const char *path);
void rs_policy_spec_clear(RsPolicySpec *p);
/* ---- loader-lifecycle.c: probes, strategy, termination (R52-R55) ---- */
void ld_lifecycle_defaults(RsWorkloadSpec *w);
bool ld_lifecycle(Ld *ld, const cJSON *v, const char *path, bool bare, RsWorkloadSpec *w);
/* loader-objects.c: a rollout's `set` (R54). */
bool ld_rollout_set(Ld *ld, const cJSON *v, const char *path, RsWorkloadSpec *w);
void ld_policy_lint(Ld *ld, const cJSON *root);

/* ---- loader-platform.c ---- */
bool ld_platform(Ld *ld, const cJSON *root);

/* ---- loader-events.c ---- */
bool ld_events(Ld *ld, const cJSON *root);
bool ld_pod_declared(Ld *ld, const char *ns, const char *name);

/* ---- loader-expect.c: traffic and expectations ---- */
bool ld_traffic(Ld *ld, const cJSON *root);
bool ld_traffic_volume(Ld *ld, const cJSON *root);
/* The scenario's least memory against --max-memory (loader-expect.c). */
bool ld_memory_estimate(Ld *ld, const cJSON *root);
bool ld_expectations(Ld *ld, const cJSON *root);

/* ---- loader-matrix.c: the matrix expectation ---- */
bool ld_matrix_expectation(Ld *ld, const cJSON *v, const char *path, RsExpectSpec *e);

/* ---- loader-timeline.c: events on pods that cannot exist at their time ---- */
bool ld_timeline(Ld *ld, const cJSON *root);

/* ---- loader-refs.c: pass 2 ---- */
bool ld_resolve_refs(Ld *ld);

/* ---- loader-lint.c: pass 3 ---- */
void ld_lint(Ld *ld, const cJSON *root);
void ld_annotation_check(Ld *ld, const cJSON *node, const char *key, const char *value);

#endif
