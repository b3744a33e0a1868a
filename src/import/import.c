/* import.c: Kubernetes and OpenShift objects to scenario JSON.
 *
 * Each manifest object (yaml.c made it a cJSON tree with positions) is
 * checked for a known apiVersion/kind pair and translated field by field
 * into the scenario's snake_case keys (scenario-format.md, "Additions": each
 * key mirrors the Kubernetes field).  Every node made here records the
 * manifest file, line, column and path it came from (jsonc.h origins), and
 * values are copied as they are, so the loader's own checks (ranges, names,
 * addresses) report problems at the manifest's line with its path.
 *
 * What maps to what:
 *   Namespace, Project             -> namespaces[] (labels when the loader has them, R39-R40)
 *   Deployment, DeploymentConfig, ReplicaSet, StatefulSet,
 *   ReplicationController          -> deployments[] (the pod template's labels and ports)
 *   Pod                            -> pods[] (bare pods, R8)
 *   Service                        -> services[] (ClusterIP, headless: cluster_ip none, R10-R14;
 *                                     LoadBalancer when the loader has it, R48)
 *   Route                          -> routes[] (R22-R31)
 *   NetworkPolicy                  -> network_policies[] when the loader has them (R40-R47)
 * Objects a controller owns (a Deployment's ReplicaSet, a ReplicaSet's pods,
 * as `oc get all -o yaml` lists them) are skipped: their owner makes them.
 * Kinds and fields with no place in the network model are listed once each
 * in `import_notes` with the position of their first occurrence, never
 * dropped silently.  A kind the simulator knows under another apiVersion, a
 * kind unknown to a built-in API group, and the same object twice are errors.
 *
 * Keys that other parts of the loader add over time (network policies,
 * load balancers, probes ...) are used when the loader accepts them: the
 * importer asks it once per import (feature_probe) instead of assuming, so
 * it never writes a scenario the loader would refuse.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "import/import-private.h"
#include "rahtisim/util.h"

/* The importer's state over all files of one import. */
typedef struct {
    RsJsonDoc *out;             /* the scenario being built, with origins */
    cJSON *namespaces;          /* out's "namespaces" */
    GHashTable *ns_by_name;     /* name -> cJSON namespace object (borrowed) */
    GHashTable *objects;        /* "kind/ns/name" -> "FILE:LINE:COL" of the first */
    GHashTable *note_index;     /* note key -> Note* */
    GPtrArray *notes;           /* Note*, first-seen order */
    GPtrArray *warnings;        /* char *, "FILE:LINE:COL: warning: ..." */
    const char *default_ns;
    bool default_ns_given, default_ns_warned;
    const char *stdin_name;
    const char *platform;
    /* the file being translated */
    const char *file;
    unsigned file_index;
    GHashTable *pos;
    GError **error;
    /* loader features (feature_probe) */
    bool has_labels, has_policies, has_lb, has_probes, has_strategy, has_lifecycle;
} Imp;

typedef struct {
    char *file;
    unsigned file_index;        /* the order files were read in */
    int line, col;
    char *text;
    unsigned count;
} Note;

/* Frees a note. */
static void
note_free(gpointer p)
{
    Note *n = p;
    g_free(n->file);
    g_free(n->text);
    g_free(n);
}

/* Lists something the simulator does not model, once per key, at the
 * position of its first occurrence; later occurrences count. */
G_GNUC_PRINTF(4, 5) static void
note(Imp *imp, const cJSON *at, const char *key, const char *fmt, ...)
{
    Note *n = g_hash_table_lookup(imp->note_index, key);
    if (n) {
        n->count++;
        return;
    }
    n = g_new0(Note, 1);
    n->file = g_strdup(imp->file);
    n->file_index = imp->file_index;
    rs_yaml_pos(imp->pos, at, &n->line, &n->col);
    va_list ap;
    va_start(ap, fmt);
    n->text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    n->count = 1;
    g_hash_table_insert(imp->note_index, g_strdup(key), n);
    g_ptr_array_add(imp->notes, n);
}

/* Fails the import at a manifest node: "FILE:LINE:COL: PATH: message". */
G_GNUC_PRINTF(4, 5) static bool
fail(Imp *imp, const cJSON *at, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *msg = rs_jsonc_printable(raw);
    g_autofree char *where = rs_jsonc_printable(path ? path : "");
    int line, col;
    rs_yaml_pos(imp->pos, at, &line, &col);
    g_set_error(imp->error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_INVALID, "%s:%d:%d: %s%s%s", imp->file,
                line, col, where, *where ? ": " : "", msg);
    return false;
}

/* "parent.key", or "key" at the top. */
static char *
sub(const char *parent, const char *key)
{
    return parent && *parent ? g_strdup_printf("%s.%s", parent, key) : g_strdup(key);
}

/* "parent[i]". */
static char *
idx(const char *parent, int i)
{
    return g_strdup_printf("%s[%d]", parent, i);
}

/* Records that `made` came from manifest node `from` at `path`; returns made. */
static cJSON *
made(Imp *imp, cJSON *node, const cJSON *from, const char *path)
{
    int line, col;
    rs_yaml_pos(imp->pos, from, &line, &col);
    rs_jsonc_set_origin(imp->out, node, imp->file, line, col, path);
    return node;
}

/* A deep copy of a manifest value, every node keeping its origin. */
static cJSON *
copy(Imp *imp, const cJSON *v, const char *path)
{
    cJSON *c;
    if (cJSON_IsArray(v)) {
        c = cJSON_CreateArray();
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            g_autofree char *p = idx(path, i++);
            cJSON_AddItemToArray(c, copy(imp, e, p));
        }
    } else if (cJSON_IsObject(v)) {
        c = cJSON_CreateObject();
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            g_autofree char *p = sub(path, e->string);
            cJSON_AddItemToObject(c, e->string, copy(imp, e, p));
        }
    } else {
        c = cJSON_Duplicate(v, false);
    }
    return made(imp, c, v, path);
}

/* Adds key -> a copy of manifest value v to a scenario object. */
static void
put(Imp *imp, cJSON *obj, const char *key, const cJSON *v, const char *path)
{
    cJSON_AddItemToObject(obj, key, copy(imp, v, path));
}

/* Adds key -> a made string to a scenario object. */
static void
put_str(Imp *imp, cJSON *obj, const char *key, const char *s, const cJSON *from, const char *path)
{
    cJSON_AddItemToObject(obj, key, made(imp, cJSON_CreateString(s), from, path));
}

/* A member of a manifest object, NULL when absent or null. */
static const cJSON *
get(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsNull(v) ? NULL : v;
}

/* Checks that v is a mapping (else an error naming what it should be). */
static bool
want_object(Imp *imp, const cJSON *v, const char *path, const char *what)
{
    if (cJSON_IsObject(v))
        return true;
    return fail(imp, v, path, "expected %s (a mapping), found %s", what,
                cJSON_IsArray(v) ? "a list" : cJSON_IsString(v) ? "a string" : cJSON_IsNumber(v) ? "a number"
                : "a scalar");
}

/* Checks that v is a list. */
static bool
want_array(Imp *imp, const cJSON *v, const char *path)
{
    if (cJSON_IsArray(v))
        return true;
    return fail(imp, v, path, "expected a list, found %s",
                cJSON_IsObject(v) ? "a mapping" : cJSON_IsString(v) ? "a string" : "a scalar");
}

/* Checks that v is a string (Kubernetes refuses `on` or `1` where a string goes). */
static bool
want_string(Imp *imp, const cJSON *v, const char *path)
{
    if (cJSON_IsString(v))
        return true;
    if (cJSON_IsNumber(v) || cJSON_IsBool(v))
        return fail(imp, v, path, "expected a string, found %s (YAML reads it so: quote it)",
                    cJSON_IsNumber(v) ? "a number" : "a boolean");
    return fail(imp, v, path, "expected a string, found %s",
                cJSON_IsObject(v) ? "a mapping" : cJSON_IsArray(v) ? "a list" : "null");
}

