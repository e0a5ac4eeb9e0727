#!/bin/sh
# list and show: the table, JSON read by jq, the filters, and --expiring on
# a 100,000-row database.
. "${SRCDIR:-.}/tests/cli/lib.sh"

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
cd "$T" || exit 1

fe=$(roleca --dir "$I" issue frontend $FE_VARS --out fe 2>/dev/null)
ch=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=chat.lab.example --out chat 2>/dev/null)
roleca --dir "$I" revoke "$ch" --reason superseded 2>/dev/null

expect 0 "list" roleca --dir "$I" list
assert "a header and two rows" test "$(wc -l <"$T/out")" -eq 3
assert "the frontend row shows its CN and status" sh -c \
	"grep '^$fe' '$T/out' | grep -q 'valid.*frontend.*pool01.lab.example'"
expect 0 "list --json" roleca --dir "$I" list --json
assert "jq reads every line" sh -c "jq -e . '$T/out' >/dev/null"
assert "jq: two certificates" test "$(jq -s length "$T/out")" -eq 2
assert "jq: the revoked one says so" sh -c \
	"jq -e -s 'any(.[]; .serial == \"$ch\" and .status == \"revoked\")' '$T/out'"
expect 0 "list --status revoked" roleca --dir "$I" list --status revoked --json
assert "... only the revoked one" test "$(jq -s 'map(.serial)|join(",")' "$T/out")" = "\"$ch\""
expect 0 "list --profile frontend" roleca --dir "$I" list --profile frontend --json
assert "... only the frontend one" test "$(jq -s length "$T/out")" -eq 1
expect 0 "list --expiring 30 (nothing expires that soon)" roleca --dir "$I" list --expiring 30 --json
assert "... prints nothing" test ! -s "$T/out"
expect 0 "list --expiring 800 (the frontend expires in 730 days)" roleca --dir "$I" list \
	--expiring 800 --json
assert "... lists it but not the revoked one" test "$(jq -s 'map(.serial)|join(",")' "$T/out")" = "\"$fe\""
assert "... with all 730 of its days left, the started one counted" \
	test "$(jq .days_left "$T/out")" = 730
expect 2 "an unknown status is a usage error" roleca --dir "$I" list --status maybe
expect 2 "--expiring without a number is a usage error" roleca --dir "$I" list --expiring soon
expect 2 "an invalid --profile name is a usage error" roleca --dir "$I" list --profile ../x
assert "... naming it" err_has "invalid profile name '../x'"
expect 2 "so is an empty one" roleca --dir "$I" list --profile ''
expect 1 "a ROLECA_PROFILE_PATH element that is a file is an error" \
	env ROLECA_PROFILE_PATH=/etc/passwd "$ROLECA" profiles
assert "... naming it" err_has "/etc/passwd: not a directory"
run env ROLECA_PROFILE_PATH= "$ROLECA" --dir "$T/no-ca" profiles
if [ "$rc" -eq 1 ]; then
	ok "ROLECA_PROFILE_PATH set but empty, no profile installed: an error"
	assert "... saying it is empty, not unset" err_has '($ROLECA_PROFILE_PATH is empty)'
else
	for d in "ROLECA_PROFILE_PATH set but empty" "... saying it is empty"; do
		ok "$d # SKIP: profiles are installed"
	done
fi

expect 0 "show --json" roleca --dir "$I" show "$fe" --json
assert "jq: the EKU" sh -c "jq -e '.eku == [\"serverAuth\",\"clientAuth\"]' '$T/out'"
assert "jq: the CDP" sh -c "jq -e '.cdp == [\"http://pki.lab.example/crl/issuing.crl\"]' '$T/out'"
assert "jq: the variables it was issued with, an object" sh -c \
	"jq -e '.variables.server_fqdn == \"fe01.lab.example\" and (.variables | type) == \"object\"' '$T/out'"
assert "jq: the names, a list in the certificate's order" sh -c \
	"jq -e '(.names | type) == \"array\" and (.names | any(. == \"DNS:fe01.lab.example\")) and (.names | all(startswith(\"DNS:\")))' '$T/out'"
cp "$T/out" show.json
assert "... the names openssl reads in the certificate, in order" sh -c \
	"test \"\$(jq -r '.names | join(\", \")' show.json)\" = \"\$('$ROLECA' --dir '$I' show '$fe' --pem |
	openssl x509 -noout -ext subjectAltName | sed -n 's/^ *//p' | tail -1)\""
