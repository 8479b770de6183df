#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/guestos.h"
#include "core/util.h"

/* Distribution -> the prefix of its vSphere guest ids (vSphere API,
 * VirtualMachineGuestOsIdentifier: ubuntu64Guest, debian12_64Guest,
 * rhel9_64Guest, rockylinux_64Guest, vmwarePhoton64Guest...). */
static const struct {
    const char *distro;
    const char *prefix;
} distros[] = {
    {"ubuntu", "ubuntu"},           {"debian", "debian"},     {"rhel", "rhel"},
    {"centos", "centos"},           {"rocky", "rockylinux"},  {"almalinux", "almalinux"},
    {"oracle", "oracleLinux"},      {"sles", "sles"},         {"opensuse", "opensuse"},
    {"photon", "vmwarePhoton"},     {"fedora", "fedora"},     {"amazonlinux", "amazonlinux"},
    {"coreos", "coreos"},
};

const char *
guestos_known(void)
{
    return "ubuntu, debian, rhel, centos, rocky, almalinux, oracle, sles, opensuse, photon, "
           "fedora, amazonlinux, coreos";
}

/* A vSphere guest id: letters, digits and '_', ending in "Guest". */
static bool
is_guest_id(const char *s)
{
    size_t n = strlen(s);

    if (n <= 5 || strcmp(s + n - 5, "Guest") != 0)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

/* "debian-12" -> the table entry and "12" (*version NULL when none). */
static int
parse_distro(const char *os, const char **version)
{
    const char *dash = strchr(os, '-');
    size_t len = dash ? (size_t)(dash - os) : strlen(os);

    *version = NULL;
    for (size_t i = 0; i < DR_ARRAY_LEN(distros); i++) {
        if (strlen(distros[i].distro) != len || strncasecmp(os, distros[i].distro, len) != 0)
            continue;
        if (dash) {
            const char *v = dash + 1;
            if (!isdigit((unsigned char)*v) || strspn(v, "0123456789.") != strlen(v) ||
                v[strlen(v) - 1] == '.')
                return -1;
            *version = v;
        }
        return (int)i;
    }
    return -1;
}

bool
guestos_valid(const char *os)
{
    const char *v;

    return os && (is_guest_id(os) || parse_distro(os, &v) >= 0);
}

/* The major version a guest id carries after its prefix ("rhel9_64Guest":
 * 9, "debian12_64Guest": 12, "rhel7Guest": 7), or -1 ("ubuntu64Guest": the
 * 64 is the word size). */
static long
id_version(const char *rest)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)*rest))
        return -1;
    v = strtol(rest, &end, 10);
    if (*end == '_')
        return v;
    if (strcmp(end, "Guest") == 0 && v != 64)
        return v;
    return -1;
}

static bool
unknown_id(const char *id)
{
    return id == NULL || *id == '\0' || strncmp(id, "other", 5) == 0;
}

enum dr_os_match
guestos_match(const char *os, const char *guest_id)
{
    const char *version;
    int d;

    if (unknown_id(guest_id))
        return DR_OS_UNKNOWN;
    if (is_guest_id(os))
        return strcmp(os, guest_id) == 0 ? DR_OS_MATCH : DR_OS_MISMATCH;
    d = parse_distro(os, &version);
    if (d < 0)
        return DR_OS_MISMATCH;
    if (strncasecmp(guest_id, distros[d].prefix, strlen(distros[d].prefix)) != 0)
        return DR_OS_MISMATCH;
    if (version) {
        long have = id_version(guest_id + strlen(distros[d].prefix));
        if (have >= 0 && strtol(version, NULL, 10) != have)
            return DR_OS_MISMATCH;
    }
    return DR_OS_MATCH;
}

char *
guestos_suggest(const char *guest_id)
{
    if (unknown_id(guest_id))
        return NULL;
    for (size_t i = 0; i < DR_ARRAY_LEN(distros); i++) {
        size_t n = strlen(distros[i].prefix);
        if (strncasecmp(guest_id, distros[i].prefix, n) == 0) {
            long v = id_version(guest_id + n);
            return v >= 0 ? xasprintf("%s-%ld", distros[i].distro, v) : xstrdup(distros[i].distro);
        }
    }
    return xstrdup(guest_id);
}
