#include "config.h"

#include <langinfo.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <wchar.h>

#include "core/util.h"
#include "ui/text.h"

bool
text_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);

    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Decode one character at s: its byte length, cell width, and whether it can
 * be shown as is (else it is replaced by '?'). */
static size_t
next_char(const char *s, size_t avail, int *cells, bool *ok)
{
    mbstate_t st;
    wchar_t wc;
    size_t r;
    int w;

    memset(&st, 0, sizeof st);
    r = mbrtowc(&wc, s, avail, &st);
    if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
        *cells = 1;
        *ok = false;
        return 1;
    }
    w = wcwidth(wc);
    if (w < 0) {
        *cells = 1;
        *ok = false;
        return r;
    }
    *cells = w;
    *ok = true;
    return r;
}

int
text_width(const char *s)
{
    size_t len = s ? strlen(s) : 0;
    int total = 0;

    for (size_t i = 0; i < len;) {
        int cells;
        bool ok;
        i += next_char(s + i, len - i, &cells, &ok);
        total += cells;
    }
    return total;
}

char *
text_fit(char *buf, size_t len, const char *s, int width, bool right)
{
    bool utf8 = text_utf8();
    const char *ell = utf8 ? "\xe2\x80\xa6" : "~";
    size_t slen = s ? strlen(s) : 0, o = 0;
    int used = 0, total, room;

    if (len == 0)
        return buf;
    if (width <= 0) {
        buf[0] = '\0';
        return buf;
    }
    total = text_width(s);
    /* Leave a cell for the ellipsis when the text does not fit. */
    room = total > width ? width - 1 : width;
    if (right && total < width) {
        for (int i = 0; i < width - total && o + 1 < len; i++)
            buf[o++] = ' ';
        used = width - total;
        room = width;
    }
    for (size_t i = 0; i < slen;) {
        int cells;
        bool ok;
        size_t n = next_char(s + i, slen - i, &cells, &ok);

        if (used + cells > (total > width ? room : width))
            break;
        if (ok && o + n + 1 < len) {
            memcpy(buf + o, s + i, n);
            o += n;
        } else if (o + 2 < len) {
            buf[o++] = '?';
        }
        used += cells;
        i += n;
    }
    if (total > width) {
        /* A wide character that did not fit leaves a gap before the ellipsis. */
        while (used < width - 1 && o + 1 < len) {
            buf[o++] = ' ';
            used++;
        }
        if (o + strlen(ell) + 1 <= len) {
            memcpy(buf + o, ell, strlen(ell));
            o += strlen(ell);
            used++;
        }
    }
    while (used < width && o + 1 < len) {
        buf[o++] = ' ';
        used++;
    }
    buf[o] = '\0';
    return buf;
}

int
text_wrap(const char *text, int width, char **out, int max)
{
    const char *p = text;
    int n = 0;

    while (*p && n < max) {
        size_t len = strlen(p), cut = len, last_space = 0;
        char *probe;

        if (width < 4)
            width = 4;
        /* The longest prefix that fits, ended at a space when there is one. */
        for (size_t i = 1; i <= len; i++) {
            if ((p[i] & 0xc0) == 0x80)
                continue;
            probe = xstrndup(p, i);
            if (text_width(probe) > width) {
                free(probe);
                cut = last_space ? last_space : i - 1;
                break;
            }
            free(probe);
            if (p[i] == ' ')
                last_space = i;
        }
        if (cut == 0)
            cut = 1;
        /* The last line that fits keeps the rest, cut with an ellipsis. */
        out[n] = n == max - 1 ? xstrdup(p) : xstrndup(p, cut);
        if (++n == max)
            break;
        p += cut;
        while (*p == ' ')
            p++;
    }
    return n;
}
