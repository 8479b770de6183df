# tests/tui: the console driven through a private tmux server (TAP scripts).
TUI_TESTS = \
	tests/tui/screens.t \
	tests/tui/filter_sort.t \
	tests/tui/readonly.t \
	tests/tui/help.t \
	tests/tui/theme.t \
	tests/tui/nocolor.t \
	tests/tui/resize.t \
	tests/tui/terms.t \
	tests/tui/i18n.t \
	tests/tui/live.t \
	tests/tui/panes.t \
	tests/tui/observer.t \
	tests/tui/config-watch.t \
	tests/tui/many-clusters.t \
	tests/tui/cloud-provider.t \
	tests/tui/empty.t \
	tests/tui/age.t \
	tests/tui/edit-comments.t \
	tests/tui/wizard-pool-keys.t \
	tests/tui/template-comments.t
TESTS += $(TUI_TESTS)
EXTRA_DIST += $(TUI_TESTS) tests/tui/lib.sh tests/fixtures/tui

# The German catalogue, compiled where the tests find it (DROVER_LOCALEDIR):
# nothing needs to be installed for `make check`.
check_DATA = tests/tui/locale/de/LC_MESSAGES/drover.mo
tests/tui/locale/de/LC_MESSAGES/drover.mo: $(top_srcdir)/po/de.po
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(MSGFMT) -c -o $@ $(top_srcdir)/po/de.po
CLEANFILES += tests/tui/locale/de/LC_MESSAGES/drover.mo

# The console against the lab (tmux): adding a vCenter, pickers.
TUI_LAB_TESTS = tests/tui/vcenter-add.t tests/tui/template-edit.t tests/tui/picker-slow.t tests/tui/wizard.t \
	tests/tui/review-preflight.t tests/tui/template-lists.t \
	tests/tui/wizard-inline.t tests/tui/review-lines.t
TESTS += $(TUI_LAB_TESTS)
EXTRA_DIST += $(TUI_LAB_TESTS) tests/tui/lablib.sh tests/tui/englib.sh
