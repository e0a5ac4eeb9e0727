/*
 * Looking at servers as their peers do: a TLS handshake that takes the
 * certificate chain a server presents (whether or not it verifies: check
 * reports, it does not refuse), and a plain HTTP GET for CRLs at their CDP
 * URLs. Every connection has a timeout.
 */
#ifndef ROLECA_LIVE_H
#define ROLECA_LIVE_H

#include <stddef.h>

#include <gnutls/x509.h>

/*
 * The chain a TLS server at host:port presents (leaf first), with SNI
 * servername.
 */
int	 live_tls_chain(const char *hostport, const char *servername,
	    int timeout_ms, gnutls_x509_crt_t **chain, size_t *n, char **cause);

/*
 * The name a client connecting to host:port asks for: servername, else
 * the host (allocated); a usage error for a malformed host:port.
 */
int	 live_peer_name(const char *hostport, const char *servername,
	    char **name, char **cause);

/* GET an http:// URL; the body is allocated (at most max bytes). */
int	 live_http_get(const char *url, size_t max, int timeout_ms,
	    unsigned char **body, size_t *len, char **cause);

#endif
