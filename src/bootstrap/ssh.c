#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh2.h>
#include <libssh2_sftp.h>

#include "bootstrap/ssh.h"
#include "bootstrap/ssh_internal.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"

#define SLICE_MS 100 /* longest wait between two looks at the cancel flag */
#define AUTH_TRIES 3 /* a refused client key is final after this many refusals */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void
init_libssh2(void)
{
    init_rc = libssh2_init(0);
}

/* Idempotent and thread-safe (ssh_connect calls it too), so a worker that
 * connects before main() got round to it cannot race libssh2's own lazy init. */
enum dr_err
ssh_global_init(struct dr_error *e)
{
    pthread_once(&init_once, init_libssh2);
    if (init_rc != 0)
        return dr_error_set(e, DR_E_INTERNAL, _("libssh2_init failed (%d)"), init_rc);
    return DR_E_OK;
}

void
ssh_global_done(void)
{
    libssh2_exit();
}

const char *
ssh_peer(const struct ssh_session *s)
{
    return s->peer;
}

static const char *
last_error(LIBSSH2_SESSION *ls)
{
    char *msg = NULL;

    libssh2_session_last_error(ls, &msg, NULL, 0);
    return msg && *msg ? msg : "unknown error";
}

const char *
ssh_last_error(struct ssh_session *s)
{
    return last_error(s->ls);
}

bool
cancelled_flag(const atomic_bool *c)
{
    return c && atomic_load(c);
}

#define cancelled cancelled_flag

/* Sleep up to ms, in slices, waking early on cancel. */
static enum dr_err
nap(int ms, const atomic_bool *cancel, long long deadline)
{
    long long until = util_now_ms() + ms;

    if (until > deadline)
        until = deadline;
    for (;;) {
        if (cancelled(cancel))
            return DR_E_CANCELLED;
        long long left = until - util_now_ms();
        if (left <= 0)
            return DR_E_OK;
        poll(NULL, 0, (int)(left < SLICE_MS ? left : SLICE_MS));
    }
}

enum dr_err
ssh_wait(struct ssh_session *s, long long deadline, struct dr_error *e)
{
    struct pollfd pfd = {.fd = s->fd};
    int dir = libssh2_session_block_directions(s->ls);
    long long now = util_now_ms(), left = deadline - now;

    if (cancelled(s->cancel))
        return dr_error_set(e, DR_E_CANCELLED, _("%s: cancelled"), s->peer);
    if (left <= 0)
        return dr_error_set(e, DR_E_TIMEOUT, _("%s: timed out"), s->peer);
    if (now >= s->next_keepalive) {
        int next = 0;
        libssh2_keepalive_send(s->ls, &next);
        s->next_keepalive = now + (next > 0 ? next : 1) * 1000LL;
    }
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
        pfd.events |= POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        pfd.events |= POLLOUT;
    if (pfd.events == 0)
        pfd.events = POLLIN;
    if (poll(&pfd, 1, (int)(left < SLICE_MS ? left : SLICE_MS)) < 0 && errno != EINTR)
        return dr_error_set(e, DR_E_IO, _("%s: poll: %s"), s->peer, strerror(errno));
    return DR_E_OK;
}

void
ssh_wait_io(struct ssh_session *s, long long until)
{
    struct pollfd pfd = {.fd = s->fd};
    int dir = libssh2_session_block_directions(s->ls);
    long long left = until - util_now_ms();

    if (left <= 0)
        return;
    pfd.events = (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) ? POLLOUT : 0;
    if ((dir & LIBSSH2_SESSION_BLOCK_INBOUND) || pfd.events == 0)
        pfd.events |= POLLIN;
    poll(&pfd, 1, (int)(left < SLICE_MS ? left : SLICE_MS));
}

/* One non-blocking TCP connect, bounded by until. Returns the socket or -1
 * with errno-like *err (ETIMEDOUT when until passed). */
