#!/bin/sh
# Crash safety: start issue, revoke, crl, publish --new-crl and deploy
# (three servers, recorded in one group commit), kill each
# with SIGKILL after a random short delay, and check what is left: the
# database is intact, no certificate file exists without its record, no
# final-named file is half written, a CRL number is never reused, and
# leftover temporaries do not get in the way of the next run.
. "${SRCDIR:-.}/tests/cli/lib.sh"

TRIALS=${CRASH_TRIALS:-80}
SEED=${CRASH_SEED:-$(($$ + $(date +%s) % 100000))}

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
O=$T/certs
P=$T/pub
C=$T/crlout
cd "$T" || exit 1
mkdir -p "$O" "$P" "$C" logs

# Kill whatever is still running if the test is cut short.
victim=
cleanup() {
	[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Some certificates to revoke, and a first CRL and publication.
i=1
while [ "$i" -le 12 ]; do
	roleca --dir "$I" issue persistent-chat --set "server_fqdn=pre$i.lab.example" \
	    --out "$O/pre$i" >/dev/null 2>"$T/err" || { cat "$T/err"; break; }
	i=$((i + 1))
done
assert "12 certificates issued before the trials" test "$(rows "$DB")" -eq 12
expect 0 "a first crl" roleca --dir "$I" crl --out "$C/extra.crl"
expect 0 "a first publish" roleca --dir "$I" publish --to "$P"

# The CRL files, each with how to read it: LOCATION FORM.
crl_files="$I/crl/issuing.crl:DER $I/crl/issuing.crl.pem:PEM $P/issuing.crl:DER $P/issuing.crl.pem:PEM $C/extra.crl:DER"

# crl_number_of TEXT: the decimal number in openssl's "crlNumber=0x.." line.
crl_number_of() {
	v=$(echo "$1" | sed -n 's/^crlNumber=//p')
	case $v in
	0x*) printf '%d\n' "$v" ;;
	*) return 1 ;;
	esac
}
# crl_number FILE FORM: a CRL file's number; fails if it does not parse.
crl_number() {
	crl_number_of "$(openssl crl -inform "$2" -in "$1" -noout -crlnumber 2>/dev/null)"
}

