// Networks in the lab, shaped like an operator's vCenter: extra standard port
// groups, network folders, distributed switches and port groups (added at
// run time through the vSphere API, as an administrator would), NSX opaque
// networks (at start-up: only NSX makes them), and names stored the way
// vCenter stores them.
//
//	drover-vcsim net [-url URL -user USER -password-file FILE -ca PEM] CMD ARGS
//
//	folder PATH            a folder and its missing parents ("DC0/network/sw01", "DC0/vm/a/k8s")
//	pg NAME                a standard port group NAME on vSwitch0 of DC0's first host
//	dvs FOLDER NAME [none | HOST-PATH...]
//	                       a distributed switch NAME in network folder FOLDER (made when
//	                       missing); every host of DC0 joins it, or only the hosts given
//	                       ("none": a switch without members)
//	hosts PATH             the names of the hosts the network at PATH is on (Network.host)
//	dvpg DVS-PATH NAME     a distributed port group NAME on the switch at DVS-PATH
//	ds NAME DIR HOST-PATH  a local datastore NAME in folder DIR on the host at HOST-PATH
//	snapshot VM-NAME NAME  a snapshot of the VM (or template), printed "ID NAME"
//	nics VM-NAME           the VM's NICs in the order vCenter lists them, one a line:
//	                       "INDEX TYPE KEY std NETWORK-ID DEVICE-NAME",
//	                       "INDEX TYPE KEY dvs SWITCH-UUID PORTGROUP-KEY" or
//	                       "INDEX TYPE KEY opaque NETWORK-TYPE NETWORK-ID"
//	find PATH              "TYPE ID" of the object at an inventory path ("TYPE ID UUID"
//	                       for a distributed switch)
//
// The connection defaults come from the lab's env file variables (LAB_URL,
// LAB_USER, LAB_PASSWORD_FILE, LAB_CERT). Creating commands print "ID PATH"
// of the new object. Names are given as typed: like vCenter, the lab stores
// a '/' in a name as %2f, a '\' as %5c and a '%' as %25 (escapeNames), so a
// path names such an object with the escape.
//
// LAB_OPAQUE_NETWORKS="NAME[=ID],..." in the simulator's environment adds
// NSX opaque networks (type nsx.LogicalSwitch) to DC0's network folder at
// start-up (addOpaqueNetworks).
package main

