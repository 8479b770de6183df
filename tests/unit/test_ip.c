/* src/vsphere/ip.c: which guest addresses a node can be reached on. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "vsphere/internal.h"

START_TEST(link_local_and_loopback)
{
    ck_assert(vs_ip_usable("10.0.0.5", NULL));
    ck_assert(vs_ip_usable("2001:db8::5", NULL));
    ck_assert(!vs_ip_usable("169.254.10.1", NULL));
    ck_assert(!vs_ip_usable("fe80::250:56ff:fe8a:1", NULL));
    ck_assert(!vs_ip_usable("febf::1", NULL));
    ck_assert(vs_ip_usable("fec0::1", NULL)); /* just outside fe80::/10 */
    ck_assert(!vs_ip_usable("127.0.0.1", NULL));
    ck_assert(!vs_ip_usable("::1", NULL));
    ck_assert(!vs_ip_usable("0.0.0.0", NULL));
    ck_assert(!vs_ip_usable("", NULL));
    ck_assert(!vs_ip_usable("not-an-ip", NULL));
    ck_assert(!vs_ip_usable(NULL, NULL));
}
END_TEST

START_TEST(ignore_ranges)
{
    char *ignore[] = {"172.17.0.0/16", "10.1.2.3",    "fd00::/8", "192.168.1.0/25",
                      "bogus/7",       "10.0.0.0/33", NULL};

    ck_assert(!vs_ip_usable("172.17.0.1", ignore));
    ck_assert(vs_ip_usable("172.18.0.1", ignore));
    ck_assert(!vs_ip_usable("10.1.2.3", ignore));
    ck_assert(vs_ip_usable("10.1.2.4", ignore));
    ck_assert(!vs_ip_usable("fd12::1", ignore));
    ck_assert(vs_ip_usable("fe00::1", ignore) == true);
    ck_assert(!vs_ip_usable("192.168.1.127", ignore));
    ck_assert(vs_ip_usable("192.168.1.128", ignore));
    ck_assert(vs_ip_usable("10.9.9.9", ignore)); /* /33 is not a range: ignored */
    /* Nor is an empty or signed prefix: it must not ignore every address. */
    char *broken[] = {"10.0.0.0/", "0.0.0.0/", "0.0.0.0/-0", "::/ ", NULL};
    ck_assert(vs_ip_usable("192.168.7.7", broken));
    ck_assert(vs_ip_usable("2001:db8::1", broken));
}
END_TEST


/* guest.net as Tools report it on a guest running Docker and Kubernetes:
 * docker0 and cni0 (no virtual device) first, then the VM's NICs. */
static char *docker0[] = {"172.17.0.1", "fe80::42:acff:fe11:1", NULL};
static char *cni0[] = {"10.42.0.1", NULL};
static char *eth0[] = {"fe80::250:56ff:fe8a:1", "2001:db8::5", "10.0.0.5", NULL};
static char *eth0_v6[] = {"fe80::250:56ff:fe8a:1", "2001:db8::5", NULL};
static char *eth1_nodhcp[] = {NULL};
static char *eth1[] = {"192.168.50.7", NULL};

static void
pick(const struct vs_guest_nic *nics, size_t n, int primary, char *const *ignore,
     const char *want4, const char *want6)
{
    char *v4 = (char *)"x", *v6 = (char *)"x";

    vs_ip_pick(nics, n, primary, ignore, &v4, &v6);
    if (want4)
        ck_assert_pstr_eq(v4, want4);
    else
        ck_assert_ptr_null(v4);
    if (want6)
        ck_assert_pstr_eq(v6, want6);
    else
        ck_assert_ptr_null(v6);
    free(v4);
    free(v6);
}

START_TEST(no_virtual_device_never_counts)
{
    struct vs_guest_nic nics[] = {
        {.device = -1, .addrs = docker0}, {.device = -1, .addrs = cni0},
        {.device = 4000, .addrs = eth0},  {.device = 4001, .addrs = eth1_nodhcp}};

    pick(nics, 4, 4000, NULL, "10.0.0.5", "2001:db8::5");
    /* Primary unknown (the VM's NICs could not be read): the first NIC
     * with a virtual device, still never docker0 or cni0. */
    pick(nics, 4, -1, NULL, "10.0.0.5", "2001:db8::5");
    /* Only bridges inside the guest have addresses yet: nothing. */
    pick(nics, 2, 4000, NULL, NULL, NULL);
    pick(nics, 2, -1, NULL, NULL, NULL);
}
END_TEST

