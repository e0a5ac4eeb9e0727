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

# names FILE PASS: the friendly names certtool reads (it decodes the
# BMPString to UTF-8), one a line.
names() {
	certtool --p12-info --inder --infile "$1" --password "$2" 2>/dev/null |
	    sed -n 's/^[[:space:]]*Friendly name: //p'
}
# onames FILE PASSFILE: the same as openssl prints them, one byte for each
# BMPString character (so Latin-1).
onames() {
	openssl pkcs12 -in "$1" -passin "file:$2" -info -nodes 2>/dev/null |
	    LC_ALL=C sed -n 's/^[[:space:]]*friendlyName: //p'
}
# exports: how many export rows the audit log holds.
exports() { sqlite3 "$DB" "SELECT count(*) FROM audit WHERE operation = 'export'"; }
# outcome_has STRING: the audit log's last outcome holds it.
outcome_has() {
	sqlite3 "$DB" 'SELECT outcome FROM audit ORDER BY id DESC LIMIT 1' |
	    grep -qF -- "$1"
}

# A friendly name outside ASCII is UTF-16 in both bags.
cafe=$(printf 'Caf\303\251 srv')
expect 0 "export --friendly-name with an accented letter" roleca --dir "$I" export "$S" \
	--key fe01.key --out cafe.p12 --p12-pass-file pass.txt --friendly-name "$cafe"
assert "... certtool reads it in the key and the certificate bag" \
	test "$(names cafe.p12 secret-pass | grep -cxF "$cafe")" -eq 2
assert "... openssl reads U+00E9, one character, in both" \
	test "$(onames cafe.p12 pass.txt | LC_ALL=C grep -cx "$(printf 'Caf\351 srv')")" -eq 2
expect 0 "issue --p12-legacy --friendly-name with Latin-1 letters" roleca --dir "$I" issue \
	persistent-chat --set server_fqdn=l1.lab.example --out l1 --p12-pass-file pass.txt \
	--p12-legacy --friendly-name "$(printf '\303\234ber \303\277 \302\265')"
assert "... certtool reads it as given" \
	test "$(names l1.p12 secret-pass | grep -cxF "$(printf '\303\234ber \303\277 \302\265')")" -eq 2
n0=$(rows "$DB")
expect 2 "a friendly name beyond Latin-1 is a usage error at issue" roleca --dir "$I" issue \
	persistent-chat --set server_fqdn=cy.lab.example --out cy --p12-pass-file pass.txt \
	--friendly-name "$(printf '\320\241\320\265\321\200\320\262\320\265\321\200')"
assert "... saying which character cannot be stored" err_has "U+0421 cannot be stored"
assert "... in one line" err_one_line
assert "... before any key is made" test ! -e cy.key
assert "... nothing recorded" test "$(rows "$DB")" -eq "$n0"
expect 2 "... and at export" roleca --dir "$I" export "$S" --key fe01.key --out cy.p12 \
	--p12-pass-file pass.txt --friendly-name "$(printf 'srv \342\202\254')"
assert "... naming the option" err_has "--friendly-name: U+20AC cannot be stored"
assert "... writing nothing" test ! -e cy.p12

# A profile's friendly_name is held to the same rules where it is bound.
mkdir -p "$I/profiles"
cat >"$I/profiles/labelled.cfg" <<'CFG'
description = "Persistent Chat with a label in its friendly name";
variables = {
	server_fqdn = { description = "the server's FQDN"; };
	label = { description = "a label"; };
};
subject = { CN = "${server_fqdn}"; };
dns = [ "${server_fqdn}" ];
key = "rsa:2048";
validity_days = 730;
eku = [ "serverAuth" ];
friendly_name = "${label} ${server_fqdn}";
CFG
expect 0 "issue: a profile friendly name with an accent" roleca --dir "$I" issue labelled \
	--set server_fqdn=lb.lab.example --set "label=$(printf 'Caf\303\251')" --out lb \
	--p12-pass-file pass.txt
