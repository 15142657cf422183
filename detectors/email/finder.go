package email

// ValueFinder finds one personal value (an email address, a phone number,
// a name) in text under the encodings the address-leak search uses: plain,
// URL-encoded, base64 at every offset, hex, and MD5/SHA-1/SHA-2 digests of
// the trimmed, lower-cased value. The site scanner's --forms search uses
// it, so that email and site scans share one encoder set.
type ValueFinder struct{ n addressNeedles }

// NewValueFinder prepares the encodings of value.
func NewValueFinder(value string) ValueFinder { return ValueFinder{newNeedles(value)} }

// In returns the encodings of the value found in text (a URL or a request
// body), in the order the email scanner reports them; nil when absent.
func (f ValueFinder) In(text string) []string { return f.n.leaksIn(text) }
