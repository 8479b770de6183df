// What a guest can read of its guestinfo, like a real one: VMware Tools read
// a guestinfo value over the backdoor RPC channel, whose messages are at most
// 64 KiB (open-vm-tools, GUESTMSG_MAX_IN_SIZE). A longer value never reaches
// the guest, so cloud-init gets no user-data (or meta-data) at all.
package main

import "fmt"

const guestValueMax = 64 * 1024

// guestReadable is nil when the guest's tools can read value under key.
func guestReadable(key, value string) error {
	if len(value) > guestValueMax {
		return fmt.Errorf("%s is %d bytes, over the %d a guest's VMware Tools can read: "+
			"the guest gets none", key, len(value), guestValueMax)
	}
	return nil
}
