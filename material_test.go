package anmalan

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var updateMaterial = flag.Bool("update", false, "rewrite material/kartlaggning-segregation.pdf from samplePDF")

const samplePDFPath = "material/kartlaggning-segregation.pdf"

// sampleLines are the lines of the sample material, in WinAnsi (Latin-1
// for these letters; \226 is the en dash) as PDF string literals.
var sampleLines = []struct {
	size int
	y    int
	text string
}{
	{16, 760, `Kartl\344ggning av segregation i G\366teborgsregionen \226 exempel`},
	{11, 730, `Exempelmaterial till workshopen "P\345 tal om segregation", 11 december 2018.`},
	{11, 712, `Detta \344r en provfil som visar hur underlaget skickas ut till de anm\344lda.`},
	{11, 694, `Sample material: the real mapping report replaces this file.`},
}

// samplePDF returns the example event's sample material: a one-page PDF
// 1.4 in the standard Helvetica font, with a correct cross-reference
// table, small enough to read by eye.
func samplePDF() []byte {
	var content bytes.Buffer
	for _, l := range sampleLines {
		fmt.Fprintf(&content, "BT /F1 %d Tf 56 %d Td (%s) Tj ET\n", l.size, l.y, l.text)
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		// The document information is in PDFDocEncoding, whose en dash
		// is \205, not WinAnsi's \226.
		`<< /Title (Kartl\344ggning av segregation i G\366teborgsregionen \205 exempel) /Author (G\366teborgsregionen) >>`,
	}
	var b bytes.Buffer
	// The comment of four bytes above 127 tells transfer programs that
	// the file is binary.
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// TestSamplePDF checks that the sample material attached to every
// confirmation of the example event is the file samplePDF makes (so its
// offsets are right), that it says "workshopen" as Swedish spells it, and,
// where poppler's pdftotext is installed, that a PDF reader shows that
// text and title. `go test . -run TestSamplePDF -update` rewrites the file.
func TestSamplePDF(t *testing.T) {
	want := samplePDF()
	if *updateMaterial {
		if err := os.WriteFile(samplePDFPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(samplePDFPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what samplePDF makes: run go test . -run TestSamplePDF -update", samplePDFPath)
	}
	if bytes.Contains(got, []byte("workshoppen")) || !bytes.Contains(got, []byte("till workshopen ")) {
		t.Errorf("%s does not say \"workshopen\"", samplePDFPath)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext (poppler-utils) is not installed: the text was checked in the file only")
		return
	}
	out := filepath.Join(t.TempDir(), "sample.txt")
	if msg, err := exec.Command("pdftotext", "-enc", "UTF-8", samplePDFPath, out).CombinedOutput(); err != nil || len(msg) > 0 {
		t.Fatalf("pdftotext: %v: %s", err, msg)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", samplePDFPath).CombinedOutput()
	if err != nil || !strings.Contains(string(info), "Title:           Kartläggning av segregation i Göteborgsregionen – exempel\n") {
		t.Errorf("pdfinfo: %v:\n%s", err, info)
	}
	for _, line := range []string{
		"Kartläggning av segregation i Göteborgsregionen – exempel",
		`Exempelmaterial till workshopen "På tal om segregation", 11 december 2018.`,
		"Detta är en provfil som visar hur underlaget skickas ut till de anmälda.",
	} {
		if !strings.Contains(string(text), line) {
			t.Errorf("pdftotext does not read %q in:\n%s", line, text)
		}
	}
}
