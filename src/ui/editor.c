#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "ui/editor.h"

/* Run the editor on path with the terminal in its ordinary mode; the exit
 * status, or -1 when it could not run. */
static int
run_editor(const char *path)
{
    struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
    int status = -1;
    pid_t pid;

    /* Ctrl-C in the editor is the editor's: the console must not take it
     * for a request to quit. */
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGQUIT, SIG_DFL);
        signal(SIGWINCH, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        /* The editor variable may carry arguments ("code -w"), as git allows. */
        execl("/bin/sh", "sh", "-c", "$DROVER_EDITOR \"$1\"", "sh", path, (char *)NULL);
        _exit(127);
    }
    if (pid > 0) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    return status;
}

enum dr_err
ui_edit_text(struct ui *ui, const char *dir, const char *text, char **out, bool *changed,
             struct dr_error *e)
{
    char *path = util_path_join(dir, "edit-XXXXXX.yaml");
    const char *ed = getenv("VISUAL");
    enum dr_err rc;
    size_t len = 0;
    int fd, status;

    *out = NULL;
    *changed = false;
    if ((rc = util_mkdir_p(dir, 0700, e)) != DR_E_OK) {
        free(path);
        return rc;
    }
    fd = mkstemps(path, 5); /* 0600 */
    if (fd < 0) {
        rc = dr_error_set(e, DR_E_IO, _("%s: cannot create: %s"), path, strerror(errno));
        free(path);
        return rc;
    }
    if (text && write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        rc = dr_error_set(e, DR_E_IO, _("%s: cannot write: %s"), path, strerror(errno));
        close(fd);
        unlink(path);
        free(path);
        return rc;
    }
    close(fd);
    if (ed == NULL || *ed == '\0')
        ed = getenv("EDITOR");
    setenv("DROVER_EDITOR", ed && *ed ? ed : "vi", 1);
    def_prog_mode();
    endwin();
    status = run_editor(path);
    reset_prog_mode();
    ui->full_repaint = true;
    ui_dirty_all(ui);
    if (status != 0) {
        rc = dr_error_set(e, DR_E_INVAL, _("the editor ($VISUAL, $EDITOR or vi) exited with "
                                           "status %d: nothing changed"),
                          status);
    } else {
        rc = util_read_file(path, out, &len, e);
        if (rc == DR_E_OK)
            *changed = !str_eq(*out, text ? text : "");
    }
    unlink(path);
    free(path);
    return rc;
}
