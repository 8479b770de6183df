#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "core/store.h"
#include "core/util.h"

#include "store_fixture.h"
/* Every test gets its own config and state folders under one mkdtemp. */
char top[64];
char *cfg_dir, *state_dir;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void
setup(void)
{
    strcpy(top, "/tmp/drover-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top));
    cfg_dir = util_path_join(top, "config");
    state_dir = util_path_join(top, "state");
    ck_assert_int_eq(mkdir(cfg_dir, 0700), 0);
    ck_assert_int_eq(mkdir(state_dir, 0700), 0);
}

void
teardown(void)
{
    nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    xfree(&cfg_dir);
    xfree(&state_dir);
}

void
put(const char *base, const char *rel, const char *text, mode_t mode)
{
    char *path = util_path_join(base, rel);
    char *dir = util_dirname(path);
    struct dr_error e = {0};
    FILE *f;

    ck_assert_int_eq(util_mkdir_p(dir, 0700, &e), DR_E_OK);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(chmod(path, mode), 0);
    free(dir);
    free(path);
}

void
load(struct dr_store *s)
{
    struct dr_error e = {0};

    ck_assert_int_eq(store_init(s, cfg_dir, state_dir, &e), DR_E_OK);
    ck_assert_int_eq(store_load(s, &e), DR_E_OK);
}

/* The diagnostics, one per line, for messages when an assertion fails. */
char *
all_diags(const struct dr_store *s)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < s->n_diags; i++) {
        char *d = store_diag_format(&s->diags[i]);
        char *n = xasprintf("%s%s\n", out, d);
        free(d);
        free(out);
        out = n;
    }
    return out;
}

void
assert_diag(const struct dr_store *s, const char *want)
{
    char *all = all_diags(s);
    bool found = false;

    for (size_t i = 0; i < s->n_diags && !found; i++) {
        char *d = store_diag_format(&s->diags[i]);
        found = strcmp(d, want) == 0;
        free(d);
    }
    ck_assert_msg(found, "expected diagnostic '%s', got:\n%s", want, all);
    free(all);
}

void
assert_no_diags(const struct dr_store *s)
{
    char *all = all_diags(s);

    ck_assert_msg(s->n_diags == 0, "unexpected diagnostics:\n%s", all);
    free(all);
}

const char good_vcenters[] =
    "vcenters = (\n"
    "  { name = \"lab\"; url = \"https://127.0.0.1:8989/sdk\"; user = \"u\";\n"
    "    password = \"s3cret-pw\"; insecure = true; }\n"
    ");\n";

const char good_template[] = "vcenter = \"lab\";\n"
                             "datacenter = \"DC0\";\n"
                             "cluster = \"DC0_C0\";\n"
                             "datastore = \"LocalDS_0\";\n"
                             "clone_from = \"ubuntu\";\n"
                             "cpus = 2;\n"
                             "memory_mib = 2048;\n";

const char good_cluster[] =
    "distribution = \"k3s\";\n"
    "vcenter = \"lab\";\n"
    "pools = (\n"
    "  { name = \"server\"; template = \"worker\"; quantity = 1;\n"
    "    roles = [ \"etcd\", \"control-plane\" ]; },\n"
    "  { name = \"agent\"; template = \"worker\"; quantity = 2; roles = [ \"worker\" ]; }\n"
    ");\n";

void
put_good(void)
{
    put(cfg_dir, "vcenters.cfg", good_vcenters, 0600);
    put(cfg_dir, "templates/worker.cfg", good_template, 0644);
    put(cfg_dir, "clusters/prod.cfg", good_cluster, 0644);
}
