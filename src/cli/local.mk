# src/cli: headless commands. One file per command group, listed in cli.c.
noinst_LIBRARIES += libdrcli.a
libdrcli_a_CPPFLAGS = $(AM_CPPFLAGS) $(CJSON_CFLAGS) $(LIBCONFIG_CFLAGS)
libdrcli_a_SOURCES = \
	src/cli/cli.c src/cli/cli.h \
	src/cli/apply.c \
	src/cli/cloudinit.c \
	src/cli/common.c \
	src/cli/health.c \
	src/cli/kubeconfig.c \
	src/cli/list.c \
	src/cli/preflight.c \
	src/cli/validate.c \
	src/cli/vcenter.c
DROVER_LIBS += libdrcli.a
TESTS += tests/integration/cloud-init.t
EXTRA_DIST += tests/integration/cloud-init.t
