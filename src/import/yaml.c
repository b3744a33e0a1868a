/* yaml.c: YAML (and JSON) manifest files to cJSON trees, with the line and
 * column of every node.
 *
 * libyaml (Debian libyaml-dev) does the parsing: yaml_parser_load() builds a
 * node graph per document, in which an alias is just a second reference to
 * the anchored node.  This file then
 *   1. refuses graphs that would explode when expanded: a "billion laughs"
 *      file is a few hundred bytes whose aliases stand for 10^9 nodes.  The
 *      expanded size of every node is computed once (memoised, so the check
 *      costs O(nodes)); if aliases add more than RS_YAML_MAX_ALIAS_NODES the
 *      file is refused at the first node that carries the excess.  An alias
 *      to a node that contains it (`&a [*a]`, which libyaml accepts) is a
 *      cycle and refused too;
 *   2. converts the graph into cJSON, resolving plain scalars the way
 *      Kubernetes' YAML reader (go-yaml v2, YAML 1.1) does: null, booleans
 *      (true/false, yes/no, on/off, y/n), integers (decimal, 0x, 0o and
 *      leading-0 octal), floats, else strings; quoted scalars are strings;
 *      duplicate keys, non-scalar keys and merge keys (`<<`) are errors;
 *      nesting deeper than RS_YAML_MAX_DEPTH is an error.
 * Files are read whole, at most RS_YAML_MAX_FILE_SIZE bytes (stdin too).
 * libyaml checks the encoding: bytes that are not UTF-8 are a positioned
 * error.  Costs: the libyaml graph and the cJSON tree of one file at a time,
 * plus one hash table entry per node for its position.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <yaml.h>

#include "import/import-private.h"

/* Marks a node being sized (cycle detection) and the cap of the sizes. */
#define SIZE_OPEN ((guint64)-1)
#define SIZE_CAP ((guint64)1 << 40)

/* The state of one document's conversion. */
typedef struct {
    yaml_document_t *doc;
    const char *file;
    GHashTable *pos;            /* cJSON* -> packed position (rs_yaml_pos) */
    guint64 *size;              /* expanded size per node (index - 1) */
    GError **error;
} Conv;

/* Packs a 1-based line and column into a hash table value. */
static gpointer
pack_pos(int line, int col)
{
    guint64 v = ((guint64)(guint32)line << 32) | (guint32)col;
    return (gpointer)(guintptr)v;
}

/* The position recorded for a manifest node (see import-private.h). */
void
rs_yaml_pos(GHashTable *pos, const cJSON *node, int *line, int *col)
{
    guint64 v = (guint64)(guintptr)g_hash_table_lookup(pos, node);
    *line = (int)(v >> 32);
    *col = (int)(v & 0xFFFFFFFFu);
}

/* Sets an error "FILE:LINE:COL: PATH: message" at a libyaml mark. */
G_GNUC_PRINTF(5, 6) static bool
fail_at(GError **error, const char *file, const yaml_mark_t *m, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *msg = rs_jsonc_printable(raw);
    g_autofree char *where = rs_jsonc_printable(path ? path : "");
    g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_SYNTAX, "%s:%zu:%zu: %s%s%s", file,
                m->line + 1, m->column + 1, where, *where ? ": " : "", msg);
    return false;
}

/* The node with index i (1-based) of a document. */
static yaml_node_t *
node_at(yaml_document_t *doc, int i)
{
    return yaml_document_get_node(doc, i);
}

/* Expanded size of node i (aliases counted each time they occur); SIZE_OPEN
 * when i contains itself.  Depth is checked by the conversion, which runs
 * after: here recursion is bounded by the same limit. */
static guint64
expanded_size(Conv *c, int i, int depth)
{
    guint64 *s = &c->size[i - 1];
    if (*s == SIZE_OPEN)
        return SIZE_OPEN;
    if (*s)
        /* cppcheck-suppress identicalInnerCondition ; *s is 0 until computed; SIZE_OPEN was handled above */
        return *s;
    if (depth > RS_YAML_MAX_DEPTH)
        return 1;               /* the conversion reports the depth */
    yaml_node_t *n = node_at(c->doc, i);
    *s = SIZE_OPEN;
    guint64 total = 1;
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            guint64 k = expanded_size(c, *it, depth + 1);
            if (k == SIZE_OPEN)
                return SIZE_OPEN;
            total = MIN(SIZE_CAP, total + k);
        }
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            guint64 k = expanded_size(c, p->key, depth + 1), v = expanded_size(c, p->value, depth + 1);
            if (k == SIZE_OPEN || v == SIZE_OPEN)
                return SIZE_OPEN;
            total = MIN(SIZE_CAP, total + k + v);
        }
    }
    *s = total;
    return total;
}

