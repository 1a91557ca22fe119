package understand

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// The floors of TestFreshCorpus: the share of mails (in per cent) whose
// kind is right and which match their expectation in full. They are set a
// little under the scores reached, so that a change which makes the reader
// worse on mail it was not written for fails, while the held-out split
// keeps its own, lower, floor: it is never tuned on.
const (
	tuneKindFloor    = 98
	tuneFullFloor    = 97
	heldoutKindFloor = 88
	heldoutFullFloor = 80
)

// freshExpectation is one entry of testdata/fresh/*/expect.json: the keys
// of the shared corpus and the fresh corpus's additions (hedged, ask,
// seats in changes).
type freshExpectation struct {
	Kind      *string          `json:"kind"`
	Automatic *string          `json:"automatic"`
	Language  *string          `json:"language"`
	Event     *string          `json:"event"`
	People    []reading.Person `json:"people"`
	Changes   []struct {
		Action string          `json:"action"`
		Who    string          `json:"who"`
		By     *reading.Person `json:"by"`
		Seats  int             `json:"seats"`
	} `json:"changes"`
	SenderAuthenticated *bool `json:"sender_authenticated"`
	Hedged              *bool `json:"hedged"`
	Ask                 *bool `json:"ask"`
}

// freshScore is how one split of the fresh corpus was read.
type freshScore struct {
	mails, kindRight, full int
	misses                 []string // one line per mail that did not match in full
	falsePositives         []string // automatic mail acted on, human mail read as automatic
}

func (s freshScore) String() string {
	return fmt.Sprintf("%d mails: kind right %d (%d %%), full match %d (%d %%)",
		s.mails, s.kindRight, percent(s.kindRight, s.mails), s.full, percent(s.full, s.mails))
}

func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return n * 100 / of
}

// freshConfig is the setting the fresh corpus was written for: the
// example config with its two sessions and its organisations.
func freshConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.LoadConfig(filepath.Join("..", "config.example.toml"))
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	return cfg
}

// scoreFresh reads every mail of one split and compares it with its
// expectation the way testdata/fresh/README.md describes.
func scoreFresh(t *testing.T, split string, cfg *config.Config) freshScore {
	t.Helper()
	dir := filepath.Join("..", "testdata", "fresh", split)
	raw, err := os.ReadFile(filepath.Join(dir, "expect.json"))
	if err != nil {
		t.Fatalf("the fresh corpus is missing: %v", err)
	}
	var expect map[string]freshExpectation
	if err := json.Unmarshal(raw, &expect); err != nil {
		t.Fatalf("%s/expect.json: %v", split, err)
	}
	files := emlFiles(t, dir, "*.eml")
	if len(files) != len(expect) {
		t.Errorf("%s: %d mail files but %d expectations", split, len(files), len(expect))
	}
	var s freshScore
	for _, f := range files {
		name := filepath.Base(f)
		e, ok := expect[name]
		if !ok {
			t.Errorf("%s: no expectation for %s", split, name)
			continue
		}
		u := Understand(readFile(t, f), cfg)
		s.mails++
		if fp := falsePositive(e, u); fp != "" {
			s.falsePositives = append(s.falsePositives, name+": "+fp)
		}
		diffs := freshDiffs(e, u)
		if e.Kind == nil || string(u.Kind) == *e.Kind {
			s.kindRight++
		}
		if len(diffs) == 0 {
			s.full++
			continue
		}
		s.misses = append(s.misses, fmt.Sprintf("%s: %s (reason: %s)", name, strings.Join(diffs, "; "), u.Reason))
	}
	return s
}

// falsePositive names the one kind of mistake that no score excuses: an
// automatic mail that would change a registration, or a person's mail
// that would never be answered.
func falsePositive(e freshExpectation, u reading.Understanding) string {
	if e.Kind == nil {
		return ""
	}
	switch {
	case *e.Kind == string(reading.KindAutomatic) && (u.Kind == reading.KindRegistration || u.Kind == reading.KindCancellation || u.Kind == reading.KindForget || u.Kind == reading.KindCommand):
		return fmt.Sprintf("automatic mail read as %s", u.Kind)
	case *e.Kind != string(reading.KindAutomatic) && u.Kind == reading.KindAutomatic:
		return fmt.Sprintf("%s mail read as automatic %s (%s)", *e.Kind, u.Automatic, u.Reason)
	}
	return ""
}

