/* dig.c: the resolver's walk, query by query (`rahtisim dig`).
 *
 * A pod's resolver (glibc with the kubelet's resolv.conf, R17) turns one
 * name into up to four queries; `dig +search` shows them one at a time.
 * This file prints a walk (rs_sim_resolve, src/net/dns.c) the same way: the
 * resolv.conf the requester has, why the name is tried in the order it is
 * (ndots, trailing dot), then each query with its status, the reason for
 * its answer and the rule, its answer section (with the CNAME followed for
 * public names, R18), the candidates the walk never needed, and the final
 * answer.
 *
 * Simplified like the model (docs/model-choices.md, "DNS"): one query per
 * candidate (A and AAAA count as one), no TTLs (no caching is modelled, so
 * none is shown).
 */
#include "config.h"

#include <string.h>

#include "rahtisim/dns.h"
#include "rahtisim/teach.h"

/* Appends why a query got NXDOMAIN. */
static void
why_nxdomain(GString *out, const RsWorld *w, const RsDnsQuery *q)
{
    if (q->kind == RS_DNS_KIND_HEADLESS) {
        g_string_append_printf(out, "headless service %s has no ready endpoints in the data plane",
                               q->service ? q->service : "?");
        return;
    }
    if (q->kind == RS_DNS_KIND_PUBLIC) {
        g_string_append_printf(out, "a public name: not <label>.%s, and no record declares it",
                               w->app_domain ? w->app_domain : "?");
        return;
    }
    /* In the cluster domain: <svc>.<ns>.svc.<domain> or <a-b-c-d>.<ns>.pod.<domain>. */
    g_autofree char *suffix = g_strdup_printf(".svc.%s", w->cluster_domain);
    if (g_str_has_suffix(q->name, suffix)) {
        g_autofree char *head = g_strndup(q->name, strlen(q->name) - strlen(suffix));
        g_auto(GStrv) labels = g_strsplit(head, ".", -1);
        if (g_strv_length(labels) == 2) {
            if (rs_world_namespace(w, labels[1]) == NULL)
                g_string_append_printf(out, "there is no namespace %s", labels[1]);
            else
                g_string_append_printf(out, "namespace %s has no service %s", labels[1], labels[0]);
            return;
        }
    }
    g_string_append_printf(out, "no such name (a service is SERVICE.NAMESPACE.svc.%s)",
                           w->cluster_domain);
}

/* Appends why a query got its answer. */
static void
why_found(GString *out, const RsWorld *w, const RsDnsQuery *q)
{
    switch (q->kind) {
    case RS_DNS_KIND_SERVICE:
        g_string_append_printf(out, "the ClusterIP of service %s", q->service);
        break;
    case RS_DNS_KIND_HEADLESS:
        g_string_append_printf(out, "headless service %s: one address per ready endpoint in the "
                               "data plane", q->service);
        break;
    case RS_DNS_KIND_POD:
        g_string_append(out, "a pod name: the address written in it");
        break;
    case RS_DNS_KIND_PUBLIC:
        if (q->cname != NULL)
            g_string_append_printf(out, "a public name: a CNAME to %s", q->cname);
        else
            g_string_append(out, "a public name");
        if (q->n_addrs == 1 && q->addrs[0] == w->par.router_vip)
            g_string_append(out, ", the router VIP");
        break;
    case RS_DNS_KIND_NONE:
        break;
    }
}

/* Appends the resolver's configuration and the order it tries the name in. */
static void
resolv_conf(GString *out, const RsWorld *w, const char *from, const char *ns, const char *name)
{
    char ip[16];
    if (ns == NULL) {
        g_string_append_printf(out, "; %s is outside the cluster: no search list, public DNS "
                               "only, the name as written (R18)\n", from);
        return;
    }
    const char *d = w->cluster_domain;
    g_string_append_printf(out, "; /etc/resolv.conf of %s:\n;   nameserver %s\n"
                           ";   search %s.svc.%s svc.%s %s\n;   options ndots:5\n",
                           from, rs_ipv4_format(w->par.dns_server, ip), ns, d, d, d);
    size_t len = strlen(name);
    unsigned dots = 0;
    for (size_t i = 0; i < len; i++)
        dots += name[i] == '.';
    if (len > 0 && name[len - 1] == '.')
        g_string_append_printf(out, "; \"%s\" ends with a dot: a complete name, tried as written "
                               "only (R17)\n", name);
    else if (dots >= 5)
        g_string_append_printf(out, "; \"%s\" has %u dots, at least ndots:5: tried as written "
                               "first, then with each search suffix (R17)\n", name, dots);
    else
        g_string_append_printf(out, "; \"%s\" has %u dot%s, fewer than ndots:5: each search "
                               "suffix first, the name as written last (R17)\n",
                               name, dots, dots == 1 ? "" : "s");
}

