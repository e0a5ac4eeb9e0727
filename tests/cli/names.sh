#!/bin/sh
# What goes into a certificate's names: UTF-8 text (never bytes OpenSSL
# cannot read), host names in ASCII (an international name is refused with
# its xn-- form as the hint, the same way by issue, request, sign, deploy
# and check), the same name syntax for request as for issue, RFC 5280's
# bounds, valid permitted domains, and a CA's own profile directory that
# cannot be read never falling back to the shipped profile. Each refusal
# is one clear line, its exit code, nothing recorded, no file written.
. "${SRCDIR:-.}/tests/cli/lib.sh"

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
cd "$T" || exit 1
mkdir res in

latin1=$(printf 'caf\351')
cafe=$(printf 'caf\303\251')
long65=$(head -c 65 /dev/zero | tr '\0' o)
long64=$(head -c 64 /dev/zero | tr '\0' o)
long5000=$(head -c 5000 /dev/zero | tr '\0' o)
long3000=$(head -c 3000 /dev/zero | tr '\0' x)

# A CA-local profile with an organisation from a variable; 90 days, so a
# certificate just issued is not within check's 30-day expiry warning.
mkdir -p "$I/profiles"
cat >"$I/profiles/org.cfg" <<'CFG'
description = "a server with its organisation";
variables = {
	server_fqdn = { description = "the server's FQDN"; };
	org = { description = "the organisation"; };
};
subject = { CN = "${server_fqdn}"; O = "${org}"; };
dns = [ "${server_fqdn}" ];
key = "ec:p256";
validity_days = 90;
eku = [ "serverAuth" ];
CFG

before=$(rows "$DB")
# refused CODE DESCRIPTION COMMAND...: exit CODE, one line (for 3: one
# line, or one "refused:" line per broken rule), nothing recorded, nothing
# in res/.
refused() {
	code=$1 desc=$2
	shift 2
	expect "$code" "$desc" "$@"
	if [ "$code" -eq 3 ]; then
		if err_one_line ||
		    ! grep -qv '^roleca: [a-z-]*: refused: ' "$T/err"; then
			ok "... one line per broken rule"
		else
			not_ok "... one line per broken rule"; show_output
		fi
	elif err_one_line; then
		ok "... in one line"
	else
		not_ok "... in one line"; show_output
	fi
	assert "... nothing recorded" test "$(rows "$DB")" -eq "$before"
	assert "... no file written" test -z "$(ls -A res)"
}

# 1. Text that is not UTF-8 never reaches a certificate.
refused 2 "issue: a --set value that is not UTF-8" roleca --dir "$I" issue org \
	--set server_fqdn=j3.lab.example --set "org=$latin1" --out res/j3
assert "... naming the variable" err_has "variable 'org': 'caf\\xe9' is not valid UTF-8"
refused 2 "issue: an overlong UTF-8 sequence" roleca --dir "$I" issue org \
	--set server_fqdn=j3.lab.example --set "org=$(printf 'a\300\257')" --out res/j3
refused 2 "issue: a surrogate" roleca --dir "$I" issue org \
	--set server_fqdn=j3.lab.example --set "org=$(printf 'a\355\240\200')" --out res/j3
refused 2 "issue: a C1 control character" roleca --dir "$I" issue org \
	--set server_fqdn=j3.lab.example --set "org=$(printf 'a\302\205')" --out res/j3
