// Clones that take time, as in vCenter. govmomi's simulator does the whole
// clone inside the CloneVM_Task call and answers with a task that has already
// ended, so a client never sees a clone task running. vCenter answers at once
// with a running task, and the task runs on whatever the client does: it may
// log out, be killed or stop waiting, and the VM still appears when the task
// ends. CancelTask ends a running clone task without a VM (RequestCanceled).
//
// The control file STATE/clone-time holds how long a clone task runs (ms);
// without it (or with 0) clones are the simulator's own. STATE/clone-time-answer-delay
// (ms) holds the answer back after the task started, as a slow network would:
// a client that dies meanwhile never learns the task's id. Each deferred clone
// logs "clone task TASK running (NAME, MS ms)" when it is handed out and
// "clone task TASK ended: STATE" when it ends, so tests wait for those lines.
package main

import (
	"bytes"
	"encoding/xml"
	"io/ioutil"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type deferredClones struct {
	next     http.Handler
	file     string
	user     string
	password string
	mu       sync.Mutex
	cancel   map[string]chan struct{} // running deferred clone tasks
	queue    *provQueue               // vCenter's provisioning queue (provqueue.go)
	claims   map[string]*provClaim    // its clone tasks' places in it, by task
}

func newDeferredClones(next http.Handler, state, user, password string) http.Handler {
	return &deferredClones{next: next, file: state + "/clone-time", user: user,
		password: password, cancel: map[string]chan struct{}{}, queue: newProvQueue(state),
		claims: map[string]*provClaim{}}
}

// cloneTime is the control file's value; 0 when it is missing or unreadable.
func (d *deferredClones) cloneTime() time.Duration {
	return msFile(d.file)
}

func msFile(path string) time.Duration {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return 0
	}
	ms, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || ms <= 0 {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

func (d *deferredClones) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := soapRequest(d.next, w, r)
	if !ok {
		return
	}
	method, vals := requestInfo(body, "_this", "name", "host", "datastore", "diskMoveType")
	switch method {
	case "CancelTask":
		if d.cancelTask(w, strings.TrimSpace(vals["_this"])) {
			return
		}
	case "CloneVM_Task":
		if wait := d.cloneTime(); wait > 0 {
			d.startClone(w, r, body, vals, wait)
			return
		}
	}
	d.next.ServeHTTP(w, r)
}

// startClone answers with a running task and runs the clone when wait has
// passed, unless the task was cancelled meanwhile.
func (d *deferredClones) startClone(w http.ResponseWriter, r *http.Request, body []byte,
	vals map[string]string, wait time.Duration) {
	source, name := strings.TrimSpace(vals["_this"]), vals["name"]
	src := types.ManagedObjectReference{Type: "VirtualMachine", Value: source}
	task := simulator.CreateTask(src, "cloneVm",
		func(*simulator.Task) (types.AnyType, types.BaseMethodFault) { return nil, nil })
	// In vCenter's provisioning queue (when on) the task may wait, queued.
	claim := d.queue.claim(task.Self.Value, name, source, strings.TrimSpace(vals["host"]),
		strings.TrimSpace(vals["datastore"]), vals["diskMoveType"] == "createNewChildDiskBacking")
	queued := claim != nil && !claim.tryTake()
	if queued {
		simulator.Map.Update(task, []types.PropertyChange{
			{Name: "info.queueTime", Val: time.Now()},
			{Name: "info.state", Val: types.TaskInfoStateQueued},
			{Name: "info.cancelable", Val: true},
		})
	} else {
		simulator.Map.Update(task, []types.PropertyChange{
			{Name: "info.startTime", Val: time.Now()},
			{Name: "info.state", Val: types.TaskInfoStateRunning},
			{Name: "info.cancelable", Val: true},
		})
	}
	stop := make(chan struct{})
	d.mu.Lock()
	d.cancel[task.Self.Value] = stop
	if claim != nil {
		d.claims[task.Self.Value] = claim
	}
	d.mu.Unlock()
	header := r.Header.Clone()
	path := r.URL.String()
	if !queued {
		log.Printf("clone task %s running (%s, %d ms)", task.Self.Value, name, wait.Milliseconds())
	}
	if hold := msFile(d.file + "-answer-delay"); hold > 0 {
		time.Sleep(hold)
	}
	writeSOAP(w, http.StatusOK, taskReturn{
		XMLName:   xml.Name{Space: "urn:vim25", Local: "CloneVM_TaskResponse"},
		Returnval: task.Self,
	})
	go func() {
		if queued {
			if !claim.wait(stop) {
				d.end(task, types.TaskInfoStateError, nil, &types.RequestCanceled{},
					"the operation was cancelled by the user")
				return
			}
			simulator.Map.Update(task, []types.PropertyChange{
				{Name: "info.startTime", Val: time.Now()},
				{Name: "info.state", Val: types.TaskInfoStateRunning},
			})
			log.Printf("clone task %s running (%s, %d ms)", task.Self.Value, name, wait.Milliseconds())
		}
		select {
		case <-stop:
			d.end(task, types.TaskInfoStateError, nil, &types.RequestCanceled{},
				"the operation was cancelled by the user")
			return
		case <-time.After(wait):
		}
		d.mu.Lock()
		delete(d.cancel, task.Self.Value)
		d.mu.Unlock()
		d.runClone(task, path, header, body)
	}()
}

// runClone makes the clone through the handler chain in a session of the
// lab's own: the client's session may be gone, as vCenter's tasks outlive
// theirs. The deferred task then takes the real task's outcome.
func (d *deferredClones) runClone(task *simulator.Task, path string, header http.Header, body []byte) {
	cookie, err := d.login(path, header)
	if err != "" {
		d.end(task, types.TaskInfoStateError, nil, &types.SystemError{Reason: err}, err)
		return
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header = header.Clone()
	req.Header.Del("Cookie")
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	d.next.ServeHTTP(rec, req)
	done, _ := simulator.Map.Get(types.ManagedObjectReference{Type: "Task",
		Value: returnval(rec.Body.Bytes())}).(*simulator.Task)
	if done == nil {
		d.end(task, types.TaskInfoStateError, nil, &types.SystemError{Reason: "clone failed"},
			strings.TrimSpace(rec.Body.String()))
		return
	}
	info := done.Info
	if info.State == types.TaskInfoStateSuccess {
		d.end(task, info.State, info.Result, nil, "")
		return
	}
	var fault types.BaseMethodFault = &types.SystemError{Reason: "clone failed"}
	msg := ""
	if info.Error != nil {
		fault, msg = info.Error.Fault, info.Error.LocalizedMessage
	}
	d.end(task, types.TaskInfoStateError, nil, fault, msg)
}

type loginRequest struct {
	XMLName  xml.Name                     `xml:"urn:vim25 Login"`
	This     types.ManagedObjectReference `xml:"_this"`
	UserName string                       `xml:"userName"`
	Password string                       `xml:"password"`
}

// login logs the lab's user in through the handler chain and returns the
// session cookie, or an error text.
func (d *deferredClones) login(path string, header http.Header) (string, string) {
	var msg bytes.Buffer
	enc := httptest.NewRecorder()
	writeSOAP(enc, http.StatusOK, loginRequest{
		This:     types.ManagedObjectReference{Type: "SessionManager", Value: "SessionManager"},
		UserName: d.user, Password: d.password,
	})
	msg.Write(enc.Body.Bytes())
	req := httptest.NewRequest(http.MethodPost, path, &msg)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	if a := header.Get("SOAPAction"); a != "" {
		req.Header.Set("SOAPAction", a)
	}
	rec := httptest.NewRecorder()
	d.next.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		return c.Name + "=" + c.Value, ""
	}
	return "", "the lab could not log in for a deferred clone: " + strings.TrimSpace(rec.Body.String())
}

func (d *deferredClones) end(task *simulator.Task, state types.TaskInfoState, result types.AnyType,
	fault types.BaseMethodFault, msg string) {
	changes := []types.PropertyChange{
		{Name: "info.completeTime", Val: time.Now()},
		{Name: "info.state", Val: state},
		{Name: "info.progress", Val: int32(100)},
	}
	if result != nil {
		changes = append(changes, types.PropertyChange{Name: "info.result", Val: result})
	}
	if fault != nil {
		changes = append(changes, types.PropertyChange{Name: "info.error",
			Val: types.LocalizedMethodFault{Fault: fault, LocalizedMessage: msg}})
	}
	// The units go back before anyone can see the task end.
	d.mu.Lock()
	claim := d.claims[task.Self.Value]
	delete(d.claims, task.Self.Value)
	d.mu.Unlock()
	claim.done()
	if claim != nil && claim.drs != nil && state == types.TaskInfoStateSuccess {
		if ref, ok := result.(types.ManagedObjectReference); ok {
			if vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine); ok {
				setHost(vm, claim.hostID) // where vCenter (DRS) started it
			}
		}
	}
	simulator.Map.Update(task, changes)
	log.Printf("clone task %s ended: %s", task.Self.Value, state)
}

// cancelTask answers CancelTask for a deferred clone; false: not one of ours.
func (d *deferredClones) cancelTask(w http.ResponseWriter, id string) bool {
	t, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "Task", Value: id}).(*simulator.Task)
	if !ok || t.Info.DescriptionId != "VirtualMachine.cloneVm" {
		return false
	}
	d.mu.Lock()
	stop, running := d.cancel[id]
	delete(d.cancel, id)
	d.mu.Unlock()
	if !running {
		// vCenter refuses to cancel a task that has ended.
		writeSOAP(w, http.StatusInternalServerError, soapFault{
			Code: "ServerFaultCode", String: "the task has already ended",
			Detail: faultDetail{fault: &types.InvalidState{}},
		})
		return true
	}
	close(stop)
	log.Printf("clone task %s: cancel requested", id)
	writeSOAP(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"urn:vim25 CancelTaskResponse"`
	}{})
	return true
}
