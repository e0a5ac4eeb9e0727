#!/bin/sh
# CA key protection: an encrypted CA key (passphrase from a file, the
# environment, never argv), key file modes, a CA key that others can read
# refused with the fix in the message, and no key or passphrase left in
# memory that roleca frees.
. "${SRCDIR:-.}/tests/cli/lib.sh"

cd "$T" || exit 1
make_lab "$T/lab" || { not_ok "lab setup"; finish; exit 1; }
cat >enc.cfg <<'CFG'
subject = { CN = "Encrypted Key CA"; };
key = "ec:p256";
cdp = [ "http://pki.lab.example/crl/enc.crl" ];
policy = { permitted_domains = [ "lab.example" ]; };
CFG
echo 'a good long passphrase' >pass
chmod 600 pass
expect 0 "init --encrypt-key with a passphrase file" roleca --dir enc init --config enc.cfg \
	--encrypt-key --key-pass-file pass
assert "ca.key is encrypted PKCS#8" sh -c "head -1 enc/ca.key | grep -q 'BEGIN ENCRYPTED PRIVATE KEY'"
assert "openssl opens it with the passphrase" openssl pkey -in enc/ca.key -passin file:pass -noout
assert "... and not without it" sh -c "! openssl pkey -in enc/ca.key -passin pass:wrong -noout 2>/dev/null"
assert "the passphrase is nowhere in the CA directory" sh -c "! grep -rq 'good long passphrase' enc"
expect 2 "using it with no passphrase and no terminal is a usage error" \
	setsid "$ROLECA" --dir enc crl
assert "... naming where a passphrase can come from" err_has "ROLECA_CA_PASS"
export ROLECA_CA_PASS_FILE="$T/pass"
expect 0 "ROLECA_CA_PASS_FILE unlocks it: issue" roleca --dir enc issue persistent-chat \
	--set server_fqdn=chat.lab.example --out chat
assert "the certificate verifies against the encrypted-key CA" openssl verify -CAfile enc/ca.crt chat.crt
export ROLECA_CA_PASS_FILE="$T/no-such-pass"
expect 1 "a ROLECA_CA_PASS_FILE that names no file is an error" roleca --dir enc crl
assert "... saying the path came from ROLECA_CA_PASS_FILE" err_has "ROLECA_CA_PASS_FILE: $T/no-such-pass: cannot open"
unset ROLECA_CA_PASS_FILE
export ROLECA_CA_PASS='not the passphrase'
expect 1 "a wrong passphrase is an error" roleca --dir enc crl
assert "... saying so" err_has "wrong passphrase"
# last_audit DIR: the CA's last audit row, "operation outcome".
last_audit() {
	sqlite3 "$1/roleca.db" "SELECT operation || ' ' || outcome FROM audit ORDER BY id DESC LIMIT 1"
}
assert "... logged, as a use of the CA key that failed" test \
	"$(last_audit enc)" = "crl error: enc/ca.key: wrong passphrase"
expect 1 "issue with a wrong passphrase" roleca --dir enc issue persistent-chat \
	--set server_fqdn=chat2.lab.example --out chat2
assert "... logged too" test "$(last_audit enc)" = "issue error: enc/ca.key: wrong passphrase"
expect 1 "deploy with a wrong passphrase" roleca --dir enc deploy "$SRCDIR/examples/deployment.cfg" \
	--out deployed
assert "... logged too" test "$(last_audit enc)" = "deploy error: enc/ca.key: wrong passphrase"
expect 1 "init --parent with the parent's wrong passphrase" roleca --dir encsub init \
	--config "$SRCDIR/examples/lab/issuing.cfg" --parent enc
assert "... logged in the parent's log" test \
	"$(last_audit enc)" = "init error: --parent: enc/ca.key: wrong passphrase"
assert "... the passphrase in no message" sh -c \
	"! sqlite3 enc/roleca.db 'SELECT outcome FROM audit' | grep -q 'not the passphrase'"
