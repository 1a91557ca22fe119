package request

import "testing"

// TestIn: the ways a clause asks for a registration without a
// registration phrase, and clauses that look like one and are not.
func TestIn(t *testing.T) {
	wantRequests(t, []requestCase{
		{"jag vill gärna vara med den 11 december", true},
		{"kan ni anmäla johanna bäck till torsdagen?", true},
		{"could you put me down for thu 13th, please?", true},
		{"skriv upp mig på listan", true},
		{"vi blir tre från partille", true},
		{"jag och kim ros kommer till kungälv", true},
		{"jag väljer tisdagen, det passar bäst", true},
		{"the thursday one works for me", true},
		{"jag väljer att avstå den här gången", false},
		{"jag har bokat tåget och kommer till seminariet i göteborg", true},
		{"jag har en annan tid och kommer inte", false},
		{"förutom mig själv kommer även två kollegor", true},
		{"jag kommer att vara på semester", false},
		{"jag kommer från lerum", false},
		{"vilken dag passar bäst?", false},
		{"kan ni skicka materialet till mig?", false},
	})
}

// TestSessionChosen: the answers to the invitation that choose a session
// in a few words, and their look-alikes that choose none.
func TestSessionChosen(t *testing.T) {
	wantRequests(t, []requestCase{
		{"torsdagen i stadshuset för min del, tack!", true},
		{"tisdagen funkar fint för mig", true},
		{"onsdagen hos er i göteborg passar oss utmärkt", true},
		{"ses på tisdag!", true},
		{"see you on the 13th", true},
		{"vi ses säkert någon gång", false},
		{"tack för bekräftelsen, vi ses den 11:e", false},
		{"det blir bra med lunch efteråt", false},
	})
}

// requestCase is a clause (lower case) and whether it asks for a
// registration.
type requestCase struct {
	clause string
	asks   bool
}

func wantRequests(t *testing.T, cases []requestCase) {
	t.Helper()
	for _, c := range cases {
		if got := In(c.clause) != ""; got != c.asks {
			t.Errorf("In(%q) = %q, want a request: %v", c.clause, In(c.clause), c.asks)
		}
	}
}
