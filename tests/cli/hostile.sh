#!/bin/sh
# Hostile input, table-driven: each case must end with one clear line on
# stderr, its documented exit code, no certificate recorded and no output
# file left behind.
. "${SRCDIR:-.}/tests/cli/lib.sh"

L=$T/lab
make_lab "$L" || { not_ok "lab setup"; finish; exit 1; }
I=$L/issuing
DB=$I/roleca.db
cd "$T" || exit 1
mkdir in res

# Inputs.
openssl ecparam -name prime256v1 -genkey -noout -out in/k.pem
openssl req -new -key in/k.pem -subj /CN=h.lab.example -out in/good.csr 2>/dev/null
openssl req -in in/good.csr -outform DER -out in/good.der
head -c 100 in/good.der >in/trunc.der
head -c 300 in/good.csr >in/trunc.pem
cp "$L/root/ca.crt" in/cert-as-csr.pem
cp in/k.pem in/key-as-csr.pem
sed 's/CERTIFICATE REQUEST/X509 CRL/' in/good.csr >in/wrong-type.pem
printf '\000\000\000\000' >in/zeros.bin
: >in/empty.csr
head -c 2000000 /dev/zero | tr '\0' A >in/huge.csr
printf '%s\n' '-----BEGIN CERTIFICATE REQUEST-----' '!!!!' '-----END CERTIFICATE REQUEST-----' >in/badb64.csr
printf 'subject = { CN = "x" };\nkey = "ec:p256";\ncdp = "http://a/b.crl";\n' >in/ok.cfg
printf 'subject = { CN = "\000x" };\nkey = "ec:p256";\ncdp = "http://a/b.crl";\n' >in/nul.cfg
printf 'subject = { CN = "x" };\nkey = "ec:p256";\ncdp = "http://a/\377.crl";\n' >in/nonutf8.cfg
printf 'description = "d";\nvariables = {};\nsubject = { CN = "x.lab.example" };\nkey = "ec:p256";\nvalidity_days = 9999;\neku = [ "serverAuth" ];\n' >in/longlife.cfg
printf 'description = "d";\nvariables = {};\nsubject = { CN = "x.lab.example" };\nkey = "ec:p256";\nvalidity_days = 30;\neku = [ "clientAuth" ];\n' >in/noserver.cfg
printf 'description = "d";\nvariables = {};\nsubject = { CN = "x.lab.example" };\nkey = "ec:p256";\nvalidity_days = 30;\neku = [ "serverAuth" ];\ndns = [ "${undefined}" ];\n' >in/undef.cfg
printf 'description = "d";\nvariables = {};\nsubject = { CN = "x.lab.example" };\nkey = "ec:p256";\nvalidity_days = 30;\neku = [ "serverAuth" ];\nkey_usage = [ "keyCertSign" ];\n' >in/certsign.cfg
mkdir -p "$I/profiles"
cp in/longlife.cfg in/noserver.cfg in/undef.cfg in/certsign.cfg "$I/profiles/"
ln -s /etc/passwd res/link.key
touch res/exists.key
printf 'x' >res/notadir
long=$(head -c 300 /dev/zero | tr '\0' a)
mkfifo in/fifo
{ printf '# %s\n' "$(head -c 5000 /dev/zero | tr '\0' c)"; printf '@include "ok.cfg"\n'; } >in/longline.cfg
echo 'p12-pass-phrase' >in/pass
big=$(head -c 100000 /dev/zero | tr '\0' n)
# a certificate to revoke, renew and export
GOOD=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=good.lab.example \
	--out in/good 2>/dev/null)
# the audit log's last outcome is one line and holds a string
audit_has() {
	sqlite3 "$1" 'SELECT outcome FROM audit ORDER BY id DESC LIMIT 1' >"$T/audit"
	[ "$(wc -l <"$T/audit")" -eq 1 ] && grep -qF -- "$2" "$T/audit"
}
no_control() { ! LC_ALL=C grep -q '[[:cntrl:]]' "$T/err"; }

