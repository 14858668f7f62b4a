#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and run tsunagu.
# Sourced by scripts/start, scripts/demo and scripts/test; safe to run again (it only
# installs what is missing).
set -euo pipefail

need_pkgs=()
# IPADIC source (CSV, EUC-JP); tsunagu builds its dictionary from it on first use.
[ -f /usr/share/mecab/dic/ipadic/matrix.def ] || need_pkgs+=(mecab-ipadic)
# A C compiler for the bundled SQLite.
command -v cc >/dev/null 2>&1 || need_pkgs+=(build-essential)
# Python with venv, for schemathesis in the test suite.
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_pkgs+=(python3-venv)

# apt_install PKG…: installs Debian packages, as root or through sudo
# (scripts/browser-setup.sh uses it too).
apt_install() {
  [ $# -gt 0 ] || return 0
  echo "setup: installing $*" >&2
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); else
      echo "setup: need root (or sudo) to apt-get install $*" >&2; exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

apt_install ${need_pkgs[@]+"${need_pkgs[@]}"}

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found. Install the Rust toolchain (rustup, Rust >= 1.88) and run again." >&2
  exit 1
fi
