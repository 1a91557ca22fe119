package reply

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TestEncodeBase64IsGoMails: the base64 that the outbox puts back into a
// reply is byte for byte what go-mail writes for the same attachment, for
// sizes around the line length (57 bytes make a line of 76) and a real
// report's size.
func TestEncodeBase64IsGoMails(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{1, 2, 3, 56, 57, 58, 114, 1000, 57 * 100, 200 << 10} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := make([]byte, size)
			for i := range data {
				data[i] = byte(rng.UintN(256))
			}
			m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
			if err := m.From("a@example.org"); err != nil {
				t.Fatal(err)
			}
			m.SetBodyString(gomail.TypeTextPlain, "text")
			if err := m.AttachReader("f.pdf", bytes.NewReader(data), gomail.WithFileContentType("application/pdf")); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := m.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			want := append(append([]byte("\r\n\r\n"), EncodeBase64(data)...), "\r\n--"...)
			if !bytes.Contains(buf.Bytes(), want) {
				t.Errorf("go-mail wrote the attachment otherwise than EncodeBase64:\n%s", buf.Bytes())
			}
		})
	}
}

// TestComposeMaterialOnce: confirmations carry the material as a Blob
// (cut out of Raw) whose base64 is made once for all of them; the whole
// mail, read by a MIME parser, has the file intact, and a changed file
// is encoded anew.
func TestComposeMaterialOnce(t *testing.T) {
	c, ev := testComposer(t)
	data := make([]byte, 300<<10)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(rng.UintN(256))
	}
	sum := sha256.Sum256(data)
	mat := Material{Name: "underlag.pdf", ContentType: "application/pdf", Data: data, Hash: hex.EncodeToString(sum[:])}
	r := goldenReplies(ev)["confirmation"]
	r.Material = []Material{mat}
	var first []byte
	for i := range 3 {
		cm, err := c.Compose(r, time.Date(2018, 11, 20, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(cm.Blobs) != 1 || cm.Blobs[0].Hash != mat.Hash {
			t.Fatalf("blobs %+v; want one of hash %s", cm.Blobs, mat.Hash)
		}
		if len(cm.Raw) > 20<<10 {
			t.Errorf("Raw is %d bytes: the material is still in it", len(cm.Raw))
		}
		if i == 0 {
			first = cm.Blobs[0].Encoded
		} else if &cm.Blobs[0].Encoded[0] != &first[0] {
			t.Error("the material was encoded again for another reply")
		}
		whole := cm.Bytes()
		if len(whole) != cm.Size() {
			t.Errorf("Bytes() is %d bytes, Size() %d", len(whole), cm.Size())
		}
		pdf, ok := parts(t, whole)["application/pdf"]
		if !ok {
			t.Fatal("no application/pdf part")
		}
		if got := sha256.Sum256(pdf); got != sum {
			t.Errorf("the PDF read back differs from the file (%d bytes, want %d)", len(pdf), len(data))
		}
		if _, ok := parts(t, whole)["text/calendar"]; !ok {
			t.Error("no calendar")
		}
	}
	changed := append([]byte(nil), data...)
	changed[0] ^= 0xff
	sum2 := sha256.Sum256(changed)
	r.Material = []Material{{Name: "underlag.pdf", ContentType: "application/pdf", Data: changed, Hash: hex.EncodeToString(sum2[:])}}
	cm, err := c.Compose(r, time.Date(2018, 11, 20, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if pdf := parts(t, cm.Bytes())["application/pdf"]; sha256.Sum256(pdf) != sum2 {
		t.Error("a changed file is sent as it was")
	}
	// A Material whose Hash is that of a file of another length is sent
	// as its data says, under the data's own hash.
	short := changed[:1000]
	r.Material = []Material{{Name: "underlag.pdf", ContentType: "application/pdf", Data: short, Hash: mat.Hash}}
	cm, err = c.Compose(r, time.Date(2018, 11, 20, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sum3 := sha256.Sum256(short)
	if pdf := parts(t, cm.Bytes())["application/pdf"]; sha256.Sum256(pdf) != sum3 || cm.Blobs[0].Hash != hex.EncodeToString(sum3[:]) {
		t.Errorf("a wrong hash sent the wrong file (blob %s)", cm.Blobs[0].Hash)
	}
}
