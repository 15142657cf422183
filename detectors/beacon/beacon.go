// Package beacon decodes what common tracking beacons carry: the event
// names and the identifiers (advanced-matching email and phone hashes, the
// tracker's visitor id, the site's user id) in their URL query or body.
// Field names follow each vendor's public pixel and API documentation.
// Values are reduced to a short prefix: a report shows that an identifier
// left the page and in which encoding, never the identifier.
package beacon

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/trackscan/trackscan/crawler/capture"
	"github.com/trackscan/trackscan/detectors"
)

// Limits keep one hostile payload from making a huge detection.
const (
	maxEvents      = 10
	maxIdentifiers = 20
	maxEventLen    = 60
	prefixLen      = 8
)

// Decode decodes a request if its URL is a known beacon endpoint and it
// carries at least one event or identifier.
func Decode(r capture.Request) (detectors.Sent, bool) {
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" {
		return detectors.Sent{}, false
	}
	host, path := strings.ToLower(u.Hostname()), u.Path
	for _, d := range decoders {
		if d.match(host, path) {
			b := &builder{sent: detectors.Sent{Format: d.format}, seen: map[string]bool{}}
			d.decode(b, u.Query(), r.PostData)
			if len(b.sent.Events) == 0 && len(b.sent.Identifiers) == 0 {
				return detectors.Sent{}, false
			}
			slices.SortFunc(b.sent.Identifiers, func(x, y detectors.Identifier) int { return strings.Compare(x.Field, y.Field) })
			return b.sent, true
		}
	}
	return detectors.Sent{}, false
}

type decoder struct {
	format string
	match  func(host, path string) bool
	decode func(b *builder, q url.Values, body string)
}

func hostIs(host string, names ...string) bool {
	for _, n := range names {
		if host == n || strings.HasSuffix(host, "."+n) {
			return true
		}
	}
	return false
}

var decoders = []decoder{
	{"meta-pixel", func(h, p string) bool { return hostIs(h, "facebook.com") && (p == "/tr" || p == "/tr/") }, decodeMeta},
	{"ga4", func(h, p string) bool { return p == "/g/collect" }, decodeGA4},
	{"universal-analytics", func(h, p string) bool {
		return hostIs(h, "google-analytics.com") && (p == "/collect" || p == "/j/collect" || p == "/r/collect")
	}, decodeUA},
	{"tiktok", func(h, p string) bool {
		return hostIs(h, "analytics.tiktok.com") && strings.HasPrefix(p, "/api/v2/pixel")
	}, decodeTikTok},
	{"linkedin", func(h, p string) bool { return hostIs(h, "px.ads.linkedin.com") }, decodeLinkedIn},
	{"pinterest", func(h, p string) bool { return hostIs(h, "ct.pinterest.com") }, decodePinterest},
	{"snap", func(h, p string) bool { return hostIs(h, "tr.snapchat.com", "tr-shadow.snapchat.com") }, decodeSnap},
	{"bing-uet", func(h, p string) bool { return hostIs(h, "bat.bing.com") && strings.HasPrefix(p, "/action/") }, decodeBing},
	{"segment", func(h, p string) bool {
		return hostIs(h, "api.segment.io", "segmentapis.com") && strings.HasPrefix(p, "/v1/")
	}, decodeSegment},
	{"mixpanel", func(h, p string) bool {
		return hostIs(h, "mixpanel.com") && strings.HasPrefix(h, "api") &&
			(strings.HasPrefix(p, "/track") || strings.HasPrefix(p, "/engage") || strings.HasPrefix(p, "/import"))
	}, decodeMixpanel},
	{"amplitude", func(h, p string) bool { return hostIs(h, "amplitude.com") && strings.HasPrefix(h, "api") }, decodeAmplitude},
}

// builder collects one payload's events and identifiers, each once.
type builder struct {
	sent detectors.Sent
	seen map[string]bool
}

func (b *builder) event(name string) {
	name = strings.TrimSpace(name)
	if name == "" || len(b.sent.Events) >= maxEvents || b.seen["ev\x00"+name] {
		return
	}
	b.seen["ev\x00"+name] = true
	if r := []rune(name); len(r) > maxEventLen {
		name = string(r[:maxEventLen]) + "…"
	}
	b.sent.Events = append(b.sent.Events, name)
}

func (b *builder) id(field, kind, value string) {
	value = strings.TrimSpace(value)
	if value == "" || kind == "" || len(b.sent.Identifiers) >= maxIdentifiers || b.seen["id\x00"+field] {
		return
	}
	b.seen["id\x00"+field] = true
	b.sent.Identifiers = append(b.sent.Identifiers, detectors.Identifier{
		Field: field, Kind: kind, Encoding: Encoding(value), Prefix: prefix(value)})
}

