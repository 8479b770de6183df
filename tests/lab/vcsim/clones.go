// Linked clones that look like vCenter's. govmomi's simulator makes every
// clone a full copy (it ignores diskMoveType), so nothing outside could tell
// a linked clone or its snapshot. vCenter gives a linked clone's disks a
// parent: the source's disk as it was at the snapshot. A VM writes to a new
// delta disk after each snapshot (NAME.vmdk, then NAME-000001.vmdk, ...), so
// the disk as of the Nth snapshot (creation order) is NAME.vmdk for the
// first and NAME-00000(N-1).vmdk after that; the lab sets that parent.
// And vCenter runs a clone on the host its spec names, where the simulator
// keeps the source's host.
package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type bufferedWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (b *bufferedWriter) WriteHeader(code int) { b.status = code }
func (b *bufferedWriter) Write(p []byte) (int, error) {
	return b.buf.Write(p)
}

func linkedClones(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		method, vals := requestInfo(body, "_this", "diskMoveType", "snapshot", "host")
		linked := vals["diskMoveType"] == "createNewChildDiskBacking"
		if method != "CloneVM_Task" {
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferedWriter{ResponseWriter: w, status: http.StatusOK}
		src, _ := simulator.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine",
			Value: vals["_this"]}).(*simulator.VirtualMachine)
		saved := originalDisks(src)
		next.ServeHTTP(bw, r)
		restoreDisks(src, saved)
		if bw.status == http.StatusOK {
			clone := clonedVM(returnval(bw.buf.Bytes()))
			ownDisks(clone)
			if clone != nil && linked {
				setLinkedParent(clone, vals["_this"], vals["snapshot"])
			}
			if clone != nil && vals["host"] != "" {
				setHost(clone, vals["host"])
			}
		}
		w.WriteHeader(bw.status)
		_, _ = w.Write(bw.buf.Bytes())
	})
}

// returnval: the text of the first <returnval> in a SOAP response.
func returnval(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	in := false
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			in = t.Name.Local == "returnval"
		case xml.CharData:
			if in {
				return strings.TrimSpace(string(t))
			}
		case xml.EndElement:
			in = false
		}
	}
}

func snapshotOrder(list []types.VirtualMachineSnapshotTree, out *[]types.ManagedObjectReference) {
	for _, t := range list {
		*out = append(*out, t.Snapshot)
		snapshotOrder(t.ChildSnapshotList, out)
	}
}

// The simulator hands the source's disk objects to the clone and renames
// their files in place, so the source (the template) and every clone share
// one disk object and each clone renames it again. Each source's disks are
// remembered as they were before its first clone; after every clone the
// source gets fresh disk objects with those values, and the clone fresh
// ones named after its own files ([ds] NAME/NAME.vmdk, as the simulator
// names a new VM's first disk). Clones still run concurrently, as in
// vCenter.
var (
	originalsMu sync.Mutex
	originals   = map[string]map[int32]savedDisk{}
)

type savedDisk struct {
	file   string
	parent *types.VirtualDiskFlatVer2BackingInfo
}

func originalDisks(vm *simulator.VirtualMachine) map[int32]savedDisk {
	if vm == nil || vm.Config == nil {
		return nil
	}
	originalsMu.Lock()
	defer originalsMu.Unlock()
	if out, ok := originals[vm.Self.Value]; ok {
		return out
	}
	out := map[int32]savedDisk{}
	simulator.Map.WithLock(vm, func() {
		for _, d := range vm.Config.Hardware.Device {
			if disk, ok := d.(*types.VirtualDisk); ok {
				if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
					out[disk.Key] = savedDisk{file: b.FileName, parent: b.Parent}
				}
			}
		}
	})
	originals[vm.Self.Value] = out
	return out
}

