// Package browser drives a headless Chromium through chromedp and records
// what a page does into capture.Page. It is the only package that imports
// chromedp: its API changes fast, so it stays behind this boundary.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"github.com/trackscan/trackscan/crawler/capture"
)

// ErrNoBrowser means no Chromium executable was found.
var ErrNoBrowser = errors.New("no Chromium found: install Debian's chromium package or pass --browser PATH")

// Options configure the browser for a whole scan.
type Options struct {
	ExecPath          string            // Chromium binary; found on PATH when empty
	RemoteURL         string            // ws:// URL of a running Chrome to drive instead of starting one
	Flags             map[string]string // extra Chromium flags, NAME=VALUE ("" value for a bare switch)
	ResolveRules      string            // Chromium host-resolver-rules (maps real hostnames to loopback)
	Insecure          bool              // ignore TLS certificate errors
	ThirdPartyCookies string            // "allow" (default) or "block"
	GPC               bool              // send Sec-GPC: 1 and set navigator.globalPrivacyControl
	Language          string            // Accept-Language and navigator.language, default "en-US,en"
	Width, Height     int               // viewport, default 1366x768
	PageTimeout       time.Duration     // whole budget of one page visit, default 30s
	IdleTime          time.Duration     // network quiet time that counts as idle, default 500ms
	MaxIdleWait       time.Duration     // longest wait for idle after load, default 8s
	// Scope, when set, is asked about every document the pages load (see
	// Scope); nil allows every document. Visit.Scope overrides it.
	Scope Scope
}

func (o *Options) defaults() {
	if o.ThirdPartyCookies == "" {
		o.ThirdPartyCookies = "allow"
	}
	if o.Language == "" {
		o.Language = "en-US,en"
	}
	if o.Width == 0 || o.Height == 0 {
		o.Width, o.Height = 1366, 768
	}
	if o.PageTimeout == 0 {
		o.PageTimeout = 30 * time.Second
	}
	if o.IdleTime == 0 {
		o.IdleTime = 500 * time.Millisecond
	}
	if o.MaxIdleWait == 0 {
		o.MaxIdleWait = 8 * time.Second
	}
}

// Browser is one running Chromium shared by every page of a scan; each page
// visit gets its own browser context (a fresh profile with no cookies).
type Browser struct {
	opts      Options
	baseCtx   context.Context // Launch's context without its cancellation: a restart allocates from it
	info      capture.BrowserInfo
	closeOnce sync.Once

	// mu guards the running instance, which Restart replaces.
	mu        sync.RWMutex
	ctx       context.Context // the browser's context: it has no deadline (a deadline would close the browser)
	cancel    context.CancelFunc
	allocStop context.CancelFunc
	dataDir   string
	closed    bool
	// runDir holds everything this browser writes to disk: its profiles
	// and Chromium's own temporary files (TMPDIR points there), so that
	// one directory is removed on Close, or by the next run after a kill.
	runDir string
}

// FindChromium returns the path of a Chromium or Chrome executable on PATH.
func FindChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// Launch starts Chromium (or attaches to RemoteURL).
func Launch(ctx context.Context, opts Options) (*Browser, error) {
	opts.defaults()
	if opts.ThirdPartyCookies != "allow" && opts.ThirdPartyCookies != "block" {
		return nil, fmt.Errorf("third-party cookies must be allow or block, not %q", opts.ThirdPartyCookies)
	}
	if opts.RemoteURL == "" {
		if opts.ExecPath == "" {
			p, err := FindChromium()
			if err != nil {
				return nil, err
			}
			opts.ExecPath = p
		}
		if _, err := os.Stat(opts.ExecPath); err != nil {
			return nil, fmt.Errorf("%w (%s)", ErrNoBrowser, opts.ExecPath)
		}
	}
	b := &Browser{opts: opts, baseCtx: context.WithoutCancel(ctx)}
	if err := b.start(ctx); err != nil {
		b.Close()
		return nil, err
	}
	bctx := b.current()
	v, err := chromedp.CallBrowser(bctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("read Chromium version: %w", err)
	}
	b.info = capture.BrowserInfo{
		Version:           v.Product,
		UserAgent:         visitorUserAgent(v.UserAgent),
		Viewport:          fmt.Sprintf("%dx%d", opts.Width, opts.Height),
		Language:          opts.Language,
		ThirdPartyCookies: opts.ThirdPartyCookies,
		GPC:               opts.GPC,
	}
	return b, nil
}

