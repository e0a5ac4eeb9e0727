#!/bin/sh
# PKCS#12 files from export and issue: what goes into them, as openssl and
# certtool read it, and what is refused, and when.
. "${SRCDIR:-.}/tests/cli/lib.sh"

cd "$T" || exit 1
make_lab "$T/lab" || { not_ok "lab setup"; finish; exit 1; }
I=$T/lab/issuing
DB=$I/roleca.db
echo secret-pass >pass.txt
S=$(roleca --dir "$I" issue frontend $FE_VARS --out fe01 2>/dev/null)
[ -n "$S" ] || { not_ok "issue for the tests"; finish; exit 1; }

# An encrypted key is named so, in DER as in PEM.
openssl pkcs8 -topk8 -in fe01.key -v2 aes-256-cbc -passout pass:x -outform DER -out enc.der
openssl pkcs8 -topk8 -in fe01.key -v2 aes-256-cbc -passout pass:x -out enc.pem
for f in enc.der enc.pem; do
	expect 1 "export --key with an encrypted key ($f)" roleca --dir "$I" export "$S" \
		--key "$f" --out enc.p12 --p12-pass-file pass.txt
	assert "... says the key is encrypted" err_has "$f: the key is encrypted"
	assert "... not that a passphrase was wrong" sh -c "! grep -q 'wrong passphrase' '$T/err'"
done

finish
