/* teach.h: the teaching views: explain, dig, matrix, topology and the quiz.
 *
 * Each view is a different way of looking at the same simulation (design-
 * notes.md, "One walk, many uses"): a scenario is simulated up to a time T,
 * and then one request (explain, every cell of the matrix), one resolver
 * walk (dig) or the world itself (topology) is looked at.  Nothing here
 * decides anything about the network: the decisions and their rules come
 * from the request pipeline (src/net/) as hops; these functions only choose
 * what to send and turn the answers into text, CSV, JSON or DOT.
 *
 * Every function that prints writes into a GString, so the command files in
 * src/cli/ stay small and the unit tests can compare text directly.  All
 * output is deterministic: objects are listed in creation (file) order or
 * sorted, and no wall clock is read.
 */
#ifndef RAHTISIM_TEACH_H
#define RAHTISIM_TEACH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "rahtisim/expect.h"
#include "rahtisim/request.h"
#include "rahtisim/scenario.h"
#include "rahtisim/sim.h"

#define RS_TEACH_ERROR (rs_teach_error_quark())
GQuark rs_teach_error_quark(void);

typedef enum {
    RS_TEACH_ERROR_USAGE,       /* a --from, --at or URL that does not fit the scenario */
    RS_TEACH_ERROR_SIM,         /* the request never got an answer; a world that cannot be
                                 * built or a request that cannot be made pass through with
                                 * their own domain (RS_WORLD_ERROR, RS_SIM_ERROR) */
    RS_TEACH_ERROR_LIMIT,       /* simulating what was asked would exceed --max-events */
} RsTeachError;

/* ---- terminal and colour (term.c) ---- */

typedef enum { RS_COLOR_AUTO, RS_COLOR_ALWAYS, RS_COLOR_NEVER } RsColorMode;

/* Parses "auto", "always" or "never". */
bool rs_color_parse(const char *text, RsColorMode *out);
/* Whether to colour output written to `f`: ALWAYS, NEVER, or for AUTO a
 * terminal with NO_COLOR unset or empty and TERM not "dumb". */
bool rs_color_enabled(RsColorMode mode, FILE *f);

/* The styles of the views; each is one SGR sequence. */
typedef enum {
    RS_STYLE_RESET, RS_STYLE_DIM, RS_STYLE_BOLD, RS_STYLE_RULE,
    RS_STYLE_GOOD, RS_STYLE_BAD, RS_STYLE_WARN, RS_STYLE_STEP,
} RsStyle;
/* Appends the escape sequence of `style` to `out` if `color`; nothing otherwise. */
void rs_style(GString *out, bool color, RsStyle style);
/* The style an outcome is shown in: GOOD for ok, WARN for redirect, BAD otherwise. */
RsStyle rs_outcome_style(RsOutcome o);

/* ---- a simulation at time T (probe.c) ---- */

/* The default --at: one second after the scenario's first pods are ready
 * and the data plane knows them: the largest startup of the scenario's
 * workloads plus endpoint_delay (or, with routes, the router's
 * reload_interval if longer) plus 1s (R5, R15, R28); 4s with the defaults,
 * 8s with routes. */
rs_time_t rs_teach_settled_time(const RsScenario *sc);

/* Resolves --from: "ns/name" is a deployment (if the scenario declares one
 * of that name) or a pod that exists at some point before `at`; a name
 * without a slash is a host of the scenario.  Fills `out` (rs_teach_from_clear). */
bool rs_teach_from_parse(const RsScenario *sc, RsSim *sim, const char *text, RsFrom *out,
                         GError **error);
void rs_teach_from_clear(RsFrom *f);

/* A simulation of `sc` stopped at `at` (now == at): the scenario's events
 * at `at` have run, the timers they started have not, exactly as for an
 * expectation at `at` (R37).  NULL with `error` when it cannot be simulated. */
RsSim *rs_teach_sim_at(const RsScenario *sc, uint64_t seed, rs_time_t at, GError **error);
/* The same with an engine event limit of its own (0: none): what a view
 * that simulates several times (matrix) has left of --max-events.
 * rs_teach_sim_at uses the scenario's --max-events (sc->limits).  Reaching
 * the limit before `at` is RS_TEACH_ERROR_LIMIT, and the limit stays set
 * for rs_teach_send. */
