/*
 * An LD_PRELOAD hook for the key tests: every block handed to free() is
 * searched for an unencrypted PEM private key and for the secret named by
 * FREECHECK_SECRET. A hit is appended to the file FREECHECK_LOG, so a test
 * can see that roleca left key material in memory it gave back unwiped.
 * It calls glibc's own free afterwards and changes nothing else.
 *
 * The secret is not looked for in blocks GnuTLS frees itself: GnuTLS 3.7
 * frees its normalized copies of a PKCS#12 or PKCS#8 passphrase unwiped
 * (gnutls_utf8_password_normalize), which no caller can change.
 *
 *	cc -shared -fPIC -o freecheck.so freecheck.c
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void	__libc_free(void *);

static void
report(const char *what)
{
	const char	*log = getenv("FREECHECK_LOG");
	int		 fd;

	if (log == NULL ||
	    (fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) < 0)
		return;
	(void)!write(fd, what, strlen(what));
	(void)!write(fd, "\n", 1);
	close(fd);
}

/* Was free called from inside GnuTLS? */
static int
from_gnutls(void *caller)
{
	Dl_info	 info;

	return dladdr(caller, &info) != 0 && info.dli_fname != NULL &&
	    strstr(info.dli_fname, "libgnutls") != NULL;
}

void
free(void *p)
{
	static const char	 pem[] = "-----BEGIN PRIVATE KEY-----";
	const char		*secret;
	size_t			 n;

	if (p != NULL) {
		n = malloc_usable_size(p);
		if (memmem(p, n, pem, sizeof pem - 1) != NULL)
			report("a PEM private key");
		if ((secret = getenv("FREECHECK_SECRET")) != NULL &&
		    *secret != '\0' &&
		    memmem(p, n, secret, strlen(secret)) != NULL &&
		    !from_gnutls(__builtin_return_address(0)))
			report("the secret");
	}
	__libc_free(p);
}
