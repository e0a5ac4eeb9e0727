#!/bin/sh
# Issuance: the files, what openssl and certtool see in them, PKCS#12, and
# the refusals that must change nothing.
. "${SRCDIR:-.}/tests/cli/lib.sh"

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
cd "$T" || exit 1

expect 0 "issue frontend" roleca --dir "$I" issue frontend $FE_VARS --out fe01
serial=$(cat "$T/out")
assert "prints a 32-hex-digit serial" sh -c "echo '$serial' | grep -Eq '^[0-9a-f]{32}$'"
assert "writes fe01.key, mode 0600" test "$(stat -c %a fe01.key)" = 600
assert "writes fe01.crt and fe01.chain.pem" test -f fe01.crt -a -f fe01.chain.pem
assert "no temporary files are left" sh -c "! ls -A | grep -q tmp"
assert "openssl verifies it as a TLS server certificate" verify_server "$L" fe01.crt
assert "the chain file verifies too (leaf, issuing, root)" \
	test "$(grep -c 'BEGIN CERTIFICATE' fe01.chain.pem)" -eq 3
assert "the key matches the certificate" test \
	"$(openssl x509 -in fe01.crt -noout -pubkey | md5sum)" = \
	"$(openssl pkey -in fe01.key -pubout | md5sum)"
x509_text fe01.crt >fe01.txt
assert "serial printed = serial in the certificate" \
	test "$(openssl x509 -in fe01.crt -noout -serial | cut -d= -f2 | tr A-F a-f)" = "$serial"
assert "CDP carries the CA's http:// URL" grep -q 'URI:http://pki.lab.example/crl/issuing.crl' fe01.txt
assert "EKU has serverAuth" grep -q 'TLS Web Server Authentication' fe01.txt
assert "EKU has clientAuth (frontend: server-to-server MTLS)" grep -q 'TLS Web Client Authentication' fe01.txt
assert "basicConstraints critical CA:FALSE" grep -A1 'Basic Constraints: critical' fe01.txt
assert "CA:FALSE" grep -q 'CA:FALSE' fe01.txt
assert "AIA caIssuers" grep -q 'CA Issuers - URI:http://pki.lab.example/crl/issuing.crt' fe01.txt
for name in pool01.lab.example fe01.lab.example sip.lab.example \
    lyncdiscoverinternal.lab.example lyncdiscover.lab.example; do
	assert "SAN has $name" grep -q "DNS:$name" fe01.txt
done
assert "subject CN is the pool FQDN" sh -c \
	"openssl x509 -in fe01.crt -noout -subject -nameopt RFC2253 | grep -q 'CN=pool01.lab.example'"
assert "AKI = issuing CA's SKI" test \
	"$(openssl x509 -in fe01.crt -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ')" = \
	"$(openssl x509 -in "$I/ca.crt" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')"
assert "certtool reads it" certtool -i --infile fe01.crt
assert "certtool verifies the chain" sh -c \
	"cat fe01.crt '$I/ca.crt' | certtool --verify --load-ca-certificate '$L/root/ca.crt'"
assert "the database holds one row with profile frontend" test \
	"$(sqlite3 "$DB" "SELECT profile FROM certs WHERE serial='$serial'")" = frontend
assert "the database row holds the same certificate" test \
	"$(sqlite3 "$DB" "SELECT hex(der) FROM certs WHERE serial='$serial'")" = \
	"$(openssl x509 -in fe01.crt -outform DER | od -An -tx1 -v | tr -d ' \n' | tr a-f A-F)"
expect 0 "show SERIAL prints the record" roleca --dir "$I" show "$serial"
assert "... with its names" out_has "DNS:sip.lab.example"
expect 0 "show --pem prints the certificate" roleca --dir "$I" show "$serial" --pem
assert "... identical to the file" cmp "$T/out" fe01.crt

# A list variable expands a name once per element.
expect 0 "issue with two SIP domains" roleca --dir "$I" issue frontend \
	--set pool_fqdn=pool01.lab.example --set server_fqdn=fe02.lab.example \
	--set sip_domain=lab.example,corp.lab.example --out fe02
