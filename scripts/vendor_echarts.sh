#!/usr/bin/env bash
# Refresh the vendored ECharts (served locally: county intranets have no CDN). Usage: scripts/vendor_echarts.sh 6.1.0
set -euo pipefail
version="${1:?usage: $0 VERSION}"
dest="$(cd "$(dirname "$0")/.." && pwd)/src/fangpin/web/static/vendor/echarts"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "echarts@$version" >/dev/null && tar xzf "echarts-$version.tgz")
cp "$tmp/package/dist/echarts.common.min.js" "$tmp/package/LICENSE" "$tmp/package/NOTICE" "$dest/"
echo "echarts $version: $(sha256sum "$tmp/echarts-$version.tgz" | cut -d' ' -f1) — update $dest/README.md"
