# src/core: model, store, settings, keys, errors, log, helpers.
noinst_LIBRARIES += libdrcore.a
libdrcore_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(OPENSSL_CFLAGS) $(CJSON_CFLAGS) $(ZLIB_CFLAGS)
libdrcore_a_SOURCES = \
	src/core/err.c src/core/err.h \
	src/core/i18n.h \
	src/core/keys.c src/core/keys.h \
	src/core/log.c src/core/log.h \
	src/core/util.c src/core/util.h \
	src/core/model.c src/core/model.h \
	src/core/cloud.c \
	src/core/guestos.c src/core/guestos.h \
	src/core/settings.c \
	src/core/store.c src/core/store.h src/core/store_priv.h \
	src/core/store_cfg.c \
	src/core/store_load.c \
	src/core/store_save.c \
	src/core/store_log.c \
	src/core/store_check.c \
	src/core/store_vcenter.c \
	src/core/store_cloud.c \
	src/core/versions.c src/core/versions.h
DROVER_LIBS += libdrcore.a
# The file formats, one commented example of each (test_store loads them).
EXTRA_DIST += data/examples
CORE_LIBS = libdrcore.a $(LIBCONFIG_LIBS) $(OPENSSL_LIBS) $(CJSON_LIBS) $(ZLIB_LIBS) $(LIBINTL)