// fields files the values of q whose names a vendor's table knows.
func (b *builder) fields(q url.Values, names map[string]string, wrap func(string) string) {
	for _, name := range sortedKeys(q) {
		key := name
		if wrap != nil {
			key = wrap(name)
		}
		if kind, ok := names[key]; ok {
			b.id(name, kind, q.Get(name))
		}
	}
}

var (
	hexOnly   = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	b64SHA256 = regexp.MustCompile(`^[A-Za-z0-9+/_-]{43}=?$`)
)

// Encoding names how a value looks to have been encoded: a hex digest by
// its length (MD5, SHA-1, SHA-256), a base64 SHA-256, else "plain".
func Encoding(v string) string {
	// Google's user-provided data prefixes hashes with "tv.1~em." and friends.
	if i := strings.LastIndexByte(v, '.'); strings.HasPrefix(v, "tv.1~") && i >= 0 {
		v = v[i+1:]
	}
	if hexOnly.MatchString(v) {
		switch len(v) {
		case 32:
			return "md5"
		case 40:
			return "sha1"
		case 64:
			return "sha256"
		}
	}
	if b64SHA256.MatchString(v) && strings.ContainsAny(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strings.ContainsAny(v, "abcdefghijklmnopqrstuvwxyz") {
		return "sha256-base64"
	}
	return "plain"
}

// prefix is the first characters of a value: enough to recognise it in
// two reports, not enough to recover an address or a phone number.
func prefix(v string) string {
	r := []rune(v)
	if len(r) <= prefixLen/2 {
		return "…"
	}
	n := min(prefixLen, len(r)/2)
	return string(r[:n]) + "…"
}

// personal-data field names of advanced matching, shared by Meta, Pinterest
// and Bing (lower-case keys).
var advancedMatching = map[string]string{
	"em": detectors.IDEmail, "ph": detectors.IDPhone, "fn": detectors.IDName, "ln": detectors.IDName,
	"ge": detectors.IDBirth, "db": detectors.IDBirth, "ct": detectors.IDAddress, "st": detectors.IDAddress,
	"zp": detectors.IDAddress, "country": detectors.IDAddress, "external_id": detectors.IDUser,
}

// Meta pixel: /tr?id=PIXEL&ev=EVENT&ud[em]=…&udff[em]=…&fbp=…&fbc=… (GET
// query, or the same fields form-encoded in a POST body).
func decodeMeta(b *builder, q url.Values, body string) {
	mergeForm(q, body)
	b.event(q.Get("ev"))
	b.fields(q, advancedMatching, func(name string) string {
		for _, pre := range []string{"ud[", "udff["} {
			if strings.HasPrefix(name, pre) && strings.HasSuffix(name, "]") {
				return strings.ToLower(name[len(pre) : len(name)-1])
			}
		}
		return ""
	})
	b.fields(q, map[string]string{"fbp": detectors.IDClient, "fbc": detectors.IDClickRef}, nil)
}

// GA4: /g/collect?v=2&tid=G-…&cid=…&uid=…&en=EVENT&em=tv.1~em.HASH; a POST
// body holds one more event per line, each a query string.
func decodeGA4(b *builder, q url.Values, body string) {
	names := map[string]string{"cid": detectors.IDClient, "uid": detectors.IDUser, "em": detectors.IDEmail, "ecid": detectors.IDClient}
	lines := append([]url.Values{q}, bodyLines(body)...)
	for _, l := range lines {
		b.event(l.Get("en"))
		b.fields(l, names, nil)
		if ud := l.Get("ud"); ud != "" { // user-provided data, "em=…~ph=…" style
			b.userData("ud", ud)
		}
	}
}

// userData reads Google's tilde-separated user-provided data: "tv.1~em.HASH~ph.HASH".
func (b *builder) userData(field, v string) {
	names := map[string]string{"em": detectors.IDEmail, "ph": detectors.IDPhone, "fn": detectors.IDName, "ln": detectors.IDName}
	for _, part := range strings.Split(v, "~") {
		k, val, ok := strings.Cut(part, ".")
		if kind, known := names[k]; ok && known {
			b.id(field+"."+k, kind, val)
		}
	}
}

// Universal Analytics (Measurement Protocol v1): t=HIT&ea=ACTION&cid=…&uid=….
func decodeUA(b *builder, q url.Values, body string) {
	for _, l := range append([]url.Values{q}, bodyLines(body)...) {
		if t := l.Get("t"); t == "event" && l.Get("ea") != "" {
			b.event(l.Get("ea"))
		} else {
			b.event(t)
		}
		b.fields(l, map[string]string{"cid": detectors.IDClient, "uid": detectors.IDUser}, nil)
	}
}

// TikTok pixel: POST JSON {"event":…, "context":{"user":{"email":…,
// "phone_number":…, "external_id":…}, "ad":{"callback":ttclid}}}, or
// {"batch":[…]}.
func decodeTikTok(b *builder, _ url.Values, body string) {
	v, ok := parseJSON(body)
	if !ok {
		return
	}
	for _, ev := range items(v, "batch") {
		b.event(str(ev, "event"))
		user := obj(obj(ev, "context"), "user")
		for _, k := range sortedKeys(user) {
			if kind := tiktokUser(k); kind != "" {
				b.id("context.user."+k, kind, strAny(user[k]))
			}
		}
		b.id("context.ad.callback", detectors.IDClickRef, str(obj(obj(ev, "context"), "ad"), "callback"))
	}
}

func tiktokUser(k string) string {
	switch strings.TrimPrefix(k, "sha256_") {
	case "email":
		return detectors.IDEmail
	case "phone_number", "phone":
		return detectors.IDPhone
	case "external_id":
		return detectors.IDUser
	}
	return ""
}

// LinkedIn Insight tag: /collect?pid=…&conversionId=…&li_fat_id=…, or the
// /wa/ endpoint's JSON body with the same names.
func decodeLinkedIn(b *builder, q url.Values, body string) {
	if v, ok := parseJSON(body); ok {
		for k, val := range obj(v, "") {
			if s := strAny(val); s != "" {
				q.Set(k, s)
			}
		}
	}
	if c := q.Get("conversionId"); c != "" {
		b.event("conversion " + c)
	} else if q.Get("pid") != "" || q.Get("pids") != "" {
		b.event("page view")
	}
	b.fields(q, map[string]string{"li_fat_id": detectors.IDClickRef, "hashedemail": detectors.IDEmail,
		"email": detectors.IDEmail, "li_giant": detectors.IDClient}, strings.ToLower)
}

// Pinterest tag: /v3/?event=checkout&tid=…&pd={"em":HASH,"np":…} (pd is
// the partner data pintrk('load', …, {em}) hashes before sending).
func decodePinterest(b *builder, q url.Values, body string) {
	mergeForm(q, body)
	b.event(q.Get("event"))
	if v, ok := parseJSON(q.Get("pd")); ok {
		pd := obj(v, "")
		for _, k := range sortedKeys(pd) {
			if kind := advancedMatching[strings.ToLower(k)]; kind != "" {
				b.id("pd."+k, kind, strAny(pd[k]))
			}
		}
	}
	b.fields(q, map[string]string{"epik": detectors.IDClickRef}, nil)
}

// Snap pixel: form body (or query) pid=…&ev=PAGE_VIEW&u_hem=HASH&u_hpn=HASH&u_c1=….
func decodeSnap(b *builder, q url.Values, body string) {
	mergeForm(q, body)
	b.event(q.Get("ev"))
	b.fields(q, map[string]string{"u_hem": detectors.IDEmail, "u_hpn": detectors.IDPhone, "u_c1": detectors.IDClient,
		"u_scsid": detectors.IDClient, "sc_click_id": detectors.IDClickRef}, nil)
}

// Bing UET: /action/0?ti=TAG&evt=pageLoad|custom&ea=ACTION&mid=…&msclkid=…;
// enhanced conversions add em and ph (hashed by the tag).
func decodeBing(b *builder, q url.Values, body string) {
	mergeForm(q, body)
	if ea := q.Get("ea"); ea != "" {
		b.event(ea)
	} else {
		b.event(q.Get("evt"))
	}
	b.fields(q, map[string]string{"em": detectors.IDEmail, "ph": detectors.IDPhone, "mid": detectors.IDClient,
		"msclkid": detectors.IDClickRef, "uid": detectors.IDUser}, nil)
}

// Segment: /v1/batch {"batch":[{type,event,userId,anonymousId,traits,
// context:{traits}}]}, or one such call on /v1/t, /v1/p, /v1/i.
func decodeSegment(b *builder, _ url.Values, body string) {
	v, ok := parseJSON(body)
	if !ok {
		return
	}
	for _, call := range items(v, "batch") {
		switch t := str(call, "type"); t {
		case "track":
			b.event(str(call, "event"))
		case "page", "screen":
			b.event(t + " " + str(call, "name"))
		default:
			b.event(t)
		}
		b.id("userId", detectors.IDUser, strAny(call["userId"]))
		b.id("anonymousId", detectors.IDClient, strAny(call["anonymousId"]))
		b.traits("traits", obj(call, "traits"))
		b.traits("context.traits", obj(obj(call, "context"), "traits"))
	}
}

// traits files the personal fields of a Segment/Amplitude/Mixpanel
// profile object.
func (b *builder) traits(field string, t map[string]any) {
	for _, k := range sortedKeys(t) {
		if kind := traitKind(k); kind != "" {
			b.id(field+"."+k, kind, strAny(t[k]))
		}
	}
}

func traitKind(k string) string {
	switch strings.ToLower(strings.TrimPrefix(k, "$")) {
	case "email", "mail":
		return detectors.IDEmail
	case "phone", "phone_number", "phonenumber", "mobile":
		return detectors.IDPhone
	case "name", "first_name", "firstname", "last_name", "lastname", "full_name":
		return detectors.IDName
	case "address", "street", "city", "postal_code", "postalcode", "zip", "zipcode":
		return detectors.IDAddress
	case "birthday", "date_of_birth", "dob":
		return detectors.IDBirth
	}
	return ""
}

// Mixpanel: /track?data=BASE64(JSON) or a POST body data=JSON (URL-encoded,
// or base64 in older libraries): [{"event":…, "properties":{"distinct_id",
// "$device_id", "$user_id", …}}]; /engage carries {"$set":{"$email":…}}.
func decodeMixpanel(b *builder, q url.Values, body string) {
	data := q.Get("data")
	if f, err := url.ParseQuery(body); err == nil && f.Get("data") != "" {
		data = f.Get("data")
	} else if strings.HasPrefix(strings.TrimSpace(body), "[") || strings.HasPrefix(strings.TrimSpace(body), "{") {
		data = body
	}
	v, ok := parseJSON(data)
	if !ok {
		raw, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			if raw, err = base64.URLEncoding.DecodeString(data); err != nil {
				return
			}
		}
		if v, ok = parseJSON(string(raw)); !ok {
			return
		}
	}
	for _, ev := range items(v, "") {
		b.event(str(ev, "event"))
		props := obj(ev, "properties")
		b.id("properties.distinct_id", detectors.IDClient, strAny(props["distinct_id"]))
		b.id("properties.$device_id", detectors.IDClient, strAny(props["$device_id"]))
		b.id("properties.$user_id", detectors.IDUser, strAny(props["$user_id"]))
		b.traits("properties", props)
		b.id("$distinct_id", detectors.IDClient, strAny(ev["$distinct_id"]))
		b.traits("$set", obj(ev, "$set"))
	}
}

