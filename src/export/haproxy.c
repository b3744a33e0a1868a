/* haproxy.c: the router's configuration as the OpenShift router would render
 * it (R19-R31, C1-C8; background openshift-router.md).
 *
 * WHAT IT RENDERS
 * ---------------
 * The configuration one replica has loaded (R28: RsRtConfig, the routes and
 * servers of its last reload), in the structure of the router template
 * (openshift/router images/router/haproxy/conf/haproxy-config.template):
 *   frontend public (port 80): Host lowercased, the redirect map
 *     (os_route_http_redirect.map, R24), then os_http_be.map (plain routes,
 *     and edge/reencrypt routes with insecure Allow: C2), else
 *     openshift_default (503);
 *   frontend public_ssl (port 443, TCP): SNI in os_sni_passthrough.map ->
 *     os_tcp_be.map (passthrough, R21, R23), else be_sni / be_no_sni, which
 *     terminate TLS in fe_sni / fe_no_sni (the route's certificate from
 *     cert_config.map, else the default wildcard one) and choose by Host and
 *     path in os_edge_reencrypt_be.map;
 *   one backend per route: be_http / be_edge_http / be_secure / be_tcp
 *     :<namespace>:<name>, with its balance (R26, C5), whitelist ACL (R25:
 *     inline up to 61 entries, else a file; a malformed list renders no ACL,
 *     exactly as the template's parseIPList returning ""), timeout (R31, C8),
 *     cookie (R27) and one server line per endpoint (R20, C1) with its
 *     weight, `ssl verifyhost <svc>.<ns>.svc` for reencrypt (R23) and
 *     `check inter 5000ms` when it has more than one server (R29).
 * Map keys are the template's regular expressions (util.go
 * GenerateRouteRegexp): ^host(:[0-9]+)?path$ on rahti-1 (3.11), with
 * `\.?` after the host on rahti-2 (4.x, C3); lines reverse-sorted so the
 * longest path of a host comes first (R21).
 *
 * WHAT IT CHANGES SO IT RUNS ON A LAPTOP
 * --------------------------------------
 * No `daemon`, user, chroot or stats socket; the TLS-terminating frontends
 * listen on unix sockets in the output folder (3.11 used 127.0.0.1:10444
 * and :10443; 4.x unix sockets in /var/lib/haproxy/run) so two exports can
 * run side by side; every path names the output folder; `--bind` and
 * `--map-pods` move the listeners and the pod addresses.  Certificates are
 * placeholders (the command generates them).
 *
 * Cost: O(routes + servers) text, one sort per map file.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/export.h"
#include "rahtisim/router.h"
#include "rahtisim/world.h"

#define MAX_INLINE_WHITELIST 61     /* HAPROXY_MAX_LINE_ARGS (64) - 3 (allowlist.go) */

/* Initialises an empty file set. */
void
rs_export_files_init(RsExportFiles *f)
{
    f->names = g_ptr_array_new_with_free_func(g_free);
    f->texts = g_ptr_array_new();     /* GString, freed by rs_export_files_clear */
    f->certs = g_array_new(FALSE, TRUE, sizeof(RsExportCert));
}

/* Frees a file set. */
void
rs_export_files_clear(RsExportFiles *f)
{
    for (unsigned i = 0; f->texts != NULL && i < f->texts->len; i++)
        g_string_free(f->texts->pdata[i], TRUE);
    g_clear_pointer(&f->names, g_ptr_array_unref);
    g_clear_pointer(&f->texts, g_ptr_array_unref);
    for (unsigned i = 0; f->certs != NULL && i < f->certs->len; i++) {
        RsExportCert *c = &g_array_index(f->certs, RsExportCert, i);
        g_free(c->file);
        g_free(c->name);
    }
    g_clear_pointer(&f->certs, g_array_unref);
}

/* A new file of the set. */
static GString *
add_file(RsExportFiles *f, const char *name)
{
    GString *s = g_string_new(NULL);
    g_ptr_array_add(f->names, g_strdup(name));
    g_ptr_array_add(f->texts, s);
    return s;
}

