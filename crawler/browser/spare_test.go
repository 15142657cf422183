package browser

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

// waitSpares waits until the browser holds n opened spare tabs.
func waitSpares(t *testing.T, b *Browser, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b.spares.mu.Lock()
		ready := len(b.spares.ready)
		b.spares.mu.Unlock()
		if ready == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d spare tabs ready, want %d", ready, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A visit takes the tab opened while the one before it ran; a spare
// opened before a restart is never used after it; Close closes the spares.
func TestSpareTabs(t *testing.T) {
	if _, err := FindChromium(); err != nil {
		t.Skip(err) // browsertest.Chromium would import this package
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<!doctype html><title>t</title><script>document.cookie = "seen=1"</script>`))
	}))
	defer srv.Close()
	ctx := context.Background()
	b, err := Launch(ctx, Options{SpareTabs: 1, IdleTime: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	visit := func() *capture.Page {
		t.Helper()
		p, err := b.Capture(ctx, srv.URL, Visit{Phase: capture.PreConsent})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := visit()
	waitSpares(t, b, 1)
	second := visit()
	if b.spares.served != 1 {
		t.Errorf("%d visits took a spare tab, want 1", b.spares.served)
	}
	// A spare is a fresh browser context: nothing of the visit before it.
	if len(first.Cookies) != 1 || len(second.Cookies) != 1 || len(second.CookieWrites) != 1 {
		t.Errorf("cookies %v then %v (writes %v), want the page's own cookie in each", first.Cookies, second.Cookies, second.CookieWrites)
	}

	waitSpares(t, b, 1)
	old := b.spares.ready[0]
	if err := b.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	visit()
	if b.spares.served != 1 || old.ctx.Err() == nil {
		t.Errorf("a spare of the browser before the restart was used or left open (served %d)", b.spares.served)
	}

	waitSpares(t, b, 1)
	spare := b.spares.ready[0]
	b.Close()
	if spare.ctx.Err() == nil || len(b.spares.ready) != 0 {
		t.Error("Close left a spare tab open")
	}
	b.spares.refill(context.Background())
	if b.spares.pending != 0 {
		t.Error("a spare was opened after Close")
	}
}
