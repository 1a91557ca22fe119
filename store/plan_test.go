package store

import (
	"context"
	"strings"
	"testing"
)

// TestWaitingRepliesReadFromTheIndex checks that the two queries run for
// every decision and every batch sent while a backlog drains (the pace's
// Backlog and the senders' claim) read the index outbox_due alone. Read
// from the table, they walk every waiting reply's overflow pages, and a
// drain of 2,000 confirmations spent a fifth of its CPU time there.
func TestWaitingRepliesReadFromTheIndex(t *testing.T) {
	s := openTest(t)
	for name, q := range map[string]string{"backlog": backlogQuery, "claim": claimQuery} {
		rows, err := s.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, t0, t0, 10)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, "COVERING INDEX outbox_due") {
			t.Errorf("%s query plan %q: want it to read only the covering index outbox_due", name, got)
		}
	}
}
