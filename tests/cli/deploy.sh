#!/bin/sh
# deploy: a whole site from examples/deployment.cfg, idempotent re-runs,
# shared Edge certificates, --reissue, --csr-dir, and bad deployment files.
. "${SRCDIR:-.}/tests/cli/lib.sh"

make_lab "$T/lab" || { not_ok "lab setup"; finish; exit 1; }
I=$T/lab/issuing
DB=$I/roleca.db
cd "$T" || exit 1

# has_line NAME TEXT: NAME's line on stdout holds TEXT (taken literally).
has_line() { awk -v n="$1" '$1 == n' "$T/out" | grep -qF -- "$2"; }
# serial NAME: the serial on NAME's line.
serial() { awk -v n="$1" '$1 == n { print $4 }' "$T/out"; }

expect 0 "deploy the example site" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "eight certificates (two Edge servers share one)" test "$(grep -c ' issued ' "$T/out")" -eq 8
assert "eight rows in the database" test "$(rows "$DB")" -eq 8
assert "the Edge pool's certificate is one file for both servers" test -f certs/edgepool-ext.crt
assert "... no per-server Edge file" test ! -e certs/edge01.crt
assert "keys are 0600" test "$(stat -c %a certs/fe01.key)" = 600
for c in certs/*.crt; do
	assert "$(basename "$c") verifies as a TLS server certificate" verify_server "$T/lab" "$c"
done
assert "fe02 carries its own server name" sh -c \
	"openssl x509 -in certs/fe02.crt -noout -ext subjectAltName | grep -q 'DNS:fe02.lab.example'"
assert "the summary is on stderr" err_has "8 issued, 0 kept, 0 failed"
assert "... a first issue gives no reason" sh -c "! grep -q '(' '$T/out'"

expect 0 "a second run issues nothing" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... every server kept" test "$(grep -c ' kept ' "$T/out")" -eq 8
assert "... still eight rows" test "$(rows "$DB")" -eq 8
sum=$(cat certs/fe01.crt | md5sum)
old=$(serial fe01)
expect 0 "--reissue issues again" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" \
	--out certs --reissue
assert "... saying which certificate it replaces, and why" has_line fe01 "  (replaces $old: --reissue)"
assert "... eight more rows" test "$(rows "$DB")" -eq 16
assert "... the files replaced" test "$(cat certs/fe01.crt | md5sum)" != "$sum"
assert "... the database records what the new certificate replaces" test \
	"$(sqlite3 "$DB" "SELECT replaces FROM certs WHERE serial = '$(serial fe01)'")" = "$old"

# A revoked server certificate is replaced by the next run, files and all.
med=$(awk '$1 == "med01" { print $4 }' "$T/out")
roleca --dir "$I" revoke "$med" 2>/dev/null
expect 0 "after a revocation, deploy replaces that certificate only" roleca --dir "$I" deploy \
	"$SRCDIR/examples/deployment.cfg" --out certs
assert "... med01 issued, the rest kept" sh -c \
	"grep -q '^med01 .* issued' '$T/out' && test \$(grep -c ' kept ' '$T/out') -eq 7"
assert "... because it was revoked" has_line med01 "(replaces $med: revoked)"
rm certs/dir01.crt
expect 0 "a certificate whose files are gone is issued again" roleca --dir "$I" deploy \
	"$SRCDIR/examples/deployment.cfg" --out certs
assert "... dir01 issued" sh -c "grep -q '^dir01 .* issued' '$T/out'"
assert "... as a first issue, with no reason" sh -c "! grep -q '(' '$T/out'"
echo junk >certs/dir01.crt
expect 0 "a certificate file that is not a certificate is replaced" roleca --dir "$I" deploy \
	"$SRCDIR/examples/deployment.cfg" --out certs
assert "... naming the file and what is wrong" has_line dir01 "(certs/dir01.crt: not an X.509 certificate"
assert "... dir01 verifies" verify_server "$T/lab" certs/dir01.crt
# Another server's certificate copied over dir01's is not the one dir01's
# new certificate replaces: naming it would invite revoking fe01's.
fe01s=$(serial fe01)
cp certs/fe01.crt certs/dir01.crt
expect 0 "a certificate file holding another server's certificate is replaced" \
	roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... not named as replaced" sh -c "! grep -q 'replaces $fe01s' '$T/out'"
assert "... but as a certificate for other names" \
	has_line dir01 "(dir01.crt held $fe01s, a certificate for other names)"
assert "... dir01 verifies" verify_server "$T/lab" certs/dir01.crt
assert "... nor recorded as replaced" test \
	"$(sqlite3 "$DB" "SELECT ifnull(replaces, 'none') FROM certs WHERE serial = '$(serial dir01)'")" = none
assert "... fe01 keeps its certificate" test "$(serial fe01)" = "$fe01s"
old=$(serial fe02)
rm certs/fe02.key
expect 0 "a server whose key file is gone is issued again, with a new key" roleca --dir "$I" \
	deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... fe02 issued, the rest kept" sh -c \
	"grep -q '^fe02 .* issued' '$T/out' && test \$(grep -c ' kept ' '$T/out') -eq 7"
assert "... because its key is gone" has_line fe02 "(replaces $old: fe02.key is gone)"
assert "... its certificate holds the new key" test \
	"$(openssl x509 -in certs/fe02.crt -noout -pubkey)" = "$(openssl pkey -in certs/fe02.key -pubout)"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out certs/fe01.key 2>/dev/null
chmod 600 certs/fe01.key
expect 0 "a server whose key file holds another key is issued again" roleca --dir "$I" \
	deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... fe01 issued, the rest kept" sh -c \
	"grep -q '^fe01 .* issued' '$T/out' && test \$(grep -c ' kept ' '$T/out') -eq 7"
assert "... because its key file holds another key" has_line fe01 ": fe01.key holds another key)"
assert "... the key and the certificate match again" test \
	"$(openssl x509 -in certs/fe01.crt -noout -pubkey)" = "$(openssl pkey -in certs/fe01.key -pubout)"

# Renewal: a kept certificate due within --renew-days (default 30 days,
# or a third of a shorter lifetime) is issued again.
expect 0 "--renew-days 0 keeps every valid certificate" roleca --dir "$I" deploy \
	"$SRCDIR/examples/deployment.cfg" --out certs --renew-days 0
assert "... every server kept" test "$(grep -c ' kept ' "$T/out")" -eq 8
expect 0 "certificates expiring within --renew-days are issued again" roleca --dir "$I" \
	deploy "$SRCDIR/examples/deployment.cfg" --out certs --renew-days 800
assert "... all eight (730-day certificates)" test "$(grep -c ' issued ' "$T/out")" -eq 8
assert "... each saying it was due, and when it expires" test \
	"$(grep -c ': due for renewal, expires [0-9-]*)$' "$T/out")" -eq 8
expect 2 "a bad --renew-days is a usage error" roleca --dir "$I" deploy \
	"$SRCDIR/examples/deployment.cfg" --out certs --renew-days 3651
assert "... in one line" err_one_line
assert "... naming the option" err_has "--renew-days takes 0 to 3650"
mkdir -p "$I/profiles"
sed 's/^validity_days = .*/validity_days = 3;/' "$SRCDIR/profiles/persistent-chat.cfg" \
	>"$I/profiles/persistent-chat.cfg"
