# tests/bench: filled by its issue.
# `make bench` runs run-bench; each benchmark adds itself to BENCHES. Every
# benchmark runs (and prints its figures) even when an earlier one missed a
# target; make bench fails at the end then.
BENCHES = tests/bench/engine-50.sh
EXTRA_DIST += $(BENCHES)
run-bench:
	@rc=0; for b in $(BENCHES); do echo "== $$b"; $(SHELL) $(srcdir)/$$b || rc=1; done; exit $$rc

# subreap: the CPU time of a command and every descendant it detached (a
# lab node's sshd), for tests/bench/lab-node.sh and engine-50.sh.
EXTRA_PROGRAMS += tests/bench/subreap
CLEANFILES += tests/bench/subreap
tests_bench_subreap_SOURCES = tests/bench/subreap.c
run-bench: tests/bench/subreap $(LAB_VCSIM) drover

# What one lab node's boot and teardown cost (issue 15: under 50 ms of CPU).
BENCHES += tests/bench/lab-node.sh

# vSphere client benchmarks (tests/bench/vsphere.sh) against lab instances.
EXTRA_PROGRAMS += tests/bench/bench_vsphere
CLEANFILES += tests/bench/bench_vsphere
tests_bench_bench_vsphere_SOURCES = tests/bench/bench_vsphere.c
tests_bench_bench_vsphere_CPPFLAGS = $(AM_CPPFLAGS) $(LIBXML2_CFLAGS) $(CURL_CFLAGS)
tests_bench_bench_vsphere_LDADD = $(VSPHERE_LIBS)
BENCHES += tests/bench/vsphere.sh
EXTRA_DIST += tests/bench/vsphere.sh
run-bench: tests/bench/bench_vsphere $(LAB_VCSIM)

# SSH fan-out benchmark (tests/bench/ssh.sh): drover vs parallel-ssh vs ansible.
EXTRA_PROGRAMS += tests/bench/bench_ssh
CLEANFILES += tests/bench/bench_ssh tests/bench/ssh.txt
tests_bench_bench_ssh_SOURCES = tests/bench/bench_ssh.c tests/common/sshlab.c tests/common/sshlab.h
tests_bench_bench_ssh_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/common \
	-DDR_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_bench_bench_ssh_LDADD = $(BOOTSTRAP_LIBS) $(CORE_LIBS)
BENCHES += tests/bench/ssh.sh
EXTRA_DIST += tests/bench/ssh.sh
run-bench: tests/bench/bench_ssh

# Console benchmarks (tests/bench/tui.sh): startup, RSS, update bytes, idle CPU;
# bench_readfloor reads the same files without parsing (the startup's floor).
EXTRA_PROGRAMS += tests/bench/bench_readfloor
CLEANFILES += tests/bench/bench_readfloor
tests_bench_bench_readfloor_SOURCES = tests/bench/bench_readfloor.c
tests_bench_bench_readfloor_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS)
tests_bench_bench_readfloor_LDADD = $(LIBCONFIG_LIBS)
BENCHES += tests/bench/tui.sh
EXTRA_DIST += tests/bench/tui.sh tests/bench/tui_bench.py
run-bench: tests/bench/bench_readfloor

# Preflight of a 50-node, 3-pool cluster at 200 ms per method (issue 11).
BENCHES += tests/bench/preflight.sh
EXTRA_DIST += tests/bench/preflight.sh

# vCenter's provisioning queue (issue 15): 50 full clones on a 3-host cluster
# with the lab's queueing on, against the ideal its units allow.
BENCHES += tests/bench/vc-queue.sh
EXTRA_DIST += tests/bench/vc-queue.sh

# Kubernetes health polling's CPU per cluster per poll (issue 13).
EXTRA_PROGRAMS += tests/bench/bench_health
CLEANFILES += tests/bench/bench_health
tests_bench_bench_health_SOURCES = tests/bench/bench_health.c
tests_bench_bench_health_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
tests_bench_bench_health_LDADD = $(K8S_LIBS) $(CORE_LIBS)
BENCHES += tests/bench/health.sh
EXTRA_DIST += tests/bench/health.sh
run-bench: tests/bench/bench_health $(LAB_K8S)
