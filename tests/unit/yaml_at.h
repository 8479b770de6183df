/* Reading YAML back in unit tests, with libyaml as a client would: the
 * scalar at a path ("clusters.0.cluster.server"). */
#ifndef DR_TEST_YAML_AT_H
#define DR_TEST_YAML_AT_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* The scalar at path in YAML text (newly allocated), "<seq>" or "<map>" for
 * a collection, NULL when absent; the test fails when text is not YAML. */
char *yaml_at(const char *text, const char *path);

#define ck_at(text, path, want)                                                                    \
    do {                                                                                           \
        char *got_ = yaml_at(text, path);                                                          \
        ck_assert_msg(got_ && !strcmp(got_, want), "%s: got %s, want %s", path,                    \
                      got_ ? got_ : "(none)", want);                                               \
        free(got_);                                                                                \
    } while (0)
#define ck_none(text, path)                                                                        \
    do {                                                                                           \
        char *got_ = yaml_at(text, path);                                                          \
        ck_assert_msg(got_ == NULL, "%s: got %s", path, got_);                                     \
        free(got_);                                                                                \
    } while (0)

#endif
