/* addrpool.c: handing out pod and service addresses (R3, R10).
 *
 * WHAT IT MODELS
 * --------------
 * R3: each new pod gets the next free address of the pod network in
 * round-robin order, wrapping and skipping addresses in use; an address is
 * not handed out again right away.  This is what OVN-Kubernetes'
 * round-robin allocation map and CNI host-local IPAM ("loosely round-robin,
 * remembers the last reserved IP") do.  The pool keeps a cursor on the last
 * address handed out and scans forward from it, so a released address comes
 * back only after the cursor has gone all the way round the network.  The
 * same structure hands out ClusterIPs (R10), with a different start.
 *
 * WHAT IT SIMPLIFIES
 * ------------------
 * One pool for the whole pod network: real clusters split it into per-node
 * subnets (/23 on OpenShift) and allocate round-robin inside each.  Without
 * nodes in the model, one cursor over the whole network is the faithful
 * projection.  The network and broadcast addresses are never handed out.
 *
 * THE STRUCTURE AND WHAT IT COSTS
 * -------------------------------
 * A bitmap of used addresses, cut into chunks of 2^18 bits (32 KiB) that are
 * allocated on first use, plus a count of set bits per chunk.  A /14 needs
 * one chunk; even 0.0.0.0/0 needs only the 16384-entry chunk table until
 * addresses are used.  Finding the next free address skips unallocated
 * chunks (all free) and full chunks in O(1) each, then 64 addresses per word
 * with a count-trailing-zeros, so an allocation costs O(1) amortised over a
 * round of the cursor, independent of the number of pods.  Exhaustion is
 * an honest answer (false), never a loop.
 *
 * REJECTED
 * --------
 * A hash set of used addresses: same asymptotics for lookups, but the
 * forward scan would probe address by address through long used runs.
 * A free list: gives LIFO or FIFO reuse, not the round-robin order of R3.
 */
#include "config.h"

#include <string.h>

#include "world/world-private.h"

#define CHUNK_SHIFT 18
#define CHUNK_BITS (UINT64_C(1) << CHUNK_SHIFT)
#define CHUNK_WORDS (CHUNK_BITS / 64)
#define NONE UINT64_MAX

/* Prepares a pool over net/prefix with nothing used. */
void
rs_addr_pool_init(RsAddrPool *p, uint32_t net, uint32_t prefix)
{
    memset(p, 0, sizeof *p);
    g_assert(prefix <= 32);
    p->prefix = prefix;
    p->size = UINT64_C(1) << (32 - prefix);
    p->net = prefix == 0 ? 0 : net & (uint32_t)(~UINT64_C(0) << (32 - prefix));
    /* Network and broadcast addresses are not usable; /31 and /32 have none. */
    p->first = 1;
    p->last = p->size >= 4 ? p->size - 2 : 0;
    p->cursor = p->last;        /* the first allocation wraps to `first` */
    p->released = NONE;
    p->n_chunks = (p->size + CHUNK_BITS - 1) / CHUNK_BITS;
    p->chunks = g_new0(uint64_t *, p->n_chunks);
    p->chunk_used = g_new0(uint32_t, p->n_chunks);
}

/* Frees the pool's bitmaps. */
void
rs_addr_pool_clear(RsAddrPool *p)
{
    if (p->chunks != NULL) {
        for (uint64_t i = 0; i < p->n_chunks; i++)
            g_free(p->chunks[i]);
    }
    g_free(p->chunks);
    g_free(p->chunk_used);
    memset(p, 0, sizeof *p);
}

/* Whether `ip` is one of the pool's usable addresses. */
bool
rs_addr_pool_contains(const RsAddrPool *p, uint32_t ip)
{
    uint64_t off = (uint64_t)ip - p->net;
    if ((uint64_t)ip < p->net || off >= p->size)
        return false;
    return p->first <= p->last && off >= p->first && off <= p->last;
}

/* Whether the bit of offset `off` is set. */
static bool
bit_get(const RsAddrPool *p, uint64_t off)
{
    const uint64_t *c = p->chunks[off >> CHUNK_SHIFT];
    if (c == NULL)
        return false;
    uint64_t b = off & (CHUNK_BITS - 1);
    return (c[b / 64] >> (b % 64)) & 1;
}