static int
tcp_connect(const struct addrinfo *ai, long long until, const atomic_bool *cancel, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    int one = 1;

    if (fd < 0) {
        *err = errno;
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        *err = errno;
        close(fd);
        return -1;
    }
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        long long left = until - util_now_ms();
        if (cancelled(cancel)) {
            *err = ECANCELED;
            break;
        }
        if (left <= 0) {
            *err = ETIMEDOUT;
            break;
        }
        int r = poll(&pfd, 1, (int)(left < SLICE_MS ? left : SLICE_MS));
        if (r < 0 && errno != EINTR) {
            *err = errno;
            break;
        }
        if (r > 0) {
            socklen_t l = sizeof *err;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &l) != 0)
                *err = errno;
            if (*err == 0)
                return fd;
            break;
        }
    }
    close(fd);
    return -1;
}

static void
session_free(struct ssh_session *s)
{
    if (s->ls) {
        /* Tear down in blocking mode with libssh2's own timeout: every call
         * below is then bounded, even against a node that stopped answering. */
        libssh2_session_set_timeout(s->ls, 2000);
        libssh2_session_set_blocking(s->ls, 1);
        if (s->sftp)
            libssh2_sftp_shutdown(s->sftp);
        s->sftp = NULL;
        libssh2_session_disconnect(s->ls, "bye");
        /* From here on every I/O fails at once, so libssh2_session_free
         * cannot time out on a channel a silent node never closed (it would
         * then return without freeing anything). */
        if (s->fd >= 0)
            shutdown(s->fd, SHUT_RDWR);
        libssh2_session_free(s->ls);
        s->ls = NULL;
    }
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

void
ssh_close(struct ssh_session **sp)
{
    if (*sp == NULL)
        return;
    session_free(*sp);
    xfree(sp);
}

/* After the TCP connection: SSH handshake, host key pinning, authentication.
 * *retry says whether the failure may go away by itself (sshd still starting).
 * On a host key mismatch, offered gets the fingerprint the server showed; a
 * handshake that failed on the algorithms sets *kex_failed. */
static enum dr_err
session_setup(struct ssh_session *s, const struct ssh_params *p, long long until, bool *retry,
              char *offered, size_t offered_len, bool *kex_failed, struct dr_error *e)
{
    unsigned char pinned[DR_ED25519_BLOB_LEN];
    const char *key;
    size_t keylen;
    int type, rc;
    enum dr_err w;

    *retry = true;
    s->ls = libssh2_session_init();
    if (s->ls == NULL)
        return dr_error_set(e, DR_E_NOMEM, _("%s: cannot create an SSH session"), s->peer);
    libssh2_session_set_blocking(s->ls, 0);
    /* Only the pinned key type: the server must show the ed25519 key. */
    libssh2_session_method_pref(s->ls, LIBSSH2_METHOD_HOSTKEY, "ssh-ed25519");
    while ((rc = libssh2_session_handshake(s->ls, s->fd)) == LIBSSH2_ERROR_EAGAIN) {
        if ((w = ssh_wait(s, until, e)) != DR_E_OK)
            return w;
    }
    if (rc != 0) {
        *kex_failed = rc == LIBSSH2_ERROR_KEX_FAILURE;
        return dr_error_set(e, DR_E_CONNECT, _("%s: SSH handshake failed: %s"), s->peer,
                            last_error(s->ls));
    }

    key = libssh2_session_hostkey(s->ls, &keylen, &type);
    keys_public_blob(p->host_key, pinned);
    if (key == NULL || type != LIBSSH2_HOSTKEY_TYPE_ED25519 || keylen != sizeof pinned ||
        memcmp(key, pinned, sizeof pinned) != 0) {
        char *got =
            key ? keys_fingerprint_blob((const unsigned char *)key, keylen) : xstrdup("none");
        char *want = keys_fingerprint(p->host_key);
        *retry = false;
        dr_error_set(e, DR_E_HOSTKEY,
                     _("%s: host key mismatch: the server presented %s, but drover pinned %s "
                       "for this node; refusing to connect"),
                     s->peer, got, want);
        snprintf(offered, offered_len, "%s", got);
        free(got);
        free(want);
        return DR_E_HOSTKEY;
    }

    char *priv = keys_private_openssh(p->client_key);
    char *pub = keys_public_line(p->client_key);
    if (priv == NULL) {
        free(pub);
        *retry = false;
        return dr_error_set(e, DR_E_INVAL, _("%s: the client key has no private half"), s->peer);
    }
    while ((rc = libssh2_userauth_publickey_frommemory(s->ls, p->user, strlen(p->user), pub,
                                                       strlen(pub), priv, strlen(priv), NULL)) ==
           LIBSSH2_ERROR_EAGAIN) {
        if ((w = ssh_wait(s, until, e)) != DR_E_OK) {
            keys_free_secret(&priv);
            free(pub);
            return w;
        }
    }
    keys_free_secret(&priv);
    free(pub);
    if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED) {
        char *fp = keys_fingerprint(p->client_key);
        *retry = false;
        dr_error_set(e, DR_E_AUTH, _("%s: the server refused the cluster key %s for user %s"),
                     s->peer, fp, p->user);
        free(fp);
        return DR_E_AUTH;
    }
    if (rc != 0)
        return dr_error_set(e, DR_E_AUTH, _("%s: authentication failed: %s"), s->peer,
                            last_error(s->ls));
    libssh2_keepalive_config(s->ls, 1, (unsigned)(p->keepalive_s > 0 ? p->keepalive_s : 15));
    s->next_keepalive = util_now_ms();
    *retry = false;
    return DR_E_OK;
}

