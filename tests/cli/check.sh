#!/bin/sh
# check: the same rules as issuance, on certificates roleca did not make.
. "${SRCDIR:-.}/tests/cli/lib.sh"

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
cd "$T" || exit 1
roleca --dir "$I" issue frontend $FE_VARS --out fe01 >/dev/null 2>&1

expect 0 "a roleca certificate is compliant" roleca --dir "$I" check fe01.crt
assert "... and says so" out_has "compliant"
expect 0 "... also for its role" roleca --dir "$I" check fe01.crt --profile frontend
expect 0 "... also with the exact variables" roleca --dir "$I" check fe01.crt \
	--profile frontend $FE_VARS
expect 3 "other exact variables do not match" roleca --dir "$I" check fe01.crt \
	--profile frontend --set pool_fqdn=pool02.lab.example \
	--set server_fqdn=fe01.lab.example --set sip_domain=lab.example
assert "... naming the missing name" out_has "pool02.lab.example"
# The CA in DIR issued it: its database has the last word on revocation,
# published or not, and on what it issued at all.
fe09=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=fe09.lab.example --out fe09 2>/dev/null)
roleca --dir "$I" revoke "$fe09" --reason keyCompromise 2>/dev/null
expect 3 "a certificate the CA's database has revoked, no CRL yet" roleca --dir "$I" check fe09.crt
assert "... says so, with reason and time" out_has "database: the CA's database has it revoked (keyCompromise) at"
fe10=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=fe10.lab.example --out fe10 2>/dev/null)
since=$(date -u -d '2 minutes ago' '+%Y-%m-%dT%H:%M:%SZ')
shown=$(date -u -d "$since" '+%Y-%m-%d %H:%M:%S')
roleca --dir "$I" revoke "$fe10" --reason keyCompromise --date "$since" 2>/dev/null
expect 3 "a revocation with --date" roleca --dir "$I" check fe10.crt
assert "... says since when it is invalid" out_has ", invalid since $shown UTC"
openssl x509 -req -in /dev/stdin -CA "$I/ca.crt" -CAkey "$I/ca.key" -days 30 -copy_extensions copy \
	-out unrecorded.crt 2>/dev/null <<EOF2
$(openssl x509 -in fe09.crt -x509toreq -signkey fe09.key 2>/dev/null)
EOF2
expect 3 "a certificate signed with the CA's key outside roleca" roleca --dir "$I" check unrecorded.crt
assert "... is not in the CA's database" out_has "is not in the CA's database (it did not record issuing it)"
expect 0 "outside a CA directory, with --chain" roleca --dir "$T/none" check fe01.crt \
	--chain "$I/chain.pem"
expect 3 "... with a --chain that did not issue it" roleca --dir "$T/none" check fe01.crt \
	--chain "$L/root/ca.crt"
assert "... naming the missing issuer" out_has "chain: its issuer 'O=roleca tests,CN=Test Issuing CA' is not in --chain"
cat fe01.crt "$L/root/ca.crt" >fe01-noint.pem
expect 3 "a chain file without the intermediate" roleca --dir "$T/none" check fe01-noint.pem
assert "... says its issuer is missing" out_has "is not in the rest of the file"
cat fe01.crt "$L/root/ca.crt" "$I/ca.crt" >fe01-ooo.pem
expect 3 "a chain file out of order" roleca --dir "$T/none" check fe01-ooo.pem \
	--ca "$L/root/ca.crt"
assert "... says which certificate is out of place" out_has "chain: certificate 2 of the file ('O=roleca tests,CN=Test Root CA') is not the issuer of the one before it"
cat fe01.crt "$I/ca.crt" "$L/root/ca.crt" >fe01-ordered.pem
expect 0 "... and the same chain in order is compliant" roleca --dir "$T/none" \
	check fe01-ordered.pem --ca "$L/root/ca.crt"
expect 3 "checked for another role (persistent-chat), it is not compliant" \
	roleca --dir "$I" check fe01.crt --profile persistent-chat
