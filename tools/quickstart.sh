#!/bin/sh
# Set up a fresh Debian 12 machine (as root), build roleca, then either run
# the lab-CA demo ("demo") or every test ("test": what CI runs).
#
#   sh tools/quickstart.sh demo
#   sh tools/quickstart.sh test
set -eu

what=${1:-}
case "$what" in
demo|test) ;;
*) echo "usage: sh tools/quickstart.sh demo|test" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Build dependencies, and the independent tools the tests verify with.
# The tests patch DER with perl (perl-base is essential: always there) and
# need no python3.
packages="build-essential autoconf automake pkg-config
	libgnutls28-dev nettle-dev libgmp-dev libconfig-dev libsqlite3-dev
	libcunit1-dev
	gnutls-bin openssl nginx-light softhsm2 jq sqlite3 mandoc curl
	clang libclang-rt-14-dev valgrind time xxd strace"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart: run as root to install:$missing" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

[ -x configure ] || autoreconf -fi

build() {	# build DIR CONFIGURE-ARGS...
	dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -s -j"$(nproc)")
}

if [ "$what" = demo ]; then
	build build
	make -s -C build demo
	exit 0
fi

exec sh tools/ci.sh
