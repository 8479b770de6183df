#include "config.h"

#include <arpa/inet.h>
#include <libxml/parser.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/util.h"
#include "vsphere/internal.h"

/* vim25 API version requested in SOAPAction: every call drover makes exists
 * in 6.7, and vCenter 7 and 8 serve it unchanged. */
#define VS_SOAP_ACTION "SOAPAction: urn:vim25/6.7"
/* Refuse responses beyond this; the largest legitimate pages are far smaller. */
#define VS_MAX_RESPONSE (256u << 20)

enum dr_err
vs_global_init(struct dr_error *e)
{
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

    if (rc != CURLE_OK)
        return dr_error_set(e, DR_E_INTERNAL, _("libcurl initialisation failed: %s"),
                            curl_easy_strerror(rc));
    xmlInitParser();
    return DR_E_OK;
}

void
vs_global_cleanup(void)
{
    xmlCleanupParser();
    curl_global_cleanup();
}

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *user)
{
    struct vs_buf *b = user;
    size_t n = size * nmemb;

    if (n == 0)
        return 0;
    if (!util_buf_append(&b->data, &b->len, &b->cap, ptr, n, VS_MAX_RESPONSE))
        return 0; /* curl reports a write error */
    return n;
}

/* Cancellation: curl calls this often while a transfer runs or waits. */
static int
on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    const struct vs_session *s = user;

    return vs_cancelled(s) ? 1 : 0;
}

bool
vs_cancelled(const struct vs_session *s)
{
    return s->cancel && atomic_load(s->cancel);
}

bool
vs_sleep(const struct vs_session *s, int ms)
{
    while (ms > 0) {
        int step = ms < 50 ? ms : 50;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = step * 1000000L};
        if (vs_cancelled(s))
            return false;
        nanosleep(&ts, NULL);
        ms -= step;
    }
    return !vs_cancelled(s);
}

CURLcode
vs_tls_apply(CURL *c, const char *ca_file, const char *pin, bool insecure)
{
    bool verify = !insecure && (!str_empty(ca_file) || str_empty(pin));
    CURLcode rc;

    /* The pin alone is the trust anchor: vCenter's own certificates are
     * usually signed by its private VMCA, which no system store has. */
    rc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    if (rc == CURLE_OK && verify && !str_empty(ca_file))
        rc = curl_easy_setopt(c, CURLOPT_CAINFO, ca_file);
    /* A configured pin is always enforced, even with a CA or insecure; a
     * libcurl that cannot pin must not quietly leave nothing verified. */
    if (rc == CURLE_OK && !str_empty(pin))
        rc = curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin);
    return rc;
}

/* libcurl's default port for a proxy without one. */
static long
proxy_default_port(const char *scheme)
{
    return scheme && strcasecmp(scheme, "https") == 0 ? 443 : 1080;
}

