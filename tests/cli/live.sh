#!/bin/sh
# check --connect: TLS servers (openssl s_server on 127.0.0.1) presenting a
# compliant chain and a non-compliant one, --json read by jq, and
# --fetch-crl against the CRL published into a real nginx.
. "${SRCDIR:-.}/tests/cli/lib.sh"

cd "$T" || exit 1
chmod a+rx "$T"
free_port tls1 && free_port tls2 && free_port tls3 && free_port tls4 && free_port web ||
	exit 1
pids=

stop_all() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -f "$T/nginx/nginx.pid" ] && kill "$(cat "$T/nginx/nginx.pid")" 2>/dev/null
	rm -rf "$T"
}
trap stop_all EXIT

# A lab whose CDP is this test's nginx.
mkdir -p lab www/crl nginx
cat >lab/root.cfg <<CFG
subject = { CN = "Live Root CA"; };
key = "ec:p256";
cdp = [ "http://127.0.0.1:$web/crl/root.crl" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
cat >lab/issuing.cfg <<CFG
subject = { CN = "Live Issuing CA"; };
key = "ec:p256";
validity_days = 1000;
cdp = [ "http://127.0.0.1:$web/crl/issuing.crl" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
roleca --dir lab/root init --config lab/root.cfg 2>/dev/null
roleca --dir lab/issuing init --config lab/issuing.cfg --parent lab/root 2>/dev/null
I=lab/issuing
serial=$(roleca --dir "$I" issue frontend $FE_VARS --out fe 2>/dev/null)

serve() {	# serve PORT CERT KEY [CHAIN]
	openssl s_server -accept "127.0.0.1:$1" -cert "$2" -key "$3" ${4:+-cert_chain "$4"} \
		-www -quiet >/dev/null 2>&1 &
	pids="$pids $!"
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		curl -sk -o /dev/null "https://127.0.0.1:$1/" && return 0
		sleep 0.2
	done
	return 1
}
assert "s_server serves the roleca chain" serve "$tls1" fe.crt fe.key "$I/ca.crt"

expect 0 "check --connect: a compliant server" roleca --dir "$T/none" check \
	--connect "127.0.0.1:$tls1" --servername pool01.lab.example --ca lab/root/ca.crt \
	--profile frontend
assert "... says compliant" out_has "127.0.0.1:$tls1: compliant"
expect 0 "check --connect --json" roleca --dir "$T/none" check --connect "127.0.0.1:$tls1" \
	--servername fe01.lab.example --ca lab/root/ca.crt --json
assert "jq reads it: compliant" sh -c "jq -e '.compliant == true and .issuer_checked == true and .issuer_anchored == true' '$T/out'"
# The certificate must name the host the client asked for.
expect 3 "a server whose certificate does not name the host asked for" roleca --dir "$T/none" \
	check --connect "127.0.0.1:$tls1" --servername fe99.lab.example --ca lab/root/ca.crt
assert "... says so" out_has "names: the certificate does not name 'fe99.lab.example', the name the client asked for"
expect 3 "... nor an address it does not carry" roleca --dir "$T/none" \
	check --connect "127.0.0.1:$tls1" --ca lab/root/ca.crt
assert "... naming it" out_has "does not name '127.0.0.1'"
expect 2 "a port beyond 65535 is a usage error, not wrapped" roleca --dir "$T/none" \
	check --connect "127.0.0.1:$((tls1 + 65536))"
assert "... saying so" err_has "is not 1 to 65535"
assert "jq reads it: the serial" sh -c "jq -e '.serial == \"$serial\"' '$T/out'"
openssl ecparam -name prime256v1 -genkey -noout -out other.key
openssl req -x509 -new -key other.key -subj "/CN=Other CA" -days 30 -out other.crt 2>/dev/null
expect 3 "a trust anchor that did not issue the chain: not compliant" roleca --dir "$T/none" \
	check --connect "127.0.0.1:$tls1" --ca other.crt
assert "... reported as chain" out_has "chain:"

# A non-compliant server: self-made, no CDP, no EKU.
openssl req -x509 -new -key other.key -subj "/CN=bad.lab.example" -days 20 -out bad.crt 2>/dev/null
assert "s_server serves a non-compliant certificate" serve "$tls2" bad.crt other.key
expect 3 "check --connect: a non-compliant server" roleca --dir "$T/none" check \
	--connect "127.0.0.1:$tls2" --json
assert "jq: not compliant" sh -c "jq -e '.compliant == false' '$T/out'"
assert "jq: the missing CDP is a finding" sh -c "jq -e '[.findings[].rule] | index(\"cdp\")' '$T/out'"
assert "jq: the missing serverAuth is a finding" sh -c "jq -e '[.findings[].rule] | index(\"eku\")' '$T/out'"
assert "jq: expiry within 30 days is a finding" sh -c "jq -e '[.findings[].rule] | index(\"expiry\")' '$T/out'"

# A server that requires a client certificate (mutual TLS, as on a SIP
# port) and, over TLS 1.2, refuses the handshake once the client has
# none: the chain it presented is judged all the same.
openssl s_server -accept "127.0.0.1:$tls3" -cert fe.crt -key fe.key -cert_chain "$I/ca.crt" \
	-Verify 1 -CAfile lab/root/ca.crt -tls1_2 -www -quiet >/dev/null 2>&1 &
pids="$pids $!"
listening() {
	awk -v p="$(printf ':%04X' "$1")" '$4 == "0A" && substr($2, 9) == p { f = 1 }
	    END { exit !f }' /proc/net/tcp
}
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	listening "$tls3" && break
	sleep 0.2
done
assert "(it refuses a client without a certificate)" sh -c \
	"! openssl s_client -connect 127.0.0.1:$tls3 -tls1_2 </dev/null >/dev/null 2>&1"
expect 0 "check --connect: a server that requires a client certificate" roleca --dir "$T/none" \
	check --connect "127.0.0.1:$tls3" --servername fe01.lab.example --ca lab/root/ca.crt
assert "... is judged by the chain it presented" out_has "127.0.0.1:$tls3: compliant"
# A server that sends its own certificate but not the issuing CA's: a
# peer holds the root only. The CA in DIR, which issued it, stands in for
# the missing link when the chain is verified, and is no excuse.
assert "s_server serves the leaf alone" serve "$tls4" fe.crt fe.key
expect 3 "check --connect: a server that leaves out its intermediate" roleca --dir "$I" \
	check --connect "127.0.0.1:$tls4" --servername fe01.lab.example
assert "... says so" out_has "chain: the server does not send its issuer 'CN=Live Issuing CA', an intermediate CA"
expect 0 "... the same with the intermediate sent is compliant" roleca --dir "$I" \
	check --connect "127.0.0.1:$tls1" --servername fe01.lab.example
expect 1 "nothing listening is an error" roleca check --connect "127.0.0.1:$web"
expect 2 "CERT and --connect together are a usage error" roleca check fe.crt \
	--connect "127.0.0.1:$tls1"
for a in :443 127.0.0.1: "[]:443" "[::1]" 127.0.0.1; do
	expect 2 "check --connect '$a' is a usage error" roleca check --connect "$a"
	assert "... in one line naming it" sh -c "grep -qF -- \"'$a'\" '$T/err' && test \$(wc -l <'$T/err') -eq 1"
done

# --fetch-crl through nginx.
roleca --dir "$I" publish --to www/crl >/dev/null 2>&1
roleca --dir lab/root publish --to www/crl >/dev/null 2>&1
chmod -R a+rX www
cat >nginx/nginx.conf <<NG
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
	server { listen 127.0.0.1:$web; root $T/www; }
}
NG
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
assert "nginx serves the CRLs" sh -c "'$NGINX' -c '$T/nginx/nginx.conf' -p '$T/nginx' &&
	for i in 1 2 3 4 5 6 7 8 9 10; do curl -sf -o /dev/null http://127.0.0.1:$web/crl/issuing.crl && exit 0; sleep 0.2; done; exit 1"
expect 0 "--fetch-crl: reachable, signed, current, not listed" roleca --dir "$T/none" check \
	--connect "127.0.0.1:$tls1" --servername fe01.lab.example --ca lab/root/ca.crt --fetch-crl
roleca --dir "$I" revoke "$serial" --reason keyCompromise 2>/dev/null
roleca --dir "$I" publish --to www/crl --new-crl >/dev/null 2>&1
chmod -R a+rX www
expect 3 "--fetch-crl: a revoked server certificate is reported" roleca --dir "$T/none" check \
	--connect "127.0.0.1:$tls1" --ca lab/root/ca.crt --fetch-crl
assert "... as revoked" out_has "crl: the certificate is revoked"

# Delta CRLs: a revocation since the base CRL is only in the delta, which
# --fetch-crl reads through the certificate's Freshest CRL.
cat >lab/delta.cfg <<CFG
subject = { CN = "Live Delta CA"; };
key = "ec:p256";
cdp = [ "http://127.0.0.1:$web/crl/dca.crl" ];
delta_cdp = [ "http://127.0.0.1:$web/crl/dca-delta.crl" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
roleca --dir lab/dca init --config lab/delta.cfg 2>/dev/null
dpub() { roleca --dir lab/dca publish --to www/crl "$@" >/dev/null 2>&1; chmod -R a+rX www; }
d1=$(roleca --dir lab/dca issue persistent-chat --set server_fqdn=d1.lab.example --out d1 2>/dev/null)
d2=$(roleca --dir lab/dca issue persistent-chat --set server_fqdn=d2.lab.example --out d2 2>/dev/null)
dpub
expect 0 "--fetch-crl with a delta CRL: not listed in either" roleca check d1.crt \
	--ca lab/dca/ca.crt --fetch-crl
sleep 1	# a revocation in the base's second counts for both
roleca --dir lab/dca revoke "$d1" --reason keyCompromise 2>/dev/null
dpub
assert "(the base CRL does not list it yet)" sh -c \
	"! openssl crl -in www/crl/dca.crl -inform DER -noout -text | grep -qi '$d1'"
expect 3 "a revocation only the delta CRL lists is reported" roleca check d1.crt \
	--ca lab/dca/ca.crt --fetch-crl
assert "... naming the delta CRL" out_has "crl: the certificate is revoked (keyCompromise; listed in the delta CRL at http://127.0.0.1:$web/crl/dca-delta.crl)"
roleca --dir lab/dca revoke "$d2" --reason certificateHold 2>/dev/null
dpub --new-crl
expect 3 "a hold in the base CRL is reported" roleca check d2.crt --ca lab/dca/ca.crt --fetch-crl
sleep 1
roleca --dir lab/dca unrevoke "$d2" 2>/dev/null
dpub
assert "(the base CRL still lists the hold)" sh -c \
	"openssl crl -in www/crl/dca.crl -inform DER -noout -text | grep -qi '$d2'"
expect 0 "its release (removeFromCRL in the delta) clears it" roleca check d2.crt \
	--ca lab/dca/ca.crt --fetch-crl
# A delta older than the base (a stale copy on the web server) must not
# release a hold the newer base lists again: openssl does not apply it.
cp www/crl/dca-delta.crl stale-delta.crl
sleep 1
roleca --dir lab/dca revoke "$d2" --reason certificateHold 2>/dev/null
dpub --new-crl
cp stale-delta.crl www/crl/dca-delta.crl
expect 3 "a stale delta's removeFromCRL does not release a newer base's hold" \
	roleca check d2.crt --ca lab/dca/ca.crt --fetch-crl
assert "... the hold is reported" out_has "crl: the certificate is on hold (certificateHold; listed in http://127.0.0.1:$web/crl/dca.crl)"
assert "... and the delta named as stale" out_has "is not newer than the CRL at http://127.0.0.1:$web/crl/dca.crl"
openssl crl -in www/crl/dca.crl -inform DER -out dbase.pem
openssl crl -in stale-delta.crl -inform DER -out dstale.pem
run openssl verify -crl_check -use_deltas -CAfile lab/dca/ca.crt -CRLfile dbase.pem \
	-CRLfile dstale.pem d2.crt
if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
	ok "... as openssl -use_deltas judges it"
else
	not_ok "... as openssl -use_deltas judges it"; show_output
fi
# A certificate from before delta_cdp was set names no delta CRL: the
# base CRL's Freshest CRL says where it is, as Windows follows it.
cat >lab/later.cfg <<CFG
subject = { CN = "Live Later CA"; };
key = "ec:p256";
cdp = [ "http://127.0.0.1:$web/crl/lca.crl" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
roleca --dir lab/lca init --config lab/later.cfg 2>/dev/null
l1=$(roleca --dir lab/lca issue persistent-chat --set server_fqdn=l1.lab.example --out l1 2>/dev/null)
echo "delta_cdp = [ \"http://127.0.0.1:$web/crl/lca-delta.crl\" ];" >>lab/lca/ca.cfg
roleca --dir lab/lca publish --to www/crl >/dev/null 2>&1
sleep 1	# a revocation in the base's second counts for both
roleca --dir lab/lca revoke "$l1" --reason keyCompromise 2>/dev/null
roleca --dir lab/lca publish --to www/crl >/dev/null 2>&1
chmod -R a+rX www
assert "(the certificate names no delta, the base CRL does not list it)" sh -c \
	"! openssl x509 -in l1.crt -noout -text | grep -q 'Freshest CRL' &&
	! openssl crl -in www/crl/lca.crl -inform DER -noout -text | grep -qi '$l1'"
expect 3 "a revocation in the delta the base CRL names is reported" roleca check l1.crt \
	--ca lab/lca/ca.crt --fetch-crl
assert "... naming the delta CRL" out_has "crl: the certificate is revoked (keyCompromise; listed in the delta CRL at http://127.0.0.1:$web/crl/lca-delta.crl)"
# An issuing CA its root has revoked: its certificates fail at every peer
# that checks the whole chain, and --fetch-crl says so.
cat >lab/iss2.cfg <<CFG
subject = { CN = "Live Issuing CA 2"; };
key = "ec:p256";
validity_days = 1000;
cdp = [ "http://127.0.0.1:$web/crl/iss2.crl" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
roleca --dir lab/iss2 init --config lab/iss2.cfg --parent lab/root 2>/dev/null
i2=$(openssl x509 -in lab/iss2/ca.crt -noout -serial | cut -d= -f2 | tr A-F a-f)
roleca --dir lab/iss2 issue persistent-chat --set server_fqdn=i2.lab.example --out i2 >/dev/null 2>&1
roleca --dir lab/iss2 publish --to www/crl >/dev/null 2>&1
roleca --dir lab/root publish --to www/crl --new-crl >/dev/null 2>&1
chmod -R a+rX www
expect 0 "--fetch-crl checks the issuing CA against its root's CRL too: not listed" \
	roleca check i2.chain.pem --ca lab/root/ca.crt --fetch-crl
roleca --dir lab/root revoke "$i2" --reason keyCompromise 2>/dev/null
roleca --dir lab/root publish --to www/crl --new-crl >/dev/null 2>&1
chmod -R a+rX www
expect 3 "--fetch-crl: a certificate whose issuing CA is revoked is reported" \
	roleca check i2.chain.pem --ca lab/root/ca.crt --fetch-crl
assert "... naming the CA and the root's CRL" out_has "crl: issuing CA 'CN=Live Issuing CA 2': the certificate is revoked (keyCompromise; listed in http://127.0.0.1:$web/crl/root.crl)"
assert "... as openssl -crl_check_all does" sh -c "openssl verify -crl_check_all -crl_download \
	-CAfile lab/root/ca.crt -untrusted lab/iss2/ca.crt i2.crt 2>&1 | grep -q 'certificate revoked'"
cp www/crl/dca-delta.crl www/crl/dca.crl
expect 3 "a delta CRL served at the CDP is no full CRL" roleca check d2.crt \
	--ca lab/dca/ca.crt --fetch-crl
assert "... saying so" out_has "is a delta CRL (for base CRL"
kill "$(cat "$T/nginx/nginx.pid")"
rm -f "$T/nginx/nginx.pid"
sleep 0.3
expect 3 "--fetch-crl: an unreachable CDP is reported" roleca --dir "$T/none" check \
	--connect "127.0.0.1:$tls1" --ca lab/root/ca.crt --fetch-crl
assert "... as a CRL finding" out_has "crl: cannot fetch the CRL"

# A certificate whose CDP has no host: a finding naming the URL.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout nohost.key \
	-subj /CN=nohost.lab.example -addext "crlDistributionPoints=URI:http://:80/x.crl" \
	-out nohost.crt 2>/dev/null
expect 3 "--fetch-crl: a CDP with no host is reported" roleca check nohost.crt --fetch-crl
assert "... as a CRL finding naming the URL" out_has "cannot fetch the CRL: http://:80/x.crl: bad address"

finish
