package main

// k3s/rke2 server and agent: certificates, token, kubeconfig, the
// supervisor endpoints joiners use (/cacerts, /v1-<dist>/client-kubelet.crt,
// /v1-<dist>/server-bootstrap), node registration and status heartbeats.

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

const heartbeat = 10 * time.Second // the kubelet's nodeStatusUpdateFrequency

func writeBody(w http.ResponseWriter, v interface{}) { json.NewEncoder(w).Encode(v) }

// nodeAddr: the node's own address. A lab node's interfaces are the
// host's loopback, so the lab tells it (/run/drover-lab/node-addr, written
// by tests/lab/sshnode); node-ip overrides as on a real node.
func nodeAddr(o *options) string {
	if ips := o.list("node-ip"); len(ips) > 0 {
		return ips[0]
	}
	if b, err := ioutil.ReadFile("/run/drover-lab/node-addr"); err == nil {
		if a := strings.TrimSpace(string(b)); a != "" {
			return a
		}
	}
	return "127.0.0.1"
}

func nodeName(o *options) string {
	if n := o.get("node-name"); n != "" {
		return n
	}
	h, _ := os.Hostname()
	return h
}

func randHex(n int) string { return suffixHex(n) }

func suffixHex(n int) string {
	b := make([]byte, n)
	if _, err := readRand(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func caHash(caPEM []byte) string {
	h := sha256.Sum256(caPEM)
	return hex.EncodeToString(h[:])
}

// parseToken: "K10<sha256 of the CA bundle>::<user>:<password>" or a bare
// password (no CA pinning), as k3s's clientaccess does.
func parseToken(t string) (hash, user, pw string) {
	if strings.HasPrefix(t, "K10") {
		if i := strings.Index(t, "::"); i > 0 {
			hash = t[3:i]
			cred := t[i+2:]
			if j := strings.IndexByte(cred, ':'); j >= 0 {
				return hash, cred[:j], cred[j+1:]
			}
			return hash, "server", cred
		}
	}
	return "", "server", t
}

func notifyReady() {
	if f := os.Getenv("LAB_NOTIFY_READY"); f != "" {
		ioutil.WriteFile(f, []byte("READY=1\n"), 0644)
	}
}

type kubeconfig struct {
	APIVersion  string        `yaml:"apiVersion"`
	Clusters    []interface{} `yaml:"clusters"`
	Contexts    []interface{} `yaml:"contexts"`
	Current     string        `yaml:"current-context"`
	Kind        string        `yaml:"kind"`
	Preferences struct{}      `yaml:"preferences"`
	Users       []interface{} `yaml:"users"`
}

func writeKubeconfig(path, server string, caPEM, certPEM, keyPEM []byte, mode os.FileMode) error {
	b64 := func(b []byte) string { return encodeB64(b) }
	kc := kubeconfig{APIVersion: "v1", Kind: "Config", Current: "default",
		Clusters: []interface{}{map[string]interface{}{"name": "default", "cluster": map[string]string{
			"certificate-authority-data": b64(caPEM), "server": server}}},
		Contexts: []interface{}{map[string]interface{}{"name": "default", "context": map[string]string{
			"cluster": "default", "user": "default"}}},
		Users: []interface{}{map[string]interface{}{"name": "default", "user": map[string]string{
			"client-certificate-data": b64(certPEM), "client-key-data": b64(keyPEM)}}},
	}
	b, err := yaml.Marshal(&kc)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0755); err != nil {
		return err
	}
	return writeFileAtomic(path, b, mode)
}

type cluster struct {
	dist, data, addr, name string
	o                      *options
	serverCA, clientCA     *keyPair
	password               string
	st                     *store
}

func runServer(dist string, o *options) int {
	c := &cluster{dist: dist, o: o, data: o.get("data-dir"), addr: nodeAddr(o), name: nodeName(o)}
	setGrace(o)
	tlsDir := filepath.Join(c.data, "server", "tls")
	tok, err := o.token()
	if err != nil {
		return fatalf("%v", err)
	}
	joinURL := o.get("server")
	if joinURL != "" {
		if tok == "" {
			return fatalf("--token is required when joining a server")
		}
		if err := c.bootstrap(joinURL, tok, tlsDir); err != nil {
			return fatalf("failed to get CA certs from %s: %v", joinURL, err)
		}
	} else {
		if c.serverCA, err = caPair(tlsDir, "server-ca", dist+"-server-ca"); err != nil {
			return fatalf("%v", err)
		}
		if c.clientCA, err = caPair(tlsDir, "client-ca", dist+"-client-ca"); err != nil {
			return fatalf("%v", err)
		}
	}
	tokenFile := filepath.Join(c.data, "server", "token")
	if b, err := ioutil.ReadFile(tokenFile); err == nil {
		_, _, c.password = parseToken(strings.TrimSpace(string(b)))
	} else if tok != "" {
		_, _, c.password = parseToken(tok)
	} else {
		c.password = randHex(16)
	}
	full := "K10" + caHash(c.serverCA.certPEM) + "::server:" + c.password + "\n"
	for _, f := range []string{tokenFile, filepath.Join(c.data, "server", "node-token")} {
		if err := writeFileAtomic(f, []byte(full), 0600); err != nil {
			return fatalf("%v", err)
		}
	}
	dns := []string{"kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost", c.name}
	ips := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.43.0.1"), net.ParseIP(c.addr)}
	for _, s := range o.list("tls-san") {
		if ip := net.ParseIP(s); ip != nil {
			ips = append(ips, ip)
		} else {
			dns = append(dns, s)
		}
	}
	serving, err := issue(c.serverCA, "kube-apiserver", nil, true, dns, ips)
	if err != nil {
		return fatalf("%v", err)
	}
	admin, err := issue(c.clientCA, "system:admin", []string{"system:masters"}, false, nil, nil)
	if err != nil {
		return fatalf("%v", err)
	}
	savePair(tlsDir, "serving-kube-apiserver", serving)
	savePair(tlsDir, "client-admin", admin)
	kc := o.get("write-kubeconfig")
	if kc == "" {
		kc = "/etc/rancher/" + dist + "/" + dist + ".yaml"
	}
	mode := os.FileMode(0600)
	if m := o.get("write-kubeconfig-mode"); m != "" {
		v, err := strconv.ParseUint(m, 8, 32)
		if err != nil {
			return fatalf("invalid write-kubeconfig-mode %q", m)
		}
		mode = os.FileMode(v)
	}
	if err := writeKubeconfig(kc, "https://127.0.0.1:6443", c.serverCA.certPEM,
		append(append([]byte{}, admin.certPEM...), c.clientCA.certPEM...), admin.keyPEM, mode); err != nil {
		return fatalf("%v", err)
	}
	infof("Wrote kubeconfig %s", kc)
	if dist == "rke2" {
		c.rke2Kubectl()
	}
	c.st = newStore(dist, distVersion(dist), c.addr)
	c.st.password = c.password
	c.st.serverCA, c.st.clientCA = c.serverCA, c.clientCA
	var handler http.Handler = requestLog(c.st, filepath.Join(c.data, "server", "requests.log"))
	if joinURL != "" {
		handler = c.proxy(joinURL)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c.clientCA.cert)
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{serving.cert.Raw, c.serverCA.cert.Raw}, PrivateKey: serving.key}},
		ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	ports := []string{"6443"}
	if dist == "rke2" {
		ports = append(ports, "9345") // rke2's supervisor port
	}
	for _, p := range ports {
		ln, err := tls.Listen("tcp", net.JoinHostPort(c.addr, p), cfg)
		if err != nil {
			return fatalf("starting kubernetes: %v", err)
		}
		infof("Running kube-apiserver stand-in on https://%s:%s", c.addr, p)
		go http.Serve(ln, handler)
	}
	labels := map[string]string{"node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true"}
	if o.bools["cluster-init"] || joinURL != "" || dist == "rke2" {
		labels["node-role.kubernetes.io/etcd"] = "true"
	}
	c.applyManifests()
	n := c.nodeObject(labels)
	if joinURL != "" {
		go kubelet(dist, joinURL, tok, c.name, n)
	} else {
		c.st.mu.Lock()
		c.st.addNode(n, "")
		c.st.addPod("kube-system", "coredns-6799fbcd5-"+suffix(5), c.name, obj{"k8s-app": "kube-dns"},
			obj{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "coredns-6799fbcd5", "uid": uid(), "controller": true})
		c.st.mu.Unlock()
		go func() {
			for range time.Tick(heartbeat) {
				c.st.mu.Lock()
				if r, ok := c.st.nodes[c.name]; ok {
					r.hb = time.Now()
				}
				c.st.mu.Unlock()
			}
		}()
	}
	infof("%s is up and running", dist)
	notifyReady()
	select {}
}

