#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap/ssh.h"
#include "bootstrap/ssh_internal.h"
#include "core/i18n.h"
#include "core/util.h"

#define LAST_LINES 8
#define MAX_LINE 65536
#define PUMP_MAX (256 * 1024)

/* The remote command runs under this wrapper so that closing the channel
 * (cancellation, deadline) ends it: the command gets its own process group,
 * and a watcher waits for EOF on the channel's stdin, which only comes when
 * the channel goes away, then signals that group. No pty, so stdout and
 * stderr stay apart. */
static const char wrapper[] = "exec 3<&0 0</dev/null; "
                              "setsid sh -c \"$1\" & p=$!; "
                              "{ cat >/dev/null; kill -s TERM -- -\"$p\"; } <&3 >/dev/null 2>&1 & "
                              "exec 3<&-; wait \"$p\"";

void
ssh_set_pty(struct ssh_session *s, bool on)
{
    s->pty = on;
}

bool
ssh_pty(const struct ssh_session *s)
{
    return s->pty;
}

/* 'text' quoted for a POSIX shell. */
static char *
shell_quote(const char *s)
{
    size_t n = 2;
    char *q, *o;

    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    q = o = xmalloc(n + 1);
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

struct linebuf {
    char *p;
    size_t len, cap;
};

struct exec_state {
    struct linebuf out[2];  /* stdout, stderr */
    char *last[LAST_LINES]; /* ring of recent lines for error messages */
    size_t nlast;
    ssh_line_fn fn;
    void *ud;
};

static void
deliver(struct exec_state *x, enum ssh_stream st, const char *line)
{
    free(x->last[x->nlast % LAST_LINES]);
    x->last[x->nlast % LAST_LINES] = xstrdup(line);
    x->nlast++;
    if (x->fn)
        x->fn(x->ud, st, line);
}

/* Split complete lines out of the stream's buffer; flush everything at end. */
static void
drain_lines(struct exec_state *x, enum ssh_stream st, bool end)
{
    struct linebuf *b = &x->out[st - 1];
    size_t start = 0;

    for (size_t i = 0; i < b->len; i++) {
        if (b->p[i] == '\n' || i - start >= MAX_LINE) {
            size_t l = i - start;
            b->p[i] = '\0';
            if (l > 0 && b->p[start + l - 1] == '\r')
                b->p[start + l - 1] = '\0';
            deliver(x, st, b->p + start);
            start = i + 1;
        }
    }
    if (end && start < b->len) {
        b->p = xgrow(b->p, &b->cap, b->len + 1, 1);
        b->p[b->len] = '\0';
        deliver(x, st, b->p + start);
        start = b->len;
    }
    memmove(b->p, b->p + start, b->len - start);
    b->len -= start;
}

static void
exec_state_done(struct exec_state *x)
{
    for (int i = 0; i < 2; i++)
        free(x->out[i].p);
    for (size_t i = 0; i < LAST_LINES; i++)
        free(x->last[i]);
}

/* The recent lines, oldest first, indented, for an error message. */
static void
format_last(const struct exec_state *x, char *buf, size_t len)
{
    size_t n = x->nlast < LAST_LINES ? x->nlast : LAST_LINES, pos = 0;

    buf[0] = '\0';
    for (size_t i = x->nlast - n; i < x->nlast && pos + 1 < len; i++) {
        int w = snprintf(buf + pos, len - pos, "\n  %s", x->last[i % LAST_LINES]);
        if (w < 0)
            break;
        pos += (size_t)w;
    }
}

/* Read what is available on one stream. Returns bytes read, 0 at nothing
 * more for now or EOF, or a libssh2 error (< 0, not EAGAIN). */
static ssize_t
pump(LIBSSH2_CHANNEL *ch, struct exec_state *x, enum ssh_stream st)
{
    struct linebuf *b = &x->out[st - 1];
    ssize_t total = 0;

    for (;;) {
        b->p = xgrow(b->p, &b->cap, b->len + 16384, 1);
        ssize_t r = libssh2_channel_read_ex(ch, st == SSH_STDERR ? SSH_EXTENDED_DATA_STDERR : 0,
                                            b->p + b->len, b->cap - b->len);
        if (r == LIBSSH2_ERROR_EAGAIN || r == 0)
            break;
        if (r < 0)
            return r;
        b->len += (size_t)r;
        total += r;
        drain_lines(x, st, false);
        /* A chatty command must not keep us from the cancel flag. */
        if (total >= PUMP_MAX)
            break;
    }
    return total;
}

/* Close the channel (which ends the remote command through the wrapper). */
static void
channel_abort(struct ssh_session *s, LIBSSH2_CHANNEL *ch)
{
    long long until = util_now_ms() + 1000;

    while (libssh2_channel_close(ch) == LIBSSH2_ERROR_EAGAIN && util_now_ms() < until)
        ssh_wait_io(s, until);
    while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && util_now_ms() < until)
        ssh_wait_io(s, until);
}

