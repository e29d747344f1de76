#!/usr/bin/env bash
# Run every bench script against the test rig and write bench/results/<YYYY-MM-DD>.json
# (one object: {date, diagnosis, startup, exporter}, each the JSON line its script printed).
# Needs the rig up (`bash test/rig/up.sh`) and a build (`npm run build`); enters the rig's netns itself.
# RUNS (diagnosis runs, default 7) and REQUESTS (exporter requests per series, default 20) change the defaults.
#
#   bash bench/run-all.sh            # or: RUNS=3 REQUESTS=10 bash bench/run-all.sh
set -uo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIG_JSON=${MATRIX_DOCTOR_RIG:-$BENCH/../.rig/rig.json}
[ -s "$RIG_JSON" ] || { echo "bench: no rig.json at $RIG_JSON: run \`bash test/rig/up.sh\`" >&2; exit 2; }
NS=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).netns ?? "mdtest")' "$RIG_JSON")
NSFILE=/run/netns/$NS
[ -e "$NSFILE" ] || { echo "bench: no network namespace $NSFILE: run \`bash test/rig/up.sh\`" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing: apt-get install -y --no-install-recommends time" >&2; exit 2; }

# Already inside the namespace (same inode)? Then run directly, else through nsenter.
if [ "$(stat -L -c %i /proc/self/ns/net)" = "$(stat -L -c %i "$NSFILE")" ]; then IN_NS=(); else IN_NS=(nsenter "--net=$NSFILE" --); fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
status=0
run() { # name, args...
  local name=$1; shift
  echo "== $name" >&2
  MATRIX_DOCTOR_RIG=$RIG_JSON "${IN_NS[@]}" node "$BENCH/$name.mjs" "$@" | tee "$OUT/$name.out"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || { echo "bench: $name exited $rc" >&2; status=1; }
  tail -n1 "$OUT/$name.out" >"$OUT/$name.json"
}
run diagnosis --runs "${RUNS:-7}"
run startup
run exporter --requests "${REQUESTS:-20}"

mkdir -p "$BENCH/results"
RESULT=$BENCH/results/$(date -u +%F).json
node -e '
const fs = require("fs");
const [out, dest] = process.argv.slice(1);
const doc = { date: new Date().toISOString() };
for (const n of ["diagnosis", "startup", "exporter"]) {
  try { doc[n] = JSON.parse(fs.readFileSync(`${out}/${n}.json`, "utf8")); } catch { doc[n] = { valid: false, error: "no JSON line" }; }
}
// One line per section: small, and diffs between recorded runs stay readable.
fs.writeFileSync(dest, "{\n" + Object.entries(doc).map(([k, v]) => ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n") + "\n}\n");
' "$OUT" "$RESULT" || status=1
echo "bench: wrote $RESULT" >&2
exit $status
