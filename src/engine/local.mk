# src/engine: jobs, worker pool, node pipeline, reconcile, journal, events.
# engine.h is the only header the UI and CLI include.
noinst_LIBRARIES += libdrengine.a
libdrengine_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(CJSON_CFLAGS)
libdrengine_a_SOURCES = \
	src/engine/engine.h \
	src/engine/backend.h src/engine/backend_none.c \
	src/engine/commands.c \
	src/engine/control.c \
	src/engine/engine.c \
	src/engine/internal.h \
	src/engine/journal.c src/engine/journal.h \
	src/engine/names.c \
	src/engine/plan.c src/engine/plan.h \
	src/engine/queue.c src/engine/queue.h \
	src/engine/recover.c \
	src/engine/worker.c
DROVER_LIBS += libdrengine.a
ENGINE_LIBS = libdrengine.a
EXTRA_DIST += tests/lab/lab.d/cluster.sh
