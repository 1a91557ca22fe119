package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fillOutbox queues n mails to n different addresses, due at t0, of size
// bytes each, and returns their IDs.
func fillOutbox(t testing.TB, s *Store, n, size int) []int64 {
	t.Helper()
	raw := bytes.Repeat([]byte("x"), size)
	var ids []int64
	const perTx = 500
	for start := 0; start < n; start += perTx {
		err := s.Update(context.Background(), func(tx *Tx) error {
			for i := start; i < min(start+perTx, n); i++ {
				id, err := tx.Enqueue(Outgoing{MessageID: fmt.Sprintf("m%d@anmalan.example", i), EnvelopeFrom: "anmalan@example.se",
					Recipients: []string{fmt.Sprintf("p%d@example.se", i)}, Raw: raw, Subject: "Bekräftelse " + strconv.Itoa(i),
					Kind: "confirmation"}, t0)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	return ids
}

// claimAll claims batches of limit for claimant until none is left,
// marking each mail sent as a sender would, and returns the IDs it got.
// It pauses after each batch, as sending would, so that another sender
// waiting in SQLite's busy handler gets its turn.
func claimAll(ctx context.Context, s *Store, claimant string, limit int) ([]int64, error) {
	var got []int64
	// Two processes that do nothing but claim and mark can keep each
	// other waiting past the busy timeout (the race detector slows both
	// tenfold); a transaction refused so committed nothing, and the outbox
	// tries again in its next round, as this does.
	busy := func(err error) bool { return err != nil && strings.Contains(err.Error(), "SQLITE_BUSY") }
	for {
		batch, err := s.ClaimOutgoing(ctx, t0.Add(time.Minute), limit, claimant, time.Hour)
		for try := 0; busy(err) && try < 20; try++ {
			time.Sleep(10 * time.Millisecond)
			batch, err = s.ClaimOutgoing(ctx, t0.Add(time.Minute), limit, claimant, time.Hour)
		}
		if err != nil {
			return got, err
		}
		if len(batch) == 0 {
			return got, nil
		}
		for _, o := range batch {
			if o.ClaimedBy != claimant || len(o.Raw) == 0 {
				return got, fmt.Errorf("claimed %d: by %q with %d bytes", o.ID, o.ClaimedBy, len(o.Raw))
			}
			got = append(got, o.ID)
			err := s.MarkSent(ctx, o.ID, t0.Add(time.Minute))
			for try := 0; busy(err) && try < 20; try++ {
				time.Sleep(10 * time.Millisecond)
				err = s.MarkSent(ctx, o.ID, t0.Add(time.Minute))
			}
			if err != nil {
				return got, err
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// checkOnce fails the test unless every one of ids was claimed exactly
// once, across got.
func checkOnce(t *testing.T, ids []int64, got map[string][]int64) {
	t.Helper()
	seen := map[int64]string{}
	for who, g := range got {
		for _, id := range g {
			if prev, ok := seen[id]; ok {
				t.Errorf("mail %d claimed by %s and by %s", id, prev, who)
			}
			seen[id] = who
		}
		t.Logf("%s claimed %d mails", who, len(g))
	}
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			t.Errorf("mail %d never claimed", id)
		}
	}
}

// TestClaimConcurrent has two senders, on two Store handles of one file
// (they meet in SQLite's lock, as two processes would), claim a full
// outbox at once: every mail must be claimed exactly once.
func TestClaimConcurrent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "anmalan.db")
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	ids := fillOutbox(t, stores[0], 1000, 100)

	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string][]int64{}
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := fmt.Sprintf("sender%d", i)
			g, err := claimAll(ctx, s, who, 7)
			if err != nil {
				t.Errorf("%s: %v", who, err)
			}
			mu.Lock()
			got[who] = g
			mu.Unlock()
		}()
	}
	wg.Wait()
	checkOnce(t, ids, got)
}

// claimHelper is the child process of TestClaimTwoProcesses: it claims
// the outbox of the database at db and prints the IDs it got, one a line,
// then "done". It returns the exit code.
func claimHelper(db string) int {
	ctx := context.Background()
	s, err := Open(ctx, db)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	defer s.Close()
	got, err := claimAll(ctx, s, "child", 7)
	for _, id := range got {
		fmt.Println(id)
	}
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("done")
	return 0
}

// TestClaimTwoProcesses claims one outbox from this process and a child
// process at once: every mail must be claimed exactly once.
func TestClaimTwoProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "anmalan.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := fillOutbox(t, s, 2000, 100)

	child, out := startHelper(t, "claim", path)
	mine, err := claimAll(ctx, s, "parent", 7)
	if err != nil {
		t.Fatal(err)
	}
	var theirs []int64
	done := false
	for out.Scan() {
		line := out.Text()
		if line == "done" {
			done = true
			break
		}
		id, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			t.Fatalf("child: %s", line)
		}
		theirs = append(theirs, id)
	}
	if err := child.Wait(); err != nil || !done {
		t.Fatalf("child ended with %v (done %v)", err, done)
	}
	checkOnce(t, ids, map[string][]int64{"parent": mine, "child": theirs})
}

