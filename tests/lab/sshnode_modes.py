"""Node behaviours for tests/lab/sshnode: how real images misbehave.

Options come from $SSHNODE_OPTIONS and from the file `node-options` in the
lab's state folder (<state>/node-options, read at each `up`, so a test can
change them between provisions): words `key=value`, or `NAME:key=value` for
the node NAME only.

  boot=stale-key   the node's sshd first presents a stale host key (a new
                   ed25519 key, as an image's own) and accepts no login key,
                   as before cloud-init ran; when the file DIR/boot-done
                   appears it restarts with the injected host key and the
                   authorized keys (a short refused window in between).
  boot=no-login    the injected host key from the start, but no login key
                   until DIR/boot-done appears.
  rekey=on-file    after DIR/rekey appears, sshd restarts with a new host key
                   (a node whose key changes after drover reached it).
  hostkey=rsa      sshd has only an RSA host key and offers only ssh-rsa.
  sudo=MODE        a stand-in sudo in /usr/local/bin inside the node's mount
                   namespace (nothing on the host changes), behaving like
                   sudo 1.9 for `-n`: password (the user needs a password:
                   "sudo: a password is required", exit 1), requiretty
                   ("Defaults requiretty": without a controlling terminal
                   "sudo: sorry, you must have a tty to run sudo", exit 1;
                   with one it runs the command), nopasswd (runs it),
                   denied (sudoers lets the user run other commands only:
                   "Sorry, user U is not allowed to execute 'CMD' as root on
                   HOST.", exit 1). It runs
                   the command as the login user (it cannot become root) and
                   appends each use to DIR/sudo.log.
  k8s=on           room for a Kubernetes distribution (tests/lab/k8s): /etc,
                   /usr/local, /var/lib and /opt are overlays whose upper
                   layers are in DIR/rootfs (the host's stay untouched), and
                   /etc/rancher, /etc/systemd/system, /usr/local (bin, lib,
                   share), /var/lib/rancher, /opt and /run/systemd belong to
                   the login user, so the stand-in sudo (which cannot become
                   root) can install there; /usr/local/bin holds the lab's
                   systemctl (tests/lab/k8s/systemctl) and
                   /run/drover-lab/node-addr the node's address (its own
                   interface, as a real node knows it). With sudo=nopasswd
                   the real recipes run.
"""

import os
import subprocess

SUDO_MODES = ("password", "requiretty", "nopasswd", "denied")


def options(d, name):
    """The options for the node in DIR d named name: {key: value}."""
    words = os.environ.get("SSHNODE_OPTIONS", "").split()
    path = os.path.join(os.path.dirname(os.path.dirname(d)), "node-options")
    try:
        with open(path) as f:
            words += f.read().split()
    except OSError:
        pass
    out = {}
    for w in words:
        if ":" in w.split("=", 1)[0]:
            node, w = w.split(":", 1)
            if node != name:
                continue
        if "=" not in w:
            raise SystemExit("sshnode: node option %r is not key=value" % w)
        k, v = w.split("=", 1)
        out[k] = v
    return out


def _keygen(path, kind, comment):
    for p in (path, path + ".pub"):
        try:
            os.unlink(p)
        except OSError:
            pass
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", comment, "-f", path]
    if kind == "rsa":
        args[4:4] = ["-b", "2048"]
    subprocess.run(args, check=True)
    os.chmod(path, 0o600)


def _with_hostkey(cfg, key, algorithms=None):
    lines = [l for l in cfg.splitlines() if not l.startswith("HostKey")]
    lines.insert(1, "HostKey %s" % key)
    if algorithms:
        lines.insert(2, "HostKeyAlgorithms %s" % algorithms)
    return "\n".join(lines) + "\n"


def _no_login(cfg):
    return cfg + "AuthorizedKeysFile none\n"


def _write(path, text, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, mode)  # not the umask's