import (
	"context"
	"flag"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// vCenter's escaping of an entity name (vSphere API, ManagedEntity.name).
func escapeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		switch c := name[i]; c {
		case '/':
			b.WriteString("%2f")
		case '\\':
			b.WriteString("%5c")
		case '%':
			rest := strings.ToLower(name[i:])
			if strings.HasPrefix(rest, "%2f") || strings.HasPrefix(rest, "%5c") ||
				strings.HasPrefix(rest, "%25") {
				b.WriteByte(c) // already an escape
			} else {
				b.WriteString("%25")
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var entityKinds = []string{"Folder", "Datacenter", "ClusterComputeResource", "ComputeResource",
	"HostSystem", "ResourcePool", "VirtualApp", "Datastore", "Network",
	"DistributedVirtualPortgroup", "VmwareDistributedVirtualSwitch", "OpaqueNetwork",
	"VirtualMachine"}

// Methods that name a new (or renamed) entity.
var namingMethods = map[string]bool{
	"CreateFolder": true, "AddPortGroup": true, "CreateDVS_Task": true,
	"AddDVPortgroup_Task": true, "Rename_Task": true, "CloneVM_Task": true,
	"CreateVM_Task": true, "CreateResourcePool": true, "CreateVApp": true,
	"CreateClusterEx": true, "CreateDatacenter": true,
}

// escapeNames makes names stored like vCenter's: after a method that names
// an entity, every entity name with a raw '/', '\' or '%' is escaped.
func escapeNames(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		method, _ := requestInfo(body)
		next.ServeHTTP(w, r)
		if namingMethods[method] {
			fixNames()
		}
	})
}

func fixNames() {
	for _, kind := range entityKinds {
		for _, e := range simulator.Map.All(kind) {
			name := e.Entity().Name
			if esc := escapeName(name); esc != name {
				simulator.Map.WithLock(e, func() {
					// Networks shadow the entity's name with their own
					// field: the update sets that one, this the other.
					simulator.Map.Update(e, []types.PropertyChange{{Name: "name", Val: esc}})
					e.Entity().Name = esc
				})
			}
		}
	}
}

// addOpaqueNetworks adds the networks of $LAB_OPAQUE_NETWORKS to DC0.
func addOpaqueNetworks() error {
	spec := strings.TrimSpace(os.Getenv("LAB_OPAQUE_NETWORKS"))
	if spec == "" {
		return nil
	}
	dc, ok := simulator.Map.Any("Datacenter").(*simulator.Datacenter)
	if !ok {
		return fmt.Errorf("no datacenter for opaque networks")
	}
	folder, ok := simulator.Map.Get(dc.NetworkFolder).(*simulator.Folder)
	if !ok {
		return fmt.Errorf("no network folder in %s", dc.Name)
	}
	for _, item := range strings.Split(spec, ",") {
		kv := strings.SplitN(strings.TrimSpace(item), "=", 2)
		if kv[0] == "" {
			continue
		}
		sum := types.OpaqueNetworkSummary{
			NetworkSummary:    types.NetworkSummary{Name: escapeName(kv[0])},
			OpaqueNetworkType: "nsx.LogicalSwitch",
		}
		if len(kv) == 2 {
			sum.OpaqueNetworkId = kv[1]
		}
		if err := folder.AddOpaqueNetwork(sum); err != nil {
			return fmt.Errorf("opaque network %s: %v", kv[0], err)
		}
	}
	return nil
}

func labClient(ctx context.Context, rawURL, user, pwFile, ca string) (*vim25.Client, func(), error) {
	pw, err := ioutil.ReadFile(pwFile)
	if err != nil {
		return nil, nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, err
	}
	sc := soap.NewClient(u, false)
	if err = sc.SetRootCAs(ca); err != nil {
		return nil, nil, err
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, nil, err
	}
	sm := session.NewManager(c)
	if err = sm.Login(ctx, url.UserPassword(user, strings.TrimRight(string(pw), "\r\n"))); err != nil {
		return nil, nil, err
	}
	return c, func() { _ = sm.Logout(ctx) }, nil
}

func netMain(args []string) int {
	fs := flag.NewFlagSet("net", flag.ExitOnError)
	rawURL := fs.String("url", os.Getenv("LAB_URL"), "vCenter SDK url")
	user := fs.String("user", os.Getenv("LAB_USER"), "user")
	pwFile := fs.String("password-file", os.Getenv("LAB_PASSWORD_FILE"), "password file")
	ca := fs.String("ca", os.Getenv("LAB_CERT"), "CA certificate (PEM)")
	_ = fs.Parse(args)
	if fs.NArg() < 2 {
		fmt.Fprintln(os.Stderr, "usage: drover-vcsim net folder PATH | pg NAME | dvs FOLDER NAME [none|HOST...] | "+
			"dvpg DVS-PATH NAME | nics VM-NAME | hosts PATH | find PATH")
		return 2
	}
	ctx := context.Background()
	c, logout, err := labClient(ctx, *rawURL, *user, *pwFile, *ca)
	if err != nil {
		fmt.Fprintln(os.Stderr, "net:", err)
		return 1
	}
	defer logout()
	if err = netCmd(ctx, c, fs.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "net:", err)
		return 1
	}
	return 0
}

func printMade(ctx context.Context, c *vim25.Client, ref types.ManagedObjectReference) error {
	path, err := inventoryPath(ctx, c, ref)
	if err != nil {
		return err
	}
	fmt.Printf("%s %s\n", ref.Value, path)
	return nil
}

// inventoryPath joins the (escaped) names from below the root folder.
func inventoryPath(ctx context.Context, c *vim25.Client, ref types.ManagedObjectReference) (string, error) {
	ents, err := mo.Ancestors(ctx, c, c.ServiceContent.PropertyCollector, ref)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range ents {
		if e.Self == c.ServiceContent.RootFolder {
			continue
		}
		names = append(names, e.Name)
	}
	return strings.Join(names, "/"), nil
}

func findPath(ctx context.Context, c *vim25.Client, path string) (object.Reference, error) {
	si := object.NewSearchIndex(c)
	ref, err := si.FindByInventoryPath(ctx, path)
	if err != nil {
		return nil, err
	}
	if ref == nil {
		return nil, fmt.Errorf("nothing at %s", path)
	}
	return ref, nil
}

