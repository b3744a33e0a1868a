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

#include "rahtisim/scenario.h"

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

/* True when the scanner built the tree (not cJSON, not the importer) and
 * no string in it, key or value, has a backslash, a colon, a DEL or a 0xC2
 * byte: then no string holds an IPv6 address or a control character, and
 * the loader's walk over every string for them (R1) is skipped. */
bool rs_jsonc_strings_plain(const RsJsonDoc *doc);

/* Byte offset of a value (key false) or of its key in the enclosing object
 * (key true; falls back to the value).  0 for unknown nodes. */
size_t rs_jsonc_offset(const RsJsonDoc *doc, const cJSON *node, bool key);

/* 1-based line and column (in characters) of a byte offset. */
void rs_jsonc_linecol(const RsJsonDoc *doc, size_t offset, int *line, int *col);

/* ---- nodes built by the importer (src/import/) from other files ----
 * A node may carry an origin: the file, line, column and manifest path it
 * was translated from.  rs_jsonc_offset() then returns an offset past the
 * text that rs_jsonc_linecol(), rs_jsonc_file_at() and rs_jsonc_path_at()
 * map back to that origin, so the loader's messages name the manifest. */

/* A document with no text around a tree built in memory (takes `root`). */
RsJsonDoc *rs_jsonc_new_tree(const char *name, cJSON *root);
/* The tree, writable: the importer grafts manifest objects into it. */
cJSON *rs_jsonc_root_mut(RsJsonDoc *doc);
/* Records that `node` was made from FILE:LINE:COL at manifest path `path`. */
void rs_jsonc_set_origin(RsJsonDoc *doc, const cJSON *node, const char *file, int line, int col,
                         const char *path);
/* Copies src's origins into dst (before src's nodes are moved into dst's tree). */
void rs_jsonc_copy_origins(RsJsonDoc *dst, const RsJsonDoc *src);
/* The file an offset lies in (an origin's file, else the document's name). */
const char *rs_jsonc_file_at(const RsJsonDoc *doc, size_t offset);
/* The manifest path of an origin offset, NULL for offsets into the text. */
const char *rs_jsonc_path_at(const RsJsonDoc *doc, size_t offset);

/* Loads a scenario from a parsed (or built) document (loader.c; scenario.h
 * has the file and memory variants). */
RsScenario *rs_scenario_load_doc(const RsJsonDoc *doc, const RsLimits *limits, GError **error);

/* A copy of `s` (g_free it) with control characters written as escapes
 * (\n, \t, \r, \xNN), for quoting file text in one-line messages. */
char *rs_jsonc_printable(const char *s);

#endif
