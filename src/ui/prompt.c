#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/i18n.h"
#include "core/util.h"
#include "ui/draw.h"
#include "ui/feed.h"
#include "ui/ui.h"

/* What `:` completes: the screens, then the commands of its own. */
static const char *const commands[] = {
    "clusters", "cluster", "templates", "template", "nodes", "node", "jobs",
    "events",   "help",    "theme",     "readonly", "quit",  "q",
};

void
ui_prompt_start(struct ui *ui, enum ui_prompt_kind kind, const char *ctx)
{
    struct ui_frame *top = ui_top(ui);
    struct table *t = top && top->ops->table ? top->ops->table(top->st) : NULL;

    ui->prompt = kind;
    ui->pbuf[0] = '\0';
    ui->plen = 0;
    free(ui->pprompt_ctx);
    ui->pprompt_ctx = xstrdup0(ctx);
    /* Editing a filter starts from the one in force. */
    if (kind == PROMPT_FILTER && t && t->filter) {
        snprintf(ui->pbuf, sizeof ui->pbuf, "%s", t->filter);
        ui->plen = strlen(ui->pbuf);
    }
    ui->status[0] = '\0';
    ui_dirty(ui, PANE_STATUS);
}

void
ui_confirm(struct ui *ui, enum ui_action a, const char *arg, const char *fmt, ...)
{
    va_list ap;

    ui_prompt_start(ui, PROMPT_CONFIRM, arg);
    va_start(ap, fmt);
    vsnprintf(ui->pquestion, sizeof ui->pquestion, fmt, ap);
    va_end(ap);
    ui->confirm = a;
}

void
ui_confirm_typed(struct ui *ui, enum ui_action a, const char *arg, const char *fmt, ...)
{
    va_list ap;

    ui_prompt_start(ui, PROMPT_TYPE_NAME, arg);
    va_start(ap, fmt);
    vsnprintf(ui->pquestion, sizeof ui->pquestion, fmt, ap);
    va_end(ap);
    ui->confirm = a;
}

int
ui_delete_node_hint(struct ui *ui)
{
    ui_error(ui, _("A node is removed by scaling its pool down (= on its cluster); "
                   "R replaces it"));
    return UI_HANDLED;
}

/* y runs the confirmed action; anything else answers no. */
static int
confirm_key(struct ui *ui, int key)
{
    char *arg = ui->pprompt_ctx ? xstrdup(ui->pprompt_ctx) : NULL;
    enum ui_action a = ui->confirm;
    int flags = UI_HANDLED | UI_REDRAW_ALL;

    ui->prompt = PROMPT_NONE;
    xfree(&ui->pprompt_ctx);
    ui_dirty(ui, PANE_STATUS);
    if (arg == NULL)
        return flags;
    /* L10N: the key that answers yes to a confirmation question. */
    if (key == 'y' || key == 'Y' || (key < 128 && key == _("y")[0])) {
        char *slash = strchr(arg, '/');
        if (a == ACT_QUIT)
            ui->quit = true;
        else if (a == ACT_DELETE)
            flags |= feed_delete_cluster(ui, arg);
        else if (a == ACT_REPLACE && slash) {
            *slash = '\0';
            flags |= feed_replace_node(ui, arg, slash + 1);
        }
    } else {
        ui_status(ui, _("Nothing changed"));
    }
    free(arg);
    return flags;
}

static void
prompt_end(struct ui *ui)
{
    ui->prompt = PROMPT_NONE;
    xfree(&ui->pprompt_ctx);
    ui_dirty(ui, PANE_STATUS);
}

static void
append_key(struct ui *ui, int key)
{
    char mb[MB_LEN_MAX];
    mbstate_t st;
    size_t n;

    memset(&st, 0, sizeof st);
    n = wcrtomb(mb, (wchar_t)key, &st);
    if (n == (size_t)-1 || ui->plen + n + 1 > sizeof ui->pbuf)
        return;
    memcpy(ui->pbuf + ui->plen, mb, n);
    ui->plen += n;
    ui->pbuf[ui->plen] = '\0';
}

static void
backspace(struct ui *ui)
{
    while (ui->plen > 0) {
        ui->plen--;
        if ((ui->pbuf[ui->plen] & 0xc0) != 0x80)
            break;
    }
    ui->pbuf[ui->plen] = '\0';
}

static void
live_filter(struct ui *ui)
{
    struct ui_frame *top = ui_top(ui);
    struct table *t = top && top->ops->table ? top->ops->table(top->st) : NULL;

    if (t) {
        table_set_filter(t, ui->pbuf);
        ui_dirty_all(ui);
    }
}