/* Lists the keys of `obj` not in `known` (NULL-terminated) as notes:
 * "KIND GENERIC.PATH.key: not simulated". `gpath` uses [] for indices. */
static void
note_unknown(Imp *imp, const char *kind, const cJSON *obj, const char *gpath, const char *const *known)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, obj) {
        bool k = false;
        for (int i = 0; known[i] && !k; i++)
            k = strcmp(e->string, known[i]) == 0;
        if (k)
            continue;
        g_autofree char *gp = sub(gpath, e->string);
        g_autofree char *key = g_strdup_printf("%s %s", kind, gp);
        note(imp, e, key, "%s `%s`: not part of the network model, ignored", kind, gp);
    }
}

/* The platform the import is for. */
static const char *
pf_name(const Imp *imp)
{
    return imp->platform ? imp->platform : "rahti-1";
}

/* ---- namespaces ---- */

/* The scenario namespace `name`, made on first use (at manifest node `at`). */
static cJSON *
ns_get(Imp *imp, const char *name, const cJSON *at, const char *path)
{
    cJSON *ns = g_hash_table_lookup(imp->ns_by_name, name);
    if (ns)
        return ns;
    ns = made(imp, cJSON_CreateObject(), at, path);
    put_str(imp, ns, "name", name, at, path);
    cJSON_AddItemToArray(imp->namespaces, ns);
    g_hash_table_insert(imp->ns_by_name, g_strdup(name), ns);
    return ns;
}

/* The array `key` of a scenario namespace, made on first use. */
static cJSON *
ns_list(Imp *imp, cJSON *ns, const char *key, const cJSON *at, const char *path)
{
    cJSON *a = cJSON_GetObjectItemCaseSensitive(ns, key);
    if (!a) {
        a = made(imp, cJSON_CreateArray(), at, path);
        cJSON_AddItemToObject(ns, key, a);
    }
    return a;
}

/* Registers kind/ns/name; an object seen before is an error. */
static bool
register_object(Imp *imp, const char *kind, const char *ns, const char *name, const cJSON *at,
                const char *path, const char *shown_kind)
{
    g_autofree char *key = g_strdup_printf("%s/%s/%s", kind, ns, name);
    const char *first = g_hash_table_lookup(imp->objects, key);
    if (first)
        return fail(imp, at, path, "duplicate object: %s %s/%s is already defined at %s", shown_kind, ns,
                    name, first);
    int line, col;
    rs_yaml_pos(imp->pos, at, &line, &col);
    g_hash_table_insert(imp->objects, g_steal_pointer(&key), g_strdup_printf("%s:%d:%d", imp->file, line, col));
    return true;
}

/* Copies a string map (labels, selectors, annotations), checking that every
 * value is a string as Kubernetes does. */
static bool
string_map(Imp *imp, cJSON *dst, const char *key, const cJSON *map, const char *path)
{
    if (!map)
        return true;
    if (!want_object(imp, map, path, "a map of strings"))
        return false;
    const cJSON *e;
    cJSON_ArrayForEach(e, map) {
        g_autofree char *p = sub(path, e->string);
        if (!want_string(imp, e, p))
            return false;
    }
    put(imp, dst, key, map, path);
    return true;
}

/* metadata.name (required), metadata.namespace (or the default). */
static bool
meta_names(Imp *imp, const cJSON *obj, const char *path, const char **name, const char **ns,
           bool namespaced)
{
    g_autofree char *mp = sub(path, "metadata");
    const cJSON *meta = get(obj, "metadata");
    if (!meta)
        return fail(imp, obj, path, "missing `metadata` (every object has a metadata.name)");
    if (!want_object(imp, meta, mp, "metadata"))
        return false;
    const cJSON *n = get(meta, "name");
    g_autofree char *np = sub(mp, "name");
    if (!n)
        return fail(imp, meta, mp, "missing `name`");
    if (!want_string(imp, n, np))
        return false;
    *name = n->valuestring;
    if (!namespaced)
        return true;
    const cJSON *s = get(meta, "namespace");
    g_autofree char *sp = sub(mp, "namespace");
    if (s) {
        if (!want_string(imp, s, sp))
            return false;
        *ns = s->valuestring;
        return true;
    }
    *ns = imp->default_ns;
    if (!imp->default_ns_given && !imp->default_ns_warned) {
        int line, col;
        rs_yaml_pos(imp->pos, obj, &line, &col);
        g_ptr_array_add(imp->warnings,
                        g_strdup_printf("%s:%d:%d: warning: objects without metadata.namespace go to "
                                        "namespace `%s` (choose another with --namespace)", imp->file,
                                        line, col, imp->default_ns));
        imp->default_ns_warned = true;
    }
    return true;
}

/* Notes metadata fields other than name, namespace, labels, annotations. */
static void
meta_notes(Imp *imp, const char *kind, const cJSON *obj, bool labels_used, bool annotations_used)
{
    static const char *const known[] = {"name", "namespace", "labels", "annotations", NULL};
    const cJSON *meta = get(obj, "metadata");
    note_unknown(imp, kind, meta, "metadata", known);
    if (!labels_used && get(meta, "labels")) {
        g_autofree char *key = g_strdup_printf("%s metadata.labels", kind);
        note(imp, get(meta, "labels"), key, "%s `metadata.labels`: not used by the network model, ignored",
             kind);
    }
    if (!annotations_used && get(meta, "annotations")) {
        g_autofree char *key = g_strdup_printf("%s metadata.annotations", kind);
        note(imp, get(meta, "annotations"), key, "%s `metadata.annotations`: not used by the network "
             "model, ignored", kind);
    }
}

/* ---- workloads ---- */

/* The seconds of a `sleep N` preStop command, or -1. */
static long long
sleep_seconds(const cJSON *exec)
{
    const cJSON *cmd = get(exec, "command");
    int n = cJSON_GetArraySize(cmd);
    const cJSON *last = n > 0 ? cJSON_GetArrayItem(cmd, n - 1) : NULL;
    if (!cJSON_IsArray(cmd) || !last)
        return -1;
    const char *s = cJSON_IsString(last) ? last->valuestring : NULL;
    /* ["sleep", "5"] or ["/bin/sh", "-c", "sleep 5"] */
    if (s && g_str_has_prefix(s, "sleep "))
        s += 6;
    else if (!(n >= 2 && cJSON_IsString(cJSON_GetArrayItem(cmd, n - 2)) &&
               g_str_has_suffix(cJSON_GetArrayItem(cmd, n - 2)->valuestring, "sleep")))
        return -1;
    guint64 v;
    if (!s || !g_ascii_string_to_unsigned(s, 10, 0, 86400, &v, NULL))
        return -1;
    return (long long)v;
}

/* A probe (readinessProbe, livenessProbe) as {"period", "failure_threshold"} (R52, R53). */
static void
probe(Imp *imp, cJSON *w, const char *key, const cJSON *p, const char *path, const char *kind,
      const char *gpath)
{
    if (!cJSON_IsObject(p))
        return;
    cJSON *o = made(imp, cJSON_CreateObject(), p, path);
    const cJSON *per = get(p, "periodSeconds"), *ft = get(p, "failureThreshold");
    /* Kubernetes' defaults: every 10 s, 3 failures */
    g_autofree char *pp = sub(path, "periodSeconds");
    g_autofree char *fp = sub(path, "failureThreshold");
    if (cJSON_IsNumber(per)) {
        g_autofree char *d = g_strdup_printf("%gs", per->valuedouble);
        put_str(imp, o, "period", d, per, pp);
    }
    if (ft)
        put(imp, o, "failure_threshold", ft, fp);
    cJSON_AddItemToObject(w, key, o);
    static const char *const model[] = {"periodSeconds", "failureThreshold", "httpGet", "tcpSocket",
                                        "exec", "grpc", NULL};
    note_unknown(imp, kind, p, gpath, model);
}

