/* import.h: Kubernetes and OpenShift manifests in, scenarios out.
 *
 * `rahtisim import` and every command that takes a SCENARIO read manifests
 * through here: YAML (multi-document) or JSON files, `List` objects (`oc get
 * -o yaml`), folders (recursively, like `kubectl apply -f DIR`) and `-` for
 * stdin.  The result is an ordinary scenario (scenario-format.md) whose
 * nodes remember the manifest file, line, column and path they came from,
 * so the loader's errors and warnings point into the manifests.  What the
 * simulator does not model is listed once each in `import_notes`.
 */
#ifndef RAHTISIM_IMPORT_H
#define RAHTISIM_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "rahtisim/scenario.h"

typedef struct {
    const char *default_namespace;  /* objects without one; NULL: "default" (with a warning) */
    const char *name;               /* the scenario's name; NULL: from the first path */
    const char *stdin_name;         /* how "-" is named in messages; NULL: "<stdin>" */
    const char *platform;           /* the profile the scenario runs on (what it can have: load
                                     * balancers are rahti-2 only, R48); NULL: rahti-1 */
} RsImportOptions;

/* Imports the manifests at `paths` (files, folders, "-") and loads the
 * result as a scenario (validated like any scenario).  On success `json`
 * (if not NULL) gets the scenario as JSON text.  Notes and warnings are in
 * the scenario (import_notes, warnings).  NULL on error, exit status 2. */
RsScenario *rs_import_load(char *const *paths, unsigned n_paths, const RsImportOptions *opts,
                           const RsLimits *limits, GString *json, GError **error);

/* Imports manifests from memory (`name` is used in messages) and loads them. */
RsScenario *rs_import_load_data(const char *name, const char *data, size_t len, const RsLimits *limits,
                                GError **error);

/* Loads any SCENARIO argument: a scenario file (whose `manifests` are
 * imported relative to it and added), a `.yaml`/`.yml` manifest file, a
 * folder of manifests, or "-" (stdin: a scenario if it is a JSON object
 * with a `name`, else manifests). */
RsScenario *rs_input_load(const char *path, const RsLimits *limits, GError **error);

/* The SCENARIO argument as one self-contained scenario document, JSON text
 * (g_free it): manifests imported, or a scenario file with its `manifests`
 * imported and grafted in (and the key removed).  For commands that change
 * the document before loading it (`sweep`).  NULL with `error`. */
char *rs_input_scenario_json(const char *path, const RsLimits *limits, GError **error);

/* What `diff` needs to know which namespaces changed: each namespace's JSON
 * (after manifests are imported), its labels, the namespaces with network
 * policies, and everything outside the namespaces that shapes the world. */
typedef struct RsInputSigs {
    char *global;               /* platform, hosts, dns, events, seed, duration */
    GHashTable *namespaces;     /* name -> its JSON (owned strings) */
    GHashTable *labels;         /* name -> its labels' JSON */
    GHashTable *with_policies;  /* names of namespaces with network policies (a set) */
} RsInputSigs;
void rs_input_sigs_clear(RsInputSigs *s);

/* rs_input_load that also fills `sigs` (freed with rs_input_sigs_clear). */
RsScenario *rs_input_load_sigs(const char *path, const RsLimits *limits, RsInputSigs *sigs,
                               GError **error);

/* Whether a SCENARIO argument names manifests rather than a scenario file. */
bool rs_input_is_manifest(const char *path);

#endif
