package mailbot

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// LoadConfig reads a TOML config file. This is a stand-in so that the parse
// command compiles in this branch; the real LoadConfig (validation, time
// zones, relative paths) replaces this file at merge.
func LoadConfig(path string) (*Config, error) {
	var cfg Config
	if _, err := toml.DecodeFile(path, &cfg); err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	return &cfg, nil
}