enum dr_err
vs_net_init(struct vs_net *n, const struct dr_vcenter *vc, struct dr_error *e)
{
    /* libcurl's order for an https:// URL (lower case first). */
    static const char *const envs[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
    const char *p = NULL, *from = NULL;
    CURLU *u;
    char *part = NULL, *guess;
    enum dr_err err = DR_E_OK;

    memset(n, 0, sizeof *n);
    n->ca_file = xstrdup0(vc->ca_file);
    n->pin = xstrdup0(vc->pin);
    n->insecure = vc->insecure;
    n->url_port = 443;
    if ((u = curl_url()) != NULL) {
        if (curl_url_set(u, CURLUPART_URL, vc->url ? vc->url : "", 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK)
            n->url_port = strtol(part, NULL, 10);
        curl_free(part);
        part = NULL;
        curl_url_cleanup(u);
    }
    if (vc->proxy && strcmp(vc->proxy, "none") == 0) {
        n->proxy = xstrdup("");
        n->proxy_none = true;
        return DR_E_OK;
    }
    if (!str_empty(vc->proxy)) {
        p = vc->proxy;
        from = "vcenters.cfg";
    } else {
        for (size_t i = 0; i < DR_ARRAY_LEN(envs) && p == NULL; i++)
            if ((p = getenv(envs[i])) != NULL) /* NOLINT(concurrency-mt-unsafe) */
                from = envs[i];
    }
    /* Set to "" (or unset): no proxy, as for libcurl itself. */
    if (str_empty(p)) {
        n->proxy = xstrdup("");
        return DR_E_OK;
    }
    n->proxy = xstrdup(p);
    n->proxy_from = from;
    /* libcurl takes a proxy without a scheme as http://. The shown form has
     * no user or password: it goes into messages and the log. */
    guess = strstr(p, "://") ? xstrdup(p) : xasprintf("http://%s", p);
    u = curl_url();
    if (u == NULL || curl_url_set(u, CURLUPART_URL, guess, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &part, 0) != CURLUE_OK) {
        err = dr_error_set(e, DR_E_INVAL, _("vCenter %s: the proxy (from %s) is not a URL"),
                           vc->name ? vc->name : "?", from);
    } else {
        char *scheme = NULL, *port = NULL, *host = NULL;
        size_t len = strlen(part);

        /* "http://proxy:3128/" is shown as it was written: no added slash. */
        if (len > 0 && part[len - 1] == '/' && guess[strlen(guess) - 1] != '/')
            part[len - 1] = '\0';
        n->proxy_shown = xstrdup(part);
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        curl_url_get(u, CURLUPART_HOST, &host, 0);
        n->proxy_host = xstrdup0(host);
        n->proxy_port = curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK
                            ? strtol(port, NULL, 10)
                            : proxy_default_port(scheme);
        curl_free(scheme);
        curl_free(port);
        curl_free(host);
    }
    curl_free(part);
    curl_url_cleanup(u);
    free(guess);
    return err;
}

void
vs_net_done(struct vs_net *n)
{
    free(n->ca_file);
    free(n->pin);
    if (n->proxy) /* may hold the proxy's password */
        memset(n->proxy, 0, strlen(n->proxy));
    free(n->proxy);
    free(n->proxy_shown);
    free(n->proxy_host);
    memset(n, 0, sizeof *n);
}

static curl_socket_t
on_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct vs_net *n = user;

    if (a->addrlen <= sizeof n->last) {
        memcpy(&n->last, &a->addr, a->addrlen);
        n->have_last = true;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

CURLcode
vs_net_apply(CURL *c, struct vs_net *n, bool tls)
{
    CURLcode rc = tls ? vs_tls_apply(c, n->ca_file, n->pin, n->insecure) : CURLE_OK;

    /* Always set: "" keeps libcurl from reading a proxy from the
     * environment behind drover's back; NO_PROXY it still honours. */
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_PROXY, n->proxy ? n->proxy : "");
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_PRIVATE, n);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, n);
    return rc;
}

/* Did the failed request go through n's proxy? libcurl does not say
 * (NO_PROXY may have bypassed it), so: the proxy answered CONNECT, or its
 * name did not resolve, or the last socket went to the proxy's port (and
 * address, when both are numeric). */
static bool
went_through_proxy(const struct vs_net *n, CURLcode rc, long connect_code)
{
    const struct sockaddr *sa = (const struct sockaddr *)&n->last;
    unsigned char want[16];
    long port;

    if (n->proxy_shown == NULL)
        return false;
    if (rc == CURLE_COULDNT_RESOLVE_PROXY || connect_code != 0)
        return true;
    if (!n->have_last)
        return false;
    if (sa->sa_family == AF_INET)
        port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
    else if (sa->sa_family == AF_INET6)
        port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    else
        return true;
    if (port != n->proxy_port)
        return false;
    if (port != n->url_port || n->proxy_host == NULL)
        return true;
    if (sa->sa_family == AF_INET && inet_pton(AF_INET, n->proxy_host, want) == 1)
        return memcmp(want, &((const struct sockaddr_in *)sa)->sin_addr, 4) == 0;
    return true;
}

