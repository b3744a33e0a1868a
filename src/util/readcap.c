/* readcap.c: reading a whole input with a size cap, whatever it is.
 *
 * A regular file's size is known before reading, but a pipe, /dev/zero,
 * /dev/urandom or a FIFO never says: g_file_get_contents reads them until
 * memory runs out.  This reads in chunks and stops one byte past the cap,
 * so no input can make rahtisim hold more than the cap (plus one chunk).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rahtisim/util.h"

/* Reads `path` up to `max` bytes; see util.h. */
bool
rs_read_capped(const char *path, size_t max, char **data, size_t *len, bool *too_large,
               GError **error)
{
    *data = NULL;
    *len = 0;
    *too_large = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error_literal(error, G_FILE_ERROR, g_file_error_from_errno(e), g_strerror(e));
        return false;
    }
    /* A regular file's size sizes the buffer, so it is read in place,
     * without a copy per chunk or a doubling (issue 14: 23 MB of 10^5
     * namespaces went through seven reallocations); a file that grows
     * while it is read still grows the buffer. */
    size_t first = 4096;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        first = (size_t)st.st_size < max ? (size_t)st.st_size + 2 : max + 2;
    GString *s = g_string_sized_new(first);
    for (;;) {
        if (s->allocated_len - s->len < 4096) {
            /* room for another chunk: grow, then give the length back */
            size_t had = s->len;
            g_string_set_size(s, had + 65536);
            g_string_set_size(s, had);
        }
        size_t want = s->allocated_len - s->len - 1;
        if (max + 1 - s->len < want)
            want = max + 1 - s->len;        /* one byte past the cap tells "too large" */
        ssize_t n = read(fd, s->str + s->len, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            g_string_free(s, TRUE);
            g_set_error_literal(error, G_FILE_ERROR, g_file_error_from_errno(e), g_strerror(e));
            return false;
        }
        if (n == 0)
            break;
        s->len += (size_t)n;
        s->str[s->len] = '\0';
        if (s->len > max) {
            *too_large = true;
            break;
        }
    }
    close(fd);
    if (*too_large) {
        g_string_free(s, TRUE);
        return true;
    }
    *len = s->len;
    *data = g_string_free(s, FALSE);
    return true;
}
