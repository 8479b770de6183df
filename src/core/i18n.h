/* Translation macros: _() for strings shown to a user, N_() in static tables. */
#ifndef DR_I18N_H
#define DR_I18N_H

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#endif
#define N_(s) (s)

#endif
