// Package demosite serves the bundled demo shop and stand-ins for real
// tracker hosts (Google, Meta, YouTube, X, Hotjar, a fingerprinting CDN) on
// loopback, over http and https. Chromium reaches them under their real
// names through host-resolver-rules (FIELD-NOTES §2.4), so the demo and the
// end-to-end tests exercise the same vendor knowledge as a real scan.
package demosite

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"log"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"strings"
	"sync"
)

//go:embed all:site
var files embed.FS

// StartURL is the demo shop's home page.
const StartURL = "http://shop.example/"

// PolicyURL is the demo shop's privacy policy.
const PolicyURL = "http://shop.example/privacy.html"

// pixel is a transparent 1x1 GIF, the answer of tracker endpoints.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// Server is a running demo site.
type Server struct {
	HTTP, HTTPS *httptest.Server
	// Extra handlers by host, for tests that need a behaviour of their own
	// (a redirect loop, a page that never loads).
	extra map[string]http.Handler

	mu sync.RWMutex
	// trees are the file trees served, each laid out as <host>/<path>:
	// fixture trees added by Mount first, the embedded demo last.
	trees []fs.FS
}

// Start serves the demo on two loopback ports, plain and TLS.
func Start() *Server {
	site, err := fs.Sub(files, "site")
	if err != nil {
		panic(err) // the embedded tree is part of the binary
	}
	s := &Server{extra: map[string]http.Handler{}, trees: []fs.FS{site}}
	quiet := log.New(io.Discard, "", 0) // browsers that refuse the test certificate are expected
	s.HTTP = httptest.NewUnstartedServer(s)
	s.HTTP.Config.ErrorLog = quiet
	s.HTTP.Start()
	s.HTTPS = httptest.NewUnstartedServer(s)
	s.HTTPS.Config.ErrorLog = quiet
	s.HTTPS.StartTLS()
	return s
}

// Handle adds a handler for every request to host.
func (s *Server) Handle(host string, h http.Handler) { s.extra[host] = h }

// Mount serves another tree laid out like the demo, <host>/<path> with
// .headers sidecars (e.g. os.DirFS("testdata/sites")). Its files win over
// the embedded demo's, so a fixture can reuse the demo's tracker stand-ins
// and replace any of them. A host whose tree has an index.html is a site:
// its missing paths answer 404; any other host answers a tracking pixel.
func (s *Server) Mount(tree fs.FS) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trees = append([]fs.FS{tree}, s.trees...)
}

// readFile returns the first tree's copy of name.
func (s *Server) readFile(name string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var first error
	for _, t := range s.trees {
		b, err := fs.ReadFile(t, name)
		if err == nil {
			return b, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// isSite reports whether host is a web site rather than a tracker host.
func (s *Server) isSite(host string) bool {
	if host == "localhost" || host == "127.0.0.1" {
		return true
	}
	_, err := s.readFile(host + "/index.html")
	return err == nil
}

// Close stops both servers.
func (s *Server) Close() {
	s.HTTP.Close()
	s.HTTPS.Close()
}

// ResolveRules maps every hostname to the demo: https to the TLS port,
// everything else to the plain one.
func (s *Server) ResolveRules() string {
	return fmt.Sprintf("MAP *:443 %s, MAP * %s", hostPort(s.HTTPS.URL), hostPort(s.HTTP.URL))
}

// Client returns an HTTP client that reaches every host at the demo, as
// ResolveRules does for Chromium, so the demo's policy can be read from
// its own URL.
func (s *Server) Client() *http.Client {
	plain, tls := hostPort(s.HTTP.URL), hostPort(s.HTTPS.URL)
	c := s.HTTPS.Client() // trusts the test certificate
	tr := c.Transport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		to := plain
		if _, port, _ := net.SplitHostPort(addr); port == "443" {
			to = tls
		}
		var d net.Dialer
		return d.DialContext(ctx, network, to)
	}
	tr.TLSClientConfig.InsecureSkipVerify = true // the certificate names 127.0.0.1, not the virtual hosts
	return &http.Client{Transport: tr, Timeout: c.Timeout}
}

func hostPort(u string) string {
	return strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	if h, ok := s.extra[host]; ok {
		h.ServeHTTP(w, r)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	name := host + p
	if strings.HasSuffix(r.URL.Path, "/") || p == "/" {
		name = strings.TrimSuffix(name, "/") + "/index.html"
	}
	body, err := s.readFile(name)
	if err != nil {
		// A directory asked for without its slash.
		if b, err2 := s.readFile(name + "/index.html"); err2 == nil {
			body, err, name = b, nil, name+"/index.html"
		}
	}
	headers, _ := s.readFile(name + ".headers")
	applyHeaders(w, headers)
	switch {
	case err == nil:
		if w.Header().Get("Content-Type") == "" {
			if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
				w.Header().Set("Content-Type", ct)
			} else {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
			}
		}
		w.Write(body)
	case s.isSite(host):
		http.NotFound(w, r)
	default:
		// Tracker endpoints (collect, tr, record) answer with a pixel.
		w.Header().Set("Content-Type", "image/gif")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(pixel)
	}
}

func applyHeaders(w http.ResponseWriter, raw []byte) {
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok {
			w.Header().Add(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
}

// WritePolicy writes the demo shop's privacy policy into dir and returns
// its path, so a demo scan can compare the shop with what it declares. The
// demo command does not pass it (its output is the plain scan); it is kept
// for the end-to-end rules test, which scans the shop against it.
func WritePolicy(dir string) (string, error) {
	body, err := fs.ReadFile(files, "site/shop.example/privacy.html")
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, "demo-shop-privacy-*.html")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Write(body); err != nil {
		return "", err
	}
	return f.Name(), nil
}