assert "... is UTF-16 in the PKCS#12 file" \
	test "$(names lb.p12 secret-pass | grep -cxF "$(printf 'Caf\303\251 lb.lab.example')")" -eq 2
n0=$(rows "$DB")
expect 2 "issue: a bound friendly name with U+202E is a usage error" roleca --dir "$I" \
	issue labelled --set server_fqdn=rlo.lab.example --out rlo --p12-pass-file pass.txt \
	--set "label=$(printf 'Evil\342\200\256txt.exe')"
assert "... naming the profile's friendly_name" err_has "profile labelled: friendly_name"
assert "... and why" err_has "bidirectional format character"
assert "... in one line" err_one_line
assert "... before any key is made" test ! -e rlo.key
assert "... nothing recorded" test "$(rows "$DB")" -eq "$n0"
expect 2 "issue: a bound friendly name of 81 characters is a usage error" roleca \
	--dir "$I" issue labelled --set server_fqdn=long.lab.example --out long \
	--p12-pass-file pass.txt --set "label=$(head -c 64 /dev/zero | tr '\0' L)"
assert "... saying the bound" err_has "81 characters, at most 64"
assert "... before any key is made" test ! -e long.key
expect 0 "--friendly-name overrides the bound name" roleca --dir "$I" issue labelled \
	--set server_fqdn=long.lab.example --out long --p12-pass-file pass.txt \
	--set "label=$(head -c 64 /dev/zero | tr '\0' L)" --friendly-name "Long"
# without --p12 the name goes nowhere; export binds it again
R=$(roleca --dir "$I" issue labelled --set server_fqdn=rlo.lab.example --out rlo \
	--set "label=$(printf 'Evil\342\200\256txt.exe')" 2>/dev/null)
expect 2 "export: a bound friendly name with U+202E is a usage error" roleca --dir "$I" \
	export "$R" --key rlo.key --out rlo.p12 --p12-pass-file pass.txt
assert "... naming the profile's friendly_name" err_has "profile labelled: friendly_name"
assert "... writing nothing" test ! -e rlo.p12
expect 0 "... --friendly-name overrides it" roleca --dir "$I" export "$R" --key rlo.key \
	--out rlo.p12 --p12-pass-file pass.txt --friendly-name "Chat rlo"

# A passphrase that Unicode normalization changes would give a file
# that opens nowhere (GnuTLS encrypts under the normalized form and MACs
# under the raw one): refused when it is read.
printf 'pass\302\240word\n' >nbsp.pass
printf 'cafe\314\201-pass\n' >nfd.pass
expect 2 "export: a passphrase with a no-break space is a usage error" roleca --dir "$I" \
	export "$S" --key fe01.key --out nbsp.p12 --p12-pass-file nbsp.pass
assert "... naming the file" err_has "nbsp.pass"
assert "... and why" err_has "Unicode normalization changes it"
assert "... in one line" err_one_line
assert "... writing nothing" test ! -e nbsp.p12
expect 2 "export --p12-legacy: a decomposed accent is a usage error" roleca --dir "$I" \
	export "$S" --key fe01.key --out nfd.p12 --p12-pass-file nfd.pass --p12-legacy
assert "... naming the file" err_has "nfd.pass"
n0=$(rows "$DB")
expect 2 "issue: the same, before any key is made" roleca --dir "$I" issue \
	persistent-chat --set server_fqdn=nb.lab.example --out nb --p12-pass-file nbsp.pass
assert "... no key" test ! -e nb.key
assert "... nothing recorded" test "$(rows "$DB")" -eq "$n0"
printf 'caf\303\251-pass\n' >nfc.pass
for form in "" --p12-legacy; do
	expect 0 "export ${form:-(AES)}: a composed accent, which normalization keeps" \
		roleca --dir "$I" export "$S" --key fe01.key --out "nfc$form.p12" \
		--p12-pass-file nfc.pass $form
	assert "... openssl opens it with the passphrase as typed" sh -c \
		"openssl pkcs12 -in 'nfc$form.p12' -passin file:nfc.pass -nodes | grep -c 'BEGIN' | grep -qx 4"
