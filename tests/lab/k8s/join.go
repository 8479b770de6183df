package main

// Joining: the supervisor endpoints of a server and the agent side. As in
// k3s, a joiner first fetches /cacerts and checks it against the hash in a
// K10 token, then authenticates with the token's password; a node's
// password (/etc/rancher/node/password) is remembered by the server, and
// another node coming with the same name and another password is refused
// until the Node of that name is deleted (routes.go; k3s PR #2407).

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func readRand(b []byte) (int, error) { return rand.Read(b) }
func encodeB64(b []byte) string      { return base64.StdEncoding.EncodeToString(b) }

func title(dist string) string { return strings.ToUpper(dist[:1]) + dist[1:] }

// supervisor answers the join endpoints; false: not one of them.
func (s *store) supervisor(w http.ResponseWriter, r *http.Request) bool {
	prefix := "/v1-" + s.dist + "/"
	switch {
	case r.URL.Path == "/cacerts":
		w.Write(s.serverCA.certPEM)
		return true
	case r.URL.Path == "/ping":
		w.Write([]byte("pong"))
		return true
	case !strings.HasPrefix(r.URL.Path, prefix):
		return false
	}
	user, pw, ok := r.BasicAuth()
	if !ok || pw != s.password || (user != "server" && user != "node") {
		http.Error(w, "Unauthorized", 401)
		return true
	}
	switch strings.TrimPrefix(r.URL.Path, prefix) {
	case "server-bootstrap":
		if user != "server" {
			http.Error(w, "Forbidden", 403)
			return true
		}
		writeJSON(w, 200, map[string]string{"ServerCA": string(s.serverCA.certPEM), "ServerCAKey": string(s.serverCA.keyPEM),
			"ClientCA": string(s.clientCA.certPEM), "ClientCAKey": string(s.clientCA.keyPEM)})
	case "client-kubelet.crt":
		name := r.Header.Get(title(s.dist) + "-Node-Name")
		npw := r.Header.Get(title(s.dist) + "-Node-Password")
		if name == "" || npw == "" {
			http.Error(w, "node name and password are required", 400)
			return true
		}
		s.mu.Lock()
		known, ok := s.nodePW[name]
		if ok && known != npw {
			s.mu.Unlock()
			http.Error(w, "Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd entry, try enabling a unique node name with the --with-node-id flag", 403)
			return true
		}
		s.nodePW[name] = npw
		s.mu.Unlock()
		kp, err := issue(s.clientCA, "system:node:"+name, []string{"system:nodes"}, false, nil, nil)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return true
		}
		w.Write(append(append([]byte{}, kp.certPEM...), kp.keyPEM...))
	default:
		http.Error(w, "not found", 404)
	}
	return true
}

// fetchCA: the server's CA bundle, checked against the token's hash.
func fetchCA(server, hash string) (*x509.CertPool, []byte, error) {
	cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := cl.Get(strings.TrimSuffix(server, "/") + "/cacerts")
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := ioutil.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if hash != "" {
		h := sha256.Sum256(b)
		if hex.EncodeToString(h[:]) != hash {
			return nil, nil, fmt.Errorf("token CA hash does not match the Cluster CA certificate hash: %s != %s", hash, hex.EncodeToString(h[:]))
		}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, nil, errors.New("no CA certificate at /cacerts")
	}
	return pool, b, nil
}

func supervisorGet(server, path, user, pw string, pool *x509.CertPool, hdr map[string]string) ([]byte, error) {
	cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest("GET", strings.TrimSuffix(server, "/")+path, nil)
	req.SetBasicAuth(user, pw)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := cl.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := ioutil.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: %s: %s", path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

// bootstrap: a joining server takes the cluster's CAs from the first one.
func (c *cluster) bootstrap(server, tok, tlsDir string) error {
	hash, _, pw := parseToken(tok)
	pool, _, err := fetchCA(server, hash)
	if err != nil {
		return err
	}
	b, err := supervisorGet(server, "/v1-"+c.dist+"/server-bootstrap", "server", pw, pool, nil)
	if err != nil {
		return err
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if c.serverCA, err = parsePair([]byte(m["ServerCA"]), []byte(m["ServerCAKey"])); err != nil {
		return err
	}
	if c.clientCA, err = parsePair([]byte(m["ClientCA"]), []byte(m["ClientCAKey"])); err != nil {
		return err
	}
	savePair(tlsDir, "server-ca", c.serverCA)
	return savePair(tlsDir, "client-ca", c.clientCA)
}

// proxy: a joined server's API is the first server's (one datastore).
func (c *cluster) proxy(join string) http.Handler {
	target, _ := url.Parse(apiURL(join))
	admin, _ := issue(c.clientCA, "system:admin", []string{"system:masters"}, false, nil, nil)
	pool := x509.NewCertPool()
	pool.AddCert(c.serverCA.cert)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool,
		Certificates: []tls.Certificate{{Certificate: [][]byte{admin.cert.Raw}, PrivateKey: admin.key}}}}
	local := newStore(c.dist, distVersion(c.dist), c.addr)
	local.password, local.serverCA, local.clientCA = c.password, c.serverCA, c.clientCA
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if local.supervisor(w, r) {
			return
		}
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			status(w, 401, "Unauthorized", "Unauthorized")
			return
		}
		rp.ServeHTTP(w, r)
	})
}

