/* escape.c: text made safe for a terminal.
 *
 * File names, command-line arguments and scenario text end up in what
 * rahtisim prints.  A terminal acts on some bytes instead of showing them:
 * C0 controls (ESC starts sequences that set the window title, move the
 * cursor, clear the screen; BEL, BS, CR overwrite what is shown), DEL, the
 * C1 controls (U+0080-U+009F, CSI and OSC among them) and the Unicode
 * bidirectional controls (U+202E turns the rest of the line around: the
 * "Trojan Source" trick; U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069).  Each is written visibly instead: \x1b for a byte below
 * 0x80, \u202e for a code point (the same escape a JSON string uses, so a
 * JSON report keeps its meaning), and a byte that is not UTF-8 as \xff.  A
 * backslash itself is left alone (a Windows path or a regex reads as
 * written).  Kept as they are: newline and tab where the caller allows
 * them, and the colour sequences rahtisim itself writes (ESC [ digits and
 * semicolons m: SGR only, which cannot move the cursor or set a title).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "rahtisim/util.h"

/* Whether code point `c` is a bidirectional control. */
static bool
bidi_control(gunichar c)
{
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

/* The length of an SGR sequence (ESC [ [0-9;]* m) at `p`, or 0. */
static size_t
sgr_length(const char *p, const char *end)
{
    if (end - p < 3 || p[0] != '\033' || p[1] != '[')
        return 0;
    for (const char *q = p + 2; q < end; q++) {
        if (*q == 'm')
            return (size_t)(q - p) + 1;
        if (!((*q >= '0' && *q <= '9') || *q == ';'))
            return 0;
    }
    return 0;
}

/* Appends the escaped text; see util.h. */
void
rs_escape_terminal(GString *out, const char *text, size_t len, unsigned flags)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        unsigned char b = (unsigned char)*p;
        if (b < 0x20 || b == 0x7f) {
            size_t sgr = (flags & RS_ESCAPE_KEEP_SGR) ? sgr_length(p, end) : 0;
            if (sgr > 0) {
                g_string_append_len(out, p, (gssize)sgr);
                p += sgr;
                continue;
            }
            if ((b == '\n' && (flags & RS_ESCAPE_KEEP_NEWLINE)) || (b == '\t' && (flags & RS_ESCAPE_KEEP_TAB)))
                g_string_append_c(out, (char)b);
            else
                g_string_append_printf(out, "\\x%02x", b);
            p++;
            continue;
        }
        if (b < 0x80) {
            g_string_append_c(out, (char)b);
            p++;
            continue;
        }
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append_printf(out, "\\x%02x", b);     /* not UTF-8 */
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if ((c >= 0x80 && c <= 0x9f) || bidi_control(c))
            g_string_append_printf(out, "\\u%04x", (unsigned)c);
        else
            g_string_append_len(out, p, next - p);
        p = next;
    }
}

/* A new escaped copy; see util.h. */
char *
rs_escape_terminal_dup(const char *text, unsigned flags)
{
    GString *s = g_string_sized_new(text != NULL ? strlen(text) : 0);
    if (text != NULL)
        rs_escape_terminal(s, text, strlen(text), flags);
    return g_string_free(s, FALSE);
}

/* Whether the text needs escaping at all; see util.h. */
bool
rs_escape_terminal_needed(const char *text, size_t len, unsigned flags)
{
    size_t i = 0;
#if defined(__GNUC__) || defined(__clang__)
    /* Sixteen bytes at a time with the compiler's vector extension (SSE2
     * on x86-64, NEON on ARM, plain code elsewhere): every output is
     * checked, a topology of 10^5 namespaces is 67 MB, and its every line
     * ends in a newline, which the eight-byte test below could not pass
     * (issue 14: 2.4 instructions a byte before, about 0.6 now).  A lane
     * is bad under the same condition as the byte loop's. */
    typedef unsigned char V16 __attribute__((vector_size(16)));
    /* a kept newline or tab is forgiven; a space, which is never bad,
     * stands in for one that is not kept, so the loop has no branch */
    const unsigned char nl = (flags & RS_ESCAPE_KEEP_NEWLINE) ? '\n' : ' ';
    const unsigned char tab = (flags & RS_ESCAPE_KEEP_TAB) ? '\t' : ' ';
    for (; i + 16 <= len; i += 16) {
        V16 x;
        memcpy(&x, text + i, sizeof x);
        V16 bad = (V16)((x < 0x20) | (x >= 0x7f)) & (V16)(x != nl) & (V16)(x != tab);
        uint64_t lo, hi;
        memcpy(&lo, &bad, sizeof lo);
        memcpy(&hi, (const char *)&bad + sizeof lo, sizeof hi);
        if ((lo | hi) != 0)
            return true;        /* a control, or a byte of a multi-byte character: look closer */
    }
#endif
    for (; i < len; i++) {
        unsigned char b = (unsigned char)text[i];
        if (b >= 0x20 && b < 0x7f)
            continue;
        if ((b == '\n' && (flags & RS_ESCAPE_KEEP_NEWLINE)) || (b == '\t' && (flags & RS_ESCAPE_KEEP_TAB)))
            continue;
        return true;
    }
    return false;
}