/* Text of a scalar node (NUL-terminated by libyaml). */
static const char *
scalar_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* A mapping key's text for paths and messages ("?" when not a scalar). */
static const char *
key_text(Conv *c, int key)
{
    yaml_node_t *k = node_at(c->doc, key);
    return k && k->type == YAML_SCALAR_NODE ? scalar_text(k) : "?";
}

/* Finds the node to blame for an alias explosion (the deepest node on the
 * first path whose expanded size is over the limit) or for a cycle (the
 * node whose child leads back to a node on the path), and reports it. */
static bool
report_explosion(Conv *c, bool cycle)
{
    static const char bomb[] = "aliases here expand to more than %u nodes (an alias bomb, like "
                               "\"billion laughs\"): write the objects out";
    static const char loop[] = "an alias here refers to a node that contains it (a recursive alias)";
    g_autoptr(GHashTable) on_path = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autofree char *path = g_strdup("");
    int i = 1;
    for (;;) {
        yaml_node_t *n = node_at(c->doc, i);
        g_hash_table_add(on_path, GINT_TO_POINTER(i));
        int next = 0;
        char *next_path = NULL;
        if (n->type == YAML_SEQUENCE_NODE) {
            int k = 0;
            for (yaml_node_item_t *it = n->data.sequence.items.start;
                 it < n->data.sequence.items.top && !next; it++, k++) {
                guint64 s = c->size[*it - 1];
                if (cycle ? s == SIZE_OPEN : s > RS_YAML_MAX_ALIAS_NODES) {
                    next = *it;
                    next_path = g_strdup_printf("%s[%d]", path, k);
                }
            }
        } else if (n->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !next; p++) {
                guint64 s = c->size[p->value - 1];
                if (cycle ? s == SIZE_OPEN : s > RS_YAML_MAX_ALIAS_NODES) {
                    next = p->value;
                    next_path = *path ? g_strdup_printf("%s.%s", path, key_text(c, p->key))
                                      : g_strdup(key_text(c, p->key));
                }
            }
        }
        if (!next || g_hash_table_contains(on_path, GINT_TO_POINTER(next))) {
            g_free(next_path);
            if (cycle)
                return fail_at(c->error, c->file, &n->start_mark, path, loop);
            return fail_at(c->error, c->file, &n->start_mark, path, bomb, RS_YAML_MAX_ALIAS_NODES);
        }
        g_free(path);
        path = next_path;
        i = next;
    }
}

/* Whether a plain scalar is one of YAML 1.1's booleans; sets *value. */
static bool
resolve_bool(const char *s, bool *value)
{
    static const char *const yes[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                      "on", "On", "ON", NULL};
    static const char *const no[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                     "off", "Off", "OFF", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcmp(s, yes[i]) == 0)
            return *value = true, true;
    for (int i = 0; no[i]; i++)
        if (strcmp(s, no[i]) == 0)
            return *value = false, true;
    return false;
}

