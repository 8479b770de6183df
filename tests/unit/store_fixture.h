/* Shared by the store's unit tests: a private config and state folder per
 * test, files written into them, and diagnostics checked by their text. */
#ifndef DR_TEST_STORE_FIXTURE_H
#define DR_TEST_STORE_FIXTURE_H

#include <sys/types.h>

#include "core/store.h"

extern char top[64];
extern char *cfg_dir, *state_dir;
extern const char good_vcenters[], good_template[], good_cluster[];

void setup(void);
void teardown(void);
/* Write text to base/rel (folders made as needed) with mode. */
void put(const char *base, const char *rel, const char *text, mode_t mode);
/* store_init + store_load on the test's folders; both must succeed. */
void load(struct dr_store *s);
char *all_diags(const struct dr_store *s);
void assert_diag(const struct dr_store *s, const char *want);
void assert_no_diags(const struct dr_store *s);
/* A vCenter, the template "worker" and the cluster "prod", all valid. */
void put_good(void);

#endif