assert "... clientAuth is not that role's purpose" out_has "eku: purpose clientAuth (1.3.6.1.5.5.7.3.2) is not one of the role's"
# The role's lifetime, now shorter than when fe01 was issued (730 days).
mkdir -p "$I/profiles"
sed 's/^validity_days = .*/validity_days = 365;/' "$SRCDIR/profiles/frontend.cfg" \
	>"$I/profiles/frontend.cfg"
expect 3 "checked for its role, a lifetime past the role's is reported" roleca --dir "$I" \
	check fe01.crt --profile frontend
assert "... naming both" out_has "validity: lifetime of 730 days exceeds the role's 365 days"
expect 3 "... also with the exact variables" roleca --dir "$I" \
	check fe01.crt --profile frontend $FE_VARS
assert "... naming both" out_has "validity: lifetime of 730 days exceeds the role's 365 days"
rm -r "$I/profiles"
# The role's own CRL distribution point and key usages depend on no
# variable: without --set they are judged all the same.
roleca --dir "$I" issue persistent-chat --set server_fqdn=pc9.lab.example --out pc9 \
	>/dev/null 2>&1
mkdir -p "$I/profiles"
{ cat "$SRCDIR/profiles/persistent-chat.cfg"
  echo 'cdp = "http://pki.lab.example/crl/extra.crl";'
  echo 'key_usage = [ "digitalSignature", "keyEncipherment", "nonRepudiation" ];'
} >"$I/profiles/persistent-chat.cfg"
expect 3 "checked for its changed role without --set" roleca --dir "$I" \
	check pc9.crt --profile persistent-chat
assert "... the profile's CRL distribution point is missing" \
	out_has "the profile's CRL distribution point http://pki.lab.example/crl/extra.crl is missing"
assert "... and so is nonRepudiation" out_has "keyUsage is digitalSignature, keyEncipherment; role persistent-chat's is digitalSignature, nonRepudiation, keyEncipherment"
rm -r "$I/profiles"
expect 0 "... and compliant for the role as it was" roleca --dir "$I" \
	check pc9.crt --profile persistent-chat

# Foreign certificates made by openssl, signed by an openssl CA.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj "/CN=Foreign CA" -days 365 -out ca.crt 2>/dev/null
leaf() {	# leaf NAME KEYOPTS DIGEST EXTFILE
	openssl req -new -newkey "$2" -nodes -keyout "$1.key" -subj "/CN=web.lab.example" \
		-out "$1.csr" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 90 "$3" -extfile "$4" -out "$1.crt" 2>/dev/null
}
cat >good.ext <<'EXT'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:web.lab.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://pki.example/ca.crl
EXT
openssl ecparam -name prime256v1 -out p256.pem
leaf good ec:p256.pem -sha256 good.ext
expect 0 "a compliant foreign certificate passes" roleca --dir "$T/none" check good.crt --chain ca.crt
# With a CA in DIR: a certificate it did not issue is said so; one whose
# issuer has its name but another key (an impostor) fails the signature.
cat good.crt ca.crt >good-chain.pem
expect 0 "with --dir of another CA, the foreign certificate still passes its own rules" \
	roleca --dir "$I" check good-chain.pem
assert "... saying it was not issued by the CA in DIR, nor its issuer anchored" \
	out_has "compliant (not issued by the CA in DIR, whose policy was not applied; issuer not anchored: give --ca)"
expect 0 "... and in --json" roleca --dir "$I" check good-chain.pem --json
assert "... issued_by_dir_ca false, issuer not anchored" sh -c \
	"jq -e '.issued_by_dir_ca == false and .issuer_anchored == false' '$T/out'"
expect 3 "a chain that does not verify to --ca" roleca --dir "$T/none" check good-chain.pem \
	--ca "$L/root/ca.crt" --json
assert "... is not anchored in --json" sh -c \
	"jq -e '.issuer_checked == true and .issuer_anchored == false' '$T/out'"
# The impostor: another CA made from the same configuration, so the same
# name, byte for byte, and another key.
roleca --dir twin init --config "$L/issuing.cfg" 2>/dev/null
assert "(the impostor has the issuing CA's name)" test \
	"$(openssl x509 -in twin/ca.crt -noout -subject)" = "$(openssl x509 -in "$I/ca.crt" -noout -subject)"
