//go:build !race

package understand

// raceEnabled is false without the race detector: see race_test.go.
const raceEnabled = false
