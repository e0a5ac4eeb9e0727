#!/bin/sh
# roleca benchmarks: roleca beside `openssl ca` and `certtool` doing the
# same work, on data generated here in a temporary directory.
#
#   sh bench/bench.sh BUILDDIR        (what `make bench` runs)
#
# Prints one table (median wall time and peak RSS per tool, and the
# ratios), says which bars pass or miss, and writes the numbers to
# BUILDDIR/bench/results.json. See bench/README.md for the cases.
#
# Knobs (environment): BENCH_CASES which cases run ("sign crl list
# keygen deploy", the default), BENCH_RUNS timed samples per case (5),
# BENCH_HEAVY_RUNS for the 1,000,000-entry CRL (3), BENCH_BIG entries
# in the big CRL (1000000), BENCH_DEPLOY servers in the deployment
# (1000), BENCH_STRICT=1 exits 1 when a bar is missed, TMPDIR where the
# ~1.4 GB of data goes.

# The batch bodies are sh code in single quotes, expanded by the batch's
# own shell; $FE_VARS and $(result ...) are split on purpose; measure()
# assigns with eval.
# shellcheck disable=SC1091,SC2012,SC2016,SC2034,SC2046,SC2086,SC2154
set -eu

usage() { echo "usage: sh bench/bench.sh BUILDDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
BUILDDIR=$(cd "$1" && pwd) || usage
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
ROLECA=$BUILDDIR/roleca
RESULTS_JSON=$BUILDDIR/bench/results.json
RUNS=${BENCH_RUNS:-5}
HEAVY_RUNS=${BENCH_HEAVY_RUNS:-3}
BIG=${BENCH_BIG:-1000000}
MID=100000
DEPLOY=${BENCH_DEPLOY:-1000}
ALL_CASES="sign crl list keygen deploy"
CASES=${BENCH_CASES:-$ALL_CASES}

# Fast operations are timed in batches of this many back-to-back runs, so
# that starting the batch is a small part of its time; RSA key
# generation, whose time varies a lot from key to key, in smaller batches.
BATCH_FAST=10
BATCH_RSA2048=5
BATCH_RSA3072=3

# Signatures per run of bench/rawsign (about half a second each).
RAW_N_RSA=500
RAW_N_EC=10000

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

[ -x "$ROLECA" ] || die "$ROLECA: not built (make -C $BUILDDIR roleca)"
for tool in openssl certtool sqlite3 awk; do
	command -v "$tool" >/dev/null 2>&1 ||
	    die "$tool not found (apt-get install openssl gnutls-bin sqlite3 time)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
for c in $CASES; do
	case " $ALL_CASES " in
	*" $c "*) ;;
	*) die "BENCH_CASES: no case '$c' (the cases: $ALL_CASES)" ;;
	esac
done
case $DEPLOY in
''|*[!0-9]*|0) die "BENCH_DEPLOY: not a positive number: $DEPLOY" ;;
esac

