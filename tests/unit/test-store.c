/*
 * The CA database through store.h. A second raw SQLite connection (in a
 * child process, as another roleca would be) stands in for what the API
 * cannot do: plant a newer schema, hold the write lock, read the journal
 * mode as another process sees it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "err.h"
#include "store.h"
#include "unit.h"
#include "util.h"

/* The schema version store.c creates, and one newer than it knows. */
#define SCHEMA_VERSION	10
#define SCHEMA_TEXT	"10"
#define NEWER_TEXT	"11"

/* A current database turned back into the shape version 9 left. */
#define AS_VERSION_9 \
	"DROP INDEX certs_replaces; ALTER TABLE certs DROP COLUMN replaces; " \
	"DELETE FROM counters WHERE name = 'freshest_until'; " \
	"PRAGMA user_version = 9; "

/* A current database turned back into the shape version 8 left (no asked). */
#define AS_VERSION_8 \
	AS_VERSION_9 \
	"ALTER TABLE certs DROP COLUMN asked; PRAGMA user_version = 8; "

/*
 * A current database turned back into the shape version 7 left (no
 * invalid_at, the CRL's index without it), for the migrations from 7 and
 * before.
 */
#define AS_VERSION_7 \
	AS_VERSION_8 \
	"DROP INDEX certs_revoked; ALTER TABLE certs DROP COLUMN invalid_at; " \
	"CREATE INDEX certs_revoked ON certs (status, not_after, serial," \
	" revoked_at, reason); PRAGMA user_version = 7; "

#define SERIAL	"1a2b3c4d5e6f708192a3b4c5d6e7f801"

struct fx {
	char	 dir[64];
	char	 db[128];
};

