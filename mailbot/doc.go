// Package mailbot holds the decisions: the Bot registers, cancels,
// answers, carries out an organiser's commands and a participant's
// changes, runs the timers (offers, reminders, material, the digest,
// retention) and tells the organisers what needs a human; each decision is
// one store transaction with its outbox rows. The Daemon runs the bot
// with the intake, the outbox and the timers, reloads on SIGHUP and serves
// /metrics and /healthz.
//
// It imports the stages below it (intake, outbox, understand, reply,
// export, metrics, config, message, store) and is imported only by demo
// and cmd/anmalan. Entry points: NewBot, Bot.Decide, Open, Daemon.Run,
// Daemon.RunOnce.
package mailbot