# selected CASE: whether BENCH_CASES asks for CASE.
selected() {
	case " $CASES " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

W=$(mktemp -d "${TMPDIR:-/tmp}/roleca-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM HUP

free_kb=$(df -Pk "$W" | awk 'NR == 2 { print $4 }')
need_kb=500000
if selected crl; then need_kb=$((BIG * 1800 / 1000 + need_kb)); fi
[ "$free_kb" -ge "$need_kb" ] ||
    die "$W: need about $((need_kb / 1024)) MB free, have $((free_kb / 1024)) MB (set TMPDIR)"

# The batches run in sh -c with these in the environment.
FE_VARS="--set pool_fqdn=pool01.lab.example --set server_fqdn=fe01.lab.example --set sip_domain=lab.example"
export ROLECA W FE_VARS
export ROLECA_PROFILE_PATH="$W/profiles:$SRCDIR/profiles"
unset ROLECA_DIR ROLECA_CA_PASS ROLECA_CA_PASS_FILE 2>/dev/null || true
mkdir -p "$W/out" "$W/run" "$W/profiles"
cd "$W/run"	# no ./ca here: `roleca request` runs without a CA

FE_NAMES="pool01.lab.example fe01.lab.example sip.lab.example lyncdiscoverinternal.lab.example lyncdiscover.lab.example meet.lab.example dialin.lab.example admin.lab.example"
CDP=http://pki.lab.example/crl/bench.crl
AIA=http://pki.lab.example/crl/bench.crt

# ---------------------------------------------------------------- helpers

# median: the median of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 }
	    END { if (NR == 0) exit 1
		  if (NR % 2) print v[(NR + 1) / 2]
		  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run_batch N BODY [PREP KEY TOOL]: run the sh code BODY N times in one
# `sh -c` under /usr/bin/time ($1 is a number unique to the batch, $i
# counts 1..N, for output names) and print "ELAPSED PEAK_RSS_KB". The
# elapsed time is read from date(1) in nanoseconds around the batch
# (GNU time's own wall clock has 10 ms steps); the peak RSS is GNU time's,
# that of the largest process in the batch (sh itself is far smaller). PREP, sh code, runs before, untimed, with the same $1, and
# KEY and TOOL as $2 and $3.
batch_no=0
run_batch() {
	batch_no=$((batch_no + 1))
	if [ -n "${3:-}" ] && ! sh -c "$3" sh "$batch_no" "${4:-}" "${5:-}" \
	    >/dev/null 2>"$W/stderr"; then
		sed 's/^/bench:   /' "$W/stderr" >&2
		die "failed: $3"
	fi
	rb_t0=$(date +%s%N)
	if ! /usr/bin/time -f '%M' -o "$W/time.out" sh -c "
		i=0
		while [ \$i -lt $1 ]; do
			i=\$((i + 1))
			$2 || exit 1
		done" sh "$batch_no" >/dev/null 2>"$W/stderr"; then
		sed 's/^/bench:   /' "$W/stderr" >&2
		die "failed: $2"
	fi
	rb_t1=$(date +%s%N)
	echo "$rb_t0 $rb_t1 $(tail -n 1 "$W/time.out")" |
	    awk '{ printf "%.6f %s\n", ($2 - $1) / 1e9, $3 }'
}

# summarize FILE N: from FILE's "ELAPSED RSS" lines (batches of N), set
# T (median seconds per operation), M (median peak RSS, KB), and TS, MS
# (the samples, space-separated).
summarize() {
	T=$(awk -v n="$2" '{ printf "%.6g\n", $1 / n }' "$1" | median)
	M=$(awk '{ print $2 }' "$1" | median)
	TS=$(awk -v n="$2" '{ printf "%s%.6g", (NR > 1 ? " " : ""), $1 / n }' "$1")
	MS=$(awk '{ printf "%s%d", (NR > 1 ? " " : ""), $2 }' "$1")
}

# label KEY TEXT: name a case (the table lists cases in this order).
label() { printf '%s|%s\n' "$1" "$2" >>"$W/labels"; }

# record KEY N TOOL: file the last summary as TOOL's result for case KEY.
record() {
	printf '%s|%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$T" "$M" "$TS" "$MS" \
	    >>"$W/results"
	say "  $1 $3: $(awk -v t="$T" -v m="$M" \
	    'BEGIN { printf "%.6g s, %.1f MB", t, m / 1024 }')"
}

# measure [-o OPS] [-p PREP] N RUNS KEY TOOL BODY [KEY TOOL BODY ...]:
# one untimed warm-up batch of each BODY, then RUNS rounds timing one
# batch of N of each in turn, so that load from elsewhere falls on every
# tool alike; record each median under KEY/TOOL. -o: one run of a BODY
# does OPS operations (1), the time per operation is the batch's over
# N * OPS. -p: run PREP (sh code) untimed before every batch, with the
# batch's KEY and TOOL as $2 and $3, e.g. to give each batch a fresh copy
# of a CA. Its variables are m_* so that callers' loop variables survive.
measure() {
	m_ops=1 m_prep=
	while :; do
		case $1 in
		-o) m_ops=$2; shift 2 ;;
		-p) m_prep=$2; shift 2 ;;
		*) break ;;
		esac
	done
	m_n=$1 m_runs=$2
	shift 2
	m_j=0
	while [ $# -ge 3 ]; do
		m_j=$((m_j + 1))
		eval "m_key_$m_j=\$1 m_tool_$m_j=\$2 m_body_$m_j=\$3"
		shift 3
	done
	m_x=0
	while [ "$m_x" -lt "$m_j" ]; do
		m_x=$((m_x + 1))
		eval "m_key=\$m_key_$m_x m_tool=\$m_tool_$m_x m_body=\$m_body_$m_x"
		run_batch "$m_n" "$m_body" "$m_prep" "$m_key" "$m_tool" >/dev/null
		: >"$W/samples.$m_x"
	done
	m_k=0
	while [ "$m_k" -lt "$m_runs" ]; do
		m_k=$((m_k + 1))
		m_x=0
		while [ "$m_x" -lt "$m_j" ]; do
			m_x=$((m_x + 1))
			eval "m_key=\$m_key_$m_x m_tool=\$m_tool_$m_x m_body=\$m_body_$m_x"
			run_batch "$m_n" "$m_body" "$m_prep" "$m_key" "$m_tool" \
			    >>"$W/samples.$m_x"
		done
	done
	m_x=0
	while [ "$m_x" -lt "$m_j" ]; do
		m_x=$((m_x + 1))
		eval "m_key=\$m_key_$m_x m_tool=\$m_tool_$m_x"
		summarize "$W/samples.$m_x" $((m_n * m_ops))
		record "$m_key" $((m_n * m_ops)) "$m_tool"
	done
}

# result KEY TOOL: "SECONDS RSS_KB" of a recorded result.
result() {
	awk -F'|' -v k="$1" -v t="$2" '$1 == k && $3 == t { print $4, $5 }' \
	    "$W/results"
}

# per_s SECONDS: the rate, per second, of one operation taking SECONDS.
per_s() { awk -v t="$1" 'BEGIN { printf("%.0f", t > 0 ? 1 / t : 0) }'; }

# bar NAME VALUE OP LIMIT TEXT: record a bar (OP is le or ge).
bar() {
	if awk -v v="$2" -v l="$4" -v op="$3" \
	    'BEGIN { exit !(op == "le" ? v <= l : v >= l) }'; then
		verdict=PASS
	else
		verdict=MISS
		misses=$((misses + 1))
	fi
	printf '%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" "$verdict" "$5" \
	    >>"$W/bars"
}

# ---------------------------------------------------------------- data

# make_ca NAME KEY CN: a CA made by `roleca init` in $W/NAME. The
# ECDSA P-256 CA $W/ca is the one of every case: every CA directory below
# is a copy of it, so roleca, openssl and certtool all sign with the same
# key; the deployment case adds an RSA-2048 CA.
make_ca() {
	cat >"$W/$1.cfg" <<EOF
subject = { CN = "$3"; O = "roleca bench"; };
key = "$2";
validity_days = 1825;
digest = "sha256";
cdp = [ "$CDP" ];
ca_issuers = [ "$AIA" ];
crl_days = 7;
policy = { permitted_domains = [ "lab.example" ]; max_validity_days = 825; };
EOF
	"$ROLECA" --dir "$W/$1" init --config "$W/$1.cfg" 2>/dev/null ||
	    die "roleca init ($2) failed"
}

# copy_ca NAME: a copy of the CA with its (empty) database.
copy_ca() { cp -R "$W/ca" "$W/$1"; }

# aside PATH...: moved out of the way until the run ends, not deleted.
# ext4 without a journal (the CI VM's /tmp) will not reuse an inode
# deleted in the last minute or so and scans past each one: deleting a
# case's hundreds of files made creating the next case's cost about
# 0.3 ms more each, which fell on the deployment case. out_aside leaves
# an empty $W/out.
aside() {
	_d=$(mktemp -d "$W/aside.XXXXXX") && mv "$@" "$_d"/ ||
	    die "cannot move $* aside"
}
out_aside() { aside "$W/out" && mkdir "$W/out" || die "cannot make $W/out"; }

# The Front End server's request: an RSA 2048 key (the role's key spec)
# and the role's two own names.
make_csr() {
	openssl req -new -newkey rsa:2048 -nodes -keyout "$W/fe.key" \
	    -subj /CN=pool01.lab.example \
	    -addext subjectAltName=DNS:pool01.lab.example,DNS:fe01.lab.example \
	    -out "$W/fe.csr" 2>/dev/null || die "openssl req failed"
	# A real certificate, whose DER fills the generated databases.
	copy_ca ca-seed
	"$ROLECA" --dir "$W/ca-seed" sign frontend --csr "$W/fe.csr" $FE_VARS \
	    --out "$W/out/seed" >/dev/null 2>&1 || die "roleca sign failed"
	SEED_DER=$(sqlite3 "$W/ca-seed/roleca.db" 'SELECT hex(der) FROM certs')
	rm -rf "$W/ca-seed"
}

# fill_db DB N KIND: add N rows to a roleca database by SQL, the way
# roleca records them (lower-case 32-digit hex serials, unix times, the
# DER of a real certificate). KIND "mixed": issued over the last 830
# days for 730, 5% revoked: about 12% expired, and 30/830 (3.6%, 3.4%
# not revoked) expire within 30 days, as when a CA has been issuing at
# a steady pace; "revoked": all revoked, unexpired, reasons 1..5. The
# indexes stay in place during the insert, so their pages lie among the
# rows' as in a database that grew one issue at a time (rebuilt after
# the insert they would sit packed at the end of the file, which hides
# what reading an index costs on a real one).
fill_db() {
	db=$1 n=$2
	now=$(date +%s)
	case $3 in
	mixed)
		status="CASE WHEN i % 20 = 0 THEN 'revoked' ELSE 'valid' END"
		issued="$now - 86400 * (i % 830) - 86400"
		revoked="CASE WHEN i % 20 = 0 THEN $issued + 3600 * (i % 24) END"
		reason="CASE WHEN i % 20 = 0 THEN 1 + i % 5 END"
		;;
	revoked)
		status="'revoked'"
		issued="$now - 86400 * (i % 700) - 86400"
		revoked="$issued + 3600 * (i % 24)"
		reason="1 + i % 5"
		;;
	esac
	sqlite3 "$db" >/dev/null <<EOF || die "filling $db failed"
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $n)
INSERT INTO certs (serial, subject, sans, profile, vars, not_before,
    not_after, issued_at, status, revoked_at, reason, der, revoked_recorded)
