// The test hook LAB.guest.net: makes a VM's VMware Tools report several
// guest NICs, the way a guest running Docker or Kubernetes does. There the
// guest lists bridges that have no virtual device behind them (docker0,
// cni0, flannel.1: deviceConfigId -1), often before the VM's own NIC, and
// Tools put one of their addresses in guest.ipAddress.
//
// The value (an extraConfig key of the VM, set in a clone or reconfigure
// spec like any other) lists the guest NICs in order, separated by ";":
//
//	DEVICE=ADDR,ADDR,...
//
// DEVICE is the deviceConfigId (the key of the VM's virtual NIC, e.g. 4000,
// or -1 for none), or nicN: the key of the VM's Nth virtual NIC (1-based,
// in device order; -1 when it has fewer); ADDR an address as Tools report
// it, or the word "node":
// the address the VM's guest IP is being set to (its SSH node's address, or
// the value of SET.guest.ipAddress). A NIC with no addresses ("4001=") is a
// NIC without DHCP. A "!" in front of DEVICE reports that NIC with
// connected=false (an unplugged adapter whose addresses Tools still list),
// e.g. "!4000=127.97.0.1". Example:
//
//	-1=127.99.0.1;-1=127.98.0.1;4000=node,fe80::250:56ff:fe8a:1;4001=
//
// Whenever the VM's guest.ipAddress changes (its node came up or went down,
// or SET.guest.ipAddress), guest.net is replaced by that list and
// guest.ipAddress becomes the first IPv4 address listed, as Tools would pick
// it. When the guest IP is cleared (power-off), the NICs stay listed without
// addresses. (The key is not SET.guest.net: the simulator assigns a SET.
// value to the property as it is, and guest.net is not a string.)
package main

import (
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

const guestNetKey = "LAB.guest.net"

type guestNetHook struct {
	mu   sync.Mutex
	busy map[string]bool // VMs whose guest.net this hook is rewriting
}

func newGuestNetHook() *guestNetHook {
	return &guestNetHook{busy: map[string]bool{}}
}

func (g *guestNetHook) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "DroverLabGuestNet", Value: "guestnet"}
}

func (g *guestNetHook) PutObject(mo.Reference)                   {}
func (g *guestNetHook) RemoveObject(types.ManagedObjectReference) {}

// UpdateObject runs inside the simulator's update of the VM (the VM is
// locked by whoever changes it), so the rewrite is applied at once.
func (g *guestNetHook) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	vm, ok := obj.(*mo.VirtualMachine)
	if !ok {
		return
	}
	ip, set := "", false
	for _, c := range changes {
		if c.Name == "guest.ipAddress" {
			ip, _ = c.Val.(string)
			set = true
		}
	}
	if !set || vm.Config == nil {
		return
	}
	spec := ""
	for _, o := range vm.Config.ExtraConfig {
		// The simulator appends a key set again: the last one counts.
		if ov := o.GetOptionValue(); ov.Key == guestNetKey {
			spec, _ = ov.Value.(string)
		}
	}
	if spec == "" {
		return
	}
	key := vm.Self.Value
	g.mu.Lock()
	if g.busy[key] {
		g.mu.Unlock()
		return
	}
	g.busy[key] = true
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.busy, key)
		g.mu.Unlock()
	}()

	nics, primary := guestNics(vm, spec, ip)
	simulator.Map.Update(vm, []types.PropertyChange{
		{Name: "guest.ipAddress", Val: primary},
		{Name: "summary.guest.ipAddress", Val: primary},
		{Name: "guest.net", Val: nics},
	})
}

// guestNics builds guest.net from spec with "node" meaning ip (no addresses
// at all when ip is ""), and the address Tools would put in guest.ipAddress.
func guestNics(vm *mo.VirtualMachine, spec, ip string) ([]types.GuestNicInfo, string) {
	var nics []types.GuestNicInfo
	primary := ""
	for _, item := range strings.Split(spec, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		dev, addrs := item, ""
		if i := strings.IndexByte(item, '='); i >= 0 {
			dev, addrs = item[:i], item[i+1:]
		}
		dev = strings.TrimSpace(dev)
		connected := !strings.HasPrefix(dev, "!")
		id := deviceID(vm, strings.TrimPrefix(dev, "!"))
		nic := types.GuestNicInfo{Connected: connected, DeviceConfigId: int32(id)}
		if card := ethernetCard(vm, int32(id)); card != nil {
			nic.MacAddress = card.MacAddress
			if b, ok := card.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
				nic.Network = b.DeviceName
			}
		}
		for _, a := range strings.Split(addrs, ",") {
			a = strings.TrimSpace(a)
			if a == "node" {
				a = ip
			}
			if a == "" || ip == "" {
				continue
			}
			nic.IpAddress = append(nic.IpAddress, a)
			if p := net.ParseIP(a); primary == "" && p != nil && p.To4() != nil &&
				!p.IsLinkLocalUnicast() {
				primary = a
			}
		}
		nics = append(nics, nic)
	}
	return nics, primary
}

// deviceID is a DEVICE of the spec as a deviceConfigId.
func deviceID(vm *mo.VirtualMachine, dev string) int {
	if strings.HasPrefix(dev, "nic") {
		n, err := strconv.Atoi(dev[3:])
		if err != nil || n < 1 {
			return -1
		}
		for _, d := range vm.Config.Hardware.Device {
			if _, ok := d.(types.BaseVirtualEthernetCard); ok {
				if n--; n == 0 {
					return int(d.GetVirtualDevice().Key)
				}
			}
		}
		return -1
	}
	id, err := strconv.Atoi(dev)
	if err != nil {
		return -1
	}
	return id
}

func ethernetCard(vm *mo.VirtualMachine, key int32) *types.VirtualEthernetCard {
	if key < 0 {
		return nil
	}
	for _, d := range vm.Config.Hardware.Device {
		if c, ok := d.(types.BaseVirtualEthernetCard); ok && d.GetVirtualDevice().Key == key {
			return c.GetVirtualEthernetCard()
		}
	}
	return nil
}
