/* test_cli.c: the command table: lookup by name and prefix, ambiguity,
 * "did you mean", and the edit distance behind it. */
/* NOLINTNEXTLINE(bugprone-reserved-identifier): a feature-test macro, reserved for exactly this */
#define _DEFAULT_SOURCE /* MADV_POPULATE_WRITE, as src/util/memory.c sees it */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "rahtisim/cleanup.h"
#include "rahtisim/spawn.h"
#include "rahtisim/cli.h"
#include "rahtisim/util.h"
#include "cu-main.h"

/* Exact names and unique prefixes find their command. */
static void
test_lookup_exact_and_prefix(void)
{
    const RsCmdEntry *e;
    g_autofree char *hint = NULL;
    CU_ASSERT_EQUAL(rs_cli_lookup("run", &e, &hint), RS_LOOKUP_FOUND);
    CU_ASSERT_STRING_EQUAL(e->name, "run");
    CU_ASSERT_EQUAL(rs_cli_lookup("che", &e, NULL), RS_LOOKUP_FOUND);
    CU_ASSERT_STRING_EQUAL(e->name, "check");
    CU_ASSERT_EQUAL(rs_cli_lookup("topo", &e, NULL), RS_LOOKUP_FOUND);
    CU_ASSERT_STRING_EQUAL(e->name, "topology");
}

/* Every command is in the table exactly once and has a summary. */
static void
test_table_complete(void)
{
    static const char *const want[] = {"run", "check", "explain", "dig", "matrix",
                                       "topology", "bench", "help", "version"};
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        unsigned seen = 0;
        for (const RsCmdEntry *e = rs_cmd_table; e->name; e++) {
            if (strcmp(e->name, want[i]) == 0) {
                seen++;
                CU_ASSERT_PTR_NOT_NULL(e->summary);
                CU_ASSERT_PTR_NOT_NULL(e->exec);
            }
        }
        CU_ASSERT_EQUAL(seen, 1);
    }
}

/* A misspelt command gets the nearest name; nonsense gets none. */
static void
test_lookup_unknown(void)
{
    const RsCmdEntry *e;
    char *hint = NULL;
    CU_ASSERT_EQUAL(rs_cli_lookup("rnu", &e, &hint), RS_LOOKUP_UNKNOWN);
    CU_ASSERT_PTR_NULL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hint);
    CU_ASSERT_STRING_EQUAL(hint, "run");
    g_free(hint);
    CU_ASSERT_EQUAL(rs_cli_lookup("explian", &e, &hint), RS_LOOKUP_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(hint, "explain");
    g_free(hint);
    CU_ASSERT_EQUAL(rs_cli_lookup("zzzzzzzz", &e, &hint), RS_LOOKUP_UNKNOWN);
    CU_ASSERT_PTR_NULL(hint);
}

/* A prefix shared by several commands is ambiguous and lists them. */
static void
test_lookup_ambiguous(void)
{
    static const RsCmdEntry table[] = {
        {"check", "", "c", NULL, NULL},
        {"chart", "", "c", NULL, NULL},
        {"run", "", "r", NULL, NULL},
        {NULL, NULL, NULL, NULL, NULL},
    };
    const RsCmdEntry *e;
    g_autofree char *hint = NULL;
    CU_ASSERT_EQUAL(rs_cli_lookup_in(table, "ch", &e, &hint), RS_LOOKUP_AMBIGUOUS);
    CU_ASSERT_PTR_NULL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hint);
    CU_ASSERT_STRING_EQUAL(hint, "check, chart");
    CU_ASSERT_EQUAL(rs_cli_lookup_in(table, "che", &e, NULL), RS_LOOKUP_FOUND);
    CU_ASSERT_STRING_EQUAL(e->name, "check");
}

/* Levenshtein distances on known pairs. */
static void
test_edit_distance(void)
{
    CU_ASSERT_EQUAL(rs_edit_distance("", ""), 0);
    CU_ASSERT_EQUAL(rs_edit_distance("kitten", "sitting"), 3);
    CU_ASSERT_EQUAL(rs_edit_distance("replicas", "replcias"), 2);
    CU_ASSERT_EQUAL(rs_edit_distance("abc", ""), 3);
    static const char *const keys[] = {"replicas", "labels", "ports", "protocol"};
    CU_ASSERT_STRING_EQUAL(rs_closest("replica", keys, 4), "replicas");
    CU_ASSERT_STRING_EQUAL(rs_closest("port", keys, 4), "ports");
    CU_ASSERT_PTR_NULL(rs_closest("xyzzy", keys, 4));
}

/* Escaping for a terminal (src/util/escape.c): C0 controls, DEL, C1
 * controls, bidi controls (U+202E) and bytes that are not UTF-8 are made
 * visible; printable text, UTF-8 letters and our own colour codes are kept. */