expect 0 "show --json of a revoked certificate" roleca --dir "$I" show "$ch" --json
assert "jq: revoked, superseded" sh -c "jq -e '.status == \"revoked\" and .reason == \"superseded\"' '$T/out'"
assert "... its revocation date a time, its invalidity null (no --date)" sh -c \
	"jq -e '(.revoked | test(\"^[0-9-]+T[0-9:]+Z\$\")) and .invalidity == null' '$T/out'"
expect 0 "show --json of a valid one has the same members, null" roleca --dir "$I" show "$fe" --json
assert "... revoked, reason and invalidity null" sh -c \
	"jq -e '.revoked == null and .reason == null and .invalidity == null and has(\"invalidity\")' '$T/out'"
expect 0 "log --json" roleca --dir "$I" log --json
assert "... serial and profile null where an entry has none (init, crl, publish)" sh -c \
	"jq -se 'map(select(.operation == \"init\")) | length > 0 and all(.serial == null and .profile == null)' '$T/out' &&
	! jq -e 'select(.serial == \"\" or .profile == \"\")' '$T/out' | grep -q ."
expect 0 "show accepts colons and upper case" roleca --dir "$I" show \
	"$(echo "$fe" | tr a-f A-F | sed 's/../&:/g; s/:$//')"
expect 0 "show accepts leading zeros (a serial is a number)" roleca --dir "$I" show "000$fe"
assert "... and shows the serial as recorded" out_has "$fe"
expect 1 "show of an unknown serial is an error" roleca --dir "$I" show 0123abcd
expect 1 "show of an unknown serial typed with colons and upper case" roleca --dir "$I" \
	show 00ABCDEF:0123
assert "... names it as the database would keep it" err_has "no certificate with serial abcdef0123 in"
expect 2 "show of an invalid serial is a usage error" roleca --dir "$I" show xyz

# renew keeps the profile, the names and the variables.
expect 0 "renew with the same key" roleca --dir "$I" renew "$fe" --out fe-renewed
new=$(cat "$T/out")
assert "a new serial" test -n "$new" -a "$new" != "$fe"
assert "the same names" test \
	"$(openssl x509 -in fe.crt -noout -ext subjectAltName | tail -1)" = \
	"$(openssl x509 -in fe-renewed.crt -noout -ext subjectAltName | tail -1)"
assert "the same key" test "$(openssl x509 -in fe.crt -noout -pubkey)" = \
	"$(openssl x509 -in fe-renewed.crt -noout -pubkey)"
assert "it verifies" verify_server "$L" fe-renewed.crt
assert "the same profile and variables in the database" test \
	"$(sqlite3 "$DB" "SELECT profile || vars FROM certs WHERE serial='$fe'")" = \
	"$(sqlite3 "$DB" "SELECT profile || vars FROM certs WHERE serial='$new'")"
expect 0 "renew --new-key --revoke-old" roleca --dir "$I" renew "$new" --new-key --revoke-old \
	--out fe-rekeyed
rekeyed=$(cat "$T/out")
assert "a new key, 0600" test "$(stat -c %a fe-rekeyed.key)" = 600
assert "the new key matches the new certificate" test \
	"$(openssl x509 -in fe-rekeyed.crt -noout -pubkey)" = "$(openssl pkey -in fe-rekeyed.key -pubout)"
assert "the old certificate is revoked as superseded" test \
	"$(sqlite3 "$DB" "SELECT status || ',' || reason FROM certs WHERE serial='$new'")" = revoked,4
assert "the database records which certificate each renewal replaces" test \
	"$(sqlite3 "$DB" "SELECT group_concat(replaces) FROM (SELECT replaces FROM certs
		WHERE serial IN ('$new', '$rekeyed') ORDER BY issued_at, serial = '$rekeyed')")" = "$fe,$new"
expect 0 "show of a renewed certificate" roleca --dir "$I" show "$new"
assert "... names what it replaces and what replaced it" sh -c \
	"grep -qx 'replaces     $fe' '$T/out' && grep -qx 'replaced-by  $rekeyed' '$T/out'"
