#!/bin/sh
# Concurrent writers on one CA: four processes issue 50 certificates each
# while a fifth revokes already-issued certificates and signs CRLs in a
# loop. Every write must land (waiting for the lock, not failing half
# way), serials must be unique, files must match the database, and CRL
# numbers must only go up.
. "${SRCDIR:-.}/tests/cli/lib.sh"

# The default lock wait (10 s), whatever the caller's environment says.
unset ROLECA_BUSY_TIMEOUT_MS

WORKERS=4
PER=50
TOTAL=$((WORKERS * PER))

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
cd "$T" || exit 1
mkdir -p out logs

# Stop whatever is still running if the test is cut short: each worker
# stops the roleca it is waiting for, then itself.
pids=
cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# child CMD...: run CMD and wait for it, its status in $rc; a worker told to
# stop (TERM) stops CMD first, so nothing writes into $T after cleanup.
c=
child() {
	"$@" &
	c=$!
	wait "$c"
	rc=$?
	c=
}
on_stop() {
	trap '[ -z "$c" ] || { kill -TERM "$c" 2>/dev/null; wait "$c"; }; exit 143' TERM
}

# issuer W: PER certificates; one "W INDEX RC SERIAL" line each in logs/issuer.W,
# stderr in logs/err.W-INDEX.
issuer() {
	on_stop
	w=$1 i=1
	: >"logs/issuer.$w"
	while [ "$i" -le "$PER" ]; do
		child "$ROLECA" --dir "$I" issue persistent-chat \
		    --set "server_fqdn=s$w-$i.lab.example" --out "out/s$w-$i" \
		    >"logs/serial.$w" 2>"logs/err.$w-$i"
		s=$(cat "logs/serial.$w")
		echo "$w $i $rc ${s:--}" >>"logs/issuer.$w"
		i=$((i + 1))
	done
}

# The fifth process: revoke one issued, not yet revoked certificate and
# sign a CRL, until the issuers are done (logs/done), then once more so
# the last CRL follows the last revocation.
revoker() {
	on_stop
	: >logs/revoked
	: >logs/crlnums
	: >logs/revoker.fail
	deadline=$(($(date +%s) + 150))
	last=0
	while [ "$last" -eq 0 ]; do
		[ -f logs/done ] && last=1
		[ "$(date +%s)" -ge "$deadline" ] && {
			echo "deadline reached" >>logs/revoker.fail
			last=1
		}
		s=$(cat logs/issuer.* 2>/dev/null | awk '$3 == 0 && $4 != "-" { print $4 }' |
			grep -vxF -f logs/revoked | head -1)
		if [ -n "$s" ]; then
			child "$ROLECA" --dir "$I" revoke "$s" --reason superseded \
			    >/dev/null 2>logs/revoke.err
			if [ "$rc" -eq 0 ]; then
				echo "$s" >>logs/revoked
			else
				{ echo "revoke $s failed:"; cat logs/revoke.err; } \
				    >>logs/revoker.fail
			fi
		fi
		child "$ROLECA" --dir "$I" crl --out logs/last.crl >/dev/null 2>logs/crl.err
		if [ "$rc" -eq 0 ]; then
			crl_number logs/last.crl >>logs/crlnums
		else
			{ echo "crl failed:"; cat logs/crl.err; } >>logs/revoker.fail
		fi
	done
}

# crl_number FILE: a DER CRL's number, in decimal.
crl_number() {
	v=$(openssl crl -inform DER -in "$1" -noout -crlnumber 2>/dev/null | sed 's/^crlNumber=//')
	case $v in
	0x*) printf '%d\n' "$v" ;;
	*) echo "${v:-none}" ;;
	esac
}

start=$(date +%s)
w=1
ipids=
while [ "$w" -le "$WORKERS" ]; do
	issuer "$w" &
	ipids="$ipids $!"
	w=$((w + 1))
done
revoker &
rpid=$!
pids="$ipids $rpid"

for p in $ipids; do
	wait "$p"
done
: >logs/done
wait "$rpid"
pids=
echo "# $TOTAL issues by $WORKERS processes with crl/revoke alongside: $(($(date +%s) - start)) s"

# Exit codes: every issuer command succeeded.
cat logs/issuer.* >logs/all
bad=$(awk '$3 != 0' logs/all | wc -l)
if [ "$bad" -eq 0 ] && [ "$(wc -l <logs/all)" -eq "$TOTAL" ]; then
	ok "all $TOTAL issue commands exited 0"
else
	not_ok "all $TOTAL issue commands exited 0 ($bad failed, $(wc -l <logs/all) ran)"
	awk '$3 != 0 { print $1 "-" $2 }' logs/all | while read -r id; do
		sed "s|^|#   s$id: |" "logs/err.$id"
	done | head -40