for cp in 200B:'\342\200\213' 00AD:'\302\255' 2060:'\342\201\240'; do
	refused 2 "issue: an O with the invisible U+${cp%%:*}" roleca --dir "$I" issue org \
		--set server_fqdn=j3.lab.example --set "org=$(printf "Acme${cp#*:}Ltd")" --out res/j3
	assert "... saying why" err_has "subject O ('\${org}') contains a line separator, an invisible"
done
refused 2 "request: a --set value that is not UTF-8" roleca --dir "$I" request org \
	--set server_fqdn=j3.lab.example --set "org=$latin1" --out res/j3
refused 2 "check --set: a value that is not UTF-8" roleca --dir "$I" check "$I/ca.crt" \
	--profile org --set server_fqdn=j3.lab.example --set "org=$latin1"

expect 0 "issue: UTF-8 in an O is fine" roleca --dir "$I" issue org \
	--set server_fqdn=j4.lab.example --set "org=$cafe Lab" --out j4
assert "... openssl reads it" sh -c \
	"openssl x509 -in j4.crt -noout -subject -nameopt utf8,sep_comma_plus | grep -qF 'O=$cafe Lab'"
assert "... and verifies it" verify_server "$L" j4.crt
expect 0 "... check says compliant" roleca --dir "$I" check j4.crt --profile org
expect 0 "issue: a zero width non-joiner, which Persian spells with, is kept" roleca --dir "$I" \
	issue org --set server_fqdn=j6.lab.example \
	--set "org=$(printf '\331\205\333\214\342\200\214\330\256\331\210\330\247\331\207\331\205')" --out j6
assert "... as openssl reads it" sh -c \
	"openssl x509 -in j6.crt -noout -subject -nameopt utf8,sep_comma_plus | grep -qF \"O=\$(printf '\331\205\333\214\342\200\214')\""
# An O holding ",CN=" stays one attribute, in list's CN column too.
j5=$(roleca --dir "$I" issue org --set server_fqdn=jo.lab.example \
	--set "org=Acme,CN=evil.lab.example+OU=x" --out jo 2>/dev/null)
assert "an O holding ',CN=': openssl reads one CN, the real one" sh -c \
	"test \$(openssl x509 -in jo.crt -noout -subject -nameopt multiline | grep -c commonName) -eq 1 &&
	openssl x509 -in jo.crt -noout -subject -nameopt multiline | grep -q 'commonName *= jo.lab.example'"
expect 0 "list --json of it" roleca --dir "$I" list --profile org --json
assert "... gives the real CN" sh -c \
	"jq -e -s 'any(.[]; .serial == \"$j5\" and .cn == \"jo.lab.example\")' '$T/out'"
expect 0 "list of it" roleca --dir "$I" list --profile org
assert "... the same in the table" sh -c "grep '^$j5 ' '$T/out' | grep -q ' jo.lab.example '"
before=$(rows "$DB")

cat >in/latin1.cfg <<CFG
subject = { CN = "Latin-1 CA";
	O = "$latin1"; };
key = "ec:p256";
cdp = "http://pki.lab.example/crl/l.crl";
CFG
expect 1 "init: a ca.cfg subject that is not UTF-8" roleca --dir "$T/ca-latin1" init \
	--config in/latin1.cfg
assert "... naming file:line" err_has "in/latin1.cfg:2: subject O is not valid UTF-8"
assert "... in one line" err_one_line
assert "... no CA made" test ! -e "$T/ca-latin1/ca.crt"

# A certificate made elsewhere with such an O: check must not pass it.
certtool --generate-privkey --key-type=ecdsa --outfile in/k.pem 2>/dev/null
printf '%s\n' 'cn = "bad.lab.example"' "organization = \"$latin1\"" \
	'dns_name = "bad.lab.example"' tls_www_server signing_key \
	'expiration_days = 30' 'crl_dist_points = "http://pki.lab.example/crl/issuing.crl"' \
	'ca_issuers_uri = "http://pki.lab.example/crl/issuing.crt"' >in/bad.tmpl
certtool --generate-certificate --load-privkey in/k.pem --load-ca-certificate "$I/ca.crt" \
	--load-ca-privkey "$I/ca.key" --template in/bad.tmpl --outfile in/bad.crt 2>/dev/null
assert "(openssl cannot read such a certificate)" sh -c "! openssl x509 -in in/bad.crt -noout 2>/dev/null"
expect 3 "check: a UTF8String that is not UTF-8 is not compliant" roleca --dir "$I" check in/bad.crt
assert "... and says which attribute" out_has "names: subject O 'caf\\xe9' is not valid UTF-8"

# 2. International host names: refused everywhere, with the xn-- hint.
refused 2 "issue: an IDN host name" roleca --dir "$I" issue persistent-chat \
	--set "server_fqdn=$cafe.lab.example" --out res/idn
assert "... naming the variable and its A-label" err_has \
	"variable 'server_fqdn': '$cafe.lab.example' is not an ASCII host name"
assert "... with the xn-- form" err_has "give its A-label form 'xn--caf-dma.lab.example'"
rlo=$(printf 'fe\342\200\256moc')
refused 2 "issue: a host name with U+202E" roleca --dir "$I" issue persistent-chat \
	--set "server_fqdn=$rlo.lab.example" --out res/rlo
assert "... quoted with the character escaped, so the line reads as typed" sh -c \
	"grep -qF \"'fe\\\\xe2\\\\x80\\\\xaemoc.lab.example'\" '$T/err' &&
	! grep -qF '$rlo' '$T/err'"
refused 2 "request: an IDN host name" roleca --dir "$I" request persistent-chat \
	--set "server_fqdn=$cafe.lab.example" --out res/idn
assert "... the same message" err_has "'xn--caf-dma.lab.example'"
refused 2 "request without a CA: an IDN host name" roleca request \
	persistent-chat --set "server_fqdn=$cafe.lab.example" --out res/idn
refused 2 "issue: an IDN in a list variable" roleca --dir "$I" issue oauth \
	--set "sip_domain=lab.example,$cafe.lab.example" --out res/idn
refused 2 "issue: an IDN that would be the only name (the CN)" roleca --dir "$I" \
	issue oauth --set "sip_domain=$cafe.other.example" --out res/idn
openssl req -new -key in/k.pem -utf8 -subj "/CN=$cafe.lab.example" \
	-addext "subjectAltName=DNS:xn--caf-dma.lab.example" -out in/idn.csr 2>/dev/null
refused 3 "sign: a CSR with a UTF-8 CN and its A-label in the SAN" roleca --dir "$I" \
	sign persistent-chat --csr in/idn.csr --out res/idn
assert "... saying why" err_has "CSR subject CN '$cafe.lab.example' is not an ASCII host name"
cat >in/idn-site.cfg <<CFG
servers = ( { name = "chat01"; role = "persistent-chat";
	set = { server_fqdn = "$cafe.lab.example"; }; } );
CFG
expect 1 "deploy: an IDN host name fails that server" roleca --dir "$I" deploy \
	in/idn-site.cfg --out res
assert "... with the xn-- hint" err_has "'xn--caf-dma.lab.example'"
assert "... nothing recorded" test "$(rows "$DB")" -eq "$before"
assert "... no file written" test -z "$(ls -A res)"

expect 0 "issue: the A-label given directly" roleca --dir "$I" issue persistent-chat \
	--set server_fqdn=xn--caf-dma.lab.example --out a-label
assert "... CN and SAN agree" sh -c "x509_text() { openssl x509 -in \"\$1\" -noout -text; }; \
	x509_text a-label.crt | grep -q 'CN *= *xn--caf-dma.lab.example' && \
	x509_text a-label.crt | grep -q 'DNS:xn--caf-dma.lab.example\$'"
assert "... openssl verifies it" verify_server "$L" a-label.crt
expect 0 "request: the A-label given directly" roleca --dir "$I" request persistent-chat \
	--set server_fqdn=xn--caf-dma.lab.example --out a-label-req
assert "... the CSR's CN and SAN agree" sh -c \
	"openssl req -in a-label-req.csr -noout -text | grep -q 'CN *= *xn--caf-dma.lab.example' && \
	openssl req -in a-label-req.csr -noout -text | grep -q 'DNS:xn--caf-dma.lab.example\$'"
expect 0 "sign: that CSR" roleca --dir "$I" sign persistent-chat --csr a-label-req.csr \
	--out a-label-signed
assert "... openssl verifies it" verify_server "$L" a-label-signed.crt
before=$(rows "$DB")

# 3. request judges names as issue does.
for name in "a b" "x;y" "*" "-rf" "a,O=Evil"; do
	refused 3 "request: '$name' as a host name" roleca --dir "$I" request persistent-chat \
		--set "server_fqdn=$name" --out res/r
	assert "... issue refuses it the same way" sh -c \
		"\"\$ROLECA\" --dir '$I' issue persistent-chat --set 'server_fqdn=$name' \
		--out res/r 2>/dev/null; test \$? -eq 3"
done
refused 3 "request: a name outside the CA's permitted domains" roleca --dir "$I" request \
	persistent-chat --set server_fqdn=www.example.com --out res/r
assert "... says so" err_has "is outside the permitted domains (lab.example)"
refused 3 "request without a CA: a name that is no host name" roleca \
	request persistent-chat --set "server_fqdn=a b" --out res/r
assert "... says so" err_has "dNSName 'a b' is not a valid host name"
expect 0 "request without a CA: any valid name" roleca request \
	persistent-chat --set server_fqdn=www.example.com --out www
assert "... the CSR's signature verifies" sh -c "openssl req -in www.csr -noout -verify 2>&1 | grep -q 'verif.* OK'"
assert "... its PEM label the one RFC 7468 has generators write" test \
	"$(head -1 www.csr)" = "-----BEGIN CERTIFICATE REQUEST-----"

# 3a. With no dNSName the CN is the name clients match (openssl does):
# it is judged as one, and an IP address is never a dNSName.
for name in "*.lab.example" localhost intranet evil_com.lab.example \
    lab.example. 10.0.0.1 x.evil.com; do
	refused 3 "issue: '$name' as the only name (the CN)" roleca --dir "$I" \
		issue oauth --set "sip_domain=$name" --out res/o
done
openssl req -new -key in/k.pem -subj "/CN=*.lab.example" -out in/wild.csr 2>/dev/null
refused 3 "sign: a CSR whose only name is a wildcard CN" roleca --dir "$I" \
	sign oauth --csr in/wild.csr --out res/o
assert "... says why" err_has "wildcard CN '*.lab.example' is not allowed"
refused 3 "issue: an IP address as a dNSName" roleca --dir "$I" issue \
	office-web-apps --set farm_fqdn=owa.lab.example --set farm_external=192.168.1.10 \
	--out res/o
assert "... says why" err_has "dNSName '192.168.1.10' is not a valid host name"
cat >in/leaf.ext <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
crlDistributionPoints = URI:http://pki.lab.example/crl/issuing.crl
authorityInfoAccess = caIssuers;URI:http://pki.lab.example/crl/issuing.crt
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
openssl req -new -key in/k.pem -subj "/CN=lab.example" -out in/cn-only.csr 2>/dev/null
openssl x509 -req -in in/cn-only.csr -CA "$I/ca.crt" -CAkey "$I/ca.key" -days 90 \
	-extfile in/leaf.ext -out in/cn-only.crt 2>/dev/null
expect 3 "check: a CN-only certificate (made by openssl) inside the domains" \
	roleca --dir "$I" check in/cn-only.crt
assert "... breaks no name rule, only that the CA's database lacks it" sh -c \
	"! grep -q ': names:' '$T/out' && grep -q ': database: serial .* is not in the CA.s database' '$T/out' &&
	test \$(wc -l <'$T/out') -eq 1"
openssl req -new -key in/k.pem -subj "/CN=*.lab.example" -out in/w.csr 2>/dev/null
openssl x509 -req -in in/w.csr -CA "$I/ca.crt" -CAkey "$I/ca.key" -days 90 \
	-extfile in/leaf.ext -out in/wild-foreign.crt 2>/dev/null
assert "... openssl accepts a wildcard CN-only one for any host" openssl verify \
	-CAfile "$L/root/ca.crt" -untrusted "$I/ca.crt" -verify_hostname a.lab.example \
	in/wild-foreign.crt
expect 3 "check: but roleca finds the wildcard the policy forbids" \
	roleca --dir "$I" check in/wild-foreign.crt
assert "... naming it" out_has "wildcard CN '*.lab.example' is not allowed"

# 4. RFC 5280's bounds and valid permitted domains.
refused 2 "issue: a 5000-character O" roleca --dir "$I" issue org \
	--set server_fqdn=j5.lab.example --set "org=$long5000" --out res/j5
assert "... naming the attribute and its variable" err_has \
	"subject O ('\${org}') is 5000 characters long (at most 64"
refused 2 "issue: a 65-character O" roleca --dir "$I" issue org \
	--set server_fqdn=j5.lab.example --set "org=$long65" --out res/j5
refused 2 "request: a 65-character O" roleca --dir "$I" request org \
	--set server_fqdn=j5.lab.example --set "org=$long65" --out res/j5
expect 0 "issue: a 64-character O" roleca --dir "$I" issue org \
	--set server_fqdn=j5.lab.example --set "org=$long64" --out j5
assert "... openssl reads it" sh -c "openssl x509 -in j5.crt -noout -subject | grep -q '$long64'"
before=$(rows "$DB")

# init_refused DESCRIPTION TEXT WANT: a ca.cfg refused at file:line.
init_refused() {
	printf '%s\n' "$2" >in/c.cfg
	rm -rf "$T/ca-bad"
	expect 1 "init: $1" roleca --dir "$T/ca-bad" init --config in/c.cfg
	if err_has "$3" && err_one_line; then
		ok "... one line: $3"
	else
		not_ok "... one line: $3"; show_output
	fi
	assert "... no CA made" test ! -e "$T/ca-bad/ca.crt"
}
CDP='cdp = "http://pki.lab.example/crl/c.crl";'
init_refused "a 3000-character CN" "subject = { CN = \"$long3000\"; };
key = \"ec:p256\";
$CDP" "in/c.cfg:1: subject CN is 3000 characters long (at most 64"
init_refused "C = USA" "subject = { CN = \"x\";
C = \"USA\"; };
key = \"ec:p256\";
$CDP" "in/c.cfg:2: subject C is not a two-letter country code"
init_refused "a 65-character OU" "subject = { CN = \"x\"; OU = \"$long65\"; };
key = \"ec:p256\";
$CDP" "in/c.cfg:1: subject OU is 65 characters long"
for d in '""' '"."' '"*.lab.example"' '".lab.example"'; do
	init_refused "permitted_domains = [ $d ]" "subject = { CN = \"x\"; };
key = \"ec:p256\";
$CDP
policy = { permitted_domains = [ \"corp.example\", $d ]; };" \
	    "in/c.cfg:4: permitted domain '$(echo "$d" | tr -d '"')' is not a domain name"
done
for f in "$SRCDIR"/examples/lab/root.cfg "$SRCDIR"/examples/lab/issuing.cfg; do
	rm -rf "$T/ex"
	expect 0 "the example $(basename "$f") still makes a CA" roleca --dir "$T/ex" init --config "$f"
done
expect 0 "the shipped profiles still load" roleca --dir "$I" profiles
assert "... all of them" test "$(ls "$SRCDIR"/profiles/*.cfg | wc -l)" -le "$(wc -l <"$T/out")"

# An existing CA whose ca.cfg has what init now refuses (an older roleca
# made it) keeps working; profiles names the first such line; the domain
# that is no domain name permits nothing.
sed -e 's/C = "US";/C = "USA";/' \
	-e 's|^publish = .*|publish = [ "/var/www/pki/crl", "/var/www/pki/crl" ];|' \
	-e 's/"lab.example" \]/"lab.example", "*.other.example" ]/' \
	"$SRCDIR/examples/lab/issuing.cfg" >"$T/ex/ca.cfg"
expect 0 "an older ca.cfg: issue" roleca --dir "$T/ex" issue frontend $FE_VARS --out old
old=$(cat "$T/out")
assert "... openssl verifies it" openssl verify -purpose sslserver -CAfile "$T/ex/ca.crt" old.crt
expect 0 "... revoke" roleca --dir "$T/ex" revoke "$old"
expect 0 "... crl" roleca --dir "$T/ex" crl --out old.crl
assert "... openssl finds the serial on it" sh -c "openssl crl -inform DER -in old.crl \
	-CAfile '$T/ex/ca.crt' -noout -text 2>&1 | grep -q 'verify OK' &&
	openssl crl -inform DER -in old.crl -noout -text | tr -d ': ' |
	grep -qi \"SerialNumber$old\""
expect 0 "... profiles lists" roleca --dir "$T/ex" profiles
assert "... with a warning naming ca.cfg:6" err_has "ca.cfg:6: subject C is not a two-letter country code"
refused 3 "... the odd permitted domain permits nothing" roleca --dir "$T/ex" issue \
	frontend --set pool_fqdn=p.other.example --set server_fqdn=f.other.example \
	--set sip_domain=other.example --out res/odd

# 5. A CA-local profile directory that cannot be read stops the search:
# the shipped persistent-chat (730 days) must not stand in for the CA's
# own (30 days). Root reads any directory, so as root the case runs as
# nobody on a copy of the CA that nobody owns.
sed 's/^validity_days = .*/validity_days = 30;/' "$SRCDIR/profiles/persistent-chat.cfg" \
	>"$I/profiles/persistent-chat.cfg"
as= ca=$I
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null 2>&1 &&
	    nb_uid=$(id -u nobody 2>/dev/null) && nb_gid=$(id -g nobody 2>/dev/null); then
		chmod 0711 "$T"
		mkdir -m 0755 "$T/nb"
		cp -a "$I" "$T/nb/issuing"
		chown -R "$nb_uid:$nb_gid" "$T/nb/issuing"
		as="setpriv --reuid=$nb_uid --regid=$nb_gid --clear-groups"
		ca=$T/nb/issuing
		$as "$ROLECA" --dir "$ca" list >/dev/null 2>&1 || as=none
	else
		as=none
	fi
fi
if [ "$as" = none ]; then
	ok "an unreadable CA profile directory # SKIP root, and no setpriv to nobody"
else
	cadb=$ca/roleca.db
	cabefore=$(rows "$cadb")
	mkdir -m 0777 "$T/nbout"
	chmod 000 "$ca/profiles"
	expect 1 "issue with an unreadable CA profile directory" $as "$ROLECA" --dir "$ca" \
		issue persistent-chat --set server_fqdn=chat01.lab.example --out "$T/nbout/chat01"
	assert "... names the path" err_has "$ca/profiles/persistent-chat.cfg: Permission denied"
	assert "... in one line" err_one_line
	assert "... nothing recorded" test "$(rows "$cadb")" -eq "$cabefore"
	assert "... no file written" test -z "$(ls -A "$T/nbout")"
	expect 1 "... profiles says so too" $as "$ROLECA" --dir "$ca" profiles
	chmod 0755 "$ca/profiles"
	expect 0 "readable again, the CA's own profile is used" $as "$ROLECA" --dir "$ca" \
		issue persistent-chat --set server_fqdn=chat01.lab.example --out "$T/nbout/chat01"
	assert "... with its 30 days" sh -c "openssl x509 -in '$T/nbout/chat01.crt' -noout \
		-checkend $((31 * 86400)) >/dev/null; test \$? -ne 0"
fi

finish
