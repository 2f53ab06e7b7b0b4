package storage

import (
	"errors"
	"fmt"
	"path/filepath"
)

// DefaultPath is the database path when --db is not given (DESIGN
// "Storage"): $TALKCARDS_DB, else $XDG_DATA_HOME/talkcards/talkcards.db,
// else $HOME/.local/share/talkcards/talkcards.db. getenv is os.Getenv in
// production.
func DefaultPath(getenv func(string) string) (string, error) {
	if p := getenv("TALKCARDS_DB"); p != "" {
		return p, nil
	}
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "talkcards", "talkcards.db"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("no database path: set --db, TALKCARDS_DB or HOME")
	}
	return filepath.Join(home, ".local", "share", "talkcards", "talkcards.db"), nil
}

// ValidUser reports whether name is a valid user name:
// [A-Za-z0-9._-]{1,64}. Otherwise it returns an error wrapping ErrBadUser.
func ValidUser(name string) error {
	if len(name) == 0 || len(name) > 64 {
		return fmt.Errorf("user %q: %w", name, ErrBadUser)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '-':
		default:
			return fmt.Errorf("user %q: %w", name, ErrBadUser)
		}
	}
	return nil
}
