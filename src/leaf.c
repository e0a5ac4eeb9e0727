/*
 * Build, judge, record: the order is the point. Nothing is recorded that
 * the policy refused, and the command writes no file before the record is
 * committed.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "err.h"
#include "out.h"
#include "policy.h"
#include "leaf.h"
#include "store.h"
#include "util.h"
#include "x509.h"

int
leaf_sign(struct ca *ca, const struct profile *p, const struct request *req,
    gnutls_pubkey_t pub, gnutls_x509_crt_t *out, struct findings *f,
    char **cause)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 der = { NULL, 0 };
	struct policy_ctx	 ctx = { 0 };
	int			 rc = ERR_FAIL;

	TRY(ca_chain_whole(ca, cause));
	ctx.now = time(NULL);
	TRY(x509_build_leaf_der(req, pub, ca, ctx.now, &der, cause));
	ctx.conf = ca->conf;
	ctx.issuer = ca->crt;
	ctx.own = ca->own;
	ctx.chain = ca->chain;
	ctx.chain_spki = ca->chain_spki;
	ctx.nchain = ca->nchain;
	ctx.profile = p;
	ctx.request = req;
	/*
	 * the certificate handed on is the policy's own parse of the signed
	 * bytes
	 */
	TRY(policy_check_der(der.data, der.size, &ctx, f, &crt, cause));
	if (f->n > 0) {
		rc = err_policy(cause, "refused by policy");
		goto out;
	}
	*out = crt;
	crt = NULL;
	rc = 0;
out:
	gnutls_free(der.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	return rc;
}

/* The judgements of leaf_record's again, in its transaction. */
static int
record_again(struct ca *ca, gnutls_x509_crt_t crt, const char *replaces,
    int again, char **cause)
{
	struct store_cert	*old = NULL;
	gnutls_pubkey_t		 pub = NULL;
	int			 rc = ERR_FAIL;

	if (again & LEAF_KEY_AGAIN) {
		TRY(x509_crt_pubkey(crt, &pub, cause));
		TRY(leaf_key_not_compromised(ca, pub, cause));
	}
	if ((again & LEAF_OLD_VALID) && replaces != NULL) {
		TRY(store_get(ca->store, replaces, &old, cause));
		if (old != NULL && old->status == STORE_REVOKED) {
			rc = err_set(cause, "certificate %s was revoked "
			    "meanwhile: nothing issued", old->serial);
			goto out;
		}
	}
	rc = 0;
out:
	store_cert_free(old);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return rc;
}

int
leaf_record(struct ca *ca, const struct request *req, gnutls_x509_crt_t crt,
    const char *replaces, const char *op, int again, char **serial,
    char **cause)
{
	struct store_cert	 sc = { 0 };
	char			 none[1] = "";
	gnutls_datum_t		 der = { NULL, 0 };
	time_t			 nb, na;
	int			 rc = ERR_FAIL, begun = 0;

	TRY(x509_export(crt, 0, &der, cause));
	TRY(x509_serial_hex(crt, &sc.serial, cause));
	TRY(x509_subject_text(crt, &sc.subject, cause));
	TRY(x509_san_text(crt, &sc.sans, cause));
	sc.profile = req->profile;
	sc.vars = req->vars;
	sc.asked = req->asked != NULL ? req->asked : none;
	sc.replaces = (char *)replaces;	/* only read */
	x509_validity(crt, &nb, &na);
	sc.not_before = nb;
	sc.not_after = na;
	sc.issued_at = time(NULL);
	sc.status = STORE_VALID;
	sc.reason = -1;
	sc.der = der.data;
	sc.der_len = der.size;
	if (again != 0) {
		TRY(store_begin(ca->store, cause));
		begun = 1;
		TRY(record_again(ca, crt, replaces, again, cause));
	}
	TRY(store_record(ca->store, &sc, op, cause));
	if (begun) {
		begun = 0;
		TRY(store_commit(ca->store, cause));
	}
	*serial = sc.serial;
	sc.serial = NULL;
	rc = 0;
out:
	if (begun)
		store_rollback(ca->store);
	free(sc.serial);
	free(sc.subject);
	free(sc.sans);
	gnutls_free(der.data);
	return rc;
}

