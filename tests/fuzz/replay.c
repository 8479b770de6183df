/* Runs a fuzz target over its corpus without libFuzzer, so that `make
 * check` (and the sanitizer build) exercise the parser on every seed.
 * Arguments: files or folders; default $top_srcdir/tests/fuzz/corpus/ and
 * the target's REPLAY_CORPUS. */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target, as with libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The corpus folder under tests/fuzz/corpus that a replay binary runs. */
#ifndef REPLAY_CORPUS
#define REPLAY_CORPUS "soap"
#endif

static int
run_file(const char *path)
{
    char *buf;
    size_t len;
    struct dr_error e = {0};

    if (util_read_file(path, &buf, &len, &e) != DR_E_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    /* Every prefix too: truncated responses are what a dropped connection gives. */
    for (size_t cut = 0; cut < len; cut += 97)
        LLVMFuzzerTestOneInput((const uint8_t *)buf, cut);
    free(buf);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *top = getenv("top_srcdir");
    char *dflt = xasprintf("%s/tests/fuzz/corpus/" REPLAY_CORPUS, top ? top : "..");
    char *one[] = {argv[0], dflt, NULL};
    int files = 0, rc = 0;

    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        argv = one;
        argc = 2;
    }
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *de;
        if (d == NULL) {
            rc |= run_file(argv[i]);
            files++;
            continue;
        }
        while ((de = readdir(d)) != NULL) {
            char *p;
            if (de->d_name[0] == '.')
                continue;
            p = util_path_join(argv[i], de->d_name);
            rc |= run_file(p);
            files++;
            free(p);
        }
        closedir(d);
    }
    printf("%d inputs\n", files);
    free(dflt);
    return rc || files == 0;
}