SUDO = r"""#!/bin/sh
# drover lab: a stand-in for sudo (mode @MODE@), see tests/lab/sshnode_modes.py
mode=@MODE@
log=@LOG@
n= user=$(id -un)
while [ $# -gt 0 ]; do
    case $1 in
    -n) n=1 ;;
    -E|-H|-S) ;;
    -u) shift ;;
    --) shift; break ;;
    -*) ;;
    *) break ;;
    esac
    shift
done
tty=no
if ( : </dev/tty ) 2>/dev/null; then tty=yes; fi
echo "$(date +%s) mode=$mode tty=$tty n=${n:-0} $*" >>"$log" 2>/dev/null
case $mode in
password)
    if [ -z "$n" ] && [ $tty = no ]; then
        echo "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper" >&2
    fi
    echo "sudo: a password is required" >&2
    exit 1 ;;
denied)
    echo "Sorry, user $user is not allowed to execute '$*' as root on $(hostname)." >&2
    exit 1 ;;
requiretty)
    if [ $tty = no ]; then
        echo "sudo: sorry, you must have a tty to run sudo" >&2
        exit 1
    fi ;;
esac
[ $# -gt 0 ] || { echo "usage: sudo [-n] command" >&2; exit 1; }
exec "$@"
"""


def setup(d, cfg_path, cfg, opts):
    """Write what the options need; returns (phases, sudo_bin): phases is
    [(config, trigger)], the node runs sshd with each config until its
    trigger file appears (None: until the end), sudo_bin a folder to
    bind-mount over /usr/local/bin, or ""."""
    final = cfg
    if opts.get("hostkey") == "rsa":
        key = os.path.join(d, "ssh_host_rsa_key")
        _keygen(key, "rsa", "rsa-only-image")
        final = _with_hostkey(cfg, key, "ssh-rsa")
    elif opts.get("hostkey") not in (None, "ed25519"):
        raise SystemExit("sshnode: hostkey=%s: only rsa or ed25519" % opts["hostkey"])
    _write(cfg_path, final)
    phases = []
    boot = opts.get("boot")
    if boot in ("stale-key", "no-login"):
        text = final
        if boot == "stale-key":
            stale = os.path.join(d, "stale_host_key")
            _keygen(stale, "ed25519", "stale-image-key")
            text = _with_hostkey(final, stale)
        path = cfg_path + ".boot"
        _write(path, _no_login(text))
        phases.append((path, os.path.join(d, "boot-done")))
    elif boot is not None:
        raise SystemExit("sshnode: boot=%s: only stale-key or no-login" % boot)
    if opts.get("rekey") == "on-file":
        phases.append((cfg_path, os.path.join(d, "rekey")))
        other = os.path.join(d, "rekeyed_host_key")
        _keygen(other, "ed25519", "rekeyed")
        path = cfg_path + ".rekeyed"
        _write(path, _with_hostkey(final, other))
        phases.append((path, None))
    else:
        phases.append((cfg_path, None))
    sudo_bin = ""
    k8s = opts.get("k8s")
    if k8s not in (None, "on", "off"):
        raise SystemExit("sshnode: k8s=%s: only on or off" % k8s)
    mode = opts.get("sudo")
    if mode is not None:
        if mode not in SUDO_MODES:
            raise SystemExit("sshnode: sudo=%s: one of %s" % (mode, ", ".join(SUDO_MODES)))
        sudo_bin = os.path.join(d, "sudo-bin")
        os.makedirs(sudo_bin, exist_ok=True)
        os.chmod(sudo_bin, 0o755)
        log = os.path.join(d, "sudo.log")
        _write(log, "", 0o666)
        os.chmod(log, 0o666)
        _write(os.path.join(sudo_bin, "sudo"),
               SUDO.replace("@MODE@", mode).replace("@LOG@", log), 0o755)
    if k8s == "on":
        sudo_bin = os.path.join(d, "sudo-bin")
        os.makedirs(sudo_bin, exist_ok=True)
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "k8s", "systemctl")) as f:
            _write(os.path.join(sudo_bin, "systemctl"), f.read(), 0o755)
        uid = _login_uid(d)
        os.chown(sudo_bin, uid, uid)
        os.chmod(sudo_bin, 0o755)
    for p in ("boot-done", "rekey"):
        try:
            os.unlink(os.path.join(d, p))
        except OSError:
            pass
    return phases, sudo_bin