expect 0 "show --json of the first one" roleca --dir "$I" show "$fe" --json
assert "jq: it replaces nothing and was replaced by the renewal" sh -c \
	"jq -e '.replaces == null and .replaced_by == [\"$new\"]' '$T/out'"
expect 1 "renewing an unknown serial is an error" roleca --dir "$I" renew 0badc0de --out x
expect 1 "renewing a revoked certificate is refused" roleca --dir "$I" renew "$new" --out again
assert "... saying so" err_has "is revoked"
assert "... writing nothing" test ! -e again.crt
last_renew() {
	sqlite3 "$DB" "SELECT serial || '|' || ifnull(profile, '') FROM audit WHERE operation = 'renew'
		ORDER BY id DESC LIMIT 1"
}
assert "... logged with the serial it was asked to renew" test "$(last_renew)" = "$new|frontend"
expect 1 "renewing an unknown serial typed with colons and upper case" roleca --dir "$I" \
	renew 00:0B:AD:C0:DE --out x
assert "... names it as the database would keep it" err_has "no certificate with serial 0badc0de in"
assert "... and logs it so" test "$(last_renew)" = "0badc0de|"
echo 'a pass phrase' >"$T/exp.pass"
expect 1 "exporting an unknown serial typed with colons and upper case" roleca --dir "$I" \
	export 00:0B:AD:C0:DE --key "$T/nokey" --out "$T/x.p12" --p12-pass-file "$T/exp.pass"
assert "... names it as the database would keep it" err_has "no certificate with serial 0badc0de in"
expect 2 "renew without --out is a usage error" roleca --dir "$I" renew "$fe"

# Renewals of one certificate in the same second: show lists them in the
# order they were made. One on hold is released first, not renewed.
tie=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=tie.lab.example --out tie 2>/dev/null)
: >tie.order
for i in 1 2 3 4 5 6; do
	roleca --dir "$I" renew "$tie" --out "tie$i" 2>/dev/null >>tie.order
done
expect 0 "show of a certificate renewed six times" roleca --dir "$I" show "$tie" --json
assert "... lists them oldest first, as made" sh -c \
	"jq -r '.replaced_by[]' '$T/out' | cmp -s - tie.order"
roleca --dir "$I" revoke "$tie" --reason certificateHold 2>/dev/null
expect 1 "renewing a certificate on hold is refused" roleca --dir "$I" renew "$tie" --out tie7
assert "... saying to release it first" err_has "is on hold: release it first (roleca unrevoke $tie)"
# Renewals racing to revoke the one certificate: the first revokes it;
# one that finds it revoked when it records issues nothing; none issues a
# certificate unsaid: each one issued has its serial printed and its
# files, and a run that issued one but could not revoke says so.
race=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=race.lab.example --out race 2>/dev/null)
rows_race=$(sqlite3 "$DB" 'SELECT count(*) FROM certs')
for i in 1 2 3 4 5; do
	roleca --dir "$I" renew "$race" --revoke-old --out "race$i" >"race$i.out" 2>"race$i.err" &
done
wait
issued=$(($(sqlite3 "$DB" 'SELECT count(*) FROM certs') - rows_race))
assert "five renewals with --revoke-old at once: as many serials printed as issued" \
	test "$(cat race?.out | grep -c .)" -eq "$issued"
assert "... each with its files" test "$(ls race?.crt | wc -l)" -eq "$issued"
assert "... a run that issued one and then found the old revoked says so" test \
	"$(cat race?.err | grep -c 'is issued and its files written, but')" -eq $((issued - 1))
assert "... the others issued nothing, saying why" test \
	"$(cat race?.err | grep -c -e 'was revoked meanwhile: nothing issued' -e 'is revoked: issue a new one')" \
	-eq $((5 - issued))
assert "... the old one revoked as superseded" test \
	"$(sqlite3 "$DB" "SELECT status || ',' || reason FROM certs WHERE serial = '$race'")" = revoked,4

# A role that came to need more than a certificate's record gives (a
# variable made required, a new one in the subject): renew refuses, as
# issue would, rather than drop what the role needs.
mkdir -p "$I/profiles"
sed 's/^description = .*/description = "a Director that came to need more";/' \
	"$SRCDIR/profiles/director.cfg" >"$I/profiles/dirmore.cfg"
dm=$(roleca --dir "$I" issue dirmore --set pool_fqdn=dirpool.lab.example \
	--set server_fqdn=dir09.lab.example --set sip_domain=lab.example --out dm 2>/dev/null)
