package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/store"
)

func TestForgetErasesAPersonEverywhere(t *testing.T) {
	cfgPath := seededConfig(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if code := dispatch(ctx, []string{"forget", "-config", cfgPath, "Karin.Ek@molndal.example"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"forgot Karin.Ek@molndal.example", "registrations erased (cancelled if live): 1", "audit log entries kept with the person replaced: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	cfg, err := config.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	regs, err := st.Registrations(ctx, cfg.Events[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range regs {
		got = append(got, r.Status+" "+r.Email)
	}
	// Åsa, first on the waiting list, has Karin's seat and a mail queued.
	if want := "confirmed erik.sjoberg@partille.example,confirmed asa.oberg@ale.example,cancelled erased-1"; strings.Join(got, ",") != want {
		t.Errorf("registrations %q, want %q", got, want)
	}
	ob, err := st.OutboxStats(ctx)
	if err != nil || ob.Pending != 1 {
		t.Errorf("outbox %+v, %v; want Åsa's mail waiting", ob, err)
	}
	st.Close()
	b, err := os.ReadFile(cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("karin.ek@molndal.example")) || bytes.Contains(b, []byte("Karin Ek")) {
		t.Error("the database file still holds Karin")
	}

	if code := dispatch(ctx, []string{"forget", "-config", cfgPath}, &out, &errOut); code != 2 {
		t.Errorf("forget without an address: exit %d, want 2", code)
	}
}

func TestSendMaterialDryRunAndSend(t *testing.T) {
	cfgPath := seededConfig(t)
	// Material is sent only before the event: move it into the future.
	text, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, bytes.ReplaceAll(text, []byte(`"2018-`), []byte(`"2099-`)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if code := dispatch(ctx, []string{"send-material", "-config", cfgPath, "-event", "segregation-2018", "-dry-run"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	// The seeded registrations were never sent the material.
	want := "would send Karin Ek <karin.ek@molndal.example>: kartlaggning-segregation.pdf\n" +
		"would send Erik Sjöberg <erik.sjoberg@partille.example>: kartlaggning-segregation.pdf\n"
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("dry run:\n%s\nwant:\n%s", out.String(), want)
	}
	cfg, err := config.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	pending := func() int {
		st, err := store.Open(ctx, cfg.Database)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ob, err := st.OutboxStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ob.Pending
	}
	if n := pending(); n != 0 {
		t.Fatalf("the dry run queued %d mails", n)
	}
	out.Reset()
	if code := dispatch(ctx, []string{"send-material", "-config", cfgPath, "-event", "segregation-2018"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if n := pending(); n != 2 || !strings.Contains(out.String(), "queued Karin Ek") {
		t.Errorf("%d mails queued; output:\n%s", n, out.String())
	}
	// Once: a second run finds nobody.
	out.Reset()
	if code := dispatch(ctx, []string{"send-material", "-config", cfgPath, "-event", "segregation-2018"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "0 participants") {
		t.Errorf("second run: exit %d:\n%s", code, out.String())
	}
	if code := dispatch(ctx, []string{"send-material", "-config", cfgPath, "-event", "nope"}, &out, &errOut); code != 1 {
		t.Errorf("unknown event: exit %d, want 1", code)
	}
}

func TestStatusShowsErasedEvents(t *testing.T) {
	cfgPath := seededConfig(t)
	ctx := context.Background()
	cfg, err := config.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	at := cfg.Events[0].EndsAt.AddDate(0, 0, cfg.Retention)
	if err := st.Update(ctx, func(tx *store.Tx) error {
		_, _, err := tx.PurgeEvent(cfg.Events[0].ID, at)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var out, errOut bytes.Buffer
	if code := dispatch(ctx, []string{"status", "-config", cfgPath}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if want := "segregation-2018: personal data erased 2019-03-11 15:30 (retention time over; 3 registrations, counts kept)"; !strings.Contains(out.String(), want) {
		t.Errorf("status lacks %q:\n%s", want, out.String())
	}
}
