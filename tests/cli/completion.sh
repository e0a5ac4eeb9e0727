#!/bin/sh
# The command line's conveniences: bash completion of commands, options,
# profiles and serials; --version; help; unique prefixes.
. "${SRCDIR:-.}/tests/cli/lib.sh"

make_lab "$T/lab" || { not_ok "lab setup"; finish; exit 1; }
I=$T/lab/issuing
serial=$(roleca --dir "$I" issue persistent-chat --set server_fqdn=c.lab.example \
	--out "$T/c" 2>/dev/null)
mkdir -p "$T/bin"
ln -s "$ROLECA" "$T/bin/roleca"

complete_words() {	# complete_words WORD...: what bash would offer for the last word
	PATH="$T/bin:$PATH" bash -c '. "$1"/contrib/bash-completion/roleca; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _roleca
		printf "%s\n" "${COMPREPLY[@]}"' sh "$SRCDIR" "$@"
}
assert "... 'iss' completes to issue" test "$(complete_words roleca iss)" = issue
assert "... profiles after issue" sh -c \
	"[ \"\$(PATH='$T/bin':\$PATH bash -c '. \"$SRCDIR\"/contrib/bash-completion/roleca; COMP_WORDS=(roleca issue fr); COMP_CWORD=2; _roleca; echo \${COMPREPLY[@]}')\" = frontend ]"
assert "... serials after show" test "$(complete_words roleca --dir "$I" show "")" = "$serial"
assert "... --p12-legacy for issue" sh -c \
	"PATH='$T/bin':\$PATH bash -c '. \"$SRCDIR\"/contrib/bash-completion/roleca; COMP_WORDS=(roleca issue --p12-l); COMP_CWORD=2; _roleca; echo \${COMPREPLY[@]}' | grep -qx -- --p12-legacy"