int
leaf_chain_prepare(struct ca *ca, char **cause)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*all, *tmp;
	int		 rc = ERR_FAIL;

	if (ca->chain_pem != NULL)
		return 0;
	all = xstrdup("");
	for (size_t i = 0; i < ca->nchain; i++) {
		TRY(x509_export(ca->chain[i], 1, &d, cause));
		xasprintf(&tmp, "%s%.*s", all, (int)d.size, (char *)d.data);
		free(all);
		all = tmp;
		gnutls_free(d.data);
		d.data = NULL;
	}
	ca->chain_pem = all;
	all = NULL;
	rc = 0;
out:
	gnutls_free(d.data);
	free(all);
	return rc;
}

int
leaf_chain_pem(struct ca *ca, gnutls_x509_crt_t crt, char **pem,
    char **cause)
{
	gnutls_datum_t	 d = { NULL, 0 };
	int		 rc = ERR_FAIL;

	TRY(leaf_chain_prepare(ca, cause));
	TRY(x509_export(crt, 1, &d, cause));
	xasprintf(pem, "%.*s%s", (int)d.size, (char *)d.data, ca->chain_pem);
	rc = 0;
out:
	gnutls_free(d.data);
	return rc;
}

#define CSR_MAX	(1024 * 1024)

int
leaf_csr_load(const char *file, gnutls_x509_crq_t *crq, struct csr_info *info,
    char **cause)
{
	unsigned char	*data = NULL;
	size_t		 len;
	int		 rc = ERR_FAIL;

	*crq = NULL;
	memset(info, 0, sizeof *info);
	TRY(out_read(file, CSR_MAX, &data, &len, cause));
	/* as PowerShell or Notepad may save it: UTF-16, or a byte order mark */
	len = text_as_ascii(data, len);
	TRY(x509_parse_csr(data, len, file, crq, cause));
	if ((rc = x509_csr_info(*crq, info, cause)) < 0) {
		err_in_file(cause, rc, "csr", file);
		goto out;
	}
	if (info->wants_ca) {
		rc = err_policy(cause, "refused: csr: %s: the CSR asks to be a "
		    "CA (basicConstraints CA:TRUE): roleca signs server "
		    "certificates only", file);
		goto out;
	}
	rc = 0;
out:
	free(data);
	return rc;
}

/*
 * Take the open template of t[0..n) that name fits best (the one with the
 * most literal characters: sip.${d} before ${fqdn}); used[] counts what
 * each single-name template has taken, took[] (unless NULL) the names.
 */
static int
fit_name(const struct profile *p, const struct profile_values *vs,
    const struct profile_tmpl *t, size_t n, unsigned *used, struct strv *took,
    const char *name)
{
	int	 best = policy_best_template(p, vs, t, n, used, 1, name);

	if (best < 0)
		return -1;
	used[best]++;
	if (took != NULL)
		strv_add(&took[best], name);
	return 0;
}

/*
 * The refusal of a name (what: "dNSName", "the CN"; NULL: an IP address).
 * Without a hint, a CSR's: the variables can give the name where one of
 * the role's templates makes such a name, else nothing can.
 */
static int
name_refused(const struct profile *p, const char *who, const char *what,
    const char *name, const char *hint, char **cause)
{
	const struct profile_tmpl	*t = what != NULL ? p->dns : p->ip;
	size_t				 n = what != NULL ? p->ndns : p->nip;

	for (size_t i = 0; hint == NULL && i < n; i++)
		if (policy_name_matches(t[i].text, name))
			hint = "only its variables give such names";
	if (hint == NULL)
		hint = "no template of the role makes such a name";
	if (what == NULL)
		return err_policy(cause, "refused: names: %s the IP address "
		    "%s, which is none of the addresses role %s leaves to it "
		    "(%s)", who, name, p->name, hint);
	return err_policy(cause, "refused: names: %s %s '%s', which is none "
	    "of the names role %s leaves to it (%s)", who, what, name, p->name,
	    hint);
}

/*
 * A CN asked for that becomes the subject's must fit the role's subject
 * CN, its variables bound as the values bind them: the role names its
 * server there (sip.${sip_domain} takes no other name).
 */
static int
cn_fits(const struct profile *p, const struct profile_values *vs,
    const char *cn, const char *who, char **cause)
{
	const char	*ct = profile_cn_template(p);
	struct strv	 pats = { NULL, 0 };
	int		 fits = 0;

	if (ct == NULL)
		return 0;
	profile_tmpl_patterns(p, vs, ct, &pats);
	for (size_t i = 0; i < pats.n && !fits; i++)
		fits = policy_name_matches(pats.v[i], cn);
	strv_free(&pats);
	if (fits)
		return 0;
	return err_policy(cause, "refused: names: %s the CN '%s', which does "
	    "not fit the subject CN '%s' of role %s", who, cn, ct, p->name);
}

