/* vCenter's vAPI REST endpoint (/rest/...), where tagging lives: a second
 * connection of a vs_session, made by duplicating the SOAP handle so that it
 * has the same TLS policy, proxy, timeouts, user agent and cancel flag. The
 * vAPI session id is a secret like the password: never logged, wiped on free.
 *
 * The /rest flavour of the API is used (vCenter 6.5 and later; still served
 * by 8.0, and the only one govmomi's simulator serves). */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "vsphere/internal.h"

#define VS_REST_PREFIX "/rest"
#define VS_REST_SESSION "/com/vmware/cis/session"

struct vs_rest {
    CURL *curl;
    struct curl_slist *headers;
    char *session_id;
    char *session_header; /* "vmware-api-session-id: <id>" (a secret too) */
    struct vs_buf resp;
    char err[CURL_ERROR_SIZE];
};

static void
wipe_free(char **p)
{
    if (*p) {
        memset(*p, 0, strlen(*p));
        free(*p);
        *p = NULL;
    }
}

static void
set_headers(struct vs_rest *r)
{
    curl_slist_free_all(r->headers);
    r->headers = curl_slist_append(NULL, "Content-Type: application/json");
    r->headers = curl_slist_append(r->headers, "Accept: application/json");
    r->headers = curl_slist_append(r->headers, "Expect:");
    if (r->session_header)
        r->headers = curl_slist_append(r->headers, r->session_header);
    curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, r->headers);
}

static void
rest_drop_session(struct vs_rest *r)
{
    wipe_free(&r->session_id);
    wipe_free(&r->session_header);
    set_headers(r);
}

static enum dr_err
rest_open(struct vs_session *s, struct dr_error *e)
{
    struct vs_rest *r;

    if (s->rest)
        return DR_E_OK;
    r = xcalloc(1, sizeof *r);
    /* Every option of the SOAP handle, the write function (it fills a
     * struct vs_buf) and the TLS policy included. */
    r->curl = curl_easy_duphandle(s->curl);
    if (r->curl == NULL) {
        free(r);
        return dr_error_set(e, DR_E_INTERNAL, _("cannot create a libcurl handle"));
    }
    curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, &r->resp);
    curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, r->err);
    set_headers(r);
    s->rest = r;
    return DR_E_OK;
}

void
vs_rest_free(struct vs_session *s)
{
    struct vs_rest *r = s->rest;

    if (r == NULL)
        return;
    if (r->session_id && !vs_cancelled(s)) {
        /* Log out, best effort, quickly. */
        vs_rest_set_timeout(s, 5);
        vs_rest_call(s, "DELETE", VS_REST_SESSION, NULL, NULL, NULL, NULL);
    }
    curl_easy_cleanup(r->curl);
    rest_drop_session(r);
    curl_slist_free_all(r->headers);
    free(r->resp.data);
    free(r);
    s->rest = NULL;
}

const char *
vs_rest_session_id(const struct vs_session *s)
{
    return s->rest ? s->rest->session_id : NULL;
}

void
vs_rest_set_timeout(struct vs_session *s, long seconds)
{
    if (s->rest == NULL)
        return;
    curl_easy_setopt(s->rest->curl, CURLOPT_TIMEOUT, seconds);
    curl_easy_setopt(s->rest->curl, CURLOPT_CONNECTTIMEOUT, seconds < 15 ? seconds : 15L);
}

/* The vAPI error in a response body: "not_found: Tag ... not found", or
 * NULL. Both the /rest ({"type", "value": {"messages"}}) and the /api
 * ({"error_type", "messages"}) shapes. */
static char *
rest_error_text(const char *body)
{
    cJSON *j = cJSON_Parse(body ? body : "");
    const cJSON *type, *msgs, *m;
    char *out = NULL;

    if (j == NULL)
        return NULL;
    type = cJSON_GetObjectItemCaseSensitive(j, "type");
    if (!cJSON_IsString(type))
        type = cJSON_GetObjectItemCaseSensitive(j, "error_type");
    msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
    if (msgs == NULL)
        msgs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "value"),
                                                "messages");
    m = cJSON_IsArray(msgs) ? cJSON_GetArrayItem(msgs, 0) : NULL;
    m = m ? cJSON_GetObjectItemCaseSensitive(m, "default_message") : NULL;
    if (cJSON_IsString(type)) {
        const char *t = strrchr(type->valuestring, '.');
        t = t ? t + 1 : type->valuestring;
        out = cJSON_IsString(m) ? xasprintf("%s: %s", t, m->valuestring) : xstrdup(t);
    } else if (cJSON_IsString(m)) {
        out = xstrdup(m->valuestring);
    }
    cJSON_Delete(j);
    return out;
}

