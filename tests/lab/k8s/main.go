// drover-k8s: the lab's Kubernetes stand-in (tests/lab/README, "Kubernetes").
//
// One multi-call binary. Installed as k3s or rke2 (the airgap bundle carries
// a copy under that name) it behaves like the real one at its interfaces:
// `--version`, `server` and `agent` reading /etc/rancher/<dist>/config.yaml
// (unknown options refused as the real CLI refuses them), the node token and
// admin kubeconfig where the real ones write them, and a Kubernetes API
// stand-in on the node's address:6443 (api.go). As drover-k8s it builds
// airgap bundles: `drover-k8s bundle --dist k3s|rke2 --version V --out FILE`.
package main

import (
	"bytes"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"strings"
)

const trailerTag = "\n#drover-lab-version "

// distVersion is the release this copy reports: the trailer the bundle
// builder appended to the executable, else a default.
func distVersion(dist string) string {
	exe, err := os.Executable()
	if err == nil {
		if b, err := ioutil.ReadFile(exe); err == nil {
			if i := bytes.LastIndex(b, []byte(trailerTag)); i >= 0 && len(b)-i < 200 {
				return strings.TrimSpace(string(b[i+len(trailerTag):]))
			}
		}
	}
	if dist == "rke2" {
		return "v1.30.4+rke2r1"
	}
	return "v1.30.4+k3s1"
}

const gitCommit = "4f3e2d1c0b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e"

func main() {
	base := filepath.Base(os.Args[0])
	switch base {
	case "k3s", "rke2":
		os.Exit(runDist(base, os.Args[1:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "bundle" {
		os.Exit(cmdBundle(os.Args[2:]))
	}
	if len(os.Args) > 2 && (os.Args[1] == "k3s" || os.Args[1] == "rke2") {
		os.Exit(runDist(os.Args[1], os.Args[2:]))
	}
	fmt.Fprintln(os.Stderr, "usage: drover-k8s bundle --dist k3s|rke2 --version V --out FILE\n"+
		"       (installed as k3s or rke2: the distribution's CLI)")
	os.Exit(2)
}

func fatalf(format string, a ...interface{}) int {
	fmt.Fprintf(os.Stderr, "time=%q level=fatal msg=%q\n", nowRFC3339(), fmt.Sprintf(format, a...))
	return 1
}

func infof(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "time=%q level=info msg=%q\n", nowRFC3339(), fmt.Sprintf(format, a...))
}

func runDist(dist string, args []string) int {
	if len(args) == 0 {
		fmt.Printf("NAME:\n   %s - Kubernetes, but small and simple\n\nUSAGE:\n   %s [global options] command [command options] [arguments...]\n", dist, dist)
		return 0
	}
	switch args[0] {
	case "--version", "-v", "version":
		fmt.Printf("%s version %s (%s)\n", dist, distVersion(dist), gitCommit[:8])
		if dist == "rke2" {
			fmt.Println("go version go1.22.5 X:boringcrypto")
		} else {
			fmt.Println("go version go1.22.5")
		}
		return 0
	case "server", "agent":
		opts, err := loadOptions(dist, args[0], args[1:])
		if err != nil {
			fmt.Fprintf(os.Stderr, "Incorrect Usage: %v\n", err)
			return fatalf("%v", err)
		}
		if args[0] == "server" {
			return runServer(dist, opts)
		}
		return runAgent(dist, opts)
	case "kubectl":
		if dist == "k3s" {
			return runKubectl(dist, args[1:])
		}
	}
	fmt.Fprintf(os.Stderr, "Incorrect Usage: command %q not found\n", args[0])
	return 1
}
