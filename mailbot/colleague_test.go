package mailbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// TestWriterWithdrawsHerselfAndAColleagueByName: "Amir Haddad and I can
// no longer come", in reply to her confirmation, cancels Lisa and Amir,
// whom she registered, and the waiting list moves up; a colleague the
// writer did not register is no one she may change; a first name that
// fits two of hers is a question, and nothing changes.
func TestWriterWithdrawsHerselfAndAColleagueByName(t *testing.T) {
	e := newEnv(t, 4, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.command(&day, rawMail("lisa1", []string{"From: Lisa Grahn <lisa.grahn@partille.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag och min kollega Amir Haddad (amir.haddad@partille.example) vill anmäla oss.\n\n/Lisa"))
	e.register(day.Add(time.Hour), "Sara Berg", "sara@ale.example", "Amir Said", "amir.said@ale.example", "Bo Ek", "bo@ale.example")
	wantState(t, e, "confirmed lisa.grahn@partille.example", "confirmed amir.haddad@partille.example", "confirmed sara@ale.example",
		"confirmed amir.said@ale.example", "waiting bo@ale.example")

	// Amir Said registered himself: Sara may not withdraw him.
	conf := e.msgID("sara@ale.example")
	e.command(&day, rawMail("sara1", []string{"From: Sara Berg <sara@ale.example>", "To: " + botAddr, "Subject: Re: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf}, "Hi, unfortunately Amir Said and I can no longer come.\n\n/Sara"))
	wantState(t, e, "confirmed lisa.grahn@partille.example", "confirmed amir.haddad@partille.example", "confirmed sara@ale.example",
		"confirmed amir.said@ale.example", "waiting bo@ale.example")
	if m := e.last("sara@ale.example"); m.header.Get("X-Anmalan-Kind") != "notyours" {
		t.Errorf("Sara was answered %q, want notyours", m.header.Get("X-Anmalan-Kind"))
	}

	conf = e.msgID("lisa.grahn@partille.example")
	e.command(&day, rawMail("lisa2", []string{"From: Lisa Grahn <lisa.grahn@partille.example>", "To: " + botAddr, "Subject: RE: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf}, "Hi,\n\nUnfortunately Amir Haddad and I can no longer come. Sorry!\n\nRegards\nLisa Grahn"))
	wantState(t, e, "confirmed sara@ale.example", "confirmed amir.said@ale.example", "confirmed bo@ale.example",
		"cancelled lisa.grahn@partille.example", "cancelled amir.haddad@partille.example")
}

// TestColleagueByFirstNameOfTwoAsks: a first name that fits two people
// the writer registered takes no seat: she is asked which, with both.
func TestColleagueByFirstNameOfTwoAsks(t *testing.T) {
	e := newEnv(t, 5, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.command(&day, rawMail("hugo1", []string{"From: Hugo Ferm <hugo.ferm@kungsbacka.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag anmäler mig och mina kollegor Ebba Norén (ebba.noren@kungsbacka.example) och Ebba Lind (ebba.lind@kungsbacka.example).\n\n/Hugo"))
	want := []string{"confirmed hugo.ferm@kungsbacka.example", "confirmed ebba.noren@kungsbacka.example", "confirmed ebba.lind@kungsbacka.example"}
	wantState(t, e, want...)
	conf := e.msgID("hugo.ferm@kungsbacka.example")
	e.command(&day, rawMail("hugo2", []string{"From: Hugo Ferm <hugo.ferm@kungsbacka.example>", "To: " + botAddr, "Subject: SV: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf}, "Hej,\n\nVarken jag eller Ebba kan komma längre.\n\nMvh Hugo"))
	wantState(t, e, want...)
	q := e.last("hugo.ferm@kungsbacka.example")
	if !strings.HasPrefix(q.subject, "Vem menar du?") || !strings.Contains(q.text, "ebba.noren@kungsbacka.example") || !strings.Contains(q.text, "ebba.lind@kungsbacka.example") ||
		!strings.Contains(q.text, "Varken jag eller Ebba kan komma längre.") {
		t.Errorf("Hugo was answered %q:\n%s", q.subject, q.text)
	}
}

// TestWriterWithdrawsHerselfAndAColleagueByAddress: "Jag och Amir Haddad
// (amir.haddad@…) kan inte komma, stryk oss båda" cancels both, not the
// colleague alone; a colleague someone else registered is no one the
// writer may change, and then nothing changes.
func TestWriterWithdrawsHerselfAndAColleagueByAddress(t *testing.T) {
	e := newEnv(t, 4, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.command(&day, rawMail("lisa1", []string{"From: Lisa Grahn <lisa.grahn@partille.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag och min kollega Amir Haddad (amir.haddad@partille.example) vill anmäla oss.\n\n/Lisa"))
	e.register(day.Add(time.Hour), "Sara Berg", "sara@ale.example", "Bo Ek", "bo@ale.example")
	conf := e.msgID("sara@ale.example")
	e.command(&day, rawMail("sara1", []string{"From: Sara Berg <sara@ale.example>", "To: " + botAddr, "Subject: Re: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf}, "Hej, jag och Amir Haddad (amir.haddad@partille.example) kan inte komma, stryk oss båda.\n\n/Sara"))
	wantState(t, e, "confirmed lisa.grahn@partille.example", "confirmed amir.haddad@partille.example", "confirmed sara@ale.example", "confirmed bo@ale.example")

	conf = e.msgID("lisa.grahn@partille.example")
	e.command(&day, rawMail("lisa2", []string{"From: Lisa Grahn <lisa.grahn@partille.example>", "To: " + botAddr, "Subject: Re: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf}, "Hej, jag och Amir Haddad (amir.haddad@partille.example) kan inte komma, stryk oss båda.\n\n/Lisa"))
	wantState(t, e, "confirmed sara@ale.example", "confirmed bo@ale.example", "cancelled lisa.grahn@partille.example", "cancelled amir.haddad@partille.example")
}

// TestColleagueTheWriterRegisteredWithdrawnByName: "Min kollega Amir
// Haddad, som jag anmälde tillsammans med mig, kan tyvärr inte komma. Jag
// kommer som planerat." withdraws Amir alone, whom she registered, and the
// waiting list moves up; a manager who registered a colleague and holds no
// seat herself withdraws her by name ("Kim Berglöv, som jag anmälde, kommer
// inte … avanmäl henne") in reply to the Cc of the confirmation; a person
// the writer did not register is no one she may change.
func TestColleagueTheWriterRegisteredWithdrawnByName(t *testing.T) {
	e := newEnv(t, 4, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.command(&day, rawMail("lisa1", []string{"From: Lisa Grahn <lisa.grahn@partille.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag och min kollega Amir Haddad (amir.haddad@partille.example) vill anmäla oss.\n\n/Lisa"))
	e.command(&day, rawMail("tyra1", []string{"From: Tyra Åkerlind <tyra.akerlind@ale.example>", "To: " + botAddr, "Subject: Anmälan"},
		"Hej,\n\nJag vill anmäla min medarbetare Kim Berglöv (kim.berglov@ale.example) till seminariet. Själv kan jag inte komma.\n\n/Tyra"))
	e.register(day.Add(time.Hour), "Sara Berg", "sara@ale.example", "Bo Ek", "bo@ale.example", "Ada Ros", "ada@ale.example")
	wantState(t, e, "confirmed lisa.grahn@partille.example", "confirmed amir.haddad@partille.example", "confirmed kim.berglov@ale.example",
		"confirmed sara@ale.example", "waiting bo@ale.example", "waiting ada@ale.example")

	// Sara registered only herself: Bo, on the waiting list, is no one she may change.
	conf := e.msgID("sara@ale.example")
	e.command(&day, rawMail("sara1", []string{"From: Sara Berg <sara@ale.example>", "To: " + botAddr, "Subject: Re: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf}, "Hej,\n\nBo Ek, som jag anmälde i går, kan inte komma. Stryk honom.\n\n/Sara"))
	wantState(t, e, "confirmed lisa.grahn@partille.example", "confirmed amir.haddad@partille.example", "confirmed kim.berglov@ale.example",
		"confirmed sara@ale.example", "waiting bo@ale.example", "waiting ada@ale.example")

	conf = e.msgID("lisa.grahn@partille.example")
	e.command(&day, rawMail("lisa2", []string{"From: Lisa Grahn <lisa.grahn@partille.example>", "To: " + botAddr, "Subject: SV: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf},
		"Hej!\n\nMin kollega Amir Haddad, som jag anmälde tillsammans med mig, kan tyvärr inte komma. Jag kommer som planerat.\n\nHälsningar\nLisa"))
	wantState(t, e, "confirmed lisa.grahn@partille.example", "confirmed kim.berglov@ale.example",
		"confirmed sara@ale.example", "confirmed bo@ale.example", "waiting ada@ale.example", "cancelled amir.haddad@partille.example")

	conf = e.msgID("tyra.akerlind@ale.example")
	e.command(&day, rawMail("tyra2", []string{"From: Tyra Åkerlind <tyra.akerlind@ale.example>", "To: " + botAddr, "Subject: SV: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf},
		"Hej,\n\nKim Berglöv, som jag anmälde till tisdagen, kommer inte att kunna delta. Vänligen avanmäl henne.\n\n/Tyra"))
	wantState(t, e, "confirmed lisa.grahn@partille.example", "confirmed sara@ale.example", "confirmed bo@ale.example", "confirmed ada@ale.example",
		"cancelled amir.haddad@partille.example", "cancelled kim.berglov@ale.example")
}