/* A certificate to generate (once per file). */
static void
add_cert(RsExportFiles *f, const char *file, const char *name)
{
    for (unsigned i = 0; i < f->certs->len; i++) {
        if (strcmp(g_array_index(f->certs, RsExportCert, i).file, file) == 0)
            return;
    }
    RsExportCert c = {.file = g_strdup(file), .name = g_strdup(name)};
    g_array_append_val(f->certs, c);
}

/* The template's backend name; see export.h. */
char *
rs_export_backend_name(const char *full, RsTlsMode tls)
{
    static const char *const prefix[] = {
        [RS_TLS_NONE] = "be_http", [RS_TLS_EDGE] = "be_edge_http",
        [RS_TLS_PASSTHROUGH] = "be_tcp", [RS_TLS_REENCRYPT] = "be_secure",
    };
    char *s = g_strdup_printf("%s:%s", prefix[tls], full);
    char *slash = strchr(s + strlen(prefix[tls]) + 1, '/');
    if (slash != NULL)
        *slash = ':';
    return s;
}

/* Go's regexp.QuoteMeta. */
static void
quote_meta(GString *out, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\.+*?()|[]{}^$", *s) != NULL)
            g_string_append_c(out, '\\');
        g_string_append_c(out, *s);
    }
}

/* R21, C3: the map key of a host and path (GenerateRouteRegexp). */
static char *
route_key(const char *host, const char *path, bool four)
{
    GString *k = g_string_new("^");
    quote_meta(k, host);
    if (four)
        g_string_append(k, "\\.?");         /* C3: 4.x accepts the trailing dot */
    g_string_append(k, "(:[0-9]+)?");
    if (path == NULL || path[0] == '\0' || strcmp(path, "/") == 0) {
        g_string_append(k, "(/.*)?");
    } else {
        quote_meta(k, path);
        g_string_append(k, path[strlen(path) - 1] == '/' ? "(.*)?" : "(/.*)?");
    }
    g_string_append_c(k, '$');
    return g_string_free(k, FALSE);
}

/* Reverse lexicographic order of map lines (SortMapPaths). */
static gint
rev_cmp(gconstpointer a, gconstpointer b)
{
    return -strcmp(*(char *const *)a, *(char *const *)b);
}

/* Writes a map file from its lines, sorted. */
static void
write_map(RsExportFiles *f, const char *name, GPtrArray *lines)
{
    g_ptr_array_sort(lines, rev_cmp);
    GString *s = add_file(f, name);
    for (unsigned i = 0; i < lines->len; i++)
        g_string_append_printf(s, "%s\n", (const char *)lines->pdata[i]);
}

/* A pod address as the export shows it (--map-pods). */
static uint32_t
pod_addr(const RsExportOpts *o, uint32_t ip)
{
    return o->map_pods ? (o->pods_net & o->pods_mask) | (ip & ~o->pods_mask) : ip;
}

/* A whitelist entry as written (a /32 as a bare address). */
static void
cidr_text(GString *out, const RsCidr *c)
{
    char ip[16];
    unsigned len = 0;
    for (uint32_t m = c->mask; m & 0x80000000u; m <<= 1)
        len++;
    g_string_append(out, rs_ipv4_format(c->net, ip));
    if (len != 32)
        g_string_append_printf(out, "/%u", len);
}

/* The file name of a pod port's placeholder certificate. */
static char *
pod_cert_file(const char *name)
{
    g_autofree char *safe = g_strdup(name);
    g_strdelimit(safe, "*/", '_');
    return g_strdup_printf("pods/%s.pem", safe);
}

