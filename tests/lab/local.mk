# tests/lab: the vCenter simulator lab (tests/lab/README). The simulator is a
# Go program built offline from Debian's govmomi sources into the build tree.
LAB_GO_FILES = tests/lab/vcsim/main.go tests/lab/vcsim/hypervisor.go tests/lab/vcsim/validate.go \
	tests/lab/vcsim/paging.go tests/lab/vcsim/tagging.go tests/lab/vcsim/labels_query.go
LAB_GO_FILES += tests/lab/vcsim/guestnet.go tests/lab/vcsim/findchild.go
LAB_GO_FILES += tests/lab/vcsim/podcmd.go
LAB_GO_FILES += tests/lab/vcsim/nets.go tests/lab/vcsim/vminfo.go tests/lab/vcsim/clones.go
LAB_GO_FILES += tests/lab/vcsim/faults.go tests/lab/vcsim/extraconfig.go
LAB_GO_FILES += tests/lab/vcsim/guestlimit.go
LAB_GO_FILES += tests/lab/vcsim/storagepod.go
LAB_GO_FILES += tests/lab/vcsim/preflight.go
LAB_GO_FILES += tests/lab/vcsim/users.go tests/lab/vcsim/dsurl.go
LAB_GO_FILES += tests/lab/vcsim/clonetime.go
LAB_GO_FILES += tests/lab/vcsim/provqueue.go
LAB_GO_FILES += tests/lab/vcsim/nethosts.go
LAB_GO_FILES += tests/lab/vcsim/nodeserve.go
LAB_GO_FILES += tests/lab/vcsim/soapreq.go
EXTRA_DIST += $(LAB_GO_FILES) tests/lab/lab tests/lab/README tests/lab/testlib.sh \
	tests/integration/lab.t
LAB_VCSIM = tests/lab/vcsim/drover-vcsim

if HAVE_GO
check_SCRIPTS += $(LAB_VCSIM)
endif
CLEANFILES += $(LAB_VCSIM)

$(LAB_VCSIM): $(LAB_GO_FILES)
	$(AM_V_GEN)$(MKDIR_P) tests/lab/vcsim tests/lab/gopath && \
	cd $(srcdir)/tests/lab/vcsim && GO111MODULE=off GOPROXY=off GOFLAGS= \
	  GOPATH='$(abs_builddir)/tests/lab/gopath:/usr/share/gocode' \
	  $(GO) build -o '$(abs_builddir)/$(LAB_VCSIM)' $(LAB_GO_FILES:tests/lab/vcsim/%=%)

clean-local: clean-lab
clean-lab:
	-rm -rf tests/lab/gopath tests/lab/run tests/lab/bin
.PHONY: clean-lab

TESTS += tests/integration/lab.t
# Field case B: guestinfo size, the lab's guest side and drover's encoding.
TESTS += tests/integration/lab-guestinfo.t
EXTRA_DIST += tests/integration/lab-guestinfo.t

# The vSphere client against private lab instances (Check programs).
LAB_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/integration $(CURL_CFLAGS) \
	$(LIBXML2_CFLAGS) $(CJSON_CFLAGS)
