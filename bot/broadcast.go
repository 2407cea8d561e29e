package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"

	"sinergi/flows"
	"sinergi/flows/transport"
)

// Broadcast delivery. A broadcast's recipients are frozen into a Redis list
// when it starts, a page at a time (freezePage members, in ascending id), so
// the runner never holds the whole list: a crash while freezing leaves a
// cursor to go on from, and a page is appended once whoever freezes it.
// Every replica runs the same loop: it claims a batch of recipients with a
// lease, and for each one waits for the shared send budget (bulk priority:
// interactive replies go first), marks the send as begun, copies the
// message and records the outcome. Replicas share the
// work; one that dies loses its claims when the lease runs out and another
// takes them over. What is recorded is never sent again, and a send that
// had begun when its replica died is counted as uncertain rather than
// risked twice. The replica that finds nothing left ends the broadcast and
// reports to its author, once.
const (
	broadcastPoll     = time.Second      // how often due broadcasts are looked for
	progressEvery     = 3 * time.Second  // edits of the author's progress message
	broadcastDeadline = 3 * time.Minute  // one recipient, retries included
	shutdownGrace     = 3 * time.Second  // for the copy in flight when stopping
	claimBatch        = 10               // recipients claimed at once
	claimLease        = 15 * time.Second // default Config.ClaimLease
	freezePage        = 1000             // recipients frozen at a time
)

// RunBroadcasts works on due broadcasts until ctx ends, one after another,
// together with the other replicas.
func (b *Bot) RunBroadcasts(ctx context.Context) {
	t := time.NewTicker(broadcastPoll)
	defer t.Stop()
	for {
		ids, err := b.store.DueBroadcasts(ctx, b.cfg.Clock())
		if err != nil && ctx.Err() == nil {
			b.log.Error("due broadcasts", "err", err)
		}
		for _, id := range ids {
			if err := b.runBroadcast(ctx, id); err != nil && ctx.Err() == nil {
				b.log.Error("broadcast", "id", id, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bot) runBroadcast(ctx context.Context, id string) error {
	bc, st, err := b.store.GetBroadcast(ctx, id)
	if err != nil {
		return err
	}
	admin := b.userLang(ctx, bc.By)
	if st.Status == flows.BcScheduled {
		if err := b.freeze(ctx, bc); err != nil {
			return err
		}
		status, err := b.store.StartBroadcast(ctx, id, b.chatRecipients(bc), b.cfg.Clock())
		if err != nil {
			return err
		}
		if status == "started" {
			if _, st, err = b.store.GetBroadcast(ctx, id); err != nil {
				return err
			}
			b.log.Info("broadcast started", "id", id, "recipients", st.Total, "chats", st.ChatTotal, "segment", bc.Segment)
			if msg, err := b.sendProgress(ctx, bc.FromChat, admin, flows.BroadcastProgress(st, 0)); err == nil {
				// The progress message is a courtesy: a store error here
				// is logged, and the broadcast goes on.
				if err := b.store.SetProgressMessage(ctx, id, msg); err != nil {
					b.log.Warn("broadcast progress message", "id", id, "err", err)
				}
				if _, err := b.store.TakeProgress(ctx, id, b.owner, progressEvery); err != nil { // first edit in progressEvery
					b.log.Warn("broadcast progress", "id", id, "err", err)
				}
			}
		}
	}
	if err := b.sendAll(ctx, bc); err != nil {
		return err
	}
	finished, final, err := b.store.FinishBroadcast(ctx, id, b.cfg.Clock())
	if err != nil || !finished {
		return err // others still hold claims: looked at again next round
	}
	if final.ProgressMsg != 0 {
		b.editProgress(ctx, bc.FromChat, final.ProgressMsg, admin, flows.BroadcastProgress(final, final.Finished.Sub(final.Started)))
	}
	if err := b.render.deliver(ctx, bc.FromChat, admin, flows.Reply{Text: flows.BroadcastReport(final)}); err != nil {
		b.log.Warn("broadcast report", "id", id, "err", err)
	}
	b.log.Info("broadcast finished", "id", id, "status", final.Status, "sent", final.Sent, "blocked", final.Blocked, "failed", final.Failed, "uncertain", final.Uncertain,
		"chats", final.ChatTotal, "chats_sent", final.ChatSent, "chats_removed", final.ChatRemoved)
	return nil
}

// sendAll claims recipients and sends to them until none is left. The
// pace is the shared budget's, not the number of senders: a replica runs
// enough workers to keep the copies of a whole round trip in flight
// (broadcastWorkers), and lets only a few of them book a slot at a time
// (bookers); the others wait, without claims, for their turn. One feeder
// claims recipients in batches and hands them to the worker whose turn it
// is, so the claims a replica holds are those a turn holds or in flight.
func (b *Bot) sendAll(ctx context.Context, bc *flows.Broadcast) error {
	n, turns := broadcastWorkers(b.sender.lim.Global), make(chan struct{}, bookers(b.sender.lim.Global))
	work := make(chan transport.Claim)
	halt := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(halt) }) }
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for {
				select {
				case turns <- struct{}{}:
				case <-halt:
					return
				}
				c, more := <-work
				if !more {
					<-turns
					return
				}
				done, err := b.sendOne(ctx, bc, c, turns)
				if err != nil || done {
					errs[i] = err
					stop()
					return
				}
			}
		})
	}
	errs[n] = b.feed(ctx, bc.ID, work, halt)
	wg.Wait()
	return errors.Join(errs...)
}

