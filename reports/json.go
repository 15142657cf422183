package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/trackscan/trackscan/rules"
)

// JSON writes the report as the indented document described in
// docs/json.md; it is what `trackscan report` and `trackscan diff` read back.
type JSON struct{}

// Report implements Reporter. The document is written field by field and
// the long lists element by element, so a report of hundreds of megabytes
// is never held a second time as one encoded buffer; the bytes are those
// of encoding/json with a two-space indent.
func (JSON) Report(w io.Writer, r *Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writeIndented(bw, reflect.ValueOf(normalized(r)).Elem()); err != nil {
		return err
	}
	return bw.Flush()
}

// writeIndented writes a struct as json.Encoder with SetIndent("", "  ")
// and SetEscapeHTML(false) would, streaming its slice fields.
func writeIndented(w *bufio.Writer, v reflect.Value) error {
	var elem bytes.Buffer
	enc := json.NewEncoder(&elem)
	// Evidence holds URLs; escaping & and < would only make them harder to read.
	enc.SetEscapeHTML(false)
	encode := func(x any, prefix string) ([]byte, error) {
		elem.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(x); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(elem.Bytes(), []byte("\n")), nil
	}
	w.WriteString("{")
	first := true
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fv := v.Field(i)
		if omitted(fv, opts) {
			continue
		}
		if !first {
			w.WriteString(",")
		}
		first = false
		key, _ := json.Marshal(name)
		w.WriteString("\n  ")
		w.Write(key)
		w.WriteString(": ")
		if fv.Kind() == reflect.Slice && fv.Len() > 0 && fv.Type().Elem().Kind() != reflect.Uint8 {
			w.WriteString("[")
			for j := range fv.Len() {
				if j > 0 {
					w.WriteString(",")
				}
				b, err := encode(fv.Index(j).Interface(), "    ")
				if err != nil {
					return err
				}
				w.WriteString("\n    ")
				w.Write(b)
			}
			w.WriteString("\n  ]")
			continue
		}
		b, err := encode(fv.Interface(), "  ")
		if err != nil {
			return err
		}
		w.Write(b)
	}
	if first {
		w.WriteString("}\n")
	} else {
		w.WriteString("\n}\n")
	}
	return nil
}

// omitted applies encoding/json's omitempty and omitzero to one field.
func omitted(v reflect.Value, opts string) bool {
	for opt := range strings.SplitSeq(opts, ",") {
		switch opt {
		case "omitempty":
			switch v.Kind() {
			case reflect.Slice, reflect.Map, reflect.String, reflect.Array:
				if v.Len() == 0 {
					return true
				}
			case reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64, reflect.Pointer, reflect.Interface:
				if v.IsZero() {
					return true
				}
			}
		case "omitzero":
			if z, ok := v.Interface().(interface{ IsZero() bool }); ok {
				if z.IsZero() {
					return true
				}
			} else if v.IsZero() {
				return true
			}
		}
	}
	return false
}

// maxReportBytes bounds what ReadJSON accepts, so a wrong file argument
// fails quickly instead of filling memory.
const maxReportBytes = 256 << 20

// ReadJSON reads a report written by the json format and checks its schema
// id and kind.
//
// It reads the document token by token and the long lists element by
// element, so that a large report is held once, as the Report, and never
// also as its text.
func ReadJSON(r io.Reader) (*Report, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(io.LimitReader(r, maxReportBytes), 64<<10))
	var rep Report
	if err := decodeStreaming(dec, reflect.ValueOf(&rep).Elem(), interner{}); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("not a trackscan report: empty input")
		}
		return nil, fmt.Errorf("not a trackscan report: %s", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	switch {
	case rep.Schema == "":
		return nil, fmt.Errorf("not a trackscan report: no schema field (want %q)", Schema)
	case rep.Schema != Schema:
		return nil, fmt.Errorf("unsupported report schema %q (this trackscan reads %q)", rep.Schema, Schema)
	}
	switch rep.Kind {
	case KindSite, KindEmail, KindPolicy:
	default:
		return nil, fmt.Errorf("report kind %q is not one of site, email, policy", rep.Kind)
	}
	if rep.Findings == nil {
		rep.Findings = []rules.Finding{}
	}
	return &rep, nil
}

// decodeStreaming decodes a JSON object into the struct v, its slice
// fields one element at a time: json.Decoder.Decode on the whole report
// would first buffer all of its text.
func decodeStreaming(dec *json.Decoder, v reflect.Value, strs interner) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // null: an empty report, as encoding/json decodes it
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("json: cannot unmarshal %s into Go value of type %s", jsonKind(tok), v.Type())
	}
	fields := map[string]int{}
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		i, ok := fields[key]
		if !ok {
			for name, j := range fields {
				if strings.EqualFold(name, key) {
					i, ok = j, true
					break
				}
			}
		}
		if !ok {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		fv := v.Field(i)
		if fv.Kind() != reflect.Slice || fv.Type().Elem().Kind() == reflect.Uint8 {
			if err := dec.Decode(fv.Addr().Interface()); err != nil {
				return err
			}
			continue
		}
		if err := decodeSlice(dec, fv, key, strs); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing brace
	return err
}

// decodeSlice decodes a JSON array into the slice fv element by element,
// each element's strings shared with equal ones decoded before.
func decodeSlice(dec *json.Decoder, fv reflect.Value, key string, strs interner) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		fv.SetZero()
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("json: cannot unmarshal %s into Go struct field %s of type %s", jsonKind(tok), key, fv.Type())
	}
	out := reflect.MakeSlice(fv.Type(), 0, 0)
	for dec.More() {
		e := reflect.New(fv.Type().Elem())
		if err := dec.Decode(e.Interface()); err != nil {
			return err
		}
		strs.share(e.Elem())
		out = reflect.Append(out, e.Elem())
	}
	fv.Set(out)
	_, err = dec.Token() // the closing bracket
	return err
}

// interner keeps one copy of each string decoded. A large report repeats
// the same few strings hundreds of thousands of times (page URLs in every
// detection, cookie and finding of the page; vendor ids, categories, phases,
// evidence sentences), and encoding/json allocates each occurrence anew:
// sharing them roughly halves the memory a 200 MB report takes once read.
type interner map[string]string

// share replaces every string reachable from v (struct fields, slice and
// array elements, pointees) with the copy seen first. Map keys and values
// and interface values are left alone: no list of a report is large in them.
func (in interner) share(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if s == "" {
			return
		}
		if c, ok := in[s]; ok {
			if v.CanSet() {
				v.SetString(c)
			}
			return
		}
		in[s] = s
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				in.share(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			in.share(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			in.share(v.Elem())
		}
	}
}

// jsonKind names a token's JSON type as encoding/json's errors do.
func jsonKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case bool:
		return "bool"
	case nil:
		return "null"
	default:
		return "number"
	}
}
