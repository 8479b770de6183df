/* SSH sessions to nodes (libssh2, non-blocking, driven by poll()). The
 * server's host key must be the pinned ed25519 key drover generated for the
 * node; anything else is refused, never offered for acceptance.
 *
 * Threads: call ssh_global_init() before any thread starts (it is idempotent
 * and ssh_connect calls it as well); ssh_global_done() at exit. A session
 * belongs to one thread at a time. Every wait is bounded by a deadline
 * (util_now_ms() based) and checks the cancel flag at least every 100 ms. */
#ifndef DR_SSH_H
#define DR_SSH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/keys.h"

struct ssh_session;

enum dr_err ssh_global_init(struct dr_error *e);
void ssh_global_done(void);

struct ssh_params {
    const char *host; /* IPv4/IPv6 address or name */
    int port;         /* 0: 22 */
    const char *user;
    const struct dr_keypair *client_key; /* with private half */
    const struct dr_keypair *host_key;   /* the pinned host key (public half) */
    long long deadline_ms;               /* util_now_ms() value: give up connecting then */
    int attempt_timeout_ms;              /* one TCP connect + handshake; 0: 10000 */
    int retry_delay_ms;                  /* between attempts; 0: 1000 */
    int keepalive_s;                     /* 0: 15 */
    const atomic_bool *cancel;           /* may be NULL */
    bool key_verified;                   /* the node answered with host_key before */
    /* Called (may be NULL) when a retried attempt fails for another reason
     * than the attempt before, with the reason: the boot window's progress. */
    void (*note)(void *ud, const char *text);
    void *note_ud;
};

/* Connect, check the host key, authenticate. Connection refused, unreachable
 * and timeouts are retried until the deadline (a VM still booting).
 *
 * The boot window (key_verified false): an image's sshd can answer before
 * cloud-init has installed the host key and authorized key drover injected,
 * so another host key or a refused client key also means "not up yet" and is
 * retried until the deadline. The other key is never accepted or stored. At
 * the deadline: DR_E_HOSTKEY (cause "ssh:hostkey-boot", both fingerprints in
 * the message) when the server last presented another key, DR_E_AUTH (cause
 * "ssh:key-refused") when it last refused the key, else DR_E_TIMEOUT.
 *
 * Once the node was reached with its pinned key (key_verified true), another
 * key is an alarm: DR_E_HOSTKEY (cause "ssh:hostkey-changed") at once; a
 * refused key is final after three refusals.
 *
 * A server that offers no host-key algorithm drover accepts (it pins an
 * ed25519 key) fails at once: DR_E_PROTO, cause "ssh:algorithms", the
 * message naming what each side offered. */
enum dr_err ssh_connect(const struct ssh_params *p, struct ssh_session **out, struct dr_error *e);
void ssh_close(struct ssh_session **s);

/* "user@host:port", for messages. */
const char *ssh_peer(const struct ssh_session *s);

enum ssh_stream {
    SSH_STDOUT = 1,
    SSH_STDERR = 2,
};

/* Called once per complete output line (without its newline; a last line
 * without newline is delivered at the end). */
typedef void (*ssh_line_fn)(void *ud, enum ssh_stream stream, const char *line);

/* Run cmd on the node, streaming output lines to fn (may be NULL) as they
 * arrive. *exit_status gets the remote exit code (-1 if killed by a signal).
 * Returns DR_E_REMOTE when the command exits non-zero, with the code and the
 * last output lines in the message; DR_E_TIMEOUT / DR_E_CANCELLED when the
 * deadline passes or the cancel flag is set (the channel is closed, which
 * ends the remote command). Never put secrets into cmd (it may be logged
 * and shows in the node's process list); upload them as files instead. */
enum dr_err ssh_exec(struct ssh_session *s, const char *cmd, ssh_line_fn fn, void *ud,
                     int *exit_status, long long deadline_ms, struct dr_error *e);

/* From now on run ssh_exec's commands on a pseudo-terminal (for sudo's
 * "Defaults requiretty"): stdout and stderr then arrive merged as stdout,
 * standard input stays /dev/null, and closing the channel hangs the
 * terminal up, which ends the command. */
void ssh_set_pty(struct ssh_session *s, bool on);
bool ssh_pty(const struct ssh_session *s);

/* Upload over SFTP to remote_path (created/truncated with mode), then check
 * the file's SHA-256 on the node with sha256sum. */
enum dr_err ssh_upload_data(struct ssh_session *s, const void *data, size_t len,
                            const char *remote_path, int mode, long long deadline_ms,
                            struct dr_error *e);
enum dr_err ssh_upload_file(struct ssh_session *s, const char *local_path, const char *remote_path,
                            int mode, long long deadline_ms, struct dr_error *e);
/* Read a remote file over SFTP (at most max bytes), newly allocated, NUL-terminated. */
enum dr_err ssh_download(struct ssh_session *s, const char *remote_path, size_t max, char **out,
                         size_t *len, long long deadline_ms, struct dr_error *e);

#endif