static enum dr_err rest_login(struct vs_session *s, struct dr_error *e);

/* One request; *code gets the HTTP status. */
static enum dr_err
rest_once(struct vs_session *s, const char *method, const char *path, const char *action,
          const char *body, long *code, struct dr_error *e)
{
    struct vs_rest *r = s->rest;
    CURLU *u = curl_url();
    char *full = xasprintf("%s%s", VS_REST_PREFIX, path);
    char *url = NULL;
    char *query = action ? xasprintf("~action=%s", action) : NULL;
    CURLcode rc;

    *code = 0;
    if (u == NULL || curl_url_set(u, CURLUPART_URL, s->url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_PATH, full, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_QUERY, query, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        free(full);
        free(query);
        return dr_error_set(e, DR_E_INVAL, _("vCenter %s: cannot make a vAPI url from %s"), s->name,
                            s->url);
    }
    curl_url_cleanup(u);
    free(full);
    free(query);
    if (vs_cancelled(s)) {
        curl_free(url);
        return dr_error_set(e, DR_E_CANCELLED, _("vCenter %s: cancelled"), s->name);
    }
    r->resp.len = 0;
    if (r->resp.data)
        r->resp.data[0] = '\0';
    r->err[0] = '\0';
    curl_easy_setopt(r->curl, CURLOPT_URL, url);
    curl_easy_setopt(r->curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(r->curl, CURLOPT_CUSTOMREQUEST, NULL);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(r->curl, CURLOPT_CUSTOMREQUEST, method);
    }
    rc = curl_easy_perform(r->curl);
    curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(r->curl, CURLOPT_CUSTOMREQUEST, NULL);
    if (rc != CURLE_OK) {
        enum dr_err err;

        if (rc == CURLE_ABORTED_BY_CALLBACK)
            err = dr_error_set(e, DR_E_CANCELLED, _("vCenter %s: cancelled"), s->name);
        else
            err = vs_curl_error(r->curl, rc, url, r->err, e);
        curl_free(url);
        return err;
    }
    curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, code);
    curl_free(url);
    return DR_E_OK;
}

static enum dr_err
rest_status_error(struct vs_session *s, const char *method, const char *path, long code,
                  struct dr_error *e)
{
    char *why = rest_error_text(s->rest->resp.data);
    const char *w = why ? why : "";
    enum dr_err err;

    snprintf(s->last_fault, sizeof s->last_fault, "%s", why ? why : "");
    s->last_fault[strcspn(s->last_fault, ":")] = '\0';
    switch (code) {
    case 401:
        err = dr_error_set(e, DR_E_AUTH, _("vCenter %s: vAPI %s %s: not authenticated%s%s"),
                           s->name, method, path, *w ? ": " : "", w);
        break;
    case 403:
        err = dr_error_set(e, DR_E_FAULT,
                           _("vCenter %s: vAPI %s %s: refused (HTTP 403: the user lacks a "
                             "privilege, or the object is gone)%s%s"),
                           s->name, method, path, *w ? ": " : "", w);
        break;
    case 404:
        err = dr_error_set(e, DR_E_NOTFOUND, _("vCenter %s: vAPI %s %s: not found%s%s"), s->name,
                           method, path, *w ? ": " : "", w);
        break;
    default:
        err = dr_error_set(e, DR_E_FAULT, _("vCenter %s: vAPI %s %s: HTTP status %ld%s%s"), s->name,
                           method, path, code, *w ? ": " : "", w);
        break;
    }
    if (s->last_fault[0])
        dr_error_cause(e, "vapi:%s", s->last_fault);
    else
        dr_error_cause(e, "http:%ld", code);
    free(why);
    return err;
}

