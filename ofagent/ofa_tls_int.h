/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_tls_int.h — TLS for controller connections (OpenSSL), as the
 * connections use it.
 *
 * Thread safety: the agent's thread only.
 */
#ifndef OFA_TLS_INT_H
#define OFA_TLS_INT_H

#include <stdbool.h>
#include <stddef.h>

/* ---- TLS (ofa_tls.c) -------------------------------------------------------------------- */

struct ofa_tls;     /* The loaded key, certificate and CA (an SSL_CTX). */
struct ofa_tls_ses; /* One connection's TLS session (an SSL). */

struct ofa_tls *ofa_tls_create(const char *key, const char *cert, const char *ca, char *err,
                               size_t errlen);
void ofa_tls_destroy(struct ofa_tls *t);
/* A session on a connected socket; server selects the accept side. */
struct ofa_tls_ses *ofa_tls_ses_new(struct ofa_tls *t, int fd, bool server);
void ofa_tls_ses_free(struct ofa_tls_ses *s);
/* Progress the handshake: 0 done, -EAGAIN (see want_write), -EPROTO. */
int ofa_tls_handshake(struct ofa_tls_ses *s, char *err, size_t errlen);
/* Read/write like recv/send: bytes, -EAGAIN, 0 on close, or -errno. */
long ofa_tls_read(struct ofa_tls_ses *s, void *buf, size_t n);
long ofa_tls_write(struct ofa_tls_ses *s, const void *buf, size_t n);
/* Decrypted bytes wait inside the session (poll() cannot see them). */
bool ofa_tls_pending(const struct ofa_tls_ses *s);
/* The last -EAGAIN was waiting for the socket to become writable. */
bool ofa_tls_want_write(const struct ofa_tls_ses *s);

#endif /* OFA_TLS_INT_H */
