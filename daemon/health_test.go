package daemon

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/metrics"
	"github.com/goteborgsregionen/anmalan/store"
)

// TestHealthFailureStreak: rounds that only had replies to retry make the
// daemon unhealthy after failureStreak of them; a reply refused for good
// does not count, and one reply sent makes it healthy again.
func TestHealthFailureStreak(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "anmalan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := &Daemon{store: st, now: time.Now, metrics: metrics.New(st, time.Now, slog.New(slog.DiscardHandler))}
	d.metrics.IMAPUp(true)
	for i := range failureStreak {
		if why := d.Health(ctx); len(why) != 0 {
			t.Fatalf("unhealthy after %d failed rounds: %q", i, why)
		}
		d.metrics.Delivered(0, 3, 0)
	}
	why := d.Health(ctx)
	if len(why) != 1 || !strings.Contains(why[0], "the last 5 delivery rounds sent nothing") {
		t.Fatalf("health after %d failed rounds: %q", failureStreak, why)
	}
	d.metrics.Delivered(0, 0, 1)
	if len(d.Health(ctx)) == 0 {
		t.Error("a reply refused for good ended the streak")
	}
	d.metrics.Delivered(1, 1, 0)
	if why := d.Health(ctx); len(why) != 0 {
		t.Errorf("unhealthy after a reply was sent: %q", why)
	}
	d.metrics.IMAPUp(false)
	if why := d.Health(ctx); len(why) != 1 || why[0] != "imap: not connected" {
		t.Errorf("health with IMAP down: %q", why)
	}
}
