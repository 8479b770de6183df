package main

// The Kubernetes API stand-in: what drover and kubectl use, answered as a
// kube-apiserver answers (JSON, metav1.Status errors, Table for kubectl's
// server-side printing). Every request needs a client certificate signed by
// the cluster's client CA (k3s runs the API server with anonymous auth off).
//
// Nodes are Ready while their kubelet (the server itself, or an agent)
// posts status; 40 s without (kube-controller-manager's default
// node-monitor-grace-period) turns Ready to Unknown. Each node runs a pod of
// the DaemonSet kube-system/lab-node-agent; the first server also runs
// coredns (a ReplicaSet's pod). Pods can be created with spec.nodeName,
// evicted (policy/v1 Eviction) and deleted; a PodDisruptionBudget
// (policy/v1, matchLabels, maxUnavailable 0 or minAvailable) makes the
// eviction of a pod it selects answer 429 as the real one does.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type obj = map[string]interface{}

// graceperiod: kube-controller-manager's --node-monitor-grace-period (grace.go).
var graceperiod = 40 * time.Second

type nodeRec struct {
	o        obj
	hb       time.Time
	password string
}

type store struct {
	mu      sync.Mutex
	dist    string
	version string
	addr    string
	rv      int
	nodes   map[string]*nodeRec
	pods    map[string]obj // "ns/name"
	ds      map[string]obj
	pdbs    map[string]obj

	password           string // the join token's password
	nodePW             map[string]string
	serverCA, clientCA *keyPair
}

func newStore(dist, version, addr string) *store {
	s := &store{dist: dist, version: version, addr: addr, nodes: map[string]*nodeRec{},
		pods: map[string]obj{}, ds: map[string]obj{}, pdbs: map[string]obj{}, nodePW: map[string]string{}}
	s.ds["kube-system/lab-node-agent"] = s.meta(obj{"kind": "DaemonSet", "apiVersion": "apps/v1",
		"spec":   obj{"selector": obj{"matchLabels": obj{"app": "lab-node-agent"}}},
		"status": obj{}}, "kube-system", "lab-node-agent", obj{"app": "lab-node-agent"})
	return s
}

func nowRFC3339() string { return time.Now().UTC().Format(time.RFC3339) }

func uid() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func suffix(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	const al = "bcdfghjklmnpqrstvwxz2456789"
	for i := range b {
		b[i] = al[int(b[i])%len(al)]
	}
	return string(b)
}

// meta fills metadata (caller holds mu or is constructing).
func (s *store) meta(o obj, ns, name string, labels obj) obj {
	s.rv++
	m := obj{"name": name, "uid": uid(), "resourceVersion": strconv.Itoa(s.rv),
		"creationTimestamp": nowRFC3339()}
	if ns != "" {
		m["namespace"] = ns
	}
	if labels != nil {
		m["labels"] = labels
	}
	o["metadata"] = m
	return o
}