// TestClaimLease checks when a claimed mail can be claimed or listed
// again: not while the lease holds, at once after a retry or a release,
// and by anyone once the lease has ended; sent and failed mail never.
func TestClaimLease(t *testing.T) {
	ctx := context.Background()
	lease := 10 * time.Minute
	cases := []struct {
		name string
		// then is what happens to the claimed mail; it returns the time
		// of the second claim.
		then func(s *Store, id int64) (time.Time, error)
		// wantAgain is whether sender b then gets the mail.
		wantAgain bool
	}{
		{name: "lease holds", wantAgain: false,
			then: func(*Store, int64) (time.Time, error) { return t0.Add(lease - time.Second), nil }},
		{name: "lease ended", wantAgain: true,
			then: func(*Store, int64) (time.Time, error) { return t0.Add(lease), nil }},
		{name: "retry", wantAgain: true,
			then: func(s *Store, id int64) (time.Time, error) {
				return t0.Add(time.Minute), s.MarkRetry(ctx, id, t0.Add(time.Minute), "450 later")
			}},
		{name: "released", wantAgain: true,
			then: func(s *Store, id int64) (time.Time, error) {
				n, err := s.ReleaseClaims(ctx, "a")
				if err == nil && n != 1 {
					err = fmt.Errorf("released %d claims; want 1", n)
				}
				return t0.Add(time.Second), err
			}},
		{name: "released by the lock holder", wantAgain: true,
			then: func(s *Store, id int64) (time.Time, error) {
				n, err := s.ReleaseClaims(ctx, "")
				if err == nil && n != 1 {
					err = fmt.Errorf("released %d claims; want 1", n)
				}
				return t0.Add(time.Second), err
			}},
		{name: "another sender's release", wantAgain: false,
			then: func(s *Store, id int64) (time.Time, error) {
				n, err := s.ReleaseClaims(ctx, "b")
				if err == nil && n != 0 {
					err = fmt.Errorf("released %d claims; want 0", n)
				}
				return t0.Add(time.Second), err
			}},
		{name: "sent", wantAgain: false,
			then: func(s *Store, id int64) (time.Time, error) {
				return t0.Add(time.Hour), s.MarkSent(ctx, id, t0.Add(time.Second))
			}},
		{name: "failed", wantAgain: false,
			then: func(s *Store, id int64) (time.Time, error) {
				return t0.Add(time.Hour), s.MarkFailed(ctx, id, "550 no")
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			ids := fillOutbox(t, s, 1, 10)
			first, err := s.ClaimOutgoing(ctx, t0, 10, "a", lease)
			if err != nil || len(first) != 1 || first[0].ID != ids[0] || first[0].ClaimedBy != "a" ||
				!first[0].ClaimedUntil.Equal(t0.Add(lease)) {
				t.Fatalf("first claim = %+v, %v", first, err)
			}
			at, err := tc.then(s, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			due, err := s.DueOutgoing(ctx, at, 10)
			if err != nil || (len(due) == 1) != tc.wantAgain {
				t.Errorf("DueOutgoing = %d mails, %v; want the mail listed: %v", len(due), err, tc.wantAgain)
			}
			again, err := s.ClaimOutgoing(ctx, at, 10, "b", lease)
			if err != nil || (len(again) == 1) != tc.wantAgain {
				t.Errorf("second claim = %d mails, %v; want the mail claimed: %v", len(again), err, tc.wantAgain)
			}
		})
	}
}

// TestClaimRefusesBadArguments checks the claimant and lease checks.
func TestClaimRefusesBadArguments(t *testing.T) {
	s := openTest(t)
	cases := []struct {
		name     string
		claimant string
		lease    time.Duration
	}{
		{name: "empty claimant", claimant: "", lease: time.Minute},
		{name: "zero lease", claimant: "a", lease: 0},
		{name: "negative lease", claimant: "a", lease: -time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.ClaimOutgoing(context.Background(), t0, 1, tc.claimant, tc.lease); err == nil ||
				!strings.HasPrefix(err.Error(), "claim outgoing: ") {
				t.Errorf("ClaimOutgoing = %v; want an error", err)
			}
		})
	}
}

