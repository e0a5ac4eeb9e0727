#!/bin/sh
# Revocation and CRLs: revoke, crl, publish into a real nginx on
# 127.0.0.1, fetch the CRL from the path the certificate's CDP names, and
# let openssl decide revocation.
. "${SRCDIR:-.}/tests/cli/lib.sh"

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
cd "$T" || exit 1

# One entry of a CRL as openssl crl -text prints it (FILE, serial in upper
# case), and its dates as Unix times: the revocationDate, the
# invalidityDate (nothing when the entry has none), and the revocation
# date as certtool --crl-info reads it.
entry_of() {
	awk -v s="Serial Number: $2" '/Serial Number:|Signature Algorithm/ {
		on = index($0, s) > 0 } on' "$1"
}
revocation_of() {
	entry_of "$1" "$2" | sed -n 's/.*Revocation Date: //p' |
	    while read -r d; do date -u -d "$d" +%s; done
}
invalidity_of() {
	entry_of "$1" "$2" | awk '/Invalidity Date:/ { getline; print }' |
	    while read -r d; do date -u -d "$d" +%s; done
}
certtool_revocation_of() {
	certtool --crl-info --inder --infile "$1" | awk -v s="$2" '
	    /Serial Number \(hex\):/ { on = $NF == s; next }
	    on && /Revoked at:/ { sub(/.*Revoked at: /, ""); print; on = 0 }' |
	    while read -r d; do date -u -d "$d" +%s; done
}
# within_minute T0 T: T is at T0 or in the minute after it.
within_minute() { [ -n "$2" ] && [ "$2" -ge "$1" ] && [ "$2" -le $(($1 + 60)) ]; }
# The entry (FILE, SERIAL) is there, with a non-critical invalidity date,
# or with none.
noncritical_invalidity() { entry_of "$1" "$2" | grep -q 'Invalidity Date: *$'; }
no_invalidity() {
	entry_of "$1" "$2" | grep -q 'Revocation Date' &&
	    ! entry_of "$1" "$2" | grep -q 'Invalidity Date'
}
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

good=$(roleca --dir "$I" issue frontend $FE_VARS --out good 2>/dev/null)
bad=$(roleca --dir "$I" issue frontend --set pool_fqdn=pool01.lab.example \
	--set server_fqdn=fe02.lab.example --set sip_domain=lab.example --out bad 2>/dev/null)
hold=$(roleca --dir "$I" issue edge-internal --set pool_fqdn=edge.lab.example --out hold 2>/dev/null)

expect 0 "revoke with a reason" roleca --dir "$I" revoke "00$(echo "$bad" | tr a-f A-F)" \
	--reason keyCompromise
assert "... naming the serial as recorded" err_has "roleca: revoke: $bad revoked (keyCompromise)"
assert "the database says revoked" test \
	"$(sqlite3 "$DB" "SELECT status || ',' || reason FROM certs WHERE serial='$bad'")" = revoked,1
expect 1 "revoking it again is refused" roleca --dir "$I" revoke "$bad"
assert "... saying it is already revoked" err_has "already revoked"
expect 1 "an unknown serial is refused" roleca --dir "$I" revoke 0123456789abcdef
assert "... saying so" err_has "no certificate with serial"
expect 2 "an invalid serial is a usage error" roleca --dir "$I" revoke xyz
expect 2 "an unknown reason is a usage error" roleca --dir "$I" revoke "$good" --reason bored
expect 2 "a future date is a usage error" roleca --dir "$I" revoke "$good" --date 2999-01-01
expect 1 "a date before the certificate's notBefore is refused" roleca --dir "$I" revoke "$good" --date 2001-01-01
assert "... saying so" err_has "before its notBefore"
assert "none of these changed the good certificate" test \
	"$(sqlite3 "$DB" "SELECT status FROM certs WHERE serial='$good'")" = valid
# backdated two minutes: after its notBefore (5 minutes back), before now
hold_t=$(($(date +%s) - 120))
hold_rev=$(date +%s)
expect 0 "revoke on hold with a date" roleca --dir "$I" revoke "$hold" \
	--reason certificateHold --date "$(date -u -d "@$hold_t" +%Y-%m-%dT%H:%M:%SZ)"
expect 1 "unrevoke refuses a keyCompromise revocation" roleca --dir "$I" unrevoke "$bad"

expect 0 "crl" roleca --dir "$I" crl --out first.crl
crl=$(cat "$T/out")
assert "the CRL file is named after the CDP URL" test "$crl" = "$I/crl/issuing.crl"
assert "a PEM copy is written" test -f "$I/crl/issuing.crl.pem"
assert "openssl verifies the CRL's signature" \
	openssl crl -in "$crl" -inform DER -noout -verify -CAfile "$I/ca.crt"
openssl crl -in "$crl" -inform DER -noout -text >crl.txt
assert "it is a v2 CRL" grep -q 'Version 2' crl.txt
assert "CRL number 1" sh -c "grep -A1 'X509v3 CRL Number' crl.txt | grep -qx ' *1'"
assert "AKI present" grep -q 'Authority Key Identifier' crl.txt
bad_u=$(echo "$bad" | tr a-f A-F)
hold_u=$(echo "$hold" | tr a-f A-F)
assert "the revoked certificate is listed" grep -q "Serial Number: $bad_u" crl.txt
assert "... with reason keyCompromise" sh -c \
	"grep -A4 'Serial Number: $bad_u' crl.txt | grep -q 'Key Compromise'"
assert "the held certificate is listed with certificateHold" sh -c \
	"grep -A4 'Serial Number: $hold_u' crl.txt | grep -q 'Certificate Hold'"
# RFC 5280 5.1.2.6, 5.3.2: the revocationDate is when the CA processed
# the revocation; the earlier date it was given is the invalidityDate.
assert "... with the revocation date of the revoke command, not the given one" \
	within_minute "$hold_rev" "$(revocation_of crl.txt "$hold_u")"
assert "... and the given date as its invalidity date" test \
	"$(invalidity_of crl.txt "$hold_u")" = "$hold_t"
assert "... a non-critical extension" noncritical_invalidity crl.txt "$hold_u"
assert "certtool reads the same revocation date" test \
	"$(certtool_revocation_of "$crl" "$hold")" = "$(revocation_of crl.txt "$hold_u")"
assert "a revocation without --date has no invalidity date" no_invalidity crl.txt "$bad_u"
roleca --dir "$I" show "$hold" >show.txt 2>&1
assert "show gives the invalidity date" test \
	"$(sed -n 's/^invalidity *//p' show.txt)" = "$(iso "$hold_t")"
assert "... and the revocation date the CRL has" test \
	"$(sed -n 's/^revoked *//p' show.txt)" = "$(iso "$(revocation_of crl.txt "$hold_u")")"
roleca --dir "$I" show "$hold" --json >show.json 2>&1
assert "... and so does show --json" grep -qF \
	"\"revoked\":\"$(iso "$(revocation_of crl.txt "$hold_u")")\",\"reason\":\"certificateHold\",\"invalidity\":\"$(iso "$hold_t")\"" show.json
roleca --dir "$I" show "$bad" >show2.txt 2>&1
roleca --dir "$I" show "$bad" --json >show2.json 2>&1
assert "... but neither names one for a revocation without --date" sh -c \
	"grep -q revoked show2.txt && ! grep -q invalidity show2.txt &&
	jq -e '.revoked != null and .invalidity == null' show2.json >/dev/null"
assert "the good certificate is not listed" sh -c \
	"! grep -q 'Serial Number: $(echo "$good" | tr a-f A-F)' crl.txt"
assert "nextUpdate is thisUpdate + crl_days (7)" sh -c '
	t=$(openssl crl -in "'"$crl"'" -inform DER -noout -lastupdate | cut -d= -f2)
	n=$(openssl crl -in "'"$crl"'" -inform DER -noout -nextupdate | cut -d= -f2)
	test $(( $(date -d "$n" +%s) - $(date -d "$t" +%s) )) -eq 604800'
assert "certtool reads the CRL" certtool --crl-info --inder --infile "$crl"
assert "certtool verifies it against the CA" \
	certtool --verify-crl --infile "$crl.pem" --load-ca-certificate "$I/ca.crt"
assert "--out wrote the same CRL" cmp first.crl "$crl"

expect 0 "unrevoke releases the held certificate" roleca --dir "$I" unrevoke "$hold"
expect 0 "a second crl" roleca --dir "$I" crl
openssl crl -in "$crl" -inform DER -noout -text >crl2.txt
assert "CRL number 2" sh -c "grep -A1 'X509v3 CRL Number' crl2.txt | grep -qx ' *2'"
assert "the released certificate is gone" sh -c "! grep -q 'Serial Number: $hold_u' crl2.txt"

