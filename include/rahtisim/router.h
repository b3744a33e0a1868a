/* router.h: the pure parts of the HAProxy router model (R21, R25, R26).
 *
 * What can be decided without a simulation lives here, so unit tests can
 * drive it directly: CIDR matching and whitelist parsing (R25), route path
 * matching (R21), certificate names (R18, R23) and the balance algorithms
 * (R26) over one backend's servers.  They are implemented in
 * src/world/balance.c; the router's configuration views and reloads are in
 * src/world/router.c; the request walk through the VIP is in
 * src/net/router.c.
 */
#ifndef RAHTISIM_ROUTER_H
#define RAHTISIM_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include "rahtisim/rng.h"
#include "rahtisim/world.h"

/* "a.b.c.d" or "a.b.c.d/n" (host bits allowed and masked, as Go's
 * net.ParseCIDR and HAProxy do); false if malformed. */
bool rs_cidr_parse(const char *text, RsCidr *out);
bool rs_cidr_contains(const RsCidr *c, uint32_t ip);

/* Parses an ip_whitelist value (R25): entries separated as `syntax` says
 * (runs of spaces on rahti-1, runs of any whitespace on rahti-2); a
 * malformed entry or leading/trailing whitespace discards the whole list.
 * NULL or "" is no whitelist. */
void rs_whitelist_parse(const char *value, RsWlSyntax syntax, RsWhitelist *out);
void rs_whitelist_clear(RsWhitelist *wl);
/* Whether `ip` may use the route: no list, a discarded list, or covered. */
bool rs_whitelist_allows(const RsWhitelist *wl, uint32_t ip);

/* R21: whether a route path covers a request path: "/" everything, "/foo"
 * "/foo" and "/foo/..." but not "/foobar", "/foo/" only "/foo/...".  The
 * request path's query string is ignored. */
bool rs_route_path_matches(const char *route_path, const char *req_path);

/* R18/R23: whether a certificate valid for `cert` ("*.example.org" is a
 * one-label wildcard) is valid for `host`. */
bool rs_cert_valid_for(const char *cert, const char *host);
/* R18: whether `host` is <label>.<app_domain> (covered by the wildcard certificate). */
bool rs_app_domain_name(const char *host, const char *app_domain);

/* How a balancer chose (RsHop.m of the BALANCE hop). */
typedef enum { RS_PICK_BY_ALGO, RS_PICK_BY_COOKIE, RS_PICK_REDISPATCH } RsRtPickHow;

/* Builds a balancer for servers of the given weights (R26); all up, no connections. */
void rs_balancer_init(RsBalancer *b, RsBalance algo, const unsigned *weights, unsigned n);
void rs_balancer_clear(RsBalancer *b);
/* Picks a server for a new request (R26): -1 if no server with weight > 0
 * is up.  `exclude` (or -1) is skipped when another is eligible
 * (redispatch, R29).  `client` is the source address (source hashing). */
int rs_balancer_pick(RsBalancer *b, RsRng *rng, uint32_t client, int exclude);

/* A connection to server k opens / closes (R26): its count changes, and
 * (C5) it moves behind the servers of the same load in leastconn's order,
 * as HAProxy repositions it in its tree. */
void rs_balancer_take(RsBalancer *b, unsigned k);
void rs_balancer_release(RsBalancer *b, unsigned k);

/* Indexes a balancer (after rs_balancer_init, before any pick): every pick
 * then costs O(1) where the scan cost O(servers), with the same choices
 * (docs/performance.md).  Once indexed, a server goes down or up only
 * through rs_balancer_set_down; weights and counts are not written directly. */
void rs_balancer_index(RsBalancer *b);
/* rs_balancer_init then rs_balancer_index, the servers made in the index's block. */
void rs_balancer_init_indexed(RsBalancer *b, RsBalance algo, const unsigned *weights, unsigned n);
/* Marks server k down or up (R29: health checks). */
void rs_balancer_set_down(RsBalancer *b, unsigned k, bool down);
/* Drops the index of a copy of a balancer (the copy's picks scan). */
void rs_balancer_forget_index(RsBalancer *b);

const char *rs_balance_word(RsBalance b);

#endif
