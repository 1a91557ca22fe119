// Package lexicon holds the words the reader of a participant's mail
// weighs: the marks of a mood (a maybe, a condition, a wish, a doubt, a
// decision put off), of negation, of history, of a withdrawal or a
// registration, of a hindrance, and the subjects that make a clause
// someone else's. The rules that weigh them live in understand/reading;
// here each list has one home.
//
// It imports message only; understand/reading and understand import it.
package lexicon

import "github.com/goteborgsregionen/anmalan/message"

var (
	// Hedge marks a maybe: interest, a likelihood or a wish to hold a seat,
	// not a commitment ("funderar på", "kanske", "I might join").
	Hedge = message.Phrases{"funderar på", "funderade på", "överväger", "|kanske|", "eventuellt", "möjligen", "möjligtvis",
		"skulle kunna", "intresserad", "intresserade", "hålla en plats", "reservera en plats", "i så fall",
		"preliminär", "om det finns plats", "|might|", "may be able", "considering", "thinking of", "thinking about",
		"interested", "hold a seat", "hold a place", "reserve a seat", "if so", "possibly", "perhaps", "|maybe|", "tentative",
		"provisional", "provisorisk", "hoping to make", "hope to make", "hoppas kunna", "hoppas hinna",
		"leaning towards", "leaning toward", "lutar åt", "not set in stone", "sova på saken",
		// A likelihood is a maybe too: "en av oss kommer troligen inte".
		"troligen", "förmodligen", "antagligen", "sannolikt", "|probably|", "|likely|"}
	// Cond opens a condition on the writer's coming or going ("om jag
	// hinner", "if my train is late", "provided").
	Cond = message.Phrases{"|om jag", "|om vi", "|om det", "|om min", "|om mitt", "|ifall", "|if i|", "|if my", "|if we",
		"|if it", "|if there", "|in case", "|unless", "|såvida", "|i fall", "|provided|", "|providing|", "|förutsatt att", "|as long as",
		"|if the", "|if our", "|if they", "|in that case", "|i så fall", "|i det fallet", "|om så är fallet"}
	// Wish make a registration word a wish ("skulle gärna vilja
	// komma", "would love to join"), which a decision put off beside it
	// ("jag hör av mig") makes interest, not yet a commitment.
	Wish = message.Phrases{"like to come", "skulle gärna", "skulle vilja", "would love", "would like", "'d like", "’d like", "'d love", "’d love"}
	// Neg denies: the clause's verb phrase it stands in is read as not
	// so ("inte", "not", "aldrig").
	Neg = message.Phrases{"|inte|", "|ej|", "|icke|", "|not|", "n't|", "|never|", "|aldrig|", "|inget|", "|ingen|", "|cannot|",
		"|varken|", "|neither|", "|nor|", "|no longer|"}
	// Hindrance say what keeps the writer away, without a word of
	// coming: "har blivit sjukskriven", "det går inte", "a clash".
	Hindrance = message.Phrases{"kan inte lämna kontoret", "kan inte lämna jobbet", "kan inte lämna arbetet", "can't leave the office", "cannot leave the office",
		"ligger på sjukhus", "är inlagd", "in hospital", "sjukskriven", "blivit sjuk", "förhinder", "föräldraledig", "tjänstledig", "inkallad", "krockar", "krockat",
		"det går inte", "så går det inte", "det funkar inte", "fallen ill", "off sick", "on sick leave", "a clash", "clashes"}
	// Doubt are the writer's doubt whether she can come.
	Doubt = message.Phrases{"vet inte om", "vet inte riktigt om", "osäker på om", "inte säker på om", "not sure if", "not sure whether",
		"don't know if", "don't know whether", "unsure whether", "unsure if", "oklart om", "osäkert om", "inte klart om", "vet inte än", "vet inte ännu",
		"don't know yet",
		"unclear whether", "unclear if", "not certain",
		// A step that must come first is a doubt too: "men jag måste
		// först stämma av med min chef", "but I need to check with …".
		"måste först", "behöver först", "ska först", "stämma av med", "kolla med", "check with", "need to check",
		"have to check", "must first", "first need"}
	// PastForms are the registration words in the past or as a state:
	// "jag anmälde mig", "är redan anmäld", "I signed up last week".
	PastForms = message.Phrases{"|anmälde", "|anmält", "|anmäld|", "|anmälda|", "|registrerade", "|registrerat", "|bokade", "|skrev upp", "|skrivit upp", "|satte upp", "|satt upp",
		"|signed up", "|registered", "|have registered", "|already registered", "|booked", "kommer som planerat",
		"come as planned", "coming as planned"}
	// Withdraw are the ways people withdraw, beyond the words of
	// CancelPhrases: the clause decides whether they count.
	Withdraw = message.Phrases{"ta bort mig", "ta bort oss", "stryk mig", "stryk oss", "stryka mig", "stryka oss",
		"hoppar av", "hoppa av", "drar mig ur", "dra mig ur", "drar oss ur", "backar ur", "backa ur", "avböj", "tacka nej",
		"tackar nej", "det blir inget", "blir inget för", "blir tyvärr inget", "inget för min del", "hinner inte", "måste avstå", "avstår",
		"ge platsen till", "struken", "|stryks|", "count me out", "withdraw", "remove me", "remove us", "take me off",
		"drop out", "pull out", "won't make it", "will not make it", "can't come", "cannot come", "not coming",
		"have to cancel", "need to cancel", "must cancel", "give my seat", "give my place", "not be able to come",
		"not be able to attend", "not be able to make", "räkna bort mig", "räkna bort oss", "kommer inte ifrån", "kommer inte loss",
		"gäller inte längre", "gäller tyvärr inte längre", "no longer stands", "no longer valid",
		"can't get away", "cannot get away", "blir det inget", "blir det tyvärr inget", "drop me from", "drop us from",
		"give this one a miss", "give it a miss",
		// Idioms of giving up: "jag får kasta in handduken", "det får bli
		// utan mig", "säga nej till träffen", "vi får ge återbud".
		"kasta in handduken", "kastar in handduken", "får bli utan mig", "får bli utan oss", "säga nej till", "säger nej till",
		"ge återbud", "ger återbud", "strunta i min anmälan", "strunta i vår anmälan", "bortse från min anmälan",
		"ignore my registration", "disregard my registration", "no way i'll", "no way i can", "sit this one out", "sitta över",
		"faller bort", "kliva av", "kliver av", "klev av", "återtar min anmälan", "återtar sin anmälan", "återkallar min anmälan",
		"drar tillbaka min anmälan", "tar tillbaka min anmälan", "återtar jag min anmälan", "återkallar jag min anmälan",
		"drar jag tillbaka min anmälan"}
	// OtherSubjects start a clause about someone else than the writer.
	OtherSubjects = message.Phrases{"|en av oss", "|någon av oss", "|one of us", "|han|", "|hon|", "|he|", "|she|",
		"|min kollega", "|my colleague"}
	// Defer put the decision off or make it hang on something else:
	// "jag hör av mig när jag vet mer", "det är inte bestämt än", "it
	// depends on whether my manager …", "could I let you know by Friday?".
	// Beside interest in coming, and with no request, they make the mail a
	// hedge: the writer has not decided.
	Defer = message.Phrases{"hör av mig", "hör av oss", "|återkommer", "bekräftar på", "bekräftar senare", "ger besked",
		"besked senare", "meddelar senare", "inte bestämt", "inte bestämd", "inte klart än", "inte avgjort", "|beror på",
		"beroende på", "let you know", "get back to you", "confirm later", "confirm by", "not decided", "haven't decided",
		"undecided", "depends on", "depending on", "väntar på besked", "väntar fortfarande på besked", "inväntar besked", "waiting to hear",
		"still waiting for", "confirm on", "confirm once", "confirm when"}
	// InterestMarks show interest in themselves: "i så fall är jag
	// intresserad".
	InterestMarks = message.Phrases{"i så fall", "intresserad", "if so", "interested"}
	// InterestWords are what a hedge is about when it is about the event.
	InterestWords = message.Phrases{"|komma", "|come|", "|plats", "|seat", "|vara med", "|delta", "|join", "|attend", "|anmäl",
		"|register", "|sign up", "|närvara", "|session|", "|seminariet|", "|tillfället|", "|passet|", "skulle passa", "would suit", "would work for me", "|make the", "|make it|"}
	// Cancel withdraws a registration outright ("avanmäl", "kan inte
	// komma", "can't make it").
	Cancel = message.Phrases{"avanmäl", "avboka", "kan inte komma", "kan ej komma", "kan inte delta", "kan tyvärr inte komma",
		"kan tyvärr inte delta", "kan tyvärr inte närvara", "kan tyvärr inte vara med", "har fått förhinder", "har förhinder",
		"fått förhinder", "lämna återbud", "lämnar återbud", "|cancel", "can no longer attend", "can no longer come",
		"can no longer make it", "cannot attend", "can not attend", "can't attend", "unable to attend",
		"won't be able to attend", "won't be able to come", "won't be able to make it", "will not be able to attend",
		"will not be able to come", "will not be able to make it", "can't make it", "withdraw my registration",
		"unsubscribe me", "avregistrera mig"}
	// Forget ask for one's personal data to be erased (GDPR).
	Forget = message.Phrases{"|glöm mig|", "|glöm bort mig|", "radera mina uppgifter", "radera mina personuppgifter",
		"radera allt om mig", "radera alla mina uppgifter", "inte att ni sparar mina uppgifter", "delete everything about me",
		"|forget me|", "delete my data", "delete my personal data", "erase my data", "erase my personal data"}
	// NotForget are the friendly "don't forget me", never a request
	// to erase anything.
	NotForget = message.Phrases{"don't forget me", "don’t forget me", "dont forget me", "do not forget me"}
	// Register asks for a registration, or says the writer comes ("anmäl",
	// "jag kommer", "count me in").
	Register = message.Phrases{"|anmäl", "|anmäls", "|registrera|", "|registrera mig", "|registrera oss", "|register|", "|registration|", "|registering|", "sign me up", "sign us up",
		"|sign up", "|delta|", "|deltar|", "|deltaga", "närvara", "|attend", "|join|", "jag kommer", "vi kommer", "kommer gärna",
		"count me in", "consider me a", "you can expect me", "expect me there", "make a point of being", "i will be at the", "i'll be at the", "i’ll be at the", "i will be there", "i'll be there", "i’ll be there",
		"räkna med mig", "räkna med oss", "would like to come", "'d like to come", "’d like to come", "|rsvp|", "vill vara med", "vill gärna komma", "boka mig", "boka oss", "book me", "book us", "|participate"}
	// Attend make a sentence one that registers, beside the
	// registration phrases and the requests.
	Attend = message.Phrases{"|komma|", "|kommer|", "|vara med", "|delta", "|närvara", "|medverka", "|attend", "|join", "|come|", "|coming|",
		"|följer med", "|följer också med", "|följer gärna med", "|följa med", "|hänger med", "|hänger också med", "|hänger gärna med",
		"återbud", "förhinder"}
)
