/*
 * The CA database. Every SQLite call in roleca lives here: statements are
 * prepared with bound parameters, writes run under BEGIN IMMEDIATE so a
 * second roleca waits for the write lock (bounded) instead of failing half
 * way, and the schema grows only through the migration table below.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "util.h"

/* How long a writer waits for another process's lock before giving up. */
#define STORE_BUSY_MS		10000
#define STORE_BUSY_MAX_MS	3600000
/*
 * Checkpoints: at close once the write-ahead log holds this many pages
 * (each sign or issue adds about 7), at once after a commit past the
 * second figure (SQLite's own default).
 */
#define STORE_WAL_CLOSE_PAGES	64
#define STORE_WAL_COMMIT_PAGES	1000

struct store {
	sqlite3	*db;
	char	*path;
	int	 busy_ms;
	/* open transactions: 1 BEGIN, then SAVEPOINTs */
	int	 depth;
	int	 wal_pages;	/* in the log after our last commit */
	/* prepared once, for deploy's thousands of records: reset after use */
	sqlite3_stmt	*insert_cert;
	sqlite3_stmt	*insert_audit;
};

/*
 * The schema, one step per version: migrations[v] takes a database from
 * version v - 1 to v and sets user_version to v itself, so a step and its
 * version number cannot drift apart. A new schema is every step from 1 in
 * one transaction; an older database is stepped forward when opened. To
 * change the schema, append a step; never edit one that has shipped.
 */
static const char schema_v1[] =
	"CREATE TABLE certs ("
	" serial TEXT PRIMARY KEY,"
	" subject TEXT,"
	" sans TEXT,"
	" profile TEXT,"
	" vars TEXT,"
	" not_before INTEGER NOT NULL,"
	" not_after INTEGER NOT NULL,"
	" issued_at INTEGER NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),"
	" revoked_at INTEGER,"
	" reason INTEGER,"
	" der BLOB NOT NULL"
	");"
	"CREATE INDEX certs_status_not_after ON certs (status, not_after);"
	"CREATE TABLE counters ("
	" name TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL"
	");"
	"INSERT INTO counters (name, value) VALUES ('crl_number', 0);"
	"PRAGMA user_version = 1;";

/*
 * Version 2: a covering index for the CRL, so a million revoked rows are
 * read in index order without a table lookup per row.
 */
static const char schema_v2[] =
	"CREATE INDEX certs_revoked ON certs (status, not_after, serial,"
	" revoked_at, reason);"
	"PRAGMA user_version = 2;";

/*
 * Version 3: the audit log, append-only: triggers refuse to change or
 * delete a row, whoever writes to the database.
 */
static const char schema_v3[] =
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time INTEGER NOT NULL,"
	" operation TEXT NOT NULL,"
	" serial TEXT,"
	" profile TEXT,"
	" uid INTEGER NOT NULL,"
	" outcome TEXT NOT NULL"
	");"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"PRAGMA user_version = 3;";

/*
 * Version 4: when a revocation was recorded (which a backdated --date
 * hides), so a delta CRL lists what changed since its base.
 */
static const char schema_v4[] =
	"ALTER TABLE certs ADD COLUMN revoked_recorded INTEGER;"
	"UPDATE certs SET revoked_recorded = revoked_at WHERE status = 'revoked';"
	"INSERT INTO counters (name, value) VALUES ('base_crl_number', 0),"
	" ('base_crl_time', 0);"
	"PRAGMA user_version = 4;";

/*
 * Version 5: when a certificateHold was released, so a delta CRL tells
 * peers holding a base CRL that listed the hold to drop it (removeFromCRL).
 */
static const char schema_v5[] =
	"ALTER TABLE certs ADD COLUMN released_at INTEGER;"
	"PRAGMA user_version = 5;";

/*
 * Version 6: revocations_changed, the CRL number last taken when a
 * revocation, hold or release was recorded: a base CRL whose number is
 * not above it may lack the change. Set to the current number, so a
 * database from before counts its CRL as stale once.
 */
static const char schema_v6[] =
	"INSERT INTO counters (name, value) SELECT 'revocations_changed',"
	" value FROM counters WHERE name = 'crl_number';"
	"PRAGMA user_version = 6;";

/*
 * Version 7: the keys of certificates revoked for keyCompromise, which
 * roleca never certifies again, by SHA-256 key identifier. While
 * compromised_backfill is 1, rows revoked so before this version are yet
 * to be entered (store_compromised_pending).
 */
static const char schema_v7[] =
	"CREATE TABLE compromised_keys ("
	" key_id TEXT PRIMARY KEY,"
	" serial TEXT NOT NULL"
	");"
	"INSERT INTO counters (name, value) SELECT 'compromised_backfill',"
	" EXISTS (SELECT 1 FROM certs WHERE status = 'revoked'"
	" AND reason = 1);"
	"PRAGMA user_version = 7;";

/*
 * Version 8: the invalidity date (RFC 5280 5.3.2) apart from the
 * revocation date. Until now revoked_at was revoke's --date, or the time
 * the command started, and revoked_recorded when the revocation was
 * recorded. From now on revoked_at is when it was recorded (the CRL
 * entry's revocationDate, when the CA processed it: 5.1.2.6) and
 * invalid_at an earlier --date (the invalidityDate), NULL without one.
 * Rows revoked before are read the same way: revoked_at becomes
 * revoked_recorded, and the old revoked_at, when it is earlier, invalid_at.
 * Nothing tells a --date from the time a revoke without one started, so
 * such a revocation that waited for the lock or crossed a second gets an
 * invalidity date that much earlier: when it was asked for, which is
 * true. A row revoked before version 4 has no date but revoked_at, which
 * it keeps, with no invalidity date. The CRL's covering index gains the
 * column, so a CRL is still read from the index alone.
 */
static const char schema_v8[] =
	"ALTER TABLE certs ADD COLUMN invalid_at INTEGER;"
	"UPDATE certs SET invalid_at = CASE WHEN revoked_at < revoked_recorded"
	" THEN revoked_at END, revoked_at = revoked_recorded"
	" WHERE status = 'revoked' AND revoked_recorded IS NOT NULL;"
	"DROP INDEX certs_revoked;"
	"CREATE INDEX certs_revoked ON certs (status, not_after, serial,"
	" revoked_at, reason, invalid_at);"
	"PRAGMA user_version = 8;";

/*
 * Version 9: the names a certificate's request asked for beyond what the
 * profile's variables gave (a CSR's extra dNSNames and addresses), so
 * that renew carries those on and nothing else. NULL in rows from before:
 * there renew cannot tell the two apart.
 */
static const char schema_v9[] =
	"ALTER TABLE certs ADD COLUMN asked TEXT;"
	"PRAGMA user_version = 9;";

/*
 * Version 10: the certificate a renewal or a deployment's reissue was
 * issued to replace, a serial recorded in this database (NULL: none, or
 * a row from before), and an index over the rows that have one, so that
 * show finds a certificate's successors without reading every row. And
 * freshest_until, the latest notAfter of a certificate recorded with a
 * Freshest CRL extension (whose OID's DER, 06 03 55 1D 2E, the rows from
 * before are searched for): until then peers look for delta CRLs, even
 * once delta_cdp is removed.
 */
static const char schema_v10[] =
	"ALTER TABLE certs ADD COLUMN replaces TEXT;"
	"CREATE INDEX certs_replaces ON certs (replaces)"
	" WHERE replaces IS NOT NULL;"
	"INSERT INTO counters (name, value) SELECT 'freshest_until',"
	" ifnull(max(not_after), 0) FROM certs"
	" WHERE instr(der, X'0603551D2E') > 0;"
	"PRAGMA user_version = 10;";

/* The DER of a Freshest CRL extension's OID, 2.5.29.46. */
static const unsigned char freshest_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x2e };