done

# Passphrase files are judged when read, naming the file.
printf '\377\376\351abcd\n' >latin.pass
expect 2 "a passphrase that is not UTF-8 is a usage error" roleca --dir "$I" export "$S" \
	--key fe01.key --out latin.p12 --p12-pass-file latin.pass
assert "... naming the file" err_has "latin.pass (its first line): not valid UTF-8"
assert "... in one line" err_one_line
n0=$(rows "$DB")
expect 2 "... at issue, before any key is made" roleca --dir "$I" issue persistent-chat \
	--set server_fqdn=la.lab.example --out la --p12-pass-file latin.pass
assert "... no key" test ! -e la.key
assert "... nothing recorded" test "$(rows "$DB")" -eq "$n0"
printf '\357\273\277WinPass1\r\n' >notepad.pass
expect 0 "a Notepad file (byte order mark, CRLF) gives the passphrase typed" roleca \
	--dir "$I" export "$S" --key fe01.key --out notepad.p12 --p12-pass-file notepad.pass
assert "... openssl opens it with WinPass1" openssl pkcs12 -in notepad.p12 -passin pass:WinPass1 \
	-noout
assert "... and certtool" sh -c "certtool --p12-info --inder --infile notepad.p12 \
	--password WinPass1 >/dev/null 2>&1"
printf 'tab\tpass\n' >tab.pass
expect 2 "a tab in the passphrase is a usage error" roleca --dir "$I" export "$S" \
	--key fe01.key --out tab.p12 --p12-pass-file tab.pass
assert "... naming the file" err_has "tab.pass (its first line): a character"
expect 2 "a byte order mark in ROLECA_P12_PASS is a usage error" env \
	ROLECA_P12_PASS="$(printf '\357\273\277abcdef')" "$ROLECA" --dir "$I" export "$S" \
	--key fe01.key --out bom.p12
assert "... naming the variable" err_has "ROLECA_P12_PASS: a character"
head -c 4095 /dev/zero | tr '\0' p >p4095.pass
head -c 4096 /dev/zero | tr '\0' p >p4096.pass
expect 0 "a 4095-character passphrase" roleca --dir "$I" export "$S" --key fe01.key \
	--out p4095.p12 --p12-pass-file p4095.pass
assert "... certtool opens the file with it" sh -c "certtool --p12-info --inder \
	--infile p4095.p12 --password \"\$(cat p4095.pass)\" >/dev/null 2>&1"
expect 2 "a 4096-character passphrase (a full file) is a usage error" roleca --dir "$I" \
	export "$S" --key fe01.key --out p4096.p12 --p12-pass-file p4096.pass
assert "... naming the file and the limit" err_has "p4096.pass (its first line): 4096 characters, at most 4095"
printf '\303\251ab\n' >short.pass
expect 2 "three characters (four bytes) are too short" roleca --dir "$I" export "$S" \
	--key fe01.key --out short.p12 --p12-pass-file short.pass
assert "... naming the file" err_has "short.pass (its first line): the passphrase must be at least 4 characters"
printf '\303\251abc\n' >four.pass
expect 0 "four characters are enough" roleca --dir "$I" export "$S" --key fe01.key \
	--out four.p12 --p12-pass-file four.pass
assert "... openssl opens the file" openssl pkcs12 -in four.p12 -passin file:four.pass -noout

# A revoked certificate is not exported.
R=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=rv.lab.example --out rv 2>/dev/null)
roleca --dir "$I" revoke "$R" --reason superseded >/dev/null 2>&1
expect 1 "export of a revoked certificate is refused" roleca --dir "$I" export "$R" \
	--key rv.key --out rv.p12 --p12-pass-file pass.txt
assert "... saying so" err_has "certificate $R is revoked"
assert "... writing nothing" test ! -e rv.p12

