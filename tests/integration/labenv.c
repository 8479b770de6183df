#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/model.h"
#include "core/util.h"
#include "labenv.h"

static const char *
env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);

    return v && *v ? v : dflt;
}

void
labenv_require(void)
{
    char *vcsim = xasprintf("%s/tests/lab/vcsim/drover-vcsim", env_or("top_builddir", "."));

    if (access(vcsim, X_OK) != 0) {
        printf("SKIP: %s is not built (no Go toolchain)\n", vcsim);
        exit(77);
    }
    free(vcsim);
}

/* Undo the shell quoting of the lab's env file: 'a'\''b' -> a'b. */
static char *
unquote(const char *s)
{
    char *out = xmalloc(strlen(s) + 1), *o = out;
    bool in = false;

    for (; *s; s++) {
        if (*s == '\'')
            in = !in;
        else if (!in && *s == '\\' && s[1])
            *o++ = *++s;
        else if (in || (*s != '\n'))
            *o++ = *s;
    }
    *o = '\0';
    return out;
}

bool
labenv_up(struct labenv *l, const char *options)
{
    const char *top = env_or("top_builddir", "."), *src = env_or("top_srcdir", "..");
    char line[4096], *cmd, *envfile;
    FILE *f;
    int rc;

    memset(l, 0, sizeof *l);
    cmd = xasprintf("%s/tests/lab/run", top);
    mkdir(cmd, 0700);
    free(cmd);
    l->state = xasprintf("%s/tests/lab/run/c.XXXXXX", top);
    if (mkdtemp(l->state) == NULL) {
        perror("mkdtemp");
        return false;
    }
    cmd = xasprintf("LAB_VCSIM='%s/tests/lab/vcsim/drover-vcsim' bash '%s/tests/lab/lab' up "
                    "--state '%s' %s >/dev/null",
                    top, src, l->state, options ? options : "");
    rc = system(cmd);
    free(cmd);
    if (rc != 0)
        return false;
    envfile = labenv_path(l, "env");
    f = fopen(envfile, "r");
    free(envfile);
    if (f == NULL)
        return false;
    while (fgets(line, sizeof line, f)) {
        char *eq = strchr(line, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        l->keys = xrealloc(l->keys, (size_t)(l->n + 1) * sizeof *l->keys);
        l->values = xrealloc(l->values, (size_t)(l->n + 1) * sizeof *l->values);
        l->keys[l->n] = xstrdup(line);
        l->values[l->n] = unquote(eq + 1);
        l->n++;
    }
    fclose(f);
    return true;
}

void
labenv_down(struct labenv *l)
{
    const char *top = env_or("top_builddir", "."), *src = env_or("top_srcdir", "..");
    char *cmd;

    if (l->state == NULL)
        return;
    cmd = xasprintf("LAB_VCSIM='%s/tests/lab/vcsim/drover-vcsim' bash '%s/tests/lab/lab' down "
                    "--state '%s' >/dev/null 2>&1; rm -rf '%s'",
                    top, src, l->state, l->state);
    if (system(cmd) != 0)
        fprintf(stderr, "lab down failed for %s\n", l->state);
    free(cmd);
    for (int i = 0; i < l->n; i++) {
        free(l->keys[i]);
        free(l->values[i]);
    }
    free(l->keys);
    free(l->values);
    free(l->state);
    memset(l, 0, sizeof *l);
}

const char *
labenv_get(const struct labenv *l, const char *key)
{
    char buf[128];

    if (strncmp(key, "LAB_", 4) != 0) {
        snprintf(buf, sizeof buf, "LAB_%s", key);
        key = buf;
    }
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->keys[i], key) == 0)
            return l->values[i];
    return "";
}

char *
labenv_path(const struct labenv *l, const char *name)
{
    return xasprintf("%s/%s", l->state, name);
}

void
labenv_vcenter(const struct labenv *l, struct dr_vcenter *vc)
{
    memset(vc, 0, sizeof *vc);
    vc->name = (char *)"lab";
    vc->url = (char *)labenv_get(l, "URL");
    vc->user = (char *)labenv_get(l, "USER");
    vc->pin = (char *)labenv_get(l, "PIN");
    vc->timeout_s = 30;
}