# scan_crls TRIAL: note each CRL file that changed since the last scan as
# "TRIAL LOCATION NUMBER DIGEST" in logs/crls (the digest is of the DER
# body, whichever form the file is in); a file that does not parse or
# verify is noted in logs/broken.
: >logs/crls
: >logs/broken
scan_crls() {
	for lf in $crl_files; do
		f=${lf%:*} form=${lf##*:}
		[ -e "$f" ] || continue
		key=$(echo "$f" | tr / _)
		raw=$(cksum <"$f")
		[ "$raw" = "$(cat "logs/raw.$key" 2>/dev/null)" ] && continue
		echo "$raw" >"logs/raw.$key"
		if ! v=$(openssl crl -inform "$form" -in "$f" -crlnumber -verify \
		    -CAfile "$I/ca.crt" -outform DER -out logs/scan.der 2>/dev/null) ||
		    ! num=$(crl_number_of "$v"); then
			echo "trial $1: $f does not parse or verify ($(wc -c <"$f") bytes)" >>logs/broken
			continue
		fi
		echo "$1 $f $num $(cksum <logs/scan.der | cut -d' ' -f1)" >>logs/crls
	done
}
scan_crls 0

# ms: milliseconds since the epoch.
ms() { echo $(($(date +%s%N) / 1000000)); }

# How long each operation takes when left alone (the fastest of three
# runs, as other load only makes it slower): the kills are spread from 0
# to a quarter beyond that (a few tens of ms; longer under a sanitizer),
# so some land before, some inside and some after each step.
cal() {
	best=
	for _ in 1 2 3; do
		t0=$(ms)
		"$ROLECA" --dir "$I" "$@" >"$T/cal.out" 2>"$T/cal.err" || {
			echo "# calibration: roleca $* failed:" >&2
			sed 's/^/#   /' "$T/cal.err" >&2; }
		t=$(($(ms) - t0))
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
		scan_crls 0
		# the next round's arguments, where they change
		case $1 in
		issue) cal_n=$((cal_n + 1)); set -- "$1" "$2" "$3" "server_fqdn=cal$cal_n.lab.example" "$5" "$O/cal$cal_n" ;;
		revoke) set -- revoke "$(sqlite3 "$DB" "SELECT serial FROM certs WHERE status='valid' ORDER BY issued_at, serial LIMIT 1")" --reason superseded ;;
		deploy) cal_n=$((cal_n + 1)); deployment "cal$cal_n"; set -- deploy "$T/cal$cal_n.cfg" --out "$O" ;;
		esac
	done
	best=$((best * 5 / 4 + 5))
	[ "$best" -le 400 ] || best=400
	echo "$best"
}
# deployment NAME: $T/NAME.cfg, three persistent-chat servers NAME-a..c.
deployment() {
	{
		echo "servers = ("
		for m in a b c; do
			[ "$m" = a ] || echo ","
			echo "{ name = \"$1-$m\"; role = \"persistent-chat\";"
			echo "  set = { server_fqdn = \"$1-$m.lab.example\"; }; }"
		done
		echo ");"
	} >"$T/$1.cfg"
}
cal_n=1
deployment cal1
max_deploy=$(cal deploy "$T/cal1.cfg" --out "$O")
max_issue=$(cal issue persistent-chat --set server_fqdn=cal1.lab.example --out "$O/cal1")
max_revoke=$(cal revoke "$(sqlite3 "$DB" "SELECT serial FROM certs WHERE status='valid' ORDER BY issued_at, serial LIMIT 1")" --reason superseded)
max_crl=$(cal crl --out "$C/extra.crl")
max_publish=$(cal publish --to "$P" --new-crl)
echo "# seed $SEED (CRASH_SEED=$SEED repeats the plan), $TRIALS trials; kill delays 0 to" \
	"issue $max_issue ms, revoke $max_revoke ms, crl $max_crl ms, publish $max_publish ms," \
	"deploy $max_deploy ms"

# The operations and delays, reproducible from the seed: "OP DELAY".
awk -v seed="$SEED" -v n="$TRIALS" -v mi="$max_issue" -v mr="$max_revoke" \
    -v mc="$max_crl" -v mp="$max_publish" -v md="$max_deploy" 'BEGIN {
	srand(seed)
	split("issue revoke crl publish deploy", op, " ")
	max["issue"] = mi; max["revoke"] = mr; max["crl"] = mc; max["publish"] = mp
	max["deploy"] = md
	for (k = 1; k <= n; k++) {
		o = op[(k - 1) % 5 + 1]
		d = int(rand() * (max[o] + 1))
		printf "%s %d.%03d\n", o, d / 1000, d % 1000
	}
}' >logs/plan

k=0
killed=0
: >logs/results
: >logs/failed
: >logs/integrity
while read -r op delay; do
	k=$((k + 1))
	case $op in
	issue)
		set -- issue persistent-chat --set "server_fqdn=t$k.lab.example" --out "$O/t$k" ;;
	revoke)
		s=$(sqlite3 "$DB" "SELECT serial FROM certs WHERE status='valid' ORDER BY issued_at, serial LIMIT 1")
		# killed issues may have left nothing to revoke: make one
		[ -n "$s" ] || s=$(roleca --dir "$I" issue persistent-chat \
		    --set "server_fqdn=r$k.lab.example" --out "$O/r$k" 2>>logs/failed)
		set -- revoke "${s:-00}" --reason keyCompromise ;;
	crl)
		set -- crl --out "$C/extra.crl" ;;
	publish)
		set -- publish --to "$P" --new-crl ;;
	deploy)
		deployment "d$k"
		set -- deploy "$T/d$k.cfg" --out "$O" ;;
	esac
	"$ROLECA" --dir "$I" "$@" >"logs/t$k.out" 2>"logs/t$k.err" &
	victim=$!
	sleep "$delay"
	kill -KILL "$victim" 2>/dev/null
	wait "$victim" 2>/dev/null
	rc=$?
	victim=
	if [ "$rc" -eq 137 ]; then
		killed=$((killed + 1))
		echo "$k $op $delay killed" >>logs/results
	else
		echo "$k $op $delay exit $rc" >>logs/results
		# Finishing before the kill is fine; failing is not, as the
		# only thing different from a clean run is what earlier kills left.
		if [ "$rc" -ne 0 ]; then
			{ echo "trial $k: roleca $* exited $rc:"; cat "logs/t$k.err"; } >>logs/failed
		fi
	fi
	ic=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
	[ "$ic" = ok ] || echo "trial $k ($op killed after ${delay}s): $ic" >>logs/integrity
	scan_crls "$k"
