#!/bin/sh
# The whole test suite, as CI runs it: the style check, a -Werror build
# with every test, the same suite under AddressSanitizer + UBSan, and
# make distcheck. Each test's own report (CUnit summaries, CLI checks) is
# printed, then one closing line with the totals.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] || autoreconf -fi || exit 1
jobs=$(nproc)
status=0

run_suite() {	# run_suite NAME BUILDDIR CONFIGURE-ARGS...
	name=$1 dir=$2
	shift 2
	echo "=== $name"
	mkdir -p "$dir"
	if ! (cd "$dir" && "$top/configure" -q --enable-werror "$@" &&
	    make -s -j"$jobs"); then
		echo "=== $name: build FAILED"
		status=1
		return
	fi
	(cd "$dir" && make -s -j"$jobs" check >/dev/null 2>&1) || status=1
	for log in "$dir"/tests/unit/*.log "$dir"/tests/cli/*.log; do
		[ -f "$log" ] || continue
		case "$log" in */test-suite.log) continue ;; esac
		echo "--- $name: ${log#"$dir"/}"
		cat "$log"
	done
	grep -E '^# (TOTAL|PASS|FAIL|ERROR|XFAIL|SKIP)' "$dir/test-suite.log" \
	    2>/dev/null | sed "s/^/$name /"
}

echo "=== style (tools/style.sh)"
if sh tools/style.sh; then
	echo "style: ok"
else
	echo "style: FAILED"
	status=1
fi

run_suite "werror" build-ci
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
run_suite "asan+ubsan" build-asan \
	CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	LDFLAGS="-fsanitize=address,undefined"

echo "=== valgrind memcheck"
for t in build-ci/tests/unit/test-*; do
	[ -x "$t" ] || continue
	case "$t" in *.log|*.trs|*.o) continue ;; esac
	if valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite "$t" >/dev/null 2>"$t.vg"; then
		echo "valgrind: ${t##*/} clean"
	else
		cat "$t.vg"
		echo "valgrind: ${t##*/} FAILED"
		status=1
	fi
done
sh tools/valgrind.sh build-ci || status=1

echo "=== fuzz (60 s per harness)"
if (cd build-ci && make -s fuzz FUZZ_SECONDS=60); then
	echo "fuzz: no crash"
else
	echo "fuzz: FAILED"
	status=1
fi

echo "=== distcheck"
if (cd build-ci && make -s distcheck >distcheck.log 2>&1); then
	echo "distcheck: ok"
else
	tail -40 build-ci/distcheck.log
	# the failed tests' own logs, left in the distcheck tree
	for trs in $(find build-ci -path '*/_build/*' -name '*.trs' 2>/dev/null); do
		grep -Eq '^:test-result: (FAIL|ERROR|XPASS)' "$trs" || continue
		echo "--- distcheck: ${trs%.trs}.log"
		cat "${trs%.trs}.log"
	done
	echo "distcheck: FAILED"
	status=1
fi

# The benchmarks on this machine, for the record: the numbers, beside
# openssl and certtool, and which bars pass. A miss does not fail CI
# (tests do not time things); a bench that cannot run says why.
echo "=== bench (informational)"
if (cd build-ci && make -s bench); then
	echo "bench: done"
else
	echo "bench: did not run to the end (see above)"
fi

# One closing line over both runs: CUnit tests and CLI checks.
passed=0 failed=0
for log in build-ci/tests/unit/*.log build-asan/tests/unit/*.log; do
	[ -f "$log" ] || continue
	set -- $(awk '$1 == "tests" { print $4, $5 }' "$log")
	if [ $# -eq 2 ]; then
		passed=$((passed + $1)) failed=$((failed + $2))
	else
		failed=$((failed + 1))
	fi
done
for log in build-ci/tests/cli/*.log build-asan/tests/cli/*.log; do
	[ -f "$log" ] || continue
	p=$(grep -c '^ok ' "$log") f=$(grep -c '^not ok ' "$log")
	passed=$((passed + p)) failed=$((failed + f))
done
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