# An empty CRL (no revocations) from the root.
expect 0 "a CRL with no entries" roleca --dir "$L/root" crl
assert "... verifies" openssl crl -in "$L/root/crl/root.crl" -inform DER -noout \
	-verify -CAfile "$L/root/ca.crt"
assert "... and lists nothing" sh -c \
	"openssl crl -in '$L/root/crl/root.crl' -inform DER -noout -text | grep -q 'No Revoked Certificates'"

# openssl decides revocation with the CRLs.
cat "$L/root/ca.crt" "$I/ca.crt" >cas.pem
cat "$L/root/crl/root.crl.pem" "$I/crl/issuing.crl.pem" >crls.pem
assert "openssl -crl_check_all accepts the good leaf" openssl verify -crl_check_all \
	-CAfile cas.pem -CRLfile crls.pem good.crt
run openssl verify -crl_check_all -CAfile cas.pem -CRLfile crls.pem bad.crt
if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
	ok "openssl -crl_check_all rejects the revoked leaf"
else
	not_ok "openssl -crl_check_all rejects the revoked leaf"; show_output
fi

# publish into a web root, and serve it with a real nginx on 127.0.0.1.
W=$T/www/crl
mkdir -p "$W"
expect 0 "publish --to a web directory" roleca --dir "$I" publish --to "$W"
assert "the DER CRL is there" cmp "$W/issuing.crl" "$crl"
assert "the PEM CRL is there" test -f "$W/issuing.crl.pem"
assert "the CA certificate is there as DER (the caIssuers name)" sh -c \
	"openssl x509 -in '$W/issuing.crt' -inform DER -noout"
assert "publish did not re-sign a fresh CRL" sh -c \
	"openssl crl -in '$W/issuing.crl' -inform DER -noout -text | grep -A1 'CRL Number' | grep -qx ' *2'"
expect 0 "publish --new-crl signs a new one" roleca --dir "$I" publish --to "$W" --new-crl
assert "... number 3" sh -c \
	"openssl crl -in '$W/issuing.crl' -inform DER -noout -text | grep -A1 'CRL Number' | grep -qx ' *3'"
assert "no temporary files in the web directory" sh -c "! ls -A '$W' | grep -q tmp"
expect 0 "the root publishes the same way" roleca --dir "$L/root" publish --to "$W"
expect 2 "publish without directories is a usage error" roleca --dir "$L/root" publish

# A revocation makes the CRL due: publish signs one that lists it, at once.
crlno() { echo $(($(openssl crl -in "$1" -inform DER -noout -crlnumber | sed 's/.*=//'))); }
late=$(roleca --dir "$I" issue frontend --set pool_fqdn=pool01.lab.example \
	--set server_fqdn=fe03.lab.example --set sip_domain=lab.example --out late 2>/dev/null)
expect 0 "revoke after the CRL was published" roleca --dir "$I" revoke "$late" --reason keyCompromise
assert "... which says to publish it" err_has "roleca publish to publish it"
expect 0 "publish, with no --new-crl" roleca --dir "$I" publish --to "$W"
assert "... signs a new CRL (number 4)" test "$(crlno "$W/issuing.crl")" = 4
assert "... and says so" err_has "CRL number 4 signed and published"
openssl crl -in "$W/issuing.crl" -inform DER -out late.crl.pem
run openssl verify -crl_check -CAfile "$L/root/ca.crt" -untrusted "$I/ca.crt" \
	-CRLfile late.crl.pem late.crt
if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
	ok "openssl finds the revocation in the published CRL"
else
	not_ok "openssl finds the revocation in the published CRL"; show_output
fi
expect 0 "publish again" roleca --dir "$I" publish --to "$W"
assert "... keeps CRL number 4 (nothing changed)" test "$(crlno "$W/issuing.crl")" = 4
expect 1 "a refused revocation" roleca --dir "$I" revoke "$late"
expect 0 "... and publish" roleca --dir "$I" publish --to "$W"
assert "... still keeps number 4" test "$(crlno "$W/issuing.crl")" = 4
held=$(roleca --dir "$I" issue edge-internal --set pool_fqdn=edge2.lab.example --out held 2>/dev/null)
roleca --dir "$I" revoke "$held" --reason certificateHold 2>/dev/null
expect 0 "a hold is published by the next publish" roleca --dir "$I" publish --to "$W"
assert "... in CRL number 5" test "$(crlno "$W/issuing.crl")" = 5
assert "... which lists it" sh -c "openssl crl -in '$W/issuing.crl' -inform DER -noout -text |
	grep -q 'Serial Number: $(echo "$held" | tr a-f A-F)'"
# A crash between placing the DER and the PEM CRL would leave them apart:
# publish then signs both again rather than spread the older one.
cp "$I/crl/issuing.crl.pem" older.pem
roleca --dir "$I" crl >/dev/null 2>&1
cp older.pem "$I/crl/issuing.crl.pem"
expect 0 "publish with the PEM CRL older than the DER" roleca --dir "$I" publish --to "$W"
assert "... signs both again" test "$(openssl crl -in "$W/issuing.crl.pem" -noout -crlnumber)" = \
	"$(openssl crl -in "$W/issuing.crl" -inform DER -noout -crlnumber)"
assert "... the same CRL in both forms" sh -c \
	"openssl crl -in '$W/issuing.crl.pem' -outform DER | cmp - '$W/issuing.crl'"
roleca --dir "$I" unrevoke "$held" 2>/dev/null
expect 0 "so is its release" roleca --dir "$I" publish --to "$W"
assert "... in CRL number 8" test "$(crlno "$W/issuing.crl")" = 8
assert "... which no longer lists it" sh -c "! openssl crl -in '$W/issuing.crl' -inform DER -noout -text |
	grep -q 'Serial Number: $(echo "$held" | tr a-f A-F)'"
cp -R "$I" "$T/kc"
# A key revoked for keyCompromise may be in other valid certificates
# (renew keeps the key): the revocation names them.
k1=$(roleca --dir "$T/kc" issue persistent-chat --set server_fqdn=kc.lab.example \
	--out "$T/kc1" 2>/dev/null)
k2=$(roleca --dir "$T/kc" renew "$k1" --out "$T/kc2" 2>/dev/null)
expect 0 "revoking a key for keyCompromise" roleca --dir "$T/kc" revoke "$k1" \
	--reason keyCompromise
assert "... names the other valid certificate of the key" \
	err_has "warning: the key is also in 1 valid certificate: $k2; revoke it too"
expect 0 "... which is then revoked too" roleca --dir "$T/kc" revoke "$k2" --reason keyCompromise
assert "... with nothing left to name" sh -c "! grep -q 'is also in' '$T/err'"
# A damaged CRL (a disk error, a hand edit) is due: the next publish, as
# the timer runs it, signs a new one rather than fail until --new-crl.
cp -R "$I" "$T/damaged" && mkdir -p "$T/damaged-www"
echo garbage >"$T/damaged/crl/issuing.crl"
expect 0 "publish with a damaged CRL signs a new one" \
	roleca --dir "$T/damaged" publish --to "$T/damaged-www"
assert "... warning why" err_has "warning: "
assert "... and the CRL it publishes verifies" openssl crl -in "$T/damaged-www/issuing.crl" \
	-inform DER -noout -verify -CAfile "$I/ca.crt"
# Revoking a certificate that has expired is recorded, but no CRL lists
# an expired one: the message says so rather than to publish it.
x=$(roleca --dir "$T/damaged" issue persistent-chat --set server_fqdn=gone.lab.example \
	--out "$T/gone" 2>/dev/null)
sqlite3 "$T/damaged/roleca.db" "UPDATE certs SET not_after = 1000000000 WHERE serial = '$x'"
expect 0 "revoking an expired certificate" roleca --dir "$T/damaged" revoke "$x" --reason superseded
assert "... says no CRL will list it" err_has "it has expired, so no CRL will list it"

# Delta CRLs, as Windows enterprise CAs publish them.
D=$T/delta
mkdir -p "$D"
cat >"$D/delta.cfg" <<CFG
subject = { CN = "Delta CA"; };
key = "ec:p256";
cdp = [ "http://pki.lab.example/crl/delta-base.crl" ];
delta_cdp = [ "http://pki.lab.example/crl/delta-delta.crl" ];
delta_crl_hours = 12;
policy = { permitted_domains = [ "lab.example" ]; };
CFG
roleca --dir "$D/ca" init --config "$D/delta.cfg" 2>/dev/null
old=$(roleca --dir "$D/ca" issue persistent-chat --set server_fqdn=o.lab.example --out "$D/old" 2>/dev/null)
assert "a certificate names the delta CRL (Freshest CRL)" sh -c \
	"openssl x509 -in '$D/old.crt' -noout -text | grep -A2 'Freshest CRL' | grep -q 'delta-delta.crl'"
