// Package mailauth decides who really sent a mail: whether its From address
// is proved by something no outsider can write, and whether that address is
// one of the organisers.
//
// It reads Authentication-Results fields with a parser of its own
// (ParseResults, RFC 8601, also the forms Microsoft 365 and OpenDKIM write
// that go-msgauth's authres.Parse refuses), verifies DKIM signatures itself,
// and reads the organisation headers of Exchange. Every path checks what it
// proves: a dmarc=pass counts only for the From domain, a DKIM signature only
// when its domain is aligned with From, and the From must be one field with
// one well-formed mailbox (FromAddress). Addresses are compared with ASCII
// case folding only and IDN domains in A-label form (SameAddress), so that
// no Unicode case rule turns a stranger's address into an organiser's.
//
// # Entry points
//
//   - Authenticate: is the mail's From proved, for any sender (participants).
//   - AuthenticateOrganiser: the same, and the From is a listed organiser.
//   - FromAddress and SameAddress: the single-From rule and the address
//     comparison, for the rest of the bot.
//   - ParseResults and ParseARCResults: one Authentication-Results or
//     ARC-Authentication-Results field value.
//
// # Modes
//
// ModeDMARC trusts the topmost Authentication-Results field whose authserv-id
// is the configured one. That is sound only when the receiving server removes
// fields carrying its own authserv-id from arriving mail (RFC 8601 §5); the
// operator must arrange it (a Postfix header_checks IGNORE line, see the
// README, "Who may change a registration"). Only the topmost such field
// counts because the receiving server adds its field above everything the
// sender wrote.
//
// ModeDKIM trusts nothing any server wrote: the bot verifies the DKIM
// signatures of the raw mail itself, looking keys up through Policy.LookupTXT,
// and counts a signature only when it verified, covers From (go-msgauth
// requires that), has no body length limit (l=, which would let anyone append
// text) and its domain has the same organisational domain as the From domain
// (relaxed alignment, by the public suffix list).
//
// ModeExchange trusts the organisation headers of Microsoft Exchange and
// Exchange Online. Exchange's header firewall removes every
// X-MS-Exchange-Organization-* field from mail that enters the organisation
// from an untrusted source (Microsoft's "Header firewall" documentation for
// Exchange Server: "Header firewall prevents the spoofing of these
// Exchange-related X-headers by removing them from inbound messages that
// enter the Exchange organization from untrusted sources"). Exchange itself
// then stamps X-MS-Exchange-Organization-AuthAs: Internal on mail that an
// authenticated user of the organisation submitted, Anonymous on mail from
// the Internet. The mode requires exactly one
// X-MS-Exchange-Organization-AuthAs field whose value is "Internal" and
// exactly one non-empty X-MS-Exchange-Organization-AuthSource field (the
// server that authenticated the sender). When Policy.TenantID is set, every
// X-MS-Exchange-CrossTenant-Id field must name that tenant; mail that stayed
// on one mailbox server carries no such field (a real Exchange Online
// fixture in the tests shows it), so its absence alone does not refuse. The
// proof holds only when the bot's mailbox is in Exchange: a mail read from
// any other server can carry whatever X-MS-Exchange headers its sender wrote
// (a real phishing mail in the tests carries "AuthAs: Internal74").
// Hybrid and on-premises Exchange: no Receive connector that accepts mail
// from the Internet or from a partner may grant Ms-Exch-Accept-Headers-
// Organization to anonymous senders or use the "Externally Secured"
// authentication, because then Exchange keeps the sender's organisation
// headers (or stamps AuthAs: Internal itself); the hybrid connectors between
// Exchange Server and Exchange Online authenticate each other by
// certificate, so mail of on-premises users arrives as Internal. Anyone who
// may relay through an "Externally Secured" connector (a printer, an
// application) can send with any From as Internal: list only organisers
// whose mailboxes submit through authenticated clients.
//
// ModeTrustFrom trusts the From alone; anyone can forge it. It is for test
// setups only.
//
// # Imports
//
// mailauth is at the bottom of the bot's import order: it may import only
// the standard library, github.com/emersion/go-msgauth and golang.org/x/net
// (publicsuffix, idna), never a package of this project.
package mailauth