// freshDisks replaces vm's disk devices by copies, setting each backing
// with set(disk index, backing copy).
func freshDisks(vm *simulator.VirtualMachine, set func(i int, key int32, b *types.VirtualDiskFlatVer2BackingInfo)) {
	simulator.Map.WithLock(vm, func() {
		n := 0
		for i, d := range vm.Config.Hardware.Device {
			disk, ok := d.(*types.VirtualDisk)
			if !ok {
				continue
			}
			b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
			if !ok {
				continue
			}
			d2 := *disk
			b2 := *b
			set(n, disk.Key, &b2)
			d2.Backing = &b2
			vm.Config.Hardware.Device[i] = &d2
			n++
		}
	})
}

func restoreDisks(vm *simulator.VirtualMachine, saved map[int32]savedDisk) {
	if vm == nil || vm.Config == nil || saved == nil {
		return
	}
	freshDisks(vm, func(i int, key int32, b *types.VirtualDiskFlatVer2BackingInfo) {
		if sv, ok := saved[key]; ok {
			b.FileName = sv.file
			b.Parent = sv.parent
		}
	})
}

func ownDisks(vm *simulator.VirtualMachine) {
	if vm == nil || vm.Config == nil {
		return
	}
	vmx := vm.Config.Files.VmPathName // "[ds] NAME/NAME.vmx"
	first := strings.TrimSuffix(vmx, ".vmx") + ".vmdk"
	freshDisks(vm, func(i int, key int32, b *types.VirtualDiskFlatVer2BackingInfo) {
		if i == 0 && strings.HasSuffix(vmx, ".vmx") {
			b.FileName = first
		}
		b.Parent = nil
	})
}

// clonedVM: the VM a finished clone task made, or nil.
func clonedVM(taskID string) *simulator.VirtualMachine {
	task, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "Task", Value: taskID}).(*simulator.Task)
	if !ok || task.Info.Result == nil {
		return nil
	}
	ref, ok := task.Info.Result.(types.ManagedObjectReference)
	if !ok {
		return nil
	}
	clone, _ := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	return clone
}

// setHost: vCenter runs a clone on the host its spec names (the simulator
// keeps the source's).
func setHost(clone *simulator.VirtualMachine, hostID string) {
	host := types.ManagedObjectReference{Type: "HostSystem", Value: hostID}
	if _, ok := simulator.Map.Get(host).(*simulator.HostSystem); !ok {
		return
	}
	simulator.Map.WithLock(clone, func() {
		simulator.Map.Update(clone, []types.PropertyChange{
			{Name: "runtime.host", Val: host},
			{Name: "summary.runtime.host", Val: host},
		})
	})
}

func setLinkedParent(clone *simulator.VirtualMachine, sourceID, snapID string) {
	src, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine", Value: sourceID}).(*simulator.VirtualMachine)
	if !ok || src.Snapshot == nil {
		return
	}
	var order []types.ManagedObjectReference
	snapshotOrder(src.Snapshot.RootSnapshotList, &order)
	want := src.Snapshot.CurrentSnapshot
	if snapID != "" {
		want = &types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: snapID}
	}
	n := -1
	for i, s := range order {
		if want != nil && s.Value == want.Value {
			n = i
		}
	}
	if n < 0 {
		return
	}
	// The source's disk files, in device order.
	var files []string
	for _, d := range src.Config.Hardware.Device {
		if disk, ok := d.(*types.VirtualDisk); ok {
			if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				files = append(files, b.FileName)
			}
		}
	}
	simulator.Map.WithLock(clone, func() {
		i := 0
		for _, d := range clone.Config.Hardware.Device {
			disk, ok := d.(*types.VirtualDisk)
			if !ok || i >= len(files) {
				continue
			}
			b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
			if !ok {
				continue
			}
			parent := files[i]
			if n > 0 {
				parent = strings.TrimSuffix(parent, ".vmdk") + fmt.Sprintf("-%06d.vmdk", n)
			}
			b.Parent = &types.VirtualDiskFlatVer2BackingInfo{
				VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: parent},
				DiskMode:                     b.DiskMode,
			}
			i++
		}
	})
}
