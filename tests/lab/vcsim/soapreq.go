package main

import (
	"bytes"
	"io"
	"io/ioutil"
	"net/http"
	"strings"
)

// readBody reads a request's body (up to maxBody) and puts it back for the
// next handler; on a read error it answers 400 and returns false.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := ioutil.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false
	}
	r.Body = ioutil.NopCloser(bytes.NewReader(body))
	return body, true
}

// soapRequest is readBody for the SOAP API's calls (POST /sdk...); any other
// request goes on to next as it is, and soapRequest returns false.
func soapRequest(next http.Handler, w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/sdk") {
		next.ServeHTTP(w, r)
		return nil, false
	}
	return readBody(w, r)
}