/* The ports, probes and lifecycle of a pod spec's containers, into workload w. */
static bool
pod_spec(Imp *imp, cJSON *w, const cJSON *spec, const char *path, const char *gpath, const char *kind)
{
    static const char *const spec_known[] = {"containers", "terminationGracePeriodSeconds", NULL};
    static const char *const c_known[] = {"name", "ports", "readinessProbe", "livenessProbe", "lifecycle",
                                          NULL};
    static const char *const p_known[] = {"containerPort", "name", "protocol", NULL};
    if (!spec)
        return fail(imp, NULL, path, "missing the pod spec");
    if (!want_object(imp, spec, path, "a pod spec"))
        return false;
    note_unknown(imp, kind, spec, gpath, spec_known);
    const cJSON *containers = get(spec, "containers");
    g_autofree char *cp = sub(path, "containers");
    g_autofree char *gcp = g_strdup_printf("%s.containers[]", gpath);
    if (!containers)
        return fail(imp, spec, path, "missing `containers`");
    if (!want_array(imp, containers, cp))
        return false;
    cJSON *ports = NULL;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    int i = 0;
    const cJSON *c;
    bool probes_done = false;
    cJSON_ArrayForEach(c, containers) {
        g_autofree char *ci = idx(cp, i++);
        if (!want_object(imp, c, ci, "a container"))
            return false;
        note_unknown(imp, kind, c, gcp, c_known);
        const cJSON *cports = get(c, "ports");
        g_autofree char *pp = sub(ci, "ports");
        if (cports && !want_array(imp, cports, pp))
            return false;
        int k = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, cports) {
            g_autofree char *pi = idx(pp, k++);
            if (!want_object(imp, p, pi, "a container port"))
                return false;
            g_autofree char *gpp = g_strdup_printf("%s.ports[]", gcp);
            note_unknown(imp, kind, p, gpp, p_known);
            const cJSON *num = get(p, "containerPort"), *pname = get(p, "name"), *proto = get(p, "protocol");
            if (!num)
                return fail(imp, p, pi, "missing `containerPort`");
            if (proto) {
                g_autofree char *prp = sub(pi, "protocol");
                if (!want_string(imp, proto, prp))
                    return false;
                if (strcmp(proto->valuestring, "TCP") != 0) {
                    g_autofree char *key = g_strdup_printf("protocol %s", proto->valuestring);
                    note(imp, proto, key, "%s ports: not simulated (rahtisim models TCP), skipped",
                         proto->valuestring);
                    continue;
                }
            }
            /* the same port in two containers of one pod cannot both listen; a
             * number that is no port (1e62, -1, 8.5) is not compared here (an
             * int cast of it is undefined, found by fuzz_import) but copied for
             * the loader to refuse with its position */
            bool is_port = cJSON_IsNumber(num) && num->valuedouble >= 0 && num->valuedouble <= 65535 &&
                           num->valuedouble == (double)(int)num->valuedouble;
            if (is_port && g_hash_table_contains(seen, GINT_TO_POINTER((int)num->valuedouble)))
                continue;
            if (is_port)
                g_hash_table_add(seen, GINT_TO_POINTER((int)num->valuedouble));
            if (!ports) {
                ports = made(imp, cJSON_CreateArray(), cports, pp);
                cJSON_AddItemToObject(w, "ports", ports);
            }
            g_autofree char *np = sub(pi, "containerPort");
            if (pname) {
                g_autofree char *nn = sub(pi, "name");
                cJSON *o = made(imp, cJSON_CreateObject(), p, pi);
                cJSON_AddItemToArray(ports, o);
                put(imp, o, "port", num, np);
                if (!want_string(imp, pname, nn))
                    return false;
                put(imp, o, "name", pname, nn);
            } else {
                cJSON_AddItemToArray(ports, copy(imp, num, np));
            }
        }
        /* probes and preStop: the first container's (the one serving) */
        const cJSON *rp = get(c, "readinessProbe"), *lp = get(c, "livenessProbe"), *lc = get(c, "lifecycle");
        if ((rp || lp) && !imp->has_probes)
            note(imp, rp ? rp : lp, "probes", "readinessProbe, livenessProbe: not simulated by this version, ignored");
        if (imp->has_probes && !probes_done) {
            g_autofree char *rpp = sub(ci, "readinessProbe");
            g_autofree char *lpp = sub(ci, "livenessProbe");
            g_autofree char *grp = g_strdup_printf("%s.readinessProbe", gcp);
            g_autofree char *glp = g_strdup_printf("%s.livenessProbe", gcp);
            if (rp)
                probe(imp, w, "readiness", rp, rpp, kind, grp);
            if (lp)
                probe(imp, w, "liveness", lp, lpp, kind, glp);
        }
        if (lc) {
            const cJSON *ps = get(lc, "preStop");
            g_autofree char *psp = g_strdup_printf("%s.lifecycle.preStop", ci);
            long long secs = -1;
            const cJSON *sl = get(get(ps, "sleep"), "seconds");
            if (cJSON_IsNumber(sl)) {
                /* Kubernetes: a non-negative whole number of seconds; the same
                 * bound as `sleep N` below (no cast of an out-of-range double,
                 * found by fuzz_import) */
                if (!(sl->valuedouble >= 0 && sl->valuedouble <= 86400 && sl->valuedouble == floor(sl->valuedouble))) {
                    g_autofree char *sp = g_strdup_printf("%s.sleep.seconds", psp);
                    return fail(imp, sl, sp, "preStop sleep must be a whole number of seconds from 0 to 86400");
                }
                secs = (long long)sl->valuedouble;
            } else if (get(ps, "exec"))
                secs = sleep_seconds(get(ps, "exec"));
            if (!imp->has_lifecycle || !ps)
                note(imp, lc, "lifecycle", "lifecycle hooks: not simulated by this version, ignored");
            else if (secs < 0)
                note(imp, ps, "preStop", "preStop hooks other than `sleep N`: their length is unknown, "
                     "taken as 0s");
            else if (!probes_done) {
                g_autofree char *d = g_strdup_printf("%llds", secs);
                put_str(imp, w, "pre_stop", d, ps, psp);
            }
        }
        probes_done = true;
    }
    const cJSON *tg = get(spec, "terminationGracePeriodSeconds");
    if (tg) {
        g_autofree char *tp = sub(path, "terminationGracePeriodSeconds");
        if (!imp->has_lifecycle)
            note(imp, tg, "terminationGracePeriodSeconds", "terminationGracePeriodSeconds: not simulated "
                 "by this version, ignored");
        else if (cJSON_IsNumber(tg)) {
            g_autofree char *d = g_strdup_printf("%gs", tg->valuedouble);
            put_str(imp, w, "termination_grace", d, tg, tp);
        } else
            put(imp, w, "termination_grace", tg, tp);
    }
    return true;
}

/* Whether an object is made by a controller listed with it (ownerReferences). */
static const char *
controller_owner(const cJSON *obj)
{
    const cJSON *refs = get(get(obj, "metadata"), "ownerReferences"), *r;
    cJSON_ArrayForEach(r, refs) {
        if (cJSON_IsTrue(get(r, "controller")) && cJSON_IsString(get(r, "kind")))
            return get(r, "kind")->valuestring;
    }
    return NULL;
}