SELECT printf('%08x%024x', ((i * 2654435761) % 2147483647) | 268435456, i),
    'CN=host' || i || '.lab.example', 'DNS:host' || i || '.lab.example',
    'frontend', 'pool_fqdn=host' || i || '.lab.example' || char(10),
    $issued - 300, $issued + 86400 * 730, $issued,
    $status, $revoked, $reason, x'$SEED_DER', $revoked
FROM c;
COMMIT;
PRAGMA journal_mode = WAL;
EOF
	# The fill leaves hundreds of MB dirty: written back now, not during
	# the timed runs, where it would slow every fsync of whoever syncs.
	sync
}

# export_index DB: the database as an openssl ca index.txt (same serials,
# dates and reasons).
export_index() {
	sqlite3 -separator "$(printf '\t')" "$1" "
	SELECT CASE status WHEN 'revoked' THEN 'R' ELSE 'V' END,
	    substr(strftime('%Y%m%d%H%M%S', not_after, 'unixepoch'), 3) || 'Z',
	    CASE status WHEN 'revoked' THEN
		substr(strftime('%Y%m%d%H%M%S', revoked_at, 'unixepoch'), 3)
		|| 'Z' || CASE reason WHEN 1 THEN ',keyCompromise'
		    WHEN 2 THEN ',CACompromise' WHEN 3 THEN ',affiliationChanged'
		    WHEN 4 THEN ',superseded' WHEN 5 THEN ',cessationOfOperation'
		    ELSE '' END
	    ELSE '' END,
	    upper(serial), 'unknown', '/' || subject
	FROM certs ORDER BY rowid"
}