// freshDiffs lists where an understanding differs from its expectation;
// a key the expectation leaves out is not compared, and hedged and ask
// left out of the understanding count as false.
func freshDiffs(e freshExpectation, u reading.Understanding) []string {
	var d []string
	str := func(key string, want *string, got string) {
		if want != nil && got != *want {
			d = append(d, fmt.Sprintf("%s %q, want %q", key, got, *want))
		}
	}
	boolean := func(key string, want *bool, got bool) {
		if want != nil && got != *want {
			d = append(d, fmt.Sprintf("%s %v, want %v", key, got, *want))
		}
	}
	str("kind", e.Kind, string(u.Kind))
	str("automatic", e.Automatic, string(u.Automatic))
	str("language", e.Language, u.Language)
	str("event", e.Event, u.Event)
	boolean("sender_authenticated", e.SenderAuthenticated, u.SenderAuthenticated)
	boolean("hedged", e.Hedged, u.Hedged)
	boolean("ask", e.Ask, u.Ask)
	if e.People != nil && !samePeople(u.People, e.People) {
		d = append(d, fmt.Sprintf("people %s, want %s", describePeople(u.People), describePeople(e.People)))
	}
	if e.Changes != nil {
		var got, want []string
		for _, c := range u.Changes {
			got = append(got, describeChange(string(c.Action), c.Who, c.By, c.Seats))
		}
		for _, c := range e.Changes {
			want = append(want, describeChange(c.Action, c.Who, c.By, c.Seats))
		}
		if !sameChanges(u.Changes, e) {
			d = append(d, fmt.Sprintf("changes %v, want %v", got, want))
		}
	}
	return d
}

// samePeople holds the README's rule: the same set by address; names equal
// ignoring case and spaces; an expected organisation contained in the
// reported one or the other way round; an expected diet needs some diet.
func samePeople(got, want []reading.Person) bool {
	if len(got) != len(want) {
		return false
	}
	byEmail := map[string]reading.Person{}
	byName := map[string]reading.Person{} // the people named without an address
	for _, g := range got {
		if g.Email == "" {
			byName[squash(g.Name)] = g
			continue
		}
		byEmail[strings.ToLower(g.Email)] = g
	}
	for _, w := range want {
		g, ok := byEmail[strings.ToLower(w.Email)]
		if w.Email == "" {
			g, ok = byName[squash(w.Name)]
		}
		if !ok || !samePerson(g, w) {
			return false
		}
	}
	return true
}

func samePerson(g, w reading.Person) bool {
	if w.Email != "" && !strings.EqualFold(g.Email, w.Email) {
		return false
	}
	if w.Name != "" && squash(g.Name) != squash(w.Name) {
		return false
	}
	if w.Organisation != "" {
		go_, wo := strings.ToLower(g.Organisation), strings.ToLower(w.Organisation)
		if go_ == "" || (!strings.Contains(go_, wo) && !strings.Contains(wo, go_)) {
			return false
		}
	}
	if w.Diet != "" && g.Diet == "" {
		return false
	}
	return true
}

func squash(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// sameChanges compares the changes as a multiset of action, who (ignoring
// case), the new person and the seats.
func sameChanges(got []reading.Change, e freshExpectation) bool {
	if len(got) != len(e.Changes) {
		return false
	}
	used := make([]bool, len(got))
	for _, w := range e.Changes {
		found := false
		for i, g := range got {
			if used[i] || string(g.Action) != w.Action || !strings.EqualFold(g.Who, w.Who) || g.Seats != w.Seats {
				continue
			}
			if w.By != nil && (g.By == nil || !samePerson(*g.By, *w.By)) {
				continue
			}
			used[i], found = true, true
			break
		}
		if !found {
			return false
		}
	}
	return true
}

func describePeople(ps []reading.Person) string {
	var out []string
	for _, p := range ps {
		s := fmt.Sprintf("%s <%s>", p.Name, p.Email)
		if p.Organisation != "" {
			s += " (" + p.Organisation + ")"
		}
		if p.Diet != "" {
			s += " [" + p.Diet + "]"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return "[" + strings.Join(out, ", ") + "]"
}

func describeChange(action, who string, by *reading.Person, seats int) string {
	s := action + " " + who
	if by != nil {
		s += " by " + describePeople([]reading.Person{*by})
	}
	if seats != 0 {
		s += fmt.Sprintf(" seats %d", seats)
	}
	return s
}

// TestFreshCorpus scores the fresh corpus (testdata/fresh): the tune split
// the reader is worked on and the held-out split it never is. It logs
// both scores and every mismatch (go test -v), fails on any false
// positive about automatic mail, and fails when a split drops below its
// floor.
func TestFreshCorpus(t *testing.T) {
	cfg := freshConfig(t)
	for _, c := range []struct {
		split           string
		kindFloor, full int
	}{
		{"tune", tuneKindFloor, tuneFullFloor},
		{"heldout", heldoutKindFloor, heldoutFullFloor},
	} {
		s := scoreFresh(t, c.split, cfg)
		t.Logf("%s: %s", c.split, s)
		for _, m := range s.misses {
			if c.split == "heldout" {
				// Only the file: the held-out mails are never read to
				// fix a failure (testdata/fresh/README.md).
				m, _, _ = strings.Cut(m, ":")
			}
			t.Logf("  %s", m)
		}
		for _, fp := range s.falsePositives {
			t.Errorf("%s: false positive: %s", c.split, fp)
		}
		if percent(s.kindRight, s.mails) < c.kindFloor {
			t.Errorf("%s: kind right %d %%, below the floor of %d %%", c.split, percent(s.kindRight, s.mails), c.kindFloor)
		}
		if percent(s.full, s.mails) < c.full {
			t.Errorf("%s: full match %d %%, below the floor of %d %%", c.split, percent(s.full, s.mails), c.full)
		}
	}
}