roleca --dir "$D/ca" revoke "$old" --reason superseded 2>/dev/null
# Times have one-second resolution and a delta repeats a revocation made in
# its base's second rather than risk missing it: keep them apart.
sleep 1
expect 1 "a delta before any base CRL is refused" roleca --dir "$D/ca" crl --delta
expect 0 "a base CRL" roleca --dir "$D/ca" crl
assert "the base CRL points at the delta (Freshest CRL)" sh -c \
	"openssl crl -in '$D/ca/crl/delta-base.crl' -inform DER -noout -text | grep -A2 'Freshest CRL' | grep -q delta-delta.crl"
new=$(roleca --dir "$D/ca" issue persistent-chat --set server_fqdn=n.lab.example --out "$D/new" 2>/dev/null)
sleep 1
new_t=$(($(date +%s) - 120))
new_rev=$(date +%s)
roleca --dir "$D/ca" revoke "$new" --reason keyCompromise --date "$(iso "$new_t")" 2>/dev/null
expect 0 "crl --delta" roleca --dir "$D/ca" crl --delta
assert "it is written under the delta URL's name" test "$(cat "$T/out")" = "$D/ca/crl/delta-delta.crl"
openssl crl -in "$D/ca/crl/delta-delta.crl" -inform DER -noout -text >"$D/delta.txt"
assert "openssl reads the delta and verifies it" openssl crl -in "$D/ca/crl/delta-delta.crl" \
	-inform DER -noout -verify -CAfile "$D/ca/ca.crt"
assert "it carries the Delta CRL Indicator naming base CRL 1" sh -c \
	"grep -A1 'Delta CRL Indicator: critical' '$D/delta.txt' | grep -qx ' *1'"
assert "its CRL number follows the base's (2)" sh -c "grep -A1 'X509v3 CRL Number' '$D/delta.txt' | grep -qx ' *2'"
assert "it lists the revocation made after the base" grep -q "$(echo "$new" | tr a-f A-F)" "$D/delta.txt"
assert "but not the one the base already lists" sh -c "! grep -q '$(echo "$old" | tr a-f A-F)' '$D/delta.txt'"
new_u=$(echo "$new" | tr a-f A-F)
assert "... dated when it was revoked, not at --date" \
	within_minute "$new_rev" "$(revocation_of "$D/delta.txt" "$new_u")"
assert "... with --date as its invalidity date" test \
	"$(invalidity_of "$D/delta.txt" "$new_u")" = "$new_t"
assert "... non-critical" noncritical_invalidity "$D/delta.txt" "$new_u"
assert "certtool reads the delta's revocation date" test \
	"$(certtool_revocation_of "$D/ca/crl/delta-delta.crl" "$new")" = \
	"$(revocation_of "$D/delta.txt" "$new_u")"
assert "nextUpdate is delta_crl_hours (12) after thisUpdate" sh -c '
	t=$(openssl crl -in "'"$D"'/ca/crl/delta-delta.crl" -inform DER -noout -lastupdate | cut -d= -f2)
	n=$(openssl crl -in "'"$D"'/ca/crl/delta-delta.crl" -inform DER -noout -nextupdate | cut -d= -f2)
	test $(( $(date -d "$n" +%s) - $(date -d "$t" +%s) )) -eq 43200'
mkdir -p "$D/www"
expect 0 "publish copies the base and a fresh delta" roleca --dir "$D/ca" publish --to "$D/www"
assert "... naming the delta's number and its base" err_has "delta CRL number 3 (base 1) signed and published"
assert "... both there" test -f "$D/www/delta-base.crl" -a -f "$D/www/delta-delta.crl"
assert "... the delta is CRL number 3" sh -c \
	"openssl crl -in '$D/www/delta-delta.crl' -inform DER -noout -text | grep -A1 'X509v3 CRL Number' | grep -qx ' *3'"
cat "$D/ca/ca.crt" >"$D/cas.pem"
openssl crl -in "$D/ca/crl/delta-base.crl" -inform DER -out "$D/base.pem"
openssl crl -in "$D/www/delta-delta.crl" -inform DER -out "$D/dpem.pem"
run openssl verify -crl_check -use_deltas -CAfile "$D/cas.pem" -CRLfile "$D/base.pem" \
	-CRLfile "$D/dpem.pem" "$D/new.crt"
if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
	ok "openssl -use_deltas rejects a leaf revoked only in the delta"
else
	not_ok "openssl -use_deltas rejects a leaf revoked only in the delta"; show_output
fi
# check --crl reads the one file: that the delta went unread is said.
expect 0 "check --crl with the base alone finds nothing in it" roleca check "$D/new.crt" \
	--ca "$D/ca/ca.crt" --crl "$D/base.pem"
assert "... and says the delta CRL was not read" sh -c \
	"grep -qx '$D/new.crt: compliant (the delta CRL was not read: use --fetch-crl)' '$T/out'"
expect 0 "... in the JSON too" roleca check "$D/new.crt" --ca "$D/ca/ca.crt" --crl "$D/base.pem" --json
assert "... delta_crl_unread" sh -c "jq -e '.delta_crl_unread == true' '$T/out' >/dev/null"
# A hold released after the base: the delta tells peers to drop it.
held=$(roleca --dir "$D/ca" issue persistent-chat --set server_fqdn=h.lab.example --out "$D/held" 2>/dev/null)
roleca --dir "$D/ca" revoke "$held" --reason certificateHold 2>/dev/null
sleep 1
expect 0 "a base CRL listing the hold" roleca --dir "$D/ca" crl
openssl crl -in "$D/ca/crl/delta-base.crl" -inform DER -noout -text >"$D/base2.txt"
assert "the next base CRL has the same dates for the revocation with --date" sh -c \
	"test '$(revocation_of "$D/base2.txt" "$new_u")' = '$(revocation_of "$D/delta.txt" "$new_u")' &&
	test '$(invalidity_of "$D/base2.txt" "$new_u")' = '$new_t'"
assert "... and no invalidity date for the one without" no_invalidity "$D/base2.txt" \
	"$(echo "$old" | tr a-f A-F)"
sleep 1
expect 0 "the hold is released" roleca --dir "$D/ca" unrevoke "$held"
assert "... saying the next delta lists it as removeFromCRL" err_has "valid again; the next CRL drops it, and the next delta CRL lists it as removeFromCRL"
expect 0 "a delta after the release" roleca --dir "$D/ca" crl --delta
held_u=$(echo "$held" | tr a-f A-F)
openssl crl -in "$D/ca/crl/delta-delta.crl" -inform DER -noout -text >"$D/delta2.txt"
assert "the delta lists the released certificate as removeFromCRL" sh -c \
	"grep -A4 'Serial Number: $held_u' '$D/delta2.txt' | grep -q 'Remove From CRL'"
assert "the delta verifies" openssl crl -in "$D/ca/crl/delta-delta.crl" \
	-inform DER -noout -verify -CAfile "$D/ca/ca.crt"
openssl crl -in "$D/ca/crl/delta-base.crl" -inform DER -out "$D/base2.pem"
openssl crl -in "$D/ca/crl/delta-delta.crl" -inform DER -out "$D/dpem2.pem"
run openssl verify -crl_check -CAfile "$D/cas.pem" -CRLfile "$D/base2.pem" "$D/held.crt"
if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
	ok "with the base CRL alone the released certificate is still on hold"
else
	not_ok "with the base CRL alone the released certificate is still on hold"; show_output
fi
expect 0 "openssl -use_deltas accepts it with the delta" openssl verify -crl_check \
	-use_deltas -CAfile "$D/cas.pem" -CRLfile "$D/base2.pem" -CRLfile "$D/dpem2.pem" \
	"$D/held.crt"
expect 2 "crl --delta without delta_cdp is a usage error" roleca --dir "$I" crl --delta
# publish signs the base before the delta: a delta that cannot be written
# must cost no base CRL either.
base_no=$(sqlite3 "$D/ca/roleca.db" "SELECT value FROM counters WHERE name = 'crl_number'")
cp "$D/ca/crl/delta-base.crl" "$D/base-before.crl"
mkdir -p "$D/www2"
mv "$D/ca/crl/delta-delta.crl.pem" "$D/dpem-aside"
mkdir "$D/ca/crl/delta-delta.crl.pem"
expect 1 "publish --new-crl whose delta cannot be written fails" \
	roleca --dir "$D/ca" publish --to "$D/www2" --new-crl