done <logs/plan

assert "at least 50 trials ran" test "$k" -ge 50
assert "some runs were killed mid-run" test "$killed" -ge 5

if [ -s logs/failed ]; then
	not_ok "every run that was not killed succeeded"
	sed 's/^/#   /' logs/failed | head -40
else
	ok "every run that was not killed succeeded"
fi
if [ -s logs/integrity ]; then
	not_ok "PRAGMA integrity_check is ok after every trial"
	sed 's/^/#   /' logs/integrity | head -20
else
	ok "PRAGMA integrity_check is ok after every trial"
fi

# Certificate files: each parses and is its database row, byte for byte.
sqlite3 -separator ' ' "$DB" "SELECT lower(hex(der)) FROM certs" | sort >logs/db.hex
orphans=0
truncated=0
ncrt=0
for f in "$O"/*.crt; do
	[ -e "$f" ] || continue
	ncrt=$((ncrt + 1))
	h=$(openssl x509 -in "$f" -outform DER 2>/dev/null | xxd -p -c0)
	if [ -z "$h" ]; then
		truncated=$((truncated + 1))
		echo "#   $f does not parse ($(wc -c <"$f") bytes)"
	elif ! grep -qxF "$h" logs/db.hex; then
		orphans=$((orphans + 1))
		echo "#   $f has no database row"
	fi
done
assert "no certificate file exists without its database row" test "$orphans" -eq 0
nk=0
for f in "$O"/*.key; do
	[ -e "$f" ] || continue
	nk=$((nk + 1))
	if ! openssl pkey -in "$f" -noout 2>/dev/null; then
		truncated=$((truncated + 1))
		echo "#   $f does not parse ($(wc -c <"$f") bytes)"
	fi
done
# PREFIX.chain.pem is the leaf and then the CA's chain.pem, whole.
cachain=$(wc -c <"$I/chain.pem")
for f in "$O"/*.chain.pem; do
	[ -e "$f" ] || continue
	if ! tail -c "$cachain" "$f" | cmp -s - "$I/chain.pem" ||
	    ! openssl x509 -in "$f" -noout 2>/dev/null ||
	    { [ -e "${f%.chain.pem}.crt" ] &&
	      ! cat "${f%.chain.pem}.crt" "$I/chain.pem" | cmp -s - "$f"; }; then
		truncated=$((truncated + 1))
		echo "#   $f is not a whole chain ($(wc -c <"$f") bytes)"
	fi
done
if ! openssl x509 -inform DER -in "$P/issuing.crt" -noout 2>/dev/null; then
	truncated=$((truncated + 1))
	echo "#   $P/issuing.crt does not parse"
fi
if [ -s logs/broken ]; then
	truncated=$((truncated + $(wc -l <logs/broken)))
	sed 's/^/#   /' logs/broken | head -20
fi
assert "no final-named file is truncated (.crt, .key, .chain.pem, .crl all parse)" \
	test "$truncated" -eq 0

# CRL numbers: per file, each new version has a higher number; over all
# files, a number always names the same CRL, and each CRL first seen has
# a higher number than any seen before it.
assert "each CRL file's number strictly increases over time" awk '
	{ if (($2 in last) && $3 + 0 <= last[$2]) {
		print "trial " $1 ": " $2 " went from " last[$2] " to " $3; bad = 1 }
	  last[$2] = $3 + 0 }
	END { exit bad }' logs/crls
assert "a CRL number never names two different CRLs" awk '
	{ if (($3 in sum) && sum[$3] != $4) {
		print "CRL number " $3 " repeated (trial " $1 ", " $2 ")"; bad = 1 }
	  sum[$3] = $4 }
	END { exit bad }' logs/crls
assert "each new CRL has a higher number than every earlier one" awk '
	!($4 in seen) { if ($3 + 0 <= max) {
		print "trial " $1 ": new CRL " $3 " after " max " in " $2; bad = 1 }
	  seen[$4] = 1; if ($3 + 0 > max) max = $3 + 0 }
	END { exit bad }' logs/crls
maxseen=$(awk '$3 + 0 > m { m = $3 + 0 } END { print m + 0 }' logs/crls)
assert "the database's CRL counter is at least every number used" test \
	"$(sqlite3 "$DB" "SELECT value FROM counters WHERE name='crl_number'")" -ge "$maxseen"

# Leftover temporaries, from the kills and planted ones too: they must not
# stop the next operations.
tmps=$(find "$O" "$P" "$C" "$I/crl" -name '.*.tmp-*' | wc -l)
# A key is staged without a name where the file system has O_TMPFILE
# (these do; others fall back to a hidden name): no kill leaves a copy.
case $(stat -f -c %T "$O") in
ext2/ext3 | tmpfs | xfs | btrfs)
	assert "no kill left a temporary copy of a key" \
		test "$(find "$O" -name '.*.key.tmp-*' | wc -l)" -eq 0 ;;
esac
next=$((k + 1))
printf 'half a key' >"$O/.n$next.key.tmp-AAAAAA"
printf 'half a cert' >"$O/.n$next.crt.tmp-AAAAAA"
printf 'half' >"$I/crl/.issuing.crl.tmp-AAAAAA"
printf 'half' >"$I/crl/.issuing.crl.pem.tmp-AAAAAA"
printf 'half' >"$P/.issuing.crl.tmp-AAAAAA"
printf 'half' >"$P/.issuing.crt.tmp-AAAAAA"
printf 'half' >"$C/.extra.crl.tmp-AAAAAA"

expect 0 "after the trials, issue succeeds" roleca --dir "$I" issue persistent-chat \
	--set "server_fqdn=n$next.lab.example" --out "$O/n$next"
s=$(cat "$T/out")
assert "... its files are whole and match the database" sh -c "
	openssl pkey -in '$O/n$next.key' -noout &&
	test \"\$(openssl x509 -in '$O/n$next.crt' -outform DER | xxd -p -c0)\" = \
	     \"\$(sqlite3 '$DB' \"SELECT lower(hex(der)) FROM certs WHERE serial='$s'\")\""
expect 0 "revoke succeeds" roleca --dir "$I" revoke "$s" --reason superseded
expect 0 "crl succeeds" roleca --dir "$I" crl --out "$C/extra.crl"
n1=$(crl_number "$I/crl/issuing.crl" DER)
assert "... with a number above every earlier one ($maxseen)" test "${n1:-0}" -gt "$maxseen"
expect 0 "publish --new-crl succeeds" roleca --dir "$I" publish --to "$P" --new-crl
n2=$(crl_number "$P/issuing.crl" DER)
assert "... publishing the next number" test "${n2:-0}" -eq $((${n1:-0} + 1))
assert "... identical to the CA's copy" cmp "$P/issuing.crl" "$I/crl/issuing.crl"
assert "the published CRL verifies and lists the new revocation" sh -c "
	openssl crl -inform DER -in '$P/issuing.crl' -noout -verify -CAfile '$I/ca.crt' &&
	openssl crl -inform DER -in '$P/issuing.crl' -noout -text |
	grep -qi 'Serial Number: $s'"
assert "every revoked certificate is on it" sh -c "
	openssl crl -inform DER -in '$P/issuing.crl' -noout -text |
	sed -n 's/^ *Serial Number: *//p' | tr A-F a-f | sort >'$T/listed'
	sqlite3 '$DB' \"SELECT serial FROM certs WHERE status='revoked' ORDER BY serial\" | sort |
	cmp - '$T/listed'"
