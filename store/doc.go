// Package store keeps Sinergi's state in Redis (one node, Sentinel or Cluster
// through redis.UniversalClient).
//
// # Key layout
//
// Every key starts with a configurable prefix (default "sinergi:"). Keys of
// one chat share the hash tag {c:<chat id>} so that the per-update commit (a
// MULTI/EXEC) stays in one Cluster slot; a private chat's id is its user's id,
// so the user record is in that slot too.
//
//	<p>{c:<id>}:user          string  JSON flows.User (no TTL)
//	<p>{c:<id>}:profile       string  JSON flows.Profile (no TTL; written only after consent)
//	<p>{c:<chat>}:sess        string  JSON flows.Session, TTL Options.SessionTTL (default 48 h)
//	<p>{c:<chat>}:upd:<id>    string  "1": update <id> was handled, TTL 25 h (> Telegram's 24 h redelivery)
//	<p>invite:<token>         string  JSON flows.Invite, TTL = invite lifetime; GETDEL takes it once
//	<p>poll:inbox             hash    update_id -> raw update JSON, received but not yet handled (polling mode)
//	<p>poll:offset            string  next getUpdates offset (polling mode)
//
// # Atomicity
//
// Handling an update ends with one MULTI/EXEC (Store.Commit) that writes the
// session, the user, the dedupe mark and removes the update from the inbox:
// either the update counts as handled with all of its state, or not at all.
package store