/*
 * Names asked for (by a CSR, or carried by the certificate renewed), each
 * in a place the role leaves open: subject_cn first (the subject's CN,
 * when the values do not give it: it names the server, so it takes the
 * template meant for it), then own_cn (the CSR's CN, when the profile
 * names the subject and the CSR's CN is another host name), then the
 * dNSNames; and the IP addresses, each in an open ip
 * template. who says who asks, and hint what to do, for the refusal;
 * used[] (p->ndns + p->nip + 1, zeroed) is left with what each template
 * took.
 */
static int
fit_names(const struct request *req, const struct profile *p,
    const struct profile_values *vs, const char *subject_cn,
    const char *own_cn, const struct strv *dns, const struct strv *ips,
    const char *who, const char *hint, unsigned *used, char **cause)
{
	const char	*cn = dn_get(&req->subject, dn_oid("CN"));
	struct strv	*took = xcalloc(p->ndns + 1, sizeof *took);
	struct list_gap	 gap = { NULL, NULL, NULL, NULL, NULL };
	size_t		 extra = own_cn != NULL;
	int		 rc = 0;

	/* the subject's CN fits the role's CN, and a dNSName when it has any */
	if (subject_cn != NULL && (rc = cn_fits(p, vs, subject_cn, who,
	    cause)) == 0 && fit_name(p, vs, p->dns, p->ndns, used, took,
	    subject_cn) != 0 && p->ndns > 0 && policy_dns_valid(subject_cn,
	    p->allow_wildcard))
		rc = name_refused(p, who, "the CN", subject_cn, hint, cause);
	for (size_t k = 0; k < extra + dns->n && rc == 0; k++) {
		const char	*name = k < extra ? own_cn : dns->v[k - extra];

		if ((cn != NULL && strcasecmp(name, cn) == 0) ||
		    strv_has_icase(&req->dns, name))
			continue;	/* the values give it already */
		if (fit_name(p, vs, p->dns, p->ndns, used, took, name) == 0)
			continue;
		rc = name_refused(p, who, k < extra ? "the CN" : "dNSName",
		    name, hint, cause);
	}
	/* both in inet_ntop()'s form: the CSR's, and the bound values' */
	for (size_t k = 0; k < ips->n && rc == 0; k++) {
		const char	*ip = ips->v[k];

		if (strv_has(&req->ip, ip) ||
		    fit_name(p, vs, p->ip, p->nip, used + p->ndns, NULL,
		    ip) == 0)
			continue;
		rc = name_refused(p, who, NULL, ip, hint, cause);
	}
	/* one variable, one value (a list, one set) in each template */
	if (rc == 0 && profile_values_agree(p, vs, took, subject_cn, &gap)) {
		if (gap.other != NULL)
			rc = err_policy(cause, "refused: names: %s %s as '%s' "
			    "in '%s' and as '%s' in '%s': a variable has one "
			    "value", who, gap.var, gap.value, gap.in,
			    gap.other, gap.out);
		else
			rc = err_policy(cause, "refused: names: %s %s '%s' in "
			    "'%s' but not in '%s': each value of a list "
			    "variable goes in every template that uses it", who,
			    gap.var, gap.value, gap.in, gap.out);
	}
	for (size_t i = 0; i < p->ndns; i++)
		strv_free(&took[i]);
	free(took);
	free(gap.value);
	free(gap.other);
	return rc;
}

/* Is the role's first dNSName template its subject CN's? */
static int
cn_first(const struct profile *p)
{
	const char	*cn_oid = dn_oid("CN");

	for (size_t k = 0; k < p->nsubject; k++)
		if (p->subject[k].oid != NULL &&
		    strcmp(p->subject[k].oid, cn_oid) == 0)
			return p->ndns > 0 &&
			    strcmp(p->dns[0].text, p->subject[k].text) == 0;
	return 0;
}

/* name (any case) moved to the front of v, the others kept in order. */
static void
move_first(struct strv *v, const char *name)
{
	char	*keep;

	for (size_t i = 0; i < v->n; i++)
		if (strcasecmp(v->v[i], name) == 0) {
			keep = v->v[i];
			memmove(&v->v[1], &v->v[0], i * sizeof *v->v);
			v->v[0] = keep;
			return;
		}
}