roleca --dir twin issue persistent-chat --set server_fqdn=imp.lab.example --out imp 2>/dev/null
cp imp.chain.pem imp-chain.pem
expect 3 "a certificate from an impostor with the CA's name, its chain beside it, fails" \
	roleca --dir "$I" check imp-chain.pem
assert "... the signature checked with the CA in DIR" out_has "issuer: the signature does not verify"

grep -v crlDistributionPoints good.ext >nocdp.ext
leaf nocdp ec:p256.pem -sha256 nocdp.ext
expect 3 "no CDP: not compliant" roleca --dir "$T/none" check nocdp.crt --chain ca.crt
assert "... reported as cdp" out_has "cdp:"

sed 's/crlDistributionPoints.*/crlDistributionPoints = URI:https:\/\/pki.example\/ca.crl/' good.ext >https.ext
leaf https ec:p256.pem -sha256 https.ext
expect 3 "an https-only CDP: not compliant" roleca --dir "$T/none" check https.crt --chain ca.crt
assert "... reported as cdp" out_has "cdp:"

sed 's/extendedKeyUsage.*/extendedKeyUsage = clientAuth/' good.ext >noserver.ext
leaf noserver ec:p256.pem -sha256 noserver.ext
expect 3 "no serverAuth: not compliant" roleca --dir "$T/none" check noserver.crt --chain ca.crt
assert "... reported as eku" out_has "eku:"

sed 's/keyUsage = critical,digitalSignature/keyUsage = critical,digitalSignature,keyEncipherment/' \
	good.ext >rsa.ext
leaf weak rsa:1024 -sha256 rsa.ext
expect 3 "an RSA-1024 key: not compliant" roleca --dir "$T/none" check weak.crt --chain ca.crt
assert "... reported as key" out_has "key:"
openssl req -new -newkey rsa:2048 -pkeyopt rsa_keygen_pubexp:3 -nodes \
	-keyout e3.key -subj "/CN=web.lab.example" -out e3.csr 2>/dev/null
openssl x509 -req -in e3.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	-days 90 -sha256 -extfile rsa.ext -out e3.crt 2>/dev/null
assert "openssl verifies a certificate for an RSA key with e = 3" \
	openssl verify -CAfile ca.crt e3.crt
expect 3 "... roleca check finds it not compliant" roleca --dir "$T/none" check e3.crt --chain ca.crt
assert "... naming the exponent" out_has "key: RSA public exponent 3 (an odd number from 65537 to 2147483647)"

leaf sha1 ec:p256.pem -sha1 good.ext
if [ -s sha1.crt ]; then
	expect 3 "a SHA-1 signature: not compliant" roleca --dir "$T/none" check sha1.crt --chain ca.crt
	assert "... reported as signature" out_has "signature:"
fi

{ cat good.ext; echo "1.2.3.4.5.6.7 = critical,ASN1:UTF8String:x"; } >critunk.ext
leaf critunk ec:p256.pem -sha256 critunk.ext
expect 3 "a critical extension clients do not know: not compliant" \
	roleca --dir "$T/none" check critunk.crt --chain ca.crt
assert "... reported as extensions" out_has "extensions: extension 1.2.3.4.5.6.7 is critical"
assert "openssl agrees" sh -c "! openssl verify -CAfile ca.crt critunk.crt >/dev/null 2>&1"
sed 's/subjectKeyIdentifier = hash/subjectKeyIdentifier = critical,hash/' good.ext >critski.ext
leaf critski ec:p256.pem -sha256 critski.ext
expect 3 "a critical subjectKeyIdentifier: not compliant" \
	roleca --dir "$T/none" check critski.crt --chain ca.crt
assert "... reported as extensions" out_has "extensions: subjectKeyIdentifier (2.5.29.14) is critical"
sed 's/subjectAltName = /subjectAltName = critical,/' good.ext >critsan.ext
leaf critsan ec:p256.pem -sha256 critsan.ext
expect 0 "a critical subjectAltName is fine" \
	roleca --dir "$T/none" check critsan.crt --chain ca.crt

grep -v -e crlDistributionPoints -e extendedKeyUsage good.ext >both.ext
leaf both ec:p256.pem -sha256 both.ext
expect 3 "every broken rule is reported, not just the first" \
	roleca --dir "$T/none" check both.crt --chain ca.crt
