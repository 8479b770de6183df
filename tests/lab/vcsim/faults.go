// Fault injection: make a vSphere method fail with a chosen fault, for good
// or for its next N calls, the way vCenter reports it. A method whose name
// ends in _Task returns a task that then ends in error with the fault in
// info.error (as vCenter does for an HA admission failure at power-on); any
// other method answers with a SOAP fault carrying it.
//
// Method/done=FaultName[:count] carries the call out first and then answers
// with the fault: the work happened but its answer was lost (a clone that
// completed while the client's wait failed).
//
// Faults come from -fault Method=FaultName[:count] (repeatable, or
// comma-separated) and from the control file <state>/faults (the same specs,
// one a line, '#' comments), re-read whenever it changes: tests arm and
// clear faults while the lab runs (`lab fault`). FaultName is any vim25
// fault type (InvalidPowerState, InsufficientResourcesFault, ...).
package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io/ioutil"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type faultSpec struct {
	method string
	fault  string // vim25 type name
	left   int    // calls still to fail; -1: every call
	done   bool   // the call is carried out, only its answer is the fault
}

// faultList is the -fault flag: repeatable, each a comma-separated list.
type faultList []faultSpec

func (l *faultList) String() string {
	var parts []string
	for _, f := range *l {
		parts = append(parts, f.String())
	}
	return strings.Join(parts, ",")
}

func (l *faultList) Set(v string) error {
	specs, err := parseFaults(v, ",")
	if err != nil {
		return err
	}
	*l = append(*l, specs...)
	return nil
}

func (f faultSpec) String() string {
	m := f.method
	if f.done {
		m += "/done"
	}
	if f.left < 0 {
		return m + "=" + f.fault
	}
	return fmt.Sprintf("%s=%s:%d", m, f.fault, f.left)
}

// parseFaults reads Method=FaultName[:count] items separated by sep.
func parseFaults(text, sep string) ([]faultSpec, error) {
	var out []faultSpec
	for _, item := range strings.Split(text, sep) {
		if i := strings.IndexByte(item, '#'); i >= 0 {
			item = item[:i]
		}
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		kv := strings.SplitN(item, "=", 2)
		if len(kv) != 2 || kv[0] == "" || kv[1] == "" {
			return nil, fmt.Errorf("fault %q is not Method=FaultName[:count]", item)
		}
		f := faultSpec{method: kv[0], fault: kv[1], left: -1}
		if strings.HasSuffix(f.method, "/done") {
			f.method, f.done = strings.TrimSuffix(f.method, "/done"), true
		}
		if i := strings.LastIndexByte(f.fault, ':'); i >= 0 {
			n, err := strconv.Atoi(f.fault[i+1:])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("fault %q: the count must be a number >= 1", item)
			}
			f.fault, f.left = f.fault[:i], n
		}
		if _, err := newFault(f.fault); err != nil {
			return nil, fmt.Errorf("fault %q: %v", item, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// newFault makes an empty vim25 fault of the named type.
func newFault(name string) (types.BaseMethodFault, error) {
	t, ok := types.TypeFunc()(name)
	if !ok {
		return nil, fmt.Errorf("%s is not a vim25 type", name)
	}
	f, ok := reflect.New(t).Interface().(types.BaseMethodFault)
	if !ok {
		return nil, fmt.Errorf("%s is not a fault type", name)
	}
	return f, nil
}

type faulter struct {
	mu      sync.Mutex
	static  []faultSpec // from -fault
	file    string      // the control file
	stamp   string      // its size and mtime when last read
	dynamic []faultSpec // from the control file
	delays  *simulator.DelayConfig
}

func newFaulter(static []faultSpec, file string, delays *simulator.DelayConfig) *faulter {
	return &faulter{static: static, file: file, delays: delays}
}

// reload re-reads the control file when it changed. Called with mu held.
func (f *faulter) reload() {
	st, err := os.Stat(f.file)
	stamp := ""
	if err == nil {
		stamp = fmt.Sprintf("%d/%d", st.Size(), st.ModTime().UnixNano())
	}
	if stamp == f.stamp {
		return
	}
	f.stamp = stamp
	f.dynamic = nil
	if stamp == "" {
		return
	}
	data, err := ioutil.ReadFile(f.file)
	if err == nil {
		f.dynamic, err = parseFaults(string(data), "\n")
	}
	if err != nil {
		log.Printf("%s: %v (no faults from it)", f.file, err)
		f.dynamic = nil
		return
	}
	l := faultList(f.dynamic)
	log.Printf("faults from %s: %s", f.file, l.String())
}

// take returns the fault due for a call of method, if any, and counts it;
// done says the call is to be carried out first.
func (f *faulter) take(method string) (name string, done bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reload()
	for _, l := range [][]faultSpec{f.dynamic, f.static} {
		for i := range l {
			if l[i].method != method || l[i].left == 0 {
				continue
			}
			if l[i].left > 0 {
				l[i].left--
			}
			return l[i].fault, l[i].done
		}
	}
	return "", false
}

// handler answers a call of a faulted method itself; others go to next.
func (f *faulter) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		method, vals := requestInfo(body, "_this")
		name, done := f.take(method)
		if name == "" {
			next.ServeHTTP(w, r)
			return
		}
		fault, _ := newFault(name)
		msg := fmt.Sprintf("the lab injected this fault into %s", method)
		if done {
			// The simulator does the work (with its delays; its tasks are
			// finished when the call returns); the client never hears.
			next.ServeHTTP(httptest.NewRecorder(), r)
			msg = fmt.Sprintf("the lab carried out %s, then answered with this fault", method)
		} else if d := f.delays.MethodDelay[method] + f.delays.Delay; d > 0 {
			time.Sleep(time.Duration(d) * time.Millisecond)
		}
		log.Printf("fault: %s", msg)
		if strings.HasSuffix(method, "_Task") {
			this := types.ManagedObjectReference{Type: thisType(body), Value: strings.TrimSpace(vals["_this"])}
			writeSOAP(w, http.StatusOK, taskReturn{
				XMLName:   xml.Name{Space: "urn:vim25", Local: method + "Response"},
				Returnval: failedTask(this, method, fault, msg),
			})
			return
		}
		writeSOAP(w, http.StatusInternalServerError, soapFault{
			Code: "ServerFaultCode", String: msg, Detail: faultDetail{fault: fault},
		})
	})
}