static enum dr_err
rest_login(struct vs_session *s, struct dr_error *e)
{
    struct vs_rest *r = s->rest;
    cJSON *j, *v;
    long code = 0;
    enum dr_err err;

    rest_drop_session(r);
    if (str_empty(s->user))
        return dr_error_set(e, DR_E_AUTH, _("vCenter %s: no user configured"), s->name);
    curl_easy_setopt(r->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(r->curl, CURLOPT_USERNAME, s->user);
    curl_easy_setopt(r->curl, CURLOPT_PASSWORD, s->password ? s->password : "");
    err = rest_once(s, "POST", VS_REST_SESSION, NULL, NULL, &code, e);
    /* The credentials go with this request only. */
    curl_easy_setopt(r->curl, CURLOPT_USERNAME, NULL);
    curl_easy_setopt(r->curl, CURLOPT_PASSWORD, NULL);
    curl_easy_setopt(r->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_NONE);
    if (err != DR_E_OK)
        return err;
    if (code == 404)
        return dr_error_set(e, DR_E_NOTFOUND,
                            _("vCenter %s: no vAPI REST endpoint (/rest) at %s: tags need "
                              "vCenter 6.5 or later"),
                            s->name, s->url);
    if (code != 200)
        return rest_status_error(s, "POST", VS_REST_SESSION, code, e);
    j = cJSON_Parse(r->resp.data ? r->resp.data : "");
    v = cJSON_GetObjectItemCaseSensitive(j, "value");
    if (!cJSON_IsString(v) || str_empty(v->valuestring)) {
        cJSON_Delete(j);
        return dr_error_set(e, DR_E_PROTO, _("vCenter %s: the vAPI login gave no session id"),
                            s->name);
    }
    r->session_id = xstrdup(v->valuestring);
    r->session_header = xasprintf("vmware-api-session-id: %s", r->session_id);
    log_add_secret(r->session_id);
    memset(v->valuestring, 0, strlen(v->valuestring));
    cJSON_Delete(j);
    memset(r->resp.data, 0, r->resp.len);
    set_headers(r);
    log_debug("vCenter %s: vAPI session for %s", s->name, s->user);
    return DR_E_OK;
}

enum dr_err
vs_rest_call(struct vs_session *s, const char *method, const char *path, const char *action,
             const cJSON *body, cJSON **value, struct dr_error *e)
{
    bool logout = strcmp(method, "DELETE") == 0 && strcmp(path, VS_REST_SESSION) == 0;
    bool relogged = false;
    char *text = NULL;
    long code = 0;
    enum dr_err err;

    if (value)
        *value = NULL;
    s->last_fault[0] = '\0';
    if ((err = rest_open(s, e)) != DR_E_OK)
        return err;
    if (s->rest->session_id == NULL && !logout) {
        if ((err = rest_login(s, e)) != DR_E_OK)
            return err;
        relogged = true;
    }
    text = body ? cJSON_PrintUnformatted(body) : NULL;
again:
    err = rest_once(s, method, path, action, text, &code, e);
    if (err == DR_E_OK && code == 401 && !relogged && !logout) {
        /* The vAPI session expired (idle timeout, restart): once more. */
        log_info("vCenter %s: vAPI session expired; logging in again", s->name);
        relogged = true;
        if ((err = rest_login(s, e)) == DR_E_OK)
            goto again;
    }
    free(text);
    if (err != DR_E_OK)
        return err;
    if (logout) {
        rest_drop_session(s->rest);
        return DR_E_OK;
    }
    if (code < 200 || code > 299)
        return rest_status_error(s, method, path, code, e);
    if (value == NULL)
        return DR_E_OK;
    if (s->rest->resp.len > 0) {
        cJSON *j = cJSON_Parse(s->rest->resp.data);

        if (j == NULL)
            return dr_error_set(e, DR_E_PROTO, _("vCenter %s: vAPI %s %s: the answer is not JSON"),
                                s->name, method, path);
        *value = cJSON_DetachItemFromObjectCaseSensitive(j, "value");
        cJSON_Delete(j);
    }
    if (*value == NULL)
        *value = cJSON_CreateNull();
    return DR_E_OK;
}
