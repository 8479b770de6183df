/* subreap: run a command as a child subreaper and report the CPU time of
 * everything it started, detached daemons included.
 *
 *   subreap [-o FILE] -- CMD ARGS...
 *
 * The process becomes a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER), so
 * a descendant whose parent exits (an sshd that a node launcher left running)
 * is re-parented to it instead of to init. It runs CMD, waits for it, then
 * keeps reaping until no descendant is left, and writes "USER_MS SYS_MS
 * MAXRSS_KIB EXIT" (getrusage(2) RUSAGE_CHILDREN: the sum over every waited-for
 * descendant, milliseconds; the largest resident set in KiB; CMD's exit status)
 * to FILE or stderr. Its own CPU is not counted. Exits with CMD's status. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *out = NULL;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
        out = argv[i + 1];
        i += 2;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc) {
        fprintf(stderr, "usage: subreap [-o FILE] -- CMD ARGS...\n");
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        perror("subreap: prctl(PR_SET_CHILD_SUBREAPER)");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("subreap: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[i], argv + i);
        fprintf(stderr, "subreap: %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    int status = 0, rc = 0;
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, 0);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: every descendant is reaped */
        }
        if (w == pid)
            status = st;
    }
    if (WIFEXITED(status))
        rc = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        rc = 128 + WTERMSIG(status);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    FILE *f = out ? fopen(out, "w") : stderr;
    if (!f) {
        perror(out);
        return 2;
    }
    fprintf(f, "%ld %ld %ld %d\n",
            (long)ru.ru_utime.tv_sec * 1000 + (long)ru.ru_utime.tv_usec / 1000,
            (long)ru.ru_stime.tv_sec * 1000 + (long)ru.ru_stime.tv_usec / 1000,
            (long)ru.ru_maxrss, rc);
    if (out)
        fclose(f);
    return rc;
}
