#!/bin/sh
# roleca under valgrind memcheck: one run of every command on a small lab
# (EC keys, one RSA leaf), failing on any memory error or any block lost
# from roleca's own code. Usage: sh tools/valgrind.sh BUILDDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$1" && pwd)/roleca
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
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
echo 'validity_days = 1000;' >>issuing.cfg
vg --dir root init --config root.cfg
vg --dir iss init --config issuing.cfg --parent root
vg --dir iss profiles
echo 'valgrind pass' >pass
vg --dir iss issue edge-internal --set pool_fqdn=e.lab.example --p12-pass-file pass --out e
s=$(cat out)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout c.key \
	-subj /CN=c.lab.example -out c.csr 2>/dev/null
vg --dir iss sign persistent-chat --csr c.csr --out c
vg --dir iss request persistent-chat --set server_fqdn=r.lab.example --out r
vg --dir iss export "$s" --key e.key --out e2.p12 --p12-pass-file pass --p12-legacy
vg --dir iss renew "$s" --out e3
vg --dir iss revoke "$s" --reason keyCompromise
vg --dir iss crl
mkdir www
vg --dir iss publish --to www
vg --dir iss list --json
vg --dir iss show "$s" --json
vg --dir iss check e.crt --profile edge-internal
vg --dir iss log
vg --dir iss check c.crt --chain iss/chain.pem
vg --dir iss issue persistent-chat --set server_fqdn=x.evil.example --out x || true
vg --dir iss issue nosuchprofile || true
echo "valgrind: $runs roleca runs, no memory errors, no leaks from roleca"
