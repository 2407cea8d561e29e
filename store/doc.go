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
// A workshop's keys share the hash tag {w:<code>}, so each of its Lua
// scripts (ws_*.lua) runs in one Cluster slot; the job queue's keys share
// {jobs}. Indexes in other slots are written right after a script, in a
// pipeline, and are checked against the workshop's keys when read.
//
//	<p>{w:<code>}:ws          string  JSON flows.Workshop
//	<p>{w:<code>}:meta        hash    capacity, closed (0/1), cancelled (0/1), deadline (unix ms, 0: none), written with :ws
//	<p>{w:<code>}:confirmed   zset    uid -> registration number (from :seq)
//	<p>{w:<code>}:waiting     zset    uid -> registration number (from :seq): the waiting list in order
//	<p>{w:<code>}:seq         string  the workshop's registration counter (promotions take a new number)
//	<p>{w:<code>}:regs        hash    uid -> JSON flows.Registration (without Status, Position, CheckedInAt)
//	<p>{w:<code>}:checkin     hash    uid -> check-in time, unix ms (HSETNX: the first time is kept)
//	<p>{w:<code>}:feedback    hash    uid -> JSON flows.Feedback (latest wins)
//	<p>checkin:<token>        string  "<code>:<uid>", the QR token lookup (valid only while :regs holds that token)
//	<p>ws:upcoming            zset    code -> start unix ms, workshops not cancelled
//	<p>ws:all                 zset    code -> start unix ms
//	<p>{c:<uid>}:facilitates  set     codes uid facilitates
//	<p>{c:<uid>}:registered   set     codes uid registered in (an index; stale entries are dropped when read)
//	<p>{jobs}:due             zset    job id -> due unix ms
//	<p>{jobs}:lease           zset    job id -> lease expiry unix ms (claimed, not done)
//
// Matchmaking keys share the hash tag {pp}: a profile edit is one MULTI over
// the profile and its index sets, and the introduction scripts (pp_*.lua)
// touch the pair and both users' lists, all in one Cluster slot. The index
// sets hold only visible (not paused) profiles; suggestions read them, never
// every profile.
//
//	<p>{pp}:prof:<uid>        string  JSON flows.PartnerProfile (one per Telegram user)
//	<p>{pp}:all               set     uids of visible profiles
//	<p>{pp}:sector:<code>     set     uids of visible profiles of that sector (no cross-sector bonus)
//	<p>{pp}:theme:<code>      set     uids of visible profiles working on that theme
//	<p>{pp}:prov:<code>       set     uids of visible profiles active in that province
//	<p>{pp}:offer:<code>      set     uids of visible profiles offering that (funding, volunteers …)
//	<p>{pp}:need:<code>       set     uids of visible profiles needing that
//	<p>{pp}:skip:<uid>        set     uids that uid marked "not interested" (deleted with uid's profile)
//	<p>{pp}:intro:<id>        hash    an introduction: id, from, to, from_org, to_org, note, status, created, decided (unix ms, 0: pending)
//	<p>{pp}:pair:<lo>:<hi>    hash    the pair's latest introduction: id, status, at (unix ms of the request or decision)
//	<p>{pp}:sent:<uid>        zset    intro id -> created unix ms, requests uid sent
//	<p>{pp}:recv:<uid>        zset    intro id -> created unix ms, requests uid received
//	<p>{pp}:pending:<uid>     set     intro ids uid sent that wait for an answer (the cap of 10)
//
// # Atomicity
//
// Handling an update ends with one MULTI/EXEC (Store.Commit) that writes the
// session, the user, the dedupe mark and removes the update from the inbox:
// either the update counts as handled with all of its state, or not at all.
package store