assert "the database is still intact" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok

# What was exercised.
echo "# trials: $k, killed mid-run: $killed, finished before the kill: $((k - killed))"
for op in issue revoke crl publish deploy; do
	echo "# $op: killed $(grep -c " $op .* killed$" logs/results) of" \
	    "$(grep -c " $op " logs/results), delays 0-$(eval echo "\$max_$op") ms"
done
echo "# $ncrt certificate, $nk key files checked; $(wc -l <logs/crls) CRL versions seen; $tmps temporaries left by the kills"

# Kills at chosen moments: strace stops a command with SIGKILL on entering
# its Nth sync, rename or link, for N = 1, 2, ... until a run gets through,
# the moments between two steps that a random delay seldom hits.
D=$T/det
make_lab "$D" || not_ok "a second lab"
strace -f -qq -o /dev/null -e trace=exit_group \
    -e inject=exit_group:signal=KILL true 2>/dev/null
have_strace=$?

# kill_each CHECK SCRIPT: run sh -c SCRIPT with its run's number as $1, and
# CHECK with the same number after each run; prints each failed check.
# KE_SIG (KILL unless set) is the signal sent, KE_RC the status it gives.
kill_each() {
	ke_bad=0 ke_k=0
	for ke_sc in fdatasync fsync rename renameat2 linkat; do
		ke_n=1
		while [ "$ke_n" -le 40 ]; do
			ke_k=$((ke_k + 1))
			strace -f -qq -o /dev/null -e trace="$ke_sc" \
			    -e inject="$ke_sc":signal="${KE_SIG:-KILL}":when="$ke_n" \
			    sh -c "$2" sh "$ke_k" >"$T/kout" 2>"$T/kerr"
			ke_rc=$?
			if ! "$1" "$ke_k" >"$T/kcheck" 2>&1; then
				echo "${KE_SIG:-KILL} at $ke_sc #$ke_n:"
				sed 's/^/  /' "$T/kcheck"
				ke_bad=1
			fi
			[ "$ke_rc" -eq "${KE_RC:-137}" ] || break
			ke_n=$((ke_n + 1))
		done
	done
	return "$ke_bad"
}
# unaudited DB: no certificate in DB lacks its audit row.
unaudited() {
	sqlite3 "$1" "SELECT serial FROM certs c WHERE NOT EXISTS (SELECT 1
	    FROM audit a WHERE a.serial = c.serial AND a.outcome = 'ok')" |
	    grep . && return 1
	return 0
}
# deterministic DESC CHECK SCRIPT: kill_each as one test, skipped without
# a working strace.
deterministic() {
	if [ "$have_strace" -ne 137 ]; then
		ok "$1 # skip: no strace that can inject a SIGKILL"
		return
	fi
	assert "$1" kill_each "$2" "$3"
}

