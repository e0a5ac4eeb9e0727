#!/bin/sh
# Keys born on the server: request (key + CSR from a profile), sign (CSRs
# from openssl and shaped like Windows .req files), hostile CSRs, and
# export to PKCS#12.
. "${SRCDIR:-.}/tests/cli/lib.sh"

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
cd "$T" || exit 1

# request needs no CA directory: none named, and no ./ca.
expect 0 "request makes a key and a CSR without a CA" roleca request \
	edge-external --set sip_domain=lab.example --set webconf_fqdn=webconf.lab.example \
	--set av_fqdn=av.lab.example --out edge
assert "prints the CSR's path" out_has "edge.csr"
assert "the key is mode 0600" test "$(stat -c %a edge.key)" = 600
assert "openssl req -verify accepts the CSR" openssl req -in edge.csr -noout -verify
openssl req -in edge.csr -noout -text >edge.txt
assert "the CSR asks for serverAuth" grep -q 'TLS Web Server Authentication' edge.txt
assert "the CSR asks for the Access Edge name" grep -q 'DNS:sip.lab.example' edge.txt
assert "the CSR asks for key usage" grep -q 'Digital Signature' edge.txt
# A directory that was named must be a CA: its permitted domains are not
# dropped because it is missing or empty.
mkdir empty
for d in "$T/none" empty; do
	expect 1 "request with --dir $d, no CA, is an error" roleca --dir "$d" request \
		persistent-chat --set server_fqdn=chat12.other.example --out "r-${d##*/}"
	assert "... naming the directory" err_has "$d: not a CA directory"
	assert "... writing nothing" test ! -e "r-${d##*/}.csr" -a ! -e "r-${d##*/}.key"
done
expect 1 "... and with ROLECA_DIR" env ROLECA_DIR="$T/none" "$ROLECA" request \
	persistent-chat --set server_fqdn=chat12.other.example --out r-env
assert "... naming the directory" err_has "$T/none: not a CA directory"
assert "... writing nothing" test ! -e r-env.csr
# Nor is a ./ca that is there but no CA (half made, or a file in its
# place) passed over as though there were none.
for what in "a directory without ca.cfg" "a file"; do
	rm -rf cwd && mkdir -p cwd
	case $what in a\ file) : >cwd/ca ;; *) mkdir cwd/ca ;; esac
	expect 1 "request where ./ca is $what is an error" sh -c "cd cwd && exec '$ROLECA' \
		request persistent-chat --set server_fqdn=chat12.other.example --out ../r-cwd"
	assert "... naming it" err_has "roleca: request: ca: not a CA directory"
	assert "... writing nothing" test ! -e r-cwd.csr -a ! -e r-cwd.key
	expect 1 "... and so is check" sh -c "cd cwd && exec '$ROLECA' check '$I/ca.crt'"
	assert "... naming it" err_has "roleca: check: ca: not a CA directory"
	expect 1 "... and profiles" sh -c "cd cwd && exec '$ROLECA' profiles"
	assert "... naming it" err_has "roleca: profiles: ca: not a CA directory"
done
expect 0 "the CA signs roleca's own CSR" roleca --dir "$I" sign edge-external --csr edge.csr \
	--set sip_domain=lab.example --set webconf_fqdn=webconf.lab.example \
	--set av_fqdn=av.lab.example --out edge
assert "the result verifies as a TLS server certificate" verify_server "$L" edge.crt

# CSRs made by openssl.
openssl ecparam -name prime256v1 -out p256.pem
mkcsr() {	# mkcsr NAME NEWKEY DIGEST SUBJ [openssl req args...]
	name=$1 newkey=$2 digest=$3 subj=$4
	shift 4
	openssl req -new -newkey "$newkey" -nodes -keyout "$name.key" "$digest" \
		-subj "$subj" -out "$name.csr" "$@" 2>/dev/null
}
count=$(rows "$DB")
mkcsr rsa rsa:2048 -sha256 /CN=fe03.lab.example -addext "subjectAltName=DNS:fe03.lab.example"
expect 0 "sign an openssl RSA CSR with SANs" roleca --dir "$I" sign frontend --csr rsa.csr \
	--set pool_fqdn=pool01.lab.example --set server_fqdn=fe03.lab.example \
	--set sip_domain=lab.example --out rsa
serial=$(cat "$T/out")
assert "it verifies" verify_server "$L" rsa.crt
assert "it holds the CSR's key" test \
	"$(openssl x509 -in rsa.crt -noout -pubkey | md5sum)" = "$(openssl pkey -in rsa.key -pubout | md5sum)"
assert "it carries the CDP" sh -c "openssl x509 -in rsa.crt -noout -text | grep -q 'URI:http://pki.lab.example/crl/issuing.crl'"
assert "it carries the role's names" sh -c "openssl x509 -in rsa.crt -noout -text | grep -q 'DNS:lyncdiscover.lab.example'"
assert "it is recorded" test "$(rows "$DB")" -eq $((count + 1))

mkcsr ec ec:p256.pem -sha256 /CN=med01.lab.example
expect 0 "sign an openssl ECDSA CSR without SANs, names from the CSR's CN" \
	roleca --dir "$I" sign persistent-chat --csr ec.csr --out ec
assert "the CN became a dNSName" sh -c "openssl x509 -in ec.crt -noout -ext subjectAltName | grep -q 'DNS:med01.lab.example'"
assert "an EC leaf has no keyEncipherment" sh -c \
	"! openssl x509 -in ec.crt -noout -ext keyUsage | grep -q 'Key Encipherment'"
assert "it verifies" verify_server "$L" ec.crt

openssl req -in rsa.csr -outform DER -out rsa.der
expect 0 "a DER CSR is accepted" roleca --dir "$I" sign persistent-chat --csr rsa.der --out der
# between the armour lines only: a line of base64 may hold "END" too
sed -n '/^-----BEGIN /,/^-----END /{/^-----/d;p}' rsa.csr >bare.b64
expect 0 "a bare base64 CSR is accepted" roleca --dir "$I" sign persistent-chat --csr bare.b64 --out b64

# A Windows-style .req: NEW CERTIFICATE REQUEST header, template name and OS version attributes.
cat >winreq.cnf <<'CNF'
[req]
distinguished_name = dn
req_extensions = ext
attributes = attrs
prompt = no
[dn]
CN = fe04.lab.example
[attrs]
1.3.6.1.4.1.311.13.2.3 = ASN1:IA5STRING:10.0.17763.2
[ext]
subjectAltName = DNS:fe04.lab.example,DNS:sip.lab.example
1.3.6.1.4.1.311.20.2 = ASN1:BMPSTRING:WebServer
keyUsage = critical,digitalSignature,keyEncipherment
basicConstraints = CA:FALSE
CNF
openssl req -new -newkey rsa:2048 -nodes -keyout win.key -config winreq.cnf -out win.pem 2>/dev/null
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' win.pem | sed 's/$/\r/' >win.req
expect 0 "a Windows .req (NEW CERTIFICATE REQUEST, Microsoft attributes, CRLF) is signed" \
	roleca --dir "$I" sign frontend --csr win.req --set pool_fqdn=pool01.lab.example \
	--set server_fqdn=fe04.lab.example --set sip_domain=lab.example --out win
assert "the Microsoft template extension is not copied" sh -c \
	"! openssl x509 -in win.crt -noout -text | grep -q '1.3.6.1.4.1.311.20.2'"
assert "it verifies" verify_server "$L" win.crt

# Hostile CSRs: refused with one line, nothing recorded.
count=$(rows "$DB")
hostile() {	# hostile CODE DESC FILE: signed under persistent-chat
	expect "$1" "$2" roleca --dir "$I" sign persistent-chat --csr "$3" --out hostile
	assert "... in one line" err_one_line
	assert "... nothing written" sh -c "! ls hostile.* 2>/dev/null"
}
tamper() {	# tamper IN OUT: OUT is the PEM CSR IN with its signature changed
	# The DER's last byte is the signature's: one bit of it flipped, so
	# the request always changes (editing the base64 text could miss).
	openssl req -in "$1" -outform DER |
		perl -0777 -pe 'substr($_, -1, 1) = chr(ord(substr($_, -1, 1)) ^ 1)' |
		openssl req -inform DER -out "$2" 2>/dev/null
	! cmp -s "$1" "$2"
}
assert "a CSR's signature is tampered with" tamper rsa.csr tampered.csr
hostile 3 "a tampered signature is refused" tampered.csr
assert "... as no proof of possession" err_has "does not verify"
mkcsr weak rsa:1024 -sha256 /CN=weak.lab.example
hostile 3 "an RSA-1024 key is refused" weak.csr
assert "... naming the key rule" err_has "key"
# The RSA public exponent: odd, at least 65537 (FIPS 186-5), at most
# 2^31 - 1 (Go's crypto/rsa refuses more).
for e in 3 2147483649 18446744073709551617; do
	mkcsr "e$e" rsa:2048 -sha256 /CN=pchat.lab.example \
		-pkeyopt "rsa_keygen_pubexp:$e"
