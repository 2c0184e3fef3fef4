package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"
)

// Role is a user's grade of authorisation (分级授权).
type Role string

// The roles. Access is denied unless a route lists the role (access.go).
const (
	RoleAnalyst      Role = "analyst"      // jobs, findings, masked graph
	RoleInvestigator Role = "investigator" // assigned cases, full data of their parties
	RoleSupervisor   Role = "supervisor"   // all cases, approvals, audit
	RolePolice       Role = "police"       // read-only, cases transferred to police
	RoleAdmin        Role = "admin"        // users
)

// Roles lists every role in a fixed order. RoleIntake, the whistle-blower intake desk, is declared
// with the intake routes (issue6_service.go).
var Roles = []Role{RoleAnalyst, RoleInvestigator, RoleSupervisor, RolePolice, RoleAdmin, RoleIntake}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if k == r {
			return true
		}
	}
	return false
}

// User is an account. PasswordHash is a bcrypt hash and never leaves the server.
type User struct {
	Username           string    `json:"username"`
	Role               Role      `json:"role"`
	DisplayName        string    `json:"display_name"`
	Disabled           bool      `json:"disabled,omitempty"`
	MustChangePassword bool      `json:"must_change_password,omitempty"`
	CreatedAt          time.Time `json:"created_at"`
	PasswordHash       []byte    `json:"password_hash"`
	PasswordChangedAt  time.Time `json:"password_changed_at"`
}

// UserView is the public form of a user.
type UserView struct {
	Username    string    `json:"username"`
	Role        Role      `json:"role"`
	DisplayName string    `json:"display_name"`
	Disabled    bool      `json:"disabled,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
}

func (u User) view() UserView {
	return UserView{Username: u.Username, Role: u.Role, DisplayName: u.DisplayName, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// session is stored under the SHA-256 of its token, so a copy of the database holds no usable
// token.
type session struct {
	Username  string    `json:"username"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// minPasswordLen follows common guidance (NIST SP 800-63B recommends at least 8; we ask 12 for
// accounts that can read health data).
const minPasswordLen = 12

var usernameRE = regexp.MustCompile(`^[a-z0-9_.-]{3,32}$`)

// Accounts manages users and sessions in the state database.
type Accounts struct {
	db   *bolt.DB
	cost int
	ttl  time.Duration
	now  func() time.Time
	// dummyHash makes a login for an unknown user cost as much as one for a known user, so
	// response times do not reveal which usernames exist.
	dummyHash []byte
	// live caches authenticated sessions (token key → session and user), because every request
	// authenticates and the database read and two JSON decodes are a measurable share of an
	// entity lookup. Any change to users or sessions clears it; expiry is checked on every use.
	live    sync.Map
	liveMu  sync.Mutex
	liveGen uint64 // bumped by every clear, so a read that raced a change is not cached
}

// forget drops cached sessions after a change to users or sessions.
func (a *Accounts) forget() {
	a.liveMu.Lock()
	a.liveGen++
	a.live.Clear()
	a.liveMu.Unlock()
}

func (a *Accounts) generation() uint64 {
	a.liveMu.Lock()
	defer a.liveMu.Unlock()
	return a.liveGen
}

func (a *Accounts) remember(gen uint64, key string, ls liveSession) {
	a.liveMu.Lock()
	defer a.liveMu.Unlock()
	if gen == a.liveGen {
		a.live.Store(key, ls)
	}
}

type liveSession struct {
	s session
	u User
}

func newAccounts(st *State, cost int, ttl time.Duration, now func() time.Time) (*Accounts, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("ringtrace-no-such-user"), cost)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return &Accounts{db: st.db, cost: cost, ttl: ttl, now: now, dummyHash: dummy}, nil
}

func validatePassword(field, pw string) error {
	if len([]rune(pw)) < minPasswordLen {
		return fieldErr(field, fmt.Sprintf("密码至少需要 %d 个字符", minPasswordLen), fmt.Sprintf("password must have at least %d characters", minPasswordLen))
	}
	if len(pw) > 72 {
		// bcrypt only reads 72 bytes; refuse longer ones rather than silently ignoring the rest.
		return fieldErr(field, "密码不能超过 72 字节", "password must not exceed 72 bytes")
	}
	return nil
}

// CreateUser adds an account. ECONFLICT when the username is taken.
func (a *Accounts) CreateUser(username, password string, role Role, display string) (User, error) {
	if !usernameRE.MatchString(username) {
		return User{}, fieldErr("username", "用户名须为 3–32 个小写字母、数字或 _.-", "username must be 3–32 of a-z 0-9 _ . -")
	}
	if !role.Valid() {
		return User{}, fieldErr("role", "未知角色", "unknown role")
	}
	if err := validatePassword("password", password); err != nil {
		return User{}, err
	}
	if len([]rune(display)) > 64 {
		return User{}, fieldErr("display_name", "显示名过长", "display name too long")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.cost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	if display == "" {
		display = username
	}
	now := a.now().UTC()
	u := User{Username: username, Role: role, DisplayName: display, CreatedAt: now, PasswordHash: hash, PasswordChangedAt: now}
	err = a.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketUsers).Get([]byte(username)) != nil {
			return userErr(graph.ECONFLICT, "用户名已存在", "username already exists")
		}
		return putJSON(tx, bucketUsers, username, u)
	})
	return u, err
}