RsSim *rs_teach_sim_at_limit(const RsScenario *sc, uint64_t seed, rs_time_t at, uint64_t max_events,
                             GError **error);

/* Sends one request now from `from` to `to`, recording its hops, and runs
 * the simulation until it is answered; `stream` names the requester's own
 * random stream.  The copy returned (rs_result_free) points to strings the
 * simulation owns: free it before the simulation.  NULL with `error` when
 * rs_sim_check_request refuses the request (a requester the scenario lacks),
 * or RS_TEACH_ERROR_LIMIT when the request would exceed the event limit. */
RsResult *rs_teach_send(RsSim *sim, const RsFrom *from, const RsUrl *to, const char *stream,
                        GError **error);

/* ---- explain (explain.c) ---- */

/* A short name for the part of the platform a hop happened in: "client",
 * "dns", "connect", "namespace", "service", "pod", "router", "egress",
 * "outside", "host". */
const char *rs_hop_step(const RsHop *h);

/* One request hop by hop: a header, one line per hop (time, step, rule,
 * sentence), each followed by its notes (RsHopNote, from rs_reload_notes:
 * what the router's loaded configuration hid, R28; NULL: none), the
 * outcome, and the titles of the rules cited. */
void rs_teach_explain(GString *out, const char *from, const char *url, rs_time_t at,
                      const RsResult *res, const GArray *notes, bool color);

/* ---- dig (dig.c) ---- */

/* The resolver's walk like `dig +search` shows it: the resolv.conf, each
 * query with its status, why, and its answer section, then the final answer.
 * `ns` is the requester's namespace (NULL: a host, no search list). */
void rs_teach_dig(GString *out, RsSim *sim, const char *from, const char *ns,
                  const RsDnsWalk *walk, rs_time_t at, bool color);

/* ---- matrix (matrix.c) ---- */

typedef enum { RS_MATRIX_TEXT, RS_MATRIX_CSV, RS_MATRIX_JSON } RsMatrixFormat;
bool rs_matrix_format_parse(const char *text, RsMatrixFormat *out);

typedef struct RsMatrix RsMatrix;

/* Who can reach whom at `at`: rows are the pods alive at `at` (by namespace)
 * and the scenario's hosts; columns the services' ports (by name), the pods'
 * ports (@ns/pod), the routes' hosts and the hosts' ports.  Every cell is one
 * real request, all sent at `at` in one simulation built once, each isolated
 * (rs_sim_set_isolated: no cell changes another's round-robin position,
 * affinity, streams or queue).  O(cells), not O(cells x world).  NULL with
 * `error` when the scenario cannot be simulated or the cells would exceed
 * --max-events. */
RsMatrix *rs_matrix_compute(const RsScenario *sc, uint64_t seed, rs_time_t at, GError **error);
/* The same for one port (`matrix --port`, R44): the services' ports and the
 * hosts' ports equal to `port`, and every live pod on `port` whether it
 * listens there or not (timeout: a policy or wall drops it; refused: it
 * gets through and nothing listens); no route columns.  0: every port. */
RsMatrix *rs_matrix_compute_port(const RsScenario *sc, uint64_t seed, rs_time_t at, uint16_t port,
                                 GError **error);
void rs_matrix_free(RsMatrix *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsMatrix, rs_matrix_free)
unsigned rs_matrix_rows(const RsMatrix *m);
unsigned rs_matrix_cols(const RsMatrix *m);
/* A cell's letter (outcome.h), or '?' when the request could not be sent. */
char rs_matrix_cell(const RsMatrix *m, unsigned row, unsigned col);
const char *rs_matrix_row_name(const RsMatrix *m, unsigned row);
const char *rs_matrix_col_url(const RsMatrix *m, unsigned col);
void rs_matrix_print(GString *out, const RsMatrix *m, RsMatrixFormat fmt, bool color);
/* The label of a column ("svc ns/name:80", "pod ns/pod:8080", "route ns/name", "host h:80"). */
const char *rs_matrix_col_label(const RsMatrix *m, unsigned col);
/* The outcome of a cell whose letter is not '?'. */
RsOutcome rs_matrix_outcome(const RsMatrix *m, unsigned row, unsigned col);
/* Which rows (by name: "ns/pod" or a host) and columns (by label) to compute:
 * `diff` computes only the parts of the matrix a change can reach. */