done
assert "openssl makes RSA keys with e = 3, 2^31 + 1, 2^64 + 1" sh -c \
	"openssl req -in e3.csr -noout -text | grep -q 'Exponent: 3 ' &&
	openssl req -in e2147483649.csr -noout -text |
	grep -q 'Exponent: 2147483649 ' &&
	openssl req -in e18446744073709551617.csr -noout -text |
	grep -q '^ *01:00:00:00:00:00:00:00:01\$'"
hostile 3 "an RSA key with e = 3 is refused" e3.csr
assert "... naming the exponent" \
	err_has "refused: key: RSA public exponent 3 (an odd number from 65537 to 2147483647)"
hostile 3 "an RSA key with e = 2^31 + 1 is refused" e2147483649.csr
assert "... naming the exponent" err_has "RSA public exponent 2147483649 ("
hostile 3 "an RSA key with e = 2^64 + 1 is refused" e18446744073709551617.csr
assert "... as an exponent of more than 64 bits" \
	err_has "RSA public exponent of more than 64 bits ("
mkcsr sha1 ec:p256.pem -sha1 /CN=sha1.lab.example
if [ -s sha1.csr ]; then
	hostile 3 "a SHA-1-signed CSR is refused" sha1.csr
	assert "... as 'refused: rule: FILE: message', as every refusal reads" \
		err_has "roleca: sign: refused: csr: sha1.csr: the CSR is signed with"
	assert "... and so in the audit log, 'refused' once" sh -c \
		"'$ROLECA' --dir '$I' log | tail -1 | grep -q 'refused: csr: sha1.csr: the CSR is signed' &&
		! '$ROLECA' --dir '$I' log | tail -1 | grep -q 'refused.*refused'"
fi
openssl req -new -key rsa.key -sha512-224 -subj /CN=s5.lab.example -out s512t.csr 2>/dev/null
if [ -s s512t.csr ]; then
	hostile 3 "a SHA-512/224-signed CSR is refused" s512t.csr
	assert "... naming the algorithm by its OID, GnuTLS having no name for it" \
		err_has "signed with 1.2.840.113549.1.1.15: SHA-256, SHA-384, SHA-512 or SHA3 is required"
fi
openssl ecparam -name secp521r1 -out p521.pem
mkcsr p521 ec:p521.pem -sha256 /CN=p521.lab.example
hostile 3 "a P-521 key is refused" p521.csr
assert "... as a key refusal naming the curve" \
	err_has "refused: key: p521.csr: ECDSA P-521 is not supported (use RSA, or ECDSA P-256 or P-384)"
# Windows' CNG makes Brainpool keys, on a curve GnuTLS cannot check a
# signature on: a key refusal, not a failed proof of possession.
openssl ecparam -name brainpoolP256r1 -out bp256.pem
mkcsr bp256 ec:bp256.pem -sha256 /CN=bp.lab.example
assert "openssl verifies the Brainpool CSR" openssl req -in bp256.csr -noout -verify
hostile 3 "a Brainpool P-256 key is refused" bp256.csr
assert "... as a key refusal naming the file" \
	err_has "refused: key: bp256.csr: the CSR's key is on an elliptic curve that is not supported (use RSA, or ECDSA P-256 or P-384)"
mkcsr outside ec:p256.pem -sha256 /CN=www.evil.example
hostile 3 "a name outside the permitted domains is refused" outside.csr
assert "... naming it" err_has "www.evil.example"
mkcsr ca ec:p256.pem -sha256 /CN=subca.lab.example -addext "basicConstraints=critical,CA:TRUE"
hostile 3 "a CSR asking for CA:TRUE is refused" ca.csr
assert "... saying so" err_has "CA:TRUE"
mkcsr wild ec:p256.pem -sha256 /CN=x.lab.example -addext "subjectAltName=DNS:*.lab.example"
hostile 3 "a wildcard where the profile allows none is refused" wild.csr
mkcsr ipreq ec:p256.pem -sha256 /CN=y.lab.example -addext "subjectAltName=IP:10.1.2.3"
hostile 3 "an IP address where the profile allows none is refused" ipreq.csr
# An IP address, like a dNSName, must take a place the role leaves open.
cat >"$T/ipfixed.cfg" <<'CFG'
description = "a server with one address";
variables = { fqdn = { description = "f"; }; addr = { description = "ip"; }; };
subject = { CN = "${fqdn}"; };
dns = "${fqdn}";
ip = "${addr}";
key = "ec:p256";
validity_days = 90;
eku = [ "serverAuth" ];
allow_ip = true;
CFG
O=$T/open-ca
sed -e '/^policy/,$d' "$I/ca.cfg" >"$T/open.cfg"
printf 'policy = { allow_ip = true; permitted_domains = [ "lab.example" ]; };\n' >>"$T/open.cfg"
roleca --dir "$O" init --config "$T/open.cfg" 2>/dev/null
mkdir -p "$O/profiles" && cp "$T/ipfixed.cfg" "$O/profiles/"
mkcsr ipmore ec:p256.pem -sha256 /CN=ip.lab.example \
	-addext "subjectAltName=DNS:ip.lab.example,IP:10.1.1.1,IP:10.2.2.2"
rows_o=$(rows "$O/roleca.db")
expect 3 "an IP address beside the one the variables give is refused" roleca --dir "$O" \
	sign ipfixed --csr ipmore.csr --set fqdn=ip.lab.example --set addr=10.1.1.1 --out ipmore
assert "... naming it" err_has "the CSR asks for the IP address 10.2.2.2, which is none of the addresses role ipfixed leaves to it"
assert "... in one line" err_one_line
assert "... nothing recorded" test "$(rows "$O/roleca.db")" -eq "$rows_o"
assert "... no file written" test ! -e ipmore.crt
mkcsr ipone ec:p256.pem -sha256 /CN=ip.lab.example \
	-addext "subjectAltName=DNS:ip.lab.example,IP:0:0:0:0:0:0:0:1"
expect 0 "the CSR's address may fill the role's open one" roleca --dir "$O" \
	sign ipfixed --csr ipone.csr --set fqdn=ip.lab.example --out ipone
assert "... openssl reads it there" sh -c \
	"openssl x509 -in ipone.crt -noout -ext subjectAltName | grep -q 'IP Address:0:0:0:0:0:0:0:1\$'"
expect 0 "... or repeat the address the variables give, in another spelling" roleca --dir "$O" \
	sign ipfixed --csr ipone.csr --set fqdn=ip.lab.example --set addr=::1 --out ipsame
assert "... listed once" test "$(openssl x509 -in ipsame.crt -noout -ext subjectAltName | grep -o 'IP Address' | wc -l)" -eq 1
expect 3 "but not beside another address the variables give" roleca --dir "$O" \
	sign ipfixed --csr ipone.csr --set fqdn=ip.lab.example --set addr=10.1.1.1 --out ipother
# A host name CN beside IP addresses alone is a name only some clients
# match: it is to be a dNSName too.
sed -e '/^dns = /d' -e 's/^description = .*/description = "an address only";/' \
	"$T/ipfixed.cfg" >"$O/profiles/iponly.cfg"
rows_o=$(rows "$O/roleca.db")
expect 3 "issue: a host name CN with only an IP address in the subjectAltName is refused" \
	roleca --dir "$O" issue iponly --set fqdn=ip.lab.example --set addr=10.1.1.1 --out iponly
assert "... saying to list it as a dNSName" err_has \
	"the CN 'ip.lab.example' is not in the subjectAltName, which holds only IP addresses"