static int	 migrate_to_1(struct store *, char **);
static int	 migrate_to_2(struct store *, char **);
static int	 migrate_to_3(struct store *, char **);
static int	 migrate_to_4(struct store *, char **);
static int	 migrate_to_5(struct store *, char **);
static int	 migrate_to_6(struct store *, char **);
static int	 migrate_to_7(struct store *, char **);
static int	 migrate_to_8(struct store *, char **);
static int	 migrate_to_9(struct store *, char **);
static int	 migrate_to_10(struct store *, char **);

static int (*const migrations[])(struct store *, char **) = {
	NULL,		/* version 0: an empty file */
	migrate_to_1,
	migrate_to_2,
	migrate_to_3,
	migrate_to_4,
	migrate_to_5,
	migrate_to_6,
	migrate_to_7,
	migrate_to_8,
	migrate_to_9,
	migrate_to_10,
};
#define STORE_SCHEMA_VERSION \
	((int)(sizeof migrations / sizeof migrations[0]) - 1)

#define CERT_COLUMNS \
	"serial, subject, sans, profile, vars, not_before, not_after, " \
	"issued_at, status, revoked_at, reason, der, invalid_at, asked, " \
	"replaces"

/*
 * Turn an SQLite result into a cause. A busy result means the wait for
 * another writer ran out; say so plainly rather than "database is locked".
 */
static int
db_fail(struct store *st, int ret, const char *what, char **cause)
{
	int	 ms = st->busy_ms, e;

	if ((ret & 0xff) == SQLITE_BUSY) {
		if (ms % 1000 == 0)
			return err_set(cause, "%s: %s: database is locked by "
			    "another roleca process (waited %d s)", st->path,
			    what, ms / 1000);
		return err_set(cause, "%s: %s: database is locked by another "
		    "roleca process (waited %d ms)", st->path, what, ms);
	}
	/* "disk I/O error" alone does not say that the disk is full */
	if ((ret & 0xff) == SQLITE_IOERR && (e = sqlite3_system_errno(st->db))
	    != 0)
		return err_set(cause, "%s: %s: %s (%s)", st->path, what,
		    sqlite3_errmsg(st->db), strerror(e));
	return err_set(cause, "%s: %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

/* 0 when an SQLite call returned what was wanted, else the cause. */
static int
db_want(struct store *st, int ret, int want, const char *what, char **cause)
{
	if (ret == want)
		return 0;
	return db_fail(st, ret, what, cause);
}

static int
db_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
    const char *what, char **cause)
{
	*stmt = NULL;
	return db_want(st, sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL),
	    SQLITE_OK, what, cause);
}

/*
 * A statement kept prepared in *slot: made on first use, reset (bindings
 * cleared) by stmt_done after each use, finalized by store_close.
 */
static int
stmt_cached(struct store *st, sqlite3_stmt **slot, const char *sql,
    const char *what, char **cause)
{
	if (*slot != NULL)
		return 0;
	return db_want(st, sqlite3_prepare_v2(st->db, sql, -1, slot, NULL),
	    SQLITE_OK, what, cause);
}

static void
stmt_done(sqlite3_stmt *stmt)
{
	if (stmt == NULL)
		return;
	/* the step's error, if any, was reported already */
	(void)sqlite3_reset(stmt);
	(void)sqlite3_clear_bindings(stmt);
}

/* Run constant SQL (one or more statements, no values), discarding rows. */
static int
db_exec(struct store *st, const char *sql, const char *what, char **cause)
{
	sqlite3_stmt	*stmt = NULL;
	const char	*tail = sql;
	int		 rc = ERR_FAIL, ret;

	while (*tail != '\0') {
		TRY(db_want(st, sqlite3_prepare_v2(st->db, tail, -1, &stmt,
		    &tail), SQLITE_OK, what, cause));
		if (stmt == NULL)	/* only white space or a comment left */
			continue;
		while ((ret = sqlite3_step(stmt)) == SQLITE_ROW)
			continue;
		TRY(db_want(st, ret, SQLITE_DONE, what, cause));
		/* The step's error, if any, was reported above. */
		(void)sqlite3_finalize(stmt);
		stmt = NULL;
	}
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

/* One integer from a query returning one row (a PRAGMA or a count). */
static int
db_int(struct store *st, const char *sql, const char *what, long long *n,
    char **cause)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc = ERR_FAIL;

	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_ROW, what, cause));
	*n = sqlite3_column_int64(stmt, 0);
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

/*
 * Transactions nest: the outermost is BEGIN IMMEDIATE (the write lock is
 * taken at once, so a second writer waits here rather than failing half
 * way), inner ones are savepoints, which a caller grouping many operations
 * into one commit (deploy) can undo one by one.
 */
static int
tx_begin(struct store *st, char **cause)
{
	int	 rc;

	rc = db_exec(st, st->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT op",
	    "begin transaction", cause);
	if (rc == 0)
		st->depth++;
	return rc;
}

static int
tx_commit(struct store *st, char **cause)
{
	int	 rc;

	rc = db_exec(st, st->depth == 1 ? "COMMIT" : "RELEASE op", "commit",
	    cause);
	if (rc == 0)
		st->depth--;
	return rc;
}

/*
 * Undo the transactions opened since depth was level, after a failure.
 * SQLite may already have rolled everything back on its own (I/O errors, a
 * full disk), hence the autocommit test; a failed rollback cannot hide the
 * first cause, which wins.
 */
static void
tx_rollback(struct store *st, int level, char **cause)
{
	if (st->db == NULL)
		return;
	if (sqlite3_get_autocommit(st->db))
		st->depth = 0;
	while (st->depth > level) {
		(void)db_exec(st, st->depth == 1 ? "ROLLBACK" :
		    "ROLLBACK TO op; RELEASE op", "roll back", cause);
		st->depth--;
	}
}

int
store_begin(struct store *st, char **cause)
{
	return tx_begin(st, cause);
}

int
store_commit(struct store *st, char **cause)
{
	int	 rc, level = st->depth - 1;

	if (st->depth == 0)
		return err_set(cause, "%s: commit: no transaction open",
		    st->path);
	if ((rc = tx_commit(st, cause)) != 0)
		tx_rollback(st, level, cause);
	return rc;
}

void
store_rollback(struct store *st)
{
	char	*ignored = NULL;

	if (st->depth > 0)
		tx_rollback(st, st->depth - 1, &ignored);
	free(ignored);
}

static int
migrate_to_1(struct store *st, char **cause)
{
	return db_exec(st, schema_v1, "create schema version 1", cause);
}

static int
migrate_to_2(struct store *st, char **cause)
{
	return db_exec(st, schema_v2, "migrate to schema version 2", cause);
}

static int
migrate_to_3(struct store *st, char **cause)
{
	return db_exec(st, schema_v3, "migrate to schema version 3", cause);
}

static int
migrate_to_4(struct store *st, char **cause)
{
	return db_exec(st, schema_v4, "migrate to schema version 4", cause);
}

static int
migrate_to_5(struct store *st, char **cause)
{
	return db_exec(st, schema_v5, "migrate to schema version 5", cause);
}

static int
migrate_to_6(struct store *st, char **cause)
{
	return db_exec(st, schema_v6, "migrate to schema version 6", cause);
}

static int
migrate_to_7(struct store *st, char **cause)
{
	return db_exec(st, schema_v7, "migrate to schema version 7", cause);
}

static int
migrate_to_8(struct store *st, char **cause)
{
	return db_exec(st, schema_v8, "migrate to schema version 8", cause);
}

static int
migrate_to_9(struct store *st, char **cause)
{
	return db_exec(st, schema_v9, "migrate to schema version 9", cause);
}

static int
migrate_to_10(struct store *st, char **cause)
{
	return db_exec(st, schema_v10, "migrate to schema version 10", cause);
}

/* In a revocation's transaction: the CRLs taken so far may lack it. */
static int
revocations_changed(struct store *st, char **cause)
{
	return db_exec(st, "UPDATE counters SET value = (SELECT value FROM"
	    " counters WHERE name = 'crl_number')"
	    " WHERE name = 'revocations_changed'", "record the revocation",
	    cause);
}

