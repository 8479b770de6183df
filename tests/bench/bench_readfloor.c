/* The floor for the console's start (tests/bench/tui_bench.py): read every
 * file the store loads, in the order it loads them (scandir, alphasort),
 * whole, without parsing. Arguments are folders (their visible files are
 * read) or files. Prints the files and bytes read; the benchmark times the
 * process from exec to exit, as it times drover from exec to its first
 * frame. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t files, bytes;

static void
read_whole(const char *path)
{
    char buf[65536];
    ssize_t r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        if (errno != ENOENT)
            fprintf(stderr, "bench_readfloor: %s: %s\n", path, strerror(errno));
        return;
    }
    while ((r = read(fd, buf, sizeof buf)) > 0)
        bytes += (size_t)r;
    close(fd);
    files++;
}

static int
visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

int
main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        struct stat st;
        struct dirent **ents = NULL;
        int n;

        if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            read_whole(argv[i]);
            continue;
        }
        n = scandir(argv[i], &ents, visible, alphasort);
        for (int k = 0; k < n; k++) {
            size_t len = strlen(argv[i]) + strlen(ents[k]->d_name) + 2;
            char *p = malloc(len);
            if (p == NULL)
                return 1;
            snprintf(p, len, "%s/%s", argv[i], ents[k]->d_name);
            read_whole(p);
            free(p);
            free(ents[k]);
        }
        free(ents);
    }
    printf("%zu files, %zu bytes\n", files, bytes);
    return 0;
}
