package understand

import (
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
)

// TestDateInTheQuoteDoesNotCount: an answer "Jag kommer gärna!" above the
// quoted invitation, which names both dates, names no date itself.
func TestDateInTheQuoteDoesNotCount(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Stockholm")
	cfg := &config.Config{Location: loc, SMTP: config.SMTPConfig{From: "anmalan@goteborgsregionen.example"}, Events: []config.EventConfig{
		{ID: "goteborg", Title: "Workshop", StartsAt: time.Date(2018, 12, 11, 13, 0, 0, 0, loc), ClosesAt: time.Date(2018, 12, 4, 23, 59, 0, 0, loc)},
		{ID: "kungalv", Title: "Workshop", StartsAt: time.Date(2018, 12, 13, 9, 0, 0, 0, loc), ClosesAt: time.Date(2018, 12, 6, 23, 59, 0, 0, loc)},
	}}
	raw := "From: Sara Nilsson <sara@ale.example>\r\nTo: anmalan@goteborgsregionen.example\r\nSubject: SV: Inbjudan 13 december\r\n" +
		"Message-ID: <q1@ale.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Jag kommer gärna!\r\n/Sara\r\n\r\n" +
		"Från: GR Anmälan <anmalan@goteborgsregionen.example>\r\nSkickat: den 20 november 2018 10:00\r\nTill: Sara\r\nÄmne: Inbjudan\r\n\r\n" +
		"Välkommen den 13 december i Kungälv eller 11/12 i Göteborg.\r\n"
	m, err := message.ReadMessage([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	u := UnderstandAt(m, cfg, time.Date(2018, 11, 28, 10, 0, 0, 0, loc))
	if u.Date != nil || len(u.Candidates) != 0 || u.DateUnmatched {
		t.Errorf("a date in the quote counted: date %+v, candidates %v, unmatched %v", u.Date, u.Candidates, u.DateUnmatched)
	}
}