assert "... naming it" err_has "delta-delta.crl.pem"
assert "... taking no CRL number" test \
	"$(sqlite3 "$D/ca/roleca.db" "SELECT value FROM counters WHERE name = 'crl_number'")" = "$base_no"
assert "... and signing no base CRL" cmp -s "$D/ca/crl/delta-base.crl" "$D/base-before.crl"
rmdir "$D/ca/crl/delta-delta.crl.pem"
mv "$D/dpem-aside" "$D/ca/crl/delta-delta.crl.pem"

# delta_cdp edited into an existing CA's ca.cfg: a change carried only by
# a delta that no base CRL names reaches nobody, so the base CRL that does
# not name it is due; edited out again, so is the one that does.
E=$T/later
mkdir -p "$E/www"
sed '/delta_cdp/d; /delta_crl_hours/d' "$D/delta.cfg" >"$E/nodelta.cfg"
roleca --dir "$E/ca" init --config "$E/nodelta.cfg" 2>/dev/null
early=$(roleca --dir "$E/ca" issue persistent-chat --set server_fqdn=early.lab.example \
	--out "$E/early" 2>/dev/null)
roleca --dir "$E/ca" publish --to "$E/www" >/dev/null 2>&1
grep delta_cdp "$D/delta.cfg" >>"$E/ca/ca.cfg"
roleca --dir "$E/ca" revoke "$early" --reason keyCompromise 2>/dev/null
expect 0 "publish once delta_cdp is turned on" roleca --dir "$E/ca" publish --to "$E/www"
assert "... signs a base CRL naming the delta (Freshest CRL)" sh -c \
	"openssl crl -in '$E/www/delta-base.crl' -inform DER -noout -text | grep -A2 'Freshest CRL' | grep -q delta-delta.crl"
openssl crl -in "$E/www/delta-base.crl" -inform DER -out "$E/base.pem"
run openssl verify -crl_check -CAfile "$E/ca/ca.crt" -CRLfile "$E/base.pem" "$E/early.crt"
if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
	ok "... which lists the revocation for a certificate that names no delta"
else
	not_ok "... which lists the revocation for a certificate that names no delta"; show_output
fi
n_on=$(crlno "$E/www/delta-base.crl")
expect 0 "publish again" roleca --dir "$E/ca" publish --to "$E/www"
assert "... keeps that base CRL" test "$(crlno "$E/www/delta-base.crl")" = "$n_on"
sed -i 's|^delta_cdp = .*|delta_cdp = [ "http://pki2.lab.example/crl/delta-delta.crl" ];|' "$E/ca/ca.cfg"
expect 0 "publish once delta_cdp names another URL" roleca --dir "$E/ca" publish --to "$E/www"
assert "... signs a new base CRL" test "$(crlno "$E/www/delta-base.crl")" -gt "$n_on"
assert "... naming the new delta URL" sh -c \
	"openssl crl -in '$E/www/delta-base.crl' -inform DER -noout -text | grep -A2 'Freshest CRL' | grep -q pki2.lab.example"
n_on=$(crlno "$E/www/delta-base.crl")
expect 0 "publish again" roleca --dir "$E/ca" publish --to "$E/www"
assert "... keeps that base CRL" test "$(crlno "$E/www/delta-base.crl")" = "$n_on"
sed -i '/delta_cdp/d' "$E/ca/ca.cfg"
expect 0 "publish once delta_cdp is turned off" roleca --dir "$E/ca" publish --to "$E/www"
assert "... signs a new base CRL" test "$(crlno "$E/www/delta-base.crl")" -gt "$n_on"
assert "... that names no delta" sh -c \
	"! openssl crl -in '$E/www/delta-base.crl' -inform DER -noout -text | grep -q 'Freshest CRL'"
assert "... with no warning: no certificate names the delta" sh -c "! grep -q 'delta CRLs are off' '$T/err'"

# Delta CRLs turned off while certificates still name one: the last delta
# published expires and peers that look for it cannot check them. Said by
# every base CRL until the last of them has expired, also of a database
# from before roleca counted them.
S=$T/stranded
cp -R "$D/ca" "$S"
roleca --dir "$S" issue persistent-chat --set server_fqdn=late.lab.example --out "$D/late" \
	>/dev/null 2>&1
assert "a certificate issued while delta CRLs are on names the delta" sh -c \
	"openssl x509 -in '$D/late.crt' -noout -text | grep -A2 'Freshest CRL' | grep -q 'delta-delta.crl'"
late_day=$(date -u -d "$(openssl x509 -in "$D/late.crt" -noout -enddate | cut -d= -f2)" +%Y-%m-%d)
expect 0 "a base CRL while delta CRLs are on" roleca --dir "$S" crl
assert "... gives no warning" sh -c "! grep -q warning '$T/err'"
sed -i '/delta_cdp/d' "$S/ca.cfg"
expect 0 "a base CRL once delta_cdp is removed" roleca --dir "$S" crl
assert "... warns that certificates still name a delta CRL, until when" err_has \
	"warning: delta CRLs are off (no delta_cdp in ca.cfg), but certificates expiring as late as $late_day name a delta CRL"
expect 0 "publish says so too" roleca --dir "$S" publish --to "$E/www" --new-crl
assert "... once" test "$(grep -c 'delta CRLs are off' "$T/err")" -eq 1
sqlite3 "$S/roleca.db" "DELETE FROM counters WHERE name = 'freshest_until';
	DROP INDEX certs_replaces; ALTER TABLE certs DROP COLUMN replaces; PRAGMA user_version = 9"
expect 0 "a CA database from before the count" roleca --dir "$S" crl
assert "... finds those certificates when it is upgraded" err_has "expiring as late as $late_day name a delta CRL"

# A CRL never outlives the CA certificate that signs it, and an expired
# CA signs none.
printf 'subject = { CN = "Short CA"; };\nkey = "ec:p256";\nvalidity_days = 1;\ncdp = "http://pki.lab.example/crl/short.crl";\n' >short.cfg
roleca --dir short init --config short.cfg 2>/dev/null
expect 0 "a CA valid for one day signs a CRL" roleca --dir short crl
assert "... whose nextUpdate is the CA's notAfter, not 7 days on" test \
	"$(openssl crl -in short/crl/short.crl -inform DER -noout -nextupdate | cut -d= -f2)" = \
	"$(openssl x509 -in short/ca.crt -noout -enddate | cut -d= -f2)"
printf 'subject = { CN = "Old CA"; };\nkey = "ec:p256";\ncdp = "http://pki.lab.example/crl/old.crl";\n' >old.cfg
roleca --dir old init --config old.cfg --csr-out old.csr 2>/dev/null
printf 'cn = "Old CA"\nca\ncert_signing_key\ncrl_signing_key\nactivation_date = "2020-01-01 00:00:00"\nexpiration_date = "2021-01-01 00:00:00"\n' >old.tmpl
certtool --generate-self-signed --load-privkey old/ca.key --template old.tmpl \
	--outfile old/ca.crt 2>/dev/null