/* One server line of a backend (R20, R23, R26, R27, R29), without indent. */
static void
server_line(GString *cfg, const RsRtBackend *be, unsigned k, const RsExportOpts *o)
{
    const RsRtServer *sv = &be->servers[k];
    char ip[16];
    rs_ipv4_format(pod_addr(o, sv->pod->ip), ip);
    const RsPodPort *pp = rs_pod_port(sv->pod, sv->port);
    g_autofree char *id = g_strdup_printf("pod:%s:%s:%s:%s:%u", sv->pod->name, sv->svc->name,
                                          pp != NULL && pp->name != NULL ? pp->name : "", ip, sv->port);
    g_autofree char *hash = g_compute_checksum_for_string(G_CHECKSUM_MD5, id, -1);
    g_string_append_printf(cfg, "server %s %s:%u", id, ip, sv->port);
    if (be->tls != RS_TLS_PASSTHROUGH)
        g_string_append_printf(cfg, " cookie %s", hash);
    g_string_append_printf(cfg, " weight %u", sv->weight);
    if (be->tls == RS_TLS_REENCRYPT) {
        /* R23: the router verifies the pod's certificate for <svc>.<ns>.svc */
        g_string_append_printf(cfg, " ssl verifyhost %s.%s.svc verify required ca-file %s/ca.pem",
                               sv->svc->name, sv->svc->ns->name, o->dir != NULL ? o->dir : "DIR");
    }
    if (be->n_servers > 1)
        g_string_append(cfg, " check inter 5000ms");     /* R29 */
}

/* One route's backend (template: "Plain http backend or backend with TLS
 * terminated at the edge or a secure backend with re-encryption", and
 * "Secure backend, pass through"). */
static void
render_backend(GString *cfg, RsExportFiles *f, RsWorld *w, const RsRtBackend *be, const RsExportOpts *o,
               bool four, GString *pods)
{
    g_autofree char *name = rs_export_backend_name(be->full, be->tls);
    g_autofree char *key = g_strdup(be->full);
    g_strdelimit(key, "/", ':');
    const char *acl = four ? "allowlist" : "whitelist";
    bool tcp = be->tls == RS_TLS_PASSTHROUGH;
    g_string_append_printf(cfg, "\n# route %s (R20-R31)\nbackend %s\n", be->full, name);
    if (!tcp)
        g_string_append(cfg, "  mode http\n  option redispatch\n  option forwardfor\n");
    else
        g_string_append(cfg, "  mode tcp\n");
    g_string_append_printf(cfg, "  balance %s\n", rs_balance_word(be->balance));     /* R26, C5 */
    if (tcp && four)
        g_string_append(cfg, "  hash-type consistent\n");
    if (be->wl.present && be->wl.discarded) {
        g_string_append(cfg, "  # R25: the whitelist annotation is malformed: no ACL, open to everyone\n");
    } else if (be->wl.present) {
        GString *list = g_string_new(NULL);
        for (unsigned i = 0; i < be->wl.n; i++) {
            if (be->wl.n <= MAX_INLINE_WHITELIST && i > 0)
                g_string_append_c(list, ' ');
            cidr_text(list, &be->wl.entries[i]);
            if (be->wl.n > MAX_INLINE_WHITELIST)
                g_string_append_c(list, '\n');
        }
        if (be->wl.n <= MAX_INLINE_WHITELIST) {
            g_string_append_printf(cfg, "  acl %s src %s\n", acl, list->str);
        } else {
            g_autofree char *file = g_strdup_printf("router/whitelists/%s.txt", key);
            /* cppcheck-suppress leakNoVarFunctionCall ; f->texts owns what add_file returns */
            g_string_append(add_file(f, file), list->str);
            g_string_append_printf(cfg, "  acl %s src -f %s/%s\n", acl, o->dir, file);
        }
        g_string_append_printf(cfg, "  tcp-request content reject if !%s\n", acl);
        g_string_free(list, TRUE);
    }
    if (be->timeout != w->par.route_timeout || tcp) {
        /* R31, C8: the route timeout; passthrough: the tunnel's */
        g_string_append_printf(cfg, "  timeout %s %" G_GINT64_FORMAT "ms\n", tcp ? "tunnel" : "server",
                               (gint64)(be->timeout / RS_MS));
    }
    if (!tcp)
        g_string_append(cfg, "  timeout check 5000ms\n");
    if (be->cookies) {
        /* R27: the cookie name is the route's key hash (RoutingKeyName) */
        g_autofree char *ck = g_compute_checksum_for_string(G_CHECKSUM_MD5, key, -1);
        bool secure = (be->tls == RS_TLS_EDGE || be->tls == RS_TLS_REENCRYPT) && be->insecure != RS_INSECURE_ALLOW;
        g_string_append_printf(cfg, "  cookie %s insert indirect nocache httponly%s\n", ck,
                               secure ? (four ? " secure attr SameSite=None" : " secure") : "");
    }
    for (unsigned k = 0; k < be->n_servers; k++) {
        const RsRtServer *sv = &be->servers[k];
        char ip[16];
        rs_ipv4_format(pod_addr(o, sv->pod->ip), ip);
        const RsPodPort *pp = rs_pod_port(sv->pod, sv->port);
        g_string_append(cfg, "  ");
        server_line(cfg, be, k, o);
        g_string_append_c(cfg, '\n');
        /* the stub pods a laptop run needs (pods.tsv) */
        const char *how = !rs_pod_alive(sv->pod) || sv->pod->crashed ? "down"
                          : sv->pod->hung ? "hung"
                          : sv->pod->tmpl->protocol == RS_PROTO_TCP ? "tcp" : "http";
        g_autofree char *cert = pp != NULL && pp->tls != NULL ? pod_cert_file(pp->tls) : NULL;
        if (cert != NULL)
            add_cert(f, cert, pp->tls);
        g_string_append_printf(pods, "%s\t%u\t%s\t%s\t%s\n", ip, sv->port, sv->pod->full,
                               cert != NULL ? cert : "-", how);
    }
}

