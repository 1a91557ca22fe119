package mailauth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ResultValue is the result of one authentication method, lowercased:
// "pass", "fail", "none" and so on (RFC 8601 §2.7). Values this package does
// not know are kept as written, lowercased.
type ResultValue string

// The result values of RFC 8601 §2.7 that the checks look at.
const (
	ResultPass      ResultValue = "pass"
	ResultFail      ResultValue = "fail"
	ResultSoftFail  ResultValue = "softfail"
	ResultNeutral   ResultValue = "neutral"
	ResultNone      ResultValue = "none"
	ResultTempError ResultValue = "temperror"
	ResultPermError ResultValue = "permerror"
	ResultPolicy    ResultValue = "policy"
)

// Result is one resinfo of an Authentication-Results field: a method such as
// "dkim" or "dmarc", its result, the reason if one was given, and the
// properties.
type Result struct {
	// Method is the method name, lowercased, without its version.
	Method string
	// MethodVersion is the version after a "/", or "".
	MethodVersion string
	// Value is the result, lowercased.
	Value ResultValue
	// Reason is the value of reason=, unquoted, or "".
	Reason string
	// Properties maps "ptype.property" (lowercased) to its value as written,
	// unquoted: "header.d" → "example.com", "header.i" → "@example.com". Some
	// servers write key=value pairs without a ptype (Microsoft's action=none,
	// Fastmail's x-bits=2048); they are here too, under their bare key. When a
	// key is repeated, the first value counts.
	Properties map[string]string
}

// Results is one parsed Authentication-Results field.
type Results struct {
	// AuthServID is the authserv-id, as written; "" for the form Microsoft 365
	// writes, which has none.
	AuthServID string
	// Version is the authres-version, or 0 when none was written.
	Version int
	// Results are the resinfos in the order written; empty for "none".
	Results []Result
}

// errMalformed is wrapped by every error of ParseResults.
var errMalformed = errors.New("malformed Authentication-Results")

// ParseResults parses the value of one Authentication-Results field (RFC
// 8601 §2.2): an authserv-id with an optional version, then "none" or one or
// more resinfos. Comments (which may hold ";", nested parentheses and
// quoted-pairs), quoted strings and folded lines are read as RFC 5322 says.
// It also reads Microsoft 365's form without an authserv-id, recognised by
// its first token being method=result; AuthServID is then "", and the bare
// domain tokens Microsoft writes between resinfos are skipped. It returns
// an error wrapping a description of the first thing it cannot read; the
// authserv-id is returned with the error when it could be read, so that a
// caller can tell an unreadable field of its trusted server from someone
// else's.
func ParseResults(value string) (Results, error) {
	toks, err := lex(value)
	if err != nil {
		// Still say whose field it is, when the authserv-id came first.
		if len(toks) >= 1 && (toks[0].kind == tokWord || toks[0].kind == tokQuoted) && toks[0].text != "" && (len(toks) == 1 || toks[1].kind != tokEq) {
			return Results{AuthServID: toks[0].text}, err
		}
		return Results{}, err
	}
	var res Results
	i := 0
	microsoft := len(toks) >= 2 && toks[0].kind == tokWord && toks[1].kind == tokEq
	if !microsoft {
		if len(toks) == 0 || (toks[0].kind != tokWord && toks[0].kind != tokQuoted) {
			return Results{}, fmt.Errorf("%w: no authserv-id", errMalformed)
		}
		res.AuthServID = toks[0].text
		if res.AuthServID == "" {
			return Results{}, fmt.Errorf("%w: empty authserv-id", errMalformed)
		}
		i = 1
		if i < len(toks) && toks[i].kind == tokWord && isDigits(toks[i].text) {
			v, err := strconv.Atoi(toks[i].text)
			if err != nil || v == 0 {
				return Results{AuthServID: res.AuthServID}, fmt.Errorf("%w: bad version %q", errMalformed, toks[i].text)
			}
			res.Version = v
			i++
		}
		if i < len(toks) && toks[i].kind != tokSemi {
			return Results{AuthServID: res.AuthServID}, fmt.Errorf("%w: %q after the authserv-id", errMalformed, toks[i].text)
		}
	}
	// Split the rest at ";" into resinfos.
	var groups [][]token
	start := i
	for j := i; j <= len(toks); j++ {
		if j == len(toks) || toks[j].kind == tokSemi {
			if j > start {
				g := toks[start:j]
				if g[0].kind == tokSemi {
					g = g[1:]
				}
				if len(g) > 0 {
					groups = append(groups, g)
				}
			}
			start = j
		}
	}
	for n, g := range groups {
		if len(g) == 1 && g[0].kind == tokWord && strings.EqualFold(g[0].text, "none") && len(groups) == 1 && !microsoft {
			break // no-result
		}
		if len(g) == 1 && g[0].kind == tokWord && microsoft && n > 0 {
			// Microsoft writes the receiving domain as a bare token
			// between resinfos ("smtp.mailfrom=a.example; contoso.com;
			// dkim=pass"); it says nothing about the mail.
			continue
		}
		r, err := parseResinfo(g)
		if err != nil {
			return Results{AuthServID: res.AuthServID}, err
		}
		res.Results = append(res.Results, r)
	}
	if microsoft && len(res.Results) == 0 {
		return Results{}, fmt.Errorf("%w: no results", errMalformed)
	}
	return res, nil
}

