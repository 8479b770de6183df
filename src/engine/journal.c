#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/journal.h"

static void
enc_append(char **buf, size_t *len, size_t *cap, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        *buf = xgrow(*buf, cap, *len + 4, 1);
        if (c <= ' ' || c == '%' || c == '=' || c >= 0x7f) {
            (*buf)[(*len)++] = '%';
            (*buf)[(*len)++] = hex[c >> 4];
            (*buf)[(*len)++] = hex[c & 15];
        } else {
            (*buf)[(*len)++] = (char)c;
        }
    }
    (*buf)[*len] = '\0';
}

static void
str_append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);

    *buf = xgrow(*buf, cap, *len + n + 1, 1);
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

static char *
dec(const char *s)
{
    char *out = xmalloc(strlen(s) + 1), *o = out;

    while (*s) {
        if (s[0] == '%' && s[1] && s[2]) {
            char h[3] = { s[1], s[2], 0 };

            *o++ = (char)strtol(h, NULL, 16);
            s += 3;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static void
kv_append(char **buf, size_t *len, size_t *cap, const char *key, const char *value)
{
    if (value == NULL)
        return;
    str_append(buf, len, cap, " ");
    str_append(buf, len, cap, key);
    str_append(buf, len, cap, "=");
    enc_append(buf, len, cap, value);
}

void
intent_done(struct eng_intent *it)
{
    free(it->op);
    free(it->cluster);
    free(it->node);
    free(it->name);
    free(it->vm);
    free(it->task);
    free(it->reason);
    memset(it, 0, sizeof *it);
}

void
intents_free(struct eng_intent *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        intent_done(&v[i]);
    free(v);
}

static struct eng_intent *
find_intent(struct eng_intent *v, size_t n, unsigned long seq)
{
    for (size_t i = n; i-- > 0;)
        if (v[i].seq == seq)
            return &v[i];
    return NULL;
}

/* One line into the intent list; false for a line that does not parse. */
static bool
replay_line(char *line, struct eng_intent **v, size_t *n, size_t *cap, unsigned long *maxseq)
{
    char *save = NULL;
    char *kind = strtok_r(line, " ", &save);
    char *seqs = strtok_r(NULL, " ", &save);
    char *times = strtok_r(NULL, " ", &save);
    char *tok;
    unsigned long seq;

    if (kind == NULL || seqs == NULL || times == NULL)
        return false;
    seq = strtoul(seqs, NULL, 10);
    if (seq == 0)
        return false;
    if (seq > *maxseq)
        *maxseq = seq;
    if (strcmp(kind, "I") == 0) {
        struct eng_intent *it;
        char *op = strtok_r(NULL, " ", &save);

        if (op == NULL)
            return false;
        *v = xgrow(*v, cap, *n + 1, sizeof **v);
        it = &(*v)[(*n)++];
        memset(it, 0, sizeof *it);
        it->seq = seq;
        it->time = strtoll(times, NULL, 10);
        it->op = dec(op);
        while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
            char *eq = strchr(tok, '=');
            char **dst = NULL;

            if (eq == NULL)
                continue;
            *eq = '\0';
            if (strcmp(tok, "cluster") == 0)
                dst = &it->cluster;
            else if (strcmp(tok, "node") == 0)
                dst = &it->node;
            else if (strcmp(tok, "name") == 0)
                dst = &it->name;
            else if (strcmp(tok, "vm") == 0)
                dst = &it->vm;
            else if (strcmp(tok, "task") == 0)
                dst = &it->task;
            if (dst) {
                free(*dst);
                *dst = dec(eq + 1);
            }
        }
        return true;
    }
    if (strcmp(kind, "T") == 0) {
        char *refs = strtok_r(NULL, " ", &save);
        struct eng_intent *it;

        if (refs == NULL)
            return false;
        it = find_intent(*v, *n, strtoul(refs, NULL, 10));
        if (it == NULL)
            return true;  /* its intent was compacted away */
        while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
            char *eq = strchr(tok, '=');

            if (eq == NULL)
                continue;
            *eq = '\0';
            if (strcmp(tok, "task") == 0) {
                free(it->task);
                it->task = dec(eq + 1);
            }
        }
        return true;
    }
    if (strcmp(kind, "R") == 0) {
        char *refs = strtok_r(NULL, " ", &save);
        char *status = strtok_r(NULL, " ", &save);
        struct eng_intent *it;

        if (refs == NULL || status == NULL)
            return false;
        it = find_intent(*v, *n, strtoul(refs, NULL, 10));
        if (it == NULL)
            return true;  /* its intent was compacted away */
        it->resolved = true;
        it->ok = strcmp(status, "ok") == 0;
        while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
            char *eq = strchr(tok, '=');

            if (eq == NULL)
                continue;
            *eq = '\0';
            if (strcmp(tok, "vm") == 0) {
                free(it->vm);
                it->vm = dec(eq + 1);
            } else if (strcmp(tok, "reason") == 0) {
                free(it->reason);
                it->reason = dec(eq + 1);
            }
        }
        return true;
    }
    return false;
}

enum dr_err
journal_open(struct eng_journal *j, const char *path, struct eng_intent **out, size_t *n,
             struct dr_error *e)
{
    char *data = NULL;
    size_t len = 0, cap = 0;
    enum dr_err rc;

