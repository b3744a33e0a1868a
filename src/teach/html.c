/* html.c: `rahtisim run --format html`: one self-contained page per report.
 *
 * A student opens one file in a browser, with no network: no external
 * script, style sheet, font or image.  For each scenario run:
 *   - its name and description;
 *   - the topology at the settled time (rs_teach_settled_time) as inline
 *     SVG: the DOT graph of topology-dot.c laid out by Graphviz's `dot`
 *     (run with an argument vector and a time limit, killed when it is
 *     exceeded) when it is installed, else a plain layout of our own (one
 *     column per namespace, one box per node); both give each node a
 *     <g class="node"><title>kind:name</title> so the script finds it;
 *   - each expectation with its verdict, its description and the hop-by-hop
 *     explanation with the rule ids;
 *   - each traffic source's outcomes per second as an inline SVG chart
 *     (steps over the time buckets), the scenario's events as lines;
 *   - the timeline of events (the run's log: time, rule, sentence).
 * Clicking a probe highlights, on the topology, the nodes its explanation
 * names (a few lines of plain JavaScript; #probe-N in the address selects
 * probe N on load).
 *
 * Everything that comes from the scenario (names, descriptions, labels,
 * annotations) is escaped for HTML (& < > " '); Graphviz's SVG escapes the
 * DOT labels itself, and our DOT escapes them for DOT (rs_dot_escape).  The
 * page is a function of the runs (R37) except the topology's layout, which
 * is Graphviz's.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/spawn.h"
#include "rahtisim/teach.h"
#include "teach/topology-private.h"

#define DOT_LIMIT_S 30          /* seconds `dot` may take before it is killed */

/* Appends text escaped for HTML (element content and attribute values). */
static void
esc(GString *out, const char *text)
{
    for (const char *p = text ? text : ""; *p != '\0'; p++) {
        switch (*p) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&#39;"); break;
        default:
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                g_string_append_c(out, '?');
            else
                g_string_append_c(out, *p);
        }
    }
}

/* Runs `dot -Tsvg` on `dot_text` (through a temporary file), for at most
 * DOT_LIMIT_S seconds, killed with rahtisim on SIGINT/SIGTERM/SIGHUP and
 * the temporary file removed then too (spawn.h, cleanup.h); the SVG
 * element (from "<svg") or NULL, and then the fallback layout is drawn. */
static char *
graphviz_svg(const char *dot_text)
{
    g_autofree char *prog = g_find_program_in_path("dot");
    if (prog == NULL)
        return NULL;
    g_autofree char *path = g_build_filename(g_get_tmp_dir(), "rahtisim-XXXXXX.dot", NULL);
    int clean = -1;
    int fd = rs_cleanup_mkstemp(path, O_RDWR, 0600, &clean);
    if (fd < 0)
        return NULL;
    size_t len = strlen(dot_text);
    bool ok = write(fd, dot_text, len) == (ssize_t)len;
    close(fd);
    g_autoptr(GString) svg = g_string_new(NULL);
    if (ok) {
        char *argv[] = {prog, (char *)"-Tsvg", path, NULL};
        RsSpawnResult res;
        ok = rs_spawn_limited(NULL, argv, DOT_LIMIT_S, svg, NULL, 256u << 20, &res, NULL) &&
             rs_spawn_check(&res, DOT_LIMIT_S, NULL, NULL) && !res.truncated;
    }
    g_unlink(path);
    rs_cleanup_remove_file(clean);
    const char *start = ok ? strstr(svg->str, "<svg") : NULL;
    return start != NULL ? g_strdup(start) : NULL;
}

/* One node of the fallback layout. */
static void
fallback_node(GString *out, const char *kind, const char *name, const char *label, double x, double y)
{
    g_string_append(out, "<g class=\"node\"><title>");
    esc(out, kind);
    g_string_append_c(out, ':');
    esc(out, name);
    g_string_append_printf(out, "</title><rect x=\"%.0f\" y=\"%.0f\" width=\"200\" height=\"26\" "
                           "rx=\"4\" fill=\"#f4f4f4\" stroke=\"#333\"/><text x=\"%.0f\" y=\"%.0f\" "
                           "font-size=\"11\">", x, y, x + 6, y + 17);
    esc(out, label);
    g_string_append(out, "</text></g>\n");
}

