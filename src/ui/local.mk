# src/ui and screens/: the ncurses console (main thread only).
noinst_LIBRARIES += libdrui.a
libdrui_a_CPPFLAGS = $(AM_CPPFLAGS) $(NCURSES_CFLAGS) $(LIBCONFIG_CFLAGS)
libdrui_a_SOURCES = \
	src/ui/provide_curses.h \
	src/ui/actions.c src/ui/actions.h \
	src/ui/console.h \
	src/ui/diffview.c src/ui/diffview.h \
	src/ui/draw.c src/ui/draw.h \
	src/ui/editor.c src/ui/editor.h \
	src/ui/feed.c src/ui/feed.h \
	src/ui/form.c src/ui/form.h \
	src/ui/listedit.c src/ui/listedit.h \
	src/ui/picker.c src/ui/picker.h \
	src/ui/pfview.c src/ui/pfview.h \
	src/ui/keymap.c src/ui/keymap.h \
	src/ui/loop.c \
	src/ui/prompt.c \
	src/ui/table.c src/ui/table.h \
	src/ui/termtype.c src/ui/termtype.h \
	src/ui/text.c src/ui/text.h \
	src/ui/theme.c src/ui/theme.h \
	src/ui/watch.c src/ui/watch.h \
	src/ui/ui.c src/ui/ui.h \
	screens/clusters.c \
	screens/cluster.c \
	screens/templates.c \
	screens/template.c \
	screens/nodes.c \
	screens/node.c \
	screens/jobs.c \
	screens/help.c \
	screens/vcenter.c \
	screens/template_edit.c screens/template_edit.h \
	screens/template_lists.c \
	screens/wizard.c screens/wizard.h \
	screens/wizard_spec.c screens/wizard_rows.c
DROVER_LIBS += libdrui.a
UI_LIBS = libdrui.a

# Themes ship with the program; "default" is also compiled in.
themesdir = $(pkgdatadir)/themes
dist_themes_DATA = themes/default.theme themes/light.theme themes/mono.theme \
	themes/high-contrast.theme