typedef struct {
    bool (*row)(const char *name, void *data);
    bool (*col)(const char *label, void *data);
    void *data;
} RsMatrixFilter;
/* rs_matrix_compute over the rows and columns the filter keeps (NULL: all). */
RsMatrix *rs_matrix_compute_filtered(const RsScenario *sc, uint64_t seed, rs_time_t at,
                                     const RsMatrixFilter *filter, GError **error);

/* ---- diff (diff.c): what a change opens or breaks ---- */

typedef enum { RS_DIFF_TEXT, RS_DIFF_MD, RS_DIFF_JSON, RS_DIFF_JUNIT } RsDiffFormat;
bool rs_diff_format_parse(const char *text, RsDiffFormat *out);

typedef struct {
    rs_time_t at; bool has_at;  /* default: when both sides have settled (rs_teach_settled_time) */
    const char *focus;          /* "ns" or "ns/name": only changes that involve it */
    bool full;                  /* compare every cell, not only those a change can reach */
} RsDiffOptions;

typedef struct RsDiff RsDiff;
struct RsInputSigs;
/* Compares OLD and NEW at one instant: the reachability matrix cell by cell
 * (with the rule that decided each side of a changed cell) and the exposure
 * (routes, TLS, insecure policy, whitelists, egress addresses).  The
 * signatures (src/import/input.c) say which namespaces changed; NULL
 * compares everything.  NULL with `error` when a side cannot be simulated. */
RsDiff *rs_diff_compute(const RsScenario *old_sc, const struct RsInputSigs *old_sigs,
                        const RsScenario *new_sc, const struct RsInputSigs *new_sigs,
                        const RsDiffOptions *opts, GError **error);
bool rs_diff_changed(const RsDiff *d);
void rs_diff_print(GString *out, const RsDiff *d, RsDiffFormat fmt);
void rs_diff_free(RsDiff *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsDiff, rs_diff_free)

/* ---- topology (topology.c) ---- */

typedef enum { RS_TOPO_TEXT, RS_TOPO_DOT } RsTopoFormat;
bool rs_topo_format_parse(const char *text, RsTopoFormat *out);

/* The cluster at the simulation's current time `at`: namespaces, pods with
 * their addresses and states, services with ClusterIPs and the endpoints the
 * data plane has, routes with their hosts, the router VIP, egress addresses
 * and hosts; an ASCII tree or Graphviz DOT. */
void rs_teach_topology(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at,
                       RsTopoFormat fmt);
/* Receives a finished part of a topology: whole lines, in order. */
typedef void (*RsTopoSink)(const char *text, size_t len, void *data);
/* The same, handed to `sink` in parts as it is made (each part ends with a
 * newline, or is the last), `out` only the buffer of the part being made:
 * it is empty on return.  The text of 10^5 namespaces is 67 MB, which one
 * string would hold whole (issue 14). */
void rs_teach_topology_to(GString *out, const RsScenario *sc, RsSim *sim, rs_time_t at,
                          RsTopoFormat fmt, RsTopoSink sink, void *data);

/* ---- the HTML report (html.c) ---- */

/* `run --format html`: one self-contained page for the runs: description,
 * the topology at the settled time as inline SVG (Graphviz's `dot` when
 * `graphviz` and it is installed, else a plain layout), each expectation
 * with its verdict and hop-by-hop explanation, traffic charts as inline
 * SVG, the timeline of events, and a few lines of JavaScript that
 * highlight a clicked probe's path.  Every scenario string is escaped. */
void rs_teach_html(GString *out, RsRunResult *const *runs, unsigned n_runs, bool graphviz);

/* ---- quiz (quiz.c) ---- */

typedef struct {
    FILE *in;                   /* answers, one a line */
    FILE *out;                  /* questions, reveals, score */
    bool interactive;           /* `in` is a terminal: ask again after a bad answer */
    bool color;
    unsigned wrap;              /* wrap descriptions at this width (a terminal's); 0: don't */
} RsQuizIo;

typedef struct {
    unsigned asked, right;      /* probes asked about, answered right */
    bool ended_early;           /* the answers ran out */
} RsQuizScore;

/* Asks, for each probe expectation of a simulated run in time order, for
 * the outcome, then reveals what happened and why (the hops), and prints a
 * score at the end.  Answers are outcome words or their matrix letters. */
RsQuizScore rs_teach_quiz(const RsRunResult *run, RsQuizIo *io);

#endif