/* The host-key algorithms the server at ai offers, among those libssh2
 * knows: libssh2 has no call that shows the server's KEXINIT, so each round
 * is a handshake that lets libssh2 pick from the algorithms not found yet,
 * and libssh2_session_methods() names the one agreed on. Writes them
 * comma-separated to out ("" when no round agreed); *kex_only is set when
 * even the first round failed on the algorithms (then the key exchange,
 * cipher or MAC lists have nothing in common either). Costs one handshake
 * per algorithm found, plus one: only called after a failed handshake. */
static void
probe_hostkey_algs(const struct addrinfo *ai, const char *peer, long long until,
                   const atomic_bool *cancel, char *out, size_t len, bool *kex_only)
{
    LIBSSH2_SESSION *tmp = libssh2_session_init();
    const char **algs = NULL;
    int n = tmp ? libssh2_session_supported_algs(tmp, LIBSSH2_METHOD_HOSTKEY, &algs) : 0;
    bool found[64] = {false};

    out[0] = '\0';
    *kex_only = false;
    if (n > (int)DR_ARRAY_LEN(found))
        n = (int)DR_ARRAY_LEN(found);
    for (int round = 0; round < n; round++) {
        char pref[2048] = "";
        struct ssh_session *s;
        const char *agreed;
        int err = 0, fd, rc;

        for (int i = 0; i < n; i++)
            if (!found[i] && strlen(pref) + strlen(algs[i]) + 2 < sizeof pref) {
                if (pref[0])
                    strcat(pref, ",");
                strcat(pref, algs[i]);
            }
        if (pref[0] == '\0' || (fd = tcp_connect(ai, until, cancel, &err)) < 0)
            break;
        s = xcalloc(1, sizeof *s);
        s->fd = fd;
        s->cancel = cancel;
        snprintf(s->peer, sizeof s->peer, "%s", peer);
        s->ls = libssh2_session_init();
        if (s->ls == NULL) {
            ssh_close(&s);
            break;
        }
        libssh2_session_set_blocking(s->ls, 0);
        libssh2_session_method_pref(s->ls, LIBSSH2_METHOD_HOSTKEY, pref);
        while ((rc = libssh2_session_handshake(s->ls, s->fd)) == LIBSSH2_ERROR_EAGAIN)
            if (ssh_wait(s, until, NULL) != DR_E_OK)
                break;
        agreed = rc == 0 ? libssh2_session_methods(s->ls, LIBSSH2_METHOD_HOSTKEY) : NULL;
        if (round == 0 && rc == LIBSSH2_ERROR_KEX_FAILURE)
            *kex_only = true;
        for (int i = 0; agreed && i < n; i++)
            if (strcmp(algs[i], agreed) == 0 && !found[i]) {
                found[i] = true;
                if (strlen(out) + strlen(agreed) + 3 < len) {
                    if (out[0])
                        strcat(out, ", ");
                    strcat(out, agreed);
                }
                break;
            }
        ssh_close(&s);
        if (agreed == NULL)
            break;
    }
    if (algs)
        libssh2_free(tmp, algs);
    if (tmp)
        libssh2_session_free(tmp);
}

