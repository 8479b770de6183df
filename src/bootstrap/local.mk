# src/bootstrap: cloud-init rendering, SSH sessions (libssh2), recipes.
noinst_LIBRARIES += libdrbootstrap.a
libdrbootstrap_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBSSH2_CFLAGS) $(OPENSSL_CFLAGS)
libdrbootstrap_a_SOURCES = \
	src/bootstrap/cloudinit.c src/bootstrap/cloudinit.h \
	src/bootstrap/recipe.c src/bootstrap/recipe.h \
	src/bootstrap/ssh.c src/bootstrap/ssh.h src/bootstrap/ssh_internal.h \
	src/bootstrap/ssh_exec.c src/bootstrap/ssh_sftp.c
DROVER_LIBS += libdrbootstrap.a
BOOTSTRAP_LIBS = libdrbootstrap.a $(LIBSSH2_LIBS)

# The distribution recipes drover uploads to nodes (data/bootstrap/README).
bootstrapdir = $(pkgdatadir)/bootstrap
dist_bootstrap_DATA = data/bootstrap/k3s.sh data/bootstrap/rke2.sh data/bootstrap/test.sh \
	data/bootstrap/README
TESTS += tests/integration/recipes-shellcheck.t
EXTRA_DIST += tests/integration/recipes-shellcheck.t
