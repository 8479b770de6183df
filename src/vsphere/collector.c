#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

xmlNodePtr
vs_prop(xmlNodePtr oc, const char *name)
{
    soap_each(p, oc, "propSet")
    {
        xmlNodePtr n = soap_child(p, "name");
        xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
        bool match = t && strcmp((const char *)t, name) == 0;
        xmlFree(t);
        if (match)
            return soap_child(p, "val");
    }
    return NULL;
}

char *
vs_prop_text(xmlNodePtr oc, const char *name)
{
    return soap_text(vs_prop(oc, name));
}

static void
add_propset(xmlNodePtr spec, const struct vs_propspec *ps)
{
    xmlNodePtr p = soap_add_text(spec, "propSet", NULL);

    soap_add_text(p, "type", ps->type);
    soap_add_bool(p, "all", ps->paths == NULL);
    for (const char *const *path = ps->paths; path && *path; path++)
        soap_add_text(p, "pathSet", *path);
}

enum dr_err
vs_walk_result(xmlNodePtr rv, vs_object_fn fn, void *user, char **token, struct dr_error *e)
{
    *token = soap_child_text(rv, "token");
    soap_each(oc, rv, "objects")
    {
        xmlNodePtr obj = soap_child(oc, "obj");
        xmlChar *type = obj ? xmlGetNoNsProp(obj, BAD_CAST "type") : NULL;
        char *id = soap_text(obj);
        enum dr_err err = DR_E_OK;
        if (type && id)
            err = fn(user, (const char *)type, id, oc, e);
        xmlFree(type);
        free(id);
        if (err != DR_E_OK)
            return err;
    }
    return DR_E_OK;
}

static void
cancel_retrieve(struct vs_session *s, const char *token)
{
    struct soap_req req;
    struct soap_resp resp;

    soap_req_init(&req, "CancelRetrievePropertiesEx");
    soap_add_moref(req.method, "_this", "PropertyCollector", s->property_collector);
    soap_add_text(req.method, "token", token);
    if (vs_call(s, &req, &resp, NULL) == DR_E_OK)
        soap_resp_done(&resp);
    soap_req_done(&req);
}

/* Run a RetrievePropertiesEx whose specSet the caller filled, then page. */
static enum dr_err
retrieve(struct vs_session *s, struct soap_req *req, vs_object_fn fn, void *user,
         struct dr_error *e)
{
    struct soap_resp resp;
    char *token = NULL;
    enum dr_err err;
    xmlNodePtr opts = soap_add_text(req->method, "options", NULL);

    soap_add_int(opts, "maxObjects", s->page_size > 0 ? s->page_size : VS_PAGE_SIZE);
    err = vs_call(s, req, &resp, e);
    if (err != DR_E_OK)
        return err;
    err = vs_walk_result(soap_child(resp.result, "returnval"), fn, user, &token, e);
    soap_resp_done(&resp);
    while (err == DR_E_OK && token) {
        struct soap_req more;
        soap_req_init(&more, "ContinueRetrievePropertiesEx");
        soap_add_moref(more.method, "_this", "PropertyCollector", s->property_collector);
        soap_add_text(more.method, "token", token);
        xfree(&token);
        err = vs_call(s, &more, &resp, e);
        soap_req_done(&more);
        if (err != DR_E_OK)
            break;
        err = vs_walk_result(soap_child(resp.result, "returnval"), fn, user, &token, e);
        soap_resp_done(&resp);
    }
    if (token && err != DR_E_CANCELLED && err != DR_E_CONNECT && err != DR_E_TIMEOUT)
        cancel_retrieve(s, token);
    free(token);
    return err;
}

enum dr_err
vs_retrieve_spec(struct vs_session *s, struct soap_req *req, vs_object_fn fn, void *user,
                 struct dr_error *e)
{
    return retrieve(s, req, fn, user, e);
}

enum dr_err
vs_retrieve_one(struct vs_session *s, const char *type, const char *id, const char *const *paths,
                vs_object_fn fn, void *user, struct dr_error *e)
{
    struct soap_req req;
    struct vs_propspec ps = {.type = type, .paths = paths};
    xmlNodePtr spec, os;
    enum dr_err err;

    soap_req_init(&req, "RetrievePropertiesEx");
    soap_add_moref(req.method, "_this", "PropertyCollector", s->property_collector);
    spec = soap_add_text(req.method, "specSet", NULL);
    add_propset(spec, &ps);
    os = soap_add_text(spec, "objectSet", NULL);
    soap_add_moref(os, "obj", type, id);
    soap_add_bool(os, "skip", false);
    err = retrieve(s, &req, fn, user, e);
    soap_req_done(&req);
    return err;
}

static void
destroy_view(struct vs_session *s, const char *view)
{
    struct soap_req req;
    struct soap_resp resp;

    soap_req_init(&req, "DestroyView");
    soap_add_moref(req.method, "_this", "ContainerView", view);
    if (vs_call(s, &req, &resp, NULL) == DR_E_OK)
        soap_resp_done(&resp);
    soap_req_done(&req);
}

enum dr_err
vs_retrieve_view(struct vs_session *s, const char *root_type, const char *root_id,
                 const struct vs_propspec *specs, size_t n_specs, bool recursive, vs_object_fn fn,
                 void *user, struct dr_error *e)
{
    struct soap_req req;
    struct soap_resp resp;
    enum dr_err err;
    char *view;
    xmlNodePtr spec, os, sel;

    if (s->view_manager == NULL)
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: no view manager (not a vCenter?)"),
                            s->name);
    soap_req_init(&req, "CreateContainerView");
    soap_add_moref(req.method, "_this", "ViewManager", s->view_manager);
    soap_add_moref(req.method, "container", root_type, root_id);
    for (size_t i = 0; i < n_specs; i++)
        soap_add_text(req.method, "type", specs[i].type);
    soap_add_bool(req.method, "recursive", recursive);
    err = vs_call(s, &req, &resp, e);
    soap_req_done(&req);
    if (err != DR_E_OK)
        return err;
    view = soap_child_text(resp.result, "returnval");
    soap_resp_done(&resp);
    if (str_empty(view)) {
        free(view);
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: CreateContainerView returned no view"),
                            s->name);
    }

    soap_req_init(&req, "RetrievePropertiesEx");
    soap_add_moref(req.method, "_this", "PropertyCollector", s->property_collector);
    spec = soap_add_text(req.method, "specSet", NULL);
    for (size_t i = 0; i < n_specs; i++)
        add_propset(spec, &specs[i]);
    os = soap_add_text(spec, "objectSet", NULL);
    soap_add_moref(os, "obj", "ContainerView", view);
    soap_add_bool(os, "skip", true);
    sel = soap_add_text(os, "selectSet", NULL);
    soap_set_type(sel, "TraversalSpec");
    soap_add_text(sel, "name", "traverseView");
    soap_add_text(sel, "type", "ContainerView");
    soap_add_text(sel, "path", "view");
    soap_add_bool(sel, "skip", false);
    err = retrieve(s, &req, fn, user, e);
    soap_req_done(&req);
    if (err != DR_E_CANCELLED && err != DR_E_CONNECT && err != DR_E_TIMEOUT)
        destroy_view(s, view);
    free(view);
    return err;
}
