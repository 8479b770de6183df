// More vCenter users than drover's own (issue 14: the CPI/CSI's own
// least-privilege account). govmomi's simulator accepts one user; vCenter
// has many, each with its own privileges.
//
//   - The control file <state>/lab-users (0600, re-read at each Login) has
//     one "NAME PASSWORD" a line: SessionManager.Login as NAME with that
//     password succeeds (the lab logs the simulator in as its own user
//     underneath) and the session is NAME's: its UserSession says NAME, and
//     HasPrivilegeOnEntities for its sessionId answers NAME's privileges.
//     A wrong password is vCenter's InvalidLogin, as for any user.
//   - <state>/lab-facts takes "deny-user NAME PRIVILEGE [ENTITY]" lines
//     (preflight.go): PRIVILEGE is denied to NAME only. "deny" lines are
//     denied to every user.
package main

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"io/ioutil"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
)

type labUsers struct {
	path           string
	user, password string // the simulator's own

	mu       sync.Mutex
	sessions map[string]string // session key -> lab user
}

var users *labUsers

func (u *labUsers) lookup(name string) (string, bool) {
	f, err := os.Open(u.path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.Fields(sc.Text())
		if len(w) == 2 && w[0] == name {
			return w[1], true
		}
	}
	return "", false
}

// sessionUser: the lab user a session key belongs to; "" for the simulator's own.
func sessionUser(key string) string {
	if users == nil {
		return ""
	}
	users.mu.Lock()
	defer users.mu.Unlock()
	return users.sessions[key]
}

func xmlText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

var (
	reUser = regexp.MustCompile(`(<userName[^>]*>)[^<]*(</userName>)`)
	rePass = regexp.MustCompile(`(<password[^>]*>)[^<]*(</password>)`)
	reKey  = regexp.MustCompile(`<key>([^<]+)</key>`)
)

func (u *labUsers) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		method, vals := requestInfo(body, "userName", "password")
		name := vals["userName"]
		pw, known := u.lookup(name)
		// A wrong password goes on as it is: the simulator refuses a user
		// not its own with InvalidLogin.
		if method != "Login" || !known || name == u.user || vals["password"] != pw {
			next.ServeHTTP(w, r)
			return
		}
		body = reUser.ReplaceAll(body, []byte("${1}"+xmlText(u.user)+"${2}"))
		body = rePass.ReplaceAll(body, []byte("${1}"+xmlText(u.password)+"${2}"))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, requestWith(r, body))
		out := rec.Body.Bytes()
		if rec.Code == http.StatusOK {
			if m := reKey.FindSubmatch(out); m != nil {
				u.mu.Lock()
				u.sessions[string(m[1])] = name
				u.mu.Unlock()
				log.Printf("lab-users: %s logged in", name)
			}
			out = reUser.ReplaceAll(out, []byte("${1}"+xmlText(name)+"${2}"))
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(out)
	})
}

func requestWith(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Body = ioutil.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	return r2
}
