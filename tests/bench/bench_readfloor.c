/* The floor for the console's start (tests/bench/tui_bench.py): read every
 * file the store loads, in the order it loads them (scandir, alphasort),
 * whole, without parsing. Arguments are folders (their visible files are
 * read) or files; with --libconfig first, each file is also parsed by
 * libconfig alone, on this one thread (the floor for a parse that keeps
 * libconfig, before drover's checks). Prints the files and bytes read; the
 * benchmark times the process from exec to exit, as it times drover from
 * exec to its first frame. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t files, bytes, parsed;
static int use_libconfig;

static void
read_whole(const char *path)
{
    static char *buf;
    static size_t cap;
    size_t n = 0;
    ssize_t r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        if (errno != ENOENT)
            fprintf(stderr, "bench_readfloor: %s: %s\n", path, strerror(errno));
        return;
    }
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = (n + 65536 + 1) * 2;
            buf = realloc(buf, cap);
            if (buf == NULL)
                exit(1);
        }
        r = read(fd, buf + n, 65536);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    bytes += n;
    files++;
    if (use_libconfig) {
        config_t cfg;
        buf[n] = '\0';
        config_init(&cfg);
        parsed += config_read_string(&cfg, buf) == CONFIG_TRUE;
        config_destroy(&cfg);
    }
}

static int
visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

int
main(int argc, char **argv)
{
    int first = 1;

    if (argc > 1 && strcmp(argv[1], "--libconfig") == 0) {
        use_libconfig = 1;
        first = 2;
    }
    for (int i = first; i < argc; i++) {
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
    if (use_libconfig)
        printf("%zu files, %zu bytes, %zu parsed\n", files, bytes, parsed);
    else
        printf("%zu files, %zu bytes\n", files, bytes);
    return 0;
}