assert "... cdp and eku both" sh -c "grep -q '^both.crt: cdp:' '$T/out' && grep -q '^both.crt: eku:' '$T/out'"

expect 3 "a foreign certificate checked for a role misses its names" \
	roleca --dir "$T/none" check good.crt --chain ca.crt --profile frontend
assert "... naming a missing name pattern" out_has "sip."

# --crl FILE: the CA's own CRL, as a peer would use it.
roleca --dir "$I" issue frontend --set pool_fqdn=pool01.lab.example \
	--set server_fqdn=fe09.lab.example --set sip_domain=lab.example --out fe09 >/dev/null 2>&1
roleca --dir "$I" revoke "$(openssl x509 -in fe09.crt -noout -serial | cut -d= -f2)" \
	--reason keyCompromise 2>/dev/null
crl=$(roleca --dir "$I" crl 2>/dev/null)
expect 0 "with the CA's CRL, a good certificate is compliant" \
	roleca --dir "$T/none" check fe01.crt --chain "$I/chain.pem" --crl "$crl"
expect 0 "... the CRL as PEM too" \
	roleca --dir "$T/none" check fe01.crt --chain "$I/chain.pem" --crl "$crl.pem"
expect 3 "a revoked certificate is not" \
	roleca --dir "$T/none" check fe09.crt --chain "$I/chain.pem" --crl "$crl"
assert "... saying it is revoked" out_has "crl: the certificate is revoked"
assert "openssl agrees" sh -c "! openssl verify -crl_check -CAfile '$L/root/ca.crt' \
	-untrusted '$I/ca.crt' -CRLfile '$crl.pem' fe09.crt >/dev/null 2>&1"
expect 3 "without an issuer the CRL's signature cannot be checked" \
	roleca --dir "$T/none" check fe01.crt --crl "$crl"
assert "... which it says" out_has "its signature cannot be checked"
rootcrl=$(roleca --dir "$L/root" crl 2>/dev/null)
expect 3 "a CRL signed by another CA is refused" \
	roleca --dir "$T/none" check fe01.crt --chain "$I/chain.pem" --crl "$rootcrl"
assert "... as not signed by the issuer" out_has "not signed by the issuer"
expect 1 "a --crl file that is not a CRL is an error, not a finding" \
	roleca --dir "$T/none" check fe01.crt --chain "$I/chain.pem" --crl fe01.crt
assert "... naming the file" err_has "--crl fe01.crt: not a CRL (DER or PEM)"
assert "... in one line" err_one_line
expect 1 "a missing CRL file is an error" \
	roleca --dir "$T/none" check fe01.crt --chain "$I/chain.pem" --crl "$T/none.crl"

expect 1 "a file that is not a certificate is an error" roleca check "$T/lab/root.cfg"
expect 1 "a missing file is an error" roleca check "$T/nonexistent.crt"
echo 'a pass phrase' >"$T/p12.pass"
roleca --dir "$I" issue persistent-chat --set server_fqdn=p12.lab.example --out p12c \
	--p12-pass-file "$T/p12.pass" >/dev/null 2>&1
expect 1 "a PKCS#12 file is an error" roleca check p12c.p12
assert "... that says it is one and how to take the certificate out" \
	err_has "p12c.p12: a PKCS#12 file, not an X.509 certificate (PEM or DER): give the .crt, or take it out with openssl pkcs12 -nokeys"
openssl pkcs12 -export -in p12c.crt -inkey p12c.key -passout file:"$T/p12.pass" \
	-out p12o.p12 2>/dev/null
expect 1 "... also one openssl made" roleca check p12o.p12
assert "... said so" err_has "p12o.p12: a PKCS#12 file"
expect 2 "an empty --servername is a usage error" roleca check --connect 127.0.0.1:9 \
	--servername ""
assert "... that says so" err_has "--servername: empty name"

