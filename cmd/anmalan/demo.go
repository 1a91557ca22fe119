package main

import (
	"context"
	"fmt"
	"io"

	"github.com/goteborgsregionen/anmalan/demo"
)

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", stderr)
	keep := fs.Bool("keep", false, "keep the servers and the bot running for a mail client, until Ctrl-C")
	seats := fs.Int("seats", 5, "seats of the example event in the demo")
	verbose := fs.Bool("v", false, "also print the bot's log")
	httpListen := fs.String("http", "", "serve /metrics and /healthz on `ADDR` (host:port; port 0 picks a free one); default none")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	opts := demo.Options{Keep: *keep, Seats: *seats, HTTP: *httpListen}
	if *verbose || *keep {
		opts.Log = stderr
	}
	if err := demo.Run(ctx, stdout, opts); err != nil {
		fmt.Fprintln(stderr, "anmalan demo:", err)
		return 1
	}
	return 0
}