sub_audited() { unaudited "$D/root/roleca.db"; }
deterministic "init --parent killed at each step: the parent logs every subordinate it records" \
	sub_audited "exec '$ROLECA' --dir '$T/sub'\$1 init --config '$D/issuing.cfg' --parent '$D/root' 2>/dev/null"

# init into a directory that holds other files builds the CA in place.
# Killed at any step it leaves a whole CA, or what init's next run names
# (some of the CA's files, no ca.cfg), after whose moving aside init
# works; never the directory's own file lost.
in_place_ok() {
	ip=$T/inplace$1
	[ "$(cat "$ip/notes.txt" 2>/dev/null)" = mine ] ||
	    { echo "notes.txt lost"; return 1; }
	if [ -e "$ip/ca.cfg" ]; then
		"$ROLECA" --dir "$ip" list >/dev/null 2>&1 && return 0
		echo "ca.cfg there, but not a CA roleca can use"
		return 1
	fi
	"$ROLECA" --dir "$ip" init --config "$D/root.cfg" >/dev/null \
	    2>"$T/iperr" && return 0
	grep -q "but no ca.cfg, as an init that did not finish" "$T/iperr" ||
	    { cat "$T/iperr"; return 1; }
	mkdir "$ip.aside"
	for f in ca.key ca.crt roleca.db roleca.db-wal roleca.db-shm \
	    chain.pem; do
		[ ! -e "$ip/$f" ] || mv "$ip/$f" "$ip.aside/"
	done
	"$ROLECA" --dir "$ip" init --config "$D/root.cfg" >/dev/null \
	    2>"$T/iperr" || { cat "$T/iperr"; return 1; }
}
deterministic "init in a directory with other files, killed at each step: a whole CA, or one init names" \
	in_place_ok "mkdir -p '$T/inplace'\$1 && echo mine >'$T/inplace'\$1/notes.txt && exec '$ROLECA' --dir '$T/inplace'\$1 init --config '$D/root.cfg' 2>/dev/null"