# A certificate made outside roleca for the issuing CA's own key: check
# reports it (the server would hold the CA's private key).
openssl req -new -key "$I/ca.key" -subj /CN=cakey.lab.example -out cakey.csr 2>/dev/null
printf 'basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:cakey.lab.example\ncrlDistributionPoints = URI:http://pki.lab.example/crl/issuing.crl\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n' >cakey.ext
openssl x509 -req -in cakey.csr -CA "$I/ca.crt" -CAkey "$I/ca.key" -CAcreateserial -days 30 \
	-extfile cakey.ext -out cakey.crt 2>/dev/null
expect 3 "check reports a certificate for the issuing CA's own key" roleca --dir "$I" check cakey.crt
assert "... naming the CA" out_has "the key is that of the CA 'O=roleca tests,CN=Test Issuing CA'"
expect 3 "... with --chain outside the CA directory too" roleca --dir "$T/none" check cakey.crt \
	--chain "$I/chain.pem"
assert "... the same finding" out_has "the key is that of the CA 'O=roleca tests,CN=Test Issuing CA'"

# The same for the root's key, with the chain given by --chain: the
# root's certificate there is a CA's, and its key is not the leaf's to hold.
openssl req -new -key "$L/root/ca.key" -subj /CN=rootkey.lab.example -out rootkey.csr 2>/dev/null
sed 's/cakey/rootkey/' cakey.ext >rootkey.ext
openssl x509 -req -in rootkey.csr -CA "$I/ca.crt" -CAkey "$I/ca.key" -CAcreateserial -days 30 \
	-extfile rootkey.ext -out rootkey.crt 2>/dev/null
expect 3 "check --chain reports a certificate for the root's key" roleca --dir "$T/none" \
	check rootkey.crt --chain "$I/chain.pem"
assert "... naming the root" out_has "the key is that of the CA 'O=roleca tests,CN=Test Root CA'"

# A chain file with a request in it, or a key alone, says which block.
cat fe01.crt "$I/ca.crt" >withcsr.pem
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-subj /CN=x.lab.example 2>/dev/null >>withcsr.pem
expect 1 "check of a chain whose third block is a request" roleca check withcsr.pem
assert "... names the block" err_has "withcsr.pem: PEM block 3 is a CERTIFICATE REQUEST, not a CERTIFICATE"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out keyonly.pem 2>/dev/null
expect 1 "check of a key file" roleca check keyonly.pem
assert "... says it is a key" err_has "keyonly.pem: PEM block 1 is a PRIVATE KEY, not a CERTIFICATE"
cat fe01.crt keyonly.pem >crtkey.pem
expect 0 "a certificate followed by its key still reads" roleca --dir "$I" check crtkey.pem

# A CRL signed by an issuer whose keyUsage leaves out cRLSign is no
# revocation source (RFC 5280 6.3.3 (f)): openssl refuses it, so does check.
mkdir -p nocrlsign/newcerts && cd nocrlsign || exit 1
printf '[ca]\ndefault_ca = c\n[c]\ndir = .\ndatabase = index.txt\nnew_certs_dir = newcerts\ncertificate = ca.crt\nprivate_key = ca.key\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\ncrl_extensions = crlx\n[cax]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\nsubjectKeyIdentifier = hash\n[crlx]\nauthorityKeyIdentifier = keyid\n' >ca.cnf
: >index.txt && echo 01 >crlnumber
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
	-subj "/CN=No cRLSign CA" -days 365 -config ca.cnf -extensions cax -out ca.crt 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout l.key \
	-subj /CN=web.lab.example -out l.csr 2>/dev/null
openssl x509 -req -in l.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 90 -sha256 \
	-extfile ../good.ext -out l.crt 2>/dev/null
openssl ca -gencrl -config ca.cnf -out crl.pem 2>/dev/null
assert "(openssl verify refuses the CRL: its issuer may not sign CRLs)" sh -c \
	"! openssl verify -crl_check -CAfile ca.crt -CRLfile crl.pem l.crt >/dev/null 2>&1"
expect 3 "check --crl: a CRL whose issuer lacks cRLSign is a finding" \
	roleca --dir "$T/none" check l.crt --ca ca.crt --crl crl.pem
