# src/engine: jobs, worker pool, node pipeline, reconcile, journal, events.
# engine.h is the only header the UI and CLI include.
noinst_LIBRARIES += libdrengine.a
libdrengine_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(CJSON_CFLAGS)
libdrengine_a_SOURCES = \
	src/engine/engine.h \
	src/engine/names.c \
	src/engine/queue.c src/engine/queue.h
DROVER_LIBS += libdrengine.a
ENGINE_LIBS = libdrengine.a
