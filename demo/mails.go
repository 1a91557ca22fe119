package demo

// step is one scripted moment of the demo: a mail arriving at a given time.
type step struct {
	// at is the arrival time, "2006-01-02 15:04" in Europe/Stockholm.
	at string
	// title says what the step shows.
	title string
	// raw is the mail; {{DATE}} is replaced by its Date header value.
	raw string
	// again re-delivers the mail of an earlier step (its index) instead.
	again int
}

// The demo's mail is appended to the bot's inbox as the receiving server
// of goteborgsregionen.example would deliver it: organisers' mail carries
// its Authentication-Results (its authserv-id is the example config's
// trusted_authserv_id). In a script's raw text, {{DATE}} is the Date
// header value, {{SEATS}} the seats the organiser asks for, and
// {{REPLY:address}} the Message-ID of the bot's last mail to the address.
const organiserAuth = "Authentication-Results: " + authServID + ";\n\tdkim=pass header.d=goteborgsregionen.example;\n\tdmarc=pass header.from=goteborgsregionen.example\n"

// script is the demo's story: the week before the deadline of the
// example workshop, with five seats, and its second session.
var script = []step{
	{at: "2018-11-26 09:00", title: "An English registration with form fields", raw: `From: "Carter, Emily" <emily.carter@chalmers.example>
To: anmalan@goteborgsregionen.example
Subject: Registration - workshop on segregation 11 December
Date: {{DATE}}
Message-ID: <demo-01@chalmers.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Dear organisers,

I would like to register for the workshop on 11 December.

Name: Emily Carter
Organisation: Chalmers University of Technology
Dietary requirements: none

Kind regards,
Emily
`},
	{at: "2018-11-27 09:14", title: "A Swedish registration from Outlook, in windows-1252", raw: "From: Karin Ek <karin.ek@molndal.example>\n" +
		"To: \"anmalan@goteborgsregionen.example\" <anmalan@goteborgsregionen.example>\n" +
		"Subject: =?windows-1252?Q?Anm=E4lan_till_workshop_11_december?=\n" +
		"Date: {{DATE}}\n" +
		"Message-ID: <demo-02@EXCH01.molndal.example>\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=\"windows-1252\"\n" +
		"Content-Transfer-Encoding: quoted-printable\n\n" +
		"Hej!\n\nJag vill anm=E4la mig till workshopen =94P=E5 tal om segregation=94 den 11 =\ndecember.\n\n" +
		"Med v=E4nliga h=E4lsningar\n\nKarin Ek\nUtvecklingsledare\nM=F6lndals stad\n"},
	{at: "2018-11-28 10:02", title: "A Gmail registration with a diet", raw: `From: Johan Lindqvist <johan.lindqvist@lerum.example>
To: anmalan@goteborgsregionen.example
Subject: =?UTF-8?B?QW5tw6RsYW46IFDDpSB0YWwgb20gc2VncmVnYXRpb24=?=
Date: {{DATE}}
Message-ID: <demo-03@mail.gmail.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

Namn: Johan Lindqvist
Organisation: Lerums kommun
E-post: johan.lindqvist@lerum.example
Specialkost: Vegetarisk
`},
	{at: "2018-11-29 08:30", title: "An out-of-office answer (never answered)", raw: `From: Per Andersson <per.andersson@kungalv.example>
To: anmalan@goteborgsregionen.example
Subject: =?utf-8?Q?Automatiskt_svar:_Fr=C3=A5nvaro?=
Date: {{DATE}}
Message-ID: <demo-04@kungalv.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Jag är på semester till och med 3 december.
`},
	{at: "2018-11-30 13:20", title: "A group of three from one municipality (two seats left)", raw: `From: Anders Berg <anders.berg@partille.example>
To: anmalan@goteborgsregionen.example
Subject: =?utf-8?Q?Anm=C3=A4lan_fr=C3=A5n_Partille_kommun?=
Date: {{DATE}}
Message-ID: <demo-05@partille.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hej,

Vi blir tre från Partille kommun som vill delta den 11 december:

- Anders Berg, anders.berg@partille.example
- Maria Holm, maria.holm@partille.example
- Erik Sjöberg, erik.sjoberg@partille.example (glutenfri kost)

Vänliga hälsningar
Anders Berg
Partille kommun
`},
	{at: "2018-11-30 15:05", title: "Karin Ek registers a second time", raw: `From: Karin Ek <karin.ek@molndal.example>
To: anmalan@goteborgsregionen.example
Subject: =?utf-8?Q?Anm=C3=A4lan?=
Date: {{DATE}}
Message-ID: <demo-06@EXCH01.molndal.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hej! Jag vill anmäla mig till workshopen den 11 december.

/Karin Ek
Mölndals stad
`},
	{at: "2018-11-30 15:06", title: "The server delivers Emily's mail a second time", again: 0},
	{at: "2018-12-03 07:41", title: "A registration when the event is full", raw: `From: Sara Nilsson <sara.nilsson@ale.example>
To: anmalan@goteborgsregionen.example
Subject: =?utf-8?Q?Anm=C3=A4lan?=
Date: {{DATE}}
Message-Id: <demo-08@ale.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Anmäl mig gärna till workshopen den 11/12!

/Sara Nilsson
`},
	{at: "2018-12-03 09:30", title: "The organiser answers Johan with the bot in Cc: she cancels him", raw: organiserAuth +
		`From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>
To: Johan Lindqvist <johan.lindqvist@lerum.example>
Cc: GR Anmälan <anmalan@goteborgsregionen.example>
Subject: SV: Anmälan: På tal om segregation
Date: {{DATE}}
Message-ID: <demo-10@goteborgsregionen.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hej Johan!

Tråkigt att du inte kan komma. Jag tar bort din anmälan:

avanmäl Johan Lindqvist

Hälsningar
Linda Karlsson
Göteborgsregionen
`},
	{at: "2018-12-03 12:10", title: "Maria Holm cancels by replying to her confirmation", raw: `From: Maria Holm <maria.holm@partille.example>
To: GR Anmälan <anmalan@goteborgsregionen.example>
Subject: =?utf-8?Q?SV:_Bekr=C3=A4ftelse:_P=C3=A5_tal_om_segregation?=
Date: {{DATE}}
Message-ID: <demo-11@partille.example>
In-Reply-To: {{REPLY:maria.holm@partille.example}}
References: {{REPLY:maria.holm@partille.example}}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hej!

Tyvärr kan jag inte komma. Avanmäl mig, tack.

/Maria Holm
`},
	{at: "2018-12-04 10:20", title: "A registration whose date picks the second session (13 December)", raw: `From: Nils Åberg <nils.aberg@harryda.example>
To: anmalan@goteborgsregionen.example
Subject: =?utf-8?Q?Anm=C3=A4lan?=
Date: {{DATE}}
Message-ID: <demo-12@harryda.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hej! Jag vill anmäla mig till samtalet om segregation den 13 december.

Nils Åberg
Härryda kommun
`},
	{at: "2018-12-04 15:00", title: "The organiser gets a bigger room: more seats", raw: organiserAuth +
		`From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>
To: GR Anmälan <anmalan@goteborgsregionen.example>
Subject: Fler platser till segregation-2018
Date: {{DATE}}
Message-ID: <demo-13@goteborgsregionen.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

platser {{SEATS}}

Linda
`},
	{at: "2018-12-05 09:00", title: "A registration after the deadline (4 December)", raw: `From: Fatima Hassan <fatima.hassan@goteborg.example>
To: anmalan@goteborgsregionen.example
Subject: =?utf-8?Q?Anm=C3=A4lan_workshop?=
Date: {{DATE}}
Message-ID: <demo-09@goteborg.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hej,

Jag anmäler mig härmed till workshopen På tal om segregation den 11 december.

Fatima Hassan
Göteborgs Stad
`},
}
