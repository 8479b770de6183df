/* The one header that includes curses (htop's ProvideCurses.h). Only src/ui
 * and screens/ include this; engine, vsphere and bootstrap never do, so no
 * thread but the main one can touch the terminal. */
#ifndef DR_PROVIDE_CURSES_H
#define DR_PROVIDE_CURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
/* The form and menu libraries (libformw, libmenuw) for forms and pickers. */
#include <form.h>
#include <menu.h>

#endif
