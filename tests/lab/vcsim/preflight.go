// What drover's preflight tests need from the lab (issue 11):
//
//   - The lab's template looks like a real Linux template: VMware Tools
//     installed (not running, as in any powered-off VM) and a Linux guest
//     OS id. govmomi's simulator gives every VM "toolsNotInstalled" and
//     "otherGuest".
//   - The control file <state>/lab-facts (written by `lab facts`, re-read
//     whenever it changes) sets what vCenter reports but an API client cannot
//     change, one item a line:
//
//     datastore NAME capacity=GIB free=GIB   a datastore's size and free space
//     vm NAME tools=none|installed guest=ID  a VM's Tools and guest OS id
//     vm NAME nics=0                         remove a VM's NICs
//     deny PRIVILEGE [NAME]                  the user lacks PRIVILEGE (on the
//     entity called NAME, or everywhere)
//
//     A datastore or VM line is applied once (when the file changes); a
//     line removed later does not undo it. deny lines are the whole list.
//   - AuthorizationManager.HasPrivilegeOnEntities, HasUserPrivilegeOnEntities
//     and FetchUserPrivilegeOnEntities answer from that list (govmomi's
//     simulator grants everything to everyone). A privilege denied on an
//     entity is denied on everything below it, as a propagated role would.
//   - Like vCenter, the operations drover runs check their privilege and
//     fail with a NoPermission fault when it is denied: CloneVM_Task (Clone
//     or DeployTemplate on the source, CreateFromExisting on the folder,
//     AssignVMToPool on the pool, AllocateSpace on the datastore),
//     ReconfigVM_Task (AdvancedConfig), PowerOnVM_Task, PowerOffVM_Task and a
//     VM's Destroy_Task (Inventory.Delete).
package main

import (
	"bufio"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type denial struct {
	priv   string
	entity string // "" everywhere
	user   string // "" every user (users.go)
}

type labFacts struct {
	path  string
	mu    sync.Mutex
	mtime time.Time
	size  int64
	deny  []denial
}

var facts *labFacts

// templateLikeVCenter gives the lab's template what a real Linux template
// reports: Tools installed but not running, a Linux guest OS.
func templateLikeVCenter(name string) {
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm, ok := e.(*simulator.VirtualMachine)
		if !ok || vm.Name != name {
			continue
		}
		simulator.Map.WithLock(vm, func() {
			setTools(vm, true)
			setGuest(vm, "ubuntu64Guest")
		})
	}
}

func setTools(vm *simulator.VirtualMachine, installed bool) {
	if vm.Guest == nil {
		vm.Guest = &types.GuestInfo{}
	}
	if vm.Config.Tools == nil {
		vm.Config.Tools = &types.ToolsConfigInfo{}
	}
	if installed {
		vm.Guest.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
		vm.Guest.ToolsVersion = "12352"
		vm.Config.Tools.ToolsVersion = 12352
	} else {
		vm.Guest.ToolsStatus = types.VirtualMachineToolsStatusToolsNotInstalled
		vm.Guest.ToolsVersion = "0"
		vm.Config.Tools.ToolsVersion = 0
	}
	if vm.Summary.Guest != nil {
		vm.Summary.Guest.ToolsStatus = vm.Guest.ToolsStatus
	}
}

func setGuest(vm *simulator.VirtualMachine, id string) {
	full := id
	switch {
	case strings.HasPrefix(id, "ubuntu"):
		full = "Ubuntu Linux (64-bit)"
	case strings.HasPrefix(id, "windows"):
		full = "Microsoft Windows Server 2019 (64-bit)"
	}
	vm.Config.GuestId = id
	vm.Config.GuestFullName = full
	vm.Summary.Config.GuestId = id
	vm.Summary.Config.GuestFullName = full
	if vm.Summary.Guest != nil {
		vm.Summary.Guest.GuestId = id
		vm.Summary.Guest.GuestFullName = full
	}
}

func newLabFacts(path string) *labFacts {
	return &labFacts{path: path}
}

// reload applies the control file when it changed since the last look.
func (f *labFacts) reload() {
	st, err := os.Stat(f.path)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		if f.deny != nil || !f.mtime.IsZero() {
			f.deny = nil
			f.mtime = time.Time{}
			f.size = 0
		}
		return
	}
	if st.ModTime().Equal(f.mtime) && st.Size() == f.size {
		return
	}
	f.mtime, f.size = st.ModTime(), st.Size()
	file, err := os.Open(f.path)
	if err != nil {
		return
	}
	defer file.Close()
	f.deny = nil
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w := strings.Fields(line)
		switch {
		case w[0] == "deny" && len(w) >= 2:
			d := denial{priv: w[1]}
			if len(w) > 2 {
				d.entity = strings.Join(w[2:], " ")
			}
			f.deny = append(f.deny, d)
		case w[0] == "deny-user" && len(w) >= 3:
			d := denial{user: w[1], priv: w[2]}
			if len(w) > 3 {
				d.entity = strings.Join(w[3:], " ")
			}
			f.deny = append(f.deny, d)
		case (w[0] == "datastore" || w[0] == "vm") && len(w) >= 3:
			applyFacts(w[0], w[1], kv(w[2:]))
		default:
			log.Printf("lab-facts: ignoring %q", line)
		}
	}
	log.Printf("lab-facts: %d denied privilege(s)", len(f.deny))
}

