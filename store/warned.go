package store

import (
	"fmt"
	"time"
)

// AnsweredSince reports whether an outgoing mail of the kind to addr was
// queued at or after since in answer to an incoming mail whose recorded
// detail (FinishMail) is detail. The bot records the forged sender in the
// detail of every forged command it refuses, and so warns each organiser at
// most once per forged sender in a window. It reads the recipients' index,
// so its cost grows with the mail sent to addr, not with the outbox. It
// fails only on database errors.
func (tx *Tx) AnsweredSince(kind, addr, detail string, since time.Time) (bool, error) {
	var n int
	err := tx.queryRow(`SELECT COUNT(*) FROM outbox_recipients r
		JOIN outbox o ON o.id = r.outbox_id
		JOIN mails m ON m.id = o.mail_id
		WHERE r.address = ? AND r.created_at >= ? AND o.kind = ? AND m.detail = ?`,
		normEmail(addr), since.UTC(), kind, detail).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("answered %s to %s since %s: %w", kind, addr, since.Format(time.RFC3339), err)
	}
	return n > 0, nil
}
