#!/usr/bin/env bash
# Set up, ingest the bundled demo corpus into a local store, and show what was extracted.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .demo
DB=${FRONTLINES_DB:-sqlite:///$(pwd)/.demo/demo.db}
echo "== ingesting examples/afghanistan-2021 into $DB"
status=0
.venv/bin/frontlines ingest examples/afghanistan-2021 --db "$DB" || status=$?
# Exit 1 means some inputs were rejected (named above); the rest is stored.
[ "$status" -le 1 ] || exit "$status"
# District polygons for the map, when the reference layer sits beside the project (else points at district centres).
if [ -f ../shared/geodata/afghanistan_districts_398.geojson ]; then
  .venv/bin/frontlines boundaries import ../shared/geodata/afghanistan_districts_398.geojson --db "$DB"
fi
.venv/bin/frontlines summary --db "$DB"
if [ "${FRONTLINES_DEMO_SERVE:-1}" = "1" ]; then
  PORT=${PORT:-8000}
  echo "== dashboard: http://127.0.0.1:$PORT/  (API docs at /docs; Ctrl-C to stop)"
  exec .venv/bin/frontlines serve --db "$DB" --port "$PORT"
fi
