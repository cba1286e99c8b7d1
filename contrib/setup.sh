#!/usr/bin/env bash
# setup.sh — sets up and builds spectrumd:
#   1. contrib/install_deps.sh (Debian packages; nothing to do when present)
#   2. ./autogen.sh, only when configure is missing or older than
#      configure.ac / Makefile.am
#   3. configure in the build directory ./build ($BUILD_DIR), only when it is
#      not configured yet or was configured with other options: adds
#      --enable-werror when $CI is set (as in CI); $CONFIGURE_FLAGS adds more
#   4. make -j$(nproc), then links ./spectrumd, ./spectrum-cli and
#      ./spectrum-evm in the source root to the built programs
#
# The build is out of tree so that the source tree stays unconfigured: other
# builds (contrib/fuzz.sh's ./build-fuzz, a sanitizer build) need that,
# automake refuses them beside an in-tree build. See doc/build.md.
set -euo pipefail
cd "$(dirname "$0")/.."
srcdir=$PWD
builddir=${BUILD_DIR:-build}

contrib/install_deps.sh

if [ -f config.status ]; then
    echo "setup.sh: the source tree is configured in-tree (./config.status exists)." >&2
    echo "setup.sh: run 'make distclean' here first; setup.sh builds in $builddir/." >&2
    exit 1
fi

if [ ! -x configure ] || [ ! -f Makefile.in ] || [ configure.ac -nt configure ] ||
   [ Makefile.am -nt configure ]; then
    echo "setup.sh: ./autogen.sh"
    ./autogen.sh
fi

flags=()
if [ -n "${CI:-}" ] && [ "${CI:-}" != "false" ] && [ "${CI:-}" != "0" ]; then
    flags+=(--enable-werror)
fi
# shellcheck disable=SC2206  # word splitting of CONFIGURE_FLAGS is intended
flags+=(${CONFIGURE_FLAGS:-})

mkdir -p "$builddir"
cd "$builddir"
want="${flags[*]:-}"
have=""
if [ -x config.status ]; then
    have=$(./config.status --config | sed "s/'//g")
fi
if [ ! -f Makefile ] || [ ! -x config.status ] || [ "$srcdir/configure" -nt config.status ] ||
   [ "$have" != "$want" ]; then
    echo "setup.sh: configure ${want} (in $builddir/)"
    "$srcdir/configure" "${flags[@]}"
fi

echo "setup.sh: make -j$(nproc) (in $builddir/)"
make -j"$(nproc)"

cd "$srcdir"
for p in spectrumd spectrum-cli spectrum-evm; do
    ln -sfn "$builddir/$p" "$p"
done
echo "setup.sh: built; ./spectrumd, ./spectrum-cli and ./spectrum-evm link to $builddir/"