before=$(rows "$DB")
# case CODE DESCRIPTION COMMAND...
case_() {
	code=$1 desc=$2
	shift 2
	expect "$code" "$desc" "$@"
	if [ "$code" -eq 3 ]; then
		# a refusal lists every broken rule, one line each
		if ! grep -qv '^roleca: [a-z-]*: refused: ' "$T/err"; then
			ok "... one line per broken rule"
		else
			not_ok "... one line per broken rule"; show_output
		fi
	elif [ "$code" -ne 0 ]; then
		if err_one_line; then ok "... in one line"; else not_ok "... in one line"; show_output; fi
	fi
}
FE="--set pool_fqdn=pool01.lab.example --set server_fqdn=fe01.lab.example --set sip_domain=lab.example"
S="roleca --dir $I sign persistent-chat --out res/s --csr"
case_ 1 "truncated DER CSR" $S in/trunc.der
case_ 1 "truncated PEM CSR" $S in/trunc.pem
case_ 1 "a certificate where a CSR belongs" $S in/cert-as-csr.pem
case_ 1 "a private key where a CSR belongs" $S in/key-as-csr.pem
case_ 1 "a PEM block of the wrong type" $S in/wrong-type.pem
case_ 1 "binary zeros" $S in/zeros.bin
case_ 1 "an empty CSR file" $S in/empty.csr
assert "... says it is empty" err_has "in/empty.csr: empty (no certificate request)"
case_ 1 "a 2 MB CSR file" $S in/huge.csr
case_ 1 "bad base64 inside PEM headers" $S in/badb64.csr
cat in/good.csr in/good.csr >in/two.csr
case_ 1 "two CSRs in one file" $S in/two.csr
assert "... saying so" err_has "holds 2 certificate requests"
case_ 1 "a CSR path that is a directory" $S in
case_ 1 "a CSR that does not exist" $S in/nonexistent.csr
case_ 1 "check of a key file" roleca check in/k.pem
case_ 1 "check of an empty file" roleca check in/empty.csr
case_ 1 "init with a NUL byte in the config" roleca --dir "$T/ca-nul" init --config in/nul.cfg
case_ 1 "init with a non-UTF-8 URL" roleca --dir "$T/ca-utf" init --config in/nonutf8.cfg
case_ 1 "init with a config that is a directory" roleca --dir "$T/ca-dir" init --config in
case_ 3 "DN injection through a variable (a,O=Evil as a DNS name)" roleca --dir "$I" issue \
	frontend --set "pool_fqdn=a,O=Evil" --set server_fqdn=fe01.lab.example \
	--set sip_domain=lab.example --out res/inj
case_ 3 "a name with a NUL-like escape" roleca --dir "$I" issue persistent-chat \
	--set 'server_fqdn=a\x00.lab.example' --out res/esc
case_ 2 "a control character in a variable" roleca --dir "$I" issue persistent-chat \
	--set "server_fqdn=$(printf 'a\tb').lab.example" --out res/ctl
case_ 2 "non-UTF-8 in a variable" roleca --dir "$I" issue persistent-chat \
	--set "server_fqdn=$(printf 'caf\351').lab.example" --out res/latin1
# the CN it would be is longer than RFC 5280's 64: refused as a value
case_ 2 "a 300-character label" roleca --dir "$I" issue persistent-chat \
	--set "server_fqdn=$long.lab.example" --out res/long
case_ 3 "a name outside the permitted domains" roleca --dir "$I" issue persistent-chat \
	--set server_fqdn=www.example.com --out res/outside
case_ 3 "a wildcard the profile does not allow" roleca --dir "$I" issue persistent-chat \
	--set 'server_fqdn=*.lab.example' --out res/wild
case_ 3 "an IP address as a DNS name" roleca --dir "$I" issue persistent-chat \
	--set server_fqdn=10.0.0.1 --out res/ip
