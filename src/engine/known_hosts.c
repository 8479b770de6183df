/* keys/<cluster>/known_hosts: every node with an address and its pinned
 * host key, so that an operator's own ssh trusts exactly those keys. It is
 * rewritten whenever a node gets its address or goes; with 200 nodes that
 * read 200 key files each time, under the engine's mutex. The keys read are
 * kept per cluster by node and pinned fingerprint (a new key for a node
 * comes with a new fingerprint), so a write reads only the new nodes' keys,
 * and outside the mutex. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/keys.h"
#include "core/log.h"
#include "core/util.h"
#include "engine/internal.h"

struct eng_known_key {
    char *node;
    char *fp;    /* the node's host_key_fp when the key was read */
    unsigned char pub[DR_ED25519_LEN];
};

/* One node to list: its address and port, and its key once known. */
struct kh_entry {
    struct eng_known_key k;
    char *ip;
    int port;
    bool have;
};

void
eng_known_hosts_free(struct eng_cluster *c)
{
    for (size_t i = 0; i < c->n_known_keys; i++) {
        free(c->known_keys[i].node);
        free(c->known_keys[i].fp);
    }
    xfree(&c->known_keys);
    c->n_known_keys = 0;
}

/* c's cached key for node with fingerprint fp (looked for at hint first:
 * the cache keeps the nodes' order), or NULL. */
static const struct eng_known_key *
cached_key(const struct eng_cluster *c, const struct dr_node *node, size_t hint)
{
    if (str_empty(node->host_key_fp))
        return NULL;
    if (hint < c->n_known_keys && str_eq(c->known_keys[hint].node, node->name))
        return str_eq(c->known_keys[hint].fp, node->host_key_fp) ? &c->known_keys[hint] : NULL;
    for (size_t i = 0; i < c->n_known_keys; i++)
        if (str_eq(c->known_keys[i].node, node->name))
            return str_eq(c->known_keys[i].fp, node->host_key_fp) ? &c->known_keys[i] : NULL;
    return NULL;
}

/* The public key of a node from keys/<cluster>/<node>_host_ed25519.pub. */
static bool
read_key(struct dr_engine *e, const char *cluster, const char *node, unsigned char *pub)
{
    char *path = keys_host_path(e->state_dir, cluster, node);
    char *pubpath = xasprintf("%s.pub", path);
    struct dr_keypair k = { 0 };
    char *text = NULL;
    bool ok = util_read_file(pubpath, &text, NULL, NULL) == DR_E_OK &&
              keys_parse_public(text, pubpath, &k, NULL) == DR_E_OK;

    if (ok)
        memcpy(pub, k.pub, sizeof k.pub);
    keys_done(&k);
    free(text);
    free(pubpath);
    free(path);
    return ok;
}

void
eng_write_known_hosts(struct dr_engine *e, const char *cluster)
{
    struct eng_cluster *c;
    struct kh_entry *v = NULL;
    size_t n = 0, k = 0;

    pthread_mutex_lock(&e->known_hosts_mu);
    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, cluster);
    if (c == NULL) {
        pthread_mutex_unlock(&e->mu);
        pthread_mutex_unlock(&e->known_hosts_mu);
        return;
    }
    v = xcalloc(c->status.n_nodes + 1, sizeof *v);
    for (size_t i = 0; i < c->status.n_nodes; i++) {
        const struct dr_node *node = &c->status.nodes[i];
        const struct dr_pool *p;
        const struct dr_template *t;
        const struct eng_known_key *ck;

        if (str_empty(node->ip) || node->state == DR_NODE_REMOVED)
            continue;
        p = eng_find_pool(c, node->pool);
        t = p ? eng_find_template(e, p->template) : NULL;
        v[n].k.node = xstrdup(node->name);
        v[n].k.fp = xstrdup0(node->host_key_fp);
        v[n].ip = xstrdup(node->ip);
        v[n].port = t && t->ssh_port > 0 ? t->ssh_port : 22;
        if ((ck = cached_key(c, node, n)) != NULL) {
            memcpy(v[n].k.pub, ck->pub, sizeof ck->pub);
            v[n].have = true;
        }
        n++;
    }
    pthread_mutex_unlock(&e->mu);

    for (size_t i = 0; i < n; i++)
        if (!v[i].have)
            v[i].have = read_key(e, cluster, v[i].k.node, v[i].k.pub);

    struct dr_known_host *hosts = xcalloc(n + 1, sizeof *hosts);
    struct dr_keypair *keys = xcalloc(n + 1, sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        if (!v[i].have)
            continue;
        memcpy(keys[k].pub, v[i].k.pub, sizeof keys[k].pub);
        hosts[k].host = v[i].ip;
        hosts[k].port = v[i].port;
        hosts[k].key = &keys[k];
        k++;
    }
    char *path = keys_known_hosts_path(e->state_dir, cluster);
    struct dr_error err = { 0 };
    if (k > 0 && keys_write_known_hosts(path, hosts, k, &err) != DR_E_OK)
        log_warn("cluster %s: %s", cluster, dr_error_text(&err));
    else if (k == 0)
        unlink(path);
    free(path);
    free(hosts);
    free(keys);

    /* Keep the keys of this write (with a fingerprint to check them by). */
    pthread_mutex_lock(&e->mu);
    c = eng_find_cluster(e, cluster);
    if (c) {
        eng_known_hosts_free(c);
        c->known_keys = xcalloc(n + 1, sizeof *c->known_keys);
        for (size_t i = 0; i < n; i++) {
            if (!v[i].have || str_empty(v[i].k.fp))
                continue;
            c->known_keys[c->n_known_keys++] = v[i].k;
            v[i].k.node = v[i].k.fp = NULL;
        }
    }
    pthread_mutex_unlock(&e->mu);
    for (size_t i = 0; i < n; i++) {
        free(v[i].k.node);
        free(v[i].k.fp);
        free(v[i].ip);
    }
    free(v);
    pthread_mutex_unlock(&e->known_hosts_mu);
}
