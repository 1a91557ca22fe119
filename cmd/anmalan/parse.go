package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand"
)

// parseOutput is one line of `anmalan parse`: what the bot understood, with
// the file it came from.
type parseOutput struct {
	File string `json:"file"`
	understand.Understanding
}

// cmdParse prints, for each mail file, one JSON object on one line saying
// what the bot would understand from it, changing nothing. It returns 0 when
// every file was read, 1 when a file could not be read at all (the error is
// on stderr; the other files are still printed), and 2 for bad usage.
func cmdParse(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("parse", stderr)
	configPath := fs.String("config", "", "config `FILE` with the events, organisers and trusted authserv-id (optional)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	var cfg *config.Config
	if *configPath != "" {
		c, err := config.LoadConfig(*configPath)
		if err != nil {
			fmt.Fprintf(stderr, "anmalan parse: %v\n", err)
			return 1
		}
		cfg = c
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	status := 0
	for _, path := range fs.Args() {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "anmalan parse: %v\n", ctx.Err())
			return 1
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "anmalan parse: %v\n", err)
			status = 1
			continue
		}
		m, err := message.ReadMessage(raw)
		if err != nil {
			fmt.Fprintf(stderr, "anmalan parse: %s: %v\n", path, err)
			status = 1
			continue
		}
		if err := enc.Encode(parseOutput{File: path, Understanding: understand.Understand(m, cfg)}); err != nil {
			fmt.Fprintf(stderr, "anmalan parse: write: %v\n", err)
			return 1
		}
	}
	return status
}