assert "... nothing recorded" test "$(rows "$O/roleca.db")" -eq "$rows_o"
assert "... no file written" test ! -e iponly.crt -a ! -e iponly.key
for bad in 10.0.0.01 10.0.0.256 ip.lab.example; do
	expect 2 "issue: '$bad' for an address variable is a usage error" roleca --dir "$O" \
		issue ipfixed --set fqdn=ip.lab.example --set "addr=$bad" --out badip
	assert "... naming the variable" err_has "variable 'addr': '$bad' is not an IP address"
done
assert "... nothing written" test ! -e badip.key
mkcsr iponlyreq ec:p256.pem -sha256 /CN=10.1.1.1 -addext "subjectAltName=IP:10.1.1.1"
sed -e 's/^subject = .*/subject = { CN = "${addr}"; };/' -e '/^variables/s/fqdn = { description = "f"; }; //' \
	"$O/profiles/iponly.cfg" >"$O/profiles/ipcn.cfg"
expect 0 "sign: a CN that is the address in the subjectAltName is signed" \
	roleca --dir "$O" sign ipcn --csr iponlyreq.csr --set addr=10.1.1.1 --out ipcn
assert "... and openssl verifies it for that address" sh -c \
	"openssl verify -CAfile '$O/ca.crt' -purpose sslserver -verify_ip 10.1.1.1 ipcn.crt >/dev/null"
expect 0 "issue: an IPv6 CN in capitals is the address its subjectAltName holds" \
	roleca --dir "$O" issue ipcn --set addr=2001:DB8::1 --out ipcn6
assert "... and openssl verifies it for that address" sh -c \
	"openssl verify -CAfile '$O/ca.crt' -purpose sslserver -verify_ip 2001:db8::1 ipcn6.crt >/dev/null"
mkcsr urireq ec:p256.pem -sha256 /CN=u.lab.example -addext "subjectAltName=DNS:u.lab.example,URI:http://u.lab.example/"
hostile 3 "a URI beside the dNSName is refused" urireq.csr
assert "... naming the name types roleca signs" err_has "only DNS and IP"
mkcsr mailreq ec:p256.pem -sha256 /CN=m.lab.example -addext "subjectAltName=email:admin@lab.example"
hostile 3 "an rfc822Name is refused" mailreq.csr
assert "... naming the name types roleca signs" err_has "only DNS and IP"
mkcsr twocn ec:p256.pem -sha256 /CN=fe41.lab.example/CN=www.evil.example \
	-addext "subjectAltName=DNS:fe41.lab.example"
hostile 3 "a subject with two CNs is refused" twocn.csr
assert "... saying so" err_has "more than one CN"
# openssl caps the length of known attributes, so the 100 KB goes into a private OID.
printf 'oid_section = oids\n[oids]\nbigattr = 1.2.3.4\n[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = z.lab.example\nbigattr = %s\n' \
	"$(head -c 100000 /dev/zero | tr '\0' a)" >big.cnf
openssl req -new -key ec.key -sha256 -config big.cnf -out big.csr 2>/dev/null
hostile 3 "a 100 KB subject is refused" big.csr
assert "... saying how long it is" err_has "subject is"
printf 'not base64 at all %%%%%%\n' >garbage.csr
hostile 1 "garbage is refused as unreadable" garbage.csr
assert "... saying it is not a PKCS#10 request" err_has "PKCS#10"
head -c 200 rsa.der >truncated.der
hostile 1 "a truncated DER CSR is refused" truncated.der
assert "no hostile CSR added a database row" test "$(rows "$DB")" -eq "$count"
# An odd RSA exponent in range, however unusual, is signed.
for e in 65539 2147483647; do
	mkcsr "e$e" rsa:2048 -sha256 /CN=pchat.lab.example \
		-pkeyopt "rsa_keygen_pubexp:$e"
	expect 0 "an RSA key with e = $e is signed" roleca --dir "$I" sign \
		persistent-chat --csr "e$e.csr" --out "e$e"
	assert "... and verifies" verify_server "$L" "e$e.crt"
done
openssl req -new -key rsa.key -sha3-256 -subj /CN=pc3.lab.example \
	-addext subjectAltName=DNS:pc3.lab.example -out sha3.csr 2>/dev/null
if [ -s sha3.csr ]; then
	expect 0 "a SHA3-256-signed CSR is signed" roleca --dir "$I" sign persistent-chat \
		--csr sha3.csr --out sha3
	assert "... openssl verifies the certificate" verify_server "$L" sha3.crt
fi

# A NUL byte inside a dNSName: build the CSR with certtool's template? Use raw DER surgery.
mkcsr nul ec:p256.pem -sha256 /CN=n.lab.example -addext "subjectAltName=DNS:aaaa.lab.example"
# The SAN's dNSName "aaaa.lab.example" becomes "a\0aa.lab.example"; the signature then fails,
# so this exercises rejection, whichever check comes first.
openssl req -in nul.csr -outform DER -out nul.der
# perl, not python3: perl-base is essential on Debian, python3 is not. No
# fallback: an unpatched copy would prove nothing.
rm -f nul-bad.der
assert "a NUL byte is patched into the CSR's dNSName" perl -e '
	open(my $in, "<:raw", "nul.der") or die "nul.der: $!\n";
	local $/; my $d = <$in>;
	my $i = index($d, "aaaa.lab.example");
	die "nul.der: no dNSName aaaa.lab.example\n" if $i < 0;
	substr($d, $i + 1, 1) = "\0";
	open(my $out, ">:raw", "nul-bad.der") or die "nul-bad.der: $!\n";
	print $out $d or die "nul-bad.der: $!\n";
	close($out) or die "nul-bad.der: $!\n";'
assert "... in one byte, now NUL" sh -c \
	"cmp -l nul.der nul-bad.der | awk '{ n++; v = \$3 } END { exit !(n == 1 && v == 0) }'"
hostile 3 "a NUL byte inside a dNSName is refused" nul-bad.der
# The same with a valid signature, so the name itself is judged: the SAN
# is given as DER, GeneralNames { [2] "n\0ul.lab.example" }.
cat >nulsan.cnf <<CNF
[req]
distinguished_name = dn
req_extensions = ext
prompt = no
[dn]
CN = nul.lab.example
[ext]
subjectAltName = DER:30128210$(printf 'n\000ul.lab.example' | od -An -tx1 | tr -d ' \n')
CNF
openssl req -new -key ec.key -sha256 -config nulsan.cnf -out nulsan.csr 2>/dev/null
assert "openssl accepts the NUL-in-dNSName CSR's signature" \
	openssl req -in nulsan.csr -noout -verify
assert "... and its SAN holds the NUL byte" sh -c \
	"openssl asn1parse -in nulsan.csr | grep -q 'HEX DUMP\]:301282106E00756C2E6C61622E6578616D706C65\$'"
count=$(rows "$DB")
hostile 3 "a properly signed CSR with a NUL byte inside a dNSName is refused" nulsan.csr
assert "... saying the dNSName holds a NUL byte" err_has "dNSName contains a NUL byte"
assert "... nothing recorded" test "$(rows "$DB")" -eq "$count"

# Accepted CSRs from openssl, each checked by openssl as a TLS server
# certificate under the lab chain, with its CDP and serverAuth.
accepted() {	# accepted NAME: NAME.crt verified and read by openssl
	assert "... it verifies (openssl verify -x509_strict -purpose sslserver)" \
		verify_server "$L" "$1.crt"
	x509_text "$1.crt" >"$1.txt"
	assert "... it carries the CDP" sh -c "grep -A3 'X509v3 CRL Distribution Points' '$1.txt' |
		grep -q 'URI:http://pki.lab.example/crl/issuing.crl'"
	assert "... it carries serverAuth" sh -c "grep -A1 'X509v3 Extended Key Usage' '$1.txt' |
		grep -q 'TLS Web Server Authentication'"
	assert "... it holds the CSR's key" test \
		"$(openssl x509 -in "$1.crt" -noout -pubkey)" = "$(openssl pkey -in "$1.key" -pubout)"
}
count=$(rows "$DB")
mkcsr nosan rsa:2048 -sha256 /CN=chat07.lab.example
assert "the RSA CSR asks for no subjectAltName" sh -c \
	"! openssl req -in nosan.csr -noout -text | grep -q 'Subject Alternative Name'"