/* A Deployment's or DeploymentConfig's strategy (R54). */
static void
strategy(Imp *imp, cJSON *w, const cJSON *spec, const char *path, const char *kind)
{
    const cJSON *st = get(spec, "strategy"), *mr = get(spec, "minReadySeconds");
    if (!st && !mr)
        return;
    if (!imp->has_strategy) {
        note(imp, st ? st : mr, "strategy", "%s: rollout strategies are not simulated by this version, "
             "ignored", st ? "strategy" : "minReadySeconds");
        return;
    }
    g_autofree char *sp = sub(path, "strategy");
    cJSON *o = made(imp, cJSON_CreateObject(), st ? st : mr, sp);
    const cJSON *type = get(st, "type");
    /* Deployment: RollingUpdate / Recreate; DeploymentConfig: Rolling / Recreate */
    if (cJSON_IsString(type)) {
        g_autofree char *tp = sub(sp, "type");
        const char *t = type->valuestring;
        put_str(imp, o, "type", g_str_has_prefix(t, "Rolling") ? "rolling" :
                strcmp(t, "Recreate") == 0 ? "recreate" : t, type, tp);
    }
    const cJSON *params = get(st, "rollingUpdate") ? get(st, "rollingUpdate") : get(st, "rollingParams");
    const char *pname = get(st, "rollingUpdate") ? "rollingUpdate" : "rollingParams";
    g_autofree char *pp = sub(sp, pname);
    const cJSON *ms = get(params, "maxSurge"), *mu = get(params, "maxUnavailable");
    if (ms) {
        g_autofree char *p = sub(pp, "maxSurge");
        put(imp, o, "max_surge", ms, p);
    }
    if (mu) {
        g_autofree char *p = sub(pp, "maxUnavailable");
        put(imp, o, "max_unavailable", mu, p);
    }
    if (cJSON_IsNumber(mr)) {
        g_autofree char *p = sub(path, "minReadySeconds");
        g_autofree char *d = g_strdup_printf("%gs", mr->valuedouble);
        put_str(imp, o, "min_ready", d, mr, p);
    }
    cJSON_AddItemToObject(w, "strategy", o);
}

/* Deployment, DeploymentConfig, ReplicaSet, StatefulSet, ReplicationController. */
static bool
workload(Imp *imp, const cJSON *obj, const char *path, const char *kind)
{
    static const char *const spec_known[] = {"replicas", "template", "selector", "strategy",
                                              "minReadySeconds", NULL};
    const char *name, *nsname;
    if (!meta_names(imp, obj, path, &name, &nsname, true))
        return false;
    const char *owner = controller_owner(obj);
    if (owner) {
        g_autofree char *key = g_strdup_printf("owned %s", kind);
        note(imp, obj, key, "%s objects made by a %s listed with them: skipped (the %s makes them)", kind,
             owner, owner);
        return true;
    }
    g_autofree char *sp = sub(path, "spec");
    const cJSON *spec = get(obj, "spec");
    if (!spec)
        return fail(imp, obj, path, "missing `spec`");
    if (!want_object(imp, spec, sp, "a spec"))
        return false;
    note_unknown(imp, kind, spec, "spec", spec_known);
    meta_notes(imp, kind, obj, false, false);
    g_autofree char *mp = sub(path, "metadata");
    if (!register_object(imp, "deployment", nsname, name, obj, path, kind))
        return false;
    cJSON *ns = ns_get(imp, nsname, obj, path);
    cJSON *w = made(imp, cJSON_CreateObject(), obj, path);
    /* the tree owns it from here, also when a later check fails */
    cJSON_AddItemToArray(ns_list(imp, ns, "deployments", obj, path), w);
    g_autofree char *np = g_strdup_printf("%s.name", mp);
    put_str(imp, w, "name", name, get(get(obj, "metadata"), "name"), np);
    const cJSON *rep = get(spec, "replicas");
    if (rep) {
        g_autofree char *rp = sub(sp, "replicas");
        put(imp, w, "replicas", rep, rp);
    } else {
        /* Kubernetes' default */
        cJSON_AddItemToObject(w, "replicas", made(imp, cJSON_CreateNumber(1), spec, sp));
    }
    const cJSON *tmpl = get(spec, "template");
    g_autofree char *tp = sub(sp, "template");
    if (!tmpl)
        return fail(imp, spec, sp, "missing `template` (the pods' labels and ports)");
    if (!want_object(imp, tmpl, tp, "a pod template"))
        return false;
    g_autofree char *tmp = sub(tp, "metadata");
    const cJSON *tmeta = get(tmpl, "metadata");
    g_autofree char *lp = sub(tmp, "labels");
    if (!string_map(imp, w, "labels", get(tmeta, "labels"), lp))
        return false;
    g_autofree char *tsp = sub(tp, "spec");
    if (!pod_spec(imp, w, get(tmpl, "spec"), tsp, "spec.template.spec", kind))
        return false;
    strategy(imp, w, spec, sp, kind);
    if (strcmp(kind, "StatefulSet") == 0)
        note(imp, obj, "StatefulSet names", "StatefulSet: pods are named <name>-<n> as a deployment's; "
             "per-pod DNS names through serviceName are not simulated");
    return true;
}

/* A bare Pod (R8). */
static bool
pod(Imp *imp, const cJSON *obj, const char *path)
{
    const char *name, *nsname;
    if (!meta_names(imp, obj, path, &name, &nsname, true))
        return false;
    const char *owner = controller_owner(obj);
    if (owner) {
        note(imp, obj, "owned Pod", "Pod objects made by a %s listed with them: skipped (their "
             "controller makes them)", owner);
        return true;
    }
    meta_notes(imp, "Pod", obj, true, false);
    if (!register_object(imp, "pod", nsname, name, obj, path, "Pod"))
        return false;
    cJSON *ns = ns_get(imp, nsname, obj, path);
    cJSON *w = made(imp, cJSON_CreateObject(), obj, path);
    /* the tree owns it from here, also when a later check fails */
    cJSON_AddItemToArray(ns_list(imp, ns, "pods", obj, path), w);
    g_autofree char *mp = sub(path, "metadata");
    g_autofree char *np = sub(mp, "name");
    put_str(imp, w, "name", name, get(get(obj, "metadata"), "name"), np);
    g_autofree char *lp = sub(mp, "labels");
    if (!string_map(imp, w, "labels", get(get(obj, "metadata"), "labels"), lp))
        return false;
    g_autofree char *sp = sub(path, "spec");
    return pod_spec(imp, w, get(obj, "spec"), sp, "spec", "Pod");
}

/* ---- services, routes, policies, namespaces ---- */

