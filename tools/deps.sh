#!/bin/sh
# Install the Debian packages corredor needs, if any are missing.
# Exit codes: 0 all present or installed; 3 something could not be installed.
PKGS="cmake ninja-build pkg-config gcc clang libclang-rt-14-dev libomp-14-dev libyaml-dev libcjson-dev libxxhash-dev librandom123-dev libcmocka-dev libsqlite3-dev libnlopt-dev libopenmpi-dev openmpi-bin"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "corredor: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "corredor: cannot install$missing: run as root (or install them yourself)" >&2; exit 3
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! ${SUDO:-} apt-get update -qq >/dev/null 2>&1 || ! ${SUDO:-} apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
  echo "corredor: apt-get could not install:$missing (no network or no apt?). Install them and retry." >&2
  exit 3
fi