# A list variable given in another order changes no name: kept.
cat >list-site.cfg <<'CFG'
servers = ( { name = "fe31"; role = "frontend"; set = { pool_fqdn = "pool31.lab.example";
	server_fqdn = "fe31.lab.example"; sip_domain = [ "lab.example", "sip.lab.example" ]; }; } );
CFG
expect 0 "a server with two SIP domains" roleca --dir "$I" deploy list-site.cfg --out lists
sed -i 's/\[ "lab.example", "sip.lab.example" \]/[ "sip.lab.example", "lab.example" ]/' list-site.cfg
expect 0 "... the same domains in the other order" roleca --dir "$I" deploy list-site.cfg --out lists
assert "... keep its certificate" sh -c "grep -q '^fe31 .* kept ' '$T/out'"
: >notadir
expect 1 "deploy --out naming a file" roleca --dir "$I" deploy list-site.cfg --out notadir
assert "... says it is no directory" err_has "notadir: exists and is not a directory"
cat >short-site.cfg <<'CFG'
servers = ( { name = "chat09"; role = "persistent-chat"; set = { server_fqdn = "chat09.lab.example"; }; } );
CFG
expect 0 "a 3-day role's certificate" roleca --dir "$I" deploy short-site.cfg --out short
expect 0 "... is kept the next run (a third of 3 days left to renew in)" roleca --dir "$I" \
	deploy short-site.cfg --out short
assert "... kept" out_has " kept "
expect 0 "... and issued again with --renew-days 3" roleca --dir "$I" deploy short-site.cfg \
	--out short --renew-days 3
assert "... issued" out_has " issued "
rm -r "$I/profiles"

# A key file others can read is not replaced unasked: that server fails,
# with the fix, and nothing of it changes.
chmod 644 certs/fe01.key
sum=$(cat certs/fe01.key certs/fe01.crt | md5sum)
expect 1 "a server whose key file others can read fails" roleca --dir "$I" deploy \
	"$SRCDIR/examples/deployment.cfg" --out certs
assert "... naming the server, the file and the fix" sh -c "grep -q '^roleca: deploy: fe01 (.*deployment.cfg:[0-9]*): certs/fe01.key: private key is readable by group or others (mode 644); fix with: chmod 600 certs/fe01.key\$' '$T/err'"
assert "... the rest kept" test "$(grep -c ' kept ' "$T/out")" -eq 7
assert "... its key and certificate untouched" test "$(cat certs/fe01.key certs/fe01.crt | md5sum)" = "$sum"
chmod 600 certs/fe01.key
expect 0 "... once fixed, it is kept" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... every server kept" test "$(grep -c ' kept ' "$T/out")" -eq 8
# ... nor when its certificate is gone or due: an encrypted key stays.
cp -p certs/fe01.key "$T/fe01.key.plain"
openssl pkey -in "$T/fe01.key.plain" -aes256 -passout pass:abcd -out certs/fe01.key
chmod 600 certs/fe01.key
cp -p certs/fe01.crt "$T/fe01.crt.kept"
sum=$(md5sum <certs/fe01.key)
rm certs/fe01.crt
expect 1 "an encrypted key file with its certificate gone: that server fails" roleca \
	--dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... naming the server and the file, which is encrypted" sh -c \
	"grep -q '^roleca: deploy: fe01 (.*): certs/fe01.key: the key is encrypted; ' '$T/err'"