// feed claims recipients until none is left and hands them to the workers;
// stopped (halt, ctx), it gives back the claims it holds.
func (b *Bot) feed(ctx context.Context, id string, work chan<- transport.Claim, halt <-chan struct{}) error {
	defer close(work)
	for {
		claims, err := b.store.ClaimRecipients(ctx, id, b.owner, claimBatch, b.cfg.ClaimLease)
		if err != nil || len(claims) == 0 {
			return err
		}
		for i, c := range claims {
			select {
			case work <- c:
			case <-halt:
				b.releaseClaims(ctx, id, claims[i:])
				return nil
			case <-ctx.Done():
				b.releaseClaims(ctx, id, claims[i:])
				return ctx.Err()
			}
		}
	}
}

// Broadcast senders: a replica keeps sendCover's worth of sends at its
// ceiling in flight (an API round trip up to 150 ms, the round trips to
// Redis around it), plus its bookers, at most mostWorkers. A booker holds
// its turn until the budget booked its slot (and its send is marked begun),
// so that only a few of a replica's senders ask Redis for a slot at once:
// one per bookerRate of the ceiling, two at least, at most mostBookers.
const (
	sendCover   = 250 * time.Millisecond
	mostWorkers = 256
	bookerRate  = 100
	mostBookers = 16
)

// broadcastWorkers is how many senders a replica runs for a broadcast at a
// ceiling of rate messages a second (0: no limit). Each may leave one send
// uncertain when the process is killed; at most rate × the API's round
// trip are in flight at a time.
func broadcastWorkers(rate float64) int {
	if rate <= 0 {
		return mostBookers // no pacing: a few senders for the round trips
	}
	return min(mostWorkers, bookers(rate)+int(math.Ceil(rate*sendCover.Seconds())))
}

// bookers is how many of a replica's senders may book a slot at once: two
// at least, so that the next slot is booked before this one comes (one,
// woken late on a busy machine, leaves slots unbooked and unused).
func bookers(rate float64) int {
	return min(mostBookers, max(2, int(math.Ceil(rate/bookerRate))))
}