/* The frontends and fixed backends of the template. */
static void
render_frontends(GString *cfg, RsWorld *w, const RsExportOpts *o, bool four)
{
    char bind[16];
    rs_ipv4_format(o->bind_ip, bind);
    const char *d = o->dir;
    g_string_append_printf(cfg,
        "global\n"
        "  # the template's maxconn 20000 (ROUTER_MAX_CONNECTIONS) needs 40 000 file descriptors:\n"
        "  # lowered so that it starts under an ordinary ulimit\n"
        "  maxconn 4096\n"
        "  tune.ssl.default-dh-param 2048\n"
        "  # the template's daemon, user/group haproxy, chroot and stats socket are left out\n"
        "  # so that this configuration runs unprivileged in the foreground\n"
        "\n"
        "defaults\n"
        "  maxconn 4096\n"
        "  errorfile 503 %s/error-page-503.http\n"
        "  timeout connect 5s\n"
        "  timeout client 30s\n"
        "  timeout client-fin 1s\n"
        "  timeout server %" G_GINT64_FORMAT "ms\n"
        "  timeout server-fin 1s\n"
        "  timeout http-request 10s\n"
        "  timeout http-keep-alive 300s\n"
        "  # Long timeout for WebSocket connections.\n"
        "  timeout tunnel 1h\n"
        "\n"
        "frontend public\n"
        "  bind %s:%u\n"
        "  mode http\n"
        "  tcp-request inspect-delay 5s\n"
        "  tcp-request content accept if HTTP\n"
        "  # Strip off Proxy headers to prevent HTTpoxy (https://httpoxy.org/)\n"
        "  http-request del-header Proxy\n"
        "  # DNS labels are case insensitive (RFC 4343) (R21)\n"
        "  http-request set-header Host %%[req.hdr(Host),lower]\n"
        "  # check if we need to redirect/force using https (R24)\n"
        "  acl secure_redirect base,map_reg_int(%s/os_route_http_redirect.map) -m bool\n"
        "  redirect scheme https if secure_redirect\n"
        "  # R21, C2: plain routes, and edge/reencrypt routes with insecure Allow\n"
        "  use_backend %%[base,map_reg(%s/os_http_be.map)]\n"
        "  default_backend openshift_default\n"
        "\n"
        "# public ssl accepts all connections and isn't checking certificates yet (R21, R23)\n"
        "frontend public_ssl\n"
        "  bind %s:%u\n"
        "  tcp-request inspect-delay 5s\n"
        "  tcp-request content accept if { req_ssl_hello_type 1 }\n"
        "  acl sni req.ssl_sni -m found\n"
        "  acl sni_passthrough req.ssl_sni,lower,map_reg(%s/os_sni_passthrough.map) -m found\n"
        "  use_backend %%[req.ssl_sni,lower,map_reg(%s/os_tcp_be.map)] if sni sni_passthrough\n"
        "  use_backend be_sni if sni\n"
        "  default_backend be_no_sni\n"
        "\n"
        "# TLS SNI: terminated with the route's certificate or the default one (R23)\n"
        "# (%s: a unix socket here so that exports can run side by side)\n"
        "backend be_sni\n"
        "  server fe_sni unix@%s/fe_sni.sock weight 1 send-proxy\n"
        "\n"
        "frontend fe_sni\n"
        "  bind unix@%s/fe_sni.sock ssl crt %s/default_pub_keys.pem crt-list %s/cert_config.map accept-proxy\n"
        "  mode http\n"
        "  http-request del-header Proxy\n"
        "  http-request set-header Host %%[req.hdr(Host),lower]\n"
        "  use_backend %%[base,map_reg(%s/os_edge_reencrypt_be.map)]\n"
        "  default_backend openshift_default\n"
        "\n"
        "# TLS NO SNI: the default certificate only\n"
        "backend be_no_sni\n"
        "  server fe_no_sni unix@%s/fe_no_sni.sock weight 1 send-proxy\n"
        "\n"
        "frontend fe_no_sni\n"
        "  bind unix@%s/fe_no_sni.sock ssl crt %s/default_pub_keys.pem accept-proxy\n"
        "  mode http\n"
        "  http-request del-header Proxy\n"
        "  http-request set-header Host %%[req.hdr(Host),lower]\n"
        "  use_backend %%[base,map_reg(%s/os_edge_reencrypt_be.map)]\n"
        "  default_backend openshift_default\n"
        "\n"
        "# no route for the host and path: 503 (R21)\n"
        "backend openshift_default\n"
        "  mode http\n"
        "  option forwardfor\n",
        d, (gint64)(w->par.route_timeout / RS_MS), bind, o->http_port, d, d, bind, o->https_port, d, d,
        four ? "4.x: unix@/var/lib/haproxy/run/haproxy-sni.sock" : "3.11: 127.0.0.1:10444",
        d, d, d, d, d, d, d, d, d);
}

