package browser

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/crawler/consent"
)

// consentResult is what window.__trackscanConsent.detect() and act() return.
type consentResult struct {
	CMP      string   `json:"cmp"`
	Found    bool     `json:"found"`
	Clicked  bool     `json:"clicked"`
	Selector string   `json:"selector"`
	Note     string   `json:"note"`
	Steps    []string `json:"steps"`
	Offered  []string `json:"offered"`
	Layer    int      `json:"layer"`
	Reason   string   `json:"reason"`
	// Banner design, measured before the click.
	AcceptProminence     *capture.ButtonLook `json:"acceptProminence"`
	RejectProminence     *capture.ButtonLook `json:"rejectProminence"`
	PreTicked            []string            `json:"preTicked"`
	LegitimateInterestOn []string            `json:"legitimateInterestOn"`
}

// design is the banner's look as act() measured it, or nil.
func (r consentResult) design() *capture.BannerDesign {
	d := &capture.BannerDesign{Accept: r.AcceptProminence, Reject: r.RejectProminence,
		PreTicked: r.PreTicked, LegitimateInterestOn: r.LegitimateInterestOn}
	if d.Accept == nil && d.Reject == nil && len(d.PreTicked) == 0 && len(d.LegitimateInterestOn) == 0 {
		return nil
	}
	return d
}

// verifyWait bounds how long a banner may take to go after the click: a
// fade-out transition, or a CMP that reloads the page with the choice.
const verifyWait = 5 * time.Second

type consentSignals struct {
	TCF *struct {
		CMPID           int             `json:"cmpId"`
		EventStatus     string          `json:"eventStatus"`
		GDPRApplies     bool            `json:"gdprApplies"`
		PurposeConsents map[string]bool `json:"purposeConsents"`
		VendorConsents  map[string]bool `json:"vendorConsents"`
		TCString        string          `json:"tcString"`
	} `json:"tcf"`
	GPP string `json:"gpp"`
	GPC bool   `json:"gpc"`
}

// handleConsent finds the banner in any frame; in a consent phase it clicks
// reject or accept, verifies the click took, and reloads the page so that the
// phase records what the site does once the choice is stored. Everything
// recorded before the click belongs to the visit's pre-consent part and is
// dropped from this phase. On a carried visit (v.Carry) the choice is
// already stored, and the banner is clicked only when it shows anyway.
// It returns the consent state the click stored, or nil.
func (b *Browser) handleConsent(ctx context.Context, p *capture.Page, rec *recorder, pageURL string, v Visit) *capture.ConsentState {
	c := &capture.Consent{Action: v.ConsentAction}
	p.Consent = c
	if v.Carry != nil && v.ConsentAction != "" {
		c.CarriedFrom, c.State = v.Carry.FromURL, stateNames(v.Carry)
	}
	fs, err := frames(ctx)
	if err != nil {
		c.Note = "could not list frames: " + err.Error()
		return nil
	}
	install := v.ConsentScript + "\n;void 0"
	var found *frameInfo
	var det consentResult
	note, noteCMP := "", ""
	for i := range fs {
		if _, err := evalInFrame[json.RawMessage](ctx, fs[i].id, install, false); err != nil {
			continue
		}
		r, err := evalInFrame[consentResult](ctx, fs[i].id, "window.__trackscanConsent.detect()", true)
		if err != nil {
			continue
		}
		if r.Found {
			found, det = &fs[i], r
			break
		}
		// Keep what detect() said: a CMP present with its banner hidden
		// says more than "nothing found". The top frame speaks first.
		if note == "" || (noteCMP == "" && r.CMP != "") {
			note, noteCMP = r.Note, r.CMP
		}
	}
	if found == nil {
		if note == "" {
			note = "no consent banner found"
		}
		c.Note = note
		if v.Carry != nil && v.ConsentAction != "" {
			// The carried choice is in effect; a page that showed its banner
			// before consent and shows none now proves that it took.
			c.Carried, c.CMP, c.Verified = true, v.Carry.CMP, v.ExpectBanner
		}
		b.readSignals(ctx, c, v.ConsentScript)
		return nil
	}
	c.BannerFound, c.CMP = true, det.CMP
	action := consent.Action(v.ConsentAction)
	if !action.Valid() {
		c.Note = det.Note
		b.readSignals(ctx, c, v.ConsentScript)
		return nil
	}
	before := b.snapshotState(ctx, p, fs, rec.requestURLs(), nil)
	rec.reset()
	var shot string
	if v.ScreenshotPath != "" && v.Carry == nil {
		shot = b.bannerScreenshot(ctx, v.ScreenshotPath)
	}
	if strings.HasPrefix(det.CMP, "com:") && v.ConsentActScript != "" {
		if _, err := evalInFrame[json.RawMessage](ctx, found.id, v.ConsentActScript+"\n;void 0", false); err != nil {
			c.Note, c.Reason = "could not load the Consent-O-Matic rule's steps: "+err.Error(), capture.ReasonClickFailed
			return nil
		}
	}
	act, err := evalInFrame[consentResult](ctx, found.id, `window.__trackscanConsent.act(`+jsString(string(action))+`)`, true)
	if err != nil {
		c.Note, c.Reason = "click failed: "+err.Error(), capture.ReasonClickFailed
		return nil
	}
	c.Clicked, c.Selector, c.Note = act.Clicked, act.Selector, act.Note
	c.Steps, c.Offered, c.Layer = act.Steps, act.Offered, act.Layer
	if !act.Clicked {
		c.Reason = cmp.Or(act.Reason, capture.ReasonNotFound)
	}
	if v.Carry == nil {
		if c.Design = act.design(); c.Design != nil || shot != "" {
			if c.Design == nil {
				c.Design = &capture.BannerDesign{}
			}
			c.Design.Screenshot = shot
		}
	}
	if v.Carry != nil {
		c.Note = "banner shown despite the " + v.ConsentAction + " choice carried from " + v.Carry.FromURL + "; clicked here: " + act.Note
	}
	if !act.Clicked {
		return nil
	}
	handedOff := false
	if v.Carry == nil && v.OnConsentState != nil {
		if st := b.storedChoice(ctx, p, rec, fs, before, found, install, pageURL, v, det.CMP); st != nil {
			v.OnConsentState(st)
			handedOff = true
		}
	}
	// Give the CMP time to store the choice and fire what it gates.
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(300 * time.Millisecond):
	}
	b.waitIdle(ctx, rec)
	gone, reloaded := b.bannerGone(ctx, rec, found.id, install)
	c.Verified = gone
	if reloaded {
		c.Steps = append(c.Steps, "page reloaded by the banner")
	}
	var state *capture.ConsentState
	if v.Carry == nil {
		after := b.snapshotState(ctx, p, fs, rec.requestURLs(), before.urls)
		state = diffState(before, after, scopeOf(p, pageURL, found.url, v.ConsentHost), v.KeepState)
		state.Action, state.CMP, state.FromURL = v.ConsentAction, det.CMP, pageURL
		c.State = stateNames(state)
		if v.OnConsentState != nil && !handedOff && !stateEmpty(state) {
			v.OnConsentState(state) // other pages start with it while this one reloads
		}
	}
	// Reload: the phase is about the site with the choice stored.
	if err := b.navigate(ctx, p, rec, pageURL); err == nil {
		b.waitIdle(ctx, rec)
	}
	b.readSignals(ctx, c, v.ConsentScript)
	return state
}