# openssl_ca NAME [DB [CADIR]]: an openssl ca directory over the key of
# the CA in CADIR ($W/ca), issuing what the frontend profile issues, its
# index.txt made from DB (empty when DB is empty or not given).
openssl_ca() {
	d=$W/$1 cadir=${3:-$W/ca}
	mkdir -p "$d/newcerts"
	echo 01 >"$d/crlnumber"
	echo 'unique_subject = no' >"$d/index.txt.attr"
	if [ -n "${2:-}" ]; then export_index "$2" >"$d/index.txt"
	else : >"$d/index.txt"; fi
	sans=$(for n in $FE_NAMES; do printf 'DNS:%s, ' "$n"; done)
	cat >"$d/openssl.cnf" <<EOF
[ ca ]
default_ca = bench_ca

[ bench_ca ]
dir              = $d
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
certificate      = $cadir/ca.crt
private_key      = $cadir/ca.key
rand_serial      = yes
crlnumber        = \$dir/crlnumber
default_md       = sha256
default_days     = 730
default_crl_days = 7
unique_subject   = no
policy           = bench_policy
copy_extensions  = none
x509_extensions  = frontend_ext
crl_extensions   = crl_ext
email_in_dn      = no

[ bench_policy ]
commonName = supplied

[ frontend_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth, clientAuth
subjectAltName         = ${sans%, }
crlDistributionPoints  = URI:$CDP
authorityInfoAccess    = caIssuers;URI:$AIA
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
}

# The certtool template for the frontend profile.
certtool_template() {
	{
		echo 'cn = "pool01.lab.example"'
		for n in $FE_NAMES; do echo "dns_name = \"$n\""; done
		cat <<EOF
expiration_days = 730
signing_key
tls_www_server
tls_www_client
crl_dist_points = "$CDP"
ca_issuers_uri = "$AIA"
EOF
	} >"$W/frontend.tmpl"
}

# mid_db: the CA with 100,000 certificates in its database ($W/ca-mid)
# and the matching openssl ca directory ($W/ossl-mid), for cases 1 and 3;
# made once.
mid_db() {
	[ ! -d "$W/ca-mid" ] || return 0
	copy_ca ca-mid
	say " filling a database with $MID certificates"
	fill_db "$W/ca-mid/roleca.db" "$MID" mixed
	openssl_ca ossl-mid "$W/ca-mid/roleca.db"
}

# ---------------------------------------------------------------- cases

# 1. Sign one CSR, empty database and 100,000 certificates in it.
case_sign() {
	say "case 1: sign a CSR (frontend profile, ECDSA P-256 CA)"
	copy_ca ca-empty
	mid_db
	openssl_ca ossl-empty
	certtool_template

	label sign0 "sign CSR, empty DB"
	label sign100k "sign CSR, 100k in DB"
	measure $BATCH_FAST "$RUNS" \
	    sign0 roleca '"$ROLECA" --dir "$W/ca-empty" sign frontend --csr "$W/fe.csr" $FE_VARS --out "$W/out/r$1-$i"' \
	    sign0 openssl 'openssl ca -batch -notext -config "$W/ossl-empty/openssl.cnf" -in "$W/fe.csr" -out "$W/out/o$1-$i.crt"' \
	    sign0 certtool 'certtool --generate-certificate --load-request "$W/fe.csr" --load-ca-certificate "$CA_CRT" --load-ca-privkey "$CA_KEY" --template "$W/frontend.tmpl" --outfile "$W/out/c$1-$i.crt"' \
	    sign100k roleca '"$ROLECA" --dir "$W/ca-mid" sign frontend --csr "$W/fe.csr" $FE_VARS --out "$W/out/R$1-$i"' \
	    sign100k openssl 'openssl ca -batch -notext -config "$W/ossl-mid/openssl.cnf" -in "$W/fe.csr" -out "$W/out/O$1-$i.crt"'
	# certtool keeps no database: the same numbers stand for 100k.
	awk -F'|' -v OFS='|' '$1 == "sign0" && $3 == "certtool" {
	    $1 = "sign100k"; print }' "$W/results" >"$W/certtool.line"
	cat "$W/certtool.line" >>"$W/results"

	# All of them made a certificate that verifies for a TLS server.
	for p in r o c R O; do
		c=$(ls "$W/out/$p"*.crt | head -n 1)
		openssl verify -purpose sslserver -CAfile "$CA_CRT" "$c" \
		    >/dev/null 2>&1 || say "WARNING: $c does not verify"
	done
	aside "$W/ca-empty" "$W/ossl-empty"
	out_aside
}

