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
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the demo does not say %q", want)
		}
	}
	if n := strings.Count(s, "  confirmed "); n != 5 {
		t.Errorf("final list has %d confirmed, want the 5 seats", n)
	}
	if n := strings.Count(s, "  waiting "); n != 2 {
		t.Errorf("final list has %d waiting, want 2", n)
	}
	if t.Failed() {
		t.Log(s)
	}
}