expect 0 "sign an openssl RSA CSR without any SAN" roleca --dir "$I" sign persistent-chat \
	--csr nosan.csr --out nosan
accepted nosan
assert "... its CN became its dNSName" sh -c \
	"openssl x509 -in nosan.crt -noout -ext subjectAltName | grep -q 'DNS:chat07.lab.example'"
mkcsr ecsan ec:p256.pem -sha256 /CN=medpool.lab.example \
	-addext "subjectAltName=DNS:medpool.lab.example,DNS:med01.lab.example"
expect 0 "sign an openssl ECDSA P-256 CSR with SANs" roleca --dir "$I" sign mediation \
	--csr ecsan.csr --out ecsan
accepted ecsan
assert "... a P-256 key" sh -c "grep -q 'NIST CURVE: P-256' ecsan.txt"
assert "... both of the CSR's names (the pool's and the server's)" sh -c \
	"openssl x509 -in ecsan.crt -noout -ext subjectAltName | grep -q 'DNS:medpool.lab.example' &&
	 openssl x509 -in ecsan.crt -noout -ext subjectAltName | grep -q 'DNS:med01.lab.example'"
assert "both are recorded" test "$(rows "$DB")" -eq $((count + 2))

# The role's key spec is what roleca makes for it; a server's own key may
# differ but not be weaker, and check --profile judges it as sign did.
expect 0 "check --profile: the P-256 certificate signed under an RSA-2048 role complies" \
	roleca --dir "$I" check ecsan.crt --profile mediation \
	--set pool_fqdn=medpool.lab.example --set server_fqdn=med01.lab.example
mkdir -p "$I/profiles"
sed 's/^key = .*/key = "rsa:3072";/' "$SRCDIR/profiles/mediation.cfg" >"$I/profiles/med3072.cfg"
# An RSA role that lists its key usages: keyEncipherment follows the key,
# so a P-256 CSR under it gets the others, without keyEncipherment.
{ cat "$SRCDIR/profiles/mediation.cfg"
  echo 'key_usage = [ "digitalSignature", "keyEncipherment", "nonRepudiation" ];'; } \
	>"$I/profiles/medku.cfg"
expect 0 "a P-256 CSR under an RSA role that lists keyEncipherment is signed" \
	roleca --dir "$I" sign medku --csr ecsan.csr --out ecku
assert "... with its other usages, without keyEncipherment" sh -c \
	"openssl x509 -in ecku.crt -noout -ext keyUsage | grep -qx ' *Digital Signature, Non Repudiation'"
sed 's/"keyEncipherment", //' "$I/profiles/medku.cfg" >"$I/profiles/medku2.cfg"
expect 1 "an RSA role whose key_usage leaves out keyEncipherment does not load" \
	roleca --dir "$I" issue medku2 --set pool_fqdn=medpool.lab.example \
	--set server_fqdn=med03.lab.example --out medku2
assert "... naming the line" err_has "medku2.cfg:"
assert "... and why" err_has "key_usage must include keyEncipherment for an RSA key"
rm "$I/profiles/medku.cfg" "$I/profiles/medku2.cfg"
count=$(rows "$DB")
mkcsr med2048 rsa:2048 -sha256 /CN=medpool.lab.example \
	-addext "subjectAltName=DNS:medpool.lab.example,DNS:med02.lab.example"
expect 3 "an RSA-2048 CSR under an RSA-3072 role is refused" roleca --dir "$I" sign med3072 \
	--csr med2048.csr --out med2048
assert "... naming both keys" err_has "the key is rsa:2048, weaker than the role's rsa:3072"
assert "... in one line" err_one_line
assert "... nothing written" test ! -e med2048.crt
assert "... nothing recorded" test "$(rows "$DB")" -eq "$count"
expect 0 "... a P-256 CSR (128-bit strength, as RSA-3072) is signed" roleca --dir "$I" sign \
	med3072 --csr ecsan.csr --out ec3072
assert "... and verifies" verify_server "$L" ec3072.crt
expect 3 "check --profile finds an RSA-2048 certificate weaker than the role" \
	roleca --dir "$I" check rsa.crt --profile med3072
assert "... naming the rule" out_has "key: the key is rsa:2048, weaker than the role's rsa:3072"

# RSA-PSS requests. OpenSSL signs them with the longest salt the key
# allows unless told otherwise, which GnuTLS's own CSR check does not take:
# roleca checks the signature with the salt its parameters name.
mkcsr pssmax rsa:2048 -sha256 /CN=chat08.lab.example -sigopt rsa_padding_mode:pss
assert "OpenSSL's RSA-PSS CSR has a salt longer than the digest" sh -c \
	"openssl req -in pssmax.csr -noout -text | grep -q 'Salt Length: 0xDE'"
expect 0 "an RSA-PSS CSR with OpenSSL's default salt is signed" roleca --dir "$I" sign \
	persistent-chat --csr pssmax.csr --out pssmax
accepted pssmax
assert "... the certificate's key is plain RSA, as the request's" \
	grep -q 'Public Key Algorithm: rsaEncryption' pssmax.txt
mkcsr pss20 rsa:2048 -sha256 /CN=chat08.lab.example -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:20
expect 0 "... and one with a 20-byte salt" roleca --dir "$I" sign persistent-chat \
	--csr pss20.csr --out pss20
accepted pss20
# 20 is saltLength's DEFAULT, so DER leaves it out
assert "... (its parameters leave the salt length to its default)" sh -c \
	"openssl req -in pss20.csr -noout -text | grep -q 'Salt Length: 0x14 (default)'"
# saltLength [2] INTEGER 222 -> 221: the signature no longer matches its parameters
openssl req -in pssmax.csr -outform DER -out pss221.der
perl -0777 -pi -e 's/\xa2\x04\x02\x02\x00\xde/\xa2\x04\x02\x02\x00\xdd/' pss221.der
assert "... (the salt length patched)" sh -c \
	"openssl req -inform DER -in pss221.der -noout -text | grep -q 'Salt Length: 0xDD'"
hostile 3 "an RSA-PSS CSR whose parameters name another salt is refused" pss221.der
assert "... as no proof of possession" err_has "does not verify"
assert "an RSA-PSS CSR's signature is tampered with" tamper pssmax.csr psstampered.csr
hostile 3 "a tampered RSA-PSS CSR is refused" psstampered.csr
assert "... as no proof of possession" err_has "does not verify"

# A CSR asks only for names the role leaves to it: Persistent Chat has one
# name, the server's; Front End names under sip. take the SIP domain's place.
count=$(rows "$DB")
mkcsr twonames rsa:2048 -sha256 /CN=chat09.lab.example \
	-addext "subjectAltName=DNS:chat09.lab.example,DNS:other.lab.example"
expect 3 "a second name for a one-name role is refused" roleca --dir "$I" sign \
	persistent-chat --csr twonames.csr --out twonames
assert "... naming it" err_has "dNSName 'other.lab.example'"
assert "... in one line" err_one_line
assert "... adding no row" test "$(rows "$DB")" -eq "$count"
assert "... writing no file" test ! -e twonames.crt
expect 3 "a name beside those the variables give is refused" roleca --dir "$I" sign \
	persistent-chat --csr twonames.csr --set server_fqdn=chat09.lab.example --out twonames
assert "... naming it" err_has "dNSName 'other.lab.example'"
fe_sans=DNS:pool05.lab.example,DNS:fe05.lab.example,DNS:sip.lab.example
fe_sans=$fe_sans,DNS:lyncdiscoverinternal.lab.example,DNS:lyncdiscover.lab.example
fe_sans=$fe_sans,DNS:meet.lab.example,DNS:dialin.lab.example,DNS:admin.lab.example
mkcsr fenames rsa:2048 -sha256 /CN=pool05.lab.example -addext "subjectAltName=$fe_sans"
expect 0 "Front End names from the CSR fill the role's templates" roleca --dir "$I" sign \
	frontend --csr fenames.csr --out fenames
assert "... every one of them in the certificate" sh -c \
	"openssl x509 -in fenames.crt -noout -ext subjectAltName | tr ',' '\\n' | grep -c 'DNS:' | grep -qx 8"
expect 0 "... which check --profile finds complete" roleca --dir "$I" check fenames.crt \
	--profile frontend