// nodePassword: /etc/rancher/node/password, made on first use.
func nodePassword() (string, error) {
	f := "/etc/rancher/node/password"
	if b, err := ioutil.ReadFile(f); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	pw := randHex(16)
	if err := os.MkdirAll(filepath.Dir(f), 0700); err != nil {
		return "", err
	}
	return pw, writeFileAtomic(f, []byte(pw+"\n"), 0600)
}

// kubelet: join the server at join (supervisor URL), register node n and
// post its status every heartbeat; retried until it works, as an agent does.
func kubelet(dist, join, tok, name string, n obj) {
	api := apiURL(join)
	hash, _, pw := parseToken(tok)
	npw, err := nodePassword()
	if err != nil {
		fatalf("%v", err)
		os.Exit(1)
	}
	var cl *http.Client
	for {
		cl, err = joinClient(dist, join, hash, pw, name, npw)
		if err == nil {
			break
		}
		fmt.Fprintf(os.Stderr, "time=%q level=error msg=%q\n", nowRFC3339(), "failed to join "+api+": "+err.Error())
		if strings.Contains(err.Error(), "hash does not match") || strings.Contains(err.Error(), "403") {
			os.Exit(1)
		}
		time.Sleep(2 * time.Second)
	}
	body, _ := json.Marshal(n)
	for {
		resp, err := cl.Post(api+"/api/v1/nodes", "application/json", bytes.NewReader(body))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 201 || resp.StatusCode == 409 {
				break
			}
			err = errors.New(resp.Status)
		}
		fmt.Fprintf(os.Stderr, "time=%q level=error msg=%q\n", nowRFC3339(), "registering node "+name+": "+err.Error())
		time.Sleep(2 * time.Second)
	}
	infof("Node %s registered with %s", name, api)
	notifyReady()
	st := []byte(`{"status":{}}`)
	for {
		req, _ := http.NewRequest("PATCH", api+"/api/v1/nodes/"+name+"/status", bytes.NewReader(st))
		req.Header.Set("Content-Type", "application/strategic-merge-patch+json")
		resp, err := cl.Do(req)
		if err == nil {
			if resp.StatusCode == 404 { // deleted: a running kubelet does not register again
				fmt.Fprintf(os.Stderr, "time=%q level=error msg=%q\n", nowRFC3339(), "node \""+name+"\" not found")
			}
			resp.Body.Close()
		}
		time.Sleep(heartbeat)
	}
}

func joinClient(dist, api, hash, pw, name, npw string) (*http.Client, error) {
	pool, _, err := fetchCA(api, hash)
	if err != nil {
		return nil, err
	}
	b, err := supervisorGet(api, "/v1-"+dist+"/client-kubelet.crt", "node", pw, pool,
		map[string]string{title(dist) + "-Node-Name": name, title(dist) + "-Node-Password": npw})
	if err != nil {
		return nil, err
	}
	cb, rest := pem.Decode(b)
	kb, _ := pem.Decode(rest)
	if cb == nil || kb == nil {
		return nil, errors.New("no kubelet certificate in the answer")
	}
	cert, err := tls.X509KeyPair(pem.EncodeToMemory(cb), pem.EncodeToMemory(kb))
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: pool, Certificates: []tls.Certificate{cert}}}}, nil
}

func runAgent(dist string, o *options) int {
	server := o.get("server")
	if server == "" {
		return fatalf("--server is required")
	}
	tok, err := o.token()
	if err != nil {
		return fatalf("%v", err)
	}
	if tok == "" {
		return fatalf("--token is required")
	}
	// The CA first: a token for another cluster stops the agent before it
	// writes anything (a server that does not answer yet is retried).
	hash, _, _ := parseToken(tok)
	if _, _, err := fetchCA(server, hash); err != nil && strings.Contains(err.Error(), "hash does not match") {
		return fatalf("%v", err)
	}
	c := &cluster{dist: dist, o: o, data: o.get("data-dir"), addr: nodeAddr(o), name: nodeName(o)}
	os.MkdirAll(filepath.Join(c.data, "agent"), 0700)
	go kubelet(dist, server, tok, c.name, c.nodeObject(nil))
	select {}
}
