/* import-private.h (internal): what the importer's files share.
 *
 * yaml.c reads manifest files into cJSON trees with a position per node;
 * import.c translates Kubernetes/OpenShift objects into scenario JSON
 * (scenario-format.md), recording for every node it makes the manifest
 * file, line, column and path it came from (jsonc.h origins), so that the
 * loader's messages about an imported object point into the manifest;
 * input.c decides what a SCENARIO argument is (a scenario, a manifest file,
 * a folder, stdin) and grafts a scenario's `manifests` into it.
 */
#ifndef RAHTISIM_IMPORT_PRIVATE_H
#define RAHTISIM_IMPORT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <glib.h>

#include "rahtisim/import.h"
#include "scenario/jsonc.h"

/* Files (and stdin) larger than this are refused. */
#define RS_YAML_MAX_FILE_SIZE ((size_t)64 * 1024 * 1024)
/* Nesting deeper than this is an error (manifests need about 12). */
#define RS_YAML_MAX_DEPTH 128
/* Aliases may add at most this many nodes to a document when expanded. */
#define RS_YAML_MAX_ALIAS_NODES 1000000u
/* How stdin ("-") is named in messages. */
#define RS_IMPORT_STDIN_NAME "<stdin>"

/* Reads a whole file, or stdin for "-", up to RS_YAML_MAX_FILE_SIZE. */
bool rs_yaml_read(const char *path, char **data, size_t *len, GError **error);
/* Parses every YAML document of a file into a cJSON tree (empty documents
 * are skipped); the position of each node goes into `pos` (read it with
 * rs_yaml_pos).  NULL on error ("FILE:LINE:COL: PATH: message"). */
GPtrArray *rs_yaml_parse(const char *file, const char *data, size_t len, GHashTable *pos,
                         GError **error);
/* 1-based line and column of a node parsed by rs_yaml_parse (0 if unknown). */
void rs_yaml_pos(GHashTable *pos, const cJSON *node, int *line, int *col);

/* Translates the manifests at `paths` (files, folders, "-": stdin, or
 * `stdin_text` when given) into a scenario document whose nodes carry their
 * manifest origins; warnings ("FILE:LINE:COL: warning: ...") are added to
 * `warnings`.  NULL on error. */
RsJsonDoc *rs_import_doc(char *const *paths, unsigned n_paths, const GString *stdin_text,
                         const RsImportOptions *opts, GPtrArray *warnings, GError **error);

#endif
