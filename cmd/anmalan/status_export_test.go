package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/store"
)

// seededConfig copies the example config next to a database that holds
// three registrations for the example event (two seats), and returns the
// config's path.
func seededConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	example, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := os.ReadFile(filepath.Join("..", "..", "material", "kartlaggning-segregation.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "material"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "material", "kartlaggning-segregation.pdf"), pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	// Relative paths in the config are resolved against its directory.
	path := filepath.Join(dir, "anmalan.toml")
	if err := os.WriteFile(path, example, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev := cfg.Events[0]
	if err := st.SyncEvents(ctx, []store.Event{{ID: ev.ID, Title: ev.Title, Location: ev.Location,
		Starts: ev.StartsAt, Ends: ev.EndsAt, Closes: ev.ClosesAt, Seats: 2}}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, cfg.Location)
	for i, p := range []store.Person{
		{Name: "Karin Ek", Email: "karin.ek@molndal.example", Organisation: "Mölndals stad"},
		{Name: "Erik Sjöberg", Email: "erik.sjoberg@partille.example", Organisation: "Partille kommun", Diet: "glutenfri"},
		{Name: "Åsa Öberg", Email: "asa.oberg@ale.example", Organisation: "Ale kommun"},
	} {
		err := st.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.Register(ev.ID, p, at.Add(time.Duration(i)*time.Minute), 0, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestStatusShowsSeatsAndWaitingList(t *testing.T) {
	cfg := seededConfig(t)
	var out, errOut bytes.Buffer
	if code := cmdStatus(context.Background(), []string{"-config", cfg}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(out.String(), "\n")
	if len(lines) < 2 {
		t.Fatalf("status:\n%s", out.String())
	}
	row := strings.Fields(lines[1])
	// EVENT STARTS(2 fields) SEATS CONFIRMED WAITING CANCELLED CLOSES(2 fields)
	if len(row) < 7 || row[0] != "segregation-2018" || row[3] != "2" || row[4] != "2" || row[5] != "1" || row[6] != "0" {
		t.Errorf("event row %q, want 2 seats, 2 confirmed, 1 waiting, 0 cancelled", lines[1])
	}
	if !strings.Contains(out.String(), "2018-12-04 23:59") || !strings.Contains(out.String(), "outbox: 0 waiting") {
		t.Errorf("status:\n%s", out.String())
	}
}

func TestExportCSVOpensInSwedishExcel(t *testing.T) {
	cfg := seededConfig(t)
	var out, errOut bytes.Buffer
	if code := cmdExport(context.Background(), []string{"-config", cfg, "-event", "segregation-2018"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	if !strings.HasPrefix(s, "\ufeffstatus;position;name;email;organisation;diet;registered_at") {
		t.Errorf("header: %q", strings.SplitN(s, "\n", 2)[0])
	}
	if !strings.Contains(s, "waiting;1;Åsa Öberg;asa.oberg@ale.example;Ale kommun;;2018-11-28 10:02") {
		t.Errorf("export:\n%s", s)
	}
	out.Reset()
	if code := cmdExport(context.Background(), []string{"-config", cfg, "-event", "segregation-2018", "-delimiter", ","}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "confirmed,,Karin Ek,karin.ek@molndal.example") {
		t.Errorf("comma export:\n%s", out.String())
	}
}

func TestExportXLSX(t *testing.T) {
	cfg := seededConfig(t)
	file := filepath.Join(t.TempDir(), "deltagare.xlsx")
	var out, errOut bytes.Buffer
	if code := cmdExport(context.Background(), []string{"-config", cfg, "-event", "segregation-2018", "-format", "xlsx", "-o", file}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[3][2] != "Åsa Öberg" {
		t.Errorf("rows: %q", rows)
	}
}

// TestExportXLSXToStdout: the README's `anmalan export … -format xlsx >
// deltagare.xlsx` writes the workbook to standard output.
func TestExportXLSXToStdout(t *testing.T) {
	cfg := seededConfig(t)
	var out, errOut bytes.Buffer
	if code := cmdExport(context.Background(), []string{"-config", cfg, "-event", "segregation-2018", "-format", "xlsx"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	f, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatalf("standard output is no workbook: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 2 || sheets[0] != "Deltagare" {
		t.Errorf("sheets %v", sheets)
	}
}

func TestExportRefusesUnknownEventAndBadFlags(t *testing.T) {
	cfg := seededConfig(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no event flag", []string{"-config", cfg}, 2, "-event is required"},
		{"unknown event", []string{"-config", cfg, "-event", "nope"}, 1, `no event "nope"`},
		{"unknown format", []string{"-config", cfg, "-event", "segregation-2018", "-format", "pdf"}, 2, "unknown format"},
		{"long delimiter", []string{"-config", cfg, "-event", "segregation-2018", "-delimiter", ";;"}, 2, "one character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := cmdExport(context.Background(), tc.args, &out, &errOut); code != tc.code || !strings.Contains(errOut.String(), tc.says) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errOut.String(), tc.says)
			}
		})
	}
}
