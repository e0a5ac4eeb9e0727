/*
 * Atomic file output and bounded file input. A file is written under a
 * hidden temporary name in its final directory (so the rename cannot cross
 * file systems), a key, where the file system allows, into an unnamed one,
 * so that a crash leaves no partial copy of it. At commit every temporary
 * is made durable, then placed with a no-replace rename unless the caller
 * forces replacement, then each directory is fsync'ed once. A small batch
 * fsyncs its files one by one; a large one (deploy writes thousands)
 * closes them as it goes and flushes their file system once with
 * syncfs(2).
 *
 * out_prepare writes a file on any thread into an unnamed temporary
 * (O_TMPFILE) that a batch later links into place: no name exists until
 * then, so a crash leaves nothing behind, and the parent directory is not
 * locked while the inode is allocated (on ext4 without a journal that
 * allocation scans past recently deleted inodes, hundreds of microseconds
 * each, which a deployment's threads then share).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <poll.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "out.h"
#include "sig.h"
#include "util.h"

/* Temporaries kept open for fsync; past this, syncfs at commit. */
#define OUT_OPEN_MAX	16

struct out_file {
	char	*path;
	/* the temporary's name (unnamed: while replacing) */
	char	*tmp;
	/* a forced commit's hard link to the old file */
	char	*backup;
	int	 fd;		/* the temporary, open until made durable */
	int	 anon;		/* unnamed (O_TMPFILE): open until linked */
	int	 placed;
};

/* A file prepared by out_prepare: written, not yet in a batch. */
struct out_pending {
	struct out_file	 f;
};

struct out_batch {
	struct out_file	*v;
	size_t		 n;
	size_t		 open;	/* files with fd >= 0 */
	int		 flags;	/* OUT_FORCE, OUT_NO_FORCE */
	int		 force;
	/* out_batch_sync_begin: the files made durable on a thread */
	pthread_t	 syncer;
	/* the thread runs or has not been joined */
	int		 syncing;
	int		 synced;	/* make_durable is done */
	int		 sync_rc;
	char		*sync_cause;
	/* termination signals held (sig.h) from sync_begin or commit on */
	int		 held;
};

static char *
dir_of(const char *path)
{
	char	*copy = xstrdup(path), *d;

	d = xstrdup(dirname(copy));
	free(copy);
	return d;
}

/* An existing path, refused: --force is named when the command has one. */
static int
exists_error(const char *path, int force, char **cause)
{
	return err_set(cause, "%s: already exists%s", path,
	    (force & OUT_NO_FORCE) != 0 ? "" : " (use --force to replace it)");
}

/* What a path that is neither a file nor a directory is, for a message. */
static const char *
not_file_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a device";
}

int
out_check(const char *path, int force, char **cause)
{
	struct stat	 st;
	char		*dir;
	int		 rc = ERR_FAIL;

	if (*path == '\0')
		return err_usage(cause, "empty output path");
	if (lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return err_set(cause, "%s: is a directory", path);
		if ((force & OUT_FORCE) == 0)
			return exists_error(path, force, cause);
		/*
		 * A file is replaced by renaming a new one over it: a device,
		 * FIFO, socket or symbolic link there would be lost (root's
		 * --out /dev/null would leave a file in its place).
		 */
		if (!S_ISREG(st.st_mode))
			return err_set(cause, "%s: is %s, not a regular file; "
			    "only a file is replaced", path,
			    not_file_kind(st.st_mode));
	} else if (errno != ENOENT)
		return err_set(cause, "%s: %s", path, strerror(errno));
	dir = dir_of(path);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		rc = err_set(cause, "%s: directory %s does not exist", path,
		    dir);
	else if (access(dir, W_OK | X_OK) != 0)
		rc = err_set(cause, "%s: cannot write in %s: %s", path, dir,
		    strerror(errno));
	else
		rc = 0;
	free(dir);
	return rc;
}