case_ 2 "path traversal in a profile name" roleca --dir "$I" issue ../../etc/passwd $FE
case_ 2 "an absolute path as a profile name" roleca --dir "$I" issue /etc/passwd $FE
case_ 2 "a profile name with a space" roleca --dir "$I" issue "front end" $FE
case_ 1 "output into a directory that does not exist" roleca --dir "$I" issue frontend $FE \
	--out res/no/such/dir/x
case_ 1 "output through a file used as a directory" roleca --dir "$I" issue frontend $FE \
	--out res/notadir/x
case_ 1 "an output key path that is a symlink" roleca --dir "$I" issue frontend $FE --out res/link
assert "... the symlink's target is untouched" sh -c "grep -q root /etc/passwd && test -L res/link.key"
case_ 1 "an existing output file" roleca --dir "$I" issue frontend $FE --out res/exists
case_ 1 "an output directory that is a file" roleca --dir "$I" issue frontend $FE --out res/notadir/
case_ 1 "a profile whose lifetime exceeds the CA's maximum is refused at issue (3) or load" \
	sh -c "roleca() { \"\$ROLECA\" \"\$@\"; }; roleca --dir '$I' issue longlife --out res/ll; test \$? -eq 3 && exit 1 || exit \$?"
case_ 1 "a profile without serverAuth" roleca --dir "$I" issue noserver --out res/ns
case_ 1 "a profile with an undefined variable" roleca --dir "$I" issue undef --out res/ud
case_ 1 "a profile asking for keyCertSign" roleca --dir "$I" issue certsign --out res/cs
case_ 2 "an unknown option" roleca --dir "$I" issue frontend --evil
case_ 2 "a missing option value" roleca --dir "$I" issue frontend --out
case_ 2 "a --set without '='" roleca --dir "$I" issue frontend --set pool_fqdn
case_ 2 "an invalid serial" roleca --dir "$I" revoke "'; DROP TABLE certs; --"
case_ 1 "a serial that is not there" roleca --dir "$I" revoke 00ff00ff00ff
case_ 2 "a reason that does not exist" roleca --dir "$I" revoke 00ff --reason because
# Control characters in what the user typed come back escaped: one line,
# no terminal escape, on stderr and in the audit log.
case_ 1 "a CSR path with a newline and a terminal escape" $S "$(printf 'no\nsuch\033[2J')"
assert "... escaped in the message" err_has 'no\nsuch\x1b[2J'
assert "... no control character on stderr" no_control
assert "... nor in the audit log" audit_has "$DB" 'no\nsuch\x1b[2J'
case_ 2 "a command name with a newline" roleca --dir "$I" "$(printf 'li\nst')"
# Option errors: one line, naming the option.
case_ 2 "an unknown global option" roleca -x list
assert "... names it and where the options are listed" err_has "unknown option '-x' (roleca --help"
case_ 2 "a global option without its value" roleca --dir
assert "... names it" err_has "option '--dir' needs a value"
case_ 2 "a negative number where a serial belongs" roleca --dir "$I" show -409530
assert "... names the option, not the command" err_has "show: unknown option '-4'"
case_ 2 "clustered short options" roleca --dir "$I" list -vv
assert "... names the option, not the command" err_has "list: unknown option '-v'"
case_ 2 "a value for an option that takes none" roleca --dir "$I" list --json=1
assert "... says so" err_has "option '--json' takes no value"
case_ 2 "an ambiguous abbreviation" roleca --dir "$I" issue frontend $FE --p
assert "... lists the candidates" err_has "option '--p' is ambiguous (--p12, --p12-pass-file, --p12-legacy)"
# A configuration is read twice by name, so it must be a regular file;
# other inputs may come through a pipe or FIFO (read to its writer's end,
# the writer coming after roleca starts) or a character device, bounded.
case_ 1 "a CA config that is a device" timeout 60 "$ROLECA" --dir "$T/ca-zero" init --config /dev/zero
assert "... says what it is" err_has "/dev/zero: not a regular file"
case_ 1 "a CA config that is a FIFO" timeout 60 "$ROLECA" --dir "$T/ca-fifo" init --config in/fifo
assert "... says what it is" err_has "in/fifo: not a regular file"
case_ 1 "a deployment file that is a device" timeout 60 "$ROLECA" --dir "$I" deploy /dev/zero --out res/dep
assert "... says what it is" err_has "/dev/zero: not a regular file"
case_ 1 "a certificate that is a device: bounded" timeout 60 "$ROLECA" check /dev/zero
assert "... says how large it may be" err_has "/dev/zero: larger than 1048576 bytes"
blk=$(find /dev -maxdepth 1 -type b 2>/dev/null | head -n 1)
if [ -n "$blk" ] && head -c 1 "$blk" >/dev/null 2>&1; then
	case_ 1 "a CSR that is a block device" $S "$blk"
	assert "... says what it is" err_has "$blk: not a regular file"
