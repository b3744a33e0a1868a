/* quiz.c: predict, then run (`rahtisim run --quiz`).
 *
 * A student learns more from guessing wrong than from reading a report.  The
 * scenario is simulated first, as `run` does; then, for each probe
 * expectation in time order, the quiz shows what happened in the cluster
 * since the previous question (the scenario's events), asks for the outcome
 * of the request, and only then reveals what the simulation observed, the
 * expectation's own description and the hops with their rules.  A score
 * ends it.  Resolve and state expectations are not asked about: their
 * answers are addresses and states, not outcome words.
 *
 * Answers are read one per line from io->in: an outcome word (`timeout`) or
 * its matrix letter (`T`; `.` for ok), case-insensitive; `?` or an empty line
 * skips the question (counted wrong), `q` ends the quiz.  On a terminal a
 * word that is not an outcome is asked again; from a pipe or a file it
 * counts as wrong, so that answer n always belongs to question n.
 */
#include "config.h"

#include <string.h>

#include "rahtisim/teach.h"
#include "rahtisim/util.h"

/* Orders probe indices by time, then file order. */
static int
cmp_probe(gconstpointer a, gconstpointer b, gpointer data)
{
    const RsRunResult *run = data;
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    rs_time_t tx = run->results[x].spec->at, ty = run->results[y].spec->at;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return (x > y) - (x < y);
}

/* Appends one scenario event as a short line ("delete fenic/nginx-0"). */
static void
event_text(GString *s, const RsEventSpec *e)
{
    static const char *const verbs[] = {
        [RS_EV_DELETE] = "delete", [RS_EV_CRASH] = "crash", [RS_EV_SCALE] = "scale",
        [RS_EV_ANNOTATE] = "annotate", [RS_EV_ROUTER_DOWN] = "router_down",
        [RS_EV_ROUTER_UP] = "router_up", [RS_EV_APPLY] = "apply", [RS_EV_REMOVE] = "remove",
    };
    g_string_append(s, (unsigned)e->kind < G_N_ELEMENTS(verbs) ? verbs[e->kind] : "event");
    if (e->kind == RS_EV_ROUTER_DOWN || e->kind == RS_EV_ROUTER_UP) {
        g_string_append_printf(s, " router-%u", e->router);
        return;
    }
    if (e->ns != NULL)
        g_string_append_printf(s, " %s/%s", e->ns, e->name ? e->name : "");
    if (e->kind == RS_EV_SCALE)
        g_string_append_printf(s, " to %u replica%s", e->replicas, e->replicas == 1 ? "" : "s");
    if (e->kind == RS_EV_ANNOTATE)
        g_string_append_printf(s, " %s=%s", e->key ? e->key : "", e->value ? e->value : "(removed)");
}

/* Parses an answer: a word or a letter; false if it is neither. */
static bool
parse_answer(const char *text, RsOutcome *out)
{
    g_autofree char *low = g_ascii_strdown(text, -1);
    if (rs_outcome_parse(low, out))
        return true;
    if (strlen(text) != 1)
        return false;
    for (int o = 0; o < RS_OUTCOME_COUNT; o++) {
        if (g_ascii_toupper(text[0]) == rs_outcome_letter((RsOutcome)o)) {
            *out = (RsOutcome)o;
            return true;
        }
    }
    return false;
}

/* Reads one line into `line` (trimmed); false at the end of the input. */
static bool
read_line(FILE *in, GString *line)
{
    char buf[256];
    g_string_truncate(line, 0);
    if (fgets(buf, sizeof buf, in) == NULL)
        return false;
    g_string_append(line, buf);
    /* A line longer than the buffer: drop the rest. */
    while (line->len > 0 && line->str[line->len - 1] != '\n' && fgets(buf, sizeof buf, in) != NULL)
        if (strchr(buf, '\n') != NULL)
            break;
    g_strstrip(line->str);
    g_string_set_size(line, strlen(line->str));
    return true;
}

/* The outcome the run observed for a probe (its JSON `observed.outcome`). */
static bool
observed_outcome(const RsExpectResult *r, RsOutcome *out)
{
    const cJSON *o = r->observed ? cJSON_GetObjectItemCaseSensitive(r->observed, "outcome") : NULL;
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): cJSON_IsString(NULL) is false */
    return cJSON_IsString(o) && rs_outcome_parse(o->valuestring, out);
}

/* The list of answers, for the prompt's help line. */
static void
answer_list(GString *s)
{
    for (int o = 0; o < RS_OUTCOME_COUNT; o++)
        g_string_append_printf(s, "%s%s (%c)", o ? ", " : "", rs_outcome_word((RsOutcome)o),
                               rs_outcome_letter((RsOutcome)o));
}

/* Writes `s` to the quiz's output and empties it. */
static void
flush(RsQuizIo *io, GString *s)
{
    fputs(s->str, io->out);
    fflush(io->out);
    g_string_truncate(s, 0);
}