# An encrypted key is named so, in DER as in PEM.
openssl pkcs8 -topk8 -in fe01.key -v2 aes-256-cbc -passout pass:x -outform DER -out enc.der
openssl pkcs8 -topk8 -in fe01.key -v2 aes-256-cbc -passout pass:x -out enc.pem
for f in enc.der enc.pem; do
	expect 1 "export --key with an encrypted key ($f)" roleca --dir "$I" export "$S" \
		--key "$f" --out enc.p12 --p12-pass-file pass.txt
	assert "... says the key is encrypted" err_has "$f: the key is encrypted"
	assert "... not that a passphrase was wrong" sh -c "! grep -q 'wrong passphrase' '$T/err'"
done

# export logs its failures, as issue does.
: >exists.p12
n0=$(exports)
expect 1 "export to a file that exists" roleca --dir "$I" export "$S" --key fe01.key \
	--out exists.p12 --p12-pass-file pass.txt
assert "... is in the audit log" test "$(exports)" -eq $((n0 + 1))
assert "... with its cause" outcome_has "exists.p12: already exists"
expect 1 "export into a directory that does not exist" roleca --dir "$I" export "$S" \
	--key fe01.key --out nodir/x.p12 --p12-pass-file pass.txt
assert "... is in the audit log" test "$(exports)" -eq $((n0 + 2))
assert "... with its cause" outcome_has "directory nodir does not exist"


# A key in OpenSSL's traditional encrypted PEM form is named as encrypted,
# not as unreadable ASN.1; and a certificate on hold is released, not
# issued again.
openssl rsa -in fe01.key -aes256 -traditional -passout pass:abcdefgh -out trad.key 2>/dev/null
expect 1 "export with a key in OpenSSL's traditional encrypted form" roleca --dir "$I" \
	export "$S" --key trad.key --out trad.p12 --p12-pass-file pass.txt
assert "... says it is encrypted" err_has "trad.key: the key is encrypted; roleca keeps server keys unencrypted"
assert "... writing nothing" test ! -e trad.p12
H=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=hold.lab.example --out hold 2>/dev/null)
roleca --dir "$I" revoke "$H" --reason certificateHold 2>/dev/null
expect 1 "export of a certificate on hold" roleca --dir "$I" export "$H" --key hold.key \
	--out hold.p12 --p12-pass-file pass.txt
assert "... says to release it" err_has "certificate $H is on hold (certificateHold): release it first (roleca unrevoke $H)"
roleca --dir "$I" unrevoke "$H" 2>/dev/null
expect 0 "... and once released, exports it" roleca --dir "$I" export "$H" --key hold.key \
	--out hold.p12 --p12-pass-file pass.txt
# --p12 beside --p12-pass-file changes nothing: the file's passphrase,
# not the environment's.
expect 0 "issue --p12 --p12-pass-file together" env ROLECA_P12_PASS='not this one at all' \
	"$ROLECA" --dir "$I" issue persistent-chat --set server_fqdn=both.lab.example \
	--out both --p12 --p12-pass-file pass.txt
assert "... the PKCS#12 file opens with the file's passphrase" \
	openssl pkcs12 -in both.p12 -passin file:pass.txt -noout
# An empty ROLECA_P12_PASS is a variable left exported, named as such.
n0=$(rows "$DB")
expect 2 "issue --p12 with ROLECA_P12_PASS set but empty is a usage error" env ROLECA_P12_PASS= \
	"$ROLECA" --dir "$I" issue persistent-chat --set server_fqdn=empty.lab.example \
	--out empty --p12
assert "... saying it is empty" err_has "ROLECA_P12_PASS is set but empty"
assert "... in one line" err_one_line
assert "... nothing written or recorded" sh -c \
	"test ! -e empty.key -a ! -e empty.p12 && test \$(sqlite3 '$DB' 'SELECT count(*) FROM certs') -eq $n0"
finish
