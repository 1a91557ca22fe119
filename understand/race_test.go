//go:build race

package understand

// raceEnabled is true when the tests run under the race detector. Its
// sync.Pool drops pooled objects at random (the regexp package's matchers
// among them), so a mail read under -race allocates more than in
// production; the allocation bounds of TestBadInput allow for that.
const raceEnabled = true