/*
 * Bring the schema to STORE_SCHEMA_VERSION in one transaction. The version
 * is read again under the write lock, so two processes opening an old
 * database cannot both run the same step.
 */
static int
migrate(struct store *st, char **cause)
{
	long long	 v;
	int		 rc = ERR_FAIL;
	int		 level = st->depth;

	TRY(tx_begin(st, cause));
	TRY(db_int(st, "PRAGMA user_version", "read schema version", &v,
	    cause));
	if (v > STORE_SCHEMA_VERSION) {
		rc = err_set(cause, "%s: schema version %lld is newer than "
		    "this roleca knows (%d); use a newer roleca", st->path, v,
		    STORE_SCHEMA_VERSION);
		goto out;
	}
	for (; v < STORE_SCHEMA_VERSION; v++)
		TRY(migrations[v + 1](st, cause));
	TRY(tx_commit(st, cause));
	rc = 0;
out:
	if (rc != 0)
		tx_rollback(st, level, cause);
	return rc;
}

/*
 * The test suite sets ROLECA_BUSY_TIMEOUT_MS to hold the lock past a short
 * wait without slowing the run by 10 s; nothing else should need it.
 */
static int
busy_timeout(int *ms, char **cause)
{
	const char	*s = getenv("ROLECA_BUSY_TIMEOUT_MS");
	char		*end;
	long		 v;

	*ms = STORE_BUSY_MS;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	/* digits only: strtol would take a sign and leading blanks */
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' ||
	    v > STORE_BUSY_MAX_MS)
		return err_usage(cause, "ROLECA_BUSY_TIMEOUT_MS: invalid "
		    "value '%s'", s);
	*ms = (int)v;
	return 0;
}

/* The settings every connection needs; journal_mode is checked, not hoped. */
static int
configure(struct store *st, char **cause)
{
	sqlite3_stmt		*stmt = NULL;
	const unsigned char	*mode;
	long long		 v;
	int			 rc = ERR_FAIL;

	TRY(db_prepare(st, "PRAGMA journal_mode = WAL", &stmt,
	    "set journal mode", cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_ROW, "set journal mode",
	    cause));
	mode = sqlite3_column_text(stmt, 0);
	if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
		rc = err_set(cause, "%s: cannot use WAL journal mode (still "
		    "'%s')", st->path, mode == NULL ? "?" : (const char *)mode);
		goto out;
	}
	TRY(db_exec(st, "PRAGMA synchronous = FULL", "set synchronous",
	    cause));
	TRY(db_exec(st, "PRAGMA foreign_keys = ON", "set foreign_keys",
	    cause));
	TRY(db_exec(st, "PRAGMA journal_size_limit = 0",
	    "set journal_size_limit", cause));
	/* Both are silently ignored in some builds and inside transactions. */
	TRY(db_int(st, "PRAGMA synchronous", "read synchronous", &v, cause));
	if (v != 2) {
		rc = err_set(cause, "%s: synchronous=FULL not in effect",
		    st->path);
		goto out;
	}
	TRY(db_int(st, "PRAGMA foreign_keys", "read foreign_keys", &v, cause));
	if (v != 1) {
		rc = err_set(cause, "%s: foreign_keys=ON not in effect",
		    st->path);
		goto out;
	}
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

/* Make the empty file ourselves: 0600, never through a link, never reused. */
static int
create_file(const char *path, char **cause)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return err_set(cause, "%s: already exists", path);
		return err_set(cause, "%s: %s", path, strerror(errno));
	}
	if (close(fd) != 0)
		return err_set(cause, "%s: %s", path, strerror(errno));
	return 0;
}

/*
 * After every commit: how long the log is. A long log is checkpointed at
 * once, as SQLite's own hook would; a short one is left for store_close().
 */
static int
wal_committed(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store	*st = arg;

	st->wal_pages = pages;
	if (pages >= STORE_WAL_COMMIT_PAGES) {
		(void)sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		st->wal_pages = 0;
	}
	return SQLITE_OK;
}

/*
 * SQLite maps the log's index (-shm) and grows it by writing the last byte
 * of each 4 KiB page. Where a file system block is smaller (mke2fs makes
 * ext4 under 512 MB with 1 KiB blocks) the rest of each page is a hole,
 * and SQLite's first store into one on a full disk kills the process with
 * SIGBUS, mid-commit and without a word. So databases are opened through
 * the default VFS with one change: each region of the index is faulted in
 * writable as it is mapped (MADV_POPULATE_WRITE, Linux 5.14), where a full
 * disk is an error SQLite reports. A kernel without it changes nothing.
 */
struct shm_vfs {
	sqlite3_vfs			 vfs;
	sqlite3_vfs			*real;
	/* real_io's methods, but xShmMap */
	sqlite3_io_methods		 io;
	const sqlite3_io_methods	*real_io;
};

#define SHM_VFS	"roleca"

static int
shm_map(sqlite3_file *f, int region, int size, int extend,
    void volatile **pp)
{
	const struct shm_vfs	*sv = (const struct shm_vfs *)(const void *)
	    ((const char *)f->pMethods - offsetof(struct shm_vfs, io));
	int			 ret;

	ret = sv->real_io->xShmMap(f, region, size, extend, pp);
#ifdef MADV_POPULATE_WRITE
	if (ret == SQLITE_OK && *pp != NULL && madvise((void *)(uintptr_t)*pp,
	    (size_t)size, MADV_POPULATE_WRITE) != 0 && errno == EFAULT)
		return SQLITE_FULL;
#endif
	return ret;
}

static int
shm_vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct shm_vfs	*sv = (struct shm_vfs *)vfs;
	sqlite3_mutex	*m = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_APP1);
	int		 ret;

	ret = sv->real->xOpen(sv->real, name, f, flags, out);
	if (ret != SQLITE_OK || (flags & SQLITE_OPEN_MAIN_DB) == 0 ||
	    f->pMethods == NULL || f->pMethods->iVersion < 2)
		return ret;
	sqlite3_mutex_enter(m);
	if (sv->real_io == NULL) {
		sv->io = *f->pMethods;
		sv->io.xShmMap = shm_map;
		sv->real_io = f->pMethods;
	}
	if (f->pMethods == sv->real_io)
		f->pMethods = &sv->io;
	sqlite3_mutex_leave(m);
	return ret;
}

/* Register the VFS once per process (it is never freed). */
static const char *
shm_vfs(void)
{
	sqlite3_mutex	*m = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_APP1);
	sqlite3_vfs	*real;
	struct shm_vfs	*sv;
	const char	*name = SHM_VFS;

	sqlite3_mutex_enter(m);
	if (sqlite3_vfs_find(SHM_VFS) == NULL) {
		if ((real = sqlite3_vfs_find(NULL)) == NULL)
			name = NULL;
		else {
			sv = xcalloc(1, sizeof *sv);
			sv->vfs = *real;
			sv->vfs.pNext = NULL;
			sv->vfs.zName = SHM_VFS;
			sv->vfs.xOpen = shm_vfs_open;
			sv->real = real;
			if (sqlite3_vfs_register(&sv->vfs, 0) != SQLITE_OK) {
				free(sv);
				name = NULL;
			}
		}
	}
	sqlite3_mutex_leave(m);
	return name;
}

