package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations never end a sentence when followed by a period (lower case,
// without the period). Initialisms such as "U.S." and "e.g." are handled
// by their shape.
var abbreviations = map[string]bool{
	"inc": true, "ltd": true, "co": true, "corp": true, "llc": true, "plc": true, "gmbh": true,
	"no": true, "nos": true, "nr": true, "vs": true, "mr": true, "mrs": true, "ms": true, "dr": true,
	"prof": true, "st": true, "jr": true, "sr": true, "approx": true, "fig": true, "art": true,
	"sec": true, "para": true, "cf": true, "ca": true, "incl": true, "esp": true, "dept": true,
	"est": true, "tel": true, "ph": true, "min": true, "max": true, "resp": true, "viz": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "al": true, "pty": true,
	"eg": true, "ie": true,
}

// companySuffixes end a sentence when a word that starts sentences follows
// ("Stripe, Inc. You can read its policy"), and nowhere else.
var companySuffixes = map[string]bool{"inc": true, "ltd": true, "llc": true, "plc": true, "gmbh": true, "corp": true,
	"co": true, "pty": true}

var sentenceStarters = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`we you our your they their it its this these those the if for in when to as
		where please each some all any no none such however because by with on at from further additionally`) {
		sentenceStarters[w] = true
	}
}

// softAbbreviations may end a sentence ("... and so on, etc. We also ...")
// but only when an upper-case word follows.
var softAbbreviations = map[string]bool{"etc": true}

// span is a sentence as byte offsets into its block.
type span struct{ start, end int }

// SplitSentences splits text into sentences. It does not split inside
// abbreviations (e.g., i.e., Inc., U.S., No.), decimals, URLs, e-mail
// addresses or domain names. Line breaks are not boundaries; use it on one
// paragraph at a time.
//
// Exported for callers that quote a policy themselves; the reader uses it
// through its paragraphs, and FuzzSplitSentences fuzzes it directly.
func SplitSentences(text string) []string {
	spans := splitSpans(text)
	out := make([]string, 0, len(spans))
	for _, s := range spans {
		out = append(out, text[s.start:s.end])
	}
	return out
}

func splitSpans(text string) []span {
	var out []span
	start := skipSpace(text, 0)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != '.' && r != '!' && r != '?' && r != '…' {
			i += size
			continue
		}
		// The boundary includes repeated marks and closing quotes/brackets.
		end := i + size
		for end < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[end:])
			if strings.ContainsRune(".!?…\"'”’)]", r2) {
				end += s2
				continue
			}
			break
		}
		if end < len(text) {
			r2, _ := utf8.DecodeRuneInString(text[end:])
			if !unicode.IsSpace(r2) {
				// "mautic.com", "2.5", "e.g.x": not a boundary.
				i = end
				continue
			}
		}
		if r == '.' && !periodEnds(text, start, i, end) {
			i = end
			continue
		}
		if s := trimSpan(text, start, end); s.end > s.start {
			out = append(out, s)
		}
		start = skipSpace(text, end)
		i = end
	}
	if s := trimSpan(text, start, len(text)); s.end > s.start {
		out = append(out, s)
	}
	return out
}

// periodEnds decides whether the period at i (boundary ending at end) ends
// the sentence that began at start.
func periodEnds(text string, start, i, end int) bool {
	next := nextWord(text, end)
	if next == "" {
		return true // end of text
	}
	nr, _ := utf8.DecodeRuneInString(next)
	startsSentence := unicode.IsUpper(nr) || unicode.IsDigit(nr) || strings.ContainsRune("\"“‘'([*", nr)
	if !startsSentence {
		return false
	}
	word := prevWord(text, i)
	lw := strings.ToLower(word)
	if start <= i && isNumber(strings.TrimSpace(text[start:i])) {
		return false // "2. Beacons": a list number, not a sentence
	}
	switch {
	case word == "":
		return true
	case companySuffixes[lw] && sentenceStarters[strings.ToLower(strings.Trim(next, ",;:"))]:
		return true // "provided by Google LLC. We also ..."
	case abbreviations[strings.ReplaceAll(lw, ".", "")] && !strings.HasPrefix(next, "\""):
		return false
	case softAbbreviations[lw]:
		return unicode.IsUpper(nr)
	case isInitialism(word):
		return false
	case utf8.RuneCountInString(word) == 1 && unicode.IsUpper(rune(word[0])):
		return false // "J. Smith"
	}
	return true
}

// isInitialism reports shapes such as "U.S", "e.g", "i.e" (the last period
// excluded): single letters separated by periods.
func isInitialism(w string) bool {
	parts := strings.Split(w, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) != 1 {
			return false
		}
		r, _ := utf8.DecodeRuneInString(p)
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// prevWord returns the word (letters, digits and inner periods) ending at i.
func prevWord(text string, i int) string {
	j := i
	for j > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' {
			j -= size
			continue
		}
		break
	}
	return strings.Trim(text[j:i], ".")
}

func nextWord(text string, i int) string {
	i = skipSpace(text, i)
	j := i
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) {
			break
		}
		j += size
	}
	return text[i:j]
}

func skipSpace(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

func trimSpan(text string, start, end int) span {
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return span{start, end}
}
