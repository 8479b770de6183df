/* The console, as main() starts it when stdin and stdout are a terminal. */
#ifndef DR_UI_CONSOLE_H
#define DR_UI_CONSOLE_H

#include <stdbool.h>

struct console_options {
    const char *config_dir; /* NULL: XDG default */
    const char *state_dir;
    bool read_only; /* --read-only or DROVER_READ_ONLY */
};

/* Runs until the operator quits; returns the process exit code. */
int console_run(const struct console_options *o);

#endif
