package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/daemon"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", stderr)
	configFlag := fs.String("config", "", "config file")
	once := fs.Bool("once", false, "handle what is in the inbox, deliver the replies, and exit")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	// SIGHUP reloads the config (below); caught from the start, so that
	// one arriving while the daemon opens does not kill it.
	hup := make(chan os.Signal, 1)
	if !*once {
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	}
	log, err := newLogger(stderr, *logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "anmalan run:", err)
		return 2
	}
	path := configPath(*configFlag)
	cfg, err := config.LoadConfig(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, w := range cfg.Warnings() {
		log.Warn("config", slog.String("warning", w))
	}
	if problems := cfg.CheckSecrets(); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return 1
	}
	// After a spell of work the daemon gives the memory it no longer
	// needs back to the operating system at once (one full collection of
	// a heap that is small by then), instead of leaving it to the
	// runtime's background scavenger, which returns it slowly and keeps
	// part of it: 15 s after draining 10,000 mails the idle daemon's own
	// (anonymous) memory was 29.5 MB without this and 21–25 MB with it.
	//
	// No soft memory limit is set by default (an operator may set
	// GOMEMLIMIT). Measured on that drain, the live heap is about 14 MB,
	// most of it what the inbox listed of the whole backlog; a limit
	// close to it only makes the collector run without pause: 24 MiB
	// cut the peak RSS from 72 to 58 MB for 2.3 times the CPU time,
	// 32 MiB to 62 MB for 13 % more, on a drain whose speed is already
	// short of its goal.
	command := "anmalan run"
	if *once {
		command += " --once"
	}
	d, err := daemon.Open(ctx, cfg, daemon.Options{Now: time.Now, Log: log, Idle: debug.FreeOSMemory, Command: command})
	if err != nil {
		fmt.Fprintln(stderr, "anmalan run:", err)
		return 1
	}
	defer d.Close()
	if *once {
		n, rep, err := d.RunOnce(ctx)
		fmt.Fprintf(stdout, "handled %d mails; replies sent %d, to retry %d, failed %d\n", n, rep.Sent, rep.Retry, rep.Failed)
		if err != nil {
			fmt.Fprintln(stderr, "anmalan run:", err)
			return 1
		}
		return 0
	}
	// A bad config is refused (and logged by Reload) and the running one
	// stays.
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the config", slog.String("file", path))
				_ = d.Reload(ctx, path)
			}
		}
	}()
	if err := d.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "anmalan run:", err)
		return 1
	}
	return 0
}

// newLogger returns a slog logger writing text or JSON to w.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("unknown log format %q (want text or json)", format)
}
