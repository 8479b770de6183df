#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "core/i18n.h"
#include "core/keys.h"
#include "core/util.h"

#define KEY_TYPE "ssh-ed25519"
#define PEM_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define PEM_END "-----END OPENSSH PRIVATE KEY-----"
#define AUTH_MAGIC "openssh-key-v1" /* followed by a NUL in the file */
#define PEM_COLS 70                 /* ssh-keygen's line width */

/* A growable byte buffer for the SSH wire format. */
struct wbuf {
    unsigned char *p;
    size_t len, cap;
};

static void
wb_put(struct wbuf *b, const void *data, size_t n)
{
    b->p = xgrow(b->p, &b->cap, b->len + n, 1);
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void
wb_u32(struct wbuf *b, uint32_t v)
{
    unsigned char x[4] = {v >> 24, v >> 16, v >> 8, v};

    wb_put(b, x, 4);
}

static void
wb_string(struct wbuf *b, const void *data, size_t n)
{
    wb_u32(b, (uint32_t)n);
    wb_put(b, data, n);
}

static void
wb_wipe(struct wbuf *b)
{
    if (b->p)
        OPENSSL_cleanse(b->p, b->cap);
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* A reader over wire bytes; every get fails cleanly past the end. */
struct rbuf {
    const unsigned char *p;
    size_t len, off;
};

static bool
rb_u32(struct rbuf *r, uint32_t *v)
{
    if (r->len - r->off < 4)
        return false;
    const unsigned char *x = r->p + r->off;
    *v = (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
    r->off += 4;
    return true;
}

static bool
rb_string(struct rbuf *r, const unsigned char **data, size_t *n)
{
    uint32_t l;

    if (!rb_u32(r, &l) || r->len - r->off < l)
        return false;
    *data = r->p + r->off;
    *n = l;
    r->off += l;
    return true;
}

static bool
rb_string_is(struct rbuf *r, const char *want)
{
    const unsigned char *d;
    size_t n;

    return rb_string(r, &d, &n) && n == strlen(want) && memcmp(d, want, n) == 0;
}

/* OpenSSL's base64, one line, no newlines. */
static char *
b64_encode(const unsigned char *data, size_t n)
{
    char *out = xmalloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, data, (int)n);
    return out;
}

/* Decode base64 (no whitespace) with OpenSSL; false when invalid. */
static bool
b64_decode(const char *text, size_t tlen, unsigned char **out, size_t *n)
{
    size_t pad = 0;
    int r;

    if (tlen == 0 || tlen % 4 != 0)
        return false;
    *out = xmalloc(tlen / 4 * 3 + 1);
    r = EVP_DecodeBlock(*out, (const unsigned char *)text, (int)tlen);
    if (r < 0) {
        free(*out);
        *out = NULL;
        return false;
    }
    /* EVP_DecodeBlock counts padding as zero bytes. */
    if (text[tlen - 1] == '=')
        pad++;
    if (text[tlen - 2] == '=')
        pad++;
    *n = (size_t)r - pad;
    return true;
}

void
keys_free_secret(char **s)
{
    if (*s) {
        OPENSSL_cleanse(*s, strlen(*s));
        free(*s);
        *s = NULL;
    }
}

void
keys_done(struct dr_keypair *k)
{
    OPENSSL_cleanse(k->seed, sizeof k->seed);
    k->has_private = false;
    xfree(&k->comment);
}

enum dr_err
keys_generate(struct dr_keypair *k, const char *comment, struct dr_error *e)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *pkey = NULL;
    size_t plen = DR_ED25519_LEN, slen = DR_ED25519_LEN;
    bool ok;

    memset(k, 0, sizeof *k);
    ok = ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &pkey) == 1 &&
         EVP_PKEY_get_raw_public_key(pkey, k->pub, &plen) == 1 &&
         EVP_PKEY_get_raw_private_key(pkey, k->seed, &slen) == 1 && plen == DR_ED25519_LEN &&
         slen == DR_ED25519_LEN;
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        OPENSSL_cleanse(k->seed, sizeof k->seed);
        return dr_error_set(e, DR_E_INTERNAL, _("cannot generate an ed25519 key (OpenSSL)"));
    }
    k->has_private = true;
    k->comment = xstrdup0(comment);
    return DR_E_OK;
}

