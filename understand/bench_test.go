package understand

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// BenchmarkUnderstand reads and understands a typical registration: the
// 2.4 KB Outlook mail (text and HTML alternatives, windows-1252,
// quoted-printable, a signature with an organisation). It reports mails per
// second of one goroutine.
func BenchmarkUnderstand(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "corpus", "registrations", "v01-outlook-windows1252.eml"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := corpusConfig()
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := message.ReadMessage(raw); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b)
	})
	m, err := message.ReadMessage(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("understand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Understand(m, cfg)
		}
		reportRate(b)
	})
	b.Run("read+understand", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			m, err := message.ReadMessage(raw)
			if err != nil {
				b.Fatal(err)
			}
			if u := Understand(m, cfg); u.Kind != reading.KindRegistration {
				b.Fatalf("kind %q", u.Kind)
			}
		}
		reportRate(b)
	})
}

// BenchmarkUnderstandCommand understands an organiser's numbered list of
// changes (cancel, substitute, promote) from the fresh corpus: the command
// reader reads every clause by stem, so it is measured apart from the
// participant's registration above.
func BenchmarkUnderstandCommand(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "fresh", "tune", "t083-org-numbered-list-mixed.eml"))
	if err != nil {
		b.Fatal(err)
	}
	cfg := corpusConfig()
	m, err := message.ReadMessage(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if u := Understand(m, cfg); u.Kind != reading.KindCommand || len(u.Changes) != 3 {
			b.Fatalf("kind %q, %d changes", u.Kind, len(u.Changes))
		}
	}
	reportRate(b)
}

func reportRate(b *testing.B) {
	if b.Elapsed() > 0 {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
	}
	_ = time.Second
}
