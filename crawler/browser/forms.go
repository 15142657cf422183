package browser

import (
	"context"
	_ "embed"

	"github.com/trackscan/trackscan/crawler/capture"
)

//go:embed forms.js
var formsJS string

// fillForms types capture.TestIdentity into the visible form fields of the
// page (never submitting), records which, and waits for the page to settle
// again so that what its scripts send about the typing is captured.
func (b *Browser) fillForms(ctx context.Context, p *capture.Page, rec *recorder) {
	fields, err := evalMain[[]capture.FormField](ctx, formsJS+"("+identityArg()+")")
	if err != nil || len(fields) == 0 {
		return
	}
	p.FormFields = fields
	// The typing's first requests may not have been reported yet.
	rec.restartQuiet()
	b.waitIdle(ctx, rec)
}
