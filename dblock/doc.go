// Package dblock is the exclusive hold of one process on one database: an
// flock(2) on a lock file beside it, naming the holder (pid, host, since,
// command), so that a second daemon or a `run --once` beside it is refused
// instead of sending every reply a second time.
//
// It imports only the standard library. Entry points: TakeLock, Lock.Close,
// LockedError.
package dblock