// Amplitude: HTTP API v2 {"api_key":…, "events":[{"event_type", "user_id",
// "device_id", "user_properties"}]}, or the older form body e=JSON-ARRAY.
func decodeAmplitude(b *builder, _ url.Values, body string) {
	var evs []map[string]any
	if v, ok := parseJSON(body); ok {
		evs = items(v, "events")
	} else if f, err := url.ParseQuery(body); err == nil {
		if v, ok := parseJSON(f.Get("e")); ok {
			evs = items(v, "")
		}
	}
	for _, ev := range evs {
		b.event(str(ev, "event_type"))
		b.id("user_id", detectors.IDUser, strAny(ev["user_id"]))
		b.id("device_id", detectors.IDClient, strAny(ev["device_id"]))
		b.traits("user_properties", obj(ev, "user_properties"))
		b.traits("user_properties.$set", obj(obj(ev, "user_properties"), "$set"))
	}
}

// mergeForm adds a form-encoded POST body's fields to the query's.
func mergeForm(q url.Values, body string) {
	if body == "" || strings.HasPrefix(strings.TrimSpace(body), "{") {
		return
	}
	f, _ := url.ParseQuery(body)
	for k, vs := range f {
		if q.Get(k) == "" {
			q[k] = vs
		}
	}
}