/* Complete the word being typed: commands first, theme names after ":theme". */
static void
complete(struct ui *ui)
{
    char **cands = NULL;
    const char *word;
    size_t wlen, common = 0;
    bool theme_arg = str_has_prefix(ui->pbuf, "theme ");

    word = theme_arg ? ui->pbuf + 6 : ui->pbuf;
    wlen = strlen(word);
    if (theme_arg) {
        char **names = theme_list(ui_user_theme_dir(ui));
        for (size_t i = 0; names[i]; i++) {
            if (strncmp(names[i], word, wlen) == 0)
                strv_push(&cands, names[i]);
        }
        strv_free(&names);
    } else if (strchr(ui->pbuf, ' ') == NULL) {
        for (size_t i = 0; i < DR_ARRAY_LEN(commands); i++) {
            if (strncmp(commands[i], word, wlen) == 0)
                strv_push(&cands, commands[i]);
        }
    }
    if (cands == NULL) {
        ui_error(ui, _("No completion"));
        return;
    }
    /* The longest prefix all candidates share. */
    common = strlen(cands[0]);
    for (size_t i = 1; cands[i]; i++) {
        size_t k = 0;
        while (k < common && cands[i][k] == cands[0][k])
            k++;
        common = k;
    }
    if (common > wlen) {
        size_t off = (size_t)(word - ui->pbuf);
        snprintf(ui->pbuf + off, sizeof ui->pbuf - off, "%.*s", (int)common, cands[0]);
        ui->plen = strlen(ui->pbuf);
    }
    if (cands[1] == NULL && ui->plen + 2 < sizeof ui->pbuf && !theme_arg) {
        ui->pbuf[ui->plen++] = ' ';
        ui->pbuf[ui->plen] = '\0';
    }
    strv_free(&cands);
}

static int
accept(struct ui *ui)
{
    char line[sizeof ui->pbuf];
    char *ctx = ui->pprompt_ctx ? xstrdup(ui->pprompt_ctx) : NULL;
    enum ui_prompt_kind kind = ui->prompt;
    int flags = UI_HANDLED | UI_REDRAW_ALL;

    snprintf(line, sizeof line, "%s", ui->pbuf);
    prompt_end(ui);
    if (kind == PROMPT_COMMAND) {
        flags |= ui_command(ui, line);
    } else if (kind == PROMPT_FILTER) {
        live_filter(ui);
    } else if (kind == PROMPT_TYPE_NAME && ctx) {
        if (strcmp(line, ctx) != 0)
            ui_status(ui, _("Nothing changed: '%s' is not the name"), line);
        else if (ui->confirm == ACT_DELETE)
            flags |= feed_delete_cluster(ui, ctx);
    } else if (kind == PROMPT_NUMBER && ctx) {
        char *end, *pool = strchr(ctx, '/');
        long q = strtol(line, &end, 10);
        if (pool == NULL || end == line || *end != '\0' || q < 0 || q > 1000) {
            ui_error(ui, _("Not a quantity: '%s'"), line);
        } else {
            *pool++ = '\0';
            flags |= feed_scale_pool(ui, ctx, pool, (int)q);
        }
    }
    free(ctx);
    return flags;
}

int
draw_prompt_key(struct ui *ui, int key)
{
    ui_dirty(ui, PANE_STATUS);
    if (ui->prompt == PROMPT_CONFIRM)
        return confirm_key(ui, key);
    if (key == UI_KEY_ESC || key == UI_KEY_CTRL('g')) {
        if (ui->prompt == PROMPT_FILTER) {
            ui->pbuf[0] = '\0';
            ui->plen = 0;
            live_filter(ui);
        }
        prompt_end(ui);
        return UI_HANDLED | UI_REDRAW_ALL;
    }
    if (key == '\n' || key == '\r')
        return accept(ui);
    if (key == '\t' && ui->prompt == PROMPT_COMMAND) {
        complete(ui);
        return UI_HANDLED;
    }
    if (key == (UI_KEY_FN | KEY_BACKSPACE)) {
        if (ui->plen == 0) {
            prompt_end(ui);
            return UI_HANDLED | UI_REDRAW_ALL;
        }
        backspace(ui);
    } else if (key == UI_KEY_CTRL('u')) {
        ui->pbuf[0] = '\0';
        ui->plen = 0;
    } else if (key >= ' ' && !(key & UI_KEY_FN) && key != 127) {
        append_key(ui, key);
    } else {
        return UI_HANDLED;
    }
    if (ui->prompt == PROMPT_FILTER)
        live_filter(ui);
    return UI_HANDLED;
}
