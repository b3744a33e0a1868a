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

command -v python3 >/dev/null 2>&1 || { echo "FAIL: python3 is not installed (RS_TEST_PACKAGES)"; exit 1; }
"$RAHTISIM" schema >"$tmp/schema.json" || { echo "FAIL: rahtisim schema exited $?"; exit 1; }
"$RAHTISIM" schema | cmp -s - "$tmp/schema.json" || { echo "FAIL: two runs differ (R37)"; exit 1; }

cat >"$tmp/bad.json" <<'JSON'
{"name": "typo", "namespaces": [{"name": "fenic", "deployments": [{"name": "web", "replicas": 1, "labls": {"a": "b"}}]}]}
JSON

python3 - "$tmp/schema.json" "$tmp/bad.json" "$SRCDIR"/scenarios/*.json "$SRCDIR"/tests/good/*.json <<'PY'
import json, re, sys
try:
    import jsonschema
except ImportError:
    jsonschema = None

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}

def errors(schema, v, path):
    """The keywords rahtisim schema writes: type, properties,
    additionalProperties, items, anyOf."""
    if "anyOf" in schema:
        alts = [errors(a, v, path) for a in schema["anyOf"]]
        return [] if any(not a for a in alts) else min(alts, key=len)
    t = schema.get("type")
    if t is not None:
        ts = t if isinstance(t, list) else [t]
        ok = any((x == "number" and isinstance(v, (int, float)) and not isinstance(v, bool))
                 or (x in TYPES and isinstance(v, TYPES[x])) for x in ts)
        if not ok:
            return ["%s: %r is not of type %s" % (path, v, t)]
    out = []
    if isinstance(v, dict):
        props = schema.get("properties", {})
        for k, x in v.items():
            if k in props:
                out += errors(props[k], x, path + "." + k)
            elif schema.get("additionalProperties") is False:
                out.append("%s: unknown key %r" % (path, k))
    if isinstance(v, list) and "items" in schema:
        for i, x in enumerate(v):
            out += errors(schema["items"], x, "%s[%d]" % (path, i))
    return out

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
lib = None
if jsonschema is not None:
    jsonschema.Draft202012Validator.check_schema(schema)
    lib = jsonschema.Draft202012Validator(schema)
def check(doc):
    errs = errors(schema, doc, "$")
    if lib is not None:
        errs += [e.message for e in lib.iter_errors(doc)]
    return errs
fail = 0
bad = json.loads(strip_jsonc(open(sys.argv[2]).read()))
errs = check(bad)
if errs and all('labls' in e for e in errs):
    print("ok: a misspelled key fails validation")
else:
    print("FAIL: a misspelled key: %s" % errs); fail += 1
n = 0
for f in sys.argv[3:]:
    doc = json.loads(strip_jsonc(open(f).read()))
    errs = check(doc)
    n += 1
    if errs:
        fail += 1
        print("FAIL: %s: %s" % (f, errs[0]))
print("%s: %d files validate against the schema" % ("ok" if fail == 0 else "FAIL", n))
sys.exit(1 if fail else 0)
PY
