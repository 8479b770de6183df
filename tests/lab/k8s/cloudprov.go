package main

// The cloud provider side of the stand-in (issue 14), as the real ones
// behave at their interfaces:
//
//   - The kubelet runs with the arguments the distribution gives it: every
//     kubelet-arg, and for rke2 with cloud-provider-name: rancher-vsphere
//     cloud-provider=external (docs.rke2.io, "Cloud Provider"). A kubelet
//     with cloud-provider=external registers its Node with the taint
//     node.cloudprovider.kubernetes.io/uninitialized and no providerID,
//     until a cloud controller initialises it (Kubernetes, "Cloud
//     Controller Manager Administration"). The lab runs no CPI, so the
//     taint stays: a test reads it as proof of the kubelet's flag.
//   - A server applies the manifests in <data-dir>/server/manifests at start
//     (docs.k3s.io, "Auto-Deploying Manifests"): each YAML document must
//     be an object (apiVersion, kind, metadata.name); a HelmChart needs
//     spec.chart and, for a chart by name, spec.repo, and a chart on
//     https://%{KUBERNETES_API}%/static/ must exist in <data-dir>/server/static;
//     a HelmChartConfig (rke2) configures a chart rke2 deploys, in
//     kube-system; valuesContent must be YAML. It logs what it applied and
//     what it could not, as the deploy controller does, and the API serves
//     what it applied: GET /apis/helm.cattle.io/v1/[namespaces/NS/]
//     helmcharts|helmchartconfigs[/NAME] (valuesContent, which holds
//     secrets, is left out of what it serves).
//   - `drover-k8s bundle --vsphere-charts` adds charts/rancher-vsphere-cpi.tgz
//     and charts/rancher-vsphere-csi.tgz (minimal Helm charts) to a k3s bundle.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// kubeletArgs: the kubelet's arguments as "name=value".
func kubeletArgs(dist string, o *options) []string {
	args := append([]string{}, o.list("kubelet-arg")...)
	if dist == "rke2" && o.get("cloud-provider-name") == "rancher-vsphere" {
		args = append(args, "cloud-provider=external")
	}
	return args
}

func externalCloud(args []string) bool {
	for _, a := range args {
		if strings.TrimLeft(a, "-") == "cloud-provider=external" {
			return true
		}
	}
	return false
}

// cloudNode: the Node as a kubelet with these arguments registers it.
func (c *cluster) cloudNode(n obj) obj {
	args := kubeletArgs(c.dist, c.o)
	infof("Running kubelet %s", strings.Join(append([]string{"--node-ip=" + c.addr}, prefixed(args)...), " "))
	if !externalCloud(args) {
		return n
	}
	spec := n["spec"].(obj)
	delete(spec, "providerID")
	taints, _ := spec["taints"].([]interface{})
	spec["taints"] = append(taints, obj{"key": "node.cloudprovider.kubernetes.io/uninitialized",
		"value": "true", "effect": "NoSchedule"})
	return n
}

func prefixed(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = "--" + strings.TrimLeft(a, "-")
	}
	return out
}

// rke2Charts: the charts rke2 deploys and a HelmChartConfig may configure.
func rke2Charts(o *options) map[string]bool {
	m := map[string]bool{"rke2-canal": true, "rke2-coredns": true, "rke2-ingress-nginx": true,
		"rke2-metrics-server": true, "rke2-snapshot-controller": true, "rke2-snapshot-controller-crd": true,
		"rke2-calico": true, "rke2-cilium": true, "rke2-multus": true, "rke2-flannel": true}
	if o.get("cloud-provider-name") == "rancher-vsphere" {
		m["rancher-vsphere-cpi"] = true
		m["rancher-vsphere-csi"] = true
	}
	return m
}

// applyManifests checks and "applies" every manifest file.
func (c *cluster) applyManifests() {
	dir := filepath.Join(c.data, "server", "manifests")
	files, _ := ioutil.ReadDir(dir)
	names := []string{}
	for _, f := range files {
		ext := filepath.Ext(f.Name())
		if f.Mode().IsRegular() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			names = append(names, f.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		objs, err := c.checkManifest(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "time=%q level=error msg=%q\n", nowRFC3339(),
				fmt.Sprintf("Failed to process manifest %s: %v", path, err))
			continue
		}
		for _, o := range objs {
			infof("Applied %s from %s", mstr(o, "metadata", "namespace")+"/"+mstr(o, "kind")+"/"+mstr(o, "metadata", "name"), path)
			if c.st != nil {
				c.st.mu.Lock()
				c.st.meta(o, mstr(o, "metadata", "namespace"), mstr(o, "metadata", "name"), nil)
				c.st.mu.Unlock()
			}
			helm.mu.Lock()
			helm.objs = append(helm.objs, o)
			helm.mu.Unlock()
		}
	}
}

// helm: the HelmCharts and HelmChartConfigs the server applied.
var helm struct {
	mu   sync.Mutex
	objs []obj
}

