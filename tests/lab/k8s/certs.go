package main

// Certificates as k3s makes them (pkg/daemons/control/deps): ECDSA P-256,
// self-signed CAs named "<dist>-server-ca@<unix time>" and
// "<dist>-client-ca@<unix time>" valid ten years, leaf certificates valid a
// year, kept under <data-dir>/server/tls.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/ioutil"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

type keyPair struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	keyPEM  []byte
}

func newKey() (*ecdsa.PrivateKey, []byte, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, nil, err
	}
	return k, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	return n
}

// newCA: a self-signed CA named cn.
func newCA(cn string) (*keyPair, error) {
	k, kp, err := newKey()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	t := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, t, t, &k.PublicKey, k)
	if err != nil {
		return nil, err
	}
	c, _ := x509.ParseCertificate(der)
	return &keyPair{c, k, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), kp}, nil
}

// issue: a leaf certificate signed by ca; server certificates get the
// names and addresses, client ones the organizations (Kubernetes groups).
func issue(ca *keyPair, cn string, orgs []string, server bool, dns []string, ips []net.IP) (*keyPair, error) {
	k, kp, err := newKey()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	t := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		DNSNames: dns, IPAddresses: ips,
	}
	if server {
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	} else {
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, t, ca.cert, &k.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	c, _ := x509.ParseCertificate(der)
	return &keyPair{c, k, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), kp}, nil
}

func parsePair(certPEM, keyPEM []byte) (*keyPair, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("not PEM")
	}
	c, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	return &keyPair{c, k, certPEM, keyPEM}, nil
}

func loadPair(dir, name string) (*keyPair, error) {
	c, err := ioutil.ReadFile(filepath.Join(dir, name+".crt"))
	if err != nil {
		return nil, err
	}
	k, err := ioutil.ReadFile(filepath.Join(dir, name+".key"))
	if err != nil {
		return nil, err
	}
	return parsePair(c, k)
}

func savePair(dir, name string, p *keyPair) error {
	if err := os.MkdirAll(dir, 0700); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, name+".key"), p.keyPEM, 0600); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, name+".crt"), p.certPEM, 0644)
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := ioutil.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// caPair loads or makes a CA under dir.
func caPair(dir, name, cn string) (*keyPair, error) {
	if p, err := loadPair(dir, name); err == nil {
		return p, nil
	}
	p, err := newCA(fmt.Sprintf("%s@%d", cn, time.Now().Unix()))
	if err != nil {
		return nil, err
	}
	return p, savePair(dir, name, p)
}
