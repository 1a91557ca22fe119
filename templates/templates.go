// Package templates holds the reply templates, embedded in the binary.
//
// Each reply kind has one file per language and format: NAME.txt.tmpl is a
// text/template that defines "subject" and "body"; NAME.html.tmpl is an
// html/template that defines "body". The package knows nothing about what the
// templates are filled with; mailbot parses and executes them.
package templates

import "embed"

// FS holds every template, under sv/ and en/, and phrases.toml: the
// phrases that the bot puts into the templates, in both languages.
//
//go:embed sv/*.tmpl en/*.tmpl phrases.toml
var FS embed.FS
