#!/usr/bin/env python3
"""compare.py: the probes of a scenario against a real HAProxy, one by one.

Arguments: SCENARIO (JSON, its `expect` probes in time order), SIM_REPORT
(`rahtisim run --format json SCENARIO`: what the simulator says for each),
EXPORT (the `rahtisim export haproxy` folder: ca.pem), HTTP_PORT,
HTTPS_PORT, BIND_ADDR, TMP, PROFILE.  Each probe is sent with curl from the probe's
host address (`--interface`, 127.x), to the router's frontends
(`--connect-to`, so Host and SNI stay the route's), verifying TLS with the
export's placeholder CA, with a cookie jar for hosts that keep cookies.
Compared: the outcome, the HTTP status and the serving pod (the stub pods
answer their name), except for the declared differences below.
Prints one line per probe; exits 1 on any undeclared difference.
"""
import json, os, re, subprocess, sys, time

# Declared differences: a probe whose description carries the tag is
# compared on outcome and status only, for the profiles listed, and why.
DECLARED = {
    "[random]": (("rahti-2",), "balance random draws from HAProxy's own generator: which pod is "
                 "not comparable (rahti-1 has no `random`: the default applies there, C5, and is compared)"),
    "[pt-source]": (("rahti-2",), "the 4.x template adds `hash-type consistent` to passthrough backends: "
                    "HAProxy hashes the source onto a ring, the model uses the map-based "
                    "address mod weight of C5 for every route"),
}

def strip_jsonc(text):
    return re.sub(r"^\s*//.*$", "", text, flags=re.M)

def curl_outcome(code, status):
    """The outcome word of a curl exit code and HTTP status (R19-R31)."""
    if code == 0:
        return {200: "ok", 302: "redirect", 400: "bad-request", 502: "bad-gateway", 503: "unavailable",
                504: "gateway-timeout"}.get(status, "status-%d" % status)
    if code in (52, 56):
        return "rejected"               # closed without a response (R25)
    if code in (35, 51, 58, 59, 60, 77, 90, 91):
        return "tls-error"
    if code == 28:
        return "timeout"
    if code == 7:
        return "refused"
    return "curl-exit-%d" % code

def main():
    scen, report, export, hport, sport, bind, tmp, profile = sys.argv[1:9]
    sc = json.loads(strip_jsonc(open(scen).read()))
    rep = json.load(open(report))
    hosts = {h["name"]: h for h in sc.get("hosts", [])}
    sims = rep["expectations"]
    probes = sc["expect"]
    assert len(sims) == len(probes), "the report has %d results for %d probes" % (len(sims), len(probes))
    bad = declared = 0
    for i, (e, r) in enumerate(zip(probes, sims)):
        obs = r["observed"]
        host = hosts[e["from"]]
        jar = tmp + "jar-" + e["from"]
        cmd = ["curl", "-s", "-o", tmp + "body", "-w", "%{http_code}", "--max-time", "5",
               "--interface", host["ip"], "--cacert", os.path.join(export, "ca.pem"),
               "--connect-to", ":80:%s:%s" % (bind, hport), "--connect-to", ":443:%s:%s" % (bind, sport)]
        if host.get("cookies"):
            cmd += ["-b", jar, "-c", jar]
        cmd.append(e["to"])
        t0 = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        took = time.time() - t0
        status = int(p.stdout or "0")
        real = curl_outcome(p.returncode, status)
        body = open(tmp + "body").read().strip() if p.returncode == 0 and os.path.exists(tmp + "body") else ""
        real_pod = body if real == "ok" else None
        sim_out, sim_status, sim_pod = obs.get("outcome"), obs.get("status", 0), obs.get("pod")
        if sim_out != "ok":
            sim_pod = None
        tag = next((t for t in DECLARED if t in e.get("description", "") and profile in DECLARED[t][0]), None)
        same = real == sim_out and (status == sim_status or sim_status == 0 and real in ("rejected", "tls-error", "timeout"))
        same = same and (tag is not None or real_pod == sim_pod)
        verdict = "same" if same else ("DIFFERENT")
        if not same:
            bad += 1
        if tag:
            declared += 1
        print("%-9s #%-2d %-7s %-34s sim: %-15s %3s %-14s haproxy: %-15s %3s %-14s%s" % (
            verdict, i, e["from"], e["to"], sim_out, sim_status or "", sim_pod or "-",
            real, status or "", real_pod or "-", ("  (declared: " + tag + ")") if tag else "") + " %.2fs" % took)
        os.path.exists(tmp + "body") and os.unlink(tmp + "body")
    print("%s: %d probes: %d the same, %d different, %d compared without the pod (declared: %s)" % (
        profile, len(probes), len(probes) - bad, bad, declared,
        "; ".join(t + " " + why for t, (profs, why) in DECLARED.items() if profile in profs) or "none"))
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
