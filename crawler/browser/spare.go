package browser

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/chromedp/chromedp"
)

// tab is a page target in a browser context of its own (a fresh profile
// with no cookies), open and attached, not yet navigated. Its events go to
// whichever listener the visit that takes it sets.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc
	owner  context.Context // the browser instance it was opened in
	listen atomic.Pointer[func(any)]
}

func (t *tab) setListener(f func(any)) { t.listen.Store(&f) }

// openTab opens a tab in the browser instance bctx.
func openTab(bctx context.Context) (*tab, error) {
	t := &tab{owner: bctx}
	t.ctx, t.cancel = chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		if f := t.listen.Load(); f != nil {
			(*f)(ev)
		}
	}))
	if err := chromedp.Do(t.ctx); err != nil {
		t.cancel()
		return nil, err
	}
	return t, nil
}

// spareTabs holds tabs opened ahead of the visits that will use them:
// opening a tab (a browser context, a target, a renderer, the protocol
// domains) costs a few hundred milliseconds of mostly waiting, which a
// visit would otherwise spend before it can navigate. The next tab opens
// while the current visit's page loads and settles.
type spareTabs struct {
	mu      sync.Mutex
	want    int // how many tabs to keep open ahead; 0 disables
	ready   []*tab
	pending int
	served  int // takes answered with a spare (for tests)
	closed  bool
	wg      sync.WaitGroup
}

// take returns a spare tab of the browser instance bctx, or opens one, and
// starts opening the next spare.
func (s *spareTabs) take(bctx context.Context) (*tab, error) {
	var t *tab
	s.mu.Lock()
	for len(s.ready) > 0 && t == nil {
		c := s.ready[0]
		s.ready = s.ready[1:]
		if c.owner == bctx && c.ctx.Err() == nil {
			t = c
		} else {
			c.cancel() // opened in a browser instance since restarted
		}
	}
	if t != nil {
		s.served++
	}
	s.mu.Unlock()
	s.refill(bctx)
	if t != nil {
		return t, nil
	}
	return openTab(bctx)
}

// refill opens spares in the background up to want.
func (s *spareTabs) refill(bctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.closed && len(s.ready)+s.pending < s.want {
		s.pending++
		s.wg.Go(func() {
			t, err := openTab(bctx)
			s.mu.Lock()
			defer s.mu.Unlock()
			s.pending--
			switch {
			case err != nil:
			case s.closed || bctx.Err() != nil:
				t.cancel()
			default:
				s.ready = append(s.ready, t)
			}
		})
	}
}

// close closes the spares and waits for those being opened; no spare is
// opened after it.
func (s *spareTabs) close() {
	s.mu.Lock()
	s.closed = true
	ready := s.ready
	s.ready = nil
	s.mu.Unlock()
	for _, t := range ready {
		t.cancel()
	}
	s.wg.Wait()
}