export ROLECA_CA_PASS='a good long passphrase'
expect 0 "ROLECA_CA_PASS unlocks it: crl" roleca --dir enc crl
unset ROLECA_CA_PASS
expect 2 "--key-pass-file without --encrypt-key is a usage error" \
	roleca --dir enc2 init --config enc.cfg --key-pass-file pass

# GnuTLS derives the key from the passphrase normalized, OpenSSL from its
# bytes: one that normalization changes (a no-break space) is refused, one
# it keeps (a precomposed accent) opens in OpenSSL too.
printf 'pass\302\240phrase\n' >nbsp.pass
expect 2 "init --encrypt-key refuses a passphrase normalization changes" \
	roleca --dir encn init --config enc.cfg --encrypt-key --key-pass-file nbsp.pass
assert "... naming the file and why" err_has "nbsp.pass (its first line): Unicode normalization changes it"
assert "... making no CA" test ! -e encn
printf 'caf\303\251 passphrase\n' >nfc.pass
expect 0 "... and takes a precomposed accent" \
	roleca --dir encc init --config enc.cfg --encrypt-key --key-pass-file nfc.pass
assert "... which openssl opens the key with" openssl pkey -in encc/ca.key -passin file:nfc.pass -noout

# A passphrase typed at the terminal (script(1) gives it one) is taken
# whole, as long as a file's may be, not cut at 255 characters.
long=$(head -c 300 /dev/zero | tr '\0' p)
printf '%s\n' "$long" >long.pass
chmod 600 long.pass
roleca --dir enc300 init --config enc.cfg --encrypt-key --key-pass-file long.pass 2>/dev/null
if command -v script >/dev/null 2>&1; then
	run sh -c "(sleep 1; printf '%s\\r' '$long') |
		script -qec '\"$ROLECA\" --dir enc300 crl' /dev/null"
	assert "a 300-character passphrase typed at the terminal unlocks the key" \
		sh -c "grep -q 'CRL number 1 written' '$T/out'"
	run sh -c "(sleep 1; printf '%s\\r' '$(echo "$long" | cut -c1-255)') |
		script -qec '\"$ROLECA\" --dir enc300 crl' /dev/null"
	assert "... and its first 255 characters do not" sh -c "grep -q 'wrong passphrase' '$T/out'"
fi

# Key file modes.
I=$T/lab/issuing
roleca --dir "$I" issue persistent-chat --set server_fqdn=p.lab.example --out p >/dev/null 2>&1
assert "issued keys are 0600" test "$(stat -c %a p.key)" = 600
assert "the CA key is 0600" test "$(stat -c %a "$I/ca.key")" = 600
chmod 644 "$I/ca.key"
expect 1 "a CA key readable by others is refused" roleca --dir "$I" issue persistent-chat \
	--set server_fqdn=q.lab.example --out q
assert "... saying how to fix it" err_has "chmod 600"
assert "... and nothing was issued" test ! -e q.crt
chmod 600 "$I/ca.key"
expect 0 "after chmod 600 it works again" roleca --dir "$I" issue persistent-chat \
	--set server_fqdn=q.lab.example --out q

# Memory given back: no block roleca frees holds an unencrypted PEM key or
# a passphrase (tests/freecheck.c, preloaded, looks in every one). Not
# under AddressSanitizer, whose own free must come first.
# leak_free DESC SECRET ARG...: roleca ARG... succeeds and frees no such block.
leak_free() {
	desc=$1 secret=$2
	shift 2
	rm -f "$T/freed"
	expect 0 "$desc" env FREECHECK_LOG="$T/freed" FREECHECK_SECRET="$secret" \
	    LD_PRELOAD="$T/freecheck.so" "$ROLECA" "$@"
	assert "... freeing no key or passphrase unwiped" sh -c "! grep . '$T/freed' 2>/dev/null"
}
if ldd "$ROLECA" | grep -q libasan; then
	ok "freed memory holds no key # SKIP not under AddressSanitizer"
elif ! cc -shared -fPIC -o "$T/freecheck.so" "$SRCDIR/tests/freecheck.c" \
    2>"$T/err"; then
	not_ok "tests/freecheck.c compiles"
	show_output
