// Result paging for RetrievePropertiesEx, which the simulator does not do:
// like vCenter, a result with more objects than the request's maxObjects
// comes back in pages, continued with ContinueRetrievePropertiesEx(token)
// and abandoned with CancelRetrievePropertiesEx(token).
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
)

type pager struct {
	mu    sync.Mutex
	pages map[string]*pending
	delay *simulator.DelayConfig
}

type pending struct {
	objects [][]byte
	max     int
}

func newPager(delay *simulator.DelayConfig) *pager {
	return &pager{pages: map[string]*pending{}, delay: delay}
}

const envelopeStart = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`
const envelopeEnd = `</soapenv:Body></soapenv:Envelope>`

// requestInfo returns the SOAP method's name and the text of the first
// element named field inside it.
func requestInfo(body []byte, fields ...string) (string, map[string]string) {
	d := xml.NewDecoder(bytes.NewReader(body))
	method, inBody := "", false
	vals := map[string]string{}
	cur := ""
	for {
		tok, err := d.Token()
		if err != nil {
			return method, vals
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "Body" {
				inBody = true
			} else if inBody && method == "" {
				method = t.Name.Local
			}
			cur = ""
			for _, f := range fields {
				if t.Name.Local == f {
					if _, seen := vals[f]; !seen {
						cur = f
					}
				}
			}
		case xml.CharData:
			if cur != "" {
				vals[cur] += string(t)
			}
		case xml.EndElement:
			cur = ""
		}
	}
}

func (p *pager) sleep(method string) {
	if p.delay == nil {
		return
	}
	d := p.delay.Delay + p.delay.MethodDelay[method]
	if d > 0 {
		time.Sleep(time.Duration(d) * time.Millisecond)
	}
}

// handle serves the paging methods; false when the request is not one.
func (p *pager) handle(w http.ResponseWriter, r *http.Request, body []byte, next http.Handler) bool {
	method, vals := requestInfo(body, "maxObjects", "token")
	switch method {
	case "RetrievePropertiesEx":
		max, _ := strconv.Atoi(strings.TrimSpace(vals["maxObjects"]))
		if max <= 0 {
			return false
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := rec.Body.Bytes()
		if rec.Code == http.StatusOK {
			if prefix, objs, suffix, ok := splitObjects(res); ok && len(objs) > max {
				token := p.save(objs[max:], max)
				var b bytes.Buffer
				b.Write(prefix)
				fmt.Fprintf(&b, "<token>%s</token>", token)
				for _, o := range objs[:max] {
					b.Write(o)
				}
				b.Write(suffix)
				res = b.Bytes()
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(res)
		return true
	case "ContinueRetrievePropertiesEx":
		p.sleep(method)
		token := strings.TrimSpace(vals["token"])
		p.mu.Lock()
		pg := p.pages[token]
		delete(p.pages, token)
		p.mu.Unlock()
		if pg == nil {
			writeFault(w, "InvalidArgument", "<invalidProperty>token</invalidProperty>",
				"A specified parameter was not correct: token")
			return true
		}
		var b bytes.Buffer
		b.WriteString(envelopeStart + `<ContinueRetrievePropertiesExResponse xmlns="urn:vim25"><returnval>`)
		objs := pg.objects
		if len(objs) > pg.max {
			fmt.Fprintf(&b, "<token>%s</token>", p.save(objs[pg.max:], pg.max))
			objs = objs[:pg.max]
		}
		for _, o := range objs {
			b.Write(o)
		}
		b.WriteString(`</returnval></ContinueRetrievePropertiesExResponse>` + envelopeEnd)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(b.Bytes())
		return true
	case "CancelRetrievePropertiesEx":
		p.mu.Lock()
		delete(p.pages, strings.TrimSpace(vals["token"]))
		p.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write([]byte(envelopeStart + `<CancelRetrievePropertiesExResponse xmlns="urn:vim25"></CancelRetrievePropertiesExResponse>` + envelopeEnd))
		return true
	}
	return false
}

func (p *pager) save(objs [][]byte, max int) string {
	var raw [12]byte
	_, _ = rand.Read(raw[:])
	token := hex.EncodeToString(raw[:])
	p.mu.Lock()
	p.pages[token] = &pending{objects: objs, max: max}
	p.mu.Unlock()
	return token
}

// splitObjects cuts a RetrievePropertiesEx response into the text before the
// first <objects>, each <objects> element, and the text after the last.
func splitObjects(res []byte) ([]byte, [][]byte, []byte, bool) {
	d := xml.NewDecoder(bytes.NewReader(res))
	depth, rv := 0, -1
	var objs [][]byte
	first, last, start := int64(-1), int64(-1), int64(-1)
	for {
		off := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Local == "returnval" && rv < 0 {
				rv = depth
			} else if depth == rv+1 && rv > 0 && t.Name.Local == "objects" {
				start = off
				if first < 0 {
					first = off
				}
			}
		case xml.EndElement:
			if depth == rv+1 && rv > 0 && t.Name.Local == "objects" && start >= 0 {
				end := d.InputOffset()
				objs = append(objs, res[start:end])
				last = end
				start = -1
			}
			depth--
		}
	}
	if first < 0 || last < 0 {
		return nil, nil, nil, false
	}
	return res[:first], objs, res[last:], true
}

func writeFault(w http.ResponseWriter, fault, detail, msg string) {
	var m bytes.Buffer
	_ = xml.EscapeText(&m, []byte(msg))
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `%s<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail><%sFault xmlns="urn:vim25" xsi:type="%s">%s</%sFault></detail></soapenv:Fault>%s`,
		envelopeStart, m.String(), fault, fault, detail, fault, envelopeEnd)
}
