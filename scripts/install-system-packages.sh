#!/bin/sh
# The Debian or Ubuntu packages trellosync needs, installed when missing: Python with venv, Pango and HarfBuzz
# for WeasyPrint, and fonts for card text in any script (CJK, Hebrew, Arabic...) and emoji, which fontconfig
# finds. With --tests, also what the test suite uses: PostgreSQL (the store's tests start a real server),
# poppler-utils (pdftoppm) and fontconfig (fc-list). Runs apt-get as root, or through sudo when not root.
set -eu

packages="python3 python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-noto-core fonts-noto-color-emoji"
case "${1:-}" in
  "") ;;
  --tests) packages="$packages postgresql poppler-utils fontconfig util-linux" ;;
  *) echo "usage: $0 [--tests]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "$0: not Debian or Ubuntu: install your system's packages of Python 3.10 or newer (with venv)," \
       "Pango, HarfBuzz and the Noto fonts (CJK, core, color emoji), then go on" >&2
  exit 0
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "$0: installing$missing needs root: run this as root, or install sudo" >&2
  exit 1
fi
echo "installing system packages:$missing"
# shellcheck disable=SC2086  # $missing is a list of package names
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