enum dr_err
vs_curl_error(CURL *c, CURLcode rc, const char *url, const char *detail, struct dr_error *e)
{
    const char *why = detail && *detail ? detail : curl_easy_strerror(rc);
    long os_errno = 0, connect_code = 0;
    struct vs_net *n = NULL;
    enum dr_err err;
    bool via;

    if (curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&n) != CURLE_OK)
        n = NULL;
    if (curl_easy_getinfo(c, CURLINFO_HTTP_CONNECTCODE, &connect_code) != CURLE_OK)
        connect_code = 0;
    via = n && went_through_proxy(n, rc, connect_code);

    /* A proxy's answer to CONNECT other than 2xx: 403 refused, 407 wants
     * credentials (permanent), 502/503 cannot reach vCenter now. */
    if (via && connect_code >= 300) {
        dr_error_set(e, DR_E_CONNECT,
                     _("%s: the proxy %s (from %s) refused the tunnel to vCenter with HTTP %ld "
                       "(%s); allow it on the proxy, or reach vCenter directly: add its host "
                       "to NO_PROXY or set proxy = \"none\" in its vcenters.cfg entry"),
                     url, n->proxy_shown, n->proxy_from, connect_code, why);
        dr_error_cause(e, "proxy:%ld", connect_code);
        return DR_E_CONNECT;
    }

    /* A handshake cut by the network (reset, EOF) is a connection problem,
     * not a certificate one. */
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    if (rc == CURLE_SSL_CONNECT_ERROR && (os_errno != 0 || strstr(why, "reset") ||
                                          strstr(why, "unexpected eof") || strstr(why, "SYSCALL")))
        rc = CURLE_RECV_ERROR;

    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        err = dr_error_set(e, DR_E_TIMEOUT, _("%s: timed out: %s"), url, why);
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        return dr_error_set(e, DR_E_CANCELLED, _("%s: cancelled"), url);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
        err = dr_error_set(e, DR_E_TLS, _("%s: TLS verification failed: %s"), url, why);
        break;
    default:
        err = dr_error_set(e, DR_E_CONNECT, _("%s: %s"), url, why);
        if (connect_code >= 300)
            dr_error_cause(e, "proxy:%ld", connect_code);
        break;
    }
    if (e && via) {
        char cause[sizeof e->cause], *msg = xstrdup(e->msg);

        snprintf(cause, sizeof cause, "%s", e->cause);
        dr_error_set(e, err,
                     _("%s (through the proxy %s from %s; to reach vCenter directly, add its "
                       "host to NO_PROXY or set proxy = \"none\" in its vcenters.cfg entry)"),
                     msg, n->proxy_shown, n->proxy_from);
        if (*cause)
            dr_error_cause(e, "%s", cause);
        free(msg);
    } else if (e && n && n->proxy_shown && err != DR_E_TLS) {
        /* A proxy is set but NO_PROXY sent this one past it. */
        char cause[sizeof e->cause], *msg = xstrdup(e->msg);

        snprintf(cause, sizeof cause, "%s", e->cause);
        dr_error_set(e, err, _("%s (directly: NO_PROXY matches, the proxy %s from %s was not used)"),
                     msg, n->proxy_shown, n->proxy_from);
        if (*cause)
            dr_error_cause(e, "%s", cause);
        free(msg);
    }
    return err;
}

enum dr_err
vs_session_new(const struct dr_vcenter *vc, const char *password, struct vs_session **out,
               struct dr_error *e)
{
    struct vs_session *s;
    char ua[64];