// ensureFolder returns the folder at path, making the missing ones.
func ensureFolder(ctx context.Context, c *vim25.Client, path string) (*object.Folder, error) {
	if ref, err := findPath(ctx, c, path); err == nil {
		f, ok := ref.(*object.Folder)
		if !ok {
			return nil, fmt.Errorf("%s is a %s, not a folder", path, ref.Reference().Type)
		}
		return f, nil
	}
	i := strings.LastIndex(path, "/")
	if i < 0 {
		return nil, fmt.Errorf("no folder %s", path)
	}
	parent, err := ensureFolder(ctx, c, path[:i])
	if err != nil {
		return nil, err
	}
	return parent.CreateFolder(ctx, unescape(path[i+1:]))
}

func unescape(seg string) string {
	r := strings.NewReplacer("%2f", "/", "%2F", "/", "%5c", `\`, "%5C", `\`, "%25", "%")
	return r.Replace(seg)
}

func dcHosts(ctx context.Context, c *vim25.Client) ([]*object.HostSystem, error) {
	finder := find.NewFinder(c, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return nil, err
	}
	finder.SetDatacenter(dc)
	return finder.HostSystemList(ctx, "*")
}

func netCmd(ctx context.Context, c *vim25.Client, a []string) error {
	switch {
	case a[0] == "folder" && len(a) == 2:
		f, err := ensureFolder(ctx, c, a[1])
		if err != nil {
			return err
		}
		return printMade(ctx, c, f.Reference())
	case a[0] == "pg" && len(a) == 2:
		// One host: vCenter lists a standard port group once, however many
		// hosts have it (the simulator would list it once per host).
		hosts, err := dcHosts(ctx, c)
		if err != nil {
			return err
		}
		if len(hosts) == 0 {
			return fmt.Errorf("no host for a port group")
		}
		sort.Slice(hosts, func(i, j int) bool { return hosts[i].InventoryPath < hosts[j].InventoryPath })
		ns, err := hosts[0].ConfigManager().NetworkSystem(ctx)
		if err != nil {
			return err
		}
		err = ns.AddPortGroup(ctx, types.HostPortGroupSpec{Name: a[1], VswitchName: "vSwitch0",
			Policy: types.HostNetworkPolicy{}})
		if err != nil {
			return fmt.Errorf("%s: %v", hosts[0].Name(), err)
		}
		finder := find.NewFinder(c, false)
		dc, err := finder.DefaultDatacenter(ctx)
		if err != nil {
			return err
		}
		ref, err := findPath(ctx, c, dc.Name()+"/network/"+escapeName(a[1]))
		if err != nil {
			return err
		}
		return printMade(ctx, c, ref.Reference())
	case a[0] == "dvs" && len(a) >= 3:
		f, err := ensureFolder(ctx, c, a[1])
		if err != nil {
			return err
		}
		hosts, err := dcHosts(ctx, c)
		if err != nil {
			return err
		}
		if len(a) > 3 { // only these hosts join ("none": a switch without members)
			hosts = nil
			for _, p := range a[3:] {
				if p == "none" {
					continue
				}
				ref, err := findPath(ctx, c, p)
				if err != nil {
					return err
				}
				h, ok := ref.(*object.HostSystem)
				if !ok {
					return fmt.Errorf("%s is not a host", p)
				}
				hosts = append(hosts, h)
			}
		}
		spec := &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{Name: a[2]}}
		task, err := f.CreateDVS(ctx, types.DVSCreateSpec{ConfigSpec: spec})
		if err != nil {
			return err
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return err
		}
		ref := info.Result.(types.ManagedObjectReference)
		// The hosts join in a reconfigure (the simulator's create ignores
		// them); a VM's NIC can only use a switch its host is a member of.
		members := &types.VMwareDVSConfigSpec{}
		for _, h := range hosts {
			members.Host = append(members.Host, types.DistributedVirtualSwitchHostMemberConfigSpec{
				Operation: string(types.ConfigSpecOperationAdd), Host: h.Reference()})
		}
		if len(members.Host) > 0 {
			task, err = object.NewDistributedVirtualSwitch(c, ref).Reconfigure(ctx, members)
			if err == nil {
				err = task.Wait(ctx)
			}
			if err != nil {
				return fmt.Errorf("adding the hosts to %s: %v", a[2], err)
			}
		}
		return printMade(ctx, c, ref)
	case a[0] == "dvpg" && len(a) == 3:
		ref, err := findPath(ctx, c, a[1])
		if err != nil {
			return err
		}
		dvs := object.NewDistributedVirtualSwitch(c, ref.Reference())
		task, err := dvs.AddPortgroup(ctx, []types.DVPortgroupConfigSpec{{Name: a[2],
			Type: string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding), NumPorts: 8}})
		if err != nil {
			return err
		}
		if err = task.Wait(ctx); err != nil {
			return err
		}
		i := strings.LastIndex(a[1], "/")
		pg, err := findPath(ctx, c, a[1][:i]+"/"+escapeName(a[2]))
		if err != nil {
			return err
		}
		return printMade(ctx, c, pg.Reference())
	case a[0] == "ds" && len(a) == 4:
		ref, err := findPath(ctx, c, a[3])
		if err != nil {
			return err
		}
		h, ok := ref.(*object.HostSystem)
		if !ok {
			return fmt.Errorf("%s is not a host", a[3])
		}
		dss, err := h.ConfigManager().DatastoreSystem(ctx)
		if err != nil {
			return err
		}
		ds, err := dss.CreateLocalDatastore(ctx, a[1], a[2])
		if err != nil {
			return err
		}
		return printMade(ctx, c, ds.Reference())
	case a[0] == "snapshot" && len(a) == 3:
		finder := find.NewFinder(c, false)
		dc, err := finder.DefaultDatacenter(ctx)
		if err != nil {
			return err
		}
		finder.SetDatacenter(dc)
		vm, err := finder.VirtualMachine(ctx, a[1])
		if err != nil {
			return err
		}
		task, err := vm.CreateSnapshot(ctx, a[2], "lab", false, false)
		if err != nil {
			return err
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return err
		}
		ref := info.Result.(types.ManagedObjectReference)
		fmt.Printf("%s %s\n", ref.Value, a[2])
		return nil
	case a[0] == "hosts" && len(a) == 2:
		// The hosts a network is available on (Network.host), one name a line.
		ref, err := findPath(ctx, c, a[1])
		if err != nil {
			return err
		}
		var m mo.Network
		if err = object.NewCommon(c, ref.Reference()).Properties(ctx, ref.Reference(), []string{"host"}, &m); err != nil {
			return err
		}
		for _, h := range m.Host {
			var hm mo.HostSystem
			if err = object.NewCommon(c, h).Properties(ctx, h, []string{"name"}, &hm); err != nil {
				return err
			}
			fmt.Println(hm.Name)
		}
		return nil
	case a[0] == "nics" && len(a) == 2:
		return printNICs(ctx, c, a[1])
	case a[0] == "find" && len(a) == 2:
		ref, err := findPath(ctx, c, a[1])
		if err != nil {
			return err
		}
		if dvs, ok := ref.(*object.DistributedVirtualSwitch); ok {
			var m mo.DistributedVirtualSwitch
			if err = dvs.Properties(ctx, dvs.Reference(), []string{"uuid"}, &m); err != nil {
				return err
			}
			fmt.Printf("%s %s %s\n", ref.Reference().Type, ref.Reference().Value, m.Uuid)
			return nil
		}
		fmt.Printf("%s %s\n", ref.Reference().Type, ref.Reference().Value)
		return nil
	}
	return fmt.Errorf("unknown command or wrong arguments: %s", strings.Join(a, " "))
}

func printNICs(ctx context.Context, c *vim25.Client, name string) error {
	finder := find.NewFinder(c, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return err
	}
	finder.SetDatacenter(dc)
	vm, err := finder.VirtualMachine(ctx, name)
	if err != nil {
		return err
	}
	devices, err := vm.Device(ctx)
	if err != nil {
		return err
	}
	// In the order vCenter lists them (the simulator numbers added devices
	// below the source's 4000, so keys do not tell the order).
	nics := devices.SelectByType((*types.VirtualEthernetCard)(nil))
	for i, d := range nics {
		kind := strings.TrimPrefix(fmt.Sprintf("%T", d), "*types.")
		key := d.GetVirtualDevice().Key
		switch b := d.GetVirtualDevice().Backing.(type) {
		case *types.VirtualEthernetCardNetworkBackingInfo:
			id := "-"
			if b.Network != nil {
				id = b.Network.Value
			}
			fmt.Printf("%d %s %d std %s %s\n", i, kind, key, id, b.DeviceName)
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			fmt.Printf("%d %s %d dvs %s %s\n", i, kind, key, b.Port.SwitchUuid, b.Port.PortgroupKey)
		case *types.VirtualEthernetCardOpaqueNetworkBackingInfo:
			fmt.Printf("%d %s %d opaque %s %s\n", i, kind, key, b.OpaqueNetworkType, b.OpaqueNetworkId)
		default:
			fmt.Printf("%d %s %d %T\n", i, kind, key, b)
		}
	}
	return nil
}