// earlyChoiceWait bounds how long the click's stored choice is looked for
// before the page's settle wait; past it the choice is handed over after
// that wait, as for a CMP that stores it late.
const earlyChoiceWait = time.Second

// storedChoice hands the choice over early: most CMPs store it in the
// click's own handler, and the pass's other pages can start with it at
// once instead of after this page settles with what the choice started.
// It polls until the banner is gone and the consent state differs from
// before the click, and returns that state, or nil when that does not
// happen within earlyChoiceWait or the CMP navigates.
func (b *Browser) storedChoice(ctx context.Context, p *capture.Page, rec *recorder, fs []frameInfo, before stateSnapshot,
	found *frameInfo, install, pageURL string, v Visit, cmp string) *capture.ConsentState {
	deadline := time.Now().Add(earlyChoiceWait)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
		shown, navigated := b.bannerStillShown(ctx, found.id, install)
		if navigated {
			return nil // the slow path follows the CMP's reload
		}
		if !shown {
			after := b.snapshotState(ctx, p, fs, rec.requestURLs(), before.urls)
			st := diffState(before, after, scopeOf(p, pageURL, found.url, v.ConsentHost), v.KeepState)
			if !stateEmpty(st) {
				st.Action, st.CMP, st.FromURL = v.ConsentAction, cmp, pageURL
				return st
			}
		}
		if time.Now().After(deadline) {
			return nil
		}
	}
}

// bannerScreenshot saves the viewport with the banner showing next to the
// page's own screenshot (NAME.png -> NAME-banner.png) and returns its path.
func (b *Browser) bannerScreenshot(ctx context.Context, pagePath string) string {
	path := strings.TrimSuffix(pagePath, ".png") + "-banner.png"
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil || os.WriteFile(path, png, 0o644) != nil {
		return ""
	}
	return path
}

