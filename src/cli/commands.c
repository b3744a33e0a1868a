/* commands.c: the command table and the program's entry point.
 *
 * Like tmux's cmd_entry list, every command is a row: the usage line, the
 * summary, the long help and the function come from here, so `--help`,
 * `help CMD`, prefix matching ("ch" runs check), "ambiguous command" and
 * "did you mean" answers cannot drift from what exists.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "rahtisim/cli.h"
#include "rahtisim/cleanup.h"
#include "rahtisim/util.h"
#include "cli/teach-cli.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

const RsCmdEntry rs_cmd_table[] = {
    {"run", "[SCENARIO...] [--seed N] [--format text|json|tap|junit] [--output FILE] [--plot DIR]\n"
            "            [--trace] [--quiet] [--quiz]",
     "simulate scenarios and check their expectations",
     "Simulates each SCENARIO (with none, the built-in scenario: the Rahti networking page's\n"
     "`fenic` namespace) and checks its expectations.\n"
     "\n"
     "  --seed N         override the scenario's seed\n"
     "  --format F       text (default), json (scenario-format.md, \"JSON report\"),\n"
     "                   tap (TAP 13) or junit (JUnit XML): one test per expectation\n"
     "  --output FILE    write the report to FILE (atomically) instead of stdout\n"
     "  --plot DIR       write each traffic source's data (CSV), gnuplot scripts and,\n"
     "                   when gnuplot is installed, PNG and SVG plots into DIR\n"
     "  --trace          also print the event log (what happened, when, and the rule)\n"
     "  --quiet          print only failures and the summary\n"
     "  --quiz           one SCENARIO: predict each probe's outcome, then see it explained;\n"
     "                   answers (outcome words or letters) are read from standard input\n"
     "  --max-objects N, --max-events N, --max-duration T   raise the safety limits\n"
     "  --max-memory SIZE   the memory budget (default 2G): refused at load when the\n"
     "                  scenario certainly needs more, stopped (exit 2) when a run crosses it\n"
     "\n"
     "Exit status: 0 every expectation held, 1 an expectation failed, 2 bad input or usage.",
     rs_cmd_run},
    {"check", "SCENARIO... [--strict]",
     "validate scenarios without simulating; print warnings",
     "Loads and validates each SCENARIO and prints warnings about what Rahti users\n"
     "commonly get wrong: privileged pod ports (R4), selectors that match nothing,\n"
     "target ports no selected pod listens on (R11), malformed whitelists (R25),\n"
     "host conflicts between routes (R22), probes and traffic calling another namespace's\n"
     "service (R12).  SCENARIO may also be manifests (a .yaml/.yml file or a folder).\n"
     "\n"
     "  --strict         warnings fail the check (exit 1)\n"
     "\n"
     "Exit status: 0 all valid, 1 warnings with --strict, 2 bad input or usage.",
     rs_cmd_check},
    {"import", "MANIFEST... [--output FILE] [--namespace NS] [--platform P] [--name NAME] [--max-*]",
     "Kubernetes/OpenShift manifests to a scenario",
     "Reads Kubernetes and OpenShift manifests and writes the scenario they describe\n"
     "(JSON, scenario-format.md), to extend with events, traffic and expectations.\n"
     "MANIFEST is a YAML (multi-document) or JSON file, a folder (read recursively, like\n"
     "`kubectl apply -f DIR`: *.yaml, *.yml, *.json), an `oc get ... -o yaml` List, or `-`\n"
     "for stdin.  Kinds: Namespace, Project, Pod, Deployment, DeploymentConfig, ReplicaSet,\n"
     "StatefulSet, ReplicationController, Service, Route, NetworkPolicy.  Kinds and fields\n"
     "the simulator does not model are listed once each on stderr and in the output's\n"
     "\"import_notes\"; objects a listed controller owns are skipped.\n"
     "\n"
     "  --output FILE    write the scenario to FILE (atomically) instead of stdout\n"
     "  --namespace NS   the namespace of objects without one (default: `default`, with\n"
     "                   a warning)\n"
     "  --platform P     rahti-1 (default) or rahti-2: the scenario's platform; what it\n"
     "                   cannot have is noted (LoadBalancer services are rahti-2 only, R48)\n"
     "  --name NAME      the scenario's name (default: the first MANIFEST's base name)\n"
     "\n"
     "Every other command also takes manifests where it takes a SCENARIO (a .yaml/.yml\n"
     "file or a folder), and a scenario can start from manifests: \"manifests\": [\"k8s/\"].\n"
     "Errors read `rahtisim: FILE:LINE:COL: PATH: message` with the manifest's path.\n"
     "\n"
     "Exit status: 0 written, 2 bad input (bad YAML, an unknown apiVersion/kind pair, the\n"
     "same object twice, alias bombs, not UTF-8, files over 64 MiB) or usage.",
     rs_cmd_import},
    {"diff", "OLD NEW [--at T] [--format text|md|json|junit] [--focus NS[/NAME]] [--full] [--output FILE]",
     "what a change opens or breaks: connectivity and exposure",
     "Compares two scenarios or manifest sets (files, folders; `-` reads one side from\n"
     "stdin: `git show main:k8s/app.yaml | rahtisim diff - k8s/app.yaml`) at time T:\n"
     "  - reachability: the matrix of both sides (every pod and host against every\n"
     "    service port, pod port, route and host port, each cell a real request),\n"
     "    cell by cell: opened, broken, changed, added, removed, with the rule that\n"
     "    decided each side;\n"
     "  - exposure: routes added and removed, host, TLS termination and insecure policy\n"
     "    (R22-R24), IP whitelists widened, narrowed, dropped or opened by a malformed\n"
     "    entry (R25), egress addresses (R32, R33).\n"
     "Only the cells a change can reach are simulated (the namespaces that changed,\n"
     "and those sharing route hosts or network policies with them).\n"
     "\n"
     "  --at T          when (default: after start-up on both sides, as for explain)\n"
     "  --format F      text (default), md (a table for a pull request comment), json,\n"
     "                  junit (one failed test case per change)\n"
     "  --focus NS[/NAME]  only changes whose requester or destination is NS or NS/NAME\n"
     "  --full          simulate every cell of both matrices\n"
     "  --output FILE   write the report to FILE (atomically)\n"
     "  --max-events N, --max-duration T   the safety limits, as for explain\n"
     "\n"
     "Exit status: 0 no change, 1 changes, 2 bad input or usage.",
     rs_cmd_diff},
    {"explain", RS_USAGE_EXPLAIN,
     "one request, hop by hop, with the rule behind each decision",
     "Simulates SCENARIO up to time T, sends one request from X to URL, and prints\n"
     "every hop it took: each DNS query, the address chosen, the namespace check, the\n"
     "service and endpoint choice, the router's decisions, the egress address and the\n"
     "answer; each with the part of the platform it happened in, its rule (R...) and\n"
     "one sentence.  Then the outcome and the titles of the rules cited.\n"
     "\n"
     "  --from X        a pod or deployment (NAMESPACE/NAME; a deployment sends from one\n"
     "                  of its ready pods) or a host of the scenario\n"
     "  --to URL        http://NAME[:PORT][/PATH], https://..., tcp://NAME:PORT; NAME is\n"
     "                  a DNS name, an IPv4 address or @NAMESPACE/POD\n"
     "  --at T          when to send it (default: a second after the first pods are ready\n"
     "                  and the data plane and router know them: the largest startup +\n"
     "                  endpoint_delay (with routes: reload_interval) + 1s; 4s with the\n"
     "                  defaults, 8s with routes); scenario events at T have happened\n"
     "  --seed N        override the scenario's seed\n"
     "  --color WHEN    auto (default: on a terminal, unless NO_COLOR is set), always, never\n"
     "  --max-events N, --max-duration T   the safety limits, as for run: --at beyond\n"
     "                  --max-duration is an error, and so is a simulation up to T that\n"
     "                  would take more than --max-events engine events\n"     "\n"
     "Only this request is sent: the scenario's expectations are not run, so round-robin\n"
     "positions and affinity (R13) are as if no probe had gone before.\n"
     "Exit status: 0 when the request was simulated, whatever its outcome; 2 bad input\n"
     "or usage.",
     rs_cmd_explain},
    {"dig", RS_USAGE_DIG,
     "a DNS lookup, query by query",
     "Simulates SCENARIO up to time T and shows the resolver's walk for NAME as X's\n"
     "resolver makes it, like `dig +search`: X's resolv.conf (search list, ndots:5),\n"
     "each query with its status, why it got that answer and the rule (R16, R17, R18),\n"
     "the answer section with any CNAME chain, the candidates never tried, and the\n"
     "final answer.  From a host: public DNS only, the name as written.\n"
     "\n"
     "  --from X        a pod or deployment (NAMESPACE/NAME) or a host of the scenario\n"
     "  --at T          when to ask (default as for explain); --seed N, --color WHEN,\n"
     "                  --max-events N, --max-duration T as for explain\n"
     "\n"
     "Exit status: 0 when the lookup was made, resolved or not; 2 bad input or usage.",
     rs_cmd_dig},
    {"matrix", RS_USAGE_MATRIX,
     "who can reach whom",
     "Prints who can reach whom at time T: rows are the pods alive at T (namespace by\n"
     "namespace) and the scenario's hosts; columns are every service port (by the name\n"
     "SERVICE.NAMESPACE), every pod port (@NAMESPACE/POD), every route (by its host) and\n"
     "every host port.  Each cell is one real request through the pipeline, all sent at\n"
     "T in one simulation, each isolated so that no cell disturbs another (as if it were\n"
     "the only request); it shows the outcome's letter:\n"
     "\n"
     "  .  ok   >  redirect   N  nxdomain   T  timeout   R  refused   U  unavailable\n"
     "  W  rejected   S  tls-error   B  bad-request   G  gateway-timeout\n"
     "  ?  not simulated by this version\n"
     "\n"
     "  --at T          when (default as for explain)\n"
     "  --port N        only port N (R44): service and host ports N, every live pod on N\n"
     "                  (T: a network policy or wall drops it; R: through, nothing listens)\n"
     "  --format F      text (default: a numbered list of destinations, the table and the\n"
     "                  legend), csv (outcome words) or json\n"
     "  --seed N, --color WHEN as for explain\n"
     "  --max-events N, --max-duration T   as for explain; the world is simulated up to T\n"
     "                  once (again per 8192 cells) and every cell's request runs in it;\n"
     "                  --max-events bounds all of that together\n"
     "\n"
     "Exit status: 0 when the matrix was computed; 2 bad input or usage.",
     rs_cmd_matrix},
    {"topology", RS_USAGE_TOPOLOGY,
     "namespaces, pods, services, routes and their addresses",
     "Prints the cluster at time T: the networks, the router VIP and the egress\n"
     "address; per namespace its egress address, deployments and pods with their IPs,\n"
     "states and ports, services with their ClusterIPs, port mappings and the endpoints\n"
     "the data plane has (R15), and routes with their hosts; then the hosts outside.\n"
     "\n"
     "  --format F      text (default: a tree) or dot (Graphviz: `| dot -Tsvg > t.svg`)\n"
     "  --at T          when (default as for explain); --seed N as for run;\n"
     "                  --max-events N, --max-duration T as for explain\n"
     "\n"
     "Exit status: 0, or 2 for bad input or usage.",
     rs_cmd_topology},
    {"export", RS_USAGE_EXPORT,
     "the haproxy.cfg and map files the router would run",
     "Simulates SCENARIO up to time T and writes into DIR the configuration router\n"
     "replica N (default 0) has loaded then (R28), as the OpenShift router template of the\n"
     "profile's generation renders it (rahti-1: OKD 3.11, HAProxy 1.8; rahti-2: OKD 4.x):\n"
     "haproxy.cfg, os_http_be.map, os_edge_reencrypt_be.map, os_sni_passthrough.map,\n"
     "os_tcp_be.map, os_route_http_redirect.map, cert_config.map, whitelist files for\n"
     "lists over 61 entries (router/whitelists/), placeholder certificates made with\n"
     "openssl (ca.pem, default_pub_keys.pem, router/certs/, pods/) and pods.tsv (the\n"
     "pods a laptop run needs: address, port, certificate, behaviour).\n"
     "\n"
     "  --at T           when (default as for explain)\n"
     "  --replica N      which router replica's configuration (R30)\n"
     "  --bind A[:H[:S]] the frontends' address and ports (default: the VIP, 80 and 443)\n"
     "  --map-pods CIDR  move pod addresses into CIDR (10.128.0.7 -> 127.1.0.7 with\n"
     "                   127.1.0.0/16), so the configuration runs on a laptop\n"
     "  --output DIR     written atomically: a new folder renamed into place; an earlier\n"
     "                   export there is replaced, any other existing folder refused\n"
     "\n"
     "Run it: haproxy -f DIR/haproxy.cfg (docs/fidelity.md).\n"
     "Exit status: 0 written, 2 bad input or usage (nothing written).",
     rs_cmd_export},
    {"bench", "engine|requests [OPTIONS]",
     "measure the simulator's speed",
     "  bench engine [--events N] [--pending P] [--seed S] [--format text|json]\n"
     "      the hold model: P events pending, each executed event schedules one\n"
     "      more at now + U(0, 1 ms); prints events executed per second.\n"
     "      --events N    events to execute (default 10000000; 1e7 is accepted)\n"
     "      --pending P   queue size held during the run (default 10000)\n"
     "\n"
     "  bench requests [--pods P] [--services S] [--sources T] [--requests R] [--rate N]\n"
     "                 [--route] [--seed S] [--format text|json]\n"
     "      the whole request pipeline under traffic: P pods in S deployments, each\n"
     "      behind its own service, T traffic sources from a client deployment by DNS\n"
     "      name (Poisson arrivals); the cluster is brought to readiness first (not\n"
     "      timed), then the run from the first request to the last answer is timed;\n"
     "      prints requests per second and the cost per request.\n"
     "      --pods P      pods in all (default 1000)\n"
     "      --services S  services, one deployment each (default 10)\n"
     "      --sources T   traffic sources, to T services spread evenly (default S)\n"
     "      --requests R  requests to send in all (default 1000000; 1e6 is accepted)\n"
     "      --rate N      requests per simulated second, all sources (default 20000)\n"
     "      --route       each service behind a route; the sources send to the routes'\n"
     "                    hosts through the router (--services 1: one route, P servers)\n"
     "\n"
     "  --seed S        master seed (default 1)\n"
     "  --format F      text (default) or json (one JSON object per run)\n"
     "\n"
     "Exit status: 0, or 2 for bad usage.  docs/performance.md has the results.",
     rs_cmd_bench},
    {"sweep", "SCENARIO --param KEY=V1,V2... [--param ...] --seeds N --output DIR\n"
              "            [--jobs J] [--shard I/N] [--resume] [--force] [--plot [--metric M...]]\n"
              "            [--slurm [--shards N] [--sbatch OPTION...]] [--quiet] [--max-*]",
     "run a scenario over a grid of parameters and seeds",
     "Runs SCENARIO at every point of the grid (the cross product of the --param\n"
     "value lists, the first varying slowest) with seeds 1..N, and writes into DIR:\n"
     "runs/ (each run's JSON report), results.csv (one row per run: parameters, seed,\n"
     "every expectation's pass/fail and observed values, traffic errors, outcome\n"
     "shares and latency percentiles), summary.csv (per point: pass rate, mean and\n"
     "Student's t 95% confidence interval of every numeric column) and sweep.json.\n"
     "The files do not depend on --jobs or on sharding (docs/sweeps.md).\n"
     "\n"
     "  --param KEY=V1,V2  KEY is a JSON path into the scenario (platform.endpoint_delay,\n"
     "                   namespaces[0].deployments[0].replicas, events[1].at) or a\n"
     "                   profile field (endpoint_delay); values are JSON when they\n"
     "                   parse as JSON (3, true, [1,2]), else strings (1s)\n"
     "  --seeds N        seeds 1..N at every point\n"
     "  --output DIR     the sweep folder (new or empty, or this sweep's with --resume)\n"
     "  --jobs J         J worker processes (default: the number of cores)\n"
     "  --shard I/N      run only the points p with p % N == I (0 <= I < N);\n"
     "                   `rahtisim merge` combines the shard folders\n"
     "  --resume         finish an interrupted sweep: keep the runs DIR has\n"
     "  --force          allow more than 100000 runs\n"
     "  --plot           DIR/plots/: pass rate and metrics against the first parameter,\n"
     "                   with 95% error bars (gnuplot); --metric M picks a column of\n"
     "                   results.csv (default: each traffic source's errors and p99)\n"
     "  --slurm          write DIR/sweep.sbatch (an array job over --shards N shards, then\n"
     "                   a dependent merge job) and print how to submit it; nothing runs;\n"
     "                   --sbatch OPTION adds an #SBATCH line (--sbatch=--account=...)\n"
     "  --max-objects N, --max-events N, --max-duration T, --max-memory SIZE   the safety\n"
     "                  limits, as for run\n"
     "\n"
     "Exit status: 0 every run was simulated (whatever its expectations said: that is\n"
     "in the tables), 2 bad input or usage, or a run that could not be simulated.",
     rs_cmd_sweep},
    {"merge", "DIR... --output DIR [--quiet]",
     "combine the shard folders of a sweep into one",
     "Checks that the folders are the shards of one sweep (the same hash in their\n"
     "sweep.json), each once, none missing, every run finished, then writes into the\n"
     "output folder the runs, results.csv and summary.csv a single-machine sweep\n"
     "writes, byte for byte.\n"
     "\n"
     "Exit status: 0 merged, 2 bad input or usage.",
     rs_cmd_merge},
    {"schema", "", "the JSON Schema of the scenario format",
     "Prints a JSON Schema (draft 2020-12) of scenario files, made from the key\n"
     "tables the loader itself checks (so it cannot drift from it): every object's\n"
     "allowed keys, unknown keys refused.  Editors use it to complete and check\n"
     "scenario files: docs/scenario-format.md shows VS Code's json.schemas setting.\n"
     "The loader's value rules (units, addresses, references) stay the loader's:\n"
     "rahtisim check is the full validation.\n"
     "\n"
     "Exit status: 0, or 2 for usage.",
     rs_cmd_schema},
    {"help", "[COMMAND]", "show help for rahtisim or one command", NULL, cmd_help},
    {"version", "", "print the version", NULL, cmd_version},
    {NULL, NULL, NULL, NULL, NULL},
};

/* Finds a command by exact name or unique prefix (see cli.h). */
RsLookup
rs_cli_lookup(const char *name, const RsCmdEntry **out, char **hint)
{
    return rs_cli_lookup_in(rs_cmd_table, name, out, hint);
}

