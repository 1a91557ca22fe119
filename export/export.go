package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goteborgsregionen/anmalan/store"
	"github.com/xuri/excelize/v2"
)

// exportHeader names the columns of the participant list, in order.
var exportHeader = []string{"status", "position", "name", "email", "organisation", "diet", "registered_at", "registered_by", "note"}

// exportTimeLayout is how registered_at is written: minutes are enough for
// the organiser, and the layout is one that Excel recognises.
const exportTimeLayout = "2006-01-02 15:04"

// exportSheet is the name of the XLSX worksheet.
const exportSheet = "Deltagare"

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

// WriteXLSX writes the participant list of ev to w as an Excel workbook
// with one sheet, "Deltagare": a bold header row that stays frozen when
// scrolling and carries an autofilter, then one row per registration,
// with column widths fitted to the content. Times are shown in loc (UTC
// when nil). It fails when the workbook cannot be built or written.
func WriteXLSX(w io.Writer, ev store.EventStatus, regs []store.Registration, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := buildXLSX(f, ev, regs, loc); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

func buildXLSX(f *excelize.File, ev store.EventStatus, regs []store.Registration, loc *time.Location) error {
	if err := f.SetSheetName(f.GetSheetName(0), exportSheet); err != nil {
		return err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: ev.Title, Subject: ev.ID,
		Description: "Deltagare " + ev.Title}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	widths := make([]int, len(exportHeader))
	fit := func(col int, s string) {
		widths[col] = max(widths[col], utf8.RuneCountInString(s))
	}
	header := make([]any, len(exportHeader))
	for i, h := range exportHeader {
		header[i] = h
		fit(i, h)
	}
	if err := f.SetSheetRow(exportSheet, "A1", &header); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(exportHeader), 1)
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(exportSheet, "A1", last, bold); err != nil {
		return err
	}
	for i, r := range regs {
		cells := exportRow(r, loc)
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
			fit(j, c)
		}
		// The position is a number, so that the list sorts by it.
		if r.Position > 0 {
			row[1] = r.Position
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(exportSheet, cell, &row); err != nil {
			return err
		}
	}
	for i, width := range widths {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		// Room for the filter button, and a cap so that one long diet note
		// does not push the other columns off screen.
		if err := f.SetColWidth(exportSheet, col, col, float64(min(max(width+3, 8), 50))); err != nil {
			return err
		}
	}
	if err := f.SetPanes(exportSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2",
		ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	lastCell, err := excelize.CoordinatesToCellName(len(exportHeader), len(regs)+1)
	if err != nil {
		return err
	}
	return f.AutoFilter(exportSheet, "A1:"+lastCell, nil)
}
