/* Reading YAML back in unit tests (yaml_at.h). */
#include "config.h"

#include <yaml.h>

#include "yaml_at.h"

/* The scalar at a path like "clusters.0.cluster.server" in YAML text
 * (newly allocated; NULL when absent). */
char *
yaml_at(const char *text, const char *path)
{
    yaml_parser_t p;
    yaml_document_t d;
    ck_assert(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    ck_assert_msg(yaml_parser_load(&p, &d), "not YAML: %s", text);
    yaml_node_t *n = yaml_document_get_root_node(&d);
    char *copy = strdup(path), *save = NULL, *out = NULL;
    for (char *k = strtok_r(copy, ".", &save); n && k; k = strtok_r(NULL, ".", &save)) {
        yaml_node_t *next = NULL;
        if (n->type == YAML_SEQUENCE_NODE) {
            long i = strtol(k, NULL, 10);
            if (i < n->data.sequence.items.top - n->data.sequence.items.start)
                next = yaml_document_get_node(&d, n->data.sequence.items.start[i]);
        } else if (n->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
                 pr++) {
                yaml_node_t *key = yaml_document_get_node(&d, pr->key);
                if (key->type == YAML_SCALAR_NODE && !strcmp((char *)key->data.scalar.value, k))
                    next = yaml_document_get_node(&d, pr->value);
            }
        }
        n = next;
    }
    if (n && n->type == YAML_SCALAR_NODE)
        out = strdup((char *)n->data.scalar.value);
    else if (n && n->type == YAML_SEQUENCE_NODE)
        out = strdup("<seq>");
    else if (n)
        out = strdup("<map>");
    free(copy);
    yaml_document_delete(&d);
    yaml_parser_delete(&p);
    return out;
}