    *out = NULL;
    if (vc == NULL || str_empty(vc->url))
        return dr_error_set(e, DR_E_INVAL, _("vCenter %s: no url"),
                            vc && vc->name ? vc->name : "?");
    if (!str_has_prefix(vc->url, "https://"))
        return dr_error_set(e, DR_E_INVAL, _("vCenter %s: url must start with https:// (%s)"),
                            vc->name ? vc->name : "?", vc->url);
    s = xcalloc(1, sizeof *s);
    s->name = xstrdup(vc->name ? vc->name : vc->url);
    s->url = xstrdup(vc->url);
    s->user = xstrdup0(vc->user);
    s->password = xstrdup0(password);
    s->timeout_s = vc->timeout_s > 0 ? vc->timeout_s : 60;
    s->task_timeout_s = 3600;
    s->page_size = VS_PAGE_SIZE;
    if (vs_net_init(&s->net, vc, e) != DR_E_OK) {
        vs_session_free(&s);
        return DR_E_INVAL;
    }
    s->curl = curl_easy_init();
    if (s->curl == NULL) {
        vs_session_free(&s);
        return dr_error_set(e, DR_E_INTERNAL, _("cannot create a libcurl handle"));
    }
    if (s->net.insecure)
        log_warn("vCenter %s: TLS verification is off (insecure = true in vcenters.cfg)", s->name);
    if (s->net.proxy_shown)
        log_info("vCenter %s: through the proxy %s (from %s) unless NO_PROXY matches", s->name,
                 s->net.proxy_shown, s->net.proxy_from);
    else if (s->net.proxy_none)
        log_debug("vCenter %s: no proxy (proxy = \"none\")", s->name);

    s->headers = curl_slist_append(NULL, "Content-Type: text/xml; charset=utf-8");
    s->headers = curl_slist_append(s->headers, VS_SOAP_ACTION);
    s->headers = curl_slist_append(s->headers, "Expect:");
    snprintf(ua, sizeof ua, "drover/%s", PACKAGE_VERSION);

    CURL *c = s->curl;
    curl_easy_setopt(c, CURLOPT_URL, s->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, s->headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(c, CURLOPT_COOKIEFILE, ""); /* in-memory cookie engine: the session cookie */
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->curl_err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s->resp);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode trc = vs_net_apply(c, &s->net, true);
    if (trc != CURLE_OK) {
        dr_error_set(e, DR_E_TLS, _("vCenter %s: cannot apply the TLS policy or proxy: %s"),
                     s->name, curl_easy_strerror(trc));
        vs_session_free(&s);
        return DR_E_TLS;
    }
    vs_set_timeout(s, 0);
    *out = s;
    return DR_E_OK;
}

void
vs_set_timeout(struct vs_session *s, int seconds)
{
    long t = seconds > 0 ? seconds : s->timeout_s;

    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, t);
    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, t < 15 ? t : 15L);
    vs_rest_set_timeout(s, t);
}

void
vs_set_task_timeout(struct vs_session *s, int seconds)
{
    s->task_timeout_s = seconds > 0 ? seconds : 3600;
}

void
vs_set_cancel(struct vs_session *s, const atomic_bool *cancel)
{
    s->cancel = cancel;
}

void
vs_set_progress(struct vs_session *s, vs_progress_fn fn, void *user)
{
    s->progress = fn;
    s->progress_user = user;
}

void
vs_set_task_hook(struct vs_session *s, vs_task_fn fn, void *user)
{
    s->task_hook = fn;
    s->task_user = user;
}

const char *
vs_last_fault(const struct vs_session *s)
{
    return s->last_fault;
}

const struct vs_about *
vs_session_about(const struct vs_session *s)
{
    return &s->about;
}

const char *
vs_session_proxy(const struct vs_session *s, const char **from, bool *used)
{
    long code = 0;

    if (curl_easy_getinfo(s->curl, CURLINFO_HTTP_CONNECTCODE, &code) != CURLE_OK)
        code = 0;
    if (from)
        *from = s->net.proxy_from;
    if (used)
        *used = went_through_proxy(&s->net, CURLE_OK, code);
    return s->net.proxy_shown;
}

static void
about_done(struct vs_about *a)
{
    xfree(&a->name);
    xfree(&a->full_name);
    xfree(&a->version);
    xfree(&a->build);
    xfree(&a->api_type);
    xfree(&a->api_version);
    xfree(&a->instance_uuid);
}

