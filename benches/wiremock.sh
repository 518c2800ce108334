#!/usr/bin/env bash
# WireMock serving benchmark: the committed default tree vs. a trivial one-stub root.
#
# Starts WireMock (standalone jar) twice, on 127.0.0.1 only, on free ports in 18600-18699:
#   (a) default: --root-dir . (the committed mappings/ + __files/ of the default configuration)
#   (b) trivial: an empty root, then one catch-all stub (ANY .* -> 200 "ok") posted via the admin API
# For each it measures startup (launch until GET /__admin/mappings answers), then replays a
# representative request set, each kind N times after W warm-up requests, one curl per request,
# latency = curl's %{time_total}:
#   login      POST /v2/users/login {"username":"demo","password":"demo"}
#   namespaces GET  /api/publisher/analytics/v1/namespaces            (Bearer: the login token)
#   pulls      GET  .../namespaces/{ns}/pulls?timespan=weeks&period=last-3-months&group=repo
#   listing    GET  .../namespaces/{ns}/pulls/exports/years/{y}/weeks/{w}/raw
#   download   GET  the signed CSV URL from that listing
# Token, namespace, year, week and download URL are fetched with curl from the running default
# mock; the trivial server receives the same requests (its stub answers all of them).
# Prints startup seconds, p50/p99 latency per kind, and the ratios default/trivial.
#
# Environment: WIREMOCK_JAR (default: target/wiremock/node_modules/wiremock/build/
# wiremock-standalone-3.13.2.jar, installed with npm if absent), N (default 300), W (default 30),
# DEFAULT_ROOT (default: the repository root; e.g. a `git archive HEAD mappings __files` extract
# to measure the committed tree while the working tree is being regenerated).
# Both servers are always shut down (POST /__admin/shutdown, then kill of the PID).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
source benches/wiremock-lib.sh
JAR=${WIREMOCK_JAR:-target/wiremock/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar}
N=${N:-300}
W=${W:-30}
HOST=127.0.0.1
ANALYTICS=/api/publisher/analytics/v1

for tool in java curl jq awk sort; do
    command -v "$tool" >/dev/null || { echo "wiremock.sh: $tool is required" >&2; exit 2; }
done
if [[ ! -f $JAR ]]; then
    if [[ -n ${WIREMOCK_JAR:-} ]]; then
        echo "wiremock.sh: WIREMOCK_JAR=$JAR does not exist" >&2
        exit 2
    fi
    echo "wiremock.sh: $JAR absent; installing wiremock@3.13.2 with npm into target/wiremock" >&2
    npm install --prefix target/wiremock wiremock@3.13.2 >&2
fi
DEFAULT_ROOT=$(cd "${DEFAULT_ROOT:-.}" && pwd)
JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")
[[ -d $DEFAULT_ROOT/mappings && -d $DEFAULT_ROOT/__files ]] || { echo "wiremock.sh: $DEFAULT_ROOT has no mappings/ and __files/" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dvp-wiremock-bench.XXXXXX")
PIDS=()
PORTS=()

shutdown_all() {
    local i pid port
    for i in "${!PIDS[@]}"; do
        pid=${PIDS[$i]}
        port=${PORTS[$i]}
        stop_wiremock "$HOST" "$port" "$pid"
    done
    PIDS=()
    PORTS=()
}
cleanup() {
    shutdown_all
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

free_port() {
    local p
    for p in $(seq 18600 18699); do
        [[ " ${PORTS[*]} " == *" $p "* ]] && continue
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    echo "wiremock.sh: no free port in 18600-18699" >&2
    return 1
}

now() { date +%s.%N; }

# start NAME ROOTDIR -> sets PORT, STARTUP (seconds, launch until /__admin/mappings answers)
start() {
    local name=$1 dir=$2 t0 pid
    PORT=$(free_port)
    t0=$(now)
    java -jar "$JAR" --port "$PORT" --bind-address "$HOST" --root-dir "$dir" --disable-banner \
        >"$WORK/$name.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    PORTS+=("$PORT")
    for _ in $(seq 1200); do # at most ~60 s
        if curl -s -f -m 2 -o /dev/null "http://$HOST:$PORT/__admin/mappings"; then
            STARTUP=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { echo "wiremock.sh: $name exited; log:" >&2; cat "$WORK/$name.log" >&2; return 1; }
        sleep 0.05
    done
    echo "wiremock.sh: $name did not answer within 60 s" >&2
    return 1
}

# measure OUTFILE COUNT curl-args... : COUNT requests, one time_total (seconds) per line
measure() {
    local out=$1 count=$2 code
    shift 2
    : >"$out"
    for _ in $(seq "$count"); do
        code=$(curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$@")
        [[ ${code%% *} == 2* ]] || { echo "wiremock.sh: HTTP ${code%% *} for: $*" >&2; return 1; }
        echo "${code#* }" >>"$out"
    done
}

# pct FILE P -> the P-th percentile in milliseconds (nearest rank)
pct() {
    sort -g "$1" | awk -v p="$2" '{ v[NR] = $1 } END { r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; printf "%.2f", v[r] * 1000 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

KINDS=(login namespaces pulls listing download)

# replay SERVER BASE: warm-up then N timed requests of each kind into $WORK/SERVER.KIND
replay() {
    local server=$1 base=$2 kind
    for kind in "${KINDS[@]}"; do
        local -a args
        case $kind in
            login) args=(-X POST -H 'Content-Type: application/json' --data '{"username":"demo","password":"demo"}' "$base/v2/users/login") ;;
            namespaces) args=(-H "Authorization: Bearer $TOKEN" "$base$ANALYTICS/namespaces") ;;
            pulls) args=(-H "Authorization: Bearer $TOKEN" "$base$ANALYTICS/namespaces/$NS/pulls?timespan=weeks&period=last-3-months&group=repo") ;;
            listing) args=(-H "Authorization: Bearer $TOKEN" "$base$LISTING_PATH") ;;
            download) args=("$base$DOWNLOAD_PATH") ;;
        esac
        measure "$WORK/$server.warmup" "$W" "${args[@]}"
        measure "$WORK/$server.$kind" "$N" "${args[@]}"
    done
}

