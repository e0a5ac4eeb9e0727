/*
 * PEM text (RFC 7468: base64 in 64-column lines between BEGIN and END
 * lines) of data given in pieces, produced in chunks, so that a large
 * object (a CRL of a million entries) is never held twice in memory.
 */
#ifndef ROLECA_PEM_H
#define ROLECA_PEM_H

#include <stddef.h>
#include <sys/uio.h>

struct pem_writer;

/* The PEM of the pieces' concatenation; they must outlive the writer. */
struct pem_writer *pem_writer_new(const char *label, const struct iovec *,
	    size_t n);
/*
 * The next chunk of text in *p, *len: 1, or 0 at the end. The chunk stays
 * valid until the next call. The signature is out_chunk_fn's.
 */
int	 pem_writer_next(void *writer, const void **p, size_t *len,
	    char **cause);
void	 pem_writer_free(struct pem_writer *);

#endif
