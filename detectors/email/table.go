package email

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/trackscan/trackscan/detectors"
)

// WriteTable writes the marketer's one-screen answer: per email the ESP and
// how many open pixels, click-tracked links, CSS trackers and address leaks
// (third-party leaks in brackets) it has.
func WriteTable(w io.Writer, emails []detectors.Email) error {
	t := tablewriter.NewWriter(w)
	t.Header("Email", "ESP", "Open pixels", "Click tracking", "CSS trackers", "Leaks (3rd party)", "3rd-party hosts")
	for _, e := range emails {
		if e.Error != "" && len(e.Trackers) == 0 {
			if err := t.Append(e.File, "error: "+e.Error, "", "", "", "", ""); err != nil {
				return err
			}
			continue
		}
		var pixels, clicks, css, leaks, leaks3p, hosts int
		for _, tr := range e.Trackers {
			switch tr.Kind {
			case detectors.KindOpenPixel:
				pixels++
			case detectors.KindClickTracking:
				clicks++
			case detectors.KindCSSTracker:
				css++
			case detectors.KindAddressLeak:
				leaks++
				if tr.ThirdParty {
					leaks3p++
				}
			case detectors.KindThirdPartyContent:
				hosts++
			}
		}
		esp := "-"
		if e.ESP != "" {
			esp = e.ESP
			if x := DefaultESPs().ByID(e.ESP); x != nil {
				esp = x.DisplayName()
			}
		}
		file := e.File
		if e.Error != "" {
			file += " (incomplete)"
		}
		if err := t.Append(file, esp, strconv.Itoa(pixels), strconv.Itoa(clicks), strconv.Itoa(css),
			fmt.Sprintf("%d (%d)", leaks, leaks3p), strconv.Itoa(hosts)); err != nil {
			return err
		}
	}
	return t.Render()
}