assert "... the key left as it was, no certificate made" sh -c \
	"test \"\$(md5sum <certs/fe01.key)\" = '$sum' && test ! -e certs/fe01.crt"
cp -p "$T/fe01.crt.kept" certs/fe01.crt
expect 1 "... and when it is due for renewal" roleca --dir "$I" deploy \
	"$SRCDIR/examples/deployment.cfg" --out certs --renew-days 800
assert "... the key left as it was" test "$(md5sum <certs/fe01.key)" = "$sum"
assert "... the others issued again" test "$(grep -c ' issued ' "$T/out")" -eq 7
cp -p "$T/fe01.key.plain" certs/fe01.key
expect 0 "... its key back, it is kept" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... every server kept" test "$(grep -c ' kept ' "$T/out")" -eq 8

# A chain file that is gone, or holds another chain, is written again.
rm certs/fe01.chain.pem
old=$(openssl x509 -in certs/fe01.crt -noout -serial | sed 's/.*=//' | tr A-F a-f)
expect 0 "a server whose chain file is gone is issued again" roleca --dir "$I" \
	deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... saying so" has_line fe01 "(replaces $old: fe01.chain.pem is gone)"
assert "... the chain verifies with openssl" openssl verify -CAfile "$T/lab/root/ca.crt" \
	-untrusted certs/fe01.chain.pem certs/fe01.crt
cp "$T/lab/root/ca.crt" certs/fe01.chain.pem
expect 0 "a server whose chain file holds another chain is issued again" roleca --dir "$I" \
	deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... saying so" has_line fe01 ": fe01.chain.pem holds another chain)"
assert "... the chain file starts with the certificate again" sh -c \
	"test \"\$(openssl x509 -in certs/fe01.chain.pem -noout -serial)\" = \"\$(openssl x509 -in certs/fe01.crt -noout -serial)\""
expect 0 "... and is kept after that" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... every server kept" test "$(grep -c ' kept ' "$T/out")" -eq 8

# Files deploy reads back from its output directory must be regular
# files: a FIFO there is never waited on, nor replaced.
mv certs/dir01.crt "$T/dir01.crt.old"
mkfifo certs/dir01.crt
rows=$(sqlite3 "$I/roleca.db" 'SELECT count(*) FROM certs')
expect 1 "a certificate file that is a FIFO: that server fails, not waited on" timeout 60 \
	"$ROLECA" --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... naming the file" err_has "certs/dir01.crt: is a FIFO, not a regular file"
assert "... the FIFO kept, nothing recorded" sh -c "test -p certs/dir01.crt &&
	test \$(sqlite3 '$I/roleca.db' 'SELECT count(*) FROM certs') -eq $rows"
assert "... the others kept" test "$(grep -c ' kept ' "$T/out")" -eq 7
rm certs/dir01.crt
mv "$T/dir01.crt.old" certs/dir01.crt
cp -p certs/dir01.key "$T/dir01.key.old"
rm certs/dir01.key
mkfifo -m 600 certs/dir01.key
expect 1 "a key file that is a FIFO: that server fails, not waited on" timeout 60 \
	"$ROLECA" --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... naming the file" err_has "certs/dir01.key: not a regular file"
rm certs/dir01.key
mv "$T/dir01.key.old" certs/dir01.key
expect 0 "... its key back, it is kept" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... every server kept" test "$(grep -c ' kept ' "$T/out")" -eq 8

# Kept certificates are judged by the roles and the CA as they are now:
# a role whose profile changed (purposes, lifetime, key) is issued again.
mkdir -p "$I/profiles"
sed -e 's/^validity_days = .*/validity_days = 365;/' \
    -e 's/^eku = .*/eku = [ "serverAuth" ];/' \
    "$SRCDIR/profiles/mediation.cfg" >"$I/profiles/mediation.cfg"
sed 's/^key = .*/key = "rsa:3072";/' "$SRCDIR/profiles/director.cfg" \
    >"$I/profiles/director.cfg"
expect 0 "after two roles changed, deploy issues their servers again" roleca --dir "$I" \
	deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... med01 and dir01 issued, the rest kept" sh -c \
	"grep -q '^med01 .* issued' '$T/out' && grep -q '^dir01 .* issued' '$T/out' && test \$(grep -c ' kept ' '$T/out') -eq 6"
assert "... each with the rule its old certificate fails" sh -c \
	"grep -q '^med01 .*: eku: purpose clientAuth .1.3.6.1.5.5.7.3.2. is not one of the role.s)\$' '$T/out' &&
	 grep -q '^dir01 .*: key: the key is rsa:2048, weaker than the role.s rsa:3072)\$' '$T/out'"
assert "... med01 is for serverAuth only now" sh -c \
	"openssl x509 -in certs/med01.crt -noout -ext extendedKeyUsage | grep -q 'TLS Web Server' &&
	 ! openssl x509 -in certs/med01.crt -noout -ext extendedKeyUsage | grep -q 'Client'"
assert "... for the role's 365 days" sh -c \
	"openssl x509 -in certs/med01.crt -noout -checkend $((366 * 86400)) | grep -q 'will expire' &&
	 openssl x509 -in certs/med01.crt -noout -checkend $((364 * 86400)) | grep -q 'will not expire'"
assert "... dir01 has a new RSA-3072 key" sh -c \
	"openssl pkey -in certs/dir01.key -noout -text | grep -q '3072 bit' &&
	 test \"\$(openssl x509 -in certs/dir01.crt -noout -pubkey)\" = \"\$(openssl pkey -in certs/dir01.key -pubout)\""
