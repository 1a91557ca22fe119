package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// helpExample is one command the organiser help shows, and what it claims
// to do.
type helpExample struct {
	line   string
	action string
}

// helpExamples returns the example commands of the organiser help as the
// organiser reads it (the golden text of the "help" reply in lang): the
// indented lines of the command list, each with the example in its
// parenthesis ("or the address: …") too.
func helpExamples(t *testing.T, lang string) []helpExample {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "reply", "testdata", "golden", lang, "organiser-help.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// What each command word claims, in the help's own words.
	claims := map[string]string{
		"avanmäl": "cancel", "byt": "substitute", "flytta upp": "promote", "anmäl": "register",
		"platser": "seats", "lista": "list", "status": "status", "hjälp": "help",
		"cancel": "cancel", "replace": "substitute", "promote": "promote", "register": "register",
		"seats": "seats", "list": "list", "help": "help",
	}
	claim := func(cmd string) string {
		best := ""
		for word := range claims {
			if (cmd == word || strings.HasPrefix(cmd, word+" ")) && len(word) > len(best) {
				best = word
			}
		}
		return claims[best]
	}
	line := regexp.MustCompile(`^  (\S.*?)(?:\s{2,}\((.*)\))?$`)
	var out []helpExample
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		text := sc.Text()
		m := line.FindStringSubmatch(text)
		switch {
		case strings.HasSuffix(text, "several:") || strings.HasSuffix(text, "flera:"):
			in = true
		case !in:
		case m == nil:
			in = false
		default:
			out = append(out, helpExample{m[1], claim(m[1])})
			// "(or the address: cancel bo.ek@ale.example)"
			if _, ex, ok := strings.Cut(m[2], ": "); ok {
				out = append(out, helpExample{ex, claim(ex)})
			}
		}
	}
	if len(out) < 8 {
		t.Fatalf("%s: found %d examples in the help, want at least 8:\n%s", lang, len(out), data)
	}
	return out
}

// TestHelpExamplesParse runs each example command of the organiser help,
// in both languages, through `anmalan parse` as a mail from the example
// config's organiser with the bot in Cc: each must be read as the one
// command it claims, with nothing left over.
func TestHelpExamplesParse(t *testing.T) {
	cfgFile := filepath.Join("..", "..", "config.example.toml")
	for _, lang := range []string{"sv", "en"} {
		examples := helpExamples(t, lang)
		dir := t.TempDir()
		args := []string{"-config", cfgFile}
		for i, ex := range examples {
			if ex.action == "" {
				t.Errorf("%s: %q: no command word this test knows", lang, ex.line)
				continue
			}
			raw := "Authentication-Results: mx.goteborgsregionen.example; dkim=pass header.d=goteborgsregionen.example;\r\n" +
				"\tdmarc=pass header.from=goteborgsregionen.example\r\n" +
				"From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>\r\n" +
				"To: GR Anmälan <anmalan@goteborgsregionen.example>\r\n" +
				"Subject: segregation-2018\r\n" +
				"Date: Mon, 03 Dec 2018 10:00:00 +0100\r\n" +
				fmt.Sprintf("Message-ID: <help-%s-%d@goteborgsregionen.example>\r\n", lang, i) +
				"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
				ex.line + "\r\n\r\nLinda\r\n"
			file := filepath.Join(dir, fmt.Sprintf("%02d.eml", i))
			if err := os.WriteFile(file, []byte(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			args = append(args, file)
		}
		var out, errOut bytes.Buffer
		if code := cmdParse(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("%s: parse exit %d: %s", lang, code, errOut.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != len(examples) {
			t.Fatalf("%s: %d lines for %d examples:\n%s", lang, len(lines), len(examples), out.String())
		}
		for i, l := range lines {
			var got struct {
				Kind    string `json:"kind"`
				Changes []struct {
					Action string `json:"action"`
					Who    string `json:"who"`
					By     struct {
						Email string `json:"email"`
					} `json:"by"`
					Seats int `json:"seats"`
				} `json:"changes"`
			}
			if err := json.Unmarshal([]byte(l), &got); err != nil {
				t.Fatal(err)
			}
			ex := examples[i]
			if got.Kind != "command" || len(got.Changes) != 1 || got.Changes[0].Action != ex.action {
				t.Errorf("%s: %q is not read as the one command %q it claims:\n%s", lang, ex.line, ex.action, l)
				continue
			}
			// The person, the newcomer and the count are the ones written.
			ch := got.Changes[0]
			switch ex.action {
			case "cancel", "substitute", "promote":
				// A registration has no one before it: its person is
				// the newcomer, checked below.
				if ch.Who == "" || !strings.Contains(ex.line, ch.Who) {
					t.Errorf("%s: %q names %q", lang, ex.line, ch.Who)
				}
			}
			if (ex.action == "substitute" || ex.action == "register") && (ch.By.Email == "" || !strings.Contains(ex.line, ch.By.Email)) {
				t.Errorf("%s: %q brings in %q", lang, ex.line, ch.By.Email)
			}
			if ex.action == "seats" && !strings.Contains(ex.line, fmt.Sprint(ch.Seats)) {
				t.Errorf("%s: %q sets %d seats", lang, ex.line, ch.Seats)
			}
		}
	}
}