// bodyLines parses a batch body of one query string per line.
func bodyLines(body string) []url.Values {
	var out []url.Values
	for _, line := range strings.Split(body, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if f, err := url.ParseQuery(line); err == nil {
			out = append(out, f)
		}
	}
	return out
}

func parseJSON(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if s == "" || (s[0] != '{' && s[0] != '[') {
		return nil, false
	}
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return nil, false
	}
	return v, true
}

// items is the list under key of an object, the elements of an array, or
// the object itself.
func items(v any, key string) []map[string]any {
	if m, ok := v.(map[string]any); ok && key != "" {
		if list, ok := m[key].([]any); ok {
			v = list
		}
	}
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		var out []map[string]any
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// obj is m[key] as an object; with key "" it is v itself.
func obj(v any, key string) map[string]any {
	m, _ := v.(map[string]any)
	if key == "" || m == nil {
		return m
	}
	o, _ := m[key].(map[string]any)
	return o
}

func str(m map[string]any, key string) string { return strAny(m[key]) }

// strAny is a scalar as text; objects and arrays give "".
func strAny(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case []any: // a list of hashes (TikTok, Meta CAPI): the first stands for all
		if len(t) > 0 {
			if _, nested := t[0].([]any); !nested {
				return strAny(t[0])
			}
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