// EnsureAdmin creates the user "admin" when there are no users at all. With an empty password it
// generates one, marks it for change at first login and returns it so the caller prints it once.
func (a *Accounts) EnsureAdmin(password string) (generated string, created bool, err error) {
	var n int
	if err := a.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketUsers).Stats().KeyN; return nil }); err != nil {
		return "", false, err
	}
	if n > 0 {
		return "", false, nil
	}
	must := false
	if password == "" {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return "", false, err
		}
		password, generated, must = base64.RawURLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b), true
	}
	u, err := a.CreateUser("admin", password, RoleAdmin, "系统管理员")
	if err != nil {
		return "", false, fmt.Errorf("create admin: %w", err)
	}
	if must {
		u.MustChangePassword = true
		if err := a.put(u); err != nil {
			return "", false, err
		}
	}
	return generated, true, nil
}

func (a *Accounts) put(u User) error {
	defer a.forget()
	return a.db.Update(func(tx *bolt.Tx) error { return putJSON(tx, bucketUsers, u.Username, u) })
}

// User returns one account; ENOTFOUND when absent.
func (a *Accounts) User(username string) (User, error) {
	var u User
	err := a.db.View(func(tx *bolt.Tx) error { return getJSON(tx, bucketUsers, username, &u) })
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		return u, userErr(graph.ENOTFOUND, "用户不存在", "no such user")
	}
	return u, err
}

// Users lists accounts by username.
func (a *Accounts) Users() ([]User, error) {
	out := []User{}
	err := a.db.View(func(tx *bolt.Tx) error {
		return eachJSON(tx, bucketUsers, func(u User) error { out = append(out, u); return nil })
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out, err
}

// UserUpdate holds optional changes to an account.
type UserUpdate struct {
	Role        *Role   `json:"role"`
	DisplayName *string `json:"display_name"`
	Disabled    *bool   `json:"disabled"`
	Password    *string `json:"password"`
}

// UpdateUser applies u. A new password or disabling ends the user's sessions.
func (a *Accounts) UpdateUser(username string, up UserUpdate) (User, error) {
	u, err := a.User(username)
	if err != nil {
		return u, err
	}
	if up.Role != nil {
		if !up.Role.Valid() {
			return u, fieldErr("role", "未知角色", "unknown role")
		}
		u.Role = *up.Role
	}
	if up.DisplayName != nil {
		if len([]rune(*up.DisplayName)) > 64 {
			return u, fieldErr("display_name", "显示名过长", "display name too long")
		}
		u.DisplayName = *up.DisplayName
	}
	if up.Disabled != nil {
		u.Disabled = *up.Disabled
	}
	if up.Password != nil {
		if err := a.setPassword(&u, *up.Password); err != nil {
			return u, err
		}
		// An admin-set password is temporary: the user picks their own at next login.
		u.MustChangePassword = true
	}
	if err := a.put(u); err != nil {
		return u, err
	}
	if up.Disabled != nil && *up.Disabled {
		if err := a.revokeAll(username); err != nil {
			return u, err
		}
	}
	return u, nil
}

func (a *Accounts) setPassword(u *User, pw string) error {
	if err := validatePassword("password", pw); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), a.cost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	u.PasswordHash = hash
	// Sessions created before this instant stop working (checked in Authenticate).
	u.PasswordChangedAt = a.now().UTC()
	return nil
}

// ChangePassword sets a user's own new password after checking the old one.
func (a *Accounts) ChangePassword(username, old, pw string) error {
	u, err := a.User(username)
	if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(old)) != nil {
		return fieldErr("old_password", "原密码不正确", "old password is wrong")
	}
	if old == pw {
		return fieldErr("new_password", "新密码不能与原密码相同", "the new password must differ from the old one")
	}
	if err := validatePassword("new_password", pw); err != nil {
		return err
	}
	if err := a.setPassword(&u, pw); err != nil {
		return err
	}
	u.MustChangePassword = false
	return a.put(u)
}

// Login checks credentials and opens a session. Every failure is the same EUNAUTHORIZED so that
// a caller cannot tell a wrong password from an unknown or disabled user.
func (a *Accounts) Login(username, password string) (token string, s session, u User, err error) {
	bad := userErr(graph.EUNAUTHORIZED, "用户名或密码错误", "wrong username or password")
	u, err = a.User(username)
	if err != nil {
		_ = bcrypt.CompareHashAndPassword(a.dummyHash, []byte(password))
		return "", s, u, bad
	}
	if bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(password)) != nil || u.Disabled {
		return "", s, u, bad
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", s, u, fmt.Errorf("session token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(raw)
	now := a.now().UTC()
	s = session{Username: u.Username, CreatedAt: now, ExpiresAt: now.Add(a.ttl)}
	err = a.db.Update(func(tx *bolt.Tx) error { return putJSON(tx, bucketSessions, tokenKey(token), s) })
	return token, s, u, err
}