assert "... med01 verifies" verify_server "$T/lab" certs/med01.crt
assert "... dir01 verifies" verify_server "$T/lab" certs/dir01.crt
expect 0 "the next run keeps them" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... every server kept" test "$(grep -c ' kept ' "$T/out")" -eq 8
cp "$I/ca.cfg" ca.cfg.saved
sed 's|^cdp = .*|cdp = [ "http://pki.lab.example/crl/issuing.crl", "http://pki2.lab.example/issuing.crl" ];|' \
    ca.cfg.saved >"$I/ca.cfg"
expect 0 "after the CA gained a CRL distribution point, every server is issued again" \
	roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... eight issued" test "$(grep -c ' issued ' "$T/out")" -eq 8
assert "... each because that point is missing" test "$(grep -c \
	': cdp: the CA.s CRL distribution point http://pki2.lab.example/issuing.crl is missing)$' "$T/out")" -eq 8
assert "... with the new point" sh -c \
	"openssl x509 -in certs/rp01.crt -noout -ext crlDistributionPoints | grep -q 'pki2.lab.example'"
cp ca.cfg.saved "$I/ca.cfg"
# ... and again once it dropped that point: peers are not sent to a CRL
# the CA no longer publishes.
expect 0 "after the CA dropped a CRL distribution point, every server is issued again" \
	roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... eight issued" test "$(grep -c ' issued ' "$T/out")" -eq 8
assert "... each because that point is no longer the CA's" test "$(grep -c \
	': cdp: CRL distribution point http://pki2.lab.example/issuing.crl is no longer the CA.s or the role.s)$' "$T/out")" -eq 8
assert "... without it" sh -c \
	"! openssl x509 -in certs/rp01.crt -noout -ext crlDistributionPoints | grep -q 'pki2.lab.example'"
sed 's|^cdp = .*|&\ndelta_cdp = [ "http://pki.lab.example/crl/issuing-delta.crl" ];|' ca.cfg.saved >"$I/ca.cfg"
expect 0 "after the CA turned on delta CRLs, every server is issued again" \
	roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... saying so" test "$(grep -c \
	": cdp: the CA's delta CRL http://pki.lab.example/crl/issuing-delta.crl is missing)\$" "$T/out")" -eq 8
assert "... with a Freshest CRL now" sh -c \
	"openssl x509 -in certs/fe01.crt -noout -text | grep -q 'Freshest CRL'"
cp ca.cfg.saved "$I/ca.cfg"
expect 0 "... and, once it is off again, every server is issued without it" \
	roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... saying so" test "$(grep -c \
	": cdp: delta CRL http://pki.lab.example/crl/issuing-delta.crl is no longer the CA's)\$" "$T/out")" -eq 8
sed '/^ca_issuers = /d' ca.cfg.saved >"$I/ca.cfg"
expect 0 "after the CA dropped its caIssuers URL, every server is issued again" \
	roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... saying so" test "$(grep -c \
	': aia: caIssuers http://pki.lab.example/crl/issuing.crt is no longer the CA.s)$' "$T/out")" -eq 8
assert "... with no authorityInfoAccess now" sh -c \
	"! openssl x509 -in certs/fe01.crt -noout -text | grep -q 'Authority Information Access'"
cp ca.cfg.saved "$I/ca.cfg"
expect 0 "... and with it back, every server is issued with it" \
	roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... eight issued" test "$(grep -c ' issued ' "$T/out")" -eq 8