# renew --revoke-old: the new certificate and the old one's revocation each
# with its audit row, whatever the moment; the next run renews a valid one.
DDB=$D/issuing/roleca.db
roleca --dir "$D/issuing" issue persistent-chat --set server_fqdn=rn.lab.example \
    --out "$T/rn" >"$T/next" 2>/dev/null || not_ok "a certificate to renew"
renewed_audited() {
	unaudited "$DDB" || return 1
	sqlite3 "$DDB" "SELECT serial FROM certs c WHERE status = 'revoked'
	    AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.serial = c.serial
	    AND a.operation = 'revoke' AND a.outcome LIKE 'ok: superseded%')" | grep . && return 1
	sqlite3 "$DDB" "SELECT serial FROM certs WHERE status = 'valid' AND
	    profile = 'persistent-chat' LIMIT 1" >"$T/next"
}
deterministic "renew --new-key --revoke-old killed at each step: every revocation is logged" \
	renewed_audited "exec '$ROLECA' --dir '$D/issuing' renew \$(cat '$T/next') --new-key --revoke-old --out '$T/rn'\$1 2>/dev/null"

# install-cert, for a CA made with --csr-out: whatever moment it is killed
# at, running it again finishes the CA with its whole chain.
roleca --dir "$T/ext" init --config "$D/issuing.cfg" --csr-out "$T/ext.csr" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/extroot.key" -subj "/CN=External Root" -days 3650 \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$T/extroot.crt" 2>/dev/null
printf '%s\n' "basicConstraints = critical,CA:TRUE,pathlen:0" \
    "keyUsage = critical,keyCertSign,cRLSign" "subjectKeyIdentifier = hash" \
    "authorityKeyIdentifier = keyid" >"$T/ext.ext"
openssl x509 -req -in "$T/ext.csr" -CA "$T/extroot.crt" -CAkey "$T/extroot.key" \
    -CAcreateserial -days 1000 -sha256 -extfile "$T/ext.ext" -out "$T/ext.crt" 2>/dev/null
cat "$T/ext.crt" "$T/extroot.crt" >"$T/extchain.pem"
installed() {
	[ -e "$T/ic$1/ca.crt" ] && [ -e "$T/ic$1/chain.pem" ] ||
	    roleca --dir "$T/ic$1" install-cert "$T/extchain.pem" || return 1
	test "$(grep -c 'BEGIN CERTIFICATE' "$T/ic$1/chain.pem")" -eq 2
}
deterministic "install-cert killed at each step: run again, it finishes the CA" \
	installed "cp -a '$T/ext' '$T/ic'\$1 && exec '$ROLECA' --dir '$T/ic'\$1 install-cert '$T/extchain.pem' 2>/dev/null"
