#!/usr/bin/env bash
# Serving-speed benchmark: the mock under concurrent load vs. a plain one-stub WireMock that
# serves exactly the same bytes, side by side in one run, with the same jar.
#
#   benches/serve.sh [KIND...]        (default: all six kinds)
#
# Needs `wrk` (Debian: `apt-get install -y wrk`), java 17+, curl, jq, awk. Loopback only: every
# server is `java -jar <jar> --bind-address 127.0.0.1` on a free port in 18600-18699 and is
# stopped with POST /__admin/shutdown (then its PID is killed if it is still there).
#
# Servers, all started before the first measurement and alive until the end:
#   standalone  --root-dir DEFAULT_ROOT (default: the committed mappings/ + __files/)
#   load        the load profile (`generate --profile load --base-url http://127.0.0.1:PORT`,
#               generated into a scratch folder for the port the server then starts on)
#   cloud       an empty root, then the Cloud import file POSTed to /__admin/mappings/import
#               (CLOUD_FILE, default: `generate --target cloud` into a scratch folder)
#   plain       an empty root; before each kind its single stub is replaced by
#               GET <that kind's path> -> the status, content headers and body bytes that the
#               standalone mock answered (`body` if it is UTF-8, else `base64Body`)
# Kinds (the request is found by walking the standalone mock like a client does):
#   namespaces  GET A/namespaces with the demo bearer token
#   pulls       GET A/namespaces/{ns}/pulls?timespan=weeks&period=last-3-months&group=repo (bearer)
#   listing     GET A/namespaces/{ns}/pulls/exports/years/{y}/weeks/{w}/raw (bearer; the newest week)
#   download    GET the signed CSV URL from that listing
#   repospulls  GET P/repos/pulls?repos={ns}/{r1}&repos={ns}/{r2} (public)
#   report      GET the signed report CSV that P/namespaces/{ns}/reports/{file} redirects to
# (A = /api/publisher/analytics/v1, P = /api/publisher/proxylytics/v1.) Each target gets its
# own URLs (download links carry the server's own base URL); the bytes must equal the
# standalone mock's except for the X-Amz-Date values in a listing (they follow the clock).
#
# Per kind: WARMUP seconds of load on every server, then ROUNDS rounds in which each server gets
# DURATION seconds (the order rotates each round so a noisy spell on a shared machine hits all
# alike; with CONCURRENT=1 every server is loaded at the same time instead, each by its own
# wrk, so all meet the same neighbours: the absolute req/s are then shares of the machine and
# only the ratios mean something). wrk: THREADS threads, CONNECTIONS connections, --latency. Printed per kind and server:
# requests/s over all rounds, p50/p99 latency (mean over rounds), the ratio to plain, and the
# server JVM's CPU time per request (user+system from /proc/PID/stat over the measured runs, JIT
# compiler threads left out) with
# its ratio (plain's CPU per request / this server's): on a machine whose CPUs are busy with other
# work, req/s swings with the neighbours while CPU per request stays close to the server's own
# cost, so the CPU ratio is the steadier estimate of what the req/s ratio is on an idle machine.
# Any non-2xx answer or socket error under load fails the run.
#
# Every server set is measured once per WireMock setting (SETTINGS, default "default
# no-journal": WireMock's default options, then `--no-request-journal`), one table per setting;
# the servers of one setting are stopped before the next starts.
#
# Environment: WIREMOCK_JAR (default target/wiremock/node_modules/wiremock/build/
# wiremock-standalone-3.13.2.jar), DVP_MOCK (the generator command, default `cargo run --release
# --quiet --`), DEFAULT_ROOT, CLOUD_FILE, TARGETS ("standalone load cloud"), SETTINGS,
# DURATION (3), ROUNDS (2), WARMUP (2), THREADS (1), CONNECTIONS (8), CONCURRENT (0),
# VARIANTS ("NAME=ROOT_OR_IMPORT_FILE ...": more servers measured alongside, e.g. a scratch copy
# of the tree with some stubs edited; a folder is served as a root, a file is imported),
# WIREMOCK_ARGS (when set, replaces SETTINGS by one setting with these options for every
# server). `--no-request-journal` is WireMock's advice for load tests: a journal that keeps
# every request fills the heap during a long run, and one capped with
# `--max-request-journal-entries N` scans its N entries on every request, a cost every server
# pays that hides the cost of the stubs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
source benches/wiremock-lib.sh
JAR=${WIREMOCK_JAR:-target/wiremock/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar}
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-1}
CONNECTIONS=${CONNECTIONS:-8}
TARGETS=${TARGETS:-standalone load cloud}
CONCURRENT=${CONCURRENT:-0}
SETTINGS=${SETTINGS:-default no-journal}
read -r -a DVP_MOCK <<<"${DVP_MOCK:-cargo run --release --quiet --}"
HOST=127.0.0.1
A=/api/publisher/analytics/v1
P=/api/publisher/proxylytics/v1
ALL_KINDS=(namespaces pulls listing download repospulls report)
KINDS=("$@")
[[ ${#KINDS[@]} -gt 0 ]] || KINDS=("${ALL_KINDS[@]}")

die() { echo "serve.sh: $*" >&2; exit 1; }
for tool in java curl jq awk wrk base64 iconv; do
    command -v "$tool" >/dev/null || die "$tool is required (wrk: apt-get install -y wrk)"
done
for k in "${KINDS[@]}"; do
    [[ " ${ALL_KINDS[*]} " == *" $k "* ]] || die "unknown kind $k (kinds: ${ALL_KINDS[*]})"
done
[[ -f $JAR ]] || die "$JAR does not exist (npm install --prefix target/wiremock wiremock@3.13.2)"
JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")
DEFAULT_ROOT=$(cd "${DEFAULT_ROOT:-.}" && pwd)
[[ -d $DEFAULT_ROOT/mappings && -d $DEFAULT_ROOT/__files ]] || die "$DEFAULT_ROOT has no mappings/ and __files/"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dvp-serve-bench.XXXXXX")
declare -A PID PORT
cleanup() {
    local s
    for s in "${!PID[@]}"; do stop_wiremock "$HOST" "${PORT[$s]}" "${PID[$s]}"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    local p
    for p in $(seq 18600 18699); do
        [[ " ${PORT[*]} " == *" $p "* ]] && continue
        (exec 3<>"/dev/tcp/$HOST/$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    die "no free port in 18600-18699"
}

# start NAME ROOTDIR: launch, wait (at most 60 s) until the admin API answers
start() {
    local name=$1 dir=$2 port=${NEXT_PORT:-}
    NEXT_PORT=
    [[ -n $port ]] || port=$(free_port)
    java -jar "$JAR" --port "$port" --bind-address "$HOST" --root-dir "$dir" --disable-banner \
        "${EXTRA_ARGS[@]}" >"$WORK/$name.log" 2>&1 &
    PID[$name]=$!
    PORT[$name]=$port
    for _ in $(seq 1200); do
        curl -s -f -m 2 -o /dev/null "http://$HOST:$port/__admin/mappings?limit=1" && return 0
        kill -0 "${PID[$name]}" 2>/dev/null || { cat "$WORK/$name.log" >&2; die "$name exited"; }
        sleep 0.05
    done
    die "$name did not answer within 60 s"
}
base() { echo "http://$HOST:${PORT[$1]}"; }
stubs() { curl -s -f "$(base "$1")/__admin/mappings?limit=1" | jq '.meta.total'; }

# --- servers ---
# serve NAME SOURCE: SOURCE is a root folder (mappings/ + __files/) or an import file
serve() {
    local name=$1 src=$2
    if [[ -d $src ]]; then
        [[ -d $src/mappings && -d $src/__files ]] || die "$src has no mappings/ and __files/"
        start "$name" "$src"
    else
        [[ -f $src ]] || die "$src does not exist"
        start "$name" "$WORK/empty"
        curl -s -f -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$src" \
            "$(base "$name")/__admin/mappings/import" || die "$name: the import of $src was refused"
    fi
    SERVERS+=("$name")
}
# serve_load: the load profile, generated for the port its server then starts on
serve_load() {
    local port
    port=$(free_port)
    rm -rf "$WORK/load"
    "${DVP_MOCK[@]}" generate --profile load --base-url "http://$HOST:$port" --out "$WORK/load" --quiet
    NEXT_PORT=$port
    serve load "$WORK/load"
}
mkdir -p "$WORK/empty/mappings" "$WORK/empty/__files"
[[ " $TARGETS " == *" standalone "* ]] || die "TARGETS must include standalone (the plain stubs copy its answers)"
if [[ " $TARGETS " == *" cloud "* && -z ${CLOUD_FILE:-} ]]; then
    "${DVP_MOCK[@]}" generate --target cloud --out "$WORK/cloud" --quiet
    CLOUD_FILE=$WORK/cloud/dvp-mock-cloud.json
fi
start_servers() {
    SERVERS=()
    start plain "$WORK/empty"
    serve standalone "$DEFAULT_ROOT"
    [[ " $TARGETS " == *" load "* ]] && serve_load
    [[ " $TARGETS " == *" cloud "* ]] && serve cloud "$CLOUD_FILE"
    local v
    for v in ${VARIANTS:-}; do
        [[ $v == *=* ]] || die "VARIANTS entries are NAME=ROOT_OR_IMPORT_FILE, not $v"
        serve "${v%%=*}" "${v#*=}"
    done
    return 0
}
stop_servers() {
    local s
    for s in "${!PID[@]}"; do stop_wiremock "$HOST" "${PORT[$s]}" "${PID[$s]}"; done
    PID=() PORT=()
}

# --- the requests of each kind, per target: URL path (+query) and request headers ---
declare -A URL HDR
discover() {
    local t=$1 b token ns exports year week listing dl reports rep loc r1 r2
    b=$(base "$t")
    token=$(curl -s -f -X POST -H 'Content-Type: application/json' --data '{"username":"demo","password":"demo"}' \
        "$b/v2/users/login" | jq -r '.token')
    local auth="Authorization: Bearer $token"
    ns=$(curl -s -f -H "$auth" "$b$A/namespaces" | jq -r '.[0].namespace')
    exports="$A/namespaces/$ns/pulls/exports/years"
    year=$(curl -s -f -H "$auth" "$b$exports" | jq -r '.years[-1].year')
    week=$(curl -s -f -H "$auth" "$b$exports/$year/weeks" | jq -r '.weeks[-1].week')
    listing="$exports/$year/weeks/$week/raw"
    dl=$(curl -s -f -H "$auth" "$b$listing" | jq -r '.data[0].url')
    reports=$(curl -s -f -H "$auth" "$b$P/namespaces/$ns/reports")
    rep=$(jq -r '.reports[0].url' <<<"$reports")
    loc=$(curl -s -o /dev/null -w '%{redirect_url}' -H "$auth" "$rep")
    read -r r1 r2 < <(curl -s -f -H "$auth" "$b$A/namespaces/$ns/pulls?group=repo" |
        jq -r '[.pulls[].repo] | unique | "\(.[0]) \(.[1])"')
    for v in token ns year week dl rep loc r1 r2; do
        [[ -n ${!v} && ${!v} != null ]] || die "$t: could not obtain $v by walking the mock"
    done
    URL[$t.namespaces]="$A/namespaces" HDR[$t.namespaces]=$auth
    URL[$t.pulls]="$A/namespaces/$ns/pulls?timespan=weeks&period=last-3-months&group=repo" HDR[$t.pulls]=$auth
    URL[$t.listing]=$listing HDR[$t.listing]=$auth
    URL[$t.download]=${dl#"$b"} HDR[$t.download]=
    URL[$t.repospulls]="$P/repos/pulls?repos=$ns/$r1&repos=$ns/$r2" HDR[$t.repospulls]=
    URL[$t.report]=${loc#"$b"} HDR[$t.report]=
}

# fetch SERVER KIND OUT: body to OUT.body, headers to OUT.head; fails unless 200
fetch() {
    local s=$1 k=$2 out=$3 code
    local -a h=()
    [[ -n ${HDR[$s.$k]} ]] && h=(-H "${HDR[$s.$k]}")
    code=$(curl -s -D "$out.head" -o "$out.body" -w '%{http_code}' "${h[@]}" "$(base "$s")${URL[$s.$k]}")
    [[ $code == 200 ]] || die "$s $k: HTTP $code for ${URL[$s.$k]}"
}

# the plain server's one stub for KIND: what the standalone mock answered, headers included
plain_stub() {
    local k=$1 path=${URL[standalone.$1]%%\?*}
    fetch standalone "$k" "$WORK/ref"
    tr -d '\r' <"$WORK/ref.head" | awk -F': ' 'NR > 1 && NF >= 2 && tolower($1) !~ /^(matched-stub-id|matched-stub-name|transfer-encoding|content-length|date|server|vary|connection)$/ { print }' |
        jq -R -n '[inputs | capture("^(?<key>[^:]+): (?<value>.*)$")] | from_entries' >"$WORK/ref.headers.json"
    if iconv -f UTF-8 -t UTF-8 "$WORK/ref.body" >/dev/null 2>&1; then
        jq -n --arg path "$path" --rawfile body "$WORK/ref.body" --slurpfile h "$WORK/ref.headers.json" \
            '{request: {method: "GET", urlPath: $path}, response: {status: 200, headers: $h[0], body: $body}}'
    else
        jq -n --arg path "$path" --arg b64 "$(base64 -w0 "$WORK/ref.body")" --slurpfile h "$WORK/ref.headers.json" \
            '{request: {method: "GET", urlPath: $path}, response: {status: 200, headers: $h[0], base64Body: $b64}}'
    fi >"$WORK/plain.json"
    curl -s -f -o /dev/null -X DELETE "$(base plain)/__admin/mappings"
    curl -s -f -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/plain.json" "$(base plain)/__admin/mappings"
    URL[plain.$k]=${URL[standalone.$k]} HDR[plain.$k]=${HDR[standalone.$k]}
    # every target must serve the same bytes (listings: up to their X-Amz-Date values)
    local s mask='s/X-Amz-Date=[0-9TZ]*/X-Amz-Date=_/g; s/EXAMPLE%2F[0-9]*%2F/EXAMPLE%2F_%2F/g; s#http://127\.0\.0\.1:[0-9]*#BASE#g'
    for s in "${SERVERS[@]}" plain; do
        fetch "$s" "$k" "$WORK/cmp"
        cmp -s <(sed "$mask" "$WORK/ref.body") <(sed "$mask" "$WORK/cmp.body") ||
            die "$s $k: the body differs from the standalone mock's"
    done
    BYTES[$k]=$(wc -c <"$WORK/ref.body")
}

cat >"$WORK/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
EOF

# cpu SERVER: user+system CPU time of the server's JVM so far, in clock ticks, without its JIT
# compiler threads (their work depends on how far warm-up got, not on the requests)
cpu() {
    local p=${PID[$1]} total jit
    total=$(awk '{ print $14 + $15 }' "/proc/$p/stat")
    jit=$(cat /proc/"$p"/task/*/stat 2>/dev/null | awk '/\(C[12] CompilerThre\)/ { sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }')
    echo $((total - jit))
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# load SERVER KIND SECONDS: one wrk run; prints "requests duration_us p50_us p99_us cpu_us"
load() {
    local s=$1 k=$2 d=$3 line c0
    local -a h=()
    [[ -n ${HDR[$s.$k]} ]] && h=(-H "${HDR[$s.$k]}")
    c0=$(cpu "$s")
    line=$(timeout $((d + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${d}s" --timeout 10s -s "$WORK/report.lua" \
        "${h[@]}" "$(base "$s")${URL[$s.$k]}" | grep '^WRK ') || die "$s $k: wrk failed"
    read -r _ n us p50 p99 bad err <<<"$line"
    [[ $bad == 0 && $err == 0 ]] || die "$s $k: $bad non-2xx answers and $err socket errors under load"
    echo "$n $us $p50 $p99 $((($(cpu "$s") - c0) * TICK_US))"
}

declare -A BYTES REQ US P50 P99 CPU
# measure_setting LABEL: start the servers with EXTRA_ARGS, measure every kind, print the table
measure_setting() {
    local label=$1 k s r n us p50 p99 c plain pcpu line
    local -a order jobs
    BYTES=() REQ=() US=() P50=() P99=() CPU=() URL=() HDR=()
    start_servers
    for t in "${SERVERS[@]}"; do discover "$t"; done
    for k in "${KINDS[@]}"; do
        plain_stub "$k"
        order=("${SERVERS[@]}" plain)
        for s in "${order[@]}"; do load "$s" "$k" "$WARMUP" >/dev/null; done
        for r in $(seq "$ROUNDS"); do
            if [[ $CONCURRENT == 1 ]]; then
                jobs=()
                for s in "${order[@]}"; do
                    load "$s" "$k" "$DURATION" >"$WORK/load.$s" &
                    jobs+=($!)
                done
                wait "${jobs[@]}"
            else
                for s in "${order[@]}"; do load "$s" "$k" "$DURATION" >"$WORK/load.$s"; done
            fi
            for s in "${order[@]}"; do
                read -r n us p50 p99 c <"$WORK/load.$s" || die "$s $k: no measurement"
                REQ[$s.$k]=$((${REQ[$s.$k]:-0} + n)) US[$s.$k]=$((${US[$s.$k]:-0} + us)) CPU[$s.$k]=$((${CPU[$s.$k]:-0} + c))
                P50[$s.$k]=$((${P50[$s.$k]:-0} + p50)) P99[$s.$k]=$((${P99[$s.$k]:-0} + p99))
            done
            order=("${order[@]:1}" "${order[0]}")
        done
    done

    # --- report ---
    rps() { awk -v n="${REQ[$1]}" -v us="${US[$1]}" 'BEGIN { printf "%.0f", n / (us / 1e6) }'; }
    cpr() { awk -v n="${REQ[$1]}" -v c="${CPU[$1]}" 'BEGIN { printf "%.0f", c / n }'; }
    ms() { awk -v v="$1" -v r="$ROUNDS" 'BEGIN { printf "%.2f", v / r / 1000 }'; }
    echo '```'
    echo "serving benchmark: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP}s warm-up + $ROUNDS x ${DURATION}s per kind and server$([[ $CONCURRENT == 1 ]] && echo ', all servers loaded at once');" \
        "wiremock-standalone $(basename "$JAR" .jar | sed 's/.*-//'), $(java -version 2>&1 | head -1), $(nproc) CPUs, options: ${EXTRA_ARGS[*]:-none}"
    line="stubs:"
    for s in "${SERVERS[@]}"; do line+=" $s $(stubs "$s"),"; done
    echo "$line plain 1"
    printf '%-11s %7s %-10s %9s %8s %8s %7s %10s %9s\n' kind bytes server "req/s" "p50 ms" "p99 ms" ratio "cpu us/req" "cpu ratio"
    for k in "${KINDS[@]}"; do
        plain=$(rps "plain.$k") pcpu=$(cpr "plain.$k")
        for s in "${SERVERS[@]}" plain; do
            r=$(rps "$s.$k") c=$(cpr "$s.$k")
            printf '%-11s %7s %-10s %9s %8s %8s %7s %10s %9s\n' "$k" "${BYTES[$k]}" "$s" "$r" "$(ms "${P50[$s.$k]}")" \
                "$(ms "${P99[$s.$k]}")" "$(awk -v a="$r" -v b="$plain" 'BEGIN { printf "%.2fx", a / b }')" \
                "$c" "$(awk -v a="$c" -v b="$pcpu" 'BEGIN { printf "%.2fx", b / a }')"
        done
    done
    echo "load average at the end (the CPUs are shared): $(cut -d' ' -f1-3 /proc/loadavg)"
    echo '```'
    stop_servers
}

if [[ -n ${WIREMOCK_ARGS+x} ]]; then
    read -r -a EXTRA_ARGS <<<"$WIREMOCK_ARGS"
    measure_setting "options: ${WIREMOCK_ARGS:-none}"
else
    for setting in $SETTINGS; do
        case $setting in
        default) EXTRA_ARGS=() ;;
        no-journal) EXTRA_ARGS=(--no-request-journal) ;;
        *) die "unknown setting $setting (settings: default no-journal)" ;;
        esac
        measure_setting "$setting"
    done
fi
