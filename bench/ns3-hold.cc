/* ns3-hold.cc: the hold model of `rahtisim bench engine`, in ns-3.
 *
 *   ns3-hold [--pending P] [--events N] [--scheduler NAME] [--seed S] [--format text|json]
 *
 * A peer benchmark, not part of rahtisim: bench/ns3.sh builds it with g++
 * when ns-3's development files are installed (Debian: libns3-dev) and runs
 * it next to `rahtisim bench engine`.  The model is the same:
 *
 *   - P events are pending at all times (primed before the clock starts);
 *   - each executed event schedules exactly one new event at
 *     now + U(0, 1 ms), in integer nanoseconds;
 *   - N events are executed in all, then the simulator is stopped;
 *   - only Simulator::Run() is timed (std::chrono::steady_clock).
 *
 * The event is scheduled the way an ns-3 model schedules one,
 * Simulator::Schedule(delay, &function): ns-3 allocates an EventImpl per
 * event and hands the scheduler (chosen with Simulator::SetScheduler, the
 * "SchedulerType" of ns-3) a {EventImpl *, time, uid, context} record.
 *
 * The delays come from a SplitMix64 generator and Lemire's multiply-shift
 * with rejection, both inline here, rather than from ns-3's RandomVariable
 * streams: rahtisim's bench draws from its own cheap generator
 * (xoshiro256** and the same Lemire reduction), and the comparison is meant
 * to measure the event queues, not the random number generators.  The
 * sequence of delays is therefore not the same as rahtisim's, only its
 * distribution, so the "simulated" time differs slightly between the two.
 *
 * Output: the fields of `rahtisim bench engine` (pending, events, seconds,
 * events/s, seed, simulated time) plus the scheduler's name.
 */
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ns3/core-module.h"

using namespace ns3;

namespace
{

/* SplitMix64: one add, two multiply-xorshifts per 64 bits. */
struct SplitMix64
{
    uint64_t state;

