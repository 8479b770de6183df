/* A node template's `os`: the guest OS its clone source runs, written as a
 * distribution with an optional version ("ubuntu", "ubuntu-22.04",
 * "debian-12", "rhel-9") or as a vSphere guest OS id ("ubuntu64Guest").
 * Preflight compares it with what vCenter reports for the clone source
 * (config.guestId, vSphere API VirtualMachineGuestOsIdentifier). */
#ifndef DR_GUESTOS_H
#define DR_GUESTOS_H

#include <stdbool.h>

enum dr_os_match {
    DR_OS_MATCH,     /* the guest id is that distribution (and version, when it carries one) */
    DR_OS_MISMATCH,  /* vCenter says the source runs something else */
    DR_OS_UNKNOWN,   /* vCenter does not say (guest id unset or other*) */
};

/* Whether os is one of the accepted forms (see above; distributions from
 * the table in guestos.c, case-insensitive; a version is digits and dots). */
bool guestos_valid(const char *os);
/* os against a guest id as vCenter reports it. */
enum dr_os_match guestos_match(const char *os, const char *guest_id);
/* The os value that names guest_id ("ubuntu", "rhel-9"; the id itself when
 * no distribution of the table has it), newly allocated; NULL for an empty
 * or other* id. */
char *guestos_suggest(const char *guest_id);
/* The distributions drover knows, comma-separated, for messages. */
const char *guestos_known(void);

#endif