START_TEST(the_first_networks_nic_only)
{
    struct vs_guest_nic nics[] = {{.device = 4000, .addrs = eth1_nodhcp},
                                  {.device = 4001, .addrs = eth1}};
    struct vs_guest_nic order[] = {{.device = 4001, .addrs = eth1},
                                   {.device = 4000, .addrs = eth0}};

    /* The first network's NIC has no address yet: another NIC's address
     * is not the SSH address (it may be a storage or backup network). */
    pick(nics, 2, 4000, NULL, NULL, NULL);
    /* The first network's NIC is found by its device, not its place. */
    pick(order, 2, 4000, NULL, "10.0.0.5", "2001:db8::5");
    pick(order, 2, 4001, NULL, "192.168.50.7", NULL);
    /* A second NIC without DHCP does not hold up the first's address. */
    struct vs_guest_nic two[] = {{.device = 4000, .addrs = eth0},
                                 {.device = 4001, .addrs = eth1_nodhcp},
                                 {.device = 4002, .addrs = NULL}};
    pick(two, 3, 4000, NULL, "10.0.0.5", "2001:db8::5");
}
END_TEST

/* An adapter the guest reports with connected=false (unplugged, its
 * addresses stale) never gives the address, primary or not. */
START_TEST(a_disconnected_nic_never_counts)
{
    struct vs_guest_nic off[] = {{.device = 4000, .addrs = eth0, .disconnected = true},
                                 {.device = 4001, .addrs = eth1}};

    pick(off, 2, 4000, NULL, NULL, NULL);
    /* Primary unknown: the next connected adapter's. */
    pick(off, 2, -1, NULL, "192.168.50.7", NULL);
    off[0].disconnected = false;
    pick(off, 2, 4000, NULL, "10.0.0.5", "2001:db8::5");
}
END_TEST

START_TEST(ipv4_first_ipv6_alone)
{
    struct vs_guest_nic v6only[] = {{.device = -1, .addrs = docker0},
                                    {.device = 4000, .addrs = eth0_v6}};
    static char *lo[] = {"127.0.0.1", "::1", "169.254.3.3", "0.0.0.0", NULL};
    struct vs_guest_nic loopback[] = {{.device = 4000, .addrs = lo}};

    /* IPv6 only on the NIC: no IPv4 (vs_wait_for_ip then takes the IPv6
     * address after VS_IPV6_GRACE_S), never docker0's IPv4. */
    pick(v6only, 2, 4000, NULL, NULL, "2001:db8::5");
    pick(loopback, 1, 4000, NULL, NULL, NULL);
}
END_TEST

START_TEST(ip_ignore_applies_to_the_nic)
{
    struct vs_guest_nic nics[] = {{.device = -1, .addrs = docker0},
                                  {.device = 4000, .addrs = eth0}};
    char *no10[] = {"10.0.0.0/8", NULL};
    char *nov6[] = {"2001:db8::/32", NULL};
    char *both[] = {"10.0.0.0/8", "2001:db8::/32", NULL};

    pick(nics, 2, 4000, no10, NULL, "2001:db8::5");
    pick(nics, 2, 4000, nov6, "10.0.0.5", NULL);
    pick(nics, 2, 4000, both, NULL, NULL);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("ip");
    TCase *tc = tcase_create("ip");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, link_local_and_loopback);
    tcase_add_test(tc, ignore_ranges);
    tcase_add_test(tc, a_disconnected_nic_never_counts);
    tcase_add_test(tc, no_virtual_device_never_counts);
    tcase_add_test(tc, the_first_networks_nic_only);
    tcase_add_test(tc, ipv4_first_ipv6_alone);
    tcase_add_test(tc, ip_ignore_applies_to_the_nic);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
