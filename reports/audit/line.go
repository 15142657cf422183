// Package audit is the multi-site audit: the one-line-per-site results a
// scan of a targets list writes (Line), and the merge of many such files
// (shards) into one audit rendered as JSON, HTML, CSV or Markdown.
package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// LineSchema is the schema id of every site line.
const LineSchema = "trackscan/site-line/v1"

// Site statuses.
const (
	// Complete: every page visit of the site succeeded.
	Complete = "complete"
	// Incomplete: some visit failed; the report holds what was captured.
	Incomplete = "incomplete"
	// Failed: nothing of the site could be captured (no page loaded, the
	// browser did not start); Error says why.
	Failed = "failed"
	// Interrupted: the run was stopped (Ctrl-C, SIGTERM) while the site was
	// scanned; --resume scans it again and drops this line.
	Interrupted = "interrupted"
)

// statusRank orders statuses from the most to the least useful record of a
// site, to pick one when a site appears twice.
func statusRank(s string) int {
	switch s {
	case Complete:
		return 0
	case Incomplete:
		return 1
	case Failed:
		return 2
	}
	return 3
}

// Line is one site's result, one JSON line of a --jsonl output.
type Line struct {
	Schema string `json:"schema"`
	ID     string `json:"id"`
	URL    string `json:"url"`
	// Shard is "i/N" of the process that scanned the site.
	Shard  string `json:"shard,omitempty"`
	Status string `json:"status"`
	// Error is why the site is not complete.
	Error string `json:"error,omitempty"`
	// BrowserURL is the remote browser (--browser-url) that scanned the
	// site, to find a bad member of a pool; absent for a local browser.
	BrowserURL string `json:"browser_url,omitempty"`
	// Report is the site's full report, as the json format writes it
	// (compact); absent when nothing could run.
	Report json.RawMessage `json:"report,omitempty"`
}

// Done says whether a resumed run may skip the site: its line is a result,
// not a run that was cut short.
func (l Line) Done() bool { return l.Status != Interrupted }

// Marshal is the line as one line of JSON with its newline.
func (l Line) Marshal() ([]byte, error) {
	if l.Schema == "" {
		l.Schema = LineSchema
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxLineBytes bounds one site's line (its report, evidence included).
const maxLineBytes = 64 << 20

// ReadLines reads a --jsonl file of site lines. A last line without its
// newline that does not parse is a write cut short by a kill: it is left
// out and reported with truncated, not an error; any other bad line is an
// error naming its line number. good is the length in bytes of the
// well-formed prefix.
func ReadLines(r io.Reader, name string) (lines []Line, good int64, truncated bool, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	for no := 1; ; no++ {
		raw, rerr := br.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return nil, 0, false, fmt.Errorf("%s:%d: %v", name, no, rerr)
		}
		if len(raw) > maxLineBytes {
			return nil, 0, false, fmt.Errorf("%s:%d: line longer than %d bytes", name, no, maxLineBytes)
		}
		last := errors.Is(rerr, io.EOF)
		if len(bytes.TrimSpace(raw)) > 0 {
			var l Line
			if jerr := json.Unmarshal(raw, &l); jerr != nil || l.Schema != LineSchema || l.ID == "" {
				if last && raw[len(raw)-1] != '\n' {
					return lines, good, true, nil
				}
				if jerr == nil {
					jerr = fmt.Errorf("not a trackscan site line (schema %q, id %q)", l.Schema, l.ID)
				}
				return nil, 0, false, fmt.Errorf("%s:%d: %v", name, no, jerr)
			}
			if last && raw[len(raw)-1] != '\n' {
				// Complete JSON but no newline: the write may still have
				// been cut short before it; keep it, a rewrite adds the newline.
				lines = append(lines, l)
				return lines, good, true, nil
			}
			lines = append(lines, l)
		}
		good += int64(len(raw))
		if last {
			return lines, good, false, nil
		}
	}
}
