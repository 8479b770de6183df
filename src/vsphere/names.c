/* Inventory names and paths as vCenter writes them. vSphere API, ManagedEntity
 * .name: a '/' in a name is stored as %2f (or %2F), a '\' as %5c and a '%'
 * that does not start one of these as %25; an inventory path joins such
 * escaped names with '/'. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "vsphere/vsphere.h"

/* The character an escape at s ("%2f") stands for, or 0. */
static char
escape_at(const char *s)
{
    if (s[0] != '%' || !isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]))
        return 0;
    if (s[1] == '2' && (s[2] == 'f' || s[2] == 'F'))
        return '/';
    if (s[1] == '5' && (s[2] == 'c' || s[2] == 'C'))
        return '\\';
    if (s[1] == '2' && s[2] == '5')
        return '%';
    return 0;
}

char *
vs_name_unescape(const char *raw)
{
    size_t n = strlen(raw), j = 0;
    char *out = xmalloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        char c = escape_at(raw + i);
        if (c) {
            out[j++] = c;
            i += 2;
        } else {
            out[j++] = raw[i];
        }
    }
    out[j] = '\0';
    return out;
}

char *
vs_name_escape(const char *name)
{
    size_t n = strlen(name), j = 0;
    char *out = xmalloc(3 * n + 1);

    for (size_t i = 0; i < n; i++) {
        if (name[i] == '/') {
            memcpy(out + j, "%2f", 3);
            j += 3;
        } else if (name[i] == '\\') {
            memcpy(out + j, "%5c", 3);
            j += 3;
        } else if (name[i] == '%') {
            memcpy(out + j, "%25", 3);
            j += 3;
        } else {
            out[j++] = name[i];
        }
    }
    out[j] = '\0';
    return out;
}

char **
vs_path_split(const char *path)
{
    char **v = xcalloc(1, sizeof *v);
    const char *p = path;

    if (*p == '/')
        p++;
    while (*p) {
        size_t len = strcspn(p, "/");
        char *seg = xstrndup(p, len);
        char *plain = vs_name_unescape(seg);

        if (len > 0) /* no entity has an empty name: "a//b" is "a/b" */
            strv_push(&v, plain);
        free(plain);
        free(seg);
        p += len;
        if (*p == '/')
            p++;
    }
    return v;
}

bool
vs_name_equal(const char *raw, const char *plain)
{
    char *a = vs_name_unescape(raw);
    bool eq = strcmp(a, plain) == 0;

    free(a);
    return eq;
}
