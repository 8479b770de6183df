# tests/lab: the vCenter simulator lab (tests/lab/README). The simulator is a
# Go program built offline from Debian's govmomi sources into the build tree.
LAB_GO_SOURCES = tests/lab/vcsim/main.go tests/lab/vcsim/hypervisor.go
EXTRA_DIST += $(LAB_GO_SOURCES) tests/lab/lab tests/lab/README tests/lab/testlib.sh \
	tests/integration/lab.t
LAB_VCSIM = tests/lab/vcsim/drover-vcsim

if HAVE_GO
check_SCRIPTS += $(LAB_VCSIM)
endif
CLEANFILES += $(LAB_VCSIM)

$(LAB_VCSIM): $(LAB_GO_SOURCES)
	$(AM_V_GEN)$(MKDIR_P) tests/lab/vcsim tests/lab/gopath && \
	cd $(srcdir)/tests/lab/vcsim && GO111MODULE=off GOPROXY=off GOFLAGS= \
	  GOPATH='$(abs_builddir)/tests/lab/gopath:/usr/share/gocode' \
	  $(GO) build -o '$(abs_builddir)/$(LAB_VCSIM)' main.go hypervisor.go

clean-local: clean-lab
clean-lab:
	-rm -rf tests/lab/gopath tests/lab/run tests/lab/bin
.PHONY: clean-lab

TESTS += tests/integration/lab.t
