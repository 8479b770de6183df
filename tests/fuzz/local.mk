# tests/fuzz: libFuzzer targets, built only with --enable-fuzzing (CC=clang).
# Run one (new inputs go to fuzz-work, not the seed corpus):
#   tests/fuzz/fuzz_config -max_total_time=60 -detect_leaks=0 fuzz-work $(srcdir)/tests/fuzz/corpus/config
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_config
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c
tests_fuzz_fuzz_config_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS)
tests_fuzz_fuzz_config_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_config_LDADD = $(CORE_LIBS)
else
check_PROGRAMS += tests/fuzz/replay_config
tests_fuzz_replay_config_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_config.c
tests_fuzz_replay_config_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS) -DREPLAY_CORPUS=\"config\"
tests_fuzz_replay_config_LDADD = $(CORE_LIBS)
TESTS += tests/fuzz/replay_config
endif
EXTRA_DIST += tests/fuzz/fuzz_config.c tests/fuzz/corpus tests/fuzz/lsan.supp

# The vim25 SOAP response parser: fuzz_soap (libFuzzer) and replay_soap, which
# runs the target over the corpus (and its truncations) in every make check.
# The corpus was recorded from the lab by record-soap-corpus.sh.
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_soap
tests_fuzz_fuzz_soap_SOURCES = tests/fuzz/fuzz_soap.c
tests_fuzz_fuzz_soap_CPPFLAGS = $(AM_CPPFLAGS) $(LIBXML2_CFLAGS) $(CURL_CFLAGS)
tests_fuzz_fuzz_soap_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_soap_LDADD = $(VSPHERE_LIBS)
else
check_PROGRAMS += tests/fuzz/replay_soap
tests_fuzz_replay_soap_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_soap.c
tests_fuzz_replay_soap_CPPFLAGS = $(AM_CPPFLAGS) $(LIBXML2_CFLAGS) $(CURL_CFLAGS)
tests_fuzz_replay_soap_LDADD = $(VSPHERE_LIBS)
TESTS += tests/fuzz/replay_soap
endif
EXTRA_DIST += tests/fuzz/fuzz_soap.c tests/fuzz/replay.c tests/fuzz/record-soap-corpus.sh

# Key files and a template's extra user-data: fuzz_keys (libFuzzer), and
# replay_keys over the corpus in every make check.
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_keys
tests_fuzz_fuzz_keys_SOURCES = tests/fuzz/fuzz_keys.c
tests_fuzz_fuzz_keys_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
tests_fuzz_fuzz_keys_LDADD = $(BOOTSTRAP_LIBS) $(CORE_LIBS)
else
check_PROGRAMS += tests/fuzz/replay_keys
tests_fuzz_replay_keys_SOURCES = tests/fuzz/fuzz_keys.c
tests_fuzz_replay_keys_CPPFLAGS = $(AM_CPPFLAGS) -DDR_REPLAY_MAIN
tests_fuzz_replay_keys_LDADD = $(BOOTSTRAP_LIBS) $(CORE_LIBS)
TESTS += tests/fuzz/replay_keys
endif
EXTRA_DIST += tests/fuzz/fuzz_keys.c
