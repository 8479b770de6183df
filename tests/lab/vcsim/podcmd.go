// Datastore clusters (StoragePod) with member datastores, made at run time
// through the vSphere API as an administrator would:
//
//	drover-vcsim pod [-url URL -user USER -password-file FILE -ca PEM] -dir DIR [-host HOST-PATH] POD DS...
//
// makes the StoragePod POD in DC0's datastore folder (kept when it exists)
// and, for each DS, a local datastore DS backed by DIR/DS, mounted on every
// host of DC0's cluster (as the simulator's model mounts LocalDS_0: one
// CreateLocalDatastore per host, same name and folder), moved into POD with
// MoveIntoFolder (govmomi's simulator supports it for a StoragePod). The
// standalone host DC0_H0 mounts none of them. With -host, only the host at
// HOST-PATH mounts them ("DC0/host/DC0_H0/DC0_H0"). Prints "ID PATH" of the pod
// and of each datastore. Their size and free space are set with `lab facts
// 'datastore DS capacity=GIB free=GIB'`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

func podMain(args []string) int {
	fs := flag.NewFlagSet("pod", flag.ExitOnError)
	rawURL := fs.String("url", os.Getenv("LAB_URL"), "vCenter SDK url")
	user := fs.String("user", os.Getenv("LAB_USER"), "user")
	pwFile := fs.String("password-file", os.Getenv("LAB_PASSWORD_FILE"), "password file")
	ca := fs.String("ca", os.Getenv("LAB_CERT"), "CA certificate (PEM)")
	dir := fs.String("dir", "", "folder for the datastores' backing folders")
	onHost := fs.String("host", "", "mount the datastores on this host (inventory path) only")
	_ = fs.Parse(args)
	if fs.NArg() < 1 || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: drover-vcsim pod -dir DIR POD [DS...]")
		return 2
	}
	ctx := context.Background()
	c, logout, err := labClient(ctx, *rawURL, *user, *pwFile, *ca)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pod:", err)
		return 1
	}
	defer logout()
	if err = makePod(ctx, c, *dir, *onHost, fs.Arg(0), fs.Args()[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "pod:", err)
		return 1
	}
	return 0
}

func makePod(ctx context.Context, c *vim25.Client, dir, onHost, name string, members []string) error {
	finder := find.NewFinder(c, false)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return err
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return err
	}
	var pod *object.StoragePod
	if ref, ferr := findPath(ctx, c, strings.TrimPrefix(folders.DatastoreFolder.InventoryPath, "/")+"/"+name); ferr == nil {
		p, ok := ref.(*object.StoragePod)
		if !ok {
			return fmt.Errorf("%s is not a datastore cluster", name)
		}
		pod = p
	} else if pod, err = folders.DatastoreFolder.CreateStoragePod(ctx, name); err != nil {
		return err
	}
	if err = printMade(ctx, c, pod.Reference()); err != nil {
		return err
	}
	cluster, err := finder.DefaultClusterComputeResource(ctx)
	if err != nil {
		return err
	}
	hosts, err := cluster.Hosts(ctx)
	if err != nil {
		return err
	}
	if onHost != "" {
		ref, herr := findPath(ctx, c, onHost)
		if herr != nil {
			return herr
		}
		h, ok := ref.(*object.HostSystem)
		if !ok {
			return fmt.Errorf("%s is not a host", onHost)
		}
		hosts = []*object.HostSystem{h}
	}
	for _, m := range members {
		back := filepath.Join(dir, m)
		if err = os.MkdirAll(back, 0o755); err != nil {
			return err
		}
		var ds *object.Datastore
		for _, h := range hosts {
			dss, herr := h.ConfigManager().DatastoreSystem(ctx)
			if herr != nil {
				return herr
			}
			if ds, err = dss.CreateLocalDatastore(ctx, m, back); err != nil {
				return fmt.Errorf("%s on %s: %v", m, h.Name(), err)
			}
		}
		if ds == nil {
			return fmt.Errorf("the cluster has no hosts")
		}
		task, err := pod.MoveInto(ctx, []types.ManagedObjectReference{ds.Reference()})
		if err != nil {
			return err
		}
		if err = task.Wait(ctx); err != nil {
			return fmt.Errorf("moving %s into %s: %v", m, name, err)
		}
		if err = printMade(ctx, c, ds.Reference()); err != nil {
			return err
		}
	}
	return nil
}
