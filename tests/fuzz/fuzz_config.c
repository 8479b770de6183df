/* libFuzzer target for the configuration loader: the input is written to a
 * file and read back as each kind of file drover loads (drover.cfg,
 * vcenters.cfg, a template, a cluster, a state file). Whatever loads without
 * a problem must also survive the save path: written out as text and parsed
 * again, it must load again, since a save refuses anything that would not. */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/store_priv.h"
#include "core/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/drover-fuzz-XXXXXX";
static char *path_cfg, *path_state;

static void
cleanup(void)
{
    unlink(path_cfg);
    unlink(path_state);
    rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (mkdtemp(dir) == NULL)
        abort();
    path_cfg = util_path_join(dir, "fuzz.cfg");
    path_state = util_path_join(dir, "fuzz.state");
    atexit(cleanup);
    return 0;
}

static void
put(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
        abort();
}

/* text must parse again without a single diagnostic. */
static void
reload(const char *what, char *text, bool (*check)(struct cfg_ctx *, config_t *))
{
    struct dr_store s = {0};
    struct cfg_ctx c = {.s = &s, .file = what};
    config_t cfg;

    if (!cfg_parse_text(&c, text, &cfg) || !check(&c, &cfg) || s.n_diags != 0) {
        fprintf(stderr, "%s: saved text does not load back:\n%s\n", what, text);
        for (size_t i = 0; i < s.n_diags; i++) {
            char *d = store_diag_format(&s.diags[i]);
            fprintf(stderr, "  %s\n", d);
            free(d);
        }
        abort();
    }
    config_destroy(&cfg);
    store_diags_clear(&s);
    free(text);
}

static bool
check_settings(struct cfg_ctx *c, config_t *cfg)
{
    struct dr_settings v;
    bool ok;

    settings_defaults(&v);
    ok = parse_settings(c, cfg, &v);
    settings_done(&v);
    return ok;
}

static bool
check_vcenters(struct cfg_ctx *c, config_t *cfg)
{
    struct dr_vcenter *v = NULL;
    size_t n = 0;

    if (!parse_vcenters(c, cfg, &v, &n))
        return false;
    for (size_t i = 0; i < n; i++)
        vcenter_done(&v[i]);
    free(v);
    return true;
}

static bool
check_template(struct cfg_ctx *c, config_t *cfg)
{
    struct dr_template t;

    if (!parse_template(c, cfg, "fuzz", &t))
        return false;
    template_done(&t);
    return true;
}

static bool
check_cluster(struct cfg_ctx *c, config_t *cfg)
{
    struct dr_cluster cl;

    if (!parse_cluster(c, cfg, "fuzz", &cl))
        return false;
    cluster_done(&cl);
    return true;
}

static bool
check_status(struct cfg_ctx *c, config_t *cfg)
{
    struct dr_cluster_status st;

    if (!parse_status(c, cfg, "fuzz", &st))
        return false;
    cluster_status_done(&st);
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dr_store s = {0};
    struct dr_error e = {0};
    struct dr_settings set;
    struct dr_vcenter *vc;
    struct dr_template t;
    struct dr_cluster c;
    struct dr_cluster_status st;
    size_t n;

    put(path_cfg, data, size);
    put(path_state, data, size);
    s.config_dir = dir;
    s.state_dir = dir;

    if (store_parse_settings_file(&s, path_cfg, &set, &e) == DR_E_OK)
        reload("drover.cfg", settings_to_text(&set), check_settings);
    settings_done(&set);

    if (store_parse_vcenters_file(&s, path_cfg, &vc, &n, &e) == DR_E_OK) {
        reload("vcenters.cfg", vcenters_to_text(vc, n), check_vcenters);
        for (size_t i = 0; i < n; i++)
            vcenter_done(&vc[i]);
        free(vc);
    }

    if (store_parse_template_file(&s, path_cfg, &t, &e) == DR_E_OK) {
        reload("templates/fuzz.cfg", template_to_text(&t), check_template);
        template_done(&t);
    }

    if (store_parse_cluster_file(&s, path_cfg, &c, &e) == DR_E_OK) {
        reload("clusters/fuzz.cfg", cluster_to_text(&c), check_cluster);
        cluster_done(&c);
    }

    if (store_parse_status_file(&s, path_state, &st, &e) == DR_E_OK) {
        reload("clusters/fuzz.state", status_to_text(&st), check_status);
        cluster_status_done(&st);
    }

    /* Every diagnostic formats. */
    for (size_t i = 0; i < s.n_diags; i++)
        free(store_diag_format(&s.diags[i]));
    store_diags_clear(&s);
    return 0;
}
