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

// xlsxRegs are exportRegs and an erased person.
var xlsxRegs = append(append([]store.Registration{}, exportRegs...),
	store.Registration{ID: 4, EventID: "w1", Person: store.Person{Email: "erased-4"}, Status: store.StatusCancelled,
		RegisteredAt: time.Date(2025, 11, 22, 9, 0, 0, 0, time.UTC)})

// wantXLSXRows are xlsxRegs as the Swedish spreadsheet shows them.
var wantXLSXRows = [][]string{
	{"Status", "Plats i kön", "Namn", "E-post", "Organisation", "Specialkost", "Anmäld", "Anmäld av", "Anteckning"},
	{"bekräftad", "", "Åsa Öberg", "asa@example.se", "Göteborgs Stad", "vegan; inga nötter", "2025-11-20 09:05", "", ""},
	{"väntelista", "1", "'=HYPERLINK(\"http://evil\")", "evil@example.se", "'+46 31 00 00", "'-1", "2025-11-20 10:00",
		"'@chef@example.se", ""},
	{"bekräftad", "", "Per Ström", "per@example.se", "", "", "2025-11-21 10:00", "", "ersätter karin@example.se; utöver antalet platser"},
	{"avanmäld", "", "(raderad)", "", "", "", "2025-11-22 10:00", "", ""},
}

func openXLSX(t *testing.T, lang string) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	ev := store.EventStatus{Event: store.Event{ID: "w1", Title: "Workshop om anmälan"}}
	if err := WriteXLSX(&buf, ev, xlsxRegs, stockholm, lang); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// TestWriteXLSX reads the Swedish list back as the organiser's Excel
// does: Swedish words, dates as dates, empty cells empty, erased people
// readable, and a sign-in sheet.
func TestWriteXLSX(t *testing.T) {
	f, raw := openXLSX(t, "sv")
	const sheetName = "Deltagare"
	if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[0] != sheetName || sheets[1] != "Närvarolista" {
		t.Fatalf("sheets = %v, want [Deltagare Närvarolista]", sheets)
	}
	rows, err := f.GetRows(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, rows, wantXLSXRows)

	panes, err := f.GetPanes(sheetName)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, %v; want the header row frozen", panes, err)
	}
	styleID, err := f.GetCellStyle(sheetName, "H1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(styleID)
	if err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", style, err)
	}
	// excelize writes the range with absolute references ($A$1:$I$5).
	sheet := strings.ReplaceAll(zipFile(t, raw, "xl/worksheets/sheet1.xml"), "$", "")
	if !strings.Contains(sheet, `<autoFilter ref="A1:I5"`) {
		t.Errorf("sheet has no autoFilter over A1:I5")
	}
	if w, err := f.GetColWidth(sheetName, "C"); err != nil || w < float64(len(`=HYPERLINK("http://evil")`)) {
		t.Errorf("name column width %v, %v; want it to fit the longest name", w, err)
	}
	if typ, err := f.GetCellType(sheetName, "B3"); err != nil || typ == excelize.CellTypeSharedString ||
		typ == excelize.CellTypeInlineString {
		t.Errorf("position cell type = %v, %v; want a number", typ, err)
	}
	// The registration time is a date: a serial number with a date format.
	if v, err := f.GetCellValue(sheetName, "G2", excelize.Options{RawCellValue: true}); err != nil || !strings.HasPrefix(v, "45981.37") {
		t.Errorf("registration time G2 raw = %q, %v; want the Excel serial of 2025-11-20 09:05", v, err)
	}
	if typ, _ := f.GetCellType(sheetName, "G2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("registration time is text (%v), not a date", typ)
	}
	// Empty cells are empty: no cell holds the empty text ''.
	for _, c := range []string{"B2", "H2", "I2", "E4", "D5"} {
		if typ, err := f.GetCellType(sheetName, c); err != nil || typ != excelize.CellTypeUnset {
			t.Errorf("%s has type %v, %v; want an empty cell", c, typ, err)
		}
	}
	if strings.Contains(zipFile(t, raw, "xl/sharedStrings.xml"), "<t></t>") {
		t.Error("the workbook holds empty strings")
	}
	if props, err := f.GetDocProps(); err != nil || props.Title != "Workshop om anmälan" {
		t.Errorf("doc title = %+v, %v", props, err)
	}

	signIn, err := f.GetRows("Närvarolista")
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, signIn, [][]string{{"Namn", "Organisation", "Namnteckning"}, {"Åsa Öberg", "Göteborgs Stad", ""}, {"Per Ström", "", ""}})
}

func TestWriteXLSXEnglish(t *testing.T) {
	f, _ := openXLSX(t, "en")
	if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[0] != "Participants" || sheets[1] != "Sign-in list" {
		t.Fatalf("sheets = %v", sheets)
	}
	rows, err := f.GetRows("Participants")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], "|"); got != "Status|Waiting no.|Name|Email|Organisation|Dietary needs|Registered|Registered by|Note" {
		t.Errorf("header %q", got)
	}
	if rows[1][0] != "confirmed" || rows[2][0] != "waiting list" || rows[4][2] != "(erased)" {
		t.Errorf("rows %q", rows)
	}
	signIn, err := f.GetRows("Sign-in list")
	if err != nil || strings.Join(signIn[0], "|") != "Name|Organisation|Signature" {
		t.Errorf("sign-in header %q, %v", signIn, err)
	}
}

func TestWriteXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, store.EventStatus{}, nil, nil, "sv"); err != nil {
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