static int
open_db(struct store *st, int create, char **cause)
{
	int	 ret, e;

	/* Never SQLITE_OPEN_CREATE: the file exists or it is an error. */
	ret = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, shm_vfs());
	if (st->db == NULL)
		return err_set(cause, "%s: out of memory", st->path);
	if (ret == SQLITE_OK) {
		/*
		 * Keep the -wal and -shm files between runs rather than
		 * deleting them at every close and making them again at the
		 * next open. The log is not checkpointed at every close
		 * (store_close() does it once it holds STORE_WAL_CLOSE_PAGES):
		 * a checkpoint costs two syncs, and restarting the log after
		 * it two more, which was most of what one sign waited for.
		 */
		int	 persist = 1;

		(void)sqlite3_file_control(st->db, "main",
		    SQLITE_FCNTL_PERSIST_WAL, &persist);
		(void)sqlite3_db_config(st->db,
		    SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		sqlite3_wal_hook(st->db, wal_committed, st);
		return db_want(st, sqlite3_busy_timeout(st->db, st->busy_ms),
		    SQLITE_OK, "set busy timeout", cause);
	}
	e = sqlite3_system_errno(st->db);
	if (!create && (e == ENOENT || e == ENOTDIR))
		return err_set(cause, "%s: no CA database (not a CA "
		    "directory?)", st->path);
	if (e != 0)
		return err_set(cause, "%s: open: %s (%s)", st->path,
		    sqlite3_errmsg(st->db), strerror(e));
	return db_fail(st, ret, "open", cause);
}

void
store_remove(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm",
	    "-journal" };
	char	*p;

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		xasprintf(&p, "%s%s", path, suffixes[i]);
		(void)unlink(p);
		free(p);
	}
}