// apiURL: the API server behind a join URL (rke2 joins on 9345, the API is 6443).
func apiURL(join string) string {
	u, err := url.Parse(join)
	if err != nil {
		return join
	}
	u.Host = net.JoinHostPort(u.Hostname(), "6443")
	return u.String()
}

func (c *cluster) nodeObject(roleLabels map[string]string) obj {
	labels := obj{"kubernetes.io/hostname": c.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
		"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": c.dist}
	for k, v := range roleLabels {
		labels[k] = v
	}
	for _, l := range c.o.list("node-label") {
		kv := strings.SplitN(l, "=", 2)
		if len(kv) == 2 {
			labels[kv[0]] = kv[1]
		}
	}
	var taints []interface{}
	for _, t := range c.o.list("node-taint") {
		kv, effect := t, "NoSchedule"
		if i := strings.LastIndexByte(t, ':'); i > 0 {
			kv, effect = t[:i], t[i+1:]
		}
		p := strings.SplitN(kv, "=", 2)
		tt := obj{"key": p[0], "effect": effect}
		if len(p) == 2 {
			tt["value"] = p[1]
		}
		taints = append(taints, tt)
	}
	addrs := []interface{}{obj{"type": "InternalIP", "address": c.addr}, obj{"type": "Hostname", "address": c.name}}
	for _, e := range c.o.list("node-external-ip") {
		addrs = append(addrs, obj{"type": "ExternalIP", "address": e})
	}
	spec := obj{"podCIDR": "10.42.0.0/24", "providerID": c.dist + "://" + c.name}
	if len(taints) > 0 {
		spec["taints"] = taints
	}
	runtime := "containerd://1.7.17-k3s1"
	if c.dist == "rke2" {
		runtime = "containerd://1.7.17-k3s1.27"
	}
	return c.cloudNode(obj{"kind": "Node", "apiVersion": "v1", "metadata": obj{"name": c.name, "labels": labels},
		"spec": spec,
		"status": obj{"addresses": addrs, "nodeInfo": obj{"kubeletVersion": distVersion(c.dist),
			"kubeProxyVersion": distVersion(c.dist), "containerRuntimeVersion": runtime,
			"operatingSystem": "linux", "architecture": "amd64", "osImage": "drover lab node"},
			"capacity": obj{"cpu": "2", "memory": "4026532Ki", "pods": "110"}}})
}