// start allocates a browser (a fresh profile for a local one) and waits
// until it answers. The caller holds mu or has not shared b yet.
func (b *Browser) start(ctx context.Context) error {
	var allocCtx context.Context
	if b.opts.RemoteURL != "" {
		allocCtx, b.allocStop = remote.NewAllocator(b.baseCtx, b.opts.RemoteURL)
	} else {
		if b.runDir == "" {
			dir, err := newRunDir(os.TempDir())
			if err != nil {
				return err
			}
			b.runDir = dir
		}
		dir, err := newProfileDir(b.runDir, b.opts.ThirdPartyCookies)
		if err != nil {
			return err
		}
		b.dataDir = dir
		allocCtx, b.allocStop = chromedp.NewExecAllocator(b.baseCtx, b.allocatorOptions()...)
	}
	b.ctx, b.cancel = chromedp.NewContext(allocCtx, chromedp.WithErrorf(quietErrorf))
	// Start the browser with a context that has no deadline; pages get their own.
	startCtx, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	ready := make(chan error, 1)
	go func() { ready <- chromedp.Do(b.ctx) }()
	select {
	case err := <-ready:
		if err != nil {
			return fmt.Errorf("start Chromium: %w", err)
		}
	case <-startCtx.Done():
		return fmt.Errorf("start Chromium: %w", startCtx.Err())
	}
	if b.opts.RemoteURL == "" {
		// Tabs deny downloads in their own contexts (tabGuard); this covers
		// the default context too (email renders).
		if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorDeny,
		}); err != nil {
			return fmt.Errorf("start Chromium: deny downloads: %w", err)
		}
	}
	return nil
}

// current is the context of the running browser instance.
func (b *Browser) current() context.Context {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.ctx
}

// Alive says whether the browser answers: false once its process died or
// the connection to it was lost. A crash is noticed asynchronously, so
// besides the context it asks the browser for its version.
func (b *Browser) Alive() bool {
	b.mu.RLock()
	bctx := b.ctx
	closed := b.closed
	b.mu.RUnlock()
	if closed || bctx == nil || bctx.Err() != nil {
		return false
	}
	probe, cancel := context.WithTimeout(bctx, 5*time.Second)
	defer cancel()
	_, err := chromedp.CallBrowser(probe, browser.GetVersion, cdp.Empty{})
	return err == nil
}

// PID is the process id of the Chromium this scan started, 0 for a remote
// browser. No command needs it; it is kept for the tests that check a
// crashed or cancelled scan leaves no Chromium behind.
func (b *Browser) PID() int {
	bctx := b.current()
	if bctx == nil {
		return 0
	}
	c := chromedp.FromContext(bctx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		return 0
	}
	return c.Browser.Process().Pid
}

// Restart replaces the browser with a new one (a fresh profile, or a new
// connection to RemoteURL); visits in flight fail. Call it when Alive is
// false.
func (b *Browser) Restart(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errors.New("browser closed")
	}
	b.stopLocked(false)
	if err := b.start(ctx); err != nil {
		b.stopLocked(false)
		return err
	}
	return nil
}

// stopLocked stops the running instance and removes its profile. Only a
// graceful stop asks Chromium to close: a hung browser would not answer,
// and cancelling the context kills the process anyway.
func (b *Browser) stopLocked(graceful bool) {
	if graceful && b.ctx != nil && b.ctx.Err() == nil {
		_ = chromedp.Cancel(b.ctx)
	}
	if b.cancel != nil {
		b.cancel()
	}
	if b.allocStop != nil {
		b.allocStop()
	}
	if b.dataDir != "" {
		removeProfile(b.dataDir)
	}
	b.ctx, b.cancel, b.allocStop, b.dataDir = nil, nil, nil, ""
}

// Run directories are named trackscan-run-PID-RANDOM and hold a file that
// names their owner (host and process), written before anything else.
const (
	runDirPrefix = "trackscan-run-"
	runOwnerFile = "owner"
)

// newRunDir sweeps the run directories of dead trackscan processes from tmp,
// then makes one for this browser.
func newRunDir(tmp string) (string, error) {
	sweepStaleRuns(tmp)
	sweepStaleProfiles(tmp)
	dir, err := os.MkdirTemp(tmp, fmt.Sprintf("%s%d-", runDirPrefix, os.Getpid()))
	if err != nil {
		return "", err
	}
	host, _ := os.Hostname()
	if err := os.WriteFile(filepath.Join(dir, runOwnerFile), fmt.Appendf(nil, "%s-%d\n", host, os.Getpid()), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o700); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// sweepStaleRuns removes the run directories of trackscan processes on this
// host that are gone (SIGKILL, a lost container): their owner file names a
// process that no longer exists. A directory of another host, or one whose
// owner file is not written yet, is left alone.
func sweepStaleRuns(tmp string) {
	host, err := os.Hostname()
	if err != nil {
		return
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, runDirPrefix+"*"))
	for _, dir := range dirs {
		owner, err := os.ReadFile(filepath.Join(dir, runOwnerFile))
		if err != nil {
			continue
		}
		if ownerGone(strings.TrimSpace(string(owner)), host) {
			_ = os.RemoveAll(dir)
		}
	}
}

