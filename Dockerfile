# syntax=docker/dockerfile:1
# Build: docker build -t trackscan .
# Run:   docker run --rm trackscan scan https://staging.example.com/
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/trackscan ./cmd/trackscan

FROM debian:bookworm-slim
# Chromium from Debian; tini reaps Chromium's child processes, which
# otherwise pile up as zombies in a container without an init.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium tini ca-certificates fonts-liberation \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 scanner
COPY --from=build /out/trackscan /usr/local/bin/trackscan
USER scanner
WORKDIR /home/scanner
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/trackscan"]
CMD ["demo"]