# sip_domain is a list: each domain the CSR gives must be in every
# template that uses it, not sip. of one domain and meet. of another.
for d in a b; do
	eval "fe_$d=DNS:sip.$d.lab.example,DNS:lyncdiscoverinternal.$d.lab.example,DNS:lyncdiscover.$d.lab.example,DNS:meet.$d.lab.example,DNS:dialin.$d.lab.example,DNS:admin.$d.lab.example"
done
mkcsr femix rsa:2048 -sha256 /CN=pool07.lab.example -addext \
	"subjectAltName=DNS:pool07.lab.example,DNS:fe07.lab.example,DNS:sip.a.lab.example,DNS:lyncdiscoverinternal.a.lab.example,DNS:lyncdiscover.b.lab.example,DNS:meet.a.lab.example,DNS:dialin.a.lab.example,DNS:admin.a.lab.example"
count=$(rows "$DB")
expect 3 "a CSR giving a list variable different values in its templates is refused" \
	roleca --dir "$I" sign frontend --csr femix.csr --out femix
assert "... naming the value and the templates" err_has \
	"refused: names: femix.csr: the CSR asks for sip_domain 'a.lab.example' in 'sip.\${sip_domain}' but not in 'lyncdiscover.\${sip_domain}': each value of a list variable goes in every template that uses it"
assert "... in one line, no row, no file" sh -c \
	"test \$(wc -l <'$T/err') -eq 1 && test \$(sqlite3 '$DB' 'SELECT count(*) FROM certs') -eq $count && ! test -e femix.crt"
mkcsr fetwo rsa:2048 -sha256 /CN=pool08.lab.example -addext \
	"subjectAltName=DNS:pool08.lab.example,DNS:fe08.lab.example,$fe_a,$fe_b"
expect 0 "... two domains, each in every template, are signed" roleca --dir "$I" sign frontend \
	--csr fetwo.csr --out fetwo
assert "... with all 14 names" sh -c \
	"openssl x509 -in fetwo.crt -noout -ext subjectAltName | tr ',' '\\n' | grep -c 'DNS:' | grep -qx 14"
expect 0 "... which check --profile finds consistent" roleca --dir "$I" check fetwo.crt --profile frontend
# The same mix signed by openssl: check --profile judges it as sign would.
openssl x509 -req -in femix.csr -CA "$I/ca.crt" -CAkey "$I/ca.key" -set_serial 0x7e01 -days 30 \
	-sha256 -copy_extensions copyall -extfile /dev/stdin -out femix-ossl.crt 2>/dev/null <<EXT
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
crlDistributionPoints = URI:http://pki.lab.example/crl/issuing.crl
EXT
expect 3 "check --profile finds the mix in a certificate made elsewhere" roleca check femix-ossl.crt \
	--profile frontend
assert "... saying so" out_has "names: sip_domain 'a.lab.example' in 'sip.\${sip_domain}' but not in 'lyncdiscover.\${sip_domain}'"
count=$(rows "$DB")
mkcsr fefew rsa:2048 -sha256 /CN=pool06.lab.example \
	-addext "subjectAltName=DNS:pool06.lab.example,DNS:fe06.lab.example,DNS:sip.lab.example"
expect 2 "a CSR that leaves names the role needs unfilled, no variable giving them, is refused" \
	roleca --dir "$I" sign frontend --csr fefew.csr --out fefew
assert "... naming the first template left" \
	err_has "role frontend needs a dNSName for 'lyncdiscoverinternal.\${sip_domain}'"
assert "... in one line" err_one_line
assert "... adding no row" test "$(rows "$DB")" -eq "$count"
assert "... writing no file" test ! -e fefew.crt
expect 0 "... and signed once the variable gives them" roleca --dir "$I" sign frontend \
	--csr fefew.csr --set sip_domain=lab.example --out fefew
expect 0 "... complete by check --profile" roleca --dir "$I" check fefew.crt --profile frontend
expect 3 "every variable given, a CSR's sip. name for another domain is refused" \
	roleca --dir "$I" sign frontend --csr fenames.csr --set pool_fqdn=pool05.lab.example \
	--set server_fqdn=fe05.lab.example --set sip_domain=sub.lab.example \
	--set web_internal=web-int.lab.example --set web_external=web.lab.example \
	--out fenames2
assert "... naming it" err_has "dNSName 'sip.lab.example'"

# A CSR that names its server only in its CN (no subjectAltName, as IIS
# makes them), signed under a role whose variables name the subject: the
# CN is asked for like a dNSName, never dropped.
count=$(rows "$DB")
mkcsr cnonly rsa:2048 -sha256 /CN=fe21.lab.example
expect 0 "a CN-only CSR beside the pool's name: its CN takes the server's place" \
	roleca --dir "$I" sign frontend --csr cnonly.csr \
	--set pool_fqdn=pool21.lab.example --set sip_domain=lab.example --out cnonly
assert "... the subject is the pool's" sh -c \
	"openssl x509 -in cnonly.crt -noout -subject -nameopt RFC2253 | grep -qx 'subject=CN=pool21.lab.example'"
assert "... and the server's own name is in the certificate" sh -c \
	"openssl x509 -in cnonly.crt -noout -ext subjectAltName | grep -q 'DNS:fe21.lab.example'"
assert "... certtool reads the same name" sh -c \
	"certtool -i --infile cnonly.crt | grep -q 'DNSname: fe21.lab.example'"
expect 0 "... complete by check --profile" roleca --dir "$I" check cnonly.crt \
	--profile frontend
mkcsr cnpc rsa:2048 -sha256 /CN=chat21.lab.example
expect 3 "a CSR's CN that differs from the one name a role has is refused" \
	roleca --dir "$I" sign persistent-chat --csr cnpc.csr \
	--set server_fqdn=chat22.lab.example --out cnpc
assert "... naming the CN" err_has "the CSR asks for the CN 'chat21.lab.example'"
assert "... in one line" err_one_line
mkcsr cnout rsa:2048 -sha256 /CN=fe21.evil.example
expect 3 "a CSR's CN outside the permitted domains is refused" \
	roleca --dir "$I" sign frontend --csr cnout.csr \
	--set pool_fqdn=pool21.lab.example --set sip_domain=lab.example --out cnout
assert "... naming it" err_has "'fe21.evil.example' is outside the permitted domains"
assert "... adding no row" test "$(rows "$DB")" -eq $((count + 1))
assert "... writing no file" sh -c "test ! -e cnpc.crt && test ! -e cnout.crt"
openssl req -new -key cnonly.key -subj '/CN=Front End 21' -out cnword.csr
expect 0 "a CSR's CN that is not a host name stays out of the names" \
	roleca --dir "$I" sign frontend --csr cnword.csr --set pool_fqdn=pool22.lab.example \
	--set server_fqdn=fe22.lab.example --set sip_domain=lab.example --out cnword
assert "... the certificate names only the role's" sh -c \
	"openssl x509 -in cnword.crt -noout -ext subjectAltName >cnword.san &&
	grep -q 'DNS:fe22.lab.example' cnword.san && ! grep -q 'Front' cnword.san"
# The pool's variables given, the member's CSR names itself: the pool's
# name (the CN the variables give) does not take the member's place.
fe_pool="--set pool_fqdn=pool23.lab.example --set sip_domain=lab.example
	--set web_internal=webint.lab.example --set web_external=web.lab.example"
mkcsr member rsa:2048 -sha256 /CN=pool23.lab.example \
	-addext "subjectAltName=DNS:pool23.lab.example,DNS:fe23.lab.example"
expect 0 "a member's name in its CSR takes the place the pool's variables leave" \
	roleca --dir "$I" sign frontend --csr member.csr $fe_pool --out member
assert "... and is in the certificate" sh -c \
	"openssl x509 -in member.crt -noout -ext subjectAltName | grep -q 'DNS:fe23.lab.example'"
expect 0 "... complete by check --profile with the member's name" roleca --dir "$I" \
	check member.crt --profile frontend $fe_pool --set server_fqdn=fe23.lab.example
mkcsr member2 rsa:2048 -sha256 /CN=fe24.lab.example
expect 0 "... as does a member's CN-only CSR" \
	roleca --dir "$I" sign frontend --csr member2.csr $fe_pool --out member2
assert "... its CN in the certificate" sh -c \
	"openssl x509 -in member2.crt -noout -ext subjectAltName | grep -q 'DNS:fe24.lab.example'"