/* Finds a command in `table` by exact name or unique prefix. */
RsLookup
rs_cli_lookup_in(const RsCmdEntry *table, const char *name, const RsCmdEntry **out, char **hint)
{
    const RsCmdEntry *found = NULL;
    g_autoptr(GString) matches = g_string_new(NULL);
    unsigned n_matches = 0;
    size_t len = strlen(name);

    *out = NULL;
    if (hint != NULL)
        *hint = NULL;
    for (const RsCmdEntry *e = table; e->name != NULL; e++) {
        if (strcmp(e->name, name) == 0) {
            *out = e;
            return RS_LOOKUP_FOUND;
        }
        if (len > 0 && strncmp(e->name, name, len) == 0) {
            found = e;
            g_string_append_printf(matches, "%s%s", n_matches ? ", " : "", e->name);
            n_matches++;
        }
    }
    if (n_matches == 1) {
        *out = found;
        return RS_LOOKUP_FOUND;
    }
    if (n_matches > 1) {
        if (hint != NULL)
            *hint = g_string_free(g_steal_pointer(&matches), FALSE);
        return RS_LOOKUP_AMBIGUOUS;
    }
    if (hint != NULL) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();
        for (const RsCmdEntry *e = table; e->name != NULL; e++)
            g_ptr_array_add(names, (gpointer)e->name);
        const char *close = rs_closest(name, (const char *const *)names->pdata, names->len);
        *hint = close ? g_strdup(close) : NULL;
    }
    return RS_LOOKUP_UNKNOWN;
}

