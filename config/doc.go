// Package config holds the daemon's configuration: its types, every
// default (in one place, applied once by the loader), and every check,
// reported all at once. decode.go is the strict TOML decoder on its own:
// unknown keys and wrong types are problems with their line and a
// suggestion; load.go applies the defaults and checks the values.
//
// It imports only the standard library and BurntSushi/toml. Entry points:
// LoadConfig, ParseConfig, and the methods of Config that answer one fact
// each (BotAddress, IsOrganiser, EventByID, FromAddress).
package config
