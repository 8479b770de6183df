#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "ui/termtype.h"

/* The fallback rule for terminal types this machine does not know: by the
 * name's family and colour, never a list of one input. */

static void
expect(const char *term, const char *joined)
{
    char **v = term_fallbacks(term);
    char buf[512] = "";

    for (size_t i = 0; v[i]; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "", v[i]);
    ck_assert_msg(str_eq(buf, joined), "%s: got '%s', want '%s'", term ? term : "(unset)", buf,
                  joined);
    strv_free(&v);
}

START_TEST(test_emulators_fall_back_to_xterm)
{
    expect("xterm-kitty", "xterm-256color xterm vt100");
    expect("xterm-ghostty", "xterm-256color xterm vt100");
    expect("xterm-direct", "xterm-256color xterm vt100");
    expect("alacritty", "xterm-256color xterm vt100");
    expect("foot-extra", "foot-256color foot xterm-256color xterm vt100");
    expect("wezterm", "xterm-256color xterm vt100");
    expect("rxvt-unicode-24bit", "rxvt-256color rxvt xterm-256color xterm vt100");
    expect("XTERM-Kitty", "xterm-256color xterm vt100");
}
END_TEST

START_TEST(test_multiplexers)
{
    expect("tmux-direct", "tmux-256color tmux screen-256color screen xterm-256color xterm vt100");
    expect("screen.xterm-kitty", "screen-256color screen xterm-256color xterm vt100");
    expect("screen.xterm-new", "screen-256color screen xterm-256color xterm vt100");
}
END_TEST

START_TEST(test_colour_and_hardware)
{
    /* A name that says monochrome gets no 256-colour type. */
    expect("xterm-foo-mono", "xterm vt100");
    expect("screen-bw", "screen xterm vt100");
    expect("tmux-m", "tmux screen xterm vt100");
    /* Consoles and real terminals are not xterms. */
    expect("vt340", "vt100");
    expect("vt525-w", "vt525 vt100");
    expect("linux-16color", "linux vt100");
    expect("ansi-mini", "ansi vt100");
    /* vt100 itself is never offered in its own place. */
    expect("vt100", "");
    expect("vt100-am", "vt100");
    expect("", "vt100");
    expect(NULL, "vt100");
}
END_TEST

/* Against this machine's terminfo: types every ncurses-base has. */
START_TEST(test_usable)
{
    int fd = open("/dev/null", O_WRONLY);

    ck_assert(term_usable("xterm-256color", fd));
    ck_assert(term_usable("vt100", fd));
    ck_assert(!term_usable("dumb", fd)); /* no cursor addressing */
    ck_assert(!term_usable("drover-no-such-terminal", fd));
    close(fd);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("termtype");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_emulators_fall_back_to_xterm);
    tcase_add_test(tc, test_multiplexers);
    tcase_add_test(tc, test_colour_and_hardware);
    tcase_add_test(tc, test_usable);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
