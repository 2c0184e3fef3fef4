package neo4j

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/ringtrace/ringtrace/graph"
)

// DefaultDatabase is the database used when Config.Database is empty. Community edition has
// exactly one user database, named neo4j.
const DefaultDatabase = "neo4j"

// Config says where the Neo4j server is. URI is e.g. bolt://127.0.0.1:7687 or
// neo4j://host:7687; an empty User means no authentication (a server with
// dbms.security.auth_enabled=false, as the test server runs).
type Config struct {
	URI      string
	User     string
	Password string
	Database string
	// AllowUnavailable makes Open succeed while the server cannot be reached: calls fail with
	// EUNAVAILABLE until it can, and the schema is created by the first call that reaches it.
	// Meant for `ringtrace serve`, which should start and answer 503 rather than exit; batch
	// commands (ingest, detect) leave it false and fail fast.
	AllowUnavailable bool
	// RetryTime bounds how long the driver retries a transaction that failed with a transient
	// error (a deadlock between concurrent writers, a leader switch); 5 s when zero, short enough
	// for an API request. Bulk loads (Parallel) want longer: one of their transactions can
	// itself take seconds.
	RetryTime time.Duration
	// CAFile is a PEM file of the certificate authorities trusted for the server's certificate
	// with a bolt+s:// or neo4j+s:// URI (a bureau's own CA or a self-signed server certificate);
	// empty: the system's roots. The certificate and its host name are always checked — the
	// +ssc schemes, which skip the check, are refused.
	CAFile string
}

// Store is a graph.Store on a Neo4j server. It is safe for concurrent use; it holds one driver
// (a connection pool) and opens one session per unit of work.
type Store struct {
	driver neo4j.DriverWithContext
	db     string
	log    *slog.Logger

	schemaMu sync.Mutex  // serialises schema creation
	schemaOK atomic.Bool // constraints and indexes are known to be online
}

var _ graph.Store = (*Store)(nil)

// How long one call may wait for the server. The driver's defaults (30 s of transaction
// retries, a minute to acquire a connection) would keep an API request hanging long after a
// 503 is the honest answer; these are short enough for a request and long enough to ride out a
// leader switch or a brief network hiccup.
const (
	retryTime          = 5 * time.Second
	acquireTimeout     = 5 * time.Second
	connectTimeout     = 3 * time.Second
	maxConnectionPool  = 16
	schemaAwaitTimeout = 300 // seconds, for CALL db.awaitIndexes
)

// Open connects to the server described by cfg and creates the constraints and indexes the
// store relies on (idempotently: IF NOT EXISTS), which also proves the database answers. It
// returns an EINVALID error for a bad configuration and EUNAVAILABLE when the server cannot be
// reached (unless cfg.AllowUnavailable).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URI == "" {
		return nil, graph.FieldErrorf("uri", "Neo4j 地址为空 / the Neo4j URI is empty")
	}
	if cfg.Database == "" {
		cfg.Database = DefaultDatabase
	}
	tlsConf, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	auth := neo4j.NoAuth()
	if cfg.User != "" {
		auth = neo4j.BasicAuth(cfg.User, cfg.Password, "")
	}
	if cfg.RetryTime <= 0 {
		cfg.RetryTime = retryTime
	}
	drv, err := neo4j.NewDriverWithContext(cfg.URI, auth, func(c *config.Config) {
		c.MaxTransactionRetryTime = cfg.RetryTime
		c.ConnectionAcquisitionTimeout = acquireTimeout
		c.SocketConnectTimeout = connectTimeout
		c.MaxConnectionPoolSize = maxConnectionPool
		c.UserAgent = "ringtrace"
		c.TlsConfig = tlsConf
	})
	if err != nil {
		return nil, graph.FieldErrorf("uri", "无效的 Neo4j 地址 / invalid Neo4j URI: %v", err)
	}
	s := &Store{driver: drv, db: cfg.Database, log: slog.Default().With("store", "neo4j")}
	if err := s.ensureSchema(ctx); err != nil {
		if cfg.AllowUnavailable && graph.ErrorCode(err) == graph.EUNAVAILABLE {
			s.log.Warn("neo4j not reachable at start; continuing, calls fail with unavailable until it is")
			return s, nil
		}
		_ = drv.Close(ctx)
		return nil, err
	}
	return s, nil
}

// ensureSchema creates the constraints and indexes once per Store, retrying on later calls
// when the server could not be reached before.
func (s *Store) ensureSchema(ctx context.Context) error {
	if s.schemaOK.Load() {
		return nil
	}
	s.schemaMu.Lock()
	defer s.schemaMu.Unlock()
	if s.schemaOK.Load() {
		return nil
	}
	if err := s.createSchema(ctx); err != nil {
		return err
	}
	s.schemaOK.Store(true)
	return nil
}

