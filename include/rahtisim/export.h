/* export.h: the router's configuration as HAProxy would run it (issue 13).
 *
 * rs_export_haproxy renders what the router of the scenario's profile would
 * write at the simulation's current time, from the configuration one router
 * replica has loaded (R28): haproxy.cfg and the map files of the OpenShift
 * router template of the profile's generation (rahti-1: the OKD 3.11
 * template, HAProxy 1.8; rahti-2: the OKD 4 template, HAProxy 2.x), the
 * whitelist files of lists over 61 entries, and the list of certificates the
 * configuration names (generated as self-signed placeholders by the
 * command, src/cli/cmd-export.c).  See src/export/haproxy.c.
 */
#ifndef RAHTISIM_EXPORT_H
#define RAHTISIM_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "rahtisim/request.h"
#include "rahtisim/sim.h"

typedef struct {
    unsigned replica;           /* --replica N */
    uint32_t bind_ip;           /* --bind: the frontends' address (default: the router VIP) */
    uint16_t http_port, https_port;     /* default 80 and 443 */
    bool map_pods;              /* --map-pods CIDR: pod addresses moved into `pods_net` */
    uint32_t pods_net, pods_mask;
    const char *dir;            /* the absolute output folder the files name */
} RsExportOpts;

/* A certificate the configuration names: a PEM file (certificate + key)
 * valid for `names` (DNS names, "*.x" wildcards), signed by the placeholder
 * CA (ca.pem in the folder). */
typedef struct {
    char *file;                 /* relative to the folder */
    char *name;                 /* the subject / the SAN */
} RsExportCert;

typedef struct {
    GPtrArray *names;           /* relative file names, in writing order (owned strings) */
    GPtrArray *texts;           /* GString per file (owned) */
    GArray *certs;              /* RsExportCert (owned strings) */
} RsExportFiles;

void rs_export_files_init(RsExportFiles *f);
void rs_export_files_clear(RsExportFiles *f);

/* Renders the files; false (error set) if the replica does not exist or has
 * loaded no configuration yet. */
bool rs_export_haproxy(RsSim *sim, const RsExportOpts *o, RsExportFiles *out, GError **error);

/* explain: the backend and the server lines a routed request used (the
 * configuration of the replica that took it), appended to `out`; nothing
 * for a request that reached no route. */
void rs_export_explain(RsSim *sim, const RsResult *res, GString *out);

/* The backend name the template gives a route (be_http:ns:name, ...). */
char *rs_export_backend_name(const char *full, RsTlsMode tls);

#endif
