package names

import "testing"

// TestNameAgreement: a name agrees with an address made of it, and the
// å/ä/ö of a name made from an address come back from the text.
func TestNameAgreement(t *testing.T) {
	if !AgreesWithAddress("Åsa Östlund", "asa.ostlund@harryda.example") || !AgreesWithAddress("Charlotte Bergman", "c.bergman@x.example") {
		t.Error("a name and its address do not agree")
	}
	if AgreesWithAddress("Lotta Persson", "charlotte.bergman@x.example") || AgreesWithAddress("Åsa", "asa@x.example") {
		t.Error("a name agrees with an address that is not made of it")
	}
	if got := Restore("Bjorn Lovgren", "min kollega Björn Lövgren, bjorn.lovgren@x.example"); got != "Björn Lövgren" {
		t.Errorf("restoreName %q", got)
	}
}