# --- (a) the committed default tree ---
start default "$DEFAULT_ROOT"
DEFAULT_STARTUP=$STARTUP
DEFAULT_PORT=$PORT
DEFAULT_STUBS=$(curl -s "http://$HOST:$PORT/__admin/mappings?limit=1" | jq '.meta.total')
BASE="http://$HOST:$DEFAULT_PORT"

TOKEN=$(curl -s -f -X POST -H 'Content-Type: application/json' --data '{"username":"demo","password":"demo"}' \
    "$BASE/v2/users/login" | jq -r '.token')
NS=$(curl -s -f -H "Authorization: Bearer $TOKEN" "$BASE$ANALYTICS/namespaces" | jq -r 'if type == "array" then .[0] else .namespaces[0] end | if type == "object" then (.namespace // .name) else . end')
EXPORTS="$ANALYTICS/namespaces/$NS/pulls/exports/years"
YEAR=$(curl -s -f -H "Authorization: Bearer $TOKEN" "$BASE$EXPORTS" | jq -r '.years[-1].year')
WEEK=$(curl -s -f -H "Authorization: Bearer $TOKEN" "$BASE$EXPORTS/$YEAR/weeks" | jq -r '.weeks[-1].week')
LISTING_PATH="$EXPORTS/$YEAR/weeks/$WEEK/raw"
DOWNLOAD_URL=$(curl -s -f -H "Authorization: Bearer $TOKEN" "$BASE$LISTING_PATH" | jq -r '.data[0].url')
DOWNLOAD_PATH=${DOWNLOAD_URL#"$BASE"}
DOWNLOAD_BYTES=$(curl -s -f -o /dev/null -w '%{size_download}' "$DOWNLOAD_URL")
for v in TOKEN NS YEAR WEEK DOWNLOAD_URL; do
    [[ -n ${!v} && ${!v} != null ]] || { echo "wiremock.sh: could not obtain $v from the default mock" >&2; exit 1; }
done
[[ $DOWNLOAD_PATH == /* ]] || { echo "wiremock.sh: download URL $DOWNLOAD_URL is not on $BASE" >&2; exit 1; }

replay default "$BASE"
shutdown_all

# --- (b) an empty root with one trivial stub ---
mkdir -p "$WORK/trivial/mappings" "$WORK/trivial/__files"
start trivial "$WORK/trivial"
TRIVIAL_STARTUP=$STARTUP
TBASE="http://$HOST:$PORT"
curl -s -f -o /dev/null -X POST -H 'Content-Type: application/json' "$TBASE/__admin/mappings" \
    --data '{"request":{"method":"ANY","urlPattern":".*"},"response":{"status":200,"body":"ok"}}'
replay trivial "$TBASE"
shutdown_all

# --- report ---
echo '```'
echo "WireMock serving benchmark (wiremock-standalone $(basename "$JAR" .jar | sed 's/.*-//'), $(java -version 2>&1 | head -1), $(nproc) CPUs)"
echo "default = committed tree (--root-dir ${DEFAULT_ROOT/#$ROOT/.}, $DEFAULT_STUBS stubs); trivial = empty root + 1 catch-all stub via admin API"
echo "requests: $N timed per kind after $W warm-up, one curl each; namespace $NS, export $YEAR/weeks/$WEEK/raw, download $DOWNLOAD_BYTES bytes"
printf '%-22s %10s %10s %8s\n' "startup (s)" default trivial ratio
printf '%-22s %10s %10s %8s\n' "launch->/__admin ok" "$DEFAULT_STARTUP" "$TRIVIAL_STARTUP" "$(ratio "$DEFAULT_STARTUP" "$TRIVIAL_STARTUP")"
printf '%-22s %10s %10s %10s %10s %8s %8s\n' "latency (ms)" "def p50" "def p99" "triv p50" "triv p99" "r p50" "r p99"
for kind in "${KINDS[@]}"; do
    d50=$(pct "$WORK/default.$kind" 50)
    d99=$(pct "$WORK/default.$kind" 99)
    t50=$(pct "$WORK/trivial.$kind" 50)
    t99=$(pct "$WORK/trivial.$kind" 99)
    printf '%-22s %10s %10s %10s %10s %8s %8s\n' "$kind" "$d50" "$d99" "$t50" "$t99" "$(ratio "$d50" "$t50")" "$(ratio "$d99" "$t99")"
done
cat "$WORK"/default.{login,namespaces,pulls,listing,download} >"$WORK/default.all"
cat "$WORK"/trivial.{login,namespaces,pulls,listing,download} >"$WORK/trivial.all"
d50=$(pct "$WORK/default.all" 50); d99=$(pct "$WORK/default.all" 99)
t50=$(pct "$WORK/trivial.all" 50); t99=$(pct "$WORK/trivial.all" 99)
printf '%-22s %10s %10s %10s %10s %8s %8s\n' "all kinds" "$d50" "$d99" "$t50" "$t99" "$(ratio "$d50" "$t50")" "$(ratio "$d99" "$t99")"
echo "load average at the end (other processes share the CPUs): $(cut -d' ' -f1-3 /proc/loadavg)"
echo '```'