/* Sets or clears the bit of offset `off`, keeping the counts. */
static void
bit_set(RsAddrPool *p, uint64_t off, bool on)
{
    uint64_t ci = off >> CHUNK_SHIFT;
    if (p->chunks[ci] == NULL) {
        if (!on)
            return;
        p->chunks[ci] = g_new0(uint64_t, CHUNK_WORDS);
    }
    uint64_t b = off & (CHUNK_BITS - 1);
    uint64_t mask = UINT64_C(1) << (b % 64);
    uint64_t *word = &p->chunks[ci][b / 64];
    if (on == ((*word & mask) != 0))
        return;
    if (on) {
        *word |= mask;
        p->chunk_used[ci]++;
        p->used++;
    } else {
        *word &= ~mask;
        p->chunk_used[ci]--;
        p->used--;
    }
}

/* Whether `ip` is marked used. */
bool
rs_addr_pool_in_use(const RsAddrPool *p, uint32_t ip)
{
    uint64_t off = (uint64_t)ip - p->net;
    if ((uint64_t)ip < p->net || off >= p->size)
        return false;
    return bit_get(p, off);
}

/* Marks a usable address used; false if it is outside the range or taken. */
bool
rs_addr_pool_reserve(RsAddrPool *p, uint32_t ip)
{
    if (!rs_addr_pool_contains(p, ip) || rs_addr_pool_in_use(p, ip))
        return false;
    bit_set(p, (uint64_t)ip - p->net, true);
    return true;
}

/* Returns an address to the pool; it comes back only when the cursor gets
 * round to it again (R3: no immediate reuse). */
void
rs_addr_pool_release(RsAddrPool *p, uint32_t ip)
{
    if (rs_addr_pool_contains(p, ip)) {
        bit_set(p, (uint64_t)ip - p->net, false);
        p->released = (uint64_t)ip - p->net;
    }
}

/* The lowest free offset in [from, to], or NONE; skips whole chunks and words. */
static uint64_t
find_free(const RsAddrPool *p, uint64_t from, uint64_t to)
{
    uint64_t off = from;
    while (off <= to) {
        uint64_t ci = off >> CHUNK_SHIFT;
        const uint64_t *c = p->chunks[ci];
        uint64_t chunk_end = ((ci + 1) << CHUNK_SHIFT) - 1;
        if (c == NULL)
            return off;                         /* never used: all free */
        if (p->chunk_used[ci] == CHUNK_BITS) {  /* full: skip it whole */
            off = chunk_end + 1;
            continue;
        }
        uint64_t b = off & (CHUNK_BITS - 1);
        uint64_t wi = b / 64;
        uint64_t free_bits = ~c[wi] & (~UINT64_C(0) << (b % 64));
        while (free_bits == 0 && ++wi < CHUNK_WORDS)
            free_bits = ~c[wi];
        if (free_bits == 0) {
            off = chunk_end + 1;
            continue;
        }
        uint64_t found = (ci << CHUNK_SHIFT) + wi * 64 + (uint64_t)__builtin_ctzll(free_bits);
        return found <= to ? found : NONE;
    }
    return NONE;
}

/* Hands out the next free address after the cursor, wrapping (R3). */
bool
rs_addr_pool_alloc(RsAddrPool *p, uint32_t *ip)
{
    if (p->first > p->last || p->used >= p->last - p->first + 1)
        return false;                           /* exhausted: the caller says why */
    uint64_t off = NONE;
    if (p->cursor < p->last)
        off = find_free(p, p->cursor + 1, p->last);
    if (off == NONE)
        off = find_free(p, p->first, p->cursor < p->last ? p->cursor : p->last);
    if (off == NONE)
        return false;
    bit_set(p, off, true);
    p->cursor = off;
    /* C9: every other address is in use (or was passed more recently): the
     * one just released comes back at once; the caller logs it */
    p->again = off == p->released;
    p->released = NONE;
    *ip = (uint32_t)(p->net + off);
    return true;
}

/* Makes the next allocation start its scan at `ip` (ClusterIP bands, R10). */
void
rs_addr_pool_set_next(RsAddrPool *p, uint32_t ip)
{
    uint64_t off = (uint64_t)ip - p->net;
    if (!rs_addr_pool_contains(p, ip) || off == p->first)
        p->cursor = p->last;
    else
        p->cursor = off - 1;
}
