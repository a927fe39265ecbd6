#!/usr/bin/env bash
# Builds test/interop/go-peer (a CloudEvents peer made from the official Go SDK)
# into a cache folder outside the repo, keyed by the hash of its sources, and
# prints the binary's path on stdout. Logs go to stderr. An existing binary for
# the same sources is reused without building.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/go-peer"

if ! command -v go >/dev/null 2>&1; then
  echo "build-go-peer: the go toolchain is not on PATH" >&2
  exit 1
fi

# Hash of go.mod + go.sum + every *.go file (sorted by name, names included).
hash="$(
  cd "$src"
  for f in go.mod go.sum $(LC_ALL=C ls -1 -- *.go); do
    printf '%s\0' "$f"
    cat -- "$f"
  done | sha256sum | cut -c1-16
)"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/icn-secure-tenancy"
out_dir="$cache_root/go-peer-$hash"
bin="$out_dir/go-peer"

if [[ -x "$bin" ]]; then
  echo "build-go-peer: cached $bin" >&2
  printf '%s\n' "$bin"
  exit 0
fi

mkdir -p "$out_dir"
tmp="$(mktemp "$out_dir/.go-peer.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
echo "build-go-peer: building $src -> $bin" >&2
(
  cd "$src"
  CGO_ENABLED=0 GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly" \
    go build -trimpath -buildvcs=false -o "$tmp" . >&2
)
chmod 0755 "$tmp"
mv -f "$tmp" "$bin"
trap - EXIT
echo "build-go-peer: built $bin" >&2
printf '%s\n' "$bin"