/* dns and ips added to req's names, each once. */
static void
add_names(struct request *req, const struct strv *dns, const struct strv *ips)
{
	for (size_t i = 0; i < dns->n; i++)
		if (!strv_has_icase(&req->dns, dns->v[i]))
			strv_add(&req->dns, dns->v[i]);
	for (size_t i = 0; i < ips->n; i++)
		if (!strv_has(&req->ip, ips->v[i]))
			strv_add(&req->ip, ips->v[i]);
}

/* req->asked: the names from dns[ndns] and ip[nip] on, past the values. */
static void
note_asked(struct request *req, size_t ndns, size_t nip)
{
	char	*out = xstrdup(""), *tmp;

	for (size_t i = ndns; i < req->dns.n; i++) {
		xasprintf(&tmp, "%sDNS:%s\n", out, req->dns.v[i]);
		free(out);
		out = tmp;
	}
	for (size_t i = nip; i < req->ip.n; i++) {
		xasprintf(&tmp, "%sIP:%s\n", out, req->ip.v[i]);
		free(out);
		out = tmp;
	}
	free(req->asked);
	req->asked = out;
}

/* Is "KIND:name" one of the asked lines (a DNS name in any case)? */
static int
was_asked(const struct strv *asked, const char *kind, const char *name)
{
	size_t	 k = strlen(kind);

	for (size_t i = 0; i < asked->n; i++) {
		const char	*s = asked->v[i];

		if (strncmp(s, kind, k) == 0 && s[k] == ':' &&
		    (strcmp(kind, "DNS") == 0 ? strcasecmp(s + k + 1, name) :
		    strcmp(s + k + 1, name)) == 0)
			return 1;
	}
	return 0;
}

/*
 * With the record of what the request asked for: a name of the renewed
 * certificate that the values do not give must be one of those, or the
 * profile gave it once and gives it no more. It is not carried on into
 * another open place (an unset optional variable's).
 */
static int
only_asked(const struct request *req, const struct profile *p,
    const char *text, const struct strv *dns, const struct strv *ips,
    const char *who, const char *hint, char **cause)
{
	const char	*cn = dn_get(&req->subject, dn_oid("CN"));
	struct strv	 asked = { NULL, 0 };
	int		 rc = 0;

	strv_add_lines(&asked, text);
	for (size_t i = 0; i < dns->n && rc == 0; i++) {
		const char	*name = dns->v[i];

		if ((cn == NULL || strcasecmp(name, cn) != 0) &&
		    !strv_has_icase(&req->dns, name) &&
		    !was_asked(&asked, "DNS", name))
			rc = name_refused(p, who, "dNSName", name, hint, cause);
	}
	for (size_t i = 0; i < ips->n && rc == 0; i++)
		if (!strv_has(&req->ip, ips->v[i]) &&
		    !was_asked(&asked, "IP", ips->v[i]))
			rc = name_refused(p, who, NULL, ips->v[i], hint, cause);
	strv_free(&asked);
	return rc;
}

/*
 * Every name template the role needs must match a name, as check
 * --profile judges it, and one left open must have taken a name asked
 * for: ${server_fqdn} matches the pool's name too, which is not the
 * member's. One that neither the variables nor the names asked for fill
 * would leave the certificate without a name the role needs; so would a
 * subject attribute of a required variable left unset (an OU the profile
 * came to need). hint says how to give them.
 */
static int
names_complete(const struct profile *p, const struct profile_values *vs,
    const struct request *req, const unsigned *used, const char *hint,
    char **cause)
{
	const struct profile_var	*v;
	size_t				 literal;
	int				 list;

	for (size_t i = 0; i < p->ndns; i++)
		if (policy_template_unmet(p, i, &req->dns) ||
		    (!profile_dns_optional(p, i) && used[i] == 0 &&
		    profile_tmpl_open(p, vs, &p->dns[i], &list, &literal)))
			return err_usage(cause, "role %s needs a dNSName for "
			    "'%s': %s", p->name, p->dns[i].text, hint);
	if ((v = profile_subject_unbound(p, vs)) != NULL)
		return err_usage(cause, "missing variable '%s'%s%s%s: role "
		    "%s's subject needs it", v->name, v->description != NULL ?
		    " (" : "", v->description != NULL ? v->description : "",
		    v->description != NULL ? ")" : "", p->name);
	return 0;
}

