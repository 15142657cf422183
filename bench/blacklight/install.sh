#!/bin/sh
# Installs The Markup's Blacklight collector into bench/blacklight/node_modules
# without Puppeteer's bundled browser: the bench points it at Debian's Chromium.
set -eu
cd "$(dirname "$0")"
export PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1
[ -f package.json ] || echo '{"name":"trackscan-bench-blacklight","private":true}' > package.json
npm install --no-audit --no-fund --no-save @themarkup/blacklight-collector@3.11.0