enum dr_err
ssh_exec(struct ssh_session *s, const char *cmd, ssh_line_fn fn, void *ud, int *exit_status,
         long long deadline_ms, struct dr_error *e)
{
    struct exec_state x = {.fn = fn, .ud = ud};
    LIBSSH2_CHANNEL *ch;
    char *quoted, *full;
    enum dr_err w = DR_E_OK;
    int rc = 0, status;

    if (exit_status)
        *exit_status = -1;
    while ((ch = libssh2_channel_open_session(s->ls)) == NULL) {
        if (libssh2_session_last_errno(s->ls) != LIBSSH2_ERROR_EAGAIN)
            return dr_error_set(e, DR_E_PROTO, _("%s: cannot open a channel: %s"), s->peer,
                                ssh_last_error(s));
        if ((w = ssh_wait(s, deadline_ms, e)) != DR_E_OK)
            return w;
    }
    /* On a terminal the command stays in the terminal's session (sudo checks
     * for it), and the hangup when the channel closes ends it: no wrapper.
     * Its standard input is still /dev/null, so that no prompt waits for an
     * answer that never comes. */
    while (s->pty && (rc = libssh2_channel_request_pty_ex(ch, "vt100", 5, NULL, 0, 200, 24, 0,
                                                          0)) == LIBSSH2_ERROR_EAGAIN) {
        if ((w = ssh_wait(s, deadline_ms, e)) != DR_E_OK) {
            channel_abort(s, ch);
            return w;
        }
    }
    if (s->pty && rc != 0) {
        w = dr_error_set(e, DR_E_PROTO, _("%s: the server refused a pseudo-terminal: %s"),
                         s->peer, ssh_last_error(s));
        channel_abort(s, ch);
        return w;
    }
    quoted = shell_quote(cmd);
    full = s->pty ? xasprintf("sh -c %s </dev/null", quoted)
                  : xasprintf("sh -c '%s' drover %s", wrapper, quoted);
    free(quoted);
    while ((rc = libssh2_channel_exec(ch, full)) == LIBSSH2_ERROR_EAGAIN) {
        if ((w = ssh_wait(s, deadline_ms, e)) != DR_E_OK)
            break;
    }
    free(full);
    if (w == DR_E_OK && rc != 0)
        w = dr_error_set(e, DR_E_PROTO, _("%s: cannot start the command: %s"), s->peer,
                         ssh_last_error(s));
    if (w != DR_E_OK) {
        channel_abort(s, ch);
        return w;
    }

    for (;;) {
        ssize_t a = pump(ch, &x, SSH_STDOUT);
        ssize_t b = pump(ch, &x, SSH_STDERR);
        if (a < 0 || b < 0) {
            w = dr_error_set(e, DR_E_PROTO, _("%s: reading command output: %s"), s->peer,
                             ssh_last_error(s));
            break;
        }
        if (libssh2_channel_eof(ch))
            break;
        if (a == 0 && b == 0 && (w = ssh_wait(s, deadline_ms, e)) != DR_E_OK)
            break;
        if (cancelled_flag(s->cancel)) {
            w = dr_error_set(e, DR_E_CANCELLED, _("%s: cancelled"), s->peer);
            break;
        }
        if (util_now_ms() >= deadline_ms) {
            w = dr_error_set(e, DR_E_TIMEOUT, _("%s: the command did not finish in time"), s->peer);
            break;
        }
    }
    if (w != DR_E_OK) {
        channel_abort(s, ch);
        exec_state_done(&x);
        return w;
    }
    /* Whatever arrived together with the EOF. */
    for (;;) {
        ssize_t a = pump(ch, &x, SSH_STDOUT), b = pump(ch, &x, SSH_STDERR);
        if (a <= 0 && b <= 0)
            break;
    }
    drain_lines(&x, SSH_STDOUT, true);
    drain_lines(&x, SSH_STDERR, true);
    while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN &&
           (w = ssh_wait(s, deadline_ms, e)) == DR_E_OK)
        ;
    while (w == DR_E_OK && (rc = libssh2_channel_wait_closed(ch)) == LIBSSH2_ERROR_EAGAIN &&
           (w = ssh_wait(s, deadline_ms, e)) == DR_E_OK)
        ;
    status = libssh2_channel_get_exit_status(ch);
    char *signame = NULL;
    libssh2_channel_get_exit_signal(ch, &signame, NULL, NULL, NULL, NULL, NULL);
    long long until = util_now_ms() + 1000;
    while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN && util_now_ms() < until)
        ssh_wait_io(s, until);
    if (w != DR_E_OK) {
        free(signame);
        exec_state_done(&x);
        return w;
    }
    if (signame) {
        status = -1;
    }
    if (exit_status)
        *exit_status = status;
    if (status != 0) {
        char last[700];
        format_last(&x, last, sizeof last);
        if (signame)
            w = dr_error_set(e, DR_E_REMOTE, _("%s: command killed by signal %s; last output:%s"),
                             s->peer, signame, last[0] ? last : _(" (none)"));
        else
            w = dr_error_set(e, DR_E_REMOTE,
                             _("%s: command exited with status %d; last "
                               "output:%s"),
                             s->peer, status, last[0] ? last : _(" (none)"));
    }
    free(signame);
    exec_state_done(&x);
    return w;
}
