// Package textfmt holds the few wording helpers that the reports, the rules
// and the CLI all need, so each is written once.
package textfmt

import "strings"

// Plural is word, with an "s" unless n is 1.
func Plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// OrDash is s, or "-" when s is empty or blank: a table cell that says
// "nothing" rather than staying empty.
func OrDash[S ~string](s S) string {
	if strings.TrimSpace(string(s)) == "" {
		return "-"
	}
	return string(s)
}

// JoinNonEmpty joins the parts that are not empty.
func JoinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
