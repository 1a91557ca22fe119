package main

import "os"

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