sed -i 's/required = false; };/};/' "$I/profiles/dirmore.cfg"
rows_dm=$(sqlite3 "$DB" 'SELECT count(*) FROM certs')
expect 2 "renew refuses where the role's profile now needs a name the record lacks" \
	roleca --dir "$I" renew "$dm" --out dm-r
assert "... naming it" err_has "role dirmore needs a dNSName for '\${web_internal}'"
assert "... nothing recorded or written" sh -c \
	"test \$(sqlite3 '$DB' 'SELECT count(*) FROM certs') -eq $rows_dm && ! test -e dm-r.crt"
sed -e 's/^description = .*/description = "a Director with a site";/' "$SRCDIR/profiles/director.cfg" \
	>"$I/profiles/dirsite.cfg"
ds=$(roleca --dir "$I" issue dirsite --set pool_fqdn=dirpool.lab.example \
	--set server_fqdn=dir10.lab.example --set sip_domain=lab.example --out ds 2>/dev/null)
sed -i -e 's/^subject = { CN = "\${pool_fqdn}"; };/subject = { OU = "${site}"; CN = "${pool_fqdn}"; };/' \
	-e 's/^variables = {/variables = { site = { description = "the site"; };/' "$I/profiles/dirsite.cfg"
expect 2 "... and where its subject now needs a variable the record lacks" \
	roleca --dir "$I" renew "$ds" --out ds-r
assert "... naming it" err_has "missing variable 'site' (the site): role dirsite's subject needs it"
openssl req -new -newkey rsa:2048 -nodes -keyout dsr.key -subj /CN=dirpool.lab.example \
	-out dsr.csr 2>/dev/null
expect 2 "sign refuses it too, rather than drop the attribute" roleca --dir "$I" sign dirsite \
	--csr dsr.csr --set server_fqdn=dir11.lab.example --set sip_domain=lab.example --out dsr
assert "... naming the variable" err_has "missing variable 'site' (the site): role dirsite's subject needs it"
rm "$I/profiles/dirmore.cfg" "$I/profiles/dirsite.cfg"

# A CSR's extra name is renewed where the role still leaves it a place;
# a name the changed profile no longer gives is not carried on.
openssl req -new -newkey rsa:2048 -nodes -keyout fe07.key -subj /CN=pool01.lab.example \
	-addext subjectAltName=DNS:pool01.lab.example,DNS:fe07.lab.example -out fe07.csr 2>/dev/null
fe07=$(roleca --dir "$I" sign frontend --csr fe07.csr --set pool_fqdn=pool01.lab.example \
	--set sip_domain=lab.example --out fe07 2>/dev/null)
expect 0 "renew of a certificate whose names came from a CSR" roleca --dir "$I" renew \
	"$fe07" --out fe07-renewed
assert "... keeps the CSR's name" sh -c \
	"openssl x509 -in fe07-renewed.crt -noout -ext subjectAltName | grep -q 'DNS:fe07.lab.example'"
owa=$(roleca --dir "$I" issue office-web-apps --set farm_fqdn=owa9.lab.example \
	--set farm_external=owa9-ext.lab.example --out owa9 2>/dev/null)
mkdir -p "$I/profiles"
sed -e 's/^dns = .*/dns = [ "${farm_fqdn}" ];/' -e '/farm_external = {/d' \
	"$SRCDIR/profiles/office-web-apps.cfg" \
	>"$I/profiles/office-web-apps.cfg"
rows_before=$(rows "$DB")
expect 3 "renew refuses a variable, and its name, the role's changed profile no longer has" \
	roleca --dir "$I" renew "$owa" --out owa9-renewed
assert "... naming it" err_has "the certificate renewed was issued with farm_external=owa9-ext.lab.example, a variable role office-web-apps no longer declares"
assert "... recording and writing nothing" sh -c \
	"test $rows_before -eq \$(sqlite3 '$DB' 'SELECT count(*) FROM certs') && test ! -e owa9-renewed.crt"
rm -r "$I/profiles"

