/* judge-util.c: the JSON and text helpers every judge of src/check uses.
 *
 * The bottom of src/check (check-private.h lists the files): numbers go
 * into the JSON results as stable text (R37: the same bytes on every
 * machine), durations with their unit, addresses dotted, address lists
 * sorted.
 */
#include "config.h"

#include <stdlib.h>

#include "check/check-private.h"

/* Adds a duration as a string with a unit ("1.2ms"). */
void
rs_check_add_duration(cJSON *o, const char *key, rs_time_t t)
{
    char buf[32];
    cJSON_AddStringToObject(o, key, rs_duration_format(t, buf));
}

/* Adds an address in dotted form. */
void
rs_check_add_ip(cJSON *o, const char *key, uint32_t ip)
{
    char buf[16];
    cJSON_AddStringToObject(o, key, rs_ipv4_format(ip, buf));
}

/* Adds a fraction as a JSON number with four decimals (stable text, R37). */
void
rs_check_add_fraction(cJSON *o, const char *key, double f)
{
    char buf[32];
    g_snprintf(buf, sizeof buf, "%.4f", f);
    cJSON_AddItemToObject(o, key, cJSON_CreateRaw(buf));
}

/* A fraction as a percentage for sentences ("99.5 %"). */
const char *
rs_check_pct(double f, char *buf, size_t len)
{
    g_snprintf(buf, len, "%.1f %%", 100.0 * f);
    return buf;
}

/* Orders addresses (for qsort), so answers compare as sets. */
int
rs_check_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Adds addresses as a JSON list of strings (sorted). */
cJSON *
rs_check_ip_list(const uint32_t *ips, unsigned n)
{
    g_autofree uint32_t *s = g_memdup2(ips, n * sizeof *ips);
    if (n > 0)
        qsort(s, n, sizeof *s, rs_check_cmp_u32);
    cJSON *a = cJSON_CreateArray();
    char buf[16];
    for (unsigned i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(rs_ipv4_format(s[i], buf)));
    return a;
}
