/* host.c: what lies outside the cluster: external hosts (R36), the public
 * DNS records a scenario declares (R18) and the namespaces' egress
 * addresses (R32, R33).
 *
 * Hosts are indexed by name and by address (one hash probe per request).
 * A host that keeps cookies (a browser) has a cookie jar per client (one
 * browser, rs_sim_request_client): for each route that client has been
 * answered by, the pod its cookie names (R27); a cookie's value identifies a
 * server, not a router replica, so it works on every replica.  The jars of
 * a host are one hash keyed by (client, route): an entry is made the first
 * time a client is answered through a route and updated in place after
 * that, so the jar is bounded by clients x routes, not by requests.
 *
 * Egress (R32, R33): every namespace leaves the cluster with the platform's
 * shared egress address unless it asked for a dedicated one; dedicated
 * addresses come from the limited pool in the order the namespaces appear
 * in the file.  When the pool is empty the request is denied: the namespace
 * keeps the shared address and the log says why.
 *
 * Rules: R18, R27 (the jar), R32, R33, R36.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "world/world-private.h"

/* One cookie: the key (client, route) and the server it names (R27). */
typedef struct {
    const char *route;          /* the route's full name, interned by the world */
    uint64_t client;
    RsPod *pod;
} Cookie;

static guint
cookie_hash(gconstpointer p)
{
    const Cookie *c = p;
    uint64_t x = (uint64_t)(uintptr_t)c->route ^ (c->client * 0x9e3779b97f4a7c15ULL);
    return (guint)(x ^ (x >> 32));
}

static gboolean
cookie_equal(gconstpointer a, gconstpointer b)
{
    const Cookie *x = a, *y = b;
    return x->route == y->route && x->client == y->client;
}

/* The pod a client's cookie names for a route (R27); see world.h. */
RsPod *
rs_host_cookie(const RsHost *h, const char *route, uint64_t client)
{
    Cookie key = {.route = route, .client = client};
    const Cookie *c = g_hash_table_lookup(h->cookie_jar, &key);
    return c != NULL ? c->pod : NULL;
}

/* A client keeps the cookie Set-Cookie gave it (R27); see world.h. */
void
rs_host_set_cookie(RsHost *h, const char *route, uint64_t client, RsPod *pod)
{
    Cookie key = {.route = route, .client = client};
    Cookie *c = g_hash_table_lookup(h->cookie_jar, &key);
    if (c == NULL) {
        c = g_new(Cookie, 1);   /* once per (client, route), never per request */
        *c = key;
        g_hash_table_add(h->cookie_jar, c);
    }
    c->pod = pod;
    /* cppcheck-suppress memleak ; h->cookie_jar owns c (g_free) */
}

/* Frees a host. */
static void
host_free(RsHost *h)
{
    for (unsigned i = 0; i < h->n_ports; i++)
        g_free(h->ports[i].allow);
    g_free(h->ports);
    g_hash_table_destroy(h->cookie_jar);
    g_free(h);
}