/* The fallback layout without Graphviz: the edge of the cluster in the
 * first column, then one column per namespace (pods, services, routes). */
static void
fallback_svg(GString *out, RsWorld *w, const RsScenario *sc)
{
    RsTopo t;
    rs_topo_gather(&t, w);
    unsigned cols = 1 + t.n_ns, rows = 2 + w->n_replicas + sc->n_hosts;
    for (unsigned i = 0; i < t.n_ns; i++)
        rows = MAX(rows, 1 + t.ns[i].pods->len + t.ns[i].ns->services->len + t.ns[i].routes->len);
    g_string_append_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\">\n",
                           cols * 220 + 20, rows * 32 + 40);
    double y = 30;
    fallback_node(out, "vip", "", "router VIP", 10, y);
    for (unsigned i = 0; i < w->n_replicas; i++)
        fallback_node(out, "router", w->replicas[i].name, w->replicas[i].name, 10, y += 32);
    fallback_node(out, "egress", "", "shared egress", 10, y += 32);
    for (unsigned i = 0; i < sc->n_hosts; i++)
        fallback_node(out, "host", sc->hosts[i].name, sc->hosts[i].name, 10, y += 32);
    for (unsigned i = 0; i < t.n_ns; i++) {
        const RsTopoNs *b = &t.ns[i];
        double x = 10 + 220.0 * (i + 1);
        y = 10;
        g_string_append_printf(out, "<text x=\"%.0f\" y=\"%.0f\" font-weight=\"bold\" font-size=\"12\">"
                               "namespace ", x, y + 10);
        esc(out, b->ns->name);
        g_string_append(out, "</text>\n");
        y += 20;
        for (unsigned k = 0; k < b->pods->len; k++, y += 32) {
            const RsPod *p = b->pods->pdata[k];
            fallback_node(out, "pod", p->full, p->name, x, y);
        }
        for (unsigned k = 0; k < b->ns->services->len; k++, y += 32) {
            const RsService *s = b->ns->services->pdata[k];
            g_autofree char *l = g_strdup_printf("service %s", s->name);
            fallback_node(out, "svc", s->full, l, x, y);
        }
        for (unsigned k = 0; k < b->routes->len; k++, y += 32) {
            const RsRoute *r = b->routes->pdata[k];
            g_autofree char *l = g_strdup_printf("route %s", r->name);
            fallback_node(out, "route", r->full, l, x, y);
        }
    }
    g_string_append(out, "</svg>\n");
    rs_topo_clear(&t);
}

/* The topology section of one run. */
static void
topology_section(GString *out, const RsRunResult *run, bool graphviz)
{
    const RsScenario *sc = run->scenario;
    rs_time_t at = MIN(rs_teach_settled_time(sc), run->end > 0 ? run->end : rs_teach_settled_time(sc));
    char buf[32];
    GError *err = NULL;
    g_autoptr(RsSim) sim = rs_teach_sim_at(sc, run->seed, at, &err);
    g_string_append_printf(out, "<h2>Topology at %s</h2>\n<div class=\"topo\">\n", rs_duration_format(at, buf));
    if (sim == NULL) {
        g_string_append(out, "<p>not simulated: ");
        esc(out, err->message);
        g_string_append(out, "</p>\n</div>\n");
        g_error_free(err);
        return;
    }
    g_autoptr(GString) dot = g_string_new(NULL);
    rs_teach_topology(dot, sc, sim, at, RS_TOPO_DOT);
    g_autofree char *svg = graphviz ? graphviz_svg(dot->str) : NULL;
    if (svg != NULL)
        g_string_append(out, svg);
    else
        fallback_svg(out, rs_sim_world(sim), sc);
    g_string_append(out, "</div>\n");
}

