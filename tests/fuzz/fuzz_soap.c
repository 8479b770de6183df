/* libFuzzer target for the vim25 SOAP response parser: the envelope and
 * fault parsing, and the walkers the client runs over results (property
 * sets, option values, fault details, task info, guest NICs). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "vsphere/internal.h"
#include "vsphere/soap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const props[] = {
    "name",
    "parent",
    "info.state",
    "info.result",
    "info.error",
    "guest.ipAddress",
    "guest.net",
    "config.extraConfig",
    "config.hardware.device",
    "snapshot",
    "summary.capacity",
    "sessionList",
};

static enum dr_err
on_object(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    size_t *count = user;

    (*count)++;
    for (size_t i = 0; i < DR_ARRAY_LEN(props); i++) {
        xmlNodePtr val = vs_prop(oc, props[i]);
        char *t = soap_text(val), *type_name = soap_type(val);
        free(vs_option_value(val, "guestinfo.drover.owner"));
        free(soap_fault_name(soap_child(val, "fault")));
        free(soap_fault_details(soap_child(val, "fault")));
        for (xmlNodePtr c = val ? val->children : NULL; c; c = c->next) {
            soap_each(a, c, "ipAddress") free(soap_text(a));
            (void)soap_child_ll(c, "capacityInKB", 0);
            (void)soap_child_bool(c, "connected", false);
        }
        free(t);
        free(type_name);
    }
    return DR_E_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct soap_resp r;
    struct dr_error e = {0};
    char *token = NULL;
    size_t count = 0;

    if (soap_parse((const char *)data, size, &r, &e) != DR_E_OK)
        return 0;
    if (r.result) {
        xmlNodePtr rv = soap_child(r.result, "returnval");
        free(soap_text(rv));
        free(soap_child_text(rv, "key"));
        vs_walk_result(rv, on_object, &count, &token, &e);
        free(token);
    } else if (r.fault_name == NULL || r.fault_msg == NULL) {
        abort(); /* a fault always has both */
    }
    soap_resp_done(&r);
    return 0;
}
