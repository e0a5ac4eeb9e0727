#!/bin/sh
# A CA key in a PKCS#11 token (SoftHSM2, created here): init, issue, revoke
# and crl sign with a key that never leaves the token.
. "${SRCDIR:-.}/tests/cli/lib.sh"

cd "$T" || exit 1
MODULE=/usr/lib/softhsm/libsofthsm2.so
if [ ! -f "$MODULE" ] || ! command -v softhsm2-util >/dev/null; then
	not_ok "SoftHSM2 is installed (tools/quickstart.sh installs softhsm2)"
	finish
	exit 1
fi
mkdir tokens
echo "directories.tokendir = $T/tokens" >softhsm2.conf
export SOFTHSM2_CONF="$T/softhsm2.conf"
assert "a SoftHSM2 token is created" softhsm2-util --init-token --free --label roleca-test \
	--pin 123456 --so-pin 12345678
assert "a P-256 key is generated inside it" env GNUTLS_PIN=123456 p11tool --provider "$MODULE" \
	--login --generate-privkey=ECDSA --curve=secp256r1 --label ca "pkcs11:token=roleca-test"
cat >ca.cfg <<CFG
subject = { CN = "Token CA"; };
key = "ec:p256";
key_uri = "pkcs11:token=roleca-test;object=ca;type=private";
pkcs11_module = "$MODULE";
cdp = [ "http://pki.lab.example/crl/token.crl" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
export ROLECA_PKCS11_PIN=123456
expect 0 "init with the key in the token" roleca --dir ca init --config ca.cfg
assert "no ca.key file: the key stayed in the token" test ! -e ca/ca.key
assert "the CA certificate holds the token's public key" sh -c \
	"p11tool --provider '$MODULE' --export 'pkcs11:token=roleca-test;object=ca;type=public' 2>/dev/null |
	 openssl pkey -pubin -outform DER | md5sum | cut -d' ' -f1 >a &&
	 openssl x509 -in ca/ca.crt -noout -pubkey | openssl pkey -pubin -outform DER | md5sum | cut -d' ' -f1 >b &&
	 cmp a b"
assert "the self-signed CA verifies" openssl verify -x509_strict -CAfile ca/ca.crt ca/ca.crt
expect 0 "issue signs in the token" roleca --dir ca issue persistent-chat \
	--set server_fqdn=chat.lab.example --out chat
serial=$(cat "$T/out")
assert "the leaf verifies" openssl verify -x509_strict -purpose sslserver -CAfile ca/ca.crt chat.crt
cat >site.cfg <<'CFG'
servers = (
	{ name = "c1"; role = "persistent-chat"; set = { server_fqdn = "c1.lab.example"; }; },
	{ name = "c2"; role = "persistent-chat"; set = { server_fqdn = "c2.lab.example"; }; },
	{ name = "c3"; role = "persistent-chat"; set = { server_fqdn = "c3.lab.example"; }; }
);
CFG
expect 0 "deploy signs in the token (on one thread)" roleca --dir ca deploy site.cfg --out site
assert "... three servers issued" test "$(grep -c ' issued ' "$T/out")" -eq 3
assert "... each verifies" openssl verify -x509_strict -purpose sslserver -CAfile ca/ca.crt \
	site/c1.crt site/c2.crt site/c3.crt
expect 0 "revoke" roleca --dir ca revoke "$serial" --reason keyCompromise
expect 0 "crl signs in the token" roleca --dir ca crl
assert "the CRL verifies" openssl crl -in ca/crl/token.crl -inform DER -noout -verify \
	-CAfile ca/ca.crt
assert "... and lists the revoked leaf" sh -c \
	"openssl crl -in ca/crl/token.crl -inform DER -noout -text | grep -q \"$(echo "$serial" | tr a-f A-F)\""
# A token CA made for an external parent: a wrong certificate names the URL.
sed 's/CN = "Token CA"/CN = "Token Sub"/' ca.cfg >sub.cfg
expect 0 "init --csr-out with the key in the token" roleca --dir sub init --config sub.cfg \
	--csr-out sub.csr
expect 3 "install-cert of a certificate for another key is refused" roleca --dir sub \
	install-cert chat.crt
assert "... naming the token's key, not a ca.key that is not there" \
	err_has "does not hold this CA's key (pkcs11:token=roleca-test;object=ca;type=private)"
sed 's|type=private";|type=private?pin-value=123456";|' ca.cfg >pin.cfg
expect 1 "a key_uri carrying the PIN is refused" roleca --dir pin init --config pin.cfg
assert "... saying why" err_has "key_uri carries the PIN (pin-value)"
assert "... making no CA" test ! -e pin
# A key_uri naming another key of the token: the CA stops, naming it.
assert "a second key is generated in the token" env GNUTLS_PIN=123456 p11tool \
	--provider "$MODULE" --login --generate-privkey=ECDSA --curve=secp256r1 \
	--label other "pkcs11:token=roleca-test"
cp -a ca other
sed -i 's/object=ca;/object=other;/' other/ca.cfg
expect 1 "a token key that is not the certificate's stops the CA" \
	roleca --dir other issue persistent-chat --set server_fqdn=chat2.lab.example --out chat2
assert "... naming the key_uri, not a ca.key that is not there" \
	err_has "the token key pkcs11:token=roleca-test;object=other;type=private (key_uri in other/ca.cfg) does not match other/ca.crt"
assert "... issuing nothing" test ! -e chat2.crt
# A subordinate whose key_uri names its parent's key: refused.
sed 's/CN = "Token CA"/CN = "Token Sub2"/' ca.cfg >samekey.cfg
expect 3 "a subordinate with its parent's own key is refused" \
	roleca --dir samekey init --config samekey.cfg --parent ca
assert "... naming the rule" err_has "refused: key: the key is the parent CA's own"
assert "... making nothing" test ! -e samekey
# A token key too weak for a CA, for an external parent: refused at init.
assert "an RSA-1024 key is generated in the token" env GNUTLS_PIN=123456 p11tool \
	--provider "$MODULE" --login --generate-privkey=RSA --bits 1024 \
	--label weak "pkcs11:token=roleca-test"
sed 's/object=ca;/object=weak;/' sub.cfg >weak.cfg
expect 3 "init --csr-out refuses a token key too weak for a CA" \
	roleca --dir weak init --config weak.cfg --csr-out weak.csr
assert "... naming the rule" err_has "refused: key: RSA key of 1024 bits (at least 2048)"
assert "... making no CA and no CSR" sh -c "test ! -e weak && test ! -e weak.csr"
export ROLECA_PKCS11_PIN=654321
expect 1 "a wrong PIN is an error" setsid "$ROLECA" --dir ca crl
assert "... from the token" err_has "PIN"
assert "... logged in the audit log" sh -c "sqlite3 ca/roleca.db \"SELECT operation || ' ' || outcome FROM audit ORDER BY id DESC LIMIT 1\" |
	grep -q '^crl error: .*PIN'"
unset ROLECA_PKCS11_PIN
expect 2 "no PIN and no terminal is a usage error, as roleca(1) says" \
	setsid "$ROLECA" --dir ca crl </dev/null
assert "... saying no source gave the PIN" err_has "no PIN for token"
assert "... naming the sources a PIN has" sh -c "grep -q 'ROLECA_PKCS11_PIN_FILE' '$T/err' &&
	grep -q 'terminal' '$T/err'"
assert "... and no passphrase file, which no PIN comes from" sh -c \
	"! grep -q 'passphrase file' '$T/err'"
assert "... in one line" err_one_line
expect 2 "a PIN variable set but empty is a usage error" env ROLECA_PKCS11_PIN= \
	setsid "$ROLECA" --dir ca crl </dev/null
assert "... asking for the PIN in it, not a passphrase" \
	err_has "ROLECA_PKCS11_PIN is set but empty: put the PIN in it, or unset it to be asked"
expect 1 "install-cert on a finished token CA is refused before any PIN is asked" \
	setsid "$ROLECA" --dir ca install-cert chat.crt </dev/null
assert "... as the CA certificate exists" err_has "ca/ca.crt: already exists"


# A subordinate whose key is in a second token with a PIN of its own: the
# PIN the environment gives is the parent token's, and is not tried on the
# second (where it would count as a wrong PIN) but refused, naming both.
assert "a second token" softhsm2-util --init-token --free --label roleca-two \
	--pin 987654 --so-pin 12345678
assert "... with a key" env GNUTLS_PIN=987654 p11tool --provider "$MODULE" \
	--login --generate-privkey=ECDSA --curve=secp256r1 --label sub2 "pkcs11:token=roleca-two"
sed 's/CN = "Token CA"/CN = "Token Two"/; s/token=roleca-test;object=ca/token=roleca-two;object=sub2/' \
	ca.cfg >two.cfg
echo 'validity_days = 1825;' >>two.cfg
expect 2 "init --parent: both keys in tokens, one PIN given" env ROLECA_PKCS11_PIN=123456 \
	"$ROLECA" --dir two init --config two.cfg --parent ca
assert "... refused, naming both tokens" err_has \
	"PIN for token roleca-two: the PIN from ROLECA_PKCS11_PIN or ROLECA_PKCS11_PIN_FILE is token roleca-test's and is not tried on another"
assert "... making no CA" test ! -e two
assert "... and recording nothing at the parent" test \
	"$(sqlite3 ca/roleca.db "SELECT count(*) FROM certs WHERE subject LIKE '%Token Two%'")" -eq 0
assert "the second token saw no failed login" sh -c \
	"env GNUTLS_PIN=987654 p11tool --provider '$MODULE' --login --list-privkeys 'pkcs11:token=roleca-two' 2>&1 | grep -q sub2"

expect 2 "a PIN too short" env ROLECA_PKCS11_PIN=12 "$ROLECA" --dir ca crl
assert "... is called a PIN" err_has "ROLECA_PKCS11_PIN: the PIN must be at least 4 characters"
finish
