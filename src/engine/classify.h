/* Failure classes: which errors are worth retrying (transient) and which
 * can never succeed without the operator (permanent). One table
 * (classify.c) decides; the worker retries transient errors with backoff
 * and puts the node in ERROR at once on a permanent one, with the entry's
 * advice. */
#ifndef DR_ENGINE_CLASSIFY_H
#define DR_ENGINE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum eng_class {
    ENG_TRANSIENT, /* may clear by itself: retried with the backoff */
    ENG_PERMANENT, /* needs the operator: ERROR at once */
};

/* One row: an error code (cause NULL: any error of that code not matched by
 * a cause row), or a cause (see struct dr_error; code is then ignored). A
 * cause ending in '*' matches every cause that starts with the rest
 * ("http:5*"). */
struct eng_class_rule {
    enum dr_err code;
    const char *cause;
    enum eng_class cls;
    const char *why;  /* why this class (untranslated, for readers of the code and the tests) */
    const char *todo; /* what the operator does; NULL when the message says it */
};

/* The table, in lookup order: cause rows first, then one row per code. */
const struct eng_class_rule *eng_class_rules(size_t *n);

/* The row that classes err: the first cause row matching err->cause, else
 * the row of err->code. Never NULL (an unknown code classes as INTERNAL). */
const struct eng_class_rule *eng_classify(const struct dr_error *err);

/* True when retrying cannot help: the node goes to ERROR at once. */
bool error_is_permanent(const struct dr_error *err);

#endif