/* Whether a plain scalar is a YAML 1.1 number; sets *value. */
static bool
resolve_number(const char *s, double *value)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!*p)
        return false;
    int sign = *s == '-' ? -1 : 1;
    if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0 ||
        strcmp(p, ".nan") == 0 || strcmp(p, ".NaN") == 0 || strcmp(p, ".NAN") == 0)
        return false;           /* not representable in JSON: kept as a string, refused where a number is needed */
    guint64 u;
    if ((p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) && p[2] &&
        g_ascii_string_to_unsigned(p + 2, 16, 0, G_MAXUINT64, &u, NULL)) {
        *value = sign * (double)u;
        return true;
    }
    if (p[0] == '0' && p[1] == 'o' && p[2] && g_ascii_string_to_unsigned(p + 2, 8, 0, G_MAXUINT64, &u, NULL)) {
        *value = sign * (double)u;
        return true;
    }
    if (p[0] == '0' && p[1] && strspn(p + 1, "01234567") == strlen(p + 1) &&
        g_ascii_string_to_unsigned(p + 1, 8, 0, G_MAXUINT64, &u, NULL)) {
        *value = sign * (double)u;
        return true;
    }
    /* decimal integers and floats: digits, one optional dot, an optional exponent */
    const char *q = p;
    size_t digits = strspn(q, "0123456789");
    q += digits;
    size_t frac = 0;
    if (*q == '.') {
        q++;
        frac = strspn(q, "0123456789");
        q += frac;
    }
    if (digits + frac == 0)
        return false;
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        size_t e = strspn(q, "0123456789");
        if (!e)
            return false;
        q += e;
    }
    if (*q)
        return false;
    *value = g_ascii_strtod(s, NULL);
    return true;
}

/* Converts a plain scalar by YAML 1.1 resolution. */
static cJSON *
resolve_plain(const char *s)
{
    bool b;
    double d;
    if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
        strcmp(s, "NULL") == 0)
        return cJSON_CreateNull();
    if (resolve_bool(s, &b))
        return cJSON_CreateBool(b);
    if (resolve_number(s, &d))
        return cJSON_CreateNumber(d);
    return cJSON_CreateString(s);
}

/* Records a node's position. */
static cJSON *
placed(Conv *c, cJSON *j, const yaml_node_t *n)
{
    g_hash_table_insert(c->pos, j, pack_pos((int)n->start_mark.line + 1, (int)n->start_mark.column + 1));
    return j;
}

/* Converts node i into cJSON; NULL after an error. */
static cJSON *
convert(Conv *c, int i, const char *path, int depth)
{
    yaml_node_t *n = node_at(c->doc, i);
    if (depth > RS_YAML_MAX_DEPTH) {
        fail_at(c->error, c->file, &n->start_mark, path, "nesting deeper than %d levels", RS_YAML_MAX_DEPTH);
        return NULL;
    }
    if (n->type == YAML_SCALAR_NODE) {
        const char *s = scalar_text(n);
        if (strlen(s) != n->data.scalar.length) {
            fail_at(c->error, c->file, &n->start_mark, path, "NUL character in a string");
            return NULL;
        }
        bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                     strcmp((const char *)n->tag, YAML_DEFAULT_SCALAR_TAG) == 0;
        return placed(c, plain ? resolve_plain(s) : cJSON_CreateString(s), n);
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        cJSON *a = placed(c, cJSON_CreateArray(), n);
        int k = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, k++) {
            g_autofree char *p = g_strdup_printf("%s[%d]", path, k);
            cJSON *v = convert(c, *it, p, depth + 1);
            if (!v) {
                cJSON_Delete(a);
                return NULL;
            }
            cJSON_AddItemToArray(a, v);
        }
        return a;
    }
    cJSON *o = placed(c, cJSON_CreateObject(), n);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node_at(c->doc, p->key);
        if (k->type != YAML_SCALAR_NODE) {
            fail_at(c->error, c->file, &k->start_mark, path, "a key must be a string, not a %s",
                    k->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
            cJSON_Delete(o);
            return NULL;
        }
        const char *key = scalar_text(k);
        g_autofree char *kp = *path ? g_strdup_printf("%s.%s", path, key) : g_strdup(key);
        if (strcmp(key, "<<") == 0 && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            fail_at(c->error, c->file, &k->start_mark, kp, "merge keys (`<<`) are not supported: "
                    "write the keys out");
            cJSON_Delete(o);
            return NULL;
        }
        yaml_node_t *first = g_hash_table_lookup(seen, key);
        if (first) {
            fail_at(c->error, c->file, &k->start_mark, kp, "duplicate key `%s` (first at line %zu)", key,
                    first->start_mark.line + 1);
            cJSON_Delete(o);
            return NULL;
        }
        g_hash_table_insert(seen, (gpointer)key, k);
        cJSON *v = convert(c, p->value, kp, depth + 1);
        if (!v) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(o, key, v);
    }
    return o;
}