x509_text fe02.crt >fe02.txt
assert "sip. for the first domain" grep -q 'DNS:sip.lab.example' fe02.txt
assert "sip. for the second domain" grep -q 'DNS:sip.corp.lab.example' fe02.txt

# --out DIR/ names the files after the subject CN inside DIR.
mkdir -p outdir
expect 0 "--out DIR/ writes DIR/CN.*" roleca --dir "$I" issue persistent-chat \
	--set server_fqdn=chat9.lab.example --out outdir/
assert "... outdir/chat9.lab.example.crt" test -f outdir/chat9.lab.example.crt -a -f outdir/chat9.lab.example.key
# The lifetime is the profile's 730 days exactly, counted from the
# backdated notBefore, so that it never exceeds a cap of as many days.
nb=$(date -u -d "$(openssl x509 -in outdir/chat9.lab.example.crt -noout -startdate | cut -d= -f2)" +%s)
na=$(date -u -d "$(openssl x509 -in outdir/chat9.lab.example.crt -noout -enddate | cut -d= -f2)" +%s)
assert "... valid for 730 days from notBefore, not a second more" test $((na - nb)) -eq $((730 * 86400))

# PKCS#12 for Windows.
echo 'correct horse' >pass
expect 0 "issue with --p12-pass-file" roleca --dir "$I" issue edge-av \
	--set av_fqdn=av.lab.example --p12-pass-file pass --out av
assert "the .p12 is mode 0600" test "$(stat -c %a av.p12)" = 600
assert "openssl reads the .p12 (AES-256)" sh -c \
	"openssl pkcs12 -in av.p12 -info -noout -passin file:pass 2>&1 | grep -q 'AES-256-CBC'"
assert "... with a SHA-256 MAC" sh -c \
	"openssl pkcs12 -in av.p12 -info -noout -passin file:pass 2>&1 | grep -q 'MAC: sha256'"
assert "... holding the key and three certificates" sh -c \
	"openssl pkcs12 -in av.p12 -nodes -passin file:pass | grep -c 'BEGIN CERTIFICATE' | grep -qx 3"
assert "... with a friendly name" sh -c \
	"openssl pkcs12 -in av.p12 -nokeys -passin file:pass | grep -q 'friendlyName: av.lab.example'"
expect 0 "issue with --p12-legacy" roleca --dir "$I" issue edge-av \
	--set av_fqdn=av2.lab.example --p12-pass-file pass --p12-legacy --out av2
assert "the legacy .p12 uses 3DES" sh -c \
	"openssl pkcs12 -in av2.p12 -info -noout -passin file:pass 2>&1 | grep -q 'TripleDES'"
assert "... with a SHA-1 MAC" sh -c \
	"openssl pkcs12 -in av2.p12 -info -noout -passin file:pass 2>&1 | grep -q 'MAC: sha1'"
assert "certtool reads the legacy .p12" sh -c \
	"certtool --p12-info --inder --infile av2.p12 --password '$(cat pass)'"

# Refusals: one line, the documented exit code, nothing written or recorded.
count=$(rows "$DB")
expect 1 "an existing output file is refused" roleca --dir "$I" issue frontend $FE_VARS --out fe01
assert "... naming it and --force" err_has "fe01.key: already exists (use --force"
assert "... in one line" err_one_line
assert "... and nothing was recorded" test "$(rows "$DB")" -eq "$count"
expect 0 "--force replaces the files" roleca --dir "$I" issue frontend $FE_VARS --out fe01 --force
count=$(rows "$DB")

expect 3 "a name outside the permitted domains is refused" roleca --dir "$I" issue frontend \
	--set pool_fqdn=pool.evil.example --set server_fqdn=fe01.lab.example \
	--set sip_domain=lab.example --out evil
assert "... naming the name" err_has "pool.evil.example"
assert "... writing nothing" sh -c "! ls evil* 2>/dev/null"
assert "... recording nothing" test "$(rows "$DB")" -eq "$count"

expect 2 "a missing variable is a usage error" roleca --dir "$I" issue frontend \
	--set pool_fqdn=pool01.lab.example --out missing
assert "... naming it" err_has "server_fqdn"
assert "... in one line" err_one_line
expect 2 "an unknown variable is a usage error" roleca --dir "$I" issue frontend $FE_VARS \
	--set pool_fdqn=x --out unknown
