#!/bin/sh
# The lab demo runs end to end: every shipped profile issues a certificate
# that openssl verifies (the demo itself verifies each one).
. "${SRCDIR:-.}/tests/cli/lib.sh"

expect 0 "the lab demo runs end to end" sh "$SRCDIR/examples/lab/demo.sh" "$T/demo"
nprof=$(ls "$SRCDIR"/profiles/*.cfg | wc -l)
assert "one certificate per shipped profile ($nprof)" \
	test "$(ls "$T"/demo/certs/*.crt | wc -l)" -eq "$nprof"
assert "every one recorded in the issuing CA's database" \
	test "$(rows "$T/demo/issuing/roleca.db")" -eq "$nprof"
for crt in "$T"/demo/certs/*.crt; do
	assert "$(basename "$crt") verifies with certtool" sh -c \
	    "cat '$crt' '$T/demo/issuing/ca.crt' | certtool --verify --load-ca-certificate '$T/demo/root/ca.crt'"
done
expect 1 "the demo refuses an existing directory" sh "$SRCDIR/examples/lab/demo.sh" "$T/demo"

finish