struct out_batch *
out_batch_new(int force)
{
	struct out_batch	*b = xcalloc(1, sizeof *b);

	b->flags = force;
	b->force = (force & OUT_FORCE) != 0;
	return b;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const unsigned char	*p = data;
	ssize_t			 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * ".NAME.tmp-XXXXXX" beside path, for mkostemp(3): the final name shows
 * whose temporary it is, cut short so that the temporary's name is no
 * longer than NAME_MAX when the final one is (".tmp-XXXXXX" and the dot
 * take 12 bytes).
 */
#define TEMP_EXTRA	12

static char *
temp_name(const char *path)
{
	char	*copy = xstrdup(path), *dir = dir_of(path), *tmp;

	xasprintf(&tmp, "%s/.%.*s.tmp-XXXXXX", dir, NAME_MAX - TEMP_EXTRA,
	    basename(copy));
	free(copy);
	free(dir);
	return tmp;
}

/* Start the disk writing a large file's data while more is produced. */
#define OUT_WRITEBACK	(8 * 1024 * 1024)

/* The unnamed temporary's name in /proc, for linkat(2). */
static void
fd_path(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/*
 * An unnamed temporary (O_TMPFILE) in dir, or -1 where the file system
 * has none or there is no /proc to link it by.
 */
static int
open_anon(const char *dir, int secret)
{
	char	 proc[64];
	int	 fd;

	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC,
	    secret ? 0600 : 0644)) < 0)
		return -1;
	fd_path(proc, sizeof proc, fd);
	if (access(proc, F_OK) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A temporary for path, written from fn's chunks; *fdp open on it. With
 * anon set it is unnamed where the file system allows (*tmpp NULL, *anon
 * 1): a crash before it is linked leaves nothing, not even a key's
 * partial copy. Otherwise a named one beside path, its name in *tmpp.
 * Nothing is left behind on failure.
 */
static int
write_temp(const char *path, out_chunk_fn fn, void *arg, int secret,
    int *anon, char **tmpp, int *fdp, char **cause)
{
	const void	*chunk;
	size_t		 len;
	off_t		 done = 0, kicked = 0;
	char		*tmp = NULL, *dir = NULL;
	int		 fd = -1, rc = ERR_FAIL, got;

	if (*anon) {
		dir = dir_of(path);
		fd = open_anon(dir, secret);
		free(dir);
	}
	*anon = fd >= 0;
	if (fd < 0 && (fd = mkostemp(tmp = temp_name(path), O_CLOEXEC)) < 0) {
		rc = err_set(cause, "%s: cannot create: %s", path,
		    strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, secret ? 0600 : 0644) != 0) {
		rc = err_set(cause, "%s: write failed: %s", path,
		    strerror(errno));
		goto out;
	}
	while ((got = fn(arg, &chunk, &len, cause)) > 0) {
		/* in slices, the disk writing each while the next is copied */
		for (size_t at = 0, k; at < len; at += k) {
			k = len - at < OUT_WRITEBACK ? len - at : OUT_WRITEBACK;
			if (write_all(fd, (const char *)chunk + at, k) != 0) {
				rc = err_set(cause, "%s: write failed: %s",
				    path, strerror(errno));
				goto out;
			}
			done += (off_t)k;
			if (done - kicked >= OUT_WRITEBACK) {
				(void)sync_file_range(fd, kicked, done - kicked,
				    SYNC_FILE_RANGE_WRITE);
				kicked = done;
			}
		}
	}
	if (got < 0) {
		rc = got;
		goto out;
	}
	*tmpp = tmp;
	*fdp = fd;
	tmp = NULL;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	return rc;
}

int
out_batch_add_chunks(struct out_batch *b, const char *path, out_chunk_fn fn,
    void *arg, int secret, char **cause)
{
	char	*tmp = NULL;
	int	 fd = -1, rc = ERR_FAIL;
	/*
	 * A key is staged unnamed, so that a crash leaves no copy of it
	 * (placing one costs another fsync); other files, and keys past
	 * OUT_OPEN_MAX open files, under hidden names.
	 */
	int	 anon = secret && b->open < OUT_OPEN_MAX;

	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->v[i].path, path) == 0)
			return err_usage(cause, "%s: named twice for output",
			    path);
	TRY(out_check(path, b->flags, cause));
	TRY(write_temp(path, fn, arg, secret, &anon, &tmp, &fd, cause));
	if (b->open >= OUT_OPEN_MAX) {
		if (close(fd) != 0) {
			fd = -1;
			rc = err_set(cause, "%s: write failed: %s", path,
			    strerror(errno));
			goto out;
		}
		fd = -1;
	} else
		b->open++;
	b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
	b->v[b->n].path = xstrdup(path);
	b->v[b->n].tmp = tmp;
	b->v[b->n].fd = fd;
	b->v[b->n].placed = 0;
	b->v[b->n].backup = NULL;
	b->v[b->n].anon = anon;
	b->n++;
	tmp = NULL;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	return rc;
}