static void
test_escape_terminal(void)
{
    g_autofree char *a = rs_escape_terminal_dup("evil\033]0;title\007.json", 0);
    CU_ASSERT_STRING_EQUAL(a, "evil\\x1b]0;title\\x07.json");
    g_autofree char *b = rs_escape_terminal_dup("fe\xe2\x80\xaenic \xc2\x9b x\x7f", 0);
    CU_ASSERT_STRING_EQUAL(b, "fe\\u202enic \\u009b x\\x7f");
    g_autofree char *c = rs_escape_terminal_dup("Tampere \xc3\xa4 \xff", 0);
    CU_ASSERT_STRING_EQUAL(c, "Tampere \xc3\xa4 \\xff");
    g_autofree char *d = rs_escape_terminal_dup("a\n\tb \033[1;31mred\033[0m \033[2J", RS_ESCAPE_TEXT);
    CU_ASSERT_STRING_EQUAL(d, "a\n\tb \033[1;31mred\033[0m \\x1b[2J");
    g_autofree char *e = rs_escape_terminal_dup("a\nb", 0);
    CU_ASSERT_STRING_EQUAL(e, "a\\x0ab");
    CU_ASSERT_FALSE(rs_escape_terminal_needed("plain\n", 6, RS_ESCAPE_TEXT));
    CU_ASSERT_TRUE(rs_escape_terminal_needed("\033", 1, RS_ESCAPE_TEXT));
    /* The fast scan (sixteen bytes at a time) answers as a byte-by-byte
     * reading does: every byte value, at every position of texts of 1 to
     * 40 bytes (both sides of each 16-byte step and the tail), each flag. */
    static const unsigned flag_sets[] = {0, RS_ESCAPE_KEEP_NEWLINE, RS_ESCAPE_KEEP_TAB, RS_ESCAPE_TEXT};
    char text[40];
    unsigned wrong = 0;
    for (unsigned f = 0; f < G_N_ELEMENTS(flag_sets); f++)
        for (size_t len = 1; len <= sizeof text; len++)
            for (size_t at = 0; at < len; at++)
                for (unsigned v = 0; v < 256; v++) {
                    memset(text, 'a', sizeof text);
                    text[len - 1] = (len % 3 == 0) ? '\n' : 'z';      /* a line's end, where allowed */
                    text[at] = (char)v;
                    bool expect = false;
                    for (size_t k = 0; k < len; k++) {
                        unsigned char byte = (unsigned char)text[k];
                        bool ok = (byte >= 0x20 && byte < 0x7f) || (byte == '\n' && (flag_sets[f] & RS_ESCAPE_KEEP_NEWLINE)) ||
                                  (byte == '\t' && (flag_sets[f] & RS_ESCAPE_KEEP_TAB));
                        expect = expect || !ok;
                    }
                    wrong += rs_escape_terminal_needed(text, len, flag_sets[f]) != expect;
                }
    CU_ASSERT_EQUAL(wrong, 0);
}

/* The signal clean-up (src/util/cleanup.c): a process with a registered
 * temporary file and a registered child gets SIGTERM; the file is removed,
 * the child killed and reaped, and the process dies of SIGTERM (the
 * conventional status).  A file unregistered before is kept. */
static void
test_cleanup_on_signal(void)
{
    char dir[] = "/tmp/rs-cleanup-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(g_mkdtemp(dir));
    g_autofree char *tmp = g_build_filename(dir, "report.json.tmp", NULL);
    g_autofree char *kept = g_build_filename(dir, "kept", NULL);
    g_autofree char *tree = g_build_filename(dir, ".export.tmp-1", NULL);
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        g_file_set_contents(tmp, "partial", -1, NULL);
        g_file_set_contents(kept, "done", -1, NULL);
        rs_cleanup_add_file(tmp);
        rs_cleanup_remove_file(rs_cleanup_add_file(kept));
        /* a folder being filled, two levels deep, removed whole */
        g_autofree char *deep = g_build_filename(tree, "router", "certs", NULL);
        g_autofree char *pem = g_build_filename(deep, "a.pem", NULL);
        g_autofree char *cfg = g_build_filename(tree, "haproxy.cfg", NULL);
        g_mkdir_with_parents(deep, 0755);
        g_file_set_contents(pem, "pem", -1, NULL);
        g_file_set_contents(cfg, "cfg", -1, NULL);
        rs_cleanup_add_tree(tree);
        pid_t child = fork();
        if (child == 0) {
            execlp("sleep", "sleep", "60", (char *)NULL);
            _exit(127);
        }
        rs_cleanup_add_child(child);
        if (write(fds[1], &child, sizeof child) != sizeof child)
            _exit(3);
        for (;;)
            pause();
    }
    close(fds[1]);
    pid_t child = 0;
    CU_ASSERT_EQUAL_FATAL(read(fds[0], &child, sizeof child), (ssize_t)sizeof child);
    close(fds[0]);
    kill(pid, SIGTERM);
    int status = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    CU_ASSERT_FALSE(g_file_test(tmp, G_FILE_TEST_EXISTS));      /* removed */
    CU_ASSERT_TRUE(g_file_test(kept, G_FILE_TEST_EXISTS));      /* unregistered: kept */
    CU_ASSERT_FALSE(g_file_test(tree, G_FILE_TEST_EXISTS));     /* the folder, with all in it */
    /* The child was killed and reaped by its parent: no such process now. */
    CU_ASSERT_TRUE(kill(child, 0) != 0 && errno == ESRCH);
    if (kill(child, 0) == 0)
        kill(child, SIGKILL);
    g_unlink(kept);
    g_rmdir(dir);
}