assert "... saying why" out_has "the issuer's keyUsage does not permit CRL signing"
# A CRL dated ahead of the clock (a CA whose clock ran fast): verifiers
# refuse it until then, and so does check.
sed 's/^keyUsage = .*/keyUsage = critical,keyCertSign,cRLSign/' ca.cnf >ca2.cnf
openssl req -x509 -new -key ca.key -subj "/CN=No cRLSign CA" -days 365 -config ca2.cnf \
	-extensions cax -out ca.crt 2>/dev/null
openssl x509 -req -in l.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 90 -sha256 \
	-extfile ../good.ext -out l.crt 2>/dev/null
openssl ca -gencrl -config ca2.cnf -out now.pem 2>/dev/null
expect 0 "check --crl: the same CRL from an issuer that may sign CRLs is fine" \
	roleca --dir "$T/none" check l.crt --ca ca.crt --crl now.pem
ahead=$(date -u -d '+1 day' +%Y%m%d%H%M%SZ)
if openssl ca -gencrl -config ca2.cnf -crl_lastupdate "$ahead" -out ahead.pem 2>/dev/null; then
	assert "(openssl verify refuses a CRL not yet valid)" sh -c \
		"openssl verify -crl_check -CAfile ca.crt -CRLfile ahead.pem l.crt 2>&1 | grep -q 'not yet valid'"
	expect 3 "check --crl: a CRL whose thisUpdate is tomorrow is a finding" \
		roleca --dir "$T/none" check l.crt --ca ca.crt --crl ahead.pem
	assert "... saying so" out_has "is not yet valid (its thisUpdate is in the future)"
else
	ok "a CRL dated ahead # SKIP: openssl ca has no -crl_lastupdate"
fi
# A CRL check cannot interpret, or whose scope leaves the certificate out
# (RFC 5280 5.2, 5.2.5, 6.3.3 (b)), judges nothing: openssl refuses each,
# and check says why rather than calling the certificate compliant.
cat >>ca2.cnf <<'CNF'
[unk]
authorityKeyIdentifier = keyid
1.2.3.4 = critical,DER:0500
[onlyca]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical,@onlyca_s
[onlyca_s]
onlyCA = TRUE
[some]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical,@some_s
[some_s]
onlysomereasons = keyCompromise
[other]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical,@other_s
[other_s]
fullname = URI:http://other.example/x.crl
[same]
authorityKeyIdentifier = keyid
issuingDistributionPoint = critical,@same_s
[same_s]
fullname = URI:http://pki.example/ca.crl
onlyuser = TRUE
CNF
for x in unk onlyca some other same; do
	openssl ca -gencrl -config ca2.cnf -crlexts "$x" -out "$x.pem" 2>/dev/null
done
for x in "unk:it has a critical extension roleca does not process (1.2.3.4)" \
    "onlyca:it lists CA certificates only" \
    "some:it lists some revocation reasons only" \
    "other:its issuingDistributionPoint is another distribution point than the certificate's"; do
	f=${x%%:*} why=${x#*:}
	assert "(openssl verify refuses the CRL $f.pem)" sh -c \
		"! openssl verify -crl_check -CAfile ca.crt -CRLfile $f.pem l.crt >/dev/null 2>&1"
	expect 3 "check --crl: $f.pem cannot be used" \
		roleca --dir "$T/none" check l.crt --ca ca.crt --crl "$f.pem"
	assert "... saying why" out_has "the CRL at $f.pem cannot be used: $why"
done
assert "(openssl verify takes a CRL of this distribution point, end-entity certificates only)" \
	openssl verify -crl_check -CAfile ca.crt -CRLfile same.pem l.crt
expect 0 "check --crl takes it too" roleca --dir "$T/none" check l.crt --ca ca.crt --crl same.pem
cd "$T" || exit 1
# A bare certificate of the CA in DIR, with --ca its root: the CA's own
# chain links them, as openssl does with the same files.
expect 0 "check a bare certificate of the CA in DIR against its root (--ca)" \
	roleca --dir "$I" check "$T/fe01.crt" --ca "$L/root/ca.crt"
assert "... compliant, anchored" sh -c "grep -qx '$T/fe01.crt: compliant' '$T/out'"
assert "(openssl agrees, given the intermediate)" sh -c \
	"openssl verify -CAfile '$L/root/ca.crt' -untrusted '$I/ca.crt' '$T/fe01.crt' >/dev/null"
finish
