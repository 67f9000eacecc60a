#!/usr/bin/env bash
# Builds the Dockerfile with no registry: the base is a Debian bookworm root with a headless JRE 17 made by
# debootstrap and imported as localhost/jre-base (kept between runs), then the image from target/agora-token-server.jar.
# Usage: .ci/container-image.sh [IMAGE]   (default localhost/agora-token-server:test). Needs root, podman, runc, debootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${1:-localhost/agora-token-server:test}
base=localhost/jre-base
# crun fails here with "cgroups in hybrid mode"; runc works.
podman=(podman --runtime runc)

if ! "${podman[@]}" image exists "$base"; then
  # The Debian mirror apt is configured with, else deb.debian.org.
  mirror=$(.ci/debian-mirror.sh)
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$root" "$mirror" >/dev/null
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "${podman[@]}" import - "$base" >/dev/null
fi

test -f target/agora-token-server.jar || { echo "target/agora-token-server.jar missing: run mvn package first" >&2; exit 1; }
"${podman[@]}" build -q --build-arg BASE_IMAGE="$base" -t "$image" .
