/*
 * The CA database (SQLite, roleca.db in the CA directory): every issued
 * certificate and the CA's counters. Each operation is one transaction,
 * WAL with synchronous=FULL, and writers wait on the lock for a bounded
 * time.
 */
#ifndef ROLECA_STORE_H
#define ROLECA_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct strv;

struct store;

enum store_status {
	STORE_VALID = 0,
	STORE_REVOKED
};

struct store_cert {
	char		*serial;	/* lower-case hex, no separators */
	char		*subject;	/* RFC 4514 text */
	char		*sans;		/* names, comma-separated */
	char		*profile;
	char		*vars;		/* "name=value" lines */
	int64_t		 not_before;	/* Unix time */
	int64_t		 not_after;
	int64_t		 issued_at;
	enum store_status status;
	/* when the revocation was recorded (the revocationDate); 0 if valid */
	int64_t		 revoked_at;
	int		 reason;	/* RFC 5280 CRLReason, -1 none */
	unsigned char	*der;
	size_t		 der_len;
	/*
	 * known or suspected invalid since (invalidityDate), before
	 * revoked_at; 0: none (never a date: it is after not_before)
	 */
	int64_t		 invalid_at;
	/*
	 * the names the request asked for beyond the profile's variables,
	 * "DNS:name" and "IP:address" lines ("" none); NULL: not recorded
	 * (a row from before schema version 9)
	 */
	char		*asked;
	/*
	 * the certificate this one was issued to replace (renew, deploy),
	 * when that is recorded here; NULL: none (or a row from before
	 * schema version 10). store_record keeps it only if recorded.
	 */
	char		*replaces;
};

/* A database file and the log and index SQLite keeps beside it, removed. */
void	 store_remove(const char *path);
/* Open path; with create, make a new database (refuses an existing file). */
int	 store_open(const char *path, int create, struct store **,
	    char **cause);
/* Closing with a transaction open rolls it back. */
void	 store_close(struct store *);

/*
 * Group several operations into one commit (one fsync of the log for all
 * of them): between store_begin and store_commit every store_* write joins
 * the group, and a failed one undoes only itself. store_begin can nest;
 * the inner levels are savepoints. store_commit undoes its level when the
 * commit fails; store_rollback undoes the innermost level.
 */
int	 store_begin(struct store *, char **cause);
int	 store_commit(struct store *, char **cause);
void	 store_rollback(struct store *);

/*
 * Record a certificate; a serial already present is an error. With op, the
 * audit log's row for the operation (outcome "ok") is written in the same
 * transaction: a certificate is never recorded without its audit entry.
 */
int	 store_record(struct store *, const struct store_cert *,
	    const char *op, char **cause);
/*
 * Fetch by serial (hex, case-insensitive, ':' allowed); 0 and *out NULL if
 * absent.
 */
int	 store_get(struct store *, const char *serial, struct store_cert **out,
	    char **cause);
void	 store_cert_free(struct store_cert *);
/* The certificates recorded as replacing serial, oldest first. */
int	 store_replaced_by(struct store *, const char *serial, struct strv *out,
	    char **cause);
/* Number of certificates recorded. */
int	 store_count(struct store *, long long *n, char **cause);
/* The database's schema version. */
int	 store_schema_version(struct store *, int *version, char **cause);

/*
 * Mark a certificate revoked with an RFC 5280 reason (-1: none), dated now,
 * when it is recorded (the CRL entry's revocationDate, RFC 5280 5.1.2.6).
 * invalid, unless NULL, is when the certificate is known or suspected to
 * have become invalid (the invalidityDate, 5.3.2); one not before now is
 * none. That date, or now without one, must not be before the
 * certificate's notBefore. A certificate on hold (6) may be revoked again
 * with another reason, and gets new dates. An unknown serial, one already
 * revoked for good, or a hold held again is an error and changes nothing.
 */
int	 store_revoke(struct store *, const char *serial, int reason,
	    const int64_t *invalid, char **cause);
/*
 * Undo a revocation whose reason is certificateHold (6); anything else is
 * refused.
 */
int	 store_unrevoke(struct store *, const char *serial, char **cause);

/*
 * Keys never to be certified again (revoked for keyCompromise), by SHA-256
 * key identifier (x509_pubkey_id()): add one (in the revocation's
 * transaction; a key already there is kept with its first serial), find
 * one (*serial NULL when it is not there), read them all, sorted. While
 * the counter compromised_backfill is 1 (a database from before the
 * table), pending gives the serials revoked for keyCompromise, whose keys
 * the caller adds before setting the counter to 0.
 */
