package mailbot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// TestTheWriterAndHerColleagueBothRegister: "Jag själv och min kollega X"
// registers both, on the real SQLite file, and each gets her own
// confirmation by SMTP; the colleague's diet, said in the third person,
// is hers and not the writer's.
func TestTheWriterAndHerColleagueBothRegister(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(plainMail("stina.berg@ale.example", "Stina Berg", "grp1@ale.example", "Anmälan 11 december",
		"Hej!\r\n\r\nJag själv och min kollega Vera Holm (vera.holm@ale.example) vill gärna vara med den 11 december.\r\n\r\n"+
			"Vera äter inte fisk.\r\n\r\nVänliga hälsningar\r\nStina Berg\r\nAle kommun"), at)
	e.clock.Set(at.Add(time.Minute))
	e.runOnce()

	regs, err := e.d.Store().Registrations(context.Background(), "segregation-2018")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	diets := map[string]string{}
	for _, r := range regs {
		got[r.Email] = r.Status
		diets[r.Email] = r.Diet
	}
	if len(got) != 2 || got["stina.berg@ale.example"] != "confirmed" || got["vera.holm@ale.example"] != "confirmed" {
		t.Fatalf("registrations %v, want both confirmed", got)
	}
	if diets["vera.holm@ale.example"] == "" || diets["stina.berg@ale.example"] != "" {
		t.Errorf("diets %v: the colleague's diet is hers alone", diets)
	}
	// Each has a confirmation of her own, addressed to her; the
	// colleague's is copied to the writer, who registered her.
	for _, addr := range []string{"stina.berg@ale.example", "vera.holm@ale.example"} {
		own := 0
		for _, r := range e.repliesTo(addr) {
			if strings.Contains(r.header.Get("To"), addr) && strings.Contains(r.text, "11 december") {
				own++
			}
		}
		if own != 1 {
			t.Errorf("%s: %d confirmations addressed to her, want 1", addr, own)
		}
	}
}