enum dr_err
keys_stand_in(struct dr_keypair *k, unsigned char n, const char *comment, struct dr_error *e)
{
    EVP_PKEY *pkey;
    size_t plen = DR_ED25519_LEN;
    bool ok;

    memset(k, 0, sizeof *k);
    memset(k->seed, n, sizeof k->seed);
    pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k->seed, sizeof k->seed);
    ok = pkey && EVP_PKEY_get_raw_public_key(pkey, k->pub, &plen) == 1 && plen == DR_ED25519_LEN;
    EVP_PKEY_free(pkey);
    if (!ok)
        return dr_error_set(e, DR_E_INTERNAL, _("cannot generate an ed25519 key (OpenSSL)"));
    k->has_private = true;
    k->stand_in = true;
    k->comment = xstrdup0(comment);
    return DR_E_OK;
}

void
keys_public_blob(const struct dr_keypair *k, unsigned char blob[DR_ED25519_BLOB_LEN])
{
    struct wbuf b = {0};

    wb_string(&b, KEY_TYPE, strlen(KEY_TYPE));
    wb_string(&b, k->pub, DR_ED25519_LEN);
    memcpy(blob, b.p, DR_ED25519_BLOB_LEN);
    free(b.p);
}

char *
keys_public_line(const struct dr_keypair *k)
{
    unsigned char blob[DR_ED25519_BLOB_LEN];
    char *b64, *line;

    keys_public_blob(k, blob);
    b64 = b64_encode(blob, sizeof blob);
    if (str_empty(k->comment))
        line = xasprintf("%s %s", KEY_TYPE, b64);
    else
        line = xasprintf("%s %s %s", KEY_TYPE, b64, k->comment);
    free(b64);
    return line;
}

char *
keys_fingerprint_blob(const unsigned char *blob, size_t len)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    char *b64, *fp;
    size_t n;

    SHA256(blob, len, md);
    b64 = b64_encode(md, sizeof md);
    /* ssh-keygen prints the base64 without its '=' padding. */
    n = strlen(b64);
    while (n > 0 && b64[n - 1] == '=')
        b64[--n] = '\0';
    fp = xasprintf("SHA256:%s", b64);
    free(b64);
    return fp;
}

char *
keys_fingerprint(const struct dr_keypair *k)
{
    unsigned char blob[DR_ED25519_BLOB_LEN];

    keys_public_blob(k, blob);
    return keys_fingerprint_blob(blob, sizeof blob);
}

