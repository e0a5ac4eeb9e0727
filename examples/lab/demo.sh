#!/bin/sh
# The roleca lab demo: a root CA, an issuing CA signed by it, and one
# certificate for every shipped server-role profile, each verified with
# openssl as a TLS server certificate.
#
#   sh examples/lab/demo.sh DIR
#
# roleca is $ROLECA, else the one on PATH. DIR must not exist yet.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
roleca=${ROLECA:-roleca}
dir=${1:?usage: demo.sh DIR}

if [ -e "$dir" ]; then
	echo "demo: $dir already exists; remove it or name another" >&2
	exit 1
fi
mkdir -p "$dir/certs"
dir=$(cd "$dir" && pwd)
R() { "$roleca" "$@"; }

echo "== root CA ($dir/root)"
R --dir "$dir/root" init --config "$here/root.cfg"
echo "== issuing CA ($dir/issuing), signed by the root"
R --dir "$dir/issuing" init --config "$here/issuing.cfg" --parent "$dir/root"

# The lab site: SIP domain lab.example, one pool of each kind.
d=lab.example
set_frontend="--set pool_fqdn=pool01.$d --set server_fqdn=fe01.$d --set sip_domain=$d
	--set web_internal=webint.$d --set web_external=webext.$d"
set_standard_edition="--set server_fqdn=se01.$d --set sip_domain=$d --set web_internal=se01.$d"
set_director="--set pool_fqdn=dirpool.$d --set server_fqdn=dir01.$d --set sip_domain=$d
	--set web_internal=dirweb.$d --set web_external=dirwebext.$d"
set_edge_internal="--set pool_fqdn=edgepool-int.$d"
set_edge_external="--set sip_domain=$d --set webconf_fqdn=webconf.$d --set av_fqdn=av.$d"
set_edge_av="--set av_fqdn=av.$d"
set_mediation="--set pool_fqdn=medpool.$d --set server_fqdn=med01.$d"
set_persistent_chat="--set server_fqdn=chat01.$d"
set_office_web_apps="--set farm_fqdn=owa.$d --set farm_external=owaext.$d"
set_reverse_proxy="--set web_external=webext.$d --set sip_domain=$d --set farm_external=owaext.$d"
set_video_interop="--set pool_fqdn=vispool.$d --set server_fqdn=vis01.$d"
set_oauth="--set sip_domain=$d"

echo 'lab demo passphrase' >"$dir/certs/p12-pass.txt"
chmod 600 "$dir/certs/p12-pass.txt"
count=0
for p in frontend standard-edition director edge-internal edge-external \
    edge-av mediation persistent-chat office-web-apps reverse-proxy \
    video-interop oauth; do
	vars=$(eval echo "\${set_$(echo "$p" | tr - _)}")
	p12=
	case "$p" in
	edge-external|edge-av|oauth)	# shared across a pool: exportable
		p12=$dir/certs/p12-pass.txt ;;
	esac
	# shellcheck disable=SC2086
	serial=$(R --dir "$dir/issuing" issue "$p" $vars \
	    ${p12:+--p12-pass-file "$p12"} --out "$dir/certs/$p")
	openssl verify -x509_strict -purpose sslserver -CAfile "$dir/root/ca.crt" \
	    -untrusted "$dir/issuing/ca.crt" "$dir/certs/$p.crt" >/dev/null
	names=$(openssl x509 -in "$dir/certs/$p.crt" -noout -ext subjectAltName \
	    2>/dev/null | tail -n +2 | tr -d ' ' | cut -c1-60)
	printf '%-18s serial %s  %s\n' "$p" "$serial" "${names:-(subject CN only)}"
	count=$((count + 1))
done

# The hints below must work when copied into another shell, which has
# neither $ROLECA (so they name the binary used here) nor the
# ROLECA_PROFILE_PATH this script was given (make demo sets it for the
# script alone, and without it an uninstalled roleca finds no profile).
q() {	# q WORD: WORD quoted for sh when it needs it
	case $1 in
	''|*[!A-Za-z0-9_./:@%+,-]*)
		printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}
run=
if [ -n "${ROLECA_PROFILE_PATH:-}" ]; then
	run="ROLECA_PROFILE_PATH=$(q "$ROLECA_PROFILE_PATH") "
fi
run="$run$(q "$roleca") --dir $(q "$dir/issuing")"

cat <<EOT

Lab CA ready: $count role certificates issued, each verified by openssl.
  root CA        $dir/root      (ca.crt, ca.key, roleca.db)
  issuing CA     $dir/issuing   (ca.crt, chain.pem, ca.key, roleca.db)
  certificates   $dir/certs     (PROFILE.key, .crt, .chain.pem; .p12 for
                                 edge-external, edge-av and oauth,
                                 passphrase in p12-pass.txt)
Try:
  $run check $(q "$dir/certs/frontend.crt") --profile frontend
  $run profiles
EOT
