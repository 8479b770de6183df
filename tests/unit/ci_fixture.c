/* The cloud-init unit tests' shared fixture and tools: see ci_fixture.h. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/err.h"
#include "core/keys.h"
#include "core/util.h"
#include "ci_fixture.h"

char tmpdir[64];
struct dr_keypair host_key, client_key;
char *client_pub;

void
ci_setup(const char *pattern, const char *host_comment, const char *client_comment)
{
    struct dr_error e = {0};

    snprintf(tmpdir, sizeof tmpdir, "%s", pattern);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_int_eq(keys_generate(&host_key, host_comment, &e), DR_E_OK);
    ck_assert_int_eq(keys_generate(&client_key, client_comment, &e), DR_E_OK);
    client_pub = keys_public_line(&client_key);
}

void
ci_teardown(void)
{
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(client_pub);
    keys_done(&host_key);
    keys_done(&client_key);
}

int
sh(const char *cmd)
{
    int rc = system(cmd);

    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

char *
write_tmp(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", tmpdir, name);
    struct dr_error e = {0};

    ck_assert_int_eq(util_write_atomic(path, text, strlen(text), 0600, &e), DR_E_OK);
    return path;
}

void
assert_schema_valid(const char *path)
{
    char *cmd = xasprintf("cloud-init schema -c '%s' >'%s.schema' 2>&1", path, path);
    int rc = sh(cmd);

    if (rc != 0) {
        char *out = NULL;
        size_t len;
        char *log = xasprintf("%s.schema", path);
        util_read_file(log, &out, &len, NULL);
        ck_abort_msg("cloud-init schema failed (%d) for %s:\n%s", rc, path, out ? out : "");
    }
    free(cmd);
}

char *
yaml_get(const char *path, const char *expr)
{
    char *cmd = xasprintf("/usr/bin/python3 -c 'import sys,yaml; d=yaml.safe_load(open(sys.argv[1])); "
                          "sys.stdout.write(str((%s)))' '%s'",
                          expr, path);
    FILE *p = popen(cmd, "r");
    char buf[8192];
    size_t n;

    ck_assert_ptr_nonnull(p);
    n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    free(cmd);
    return xstrdup(buf);
}

