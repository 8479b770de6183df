/* The sudo probe before a recipe (recipe.h, recipe_check_sudo): a recipe
 * that runs `sudo -n` as a user who needs a password fails the same way on
 * every retry; find that out first and say what to change. The words are
 * sudo's own (sudo 1.9: "a password is required", "you must have a tty to
 * run sudo" for sudoers' "Defaults requiretty", "is not in the sudoers
 * file", "may not run sudo"). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bootstrap/recipe.h"
#include "bootstrap/ssh.h"
#include "core/i18n.h"
#include "core/util.h"

/* Exit status of the probe when the node has no sudo at all. */
#define NO_SUDO 100

struct probe {
    ssh_line_fn log_fn;
    void *ud;
    char said[256]; /* sudo's last line */
};

static void
on_probe_line(void *ud, enum ssh_stream st, const char *line)
{
    struct probe *p = ud;

    if (*line == '\0')
        return;
    snprintf(p->said, sizeof p->said, "%s", line);
    if (p->log_fn)
        p->log_fn(p->ud, st, line);
}

enum sudo_answer { SUDO_OK, SUDO_NONE, SUDO_TTY, SUDO_PASSWORD, SUDO_DENIED, SUDO_OTHER };

static enum dr_err
probe_once(struct ssh_session *s, struct probe *p, enum sudo_answer *answer, int *status,
           long long deadline_ms, struct dr_error *e)
{
    enum dr_err rc;

    p->said[0] = '\0';
    rc = ssh_exec(s, "command -v sudo >/dev/null 2>&1 || exit 100; sudo -n true", on_probe_line,
                  p, status, deadline_ms, e);
    if (rc != DR_E_OK && rc != DR_E_REMOTE)
        return rc;
    if (*status == 0)
        *answer = SUDO_OK;
    else if (*status == NO_SUDO)
        *answer = SUDO_NONE;
    else if (strstr(p->said, "must have a tty"))
        *answer = SUDO_TTY;
    else if (strstr(p->said, "password is required") || strstr(p->said, "terminal is required"))
        *answer = SUDO_PASSWORD;
    else if (strstr(p->said, "not in the sudoers") || strstr(p->said, "may not run sudo") ||
             strstr(p->said, "is not allowed to"))
        *answer = SUDO_DENIED;
    else
        *answer = SUDO_OTHER;
    return DR_E_OK;
}

enum dr_err
recipe_check_sudo(struct ssh_session *s, const char *user, const char *node, ssh_line_fn log_fn,
                  void *ud, long long deadline_ms, struct dr_error *e)
{
    struct probe p = { .log_fn = log_fn, .ud = ud };
    enum sudo_answer a;
    enum dr_err rc;
    int status = -1;

    if (str_empty(user) || str_eq(user, "root"))
        return DR_E_OK;
    rc = probe_once(s, &p, &a, &status, deadline_ms, e);
    if (rc == DR_E_OK && a == SUDO_TTY && !ssh_pty(s)) {
        /* sudoers says requiretty: the recipe gets a terminal. */
        if (log_fn)
            log_fn(ud, SSH_STDOUT, _("sudo requires a tty here: the recipe runs on a "
                                     "pseudo-terminal"));
        ssh_set_pty(s, true);
        rc = probe_once(s, &p, &a, &status, deadline_ms, e);
    }
    if (rc != DR_E_OK) {
        dr_error_prefix(e, _("checking sudo for user \"%s\" on %s"), user, node);
        return rc;
    }
    switch (a) {
    case SUDO_OK:
    case SUDO_NONE:
        return DR_E_OK;
    case SUDO_PASSWORD:
    case SUDO_DENIED:
        dr_error_set(e, DR_E_AUTH,
                     a == SUDO_PASSWORD
                         ? _("user \"%s\" needs passwordless sudo on %s (sudo said: %s); fix: "
                             "the sudoers line \"%s ALL=(ALL) NOPASSWD:ALL\", e.g. through "
                             "cloud-init (the user's entry: sudo: \"ALL=(ALL) NOPASSWD:ALL\")")
                         : _("user \"%s\" may not use sudo on %s (sudo said: %s); fix: the "
                             "sudoers line \"%s ALL=(ALL) NOPASSWD:ALL\", e.g. through "
                             "cloud-init (the user's entry: sudo: \"ALL=(ALL) NOPASSWD:ALL\")"),
                     user, node, p.said, user);
        dr_error_cause(e, a == SUDO_PASSWORD ? "sudo:password" : "sudo:denied");
        return DR_E_AUTH;
    default:
        return dr_error_set(e, DR_E_REMOTE,
                            _("checking sudo for user \"%s\" on %s: `sudo -n true` exited "
                              "with status %d: %s"),
                            user, node, status, p.said[0] ? p.said : _("(no output)"));
    }
}
