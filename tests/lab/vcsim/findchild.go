package main

import (
	"bytes"
	"io/ioutil"
	"log"
	"net/http"
	"net/http/httptest"
	"time"
)

// findChildLikeVCenter: vCenter's SearchIndex.FindChild answers while clones
// run in the folder it searches. govmomi's simulator lists a VM in its folder
// before the VM has a name, and FindChild then panics ("does not have a
// Name"): the client sees its connection closed. drover asks FindChild
// before each clone (vs_find_vm), so with concurrent clones the lab failed a
// call vCenter would answer. A FindChild that panics is run again, a few
// milliseconds later, once the clone has named its VM (the simulator's
// WithLock unlocks on the panic).
func findChildLikeVCenter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		if !bytes.Contains(body, []byte("FindChild")) {
			next.ServeHTTP(w, r)
			return
		}
		for attempt := 1; ; attempt++ {
			rec := httptest.NewRecorder()
			r.Body = ioutil.NopCloser(bytes.NewReader(body))
			if served(next, rec, r) || attempt == 50 {
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				w.Write(rec.Body.Bytes())
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// served runs next and says whether it ended without a panic.
func served(next http.Handler, w http.ResponseWriter, r *http.Request) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			log.Printf("FindChild panicked in the simulator (%v): asking again", p)
			ok = false
		}
	}()
	next.ServeHTTP(w, r)
	return true
}
