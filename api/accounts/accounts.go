package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"

	"github.com/ringtrace/ringtrace/api/bilingual"
	"github.com/ringtrace/ringtrace/api/state"
	"github.com/ringtrace/ringtrace/graph"
)

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

// View returns the public form of u.
func (u User) View() UserView {
	return UserView{Username: u.Username, Role: u.Role, DisplayName: u.DisplayName, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// Session is stored under the SHA-256 of its token, so a copy of the database holds no usable
// token.
type Session struct {
	Username  string    `json:"username"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// MinPasswordLen follows common guidance (NIST SP 800-63B recommends at least 8; we ask 12 for
// accounts that can read health data).
const MinPasswordLen = 12

var usernameRE = regexp.MustCompile(`^[a-z0-9_.-]{3,32}$`)

// Options configures Accounts. Zero values take the defaults documented per field.
type Options struct {
	BcryptCost int              // default bcrypt.DefaultCost
	SessionTTL time.Duration    // default 8h
	Now        func() time.Time // default time.Now
}

// Accounts manages users and sessions in the state database.
type Accounts struct {
	db   *bolt.DB
	cost int
	ttl  time.Duration
	now  func() time.Time
	// dummyHash makes a login for an unknown user cost as much as one for a known user, so
	// response times do not reveal which usernames exist. It is made at the first login, so that
	// the offline commands, which never log in, do not pay for it.
	dummyOnce sync.Once
	dummyHash []byte
	// live caches authenticated sessions (token key → session and user), because every request
	// authenticates and the database read and two JSON decodes are a measurable share of an
	// entity lookup. Any change to users or sessions clears it; expiry is checked on every use.
	live    sync.Map
	liveMu  sync.Mutex
	liveGen uint64 // bumped by every clear, so a read that raced a change is not cached
}

type liveSession struct {
	s Session
	u User
}

// New returns the accounts of the state database st.
func New(st *state.DB, o Options) *Accounts {
	if o.BcryptCost == 0 {
		o.BcryptCost = bcrypt.DefaultCost
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 8 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Accounts{db: st.Bolt(), cost: o.BcryptCost, ttl: o.SessionTTL, now: o.Now}
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

func validatePassword(field, pw string) error {
	if len([]rune(pw)) < MinPasswordLen {
		return bilingual.Field(field, fmt.Sprintf("密码至少需要 %d 个字符", MinPasswordLen), fmt.Sprintf("password must have at least %d characters", MinPasswordLen))
	}
	if len(pw) > 72 {
		// bcrypt only reads 72 bytes; refuse longer ones rather than silently ignoring the rest.
		return bilingual.Field(field, "密码不能超过 72 字节", "password must not exceed 72 bytes")
	}
	return nil
}

func validateDisplayName(display string) error {
	if len([]rune(display)) > 64 {
		return bilingual.Field("display_name", "显示名过长", "display name too long")
	}
	return nil
}

var errUnknownRole = bilingual.Field("role", "未知角色", "unknown role")

// CreateUser adds an account whose password its owner chose (the first admin's configured
// password, tests). ECONFLICT when the username is taken.
func (a *Accounts) CreateUser(username, password string, role Role, display string) (User, error) {
	return a.create(username, password, role, display, false)
}

// InviteUser adds an account with a password someone else chose (an admin): it is one-time, so
// the user must pick their own at first sign-in and the admin never knows it.
func (a *Accounts) InviteUser(username, password string, role Role, display string) (User, error) {
	return a.create(username, password, role, display, true)
}

func (a *Accounts) create(username, password string, role Role, display string, oneTime bool) (User, error) {
	if !usernameRE.MatchString(username) {
		return User{}, bilingual.Field("username", "用户名须为 3–32 个小写字母、数字或 _.-", "username must be 3–32 of a-z 0-9 _ . -")
	}
	if !role.Valid() {
		return User{}, errUnknownRole
	}
	if err := validatePassword("password", password); err != nil {
		return User{}, err
	}
	if err := validateDisplayName(display); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), a.cost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	if display == "" {
		display = username
	}
	now := a.now().UTC()
	u := User{Username: username, Role: role, DisplayName: display, CreatedAt: now, PasswordHash: hash, PasswordChangedAt: now, MustChangePassword: oneTime}
	err = a.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(state.Users).Get([]byte(username)) != nil {
			return bilingual.New(graph.ECONFLICT, "用户名已存在", "username already exists")
		}
		return state.Put(tx, state.Users, username, u)
	})
	return u, err
}

// randomPassword returns a one-time password of 24 URL-safe characters (144 random bits).
func randomPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// EnsureAdmin creates the user "admin" when there are no users at all. With an empty password it
// generates one, marks it for change at first login and returns it so the caller prints it once.
func (a *Accounts) EnsureAdmin(password string) (generated string, created bool, err error) {
	var n int
	if err := a.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(state.Users).Stats().KeyN; return nil }); err != nil {
		return "", false, err
	}
	if n > 0 {
		return "", false, nil
	}
	must := false
	if password == "" {
		if password, err = randomPassword(); err != nil {
			return "", false, err
		}
		generated, must = password, true
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
	return a.db.Update(func(tx *bolt.Tx) error { return state.Put(tx, state.Users, u.Username, u) })
}

// User returns one account; ENOTFOUND when absent.
func (a *Accounts) User(username string) (User, error) {
	var u User
	err := a.db.View(func(tx *bolt.Tx) error { return state.Get(tx, state.Users, username, &u) })
	if graph.ErrorCode(err) == graph.ENOTFOUND {
		return u, bilingual.New(graph.ENOTFOUND, "用户不存在", "no such user")
	}
	return u, err
}

// Users lists accounts by username.
func (a *Accounts) Users() ([]User, error) {
	out := []User{}
	err := a.db.View(func(tx *bolt.Tx) error {
		return state.Each(tx, state.Users, func(_ []byte, u User) error { out = append(out, u); return nil })
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out, err
}

// IsInvestigator reports whether name is an enabled user who can be assigned a case: an
// investigator or a supervisor.
func (a *Accounts) IsInvestigator(name string) bool {
	u, err := a.User(name)
	return err == nil && !u.Disabled && (u.Role == RoleInvestigator || u.Role == RoleSupervisor)
}

// UserUpdate holds optional changes to an account.
type UserUpdate struct {
	Role        *Role   `json:"role"`
	DisplayName *string `json:"display_name"`
	Disabled    *bool   `json:"disabled"`
	Password    *string `json:"password"`
}

// UpdateUser applies up. A new password or disabling ends the user's sessions.
func (a *Accounts) UpdateUser(username string, up UserUpdate) (User, error) {
	u, err := a.User(username)
	if err != nil {
		return u, err
	}
	if up.Role != nil {
		if !up.Role.Valid() {
			return u, errUnknownRole
		}
		u.Role = *up.Role
	}
	if up.DisplayName != nil {
		if err := validateDisplayName(*up.DisplayName); err != nil {
			return u, err
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
		return bilingual.Field("old_password", "原密码不正确", "old password is wrong")
	}
	if old == pw {
		return bilingual.Field("new_password", "新密码不能与原密码相同", "the new password must differ from the old one")
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
func (a *Accounts) Login(username, password string) (token string, s Session, u User, err error) {
	bad := bilingual.New(graph.EUNAUTHORIZED, "用户名或密码错误", "wrong username or password")
	u, err = a.User(username)
	if err != nil {
		a.dummyOnce.Do(func() { a.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("ringtrace-no-such-user"), a.cost) })
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
	s = Session{Username: u.Username, CreatedAt: now, ExpiresAt: now.Add(a.ttl)}
	err = a.db.Update(func(tx *bolt.Tx) error { return state.Put(tx, state.Sessions, tokenKey(token), s) })
	return token, s, u, err
}

func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Authenticate returns the user of a live session. Expired sessions, disabled users and sessions
// older than the last password change are refused.
func (a *Accounts) Authenticate(token string) (User, error) {
	bad := bilingual.New(graph.EUNAUTHORIZED, "请先登录或会话已过期", "not logged in or session expired")
	if token == "" || len(token) > 128 {
		return User{}, bad
	}
	key := tokenKey(token)
	var s Session
	var u User
	if v, ok := a.live.Load(key); ok {
		ls := v.(liveSession)
		s, u = ls.s, ls.u
	} else {
		gen := a.generation()
		err := a.db.View(func(tx *bolt.Tx) error {
			if err := state.Get(tx, state.Sessions, key, &s); err != nil {
				return err
			}
			return state.Get(tx, state.Users, s.Username, &u)
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
	return a.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(state.Sessions).Delete([]byte(tokenKey(token))) })
}

// deleteSessions deletes the sessions dead reports dead, in one transaction.
func (a *Accounts) deleteSessions(dead func(Session) bool) error {
	defer a.forget()
	return a.db.Update(func(tx *bolt.Tx) error {
		var keys [][]byte
		if err := state.Each(tx, state.Sessions, func(k []byte, s Session) error {
			if dead(s) {
				keys = append(keys, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		b := tx.Bucket(state.Sessions)
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

func (a *Accounts) revokeAll(username string) error {
	return a.deleteSessions(func(s Session) bool { return s.Username == username })
}

// PurgeExpired deletes expired sessions; the server calls it periodically.
func (a *Accounts) PurgeExpired(ctx context.Context) error {
	now := a.now()
	if err := a.deleteSessions(func(s Session) bool { return !now.Before(s.ExpiresAt) }); err != nil {
		return err
	}
	return ctx.Err()
}