fi
# A failure must say why (a lock wait running out says so); a success
# says nothing on stderr (no warning that its audit entry was lost).
unclear=0
noisy=0
while read -r w i r s; do
	e=logs/err.$w-$i
	if [ "$r" -ne 0 ]; then
		grep -q '^roleca: issue: .*locked by another roleca process' "$e" ||
			unclear=$((unclear + 1))
	elif [ -s "$e" ]; then
		noisy=$((noisy + 1))
		sed "s|^|#   s$w-$i: |" "$e" | head -2
	fi
done <logs/all
assert "any issue failure reports the lock clearly" test "$unclear" -eq 0
assert "the successful issues printed nothing on stderr" test "$noisy" -eq 0

assert "each printed a serial" sh -c "! awk '\$4 == \"-\"' logs/all | grep -q ."
awk '$4 != "-" { print $4 }' logs/all >logs/serials
assert "$TOTAL certificates recorded" test "$(rows "$DB")" -eq "$TOTAL"
assert "$TOTAL distinct serials printed" test "$(sort -u logs/serials | wc -l)" -eq "$TOTAL"
sqlite3 "$DB" "SELECT serial FROM certs" | sort >logs/db.serials
assert "the database holds exactly the printed serials" sh -c \
	"sort -u logs/serials | cmp -s - logs/db.serials"

# Every .crt is its database row, byte for byte: "SERIAL HEX" for each file
# named in an issuer's log, against the same from the database.
missing=0
w=1
: >logs/files.hex
while [ "$w" -le "$WORKERS" ]; do
	while read -r _ i r s; do
		[ "$s" = - ] && continue
		f=out/s$w-$i.crt
		if [ ! -f "$f" ]; then
			missing=$((missing + 1))
			echo "#   missing: $f"
			continue
		fi
		printf '%s %s\n' "$s" \
		    "$(openssl x509 -in "$f" -outform DER 2>/dev/null | xxd -p -c0)"
	done <"logs/issuer.$w" >>logs/files.hex
	w=$((w + 1))
done
sort logs/files.hex >logs/files.sorted
sqlite3 -separator ' ' "$DB" "SELECT serial, lower(hex(der)) FROM certs" |
	sort >logs/db.hex
assert "every issued .crt file exists" test "$missing" -eq 0
if cmp -s logs/files.sorted logs/db.hex; then
	ok "every .crt file matches its database row"
else
	not_ok "every .crt file matches its database row"
	join -a1 logs/files.sorted logs/db.hex | awk '$2 != $3 { print "#   serial " $1 ": file and row differ" }' | head -20
fi
assert "no temporary files left by the issuers" sh -c "! ls -A out | grep -q '^\\.'"

# The revoker.
if [ -s logs/revoker.fail ]; then
	not_ok "every revoke and crl in the loop succeeded"
	sed 's/^/#   /' logs/revoker.fail | head -40
else
	ok "every revoke and crl in the loop succeeded"
fi
ncrl=$(wc -l <logs/crlnums)
nrev=$(wc -l <logs/revoked)
echo "# the fifth process signed $ncrl CRLs and revoked $nrev certificates"
assert "the loop signed several CRLs while the issuers ran" test "$ncrl" -ge 3
assert "... and revoked certificates" test "$nrev" -ge 2
assert "CRL numbers strictly increase across the loop" awk '
	!/^[0-9]+$/ { print "not a number: " $0; exit 1 }
	NR > 1 && $1 + 0 <= prev { print "CRL " $1 " after " prev; exit 1 }
	{ prev = $1 + 0 }' logs/crlnums
sqlite3 "$DB" "SELECT serial FROM certs WHERE status='revoked'" | sort >logs/db.revoked
assert "the database marks exactly the revoked serials" sh -c \
	"sort logs/revoked >logs/r.sorted; sort logs/db.revoked | cmp -s - logs/r.sorted"

assert "PRAGMA integrity_check is ok" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok

# The final CRL: the one the loop signed last, after its last revocation.
crl=$I/crl/issuing.crl
assert "the final CRL is the loop's last" cmp "$crl" logs/last.crl
assert "the final CRL verifies against the CA" \
	openssl crl -in "$crl" -inform DER -noout -verify -CAfile "$I/ca.crt"
assert "... and carries the last number" test \
	"$(crl_number "$crl")" = \
	"$(tail -1 logs/crlnums)"
openssl crl -in "$crl" -inform DER -noout -text 2>/dev/null |
	sed -n 's/^ *Serial Number: *//p' | tr A-F a-f | sort >logs/crl.serials
assert "the final CRL lists every revoked serial, and only those" sh -c \
	"tr A-F a-f <logs/db.revoked | sort | cmp -s - logs/crl.serials"

finish