expect 0 "... and kept after that" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out certs
assert "... every server kept" test "$(grep -c ' kept ' "$T/out")" -eq 8
for c in certs/*.crt; do
	assert "$(basename "$c") still verifies" verify_server "$T/lab" "$c"
done
rm -r "$I/profiles"

# Servers that made their own keys.
mkdir csrs
cat >csr-site.cfg <<'CFG'
servers = (
	{ name = "chat01"; role = "persistent-chat"; set = { server_fqdn = "chat01.lab.example"; }; },
	{ name = "chat02"; role = "persistent-chat"; set = { server_fqdn = "chat02.lab.example"; }; }
);
CFG
for s in chat01 chat02; do
	openssl req -new -newkey rsa:2048 -nodes -keyout "csrs/$s.key" -subj "/CN=$s.lab.example" \
		-out "csrs/$s.csr" 2>/dev/null
done
mv csrs/chat02.csr csrs/chat02.req
expect 0 "deploy --csr-dir signs the servers' CSRs (.csr and .req)" roleca --dir "$I" deploy \
	csr-site.cfg --out signed --csr-dir csrs
assert "no keys were made" test ! -e signed/chat01.key
assert "chat01 holds its own key" test "$(openssl x509 -in signed/chat01.crt -noout -pubkey)" = \
	"$(openssl pkey -in csrs/chat01.key -pubout)"
assert "chat02's .req was used" verify_server "$T/lab" signed/chat02.crt
assert "no names taken from these CSRs: the variables give them" sh -c "! grep -q 'names taken' '$T/err'"
expect 0 "a second run with the same CSRs keeps both" roleca --dir "$I" deploy \
	csr-site.cfg --out signed --csr-dir csrs
assert "... both kept" test "$(grep -c ' kept ' "$T/out")" -eq 2
# chat01 makes a new key (same names): its old certificate is of no use to it
openssl req -new -newkey rsa:2048 -nodes -keyout csrs/chat01.key -subj /CN=chat01.lab.example \
	-out csrs/chat01.csr 2>/dev/null
expect 0 "a server that sends a CSR for a new key is issued again" roleca --dir "$I" deploy \
	csr-site.cfg --out signed --csr-dir csrs
assert "... chat01 issued, chat02 kept" sh -c \
	"grep -q '^chat01 .* issued' '$T/out' && grep -q '^chat02 .* kept' '$T/out'"
assert "... because the CSR is for another key" has_line chat01 ": the CSR is for another key)"
assert "... chat01's certificate holds its new key" test \
	"$(openssl x509 -in signed/chat01.crt -noout -pubkey)" = "$(openssl pkey -in csrs/chat01.key -pubout)"
assert "... and no warning: no key file is left beside the certificates" sh -c "! grep -q warning '$T/err'"
# A key an earlier run without --csr-dir left in --out is not the one the
# CSR's certificate certifies: said on every run while it is there.
expect 0 "a first deploy makes the servers' keys" roleca --dir "$I" deploy csr-site.cfg --out switch
openssl req -new -newkey rsa:2048 -nodes -keyout csrs/chat01.key -subj /CN=chat01.lab.example \
	-out csrs/chat01.csr 2>/dev/null
expect 0 "then a server sends its own CSR" roleca --dir "$I" deploy csr-site.cfg --out switch \
	--csr-dir csrs
assert "... the key left in --out is named as not the certificate's" err_has \
	"warning: chat01: switch/chat01.key is not the key of switch/chat01.crt, which certifies the CSR's: remove it"
expect 0 "... and on the next run, which keeps it" roleca --dir "$I" deploy csr-site.cfg --out switch \
	--csr-dir csrs
assert "... still" err_has "warning: chat01: switch/chat01.key is not the key of switch/chat01.crt"

# Pool members whose CSRs name them only in the CN: the variables name the
# pool, and each member's CN still lands in its own certificate.
cat >csr-pool.cfg <<'CFG'
servers = (
	{ name = "fe31"; role = "frontend"; set = { pool_fqdn = "pool31.lab.example"; sip_domain = "lab.example"; }; },
	{ name = "fe32"; role = "frontend"; set = { pool_fqdn = "pool31.lab.example"; sip_domain = "lab.example"; }; }
);
CFG
for s in fe31 fe32; do
	openssl req -new -newkey rsa:2048 -nodes -keyout "csrs/$s.key" -subj "/CN=$s.lab.example" \
		-out "csrs/$s.csr" 2>/dev/null
done
expect 0 "deploy signs CN-only CSRs under a pool's name" roleca --dir "$I" deploy \
	csr-pool.cfg --out pool-csr --csr-dir csrs
assert "... each member's own name is in its certificate" sh -c \
	"openssl x509 -in pool-csr/fe31.crt -noout -ext subjectAltName | grep -q 'DNS:fe31.lab.example' &&
	openssl x509 -in pool-csr/fe32.crt -noout -ext subjectAltName | grep -q 'DNS:fe32.lab.example' &&
	! openssl x509 -in pool-csr/fe31.crt -noout -ext subjectAltName | grep -q 'fe32'"
expect 0 "... and a second run keeps both" roleca --dir "$I" deploy \
	csr-pool.cfg --out pool-csr --csr-dir csrs
assert "... both kept" test "$(grep -c ' kept ' "$T/out")" -eq 2

# Bad CSRs among good ones (read and checked on several threads): each
# bad one is reported under its name, the good ones are signed.
cat >csr-mixed.cfg <<'CFG'
servers = (
	{ name = "good01"; role = "persistent-chat"; set = { server_fqdn = "good01.lab.example"; }; },
	{ name = "forged"; role = "persistent-chat"; set = { server_fqdn = "forged.lab.example"; }; },
	{ name = "good02"; role = "persistent-chat"; set = { server_fqdn = "good02.lab.example"; }; },
	{ name = "absent"; role = "persistent-chat"; set = { server_fqdn = "absent.lab.example"; }; },
	{ name = "good03"; role = "persistent-chat"; set = { server_fqdn = "good03.lab.example"; }; }
);
CFG
for s in good01 forged good02 good03; do
	openssl req -new -newkey rsa:2048 -nodes -keyout "csrs/$s.key" -subj "/CN=$s.lab.example" \
		-out "csrs/$s.csr" 2>/dev/null
done
# forged: its subject changed after signing, so the signature no longer verifies
openssl req -in csrs/forged.csr -outform DER | sed 's/forged/forgeD/' |
	openssl req -inform DER -outform PEM -out csrs/forged.csr 2>/dev/null
rows_before=$(sqlite3 "$I/roleca.db" 'SELECT count(*) FROM certs')
expect 1 "bad CSRs fail their servers, not the run's others" roleca --dir "$I" deploy \
	csr-mixed.cfg --out mixed-csr --csr-dir csrs
assert "... good01, good02 and good03 issued" sh -c "grep -q '^good01 .* issued' '$T/out' &&
	grep -q '^good02 .* issued' '$T/out' && grep -q '^good03 .* issued' '$T/out'"
assert "... forged is named, with why" sh -c "grep 'forged (csr-mixed.cfg:3)' '$T/err' | grep -qi 'signature'"
assert "... absent is named, with its file" sh -c "grep 'absent (csr-mixed.cfg:5)' '$T/err' | grep -q 'absent.req'"
assert "... and both names looked for" err_has \
	"absent (csr-mixed.cfg:5): no CSR: neither csrs/absent.csr nor csrs/absent.req exists"
assert "... three rows recorded, no more" test "$(sqlite3 "$I/roleca.db" 'SELECT count(*) FROM certs')" -eq $((rows_before + 3))
assert "... no files for the failed ones" sh -c "! ls mixed-csr | grep -q 'forged\|absent'"
assert "... one line per failed server, then the summary as the last line" sh -c \
	"test \$(wc -l <'$T/err') -eq 3 && tail -n 1 '$T/err' | grep -qx 'roleca: deploy: 3 issued, 0 kept, 2 failed'"

# Failures: reported per server, the others still done, exit 1.
cat >mixed.cfg <<'CFG'
servers = (
	{ name = "ok01"; role = "persistent-chat"; set = { server_fqdn = "ok01.lab.example"; }; },
	{ name = "evil01"; role = "persistent-chat"; set = { server_fqdn = "evil01.evil.example"; }; },
	{ name = "ok02"; role = "persistent-chat"; set = { server_fqdn = "ok02.lab.example"; }; }
);
CFG
expect 1 "a refused server fails the run but not the others" roleca --dir "$I" deploy mixed.cfg --out mixed
assert "... ok01 and ok02 issued" sh -c "grep -q '^ok01 .* issued' '$T/out' && grep -q '^ok02 .* issued' '$T/out'"
assert "... evil01 named with its file and line" err_has "evil01 (mixed.cfg:3)"
# More servers than one transaction takes (128): the groups are bound,
# signed and committed in turn, the next one's CSRs read while the one
# before commits. chat150's CSR is missing (a failure in the second
# group), chat260's asks for another server's name (one in a later one).
mkdir -p big-csr
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out big.key 2>/dev/null
awk 'BEGIN { print "servers = ("
	for (i = 1; i <= 300; i++)
		printf "\t{ name = \"chat%d\"; role = \"persistent-chat\"; set = { server_fqdn = \"chat%d.lab.example\"; }; }%s\n", i, i, (i < 300 ? "," : "")
	print ");" }' >big.cfg
awk 'BEGIN { for (i = 1; i <= 300; i++) print "chat" i }' >big.names
k=0
while [ "$k" -lt 300 ]; do
	k=$((k + 1))
	[ "$k" -ne 150 ] || continue
	san=DNS:chat$k.lab.example
	[ "$k" -ne 260 ] || san=DNS:other.lab.example
	openssl req -new -key big.key -subj "/CN=chat$k.lab.example" \
		-addext "subjectAltName=$san" -out "big-csr/chat$k.csr" 2>/dev/null
done
rows_before=$(rows "$DB")
expect 1 "a deployment of 300 servers in three transactions" roleca --dir "$I" deploy big.cfg \
	--out big --csr-dir big-csr
assert "... 298 issued, in the deployment's order" sh -c \
	"test \$(grep -c ' issued ' '$T/out') -eq 298 && awk '{ print \$1 }' '$T/out' | cmp -s - big.names"
assert "... chat150 and chat260 failed" sh -c \
	"grep -q '^chat150 .* FAILED' '$T/out' && grep -q '^chat260 .* FAILED' '$T/out'"
assert "... chat150 named with its file and line" err_has "chat150 (big.cfg:151)"
assert "... chat260 named with its file and line" err_has "chat260 (big.cfg:261)"
assert "... 298 rows recorded" test "$(rows "$DB")" -eq $((rows_before + 298))
assert "... 298 certificates written" test "$(ls big | grep -c '\.crt$')" -eq 298
assert "... the last group's last certificate verifies" verify_server "$T/lab" big/chat300.crt
assert "... and one of the middle group" verify_server "$T/lab" big/chat200.crt
expect 1 "the same deployment again keeps the 298" roleca --dir "$I" deploy big.cfg \
	--out big --csr-dir big-csr
assert "... 298 kept, no more rows" sh -c \
	"test \$(grep -c ' kept ' '$T/out') -eq 298 && test \$(sqlite3 '$DB' 'SELECT count(*) FROM certs') -eq $((rows_before + 298))"

printf 'servers = ( { name = "x"; role = "frontend"; colour = "red"; } );\n' >bad.cfg
expect 1 "an unknown key in the deployment is refused" roleca --dir "$I" deploy bad.cfg --out bad
assert "... with file:line" err_has "bad.cfg:1: unknown key 'colour'"
# set as a list or a string has no variable names: refused, not read as none
printf 'servers = ( { name = "x"; role = "persistent-chat";\n\tset = ( "server_fqdn=x.lab.example" ); } );\n' \
	>setlist.cfg
expect 1 "a set that is a list, not a group, is refused" roleca --dir "$I" deploy setlist.cfg --out setlist
assert "... in one line" err_one_line
assert "... with file:line" err_has "setlist.cfg:2: 'set' must be a group"
assert "... before anything is made" test ! -e setlist
printf 'servers = ( { name = "x"; role = "persistent-chat"; set = "server_fqdn=x.lab.example"; } );\n' >setstr.cfg
expect 1 "a set that is a string is refused" roleca --dir "$I" deploy setstr.cfg --out setstr
assert "... saying so" err_has "setstr.cfg:1: 'set' must be a group"
printf 'servers = ( { name = "../x"; role = "frontend"; } );\n' >trav.cfg
expect 1 "a server name with a path is refused" roleca --dir "$I" deploy trav.cfg --out trav
cat >split.cfg <<'CFG'
servers = (
	{ name = "e1"; role = "edge-av"; shared = "av"; set = { av_fqdn = "av1.lab.example"; }; },
	{ name = "e2"; role = "edge-av"; shared = "av"; set = { av_fqdn = "av2.lab.example"; }; }
);
CFG
expect 1 "a shared group whose members disagree is refused" roleca --dir "$I" deploy split.cfg --out split
assert "... saying so" err_has "same role and variables"
cat >twice.cfg <<'CFG'
servers = (
	{ name = "e1"; role = "edge-av"; shared = "av"; set = { av_fqdn = "av.lab.example"; }; },
	{ name = "e1"; role = "edge-av"; set = { av_fqdn = "av.lab.example"; }; }
);
CFG
expect 1 "a server listed alone and in a shared group is refused" \
	roleca --dir "$I" deploy twice.cfg --out twice
assert "... naming file:line and the name" \
	err_has "twice.cfg:3: duplicate server or group name e1"
assert "... before anything is made" test ! -e twice
expect 2 "deploy without --out is a usage error" roleca --dir "$I" deploy split.cfg
printf 'servers = ( { name = "nope"; role = "frontend"; set = { pool_fqdn = "x.evil.example"; server_fqdn = "x.evil.example"; sip_domain = "evil.example"; }; } );\n' \
	>fail.cfg
expect 1 "a deployment whose every server fails fails" roleca --dir "$I" deploy fail.cfg \
	--out allfail
assert "... leaving no --out directory behind" test ! -e allfail
mkdir keepme
expect 1 "... and into an existing directory" roleca --dir "$I" deploy fail.cfg --out keepme
assert "... which stays" test -d keepme

# A low limit on open files costs speed, never files: every certificate
# committed has its files.
awk 'BEGIN { printf "servers = (\n"; for (i = 0; i < 60; i++)
	printf "%s{ name = \"lo%02d\"; role = \"persistent-chat\"; set = { server_fqdn = \"lo%02d.lab.example\"; }; }\n",
	    i ? "," : "", i, i; print ");" }' >lowfd.cfg
rows_lo=$(rows "$DB")
expect 0 "deploy of 60 servers with at most 48 open files" sh -c \
	"ulimit -n 48 && exec \"\$ROLECA\" --dir '$I' deploy lowfd.cfg --out lowfd"
assert "... every server issued, each with its three files" sh -c \
	"test \$(grep -c ' issued ' '$T/out') -eq 60 && test \$(ls lowfd | wc -l) -eq 180"
assert "... and recorded" test "$(rows "$DB")" -eq $((rows_lo + 60))

# A server refused for several rules: each line names it and its file:line.
cp -R "$I" "$T/strict"
mkdir -p "$T/strict/profiles"
sed 's/^key = .*/key = "rsa:3072";/; s/^validity_days = .*/validity_days = 900;/' \
	"$SRCDIR/profiles/persistent-chat.cfg" >"$T/strict/profiles/pc-bad.cfg"
