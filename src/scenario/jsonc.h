/* jsonc.h (internal): JSON with comments, and where each value came from.
 *
 * rs_jsonc_parse() checks that the text is UTF-8, blanks out line (`//`)
 * and block (slash-star) comments (byte offsets stay the same), parses the result with
 * cJSON and then walks the text once more beside the cJSON tree.  That walk
 * is a strict JSON scanner: it rejects what cJSON tolerates (control
 * characters as whitespace or inside strings, numbers like 01 or +1, \u0000)
 * and duplicate keys, and it records the byte offset of every value and every
 * object key, so that the loader can name line and column of anything it
 * rejects.  Costs: one copy of the text, two hash tables keyed by node.
 */
#ifndef RAHTISIM_SCENARIO_JSONC_H
#define RAHTISIM_SCENARIO_JSONC_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <glib.h>

/* Files larger than this are refused before they are read. */
#define RS_JSONC_MAX_FILE_SIZE ((size_t)64 * 1024 * 1024)
/* Nesting deeper than this is a syntax error (scenarios need about 8). */
#define RS_JSONC_MAX_DEPTH 128

typedef struct RsJsonDoc RsJsonDoc;

/* Parses `len` bytes of JSONC; `name` is used in messages.  On error
 * returns NULL and sets RS_SCENARIO_ERROR_SYNTAX ("NAME:LINE:COL: message"). */
RsJsonDoc *rs_jsonc_parse(const char *name, const char *data, size_t len, GError **error);

/* Reads and parses a file (RS_SCENARIO_ERROR_IO when it cannot be read). */
RsJsonDoc *rs_jsonc_load_file(const char *path, GError **error);

void rs_jsonc_free(RsJsonDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsJsonDoc, rs_jsonc_free)

/* The document's top value. */
const cJSON *rs_jsonc_root(const RsJsonDoc *doc);

/* The name given to rs_jsonc_parse (the file name). */
const char *rs_jsonc_name(const RsJsonDoc *doc);

/* Byte offset of a value (key false) or of its key in the enclosing object
 * (key true; falls back to the value).  0 for unknown nodes. */
size_t rs_jsonc_offset(const RsJsonDoc *doc, const cJSON *node, bool key);

/* 1-based line and column (in characters) of a byte offset. */
void rs_jsonc_linecol(const RsJsonDoc *doc, size_t offset, int *line, int *col);

/* A copy of `s` (g_free it) with control characters written as escapes
 * (\n, \t, \r, \xNN), for quoting file text in one-line messages. */
char *rs_jsonc_printable(const char *s);

#endif