# 2. A CRL of 100,000 and of 1,000,000 revoked certificates.
case_crl() {
	say "case 2: CRL"
	for n in "$MID" "$BIG"; do
		copy_ca "crl$n"
		say " filling a database with $n revoked certificates"
		fill_db "$W/crl$n/roleca.db" "$n" revoked
		openssl_ca "ossl-crl$n" "$W/crl$n/roleca.db"
		label "crl$n" "CRL, $(echo "$n" | awk '{ print ($1 >= 1000000 ? $1 / 1000000 "M" : $1 / 1000 "k") }') revoked"
		runs=$RUNS
		[ "$n" -lt "$BIG" ] || runs=$HEAVY_RUNS
		measure 1 "$runs" \
		    "crl$n" roleca '"$ROLECA" --dir "$W/'"crl$n"'" crl' \
		    "crl$n" openssl 'openssl ca -config "$W/'"ossl-crl$n"'/openssl.cnf" -gencrl -out "$W/out/'"$n"'.crl.pem"'
		# Both CRLs: the signature and every entry, by openssl. Not by
		# certtool: GnuTLS's CRL reader takes time quadratic in the
		# entries (100,000: over 4 minutes); tests/cli/crl.sh has
		# certtool read and verify roleca's CRLs.
		crl=$(ls "$W/crl$n"/crl/*.crl)
		openssl crl -inform DER -in "$crl" -noout -CAfile "$CA_CRT" \
		    2>&1 | grep -q 'verify OK' ||
		    say "WARNING: roleca's CRL of $n entries does not verify"
		got=$(openssl crl -inform DER -in "$crl" -noout -text |
		    grep -c 'Serial Number:' || true)
		[ "$got" -eq "$n" ] ||
		    say "WARNING: roleca's CRL lists $got entries, not $n"
		say "  roleca's CRL of $n entries: openssl verifies it and reads $got"
		rm -rf "$W/crl$n" "$W/ossl-crl$n"
		out_aside
	done
}

# 3. Look one certificate up, list them all, and list those expiring
# within 30 days, in the 100,000-row database.
case_lookup() {
	say "case 3: show / list on $MID certificates"
	mid_db
	SERIAL=$(sqlite3 "$W/ca-mid/roleca.db" \
	    "SELECT serial FROM certs LIMIT 1 OFFSET $((MID / 2))")
	SERIAL_UC=$(echo "$SERIAL" | tr a-f A-F)
	export SERIAL SERIAL_UC
	label show "show SERIAL, 100k in DB"
	# openssl ca -status exits 1 even when it finds the serial.
	measure $BATCH_FAST "$RUNS" \
	    show roleca '"$ROLECA" --dir "$W/ca-mid" show "$SERIAL"' \
	    show openssl 'openssl ca -config "$W/ossl-mid/openssl.cnf" -status "$SERIAL_UC" 2>&1 | grep -q "=Valid"'
	label list "list, 100k in DB"
	measure 1 "$RUNS" list roleca '"$ROLECA" --dir "$W/ca-mid" list'
	label listexp "list --expiring 30, 100k in DB"
	measure $BATCH_FAST "$RUNS" \
	    listexp roleca '"$ROLECA" --dir "$W/ca-mid" list --expiring 30'
	# It lists what the database holds: valid, not expired, expiring
	# within 30 days (about 3.5% of the rows, see fill_db).
	"$ROLECA" --dir "$W/ca-mid" list --expiring 30 --json >"$W/expiring" ||
	    die "roleca list --expiring 30 --json failed"
	got=$(awk 'END { print NR }' "$W/expiring")
	want=$(sqlite3 "$W/ca-mid/roleca.db" "SELECT count(*) FROM certs
	    WHERE status = 'valid' AND not_after > strftime('%s', 'now')
	    AND not_after < strftime('%s', 'now') + 30 * 86400")
	say " list --expiring 30: $got certificates listed, the database has $want"
	[ "$got" -eq "$want" ] ||
	    say "WARNING: list --expiring 30 lists $got certificates, not $want"
	rm -rf "$W/ca-mid" "$W/ossl-mid"
}

# 4. Key generation per role key spec.
case_keygen() {
	say "case 4: key generation"
	for spec in rsa:2048 rsa:3072 ec:p256; do
		name=bench-$(echo "$spec" | tr -d :)
		sed "s/^key = .*/key = \"$spec\";/" "$SRCDIR/profiles/frontend.cfg" \
		    >"$W/profiles/$name.cfg"
		case $spec in
		rsa:*)
			bits=${spec#rsa:}
			ossl="-algorithm RSA -pkeyopt rsa_keygen_bits:$bits"
			gtls="--key-type rsa --bits $bits"
			eval n=\$BATCH_RSA$bits
			;;
		ec:p256)
			ossl="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
			gtls="--key-type ecdsa --curve secp256r1"
			n=$BATCH_FAST
			;;
		esac
		label "key-$spec" "keygen $spec"
		measure "$n" "$RUNS" \
		    "key-$spec" roleca '"$ROLECA" request '"$name"' $FE_VARS --out "$W/out/r$1-$i"' \
		    "key-$spec" openssl 'openssl genpkey '"$ossl"' -out "$W/out/o$1-$i.key"' \
		    "key-$spec" certtool 'certtool --generate-privkey '"$gtls"' --outfile "$W/out/c$1-$i.key"'
		out_aside
	done
}

# build_rawsign: compile bench/rawsign.c (raw GnuTLS signing) into $W.
build_rawsign() {
	for tool in cc pkg-config; do
		command -v "$tool" >/dev/null 2>&1 ||
		    die "the deploy case compiles bench/rawsign.c: $tool not found (apt-get install gcc pkg-config libgnutls28-dev)"
	done
	flags=$(pkg-config --cflags --libs gnutls 2>"$W/stderr") ||
	    die "the deploy case compiles bench/rawsign.c: pkg-config finds no gnutls (apt-get install libgnutls28-dev)"
	if ! cc -O2 -o "$W/rawsign" "$SRCDIR/bench/rawsign.c" $flags \
	    2>"$W/stderr"; then
		sed 's/^/bench:   /' "$W/stderr" >&2
		die "compiling bench/rawsign.c failed: cc -O2 -o $W/rawsign $SRCDIR/bench/rawsign.c $flags"
	fi
}

# raw_sign KEY KEYFILE N: one warm-up, then RUNS runs of rawsign signing
# N times with KEYFILE; record the median time per signature (rawsign's
# own clock: no process start, no key loading) under KEY/gnutls.
raw_sign() {
	"$W/rawsign" "$2" "$3" >/dev/null || die "rawsign $2 $3 failed"
	: >"$W/samples.raw"
	r=0
	while [ "$r" -lt "$RUNS" ]; do
		r=$((r + 1))
		/usr/bin/time -f '%M' -o "$W/time.out" \
		    "$W/rawsign" "$2" "$3" >"$W/rawsign.out" ||
		    die "rawsign $2 $3 failed"
		echo "$(cut -d' ' -f2 "$W/rawsign.out") $(tail -n 1 "$W/time.out")" \
		    >>"$W/samples.raw"
	done
	summarize "$W/samples.raw" "$3"
	record "$1" "$3" gnutls
}