/* Renders the files; see export.h. */
bool
rs_export_haproxy(RsSim *sim, const RsExportOpts *o, RsExportFiles *out, GError **error)
{
    RsWorld *w = rs_sim_world(sim);
    if (o->replica >= w->n_replicas) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "--replica %u: the router has %u replica%s",
                    o->replica, w->n_replicas, w->n_replicas == 1 ? "" : "s");
        return false;
    }
    const RsReplica *r = &w->replicas[o->replica];
    if (r->proc == NULL) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s has loaded no configuration at this time "
                    "(it is down, or has not reloaded yet: R28, R30)", r->name);
        return false;
    }
    bool four = !w->haproxy18;
    const RsRtConfig *cfg = r->proc->cfg;
    GString *hc = add_file(out, "haproxy.cfg");
    g_string_append_printf(hc, "# %s's configuration at %" G_GINT64_FORMAT " ms (loaded at %" G_GINT64_FORMAT
                           " ms, R28), rendered by rahtisim export haproxy after the %s\n"
                           "# router template (HAProxy %s)\n\n",
                           r->name, (gint64)(rs_engine_now(w->eng) / RS_MS), (gint64)(cfg->made / RS_MS),
                           four ? "OKD 4.x" : "OKD 3.11", four ? "2.x" : "1.8");
    render_frontends(hc, w, o, four);
    g_autoptr(GPtrArray) http = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) edge = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) redir = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) sni = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) tcp = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) pods = g_string_new("# address\tport\tpod\tcertificate\tbehaviour (the stub pods a laptop run needs)\n");
    for (unsigned i = 0; i < cfg->n_backends; i++) {
        const RsRtBackend *be = &cfg->backends[i];
        g_autofree char *name = rs_export_backend_name(be->full, be->tls);
        g_autofree char *key = route_key(be->host, be->path, four);
        /* map_entry.go: which maps a route appears in (C2, R24) */
        if (be->tls == RS_TLS_NONE || ((be->tls == RS_TLS_EDGE || be->tls == RS_TLS_REENCRYPT) &&
                                       be->insecure == RS_INSECURE_ALLOW))
            g_ptr_array_add(http, g_strdup_printf("%s %s", key, name));
        if (be->tls == RS_TLS_EDGE || be->tls == RS_TLS_REENCRYPT)
            g_ptr_array_add(edge, g_strdup_printf("%s %s", key, name));
        g_ptr_array_add(redir, g_strdup_printf("%s %d", key, be->insecure == RS_INSECURE_REDIRECT));
        if (be->tls == RS_TLS_PASSTHROUGH) {
            GString *k = g_string_new("^");
            quote_meta(k, be->host);
            if (four)
                g_string_append(k, "\\.?");
            g_string_append_c(k, '$');
            g_ptr_array_add(sni, g_strdup_printf("%s 1", k->str));
            g_ptr_array_add(tcp, g_strdup_printf("%s %s", k->str, name));
            g_string_free(k, TRUE);
        }
        if ((be->tls == RS_TLS_EDGE || be->tls == RS_TLS_REENCRYPT) && be->certificate) {
            g_autofree char *file = g_strdup_printf("router/certs/%s.pem", be->full);
            g_strdelimit(file + strlen("router/certs/"), "/", '_');
            add_cert(out, file, be->host);
            g_ptr_array_add(certs, g_strdup_printf("%s/%s %s", o->dir, file, be->host));
        }
        render_backend(hc, out, w, be, o, four, pods);
    }
    write_map(out, "os_http_be.map", http);
    write_map(out, "os_edge_reencrypt_be.map", edge);
    write_map(out, "os_route_http_redirect.map", redir);
    write_map(out, "os_sni_passthrough.map", sni);
    write_map(out, "os_tcp_be.map", tcp);
    write_map(out, "cert_config.map", certs);
    /* cppcheck-suppress leakNoVarFunctionCall ; out->texts owns what add_file returns */
    g_string_append(add_file(out, "error-page-503.http"),
                    "HTTP/1.0 503 Service Unavailable\r\nPragma: no-cache\r\nCache-Control: private, max-age=0, "
                    "no-cache, no-store\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n"
                    "<html><body><h1>Application is not available</h1></body></html>\n");
    /* cppcheck-suppress leakNoVarFunctionCall ; out->texts owns what add_file returns */
    g_string_append(add_file(out, "pods.tsv"), pods->str);
    g_autofree char *wild = g_strdup_printf("*.%s", w->app_domain);
    add_cert(out, "default_pub_keys.pem", wild);
    return true;
}

