# src/bootstrap: cloud-init rendering, SSH sessions (libssh2), recipes.
noinst_LIBRARIES += libdrbootstrap.a
libdrbootstrap_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBSSH2_CFLAGS) $(OPENSSL_CFLAGS)
libdrbootstrap_a_SOURCES = \
	src/bootstrap/cloudinit.c src/bootstrap/cloudinit.h \
	src/bootstrap/recipe.h \
	src/bootstrap/ssh.c src/bootstrap/ssh.h src/bootstrap/ssh_internal.h \
	src/bootstrap/ssh_exec.c src/bootstrap/ssh_sftp.c
DROVER_LIBS += libdrbootstrap.a
BOOTSTRAP_LIBS = libdrbootstrap.a $(LIBSSH2_LIBS)
