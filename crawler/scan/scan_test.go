package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trackscan/trackscan/crawler/browser"
	"github.com/trackscan/trackscan/crawler/browser/browsertest"
	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/demosite"
)

func TestValidate(t *testing.T) {
	ok := Options{Targets: []string{"https://shop.example/"}}
	tests := []struct {
		name   string
		modify func(*Options)
		want   string // "" for valid
	}{
		{"minimal", func(*Options) {}, ""},
		{"no target", func(o *Options) { o.Targets = nil }, "no target URL"},
		{"ftp target", func(o *Options) { o.Targets = []string{"ftp://x.example/"} }, "not an http(s) URL"},
		{"no host", func(o *Options) { o.Targets = []string{"https:///path"} }, "not an http(s) URL"},
		{"negative concurrency", func(o *Options) { o.Concurrency = -1 }, "concurrency -1"},
		{"negative max pages", func(o *Options) { o.MaxPages = -1 }, "max pages -1"},
		{"negative depth", func(o *Options) { o.Depth = -2 }, "depth -2"},
		{"negative trap variants", func(o *Options) { o.TrapVariants = -1 }, "trap variants"},
		{"negative timeout", func(o *Options) { o.Browser.PageTimeout = -5 * time.Second }, "page timeout -5s"},
		{"unknown phase", func(o *Options) { o.Phases = []capture.Phase{"later"} }, `unknown phase "later"`},
		{"bad include", func(o *Options) { o.Include = []string{"["} }, `pattern "["`},
		{"bad exclude", func(o *Options) { o.Exclude = []string{"a(b"} }, `pattern "a(b"`},
		{"bad resolve rules", func(o *Options) { o.Browser.ResolveRules = "FROB x" }, "resolve rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			o.Browser.ResolveRules = ""
			tt.modify(&o)
			err := o.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v, want nil", err)
			case tt.want != "" && (err == nil || !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate: %v, want ErrInvalidOptions with %q", err, tt.want)
			}
		})
	}
}

