// Package dnstest is a DNS server on loopback for tests: it answers CNAME
// chains from a table, so a scan can be shown a cloaked tracker without
// the internet.
package dnstest

import (
	"net"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// Server answers over UDP on 127.0.0.1.
type Server struct {
	conn  net.PacketConn
	cname map[string]string
	fail  map[string]bool
	wg    sync.WaitGroup

	mu      sync.Mutex
	queries map[string]int
}

// Start serves cname (alias -> target, names without the trailing dot).
// A query for a name of the table is answered with the whole chain from it
// and, for A queries, 127.0.0.1 for the chain's end; a name at the end of a
// chain gets just its A record; any other name does not exist. Names in
// servfail get SERVFAIL.
func Start(cname map[string]string, servfail ...string) (*Server, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{conn: c, cname: map[string]string{}, fail: map[string]bool{}, queries: map[string]int{}}
	for k, v := range cname {
		s.cname[norm(k)] = norm(v)
	}
	for _, n := range servfail {
		s.fail[norm(n)] = true
	}
	s.wg.Go(s.serve)
	return s, nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.conn.LocalAddr().String() }

// Queries returns how many queries (of any type) asked for name.
func (s *Server) Queries(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[norm(name)]
}

// Close stops the server.
func (s *Server) Close() {
	s.conn.Close()
	s.wg.Wait()
}

func norm(n string) string { return strings.TrimSuffix(strings.ToLower(n), ".") }

func (s *Server) serve() {
	buf := make([]byte, 1500)
	for {
		n, addr, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if out, ok := s.answer(buf[:n]); ok {
			s.conn.WriteTo(out, addr)
		}
	}
}

func (s *Server) answer(msg []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	name := norm(q.Name.String())
	s.mu.Lock()
	s.queries[name]++
	s.mu.Unlock()
	resp := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true},
		Questions: []dnsmessage.Question{q},
	}
	_, isTarget := s.targets()[name]
	switch {
	case s.fail[name]:
		resp.RCode = dnsmessage.RCodeServerFailure
	case s.cname[name] == "" && !isTarget:
		resp.RCode = dnsmessage.RCodeNameError
	default:
		at := name
		for hops := 0; s.cname[at] != "" && hops < 16; hops++ {
			resp.Answers = append(resp.Answers, dnsmessage.Resource{
				Header: rrHeader(at, dnsmessage.TypeCNAME),
				Body:   &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName(s.cname[at] + ".")},
			})
			at = s.cname[at]
		}
		if q.Type == dnsmessage.TypeA {
			resp.Answers = append(resp.Answers, dnsmessage.Resource{
				Header: rrHeader(at, dnsmessage.TypeA),
				Body:   &dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}},
			})
		}
	}
	out, err := resp.Pack()
	return out, err == nil
}

func (s *Server) targets() map[string]bool {
	t := map[string]bool{}
	for _, v := range s.cname {
		t[v] = true
	}
	return t
}

func rrHeader(name string, typ dnsmessage.Type) dnsmessage.ResourceHeader {
	return dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(name + "."), Type: typ, Class: dnsmessage.ClassINET, TTL: 60}
}