/* Helper programs (src/util/spawn.c): output collected up to the cap, the
 * exit status told in words, a program over its time limit killed. */
static void
test_spawn_limited(void)
{
    char *argv[] = {(char *)"sh", (char *)"-c", (char *)"printf abcdef; printf 'oops\\n\\nline 2' >&2; exit 3",
                    NULL};
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) err = g_string_new(NULL);
    RsSpawnResult res;
    CU_ASSERT_TRUE_FATAL(rs_spawn_limited(NULL, argv, 30, out, err, 3, &res, NULL));
    CU_ASSERT_STRING_EQUAL(out->str, "abc");
    CU_ASSERT_TRUE(res.truncated);
    CU_ASSERT_FALSE(res.timed_out);
    GError *e = NULL;
    CU_ASSERT_FALSE(rs_spawn_check(&res, 30, "oops\n\nline 2", &e));
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->message, "exited with status 3: oops | line 2");
    g_clear_error(&e);

    char *slow[] = {(char *)"sleep", (char *)"30", NULL};
    gint64 t0 = g_get_monotonic_time();
    CU_ASSERT_TRUE_FATAL(rs_spawn_limited(NULL, slow, 1, NULL, NULL, 0, &res, NULL));
    CU_ASSERT_TRUE(res.timed_out);
    CU_ASSERT_TRUE(g_get_monotonic_time() - t0 < 20 * G_USEC_PER_SEC);  /* killed, not waited for */
    CU_ASSERT_FALSE(rs_spawn_check(&res, 1, NULL, &e));
    CU_ASSERT_STRING_EQUAL(e->message, "did not finish in 1 s: killed");
    g_clear_error(&e);

    char *ok[] = {(char *)"true", NULL};
    CU_ASSERT_TRUE(rs_spawn_limited(NULL, ok, 30, NULL, NULL, 0, &res, NULL));
    CU_ASSERT_TRUE(rs_spawn_check(&res, 30, NULL, NULL));
    char *none[] = {(char *)"/nonexistent/program", NULL};
    CU_ASSERT_FALSE(rs_spawn_limited(NULL, none, 30, NULL, NULL, 0, &res, &e));
    CU_ASSERT_PTR_NOT_NULL(e);
    g_clear_error(&e);
}

/* Whether this kernel knows MADV_POPULATE_WRITE (5.14 on): where it does
 * not, rs_heap_prefault's thread maps nothing, as documented. */
static bool
kernel_populates(void)
{
#if defined(MADV_POPULATE_WRITE)
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return false;
    bool ok = madvise(p, 4096, MADV_POPULATE_WRITE) == 0;
    munmap(p, 4096);
    return ok;
#else
    return false;
#endif
}

/* rs_heap_prefault (src/util/memory.c, issue 14): where the heap is
 * reserved, a second thread maps the pages asked for, once per process;
 * where it is not (a sanitizer's or valgrind's malloc) it starts nothing. */
static void
test_heap_prefault(void)
{
    rs_heap_reserve();
    const size_t want = (size_t)32 << 20;
    uint64_t before = rs_memory_resident();
    bool started = rs_heap_prefault(want);
    CU_ASSERT_EQUAL(started, rs_heap_reserved());
    CU_ASSERT_FALSE(rs_heap_prefault(want));    /* once */
    if (!started || !kernel_populates())
        return;
    /* the thread maps them (polled for up to 10 s; it takes a few ms) */
    uint64_t now = before;
    for (int i = 0; i < 1000 && now < before + want * 3 / 4; i++) {
        g_usleep(10000);
        now = rs_memory_resident();
    }
    CU_ASSERT(now >= before + want * 3 / 4);
}

int
main(void)
{
    static CU_TestInfo tests[] = {
        {"lookup exact and prefix", test_lookup_exact_and_prefix},
        {"table complete", test_table_complete},
        {"lookup unknown", test_lookup_unknown},
        {"lookup ambiguous", test_lookup_ambiguous},
        {"edit distance", test_edit_distance},
        {"escape for a terminal", test_escape_terminal},
        {"clean-up on SIGTERM", test_cleanup_on_signal},
        {"helper programs: cap, status, time limit", test_spawn_limited},
        {"the heap's pages mapped from a second thread", test_heap_prefault},
        CU_TEST_INFO_NULL,
    };
    return fx_main("cli", tests);
}