# The record says which names a request asked for beyond its variables, so
# renew carries those on and no other: a name the profile gave once is not
# moved into an open place (an unset optional variable's) when the profile
# stops giving it; a CSR's name in such a place is kept.
asked() { sqlite3 "$DB" "SELECT ifnull(asked, 'NULL') FROM certs WHERE serial = '$1'"; }
fe8=$(roleca --dir "$I" issue frontend --set pool_fqdn=pool08.lab.example \
	--set server_fqdn=fe08.lab.example --set sip_domain=lab.example --out fe08 2>/dev/null)
assert "issue records that nothing was asked beyond the variables" test "$(asked "$fe8")" = ""
openssl req -new -newkey rsa:2048 -nodes -keyout fe09.key -subj /CN=pool09.lab.example \
	-addext subjectAltName=DNS:pool09.lab.example,DNS:web09.lab.example -out fe09.csr 2>/dev/null
fe9=$(roleca --dir "$I" sign frontend --csr fe09.csr --set pool_fqdn=pool09.lab.example \
	--set server_fqdn=fe09.lab.example --set sip_domain=lab.example --out fe09 2>/dev/null)
assert "sign records the CSR's name that took an optional variable's place" \
	test "$(asked "$fe9")" = "DNS:web09.lab.example"
expect 0 "show prints it" roleca --dir "$I" show "$fe9"
assert "... as asked" out_has "asked        DNS:web09.lab.example"
expect 0 "show --json" roleca --dir "$I" show "$fe9" --json
assert "... as a list" test "$(jq -c .asked "$T/out")" = '["DNS:web09.lab.example"]'
mkdir -p "$I/profiles"
grep -v '"admin\.\${sip_domain}"' "$SRCDIR/profiles/frontend.cfg" |
	sed 's/"dialin.${sip_domain}",/"dialin.${sip_domain}"/' >"$I/profiles/frontend.cfg"
rows_before=$(rows "$DB")
expect 3 "renew refuses a name the changed profile stopped giving, though an optional place is open" \
	roleca --dir "$I" renew "$fe8" --out fe08-renewed
assert "... naming it" err_has "the certificate renewed carries dNSName 'admin.lab.example', which is none of the names role frontend leaves to it"
assert "... recording and writing nothing" sh -c \
	"test $rows_before -eq \$(sqlite3 '$DB' 'SELECT count(*) FROM certs') && test ! -e fe08-renewed.crt"
expect 3 "the same for a CSR-made certificate" roleca --dir "$I" renew "$fe9" --out fe09-renewed
assert "... naming the profile's name, not the CSR's" err_has "carries dNSName 'admin.lab.example'"
rm -r "$I/profiles"
expect 0 "renew keeps the CSR's name in the optional variable's place" \
	roleca --dir "$I" renew "$fe9" --out fe09-renewed
fe9r=$(cat "$T/out")
assert "... in the certificate" sh -c \
	"openssl x509 -in fe09-renewed.crt -noout -ext subjectAltName | grep -q 'DNS:web09.lab.example'"
assert "... it verifies" verify_server "$L" fe09-renewed.crt
assert "... and records it as asked again" test "$(asked "$fe9r")" = "DNS:web09.lab.example"
# A row from before the record (schema 8) has no asked names: renew keeps
# what fits an open place, as it did.
sqlite3 "$DB" "UPDATE certs SET asked = NULL WHERE serial = '$fe9'"
expect 0 "show --json of a row without the record" roleca --dir "$I" show "$fe9" --json
assert "... says null" test "$(jq -c .asked "$T/out")" = null
expect 0 "renew of a row without the record keeps the CSR's name" \
	roleca --dir "$I" renew "$fe9" --out fe09-old
assert "... in the certificate" sh -c \
	"openssl x509 -in fe09-old.crt -noout -ext subjectAltName | grep -q 'DNS:web09.lab.example'"
assert "... and records it from now on" test "$(asked "$(cat "$T/out")")" = "DNS:web09.lab.example"
roleca --dir "$I" revoke "$(echo "$rekeyed" | tr a-f A-F)" 2>/dev/null

# A revocation and its audit row are one transaction: when the row cannot
# be written (a trigger stands in for a full disk), nothing is revoked.
cp -R "$I" "$T/noaudit"
na=$(roleca --dir "$T/noaudit" issue persistent-chat --set server_fqdn=na.lab.example \
	--out na 2>/dev/null)
sqlite3 "$T/noaudit/roleca.db" "CREATE TRIGGER audit_full BEFORE INSERT ON audit
	BEGIN SELECT RAISE(ABORT, 'audit log full'); END;"
