package backup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ringtrace/ringtrace/api/audit"
)

// RestoreResult says what Restore did.
type RestoreResult struct {
	Manifest Manifest
	Audit    audit.Verification
	// MovedAside are the former non-empty directories, renamed rather than deleted (force).
	MovedAside []string
}

// Restore unpacks the archive read from r into stateDir and, when the archive holds the embedded
// graph store, into graphDir (required then; ignored otherwise). A non-empty target is refused with ErrNotEmpty
// unless force, which moves it aside to <dir>.before-restore-<time> rather than deleting it.
// Everything is unpacked beside the targets first, checked against the manifest and the audit
// chain verified; only then are the directories moved into place, so a bad archive leaves the
// targets as they were.
func Restore(r io.Reader, stateDir, graphDir string, force bool, now time.Time) (RestoreResult, error) {
	var res RestoreResult
	if !force && !emptyDir(stateDir) {
		return res, fmt.Errorf("%w: %s (give --force to move it aside and restore)", ErrNotEmpty, stateDir)
	}
	stage := func(d string) (string, error) {
		if err := os.MkdirAll(filepath.Dir(filepath.Clean(d)), 0o700); err != nil {
			return "", err
		}
		return os.MkdirTemp(filepath.Dir(filepath.Clean(d)), "."+filepath.Base(d)+".restoring-")
	}
	tmpState, err := stage(stateDir)
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(tmpState)
	tmpGraph := ""
	if graphDir != "" {
		if tmpGraph, err = stage(graphDir); err != nil {
			return res, err
		}
		defer os.RemoveAll(tmpGraph)
	}
	if err := os.Chmod(tmpState, 0o700); err != nil {
		return res, err
	}
	m, err := extract(r, tmpState, tmpGraph)
	if err != nil {
		return res, err
	}
	res.Manifest = m
	if m.Graph && graphDir == "" {
		return res, errors.New("the backup holds the embedded graph store: give --db DIR to restore it")
	}
	if m.Graph && !force && !emptyDir(graphDir) {
		return res, fmt.Errorf("%w: %s (give --force to move it aside and restore)", ErrNotEmpty, graphDir)
	}
	v, err := audit.VerifyDir(tmpState)
	res.Audit = v
	if err != nil {
		return res, fmt.Errorf("restored audit trail: %w", err)
	}
	if v.Records != m.AuditSeq || v.Head != m.AuditHead {
		return res, fmt.Errorf("%w: restored audit trail has %d records (head %s), the manifest says %d (%s)", ErrBadArchive, v.Records, v.Head, m.AuditSeq, m.AuditHead)
	}
	moves := [][2]string{{tmpState, stateDir}}
	if graphDir != "" && m.Graph {
		moves = append(moves, [2]string{tmpGraph, graphDir})
	}
	stamp := now.UTC().Format("20060102T150405Z")
	for _, mv := range moves {
		if _, err := os.Stat(mv[1]); err == nil {
			if emptyDir(mv[1]) {
				if err := os.Remove(mv[1]); err != nil {
					return res, err
				}
			} else {
				aside := filepath.Clean(mv[1]) + ".before-restore-" + stamp
				if err := os.Rename(mv[1], aside); err != nil {
					return res, fmt.Errorf("move %s aside: %w", mv[1], err)
				}
				res.MovedAside = append(res.MovedAside, aside)
			}
		}
		if err := os.Rename(mv[0], mv[1]); err != nil {
			return res, fmt.Errorf("move restored %s into place: %w", mv[1], err)
		}
	}
	return res, nil
}

// emptyDir reports whether d is missing or an empty directory.
func emptyDir(d string) bool {
	ents, err := os.ReadDir(d)
	if os.IsNotExist(err) {
		return true
	}
	return err == nil && len(ents) == 0
}
