/* The Kubernetes API client (client.h) over libcurl. The kubeconfig's CA,
 * client certificate and key are handed to libcurl as in-memory blobs
 * (CURLOPT_CAINFO_BLOB, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLKEY_BLOB, libcurl
 * 7.77+), so key material never lands in a file. */
#include "config.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "k8s/client.h"
#include "k8s/kubeconfig.h"

/* Refuse bodies beyond this: a NodeList of 5000 nodes (Kubernetes' tested
 * maximum) is about 50 MiB. */
#define K8S_MAX_RESPONSE (64u << 20)

struct k8s_client {
    CURL *h;
    struct k8s_creds cr;
    char *auth; /* "Authorization: Bearer ..." or NULL */
    const atomic_int *cancel;
};

struct rbuf {
    char *p;
    size_t len, cap;
    bool too_big;
};

int
k8s_global_init(char **err)
{
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        if (err)
            *err = xasprintf(_("libcurl initialisation failed: %s"), curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

static void
set_err(char **err, char *msg)
{
    if (err) {
        free(*err);
        *err = msg;
    } else {
        free(msg);
    }
}

struct k8s_client *
k8s_client_open(const char *kubeconfig_path, const char *context, char **err)
{
    char *text = NULL;
    size_t len = 0;
    struct dr_error e = {0};
    if (util_read_file(kubeconfig_path, &text, &len, &e) != DR_E_OK) {
        set_err(err, xstrdup(e.msg));
        return NULL;
    }
    struct k8s_client *c = xcalloc(1, sizeof *c);
    enum dr_err rc = k8s_kubeconfig_creds(text, kubeconfig_path, context, &c->cr, &e);
    OPENSSL_cleanse(text, len);
    free(text);
    if (rc != DR_E_OK) {
        set_err(err, xstrdup(e.msg));
        free(c);
        return NULL;
    }
    if (c->cr.insecure) {
        set_err(err,
                xasprintf(_("%s: insecure-skip-tls-verify is set; drover verifies the API server "
                            "against the kubeconfig's certificate-authority"),
                          kubeconfig_path));
        k8s_client_free(c);
        return NULL;
    }
    if (!c->cr.cert_pem != !c->cr.key_pem) {
        set_err(err, xasprintf(_("%s: the user has a client certificate without its key, or a key "
                                 "without its certificate"),
                               kubeconfig_path));
        k8s_client_free(c);
        return NULL;
    }
    if (!(c->h = curl_easy_init())) {
        set_err(err, xstrdup(_("libcurl could not create a handle")));
        k8s_client_free(c);
        return NULL;
    }
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c->h, CURLOPT_SSL_VERIFYHOST, 2L);
    /* The API server is the kubeconfig's: never a proxy from the
     * environment (client-go honours proxies, but a jump host's proxy
     * variables are for the Internet, and the API speaks to our certs). */
    curl_easy_setopt(c->h, CURLOPT_NOPROXY, "*");
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "https,http");
#endif
    if (c->cr.ca_pem) {
        struct curl_blob b = {.data = c->cr.ca_pem, .len = c->cr.ca_len, .flags = CURL_BLOB_NOCOPY};
        curl_easy_setopt(c->h, CURLOPT_CAINFO_BLOB, &b);
    }
    if (c->cr.cert_pem) {
        struct curl_blob b = {
            .data = c->cr.cert_pem, .len = c->cr.cert_len, .flags = CURL_BLOB_NOCOPY};
        struct curl_blob k = {
            .data = c->cr.key_pem, .len = c->cr.key_len, .flags = CURL_BLOB_NOCOPY};
        curl_easy_setopt(c->h, CURLOPT_SSLCERT_BLOB, &b);
        curl_easy_setopt(c->h, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(c->h, CURLOPT_SSLKEY_BLOB, &k);
        curl_easy_setopt(c->h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (c->cr.token)
        c->auth = xasprintf("Authorization: Bearer %s", c->cr.token);
    return c;
}

void
k8s_client_free(struct k8s_client *c)
{
    if (!c)
        return;
    if (c->h)
        curl_easy_cleanup(c->h);
    if (c->auth) {
        OPENSSL_cleanse(c->auth, strlen(c->auth));
        free(c->auth);
    }
    k8s_creds_free(&c->cr);
    free(c);
}

const char *
k8s_client_server(const struct k8s_client *c)
{
    return c->cr.server;
}

void
k8s_client_set_cancel(struct k8s_client *c, const atomic_int *flag)
{
    c->cancel = flag;
}

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *user)
{
    struct rbuf *b = user;
    size_t n = size * nmemb;
    if (!util_buf_append(&b->p, &b->len, &b->cap, ptr, n, K8S_MAX_RESPONSE)) {
        b->too_big = true;
        return 0;
    }
    return n;
}

static int
on_progress(void *user, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
    (void)dlt, (void)dln, (void)ult, (void)uln;
    const atomic_int *flag = user;
    return flag && atomic_load(flag) ? 1 : 0;
}

/* A transport failure in words an operator acts on. */
static char *
transport_error(struct k8s_client *c, CURLcode rc, const char *detail, long timeout_ms)
{
    const char *srv = c->cr.server;
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        return xasprintf(_("%s: connection refused or unreachable (%s)"), srv, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
        return xasprintf(_("%s: cannot resolve the host (%s)"), srv, detail);
    case CURLE_OPERATION_TIMEDOUT:
        return xasprintf(_("%s: no answer within %ld ms"), srv, timeout_ms);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return xasprintf(
            _("%s: TLS: the API server's certificate is not signed by the kubeconfig's "
              "certificate-authority or does not name the server (%s)"),
            srv, detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return xasprintf(_("%s: TLS handshake failed; the API server may have refused the client "
                           "certificate (%s)"),
                         srv, detail);
    case CURLE_ABORTED_BY_CALLBACK:
        return xasprintf(_("%s: cancelled"), srv);
    case CURLE_WRITE_ERROR:
        return xasprintf(_("%s: the answer is larger than %u MiB"), srv, K8S_MAX_RESPONSE >> 20);
    default:
        return xasprintf(_("%s: %s"), srv, detail);
    }
}

int
k8s_request(struct k8s_client *c, const char *method, const char *path, const char *content_type,
            const cJSON *body, long timeout_ms, cJSON **out, char **err)
{
    if (out)
        *out = NULL;
    const char *srv = c->cr.server;
    size_t sl = strlen(srv);
    char *url = xasprintf("%.*s%s", (int)(sl && srv[sl - 1] == '/' ? sl - 1 : sl), srv, path);
    char *payload = body ? cJSON_PrintUnformatted(body) : NULL;
    char ebuf[CURL_ERROR_SIZE] = "";
    struct rbuf b = {0};
    struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/json");
    if (payload) {
        char *ct = xasprintf("Content-Type: %s", content_type ? content_type : "application/json");
        hdr = curl_slist_append(hdr, ct);
        free(ct);
    }
    if (c->auth)
        hdr = curl_slist_append(hdr, c->auth);
    hdr = curl_slist_append(hdr, "User-Agent: drover");

    CURL *h = c->h;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L); /* resets the last call's body */
    if (payload) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, c->cancel ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)c->cancel);

    CURLcode rc = curl_easy_perform(h);
    int status = -1;
    if (rc != CURLE_OK) {
        if (rc == CURLE_WRITE_ERROR && !b.too_big)
            rc = CURLE_RECV_ERROR;
        set_err(err, transport_error(c, rc, ebuf[0] ? ebuf : curl_easy_strerror(rc), timeout_ms));
    } else {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        status = (int)code;
        if (out && b.p)
            *out = cJSON_ParseWithLength(b.p, b.len);
        if (status >= 300) {
            /* A metav1.Status says why; else the body's first line. */
            cJSON *st = cJSON_ParseWithLength(b.p ? b.p : "", b.len);
            const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "message"));
            char *line =
                msg ? xstrdup(msg) : xstrndup(b.p ? b.p : "", b.p ? strcspn(b.p, "\n") : 0);
            char *safe = str_escape_ctl(line);
            set_err(err, xasprintf(_("%s %s: HTTP %d: %s"), method, path, status, safe));
            free(safe);
            free(line);
            cJSON_Delete(st);
        }
    }
    /* Forget the handle's pointers into this call's memory. */
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdr);
    free(b.p);
    if (payload) {
        OPENSSL_cleanse(payload, strlen(payload));
        cJSON_free(payload);
    }
    free(url);
    return status;
}

