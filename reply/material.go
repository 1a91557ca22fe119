package reply

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// fileStamp is what tells that a material file changed on disk without
// reading it: its size and modification time.
type fileStamp struct {
	size int64
	mod  time.Time
}

// loadMaterial reads one material file and hashes its content.
func loadMaterial(p string) (Material, fileStamp, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return Material{}, fileStamp{}, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return Material{}, fileStamp{}, err
	}
	ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(p)))
	if ct == "" {
		ct = "application/octet-stream"
	}
	sum := sha256.Sum256(data)
	return Material{Name: filepath.Base(p), ContentType: ct, Data: data, Hash: hex.EncodeToString(sum[:])},
		fileStamp{size: fi.Size(), mod: fi.ModTime()}, nil
}

// Library holds every event's material files as loaded, and reloads a
// file that changed on disk while the daemon runs, so that new
// confirmations carry the file as it is now. A file named by several
// events (one report for every session) is read and held once, and so are
// files of the same content. It is safe for concurrent use: the timers
// reload while mail is being handled.
type Library struct {
	mu     sync.RWMutex
	files  map[string][]string // event id → paths, as configured
	byID   map[string][]Material
	stamps map[string]fileStamp
	// byPath is each file as loaded, shared by the events that name it.
	byPath map[string]Material
}

// NewLibrary loads the files of each event (event id → paths). It fails
// when a file cannot be read, naming the event.
func NewLibrary(files map[string][]string) (*Library, error) {
	l := &Library{files: files, byID: map[string][]Material{}, stamps: map[string]fileStamp{}, byPath: map[string]Material{}}
	for id, paths := range files {
		for _, p := range paths {
			m, ok := l.byPath[p]
			if !ok {
				var st fileStamp
				var err error
				m, st, err = loadMaterial(p)
				if err != nil {
					return nil, fmt.Errorf("event %s material: %w", id, err)
				}
				m = l.shared(m)
				l.byPath[p], l.stamps[p] = m, st
			}
			l.byID[id] = append(l.byID[id], m)
		}
	}
	return l, nil
}

// shared returns m with the Data of a file of the same content already
// held, when there is one.
func (l *Library) shared(m Material) Material {
	for _, o := range l.byPath {
		if o.Hash == m.Hash {
			m.Data = o.Data
			break
		}
	}
	return m
}

// Of returns the event's material as loaded now.
func (l *Library) Of(eventID string) []Material {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.byID[eventID]
}

// Reload reads again every file whose size or time changed on disk. A
// file that cannot be read now keeps its last version, and the problem is
// logged.
func (l *Library) Reload(log *slog.Logger) {
	l.mu.RLock()
	paths := make([]string, 0, len(l.stamps))
	for p := range l.stamps {
		paths = append(paths, p)
	}
	l.mu.RUnlock()
	slices.Sort(paths)
	for _, p := range paths {
		fi, err := os.Stat(p)
		l.mu.RLock()
		old := l.stamps[p]
		l.mu.RUnlock()
		if err != nil {
			log.Warn("material file cannot be read; keeping the last version", slog.String("events", l.eventsOf(p)), slog.String("file", p), slog.String("error", err.Error()))
			continue
		}
		if fi.Size() == old.size && fi.ModTime().Equal(old.mod) {
			continue
		}
		m, st, err := loadMaterial(p)
		if err != nil {
			log.Warn("material file cannot be read; keeping the last version", slog.String("events", l.eventsOf(p)), slog.String("file", p), slog.String("error", err.Error()))
			continue
		}
		l.mu.Lock()
		m = l.shared(m)
		l.byPath[p], l.stamps[p] = m, st
		for id, ps := range l.files {
			for i, q := range ps {
				if ms := l.byID[id]; q == p && i < len(ms) {
					ms = slices.Clone(ms)
					ms[i] = m
					l.byID[id] = ms
				}
			}
		}
		l.mu.Unlock()
	}
}

// eventsOf names the events whose material includes the file at p.
func (l *Library) eventsOf(p string) string {
	var ids []string
	for id, ps := range l.files {
		if slices.Contains(ps, p) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, ",")
}
