/* One list of error codes; the enum and the messages both come from it. */
#ifndef DR_ERR_H
#define DR_ERR_H

#include <stdarg.h>

#define DR_ERRORS(X)                                                     \
    X(OK, N_("success"))                                                 \
    X(NOMEM, N_("out of memory"))                                        \
    X(IO, N_("input/output error"))                                      \
    X(NOTFOUND, N_("not found"))                                         \
    X(EXISTS, N_("already exists"))                                      \
    X(INVAL, N_("invalid value"))                                        \
    X(PARSE, N_("syntax error"))                                         \
    X(PERM, N_("unsafe file permissions"))                               \
    X(READONLY, N_("read-only mode"))                                    \
    X(USAGE, N_("usage error"))                                          \
    X(TIMEOUT, N_("timed out"))                                          \
    X(CANCELLED, N_("cancelled"))                                        \
    X(CONNECT, N_("connection failed"))                                  \
    X(TLS, N_("TLS verification failed"))                                \
    X(AUTH, N_("authentication failed"))                                 \
    X(FAULT, N_("vCenter returned a fault"))                             \
    X(PROTO, N_("protocol error"))                                       \
    X(HOSTKEY, N_("host key mismatch"))                                  \
    X(REMOTE, N_("remote command failed"))                               \
    X(BUSY, N_("in use by another drover"))                              \
    X(INTERNAL, N_("internal error"))

enum dr_err {
#define DR_ERR_ENUM(name, msg) DR_E_##name,
    DR_ERRORS(DR_ERR_ENUM)
#undef DR_ERR_ENUM
        DR_E__COUNT
};

/* A code plus a message that says what, where and why. cause names the
 * precise cause where one is known, for the failure classes
 * (src/engine/classify.c): "fault:InvalidArgument" (a vSphere fault),
 * "http:503", "proxy:403", "ssh:algorithms", "sudo:password"; "" when none. */
struct dr_error {
    enum dr_err code;
    char msg[1024];
    char cause[64];
};

/* The translated generic message for a code. */
const char *dr_strerror(enum dr_err code);
/* The code's symbolic name ("NOTFOUND"), for JSON and logs. */
const char *dr_errname(enum dr_err code);

/* Fill e (which may be NULL) and return code, so callers can
 * `return dr_error_set(e, DR_E_INVAL, "%s: ...", path);`. */
enum dr_err dr_error_set(struct dr_error *e, enum dr_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum dr_err dr_error_vset(struct dr_error *e, enum dr_err code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Set e's cause (printf-style); e may be NULL. dr_error_set clears it, so
 * set the cause after the message. */
void dr_error_cause(struct dr_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Put "prefix: " in front of an existing message. */
void dr_error_prefix(struct dr_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dr_error_clear(struct dr_error *e);
/* The message, or the generic text of the code when no message was set. */
const char *dr_error_text(const struct dr_error *e);

#endif