else
	ok "a CSR that is a block device # SKIP no readable block device"
fi
mkdir "$T/piped"
(sleep 1; cat in/good.csr >in/fifo) &
expect 0 "a CSR through a FIFO whose writer comes a second later" timeout 60 "$ROLECA" \
	--dir "$I" sign persistent-chat --set server_fqdn=h.lab.example --csr in/fifo \
	--out "$T/piped/f"
wait
assert "... openssl verifies it" verify_server "$L" "$T/piped/f.crt"
expect 0 "a CSR on /dev/stdin" sh -c "'$ROLECA' --dir '$I' sign persistent-chat \
	--set server_fqdn=h.lab.example --csr /dev/stdin --out '$T/piped/s' <in/good.csr"
assert "... openssl verifies it" verify_server "$L" "$T/piped/s.crt"
before=$((before + 2))	# these two, signed on purpose
(sleep 1; exec 3>in/fifo; sleep 1; exec 3>&-) &
case_ 1 "a FIFO whose writer writes nothing" timeout 60 "$ROLECA" --dir "$I" sign \
	persistent-chat --set server_fqdn=h.lab.example --csr in/fifo --out res/s
assert "... says it is empty" err_has "in/fifo: empty (no certificate request)"
wait
(sleep 1; cat in/pass >in/fifo) &
expect 0 "a passphrase through a FIFO" timeout 60 "$ROLECA" --dir "$I" export "$GOOD" \
	--key in/good.key --out "$T/piped/p.p12" --p12-pass-file in/fifo
wait
assert "... openssl opens the PKCS#12 with it" openssl pkcs12 -in "$T/piped/p.p12" \
	-passin file:in/pass -noout
case_ 1 "an @include after a 5000-character line" roleca --dir "$T/ca-long" init --config in/longline.cfg
assert "... at its line, 2" err_has "in/longline.cfg:2: @include"
# Revocation dates: the documented forms, and days that exist.
for d in 2026-02-30 2025-02-29 2025-04-31 2025-01-01T00:00:60Z 2025-01-01T24:00:00Z \
    2025-01-1 2025-1-01 "2025-01-01 " " 2025-01-01" 2025-01-01T00:00:00 2025-01-01t00:00:00z \
    +2025-01-01 2025-01-01T1:00:00Z; do
	case_ 2 "revoke --date '$d'" roleca --dir "$I" revoke "$GOOD" --date "$d"
	assert "... names the option" err_has "--date '$d'"
done
assert "... and the certificate is not revoked" \
	test "$(sqlite3 "$DB" "SELECT count(*) FROM certs WHERE status = 'revoked'")" -eq 0
# Friendly names: one plain line of at most 64 characters, and only where
# a PKCS#12 file is written.
case_ 2 "--friendly-name without --p12" roleca --dir "$I" issue frontend $FE --out res/fn \
	--friendly-name X