/* A Service (R10-R14; LoadBalancer R48). */
static bool
service(Imp *imp, const cJSON *obj, const char *path)
{
    static const char *const spec_known[] = {"selector", "ports", "type", "clusterIP", "clusterIPs",
                                              "sessionAffinity", "externalTrafficPolicy", NULL};
    static const char *const p_known[] = {"port", "targetPort", "name", "protocol", NULL};
    const char *name = NULL, *nsname = NULL;   /* set by meta_names when it succeeds */
    if (!meta_names(imp, obj, path, &name, &nsname, true))
        return false;
    g_autofree char *sp = sub(path, "spec");
    const cJSON *spec = get(obj, "spec");
    if (!spec)
        return fail(imp, obj, path, "missing `spec`");
    if (!want_object(imp, spec, sp, "a spec"))
        return false;
    const cJSON *type = get(spec, "type");
    g_autofree char *typ = sub(sp, "type");
    const char *t = "ClusterIP";
    if (type) {
        if (!want_string(imp, type, typ))
            return false;
        t = type->valuestring;
        static const char *const types[] = {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName", NULL};
        bool known = false;
        for (int i = 0; types[i] && !known; i++)
            known = strcmp(t, types[i]) == 0;
        if (!known) {
            const char *hint = rs_closest(t, types, 4);
            return fail(imp, type, typ, "unknown service type `%s`%s%s%s", t, hint ? " (did you mean `" : "",
                        hint ? hint : "", hint ? "`?)" : " (ClusterIP, NodePort, LoadBalancer, ExternalName)");
        }
    }
    if (strcmp(t, "ExternalName") == 0) {
        note(imp, obj, "ExternalName", "Service type ExternalName: not simulated, skipped");
        return true;
    }
    bool lb = strcmp(t, "LoadBalancer") == 0 && imp->has_lb;
    if (strcmp(t, "NodePort") == 0)
        note(imp, type, "NodePort", "Service type NodePort: simulated as ClusterIP (Rahti does not "
             "expose node ports)");
    if (strcmp(t, "LoadBalancer") == 0 && !imp->has_lb)
        note(imp, type, "LoadBalancer", "Service type LoadBalancer: simulated as ClusterIP (the %s "
             "platform has no load balancers, R48; import with --platform rahti-2)", pf_name(imp));
    note_unknown(imp, "Service", spec, "spec", spec_known);
    meta_notes(imp, "Service", obj, false, lb);
    if (!register_object(imp, "service", nsname, name, obj, path, "Service"))
        return false;
    cJSON *ns = ns_get(imp, nsname, obj, path);
    cJSON *s = made(imp, cJSON_CreateObject(), obj, path);
    /* the tree owns it from here, also when a later check fails */
    cJSON_AddItemToArray(ns_list(imp, ns, "services", obj, path), s);
    g_autofree char *mp = sub(path, "metadata");
    g_autofree char *np = sub(mp, "name");
    put_str(imp, s, "name", name, get(get(obj, "metadata"), "name"), np);
    if (lb)
        put_str(imp, s, "type", "load-balancer", type, typ);
    g_autofree char *selp = sub(sp, "selector");
    const cJSON *sel = get(spec, "selector");
    if (!sel)
        note(imp, spec, "selectorless", "Services without a selector (endpoints managed by hand): "
             "simulated with no endpoints");
    if (!string_map(imp, s, "selector", sel, selp))
        return false;
    const cJSON *cip = get(spec, "clusterIP");
    if (cip) {
        g_autofree char *cp = sub(sp, "clusterIP");
        if (!want_string(imp, cip, cp))
            return false;
        if (strcmp(cip->valuestring, "None") == 0)
            put_str(imp, s, "cluster_ip", "none", cip, cp);
        else if (*cip->valuestring)
            put(imp, s, "cluster_ip", cip, cp);
    }
    const cJSON *aff = get(spec, "sessionAffinity");
    if (aff) {
        g_autofree char *ap = sub(sp, "sessionAffinity");
        if (!want_string(imp, aff, ap))
            return false;
        if (strcmp(aff->valuestring, "ClientIP") == 0)
            put_str(imp, s, "affinity", "client-ip", aff, ap);
        else if (strcmp(aff->valuestring, "None") != 0)
            return fail(imp, aff, ap, "unknown sessionAffinity `%s` (None or ClientIP)", aff->valuestring);
    }
    const cJSON *etp = get(spec, "externalTrafficPolicy");
    if (etp && lb) {
        g_autofree char *ep = sub(sp, "externalTrafficPolicy");
        if (!want_string(imp, etp, ep))
            return false;
        put_str(imp, s, "external_traffic_policy", strcmp(etp->valuestring, "Local") == 0 ? "local"
                : strcmp(etp->valuestring, "Cluster") == 0 ? "cluster" : etp->valuestring, etp, ep);
    }
    const cJSON *ann = get(get(obj, "metadata"), "annotations");
    if (ann && lb) {
        g_autofree char *ap = g_strdup_printf("%s.annotations", mp);
        if (!string_map(imp, s, "annotations", ann, ap))
            return false;
    }
    const cJSON *ports = get(spec, "ports");
    g_autofree char *pp = sub(sp, "ports");
    if (ports && !want_array(imp, ports, pp))
        return false;
    cJSON *out = NULL;
    int i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, ports) {
        g_autofree char *pi = idx(pp, i++);
        if (!want_object(imp, p, pi, "a service port"))
            return false;
        note_unknown(imp, "Service", p, "spec.ports[]", p_known);
        const cJSON *proto = get(p, "protocol");
        if (proto && cJSON_IsString(proto) && strcmp(proto->valuestring, "TCP") != 0) {
            g_autofree char *key = g_strdup_printf("protocol %s", proto->valuestring);
            note(imp, proto, key, "%s ports: not simulated (rahtisim models TCP), skipped", proto->valuestring);
            continue;
        }
        if (!out) {
            out = made(imp, cJSON_CreateArray(), ports, pp);
            cJSON_AddItemToObject(s, "ports", out);
        }
        cJSON *o = made(imp, cJSON_CreateObject(), p, pi);
        cJSON_AddItemToArray(out, o);
        const cJSON *port = get(p, "port"), *tp = get(p, "targetPort"), *pn = get(p, "name");
        if (!port)
            return fail(imp, p, pi, "missing `port`");
        g_autofree char *ppp = sub(pi, "port");
        put(imp, o, "port", port, ppp);
        if (tp) {
            g_autofree char *tpp = sub(pi, "targetPort");
            put(imp, o, "target_port", tp, tpp);
        }
        if (pn) {
            g_autofree char *pnp = sub(pi, "name");
            if (!want_string(imp, pn, pnp))
                return false;
            put(imp, o, "name", pn, pnp);
        }
    }
    return true;
}

/* A Route (R22-R31). */
static bool
route(Imp *imp, const cJSON *obj, const char *path)
{
    static const char *const spec_known[] = {"host", "path", "to", "alternateBackends", "port", "tls",
                                              "wildcardPolicy", NULL};
    static const char *const tls_known[] = {"termination", "insecureEdgeTerminationPolicy", "certificate",
                                             "key", "caCertificate", "destinationCACertificate", NULL};
    const char *name, *nsname;
    if (!meta_names(imp, obj, path, &name, &nsname, true))
        return false;
    g_autofree char *sp = sub(path, "spec");
    const cJSON *spec = get(obj, "spec");
    if (!spec)
        return fail(imp, obj, path, "missing `spec`");
    if (!want_object(imp, spec, sp, "a spec"))
        return false;
    note_unknown(imp, "Route", spec, "spec", spec_known);
    meta_notes(imp, "Route", obj, false, true);
    if (!register_object(imp, "route", nsname, name, obj, path, "Route"))
        return false;
    cJSON *ns = ns_get(imp, nsname, obj, path);
    cJSON *r = made(imp, cJSON_CreateObject(), obj, path);
    /* the tree owns it from here, also when a later check fails */
    cJSON_AddItemToArray(ns_list(imp, ns, "routes", obj, path), r);
    g_autofree char *mp = sub(path, "metadata");
    g_autofree char *np = sub(mp, "name");
    put_str(imp, r, "name", name, get(get(obj, "metadata"), "name"), np);
    const cJSON *to = get(spec, "to");
    g_autofree char *top = sub(sp, "to");
    if (!to)
        return fail(imp, spec, sp, "missing `to` (the service the route sends to)");
    if (!want_object(imp, to, top, "a backend"))
        return false;
    const cJSON *tk = get(to, "kind"), *tn = get(to, "name"), *tw = get(to, "weight");
    g_autofree char *tkp = sub(top, "kind");
    g_autofree char *tnp = sub(top, "name");
    if (tk && (!want_string(imp, tk, tkp)))
        return false;
    if (tk && strcmp(tk->valuestring, "Service") != 0)
        return fail(imp, tk, tkp, "a route sends to a `Service`, not a `%s`", tk->valuestring);
    if (!tn)
        return fail(imp, to, top, "missing `name`");
    if (!want_string(imp, tn, tnp))
        return false;
    put(imp, r, "service", tn, tnp);
    if (tw) {
        g_autofree char *twp = sub(top, "weight");
        put(imp, r, "weight", tw, twp);
    }
    const cJSON *host = get(spec, "host"), *rpath = get(spec, "path");
    if (host) {
        g_autofree char *hp = sub(sp, "host");
        if (!want_string(imp, host, hp))
            return false;
        if (*host->valuestring)
            put(imp, r, "host", host, hp);
    }
    if (rpath) {
        g_autofree char *rp = sub(sp, "path");
        put(imp, r, "path", rpath, rp);
    }
    const cJSON *port = get(get(spec, "port"), "targetPort");
    if (port) {
        g_autofree char *pp = g_strdup_printf("%s.port.targetPort", sp);
        put(imp, r, "target_port", port, pp);
    }
    const cJSON *alts = get(spec, "alternateBackends");
    if (alts) {
        g_autofree char *ap = sub(sp, "alternateBackends");
        if (!want_array(imp, alts, ap))
            return false;
        cJSON *out = made(imp, cJSON_CreateArray(), alts, ap);
        cJSON_AddItemToObject(r, "alternate_backends", out);
        int i = 0;
        const cJSON *a;
        cJSON_ArrayForEach(a, alts) {
            g_autofree char *ai = idx(ap, i++);
            if (!want_object(imp, a, ai, "a backend"))
                return false;
            cJSON *o = made(imp, cJSON_CreateObject(), a, ai);
            cJSON_AddItemToArray(out, o);
            const cJSON *an = get(a, "name"), *aw = get(a, "weight");
            if (!an)
                return fail(imp, a, ai, "missing `name`");
            g_autofree char *anp = sub(ai, "name");
            g_autofree char *awp = sub(ai, "weight");
            put(imp, o, "service", an, anp);
            if (aw)
                put(imp, o, "weight", aw, awp);
        }
    }
    const cJSON *tls = get(spec, "tls");
    if (tls) {
        g_autofree char *tp = sub(sp, "tls");
        if (!want_object(imp, tls, tp, "a TLS configuration"))
            return false;
        note_unknown(imp, "Route", tls, "spec.tls", tls_known);
        const cJSON *term = get(tls, "termination"), *ins = get(tls, "insecureEdgeTerminationPolicy");
        g_autofree char *termp = sub(tp, "termination");
        g_autofree char *insp = sub(tp, "insecureEdgeTerminationPolicy");
        if (!term)
            return fail(imp, tls, tp, "missing `termination` (edge, passthrough or reencrypt)");
        if (!want_string(imp, term, termp))
            return false;
        /* OpenShift takes the termination in lower case (Edge is refused by the API) */
        put(imp, r, "tls", term, termp);
        if (ins) {
            if (!want_string(imp, ins, insp))
                return false;
            const char *v = ins->valuestring;
            const char *w = strcmp(v, "None") == 0 || !*v ? "none" : strcmp(v, "Allow") == 0 ? "allow"
                          : strcmp(v, "Redirect") == 0 ? "redirect" : NULL;
            if (!w)
                return fail(imp, ins, insp, "unknown insecureEdgeTerminationPolicy `%s` (None, Allow or "
                            "Redirect)", v);
            put_str(imp, r, "insecure", w, ins, insp);
        }
        const cJSON *cert = get(tls, "certificate");
        if (cert && host && cJSON_IsString(host) && *host->valuestring) {
            g_autofree char *cp = sub(tp, "certificate");
            cJSON_AddItemToObject(r, "certificate", made(imp, cJSON_CreateTrue(), cert, cp));
        }
    }
    const cJSON *ann = get(get(obj, "metadata"), "annotations");
    if (ann) {
        g_autofree char *ap = sub(mp, "annotations");
        if (!string_map(imp, r, "annotations", ann, ap))
            return false;
    }
    return true;
}