int
k8s_readyz(struct k8s_client *c, long timeout_ms, char **err)
{
    /* /readyz answers text ("ok"); k8s_request's error names the status. */
    int st = k8s_request(c, "GET", "/readyz", NULL, NULL, timeout_ms, NULL, err);
    if (st < 0)
        return -1;
    if (st != 200)
        return 0;
    return 1;
}

const char *
k8s_ready_name(enum k8s_ready r)
{
    switch (r) {
    case K8S_READY:
        return "Ready";
    case K8S_NOT_READY:
        return "NotReady";
    default:
        return "Unknown";
    }
}

static const char *
jstr(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
    return s ? s : "";
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_node(const void *a, const void *b)
{
    return strcmp(((const struct k8s_node *)a)->name, ((const struct k8s_node *)b)->name);
}

static void
node_from(const cJSON *item, struct k8s_node *n)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(item, "metadata");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(item, "spec");
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(item, "status");
    n->name = xstrdup(jstr(md, "name"));
    n->unschedulable = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "unschedulable"));
    n->kubelet_version =
        xstrdup(jstr(cJSON_GetObjectItemCaseSensitive(st, "nodeInfo"), "kubeletVersion"));

    const char *pfx = "node-role.kubernetes.io/";
    char **roles = NULL;
    const cJSON *lab;
    cJSON_ArrayForEach(lab, cJSON_GetObjectItemCaseSensitive(md, "labels"))
    {
        if (lab->string && str_has_prefix(lab->string, pfx) && lab->string[strlen(pfx)])
            strv_push(&roles, lab->string + strlen(pfx));
    }
    size_t nr = strv_len(roles), sz = 1;
    if (nr)
        qsort(roles, nr, sizeof *roles, cmp_str);
    for (size_t i = 0; i < nr; i++)
        sz += strlen(roles[i]) + 1;
    n->roles = xcalloc(1, sz);
    for (size_t i = 0; i < nr; i++) {
        if (i)
            strcat(n->roles, ",");
        strcat(n->roles, roles[i]);
    }
    strv_free(&roles);

    const cJSON *a;
    const char *ip = "";
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(st, "addresses"))
    {
        if (!strcmp(jstr(a, "type"), "InternalIP") && !*ip)
            ip = jstr(a, "address");
    }
    n->internal_ip = xstrdup(ip);

    /* Ready decides; a pressure condition that is True explains a Ready
     * node's trouble (the kubelet's node conditions, core/v1). */
    static const char *const bad[] = {"MemoryPressure", "DiskPressure", "PIDPressure",
                                      "NetworkUnavailable"};
    const cJSON *ready = NULL, *worst = NULL, *cnd;
    cJSON_ArrayForEach(cnd, cJSON_GetObjectItemCaseSensitive(st, "conditions"))
    {
        const char *type = jstr(cnd, "type");
        if (!strcmp(type, "Ready"))
            ready = cnd;
        for (size_t i = 0; !worst && i < DR_ARRAY_LEN(bad); i++)
            if (!strcmp(type, bad[i]) && !strcmp(jstr(cnd, "status"), "True"))
                worst = cnd;
    }
    const char *rs = ready ? jstr(ready, "status") : "";
    n->ready = !strcmp(rs, "True") ? K8S_READY : !strcmp(rs, "False") ? K8S_NOT_READY : K8S_UNKNOWN;
    const cJSON *why = n->ready != K8S_READY ? ready : worst;
    n->reason = xstrdup(why ? jstr(why, "reason") : (ready ? "" : "NoReadyCondition"));
    n->message = xstrdup(why ? jstr(why, "message") : "");
}

