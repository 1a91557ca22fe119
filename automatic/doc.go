// Package automatic tells mail written by a machine from mail written by
// a person: bounces and delivery reports, auto-replies (RFC 3834, Exchange,
// Gmail, out-of-office subjects and bodies), read receipts, list and bulk
// mail, calendar replies and the bot's own mail. Such mail is never
// answered; a bounce names the addresses that failed.
//
// It imports message and config (for the bot's own address). Entry points:
// Classify and BouncedAddresses; Kind and its constants.
package automatic
