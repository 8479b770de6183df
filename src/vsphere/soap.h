/* vim25 SOAP envelopes with libxml2: building requests (values are text
 * nodes, so libxml2 escapes them) and reading responses namespace-aware.
 * Internal to src/vsphere (and the fuzz target). */
#ifndef DR_VSPHERE_SOAP_H
#define DR_VSPHERE_SOAP_H

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define SOAP_ENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define SOAP_XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define SOAP_XSD_NS "http://www.w3.org/2001/XMLSchema"
#define SOAP_VIM_NS "urn:vim25"

/* A request: the document and its method element (<Login xmlns="urn:vim25">). */
struct soap_req {
    xmlDocPtr doc;
    xmlNodePtr method;
};

void soap_req_init(struct soap_req *r, const char *method);
void soap_req_done(struct soap_req *r);
/* <name type="type">value</name> under parent. */
xmlNodePtr soap_add_moref(xmlNodePtr parent, const char *name, const char *type, const char *value);
/* <name>text</name>; text may be NULL for an empty element. */
xmlNodePtr soap_add_text(xmlNodePtr parent, const char *name, const char *text);
xmlNodePtr soap_add_int(xmlNodePtr parent, const char *name, long long v);
xmlNodePtr soap_add_bool(xmlNodePtr parent, const char *name, bool v);
/* Set xsi:type="type" on node. */
void soap_set_type(xmlNodePtr node, const char *type);
/* <name xsi:type="xsd:string">text</name>. */
xmlNodePtr soap_add_string_value(xmlNodePtr parent, const char *name, const char *text);
/* The serialized request (xmlFree it). */
xmlChar *soap_req_serialize(const struct soap_req *r, int *len);

/* A parsed response. On a fault, fault_name ("InvalidLogin") and fault_msg
 * (faultstring) are set and result is NULL. */
struct soap_resp {
    xmlDocPtr doc;
    xmlNodePtr result; /* the <...Response> element */
    char *fault_name;
    char *fault_msg;
};

/* Parse a SOAP response body. DR_E_PROTO when it is not a SOAP envelope with
 * a body holding a response or a fault. A fault is DR_E_OK here: callers
 * look at fault_name. */
enum dr_err soap_parse(const char *buf, size_t len, struct soap_resp *out, struct dr_error *e);
void soap_resp_done(struct soap_resp *r);

/* Tree helpers, by local name (vim25 elements all live in urn:vim25). */
xmlNodePtr soap_child(xmlNodePtr n, const char *name);
xmlNodePtr soap_next(xmlNodePtr n, const char *name); /* next sibling with that name */
#define soap_each(var, parent, name)                                                               \
    for (xmlNodePtr var = soap_child((parent), (name)); var; var = soap_next(var, (name)))
/* Text content, newly allocated with xmalloc (NULL for a NULL node). */
char *soap_text(xmlNodePtr n);
/* Text of the named child, newly allocated, or NULL. */
char *soap_child_text(xmlNodePtr n, const char *name);
bool soap_child_bool(xmlNodePtr n, const char *name, bool dflt);
long long soap_child_ll(xmlNodePtr n, const char *name, long long dflt);
/* The xsi:type of n without any prefix ("InvalidLogin"), newly allocated, or
 * NULL. The prefix bound to the XSI namespace varies between servers. */
char *soap_type(xmlNodePtr n);

/* The fault name from a fault's <detail> or a task's LocalizedMethodFault
 * <fault> element (its xsi:type, else the element name without "Fault"). */
char *soap_fault_name(xmlNodePtr fault);
/* "requestedState=poweredOff, existingState=poweredOn": a fault's simple
 * fields, for faults that come without a message. */
char *soap_fault_details(xmlNodePtr fault);

#endif
