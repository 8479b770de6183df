# Unit tests (Check), one program per module.
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
UNIT_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCONFIG_CFLAGS) $(OPENSSL_CFLAGS) $(CJSON_CFLAGS)

check_PROGRAMS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_util_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_util_LDADD = $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_keys
tests_unit_test_keys_SOURCES = tests/unit/test_keys.c
tests_unit_test_keys_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keys_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_keys_LDADD = $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_cloudinit
tests_unit_test_cloudinit_SOURCES = tests/unit/test_cloudinit.c tests/unit/ci_fixture.c tests/unit/ci_fixture.h
tests_unit_test_cloudinit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cloudinit_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_cloudinit_LDADD = $(BOOTSTRAP_LIBS) $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_cicheck
tests_unit_test_cicheck_SOURCES = tests/unit/test_cicheck.c tests/unit/ci_fixture.c tests/unit/ci_fixture.h
tests_unit_test_cicheck_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cicheck_CPPFLAGS = $(UNIT_CPPFLAGS) $(ZLIB_CFLAGS)
tests_unit_test_cicheck_LDADD = $(BOOTSTRAP_LIBS) $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_model
tests_unit_test_model_SOURCES = tests/unit/test_model.c
tests_unit_test_model_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_model_LDADD = $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_store
tests_unit_test_store_SOURCES = tests/unit/test_store.c \
	tests/unit/store_fixture.c tests/unit/store_fixture.h
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_store_LDADD = $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_store_load
tests_unit_test_store_load_SOURCES = tests/unit/test_store_load.c \
	tests/unit/store_fixture.c tests/unit/store_fixture.h
tests_unit_test_store_load_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_load_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_store_load_LDADD = $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_store_save
tests_unit_test_store_save_SOURCES = tests/unit/test_store_save.c \
	tests/unit/store_fixture.c tests/unit/store_fixture.h
