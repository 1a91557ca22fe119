package understand

import (
	"regexp"
	"strings"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// The bot answers a change that names someone who fits several people
// with "Vem menar du?" / "Whom do you mean?": it quotes her sentence and
// lists those who fit, and asks her to write the change again with the
// address. Many answer with the address alone. The answer is then read as
// her quoted sentence with that address: the change is done when the
// address is one of the people the question listed, and only then; any
// other answer is read as it stands.

// askedRe is the bot's quotation of her sentence in its question, in the
// words of templates/*/confirm.txt.tmpl.
var askedRe = regexp.MustCompile(`(?:Du skrev|You wrote): [”"](.+?)[”"]`)

// answerToWhich returns the changes her own text means when it holds
// nothing but addresses (a greeting and a signature aside) and answers the
// bot's question of whom she means; ok is false otherwise.
func answerToWhich(v reading.View, quoted string, r *cmdReader) (commandReading, bool) {
	addrs := message.AddrSpecRe.FindAllString(v.Body, 5)
	if len(addrs) == 0 || hasVerb(message.AddrSpecRe.ReplaceAllString(v.Body, " ")) || len(wordsOf(message.AddrSpecRe.ReplaceAllString(v.Body, " "))) > 4 {
		return commandReading{}, false
	}
	m := askedRe.FindStringSubmatch(strings.ReplaceAll(message.Head(quoted, 4000), "\n> ", " "))
	if m == nil {
		return commandReading{}, false
	}
	q := &cmdReader{v: r.v, cfg: r.cfg, skip: r.skip, you: r.you, people: r.people, quotedPeople: r.quotedPeople, newcomer: -1}
	for _, s := range SplitSentences(m[1]) {
		q.sentence(s)
	}
	asked := q.finish()
	if !asked.ask {
		return commandReading{}, false
	}
	var out commandReading
	for _, c := range asked.changes {
		var chosen []reading.Person
		for _, p := range c.Candidates {
			for _, a := range addrs {
				if strings.EqualFold(p.Email, a) {
					chosen = append(chosen, p)
				}
			}
		}
		if len(chosen) != 1 {
			return commandReading{}, false // not one of those who fit: nothing is settled
		}
		c.Who, c.Candidates = strings.ToLower(chosen[0].Email), nil
		out.changes = append(out.changes, c)
	}
	return out, len(out.changes) > 0
}
