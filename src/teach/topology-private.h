/* topology-private.h: what the topology writers (text, DOT) share.
 *
 * Facts are gathered once per topology in linear passes (objects bucketed
 * by namespace), so neither writer scans the world once per namespace:
 * topology costs O(objects), not O(namespaces x objects) (issue 14, point 3).
 */
#ifndef RAHTISIM_TOPOLOGY_PRIVATE_H
#define RAHTISIM_TOPOLOGY_PRIVATE_H

#include <stdarg.h>
#include <string.h>

#include "rahtisim/router.h"
#include "rahtisim/teach.h"
#include "rahtisim/world.h"

/* A list of objects (not owned): the fields GPtrArray has, so the writers
 * read it the same way. */
typedef struct {
    gpointer *pdata;
    guint len;
} RsTopoList;

/* The live objects of one namespace, creation order.  The lists point into
 * one array for the whole topology (RsTopo.items): four GPtrArrays per
 * namespace, each allocated and freed, were 3 % of the topology of 10^5
 * namespaces (issue 14). */
typedef struct {
    const RsNamespace *ns;
    RsTopoList *workloads;      /* live deployments */
    RsTopoList *bare;           /* bare pods not gone (R8) */
    RsTopoList *pods;           /* every pod not gone, creation order */
    RsTopoList *routes;         /* live routes */
    RsTopoList lists[4];        /* what the four point to */
} RsTopoNs;

typedef struct {
    RsWorld *w;
    RsTopoNs *ns; unsigned n_ns;    /* file order */
    gpointer *items;                /* every list's objects (owned) */
    GPtrArray *scratch;             /* rs_route_diff's (owned) */
} RsTopo;

/* Appends n bytes: a memcpy when the string has room.  GLib 2.74's
 * g_string_append is a call of about 100 instructions, and a topology line
 * is about ten appends (issue 14: 10^5 namespaces are 800 000 lines). */
static inline void
rs_topo_put_len(GString *s, const char *p, size_t n)
{
    if (s->len + n < s->allocated_len) {
        memcpy(s->str + s->len, p, n);
        s->len += n;
        s->str[s->len] = '\0';
    } else {
        g_string_append_len(s, p, (gssize)n);
    }
}

static inline void
rs_topo_put(GString *s, const char *p)
{
    rs_topo_put_len(s, p, strlen(p));
}

static inline void
rs_topo_putc(GString *s, char c)
{
    rs_topo_put_len(s, &c, 1);
}

/* Appends a number in decimal.  The writers append their per-object lines
 * piece by piece instead of with g_string_append_printf: printf's parsing
 * was a third of the topology of 10^5 namespaces (issue 14). */
static inline void
rs_topo_put_u(GString *s, unsigned v)
{
    char d[12];
    size_t n = 0;
    do {
        d[sizeof d - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    rs_topo_put_len(s, d + sizeof d - n, n);
}

/* Appends the strings up to a NULL, as g_strconcat into a GString: the
 * per-object lines and labels are built with it, not printf'd (issue 14:
 * printf was a sixth of the DOT of 10^5 namespaces).  Inline here, not in
 * topology.c: the DOT writer calling into topology.c would close a call
 * cycle between the two files (tests/layers.sh). */
static inline void G_GNUC_NULL_TERMINATED
rs_topo_put_all(GString *s, ...)
{
    va_list ap;
    va_start(ap, s);
    for (const char *p = va_arg(ap, const char *); p != NULL; p = va_arg(ap, const char *))
        rs_topo_put(s, p);
    va_end(ap);
}

/* Buckets the world's objects by namespace (two passes over each list: count, fill). */
void rs_topo_gather(RsTopo *t, RsWorld *w);
void rs_topo_clear(RsTopo *t);
/* The bucket of a namespace (O(1)). */
RsTopoNs *rs_topo_ns(const RsTopo *t, const RsNamespace *ns);

/* R28: how a replica's loaded configuration differs from the truth for one
 * route: `loaded` NULL when the route is not in it. */
typedef struct {
    const RsRoute *route;
    const RsRtBackend *loaded;
    unsigned n_loaded_pods;     /* distinct pods among the loaded servers */
    unsigned n_stale;           /* loaded pods that are no longer endpoints */
    unsigned n_truth;           /* ready endpoints of the route's services now */
    unsigned n_missing;         /* of those, not loaded */
    const RsPod *first_stale, *first_missing;
} RsRouteDiff;

/* Compares a replica's configuration with the truth for a live admitted
 * route; true if they differ (a pending reload changes answers).  *next is
 * a cursor into cfg's backends, 0 before a replica's first route: asked in
 * the world's route order, each route's backend is found by one compare. */
bool rs_route_diff(const RsTopo *t, const RsRtConfig *cfg, const RsRoute *route, unsigned *next,
                   RsRouteDiff *out);
/* One sentence for a replica: "router-0 (up, in rotation) loaded its
 * configuration at 20s: 2 routes, 4 servers; next reload at 25s (R28)". */
void rs_replica_text(GString *s, const RsReplica *rep);
/* "until the reload at 25s", or "until the next change makes it reload":
 * how long a replica serves what it loaded (R28), into when (64 bytes). */
const char *rs_replica_until(const RsReplica *rep, char when[64]);
/* One sentence for a difference (citing R28), e.g. "route fenic/busy is not
 * loaded yet: served from the reload at 25s (R28)"; `when` is the replica's
 * rs_replica_until. */
void rs_route_diff_text(GString *s, const char *when, const RsRouteDiff *d);

/* Appends `text` as the inside of a DOT "..." string (quotes, backslashes
 * and control characters escaped). */
void rs_dot_escape(GString *out, const char *text);

/* A writer hands its finished text to the sink (NULL: it keeps it all in
 * its string) once this much of it is made (rs_teach_topology_to). */
#ifndef RS_TOPO_PART
#define RS_TOPO_PART ((size_t)128 * 1024)
#endif

void rs_topology_dot(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at, RsTopoSink sink,
                     void *data);

#endif