// bannerGone polls until the banner no longer shows, for up to verifyWait:
// it may fade out first, or the CMP may reload the page with the choice
// stored. After such a navigation the new document is asked, in every
// frame, whether it shows a banner; reloaded reports that it happened.
func (b *Browser) bannerGone(ctx context.Context, rec *recorder, frame cdp.FrameID, install string) (gone, reloaded bool) {
	deadline := time.Now().Add(verifyWait)
	for {
		shown, navigated := b.bannerStillShown(ctx, frame, install)
		reloaded = reloaded || navigated
		if !shown {
			return true, reloaded
		}
		if time.Now().After(deadline) {
			return false, reloaded
		}
		select {
		case <-ctx.Done():
			return false, reloaded
		case <-time.After(250 * time.Millisecond):
		}
		if navigated {
			b.waitIdle(ctx, rec)
		}
	}
}

// bannerStillShown asks the frame that held the banner whether it still
// shows. When that frame cannot answer, its document was replaced (the CMP
// reloaded the page) or the frame was removed (Sourcepoint removes its
// message frame on a choice): then every frame, with the engine installed
// afresh, is asked whether it shows a banner, and navigated is true.
func (b *Browser) bannerStillShown(ctx context.Context, frame cdp.FrameID, install string) (shown, navigated bool) {
	vr, err := evalInFrame[struct {
		BannerVisible bool `json:"bannerVisible"`
	}](ctx, frame, "window.__trackscanConsent.verify()", true)
	if err == nil {
		return vr.BannerVisible, false
	}
	fs, err := frames(ctx)
	if err != nil {
		return true, true
	}
	for _, f := range fs {
		if _, err := evalInFrame[json.RawMessage](ctx, f.id, install, false); err != nil {
			if f.id == frame {
				return true, true // the frame is there but cannot answer yet
			}
			continue
		}
		if r, err := evalInFrame[consentResult](ctx, f.id, "window.__trackscanConsent.detect()", true); err == nil && r.Found {
			return true, true
		}
	}
	return false, true
}

func (b *Browser) readSignals(ctx context.Context, c *capture.Consent, script string) {
	// The engine is usually in place from detect(); after a reload it is
	// evaluated again, which costs a script of a hundred kilobytes.
	s, err := evalMain[consentSignals](ctx, "window.__trackscanConsent.signals()")
	if err != nil {
		if s, err = evalMain[consentSignals](ctx, script+"\n;window.__trackscanConsent.signals()"); err != nil {
			return
		}
	}
	c.GPP, c.GPC = s.GPP, s.GPC
	if s.TCF != nil {
		c.TCF = &capture.TCF{CMPID: s.TCF.CMPID, EventStatus: s.TCF.EventStatus, GDPRApplies: s.TCF.GDPRApplies,
			PurposeConsents: s.TCF.PurposeConsents, VendorConsents: s.TCF.VendorConsents, TCString: s.TCF.TCString}
		// What the answer left out comes from its TC string; a string that
		// does not decode leaves the answer as the CMP gave it.
		_ = consent.CompleteTCF(c.TCF)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// stateSnapshot is the cookies and top-frame localStorage at one moment.
type stateSnapshot struct {
	urls    []string
	origin  string
	cookies map[string]*network.Cookie // name|domain|path
	local   map[string]string
	carry   carryStorage // sessionStorage and IndexedDB (carry_storage.go)
}

const readLocalStorageJS = `(() => { const o = {}; try { for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); o[k] = localStorage.getItem(k); } } catch (e) {} return o; })()`

// snapshotState reads the cookies of every origin seen so far (plus extra)
// and the top frame's localStorage.
func (b *Browser) snapshotState(ctx context.Context, p *capture.Page, fs []frameInfo, requestURLs, extra []string) stateSnapshot {
	if now, err := frames(ctx); err == nil {
		fs = now
	}
	urls := cookieURLs(p, fs, append(requestURLs, extra...))
	s := stateSnapshot{urls: urls, cookies: map[string]*network.Cookie{}, local: map[string]string{}}
	if res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls}); err == nil {
		for _, c := range res.Cookies {
			s.cookies[c.Name+"|"+c.Domain+"|"+c.Path] = c
		}
	}
	if len(fs) > 0 {
		s.origin = originOf(fs[0].url)
		if m, err := evalInFrame[map[string]string](ctx, fs[0].id, readLocalStorageJS, false); err == nil {
			s.local = m
		}
		s.carry = readCarryStorage(ctx, fs[0].id)
	}
	return s
}

// stateScope says which cookie domains a consent state may hold: the page's
// registrable domain, the host of the frame that showed the banner (a CMP's
// own iframe), and the hosts the caller knows as a CMP's.
type stateScope struct {
	site        string
	bannerHost  string
	consentHost func(string) bool
}

