#!/bin/sh
# schema.sh: `rahtisim schema` prints a JSON Schema made from the loader's own
# key tables and typed readers (issue 16.7); with Debian's python3-jsonschema
# (RS_TEST_PACKAGES; missing it FAILS): every lesson, every tests/good and
# tests/scenarios file is valid, and every tests/bad file whose error is one
# of type, range, enum word or unit (its .expect says so) is invalid, as is
# a misspelt key.  Scenario files are JSONC: comments and trailing commas are
# removed first, as an editor does.
# Environment: RAHTISIM, SRCDIR.

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

command -v python3 >/dev/null 2>&1 || { echo "FAIL: python3 is not installed (RS_TEST_PACKAGES)"; exit 1; }
"$RAHTISIM" schema >"$tmp/schema.json" || { echo "FAIL: rahtisim schema exited $?"; exit 1; }
"$RAHTISIM" schema | cmp -s - "$tmp/schema.json" || { echo "FAIL: two runs differ (R37)"; exit 1; }

cat >"$tmp/bad.json" <<'JSON'
{"name": "typo", "namespaces": [{"name": "fenic", "deployments": [{"name": "web", "replicas": 1, "labls": {"a": "b"}}]}]}
JSON

python3 - "$tmp/schema.json" "$tmp/bad.json" "$SRCDIR" <<'PY'
import glob, json, os, re, sys
try:
    import jsonschema
except ImportError:
    print("FAIL: python3-jsonschema is not installed (RS_TEST_PACKAGES)")
    sys.exit(1)

def strip_jsonc(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1]); i = j + 1
        elif text.startswith('//', i):
            while i < n and text[i] != '\n': i += 1
        elif text.startswith('/*', i):
            i = text.index('*/', i) + 2
        else:
            out.append(c); i += 1
    return re.sub(r',(\s*[}\]])', r'\1', ''.join(out))

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
lib = jsonschema.Draft202012Validator(schema)
src = sys.argv[3]
def errs(path):
    doc = json.loads(strip_jsonc(open(path, encoding="utf-8").read()))
    return [e.message for e in lib.iter_errors(doc)]

fail = 0
e = errs(sys.argv[2])
if e and all('labls' in m for m in e):
    print("ok: a misspelled key fails validation")
else:
    print("FAIL: a misspelled key: %s" % e); fail += 1

# every valid scenario: lessons, tests/good, tests/scenarios
good = sorted(glob.glob(src + "/scenarios/*.json") + glob.glob(src + "/tests/good/*.json")
              + glob.glob(src + "/tests/scenarios/*.json"))
for f in good:
    e = errs(f)
    if e:
        fail += 1
        print("FAIL: %s is valid but the schema says: %s" % (f, e[0][:300]))
print("%s: %d valid files validate against the schema" % ("ok" if fail == 0 else "FAIL", len(good)))

# tests/bad files with a type, range, enum or unit error: the schema refuses them too
TYPE_ERR = re.compile(r"expected (a |an |one of |true or false|a non-negative)|found a |out of range|"
                      r"invalid duration|has no unit|is negative|invalid IPv4|invalid CIDR|prefix length|"
                      r"unknown outcome|unknown state|unknown protocol|unknown policy type|unknown key|"
                      r"invalid rate|IPv6 (address|network)|unknown platform profile|finer than a nanosecond")
# errors of that wording the schema cannot see (a value, not a type or unit):
NOT_SCHEMA = {
    "syntax-bad-literal", "syntax-deep",   # not JSON at all
    "matrix-outcome-count",                # the count of cells, not their type
    "control-char-key",                    # an unknown key the JSONC reader refuses first
    "target-port-bad",                     # a port name: any string is a name to JSON Schema
    "duration-sub-ns",                     # a precision (whole nanoseconds per unit), not a pattern
    "ipv6-url",                            # what a URL holds: the loader parses URLs
    "lifecycle-pre-stop-bad", "lifecycle-set-unknown", "lifecycle-strategy-bare-pod",
    "expect-kind-typo", "unknown-key-top", "unknown-key-suggest",   # checked below, not skipped
}
bad, n_bad = [], 0
for exp in sorted(glob.glob(src + "/tests/bad/*.expect")):
    name = os.path.basename(exp)[:-7]
    f = exp[:-7] + ".json"
    if not os.path.exists(f):
        continue
    lines = open(exp, encoding="utf-8").read().split("\n")
    if len(lines) < 2 or not TYPE_ERR.search(lines[1]):
        continue
    if name in NOT_SCHEMA and not re.search(r"unknown key", lines[1]):
        continue
    try:
        e = errs(f)
    except (ValueError, UnicodeDecodeError):
        continue                            # not JSON: the parser's error, not the schema's
    n_bad += 1
    if not e:
        fail += 1
        bad.append(name)
        print("FAIL: tests/bad/%s.json (%s) passes the schema" % (name, lines[1][:100]))
print("%s: %d bad files with a type or unit error fail validation" % ("ok" if not bad else "FAIL", n_bad))
if n_bad < 30:
    print("FAIL: only %d bad files with a type or unit error (expected at least 30)" % n_bad); fail += 1
sys.exit(1 if fail else 0)
PY