// ownerGone says whether "HOST-PID" names a process of this host that no
// longer runs.
func ownerGone(owner, host string) bool {
	i := strings.LastIndexByte(owner, '-')
	if i < 0 {
		return false
	}
	pid, err := strconv.Atoi(owner[i+1:])
	if owner[:i] != host || err != nil || pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

// sweepStaleProfiles removes the profiles that runs of earlier versions
// left directly in the temporary directory: Chromium's SingletonLock names
// the host and process that held the profile.
func sweepStaleProfiles(tmp string) {
	host, err := os.Hostname()
	if err != nil {
		return
	}
	dirs, _ := filepath.Glob(filepath.Join(tmp, "trackscan-profile-*"))
	for _, dir := range dirs {
		lock, err := os.Readlink(filepath.Join(dir, "SingletonLock"))
		if err != nil {
			continue // not started yet, or not Chromium's: leave it
		}
		if ownerGone(lock, host) {
			_ = os.RemoveAll(dir)
		}
	}
}

// removeProfile deletes a profile directory once no process uses it.
// Chromium's helper processes outlive the browser process by up to a couple
// of seconds and may write into the profile (crash reports) meanwhile, which
// would leave a re-created directory behind.
func removeProfile(dir string) {
	deadline := time.Now().Add(3 * time.Second)
	for profileInUse(dir) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	_ = os.RemoveAll(dir)
}

// profileInUse says whether a process has dir on its command line
// (Chromium's processes all carry --user-data-dir). Only Linux has /proc;
// elsewhere it says no.
func profileInUse(dir string) bool {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	needle := []byte(dir)
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && bytes.Contains(cmdline, needle) {
			return true
		}
	}
	return false
}

// visitorUserAgent removes the headless marker: consent managers and
// analytics treat a recognised bot differently, which would make the
// evidence worthless (FIELD-NOTES §2.5).
func visitorUserAgent(ua string) string {
	return strings.Replace(ua, "HeadlessChrome", "Chrome", 1)
}

func (b *Browser) allocatorOptions() []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(b.opts.ExecPath),
		chromedp.UserDataDir(b.dataDir),
		// Chromium's own temporary files (org.chromium.Chromium.*) go
		// into the run directory too.
		chromedp.Env("TMPDIR=" + filepath.Join(b.runDir, "tmp")),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.WindowSize(b.opts.Width, b.opts.Height),
		chromedp.Flag("disable-gpu", true),
		// Chromium's own traffic (updates, sync, time) must never be counted as the site's.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("no-pings", false),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("mute-audio", true),
		// Keep cross-site iframes in the page's process so their network
		// events and documents reach the page's session (FIELD-NOTES §2.2).
		chromedp.Flag("disable-features", "SitePerProcess,IsolateOrigins,Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions,AutofillServerCommunication"),
		chromedp.Flag("disable-site-isolation-trials", true),
		// Present as an ordinary browser: no navigator.webdriver.
		chromedp.Flag("disable-blink-features", "AutomationControlled"),
		chromedp.Flag("lang", strings.SplitN(b.opts.Language, ",", 2)[0]),
	}
	if os.Geteuid() == 0 || inContainer() {
		opts = append(opts, chromedp.Flag("no-sandbox", true))
	}
	if b.opts.ResolveRules != "" {
		opts = append(opts, chromedp.Flag("host-resolver-rules", b.opts.ResolveRules))
	}
	if b.opts.Insecure {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors", true))
	}
	for name, value := range b.opts.Flags {
		name = strings.TrimLeft(name, "-")
		if value == "" {
			opts = append(opts, chromedp.Flag(name, true))
		} else {
			opts = append(opts, chromedp.Flag(name, value))
		}
	}
	return opts
}

// inContainer reports a container (Docker, Podman, Kubernetes), whose
// default seccomp profile denies the namespaces Chromium's sandbox needs.
func inContainer() bool {
	if os.Getenv("TRACKSCAN_NO_SANDBOX") == "1" || os.Getenv("KUBERNETES_SERVICE_HOST") != "" || os.Getenv("container") != "" {
		return true
	}
	for _, marker := range []string{"/.dockerenv", "/run/.containerenv"} {
		if _, err := os.Stat(marker); err == nil {
			return true
		}
	}
	return false
}

// newProfileDir writes a fresh profile whose cookie controls say whether
// third-party cookies are allowed: a fresh Chromium 156 profile blocks them,
// and no command-line flag changes that any more (FIELD-NOTES §2.1).
func newProfileDir(runDir, thirdParty string) (string, error) {
	dir, err := os.MkdirTemp(runDir, "trackscan-profile-")
	if err != nil {
		return "", err
	}
	mode := 0 // allow
	if thirdParty == "block" {
		mode = 1
	}
	prefs := fmt.Sprintf(`{"profile":{"cookie_controls_mode":%d,"block_third_party_cookies":%t}}`, mode, thirdParty == "block")
	if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "Default", "Preferences"), []byte(prefs), 0o600); err != nil {
		return "", err
	}
	return dir, nil
}

// Info says which browser identity and cookie policy the scan runs under.
func (b *Browser) Info() capture.BrowserInfo { return b.info }

// Close stops Chromium, waits for its processes and removes the profile.
func (b *Browser) Close() {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.closed = true
		b.stopLocked(true)
		if b.runDir != "" {
			removeProfile(b.runDir)
			b.runDir = ""
		}
	})
}
