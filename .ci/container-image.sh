#!/usr/bin/env bash
# Builds the Dockerfile with no registry, from two base images it makes once and keeps between runs:
#   localhost/debian-minbase:bookworm  a Debian bookworm root by `debootstrap --variant=minbase` (OS_IMAGE)
#   localhost/temurin-jdk:25           that image with this machine's Temurin 25 JDK in /opt/java/openjdk (JDK_IMAGE)
# then the image from target/agora-token-server.jar.
# Usage: .ci/container-image.sh [IMAGE]   (default localhost/agora-token-server:test). Needs root, podman, runc,
# debootstrap, and a Temurin 25 JDK in TEMURIN_25_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
cd "$(dirname "$0")/.."

image=${1:-localhost/agora-token-server:test}
os_image=localhost/debian-minbase:bookworm
jdk_image=localhost/temurin-jdk:25
jdk_home=${TEMURIN_25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# crun fails here with "cgroups in hybrid mode"; runc works.
podman=(podman --runtime runc)

# The current soft limit (ulimit -n or -u), capped at 4096: plenty for a build.
limit() {
  local value
  value=$(ulimit "$1")
  if [[ $value == unlimited ]] || ((value > 4096)); then echo 4096; else echo "$value"; fi
}
# Rootful podman here may not raise limits: the build's RUN steps stay at or below the current ones.
limits=(--ulimit "nofile=$(limit -n):$(limit -n)" --ulimit "nproc=$(limit -u):$(limit -u)")

test -f target/agora-token-server.jar || { echo "target/agora-token-server.jar missing: run mvn package first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! "${podman[@]}" image exists "$os_image"; then
  # The Debian mirror apt is configured with, else deb.debian.org.
  mirror=$(.ci/debian-mirror.sh)
  debootstrap --variant=minbase bookworm "$work/root" "$mirror" >/dev/null
  rm -rf "$work"/root/var/cache/apt/archives/*.deb "$work"/root/var/lib/apt/lists/*
  tar -C "$work/root" -c . | "${podman[@]}" import -q - "$os_image" >/dev/null
  rm -rf "$work/root"
fi
if ! "${podman[@]}" image exists "$jdk_image"; then
  test -x "$jdk_home/bin/jlink" || { echo "no Temurin 25 JDK in $jdk_home: set TEMURIN_25_HOME" >&2; exit 1; }
  # As the eclipse-temurin images have it: the JDK in /opt/java/openjdk, first on PATH. -L because the
  # Debian package's lib/security/cacerts is a link into /etc/ssl.
  cp -RL --preserve=mode,timestamps "$jdk_home" "$work/openjdk"
  printf '%s\n' "FROM $os_image" "COPY openjdk /opt/java/openjdk" \
    "ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    >"$work/Containerfile"
  "${podman[@]}" build -q "${limits[@]}" -t "$jdk_image" "$work" >/dev/null
fi

"${podman[@]}" build -q "${limits[@]}" --build-arg JDK_IMAGE="$jdk_image" --build-arg OS_IMAGE="$os_image" -t "$image" .
