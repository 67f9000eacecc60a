#!/bin/sh
# The image's whole operating system: copies into ROOT the shared libraries (glibc) that the Java runtime at
# JAVA_HOME links against, as ldd finds them, and the empty /etc and /tmp a container needs. No shell, no
# package manager, no other file. Runs in the Dockerfile's `os` stage on a Debian base.
# Usage: docker/rootfs.sh JAVA_HOME ROOT
set -eu
java_home=$1
root=$2

mkdir -p "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
# ldd lines: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
find "$java_home" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' \
  | sort -u \
  | while read -r lib; do
      case $lib in
        "$java_home"/*) ;; # the runtime's own libraries come with it
        *) cp -L --parents "$lib" "$root" ;;
      esac
    done
