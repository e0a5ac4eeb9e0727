/*
 * live.c: a CRL download against servers made here on 127.0.0.1 that
 * misbehave: one that trickles its answer a byte at a time is cut off at
 * the exchange's deadline, not at each read's; one that never stops
 * sending is cut off at the size bound, not after reading twice as much.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "live.h"
#include "unit.h"
#include "util.h"

enum serve_kind { TRICKLE, ENDLESS, GOOD };

struct server {
	int		 fd;		/* listening */
	int		 port;
	enum serve_kind	 kind;
	pthread_t	 thread;
};

static void *
serve(void *arg)
{
	struct server	*sv = arg;
	static const char head[] = "HTTP/1.0 200 OK\r\n\r\n";
	char		 req[1024], chunk[16384];
	int		 c;

	if ((c = accept(sv->fd, NULL, NULL)) < 0)
		return NULL;
	(void)recv(c, req, sizeof req, 0);
	switch (sv->kind) {
	case TRICKLE:
		/* a byte every 100 ms: each read succeeds, the rest never */
		for (size_t i = 0;; i++) {
			struct timespec	 ts = { 0, 100000000L };

			if (send(c, &head[i % (sizeof head - 1)], 1,
			    MSG_NOSIGNAL) != 1)
				break;
			nanosleep(&ts, NULL);
		}
		break;
	case ENDLESS:
		memset(chunk, 'x', sizeof chunk);
		if (send(c, head, sizeof head - 1, MSG_NOSIGNAL) < 0)
			break;
		while (send(c, chunk, sizeof chunk, MSG_NOSIGNAL) > 0)
			continue;
		break;
	case GOOD:
		(void)send(c, head, sizeof head - 1, MSG_NOSIGNAL);
		(void)send(c, "crl", 3, MSG_NOSIGNAL);
		break;
	}
	close(c);
	return NULL;
}

static void
start(struct server *sv, enum serve_kind kind)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof sa;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sv->kind = kind;
	sv->fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(sv->fd >= 0);
	CU_ASSERT_FATAL(bind(sv->fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	CU_ASSERT_FATAL(listen(sv->fd, 1) == 0);
	CU_ASSERT_FATAL(getsockname(sv->fd, (struct sockaddr *)&sa,
	    &len) == 0);
	sv->port = ntohs(sa.sin_port);
	CU_ASSERT_FATAL(pthread_create(&sv->thread, NULL, serve, sv) == 0);
}

static void
stop(struct server *sv)
{
	pthread_join(sv->thread, NULL);
	close(sv->fd);
}

static int
get(const struct server *sv, size_t max, int timeout_ms, unsigned char **body,
    size_t *len, char **cause)
{
	char	*url;
	int	 rc;

	/* the scheme in upper case: RFC 3986 scheme names are not cased */
	xasprintf(&url, "HTTP://127.0.0.1:%d/ca.crl", sv->port);
	rc = live_http_get(url, max, timeout_ms, body, len, cause);
	free(url);
	return rc;
}

static void
test_trickle(void)
{
	struct server	 sv;
	unsigned char	*body = NULL;
	size_t		 len;
	char		*cause = NULL;

	start(&sv, TRICKLE);
	CU_ASSERT_EQUAL(get(&sv, 1024, 1000, &body, &len, &cause), ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "timed out after 1 s") !=
	    NULL);
	if (cause != NULL && strstr(cause, "timed out") == NULL)
		fprintf(stderr, "\n    %s", cause);
	free(cause);
	CU_ASSERT_PTR_NULL(body);
	stop(&sv);
}

static void
test_endless(void)
{
	struct server	 sv;
	unsigned char	*body = NULL;
	size_t		 len;
	char		*cause = NULL;

	start(&sv, ENDLESS);
	CU_ASSERT_EQUAL(get(&sv, 100000, 10000, &body, &len, &cause),
	    ERR_FAIL);
	CU_ASSERT(cause != NULL && strstr(cause, "larger than 100000 bytes") !=
	    NULL);
	free(cause);
	CU_ASSERT_PTR_NULL(body);
	stop(&sv);
}

static void
test_good(void)
{
	struct server	 sv;
	unsigned char	*body = NULL;
	size_t		 len = 0;
	char		*cause = NULL;

	start(&sv, GOOD);
	CU_ASSERT_EQUAL(get(&sv, 1024, 10000, &body, &len, &cause), 0);
	CU_ASSERT_PTR_NULL(cause);
	CU_ASSERT(len == 3 && body != NULL && memcmp(body, "crl", 3) == 0);
	free(body);
	stop(&sv);
}

int
main(void)
{
	static const CU_TestInfo	 tests[] = {
		{ "a trickling server meets one deadline", test_trickle },
		{ "an endless answer meets the size bound", test_endless },
		{ "a good answer", test_good },
		CU_TEST_INFO_NULL
	};

	signal(SIGPIPE, SIG_IGN);
	unit_suite("live", tests);
	return unit_run();
}