cp -a "$T/ext" "$T/ic-other"
roleca --dir "$T/ic-other" install-cert "$T/extchain.pem" 2>/dev/null
rm -f "$T/ic-other/chain.pem"
openssl x509 -req -in "$T/ext.csr" -CA "$T/extroot.crt" -CAkey "$T/extroot.key" \
    -CAcreateserial -days 999 -sha256 -extfile "$T/ext.ext" -out "$T/ext2.crt" 2>/dev/null
expect 1 "... but not with another certificate" \
	roleca --dir "$T/ic-other" install-cert "$T/ext2.crt"
assert "... which leaves chain.pem out" test ! -e "$T/ic-other/chain.pem"

# issue --force over a server's files: killed at any moment, the files are
# still there under their names, and every copy a kill leaves of an old or
# a new key is whole and 0600.
mkdir "$T/fk"
roleca --dir "$D/issuing" issue persistent-chat --set server_fqdn=fk.lab.example \
    --out "$T/fk/fk" >/dev/null 2>&1 || not_ok "files to replace"
replaced() {
	openssl x509 -in "$T/fk/fk.crt" -noout || return 1
	for f in "$T/fk/fk.key" "$T/fk"/.fk.key.tmp-*; do
		[ -e "$f" ] || continue
		[ "$(stat -c %a "$f")" = 600 ] || { echo "$f: mode $(stat -c %a "$f")"; return 1; }
		openssl pkey -in "$f" -noout || { echo "$f: not a whole key"; return 1; }
	done
}
deterministic "issue --force killed at each step: no name goes missing, every key copy is whole and 0600" \
	replaced "exec '$ROLECA' --dir '$D/issuing' issue persistent-chat --set server_fqdn=fk.lab.example --out '$T/fk/fk' --force >/dev/null 2>&1"

# An interrupt (SIGINT, SIGTERM, SIGHUP) is not a crash: from the record's
# commit to the last file placed it waits, so an issue stopped at any of
# its syncs, renames or links leaves every file and the record, or none of
# either; and it then ends roleca as it would have.
mkdir -p "$T/int"
echo 'an export pass phrase' >"$T/int/p12pass"
whole_or_none() {
	wn_files=$(ls "$T/int/$1" | grep -vc '^\.')
	wn_rows=$(sqlite3 "$DDB" "SELECT count(*) FROM certs
	    WHERE subject LIKE '%int$1.lab.example%'")
	{ [ "$wn_files" -eq 4 ] && [ "$wn_rows" -eq 1 ]; } ||
	    { [ "$wn_files" -eq 0 ] && [ "$wn_rows" -eq 0 ]; } ||
	    { echo "$wn_files files, $wn_rows rows"; return 1; }
}
KE_SIG=INT KE_RC=130 deterministic \
	"issue --p12 interrupted at each step: all four files and the record, or nothing" \
	whole_or_none "mkdir -p '$T/int/'\$1 && exec '$ROLECA' --dir '$D/issuing' issue persistent-chat --set server_fqdn=int\$1.lab.example --p12-pass-file '$T/int/p12pass' --out '$T/int/'\$1/pc >/dev/null 2>&1"

# init interrupted at any of its syncs and renames: the whole CA, or no
# trace of it, neither under its name nor as a hidden sibling holding a key.
mkdir -p "$T/ini"
init_whole_or_none() {
	iw=$T/ini/ca$1
	ls -A "$T/ini" | grep -q "^\.ca$1\.init-" &&
	    { echo "a sibling is left: $(ls -A "$T/ini")"; return 1; }
	[ ! -e "$iw" ] && return 0
	"$ROLECA" --dir "$iw" list >/dev/null 2>&1 ||
	    { echo "ca$1 is there but not a CA roleca can use"; return 1; }
}
KE_SIG=INT KE_RC=130 deterministic \
	"init interrupted at each step: a whole CA or nothing, no sibling left" \
	init_whole_or_none "exec '$ROLECA' --dir '$T/ini/ca'\$1 init --config '$D/root.cfg' 2>/dev/null"
finish
