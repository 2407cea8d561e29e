package webapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Telegram signs a Mini App's launch data (initData, a URL query string)
// with the bot's token; the page sends it with every API call as
// "Authorization: tma <initData>". Validate checks it as Telegram documents
// (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):
//
//	secret_key = HMAC-SHA256(key "WebAppData", message bot token)
//	hash       = hex(HMAC-SHA256(key secret_key, message data_check_string))
//
// where data_check_string is every field but hash as key=value (values
// URL-decoded), sorted by key, joined by "\n".

// Reasons initData is refused; each is answered 401 with its message.
var (
	ErrNoInitData = errors.New("no Telegram launch data: open the dashboard from the bot in Telegram (header Authorization: tma <initData>)")
	ErrMalformed  = errors.New("the Telegram launch data is malformed")
	ErrNoHash     = errors.New("the Telegram launch data carries no hash")
	ErrBadHash    = errors.New("the Telegram launch data is not signed for this bot")
	ErrNoAuthDate = errors.New("the Telegram launch data carries no valid auth_date")
	ErrExpired    = errors.New("the Telegram launch data has expired: close the dashboard and open it again from the bot")
	ErrFuture     = errors.New("the Telegram launch data is dated in the future")
	ErrNoUser     = errors.New("the Telegram launch data names no user")
)

// InitData is validated launch data.
type InitData struct {
	User     TelegramUser
	AuthDate time.Time
	QueryID  string
}

// TelegramUser is the user object of initData.
type TelegramUser struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// secretKey is HMAC-SHA256(key "WebAppData", message token).
func secretKey(token string) []byte {
	m := hmac.New(sha256.New, []byte("WebAppData"))
	m.Write([]byte(token))
	return m.Sum(nil)
}

// dataCheckString is every field of vals but hash, key=value sorted by key,
// joined by newlines.
func dataCheckString(vals url.Values) string {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		if k != "hash" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + vals.Get(k)
	}
	return strings.Join(lines, "\n")
}

// Sign returns the hash Telegram would set for the fields of vals (all but
// hash) with the bot token: for tests and the playground, which opens the
// Mini App as its pretend users.
func Sign(vals url.Values, token string) string {
	m := hmac.New(sha256.New, secretKey(token))
	m.Write([]byte(dataCheckString(vals)))
	return hex.EncodeToString(m.Sum(nil))
}

// SignedInitData builds initData for user u at authDate, signed with token.
func SignedInitData(u TelegramUser, authDate time.Time, token string) string {
	user, _ := json.Marshal(u) // a struct of strings and an int: cannot fail
	vals := url.Values{}
	vals.Set("user", string(user))
	vals.Set("auth_date", strconv.FormatInt(authDate.Unix(), 10))
	vals.Set("query_id", "AAplayground")
	vals.Set("hash", Sign(vals, token))
	return vals.Encode()
}

// Validate checks initData signed by token as at now: its hash (compared
// in constant time), auth_date no older than maxAge and no later than skew
// after now, and a user.
func Validate(initData, token string, now time.Time, maxAge, skew time.Duration) (*InitData, error) {
	if strings.TrimSpace(initData) == "" {
		return nil, ErrNoInitData
	}
	vals, err := url.ParseQuery(initData)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for k, v := range vals {
		if len(v) != 1 {
			return nil, fmt.Errorf("%w: field %q given %d times", ErrMalformed, k, len(v))
		}
	}
	got := vals.Get("hash")
	if got == "" {
		return nil, ErrNoHash
	}
	want := Sign(vals, token)
	if !hmac.Equal([]byte(strings.ToLower(got)), []byte(want)) {
		return nil, ErrBadHash
	}
	sec, err := strconv.ParseInt(vals.Get("auth_date"), 10, 64)
	if err != nil || sec <= 0 {
		return nil, ErrNoAuthDate
	}
	at := time.Unix(sec, 0)
	switch {
	case at.After(now.Add(skew)):
		return nil, ErrFuture
	case now.Sub(at) > maxAge:
		return nil, ErrExpired
	}
	var u TelegramUser
	if raw := vals.Get("user"); raw == "" || json.Unmarshal([]byte(raw), &u) != nil || u.ID <= 0 {
		return nil, ErrNoUser
	}
	return &InitData{User: u, AuthDate: at, QueryID: vals.Get("query_id")}, nil
}