func (s *store) helmAPI(w http.ResponseWriter, r *http.Request, seg []string) {
	// apis helm.cattle.io v1 [namespaces NS] RESOURCE [NAME]
	ns, rest := "", seg[3:]
	if len(rest) >= 2 && rest[0] == "namespaces" {
		ns, rest = rest[1], rest[2:]
	}
	kinds := map[string]string{"helmcharts": "HelmChart", "helmchartconfigs": "HelmChartConfig"}
	if r.Method != "GET" || seg[2] != "v1" || len(rest) < 1 || len(rest) > 2 || kinds[rest[0]] == "" {
		status(w, 404, "NotFound", "the server could not find the requested resource")
		return
	}
	var items []obj
	helm.mu.Lock()
	for _, o := range helm.objs {
		if mstr(o, "kind") != kinds[rest[0]] || (ns != "" && mstr(o, "metadata", "namespace") != ns) {
			continue
		}
		v := obj{}
		for k, x := range o {
			v[k] = x
		}
		spec := obj{}
		if sp, ok := o["spec"].(obj); ok {
			for k, x := range sp {
				if k != "valuesContent" {
					spec[k] = x
				}
			}
		}
		v["spec"] = spec
		items = append(items, v)
	}
	helm.mu.Unlock()
	if len(rest) == 2 {
		for _, o := range items {
			if mstr(o, "metadata", "name") == rest[1] {
				writeJSON(w, 200, o)
				return
			}
		}
		notFound(w, rest[0]+".helm.cattle.io", rest[1])
		return
	}
	s.list(w, r, kinds[rest[0]], "helm.cattle.io/v1", items)
}

func (c *cluster) checkManifest(path string) ([]obj, error) {
	b, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []obj
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var doc obj
		if err := dec.Decode(&doc); err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if doc == nil {
			continue
		}
		api, _ := doc["apiVersion"].(string)
		kind, _ := doc["kind"].(string)
		md, _ := doc["metadata"].(obj)
		name, _ := md["name"].(string)
		ns, _ := md["namespace"].(string)
		if api == "" || kind == "" || name == "" {
			return nil, errors.New("an object needs apiVersion, kind and metadata.name")
		}
		if ns == "" {
			ns = "default"
		}
		spec, _ := doc["spec"].(obj)
		switch kind {
		case "HelmChart", "HelmChartConfig":
			if api != "helm.cattle.io/v1" {
				return nil, fmt.Errorf("no kind %q in %s", kind, api)
			}
			if c.dist == "k3s" && c.o.bools["disable-helm-controller"] {
				return nil, fmt.Errorf("%s %s: the helm controller is disabled", kind, name)
			}
			if v, ok := spec["valuesContent"]; ok {
				s, isStr := v.(string)
				var vals map[string]interface{}
				if !isStr || yaml.Unmarshal([]byte(s), &vals) != nil {
					return nil, fmt.Errorf("%s %s: valuesContent is not YAML", kind, name)
				}
			}
		}
		switch kind {
		case "HelmChart":
			chart, _ := spec["chart"].(string)
			repo, _ := spec["repo"].(string)
			const static = "https://%{KUBERNETES_API}%/static/"
			switch {
			case chart == "":
				return nil, fmt.Errorf("HelmChart %s: spec.chart is required", name)
			case strings.HasPrefix(chart, static):
				f := filepath.Join(c.data, "server", "static", filepath.FromSlash(chart[len(static):]))
				if _, err := os.Stat(f); err != nil {
					return nil, fmt.Errorf("HelmChart %s: chart %s: %v", name, chart, err)
				}
			case strings.Contains(chart, "://"):
			case repo == "":
				return nil, fmt.Errorf("HelmChart %s: chart %q needs spec.repo", name, chart)
			}
		case "HelmChartConfig":
			if c.dist != "rke2" && c.dist != "k3s" {
				break
			}
			if ns != "kube-system" {
				return nil, fmt.Errorf("HelmChartConfig %s: must be in kube-system, not %s", name, ns)
			}
			if c.dist == "rke2" && !rke2Charts(c.o)[name] {
				return nil, fmt.Errorf("HelmChartConfig %s: rke2 deploys no chart %s", name, name)
			}
		}
		md["namespace"] = ns
		out = append(out, doc)
	}
	return out, nil
}

// vsphereCharts: minimal Helm charts named as rancher/vsphere-charts names them.
func vsphereCharts(version string) ([]entry, error) {
	var out []entry
	for _, n := range []string{"rancher-vsphere-cpi", "rancher-vsphere-csi"} {
		chart := fmt.Sprintf("apiVersion: v1\nname: %s\nversion: %s\ndescription: drover lab stand-in\n", n, version)
		b, err := tarGz([]entry{{n + "/", 0755, nil}, {n + "/Chart.yaml", 0644, []byte(chart)},
			{n + "/values.yaml", 0644, []byte("vCenter: {}\n")}}, true)
		if err != nil {
			return nil, err
		}
		out = append(out, entry{"charts/" + n + ".tgz", 0644, b})
	}
	return append([]entry{{"charts/", 0755, nil}}, out...), nil
}
