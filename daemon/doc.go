// Package daemon runs the bot unattended: it takes the database's lock
// (dblock), opens the store, makes the Bot of the config and runs it with
// the intake (IMAP, with IDLE and reconnects), the outbox (SMTP, retries,
// parallel connections) and the timers, reloads the config on SIGHUP,
// compacts the database after a spell of work and serves /metrics and
// /healthz.
//
// It imports mailbot and the stages below it (intake, outbox, metrics,
// config, store, dblock) and is imported only by demo and cmd/anmalan.
// Entry points: Open, Daemon.Run, Daemon.RunOnce, Daemon.Reload.
package daemon