// sendOne sends to one claimed recipient while holding a turn to book, and
// gives the turn back once its slot is booked (or the send ended before). done
// means the broadcast was stopped; an error that the send never began (the
// claim is given back).
func (b *Bot) sendOne(ctx context.Context, bc *flows.Broadcast, c transport.Claim, turns <-chan struct{}) (done bool, err error) {
	var once sync.Once
	free := func() { once.Do(func() { <-turns }) }
	defer free()
	if ctx.Err() != nil {
		b.releaseClaims(ctx, bc.ID, []transport.Claim{c})
		return false, ctx.Err()
	}
	outcome, err := b.copyTo(ctx, bc, c, free)
	switch {
	case errors.Is(err, transport.ErrClaimLost):
		return false, nil // another replica has it now
	case errors.Is(err, transport.ErrBroadcastStopped):
		return true, nil // cancelled: the claims die with the broadcast
	case err != nil:
		b.releaseClaims(ctx, bc.ID, []transport.Claim{c})
		return false, err
	}
	// The outcome is recorded even while shutting down, so a graceful
	// stop leaves nothing uncertain.
	if _, err := b.store.Delivered(context.WithoutCancel(ctx), bc.ID, c, outcome); err != nil {
		return false, err
	}
	ok, err := b.store.TakeProgress(ctx, bc.ID, b.owner, progressEvery)
	if err != nil {
		b.log.Warn("broadcast progress", "id", bc.ID, "err", err) // a courtesy: sending goes on
	}
	if ok && b.progressing.CompareAndSwap(false, true) {
		// Off the sending path: the author's chat has its own limit,
		// and a wait there must not slow the broadcast.
		go func() {
			defer b.progressing.Store(false)
			lang := b.userLang(ctx, bc.By)
			if _, cur, err := b.store.GetBroadcast(ctx, bc.ID); err == nil && cur.ProgressMsg != 0 {
				b.editProgress(ctx, bc.FromChat, cur.ProgressMsg, lang, flows.BroadcastProgress(cur, b.cfg.Clock().Sub(cur.Started)))
			}
		}()
	}
	return false, nil
}

// freeze freezes a scheduled broadcast's member recipients into its list,
// a page at a time, from where the list was frozen to (by this replica
// before a crash, or by another replica meanwhile).
func (b *Bot) freeze(ctx context.Context, bc *flows.Broadcast) error {
	after, err := b.store.FrozenAfter(ctx, bc.ID)
	if err != nil {
		return err
	}
	pages, err := b.engine.RecipientPages(ctx, bc, after)
	if err != nil {
		return err
	}
	for {
		page, err := pages.Next(ctx, freezePage)
		if err != nil || len(page) == 0 {
			return err
		}
		cur, status, err := b.store.FreezeRecipients(ctx, bc.ID, after, page)
		switch {
		case err != nil:
			return err
		case status == "frozen":
			after = cur
		case status == "moved": // another replica froze further: go on from there
			after = cur
			pages.From(after)
		default:
			return nil // started or cancelled meanwhile: StartBroadcast says which
		}
	}
}

func (b *Bot) releaseClaims(ctx context.Context, id string, cs []transport.Claim) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if n, err := b.store.ReleaseClaims(ctx, id, b.owner, cs); err != nil {
		b.log.Warn("release broadcast claims (they expire)", "id", id, "err", err)
	} else if n > 0 {
		b.log.Info("broadcast claims given back", "id", id, "count", n)
	}
}

// copyTo delivers one copy and says how it went. slot runs once the budget
// granted the send (or not at all): sent, blocked (the member
// is marked inactive), failed, or uncertain (stopped mid-send). An error
// means the send never began (claim lost, broadcast stopped, Redis away,
// shutting down) and the recipient is still to be sent to.
func (b *Bot) copyTo(ctx context.Context, bc *flows.Broadcast, c transport.Claim, slot func()) (string, error) {
	// The copy in flight gets a few seconds to finish after ctx ends.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), broadcastDeadline)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(shutdownGrace, cancel) })
	defer stop()
	begun := false
	if c.IsChat() {
		return b.copyToChat(ctx, sctx, bc, c, slot)
	}
	err := b.sender.SendReady(sctx, c.UserID, Bulk, "copyMessage", func(ctx context.Context) error {
		slot()
		if err := b.store.BeginSend(context.WithoutCancel(ctx), bc.ID, b.owner, c, b.cfg.ClaimLease); err != nil {
			return err
		}
		begun = true
		return nil
	}, func(ctx context.Context, api *tg.Bot) error {
		_, err := api.CopyMessage(ctx, &tg.CopyMessageParams{ChatID: c.UserID, FromChatID: bc.FromChat, MessageID: c.MessageID})
		return err
	})
	switch {
	case !begun:
		if err == nil {
			err = errors.New("send ended before it began")
		}
		return "", err
	case err == nil:
		return "sent", nil
	case errors.Is(err, ErrBlocked), errors.Is(err, ErrChatNotFound):
		b.undelivered(ctx, c.UserID, 0, err)
		return "blocked", nil
	case sctx.Err() != nil:
		return "uncertain", nil // stopped mid-send: it may have arrived
	default:
		b.log.Warn("broadcast copy failed", "broadcast", bc.ID, "user", c.UserID, "err", err)
		return "failed", nil
	}
}

