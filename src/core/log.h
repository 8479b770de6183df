/* A thread-safe log file with levels. It never writes a secret: values
 * registered with log_add_secret() and anything that looks like key material
 * or a password/token assignment are replaced by "[REDACTED]" before writing. */
#ifndef DR_LOG_H
#define DR_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum dr_log_level {
    DR_LOG_DEBUG,
    DR_LOG_INFO,
    DR_LOG_WARN,
    DR_LOG_ERROR,
};

/* Open (create 0600, append) the log file. Until then messages go nowhere
 * unless log_set_stderr() was called. */
enum dr_err log_open(const char *path, enum dr_log_level min, struct dr_error *e);
void log_close(void);
void log_set_level(enum dr_log_level min);
/* Also copy messages to stderr (for headless commands; never while curses is up). */
void log_set_stderr(bool on);
/* Register a secret value (password, token): it never appears in the log. */
void log_add_secret(const char *secret);
void log_clear_secrets(void);

void log_msg(enum dr_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(DR_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(DR_LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(DR_LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(DR_LOG_ERROR, __VA_ARGS__)

/* The redaction applied to every message, exposed for other sinks (node logs)
 * and tests. Returns a newly allocated string. */
char *log_redact(const char *text);

#endif
