/*
 * Files in and out. Every output is written to a hidden temporary beside
 * its final name, fsync'ed, and only then linked (or, with force, renamed)
 * into place, so a reader never sees half a file and a crash leaves only a
 * temporary. Several files of one operation are staged together and placed
 * together: either all appear or none does.
 */
#ifndef ROLECA_OUT_H
#define ROLECA_OUT_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

struct out_batch;

/*
 * What "force" holds wherever it is taken: OUT_FORCE replaces existing
 * files; without it an existing file is refused, and the message suggests
 * --force unless OUT_NO_FORCE says the command has no such option. 0 and
 * 1 keep their old meanings.
 */
#define OUT_FORCE	0x1
#define OUT_NO_FORCE	0x2

struct out_batch *out_batch_new(int force);
/*
 * Stage data for path: refuses a directory, an existing path unless the
 * batch was made with force, and a path given twice. secret: mode 0600,
 * else 0644.
 */
int	 out_batch_add(struct out_batch *, const char *path, const void *data,
	    size_t len, int secret, char **cause);
/*
 * A file's content produced in chunks: 1 with the next chunk in *p, *len
 * (valid until the next call), 0 at the end, < 0 on failure with *cause.
 */
typedef int	(*out_chunk_fn)(void *arg, const void **p, size_t *len,
		    char **cause);
/* Stage what fn produces, as out_batch_add stages data. */
int	 out_batch_add_chunks(struct out_batch *, const char *path,
	    out_chunk_fn fn, void *arg, int secret, char **cause);
/* Stage the concatenation of n pieces. */
int	 out_batch_addv(struct out_batch *, const char *path,
	    const struct iovec *, size_t n, int secret, char **cause);
/*
 * A file written ahead, on any thread, for a batch to place: the same
 * checks as out_batch_add (force as the batch's), the data in an unnamed
 * temporary in path's directory (a named one where O_TMPFILE is missing).
 */
struct out_pending;
int	 out_prepare(const char *path, const void *data, size_t len,
	    int secret, int force, struct out_pending **, char **cause);
/* Stage it (the batch takes it over, also when this fails). */
int	 out_batch_add_pending(struct out_batch *, struct out_pending *,
	    char **cause);
void	 out_pending_free(struct out_pending *);
/* Check that path could be staged, without writing anything. */
int	 out_check(const char *path, int force, char **cause);
/*
 * Move every file staged in from (made with the same force) into b, to be
 * placed with b's; from is left empty. A path in both is an error.
 */
int	 out_batch_join(struct out_batch *, struct out_batch *from,
	    char **cause);
/* How many files are staged; out_batch_drop(b, n) unstages those after n. */
size_t	 out_batch_size(const struct out_batch *);
void	 out_batch_drop(struct out_batch *, size_t keep);
/*
 * Make the staged files durable now, on a thread, while the caller goes
 * on (records the certificate); the batch must not be touched again
 * before out_batch_commit() or out_batch_free(), which wait for it.
 */
void	 out_batch_sync_begin(struct out_batch *);
/* Place every staged file; on failure, remove the ones already placed. */
int	 out_batch_commit(struct out_batch *, char **cause);
/* Remove temporaries that were not placed, then free. */
void	 out_batch_free(struct out_batch *);

/* A batch of one. */
int	 out_write(const char *path, const void *data, size_t len, int secret,
	    int force, char **cause);

/*
 * Read a whole file ("-" is standard input): a regular file, a pipe or
 * FIFO (read to its writer's end, waiting for a writer as cat(1) does) or
 * a character device; a directory or a block device is refused, and so is
 * anything larger than max bytes. The buffer is NUL-terminated (not
 * counted in *len).
 */
int	 out_read(const char *path, size_t max, unsigned char **data,
	    size_t *len, char **cause);
/*
 * The same for a file that is read again by name (a libconfig file) or
 * that roleca keeps (the CA's files, deploy's outputs): a regular file,
 * never "-".
 */
int	 out_read_file(const char *path, size_t max, unsigned char **data,
	    size_t *len, char **cause);
/* out_read_file, with the mode of the very file that was read. */
int	 out_read_file_mode(const char *path, size_t max, unsigned char **data,
	    size_t *len, mode_t *mode, char **cause);

/*
 * A PKCS#12 friendly name given by the user: 1 to OUT_FRIENDLY_MAX
 * characters of UTF-8 without control characters, else a usage error
 * naming what (the option).
 */
#define OUT_FRIENDLY_MAX	64
int	 out_friendly_name(const char *name, const char *what, char **cause);

/* Create a directory with mode (0 if it exists as a directory). */
int	 out_mkdir(const char *path, mode_t mode, char **cause);
/*
 * Hold the directory path for one writer (flock(2) on the directory, no
 * file made): 0 with *fd to close when done, 1 when another holds it,
 * else an error.
 */
int	 out_lock_dir(const char *path, int *fd, char **cause);
/*
 * Remove the hidden temporaries (".NAME.tmp-XXXXXX": unplaced files, kept
 * copies of replaced ones) a killed run left in the directory path, those
 * unchanged for a minute. Only while holding a lock that keeps the other
 * writers of its files out.
 */
void	 out_sweep_temps(const char *path);

#endif