/* Prints a resolver walk like `dig +search`; see teach.h. */
void
rs_teach_dig(GString *out, RsSim *sim, const char *from, const char *ns, const RsDnsWalk *walk,
             rs_time_t at, bool color)
{
    const RsWorld *w = rs_sim_world(sim);
    char buf[32], ip[16];
    rs_style(out, color, RS_STYLE_BOLD);
    g_string_append_printf(out, "; <<>> rahtisim dig <<>> %s from %s at %s", walk->asked, from,
                           rs_duration_format(at, buf));
    rs_style(out, color, RS_STYLE_RESET);
    g_string_append_c(out, '\n');
    resolv_conf(out, w, from, ns, walk->asked);
    if (walk->dropped) {
        /* R46: glibc sends the first query twice, 5 s apart, and gives up */
        for (unsigned i = 1; i <= 2; i++)
            g_string_append_printf(out, "\n;; QUERY %u (attempt %u of 2)\n;%s  IN A\n;; dropped: the egress "
                                   "policies of %s (%s) do not allow UDP port %u to the DNS pods "
                                   "(openshift-dns, %s) (R46)\n", i, i, walk->asked, from,
                                   walk->dropped_by ? walk->dropped_by : "?", walk->dns_port,
                                   rs_ipv4_format(walk->dns_pod, ip));
        g_string_append(out, "\n;; connection timed out; no servers could be reached (after 2 x 5s)\n");
        g_string_append(out, "\n;; FINAL ANSWER: ");
        rs_style(out, color, RS_STYLE_BAD);
        g_string_append(out, "timeout");
        rs_style(out, color, RS_STYLE_RESET);
        g_string_append(out, " (a request by name would time out after 10s; allow UDP and TCP port ");
        g_string_append_printf(out, "%u to namespace openshift-dns, not 53)\n", walk->dns_port);
        return;
    }

    for (unsigned i = 0; i < walk->n_queries; i++) {
        const RsDnsQuery *q = &walk->queries[i];
        g_string_append_printf(out, "\n;; QUERY %u\n;%s.  IN A\n;; status: ", i + 1, q->name);
        rs_style(out, color, q->found ? RS_STYLE_GOOD : RS_STYLE_BAD);
        g_string_append(out, q->found ? "NOERROR" : "NXDOMAIN");
        rs_style(out, color, RS_STYLE_RESET);
        g_string_append(out, " (");
        rs_style(out, color, RS_STYLE_RULE);
        g_string_append(out, q->rule != RS_RULE_NONE ? rs_rule_id(q->rule) : "-");
        rs_style(out, color, RS_STYLE_RESET);
        g_string_append(out, "): ");
        if (q->found)
            why_found(out, w, q);
        else
            why_nxdomain(out, w, q);
        g_string_append_c(out, '\n');
        if (!q->found)
            continue;
        g_string_append(out, ";; ANSWER SECTION:\n");
        const char *owner = q->name;
        for (unsigned k = 0; k < q->n_chain && k < RS_DNS_MAX_CHAIN; k++) {
            g_string_append_printf(out, "%s.  IN CNAME  %s.\n", owner, q->chain[k]);
            owner = q->chain[k];
        }
        if (q->n_chain == 0 && q->cname != NULL) {
            g_string_append_printf(out, "%s.  IN CNAME  %s.\n", q->name, q->cname);
            owner = q->cname;
        }
        unsigned shown = MIN(q->n_addrs, RS_DNS_MAX_ADDRS);
        for (unsigned k = 0; k < shown; k++)
            g_string_append_printf(out, "%s.  IN A  %s\n", owner, rs_ipv4_format(q->addrs[k], ip));
        if (q->n_addrs > shown)
            g_string_append_printf(out, ";; ... and %u more\n", q->n_addrs - shown);
    }

    /* The candidates the walk did not need: it stops at the first answer. */
    if (walk->found) {
        char cand[RS_DNS_NAME_MAX];
        GString *rest = g_string_new(NULL);
        for (unsigned i = walk->n_queries; rs_dns_candidate(w, ns, walk->asked, i, cand); i++)
            g_string_append_printf(rest, "%s%s.", rest->len ? ", " : "", cand);
        if (rest->len > 0)
            g_string_append_printf(out, "\n; not tried (the walk stops at the first answer): %s\n",
                                   rest->str);
        g_string_free(rest, TRUE);
    }

    g_string_append(out, "\n;; FINAL ANSWER: ");
    rs_style(out, color, walk->found ? RS_STYLE_GOOD : RS_STYLE_BAD);
    if (walk->found) {
        unsigned shown = MIN(walk->n_addrs, RS_DNS_MAX_ADDRS);
        for (unsigned k = 0; k < shown; k++)
            g_string_append_printf(out, "%s%s", k ? ", " : "", rs_ipv4_format(walk->addrs[k], ip));
    } else {
        g_string_append(out, "NXDOMAIN (nxdomain)");
    }
    rs_style(out, color, RS_STYLE_RESET);
    g_string_append_printf(out, " after %u quer%s\n", walk->n_queries,
                           walk->n_queries == 1 ? "y" : "ies");
    if (walk->found && walk->n_addrs > 1)
        g_string_append_printf(out, ";; a client connects to the first, %s (docs/model-choices.md, "
                               "\"Headless DNS\")\n", rs_ipv4_format(walk->addrs[0], ip));
}
