#!/usr/bin/env bash
# Installs what the browser tests need: Debian's chromium, Node.js with npm,
# and the npm packages pinned in tests/browser/package-lock.json
# (playwright-core, axe-core, lighthouse 12.2.3) (into
# tests/browser/node_modules, which git ignores). Sourced by scripts/test;
# safe to run again (it only installs what is missing or changed).
set -euo pipefail

browser_pkgs=()
command -v chromium >/dev/null 2>&1 || browser_pkgs+=(chromium)
command -v node >/dev/null 2>&1 || browser_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || browser_pkgs+=(npm)
# Japanese glyphs for screenshots and PDFs (a machine without them prints boxes).
fc-list :lang=ja 2>/dev/null | grep -q . || browser_pkgs+=(fonts-noto-cjk)
declare -F apt_install >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
apt_install ${browser_pkgs[@]+"${browser_pkgs[@]}"}

browser_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser"
stamp="$browser_dir/node_modules/.tsunagu-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$browser_dir/package-lock.json" "$stamp"; then
  echo "setup: npm ci in tests/browser" >&2
  (cd "$browser_dir" && npm ci --silent --no-audit --no-fund)
  cp "$browser_dir/package-lock.json" "$stamp"
fi
export TSUNAGU_CHROMIUM="${TSUNAGU_CHROMIUM:-$(command -v chromium)}"
