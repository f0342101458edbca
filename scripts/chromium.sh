#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (tests/test_console_browser.py): installed
# with apt-get when missing and we are root (CI); otherwise a hint, and those tests skip.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
else
  echo "no /usr/bin/chromium: the browser tests will skip (sudo apt-get install chromium)" >&2
fi