sed -i 's/^policy = {/policy = { min_rsa_bits = 4096;/' "$T/strict/ca.cfg"
printf '\nservers = ( { name = "pb"; role = "pc-bad";\n\tset = { server_fqdn = "pb.lab.example"; }; } );\n' >pb.cfg
expect 1 "a server breaking two rules fails" roleca --dir "$T/strict" deploy pb.cfg --out pbout
assert "... two refusal lines" test "$(grep -c 'refused: ' "$T/err")" -eq 2
assert "... each naming the server and its file:line" test \
	"$(grep -c '^roleca: deploy: pb (pb.cfg:2): refused: ' "$T/err")" -eq 2
assert "... the key and the lifetime" sh -c "grep -q 'refused: key: ' '$T/err' &&
	grep -q 'refused: validity: ' '$T/err'"
assert "... both in its audit row" sh -c "sqlite3 '$T/strict/roleca.db' \
	\"SELECT outcome FROM audit WHERE operation = 'deploy' ORDER BY id DESC LIMIT 1\" |
	grep -q '^refused: .*key: .*; .*validity: '"
assert "... naming the server first" sh -c "sqlite3 '$T/strict/roleca.db' \
	\"SELECT outcome FROM audit WHERE operation = 'deploy' ORDER BY id DESC LIMIT 1\" |
	grep -q '^refused: pb: '"

