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
//	<p>{c:<id>}:user          hash    flows.User, one field per attribute, empty ones absent (no TTL);
//	                                  every writer sets only its fields (users.go): a user's
//	                                  commit what the update changed, /grant the role, a failed
//	                                  delivery the inactive flag (builds before this stored a JSON
//	                                  string; MigrateUsers converts those at start)
//	<p>{c:<id>}:profile       string  JSON flows.Profile (no TTL; written only after consent)
//	<p>members:sector:<code>  set     uids whose profile has that sector, for broadcast segments and the dashboard's
//	<p>members:prov:<code>    set     counts (members.go); uids whose profile has that province; <code> is one of
//	                                  the catalog (flows.Sectors, flows.Provinces) or "_" for none or another, so
//	                                  each profile is in one set of each. On one server exact: written with the
//	                                  profile in one MULTI that takes the member out of every other set
//	                                  (SaveProfile, RemoveProfile, ForgetUser); a sector or province segment is
//	                                  ZINTER of its set with users:recv:<lang> (ProfileReceivers), the counts
//	                                  SINTERCARD with users:all (CountMembers). On a Cluster (other slots)
//	                                  SaveProfile adds a value before the profile has it and removes it after, so
//	                                  a set may hold a member who moved (the readers check the profile) but never
//	                                  lacks one
//	<p>members:indexed        string  "1" once the two indexes above were built (MigrateMembers, at start)
//	<p>members:exact          string  "1" once MigrateExactMembers rebuilt them from the profiles (at start, one
//	                                  server only: members_place.lua places each member of users:all, of any set
//	                                  or with a profile, reading the profile in the same step)
//	<p>users:recv:<lang>      zset    uid -> uid: the members who receive broadcasts (consented, active, updates
//	                                  on) whose language is <lang> (id, en), for the segments everyone and
//	                                  lang:<lang> (receivers.go); users:recv:_ those of any other language.
//	                                  Exact: written from the record in the step that writes its consent,
//	                                  inactive, no_updates or lang field (user_write.lua, in the commit's
//	                                  MULTI; SaveUser, MarkInactive) and removed with a forgotten record. Not
//	                                  kept on a Cluster (the segments read every record there)
//	<p>users:recv:indexed     string  "1" once MigrateReceivers built users:recv:* (at start)
//	<p>{c:<chat>}:sess        string  JSON flows.Session, TTL Options.SessionTTL (default 48 h)
//	<p>{c:<chat>}:upd:<id>    string  "1": update <id> was handled, TTL 25 h (> Telegram's 24 h redelivery)
//	<p>{c:<chat>}:upds        zset    update id -> its mark's expiry, unix ms: the chat's dedupe marks, written in the
//	                                  commit's MULTI with the mark, trimmed of expired ones by a commit of an update id
//	                                  divisible by 16, TTL 25 h from the last commit (ForgetUser deletes the marks it
//	                                  lists instead of scanning)
//	<p>{c:<chat>}:outbox      list    the chat's committed, unsent replies, oldest first (outbox.go)
//	<p>{c:<chat>}:outbox:begun string id of the reply whose send began (dropped as uncertain after a crash)
//	<p>outbox:pending         zset    chat -> commit time (unix ms) of chats with an outbox (the sweeper's index)
//	<p>{c:<chat>}:kb          string  id of the bot's last message with buttons in the chat, TTL Options.SessionTTL
//	                                  (written when an outbox is done; a question answered by typing clears its buttons)
//	<p>invite:<token>         string  JSON flows.Invite, TTL = invite lifetime; GETDEL takes it once
//	                                  (a member import's carries whom it invites, flows.InvitedMember: name,
//	                                  organisation, sector, province, contact — gone when taken or expired)
//	<p>invites:by:<uid>       set     the invitations uid created, written before them, TTL the longest of them
//	                                  (ForgetUser deletes them by it): <token> of invite:<token>, w:<code>:<token> of a
//	                                  team invitation {w:<code>}:tinv:<token>, ch:<token> of {ch}:invite:<token>
//	<p>forget:indexed         string  "1" once {pp}:skippedby:* and invites:by:* were built (MigrateForgetIndexes)
//	<p>forget:unscanned       string  "1" once {c:*}:upds, the team and chapter-admin entries of invites:by:* and
//	                                  {jobs}:of:* were built (MigrateForgetScans)
//	<p>poll:inbox             hash    update_id -> raw update JSON, received but not yet handled (polling mode)
//	<p>poll:offset            string  next getUpdates offset (polling mode)
//
// A workshop's keys share the hash tag {w:<code>}, so each of its Lua
// scripts (ws_*.lua) runs in one Cluster slot; the job queue's keys share
// {jobs}. Indexes in other slots are written right after a script, in a
// pipeline, and are checked against the workshop's keys when read. The team
// scripts (team_*.lua) take every key in KEYS and know nothing of
// workshops, so another kind of team (a chapter's) can keep the same rules
// under its own hash tag.
//
//	<p>{w:<code>}:ws          string  JSON flows.Workshop, without its team (Owner, Facilitators)
//	<p>{w:<code>}:meta        hash    capacity, closed (0/1), cancelled (0/1), deadline (unix ms, 0: none), start (unix ms),
//	                                  offer (0/1: freed seats are offered), validity (ms an offer stands),
//	                                  approval (0/1: registrations wait as pending), invite (0/1: invite-only:
//	                                  ws_register.lua and hy_register.lua refuse 'noinvite' unless wrapped by
//	                                  ws_inv_register.lua; MigrateInviteMeta writes it at start for workshops saved
//	                                  before it, from :ws, with HSETNX), written with :ws
//	                                  (a meta without start, written before offers, gets start, offer and validity from
//	                                  :ws when a cancellation first needs them);
//	                                  owner (the team's owner's uid, absent when the team is empty) and
//	                                  team ("1": the team is kept in :team; MigrateTeams gives workshops of
//	                                  builds before teams theirs, from their JSON's facilitators, at start;
//	                                  one an older replica saves later is read with its JSON's facilitators
//	                                  and migrated by the first team operation or edit)
//	<p>{w:<code>}:team        zset    uid -> joined unix ms: the workshop's team, owner included (team_*.lua)
//	<p>{w:<code>}:tinv:<token> hash   a one-time team invitation: by, created, expires (unix ms); TTL its lifetime;
//	                                  team_join.lua takes it once, refusing it from expires on
//	<p>{w:<code>}:apnote      string  unix ms of the team's last notice that registrations await approval
//	                                  (ws_notice.lua: at most one per hour); PX twice that
//	<p>{w:<code>}:tinvs       zset    token -> created unix ms: the workshop's team invitations, for the team card;
//	                                  the :tinv: hash decides, TeamInvites clears entries whose hash is gone or
//	                                  expired, team_revoke.lua deletes both
//	<p>{w:<code>}:confirmed   zset    uid -> registration number (from :seq)
//	<p>{w:<code>}:waiting     zset    uid -> registration number (from :seq): the waiting list in order
//	<p>{w:<code>}:offers      zset    uid -> offer end, unix ms: seats held for people offered them (ws_offer.lua);
//	                                  taken out of :waiting when offered, into :confirmed (a new number) when accepted
//	<p>{w:<code>}:pending     zset    uid -> registration number: registrations awaiting approval, holding no seat;
//	                                  approved (ws_decide.lua) they take a new number in :confirmed or :waiting
//	<p>{w:<code>}:seq         string  the workshop's registration counter (promotions take a new number)
//	<p>{w:<code>}:on:meta     hash    a hybrid workshop's online mode (hybrid.go): the fields of :meta that the scripts
//	                                  decide on, with capacity its online capacity; written with :ws (hy_update.lua)
//	                                  while the workshop is hybrid, kept (and no longer written) when it stops being
//	                                  hybrid, which its flow allows only with nobody registered online
//	<p>{w:<code>}:on:confirmed zset   like :confirmed, :waiting, :offers, :pending, for the online mode: its own seats
//	<p>{w:<code>}:on:waiting  zset    and waiting list; :seq, :regs and :checkin are shared, and a uid is on the lists
//	<p>{w:<code>}:on:offers   zset    of one mode only (hy_register.lua checks both, hy_switch.lua moves between them);
//	<p>{w:<code>}:on:pending  zset    Registration.Mode is read from which holds them. Registering with no mode in a
//	                                  workshop with :on:meta registers on site through hy_register.lua
//	<p>{w:<code>}:regs        hash    uid -> JSON flows.Registration (without Status, Position, CheckedInAt);
//	                                  its answers to the form too (SaveAnswers: WATCH/MULTI on this key)
//	<p>{w:<code>}:form        list    JSON flows.FormQuestion: the registration form in order, at most
//	                                  flows.MaxFormQuestions with the legacy Question (form_add.lua)
//	<p>{w:<code>}:agenda      hash    session id -> JSON flows.AgendaSession with from, to (unix ms) for the scripts:
//	                                  the workshop's agenda, at most flows.MaxSessions (agenda_save.lua)
//	<p>{w:<code>}:seats:<id>  zset    uid -> sign-up number (from :agseq): who holds a seat of parallel session <id>
//	<p>{w:<code>}:agseq       string  the workshop's sign-up counter
//	<p>{w:<code>}:chosen      hash    uid -> "<registration number>|<id>,<id>…": the sessions uid chose, under the
//	                                  number their registration has in :confirmed (or :on:confirmed, online in a
//	                                  hybrid workshop); a sign-up counts only while that number is still theirs
//	                                  there (a cancellation, or a switch of mode, frees the seat in its own script;
//	                                  the next agenda script meeting the stale entry drops it; ForgetUser removes it)
//	<p>{w:<code>}:checkin     hash    uid -> check-in time, unix ms (HSETNX: the first time is kept)
//	<p>{w:<code>}:winvs       zset    token -> created unix ms: the invitations of an invite-only workshop (invites.go)
//	<p>{w:<code>}:winv:<token> hash   one invitation: org ("" personal), quota (seats; 1 personal), by, created
//	                                  (unix ms); ws_inv_create.lua writes it with :winvs, revoking deletes both
//	                                  and its :winvuse in one MULTI
//	<p>{w:<code>}:winvuse:<token> zset uid -> unix ms: who registered through it; a use counts while uid is in
//	                                  :regs (ws_inv_lib.lua drops the others: the seat came back to the link)
//	<p>{w:<code>}:winvheld    hash    uid -> token of the invitation uid opened (ws_inv_hold.lua); their
//	                                  registration uses it (ws_inv_register.lua: ws_register.lua wrapped, one step)
//	<p>{w:<code>}:feedback    hash    uid -> JSON flows.Feedback (latest wins)
//	<p>{w:<code>}:excused     hash    uid -> unix ms: confirmed registrants the team marked absent, excused
//	                                  (att_set.lua, with :checkin: present, absent and no-show are exclusive)
//	<p>{w:<code>}:satt        hash    uid -> JSON {session id: unix ms}: the agenda sessions uid was marked present
//	                                  at (per-session attendance, session_attendance.go); changed only by
//	                                  satt_mark.lua, which checks :agenda and :confirmed / :on:confirmed in the
//	                                  same step (the first time kept; no field when none); ForgetUser deletes it
//	<p>{w:<code>}:cert:<uid>  hash    uid's certificate of attendance: user, code (verification), number
//	                                  ("<CODE>-0001"), issued (unix ms), name, org (cert_issue.lua: only for
//	                                  someone in :checkin; issued again only name and org change)
//	<p>{w:<code>}:certseq     string  the workshop's certificate counter
//	<p>{w:<code>}:survey      string  JSON flows.Survey: the post-event survey the team wrote (none: the default
//	                                  applies), with its version (sv_save.lua: the next one; refused once :svdone
//	                                  has a member, so every answer is to the questions stored)
//	<p>{w:<code>}:svans       list    JSON flows.SurveyAnswer in the order given; "user" only when the person agreed to
//	                                  share their name, else no trace of who answered (sv_submit.lua)
//	<p>{w:<code>}:svdone      set     uids who answered the survey, kept apart from :svans so that a second answer
//	                                  is refused without naming anyone in the answers (sv_submit.lua)
//	<p>{w:<code>}:svsent      set     "i:<uid>" the survey was sent, "r:<uid>" its one reminder was (each once);
//	                                  ForgetUser (sv_forget.lua) removes uid from :svdone and :svsent and deletes
//	                                  the answers in :svans that name them; anonymous answers stay
//	<p>cert:<vcode>           string  "<code>:<uid>", the verification code's lookup (valid only while the
//	                                  certificate's hash holds that code; ForgetUser deletes both)
//	<p>checkin:<token>        string  "<code>:<uid>", the QR token lookup (valid only while :regs holds that token)
//	<p>{w:<code>}:commits     hash    id -> JSON flows.Commitment (commitments.go); written and deleted only by
//	                                  cm_write.lua, which keeps the tallies and indexes below exact in the same step
//	<p>{w:<code>}:cmtally     hash    "s:<status>:<due month>" and "c:<month written down>" -> how many commitments
//	                                  (months "2006-01" in the workshop's zone, computed in Go when written; no
//	                                  field for 0), zone -> the zone of the last write (cmtally.go)
//	<p>{w:<code>}:cmfacts     hash    id -> "<status>|<due month>|<created month>": what each commitment is counted
//	                                  as, so that an overwrite or a delete takes back exactly that
//	<p>{w:<code>}:cmopen      zset    id -> due unix ms of the commitments not done (overdue: score < now)
//	<p>{w:<code>}:cmblocked   zset    id -> due unix ms of the blocked commitments
//	<p>{w:<code>}:cmdue       zset    id -> due unix ms of every commitment (the Mini App's Commitments tab pages
//	                                  through these, merged over the workshops: CommitmentsByDue)
//	<p>{w:<code>}:cmhead      hash    id -> "<due unix ms>|<status>|<owner>": what the tab filters by, read
//	                                  without the commitments (CommitmentHeads, the organisation filter)
//	<p>{w:<code>}:cmst:<st>   zset    id -> due unix ms of the commitments of status st (flows.ChartStatuses)
//	<p>commits:tallied:2      string  "1" once MigrateCommitmentTallies built the keys above from :commits for
//	                                  every workshop (at start; each in a MULTI watching :commits); ":2" since
//	                                  :cmdue, :cmhead and :cmst were added, so a database tallied before is built again once
//
// Partner meetings (meetings.go) sit under the workshop's hash tag too, so
// each booking is one script over the meeting, the slots held and the
// counts: mt_request.lua (a request, another slot proposed, a team
// proposal confirmed), mt_book.lua (accept, move, place: never an
// organisation or a table twice in a slot, never over the cap), mt_close.lua
// (decline, withdraw, cancel: the booking freed), mt_setup.lua (a new setup,
// refused while it would drop booked meetings, or forced and cancelling
// them). The scripts build the meetings' keys from a prefix of the same tag.
// mt_request.lua and mt_book.lua refuse at a workshop whose :meta says
// cancelled: the cancellation writes that first, then closes the open
// meetings it lists, so none is asked for or booked after it.
//
//	<p>{w:<code>}:mt:setup    string  JSON flows.MeetingSetup (windows, slot length, tables, link, cap)
//	<p>{w:<code>}:mt:slots    zset    slot start (unix s) -> the same: the setup's slots, for the scripts
//	<p>{w:<code>}:mt:tables   zset    table id -> its order in the setup (none: online meetings)
//	<p>{w:<code>}:mt:conf     hash    cap (meetings per organisation); its presence means meetings are set up
//	<p>{w:<code>}:mt:m:<id>   hash    a meeting: id, ws, from, to, from_org, to_org, note, slots (unix s, comma
//	                                  separated), awaiting (uid, 0 none), status, slot (unix s, "" none), table
//	                                  (id, 0 online), by_team, ok_from, ok_to (0/1), created, decided (unix ms),
//	                                  out_from, out_to (outcomes)
//	<p>{w:<code>}:mt:ids      zset    meeting id -> created unix ms: the workshop's meetings
//	<p>{w:<code>}:mt:busy     hash    "u:<uid>:<slot>" and "t:<table>:<slot>" -> the meeting holding them
//	<p>{w:<code>}:mt:n        hash    uid -> meetings held (accepted or proposed by the team), for the cap
//	<p>{w:<code>}:mt:pairs    hash    "<lower uid>:<higher uid>" -> the pair's open meeting
//	<p>{w:<code>}:mt:u:<uid>  set     ids of uid's meetings at the workshop
//	<p>mt:of:<uid>            set     codes of the workshops uid had a meeting at (written before the script;
//	                                  ForgetUser reads it, then deletes it)
//	<p>ws:upcoming            zset    code -> start unix ms, workshops not cancelled, unlisted nor invite-only
//	<p>ws:all                 zset    code -> start unix ms
//	<p>{c:<uid>}:facilitates  set     codes of the workshops uid is on the team of (an index of :team;
//	                                  entries the team does not confirm are dropped when read)
//	<p>{c:<uid>}:registered   set     codes uid registered in (an index; stale entries are dropped when read)
//	<p>{c:<uid>}:winvheld     set     codes of the workshops uid opened an invitation of, written before
//	                                  {w:<code>}:winvheld; ForgetUser takes uid out of their invitations by it
//	<p>{c:<uid>}:commits      set     "<code>:<id>" of commitments uid owns or was proposed (commitments.go)
//	<p>{c:<uid>}:named        set     "<code>:<id>" of commitments naming uid otherwise (wrote it down, answered in
//	                                  its history), written before the commitment; ForgetUser reads it
//	<p>commits:named          string  "1" once {c:<uid>}:named was built from the stored commitments
//	                                  (MigrateCommitmentNames, at start)
//	<p>{jobs}:due             zset    job id -> due unix ms
//	<p>{jobs}:lease           zset    job id -> lease expiry unix ms (claimed, not done)
//	<p>{jobs}:of:<tail>       set     ids "<kind>|<code>|<tail>" of the jobs scheduled (due or leased) whose id
//	                                  ends in tail, a user id or a commitment id: written by Schedule in its MULTI,
//	                                  removed by Unschedule, JobDone (unless scheduled again) and a dropped claim
//	<p>{jobs}:parked          zset    job id -> due unix ms: jobs of a kind the build that claimed them does not run, kept for one that does (UnparkJobs)
//
// Matchmaking keys share the hash tag {pp}: a profile edit is one script
// (pp_save.lua, pp_delete.lua) over the profile and its bitmaps, and the
// introduction scripts (pp_*.lua) touch the pair and both users' lists, all
// in one Cluster slot. Every profile has a slot, a small number that is its
// bit in the suggestion bitmaps; the bitmaps hold only visible (not paused)
// profiles. Suggestions read the bitmaps of the viewer's codes and count
// the scores of all slots at once, never reading every profile (builds
// before the bitmaps kept sets of user ids, {pp}:all, {pp}:theme:<code> …;
// MigratePartners moves those at start).
//
//	<p>{pp}:prof:<uid>        string  JSON flows.PartnerProfile (one per Telegram user)
//	<p>{pp}:slot              hash    uid -> slot, taken at the profile's first save, freed when it is deleted
//	<p>{pp}:slotuid           hash    slot -> uid
//	<p>{pp}:slotfree          zset    slot -> slot: freed slots, the lowest reused first
//	<p>{pp}:slotnext          string  the next never used slot (INCR)
//	<p>{pp}:bits:all          string  bitmap: bit <slot> set for visible profiles
//	<p>{pp}:bits:sector:<code> string bitmap of visible profiles of that sector (no cross-sector bonus)
//	<p>{pp}:bits:theme:<code> string  bitmap of visible profiles working on that theme
//	<p>{pp}:bits:prov:<code>  string  bitmap of visible profiles active in that province
//	<p>{pp}:bits:offer:<code> string  bitmap of visible profiles offering that (funding, volunteers …)
//	<p>{pp}:bits:need:<code>  string  bitmap of visible profiles needing that
//	<p>{pp}:members:theme:<code> set  uids whose profile, visible or paused, has that theme: a broadcast's
//	                                  theme segment (written by the profile's script; MigrateMembers at start)
//	<p>{pp}:skip:<uid>        set     uids that uid marked "not interested" (deleted with uid's profile)
//	<p>{pp}:skippedby:<uid>   set     uids that marked uid "not interested" (written with the mark; ForgetUser)
//	<p>{pp}:intro:<id>        hash    an introduction: id, from, to, from_org, to_org, note, status, created, decided (unix ms, 0: pending)
//	<p>{pp}:pair:<lo>:<hi>    hash    the pair's latest introduction: id, status, at (unix ms of the request or decision)
//	<p>{pp}:sent:<uid>        zset    intro id -> created unix ms, requests uid sent
//	<p>{pp}:recv:<uid>        zset    intro id -> created unix ms, requests uid received
//	<p>{pp}:pending:<uid>     set     intro ids uid sent that wait for an answer (the cap of 10)
//
// Linked group chats, topics and channels (groups.go) share the hash tag
// {grp}; each change (link, unlink, deactivate a chat, move a chat to the
// supergroup it became) is one Lua script (grp_*.lua) over both keys.
// Nothing about a group's members is kept.
//
//	<p>{grp}:links            hash    "<chat>:<thread>" -> JSON flows.ChatLink (title, type, purpose, workshop,
//	                                  who linked it and when; "was": the basic group it moved from when that
//	                                  became a supergroup); thread 0: the whole chat or its General topic
//	<p>{grp}:off              set     fields of {grp}:links whose link is inactive (the bot was removed or may
//	                                  no longer post there); kept so an admin sees and removes them
//	<p>{grp}:cards:<code>     hash    "<chat>:<thread>" -> JSON flows.Card: a workshop's live card in that chat
//	                                  (message id, the state it shows); the "wcd" job edits it when that changes

