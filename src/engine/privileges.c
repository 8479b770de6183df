/* The vCenter privileges drover needs, on which object, and why: the one
 * table preflight checks (AuthorizationManager.HasPrivilegeOnEntities) and
 * drover(1) lists (test_docs compares them). Privilege ids are vSphere's
 * (vSphere Security, "Defined Privileges"); a VM's own privileges come from
 * its folder, where the clone is created. */
#include "config.h"

#include "core/i18n.h"
#include "core/util.h"
#include "engine/engine.h"

static const struct dr_privilege privileges[] = {
    {"VirtualMachine.Provisioning.DeployTemplate", DR_PRIV_SOURCE,
     N_("clone a template (clone_from is a template)")},
    {"VirtualMachine.Provisioning.Clone", DR_PRIV_SOURCE,
     N_("clone a virtual machine (clone_from is a VM)")},
    {"VirtualMachine.Inventory.CreateFromExisting", DR_PRIV_FOLDER,
     N_("create the clones in the folder")},
    {"VirtualMachine.Inventory.Delete", DR_PRIV_FOLDER,
     N_("destroy a node's VM (delete, scale down, a failed clone)")},
    {"VirtualMachine.Config.CPUCount", DR_PRIV_FOLDER, N_("set cpus")},
    {"VirtualMachine.Config.Memory", DR_PRIV_FOLDER, N_("set memory_mib")},
    {"VirtualMachine.Config.DiskExtend", DR_PRIV_FOLDER, N_("grow the disk to disk_gib")},
    {"VirtualMachine.Config.AdvancedConfig", DR_PRIV_FOLDER,
     N_("write guestinfo (cloud-init data, the owner marker) and extra_config")},
    {"VirtualMachine.Config.EditDevice", DR_PRIV_FOLDER, N_("re-back NICs onto networks")},
    {"VirtualMachine.Config.AddRemoveDevice", DR_PRIV_FOLDER,
     N_("add or remove NICs to match networks")},
    {"VirtualMachine.Interact.PowerOn", DR_PRIV_FOLDER, N_("power nodes on")},
    {"VirtualMachine.Interact.PowerOff", DR_PRIV_FOLDER, N_("power nodes off before destroying")},
    {"InventoryService.Tagging.AttachTag", DR_PRIV_FOLDER, N_("attach tags (when tags are set)")},
    {"Global.SetCustomField", DR_PRIV_FOLDER,
     N_("set custom attributes (when custom_attributes are set)")},
    {"Resource.AssignVMToPool", DR_PRIV_POOL, N_("place the clones in the resource pool")},
    {"Datastore.AllocateSpace", DR_PRIV_DATASTORE, N_("create the clones' disks")},
    {"Network.Assign", DR_PRIV_NETWORK, N_("attach NICs to each of networks")},
};

const struct dr_privilege *
engine_privileges(size_t *n)
{
    *n = DR_ARRAY_LEN(privileges);
    return privileges;
}

const char *
priv_object_key(enum dr_priv_object o)
{
    switch (o) {
    case DR_PRIV_SOURCE:
        return "clone_from";
    case DR_PRIV_FOLDER:
        return "folder";
    case DR_PRIV_POOL:
        return "resource_pool";
    case DR_PRIV_DATASTORE:
        return "datastore";
    case DR_PRIV_NETWORK:
        return "networks";
    }
    return "?";
}
