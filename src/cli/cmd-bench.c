/* cmd-bench.c: `rahtisim bench`, speed measurements of the simulator's parts.
 *
 * `bench engine` runs the classic hold model on the event queue: P events
 * are pending at all times; each executed event schedules one new event at
 * now + U(0, 1 ms) (integer nanoseconds from an RsRng stream), so the queue
 * size stays at P while N events execute.  Only the run is timed (not the
 * priming of the queue), with CLOCK_MONOTONIC.  The callback is a real
 * function call through the engine, so the figure is what a simulation pays
 * per event before doing any work of its own (docs/performance.md).
 *
 * `bench requests` (a whole request pipeline under traffic) arrives with the
 * traffic issue.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rahtisim/cli.h"
#include "rahtisim/engine.h"
#include "rahtisim/rng.h"

static const char bench_usage[] =
    "usage: rahtisim bench engine [--events N] [--pending P] [--seed S] [--format text|json]\n"
    "       rahtisim bench requests\n"
    "\n"
    "  engine    the hold model: P events pending at all times, each executed event\n"
    "            schedules one at now + U(0, 1 ms); prints events/s\n"
    "            --events N   events to execute (default 10000000; 1e7 is accepted)\n"
    "            --pending P  queue size held during the run (default 10000)\n"
    "            --seed S     master seed of the delays (default 1)\n"
    "            --format F   text (default) or json\n"
    "  requests  the request pipeline under traffic (not built yet)\n";

typedef struct {
    RsRng rng;
    uint64_t left;              /* events still to execute */
} HoldModel;

/* One hold-model event: schedules its successor, stops after the last one. */
static void
hold_event(RsEngine *eng, void *obj, uint64_t arg)
{
    HoldModel *hm = obj;
    rs_time_t at = rs_engine_now(eng) + (rs_time_t)rs_rng_below(&hm->rng, (uint64_t)RS_MS);
    rs_engine_schedule(eng, at, hold_event, hm, arg);
    if (--hm->left == 0)
        rs_engine_stop(eng);
}

/* Parses a count: decimal digits with an optional exponent ("10000", "1e7"). */
static int
parse_count(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (s == NULL || *s < '0' || *s > '9')
        return rs_cli_usage_error("bench engine: %s wants a number, got '%s'", opt, s ? s : "");
    uint64_t v = strtoull(s, &end, 10);
    if (errno == 0 && (*end == 'e' || *end == 'E') && end[1] >= '0' && end[1] <= '9') {
        char *exp_end;
        unsigned long e = strtoul(end + 1, &exp_end, 10);
        for (unsigned long i = 0; i < e && errno == 0; i++) {
            if (v > UINT64_MAX / 10)
                errno = ERANGE;
            v *= 10;
        }
        end = exp_end;
    }
    if (errno != 0 || *end != '\0')
        return rs_cli_usage_error("bench engine: %s wants a number, got '%s'", opt, s);
    *out = v;
    return RS_EXIT_OK;
}

/* Seconds elapsed since `t0` on the monotonic clock. */
static double
seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* `bench engine`: runs the hold model and prints the event rate. */
static int
bench_engine(int argc, char **argv)
{
    uint64_t events = 10000000, pending = 10000, seed = 1;
    bool json = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0)
            a = "--help";
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        char name[32];
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        if (strncmp(a, "--", 2) != 0 || nlen >= sizeof name)
            return rs_cli_usage_error("bench engine: unexpected argument '%s'", a);
        memcpy(name, a, nlen);
        name[nlen] = '\0';
        if (strcmp(name, "--help") == 0) {
            fputs(bench_usage, stdout);
            return RS_EXIT_OK;
        }
        if (strcmp(name, "--events") != 0 && strcmp(name, "--pending") != 0 &&
            strcmp(name, "--seed") != 0 && strcmp(name, "--format") != 0)
            return rs_cli_usage_error("bench engine: unknown option '%s' (see rahtisim bench --help)", name);
        if (eq != NULL)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return rs_cli_usage_error("bench engine: %s wants a value", name);

        int rc = RS_EXIT_OK;
        if (strcmp(name, "--events") == 0)
            rc = parse_count(name, val, &events);
        else if (strcmp(name, "--pending") == 0)
            rc = parse_count(name, val, &pending);
        else if (strcmp(name, "--seed") == 0)
            rc = parse_count(name, val, &seed);
        else if (strcmp(val, "json") == 0)
            json = true;
        else if (strcmp(val, "text") == 0)
            json = false;
        else
            return rs_cli_usage_error("bench engine: --format is text or json, not '%s'", val);
        if (rc != RS_EXIT_OK)
            return rc;
    }
    if (events == 0 || pending == 0)
        return rs_cli_usage_error("bench engine: --events and --pending must be at least 1");
    if (pending > 50000000)
        return rs_cli_usage_error("bench engine: --pending is at most 50000000");

    RsEngine *eng = rs_engine_new();
    HoldModel hm;
    rs_rng_init(&hm.rng, seed, "bench/engine/hold");
    hm.left = events;
    for (uint64_t i = 0; i < pending; i++)
        rs_engine_schedule(eng, (rs_time_t)rs_rng_below(&hm.rng, (uint64_t)RS_MS), hold_event, &hm, i);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t done = rs_engine_run(eng, RS_TIME_NEVER);
    double secs = seconds_since(&t0);
    double rate = secs > 0 ? (double)done / secs : 0.0;
    rs_time_t end_time = rs_engine_now(eng);
    uint64_t left = rs_engine_pending(eng);
    rs_engine_free(eng);

    if (json)
        printf("{\"bench\": \"engine\", \"model\": \"hold\", \"pending\": %" PRIu64
               ", \"events\": %" PRIu64 ", \"seed\": %" PRIu64 ", \"seconds\": %.6f"
               ", \"events_per_second\": %.0f, \"simulated_ns\": %" PRId64 "}\n",
               left, done, seed, secs, rate, (int64_t)end_time);
    else
        printf("bench engine: hold model, %" PRIu64 " pending, %" PRIu64
               " events in %.3f s: %.2f M events/s (seed %" PRIu64 ", simulated %.6f s)\n",
               left, done, secs, rate / 1e6, seed, (double)end_time / (double)RS_SEC);
    return RS_EXIT_OK;
}

/* `rahtisim bench engine|requests [...]`: dispatches to one benchmark. */
int
rs_cmd_bench(int argc, char **argv)
{
    if (argc < 2)
        return rs_cli_usage_error("bench: which benchmark? engine or requests (see rahtisim bench --help)");
    const char *what = argv[1];
    if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0) {
        fputs(bench_usage, stdout);
        return RS_EXIT_OK;
    }
    if (strcmp(what, "engine") == 0)
        return bench_engine(argc - 1, argv + 1);
    if (strcmp(what, "requests") == 0)
        return rs_cli_usage_error("bench requests: not built yet (arrives with the traffic issue)");
    return rs_cli_usage_error("bench: unknown benchmark '%s' (engine or requests)", what);
}
