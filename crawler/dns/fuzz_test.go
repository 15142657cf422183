package dns

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// chunkConn hands out its bytes a few at a time, as TCP may.
type chunkConn struct {
	net.Conn
	r    *bytes.Reader
	step int
}

func (c *chunkConn) Read(b []byte) (int, error) {
	if len(b) > c.step {
		b = b[:c.step]
	}
	return c.r.Read(b)
}
func (c *chunkConn) SetDeadline(time.Time) error { return nil }

// FuzzSniff feeds arbitrary answers, framed as on TCP and split anywhere,
// to the sniffer: it must never panic, and a well-formed CNAME answer must
// be recorded however it is split.
func FuzzSniff(f *testing.F) {
	msg := dnsmessage.Message{Header: dnsmessage.Header{Response: true}, Answers: []dnsmessage.Resource{{
		Header: dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName("m.shop.example."), Type: dnsmessage.TypeCNAME, Class: dnsmessage.ClassINET},
		Body:   &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("shop.example.eulerian.net.")},
	}}}
	good, err := msg.Pack()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, uint8(3))
	f.Add([]byte{0, 0}, uint8(1))
	f.Add([]byte("\xff\xff garbage"), uint8(7))
	f.Fuzz(func(t *testing.T, body []byte, step uint8) {
		for _, framed := range [][]byte{frame(body), append(frame(good), frame(body)...)} {
			col := &collector{target: map[string]string{}}
			s := &streamSniffer{Conn: &chunkConn{r: bytes.NewReader(framed), step: int(step%16) + 1}, col: col}
			io.Copy(io.Discard, s)
			col.parse(body) // and as a datagram
			if bytes.HasPrefix(framed, frame(good)) && col.target["m.shop.example"] != "shop.example.eulerian.net" {
				t.Fatalf("answer split in %d-byte reads lost: %v", step%16+1, col.target)
			}
		}
	})
}

func frame(b []byte) []byte {
	if len(b) > 0xffff {
		b = b[:0xffff]
	}
	return append([]byte{byte(len(b) >> 8), byte(len(b))}, b...)
}
