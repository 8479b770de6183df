package main

// Request routing of the API stand-in: discovery, /version, health, and the
// resources api.go keeps.

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// shortNames as kube-apiserver lists them (kubectl resolves "pdb", "no"... through them).
var shortNames = map[string][]string{"namespaces": {"ns"}, "nodes": {"no"}, "pods": {"po"},
	"daemonsets": {"ds"}, "poddisruptionbudgets": {"pdb"}}

func res(name, kind string, namespaced bool, verbs ...string) obj {
	r := obj{"name": name, "singularName": strings.ToLower(kind), "namespaced": namespaced, "kind": kind, "verbs": verbs}
	if sn, ok := shortNames[name]; ok {
		r["shortNames"] = sn
	}
	if strings.Contains(name, "/") {
		r["singularName"] = ""
	}
	return r
}

// withGroup: a subresource served in another group (pods/eviction is
// policy/v1's Eviction; kubectl drain evicts only when discovery says so,
// and otherwise deletes pods).
func withGroup(r obj, group, version string) obj {
	r["group"], r["version"] = group, version
	return r
}

func (s *store) discovery(w http.ResponseWriter, path string) bool {
	switch path {
	case "/api":
		writeJSON(w, 200, obj{"kind": "APIVersions", "versions": []string{"v1"},
			"serverAddressByClientCIDRs": []interface{}{obj{"clientCIDR": "0.0.0.0/0", "serverAddress": s.addr + ":6443"}}})
	case "/api/v1":
		writeJSON(w, 200, obj{"kind": "APIResourceList", "groupVersion": "v1", "resources": []interface{}{
			res("namespaces", "Namespace", false, "get", "list"),
			res("nodes", "Node", false, "create", "delete", "get", "list", "patch", "update"),
			res("nodes/status", "Node", false, "get", "patch", "update"),
			res("pods", "Pod", true, "create", "delete", "get", "list"),
			withGroup(res("pods/eviction", "Eviction", true, "create"), "policy", "v1"),
		}})
	case "/apis":
		g := func(name string) obj {
			gv := obj{"groupVersion": name + "/v1", "version": "v1"}
			return obj{"name": name, "versions": []interface{}{gv}, "preferredVersion": gv}
		}
		writeJSON(w, 200, obj{"kind": "APIGroupList", "apiVersion": "v1", "groups": []interface{}{g("apps"), g("policy")}})
	case "/apis/apps/v1":
		writeJSON(w, 200, obj{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1", "resources": []interface{}{
			res("daemonsets", "DaemonSet", true, "get", "list")}})
	case "/apis/policy/v1":
		writeJSON(w, 200, obj{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "policy/v1", "resources": []interface{}{
			res("poddisruptionbudgets", "PodDisruptionBudget", true, "create", "delete", "get", "list")}})
	default:
		return false
	}
	return true
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.supervisor(w, r) {
		return
	}
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
		status(w, 401, "Unauthorized", "Unauthorized")
		return
	}
	user := r.TLS.VerifiedChains[0][0].Subject.CommonName
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch path {
	case "/readyz", "/livez", "/healthz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if r.URL.Query().Has("verbose") {
			fmt.Fprintf(w, "[+]ping ok\n[+]etcd ok\n%s check passed\n", strings.TrimPrefix(path, "/"))
			return
		}
		fmt.Fprint(w, "ok")
		return
	case "/version":
		v := s.version
		minor := strings.SplitN(strings.TrimPrefix(v, "v1."), ".", 2)[0]
		writeJSON(w, 200, obj{"major": "1", "minor": minor, "gitVersion": v, "gitCommit": gitCommit,
			"gitTreeState": "clean", "buildDate": "2024-07-16T00:00:00Z", "goVersion": "go1.22.5",
			"compiler": "gc", "platform": "linux/amd64"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method == "GET" && s.discovery(w, path) {
		return
	}
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(seg) >= 3 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "nodes":
		s.nodesAPI(w, r, seg[3:], user)
	case len(seg) == 3 && seg[0] == "api" && seg[2] == "pods":
		s.podsAPI(w, r, "", nil)
	case len(seg) == 3 && seg[0] == "api" && seg[2] == "namespaces":
		var items []obj
		for _, n := range []string{"default", "kube-node-lease", "kube-public", "kube-system"} {
			items = append(items, obj{"kind": "Namespace", "apiVersion": "v1", "metadata": obj{"name": n}, "status": obj{"phase": "Active"}})
		}
		s.list(w, r, "Namespace", "v1", items)
	case len(seg) >= 5 && seg[0] == "api" && seg[2] == "namespaces" && seg[4] == "pods":
		s.podsAPI(w, r, seg[3], seg[5:])
	case len(seg) >= 4 && seg[0] == "apis" && seg[1] == "apps" && (seg[3] == "daemonsets" || len(seg) >= 6 && seg[5] == "daemonsets"):
		var items []obj
		for k, d := range s.ds {
			if len(seg) >= 6 && !strings.HasPrefix(k, seg[4]+"/") {
				continue
			}
			if len(seg) == 7 && k == seg[4]+"/"+seg[6] {
				one(w, r, "DaemonSet", d)
				return
			}
			items = append(items, d)
		}
		if len(seg) == 7 {
			notFound(w, "daemonsets.apps", seg[6])
			return
		}
		s.list(w, r, "DaemonSet", "apps/v1", items)
	case len(seg) >= 4 && seg[0] == "apis" && seg[1] == "policy":
		s.pdbAPI(w, r, seg)
	case len(seg) >= 4 && seg[0] == "apis" && seg[1] == "helm.cattle.io":
		s.helmAPI(w, r, seg) // cloudprov.go
	default:
		status(w, 404, "NotFound", "the server could not find the requested resource")
	}
}

