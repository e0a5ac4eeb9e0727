/*
 * A TLS client that only wants to see the server's chain, and an HTTP/1.0
 * client that only fetches CRLs. Both connect with a timeout to every
 * address the name resolves to, in order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "err.h"
#include "live.h"
#include "util.h"
#include "x509.h"

/* "host:port" or "[v6]:port" into its parts (allocated). */
static int
split_hostport(const char *hp, const char *defport, char **host, char **port,
    char **cause)
{
	const char	*colon, *end, *h, *pt;
	size_t		 hlen;

	*host = *port = NULL;
	if (hp[0] == '[') {
		if ((end = strchr(hp, ']')) == NULL ||
		    (end[1] != '\0' && end[1] != ':'))
			return err_usage(cause, "bad address '%s'", hp);
		h = hp + 1;
		hlen = (size_t)(end - h);
		pt = end[1] == ':' ? end + 2 : defport;
	} else if ((colon = strrchr(hp, ':')) != NULL) {
		h = hp;
		hlen = (size_t)(colon - hp);
		pt = colon + 1;
	} else {
		h = hp;
		hlen = strlen(hp);
		pt = defport;
	}
	if (pt == NULL)
		return err_usage(cause, "'%s': give HOST:PORT", hp);
	if (hlen == 0 || *pt == '\0')
		return err_usage(cause, "bad address '%s'", hp);
	/* a number is a port, 1 to 65535 (getaddrinfo would wrap it) */
	if (strspn(pt, "0123456789") == strlen(pt) &&
	    (strlen(pt) > 5 || atoi(pt) < 1 || atoi(pt) > 65535))
		return err_usage(cause, "'%s': port %s is not 1 to 65535", hp,
		    pt);
	*host = xstrndup(h, hlen);
	*port = xstrdup(pt);
	return 0;
}

/* Is s an IPv4 or IPv6 address, as text? */
static int
ip_literal(const char *s)
{
	unsigned char	 b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/*
 * One deadline for a whole exchange (connect, handshake or request, every
 * read): a server that trickles a byte at a time cannot hold check longer.
 */
struct deadline {
	struct timespec	 at;
	int		 ms;		/* the whole budget, for messages */
};

static void
deadline_start(struct deadline *d, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, &d->at);
	d->at.tv_sec += ms / 1000;
	d->at.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (d->at.tv_nsec >= 1000000000L) {
		d->at.tv_sec++;
		d->at.tv_nsec -= 1000000000L;
	}
	d->ms = ms;
}

/* Milliseconds left, 0 when the deadline has passed. */
static int
deadline_left(const struct deadline *d)
{
	struct timespec	 now;
	long long	 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(d->at.tv_sec - now.tv_sec) * 1000 +
	    (d->at.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Wait until fd can be read before the deadline: 1, 0 timed out, -1. */
static int
wait_readable(int fd, const struct deadline *d)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	int		 left, ret;

	for (;;) {
		if ((left = deadline_left(d)) == 0)
			return 0;
		ret = poll(&pfd, 1, left);
		if (ret >= 0 || errno != EINTR)
			return ret > 0 ? 1 : ret;
	}
}

int
live_peer_name(const char *hostport, const char *servername, char **name,
    char **cause)
{
	char	*host = NULL, *port = NULL;
	int	 rc;

	if ((rc = split_hostport(hostport, NULL, &host, &port, cause)) != 0)
		return rc;
	*name = servername != NULL ? xstrdup(servername) : host;
	if (servername != NULL)
		free(host);
	free(port);
	return 0;
}

static int
connect_one(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd	 pfd;
	socklen_t	 len = sizeof(int);
	int		 fd, flags, soerr = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd < 0)
		return -1;
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, timeout_ms) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 ||
		    soerr != 0) {
			errno = soerr != 0 ? soerr : ETIMEDOUT;
			goto fail;
		}
	}
	fcntl(fd, F_SETFL, flags);
	return fd;
fail:
	close(fd);
	return -1;
}

static int
dial(const char *host, const char *port, const struct deadline *d, int *out,
    char **cause)
{
	struct addrinfo	 hints, *res = NULL;
	struct timeval	 tv = { d->ms / 1000, (d->ms % 1000) * 1000 };
	int		 ret, fd = -1;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((ret = getaddrinfo(host, port, &hints, &res)) != 0)
		return err_set(cause, "%s: %s", host, gai_strerror(ret));
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, deadline_left(d));
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(cause, "connect to %s port %s: %s", host, port,
		    strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	*out = fd;
	return 0;
}

