package consent

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackscan/trackscan/crawler/capture"
)

// TCString is the core segment of an IAB TCF v2 consent string, as stored
// in the euconsent-v2 cookie.
type TCString struct {
	Version           int       `json:"version"`
	Created           time.Time `json:"created"`
	LastUpdated       time.Time `json:"last_updated"`
	CMPID             int       `json:"cmp_id"`
	CMPVersion        int       `json:"cmp_version"`
	ConsentScreen     int       `json:"consent_screen"`
	ConsentLanguage   string    `json:"consent_language"`
	VendorListVersion int       `json:"vendor_list_version"`
	PolicyVersion     int       `json:"policy_version"`
	IsServiceSpecific bool      `json:"is_service_specific"`
	SpecialFeatures   []int     `json:"special_features,omitempty"` // opted-in special feature ids
	PurposeConsents   []int     `json:"purpose_consents,omitempty"` // purpose ids with consent
	PurposeLegitimate []int     `json:"purpose_legitimate_interests,omitempty"`
	PublisherCC       string    `json:"publisher_cc"`
	VendorConsents    []int     `json:"vendor_consents,omitempty"` // vendor ids with consent, ascending
}

// maxVendorID bounds a range entry: the 16-bit field allows 65535.
const maxVendorID = 1<<16 - 1

// DecodeTCString decodes the core segment (the part before the first '.')
// of a TCF v2 string: header fields, purpose consents and vendor consents,
// bit field or range encoded.
func DecodeTCString(s string) (TCString, error) {
	var tc TCString
	core, _, _ := strings.Cut(strings.TrimSpace(s), ".")
	if core == "" {
		return tc, errors.New("TC string: empty")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(core, "="))
	if err != nil {
		return tc, fmt.Errorf("TC string: not base64url: %v", err)
	}
	r := &bitReader{b: raw}
	tc.Version = r.int(6)
	if r.err == nil && tc.Version != 2 {
		return tc, fmt.Errorf("TC string: version %d, only 2 is supported", tc.Version)
	}
	tc.Created = deciseconds(r.int(36))
	tc.LastUpdated = deciseconds(r.int(36))
	tc.CMPID = r.int(12)
	tc.CMPVersion = r.int(12)
	tc.ConsentScreen = r.int(6)
	tc.ConsentLanguage = r.letters()
	tc.VendorListVersion = r.int(12)
	tc.PolicyVersion = r.int(6)
	tc.IsServiceSpecific = r.bool()
	r.bool() // UseNonStandardTexts
	tc.SpecialFeatures = r.bitField(12)
	tc.PurposeConsents = r.bitField(24)
	tc.PurposeLegitimate = r.bitField(24)
	r.bool() // PurposeOneTreatment
	tc.PublisherCC = r.letters()
	tc.VendorConsents = r.vendors()
	if r.err != nil {
		return tc, fmt.Errorf("TC string: %v", r.err)
	}
	return tc, nil
}

// CompleteTCF fills in, from the TC string a CMP's __tcfapi returned, what
// its answer left out: some CMPs answer with the string and empty (or no)
// purpose and vendor maps, and the string is what vendors act on. Consents
// the API did report are kept as reported; a zero CMP id is taken from the
// string. A string that does not decode changes nothing and is returned as
// the error.
func CompleteTCF(t *capture.TCF) error {
	if t == nil || t.TCString == "" {
		return nil
	}
	tc, err := DecodeTCString(t.TCString)
	if err != nil {
		return err
	}
	if t.CMPID == 0 {
		t.CMPID = tc.CMPID
	}
	if len(t.PurposeConsents) == 0 && len(tc.PurposeConsents) > 0 {
		t.PurposeConsents = idSet(tc.PurposeConsents)
	}
	if len(t.VendorConsents) == 0 && len(tc.VendorConsents) > 0 {
		t.VendorConsents = idSet(tc.VendorConsents)
	}
	return nil
}

// idSet is the map form __tcfapi uses: id (as text) -> consented.
func idSet(ids []int) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[strconv.Itoa(id)] = true
	}
	return m
}

func deciseconds(ds int) time.Time {
	return time.UnixMilli(int64(ds) * 100).UTC()
}

type bitReader struct {
	b   []byte
	pos int
	err error
}

func (r *bitReader) int(n int) int {
	v := 0
	for range n {
		if r.pos >= len(r.b)*8 {
			if r.err == nil {
				r.err = fmt.Errorf("truncated at bit %d", r.pos)
			}
			return 0
		}
		bit := (r.b[r.pos/8] >> (7 - r.pos%8)) & 1
		v = v<<1 | int(bit)
		r.pos++
	}
	return v
}

func (r *bitReader) bool() bool { return r.int(1) == 1 }

// letters reads two 6-bit letters (0 = 'A').
func (r *bitReader) letters() string {
	a, b := r.int(6), r.int(6)
	if r.err != nil || a > 25 || b > 25 {
		return ""
	}
	return string([]byte{byte('A' + a), byte('A' + b)})
}

// bitField reads n bits; bit i (from 0) set means id i+1.
func (r *bitReader) bitField(n int) []int {
	var ids []int
	for i := 1; i <= n; i++ {
		if r.bool() {
			ids = append(ids, i)
		}
	}
	return ids
}

// vendors reads a vendor section: MaxVendorId, then a bit field or ranges.
func (r *bitReader) vendors() []int {
	maxID := r.int(16)
	if r.err != nil {
		return nil
	}
	if !r.bool() {
		return r.bitField(maxID)
	}
	n := r.int(12)
	var ids []int
	seen := map[int]bool{}
	for range n {
		if r.err != nil {
			return nil
		}
		isRange := r.bool()
		start := r.int(16)
		end := start
		if isRange {
			end = r.int(16)
		}
		if start < 1 || end < start || end > maxID || end > maxVendorID {
			if r.err == nil {
				r.err = fmt.Errorf("bad vendor range %d-%d (max %d)", start, end, maxID)
			}
			return nil
		}
		for id := start; id <= end; id++ {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}
