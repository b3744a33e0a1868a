#!/bin/sh
# schema.sh: `rahtisim schema` prints a JSON Schema made from the loader's own
# key tables; every lesson (and the valid samples in tests/good/) validates
# against it with Debian's python3-jsonschema (RS_TEST_PACKAGES), and a key
# the loader refuses (a misspelling) fails validation too.  Scenario files are
# JSONC: comments and trailing commas are removed first, as an editor does.
# Environment: RAHTISIM, SRCDIR.

: "${RAHTISIM:=./rahtisim}"
: "${SRCDIR:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

python3 -c 'import jsonschema' 2>/dev/null || { echo "FAIL: python3-jsonschema is not installed"; exit 1; }
"$RAHTISIM" schema >"$tmp/schema.json" || { echo "FAIL: rahtisim schema exited $?"; exit 1; }
"$RAHTISIM" schema | cmp -s - "$tmp/schema.json" || { echo "FAIL: two runs differ (R37)"; exit 1; }

cat >"$tmp/bad.json" <<'JSON'
{"name": "typo", "namespaces": [{"name": "fenic", "deployments": [{"name": "web", "replicas": 1, "labls": {"a": "b"}}]}]}
JSON

python3 - "$tmp/schema.json" "$tmp/bad.json" "$SRCDIR"/scenarios/*.json "$SRCDIR"/tests/good/*.json <<'PY'
import json, re, sys
import jsonschema

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
v = jsonschema.Draft202012Validator(schema)
fail = 0
bad = json.loads(strip_jsonc(open(sys.argv[2]).read()))
errs = list(v.iter_errors(bad))
if any('labls' in e.message for e in errs):
    print("ok: a misspelled key fails validation")
else:
    print("FAIL: a misspelled key passes: %s" % [e.message for e in errs]); fail += 1
n = 0
for f in sys.argv[3:]:
    if f.endswith('warnings.json'):
        pass
    doc = json.loads(strip_jsonc(open(f).read()))
    errs = list(v.iter_errors(doc))
    n += 1
    if errs:
        fail += 1
        print("FAIL: %s: %s at %s" % (f, errs[0].message, list(errs[0].absolute_path)))
print("%s: %d files validate against the schema" % ("ok" if fail == 0 else "FAIL", n))
sys.exit(1 if fail else 0)
PY
