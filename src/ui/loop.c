#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "ui/console.h"
#include "ui/draw.h"
#include "ui/feed.h"
#include "ui/termtype.h"
#include "ui/text.h"
#include "ui/ui.h"
#include "ui/watch.h"

/* Progress-driven redraws at most ten times a second. */
#define REDRAW_INTERVAL_MS 100

static int sig_pipe[2] = {-1, -1};

/* Only a byte into a pipe: everything else happens in the loop. */
static void
on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;

    if (write(sig_pipe[1], &b, 1) < 0) {
        /* The pipe is full: the loop will see the earlier bytes. */
    }
    errno = saved;
}

static bool
pipe_nonblock(int p[2])
{
    if (pipe(p) != 0)
        return false;
    for (int i = 0; i < 2; i++) {
        fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
        fcntl(p[i], F_SETFD, FD_CLOEXEC);
    }
    return true;
}

static void
signals_install(void)
{
    struct sigaction sa;
    const int sigs[] = {SIGWINCH, SIGTERM, SIGINT, SIGHUP};

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < DR_ARRAY_LEN(sigs); i++)
        sigaction(sigs[i], &sa, NULL);
}

static void
signals_restore(void)
{
    const int sigs[] = {SIGWINCH, SIGTERM, SIGINT, SIGHUP};

    for (size_t i = 0; i < DR_ARRAY_LEN(sigs); i++)
        signal(sigs[i], SIG_DFL);
}

static void
handle_resize(struct ui *ui)
{
    struct winsize ws;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    draw_layout(ui);
    /* Everything moved: repaint it all, and the too-small line too. */
    ui_dirty_all(ui);
    ui->full_repaint = true;
}

/* Returns false when the loop should end. */
static bool
handle_signals(struct ui *ui)
{
    unsigned char buf[64];
    ssize_t n;
    bool resize = false;

    while ((n = read(sig_pipe[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == SIGWINCH)
                resize = true;
            else if (buf[i] == SIGHUP) {
                /* The terminal is gone: nothing more to draw, but running
                 * jobs finish (DESIGN.md); the loop ends when the engine
                 * is idle. */
                log_info("terminal hung up; carrying on without it");
                ui->headless = true;
                if (ui->engine)
                    engine_set_headless(ui->engine);
            } else {
                /* SIGTERM/SIGINT: jobs stop at a safe point and resume on
                 * the next start. */
                if (ui->engine)
                    engine_stop(ui->engine);
                ui->quit = true;
            }
        }
    }
    if (resize) /* several SIGWINCH in a row collapse into one */
        handle_resize(ui);
    return !ui->quit;
}

static int
key_from_curses(int rc, wint_t wc)
{
    if (rc == KEY_CODE_YES) {
        if (wc == KEY_ENTER)
            return '\n';
        return UI_KEY_FN | (int)wc;
    }
    if (wc == 127 || wc == 8)
        return UI_KEY_FN | KEY_BACKSPACE;
    return (int)wc;
}

/* Read every key ncurses has buffered before going back to poll(). */
static int
handle_keys(struct ui *ui)
{
    int flags = 0, rc;
    wint_t wc;
    bool resized = false;

    while ((rc = get_wch(&wc)) != ERR) {
        int key = key_from_curses(rc, wc);

        if (key == (UI_KEY_FN | KEY_RESIZE)) {
            resized = true;
            continue;
        }
        if (ui->prompt != PROMPT_NONE) {
            flags |= draw_prompt_key(ui, key);
        } else if (ui_top(ui)->ops->key &&
                   (flags |= ui_top(ui)->ops->key(ui, ui_top(ui)->st, key)) & UI_HANDLED) {
            /* the screen took it */
        } else {
            struct ui_frame *top = ui_top(ui);
            enum ui_action a = keymap_lookup(ui->keymap, top->ops->name, key);
            if (ui->status[0]) {
                ui->status[0] = '\0';
                ui_dirty(ui, PANE_STATUS);
            }
            if (a == ACT_NONE) {
                char kn[32];
                ui_error(ui, _("Key %s is not bound (? shows the keys)"),
                         keymap_key_name(key, kn, sizeof kn));
                continue;
            }
            flags |= ui_dispatch(ui, a);
        }
        if (ui->quit)
            break;
    }
    if (resized)
        handle_resize(ui);
    return flags;
}

static void
apply_flags(struct ui *ui, int flags)
{
    if (flags & UI_REDRAW_ALL)
        ui_dirty_all(ui);
    else if (flags & UI_REDRAW) {
        ui_dirty(ui, PANE_MAIN);
        ui_dirty(ui, PANE_DETAIL);
    }
}

static void
load_store(struct ui *ui, const struct console_options *o, char ***problems)
{
    struct dr_error e = {0};

    ui->store = xcalloc(1, sizeof *ui->store);
    if (store_init(ui->store, o->config_dir, o->state_dir, &e) != DR_E_OK ||
        store_load(ui->store, &e) != DR_E_OK) {
        strv_push(problems, dr_error_text(&e));
        return;
    }
    for (size_t i = 0; i < ui->store->n_diags; i++) {
        char *m = store_diag_format(&ui->store->diags[i]);
        strv_push(problems, m);
        free(m);
    }
}

/* The log goes to the state folder; never to the terminal while curses
 * owns it (-v would otherwise write over the screen). */
static void
open_log(struct ui *ui, char ***problems)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    enum dr_log_level min = DR_LOG_INFO;
    struct dr_error e = {0};
    char *path = store_state_path(ui->store, "drover.log");

    for (size_t i = 0; i < DR_ARRAY_LEN(levels); i++) {
        if (str_eq(ui->store->settings.log_level, levels[i]))
            min = (enum dr_log_level)i;
    }
    log_set_stderr(false);
    /* A read-only console creates nothing; it logs when the file is there. */
    if ((!ui->read_only && util_mkdir_p(ui->store->state_dir, 0700, &e) != DR_E_OK) ||
        ((!ui->read_only || access(path, W_OK) == 0) && log_open(path, min, &e) != DR_E_OK))
        strv_push(problems, dr_error_text(&e));
    free(path);
}

