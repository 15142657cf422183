#!/usr/bin/env bash
# The test command of the README: formatting, vet, staticcheck, and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed:"; echo "$unformatted"; exit 1
fi
go vet ./...
# staticcheck pinned (v0.8.2 supports Go 1.26); go run fetches it once through the module proxy.
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
go test -count=1 -timeout 40m ./...
# deploy/ is a module of its own (the Kubernetes API types stay out of the
# main module): its manifests are decoded strictly and checked.
(cd deploy && go vet ./... && go test -count=1 ./...)