cp old/ca.crt old/chain.pem
n_old=$(sqlite3 old/roleca.db "SELECT value FROM counters WHERE name = 'crl_number'")
expect 1 "a CA whose certificate expired (certtool made it) signs no CRL" roleca --dir old crl
assert "... saying when it expired" err_has "old/ca.crt expired at 2021-01-01 00:00:00 UTC"
assert "... in one line, taking no CRL number" sh -c "test \$(wc -l <'$T/err') -eq 1 &&
	test \$(sqlite3 old/roleca.db \"SELECT value FROM counters WHERE name = 'crl_number'\") -eq $n_old"
mkdir -p old-www
expect 1 "... nor does publish" roleca --dir old publish --to old-www
assert "... publishing nothing" test -z "$(ls -A old-www)"

# The base CRL's number and time are recorded together for the deltas:
# when that fails (a trigger stands in for a full disk) neither counter
# moves, and the CRL, written and valid, stands: the deltas stay based on
# the CRL before, as a delta may be (RFC 5280 5.2.4), and a warning says so.
cp -R "$D/ca" "$D/half"
sqlite3 "$D/half/roleca.db" "CREATE TRIGGER base_time_full BEFORE INSERT ON counters
	WHEN NEW.name = 'base_crl_time' BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
base_before=$(sqlite3 "$D/half/roleca.db" "SELECT value FROM counters WHERE name = 'base_crl_number'")
expect 0 "a CRL whose base counters cannot be recorded is written all the same" roleca --dir "$D/half" crl
half_no=$(crlno "$D/half/crl/delta-base.crl")
assert "... with one warning line: the deltas stay based on the CRL before" sh -c \
	"grep -c warning '$T/err' | grep -qx 1 && grep -qF \"warning: CRL number $half_no is not recorded as the delta CRLs' base ($D/half/roleca.db: set counter: disk full): they stay based on the CRL before\" '$T/err'"
assert "... the base number unchanged" test \
	"$(sqlite3 "$D/half/roleca.db" "SELECT value FROM counters WHERE name = 'base_crl_number'")" = "$base_before"
expect 0 "... and the next delta CRL" roleca --dir "$D/half" crl --delta
assert "... names that base (Delta CRL Indicator $base_before)" sh -c "openssl crl \
	-in '$D/half/crl/delta-delta.crl' -inform DER -noout -text |
	grep -A1 'Delta CRL Indicator' | tail -1 | grep -qw '$base_before'"

# A delta CRL named like the CRL (or its .pem) would overwrite it.
for dname in delta-base.crl delta-base.crl.pem; do
	sed "s|delta-delta.crl|$dname|" "$D/delta.cfg" >"$D/clash.cfg"
	expect 1 "init refuses delta_cdp naming the file $dname" roleca --dir "$D/clash" \
		init --config "$D/clash.cfg"
	assert "... naming the line" err_has "clash.cfg:4: 'delta_cdp' names the file '$dname'"
	assert "... and makes no CA" test ! -e "$D/clash"
done
# The CA certificate, named by ca_issuers, must not take a CRL's file,
# and is DER: not a .p7c (a CMS certs-only message).
for cname in delta-base.crl delta-base.crl.pem delta-delta.crl delta-delta.crl.pem; do
	{ cat "$D/delta.cfg"; echo "ca_issuers = [ \"http://pki.lab.example/crl/$cname\" ];"; } \
		>"$D/clash.cfg"
	expect 1 "init refuses ca_issuers naming the file $cname" roleca --dir "$D/clash" \
		init --config "$D/clash.cfg"
	assert "... naming the line" err_has "clash.cfg:7: 'ca_issuers' names the file '$cname'"
	assert "... and makes no CA" test ! -e "$D/clash"
done
{ cat "$D/delta.cfg"; echo 'ca_issuers = [ "http://pki.lab.example/crl/ca.p7c" ];'; } >"$D/clash.cfg"
expect 1 "init refuses a .p7c ca_issuers name" roleca --dir "$D/clash" init --config "$D/clash.cfg"
assert "... saying why" err_has "a CMS certs-only file (RFC 2585)"
cp -R "$D/ca" "$D/clash"
sed "s|delta-delta.crl|delta-base.crl|" "$D/ca/ca.cfg" >"$D/clash/ca.cfg"
cp "$D/clash/crl/delta-base.crl" "$D/base-kept.crl"
for c in "crl" "crl --delta" "publish --to $D/www"; do
	expect 1 "a CA whose ca.cfg was edited so: $c is refused" roleca --dir "$D/clash" $c
	assert "... saying why" err_has "the delta CRL's file name 'delta-base.crl' is the CRL's"
done
assert "... and its CRL is intact" cmp "$D/base-kept.crl" "$D/clash/crl/delta-base.crl"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$NGINX" ]; then
	free_port port || exit 1
	mkdir -p "$T/nginx"
	cat >"$T/nginx/nginx.conf" <<NG
daemon on;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 16; }
http {
	access_log off;
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx;
	scgi_temp_path $T/nginx;
	types { application/pkix-crl crl; application/pkix-cert crt; }
	server {
		listen 127.0.0.1:$port;
		server_name pki.lab.example;
		root $T/www;
	}
}
NG
	# nginx's workers run unprivileged: let them into the temporary tree.
	chmod a+rx "$T" "$T/www" "$W"
	if "$NGINX" -c "$T/nginx/nginx.conf" -p "$T/nginx" 2>"$T/nginx/start.err"; then
		ok "nginx started on 127.0.0.1:$port"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			curl -s -o /dev/null "http://127.0.0.1:$port/" && break
			sleep 0.2
		done
		path=$(openssl x509 -in bad.crt -noout -ext crlDistributionPoints |
			grep -o 'URI:http://[^ ]*' | sed 's|URI:http://[^/]*||')
		assert "the CDP path is /crl/issuing.crl" test "$path" = /crl/issuing.crl
		assert "the CRL is served from the CDP path" \
			curl -sf -o fetched.crl "http://127.0.0.1:$port$path"
		assert "... as application/pkix-crl" sh -c \
			"curl -sI http://127.0.0.1:$port$path | grep -qi 'content-type: application/pkix-crl'"
		assert "... byte for byte" cmp fetched.crl "$W/issuing.crl"
		openssl crl -in fetched.crl -inform DER -out fetched.pem 2>/dev/null
		openssl crl -in "$L/root/crl/root.crl" -inform DER -out root.pem 2>/dev/null
		cat fetched.pem root.pem >fetched-crls.pem
		run openssl verify -crl_check_all -CAfile cas.pem -CRLfile fetched-crls.pem bad.crt
		if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
			ok "with the fetched CRL, openssl rejects the revoked leaf"
		else
			not_ok "with the fetched CRL, openssl rejects the revoked leaf"; show_output
		fi
		assert "with the fetched CRL, openssl accepts the good leaf" openssl verify \
			-crl_check_all -CAfile cas.pem -CRLfile fetched-crls.pem good.crt
		kill "$(cat "$T/nginx/nginx.pid")" 2>/dev/null
		sleep 0.2
	else
		not_ok "nginx started"; sed 's/^/#   /' "$T/nginx/start.err"
	fi
else
	not_ok "nginx is installed (tools/quickstart.sh installs nginx-light)"
fi

# Two crl runs at once: the file on disk is always the last number signed.
mismatch=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	"$ROLECA" --dir "$I" crl >/dev/null 2>&1 &
	p1=$!
	"$ROLECA" --dir "$I" crl >/dev/null 2>&1 &
	p2=$!
	wait "$p1" "$p2"
	f=$(($(openssl crl -in "$crl" -inform DER -noout -crlnumber | sed 's/crlNumber=//')))
	d=$(sqlite3 "$DB" "SELECT value FROM counters WHERE name = 'crl_number'")
	[ "$f" -eq "$d" ] || mismatch=$((mismatch + 1))
done
assert "concurrent crl runs never leave an older CRL on disk (20 pairs)" test "$mismatch" -eq 0
roleca --dir "$I" crl >/dev/null 2>&1

# Rows expiring over many days are read in shares (17-byte serials, which
# roleca's own 16-byte ones cannot be mistaken for), one connection and
# thread each, split by not_after: the CRL still lists every one of them,
# once, with its reason, in the order of the index.
now=$(date +%s)
sqlite3 "$DB" "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c
	WHERE i < 300) INSERT INTO certs (serial, subject, sans, profile, vars,
	not_before, not_after, issued_at, status, revoked_at, reason, der,
	revoked_recorded) SELECT printf('7e%032x', i), 'CN=s' || i, '', 'frontend',
	'', $now - 3600, $now + 86400 * i, $now - 3600, 'revoked',
	$now - 3607 * i, 1 + i % 5, x'3000', $now - 60 FROM c"
nrev=$(sqlite3 "$DB" "SELECT count(*) FROM certs WHERE status = 'revoked'
	AND not_after > $now")
expect 0 "crl over rows expiring on 300 different days" roleca --dir "$I" crl
openssl crl -in "$crl" -inform DER -noout -text >shares.txt
assert "openssl verifies it" openssl crl -in "$crl" -inform DER -noout \
	-verify -CAfile "$I/ca.crt"
assert "it lists every revoked, unexpired row ($nrev)" test \
	"$(grep -c 'Serial Number:' shares.txt)" -eq "$nrev"
assert "... each once" test "$(grep 'Serial Number:' shares.txt | sort -u |
	wc -l)" -eq "$nrev"
