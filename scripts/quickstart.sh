#!/usr/bin/env bash
# Quickstart: install the reconciler, start the local SageMaker emulator (if it is not
# running yet), apply the example manifests with visible progress, and show their status.
# Run it again: the emulator keeps its state, so the second run reports no changes.
#
#   bash scripts/quickstart.sh            # then: bash scripts/quickstart.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."

port="${RECONCILER_EMULATOR_PORT:-4566}"
url="http://127.0.0.1:${port}"
state=".quickstart"
mkdir -p "$state"

if [ "${1:-}" = "stop" ]; then
  if [ -f "$state/emulator.pid" ]; then kill "$(cat "$state/emulator.pid")" 2>/dev/null || true; rm -f "$state/emulator.pid"; fi
  echo "emulator stopped"
  exit 0
fi

if [ ! -x .venv/bin/reconciler ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
.venv/bin/python -m pip install --quiet -e '.[emulator]'

running() {
  .venv/bin/python - "$url" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1] + "/_emulator/config", timeout=2)
except Exception:
    sys.exit(1)
PY
}

if ! running; then
  # Endpoints take a second or two to come up, as they would (much more slowly) on AWS.
  nohup .venv/bin/reconciler emulator --port "$port" --transitions seconds:1 >"$state/emulator.log" 2>&1 &
  echo $! >"$state/emulator.pid"
  for _ in $(seq 1 50); do running && break; sleep 0.2; done
  running || { echo "the emulator did not start; see $state/emulator.log" >&2; exit 1; }
  echo "Started the SageMaker emulator at $url (log: $state/emulator.log; stop: bash scripts/quickstart.sh stop)"
else
  echo "Using the SageMaker emulator already running at $url"
fi

# Any credentials do for the emulator; boto3 reads the endpoint from AWS_ENDPOINT_URL.
export AWS_ENDPOINT_URL="$url" AWS_ACCESS_KEY_ID=quickstart AWS_SECRET_ACCESS_KEY=quickstart AWS_REGION=us-east-1

echo
.venv/bin/reconciler apply manifests --auto-approve --poll-interval 0.5
echo
.venv/bin/reconciler status manifests