// parseResinfo reads one resinfo: method[/version]=result, then key=value
// pairs.
func parseResinfo(g []token) (Result, error) {
	if len(g) < 3 || g[0].kind != tokWord || g[1].kind != tokEq || g[2].kind != tokWord {
		return Result{}, fmt.Errorf("%w: %q is not method=result", errMalformed, joinTokens(g))
	}
	method, version, _ := strings.Cut(g[0].text, "/")
	if method == "" || !isKeyword(method) || (strings.Contains(g[0].text, "/") && !isDigits(version)) {
		return Result{}, fmt.Errorf("%w: bad method %q", errMalformed, g[0].text)
	}
	if !isKeyword(g[2].text) {
		return Result{}, fmt.Errorf("%w: bad result %q", errMalformed, g[2].text)
	}
	r := Result{
		Method:        strings.ToLower(method),
		MethodVersion: version,
		Value:         ResultValue(strings.ToLower(g[2].text)),
		Properties:    map[string]string{},
	}
	for k := 3; k < len(g); {
		if k+2 >= len(g) {
			return Result{}, fmt.Errorf("%w: %q is not key=value", errMalformed, joinTokens(g[k:]))
		}
		key, eq, val := g[k], g[k+1], g[k+2]
		if key.kind != tokWord || eq.kind != tokEq || (val.kind != tokWord && val.kind != tokQuoted) {
			return Result{}, fmt.Errorf("%w: %q is not key=value", errMalformed, joinTokens(g[k:]))
		}
		v := val.text
		k += 3
		// A quoted local-part followed by @domain: "a b"@example.com.
		if val.kind == tokQuoted && k < len(g) && g[k].kind == tokWord && g[k].adjacent && strings.HasPrefix(g[k].text, "@") {
			v += g[k].text
			k++
		}
		name := strings.ToLower(key.text)
		if name == "reason" {
			if r.Reason == "" {
				r.Reason = v
			}
			continue
		}
		if !isPropKey(name) {
			return Result{}, fmt.Errorf("%w: bad property %q", errMalformed, key.text)
		}
		if _, ok := r.Properties[name]; !ok {
			r.Properties[name] = v
		}
	}
	return r, nil
}

// ParseARCResults parses the value of an ARC-Authentication-Results field
// (RFC 8617 §4.1.1): "i=" instance, ";", then an Authentication-Results
// payload. It returns the instance and the results.
func ParseARCResults(value string) (int, Results, error) {
	toks, err := lex(value)
	if err != nil {
		return 0, Results{}, err
	}
	if len(toks) < 4 || toks[0].kind != tokWord || !strings.EqualFold(toks[0].text, "i") || toks[1].kind != tokEq || toks[2].kind != tokWord || toks[3].kind != tokSemi {
		return 0, Results{}, fmt.Errorf("%w: no i= instance", errMalformed)
	}
	n, err := strconv.Atoi(toks[2].text)
	if err != nil || n < 1 || n > 50 {
		return 0, Results{}, fmt.Errorf("%w: bad instance %q", errMalformed, toks[2].text)
	}
	// Parse the rest from the byte after the ";" so that comments and
	// quoting are read exactly as in an Authentication-Results field.
	res, err := ParseResults(value[toks[3].end:])
	return n, res, err
}

