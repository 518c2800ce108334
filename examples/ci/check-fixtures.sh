#!/usr/bin/env bash
# Fails a CI run when a committed mock is not what dvp-mock generates, and prints the one
# command that regenerates it (run it, commit the result).
#
#   examples/ci/check-fixtures.sh DIR [CONFIG]
#
# With CONFIG (your committed configuration), DIR must be what CONFIG generates; a changed
# setting is named in one line. Without it, DIR is checked as its manifest records it was made.
# DVP_MOCK names the binary (default: dvp-mock on the PATH). Exit codes are dvp-mock's:
# 0 up to date, 1 out of date (report and HINT on stdout), 2 refused input, 3 environment.
set -uo pipefail
dir=${1:?usage: check-fixtures.sh DIR [CONFIG]}
dvp_mock=${DVP_MOCK:-dvp-mock}

if [ $# -ge 2 ]; then
    "$dvp_mock" check --config "$2" --dir "$dir"
else
    "$dvp_mock" check --dir "$dir"
fi
code=$?
if [ "$code" -ne 0 ]; then
    echo "check-fixtures: $dir is out of date or not a mock (exit $code); run the HINT above, then commit" >&2
fi
exit "$code"