else
	echo 'a p12 passphrase' >p12pass
	chmod 600 p12pass
	leak_free "crl, loading the CA key" "" --dir "$I" crl
	leak_free "issue, making a key and a PKCS#12" "a p12 passphrase" \
	    --dir "$I" issue persistent-chat --set server_fqdn=m.lab.example --out m \
	    --p12 --p12-pass-file "$T/p12pass"
	s=$(openssl x509 -in m.crt -noout -serial | cut -d= -f2)
	leak_free "export, reading the key and a passphrase file" "a p12 passphrase" \
	    --dir "$I" export "$s" --key m.key --out m2.p12 --p12-pass-file "$T/p12pass"
	assert "... a PKCS#12 openssl opens" openssl pkcs12 -in m2.p12 -passin file:p12pass \
	    -noout
	export ROLECA_CA_PASS_FILE="$T/pass"
	leak_free "crl, decrypting the CA key" "a good long passphrase" --dir enc crl
	unset ROLECA_CA_PASS_FILE
	leak_free "request, making a key" "" request persistent-chat \
	    --set server_fqdn=n.lab.example --out n
fi


# install-cert reads the certificate file before it asks for the CA key's
# passphrase (or a token's PIN): a file that is missing or no certificate
# costs no attempt.
expect 0 "init --csr-out --encrypt-key" roleca --dir encx init --config enc.cfg --csr-out encx.csr \
	--encrypt-key --key-pass-file pass
expect 1 "install-cert of a missing file, with no passphrase at hand" setsid "$ROLECA" --dir encx \
	install-cert no-such.pem
assert "... names the file, asking for no passphrase" sh -c \
	"grep -q 'no-such.pem' '$T/err' && ! grep -qi passphrase '$T/err'"
echo junk >junk.pem
expect 1 "install-cert of a file that holds no certificate" setsid "$ROLECA" --dir encx \
	install-cert junk.pem
assert "... names it, asking for no passphrase" sh -c \
	"grep -q 'junk.pem' '$T/err' && ! grep -qi passphrase '$T/err'"

# Stopped at the passphrase prompt, roleca leaves the terminal's echo on.
if command -v script >/dev/null 2>&1; then
	rm -f tty.pid
	(sleep 4) | script -qec "sh -c \"sh -c 'echo \\\$\\\$ >tty.pid; exec \\\"$ROLECA\\\" --dir enc crl'; stty -a\"" \
		/dev/null >tty.out 2>&1 &
	tty_job=$!
	n_wait=0
	while [ ! -s tty.pid ] && [ "$n_wait" -lt 50 ]; do sleep 0.1; n_wait=$((n_wait + 1)); done
	sleep 0.5
	kill -TERM "$(cat tty.pid)" 2>/dev/null
	wait "$tty_job"
	assert "SIGTERM at the passphrase prompt leaves the terminal echoing" sh -c \
		"tr -d '\\r' <tty.out | grep -q 'CA key passphrase' && tr -d '\\r' <tty.out | grep -qw echo &&
		! tr -d '\\r' <tty.out | grep -q -- '-echo '"
else
	ok "SIGTERM at the passphrase prompt leaves the terminal echoing # skip: no script(1)"
fi

# A CA key converted to OpenSSL's traditional encrypted PEM is seen to be
# encrypted too: its passphrase is asked for, and GnuTLS reads it.
mkdir -p trad && cp -R enc trad/ca
openssl ec -in enc/ca.key -passin file:pass -aes256 -passout 'pass:a good long passphrase' \
	-out trad/ca/ca.key 2>/dev/null
chmod 600 trad/ca/ca.key
assert "openssl writes it so" grep -q 'Proc-Type: 4,ENCRYPTED' trad/ca/ca.key
expect 0 "a CA key in the traditional encrypted form, with its passphrase" \
	env ROLECA_CA_PASS_FILE="$T/pass" "$ROLECA" --dir trad/ca crl
expect 2 "... and without one, asks for it" setsid "$ROLECA" --dir trad/ca crl
assert "... naming where it can come from" err_has "no CA key passphrase"
finish
