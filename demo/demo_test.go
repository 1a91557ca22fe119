package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemoTellsTheStory runs `anmalan demo` as the README's first command
// does and checks that the story it prints is the one the README tells.
func TestDemoTellsTheStory(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out, Options{}); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	s := out.String()
	for _, want := range []string{
		"Emily Carter <emily.carter@chalmers.example>: seat confirmed",
		"Karin Ek <karin.ek@molndal.example>: seat confirmed",
		"automatic mail (auto-reply): not answered",
		"Erik Sjöberg <erik.sjoberg@partille.example>: waiting list position 1",
		"Karin Ek <karin.ek@molndal.example>: already registered for segregation-2018 (confirmed)",
		"was handled before (registered): nothing done, nothing sent",
		"Sara Nilsson <sara.nilsson@ale.example>: waiting list position 2",
		"Fatima Hassan: closed for segregation-2018",
		`"Anmälan har stängt: På tal om segregation`,
		"[attached: kartlaggning-segregation.pdf, segregation-2018.ics]",
		// The header: each session with its end, and no path that is
		// gone once the demo ends.
		"segregation-2018: Tue 11 Dec 2018 13:00–15:30, GR, Anders Personsgatan 8",
		"segregation-2018-kungalv: Thu 13 Dec 2018 09:00–11:30, Kungälvs stadshus",
		"a temporary database, deleted when the demo ends",
		// The organiser cancels Johan with the bot in Cc: her mail counts
		// (the receiving server's dmarc=pass), Erik moves up and gets the
		// material and the calendar entry, and she is told what was done.
		"why:        an organiser's command (cancel) from linda.karlsson@goteborgsregionen.example; dmarc=pass for goteborgsregionen.example at mx.goteborgsregionen.example.",
		"Johan Lindqvist <johan.lindqvist@lerum.example>: cancelled from segregation-2018",
		"Erik Sjöberg <erik.sjoberg@partille.example>: moved up from the waiting list of segregation-2018",
		`"Du har fått en plats: På tal om segregation – ett samtal om hur vi kan arbeta tillsammans" to erik.sjoberg@partille.example [attached: kartlaggning-segregation.pdf, segregation-2018.ics]`,
		`"Utfört: På tal om segregation – ett samtal om hur vi kan arbeta tillsammans" to linda.karlsson@goteborgsregionen.example`,
		// Maria cancels by replying to her confirmation; Sara moves up.
		"Maria Holm <maria.holm@partille.example>: cancelled from segregation-2018",
		`"Avanmäld: På tal om segregation – ett samtal om hur vi kan arbeta tillsammans" to maria.holm@partille.example`,
		`"Du har fått en plats: På tal om segregation – ett samtal om hur vi kan arbeta tillsammans" to sara.nilsson@ale.example [attached: kartlaggning-segregation.pdf, segregation-2018.ics]`,
		// "den 13 december" picks the second session.
		`the date "13 december" chooses segregation-2018-kungalv`,
		"Nils Åberg <nils.aberg@harryda.example>: seat confirmed for segregation-2018-kungalv",
		"to nils.aberg@harryda.example [attached: kartlaggning-segregation.pdf, segregation-2018-kungalv.ics]",
		// More seats, so that the first mail of someone trying -keep
		// gets one.
		"segregation-2018: seats 5 → 8",
		"Participants of segregation-2018 (8 seats):",
		"Participants of segregation-2018-kungalv (30 seats):",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the demo does not say %q", want)
		}
	}
	if strings.Contains(s, "anmalan.db") || strings.Contains(s, "127.0.0.1") {
		t.Errorf("the story prints a database path or a port that vary from run to run")
	}
	if n := strings.Count(s, "  confirmed "); n != 6 {
		t.Errorf("final lists have %d confirmed, want 5 of 8 seats and 1 in the second session", n)
	}
	if n := strings.Count(s, "  waiting "); n != 0 {
		t.Errorf("final list has %d waiting, want none (both moved up)", n)
	}
	if n := strings.Count(s, "  cancelled "); n != 2 {
		t.Errorf("final list has %d cancelled, want Johan and Maria", n)
	}
	if t.Failed() {
		t.Log(s)
	}
}

// TestDemoIsDeterministic runs the story twice: on the simulated clock it
// prints the same every time, so that its output can be read in CI logs
// and compared.
func TestDemoIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := Run(context.Background(), &a, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), &b, Options{}); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("two runs differ:\n%s\n---\n%s", a.String(), b.String())
	}
}
