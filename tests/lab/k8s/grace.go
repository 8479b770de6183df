package main

// The node monitor's grace period, as a k3s/rke2 server takes it:
// `kube-controller-manager-arg: [node-monitor-grace-period=15s]` in
// config.yaml (or --kube-controller-manager-arg on the command line). Tests
// shorten it so a node that stops posting status turns Unknown sooner; it
// must stay above the kubelet's 10 s status interval (heartbeat), as the
// real controller manager requires.

import (
	"strings"
	"time"
)

func setGrace(o *options) {
	for _, a := range o.list("kube-controller-manager-arg") {
		kv := strings.SplitN(strings.TrimLeft(a, "-"), "=", 2)
		if len(kv) != 2 || kv[0] != "node-monitor-grace-period" {
			continue
		}
		if d, err := time.ParseDuration(kv[1]); err == nil && d > heartbeat {
			graceperiod = d
			infof("node-monitor-grace-period %s", d)
		}
	}
}
