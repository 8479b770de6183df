/* The certificate helper behind `drover vcenter trust`. It parses the
 * certificate with OpenSSL (libcurl's own TLS library here) because libcurl
 * hands out the PEM but no public-key pin. */
#include "config.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

static size_t
discard(char *ptr, size_t size, size_t nmemb, void *user)
{
    return size * nmemb;
}

/* A HEAD request to the vCenter through its proxy (net); with tls, under
 * its TLS policy too. */
static CURL *
probe_handle(const struct dr_vcenter *vc, struct vs_net *net, bool tls, char *errbuf)
{
    CURL *c = curl_easy_init();
    long t = vc->timeout_s > 0 ? vc->timeout_s : 60;

    if (c == NULL)
        return NULL;
    if (vs_net_apply(c, net, tls) != CURLE_OK) {
        curl_easy_cleanup(c);
        return NULL;
    }
    curl_easy_setopt(c, CURLOPT_URL, vc->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, t);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, t < 15 ? t : 15L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    return c;
}

static char *
name_text(const X509_NAME *n)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data, *s;
    long len;

    X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
    len = BIO_get_mem_data(b, &data);
    s = xstrndup(data, (size_t)len);
    BIO_free(b);
    return s;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

static enum dr_err
fill_from_pem(const char *pem, const char *url, struct vs_cert_info *out, struct dr_error *e)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
    unsigned int mdlen = 0;
    char b64[64];
    int derlen;

    BIO_free(b);
    if (x == NULL)
        return dr_error_set(e, DR_E_TLS, _("%s: cannot parse the server's certificate"), url);
    out->subject = name_text(X509_get_subject_name(x));
    out->issuer = name_text(X509_get_issuer_name(x));
    out->not_before = asn1_time(X509_get0_notBefore(x));
    out->not_after = asn1_time(X509_get0_notAfter(x));
    X509_digest(x, EVP_sha256(), md, &mdlen);
    out->sha256_fingerprint = xmalloc(mdlen * 3 + 1);
    out->sha256_fingerprint[0] = '\0';
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(out->sha256_fingerprint + i * 3, 4, i + 1 < mdlen ? "%02X:" : "%02X", md[i]);
    /* The pin is over the DER SubjectPublicKeyInfo, as CURLOPT_PINNEDPUBLICKEY wants. */
    derlen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
    if (derlen <= 0) {
        X509_free(x);
        return dr_error_set(e, DR_E_TLS, _("%s: cannot encode the certificate's public key"), url);
    }
    EVP_Digest(der, (size_t)derlen, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_free(der);
    EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
    out->pin = xasprintf("sha256//%s", b64);
    X509_free(x);
    return DR_E_OK;
}

enum dr_err
vs_fetch_cert(const struct dr_vcenter *vc, struct vs_cert_info *out, struct dr_error *e)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_certinfo *ci = NULL;
    struct vs_net net;
    const char *pem = NULL;
    enum dr_err err;
    CURLcode rc;
    CURL *c;

    memset(out, 0, sizeof *out);
    if (vc == NULL || str_empty(vc->url) || !str_has_prefix(vc->url, "https://"))
        return dr_error_set(e, DR_E_INVAL, _("vCenter %s: url must start with https://"),
                            vc && vc->name ? vc->name : "?");
    if ((err = vs_net_init(&net, vc, e)) != DR_E_OK) {
        vs_net_done(&net);
        return err;
    }
    /* First look without verifying: the operator is about to decide. */
    c = probe_handle(vc, &net, false, errbuf);
    if (c == NULL) {
        vs_net_done(&net);
        return dr_error_set(e, DR_E_INTERNAL, _("cannot create a libcurl handle"));
    }
    curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        err = vs_curl_error(c, rc, vc->url, errbuf, e);
        curl_easy_cleanup(c);
        vs_net_done(&net);
        return err;
    }
    if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci && ci->num_of_certs > 0)
        for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next)
            if (strncmp(l->data, "Cert:", 5) == 0)
                pem = l->data + 5;
    err = pem ? fill_from_pem(pem, vc->url, out, e)
              : dr_error_set(e, DR_E_TLS, _("%s: the server sent no certificate"), vc->url);
    curl_easy_cleanup(c);
    if (err != DR_E_OK) {
        vs_cert_info_done(out);
        vs_net_done(&net);
        return err;
    }

    /* Then with the configured policy: does drover already trust it? */
    errbuf[0] = '\0';
    c = probe_handle(vc, &net, true, errbuf);
    if (c == NULL) {
        vs_cert_info_done(out);
        vs_net_done(&net);
        return dr_error_set(e, DR_E_INTERNAL, _("cannot apply the TLS policy or proxy"));
    }
    rc = curl_easy_perform(c);
    out->verified = rc == CURLE_OK && !vc->insecure;
    if (!out->verified)
        out->verify_error = xstrdup(vc->insecure ? _("insecure = true: nothing is verified")
                                                 : (*errbuf ? errbuf : curl_easy_strerror(rc)));
    curl_easy_cleanup(c);
    vs_net_done(&net);
    return DR_E_OK;
}

void
vs_cert_info_done(struct vs_cert_info *c)
{
    free(c->subject);
    free(c->issuer);
    free(c->sha256_fingerprint);
    free(c->pin);
    free(c->verify_error);
    memset(c, 0, sizeof *c);
}
