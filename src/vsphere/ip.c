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

void
vs_ip_pick(const struct vs_guest_nic *nics, size_t n, int primary, char *const *ignore, char **v4,
           char **v6)
{
    *v4 = *v6 = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct vs_guest_nic *nic = &nics[i];

        /* docker0, cni0, flannel.1...: no virtual device behind them. */
        if (nic->device < 0)
            continue;
        /* An unplugged adapter: Tools may still list its old addresses. */
        if (nic->disconnected)
            continue;
        if (primary >= 0 && nic->device != primary)
            continue;
        for (char *const *a = nic->addrs; a && *a; a++) {
            struct addr ad;

            if (!vs_ip_usable(*a, ignore) || !parse_addr(*a, &ad))
                continue;
            if (ad.family == AF_INET && *v4 == NULL)
                *v4 = xstrdup(*a);
            else if (ad.family == AF_INET6 && *v6 == NULL)
                *v6 = xstrdup(*a);
        }
        /* Without a known primary NIC, the first virtual NIC with an
         * address is the one. */
        if (*v4 || *v6)
            return;
    }
}

struct guest_view {
    struct vs_guest_nic *nics;
    size_t n;
};

static void
guest_view_done(struct guest_view *g)
{
    for (size_t i = 0; i < g->n; i++)
        strv_free(&g->nics[i].addrs);
    free(g->nics);
    g->nics = NULL;
    g->n = 0;
}

static enum dr_err
on_guest(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct guest_view *g = user;
    xmlNodePtr nets = vs_prop(oc, "guest.net");

    for (xmlNodePtr nic = nets ? nets->children : NULL; nic; nic = nic->next) {
        struct vs_guest_nic *v;

        if (nic->type != XML_ELEMENT_NODE)
            continue;
        g->nics = xrealloc(g->nics, (g->n + 1) * sizeof *g->nics);
        v = &g->nics[g->n++];
        /* Absent deviceConfigId: no virtual device either. */
        v->device = (int)soap_child_ll(nic, "deviceConfigId", -1);
        v->addrs = NULL;
        {
            char *c = soap_child_text(nic, "connected");
            v->disconnected = c && strcmp(c, "false") == 0;
            free(c);
        }
        soap_each(a, nic, "ipAddress")
        {
            char *t = soap_text(a);
            if (t)
                strv_push(&v->addrs, t);
            free(t);
        }
    }
    return DR_E_OK;
}

/* "4000: 10.0.0.5 fe80::1; -1: 172.17.0.1" (newly allocated). */
static char *
describe(const struct guest_view *g)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < g->n; i++) {
        char *t = xasprintf("%s%s%d%s:", out, i ? "; " : "", g->nics[i].device,
                            g->nics[i].disconnected ? _(" (not connected)") : "");
        free(out);
        out = t;
        for (char *const *a = g->nics[i].addrs; a && *a; a++) {
            t = xasprintf("%s %s", out, *a);
            free(out);
            out = t;
        }
    }
    if (g->n == 0) {
        free(out);
        out = xstrdup(_("none reported"));
    }
    return out;
}

struct nic_find {
    const struct vs_nic *want;
    int first;
    int match;
};

static bool
text_is(xmlNodePtr n, const char *want)
{
    char *t = soap_text(n);
    bool eq = t && want && strcmp(t, want) == 0;

    free(t);
    return eq;
}