static void
setup_keymap(struct ui *ui, char ***problems)
{
    ui->keymap = keymap_new();
    keymap_apply(ui->keymap, ui->store->settings.bindings, ui->store->settings.n_bindings,
                 ui_screen_names(), problems);
    int keys[1];
    char kn[32];
    if (keymap_keys_for(ui->keymap, "clusters", ACT_FILTER, keys, 1) == 1)
        table_set_filter_key(keymap_key_name(keys[0], kn, sizeof kn));
}

static void
report_problems(struct ui *ui, char **problems)
{
    size_t n = strv_len(problems);

    if (n == 1)
        ui_error(ui, "%s", problems[0]);
    else if (n > 1)
        /* L10N: the first problem, then how many more there are. */
        ui_error(ui, _("%s (and %zu more problems; see the log)"), problems[0], n - 1);
}

/* Curses on $TERM or a close type (termtype.c). A fallback is said on the
 * status line (it goes first among the problems) and in the log. */
static bool
terminal_start(struct ui *ui, char ***problems)
{
    const char *nc = getenv("NO_COLOR");
    char *used, *note;
    SCREEN *scr = term_open(&used, &note);

    if (scr == NULL) {
        /* Nothing was sent to the terminal: it is as it was. */
        fprintf(stderr, "drover: %s\n", note);
        log_error("%s", note);
        free(note);
        return false;
    }
    if (note) {
        char **first = NULL; /* logged with the other problems */
        strv_push(&first, note);
        for (size_t i = 0; *problems && (*problems)[i]; i++)
            strv_push(&first, (*problems)[i]);
        strv_free(problems);
        *problems = first;
        free(note);
    }
    free(used);
    set_term(scr);
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    ui->utf8 = text_utf8();
    ui->colour = has_colors() && (nc == NULL || *nc == '\0');
    if (ui->colour) {
        start_color();
        use_default_colors();
    }
    /* stdscr stays empty; refresh it once so a later getch never repaints it. */
    refresh();
    return true;
}

static void
ui_free(struct ui *ui)
{
    while (ui->depth > 0) {
        struct ui_frame *f = &ui->stack[--ui->depth];
        if (f->ops->leave)
            f->ops->leave(ui, f->st);
    }
    draw_done(ui);
    ui_watch_stop(&ui->watch);
    feed_stop(ui);
    keymap_free(&ui->keymap);
    for (size_t i = 0; ui->events && i < UI_EVENTS_MAX; i++) {
        free(ui->events[i].cluster);
        free(ui->events[i].node);
        free(ui->events[i].text);
    }
    free(ui->events);
    if (ui->store) {
        store_done(ui->store);
        free(ui->store);
    }
}

static void
i18n_setup(void)
{
#if ENABLE_NLS
    /* Tests run from the build tree, where nothing is installed yet. */
    const char *dir = getenv("DROVER_LOCALEDIR");

    if (dir && *dir)
        bindtextdomain(PACKAGE, dir);
#endif
}

