/* libyaml for the operator's user_data, shared by the merge (cloudinit.c)
 * and the checks (cicheck.c) so both read it with one parser and word its
 * faults the same way. Internal to src/bootstrap. */
#ifndef DR_BOOTSTRAP_CI_YAML_H
#define DR_BOOTSTRAP_CI_YAML_H

#include <stdbool.h>

#include <yaml.h>

#include "core/err.h"
#include "core/model.h"

/* Loads text's one YAML document into *doc (caller deletes it with
 * yaml_document_delete when DR_E_OK). Refuses, as "template T (file:line):
 * user_data line N: ...", text that is not YAML, a second document, or a
 * root that is neither a mapping nor empty (cloud-init's rule: the
 * cloud-config is a dictionary). line_offset: lines of user_data in front of
 * text. merged: text is drover's rendered document, worded as such. */
enum dr_err ci_yaml_load(const struct dr_template *t, const char *text, int line_offset,
                         bool merged, yaml_document_t *doc, struct dr_error *e);

/* "template T (file:line): user_data line N: msg" (line 0: no line). */
enum dr_err ci_yaml_error(const struct dr_template *t, int line, struct dr_error *e,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
