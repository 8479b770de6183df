// vCenter tagging and custom attributes in the lab.
//
// The vAPI REST endpoint (/rest/com/vmware/cis/...) is govmomi's vapi
// simulator, registered by importing its package. In front of it and of the
// SOAP CustomFieldsManager, vcenterLabels makes the simulator answer as
// vCenter does where they differ:
//
//   - POST /rest/com/vmware/cis/session checks the user and password (the
//     simulator accepts any); a wrong one is 401 unauthenticated.
//   - Attaching a tag checks what vCenter checks: the object exists, the
//     tag's category may be attached to its type (associable_types), and a
//     category with SINGLE cardinality holds one tag per object ("Tagging
//     cardinality violation"). Attaching a tag that is already attached is
//     fine, as in vCenter.
//   - SetField replaces the entity's value of that field (the simulator adds
//     one more value each time) and refuses a field defined for another type
//     of object (InvalidArgument).
//
// seedLabels creates the categories, tags and custom field definitions the
// tests use (tests/lab/README, "Tags and custom attributes").
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vapi/rest"
	_ "github.com/vmware/govmomi/vapi/simulator" // the /rest endpoint
	"github.com/vmware/govmomi/vapi/tags"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Test hook: while the file <state>/hold-tag-attach exists, a tag attach
// waits (up to 60 s) before it is served, and the simulator logs
// "holding tag attach" once it does: a test can change vCenter's tags at
// that exact point of a client's run.
const holdAttachFile = "hold-tag-attach"

// The lab's tagging catalogue (documented in tests/lab/README).
var labCategories = []struct {
	name        string
	cardinality string
	types       []string
	tags        []string
}{
	{"env", "SINGLE", []string{"VirtualMachine"}, []string{"prod", "dev"}},
	{"team", "MULTIPLE", nil, []string{"platform", "web"}},
	{"tier", "MULTIPLE", []string{"VirtualMachine"}, []string{"prod", "gold"}},
	{"rack", "MULTIPLE", []string{"HostSystem"}, []string{"r1"}},
	{"site/eu", "MULTIPLE", nil, []string{"fra"}},
}

// Custom field definitions: name and the object type they apply to ("": all).
var labFields = []struct{ name, moType string }{
	{"owner", "VirtualMachine"},
	{"cost-center", ""},
	{"rack-position", "HostSystem"},
}

// seedLabels creates the catalogue through the simulator's own APIs (REST
// for tags, SOAP for custom fields), as an administrator would.
func seedLabels(ctx context.Context, u *url.URL, user, password string) error {
	lu := *u
	lu.User = url.UserPassword(user, password)
	c, err := govmomi.NewClient(ctx, &lu, true)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()

	rc := rest.NewClient(c.Client)
	if err = rc.Login(ctx, url.UserPassword(user, password)); err != nil {
		return fmt.Errorf("vAPI login: %v", err)
	}
	defer func() { _ = rc.Logout(ctx) }()
	m := tags.NewManager(rc)
	for _, cat := range labCategories {
		id, err := m.CreateCategory(ctx, &tags.Category{
			Name: cat.name, Description: "drover lab", Cardinality: cat.cardinality,
			AssociableTypes: cat.types,
		})
		if err != nil {
			return fmt.Errorf("category %s: %v", cat.name, err)
		}
		for _, t := range cat.tags {
			if _, err = m.CreateTag(ctx, &tags.Tag{Name: t, CategoryID: id}); err != nil {
				return fmt.Errorf("tag %s/%s: %v", cat.name, t, err)
			}
		}
	}

	cfm, err := object.GetCustomFieldsManager(c.Client)
	if err != nil {
		return err
	}
	for _, f := range labFields {
		if _, err = cfm.Add(ctx, f.name, f.moType, nil, nil); err != nil {
			return fmt.Errorf("custom field %s: %v", f.name, err)
		}
	}
	return nil
}

