# src/bootstrap: cloud-init rendering, SSH sessions (libssh2), recipes.
noinst_LIBRARIES += libdrbootstrap.a
libdrbootstrap_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBSSH2_CFLAGS) $(OPENSSL_CFLAGS) $(ZLIB_CFLAGS) \
	$(YAML_CFLAGS) $(LIBARCHIVE_CFLAGS)
libdrbootstrap_a_SOURCES = \
	src/bootstrap/bundle.c src/bootstrap/bundle.h \
	src/bootstrap/cloudinit.c src/bootstrap/cloudinit.h src/bootstrap/cicheck.c src/bootstrap/ci_yaml.h \
	src/bootstrap/recipe.c src/bootstrap/recipe.h \
	src/bootstrap/ssh.c src/bootstrap/ssh.h src/bootstrap/ssh_internal.h \
	src/bootstrap/ssh_exec.c src/bootstrap/ssh_sftp.c src/bootstrap/sudo.c
DROVER_LIBS += libdrbootstrap.a
BOOTSTRAP_LIBS = libdrbootstrap.a $(LIBSSH2_LIBS) $(ZLIB_LIBS) $(YAML_LIBS) $(LIBARCHIVE_LIBS)

# The distribution recipes drover uploads to nodes (data/bootstrap/README).
bootstrapdir = $(pkgdatadir)/bootstrap
dist_bootstrap_DATA = data/bootstrap/k3s.sh data/bootstrap/rke2.sh data/bootstrap/test.sh \
	data/bootstrap/README
TESTS += tests/integration/recipes-shellcheck.t tests/integration/recipes-version.t
EXTRA_DIST += tests/integration/recipes-shellcheck.t tests/integration/recipes-version.t

# End to end through the lab's vCenter and SSH nodes.
check_PROGRAMS += tests/integration/test_bootstrap_lab
tests_integration_test_bootstrap_lab_SOURCES = tests/integration/test_bootstrap_lab.c \
	tests/integration/labenv.c tests/integration/labenv.h tests/common/sshlab.c
tests_integration_test_bootstrap_lab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_integration_test_bootstrap_lab_CPPFLAGS = $(LAB_TEST_CPPFLAGS) -I$(top_srcdir)/tests/common \
	-DDR_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_integration_test_bootstrap_lab_LDADD = $(BOOTSTRAP_LIBS) $(VSPHERE_LIBS) $(CHECK_LIBS)
TESTS += tests/integration/test_bootstrap_lab
