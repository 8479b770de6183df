// A front check that makes the simulator answer like vCenter when a request
// names an inventory object that does not exist: a ManagedObjectNotFound
// fault. (Some simulator methods dereference such references unchecked and
// panic, which a client sees as a dropped connection instead.)
package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

var inventoryTypes = map[string]bool{
	"Datastore": true, "ResourcePool": true, "Folder": true, "HostSystem": true,
	"VirtualMachine": true, "VirtualMachineSnapshot": true, "Network": true,
	"DistributedVirtualPortgroup": true, "ClusterComputeResource": true,
	"ComputeResource": true, "Datacenter": true, "VirtualApp": true,
}

const maxBody = 64 << 20

// logMethods (-log-methods, switched on once the lab is set up) makes the
// simulator log "call <Method>" as each SOAP request arrives, before any
// delay: tests wait for that line instead of sleeping.
var logMethods int32

func validateRefs(next http.Handler, p *pager) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		if atomic.LoadInt32(&logMethods) != 0 {
			method, _ := requestInfo(body)
			log.Printf("call %s", method)
		}
		if ref := missingRef(body); ref != nil {
			writeNotFound(w, *ref)
			return
		}
		if p != nil && p.handle(w, r, body, next) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// missingRef returns the first reference to an inventory object that is not
// in the registry.
func missingRef(body []byte) *types.ManagedObjectReference {
	d := xml.NewDecoder(bytes.NewReader(body))
	var pending string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			pending = ""
			for _, a := range t.Attr {
				if a.Name.Local == "type" && a.Name.Space == "" && inventoryTypes[a.Value] {
					pending = a.Value
				}
			}
			text.Reset()
		case xml.CharData:
			if pending != "" {
				text.Write(t)
			}
		case xml.EndElement:
			if pending != "" {
				ref := types.ManagedObjectReference{Type: pending, Value: strings.TrimSpace(text.String())}
				pending = ""
				if simulator.Map.Get(ref) == nil {
					return &ref
				}
			}
		}
	}
}

func writeNotFound(w http.ResponseWriter, ref types.ManagedObjectReference) {
	var id, msg bytes.Buffer
	_ = xml.EscapeText(&id, []byte(ref.Value))
	_ = xml.EscapeText(&msg, []byte(fmt.Sprintf(
		"The object 'vim.%s:%s' has already been deleted or has not been completely created",
		ref.Type, ref.Value)))
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail><ManagedObjectNotFoundFault xmlns="urn:vim25" xsi:type="ManagedObjectNotFound"><obj type="%s">%s</obj></ManagedObjectNotFoundFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		msg.String(), ref.Type, id.String())
}