# 5. A deployment of DEPLOY Front End servers in one process, each with
# its own CSR, signed by a P-256 and by an RSA-2048 CA; beside it
# `openssl ca -infiles` over the same CSRs, and GnuTLS alone signing
# with the same keys (bench/rawsign).
case_deploy() {
	say "case 5: deploy $DEPLOY servers' CSRs (frontend profile), P-256 and RSA-2048 CA"
	make_ca ca-rsa rsa:2048 "Bench Issuing CA RSA"
	mkdir -p "$W/dep/csr"
	# The deployment file: feN in pools of 10 (poolP, P = N / 10 rounded up).
	awk -v n="$DEPLOY" 'BEGIN {
		print "servers = ("
		for (i = 1; i <= n; i++)
			printf "\t{ name = \"fe%d\"; role = \"frontend\";\n\t  set = { pool_fqdn = \"pool%d.lab.example\"; server_fqdn = \"fe%d.lab.example\"; sip_domain = \"lab.example\"; }; }%s\n",
			    i, int((i + 9) / 10), i, (i < n ? "," : "")
		print ");"
	}' >"$W/dep/deployment.cfg"
	# Each server's CSR (CN its pool, SAN pool + itself), all with one
	# RSA-2048 key; one openssl req each, two at a time.
	say " making $DEPLOY CSRs"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$W/dep/server.key" 2>/dev/null || die "openssl genpkey failed"
	awk -v n="$DEPLOY" 'BEGIN { for (i = 1; i <= n; i++) print i }' |
	    xargs -n 50 -P 2 sh -c '
		for i; do
			p=pool$(((i + 9) / 10)).lab.example
			openssl req -new -key "$W/dep/server.key" -subj "/CN=$p" \
			    -addext "subjectAltName=DNS:$p,DNS:fe$i.lab.example" \
			    -out "$W/dep/csr/fe$i.csr" 2>/dev/null || exit 255
		done' sh || die "openssl req failed"
	openssl_ca ossl-dep-ec "" "$W/ca"
	openssl_ca ossl-dep-rsa "" "$W/ca-rsa"

	# Before every batch, untimed: for roleca a fresh copy of the CA
	# (empty database) and an empty output directory, for openssl an
	# empty index.txt and newcerts/; then sync, so that the deploy's
	# fsyncs do not write the copies. $2 is dep-ec or dep-rsa, $3 the tool.
	# The previous round's files are moved aside, not deleted, until the
	# case ends: without a journal, ext4 will not reuse an inode deleted
	# in the last few seconds and scans past each one, which made
	# creating the next round's 2,000 files cost about 0.3 ms each.
	mkdir -p "$W/dep/old"
	prep='t=${2#dep-}
	old=$(mktemp -d "$W/dep/old/r.XXXXXX")
	case $3 in
	roleca)
		ca=$W/ca-$t
		[ "$t" != ec ] || ca=$W/ca
		{ [ ! -e "$W/dep/$t" ] || mv "$W/dep/$t" "$old/ca"; } &&
		{ [ ! -e "$W/dep/$t.out" ] || mv "$W/dep/$t.out" "$old/out"; } &&
		cp -R "$ca" "$W/dep/$t" && mkdir "$W/dep/$t.out" ;;
	openssl)
		d=$W/ossl-dep-$t
		{ [ ! -e "$d/newcerts" ] || mv "$d/newcerts" "$old/newcerts"; } &&
		rm -f "$d"/index.txt* && mkdir "$d/newcerts" &&
		: >"$d/index.txt" && echo "unique_subject = no" >"$d/index.txt.attr" ;;
	esac && sync'
	label dep-ec "deploy $DEPLOY, P-256 CA (per cert)"
	label dep-rsa "deploy $DEPLOY, RSA-2048 CA (per cert)"
	measure -o "$DEPLOY" -p "$prep" 1 "$RUNS" \
	    dep-ec roleca '"$ROLECA" --dir "$W/dep/ec" deploy "$W/dep/deployment.cfg" --csr-dir "$W/dep/csr" --out "$W/dep/ec.out"' \
	    dep-ec openssl 'openssl ca -batch -notext -config "$W/ossl-dep-ec/openssl.cnf" -outdir "$W/ossl-dep-ec/newcerts" -infiles "$W"/dep/csr/*.csr' \
	    dep-rsa roleca '"$ROLECA" --dir "$W/dep/rsa" deploy "$W/dep/deployment.cfg" --csr-dir "$W/dep/csr" --out "$W/dep/rsa.out"' \
	    dep-rsa openssl 'openssl ca -batch -notext -config "$W/ossl-dep-rsa/openssl.cnf" -outdir "$W/ossl-dep-rsa/newcerts" -infiles "$W"/dep/csr/*.csr'
	say " raw GnuTLS signing with the CA keys"
	label raw-ec "raw sign P-256"
	label raw-rsa "raw sign RSA-2048"
	raw_sign raw-ec "$W/ca/ca.key" "$RAW_N_EC"
	raw_sign raw-rsa "$W/ca-rsa/ca.key" "$RAW_N_RSA"

	# The last round's results: every certificate issued, recorded, and
	# made for a TLS server.
	for t in ec rsa; do
		ca=$W/ca-$t
		[ "$t" != ec ] || ca=$W/ca
		for c in "$W/dep/$t.out/fe1.crt" "$W/dep/$t.out/fe$DEPLOY.crt" \
		    "$(ls "$W/ossl-dep-$t/newcerts"/*.pem 2>/dev/null | head -n 1)"; do
			openssl verify -purpose sslserver -CAfile "$ca/ca.crt" "$c" \
			    >/dev/null 2>&1 ||
			    say "WARNING: ${c:-no openssl ca certificate ($t CA)} does not verify"
		done
		got=$(sqlite3 "$W/dep/$t/roleca.db" 'SELECT count(*) FROM certs')
		[ "$got" -eq "$DEPLOY" ] ||
		    say "WARNING: roleca deploy ($t CA) recorded $got certificates, not $DEPLOY"
		got=$(find "$W/dep/$t.out" -name '*.crt' | awk 'END { print NR }')
		[ "$got" -eq "$DEPLOY" ] ||
		    say "WARNING: roleca deploy ($t CA) wrote $got .crt files, not $DEPLOY"
		got=$(find "$W/ossl-dep-$t/newcerts" -name '*.pem' | awk 'END { print NR }')
		[ "$got" -eq "$DEPLOY" ] ||
		    say "WARNING: openssl ca ($t CA) wrote $got certificates, not $DEPLOY"
	done
	rm -rf "$W/dep" "$W/ossl-dep-ec" "$W/ossl-dep-rsa"
}