case_ 2 "a friendly name with a newline" roleca --dir "$I" export "$GOOD" --key in/good.key \
	--out res/x.p12 --p12-pass-file in/pass --friendly-name "$(printf 'a\nb')"
case_ 2 "a friendly name with a terminal escape" roleca --dir "$I" export "$GOOD" \
	--key in/good.key --out res/x.p12 --p12-pass-file in/pass --friendly-name "$(printf 'a\033[2Jb')"
assert "... escaped in the message" no_control
case_ 2 "an empty friendly name" roleca --dir "$I" export "$GOOD" --key in/good.key \
	--out res/x.p12 --p12-pass-file in/pass --friendly-name ""
case_ 2 "a 100 KB friendly name" roleca --dir "$I" export "$GOOD" --key in/good.key \
	--out res/x.p12 --p12-pass-file in/pass --friendly-name "$big"
case_ 2 "a 100 KB friendly name at issue" roleca --dir "$I" issue frontend $FE --out res/fb \
	--p12-pass-file in/pass --friendly-name "$big"
case_ 2 "a friendly name that is not UTF-8" roleca --dir "$I" export "$GOOD" --key in/good.key \
	--out res/x.p12 --p12-pass-file in/pass --friendly-name "$(printf 'caf\351')"
# An empty --out is a mistake, not the default.
case_ 2 "issue --out ''" roleca --dir "$I" issue frontend $FE --out ""
case_ 2 "renew --out ''" roleca --dir "$I" renew "$GOOD" --out ""
case_ 2 "export --out ''" roleca --dir "$I" export "$GOOD" --key in/good.key --out "" \
	--p12-pass-file in/pass
case_ 2 "sign --out ''" roleca --dir "$I" sign persistent-chat --csr in/good.csr \
	--set server_fqdn=h.lab.example --out ""
case_ 2 "request --out ''" roleca --dir "$I" request persistent-chat \
	--set server_fqdn=h.lab.example --out ""
# A ':' only between hex digits.
for s in ':0a' '0a:' '0a::1b' ':'; do
	case_ 2 "the serial '$s'" roleca --dir "$I" show "$s"
done
case_ 1 "a CA directory that is a file" roleca --dir in/ok.cfg list
case_ 1 "a CA directory that does not exist" roleca --dir "$T/nowhere" list
case_ 1 "a database that is not SQLite" sh -c \
	"mkdir -p '$T/fake' && cp in/ok.cfg '$T/fake/ca.cfg' && echo junk >'$T/fake/roleca.db' && \"\$ROLECA\" --dir '$T/fake' list"

assert "no hostile input recorded a certificate" test "$(rows "$DB")" -eq "$before"
assert "the database passes integrity_check" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok
assert "no output file was left behind" sh -c \
	"test -z \"\$(ls -A res | grep -v -e '^link.key\$' -e '^exists.key\$' -e '^notadir\$')\""

