/* json.c: exact 64-bit integers in JSON output.
 *
 * cJSON keeps numbers as doubles, so a count above 2^53 would print
 * rounded; the results (src/check/) and the reports (src/report/) write
 * counts as raw number text instead, in one place.
 */
#include "config.h"

#include <inttypes.h>

#include <glib.h>

#include "rahtisim/util.h"

/* Adds an exact 64-bit integer (cJSON numbers are doubles; raw keeps every digit). */
void
rs_json_add_u64(cJSON *obj, const char *key, uint64_t v)
{
    char buf[32];
    g_snprintf(buf, sizeof buf, "%" PRIu64, v);
    cJSON_AddItemToObject(obj, key, cJSON_CreateRaw(buf));
}