int
store_open(const char *path, int create, struct store **out, char **cause)
{
	struct store	*st = xcalloc(1, sizeof *st);
	long long	 v = 0;
	int		 rc = ERR_FAIL, created = 0;

	*out = NULL;
	st->path = xstrdup(path);
	TRY(busy_timeout(&st->busy_ms, cause));
	if (create) {
		TRY(create_file(path, cause));
		created = 1;
	}
	TRY(open_db(st, create, cause));
	if (!create) {
		/* Refuse before changing anything (even the journal mode). */
		TRY(db_int(st, "PRAGMA user_version", "read schema version",
		    &v, cause));
		if (v == 0) {
			rc = err_set(cause, "%s: not a roleca database (no "
			    "schema)", path);
			goto out;
		}
		if (v > STORE_SCHEMA_VERSION) {
			rc = err_set(cause, "%s: schema version %lld is newer "
			    "than this roleca knows (%d); use a newer roleca",
			    path, v, STORE_SCHEMA_VERSION);
			goto out;
		}
	}
	TRY(configure(st, cause));
	if (v < STORE_SCHEMA_VERSION)	/* a new file is version 0 */
		TRY(migrate(st, cause));
	*out = st;
	st = NULL;
	rc = 0;
out:
	store_close(st);
	/*
	 * A half-made database, or the log and index SQLite made beside it,
	 * would make the next init refuse.
	 */
	if (rc != 0 && created)
		store_remove(path);
	return rc;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	/*
	 * Every statement is finalized where it was prepared but the cached
	 * ones, finalized here, so close cannot be busy; committed data is
	 * durable already, nothing left to report.
	 */
	(void)sqlite3_finalize(st->insert_cert);
	(void)sqlite3_finalize(st->insert_audit);
	/*
	 * Every first open rebuilds the log's index by reading the whole
	 * log, so it is kept short: checkpointed and emptied here once it has
	 * grown past STORE_WAL_CLOSE_PAGES (what a few signs add; deploy's
	 * thousands of records once at the end). Like SQLite's own checkpoint
	 * at close, it does not wait: when another roleca is using the
	 * database it fails at once and the log stays, durable, for a later
	 * close to empty.
	 */
	if (st->db != NULL && st->wal_pages >= STORE_WAL_CLOSE_PAGES) {
		(void)sqlite3_busy_timeout(st->db, 0);
		(void)sqlite3_wal_checkpoint_v2(st->db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	(void)sqlite3_close(st->db);
	free(st->path);
	free(st);
}

static int
bind_text(struct store *st, sqlite3_stmt *stmt, int i, const char *s,
    const char *what, char **cause)
{
	int	 ret;

	if (s == NULL)
		ret = sqlite3_bind_null(stmt, i);
	else
		ret = sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
	return db_want(st, ret, SQLITE_OK, what, cause);
}

static int
bind_int(struct store *st, sqlite3_stmt *stmt, int i, int64_t v, int null,
    const char *what, char **cause)
{
	int	 ret;

	if (null)
		ret = sqlite3_bind_null(stmt, i);
	else
		ret = sqlite3_bind_int64(stmt, i, v);
	return db_want(st, ret, SQLITE_OK, what, cause);
}

static int	audit_insert(struct store *, const char *, const char *,
		    const char *, const char *, char **);

/* In a record's transaction: a certificate naming a delta CRL. */
static int
note_freshest(struct store *st, int64_t not_after, char **cause)
{
	static const char	 sql[] =
	    "UPDATE counters SET value = max(value, ?1)"
	    " WHERE name = 'freshest_until'";
	const char		*what = "record the delta CRL's use";
	sqlite3_stmt		*stmt = NULL;
	int			 rc = ERR_FAIL;

	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(bind_int(st, stmt, 1, not_after, 0, what, cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_DONE, what, cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

int
store_record(struct store *st, const struct store_cert *sc, const char *op,
    char **cause)
{
	static const char	 sql[] =
	    "INSERT INTO certs (" CERT_COLUMNS
	    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10, ?11, ?12, ?13, ?14,"
	    " (SELECT serial FROM certs WHERE serial = ?15))";
	const char		*what = "insert certificate", *status;
	sqlite3_stmt		*stmt;
	char			*serial = NULL;
	int			 rc = ERR_FAIL, ret, revoked;
	int			 level = st->depth;

	if (sc->serial == NULL ||
	    (serial = serial_normalize(sc->serial)) == NULL) {
		rc = err_usage(cause, "invalid serial '%s' (%s)",
		    sc->serial == NULL ? "" : sc->serial, SERIAL_RULE);
		goto out;
	}
	switch (sc->status) {
	case STORE_VALID:
		status = "valid";
		break;
	case STORE_REVOKED:
		status = "revoked";
		break;
	default:
		rc = err_usage(cause, "serial %s: invalid status %d", serial,
		    (int)sc->status);
		goto out;
	}
	if (sc->der == NULL || sc->der_len == 0) {
		rc = err_usage(cause, "serial %s: no certificate", serial);
		goto out;
	}
	revoked = sc->status == STORE_REVOKED;

	TRY(tx_begin(st, cause));
	TRY(stmt_cached(st, &st->insert_cert, sql, what, cause));
	stmt = st->insert_cert;
	TRY(bind_text(st, stmt, 1, serial, what, cause));
	TRY(bind_text(st, stmt, 2, sc->subject, what, cause));
	TRY(bind_text(st, stmt, 3, sc->sans, what, cause));
	TRY(bind_text(st, stmt, 4, sc->profile, what, cause));
	TRY(bind_text(st, stmt, 5, sc->vars, what, cause));
	TRY(bind_int(st, stmt, 6, sc->not_before, 0, what, cause));
	TRY(bind_int(st, stmt, 7, sc->not_after, 0, what, cause));
	TRY(bind_int(st, stmt, 8, sc->issued_at, 0, what, cause));
	TRY(bind_text(st, stmt, 9, status, what, cause));
	TRY(bind_int(st, stmt, 10, sc->revoked_at, !revoked, what, cause));
	TRY(bind_int(st, stmt, 11, sc->reason, sc->reason < 0, what, cause));
	TRY(db_want(st, sqlite3_bind_blob64(stmt, 12, sc->der, sc->der_len,
	    SQLITE_STATIC), SQLITE_OK, what, cause));
	TRY(bind_int(st, stmt, 13, sc->invalid_at, !revoked ||
	    sc->invalid_at == 0, what, cause));
	TRY(bind_text(st, stmt, 14, sc->asked, what, cause));
	TRY(bind_text(st, stmt, 15, sc->replaces, what, cause));
	ret = sqlite3_step(stmt);
	if (ret == SQLITE_CONSTRAINT && sqlite3_extended_errcode(st->db) ==
	    SQLITE_CONSTRAINT_PRIMARYKEY) {
		rc = err_set(cause, "serial %s is already in the database",
		    serial);
		goto out;
	}
	TRY(db_want(st, ret, SQLITE_DONE, what, cause));
	stmt_done(st->insert_cert);
	if (memmem(sc->der, sc->der_len, freshest_oid, sizeof freshest_oid) !=
	    NULL)
		TRY(note_freshest(st, sc->not_after, cause));
	if (op != NULL)
		TRY(audit_insert(st, op, serial, sc->profile, "ok", cause));
	TRY(tx_commit(st, cause));
	rc = 0;
out:
	stmt_done(st->insert_cert);
	if (rc != 0)
		tx_rollback(st, level, cause);
	free(serial);
	return rc;
}

/*
 * A text column as an owned string. NULL (a column the writer left empty)
 * reads as "" so callers can print every field; NULL with SQLITE_NOMEM set
 * is a real failure.
 */
static int
column_text(struct store *st, sqlite3_stmt *stmt, int i, char **out,
    const char *what, char **cause)
{
	const unsigned char	*s = sqlite3_column_text(stmt, i);

	if (s == NULL && sqlite3_errcode(st->db) == SQLITE_NOMEM)
		return db_fail(st, SQLITE_NOMEM, what, cause);
	*out = xstrdup(s == NULL ? "" : (const char *)s);
	return 0;
}

static int
read_cert(struct store *st, sqlite3_stmt *stmt, struct store_cert *sc,
    char **cause)
{
	const char		*what = "read certificate";
	const unsigned char	*status;
	const void		*der;
	int			 rc = ERR_FAIL, len;

	TRY(column_text(st, stmt, 0, &sc->serial, what, cause));
	TRY(column_text(st, stmt, 1, &sc->subject, what, cause));
	TRY(column_text(st, stmt, 2, &sc->sans, what, cause));
	TRY(column_text(st, stmt, 3, &sc->profile, what, cause));
	TRY(column_text(st, stmt, 4, &sc->vars, what, cause));
	sc->not_before = sqlite3_column_int64(stmt, 5);
	sc->not_after = sqlite3_column_int64(stmt, 6);
	sc->issued_at = sqlite3_column_int64(stmt, 7);
	status = sqlite3_column_text(stmt, 8);
	if (status != NULL && strcmp((const char *)status, "valid") == 0)
		sc->status = STORE_VALID;
	else if (status != NULL && strcmp((const char *)status, "revoked") == 0)
		sc->status = STORE_REVOKED;
	else {
		rc = err_set(cause, "%s: serial %s: unknown status", st->path,
		    sc->serial);
		goto out;
	}
	sc->revoked_at = sqlite3_column_type(stmt, 9) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(stmt, 9);
	sc->reason = sqlite3_column_type(stmt, 10) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(stmt, 10);
	der = sqlite3_column_blob(stmt, 11);
	len = sqlite3_column_bytes(stmt, 11);
	if (der == NULL || len <= 0) {
		if (sqlite3_errcode(st->db) == SQLITE_NOMEM)
			rc = db_fail(st, SQLITE_NOMEM, what, cause);
		else
			rc = err_set(cause, "%s: serial %s: no certificate",
			    st->path, sc->serial);
		goto out;
	}
	sc->der = xmalloc((size_t)len);
	memcpy(sc->der, der, (size_t)len);
	sc->der_len = (size_t)len;
	sc->invalid_at = sqlite3_column_type(stmt, 12) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(stmt, 12);
	if (sqlite3_column_type(stmt, 13) != SQLITE_NULL)
		TRY(column_text(st, stmt, 13, &sc->asked, what, cause));
	if (sqlite3_column_type(stmt, 14) != SQLITE_NULL)
		TRY(column_text(st, stmt, 14, &sc->replaces, what, cause));
	rc = 0;
out:
	return rc;
}

int
store_get(struct store *st, const char *serial, struct store_cert **out,
    char **cause)
{
	static const char	 sql[] =
	    "SELECT " CERT_COLUMNS
	    " FROM certs WHERE serial = ?1";
	const char		*what = "read certificate";
	struct store_cert	*sc = NULL;
	sqlite3_stmt		*stmt = NULL;
	char			*key = NULL;
	int			 rc = ERR_FAIL, ret;

	*out = NULL;
	if ((key = serial_normalize(serial)) == NULL) {
		rc = err_usage(cause, "invalid serial '%s' (%s)", serial,
		    SERIAL_RULE);
		goto out;
	}
	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(bind_text(st, stmt, 1, key, what, cause));
	ret = sqlite3_step(stmt);
	if (ret == SQLITE_DONE) {
		rc = 0;
		goto out;
	}
	TRY(db_want(st, ret, SQLITE_ROW, what, cause));
	sc = xcalloc(1, sizeof *sc);
	TRY(read_cert(st, stmt, sc, cause));
	*out = sc;
	sc = NULL;
	rc = 0;
out:
	store_cert_free(sc);
	(void)sqlite3_finalize(stmt);
	free(key);
	return rc;
}

void
store_cert_free(struct store_cert *sc)
{
	if (sc == NULL)
		return;
	free(sc->serial);
	free(sc->subject);
	free(sc->sans);
	free(sc->profile);
	free(sc->vars);
	free(sc->asked);
	free(sc->replaces);
	free(sc->der);
	free(sc);
}

int
store_count(struct store *st, long long *n, char **cause)
{
	return db_int(st, "SELECT count(*) FROM certs", "count certificates",
	    n, cause);
}

int
store_schema_version(struct store *st, int *version, char **cause)
{
	long long	 v;
	int		 rc = ERR_FAIL;

	TRY(db_int(st, "PRAGMA user_version", "read schema version", &v,
	    cause));
	*version = (int)v;
	rc = 0;
out:
	return rc;
}

/* Revocation */

int
store_revoke(struct store *st, const char *serial_text, int reason,
    const int64_t *invalid, char **cause)
{
	/*
	 * A valid certificate; one on hold (reason 6) revoked for good with
	 * another reason (RFC 5280 5.3.1), invalid since the hold unless a
	 * date says otherwise; or one revoked for another reason found to be
	 * keyCompromise (1) after all, which keeps its revocation date and
	 * takes the new reason, so that its key is refused from then on. The
	 * entry then carries the new reason and dates, and revoked_recorded
	 * puts it in the next delta CRL. ?4, the revocation date, is taken
	 * once the write lock is held: it is when the revocation was
	 * recorded. A revocation that would date from before the certificate
	 * existed is refused, and so is an invalidity date after the
	 * revocation date a revocation keeps. (SET reads the row as it was.)
	 */
	static const char	 sql[] =
	    "UPDATE certs SET status = 'revoked',"
	    " revoked_at = CASE WHEN status = 'revoked' AND reason IS NOT 6"
	    " THEN revoked_at ELSE ?4 END,"
	    " reason = ?3,"
	    " invalid_at = CASE WHEN ?2 IS NOT NULL THEN"
	    " CASE WHEN ?2 < CASE WHEN status = 'revoked' AND reason IS NOT 6"
	    " THEN revoked_at ELSE ?4 END THEN ?2 END"
	    " WHEN status = 'revoked' AND reason = 6 THEN"
	    " coalesce(invalid_at, revoked_at)"
	    " WHEN status = 'revoked' THEN invalid_at END,"
	    " revoked_recorded = ?4"
	    " WHERE serial = ?1 AND (status = 'valid' OR"
	    " (status = 'revoked' AND reason = 6 AND ?3 IS NOT 6) OR"
	    " (status = 'revoked' AND ?3 = 1 AND reason IS NOT 1 AND"
	    " (reason = 6 OR coalesce(?2, 0) <= revoked_at)))"
	    " AND coalesce(?2, ?4) >= not_before";
	const char		*what = "revoke";
	sqlite3_stmt		*stmt = NULL;
	struct store_cert	*sc = NULL;
	char			*serial = NULL;
	int			 rc = ERR_FAIL;
	int			 level = st->depth;

	if ((serial = serial_normalize(serial_text)) == NULL) {
		rc = err_usage(cause, "invalid serial '%s' (%s)",
		    serial_text, SERIAL_RULE);
		goto out;
	}
	TRY(tx_begin(st, cause));
	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(bind_text(st, stmt, 1, serial, what, cause));
	TRY(bind_int(st, stmt, 2, invalid != NULL ? *invalid : 0,
	    invalid == NULL, what, cause));
	TRY(bind_int(st, stmt, 3, reason, reason < 0, what, cause));
	TRY(bind_int(st, stmt, 4, (int64_t)time(NULL), 0, what, cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_DONE, what, cause));
	if (sqlite3_changes(st->db) != 1) {
		tx_rollback(st, level, cause);
		TRY(store_get(st, serial, &sc, cause));
		if (sc == NULL)
			rc = err_set(cause, "no certificate with serial %s in "
			    "%s", serial, st->path);
		else if (sc->status == STORE_REVOKED && sc->reason != 1 &&
		    sc->reason != 6 && reason == 1 && invalid != NULL &&
		    *invalid > sc->revoked_at) {
			char	 when[32];

			utc_text(when, sizeof when, UTC_ISO,
			    (time_t)sc->revoked_at);
			rc = err_set(cause, "certificate %s: --date is after "
			    "its revocation date, %s, which it keeps", serial,
			    when);
		} else if (sc->status == STORE_REVOKED && sc->reason == 1)
			rc = err_set(cause, "certificate %s is already "
			    "revoked (keyCompromise)", serial);
		else if (sc->status == STORE_REVOKED && sc->reason != 6)
			rc = err_set(cause, "certificate %s is already "
			    "revoked; only keyCompromise may follow",
			    serial);
		else if (sc->status == STORE_REVOKED && reason == 6)
			rc = err_set(cause, "certificate %s is already on "
			    "hold", serial);
		else if (invalid != NULL)
			rc = err_set(cause, "certificate %s: the invalidity "
			    "date is before its notBefore", serial);
		else
			rc = err_set(cause, "certificate %s: the revocation "
			    "date is before its notBefore", serial);
		goto out;
	}
	TRY(revocations_changed(st, cause));
	TRY(tx_commit(st, cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	if (rc != 0)
		tx_rollback(st, level, cause);
	store_cert_free(sc);
	free(serial);
	return rc;
}

int
store_unrevoke(struct store *st, const char *serial_text, char **cause)
{
	static const char	 sql[] =
	    "UPDATE certs SET status = 'valid',"
	    " revoked_at = NULL, reason = NULL, invalid_at = NULL,"
	    " released_at = ?2"
	    " WHERE serial = ?1 AND status = 'revoked'"
	    " AND reason = 6";
	const char		*what = "unrevoke";
	sqlite3_stmt		*stmt = NULL;
	struct store_cert	*sc = NULL;
	char			*serial = NULL;
	int			 rc = ERR_FAIL;
	int			 level = st->depth;

	if ((serial = serial_normalize(serial_text)) == NULL) {
		rc = err_usage(cause, "invalid serial '%s' (%s)",
		    serial_text, SERIAL_RULE);
		goto out;
	}
	TRY(tx_begin(st, cause));
	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(bind_text(st, stmt, 1, serial, what, cause));
	TRY(bind_int(st, stmt, 2, (int64_t)time(NULL), 0, what, cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_DONE, what, cause));
	if (sqlite3_changes(st->db) != 1) {
		tx_rollback(st, level, cause);
		TRY(store_get(st, serial, &sc, cause));
		if (sc == NULL)
			rc = err_set(cause, "no certificate with serial %s in "
			    "%s", serial, st->path);
		else if (sc->status != STORE_REVOKED)
			rc = err_set(cause, "certificate %s is not revoked",
			    serial);
		else
			rc = err_set(cause, "certificate %s was revoked for "
			    "another reason than certificateHold: that cannot "
			    "be undone", serial);
		goto out;
	}
	TRY(revocations_changed(st, cause));
	TRY(tx_commit(st, cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	if (rc != 0)
		tx_rollback(st, level, cause);
	store_cert_free(sc);
	free(serial);
	return rc;
}

int
store_next_crl_number(struct store *st, uint64_t *n, char **cause)
{
	static const char	 sql[] =
	    "UPDATE counters SET value = value + 1"
	    " WHERE name = 'crl_number' RETURNING value";
	const char		*what = "next CRL number";
	sqlite3_stmt		*stmt = NULL;
	int			 rc = ERR_FAIL;
	int			 level = st->depth;

	TRY(tx_begin(st, cause));
	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_ROW, what, cause));
	*n = (uint64_t)sqlite3_column_int64(stmt, 0);
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_DONE, what, cause));
	(void)sqlite3_finalize(stmt);
	stmt = NULL;
	TRY(tx_commit(st, cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	if (rc != 0)
		tx_rollback(st, level, cause);
	return rc;
}

struct store_revoked {
	struct store	*st;
	sqlite3_stmt	*stmt;
};

int
store_revoked_open(struct store *st, int64_t now, struct store_revoked **out,
    char **cause)
{
	return store_revoked_since(st, now, -1, out, cause);
}

/* A cursor over sql with ?1 = a and, when nbind is 2, ?2 = b. */
static int
revoked_cursor(struct store *st, const char *sql, int nbind, int64_t a,
    int64_t b, struct store_revoked **out, char **cause)
{
	struct store_revoked	*r = xcalloc(1, sizeof *r);
	int			 rc = ERR_FAIL;

	r->st = st;
	TRY(db_prepare(st, sql, &r->stmt, "list revoked", cause));
	TRY(bind_int(st, r->stmt, 1, a, 0, "list revoked", cause));
	if (nbind == 2)
		TRY(bind_int(st, r->stmt, 2, b, 0, "list revoked", cause));
	*out = r;
	r = NULL;
	rc = 0;
out:
	store_revoked_close(r);
	return rc;
}

int
store_revoked_since(struct store *st, int64_t now, int64_t since,
    struct store_revoked **out, char **cause)
{
	/*
	 * Two statements, not one with an optional condition: the base CRL's
	 * must be answered from the covering index alone (a condition on
	 * revoked_recorded, even a disabled one, makes SQLite read every row).
	 */
	static const char	 base[] =
	    "SELECT serial, revoked_at, reason, invalid_at"
	    " FROM certs WHERE status = 'revoked'"
	    " AND not_after > ?1";
	/*
	 * A delta lists what changed since its base: revocations recorded
	 * since, and holds released since, as removeFromCRL (8) dated when
	 * they were released.
	 */
	static const char	 delta[] =
	    "SELECT serial, revoked_at, reason, invalid_at"
	    " FROM certs WHERE status = 'revoked'"
	    " AND not_after > ?1 AND revoked_recorded >= ?2"
	    " UNION ALL SELECT serial, released_at, 8, NULL"
	    " FROM certs WHERE status = 'valid'"
	    " AND not_after > ?1 AND released_at >= ?2";

	if (since < 0)
		return revoked_cursor(st, base, 1, now, 0, out, cause);
	return revoked_cursor(st, delta, 2, now, since, out, cause);
}

int
store_revoked_range(struct store *st, int64_t now, int64_t after,
    int64_t until, struct store_revoked **out, char **cause)
{
	/* the base CRL's statement with a narrower not_after: same index */
	static const char	 sql[] =
	    "SELECT serial, revoked_at, reason, invalid_at"
	    " FROM certs WHERE status = 'revoked'"
	    " AND not_after > ?1 AND not_after <= ?2";

	return revoked_cursor(st, sql, 2, after > now ? after : now, until,
	    out, cause);
}

/* min() and max() in one statement would make SQLite scan: two lookups. */
int
store_revoked_span(struct store *st, int64_t now, int *any, int64_t *first,
    int64_t *last, char **cause)
{
	static const char *const sql[2] = {
		"SELECT min(not_after) FROM certs"
		" WHERE status = 'revoked' AND not_after > ?1",
		"SELECT max(not_after) FROM certs"
		" WHERE status = 'revoked' AND not_after > ?1"
	};
	int64_t		*v[2] = { first, last };
	sqlite3_stmt	*stmt = NULL;
	int		 rc = ERR_FAIL;

	*any = 0;
	for (int i = 0; i < 2; i++) {
		TRY(db_prepare(st, sql[i], &stmt, "span of revoked", cause));
		TRY(bind_int(st, stmt, 1, now, 0, "span of revoked", cause));
		TRY(db_want(st, sqlite3_step(stmt), SQLITE_ROW,
		    "span of revoked", cause));
		if (sqlite3_column_type(stmt, 0) == SQLITE_NULL) {
			rc = 0;
			goto out;
		}
		*v[i] = sqlite3_column_int64(stmt, 0);
		(void)sqlite3_finalize(stmt);
		stmt = NULL;
	}
	*any = 1;
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

int
store_revoked_count(struct store *st, int64_t now, int64_t *n, char **cause)
{
	static const char	 sql[] =
	    "SELECT count(*) FROM certs INDEXED BY certs_status_not_after"
	    " WHERE status = 'revoked' AND not_after > ?1";
	const char		*what = "count revoked";
	sqlite3_stmt		*stmt = NULL;
	int			 rc = ERR_FAIL;

	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(bind_int(st, stmt, 1, now, 0, what, cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_ROW, what, cause));
	*n = sqlite3_column_int64(stmt, 0);
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

int
store_hold_writes(struct store *st, char **cause)
{
	if (st->depth != 0)
		return err_set(cause, "%s: hold writes: a transaction is open",
		    st->path);
	return tx_begin(st, cause);
}

void
store_release_writes(struct store *st)
{
	store_rollback(st);
}

void
store_snapshot_end(struct store *st)
{
	char	*ignored = NULL;

	if (st != NULL && st->db != NULL && !sqlite3_get_autocommit(st->db))
		(void)db_exec(st, "ROLLBACK", "end read transaction", &ignored);
	free(ignored);
}

int
store_snapshot_begin(struct store *st, char **cause)
{
	long long	 v;
	int		 rc = ERR_FAIL;

	/* a deferred BEGIN takes its snapshot at the first read: read now */
	TRY(db_exec(st, "BEGIN", "begin read transaction", cause));
	TRY(db_int(st, "SELECT count(*) FROM counters", "begin read "
	    "transaction", &v, cause));
	rc = 0;
out:
	if (rc != 0)
		store_snapshot_end(st);
	return rc;
}

int
store_revoked_next(struct store_revoked *r, const char **serial,
    int64_t *revoked_at, int *reason, int64_t *invalid_at, char **cause)
{
	int	 ret = sqlite3_step(r->stmt);

	if (ret == SQLITE_DONE)
		return 0;
	if (ret != SQLITE_ROW)
		return db_fail(r->st, ret, "list revoked", cause);
	*serial = (const char *)sqlite3_column_text(r->stmt, 0);
	*revoked_at = sqlite3_column_int64(r->stmt, 1);
	*reason = sqlite3_column_type(r->stmt, 2) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(r->stmt, 2);
	*invalid_at = sqlite3_column_type(r->stmt, 3) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(r->stmt, 3);
	if (*serial == NULL)
		return db_fail(r->st, SQLITE_NOMEM, "list revoked", cause);
	return 1;
}

void
store_revoked_close(struct store_revoked *r)
{
	if (r == NULL)
		return;
	(void)sqlite3_finalize(r->stmt);
	free(r);
}

/* Inventory */

struct store_list {
	struct store	*st;
	sqlite3_stmt	*stmt;
};

/* Bind a named parameter if the statement has it. */
static int
bind_named_text(struct store *st, sqlite3_stmt *stmt, const char *name,
    const char *v, char **cause)
{
	int	 i = sqlite3_bind_parameter_index(stmt, name);

	if (i == 0)
		return 0;
	return bind_text(st, stmt, i, v, "list certificates", cause);
}

static int
bind_named_int(struct store *st, sqlite3_stmt *stmt, const char *name,
    int64_t v, char **cause)
{
	int	 i = sqlite3_bind_parameter_index(stmt, name);

	if (i == 0)
		return 0;
	return bind_int(st, stmt, i, v, 0, "list certificates", cause);
}

int
store_list_open(struct store *st, const struct store_filter *f,
    struct store_list **out, char **cause)
{
	/*
	 * The statement holds only the conditions the filter asks for, so
	 * that SQLite plans each form on its own: the (status, not_after)
	 * index serves the expiry queries monitoring runs (a catch-all
	 * "?1 IS NULL OR ..." form made it scan the whole table).
	 */
	const char		*what = "list certificates";
	struct store_list	*l = xcalloc(1, sizeof *l);
	const char		*status = NULL;
	char			*sql = NULL;
	int			 rc = ERR_FAIL, unexpired = 0, expired = 0;

	switch (f->status) {
	case STORE_VALID:
		status = "valid";
		unexpired = 1;
		break;
	case STORE_REVOKED:
		status = "revoked";
		break;
	case STORE_EXPIRED:
		status = "valid";
		expired = 1;
		break;
	default:
		break;
	}
	if (f->expiring_until != 0) {
		status = "valid";
		unexpired = 1;
	}
	xasprintf(&sql,
	    "SELECT serial, subject, profile, not_before, not_after,"
	    " status, revoked_at, reason%s FROM certs WHERE 1%s%s%s%s%s"
	    " ORDER BY not_after, serial", f->with_der ? ", der" : "",
	    status != NULL ? " AND status = :status" : "",
	    /* notAfter itself is inside the validity (RFC 5280 4.1.2.5) */
	    unexpired ? " AND not_after >= :now" : "",
	    expired ? " AND not_after < :now" : "",
	    f->profile != NULL ? " AND profile = :profile" : "",
	    f->expiring_until != 0 ? " AND not_after <= :until" : "");
	l->st = st;
	TRY(db_prepare(st, sql, &l->stmt, what, cause));
	TRY(bind_named_text(st, l->stmt, ":status", status, cause));
	TRY(bind_named_int(st, l->stmt, ":now", f->now, cause));
	TRY(bind_named_text(st, l->stmt, ":profile", f->profile, cause));
	TRY(bind_named_int(st, l->stmt, ":until", f->expiring_until,
	    cause));
	*out = l;
	l = NULL;
	rc = 0;
out:
	free(sql);
	store_list_close(l);
	return rc;
}

int
store_list_next(struct store_list *l, struct store_cert *row, char **cause)
{
	int	 ret = sqlite3_step(l->stmt);

	if (ret == SQLITE_DONE)
		return 0;
	if (ret != SQLITE_ROW)
		return db_fail(l->st, ret, "list certificates", cause);
	memset(row, 0, sizeof *row);
	row->serial = (char *)sqlite3_column_text(l->stmt, 0);
	row->subject = (char *)sqlite3_column_text(l->stmt, 1);
	row->profile = (char *)sqlite3_column_text(l->stmt, 2);
	row->not_before = sqlite3_column_int64(l->stmt, 3);
	row->not_after = sqlite3_column_int64(l->stmt, 4);
	row->status = strcmp((const char *)sqlite3_column_text(l->stmt, 5),
	    "revoked") == 0 ? STORE_REVOKED : STORE_VALID;
	row->revoked_at = sqlite3_column_int64(l->stmt, 6);
	row->reason = sqlite3_column_type(l->stmt, 7) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(l->stmt, 7);
	if (sqlite3_column_count(l->stmt) > 8) {
		row->der = (unsigned char *)(uintptr_t)
		    sqlite3_column_blob(l->stmt, 8);
		row->der_len = (size_t)sqlite3_column_bytes(l->stmt, 8);
	}
	if (row->subject == NULL)
		row->subject = (char *)"";
	if (row->profile == NULL)
		row->profile = (char *)"";
	return 1;
}

void
store_list_close(struct store_list *l)
{
	if (l == NULL)
		return;
	(void)sqlite3_finalize(l->stmt);
	free(l);
}

/* Audit log */

static int
audit_insert(struct store *st, const char *op, const char *serial,
    const char *profile, const char *outcome, char **cause)
{
	static const char	 sql[] =
	    "INSERT INTO audit (time, operation,"
	    " serial, profile, uid, outcome)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	const char		*what = "audit log";
	sqlite3_stmt		*stmt;
	int			 rc = ERR_FAIL;

	TRY(stmt_cached(st, &st->insert_audit, sql, what, cause));
	stmt = st->insert_audit;
	TRY(bind_int(st, stmt, 1, (int64_t)time(NULL), 0, what, cause));
	TRY(bind_text(st, stmt, 2, op, what, cause));
	TRY(bind_text(st, stmt, 3, serial, what, cause));
	TRY(bind_text(st, stmt, 4, profile, what, cause));
	TRY(bind_int(st, stmt, 5, (int64_t)getuid(), 0, what, cause));
	TRY(bind_text(st, stmt, 6, outcome, what, cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_DONE, what, cause));
	rc = 0;
out:
	stmt_done(st->insert_audit);
	return rc;
}

int
store_audit(struct store *st, const char *op, const char *serial,
    const char *profile, const char *outcome, char **cause)
{
	char	*canon = serial != NULL ? serial_normalize(serial) : NULL;
	int	 rc;

	/* the canonical form, as in certs, so the log joins on serial */
	rc = audit_insert(st, op, canon != NULL ? canon : serial, profile,
	    outcome, cause);
	free(canon);
	return rc;
}

struct store_log {
	struct store	*st;
	sqlite3_stmt	*stmt;
};

int
store_log_open(struct store *st, struct store_log **out, char **cause)
{
	static const char	 sql[] =
	    "SELECT id, time, operation, serial,"
	    " profile, uid, outcome FROM audit ORDER BY id";
	struct store_log	*l = xcalloc(1, sizeof *l);
	int			 rc = ERR_FAIL;

	l->st = st;
	TRY(db_prepare(st, sql, &l->stmt, "read audit log", cause));
	*out = l;
	l = NULL;
	rc = 0;
out:
	store_log_close(l);
	return rc;
}

static const char *
text_or_empty(sqlite3_stmt *stmt, int i)
{
	const unsigned char	*s = sqlite3_column_text(stmt, i);

	return s != NULL ? (const char *)s : "";
}

int
store_log_next(struct store_log *l, struct store_log_row *row, char **cause)
{
	int	 ret = sqlite3_step(l->stmt);

	if (ret == SQLITE_DONE)
		return 0;
	if (ret != SQLITE_ROW)
		return db_fail(l->st, ret, "read audit log", cause);
	row->id = sqlite3_column_int64(l->stmt, 0);
	row->time = sqlite3_column_int64(l->stmt, 1);
	row->operation = text_or_empty(l->stmt, 2);
	row->serial = text_or_empty(l->stmt, 3);
	row->profile = text_or_empty(l->stmt, 4);
	row->uid = sqlite3_column_int64(l->stmt, 5);
	row->outcome = text_or_empty(l->stmt, 6);
	return 1;
}

void
store_log_close(struct store_log *l)
{
	if (l == NULL)
		return;
	(void)sqlite3_finalize(l->stmt);
	free(l);
}

int
store_compromised_add(struct store *st, const char *key_id,
    const char *serial, char **cause)
{
	static const char	 sql[] =
	    "INSERT OR IGNORE INTO compromised_keys (key_id, serial)"
	    " VALUES (?1, ?2)";
	const char		*what = "record the compromised key";
	sqlite3_stmt		*stmt = NULL;
	int			 rc = ERR_FAIL;

	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(bind_text(st, stmt, 1, key_id, what, cause));
	TRY(bind_text(st, stmt, 2, serial, what, cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_DONE, what, cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

int
store_compromised_find(struct store *st, const char *key_id, char **serial,
    char **cause)
{
	static const char	 sql[] =
	    "SELECT serial FROM compromised_keys WHERE key_id = ?1";
	const char		*what = "look up compromised keys";
	sqlite3_stmt		*stmt = NULL;
	int			 rc = ERR_FAIL, ret;

	*serial = NULL;
	TRY(db_prepare(st, sql, &stmt, what, cause));
	TRY(bind_text(st, stmt, 1, key_id, what, cause));
	if ((ret = sqlite3_step(stmt)) == SQLITE_ROW)
		*serial = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	else
		TRY(db_want(st, ret, SQLITE_DONE, what, cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

/*
 * The first column of every row sql gives, as strings, into out; arg,
 * unless NULL, bound to ?1.
 */
static int
column_strings(struct store *st, const char *sql, const char *arg,
    const char *what, struct strv *out, char **cause)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc = ERR_FAIL, ret;

	TRY(db_prepare(st, sql, &stmt, what, cause));
	if (arg != NULL)
		TRY(bind_text(st, stmt, 1, arg, what, cause));
	while ((ret = sqlite3_step(stmt)) == SQLITE_ROW)
		strv_add(out, (const char *)sqlite3_column_text(stmt, 0));
	TRY(db_want(st, ret, SQLITE_DONE, what, cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

int
store_compromised_all(struct store *st, struct strv *ids, char **cause)
{
	return column_strings(st, "SELECT key_id FROM compromised_keys"
	    " ORDER BY key_id", NULL, "read compromised keys", ids, cause);
}

int
store_compromised_pending(struct store *st, struct strv *serials,
    char **cause)
{
	return column_strings(st, "SELECT serial FROM certs"
	    " WHERE status = 'revoked' AND reason = 1"
	    " AND (SELECT value FROM counters"
	    " WHERE name = 'compromised_backfill') = 1",
	    NULL, "read keyCompromise revocations", serials, cause);
}

int
store_replaced_by(struct store *st, const char *serial, struct strv *out,
    char **cause)
{
	return column_strings(st, "SELECT serial FROM certs"
	    " WHERE replaces = ?1 ORDER BY issued_at, rowid", serial,
	    "read replacing certificates", out, cause);
}

int
store_counter(struct store *st, const char *name, int64_t *value, char **cause)
{
	static const char	 sql[] =
	    "SELECT value FROM counters"
	    " WHERE name = ?1";
	sqlite3_stmt		*stmt = NULL;
	int			 rc = ERR_FAIL, ret;

	TRY(db_prepare(st, sql, &stmt, "read counter", cause));
	TRY(bind_text(st, stmt, 1, name, "read counter", cause));
	ret = sqlite3_step(stmt);
	*value = ret == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	if (ret != SQLITE_ROW)
		TRY(db_want(st, ret, SQLITE_DONE, "read counter", cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	return rc;
}

int
store_set_counter(struct store *st, const char *name, int64_t value,
    char **cause)
{
	static const char	 sql[] =
	    "INSERT OR REPLACE INTO counters"
	    " (name, value) VALUES (?1, ?2)";
	sqlite3_stmt		*stmt = NULL;
	int			 rc = ERR_FAIL;
	int			 level = st->depth;

	TRY(tx_begin(st, cause));
	TRY(db_prepare(st, sql, &stmt, "set counter", cause));
	TRY(bind_text(st, stmt, 1, name, "set counter", cause));
	TRY(bind_int(st, stmt, 2, value, 0, "set counter", cause));
	TRY(db_want(st, sqlite3_step(stmt), SQLITE_DONE, "set counter", cause));
	(void)sqlite3_finalize(stmt);
	stmt = NULL;
	TRY(tx_commit(st, cause));
	rc = 0;
out:
	(void)sqlite3_finalize(stmt);
	if (rc != 0)
		tx_rollback(st, level, cause);
	return rc;
}