    *out = NULL;
    *n = 0;
    memset(j, 0, sizeof *j);
    j->fd = -1;
    rc = util_read_file(path, &data, &len, e);
    if (rc != DR_E_OK && rc != DR_E_NOTFOUND)
        return rc;
    if (data) {
        char *line = data;

        while (line < data + len) {
            char *nl = strchr(line, '\n');

            if (nl == NULL)
                break;  /* torn last record: never acted upon */
            *nl = '\0';
            replay_line(line, out, n, &cap, &j->seq);
            line = nl + 1;
        }
        free(data);
    }
    j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (j->fd < 0) {
        intents_free(*out, *n);
        *out = NULL;
        *n = 0;
        return dr_error_set(e, DR_E_IO, _("%s: cannot open the journal: %s"), path,
                            strerror(errno));
    }
    j->path = xstrdup(path);
    pthread_mutex_init(&j->mu, NULL);
    return DR_E_OK;
}

void
journal_close(struct eng_journal *j)
{
    if (j->path == NULL)
        return;
    if (j->fd >= 0)
        close(j->fd);
    j->fd = -1;
    xfree(&j->path);
    pthread_mutex_destroy(&j->mu);
}

/* Write one whole line and fsync; the caller holds j->mu. */
static enum dr_err
append_locked(struct eng_journal *j, const char *line, size_t len, struct dr_error *e)
{
    size_t off = 0;

    while (off < len) {
        ssize_t w = write(j->fd, line + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return dr_error_set(e, DR_E_IO, _("%s: cannot write the journal: %s"), j->path,
                                strerror(errno));
        off += (size_t)w;
    }
    if (fsync(j->fd) != 0)
        return dr_error_set(e, DR_E_IO, _("%s: cannot sync the journal: %s"), j->path,
                            strerror(errno));
    return DR_E_OK;
}

unsigned long
journal_intent(struct eng_journal *j, const char *op, const char *cluster, const char *node,
               const char *name, const char *vm, struct dr_error *e)
{
    char *buf = NULL, head[64];
    size_t len = 0, cap = 0;
    unsigned long seq;

    pthread_mutex_lock(&j->mu);
    seq = ++j->seq;
    snprintf(head, sizeof head, "I %lu %lld ", seq, (long long)time(NULL));
    str_append(&buf, &len, &cap, head);
    enc_append(&buf, &len, &cap, op);
    kv_append(&buf, &len, &cap, "cluster", cluster);
    kv_append(&buf, &len, &cap, "node", node);
    kv_append(&buf, &len, &cap, "name", name);
    kv_append(&buf, &len, &cap, "vm", vm);
    str_append(&buf, &len, &cap, "\n");
    if (append_locked(j, buf, len, e) != DR_E_OK)
        seq = 0;
    pthread_mutex_unlock(&j->mu);
    free(buf);
    return seq;
}

enum dr_err
journal_result(struct eng_journal *j, unsigned long seq, bool ok, const char *vm,
               const char *reason, struct dr_error *e)
{
    char *buf = NULL, head[96];
    size_t len = 0, cap = 0;
    enum dr_err rc;

    pthread_mutex_lock(&j->mu);
    snprintf(head, sizeof head, "R %lu %lld %lu %s", ++j->seq, (long long)time(NULL), seq,
             ok ? "ok" : "fail");
    str_append(&buf, &len, &cap, head);
    kv_append(&buf, &len, &cap, "vm", vm);
    if (!ok)
        kv_append(&buf, &len, &cap, "reason", reason ? reason : "");
    str_append(&buf, &len, &cap, "\n");
    rc = append_locked(j, buf, len, e);
    pthread_mutex_unlock(&j->mu);
    free(buf);
    return rc;
}

enum dr_err
journal_task(struct eng_journal *j, unsigned long seq, const char *task, struct dr_error *e)
{
    char *buf = NULL, head[96];
    size_t len = 0, cap = 0;
    enum dr_err rc;

    pthread_mutex_lock(&j->mu);
    snprintf(head, sizeof head, "T %lu %lld %lu", ++j->seq, (long long)time(NULL), seq);
    str_append(&buf, &len, &cap, head);
    kv_append(&buf, &len, &cap, "task", task);
    str_append(&buf, &len, &cap, "\n");
    rc = append_locked(j, buf, len, e);
    pthread_mutex_unlock(&j->mu);
    free(buf);
    return rc;
}

enum dr_err
journal_compact(struct eng_journal *j, const struct eng_intent *keep, size_t n,
                struct dr_error *e)
{
    char *buf = NULL, head[64];
    size_t len = 0, cap = 0;
    enum dr_err rc;
    int fd;

    pthread_mutex_lock(&j->mu);
    str_append(&buf, &len, &cap, "");
    for (size_t i = 0; i < n; i++) {
        snprintf(head, sizeof head, "I %lu %lld ", keep[i].seq,
                 keep[i].time ? keep[i].time : (long long)time(NULL));
        str_append(&buf, &len, &cap, head);
        enc_append(&buf, &len, &cap, keep[i].op);
        kv_append(&buf, &len, &cap, "cluster", keep[i].cluster);
        kv_append(&buf, &len, &cap, "node", keep[i].node);
        kv_append(&buf, &len, &cap, "name", keep[i].name);
        kv_append(&buf, &len, &cap, "vm", keep[i].vm);
        kv_append(&buf, &len, &cap, "task", keep[i].task);
        str_append(&buf, &len, &cap, "\n");
    }
    rc = util_write_atomic(j->path, buf, len, 0600, e);
    if (rc == DR_E_OK) {
        fd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0) {
            rc = dr_error_set(e, DR_E_IO, _("%s: cannot reopen the journal: %s"), j->path,
                              strerror(errno));
        } else {
            close(j->fd);
            j->fd = fd;
        }
    }
    pthread_mutex_unlock(&j->mu);
    free(buf);
    return rc;
}