func (s *store) nodesAPI(w http.ResponseWriter, r *http.Request, rest []string, user string) {
	if len(rest) == 0 {
		switch r.Method {
		case "GET":
			var items []obj
			for _, n := range s.nodes {
				items = append(items, s.nodeView(n))
			}
			s.list(w, r, "Node", "v1", items)
		case "POST":
			n, err := readBody(r)
			if err != nil || mstr(n, "metadata", "name") == "" {
				status(w, 400, "BadRequest", "a Node with a name is required")
				return
			}
			name := mstr(n, "metadata", "name")
			if _, ok := s.nodes[name]; ok {
				status(w, 409, "AlreadyExists", fmt.Sprintf("nodes %q already exists", name))
				return
			}
			if _, ok := mget(n, "metadata", "labels").(obj); !ok {
				n["metadata"].(obj)["labels"] = obj{}
			}
			s.addNode(n, "")
			writeJSON(w, 201, s.nodeView(s.nodes[name]))
		default:
			status(w, 405, "MethodNotAllowed", "method not allowed")
		}
		return
	}
	name := rest[0]
	n, ok := s.nodes[name]
	if !ok {
		notFound(w, "nodes", name)
		return
	}
	sub := ""
	if len(rest) > 1 {
		sub = rest[1]
	}
	switch {
	case r.Method == "GET":
		one(w, r, "Node", s.nodeView(n))
	case r.Method == "PATCH":
		p, err := readBody(r)
		if err != nil {
			status(w, 400, "BadRequest", "the patch is not a JSON object (merge or strategic merge patch)")
			return
		}
		if sub == "status" {
			n.hb = time.Now() // the kubelet posting its status
			delete(p, "spec")
			delete(p, "metadata")
		} else {
			delete(p, "status")
		}
		mergePatch(n.o, p)
		s.rv++
		n.o["metadata"].(obj)["resourceVersion"] = fmt.Sprint(s.rv)
		one(w, r, "Node", s.nodeView(n))
	case r.Method == "DELETE" && sub == "":
		v := s.nodeView(n)
		delete(s.nodes, name)
		// k3s deletes the node's password (its <name>.node-password.k3s
		// Secret) with the Node, so a new machine of that name can join
		// (k3s PR #2407; rke2 embeds the same logic).
		delete(s.nodePW, name)
		for k, p := range s.pods { // the pod garbage collector: pods bound to a gone node
			if mstr(p, "spec", "nodeName") == name {
				delete(s.pods, k)
			}
		}
		writeJSON(w, 200, v)
	default:
		status(w, 405, "MethodNotAllowed", "method not allowed")
	}
}