// thisType is the type attribute of the request's _this element.
func thisType(body []byte) string {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "_this" {
			for _, a := range se.Attr {
				if a.Name.Local == "type" {
					return a.Value
				}
			}
			return ""
		}
	}
}

// failedTask registers a task on entity that has already failed with fault.
func failedTask(entity types.ManagedObjectReference, method string, fault types.BaseMethodFault, msg string) types.ManagedObjectReference {
	task := simulator.CreateTask(entity, strings.TrimSuffix(method, "_Task")+"Task",
		func(*simulator.Task) (types.AnyType, types.BaseMethodFault) { return nil, nil })
	now := time.Now()
	simulator.Map.Update(task, []types.PropertyChange{
		{Name: "info.startTime", Val: now},
		{Name: "info.completeTime", Val: now},
		{Name: "info.state", Val: types.TaskInfoStateError},
		{Name: "info.error", Val: types.LocalizedMethodFault{Fault: fault, LocalizedMessage: msg}},
	})
	return task.Self
}

type taskReturn struct {
	XMLName   xml.Name
	Returnval types.ManagedObjectReference `xml:"returnval"`
}

type soapFault struct {
	XMLName xml.Name    `xml:"soapenv:Fault"`
	Code    string      `xml:"faultcode"`
	String  string      `xml:"faultstring"`
	Detail  faultDetail `xml:"detail"`
}

type faultDetail struct {
	fault types.BaseMethodFault
}

// MarshalXML writes <detail><{Type}Fault xmlns="urn:vim25" xsi:type="{Type}">,
// as vCenter does.
func (d faultDetail) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	kind := reflect.TypeOf(d.fault).Elem().Name()
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	inner := xml.StartElement{Name: xml.Name{Local: kind + "Fault"}, Attr: []xml.Attr{
		{Name: xml.Name{Local: "xmlns"}, Value: "urn:vim25"},
		{Name: xml.Name{Local: "xsi:type"}, Value: kind},
	}}
	if err := e.EncodeElement(d.fault, inner); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

type soapEnvelope struct {
	XMLName xml.Name `xml:"soapenv:Envelope"`
	Env     string   `xml:"xmlns:soapenv,attr"`
	XSD     string   `xml:"xmlns:xsd,attr"`
	XSI     string   `xml:"xmlns:xsi,attr"`
	Body    soapBody
}

// soapBody holds one element named by its own XMLName.
type soapBody struct {
	XMLName xml.Name `xml:"soapenv:Body"`
	Content interface{}
}

func writeSOAP(w http.ResponseWriter, status int, body interface{}) {
	var out bytes.Buffer
	out.WriteString(xml.Header)
	err := xml.NewEncoder(&out).Encode(soapEnvelope{
		Env:  "http://schemas.xmlsoap.org/soap/envelope/",
		XSD:  "http://www.w3.org/2001/XMLSchema",
		XSI:  "http://www.w3.org/2001/XMLSchema-instance",
		Body: soapBody{Content: body},
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}
