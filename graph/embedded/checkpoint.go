package embedded

import (
	"errors"
	"fmt"
)

// Checkpoint writes a consistent copy of the store into dir, which must not exist: Pebble
// hard-links the immutable table files (copies them across file systems) and copies the WAL and
// manifest up to the moment of the call. It waits for a running write call to finish, so that a
// copy never holds half of one PutClaims; the open store keeps serving reads meanwhile.
func (s *Store) Checkpoint(dir string) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.closed {
		return errors.New("embedded store: closed")
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.db.Checkpoint(dir); err != nil {
		return fmt.Errorf("checkpoint embedded store to %s: %w", dir, err)
	}
	return nil
}