// rke2Kubectl: rke2 unpacks kubectl into <data-dir>/bin. The lab's is
// the machine's kubectl; it reaches this node's API server where the
// kubeconfig says 127.0.0.1 (a lab node's loopback is the host's).
func (c *cluster) rke2Kubectl() {
	dir := filepath.Join(c.data, "bin")
	os.MkdirAll(dir, 0755)
	script := fmt.Sprintf("#!/bin/sh\n# drover lab: rke2's kubectl (tests/lab/README)\nexec /usr/bin/kubectl --server https://%s:6443 \"$@\"\n", c.addr)
	writeFileAtomic(filepath.Join(dir, "kubectl"), []byte(script), 0755)
}

// runKubectl: `k3s kubectl`, with /etc/rancher/k3s/k3s.yaml unless KUBECONFIG says otherwise.
func runKubectl(dist string, args []string) int {
	kc := os.Getenv("KUBECONFIG")
	if kc == "" {
		kc = "/etc/rancher/" + dist + "/" + dist + ".yaml"
	}
	b, _ := ioutil.ReadFile("/run/drover-lab/node-addr")
	argv := []string{"kubectl", "--kubeconfig", kc}
	if a := strings.TrimSpace(string(b)); a != "" {
		argv = append(argv, "--server", "https://"+a+":6443")
	}
	err := syscall.Exec("/usr/bin/kubectl", append(argv, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "kubectl: %v\n", err)
	return 1
}
