#!/usr/bin/env bash
# Prints the Debian mirror apt is configured with, for debootstrap: the first http(s) URI with a path
# component `debian` (so neither debian-security nor another vendor's repository), read as apt reads its
# sources: APT_DIR/sources.list, then APT_DIR/sources.list.d/ in name order, one-line `deb` lines in
# *.list files and deb822 `URIs:` fields in *.sources files (stanzas with `Enabled: no` skipped). Other
# files there (*.disabled, *.save...) are ignored, as apt ignores them. Prints the default
# http://deb.debian.org/debian when there is no such mirror; never fails on missing or unreadable files.
# Usage: .ci/debian-mirror.sh [APT_DIR]   (default /etc/apt)
set -uo pipefail

apt_dir=${1:-/etc/apt}

# The repository URI of every `deb`/`deb-src` line, after the optional [options].
one_line_uris() {
  awk '$1 == "deb" || $1 == "deb-src" {
    i = 2
    if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
    print $i
  }' "$1"
}

# Every URI of the URIs fields (field names are case-insensitive; a value may continue on indented lines).
deb822_uris() {
  awk '
    function flush() { if (enabled) printf "%s", uris; uris = ""; enabled = 1; field = "" }
    BEGIN { enabled = 1 }
    /^#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { if (field == "uris:") for (i = 1; i <= NF; i++) uris = uris $i "\n"; next }
    {
      field = tolower($1)
      if (field == "uris:") for (i = 2; i <= NF; i++) uris = uris $i "\n"
      if (field == "enabled:") enabled = tolower($2) != "no"
    }
    END { flush() }
  ' "$1"
}

all_uris() {
  local file
  if [[ -r $apt_dir/sources.list ]]; then
    one_line_uris "$apt_dir/sources.list"
  fi
  for file in "$apt_dir"/sources.list.d/*; do
    [[ -r $file ]] || continue
    case $file in
      *.list) one_line_uris "$file" ;;
      *.sources) deb822_uris "$file" ;;
    esac
  done
}

mirror=$(all_uris | grep -m1 -E '^https?://[^/]+/([^ ]*/)?debian(/[^ ]*)?$') || true
echo "${mirror:-http://deb.debian.org/debian}"
