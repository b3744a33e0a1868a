/* term.c: colour on a terminal, plain text everywhere else.
 *
 * The views colour only when asked (--color always) or, by default, when
 * they write to a terminal; the NO_COLOR convention (no-color.org: set and
 * not empty means no colour) and TERM=dumb turn the default off.  Pipes,
 * files and the docs' test runner therefore always get plain text.  Colour
 * is decoration only: the plain text says everything.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rahtisim/teach.h"

/* Parses a --color value. */
bool
rs_color_parse(const char *text, RsColorMode *out)
{
    if (strcmp(text, "auto") == 0)
        *out = RS_COLOR_AUTO;
    else if (strcmp(text, "always") == 0)
        *out = RS_COLOR_ALWAYS;
    else if (strcmp(text, "never") == 0)
        *out = RS_COLOR_NEVER;
    else
        return false;
    return true;
}

/* Whether output to `f` gets colour; see teach.h. */
bool
rs_color_enabled(RsColorMode mode, FILE *f)
{
    if (mode != RS_COLOR_AUTO)
        return mode == RS_COLOR_ALWAYS;
    const char *no = getenv("NO_COLOR");
    if (no != NULL && no[0] != '\0')
        return false;
    const char *term = getenv("TERM");
    if (term != NULL && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f)) == 1;
}

/* Appends the SGR sequence of a style (ECMA-48). */
void
rs_style(GString *out, bool color, RsStyle style)
{
    static const char *const sgr[] = {
        [RS_STYLE_RESET] = "\033[0m", [RS_STYLE_DIM] = "\033[2m",
        [RS_STYLE_BOLD] = "\033[1m",  [RS_STYLE_RULE] = "\033[36m",
        [RS_STYLE_GOOD] = "\033[32m", [RS_STYLE_BAD] = "\033[31m",
        [RS_STYLE_WARN] = "\033[33m", [RS_STYLE_STEP] = "\033[35m",
    };
    if (color && (unsigned)style < G_N_ELEMENTS(sgr))
        g_string_append(out, sgr[style]);
}

/* The style of an outcome: ok is good, a redirect is a warning, the rest bad. */
RsStyle
rs_outcome_style(RsOutcome o)
{
    if (o == RS_OUTCOME_OK)
        return RS_STYLE_GOOD;
    if (o == RS_OUTCOME_REDIRECT)
        return RS_STYLE_WARN;
    return RS_STYLE_BAD;
}