assert "... in not_after order (the index's)" test "$(grep -o \
	'Serial Number: 7E[0-9A-F]\{32\}$' shares.txt | tr -d ' ' | cut -d: -f2 |
	tr -d '\n' | md5sum)" = "$(sqlite3 "$DB" "SELECT upper(serial) FROM certs
	WHERE serial LIKE '7e%' AND length(serial) = 34 ORDER BY not_after" | tr -d '\n' | md5sum)"
assert "... with their reasons (row 8: superseded)" sh -c \
	"grep -A4 'Serial Number: 7E0*8\$' shares.txt | grep -q Superseded"
# each share's dates from its own thread: every one as the database has it
awk '/Serial Number: 7E/ && length($3) == 34 { s = tolower($3) }
	/Revocation Date:/ && s { sub(/.*Revocation Date: /, ""); print s, $0; s = "" }' \
	shares.txt | while read -r s d; do
	echo "$s $(date -u -d "$d" +%s)"
done | sort >dates.crl
sqlite3 -separator ' ' "$DB" "SELECT serial, revoked_at FROM certs
	WHERE serial LIKE '7e%' AND length(serial) = 34 ORDER BY serial" |
	sort >dates.db
assert "... and their revocation dates (300 rows, 13 days)" cmp dates.crl dates.db

# Bad input changes nothing: a failed crl or publish takes no CRL number,
# replaces no CRL, prints no path and leaves no temporary.
crl_num() { sqlite3 "$1" "SELECT value FROM counters WHERE name = 'crl_number'"; }
no_tmp() { ! ls -A "$@" | grep -q 'tmp-'; }
n0=$(crl_num "$DB")
cp "$crl" kept.crl
cp "$crl.pem" kept.pem
expect 1 "crl --out into a missing directory fails" roleca --dir "$I" crl \
	--out "$T/nonexistent/x.crl"
assert "... in one line naming the file" sh -c \
	"grep -qF '$T/nonexistent/x.crl' '$T/err' && test \$(wc -l <'$T/err') -eq 1"
assert "... printing no path" test ! -s "$T/out"
assert "... without taking a CRL number ($n0)" test "$(crl_num "$DB")" = "$n0"
mkdir -p outdir
expect 1 "crl --out a directory fails" roleca --dir "$I" crl --out outdir
assert "... saying it is a directory" err_has "outdir: is a directory"
assert "... without taking a CRL number" test "$(crl_num "$DB")" = "$n0"
assert "... writing nothing into it" test -z "$(ls -A outdir)"
expect 2 "crl --out '' is a usage error" roleca --dir "$I" crl --out ""
assert "... naming --out" err_has "--out: empty file name"
assert "... without taking a CRL number" test "$(crl_num "$DB")" = "$n0"
expect 2 "crl --out the CRL's own file is a usage error" roleca --dir "$I" crl \
	--out "$crl"
assert "... without taking a CRL number" test "$(crl_num "$DB")" = "$n0"
# The CA's own files: --out must never replace them, however spelled.
sha_ca() { (cd "$I" && sha256sum ca.key ca.crt ca.cfg chain.pem); }
sha_ca >ca-files.sum
for f in roleca.db ca.key ca.crt ca.cfg crl/other.crl; do
	expect 2 "crl --out $f in the CA directory is refused" roleca --dir "$I" \
		crl --out "$I/$f"
	assert "... saying why" err_has "--out $I/$f: is in $I"
	assert "... in one line" err_one_line
done
expect 2 "crl --out into another CA's directory (the root's) is refused too" \
	roleca --dir "$I" crl --out "$L/root/ca.crt"
assert "... saying it is a CA directory" err_has "--out $L/root/ca.crt: is in $L/root, a CA directory"
expect 2 "publish --to another CA's directory is refused too" \
	roleca --dir "$I" publish --to "$L/root" --new-crl
assert "... saying it is a CA directory" err_has "publish directory $L/root: is a CA directory"
expect 2 "... also when spelled through .." roleca --dir "$I" crl \
	--out "$I/crl/../ca.key"
assert "... without taking a CRL number" test "$(crl_num "$DB")" = "$n0"
assert "... and the key, certificate, configuration and chain are intact" \
	sh -c "(cd '$I' && sha256sum -c --quiet '$T/ca-files.sum')"
assert "... and the database still reads" test "$(rows "$DB")" -gt 0
assert "... nothing written in DIR/crl" test ! -e "$I/crl/other.crl"
expect 2 "publish --to the CA directory is refused, a usage error as for crl --out" \
	roleca --dir "$I" publish --to "$I" --new-crl
assert "... saying why" err_has "publish directory $I: is a CA directory"
expect 2 "publish --to its crl/ too" roleca --dir "$I" publish --to "$I/crl/" --new-crl
assert "... without taking a CRL number" test "$(crl_num "$DB")" = "$n0"
assert "... and the CA's files are intact" \
	sh -c "(cd '$I' && sha256sum -c --quiet '$T/ca-files.sum')"
assert "none of them replaced the CA's CRL" cmp kept.crl "$crl"
assert "... or its PEM" cmp kept.pem "$crl.pem"
assert "... or left a temporary in DIR/crl" no_tmp "$I/crl"

P=$T/pub
mkdir -p "$P"
expect 1 "publish --to a missing directory fails" roleca --dir "$I" publish \
	--to "$T/nonexistent" --new-crl
assert "... in one line naming it" sh -c "grep -qF \
	'$T/nonexistent: publish directory does not exist' '$T/err' &&
	test \$(wc -l <'$T/err') -eq 1"
assert "... printing no path" test ! -s "$T/out"
assert "... before signing: the CRL number is unchanged" \
	test "$(crl_num "$DB")" = "$n0"
assert "... and so is the CA's CRL" cmp kept.crl "$crl"
: >notadir
expect 1 "publish --to a file fails" roleca --dir "$I" publish --to notadir \
	--new-crl
assert "... saying it is not a directory" err_has "notadir: publish directory: not a directory"
assert "... the CRL number unchanged" test "$(crl_num "$DB")" = "$n0"
expect 2 "publish --to '' is a usage error" roleca --dir "$I" publish --to "" \
	--new-crl
assert "... the CRL number unchanged" test "$(crl_num "$DB")" = "$n0"
mkdir "$P/issuing.crt"
expect 1 "publish with one target file blocked (a directory) fails" \
	roleca --dir "$I" publish --to "$P" --new-crl
assert "... naming that file" err_has "$P/issuing.crt: is a directory"
assert "... printing no path" test ! -s "$T/out"
assert "... placing nothing, leaving no temporary" \
	test "$(ls -A "$P")" = issuing.crt
assert "... the CRL number unchanged" test "$(crl_num "$DB")" = "$n0"
assert "... and the CA's CRL" cmp kept.crl "$crl"
rmdir "$P/issuing.crt"
# A failure while staging (the CA's PEM CRL unreadable) places nothing.
mv "$crl.pem" kept-ca.pem
mkdir "$crl.pem"
expect 1 "publish failing while staging fails" roleca --dir "$I" publish --to "$P"
assert "... naming the file" err_has "$crl.pem: is a directory"
assert "... printing no path" test ! -s "$T/out"
assert "... placing nothing and removing its temporaries" test -z "$(ls -A "$P")"
assert "... the CRL number unchanged" test "$(crl_num "$DB")" = "$n0"
rmdir "$crl.pem"
mv kept-ca.pem "$crl.pem"
expect 0 "then publish --new-crl succeeds" roleca --dir "$I" publish --to "$P" \
	--new-crl
assert "... printing the three paths it placed, the CA certificate first" \
	test "$(cat "$T/out")" = "$P/issuing.crt
$P/issuing.crl
$P/issuing.crl.pem"
assert "... with the next CRL number ($((n0 + 1)))" \
	test "$(crl_num "$DB")" = $((n0 + 1))
assert "... the published CRL is that number" test "$(($(openssl crl -in \
	"$P/issuing.crl" -inform DER -noout -crlnumber | sed 's/crlNumber=//')))" \
	-eq $((n0 + 1))
openssl x509 -in "$P/issuing.crt" -inform DER -out pub-ca.pem 2>/dev/null
assert "... and openssl verifies it with the published CA certificate" \
	openssl crl -in "$P/issuing.crl" -inform DER -noout -verify -CAfile pub-ca.pem
assert "... the PEM too" openssl crl -in "$P/issuing.crl.pem" -noout -verify \
	-CAfile "$I/ca.crt"
assert "... no temporaries left" no_tmp "$P"

# A URL's file name is its last path segment with the query and fragment
# stripped first; an empty one falls back to ca.crl (and the CA
# certificate's to ca.crt), also when the query holds a '/'.
Q=$T/query
mkdir -p "$Q/www1" "$Q/www2"
cat >"$Q/q.cfg" <<CFG
subject = { CN = "Query CA"; };
key = "ec:p256";
cdp = [ "http://pki.example.com/crl/?a=b" ];
ca_issuers = [ "http://pki.example.com/aia/?c=d/e.crt" ];
publish = [ "$Q/www1", "$Q/www2" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
roleca --dir "$Q/ca" init --config "$Q/q.cfg" 2>/dev/null
QDB=$Q/ca/roleca.db
expect 0 "crl with a CDP URL ending in /?a=b" roleca --dir "$Q/ca" crl
assert "... writes DIR/crl/ca.crl" test "$(cat "$T/out")" = "$Q/ca/crl/ca.crl"
assert "... which openssl verifies" openssl crl -in "$Q/ca/crl/ca.crl" \
	-inform DER -noout -verify -CAfile "$Q/ca/ca.crt"
assert "... and its PEM" openssl crl -in "$Q/ca/crl/ca.crl.pem" -noout \
	-verify -CAfile "$Q/ca/ca.crt"
qn=$(crl_num "$QDB")
rmdir "$Q/www2"
expect 1 "publish with the second publish directory missing fails" \
	roleca --dir "$Q/ca" publish --new-crl
assert "... naming it" err_has "$Q/www2: publish directory does not exist"
assert "... placing nothing in the first" test -z "$(ls -A "$Q/www1")"
assert "... printing no path" test ! -s "$T/out"
assert "... the CRL number unchanged" test "$(crl_num "$QDB")" = "$qn"
mkdir "$Q/www2"
expect 0 "publish into both" roleca --dir "$Q/ca" publish --new-crl
assert "... names the files ca.crt, ca.crl, ca.crl.pem" test "$(cat "$T/out")" = \
	"$Q/www1/ca.crt
$Q/www1/ca.crl
$Q/www1/ca.crl.pem
$Q/www2/ca.crt
$Q/www2/ca.crl
$Q/www2/ca.crl.pem"
assert "... the CRL number taken once" test "$(crl_num "$QDB")" = $((qn + 1))
openssl x509 -in "$Q/www2/ca.crt" -inform DER -out "$Q/pub.pem" 2>/dev/null
assert "... and openssl verifies the published CRL with the published certificate" \
	openssl crl -in "$Q/www2/ca.crl" -inform DER -noout -verify -CAfile "$Q/pub.pem"
assert "... identical in both" cmp "$Q/www1/ca.crl" "$Q/www2/ca.crl"
assert "... no temporaries left" no_tmp "$Q/www1" "$Q/www2"

# A damaged index: the CRL's covering index emptied (its one leaf page's
# cell count zeroed, as a torn write or bad disk might leave it) must not
# yield a CRL that leaves the revoked certificates out.
Z=$T/damaged-index
make_lab "$Z" >/dev/null 2>&1
for i in 1 2 3; do
	s=$(roleca --dir "$Z/issuing" issue persistent-chat \
	    --set server_fqdn=z$i.lab.example --out "$Z/z$i" 2>/dev/null)
	roleca --dir "$Z/issuing" revoke "$s" 2>/dev/null
done
roleca --dir "$Z/issuing" crl >/dev/null 2>&1
ZDB=$Z/issuing/roleca.db
sqlite3 "$ZDB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
root=$(sqlite3 "$ZDB" "SELECT rootpage FROM sqlite_master WHERE name = 'certs_revoked'")
psize=$(sqlite3 "$ZDB" 'PRAGMA page_size')
assert "the index is one leaf page" test \
	"$(od -An -tx1 -j $(((root - 1) * psize)) -N1 "$ZDB" | tr -d ' ')" = 0a
printf '\000\000' | dd of="$ZDB" bs=1 seek=$(((root - 1) * psize + 3)) conv=notrunc \
	2>/dev/null
before=$(cksum <"$Z/issuing/crl/issuing.crl")
expect 1 "crl over a damaged index fails" roleca --dir "$Z/issuing" crl
assert "... saying the database is damaged" err_has "indexes disagree"
assert "... in one line" err_one_line
assert "... leaving the last CRL as it was" test "$(cksum <"$Z/issuing/crl/issuing.crl")" = "$before"
sqlite3 "$ZDB" 'REINDEX' >/dev/null
expect 0 "after REINDEX crl works again" roleca --dir "$Z/issuing" crl
assert "... listing all three (openssl)" test "$(openssl crl -in "$Z/issuing/crl/issuing.crl" \
	-inform DER -noout -text | grep -c 'Serial Number')" -eq 3

# What a killed crl left in crl/ (its temporaries, hidden) goes at the
# next one, under the same lock; a fresh one, maybe a live run's, stays.
: >"$I/crl/.issuing.crl.tmp-AbC123"
: >"$I/crl/.issuing.crl.pem.tmp-xYz789"
touch -d '2 minutes ago' "$I/crl/.issuing.crl.tmp-AbC123" "$I/crl/.issuing.crl.pem.tmp-xYz789"
: >"$I/crl/.issuing.crl.tmp-Fresh1"
expect 0 "crl after a killed one" roleca --dir "$I" crl
assert "... removes its stale temporaries" test ! -e "$I/crl/.issuing.crl.tmp-AbC123" \
	-a ! -e "$I/crl/.issuing.crl.pem.tmp-xYz789"
assert "... and leaves a fresh one and the lock" test -e "$I/crl/.issuing.crl.tmp-Fresh1" -a -e "$I/crl/.lock"
rm -f "$I/crl/.issuing.crl.tmp-Fresh1"


# crl/.lock: CRLs are dated when they are signed, and publish holds the
# lock until its copies are placed, so that a run slowed down (a lock, a
# passphrase, a disk) never places older CRLs over newer ones.
K=$T/locked
cp -R "$D/ca" "$K"
sed -i '/delta_cdp/d' "$K/ca.cfg"
mkdir -p "$T/kwww"
t0=$(date +%s)
flock "$K/crl/.lock" sleep 3 &
holder=$!
sleep 0.5
expect 0 "crl waits for a CRL being made" roleca --dir "$K" crl
wait "$holder"
tu=$(date -u -d "$(openssl crl -in "$K/crl/delta-base.crl" -inform DER -noout -lastupdate | cut -d= -f2)" +%s)
assert "... and is dated when it is signed, not when it started" test "$tu" -ge $((t0 + 2))
if strace -f -qq -o /dev/null -e trace=exit_group -e inject=exit_group:delay_enter=1 true 2>/dev/null; then
	# the fifth rename: publish's last copy (the CRL's, its PEM, ca.crt);
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -o /dev/null -e trace=rename -e inject=rename:delay_enter=2000000:when=5 \
		"$ROLECA" --dir "$K" publish --to "$T/kwww" --new-crl >/dev/null 2>"$T/kpub.err" &
	pub=$!
	sleep 1
	run flock -n "$K/crl/.lock" true
	assert "publish holds crl/.lock while it places its copies" test "$rc" -ne 0
	wait "$pub"
	assert "... and then publishes" test "$?" -eq 0 -a -s "$T/kwww/delta-base.crl"
	assert "... the CRL it signed" test "$(crlno "$T/kwww/delta-base.crl")" = \
		"$(crlno "$K/crl/delta-base.crl")"
else
	ok "publish holds crl/.lock while it places its copies # skip: no strace that can delay"
fi
# A CRL dated ahead of the clock (signed while it ran fast) is refused by
# verifiers until then: publish signs a new one at once, and says why.
cp -R "$L/root" "$T/fast"
mkdir -p fast-ca/newcerts && : >fast-ca/index.txt && echo 7F >fast-ca/crlnumber
printf '[ca]\ndefault_ca = c\n[c]\ndatabase = %s\nnew_certs_dir = %s\ncertificate = %s\nprivate_key = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = 7\n' \
	"$T/fast-ca/index.txt" "$T/fast-ca/newcerts" "$T/fast/ca.crt" "$T/fast/ca.key" \
	"$T/fast-ca/crlnumber" >fast-ca/ca.cnf
ahead=$(date -u -d '+2 days' +%Y%m%d%H%M%SZ)
if openssl ca -gencrl -config fast-ca/ca.cnf -crl_lastupdate "$ahead" \
    -out "$T/fast/crl/root.crl.pem" 2>/dev/null; then
	openssl crl -in "$T/fast/crl/root.crl.pem" -outform DER -out "$T/fast/crl/root.crl"
	mkdir -p fastpub
	expect 0 "publish over a CRL dated two days ahead" roleca --dir "$T/fast" publish --to fastpub
	assert "... warns that it is ahead of the clock" err_has "is dated ahead of this clock; a new CRL is signed"
	assert "... and publishes one openssl takes as valid now" sh -c \
		"openssl crl -in fastpub/root.crl -inform DER -noout -CAfile '$T/fast/ca.crt' 2>&1 | grep -q 'verify OK' &&
		openssl verify -crl_check -CAfile '$T/fast/ca.crt' -CRLfile fastpub/root.crl.pem '$T/fast/ca.crt' >/dev/null"
else
	ok "a CRL dated ahead # SKIP: openssl ca has no -crl_lastupdate"
fi
# A certificate revoked as superseded, then found compromised: the reason
# becomes keyCompromise, the revocation date stays, and the key is refused.
openssl req -new -newkey rsa:2048 -nodes -keyout late.key -subj /CN=kclate.lab.example \
	-addext subjectAltName=DNS:kclate.lab.example -out late.csr 2>/dev/null
kl=$(roleca --dir "$I" sign persistent-chat --csr late.csr --out kclate 2>/dev/null)
roleca --dir "$I" revoke "$kl" --reason superseded 2>/dev/null
was=$(sqlite3 "$DB" "SELECT revoked_at FROM certs WHERE serial = '$kl'")
expect 1 "revoking it again as cessationOfOperation is refused" roleca --dir "$I" revoke "$kl" \
	--reason cessationOfOperation
assert "... saying only keyCompromise may follow" err_has "is already revoked; only keyCompromise may follow"
expect 0 "revoking it again as keyCompromise is recorded" roleca --dir "$I" revoke "$kl" \
	--reason keyCompromise
assert "... saying what it was" err_has "revoked (keyCompromise, no longer superseded, its revocation date kept)"
assert "... the revocation date kept" test \
	"$(sqlite3 "$DB" "SELECT revoked_at || ',' || reason FROM certs WHERE serial = '$kl'")" = "$was,1"
expect 0 "... and the next CRL" roleca --dir "$I" crl --out kl.crl
KL=$(echo "$kl" | tr a-f A-F)
assert "... lists it as Key Compromise, as openssl reads it" sh -c \
	"openssl crl -in kl.crl -inform DER -noout -text | awk -v s='Serial Number: $KL' '/Serial Number:/ { on = index(\$0, s) > 0 } on' | grep -q 'Key Compromise'"
expect 3 "... and its key is refused from then on" roleca --dir "$I" sign persistent-chat \
	--csr late.csr --out kclate2
expect 1 "revoking it a third time is refused" roleca --dir "$I" revoke "$kl" --reason keyCompromise
assert "... already keyCompromise" err_has "already revoked (keyCompromise)"
# The audit log records each revocation as it was made: its reason, its
# invalidity date, and the reason it replaced. last_outcome SERIAL: its
# latest successful revocation's.
last_outcome() {
	sqlite3 "$DB" "SELECT outcome FROM audit WHERE operation = 'revoke' AND
	    serial = '$1' AND outcome LIKE 'ok%' ORDER BY id DESC LIMIT 1"
}
assert "the audit log has the keyCompromise that replaced superseded" test \
	"$(last_outcome "$kl")" = "ok: keyCompromise (was superseded)"
assert "... and the first revocation's reason" test \
	"$(sqlite3 "$DB" "SELECT outcome FROM audit WHERE operation = 'revoke' AND
	    serial = '$kl' ORDER BY id LIMIT 1")" = "ok: superseded"
assert "... a hold with its invalidity date" test \
	"$(sqlite3 "$DB" "SELECT outcome FROM audit WHERE operation = 'revoke' AND
	    serial = '$hold' ORDER BY id LIMIT 1")" = \
	"ok: certificateHold, invalid since $(iso "$hold_t")"
nr=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=noreason.lab.example \
	--out noreason 2>/dev/null)
roleca --dir "$I" revoke "$nr" 2>/dev/null
assert "... and a revocation without a reason as unspecified" test \
	"$(last_outcome "$nr")" = "ok: unspecified"
fh=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=fhold.lab.example \
	--out fhold 2>/dev/null)