/* Pieces given in memory, one chunk each. */
struct pieces {
	const struct iovec	*v;
	size_t			 n;
	size_t			 next;
};

static int
next_piece(void *arg, const void **p, size_t *len, char **cause)
{
	struct pieces	*ps = arg;

	(void)cause;
	if (ps->next == ps->n)
		return 0;
	*p = ps->v[ps->next].iov_base;
	*len = ps->v[ps->next].iov_len;
	ps->next++;
	return 1;
}

int
out_batch_addv(struct out_batch *b, const char *path, const struct iovec *v,
    size_t n, int secret, char **cause)
{
	struct pieces	 ps = { v, n, 0 };

	return out_batch_add_chunks(b, path, next_piece, &ps, secret, cause);
}

int
out_batch_add(struct out_batch *b, const char *path, const void *data,
    size_t len, int secret, char **cause)
{
	struct iovec	 v = { (void *)(uintptr_t)data, len };

	return out_batch_addv(b, path, &v, 1, secret, cause);
}

int
out_prepare(const char *path, const void *data, size_t len, int secret,
    int force, struct out_pending **out, char **cause)
{
	struct iovec	 v = { (void *)(uintptr_t)data, len };
	struct pieces	 ps = { &v, 1, 0 };
	char		*tmp = NULL;
	int		 fd = -1, rc = ERR_FAIL, anon = 1;

	*out = NULL;
	TRY(out_check(path, force, cause));
	TRY(write_temp(path, next_piece, &ps, secret, &anon, &tmp, &fd,
	    cause));
	*out = xcalloc(1, sizeof **out);
	(*out)->f.path = xstrdup(path);
	(*out)->f.tmp = tmp;
	(*out)->f.fd = fd;
	(*out)->f.anon = anon;
	rc = 0;
out:
	return rc;
}

void
out_pending_free(struct out_pending *pf)
{
	if (pf == NULL)
		return;
	if (pf->f.fd >= 0)
		close(pf->f.fd);
	if (pf->f.tmp != NULL)
		unlink(pf->f.tmp);
	free(pf->f.tmp);
	free(pf->f.path);
	free(pf);
}

int
out_batch_add_pending(struct out_batch *b, struct out_pending *pf,
    char **cause)
{
	int	 rc = ERR_FAIL;

	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->v[i].path, pf->f.path) == 0) {
			rc = err_usage(cause, "%s: named twice for output",
			    pf->f.path);
			goto out;
		}
	b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
	b->v[b->n++] = pf->f;
	if (pf->f.fd >= 0)
		b->open++;
	free(pf);
	pf = NULL;
	rc = 0;
out:
	out_pending_free(pf);
	return rc;
}

/*
 * Link an unnamed temporary to its path. Without force an existing path
 * fails (EEXIST); with force it is replaced through a hidden name and a
 * rename, so the final name never goes missing.
 */