int
leaf_keep_names(struct request *req, const struct profile *p,
    const struct profile_values *vs, const struct strv *dns,
    const struct strv *ips, const char *asked, char **cause)
{
	static const char	 who[] = "the certificate renewed carries";
	static const char	 hint[] = "the role's profile no longer gives "
				    "it: issue a new certificate";
	const char		*cn = dn_get(&req->subject, dn_oid("CN"));
	size_t			 ndns = req->dns.n, nip = req->ip.n;
	unsigned		*used = xcalloc(p->ndns + p->nip + 1,
				    sizeof *used);
	int			 rc = ERR_FAIL;

	if (asked != NULL)
		TRY(only_asked(req, p, asked, dns, ips, who, hint, cause));
	/* a CN the values give takes no place: the pool's, not the member's */
	if (cn != NULL && strv_has_icase(&req->dns, cn))
		cn = NULL;
	TRY(fit_names(req, p, vs, cn, NULL, dns, ips, who, hint, used, cause));
	add_names(req, dns, ips);
	note_asked(req, ndns, nip);
	/* the CN first where the role puts it first, as issue does */
	if (cn != NULL && cn_first(p))
		move_first(&req->dns, cn);
	/* a role that came to need more: its values, which renew has not */
	TRY(names_complete(p, vs, req, used, "the role's profile needs more "
	    "than the certificate renewed has: issue a new certificate",
	    cause));
	rc = 0;
out:
	free(used);
	return rc;
}

/* What a host name is, for the refusals of one that is not. */
#define HOST_NAME_RULE	"labels of letters, digits and '-', at least two, " \
			"no trailing dot"

/*
 * The CSR's own names are host names, checked before they are placed: one
 * that is not would be refused as taking no place, which misleads. The
 * CN is one too where it becomes the subject's (a server's CN is its
 * FQDN; a bare NetBIOS name is not), unless it is an IP address.
 */
static int
csr_names_valid(const struct csr_info *info, int cn_is_subject,
    char **cause)
{
	unsigned char	 bin[16];

	if (cn_is_subject && !policy_dns_valid(info->cn, 1) &&
	    inet_pton(AF_INET, info->cn, bin) != 1 &&
	    inet_pton(AF_INET6, info->cn, bin) != 1)
		return err_policy(cause, "refused: names: the CSR's CN '%s' is "
		    "not a valid host name (%s): ask for the server's FQDN, "
		    "or give it with --set", info->cn, HOST_NAME_RULE);
	for (size_t i = 0; i < info->dns.n; i++)
		if (!policy_dns_valid(info->dns.v[i], 1))
			return err_policy(cause, "refused: names: the CSR asks "
			    "for dNSName '%s', which is not a valid host name "
			    "(%s)", info->dns.v[i], HOST_NAME_RULE);
	return 0;
}