// String formats r as an Authentication-Results value that ParseResults
// reads back to r.
func (r Results) String() string {
	var b strings.Builder
	if r.AuthServID != "" {
		b.WriteString(quoteIfNeeded(r.AuthServID))
		if r.Version != 0 {
			b.WriteString(" " + strconv.Itoa(r.Version))
		}
		if len(r.Results) == 0 {
			b.WriteString("; none")
			return b.String()
		}
	}
	for n, res := range r.Results {
		if n > 0 || r.AuthServID != "" {
			b.WriteString("; ")
		}
		b.WriteString(res.Method)
		if res.MethodVersion != "" {
			b.WriteString("/" + res.MethodVersion)
		}
		b.WriteString("=" + string(res.Value))
		if res.Reason != "" {
			b.WriteString(" reason=" + quote(res.Reason))
		}
		for _, k := range sortedKeys(res.Properties) {
			b.WriteString(" " + k + "=" + quoteIfNeeded(res.Properties[k]))
		}
	}
	return b.String()
}

// Find returns the results of method (lowercase) whose value is v, in the
// order written.
func (r Results) Find(method string, v ResultValue) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Method == method && res.Value == v {
			out = append(out, res)
		}
	}
	return out
}

type tokKind uint8

const (
	tokWord tokKind = iota
	tokQuoted
	tokSemi
	tokEq
)

type token struct {
	kind tokKind
	text string
	// adjacent is true when no whitespace or comment precedes the token.
	adjacent bool
	// end is the byte offset just after the token.
	end int
}

// lex splits an Authentication-Results value into words, quoted strings,
// ";" and "=", dropping whitespace (folding included) and comments. On an
// error it returns the tokens before the fault with it.
func lex(s string) ([]token, error) {
	var toks []token
	adjacent := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			adjacent = false
			i++
		case c == '(':
			end, err := skipComment(s, i)
			if err != nil {
				return toks, err
			}
			i = end
			adjacent = false
		case c == ')':
			return toks, fmt.Errorf("%w: unbalanced )", errMalformed)
		case c == '"':
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\\' && i+1 < len(s) {
					// A line break cannot be kept, even quoted: drop it
					// as a bare one is dropped, so that String and
					// ParseResults agree.
					if s[i+1] != '\r' && s[i+1] != '\n' {
						b.WriteByte(s[i+1])
					}
					i += 2
					continue
				}
				if s[i] == '"' {
					closed = true
					i++
					break
				}
				if s[i] != '\r' && s[i] != '\n' {
					b.WriteByte(s[i])
				}
				i++
			}
			if !closed {
				return toks, fmt.Errorf("%w: unterminated quoted string", errMalformed)
			}
			toks = append(toks, token{kind: tokQuoted, text: b.String(), adjacent: adjacent, end: i})
			adjacent = true
		case c == ';':
			i++
			toks = append(toks, token{kind: tokSemi, text: ";", end: i})
			adjacent = false
		case c == '=':
			i++
			toks = append(toks, token{kind: tokEq, text: "=", adjacent: adjacent, end: i})
			adjacent = false
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()\";=", rune(s[j])) {
				j++
			}
			toks = append(toks, token{kind: tokWord, text: s[i:j], adjacent: adjacent, end: j})
			i = j
			adjacent = true
		}
	}
	return toks, nil
}

// skipComment returns the offset just after the comment that starts at
// s[i] == '(', reading nested comments and quoted-pairs (RFC 5322 §3.2.2).
func skipComment(s string, i int) (int, error) {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // a quoted-pair: the next byte is literal
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("%w: unterminated comment", errMalformed)
}

func joinTokens(g []token) string {
	parts := make([]string, len(g))
	for i, t := range g {
		parts[i] = t.text
	}
	s := strings.Join(parts, " ")
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}

func isDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isKeyword reports whether s is an RFC 8601 Keyword (letters, digits and
// inner hyphens) or the underscore form Yahoo writes (dkim_pass).
func isKeyword(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// isPropKey reports whether s is ptype.property, or a bare keyword such as
// Microsoft's "action".
func isPropKey(s string) bool {
	ptype, prop, dotted := strings.Cut(s, ".")
	if !dotted {
		return isKeyword(s)
	}
	if !isKeyword(ptype) || prop == "" {
		return false
	}
	// A property may itself hold dots and hyphens (policy.published-domain-policy).
	for _, part := range strings.Split(prop, ".") {
		if !isKeyword(part) {
			return false
		}
	}
	return true
}

// needsQuote reports whether s cannot be written as a bare word.
func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	return strings.ContainsAny(s, " \t\r\n()\";=\\")
}

func quoteIfNeeded(s string) string {
	if needsQuote(s) {
		return quote(s)
	}
	return s
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			continue // a quoted string cannot hold a bare line break
		}
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Insertion sort: property maps are small.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
