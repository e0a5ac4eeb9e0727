#!/bin/sh
# roleca under valgrind memcheck: every command at least once on a small
# lab (EC keys, one RSA leaf), including the threaded deploy (issuing and
# --csr-dir signing), an external-parent subordinate (init --csr-out +
# install-cert), delta CRLs and check --connect against a local
# openssl s_server; fails on any memory error or any block lost from
# roleca's own code. Usage: sh tools/valgrind.sh BUILDDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$1" && pwd)/roleca
t=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$t"' EXIT
export ROLECA_PROFILE_PATH="$top/profiles"
runs=0
vg() {
	runs=$((runs + 1))
	valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	    --log-file="$t/vg.$runs.log" "$bin" "$@" >"$t/out" 2>"$t/err" || {
		rc=$?
		if [ "$rc" -eq 99 ] || [ -s "$t/vg.$runs.log" ]; then
			echo "valgrind: roleca $*"; cat "$t/vg.$runs.log"; exit 1
		fi
		cat "$t/err" >&2
		return "$rc"
	}
	if [ -s "$t/vg.$runs.log" ]; then
		echo "valgrind: roleca $*"; cat "$t/vg.$runs.log"; exit 1
	fi
}
cd "$t"
cat >root.cfg <<'CFG'
subject = { CN = "Valgrind Root"; };
key = "ec:p256";
cdp = [ "http://pki.lab.example/crl/root.crl" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
sed 's/Valgrind Root/Valgrind Issuing/; s/root.crl/issuing.crl/' root.cfg >issuing.cfg
cat >>issuing.cfg <<'CFG'
validity_days = 1000;
delta_cdp = [ "http://pki.lab.example/crl/issuing-delta.crl" ];
delta_crl_hours = 12;
CFG
sed 's/Valgrind Root/Valgrind External Sub/; s/root.crl/ext.crl/' root.cfg >ext.cfg
vg --dir root init --config root.cfg
vg --dir iss init --config issuing.cfg --parent root
vg --dir iss profiles
echo 'valgrind pass' >pass
vg --dir iss issue edge-internal --set pool_fqdn=e.lab.example --p12-pass-file pass --out e
s=$(cat out)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout c.key \
	-subj /CN=c.lab.example -out c.csr 2>/dev/null
vg --dir iss sign persistent-chat --csr c.csr --out c
cs=$(cat out)
vg --dir iss request persistent-chat --set server_fqdn=r.lab.example --out r
vg --dir iss export "$s" --key e.key --out e2.p12 --p12-pass-file pass --p12-legacy
vg --dir iss renew "$s" --out e3
r=$(cat out)
vg --dir iss revoke "$s" --reason keyCompromise
vg --dir iss crl
vg --dir iss revoke "$cs" --reason certificateHold
vg --dir iss unrevoke "$cs"
# revocations after the base CRL, for the delta to list
vg --dir iss renew "$r" --new-key --revoke-old --out e4
vg --dir iss crl --delta
mkdir www
vg --dir iss publish --to www
vg --dir iss list --json
vg --dir iss show "$s" --json
vg --dir iss check e4.crt --profile edge-internal
# e is revoked: the database finding (exit 3) is a path of its own
vg --dir iss check e.crt --profile edge-internal || true
vg --dir iss log
vg --dir iss check c.crt --chain iss/chain.pem
vg --dir iss issue persistent-chat --set server_fqdn=x.evil.example --out x || true
vg --dir iss issue nosuchprofile || true


# deploy, on its worker threads: four servers, two of them sharing one
# certificate, then two servers signing their own CSRs.
cat >site.cfg <<'CFG'
servers = (
	{ name = "fe01"; role = "frontend";
	  set = { pool_fqdn = "pool01.lab.example"; server_fqdn = "fe01.lab.example";
		  sip_domain = "lab.example"; }; },
	{ name = "edge01-int"; role = "edge-internal";
	  set = { pool_fqdn = "edgepool-int.lab.example"; }; },
	{ name = "edge01"; role = "edge-external"; shared = "edgepool-ext";
	  set = { sip_domain = "lab.example"; webconf_fqdn = "webconf.lab.example";
		  av_fqdn = "av.lab.example"; }; },
	{ name = "edge02"; role = "edge-external"; shared = "edgepool-ext";
	  set = { sip_domain = "lab.example"; webconf_fqdn = "webconf.lab.example";
		  av_fqdn = "av.lab.example"; }; }
);
CFG
vg --dir iss deploy site.cfg --out site
cat >csr-site.cfg <<'CFG'
servers = (
	{ name = "chat01"; role = "persistent-chat"; set = { server_fqdn = "chat01.lab.example"; }; },
	{ name = "chat02"; role = "persistent-chat"; set = { server_fqdn = "chat02.lab.example"; }; }
);
CFG
mkdir csrs
for n in chat01 chat02; do
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "csrs/$n.key" -subj "/CN=$n.lab.example" -out "csrs/$n.csr" 2>/dev/null
done
vg --dir iss deploy csr-site.cfg --out signed --csr-dir csrs

# A subordinate of an external root: key + CSR, signed by openssl,
# installed with the root as its chain.
vg --dir ext init --config ext.cfg --csr-out ext.csr
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out xroot.key 2>/dev/null
openssl req -x509 -new -key xroot.key -subj "/CN=Valgrind External Root" -days 3650 \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out xroot.crt 2>/dev/null
cat >ext.ext <<'EXT'
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://pki.lab.example/crl/xroot.crl
EXT
openssl x509 -req -in ext.csr -CA xroot.crt -CAkey xroot.key -CAcreateserial \
	-days 1000 -sha256 -extfile ext.ext -out ext.crt 2>/dev/null
cat ext.crt xroot.crt >ext-chain.pem
vg --dir ext install-cert ext-chain.pem

# check --connect against openssl s_server on a free loopback port,
# presenting the current (renewed) edge certificate.
port=$((20000 + $$ % 20000))
for _ in 1 2 3 4 5 6 7 8 9 10; do
	openssl s_server -accept "127.0.0.1:$port" -cert e4.crt -key e4.key \
	    -cert_chain iss/ca.crt -www -quiet >"$t/s_server.log" 2>&1 &
	spid=$!
	up=0
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		kill -0 "$spid" 2>/dev/null || break
		if openssl s_client -connect "127.0.0.1:$port" </dev/null \
		    >/dev/null 2>&1; then
			up=1
			break
		fi
		sleep 0.2
	done
	[ "$up" -eq 1 ] && break
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null || true
	spid=
	port=$((port + 1))
done
if [ -z "$spid" ]; then
	echo "valgrind: openssl s_server did not start"; exit 1
fi
vg --dir iss check --connect "127.0.0.1:$port" --servername e.lab.example \
    --ca root/ca.crt --profile edge-internal
kill "$spid"
wait "$spid" 2>/dev/null || true
spid=
echo "valgrind: $runs roleca runs, no memory errors, no leaks from roleca"