static int
place_anon(struct out_file *f, int force)
{
	char	 proc[64];

	fd_path(proc, sizeof proc, f->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, f->path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (!force || errno != EEXIST)
		return -1;
	for (int tries = 0; tries < 100; tries++) {
		unsigned char	 r[3];
		char		*x;

		free(f->tmp);
		f->tmp = temp_name(f->path);
		(void)getentropy(r, sizeof r);
		x = f->tmp + strlen(f->tmp) - 6;
		snprintf(x, 7, "%02x%02x%02x", r[0], r[1], r[2]);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, f->tmp,
		    AT_SYMLINK_FOLLOW) == 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	return rename(f->tmp, f->path);
}

/* rename without replacing; link+unlink where the file system lacks it. */
static int
place(const char *tmp, const char *path, int force)
{
	if (force)
		return rename(tmp, path);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -1;
	if (link(tmp, path) != 0)
		return -1;
	unlink(tmp);
	return 0;
}

/* The distinct directories of a batch's files, in order. */
static char **
batch_dirs(const struct out_batch *b, size_t *n)
{
	char	**v = xcalloc(b->n + 1, sizeof *v), *d;
	size_t	  k;

	*n = 0;
	for (size_t i = 0; i < b->n; i++) {
		d = dir_of(b->v[i].path);
		for (k = 0; k < *n && strcmp(v[k], d) != 0; k++)
			continue;
		if (k < *n)
			free(d);
		else
			v[(*n)++] = d;
	}
	return v;
}

static void
dirs_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* fsync (or with fs, syncfs) a directory; -1 with errno on failure. */
static int
sync_dir(const char *dir, int fs)
{
	int	 fd, ret, e;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	ret = fs ? syncfs(fd) : fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return ret;
}

/*
 * Every temporary's data on disk before any is placed: fsync the open
 * ones, or with many files syncfs their file systems once. Named
 * temporaries are closed; unnamed ones stay open until linked.
 */
static int
make_durable(struct out_batch *b, char **dirs, size_t ndirs, int bulk,
    char **cause)
{
	int	 closed = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct out_file	*f = &b->v[i];
		int		 ret = 0;

		if (f->fd < 0) {
			closed = 1;
			continue;
		}
		if (!bulk)
			ret = fsync(f->fd);
		if (!f->anon) {
			if (close(f->fd) != 0)
				ret = -1;
			f->fd = -1;
			b->open--;
		}
		if (ret != 0)
			return err_set(cause, "%s: write failed: %s", f->path,
			    strerror(errno));
	}
	for (size_t i = 0; (closed || bulk) && i < ndirs; i++)
		if (sync_dir(dirs[i], 1) != 0)
			return err_set(cause, "%s: write failed: %s", dirs[i],
			    strerror(errno));
	return 0;
}

static void *
sync_run(void *arg)
{
	struct out_batch	*b = arg;
	char			**dirs;
	size_t			  ndirs;

	dirs = batch_dirs(b, &ndirs);
	b->sync_rc = make_durable(b, dirs, ndirs, b->n > OUT_OPEN_MAX,
	    &b->sync_cause);
	dirs_free(dirs, ndirs);
	return NULL;
}

/*
 * Start making the staged files durable on a thread of their own, so the
 * syncs overlap what the caller does before out_batch_commit() (commit
 * the database record: its own sync). Without a thread, commit does it.
 */
/*
 * Hold the termination signals from here to the end of the commit: what
 * the caller commits meanwhile (the record of these files) and their
 * placing are not cut apart by an interrupt.
 */
static void
batch_hold(struct out_batch *b)
{
	if (b->held)
		return;
	sig_hold();
	b->held = 1;
}

static void
batch_release(struct out_batch *b)
{
	if (!b->held)
		return;
	b->held = 0;
	sig_release();
}

void
out_batch_sync_begin(struct out_batch *b)
{
	if (b->n > 0)
		batch_hold(b);
	if (b->syncing || b->synced || b->n == 0)
		return;
	if (pthread_create(&b->syncer, NULL, sync_run, b) == 0)
		b->syncing = 1;
}

/* Wait for the syncing thread; its result in sync_rc, sync_cause. */
static int
sync_join(struct out_batch *b)
{
	if (!b->syncing)
		return 0;
	pthread_join(b->syncer, NULL);
	b->syncing = 0;
	b->synced = 1;
	return b->sync_rc;
}