func scopeOf(p *capture.Page, pageURL, bannerFrameURL string, consentHost func(string) bool) stateScope {
	u := p.FinalURL
	if u == "" {
		u = pageURL
	}
	sc := stateScope{site: capture.Site(capture.HostOf(u)), consentHost: consentHost}
	if h := capture.HostOf(bannerFrameURL); h != "" {
		sc.bannerHost = h
	}
	return sc
}

func (sc stateScope) allows(domain string) bool {
	d := strings.TrimPrefix(strings.ToLower(domain), ".")
	switch {
	case d == "":
		return false
	case capture.Site(d) == sc.site:
		return true
	case d == sc.bannerHost || (sc.bannerHost != "" && strings.HasSuffix(sc.bannerHost, "."+d)):
		return true
	case sc.consentHost != nil && sc.consentHost(d):
		return true
	}
	return false
}

// diffState keeps what the click added or changed, within scope and what
// keep allows.
func diffState(before, after stateSnapshot, sc stateScope, keep func(kind, name, domain string) bool) *capture.ConsentState {
	st := &capture.ConsentState{Origin: after.origin}
	for k, c := range after.cookies {
		if old, ok := before.cookies[k]; ok && old.Value == c.Value {
			continue
		}
		if c.PartitionKey != nil || !sc.allows(c.Domain) {
			continue
		}
		if keep != nil && !keep("cookie", c.Name, strings.TrimPrefix(c.Domain, ".")) {
			continue
		}
		exp := 0.0
		if !c.Session {
			exp = c.Expires
		}
		st.Cookies = append(st.Cookies, capture.StateCookie{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			Expires: exp, Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: string(c.SameSite)})
	}
	if after.origin != "" && after.origin == before.origin {
		host := capture.HostOf(after.origin)
		for k, v := range after.local {
			if old, ok := before.local[k]; ok && old == v {
				continue
			}
			if keep != nil && !keep("localStorage", k, host) {
				continue
			}
			st.LocalStorage = append(st.LocalStorage, capture.StateItem{Key: k, Value: v})
		}
		diffCarryStorage(before.carry, after.carry, host, keep, st)
	}
	sort.Slice(st.Cookies, func(i, j int) bool {
		a, b := st.Cookies[i], st.Cookies[j]
		if a.Domain != b.Domain {
			return a.Domain < b.Domain
		}
		return a.Name < b.Name
	})
	sort.Slice(st.LocalStorage, func(i, j int) bool { return st.LocalStorage[i].Key < st.LocalStorage[j].Key })
	return st
}

// stateNames lists what a consent state holds, for Consent.State.
func stateNames(s *capture.ConsentState) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, c := range s.Cookies {
		out = append(out, "cookie "+c.Name+"@"+strings.TrimPrefix(c.Domain, "."))
	}
	for _, it := range s.LocalStorage {
		out = append(out, "localStorage "+it.Key)
	}
	return append(out, carryStorageNames(s)...)
}

// presetState stores a carried consent state in a fresh browser context
// before the first navigation: cookies through the network domain, and
// localStorage through a script that runs before the page's own, only on
// the state's origin and only for keys the page does not have yet (a
// reload after a click must not undo the click).
func presetState(ctx context.Context, st *capture.ConsentState) error {
	if st == nil {
		return nil
	}
	if err := presetCarryStorage(ctx, st); err != nil {
		return err
	}
	var params []*network.CookieParam
	for _, c := range st.Cookies {
		cp := &network.CookieParam{Name: c.Name, Value: c.Value, Path: c.Path, Secure: c.Secure, HTTPOnly: c.HTTPOnly}
		if strings.HasPrefix(c.Domain, ".") {
			cp.Domain = c.Domain
		} else {
			// A host-only cookie stays host-only when it is set through a URL.
			scheme := "http"
			if c.Secure {
				scheme = "https"
			}
			cp.URL = scheme + "://" + c.Domain + cmp.Or(c.Path, "/")
		}
		if c.SameSite != "" {
			cp.SameSite = network.CookieSameSite(c.SameSite)
		}
		if c.Expires > 0 {
			cp.Expires = cdp.TimeSinceEpoch(c.Expires)
		}
		params = append(params, cp)
	}
	if len(params) > 0 {
		if _, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: params}); err != nil {
			return err
		}
	}
	if len(st.LocalStorage) == 0 || st.Origin == "" {
		return nil
	}
	items := make([][2]string, len(st.LocalStorage))
	for i, it := range st.LocalStorage {
		items[i] = [2]string{it.Key, it.Value}
	}
	raw, _ := json.Marshal(items)
	src := `(() => { if (location.origin !== ` + jsString(st.Origin) + `) return; try { for (const [k, v] of ` + string(raw) +
		`) if (localStorage.getItem(k) === null) localStorage.setItem(k, v); } catch (e) {} })();`
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
	return err
}
