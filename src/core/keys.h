/* ed25519 key pairs in OpenSSH formats: the cluster's client key (the login
 * user's authorized key) and every node's host key, which drover generates
 * itself and pins, so no connection ever trusts a key on first use.
 *
 * Files under $XDG_STATE_HOME/drover/keys/ (all 0600):
 *   <cluster>/id_ed25519, id_ed25519.pub      the cluster's client key
 *   <cluster>/<node>_host_ed25519[.pub]       a node's host key
 *   <cluster>/known_hosts                     every node's pinned host key */
#ifndef DR_KEYS_H
#define DR_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define DR_ED25519_LEN 32
/* The SSH wire blob of an ed25519 public key: string "ssh-ed25519", string key. */
#define DR_ED25519_BLOB_LEN (4 + 11 + 4 + DR_ED25519_LEN)

struct dr_keypair {
    unsigned char pub[DR_ED25519_LEN];
    unsigned char seed[DR_ED25519_LEN]; /* the private half; all zero when has_private is false */
    bool has_private;
    bool stand_in; /* keys_stand_in's: its private key text is the same each time */
    char *comment; /* owned; may be NULL */
};

/* A new random key pair (OpenSSL EVP). */
enum dr_err keys_generate(struct dr_keypair *k, const char *comment, struct dr_error *e);
/* A fixed key pair (the seed all bytes n; OpenSSL derives the public half)
 * for checks that render what a real key would be in: the same size and,
 * unlike a random one, the same gzip size each time, so that every command
 * that checks the same input reports the same numbers. Never for a node. */
enum dr_err keys_stand_in(struct dr_keypair *k, unsigned char n, const char *comment,
                          struct dr_error *e);
/* Wipe the private half and free the comment. */
void keys_done(struct dr_keypair *k);

/* "-----BEGIN OPENSSH PRIVATE KEY-----\n...": openssh-key-v1, unencrypted,
 * as ssh-keygen writes it. Newly allocated; the caller wipes and frees it
 * (keys_free_secret). NULL when k has no private half. */
char *keys_private_openssh(const struct dr_keypair *k);
/* "ssh-ed25519 AAAA... comment" (no newline), newly allocated. */
char *keys_public_line(const struct dr_keypair *k);
/* The public key's wire blob into blob (DR_ED25519_BLOB_LEN bytes). */
void keys_public_blob(const struct dr_keypair *k, unsigned char blob[DR_ED25519_BLOB_LEN]);
/* "SHA256:..." exactly as `ssh-keygen -l` prints it, newly allocated. */
char *keys_fingerprint(const struct dr_keypair *k);
/* The same for any public key wire blob (what a server presented). */
char *keys_fingerprint_blob(const unsigned char *blob, size_t len);

/* Parse an openssh-key-v1 private key (unencrypted ed25519 only). `what`
 * names the source in errors (a file path). */
enum dr_err keys_parse_private(const char *text, const char *what, struct dr_keypair *k,
                               struct dr_error *e);
/* Parse "ssh-ed25519 AAAA... [comment]". */
enum dr_err keys_parse_public(const char *line, const char *what, struct dr_keypair *k,
                              struct dr_error *e);

/* Write path (private, 0600) and path.pub (0600), atomically, creating the
 * folder (0700) when needed. */
enum dr_err keys_save(const struct dr_keypair *k, const char *path, struct dr_error *e);
/* Load a private key file; refuses a file readable by group or others. */
enum dr_err keys_load(const char *path, struct dr_keypair *k, struct dr_error *e);
/* Load path if it exists, else generate a key with comment and save it. */
enum dr_err keys_load_or_create(const char *path, const char *comment, struct dr_keypair *k,
                                struct dr_error *e);

/* Paths under state_dir, newly allocated. */
char *keys_cluster_path(const char *state_dir, const char *cluster);
char *keys_host_path(const char *state_dir, const char *cluster, const char *node);
char *keys_known_hosts_path(const char *state_dir, const char *cluster);

/* One pinned host: the address ssh connects to and the host's public key. */
struct dr_known_host {
    const char *host; /* address or name */
    int port;         /* 22 writes "host", anything else "[host]:port" */
    const struct dr_keypair *key;
};

/* Write a known_hosts file (0600, atomic) for the given hosts. */
enum dr_err keys_write_known_hosts(const char *path, const struct dr_known_host *hosts, size_t n,
                                   struct dr_error *e);

/* Wipe and free a secret string (a private key text). */
void keys_free_secret(char **s);

#endif
