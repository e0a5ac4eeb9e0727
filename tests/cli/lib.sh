# Shared by the CLI tests: a TAP-style reporter, runners that capture
# output and exit codes, and a small two-tier lab CA. Every artifact is
# verified with openssl or certtool, never only with roleca itself.
set -u

: "${ROLECA:?ROLECA must name the roleca binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
export ROLECA_PROFILE_PATH="${ROLECA_PROFILE_PATH:-$SRCDIR/profiles}"
unset ROLECA_DIR

T=$(mktemp -d "${TMPDIR:-/tmp}/roleca-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
failures=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() {
	n=$((n + 1))
	failures=$((failures + 1))
	echo "not ok $n - $*"
}
# Show what the last command printed, indented, after a failure.
show_output() { sed 's/^/#   /' "$T/out" "$T/err" 2>/dev/null | head -40; }

# run CMD...: run it, keep stdout/stderr in $T/out, $T/err and the code in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# expect CODE DESC CMD...: the command exits with CODE.
expect() {
	want=$1 desc=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc, expected $want)"
		show_output
	fi
}

# assert DESC CMD...: the command succeeds (its output is not captured).
assert() {
	desc=$1
	shift
	if "$@" >"$T/aout" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' "$T/aout" | head -40
	fi
}

# The last command's stderr/stdout contains a string.
err_has() { grep -qF -- "$1" "$T/err"; }
out_has() { grep -qF -- "$1" "$T/out"; }
# stderr is exactly one line.
err_one_line() { [ "$(wc -l <"$T/err")" -eq 1 ]; }

roleca() { "$ROLECA" "$@"; }

# Certificate text by openssl, for grepping.
x509_text() { openssl x509 -in "$1" -noout -text; }

# free_port VAR: set VAR to a loopback TCP port below Linux's ephemeral
# range (32768-) that no socket of this machine uses now and that this
# test has not taken before, so tests running side by side do not meet on
# one port.
ports_taken=
free_port() {
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		fp_port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 12000))
		fp_hex=$(printf ':%04X ' "$fp_port")
		case " $ports_taken " in *" $fp_port "*) continue ;; esac
		cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		    awk '{ print $2 " " $3 " " }' | grep -qF "$fp_hex" && continue
		ports_taken="$ports_taken $fp_port"
		eval "$1=$fp_port"
		return 0
	done
	return 1
}

# rows DB: number of certificates recorded.
rows() { sqlite3 "$1" 'SELECT count(*) FROM certs'; }

# make_lab DIR [KEY]: DIR/root and DIR/issuing, permitted domain lab.example.
make_lab() {
	lab=$1 key=${2:-ec:p256}
	mkdir -p "$lab"
	cat >"$lab/root.cfg" <<CFG
subject = { CN = "Test Root CA"; O = "roleca tests"; };
key = "$key";
validity_days = 3650;
path_length = 1;
cdp = [ "http://pki.lab.example/crl/root.crl" ];
ca_issuers = [ "http://pki.lab.example/crl/root.crt" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
	cat >"$lab/issuing.cfg" <<CFG
subject = { CN = "Test Issuing CA"; O = "roleca tests"; };
key = "$key";
validity_days = 1825;
cdp = [ "http://pki.lab.example/crl/issuing.crl" ];
ca_issuers = [ "http://pki.lab.example/crl/issuing.crt" ];
policy = { permitted_domains = [ "lab.example" ]; max_validity_days = 825; };
CFG
	roleca --dir "$lab/root" init --config "$lab/root.cfg" 2>/dev/null &&
	roleca --dir "$lab/issuing" init --config "$lab/issuing.cfg" \
	    --parent "$lab/root" 2>/dev/null
}

# The usual frontend variables for the lab.
FE_VARS="--set pool_fqdn=pool01.lab.example --set server_fqdn=fe01.lab.example --set sip_domain=lab.example"

# verify_server LAB CERT: openssl verifies CERT as a TLS server certificate.
verify_server() {
	openssl verify -x509_strict -purpose sslserver \
	    -CAfile "$1/root/ca.crt" -untrusted "$1/issuing/ca.crt" "$2"
}

finish() {
	echo "1..$n"
	[ "$failures" -eq 0 ]
}