/* Outcomes per second of one traffic source as an SVG chart of steps. */
static void
traffic_chart(GString *out, const RsTrafficStats *st, const RsScenario *sc, rs_time_t end)
{
    static const char *const colors[] = {"#2a7", "#c50", "#36c", "#a3a", "#aa0", "#c33", "#388", "#777"};
    const double W = 860, H = 240, L = 50, B = 30;
    double max = 1;
    for (unsigned b = 0; b < st->n_buckets; b++)
        for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++)
            max = MAX(max, (double)st->bucket_outcomes[b][o] * RS_SEC / (double)st->bucket);
    double span = (double)MAX(end, st->bucket * (rs_time_t)st->n_buckets);
    g_string_append_printf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                           "height=\"%.0f\">\n<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>"
                           "<line x1=\"%.0f\" y1=\"10\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#333\"/>\n"
                           "<text x=\"4\" y=\"16\" font-size=\"10\">%.0f/s</text>"
                           "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\">%.0f s</text>\n",
                           W + 160, H + B, L, H, L + W, H, L, L, H, max, L + W - 30, H + 20, span / RS_SEC);
    for (unsigned i = 0; i < sc->n_events; i++) {
        double x = L + W * (double)sc->events[i].at / span;
        g_string_append_printf(out, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#888\" "
                               "stroke-dasharray=\"4 3\"/>\n", x, x, H);
    }
    unsigned k = 0;
    for (unsigned o = 0; o < RS_OUTCOME_COUNT; o++) {
        if (st->outcomes[o] == 0)
            continue;
        const char *c = colors[k % G_N_ELEMENTS(colors)];
        g_string_append_printf(out, "<path class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"", c);
        for (unsigned b = 0; b < st->n_buckets; b++) {
            double v = (double)st->bucket_outcomes[b][o] * RS_SEC / (double)st->bucket;
            double x0 = L + W * (double)(st->bucket * (rs_time_t)b) / span;
            double x1 = L + W * (double)(st->bucket * (rs_time_t)(b + 1)) / span;
            double y = H - (H - 10) * v / max;
            g_string_append_printf(out, "%s%.1f %.1f H%.1f", b ? " L" : "M", x0, y, x1);
        }
        g_string_append_printf(out, "\"/><text x=\"%.0f\" y=\"%u\" font-size=\"11\" fill=\"%s\">%s</text>\n",
                               L + W + 10, 20 + 14 * k, c, rs_outcome_word((RsOutcome)o));
        k++;
    }
    g_string_append(out, "</svg>\n");
}

static const char style[] =
    "body{font-family:sans-serif;margin:1em 2em;max-width:80em}"
    "pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;font-size:12px}"
    ".pass{color:#070}.fail{color:#b00}"
    ".probe{cursor:pointer;border-left:4px solid #ccc;padding-left:.6em;margin:.6em 0}"
    ".probe.sel{border-left-color:#e60}"
    ".topo{overflow:auto;border:1px solid #ddd}"
    "g.node.hl polygon,g.node.hl ellipse,g.node.hl rect,g.node.hl path{stroke:#e60;stroke-width:3;fill:#ffe6cc}"
    "g.edge.hl path{stroke:#e60;stroke-width:3}"
    "table{border-collapse:collapse;font-size:12px}td{padding:1px 8px;vertical-align:top}";

/* Highlights, for a clicked probe, the topology nodes its explanation
 * names, and the edges between them; #probe-N selects probe N on load. */
static const char script[] =
    "function names(t){var i=t.indexOf(':');return [t.slice(0,i),t.slice(i+1)];}\n"
    "function named(x,k,n){if(k==='vip')return x.indexOf('VIP')>=0;"
    "if(k==='egress')return n===''?x.indexOf('shared egress')>=0:x.indexOf('namespace '+n)>=0&&x.indexOf('egress')>=0;"
    "var re=new RegExp('(^|[^A-Za-z0-9/-])'+n.replace(/[.*+?^${}()|[\\]\\\\]/g,'\\\\$&')+'($|[^A-Za-z0-9-])');return n!==''&&re.test(x);}\n"
    "function pick(p){document.querySelectorAll('.probe').forEach(function(q){q.classList.remove('sel');});"
    "p.classList.add('sel');var x=p.querySelector('pre').textContent+' '+p.dataset.from;var on={};"
    "var run=p.closest('.run');run.querySelectorAll('g.node').forEach(function(g){var t=g.querySelector('title').textContent;"
    "var kn=names(t);var h=named(x,kn[0],kn[1]);g.classList.toggle('hl',h);if(h)on[t]=1;});"
    "run.querySelectorAll('g.edge').forEach(function(g){var t=g.querySelector('title').textContent.split('->');"
    "g.classList.toggle('hl',t.length===2&&on[t[0]]&&on[t[1]]);});}\n"
    "document.querySelectorAll('.probe').forEach(function(p){p.addEventListener('click',function(){pick(p);});});\n"
    "var m=location.hash.match(/^#probe-(\\d+)$/);if(m){var p=document.getElementById('probe-'+m[1]);if(p)pick(p);}\n";