// Close releases the driver and its connections.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.driver.Close(ctx); err != nil {
		return fmt.Errorf("neo4j: close driver: %w", err)
	}
	return nil
}

// Ping reports whether the database answers a trivial query (EUNAVAILABLE when not). It runs a
// query on the named database rather than VerifyConnectivity, because a reachable server whose
// database is still starting cannot serve reads either.
func (s *Store) Ping(ctx context.Context) error {
	_, err := readTx(ctx, s, "ping", func(tx neo4j.ManagedTransaction) (struct{}, error) {
		res, err := tx.Run(ctx, "RETURN 1", nil)
		if err != nil {
			return struct{}{}, err
		}
		_, err = res.Consume(ctx)
		return struct{}{}, err
	})
	return err
}

// readTx runs work in a managed read transaction on the store's database and maps driver
// errors. The driver retries work on transient failures, so work must have no side effects
// outside the transaction.
func readTx[T any](ctx context.Context, s *Store, op string, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	if err := s.ensureSchema(ctx); err != nil {
		var zero T
		return zero, err
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeRead})
	defer sess.Close(ctx)
	v, err := neo4j.ExecuteRead(ctx, sess, work)
	if err != nil {
		var zero T
		return zero, s.mapError(op, err)
	}
	return v, nil
}

// writeTx is readTx for a managed write transaction: everything work runs commits together or
// not at all, which is how a Put batch stays atomic.
func writeTx(ctx context.Context, s *Store, op string, work func(tx neo4j.ManagedTransaction) error) error {
	if err := s.ensureSchema(ctx); err != nil {
		return err
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		return nil, work(tx)
	})
	if err != nil {
		return s.mapError(op, err)
	}
	return nil
}

// collect runs one statement and returns all its records.
func collect(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// exec runs one statement and discards its records.
func exec(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) error {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return err
	}
	_, err = res.Consume(ctx)
	return err
}

// mapError turns driver failures into what callers can act on: *graph.Error values pass through
// (they come from our own validation inside a transaction function), an unreachable server
// becomes EUNAVAILABLE, and anything else is wrapped with the operation for the logs (the API
// shows it as an internal error). Messages never include parameters, which may be personal data.
func (s *Store) mapError(op string, err error) error {
	var ge *graph.Error
	if errors.As(err, &ge) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if unavailable(err) {
			return s.unavailableError(op, err)
		}
		return fmt.Errorf("neo4j %s: %w", op, err)
	}
	if unavailable(err) {
		return s.unavailableError(op, err)
	}
	return fmt.Errorf("neo4j %s: %w", op, err)
}

// unavailableError returns an EUNAVAILABLE *graph.Error that keeps the driver error in its
// chain (errors.Is/As still see it) while its message, the part users see, stays generic.
func (s *Store) unavailableError(op string, err error) error {
	s.log.Warn("neo4j unavailable", "op", op, "err", err.Error())
	ge := &graph.Error{
		Code:    graph.EUNAVAILABLE,
		Message: "图数据库 Neo4j 暂时无法连接，请稍后重试 / the Neo4j graph database cannot be reached; try again shortly",
	}
	return fmt.Errorf("neo4j %s: %w: %w", op, ge, err)
}

// unavailable reports whether err means the server or database cannot be reached now, as
// opposed to a bad query or a bug. The driver reports this in several shapes: a
// ConnectivityError (connection refused or lost), a pool timeout while every connection attempt
// fails, a TransactionExecutionLimit wrapping one of those after its retries, or a server-side
// "database unavailable" while the database is still starting or stopping.
func unavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *neo4j.ConnectivityError
	if errors.As(err, &ce) {
		return true
	}
	var tel *neo4j.TransactionExecutionLimit
	if errors.As(err, &tel) {
		for _, e := range tel.Errors {
			if unavailable(e) {
				return true
			}
		}
		return false
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		switch ne.Code {
		case "Neo.TransientError.General.DatabaseUnavailable",
			"Neo.ClientError.Database.DatabaseUnavailable",
			"Neo.TransientError.Database.DatabaseUnavailable",
			"Neo.ClientError.Cluster.NotALeader":
			return true
		}
		return false
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	// The driver's pool errors (PoolTimeout, PoolOutOfServers) live in an internal package and
	// do not unwrap to the network error, so they are recognised by their text.
	msg := err.Error()
	for _, s := range []string{"Timeout while waiting for connection", "connection refused", "ConnectivityError",
		"no servers available", "out of servers", "broken pipe", "i/o timeout"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
