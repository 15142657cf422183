#!/bin/sh
# Installs the real tracker SDKs and the consent manager that bench/realbench
# serves on loopback. They go into a cache dir outside the repository (never
# committed): ${REALSITE_DIR:-$HOME/.cache/trackscan-bench/realsite}/node_modules.
# Versions are pinned so that a re-measurement runs the same code.
set -eu
dir="${REALSITE_DIR:-$HOME/.cache/trackscan-bench/realsite}"
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name":"trackscan-bench-realsite","private":true}' > package.json
npm install --no-audit --no-fund --no-save --ignore-scripts \
  posthog-js@1.455.2 \
  mixpanel-browser@2.84.0 \
  @amplitude/analytics-browser@2.48.1 \
  @snowplow/browser-tracker@4.10.1 \
  vanilla-cookieconsent@3.1.0
echo "installed into $dir/node_modules"
