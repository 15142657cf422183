#!/usr/bin/env bash
# Installs Chromium (Debian's chromium package) when it is missing and
# builds trackscan into ./bin.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
go build -o bin/trackscan ./cmd/trackscan
echo "built bin/trackscan; $(chromium --version 2>/dev/null || chromium-browser --version)"
