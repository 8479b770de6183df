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
// names, else its source's host, and on the datastore its spec names, else
// the source's first. The blog says vCenter also charges a clone's source
// host; the lab charges the destination only, as the issue asks (a clone
// waits for units on its host), so that clones spread over hosts run side by
// side. The log records, for tests:
//
//	"provqueue: TASK submitted (NAME): host H in flight N, datastore D in flight M"
//	  as a CloneVM_Task arrives (N, M: clone tasks not yet ended there,
//	  this one included: what the client has in flight);
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
	host, ds         string // keys
	hostName, dsName string
	hostCost, dsCost int
	hostMax, dsMax   int
	taken            bool
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
	if src, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "VirtualMachine",
		Value: source}).(*simulator.VirtualMachine); ok {
		simulator.Map.WithLock(src, func() {
			if hostID == "" && src.Runtime.Host != nil {
				hostID = src.Runtime.Host.Value
			}
			if dsID == "" && len(src.Datastore) > 0 {
				dsID = src.Datastore[0].Value
			}
		})
	}
	c := &provClaim{q: q, task: task, name: name, host: "host-" + hostID, ds: "datastore-" + dsID,
		hostName: entityName(types.ManagedObjectReference{Type: "HostSystem", Value: hostID}),
		dsName:   entityName(types.ManagedObjectReference{Type: "Datastore", Value: dsID}),
		hostCost: provHostFull, dsCost: provDatastoreFull, hostMax: hmax, dsMax: dmax}
	if linked {
		c.hostCost, c.dsCost = provHostLinked, provDatastoreLink
	}
	q.mu.Lock()
	q.inflight[c.host]++
	q.inflight[c.ds]++
	log.Printf("provqueue: %s submitted (%s): host %s in flight %d, datastore %s in flight %d",
		task, name, c.hostName, q.inflight[c.host], c.dsName, q.inflight[c.ds])
	q.mu.Unlock()
	return c
}

// fits: vCenter starts an operation on an idle resource whatever it costs.
func (c *provClaim) fits() bool {
	q := c.q
	return (q.running[c.host] == 0 || q.units[c.host]+c.hostCost <= c.hostMax) &&
		(q.running[c.ds] == 0 || q.units[c.ds]+c.dsCost <= c.dsMax)
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
	q.inflight[c.host]--
	q.inflight[c.ds]--
	close(q.changed)
	q.changed = make(chan struct{})
}

func (c *provClaim) String() string {
	return fmt.Sprintf("%s on %s/%s", c.task, c.hostName, c.dsName)
}