/* A NetworkPolicy's spec, its camelCase keys turned into the scenario's
 * snake_case ones (scenario-format.md "Additions"; R40-R47). */
static cJSON *
policy_copy(Imp *imp, const cJSON *v, const char *path, bool *ok)
{
    static const char *const from[] = {"podSelector", "namespaceSelector", "matchLabels",
                                        "matchExpressions", "ipBlock", "policyTypes", "endPort", NULL};
    static const char *const to[] = {"pod_selector", "namespace_selector", "match_labels",
                                      "match_expressions", "ip_block", "policy_types", "end_port", NULL};
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return copy(imp, v, path);
    cJSON *c = made(imp, cJSON_IsArray(v) ? cJSON_CreateArray() : cJSON_CreateObject(), v, path);
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        g_autofree char *p = cJSON_IsArray(v) ? idx(path, i++) : sub(path, e->string);
        cJSON *x = policy_copy(imp, e, p, ok);
        if (cJSON_IsArray(v)) {
            cJSON_AddItemToArray(c, x);
            continue;
        }
        const char *key = e->string;
        for (int k = 0; from[k]; k++)
            if (strcmp(key, from[k]) == 0)
                key = to[k];
        cJSON_AddItemToObject(c, key, x);
    }
    return c;
}

/* A NetworkPolicy (R40-R47). */
static bool
network_policy(Imp *imp, const cJSON *obj, const char *path)
{
    const char *name, *nsname;
    if (!meta_names(imp, obj, path, &name, &nsname, true))
        return false;
    if (!imp->has_policies) {
        note(imp, obj, "NetworkPolicy", "NetworkPolicy: not simulated by this version, skipped");
        return true;
    }
    g_autofree char *sp = sub(path, "spec");
    const cJSON *spec = get(obj, "spec");
    if (!spec)
        return fail(imp, obj, path, "missing `spec`");
    if (!want_object(imp, spec, sp, "a spec"))
        return false;
    meta_notes(imp, "NetworkPolicy", obj, false, false);
    if (!register_object(imp, "network_policy", nsname, name, obj, path, "NetworkPolicy"))
        return false;
    cJSON *ns = ns_get(imp, nsname, obj, path);
    bool ok = true;
    cJSON *p = policy_copy(imp, spec, sp, &ok);
    g_autofree char *np = g_strdup_printf("%s.metadata.name", path);
    if (*path == '\0') {
        g_free(np);
        np = g_strdup("metadata.name");
    }
    cJSON_AddItemToObject(p, "name", made(imp, cJSON_CreateString(name), get(get(obj, "metadata"), "name"), np));
    cJSON_AddItemToArray(ns_list(imp, ns, "network_policies", obj, path), p);
    /* the spec's podSelector is required in Kubernetes; an empty one selects all pods */
    if (!cJSON_GetObjectItemCaseSensitive(p, "pod_selector"))
        return fail(imp, spec, sp, "missing `podSelector` (`{}` selects every pod of the namespace)");
    return ok;
}

/* A Namespace or Project. */
static bool
namespace_obj(Imp *imp, const cJSON *obj, const char *path, const char *kind)
{
    const char *name, *unused = NULL;
    if (!meta_names(imp, obj, path, &name, &unused, false))
        return false;
    meta_notes(imp, kind, obj, imp->has_labels, false);
    if (!register_object(imp, "namespace", "", name, obj, path, kind))
        return false;
    cJSON *ns = ns_get(imp, name, obj, path);
    const cJSON *labels = get(get(obj, "metadata"), "labels");
    if (labels && imp->has_labels) {
        g_autofree char *lp = g_strdup_printf("%s%smetadata.labels", path, *path ? "." : "");
        if (!string_map(imp, ns, "labels", labels, lp))
            return false;
    }
    if (get(obj, "spec")) {
        g_autofree char *key = g_strdup_printf("%s spec", kind);
        note(imp, get(obj, "spec"), key, "%s `spec`: not part of the network model, ignored", kind);
    }
    return true;
}

/* ---- kinds and API groups ---- */

typedef enum { K_NS, K_PROJECT, K_POD, K_SERVICE, K_WORKLOAD, K_ROUTE, K_POLICY, K_LIST, K_SKIP } KindAct;

typedef struct {
    const char *kind;
    const char *api;            /* space-separated apiVersions it is served under */
    KindAct act;
} KindRow;

/* Every kind of the built-in API groups a manifest folder commonly holds;
 * K_SKIP ones are listed in the notes.  Old apiVersions Kubernetes removed
 * (extensions/v1beta1 ...) are still read, as `oc get` of an old cluster gives them. */