/* Reads a whole file or stdin ("-"), refusing more than the size limit. */
bool
rs_yaml_read(const char *path, char **data, size_t *len, GError **error)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? RS_IMPORT_STDIN_NAME : path;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        int e = errno;
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO, "%s: cannot read: %s", name, g_strerror(e));
        return false;
    }
    GString *buf = g_string_sized_new(65536);
    char chunk[65536];
    size_t got;
    bool ok = true;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf->len + got > RS_YAML_MAX_FILE_SIZE) {
            g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_LIMIT,
                        "%s: file too large (the limit is %zu MiB)", name, RS_YAML_MAX_FILE_SIZE >> 20);
            ok = false;
            break;
        }
        g_string_append_len(buf, chunk, (gssize)got);
    }
    if (ok && ferror(f)) {
        int e = errno;
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO, "%s: cannot read: %s", name,
                    g_strerror(e ? e : EIO));
        ok = false;
    }
    if (!is_stdin)
        fclose(f);
    if (!ok) {
        g_string_free(buf, TRUE);
        return false;
    }
    *len = buf->len;
    *data = g_string_free(buf, FALSE);
    return true;
}

/* Parses every document of a file (see import-private.h). */
GPtrArray *
rs_yaml_parse(const char *file, const char *data, size_t len, GHashTable *pos, GError **error)
{
    g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func((GDestroyNotify)cJSON_Delete);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        g_set_error(error, RS_SCENARIO_ERROR, RS_SCENARIO_ERROR_IO, "%s: out of memory", file);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    bool ok = true;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            const yaml_mark_t *m = &parser.problem_mark;
            if (parser.error == YAML_READER_ERROR) {
                /* the reader gives a byte offset only: find its line and column */
                yaml_mark_t at = {0, 0, 0};
                size_t line_start = 0, off = MIN(parser.problem_offset, len);
                /* "invalid trailing octet": blame the character's first byte */
                for (int back = 0; back < 3 && off > 0 && parser.problem &&
                     strstr(parser.problem, "trailing") && ((unsigned char)data[off] & 0xC0) != 0xC0; back++)
                    off--;
                for (size_t k = 0; k < off; k++)
                    if (data[k] == '\n') {
                        at.line++;
                        line_start = k + 1;
                    }
                at.column = (size_t)g_utf8_pointer_to_offset(data + line_start, data + off);
                if (!g_utf8_validate(data + line_start, (gssize)(off - line_start), NULL))
                    at.column = off - line_start;
                fail_at(error, file, &at, "", "%s (byte 0x%02X): manifests are UTF-8 text",
                        parser.problem ? parser.problem : "cannot read",
                        off < len ? (unsigned char)data[off] : 0);
            } else if (parser.error == YAML_MEMORY_ERROR) {
                fail_at(error, file, m, "", "out of memory");
            } else if (parser.context) {
                fail_at(error, file, m, "", "YAML syntax: %s (%s that starts at line %zu, column %zu)",
                        parser.problem ? parser.problem : "error", parser.context,
                        parser.context_mark.line + 1, parser.context_mark.column + 1);
            } else {
                fail_at(error, file, m, "", "YAML syntax: %s", parser.problem ? parser.problem : "error");
            }
            ok = false;
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {            /* the end of the stream */
            yaml_document_delete(&doc);
            break;
        }
        size_t n_nodes = (size_t)(doc.nodes.top - doc.nodes.start);
        Conv c = {.doc = &doc, .file = file, .pos = pos, .error = error,
                  .size = g_new0(guint64, n_nodes)};
        guint64 total = expanded_size(&c, 1, 0);
        if (total == SIZE_OPEN) {
            report_explosion(&c, true);
            ok = false;
        } else if (total > n_nodes + RS_YAML_MAX_ALIAS_NODES) {
            /* the node to blame: the deepest one still over the limit */
            report_explosion(&c, false);
            ok = false;
        }
        cJSON *j = ok ? convert(&c, 1, "", 0) : NULL;
        g_free(c.size);
        yaml_document_delete(&doc);
        if (!j) {
            ok = false;
            break;
        }
        g_ptr_array_add(docs, j);
    }
    yaml_parser_delete(&parser);
    return ok ? g_steal_pointer(&docs) : NULL;
}
