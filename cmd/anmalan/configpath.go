package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/store"
)

// defaultConfigFile is the config file used when neither -config nor
// $ANMALAN_CONFIG names one.
const defaultConfigFile = "anmalan.toml"

// configPath returns the config file to use: flagValue when -config was
// given, else $ANMALAN_CONFIG when set, else ./anmalan.toml.
func configPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := os.Getenv("ANMALAN_CONFIG"); env != "" {
		return env
	}
	return defaultConfigFile
}

// openConfigStore loads the config named by configFlag (see configPath) and
// opens its database, for the commands that read or change registrations.
// It prints what went wrong, prefixed with the command's name, and reports
// false when either step failed; the caller then exits 1.
func openConfigStore(ctx context.Context, name, configFlag string, stderr io.Writer) (*config.Config, *store.Store, bool) {
	cfg, err := config.LoadConfig(configPath(configFlag))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, nil, false
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		fmt.Fprintf(stderr, "anmalan %s: %v\n", name, err)
		return nil, nil, false
	}
	return cfg, st, true
}