func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Authenticate returns the user of a live session. Expired sessions, disabled users and sessions
// older than the last password change are refused.
func (a *Accounts) Authenticate(token string) (User, error) {
	bad := userErr(graph.EUNAUTHORIZED, "请先登录或会话已过期", "not logged in or session expired")
	if token == "" || len(token) > 128 {
		return User{}, bad
	}
	key := tokenKey(token)
	var s session
	var u User
	if v, ok := a.live.Load(key); ok {
		ls := v.(liveSession)
		s, u = ls.s, ls.u
	} else {
		gen := a.generation()
		err := a.db.View(func(tx *bolt.Tx) error {
			if err := getJSON(tx, bucketSessions, key, &s); err != nil {
				return err
			}
			return getJSON(tx, bucketUsers, s.Username, &u)
		})
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			return User{}, bad
		} else if err != nil {
			return User{}, err
		}
		a.remember(gen, key, liveSession{s, u})
	}
	if !a.now().Before(s.ExpiresAt) || u.Disabled || s.CreatedAt.Before(u.PasswordChangedAt) {
		return User{}, bad
	}
	return u, nil
}

// Logout ends one session.
func (a *Accounts) Logout(token string) error {
	defer a.forget()
	return a.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete([]byte(tokenKey(token))) })
}

func (a *Accounts) revokeAll(username string) error {
	defer a.forget()
	return a.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		var dead [][]byte
		err := eachKV(b, func(k []byte, s session) {
			if s.Username == username {
				dead = append(dead, append([]byte(nil), k...))
			}
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// PurgeExpired deletes expired sessions; the server calls it periodically.
func (a *Accounts) PurgeExpired(ctx context.Context) error {
	defer a.forget()
	now := a.now()
	return a.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		var dead [][]byte
		if err := eachKV(b, func(k []byte, s session) {
			if !now.Before(s.ExpiresAt) {
				dead = append(dead, append([]byte(nil), k...))
			}
		}); err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return ctx.Err()
	})
}

func eachKV(b *bolt.Bucket, fn func(k []byte, s session)) error {
	return b.ForEach(func(k, v []byte) error {
		var s session
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		fn(k, s)
		return nil
	})
}

// loginLimiter limits failed logins per client address with a token bucket: LoginBurst failures
// at once, refilled at LoginPerMinute per minute. When empty, every login from that address is
// refused (429) until a token returns — that is what stops password guessing.
type loginLimiter struct {
	mu      sync.Mutex
	burst   float64
	perSec  float64
	buckets map[string]*tokenBucket
	now     func() time.Time
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newLoginLimiter(perMinute, burst int, now func() time.Time) *loginLimiter {
	return &loginLimiter{burst: float64(burst), perSec: float64(perMinute) / 60, buckets: map[string]*tokenBucket{}, now: now}
}

func (l *loginLimiter) bucket(ip string) *tokenBucket {
	now := l.now()
	b := l.buckets[ip]
	if b == nil {
		if len(l.buckets) > 100000 {
			// Bound memory under a spray of addresses: drop full buckets.
			for k, v := range l.buckets {
				if v.tokens+now.Sub(v.last).Seconds()*l.perSec >= l.burst {
					delete(l.buckets, k)
				}
			}
		}
		b = &tokenBucket{tokens: l.burst, last: now}
		l.buckets[ip] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
	b.last = now
	return b
}

// allow reports whether ip may try to log in, and if not, after how long.
func (l *loginLimiter) allow(ip string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(ip)
	if b.tokens >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
}

// fail takes a token for a failed attempt.
func (l *loginLimiter) fail(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(ip)
	b.tokens = max(0, b.tokens-1)
}

// ResetPassword gives a user a random one-time password (to be changed at next login), ends
// their sessions and records it in the audit trail as done by the operator "cli". It works on
// the state directory of a stopped server (`ringtrace users reset-password`), the recovery path
// when the last admin password is lost.
func ResetPassword(dir, username string) (string, error) {
	st, err := OpenState(dir)
	if err != nil {
		return "", err
	}
	defer st.Close()
	acc, err := newAccounts(st, bcrypt.DefaultCost, time.Hour, time.Now)
	if err != nil {
		return "", err
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	pw := base64.RawURLEncoding.EncodeToString(b)
	if _, err := acc.UpdateUser(username, UserUpdate{Password: &pw}); err != nil {
		return "", err
	}
	if err := acc.revokeAll(username); err != nil {
		return "", err
	}
	err = st.db.Update(func(tx *bolt.Tx) error {
		_, err := appendTx(tx, time.Now(), AuditRecord{Actor: "cli", Role: "operator", Action: "reset_password", Detail: "user " + username})
		return err
	})
	return pw, err
}

// ListUsers returns the accounts in the state directory of a stopped server.
func ListUsers(dir string) ([]UserView, error) {
	st, err := openStateReadOnly(dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	acc := &Accounts{db: st.db}
	us, err := acc.Users()
	out := make([]UserView, 0, len(us))
	for _, u := range us {
		out = append(out, u.view())
	}
	return out, err
}
