// Package mailbot holds the decisions: the Bot registers, cancels,
// answers, carries out an organiser's commands and a participant's
// changes, runs the timers (offers, reminders, material, the digest,
// retention) and tells the organisers what needs a human; each decision is
// one store transaction with its outbox rows. Package daemon runs the Bot
// with the intake and the outbox.
//
// It imports the stages below it (intake, outbox, understand, reply,
// export, metrics, config, message, store) and is imported only by daemon,
// demo and cmd/anmalan. Its end-to-end tests run the Bot through the
// daemon, on the in-process mail servers. Entry points: NewBot,
// Bot.Decide, Bot.Decider, Bot.Tick.
package mailbot
