#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/i18n.h"

static const char *const err_messages[] = {
#define DR_ERR_MSG(name, msg) msg,
    DR_ERRORS(DR_ERR_MSG)
#undef DR_ERR_MSG
};

static const char *const err_names[] = {
#define DR_ERR_NAME(name, msg) #name,
    DR_ERRORS(DR_ERR_NAME)
#undef DR_ERR_NAME
};

const char *
dr_strerror(enum dr_err code)
{
    if ((unsigned)code >= DR_E__COUNT)
        code = DR_E_INTERNAL;
    return _(err_messages[code]);
}

const char *
dr_errname(enum dr_err code)
{
    if ((unsigned)code >= DR_E__COUNT)
        code = DR_E_INTERNAL;
    return err_names[code];
}

enum dr_err
dr_error_vset(struct dr_error *e, enum dr_err code, const char *fmt, va_list ap)
{
    if (e == NULL)
        return code;
    e->code = code;
    e->cause[0] = '\0';
    if (fmt == NULL)
        snprintf(e->msg, sizeof e->msg, "%s", dr_strerror(code));
    else
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

enum dr_err
dr_error_set(struct dr_error *e, enum dr_err code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    dr_error_vset(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void
dr_error_cause(struct dr_error *e, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(e->cause, sizeof e->cause, fmt, ap);
    va_end(ap);
}

void
dr_error_prefix(struct dr_error *e, const char *fmt, ...)
{
    char prefix[512], old[sizeof e->msg];
    va_list ap;

    if (e == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    snprintf(e->msg, sizeof e->msg, "%s: %s", prefix, old[0] ? old : dr_strerror(e->code));
}

void
dr_error_clear(struct dr_error *e)
{
    if (e == NULL)
        return;
    e->code = DR_E_OK;
    e->msg[0] = '\0';
    e->cause[0] = '\0';
}

const char *
dr_error_text(const struct dr_error *e)
{
    if (e == NULL)
        return "";
    return e->msg[0] ? e->msg : dr_strerror(e->code);
}
