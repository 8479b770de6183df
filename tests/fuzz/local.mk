# tests/fuzz: libFuzzer targets, built only with --enable-fuzzing (CC=clang).
# Run one (new inputs go to fuzz-work, not the seed corpus):
#   tests/fuzz/fuzz_config -max_total_time=60 -detect_leaks=0 fuzz-work $(srcdir)/tests/fuzz/corpus/config
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_config
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_config_LDADD = $(CORE_LIBS)
endif
EXTRA_DIST += tests/fuzz/fuzz_config.c tests/fuzz/corpus tests/fuzz/lsan.supp
