package main

import (
	"context"

	"github.com/vmware/govmomi/object"
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