expect 1 "revoke whose audit row cannot be written fails" roleca --dir "$T/noaudit" \
	revoke "$na" --reason keyCompromise
assert "... saying why" err_has "audit log full"
assert "... and the certificate stays valid, its key usable" sh -c \
	"test \"\$(sqlite3 '$T/noaudit/roleca.db' \"SELECT status FROM certs WHERE serial='$na'\")\" = valid &&
	test \$(sqlite3 '$T/noaudit/roleca.db' 'SELECT count(*) FROM compromised_keys') -eq 0"
sqlite3 "$T/noaudit/roleca.db" "DROP TRIGGER audit_full"
roleca --dir "$T/noaudit" revoke "$na" --reason certificateHold 2>/dev/null
sqlite3 "$T/noaudit/roleca.db" "CREATE TRIGGER audit_full BEFORE INSERT ON audit
	BEGIN SELECT RAISE(ABORT, 'audit log full'); END;"
expect 1 "so does unrevoke" roleca --dir "$T/noaudit" unrevoke "$na"
assert "... the hold stays" test \
	"$(sqlite3 "$T/noaudit/roleca.db" "SELECT status || reason FROM certs WHERE serial='$na'")" = revoked6

# A hold can become a revocation for good (RFC 5280 5.3.1), once.
held=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=held.lab.example \
	--out held 2>/dev/null)
roleca --dir "$I" revoke "$held" --reason certificateHold 2>/dev/null
expect 1 "holding a held certificate again is refused" roleca --dir "$I" revoke "$held" \
	--reason certificateHold
assert "... saying it is on hold" err_has "is already on hold"
expect 0 "a held certificate is revoked for good" roleca --dir "$I" revoke "$held" \
	--reason keyCompromise
expect 1 "... and then cannot be revoked again" roleca --dir "$I" revoke "$held" \
	--reason superseded
roleca --dir "$I" crl --out held.crl >/dev/null 2>&1
assert "the CRL lists it as keyCompromise (openssl)" sh -c \
	"openssl crl -in held.crl -inform DER -noout -text |
	grep -A4 -i '$held' | grep -q 'Key Compromise'"
fe_count=$(sqlite3 "$DB" "SELECT count(*) FROM certs WHERE profile='frontend'")

# ROLECA_DIR stands for --dir; --dir wins; an empty one is ignored.
expect 0 "list with ROLECA_DIR" env ROLECA_DIR="$I" "$ROLECA" list --json
assert "... the same as with --dir" test "$(cat "$T/out")" = "$(roleca --dir "$I" list --json)"
expect 0 "--dir wins over ROLECA_DIR" env ROLECA_DIR="$T/none" "$ROLECA" --dir "$I" list
expect 1 "ROLECA_DIR naming no CA is an error" env ROLECA_DIR="$T/none" "$ROLECA" list
assert "... naming it" err_has "$T/none"

# The audit log.
roleca --dir "$I" issue persistent-chat --set server_fqdn=x.evil.example --out evil 2>/dev/null
expect 3 "an issue refused for two reasons" roleca --dir "$I" issue persistent-chat \
	--set 'server_fqdn=x"y\z.evil.example' --out evil2
assert "... prints both" test "$(grep -c 'refused: names: ' "$T/err")" -eq 2
assert "... and logs both" sh -c "sqlite3 '$DB' \"SELECT outcome FROM audit ORDER BY id DESC LIMIT 1\" |
	grep -F 'is not a valid host name; names: ' | grep -qF 'is outside the permitted domains'"
expect 0 "log --json" roleca --dir "$I" log --json
assert "jq reads every line" sh -c "jq -e . '$T/out' >/dev/null"
assert "the log starts with the CA's creation" sh -c "head -1 '$T/out' | jq -e '.operation == \"init\"'"
assert "the issue is logged with its serial and profile" sh -c \
	"jq -e -s 'any(.[]; .operation == \"issue\" and .serial == \"$fe\" and .profile == \"frontend\" and .outcome == \"ok\")' '$T/out'"
assert "the refused issue is logged as refused" sh -c \
	"jq -e -s 'any(.[]; .operation == \"issue\" and (.outcome | startswith(\"refused: \")))' '$T/out'"
