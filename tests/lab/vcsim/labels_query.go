// `drover-vcsim labels`: what a VM carries, read the way an operator's tools
// read it from vCenter (govmomi's clients, not drover's): its tags through the
// vAPI REST tag-association list, its custom attribute values from the VM's
// customValue property, named through the CustomFieldsManager's definitions.
//
//	drover-vcsim labels -url URL -user USER -password-file FILE -ca PEM VM-NAME...
//
// prints, per VM, sorted: "VM-NAME tag CATEGORY/TAG" and
// "VM-NAME attr NAME=VALUE"; exit 1 when a VM does not exist.
package main

import (
	"context"
	"flag"
	"fmt"
	"io/ioutil"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vapi/tags"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func labelsMain(args []string) int {
	fs := flag.NewFlagSet("labels", flag.ExitOnError)
	rawURL := fs.String("url", os.Getenv("LAB_URL"), "vCenter SDK url")
	user := fs.String("user", os.Getenv("LAB_USER"), "user")
	pwFile := fs.String("password-file", os.Getenv("LAB_PASSWORD_FILE"), "password file")
	ca := fs.String("ca", os.Getenv("LAB_CERT"), "CA certificate (PEM)")
	_ = fs.Parse(args)
	if err := printLabels(*rawURL, *user, *pwFile, *ca, fs.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "labels:", err)
		return 1
	}
	return 0
}

func printLabels(rawURL, user, pwFile, ca string, names []string) error {
	ctx := context.Background()
	pw, err := ioutil.ReadFile(pwFile)
	if err != nil {
		return err
	}
	ui := url.UserPassword(user, strings.TrimRight(string(pw), "\r\n"))
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	sc := soap.NewClient(u, false)
	if err = sc.SetRootCAs(ca); err != nil {
		return err
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return err
	}
	sm := session.NewManager(c)
	if err = sm.Login(ctx, ui); err != nil {
		return err
	}
	defer func() { _ = sm.Logout(ctx) }()
	rc := rest.NewClient(c)
	if err = rc.Login(ctx, ui); err != nil {
		return fmt.Errorf("vAPI login: %v", err)
	}
	defer func() { _ = rc.Logout(ctx) }()

	cfm, err := object.GetCustomFieldsManager(c)
	if err != nil {
		return err
	}
	defs, err := cfm.Field(ctx)
	if err != nil {
		return err
	}
	fieldName := map[int32]string{}
	for _, d := range defs {
		fieldName[d.Key] = d.Name
	}

	v, err := view.NewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder,
		[]string{"VirtualMachine"}, true)
	if err != nil {
		return err
	}
	defer func() { _ = v.Destroy(ctx) }()
	var vms []mo.VirtualMachine
	if err = v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name", "customValue"}, &vms); err != nil {
		return err
	}
	m := tags.NewManager(rc)
	catName := map[string]string{}
	for _, name := range names {
		found := false
		var lines []string
		for _, vm := range vms {
			if vm.Name != name {
				continue
			}
			found = true
			attached, err := m.GetAttachedTags(ctx, vm.Reference())
			if err != nil {
				return err
			}
			for _, t := range attached {
				if _, ok := catName[t.CategoryID]; !ok {
					cat, err := m.GetCategory(ctx, t.CategoryID)
					if err != nil {
						return err
					}
					catName[t.CategoryID] = cat.Name
				}
				lines = append(lines, fmt.Sprintf("%s tag %s/%s", name, catName[t.CategoryID], t.Name))
			}
			for _, cv := range vm.CustomValue {
				if s, ok := cv.(*types.CustomFieldStringValue); ok {
					lines = append(lines, fmt.Sprintf("%s attr %s=%s", name, fieldName[s.Key], s.Value))
				}
			}
		}
		if !found {
			return fmt.Errorf("no VM named %s", name)
		}
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Println(l)
		}
	}
	return nil
}