def _login_uid(d):
    """The login user's uid: the first user sshnode added to DIR/etc/passwd."""
    with open(os.path.join(d, "etc", "passwd")) as f:
        for line in f:
            p = line.split(":")
            if len(p) > 4 and p[4] == "drover lab user":
                return int(p[2])
    raise SystemExit("sshnode: no login user in %s/etc/passwd" % d)


def init_env(d, addr, opts):
    """Environment for INIT: SSHNODE_K8S_UID and SSHNODE_ADDR with k8s=on."""
    env = dict(os.environ)
    env.pop("SSHNODE_K8S_UID", None)
    if opts.get("k8s") == "on":
        env["SSHNODE_K8S_UID"] = str(_login_uid(d))
        env["SSHNODE_ADDR"] = addr
    return env


# With k8s=on (SSHNODE_K8S_UID set): overlays and the login user's folders.
K8S_ROOTFS = ('if [ -n "${SSHNODE_K8S_UID:-}" ]; then umask 022; '
              '  for m in etc usr/local var/lib opt; do n=$(echo "$m" | tr / -); '
              '    mkdir -p "$1/rootfs/$n/up" "$1/rootfs/$n/work"; '
              '    chmod --reference="/$m" "$1/rootfs/$n/up"; chown --reference="/$m" "$1/rootfs/$n/up"; '
              '    mount -t overlay overlay -o "lowerdir=/$m,upperdir=$1/rootfs/$n/up,workdir=$1/rootfs/$n/work" "/$m"; '
              '  done; '
              '  mkdir -p /etc/rancher /etc/systemd/system/multi-user.target.wants /var/lib/rancher '
              '    /usr/local/lib/systemd/system /usr/local/share /run/systemd /run/drover-lab; '
              '  chown "$SSHNODE_K8S_UID" /etc/rancher /etc/systemd/system /etc/systemd/system/multi-user.target.wants '
              '    /var/lib/rancher /usr/local /usr/local/lib /usr/local/lib/systemd /usr/local/lib/systemd/system '
              '    /usr/local/share /opt /run/systemd; '
              '  echo "$SSHNODE_ADDR" >/run/drover-lab/node-addr; '
              'fi; ')


# The node's init (PID 1 of its namespace, bash): mounts, then sshd with each
# phase's config until its trigger file appears; it ends the node (the
# kernel then kills every process in it) when sshd exits or the node's
# folder is deleted without `down`. It waits with bash's read -t on the
# FIFO DIR/tick (nothing ever writes it) rather than sleep(1), so an idle
# node forks nothing.
# Args: DIR SSHD CONFIG SUDO_BIN [PHASE_CONFIG TRIGGER|-]...
INIT = ('set -e; mount -t tmpfs -o mode=755 tmpfs /run; mkdir -m 755 /run/sshd; ' + K8S_ROOTFS +
        'mount --bind "$1/etc/passwd" /etc/passwd; '
        'mount --bind "$1/etc/group" /etc/group; '
        'if [ -n "$4" ]; then mount --bind "$4" /usr/local/bin; fi; '
        'exec 9<>"$1/tick"; '
        'sshd=$2; life=$3; shift 4; '
        'while [ $# -ge 2 ]; do '
        '  "$sshd" -D -e -f "$1" & s=$!; '
        '  if [ "$2" = - ]; then '
        '    while [ -e "$life" ] && kill -0 "$s" 2>/dev/null; do read -r -t 2 -u 9 _ || :; done; exit 0; fi; '
        '  while [ -e "$life" ] && kill -0 "$s" 2>/dev/null && [ ! -e "$2" ]; do read -r -t 0.2 -u 9 _ || :; done; '
        '  [ -e "$2" ] || exit 0; '
        '  kill "$s" 2>/dev/null || true; wait "$s" || true; shift 2; '
        'done')


def init_args(phases):
    out = []
    for cfg, trigger in phases:
        out += [cfg, trigger or "-"]
    return out
