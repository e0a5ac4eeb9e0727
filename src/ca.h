/*
 * A CA directory opened: its config, certificate, chain, key and database.
 * The file names are part of the contract (scripts rely on them).
 */
#ifndef ROLECA_CA_H
#define ROLECA_CA_H

#include <gnutls/x509.h>

#include "conf.h"
#include "keys.h"
#include "store.h"

#define CA_CFG		"ca.cfg"
#define CA_CRT		"ca.crt"	/* this CA's certificate, PEM */
/* ca.crt then its issuers up to the root */
#define CA_CHAIN	"chain.pem"
#define CA_KEY		"ca.key"
#define CA_DB		"roleca.db"
#define CA_CRLDIR	"crl"
#define CA_PROFILES	"profiles"

/* What ca_open() must load besides the config. */
#define CA_WANT_CERT	0x1
#define CA_WANT_KEY	0x2
#define CA_WANT_STORE	0x4
#define CA_WANT_ALL	(CA_WANT_CERT | CA_WANT_KEY | CA_WANT_STORE)

/* A certificate's subjectPublicKeyInfo, DER. */
struct ca_spki {
	unsigned char	*der;
	size_t		 len;
};

struct ca {
	char			*dir;
	struct conf		*conf;
	/* NULL until the certificate is installed */
	gnutls_x509_crt_t	 crt;
	gnutls_x509_crt_t	*chain;		/* crt first */
	size_t			 nchain;
	/* chain[i]'s key: no leaf may certify one of them */
	struct ca_spki		*chain_spki;
	/* chain.pem is missing: the chain is ca.crt alone */
	int			 chain_lost;
	struct key		*key;
	/* the key's own ECDSA signatures checked fast (ecsig.h), or NULL */
	struct ecsig		*own;
	struct store		*store;
	/* the chain as PEM, made on first use */
	char			*chain_pem;
	/* crl/.lock while held (crl_lock), else -1; closed by ca_close */
	int			 crl_lock;
};

/*
 * A directory that is not a CA is an error that says so. The database is
 * opened before the key is loaded: when the key cannot be (a wrong
 * passphrase or PIN, a key others may read), *out is still the CA, with
 * its database and without a key, for the failure to be logged; the
 * caller closes it. On any other failure *out is NULL.
 */
int	 ca_open(const char *dir, int want, struct ca **, char **cause);
/* The CA's key, loaded now if ca_open was not asked for it. */
int	 ca_load_key(struct ca *, char **cause);
void	 ca_close(struct ca *);
/*
 * Is the CA's chain to its root known (chain.pem there)? 0, or an error
 * saying how to restore it: no certificate is signed without it.
 */
int	 ca_chain_whole(const struct ca *, char **cause);
/* Is dir a CA directory (has ca.cfg)? */
int	 ca_exists(const char *dir);
/*
 * Refuse an output file (is_dir: an output directory) in any CA directory
 * or its crl/: there a CA keeps its key, certificate, database and CRLs,
 * which no certificate, key or copy written by a command may replace, not
 * even with --force. 0, or a usage error naming path.
 */
int	 ca_refuse_output(const char *path, int is_dir, char **cause);
/* The directory part of path ("." when it has none), allocated. */
char	*ca_dir_of(const char *path);
/* dir/name, allocated. */
char	*ca_path(const struct ca *, const char *name);
char	*ca_path_in(const char *dir, const char *name);

#endif
