package reply

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/goteborgsregionen/anmalan/blobcache"
)

// base64Line is how many base64 characters go-mail writes on a line of an
// attachment (its MaxBodyLength), each line ended with CRLF.
const base64Line = 76

// Blob is the body of one material attachment, left out of a Composed
// mail's Raw: its base64, with go-mail's line breaks, goes at offset At of
// Raw. Mails that carry the same file share one Blob.
type Blob struct {
	// At is the offset in Raw where the encoded body goes.
	At int
	// Hash is the hex SHA-256 of the file's content (not of the base64).
	Hash string
	// Encoded is the base64 of the content in lines of 76 characters, each
	// ended with CRLF, exactly as go-mail writes an attachment. It is
	// shared between replies and must not be changed.
	Encoded []byte
}

// EncodeBase64 returns data in base64 as go-mail writes an attachment's
// body: lines of 76 characters, each (the last one too) ended with CRLF;
// nothing for empty data.
func EncodeBase64(data []byte) []byte {
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(data)))
	base64.StdEncoding.Encode(enc, data)
	out := make([]byte, 0, encodedLen(len(data)))
	for len(enc) > 0 {
		k := min(len(enc), base64Line)
		out = append(out, enc[:k]...)
		out = append(out, '\r', '\n')
		enc = enc[k:]
	}
	return out
}

// encodedLen returns the length of EncodeBase64 of n bytes.
func encodedLen(n int) int {
	k := base64.StdEncoding.EncodedLen(n)
	return k + (k+base64Line-1)/base64Line*2
}

// encodedCache gives the base64 of material files from a cache by the
// hash of their content, so that a file is encoded once however many
// replies carry it.
type encodedCache struct{ c *blobcache.Cache }

// get returns the base64 of m and the hash of its content, encoding it on
// first use. It trusts m.Hash (Library sets it from the content) as far as
// the length goes: a Material without a Hash, or with one cached for data
// of another length, is hashed and encoded as its Data says.
func (e encodedCache) get(m Material) (hash string, enc []byte) {
	if m.Hash != "" {
		if enc, ok := e.c.Get(m.Hash); ok && len(enc) == encodedLen(len(m.Data)) {
			return m.Hash, enc
		}
	}
	sum := sha256.Sum256(m.Data)
	hash = hex.EncodeToString(sum[:])
	if enc, ok := e.c.Get(hash); ok {
		return hash, enc
	}
	return hash, e.c.Put(hash, EncodeBase64(m.Data))
}

// placeholder is what a material attachment is composed with instead of
// its content: random bytes whose base64 is one line, found afterwards
// and cut out of the mail.
type placeholder struct {
	line []byte // the base64 of the placeholder with its CRLF
	hash string
	enc  []byte
}

// newPlaceholder returns a placeholder content for an attachment and the
// line it becomes in the mail.
func newPlaceholder(hash string, enc []byte) ([]byte, placeholder) {
	// 42 bytes: 56 characters of base64, one line.
	var p [42]byte
	_, _ = rand.Read(p[:]) // crypto/rand.Read never fails on supported platforms.
	line := base64.StdEncoding.AppendEncode(nil, p[:])
	return p[:], placeholder{line: append(line, '\r', '\n'), hash: hash, enc: enc}
}

// cutPlaceholders returns raw without the lines of ps, and the Blobs that
// go where they were. It fails when a placeholder is not found exactly
// once, in the order given (go-mail wrote the attachment differently).
func cutPlaceholders(raw []byte, ps []placeholder) ([]byte, []Blob, error) {
	if len(ps) == 0 {
		return raw, nil, nil
	}
	out := make([]byte, 0, len(raw))
	blobs := make([]Blob, 0, len(ps))
	rest := raw
	for _, p := range ps {
		i := bytes.Index(rest, p.line)
		if i < 0 || bytes.Contains(rest[i+len(p.line):], p.line) {
			return nil, nil, errors.New("material placeholder not found once in the composed mail")
		}
		out = append(out, rest[:i]...)
		blobs = append(blobs, Blob{At: len(out), Hash: p.hash, Encoded: p.enc})
		rest = rest[i+len(p.line):]
	}
	out = append(out, rest...)
	return out, blobs, nil
}

// Size returns the length of the whole mail: Raw with every Blob in it.
func (c Composed) Size() int {
	n := len(c.Raw)
	for _, b := range c.Blobs {
		n += len(b.Encoded)
	}
	return n
}

// WriteTo writes the whole mail to w: Raw with each Blob's base64 at its
// offset. It fails when a Blob's offset is outside Raw or out of order,
// and with w's error.
func (c Composed) WriteTo(w io.Writer) (int64, error) {
	var n int64
	prev := 0
	for _, b := range c.Blobs {
		if b.At < prev || b.At > len(c.Raw) {
			return n, fmt.Errorf("write reply: blob offset %d out of order or beyond %d bytes", b.At, len(c.Raw))
		}
		k, err := w.Write(c.Raw[prev:b.At])
		n += int64(k)
		if err != nil {
			return n, err
		}
		k, err = w.Write(b.Encoded)
		n += int64(k)
		if err != nil {
			return n, err
		}
		prev = b.At
	}
	k, err := w.Write(c.Raw[prev:])
	return n + int64(k), err
}

// Bytes returns the whole mail (see WriteTo), nil when it is malformed.
func (c Composed) Bytes() []byte {
	var b bytes.Buffer
	b.Grow(c.Size())
	if _, err := c.WriteTo(&b); err != nil {
		return nil
	}
	return b.Bytes()
}