assert "... naming it" err_has "pool_fdqn"
expect 2 "an unknown profile is a usage error" roleca --dir "$I" issue frontdoor $FE_VARS
assert "... naming it" err_has "frontdoor"
expect 2 "a profile name with a path is refused" roleca --dir "$I" issue ../frontend $FE_VARS
expect 1 "a directory that is not a CA is refused" roleca --dir "$T" issue frontend $FE_VARS
assert "... saying so" err_has "not a CA directory"
expect 1 "an unwritable output directory is refused" roleca --dir "$I" issue frontend \
	$FE_VARS --out "$T/nonexistent/dir/fe"
assert "nothing recorded by any refusal" test "$(rows "$DB")" -eq "$count"
expect 2 "an unknown option is a usage error" roleca --dir "$I" issue frontend --colour
expect 2 "--p12-legacy without a passphrase file is a usage error" \
	roleca --dir "$I" issue frontend $FE_VARS --p12-legacy

# A profile in DIR/profiles: subject values are never parsed as DNs.
mkdir -p "$I/profiles"
cat >"$I/profiles/labweb.cfg" <<'CFG'
description = "Test web server";
variables = {
	fqdn = { description = "server FQDN"; };
	org = { description = "organisation"; };
};
subject = { CN = "${fqdn}"; O = "${org}"; };
dns = [ "${fqdn}" ];
key = "ec:p256";
validity_days = 90;
eku = [ "serverAuth" ];
CFG
expect 0 "a CA-local profile issues" roleca --dir "$I" issue labweb \
	--set fqdn=web.lab.example --set 'org=a,O=Evil' --out web
assert "'a,O=Evil' stays one O attribute" test \
	"$(openssl x509 -in web.crt -noout -subject -nameopt multiline | grep -c organizationName)" -eq 1
assert "... holding the whole value" sh -c \
	"openssl x509 -in web.crt -noout -subject -nameopt RFC2253 | grep -q 'O=a\\\\,O=Evil'"
assert "an EC leaf has no keyEncipherment" sh -c \
	"! openssl x509 -in web.crt -noout -ext keyUsage | grep -q 'Key Encipherment'"
echo 'sanz = [ "x" ];' >>"$I/profiles/labweb.cfg"
expect 1 "a profile with an unknown key is refused" roleca --dir "$I" issue labweb \
	--set fqdn=web2.lab.example --set org=x --out web2
assert "... naming file:line and the key" err_has "labweb.cfg:11: unknown key 'sanz'"
assert "... in one line" err_one_line

# No output goes into a CA directory or its crl/, not even with --force:
# PREFIX.key there could be ca.key, an export over roleca.db would end the
# CA. Each is a usage error that changes nothing.
snap_ca() { (cd "$I" && find . -type f ! -name 'roleca.db*' | sort | xargs md5sum); \
	sqlite3 "$DB" 'SELECT serial, status FROM certs ORDER BY serial'; }
before=$(snap_ca)
expect 2 "issue --out into the CA directory is refused, --force or not" \
	roleca --dir "$I" issue frontend $FE_VARS --out "$I/ca" --force
assert "... naming the path and the CA directory" err_has "$I/ca: is in $I, a CA directory"
assert "... in one line" err_one_line
expect 2 "issue --out DIR/ with DIR the CA directory is refused" \
	roleca --dir "$I" issue frontend $FE_VARS --out "$I/"
expect 2 "request --out into the CA's crl/ is refused" \
	roleca --dir "$I" request frontend $FE_VARS --out "$I/crl/x" --force
assert "... naming crl/" err_has "a CA's crl/"
expect 2 "issue --out into another CA's directory (the root's) is refused" \
	roleca --dir "$I" issue frontend $FE_VARS --out "$L/root/./fe" --force
expect 2 "export --out over the CA's database is refused" \
	roleca --dir "$I" export "$serial" --key fe01.key --out "$I/roleca.db" --force \
	--p12-pass-file "$T/pass"
expect 2 "renew --out into the CA directory is refused" \
	roleca --dir "$I" renew "$serial" --out "$I/ca" --force
