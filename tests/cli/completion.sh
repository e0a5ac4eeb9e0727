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
export NO_COLOR=1
expect 0 "NO_COLOR is honoured (roleca writes no colour at all)" roleca --dir "$I" list
assert "... no escape sequences" sh -c "! grep -q \"\$(printf '\\033')\" '$T/out'"

finish
