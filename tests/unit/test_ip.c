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

int
main(void)
{
    Suite *s = suite_create("ip");
    TCase *tc = tcase_create("ip");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, link_local_and_loopback);
    tcase_add_test(tc, ignore_ranges);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