char *
keys_private_openssh(const struct dr_keypair *k)
{
    unsigned char blob[DR_ED25519_BLOB_LEN], priv64[64];
    struct wbuf outer = {0}, inner = {0};
    const char *comment = k->comment ? k->comment : "";
    uint32_t check;
    char *b64, *pem;
    size_t n, pos = 0;

    if (!k->has_private)
        return NULL;
    /* OpenSSH's check integer (random; it only tells a wrong passphrase). */
    if (k->stand_in)
        check = 0x53544e44;
    else if (RAND_bytes((unsigned char *)&check, sizeof check) != 1)
        check = (uint32_t)util_now_ms();
    keys_public_blob(k, blob);
    memcpy(priv64, k->seed, DR_ED25519_LEN);
    memcpy(priv64 + DR_ED25519_LEN, k->pub, DR_ED25519_LEN);

    wb_u32(&inner, check);
    wb_u32(&inner, check);
    wb_string(&inner, KEY_TYPE, strlen(KEY_TYPE));
    wb_string(&inner, k->pub, DR_ED25519_LEN);
    wb_string(&inner, priv64, sizeof priv64);
    wb_string(&inner, comment, strlen(comment));
    for (unsigned char pad = 1; inner.len % 8 != 0; pad++)
        wb_put(&inner, &pad, 1);
    OPENSSL_cleanse(priv64, sizeof priv64);

    wb_put(&outer, AUTH_MAGIC, sizeof AUTH_MAGIC); /* with its NUL */
    wb_string(&outer, "none", 4);                  /* cipher */
    wb_string(&outer, "none", 4);                  /* kdf */
    wb_string(&outer, "", 0);                      /* kdf options */
    wb_u32(&outer, 1);                             /* number of keys */
    wb_string(&outer, blob, sizeof blob);
    wb_string(&outer, inner.p, inner.len);
    wb_wipe(&inner);

    b64 = b64_encode(outer.p, outer.len);
    wb_wipe(&outer);
    n = strlen(b64);
    pem = xmalloc(sizeof PEM_BEGIN + sizeof PEM_END + n + n / PEM_COLS + 4);
    pos = (size_t)sprintf(pem, "%s\n", PEM_BEGIN);
    for (size_t i = 0; i < n; i += PEM_COLS) {
        size_t l = n - i < PEM_COLS ? n - i : PEM_COLS;
        memcpy(pem + pos, b64 + i, l);
        pos += l;
        pem[pos++] = '\n';
    }
    sprintf(pem + pos, "%s\n", PEM_END);
    OPENSSL_cleanse(b64, n);
    free(b64);
    return pem;
}

/* Whether seed really is the private half of pub. */
static bool
seed_matches(const unsigned char *seed, const unsigned char *pub)
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, DR_ED25519_LEN);
    unsigned char derived[DR_ED25519_LEN];
    size_t n = sizeof derived;
    bool ok;

    ok = pkey && EVP_PKEY_get_raw_public_key(pkey, derived, &n) == 1 && n == sizeof derived &&
         memcmp(derived, pub, n) == 0;
    EVP_PKEY_free(pkey);
    return ok;
}

enum dr_err
keys_parse_private(const char *text, const char *what, struct dr_keypair *k, struct dr_error *e)
{
    const char *begin = strstr(text, PEM_BEGIN), *end;
    const unsigned char *d, *pub, *priv, *comment;
    size_t dn, pubn, privn, commentn;
    unsigned char *raw = NULL;
    size_t rawn = 0;
    char *b64 = NULL;
    size_t bn = 0;
    uint32_t nkeys, c1, c2;
    struct rbuf r, in;
    const char *why = NULL;

    memset(k, 0, sizeof *k);
    if (begin == NULL || (end = strstr(begin, PEM_END)) == NULL)
        return dr_error_set(e, DR_E_PARSE, _("%s: not an OpenSSH private key"), what);
    b64 = xmalloc((size_t)(end - begin) + 1);
    for (const char *p = begin + strlen(PEM_BEGIN); p < end; p++) {
        if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
            b64[bn++] = *p;
    }
    b64[bn] = '\0';
    if (!b64_decode(b64, bn, &raw, &rawn)) {
        why = _("invalid base64");
        goto bad;
    }
    r = (struct rbuf){.p = raw, .len = rawn};
    if (rawn < sizeof AUTH_MAGIC || memcmp(raw, AUTH_MAGIC, sizeof AUTH_MAGIC) != 0) {
        why = _("not openssh-key-v1");
        goto bad;
    }
    r.off = sizeof AUTH_MAGIC;
    if (!rb_string_is(&r, "none") || !rb_string_is(&r, "none")) {
        why = _("encrypted keys are not supported");
        goto bad;
    }
    if (!rb_string(&r, &d, &dn) || !rb_u32(&r, &nkeys) || nkeys != 1 || !rb_string(&r, &d, &dn) ||
        !rb_string(&r, &d, &dn)) {
        why = _("truncated key");
        goto bad;
    }
    in = (struct rbuf){.p = d, .len = dn};
    if (!rb_u32(&in, &c1) || !rb_u32(&in, &c2) || c1 != c2) {
        why = _("corrupt key (check bytes differ)");
        goto bad;
    }
    if (!rb_string_is(&in, KEY_TYPE)) {
        why = _("not an ed25519 key");
        goto bad;
    }
    if (!rb_string(&in, &pub, &pubn) || pubn != DR_ED25519_LEN || !rb_string(&in, &priv, &privn) ||
        privn != 64 || !rb_string(&in, &comment, &commentn) ||
        memcmp(priv + DR_ED25519_LEN, pub, DR_ED25519_LEN) != 0) {
        why = _("corrupt ed25519 key");
        goto bad;
    }
    if (!seed_matches(priv, pub)) {
        why = _("private and public halves do not match");
        goto bad;
    }
    memcpy(k->pub, pub, DR_ED25519_LEN);
    memcpy(k->seed, priv, DR_ED25519_LEN);
    k->has_private = true;
    k->comment = commentn ? xstrndup((const char *)comment, commentn) : NULL;
    OPENSSL_cleanse(raw, rawn);
    OPENSSL_cleanse(b64, bn);
    free(raw);
    free(b64);
    return DR_E_OK;
bad:
    if (raw)
        OPENSSL_cleanse(raw, rawn);
    OPENSSL_cleanse(b64, bn);
    free(raw);
    free(b64);
    return dr_error_set(e, DR_E_PARSE, _("%s: %s"), what, why);
}