func mget(o obj, path ...string) interface{} {
	var cur interface{} = o
	for _, p := range path {
		m, ok := cur.(obj)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func mstr(o obj, path ...string) string {
	s, _ := mget(o, path...).(string)
	return s
}

// addNode registers a Node as the kubelet does (caller holds mu), with its
// DaemonSet pod. An existing node is kept (a restarted kubelet).
func (s *store) addNode(n obj, password string) {
	name := mstr(n, "metadata", "name")
	if r, ok := s.nodes[name]; ok {
		r.hb = time.Now()
		return
	}
	s.meta(n, "", name, mget(n, "metadata", "labels").(obj))
	s.nodes[name] = &nodeRec{o: n, hb: time.Now(), password: password}
	s.addPod("kube-system", "lab-node-agent-"+suffix(5), name, obj{"app": "lab-node-agent"},
		obj{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "lab-node-agent",
			"uid": mstr(s.ds["kube-system/lab-node-agent"], "metadata", "uid"), "controller": true, "blockOwnerDeletion": true})
}

func (s *store) addPod(ns, name, node string, labels obj, owner obj) obj {
	p := obj{"kind": "Pod", "apiVersion": "v1",
		"spec":   obj{"nodeName": node, "containers": []interface{}{obj{"name": "main", "image": "registry.lab/pause:3.9"}}},
		"status": obj{"phase": "Running", "conditions": []interface{}{obj{"type": "Ready", "status": "True"}}}}
	s.meta(p, ns, name, labels)
	if owner != nil {
		p["metadata"].(obj)["ownerReferences"] = []interface{}{owner}
	}
	s.pods[ns+"/"+name] = p
	return p
}

// nodeView: the node with its conditions as of now.
func (s *store) nodeView(r *nodeRec) obj {
	b, _ := json.Marshal(r.o)
	var n obj
	json.Unmarshal(b, &n)
	hb := r.hb.UTC().Format(time.RFC3339)
	ready := obj{"type": "Ready", "status": "True", "reason": "KubeletReady",
		"message": "kubelet is posting ready status", "lastHeartbeatTime": hb, "lastTransitionTime": mstr(n, "metadata", "creationTimestamp")}
	if time.Since(r.hb) > graceperiod {
		ready = obj{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
			"message": "Kubelet stopped posting node status.", "lastHeartbeatTime": hb,
			"lastTransitionTime": r.hb.Add(graceperiod).UTC().Format(time.RFC3339)}
	}
	conds := []interface{}{}
	for _, c := range []string{"MemoryPressure", "DiskPressure", "PIDPressure"} {
		conds = append(conds, obj{"type": c, "status": "False", "lastHeartbeatTime": hb, "reason": "KubeletHasSufficient" + strings.TrimSuffix(c, "Pressure")})
	}
	n["status"].(obj)["conditions"] = append(conds, ready)
	return n
}

func status(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	st := "Failure"
	if code < 300 {
		st = "Success"
	}
	json.NewEncoder(w).Encode(obj{"kind": "Status", "apiVersion": "v1", "metadata": obj{},
		"status": st, "message": msg, "reason": reason, "code": code})
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter, kind, name string) {
	status(w, 404, "NotFound", fmt.Sprintf("%s %q not found", kind, name))
}

// mergePatch applies an RFC 7386 JSON merge patch (also used for the
// strategic merge patches kubectl cordon sends, which for scalar fields are
// the same thing).
func mergePatch(dst obj, patch obj) {
	for k, v := range patch {
		if v == nil {
			delete(dst, k)
			continue
		}
		if pm, ok := v.(obj); ok {
			dm, ok := dst[k].(obj)
			if !ok {
				dm = obj{}
				dst[k] = dm
			}
			mergePatch(dm, pm)
			continue
		}
		dst[k] = v
	}
}

func readBody(r *http.Request) (obj, error) {
	b, err := ioutil.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var o obj
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, err
	}
	return o, nil
}

func selects(o obj, labelSel string) bool {
	if labelSel == "" {
		return true
	}
	labels, _ := mget(o, "metadata", "labels").(obj)
	for _, term := range strings.Split(labelSel, ",") {
		kv := strings.SplitN(term, "=", 2)
		if len(kv) == 2 {
			if v, _ := labels[strings.TrimSuffix(kv[0], "=")].(string); v != strings.TrimPrefix(kv[1], "=") {
				return false
			}
		} else if _, ok := labels[kv[0]]; !ok {
			return false
		}
	}
	return true
}

func (s *store) list(w http.ResponseWriter, r *http.Request, kind, apiVersion string, items []obj) {
	sort.Slice(items, func(i, j int) bool {
		return mstr(items[i], "metadata", "namespace")+"/"+mstr(items[i], "metadata", "name") <
			mstr(items[j], "metadata", "namespace")+"/"+mstr(items[j], "metadata", "name")
	})
	q := r.URL.Query()
	out := []interface{}{}
	for _, it := range items {
		if !selects(it, q.Get("labelSelector")) {
			continue
		}
		if fs := q.Get("fieldSelector"); fs != "" && !fieldSelects(it, fs) {
			continue
		}
		out = append(out, it)
	}
	if strings.Contains(r.Header.Get("Accept"), "as=Table") {
		writeJSON(w, 200, table(kind, out))
		return
	}
	writeJSON(w, 200, obj{"kind": kind + "List", "apiVersion": apiVersion,
		"metadata": obj{"resourceVersion": strconv.Itoa(s.rv)}, "items": out})
}

func fieldSelects(o obj, fs string) bool {
	for _, term := range strings.Split(fs, ",") {
		neg := strings.Contains(term, "!=")
		kv := strings.SplitN(strings.Replace(strings.Replace(term, "!=", "=", 1), "==", "=", 1), "=", 2)
		if len(kv) != 2 {
			return false
		}
		var got string
		switch kv[0] {
		case "spec.nodeName":
			got = mstr(o, "spec", "nodeName")
		case "metadata.name":
			got = mstr(o, "metadata", "name")
		case "metadata.namespace":
			got = mstr(o, "metadata", "namespace")
		case "status.phase":
			got = mstr(o, "status", "phase")
		default:
			return false
		}
		if (got == kv[1]) == neg {
			return false
		}
	}
	return true
}

func age(o obj) string {
	t, err := time.Parse(time.RFC3339, mstr(o, "metadata", "creationTimestamp"))
	if err != nil {
		return "<unknown>"
	}
	d := time.Since(t)
	switch {
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh", int(d.Hours()))
}

// table: the meta.k8s.io/v1 Table kubectl prints (the columns kube-apiserver's
// printers give nodes and pods; anything else gets Name and Age).
func table(kind string, items []interface{}) obj {
	col := func(n, t string, prio int) obj {
		return obj{"name": n, "type": t, "format": "", "description": n, "priority": prio}
	}
	var cols []interface{}
	rows := []interface{}{}
	switch kind {
	case "Node":
		cols = []interface{}{col("Name", "string", 0), col("Status", "string", 0), col("Roles", "string", 0),
			col("Age", "string", 0), col("Version", "string", 0), col("Internal-IP", "string", 1), col("External-IP", "string", 1)}
	case "Pod":
		cols = []interface{}{col("Name", "string", 0), col("Ready", "string", 0), col("Status", "string", 0),
			col("Restarts", "string", 0), col("Age", "string", 0), col("Node", "string", 1)}
	default:
		cols = []interface{}{col("Name", "string", 0), col("Age", "string", 0)}
	}
	for _, it := range items {
		o := it.(obj)
		name := mstr(o, "metadata", "name")
		var cells []interface{}
		switch kind {
		case "Node":
			st := "Unknown"
			conds, _ := mget(o, "status", "conditions").([]interface{})
			for _, c := range conds {
				if cm := c.(obj); cm["type"] == "Ready" {
					switch cm["status"] {
					case "True":
						st = "Ready"
					case "False":
						st = "NotReady"
					default:
						st = "NotReady"
					}
				}
			}
			if u, _ := mget(o, "spec", "unschedulable").(bool); u {
				st += ",SchedulingDisabled"
			}
			var roles []string
			labels, _ := mget(o, "metadata", "labels").(obj)
			for k := range labels {
				if strings.HasPrefix(k, "node-role.kubernetes.io/") {
					roles = append(roles, strings.TrimPrefix(k, "node-role.kubernetes.io/"))
				}
			}
			sort.Strings(roles)
			r := "<none>"
			if len(roles) > 0 {
				r = strings.Join(roles, ",")
			}
			in, ex := "<none>", "<none>"
			addrs, _ := mget(o, "status", "addresses").([]interface{})
			for _, a := range addrs {
				am := a.(obj)
				if am["type"] == "InternalIP" {
					in = am["address"].(string)
				} else if am["type"] == "ExternalIP" {
					ex = am["address"].(string)
				}
			}
			cells = []interface{}{name, st, r, age(o), mstr(o, "status", "nodeInfo", "kubeletVersion"), in, ex}
		case "Pod":
			cells = []interface{}{name, "1/1", mstr(o, "status", "phase"), "0", age(o), mstr(o, "spec", "nodeName")}
		default:
			cells = []interface{}{name, age(o)}
		}
		m, _ := o["metadata"].(obj)
		rows = append(rows, obj{"cells": cells, "object": obj{"kind": "PartialObjectMetadata",
			"apiVersion": "meta.k8s.io/v1", "metadata": m}})
	}
	return obj{"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": obj{}, "columnDefinitions": cols, "rows": rows}
}

func one(w http.ResponseWriter, r *http.Request, kind string, o obj) {
	if strings.Contains(r.Header.Get("Accept"), "as=Table") {
		writeJSON(w, 200, table(kind, []interface{}{o}))
		return
	}
	writeJSON(w, 200, o)
}