func (s *store) podsAPI(w http.ResponseWriter, r *http.Request, ns string, rest []string) {
	if len(rest) == 0 {
		switch r.Method {
		case "GET":
			var items []obj
			for k, p := range s.pods {
				if ns == "" || strings.HasPrefix(k, ns+"/") {
					items = append(items, p)
				}
			}
			s.list(w, r, "Pod", "v1", items)
		case "POST":
			p, err := readBody(r)
			name := mstr(p, "metadata", "name")
			if err != nil || name == "" {
				status(w, 400, "BadRequest", "a Pod with a name is required")
				return
			}
			if _, ok := s.pods[ns+"/"+name]; ok {
				status(w, 409, "AlreadyExists", fmt.Sprintf("pods %q already exists", name))
				return
			}
			labels, _ := mget(p, "metadata", "labels").(obj)
			var owner obj
			if refs, _ := mget(p, "metadata", "ownerReferences").([]interface{}); len(refs) > 0 {
				owner, _ = refs[0].(obj)
			}
			writeJSON(w, 201, s.addPod(ns, name, mstr(p, "spec", "nodeName"), labels, owner))
		default:
			status(w, 405, "MethodNotAllowed", "method not allowed")
		}
		return
	}
	key := ns + "/" + rest[0]
	p, ok := s.pods[key]
	if !ok {
		notFound(w, "pods", rest[0])
		return
	}
	switch {
	case len(rest) == 1 && r.Method == "GET":
		one(w, r, "Pod", p)
	case len(rest) == 1 && r.Method == "DELETE":
		delete(s.pods, key)
		writeJSON(w, 200, p)
	case len(rest) == 2 && rest[1] == "eviction" && r.Method == "POST":
		if pdb := s.blockingPDB(p); pdb != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(429)
			writeBody(w, obj{"kind": "Status", "apiVersion": "v1", "metadata": obj{}, "status": "Failure",
				"message": "Cannot evict pod as it would violate the pod's disruption budget.",
				"reason":  "TooManyRequests", "code": 429,
				"details": obj{"causes": []interface{}{obj{"reason": "DisruptionBudget",
					"message": fmt.Sprintf("The disruption budget %s needs 1 healthy pods and has 1 currently", pdb)}}}})
			return
		}
		delete(s.pods, key)
		status(w, 201, "", "")
	default:
		status(w, 405, "MethodNotAllowed", "method not allowed")
	}
}

// blockingPDB: the name of a PodDisruptionBudget that allows no disruption
// of pod p (maxUnavailable 0, or minAvailable not below the pods it selects).
func (s *store) blockingPDB(p obj) string {
	ns := mstr(p, "metadata", "namespace")
	for k, b := range s.pdbs {
		if !strings.HasPrefix(k, ns+"/") {
			continue
		}
		ml, _ := mget(b, "spec", "selector", "matchLabels").(obj)
		var terms []string
		for lk, lv := range ml {
			terms = append(terms, fmt.Sprintf("%s=%v", lk, lv))
		}
		if len(terms) == 0 || !selects(p, strings.Join(terms, ",")) {
			continue
		}
		selected := 0
		for pk, q := range s.pods {
			if strings.HasPrefix(pk, ns+"/") && selects(q, strings.Join(terms, ",")) {
				selected++
			}
		}
		if mu := mget(b, "spec", "maxUnavailable"); mu != nil && fmt.Sprint(mu) == "0" {
			return mstr(b, "metadata", "name")
		}
		if ma, ok := mget(b, "spec", "minAvailable").(float64); ok && int(ma) >= selected {
			return mstr(b, "metadata", "name")
		}
	}
	return ""
}

func (s *store) pdbAPI(w http.ResponseWriter, r *http.Request, seg []string) {
	// /apis/policy/v1/poddisruptionbudgets or .../namespaces/NS/poddisruptionbudgets[/NAME]
	if len(seg) == 4 && seg[3] == "poddisruptionbudgets" && r.Method == "GET" {
		var items []obj
		for _, b := range s.pdbs {
			items = append(items, b)
		}
		s.list(w, r, "PodDisruptionBudget", "policy/v1", items)
		return
	}
	if len(seg) < 6 || seg[3] != "namespaces" || seg[5] != "poddisruptionbudgets" {
		status(w, 404, "NotFound", "the server could not find the requested resource")
		return
	}
	ns := seg[4]
	if len(seg) == 6 {
		switch r.Method {
		case "GET":
			var items []obj
			for k, b := range s.pdbs {
				if strings.HasPrefix(k, ns+"/") {
					items = append(items, b)
				}
			}
			s.list(w, r, "PodDisruptionBudget", "policy/v1", items)
		case "POST":
			b, err := readBody(r)
			name := mstr(b, "metadata", "name")
			if err != nil || name == "" {
				status(w, 400, "BadRequest", "a PodDisruptionBudget with a name is required")
				return
			}
			labels, _ := mget(b, "metadata", "labels").(obj)
			spec, _ := b["spec"].(obj)
			pdb := s.meta(obj{"kind": "PodDisruptionBudget", "apiVersion": "policy/v1", "spec": spec, "status": obj{}}, ns, name, labels)
			s.pdbs[ns+"/"+name] = pdb
			writeJSON(w, 201, pdb)
		default:
			status(w, 405, "MethodNotAllowed", "method not allowed")
		}
		return
	}
	key := ns + "/" + seg[6]
	b, ok := s.pdbs[key]
	if !ok {
		notFound(w, "poddisruptionbudgets.policy", seg[6])
		return
	}
	switch r.Method {
	case "GET":
		one(w, r, "PodDisruptionBudget", b)
	case "DELETE":
		delete(s.pdbs, key)
		status(w, 200, "", "")
	default:
		status(w, 405, "MethodNotAllowed", "method not allowed")
	}
}
