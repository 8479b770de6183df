#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"

#define REDACTED "[REDACTED]"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static enum dr_log_level log_min = DR_LOG_INFO;
static bool log_stderr;
static char **log_secrets;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

enum dr_err
log_open(const char *path, enum dr_log_level min, struct dr_error *e)
{
    char *dir = util_dirname(path);
    enum dr_err rc = util_mkdir_p(dir, 0700, e);
    int fd;

    free(dir);
    if (rc != DR_E_OK)
        return rc;
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return dr_error_set(e, DR_E_IO, _("%s: cannot open log: %s"), path, strerror(errno));
    /* An older log may have been made readable to others; redaction is
     * the first guard, owner-only the second. Best effort: a log that is
     * not ours is no reason to run without one. */
    (void)!fchmod(fd, 0600);
    FILE *f = fdopen(fd, "a");
    if (f == NULL) {
        close(fd);
        return dr_error_set(e, DR_E_NOMEM, _("%s: cannot open log"), path);
    }
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = f;
    log_min = min;
    pthread_mutex_unlock(&log_lock);
    return DR_E_OK;
}

void
log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    pthread_mutex_unlock(&log_lock);
}

void
log_set_level(enum dr_log_level min)
{
    pthread_mutex_lock(&log_lock);
    log_min = min;
    pthread_mutex_unlock(&log_lock);
}

void
log_set_stderr(bool on)
{
    pthread_mutex_lock(&log_lock);
    log_stderr = on;
    pthread_mutex_unlock(&log_lock);
}

void
log_add_secret(const char *secret)
{
    /* Very short values would redact ordinary words; they are still never
     * logged by callers, which pass secrets only through this list. */
    size_t len, n, at;

    if (str_empty(secret) || (len = strlen(secret)) < 3)
        return;
    pthread_mutex_lock(&log_lock);
    /* Longest first: a secret that starts another one must not be replaced
     * first and leave the rest of the longer one readable. Each once. */
    n = strv_len(log_secrets);
    for (at = 0; at < n && strlen(log_secrets[at]) >= len; at++) {
        if (strcmp(log_secrets[at], secret) == 0) {
            pthread_mutex_unlock(&log_lock);
            return;
        }
    }
    log_secrets = xrealloc(log_secrets, (n + 2) * sizeof *log_secrets);
    log_secrets[n] = NULL; /* the first time there was no terminator yet */
    memmove(&log_secrets[at + 1], &log_secrets[at], (n + 1 - at) * sizeof *log_secrets);
    log_secrets[at] = xstrdup(secret);
    pthread_mutex_unlock(&log_lock);
}

void
log_clear_secrets(void)
{
    pthread_mutex_lock(&log_lock);
    strv_free(&log_secrets);
    pthread_mutex_unlock(&log_lock);
}

/* Replace every occurrence of needle in *s by REDACTED. The search goes on
 * after each replacement, so a secret that is part of "[REDACTED]" itself
 * cannot loop forever. */
static void
replace_all(char **s, const char *needle)
{
    size_t ln = strlen(needle), from = 0;
    char *p;

    while ((p = strstr(*s + from, needle)) != NULL) {
        size_t at = (size_t)(p - *s);
        char *n = xasprintf("%.*s%s%s", (int)at, *s, REDACTED, p + ln);
        free(*s);
        *s = n;
        from = at + strlen(REDACTED);
    }
}

/* Cut out PEM and OpenSSH private key blocks, whole. Other PEM blocks
 * (certificates, public keys) stay, and the search goes on past them. */
static void
redact_key_blocks(char **s)
{
    size_t from = 0;
    char *begin;

    while ((begin = strstr(*s + from, "-----BEGIN ")) != NULL) {
        char *line_end = strstr(begin + 11, "-----");
        char *kind = strstr(begin, "PRIVATE KEY");
        if (line_end == NULL)
            break;
        if (kind == NULL || kind > line_end) {
            from = (size_t)(line_end - *s) + 5;
            continue;
        }
        char *end = strstr(line_end + 5, "-----END ");
        char *stop = end ? strstr(end + 9, "-----") : NULL;
        stop = stop ? stop + 5 : begin + strlen(begin);
        size_t at = (size_t)(begin - *s);
        char *n = xasprintf("%.*s%s%s", (int)at, *s, REDACTED, stop);
        free(*s);
        *s = n;
        from = at + strlen(REDACTED);
    }
}

/* Whether c can be part of a word (for the key's start). */
static bool
word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* NSS service modules (nsswitch.conf(5) and the modules Debian ships): the
 * words that follow "passwd:" in /etc/nsswitch.conf. */
static bool
nss_source(const char *p)
{
    static const char *const srcs[] = {
        "files", "compat", "db",       "dns",        "nis",     "nisplus", "ldap",   "sss",
        "systemd", "winbind", "hesiod", "myhostname", "mymachines", "resolve", "altfiles",
        "extrausers", "cache", "usrfiles"};

    for (size_t i = 0; i < DR_ARRAY_LEN(srcs); i++) {
        size_t n = strlen(srcs[i]);
        if (strncmp(p, srcs[i], n) == 0 && !word_char(p[n]))
            return true;
    }
    return false;
}

