package flows

import (
	"errors"
	"fmt"
)

// UserError is a refusal or validation failure that the user should read: it
// carries a localised message. The step machinery shows it and re-asks.
type UserError struct {
	Msg Text
}

func (e *UserError) Error() string { return "user error: " + e.Msg.ID }

// Refuse builds a UserError from a message id and key/value pairs.
func Refuse(id string, kv ...any) error { return &UserError{Msg: T(id, kv...)} }

// AsUserError extracts a UserError from err.
func AsUserError(err error) (*UserError, bool) {
	var ue *UserError
	ok := errors.As(err, &ue)
	return ue, ok
}

// errStay tells the step machinery that the step handled the input itself
// (for example showed another page of buttons) and stays where it is.
var ErrStay = errors.New("stay on step")

// internalError wraps a failure of infrastructure; the user gets a polite
// "something went wrong".
func InternalError(op string, err error) error { return fmt.Errorf("%s: %w", op, err) }
