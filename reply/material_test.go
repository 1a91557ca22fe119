package reply

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLibraryHoldsAFileOnce: one report named by twenty sessions, and a
// copy of it under another name, are held in memory once; a change of the
// file on disk reaches every session that names it.
func TestLibraryHoldsAFileOnce(t *testing.T) {
	dir := t.TempDir()
	report, copyOf := filepath.Join(dir, "underlag.pdf"), filepath.Join(dir, "kopia.pdf")
	data := bytes.Repeat([]byte("%PDF-1.7 rapport "), 4096)
	for _, p := range []string{report, copyOf} {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]string{"extra": {copyOf}}
	for _, id := range []string{"s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10",
		"s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18", "s19", "s20"} {
		files[id] = []string{report}
	}
	l, err := NewLibrary(files)
	if err != nil {
		t.Fatal(err)
	}
	first := &l.Of("s01")[0].Data[0]
	for id := range files {
		ms := l.Of(id)
		if len(ms) != 1 || !bytes.Equal(ms[0].Data, data) {
			t.Fatalf("%s: %d files", id, len(ms))
		}
		if &ms[0].Data[0] != first {
			t.Errorf("%s holds a copy of its own", id)
		}
	}
	changed := append([]byte("%PDF-1.7 ny version "), data...)
	if err := os.WriteFile(report, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(report, later, later); err != nil {
		t.Fatal(err)
	}
	l.Reload(slog.New(slog.NewTextHandler(io.Discard, nil)))
	for id := range files {
		want := changed
		if id == "extra" {
			want = data
		}
		if got := l.Of(id)[0].Data; !bytes.Equal(got, want) {
			t.Errorf("%s after the change: %d bytes, want %d", id, len(got), len(want))
		}
	}
	if &l.Of("s01")[0].Data[0] != &l.Of("s20")[0].Data[0] {
		t.Error("the changed file is held twice")
	}
}
