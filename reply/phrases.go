package reply

import (
	"fmt"
	"io/fs"
	"sort"

	"github.com/BurntSushi/toml"

	"github.com/goteborgsregionen/anmalan/templates"
)

// Phrase names a sentence or part of one that mailbot puts into a reply
// (a line of the organiser's answer, a state, a reason). The texts are in
// templates/phrases.toml, in every language, beside the templates.
type Phrase string

// The phrases of templates/phrases.toml.
const (
	PhraseAnd                  Phrase = "and"
	PhraseStateConfirmed       Phrase = "state-confirmed"
	PhraseStateOverCapacity    Phrase = "state-over-capacity"
	PhraseStateOffered         Phrase = "state-offered"
	PhraseStateWaiting         Phrase = "state-waiting"
	PhraseStateCancelled       Phrase = "state-cancelled"
	PhraseUnknownChange        Phrase = "unknown-change"
	PhraseNoRegistrationAddr   Phrase = "no-registration-address"
	PhraseNoRegistrationName   Phrase = "no-registration-name"
	PhraseSeveralRegistrations Phrase = "several-registrations"
	PhraseMovedUp              Phrase = "moved-up"
	PhraseMustAnswerYes        Phrase = "must-answer-yes"
	PhraseNoAddressSubstitute  Phrase = "no-address-substitute"
	PhraseSubstituteRegistered Phrase = "substitute-registered"
	PhraseAlreadySeated        Phrase = "already-seated"
	PhraseNoAddress            Phrase = "no-address"
	PhraseAlreadyRegistered    Phrase = "already-registered"
	PhraseEventGone            Phrase = "event-gone"
	PhraseNewRegistration      Phrase = "new-registration"
	PhraseSeatsChanged         Phrase = "seats-changed"
	PhraseSeatsKept            Phrase = "seats-kept"
	PhraseDigestWaiting        Phrase = "digest-waiting"
	PhraseErasedRegistrations  Phrase = "erased-registrations"
	PhraseErasedMailsReceived  Phrase = "erased-mails-received"
	PhraseErasedMailsSent      Phrase = "erased-mails-sent"
	PhraseFirstChoiceFull      Phrase = "first-choice-full"
	PhraseAskDateNotOffered    Phrase = "ask-date-not-offered"
	PhraseAskDatesMatchNone    Phrase = "ask-dates-match-none"
	PhraseAskUnknownEvent      Phrase = "ask-unknown-event"
	PhraseAskNoneOpen          Phrase = "ask-none-open"
	PhraseAskSeveralOpen       Phrase = "ask-several-open"
)

// allPhrases are the phrases every language must have.
var allPhrases = []Phrase{PhraseAnd, PhraseStateConfirmed, PhraseStateOverCapacity, PhraseStateOffered,
	PhraseStateWaiting, PhraseStateCancelled, PhraseUnknownChange, PhraseNoRegistrationAddr,
	PhraseNoRegistrationName, PhraseSeveralRegistrations, PhraseMovedUp, PhraseMustAnswerYes,
	PhraseNoAddressSubstitute, PhraseSubstituteRegistered, PhraseAlreadySeated, PhraseNoAddress,
	PhraseAlreadyRegistered, PhraseEventGone, PhraseNewRegistration, PhraseSeatsChanged, PhraseSeatsKept,
	PhraseDigestWaiting, PhraseErasedRegistrations, PhraseErasedMailsReceived, PhraseErasedMailsSent,
	PhraseFirstChoiceFull, PhraseAskDateNotOffered, PhraseAskDatesMatchNone, PhraseAskUnknownEvent,
	PhraseAskNoneOpen, PhraseAskSeveralOpen}

// phrases maps a phrase to its texts by language: "sv", "en", and for a
// count also "sv_one", "en_one".
type phrases map[Phrase]map[string]string

// loadPhrases reads templates/phrases.toml. It fails when the file does not
// parse or a phrase lacks a language.
func loadPhrases() (phrases, error) {
	b, err := fs.ReadFile(templates.FS, "phrases.toml")
	if err != nil {
		return nil, fmt.Errorf("read phrases: %w", err)
	}
	p := phrases{}
	if _, err := toml.Decode(string(b), &p); err != nil {
		return nil, fmt.Errorf("parse phrases: %w", err)
	}
	var missing []string
	for _, ph := range allPhrases {
		for _, lang := range replyLanguages {
			if _, ok := p[ph][lang]; !ok {
				missing = append(missing, lang+"/"+string(ph))
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("phrases.toml lacks %v", missing)
	}
	return p, nil
}

// Phrase returns the phrase in lang (Swedish when lang is neither "sv" nor
// "en") with args filled in as by fmt.Sprintf.
func (c *Composer) Phrase(lang string, p Phrase, args ...any) string {
	t, ok := c.phrases[p][lang]
	if !ok {
		t = c.phrases[p][replyLanguages[0]]
	}
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

// Count returns the phrase for n things in lang: its singular form when n
// is 1 ("1 anmälan"), else its plural form ("2 anmälningar").
func (c *Composer) Count(lang string, p Phrase, n int) string {
	if lang != "en" {
		lang = replyLanguages[0]
	}
	if t, ok := c.phrases[p][lang+"_one"]; ok && n == 1 {
		return fmt.Sprintf(t, n)
	}
	return c.Phrase(lang, p, n)
}
