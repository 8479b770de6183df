// One long-running `CMD serve` for the hypervisor's node ups and downs, so a
// lab that boots hundreds of nodes starts the node command (Python) once
// rather than twice per node (tests/lab/sshnode: "serve"). Used when
// LAB_SSHNODE_SERVE=1 (`lab up` sets it when CMD is the lab's own sshnode);
// a command that does not answer the serve handshake, or a server that died
// and cannot be restarted, falls back to one `CMD up|down` process per call.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"sync"
	"time"
)

// errNoServe: use one process per call.
var errNoServe = errors.New("node command has no serve mode")

type serveRequest struct {
	ID       int    `json:"id"`
	Op       string `json:"op"`
	Dir      string `json:"dir"`
	Userdata string `json:"userdata,omitempty"`
	Name     string `json:"name,omitempty"`
}

type serveAnswer struct {
	ID    int     `json:"id"`
	Addr  string  `json:"addr"`
	Error *string `json:"error"`
	Serve int     `json:"serve"`
}

type nodeServer struct {
	cmd     string
	mu      sync.Mutex
	proc    *exec.Cmd
	in      io.WriteCloser
	next    int
	pending map[int]chan serveAnswer
	off     bool // handshake failed: no serve mode
	done    chan struct{}
}

func newNodeServer(cmd string) *nodeServer {
	return &nodeServer{cmd: cmd, off: cmd == "" || os.Getenv("LAB_SSHNODE_SERVE") != "1"}
}

// start runs CMD serve and waits (bounded) for its {"serve": 1}. Called with mu held.
func (s *nodeServer) start() error {
	c := exec.Command(s.cmd, "serve")
	c.Stderr = os.Stderr
	in, err := c.StdinPipe()
	if err != nil {
		return err
	}
	out, err := c.StdoutPipe()
	if err != nil {
		return err
	}
	if err = c.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	hello := make(chan bool, 1)
	go func() {
		var a serveAnswer
		hello <- sc.Scan() && json.Unmarshal(sc.Bytes(), &a) == nil && a.Serve == 1
	}()
	ok := false
	select {
	case ok = <-hello:
	case <-time.After(30 * time.Second):
	}
	if !ok {
		_ = in.Close()
		_ = c.Process.Kill()
		_ = c.Wait()
		return errNoServe
	}
	s.proc, s.in = c, in
	s.pending = map[int]chan serveAnswer{}
	s.done = make(chan struct{})
	go s.read(sc, c, s.done)
	log.Printf("node server %s serve: pid %d", s.cmd, c.Process.Pid)
	return nil
}

// read delivers answers to their callers; at the server's end it fails the
// calls still waiting, and the next call starts a new server.
func (s *nodeServer) read(sc *bufio.Scanner, c *exec.Cmd, done chan struct{}) {
	for sc.Scan() {
		var a serveAnswer
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			log.Printf("node server: bad answer %q: %v", sc.Text(), err)
			continue
		}
		s.mu.Lock()
		ch := s.pending[a.ID]
		delete(s.pending, a.ID)
		s.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
	err := c.Wait()
	s.mu.Lock()
	if s.proc == c {
		msg := fmt.Sprintf("node server ended (%v)", err)
		for id, ch := range s.pending {
			ch <- serveAnswer{ID: id, Error: &msg}
		}
		s.proc, s.in, s.pending = nil, nil, nil
	}
	s.mu.Unlock()
	close(done)
}

// call sends one request and waits (up to nodeCommandTimeout) for its answer.
func (s *nodeServer) call(req serveRequest) (serveAnswer, error) {
	s.mu.Lock()
	if s.off {
		s.mu.Unlock()
		return serveAnswer{}, errNoServe
	}
	if s.proc == nil {
		if err := s.start(); err != nil {
			s.off = true
			s.mu.Unlock()
			log.Printf("node server %s: %v: one process per call", s.cmd, err)
			return serveAnswer{}, errNoServe
		}
	}
	s.next++
	req.ID = s.next
	ch := make(chan serveAnswer, 1)
	s.pending[req.ID] = ch
	line, _ := json.Marshal(req)
	_, err := s.in.Write(append(line, '\n'))
	s.mu.Unlock()
	if err != nil {
		return serveAnswer{}, fmt.Errorf("node server: %v", err)
	}
	select {
	case a := <-ch:
		if a.Error != nil {
			return a, fmt.Errorf("%s %s: %s", s.cmd, req.Op, *a.Error)
		}
		return a, nil
	case <-time.After(nodeCommandTimeout):
		s.mu.Lock()
		if s.pending != nil {
			delete(s.pending, req.ID)
		}
		s.mu.Unlock()
		return serveAnswer{}, fmt.Errorf("%s %s: no answer in %v", s.cmd, req.Op, nodeCommandTimeout)
	}
}

// close ends the server (its nodes stay up, as after `CMD up`) and waits for it.
func (s *nodeServer) close() {
	s.mu.Lock()
	in, done := s.in, s.done
	s.off = true
	s.mu.Unlock()
	if in != nil {
		_ = in.Close()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
		}
	}
}

// nodeUp boots the node for a VM; returns its address.
func (h *hypervisor) nodeUp(dir, userdata, name string) (string, error) {
	a, err := h.srv.call(serveRequest{Op: "up", Dir: dir, Userdata: userdata, Name: name})
	if err != errNoServe {
		if err == nil && a.Addr == "" {
			err = fmt.Errorf("%s up answered no address", h.cmd)
		}
		return a.Addr, err
	}
	out, err := h.run("up", "--dir", dir, "--userdata", userdata, "--name", name)
	if err != nil {
		return "", err
	}
	ip := lastLine(out)
	if ip == "" {
		return "", fmt.Errorf("%s up printed no address", h.cmd)
	}
	return ip, nil
}

// nodeDown stops a VM's node.
func (h *hypervisor) nodeDown(dir string) error {
	_, err := h.srv.call(serveRequest{Op: "down", Dir: dir})
	if err != errNoServe {
		return err
	}
	_, err = h.run("down", "--dir", dir)
	return err
}
