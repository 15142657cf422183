package browser

import (
	"context"
	_ "embed"
	"encoding/json"
	"strconv"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

//go:embed forms_submit.js
var formsSubmitJS string

// maxSubmits bounds the forms submitted per page: each one after the first
// costs a reload, a refill and a settle.
const maxSubmits = 3

// submittable is what forms_submit.js says of one filled form.
type submittable struct {
	Index  int    `json:"index"`
	Form   string `json:"form"`
	Action string `json:"action"`
	Method string `json:"method"`
	Skip   string `json:"skip"`
	Detail string `json:"detail"`
}

// submitJS submits document.forms[i] the way a person's click does
// (requestSubmit fires the page's submit handlers, which trackers listen
// to), in a task of its own so the evaluation returns before the page goes.
// A target that would open another window is cleared: the guard watches
// this tab's navigations, not a new window's.
const submitJS = `(function (i) { var f = document.forms[i]; if (!f) return false;
  f.removeAttribute('target');
  setTimeout(function () { try { f.requestSubmit ? f.requestSubmit() : f.submit(); } catch (e) { f.submit(); } }, 0);
  return true; })`

// identityArg is the test identity as the argument of forms.js and
// forms_submit.js.
func identityArg() string {
	id := capture.TestIdentity
	arg, _ := json.Marshal(map[string]string{"email": id.Email, "phone": id.Phone, "firstName": id.FirstName,
		"lastName": id.LastName, "postcode": id.Postcode})
	return string(arg)
}

// submitForms submits each filled form of the page once (--forms submit),
// after the fill was observed, and records what follows as OnSubmit
// requests. Forms that are unsafe to submit in a test are listed with the
// reason and left alone. A second form needs the page back: it is loaded
// again and refilled before its submit. The guard checks every submit's
// navigation against the scope like any other top-frame navigation, so an
// action outside it is refused and recorded, never sent.
func (b *Browser) submitForms(ctx context.Context, p *capture.Page, rec *recorder, pageURL string) {
	forms, err := evalMain[[]submittable](ctx, formsSubmitJS+"("+identityArg()+")")
	if err != nil {
		return
	}
	submits := 0
	for _, f := range forms {
		fs := capture.FormSubmit{Form: f.Form, Action: f.Action, Method: f.Method, Skipped: f.Skip, Detail: f.Detail}
		if fs.Skipped == "" && submits >= maxSubmits {
			fs.Skipped, fs.Detail = "limit", strconv.Itoa(maxSubmits)+" forms submitted on this page already"
		}
		if fs.Skipped != "" {
			p.FormsSubmitted = append(p.FormsSubmitted, fs)
			continue
		}
		if submits > 0 && !b.refill(ctx, rec, pageURL, f.Index) {
			fs.Skipped, fs.Detail = "gone", "not found again after reloading the page"
			p.FormsSubmitted = append(p.FormsSubmitted, fs)
			continue
		}
		rec.markSubmit()
		ok, err := evalMain[bool](ctx, submitJS+"("+strconv.Itoa(f.Index)+")")
		if err != nil || !ok {
			fs.Skipped, fs.Detail = "gone", "the form went before its submit"
			p.FormsSubmitted = append(p.FormsSubmitted, fs)
			continue
		}
		submits++
		fs.Submitted = true
		p.FormsSubmitted = append(p.FormsSubmitted, fs)
		// The submit runs in a task of its own: give its navigation a moment
		// to start before the quiet period counts.
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
		rec.restartQuiet()
		b.waitIdle(ctx, rec)
	}
}

// refill loads the page again and types the test identity into it, for
// the next form's submit; it reports whether form index is there again.
func (b *Browser) refill(ctx context.Context, rec *recorder, pageURL string, index int) bool {
	scratch := &capture.Page{URL: pageURL}
	if err := b.navigate(ctx, scratch, rec, pageURL); err != nil {
		return false
	}
	b.waitIdle(ctx, rec)
	if _, err := evalMain[[]capture.FormField](ctx, formsJS+"("+identityArg()+")"); err != nil {
		return false
	}
	rec.restartQuiet()
	b.waitIdle(ctx, rec)
	n, err := evalMain[int](ctx, "document.forms.length")
	return err == nil && index < n
}