static enum dr_err
call_once(struct vs_session *s, struct soap_req *req, struct soap_resp *resp, struct dr_error *e)
{
    xmlChar *body;
    int len;
    long code = 0;
    CURLcode rc;
    enum dr_err err;

    memset(resp, 0, sizeof *resp);
    if (vs_cancelled(s))
        return dr_error_set(e, DR_E_CANCELLED, _("vCenter %s: cancelled"), s->name);
    body = soap_req_serialize(req, &len);
    s->resp.len = 0;
    s->curl_err[0] = '\0';
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, (const char *)body);
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE, (long)len);
    rc = curl_easy_perform(s->curl);
    curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, NULL);
    memset(body, 0, (size_t)len); /* a Login body holds the password */
    xmlFree(body);
    if (rc != CURLE_OK) {
        if (rc == CURLE_ABORTED_BY_CALLBACK)
            return dr_error_set(e, DR_E_CANCELLED, _("vCenter %s: cancelled"), s->name);
        return vs_curl_error(s->curl, rc, s->url, s->curl_err, e);
    }
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    if (code == 404) {
        dr_error_set(e, DR_E_PROTO,
                     _("%s: HTTP status 404: no vSphere SDK there (the url of a "
                       "vCenter ends in /sdk)"),
                     s->url);
        dr_error_cause(e, "http:%ld", code);
        return DR_E_PROTO;
    }
    if (code != 200 && code != 500) {
        dr_error_set(e, DR_E_PROTO, _("%s: HTTP status %ld"), s->url, code);
        dr_error_cause(e, "http:%ld", code);
        return DR_E_PROTO;
    }
    err = soap_parse(s->resp.data ? s->resp.data : "", s->resp.len, resp, e);
    if (err != DR_E_OK) {
        dr_error_prefix(e, "%s", s->url);
        return err;
    }
    if (resp->fault_name == NULL && code != 200) {
        soap_resp_done(resp);
        return dr_error_set(e, DR_E_PROTO, _("%s: HTTP status %ld without a SOAP fault"), s->url,
                            code);
    }
    return DR_E_OK;
}

enum dr_err
vs_call(struct vs_session *s, struct soap_req *req, struct soap_resp *resp, struct dr_error *e)
{
    bool relogged = false;
    enum dr_err err;
    const char *method = (const char *)req->method->name;

again:
    s->last_fault[0] = '\0';
    err = call_once(s, req, resp, e);
    if (err != DR_E_OK)
        return err;
    if (resp->fault_name == NULL)
        return DR_E_OK;
    if (strcmp(resp->fault_name, "NotAuthenticated") == 0 && s->logged_in && !s->in_login &&
        !relogged) {
        /* The session expired (idle timeout, vCenter restart): log in
         * again once and repeat the call. */
        log_info("vCenter %s: session expired during %s; logging in again", s->name, method);
        soap_resp_done(resp);
        relogged = true;
        s->logged_in = false;
        err = vs_login(s, e);
        if (err != DR_E_OK)
            return err;
        goto again;
    }
    snprintf(s->last_fault, sizeof s->last_fault, "%s", resp->fault_name);
    err = strcmp(resp->fault_name, "InvalidLogin") == 0 ? DR_E_AUTH : DR_E_FAULT;
    dr_error_set(e, err, _("vCenter %s: %s: %s%s%s"), s->name, method, resp->fault_name,
                 *resp->fault_msg ? ": " : "", resp->fault_msg);
    dr_error_cause(e, "fault:%s", resp->fault_name);
    soap_resp_done(resp);
    return err;
}

