package understand

import (
	"strings"

	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// ref is a person named in a command clause: an address (with the name
// written beside it), a name alone, or a pronoun.
type Ref struct {
	Name, Email string
	Start, End  int
	// pronoun is "you" for dig/du/you, "other" for hon/han/henne/she/him
	// and the like, "" for a name or an address; word is the pronoun as
	// written.
	Pronoun PronounKind
	Word    string
	// cands are the people of the mail a first name or a pronoun may
	// mean, when more than one.
	Cands []reading.Person
}

func (r Ref) Who() string {
	if r.Email != "" {
		return strings.ToLower(r.Email)
	}
	return r.Name
}

// pronounKind is whom a pronoun points at.
type PronounKind string

const (
	PronounYou   PronounKind = "you"   // dig, du, you: the person she writes to
	PronounOther PronounKind = "other" // hon, henne, she, him: the person named before
)

// named reports whether r is a person written out, not a pronoun.
func (r Ref) Named() bool { return r.Pronoun == "" }

// withAddress drops the people without an address: the bot cannot confirm
// them.
func withAddress(people []reading.Person) []reading.Person {
	out := people[:0]
	for _, p := range people {
		if p.Email != "" {
			out = append(out, p)
		}
	}
	return out
}