    uint64_t Next()
    {
        uint64_t z = (state += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
    }

    /* A uniform integer in [0, bound), bound > 0 (Lemire, with rejection). */
    uint64_t Below(uint64_t bound)
    {
        unsigned __int128 m = (unsigned __int128)Next() * bound;
        uint64_t lo = (uint64_t)m;
        if (lo < bound)
        {
            uint64_t threshold = (0 - bound) % bound;
            while (lo < threshold)
            {
                m = (unsigned __int128)Next() * bound;
                lo = (uint64_t)m;
            }
        }
        return (uint64_t)(m >> 64);
    }
};

const uint64_t kMillisecondNs = 1000000;

SplitMix64 g_rng;
uint64_t g_left; /* events still to execute */

/* One hold-model event: schedules its successor, stops after the last one. */
void
HoldEvent()
{
    Simulator::Schedule(NanoSeconds((int64_t)g_rng.Below(kMillisecondNs)), &HoldEvent);
    if (--g_left == 0)
    {
        Simulator::Stop();
    }
}

const char kUsage[] =
    "usage: ns3-hold [--pending P] [--events N] [--scheduler NAME] [--seed S] [--format text|json]\n"
    "\n"
    "  The hold model of `rahtisim bench engine`, in ns-3: P events pending at all\n"
    "  times, each executed event schedules one at now + U(0, 1 ms); prints events/s.\n"
    "  --events N        events to execute (default 10000000; 1e7 is accepted)\n"
    "  --pending P       queue size held during the run (default 10000)\n"
    "  --scheduler NAME  ns-3 scheduler TypeId (default ns3::MapScheduler): ns3::MapScheduler,\n"
    "                    ns3::HeapScheduler, ns3::ListScheduler, ns3::CalendarScheduler,\n"
    "                    ns3::PriorityQueueScheduler; \"Map\" for ns3::MapScheduler and so on\n"
    "  --seed S          seed of the delays (default 1)\n"
    "  --format F        text (default) or json\n";

int
UsageError(const char* msg, const char* arg)
{
    std::fprintf(stderr, "ns3-hold: %s '%s' (see ns3-hold --help)\n", msg, arg);
    return 2;
}

/* Parses a count: decimal digits with an optional exponent ("10000", "1e7"). */
bool
ParseCount(const char* s, uint64_t* out)
{
    if (s == nullptr || *s < '0' || *s > '9')
    {
        return false;
    }
    errno = 0;
    char* end;
    uint64_t v = std::strtoull(s, &end, 10);
    if (errno == 0 && (*end == 'e' || *end == 'E') && end[1] >= '0' && end[1] <= '9')
    {
        char* expEnd;
        unsigned long e = std::strtoul(end + 1, &expEnd, 10);
        for (unsigned long i = 0; i < e && errno == 0; i++)
        {
            if (v > UINT64_MAX / 10)
            {
                errno = ERANGE;
            }
            v *= 10;
        }
        end = expEnd;
    }
    if (errno != 0 || *end != '\0')
    {
        return false;
    }
    *out = v;
    return true;
}

} // namespace

int
main(int argc, char** argv)
{
    uint64_t events = 10000000;
    uint64_t pending = 10000;
    uint64_t seed = 1;
    std::string scheduler = "ns3::MapScheduler";
    bool json = false;

    for (int i = 1; i < argc; i++)
    {
        std::string a = argv[i];
        if (a == "-h" || a == "--help")
        {
            std::fputs(kUsage, stdout);
            return 0;
        }
        std::string name = a;
        const char* val = nullptr;
        std::string::size_type eq = a.find('=');
        if (eq != std::string::npos)
        {
            name = a.substr(0, eq);
            val = argv[i] + eq + 1;
        }
        if (name != "--events" && name != "--pending" && name != "--seed" &&
            name != "--scheduler" && name != "--format")
        {
            return UsageError("unknown option", argv[i]);
        }
        if (val == nullptr)
        {
            if (i + 1 >= argc)
            {
                return UsageError("missing value after", argv[i]);
            }
            val = argv[++i];
        }
        if (name == "--scheduler")
        {
            scheduler = val;
        }
        else if (name == "--format")
        {
            if (std::strcmp(val, "json") != 0 && std::strcmp(val, "text") != 0)
            {
                return UsageError("--format is text or json, not", val);
            }
            json = std::strcmp(val, "json") == 0;
        }
        else if (!ParseCount(val, name == "--events" ? &events : name == "--pending" ? &pending : &seed))
        {
            return UsageError("wants a number, got", val);
        }
    }
    if (events == 0 || pending == 0)
    {
        return UsageError("--events and --pending must be at least 1, got", "0");
    }
    if (scheduler.compare(0, 5, "ns3::") != 0)
    {
        scheduler = "ns3::" + scheduler;
    }
    TypeId tid;
    if (!TypeId::LookupByNameFailSafe(scheduler, &tid) &&
        TypeId::LookupByNameFailSafe(scheduler + "Scheduler", &tid))
    {
        scheduler += "Scheduler"; /* "Map" for ns3::MapScheduler */
    }
    if (!TypeId::LookupByNameFailSafe(scheduler, &tid) || !tid.IsChildOf(Scheduler::GetTypeId()))
    {
        return UsageError("no such ns-3 scheduler", scheduler.c_str());
    }

    ObjectFactory factory;
    factory.SetTypeId(tid);
    Simulator::SetScheduler(factory);

    g_rng.state = seed;
    g_left = events;
    for (uint64_t i = 0; i < pending; i++)
    {
        Simulator::Schedule(NanoSeconds((int64_t)g_rng.Below(kMillisecondNs)), &HoldEvent);
    }

    uint64_t before = Simulator::GetEventCount();
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();
    uint64_t done = Simulator::GetEventCount() - before;
    double secs = std::chrono::duration<double>(t1 - t0).count();
    double rate = secs > 0 ? (double)done / secs : 0.0;
    int64_t endNs = Simulator::Now().GetNanoSeconds();
    Simulator::Destroy();
    /* Version::ShortVersion() is a placeholder in Debian's build: name the release by number. */
    std::string version = std::to_string(Version::Major()) + "." + std::to_string(Version::Minor()) +
                          (Version::Patch() ? "." + std::to_string(Version::Patch()) : "") + " " +
                          Version::BuildProfile();

    /* Every executed event scheduled exactly one, so P are still pending. */
    if (json)
    {
        std::printf("{\"bench\": \"ns3-hold\", \"model\": \"hold\", \"scheduler\": \"%s\", "
                    "\"ns3\": \"%s\", \"pending\": %" PRIu64 ", \"events\": %" PRIu64
                    ", \"seed\": %" PRIu64 ", \"seconds\": %.6f, \"events_per_second\": %.0f"
                    ", \"simulated_ns\": %" PRId64 "}\n",
                    scheduler.c_str(), version.c_str(), pending, done, seed,
                    secs, rate, endNs);
    }
    else
    {
        std::printf("ns3-hold: hold model, %s (%s), %" PRIu64 " pending, %" PRIu64
                    " events in %.3f s: %.2f M events/s (seed %" PRIu64 ", simulated %.6f s)\n",
                    scheduler.c_str(), version.c_str(), pending, done, secs,
                    rate / 1e6, seed, (double)endNs / 1e9);
    }
    return 0;
}