mkcsr member3 rsa:2048 -sha256 /CN=pool23.lab.example \
	-addext "subjectAltName=DNS:fe23.lab.example,DNS:fe25.lab.example"
expect 3 "... but a second member's name is refused" \
	roleca --dir "$I" sign frontend --csr member3.csr $fe_pool --out member3
assert "... naming it" err_has "dNSName 'fe25.lab.example'"
# ${server_fqdn} matches the pool's name too, but the pool's name is not
# the member's: a CSR that names only the pool leaves the member's unmet.
count=$(rows "$DB")
mkcsr poolonly rsa:2048 -sha256 /CN=pool23.lab.example
expect 2 "a CSR naming only the pool, the member's name unset, is refused" \
	roleca --dir "$I" sign frontend --csr poolonly.csr $fe_pool --out poolonly
assert "... naming the member's template" \
	err_has "role frontend needs a dNSName for '\${server_fqdn}'"
assert "... in one line" err_one_line
assert "... adding no row" test "$(rows "$DB")" -eq "$count"
assert "... writing no file" test ! -e poolonly.crt
mkcsr medonly rsa:2048 -sha256 /CN=medpool7.lab.example
expect 2 "... as is a Mediation CSR naming only its pool" \
	roleca --dir "$I" sign mediation --csr medonly.csr --out medonly
expect 0 "... signed once the variable gives the member (a one-server pool)" \
	roleca --dir "$I" sign mediation --csr medonly.csr \
	--set server_fqdn=medpool7.lab.example --out medonly

# export: PKCS#12 from the database record and the server's key.
echo 'export pass' >pass
expect 0 "export writes a PKCS#12" roleca --dir "$I" export "$serial" --key rsa.key \
	--out rsa.p12 --p12-pass-file pass
assert "openssl reads it with the key and the chain" sh -c \
	"openssl pkcs12 -in rsa.p12 -nodes -passin file:pass | grep -c 'BEGIN CERTIFICATE' | grep -qx 3"
assert "... AES-256" sh -c "openssl pkcs12 -in rsa.p12 -info -noout -passin file:pass 2>&1 | grep -q AES-256"
export ROLECA_P12_PASS='env pass'
expect 0 "export --p12-legacy, passphrase from the environment" \
	roleca --dir "$I" export "$serial" --key rsa.key --out rsa-legacy.p12 --p12-legacy \
	--friendly-name 'Front End fe03'
unset ROLECA_P12_PASS
assert "openssl reads the legacy form (3DES, SHA-1 MAC)" sh -c \
	"openssl pkcs12 -in rsa-legacy.p12 -info -noout -passin 'pass:env pass' 2>&1 | grep -q 'TripleDES' &&
	 openssl pkcs12 -in rsa-legacy.p12 -info -noout -passin 'pass:env pass' 2>&1 | grep -q 'MAC: sha1'"
assert "... with the friendly name" sh -c \
	"openssl pkcs12 -in rsa-legacy.p12 -nokeys -passin 'pass:env pass' | grep -q 'friendlyName: Front End fe03'"
expect 1 "export with another key is refused" roleca --dir "$I" export "$serial" --key ec.key \
	--out wrong.p12 --p12-pass-file pass
assert "... and writes nothing" test ! -e wrong.p12
expect 1 "export of an unknown serial is refused" roleca --dir "$I" export 0badc0de --key rsa.key \
	--out unknown.p12 --p12-pass-file pass
expect 2 "export without --key is a usage error" roleca --dir "$I" export "$serial" --out x.p12

# The profile's friendly name, bound with the variables recorded at issue.
mkdir -p "$I/profiles"
{ cat "$SRCDIR/profiles/persistent-chat.cfg"
  echo 'friendly_name = "Persistent Chat ${server_fqdn}";'; } >"$I/profiles/chat-named.cfg"
expect 0 "sign under a profile with a friendly name" roleca --dir "$I" sign chat-named \
	--csr nosan.csr --set server_fqdn=chat07.lab.example --out named
named=$(cat "$T/out")
expect 0 "export uses the profile's friendly name" roleca --dir "$I" export "$named" \
	--key nosan.key --out named.p12 --p12-pass-file pass
assert "... as openssl reads it" sh -c "openssl pkcs12 -in named.p12 -nokeys \
	-passin file:pass 2>/dev/null | grep -q 'friendlyName: Persistent Chat chat07.lab.example'"

# A key revoked for keyCompromise is never certified again: not by sign,
# renew or deploy, whichever certificate of it is asked about.
cp -R "$I" "$T/kc"
openssl req -new -newkey rsa:2048 -nodes -keyout kc.key -subj /CN=kc.lab.example \
	-addext subjectAltName=DNS:kc.lab.example -out kc.csr 2>/dev/null
kc1=$(roleca --dir "$T/kc" sign persistent-chat --csr kc.csr --out kc1 2>/dev/null)
kc2=$(roleca --dir "$T/kc" sign persistent-chat --csr kc.csr --out kc2 2>/dev/null)
expect 0 "revoke one certificate of a key for keyCompromise" roleca --dir "$T/kc" \
	revoke "$kc1" --reason keyCompromise
rows_kc=$(rows "$T/kc/roleca.db")
expect 3 "sign refuses a CSR for that key" roleca --dir "$T/kc" sign persistent-chat \
	--csr kc.csr --out kc3
assert "... naming the revoked certificate" err_has "certificate $kc1 for this key was revoked for keyCompromise"
expect 3 "renew refuses the key's other certificate" roleca --dir "$T/kc" renew "$kc2" --out kc4
expect 0 "... unless with a new key" roleca --dir "$T/kc" renew "$kc2" --new-key --out kc5
mkdir -p kcsr && cp kc.csr kcsr/kc.csr
printf 'servers = ( { name = "kc"; role = "persistent-chat"; set = { server_fqdn = "kc.lab.example"; }; } );\n' >kc.cfg
expect 1 "deploy --csr-dir refuses it for that server" roleca --dir "$T/kc" deploy kc.cfg \
	--csr-dir kcsr --out kcout
assert "... saying why" err_has "revoked for keyCompromise"
assert "nothing recorded but the new-key renewal" test "$(rows "$T/kc/roleca.db")" -eq $((rows_kc + 1))
assert "... and no certificate written" sh -c "test ! -e kc3.crt && test ! -e kc4.crt && test ! -e kcout/kc.crt"
expect 3 "export refuses the key's other, still valid, certificate" roleca --dir "$T/kc" \
	export "$kc2" --key kc.key --out kc2.p12 --p12-pass-file pass
assert "... naming the revoked certificate" err_has "certificate $kc1 for this key was revoked for keyCompromise: a compromised key is not exported"
assert "... in one line, no file written" sh -c "[ \$(wc -l <'$T/err') -eq 1 ] && test ! -e kc2.p12"
# A database from before the table of compromised keys: its earlier
# keyCompromise revocations count as well.
sqlite3 "$T/kc/roleca.db" "DROP INDEX certs_replaces; ALTER TABLE certs DROP COLUMN replaces;
	DELETE FROM counters WHERE name = 'freshest_until';
	DROP INDEX certs_revoked;
	ALTER TABLE certs DROP COLUMN asked;
	ALTER TABLE certs DROP COLUMN invalid_at; CREATE INDEX certs_revoked ON
	certs (status, not_after, serial, revoked_at, reason);
	DROP TABLE compromised_keys;
	DELETE FROM counters WHERE name = 'compromised_backfill'; PRAGMA user_version = 6"
expect 3 "after an upgrade, an earlier keyCompromise revocation still refuses the key" \
	roleca --dir "$T/kc" sign persistent-chat --csr kc.csr --out kc6
assert "... which is now in the table" test \
	"$(sqlite3 "$T/kc/roleca.db" 'SELECT serial FROM compromised_keys')" = "$kc1"

# A CSR whose CN is in upper case, as some Windows tools write it: sign
# keeps it, and check --profile with the variables matches it, as X.520's
# matching rules for names ignore case.
openssl req -new -newkey rsa:2048 -nodes -keyout up.key -subj /CN=POOL01.lab.example \
	-addext subjectAltName=DNS:POOL01.lab.example,DNS:fe01.lab.example -out up.csr 2>/dev/null
expect 0 "a CSR with an upper-case CN is signed" roleca --dir "$I" sign frontend --csr up.csr \
	--set server_fqdn=fe01.lab.example --set sip_domain=lab.example --out up
