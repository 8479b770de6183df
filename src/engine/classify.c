/* The failure classes (see classify.h): the one table that says which
 * errors are retried and which put a node in ERROR at once. The vSphere
 * fault names come from the vSphere Web Services API reference (the
 * vim.fault.* and vmodl.fault.* types); a fault not named here classes as
 * its code (DR_E_FAULT: transient, retried a bounded number of times). */
#include "config.h"

#include <string.h>

#include "core/i18n.h"
#include "core/util.h"
#include "engine/classify.h"

#define T ENG_TRANSIENT
#define P ENG_PERMANENT

static const struct eng_class_rule rules[] = {
    /* vSphere faults that say "not now": the same call can succeed later. */
    { .code = DR_E_FAULT, .cause = "fault:NotAuthenticated", .cls = T,
      .why = "the session expired (idle timeout, vCenter restart); drover logs in again" },
    { .code = DR_E_FAULT, .cause = "fault:TaskInProgress", .cls = T,
      .why = "another task holds the object; it ends by itself" },
    { .code = DR_E_FAULT, .cause = "fault:ConcurrentAccess", .cls = T,
      .why = "the object changed under the call; repeating it sees the new version" },
    { .code = DR_E_FAULT, .cause = "fault:ResourceInUse", .cls = T,
      .why = "the resource is busy with another operation" },
    { .code = DR_E_FAULT, .cause = "fault:InvalidState", .cls = T,
      .why = "the host or VM is in a passing state (maintenance mode, reconfiguration)" },
    { .code = DR_E_FAULT, .cause = "fault:InvalidPowerState", .cls = T,
      .why = "the VM is between power states" },
    { .code = DR_E_FAULT, .cause = "fault:HostCommunication", .cls = T,
      .why = "vCenter lost its connection to the host for a moment" },
    { .code = DR_E_FAULT, .cause = "fault:HostNotConnected", .cls = T,
      .why = "the host is reconnecting to vCenter" },
    { .code = DR_E_FAULT, .cause = "fault:HostNotReachable", .cls = T,
      .why = "the host does not answer vCenter now" },
    { .code = DR_E_FAULT, .cause = "fault:SystemError", .cls = T,
      .why = "an internal vCenter error, usually passing" },
    { .code = DR_E_FAULT, .cause = "fault:RequestCanceled", .cls = T,
      .why = "someone cancelled the task in vCenter; doing it again is what drover is for" },
    { .code = DR_E_FAULT, .cause = "fault:InsufficientResourcesFault", .cls = T,
      .why = "admission control: capacity comes back when other VMs stop or move" },

    /* vSphere faults that say the input is wrong or not allowed: the same
     * call fails the same way until the operator changes something. */
    { .code = DR_E_FAULT, .cause = "fault:InvalidArgument", .cls = P,
      .why = "vCenter refused a value drover sent (from the template or cluster)",
      .todo = N_("correct the template or cluster setting named in the message, then retry the "
                 "node (r, or apply)") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidRequest", .cls = P,
      .why = "the request itself is malformed for this vCenter",
      .todo = N_("check that the vCenter's version is supported (drover vcenter check)") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidType", .cls = P,
      .why = "the request names a type this vCenter does not know",
      .todo = N_("check that the vCenter's version is supported (drover vcenter check)") },
    { .code = DR_E_FAULT, .cause = "fault:MethodNotFound", .cls = P,
      .why = "this vCenter has no such method (too old an API)",
      .todo = N_("check that the vCenter's version is supported (drover vcenter check)") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidProperty", .cls = P,
      .why = "the property does not exist on this vCenter's objects",
      .todo = N_("check that the vCenter's version is supported (drover vcenter check)") },
    { .code = DR_E_FAULT, .cause = "fault:NotSupported", .cls = P,
      .why = "the host or vCenter cannot do this operation (e.g. a linked clone here)",
      .todo = N_("change the template (clone mode, hardware) to what this host supports") },
    { .code = DR_E_FAULT, .cause = "fault:NotImplemented", .cls = P,
      .why = "the operation is not implemented by this vCenter",
      .todo = N_("change the template to avoid the operation") },
    { .code = DR_E_FAULT, .cause = "fault:ManagedObjectNotFound", .cls = P,
      .why = "the object was deleted in vCenter; asking again finds nothing",
      .todo = N_("check the template's placement (drover vcenter inventory); press R to "
                 "replace the node") },
    { .code = DR_E_FAULT, .cause = "fault:NotFound", .cls = P,
      .why = "a named object does not exist",
      .todo = N_("check the names in the template (drover vcenter inventory)") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidName", .cls = P,
      .why = "vCenter refuses the name (characters or length)",
      .todo = N_("rename the cluster or pool so the node names are valid") },
    { .code = DR_E_FAULT, .cause = "fault:DuplicateName", .cls = P,
      .why = "another object has this name in the folder; it does not go away by itself",
      .todo = N_("remove or rename the other object in vCenter, or use another folder") },
    { .code = DR_E_FAULT, .cause = "fault:AlreadyExists", .cls = P,
      .why = "the object exists already; it does not go away by itself",
      .todo = N_("remove the other object in vCenter") },
    { .code = DR_E_FAULT, .cause = "fault:FileAlreadyExists", .cls = P,
      .why = "the VM's folder or disk is already on the datastore (left by another VM)",
      .todo = N_("remove the leftover files from the datastore, or use another datastore") },
    { .code = DR_E_FAULT, .cause = "fault:FileNotFound", .cls = P,
      .why = "a file the template needs is missing on the datastore",
      .todo = N_("repair the source template in vCenter") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidDatastorePath", .cls = P,
      .why = "the datastore path is malformed or names no datastore",
      .todo = N_("correct the template's datastore") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidDatastore", .cls = P,
      .why = "the datastore cannot be used for this VM",
      .todo = N_("correct the template's datastore") },
    { .code = DR_E_FAULT, .cause = "fault:NoDiskSpace", .cls = P,
      .why = "the datastore is full; space only comes back when someone frees it",
      .todo = N_("free space on the datastore or pick another one, then retry the node (r)") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidDeviceSpec", .cls = P,
      .why = "the VM's device change is invalid for its hardware",
      .todo = N_("correct the template's hardware (disk, network) settings") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidController", .cls = P,
      .why = "a device names a controller the VM does not have",
      .todo = N_("correct the source template's hardware") },
    { .code = DR_E_FAULT, .cause = "fault:DeviceUnsupportedForVmVersion", .cls = P,
      .why = "the VM's hardware version cannot have this device",
      .todo = N_("upgrade the source template's hardware version") },
    { .code = DR_E_FAULT, .cause = "fault:InvalidVmConfig", .cls = P,
      .why = "the VM configuration is invalid",
      .todo = N_("correct the template's cpus, memory and disk settings") },
    { .code = DR_E_FAULT, .cause = "fault:OutOfBounds", .cls = P,
      .why = "a value exceeds what the host or hardware version allows",
      .todo = N_("lower the template's cpus, memory or disk size") },
    { .code = DR_E_FAULT, .cause = "fault:NoPermission", .cls = P,
      .why = "the vCenter user lacks a privilege; retrying does not grant it",
      .todo = N_("give the vCenter user the privilege named in the message") },
    { .code = DR_E_FAULT, .cause = "fault:RestrictedVersion", .cls = P,
      .why = "the host's license does not allow changes through the API (free ESXi)",
      .todo = N_("license the host for vCenter management") },
    { .code = DR_E_FAULT, .cause = "fault:SecurityError", .cls = P,
      .why = "vCenter refused the call for security reasons",
      .todo = N_("check the vCenter user's rights") },
    { .code = DR_E_AUTH, .cause = "fault:InvalidLogin", .cls = P,
      .why = "vCenter refused the user name or password",
      .todo = N_("correct the password (drover vcenter check tests it)") },

    /* vAPI (REST) errors: tagging (src/vsphere/rest.c). */
    { .code = DR_E_FAULT, .cause = "vapi:unauthorized", .cls = P,
      .why = "vCenter refused a tagging call: the user lacks a tagging privilege (or the VM "
             "is gone)",
      .todo = N_("give the vCenter user vSphere Tagging > Assign or Unassign vSphere Tag "
                 "(drover(1), TAGS AND CUSTOM ATTRIBUTES)") },
    { .code = DR_E_FAULT, .cause = "vapi:invalid_argument", .cls = P,
      .why = "vCenter refused a tag: its category's cardinality or object types forbid it "
             "on this VM",
      .todo = N_("correct the template's tags") },
    /* HTTP answers without a SOAP fault. */
    { .code = DR_E_PROTO, .cause = "http:408", .cls = T,
      .why = "the server timed out waiting for the request" },
    { .code = DR_E_PROTO, .cause = "http:429", .cls = T,
      .why = "too many requests: the server asks to come back later" },
    { .code = DR_E_PROTO, .cause = "http:4*", .cls = P,
      .why = "a client error: the same request gets the same answer",
      .todo = N_("check the vCenter's url (it ends in /sdk) and what sits in front of it") },
    { .code = DR_E_PROTO, .cause = "http:5*", .cls = T,
      .why = "a server error (vCenter restarting, a load balancer without a backend)" },
    /* An HTTP proxy's answer to CONNECT. */
    { .code = DR_E_CONNECT, .cause = "proxy:5*", .cls = T,
      .why = "the proxy cannot reach vCenter now" },
    { .code = DR_E_CONNECT, .cause = "proxy:*", .cls = P,
      .why = "the proxy refuses the tunnel to vCenter (403: not allowed, 407: wants "
             "credentials); it keeps refusing",
      /* vs_curl_error's message names the proxy and how to bypass it. */
      .todo = NULL },

    /* SSH. */
    { .code = DR_E_PROTO, .cause = "ssh:algorithms", .cls = P,
      .why = "the node's sshd offers no host-key algorithm drover accepts (it pins an "
             "ed25519 key); the image's sshd keeps its configuration",
      .todo = N_("let the image's sshd offer ssh-ed25519 (HostKeyAlgorithms, and keep "
                 "cloud-init's ssh_keys module)") },
    { .code = DR_E_HOSTKEY, .cause = "ssh:hostkey-changed", .cls = P,
      .why = "the node answered with its pinned key before: another key now is an alarm "
             "(another machine at the address, or the node was tampered with)",
      .todo = N_("find out why the node's key changed; if the VM was rebuilt, press R to "
                 "replace the node") },
    { .code = DR_E_HOSTKEY, .cause = "ssh:hostkey-boot", .cls = P,
      .why = "the node kept presenting another host key for the whole boot window: "
             "cloud-init did not install the key drover injected",
      .todo = N_("check that the image runs cloud-init with the VMware datasource "
                 "(guestinfo) and its ssh_keys module") },
    { .code = DR_E_AUTH, .cause = "ssh:key-refused", .cls = P,
      .why = "the node refused the cluster key for the whole boot window",
      .todo = N_("check that the image's cloud-init creates the template's ssh_user with "
                 "drover's authorized key") },
    /* sudo before the recipe. */
    { .code = DR_E_AUTH, .cause = "sudo:*", .cls = P,
      .why = "sudo wants a password or refuses the user; that does not change by itself "
             "(the message names the sudoers line to add)" },
    /* The recipe exited 2: its inputs are wrong (data/bootstrap/README). */
    { .code = DR_E_REMOTE, .cause = "recipe:input", .cls = P,
      .why = "the recipe says its inputs are wrong (the version, the airgap bundle); the same "
             "inputs fail the same way",
      .todo = N_("correct the cluster's version or airgap_bundle as the node's log says, then "
                 "apply again") },
    /* The pre-clone check (gate.c) found problems: nothing was cloned. */
    { .code = DR_E_INVAL, .cause = "gate:problems", .cls = P,
      .why = "the pre-clone check (preflight's checks) found problems in the templates, "
             "the placement, the capacity, the names or the privileges; they stay",
      .todo = N_("fix what the cluster's events list (drover preflight NAME lists it too), "
                 "then apply again") },

    /* Drain before removal (drain.c). */
    { .code = DR_E_TIMEOUT, .cause = "drain:timeout", .cls = P,
      .why = "pods stayed on the node for the pool's drain_timeout: a PodDisruptionBudget "
             "refuses their eviction; retrying at once would not change that",
      .todo = N_("let the evictions pass (scale the workload or relax the budget), or set "
                 "drain_before_delete = false for the pool, then remove the node again") },
    { .code = DR_E_CONNECT, .cause = "drain:unreachable", .cls = T,
      .why = "the cluster's Kubernetes API does not answer; the node is not removed undrained" },

    /* The join's wait for the kubelet's Node (register.c). */
    { .code = DR_E_TIMEOUT, .cause = "join:unregistered", .cls = P,
      .why = "the recipe finished but Kubernetes never listed the node Ready: the server "
             "refused its kubelet or the kubelet does not run; the same join would not change that",
      .todo = N_("read the node's k3s/rke2 agent log (a refused node password: delete the old "
                 "Node of that name), then rebuild the node (R)") },

    /* Every code, for errors without a cause row. */
    { .code = DR_E_OK, .cls = T, .why = "not an error" },
    { .code = DR_E_NOMEM, .cls = P, .why = "drover itself ran out of memory",
      .todo = N_("free memory on this machine and restart drover") },
    { .code = DR_E_IO, .cls = T, .why = "a read or write failed; usually passing" },
    { .code = DR_E_NOTFOUND, .cls = P,
      .why = "something named in the configuration does not exist",
      .todo = N_("correct the name in the configuration (drover validate)") },
    { .code = DR_E_EXISTS, .cls = P, .why = "something drover would create is there already",
      .todo = N_("remove or rename the other object") },
    { .code = DR_E_INVAL, .cls = P, .why = "an invalid value; it stays invalid",
      .todo = N_("correct the value (drover validate)") },
    { .code = DR_E_PARSE, .cls = P, .why = "a file does not parse",
      .todo = N_("correct the file at the line named") },
    { .code = DR_E_PERM, .cls = P, .why = "a file's permissions are unsafe",
      .todo = N_("chmod the file as the message says") },
    { .code = DR_E_READONLY, .cls = P, .why = "drover runs read-only" },
    { .code = DR_E_USAGE, .cls = P, .why = "a wrong command line" },
    { .code = DR_E_TIMEOUT, .cls = T, .why = "no answer in time: the network, a busy vCenter, "
                                             "a VM still booting" },
    { .code = DR_E_CANCELLED, .cls = P, .why = "the operator cancelled: never retried" },
    { .code = DR_E_CONNECT, .cls = T,
      .why = "a refused, reset or unreachable connection; networks and services come back" },
    { .code = DR_E_TLS, .cls = P, .why = "the certificate does not verify; it will not start to",
      .todo = N_("check the certificate and pin it (drover vcenter trust NAME)") },
    { .code = DR_E_AUTH, .cls = P, .why = "credentials refused; they stay refused",
      .todo = N_("correct the credentials") },
    { .code = DR_E_FAULT, .cls = T,
      .why = "a vSphere fault not named above: retried a bounded number of times" },
    { .code = DR_E_PROTO, .cls = T, .why = "a garbled or cut answer" },
    { .code = DR_E_HOSTKEY, .cls = P, .why = "the node presents a key drover did not pin",
      .todo = N_("find out why the node's key differs; press R to replace the node") },
    { .code = DR_E_REMOTE, .cls = T,
      .why = "the recipe failed on the node (a download, a package mirror); it may pass" },
    { .code = DR_E_BUSY, .cls = T, .why = "busy: another holder lets go" },
    { .code = DR_E_INTERNAL, .cls = P, .why = "a bug in drover",
      .todo = N_("report it with the log (drover --log)") },
};

