package stem

import "testing"

func TestReadable(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"Hej! Jag vill gärna komma på seminariet.", true},
		{"Hi, I would like to attend the seminar on the 11th.", true},
		{"Sara Ek\nAle kommun\nsara.ek@ale.example", true},
		{"Ég er í sumarfríi til 7. janúar og les ekki tölvupóst á meðan. Vinsamlegast hafið samband við skrifstofuna.", false},
		{"Šiuo metu esu atostogose ir grįšiu sausio 7 d. Skubiais klausimais kreipkitės į kolegą.", false},
		{"Jó napot, jelenleg szabadságon vagyok január hetedikéig, és nem olvasom a leveleimet. Sürgős ügyekben kérem keresse a kollégámat.", false},
		{"Anmäler härmed Sara Ek, Ale kommun, vegetarisk kost.", true},
		{"", true},
	} {
		if got := Readable(tc.text); got != tc.want {
			t.Errorf("Readable(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