static const KindRow kinds[] = {
    {"Namespace", "v1", K_NS},
    {"Project", "project.openshift.io/v1 v1", K_PROJECT},
    {"ProjectRequest", "project.openshift.io/v1 v1", K_PROJECT},
    {"Pod", "v1", K_POD},
    {"Service", "v1", K_SERVICE},
    {"Deployment", "apps/v1 apps/v1beta2 apps/v1beta1 extensions/v1beta1", K_WORKLOAD},
    {"ReplicaSet", "apps/v1 apps/v1beta2 extensions/v1beta1", K_WORKLOAD},
    {"StatefulSet", "apps/v1 apps/v1beta2 apps/v1beta1", K_WORKLOAD},
    {"ReplicationController", "v1", K_WORKLOAD},
    {"DeploymentConfig", "apps.openshift.io/v1 v1", K_WORKLOAD},
    {"Route", "route.openshift.io/v1 v1", K_ROUTE},
    {"NetworkPolicy", "networking.k8s.io/v1 extensions/v1beta1", K_POLICY},
    {"List", "v1", K_LIST},
    {"DaemonSet", "apps/v1 apps/v1beta2 extensions/v1beta1", K_SKIP},
    {"ControllerRevision", "apps/v1", K_SKIP},
    {"ConfigMap", "v1", K_SKIP},
    {"Secret", "v1", K_SKIP},
    {"ServiceAccount", "v1", K_SKIP},
    {"PersistentVolumeClaim", "v1", K_SKIP},
    {"PersistentVolume", "v1", K_SKIP},
    {"Endpoints", "v1", K_SKIP},
    {"Event", "v1", K_SKIP},
    {"LimitRange", "v1", K_SKIP},
    {"ResourceQuota", "v1", K_SKIP},
    {"Node", "v1", K_SKIP},
    {"EndpointSlice", "discovery.k8s.io/v1", K_SKIP},
    {"Ingress", "networking.k8s.io/v1 extensions/v1beta1", K_SKIP},
    {"IngressClass", "networking.k8s.io/v1", K_SKIP},
    {"Job", "batch/v1", K_SKIP},
    {"CronJob", "batch/v1 batch/v1beta1", K_SKIP},
    {"HorizontalPodAutoscaler", "autoscaling/v1 autoscaling/v2", K_SKIP},
    {"PodDisruptionBudget", "policy/v1 policy/v1beta1", K_SKIP},
    {"Role", "rbac.authorization.k8s.io/v1", K_SKIP},
    {"RoleBinding", "rbac.authorization.k8s.io/v1", K_SKIP},
    {"ClusterRole", "rbac.authorization.k8s.io/v1", K_SKIP},
    {"ClusterRoleBinding", "rbac.authorization.k8s.io/v1", K_SKIP},
    {"ImageStream", "image.openshift.io/v1", K_SKIP},
    {"ImageStreamTag", "image.openshift.io/v1", K_SKIP},
    {"BuildConfig", "build.openshift.io/v1", K_SKIP},
    {"Build", "build.openshift.io/v1", K_SKIP},
    {"Template", "template.openshift.io/v1", K_SKIP},
    {NULL, NULL, K_SKIP},
};

/* Whether `api` is one of the space-separated words of `list`. */
static bool
api_in(const char *list, const char *api)
{
    size_t n = strlen(api);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, api, n) == 0)
            return true;
        p += len + (e ? 1 : 0);
    }
    return false;
}

/* The API group of an apiVersion ("" for the core group "v1"). */
static char *
api_group(const char *api)
{
    const char *slash = strrchr(api, '/');
    return slash ? g_strndup(api, (gsize)(slash - api)) : g_strdup("");
}

/* Whether the group is one of the built-in ones the table covers (a kind
 * not in the table under such a group is a mistake, not a custom resource). */
static bool
builtin_group(const char *group)
{
    for (int i = 0; kinds[i].kind; i++) {
        for (const char *p = kinds[i].api; *p;) {
            const char *e = strchr(p, ' ');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            g_autofree char *api = g_strndup(p, len);
            g_autofree char *g = api_group(api);
            if (strcmp(g, group) == 0)
                return true;
            p += len + (e ? 1 : 0);
        }
    }
    return false;
}

static bool object(Imp *imp, const cJSON *obj, const char *path);

/* A List's items, each an object. */
static bool
list(Imp *imp, const cJSON *obj, const char *path)
{
    const cJSON *items = get(obj, "items");
    g_autofree char *ip = sub(path, "items");
    if (!items)
        return true;
    if (!want_array(imp, items, ip))
        return false;
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, items) {
        g_autofree char *p = idx(ip, i++);
        if (!object(imp, it, p))
            return false;
    }
    return true;
}

/* One manifest object: checks apiVersion/kind and translates it. */
static bool
object(Imp *imp, const cJSON *obj, const char *path)
{
    if (!want_object(imp, obj, path, "a Kubernetes object"))
        return false;
    const cJSON *av = get(obj, "apiVersion"), *k = get(obj, "kind");
    g_autofree char *avp = sub(path, "apiVersion");
    g_autofree char *kp = sub(path, "kind");
    if (!av)
        return fail(imp, obj, path, "missing `apiVersion` (not a Kubernetes object)");
    if (!k)
        return fail(imp, obj, path, "missing `kind` (not a Kubernetes object)");
    if (!want_string(imp, av, avp) || !want_string(imp, k, kp))
        return false;
    const char *api = av->valuestring, *kind = k->valuestring;
    const KindRow *row = NULL;
    for (int i = 0; kinds[i].kind && !row; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            row = &kinds[i];
    g_autofree char *group = api_group(api);
    if (!row && g_str_has_suffix(kind, "List") && strlen(kind) > 4)
        return list(imp, obj, path);    /* DeploymentList, RouteList ... as `oc get` writes them */
    if (row && !api_in(row->api, api)) {
        g_autofree char *first = g_strndup(row->api, strcspn(row->api, " "));
        return fail(imp, av, avp, "kind `%s` is not served by apiVersion `%s` (it is `%s`)", kind, api, first);
    }
    if (!row && builtin_group(group)) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        for (int i = 0; kinds[i].kind; i++)
            g_ptr_array_add(names, (gpointer)kinds[i].kind);
        const char *hint = rs_closest(kind, (const char *const *)names->pdata, names->len);
        if (hint)
            return fail(imp, k, kp, "unknown kind `%s` in apiVersion `%s` (did you mean `%s`?)", kind, api, hint);
        g_autofree char *key = g_strdup_printf("kind %s %s", api, kind);
        note(imp, obj, key, "%s (%s): not simulated, skipped", kind, api);
        return true;
    }
    if (!row || row->act == K_SKIP) {
        g_autofree char *key = g_strdup_printf("kind %s %s", api, kind);
        note(imp, obj, key, "%s (%s): not simulated, skipped", kind, api);
        return true;
    }
    if (strstr(api, "beta") != NULL) {
        g_autofree char *key = g_strdup_printf("beta %s %s", api, kind);
        note(imp, av, key, "%s (%s): an API version Kubernetes removed; read as its current version", kind, api);
    }
    if (get(obj, "status"))
        note(imp, get(obj, "status"), "status", "`status`: the observed state; the simulator computes its own");
    switch (row->act) {
    case K_NS:
        return namespace_obj(imp, obj, path, "Namespace");
    case K_PROJECT:
        return namespace_obj(imp, obj, path, "Project");
    case K_POD:
        return pod(imp, obj, path);
    case K_SERVICE:
        return service(imp, obj, path);
    case K_WORKLOAD:
        return workload(imp, obj, path, kind);
    case K_ROUTE:
        return route(imp, obj, path);
    case K_POLICY:
        return network_policy(imp, obj, path);
    case K_LIST:
        return list(imp, obj, path);
    case K_SKIP:
        break;
    }
    return true;
}

/* ---- files and folders ---- */

/* Whether a file name is one `kubectl apply -f DIR` reads. */
static bool
manifest_name(const char *name)
{
    return g_str_has_suffix(name, ".yaml") || g_str_has_suffix(name, ".yml") || g_str_has_suffix(name, ".json");
}

/* Adds the manifest files under a folder to `files`, sorted, recursively. */
static bool
walk(const char *dir, GPtrArray *files, unsigned depth, GError **error)
{
    if (depth > 32) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO, "%s: folders nested too deep", dir);
        return false;
    }
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
    if (!d) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO, "%s: cannot read: %s", dir, local->message);
        return false;
    }
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (n[0] != '.')        /* hidden files and folders (.git) are not manifests */
            g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, (GCompareFunc)(void *)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
        char *p = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR)) {
            bool ok = walk(p, files, depth + 1, error);
            g_free(p);
            if (!ok)
                return false;
        } else if (manifest_name(p)) {
            g_ptr_array_add(files, p);
        } else {
            g_free(p);
        }
    }
    return true;
}