static int
copy_chain(gnutls_session_t s, gnutls_x509_crt_t **chain, size_t *n,
    char **cause)
{
	const gnutls_datum_t	*peers;
	unsigned		 count = 0;
	gnutls_x509_crt_t	*list;
	int			 ret;

	peers = gnutls_certificate_get_peers(s, &count);
	if (peers == NULL || count == 0)
		return err_set(cause, "the server sent no certificate");
	list = gnutls_calloc(count, sizeof *list);
	if (list == NULL)
		return err_set(cause, "out of memory");
	for (unsigned i = 0; i < count; i++) {
		if ((ret = gnutls_x509_crt_init(&list[i])) < 0 ||
		    (ret = gnutls_x509_crt_import(list[i], &peers[i],
		    GNUTLS_X509_FMT_DER)) < 0) {
			for (unsigned j = 0; j <= i; j++)
				if (list[j] != NULL)
					gnutls_x509_crt_deinit(list[j]);
			gnutls_free(list);
			return err_set(cause, "server certificate %u: %s", i,
			    gnutls_strerror(ret));
		}
	}
	*chain = list;
	*n = count;
	return 0;
}

/*
 * The handshake's socket, read only before the exchange's deadline; the
 * server's chain, copied as soon as it is presented.
 */
struct tls_io {
	int			 fd;
	const struct deadline	*d;
	gnutls_x509_crt_t	*chain;
	size_t			 n;
	char			*cause;
};

/*
 * Where a client verifies the server: keep its chain, so that a server
 * that goes on to refuse the handshake (it wants a client certificate,
 * as for mutual TLS) is judged all the same.
 */
static int
tls_keep_chain(gnutls_session_t s)
{
	struct tls_io	*io = gnutls_session_get_ptr(s);

	if (io->chain == NULL && io->cause == NULL)
		copy_chain(s, &io->chain, &io->n, &io->cause);
	return 0;
}

static ssize_t
tls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t n)
{
	struct tls_io	*io = ptr;
	int		 w = wait_readable(io->fd, io->d);

	if (w <= 0) {
		if (w == 0)
			errno = ETIMEDOUT;
		return -1;
	}
	return recv(io->fd, buf, n, 0);
}

static int
tls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned ms)
{
	struct tls_io	*io = ptr;
	struct pollfd	 pfd = { io->fd, POLLIN, 0 };
	int		 left = deadline_left(io->d);

	if (ms != GNUTLS_INDEFINITE_TIMEOUT && (int)ms < left)
		left = (int)ms;
	return poll(&pfd, 1, left);
}

static ssize_t
tls_push(gnutls_transport_ptr_t ptr, const void *buf, size_t n)
{
	struct tls_io	*io = ptr;

	return send(io->fd, buf, n, MSG_NOSIGNAL);
}

int
live_tls_chain(const char *hostport, const char *servername, int timeout_ms,
    gnutls_x509_crt_t **chain, size_t *n, char **cause)
{
	gnutls_session_t			 s = NULL;
	gnutls_certificate_credentials_t	 cred = NULL;
	struct deadline				 d;
	struct tls_io				 io;
	char					*host = NULL, *port = NULL;
	const char				*sni;
	int					 rc = ERR_FAIL, ret, fd = -1;

	memset(&io, 0, sizeof io);
	deadline_start(&d, timeout_ms);
	TRY(split_hostport(hostport, NULL, &host, &port, cause));
	sni = servername != NULL ? servername : host;
	TRY(dial(host, port, &d, &fd, cause));
	if ((ret = gnutls_certificate_allocate_credentials(&cred)) < 0 ||
	    (ret = gnutls_init(&s, GNUTLS_CLIENT)) < 0 ||
	    (ret = gnutls_set_default_priority(s)) < 0 ||
	    (ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    cred)) < 0 ||
	    /* no SNI for an address: RFC 6066 3 names hosts only */
	    (!ip_literal(sni) && (ret = gnutls_server_name_set(s,
	    GNUTLS_NAME_DNS, sni, strlen(sni))) < 0)) {
		rc = err_set(cause, "TLS: %s", gnutls_strerror(ret));
		goto out;
	}
	io.fd = fd;
	io.d = &d;
	gnutls_session_set_ptr(s, &io);
	gnutls_session_set_verify_function(s, tls_keep_chain);
	gnutls_transport_set_ptr(s, &io);
	gnutls_transport_set_pull_function(s, tls_pull);
	gnutls_transport_set_pull_timeout_function(s, tls_pull_timeout);
	gnutls_transport_set_push_function(s, tls_push);
	gnutls_handshake_set_timeout(s, (unsigned)timeout_ms);
	do {
		ret = gnutls_handshake(s);
	} while (ret < 0 && gnutls_error_is_fatal(ret) == 0 &&
	    deadline_left(&d) > 0);
	if (io.cause != NULL) {
		rc = err_set(cause, "%s", io.cause);
		goto out;
	}
	if (ret < 0 && io.chain == NULL && deadline_left(&d) == 0) {
		rc = err_set(cause, "TLS handshake with %s: timed out after "
		    "%d s", hostport, timeout_ms / 1000);
		goto out;
	}
	if (ret < 0 && io.chain == NULL) {
		rc = err_set(cause, "TLS handshake with %s: %s", hostport,
		    gnutls_strerror(ret));
		goto out;
	}
	if (io.chain == NULL)
		TRY(copy_chain(s, &io.chain, &io.n, cause));
	if (ret == 0)
		gnutls_bye(s, GNUTLS_SHUT_WR);
	*chain = io.chain;
	*n = io.n;
	io.chain = NULL;
	rc = 0;
