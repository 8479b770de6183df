/* Shared between the ssh*.c files only: the session and the wait helper. */
#ifndef DR_SSH_INTERNAL_H
#define DR_SSH_INTERNAL_H

#include <libssh2.h>
#include <libssh2_sftp.h>

#include "bootstrap/ssh.h"

struct ssh_session {
    int fd;
    LIBSSH2_SESSION *ls;
    LIBSSH2_SFTP *sftp; /* opened on first use */
    const atomic_bool *cancel;
    long long next_keepalive;
    bool pty; /* ssh_exec asks for a pseudo-terminal (ssh_set_pty) */
    char peer[320]; /* user@host:port */
};

/* Wait (at most ~100 ms) until the socket is ready in the direction libssh2
 * is blocked on. Fails with DR_E_CANCELLED or DR_E_TIMEOUT (deadline passed).
 * Sends keepalives when due. */
enum dr_err ssh_wait(struct ssh_session *s, long long deadline, struct dr_error *e);

/* Wait for the socket only (no cancel or keepalive): for cleanup paths that
 * must finish even after a cancel. */
void ssh_wait_io(struct ssh_session *s, long long until);

/* libssh2's last error text for the session. */
const char *ssh_last_error(struct ssh_session *s);
bool cancelled_flag(const atomic_bool *c);

#endif
