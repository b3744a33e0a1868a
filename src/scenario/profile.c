/* profile.c: the built-in platform profiles (network-model.md, "Platform
 * profiles"): rahti-1 (OKD 3.11, the default) and rahti-2 (OKD 4).  A
 * scenario starts from one of them and may override any field; the loader
 * does that (loader-platform.c).  Each profile value is quoted from the
 * table; change the table first, then this file.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/scenario.h"
#include "scenario/arena.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define WL_PREFIX "haproxy.router.openshift.io/"

/* Fills the fields both profiles share. */
static void
profile_common(RsProfile *p)
{
    p->pod_net = IP4(10, 128, 0, 0);
    p->pod_prefix = 14;
    p->service_net = IP4(172, 30, 0, 0);
    p->service_prefix = 16;
    p->par.dns_server = IP4(172, 30, 0, 10);
    p->cluster_domain = g_strdup("cluster.local");
    p->egress_pool = NULL;
    p->n_egress_pool = 0;
    p->router_replicas = 2;
    p->par.reload_interval = 5 * RS_SEC;
    p->par.endpoint_delay = 1 * RS_SEC;         /* R15 */
    p->par.failure_detection = 40 * RS_SEC;     /* R7 */
    p->par.router_failover = 3 * RS_SEC;        /* R30 */
    p->par.connect_timeout = 10 * RS_SEC;       /* R38 */
    p->par.route_timeout = 30 * RS_SEC;         /* R31 */
    p->par.latency_cluster = 200 * RS_US;
    p->par.latency_internet = 10 * RS_MS;
    p->par.latency_router = 100 * RS_US;
    p->policy_delay = 1 * RS_SEC;           /* R47 */
    p->node_net = IP4(192, 168, 0, 0);      /* R45, R49 */
    p->node_prefix = 16;
}

/* The built-in profiles, by name (rs_profile_builtin; `rahtisim schema`). */
const char *const rs_profile_names[] = {"rahti-1", "rahti-2", NULL};

/* Fills `p` with the named built-in profile; false (p untouched) if unknown. */
bool
rs_profile_builtin(const char *name, RsProfile *p)
{
    if (!name)
        return false;
    bool one = strcmp(name, rs_profile_names[0]) == 0, two = strcmp(name, rs_profile_names[1]) == 0;
    if (!one && !two)
        return false;
    memset(p, 0, sizeof *p);
    p->name = g_strdup(name);
    profile_common(p);
    if (one) {
        p->app_domain = g_strdup("rahtiapp.fi");
        p->router_canonical = g_strdup("rahtiapp.fi");
        p->par.router_vip = IP4(193, 167, 189, 101);
        p->egress_ip = IP4(193, 167, 189, 25);
        p->par.balance = RS_BAL_LEASTCONN;
        p->n_whitelist_annotations = 1;
        p->whitelist_annotations = g_new0(char *, 2);
        p->whitelist_annotations[0] = g_strdup(WL_PREFIX "ip_whitelist");
        p->isolation = RS_ISOLATION_MULTITENANT;    /* R39 */
        p->dns_target_port = 53;
        p->lb_port_min = p->lb_port_max = 0;       /* R48: no load balancers */
    } else {
        p->app_domain = g_strdup("2.rahtiapp.fi");
        p->router_canonical = g_strdup("router-default.apps.2.rahti.csc.fi");
        p->par.router_vip = IP4(195, 148, 21, 61);
        p->egress_ip = IP4(86, 50, 229, 150);
        p->par.balance = RS_BAL_RANDOM;
        p->n_whitelist_annotations = 2;
        p->whitelist_annotations = g_new0(char *, 3);
        p->whitelist_annotations[0] = g_strdup(WL_PREFIX "ip_whitelist");
        p->whitelist_annotations[1] = g_strdup(WL_PREFIX "ip_allowlist");
        p->isolation = RS_ISOLATION_POLICY;         /* R40 */
        p->dns_target_port = 5353;                  /* R46 */
        p->lb_port_min = 30000;                     /* R48 */
        p->lb_port_max = 35000;
    }
    return true;
}

/* Frees what a profile owns and zeroes it. */
void
rs_profile_clear(RsProfile *p)
{
    if (!p)
        return;
    rs_spec_free(p->name);
    rs_spec_free(p->cluster_domain);
    rs_spec_free(p->app_domain);
    rs_spec_free(p->router_canonical);
    rs_spec_free(p->egress_pool);
    for (unsigned i = 0; i < p->n_whitelist_annotations; i++)
        rs_spec_free(p->whitelist_annotations[i]);
    rs_spec_free(p->whitelist_annotations);
    memset(p, 0, sizeof *p);
}
