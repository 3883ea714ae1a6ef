#!/usr/bin/env bash
# Fetch the dashboard's only third-party asset (Leaflet, from the npm registry) into the package's static folder.
# The vendor folder is git-ignored: run this once after cloning (scripts/setup.sh does) or when bumping the version.
set -euo pipefail
LEAFLET_VERSION="${LEAFLET_VERSION:-1.9.4}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/frontlines/web/static/vendor"
if [[ -f "$DEST/leaflet.js" && -f "$DEST/leaflet.css" && "${FORCE:-0}" != 1 ]]; then
  echo "web assets: $DEST already present (FORCE=1 to refetch)"
  exit 0
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
npm install --no-save --no-audit --no-fund --silent --prefix "$TMP" "leaflet@${LEAFLET_VERSION}"
SRC="$TMP/node_modules/leaflet/dist"
mkdir -p "$DEST/images"
cp "$SRC/leaflet.js" "$SRC/leaflet.css" "$DEST/"
cp "$SRC"/images/*.png "$DEST/images/"
cp "$TMP/node_modules/leaflet/LICENSE" "$DEST/LEAFLET-LICENSE"
echo "web assets: leaflet ${LEAFLET_VERSION} -> $DEST"