// TestSentKeepsWhatItNeeds checks what a sent mail keeps once its bytes
// are dropped, and that a failed one keeps its bytes.
func TestSentKeepsWhatItNeeds(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ids := fillOutbox(t, s, 2, 1234)
	if err := s.MarkSent(ctx, ids[0], t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	var failed []byte
	if err := s.FailOutgoing(ctx, ids[1], "550 no", func(_ *Tx, o Outgoing) error { failed = o.Raw; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1234 {
		t.Errorf("FailOutgoing handed %d bytes; want 1234", len(failed))
	}
	var sent []Outgoing
	if err := s.Read(ctx, func(tx *Tx) error {
		var err error
		sent, err = tx.SentByUs([]string{"<m0@anmalan.example>"})
		return err
	}); err != nil || len(sent) != 1 {
		t.Fatalf("SentByUs = %+v, %v", sent, err)
	}
	o := sent[0]
	if o.Status != OutboxSent || o.Size != 1234 || o.Subject != "Bekräftelse 0" || len(o.Recipients) != 1 ||
		!o.SentAt.Equal(t0.Add(time.Second)) || !o.CreatedAt.Equal(t0) || o.ClaimedBy != "" {
		t.Errorf("sent mail = %+v", o)
	}
	cases := []struct {
		name string
		id   int64
		want int
	}{
		{name: "sent", id: ids[0], want: 0},
		{name: "failed", id: ids[1], want: 1234},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n int
			if err := s.db.QueryRow(`SELECT length(raw) FROM outbox WHERE id = ?`, tc.id).Scan(&n); err != nil || n != tc.want {
				t.Errorf("stored bytes = %d, %v; want %d", n, err, tc.want)
			}
		})
	}
}

// TestUpgradeFromSchema4 upgrades a database of schema 4 with a sent and a
// pending mail: both get their size, neither a claim, and the pending one
// can be claimed.
func TestUpgradeFromSchema4(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	// Back to schema 4: drop what 0005 and later added.
	for _, q := range []string{
		`DROP INDEX outbox_kind`,
		`DROP INDEX outbox_due`, `CREATE INDEX outbox_due ON outbox (status, next_attempt, id)`,
		`DROP TRIGGER outbox_parts_drop`, `DROP TABLE outbox_parts`, `DROP TABLE blobs`,
		`DROP TABLE confirmations`,
		`ALTER TABLE registrations DROP COLUMN language`,
		`DROP TRIGGER mails_keep_copy`, `DROP TABLE mail_copies`,
		`ALTER TABLE outbox DROP COLUMN claimed_by`, `ALTER TABLE outbox DROP COLUMN claimed_until`,
		`ALTER TABLE outbox DROP COLUMN size`, `ALTER TABLE outbox DROP COLUMN subject`, `PRAGMA user_version = 4`,
		`INSERT INTO outbox (message_id, envelope_from, recipients, raw, kind, status, next_attempt, created_at, sent_at)
			VALUES ('a@x', 'bot@x', '["a@x.se"]', x'0102030405', 'confirmation', 'sent', '2029-01-01 10:00:00', '2029-01-01 10:00:00', '2029-01-01 10:00:01'),
			('b@x', 'bot@x', '["b@x.se"]', x'010203', 'confirmation', 'pending', '2029-01-01 10:00:00', '2029-01-01 10:00:00', NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a schema 4 database: %v", err)
	}
	defer s.Close()
	all, err := s.Outgoing(ctx, "")
	if err != nil || len(all) != 2 || all[0].Size != 5 || all[1].Size != 3 || all[0].ClaimedBy != "" || !all[1].ClaimedUntil.IsZero() {
		t.Fatalf("after upgrade: %+v, %v", all, err)
	}
	got, err := s.ClaimOutgoing(ctx, time.Date(2029, 1, 1, 11, 0, 0, 0, time.UTC), 10, "a", time.Minute)
	if err != nil || len(got) != 1 || got[0].MessageID != "b@x" || len(got[0].Raw) != 3 {
		t.Errorf("claim after upgrade = %+v, %v", got, err)
	}
}
