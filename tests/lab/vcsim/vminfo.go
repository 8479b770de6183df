// `drover-vcsim vm VM-NAME`: a VM as an operator's tools see it in vCenter
// (govmomi's clients, not drover's), one "key=value" a line, for tests that
// check what a clone ended up with:
//
//	path=DC0/vm/k8s/fid-01          folder=DC0/vm/k8s
//	host=DC0/host/DC0_C0/DC0_C0_H1  compute=DC0/host/DC0_C0
//	pool=DC0/host/DC0_C0/Resources/kubernetes
//	datastores=LocalDS_0            vmx=[LocalDS_0] fid-01/fid-01.vmx
//	template=false  power=poweredOn  cpus=3  memory_mib=3072
//	disk.0.kib=12582912  disk.0.file=[LocalDS_0] ...  disk.0.parent=... ("-": none)
//	nic.0=VirtualE1000 4000 dvs UUID KEY   (as `net nics`)
//	extra.KEY=VALUE                  every extraConfig key
//	snapshot=NAME                    each snapshot of the VM, oldest first
//
// Connection defaults from LAB_URL, LAB_USER, LAB_PASSWORD_FILE, LAB_CERT.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func vmMain(args []string) int {
	fs := flag.NewFlagSet("vm", flag.ExitOnError)
	rawURL := fs.String("url", os.Getenv("LAB_URL"), "vCenter SDK url")
	user := fs.String("user", os.Getenv("LAB_USER"), "user")
	pwFile := fs.String("password-file", os.Getenv("LAB_PASSWORD_FILE"), "password file")
	ca := fs.String("ca", os.Getenv("LAB_CERT"), "CA certificate (PEM)")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: drover-vcsim vm VM-NAME")
		return 2
	}
	ctx := context.Background()
	c, logout, err := labClient(ctx, *rawURL, *user, *pwFile, *ca)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vm:", err)
		return 1
	}
	defer logout()
	if err = printVM(ctx, c, fs.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "vm:", err)
		return 1
	}
	return 0
}

func pathOf(ctx context.Context, c *vim25.Client, ref *types.ManagedObjectReference) string {
	if ref == nil {
		return "-"
	}
	p, err := inventoryPath(ctx, c, *ref)
	if err != nil {
		return "?"
	}
	return p
}

func snapNames(list []types.VirtualMachineSnapshotTree, out *[]string) {
	for _, t := range list {
		*out = append(*out, t.Name)
		snapNames(t.ChildSnapshotList, out)
	}
}

func printVM(ctx context.Context, c *vim25.Client, name string) error {
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
	var m mo.VirtualMachine
	err = vm.Properties(ctx, vm.Reference(), []string{"parent", "resourcePool", "runtime",
		"datastore", "config", "snapshot"}, &m)
	if err != nil {
		return err
	}
	self := vm.Reference()
	fmt.Printf("path=%s\n", pathOf(ctx, c, &self))
	fmt.Printf("folder=%s\n", pathOf(ctx, c, m.Parent))
	fmt.Printf("host=%s\n", pathOf(ctx, c, m.Runtime.Host))
	if m.Runtime.Host != nil {
		var h mo.HostSystem
		if err = vm.Properties(ctx, *m.Runtime.Host, []string{"parent"}, &h); err == nil {
			fmt.Printf("compute=%s\n", pathOf(ctx, c, h.Parent))
		}
	}
	fmt.Printf("pool=%s\n", pathOf(ctx, c, m.ResourcePool))
	var ds []string
	for _, d := range m.Datastore {
		var dm mo.Datastore
		if err = vm.Properties(ctx, d, []string{"name"}, &dm); err == nil {
			ds = append(ds, dm.Name)
		}
	}
	sort.Strings(ds)
	fmt.Printf("datastores=%s\n", strings.Join(ds, ","))
	fmt.Printf("power=%s\n", m.Runtime.PowerState)
	if m.Config == nil {
		return nil
	}
	fmt.Printf("vmx=%s\n", m.Config.Files.VmPathName)
	fmt.Printf("template=%v\n", m.Config.Template)
	fmt.Printf("cpus=%d\n", m.Config.Hardware.NumCPU)
	fmt.Printf("memory_mib=%d\n", m.Config.Hardware.MemoryMB)
	i := 0
	for _, d := range m.Config.Hardware.Device {
		disk, ok := d.(*types.VirtualDisk)
		if !ok {
			continue
		}
		fmt.Printf("disk.%d.kib=%d\n", i, disk.CapacityInKB)
		file, parent := "-", "-"
		if b, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
			file = b.FileName
			if b.Parent != nil {
				parent = b.Parent.FileName
			}
		}
		fmt.Printf("disk.%d.file=%s\ndisk.%d.parent=%s\n", i, file, i, parent)
		i++
	}
	var keys []string
	extra := map[string]string{}
	for _, o := range m.Config.ExtraConfig {
		if v := o.GetOptionValue(); v != nil {
			keys = append(keys, v.Key)
			extra[v.Key] = fmt.Sprint(v.Value)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("extra.%s=%s\n", k, extra[k])
	}
	if m.Snapshot != nil {
		var names []string
		snapNames(m.Snapshot.RootSnapshotList, &names)
		for _, n := range names {
			fmt.Printf("snapshot=%s\n", n)
		}
	}
	return nil
}