int	 store_compromised_add(struct store *, const char *key_id,
	    const char *serial, char **cause);
int	 store_compromised_find(struct store *, const char *key_id,
	    char **serial, char **cause);
int	 store_compromised_all(struct store *, struct strv *ids, char **cause);
int	 store_compromised_pending(struct store *, struct strv *serials,
	    char **cause);

/*
 * Named counters (0 when unset): base_crl_number and base_crl_time, and
 * revocations_changed, the CRL number last taken when store_revoke or
 * store_unrevoke changed a certificate (a CRL numbered at most that may
 * lack the change).
 */
int	 store_counter(struct store *, const char *name, int64_t *value,
	    char **cause);
int	 store_set_counter(struct store *, const char *name, int64_t value,
	    char **cause);

/*
 * Take the next CRL number: incremented and committed before it is used, never
 * reused.
 */
int	 store_next_crl_number(struct store *, uint64_t *n, char **cause);

/*
 * Stream the revoked certificates that have not expired at now. next()
 * returns 1 with the row (valid until the next call), 0 at the end.
 */
/*
 * The inventory, oldest expiry first. Every filter is optional: status
 * (STORE_ANY, STORE_VALID: not revoked and not expired, STORE_REVOKED,
 * STORE_EXPIRED: past its notAfter at now, which is still valid), profile
 * (NULL: any), expiring_until (0: no limit; only valid certificates whose
 * notAfter is at or before it).
 */
#define STORE_ANY	(-1)
#define STORE_EXPIRED	2
struct store_filter {
	int		 status;
	const char	*profile;
	int64_t		 expiring_until;
	int64_t		 now;
	int		 with_der;	/* rows carry der too */
};
struct store_list;
int	 store_list_open(struct store *, const struct store_filter *,
	    struct store_list **, char **cause);
/*
 * 1 with *row filled (its strings, and der when the filter asks for it,
 * valid until the next call), 0 at the end.
 */
int	 store_list_next(struct store_list *, struct store_cert *row,
	    char **cause);
void	 store_list_close(struct store_list *);

struct store_revoked;
int	 store_revoked_open(struct store *, int64_t now,
	    struct store_revoked **, char **cause);
/* Only those whose revocation was recorded at or after since (delta CRLs). */
int	 store_revoked_since(struct store *, int64_t now, int64_t since,
	    struct store_revoked **, char **cause);
/*
 * Those whose not_after is in (after, until]: a share of the base CRL's
 * rows, for reading it on several connections at once.
 */
int	 store_revoked_range(struct store *, int64_t now, int64_t after,
	    int64_t until, struct store_revoked **, char **cause);
/* Earliest and latest not_after of the base CRL's rows; *any = 0 if none. */
int	 store_revoked_span(struct store *, int64_t now, int *any,
	    int64_t *first, int64_t *last, char **cause);
/*
 * How many rows the base CRL has, counted through the other index on
 * (status, not_after): a CRL that read a different number from the
 * covering index was given a damaged one, and must not be signed.
 */
int	 store_revoked_count(struct store *, int64_t now, int64_t *n,
	    char **cause);
/* An invalid_at of 0: no invalidity date. */
int	 store_revoked_next(struct store_revoked *, const char **serial_hex,
	    int64_t *revoked_at, int *reason, int64_t *invalid_at,
	    char **cause);
void	 store_revoked_close(struct store_revoked *);

/*
 * One snapshot on several connections. While one connection holds the
 * write lock (store_hold_writes) nothing can commit, so read transactions
 * begun then on other connections (store_snapshot_begin) all see the same
 * database; the hold is released as soon as they have begun.
 */
int	 store_hold_writes(struct store *, char **cause);
void	 store_release_writes(struct store *);
int	 store_snapshot_begin(struct store *, char **cause);
void	 store_snapshot_end(struct store *);

/*
 * The audit log: one row per operation (init, issue, sign, revoke,
 * unrevoke, crl, publish, ...) with its outcome, append-only.
 */
int	 store_audit(struct store *, const char *op, const char *serial,
	    const char *profile, const char *outcome, char **cause);
struct store_log_row {
	int64_t		 id;
	int64_t		 time;
	const char	*operation;
	const char	*serial;
	const char	*profile;
	int64_t		 uid;
	const char	*outcome;
};
struct store_log;
int	 store_log_open(struct store *, struct store_log **, char **cause);
int	 store_log_next(struct store_log *, struct store_log_row *,
	    char **cause);
void	 store_log_close(struct store_log *);

#endif