expect 0 "... and check --profile with the variables in lower case finds it compliant" \
	roleca --dir "$I" check up.crt --profile frontend --set pool_fqdn=pool01.lab.example \
	--set server_fqdn=fe01.lab.example --set sip_domain=lab.example

# As PowerShell (UTF-16 with its byte order mark) or Notepad (a UTF-8 byte
# order mark before bare base64) may save a request.
iconv -f ascii -t UTF-16LE up.csr | { printf '\377\376'; cat; } >up16.csr
expect 0 "a CSR saved as UTF-16 is read" roleca --dir "$I" sign frontend --csr up16.csr \
	--set server_fqdn=fe01.lab.example --set sip_domain=lab.example --out up16
assert "... the certificate is the request's" test \
	"$(openssl x509 -in up16.crt -noout -pubkey)" = "$(openssl pkey -in up.key -pubout)"
{ printf '\357\273\277'; grep -v '^-----' up.csr; } >upbom.txt
expect 0 "bare base64 after a UTF-8 byte order mark is read" roleca --dir "$I" sign frontend \
	--csr upbom.txt --set server_fqdn=fe01.lab.example --set sip_domain=lab.example --out upbom

# A CSR's names are host names before they are placed: a bare NetBIOS
# CN, an underscore, a trailing dot are named as such, not as names the
# role leaves no place for.
openssl req -new -newkey rsa:2048 -nodes -keyout nb.key -subj /CN=chat01 \
	-addext subjectAltName=DNS:chat01.lab.example -out nb.csr 2>/dev/null
expect 3 "a CSR whose CN is a bare NetBIOS name" roleca --dir "$I" sign persistent-chat \
	--csr nb.csr --out nb
assert "... says the CN is no host name, naming the file" err_has "refused: names: nb.csr: the CSR's CN 'chat01' is not a valid host name"
openssl req -new -newkey rsa:2048 -nodes -keyout us.key -subj /CN=chat_01.lab.example \
	-out us.csr 2>/dev/null
expect 3 "... or holds an underscore" roleca --dir "$I" sign persistent-chat --csr us.csr \
	--out us
assert "... said so" err_has "the CSR's CN 'chat_01.lab.example' is not a valid host name"
openssl req -new -newkey rsa:2048 -nodes -keyout td.key -subj /CN=td.lab.example \
	-addext subjectAltName=DNS:td.lab.example. -out td.csr 2>/dev/null
expect 3 "a dNSName with a trailing dot" roleca --dir "$I" sign persistent-chat --csr td.csr \
	--out td
assert "... is named as no host name" err_has "dNSName 'td.lab.example.', which is not a valid host name"
assert "... and nothing is written" sh -c "test ! -e nb.crt && test ! -e us.crt && test ! -e td.crt"

openssl genpkey -algorithm ed448 -out ed448.key 2>/dev/null
openssl req -new -key ed448.key -subj /CN=ed.lab.example -out ed448.csr 2>/dev/null
expect 3 "an Ed448 key is refused" roleca --dir "$I" sign persistent-chat --csr ed448.csr \
	--out ed448
assert "... for its key type, not a digest" err_has "refused: key: ed448.csr: key type EdDSA (Ed448) is not supported"

# A CSR for a CA's own key, the issuing CA's or its root's: the server
# would then hold the CA's private key. The key rule refuses it, and
# nothing is written or recorded.
nrows=$(rows "$DB")
openssl req -new -key "$I/ca.key" -subj /CN=cakey.lab.example -out cakey.csr 2>/dev/null
expect 3 "sign refuses a CSR for the issuing CA's own key" roleca --dir "$I" sign \
	persistent-chat --csr cakey.csr --out cakey
assert "... naming the CA" err_has "refused: key: the key is that of the CA 'O=roleca tests,CN=Test Issuing CA'"
assert "... in one line" err_one_line
assert "... writing and recording nothing" test ! -e cakey.crt -a "$(rows "$DB")" -eq "$nrows"
openssl req -new -key "$L/root/ca.key" -subj /CN=rootkey.lab.example -out rootkey.csr 2>/dev/null
expect 3 "... and one for the root's key" roleca --dir "$I" sign \
	persistent-chat --csr rootkey.csr --out rootkey
assert "... naming the root" err_has "the key is that of the CA 'O=roleca tests,CN=Test Root CA'"

# A CSR's CN that fills the subject lays the names out as issue does: the
# CN first where the role's first dNSName is its CN (reverse proxy), no
# subjectAltName where the role has none (Edge A/V); renew keeps it so.
san_of() { openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' '; }
RP_VARS="--set sip_domain=lab.example --set farm_external=owa-ext.lab.example"
openssl req -new -newkey rsa:2048 -nodes -keyout rp.key -subj /CN=web.lab.example -out rp.csr 2>/dev/null
expect 0 "sign a reverse-proxy CSR that names only its CN" roleca --dir "$I" sign reverse-proxy \
	--csr rp.csr $RP_VARS --out rp-signed
expect 0 "... and issue the same role" roleca --dir "$I" issue reverse-proxy \
	--set web_external=web.lab.example $RP_VARS --out rp-issued
assert "... the same subjectAltName, in the same order, the CN first (openssl)" test \
	"$(san_of rp-signed.crt)" = "$(san_of rp-issued.crt)" -a \
	"$(san_of rp-signed.crt | cut -d, -f1)" = "DNS:web.lab.example"
rp=$(openssl x509 -in rp-signed.crt -noout -serial | cut -d= -f2 | tr A-F a-f)
expect 0 "... renewed" roleca --dir "$I" renew "$rp" --out rp-renewed
assert "... with the same names in the same order" test "$(san_of rp-renewed.crt)" = "$(san_of rp-signed.crt)"
openssl req -new -newkey rsa:2048 -nodes -keyout av.key -subj /CN=av.lab.example -out av.csr 2>/dev/null
expect 0 "sign an Edge A/V CSR (a role with no dNSName)" roleca --dir "$I" sign edge-av \
	--csr av.csr --out av-signed
assert "... gives no subjectAltName, as issue does" sh -c \
	"! openssl x509 -in av-signed.crt -noout -text | grep -q 'Subject Alternative Name'"
assert "... subject CN the CSR's" sh -c \
	"openssl x509 -in av-signed.crt -noout -subject | grep -q 'CN *= *av.lab.example'"
openssl req -new -key av.key -subj /CN=av.lab.example -addext "subjectAltName=DNS:av.lab.example" \
	-out av-san.csr 2>/dev/null
expect 0 "... also when the CSR repeats its CN as a dNSName" roleca --dir "$I" sign edge-av \
	--csr av-san.csr --out av-san
assert "... still no subjectAltName" sh -c \
	"! openssl x509 -in av-san.crt -noout -text | grep -q 'Subject Alternative Name'"

# Names the CSR fills in, not the variables, are said on stderr: the
# operator sees what the requester chose.
openssl req -new -newkey rsa:2048 -nodes -keyout chose.key -subj /CN=pool01.lab.example \
	-addext "subjectAltName=DNS:pool01.lab.example,DNS:fe77.lab.example" -out chose.csr 2>/dev/null
expect 0 "sign with a name only the CSR gives" roleca --dir "$I" sign frontend --csr chose.csr \
	--set pool_fqdn=pool01.lab.example --set sip_domain=lab.example --out chose
assert "... says which, on stderr" err_has "roleca: sign: names taken from the CSR: DNS:fe77.lab.example"
assert "... in one line" err_one_line
expect 0 "... and nothing when the variables give every name" roleca --dir "$I" sign frontend \
	--csr chose.csr --set pool_fqdn=pool01.lab.example --set server_fqdn=fe77.lab.example \
	--set sip_domain=lab.example --out chose2
assert "... (stderr empty)" test ! -s "$T/err"

# A PEM file holding the wrong kind of block says which block it is.
expect 1 "sign --csr given a certificate" roleca --dir "$I" sign persistent-chat --csr "$I/ca.crt" --out wrongkind
assert "... says what the file holds" err_has "$I/ca.crt: PEM block 1 is a CERTIFICATE, not a CERTIFICATE REQUEST"