// chatRecipients are the linked chats bc also goes to, with the version in
// the deployment's default language.
func (b *Bot) chatRecipients(bc *flows.Broadcast) []flows.Recipient {
	msg := bc.MessageID
	if b.cfg.DefaultLang == "en" && bc.EnglishID != 0 {
		msg = bc.EnglishID
	}
	out := make([]flows.Recipient, 0, len(bc.Chats))
	for _, c := range bc.Chats {
		if c.Chat < 0 {
			out = append(out, flows.Recipient{UserID: c.Chat, Thread: c.Thread, MessageID: msg})
		}
	}
	return out
}

// copyToChat posts one copy into a linked group, topic or channel, within
// the group's own send budget (20 a minute, shared by the replicas), and
// says how it went. A group upgraded to a supergroup (400 with
// migrate_to_chat_id: nothing was posted) is followed: its links move
// there and the copy is made in the supergroup, in the same topic. A chat
// that removed the bot, refuses it or lost the topic has its link made
// inactive (its linker is told) and is not tried again: its outcome is
// recorded like any other.
func (b *Bot) copyToChat(ctx, sctx context.Context, bc *flows.Broadcast, c transport.Claim, slot func()) (string, error) {
	begun := false
	chat := c.UserID
	copyTo := func(ctx context.Context, api *tg.Bot) error {
		_, err := api.CopyMessage(ctx, &tg.CopyMessageParams{ChatID: chat, MessageThreadID: c.Thread, FromChatID: bc.FromChat, MessageID: c.MessageID})
		return err
	}
	err := b.sender.SendReady(sctx, chat, Bulk, "copyMessage", func(ctx context.Context) error {
		slot()
		if err := b.store.BeginSend(context.WithoutCancel(ctx), bc.ID, b.owner, c, b.cfg.ClaimLease); err != nil {
			return err
		}
		begun = true
		return nil
	}, copyTo)
	var migrated *tg.MigrateError
	if begun && errors.As(err, &migrated) && migrated.MigrateToChatID != 0 && int64(migrated.MigrateToChatID) != chat {
		b.chatMoved(sctx, chat, int64(migrated.MigrateToChatID))
		chat = int64(migrated.MigrateToChatID)
		err = b.sender.SendReady(sctx, chat, Bulk, "copyMessage", nil, copyTo)
	}
	switch {
	case !begun:
		if err == nil {
			err = errors.New("send ended before it began")
		}
		return "", err
	case err == nil:
		return flows.ChatSent, nil
	case errors.Is(err, ErrChatNotFound):
		b.chatGone(sctx, chat)
		return flows.ChatRemoved, nil
	case b.groupUndelivered(sctx, chat, c.Thread, err):
		return flows.ChatRemoved, nil
	case sctx.Err() != nil:
		return flows.ChatUncertain, nil
	default:
		b.log.Warn("broadcast copy to a linked chat failed", "broadcast", bc.ID, "chat", chat, "thread", c.Thread, "err", err)
		return flows.ChatFailed, nil
	}
}

func (b *Bot) userLang(ctx context.Context, id int64) string {
	if u, err := b.store.GetUser(ctx, id); err == nil {
		return u.Lang
	}
	return b.cfg.DefaultLang
}

func (b *Bot) sendProgress(ctx context.Context, chat int64, lang string, t flows.Text) (int, error) {
	id, err := b.render.sendText(ctx, chat, Interactive, lang, flows.Reply{Text: t})
	if err != nil {
		return 0, fmt.Errorf("progress message: %w", err)
	}
	return id, nil
}

func (b *Bot) editProgress(ctx context.Context, chat int64, msg int, lang string, t flows.Text) {
	if err := b.render.deliver(ctx, chat, lang, flows.Reply{EditMessageID: msg, Text: t}); err != nil {
		b.log.Warn("progress message", "err", err)
	}
}