/*
 * Before a forced replace, keep the old file under a hidden name (a hard
 * link: the final name never goes missing), so a failed commit can put
 * it back. The link is made straight to a random name: it needs no inode
 * of its own, so a file system out of inodes, where the new files were
 * already staged, can still keep it.
 */
static int
keep_old(struct out_file *f)
{
	static const char	 chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char		 r[6];
	struct stat		 st;
	size_t			 len;

	if (lstat(f->path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	f->backup = temp_name(f->path);
	len = strlen(f->backup);
	for (int tries = 0; tries < 100; tries++) {
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
			break;
		for (size_t i = 0; i < sizeof r; i++)
			f->backup[len - sizeof r + i] =
			    chars[r[i] % (sizeof chars - 1)];
		if (link(f->path, f->backup) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	free(f->backup);
	f->backup = NULL;
	return -1;
}

int
out_batch_commit(struct out_batch *b, char **cause)
{
	char	**dirs;
	size_t	  ndirs;
	int	  rc = ERR_FAIL, anon = 0, bulk = b->n > OUT_OPEN_MAX, ret;

	batch_hold(b);
	dirs = batch_dirs(b, &ndirs);
	if (sync_join(b) != 0) {
		rc = b->sync_rc;
		*cause = b->sync_cause;
		b->sync_cause = NULL;
		goto out;
	}
	if (!b->synced)
		TRY(make_durable(b, dirs, ndirs, bulk, cause));
	for (size_t i = 0; i < b->n; i++) {
		struct out_file	*f = &b->v[i];

		if (b->force && keep_old(f) != 0) {
			rc = err_set(cause, "%s: cannot keep the old file "
			    "while replacing it: %s", f->path, strerror(errno));
			goto out;
		}
		if (f->anon) {
			anon = 1;
			ret = place_anon(f, b->force);
		} else
			ret = place(f->tmp, f->path, b->force);
		if (ret != 0) {
			if (errno == EEXIST)
				rc = exists_error(f->path, b->flags, cause);
			else
				rc = err_set(cause, "%s: %s", f->path,
				    strerror(errno));
			goto out;
		}
		f->placed = 1;
	}
	/*
	 * The files are in place; a failure to sync the names is not undone.
	 * A linked inode's new link count is in the inode, not in the
	 * directory: with unnamed temporaries the file system is synced.
	 */
	for (size_t i = 0; i < ndirs; i++)
		(void)sync_dir(dirs[i], anon && bulk);
	for (size_t i = 0; anon && !bulk && i < b->n; i++)
		if (b->v[i].anon)
			(void)fsync(b->v[i].fd);
	rc = 0;
out:
	dirs_free(dirs, ndirs);
	for (size_t i = 0; i < b->n; i++) {
		struct out_file	*f = &b->v[i];

		if (rc != 0 && f->placed) {
			/* put back what was there, or remove what was not */
			if (f->backup != NULL)
				rename(f->backup, f->path);
			else
				unlink(f->path);
			f->placed = 0;
		}
		if (f->backup != NULL) {
			unlink(f->backup);
			free(f->backup);
			f->backup = NULL;
		}
		if (f->anon && f->fd >= 0) {
			close(f->fd);	/* linked, or gone with it */
			f->fd = -1;
			b->open--;
		}
	}
	/* a signal that came meanwhile ends the process now */
	batch_release(b);
	return rc;
}

int
out_batch_join(struct out_batch *b, struct out_batch *from, char **cause)
{
	for (size_t i = 0; i < from->n; i++)
		for (size_t j = 0; j < b->n; j++)
			if (strcmp(b->v[j].path, from->v[i].path) == 0)
				return err_usage(cause, "%s: named twice for "
				    "output", from->v[i].path);
	if (sync_join(b) != 0 || sync_join(from) != 0 ||
	    b->force != from->force)
		return err_set(cause, "joining output batches: they differ");
	b->v = xreallocarray(b->v, b->n + from->n + 1, sizeof *b->v);
	memcpy(b->v + b->n, from->v, from->n * sizeof *from->v);
	b->n += from->n;
	b->open += from->open;
	b->synced = 0;
	from->n = 0;
	from->open = 0;
	return 0;
}

size_t
out_batch_size(const struct out_batch *b)
{
	return b->n;
}

void
out_batch_drop(struct out_batch *b, size_t keep)
{
	while (b->n > keep) {
		struct out_file	*f = &b->v[--b->n];

		if (f->fd >= 0) {
			close(f->fd);
			b->open--;
		}
		if (f->tmp != NULL)
			unlink(f->tmp);
		free(f->tmp);
		free(f->backup);
		free(f->path);
	}
}

void
out_batch_free(struct out_batch *b)
{
	if (b == NULL)
		return;
	(void)sync_join(b);
	free(b->sync_cause);
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i].fd >= 0)
			close(b->v[i].fd);
		if (!b->v[i].placed && b->v[i].tmp != NULL)
			unlink(b->v[i].tmp);
		free(b->v[i].tmp);
		free(b->v[i].backup);
		free(b->v[i].path);
	}
	free(b->v);
	batch_release(b);
	free(b);
}

int
out_write(const char *path, const void *data, size_t len, int secret,
    int force, char **cause)
{
	struct out_batch	*b = out_batch_new(force);
	int			 rc = ERR_FAIL;

	TRY(out_batch_add(b, path, data, len, secret, cause));
	TRY(out_batch_commit(b, cause));
	rc = 0;
out:
	out_batch_free(b);
	return rc;
}

/*
 * Read fd to its end, at most max bytes. A FIFO stays open with
 * O_NONBLOCK and is polled before each read: a read with no writer yet
 * would be its end, and Linux's poll() waits for a first writer instead
 * of reporting a hang-up. Anything else is read blocking.
 */
static int
read_all(int fd, int fifo, const char *path, size_t max,
    unsigned char **data, size_t *len, char **cause)
{
	unsigned char	*buf = NULL;
	size_t		 size = 0, used = 0;
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	ssize_t		 n;
	int		 rc = ERR_FAIL;

	for (;;) {
		if (used == size) {
			size_t		 grow = size == 0 ? 4096 : size * 2;
			unsigned char	*bigger;

			if (size > max)
				break;
			/* copy, then wipe the old buffer: it may hold a key */
			bigger = xmalloc(grow + 1);
			if (buf != NULL) {
				memcpy(bigger, buf, used);
				wipe_free(buf, size + 1);
			}
			buf = bigger;
			size = grow;
		}
		if (fifo) {
			if (poll(&pfd, 1, -1) < 0) {
				if (errno == EINTR)
					continue;
				rc = err_set(cause, "%s: poll: %s", path,
				    strerror(errno));
				goto out;
			}
			if (pfd.revents & (POLLERR | POLLNVAL)) {
				rc = err_set(cause, "%s: read failed", path);
				goto out;
			}
		}
		n = read(fd, buf + used, size - used);
		if (n < 0 && (errno == EINTR || (fifo && (errno == EAGAIN ||
		    errno == EWOULDBLOCK))))
			continue;
		if (n < 0) {
			rc = err_set(cause, "%s: read failed: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max)
			break;
	}
	if (used > max) {
		rc = err_set(cause, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	buf = NULL;
	rc = 0;
out:
	if (buf != NULL)
		wipe_free(buf, size + 1);
	return rc;
}

static int
read_path(const char *path, int regular, size_t max, unsigned char **data,
    size_t *len, mode_t *mode, char **cause)
{
	struct stat	 st;
	int		 fd = -1, rc = ERR_FAIL;

	/* "-" is standard input; O_NONBLOCK: a FIFO's open does not wait */
	if (strcmp(path, "-") == 0) {
		if (regular) {
			rc = err_set(cause, "'-': standard input cannot be "
			    "used here (the file is read by name)");
			goto out;
		}
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) < 0) {
		rc = err_set(cause, "%s: cannot open: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		rc = err_set(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = err_set(cause, "%s: is a directory", path);
		goto out;
	}
	if (S_ISBLK(st.st_mode) || (regular && !S_ISREG(st.st_mode))) {
		rc = err_set(cause, "%s: not a regular file", path);
		goto out;
	}
	/*
	 * a device reads blocking: one without poll() would spin (a regular
	 * file ignores O_NONBLOCK)
	 */
	if (fd != STDIN_FILENO && S_ISCHR(st.st_mode) &&
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		rc = err_set(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	TRY(read_all(fd, S_ISFIFO(st.st_mode), path, max, data, len,
	    cause));
	if (mode != NULL)
		*mode = st.st_mode;
	rc = 0;
out:
	if (fd > STDIN_FILENO)
		close(fd);
	return rc;
}

int
out_read(const char *path, size_t max, unsigned char **data, size_t *len,
    char **cause)
{
	return read_path(path, 0, max, data, len, NULL, cause);
}

int
out_read_file(const char *path, size_t max, unsigned char **data,
    size_t *len, char **cause)
{
	return read_path(path, 1, max, data, len, NULL, cause);
}

int
out_read_file_mode(const char *path, size_t max, unsigned char **data,
    size_t *len, mode_t *mode, char **cause)
{
	return read_path(path, 1, max, data, len, mode, cause);
}

int
out_mkdir(const char *path, mode_t mode, char **cause)
{
	struct stat	 st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		return err_set(cause, "%s: exists and is not a directory",
		    path);
	return err_set(cause, "%s: cannot create directory: %s", path,
	    strerror(errno));
}

int
out_lock_dir(const char *path, int *fd, char **cause)
{
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return err_set(cause, "%s: %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK) {
		close(*fd);
		*fd = -1;
		return 1;
	}
	err_set(cause, "%s: cannot lock: %s", path, strerror(errno));
	close(*fd);
	*fd = -1;
	return ERR_FAIL;
}

/*
 * A temporary unchanged this long is no live run's (one being written, or
 * waiting for its batch's commit, is seconds old at most).
 */
#define OUT_TEMP_STALE	60

/* Is name one of temp_name()'s, ".NAME.tmp-XXXXXX"? */
static int
is_temp_name(const char *name)
{
	static const char	 tail[] = ".tmp-XXXXXX";
	const size_t		 tlen = sizeof tail - 1, xs = 6;
	size_t			 n = strlen(name);

	if (n < tlen + 2 || name[0] != '.' ||
	    memcmp(name + n - tlen, tail, tlen - xs) != 0)
		return 0;
	for (size_t i = n - xs; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return 1;
}

void
out_sweep_temps(const char *path)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	time_t		 now = time(NULL);

	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (is_temp_name(e->d_name) && fstatat(dirfd(d), e->d_name,
		    &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_mtime < now - OUT_TEMP_STALE)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/*
 * The bound: the name stands for the subject CN, which RFC 5280 limits
 * to 64 characters (ub-common-name), and the CN is the default friendly
 * name, so every default fits; Windows shows it on one line in a list.
 */
int
out_friendly_name(const char *name, const char *what, char **cause)
{
	size_t	 chars;

	if (*name == '\0')
		return err_usage(cause, "%s: empty", what);
	if (!utf8_valid(name, strlen(name)))
		return err_usage(cause, "%s: not valid UTF-8", what);
	if (has_control(name))
		return err_usage(cause, "%s: a control character (a name is "
		    "one plain line)", what);
	/* it could make a name in a certificate store read as another */
	if (has_format_char(name))
		return err_usage(cause, "%s: a line separator, an invisible "
		    "or a bidirectional format character (a name is one plain "
		    "line)", what);
	if ((chars = utf8_chars(name)) > OUT_FRIENDLY_MAX)
		return err_usage(cause, "%s: %zu characters, at most %d", what,
		    chars, OUT_FRIENDLY_MAX);
	return 0;
}
