// The lab's "hypervisor": when a VM carrying guestinfo.userdata powers on, the
// SSH node command brings up a node for it and the VM's guest IP becomes that
// node's address; power-off or destroy takes the node down again. The contract
// with the node command is written down in tests/lab/README.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io/ioutil"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

const nodeCommandTimeout = 180 * time.Second

type node struct {
	mu  sync.Mutex // serialises up/down of one VM
	up  bool
	ip  string
	dir string
}

type hypervisor struct {
	cmd   string // the SSH node command; "" disables nodes
	dir   string // <state>/nodes
	mu    sync.Mutex
	nodes map[string]*node
	wg    sync.WaitGroup
	srv   *nodeServer // nodeserve.go
}

func newHypervisor(cmd, dir string) *hypervisor {
	return &hypervisor{cmd: cmd, dir: dir, nodes: map[string]*node{}, srv: newNodeServer(cmd)}
}

// Reference makes the hypervisor a simulator.RegisterObject handler.
func (h *hypervisor) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "DroverLabHypervisor", Value: "hypervisor"}
}

func (h *hypervisor) PutObject(mo.Reference) {}

func (h *hypervisor) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	ref := obj.Reference()
	if ref.Type != "VirtualMachine" {
		return
	}
	for _, c := range changes {
		if c.Name == "runtime.powerState" {
			h.kick(ref, false)
			return
		}
	}
}

func (h *hypervisor) RemoveObject(ref types.ManagedObjectReference) {
	if ref.Type == "VirtualMachine" {
		h.kick(ref, true)
	}
}

// kick reconciles a VM's node with its current power state on a goroutine:
// the simulator calls handlers with the VM locked, and the node command may
// take seconds. Reconciling (rather than replaying events) keeps a quick
// on/off sequence correct whatever order the goroutines run in.
func (h *hypervisor) kick(ref types.ManagedObjectReference, removed bool) {
	h.mu.Lock()
	n := h.nodes[ref.Value]
	if n == nil {
		n = &node{dir: filepath.Join(h.dir, ref.Value)}
		h.nodes[ref.Value] = n
	}
	h.mu.Unlock()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.reconcile(ref, n, removed)
	}()
}

type vmView struct {
	name     string
	on       bool
	userdata string
	encoding string
	metadata string
	menc     string
}

func (h *hypervisor) read(ref types.ManagedObjectReference) (*simulator.VirtualMachine, *vmView) {
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return nil, nil
	}
	v := &vmView{}
	simulator.Map.WithLock(vm, func() {
		v.name = vm.Name
		v.on = vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn
		if vm.Config == nil {
			return
		}
		for _, o := range vm.Config.ExtraConfig {
			ov := o.GetOptionValue()
			s, _ := ov.Value.(string)
			switch ov.Key {
			case "guestinfo.userdata":
				v.userdata = s
			case "guestinfo.userdata.encoding":
				v.encoding = s
			case "guestinfo.metadata":
				v.metadata = s
			case "guestinfo.metadata.encoding":
				v.menc = s
			}
		}
	})
	return vm, v
}

func (h *hypervisor) reconcile(ref types.ManagedObjectReference, n *node, removed bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	vm, v := h.read(ref)
	want := !removed && v != nil && v.on && v.userdata != "" && h.cmd != ""
	switch {
	case want && !n.up:
		if err := h.up(vm, v, n); err != nil {
			log.Printf("%s (%s): node up: %v", v.name, ref.Value, err)
		}
	case !want && n.up:
		h.down(n)
		if vm != nil {
			setGuestIP(vm, "")
		}
	}
	if removed && !n.up {
		_ = os.RemoveAll(n.dir)
		h.mu.Lock()
		delete(h.nodes, ref.Value)
		h.mu.Unlock()
	}
}

func decode(value, encoding string) ([]byte, error) {
	switch strings.ToLower(encoding) {
	case "", "plain":
		return []byte(value), nil
	case "base64", "b64":
		return base64.StdEncoding.DecodeString(value)
	case "gzip+base64", "gz+b64":
		raw, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		return ioutil.ReadAll(zr)
	}
	return nil, fmt.Errorf("unknown encoding %q", encoding)
}

func (h *hypervisor) up(vm *simulator.VirtualMachine, v *vmView, n *node) error {
	if err := guestReadable("guestinfo.userdata", v.userdata); err != nil {
		return err // guestlimit.go: no user-data, so no node
	}
	ud, err := decode(v.userdata, v.encoding)
	if err != nil {
		return fmt.Errorf("guestinfo.userdata: %v", err)
	}
	if err = os.MkdirAll(n.dir, 0o700); err != nil {
		return err
	}
	udFile := filepath.Join(n.dir, "userdata")
	if err = ioutil.WriteFile(udFile, ud, 0o600); err != nil {
		return err
	}
	if v.metadata != "" && guestReadable("guestinfo.metadata", v.metadata) == nil {
		if md, merr := decode(v.metadata, v.menc); merr == nil {
			_ = ioutil.WriteFile(filepath.Join(n.dir, "metadata"), md, 0o600)
		}
	}
	ip, err := h.nodeUp(n.dir, udFile, v.name)
	if err != nil {
		return err
	}
	n.up = true
	n.ip = ip
	// The VM may have been powered off while the node came up: the next
	// reconcile (queued behind n.mu) takes it down again.
	setGuestIP(vm, ip)
	log.Printf("%s: node up at %s", v.name, ip)
	return nil
}

func (h *hypervisor) down(n *node) {
	if err := h.nodeDown(n.dir); err != nil {
		log.Printf("node down %s: %v", n.dir, err)
	}
	n.up = false
	n.ip = ""
}

func (h *hypervisor) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), nodeCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.cmd, args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v", h.cmd, args[0], err)
	}
	return stdout.String(), nil
}

func lastLine(s string) string {
	last := ""
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			last = t
		}
	}
	return last
}

// setGuestIP publishes ip (or clears it) the way VMware Tools would: in
// guest.ipAddress and on the first NIC of guest.net, next to an IPv6
// link-local address that clients must skip.
func setGuestIP(vm *simulator.VirtualMachine, ip string) {
	simulator.Map.WithLock(vm, func() {
		if vm.Guest == nil {
			return
		}
		nets := append([]types.GuestNicInfo(nil), vm.Guest.Net...)
		if len(nets) == 0 {
			nets = append(nets, types.GuestNicInfo{Network: networkName, Connected: true, DeviceConfigId: 4000})
		}
		if ip == "" {
			nets[0].IpAddress = nil
		} else {
			nets[0].IpAddress = []string{"fe80::250:56ff:fe8a:1", ip}
		}
		simulator.Map.Update(vm, []types.PropertyChange{
			{Name: "guest.ipAddress", Val: ip},
			{Name: "summary.guest.ipAddress", Val: ip},
			{Name: "guest.net", Val: nets},
		})
	})
}

// shutdown takes every node down (on SIGTERM), after pending reconciles.
func (h *hypervisor) shutdown() {
	h.wg.Wait()
	h.mu.Lock()
	nodes := make([]*node, 0, len(h.nodes))
	for _, n := range h.nodes {
		nodes = append(nodes, n)
	}
	h.mu.Unlock()
	for _, n := range nodes {
		n.mu.Lock()
		if n.up {
			h.down(n)
		}
		n.mu.Unlock()
	}
	h.srv.close()
}
