package main

// Options as the real k3s and rke2 take them: command-line flags and the
// keys of /etc/rancher/<dist>/config.yaml, which are the same flags without
// the dashes (k3s docs, "Configuration File"). An unknown key or flag stops
// the program the way urfave/cli does ("flag provided but not defined").

import (
	"fmt"
	"io/ioutil"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

type kind int

const (
	kString kind = iota
	kBool
	kSlice
)

// Flags both commands of both distributions take.
var commonFlags = map[string]kind{
	"config": kString, "debug": kBool, "v": kString, "data-dir": kString,
	"token": kString, "token-file": kString, "server": kString,
	"node-name": kString, "with-node-id": kBool, "node-ip": kSlice, "node-external-ip": kSlice,
	"node-label": kSlice, "node-taint": kSlice, "kubelet-arg": kSlice, "kube-proxy-arg": kSlice,
	"selinux": kBool, "protect-kernel-defaults": kBool, "private-registry": kString,
	"resolv-conf": kString, "container-runtime-endpoint": kString, "snapshotter": kString,
	"image-credential-provider-bin-dir": kString, "image-credential-provider-config": kString,
	"pause-image": kString, "airgap-extra-registry": kSlice, "lb-server-port": kString,
	"node-name-from-cloud-provider-metadata": kBool,
}

var serverFlags = map[string]kind{
	"cluster-init": kBool, "cluster-reset": kBool, "cluster-reset-restore-path": kString,
	"tls-san": kSlice, "tls-san-security": kBool, "bind-address": kString,
	"advertise-address": kString, "advertise-port": kString, "https-listen-port": kString,
	"write-kubeconfig": kString, "write-kubeconfig-mode": kString, "write-kubeconfig-group": kString,
	"agent-token": kString, "agent-token-file": kString, "cluster-cidr": kSlice,
	"service-cidr": kSlice, "service-node-port-range": kString, "cluster-dns": kSlice,
	"cluster-domain": kString, "egress-selector-mode": kString, "disable": kSlice,
	"disable-scheduler": kBool, "disable-cloud-controller": kBool,
	"disable-kube-proxy": kBool, "disable-apiserver": kBool, "disable-controller-manager": kBool,
	"disable-etcd": kBool, "kube-apiserver-arg": kSlice, "kube-controller-manager-arg": kSlice,
	"kube-scheduler-arg": kSlice, "kube-cloud-controller-manager-arg": kSlice, "etcd-arg": kSlice,
	"etcd-expose-metrics": kBool, "etcd-disable-snapshots": kBool,
	"etcd-snapshot-schedule-cron": kString, "etcd-snapshot-retention": kString,
	"etcd-snapshot-dir": kString, "etcd-s3": kBool, "secrets-encryption": kBool,
	"system-default-registry": kString, "embedded-registry": kBool, "supervisor-metrics": kBool,
	"datastore-endpoint": kString, "node-taint": kSlice, "kine-tls": kBool,
}

// Flags of one distribution only.
var k3sOnly = map[string]kind{
	"flannel-backend": kString, "flannel-ipv6-masq": kBool, "flannel-external-ip": kBool,
	"flannel-iface": kString, "flannel-conf": kString, "disable-network-policy": kBool,
	"disable-helm-controller": kBool, "default-local-storage-path": kString,
	"prefer-bundled-bin": kBool, "docker": kBool, "vpn-auth": kString, "disable-apiserver-lb": kBool,
}
var k3sServerOnly = map[string]kind{"servicelb-namespace": kString, "helm-job-image": kString}
var rke2Only = map[string]kind{
	"profile": kString, "audit-policy-file": kString, "cloud-provider-name": kString,
	"cloud-provider-config": kString, "runtime-image": kString, "kubelet-path": kString,
	"control-plane-resource-requests": kString, "control-plane-resource-limits": kString,
}
var rke2ServerOnly = map[string]kind{"cni": kSlice, "enable-servicelb": kBool, "ingress-controller": kSlice}

// agentRefuses: server flags the agent command does not define.
func flagKind(dist, cmd, name string) (kind, bool) {
	if k, ok := commonFlags[name]; ok {
		return k, true
	}
	if dist == "k3s" {
		if k, ok := k3sOnly[name]; ok {
			return k, true
		}
	} else if k, ok := rke2Only[name]; ok {
		return k, true
	}
	if cmd != "server" {
		return 0, false
	}
	if k, ok := serverFlags[name]; ok {
		return k, true
	}
	if dist == "k3s" {
		k, ok := k3sServerOnly[name]
		return k, ok
	}
	k, ok := rke2ServerOnly[name]
	return k, ok
}

// options: the merged command line and configuration file.
type options struct {
	str   map[string]string
	bools map[string]bool
	lists map[string][]string
	file  string
}

func (o *options) get(k string) string    { return o.str[k] }
func (o *options) list(k string) []string { return o.lists[k] }

func set(o *options, k kind, name string, v interface{}, where string) error {
	switch k {
	case kBool:
		switch x := v.(type) {
		case bool:
			o.bools[name] = x
		case string:
			switch strings.ToLower(x) {
			case "true", "1", "t":
				o.bools[name] = true
			case "false", "0", "f":
				o.bools[name] = false
			default:
				return fmt.Errorf("invalid boolean value %q for -%s: parse error (%s)", x, name, where)
			}
		default:
			return fmt.Errorf("invalid boolean value for -%s (%s)", name, where)
		}
	case kSlice:
		switch x := v.(type) {
		case []interface{}:
			for _, e := range x {
				s, ok := scalar(e)
				if !ok {
					return fmt.Errorf("-%s: a list of strings is required (%s)", name, where)
				}
				o.lists[name] = append(o.lists[name], s)
			}
		default:
			s, ok := scalar(x)
			if !ok {
				return fmt.Errorf("-%s: a string or a list is required (%s)", name, where)
			}
			o.lists[name] = append(o.lists[name], strings.Split(s, ",")...)
		}
	default:
		s, ok := scalar(v)
		if !ok {
			return fmt.Errorf("-%s: a string is required, not a list or mapping (%s)", name, where)
		}
		o.str[name] = s
	}
	return nil
}

func scalar(v interface{}) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int, int64, float64, bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

// loadOptions parses the flags, then the configuration file (flags win),
// then the environment variables the real ones read (K3S_URL, K3S_TOKEN...).
func loadOptions(dist, cmd string, args []string) (*options, error) {
	o := &options{str: map[string]string{}, bools: map[string]bool{}, lists: map[string][]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return nil, fmt.Errorf("unexpected argument %q", a)
		}
		name := strings.TrimLeft(a, "-")
		var val interface{}
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			name, val = name[:eq], name[eq+1:]
		}
		k, ok := flagKind(dist, cmd, name)
		if !ok {
			return nil, fmt.Errorf("flag provided but not defined: -%s", name)
		}
		if val == nil {
			if k == kBool {
				val = true
			} else if i+1 < len(args) {
				i++
				val = args[i]
			} else {
				return nil, fmt.Errorf("flag needs an argument: -%s", name)
			}
		}
		if err := set(o, k, name, val, "command line"); err != nil {
			return nil, err
		}
	}
	file := o.str["config"]
	if file == "" {
		file = os.Getenv(strings.ToUpper(dist) + "_CONFIG_FILE")
	}
	if file == "" {
		file = "/etc/rancher/" + dist + "/config.yaml"
	}
	o.file = file
	b, err := ioutil.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if err == nil {
		var doc map[string]interface{}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		keys := make([]string, 0, len(doc))
		for k := range doc {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, name := range keys {
			v := doc[name]
			base := strings.TrimSuffix(name, "+") // "key+": append to the flag's list
			k, ok := flagKind(dist, cmd, base)
			if !ok {
				return nil, fmt.Errorf("flag provided but not defined: -%s (%s)", base, file)
			}
			if _, given := o.str[base]; given && k == kString {
				continue
			}
			if err := set(o, k, base, v, file); err != nil {
				return nil, err
			}
		}
	}
	env := strings.ToUpper(dist) + "_"
	for flag, ev := range map[string]string{"server": "URL", "token": "TOKEN", "token-file": "TOKEN_FILE", "node-name": "NODE_NAME"} {
		if o.str[flag] == "" && os.Getenv(env+ev) != "" {
			o.str[flag] = os.Getenv(env + ev)
		}
	}
	if o.str["data-dir"] == "" {
		o.str["data-dir"] = "/var/lib/rancher/" + dist
	}
	return o, nil
}

// token: the token option or the token file's first line.
func (o *options) token() (string, error) {
	if t := o.get("token"); t != "" {
		return t, nil
	}
	if f := o.get("token-file"); f != "" {
		b, err := ioutil.ReadFile(f)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}