roleca --dir "$I" revoke "$fh" --reason certificateHold 2>/dev/null
fh_at=$(sqlite3 "$DB" "SELECT revoked_at FROM certs WHERE serial = '$fh'")
expect 0 "a hold made final" roleca --dir "$I" revoke "$fh" --reason cessationOfOperation
assert "... is logged with the hold's time as its invalidity date" test \
	"$(last_outcome "$fh")" = \
	"ok: cessationOfOperation, invalid since $(iso "$fh_at") (was certificateHold)"
# Only a regular file is replaced: a symbolic link, a FIFO or a device at
# --out stays as it was, and the CRL takes no number.
mkdir special
echo kept >special/target
ln -s target special/link
mkfifo special/fifo
num=$(sqlite3 "$DB" "SELECT value FROM counters WHERE name = 'crl_number'")
expect 1 "crl --out onto a symbolic link is refused" roleca --dir "$I" crl --out special/link
assert "... in one line saying so" sh -c "grep -qx 'roleca: crl: special/link: is a symbolic link, not a regular file; only a file is replaced' '$T/err'"
assert "... the link kept" sh -c "test -L special/link && test \"\$(cat special/link)\" = kept"
expect 1 "crl --out onto a FIFO is refused" roleca --dir "$I" crl --out special/fifo
assert "... saying so" err_has "special/fifo: is a FIFO, not a regular file"
assert "... the FIFO kept" test -p special/fifo
mv "$I/crl/issuing.crl.pem" crl-pem.saved
ln -s ../../crl-pem.saved "$I/crl/issuing.crl.pem"
expect 1 "the CA's own CRL file as a symbolic link is refused too" roleca --dir "$I" crl
assert "... saying which" err_has "crl/issuing.crl.pem: is a symbolic link"
rm "$I/crl/issuing.crl.pem" && mv crl-pem.saved "$I/crl/issuing.crl.pem"
if mknod special/null c 1 3 2>/dev/null; then
	expect 1 "crl --out onto a device is refused" roleca --dir "$I" crl --out special/null
	assert "... saying so" err_has "special/null: is a device, not a regular file"
	assert "... the device kept" test -c special/null