/* The page; see teach.h. */
void
rs_teach_html(GString *out, RsRunResult *const *runs, unsigned n_runs, bool graphviz)
{
    char buf[32];
    unsigned probe = 0;
    g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>rahtisim: ");
    for (unsigned r = 0; r < n_runs; r++) {
        if (r)
            g_string_append(out, ", ");
        esc(out, runs[r]->scenario->name);
    }
    g_string_append_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
    for (unsigned r = 0; r < n_runs; r++) {
        const RsRunResult *run = runs[r];
        const RsScenario *sc = run->scenario;
        g_string_append(out, "<section class=\"run\">\n<h1>Scenario ");
        esc(out, sc->name);
        g_string_append_printf(out, "</h1>\n<p>seed %" G_GUINT64_FORMAT ", profile ", run->seed);
        esc(out, sc->profile.name);
        g_string_append_printf(out, ": <span class=\"%s\">%u of %u expectations held</span></p>\n",
                               run->failed ? "fail" : "pass", run->passed, run->n_results);
        if (sc->description != NULL) {
            g_string_append(out, "<p class=\"description\">");
            esc(out, sc->description);
            g_string_append(out, "</p>\n");
        }
        topology_section(out, run, graphviz);
        g_string_append(out, "<h2>Expectations</h2>\n<p>Click a probe to see its path on the topology.</p>\n");
        for (unsigned i = 0; i < run->n_results; i++) {
            const RsExpectResult *e = &run->results[i];
            bool is_probe = e->spec->kind == RS_EXPECT_PROBE;
            char who[300] = "";
            if (is_probe)
                rs_from_format(&e->spec->from, who, sizeof who);
            if (is_probe)
                g_string_append_printf(out, "<div class=\"probe expect\" id=\"probe-%u\" data-from=\"", probe++);
            else
                g_string_append(out, "<div class=\"expect\" data-from=\"");
            esc(out, who);
            g_string_append_printf(out, "\"><p><b class=\"%s\">%s</b> #%u ", e->passed ? "pass" : "fail",
                                   e->passed ? "PASS" : "FAIL", e->index);
            esc(out, e->summary);
            g_string_append(out, "</p>\n");
            if (e->spec->description != NULL) {
                g_string_append(out, "<p><i>");
                esc(out, e->spec->description);
                g_string_append(out, "</i></p>\n");
            }
            g_string_append(out, "<pre>");
            esc(out, e->explanation);
            g_string_append(out, "</pre>\n</div>\n");
        }
        if (run->n_traffic > 0)
            g_string_append(out, "<h2>Traffic: outcomes per second</h2>\n");
        for (unsigned i = 0; i < run->n_traffic; i++) {
            g_string_append(out, "<h3>");
            esc(out, run->traffic[i]->name);
            g_string_append(out, "</h3>\n");
            traffic_chart(out, run->traffic[i], sc, run->end);
        }
        g_string_append(out, "<h2>Timeline</h2>\n<table>\n");
        for (unsigned i = 0; run->log != NULL && i < run->log->len && i < 2000; i++) {
            const RsLogEntry *l = &g_array_index(run->log, RsLogEntry, i);
            g_string_append_printf(out, "<tr><td>%s</td><td>%s</td><td>", rs_duration_format(l->at, buf),
                                   l->rule != RS_RULE_NONE ? rs_rule_id(l->rule) : "");
            esc(out, l->text);
            g_string_append(out, "</td></tr>\n");
        }
        g_string_append(out, "</table>\n</section>\n");
    }
    g_string_append_printf(out, "<script>\n%s</script>\n</body>\n</html>\n", script);
}
