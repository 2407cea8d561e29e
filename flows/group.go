package flows

import (
	"context"
	"slices"
	"strings"
)

// GroupCommand adds a slash command of group chats (in a group every other
// command answers that Sinergi talks in private).
func (r *Registry) GroupCommand(c *Command) {
	if _, dup := r.e.groupCommands[c.Name]; dup {
		panic("flows: duplicate group command " + c.Name)
	}
	r.e.groupCommands[c.Name] = c
}

// GroupCommands lists the described group commands, sorted by name, for
// publishing in group chats.
func (e *Engine) GroupCommands() []CommandInfo {
	var out []CommandInfo
	for _, c := range e.groupCommands {
		if c.Describe != "" {
			out = append(out, CommandInfo{Name: c.Name, Describe: c.Describe})
		}
	}
	slices.SortFunc(out, func(a, b CommandInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// groupInput: Sinergi holds personal conversations in private chats only.
// In a group it runs its group commands and group buttons, hands the bot's
// membership changes and a group's upgrade to the groups capability,
// answers other commands addressed to it with a link to the private chat,
// and ignores everything else.
func (e *Engine) groupInput(ctx context.Context, t *Turn) error {
	switch t.In.Kind {
	case KindMembership, KindMigrated:
		if e.chats != nil && e.chats.Event != nil {
			return e.chats.Event(ctx, t)
		}
		return nil
	case KindCallback:
		name, payload, _ := strings.Cut(t.In.Callback, ":")
		r := e.routes[name]
		switch {
		case len(t.In.Callback) > 64 || !callbackData.MatchString(t.In.Callback) || r == nil || !r.Group:
			t.Answer(T("errors.bad_button"), true)
			return nil
		case t.Role < r.Role:
			t.Answer(T("errors.not_allowed"), true)
			return nil
		}
		return r.Run(ctx, t, payload)
	case KindCommand:
	default:
		return nil
	}
	c := e.groupCommands[t.In.Command]
	switch {
	case c == nil:
		t.Say(T("group.private_only"), []Button{{Label: T("group.open_private"), URL: e.botLink("")}})
		return nil
	case t.In.Anonymous:
		// Telegram names no one: the sender's role cannot be known.
		t.Say(T("group.anonymous"))
		return nil
	case t.Role < c.Role:
		t.Say(T("errors.not_allowed"))
		return nil
	}
	return c.Run(ctx, t)
}

// NeedsMember names the chat in which the transport must look up the
// sender's and the bot's standing (getChatMember) before handling in, and
// reports whether it must: a group command or button that checks members,
// a private command that checks members of the chat "@name" in its first
// argument, and a channel post forwarded in private while the groups
// capability takes those.
func (e *Engine) NeedsMember(in Input) (ChatRef, bool) {
	switch {
	case !in.Private && in.Kind == KindCommand:
		if c := e.groupCommands[in.Command]; c != nil && c.CheckMember && !in.Anonymous {
			return ChatRef{ID: in.ChatID}, true
		}
	case !in.Private && in.Kind == KindCallback:
		name, _, _ := strings.Cut(in.Callback, ":")
		if r := e.routes[name]; r != nil && r.Group && r.CheckMember {
			return ChatRef{ID: in.ChatID}, true
		}
	case in.Private && in.Kind == KindCommand:
		arg, _, _ := strings.Cut(strings.TrimSpace(in.Args), " ")
		if c := e.commands[in.Command]; c != nil && c.CheckMember && len(arg) > 1 && arg[0] == '@' {
			return ChatRef{Username: arg[1:]}, true
		}
	case in.Private && in.Forwarded != 0:
		if e.chats != nil && e.chats.Forwarded != nil {
			return ChatRef{ID: in.Forwarded}, true
		}
	}
	return ChatRef{}, false
}
