#!/bin/sh
# Concurrent writers on one CA: four processes issue 50 certificates each
# while a fifth revokes already-issued certificates and signs CRLs in a
# loop. Every write must land (waiting for the lock, not failing half
# way), serials must be unique, files must match the database, and CRL
# numbers must only go up.
. "${SRCDIR:-.}/tests/cli/lib.sh"

WORKERS=4
PER=50
TOTAL=$((WORKERS * PER))

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
cd "$T" || exit 1
mkdir -p out logs

# Stop whatever is still running if the test is cut short.
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# issuer W: PER certificates; one "INDEX RC SERIAL" line each in logs/issuer.W.
issuer() {
	w=$1 i=1
	: >"logs/issuer.$w"
	while [ "$i" -le "$PER" ]; do
		s=$("$ROLECA" --dir "$I" issue persistent-chat \
		    --set "server_fqdn=s$w-$i.lab.example" --out "out/s$w-$i" \
		    2>"logs/issuer.$w.$i.err")
		r=$?
		echo "$i $r ${s:--}" >>"logs/issuer.$w"
		i=$((i + 1))
	done
}

# The fifth process: revoke one issued, not yet revoked certificate and
# sign a CRL, until the issuers are done (logs/done), then once more so
# the last CRL follows the last revocation.
revoker() {
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
		s=$(cat logs/issuer.* 2>/dev/null | awk '$2 == 0 && $3 != "-" { print $3 }' |
			grep -vxF -f logs/revoked | head -1)
		if [ -n "$s" ]; then
			if "$ROLECA" --dir "$I" revoke "$s" --reason superseded \
			    >/dev/null 2>logs/revoke.err; then
				echo "$s" >>logs/revoked
			else
				{ echo "revoke $s failed:"; cat logs/revoke.err; } \
				    >>logs/revoker.fail
			fi
		fi
		if "$ROLECA" --dir "$I" crl --out logs/last.crl >/dev/null 2>logs/crl.err; then
			openssl crl -inform DER -in logs/last.crl -noout -crlnumber |
				sed 's/^crlNumber=//' >>logs/crlnums
		else
			{ echo "crl failed:"; cat logs/crl.err; } >>logs/revoker.fail
		fi
	done
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
cat logs/issuer.* | sort -k3 >logs/all
bad=$(awk '$2 != 0' logs/all | wc -l)
if [ "$bad" -eq 0 ] && [ "$(wc -l <logs/all)" -eq "$TOTAL" ]; then
	ok "all $TOTAL issue commands exited 0"
else
	not_ok "all $TOTAL issue commands exited 0 ($bad failed, $(wc -l <logs/all) ran)"
	for f in logs/issuer.*.err; do
		[ -s "$f" ] && sed "s|^|#   $(basename "$f" .err): |" "$f"
	done | head -40
fi
# A failure must say why in one clear line (a lock wait running out says so).
unclear=0
for f in logs/issuer.*.err; do
	if [ -s "$f" ] && ! grep -q '^roleca: issue: .*locked by another roleca process' "$f"; then
		unclear=$((unclear + 1))
	fi
done
assert "any issue failure reports the lock clearly" test "$unclear" -eq 0

assert "each printed a serial" sh -c "! awk '\$3 == \"-\"' logs/all | grep -q ."
awk '$3 != "-" { print $3 }' logs/all >logs/serials
assert "$TOTAL certificates recorded" test "$(rows "$DB")" -eq "$TOTAL"
assert "$TOTAL distinct serials printed" test "$(sort -u logs/serials | wc -l)" -eq "$TOTAL"
sqlite3 "$DB" "SELECT serial FROM certs ORDER BY serial" >logs/db.serials
assert "the database holds exactly the printed serials" sh -c \
	"sort -u logs/serials | cmp -s - logs/db.serials"

# Every .crt is its database row, byte for byte, and names its serial.
mismatch=0
missing=0
w=1
while [ "$w" -le "$WORKERS" ]; do
	while read -r i r s; do
		[ "$s" = - ] && continue
		f=out/s$w-$i.crt
		if [ ! -f "$f" ]; then
			missing=$((missing + 1))
			echo "# missing: $f" >&2
			continue
		fi
		file=$(openssl x509 -in "$f" -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
		row=$(sqlite3 "$DB" "SELECT hex(der) FROM certs WHERE serial='$s'")
		if [ -z "$file" ] || [ "$file" != "$row" ]; then
			mismatch=$((mismatch + 1))
			echo "#   $f does not match the row of serial $s"
		fi
		fs=$(openssl x509 -in "$f" -noout -serial 2>/dev/null | sed 's/^serial=//' | tr A-F a-f)
		if [ "$fs" != "$(echo "$s" | tr A-F a-f)" ]; then
			mismatch=$((mismatch + 1))
			echo "#   $f has serial $fs, printed $s"
		fi
	done <"logs/issuer.$w"
	w=$((w + 1))
done
assert "every issued .crt file exists" test "$missing" -eq 0
assert "every .crt file matches its database row and serial" test "$mismatch" -eq 0
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
sqlite3 "$DB" "SELECT serial FROM certs WHERE status='revoked' ORDER BY serial" >logs/db.revoked
assert "the database marks exactly the revoked serials" sh -c \
	"sort logs/revoked | cmp -s - logs/db.revoked"

assert "PRAGMA integrity_check is ok" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok

# The final CRL: the one the loop signed last, after its last revocation.
crl=$I/crl/issuing.crl
assert "the final CRL is the loop's last" cmp "$crl" logs/last.crl
assert "the final CRL verifies against the CA" \
	openssl crl -in "$crl" -inform DER -noout -verify -CAfile "$I/ca.crt"
assert "... and carries the last number" test \
	"$(openssl crl -in "$crl" -inform DER -noout -crlnumber | sed 's/^crlNumber=//')" = \
	"$(tail -1 logs/crlnums)"
openssl crl -in "$crl" -inform DER -noout -text 2>/dev/null |
	sed -n 's/^ *Serial Number: *//p' | tr A-F a-f | sort >logs/crl.serials
assert "the final CRL lists every revoked serial, and only those" sh -c \
	"tr A-F a-f <logs/db.revoked | sort | cmp -s - logs/crl.serials"

finish