func kv(words []string) map[string]string {
	m := map[string]string{}
	for _, w := range words {
		if i := strings.IndexByte(w, '='); i > 0 {
			m[w[:i]] = w[i+1:]
		}
	}
	return m
}

func applyFacts(kind, name string, m map[string]string) {
	typ := map[string]string{"datastore": "Datastore", "vm": "VirtualMachine"}[kind]
	for _, e := range simulator.Map.All(typ) {
		if e.Entity().Name != name {
			continue
		}
		switch o := e.(type) {
		case *simulator.Datastore:
			simulator.Map.WithLock(o, func() {
				if v, err := strconv.ParseFloat(m["capacity"], 64); err == nil {
					o.Summary.Capacity = int64(v * (1 << 30))
					o.Info.GetDatastoreInfo().MaxFileSize = o.Summary.Capacity
				}
				if v, err := strconv.ParseFloat(m["free"], 64); err == nil {
					o.Summary.FreeSpace = int64(v * (1 << 30))
					o.Info.GetDatastoreInfo().FreeSpace = o.Summary.FreeSpace
				}
			})
		case *simulator.VirtualMachine:
			simulator.Map.WithLock(o, func() {
				if t, ok := m["tools"]; ok {
					setTools(o, t != "none")
				}
				if g, ok := m["guest"]; ok {
					setGuest(o, g)
				}
				if m["nics"] == "0" {
					var keep []types.BaseVirtualDevice
					for _, d := range o.Config.Hardware.Device {
						if _, nic := d.(types.BaseVirtualEthernetCard); !nic {
							keep = append(keep, d)
						}
					}
					o.Config.Hardware.Device = keep
				}
			})
		}
	}
}

// denied: is priv denied on ref or on any entity above it?
func (f *labFacts) denied(priv string, ref types.ManagedObjectReference) bool {
	return f.deniedTo("", priv, ref)
}

// deniedTo: the same for user ("" the simulator's own).
func (f *labFacts) deniedTo(user, priv string, ref types.ManagedObjectReference) bool {
	f.mu.Lock()
	deny := f.deny
	f.mu.Unlock()
	if len(deny) == 0 {
		return false
	}
	var names []string
	cur := &ref
	for depth := 0; cur != nil && depth < 64; depth++ {
		e, ok := simulator.Map.Get(*cur).(mo.Entity)
		if !ok {
			break
		}
		names = append(names, e.Entity().Name)
		cur = e.Entity().Parent
	}
	for _, d := range deny {
		if d.priv != priv || (d.user != "" && d.user != user) {
			continue
		}
		if d.entity == "" {
			return true
		}
		for _, n := range names {
			if n == d.entity {
				return true
			}
		}
	}
	return false
}

// need: the privilege an operation checks, on which object of the request.
type need struct {
	priv  string
	field string // "_this", or the request element naming the object
	typ   string // the object's type for a field other than _this
}

var needs = map[string][]need{
	"CloneVM_Task": {{"@clone", "_this", ""},
		{"VirtualMachine.Inventory.CreateFromExisting", "folder", "Folder"},
		{"Resource.AssignVMToPool", "pool", "ResourcePool"},
		{"Datastore.AllocateSpace", "datastore", "Datastore"}},
	"ReconfigVM_Task": {{"VirtualMachine.Config.AdvancedConfig", "_this", ""}},
	"PowerOnVM_Task":  {{"VirtualMachine.Interact.PowerOn", "_this", ""}},
	"PowerOffVM_Task": {{"VirtualMachine.Interact.PowerOff", "_this", ""}},
	"Destroy_Task":    {{"VirtualMachine.Inventory.Delete", "_this", ""}},
}