static enum dr_err
on_devices(void *user, const char *type, const char *id, xmlNodePtr oc, struct dr_error *e)
{
    struct nic_find *f = user;
    xmlNodePtr devs = vs_prop(oc, "config.hardware.device");

    for (xmlNodePtr d = devs ? devs->children : NULL; d; d = d->next) {
        xmlNodePtr b;
        int key;

        /* Every VirtualEthernetCard subtype has a MAC address field. */
        if (d->type != XML_ELEMENT_NODE ||
            (soap_child(d, "macAddress") == NULL && soap_child(d, "addressType") == NULL))
            continue;
        key = (int)soap_child_ll(d, "key", -1);
        if (key < 0)
            continue;
        if (f->first < 0)
            f->first = key;
        b = soap_child(d, "backing");
        /* A standard port group's backing names the network, a distributed
         * one's its port group key, an opaque one's its opaque id. */
        if (f->match < 0 && f->want &&
            (text_is(soap_child(b, "network"), f->want->network) ||
             text_is(soap_child(soap_child(b, "port"), "portgroupKey"),
                     f->want->portgroup_key ? f->want->portgroup_key : f->want->network) ||
             text_is(soap_child(b, "opaqueNetworkId"), f->want->opaque_id)))
            f->match = key;
    }
    return DR_E_OK;
}

enum dr_err
vs_primary_nic(struct vs_session *s, const char *vm_id, const struct vs_nic *network, int *key,
               struct dr_error *e)
{
    static const char *const paths[] = {"config.hardware.device", NULL};
    struct nic_find f = {.want = network, .first = -1, .match = -1};
    enum dr_err err = vs_retrieve_one(s, "VirtualMachine", vm_id, paths, on_devices, &f, e);

    *key = -1;
    if (err != DR_E_OK)
        return err;
    *key = f.match >= 0 ? f.match : f.first;
    return DR_E_OK;
}

enum dr_err
vs_wait_for_ip(struct vs_session *s, const char *vm_id, const struct vs_nic *network,
               char *const *ignore, int timeout_s, char **ip, struct dr_error *e)
{
    static const char *const paths[] = {"guest.net", NULL};
    long long deadline = util_now_ms() + (long long)(timeout_s > 0 ? timeout_s : 600) * 1000;
    long long v6_since = 0;
    int delay = 250, primary;
    enum dr_err err;

    *ip = NULL;
    if ((err = vs_primary_nic(s, vm_id, network, &primary, e)) != DR_E_OK)
        return err;
    for (;;) {
        struct guest_view g = {0};
        char *v4, *v6;
        long long now;

        err = vs_retrieve_one(s, "VirtualMachine", vm_id, paths, on_guest, &g, e);
        if (err != DR_E_OK) {
            guest_view_done(&g);
            return err;
        }
        vs_ip_pick(g.nics, g.n, primary, ignore, &v4, &v6);
        now = util_now_ms();
        if (v6 && v6_since == 0)
            v6_since = now;
        /* IPv4 first. An IPv6 address alone is taken once no IPv4 address
         * came within VS_IPV6_GRACE_S (SLAAC usually answers before DHCP),
         * or when the wait would time out otherwise. */
        if (v4 || (v6 && (now - v6_since >= VS_IPV6_GRACE_S * 1000LL || now + delay > deadline))) {
            *ip = v4 ? v4 : v6;
            free(v4 ? v6 : NULL);
            guest_view_done(&g);
            return DR_E_OK;
        }
        free(v6);
        if (now + delay > deadline) {
            char *seen = describe(&g);
            if (primary < 0)
                dr_error_set(e, DR_E_TIMEOUT,
                             _("vCenter %s: VM %s has no network adapter; no usable IP "
                               "address within %d s (guest NICs: %s)"),
                             s->name, vm_id, timeout_s, seen);
            else
                dr_error_set(e, DR_E_TIMEOUT,
                             _("vCenter %s: VM %s reported no usable IP address on its NIC "
                               "%d (the one on the first network) within %d s (guest NICs: "
                               "%s)"),
                             s->name, vm_id, primary, timeout_s, seen);
            free(seen);
            guest_view_done(&g);
            return DR_E_TIMEOUT;
        }
        guest_view_done(&g);
        if (!vs_sleep(s, delay))
            return dr_error_set(e, DR_E_CANCELLED,
                                _("vCenter %s: cancelled while waiting for the IP "
                                  "of %s"),
                                s->name, vm_id);
        if (delay < 2000)
            delay *= 2;
    }
}
