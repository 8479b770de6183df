// vCenter's provisioning queue. vCenter charges every provisioning operation
// units on its host and its datastore and queues one that would take either
// past its maximum until others end ("Limits on Simultaneous Migrations",
// vSphere docs; VMware's performance blog "vCenter Limits for Tasks Running
// at the Same Time", 2021): an ESXi 6.x/7.x host has 16 units, a full clone
// costs 4 of them and a linked clone 1; a datastore has 128 units, and a full
// clone, which copies the disks as Storage vMotion does, costs 16 there (the
// docs' Storage vMotion cost; they name no clone cost of their own), a
// linked clone 1. govmomi's simulator runs every clone at once.
//
// The control file STATE/prov-queue switches it on: "on" for those units,
// or "HOST_UNITS DATASTORE_UNITS". It needs clones that take time
// (STATE/clone-time, clonetime.go). A clone is charged on the host its spec
// names and on the datastore its spec names (else the source's first). A
// spec that names no host leaves the host to vCenter (DRS in a cluster):
// the lab starts such a clone on the host of the source's cluster with the
// most free units, and the VM lands there. The blog says vCenter also
// charges a clone's source host; the lab charges the destination only, as
// the issue asks (a clone waits for units on its host), so that clones
// spread over hosts run side by side. The log records, for tests:
//
//	"provqueue: TASK submitted (NAME): host H in flight N, datastore D in flight M"
//	  as a CloneVM_Task arrives (N, M: clone tasks not yet ended there,
//	  this one included: what the client has in flight; H is "CLUSTER(DRS)"
//	  for a clone whose host vCenter picks);
//	"provqueue: TASK queued (NAME): host H has U of MAX units in use"
//	"provqueue: TASK started (NAME): host H running N (U units), datastore D running M (V units)"
package main

import (
	"fmt"
	"io/ioutil"
	"log"
	"strconv"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	provHostUnits      = 16
	provDatastoreUnits = 128
	provHostFull       = 4
	provHostLinked     = 1
	provDatastoreFull  = 16
	provDatastoreLink  = 1
)

type provQueue struct {
	file     string
	mu       sync.Mutex
	units    map[string]int // units in use per "host-ID" / "datastore-ID"
	running  map[string]int // clones running per key
	inflight map[string]int // clone tasks not ended per key
	changed  chan struct{}  // closed and replaced when units are given back
}

func newProvQueue(state string) *provQueue {
	return &provQueue{file: state + "/prov-queue", units: map[string]int{},
		running: map[string]int{}, inflight: map[string]int{}, changed: make(chan struct{})}
}

// limits: the host's and the datastore's units; ok false when it is off.
func (q *provQueue) limits() (int, int, bool) {
	data, err := ioutil.ReadFile(q.file)
	if err != nil {
		return 0, 0, false
	}
	f := strings.Fields(string(data))
	if len(f) == 1 && f[0] == "on" {
		return provHostUnits, provDatastoreUnits, true
	}
	if len(f) == 2 {
		h, e1 := strconv.Atoi(f[0])
		d, e2 := strconv.Atoi(f[1])
		if e1 == nil && e2 == nil && h > 0 && d > 0 {
			return h, d, true
		}
	}
	log.Printf("provqueue: %s: want \"on\" or \"HOST_UNITS DATASTORE_UNITS\"; queueing off", q.file)
	return 0, 0, false
}

// provClaim is one clone task's place in the queue.
type provClaim struct {
	q                *provQueue
	task, name       string
	host, ds         string // keys; host "" until a DRS clone has one
	hostName, dsName string
	hostCost, dsCost int
	hostMax, dsMax   int
	taken            bool
	flight           string   // the in-flight key of the host side
	drs              []string // candidate host IDs when vCenter picks the host
	hostID           string   // the host it runs on
}

func entityName(ref types.ManagedObjectReference) string {
	if e, ok := simulator.Map.Get(ref).(mo.Entity); ok {
		return e.Entity().Name
	}
	return ref.Value
}

