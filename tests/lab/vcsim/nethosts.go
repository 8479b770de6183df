// Which hosts can reach which network, as vCenter keeps it, and clones that
// fail when the VM's host cannot reach a network its NICs are put on.
//
// vCenter's Network.host (inherited by distributed port groups) lists the
// hosts that have the network: for a standard port group the hosts whose
// vSwitch carries a port group of that name, for a distributed port group
// the members of its switch. govmomi's simulator keeps only the switch's
// side; syncNetworkHosts fills Network.host (and HostSystem.network, its
// inverse) for standard networks, at start-up and after every AddPortGroup.
//
// vCenter fails a clone whose spec puts a NIC on a distributed port group
// of a switch the VM's host is not a member of. The simulator refuses that
// device change inside CloneVM_Task, ignores the refusal and leaves the
// source's NIC in the clone. refuseUnreachableNICs answers such a
// CloneVM_Task (and ReconfigVM_Task) with a task that fails with
// InvalidArgument (spec.deviceChange.device.port.switchUuid), as vCenter
// does, before the simulator makes anything. The VM's host is the spec's
// host, else the source's (where the simulator leaves a clone); the
// simulator's own rule (every host of that host's compute resource a
// member) applies too, so a change it would drop is never made silently.
//
// Test hook: while <state>/drop-nic-changes exists, a CloneVM_Task's device
// changes are dropped before the simulator sees them and the clone keeps
// the source's NICs, as govmomi's simulator did on its own, so a test can
// show that drover reads the NICs back instead of trusting the clone
// (vcsim.log: "dropping the NIC changes of a clone").
package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io/ioutil"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// syncNetworkHosts makes every standard network's host list (and each
// host's network list) what vCenter would report.
func syncNetworkHosts() {
	has := map[types.ManagedObjectReference][]types.ManagedObjectReference{}
	for _, obj := range simulator.Map.All("HostSystem") {
		h, ok := obj.(*simulator.HostSystem)
		if !ok {
			continue
		}
		nets := append([]types.ManagedObjectReference{}, h.Network...)
		if ns, ok := simulator.Map.Get(*h.ConfigManager.NetworkSystem).(*simulator.HostNetworkSystem); ok &&
			ns.NetworkInfo != nil {
			for _, pg := range ns.NetworkInfo.Portgroup {
				for _, n := range simulator.Map.All("Network") {
					if n.(mo.Entity).Entity().Name == escapeName(pg.Spec.Name) {
						if simulator.FindReference(nets, n.Reference()) == nil {
							nets = append(nets, n.Reference())
						}
					}
				}
			}
		}
		for _, n := range nets {
			if n.Type == "Network" {
				has[n] = append(has[n], h.Reference())
			}
		}
		if len(nets) != len(h.Network) {
			simulator.Map.Update(h, []types.PropertyChange{{Name: "network", Val: nets}})
		}
	}
	for _, obj := range simulator.Map.All("Network") {
		n, ok := obj.(*mo.Network)
		if !ok {
			continue
		}
		simulator.Map.Update(n, []types.PropertyChange{{Name: "host", Val: has[n.Reference()]}})
	}
}

// deviceSwitches: the switch uuids of the distributed port backings in a
// request's device changes.
func deviceSwitches(body []byte) []string {
	d := xml.NewDecoder(bytes.NewReader(body))
	var out []string
	inChange, cur := 0, false
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "deviceChange" {
				inChange++
			}
			cur = inChange > 0 && t.Name.Local == "switchUuid"
		case xml.CharData:
			if cur {
				out = append(out, strings.TrimSpace(string(t)))
			}
		case xml.EndElement:
			if t.Name.Local == "deviceChange" {
				inChange--
			}
			cur = false
		}
	}
}

func switchByUUID(uuid string) *simulator.DistributedVirtualSwitch {
	for _, kind := range []string{"VmwareDistributedVirtualSwitch", "DistributedVirtualSwitch"} {
		for _, obj := range simulator.Map.All(kind) {
			if s, ok := obj.(*simulator.DistributedVirtualSwitch); ok && s.Uuid == uuid {
				return s
			}
		}
	}
	return nil
}

// unreachable: why the VM on host cannot have a NIC on a port group of the
// switch with uuid, or "".
func unreachable(uuid string, host types.ManagedObjectReference) string {
	s := switchByUUID(uuid)
	if s == nil {
		return fmt.Sprintf("no distributed switch with uuid %s", uuid)
	}
	need := []types.ManagedObjectReference{host}
	if h, ok := simulator.Map.Get(host).(*simulator.HostSystem); ok && h.Parent != nil {
		if cr, ok := simulator.Map.Get(*h.Parent).(*simulator.ClusterComputeResource); ok {
			need = append(need, cr.Host...)
		}
	}
	for _, n := range need {
		if simulator.FindReference(s.Summary.HostMember, n) == nil {
			name := n.Value
			if h, ok := simulator.Map.Get(n).(*simulator.HostSystem); ok {
				name = h.Name
			}
			return fmt.Sprintf("host %s is not a member of the distributed switch %s", name, s.Name)
		}
	}
	return ""
}

var deviceChangeRE = regexp.MustCompile(`(?s)<(\w+:)?deviceChange[\s>].*?</(\w+:)?deviceChange>`)

func nicReach(next http.Handler, state string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		method, vals := requestInfo(body, "_this", "host")
		switch method {
		case "AddPortGroup":
			next.ServeHTTP(w, r)
			syncNetworkHosts()
			return
		case "CloneVM_Task", "ReconfigVM_Task":
			if _, err := os.Stat(filepath.Join(state, "drop-nic-changes")); err == nil &&
				method == "CloneVM_Task" {
				log.Printf("dropping the NIC changes of a clone (drop-nic-changes)")
				body = deviceChangeRE.ReplaceAll(body, nil)
				r.Body = ioutil.NopCloser(bytes.NewReader(body))
				r.ContentLength = int64(len(body))
				next.ServeHTTP(w, r)
				return
			}
		default:
			next.ServeHTTP(w, r)
			return
		}
		switches := deviceSwitches(body)
		this := types.ManagedObjectReference{Type: "VirtualMachine", Value: strings.TrimSpace(vals["_this"])}
		vm, _ := simulator.Map.Get(this).(*simulator.VirtualMachine)
		if len(switches) == 0 || vm == nil || vm.Runtime.Host == nil {
			next.ServeHTTP(w, r)
			return
		}
		host := *vm.Runtime.Host
		if h := strings.TrimSpace(vals["host"]); method == "CloneVM_Task" && h != "" {
			host = types.ManagedObjectReference{Type: "HostSystem", Value: h}
		}
		for _, uuid := range switches {
			why := unreachable(uuid, host)
			if why == "" {
				continue
			}
			msg := fmt.Sprintf("%s: a NIC cannot be connected: %s", method, why)
			log.Printf("nic refused: %s", msg)
			fault := &types.InvalidArgument{InvalidProperty: "spec.deviceChange.device.port.switchUuid"}
			writeSOAP(w, http.StatusOK, taskReturn{
				XMLName:   xml.Name{Space: "urn:vim25", Local: method + "Response"},
				Returnval: failedTask(this, method, fault, msg),
			})
			return
		}
		next.ServeHTTP(w, r)
	})
}
