// Package stem gives the stem of a Swedish or English word, so that the
// readers of package understand compare words by stem and one lexicon
// entry covers every form: "stryk", "stryka", "stryks", "stryker" are
// "stryk"; "remove", "removed", "removing" are "remov". The Swedish part
// is the Snowball algorithm for Swedish (snowballstem.org); -ed and -ing
// are taken off first, enough for the few English verbs of the desk's
// sentences. Readable tells whether a text is in either language at all,
// by the two languages' commonest words. It imports nothing of the
// project, so that both the organiser's command reader and the
// participant reader below it can use it.
package stem

import "strings"

// svVowels are the vowels of the Snowball Swedish stemmer.
const svVowels = "aeiouyäåö"

// svStep1 are the endings of step 1, longest first so that the longest
// one found in R1 is the one removed.
var svStep1 = []string{"heterna", "hetens", "anden", "heten", "heter", "arnas", "ernas", "ornas", "andes", "arens", "andet",
	"arna", "erna", "orna", "ande", "arne", "aste", "aren", "ades", "erns", "ade", "are", "ern", "ens", "het", "ast",
	"ad", "en", "ar", "er", "or", "as", "es", "at", "a", "e", "s"}

// svSEnding are the letters before which a final "s" is an ending.
const svSEnding = "bcdfghjklmnoprtvy"

// Word returns the stem of one lower-case word.
func Word(w string) string {
	if len(w) > 5 && strings.HasSuffix(w, "ing") && !strings.HasSuffix(w, "ning") {
		w = strings.TrimSuffix(w, "ing")
	} else if len(w) > 4 && strings.HasSuffix(w, "ed") && strings.IndexFunc(w, func(r rune) bool { return strings.ContainsRune("åäö", r) }) < 0 {
		w = strings.TrimSuffix(w, "ed")
	}
	return svStem(w)
}

// svStem is the Snowball Swedish stemmer on one lower-case word.
func svStem(w string) string {
	if len(w) <= 3 {
		return w // R1 cannot hold an ending
	}
	r := []rune(w)
	// R1 starts after the first non-vowel that follows a vowel, but never
	// before the fourth letter.
	p1 := len(r)
	for i := 1; i < len(r); i++ {
		if !strings.ContainsRune(svVowels, r[i]) && strings.ContainsRune(svVowels, r[i-1]) {
			p1 = i + 1
			break
		}
	}
	p1 = max(p1, 3)
	if p1 >= len(r) {
		return w
	}
	r1 := string(r[p1:])
	for _, suf := range svStep1 {
		if !strings.HasSuffix(r1, suf) {
			continue
		}
		if suf == "s" {
			if len(r) < 2 || !strings.ContainsRune(svSEnding, r[len(r)-2]) {
				break
			}
		}
		r = r[:len(r)-len([]rune(suf))]
		r1 = r1[:len(r1)-len(suf)]
		break
	}
	// Step 2: a double consonant at the end of R1 loses its last letter.
	for _, d := range []string{"dd", "gd", "nn", "dt", "gt", "kt", "tt"} {
		if strings.HasSuffix(r1, d) {
			r = r[:len(r)-1]
			r1 = r1[:len(r1)-1]
			break
		}
	}
	// Step 3.
	switch {
	case strings.HasSuffix(r1, "fullt"):
		r = r[:len(r)-1]
	case strings.HasSuffix(r1, "löst"):
		r = r[:len(r)-1]
	case strings.HasSuffix(r1, "lig"), strings.HasSuffix(r1, "els"):
		r = r[:len(r)-3]
	case strings.HasSuffix(r1, "ig"):
		r = r[:len(r)-2]
	}
	return string(r)
}
