/* libFuzzer target for the parsers that read outside input in keys and
 * cloud-init: OpenSSH private and public keys (files an operator may swap in)
 * and a template's extra user-data (the merge rule's line parser). The first
 * byte picks the parser. Built as a corpus replay for `make check` when
 * fuzzing is off (DR_REPLAY_MAIN). */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap/cloudinit.h"
#include "core/keys.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dr_keypair k;
    struct dr_error e = {0};
    char *text;

    if (size == 0)
        return 0;
    text = xstrndup((const char *)data + 1, size - 1);
    switch (data[0] % 4) {
    case 0:
        if (keys_parse_private(text, "fuzz", &k, &e) == DR_E_OK) {
            char *again = keys_private_openssh(&k);
            struct dr_keypair k2;
            if (keys_parse_private(again, "again", &k2, &e) != DR_E_OK ||
                memcmp(k.pub, k2.pub, sizeof k.pub) != 0)
                abort(); /* what we write must read back */
            keys_free_secret(&again);
            keys_done(&k2);
            keys_done(&k);
        }
        break;
    case 1:
        if (keys_parse_public(text, "fuzz", &k, &e) == DR_E_OK) {
            char *fp = keys_fingerprint(&k), *line = keys_public_line(&k);
            free(fp);
            free(line);
            keys_done(&k);
        }
        break;
    case 2: {
        struct dr_template t = {.name = (char *)"fuzz", .user_data = text};
        ci_check_user_data(&t, &e);
        break;
    }
    default: {
        char *q = ci_yaml_quote(text);
        free(q);
        break;
    }
    }
    free(text);
    return 0;
}

#ifdef DR_REPLAY_MAIN
/* Run every seed (and its prefixes) through the target. */
int
main(int argc, char **argv)
{
    const char *top = getenv("top_srcdir");
    char *dir =
        argc > 1 ? xstrdup(argv[1]) : xasprintf("%s/tests/fuzz/corpus/keys", top ? top : "..");
    DIR *d = opendir(dir);
    struct dirent *de;
    int files = 0;

    if (d == NULL) {
        perror(dir);
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        struct dr_error e = {0};
        char *p, *buf;
        size_t len;
        if (de->d_name[0] == '.')
            continue;
        p = util_path_join(dir, de->d_name);
        if (util_read_file(p, &buf, &len, &e) != DR_E_OK) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
        for (size_t cut = 0; cut <= len; cut += cut < 64 ? 1 : 37)
            LLVMFuzzerTestOneInput((const uint8_t *)buf, cut);
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        free(buf);
        free(p);
        files++;
    }
    closedir(d);
    free(dir);
    /* No private key lives in the corpus: feed a fresh one and its prefixes. */
    struct dr_keypair k;
    struct dr_error e = {0};
    if (keys_generate(&k, "replay", &e) != DR_E_OK)
        return 1;
    char *pem = keys_private_openssh(&k), *in = xasprintf("%c%s", 0, pem);
    size_t n = strlen(pem) + 1;
    for (size_t cut = 0; cut <= n; cut++)
        LLVMFuzzerTestOneInput((const uint8_t *)in, cut);
    in[40] ^= 1; /* a damaged byte inside the base64 */
    LLVMFuzzerTestOneInput((const uint8_t *)in, n);
    keys_free_secret(&pem);
    free(in);
    keys_done(&k);
    printf("replayed %d seeds\n", files);
    return files > 0 ? 0 : 1;
}
#endif
