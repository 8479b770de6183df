#include "config.h"

#include <libxml/parser.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/soap.h"

void
soap_req_init(struct soap_req *r, const char *method)
{
    xmlNodePtr env, body;
    xmlNsPtr ns_env, ns_vim;

    r->doc = xmlNewDoc(BAD_CAST "1.0");
    env = xmlNewDocNode(r->doc, NULL, BAD_CAST "Envelope", NULL);
    xmlDocSetRootElement(r->doc, env);
    ns_env = xmlNewNs(env, BAD_CAST SOAP_ENV_NS, BAD_CAST "soapenv");
    xmlSetNs(env, ns_env);
    xmlNewNs(env, BAD_CAST SOAP_XSI_NS, BAD_CAST "xsi");
    xmlNewNs(env, BAD_CAST SOAP_XSD_NS, BAD_CAST "xsd");
    body = xmlNewChild(env, ns_env, BAD_CAST "Body", NULL);
    r->method = xmlNewChild(body, NULL, BAD_CAST method, NULL);
    ns_vim = xmlNewNs(r->method, BAD_CAST SOAP_VIM_NS, NULL);
    xmlSetNs(r->method, ns_vim);
    if (r->doc == NULL || r->method == NULL) {
        fprintf(stderr, "drover: out of memory\n");
        abort();
    }
}

void
soap_req_done(struct soap_req *r)
{
    if (r->doc)
        xmlFreeDoc(r->doc);
    r->doc = NULL;
    r->method = NULL;
}

xmlNodePtr
soap_add_text(xmlNodePtr parent, const char *name, const char *text)
{
    /* xmlNewTextChild escapes the text; xmlNewChild would not. */
    xmlNodePtr n = xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);

    if (n == NULL) {
        fprintf(stderr, "drover: out of memory\n");
        abort();
    }
    return n;
}

xmlNodePtr
soap_add_moref(xmlNodePtr parent, const char *name, const char *type, const char *value)
{
    xmlNodePtr n = soap_add_text(parent, name, value);

    xmlNewProp(n, BAD_CAST "type", BAD_CAST type);
    return n;
}

xmlNodePtr
soap_add_int(xmlNodePtr parent, const char *name, long long v)
{
    char buf[32];

    snprintf(buf, sizeof buf, "%lld", v);
    return soap_add_text(parent, name, buf);
}

xmlNodePtr
soap_add_bool(xmlNodePtr parent, const char *name, bool v)
{
    return soap_add_text(parent, name, v ? "true" : "false");
}

void
soap_set_type(xmlNodePtr node, const char *type)
{
    xmlNsPtr xsi = xmlSearchNsByHref(node->doc, node, BAD_CAST SOAP_XSI_NS);

    xmlSetNsProp(node, xsi, BAD_CAST "type", BAD_CAST type);
}

xmlNodePtr
soap_add_string_value(xmlNodePtr parent, const char *name, const char *text)
{
    xmlNodePtr n = soap_add_text(parent, name, text);

    soap_set_type(n, "xsd:string");
    return n;
}

xmlChar *
soap_req_serialize(const struct soap_req *r, int *len)
{
    xmlChar *out = NULL;

    xmlDocDumpMemoryEnc(r->doc, &out, len, "UTF-8");
    if (out == NULL) {
        fprintf(stderr, "drover: out of memory\n");
        abort();
    }
    return out;
}

static bool
is_elem(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE &&
           (name == NULL || xmlStrcmp(n->name, BAD_CAST name) == 0);
}

static bool
in_ns(xmlNodePtr n, const char *href)
{
    return n->ns && n->ns->href && xmlStrcmp(n->ns->href, BAD_CAST href) == 0;
}

xmlNodePtr
soap_child(xmlNodePtr n, const char *name)
{
    if (n == NULL)
        return NULL;
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (is_elem(c, name))
            return c;
    return NULL;
}

xmlNodePtr
soap_next(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->next : NULL; c; c = c->next)
        if (is_elem(c, name))
            return c;
    return NULL;
}

