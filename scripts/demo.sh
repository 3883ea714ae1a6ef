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
.venv/bin/frontlines summary --db "$DB"