// vcenterLabels wraps the server's handler (see the file comment).
func vcenterLabels(next http.Handler, user, password, state string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/rest/"):
			if r.URL.Query().Get("~action") == "attach" {
				holdAttach(filepath.Join(state, holdAttachFile))
			}
			vapiGuard(next, w, r, user, password)
		case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/sdk"):
			setFieldGuard(next, w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func holdAttach(path string) {
	if _, err := os.Stat(path); err != nil {
		return
	}
	log.Printf("holding tag attach while %s exists", path)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if _, err := os.Stat(path); err != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func vapiError(w http.ResponseWriter, status int, kind, msg string) {
	type message struct {
		ID             string   `json:"id"`
		DefaultMessage string   `json:"default_message"`
		Args           []string `json:"args"`
	}
	body := struct {
		Type  string `json:"type"`
		Value struct {
			Messages []message `json:"messages"`
		} `json:"value"`
	}{Type: kind}
	body.Value.Messages = []message{{ID: kind, DefaultMessage: msg, Args: []string{}}}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// inner calls the vapi simulator with the caller's session, for a lookup.
func inner(next http.Handler, r *http.Request, method, path string, body interface{}) (int, []byte) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("vmware-api-session-id", sessionID(r))
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func sessionID(r *http.Request) string {
	if id := r.Header.Get("vmware-api-session-id"); id != "" {
		return id
	}
	if c, err := r.Cookie("vmware-api-session-id"); err == nil {
		return c.Value
	}
	return ""
}

func vapiGuard(next http.Handler, w http.ResponseWriter, r *http.Request, user, password string) {
	const sessionPath = "/rest/com/vmware/cis/session"
	action := r.URL.Query().Get("~action")

	if r.Method == http.MethodPost && r.URL.Path == sessionPath && action == "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != password {
			vapiError(w, http.StatusUnauthorized, "com.vmware.vapi.std.errors.unauthenticated",
				"Authentication required.")
			return
		}
	}
	const assocPrefix = "/rest/com/vmware/cis/tagging/tag-association/id:"
	if r.Method == http.MethodPost && action == "attach" && strings.HasPrefix(r.URL.Path, assocPrefix) {
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		if sessionID(r) != "" && !attachAllowed(next, w, r, strings.TrimPrefix(r.URL.Path, assocPrefix), body) {
			return
		}
	}
	next.ServeHTTP(w, r)
}

type restObject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// attachAllowed answers (and returns false) when vCenter would refuse to
// attach tag tagID to the object in body.
func attachAllowed(next http.Handler, w http.ResponseWriter, r *http.Request, tagID string, body []byte) bool {
	var spec struct {
		ObjectID *restObject `json:"object_id"`
	}
	if json.Unmarshal(body, &spec) != nil || spec.ObjectID == nil {
		return true // the simulator answers a malformed request itself
	}
	obj := *spec.ObjectID
	if simulator.Map.Get(types.ManagedObjectReference{Type: obj.Type, Value: obj.ID}) == nil {
		vapiError(w, http.StatusForbidden, "com.vmware.vapi.std.errors.unauthorized",
			fmt.Sprintf("Object %s:%s does not exist or is not accessible", obj.Type, obj.ID))
		return false
	}
	var tag struct {
		Value tags.Tag `json:"value"`
	}
	code, out := inner(next, r, http.MethodGet, "/rest/com/vmware/cis/tagging/tag/id:"+tagID, nil)
	if code != http.StatusOK || json.Unmarshal(out, &tag) != nil {
		return true // not found and the like: the simulator says so
	}
	var cat struct {
		Value tags.Category `json:"value"`
	}
	code, out = inner(next, r, http.MethodGet, "/rest/com/vmware/cis/tagging/category/id:"+tag.Value.CategoryID, nil)
	if code != http.StatusOK || json.Unmarshal(out, &cat) != nil {
		return true
	}
	if len(cat.Value.AssociableTypes) > 0 {
		allowed := false
		for _, t := range cat.Value.AssociableTypes {
			allowed = allowed || t == obj.Type
		}
		if !allowed {
			vapiError(w, http.StatusBadRequest, "com.vmware.vapi.std.errors.invalid_argument",
				fmt.Sprintf("Category %s cannot be associated with %s", cat.Value.Name, obj.Type))
			return false
		}
	}
	if cat.Value.Cardinality != "SINGLE" {
		return true
	}
	var attached struct {
		Value []string `json:"value"`
	}
	code, out = inner(next, r, http.MethodPost,
		"/rest/com/vmware/cis/tagging/tag-association?~action=list-attached-tags",
		map[string]restObject{"object_id": obj})
	if code != http.StatusOK || json.Unmarshal(out, &attached) != nil {
		return true
	}
	for _, id := range attached.Value {
		if id == tagID {
			continue
		}
		var other struct {
			Value tags.Tag `json:"value"`
		}
		code, out = inner(next, r, http.MethodGet, "/rest/com/vmware/cis/tagging/tag/id:"+id, nil)
		if code == http.StatusOK && json.Unmarshal(out, &other) == nil &&
			other.Value.CategoryID == tag.Value.CategoryID {
			vapiError(w, http.StatusBadRequest, "com.vmware.vapi.std.errors.invalid_argument",
				"Tagging cardinality violation")
			return false
		}
	}
	return true
}

// setFieldRequest is the part of a SetField call the guard needs.
type setFieldRequest struct {
	Entity struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	} `xml:"Body>SetField>entity"`
	Key string `xml:"Body>SetField>key"`
}

func setFieldGuard(next http.Handler, w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if !bytes.Contains(body, []byte("SetField")) {
		next.ServeHTTP(w, r)
		return
	}
	var req setFieldRequest
	if xml.Unmarshal(body, &req) != nil || req.Key == "" {
		next.ServeHTTP(w, r)
		return
	}
	key, err := strconv.Atoi(strings.TrimSpace(req.Key))
	ref := types.ManagedObjectReference{Type: req.Entity.Type, Value: strings.TrimSpace(req.Entity.Value)}
	obj, isEntity := simulator.Map.Get(ref).(mo.Entity)
	if err != nil || !isEntity {
		next.ServeHTTP(w, r) // the simulator (or validateRefs) answers
		return
	}
	for _, f := range simulator.Map.CustomFieldsManager().Field {
		if f.Key != int32(key) {
			continue
		}
		if f.ManagedObjectType != "" && f.ManagedObjectType != ref.Type {
			writeSetFieldFault(w, fmt.Sprintf("field %s applies to %s, not to %s",
				f.Name, f.ManagedObjectType, ref.Type))
			return
		}
		// One value per field: drop the old one, the simulator adds the new.
		e := obj.Entity()
		simulator.Map.WithLock(obj, func() {
			e.CustomValue = dropKey(e.CustomValue, int32(key))
			e.Value = dropKey(e.Value, int32(key))
		})
	}
	next.ServeHTTP(w, r)
}

func dropKey(vals []types.BaseCustomFieldValue, key int32) []types.BaseCustomFieldValue {
	out := vals[:0:0]
	for _, v := range vals {
		if v.GetCustomFieldValue().Key != key {
			out = append(out, v)
		}
	}
	return out
}

// writeSetFieldFault answers with vCenter's InvalidArgument fault (shaped
// like writeNotFound's).
func writeSetFieldFault(w http.ResponseWriter, msg string) {
	var text bytes.Buffer
	_ = xml.EscapeText(&text, []byte(msg))
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail><InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>key</invalidProperty></InvalidArgumentFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		text.String())
}