#undef T
#undef P

const struct eng_class_rule *
eng_class_rules(size_t *n)
{
    *n = DR_ARRAY_LEN(rules);
    return rules;
}

static bool
cause_matches(const char *pattern, const char *cause)
{
    size_t n = strlen(pattern);

    if (n > 0 && pattern[n - 1] == '*')
        return strncmp(pattern, cause, n - 1) == 0;
    return strcmp(pattern, cause) == 0;
}

const struct eng_class_rule *
eng_classify(const struct dr_error *err)
{
    enum dr_err code = err ? err->code : DR_E_INTERNAL;
    const char *cause = err ? err->cause : "";
    const struct eng_class_rule *internal = NULL;

    if (*cause)
        for (size_t i = 0; i < DR_ARRAY_LEN(rules); i++)
            if (rules[i].cause && cause_matches(rules[i].cause, cause))
                return &rules[i];
    for (size_t i = 0; i < DR_ARRAY_LEN(rules); i++) {
        if (rules[i].cause)
            continue;
        if (rules[i].code == code)
            return &rules[i];
        if (rules[i].code == DR_E_INTERNAL)
            internal = &rules[i];
    }
    return internal;
}

bool
error_is_permanent(const struct dr_error *err)
{
    return eng_classify(err)->cls == ENG_PERMANENT;
}