static void
fx_setup(struct fx *fx)
{
	const char	*tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(fx->dir, sizeof fx->dir, "%s/test-store.XXXXXX", tmp);
	if (mkdtemp(fx->dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(fx->db, sizeof fx->db, "%s/roleca.db", fx->dir);
	unsetenv("ROLECA_BUSY_TIMEOUT_MS");
}

static void
fx_teardown(struct fx *fx)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[512];

	unsetenv("ROLECA_BUSY_TIMEOUT_MS");
	if ((d = opendir(fx->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", fx->dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	CU_ASSERT_EQUAL(rmdir(fx->dir), 0);
}

static int
contains(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

/* A new, empty database at fx->db, closed again. */
static void
make_db(struct fx *fx)
{
	struct store	*st = NULL;
	char		*cause = NULL;

	CU_ASSERT_EQUAL_FATAL(store_open(fx->db, 1, &st, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
}

static void
fill(struct store_cert *sc, const char *serial, unsigned char *der,
    size_t der_len)
{
	memset(sc, 0, sizeof *sc);
	sc->serial = (char *)serial;
	sc->subject = (char *)"CN=fe01.example.com,O=Example";
	sc->sans = (char *)"fe01.example.com,pool.example.com";
	sc->profile = (char *)"frontend";
	sc->vars = (char *)"fqdn=fe01.example.com\npool=pool.example.com\n";
	sc->not_before = 1700000000;
	sc->not_after = 1731536000;
	sc->issued_at = 1700000100;
	sc->status = STORE_VALID;
	sc->revoked_at = 0;
	sc->reason = -1;
	sc->der = der;
	sc->der_len = der_len;
}

static long long
count(struct store *st)
{
	long long	 n = -1;
	char		*cause = NULL;

	CU_ASSERT_EQUAL(store_count(st, &n, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	free(cause);
	return n;
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* How SQLite would run a query: its plan's steps, one a line. */
static char *
raw_plan(const char *db, const char *sql)
{
	sqlite3		*h = NULL;
	sqlite3_stmt	*stmt = NULL;
	char		*q = NULL, *v = NULL, *more;
	const char	*step;

	xasprintf(&q, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, q, -1, &stmt, NULL) == SQLITE_OK)
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			step = (const char *)sqlite3_column_text(stmt, 3);
			xasprintf(&more, "%s%s\n", v == NULL ? "" : v,
			    step == NULL ? "" : step);
			free(v);
			v = more;
		}
	sqlite3_finalize(stmt);
	sqlite3_close(h);
	free(q);
	return v;
}

/* Run constant SQL on a raw connection of our own; 0 on success. */
static int
raw_exec(const char *db, const char *sql)
{
	sqlite3	*h = NULL;
	int	 ret;

	ret = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL);
	if (ret == SQLITE_OK)
		ret = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return ret == SQLITE_OK ? 0 : -1;
}

/* The first column of the first row of a query on a raw connection. */
static char *
raw_text(const char *db, const char *sql)
{
	sqlite3		*h = NULL;
	sqlite3_stmt	*stmt = NULL;
	char		*v = NULL;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_text(stmt, 0) != NULL)
		v = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(h);
	return v;
}

static void
test_create_open_reopen(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL;
	int		 v = -1;

	fx_setup(&fx);
	CU_ASSERT_EQUAL(store_open(fx.db, 1, &st, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL(store_schema_version(st, &v, &cause), 0);
	CU_ASSERT_EQUAL(v, SCHEMA_VERSION);
	CU_ASSERT_EQUAL(count(st), 0);
	store_close(st);
	st = NULL;

	/* Twice, so a second open of an existing database is not special. */
	for (int i = 0; i < 2; i++) {
		v = -1;
		CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(st);
		CU_ASSERT_PTR_NULL(cause);
		CU_ASSERT_EQUAL(store_schema_version(st, &v, &cause), 0);
		CU_ASSERT_EQUAL(v, SCHEMA_VERSION);
		CU_ASSERT_EQUAL(count(st), 0);
		store_close(st);
		st = NULL;
	}
	store_close(NULL);
	store_cert_free(NULL);
	fx_teardown(&fx);
}

static void
test_schema(void)
{
	struct fx	 fx;
	char		*s;

	fx_setup(&fx);
	make_db(&fx);
	s = raw_text(fx.db, "SELECT value FROM counters WHERE name = "
	    "'crl_number'");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s, "0");
	free(s);
	s = raw_text(fx.db, "SELECT group_concat(name) FROM pragma_index_info"
	    "('certs_status_not_after')");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s, "status,not_after");
	free(s);
	s = raw_text(fx.db, "PRAGMA user_version");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s, SCHEMA_TEXT);
	free(s);
	/* The CHECK constraint holds for writers other than roleca too. */
	CU_ASSERT_NOT_EQUAL(raw_exec(fx.db, "INSERT INTO certs (serial, "
	    "not_before, not_after, issued_at, status, der) VALUES ('01', 0, "
	    "0, 0, 'lost', x'30')"), 0);
	fx_teardown(&fx);
}

static void
test_create_refuses_existing(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL, *want = NULL, *s;
	int		 fd;

	fx_setup(&fx);
	make_db(&fx);
	CU_ASSERT_EQUAL(store_open(fx.db, 1, &st, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(st);
	if (asprintf(&want, "%s: already exists", fx.db) < 0)
		abort();
	CU_ASSERT_STRING_EQUAL(cause == NULL ? "" : cause, want);
	free(cause);
	cause = NULL;
	/* The database refused is still intact. */
	s = raw_text(fx.db, "PRAGMA user_version");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s, SCHEMA_TEXT);
	free(s);

	/* Any file, even an empty one, and a dangling link are refused too. */
	CU_ASSERT_EQUAL(unlink(fx.db), 0);
	fd = open(fx.db, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_NOT_EQUAL(fd, -1);
	close(fd);
	CU_ASSERT_EQUAL(store_open(fx.db, 1, &st, &cause), ERR_FAIL);
	CU_ASSERT_STRING_EQUAL(cause == NULL ? "" : cause, want);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(unlink(fx.db), 0);
	CU_ASSERT_EQUAL(symlink("elsewhere.db", fx.db), 0);
	CU_ASSERT_EQUAL(store_open(fx.db, 1, &st, &cause), ERR_FAIL);
	CU_ASSERT_STRING_EQUAL(cause == NULL ? "" : cause, want);
	free(cause);
	cause = NULL;
	CU_ASSERT_PTR_NULL(st);
	free(want);
	fx_teardown(&fx);
}

static void
test_create_in_missing_dir(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL, path[192];

	fx_setup(&fx);
	snprintf(path, sizeof path, "%s/nodir/roleca.db", fx.dir);
	CU_ASSERT_EQUAL(store_open(path, 1, &st, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT(contains(cause, path));
	CU_ASSERT(contains(cause, strerror(ENOENT)));
	free(cause);
	fx_teardown(&fx);
}

static void
test_open_refuses_missing(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL, *want = NULL;
	struct stat	 sb;

	fx_setup(&fx);
	CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(st);
	if (asprintf(&want, "%s: no CA database (not a CA directory?)",
	    fx.db) < 0)
		abort();
	CU_ASSERT_STRING_EQUAL(cause == NULL ? "" : cause, want);
	/* Opening must not have created it. */
	CU_ASSERT_EQUAL(lstat(fx.db, &sb), -1);
	free(cause);
	free(want);
	fx_teardown(&fx);
}

static void
test_open_refuses_foreign(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL;

	fx_setup(&fx);
	/* An SQLite database without our schema. */
	CU_ASSERT_EQUAL(raw_exec(fx.db, "SELECT 1"), -1);	/* no create */
	{
		sqlite3	*h = NULL;

		CU_ASSERT_EQUAL(sqlite3_open(fx.db, &h), SQLITE_OK);
		CU_ASSERT_EQUAL(sqlite3_exec(h, "CREATE TABLE t (x)", NULL,
		    NULL, NULL), SQLITE_OK);
		sqlite3_close(h);
	}
	CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT(contains(cause, "not a roleca database"));
	free(cause);
	cause = NULL;

	/* A file that is not SQLite at all. */
	CU_ASSERT_EQUAL(unlink(fx.db), 0);
	{
		FILE	*f = fopen(fx.db, "w");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		for (int i = 0; i < 64; i++)
			fputs("this is not a database\n", f);
		fclose(f);
	}
	CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT(contains(cause, fx.db));
	CU_ASSERT(contains(cause, "not a database"));
	free(cause);
	fx_teardown(&fx);
}

static void
test_mode_0600(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	struct store_cert sc;
	unsigned char	 der[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	char		*cause = NULL, wal[192];
	struct stat	 sb;
	mode_t		 old;

	fx_setup(&fx);
	/* Not the umask's doing: even with none the file is 0600. */
	old = umask(0);
	CU_ASSERT_EQUAL(store_open(fx.db, 1, &st, &cause), 0);
	umask(old);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL_FATAL(lstat(fx.db, &sb), 0);
	CU_ASSERT(S_ISREG(sb.st_mode));
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);

	/* The write-ahead log holds certificates as well: same mode. */
	fill(&sc, SERIAL, der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	snprintf(wal, sizeof wal, "%s-wal", fx.db);
	CU_ASSERT_EQUAL_FATAL(lstat(wal, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

static void
test_pragmas(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL, *mode;

	fx_setup(&fx);
	make_db(&fx);
	/* WAL is a property of the file: another process sees it. */
	mode = raw_text(fx.db, "PRAGMA journal_mode");
	CU_ASSERT_STRING_EQUAL(mode == NULL ? "" : mode, "wal");
	free(mode);

	/* A database someone switched back is put into WAL again on open. */
	CU_ASSERT_EQUAL(raw_exec(fx.db, "PRAGMA journal_mode = DELETE"), 0);
	mode = raw_text(fx.db, "PRAGMA journal_mode");
	CU_ASSERT_STRING_EQUAL(mode == NULL ? "" : mode, "delete");
	free(mode);
	CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	mode = raw_text(fx.db, "PRAGMA journal_mode");
	CU_ASSERT_STRING_EQUAL(mode == NULL ? "" : mode, "wal");
	free(mode);
	store_close(st);
	fx_teardown(&fx);
}

static void
test_round_trip(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[300];
	char			*cause = NULL;

	fx_setup(&fx);
	/* Bytes of every value, NULs included: a blob, not a string. */
	for (size_t i = 0; i < sizeof der; i++)
		der[i] = (unsigned char)(i * 7);
	der[0] = 0x30;
	der[10] = 0;
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	fill(&sc, SERIAL, der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);

	/* Read back through a new connection: it was committed. */
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_get(st, SERIAL, &got, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got->serial, SERIAL);
	CU_ASSERT_STRING_EQUAL(got->subject, sc.subject);
	CU_ASSERT_STRING_EQUAL(got->sans, sc.sans);
	CU_ASSERT_STRING_EQUAL(got->profile, sc.profile);
	CU_ASSERT_STRING_EQUAL(got->vars, sc.vars);
	CU_ASSERT_EQUAL(got->not_before, sc.not_before);
	CU_ASSERT_EQUAL(got->not_after, sc.not_after);
	CU_ASSERT_EQUAL(got->issued_at, sc.issued_at);
	CU_ASSERT_EQUAL(got->status, STORE_VALID);
	CU_ASSERT_EQUAL(got->revoked_at, 0);
	CU_ASSERT_EQUAL(got->invalid_at, 0);
	CU_ASSERT_EQUAL(got->reason, -1);
	CU_ASSERT_EQUAL_FATAL(got->der_len, sizeof der);
	CU_ASSERT_EQUAL(memcmp(got->der, der, sizeof der), 0);
	store_cert_free(got);
	got = NULL;

	/* A revoked record keeps its time and reason; times past 2038. */
	fill(&sc, "00ff", der, 5);
	sc.status = STORE_REVOKED;
	sc.not_after = 4102444800LL;
	sc.revoked_at = 1710000000;
	sc.invalid_at = 1709990000;
	sc.reason = 1;
	sc.subject = (char *)"CN=o'brien \"quoted\"; DROP TABLE certs; --";
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(store_get(st, "00ff", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(got->status, STORE_REVOKED);
	CU_ASSERT_EQUAL(got->revoked_at, 1710000000);
	CU_ASSERT_EQUAL(got->invalid_at, 1709990000);
	CU_ASSERT_EQUAL(got->reason, 1);
	CU_ASSERT_EQUAL(got->not_after, 4102444800LL);
	CU_ASSERT_STRING_EQUAL(got->subject, sc.subject);
	CU_ASSERT_EQUAL(got->der_len, 5);
	CU_ASSERT_EQUAL(memcmp(got->der, der, 5), 0);
	store_cert_free(got);
	got = NULL;
	CU_ASSERT_EQUAL(count(st), 2);

	/* Fields left NULL read back as empty strings, not NULL. */
	fill(&sc, "0abc", der, 5);
	sc.sans = NULL;
	sc.vars = NULL;
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(store_get(st, "0abc", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got->sans, "");
	CU_ASSERT_STRING_EQUAL(got->vars, "");
	store_cert_free(got);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

static void
test_serial_forms(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL;
	const char		*forms[] = {
		"1A2B3C4D5E6F708192A3B4C5D6E7F801",
		"1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:01",
		"1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:01",
		"1a2B3c4D5e6F708192a3B4c5D6e7F801",
	};

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	/* Recorded in a separated upper-case form, kept canonical. */
	fill(&sc, forms[2], der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		CU_ASSERT_EQUAL(store_get(st, forms[i], &got, &cause), 0);
		CU_ASSERT_PTR_NOT_NULL(got);
		if (got != NULL)
			CU_ASSERT_STRING_EQUAL(got->serial, SERIAL);
		store_cert_free(got);
		got = NULL;
	}
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

static void
test_absent(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 dummy, *got = &dummy;
	char			*cause = NULL;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_get(st, "abcdef", &got, &cause), 0);
	CU_ASSERT_PTR_NULL(got);
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
	fx_teardown(&fx);
}

/* A serial is a number: its leading zero digits do not make another. */
static void
test_serial_zeros(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL;
	const char		*same[] = {
		"099b61", "99b61", "0099b61", "00099b61", "09:9b:61",
		"00:09:9B:61",
	};

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	fill(&sc, "99B61", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		CU_ASSERT_EQUAL(store_get(st, same[i], &got, &cause), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got->serial, "099b61");
		store_cert_free(got);
		got = NULL;
	}
	CU_ASSERT_EQUAL(store_get(st, "199b61", &got, &cause), 0);
	CU_ASSERT_PTR_NULL(got);
	fill(&sc, "0000", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(store_get(st, "0", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got->serial, "00");
	store_cert_free(got);
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
	fx_teardown(&fx);
}

static void
test_invalid_serial(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL;
	const char		*bad[] = {
		"xyz", "", ":", "::", "12 34", "0x1234", "12-34", "g1",
		"12345678901234567890123456789012345678901",	/* 41 */
	};

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_get(st, "xyz", &got, &cause), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(cause == NULL ? "" : cause,
	    "invalid serial 'xyz' (hex digits, at most 40 past leading "
	    "zeros, ':' only between them)");
	free(cause);
	cause = NULL;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(store_get(st, bad[i], &got, &cause),
		    ERR_USAGE);
		CU_ASSERT_PTR_NULL(got);
		CU_ASSERT(contains(cause, "invalid serial"));
		free(cause);
		cause = NULL;
		fill(&sc, bad[i], der, sizeof der);
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), ERR_USAGE);
		CU_ASSERT(contains(cause, "invalid serial"));
		free(cause);
		cause = NULL;
	}
	CU_ASSERT_EQUAL(count(st), 0);

	/* 40 digits (20 octets) is the most RFC 5280 allows, and fits. */
	fill(&sc, "1234567890123456789012345678901234567890", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(count(st), 1);

	/* A record without a certificate is refused. */
	fill(&sc, "01", der, 0);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), ERR_USAGE);
	CU_ASSERT(contains(cause, "no certificate"));
	CU_ASSERT_EQUAL(count(st), 1);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

static void
test_duplicate(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 }, der2[] = { 0x30, 0x01,
	    0x05 };
	char			*cause = NULL;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	fill(&sc, SERIAL, der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(count(st), 1);

	/* The same serial in another spelling is the same serial. */
	fill(&sc, "1A:2B:3C:4D:5E:6F:70:81:92:A3:B4:C5:D6:E7:F8:01", der2,
	    sizeof der2);
	sc.profile = (char *)"other";
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), ERR_FAIL);
	CU_ASSERT_STRING_EQUAL(cause == NULL ? "" : cause,
	    "serial " SERIAL " is already in the database");
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(count(st), 1);

	/* The first record is untouched, and the store still writes. */
	CU_ASSERT_EQUAL(store_get(st, SERIAL, &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got->profile, "frontend");
	CU_ASSERT_EQUAL(got->der_len, sizeof der);
	store_cert_free(got);
	fill(&sc, "02", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL(count(st), 2);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

static void
test_newer_schema(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL;

	fx_setup(&fx);
	make_db(&fx);
	CU_ASSERT_EQUAL(raw_exec(fx.db, "PRAGMA user_version = "
	    NEWER_TEXT), 0);
	CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), ERR_FAIL);
	CU_ASSERT_PTR_NULL(st);
	CU_ASSERT(contains(cause, fx.db));
	CU_ASSERT(contains(cause, "schema version " NEWER_TEXT " is newer"));
	free(cause);
	cause = NULL;
	/* Refused without being changed. */
	{
		char	*v = raw_text(fx.db, "PRAGMA user_version");

		CU_ASSERT_STRING_EQUAL(v == NULL ? "" : v, NEWER_TEXT);
		free(v);
	}
	fx_teardown(&fx);
}

/*
 * A database made by schema version 1 gains the CRL's covering index and
 * the later columns and counters on open.
 */
static void
test_migrate_from_1(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL, *s;
	int		 v = -1;

	fx_setup(&fx);
	make_db(&fx);
	CU_ASSERT_EQUAL(raw_exec(fx.db, AS_VERSION_8
	    "DROP INDEX certs_revoked; "
	    "ALTER TABLE certs DROP COLUMN invalid_at; "
	    "DROP TABLE audit; ALTER TABLE certs DROP COLUMN revoked_recorded; "
	    "ALTER TABLE certs DROP COLUMN released_at; "
	    "DROP TABLE compromised_keys; "
	    "DELETE FROM counters WHERE name LIKE 'base_crl_%' OR "
	    "name IN ('revocations_changed', 'compromised_backfill'); "
	    "UPDATE counters SET value = 7 WHERE name = 'crl_number'; "
	    "PRAGMA user_version = 1"), 0);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_schema_version(st, &v, &cause), 0);
	CU_ASSERT_EQUAL(v, SCHEMA_VERSION);
	s = raw_text(fx.db, "SELECT count(*) FROM pragma_table_info('certs')"
	    " WHERE name IN ('revoked_recorded', 'released_at', 'invalid_at',"
	    " 'asked', 'replaces')");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s, "5");
	free(s);
	s = raw_text(fx.db, "SELECT group_concat(name) FROM pragma_index_info"
	    "('certs_revoked')");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s,
	    "status,not_after,serial,revoked_at,reason,invalid_at");
	free(s);
	/* keys revoked for keyCompromise before the table: entered later */
	s = raw_text(fx.db, "SELECT value FROM counters"
	    " WHERE name = 'compromised_backfill'");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s, "0");
	free(s);
	/* CRLs signed before the counter existed count as stale, once */
	s = raw_text(fx.db, "SELECT value FROM counters"
	    " WHERE name = 'revocations_changed'");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s, "7");
	free(s);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

static void
test_count(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, serial[8];

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	CU_ASSERT_EQUAL(count(st), 0);
	for (int i = 1; i <= 25; i++) {
		snprintf(serial, sizeof serial, "%02x", i);
		fill(&sc, serial, der, sizeof der);
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	}
	CU_ASSERT_EQUAL(count(st), 25);
	store_close(st);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(count(st), 25);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/* The serials store_list_open gives for f, comma-separated. */
static char *
listed(struct store *st, const struct store_filter *f)
{
	struct store_list	*l = NULL;
	struct store_cert	 row;
	char			*cause = NULL, *out = xstrdup(""), *tmp;
	int			 got;

	CU_ASSERT_EQUAL_FATAL(store_list_open(st, f, &l, &cause), 0);
	while ((got = store_list_next(l, &row, &cause)) > 0) {
		xasprintf(&tmp, "%s%s%s", out, *out != '\0' ? "," : "",
		    row.serial);
		free(out);
		out = tmp;
	}
	CU_ASSERT_EQUAL(got, 0);
	CU_ASSERT_PTR_NULL(cause);
	store_list_close(l);
	free(cause);
	return out;
}

/*
 * notAfter is inside the validity (RFC 5280 4.1.2.5): a certificate at its
 * notAfter is valid, not expired; and --expiring N, as DAYS counts, takes
 * one with exactly N days left.
 */
static void
test_list_boundaries(void)
{
	const int64_t		 now = 1800000000;
	const int64_t		 na[] = { now - 1, now, now + DAY,
				    now + DAY + 1 };
	const char		*serials[] = { "01", "02", "03", "04" };
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	struct store_filter	 f = { STORE_ANY, NULL, 0, now, 0 };
	struct store_list	*l = NULL;
	struct store_cert	 row;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, *got;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	for (size_t i = 0; i < 4; i++) {
		fill(&sc, serials[i], der, sizeof der);
		sc.not_before = now - 100 * DAY;
		sc.not_after = na[i];
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	}
	f.status = STORE_EXPIRED;
	got = listed(st, &f);
	CU_ASSERT_STRING_EQUAL(got, "01");
	free(got);
	f.status = STORE_VALID;
	got = listed(st, &f);
	CU_ASSERT_STRING_EQUAL(got, "02,03,04");
	free(got);
	f.status = STORE_ANY;
	f.expiring_until = now + DAY;
	got = listed(st, &f);
	CU_ASSERT_STRING_EQUAL(got, "02,03");
	free(got);
	CU_ASSERT_EQUAL(days_left((time_t)(now + DAY), (time_t)now), 1);
	f.expiring_until = now;
	got = listed(st, &f);
	CU_ASSERT_STRING_EQUAL(got, "02");
	free(got);
	/* der only when asked for */
	CU_ASSERT_EQUAL_FATAL(store_list_open(st, &f, &l, &cause), 0);
	CU_ASSERT_EQUAL(store_list_next(l, &row, &cause), 1);
	CU_ASSERT_PTR_NULL(row.der);
	store_list_close(l);
	f.with_der = 1;
	CU_ASSERT_EQUAL_FATAL(store_list_open(st, &f, &l, &cause), 0);
	CU_ASSERT_EQUAL(store_list_next(l, &row, &cause), 1);
	CU_ASSERT(row.der != NULL && row.der_len == sizeof der &&
	    memcmp(row.der, der, sizeof der) == 0);
	store_list_close(l);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/*
 * Another process holding the write lock: a child opens its own connection
 * (never one inherited across fork), takes BEGIN IMMEDIATE, says so on
 * ready, and commits after hold_ms, or when release is closed if hold_ms
 * is negative.
 */
static pid_t
hold_lock(const char *db, int hold_ms, int *release)
{
	int	 ready[2], rel[2];
	pid_t	 pid;
	char	 c;

	if (pipe(ready) != 0 || pipe(rel) != 0)
		abort();
	if ((pid = fork()) == -1)
		abort();
	if (pid == 0) {
		sqlite3	*h = NULL;
		int	 ok;

		close(ready[0]);
		close(rel[1]);
		ok = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) ==
		    SQLITE_OK && sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL) == SQLITE_OK;
		c = ok ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		if (hold_ms >= 0)
			usleep((useconds_t)hold_ms * 1000);
		else
			while (read(rel[0], &c, 1) > 0)
				continue;
		ok = ok && sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) ==
		    SQLITE_OK;
		sqlite3_close(h);
		_exit(ok ? 0 : 1);
	}
	close(ready[1]);
	close(rel[0]);
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(ready[0]);
	*release = rel[1];
	return pid;
}

static int
child_ok(pid_t pid)
{
	int	 status;

	if (waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
test_writer_waits(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	unsigned char		 der[] = { 0x30, 0x00 };
	struct timespec		 t0;
	char			*cause = NULL;
	pid_t			 pid;
	int			 release;

	fx_setup(&fx);
	make_db(&fx);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = hold_lock(fx.db, 600, &release);
	CU_ASSERT_FATAL(pid > 0);
	/* Opening only reads: it does not wait for the writer. */
	CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	fill(&sc, SERIAL, der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	/* It succeeded only once the other writer let go. */
	CU_ASSERT(elapsed_ms(&t0) >= 500);
	CU_ASSERT(child_ok(pid));
	close(release);
	CU_ASSERT_EQUAL(count(st), 1);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

static void
test_writer_times_out(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	unsigned char		 der[] = { 0x30, 0x00 };
	struct timespec		 t0;
	char			*cause = NULL, *want = NULL;
	pid_t			 pid;
	int			 release;

	fx_setup(&fx);
	make_db(&fx);
	pid = hold_lock(fx.db, -1, &release);
	CU_ASSERT_FATAL(pid > 0);
	setenv("ROLECA_BUSY_TIMEOUT_MS", "300", 1);
	CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	fill(&sc, SERIAL, der, sizeof der);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), ERR_FAIL);
	CU_ASSERT(elapsed_ms(&t0) >= 250);
	if (asprintf(&want, "%s: begin transaction: database is locked by "
	    "another roleca process (waited 300 ms)", fx.db) < 0)
		abort();
	CU_ASSERT_STRING_EQUAL(cause == NULL ? "" : cause, want);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(count(st), 0);

	/* Once the other writer is done the same connection writes. */
	close(release);
	CU_ASSERT(child_ok(pid));
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL(count(st), 1);
	store_close(st);
	free(want);
	free(cause);
	fx_teardown(&fx);
}

/* The audit rows of the log, as "operation serial outcome" lines. */
static char *
audit_text(struct store *st)
{
	struct store_log	*l = NULL;
	struct store_log_row	 row;
	char			*cause = NULL, *all = calloc(1, 1), *tmp;

	CU_ASSERT_EQUAL_FATAL(store_log_open(st, &l, &cause), 0);
	while (store_log_next(l, &row, &cause) > 0) {
		if (asprintf(&tmp, "%s%s %s %s\n", all, row.operation,
		    row.serial, row.outcome) < 0)
			abort();
		free(all);
		all = tmp;
	}
	CU_ASSERT_PTR_NULL(cause);
	store_log_close(l);
	return all;
}

/*
 * store_record with an operation writes its audit row in the same transaction.
 */
static void
test_record_audited(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, *log;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	fill(&sc, "0a", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, "issue", &cause), 0);
	/* refused: neither the row nor its audit entry */
	CU_ASSERT_EQUAL(store_record(st, &sc, "issue", &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	fill(&sc, "0b", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	log = audit_text(st);
	CU_ASSERT_STRING_EQUAL(log, "issue 0a ok\n");
	free(log);
	CU_ASSERT_EQUAL(count(st), 2);
	store_close(st);
	fx_teardown(&fx);
}

/*
 * A group: one commit for many records; a record that fails inside it
 * undoes only itself; store_rollback and closing with the group open undo
 * the group.
 */
static void
test_group(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, *log;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_commit(st, &cause), ERR_FAIL);	/* none open */
	free(cause);
	cause = NULL;

	CU_ASSERT_EQUAL(store_begin(st, &cause), 0);
	fill(&sc, "01", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, "deploy", &cause), 0);
	CU_ASSERT_EQUAL(store_record(st, &sc, "deploy", &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	sc.serial = (char *)"not hex";
	CU_ASSERT_EQUAL(store_record(st, &sc, "deploy", &cause), ERR_USAGE);
	free(cause);
	cause = NULL;
	fill(&sc, "02", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, "deploy", &cause), 0);
	CU_ASSERT_EQUAL(store_audit(st, "deploy", NULL, "frontend",
	    "error: x", &cause), 0);
	CU_ASSERT_EQUAL(store_commit(st, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL(count(st), 2);
	log = audit_text(st);
	CU_ASSERT_STRING_EQUAL(log, "deploy 01 ok\ndeploy 02 ok\n"
	    "deploy  error: x\n");
	free(log);

	/* rolled back: nothing of the group stays */
	CU_ASSERT_EQUAL(store_begin(st, &cause), 0);
	fill(&sc, "03", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, "deploy", &cause), 0);
	store_rollback(st);
	store_rollback(st);	/* none open: nothing happens */
	CU_ASSERT_EQUAL(count(st), 2);

	/* closed with the group open: not committed */
	CU_ASSERT_EQUAL(store_begin(st, &cause), 0);
	CU_ASSERT_EQUAL(store_record(st, &sc, "deploy", &cause), 0);
	store_close(st);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(count(st), 2);
	/* and the store still writes */
	CU_ASSERT_EQUAL(store_record(st, &sc, "issue", &cause), 0);
	CU_ASSERT_EQUAL(count(st), 3);
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
	fx_teardown(&fx);
}

/* Rows a revoked-cursor yields; -1 on error. */
static int
drain(struct store_revoked *r)
{
	const char	*serial;
	int64_t		 when, invalid;
	int		 reason, got, n = 0;
	char		*cause = NULL;

	while ((got = store_revoked_next(r, &serial, &when, &reason, &invalid,
	    &cause)) > 0)
		n++;
	free(cause);
	store_revoked_close(r);
	return got < 0 ? -1 : n;
}

static int
range_rows(struct store *st, int64_t now, int64_t after, int64_t until)
{
	struct store_revoked	*r = NULL;
	char			*cause = NULL;

	if (store_revoked_range(st, now, after, until, &r, &cause) != 0) {
		free(cause);
		return -1;
	}
	return drain(r);
}

/*
 * 20 certificates expiring a day apart, the even ones revoked: shares of
 * the base CRL's rows by not_after add up to the base list, and the span
 * is that of the unexpired revoked rows.
 */
static void
test_revoked_shares(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_revoked	*r = NULL;
	struct store_cert	 sc;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, serial[8];
	int64_t			 base = 1900000000, first = 0, last = 0;
	int64_t			 t = 1700000200;
	int			 any = -1;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_revoked_span(st, 0, &any, &first, &last,
	    &cause), 0);
	CU_ASSERT_EQUAL(any, 0);
	for (int i = 0; i < 20; i++) {
		snprintf(serial, sizeof serial, "%02x", i + 1);
		fill(&sc, serial, der, sizeof der);
		sc.not_after = base + 86400 * i;
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
		if (i % 2 == 0)
			CU_ASSERT_EQUAL(store_revoke(st, serial, 1, &t,
			    &cause), 0);
	}
	CU_ASSERT_PTR_NULL(cause);
	/* now = the day of the 4th: rows 0 and 2 have expired */
	CU_ASSERT_EQUAL(store_revoked_span(st, base + 86400 * 3, &any, &first,
	    &last, &cause), 0);
	CU_ASSERT_EQUAL(any, 1);
	CU_ASSERT_EQUAL(first, base + 86400 * 4);
	CU_ASSERT_EQUAL(last, base + 86400 * 18);
	CU_ASSERT_EQUAL_FATAL(store_revoked_open(st, base + 86400 * 3, &r,
	    &cause), 0);
	CU_ASSERT_EQUAL(drain(r), 8);
	/* two shares split in the middle of the span, and three */
	CU_ASSERT_EQUAL(range_rows(st, base + 86400 * 3, base + 86400 * 3,
	    base + 86400 * 11) + range_rows(st, base + 86400 * 3,
	    base + 86400 * 11, INT64_MAX), 8);
	CU_ASSERT_EQUAL(range_rows(st, base + 86400 * 3, base + 86400 * 3,
	    base + 86400 * 11), 4);
	CU_ASSERT_EQUAL(range_rows(st, base + 86400 * 3, 0, base + 86400 * 6) +
	    range_rows(st, base + 86400 * 3, base + 86400 * 6,
	    base + 86400 * 12) + range_rows(st, base + 86400 * 3,
	    base + 86400 * 12, INT64_MAX), 8);
	/* a share never reaches below now */
	CU_ASSERT_EQUAL(range_rows(st, base + 86400 * 3, 0, base + 86400 * 4),
	    1);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/*
 * Readers whose snapshots begin while the writer's lock is held see one
 * database: a revocation committed afterwards by another connection is in
 * neither of them, and in the next snapshot of both.
 */
static void
test_snapshot(void)
{
	struct fx		 fx;
	struct store		*st = NULL, *rd[2] = { NULL, NULL };
	struct store_cert	 sc;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, serial[8];

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(serial, sizeof serial, "%02x", i + 1);
		fill(&sc, serial, der, sizeof der);
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	}
	CU_ASSERT_EQUAL(store_revoke(st, "01", 1, NULL, &cause), 0);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &rd[i], &cause), 0);
	CU_ASSERT_EQUAL(store_hold_writes(st, &cause), 0);
	/* held: another writer cannot commit (no busy timeout) */
	CU_ASSERT_NOT_EQUAL(raw_exec(fx.db, "UPDATE certs SET status ="
	    " 'revoked', revoked_at = 1, reason = 1 WHERE serial = '02'"), 0);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(store_snapshot_begin(rd[i], &cause), 0);
	store_release_writes(st);
	CU_ASSERT_EQUAL(raw_exec(fx.db, "UPDATE certs SET status = 'revoked',"
	    " revoked_at = 1, reason = 1 WHERE serial = '02'"), 0);
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(range_rows(rd[i], 0, 0, INT64_MAX), 1);
	CU_ASSERT_EQUAL(range_rows(st, 0, 0, INT64_MAX), 2);
	for (int i = 0; i < 2; i++) {
		store_snapshot_end(rd[i]);
		CU_ASSERT_EQUAL(range_rows(rd[i], 0, 0, INT64_MAX), 2);
		store_close(rd[i]);
	}
	/* a hold is refused inside a transaction */
	CU_ASSERT_EQUAL(store_begin(st, &cause), 0);
	CU_ASSERT_EQUAL(store_hold_writes(st, &cause), ERR_FAIL);
	CU_ASSERT(contains(cause, "transaction is open"));
	store_rollback(st);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/* A new row for serial, revoked with reason (and date): its revocation date. */
static int64_t
recorded_revoked(struct store *st, const char *serial, int reason,
    const int64_t *date)
{
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL;
	int64_t			 at = -1;

	fill(&sc, serial, der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(store_revoke(st, serial, reason, date, &cause), 0);
	CU_ASSERT_EQUAL(store_get(st, serial, &got, &cause), 0);
	if (got != NULL)
		at = got->revoked_at;
	store_cert_free(got);
	free(cause);
	return at;
}

/*
 * A certificate on hold can be revoked for good with another reason, its
 * entry taking the new reason and date; anything already revoked for good,
 * or held again, is refused and left as it was.
 */
static void
test_hold_then_revoke(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL;
	int64_t			 t[] = { 1700000200, 1700000300, 1700000400,
	    1700000500 }, t0;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	fill(&sc, "0a", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(store_revoke(st, "0a", 6, &t[0], &cause), 0);
	CU_ASSERT_EQUAL(store_revoke(st, "0a", 6, &t[1], &cause), ERR_FAIL);
	CU_ASSERT(contains(cause, "already on hold"));
	free(cause);
	cause = NULL;
	t0 = (int64_t)time(NULL);
	CU_ASSERT_EQUAL(store_revoke(st, "0a", 1, &t[2], &cause), 0);
	CU_ASSERT_EQUAL_FATAL(store_get(st, "0a", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(got->status, STORE_REVOKED);
	CU_ASSERT_EQUAL(got->reason, 1);
	/* the final revocation's dates: recorded now, invalid since t[2] */
	CU_ASSERT(got->revoked_at >= t0 &&
	    got->revoked_at <= (int64_t)time(NULL));
	CU_ASSERT_EQUAL(got->invalid_at, 1700000400);
	store_cert_free(got);
	got = NULL;
	CU_ASSERT_EQUAL(store_revoke(st, "0a", 4, &t[3], &cause), ERR_FAIL);
	CU_ASSERT(contains(cause, "already revoked"));
	CU_ASSERT_EQUAL_FATAL(store_get(st, "0a", &got, &cause), 0);
	CU_ASSERT_EQUAL(got->reason, 1);
	CU_ASSERT(got->revoked_at >= t0);
	CU_ASSERT_EQUAL(got->invalid_at, 1700000400);
	store_cert_free(got);
	got = NULL;
	free(cause);
	cause = NULL;
	/* a hold made final without a date: invalid since the hold */
	t0 = recorded_revoked(st, "0b", 6, NULL);
	CU_ASSERT_EQUAL(store_revoke(st, "0b", 5, NULL, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(store_get(st, "0b", &got, &cause), 0);
	CU_ASSERT_EQUAL(got->reason, 5);
	CU_ASSERT_EQUAL(got->invalid_at, t0);
	store_cert_free(got);
	got = NULL;
	/* superseded found to be keyCompromise: reason changed, dates kept */
	t0 = recorded_revoked(st, "0c", 4, &t[0]);
	CU_ASSERT_EQUAL(store_revoke(st, "0c", 3, NULL, &cause), ERR_FAIL);
	CU_ASSERT(contains(cause, "only keyCompromise may follow"));
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(store_revoke(st, "0c", 1, NULL, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(store_get(st, "0c", &got, &cause), 0);
	CU_ASSERT_EQUAL(got->reason, 1);
	CU_ASSERT_EQUAL(got->revoked_at, t0);
	CU_ASSERT_EQUAL(got->invalid_at, 1700000200);
	store_cert_free(got);
	CU_ASSERT_EQUAL(store_revoke(st, "0c", 1, NULL, &cause), ERR_FAIL);
	CU_ASSERT(contains(cause, "already revoked (keyCompromise)"));
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/*
 * The revocation date is when the revocation is recorded; a date given is
 * the invalidity date when it is earlier, none when it is not; the date
 * the certificate is revoked as of (that one, else now) is refused before
 * its notBefore; a release clears both. The CRL's cursors, base and delta,
 * yield what the record has.
 */
static void
test_revoke_dates(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_revoked	*r = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL;
	const char		*serial;
	int64_t			 t0, t1, early = 1700000500, late = INT64_MAX,
	    before = 1600000000, when, invalid, seen[3][2];
	int			 reason, rows = 0, got_rows;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	for (int i = 0; i < 4; i++) {
		char	 s[3] = { '0', (char)('1' + i), '\0' };

		fill(&sc, s, der, sizeof der);
		sc.not_after = 4102444800LL;
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	}
	t0 = (int64_t)time(NULL);
	CU_ASSERT_EQUAL(store_revoke(st, "01", 1, &early, &cause), 0);
	CU_ASSERT_EQUAL(store_revoke(st, "02", -1, NULL, &cause), 0);
	CU_ASSERT_EQUAL(store_revoke(st, "03", 6, &late, &cause), 0);
	t1 = (int64_t)time(NULL);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL_FATAL(store_get(st, "01", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT(got->revoked_at >= t0 && got->revoked_at <= t1);
	CU_ASSERT_EQUAL(got->invalid_at, early);
	store_cert_free(got);
	CU_ASSERT_EQUAL_FATAL(store_get(st, "02", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT(got->revoked_at >= t0 && got->revoked_at <= t1);
	CU_ASSERT_EQUAL(got->invalid_at, 0);
	store_cert_free(got);
	/* a date not before the revocation's is no invalidity date */
	CU_ASSERT_EQUAL_FATAL(store_get(st, "03", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT(got->revoked_at >= t0 && got->revoked_at <= t1);
	CU_ASSERT_EQUAL(got->invalid_at, 0);
	store_cert_free(got);
	got = NULL;
	/* before the notBefore (1700000000): refused, nothing changed */
	CU_ASSERT_EQUAL(store_revoke(st, "04", 1, &before, &cause), ERR_FAIL);
	CU_ASSERT(contains(cause, "invalidity date is before its notBefore"));
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL_FATAL(store_get(st, "04", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(got->status, STORE_VALID);
	CU_ASSERT_EQUAL(got->invalid_at, 0);
	store_cert_free(got);
	got = NULL;

	CU_ASSERT_EQUAL_FATAL(store_revoked_open(st, 0, &r, &cause), 0);
	while (rows < 3 && (got_rows = store_revoked_next(r, &serial, &when,
	    &reason, &invalid, &cause)) > 0) {
		int	 i = serial[1] - '1';

		CU_ASSERT_FATAL(i >= 0 && i < 3);
		seen[i][0] = when;
		seen[i][1] = invalid;
		rows++;
	}
	CU_ASSERT_EQUAL(store_revoked_next(r, &serial, &when, &reason,
	    &invalid, &cause), 0);
	store_revoked_close(r);
	r = NULL;
	CU_ASSERT_EQUAL_FATAL(rows, 3);
	CU_ASSERT(seen[0][0] >= t0 && seen[0][0] <= t1);
	CU_ASSERT_EQUAL(seen[0][1], early);
	CU_ASSERT(seen[1][0] >= t0 && seen[1][0] <= t1);
	CU_ASSERT_EQUAL(seen[1][1], 0);
	CU_ASSERT_EQUAL(seen[2][1], 0);

	/* a delta: the revocation with its invalidity date, a release */
	CU_ASSERT_EQUAL(store_unrevoke(st, "03", &cause), 0);
	CU_ASSERT_EQUAL_FATAL(store_get(st, "03", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(got->status, STORE_VALID);
	CU_ASSERT_EQUAL(got->invalid_at, 0);
	store_cert_free(got);
	CU_ASSERT_EQUAL_FATAL(store_revoked_since(st, 0, t0, &r, &cause), 0);
	rows = 0;
	while ((got_rows = store_revoked_next(r, &serial, &when, &reason,
	    &invalid, &cause)) > 0) {
		if (strcmp(serial, "01") == 0)
			CU_ASSERT_EQUAL(invalid, early);
		if (strcmp(serial, "03") == 0) {
			CU_ASSERT_EQUAL(reason, 8);
			CU_ASSERT_EQUAL(invalid, 0);
		}
		rows++;
	}
	CU_ASSERT_EQUAL(got_rows, 0);
	CU_ASSERT_EQUAL(rows, 3);
	store_revoked_close(r);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/*
 * A version 7 database: revoked_at was the --date (or when revoke
 * started), revoked_recorded when the revocation was recorded. On open the
 * revocation date becomes the recorded time and an earlier revoked_at the
 * invalidity date; a row with no recorded time keeps its date and gets
 * none; a released hold stays as it was. The CRL is still read from its
 * covering index alone.
 */
static void
test_migrate_from_7(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, *s;
	int			 v = -1;
	struct {
		const char	*serial;
		int64_t		 revoked_at, invalid_at;
	} want[] = {
		{ "01", 1700009000, 1700000500 },	/* backdated */
		{ "02", 1700009100, 0 },		/* no --date */
		{ "03", 1700000600, 0 },		/* no recorded time */
		{ "04", 0, 0 },				/* hold released */
	};

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		fill(&sc, want[i].serial, der, sizeof der);
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	}
	store_close(st);
	st = NULL;
	CU_ASSERT_EQUAL_FATAL(raw_exec(fx.db, AS_VERSION_7
	    "UPDATE certs SET status = 'revoked', reason = 1,"
	    " revoked_at = 1700000500, revoked_recorded = 1700009000"
	    " WHERE serial = '01';"
	    "UPDATE certs SET status = 'revoked', reason = 4,"
	    " revoked_at = 1700009100, revoked_recorded = 1700009100"
	    " WHERE serial = '02';"
	    "UPDATE certs SET status = 'revoked', revoked_at = 1700000600"
	    " WHERE serial = '03';"
	    "UPDATE certs SET revoked_recorded = 1700009200,"
	    " released_at = 1700009300 WHERE serial = '04';"), 0);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_schema_version(st, &v, &cause), 0);
	CU_ASSERT_EQUAL(v, SCHEMA_VERSION);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		CU_ASSERT_EQUAL_FATAL(store_get(st, want[i].serial, &got,
		    &cause), 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_EQUAL(got->status, want[i].revoked_at != 0 ?
		    STORE_REVOKED : STORE_VALID);
		CU_ASSERT_EQUAL(got->revoked_at, want[i].revoked_at);
		CU_ASSERT_EQUAL(got->invalid_at, want[i].invalid_at);
		store_cert_free(got);
		got = NULL;
	}
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
	s = raw_text(fx.db, "SELECT group_concat(name) FROM pragma_index_info"
	    "('certs_revoked')");
	CU_ASSERT_STRING_EQUAL(s == NULL ? "" : s,
	    "status,not_after,serial,revoked_at,reason,invalid_at");
	free(s);
	/* the base CRL's statement (store_revoked_since) */
	s = raw_plan(fx.db, "SELECT serial, revoked_at, reason, invalid_at"
	    " FROM certs WHERE status = 'revoked' AND not_after > 0");
	CU_ASSERT(contains(s, "COVERING INDEX certs_revoked"));
	free(s);
	free(cause);
	fx_teardown(&fx);
}

/*
 * The names a request asked for: kept as given, "" apart from NULL (not
 * recorded); rows of a version 8 database have none recorded.
 */
static void
test_asked(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL;
	int			 v = -1;
	const char		*want[] = {
		"DNS:fe07.example.com\nIP:192.0.2.7\n", "", NULL
	};
	const char		*serials[] = { "01", "02", "03" };

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	for (size_t i = 0; i < 3; i++) {
		fill(&sc, serials[i], der, sizeof der);
		sc.asked = (char *)want[i];
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	}
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(store_get(st, serials[i], &got, &cause),
		    0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		if (want[i] == NULL) {
			CU_ASSERT_PTR_NULL(got->asked);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(got->asked);
			CU_ASSERT_STRING_EQUAL(got->asked, want[i]);
		}
		store_cert_free(got);
		got = NULL;
	}
	store_close(st);
	st = NULL;
	CU_ASSERT_EQUAL_FATAL(raw_exec(fx.db, AS_VERSION_8), 0);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_schema_version(st, &v, &cause), 0);
	CU_ASSERT_EQUAL(v, SCHEMA_VERSION);
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(store_get(st, serials[i], &got, &cause),
		    0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_PTR_NULL(got->asked);
		store_cert_free(got);
		got = NULL;
	}
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/*
 * What a certificate replaces: kept only when that serial is recorded
 * here; found again from the old one, oldest first; rows of a version 9
 * database replace nothing.
 */
static void
test_replaces(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc, *got = NULL;
	struct strv		 by = { NULL, 0 };
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, *s;
	int			 v = -1;
	/* 02 and 03 replace 01; 04 names a serial from elsewhere */
	const char		*serials[] = { "01", "02", "03", "04" };
	const char		*replaces[] = { NULL, "01", "01", "ff" };

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	for (size_t i = 0; i < 4; i++) {
		fill(&sc, serials[i], der, sizeof der);
		sc.issued_at += (int64_t)i;
		sc.replaces = (char *)replaces[i];
		CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	}
	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL_FATAL(store_get(st, serials[i], &got, &cause),
		    0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		if (i == 1 || i == 2) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(got->replaces);
			CU_ASSERT_STRING_EQUAL(got->replaces, "01");
		} else
			CU_ASSERT_PTR_NULL(got->replaces);
		store_cert_free(got);
		got = NULL;
	}
	CU_ASSERT_EQUAL(store_replaced_by(st, "01", &by, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(by.n, 2);
	CU_ASSERT_STRING_EQUAL(by.v[0], "02");
	CU_ASSERT_STRING_EQUAL(by.v[1], "03");
	strv_free(&by);
	CU_ASSERT_EQUAL(store_replaced_by(st, "02", &by, &cause), 0);
	CU_ASSERT_EQUAL(by.n, 0);
	strv_free(&by);
	store_close(st);
	st = NULL;
	/* the lookup has an index of the rows that replace something */
	s = raw_text(fx.db, "SELECT sql FROM sqlite_master"
	    " WHERE name = 'certs_replaces'");
	CU_ASSERT(contains(s, "(replaces) WHERE replaces IS NOT NULL"));
	free(s);
	CU_ASSERT_EQUAL_FATAL(raw_exec(fx.db, AS_VERSION_9), 0);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_schema_version(st, &v, &cause), 0);
	CU_ASSERT_EQUAL(v, SCHEMA_VERSION);
	CU_ASSERT_EQUAL_FATAL(store_get(st, "02", &got, &cause), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_PTR_NULL(got->replaces);
	store_cert_free(got);
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/*
 * freshest_until: the latest notAfter of a certificate recorded with a
 * Freshest CRL extension's OID in its DER, also of rows from version 9.
 */
static void
test_freshest_until(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	/* a SEQUENCE holding the OID 2.5.29.46, and one holding 2.5.29.31 */
	unsigned char		 fresh[] = { 0x30, 0x05, 0x06, 0x03, 0x55,
	    0x1d, 0x2e };
	unsigned char		 plain[] = { 0x30, 0x05, 0x06, 0x03, 0x55,
	    0x1d, 0x1f };
	char			*cause = NULL;
	int64_t			 v = -1;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_counter(st, "freshest_until", &v, &cause), 0);
	CU_ASSERT_EQUAL(v, 0);
	fill(&sc, "01", fresh, sizeof fresh);
	sc.not_after = 2000000000;
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	fill(&sc, "02", fresh, sizeof fresh);
	sc.not_after = 1900000000;	/* earlier: the latest stays */
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	fill(&sc, "03", plain, sizeof plain);
	sc.not_after = 2100000000;	/* names no delta: not counted */
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(store_counter(st, "freshest_until", &v, &cause), 0);
	CU_ASSERT_EQUAL(v, 2000000000);
	store_close(st);
	st = NULL;
	CU_ASSERT_EQUAL_FATAL(raw_exec(fx.db, AS_VERSION_9), 0);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	v = -1;
	CU_ASSERT_EQUAL(store_counter(st, "freshest_until", &v, &cause), 0);
	CU_ASSERT_EQUAL(v, 2000000000);
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/* The counter of CRL numbers since which a revocation or release is new. */
static int64_t
changed(struct store *st)
{
	int64_t	 v = -1;
	char	*cause = NULL;

	CU_ASSERT_EQUAL(store_counter(st, "revocations_changed", &v, &cause),
	    0);
	free(cause);
	return v;
}

/*
 * A revocation, a hold and a release each record the CRL number last
 * taken, in their own transaction; a refused one, and taking a CRL number,
 * leave it as it was.
 */
static void
test_revocations_changed(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL;
	uint64_t		 n;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	fill(&sc, "01", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	fill(&sc, "02", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(changed(st), 0);
	CU_ASSERT_EQUAL(store_next_crl_number(st, &n, &cause), 0);
	CU_ASSERT_EQUAL(store_next_crl_number(st, &n, &cause), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(changed(st), 0);
	CU_ASSERT_EQUAL(store_revoke(st, "01", 1, NULL, &cause), 0);
	CU_ASSERT_EQUAL(changed(st), 2);
	CU_ASSERT_EQUAL(store_next_crl_number(st, &n, &cause), 0);
	CU_ASSERT_EQUAL(changed(st), 2);
	CU_ASSERT_EQUAL(store_revoke(st, "02", 6, NULL, &cause), 0);
	CU_ASSERT_EQUAL(changed(st), 3);
	CU_ASSERT_EQUAL(store_next_crl_number(st, &n, &cause), 0);
	CU_ASSERT_EQUAL(store_revoke(st, "01", 4, NULL, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(store_unrevoke(st, "01", &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(changed(st), 3);
	CU_ASSERT_EQUAL(store_unrevoke(st, "02", &cause), 0);
	CU_ASSERT_EQUAL(changed(st), 4);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

/*
 * Compromised keys: one entry per key, the first serial kept, read back
 * sorted; a database from before the table lists its keyCompromise
 * revocations as pending once, and none after the counter is cleared.
 */
static void
test_compromised(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	struct strv		 v = { NULL, 0 };
	unsigned char		 der[] = { 0x30, 0x00 };
	char			*cause = NULL, *serial = NULL;

	fx_setup(&fx);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_compromised_add(st, "bb", "02", &cause), 0);
	CU_ASSERT_EQUAL(store_compromised_add(st, "aa", "01", &cause), 0);
	CU_ASSERT_EQUAL(store_compromised_add(st, "bb", "03", &cause), 0);
	CU_ASSERT_EQUAL(store_compromised_find(st, "bb", &serial, &cause), 0);
	CU_ASSERT_STRING_EQUAL(serial == NULL ? "" : serial, "02");
	free(serial);
	CU_ASSERT_EQUAL(store_compromised_find(st, "cc", &serial, &cause), 0);
	CU_ASSERT_PTR_NULL(serial);
	CU_ASSERT_EQUAL(store_compromised_all(st, &v, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(v.n, 2);
	CU_ASSERT_STRING_EQUAL(v.v[0], "aa");
	CU_ASSERT_STRING_EQUAL(v.v[1], "bb");
	strv_free(&v);
	/* a new database has nothing pending */
	CU_ASSERT_EQUAL(store_compromised_pending(st, &v, &cause), 0);
	CU_ASSERT_EQUAL(v.n, 0);
	fill(&sc, "0a", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, NULL, &cause), 0);
	CU_ASSERT_EQUAL(store_revoke(st, "0a", 1, NULL, &cause), 0);
	store_close(st);
	/* as a version 6 database with that revocation opens */
	CU_ASSERT_EQUAL(raw_exec(fx.db, AS_VERSION_7
	    "DROP TABLE compromised_keys; "
	    "DELETE FROM counters WHERE name = 'compromised_backfill'; "
	    "PRAGMA user_version = 6"), 0);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(store_compromised_pending(st, &v, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(v.n, 1);
	CU_ASSERT_STRING_EQUAL(v.v[0], "0a");
	strv_free(&v);
	CU_ASSERT_EQUAL(store_set_counter(st, "compromised_backfill", 0,
	    &cause), 0);
	CU_ASSERT_EQUAL(store_compromised_pending(st, &v, &cause), 0);
	CU_ASSERT_EQUAL(v.n, 0);
	CU_ASSERT_PTR_NULL(cause);
	store_close(st);
	fx_teardown(&fx);
}

/*
 * The log is emptied at close once it has grown past a few dozen pages
 * (every first open reads it all back), and left alone while it is short
 * (a checkpoint costs syncs); either way every record is there.
 */
static void
test_log_kept_short(void)
{
	struct fx		 fx;
	struct store		*st = NULL;
	struct store_cert	 sc;
	unsigned char		 der[1500];
	char			*cause = NULL, serial[8], wal[160];
	struct stat		 sb;

	memset(der, 0x30, sizeof der);
	fx_setup(&fx);
	snprintf(wal, sizeof wal, "%s-wal", fx.db);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 1, &st, &cause), 0);
	store_close(st);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	fill(&sc, "01", der, sizeof der);
	CU_ASSERT_EQUAL(store_record(st, &sc, "issue", &cause), 0);
	store_close(st);
	CU_ASSERT(stat(wal, &sb) == 0 && sb.st_size > 0);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	for (int i = 2; i <= 80; i++) {
		snprintf(serial, sizeof serial, "%02x", i);
		fill(&sc, serial, der, sizeof der);
		CU_ASSERT_EQUAL(store_record(st, &sc, "issue", &cause), 0);
	}
	store_close(st);
	CU_ASSERT(stat(wal, &sb) == 0 && sb.st_size == 0);
	CU_ASSERT_EQUAL_FATAL(store_open(fx.db, 0, &st, &cause), 0);
	CU_ASSERT_EQUAL(count(st), 80);
	store_close(st);
	CU_ASSERT_PTR_NULL(cause);
	free(cause);
	fx_teardown(&fx);
}

static void
test_busy_timeout_env(void)
{
	struct fx	 fx;
	struct store	*st = NULL;
	char		*cause = NULL;
	const char	*bad[] = { "x", "-1", "10s", "99999999999" };

	fx_setup(&fx);
	make_db(&fx);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		setenv("ROLECA_BUSY_TIMEOUT_MS", bad[i], 1);
		CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), ERR_USAGE);
		CU_ASSERT_PTR_NULL(st);
		CU_ASSERT(contains(cause, "ROLECA_BUSY_TIMEOUT_MS"));
		free(cause);
		cause = NULL;
	}
	setenv("ROLECA_BUSY_TIMEOUT_MS", "2000", 1);
	CU_ASSERT_EQUAL(store_open(fx.db, 0, &st, &cause), 0);
	store_close(st);
	free(cause);
	fx_teardown(&fx);
}

static const CU_TestInfo tests[] = {
	{ "create, open, reopen", test_create_open_reopen },
	{ "schema version 1", test_schema },
	{ "create refuses an existing file", test_create_refuses_existing },
	{ "create in a missing directory", test_create_in_missing_dir },
	{ "open refuses a missing file", test_open_refuses_missing },
	{ "open refuses a foreign file", test_open_refuses_foreign },
	{ "database file mode 0600", test_mode_0600 },
	{ "pragmas in effect", test_pragmas },
	{ "record and get round trip", test_round_trip },
	{ "serial with colons, any case", test_serial_forms },
	{ "absent serial", test_absent },
	{ "invalid serial", test_invalid_serial },
	{ "leading zeros in a serial", test_serial_zeros },
	{ "duplicate serial refused", test_duplicate },
	{ "a version 1 database is migrated", test_migrate_from_1 },
	{ "newer schema refused", test_newer_schema },
	{ "count", test_count },
	{ "a record and its audit row, together", test_record_audited },
	{ "a group: one commit, failures undo themselves", test_group },
	{ "a writer waits for the lock", test_writer_waits },
	{ "a writer gives up clearly", test_writer_times_out },
	{ "ROLECA_BUSY_TIMEOUT_MS", test_busy_timeout_env },
	{ "shares of the revoked rows by not_after", test_revoked_shares },
	{ "a hold revoked for good", test_hold_then_revoke },
	{ "revocation and invalidity dates", test_revoke_dates },
	{ "a version 7 database: revocation and invalidity dates",
	    test_migrate_from_7 },
	{ "the names a request asked for; a version 8 database",
	    test_asked },
	{ "what a certificate replaces; a version 9 database",
	    test_replaces },
	{ "until when certificates name a delta CRL; a version 9 database",
	    test_freshest_until },
	{ "revocations mark the CRLs before them", test_revocations_changed },
	{ "compromised keys", test_compromised },
	{ "list: notAfter is valid; --expiring N with N days left",
	    test_list_boundaries },
	{ "the log is emptied at close once it is long", test_log_kept_short },
	{ "readers begun under a write hold share a snapshot", test_snapshot },
	CU_TEST_INFO_NULL
};

int
main(void)
{
	unit_suite("store", tests);
	return unit_run();
}