/* Prints the program's overview: every command with its summary. */
static void
print_overview(FILE *f)
{
    fprintf(f, "rahtisim %s: a discrete-event simulator of Rahti (OpenShift) networking\n\n",
            PACKAGE_VERSION);
    fputs("Usage: rahtisim COMMAND [ARGS...]\n\nCommands:\n", f);
    for (const RsCmdEntry *e = rs_cmd_table; e->name != NULL; e++)
        fprintf(f, "  %-9s %s\n", e->name, e->summary);
    fputs("\nRun 'rahtisim help COMMAND' for a command's options.\n"
          "Exit status: 0 every expectation held, 1 an expectation failed, 2 bad input or usage.\n",
          f);
}

/* Prints one command's usage and long help. */
static void
print_command_help(FILE *f, const RsCmdEntry *e)
{
    fprintf(f, "Usage: rahtisim %s%s%s\n\n%s.\n", e->name, e->usage[0] ? " " : "", e->usage,
            e->summary);
    if (e->help != NULL)
        fprintf(f, "\n%s\n", e->help);
}

/* Answers a command name that is not in the table; returns the exit status. */
static int
unknown_command(const char *name, RsLookup how, const char *hint)
{
    if (how == RS_LOOKUP_AMBIGUOUS)
        return rs_cli_usage_error("ambiguous command '%s': could be %s", name, hint);
    if (hint != NULL)
        return rs_cli_usage_error("unknown command '%s'; did you mean '%s'? (rahtisim --help lists them)",
                                  name, hint);
    return rs_cli_usage_error("unknown command '%s' (rahtisim --help lists the commands)", name);
}