# The CA's own directory, or its crl/, as --out: the servers' NAME.key and
# NAME.crt could replace ca.key and ca.crt. Refused before anything is
# made, and a --csr-dir that is not a directory is one error, not one per
# server.
cat >caname.cfg <<'EOF'
servers = ( { name = "ca"; role = "persistent-chat"; set = { server_fqdn = "ps09.lab.example"; }; } );
EOF
keysum=$(md5sum <"$I/ca.key")
nrows=$(rows "$DB")
expect 2 "deploy --out the CA directory is refused" roleca --dir "$I" deploy caname.cfg --out "$I"
assert "... saying it is a CA directory" err_has "$I: is a CA directory"
assert "... in one line" err_one_line
expect 2 "deploy --out the CA's crl/ is refused" roleca --dir "$I" deploy caname.cfg --out "$I/crl/"
assert "... ca.key is the CA's still, no row added" test \
	"$(md5sum <"$I/ca.key")" = "$keysum" -a "$(rows "$DB")" -eq "$nrows"
expect 0 "... and the CA still signs a CRL" roleca --dir "$I" crl
expect 1 "deploy --csr-dir naming nothing is one error" roleca --dir "$I" deploy \
	csr-site.cfg --out nocsr-out --csr-dir no-such-dir
assert "... naming --csr-dir" err_has "--csr-dir no-such-dir: No such file or directory"
assert "... in one line" err_one_line
assert "... making no output directory" test ! -e nocsr-out
expect 1 "deploy --csr-dir naming a file is refused" roleca --dir "$I" deploy \
	csr-site.cfg --out nocsr-out --csr-dir caname.cfg