# ---------------------------------------------------------------- report

bars() {
	misses=0
	: >"$W/bars"
	if selected sign; then bars_sign; fi
	if selected crl; then bars_crl; fi
	if selected list; then
		set -- $(result listexp roleca)
		bar "list --expiring 30, 100k in DB: roleca seconds" \
		    "$(awk -v t="$1" 'BEGIN { printf "%.3f", t }')" le 0.1 \
		    "list --expiring 30 on $MID certificates in < 0.1 s"
	fi
	if selected deploy; then
		set -- $(result dep-ec roleca) $(result dep-rsa roleca) \
		    $(result raw-rsa gnutls) $(result raw-ec gnutls)
		bar "deploy $DEPLOY, P-256 CA: roleca certificates/s" \
		    "$(per_s "$1")" ge 3000 \
		    "at least 3000 certificates/s; raw GnuTLS P-256 $(per_s "$7") signatures/s"
		bar "deploy $DEPLOY, RSA-2048 CA: roleca/raw GnuTLS rate" \
		    "$(awk -v d="$3" -v r="$5" 'BEGIN { printf "%.2f", r / d }')" ge 0.80 \
		    "roleca $(per_s "$3") certificates/s, raw GnuTLS RSA-2048 $(per_s "$5") signatures/s; at least 80% of it"
	fi
}

bars_sign() {
	set -- $(result sign0 roleca) $(result sign0 certtool)
	bar "sign, empty DB: roleca/certtool time" \
	    "$(awk -v a="$1" -v b="$3" 'BEGIN { printf "%.2f", a / b }')" le 1.25 \
	    "roleca within 1.25x of certtool"
	set -- $(result sign100k roleca) $(result sign100k certtool) \
	    $(result sign100k openssl)
	bar "sign, 100k in DB: roleca/certtool time" \
	    "$(awk -v a="$1" -v b="$3" 'BEGIN { printf "%.2f", a / b }')" le 1.25 \
	    "roleca within 1.25x of certtool"
	bar "sign, 100k in DB: openssl ca/roleca time" \
	    "$(awk -v a="$5" -v b="$1" 'BEGIN { printf "%.1f", a / b }')" ge 10 \
	    "roleca at least 10x faster than openssl ca"
}

bars_crl() {
	set -- $(result "crl$BIG" roleca)
	bar "CRL, $BIG revoked: roleca seconds" \
	    "$(awk -v t="$1" 'BEGIN { printf "%.2f", t }')" le 0.75 \
	    "CRL of $BIG entries in < 0.75 s"
	bar "CRL, $BIG revoked: roleca peak RSS MB" \
	    "$(awk -v m="$2" 'BEGIN { printf "%.1f", m / 1024 }')" le 150 \
	    "CRL of $BIG entries in < 150 MB"
}

# The table, Markdown: seconds per operation, peak RSS in MB, and
# roleca's time and RSS divided by the other tool's (below 1: roleca
# is faster or smaller); times under 10 ms with 6 decimals. The raw
# GnuTLS signing rates (tool gnutls) follow as lines of their own.
print_table() {
	awk -F'|' '
	function s(t) { return t == "" ? "n/a" : sprintf(t < 0.01 ? "%.6f" : "%.4f", t) }
	function mb(m) { return m == "" ? "n/a" : sprintf("%.1f", m / 1024) }
	function r(a, b) { return (a == "" || b == "" || b == 0) ? "n/a" : sprintf("%.2f", a / b) }
	NR == FNR { order[++n] = $1; label[$1] = $2; next }
	{ t[$1, $3] = $4; m[$1, $3] = $5 }
	END {
		print "| case | roleca s | roleca MB | openssl s | openssl MB | certtool s | certtool MB | t roleca/openssl | RSS roleca/openssl | t roleca/certtool | RSS roleca/certtool |"
		print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
		for (i = 1; i <= n; i++) {
			k = order[i]
			if ((k, "gnutls") in t) {
				note[++nn] = sprintf("%s: %.6f s per signature, %.0f/s (GnuTLS alone: bench/rawsign, SHA-256 over 1 KB, one thread)",
				    label[k], t[k, "gnutls"], t[k, "gnutls"] > 0 ? 1 / t[k, "gnutls"] : 0)
				continue
			}
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			    label[k], s(t[k, "roleca"]), mb(m[k, "roleca"]),
			    s(t[k, "openssl"]), mb(m[k, "openssl"]),
			    s(t[k, "certtool"]), mb(m[k, "certtool"]),
			    r(t[k, "roleca"], t[k, "openssl"]), r(m[k, "roleca"], m[k, "openssl"]),
			    r(t[k, "roleca"], t[k, "certtool"]), r(m[k, "roleca"], m[k, "certtool"])
		}
		if (nn > 0)
			print ""
		for (i = 1; i <= nn; i++)
			print note[i]
	}' "$W/labels" "$W/results"
}

