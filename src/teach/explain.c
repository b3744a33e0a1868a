/* explain.c: one request, hop by hop (`rahtisim explain`).
 *
 * The pipeline records each decision as a hop with the rule that made it
 * (request.h); rs_hop_describe turns a hop into a sentence.  This file only
 * lays the hops out: the time of each, the part of the platform it happened
 * in (client, dns, namespace, service, pod, router, egress, host), its rule
 * id in a column of its own, and the sentence; then the outcome, and the
 * titles of the rules cited, so a reader can look each one up in
 * docs/network-model.md.
 *
 * The step comes from the hop kind's name (a table, then prefixes such as
 * VIP_, WL_, HOST_) or, for a kind this file does not know yet, from its
 * rule's section of the network model, so a new kind shows up sensibly
 * without a change here.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "rahtisim/teach.h"

/* The step of a hop kind named exactly `name`, or NULL. */
static const char *
step_by_name(const char *name)
{
    static const struct { const char *kind, *step; } steps[] = {
        {"SOURCE", "client"},     {"SOURCE_DOWN", "client"}, {"FROM_HOST", "client"},
        {"TIMEOUT", "client"},    {"RESOLVED", "dns"},       {"NXDOMAIN", "dns"},
        {"POD_REF", "connect"},   {"NO_ADDRESS", "connect"}, {"CONNECT", "connect"},
        {"SVC_OTHER_NS", "namespace"}, {"POD_OTHER_NS", "namespace"},
        {"NO_RULES", "service"},  {"NO_SERVICE", "service"}, {"NO_HOLDER", "pod"},
        {"NO_LISTENER", "pod"},   {"TLS_PLAIN", "pod"},      {"HTTP_TO_TLS", "pod"},
        {"QUEUED", "pod"},        {"SERVE", "pod"},          {"ANSWER", "pod"},
        {"SHUTDOWN", "pod"},
        {"EGRESS", "egress"},     {"FROM_OUTSIDE", "outside"}, {"NO_MACHINE", "outside"},
        {"NO_ROUTE", "router"},   {"ROUTE", "router"},       {"INSECURE", "router"},
        {"NO_SERVERS", "router"}, {"BALANCE", "router"},     {"BACKEND_TLS", "router"},
        {"BAD_GATEWAY", "router"}, {"GATEWAY_TIMEOUT", "router"}, {"REDIRECT", "router"},
        {"TLS_CERT", "router"},   {"POLICY_EGRESS", "policy"}, {"POLICY_INGRESS", "policy"},
        {"NET_JOINED", "namespace"}, {"RESET", "pod"},
        {"LB", "service"}, {"LB_NO_PORT", "outside"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++)
        if (strcmp(steps[i].kind, name) == 0)
            return steps[i].step;
    static const struct { const char *prefix, *step; } prefixes[] = {
        {"DNS", "dns"}, {"SVC", "service"}, {"POD", "pod"}, {"ROUTE", "router"},
        {"VIP", "router"}, {"REPLICA", "router"}, {"WL_", "router"}, {"RT_", "router"},
        {"TLS", "router"}, {"EGRESS", "egress"}, {"HOST", "host"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++)
        if (g_str_has_prefix(name, prefixes[i].prefix))
            return prefixes[i].step;
    return NULL;
}

/* The part of the platform a hop happened in; see teach.h. */
const char *
rs_hop_step(const RsHop *h)
{
    const char *s = step_by_name(rs_hop_kind_name(h->kind));
    if (s != NULL)
        return s;
    /* A kind this file does not know: the section of the network model. */
    unsigned r = (unsigned)h->rule;
    if (r == 2 || r == 12)
        return "namespace";
    if (r >= 3 && r <= 9)
        return "pod";
    if (r >= 10 && r <= 16)
        return "service";
    if (r == 17 || r == 18)
        return "dns";
    if (r >= 19 && r <= 31)
        return "router";
    if (r >= 32 && r <= 34)
        return "egress";
    if (r == 35)
        return "outside";
    if (r == 36)
        return "host";
    if (r >= 39 && r <= 47)
        return "policy";
    if (r >= 51 && r <= 56)
        return "pod";
    return "step";
}

/* Appends `sentence` without the " (Rnn)" rs_hop_describe ends it with. */
static void
append_sentence(GString *out, const char *sentence, RsRule rule)
{
    size_t len = strlen(sentence);
    if (rule != RS_RULE_NONE) {
        char suffix[16];
        g_snprintf(suffix, sizeof suffix, " (%s)", rs_rule_id(rule));
        size_t sl = strlen(suffix);
        if (len >= sl && strcmp(sentence + len - sl, suffix) == 0)
            len -= sl;
    }
    g_string_append_len(out, sentence, (gssize)len);
}

/* One note line in the hop table's columns, in the step of the hop it follows. */
static void
note_line(GString *out, const RsHopNote *n, const char *step, bool color)
{
    rs_style(out, color, RS_STYLE_DIM);
    g_string_append_printf(out, "%6" PRId64 ".%06" PRId64 "s", n->at / RS_SEC, (n->at % RS_SEC) / RS_US);
    rs_style(out, color, RS_STYLE_RESET);
    g_string_append(out, "  ");
    rs_style(out, color, RS_STYLE_STEP);
    g_string_append_printf(out, "%-9s", step);
    rs_style(out, color, RS_STYLE_RESET);
    g_string_append_c(out, ' ');
    rs_style(out, color, RS_STYLE_RULE);
    g_string_append_printf(out, "%-4s", n->rule != RS_RULE_NONE ? rs_rule_id(n->rule) : "-");
    rs_style(out, color, RS_STYLE_RESET);
    g_string_append_printf(out, "  %s\n", n->text);
}

/* Prints one request hop by hop; see teach.h. */
void
rs_teach_explain(GString *out, const char *from, const char *url, rs_time_t at,
                 const RsResult *res, const GArray *notes, bool color)
{
    char buf[32], ip[16];
    bool cited[RS_RULE_COUNT] = {false};
    g_autoptr(GString) sentence = g_string_new(NULL);
    unsigned nn = 0;

    rs_style(out, color, RS_STYLE_BOLD);
    g_string_append_printf(out, "%s -> %s at %s", from, url, rs_duration_format(at, buf));
    rs_style(out, color, RS_STYLE_RESET);
    g_string_append(out, "\n\n");
    for (unsigned i = 0; i < res->n_hops; i++) {
        const RsHop *h = &res->hops[i];
        g_string_truncate(sentence, 0);
        rs_hop_describe(h, sentence);
        rs_style(out, color, RS_STYLE_DIM);
        g_string_append_printf(out, "%6" PRId64 ".%06" PRId64 "s", h->at / RS_SEC,
                               (h->at % RS_SEC) / RS_US);
        rs_style(out, color, RS_STYLE_RESET);
        g_string_append(out, "  ");
        rs_style(out, color, RS_STYLE_STEP);
        g_string_append_printf(out, "%-9s", rs_hop_step(h));
        rs_style(out, color, RS_STYLE_RESET);
        g_string_append_c(out, ' ');
        rs_style(out, color, RS_STYLE_RULE);
        g_string_append_printf(out, "%-4s", h->rule != RS_RULE_NONE ? rs_rule_id(h->rule) : "-");
        rs_style(out, color, RS_STYLE_RESET);
        g_string_append(out, "  ");
        append_sentence(out, sentence->str, h->rule);
        g_string_append_c(out, '\n');
        if ((unsigned)h->rule < RS_RULE_COUNT)
            cited[h->rule] = true;
        /* What the router's loaded configuration hid (R28, reload-note.c). */
        for (; notes != NULL && nn < notes->len && g_array_index(notes, RsHopNote, nn).after == i; nn++) {
            const RsHopNote *n = &g_array_index(notes, RsHopNote, nn);
            note_line(out, n, rs_hop_step(h), color);
            if ((unsigned)n->rule < RS_RULE_COUNT)
                cited[n->rule] = true;
        }
    }

    g_string_append(out, "\noutcome: ");
    rs_style(out, color, rs_outcome_style(res->outcome));
    g_string_append(out, rs_outcome_word(res->outcome));
    rs_style(out, color, RS_STYLE_RESET);
    if (res->status != 0)
        g_string_append_printf(out, ", HTTP %d", res->status);
    if (res->pod != NULL)
        g_string_append_printf(out, ", served by %s", res->pod);
    g_string_append_printf(out, "\nthe client sees: %s\n", rs_outcome_meaning(res->outcome));
    if (res->source_ip != 0)
        g_string_append_printf(out, "source address: %s\n",
                               rs_ipv4_format(res->source_ip, ip));
    g_string_append_printf(out, "latency: %s", rs_duration_format(res->latency, buf));
    if (res->dns_queries > 0)
        g_string_append_printf(out, " (%u DNS quer%s)", res->dns_queries,
                               res->dns_queries == 1 ? "y" : "ies");
    g_string_append_c(out, '\n');

    bool any = false;
    for (unsigned r = 1; r < RS_RULE_COUNT; r++) {
        if (!cited[r])
            continue;
        if (!any)
            g_string_append(out, "\nrules (docs/network-model.md):\n");
        any = true;
        rs_style(out, color, RS_STYLE_RULE);
        g_string_append_printf(out, "  %-4s", rs_rule_id((RsRule)r));
        rs_style(out, color, RS_STYLE_RESET);
        g_string_append_printf(out, " %s\n", rs_rule_title((RsRule)r));
    }
}
