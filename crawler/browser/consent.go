package browser

import (
	"context"
	"encoding/json"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

// consentResult is what window.__trackscanConsent.detect() and act() return.
type consentResult struct {
	CMP      string `json:"cmp"`
	Found    bool   `json:"found"`
	Clicked  bool   `json:"clicked"`
	Selector string `json:"selector"`
	Note     string `json:"note"`
}

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
// dropped from this phase.
func (b *Browser) handleConsent(ctx context.Context, p *capture.Page, rec *recorder, pageURL string, v Visit) {
	c := &capture.Consent{Action: v.ConsentAction}
	p.Consent = c
	fs, err := frames(ctx)
	if err != nil {
		c.Note = "could not list frames: " + err.Error()
		return
	}
	install := v.ConsentScript + "\n;void 0"
	var found *frameInfo
	var det consentResult
	for i := range fs {
		if _, err := evalInFrame[json.RawMessage](ctx, fs[i].id, install, false); err != nil {
			continue
		}
		r, err := evalInFrame[consentResult](ctx, fs[i].id, "window.__trackscanConsent.detect()", true)
		if err == nil && r.Found {
			found, det = &fs[i], r
			break
		}
	}
	if found == nil {
		c.Note = "no consent banner found"
		b.readSignals(ctx, c, v.ConsentScript)
		return
	}
	c.BannerFound, c.CMP = true, det.CMP
	if v.ConsentAction == "" {
		c.Note = det.Note
		b.readSignals(ctx, c, v.ConsentScript)
		return
	}
	rec.reset()
	act, err := evalInFrame[consentResult](ctx, found.id, `window.__trackscanConsent.act(`+jsString(v.ConsentAction)+`)`, true)
	if err != nil {
		c.Note = "click failed: " + err.Error()
		return
	}
	c.Clicked, c.Selector, c.Note = act.Clicked, act.Selector, act.Note
	if !act.Clicked {
		return
	}
	// Give the CMP time to store the choice and fire what it gates.
	select {
	case <-ctx.Done():
		return
	case <-time.After(300 * time.Millisecond):
	}
	b.waitIdle(ctx, rec)
	if vr, err := evalInFrame[struct {
		BannerVisible bool `json:"bannerVisible"`
	}](ctx, found.id, "window.__trackscanConsent.verify()", true); err == nil {
		c.Verified = !vr.BannerVisible
	}
	// Reload: the phase is about the site with the choice stored.
	if err := b.navigate(ctx, p, rec, pageURL); err == nil {
		b.waitIdle(ctx, rec)
	}
	b.readSignals(ctx, c, v.ConsentScript)
}

func (b *Browser) readSignals(ctx context.Context, c *capture.Consent, script string) {
	s, err := evalMain[consentSignals](ctx, script+"\n;window.__trackscanConsent.signals()")
	if err != nil {
		return
	}
	c.GPP, c.GPC = s.GPP, s.GPC
	if s.TCF != nil {
		c.TCF = &capture.TCF{CMPID: s.TCF.CMPID, EventStatus: s.TCF.EventStatus, GDPRApplies: s.TCF.GDPRApplies,
			PurposeConsents: s.TCF.PurposeConsents, VendorConsents: s.TCF.VendorConsents, TCString: s.TCF.TCString}
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
