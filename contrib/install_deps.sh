#!/usr/bin/env bash
# install_deps.sh — installs the Debian/Ubuntu packages that building and
# testing spectrumd need. Does nothing (and needs no network or root) when
# they are all installed already; otherwise runs apt-get update once and
# installs only the missing ones, through sudo when not root.
set -euo pipefail

packages=(
    autoconf automake libtool pkg-config build-essential   # build tools
    libevent-dev libssl-dev libsecp256k1-dev libleveldb-dev # libraries
    libjansson-dev libcurl4-openssl-dev
    check                                                   # unit tests
    clang libclang-rt-14-dev                                # fuzzing (libFuzzer)
    python3                                                 # functional tests
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install_deps.sh: all ${#packages[@]} build and test dependencies are installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_deps.sh: apt-get not found; install these packages by hand: ${missing[*]}" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install_deps.sh: not root and sudo not found; as root run: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "install_deps.sh: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