tests_unit_test_store_save_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_save_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_store_save_LDADD = $(CORE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_store_log
tests_unit_test_store_log_SOURCES = tests/unit/test_store_log.c \
	tests/unit/store_fixture.c tests/unit/store_fixture.h
tests_unit_test_store_log_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_log_CPPFLAGS = $(UNIT_CPPFLAGS) $(ZLIB_CFLAGS)
tests_unit_test_store_log_LDADD = $(CORE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_store_check
tests_unit_test_store_check_SOURCES = tests/unit/test_store_check.c \
	tests/unit/store_fixture.c tests/unit/store_fixture.h
tests_unit_test_store_check_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_check_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_store_check_LDADD = $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_log
tests_unit_test_log_SOURCES = tests/unit/test_log.c
tests_unit_test_log_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_log_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_log_LDADD = $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_ssh
tests_unit_test_ssh_SOURCES = tests/unit/test_ssh.c tests/common/sshlab.c tests/common/sshlab.h
tests_unit_test_ssh_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ssh_CPPFLAGS = $(UNIT_CPPFLAGS) -I$(top_srcdir)/tests/common \
	-DDR_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_ssh_LDADD = $(BOOTSTRAP_LIBS) $(CORE_LIBS) $(CHECK_LIBS)

check_PROGRAMS += tests/unit/test_recipe
tests_unit_test_recipe_SOURCES = tests/unit/test_recipe.c tests/common/sshlab.c \
	tests/common/sshlab.h
tests_unit_test_recipe_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_recipe_CPPFLAGS = $(tests_unit_test_ssh_CPPFLAGS)
tests_unit_test_recipe_LDADD = $(BOOTSTRAP_LIBS) $(CORE_LIBS) $(CHECK_LIBS)

UNIT_TESTS = tests/unit/test_util
UNIT_TESTS += tests/unit/test_recipe
check_PROGRAMS += tests/unit/test_bundle
tests_unit_test_bundle_SOURCES = tests/unit/test_bundle.c
tests_unit_test_bundle_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_bundle_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_bundle_LDADD = $(BOOTSTRAP_LIBS) $(CORE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_bundle
UNIT_TESTS += tests/unit/test_model tests/unit/test_store tests/unit/test_store_save tests/unit/test_log
UNIT_TESTS += tests/unit/test_store_check tests/unit/test_store_load tests/unit/test_store_log
UNIT_TESTS += tests/unit/test_ssh
UNIT_TESTS += tests/unit/test_cloudinit tests/unit/test_cicheck
UNIT_TESTS += tests/unit/test_keys

# The man page and the example settings against the code's tables: the CLI's
# command table needs every library drover links.
check_PROGRAMS += tests/unit/test_docs
tests_unit_test_docs_SOURCES = tests/unit/test_docs.c
tests_unit_test_docs_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_docs_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_docs_LDADD = $(DROVER_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_docs

# Engine (src/engine)
ENGINE_TEST_LIBS = $(ENGINE_LIBS) $(CORE_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_queue
tests_unit_test_queue_SOURCES = tests/unit/test_queue.c
tests_unit_test_queue_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_queue_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_queue_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_queue
# Console (src/ui): one program per module.
UI_TEST_LIBS = $(UI_LIBS) $(ENGINE_LIBS) $(CORE_LIBS) $(NCURSES_LIBS) $(CHECK_LIBS)
UI_TEST_CPPFLAGS = $(UNIT_CPPFLAGS) $(NCURSES_CFLAGS)
check_PROGRAMS += tests/unit/test_actions tests/unit/test_keymap tests/unit/test_theme \
	tests/unit/test_table tests/unit/test_termtype tests/unit/test_diffview
tests_unit_test_diffview_SOURCES = tests/unit/test_diffview.c
tests_unit_test_diffview_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_diffview_CPPFLAGS = $(UI_TEST_CPPFLAGS)
tests_unit_test_diffview_LDADD = $(UI_TEST_LIBS)
tests_unit_test_actions_SOURCES = tests/unit/test_actions.c
tests_unit_test_actions_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_actions_CPPFLAGS = $(UI_TEST_CPPFLAGS)
tests_unit_test_actions_LDADD = $(UI_TEST_LIBS)
tests_unit_test_keymap_SOURCES = tests/unit/test_keymap.c
tests_unit_test_keymap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keymap_CPPFLAGS = $(UI_TEST_CPPFLAGS)
tests_unit_test_keymap_LDADD = $(UI_TEST_LIBS)
tests_unit_test_theme_SOURCES = tests/unit/test_theme.c
tests_unit_test_theme_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_theme_CPPFLAGS = $(UI_TEST_CPPFLAGS)
tests_unit_test_theme_LDADD = $(UI_TEST_LIBS)
tests_unit_test_table_SOURCES = tests/unit/test_table.c
tests_unit_test_table_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_table_CPPFLAGS = $(UI_TEST_CPPFLAGS)
tests_unit_test_table_LDADD = $(UI_TEST_LIBS)
tests_unit_test_termtype_SOURCES = tests/unit/test_termtype.c
tests_unit_test_termtype_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_termtype_CPPFLAGS = $(UI_TEST_CPPFLAGS)
tests_unit_test_termtype_LDADD = $(UI_TEST_LIBS)
UNIT_TESTS += tests/unit/test_actions tests/unit/test_keymap tests/unit/test_theme \
	tests/unit/test_table tests/unit/test_termtype tests/unit/test_diffview
check_PROGRAMS += tests/unit/test_versions
tests_unit_test_versions_SOURCES = tests/unit/test_versions.c
tests_unit_test_versions_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_versions_CPPFLAGS = $(UNIT_CPPFLAGS) -DDR_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_versions_LDADD = $(CORE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_versions
check_PROGRAMS += tests/unit/test_template_edit
tests_unit_test_template_edit_SOURCES = tests/unit/test_template_edit.c
tests_unit_test_template_edit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_template_edit_CPPFLAGS = $(UI_TEST_CPPFLAGS)
tests_unit_test_template_edit_LDADD = $(UI_TEST_LIBS)
UNIT_TESTS += tests/unit/test_template_edit
check_PROGRAMS += tests/unit/test_plan
tests_unit_test_plan_SOURCES = tests/unit/test_plan.c
tests_unit_test_plan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_plan_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_plan_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_plan
check_PROGRAMS += tests/unit/test_replace
tests_unit_test_replace_SOURCES = tests/unit/test_replace.c
tests_unit_test_replace_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_replace_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_replace_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_replace
check_PROGRAMS += tests/unit/test_classify
tests_unit_test_classify_SOURCES = tests/unit/test_classify.c
tests_unit_test_classify_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_classify_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_classify_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_classify
check_PROGRAMS += tests/unit/test_journal
tests_unit_test_journal_SOURCES = tests/unit/test_journal.c
tests_unit_test_journal_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_journal_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_journal_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_journal
# The engine against an in-memory vCenter (engine_fake.c), by topic.
check_PROGRAMS += tests/unit/test_admit
tests_unit_test_admit_SOURCES = tests/unit/test_admit.c tests/unit/engine_fake.c tests/unit/engine_fake.h
tests_unit_test_admit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_admit_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_admit_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_admit
check_PROGRAMS += tests/unit/test_engine
tests_unit_test_engine_SOURCES = tests/unit/test_engine.c tests/unit/engine_fake.c tests/unit/engine_fake.h
tests_unit_test_engine_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_engine_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_engine_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_engine
check_PROGRAMS += tests/unit/test_engine_faults
tests_unit_test_engine_faults_SOURCES = tests/unit/test_engine_faults.c tests/unit/engine_fake.c tests/unit/engine_fake.h
tests_unit_test_engine_faults_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_engine_faults_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_engine_faults_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_engine_faults
check_PROGRAMS += tests/unit/test_engine_delete
tests_unit_test_engine_delete_SOURCES = tests/unit/test_engine_delete.c tests/unit/engine_fake.c tests/unit/engine_fake.h
tests_unit_test_engine_delete_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_engine_delete_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_engine_delete_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_engine_delete
check_PROGRAMS += tests/unit/test_engine_control
tests_unit_test_engine_control_SOURCES = tests/unit/test_engine_control.c tests/unit/engine_fake.c tests/unit/engine_fake.h
tests_unit_test_engine_control_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_engine_control_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_engine_control_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_engine_control
check_PROGRAMS += tests/unit/test_engine_requests
tests_unit_test_engine_requests_SOURCES = tests/unit/test_engine_requests.c
tests_unit_test_engine_requests_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_engine_requests_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_engine_requests_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_engine_requests
check_PROGRAMS += tests/unit/test_engine_gate
tests_unit_test_engine_gate_SOURCES = tests/unit/test_engine_gate.c tests/unit/engine_fake.c tests/unit/engine_fake.h
tests_unit_test_engine_gate_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_engine_gate_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_engine_gate_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_engine_gate
check_PROGRAMS += tests/unit/test_engine_tasks
tests_unit_test_engine_tasks_SOURCES = tests/unit/test_engine_tasks.c tests/unit/engine_fake.c tests/unit/engine_fake.h
tests_unit_test_engine_tasks_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_engine_tasks_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_engine_tasks_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_engine_tasks
check_PROGRAMS += tests/unit/test_preflight
tests_unit_test_preflight_SOURCES = tests/unit/test_preflight.c
tests_unit_test_preflight_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_preflight_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_preflight_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_preflight
check_PROGRAMS += tests/unit/test_names
tests_unit_test_names_SOURCES = tests/unit/test_names.c
tests_unit_test_names_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_names_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBXML2_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_names_LDADD = $(VSPHERE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_names
check_PROGRAMS += tests/unit/test_soap tests/unit/test_ip
tests_unit_test_soap_SOURCES = tests/unit/test_soap.c
tests_unit_test_soap_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_soap_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBXML2_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_soap_LDADD = $(VSPHERE_LIBS) $(CHECK_LIBS)
tests_unit_test_ip_SOURCES = tests/unit/test_ip.c
tests_unit_test_ip_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ip_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBXML2_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_ip_LDADD = $(VSPHERE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_soap tests/unit/test_ip
check_PROGRAMS += tests/unit/test_storagepod
tests_unit_test_storagepod_SOURCES = tests/unit/test_storagepod.c
tests_unit_test_storagepod_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_storagepod_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBXML2_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_storagepod_LDADD = $(VSPHERE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_storagepod
check_PROGRAMS += tests/unit/test_labels
tests_unit_test_labels_SOURCES = tests/unit/test_labels.c
tests_unit_test_labels_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_labels_CPPFLAGS = $(UNIT_CPPFLAGS) $(LIBXML2_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_labels_LDADD = $(VSPHERE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_labels
TESTS += $(UNIT_TESTS)

# The headless commands against good and broken configuration folders.
TESTS += tests/integration/cli.t
EXTRA_DIST += tests/integration/cli.t tests/integration/tap.sh tests/fixtures/cli
# Field cases B: bad input refused by validate and apply before any vCenter call.
TESTS += tests/integration/cli-input.t
EXTRA_DIST += tests/integration/cli-input.t tests/integration/input-lib.sh
# Field cases A (fixes): networks = [ ], extra_config keys in any case, the
# guestinfo total named at its field; refused before any vCenter call.
TESTS += tests/integration/template-input.t
EXTRA_DIST += tests/integration/template-input.t
# Networks the VM's host cannot reach: refused before cloning, refused by the
# lab's clone as by vCenter's, and a dropped NIC change caught on read-back.
TESTS += tests/integration/nic-reach.t
EXTRA_DIST += tests/integration/nic-reach.t tests/integration/nets-lib.sh
# Owner markers spelt in another case are still read (.vmx keys are
# case-insensitive).
TESTS += tests/integration/engine-marker-case.t
EXTRA_DIST += tests/integration/engine-marker-case.t

# Run only the unit tests (the sanitizer build in CI uses this).
check-unit:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(UNIT_TESTS)'
.PHONY: check-unit

# The template field table for tests/integration/fidelity.t.
check_PROGRAMS += tests/integration/template-fields
tests_integration_template_fields_SOURCES = tests/integration/template-fields.c
tests_integration_template_fields_LDADD = $(CORE_LIBS)

# Kubeconfig rename and merge (src/k8s).
check_PROGRAMS += tests/unit/test_kubeconfig
tests_unit_test_kubeconfig_SOURCES = tests/unit/test_kubeconfig.c tests/unit/yaml_at.c tests/unit/yaml_at.h
tests_unit_test_kubeconfig_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_kubeconfig_CPPFLAGS = $(UNIT_CPPFLAGS) $(YAML_CFLAGS)
tests_unit_test_kubeconfig_LDADD = $(K8S_LIBS) $(CORE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_kubeconfig
check_PROGRAMS += tests/unit/test_cloudprov
tests_unit_test_cloudprov_SOURCES = tests/unit/test_cloudprov.c tests/unit/yaml_at.c tests/unit/yaml_at.h
tests_unit_test_cloudprov_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_cloudprov_CPPFLAGS = $(UNIT_CPPFLAGS) $(YAML_CFLAGS)
tests_unit_test_cloudprov_LDADD = $(K8S_LIBS) $(CORE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_cloudprov
# The Kubernetes client's parsing (src/k8s/client.c).
check_PROGRAMS += tests/unit/test_client
tests_unit_test_client_SOURCES = tests/unit/test_client.c
tests_unit_test_client_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_client_CPPFLAGS = $(UNIT_CPPFLAGS) -DDR_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_client_LDADD = $(K8S_LIBS) $(CORE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_client
EXTRA_DIST += tests/unit/data/k8s-nodes-standin.json
# Health polling in the engine (src/engine/health.c): idle wake-ups, an API that refuses.
check_PROGRAMS += tests/unit/test_health
tests_unit_test_health_SOURCES = tests/unit/test_health.c tests/unit/engine_fake.c tests/unit/engine_fake.h
tests_unit_test_health_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_health_CPPFLAGS = $(UNIT_CPPFLAGS)
tests_unit_test_health_LDADD = $(ENGINE_TEST_LIBS)
UNIT_TESTS += tests/unit/test_health
check_PROGRAMS += tests/unit/test_drain
tests_unit_test_drain_SOURCES = tests/unit/test_drain.c
tests_unit_test_drain_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_drain_CPPFLAGS = $(UNIT_CPPFLAGS) -DDR_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_drain_LDADD = $(K8S_LIBS) $(CORE_LIBS) $(CHECK_LIBS)
UNIT_TESTS += tests/unit/test_drain
EXTRA_DIST += tests/unit/data/k8s-pods-standin.json

# po/POTFILES.in lists every source file with _() or N_() strings.
TESTS += tests/po-complete.t
EXTRA_DIST += tests/po-complete.t
