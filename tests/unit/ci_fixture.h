/* Shared by the cloud-init unit tests (test_cloudinit.c, test_cicheck.c): a
 * private folder and two fresh ed25519 key pairs per test, and the real
 * tools the rendered user-data is checked with (`cloud-init schema`,
 * python3-yaml). */
#ifndef DR_TEST_CI_FIXTURE_H
#define DR_TEST_CI_FIXTURE_H

#include "core/keys.h"

/* The test's folder, the node's host key, the cluster's client key and its
 * public line (ci_setup makes them, ci_teardown removes and frees them). */
extern char tmpdir[64];
extern struct dr_keypair host_key, client_key;
extern char *client_pub;

/* Make tmpdir from pattern (mkdtemp's, "...XXXXXX") and the two key pairs
 * with these comments; any failure fails the test. */
void ci_setup(const char *pattern, const char *host_comment, const char *client_comment);
/* A Check teardown: remove tmpdir, free the keys. */
void ci_teardown(void);
/* system(cmd)'s exit status, -1 when it did not exit. */
int sh(const char *cmd);
/* Write text to tmpdir/name (0600); returns the path (caller frees). */
char *write_tmp(const char *name, const char *text);
/* The real validator: exit 0 or the test fails with its output. */
void assert_schema_valid(const char *path);
/* Read a value out of the YAML at path with a real parser: python3's
 * str(EXPR) where `d` is the document (caller frees). */
char *yaml_get(const char *path, const char *expr);

#endif