/* Creates the scenario's hosts and public DNS records. */
void
rs_world_add_hosts(RsWorld *w, const RsScenario *sc)
{
    w->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)host_free);
    w->host_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    w->host_by_ip = g_hash_table_new(g_direct_hash, g_direct_equal);
    w->dns_records = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    char b[16];
    for (unsigned i = 0; i < sc->n_hosts; i++) {
        const RsHostSpec *hs = &sc->hosts[i];
        RsHost *h = g_new0(RsHost, 1);
        h->name = rs_world_intern(w, hs->name);
        h->ip = hs->ip;
        h->cookies = hs->cookies;
        h->n_ports = hs->n_ports;
        h->ports = g_new0(RsHostPort, hs->n_ports ? hs->n_ports : 1);
        for (unsigned j = 0; j < hs->n_ports; j++) {
            RsHostPort *p = &h->ports[j];
            p->port = hs->ports[j].port;
            p->protocol = hs->ports[j].protocol;
            p->n_allow = hs->ports[j].n_allow;
            p->allow = g_new0(RsCidr, p->n_allow ? p->n_allow : 1);
            for (unsigned k = 0; k < p->n_allow; k++) {
                uint32_t pre = hs->ports[j].allow_prefix[k];
                p->allow[k].mask = pre == 0 ? 0 : ~(uint32_t)0 << (32 - pre);
                p->allow[k].net = hs->ports[j].allow_net[k] & p->allow[k].mask;
            }
        }
        h->cookie_jar = g_hash_table_new_full(cookie_hash, cookie_equal, g_free, NULL);
        g_ptr_array_add(w->hosts, h);
        g_hash_table_insert(w->host_by_name, (gpointer)h->name, h);
        /* Two hosts on one address: the first answers (the loader warns nowhere; rare). */
        if (!g_hash_table_contains(w->host_by_ip, GUINT_TO_POINTER(h->ip)))
            g_hash_table_insert(w->host_by_ip, GUINT_TO_POINTER(h->ip), h);
        rs_world_log(w, RS_R36, "host %s at %s, outside the cluster, listens on %u port%s", h->name,
                     rs_ipv4_format(h->ip, b), h->n_ports, h->n_ports == 1 ? "" : "s");
    }
    for (unsigned i = 0; i < sc->n_dns; i++) {
        const RsDnsRecordSpec *ds = &sc->dns[i];
        RsDnsRecord *d = g_new0(RsDnsRecord, 1);
        d->name = rs_world_intern(w, ds->name);
        d->cname = rs_world_intern(w, ds->cname);
        d->a = ds->a;
        d->has_a = ds->has_a;
        g_hash_table_insert(w->dns_records, (gpointer)d->name, d);
    }
    w->dns_epoch++;             /* R18: the public records */
}

/* Frees hosts and records. */
void
rs_world_hosts_free(RsWorld *w)
{
    g_clear_pointer(&w->host_by_name, g_hash_table_destroy);
    g_clear_pointer(&w->host_by_ip, g_hash_table_destroy);
    g_clear_pointer(&w->dns_records, g_hash_table_destroy);
    g_clear_pointer(&w->hosts, g_ptr_array_unref);
}

/* The host called `name`, or NULL. */
RsHost *
rs_world_host(const RsWorld *w, const char *name)
{
    return w->host_by_name != NULL ? g_hash_table_lookup(w->host_by_name, name) : NULL;
}

/* The host at `ip`, or NULL. */
RsHost *
rs_world_host_at(const RsWorld *w, uint32_t ip)
{
    return w->host_by_ip != NULL ? g_hash_table_lookup(w->host_by_ip, GUINT_TO_POINTER(ip)) : NULL;
}

/* The scenario's public record for `name`, or NULL. */
const RsDnsRecord *
rs_world_dns_record(const RsWorld *w, const char *name)
{
    return w->dns_records != NULL ? g_hash_table_lookup(w->dns_records, name) : NULL;
}

/* R32, R33: the namespace's egress address. */
void
rs_world_assign_egress(RsWorld *w, RsNamespace *ns, bool dedicated)
{
    char b[16];
    ns->egress_ip = w->egress_default;
    ns->dedicated_egress = false;
    if (!dedicated)
        return;
    if (w->egress_next >= w->n_egress_pool) {
        /* R33: the pool is empty: denied; the namespace keeps the shared address. */
        ns->egress_denied = true;
        rs_world_log(w, RS_R33, "namespace %s asks for a dedicated egress IP but the pool "
                     "(%u address%s) is empty: it keeps the shared %s", ns->name, w->n_egress_pool,
                     w->n_egress_pool == 1 ? "" : "es", rs_ipv4_format(w->egress_default, b));
        return;
    }
    ns->egress_ip = w->egress_pool[w->egress_next++];
    ns->dedicated_egress = true;
    rs_world_log(w, RS_R33, "namespace %s gets the dedicated egress IP %s", ns->name,
                 rs_ipv4_format(ns->egress_ip, b));
}
