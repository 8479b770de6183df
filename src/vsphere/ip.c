#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "vsphere/internal.h"

struct addr {
    int family;
    unsigned char b[16];
};

static bool
parse_addr(const char *s, struct addr *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, s, a->b) == 1) {
        a->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, a->b) == 1) {
        a->family = AF_INET6;
        return true;
    }
    return false;
}

static bool
prefix_match(const struct addr *a, const struct addr *net, int bits)
{
    int full = bits / 8, rest = bits % 8;

    if (a->family != net->family)
        return false;
    if (memcmp(a->b, net->b, (size_t)full) != 0)
        return false;
    if (rest) {
        unsigned char mask = (unsigned char)(0xff << (8 - rest));
        if ((a->b[full] & mask) != (net->b[full] & mask))
            return false;
    }
    return true;
}

/* "10.0.0.0/8", "fd00::/8" or a bare address. */
static bool
in_cidr(const struct addr *a, const char *cidr)
{
    char buf[64];
    const char *slash = strchr(cidr, '/');
    struct addr net;
    int bits;

    if (strlen(cidr) >= sizeof buf)
        return false;
    snprintf(buf, sizeof buf, "%s", cidr);
    if (slash)
        buf[slash - cidr] = '\0';
    if (!parse_addr(buf, &net))
        return false;
    bits = net.family == AF_INET ? 32 : 128;
    if (slash) {
        char *end;
        long v = strtol(slash + 1, &end, 10);
        /* "10.0.0.0/" is no range; strtol's 0 would make it match all. */
        if (slash[1] < '0' || slash[1] > '9' || *end || v < 0 || v > bits)
            return false;
        bits = (int)v;
    }
    return prefix_match(a, &net, bits);
}

bool
vs_ip_usable(const char *s, char *const *ignore)
{
    /* 127.0.0.0/16 covers what a guest's loopback reports (127.0.0.1,
     * 127.0.1.1); the lab's SSH nodes live on other 127.S.x.y addresses. */
    static const char *const never[] = {"169.254.0.0/16", "127.0.0.0/16", "0.0.0.0/32",
                                        "fe80::/10",      "::1/128",      "::/128"};
    struct addr a;

    if (s == NULL || !parse_addr(s, &a))
        return false;
    for (size_t i = 0; i < DR_ARRAY_LEN(never); i++)
        if (in_cidr(&a, never[i]))
            return false;
    for (char *const *c = ignore; c && *c; c++)
        if (in_cidr(&a, *c))
            return false;
    return true;
}

struct ip_pick {
    char *const *ignore;
    char *v4;
    char *v6;
};

static void
consider(struct ip_pick *p, const char *ip)
{
    struct addr a;

    if (!vs_ip_usable(ip, p->ignore) || !parse_addr(ip, &a))
        return;
    if (a.family == AF_INET && p->v4 == NULL)
        p->v4 = xstrdup(ip);
    else if (a.family == AF_INET6 && p->v6 == NULL)
        p->v6 = xstrdup(ip);
}

static enum dr_err
on_guest(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct ip_pick *p = user;
    xmlNodePtr nets = vs_prop(oc, "guest.net");
    char *ip;

    /* Per NIC first (VMware Tools lists every address there), then the
     * summary address. */
    for (xmlNodePtr nic = nets ? nets->children : NULL; nic; nic = nic->next) {
        if (nic->type != XML_ELEMENT_NODE)
            continue;
        soap_each(a, nic, "ipAddress")
        {
            char *t = soap_text(a);
            consider(p, t);
            free(t);
        }
    }
    ip = vs_prop_text(oc, "guest.ipAddress");
    consider(p, ip);
    free(ip);
    return DR_E_OK;
}

enum dr_err
vs_wait_for_ip(struct vs_session *s, const char *vm_id, char *const *ignore, int timeout_s,
               char **ip, struct dr_error *e)
{
    static const char *const paths[] = {"guest.net", "guest.ipAddress", NULL};
    long long deadline = util_now_ms() + (long long)(timeout_s > 0 ? timeout_s : 600) * 1000;
    int delay = 250;

    *ip = NULL;
    for (;;) {
        struct ip_pick p = {.ignore = ignore};
        enum dr_err err = vs_retrieve_one(s, "VirtualMachine", vm_id, paths, on_guest, &p, e);
        if (err != DR_E_OK)
            return err;
        if (p.v4 || p.v6) {
            *ip = p.v4 ? p.v4 : p.v6;
            free(p.v4 ? p.v6 : NULL);
            return DR_E_OK;
        }
        if (util_now_ms() + delay > deadline)
            return dr_error_set(e, DR_E_TIMEOUT,
                                _("vCenter %s: VM %s reported no usable IP address "
                                  "within %d s"),
                                s->name, vm_id, timeout_s);
        if (!vs_sleep(s, delay))
            return dr_error_set(e, DR_E_CANCELLED,
                                _("vCenter %s: cancelled while waiting for the IP "
                                  "of %s"),
                                s->name, vm_id);
        if (delay < 2000)
            delay *= 2;
    }
}
