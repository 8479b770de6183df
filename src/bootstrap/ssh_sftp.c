#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bootstrap/ssh.h"
#include "bootstrap/ssh_internal.h"
#include "core/i18n.h"
#include "core/util.h"

#define CHUNK (256 * 1024)

static enum dr_err
sftp_open_session(struct ssh_session *s, long long deadline, struct dr_error *e)
{
    enum dr_err w;

    while (s->sftp == NULL) {
        s->sftp = libssh2_sftp_init(s->ls);
        if (s->sftp)
            break;
        if (libssh2_session_last_errno(s->ls) != LIBSSH2_ERROR_EAGAIN)
            return dr_error_set(e, DR_E_PROTO, _("%s: cannot start SFTP: %s"), s->peer,
                                ssh_last_error(s));
        if ((w = ssh_wait(s, deadline, e)) != DR_E_OK)
            return w;
    }
    return DR_E_OK;
}

static enum dr_err
sftp_error(struct ssh_session *s, const char *what, const char *path, struct dr_error *e)
{
    unsigned long code = s->sftp ? libssh2_sftp_last_error(s->sftp) : 0;

    if (libssh2_session_last_errno(s->ls) == LIBSSH2_ERROR_SFTP_PROTOCOL)
        return dr_error_set(e, code == LIBSSH2_FX_NO_SUCH_FILE ? DR_E_NOTFOUND : DR_E_REMOTE,
                            _("%s: %s %s: SFTP status %lu"), s->peer, what, path, code);
    return dr_error_set(e, DR_E_PROTO, _("%s: %s %s: %s"), s->peer, what, path, ssh_last_error(s));
}

static enum dr_err
sftp_open(struct ssh_session *s, const char *path, unsigned long flags, long mode,
          LIBSSH2_SFTP_HANDLE **h, long long deadline, struct dr_error *e)
{
    enum dr_err w = sftp_open_session(s, deadline, e);

    if (w != DR_E_OK)
        return w;
    while ((*h = libssh2_sftp_open_ex(s->sftp, path, (unsigned)strlen(path), flags, mode,
                                      LIBSSH2_SFTP_OPENFILE)) == NULL) {
        if (libssh2_session_last_errno(s->ls) != LIBSSH2_ERROR_EAGAIN)
            return sftp_error(s, _("cannot open"), path, e);
        if ((w = ssh_wait(s, deadline, e)) != DR_E_OK)
            return w;
    }
    return DR_E_OK;
}

static void
sftp_close(struct ssh_session *s, LIBSSH2_SFTP_HANDLE *h, long long deadline)
{
    while (libssh2_sftp_close_handle(h) == LIBSSH2_ERROR_EAGAIN &&
           ssh_wait(s, deadline, NULL) == DR_E_OK)
        ;
}

/* Write all of buf to h. */
static enum dr_err
sftp_write_all(struct ssh_session *s, LIBSSH2_SFTP_HANDLE *h, const char *buf, size_t len,
               const char *path, long long deadline, struct dr_error *e)
{
    enum dr_err w;

    while (len > 0) {
        ssize_t r = libssh2_sftp_write(h, buf, len);
        if (r == LIBSSH2_ERROR_EAGAIN) {
            if ((w = ssh_wait(s, deadline, e)) != DR_E_OK)
                return w;
            continue;
        }
        if (r < 0)
            return sftp_error(s, _("cannot write"), path, e);
        buf += r;
        len -= (size_t)r;
        if (cancelled_flag(s->cancel))
            return dr_error_set(e, DR_E_CANCELLED, _("%s: cancelled"), s->peer);
    }
    return DR_E_OK;
}

struct sum_line {
    char hex[65];
};

static void
take_sum(void *ud, enum ssh_stream st, const char *line)
{
    struct sum_line *sl = ud;

    if (st == SSH_STDOUT && sl->hex[0] == '\0' && strlen(line) >= 64)
        snprintf(sl->hex, sizeof sl->hex, "%.64s", line);
}

/* Compare the node's sha256sum of path with ours. */
static enum dr_err
verify_sum(struct ssh_session *s, const char *path, const unsigned char *md, long long deadline,
           struct dr_error *e)
{
    struct sum_line sl = {.hex = ""};
    char want[65], *cmd, *q;
    enum dr_err rc;
    int status;