assert "the revocation is logged, with the certificate's profile and reason" sh -c \
	"jq -e -s 'any(.[]; .operation == \"revoke\" and .serial == \"$ch\" and .profile == \"persistent-chat\" and .outcome == \"ok: superseded\")' '$T/out'"
assert "renew --revoke-old logs the old certificate's revocation" sh -c \
	"jq -e -s 'any(.[]; .operation == \"revoke\" and .serial == \"$new\" and .outcome == \"ok: superseded (renewed as $rekeyed)\")' '$T/out'"
assert "a serial typed in upper case is logged as the database has it" sh -c \
	"jq -e -s 'any(.[]; .operation == \"revoke\" and .serial == \"$rekeyed\")' '$T/out'"
assert "every row has the uid" sh -c "jq -e -s 'all(.uid == $(id -u))' '$T/out'"
assert "the log is append-only: DELETE is refused" sh -c \
	"! sqlite3 '$DB' 'DELETE FROM audit' 2>/dev/null && test \$(sqlite3 '$DB' 'SELECT count(*) FROM audit') -ge 4"
assert "... and UPDATE too" sh -c "! sqlite3 '$DB' \"UPDATE audit SET outcome = 'ok'\" 2>/dev/null"
# What was typed and is not UTF-8 comes back as \xHH, on stderr and in the
# log, whose JSON stays JSON; a typed backslash is \x5c, so that it cannot
# pass for an escape.
utf8_ok() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; }
expect 2 "revoke of a serial that is not UTF-8" roleca --dir "$I" revoke "$(printf '\377\376')"
assert "... escaped in the message" err_has "invalid serial '\\xff\\xfe'"
assert "... stderr is UTF-8" utf8_ok "$T/err"
expect 2 "issue of a profile name that is not UTF-8" roleca --dir "$I" issue "$(printf 'p\377')"
assert "... escaped in the message" err_has "invalid profile name 'p\\xff'"
expect 2 "a --set variable name that is not UTF-8" roleca --dir "$I" issue persistent-chat \
	--set "$(printf 'a\377=1')" --set server_fqdn=x.lab.example --out bad8
assert "... escaped in the message" err_has "unknown variable 'a\\xff'"
expect 2 "revoke of a typed backslash-n" roleca --dir "$I" revoke 'ab\ncd'
cp "$T/err" "$T/err-typed"
expect 2 "revoke of a real newline" roleca --dir "$I" revoke "$(printf 'ab\ncd')"
assert "... the two messages differ" sh -c "! cmp -s '$T/err' '$T/err-typed'"
assert "... the backslash is \\x5c" grep -qF "invalid serial 'ab\\x5cncd'" "$T/err-typed"
# A command line wrong in itself fails before the CA is opened, and is not
# logged; a usage error found with the CA open is.
audit_rows() { sqlite3 "$DB" 'SELECT count(*) FROM audit'; }
before=$(audit_rows)
expect 2 "revoke --reason nope" roleca --dir "$I" revoke "$fe" --reason nope
expect 2 "renew without --out" roleca --dir "$I" renew "$fe"
assert "... neither is logged" test "$(audit_rows)" -eq "$before"
expect 2 "revoke of an invalid serial" roleca --dir "$I" revoke xyz
assert "... is logged" test "$(audit_rows)" -eq $((before + 1))
expect 0 "log --json" roleca --dir "$I" log --json
assert "... is UTF-8" utf8_ok "$T/out"
assert "... and JSON" sh -c "jq -e . '$T/out' >/dev/null"
assert "... the serial not UTF-8 logged as \\xff\\xfe" sh -c \
	"jq -e -s 'any(.[]; .operation == \"revoke\" and .serial == \"\\\\xff\\\\xfe\")' '$T/out'"
assert "... the profile name as p\\xff" sh -c \
	"jq -e -s 'any(.[]; .operation == \"issue\" and .profile == \"p\\\\xff\")' '$T/out'"
