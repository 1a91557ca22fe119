package understand

import (
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
