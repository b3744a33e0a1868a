/* probe-context.c: what a student may know before a probe is sent.
 *
 * The quiz asks for a prediction; a fair question gives the facts a person
 * at the terminal could look up first (`oc get pods -o wide`, `oc get
 * route`), not the answer: the client's address (and, for a pod, since when
 * it is ready), what the URL's name or address points to now and who holds
 * that address (a pod, ready since when; a service; the router VIP; a host;
 * nobody), and for a route its whitelist together with the address the
 * router will see (the egress IP for a pod, R34; the host's own address).
 * Computed when the probe fires, before the request is sent.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/dns.h"
#include "rahtisim/expect.h"
#include "rahtisim/sim.h"
#include "rahtisim/world.h"

/* " (ready since 2s)" or " (starting)" for a pod. */
static void
pod_since(GString *s, const RsPod *p)
{
    char t[32];
    /* As the API shows it: a crash not yet detected still reads ready (R7). */
    if (p->api_ready && p->ready_at != RS_TIME_NEVER)
        g_string_append_printf(s, ", ready since %s", rs_duration_format(p->ready_at, t));
    else
        g_string_append_printf(s, ", %s", rs_pod_state_word(p->state));
}

/* The endpoints a service's data plane lists now (R15), the first three. */
static void
service_endpoints(GString *s, const RsService *svc)
{
    char a[16];
    if (svc->view == NULL || svc->view->n_pods == 0) {
        g_string_append(s, "; its data plane lists no endpoints");
        return;
    }
    g_string_append(s, "; its data plane lists ");
    for (unsigned i = 0; i < svc->view->n_pods && i < 3; i++) {
        const RsPod *p = svc->view->pods[i];
        g_string_append_printf(s, "%s%s (%s", i ? ", " : "", p->full, rs_ipv4_format(p->ip, a));
        pod_since(s, p);
        g_string_append_c(s, ')');
    }
    if (svc->view->n_pods > 3)
        g_string_append_printf(s, " and %u more", svc->view->n_pods - 3);
}

/* Who holds `ip` now. */
static void
holder(GString *s, RsWorld *w, uint32_t ip)
{
    char a[16];
    const RsPod *p = rs_world_pod_at(w, ip);
    const RsService *svc = rs_world_service_at(w, ip);
    const RsHost *h = rs_world_host_at(w, ip);
    rs_ipv4_format(ip, a);
    if (p != NULL) {
        g_string_append_printf(s, "%s is held by pod %s", a, p->full);
        pod_since(s, p);
    } else if (svc != NULL) {
        g_string_append_printf(s, "%s is the ClusterIP of service %s", a, svc->full);
        service_endpoints(s, svc);
    } else if (ip == w->par.router_vip) {
        g_string_append_printf(s, "%s is the router VIP", a);
    } else if (h != NULL) {
        g_string_append_printf(s, "%s is host %s", a, h->name);
    } else {
        g_string_append_printf(s, "no pod, service or host of the scenario holds %s now", a);
    }
}

/* The route that serves `host` (the oldest admitted one) and its whitelist. */
static void
route_context(GString *s, RsWorld *w, const char *host, uint32_t client)
{
    char a[16];
    unsigned n_list;
    RsRoute *const *list = rs_world_routes_of_host(w, host, &n_list);
    const RsRoute *r = NULL;
    for (unsigned i = 0; i < n_list && r == NULL; i++) {
        const RsRoute *c = list[i];
        if (!c->removed && c->admitted)
            r = c;
    }
    if (r == NULL)
        return;
    g_string_append_printf(s, "\nroute %s serves %s", r->full, host);
    for (unsigned k = 0; k < w->n_whitelist_keys; k++) {
        const char *wl = rs_route_annotation(r, w->whitelist_keys[k]);
        if (wl != NULL)
            g_string_append_printf(s, "; its whitelist: \"%s\"", wl);
    }
    if (client != 0)
        g_string_append_printf(s, "; the router sees the client as %s", rs_ipv4_format(client, a));
}

/* The context of a probe; see expect.h. */
char *
rs_probe_context(RsSim *sim, const RsFrom *from, const RsUrl *to)
{
    RsWorld *w = rs_sim_world(sim);
    GString *s = g_string_new(NULL);
    char a[16];
    uint32_t outside = 0;       /* the source address outside the cluster (R32, R34) */
    if (from->kind == RS_FROM_HOST) {
        const RsHost *h = rs_world_host(w, from->name);
        if (h != NULL) {
            g_string_append_printf(s, "the client: host %s, %s", h->name, rs_ipv4_format(h->ip, a));
            outside = h->ip;
        }
    } else {
        const RsNamespace *ns = rs_world_namespace(w, from->ns);
        const RsPod *p = from->kind == RS_FROM_POD ? rs_world_pod(w, from->ns, from->name) : NULL;
        const RsWorkload *wl = from->kind == RS_FROM_DEPLOYMENT
                               ? rs_world_workload(w, from->ns, from->name) : NULL;
        if (p != NULL) {
            g_string_append_printf(s, "the client: pod %s, %s", p->full,
                                   p->has_ip ? rs_ipv4_format(p->ip, a) : "no address");
            pod_since(s, p);
        } else if (wl != NULL) {
            g_string_append_printf(s, "the client: deployment %s, %u ready pod%s", wl->full,
                                   wl->ready->len, wl->ready->len == 1 ? "" : "s");
        }
        if (ns != NULL) {
            outside = ns->egress_ip;
            g_string_append_printf(s, "; outside the cluster it is %s (%s egress, R%d)",
                                   rs_ipv4_format(ns->egress_ip, a),
                                   ns->dedicated_egress ? "dedicated" : "shared",
                                   ns->dedicated_egress ? 33 : 32);
        }
    }
    if (to->pod_ref != NULL) {
        const RsPod *p = rs_world_pod_full(w, to->pod_ref);
        if (p != NULL && (p->has_ip || p->ever_ip)) {
            g_string_append_printf(s, "\n@%s: %s %s %s; ", to->pod_ref, p->full,
                                   p->has_ip ? "holds" : "last had", rs_ipv4_format(p->ip, a));
            holder(s, w, p->ip);
        } else if (p != NULL) {
            g_string_append_printf(s, "\n@%s: %s never had an address", to->pod_ref, p->full);
        }
    } else if (to->is_ip) {
        g_string_append_c(s, '\n');
        holder(s, w, to->ip);
    } else if (to->host != NULL) {
        RsDnsWalk walk;
        if (rs_sim_resolve(sim, from, to->host, &walk, NULL) && walk.n_addrs > 0) {
            g_string_append_printf(s, "\n%s resolves to %s", to->host, rs_ipv4_format(walk.addrs[0], a));
            if (walk.n_addrs > 1)
                g_string_append_printf(s, " (and %u more)", walk.n_addrs - 1);
            g_string_append(s, "; ");
            holder(s, w, walk.addrs[0]);
            if (walk.addrs[0] == w->par.router_vip) {
                char name[256];     /* R21: the Host header the router matches */
                rs_url_host_header(to->host, name, sizeof name);
                route_context(s, w, name, outside);
            }
        } else {
            g_string_append_printf(s, "\n%s does not resolve now", to->host);
        }
    }
    return g_string_free(s, FALSE);
}