int
leaf_csr_merge(struct request *req, const struct profile *p,
    const struct profile_values *vs, const struct csr_info *info,
    char **cause)
{
	const char	*cn_oid = dn_oid("CN"), *cn, *own_cn = NULL;
	const char	*subject_cn = NULL;
	struct keyspec	 spec;
	struct strv	 ips = { NULL, 0 };
	char		 ipbuf[INET6_ADDRSTRLEN];
	size_t		 ndns = req->dns.n, nip = req->ip.n;
	unsigned	*used = xcalloc(p->ndns + p->nip + 1, sizeof *used);
	int		 rc = ERR_FAIL;

	TRY(keys_spec_of_pubkey(info->pub, &spec, cause));
	profile_fit_key(req, p, &spec);
	if ((cn = dn_get(&req->subject, cn_oid)) == NULL) {
		if (info->cn == NULL || *info->cn == '\0') {
			rc = err_usage(cause, "neither the profile's variables "
			    "nor the CSR give a subject CN: use --set");
			goto out;
		}
		TRY(csr_names_valid(info, 1, cause));
		dn_add(&req->subject, cn_oid, info->cn);
		subject_cn = info->cn;
		/*
		 * a role with no dNSName (Edge A/V, OAuth) gets none; a
		 * wildcard is one, for the rules to judge, not dropped
		 */
		if (p->ndns > 0 && !strv_has_icase(&req->dns, info->cn) &&
		    policy_dns_valid(info->cn, 1))
			strv_add(&req->dns, info->cn);
	} else if (info->cn != NULL && strcasecmp(info->cn, cn) != 0 &&
	    !strv_has_icase(&info->dns, info->cn) &&
	    policy_dns_valid(info->cn, 1)) {
		/*
		 * The profile names the subject, and the CSR's CN is another
		 * host name (a wildcard among them), one its subjectAltName
		 * leaves out: the name the server asks to be known by, which
		 * the certificate must not silently lose. It is asked for
		 * like a dNSName.
		 */
		own_cn = info->cn;
	} else if (info->cn != NULL && strcasecmp(info->cn, cn) != 0 &&
	    ip_text(info->cn, ipbuf) != NULL && !strv_has(&info->ip, ipbuf)) {
		/* an address, the same way: asked for like an IP address */
		strv_add(&ips, ipbuf);
	}
	for (size_t i = 0; i < info->ip.n; i++)
		if (!strv_has(&ips, info->ip.v[i]))
			strv_add(&ips, info->ip.v[i]);
	TRY(csr_names_valid(info, 0, cause));
	if (req->friendly_name == NULL)
		req->friendly_name = xstrdup(dn_get(&req->subject, cn_oid));
	/*
	 * A CN the values give takes no place (the pool's name must not take
	 * the member's); the CSR's, when they give none, takes its own.
	 */
	TRY(fit_names(req, p, vs, subject_cn, own_cn, &info->dns, &ips,
	    "the CSR asks for", NULL, used, cause));
	if (own_cn != NULL && !strv_has_icase(&req->dns, own_cn))
		strv_add(&req->dns, own_cn);
	add_names(req, &info->dns, &ips);
	/*
	 * A role with no dNSName gets none: what is left of the CSR's is its
	 * CN repeated (any other took no place and was refused)
	 */
	if (p->ndns == 0)
		strv_free(&req->dns);
	note_asked(req, ndns, nip);
	/*
	 * and a CN the CSR gave where the role has no dNSName to carry it
	 * (Edge A/V, OAuth): the one name, asked for like the others
	 */
	if (subject_cn != NULL && p->ndns == 0) {
		char	*tmp;

		xasprintf(&tmp, "%sCN:%s\n", req->asked, subject_cn);
		free(req->asked);
		req->asked = tmp;
	}
	if (subject_cn != NULL && cn_first(p))
		move_first(&req->dns, subject_cn);
	TRY(names_complete(p, vs, req, used, "set its variables (--set) or "
	    "ask for it in the CSR", cause));
	rc = 0;
out:
	strv_free(&ips);
	free(used);
	return rc;
}

/*
 * Enter the keys of keyCompromise revocations recorded before the table
 * of compromised keys existed, once, in one transaction.
 */
static int
compromised_backfill(struct ca *ca, char **cause)
{
	struct strv		 serials = { NULL, 0 };
	struct store_cert	*sc = NULL;
	char			*id = NULL;
	int64_t			 pending = 0;
	int			 rc = ERR_FAIL;

	TRY(store_counter(ca->store, "compromised_backfill", &pending, cause));
	if (pending != 1)
		return 0;
	TRY(store_begin(ca->store, cause));
	TRY(store_compromised_pending(ca->store, &serials, cause));
	for (size_t i = 0; i < serials.n; i++) {
		TRY(store_get(ca->store, serials.v[i], &sc, cause));
		if (sc != NULL) {
			TRY(x509_der_key_id(sc->der, sc->der_len, &id, cause));
			TRY(store_compromised_add(ca->store, id, sc->serial,
			    cause));
		}
		free(id);
		id = NULL;
		store_cert_free(sc);
		sc = NULL;
	}
	TRY(store_set_counter(ca->store, "compromised_backfill", 0, cause));
	TRY(store_commit(ca->store, cause));
	rc = 0;
out:
	if (rc != 0)
		store_rollback(ca->store);
	free(id);
	store_cert_free(sc);
	strv_free(&serials);
	return rc;
}

int
leaf_key_compromised(struct ca *ca, gnutls_pubkey_t pub, char **serial,
    char **cause)
{
	char	*id = NULL;
	int	 rc = ERR_FAIL;

	*serial = NULL;
	TRY(compromised_backfill(ca, cause));
	TRY(x509_pubkey_id(pub, &id, cause));
	TRY(store_compromised_find(ca->store, id, serial, cause));
	rc = 0;
out:
	free(id);
	return rc;
}