else
	for d in "crl --out onto a device" "... saying so" "... the device kept"; do
		ok "$d # SKIP: mknod needs root"
	done
fi
assert "none of them took a CRL number" test \
	"$(sqlite3 "$DB" "SELECT value FROM counters WHERE name = 'crl_number'")" = "$num"
assert "no temporary file left" sh -c "! ls -A special | grep -q tmp"
# A revocation found to be keyCompromise keeps its revocation date: a
# --date after it is refused (an invalidity date follows no revocation),
# one before it is the entry's invalidity date.
openssl req -new -newkey rsa:2048 -nodes -keyout kd.key -subj /CN=kcdate.lab.example \
	-addext subjectAltName=DNS:kcdate.lab.example -out kd.csr 2>/dev/null
kd=$(roleca --dir "$I" sign persistent-chat --csr kd.csr --out kcdate 2>/dev/null)
kd_t=$(($(date +%s) - 60))
roleca --dir "$I" revoke "$kd" --reason superseded 2>/dev/null
kd_at=$(sqlite3 "$DB" "SELECT revoked_at FROM certs WHERE serial = '$kd'")
sleep 2
expect 1 "keyCompromise with a --date after the kept revocation date is refused" \
	roleca --dir "$I" revoke "$kd" --reason keyCompromise --date "$(iso $((kd_at + 1)))"
assert "... saying so" err_has "certificate $kd: --date is after its revocation date, $(iso "$kd_at"), which it keeps"
assert "... nothing changed" test \
	"$(sqlite3 "$DB" "SELECT reason || ',' || coalesce(invalid_at, '-') FROM certs WHERE serial = '$kd'")" = "4,-"
expect 0 "... one before it is taken" roleca --dir "$I" revoke "$kd" --reason keyCompromise \
	--date "$(iso "$kd_t")"
assert "... as the invalidity date, before the revocation date" test \
	"$(sqlite3 "$DB" "SELECT reason || ',' || revoked_at || ',' || invalid_at FROM certs WHERE serial = '$kd'")" = "1,$kd_at,$kd_t"
# A CA whose crl/ was removed: publish says so as crl does.
cp -R "$I" nocrl && rm -rf nocrl/crl && mkdir -p nocrl-www
expect 1 "publish without the CA's crl/ fails" roleca --dir nocrl publish --to nocrl-www
assert "... naming the missing directory" sh -c \
	"grep -qx 'roleca: publish: directory nocrl/crl does not exist' '$T/err'"
num=$(sqlite3 "$DB" "SELECT value FROM counters WHERE name = 'crl_number'")
expect 2 "crl --out - is a usage error, not a file named '-'" roleca --dir "$I" crl --out -
assert "... saying how to name such a file" err_has "a file named '-' is ./-"
assert "... no file '-', no CRL number taken" sh -c \
	"! test -e ./- && test \$(sqlite3 '$DB' \"SELECT value FROM counters WHERE name = 'crl_number'\") = '$num'"
finish
