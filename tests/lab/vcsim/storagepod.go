package main

import (
	"context"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// storagePodName is the lab's datastore cluster (StoragePod): empty, in the
// datacenter's datastore folder. vCenter lists an empty one with capacity
// and free space 0, as the simulator does; drover's pickers list datastore
// clusters beside datastores.
const storagePodName = "lab-pod"

func addStoragePod(ctx context.Context, folders *object.DatacenterFolders) error {
	_, err := folders.DatastoreFolder.CreateStoragePod(ctx, storagePodName)
	return err
}

// labViews: vCenter's ContainerView over a folder, recursive, lists the
// datastores inside a datastore cluster (a StoragePod is a Folder);
// govmomi's simulator walks a Folder's children but not a StoragePod's, so
// a datastore moved into a pod vanished from every view (and from drover's
// inventory). The lab's CreateContainerView adds the members of the pods a
// recursive view holds, when its types take datastores.
type labViews struct {
	*simulator.ViewManager
}

func (m *labViews) CreateContainerView(ctx *simulator.Context, req *types.CreateContainerView) soap.HasFault {
	res := m.ViewManager.CreateContainerView(ctx, req)
	body, ok := res.(*methods.CreateContainerViewBody)
	if !ok || body.Res == nil || !req.Recursive || !viewTakes(req.Type, "Datastore") {
		return res
	}
	v, ok := ctx.Session.Get(body.Res.Returnval).(*simulator.ContainerView)
	if !ok {
		return res
	}
	seen := map[types.ManagedObjectReference]bool{}
	for _, r := range v.View {
		seen[r] = true
	}
	for _, r := range append([]types.ManagedObjectReference(nil), v.View...) {
		if r.Type != "StoragePod" {
			continue
		}
		pod, ok := simulator.Map.Get(r).(*simulator.StoragePod)
		if !ok {
			continue
		}
		for _, c := range pod.ChildEntity { // the simulator may list one twice
			if c.Type == "Datastore" && !seen[c] {
				seen[c] = true
				v.View = append(v.View, c)
			}
		}
		podSummaryLikeVCenter(pod)
	}
	return res
}

// podSummaryLikeVCenter: vCenter's StoragePodSummary holds its datastores'
// capacity and free space, summed (0 for an empty pod); the simulator
// leaves both 0 whatever the pod holds.
func podSummaryLikeVCenter(pod *simulator.StoragePod) {
	var capacity, free int64
	seen := map[types.ManagedObjectReference]bool{}
	for _, c := range pod.ChildEntity {
		if c.Type != "Datastore" || seen[c] {
			continue
		}
		seen[c] = true
		if ds, ok := simulator.Map.Get(c).(*simulator.Datastore); ok {
			simulator.Map.WithLock(ds, func() {
				capacity += ds.Summary.Capacity
				free += ds.Summary.FreeSpace
			})
		}
	}
	simulator.Map.WithLock(pod, func() {
		if pod.Summary == nil {
			pod.Summary = &types.StoragePodSummary{}
		}
		pod.Summary.Capacity = capacity
		pod.Summary.FreeSpace = free
	})
}

func viewTakes(types []string, t string) bool {
	if len(types) == 0 {
		return true
	}
	for _, x := range types {
		if x == t || x == "ManagedEntity" {
			return true
		}
	}
	return false
}

// installLabViews puts labViews in the simulator's place.
func installLabViews() {
	ref := *simulator.Map.Get(types.ManagedObjectReference{Type: "ServiceInstance", Value: "ServiceInstance"}).(*simulator.ServiceInstance).Content.ViewManager
	if vm, ok := simulator.Map.Get(ref).(*simulator.ViewManager); ok {
		simulator.Map.Put(&labViews{vm})
	}
}
