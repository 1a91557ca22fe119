package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/store"
)

func TestLogPrintsTheAuditLog(t *testing.T) {
	path := seededConfig(t)
	cfg, err := config.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		return tx.Audit(store.AuditEntry{At: time.Date(2018, 12, 3, 10, 0, 1, 0, cfg.Location), EventID: "segregation-2018",
			Action: "substitute", Before: "Karin Ek <karin.ek@molndal.example> (confirmed)", After: "replaced by Per Ström",
			MailID: 7, Sender: "linda.karlsson@goteborgsregionen.example"})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := cmdLog(ctx, []string{"-config", path, "-event", "segregation-2018"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"WHEN", "2018-12-03 10:00:01", "substitute", "Karin Ek <karin.ek@molndal.example> (confirmed)", "replaced by Per Ström", "linda.karlsson@goteborgsregionen.example"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, out.String())
		}
	}
	if code := cmdLog(ctx, []string{"-config", path}, &out, &errOut); code != 2 {
		t.Errorf("without -event: exit %d, want 2", code)
	}
}