    for (int i = 0; i < 32; i++)
        snprintf(want + 2 * i, 3, "%02x", md[i]);
    /* Single-quote the path for the remote shell. */
    size_t n = 0;
    for (const char *p = path; *p; p++)
        n += *p == '\'' ? 4 : 1;
    q = xmalloc(n + 3);
    char *o = q;
    *o++ = '\'';
    for (const char *p = path; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    cmd = xasprintf("sha256sum -- %s", q);
    free(q);
    rc = ssh_exec(s, cmd, take_sum, &sl, &status, deadline, e);
    free(cmd);
    if (rc != DR_E_OK)
        return rc;
    if (strcmp(sl.hex, want) != 0)
        return dr_error_set(e, DR_E_IO,
                            _("%s: %s arrived damaged: SHA-256 on the node is %s, "
                              "expected %s"),
                            s->peer, path, sl.hex[0] ? sl.hex : "?", want);
    return DR_E_OK;
}

/* Upload from memory (data != NULL) or from a FILE. */
static enum dr_err
upload(struct ssh_session *s, const char *data, size_t len, FILE *f, const char *local,
       const char *remote, int mode, long long deadline, struct dr_error *e)
{
    LIBSSH2_SFTP_HANDLE *h;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char sum[EVP_MAX_MD_SIZE];
    unsigned sumlen = 0;
    enum dr_err rc;

    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return dr_error_set(e, DR_E_INTERNAL, _("cannot compute SHA-256 (OpenSSL)"));
    }
    rc = sftp_open(s, remote, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, mode, &h,
                   deadline, e);
    if (rc != DR_E_OK) {
        EVP_MD_CTX_free(md);
        return rc;
    }
    if (data) {
        EVP_DigestUpdate(md, data, len);
        rc = sftp_write_all(s, h, data, len, remote, deadline, e);
    } else {
        char *buf = xmalloc(CHUNK);
        size_t r;
        while (rc == DR_E_OK && (r = fread(buf, 1, CHUNK, f)) > 0) {
            EVP_DigestUpdate(md, buf, r);
            rc = sftp_write_all(s, h, buf, r, remote, deadline, e);
        }
        if (rc == DR_E_OK && ferror(f))
            rc = dr_error_set(e, DR_E_IO, _("%s: read error"), local);
        free(buf);
    }
    sftp_close(s, h, deadline);
    EVP_DigestFinal_ex(md, sum, &sumlen);
    EVP_MD_CTX_free(md);
    if (rc != DR_E_OK)
        return rc;

    /* The mode given to open applies only to new files, less the umask. */
    LIBSSH2_SFTP_ATTRIBUTES attrs = {
        .flags = LIBSSH2_SFTP_ATTR_PERMISSIONS,
        .permissions = (unsigned long)mode,
    };
    int r;
    while ((r = libssh2_sftp_setstat(s->sftp, remote, &attrs)) == LIBSSH2_ERROR_EAGAIN) {
        if ((rc = ssh_wait(s, deadline, e)) != DR_E_OK)
            return rc;
    }
    if (r != 0)
        return sftp_error(s, _("cannot set the mode of"), remote, e);
    return verify_sum(s, remote, sum, deadline, e);
}

enum dr_err
ssh_upload_data(struct ssh_session *s, const void *data, size_t len, const char *remote_path,
                int mode, long long deadline_ms, struct dr_error *e)
{
    return upload(s, data ? data : "", len, NULL, NULL, remote_path, mode, deadline_ms, e);
}

enum dr_err
ssh_upload_file(struct ssh_session *s, const char *local_path, const char *remote_path, int mode,
                long long deadline_ms, struct dr_error *e)
{
    FILE *f = fopen(local_path, "rb");
    enum dr_err rc;

    if (f == NULL)
        return dr_error_set(e, errno == ENOENT ? DR_E_NOTFOUND : DR_E_IO, "%s: %s", local_path,
                            strerror(errno));
    rc = upload(s, NULL, 0, f, local_path, remote_path, mode, deadline_ms, e);
    fclose(f);
    return rc;
}

enum dr_err
ssh_download(struct ssh_session *s, const char *remote_path, size_t max, char **out, size_t *len,
             long long deadline_ms, struct dr_error *e)
{
    LIBSSH2_SFTP_HANDLE *h;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    enum dr_err rc;

    *out = NULL;
    rc = sftp_open(s, remote_path, LIBSSH2_FXF_READ, 0, &h, deadline_ms, e);
    if (rc != DR_E_OK)
        return rc;
    for (;;) {
        buf = xgrow(buf, &cap, n + 32768 + 1, 1);
        ssize_t r = libssh2_sftp_read(h, buf + n, cap - n - 1);
        if (r == LIBSSH2_ERROR_EAGAIN) {
            if ((rc = ssh_wait(s, deadline_ms, e)) != DR_E_OK)
                break;
            continue;
        }
        if (r < 0) {
            rc = sftp_error(s, _("cannot read"), remote_path, e);
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            rc = dr_error_set(e, DR_E_INVAL, _("%s: %s is larger than %zu bytes"), s->peer,
                              remote_path, max);
            break;
        }
    }
    sftp_close(s, h, deadline_ms);
    if (rc != DR_E_OK) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return DR_E_OK;
}