# A role with no dNSName (Edge A/V): the CSR's CN is its one name, said
# and recorded as asked for, as the names of other roles are.
openssl req -new -newkey rsa:2048 -nodes -keyout av.key -subj /CN=av9.lab.example \
	-out av.csr 2>/dev/null
expect 0 "sign edge-av with the CN from the CSR" roleca --dir "$I" sign edge-av --csr av.csr --out av9
assert "... says the name was taken from the CSR" err_has "names taken from the CSR: CN:av9.lab.example"
assert "... and records it as asked" sh -c \
	"'$ROLECA' --dir '$I' show \$(cat '$T/out') --json | jq -e '.asked == [\"CN:av9.lab.example\"]' >/dev/null"
expect 0 "... renew keeps the name" roleca --dir "$I" renew "$(cat "$T/out")" --out av9r
assert "... as openssl reads it" sh -c "openssl x509 -in av9r.crt -noout -subject | grep -q 'CN *= *av9.lab.example'"
# An empty subject beside a subjectAltName (RFC 5280 allows it): the
# profile's variables give the CN; without them it is a usage error.
openssl req -new -newkey rsa:2048 -nodes -keyout nosubj.key -subj / \
	-addext subjectAltName=DNS:chat06.lab.example -out nosubj.csr 2>/dev/null
expect 0 "sign: a CSR with an empty subject, the CN from --set" roleca --dir "$I" \
	sign persistent-chat --csr nosubj.csr --set server_fqdn=chat06.lab.example --out nosubj
assert "... openssl reads the CN and verifies it" sh -c \
	"openssl x509 -in nosubj.crt -noout -subject | grep -q 'CN *= *chat06.lab.example' &&
	openssl verify -CAfile '$L/root/ca.crt' -untrusted '$I/ca.crt' -purpose sslserver nosubj.crt >/dev/null"
expect 2 "... without --set, a usage error" roleca --dir "$I" sign persistent-chat \
	--csr nosubj.csr --out nosubj2
assert "... saying what is missing" err_has "neither the profile's variables nor the CSR give a subject CN"
# The names a CSR asks for fit the role as the variables bind it: a
# variable --set gives is text in every template, one that is no list has
# one value wherever it is used, and a CN that becomes the subject's fits
# the role's subject CN. check --profile holds certificates made elsewhere
# to the same rules.
mkdir -p "$I/profiles"
printf '%s\n' 'description = "a host and its optional subdomain";' \
	'variables = { host = { description = "host"; }; sub = { description = "sub"; required = false; }; };' \
	'subject = { CN = "${host}"; };' 'dns = [ "${host}", "${sub}.${host}" ];' \
	'key = "rsa:2048";' 'validity_days = 365;' 'eku = [ "serverAuth" ];' >"$I/profiles/subhost.cfg"
printf '%s\n' 'description = "a host and www";' 'variables = { host = { description = "host"; }; };' \
	'subject = { CN = "${host}"; };' 'dns = [ "${host}", "www.${host}" ];' \
	'key = "rsa:2048";' 'validity_days = 365;' 'eku = [ "serverAuth" ];' >"$I/profiles/www.cfg"
count=$(rows "$DB")
mkcsr subb rsa:2048 -sha256 /CN=a.lab.example -addext "subjectAltName=DNS:a.lab.example,DNS:x.b.lab.example"
expect 3 "a CSR name under another host than --set gives is refused" roleca --dir "$I" \
	sign subhost --csr subb.csr --set host=a.lab.example --out subb
assert "... naming it" err_has "the CSR asks for dNSName 'x.b.lab.example', which is none of the names role subhost leaves to it"
mkcsr suba rsa:2048 -sha256 /CN=a.lab.example -addext "subjectAltName=DNS:a.lab.example,DNS:x.a.lab.example"
expect 0 "... one under the host it gives is signed" roleca --dir "$I" \
	sign subhost --csr suba.csr --set host=a.lab.example --out suba
mkcsr wwwb rsa:2048 -sha256 /CN=a.lab.example -addext "subjectAltName=DNS:a.lab.example,DNS:www.b.lab.example"
expect 3 "a CSR giving one variable two values is refused" roleca --dir "$I" \
	sign www --csr wwwb.csr --out wwwb
assert "... naming both" err_has \
	"refused: names: wwwb.csr: the CSR asks for host as 'a.lab.example' in '\${host}' and as 'b.lab.example' in 'www.\${host}': a variable has one value"
mkcsr wwwa rsa:2048 -sha256 /CN=a.lab.example -addext "subjectAltName=DNS:a.lab.example,DNS:www.a.lab.example"
expect 0 "... one value in both is signed" roleca --dir "$I" sign www --csr wwwa.csr --out wwwa
expect 0 "... and check --profile agrees" roleca --dir "$I" check wwwa.crt --profile www
mkcsr evil rsa:2048 -sha256 /CN=evil.lab.example -addext "subjectAltName=DNS:sip.lab.example"
expect 3 "a CSR CN that does not fit the role's subject CN is refused" roleca --dir "$I" \
	sign edge-external --csr evil.csr --set webconf_fqdn=webconf.lab.example \
	--set av_fqdn=av.lab.example --out evil
assert "... naming the template" err_has \
	"the CSR asks for the CN 'evil.lab.example', which does not fit the subject CN 'sip.\${sip_domain}' of role edge-external"
assert "none of these recorded a refused certificate" test "$(rows "$DB")" -eq $((count + 2))
# The same requests signed by openssl, judged by check --profile alone.
cat >names.ext <<'EXT'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://pki.lab.example/crl/issuing.crl
EXT
ossl_sign() {	# ossl_sign CSR OUT: signed by the issuing CA's key, by openssl
	openssl x509 -req -in "$1" -CA "$I/ca.crt" -CAkey "$I/ca.key" \
		-set_serial "0x$(openssl rand -hex 12)" -days 30 -sha256 \
		-copy_extensions copyall -extfile names.ext -out "$2" 2>/dev/null
}
ossl_sign wwwb.csr wwwb-ossl.crt
expect 3 "check --profile: one variable with two values" roleca --dir "$I" check wwwb-ossl.crt \
	--profile www
assert "... saying so" out_has "names: host is 'a.lab.example' in '\${host}' but 'b.lab.example' in 'www.\${host}' (a variable has one value)"
ossl_sign evil.csr evil-ossl.crt
expect 3 "check --profile: a CN that does not fit the role's" roleca check evil-ossl.crt \
	--profile edge-external
assert "... saying so" out_has "names: the CN 'evil.lab.example' does not fit the role's subject CN 'sip.\${sip_domain}'"
mkcsr chatx rsa:2048 -sha256 /CN=chat30.lab.example \
	-addext "subjectAltName=DNS:chat30.lab.example,DNS:extra.lab.example"
ossl_sign chatx.csr chatx-ossl.crt
expect 3 "check --profile: a name beside the one the role gives" roleca check chatx-ossl.crt \
	--profile persistent-chat
assert "... saying which" out_has "names: dNSName 'extra.lab.example' takes none of the places role persistent-chat gives names"
expect 3 "... as sign refuses it" roleca --dir "$I" sign persistent-chat --csr chatx.csr --out chatx
# The CSR's own CN, where the profile names the subject, is never dropped
# unsaid: a wildcard is asked for like a dNSName, an address like an IP
# address, and refused when the role leaves it no place.
mkcsr wildcn rsa:2048 -sha256 "/CN=*.lab.example"
expect 3 "a wildcard CN beside the profile's CN is refused, not dropped" roleca --dir "$I" \
	sign persistent-chat --csr wildcn.csr --set server_fqdn=chat10.lab.example --out wildcn
assert "... naming it" err_has "the CSR asks for the CN '*.lab.example', which is none of the names role persistent-chat leaves to it (only its variables give such names)"
expect 3 "... and as the only name, refused as a wildcard" roleca --dir "$I" \
	sign persistent-chat --csr wildcn.csr --out wildcn
assert "... saying so" err_has "wildcard dNSName '*.lab.example' is not allowed"
mkcsr ipcnreq ec:p256.pem -sha256 /CN=10.5.5.6
expect 3 "an address CN beside the address the variables give is refused, not dropped" \
	roleca --dir "$O" sign ipcn --csr ipcnreq.csr --set addr=10.5.5.5 --out ipcnx
assert "... naming it" err_has "the CSR asks for the IP address 10.5.5.6, which is none of the addresses role ipcn leaves to it"
finish
