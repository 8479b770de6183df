// extraConfig like vCenter: ReconfigVM_Task with an extraConfig key the VM
// already has replaces its value, and an empty value removes the key.
// govmomi's simulator appends every option instead, so a VM ends up with two
// values for one key (and a key "removed" with "" stays). After each
// reconfigure, the VM's options are folded: the last value of a key wins,
// in the place of its first appearance; keys whose value is "" go. Keys
// compare without regard to case, as a .vmx file's do ("GuestInfo.X" set on
// a VM with "guestinfo.x" replaces it; the last spelling is kept).
package main

import (
	"net/http"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func extraConfigLikeVCenter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := soapRequest(next, w, r)
		if !ok {
			return
		}
		method, vals := requestInfo(body, "_this")
		next.ServeHTTP(w, r)
		if method != "ReconfigVM_Task" {
			return
		}
		ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: strings.TrimSpace(vals["_this"])}
		vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
		if !ok {
			return
		}
		simulator.Map.WithLock(vm, func() {
			if vm.Config != nil {
				vm.Config.ExtraConfig = foldOptions(vm.Config.ExtraConfig)
			}
		})
	})
}

func foldOptions(opts []types.BaseOptionValue) []types.BaseOptionValue {
	last := map[string]types.BaseOptionValue{}
	var order []string
	for _, o := range opts {
		k := strings.ToLower(o.GetOptionValue().Key)
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = o
	}
	out := make([]types.BaseOptionValue, 0, len(order))
	for _, k := range order {
		if s, isString := last[k].GetOptionValue().Value.(string); isString && s == "" {
			continue
		}
		out = append(out, last[k])
	}
	return out
}