/* Sorts pointers to strings. */
static gint
str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Translates one file's text. */
static bool
import_data(Imp *imp, const char *name, const char *data, size_t len, GError **error)
{
    g_autoptr(GHashTable) pos = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GPtrArray) docs = rs_yaml_parse(name, data, len, pos, error);
    if (!docs)
        return false;
    imp->file = name;
    imp->file_index++;
    imp->pos = pos;
    imp->error = error;
    bool ok = true;
    for (guint i = 0; i < docs->len && ok; i++) {
        const cJSON *d = g_ptr_array_index(docs, i);
        if (!cJSON_IsNull(d))   /* an empty document (`---` at the end), as kubectl skips it */
            ok = object(imp, d, "");
    }
    imp->pos = NULL;
    /* notes keep a copy of the file name; origins intern it */
    return ok;
}

/* Reads and translates one file ("-": stdin, or the text given). */
static bool
import_file(Imp *imp, const char *path, const GString *stdin_text, GError **error)
{
    g_autofree char *data = NULL;
    size_t len = 0;
    bool is_stdin = strcmp(path, "-") == 0;
    if (is_stdin && stdin_text)
        return import_data(imp, imp->stdin_name, stdin_text->str, stdin_text->len, error);
    if (!rs_yaml_read(path, &data, &len, error))
        return false;
    return import_data(imp, is_stdin ? RS_IMPORT_STDIN_NAME : path, data, len, error);
}

/* Probes whether the loader accepts a scenario fragment (a key other
 * issues add to the format): one tiny load, no files. */
static bool
feature_probe(const char *platform, const char *ns_keys, const char *deployment_keys, const char *service_keys)
{
    g_autofree char *text = g_strdup_printf(
        "{\"name\": \"probe\", \"platform\": \"%s\", \"namespaces\": [{\"name\": \"p\"%s, \"deployments\": [{\"name\": \"d\", "
        "\"replicas\": 1, \"labels\": {\"app\": \"d\"}, \"ports\": [8080]%s}], \"services\": [{\"name\": \"s\", "
        "\"selector\": {\"app\": \"d\"}, \"ports\": [{\"port\": 30080, \"target_port\": 8080}]%s}]}]}",
        platform, ns_keys, deployment_keys, service_keys);
    g_autoptr(GError) err = NULL;
    g_autoptr(RsScenario) sc = rs_scenario_load_data("probe", text, strlen(text), NULL, &err);
    return sc != NULL;
}

/* The name of an import: the first path's base name without extension. */
static char *
default_name(const char *path)
{
    if (strcmp(path, "-") == 0)
        return g_strdup("stdin");
    g_autofree char *trimmed = g_strdup(path);
    size_t n = strlen(trimmed);
    while (n > 1 && trimmed[n - 1] == '/')
        trimmed[--n] = '\0';
    g_autofree char *base = g_path_get_basename(trimmed);
    char *dot = strrchr(base, '.');
    if (dot && dot != base && manifest_name(base))
        *dot = '\0';
    return strcmp(base, ".") == 0 || strcmp(base, "/") == 0 ? g_strdup("manifests") : g_strdup(base);
}

/* Orders notes by file, line and column. */
static gint
note_cmp(gconstpointer a, gconstpointer b)
{
    const Note *x = *(const Note *const *)a, *y = *(const Note *const *)b;
    if (x->file_index != y->file_index)
        return x->file_index < y->file_index ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->col > y->col) - (x->col < y->col);
}

/* Imports paths into a new scenario document (see import-private.h). */
RsJsonDoc *
rs_import_doc(char *const *paths, unsigned n_paths, const GString *stdin_text, const RsImportOptions *opts,
              GPtrArray *warnings, GError **error)
{
    cJSON *root = cJSON_CreateObject();
    g_autofree char *name = opts && opts->name ? g_strdup(opts->name)
                                               : default_name(n_paths ? paths[0] : "manifests");
    const char *first = n_paths == 0 ? "<import>" : strcmp(paths[0], "-") != 0 ? paths[0]
                      : opts && opts->stdin_name ? opts->stdin_name : RS_IMPORT_STDIN_NAME;
    g_autoptr(RsJsonDoc) out = rs_jsonc_new_tree(first, root);
    cJSON_AddStringToObject(root, "name", name);
    g_autoptr(GString) desc = g_string_new("Imported from");
    for (unsigned i = 0; i < n_paths; i++)
        g_string_append_printf(desc, " %s", paths[i]);
    cJSON_AddStringToObject(root, "description", desc->str);
    cJSON *notes_json = cJSON_AddArrayToObject(root, "import_notes");
    Imp imp = {
        .out = out,
        .namespaces = cJSON_AddArrayToObject(root, "namespaces"),
        .ns_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
        .note_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .notes = g_ptr_array_new_with_free_func(note_free),
        .warnings = warnings,
        .default_ns = opts && opts->default_namespace ? opts->default_namespace : "default",
        .default_ns_given = opts && opts->default_namespace,
        .stdin_name = opts && opts->stdin_name ? opts->stdin_name : RS_IMPORT_STDIN_NAME,
        .platform = opts ? opts->platform : NULL,
    };
    /* the keys other issues add to the format, as the spec writes them */
    const char *pf = opts && opts->platform ? opts->platform : "rahti-1";
    if (opts && opts->platform)
        cJSON_AddStringToObject(root, "platform", opts->platform);
    imp.has_labels = feature_probe(pf, ", \"labels\": {\"team\": \"x\"}", "", "");
    imp.has_policies = feature_probe(pf, ", \"network_policies\": [{\"name\": \"n\", \"pod_selector\": {}}]", "", "");
    imp.has_lb = feature_probe(pf, "", "", ", \"type\": \"load-balancer\"");
    imp.has_probes = feature_probe(pf, "", ", \"readiness\": {\"period\": \"5s\", \"failure_threshold\": 3}", "");
    imp.has_strategy = feature_probe(pf, "", ", \"strategy\": {\"type\": \"rolling\", \"max_surge\": \"25%\"}", "");
    imp.has_lifecycle = feature_probe(pf, "", ", \"pre_stop\": \"5s\", \"termination_grace\": \"30s\"", "");
    bool ok = true;
    for (unsigned i = 0; i < n_paths && ok; i++) {
        const char *p = paths[i];
        if (strcmp(p, "-") != 0 && g_file_test(p, G_FILE_TEST_IS_DIR)) {
            g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
            ok = walk(p, files, 0, error);
            if (ok && files->len == 0) {
                /* like `kubectl apply -f DIR`: "no objects passed to apply" */
                g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO, "%s: is a directory with no "
                            "manifests in it (*.yaml, *.yml, *.json)", p);
                ok = false;
            }
            g_ptr_array_sort(files, str_ptr_cmp);
            for (guint k = 0; ok && k < files->len; k++)
                ok = import_file(&imp, g_ptr_array_index(files, k), NULL, error);
        } else {
            ok = import_file(&imp, p, stdin_text, error);
        }
    }
    g_ptr_array_sort(imp.notes, note_cmp);
    for (guint i = 0; ok && i < imp.notes->len; i++) {
        Note *n = g_ptr_array_index(imp.notes, i);
        g_autofree char *text = n->count > 1 ? g_strdup_printf("%s:%d:%d: %s (%u times)", n->file, n->line,
                                                               n->col, n->text, n->count)
                                             : g_strdup_printf("%s:%d:%d: %s", n->file, n->line, n->col, n->text);
        cJSON_AddItemToArray(notes_json, cJSON_CreateString(text));
    }
    g_hash_table_unref(imp.ns_by_name);
    g_hash_table_unref(imp.objects);
    g_hash_table_unref(imp.note_index);
    g_ptr_array_unref(imp.notes);
    return ok ? g_steal_pointer(&out) : NULL;
}