// Chapters' keys share the hash tag {ch}: joining by link is one script
// over the chapter, its members and the user's chapters (ch_join.lua),
// forgetting one over the user's chapters and their members
// (ch_forget.lua); creating one over the record and the list, unless the id
// is taken (ch_create.lua). The
// chapter a user administers is the "chapter" field of their user hash;
// members by province are not stored but read from the profiles when asked
// (flows.ChapterMembers), so a changed province moves the member.
//
//	<p>{ch}:chapter:<id>      string  JSON flows.Chapter (renamed, provinces changed: ch_update.lua)
//	<p>{ch}:all               zset    chapter id -> created unix ms (the list, oldest first)
//	<p>{ch}:joined:<id>       set     uids who joined the chapter by its link (chapter_<id>; left: ch_leave.lua)
//	<p>{ch}:of:<uid>          set     chapter ids uid joined by link (for /profile and forgetting)
//	<p>{ch}:invite:<token>    string  JSON flows.ChapterInvite, TTL = invite lifetime; GETDEL takes it once
//	<p>{ch}:invites:<id>      set     tokens of the chapter's admin invitations (deleted with it: ch_delete.lua;
//	                                  entries of used or expired ones stay until then)
//
// # Atomicity
//
// Handling an update ends with Store.Commit, which writes the session, the
// user's changed fields, the dedupe mark, the update's replies (the outbox)
// and removes the update from the inbox. Concurrent commits share one round
// trip (group commit). The replies are sent after the commit and the outbox
// is emptied by OutboxDone, which also releases the chat's lock.
//
// On one Redis server (or a Sentinel master) a batch of commits is one
// MULTI/EXEC: each update counts as handled with all of its state, or not
// at all. That transaction spans many slots on purpose and is marked so
// (keyslot.SingleNodeOnly); it is never sent to a Cluster.
//
// On Redis Cluster a MULTI must stay in one slot, so a batch is written in
// three steps (runSlotCommits): users:all and group chats' user records in
// one pipeline; then one MULTI per slot, concurrently, for each chat's
// {c:<chat>} keys (session, dedupe mark, a private chat's user record); then
// users:all removals and poll:inbox removals in one pipeline. Only the middle
// step makes an update count as handled; the order of the steps is chosen
// so that a stop between them loses nothing (see runSlotCommits).
//
// # Several replicas
//
// Keys that let replicas share work (see the files that own them):
//
//	<p>{c:<chat>}:lock        string  the chat's lock: holder token, PX lease (lock.go); taken in
//	                                  LoadState's pipeline (Locker.LockAndLoad), released in the commit
//	<p>{tb}:global            string  GCRA cell of the bot's send budget (sendbudget.go)
//	<p>{tb}:c:<chat>          string  GCRA cell of one chat's send budget (expires when full again)
//	<p>{jobs}:owner           hash    claimed job id -> claimer token (jobs.go)
//	<p>{jobs}:running         hash    job id -> claimer token, once its run began
//	<p>{bc:<id>}:claims       zset    claimed recipient -> lease expiry (broadcasts.go); a recipient is
//	                                  "<uid>:<msg>", or a linked chat's "<chat>/<topic>:<msg>"
//	<p>{bc:<id>}:owner        hash    claimed recipient -> replica token
//	<p>{bc:<id>}:sending      hash    claimed recipient -> token, once its send began
//	<p>{bc:<id>}:progress     string  the replica that edits the progress message now (PX)
//
// # Redis Cluster
//
// Every MULTI/EXEC and every Lua script must work on keys of one hash tag,
// and a script must get all of its keys in KEYS (never build a key name
// itself): {c:<id>} for a chat, {w:<code>} for a workshop (ws_*.lua, ws_inv_*.lua,
// team_*.lua, privacy_forget.lua, agenda_*.lua, cm_write.lua), {pp} for matchmaking (pp_*.lua), {ch} for
// chapters (ch_*.lua), {bc:<id>} for a broadcast, {jobs} for the job queue,
// {tb} for the send budget, {grp} for linked chats (grp_*.lua). Work
// that reaches keys of several slots is done in steps, each one slot or a
// plain pipeline, in an order documented where it happens:
//
//   - Store.Commit: see Atomicity;
//   - SaveInbox: poll:inbox, then poll:offset (an update stored twice is
//     harmless, one never stored would be lost);
//   - workshop scripts, then their indexes (ws:upcoming, ws:all,
//     {c:<uid>}:facilitates, {c:<uid>}:registered, checkin:<token>), which
//     are checked against the workshop's keys when read;
//   - SaveCommitment: the users' indexes (with the workshop's zone read)
//     in one plain pipeline, then the commitment and its tallies in one
//     script (cm_write.lua); DeleteCommitment: the script, then the owner's
//     index (stale index entries are dropped when read);
//   - SaveProfile and RemoveProfile: members:* gets the new sector and
//     province, then the profile is written (or deleted), then members:*
//     loses the old ones (on one server: one MULTI);
//   - the audit pseudonyms: audit:ref, then audit:who;
//   - ForgetUser: one step per workshop, broadcast and introduction, the
//     user's own keys last; key patterns are scanned on every master.
//
// The hash tags assume the prefix holds no "{" or "}".
//
// Tests check this: redistest.SlotGuard fails any transaction, script or
// multi-key command over several slots, on every test client, and
// TestClusterSmoke runs the store on a real three-node Cluster.
package store
