/* main.c: the rahtisim program.  All logic lives in librahtisim; this file
 * only asks for huge pages for the heap (heap_huge_pages, a hint) and hands
 * the command line to the command table (src/cli/commands.c). */
/* NOLINTNEXTLINE(bugprone-reserved-identifier): a feature-test macro, reserved for exactly this */
#define _DEFAULT_SOURCE /* sbrk, madvise and MADV_HUGEPAGE (heap_huge_pages) */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

#include "rahtisim/cli.h"

/* Lets the heap use transparent huge pages where the system grants them on
 * request (/sys/kernel/mm/transparent_hugepage/enabled = madvise, Debian's
 * default).  A world of 10^5 namespaces is about a gigabyte of small
 * objects reached in no particular order, and on 4 KiB pages a third of
 * its time went to TLB misses and page faults (issue 14; glibc's tunable
 * glibc.malloc.hugetlb=1 showed the same gain).  The heap is reserved in
 * one large step (M_TOP_PAD: address space, not memory; pages are only
 * used when touched), marked MADV_HUGEPAGE once, and kept (no trimming, no
 * separate mappings for large blocks), so the mark covers what the program
 * allocates beyond its first 16 MiB.  Only a hint: nothing the program
 * computes depends on it, and where huge pages are off, or malloc is not
 * glibc's, it changes nothing. */
static void
heap_huge_pages(void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE) && defined(M_TOP_PAD)
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
        if ((uintptr_t)end > from)
            (void)madvise((void *)from, (uintptr_t)end - from, MADV_HUGEPAGE);
    }
    free(probe);
#endif
}

int
main(int argc, char **argv)
{
    heap_huge_pages();
    return rs_cli_main(argc, argv);
}