char *
soap_text(xmlNodePtr n)
{
    xmlChar *t;
    char *s;

    if (n == NULL)
        return NULL;
    t = xmlNodeGetContent(n);
    s = xstrdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

char *
soap_child_text(xmlNodePtr n, const char *name)
{
    return soap_text(soap_child(n, name));
}

bool
soap_child_bool(xmlNodePtr n, const char *name, bool dflt)
{
    char *t = soap_child_text(n, name);
    bool v = dflt;

    if (t)
        v = strcmp(t, "true") == 0 || strcmp(t, "1") == 0;
    free(t);
    return v;
}

long long
soap_child_ll(xmlNodePtr n, const char *name, long long dflt)
{
    char *t = soap_child_text(n, name), *end;
    long long v = dflt;

    if (t && *t) {
        long long x = strtoll(t, &end, 10);
        if (*end == '\0')
            v = x;
    }
    free(t);
    return v;
}

char *
soap_type(xmlNodePtr n)
{
    xmlChar *t;
    const char *colon;
    char *s;

    if (n == NULL)
        return NULL;
    t = xmlGetNsProp(n, BAD_CAST "type", BAD_CAST SOAP_XSI_NS);
    if (t == NULL)
        return NULL;
    colon = strrchr((const char *)t, ':');
    s = xstrdup(colon ? colon + 1 : (const char *)t);
    xmlFree(t);
    return s;
}

char *
soap_fault_name(xmlNodePtr fault)
{
    char *name = soap_type(fault);
    size_t len;

    if (name && *name)
        return name;
    free(name);
    if (fault == NULL || fault->name == NULL)
        return xstrdup("UnknownFault");
    name = xstrdup((const char *)fault->name);
    len = strlen(name);
    if (len > 5 && strcmp(name + len - 5, "Fault") == 0)
        name[len - 5] = '\0';
    return name;
}

static void
append(char **s, size_t *len, size_t *cap, const char *text)
{
    size_t n = strlen(text);

    *s = xgrow(*s, cap, *len + n + 1, 1);
    memcpy(*s + *len, text, n + 1);
    *len += n;
}

char *
soap_fault_details(xmlNodePtr fault)
{
    char *out = xstrdup("");
    size_t len = 0, cap = 1;

    for (xmlNodePtr c = fault ? fault->children : NULL; c; c = c->next) {
        bool leaf = true;
        xmlChar *t;
        if (c->type != XML_ELEMENT_NODE)
            continue;
        for (xmlNodePtr g = c->children; g; g = g->next)
            if (g->type == XML_ELEMENT_NODE)
                leaf = false;
        if (!leaf)
            continue;
        t = xmlNodeGetContent(c);
        if (len)
            append(&out, &len, &cap, ", ");
        append(&out, &len, &cap, (const char *)c->name);
        append(&out, &len, &cap, "=");
        append(&out, &len, &cap, t ? (const char *)t : "");
        xmlFree(t);
    }
    return out;
}

enum dr_err
soap_parse(const char *buf, size_t len, struct soap_resp *out, struct dr_error *e)
{
    xmlNodePtr root, body, first;

    memset(out, 0, sizeof *out);
    if (len > INT_MAX)
        return dr_error_set(e, DR_E_PROTO, _("SOAP response too large (%zu bytes)"), len);
    /* No network access and no entity substitution: the body is untrusted. */
    out->doc = xmlReadMemory(buf, (int)len, "response.xml", NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (out->doc == NULL) {
        const xmlError *xe = xmlGetLastError();
        return dr_error_set(e, DR_E_PROTO, _("SOAP response is not XML: %s"),
                            xe && xe->message ? xe->message : "?");
    }
    /* SOAP forbids a document type declaration; refusing one means no
     * entity a server (or a proxy in between) declared is ever expanded
     * into the text drover reads. */
    if (out->doc->intSubset != NULL || out->doc->extSubset != NULL) {
        soap_resp_done(out);
        return dr_error_set(e, DR_E_PROTO,
                            _("SOAP response has a document type declaration (refused)"));
    }
    root = xmlDocGetRootElement(out->doc);
    if (!is_elem(root, "Envelope") || !in_ns(root, SOAP_ENV_NS))
        goto bad;
    body = soap_child(root, "Body");
    if (body == NULL || !in_ns(body, SOAP_ENV_NS))
        goto bad;
    first = soap_child(body, NULL);
    if (first == NULL)
        goto bad;
    if (xmlStrcmp(first->name, BAD_CAST "Fault") == 0 && in_ns(first, SOAP_ENV_NS)) {
        xmlNodePtr detail = soap_child(first, "detail");
        xmlNodePtr f = soap_child(detail, NULL);
        out->fault_msg = soap_child_text(first, "faultstring");
        if (out->fault_msg == NULL)
            out->fault_msg = xstrdup("");
        /* Strip trailing newlines some servers add. */
        for (size_t l = strlen(out->fault_msg);
             l > 0 && (out->fault_msg[l - 1] == '\n' || out->fault_msg[l - 1] == ' '); l--)
            out->fault_msg[l - 1] = '\0';
        out->fault_name = f ? soap_fault_name(f) : xstrdup("SystemError");
        if (*out->fault_msg == '\0' && f) {
            free(out->fault_msg);
            out->fault_msg = soap_fault_details(f);
        }
        return DR_E_OK;
    }
    out->result = first;
    return DR_E_OK;
bad:
    soap_resp_done(out);
    return dr_error_set(e, DR_E_PROTO, _("not a SOAP response envelope"));
}

void
soap_resp_done(struct soap_resp *r)
{
    if (r->doc)
        xmlFreeDoc(r->doc);
    free(r->fault_name);
    free(r->fault_msg);
    memset(r, 0, sizeof *r);
}
