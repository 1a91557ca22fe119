package dblock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Lock is an exclusive hold on one database: the process that holds it is
// the only one that fetches mail and sends the outbox. It is an flock(2)
// on a lock file beside the database, so the kernel releases it when the
// process ends, however it ends (kill -9 included): no stale lock is left
// to clean up. The file descriptor is opened close-on-exec, so a child
// process (an OAuth2 token command) does not inherit the lock.
//
// flock works between processes on one host; on a network file system it
// may not, like SQLite's own locking there.
type Lock struct {
	f *os.File
	// Path is the lock file's path.
	Path string
	// Holder is what this lock wrote into the file.
	Holder Holder
}

// Holder is what the lock file says about the process holding it.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Since   time.Time `json:"since"`
	Command string    `json:"command"`
}

// LockedError is returned by TakeLock when another process holds the
// database's lock.
type LockedError struct {
	// Database is the database file's path.
	Database string
	// Holder is what the lock file says about the holder; its fields are
	// zero when the file could not be read (the holder had not yet written
	// it).
	Holder Holder
}

func (e *LockedError) Error() string {
	h := e.Holder
	if h.PID == 0 {
		return fmt.Sprintf("database %s is in use by another process", e.Database)
	}
	s := fmt.Sprintf("database %s is in use by pid %d", e.Database, h.PID)
	if h.Host != "" {
		s += " on host " + h.Host
	}
	if !h.Since.IsZero() {
		s += " since " + h.Since.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	if h.Command != "" {
		s += " (" + h.Command + ")"
	}
	return s
}

// LockPath returns the path of the lock file of the database at dbPath.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// TakeLock takes the exclusive lock of the database at dbPath, without
// waiting, and writes into the lock file this process's ID, the host name,
// now and command (what the operator ran, such as "anmalan run"). Take it
// before Open, and Close it after the Store. It fails with a *LockedError
// naming the holder when another process (or another TakeLock in this
// one) holds the lock, and with an error when the lock file cannot be
// opened or written.
func TakeLock(dbPath string, now time.Time, command string) (*Lock, error) {
	p := LockPath(dbPath)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Database: dbPath, Holder: readHolder(p)}
		}
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	host, _ := os.Hostname()
	h := Holder{PID: os.Getpid(), Host: host, Since: now.UTC().Truncate(time.Second), Command: command}
	b, err := json.Marshal(h)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	// Written in one call at offset 0 after truncating, so that a reader
	// sees either nothing or the whole record.
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock file: %w", err)
	}
	if _, err := f.WriteAt(append(b, '\n'), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock file: %w", err)
	}
	return &Lock{f: f, Path: p, Holder: h}, nil
}

// flock takes an exclusive, non-blocking flock on f, retrying when a
// signal interrupts the call.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// readHolder reads the lock file at p. The holder writes it right after
// taking the lock, so an empty file is read again a few times; what
// cannot be read gives a zero Holder.
func readHolder(p string) Holder {
	var h Holder
	for range 5 {
		b, err := os.ReadFile(p)
		if err == nil && json.Unmarshal(b, &h) == nil {
			return h
		}
		time.Sleep(20 * time.Millisecond)
	}
	return Holder{}
}

// Close empties the lock file and releases the lock. The file itself
// stays: removing it would let a process that opened it just before lock
// the removed file while a third locks a new one. Close returns the error
// of closing the file; a second Close does nothing.
func (l *Lock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	_ = f.Truncate(0)
	// Closing the only descriptor releases the flock.
	if err := f.Close(); err != nil {
		return fmt.Errorf("release lock: %w", err)
	}
	return nil
}