bool
k8s_nodes_parse(const cJSON *list, struct k8s_node **nodes, size_t *n, char **err)
{
    *nodes = NULL;
    *n = 0;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    const char *kind = jstr(list, "kind");
    if (!cJSON_IsObject(list) || (*kind && strcmp(kind, "NodeList")) ||
        (items && !cJSON_IsArray(items))) {
        set_err(err, xasprintf(_("the answer is not a NodeList (kind \"%s\")"), kind));
        return false;
    }
    size_t cap = (size_t)cJSON_GetArraySize(items), k = 0;
    struct k8s_node *v = xcalloc(cap ? cap : 1, sizeof *v);
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        if (!*jstr(cJSON_GetObjectItemCaseSensitive(it, "metadata"), "name"))
            continue;
        node_from(it, &v[k++]);
    }
    if (k)
        qsort(v, k, sizeof *v, cmp_node);
    *nodes = v;
    *n = k;
    return true;
}

int
k8s_nodes_list(struct k8s_client *c, long timeout_ms, struct k8s_node **nodes, size_t *n,
               char **err)
{
    cJSON *body = NULL;
    *nodes = NULL;
    *n = 0;
    int st = k8s_request(c, "GET", "/api/v1/nodes", NULL, NULL, timeout_ms, &body, err);
    if (st == 200 && !k8s_nodes_parse(body, nodes, n, err))
        st = -1;
    cJSON_Delete(body);
    return st;
}

void
k8s_nodes_free(struct k8s_node *nodes, size_t n)
{
    for (size_t i = 0; nodes && i < n; i++) {
        free(nodes[i].name);
        free(nodes[i].kubelet_version);
        free(nodes[i].reason);
        free(nodes[i].message);
        free(nodes[i].roles);
        free(nodes[i].internal_ip);
    }
    free(nodes);
}
