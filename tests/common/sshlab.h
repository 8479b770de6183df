/* Real SSH nodes for C tests and benchmarks: each node is an sshd started by
 * tests/lab/sshnode from user-data that drover's own cloud-init renderer made,
 * so the whole chain (keys, user-data, pinned host key) is exercised. */
#ifndef DR_TEST_SSHLAB_H
#define DR_TEST_SSHLAB_H

#include <stdbool.h>

#include "core/keys.h"

struct labnode {
    char name[64];
    char dir[512];
    char addr[64];
    int port;
    struct dr_keypair host_key;
    bool up;
};

struct sshlab {
    char root[256];               /* mkdtemp folder */
    struct dr_keypair client_key; /* the "cluster" key */
    const char *user;
    struct labnode *nodes;
    int n;
};

/* Why the lab cannot run here (not root, no sshd, no unshare), or NULL. */
const char *sshlab_unavailable(void);
/* Make the folder and the client key (no nodes yet). */
bool sshlab_init(struct sshlab *lab, const char *user);
/* Start n nodes (in parallel); false when any fails to start. */
bool sshlab_start(struct sshlab *lab, int n);
/* Start one more node on a given address (NULL: any) with a given host key
 * (NULL: a new one); returns its index or -1. Not thread-safe against other
 * calls that use lab->nodes. */
int sshlab_add(struct sshlab *lab, const char *addr, const struct dr_keypair *host_key);
/* Run `sshnode VERB --dir` for node i (freeze, thaw, down). */
bool sshlab_node_cmd(struct sshlab *lab, int i, const char *verb);
/* Stop every node and remove the folder. Safe to call twice. */
void sshlab_done(struct sshlab *lab);
/* A free 127.x.y.z address (nothing listening on port 22 there). */
void sshlab_free_addr(char *buf, size_t len);

#endif
