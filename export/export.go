package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/xuri/excelize/v2"

	"github.com/goteborgsregionen/anmalan/store"
	"github.com/goteborgsregionen/anmalan/templates"
)

// exportHeader names the columns of the participant list, in order.
var exportHeader = []string{"status", "position", "name", "email", "organisation", "diet", "registered_at", "registered_by", "note"}

// exportTimeLayout is how registered_at is written: minutes are enough for
// the organiser, and the layout is one that Excel recognises.
const exportTimeLayout = "2006-01-02 15:04"

// SafeCell returns s with a leading apostrophe when it begins with a
// character that makes spreadsheet programs read it as a formula. Names
// and addresses come from strangers' mail, and a cell like
// =HYPERLINK(…) must not run when the organiser opens the list.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// exportRow returns one registration's cells as text, guarded against
// formula injection. The position is empty unless the person is waiting.
func exportRow(r store.Registration, loc *time.Location) []string {
	pos := ""
	if r.Position > 0 {
		pos = strconv.Itoa(r.Position)
	}
	at := ""
	if !r.RegisteredAt.IsZero() {
		at = r.RegisteredAt.In(loc).Format(exportTimeLayout)
	}
	return []string{SafeCell(r.Status), pos, SafeCell(r.Name), SafeCell(r.Email), SafeCell(r.Organisation),
		SafeCell(r.Diet), at, SafeCell(r.RegisteredBy), SafeCell(exportNote(r, loc))}
}

// exportNote says what the status alone does not: a substitution, a seat
// beyond capacity, an open offer, why a registration ended.
func exportNote(r store.Registration, loc *time.Location) string {
	var notes []string
	if r.Replaces != "" {
		notes = append(notes, "substitute for "+r.Replaces)
	}
	if r.OverCapacity {
		notes = append(notes, "over capacity")
	}
	if !r.OfferUntil.IsZero() {
		notes = append(notes, "seat offered until "+r.OfferUntil.In(loc).Format(exportTimeLayout))
	}
	switch r.EndReason {
	case store.EndSubstituted:
		notes = append(notes, "replaced by "+r.ReplacedBy)
	case store.EndOfferExpired:
		notes = append(notes, "offer expired")
	}
	return strings.Join(notes, "; ")
}

