#!/usr/bin/env bash
# Checks the Dockerfile on a machine without a Docker engine (our CI and dev
# machines have none): it builds the binary with the build stage's command,
# replays the runtime stage's RUN steps in a debootstrapped Debian bookworm
# (the image's base), and runs the image's ENTRYPOINT and CMD there as the
# image's USER, with /.dockerenv present as in a real container.
#
# Needs root and debootstrap (apt-get install debootstrap). Usage:
#   sudo scripts/check-dockerfile.sh [BASE_DIR]
# BASE_DIR keeps a pristine debootstrap between runs; each run works on a copy.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
base=${1:-/tmp/trackscan-bookworm-base}
rootfs=$(mktemp -d /tmp/trackscan-rootfs.XXXXXX)

# instructions STAGE_INDEX prints the instructions of one stage (0-based),
# continuation lines joined, comments dropped.
instructions() {
  awk -v want="$1" '
    /^[[:space:]]*#/ { next }
    { line = line $0 }
    /\\$/ { sub(/\\$/, "", line); next }
    line != "" {
      if (line ~ /^FROM /) stage++
      if (stage - 1 == want) print line
      line = ""
    }' Dockerfile
}
stages=$(grep -c '^FROM ' Dockerfile)
runtime=$((stages - 1))

echo "== build stage: building the binary as the image does"
out=$(mktemp -d /tmp/trackscan-out.XXXXXX)
while IFS= read -r run; do
  cmd=${run#RUN }
  case "$cmd" in *"go build"*) (cd "$repo" && eval "${cmd//\/out/$out}") ;; esac
done < <(instructions 0 | grep '^RUN ')
test -x "$out/trackscan"

echo "== runtime stage: $(instructions "$runtime" | head -1)"
if [ ! -x "$base/bin/sh" ]; then
  debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian >/dev/null
fi
cp -a "$base/." "$rootfs/"
# debian:bookworm-slim also carries the updates and security suites, where
# Debian's current Chromium lives.
printf 'deb http://deb.debian.org/debian %s main\n' bookworm bookworm-updates >"$rootfs/etc/apt/sources.list"
echo 'deb http://deb.debian.org/debian-security bookworm-security main' >>"$rootfs/etc/apt/sources.list"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$rootfs" "$out"
}
trap cleanup EXIT
for m in proc sys dev dev/shm; do
  mkdir -p "$rootfs/$m"
  case $m in
    proc) mount -t proc proc "$rootfs/proc" ;;
    dev/shm) mount -t tmpfs tmpfs "$rootfs/dev/shm" ;;
    *) mount --rbind "/$m" "$rootfs/$m" ;;
  esac
  mounted+=("$rootfs/$m")
done
touch "$rootfs/.dockerenv"

user=root workdir=/ entrypoint='' command=''
while IFS= read -r line; do
  case "$line" in
    RUN\ *)
      echo "-- ${line:0:100}"
      chroot "$rootfs" /bin/sh -ec "${line#RUN }" >/dev/null ;;
    COPY\ --from=build\ *)
      set -- ${line#COPY --from=build }
      install -D -m 0755 "$out/$(basename "$1")" "$rootfs$2" ;;
    USER\ *) user=${line#USER } ;;
    WORKDIR\ *) workdir=${line#WORKDIR } ;;
    ENTRYPOINT\ *) entrypoint=${line#ENTRYPOINT } ;;
    CMD\ *) command=${line#CMD } ;;
  esac
done < <(instructions "$runtime")

# ENTRYPOINT and CMD are JSON arrays of plain words here.
words() { tr -d '[]",' <<<"$1"; }
argv=$(words "$entrypoint")" "$(words "$command")
uid=$(chroot "$rootfs" id -u "$user")
echo "== running as $user (uid $uid) in $workdir: $argv -q"
report=$rootfs/tmp/demo.json
chroot --userspec="$uid:$uid" "$rootfs" /usr/bin/env -i TINI_SUBREAPER=1 HOME="$workdir" PATH=/usr/local/bin:/usr/bin:/bin \
  /bin/sh -c "cd $workdir && exec $argv -q --format json -o /tmp/demo.json" || rc=$?
rc=${rc:-0}
# The demo's findings make it exit 1; anything else is a failure.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
  echo "entrypoint exited $rc"; exit 1
fi
# The image must find what the same binary finds on this machine.
ids() { grep -o '"id": *"[a-z0-9-]*"' "$1" | sed 's/.*"\([a-z0-9-]*\)"$/\1/' | sort | tr '\n' ' '; }
found=$(ids "$report")
if command -v chromium >/dev/null; then
  "$out/trackscan" demo -q --format json -o "$out/host.json" || true
  if [ "$found" != "$(ids "$out/host.json")" ]; then
    echo "the image found: $found"; echo "this machine found: $(ids "$out/host.json")"; exit 1
  fi
fi
echo "== ok: exit $rc; $(chroot "$rootfs" chromium --version 2>/dev/null); found: $found"
