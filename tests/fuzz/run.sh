#!/bin/sh
# Build the libFuzzer harnesses with clang (ASan + UBSan) and run each for
# FUZZ_SECONDS (default 60), starting from the corpus under corpus/ (seeded
# from the shipped profiles, the lab configs and CSRs made here). A crash
# fails the run; its input is left in the build directory to be kept as a
# regression input under corpus/. fuzz-csr takes inputs as `sign` does;
# fuzz-csr-names signs each parsed input again so that mutated subjects,
# names and extensions get past the signature check.
#
#   sh tests/fuzz/run.sh SRCDIR BUILDDIR
set -eu
src=$(cd "$1" && pwd)
out=$2/fuzz
secs=${FUZZ_SECONDS:-60}
mkdir -p "$out"
# profile.c wants the installed profile directory; a fuzzer has none.
echo '#define PROFILEDIR "/nonexistent"' >"$out/defs.h"
cflags="-g -O1 -std=c11 -D_GNU_SOURCE -include $out/defs.h -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I$src/src"
libs="$(pkg-config --cflags --libs gnutls hogweed nettle gmp libconfig sqlite3)"
mods="util err cfg out sig pass keys ecsig conf profile der x509"
objs=
for m in $mods; do objs="$objs $src/src/$m.c"; done

# Seeds: what roleca reads in real life.
mkdir -p "$out/corpus/csr" "$out/corpus/csr-names" "$out/corpus/profile" "$out/corpus/conf"
cp "$src"/tests/fuzz/corpus/csr/* "$out/corpus/csr/" 2>/dev/null || true
cp "$src"/tests/fuzz/corpus/csr-names/* "$out/corpus/csr-names/" 2>/dev/null || true
cp "$src"/tests/fuzz/corpus/profile/* "$out/corpus/profile/" 2>/dev/null || true
cp "$src"/tests/fuzz/corpus/conf/* "$out/corpus/conf/" 2>/dev/null || true
cp "$src"/profiles/*.cfg "$out/corpus/profile/"
cp "$src"/examples/lab/*.cfg "$out/corpus/conf/"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-subj /CN=a.lab.example -addext subjectAltName=DNS:a.lab.example,IP:10.0.0.1 \
	-out "$out/corpus/csr/seed.pem" 2>/dev/null
openssl req -in "$out/corpus/csr/seed.pem" -outform DER -out "$out/corpus/csr/seed.der"
# RSA-PSS with OpenSSL's default salt: the signature is checked again with
# the salt its parameters name, which mutations reach.
openssl req -new -newkey rsa:2048 -nodes -keyout /dev/null -subj /CN=p.lab.example \
	-sigopt rsa_padding_mode:pss -outform DER -out "$out/corpus/csr/seed-pss.der" 2>/dev/null
# For the names: each kind of name and subject string roleca reads or refuses.
n=0
for ext in "subjectAltName=DNS:a.lab.example,DNS:*.lab.example,IP:10.0.0.1,IP:2001:db8::1" \
    "subjectAltName=email:a@lab.example,URI:http://a.lab.example/" \
    "basicConstraints=critical,CA:TRUE" "keyUsage=critical,digitalSignature"; do
	n=$((n + 1))
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
		-subj "/CN=n$n.lab.example/O=Lab, Inc" -addext "$ext" -outform DER \
		-out "$out/corpus/csr-names/seed$n.der" 2>/dev/null
done
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-utf8 -subj "/CN=b\xc3\xa9.lab.example" -multivalue-rdn -outform DER \
	-out "$out/corpus/csr-names/seed-utf8.der" 2>/dev/null
cp "$out/corpus/csr/seed.der" "$out/corpus/csr-names/"

export LSAN_OPTIONS="suppressions=$src/tests/fuzz/lsan.supp"
status=0
for h in csr csr-names profile conf; do
	clang $cflags -o "$out/fuzz-$h" "$src/tests/fuzz/fuzz-$h.c" $objs $libs
	echo "=== fuzz-$h: $secs s"
	if (cd "$out" && ./fuzz-$h -max_total_time="$secs" -max_len=65536 \
	    -print_final_stats=1 "corpus/$h" 2>"fuzz-$h.log"); then
		grep -E 'stat::number_of_executed_units|stat::peak_rss' \
		    "$out/fuzz-$h.log" | sed "s/^/fuzz-$h /"
	else
		status=1
		tail -40 "$out/fuzz-$h.log"
		echo "fuzz-$h: CRASH (input saved in $out)"
	fi
done
exit $status
