// Package anmalan holds the documented example configuration and its
// sample material, embedded so that `anmalan demo` runs from any directory
// with exactly the config the documentation shows. The bot itself is in
// package mailbot; the command is cmd/anmalan.
package anmalan

import "embed"

// Example holds config.example.toml and the material it names.
//
//go:embed config.example.toml material
var Example embed.FS
