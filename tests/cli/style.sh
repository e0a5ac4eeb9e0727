#!/bin/sh
# tools/style.sh: the tree passes it, and each rule it checks catches a
# file that breaks it, naming the file and line.
. "${SRCDIR:-.}/tests/cli/lib.sh"

style() { sh "$SRCDIR/tools/style.sh" "$@"; }

expect 0 "the tree follows the style rules" style
assert "... and says nothing" test ! -s "$T/out"

cat >"$T/good.c" <<'C'
/* A file in the style: KNF, tabs, continuation lines 4 spaces in. */
static const char *
good(const char *s, int a,
    int b)
{
	const char	*url = "http://pki.lab.example/crl";	/* no comment */

	if (a > b &&
	    b > 0)
		return s;
	return url;
}
C
expect 0 "a file in the style passes" style "$T/good.c"

# bad RULE-TEXT LINE-CONTENT...: a file of good.c plus one bad line fails
# on that line with the rule's text.
bad() {
	what=$1
	shift
	{ cat "$T/good.c"; printf '%s\n' "$@"; } >"$T/bad.c"
	line=$(($(wc -l <"$T/good.c") + 1))
	expect 1 "$what is caught" style "$T/bad.c"
	assert "... at its line" out_has "$T/bad.c:$line: $what"
}
bad "trailing white space" "int x; "
bad "a space before a tab" "int	 x; 	/* */"
bad "continuation indented by more than 4 spaces" "	     int x;"
bad "longer than 80 columns" \
    "static int xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;"
bad "a // comment (use /* */)" "int x; // here"
bad "the return type of a function definition goes on the line above its name" \
    "static int f(void)" "{" "}"
bad "a function definition needs its return type on the line above" \
    "f(void)" "{" "}"
bad "the opening brace of a function goes on a line of its own" "f(void) {" "}"

# What is allowed.
{ cat "$T/good.c"; printf '%s\n' \
    '	"  a help text line that is long because the table is indented, and so it stays\n"' \
    '	x = "http://a//b"; /* // in a string or comment is not a comment */'; } >"$T/ok.c"
expect 0 "a long line of only a string literal and // in strings and comments pass" \
	style "$T/ok.c"
finish