enum dr_err
keys_parse_public(const char *line, const char *what, struct dr_keypair *k, struct dr_error *e)
{
    const char *p = line, *b, *bend;
    unsigned char *raw = NULL;
    size_t rawn;
    const unsigned char *pub;
    size_t pubn;
    struct rbuf r;

    memset(k, 0, sizeof *k);
    while (*p == ' ' || *p == '\t')
        p++;
    if (!str_has_prefix(p, KEY_TYPE " "))
        return dr_error_set(e, DR_E_PARSE, _("%s: not an ssh-ed25519 public key"), what);
    b = p + strlen(KEY_TYPE);
    while (*b == ' ' || *b == '\t')
        b++;
    bend = b + strcspn(b, " \t\r\n");
    if (!b64_decode(b, (size_t)(bend - b), &raw, &rawn))
        return dr_error_set(e, DR_E_PARSE, _("%s: invalid base64 in public key"), what);
    r = (struct rbuf){.p = raw, .len = rawn};
    if (!rb_string_is(&r, KEY_TYPE) || !rb_string(&r, &pub, &pubn) || pubn != DR_ED25519_LEN ||
        r.off != rawn) {
        free(raw);
        return dr_error_set(e, DR_E_PARSE, _("%s: corrupt ssh-ed25519 public key"), what);
    }
    memcpy(k->pub, pub, DR_ED25519_LEN);
    free(raw);
    while (*bend == ' ' || *bend == '\t')
        bend++;
    size_t cl = strcspn(bend, "\r\n");
    k->comment = cl ? xstrndup(bend, cl) : NULL;
    return DR_E_OK;
}

enum dr_err
keys_save(const struct dr_keypair *k, const char *path, struct dr_error *e)
{
    char *dir = util_dirname(path), *pem, *pub, *pubpath;
    enum dr_err rc;

    if (!k->has_private) {
        free(dir);
        return dr_error_set(e, DR_E_INVAL, _("%s: no private key to save"), path);
    }
    rc = util_mkdir_p(dir, 0700, e);
    free(dir);
    if (rc != DR_E_OK)
        return rc;
    pem = keys_private_openssh(k);
    rc = util_write_atomic(path, pem, strlen(pem), 0600, e);
    keys_free_secret(&pem);
    if (rc != DR_E_OK)
        return rc;
    pub = keys_public_line(k);
    pubpath = xasprintf("%s.pub", path);
    char *withnl = xasprintf("%s\n", pub);
    rc = util_write_atomic(pubpath, withnl, strlen(withnl), 0600, e);
    free(withnl);
    free(pubpath);
    free(pub);
    return rc;
}

