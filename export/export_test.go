package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/store"
	"github.com/xuri/excelize/v2"
)

var exportRegs = []store.Registration{
	{ID: 1, EventID: "w1", Person: store.Person{Name: "Åsa Öberg", Email: "asa@example.se", Organisation: "Göteborgs Stad",
		Diet: "vegan; inga nötter"}, Status: store.StatusConfirmed,
		RegisteredAt: time.Date(2025, 11, 20, 8, 5, 0, 0, time.UTC)},
	{ID: 2, EventID: "w1", Person: store.Person{Name: "=HYPERLINK(\"http://evil\")", Email: "evil@example.se",
		Organisation: "+46 31 00 00", Diet: "-1"}, Status: store.StatusWaiting, Position: 1,
		RegisteredAt: time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC), RegisteredBy: "@chef@example.se"},
	{ID: 3, EventID: "w1", Person: store.Person{Name: "Per Ström", Email: "per@example.se"}, Status: store.StatusConfirmed,
		OverCapacity: true, Replaces: "karin@example.se", RegisteredAt: time.Date(2025, 11, 21, 9, 0, 0, 0, time.UTC)},
}

var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// wantExportRows are exportRegs as both exports show them, in Stockholm time.
var wantExportRows = [][]string{
	{"status", "position", "name", "email", "organisation", "diet", "registered_at", "registered_by", "note"},
	{"confirmed", "", "Åsa Öberg", "asa@example.se", "Göteborgs Stad", "vegan; inga nötter", "2025-11-20 09:05", "", ""},
	{"waiting", "1", "'=HYPERLINK(\"http://evil\")", "evil@example.se", "'+46 31 00 00", "'-1", "2025-11-20 10:00",
		"'@chef@example.se", ""},
	{"confirmed", "", "Per Ström", "per@example.se", "", "", "2025-11-21 10:00", "", "substitute for karin@example.se; over capacity"},
}

func TestWriteCSV(t *testing.T) {
	tests := []struct {
		name      string
		delimiter rune
		want      rune
	}{
		{name: "default semicolon", delimiter: 0, want: ';'},
		{name: "comma", delimiter: ',', want: ','},
		{name: "tab", delimiter: '\t', want: '\t'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, exportRegs, tc.delimiter, stockholm); err != nil {
				t.Fatal(err)
			}
			raw := buf.Bytes()
			if !bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
				t.Fatalf("no UTF-8 BOM: % x", raw[:min(len(raw), 8)])
			}
			header, _, _ := strings.Cut(string(raw[3:]), "\r\n")
			if want := strings.Join(wantExportRows[0], string(tc.want)); header != want {
				t.Errorf("header line = %q, want %q", header, want)
			}
			r := csv.NewReader(bytes.NewReader(raw[3:]))
			r.Comma = tc.want
			got, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			compareRows(t, got, wantExportRows)
		})
	}
	if err := WriteCSV(io.Discard, exportRegs, '"', nil); err == nil {
		t.Error("WriteCSV with a quote as delimiter succeeded")
	}
}

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	ev := store.EventStatus{Event: store.Event{ID: "w1", Title: "Workshop om anmälan"}}
	if err := WriteXLSX(&buf, ev, exportRegs, stockholm); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 1 || sheets[0] != "Deltagare" {
		t.Fatalf("sheets = %v, want [Deltagare]", sheets)
	}
	rows, err := f.GetRows("Deltagare")
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, rows, wantExportRows)

	panes, err := f.GetPanes("Deltagare")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	styleID, err := f.GetCellStyle("Deltagare", "H1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(styleID)
	if err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", style, err)
	}
	var filter bool
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && strings.Contains(d.RefersTo, "Deltagare") &&
			strings.Contains(strings.ReplaceAll(d.RefersTo, "$", ""), "A1:I4") {
			filter = true
		}
	}
	if !filter {
		t.Errorf("no autofilter name over A1:I4 in %+v", f.GetDefinedName())
	}
	// excelize writes the range with absolute references ($A$1:$I$4).
	sheet := strings.ReplaceAll(zipFile(t, buf.Bytes(), "xl/worksheets/sheet1.xml"), "$", "")
	if !strings.Contains(sheet, `<autoFilter ref="A1:I4"`) {
		t.Errorf("sheet has no autoFilter over A1:I4")
	}
	if w, err := f.GetColWidth("Deltagare", "C"); err != nil || w < float64(len(`=HYPERLINK("http://evil")`)) {
		t.Errorf("name column width %v, %v; want it to fit the longest name", w, err)
	}
	if v, err := f.GetCellValue("Deltagare", "B3"); err != nil || v != "1" {
		t.Errorf("position cell = %q, %v", v, err)
	}
	if typ, err := f.GetCellType("Deltagare", "B3"); err != nil || typ == excelize.CellTypeSharedString ||
		typ == excelize.CellTypeInlineString {
		t.Errorf("position cell type = %v, %v; want a number", typ, err)
	}
	if props, err := f.GetDocProps(); err != nil || props.Title != ev.Title {
		t.Errorf("doc title = %+v, %v", props, err)
	}
}

func TestWriteXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, store.EventStatus{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Deltagare")
	if err != nil || len(rows) != 1 {
		t.Errorf("rows = %v, %v; want the header only", rows, err)
	}
}

func TestSafeCell(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "Sara", "Sara"},
		{"equals", "=1+1", "'=1+1"},
		{"plus", "+46", "'+46"},
		{"minus", "-2", "'-2"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\t=1", "'\t=1"},
		{"inner equals", "a=b", "a=b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SafeCell(tc.in); got != tc.want {
				t.Errorf("safeCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func compareRows(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		// GetRows drops empty trailing cells; pad to compare.
		for len(got[i]) < len(want[i]) {
			got[i] = append(got[i], "")
		}
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q\nwant %q", i, got[i], want[i])
		}
	}
}

func zipFile(t *testing.T, b []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