# A full disk, where the machine lets a test mount a tmpfs.
if mkdir -p "$T/full" && mount -t tmpfs -o size=48k tmpfs "$T/full" 2>/dev/null; then
	head -c 40000 /dev/zero >"$T/full/filler" 2>/dev/null
	case_ 1 "a full disk while writing the outputs" roleca --dir "$I" issue frontend $FE \
		--out "$T/full/fe"
	assert "... nothing recorded" test "$(rows "$DB")" -eq "$before"
	assert "... no half-written file" sh -c "test -z \"\$(ls -A '$T/full' | grep -v '^filler\$')\""
	umount "$T/full"
	# The database's own disk full, then read-only: the operation's failure
	# and the audit row that could not be written either, in one line.
	mkdir -p "$T/dbfull"
	if mount -t tmpfs -o size=400k tmpfs "$T/dbfull" 2>/dev/null; then
		cp -a "$I" "$T/dbfull/ca"
		dbrows=$(rows "$T/dbfull/ca/roleca.db")
		# room to open the database (its 32 KB shared-memory index), not
		# to commit a certificate nor, after the rollback, an audit row
		avail=$(df --output=avail -B1 "$T/dbfull" | tail -n 1)
		head -c $((avail - 36 * 1024)) /dev/zero >"$T/dbfull/filler"
		case_ 1 "a full disk under the database" roleca --dir "$T/dbfull/ca" issue \
			frontend $FE --out res/dbfull
		assert "... the audit failure folded into it" err_has "full; not in the audit log either"
		rm -f "$T/dbfull/filler"
		assert "... nothing recorded" test "$(rows "$T/dbfull/ca/roleca.db")" -eq "$dbrows"
		# no room for the log's index, which SQLite makes again when
		# it is missing: "disk I/O error" says which error it was
		rm -f "$T/dbfull/ca/roleca.db-shm"
		avail=$(df --output=avail -B1 "$T/dbfull" | tail -n 1)
		head -c "$avail" /dev/zero >"$T/dbfull/filler"
		case_ 1 "a full disk where the database's index is made" roleca \
			--dir "$T/dbfull/ca" revoke "$GOOD"
		assert "... says the disk is full" err_has "(No space left on device)"
		rm -f "$T/dbfull/filler"
		assert "... the database passes integrity_check" \
			test "$(sqlite3 "$T/dbfull/ca/roleca.db" 'PRAGMA integrity_check')" = ok
		# opened once with room, so its index is there to open it read-only
		roleca --dir "$T/dbfull/ca" list >/dev/null 2>&1
		if mount -o remount,ro "$T/dbfull" 2>/dev/null; then
			case_ 1 "a read-only database" roleca --dir "$T/dbfull/ca" revoke "$GOOD"
			assert "... the audit failure folded into it" err_has "database; not in the audit log either"
		fi
		umount "$T/dbfull"
	fi
	# init into a directory that holds a file, on a disk too full for the
	# database's first commit: nothing of the CA is left, SQLite's log
	# and index included, and the next init, with room, goes ahead.
	mkdir -p "$T/initfull"
	if mount -t tmpfs -o size=300k tmpfs "$T/initfull" 2>/dev/null; then
		mkdir "$T/initfull/ca" && echo notes >"$T/initfull/ca/README"
		avail=$(df --output=avail -B1 "$T/initfull" | tail -n 1)
		head -c $((avail - 64 * 1024)) /dev/zero >"$T/initfull/filler"
		case_ 1 "init on a disk too full for its database" roleca \
			--dir "$T/initfull/ca" init --config "$L/issuing.cfg"
		assert "... leaves the directory as it was" test "$(ls -A "$T/initfull/ca")" = README
		rm -f "$T/initfull/filler"
		case_ 0 "... so init with room goes ahead" roleca --dir "$T/initfull/ca" init \
			--config "$L/issuing.cfg"
		umount "$T/initfull"
	fi
else
	echo "# full disk: this machine does not let the test mount a tmpfs (skipped; the unwritable directory below covers failed writes)"
fi

