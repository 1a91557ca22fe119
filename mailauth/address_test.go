package mailauth

import (
	"net/textproto"
	"strings"
	"testing"
)

func TestSameAddress(t *testing.T) {
	cases := []struct {
		a, b string
		same bool
	}{
		{"linda.karlsson@goteborgsregionen.example", "Linda.Karlsson@GOTEBORGSREGIONEN.example", true},
		{"linda.karlsson@goteborgsregionen.example", "linda.karlsson@goteborgsregionen.example.", true},
		{"linda.\u212Aarlsson@goteborgsregionen.example", "linda.karlsson@goteborgsregionen.example", false}, // KELVIN SIGN
		{"linda.\u212Aarlsson@goteborgsregionen.example", "linda.\u212Aarlsson@goteborgsregionen.example", true},
		{"LINDA.\u00C5@x.example", "linda.\u00E5@x.example", false}, // Å and å: not ASCII, not folded
		{"anna@bücher.example", "anna@xn--bcher-kva.example", true},
		{"anna@BÜCHER.example", "anna@xn--bcher-kva.example", true},
		{"a@b@c.example", "a@b@c.example", false},
		{"a@[192.0.2.1]", "a@[192.0.2.1]", false},
		{"", "", false},
		{"@x.example", "@x.example", false},
		{"linda.karlsson@goteborgsregionen.example", "linda.karlsson@goteborgsregionen.example.evil.example", false},
	}
	for _, c := range cases {
		if got := SameAddress(c.a, c.b); got != c.same {
			t.Errorf("SameAddress(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}

func TestFromAddress(t *testing.T) {
	cases := []struct {
		from []string
		want string // "" for an error
	}{
		{[]string{"Linda Karlsson <Linda.Karlsson@Goteborgsregionen.Example>"}, "linda.karlsson@goteborgsregionen.example"},
		{[]string{"=?utf-8?q?Linda_K=C3=A4rlsson?= <linda@x.example>"}, "linda@x.example"},
		{[]string{"linda@x.example (Linda)"}, "linda@x.example"},
		{[]string{"\"Karlsson, Linda\" <linda@x.example>"}, "linda@x.example"},
		{[]string{"anna@bücher.example"}, "anna@xn--bcher-kva.example"},
		{nil, ""},
		{[]string{"a@x.example", "b@x.example"}, ""},
		{[]string{"a@x.example, b@x.example"}, ""},
		{[]string{"a@x.example,"}, ""},
		{[]string{"<a@x.example> <b@x.example>"}, ""},
		{[]string{"a@b@c.example"}, ""},
		{[]string{"\"a@b.example\"@c.example"}, ""},
		{[]string{"Team: a@x.example;"}, ""},
		{[]string{"Team: a@x.example, b@x.example;"}, ""},
		{[]string{"<@relay.example:a@x.example>"}, ""},
		{[]string{"a@[192.0.2.1]"}, ""},
		{[]string{""}, ""},
		{[]string{"not an address"}, ""},
		{[]string{"\"Team: a\" <a@x.example>"}, "a@x.example"},
	}
	for _, c := range cases {
		h := textproto.MIMEHeader{}
		for _, f := range c.from {
			h.Add("From", f)
		}
		got, err := FromAddress(h)
		if c.want == "" {
			if err == nil {
				t.Errorf("FromAddress(%q) = %q, want an error", c.from, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("FromAddress(%q) = %q, %v, want %q", c.from, got, err, c.want)
		}
	}
}

func TestAligned(t *testing.T) {
	cases := []struct {
		a, b string
		ok   bool
	}{
		{"goteborgsregionen.example", "mail.goteborgsregionen.example", true},
		{"goteborgsregionen.se", "GOTEBORGSREGIONEN.SE", true},
		{"a.gov.uk", "b.gov.uk", false},
		{"x.gov.uk", "mail.x.gov.uk", true},
		{"co.uk", "co.uk", false},
		{"example", "example", false},
		{"goteborgsregionen.example.evil.example", "goteborgsregionen.example", false},
		{"", "x.example", false},
	}
	for _, c := range cases {
		if got := Aligned(c.a, c.b); got != c.ok {
			t.Errorf("Aligned(%q, %q) = %v, want %v", c.a, c.b, got, c.ok)
		}
	}
}

func FuzzAddress(f *testing.F) {
	for _, s := range []string{"linda.karlsson@goteborgsregionen.example", "Linda <l@x.example>", "a@b@c", "<a@x> <b@y>", "G: a@x;", "linda.\u212Aarlsson@x.example", "a@bücher.example", "\"a@b\"@c", "a@[1.2.3.4]"} {
		f.Add(s, "linda.karlsson@goteborgsregionen.example")
	}
	f.Fuzz(func(t *testing.T, from, other string) {
		h := textproto.MIMEHeader{"From": {from}}
		addr, err := FromAddress(h)
		if err != nil {
			return
		}
		// A usable From is one normalised mailbox: one @, ASCII letters
		// lowercased, the same as itself and stable when normalised again.
		if strings.Count(addr, "@") != 1 || !SameAddress(addr, addr) {
			t.Fatalf("FromAddress(%q) = %q", from, addr)
		}
		if again, err := NormalizeAddress(addr); err != nil || again != addr {
			t.Fatalf("NormalizeAddress(%q) = %q, %v", addr, again, err)
		}
		if addr != asciiLower(addr) {
			t.Fatalf("not lowercased: %q", addr)
		}
		// SameAddress is symmetric, and implies byte equality of the
		// normalised local parts.
		if SameAddress(addr, other) != SameAddress(other, addr) {
			t.Fatalf("SameAddress not symmetric for %q, %q", addr, other)
		}
		if SameAddress(addr, other) {
			no, _ := NormalizeAddress(strings.TrimSpace(other))
			if no != addr {
				t.Fatalf("SameAddress(%q, %q) but normalised %q", addr, other, no)
			}
		}
	})
}
