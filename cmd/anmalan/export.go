package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/goteborgsregionen/anmalan/export"
	"github.com/goteborgsregionen/anmalan/store"
)

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("export", stderr)
	configFlag := fs.String("config", "", "config file")
	eventID := fs.String("event", "", "event ID (required)")
	format := fs.String("format", "csv", "csv or xlsx (in the config's language, with a sign-in sheet)")
	out := fs.String("o", "", "output file (default: standard output)")
	delimiter := fs.String("delimiter", ";", "CSV field separator; ';' suits Swedish Excel, ',' most others")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if *eventID == "" {
		fmt.Fprintln(stderr, "anmalan export: -event is required")
		return 2
	}
	if *format != "csv" && *format != "xlsx" {
		fmt.Fprintf(stderr, "anmalan export: unknown format %q (want csv or xlsx)\n", *format)
		return 2
	}
	delim, size := utf8.DecodeRuneInString(*delimiter)
	if size == 0 || size != len(*delimiter) || delim == '"' || delim == '\n' || delim == '\r' {
		fmt.Fprintf(stderr, "anmalan export: the delimiter must be one character, not %q\n", *delimiter)
		return 2
	}
	cfg, st, ok := openConfigStore(ctx, "export", *configFlag, stderr)
	if !ok {
		return 1
	}
	defer st.Close()
	ev, err := st.Event(ctx, *eventID)
	if errors.Is(err, store.ErrNoEvent) {
		fmt.Fprintf(stderr, "anmalan export: no event %q\n", *eventID)
		return 1
	}
	if err != nil {
		fmt.Fprintln(stderr, "anmalan export:", err)
		return 1
	}
	regs, err := st.Registrations(ctx, *eventID)
	if err != nil {
		fmt.Fprintln(stderr, "anmalan export:", err)
		return 1
	}
	w := stdout
	var f *os.File
	if *out != "" {
		// Write next to the target and rename, so a failed export never
		// leaves half a file where the last good one was.
		f, err = os.CreateTemp(dirOf(*out), ".anmalan-export-*")
		if err != nil {
			fmt.Fprintln(stderr, "anmalan export:", err)
			return 1
		}
		defer os.Remove(f.Name())
		w = f
	}
	if *format == "csv" {
		err = export.WriteCSV(w, regs, delim, cfg.Location)
	} else {
		// Built whole before a byte is written, so that a failure leaves
		// nothing half-written on standard output.
		var buf bytes.Buffer
		if err = export.WriteXLSX(&buf, ev, regs, cfg.Location, cfg.Language); err == nil {
			_, err = w.Write(buf.Bytes())
		}
	}
	if err == nil && f != nil {
		err = f.Close()
		if err == nil {
			err = os.Rename(f.Name(), *out)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "anmalan export:", err)
		return 1
	}
	if *out != "" {
		fmt.Fprintf(stderr, "wrote %d registrations of %s to %s\n", len(regs), *eventID, *out)
	}
	return 0
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			return path[:i+1]
		}
	}
	return "."
}
