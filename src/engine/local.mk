# src/engine: jobs, worker pool, node pipeline, reconcile, journal, events.
# engine.h is the only header the UI and CLI include.
noinst_LIBRARIES += libdrengine.a
libdrengine_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(CJSON_CFLAGS)
libdrengine_a_SOURCES = \
	src/engine/engine.h \
	src/engine/admit.c src/engine/admit.h \
	src/engine/backend.h src/engine/backend_vs.c src/engine/backend_pod.c src/engine/backend_ssh.c src/engine/backend_vs.h src/engine/backend_inv.c \
	src/engine/classify.c src/engine/classify.h \
	src/engine/cloud.c src/engine/cloud.h \
	src/engine/commands.c \
	src/engine/control.c \
	src/engine/drain.c \
	src/engine/register.c \
	src/engine/engine.c \
	src/engine/kubeconfig.c \
	src/engine/known_hosts.c \
	src/engine/gate.c src/engine/gate_vs.c \
	src/engine/health.c src/engine/health.h \
	src/engine/preflight.c src/engine/preflight_vs.c src/engine/preflight_vs.h src/engine/privileges.c \
	src/engine/preflight_cloud.c \
	src/engine/inflight.c \
	src/engine/internal.h \
	src/engine/journal.c src/engine/journal.h \
	src/engine/labels_vs.c src/engine/labels_vs.h \
	src/engine/names.c \
	src/engine/plan.c src/engine/plan.h \
	src/engine/queue.c src/engine/queue.h \
	src/engine/recover.c \
	src/engine/remediate.c \
	src/engine/replace.c src/engine/replace.h \
	src/engine/requests.c \
	src/engine/speccheck.c \
	src/engine/observe.c \
	src/engine/step.c \
	src/engine/worker.c
DROVER_LIBS += libdrengine.a
# The engine sits on the vSphere client and the bootstrap layer.
ENGINE_LIBS = libdrengine.a $(K8S_LIBS) $(BOOTSTRAP_LIBS) $(VSPHERE_LIBS) $(LIBINTL)
EXTRA_DIST += tests/lab/lab.d/cluster.sh

# Integration-test helper: the lab vCenter's VMs through drover's own client.
check_PROGRAMS += tests/integration/lab-vms
tests_integration_lab_vms_SOURCES = tests/integration/lab-vms.c
tests_integration_lab_vms_LDADD = $(VSPHERE_LIBS) $(LIBINTL)

# Integration tests against the lab (TAP).
EXTRA_DIST += tests/integration/engine-lib.sh
ENGINE_LAB_TESTS = tests/integration/engine-apply.t tests/integration/engine-faults.t \
	tests/integration/gate.t tests/integration/nets.t \
	tests/integration/engine-crash.t tests/integration/engine-signals.t \
	tests/integration/labels.t
ENGINE_LAB_TESTS += tests/integration/engine-cleanup.t tests/integration/engine-delete.t
ENGINE_LAB_TESTS += tests/integration/fidelity.t
# A recipe without Kubernetes: no kubeconfig, no register wait (field cases' setup).
ENGINE_LAB_TESTS += tests/integration/recipe-no-k8s.t
# Issue 11: preflight.
ENGINE_LAB_TESTS += tests/integration/preflight.t
# Issue 12: datastore clusters (StoragePod) as a template's datastore.
ENGINE_LAB_TESTS += tests/integration/datastore-cluster.t
ENGINE_LAB_TESTS += tests/integration/engine-clone-race.t
# Issue 15: vCenter's provisioning queue in the lab and drover's clone admission.
ENGINE_LAB_TESTS += tests/integration/vc-queue.t
# Issue 15: node steps appended to the state log; kill -9 loses none.
ENGINE_LAB_TESTS += tests/integration/engine-statelog.t
# Tester report 3: a damaged record in the state log loses only itself, and is said.
ENGINE_LAB_TESTS += tests/integration/engine-statelog-damage.t
EXTRA_DIST += $(ENGINE_LAB_TESTS)
TESTS += $(ENGINE_LAB_TESTS)
# Issue 10: the SSH boot window and host-key algorithms.
TESTS += tests/integration/engine-boot.t
EXTRA_DIST += tests/integration/engine-boot.t
# Issue 15: the agents' pipelines overlap the first server's bootstrap.
TESTS += tests/integration/engine-overlap.t
EXTRA_DIST += tests/integration/engine-overlap.t
# Issue 10: sudo before the recipe (password, requiretty, passwordless).
TESTS += tests/integration/engine-sudo.t
EXTRA_DIST += tests/integration/engine-sudo.t
# Issue 10: the failure classes against injected vSphere faults.
TESTS += tests/integration/engine-classes.t
EXTRA_DIST += tests/integration/engine-classes.t
# Field case C: the SSH address among several guest NICs.
TESTS += tests/integration/engine-guestip.t
EXTRA_DIST += tests/integration/engine-guestip.t
# Field case D: vCenter through an HTTP proxy (tests/lab/proxy).
TESTS += tests/integration/vcenter-proxy.t
EXTRA_DIST += tests/integration/vcenter-proxy.t tests/lab/proxy
# The console watching a real run (tmux).
TESTS += tests/tui/engine-lab.t
EXTRA_DIST += tests/tui/engine-lab.t
# Tester report 3: a read-only console marks the work of a killed drover stalled.
TESTS += tests/tui/observer-stalled.t
EXTRA_DIST += tests/tui/observer-stalled.t
# Issue 11: preflight from the cluster screen (P).
TESTS += tests/tui/preflight.t
EXTRA_DIST += tests/tui/preflight.t
# Issue 11: preflight's checks in the pre-clone gate of every apply path,
# and `drover apply` running them once.
TESTS += tests/integration/gate-full.t tests/tui/gate-full.t
EXTRA_DIST += tests/integration/gate-full.t tests/tui/gate-full.t
# A failed node whose VM was kept: "VM kept", and R replaces it.
TESTS += tests/tui/vm-kept.t
# Kubernetes health polling through the console and drover status (issue 13).
TESTS += tests/tui/health.t
EXTRA_DIST += tests/tui/health.t
# Replacing unhealthy nodes (remediate.c) with the console's engine polling.
TESTS += tests/tui/k8s-replace.t
EXTRA_DIST += tests/tui/k8s-replace.t
# A Node missing from the API counts as unhealthy (fix-join).
TESTS += tests/tui/k8s-missing.t
EXTRA_DIST += tests/tui/k8s-missing.t
EXTRA_DIST += tests/tui/vm-kept.t

# The console's inventory requests through the real engine against the lab.
check_PROGRAMS += tests/integration/test_engine_inventory_lab
tests_integration_test_engine_inventory_lab_SOURCES = tests/integration/test_engine_inventory_lab.c \
	tests/integration/labenv.c tests/integration/labenv.h
tests_integration_test_engine_inventory_lab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_integration_test_engine_inventory_lab_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/integration \
	$(LIBCONFIG_CFLAGS)
tests_integration_test_engine_inventory_lab_LDADD = $(ENGINE_LIBS) $(CORE_LIBS) $(CHECK_LIBS)
TESTS += tests/integration/test_engine_inventory_lab