/* `rahtisim help [COMMAND]`. */
static int
cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stdout);
        return RS_EXIT_OK;
    }
    if (argc > 2)
        return rs_cli_usage_error("help takes one command name");
    const RsCmdEntry *e;
    g_autofree char *hint = NULL;
    RsLookup how = rs_cli_lookup(argv[1], &e, &hint);
    if (how != RS_LOOKUP_FOUND)
        return unknown_command(argv[1], how, hint);
    print_command_help(stdout, e);
    return RS_EXIT_OK;
}

/* `rahtisim version`. */
static int
cmd_version(int argc, char **argv)
{
    if (argc > 1)
        return rs_cli_usage_error("version takes no arguments");
    printf("rahtisim %s\n", PACKAGE_VERSION);
    return RS_EXIT_OK;
}

/* Parses global options, finds the command and runs it. */
static int
dispatch(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return RS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        return cmd_help(1, argv + 1);
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        return cmd_version(1, argv + 1);
    if (name[0] == '-')
        return rs_cli_usage_error("unknown option '%s' (rahtisim --help lists the commands)", name);

    const RsCmdEntry *e;
    g_autofree char *hint = NULL;
    RsLookup how = rs_cli_lookup(name, &e, &hint);
    if (how != RS_LOOKUP_FOUND)
        return unknown_command(name, how, hint);

    /* `rahtisim CMD --help` is the same as `rahtisim help CMD`. */
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_command_help(stdout, e);
            return RS_EXIT_OK;
        }
    }
    argv[1] = (char *)e->name;  /* commands see their full name, even when prefixed */
    return e->exec(argc - 1, argv + 1);
}

/* Runs one command line; see cli.h.  Signals clean up after the command
 * (src/util/cleanup.c), and whatever a command printed on stdout is checked
 * at the end: a write error (a full disk, /dev/full, a closed pipe) is exit
 * 2 with a message, never a silent 0. */
int
rs_cli_main(int argc, char **argv)
{
    rs_cleanup_install();
    int status = dispatch(argc, argv);
    errno = 0;
    bool flushed = fflush(stdout) == 0;
    int saved = errno;
    if (!flushed || ferror(stdout)) {
        rs_cli_usage_error("cannot write to standard output: %s",
                           saved != 0 ? g_strerror(saved) : "write error");
        clearerr(stdout);
        return RS_EXIT_USAGE;
    }
    return status;
}