// refused: the privilege a request lacks, and on what; "" when none.
func (f *labFacts) refused(body []byte) (string, types.ManagedObjectReference) {
	method, _ := requestInfo(body)
	ns, ok := needs[method]
	if !ok {
		return "", types.ManagedObjectReference{}
	}
	fields := []string{}
	for _, n := range ns {
		fields = append(fields, n.field)
	}
	_, vals := requestInfo(body, fields...)
	for _, n := range ns {
		v := strings.TrimSpace(vals[n.field])
		if v == "" {
			continue
		}
		ref := types.ManagedObjectReference{Type: n.typ, Value: v}
		if n.field == "_this" {
			ref.Type = thisType(body)
		}
		if method == "Destroy_Task" && ref.Type != "VirtualMachine" {
			continue
		}
		priv := n.priv
		if priv == "@clone" {
			priv = "VirtualMachine.Provisioning.Clone"
			if vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok &&
				vm.Config != nil && vm.Config.Template {
				priv = "VirtualMachine.Provisioning.DeployTemplate"
			}
		}
		if f.denied(priv, ref) {
			return priv, ref
		}
	}
	return "", types.ManagedObjectReference{}
}

// handler re-reads the control file before each request, and refuses an
// operation whose privilege is denied with vCenter's NoPermission fault.
func (f *labFacts) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.reload()
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		if priv, ref := f.refused(body); priv != "" {
			msg := fmt.Sprintf("Permission to perform this operation was denied (%s on %s)",
				priv, ref.Value)
			log.Printf("lab-facts: %s", msg)
			writeSOAP(w, http.StatusInternalServerError, soapFault{
				Code: "ServerFaultCode", String: msg,
				Detail: faultDetail{fault: &types.NoPermission{Object: ref, PrivilegeId: priv}},
			})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// labAuthz answers privilege questions from the deny list.
type labAuthz struct {
	*simulator.AuthorizationManager
}

func (m *labAuthz) availability(user string, ents []types.ManagedObjectReference, ids []string) []types.EntityPrivilege {
	var out []types.EntityPrivilege
	for _, e := range ents {
		p := types.EntityPrivilege{Entity: e}
		for _, id := range ids {
			p.PrivAvailability = append(p.PrivAvailability, types.PrivilegeAvailability{
				PrivId: id, IsGranted: !facts.deniedTo(user, id, e)})
		}
		out = append(out, p)
	}
	return out
}

func (m *labAuthz) HasPrivilegeOnEntities(req *types.HasPrivilegeOnEntities) soap.HasFault {
	return &methods.HasPrivilegeOnEntitiesBody{Res: &types.HasPrivilegeOnEntitiesResponse{
		Returnval: m.availability(sessionUser(req.SessionId), req.Entity, req.PrivId)}}
}

func (m *labAuthz) HasUserPrivilegeOnEntities(req *types.HasUserPrivilegeOnEntities) soap.HasFault {
	return &methods.HasUserPrivilegeOnEntitiesBody{Res: &types.HasUserPrivilegeOnEntitiesResponse{
		Returnval: m.availability(req.UserName, req.Entities, req.PrivId)}}
}

func (m *labAuthz) FetchUserPrivilegeOnEntities(req *types.FetchUserPrivilegeOnEntities) soap.HasFault {
	admin := object.AuthorizationRoleList(m.RoleList).ByName("Admin").Privilege
	var out []types.UserPrivilegeResult
	for _, e := range req.Entities {
		r := types.UserPrivilegeResult{Entity: e}
		for _, p := range admin {
			if !facts.denied(p, e) {
				r.Privileges = append(r.Privileges, p)
			}
		}
		out = append(out, r)
	}
	return &methods.FetchUserPrivilegeOnEntitiesBody{Res: &types.FetchUserPrivilegeOnEntitiesResponse{
		Returnval: out}}
}

// installLabAuthz puts labAuthz in the simulator's place.
func installLabAuthz() {
	ref := types.ManagedObjectReference{Type: "AuthorizationManager", Value: "AuthorizationManager"}
	if am, ok := simulator.Map.Get(ref).(*simulator.AuthorizationManager); ok {
		simulator.Map.Put(&labAuthz{am})
	}
}

// computeLikeVCenter: vCenter gives a compute resource's effectiveMemory in
// MB (vSphere API, ComputeResourceSummary); govmomi's simulator adds up its
// hosts' bytes. Put it in MB, as preflight reads it.
func computeLikeVCenter() {
	for _, kind := range []string{"ClusterComputeResource", "ComputeResource"} {
		for _, e := range simulator.Map.All(kind) {
			var cr *mo.ComputeResource
			switch o := e.(type) {
			case *simulator.ClusterComputeResource:
				cr = &o.ComputeResource
			case *mo.ComputeResource:
				cr = o
			}
			if cr == nil || cr.Summary == nil {
				continue
			}
			s := cr.Summary.GetComputeResourceSummary()
			simulator.Map.WithLock(e, func() {
				if s.EffectiveMemory > s.TotalMemory/(1<<20) {
					s.EffectiveMemory = s.TotalMemory / (1 << 20)
				}
			})
		}
	}
}
