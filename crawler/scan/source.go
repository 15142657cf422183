package scan

import (
	"context"
	"sync"
	"time"

	"github.com/trackscan/trackscan/crawler/frontier"
	"github.com/trackscan/trackscan/crawler/resolve"
)

// pageSource hands out the URLs to capture; the crawl frontier is one, the
// plain list of start URLs another.
type pageSource interface {
	// NextWait hands out the next page; while none is queued but pages are
	// in flight it waits for their links. ok is false when the crawl is over
	// or ctx ended.
	NextWait(ctx context.Context) (u string, depth int, ok bool)
	// AddLinks queues the links found on a page handed out and marks it done.
	AddLinks(from string, depth int, links []string)
	// Done marks a page handed out as finished without links.
	Done(u string)
	// Known is how many pages the crawl will visit as far as it knows now.
	Known() int
}

// listSource is the URLs given, in order, without crawling.
type listSource struct {
	mu     sync.Mutex
	urls   []string
	handed int
}

func (l *listSource) NextWait(ctx context.Context) (string, int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.urls) == 0 || ctx.Err() != nil {
		return "", 0, false
	}
	u := l.urls[0]
	l.urls = l.urls[1:]
	l.handed++
	return u, 0, true
}

func (l *listSource) AddLinks(string, int, []string) {}
func (l *listSource) Done(string)                    {}

func (l *listSource) Known() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.handed + len(l.urls)
}

// crawlFetchTimeout bounds each robots.txt and sitemap fetch of the crawl.
const crawlFetchTimeout = 20 * time.Second

// newPageSource is the list of targets, or with MaxPages above one, a crawl
// frontier seeded with them (robots.txt, sitemaps, links) whose own fetches
// follow the browser's resolve rules and TLS setting.
func newPageSource(ctx context.Context, o *Options) (pageSource, error) {
	if o.MaxPages <= 1 {
		return &listSource{urls: append([]string(nil), o.Targets...)}, nil
	}
	rules, err := resolve.Parse(o.Browser.ResolveRules)
	if err != nil {
		return nil, err
	}
	fr, err := frontier.New(frontier.Config{
		Seeds: o.Targets, MaxPages: o.MaxPages, MaxDepth: o.Depth, Include: o.Include, Exclude: o.Exclude,
		IgnoreRobots: o.IgnoreRobots, Client: resolve.Client(rules, o.Browser.Insecure, crawlFetchTimeout),
		TrapVariants: o.TrapVariants,
	})
	if err != nil {
		return nil, err
	}
	if err := fr.Start(ctx); err != nil {
		return nil, err
	}
	return fr, nil
}
