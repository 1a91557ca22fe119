package understand

import (
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/understand/reading"
)

func TestGroupsInHTML(t *testing.T) {
	partille := []reading.Person{
		{Name: "Anders Berg", Email: "anders.berg@partille.example", Organisation: "Partille kommun"},
		{Name: "Maria Holm", Email: "maria.holm@partille.example", Organisation: "Partille kommun"},
		{Name: "Erik Sjöberg", Email: "erik.sjoberg@partille.example", Organisation: "Partille kommun", Diet: "glutenfri"},
	}
	tests := []struct {
		name string
		html string
		want []reading.Person
	}{
		{
			name: "bullet list",
			html: `<p>Hej! Vi blir tre från Partille kommun som vill delta:</p><ul>
<li>Anders Berg, anders.berg@partille.example</li>
<li>Maria Holm, <a href="mailto:maria.holm@partille.example">maria.holm@partille.example</a></li>
<li>Erik Sjöberg, erik.sjoberg@partille.example (glutenfri kost)</li></ul>
<p>Vänliga hälsningar<br>Anders Berg<br>Partille kommun</p>`,
			want: partille,
		},
		{
			name: "numbered list with mailto names",
			html: `<div>Vi anmäler följande:</div><ol>
<li><a href="mailto:anders.berg@partille.example">Anders Berg</a></li>
<li><a href="mailto:maria.holm@partille.example">Maria Holm</a></li>
<li><a href="mailto:erik.sjoberg@partille.example">Erik Sjöberg</a>, glutenfri</li></ol>
<div>Mvh<br>Anders Berg<br>Samhällsbyggnad, Partille kommun</div>`,
			want: partille,
		},
		{
			name: "table with a header row",
			html: `<p>Vi vill anmäla dessa deltagare:</p>
<table><tr><th>Namn</th><th>E-post</th><th>Organisation</th><th>Specialkost</th></tr>
<tr><td>Anders Berg</td><td>anders.berg@partille.example</td><td>Partille kommun</td><td></td></tr>
<tr><td>Maria Holm</td><td>maria.holm@partille.example</td><td>Partille kommun</td><td>-</td></tr>
<tr><td>Erik Sjöberg</td><td>erik.sjoberg@partille.example</td><td>Partille kommun</td><td>glutenfri</td></tr></table>
<p>Hälsningar<br>Anders Berg</p>`,
			want: partille,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, corpusConfig(), "From: Anders Berg <anders.berg@partille.example>", "Subject: Anmälan", "Content-Type: text/html; charset=utf-8", "", tt.html)
			if u.Kind != reading.KindRegistration {
				t.Fatalf("kind %q (%s)", u.Kind, u.Reason)
			}
			checkPeopleExact(t, u.People, tt.want)
		})
	}
}

// TestWriterAsObjectOfAPoliteRequest: "Could you add me …?" with a
// colleague named in the next sentence registers both: the question mark
// of a request to the desk is no doubt, and the writer is its object. The
// same question about the colleague alone registers only her.
func TestWriterAsObjectOfAPoliteRequest(t *testing.T) {
	cfg := freshConfig(t)
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"add me", "Could you add me to the Tuesday session? My colleague Tom Berg (tom.berg@ale.example) will be joining me.", 2},
		{"lägga till mig", "Kan ni lägga till mig på listan? Min kollega Tom Berg (tom.berg@ale.example) vill också komma.", 2},
		{"the colleague alone", "Could you add my colleague Tom Berg (tom.berg@ale.example) to the Tuesday session?", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Seminar", "", tc.body, "", "Eva Holm")
			if u.Kind != reading.KindRegistration || len(u.People) != tc.want {
				t.Errorf("kind %s, people %v, want a registration of %d (%s)", u.Kind, u.People, tc.want, u.Reason)
			}
		})
	}
}

// TestCompanionsNamedByTheirRelation: the writer coordinated with people
// she names after their relation to her ("min praktikant", "my two team
// members,") registers them with her, by name alone.
func TestCompanionsNamedByTheirRelation(t *testing.T) {
	cfg := freshConfig(t)
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"min praktikant", "Jag vill anmäla mig och min praktikant Melker Ros till seminariet.", []string{"Eva Holm", "Melker Ros"}},
		{"a list after the relation", "Please sign up myself and my two team members, Tom Berg and Ida Lund, for Tuesday.", []string{"Eva Holm", "Tom Berg", "Ida Lund"}},
		{"a relation without a name", "Jag vill anmäla mig och min kollega till seminariet, hon mejlar själv.", []string{"Eva Holm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Anmälan", "", tc.body, "", "Eva Holm")
			var got []string
			for _, p := range u.People {
				got = append(got, p.Name)
			}
			if u.Kind != reading.KindRegistration || strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
				t.Errorf("kind %s, people %v, want a registration of %v (%s)", u.Kind, got, tc.want, u.Reason)
			}
		})
	}
}
