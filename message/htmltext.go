package message

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText turns an HTML body into the plain text a reader sees: blocks and
// <br> become line breaks, list items become "- item" lines, table rows
// become lines with cells separated by " | ", blockquotes are prefixed with
// "> " like a quoted plain-text reply, and a mailto: link keeps its address
// when the link text does not show it. Scripts, styles and the head are
// dropped. It works on a token stream, so deep or broken markup costs no
// more than its length.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var w htmlWriter
	w.out.Grow(len(src) / 3)
	skip := 0 // depth inside elements whose text is not shown
	var href []string
	var linkText []int // out length where each open <a> started
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.finish()
		case html.TextToken:
			if skip > 0 {
				continue
			}
			w.text(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template:
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
			case atom.Br:
				w.lineBreak()
			case atom.P:
				w.newline(2)
			case atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Table, atom.Ul, atom.Ol, atom.Pre, atom.Section, atom.Article,
				atom.Header, atom.Footer, atom.Address, atom.Dl, atom.Dt, atom.Dd, atom.Center:
				w.newline(1)
			case atom.Hr:
				w.newline(1)
				w.text("----")
				w.newline(1)
			case atom.Tr:
				w.newline(1)
				w.cell = 0
			case atom.Td, atom.Th:
				if !end {
					if w.cell > 0 {
						w.raw(" | ")
					}
					w.cell++
				}
			case atom.Li:
				if !end {
					w.newline(1)
					w.raw("- ")
				} else {
					w.newline(1)
				}
			case atom.Blockquote:
				w.newline(1)
				if end {
					if w.quote > 0 {
						w.quote--
					}
				} else {
					w.quote++
				}
			case atom.A:
				if tt == html.StartTagToken {
					target := ""
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "href" {
							target = string(v)
						}
					}
					href = append(href, target)
					linkText = append(linkText, w.out.Len())
				} else if end && len(href) > 0 {
					target := href[len(href)-1]
					start := linkText[len(linkText)-1]
					href, linkText = href[:len(href)-1], linkText[:len(linkText)-1]
					if addr, ok := strings.CutPrefix(strings.TrimSpace(target), "mailto:"); ok {
						if i := strings.IndexByte(addr, '?'); i >= 0 {
							addr = addr[:i]
						}
						if addr != "" && start <= w.out.Len() && !strings.Contains(w.out.String()[start:], addr) {
							w.text(" <" + addr + ">")
						}
					}
				}
			case atom.Img:
				// Images say nothing a registration needs.
			}
		}
	}
}

// htmlWriter accumulates text, collapsing white space as a browser does and
// keeping at most one empty line between blocks.
type htmlWriter struct {
	out       strings.Builder
	lineStart bool // nothing written on the current line yet
	newlines  int  // pending line breaks
	space     bool // a space is pending before the next word
	quote     int  // blockquote depth
	cell      int  // cells written in the current table row
}

// newline asks for at least n line breaks before the next text (1: a new
// line, 2: an empty line between blocks).
func (w *htmlWriter) newline(n int) {
	if w.out.Len() == 0 {
		return
	}
	w.newlines = max(w.newlines, min(n, 2))
	w.space = false
}

// lineBreak is a <br>: one more line break, so that two in a row, or one
// in an empty block, make an empty line.
func (w *htmlWriter) lineBreak() {
	if w.out.Len() == 0 {
		return
	}
	w.newlines = min(w.newlines+1, 2)
	w.space = false
}

func (w *htmlWriter) flushBreaks() {
	if w.newlines > 0 {
		for i := 0; i < w.newlines; i++ {
			w.out.WriteByte('\n')
		}
		w.newlines = 0
		w.lineStart = true
		w.space = false
	}
	if w.lineStart || w.out.Len() == 0 {
		w.lineStart = false
		if w.quote > 0 {
			w.out.WriteString(strings.Repeat("> ", w.quote))
		}
	}
}

// raw writes s without white-space handling (list markers, cell separators).
func (w *htmlWriter) raw(s string) {
	w.flushBreaks()
	w.out.WriteString(s)
	w.space = false
}

func (w *htmlWriter) text(s string) {
	s = strings.ReplaceAll(s, "\u00a0", " ")
	for i, f := range strings.Fields(s) {
		if i > 0 || (w.space || startsSpace(s)) {
			if !w.lineStart && w.newlines == 0 && w.out.Len() > 0 && !strings.HasSuffix(w.out.String(), " ") {
				w.out.WriteByte(' ')
			}
		}
		w.flushBreaks()
		w.out.WriteString(f)
		w.space = false
	}
	if len(s) > 0 && endsSpace(s) {
		w.space = true
	}
}

func startsSpace(s string) bool {
	return s != "" && strings.ContainsRune(" \t\r\n\f", rune(s[0]))
}

func endsSpace(s string) bool {
	return s != "" && strings.ContainsRune(" \t\r\n\f", rune(s[len(s)-1]))
}

func (w *htmlWriter) finish() string {
	lines := strings.Split(w.out.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
