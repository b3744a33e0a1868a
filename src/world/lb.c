/* lb.c (world): LoadBalancer services' external addresses (R48-R50).
 *
 * Holds, per namespace, the granted `load_balancer_ips`, and per address
 * the services holding it (shared ones, R48).  A service takes its address
 * when it is created (or, for the scenario's own services, when the world
 * is built, in file order) and gives it back when removed; a pending one
 * gets none and the log says why.  Lookups by (address, port) are one
 * hash probe and a scan of the few services sharing the address.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/lb.h"
#include "world/world-private.h"

typedef struct {
    RsService *svc;
    RsLbClaim claim;
    uint16_t *ports;            /* owned; claim.ports */
} Held;

struct RsLb {
    GHashTable *granted;        /* namespace name -> GArray of uint32_t (owned); a namespace
                                   granted none is not listed (issue 14: an array each) */
    GHashTable *by_ip;          /* address -> GPtrArray of Held * (owned lists) */
    GHashTable *held;           /* RsService * -> Held * (owned) */
    uint32_t node;              /* R49: the node address of `cluster` traffic */
};

static void
held_free(Held *h)
{
    g_free(h->ports);
    g_free(h);
}

void
rs_lb_init(RsWorld *w, const RsScenario *sc)
{
    RsLb *lb = g_new0(RsLb, 1);
    lb->granted = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_array_unref);
    lb->by_ip = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
    lb->held = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)held_free);
    lb->node = sc->profile.node_net + 1;
    for (unsigned i = 0; i < sc->n_namespaces; i++) {
        const RsNamespaceSpec *n = &sc->namespaces[i];
        if (n->n_lb_ips == 0)
            continue;           /* not listed: the same as an empty list (rs_lb_service_added) */
        GArray *a = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_array_append_vals(a, n->lb_ips, n->n_lb_ips);
        g_hash_table_insert(lb->granted, (gpointer)rs_world_intern(w, n->name), a);
    }
    w->lb = lb;
    for (unsigned i = 0; i < w->services->len; i++) {
        RsService *svc = w->services->pdata[i];
        if (!svc->removed)
            rs_lb_service_added(w, svc);
    }
}

void
rs_lb_free(RsWorld *w)
{
    RsLb *lb = w->lb;
    if (lb == NULL)
        return;
    g_hash_table_destroy(lb->by_ip);
    g_hash_table_destroy(lb->held);
    g_hash_table_destroy(lb->granted);
    g_free(lb);
    w->lb = NULL;
}

/* R48: a new load-balancer service takes an address, or stays pending. */
void
rs_lb_service_added(RsWorld *w, RsService *svc)
{
    RsLb *lb = w->lb;
    if (lb == NULL || svc->def->type != RS_SVC_LOAD_BALANCER)
        return;
    GArray *ips = g_hash_table_lookup(lb->granted, svc->ns->name);
    /* the claims on this namespace's addresses */
    GArray *claims = g_array_new(FALSE, FALSE, sizeof(RsLbClaim));
    for (guint i = 0; ips != NULL && i < ips->len; i++) {
        GPtrArray *hs = g_hash_table_lookup(lb->by_ip, GUINT_TO_POINTER(g_array_index(ips, uint32_t, i)));
        for (guint k = 0; hs != NULL && k < hs->len; k++)
            g_array_append_val(claims, ((Held *)hs->pdata[k])->claim);
    }
    Held *h = g_new0(Held, 1);
    h->svc = svc;
    h->ports = g_new0(uint16_t, svc->def->n_ports ? svc->def->n_ports : 1);
    for (unsigned i = 0; i < svc->def->n_ports; i++)
        h->ports[i] = svc->def->ports[i].port;
    h->claim.ports = h->ports;
    h->claim.n_ports = svc->def->n_ports;
    h->claim.share = svc->def->lb_share;
    h->claim.local = svc->def->etp == RS_ETP_LOCAL;
    uint32_t ip;
    bool ok = rs_lb_choose(ips ? (const uint32_t *)(void *)ips->data : NULL, ips ? ips->len : 0,
                           (const RsLbClaim *)(void *)claims->data, claims->len, h->claim.share,
                           h->claim.local, h->ports, h->claim.n_ports, &ip);
    g_array_unref(claims);
    if (!ok) {
        rs_world_log(w, RS_R48, "load-balancer service %s is pending: %s", svc->full,
                     ips == NULL || ips->len == 0 ? "its namespace has no granted load_balancer_ips"
                     : "no granted address is free or shareable (allow-shared-ip, ports, local)");
        held_free(h);
        return;
    }
    h->claim.ip = ip;
    g_hash_table_insert(lb->held, svc, h);
    GPtrArray *hs = g_hash_table_lookup(lb->by_ip, GUINT_TO_POINTER(ip));
    if (hs == NULL) {
        hs = g_ptr_array_new();
        g_hash_table_insert(lb->by_ip, GUINT_TO_POINTER(ip), hs);
    }
    g_ptr_array_add(hs, h);
    char b[16];
    rs_world_log(w, RS_R48, "load-balancer service %s gets the external address %s (%s traffic policy)",
                 svc->full, rs_ipv4_format(ip, b), h->claim.local ? "local" : "cluster");
}

void
rs_lb_service_removed(RsWorld *w, RsService *svc)
{
    RsLb *lb = w->lb;
    Held *h = lb != NULL ? g_hash_table_lookup(lb->held, svc) : NULL;
    if (h == NULL)
        return;
    GPtrArray *hs = g_hash_table_lookup(lb->by_ip, GUINT_TO_POINTER(h->claim.ip));
    if (hs != NULL) {
        g_ptr_array_remove(hs, h);
        if (hs->len == 0)
            g_hash_table_remove(lb->by_ip, GUINT_TO_POINTER(h->claim.ip));
    }
    g_hash_table_remove(lb->held, svc);
}

RsService *
rs_lb_service_at(const RsWorld *w, uint32_t ip, uint16_t port)
{
    GPtrArray *hs = w->lb != NULL ? g_hash_table_lookup(w->lb->by_ip, GUINT_TO_POINTER(ip)) : NULL;
    for (guint i = 0; hs != NULL && i < hs->len; i++) {
        Held *h = hs->pdata[i];
        for (unsigned k = 0; k < h->claim.n_ports; k++)
            if (h->claim.ports[k] == port)
                return h->svc;
    }
    return NULL;
}

bool
rs_lb_is_address(const RsWorld *w, uint32_t ip)
{
    return w->lb != NULL && g_hash_table_lookup(w->lb->by_ip, GUINT_TO_POINTER(ip)) != NULL;
}

bool
rs_lb_address(const RsWorld *w, const RsService *svc, uint32_t *ip)
{
    Held *h = w->lb != NULL ? g_hash_table_lookup(w->lb->held, svc) : NULL;
    if (h != NULL)
        *ip = h->claim.ip;
    return h != NULL;
}

uint32_t
rs_lb_node_address(const RsWorld *w)
{
    return w->lb != NULL ? w->lb->node : 0;
}
