#!/bin/sh
# The C style, checked: roleca follows OpenBSD's style(9) (KNF), whose
# tab-aligned declarations clang-format cannot express, so the rules a
# program can check without reformatting anything are checked here, and
# CI fails on any break of them:
#   - indentation is tabs; a continuation line adds at most 4 spaces
#   - no trailing white space, no space before a tab
#   - at most 80 columns (tabs at 8), but for a line that is only a string
#     literal (a help text or message line is not split mid-sentence)
#   - comments are /* */, never //
#   - a function definition has its return type on a line of its own, its
#     name at the start of the next, and its opening brace on a line of its
#     own
# Usage: tools/style.sh [FILE...] (default: every C file of the tree).
# Prints FILE:LINE: what, one line each; exits 1 if it printed any.
if [ $# -eq 0 ]; then
	cd "$(dirname "$0")/.." || exit 2
	set -- src/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c bench/*.c
fi
for f; do
	[ -f "$f" ] || { echo "$f: no such file" >&2; exit 2; }
done
awk '
function badat(at, what) {
	printf "%s:%d: %s\n", FILENAME, at, what
	n++
}
function bad(what) {
	badat(FNR, what)
}
# The line without its string and character literals and comments, for
# the // rule; incomment carries a /* */ comment over lines.
function code(s,	out, c, q) {
	out = ""
	while (s != "") {
		if (incomment) {
			if ((c = index(s, "*/")) == 0)
				return out
			s = substr(s, c + 2)
			incomment = 0
			continue
		}
		c = substr(s, 1, 1)
		if (substr(s, 1, 2) == "/*") {
			incomment = 1
			s = substr(s, 3)
		} else if (c == "\"" || c == "\047") {
			q = c
			s = substr(s, 2)
			while (s != "" && substr(s, 1, 1) != q)
				s = substr(s, (substr(s, 1, 1) == "\\") ? 3 : 2)
			s = substr(s, 2)
			out = out q q
		} else {
			out = out c
			s = substr(s, 2)
		}
	}
	return out
}
FNR == 1 {
	incomment = 0
	head = 0
	prev = ""
}
{
	line = $0
	if (line ~ /[ \t]$/)
		bad("trailing white space")
	if (index(line, " \t"))
		bad("a space before a tab")
	if (line ~ /^\t*     /)
		bad("continuation indented by more than 4 spaces")
	# width with tabs expanded to 8
	w = 0
	for (i = 1; i <= length(line); i++)
		w = substr(line, i, 1) == "\t" ? w - w % 8 + 8 : w + 1
	if (w > 80 && line !~ /^[ \t]*"([^"\\]|\\.)*"[ \t]*[,;)]*[ \t]*$/)
		bad("longer than 80 columns (" w ")")
	if (index(code(line), "//"))
		bad("a // comment (use /* */)")
	# function definitions: the name starts its line, the type is above
	if (FILENAME ~ /\.c$/) {
		if (line ~ /^[A-Za-z_]/ && line !~ /[;{}]/ && line !~ /^#/ &&
		    line !~ /^(static |const |struct |enum |typedef )*[A-Za-z_][A-Za-z_0-9]*$/ &&
		    line !~ /=/) {
			head = FNR
			headline = line
			headprev = prev
		}
		if (line ~ /^[A-Za-z_][A-Za-z_0-9]*\(.*\)[ \t]*\{$/)
			bad("the opening brace of a function goes on a line " \
			    "of its own")
		if (line == "{" && head > 0) {
			if (headline !~ /^[A-Za-z_][A-Za-z_0-9]*\(/)
				badat(head, "the return type of a function " \
				    "definition goes on the line above its name")
			else if (headprev == "" || headprev ~ /^[ \t]/ ||
			    headprev ~ /[;{}]$/ || headprev ~ /\*\/$/)
				badat(head, "a function definition needs " \
				    "its return type on the line above")
			head = 0
		}
		if (line ~ /^[};]/ || line == "")
			head = 0
	}
	prev = line
}
END { exit n > 0 }
' "$@"
