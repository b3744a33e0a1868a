/* wrap.c: word wrapping for long descriptions on a terminal (util.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rahtisim/util.h"

/* Wraps `text` to `width` columns; see util.h. */
void
rs_wrap_append(GString *out, const char *text, const char *indent, unsigned width)
{
    size_t ind = (size_t)g_utf8_strlen(indent, -1);
    if (width == 0 || width <= ind + 10) {
        g_string_append_printf(out, "%s%s\n", indent, text);
        return;
    }
    size_t col = 0;
    const char *p = text;
    g_string_append(out, indent);
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p != '\0' && *p != ' ')
            p++;
        if (p == w)
            break;
        size_t wl = (size_t)g_utf8_strlen(w, p - w);
        if (col > 0 && ind + col + 1 + wl > width) {
            g_string_append_c(out, '\n');
            g_string_append(out, indent);
            col = 0;
        }
        if (col > 0) {
            g_string_append_c(out, ' ');
            col++;
        }
        g_string_append_len(out, w, p - w);
        col += wl;
    }
    g_string_append_c(out, '\n');
}

/* The width to wrap at; see util.h. */
unsigned
rs_term_width(int fd)
{
    struct winsize ws;
    if (!isatty(fd))
        return 0;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = g_getenv("COLUMNS");
    guint64 v = 0;
    if (c != NULL && g_ascii_string_to_unsigned(c, 10, 1, 10000, &v, NULL))
        return (unsigned)v;
    return 0;
}
