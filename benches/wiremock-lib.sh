# Shared by the benchmark scripts (sourced, not run).

# stop_wiremock HOST PORT PID: POST /__admin/shutdown, wait up to 5 s, then kill the PID.
stop_wiremock() {
    local host=$1 port=$2 pid=$3
    kill -0 "$pid" 2>/dev/null || return 0
    curl -s -m 5 -o /dev/null -X POST "http://$host:$port/__admin/shutdown" || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
