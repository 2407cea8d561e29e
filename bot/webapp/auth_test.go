package webapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	testToken  = "123456:TEST-token-of-this-bot"
	otherToken = "654321:another-bot-token"
)

// sign builds initData from fields the way Telegram documents it, written
// out here independently of the package's own Sign.
func sign(t *testing.T, fields map[string]string, token string) string {
	t.Helper()
	mac := hmac.New(sha256.New, []byte("WebAppData"))
	mac.Write([]byte(token))
	secret := mac.Sum(nil)
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		lines = append(lines, k+"="+fields[k])
	}
	mac = hmac.New(sha256.New, secret)
	mac.Write([]byte(strings.Join(lines, "\n")))
	vals := url.Values{}
	for k, v := range fields {
		vals.Set(k, v)
	}
	vals.Set("hash", hex.EncodeToString(mac.Sum(nil)))
	return vals.Encode()
}

func fields(at time.Time) map[string]string {
	return map[string]string{
		"query_id":  "AAHdF6IQAAAAAN0XohDhrOrc",
		"user":      `{"id":279058397,"first_name":"Siti","last_name":"Rahma","username":"siti_r","language_code":"id"}`,
		"auth_date": strconv.FormatInt(at.Unix(), 10),
	}
}

func TestValidateInitData(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	const maxAge, skew = 24 * time.Hour, time.Minute
	good := sign(t, fields(now.Add(-time.Hour)), testToken)

	d, err := Validate(good, testToken, now, maxAge, skew)
	if err != nil {
		t.Fatalf("valid initData refused: %v", err)
	}
	if d.User.ID != 279058397 || d.User.Username != "siti_r" || !d.AuthDate.Equal(now.Add(-time.Hour).Truncate(time.Second)) {
		t.Fatalf("parsed %+v", d)
	}

	tampered := strings.Replace(good, "279058397", "279058398", 1)
	noHash := func() string { v, _ := url.ParseQuery(good); v.Del("hash"); return v.Encode() }()
	noUser := func() string { f := fields(now); delete(f, "user"); return sign(t, f, testToken) }()
	noDate := func() string { f := fields(now); delete(f, "auth_date"); return sign(t, f, testToken) }()
	badUser := func() string { f := fields(now); f["user"] = "{not json"; return sign(t, f, testToken) }()
	extra := func() string { v, _ := url.ParseQuery(good); v.Set("chat_type", "private"); return v.Encode() }()
	twice := good + "&user=x"
	for _, c := range []struct {
		name, data, token string
		want              error
	}{
		{"missing", "", testToken, ErrNoInitData},
		{"garbage", "%zz", testToken, ErrMalformed},
		{"a field given twice", twice, testToken, ErrMalformed},
		{"no hash", noHash, testToken, ErrNoHash},
		{"wrong hash (a field changed)", tampered, testToken, ErrBadHash},
		{"a field added after signing", extra, testToken, ErrBadHash},
		{"replayed from another bot", sign(t, fields(now.Add(-time.Minute)), otherToken), testToken, ErrBadHash},
		{"signed by this bot, checked as another", good, otherToken, ErrBadHash},
		{"expired", sign(t, fields(now.Add(-maxAge-time.Second)), testToken), testToken, ErrExpired},
		{"in the future", sign(t, fields(now.Add(2*time.Minute)), testToken), testToken, ErrFuture},
		{"no auth_date", noDate, testToken, ErrNoAuthDate},
		{"no user", noUser, testToken, ErrNoUser},
		{"user not JSON", badUser, testToken, ErrNoUser},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Validate(c.data, c.token, now, maxAge, skew); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	// Within the skew and at the edge of the age: accepted.
	for _, at := range []time.Time{now.Add(skew), now.Add(-maxAge)} {
		if _, err := Validate(sign(t, fields(at), testToken), testToken, now, maxAge, skew); err != nil {
			t.Fatalf("auth_date %v refused: %v", at, err)
		}
	}
	// The package's signer agrees with the documented algorithm.
	if got := SignedInitData(TelegramUser{ID: 5, FirstName: "A"}, now, testToken); func() error {
		_, err := Validate(got, testToken, now, maxAge, skew)
		return err
	}() != nil {
		t.Fatal("SignedInitData does not validate")
	}
}