enum dr_err
keys_load(const char *path, struct dr_keypair *k, struct dr_error *e)
{
    struct stat st;
    char *text;
    size_t len;
    enum dr_err rc;

    memset(k, 0, sizeof *k);
    if (stat(path, &st) != 0)
        return dr_error_set(e, errno == ENOENT ? DR_E_NOTFOUND : DR_E_IO, "%s: %s", path,
                            strerror(errno));
    if (st.st_mode & 077)
        return dr_error_set(e, DR_E_PERM,
                            _("%s: private key is accessible by others (mode %03o, want 600)"),
                            path, (unsigned)(st.st_mode & 0777));
    rc = util_read_file(path, &text, &len, e);
    if (rc != DR_E_OK)
        return rc;
    rc = keys_parse_private(text, path, k, e);
    keys_free_secret(&text);
    return rc;
}

enum dr_err
keys_load_or_create(const char *path, const char *comment, struct dr_keypair *k, struct dr_error *e)
{
    enum dr_err rc = keys_load(path, k, e);

    if (rc != DR_E_NOTFOUND)
        return rc;
    rc = keys_generate(k, comment, e);
    if (rc == DR_E_OK)
        rc = keys_save(k, path, e);
    if (rc != DR_E_OK)
        keys_done(k);
    return rc;
}

/* Names go into paths: keep them to one harmless path component. */
static const char *
safe_component(const char *s)
{
    if (str_empty(s) || strchr(s, '/') || s[0] == '.')
        return "_invalid_";
    return s;
}

char *
keys_cluster_path(const char *state_dir, const char *cluster)
{
    return xasprintf("%s/keys/%s/id_ed25519", state_dir, safe_component(cluster));
}

char *
keys_host_path(const char *state_dir, const char *cluster, const char *node)
{
    return xasprintf("%s/keys/%s/%s_host_ed25519", state_dir, safe_component(cluster),
                     safe_component(node));
}

char *
keys_known_hosts_path(const char *state_dir, const char *cluster)
{
    return xasprintf("%s/keys/%s/known_hosts", state_dir, safe_component(cluster));
}

enum dr_err
keys_write_known_hosts(const char *path, const struct dr_known_host *hosts, size_t n,
                       struct dr_error *e)
{
    struct wbuf b = {0};
    char *dir = util_dirname(path);
    enum dr_err rc;

    for (size_t i = 0; i < n; i++) {
        const char *h = hosts[i].host;
        if (str_empty(h) || strcspn(h, " \t\r\n,#[]") != strlen(h)) {
            free(b.p);
            free(dir);
            return dr_error_set(e, DR_E_INVAL, _("%s: invalid host name '%s'"), path, h ? h : "");
        }
        unsigned char blob[DR_ED25519_BLOB_LEN];
        keys_public_blob(hosts[i].key, blob);
        char *b64 = b64_encode(blob, sizeof blob);
        char *line = hosts[i].port == 22 || hosts[i].port == 0
                         ? xasprintf("%s %s %s\n", h, KEY_TYPE, b64)
                         : xasprintf("[%s]:%d %s %s\n", h, hosts[i].port, KEY_TYPE, b64);
        wb_put(&b, line, strlen(line));
        free(line);
        free(b64);
    }
    rc = util_mkdir_p(dir, 0700, e);
    free(dir);
    if (rc == DR_E_OK)
        rc = util_write_atomic(path, b.p ? (const char *)b.p : "", b.len, 0600, e);
    free(b.p);
    return rc;
}
