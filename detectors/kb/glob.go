package kb

// globMatch reports whether s matches pattern, where '*' matches any run of
// bytes (including none) and every other byte matches itself. It runs in
// O(len(s)*stars) without allocating, which keeps URL classification cheap.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; {
			case c == '*':
				starP, starS = px, sx
				px++
				continue
			case c == s[sx]:
				px++
				sx++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		px, sx = starP+1, starS
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
