#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/util.h"

static void
oom(size_t n)
{
    fprintf(stderr, "drover: out of memory allocating %zu bytes\n", n);
    abort();
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        oom(n);
    return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

    if (p == NULL)
        oom(nmemb * size);
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        oom(n);
    return q;
}

void *
xgrow(void *p, size_t *cap, size_t need, size_t sz)
{
    size_t ncap = *cap ? *cap : 8;

    if (need <= *cap)
        return p;
    while (ncap < need)
        ncap *= 2;
    p = xrealloc(p, ncap * sz);
    memset((char *)p + *cap * sz, 0, (ncap - *cap) * sz);
    *cap = ncap;
    return p;
}

char *
xstrdup(const char *s)
{
    char *d = strdup(s);

    if (d == NULL)
        oom(strlen(s) + 1);
    return d;
}

char *
xstrdup0(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
    char *d = strndup(s, n);

    if (d == NULL)
        oom(n + 1);
    return d;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    return s;
}

void
xfree(void *pp)
{
    void **p = pp;

    free(*p);
    *p = NULL;
}

size_t
strv_len(char *const *v)
{
    size_t n = 0;

    while (v && v[n])
        n++;
    return n;
}

char **
strv_dup(char *const *v)
{
    size_t n = strv_len(v);
    char **d = xcalloc(n + 1, sizeof *d);

    for (size_t i = 0; i < n; i++)
        d[i] = xstrdup(v[i]);
    return d;
}

void
strv_push(char ***v, const char *s)
{
    size_t n = strv_len(*v);

    *v = xrealloc(*v, (n + 2) * sizeof **v);
    (*v)[n] = xstrdup(s);
    (*v)[n + 1] = NULL;
}

void
strv_free(char ***v)
{
    if (*v == NULL)
        return;
    for (char **p = *v; *p; p++)
        free(*p);
    free(*v);
    *v = NULL;
}

bool
str_empty(const char *s)
{
    return s == NULL || *s == '\0';
}

bool
str_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

bool
str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_has_suffix(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);

    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

const char *
str_casestr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    if (n == 0)
        return hay;
    for (; *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    }
    return NULL;
}

bool
util_is_dns_label(const char *s)
{
    size_t n;

    if (s == NULL)
        return false;
    n = strlen(s);
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

enum dr_err
util_mkdir_p(const char *path, mode_t mode, struct dr_error *e)
{
    char *p = xstrdup(path);

    for (char *s = p + 1; ; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) != 0 && errno != EEXIST) {
            int err = errno;
            free(p);
            return dr_error_set(e, DR_E_IO, _("%s: cannot create folder: %s"), path,
                                strerror(err));
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return DR_E_OK;
}

enum dr_err
util_read_file(const char *path, char **out, size_t *len, struct dr_error *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf;
    size_t cap, n = 0;

    *out = NULL;
    if (fd < 0)
        return dr_error_set(e, errno == ENOENT ? DR_E_NOTFOUND : DR_E_IO, "%s: %s", path,
                            strerror(errno));
    /* The size a regular file has now (and a byte for the NUL, one more for
     * the read that sees the end), read in one go; a file that grows
     * meanwhile, or one with no size (a pipe, /proc), grows the buffer. */
    cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 2
                                                                       : 4096;
    buf = xmalloc(cap);
    for (;;) {
        ssize_t r;
        if (n + 1 >= cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int err = errno; /* why: "Is a directory", "Input/output error" */
            close(fd);
            free(buf);
            return dr_error_set(e, DR_E_IO, _("%s: read error: %s"), path, strerror(err));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return DR_E_OK;
}

char *
util_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

char *
util_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);

    if (la > 0 && a[la - 1] == '/')
        return xasprintf("%s%s", a, b);
    return xasprintf("%s/%s", a, b);
}

static enum dr_err
write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return DR_E_IO;
        }
        p += w;
        len -= (size_t)w;
    }
    return DR_E_OK;
}

void (*util_write_atomic_hook)(const char *tmp_path, size_t written, size_t total);

/* In pieces, so that a test's hook can stop the process half-way. */
static enum dr_err
write_chunks(int fd, const char *tmp, const char *data, size_t len)
{
    const size_t chunk = 1 << 20;

    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        if (write_all(fd, data + off, n) != DR_E_OK)
            return DR_E_IO;
        if (util_write_atomic_hook)
            util_write_atomic_hook(tmp, off + n, len);
    }
    return DR_E_OK;
}

enum dr_err
util_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                  struct dr_error *e)
{
    char *dir = util_dirname(path);
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    enum dr_err rc = DR_E_OK;
    int fd, dfd, err;

    fd = mkstemp(tmp);
    if (fd < 0) {
        err = errno;
        rc = dr_error_set(e, DR_E_IO, _("%s: cannot create temporary file: %s"), path,
                          strerror(err));
        goto out;
    }
    if (fchmod(fd, mode) != 0 || write_chunks(fd, tmp, data, len) != DR_E_OK ||
        fsync(fd) != 0) {
        err = errno;
        close(fd);
        unlink(tmp);
        rc = dr_error_set(e, DR_E_IO, _("%s: cannot write: %s"), path, strerror(err));
        goto out;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        err = errno;
        unlink(tmp);
        rc = dr_error_set(e, DR_E_IO, _("%s: cannot replace: %s"), path, strerror(err));
        goto out;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
out:
    free(tmp);
    free(dir);
    return rc;
}

long long
util_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
str_escape_ctl(const char *s)
{
    size_t n = 0;
    char *out, *o;

    if (s == NULL)
        return xstrdup("");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p < 0x20 || *p == 0x7f) ? 4 : 1;
    o = out = xmalloc(n + 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *named = *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : *p == '\t' ? "\\t" : NULL;
        if (named) {
            memcpy(o, named, 2);
            o += 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            o += sprintf(o, "\\x%02X", *p);
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    return out;
}

bool
util_buf_append(char **data, size_t *len, size_t *cap, const void *p, size_t n, size_t max)
{
    if (n >= max || *len + n + 1 > max)
        return false;
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 16384;

        while (c < *len + n + 1)
            c *= 2;
        *data = xrealloc(*data, c);
        *cap = c;
    }
    memcpy(*data + *len, p, n);
    *len += n;
    (*data)[*len] = '\0';
    return true;
}
