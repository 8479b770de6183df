# tests/bench: filled by its issue.
# `make bench` runs run-bench; each benchmark adds itself to BENCHES.
BENCHES =
run-bench:
	@for b in $(BENCHES); do echo "== $$b"; $(SHELL) $(srcdir)/$$b || exit 1; done
