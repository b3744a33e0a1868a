/* outcome.c: tables behind outcome.h (one source for words and rule titles). */
#include "config.h"

#include <string.h>

#include "rahtisim/outcome.h"

static const struct {
    const char *word;
    char letter;
    const char *meaning;
} outcome_table[RS_OUTCOME_COUNT] = {
#define RS_X_(e, w, l, d) [RS_OUTCOME_##e] = {w, l, d},
    RS_OUTCOMES(RS_X_)
#undef RS_X_
};

static const char *const rule_titles[RS_RULE_COUNT] = {
    [RS_RULE_NONE] = "",
#define RS_X_(n, t) [n] = t,    /* NOLINT(bugprone-macro-parentheses): a designator cannot take them */
    RS_RULES(RS_X_)
#undef RS_X_
};

static const char *const rule_ids[RS_RULE_COUNT] = {
    [RS_RULE_NONE] = "",
#define RS_X_(n, t) [n] = "R" #n,
    RS_RULES(RS_X_)
#undef RS_X_
};

/* The word printed for an outcome in every report. */
const char *
rs_outcome_word(RsOutcome o)
{
    return (unsigned)o < RS_OUTCOME_COUNT ? outcome_table[o].word : "?";
}

/* The one-letter code used by `matrix`. */
char
rs_outcome_letter(RsOutcome o)
{
    return (unsigned)o < RS_OUTCOME_COUNT ? outcome_table[o].letter : '?';
}

/* What the client sees, in one phrase. */
const char *
rs_outcome_meaning(RsOutcome o)
{
    return (unsigned)o < RS_OUTCOME_COUNT ? outcome_table[o].meaning : "?";
}

/* Parses an outcome word exactly as written in scenario-format.md. */
bool
rs_outcome_parse(const char *word, RsOutcome *out)
{
    for (unsigned i = 0; i < RS_OUTCOME_COUNT; i++) {
        if (strcmp(word, outcome_table[i].word) == 0) {
            *out = (RsOutcome)i;
            return true;
        }
    }
    return false;
}

/* "R17"; empty for no rule. */
const char *
rs_rule_id(RsRule r)
{
    return (unsigned)r < RS_RULE_COUNT ? rule_ids[r] : "";
}

/* The rule's short title from network-model.md. */
const char *
rs_rule_title(RsRule r)
{
    return (unsigned)r < RS_RULE_COUNT ? rule_titles[r] : "";
}
