/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS for tls:/ptls: targets, with OpenSSL. One context holds our key,
 * our certificate and the CA; both sides present a certificate and verify
 * the peer's against the CA (as Open vSwitch does: the chain is checked,
 * host names are not, since controllers are usually named by address).
 * TLS 1.2 is the oldest version accepted.
 */
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>

#include "ofa_tls_int.h"

struct ofa_tls {
    SSL_CTX *ctx;
};

struct ofa_tls_ses {
    SSL *ssl;
    bool want_write;
};

static void
ssl_err(char *err, size_t errlen, const char *what, const char *path)
{
    char buf[256] = "";
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    if (err && errlen)
        snprintf(err, errlen, "%s%s%s: %s", what, path ? " " : "", path ? path : "", buf);
}

struct ofa_tls *
ofa_tls_create(const char *key, const char *cert, const char *ca, char *err, size_t errlen)
{
    if (!key || !cert || !ca) {
        snprintf(err, errlen, "TLS targets need a private key, a certificate and a CA certificate");
        return NULL;
    }
    struct ofa_tls *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->ctx = SSL_CTX_new(TLS_method());
    if (!t->ctx) {
        ssl_err(err, errlen, "SSL_CTX_new", NULL);
        goto err;
    }
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    /* Writes may be retried with a moved buffer (our tx buffer grows). */
    SSL_CTX_set_mode(t->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
    if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1) {
        ssl_err(err, errlen, "cannot load certificate", cert);
        goto err;
    }
    if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1) {
        ssl_err(err, errlen, "cannot load private key", key);
        goto err;
    }
    if (SSL_CTX_check_private_key(t->ctx) != 1) {
        ssl_err(err, errlen, "private key does not match certificate", key);
        goto err;
    }
    if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1) {
        ssl_err(err, errlen, "cannot load CA certificate", ca);
        goto err;
    }
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);
    if (names)
        SSL_CTX_set_client_CA_list(t->ctx, names);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return t;
err:
    ofa_tls_destroy(t);
    return NULL;
}

void
ofa_tls_destroy(struct ofa_tls *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx);
    free(t);
}

struct ofa_tls_ses *
ofa_tls_ses_new(struct ofa_tls *t, int fd, bool server)
{
    struct ofa_tls_ses *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ssl = SSL_new(t->ctx);
    if (!s->ssl || SSL_set_fd(s->ssl, fd) != 1) {
        ERR_clear_error();
        ofa_tls_ses_free(s);
        return NULL;
    }
    if (server)
        SSL_set_accept_state(s->ssl);
    else
        SSL_set_connect_state(s->ssl);
    return s;
}

void
ofa_tls_ses_free(struct ofa_tls_ses *s)
{
    if (!s)
        return;
    if (s->ssl)
        SSL_free(s->ssl);
    free(s);
}

/* Map an SSL result to -EAGAIN / 0 (closed) / -errno. */
static long
ses_result(struct ofa_tls_ses *s, int rc)
{
    int e = SSL_get_error(s->ssl, rc);
    s->want_write = false;
    switch (e) {
    case SSL_ERROR_WANT_READ:
        return -EAGAIN;
    case SSL_ERROR_WANT_WRITE:
        s->want_write = true;
        return -EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        return errno ? -errno : -ECONNRESET;
    default:
        ERR_clear_error();
        return -EPROTO;
    }
}

int
ofa_tls_handshake(struct ofa_tls_ses *s, char *err, size_t errlen)
{
    ERR_clear_error();
    int rc = SSL_do_handshake(s->ssl);
    if (rc == 1) {
        s->want_write = false;
        return 0;
    }
    int e = SSL_get_error(s->ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        s->want_write = e == SSL_ERROR_WANT_WRITE;
        return -EAGAIN;
    }
    long vr = SSL_get_verify_result(s->ssl);
    if (vr != X509_V_OK)
        snprintf(err, errlen, "TLS handshake failed: peer certificate: %s",
                 X509_verify_cert_error_string(vr));
    else
        ssl_err(err, errlen, "TLS handshake failed", NULL);
    return -EPROTO;
}

long
ofa_tls_read(struct ofa_tls_ses *s, void *buf, size_t n)
{
    ERR_clear_error();
    int want = n > INT32_MAX ? INT32_MAX : (int)n;
    int rc = SSL_read(s->ssl, buf, want);
    if (rc > 0) {
        s->want_write = false;
        return rc;
    }
    return ses_result(s, rc);
}

long
ofa_tls_write(struct ofa_tls_ses *s, const void *buf, size_t n)
{
    ERR_clear_error();
    int want = n > INT32_MAX ? INT32_MAX : (int)n;
    int rc = SSL_write(s->ssl, buf, want);
    if (rc > 0) {
        s->want_write = false;
        return rc;
    }
    long r = ses_result(s, rc);
    return r == 0 ? -EPIPE : r;
}

bool
ofa_tls_pending(const struct ofa_tls_ses *s)
{
    return SSL_pending(s->ssl) > 0;
}

bool
ofa_tls_want_write(const struct ofa_tls_ses *s)
{
    return s->want_write;
}
