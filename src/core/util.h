/* Small helpers every layer uses: allocation that never returns NULL, strings,
 * paths, and atomic file writes. */
#ifndef DR_UTIL_H
#define DR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

#define DR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation wrappers: abort with a message on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow *p (an array of *cap items of size sz) so that it holds at least need items. */
void *xgrow(void *p, size_t *cap, size_t need, size_t sz);
char *xstrdup(const char *s);
/* xstrdup that passes NULL through. */
char *xstrdup0(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* free(*p) and set *p to NULL. */
void xfree(void *pp);

/* A NULL-terminated string vector. */
char **strv_dup(char *const *v);
size_t strv_len(char *const *v);
void strv_push(char ***v, const char *s);
void strv_free(char ***v);

bool str_empty(const char *s);
bool str_eq(const char *a, const char *b);        /* NULL-safe */
bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* Case-insensitive substring search over UTF-8 bytes (ASCII folding). */
const char *str_casestr(const char *hay, const char *needle);
/* s with control characters written as escapes (\n, \r, \t, \xNN; DEL as
 * \x7F), for printing an operator's string in a one-line message: a raw
 * line break or escape sequence would break the line or the terminal.
 * Newly allocated; NULL gives "". Bytes >= 0x80 (UTF-8) are kept. */
char *str_escape_ctl(const char *s);

/* Append n bytes at p to the NUL-terminated buffer *data (*len bytes in use,
 * *cap allocated, growing by doubling from 16 KiB), unless it would then
 * hold more than max bytes with its NUL: returns false and appends nothing.
 * For libcurl's write callbacks (src/vsphere, src/k8s), which bound an
 * answer's size. Aborts on out of memory, as xrealloc. */
bool util_buf_append(char **data, size_t *len, size_t *cap, const void *p, size_t n,
                     size_t max);

/* RFC 1123 label: 1..63 chars of [a-z0-9-], not starting or ending with '-'. */
bool util_is_dns_label(const char *s);

/* mkdir -p with mode for every directory it creates. */
enum dr_err util_mkdir_p(const char *path, mode_t mode, struct dr_error *e);
/* Read a whole file into a NUL-terminated buffer. */
enum dr_err util_read_file(const char *path, char **out, size_t *len, struct dr_error *e);
/* Write data to path atomically: temp file in the same folder created with mode,
 * write, fsync, rename over path, fsync the folder. The old file stays intact
 * until the rename. */
enum dr_err util_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                              struct dr_error *e);
/* Tests only: when set, called after each piece util_write_atomic writes to
 * its temporary file (to stop a process in the middle of a save). */
extern void (*util_write_atomic_hook)(const char *tmp_path, size_t written, size_t total);
/* The folder part of a path (newly allocated; "." when there is none). */
char *util_dirname(const char *path);
/* a + "/" + b, newly allocated. */
char *util_path_join(const char *a, const char *b);

/* Monotonic clock in milliseconds. */
long long util_now_ms(void);

#endif