int
leaf_key_not_compromised(struct ca *ca, gnutls_pubkey_t pub, char **cause)
{
	char	*serial = NULL;
	int	 rc = ERR_FAIL;

	TRY(leaf_key_compromised(ca, pub, &serial, cause));
	if (serial != NULL) {
		rc = err_policy(cause, "refused: key: certificate %s for this "
		    "key was revoked for keyCompromise: a compromised key is "
		    "never certified again (make a new key)", serial);
		goto out;
	}
	rc = 0;
out:
	free(serial);
	return rc;
}

int
leaf_compromised_load(struct ca *ca, struct strv *ids, char **cause)
{
	int	 rc = ERR_FAIL;

	TRY(compromised_backfill(ca, cause));
	TRY(store_compromised_all(ca->store, ids, cause));
	rc = 0;
out:
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
leaf_key_listed(const struct strv *ids, gnutls_pubkey_t pub, char **cause)
{
	char	*id = NULL;
	int	 rc = ERR_FAIL;

	if (ids->n == 0)
		return 0;
	TRY(x509_pubkey_id(pub, &id, cause));
	if (bsearch(&id, ids->v, ids->n, sizeof *ids->v, cmp_str) != NULL) {
		rc = err_policy(cause, "refused: key: a certificate for this "
		    "key was revoked for keyCompromise: a compromised key is "
		    "never certified again (make a new key)");
		goto out;
	}
	rc = 0;
out:
	free(id);
	return rc;
}

char *
leaf_asked_text(const struct request *req)
{
	const char	*p = req->asked;
	char		*out = NULL, *tmp;
	size_t		 n;

	if (p == NULL || *p == '\0')
		return NULL;
	while (*p != '\0') {
		n = strcspn(p, "\n");
		xasprintf(&tmp, "%s%s%.*s", out != NULL ? out : "",
		    out != NULL ? ", " : "", (int)n, p);
		free(out);
		out = tmp;
		p += n + (p[n] == '\n');
	}
	return out;
}

char *
leaf_sans_text(const struct request *req)
{
	char	*out = xstrdup(""), *tmp;

	for (size_t i = 0; i < req->dns.n + req->ip.n; i++) {
		int	 dns = i < req->dns.n;

		xasprintf(&tmp, "%s%s%s:%s", out, i > 0 ? "," : "",
		    dns ? "DNS" : "IP", dns ? req->dns.v[i] :
		    req->ip.v[i - req->dns.n]);
		free(out);
		out = tmp;
	}
	return out;
}

int
leaf_out_prefix(const char *arg, const struct request *req, char **prefix,
    char **cause)
{
	const char	*cn = dn_get(&req->subject, dn_oid("CN"));
	size_t		 n = arg != NULL ? strlen(arg) : 0;
	struct stat	 st;

	*prefix = NULL;
	if (arg != NULL && n > 0 && arg[n - 1] != '/') {
		/* PREFIX.crt beside the directory is never what was meant */
		if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
			return err_usage(cause, "--out %s: is a directory: "
			    "give %s/ to name the files after the subject CN, "
			    "or a file prefix", arg, arg);
		*prefix = xstrdup(arg);
	} else if (cn == NULL || *cn == '\0' || *cn == '.' ||
	    strchr(cn, '/') != NULL)
		return err_usage(cause, "the subject CN cannot name the output "
		    "files: give --out PREFIX");
	else
		xasprintf(prefix, "%s%s", arg != NULL ? arg : "", cn);
	/* the CA's key, certificate, database and CRLs are not outputs */
	if (ca_refuse_output(*prefix, 0, cause) != 0) {
		free(*prefix);
		*prefix = NULL;
		return ERR_USAGE;
	}
	return 0;
}

int
leaf_out_paths(const char *arg, const struct request *req,
    const char *const *suffixes, size_t n, int force, char **paths,
    char **cause)
{
	char	*prefix = NULL;
	int	 rc = ERR_FAIL;

	TRY(leaf_out_prefix(arg, req, &prefix, cause));
	for (size_t i = 0; i < n; i++) {
		xasprintf(&paths[i], "%s%s", prefix, suffixes[i]);
		TRY(out_check(paths[i], force, cause));
	}
	rc = 0;
out:
	free(prefix);
	return rc;
}
