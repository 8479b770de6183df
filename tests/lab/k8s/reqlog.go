package main

// The API stand-in's request log: one line per request the API answered,
// "TIME METHOD PATH?QUERY STATUS USER", appended to
// <data-dir>/server/requests.log (for a lab node: the node folder's
// rootfs/var-lib/up/rancher/<dist>/server/requests.log). Tests read it to
// check what a client did and in which order (a drain's cordon, evictions
// and their 429s, the Node's delete), from the server's side rather than
// from the client's own account. The kube-apiserver's audit log is the real
// counterpart.

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"
)

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	return w.ResponseWriter.Write(b)
}

type requestLogger struct {
	next http.Handler
	mu   sync.Mutex
	f    *os.File
}

// requestLog wraps h so that every request is logged to path (created 0600;
// on an error the requests are served unlogged).
func requestLog(h http.Handler, path string) http.Handler {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0600)
	if err != nil {
		infof("request log %s: %v", path, err)
		return h
	}
	return &requestLogger{next: h, f: f}
}

func (l *requestLogger) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	l.next.ServeHTTP(sw, r)
	user := "-"
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		user = r.TLS.VerifiedChains[0][0].Subject.CommonName
	}
	code := sw.code
	if code == 0 {
		code = 200
	}
	l.mu.Lock()
	fmt.Fprintf(l.f, "%s %s %s %d %s\n", time.Now().UTC().Format(time.RFC3339Nano), r.Method,
		r.URL.RequestURI(), code, user)
	l.mu.Unlock()
}