/* The backend and server lines a routed request used; see export.h. */
void
rs_export_explain(RsSim *sim, const RsResult *res, GString *out)
{
    RsWorld *w = rs_sim_world(sim);
    int rep = -1;
    const char *route = NULL;
    for (unsigned i = 0; i < res->n_hops; i++) {
        const RsHop *h = &res->hops[i];
        if (h->kind == RS_HOP_VIP_REPLICA)
            rep = (int)h->n;
        if (h->kind == RS_HOP_ROUTE)
            route = h->svc;
    }
    if (rep < 0 || route == NULL || (unsigned)rep >= w->n_replicas || w->replicas[rep].proc == NULL)
        return;
    const RsRtConfig *cfg = w->replicas[rep].proc->cfg;
    const RsRtBackend *be = NULL;
    for (unsigned i = 0; i < cfg->n_backends && be == NULL; i++) {
        if (strcmp(cfg->backends[i].full, route) == 0)
            be = &cfg->backends[i];
    }
    if (be == NULL)
        return;
    RsExportOpts o = {0};
    g_autofree char *name = rs_export_backend_name(be->full, be->tls);
    g_string_append_printf(out, "\nrouter-%d's configuration it used (rahtisim export haproxy --replica %d):\n"
                           "  backend %s\n    balance %s\n", rep, rep, name, rs_balance_word(be->balance));
    for (unsigned k = 0; k < be->n_servers; k++) {
        bool used = false;
        for (unsigned i = 0; i < res->n_hops && !used; i++) {
            const RsHop *h = &res->hops[i];
            used = h->kind == RS_HOP_BALANCE && h->pod == be->servers[k].pod->full && h->port2 == be->servers[k].port;
        }
        g_string_append(out, "    ");
        server_line(out, be, k, &o);
        g_string_append(out, used ? "   # <- this request\n" : "\n");
    }
    if (be->n_servers == 0)
        g_string_append(out, "    # no server lines: HTTP 503 (R20)\n");
}