# A command's options are the ones its table declares, and --help: not
# the global --dir, nor another command's option its help text mentions.
for f in "$SRCDIR"/src/cmd-*.c; do
	c=$(basename "$f" .c)
	c=${c#cmd-}
	want=$( (echo --help; sed -n \
	    's/^	{ "\([a-z0-9-]*\)", [a-z_]*_argument.*/--\1/p' "$f") | sort)
	got=$(complete_words roleca "$c" -- | sort)
	assert "... $c: its own options only" test "$got" = "$want"
done
assert "... list: no --dir" test -z "$(complete_words roleca list --d)"
expect 2 "... (which list refuses)" roleca list --dir "$I"
assert "... install-cert: no --csr-out" \
	test -z "$(complete_words roleca install-cert --c)"
assert "... a prefix of the command: its options" \
	test "$(complete_words roleca rev --r)" = --reason

# The global options, short forms too, before the command only.
assert "... -d -h -V at the top level" test \
	"$(complete_words roleca - | sort | tr '\n' ' ')" = \
	"--dir --help --version -V -d -h "
assert "... commands after -d DIR" sh -c \
	"[ \"\$(PATH='$T/bin':\$PATH bash -c '. \"$SRCDIR\"/contrib/bash-completion/roleca; COMP_WORDS=(roleca -d \"$I\" sh); COMP_CWORD=3; _roleca; echo \${COMPREPLY[@]}')\" = show ]"
assert "... serials after -d DIR show" \
	test "$(complete_words roleca -d "$I" show "")" = "$serial"
assert "... serials after -dDIR show" \
	test "$(complete_words roleca -d"$I" show "")" = "$serial"
assert "... serials after --dir=DIR show" \
	test "$(complete_words roleca --dir = "$I" show "")" = "$serial"
assert "... and with --dir=DIR as one word" \
	test "$(complete_words roleca --dir="$I" show "")" = "$serial"
assert "... serials from \$ROLECA_DIR" \
	test "$(ROLECA_DIR=$I complete_words roleca revoke "")" = "$serial"
assert "... directories after -d" \
	test "$(cd "$T/lab" && complete_words roleca -d iss)" = issuing

# Option values.
assert "... --reason offers unspecified" \
	test "$(complete_words roleca revoke "$serial" --reason u)" = unspecified
assert "... --reason=VALUE too" test "$(complete_words roleca revoke \
	"$serial" --reason = ce | sort | tr '\n' ' ')" = \
	"certificateHold cessationOfOperation "
mkdir -p "$T/files/csrs" && : >"$T/files/deploy.cfg"
assert "... deploy --csr-dir: directories" \
	test "$(cd "$T/files" && complete_words roleca deploy x.cfg --csr-dir "")" = csrs
assert "... deploy --out: directories" \
	test "$(cd "$T/files" && complete_words roleca deploy --out "")" = csrs
assert "... deploy FILE: files" \
	test "$(cd "$T/files" && complete_words roleca deploy de)" = deploy.cfg
assert "... one operand: nothing after the serial" \
	test -z "$(complete_words roleca --dir "$I" show "$serial" "")"
assert "... the operand after an option's value" \
	test "$(complete_words roleca sign --csr x.csr fr)" = frontend
# A free value (a name, a date, a number) has nothing to offer, above all
# not the command's operand; nor has any value-taking option completion
# does not know better for.
for f in "$SRCDIR"/src/cmd-*.c; do
	c=$(basename "$f" .c)
	c=${c#cmd-}
	for o in $(sed -n 's/^	{ "\([a-z0-9-]*\)", required_argument.*/\1/p' "$f"); do
		case $o in
		config|parent|csr-out|key-pass-file|out|p12-pass-file|csr|key|\
		csr-dir|to|chain|ca|crl|profile|status|reason) continue ;;
		esac
		got=$(cd "$T/files" && complete_words roleca --dir "$I" "$c" --"$o" "")
		assert "... $c --$o: nothing" test -z "$got"
	done
done
assert "... revoke SERIAL --date: no serials" \
	test -z "$(complete_words roleca --dir "$I" revoke "$serial" --date "")"
assert "... check --servername: no files" \
	test -z "$(cd "$T/files" && complete_words roleca check --servername "")"
assert "... check --set=: nothing" \
	test -z "$(cd "$T/files" && complete_words roleca check --set = "")"

expect 0 "--version prints the version alone" roleca --version
assert "... like pkg-config" sh -c "grep -Eqx '[0-9]+\.[0-9]+\.[0-9]+' '$T/out'"
expect 0 "help lists every command" roleca help
for c in init install-cert profiles issue request sign export renew revoke unrevoke \
    crl publish list show check log; do
	assert "... $c" sh -c "grep -q '^  $c ' '$T/out'"
done
expect 0 "help COMMAND prints its usage" roleca help issue
assert "... with its options" out_has "--p12-pass-file"
expect 0 "COMMAND --help too" roleca issue --help
expect 0 "a unique prefix runs the command" roleca --dir "$I" sho "$serial"
expect 2 "an ambiguous prefix lists the candidates" roleca --dir "$I" re
assert "... request, renew, revoke" sh -c "grep -q request '$T/err' && grep -q renew '$T/err' && grep -q revoke '$T/err'"
expect 2 "an unknown command is a usage error" roleca frobnicate
expect 2 "no command is a usage error" roleca
assert "... in one line, saying where the list is" sh -c \
	"[ \$(wc -l <'$T/err') -eq 1 ] && grep -qx 'roleca: no command given (roleca --help lists them)' '$T/err'"
expect 2 "help with two operands is a usage error" roleca help issue extra
assert "... naming the extra one, in one line" sh -c \
	"[ \$(wc -l <'$T/err') -eq 1 ] && grep -q \"unexpected argument 'extra'\" '$T/err' && [ ! -s '$T/out' ]"
expect 0 "help help is the list" roleca help help
assert "... of every command" out_has "  issue "
expect 2 "an empty --dir is a usage error" roleca --dir= list
assert "... saying so" err_has "roleca: --dir: empty"
# Options may follow operands, also where POSIXLY_CORRECT asks getopt to stop at the first.
expect 0 "POSIXLY_CORRECT: options after the operand still count" env POSIXLY_CORRECT=1 \
	"$ROLECA" --dir "$I" issue persistent-chat --set server_fqdn=posix.lab.example --out "$T/posix"
assert "... the certificate made where --out said" test -f "$T/posix.crt"
expect 0 "an operand after -- is one, however it looks" roleca --dir "$I" show -- "$serial"
assert "... shown" out_has "$serial"
# A number of days is digits: no sign, no blanks.
for v in +5 " 5" "5 " -0 ""; do
	expect 2 "list --expiring '$v' is a usage error" roleca --dir "$I" list --expiring "$v"
done
expect 2 "ROLECA_BUSY_TIMEOUT_MS ' 5' is a usage error" env ROLECA_BUSY_TIMEOUT_MS=' 5' \
	"$ROLECA" --dir "$I" list
expect 2 "ROLECA_BUSY_TIMEOUT_MS +5 too" env ROLECA_BUSY_TIMEOUT_MS=+5 "$ROLECA" --dir "$I" list
export NO_COLOR=1
expect 0 "NO_COLOR is honoured (roleca writes no colour at all)" roleca --dir "$I" list
assert "... no escape sequences" sh -c "! grep -q \"\$(printf '\\033')\" '$T/out'"

# Small things said right: a --dir that is a file, an empty --out, a
# --crl that is not there, --set without --profile.
: >"$T/afile"
expect 1 "init with --dir a file names it" roleca --dir "$T/afile" init --config "$T/lab/root.cfg"
assert "... as not a directory" err_has "roleca: init: $T/afile: not a directory"
printf 'servers = ( { name = "x"; role = "persistent-chat"; set = { server_fqdn = "x.lab.example"; }; } );\n' >"$T/one.cfg"
expect 2 "deploy --out '' is a usage error" roleca --dir "$I" deploy "$T/one.cfg" --out ''
assert "... saying the path is empty" err_has "--out: empty path"
expect 1 "check --crl of a file that is not there" roleca --dir "$I" check "$T/c.crt" --crl "$T/none.crl"
assert "... names the option" err_has "--crl $T/none.crl: cannot open"
expect 2 "check --set without --profile" roleca --dir "$I" check "$T/c.crt" --set x=y
assert "... says where the usage is" err_has "--set needs --profile (see roleca help check)"
expect 0 "--help shows -d, -h and -V too" roleca --help
assert "... as the synopsis has them" sh -c "grep -q -- '-d DIR | --dir DIR' '$T/out' && grep -q -- '-V | --version' '$T/out'"
finish
