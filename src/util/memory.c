/* memory.c: how much memory the process uses, and byte counts for people.
 *
 * The memory budget (--max-memory, RsLimits.max_memory) is checked against
 * the resident set: what the process really holds, whatever holds it (the
 * world, requests in flight, queues, the log, statistics).  Reading
 * /proc/self/statm costs a few microseconds; the engine does it every
 * RS_MEMORY_CHECK_EVERY events.
 */
/* NOLINTNEXTLINE(bugprone-reserved-identifier): a feature-test macro, reserved for exactly this */
#define _DEFAULT_SOURCE /* sbrk, MADV_POPULATE_WRITE and MADV_HUGEPAGE */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "rahtisim/util.h"

/* The part of the heap rs_heap_reserve reserved that rs_heap_huge_pages
 * may mark; [0, 0) until then.  Process-wide, as the heap is. */
static uintptr_t heap_huge_from, heap_huge_end;
/* The reserve as a whole, [heap_from, heap_huge_end): where the heap's
 * next blocks come from, for rs_heap_prefault; 0 until then. */
static uintptr_t heap_from;

/* Reserves the heap in one step; see util.h.  A world of 10^5 namespaces
 * is hundreds of megabytes of small objects; the heap is reserved in one
 * large step (M_TOP_PAD: address space, not memory; pages are only used
 * when touched) and kept (no trimming, no separate mappings for blocks
 * under 32 MiB), so memory freed by one phase (the JSON tree after the
 * load) is reused by the next without new pages, and rs_heap_huge_pages
 * can mark it with one call.  Only a hint: where malloc is not glibc's it
 * does nothing, and nothing the program computes depends on it. */
void
rs_heap_reserve(void)
{
#if defined(__GLIBC__) && defined(M_TOP_PAD)
    const int reserve = 1 << 30;
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);       /* glibc's largest */
    mallopt(M_TRIM_THRESHOLD, reserve);
    mallopt(M_TOP_PAD, reserve);
    /* a block larger than the heap's free top makes it grow now, by the
     * reserve (glib's constructors have made the heap before main) */
    char *before = sbrk(0);
    void *probe = malloc((size_t)1024 * 1024);
    char *end = sbrk(0);
    if (probe != NULL && before != (char *)-1 && end != (char *)-1) {
        /* from 16 MiB into the reserve, on a 2 MiB boundary: a small run
         * never touches huge pages, so its peak RSS stays what it was and
         * does not depend on where the heap happens to start */
        const uintptr_t skip = (uintptr_t)16 << 20, huge = (uintptr_t)2 << 20;
        uintptr_t from = ((uintptr_t)before + skip + huge - 1) & ~(huge - 1);
        if ((uintptr_t)end > from) {
            heap_huge_from = from;
            heap_huge_end = (uintptr_t)end;
            heap_from = ((uintptr_t)before + 4095) & ~(uintptr_t)4095;
        }
    }
    free(probe);
#endif
}

/* Asks for transparent huge pages for the reserved heap; see util.h.
 * Where the system grants them on request
 * (/sys/kernel/mm/transparent_hugepage/enabled = madvise, Debian's
 * default), a program reaching hundreds of megabytes of small objects in
 * no particular order spends less time in TLB misses (issue 14: a third of
 * the time of a 10^5-namespace world on 4 KiB pages, when the world was
 * twice today's size).  Only the commands that simulate over the same
 * memory for long ask (run, bench, matrix, sweep): a fresh huge page costs
 * the kernel 2 MiB of zeroing at once, and on a virtual machine whose
 * balloon hands free memory back to the host, that zeroing waits for the
 * host.  `topology` of 10^5 namespaces, which touches most of its memory
 * once, took 1.6-1.8 s after the machine idled with huge pages and
 * 0.85-1.05 s without (docs/performance.md, "Huge pages only for the
 * simulations"). */
void
rs_heap_huge_pages(void)
{
#if defined(MADV_HUGEPAGE)
    if (heap_huge_end > heap_huge_from)
        (void)madvise((void *)heap_huge_from, heap_huge_end - heap_huge_from, MADV_HUGEPAGE);
#endif
}

/* The resident memory in bytes; see util.h. */
uint64_t
rs_memory_resident(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL) {
        unsigned long long size = 0, resident = 0;
        int n = fscanf(f, "%llu %llu", &size, &resident);
        fclose(f);
        long page = sysconf(_SC_PAGESIZE);
        if (n == 2 && page > 0)
            return (uint64_t)resident * (uint64_t)page;
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        return (uint64_t)ru.ru_maxrss * 1024u;      /* the peak, in KiB on Linux */
    return 0;
}

/* Maps the whole pages of [from, to) with MADV_POPULATE_WRITE: false where
 * the kernel (before 5.14) or the system has no such advice, or no memory. */
static bool
populate(uintptr_t from, uintptr_t to)
{
#if defined(MADV_POPULATE_WRITE)
    const uintptr_t page = 4096;
    from = (from + page - 1) & ~(page - 1);
    to &= ~(page - 1);
    return to <= from || madvise((void *)from, to - from, MADV_POPULATE_WRITE) == 0;
#else
    (void)from;
    (void)to;
    return false;
#endif
}