/* The boot window's last failure, for the message at the deadline. */
enum boot_failure { BOOT_OTHER, BOOT_MISMATCH, BOOT_REFUSED };

enum dr_err
ssh_connect(const struct ssh_params *p, struct ssh_session **out, struct dr_error *e)
{
    int port = p->port > 0 ? p->port : 22;
    int attempt_ms = p->attempt_timeout_ms > 0 ? p->attempt_timeout_ms : 10000;
    int delay_ms = p->retry_delay_ms > 0 ? p->retry_delay_ms : 1000;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
    char portstr[16], peer[sizeof((struct ssh_session *)0)->peer];
    char why[sizeof(((struct dr_error *)0)->msg)] = "";
    char offered[128] = "";
    enum boot_failure last = BOOT_OTHER, noted = BOOT_OTHER;
    struct dr_error le = {0};
    int attempts = 0, auth_refusals = 0, mismatches = 0;
    long long start = util_now_ms();

    *out = NULL;
    if (ssh_global_init(e) != DR_E_OK)
        return DR_E_INTERNAL;
    if (p->host_key == NULL || p->client_key == NULL || str_empty(p->user) || str_empty(p->host))
        return dr_error_set(e, DR_E_INVAL,
                            _("ssh: host, user, host key and client key are "
                              "required"));
    snprintf(portstr, sizeof portstr, "%d", port);
    snprintf(peer, sizeof peer, strchr(p->host, ':') ? "%s@[%s]:%d" : "%s@%s:%d", p->user, p->host,
             port);
    for (;;) {
        struct addrinfo *res = NULL;
        int gai;
        attempts++;
        if (cancelled(p->cancel))
            return dr_error_set(e, DR_E_CANCELLED, _("%s: cancelled"), peer);
        gai = getaddrinfo(p->host, portstr, &hints, &res);
        if (gai != 0) {
            snprintf(why, sizeof why, "%s", gai_strerror(gai));
            last = BOOT_OTHER;
        } else {
            for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                long long until = util_now_ms() + attempt_ms;
                int err = 0, fd;
                if (until > p->deadline_ms)
                    until = p->deadline_ms;
                fd = tcp_connect(ai, until, p->cancel, &err);
                if (fd < 0) {
                    if (err == ECANCELED) {
                        freeaddrinfo(res);
                        return dr_error_set(e, DR_E_CANCELLED, _("%s: cancelled"), peer);
                    }
                    snprintf(why, sizeof why, "%s", strerror(err));
                    if (util_now_ms() < p->deadline_ms)  /* not cut by the deadline */
                        last = BOOT_OTHER;
                    continue;
                }
                struct ssh_session *s = xcalloc(1, sizeof *s);
                bool retry, kex_failed = false;
                s->fd = fd;
                s->cancel = p->cancel;
                memcpy(s->peer, peer, sizeof s->peer);
                enum dr_err rc =
                    session_setup(s, p, until, &retry, offered, sizeof offered, &kex_failed, &le);
                if (rc == DR_E_OK) {
                    freeaddrinfo(res);
                    log_debug("%s: connected after %d attempt(s), %lld ms", peer, attempts,
                              util_now_ms() - start);
                    *out = s;
                    return DR_E_OK;
                }
                ssh_close(&s);
                if (kex_failed) {
                    char algs[512];
                    bool kex_only;

                    probe_hostkey_algs(ai, peer, until, p->cancel, algs, sizeof algs, &kex_only);
                    if (algs[0] && strstr(algs, "ssh-ed25519") == NULL) {
                        freeaddrinfo(res);
                        dr_error_set(e, DR_E_PROTO,
                                     _("%s: no common host-key algorithm: drover offers only "
                                       "ssh-ed25519 (it pins the ed25519 key it gave the "
                                       "node), the server offers %s; refusing at once"),
                                     peer, algs);
                        dr_error_cause(e, "ssh:algorithms");
                        return DR_E_PROTO;
                    }
                    if (kex_only) {
                        freeaddrinfo(res);
                        dr_error_set(e, DR_E_PROTO,
                                     _("%s: no common SSH algorithm: the server accepts no key "
                                       "exchange, cipher or MAC that libssh2 offers (%s); "
                                       "refusing at once"),
                                     peer, le.msg);
                        dr_error_cause(e, "ssh:algorithms");
                        return DR_E_PROTO;
                    }
                }
                if (rc == DR_E_HOSTKEY) {
                    if (p->key_verified) {
                        /* The node answered with its pinned key before. */
                        char *want = keys_fingerprint(p->host_key);
                        freeaddrinfo(res);
                        dr_error_set(e, DR_E_HOSTKEY,
                                     _("%s: HOST KEY CHANGED: the server presented %s, but "
                                       "drover pinned %s and reached this node with it "
                                       "before; refusing to connect (another machine at this "
                                       "address, or someone in between)"),
                                     peer, offered, want);
                        dr_error_cause(e, "ssh:hostkey-changed");
                        free(want);
                        return DR_E_HOSTKEY;
                    }
                    /* The boot window: cloud-init may not have installed
                     * the injected key yet. The offered key is not kept. */
                    mismatches++;
                    last = BOOT_MISMATCH;
                    retry = true;
                } else if (rc == DR_E_AUTH && !p->key_verified) {
                    /* The boot window: authorized_keys may not be written yet. */
                    auth_refusals++;
                    last = BOOT_REFUSED;
                    retry = true;
                } else if (rc == DR_E_AUTH && ++auth_refusals < AUTH_TRIES &&
                           util_now_ms() + delay_ms < p->deadline_ms) {
                    retry = true;
                } else if (util_now_ms() < p->deadline_ms) {
                    last = BOOT_OTHER;  /* (an attempt the deadline cut says nothing new) */
                }
                if (!retry || rc == DR_E_CANCELLED) {
                    freeaddrinfo(res);
                    if (e)
                        *e = le;
                    return rc;
                }
                memcpy(why, le.msg, sizeof why);
                if (p->note && last != noted) {
                    p->note(p->note_ud, why);
                    noted = last;
                }
            }
            freeaddrinfo(res);
        }
        if (util_now_ms() + 1 >= p->deadline_ms)
            break;
        log_debug("%s: attempt %d failed (%s); retrying", peer, attempts, why);
        if (nap(delay_ms, p->cancel, p->deadline_ms) == DR_E_CANCELLED)
            return dr_error_set(e, DR_E_CANCELLED, _("%s: cancelled"), peer);
        if (util_now_ms() >= p->deadline_ms)
            break;
    }
    long long secs = (util_now_ms() - start + 500) / 1000;
    if (last == BOOT_MISMATCH) {
        char *want = keys_fingerprint(p->host_key);
        dr_error_set(e, DR_E_HOSTKEY,
                     _("%s: the node never presented its pinned host key within %lld s (%d "
                       "attempt(s)): it offered %s, drover pinned %s; the offered key was not "
                       "accepted"),
                     peer, secs, attempts, offered, want);
        dr_error_cause(e, "ssh:hostkey-boot");
        free(want);
        return DR_E_HOSTKEY;
    }
    if (last == BOOT_REFUSED) {
        char *fp = keys_fingerprint(p->client_key);
        dr_error_set(e, DR_E_AUTH,
                     _("%s: the server refused the cluster key %s for user %s for %lld s (%d "
                       "attempt(s))"),
                     peer, fp, p->user, secs, attempts);
        dr_error_cause(e, "ssh:key-refused");
        free(fp);
        return DR_E_AUTH;
    }
    if (mismatches > 0) {
        char *want = keys_fingerprint(p->host_key);
        dr_error_set(e, DR_E_TIMEOUT,
                     _("%s: no SSH connection within %lld s after %d attempt(s); last error: "
                       "%s; earlier the server offered host key %s, drover pinned %s"),
                     peer, secs, attempts, why, offered, want);
        free(want);
        return DR_E_TIMEOUT;
    }
    return dr_error_set(e, DR_E_TIMEOUT,
                        _("%s: no SSH connection within %lld s after %d attempt(s); last "
                          "error: %s"),
                        peer, secs, attempts, why);
}