out:
	x509_free_certs(io.chain, io.n);
	free(io.cause);
	if (s != NULL)
		gnutls_deinit(s);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	if (fd >= 0)
		close(fd);
	free(host);
	free(port);
	return rc;
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
live_http_get(const char *url, size_t max, int timeout_ms,
    unsigned char **body, size_t *len, char **cause)
{
	const char	*hp, *path;
	char		*host = NULL, *port = NULL, *hostport = NULL,
	    *req = NULL;
	unsigned char	*buf = NULL, *hdr_end;
	/* the body, and room for the response's head; one more is too much */
	size_t		 used = 0, cap = 65536, limit = max + 65536 + 1;
	struct deadline	 d;
	ssize_t		 r;
	int		 rc = ERR_FAIL, fd = -1, status, w;

	deadline_start(&d, timeout_ms);

	/* the scheme in any case, as RFC 3986 has it */
	if (strncasecmp(url, "http://", 7) != 0)
		return err_usage(cause, "%s: only http:// URLs are fetched",
		    url);
	hp = url + 7;
	path = strchr(hp, '/');
	hostport = path != NULL ? xstrndup(hp, (size_t)(path - hp)) :
	    xstrdup(hp);
	if ((rc = split_hostport(hostport, "80", &host, &port, cause)) != 0) {
		err_prefix(cause, "%s: ", url);
		goto out;
	}
	TRY(dial(host, port, &d, &fd, cause));
	xasprintf(&req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: roleca\r\n"
	    "Connection: close\r\n\r\n", path != NULL ? path : "/", hostport);
	if (send_all(fd, req, strlen(req)) != 0) {
		rc = err_set(cause, "%s: send: %s", url, strerror(errno));
		goto out;
	}
	if (cap > limit)
		cap = limit;
	buf = xmalloc(cap + 1);
	for (;;) {
		if ((w = wait_readable(fd, &d)) <= 0) {
			rc = w == 0 ? err_set(cause, "%s: timed out after %d s",
			    url, timeout_ms / 1000) : err_set(cause, "%s: %s",
			    url, strerror(errno));
			goto out;
		}
		if ((r = read(fd, buf + used, cap - used)) < 0 &&
		    errno == EINTR)
			continue;
		if (r < 0) {
			rc = err_set(cause, "%s: %s", url, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		used += (size_t)r;
		if (used == limit) {
			rc = err_set(cause, "%s: larger than %zu bytes", url,
			    max);
			goto out;
		}
		if (used == cap) {
			cap = cap * 2 < limit ? cap * 2 : limit;
			buf = xreallocarray(buf, cap + 1, 1);
		}
	}
	buf[used] = '\0';
	hdr_end = memmem(buf, used, "\r\n\r\n", 4);
	if (hdr_end == NULL ||
	    sscanf((char *)buf, "HTTP/%*d.%*d %d", &status) != 1) {
		rc = err_set(cause, "%s: not an HTTP response", url);
		goto out;
	}
	if (status != 200) {
		rc = err_set(cause, "%s: HTTP status %d", url, status);
		goto out;
	}
	*len = used - (size_t)(hdr_end + 4 - buf);
	if (*len > max) {
		rc = err_set(cause, "%s: larger than %zu bytes", url, max);
		goto out;
	}
	*body = xmalloc(*len + 1);
	memcpy(*body, hdr_end + 4, *len);
	(*body)[*len] = '\0';
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(req);
	free(hostport);
	free(host);
	free(port);
	return rc;
}