int
console_run(const struct console_options *o)
{
    struct ui ui;
    char **problems = NULL;
    struct dr_error e = {0};

    memset(&ui, 0, sizeof ui);
    i18n_setup();
    /* Everything slow happens before the first frame. */
    load_store(&ui, o, &problems);
    if (ui.store->config_dir == NULL) {
        fprintf(stderr, "drover: %s\n", problems ? problems[0] : "?");
        strv_free(&problems);
        ui_free(&ui);
        return 1;
    }
    ui.read_only = o->read_only || ui.store->settings.read_only;
    ui.read_only_locked = ui.read_only;
    open_log(&ui, &problems);
    setup_keymap(&ui, &problems);
    /* New, changed and removed specs and templates show while it runs. */
    ui.watch = ui_watch_start(ui.store->config_dir, ui.store->state_dir);
    feed_start(&ui);
    theme_default(&ui.theme);
    if (theme_load(ui.store->settings.theme ? ui.store->settings.theme : "default",
                   ui_user_theme_dir(&ui), &ui.theme, &e) != DR_E_OK)
        strv_push(&problems, dr_error_text(&e));

    if (!pipe_nonblock(sig_pipe)) {
        perror("drover: pipe");
        ui_free(&ui);
        return 1;
    }
    signals_install();
    if (!terminal_start(&ui, &problems)) {
        signals_restore();
        strv_free(&problems);
        ui_free(&ui);
        log_close();
        return 2;
    }
    theme_apply(&ui.theme, ui.colour);
    draw_layout(&ui);
    ui_switch(&ui, &screen_clusters);
    report_problems(&ui, problems);
    for (size_t i = 0; problems && problems[i]; i++)
        log_warn("%s", problems[i]);
    strv_free(&problems);
    draw_frame(&ui);
    ui.last_draw_ms = util_now_ms();
    apply_flags(&ui, feed_start_engine(&ui));

    while (!ui.quit) {
        struct pollfd fds[4];
        int watch_fd = ui_watch_fd(ui.watch);
        nfds_t watch_at = 0;
        nfds_t nfds = 0;
        int wake = feed_wake_fd(&ui), timeout = -1;
        long long now = util_now_ms(), spin_left = -1;

        if (ui.headless && (ui.engine == NULL || engine_idle(ui.engine)))
            break;
        /* A spinner turns while requests are in flight. */
        if (ui.busy > 0 && !ui.headless) {
            spin_left = UI_SPIN_MS - (now - ui.last_spin_ms);
            if (spin_left <= 0) {
                ui.spin++;
                ui.last_spin_ms = now;
                ui_dirty(&ui, PANE_MAIN);
                spin_left = UI_SPIN_MS;
            }
        }
        /* Keys redraw at once; engine news waits for the 10 Hz slot. */
        if ((draw_pending(&ui) || ui.snap_stale) && !ui.headless) {
            if (ui.full_repaint || now - ui.last_draw_ms >= REDRAW_INTERVAL_MS) {
                apply_flags(&ui, feed_refresh(&ui));
                draw_frame(&ui);
                ui.last_draw_ms = now;
            } else {
                timeout = (int)(REDRAW_INTERVAL_MS - (now - ui.last_draw_ms));
            }
        }
        if (spin_left >= 0 && (timeout < 0 || timeout > spin_left))
            timeout = (int)spin_left;
        /* Ages on screen tick: a wake-up only when one's text changes. */
        if (!ui.headless) {
            bool ticked;
            int age_ms = ui_age_tick(&ui, &ticked);

            if (ticked && now - ui.last_draw_ms >= REDRAW_INTERVAL_MS) {
                apply_flags(&ui, feed_refresh(&ui));
                draw_frame(&ui);
                ui.last_draw_ms = now;
                age_ms = ui_age_tick(&ui, &ticked);
            }
            if (ticked && (timeout < 0 || timeout > REDRAW_INTERVAL_MS))
                timeout = REDRAW_INTERVAL_MS; /* its slot comes */
            if (age_ms >= 0 && (timeout < 0 || timeout > age_ms))
                timeout = age_ms;
        }
        /* Headless, the terminal is not polled: it is gone. */
        fds[nfds++] = (struct pollfd){.fd = ui.headless ? -1 : STDIN_FILENO, .events = POLLIN};
        fds[nfds++] = (struct pollfd){.fd = sig_pipe[0], .events = POLLIN};
        if (wake >= 0)
            fds[nfds++] = (struct pollfd){.fd = wake, .events = POLLIN};
        if (watch_fd >= 0) {
            watch_at = nfds;
            fds[nfds++] = (struct pollfd){.fd = watch_fd, .events = POLLIN};
        }
        /* With nothing pending this sleeps until a key, a signal or news. */
        if (ui.headless && ui.engine)
            timeout = 1000; /* engine_idle() has no fd to wait on */
        if (poll(fds, nfds, timeout) < 0 && errno != EINTR)
            break;
        if (!handle_signals(&ui))
            break;
        if (wake >= 0 && (fds[2].revents & POLLIN))
            apply_flags(&ui, feed_drain(&ui));
        if (watch_at > 0 && (fds[watch_at].revents & POLLIN))
            apply_flags(&ui, feed_config_changed(&ui));
        if (fds[0].revents & (POLLHUP | POLLERR)) {
            /* Same as a hang-up. */
            ui.headless = true;
            if (ui.engine)
                engine_set_headless(ui.engine);
            continue;
        }
        if (fds[0].revents & POLLIN) {
            apply_flags(&ui, handle_keys(&ui));
            /* A key is answered now, not at the next 10 Hz slot. */
            if (draw_pending(&ui) && !ui.quit) {
                apply_flags(&ui, feed_refresh(&ui));
                draw_frame(&ui);
                ui.last_draw_ms = util_now_ms();
            }
        }
    }
    if (!ui.headless)
        endwin();
    signals_restore();
    close(sig_pipe[0]);
    close(sig_pipe[1]);
    sig_pipe[0] = sig_pipe[1] = -1;
    ui_free(&ui);
    log_close();
    return 0;
}