assert "... saying it is not a directory" err_has "--csr-dir caname.cfg: not a directory"

# One deploy at a time into one directory: two would each take a server
# for new and place its files over the other's, leaving a recorded
# certificate whose key is gone. The second is refused, changing nothing.
mkdir -p locked
flock locked sleep 60 &
fpid=$!
i=0
while flock -n locked true 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
nrows=$(rows "$DB")
expect 1 "deploy into a directory another deploy is writing is refused" \
	roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out locked
assert "... saying so" err_has "--out locked: another roleca deploy is writing there"
assert "... in one line" err_one_line
assert "... recording and writing nothing" test "$(rows "$DB")" -eq "$nrows" -a -z "$(ls -A locked)"
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
# Three at once: whoever is refused records nothing, and every
# certificate recorded is the one in its file.
before=$(sqlite3 "$DB" 'SELECT max(rowid) FROM certs')
for k in 1 2 3; do
	"$ROLECA" --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out race \
		>"$T/race$k.out" 2>"$T/race$k.err" &
done
wait
sqlite3 "$DB" "SELECT serial FROM certs WHERE rowid > $before" | sort >race.db
for c in race/*.crt; do
	openssl x509 -in "$c" -noout -serial | cut -d= -f2 | tr A-F a-f
done | sort >race.files
assert "three deploys at once into one directory: every certificate recorded is in its file" \
	cmp race.db race.files
assert "... eight of them, one run's" test "$(wc -l <race.db)" -eq 8

# A killed deploy's hidden temporaries (a kept copy of a replaced key
# among them) go at the next deploy into that directory.
mkdir -p swept
printf 'old key\n' >swept/.fe01.key.tmp-Q1w2E3
chmod 600 swept/.fe01.key.tmp-Q1w2E3
touch -d '2 minutes ago' swept/.fe01.key.tmp-Q1w2E3
printf 'mine\n' >swept/.notes.txt
expect 0 "deploy after a killed one" roleca --dir "$I" deploy "$SRCDIR/examples/deployment.cfg" --out swept
assert "... removes its stale temporaries" test ! -e swept/.fe01.key.tmp-Q1w2E3
assert "... and nothing else" test -e swept/.notes.txt

# What is wrong with a server in the file itself (an unknown role, an
# unknown or missing variable) is found before any server is issued.
for bad in 'role = "nosuchrole"; set = { server_fqdn = "b2.lab.example"; };' \
    'role = "persistent-chat"; set = { server_fqdn = "b2.lab.example"; colour = "red"; };' \
    'role = "persistent-chat"; set = { };'; do
	printf 'servers = (\n { name = "b1"; role = "persistent-chat"; set = { server_fqdn = "b1.lab.example"; }; },\n { name = "b2"; %s }\n);\n' \
		"$bad" >late.cfg
	n0=$(rows "$DB")
	expect 1 "a file whose second server is wrong in itself ($(echo "$bad" | cut -c1-30)...)" \
		roleca --dir "$I" deploy late.cfg --out lateout
	assert "... names its line and server, in one line" sh -c \
		"grep -q '^roleca: deploy: late.cfg:3: b2: ' '$T/err' && [ \$(wc -l <'$T/err') -eq 1 ]"
	assert "... and issues none, the first neither" sh -c \
		"[ \$(sqlite3 '$DB' 'SELECT count(*) FROM certs') -eq $n0 ] && test ! -e lateout"
done
# A server's CSR asking for a name beside its variables': signed, as sign
# would, and said, as sign says it.
mkdir -p asked-csrs
printf '%s\n' 'servers = ( { name = "fe11"; role = "frontend"; set = { pool_fqdn = "pool11.lab.example";' \
	'server_fqdn = "fe11.lab.example"; sip_domain = "lab.example"; }; } );' >asked.cfg
openssl req -new -newkey rsa:2048 -nodes -keyout asked-csrs/fe11.key -subj /CN=fe11.lab.example \
	-addext "subjectAltName=DNS:fe11.lab.example,DNS:webint.lab.example" -out asked-csrs/fe11.csr 2>/dev/null
expect 0 "deploy --csr-dir signs a CSR asking for a name of a template left open" roleca --dir "$I" \
	deploy asked.cfg --out asked-out --csr-dir asked-csrs
assert "... saying the names the CSR chose" sh -c \
	"grep -qx 'roleca: deploy: fe11: names taken from the CSR: DNS:webint.lab.example' '$T/err'"
expect 0 "... kept on the next run" roleca --dir "$I" deploy asked.cfg --out asked-out --csr-dir asked-csrs
assert "... without saying them again" sh -c "grep -q '^fe11 .* kept' '$T/out' && ! grep -q 'names taken' '$T/err'"
finish