/* Maps a large block's pages in one call; see util.h.  The arenas of the
 * loader, the JSON tree and the world take their memory in blocks of up to
 * 16 MiB from the heap (which rs_heap_reserve reserved), and fill
 * them from the start.  Taking those pages one fault at a time cost
 * 0.2-1.2 s of system time (median 0.3 s) for the topology of 10^5
 * namespaces on the 2-core virtual machine of docs/performance.md; one
 * MADV_POPULATE_WRITE per block costs 0.07-0.1 s for the same pages (issue
 * 14).  The pages read as zero, as fresh heap memory does, so malloc and
 * calloc see nothing different; the resident set grows by the unused tail
 * of each arena's last block at most.  Blocks under 1 MiB (every small
 * scenario's) are left alone.  A hint: where the kernel (before 5.14) or
 * the system has no MADV_POPULATE_WRITE it does nothing, and its result is
 * not needed. */
void
rs_memory_populate(void *p, size_t n)
{
    if (n >= ((size_t)1 << 20))
        (void)populate((uintptr_t)p, (uintptr_t)p + n);
}

/* The part of the reserve the prefault thread maps, [from, to). */
static uintptr_t prefault_from, prefault_to;

/* The prefault thread: maps the range in steps of 2 MiB, from its start,
 * where the heap's next blocks come from, so it keeps ahead of the program
 * (a step of pages already mapped costs only the walk of their tables). */
static void *
prefault_main(void *arg)
{
    (void)arg;
    const uintptr_t step = (uintptr_t)2 << 20;
    for (uintptr_t at = prefault_from; at < prefault_to; at += step)
        if (!populate(at, prefault_to - at > step ? at + step : prefault_to))
            break;      /* no such advice, no memory: a hint */
    return NULL;
}

/* Maps the heap's next pages from a second thread; see util.h.  Loading a
 * file of 10^5 namespaces and building its world touches ~370 MB of fresh
 * heap, which the kernel hands out a zeroed page at a time on the thread
 * that touches it: 0.14-0.19 s of system time of the 0.8-0.9 s of
 * `topology` on the 2-core machine of docs/performance.md, and 1.0-1.3 s
 * where the host makes each fault wait (session 7's machine).  The second
 * core is idle meanwhile: this thread takes those faults there, ahead of
 * the program, which then finds its pages mapped (issue 14).  Nothing the
 * program computes or writes depends on it (the pages read as zero either
 * way, as fresh heap memory does); the resident set grows at most by what
 * was mapped and not used.  The thread blocks every signal (the handlers
 * of src/util/cleanup.c run on the main thread), touches nothing but the
 * page tables, and is detached: exit ends it wherever it is.  Once per
 * process; nothing where the heap was not reserved or where there is no
 * MADV_POPULATE_WRITE. */
bool
rs_heap_prefault(size_t bytes)
{
#if defined(MADV_POPULATE_WRITE)
    static bool started;
    if (started || heap_from == 0 || bytes == 0)
        return false;
    started = true;
    prefault_from = heap_from;
    prefault_to = heap_huge_end - heap_from > bytes ? heap_from + bytes : heap_huge_end;
    prefault_to &= ~(uintptr_t)4095;
    if (prefault_to <= prefault_from)
        return false;
    sigset_t all, old;
    sigfillset(&all);
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return false;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    bool ok = false;
    if (pthread_sigmask(SIG_SETMASK, &all, &old) == 0) {
        ok = pthread_create(&t, &attr, prefault_main, NULL) == 0;      /* none: a hint */
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    pthread_attr_destroy(&attr);
    return ok;
#else
    (void)bytes;
    return false;
#endif
}

/* Whether rs_heap_reserve reserved the heap; see util.h. */
bool
rs_heap_reserved(void)
{
    return heap_from != 0;
}

/* Formats a byte count; see util.h. */
const char *
rs_bytes_format(uint64_t bytes, char buf[32])
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    unsigned u = 0;
    while (v >= 1024 && u + 1 < G_N_ELEMENTS(units)) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        g_snprintf(buf, 32, "%" G_GUINT64_FORMAT " bytes", bytes);
    else if (v == (double)(uint64_t)v)
        g_snprintf(buf, 32, "%.0f %s", v, units[u]);
    else
        g_snprintf(buf, 32, "%.1f %s", v, units[u]);
    return buf;
}

/* Parses a byte count with a binary unit; see util.h. */
bool
rs_bytes_parse(const char *text, uint64_t *out)
{
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return false;
    char *end = NULL;
    guint64 n = g_ascii_strtoull(text, &end, 10);
    static const struct { const char *unit; unsigned shift; } units[] = {
        {"", 0}, {"b", 0}, {"k", 10}, {"kib", 10}, {"m", 20}, {"mib", 20},
        {"g", 30}, {"gib", 30}, {"t", 40}, {"tib", 40},
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(units); i++) {
        if (g_ascii_strcasecmp(end, units[i].unit) == 0) {
            if (units[i].shift > 0 && n > (G_MAXUINT64 >> units[i].shift))
                return false;
            *out = n << units[i].shift;
            return true;
        }
    }
    return false;
}