static enum dr_err
retrieve_service_content(struct vs_session *s, struct dr_error *e)
{
    struct soap_req req;
    struct soap_resp resp;
    enum dr_err err;
    xmlNodePtr rv, about;

    soap_req_init(&req, "RetrieveServiceContent");
    soap_add_moref(req.method, "_this", "ServiceInstance", "ServiceInstance");
    err = vs_call(s, &req, &resp, e);
    soap_req_done(&req);
    if (err != DR_E_OK)
        return err;
    rv = soap_child(resp.result, "returnval");
    about = soap_child(rv, "about");
    about_done(&s->about);
    xfree(&s->root_folder);
    xfree(&s->property_collector);
    xfree(&s->view_manager);
    xfree(&s->search_index);
    xfree(&s->session_manager);
    xfree(&s->custom_fields_manager);
    xfree(&s->task_manager);
    xfree(&s->authorization_manager);
    s->root_folder = soap_child_text(rv, "rootFolder");
    s->property_collector = soap_child_text(rv, "propertyCollector");
    s->view_manager = soap_child_text(rv, "viewManager");
    s->search_index = soap_child_text(rv, "searchIndex");
    s->session_manager = soap_child_text(rv, "sessionManager");
    s->custom_fields_manager = soap_child_text(rv, "customFieldsManager");
    s->task_manager = soap_child_text(rv, "taskManager");
    s->authorization_manager = soap_child_text(rv, "authorizationManager");
    s->about.name = soap_child_text(about, "name");
    s->about.full_name = soap_child_text(about, "fullName");
    s->about.version = soap_child_text(about, "version");
    s->about.build = soap_child_text(about, "build");
    s->about.api_type = soap_child_text(about, "apiType");
    s->about.api_version = soap_child_text(about, "apiVersion");
    s->about.instance_uuid = soap_child_text(about, "instanceUuid");
    soap_resp_done(&resp);
    if (!s->root_folder || !s->property_collector || !s->session_manager)
        return dr_error_set(e, DR_E_PROTO,
                            _("%s: the service content lacks the root folder, "
                              "property collector or session manager"),
                            s->url);
    return DR_E_OK;
}

enum dr_err
vs_login(struct vs_session *s, struct dr_error *e)
{
    struct soap_req req;
    struct soap_resp resp;
    enum dr_err err;

    if (s->root_folder == NULL && (err = retrieve_service_content(s, e)) != DR_E_OK)
        return err;
    if (str_empty(s->user))
        return dr_error_set(e, DR_E_AUTH, _("vCenter %s: no user configured"), s->name);
    s->in_login = true;
    soap_req_init(&req, "Login");
    soap_add_moref(req.method, "_this", "SessionManager", s->session_manager);
    soap_add_text(req.method, "userName", s->user);
    soap_add_text(req.method, "password", s->password ? s->password : "");
    err = vs_call(s, &req, &resp, e);
    /* The serialized request held the password: wipe the tree's copy. */
    xmlNodeSetContent(soap_child(req.method, "password"), BAD_CAST "");
    soap_req_done(&req);
    s->in_login = false;
    if (err != DR_E_OK)
        return err;
    free(s->session_key);
    s->session_key = soap_child_text(soap_child(resp.result, "returnval"), "key");
    soap_resp_done(&resp);
    s->logged_in = true;
    s->logins++;
    log_debug("vCenter %s: logged in as %s", s->name, s->user);
    return DR_E_OK;
}

static void
logout(struct vs_session *s)
{
    struct soap_req req;
    struct soap_resp resp;

    soap_req_init(&req, "Logout");
    soap_add_moref(req.method, "_this", "SessionManager", s->session_manager);
    vs_set_timeout(s, 5);
    s->in_login = true; /* no re-login just to log out */
    if (vs_call(s, &req, &resp, NULL) == DR_E_OK)
        soap_resp_done(&resp);
    soap_req_done(&req);
    s->logged_in = false;
}

void
vs_session_free(struct vs_session **sp)
{
    struct vs_session *s = *sp;

    if (s == NULL)
        return;
    vs_rest_free(s);
    if (s->logged_in && s->curl && !vs_cancelled(s))
        logout(s);
    if (s->curl)
        curl_easy_cleanup(s->curl);
    curl_slist_free_all(s->headers);
    if (s->password) {
        memset(s->password, 0, strlen(s->password));
        free(s->password);
    }
    free(s->name);
    free(s->url);
    free(s->user);
    vs_net_done(&s->net);
    about_done(&s->about);
    free(s->root_folder);
    free(s->property_collector);
    free(s->view_manager);
    free(s->search_index);
    free(s->session_manager);
    free(s->custom_fields_manager);
    free(s->task_manager);
    free(s->authorization_manager);
    vs_tree_cache(s, false);
    free(s->session_key);
    free(s->resp.data);
    free(s);
    *sp = NULL;
}

const char *
vs_session_root_folder(const struct vs_session *s)
{
    return s->root_folder;
}
