/* Start and stop a private lab instance (tests/lab/lab) from a C test, and
 * read its settings. */
#ifndef DR_TEST_LABENV_H
#define DR_TEST_LABENV_H

#include <stdbool.h>

struct dr_vcenter;

struct labenv {
    char *state; /* the instance's folder */
    char **keys;
    char **values;
    int n;
};

/* Exit 77 (skip) when the simulator is not built. */
void labenv_require(void);
/* lab up with extra options (a shell-safe string of flags); false on failure. */
bool labenv_up(struct labenv *l, const char *options);
void labenv_down(struct labenv *l);
/* A LAB_* value (without the prefix is fine too), or "" when unset. */
const char *labenv_get(const struct labenv *l, const char *key);
/* The path of a file in the state folder, newly allocated. */
char *labenv_path(const struct labenv *l, const char *name);
/* Fill vc (zeroed first) for the lab's vCenter: named "lab", the lab's URL,
 * user and certificate pin, a 30 s timeout; its strings are l's. */
void labenv_vcenter(const struct labenv *l, struct dr_vcenter *vc);

#endif