/* "password=x", "token: x", "secret = x", "\"password\": \"x y\"": keep
 * the key, hide the value: up to the closing quote when it is quoted, else
 * up to the next blank, comma, semicolon, ampersand or end.
 *
 * What is a secret assignment: a key word that starts a word or follows "_",
 * "-", "." or ":" (K3S_TOKEN=, --password=, db.password:, <v:password>),
 * possibly with more letters after it (tokens:, node_token=). What is not,
 * because its value is no secret and hiding it garbles the line:
 * - the word inside a longer word: sudoers' NOPASSWD:ALL;
 * - sudoers' own tag PASSWD: (upper case, then a colon): it names a rule;
 * - a path: /etc/passwd: (a "/" before the key);
 * - a key that says where the secret is, not what it is: password_file,
 *   password_env, token_path, ..._dir (a file name or a variable's name);
 * - nsswitch.conf's "passwd: files systemd": its value is NSS modules, a
 *   fixed set of names (a cloud-config "passwd:" hash is still hidden).
 * Secrets registered with log_add_secret are hidden wherever they appear. */
static void
redact_assignments(char **s)
{
    static const char *const keys[] = { "password", "passwd", "token", "secret" };
    static const char *const where[] = { "_file", "_path", "_env", "_dir" };
    char *out = xstrdup(*s);

    for (size_t k = 0; k < DR_ARRAY_LEN(keys); k++) {
        size_t from = 0;
        const char *hit;
        while ((hit = str_casestr(out + from, keys[k])) != NULL) {
            size_t off = (size_t)(hit - out) + strlen(keys[k]);
            size_t v = off;
            char quote = 0;
            while (out[v] == '_' || (out[v] >= 'a' && out[v] <= 'z') ||
                   (out[v] >= 'A' && out[v] <= 'Z'))
                v++;
            bool skip = hit > out && (word_char(hit[-1]) || hit[-1] == '/');
            for (size_t w = 0; !skip && w < DR_ARRAY_LEN(where); w++) {
                size_t wl = strlen(where[w]);
                skip = v - off >= wl && strncasecmp(out + v - wl, where[w], wl) == 0;
            }
            /* sudoers' PASSWD: tag stands alone (after a blank, "(", ")",
             * "," or a quote), unlike an identifier's part: DB_PASSWD: x. */
            if (!skip && v == off && strncmp(hit, "PASSWD:", 7) == 0)
                skip = hit == out || strchr(" \t(),\"'", hit[-1]) != NULL;
            if (!skip && v == off && strncmp(hit, "passwd:", 7) == 0)
                skip = nss_source(hit + 7 + strspn(hit + 7, " \t"));
            if (skip) {
                from = v;
                continue;
            }
            /* An XML element, <password>x</password> (a SOAP Login body):
             * the value runs to the next tag. Its text is escaped there,
             * so a registered secret with & or < would not match it. */
            bool element = out[v] == '>' && hit > out && (hit[-1] == '<' || hit[-1] == ':');
            if (out[v] == '"' || out[v] == '\'')   /* the end of a quoted key */
                v++;
            while (!element && (out[v] == ' ' || out[v] == '\t'))
                v++;
            if (!element && out[v] != '=' && out[v] != ':') {
                from = off;
                continue;
            }
            v++;
            while (!element && (out[v] == ' ' || out[v] == '\t'))
                v++;
            if (element)
                quote = '<';
            else if (out[v] == '"' || out[v] == '\'')
                quote = out[v++];
            size_t end = v;
            if (quote) {
                while (out[end] && out[end] != quote && out[end] != '\n')
                    end++;
            } else {
                while (out[end] && out[end] != ' ' && out[end] != ',' && out[end] != '"' &&
                       out[end] != '\'' && out[end] != '\n' && out[end] != ';' &&
                       out[end] != '&' && out[end] != '\t')
                    end++;
            }
            if (end == v || strncmp(out + v, REDACTED, strlen(REDACTED)) == 0) {
                from = end > off ? end : off;
                continue;
            }
            char *n = xasprintf("%.*s%s%s", (int)v, out, REDACTED, out + end);
            free(out);
            out = n;
            from = v + strlen(REDACTED);
        }
    }
    free(*s);
    *s = out;
}

static char *
redact_locked(const char *text)
{
    char *s = xstrdup(text);

    for (char **p = log_secrets; p && *p; p++)
        replace_all(&s, *p);
    redact_key_blocks(&s);
    redact_assignments(&s);
    return s;
}

char *
log_redact(const char *text)
{
    char *s;

    pthread_mutex_lock(&log_lock);
    s = redact_locked(text);
    pthread_mutex_unlock(&log_lock);
    return s;
}

void
log_msg(enum dr_log_level level, const char *fmt, ...)
{
    char stamp[32], *raw, *clean;
    struct timespec ts;
    struct tm tm;
    va_list ap;

    pthread_mutex_lock(&log_lock);
    if (level < log_min || (log_file == NULL && !log_stderr)) {
        pthread_mutex_unlock(&log_lock);
        return;
    }
    va_start(ap, fmt);
    if (vasprintf(&raw, fmt, ap) < 0)
        raw = NULL;
    va_end(ap);
    if (raw == NULL) {
        pthread_mutex_unlock(&log_lock);
        return;
    }
    clean = redact_locked(raw);
    free(raw);
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    if (log_file) {
        fprintf(log_file, "%s.%03ld %-5s %s\n", stamp, ts.tv_nsec / 1000000,
                level_names[level], clean);
        fflush(log_file);
    }
    if (log_stderr)
        fprintf(stderr, "drover: %s: %s\n", level_names[level], clean);
    pthread_mutex_unlock(&log_lock);
    free(clean);
}