LAB_TEST_LIBS = $(VSPHERE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/integration/test_vsphere_lab
tests_integration_test_vsphere_lab_SOURCES = tests/integration/test_vsphere_lab.c \
	tests/integration/labenv.c tests/integration/labenv.h
tests_integration_test_vsphere_lab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_integration_test_vsphere_lab_CPPFLAGS = $(LAB_TEST_CPPFLAGS)
tests_integration_test_vsphere_lab_LDADD = $(LAB_TEST_LIBS)
TESTS += tests/integration/test_vsphere_lab
check_PROGRAMS += tests/integration/test_vsphere_failures
tests_integration_test_vsphere_failures_SOURCES = tests/integration/test_vsphere_failures.c \
	tests/integration/labenv.c tests/integration/labenv.h
tests_integration_test_vsphere_failures_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_integration_test_vsphere_failures_CPPFLAGS = $(LAB_TEST_CPPFLAGS)
tests_integration_test_vsphere_failures_LDADD = $(LAB_TEST_LIBS)
TESTS += tests/integration/test_vsphere_failures
# The guest-IP rule and the proxy path (guest NICs, tests/lab/proxy).
check_PROGRAMS += tests/integration/test_netpath_lab
tests_integration_test_netpath_lab_SOURCES = tests/integration/test_netpath_lab.c \
	tests/integration/labenv.c tests/integration/labenv.h
tests_integration_test_netpath_lab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_integration_test_netpath_lab_CPPFLAGS = $(LAB_TEST_CPPFLAGS)
tests_integration_test_netpath_lab_LDADD = $(LAB_TEST_LIBS)
TESTS += tests/integration/test_netpath_lab
check_PROGRAMS += tests/integration/test_labels_lab
tests_integration_test_labels_lab_SOURCES = tests/integration/test_labels_lab.c \
	tests/integration/labenv.c tests/integration/labenv.h
tests_integration_test_labels_lab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_integration_test_labels_lab_CPPFLAGS = $(LAB_TEST_CPPFLAGS)
tests_integration_test_labels_lab_LDADD = $(LAB_TEST_LIBS)
TESTS += tests/integration/test_labels_lab
TESTS += tests/integration/vcenter.t
EXTRA_DIST += tests/integration/vcenter.t
EXTRA_DIST += tests/lab/sshnode tests/lab/sshnode_modes.py
EXTRA_DIST += tests/lab/lab.d/sshnode.sh tests/integration/sshnode.t
EXTRA_DIST += tests/lab/lab.d/nets.sh tests/lab/lab.d/facts.sh tests/lab/lab.d/faults.sh
EXTRA_DIST += tests/lab/lab.d/provqueue.sh tests/lab/lab.d/pod.sh
TESTS += tests/integration/sshnode.t
TESTS += tests/integration/lab-vm-node.t
EXTRA_DIST += tests/integration/lab-vm-node.t
EXTRA_DIST += tests/integration/sshnode-netns.t
TESTS += tests/integration/sshnode-netns.t

# The Kubernetes stand-in (tests/lab/k8s): k3s, rke2 and their airgap
# bundles, from Go's standard library and Debian's golang-gopkg-yaml.v3-dev.
LAB_K8S_GO_FILES = tests/lab/k8s/main.go tests/lab/k8s/options.go tests/lab/k8s/certs.go \
	tests/lab/k8s/api.go tests/lab/k8s/routes.go tests/lab/k8s/server.go tests/lab/k8s/join.go \
	tests/lab/k8s/bundle.go tests/lab/k8s/grace.go tests/lab/k8s/cloudprov.go tests/lab/k8s/reqlog.go
LAB_K8S_EMBED = tests/lab/k8s/k3s-install.sh tests/lab/k8s/rke2-install.sh
EXTRA_DIST += $(LAB_K8S_GO_FILES) $(LAB_K8S_EMBED) tests/lab/k8s/systemctl
LAB_K8S = tests/lab/k8s/drover-k8s
if HAVE_GO
check_SCRIPTS += $(LAB_K8S)
endif
CLEANFILES += $(LAB_K8S)

$(LAB_K8S): $(LAB_K8S_GO_FILES) $(LAB_K8S_EMBED)
	$(AM_V_GEN)$(MKDIR_P) tests/lab/k8s tests/lab/gopath && \
	cd $(srcdir)/tests/lab/k8s && GO111MODULE=off GOPROXY=off GOFLAGS= \
	  GOPATH='$(abs_builddir)/tests/lab/gopath:/usr/share/gocode' \
	  $(GO) build -o '$(abs_builddir)/$(LAB_K8S)' $(LAB_K8S_GO_FILES:tests/lab/k8s/%=%)
# The real k3s and rke2 recipes through the engine against the stand-in.
TESTS += tests/integration/k8s-recipes.t tests/integration/k8s-standin.t
EXTRA_DIST += tests/integration/k8s-recipes.t tests/integration/k8s-standin.t
# The Kubernetes API client (src/k8s/client.c) against stand-in API servers.
check_PROGRAMS += tests/integration/k8s-probe
tests_integration_k8s_probe_SOURCES = tests/integration/k8s-probe.c
tests_integration_k8s_probe_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS)
tests_integration_k8s_probe_LDADD = $(K8S_LIBS) $(CORE_LIBS)
TESTS += tests/integration/k8s-client.t
EXTRA_DIST += tests/integration/k8s-client.t
# The vSphere CPI/CSI at bootstrap (issue 14).
TESTS += tests/integration/cpi-csi.t
EXTRA_DIST += tests/integration/cpi-csi.t
# The airgap bundle check by the recipe's marker, not its path (fixchecks).
TESTS += tests/integration/airgap-check.t
EXTRA_DIST += tests/integration/airgap-check.t
# Two snapshots of one name: ambiguous; a snapshot-tree path picks one.
TESTS += tests/integration/snapshot-names.t
EXTRA_DIST += tests/integration/snapshot-names.t
# Drain before removal, checked in the stand-in's request log.
TESTS += tests/integration/k8s-drain.t
EXTRA_DIST += tests/integration/k8s-drain.t
# A node removed and added again under its name joins again (fix-join).
TESTS += tests/integration/k8s-rejoin.t
EXTRA_DIST += tests/integration/k8s-rejoin.t
# A joined node is active only once its kubelet registered (fix-join).
TESTS += tests/integration/k8s-register.t
EXTRA_DIST += tests/integration/k8s-register.t
