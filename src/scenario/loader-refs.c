/* loader-refs.c: pass 2: every name the file uses must name something the
 * file declares (or an `apply` event creates).
 *
 * A route's and an alternate backend's service live in the route's
 * namespace (R2, R20); a pod is a bare pod or `<deployment>-<n>` of a
 * declared deployment (R6: replacements count up, so any n is a pod the
 * deployment may have); `from` is a pod, a deployment (ns/name) or a host;
 * an unqualified `remove` must be unambiguous ("kind-qualified when names
 * collide").  Errors carry a "did you mean" hint where one is close.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rahtisim/util.h"
#include "scenario/loader-internal.h"

static const char *const kind_words[] = {"object", "pod", "deployment", "service", "route",
                                         "network_policy"};

/* qsort comparison of two C strings. */
static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The closest name of a kind in a namespace, for a hint (NULL if none). */
static const char *
closest_in(LdNs *ns, RsObjKind kind, const char *name)
{
    if (!ns)
        return NULL;
    /* the names held, as the name tables hold them (loader-names.c) */
    g_autofree const char **names = g_new(const char *, ns->n_objs + 1);
    guint n = 0;
    for (guint i = 0; i < ns->n_objs; i++) {
        const LdObj *o = ns->objs[i];
        if (o->kind == kind)
            names[n++] = ld_obj_name(o);
    }
    /* sort so that ties are decided the same way on every run; a name
     * declared twice counts once */
    qsort(names, n, sizeof *names, cmp_str);
    guint u = 0;
    for (guint i = 0; i < n; i++)
        if (u == 0 || strcmp(names[u - 1], names[i]) != 0)
            names[u++] = names[i];
    return u ? rs_closest(name, names, u) : NULL;
}

/* Fails with "no KIND `name` in namespace `ns`", plus a hint. */
static bool
missing(Ld *ld, const LdRef *r, LdNs *ns, RsObjKind kind, const char *extra)
{
    if (!ns)
        return ld_fail(ld, r->node, false, r->path, "unknown namespace `%s` in %s `%s/%s`", r->ns,
                       r->what, r->ns, r->name);
    const char *hint = closest_in(ns, kind, r->name);
    g_autofree char *h = hint ? g_strdup_printf(" (did you mean `%s`?)", hint) : g_strdup("");
    return ld_fail(ld, r->node, false, r->path, "%s: no %s `%s` in namespace `%s`%s%s", r->what,
                   kind_words[kind], r->name, r->ns, h, extra ? extra : "");
}

/* Resolves one reference. */
static bool
resolve_one(Ld *ld, LdRef *r)
{
    LdNs *ns = ld_ns_lookup(ld, r->ns);
    switch (r->kind) {
    case LD_REF_SERVICE:
        return ld_obj_lookup(ns, RS_KIND_SERVICE, r->name) ? true : missing(ld, r, ns, RS_KIND_SERVICE, NULL);
    case LD_REF_DEPLOYMENT:
        if (ld_obj_lookup(ns, RS_KIND_DEPLOYMENT, r->name))
            return true;
        return missing(ld, r, ns, RS_KIND_DEPLOYMENT,
                       ld_obj_lookup(ns, RS_KIND_POD, r->name) ? " (it is a bare pod)" : NULL);
    case LD_REF_ROUTE:
        return ld_obj_lookup(ns, RS_KIND_ROUTE, r->name) ? true : missing(ld, r, ns, RS_KIND_ROUTE, NULL);
    case LD_REF_POD:
        if (ld_pod_declared(ld, r->ns, r->name))
            return true;
        return missing(ld, r, ns, RS_KIND_POD,
                       "; name a bare pod or `<deployment>-<n>` of a deployment");
    case LD_REF_ANY: {
        if (!ns)
            return missing(ld, r, ns, RS_KIND_ANY, NULL);
        if (*r->kind_out != RS_KIND_ANY) {
            RsObjKind k = *r->kind_out;
            bool found = k == RS_KIND_POD ? ld_pod_declared(ld, r->ns, r->name)
                                          : ld_obj_lookup(ns, k, r->name) != NULL;
            return found ? true : missing(ld, r, ns, k, NULL);
        }
        RsObjKind found = RS_KIND_ANY;
        GString *all = g_string_new(NULL);
        for (RsObjKind k = RS_KIND_POD; k <= RS_KIND_LAST; k++) {
            bool f = k == RS_KIND_POD ? ld_pod_declared(ld, r->ns, r->name)
                                      : ld_obj_lookup(ns, k, r->name) != NULL;
            if (f) {
                g_string_append_printf(all, "%s%s", found == RS_KIND_ANY ? "" : " and a ", kind_words[k]);
                if (found != RS_KIND_ANY) {
                    g_autofree char *names = g_string_free(all, FALSE);
                    return ld_fail(ld, r->node, false, r->path,
                                   "`%s/%s` is ambiguous: it names a %s; write `%s/%s/%s`", r->ns,
                                   r->name, names, r->ns, kind_words[found], r->name);
                }
                found = k;
            }
        }
        g_string_free(all, TRUE);
        if (found == RS_KIND_ANY)
            return ld_fail(ld, r->node, false, r->path,
                           "%s: nothing is named `%s` in namespace `%s`", r->what, r->name, r->ns);
        *r->kind_out = found;
        return true;
    }
    case LD_REF_FROM: {
        RsFrom *f = r->from_out;
        if (!r->ns) {
            if (g_hash_table_lookup(ld->hosts, r->name)) {
                f->kind = RS_FROM_HOST;
                return true;
            }
            for (guint i = 0; i < ld->nss->len; i++) {
                LdNs *n = g_ptr_array_index(ld->nss, i);
                if (ld_obj_lookup(n, RS_KIND_DEPLOYMENT, r->name) || ld_pod_declared(ld, n->spec->name, r->name))
                    return ld_fail(ld, r->node, false, r->path,
                                   "unknown host `%s` (pods and deployments are written "
                                   "`NAMESPACE/NAME`: did you mean `%s/%s`?)",
                                   r->name, n->spec->name, r->name);
            }
            return ld_fail(ld, r->node, false, r->path,
                           "unknown host `%s` (declare it in `hosts`; pods and deployments are "
                           "written `NAMESPACE/NAME`)", r->name);
        }
        if (ld_obj_lookup(ns, RS_KIND_DEPLOYMENT, r->name)) {
            f->kind = RS_FROM_DEPLOYMENT;
            return true;
        }
        if (ld_pod_declared(ld, r->ns, r->name)) {
            f->kind = RS_FROM_POD;
            return true;
        }
        return missing(ld, r, ns, RS_KIND_POD, " or deployment");
    }
    case LD_REF_TRAFFIC:
        if (g_hash_table_lookup(ld->traffic, r->name))
            return true;
        return ld_fail(ld, r->node, false, r->path, "unknown traffic `%s` (name an entry of `traffic`)",
                       r->name);
    }
    return true;
}

/* Resolves every queued reference, in the order they were queued. */
bool
ld_resolve_refs(Ld *ld)
{
    for (guint i = 0; i < ld->refs->len; i++)
        if (!resolve_one(ld, g_ptr_array_index(ld->refs, i)) && !ld_go_on(ld))
            return false;
    return ld->errors->len == 0;
}