# A full file system whose blocks are smaller than a page, as mke2fs
# makes ext4 under 512 MB, where the machine lets a test mount one: the
# log's index (roleca.db-shm) that SQLite maps has holes there, which a
# full disk must not turn into SIGBUS. Each amount of free space, on a
# fresh copy whose index is made again, fails another write.
mkdir -p "$T/small" "$T/smallout"
if truncate -s 4M "$T/small.img" 2>/dev/null &&
    mkfs.ext4 -q -F -b 1024 -m 0 "$T/small.img" >/dev/null 2>&1 &&
    mount -o loop "$T/small.img" "$T/small" 2>/dev/null; then
	died= lines= unnamed= left=
	for kb in 0 4 8 12 16 20 24 28 32 36 40 44 48 52 56 60 64; do
		rm -rf "$T/small/ca" "$T/small/filler" "$T/smallout/"*
		cp -a "$I" "$T/small/ca"
		rm -f "$T/small/ca/roleca.db-shm"
		sm0=$(rows "$T/small/ca/roleca.db")
		avail=$(df --output=avail -B1 "$T/small" | tail -n 1)
		[ "$avail" -gt $((kb * 1024)) ] &&
			fallocate -l $((avail - kb * 1024)) "$T/small/filler"
		run "$ROLECA" --dir "$T/small/ca" issue frontend $FE \
			--out "$T/smallout/fe"
		rm -f "$T/small/filler"
		[ "$rc" -lt 128 ] || died="$died $kb"
		[ "$rc" -eq 0 ] || err_one_line || lines="$lines $kb"
		[ "$rc" -eq 0 ] || [ "$(rows "$T/small/ca/roleca.db")" -eq "$sm0" ] ||
			err_has "is recorded but" || unnamed="$unnamed $kb"
		[ "$rc" -eq 0 ] || [ -z "$(ls -A "$T/smallout")" ] ||
			left="$left $kb"
	done
	assert "a full 1 KiB-block file system under the database: no run dies of a signal" \
		test -z "$died"
	assert "... each failure in one line" test -z "$lines"
	assert "... no certificate recorded unsaid" test -z "$unnamed"
	assert "... no file left in the output directory" test -z "$left"
	umount "$T/small"
else
	ok "a full 1 KiB-block file system under the database # SKIP no loop-mounted ext4 here"
fi

# --force on an ext4 out of inodes but for the new files' own: the file
# each replaces is kept aside by a link, which needs no inode, so the
# replacement is made rather than recorded without its files.
mkdir -p "$T/fewino"
if truncate -s 8M "$T/fewino.img" 2>/dev/null &&
    mkfs.ext4 -q -F -N 32 -O ^has_journal "$T/fewino.img" >/dev/null 2>&1 &&
    mount -o loop "$T/fewino.img" "$T/fewino" 2>/dev/null; then
	mkdir "$T/fewino/out"
	"$ROLECA" --dir "$I" issue persistent-chat --set server_fqdn=ino.lab.example \
		--out "$T/fewino/out/a" >/dev/null 2>&1
	i=0
	while touch "$T/fewino/f$i" 2>/dev/null; do i=$((i + 1)); done
	rm -f "$T/fewino/f$((i - 1))" "$T/fewino/f$((i - 2))" "$T/fewino/f$((i - 3))"
	expect 0 "--force with inodes for the new files only" "$ROLECA" --dir "$I" \
		issue persistent-chat --set server_fqdn=ino.lab.example --out "$T/fewino/out/a" \
		--force
	assert "... the new certificate is in place" test \
		"$(openssl x509 -in "$T/fewino/out/a.crt" -noout -serial | cut -d= -f2 |
		tr A-F a-f)" = "$(cat "$T/out")"
	assert "... with its key" test "$(openssl x509 -in "$T/fewino/out/a.crt" -noout -pubkey)" = \
		"$(openssl pkey -in "$T/fewino/out/a.key" -pubout)"
	assert "... and nothing left aside" test "$(ls -A "$T/fewino/out" | wc -l)" -eq 3
	umount "$T/fewino"
else
	ok "--force with inodes for the new files only # SKIP no loop-mounted ext4 here"
fi

# A long --out prefix whose every file name is legal (at most 255 bytes):
# the temporaries must fit too.
mkdir "$T/lp"
p245=$T/lp/$(head -c 245 /dev/zero | tr '\0' p)
expect 0 "a 245-character --out prefix" roleca --dir "$I" issue frontend $FE --out "$p245" \
	--p12-pass-file in/pass
assert "... every file whole" sh -c "openssl x509 -in '$p245.crt' -noout &&
	openssl pkey -in '$p245.key' -noout && test -s '$p245.chain.pem' &&
	openssl pkcs12 -in '$p245.p12' -passin file:in/pass -noout"
expect 0 "... replaced with --force" roleca --dir "$I" issue frontend $FE --out "$p245" \
	--p12-pass-file in/pass --force
