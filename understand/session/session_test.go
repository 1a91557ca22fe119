package session

import (
	"path/filepath"
	"testing"

	"github.com/goteborgsregionen/anmalan/config"
)

func exampleConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.LoadConfig(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	return cfg
}

// TestPlaceEvent: a session is chosen by the place or the time of day the
// writer names, never by a place under her name or one both sessions share.
func TestPlaceEvent(t *testing.T) {
	cfg := exampleConfig(t)
	for _, c := range []struct{ text, want string }{
		{"jag vill anmäla mig till seminariet i stadshuset.", "segregation-2018-kungalv"},
		{"jag kommer gärna till gr:s lokaler.", "segregation-2018"},
		{"i'd like to come to the one at the town hall.", "segregation-2018-kungalv"},
		{"anmäler mig till seminariet på ytterbyvägen.", "segregation-2018-kungalv"},
		{"sign me up for the session at anders personsgatan 8.", "segregation-2018"},
		{"jag anmäler mig till förmiddagspasset.", "segregation-2018-kungalv"},
		{"please book me on the afternoon session.", "segregation-2018"},
		{"jag är upptagen på förmiddagen men anmäler mig.", ""},
		{"vi är tre från göteborgs stad som vill komma.", ""},
		{"linda karlsson\ngöteborgsregionen (gr)", ""},
		{"förmiddagspasset i gr:s lokaler", ""},
		{"how many have signed up for göteborg so far?", "segregation-2018"},
		{"hur många är anmälda för kungälv?", "segregation-2018-kungalv"},
		{"jag jobbar för gr och vill komma.", ""},
		{"thanks for göteborg, it was great.", ""},
	} {
		if got := placeEvent(c.text, cfg); got != c.want {
			t.Errorf("%q: %q, want %q", c.text, got, c.want)
		}
	}
}
