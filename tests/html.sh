#!/bin/sh
# html.sh: `rahtisim run --format html --output FILE`, checked in a real
# headless browser (Debian's chromium, RS_TEST_PACKAGES):
#  - one self-contained file: no external script, style sheet or image;
#  - chromium loads it and takes a screenshot that is not blank (a blank
#    page compresses to a few hundred bytes; ours has text and a graph);
#  - the DOM chromium built holds every expectation's summary, the topology
#    as inline SVG with Graphviz's paths, the traffic chart's paths, and,
#    with #probe-N in the address, the probe's path highlighted by the
#    page's script (class "hl" on the nodes its explanation names);
#  - a scenario whose names and descriptions carry <script> shows them as
#    text: no tag from the scenario reaches the page.
# Chromium runs with a temporary profile, loopback only (a file:// page, no
# network), bounded by `timeout` and killed by it; if it cannot start the
# test FAILS with its log.  Environment: RAHTISIM, SRCDIR.

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
S=$SRCDIR/scenarios
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

browser=$(command -v chromium || command -v chromium-browser)
[ -n "$browser" ] || { echo "FAIL: chromium is not installed (RS_TEST_PACKAGES)"; exit 1; }

# chrome ARGS...: headless chromium with its own profile, at most 90 s.
chrome() {
    timeout -k 5 90 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --no-default-browser-check --user-data-dir="$tmp/profile" \
        --window-size=1200,1600 "$@" 2>>"$tmp/chrome.log"
}

"$RAHTISIM" run "$S/13-reloads.json" "$S/20-traffic-pod-failure.json" --format html \
    --output "$tmp/report.html" >"$tmp/out" 2>"$tmp/err"; st=$?
[ "$st" -eq 0 ] && ok "run --format html exits 0" || bad "run --format html: exit $st: $(cat "$tmp/err")"
if grep -Eiq '<(script|link|img)[^>]+(src|href)=' "$tmp/report.html"; then
    bad "the page loads something from outside: $(grep -Eio '<(script|link|img)[^>]+(src|href)=[^>]*' "$tmp/report.html" | head -3)"
else
    ok "self-contained: no external script, style or image"
fi

chrome --screenshot="$tmp/shot.png" "file://$tmp/report.html" >/dev/null
size=$(wc -c <"$tmp/shot.png" 2>/dev/null || echo 0)
if [ "$size" -gt 20000 ]; then ok "chromium renders it: a screenshot of $size bytes"
else bad "the screenshot is missing or blank ($size bytes): $(tail -5 "$tmp/chrome.log")"; fi

chrome --dump-dom "file://$tmp/report.html#probe-3" >"$tmp/dom.html"
[ -s "$tmp/dom.html" ] || bad "chromium dumped no DOM: $(tail -5 "$tmp/chrome.log")"
why=""
"$RAHTISIM" run "$S/13-reloads.json" "$S/20-traffic-pod-failure.json" >"$tmp/text"
sed -n 's/^\(PASS\|FAIL\) #[0-9]* (line [0-9]*) //p' "$tmp/text" >"$tmp/summaries"
n=0
while IFS= read -r s; do
    s=$(printf '%s' "$s" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')
    grep -qF -- "$s" "$tmp/dom.html" || why="$why; missing: $s"
    n=$((n + 1))
done <"$tmp/summaries"
[ "$n" -eq 14 ] || why="$why; $n expectations in the text report, expected 14"
[ -z "$why" ] && ok "the DOM holds all $n expectations" || bad "expectations:$why"
# Graphviz's SVG: nodes with titles, edges drawn as paths.
grep -q '<svg' "$tmp/dom.html" && grep -q 'class="node' "$tmp/dom.html" && grep -q '<path' "$tmp/dom.html" &&
    grep -q '<title>route:fenic/old</title>' "$tmp/dom.html" &&
    ok "the topology is inline SVG with its paths" || bad "no inline topology SVG with paths"
grep -q 'class="series"' "$tmp/dom.html" && ok "the traffic chart is inline SVG" || bad "no traffic chart"
# #probe-3 is lesson 13's probe of busy-fenic at 23 s: laptop, the VIP and the
# replica the VIP handed it to (its own random stream, R30, C10): the one the
# JSON report names, and not the other.
rep=$("$RAHTISIM" run "$S/13-reloads.json" --format json | tr -d '\n' |
      grep -o 'the VIP hands the connection to router-[0-9]*' | sed -n '4s/.* //p')
case $rep in router-0) other=router-1 ;; router-1) other=router-0 ;; *) other=none ;; esac
tr -d '\n' <"$tmp/dom.html" >"$tmp/dom1"
if [ "$other" != none ] &&
   grep -Eq 'class="node hl"[^>]*>\s*<title>host:laptop</title>' "$tmp/dom1" &&
   grep -Eq "class=\"node hl\"[^>]*>\\s*<title>router:$rep</title>" "$tmp/dom1" &&
   ! grep -Eq "class=\"node hl\"[^>]*>\\s*<title>router:$other</title>" "$tmp/dom1"; then
    ok "clicking a probe highlights its path (#probe-3, through $rep)"
else
    bad "#probe-3 highlights the wrong nodes (the report says '$rep'): $(grep -Eo 'class="node hl"[^>]*>\s*<title>[^<]*' "$tmp/dom1" | head -5)"
fi

# Without Graphviz on the PATH: the fallback layout, same node titles.
PATH=/nonexistent "$RAHTISIM" run "$S/13-reloads.json" --format html --output "$tmp/plain.html" >/dev/null 2>&1
grep -q '<title>route:fenic/old</title>' "$tmp/plain.html" && grep -q '<rect' "$tmp/plain.html" &&
    ok "without graphviz: the fallback layout" || bad "no fallback layout without graphviz"

# Names with <script> are shown as text.
cat >"$tmp/evil.json" <<'JSON'
{
  "name": "<script>alert(1)</script>",
  "description": "<script>alert(2)</script> & <img src=x onerror=alert(3)>",
  "namespaces": [{"name": "fenic", "pods": [{"name": "debug", "labels": {"app": "d"}}]}],
  "expect": [{"at": "3s", "from": "fenic/debug", "to": "http://x<script>/", "outcome": "nxdomain",
              "description": "</pre><script>alert(4)</script>"}]
}
JSON
"$RAHTISIM" run "$tmp/evil.json" --format html --output "$tmp/evil.html" >/dev/null 2>"$tmp/err"; st=$?
if [ "$st" -eq 2 ]; then
    ok "a <script> in a URL is refused at load (exit 2)"
    sed -i 's|http://x<script>/|http://x/|' "$tmp/evil.json"
    "$RAHTISIM" run "$tmp/evil.json" --format html --output "$tmp/evil.html" >/dev/null 2>"$tmp/err"; st=$?
fi
n=$(grep -o '<script' "$tmp/evil.html" | wc -l)
if [ "$st" -le 1 ] && [ "$n" -eq 1 ] && grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/evil.html" &&
   ! grep -q '<img' "$tmp/evil.html"; then
    ok "names with <script> are shown as text"
else
    bad "unescaped scenario text (exit $st, $n <script> tags): $(grep -n '<script\|<img' "$tmp/evil.html" | head -3)"
fi

echo "html: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