/* Runs the quiz; see teach.h. */
RsQuizScore
rs_teach_quiz(const RsRunResult *run, RsQuizIo *io)
{
    RsQuizScore score = {0};
    const RsScenario *sc = run->scenario;
    g_autoptr(GArray) probes = g_array_new(FALSE, FALSE, sizeof(unsigned));
    for (unsigned i = 0; i < run->n_results; i++)
        if (run->results[i].spec->kind == RS_EXPECT_PROBE)
            g_array_append_val(probes, i);
    g_array_sort_with_data(probes, cmp_probe, (gpointer)run);

    g_autoptr(GString) s = g_string_new(NULL);
    g_autoptr(GString) line = g_string_new(NULL);
    char buf[32];
    rs_style(s, io->color, RS_STYLE_BOLD);
    g_string_append_printf(s, "Quiz: %s, %u question%s", sc->name, probes->len,
                           probes->len == 1 ? "" : "s");
    rs_style(s, io->color, RS_STYLE_RESET);
    g_string_append_c(s, '\n');
    if (sc->description != NULL)
        rs_wrap_append(s, sc->description, "", io->wrap);
    g_string_append(s, "\nFor each request, predict the outcome. Answer with a word or its letter: ");
    answer_list(s);
    g_string_append(s, "; ? skips, q quits.\n");
    flush(io, s);

    unsigned next_event = 0;
    for (unsigned q = 0; q < probes->len; q++) {
        const RsExpectResult *r = &run->results[g_array_index(probes, unsigned, q)];
        const RsExpectSpec *e = r->spec;
        /* What happened in the cluster since the last question. */
        for (; next_event < sc->n_events && sc->events[next_event].at <= e->at; next_event++) {
            g_string_append_printf(s, "\n  at %s: ", rs_duration_format(sc->events[next_event].at, buf));
            event_text(s, &sc->events[next_event]);
        }
        char who[300];
        g_autofree char *url = rs_url_format(&e->to);
        g_string_append_printf(s, "\n\n");
        rs_style(s, io->color, RS_STYLE_BOLD);
        g_string_append_printf(s, "Q%u. at %s, %s -> %s", q + 1, rs_duration_format(e->at, buf),
                               rs_from_format(&e->from, who, sizeof who), url);
        rs_style(s, io->color, RS_STYLE_RESET);
        if (r->context != NULL) {
            /* What one could look up first (probe-context.c): no answer in it. */
            g_auto(GStrv) lines = g_strsplit(r->context, "\n", -1);
            for (unsigned k = 0; lines[k] != NULL; k++)
                if (lines[k][0] != '\0')
                    g_string_append_printf(s, "\n   %s", lines[k]);
        }
        g_string_append(s, "\n   your prediction? ");
        flush(io, s);

        RsOutcome guess = RS_OUTCOME_OK;
        bool answered = false, skipped = false;
        for (;;) {
            if (!read_line(io->in, line)) {
                score.ended_early = true;
                break;
            }
            if (!io->interactive)
                g_string_append_printf(s, "%s\n", line->str);     /* echo: a transcript reads well */
            if (strcmp(line->str, "q") == 0 || strcmp(line->str, "quit") == 0) {
                score.ended_early = true;
                break;
            }
            if (line->len == 0 || strcmp(line->str, "?") == 0) {
                skipped = true;
                break;
            }
            if (parse_answer(line->str, &guess)) {
                answered = true;
                break;
            }
            g_string_append_printf(s, "   '%s' is not an outcome; answer one of: ", line->str);
            answer_list(s);
            g_string_append(s, "\n");
            if (!io->interactive)
                break;              /* answer n belongs to question n */
            g_string_append(s, "   your prediction? ");
            flush(io, s);
        }
        if (score.ended_early) {
            g_string_append(s, "\n");
            flush(io, s);
            break;
        }
        score.asked++;

        RsOutcome truth;
        bool known = observed_outcome(r, &truth);
        bool right = answered && known && guess == truth;
        score.right += right;
        g_string_append(s, "   ");
        rs_style(s, io->color, right ? RS_STYLE_GOOD : RS_STYLE_BAD);
        if (right)
            g_string_append(s, "right:");
        else
            g_string_append(s, skipped ? "skipped: it was" : "no: it was");
        rs_style(s, io->color, RS_STYLE_RESET);
        g_string_append_printf(s, " %s: %s\n", known ? rs_outcome_word(truth) : "?",
                               known ? rs_outcome_meaning(truth) : "no answer");
        if (e->description != NULL)
            rs_wrap_append(s, e->description, "   ", io->wrap);
        if (r->explanation != NULL) {
            g_auto(GStrv) lines = g_strsplit(r->explanation, "\n", -1);
            for (unsigned k = 0; lines[k] != NULL; k++)
                if (lines[k][0] != '\0')
                    g_string_append_printf(s, "   %s\n", lines[k]);
        }
        flush(io, s);
    }

    g_string_append(s, "\n");
    rs_style(s, io->color, RS_STYLE_BOLD);
    g_string_append_printf(s, "score: %u of %u answered", score.right, score.asked);
    rs_style(s, io->color, RS_STYLE_RESET);
    if (score.asked < probes->len)
        g_string_append_printf(s, " (%u question%s)", probes->len, probes->len == 1 ? "" : "s");
    g_string_append_c(s, '\n');
    flush(io, s);
    return score;
}