func TestPhasesPutPreConsentFirst(t *testing.T) {
	tests := []struct {
		in, want []capture.Phase
	}{
		{nil, []capture.Phase{capture.PreConsent, capture.AfterReject, capture.AfterAccept}},
		{[]capture.Phase{capture.AfterAccept}, []capture.Phase{capture.PreConsent, capture.AfterAccept}},
		{[]capture.Phase{capture.PreConsent}, []capture.Phase{capture.PreConsent}},
	}
	for _, tt := range tests {
		o := Options{Phases: tt.in}
		if got := o.phases(); !slices.Equal(got, tt.want) {
			t.Errorf("phases(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("load x: %w %d", browser.ErrHTTPStatus, 404), false},
		{fmt.Errorf("load x: %w (application/pdf)", browser.ErrNotHTML), false},
		{fmt.Errorf("%w after 3s", browser.ErrPageTimeout), false},
		{browser.ErrTabCrashed, true},
		{errors.New("load x: net::ERR_CONNECTION_RESET"), true},
		// A page whose text merely mentions HTTP is no HTTP status error.
		{errors.New("load http://x.example/HTTP 500: net::ERR_FAILED"), true},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("retryable(%v) = %t, want %t", tt.err, got, tt.want)
		}
	}
}

func TestListSource(t *testing.T) {
	l := &listSource{urls: []string{"http://a.example/", "http://b.example/"}}
	ctx := context.Background()
	if l.Known() != 2 {
		t.Errorf("Known %d, want 2", l.Known())
	}
	var got []string
	for {
		u, d, ok := l.NextWait(ctx)
		if !ok {
			break
		}
		if d != 0 {
			t.Errorf("depth %d", d)
		}
		got = append(got, u)
		l.AddLinks(u, d, []string{"http://c.example/"}) // a list does not crawl
		l.Done(u)
	}
	if strings.Join(got, " ") != "http://a.example/ http://b.example/" || l.Known() != 2 {
		t.Errorf("handed out %v, Known %d", got, l.Known())
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	l = &listSource{urls: []string{"http://a.example/"}}
	if _, _, ok := l.NextWait(cancelled); ok {
		t.Error("NextWait handed out a page after the context ended")
	}
}

func TestBySite(t *testing.T) {
	pages := []crawled{{url: "https://www.shop.example/"}, {url: "https://blog.other.example/"}, {url: "https://shop.example/a"}}
	got := bySite(pages)
	if len(got) != 2 || got[0].site != "shop.example" || len(got[0].pages) != 2 || got[1].site != "other.example" {
		t.Errorf("bySite = %+v", got)
	}
}

func TestScreenshotName(t *testing.T) {
	tests := []struct {
		url   string
		phase capture.Phase
		want  string
	}{
		{"https://shop.example/", capture.PreConsent, "shop.example.pre-consent.png"},
		{"https://shop.example/a/b?c=d", capture.AfterReject, "shop.example_a_b.after-reject.png"},
		{"http://127.0.0.1:8080/x", capture.AfterAccept, "127.0.0.1_8080_x.after-accept.png"},
	}
	for _, tt := range tests {
		if got := screenshotName(tt.url, tt.phase); got != tt.want {
			t.Errorf("screenshotName(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestNotForSystemDNS(t *testing.T) {
	skip := notForSystemDNS("MAP cdn.shop.com 127.0.0.1:8080")
	for host, want := range map[string]bool{
		"shop.example": true, "a.test": true, "cdn.shop.com": true, "metrics.shop.com": false,
	} {
		if got := skip(host); got != want {
			t.Errorf("notForSystemDNS(%q) = %t, want %t", host, got, want)
		}
	}
}

// demoOptions scans the bundled demo shop through loopback.
func demoOptions(site *demosite.Server) Options {
	return Options{
		Targets: []string{demosite.StartURL}, MaxPages: 5, Depth: 3, Concurrency: 2,
		Browser: browser.Options{ResolveRules: site.ResolveRules(), Insecure: true, PageTimeout: 30 * time.Second},
	}
}

// TestRunDemoShop runs the engine without the CLI over the demo shop: a
// crawl of five pages, then the reject and accept passes, whose first
// banner page clicks and whose other pages get the carried choice.
func TestRunDemoShop(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	o := demoOptions(site)
	var mu sync.Mutex
	var done, started, planned int
	o.Events = Events{
		Planned:      func(n int) { mu.Lock(); planned = n; mu.Unlock() },
		VisitStarted: func(capture.Phase, string) { mu.Lock(); started++; mu.Unlock() },
		PageDone:     func(*capture.Page) { done++ }, // never called concurrently
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	byPhase := map[capture.Phase][]string{}
	for _, p := range res.Pages {
		if p.Error != "" {
			t.Errorf("%s (%s): %s", p.URL, p.Phase, p.Error)
		}
		byPhase[p.Phase] = append(byPhase[p.Phase], p.URL)
	}
	for _, ph := range []capture.Phase{capture.PreConsent, capture.AfterReject, capture.AfterAccept} {
		if len(byPhase[ph]) != 5 {
			t.Errorf("%s: %d pages %v, want 5", ph, len(byPhase[ph]), byPhase[ph])
		}
	}
	// Phase order: every pre-consent page comes before any consent page.
	if res.Pages[0].Phase != capture.PreConsent || res.Pages[len(res.Pages)-1].Phase != capture.AfterAccept {
		t.Errorf("pages not in phase order: first %s, last %s", res.Pages[0].Phase, res.Pages[len(res.Pages)-1].Phase)
	}
	clicked := 0
	for _, p := range res.Pages {
		if p.Phase != capture.PreConsent && p.Consent != nil && p.Consent.Clicked {
			clicked++
		}
	}
	if clicked != 2 {
		t.Errorf("%d consent clicks, want 2 (one per consent pass, carried to the other pages)", clicked)
	}
	for _, action := range []string{"reject clicked on", "accept clicked on"} {
		if !slices.ContainsFunc(res.Notes, func(n string) bool {
			return strings.Contains(n, action) && strings.Contains(n, "carried to 4 other pages")
		}) {
			t.Errorf("no note says %q and carried to 4 pages: %q", action, res.Notes)
		}
	}
	if done != len(res.Pages) || started < len(res.Pages) || planned != len(res.Pages) {
		t.Errorf("events: %d done, %d started, %d planned; %d pages", done, started, planned, len(res.Pages))
	}
	if res.Browser.Version == "" || res.Started.IsZero() || res.Finished.Before(res.Started) {
		t.Errorf("browser %+v, started %v, finished %v", res.Browser, res.Started, res.Finished)
	}
}

func TestRunBrowserStartError(t *testing.T) {
	o := Options{Targets: []string{"https://shop.example/"}, Browser: browser.Options{ExecPath: filepath.Join(t.TempDir(), "no-chromium")}}
	res, err := Run(context.Background(), o)
	if !errors.Is(err, ErrBrowserStart) || res != nil {
		t.Errorf("Run = %v, %v; want ErrBrowserStart and no result", res, err)
	}
}

// TestRunInterrupted ends the context after the first page: the pages
// captured so far come back with ErrIncomplete.
func TestRunInterrupted(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	o := demoOptions(site)
	o.Concurrency = 1
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.Events.PageDone = func(*capture.Page) { cancel() }
	res, err := Run(ctx, o)
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v, want ErrIncomplete (interrupted)", err)
	}
	if res == nil || len(res.Pages) == 0 {
		t.Fatalf("no page kept: %+v", res)
	}
}

// TestRunSurvivesBrowserCrash kills Chromium after the first page and
// checks that the engine restarts it, retries the page it was on and
// captures every page, leaving no process of the killed browser.
func TestRunSurvivesBrowserCrash(t *testing.T) {
	browsertest.Chromium(t)
	site := demosite.Start()
	defer site.Close()
	o := demoOptions(site)
	o.Concurrency = 1
	o.Phases = []capture.Phase{capture.PreConsent}
	var mu sync.Mutex
	var killed []int
	var killedDir string
	o.AfterVisit = func(b *browser.Browser, p *capture.Page) {
		mu.Lock()
		defer mu.Unlock()
		if len(killed) > 0 {
			return
		}
		pid := b.PID()
		if pid == 0 {
			t.Error("no browser pid")
			return
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		for _, arg := range strings.Split(string(cmdline), "\x00") {
			if dir, ok := strings.CutPrefix(arg, "--user-data-dir="); ok {
				killedDir = dir
			}
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Errorf("kill %d: %v", pid, err)
		}
		killed = append(killed, pid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(killed) != 1 {
		t.Fatalf("killed %v", killed)
	}
	var urls []string
	for _, p := range res.Pages {
		if p.Error != "" {
			t.Errorf("%s: %s", p.URL, p.Error)
		}
		urls = append(urls, p.URL)
	}
	if len(urls) != 5 {
		t.Errorf("pages %v, want 5", urls)
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "restarted") }) {
		t.Errorf("notes %q do not say the browser was restarted", res.Notes)
	}
	// The killed browser's renderers must not outlive it.
	if killedDir == "" {
		t.Fatal("no --user-data-dir on the killed browser's command line")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.Command("pgrep", "-f", killedDir).Output()
		if len(bytes.TrimSpace(out)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes of the killed browser left: %s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestJobQueue runs jobs that queue more jobs, on one worker and on four:
// every job runs once and run returns when the producers are done.
func TestJobQueue(t *testing.T) {
	for _, workers := range []int{1, 4} {
		q := newJobQueue(2)
		var mu sync.Mutex
		var ran []string
		done := func(name string) { mu.Lock(); ran = append(ran, name); mu.Unlock() }
		for _, p := range []string{"a", "b"} {
			q.push(func() {
				defer q.producerDone()
				done(p)
				for i := range 3 {
					q.push(func() { done(fmt.Sprintf("%s%d", p, i)) })
				}
			})
		}
		q.run(context.Background(), workers)
		slices.Sort(ran)
		if got := strings.Join(ran, " "); got != "a a0 a1 a2 b b0 b1 b2" {
			t.Errorf("%d workers ran %q", workers, got)
		}
	}
}