print_bars() {
	awk -F'|' '{ printf "%s  %-50s %8s  (bar: %s %s; %s)\n", $5, $1, $2,
	    ($3 == "le" ? "<=" : ">="), $4, $6 }' "$W/bars"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

json_string() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

write_json() {
	mkdir -p "$(dirname "$RESULTS_JSON")"
	{
		printf '{\n  "roleca_version": %s,\n' "$(json_string "$("$ROLECA" --version 2>/dev/null || echo unknown)")"
		printf '  "date": %s,\n' "$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
		printf '  "host": {"cpus": %s, "cpu": %s, "kernel": %s, "os": %s, "tmp_fs": %s},\n' \
		    "$(nproc 2>/dev/null || echo 0)" \
		    "$(json_string "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)")" \
		    "$(json_string "$(uname -sr)")" \
		    "$(json_string "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")")" \
		    "$(json_string "$(stat -f -c %T "$W" 2>/dev/null)")"
		printf '  "tools": {"openssl": %s, "certtool": %s, "sqlite3": %s},\n' \
		    "$(json_string "$(openssl version)")" \
		    "$(json_string "$(certtool --version | head -n 1)")" \
		    "$(json_string "$(sqlite3 --version | cut -d' ' -f1)")"
		printf '  "load_average_before": %s, "load_average_after": %s,\n' \
		    "$(json_string "$LOAD_BEFORE")" "$(json_string "$(loadavg)")"
		printf '  "runs": %s, "heavy_runs": %s, "cases_run": %s, "deploy_servers": %s,\n' \
		    "$RUNS" "$HEAVY_RUNS" "$(json_string "$CASES")" "$DEPLOY"
		printf '  "cases": [\n'
		awk -F'|' '
		function arr(s,   a, k, i, o) { k = split(s, a, " "); o = ""
			for (i = 1; i <= k; i++) o = o (i > 1 ? ", " : "") a[i]; return "[" o "]" }
		NR == FNR { order[++n] = $1; label[$1] = $2; next }
		{ e = sprintf("\"%s\": {\"median_s\": %s, \"median_peak_rss_kb\": %s, \"samples_s\": %s, \"samples_peak_rss_kb\": %s}",
		    $3, $4, $5, arr($6), arr($7))
		  ops[$1] = $2
		  tools[$1] = (nt[$1]++ ? tools[$1] ", " : "") e }
		END { for (i = 1; i <= n; i++) {
			k = order[i]
			printf "    {\"case\": \"%s\", \"label\": \"%s\", \"ops_per_sample\": %s, \"results\": {%s}}%s\n",
			    k, label[k], ops[k], tools[k], i < n ? "," : ""
		} }' "$W/labels" "$W/results"
		printf '  ],\n  "bars": [\n'
		awk -F'|' '{ lines[NR] = sprintf("    {\"bar\": \"%s\", \"value\": %s, \"op\": \"%s\", \"limit\": %s, \"pass\": %s}",
		    $1, $2, $3, $4, $5 == "PASS" ? "true" : "false") }
		END { for (i = 1; i <= NR; i++) print lines[i] (i < NR ? "," : "") }' "$W/bars"
		printf '  ]\n}\n'
	} >"$RESULTS_JSON.tmp"
	mv "$RESULTS_JSON.tmp" "$RESULTS_JSON"
}

# ---------------------------------------------------------------- main

start=$(date +%s)
LOAD_BEFORE=$(loadavg)
say "roleca $("$ROLECA" --version 2>/dev/null || echo '?'), data in $W ($(stat -f -c %T "$W" 2>/dev/null))"
: >"$W/results"
: >"$W/labels"
if selected deploy; then build_rawsign; fi	# fail early
make_ca ca ec:p256 "Bench Issuing CA"
CA_CRT=$W/ca/ca.crt CA_KEY=$W/ca/ca.key
export CA_CRT CA_KEY
make_csr
if selected sign; then case_sign; fi
if selected crl; then case_crl; fi
if selected list; then case_lookup; fi
if selected keygen; then case_keygen; fi
if selected deploy; then case_deploy; fi
bars

echo
echo "roleca $("$ROLECA" --version 2>/dev/null) on $(nproc) CPUs, $(date -u +%Y-%m-%d);" \
    "cases: $CASES;" \
    "median of $RUNS runs ($HEAVY_RUNS for $BIG entries) after a warm-up;" \
    "s = wall seconds per operation, MB = peak RSS;" \
    "load average before/after: $LOAD_BEFORE / $(loadavg)"
echo
print_table
echo
print_bars
write_json
echo
echo "results: $RESULTS_JSON ($(( $(date +%s) - start )) s)"
if [ "$misses" -gt 0 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
	exit 1
fi
exit 0
