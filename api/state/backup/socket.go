package backup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// SocketFile is the Unix socket in the state directory on which a running server answers backup
// requests. Only the service's user can reach it: the state directory is mode 0700 and the
// socket 0600.
const SocketFile = "backup.sock"

const header = "RINGTRACE-BACKUP 1\n"

// ErrNoServer is wrapped by Request's error when no server listens on the socket.
var ErrNoServer = errors.New("no running server answers on the backup socket")

// Server answers backup requests on a Unix socket.
type Server struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex // one backup at a time
	path string
}

// Listen serves backups on the socket at path: each request gets the archive that write
// produces. A stale socket left by a killed server is replaced (the caller holds the state
// database's lock, so no other server uses it).
func Listen(path string, write func(w io.Writer) (Manifest, error), log *slog.Logger) (*Server, error) {
	if len(path) > 100 {
		return nil, fmt.Errorf("backup socket path %s is too long for a Unix socket", path)
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	s := &Server{ln: ln, path: path}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				line, err := bufio.NewReader(io.LimitReader(c, 64)).ReadString('\n')
				if err != nil || strings.TrimSpace(line) != "backup" {
					fmt.Fprintf(c, "error: unknown request\n")
					return
				}
				s.mu.Lock()
				defer s.mu.Unlock()
				if _, err := io.WriteString(c, header); err != nil {
					return
				}
				bw := bufio.NewWriterSize(c, 1<<20)
				m, err := write(bw)
				if err == nil {
					err = bw.Flush()
				}
				if err != nil {
					// The client sees an archive without its manifest and says so.
					log.Error("online backup failed", "err", err)
					return
				}
				log.Info("online backup written", "files", len(m.Files), "audit_records", m.AuditSeq)
			}()
		}
	}()
	return s, nil
}

// Close stops listening, waits for a running backup and removes the socket.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	_ = os.Remove(s.path)
	return err
}

// Request asks the server on the socket at path for a backup and copies the archive to w.
func Request(path string, w io.Writer) error {
	c, err := net.Dial("unix", path)
	if err != nil {
		return fmt.Errorf("%w (%s): %v", ErrNoServer, path, err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "backup\n"); err != nil {
		return err
	}
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("backup socket: %w", err)
	}
	if line != header {
		return fmt.Errorf("backup socket: %s", strings.TrimSpace(line))
	}
	_, err = io.Copy(w, br)
	return err
}
