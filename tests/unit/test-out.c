/*
 * out.c: modes whatever the umask, no replacing without force, batches
 * that place all files or none and leave no temporaries, bounded reads.
 * Every test works in its own directory under one mkdtemp() directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "out.h"
#include "unit.h"
#include "util.h"

static char	 top[] = "/tmp/roleca-test-out.XXXXXX";

/*
 * open(2) as out.c calls it, refusing O_TMPFILE while no_tmpfile is set,
 * as a file system without unnamed temporaries does (libc's own opens do
 * not come here).
 */
static int	 no_tmpfile;

int
open(const char *path, int flags, ...)
{
	va_list	 ap;
	int	 mode = 0;

	if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (no_tmpfile && (flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
}

/* Whether dir's file system makes unnamed temporaries. */
static int
tmpfile_works(const char *dir)
{
	int	 fd = open(dir, O_TMPFILE | O_RDWR, 0600);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* A fresh empty directory for one test. */
static char *
new_dir(void)
{
	static int	 n;
	char		*d;

	xasprintf(&d, "%s/t%d", top, n++);
	if (mkdir(d, 0700) != 0)
		abort();
	return d;
}

static char *
path_in(const char *dir, const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", dir, name);
	return p;
}

/* Remove a test directory, its files and its empty subdirectories. */
static void
rm_dir(char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	char		*p;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = path_in(dir, e->d_name);
		if (unlink(p) != 0)
			rmdir(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
	free(dir);
}

/* Entries of dir (without . and ..); *tmps counts ".*.tmp-*" ones. */
static int
count_entries(const char *dir, int *tmps)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	*tmps = 0;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (e->d_name[0] == '.' && strstr(e->d_name, ".tmp-") != NULL)
			(*tmps)++;
	}
	closedir(d);
	return n;
}

static int
exists(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

static mode_t
mode_of(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) != 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

/* Does the file hold exactly text? */
static int
holds(const char *path, const char *text)
{
	char	 buf[256];
	FILE	*f = fopen(path, "r");
	size_t	 n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return n == strlen(text) && memcmp(buf, text, n) == 0;
}

static void
put(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static void
test_modes(void)
{
	char	*dir = new_dir(), *pub = path_in(dir, "a.crt");
	char	*sec = path_in(dir, "a.key"), *cause = NULL;
	char	*pub2 = path_in(dir, "b.crt"), *sec2 = path_in(dir, "b.key");
	mode_t	 old = umask(022);
	int	 tmps;

	CU_ASSERT_EQUAL(out_write(pub, "cert\n", 5, 0, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_write(sec, "key\n", 4, 1, 0, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT_EQUAL(mode_of(pub), 0644);
	CU_ASSERT_EQUAL(mode_of(sec), 0600);
	CU_ASSERT(holds(pub, "cert\n"));
	CU_ASSERT(holds(sec, "key\n"));

	/* a strict umask changes nothing either way */
	umask(077);
	CU_ASSERT_EQUAL(out_write(pub2, "c", 1, 0, 0, &cause), 0);
	umask(0);
	CU_ASSERT_EQUAL(out_write(sec2, "k", 1, 1, 0, &cause), 0);
	umask(old);
	CU_ASSERT_EQUAL(mode_of(pub2), 0644);
	CU_ASSERT_EQUAL(mode_of(sec2), 0600);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 4);
	CU_ASSERT_EQUAL(tmps, 0);
	free(pub);
	free(sec);
	free(pub2);
	free(sec2);
	rm_dir(dir);
}

static void
test_empty_and_binary(void)
{
	static const unsigned char	 bin[] = { 0, 1, 2, 0, 0xff, '\n', 0 };
	char				*dir = new_dir(),
	    *e = path_in(dir, "empty");
	char				*b = path_in(dir, "bin"), *cause = NULL;
	unsigned char			*data = NULL;
	size_t				 len = 99;

	CU_ASSERT_EQUAL(out_write(e, "", 0, 0, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_read(e, 100, &data, &len, &cause), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT(data != NULL && data[0] == '\0');
	free(data);
	CU_ASSERT_EQUAL(out_write(b, bin, sizeof bin, 1, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_read(b, 100, &data, &len, &cause), 0);
	CU_ASSERT_EQUAL(len, sizeof bin);
	CU_ASSERT(data != NULL && memcmp(data, bin, sizeof bin) == 0);
	free(data);
	CU_ASSERT_PTR_NULL(cause);
	free(e);
	free(b);
	rm_dir(dir);
}

static void
test_no_replace(void)
{
	char	*dir = new_dir(), *p = path_in(dir, "x.crt"), *cause = NULL;
	int	 tmps;

	put(p, "old");
	chmod(p, 0640);
	CU_ASSERT_EQUAL(out_write(p, "new", 3, 0, 0, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, p) != NULL &&
	    strstr(cause, "already exists") != NULL);
	CU_ASSERT(holds(p, "old"));
	CU_ASSERT_EQUAL(mode_of(p), 0640);
	CU_ASSERT_EQUAL(out_check(p, 0, NULL), ERR_FAIL);
	CU_ASSERT_EQUAL(out_check(p, 1, NULL), 0);
	free(cause);
	cause = NULL;

	/* with force: replaced, with the mode the new file asks for */
	CU_ASSERT_EQUAL(out_write(p, "newer", 5, 1, 1, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT(holds(p, "newer"));
	CU_ASSERT_EQUAL(mode_of(p), 0600);
	CU_ASSERT_EQUAL(out_write(p, "public", 6, 0, 1, &cause), 0);
	CU_ASSERT(holds(p, "public"));
	CU_ASSERT_EQUAL(mode_of(p), 0644);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 1);
	CU_ASSERT_EQUAL(tmps, 0);
	free(p);
	rm_dir(dir);
}

/*
 * An existing symlink is an existing path: never followed, never written
 * through.
 */
static int
is_link(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static void
test_symlink(void)
{
	char	*dir = new_dir(), *target = path_in(dir, "target");
	char	*link1 = path_in(dir, "link"),
	    *dangling = path_in(dir, "dangling");
	char	*nowhere = path_in(dir, "nowhere"), *cause = NULL;

	put(target, "precious");
	CU_ASSERT_EQUAL_FATAL(symlink(target, link1), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(nowhere, dangling), 0);
	CU_ASSERT_EQUAL(out_write(link1, "evil", 4, 0, 0, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_write(dangling, "evil", 4, 1, 0, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT(!exists(nowhere));
	CU_ASSERT(holds(target, "precious"));
	/* with force too: only a regular file is replaced, never a link */
	CU_ASSERT_EQUAL(out_write(link1, "new", 3, 0, 1, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "is a symbolic link") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT(holds(target, "precious"));
	CU_ASSERT(is_link(link1));
	free(target);
	free(link1);
	free(dangling);
	free(nowhere);
	rm_dir(dir);
}

static void
test_refused_paths(void)
{
	char	*dir = new_dir(), *sub = path_in(dir, "sub");
	char	*missing = path_in(dir, "missing/x.crt"), *cause = NULL;
	char	*under_file = path_in(dir, "file/x.crt"),
	    *file = path_in(dir, "file");
	int	 tmps;

	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	put(file, "f");
	CU_ASSERT_EQUAL(out_write(sub, "x", 1, 0, 0, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "is a directory") != NULL);
	free(cause);
	cause = NULL;
	/* force never replaces a directory */
	CU_ASSERT_EQUAL(out_write(sub, "x", 1, 0, 1, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "is a directory") != NULL);
	free(cause);
	cause = NULL;

	CU_ASSERT_EQUAL(out_write(missing, "x", 1, 0, 0, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "does not exist") != NULL &&
	    strstr(cause, missing) != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_write(missing, "x", 1, 0, 1, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_write(under_file, "x", 1, 0, 1, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;

	CU_ASSERT_EQUAL(out_write("", "x", 1, 0, 0, &cause), ERR_USAGE);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_check(sub, 1, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;

	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 2);
	CU_ASSERT_EQUAL(tmps, 0);
	CU_ASSERT_EQUAL(count_entries(sub, &tmps), 0);
	free(missing);
	free(under_file);
	free(file);
	free(sub);
	rm_dir(dir);
}

static void
test_batch(void)
{
	char			*dir = new_dir(), *p[3], *cause = NULL;
	struct out_batch	*b;
	int			 tmps;

	for (int i = 0; i < 3; i++) {
		char	 name[32];

		snprintf(name, sizeof name, "f%d", i);
		p[i] = path_in(dir, name);
	}

	/*
	 * all or nothing: nothing visible before commit; the secret file
	 * (p[0]) is staged without a name where the file system allows,
	 * the others as hidden temporaries; the same without O_TMPFILE
	 */
	for (int named = 0; named < 2; named++) {
		int	 unnamed = !named && tmpfile_works(dir);

		no_tmpfile = named;
		b = out_batch_new(0);
		CU_ASSERT_EQUAL(out_batch_add(b, p[0], "zero", 4, 1, &cause),
		    0);
		CU_ASSERT_EQUAL(out_batch_add(b, p[1], "one", 3, 0, &cause),
		    0);
		CU_ASSERT_EQUAL(out_batch_add(b, p[2], "two", 3, 0, &cause),
		    0);
		CU_ASSERT_PTR_NULL(cause);
		for (int i = 0; i < 3; i++)
			CU_ASSERT(!exists(p[i]));
		CU_ASSERT_EQUAL(count_entries(dir, &tmps), 3 - unnamed);
		CU_ASSERT_EQUAL(tmps, 3 - unnamed);
		CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
		CU_ASSERT_PTR_NULL(cause);
		out_batch_free(b);
		no_tmpfile = 0;
		CU_ASSERT(holds(p[0], "zero") && holds(p[1], "one") &&
		    holds(p[2], "two"));
		CU_ASSERT_EQUAL(mode_of(p[0]), 0600);
		CU_ASSERT_EQUAL(mode_of(p[1]), 0644);
		CU_ASSERT_EQUAL(count_entries(dir, &tmps), 3);
		CU_ASSERT_EQUAL(tmps, 0);
		for (int i = 0; i < 3; i++)
			unlink(p[i]);
	}

	/* freed without commit: nothing placed, no temporaries left */
	b = out_batch_new(0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(out_batch_add(b, p[i], "x", 1,
		    i == 0, &cause), 0);
	out_batch_free(b);
	for (int i = 0; i < 3; i++)
		CU_ASSERT(!exists(p[i]));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 0);
	CU_ASSERT_EQUAL(tmps, 0);

	/* an empty batch commits and frees */
	b = out_batch_new(0);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	out_batch_free(b);
	out_batch_free(NULL);

	for (int i = 0; i < 3; i++)
		free(p[i]);
	rm_dir(dir);
}

/*
 * Synced ahead on a thread: the files are still unplaced until commit,
 * which waits for the thread; a batch freed instead leaves nothing; an
 * empty batch and a second call are no-ops.
 */
/* Two batches joined are placed as one; a path in both is refused. */
static void
test_batch_join(void)
{
	char			*dir = new_dir(), *a = path_in(dir, "a.crl");
	char			*pem = path_in(dir, "a.crl.pem"), *cause = NULL;
	struct out_batch	*b = out_batch_new(1), *c = out_batch_new(1);
	int			 tmps;

	CU_ASSERT_EQUAL(out_batch_add(b, a, "der", 3, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add(c, pem, "pem", 3, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_join(b, c, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_size(b), 2);
	CU_ASSERT_EQUAL(out_batch_size(c), 0);
	out_batch_free(c);		/* empty: removes nothing of b's */
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 2);
	CU_ASSERT_EQUAL(tmps, 2);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	out_batch_free(b);
	CU_ASSERT(holds(a, "der") && holds(pem, "pem"));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 2);
	CU_ASSERT_EQUAL(tmps, 0);
	b = out_batch_new(1);
	c = out_batch_new(1);
	CU_ASSERT_EQUAL(out_batch_add(b, a, "x", 1, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add(c, a, "y", 1, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_join(b, c, &cause), ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "named twice") != NULL);
	free(cause);
	out_batch_free(c);
	out_batch_free(b);
	CU_ASSERT(holds(a, "der"));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 2);
	CU_ASSERT_EQUAL(tmps, 0);
	unlink(a);
	unlink(pem);
	free(a);
	free(pem);
	rm_dir(dir);
}

static void
test_batch_sync_ahead(void)
{
	char			*dir = new_dir(), *p[2], *cause = NULL;
	struct out_batch	*b;
	int			 tmps;

	p[0] = path_in(dir, "key");
	p[1] = path_in(dir, "crt");
	b = out_batch_new(0);
	CU_ASSERT_EQUAL(out_batch_add(b, p[0], "secret", 6, 1, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add(b, p[1], "public", 6, 0, &cause), 0);
	out_batch_sync_begin(b);
	out_batch_sync_begin(b);
	CU_ASSERT(!exists(p[0]) && !exists(p[1]));
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	out_batch_free(b);
	CU_ASSERT(holds(p[0], "secret") && holds(p[1], "public"));
	CU_ASSERT_EQUAL(mode_of(p[0]), 0600);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 2);
	CU_ASSERT_EQUAL(tmps, 0);
	for (int i = 0; i < 2; i++)
		unlink(p[i]);

	b = out_batch_new(0);
	CU_ASSERT_EQUAL(out_batch_add(b, p[0], "secret", 6, 1, &cause), 0);
	out_batch_sync_begin(b);
	out_batch_free(b);
	CU_ASSERT(!exists(p[0]));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 0);

	b = out_batch_new(0);
	out_batch_sync_begin(b);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	out_batch_free(b);
	free(cause);
	for (int i = 0; i < 2; i++)
		free(p[i]);
	rm_dir(dir);
}

/*
 * A batch larger than the files it keeps open (deploy stages thousands):
 * the rest are closed as they are staged and made durable at commit with
 * syncfs; every file lands whole. out_batch_drop unstages the last ones.
 */
static void
test_batch_large(void)
{
	char			*dir = new_dir(), *p[40], *cause = NULL;
	char			 name[32], text[32];
	struct out_batch	*b = out_batch_new(0);
	int			 tmps, ok = 1, unnamed;

	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "f%02d", i);
		p[i] = path_in(dir, name);
		snprintf(text, sizeof text, "file %d", i);
		CU_ASSERT_EQUAL(out_batch_add(b, p[i], text, strlen(text),
		    i % 2, &cause), 0);
	}
	CU_ASSERT_EQUAL(out_batch_size(b), 40);
	/*
	 * the last ten, unstaged: their temporaries go at once; the secret
	 * ones among the first 16 (kept open) have no name
	 */
	out_batch_drop(b, 30);
	CU_ASSERT_EQUAL(out_batch_size(b), 30);
	unnamed = tmpfile_works(dir) ? 8 : 0;
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 30 - unnamed);
	CU_ASSERT_EQUAL(tmps, 30 - unnamed);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	out_batch_free(b);
	for (int i = 0; i < 40; i++) {
		snprintf(text, sizeof text, "file %d", i);
		if (i < 30)
			ok &= holds(p[i], text) &&
			    mode_of(p[i]) == (i % 2 ? 0600 : 0644);
		else
			ok &= !exists(p[i]);
		unlink(p[i]);
		free(p[i]);
	}
	CU_ASSERT(ok);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 0);
	rm_dir(dir);
}

/*
 * The second target appears between staging and commit: the first is taken
 * back.
 */
static void
test_batch_commit_fails(void)
{
	char			*dir = new_dir(), *p[3], *cause = NULL;
	struct out_batch	*b;
	int			 tmps;

	for (int i = 0; i < 3; i++) {
		char	 name[32];

		snprintf(name, sizeof name, "g%d.pem", i);
		p[i] = path_in(dir, name);
	}
	b = out_batch_new(0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(out_batch_add(b, p[i], "new", 3, 0, &cause), 0);
	put(p[1], "someone else's");
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, p[1]) != NULL &&
	    strstr(cause, "already exists") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT(!exists(p[0]));		/* placed, then removed again */
	CU_ASSERT(holds(p[1], "someone else's"));	/* untouched */
	CU_ASSERT(!exists(p[2]));		/* never placed */
	out_batch_free(b);
	CU_ASSERT(!exists(p[0]) && !exists(p[2]));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 1);
	CU_ASSERT_EQUAL(tmps, 0);
	unlink(p[1]);

	/*
	 * With force, a target that became a directory still fails the
	 * commit; the directory and its content survive and no temporary is
	 * left behind.
	 */
	b = out_batch_new(1);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(out_batch_add(b, p[i], "new", 3, 0, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(p[1], 0700), 0);
	{
		char	*inside = path_in(p[1], "keep");

		put(inside, "kept");
		CU_ASSERT_EQUAL(out_batch_commit(b, &cause), ERR_FAIL);
		CU_ASSERT(cause != NULL && strstr(cause, p[1]) != NULL);
		free(cause);
		cause = NULL;
		out_batch_free(b);
		CU_ASSERT(holds(inside, "kept"));
		CU_ASSERT(!exists(p[2]));
		unlink(inside);
		free(inside);
	}
	rmdir(p[1]);
	unlink(p[0]);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 0);
	CU_ASSERT_EQUAL(tmps, 0);
	for (int i = 0; i < 3; i++)
		free(p[i]);
	rm_dir(dir);
}

/*
 * With force, a commit that fails half-way must not leave a mix either:
 * "either all appear or none does" (out.h). Replacing a server's key and
 * then failing on its certificate would leave a key that does not match
 * the certificate beside it.
 */
static void
test_batch_force_fails(void)
{
	char			*dir = new_dir(), *p[3], *cause = NULL;
	struct out_batch	*b;
	int			 tmps;

	for (int i = 0; i < 3; i++) {
		char	 name[32];

		snprintf(name, sizeof name, "h%d.pem", i);
		p[i] = path_in(dir, name);
	}
	put(p[0], "old key");
	put(p[2], "old cert");
	b = out_batch_new(1);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(out_batch_add(b, p[i], "new", 3, 0, &cause), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(p[1], 0700), 0);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), ERR_FAIL);
	free(cause);
	out_batch_free(b);
	CU_ASSERT(holds(p[0], "old key"));
	CU_ASSERT(holds(p[2], "old cert"));
	rmdir(p[1]);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 2);
	CU_ASSERT_EQUAL(tmps, 0);
	for (int i = 0; i < 3; i++)
		free(p[i]);
	rm_dir(dir);
}

static void
test_batch_refusals(void)
{
	char			*dir = new_dir(), *a = path_in(dir, "a");
	char			*old = path_in(dir, "old"), *cause = NULL;
	struct out_batch	*b;
	int			 tmps;

	put(old, "old");
	b = out_batch_new(0);
	CU_ASSERT_EQUAL(out_batch_add(b, a, "1", 1, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add(b, a, "2", 1, 0, &cause), ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "twice") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_batch_add(b, old, "2", 1, 0, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "already exists") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_batch_add(b, dir, "2", 1, 0, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	/* the refusals left the staged file alone */
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	out_batch_free(b);
	CU_ASSERT(holds(a, "1"));
	CU_ASSERT(holds(old, "old"));
	unlink(a);

	/* twice is refused with force too */
	b = out_batch_new(1);
	CU_ASSERT_EQUAL(out_batch_add(b, old, "1", 1, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add(b, old, "2", 1, 0, &cause), ERR_USAGE);
	free(cause);
	cause = NULL;
	out_batch_free(b);
	CU_ASSERT(holds(old, "old"));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 1);
	CU_ASSERT_EQUAL(tmps, 0);
	free(a);
	free(old);
	rm_dir(dir);
}

/*
 * Files written ahead (out_prepare, on any thread) have no name until the
 * batch places them: nothing appears before the commit, a dropped one
 * leaves nothing, and many of them (the bulk path) land whole with their
 * modes; with force they replace what is there.
 */
static void
test_prepared(void)
{
	char			*dir = new_dir(), *p[40], *old, *cause = NULL;
	struct out_pending	*pf = NULL;
	struct out_batch	*b;
	int			 tmps;

	for (int i = 0; i < 40; i++) {
		char	 name[16];

		snprintf(name, sizeof name, "f%d", i);
		p[i] = path_in(dir, name);
	}
	b = out_batch_new(0);
	for (int i = 0; i < 40; i++) {
		CU_ASSERT_EQUAL(out_prepare(p[i], i % 2 ? "odd" : "even",
		    i % 2 ? 3 : 4, i == 0, 0, &pf, &cause), 0);
		if (i == 39) {
			out_pending_free(pf);	/* dropped before staging */
			continue;
		}
		CU_ASSERT_EQUAL(out_batch_add_pending(b, pf, &cause), 0);
	}
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 0);
	CU_ASSERT_EQUAL(tmps, 0);
	out_batch_drop(b, 30);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	out_batch_free(b);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 30);
	CU_ASSERT_EQUAL(tmps, 0);
	CU_ASSERT(holds(p[0], "even") && holds(p[29], "odd"));
	CU_ASSERT_EQUAL(mode_of(p[0]), 0600);
	CU_ASSERT_EQUAL(mode_of(p[1]), 0644);
	CU_ASSERT_EQUAL(access(p[30], F_OK), -1);

	/* existing: refused without force, replaced with it */
	old = p[1];
	CU_ASSERT_EQUAL(out_prepare(old, "new", 3, 0, 0, &pf, &cause),
	    ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "already exists") != NULL);
	free(cause);
	cause = NULL;
	b = out_batch_new(1);
	CU_ASSERT_EQUAL(out_prepare(old, "new", 3, 0, 1, &pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add_pending(b, pf, &cause), 0);
	/* twice is refused, and the refused one is freed */
	CU_ASSERT_EQUAL(out_prepare(old, "two", 3, 0, 1, &pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add_pending(b, pf, &cause), ERR_USAGE);
	free(cause);
	cause = NULL;
	CU_ASSERT(holds(old, "odd"));
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	out_batch_free(b);
	CU_ASSERT(holds(old, "new"));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 30);
	CU_ASSERT_EQUAL(tmps, 0);

	/* a batch freed without a commit leaves nothing */
	b = out_batch_new(0);
	CU_ASSERT_EQUAL(out_prepare(p[35], "x", 1, 0, 0, &pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add_pending(b, pf, &cause), 0);
	out_batch_free(b);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 30);
	CU_ASSERT_EQUAL(tmps, 0);
	free(cause);
	for (int i = 0; i < 40; i++) {
		unlink(p[i]);
		free(p[i]);
	}
	rm_dir(dir);
}

/*
 * Where there are no unnamed temporaries, out_prepare writes a named one
 * beside the file: the batch places it, a dropped one leaves nothing, and
 * force replaces what is there.
 */
static void
test_prepared_named(void)
{
	char			*dir = new_dir(), *p[4], *cause = NULL;
	struct out_pending	*pf = NULL;
	struct out_batch	*b;
	int			 tmps;

	no_tmpfile = 1;
	for (int i = 0; i < 4; i++) {
		char	 name[16];

		snprintf(name, sizeof name, "n%d", i);
		p[i] = path_in(dir, name);
	}
	b = out_batch_new(0);
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(out_prepare(p[i], "data", 4, i == 0, 0, &pf,
		    &cause), 0);
		if (i == 3) {
			out_pending_free(pf);	/* dropped before staging */
			continue;
		}
		CU_ASSERT_EQUAL(out_batch_add_pending(b, pf, &cause), 0);
	}
	/* the three staged ones are named temporaries until the commit */
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 3);
	CU_ASSERT_EQUAL(tmps, 3);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	out_batch_free(b);
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 3);
	CU_ASSERT_EQUAL(tmps, 0);
	CU_ASSERT(holds(p[0], "data") && holds(p[2], "data"));
	CU_ASSERT_EQUAL(mode_of(p[0]), 0600);
	CU_ASSERT_EQUAL(mode_of(p[1]), 0644);
	CU_ASSERT(!exists(p[3]));

	/* existing: refused without force, replaced with it */
	CU_ASSERT_EQUAL(out_prepare(p[1], "new", 3, 0, 0, &pf, &cause),
	    ERR_FAIL);
	free(cause);
	cause = NULL;
	b = out_batch_new(1);
	CU_ASSERT_EQUAL(out_prepare(p[1], "new", 3, 0, 1, &pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add_pending(b, pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	out_batch_free(b);
	CU_ASSERT(holds(p[1], "new"));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 3);
	CU_ASSERT_EQUAL(tmps, 0);
	CU_ASSERT_PTR_NULL(cause);
	no_tmpfile = 0;
	for (int i = 0; i < 4; i++) {
		unlink(p[i]);
		free(p[i]);
	}
	rm_dir(dir);
}

/*
 * An existing file: the message suggests --force only to commands that
 * have it (OUT_NO_FORCE: init --csr-out, install-cert), at the check and
 * at the commit, when the file appeared after the check.
 */
static void
test_force_hint(void)
{
	char			*dir = new_dir(), *p = path_in(dir, "x.csr");
	char			*late = path_in(dir, "late.crt"), *cause = NULL;
	struct out_batch	*b;

	put(p, "old");
	CU_ASSERT_EQUAL(out_check(p, 0, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "already exists (use "
	    "--force") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_check(p, OUT_NO_FORCE, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "already exists") != NULL &&
	    strstr(cause, "force") == NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_write(p, "new", 3, 0, OUT_NO_FORCE, &cause),
	    ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "force") == NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT(holds(p, "old"));

	b = out_batch_new(OUT_NO_FORCE);
	CU_ASSERT_EQUAL(out_batch_add(b, late, "new", 3, 0, &cause), 0);
	put(late, "raced");
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "already exists") != NULL &&
	    strstr(cause, "force") == NULL);
	free(cause);
	cause = NULL;
	out_batch_free(b);
	CU_ASSERT(holds(late, "raced"));
	b = out_batch_new(0);
	unlink(late);
	CU_ASSERT_EQUAL(out_batch_add(b, late, "new", 3, 0, &cause), 0);
	put(late, "raced");
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "use --force") != NULL);
	free(cause);
	out_batch_free(b);
	free(p);
	free(late);
	rm_dir(dir);
}

/*
 * A final name of NAME_MAX bytes: its temporary is a shorter name, not
 * one the file system refuses, whichever way the file is written.
 */
static void
test_long_names(void)
{
	char			 base[NAME_MAX + 1];
	char			*dir = new_dir(), *p, *cause = NULL;
	struct out_pending	*pf = NULL;
	struct out_batch	*b;
	int			 tmps;

	memset(base, 'n', NAME_MAX);
	base[NAME_MAX] = '\0';
	p = path_in(dir, base);
	CU_ASSERT_EQUAL(out_write(p, "one", 3, 1, 0, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT(holds(p, "one"));
	/* forced: the old file is kept under a temporary name meanwhile */
	CU_ASSERT_EQUAL(out_write(p, "two", 3, 0, 1, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT(holds(p, "two"));
	/* written ahead and linked over the old file through a temporary */
	b = out_batch_new(1);
	CU_ASSERT_EQUAL(out_prepare(p, "three", 5, 0, 1, &pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add_pending(b, pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	out_batch_free(b);
	CU_ASSERT(holds(p, "three"));
	/* and without O_TMPFILE, a named temporary */
	no_tmpfile = 1;
	b = out_batch_new(1);
	CU_ASSERT_EQUAL(out_prepare(p, "four", 4, 0, 1, &pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_add_pending(b, pf, &cause), 0);
	CU_ASSERT_EQUAL(out_batch_commit(b, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	out_batch_free(b);
	no_tmpfile = 0;
	CU_ASSERT(holds(p, "four"));
	CU_ASSERT_EQUAL(count_entries(dir, &tmps), 1);
	CU_ASSERT_EQUAL(tmps, 0);
	free(cause);
	free(p);
	rm_dir(dir);
}

static void
test_read(void)
{
	char		*dir = new_dir(), *p = path_in(dir, "r");
	char		*big = path_in(dir, "big"), *cause = NULL;
	char		*missing = path_in(dir, "missing");
	unsigned char	*data = NULL, *chunk;
	size_t		 len = 0;
	mode_t		 mode = 0;
	int		 same = 1;

	put(p, "hello");
	CU_ASSERT_EQUAL(out_read(p, 100, &data, &len, &cause), 0);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT(memcmp(data, "hello", 5) == 0);
	/* NUL-terminated, not counted */
	CU_ASSERT_EQUAL(data[5], '\0');
	CU_ASSERT_STRING_EQUAL((char *)data, "hello");
	free(data);
	data = NULL;

	/* exactly max is fine, one more byte is not */
	CU_ASSERT_EQUAL(out_read(p, 5, &data, &len, &cause), 0);
	CU_ASSERT(len == 5 && data != NULL && data[5] == '\0');
	free(data);
	data = NULL;
	CU_ASSERT_EQUAL(out_read(p, 4, &data, &len, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL &&
	    strstr(cause, "larger than 4 bytes") != NULL);
	CU_ASSERT_PTR_NULL(data);
	free(cause);
	cause = NULL;

	/* across the buffer's growth */
	chunk = xmalloc(10000);
	for (size_t i = 0; i < 10000; i++)
		chunk[i] = (unsigned char)(i * 7 + 1);
	CU_ASSERT_EQUAL(out_write(big, chunk, 10000, 0, 0, &cause), 0);
	CU_ASSERT_EQUAL(out_read(big, 10000, &data, &len, &cause), 0);
	CU_ASSERT_EQUAL(len, 10000);
	if (data != NULL && len == 10000) {
		same = memcmp(data, chunk, 10000) == 0;
		CU_ASSERT_EQUAL(data[10000], '\0');
	}
	CU_ASSERT(same);
	free(data);
	data = NULL;
	CU_ASSERT_EQUAL(out_read(big, 8192, &data, &len, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_read(big, 9999, &data, &len, &cause), ERR_FAIL);
	free(cause);
	cause = NULL;
	/* a device that never ends stops at max */
	CU_ASSERT_EQUAL(out_read("/dev/zero", 100000, &data, &len, &cause),
	    ERR_FAIL);
	CU_ASSERT(cause != NULL &&
	    strstr(cause, "/dev/zero: larger than 100000 bytes") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_PTR_NULL(data);
	/* out_read_file: a regular file, or nothing is read */
	CU_ASSERT_EQUAL(out_read_file("/dev/zero", 100000, &data, &len,
	    &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL &&
	    strstr(cause, "/dev/zero: not a regular file") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_PTR_NULL(data);
	CU_ASSERT_EQUAL(out_read_file("-", 100, &data, &len, &cause),
	    ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "standard input") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_PTR_NULL(data);
	CU_ASSERT_EQUAL(out_read_file(big, 10000, &data, &len, &cause), 0);
	CU_ASSERT_EQUAL(len, 10000);
	free(data);
	data = NULL;
	/* with the mode of the file read (out_write made it 0644) */
	CU_ASSERT_EQUAL(out_read_file_mode(big, 10000, &data, &len, &mode,
	    &cause), 0);
	CU_ASSERT(S_ISREG(mode) && (mode & 07777) == 0644);
	free(data);
	data = NULL;
	free(chunk);

	CU_ASSERT_EQUAL(out_read(dir, 100, &data, &len, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "is a directory") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_read(missing, 100, &data, &len, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, missing) != NULL);
	free(cause);
	CU_ASSERT_PTR_NULL(data);
	free(p);
	free(big);
	free(missing);
	rm_dir(dir);
}

/* A child that opens the FIFO for writing after delay_ms, writes text. */
static pid_t
late_writer(const char *fifo, int delay_ms, const char *text)
{
	pid_t	 pid = fork();
	int	 fd;

	if (pid != 0)
		return pid;
	usleep((useconds_t)delay_ms * 1000);
	if ((fd = open(fifo, O_WRONLY)) < 0)
		_exit(1);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		_exit(1);
	_exit(close(fd) == 0 ? 0 : 1);
}

/*
 * A FIFO is read to its writer's end, the writer coming after the open
 * (as with a shell's <(...) or a named pipe); out_read_file refuses one
 * at once, with no writer.
 */
static void
test_read_fifo(void)
{
	char		*dir = new_dir(), *p = path_in(dir, "fifo"),
	    *cause = NULL;
	unsigned char	*data = NULL;
	size_t		 len = 0;
	pid_t		 pid;
	int		 status = -1;

	CU_ASSERT_EQUAL_FATAL(mkfifo(p, 0600), 0);
	alarm(10);	/* a hang fails the test instead of the suite's run */
	CU_ASSERT_EQUAL(out_read_file(p, 100, &data, &len, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "not a regular file") != NULL
	    && strstr(cause, p) != NULL);
	free(cause);
	cause = NULL;

	pid = late_writer(p, 200, "through a pipe");
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(out_read(p, 100, &data, &len, &cause), 0);
	CU_ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	CU_ASSERT(len == 14 && data != NULL &&
	    strcmp((char *)data, "through a pipe") == 0);
	free(data);
	data = NULL;

	/* a writer that writes nothing: an empty file */
	pid = late_writer(p, 100, "");
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(out_read(p, 100, &data, &len, &cause), 0);
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(len == 0 && data != NULL && data[0] == '\0');
	free(data);
	data = NULL;

	/* more than max through the pipe */
	pid = late_writer(p, 0, "0123456789");
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(out_read(p, 5, &data, &len, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "larger than 5") != NULL);
	CU_ASSERT_PTR_NULL(data);
	waitpid(pid, &status, 0);
	free(cause);
	alarm(0);
	free(p);
	rm_dir(dir);
}

/* "-" is standard input. */
static void
test_read_stdin(void)
{
	char		*dir = new_dir(), *p = path_in(dir, "in"),
	    *cause = NULL;
	unsigned char	*data = NULL;
	size_t		 len = 0;
	int		 saved, fd;

	put(p, "from stdin");
	saved = dup(STDIN_FILENO);
	fd = open(p, O_RDONLY);
	CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	CU_ASSERT_EQUAL(out_read("-", 100, &data, &len, &cause), 0);
	dup2(saved, STDIN_FILENO);
	close(saved);
	CU_ASSERT(len == 10 && data != NULL &&
	    strcmp((char *)data, "from stdin") == 0);
	free(data);
	data = NULL;

	/* a device on standard input stops at max too */
	saved = dup(STDIN_FILENO);
	fd = open("/dev/zero", O_RDONLY);
	CU_ASSERT_FATAL(saved >= 0 && fd >= 0);
	dup2(fd, STDIN_FILENO);
	close(fd);
	CU_ASSERT_EQUAL(out_read("-", 100000, &data, &len, &cause), ERR_FAIL);
	dup2(saved, STDIN_FILENO);
	close(saved);
	CU_ASSERT(cause != NULL && strstr(cause, "larger than") != NULL);
	CU_ASSERT_PTR_NULL(data);
	free(cause);
	free(p);
	rm_dir(dir);
}

/* Friendly names: one plain line of UTF-8, 1 to 64 characters. */
static void
test_friendly_name(void)
{
	static const char *const good[] = {
		"fe01.lab.example", "Lync Front End (pool01)", "caf\xc3\xa9",
		"\xe6\x9d\xb1\xe4\xba\xac", "a",
		/* 64 characters, 128 bytes */
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9",
		NULL
	};
	static const char *const bad[] = {
		"", "a\nb", "a\rb", "a\tb", "\x1b[2J", "a\x7f", "a\xc2\x9b",
		"a\xe2\x80\xae", "a\xe2\x80\xa8", "caf\xe9", "\xc0\xaf",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe6\x9d",
		NULL
	};
	char	 long65[66], *cause = NULL;

	for (size_t i = 0; good[i] != NULL; i++) {
		CU_ASSERT_EQUAL(out_friendly_name(good[i], "--friendly-name",
		    &cause), 0);
		CU_ASSERT_PTR_NULL(cause);
	}
	for (size_t i = 0; bad[i] != NULL; i++) {
		CU_ASSERT_EQUAL(out_friendly_name(bad[i], "--friendly-name",
		    &cause), ERR_USAGE);
		CU_ASSERT(cause != NULL &&
		    strncmp(cause, "--friendly-name: ", 17) == 0 &&
		    strchr(cause, '\n') == NULL);
		free(cause);
		cause = NULL;
	}
	/* each kind of character by its own name */
	CU_ASSERT_EQUAL(out_friendly_name("a\xe2\x80\xae" "z", "n", &cause),
	    ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "n: a line separator, an "
	    "invisible or a bidirectional format character") != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_friendly_name("a\tb", "n", &cause), ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "n: a control character") !=
	    NULL);
	free(cause);
	cause = NULL;
	memset(long65, 'x', 65);
	long65[65] = '\0';
	CU_ASSERT_EQUAL(out_friendly_name(long65, "--friendly-name", &cause),
	    ERR_USAGE);
	CU_ASSERT(cause != NULL && strstr(cause, "at most 64") != NULL);
	free(cause);
	cause = NULL;
	long65[64] = '\0';
	CU_ASSERT_EQUAL(out_friendly_name(long65, "--friendly-name", &cause),
	    0);
}

/*
 * err.c, whose causes out.c sets: control characters in a message are
 * escaped where it is made, so that it stays one line, and escaping again
 * changes nothing.
 */
static void
test_err_escape(void)
{
	char	*e, *again, *cause = NULL;

	e = err_escape("no\nsuch\x1b[2J\t\r\x7f\xc2\x9b caf\xc3\xa9 a\\n");
	CU_ASSERT_STRING_EQUAL(e,
	    "no\\nsuch\\x1b[2J\\t\\r\\x7f\\xc2\\x9b caf\xc3\xa9 a\\n");
	again = err_escape(e);
	CU_ASSERT_STRING_EQUAL(again, e);
	free(again);
	free(e);
	/* U+202E, U+2066, U+FEFF: as their bytes; U+00E9 and U+2013 kept */
	e = err_escape("Evil\xe2\x80\xaetxt \xe2\x81\xa6\xef\xbb\xbf"
	    "\xc3\xa9\xe2\x80\x93");
	CU_ASSERT_STRING_EQUAL(e, "Evil\\xe2\\x80\\xaetxt \\xe2\\x81\\xa6"
	    "\\xef\\xbb\\xbf\xc3\xa9\xe2\x80\x93");
	again = err_escape(e);
	CU_ASSERT_STRING_EQUAL(again, e);
	free(again);
	free(e);
	CU_ASSERT_EQUAL(err_set(&cause, "%s: cannot open", "a\nb"),
	    ERR_FAIL);
	CU_ASSERT(cause != NULL && strcmp(cause, "a\\nb: cannot open") == 0);
	err_prefix(&cause, "%s: ", "\x1b]0;x\x07");
	CU_ASSERT(cause != NULL &&
	    strcmp(cause, "\\x1b]0;x\\x07: a\\nb: cannot open") == 0);
	free(cause);
}

static void
test_mkdir(void)
{
	char	*dir = new_dir(), *d = path_in(dir, "d"),
	    *f = path_in(dir, "f");
	char	*deep = path_in(dir, "no/such"), *cause = NULL;
	mode_t	 old = umask(022);

	CU_ASSERT_EQUAL(out_mkdir(d, 0700, &cause), 0);
	CU_ASSERT_EQUAL(mode_of(d), 0700);
	CU_ASSERT_EQUAL(out_mkdir(d, 0700, &cause), 0);	/* exists: fine */
	CU_ASSERT_PTR_NULL(cause);
	put(f, "x");
	CU_ASSERT_EQUAL(out_mkdir(f, 0700, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, f) != NULL);
	free(cause);
	cause = NULL;
	CU_ASSERT_EQUAL(out_mkdir(deep, 0700, &cause), ERR_FAIL);
	free(cause);
	umask(old);
	free(d);
	free(f);
	free(deep);
	rm_dir(dir);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "modes 0644/0600 whatever the umask", test_modes },
		{ "empty and binary files", test_empty_and_binary },
		{ "no replacing without force", test_no_replace },
		{ "symlinks are never written through", test_symlink },
		{ "directories and missing directories", test_refused_paths },
		{ "a batch: all or none, no temporaries", test_batch },
		{ "a batch of 40 files, 10 dropped", test_batch_large },
		{ "a batch synced ahead on a thread", test_batch_sync_ahead },
		{ "two batches joined", test_batch_join },
		{ "a commit that fails half-way", test_batch_commit_fails },
		{ "a forced commit that fails half-way",
		    test_batch_force_fails },
		{ "batch refusals", test_batch_refusals },
		{ "files written ahead, unnamed until placed", test_prepared },
		{ "files written ahead without O_TMPFILE",
		    test_prepared_named },
		{ "out_read", test_read },
		{ "out_read of standard input", test_read_stdin },
		{ "out_read of a FIFO", test_read_fifo },
		{ "out_mkdir", test_mkdir },
		{ "--force named only where it exists", test_force_hint },
		{ "temporaries of NAME_MAX-long names", test_long_names },
		{ "friendly names", test_friendly_name },
		CU_TEST_INFO_NULL
	};
	static const CU_TestInfo	 err_tests[] = {
		{ "control characters escaped", test_err_escape },
		CU_TEST_INFO_NULL
	};
	int				 rc;

	if (mkdtemp(top) == NULL)
		return 1;
	unit_suite("out", tests);
	unit_suite("err", err_tests);
	rc = unit_run();
	if (rmdir(top) != 0) {
		fprintf(stderr, "%s: not empty after the tests\n", top);
		rc = 1;
	}
	return rc;
}
