package understand

import (
	"testing"

	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// TestGroupRequestsWithTheWriter: a group's size or a request to put the
// writer's group on the list registers the writer and the people named;
// a writer who counts herself out in one clause of a sentence that goes on
// to register others is not registered, and not cancelled either.
func TestGroupRequestsWithTheWriter(t *testing.T) {
	cfg := freshConfig(t)
	ida := reading.Person{Name: "Ida Berg", Email: "ida.berg@ale.example"}
	tests := []struct {
		name, body string
		want       []string
	}{
		{"the group's size", "Vi blir tre den 11/12: jag, Ola Ek ola.ek@ale.example och Pia Ek pia.ek@ale.example.",
			[]string{ida.Email, "ola.ek@ale.example", "pia.ek@ale.example"}},
		{"put us down", "Please put us down for 11 December: myself and Ola Ek (ola.ek@ale.example).",
			[]string{ida.Email, "ola.ek@ale.example"}},
		{"skriv upp oss", "Skriv upp oss till den 11 december: jag och Ola Ek (ola.ek@ale.example).",
			[]string{ida.Email, "ola.ek@ale.example"}},
		{"förutom mig själv", "Förutom mig själv kommer även Ola Ek (ola.ek@ale.example) och Pia Ek (pia.ek@ale.example) den 11 december.",
			[]string{ida.Email, "ola.ek@ale.example", "pia.ek@ale.example"}},
		{"jämte", "Anmäl mig jämte min kollega Ola Ek (ola.ek@ale.example) till den 11 december.",
			[]string{ida.Email, "ola.ek@ale.example"}},
		{"I will be at, a colleague coming along", "I will be at the town hall on 13 December, and my colleague Ola Ek (ola.ek@ale.example) is coming along too.",
			[]string{ida.Email, "ola.ek@ale.example"}},
		{"not myself, but the others", "I won't be attending myself, but please register Ola Ek (ola.ek@ale.example) and Pia Ek (pia.ek@ale.example).",
			[]string{"ola.ek@ale.example", "pia.ek@ale.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Ida Berg <ida.berg@ale.example>", "Subject: Seminariet", "", tc.body, "", "/Ida")
			if u.Kind != reading.KindRegistration {
				t.Fatalf("kind %s, want registration (reason: %s)", u.Kind, u.Reason)
			}
			var got []string
			for _, p := range u.People {
				got = append(got, p.Email)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("people %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("people %v, want %v", got, tc.want)
				}
			}
		})
	}
	// "Put me through to" and a question about the group are no request.
	for _, body := range []string{"Could you put me through to the organiser?", "Vi blir tre stycken, finns det plats för oss?"} {
		if u := understandMail(t, cfg, "From: Ida Berg <ida.berg@ale.example>", "Subject: Fråga", "", body); u.Kind == reading.KindRegistration {
			t.Errorf("%q read as a registration (%s)", body, u.Reason)
		}
	}
}
