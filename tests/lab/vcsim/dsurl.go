// Datastore URLs as vCenter gives them (issue 14): a VMFS datastore's
// summary.url is "ds:///vmfs/volumes/<uuid>/" (vSphere API,
// DatastoreSummary.url; the vSphere CSI driver's StorageClass parameter
// datastoreurl takes exactly this). govmomi's simulator puts the local
// folder that backs the datastore there. Each lab datastore gets a stable
// VMFS-style uuid derived from its name. info.url stays the local folder:
// the simulator keeps the datastore's files there.
package main

import (
	"crypto/sha256"
	"fmt"

	"github.com/vmware/govmomi/simulator"
)

func datastoreURL(name string) string {
	h := sha256.Sum256([]byte("drover-lab/" + name))
	// VMFS uuids look like 5f3a9c1e-7d2b41aa-0c4e-005056a1b2c3.
	return fmt.Sprintf("ds:///vmfs/volumes/%x-%x-%x-%x/", h[0:4], h[4:8], h[8:10], h[10:16])
}

func datastoresLikeVCenter() {
	for _, e := range simulator.Map.All("Datastore") {
		ds, ok := e.(*simulator.Datastore)
		if !ok {
			continue
		}
		simulator.Map.WithLock(ds, func() {
			ds.Summary.Url = datastoreURL(ds.Name)
		})
	}
}