// WriteCSV writes the participant list to w as CSV: UTF-8 with a byte
// order mark (so that Excel reads å, ä and ö correctly), CRLF line ends, a
// header row, and the given delimiter (';' when 0, which is what Excel
// expects in Swedish locales). Times are shown in loc (UTC when nil). It
// fails on an invalid delimiter and when writing fails.
func WriteCSV(w io.Writer, regs []store.Registration, delimiter rune, loc *time.Location) error {
	if delimiter == 0 {
		delimiter = ';'
	}
	if loc == nil {
		loc = time.UTC
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.Comma = delimiter
	cw.UseCRLF = true
	if err := cw.Write(exportHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, r := range regs {
		if err := cw.Write(exportRow(r, loc)); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// WriteXLSX writes the participant list of ev to w as an Excel workbook in
// lang ("sv" or "en"; Swedish otherwise). The first sheet ("Deltagare")
// has a bold header row that stays frozen when scrolling and carries an
// autofilter, then one row per registration: statuses in words, the
// registration time as a date cell shown in loc (UTC when nil), empty
// cells empty, and an erased person as "(raderad)". The second sheet
// ("Närvarolista") is the sign-in list for the door: the confirmed
// participants' names and organisations and a column to sign in. It
// fails when the workbook cannot be built or written.
func WriteXLSX(w io.Writer, ev store.EventStatus, regs []store.Registration, loc *time.Location, lang string) error {
	if loc == nil {
		loc = time.UTC
	}
	words, err := loadWords(lang)
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := buildXLSX(f, ev, regs, loc, words); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := buildSignIn(f, regs, words); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// words are the spreadsheet's words in one language, from
// templates/phrases.toml.
type words map[string]string

// loadWords reads the xlsx-* phrases of templates/phrases.toml in lang.
func loadWords(lang string) (words, error) {
	if lang != "en" {
		lang = "sv"
	}
	b, err := fs.ReadFile(templates.FS, "phrases.toml")
	if err != nil {
		return nil, fmt.Errorf("read phrases: %w", err)
	}
	var all map[string]map[string]string
	if _, err := toml.Decode(string(b), &all); err != nil {
		return nil, fmt.Errorf("parse phrases: %w", err)
	}
	w := words{}
	for k, v := range all {
		if strings.HasPrefix(k, "xlsx-") {
			w[strings.TrimPrefix(k, "xlsx-")] = v[lang]
		}
	}
	for _, k := range []string{"sheet", "signin-sheet", "columns", "signin-columns", "confirmed", "waiting", "cancelled", "erased"} {
		if w[k] == "" {
			return nil, fmt.Errorf("phrases.toml lacks xlsx-%s in %s", k, lang)
		}
	}
	return w, nil
}

// status is a registration's status in words.
func (w words) status(s string) string {
	switch s {
	case store.StatusConfirmed:
		return w["confirmed"]
	case store.StatusWaiting:
		return w["waiting"]
	case store.StatusCancelled:
		return w["cancelled"]
	}
	return s
}

// note says, in words, what the status alone does not.
func (w words) note(r store.Registration, loc *time.Location) string {
	var notes []string
	if r.Replaces != "" {
		notes = append(notes, fmt.Sprintf(w["substitute-for"], r.Replaces))
	}
	if r.OverCapacity {
		notes = append(notes, w["over-capacity"])
	}
	if !r.OfferUntil.IsZero() {
		notes = append(notes, fmt.Sprintf(w["offered-until"], r.OfferUntil.In(loc).Format(exportTimeLayout)))
	}
	switch r.EndReason {
	case store.EndSubstituted:
		notes = append(notes, fmt.Sprintf(w["replaced-by"], r.ReplacedBy))
	case store.EndOfferExpired:
		notes = append(notes, w["offer-expired"])
	}
	return strings.Join(notes, "; ")
}

// erased reports whether the person's data was erased: the address is
// then a placeholder.
func erased(r store.Registration) bool { return strings.HasPrefix(r.Email, "erased-") && r.Name == "" }

// cell is a text cell, or nothing for an empty text, so that an empty
// cell stays empty.
func cell(s string) any {
	if s == "" {
		return nil
	}
	return SafeCell(s)
}

func buildXLSX(f *excelize.File, ev store.EventStatus, regs []store.Registration, loc *time.Location, w words) error {
	sheet := w["sheet"]
	columns := strings.Split(w["columns"], "|")
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: ev.Title, Subject: ev.ID,
		Description: sheet + " " + ev.Title}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	dateFormat := "yyyy-mm-dd hh:mm"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat})
	if err != nil {
		return err
	}
	widths := make([]int, len(columns))
	fit := func(col int, s string) {
		widths[col] = max(widths[col], utf8.RuneCountInString(s))
	}
	header := make([]any, len(columns))
	for i, h := range columns {
		header[i] = h
		fit(i, h)
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(columns), 1)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return err
	}
	fit(6, exportTimeLayout)
	for i, r := range regs {
		name, email := r.Name, r.Email
		if erased(r) {
			name, email = w["erased"], ""
		}
		row := []any{cell(w.status(r.Status)), nil, cell(name), cell(email), cell(r.Organisation), cell(r.Diet),
			nil, cell(r.RegisteredBy), cell(w.note(r, loc))}
		for j, c := range row {
			if s, ok := c.(string); ok {
				fit(j, s)
			}
		}
		// The position is a number, so that the list sorts by it.
		if r.Position > 0 {
			row[1] = r.Position
		}
		cellName, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cellName, &row); err != nil {
			return err
		}
		if !r.RegisteredAt.IsZero() {
			// A date cell: Excel sorts and filters it as a date. The
			// wall-clock time in loc, since a cell has no zone.
			t := r.RegisteredAt.In(loc)
			at := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
			dc, err := excelize.CoordinatesToCellName(7, i+2)
			if err != nil {
				return err
			}
			if err := f.SetCellValue(sheet, dc, at); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, dc, dc, date); err != nil {
				return err
			}
		}
	}
	for i, width := range widths {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		// Room for the filter button, and a cap so that one long diet note
		// does not push the other columns off screen.
		if err := f.SetColWidth(sheet, col, col, float64(min(max(width+3, 8), 50))); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2",
		ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	lastCell, err := excelize.CoordinatesToCellName(len(columns), len(regs)+1)
	if err != nil {
		return err
	}
	return f.AutoFilter(sheet, "A1:"+lastCell, nil)
}

// buildSignIn adds the sign-in list: the confirmed participants by name,
// their organisation and an empty, wide column to sign in, with borders so
// that it prints as a form.
func buildSignIn(f *excelize.File, regs []store.Registration, w words) error {
	sheet := w["signin-sheet"]
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	columns := strings.Split(w["signin-columns"], "|")
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border})
	if err != nil {
		return err
	}
	box, err := f.NewStyle(&excelize.Style{Border: border})
	if err != nil {
		return err
	}
	header := make([]any, len(columns))
	for i, c := range columns {
		header[i] = c
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", "C1", head); err != nil {
		return err
	}
	n := 1
	for _, r := range regs {
		if r.Status != store.StatusConfirmed || erased(r) {
			continue
		}
		n++
		row := []any{cell(r.Name), cell(r.Organisation), nil}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", n), &row); err != nil {
			return err
		}
		if err := f.SetRowHeight(sheet, n, 28); err != nil {
			return err
		}
	}
	if n > 1 {
		if err := f.SetCellStyle(sheet, "A2", fmt.Sprintf("C%d", n), box); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 30, "B": 30, "C": 40} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	return nil
}