assert "... and the CA's files and records are as they were" test "$(snap_ca)" = "$before"
expect 0 "... and the CA still signs" roleca --dir "$I" crl
# A ca.cfg alone (the file init was given) does not make a CA directory.
mkdir -p "$T/cfgdir" && cp "$I/ca.cfg" "$T/cfgdir/ca.cfg"
expect 0 "a directory holding only a ca.cfg takes output" \
	roleca --dir "$I" issue persistent-chat --set server_fqdn=cfgdir.lab.example \
	--out "$T/cfgdir/chat"

# --out naming an existing directory without its '/' would put PREFIX.crt
# beside it: a usage error; with the '/' the CN names the files, for renew
# as for issue.
mkdir -p "$T/rdir"
expect 2 "issue --out DIR (an existing directory, no /) is refused" \
	roleca --dir "$I" issue frontend $FE_VARS --out "$T/rdir"
assert "... saying to give DIR/" err_has "--out $T/rdir: is a directory: give $T/rdir/"
assert "... writing nothing beside it" test ! -e "$T/rdir.key" -a ! -e "$T/rdir.crt"
expect 2 "renew --out DIR (no /) is refused the same way" \
	roleca --dir "$I" renew "$serial" --out "$T/rdir"
expect 0 "renew --out DIR/ names the files after the CN" \
	roleca --dir "$I" renew "$serial" --out "$T/rdir/"
assert "... DIR/CN.crt and DIR/CN.chain.pem, no hidden .crt" test \
	-f "$T/rdir/pool01.lab.example.crt" -a -f "$T/rdir/pool01.lab.example.chain.pem" \
	-a ! -e "$T/rdir/.crt"
assert "... and it verifies" verify_server "$L" "$T/rdir/pool01.lab.example.crt"

# chain.pem gone (removed by hand, an install cut short): every
# certificate's chain file would lack the root. Refused until install-cert
# puts it back.
mv "$I/chain.pem" "$T/chain.saved"
expect 1 "issue without the CA's chain.pem is refused" roleca --dir "$I" issue \
	persistent-chat --set server_fqdn=nochain.lab.example --out nochain
assert "... naming the file and the way back" err_has "$I/chain.pem: missing (an install cut short, or removed), so the chain to the root is not known: run roleca install-cert again"
expect 0 "... while the CA still signs a CRL" roleca --dir "$I" crl
expect 1 "... and export, whose PKCS#12 would carry the chain, is refused" \
	roleca --dir "$I" export "$serial" --key fe01.key --out nochain.p12 --p12-pass-file "$T/pass"
assert "... naming chain.pem" err_has "$I/chain.pem: missing"
assert "... in one line" err_one_line
assert "... writing nothing" test ! -e nochain.key -a ! -e nochain.crt
expect 0 "install-cert with the chain puts it back" roleca --dir "$I" install-cert "$T/chain.saved"
assert "... the same chain.pem" cmp "$I/chain.pem" "$T/chain.saved"
expect 0 "... and issue works again" roleca --dir "$I" issue \
	persistent-chat --set server_fqdn=nochain.lab.example --out nochain
assert "... its chain file reaching the root" test "$(grep -c 'BEGIN CERTIFICATE' nochain.chain.pem)" -eq 3
mv "$L/root/chain.pem" "$T/root-chain.saved"
expect 0 "a root without chain.pem still signs (its chain is itself)" roleca --dir "$L/root" \
	issue persistent-chat --set server_fqdn=rootleaf.lab.example --out rootleaf
mv "$T/root-chain.saved" "$L/root/chain.pem"

# --force replaces files only: a symbolic link where a file would go is
# refused before a key is made or anything recorded, and stays.
echo other >linked.key.target
ln -s linked.key.target linked.key
rows=$(sqlite3 "$DB" 'SELECT count(*) FROM certs')
expect 1 "issue --force onto a symbolic link is refused" roleca --dir "$I" issue frontend \
	$FE_VARS --out linked --force
assert "... saying so" err_has "linked.key: is a symbolic link, not a regular file"
assert "... the link kept, its target unchanged" sh -c \
	"test -L linked.key && test \"\$(cat linked.key)\" = other"
assert "... nothing recorded, no other file written" sh -c \
	"test \$(sqlite3 '$DB' 'SELECT count(*) FROM certs') -eq $rows && ! test -e linked.crt"
finish
