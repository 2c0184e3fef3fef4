package backup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/ringtrace/ringtrace/api/state"
)

// OtherFiles are the state directory's databases beside state.db.
var OtherFiles = []string{"intake.db", "blacklist.db"}

// WriteStopped writes the archive of a stopped server's state directory (and of graph, the
// embedded store the caller opened, when not nil). It fails wrapping state.ErrLocked when a
// server holds the databases: ask it through Request then.
func WriteStopped(w io.Writer, stateDir string, graph Checkpointer, now time.Time) (Manifest, error) {
	st, err := state.OpenReadOnly(stateDir)
	if err != nil {
		return Manifest{}, err
	}
	defer st.Close()
	src := Source{State: st.Bolt(), StateDir: stateDir, Others: map[string]*bolt.DB{}, Graph: graph}
	for _, n := range OtherFiles {
		p := filepath.Join(stateDir, n)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		db, err := bolt.Open(p, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
		if err != nil {
			if errors.Is(err, bolterrors.ErrTimeout) {
				return Manifest{}, fmt.Errorf("open %s: %w", p, state.ErrLocked)
			}
			return Manifest{}, fmt.Errorf("open %s: %w", p, err)
		}
		defer db.Close()
		src.Others[n] = db
	}
	return Write(w, src, now)
}