// claim enters a clone task into the queue, or returns nil when queueing is
// off. hostID and dsID are from the spec ("" when it names none).
func (q *provQueue) claim(task, name, source, hostID, dsID string, linked bool) *provClaim {
	hmax, dmax, on := q.limits()
	if !on {
		return nil
	}
	var srcHost string
	if src, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine",
		Value: source}).(*simulator.VirtualMachine); ok {
		simulator.Map.WithLock(src, func() {
			if src.Runtime.Host != nil {
				srcHost = src.Runtime.Host.Value
			}
			if dsID == "" && len(src.Datastore) > 0 {
				dsID = src.Datastore[0].Value
			}
		})
	}
	c := &provClaim{q: q, task: task, name: name, ds: "datastore-" + dsID,
		dsName:   entityName(types.ManagedObjectReference{Type: "Datastore", Value: dsID}),
		hostCost: provHostFull, dsCost: provDatastoreFull, hostMax: hmax, dsMax: dmax}
	if linked {
		c.hostCost, c.dsCost = provHostLinked, provDatastoreLink
	}
	if hostID != "" {
		c.setHost(hostID)
		c.flight = c.host
	} else {
		// vCenter (DRS) picks a host of the source's cluster.
		cluster := ""
		if h, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "HostSystem",
			Value: srcHost}).(*simulator.HostSystem); ok && h.Parent != nil {
			if cr, ok := simulator.Map.Get(*h.Parent).(*simulator.ClusterComputeResource); ok {
				cluster = cr.Name
				for _, m := range cr.Host {
					c.drs = append(c.drs, m.Value)
				}
			}
		}
		if len(c.drs) == 0 {
			c.setHost(srcHost)
			c.flight = c.host
		} else {
			c.hostName = cluster + "(DRS)"
			c.flight = "drs-" + cluster
		}
	}
	q.mu.Lock()
	q.inflight[c.flight]++
	q.inflight[c.ds]++
	log.Printf("provqueue: %s submitted (%s): host %s in flight %d, datastore %s in flight %d",
		task, name, c.hostName, q.inflight[c.flight], c.dsName, q.inflight[c.ds])
	q.mu.Unlock()
	return c
}

func (c *provClaim) setHost(id string) {
	c.hostID = id
	c.host = "host-" + id
	c.hostName = entityName(types.ManagedObjectReference{Type: "HostSystem", Value: id})
}

// fits: vCenter starts an operation on an idle resource whatever it costs.
// A DRS clone takes the candidate host with the most free units that fits.
func (c *provClaim) fits() bool {
	q := c.q
	room := func(key string, cost, max int) bool {
		return q.running[key] == 0 || q.units[key]+cost <= max
	}
	if !room(c.ds, c.dsCost, c.dsMax) {
		return false
	}
	if c.drs == nil {
		return room(c.host, c.hostCost, c.hostMax)
	}
	best := ""
	for _, h := range c.drs {
		if room("host-"+h, c.hostCost, c.hostMax) &&
			(best == "" || q.units["host-"+h] < q.units["host-"+best]) {
			best = h
		}
	}
	if best == "" {
		return false
	}
	c.setHost(best)
	return true
}

func (c *provClaim) takeLocked() {
	q := c.q
	q.units[c.host] += c.hostCost
	q.units[c.ds] += c.dsCost
	q.running[c.host]++
	q.running[c.ds]++
	c.taken = true
	log.Printf("provqueue: %s started (%s): host %s running %d (%d units), datastore %s running %d (%d units)",
		c.task, c.name, c.hostName, q.running[c.host], q.units[c.host], c.dsName,
		q.running[c.ds], q.units[c.ds])
}

// tryTake takes the units at once when they are free; false: the task queues.
func (c *provClaim) tryTake() bool {
	c.q.mu.Lock()
	defer c.q.mu.Unlock()
	if c.fits() {
		c.takeLocked()
		return true
	}
	if c.drs != nil {
		log.Printf("provqueue: %s queued (%s): no host of %s has %d of %d units free, or datastore %s has %d of %d in use",
			c.task, c.name, c.hostName, c.hostCost, c.hostMax, c.dsName, c.q.units[c.ds], c.dsMax)
		return false
	}
	log.Printf("provqueue: %s queued (%s): host %s has %d of %d units in use, datastore %s %d of %d",
		c.task, c.name, c.hostName, c.q.units[c.host], c.hostMax, c.dsName, c.q.units[c.ds], c.dsMax)
	return false
}

// wait blocks until the units are taken (true) or stop is closed (false).
// Queued tasks start in no particular order, as vCenter promises none.
func (c *provClaim) wait(stop <-chan struct{}) bool {
	for {
		c.q.mu.Lock()
		if c.fits() {
			c.takeLocked()
			c.q.mu.Unlock()
			return true
		}
		changed := c.q.changed
		c.q.mu.Unlock()
		select {
		case <-stop:
			return false
		case <-changed:
		}
	}
}

// done: the task ended; its units and its place go back.
func (c *provClaim) done() {
	if c == nil {
		return
	}
	q := c.q
	q.mu.Lock()
	defer q.mu.Unlock()
	if c.taken {
		q.units[c.host] -= c.hostCost
		q.units[c.ds] -= c.dsCost
		q.running[c.host]--
		q.running[c.ds]--
		c.taken = false
	}
	q.inflight[c.flight]--
	q.inflight[c.ds]--
	close(q.changed)
	q.changed = make(chan struct{})
}

func (c *provClaim) String() string {
	return fmt.Sprintf("%s on %s/%s", c.task, c.hostName, c.dsName)
}
