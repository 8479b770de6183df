package main

// `drover-k8s bundle`: an airgap bundle as the recipes take it
// (data/bootstrap/README): for k3s the k3s binary, install.sh and
// k3s-airgap-images-amd64.tar; for rke2 install.sh,
// rke2.linux-amd64.tar.gz (bin/rke2 and the systemd units, as released),
// sha256sum-amd64.txt and rke2-images.linux-amd64.tar.gz. The binary is
// this program with the release appended (distVersion reads it back).

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"time"
)

//go:embed k3s-install.sh
var k3sInstall []byte

//go:embed rke2-install.sh
var rke2Install []byte

type entry struct {
	name string
	mode int64
	data []byte
}

func tarGz(entries []entry, gz bool) ([]byte, error) {
	var buf bytes.Buffer
	var tw *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), ModTime: time.Now().Add(-time.Hour), Typeflag: tar.TypeReg}
		if e.data == nil {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

const rke2Unit = `[Unit]
Description=Rancher Kubernetes Engine v2 (%[1]s)
Documentation=https://github.com/rancher/rke2#readme
Wants=network-online.target
After=network-online.target
Conflicts=rke2-%[2]s.service

[Install]
WantedBy=multi-user.target

[Service]
Type=notify
EnvironmentFile=-/etc/default/%%N
EnvironmentFile=-/etc/sysconfig/%%N
EnvironmentFile=-/usr/local/lib/systemd/system/%%N.env
KillMode=process
Delegate=yes
LimitNOFILE=1048576
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStart=/usr/local/bin/rke2 %[1]s
`

func cmdBundle(args []string) int {
	fs := flag.NewFlagSet("bundle", flag.ContinueOnError)
	dist := fs.String("dist", "k3s", "k3s or rke2")
	version := fs.String("version", "", "the release the binary reports (v1.30.4+k3s1)")
	out := fs.String("out", "", "the bundle to write (.tar.gz)")
	charts := fs.Bool("vsphere-charts", false, "k3s: add the vSphere CPI and CSI charts (cloudprov.go)")
	if fs.Parse(args) != nil || *out == "" || *version == "" || (*dist != "k3s" && *dist != "rke2") {
		fmt.Fprintln(os.Stderr, "usage: drover-k8s bundle --dist k3s|rke2 --version V --out FILE.tar.gz")
		return 2
	}
	exe, err := os.Executable()
	if err == nil {
		var self []byte
		if self, err = ioutil.ReadFile(exe); err == nil {
			if i := bytes.LastIndex(self, []byte(trailerTag)); i >= 0 && len(self)-i < 200 {
				self = self[:i]
			}
			bin := append(append([]byte{}, self...), []byte(trailerTag+*version+"\n")...)
			var entries []entry
			if *dist == "k3s" {
				images, _ := tarGz(nil, false)
				entries = []entry{{"k3s", 0755, bin}, {"install.sh", 0755, k3sInstall},
					{"k3s-airgap-images-amd64.tar", 0644, images}}
				if *charts {
					var ch []entry
					if ch, err = vsphereCharts("1.30.1"); err == nil {
						entries = append(entries, ch...)
					}
				}
			} else {
				var inner []byte
				inner, err = tarGz([]entry{{"bin/", 0755, nil}, {"bin/rke2", 0755, bin},
					{"lib/systemd/system/", 0755, nil},
					{"lib/systemd/system/rke2-server.service", 0644, []byte(fmt.Sprintf(rke2Unit, "server", "agent"))},
					{"lib/systemd/system/rke2-agent.service", 0644, []byte(fmt.Sprintf(rke2Unit, "agent", "server"))},
					{"share/rke2/", 0755, nil}, {"share/rke2/LICENSE.txt", 0644, []byte("Apache License 2.0\n")}}, true)
				sum := sha256.Sum256(inner)
				images, _ := tarGz(nil, true)
				entries = []entry{{"install.sh", 0755, rke2Install}, {"rke2.linux-amd64.tar.gz", 0644, inner},
					{"sha256sum-amd64.txt", 0644, []byte(fmt.Sprintf("%x  rke2.linux-amd64.tar.gz\n", sum))},
					{"rke2-images.linux-amd64.tar.gz", 0644, images}}
			}
			var b []byte
			if err == nil {
				b, err = tarGz(entries, true)
			}
			if err == nil {
				err = writeFileAtomic(*out, b, 0644)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "drover-k8s bundle:", err)
		return 1
	}
	return 0
}
