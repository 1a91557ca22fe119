package understand

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
)

func nestedMultipart(depth int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.org\r\nSubject: deep\r\n")
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nAnmäl mig.\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.Bytes()
}

func nestedMessages(depth int) []byte {
	var b bytes.Buffer
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "From: a%d@example.org\r\nSubject: level %d\r\nContent-Type: message/rfc822\r\n\r\n", i, i)
	}
	b.WriteString("From: z@example.org\r\n\r\nbottom\r\n")
	return b.Bytes()
}

func manyParts(n int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.org\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--b\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--b--\r\n")
	return b.Bytes()
}

func hugeHeader(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.org\r\nSubject: big header\r\n")
	for b.Len() < size {
		b.WriteString("X-Filler: " + strings.Repeat("x", 70) + "\r\n")
	}
	b.WriteString("\r\nAnmäl mig.\r\n")
	return b.Bytes()
}

func hugeField(size int) []byte {
	return []byte("From: a@example.org\r\nSubject: " + strings.Repeat("a ", size/2) + "\r\n\r\nAnmäl mig.\r\n")
}

func bigTextPart(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 1000)
	b.WriteString("From: a@example.org\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnmäl mig.\r\n")
	line := strings.Repeat("bla ", 19) + "\r\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	b.WriteString("--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\nxx\r\n--b--\r\n")
	return b.Bytes()
}

// TestBadInput reads hostile and broken mail. Each must be read without a
// panic or an error, within bounded time and memory, with the problem named.
func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 50 MiB mail")
	}
	tests := []struct {
		name     string
		raw      func() []byte
		problem  string // a substring of one of Problems
		text     string // a substring of Text, or ""
		maxAlloc uint64 // bytes allocated while reading, at most
	}{
		{"nesting 100 multiparts deep", func() []byte { return nestedMultipart(100) }, "nesting deeper than 20", "", 64 << 20},
		{"nesting 100 attached mails deep", func() []byte { return nestedMessages(100) }, "nesting deeper than 20", "", 64 << 20},
		{"10,000 parts", func() []byte { return manyParts(10000) }, "more than 500 MIME parts", "part 0", 64 << 20},
		{"1 MiB header", func() []byte { return hugeHeader(1 << 20) }, "header is larger than 256 KiB", "", 64 << 20},
		{"1 MiB header field", func() []byte { return hugeField(1 << 20) }, "header is larger than 256 KiB", "", 64 << 20},
		{"NUL bytes", func() []byte {
			return []byte("From: a@example.org\r\nSubject: nul\x00\r\n\r\nAnm\x00äl mig.\x00\r\n")
		}, "NUL", "Anmäl mig.", 1 << 20},
		{"broken base64", func() []byte {
			return messagetest.Mail("From: a@example.org", "Content-Transfer-Encoding: base64", "", "QW5tw6RsIG1pZy4=!!*%%", "garbage here")
		}, "base64", "Anmäl mig.", 1 << 20},
		{"a boundary that never closes", func() []byte {
			return messagetest.Mail("From: a@example.org", `Content-Type: multipart/mixed; boundary="b"`, "", "--b", "Content-Type: text/plain", "", "Anmäl mig.", "no end")
		}, "without the boundary", "Anmäl mig.", 1 << 20},
		{"a boundary that is never used", func() []byte {
			return messagetest.Mail("From: a@example.org", `Content-Type: multipart/mixed; boundary="b"`, "", "Anmäl mig.")
		}, "boundary never appears", "", 1 << 20},
		{"multipart without boundary", func() []byte {
			return messagetest.Mail("From: a@example.org", `Content-Type: multipart/mixed`, "", "Anmäl mig.")
		}, "no boundary", "Anmäl mig.", 1 << 20},
		{"nested 30 MiB attached mails", func() []byte {
			inner := bigTextPart(30 << 20)
			var b bytes.Buffer
			for i := 0; i < 5; i++ {
				b.WriteString("From: a@example.org\r\nContent-Type: message/rfc822\r\n\r\n")
			}
			b.Write(inner)
			return b.Bytes()
		}, "in all", "", 160 << 20},
		{"50 MiB text part", func() []byte { return bigTextPart(50 << 20) }, "longer than 8 MiB", "Anmäl mig.", 96 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			m, err := message.ReadMessage(raw)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("ReadMessage: %v", err)
			}
			limit := tt.maxAlloc
			if raceEnabled {
				limit += limit / 4
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
				t.Errorf("allocated %d MiB reading %d KiB, want at most %d MiB", alloc>>20, len(raw)>>10, limit>>20)
			}
			t.Logf("%d KiB read in %v, %d MiB allocated; problems %q", len(raw)>>10, elapsed, (after.TotalAlloc-before.TotalAlloc)>>20, m.Problems)
			if !strings.Contains(strings.Join(m.Problems, "\n"), tt.problem) {
				t.Errorf("problems %q, want one about %q", m.Problems, tt.problem)
			}
			if !strings.Contains(m.Text, tt.text) {
				t.Errorf("text %q…, want it to contain %q", message.Clip(m.Text, 200), tt.text)
			}
			if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) {
				t.Error("text or subject is not valid UTF-8")
			}
			u := Understand(m, corpusConfig())
			if u.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}