assert "... the typed backslash-n and the newline as two serials" sh -c \
	"jq -e -s '[.[] | select(.operation == \"revoke\") | .serial] |
	any(. == \"ab\\\\x5cncd\") and any(. == \"ab\\\\ncd\")' '$T/out'"
sqlite3 "$DB" "INSERT INTO audit (time, operation, serial, profile, uid, outcome)
	VALUES (0, 'issue', '', 'by' || char(10) || 'hand', 0, 'two' || char(10) || 'lines')"
expect 0 "log as a table" roleca --dir "$I" log
assert "... one line per operation" test "$(wc -l <"$T/out")" -eq "$(sqlite3 "$DB" 'SELECT count(*) FROM audit')"
assert "... a row holding a newline escaped in its line" grep -qF 'two\nlines' "$T/out"

# A row edited outside roleca, with control characters and bytes that are
# not UTF-8 in its subject and profile: escaped in the table and in show,
# and the JSON stays JSON.
now=$(date +%s)
sqlite3 "$DB" "INSERT INTO certs (serial, subject, sans, profile, vars, not_before, not_after,
	issued_at, status, der) VALUES ('0e0e', 'CN=e' || char(27) || '[2J' || CAST(x'ff' AS TEXT),
	'', 'p' || char(10) || 'q' || CAST(x'fe' AS TEXT), '', $now, $now + 1000 * 86400, $now,
	'valid', x'00')"
no_ctl() { ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1"; }
expect 0 "list with a row edited by hand" roleca --dir "$I" list
assert "... no control character" no_ctl "$T/out"
assert "... UTF-8" utf8_ok "$T/out"
assert "... the row on one line, escaped" grep -qF 'p\nq\xfe' "$T/out"
assert "... its CN too" grep -qF 'e\x1b[2J\xff' "$T/out"
expect 0 "list --json with a row edited by hand" roleca --dir "$I" list --json
assert "... UTF-8" utf8_ok "$T/out"
assert "... and JSON" sh -c "jq -e . '$T/out' >/dev/null"
assert "... whose decoded text moves no terminal either (jq -r)" sh -c \
	"jq -r 'select(.serial == \"0e0e\") | .cn, .subject, .profile' '$T/out' >'$T/decoded' &&
	test \$(wc -l <'$T/decoded') -eq 3 && ! LC_ALL=C grep -q \"\$(printf '[\001-\010\013-\037\177]')\" '$T/decoded' &&
	grep -qxF 'CN=e\\x1b[2J\\xff' '$T/decoded' && grep -qxF 'p\\x0aq\\xfe' '$T/decoded'"
sqlite3 "$DB" "UPDATE certs SET der = (SELECT der FROM certs WHERE serial = '$fe') WHERE serial = '0e0e'"
expect 0 "show of a row edited by hand" roleca --dir "$I" show 0e0e
assert "... no control character" no_ctl "$T/out"
assert "... UTF-8" utf8_ok "$T/out"
expect 0 "show --json of it: its decoded text moves no terminal" roleca --dir "$I" show 0e0e --json
assert "... (jq -r)" sh -c "jq -r '.subject, .profile' '$T/out' | { ! LC_ALL=C grep -q \"\$(printf '[\001-\010\013-\037\177]')\"; }"
# A backslash it holds is shown as \x5c, as messages write one: text that
# reads \x1b is then not an escaped ESC.
sqlite3 "$DB" "UPDATE certs SET profile = 'a\\x1b' WHERE serial = '0e0e'"
expect 0 "show of a row holding a backslash" roleca --dir "$I" show 0e0e
assert "... as \\x5c" grep -qF 'a\x5cx1b' "$T/out"
expect 0 "log --json with a row holding a newline" roleca --dir "$I" log --json
assert "... decoded, no control character" sh -c "jq -r '.profile // empty, .outcome' '$T/out' |
	{ ! LC_ALL=C grep -q \"\$(printf '[\001-\010\013-\037\177]')\"; }"

# 100,000 rows: what --expiring finds, and in what order (its speed is
# measured in bench/, beside its bar).
now=$(date +%s)
sqlite3 "$DB" "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000)
	INSERT INTO certs (serial, subject, sans, profile, vars, not_before, not_after,
	issued_at, status, der) SELECT printf('%032x', i), 'CN=h' || i || '.lab.example', '',
	'bulk', '', $now, $now + (i % 400) * 86400 + 3600, $now, 'valid', x'00' FROM c"
expect 0 "list --expiring 30 on 100,000 certificates" roleca --dir "$I" list --expiring 30 --json
assert "... finds the 7,500 that expire within 30 days" test "$(wc -l <"$T/out")" -eq 7500
assert "... soonest first" sh -c \
	"jq -s '[.[].days_left] | . == sort' '$T/out' | grep -qx true"

finish
