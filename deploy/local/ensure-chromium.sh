#!/usr/bin/env bash
# make test's browser tests drive Debian's Chromium (playwright-core downloads no browser): install it when
# it is missing and this machine lets us (root with apt-get), otherwise stop and say exactly what to run.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[[ -x $CHROMIUM ]] && exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "» installing Debian's chromium for the console's browser tests (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [[ -x $CHROMIUM ]] && exit 0
fi
echo "error: the console's browser tests need Chromium at $CHROMIUM; run: sudo apt-get update && sudo apt-get install -y chromium" >&2
exit 1
