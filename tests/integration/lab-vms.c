/* Lists the lab vCenter's VMs for integration tests: one line per VM,
 * "<id> <name> <power state> <owner marker or -> <guest.ipAddress or ->",
 * templates left out.
 * `lab-vms mark VM-ID OWNER [KEY]` sets that VM's owner marker instead (as another
 * tool or drover installation would; "" removes it), under KEY when given (the
 * marker's key in another case, as a tool may spell it).
 * `lab-vms off VM-ID` powers the VM off (PowerOffVM_Task), as an operator
 * or a host failure would behind drover's back.
 * Connects with LAB_URL, LAB_USER, LAB_PASSWORD_FILE and LAB_CERT from the
 * lab's env file, through drover's own vSphere client. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/util.h"
#include "vsphere/vsphere.h"

int
main(int argc, char **argv)
{
    struct dr_vcenter vc = { .name = "lab", .timeout_s = 60 };
    struct vs_session *s = NULL;
    struct vs_inventory inv = { 0 };
    struct dr_error e = { 0 };
    char *pw = NULL;
    size_t len = 0;

    vc.url = getenv("LAB_URL");
    vc.user = getenv("LAB_USER");
    vc.ca_file = getenv("LAB_CERT");
    if (vc.url == NULL || vc.user == NULL || getenv("LAB_PASSWORD_FILE") == NULL) {
        fprintf(stderr, "lab-vms: source the lab's env file first\n");
        return 2;
    }
    if (util_read_file(getenv("LAB_PASSWORD_FILE"), &pw, &len, &e) != DR_E_OK)
        goto fail;
    pw[strcspn(pw, "\r\n")] = '\0';
    if (vs_global_init(&e) != DR_E_OK || vs_session_new(&vc, pw, &s, &e) != DR_E_OK ||
        vs_login(s, &e) != DR_E_OK)
        goto fail;
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "mark") == 0) {
        struct dr_kv kv = { .key = argc == 5 ? argv[4] : (char *)VS_OWNER_KEY, .value = argv[3] };
        struct vs_reconfig r = { .extra_config = &kv, .n_extra_config = 1 };

        if (vs_reconfigure_vm(s, argv[2], &r, &e) != DR_E_OK)
            goto fail;
        vs_session_free(&s);
        free(pw);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "off") == 0) {
        if (vs_power_off(s, argv[2], &e) != DR_E_OK)
            goto fail;
        vs_session_free(&s);
        free(pw);
        return 0;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: lab-vms [mark VM-ID OWNER [KEY] | off VM-ID]\n");
        vs_session_free(&s);
        free(pw);
        return 2;
    }
    if (vs_inventory_get(s, &inv, &e) != DR_E_OK)
        goto fail;
    for (size_t i = 0; i < inv.n_vms; i++) {
        const struct vs_vm *v = &inv.vms[i];

        if (v->template)
            continue;
        printf("%s %s %s %s %s\n", v->obj.id, v->obj.name,
               v->power_state ? v->power_state : "-", v->owner ? v->owner : "-",
               v->ip && *v->ip ? v->ip : "-");
    }
    vs_inventory_done(&inv);
    vs_session_free(&s);
    free(pw);
    return 0;
fail:
    fprintf(stderr, "lab-vms: %s\n", dr_error_text(&e));
    vs_session_free(&s);
    free(pw);
    return 1;
}