assert "... no temporary left" test "$(ls -A "$T/lp" | wc -l)" -eq 4
# 64 characters is the bound, and a plain name goes into the file.
fn64=$(head -c 64 /dev/zero | tr '\0' f)
expect 0 "a 64-character friendly name" roleca --dir "$I" export "$GOOD" --key in/good.key \
	--out "$T/lp/good.p12" --p12-pass-file in/pass --friendly-name "$fn64"
assert "... is the PKCS#12 friendly name" sh -c "openssl pkcs12 -in '$T/lp/good.p12' \
	-passin file:in/pass -nokeys -info 2>/dev/null | grep -q 'friendlyName: $fn64'"

# An output directory that refuses writes, which any machine can arrange:
# mode 0555 stops a normal user; root ignores it, so as root the directory
# is also bound read-only onto itself, and where mounting is not allowed
# the case runs as nobody on a copy of the CA that nobody owns.
RO=$T/ro
mkdir -p "$RO"
chmod 0555 "$RO"
ro_as= ro_dir=$I ro_mounted=0 ro_how=
unwritable() {
	if $ro_as touch "$RO/probe" 2>/dev/null; then
		rm -f "$RO/probe"
		return 1
	fi
}
if unwritable; then
	ro_how="mode 0555"
elif mount --bind "$RO" "$RO" 2>/dev/null; then
	ro_mounted=1
	if mount -o remount,bind,ro "$RO" 2>/dev/null && unwritable; then
		ro_how="a read-only bind mount"
	else
		umount "$RO"
		ro_mounted=0
	fi
fi
if [ -z "$ro_how" ] && command -v setpriv >/dev/null 2>&1 &&
    nb_uid=$(id -u nobody 2>/dev/null) && nb_gid=$(id -g nobody 2>/dev/null); then
	chmod 0711 "$T"
	mkdir -m 0755 "$T/nb"
	cp -a "$I" "$T/nb/issuing"
	chown -R "$nb_uid:$nb_gid" "$T/nb/issuing"
	ro_as="setpriv --reuid=$nb_uid --regid=$nb_gid --clear-groups"
	if unwritable && $ro_as "$ROLECA" --dir "$T/nb/issuing" list >/dev/null 2>&1; then
		ro_how="uid nobody and mode 0555"
		ro_dir=$T/nb/issuing
	else
		ro_as=
	fi
fi
if [ -n "$ro_how" ]; then
	ro_before=$(rows "$ro_dir/roleca.db")
	case_ 1 "an output directory that refuses writes ($ro_how)" $ro_as "$ROLECA" \
		--dir "$ro_dir" issue frontend $FE --out "$RO/fe"
	assert "... the error names the output" err_has "$RO/fe"
	assert "... nothing recorded" test "$(rows "$ro_dir/roleca.db")" -eq "$ro_before"
	assert "... no partial or temporary file in the directory" test -z "$(ls -A "$RO")"
else
	ok "an output directory that refuses writes # SKIP neither mode 0555, a read-only bind mount nor setpriv to nobody makes one here"
fi
[ "$ro_mounted" -eq 1 ] && umount "$RO"
chmod 0755 "$RO"

# A CA directory out of reach is said to be so, not called missing.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
    nb_uid=$(id -u nobody 2>/dev/null) && nb_gid=$(id -g nobody 2>/dev/null); then
	chmod 0711 "$T"
	cp -a "$I" "$T/locked" && chmod 0700 "$T/locked"
	expect 1 "a CA directory the user may not enter" setpriv --reuid="$nb_uid" \
		--regid="$nb_gid" --clear-groups "$ROLECA" --dir "$T/locked" list
	assert "... names ca.cfg and the system's reason" err_has "$T/locked/ca.cfg: Permission denied"
else
	ok "a CA directory the user may not enter # SKIP not root, or no setpriv to nobody"
fi
finish
